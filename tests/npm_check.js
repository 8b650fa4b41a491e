/*
** tests/npm_check.js - run by tests/test_npm.py inside a fresh npm project where the packed
** sqlite-setter tarballs and better-sqlite3 are installed. It uses the packages as a user
** would and prints one JSON object of what it saw; test_npm.py judges it.
**
**   SETTER_API_KEY=... SETTER_BASE_URL=http://127.0.0.1:PORT node npm_check.js
*/
'use strict';

const fs = require('node:fs');

async function main() {
  const seen = {node: process.version};
  const sqliteSetter = require('sqlite-setter');
  const Database = require('better-sqlite3');

  seen.path = sqliteSetter.getLoadablePath();
  seen.pathExists = fs.existsSync(seen.path);
  seen.realPath = fs.realpathSync(seen.path);

  const db = new Database(':memory:');
  sqliteSetter.load(db);
  seen.version = db.prepare('SELECT setter_version() AS v').get().v;
  seen.rows = db.prepare('SELECT message_id, sender_type FROM setter_conversations' +
                         ' WHERE bot_integration_id = ? AND user_number = ?')
                  .all(123, '1234567890');

  db.prepare("SELECT setter_config('api_key', 'not-the-key')").get();
  try {
    db.prepare("SELECT * FROM setter_conversations(123, '1234567890')").all();
    seen.error = null;
  } catch (e) {
    seen.error = {isSqliteError: e instanceof Database.SqliteError, name: e.name, code: e.code,
                  message: e.message};
  }
  try {
    sqliteSetter.load({});
    seen.badArgument = null;
  } catch (e) {
    seen.badArgument = `${e.name}: ${e.message}`;
  }

  const esm = await import('sqlite-setter');
  seen.esm = {getLoadablePath: typeof esm.getLoadablePath, load: typeof esm.load};

  let nodeSqlite = null;
  try {
    nodeSqlite = require('node:sqlite');
  } catch (e) {
    seen.nodeSqlite = {unavailable: `${e.code || e.name}: node:sqlite is not in ${process.version}`};
  }
  if (nodeSqlite) {
    const out = {};
    try {
      const ndb = new nodeSqlite.DatabaseSync(':memory:', {allowExtension: true});
      sqliteSetter.load(ndb);
      out.rows = ndb.prepare("SELECT message_id FROM setter_conversations(123, '1234567890')")
                     .all().map((r) => Number(r.message_id));
    } catch (e) {
      out.error = `${e.name}: ${e.message}`;
    }
    try {
      sqliteSetter.load(new nodeSqlite.DatabaseSync(':memory:'));
      out.withoutAllow = null;
    } catch (e) {
      out.withoutAllow = e.message;
    }
    seen.nodeSqlite = out;
  }
  process.stdout.write(JSON.stringify(seen) + '\n');
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({crash: `${e.name}: ${e.message}`}) + '\n');
  process.exitCode = 1;
});
