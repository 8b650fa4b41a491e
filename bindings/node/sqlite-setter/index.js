/*
** sqlite-setter - the sqlite-setter SQLite extension for Node.js.
**
**   const Database = require('better-sqlite3');
**   const sqliteSetter = require('sqlite-setter');
**   const db = new Database('crm.db');
**   sqliteSetter.load(db);
**   db.prepare('SELECT * FROM setter_conversations(?, ?)').all(123, '1234567890');
**
** getLoadablePath() is the extension's file, from the package of this platform
** (sqlite-setter-linux-x64, sqlite-setter-linux-arm64, sqlite-setter-windows-x64: optional
** dependencies of this package, of which npm installs only the one whose "os" and "cpu" match).
** load(db) takes a better-sqlite3 Database (db.loadExtension) or a node:sqlite DatabaseSync
** opened with { allowExtension: true } (Node 22.13 and newer); for the latter it enables
** extension loading, loads, and disables it again.
*/
'use strict';

const fs = require('node:fs');
const path = require('node:path');

/* process.platform-process.arch -> [package, file] */
const BUILDS = {
  'linux-x64': ['sqlite-setter-linux-x64', 'setter.so'],
  'linux-arm64': ['sqlite-setter-linux-arm64', 'setter.so'],
  'win32-x64': ['sqlite-setter-windows-x64', 'setter.dll'],
};

function getLoadablePath() {
  const key = `${process.platform}-${process.arch}`;
  const build = BUILDS[key];
  if (!build) {
    throw new Error(`sqlite-setter: no build for ${key}; there are builds for ` +
                    `${Object.keys(BUILDS).join(', ')}. On another system, build the ` +
                    'extension from source and pass its path to db.loadExtension()');
  }
  const [pkg, file] = build;
  let dir;
  try {
    dir = path.dirname(require.resolve(`${pkg}/package.json`));
  } catch (e) {
    throw new Error(`sqlite-setter: the package ${pkg}, which holds the extension for ${key}, ` +
                    'is not installed: it is an optional dependency of sqlite-setter, left out ' +
                    'by --omit=optional (or --no-optional); install it, or sqlite-setter again ' +
                    'without that option');
  }
  const loadable = path.join(dir, file);
  if (!fs.existsSync(loadable)) {
    throw new Error(`sqlite-setter: ${loadable} is missing; reinstall ${pkg}`);
  }
  return loadable;
}

function load(db) {
  const loadable = getLoadablePath();
  if (db && typeof db.enableLoadExtension === 'function') {
    /* node:sqlite DatabaseSync */
    try {
      db.enableLoadExtension(true);
    } catch (e) {
      e.message = 'sqlite-setter: this node:sqlite database does not allow extensions; ' +
                  `open it with new DatabaseSync(file, { allowExtension: true }) (${e.message})`;
      throw e;
    }
    try {
      db.loadExtension(loadable);
    } finally {
      db.enableLoadExtension(false);
    }
  } else if (db && typeof db.loadExtension === 'function') {
    /* better-sqlite3 Database */
    db.loadExtension(loadable);
  } else {
    throw new TypeError('sqlite-setter: load(db) takes a better-sqlite3 Database or a ' +
                        'node:sqlite DatabaseSync');
  }
}

module.exports = { getLoadablePath, load };
