// tests/node/better_sqlite3_test.js - the README's Node.js section, run for real: better-sqlite3
// loads the built extension with db.loadExtension(path) and queries the mock API.
//
//   node tests/node/better_sqlite3_test.js      (run by tests/test_node.py, which finds
//                                                better-sqlite3 under build/node and the mock)
//
// Environment: TEST_EXT (extension path without suffix), SETTER_API_KEY, SETTER_BASE_URL (the
// mock), BETTER_SQLITE3 (the module path). Checks: loading and a lookup; an API error is a
// thrown SqliteError with the extension's message; on_error 'row' gives the failed lookup a row
// with lookup_error; a lookup in a worker thread leaves the main event loop free (timers keep
// firing while the mock's latency runs), which a lookup on the main thread does not.
// Output: `ok   name` / `FAIL name`, then `node: N passed, N failed`.
'use strict';

const path = require('path');
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');
const Database = require(process.env.BETTER_SQLITE3 || 'better-sqlite3');

const EXT = process.env.TEST_EXT || path.join(__dirname, '..', '..', 'dist', 'setter');

function open() {
  const db = new Database(':memory:');
  db.loadExtension(EXT);
  return db;
}

if (!isMainThread) {
  // The worker: one query, its rows back to the main thread.
  const db = open();
  db.prepare("SELECT setter_config('base_url', ?)").get(workerData.baseUrl);
  const rows = db.prepare(workerData.sql).all();
  db.close();
  parentPort.postMessage(rows);
  return;
}

let passed = 0;
let failed = 0;
function check(ok, name, detail) {
  if (ok) {
    passed++;
    console.log('ok   ' + name);
  } else {
    failed++;
    console.log('FAIL ' + name + (detail === undefined ? '' : '\n     ' + detail));
  }
}

async function main() {
  const db = open();
  const rows = db.prepare('SELECT message_id, sender_type FROM setter_conversations' +
                          ' WHERE bot_integration_id = ? AND user_number = ?').all(123, '1234567890');
  check(JSON.stringify(rows.map((r) => r.message_id)) === '[789,790,791]',
        'db.loadExtension(path) and a lookup return the messages', JSON.stringify(rows));

  let error = null;
  try {
    db.prepare("SELECT * FROM setter_conversations(9, 'status-404')").all();
  } catch (e) {
    error = e;
  }
  check(error && error.code === 'SQLITE_ERROR' &&
        error.message.startsWith('setter_conversations: HTTP 404 for bot_integration_id 9'),
        'an API error is a thrown SqliteError with the extension\'s message', String(error));

  db.prepare("SELECT setter_config('on_error', 'row'), setter_config('max_retries', 0)").get();
  const failedRows = db.prepare("SELECT user_number, lookup_error FROM setter_conversations(9, 'status-404')").all();
  check(failedRows.length === 1 && /HTTP 404/.test(failedRows[0].lookup_error),
        "on_error 'row': the failed lookup is one row with lookup_error", JSON.stringify(failedRows));
  db.close();

  // The slow mock (SLOW_BASE_URL: every request waits): a lookup there blocks the thread that
  // runs it. Count timer ticks on the main thread meanwhile.
  const slow = process.env.SLOW_BASE_URL;
  const sql = "SELECT count(*) AS n FROM setter_conversations(123, '1234567890')";
  let ticks = 0;
  const timer = setInterval(() => { ticks++; }, 20);
  const t0 = Date.now();
  const workerRows = await new Promise((resolve, reject) => {
    const w = new Worker(__filename, { workerData: { baseUrl: slow, sql } });
    w.once('message', resolve);
    w.once('error', reject);
  });
  const workerMs = Date.now() - t0;
  const workerTicks = ticks;
  check(workerRows[0].n === 3 && workerTicks >= 10,
        'a lookup in a worker thread leaves the event loop free (' + workerTicks +
        ' timer ticks in ' + workerMs + ' ms)', JSON.stringify(workerRows));

  ticks = 0;
  const main = open();
  main.prepare("SELECT setter_config('base_url', ?)").get(slow);
  const t1 = Date.now();
  main.prepare(sql).all();
  const blockedMs = Date.now() - t1;
  await new Promise((r) => setTimeout(r, 0));
  check(ticks <= 1 && blockedMs >= 400,
        'a lookup on the main thread blocks the event loop (' + ticks + ' ticks in ' +
        blockedMs + ' ms)');
  clearInterval(timer);
  main.close();
}

main().catch((e) => {
  failed++;
  console.log('FAIL unexpected: ' + e);
}).finally(() => {
  console.log('node: ' + passed + ' passed, ' + failed + ' failed');
  process.exitCode = failed ? 1 : 0;
});
