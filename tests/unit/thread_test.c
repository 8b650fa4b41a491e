/*
** thread_test.c - the extension used from several threads at once, one
** connection per thread, against the mock API.
**
**   thread_test EXT_PATH        (extension path without suffix, e.g.
**                                /work/main/dist/setter)
**
** Environment: SETTER_API_KEY and SETTER_BASE_URL must point at the mock
** API (tests/run.py sets them for --also programs); without them the test
** prints why and "0 passed, 1 failed".
**
** What runs: NTHREAD threads, each with its own connection of the system
** SQLite (sqlite3_enable_load_extension + sqlite3_load_extension), started
** together behind a barrier.  Each thread
**   - sets setter_config('concurrency', t+1) on its connection and, after
**     every thread has set its own value, reads back t+1;
**   - looks up NUSER contacts of bot 777 of its own (user numbers tagged
**     "T<t>-", some with '+', spaces, '&', '=' and non-ASCII characters),
**     each with an aggregate query and a full-row query, and checks every
**     value against the deterministic data of tests/MOCK.md (bot 777);
**   - fetches the same NUSER contacts again with one IN list (parallel);
**   - every 10th contact, queries a second connection of its own whose
**     api_key was changed to a wrong one: that must fail with HTTP 401
**     while the first connection keeps working, and each connection's
**     setter_config('api_key') still reads back its own key (masked);
**   - finally checks that its setter_requests log holds only its own
**     requests (nothing leaked in from another connection).
** The main thread keeps a control connection, loaded before the threads
** start, whose concurrency setting must be unchanged at the end.
**
** A test is one check group of one thread (load, config_isolation,
** lookups, in_list, api_key_isolation, request_log), plus the control
** connection: NTHREAD * 6 + 1 tests.  Each failing check prints
**   FAIL thread T group: what differed (expected X, got Y)
** and the last line is "N passed, N failed".  A watchdog ends a hung run
** after WATCHDOG_SECONDS with "0 passed, 1 failed".
**
** Bot 777 (tests/MOCK.md): n = sum of the Unicode code points of the
** userNumber; (n % 3) + 1 messages, i = 1..3: messageId n*10+i, senderType
** user (odd i) or bot, content "msg i for <userNumber>", createdAt
** 2024-02-01T10:00:0i.000Z, platformResourceId bulk.<n>.<i>; message 2 is
** failed with errorCode 470 and errorDetails {"code":470}; contextStartsAt
** null.
*/
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

#define NTHREAD 6
#define NUSER 30
#define WATCHDOG_SECONDS 300

enum { G_LOAD, G_CONFIG, G_LOOKUPS, G_IN_LIST, G_API_KEY, G_REQUEST_LOG, N_GROUP };

static const char *const azGroup[N_GROUP] = {
    "load", "config_isolation", "lookups", "in_list", "api_key_isolation", "request_log",
};

typedef struct Thread {
  int t;                        /* thread number, 0 .. NTHREAD-1 */
  pthread_t tid;
  sqlite3 *db;                  /* the thread's connection */
  sqlite3 *dbBad;               /* its second connection, with a wrong key */
  char azUser[NUSER][48];       /* its contacts */
  int nRequests;                /* API requests made on db */
  int aFail[N_GROUP];           /* failed checks per group */
  char zLog[16384];             /* FAIL lines, printed by main after join */
  size_t nLog;
} Thread;

static const char *zExtPath;
static const char *zEnvKey;
static pthread_barrier_t barrier;

static void fail(Thread *p, int g, const char *zFormat, ...) {
  va_list ap;
  int n;
  p->aFail[g]++;
  if (p->nLog + 200 >= sizeof p->zLog) return; /* enough said */
  if (p->t < 0) {
    n = snprintf(p->zLog + p->nLog, sizeof p->zLog - p->nLog, "FAIL control %s: ", azGroup[g]);
  } else {
    n = snprintf(p->zLog + p->nLog, sizeof p->zLog - p->nLog, "FAIL thread %d %s: ", p->t,
                 azGroup[g]);
  }
  if (n > 0) p->nLog += (size_t)n;
  va_start(ap, zFormat);
  n = vsnprintf(p->zLog + p->nLog, sizeof p->zLog - p->nLog - 1, zFormat, ap);
  va_end(ap);
  if (n > 0) p->nLog += (size_t)n < sizeof p->zLog - p->nLog - 1 ? (size_t)n
                                                                 : sizeof p->zLog - p->nLog - 2;
  p->zLog[p->nLog++] = '\n';
  p->zLog[p->nLog] = 0;
}

/* ------------------------------------------------------------ expectations */

/* n (sum of code points) and the length in characters of a UTF-8 string. */
static void codePoints(const char *z, int64_t *pSum, int *pChars) {
  const unsigned char *u = (const unsigned char *)z;
  int64_t sum = 0;
  int nChar = 0;
  while (*u) {
    uint32_t c = *u++;
    int nMore = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
    if (nMore) c &= 0x3f >> nMore;
    while (nMore-- > 0 && (*u & 0xc0) == 0x80) c = (c << 6) | (*u++ & 0x3f);
    sum += c;
    nChar++;
  }
  *pSum = sum;
  *pChars = nChar;
}

/* The contacts of thread t: tagged "T<t>-" so that the request log shows
** whose they are, with characters that need URL encoding in some. */
static void makeUsers(Thread *p) {
  int j;
  for (j = 0; j < NUSER; j++) {
    char *z = p->azUser[j];
    size_t n = sizeof p->azUser[j];
    switch (j % 6) {
      case 0: snprintf(z, n, "T%d-+1555%04d", p->t, j); break;
      case 1: snprintf(z, n, "T%d-%d", p->t, j); break;
      case 2: snprintf(z, n, "T%d-caf\xc3\xa9 %d", p->t, j); break;        /* é, space */
      case 3: snprintf(z, n, "T%d-a&b=%d+c", p->t, j); break;              /* & = + */
      case 4: snprintf(z, n, "T%d-\xe6\x97\xa5\xf0\x9f\x98\x80%d", p->t, j); break; /* 日😀 */
      default: snprintf(z, n, "T%d-%%2B%d/x?y#z", p->t, j); break;         /* % / ? # */
    }
  }
}

/* ------------------------------------------------------------- SQL helpers */

static sqlite3 *openAndLoad(Thread *p, int g) {
  sqlite3 *db = NULL;
  char *zErr = NULL;
  int rc = sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK) {
    fail(p, g, "sqlite3_open_v2: %s", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return NULL;
  }
  rc = sqlite3_enable_load_extension(db, 1);
  if (rc == SQLITE_OK) rc = sqlite3_load_extension(db, zExtPath, "sqlite3_setter_init", &zErr);
  if (rc != SQLITE_OK) {
    fail(p, g, "sqlite3_load_extension(%s): %s", zExtPath, zErr ? zErr : sqlite3_errstr(rc));
    sqlite3_free(zErr);
    sqlite3_close(db);
    return NULL;
  }
  return db;
}

/* Runs a query that returns one row; copies column iCol as text (NULL ->
** "NULL") into zOut.  Returns the step result code (SQLITE_ROW on success)
** and puts the error message in zOut otherwise. */
static int queryText(sqlite3 *db, const char *zSql, const char *zArg, char *zOut, size_t nOut) {
  sqlite3_stmt *pStmt = NULL;
  int rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, NULL);
  if (rc == SQLITE_OK && zArg) rc = sqlite3_bind_text(pStmt, 1, zArg, -1, SQLITE_TRANSIENT);
  if (rc == SQLITE_OK) rc = sqlite3_step(pStmt);
  if (rc == SQLITE_ROW) {
    const char *z = (const char *)sqlite3_column_text(pStmt, 0);
    snprintf(zOut, nOut, "%s", z ? z : "NULL");
  } else {
    snprintf(zOut, nOut, "%s", sqlite3_errmsg(db));
  }
  sqlite3_finalize(pStmt);
  return rc;
}

static void checkSetting(Thread *p, int g, sqlite3 *db, const char *zName, const char *zWant) {
  char zSql[128], zGot[256];
  snprintf(zSql, sizeof zSql, "SELECT setter_config('%s')", zName);
  if (queryText(db, zSql, NULL, zGot, sizeof zGot) != SQLITE_ROW) {
    fail(p, g, "%s: %s", zSql, zGot);
  } else if (strcmp(zGot, zWant) != 0) {
    fail(p, g, "%s (expected %s, got %s)", zSql, zWant, zGot);
  }
}

/* ---------------------------------------------------------- the lookups */

static const char zAggregateSql[] =
    "SELECT count(*), sum(length(content)), group_concat(message_id) "
    "FROM setter_conversations WHERE bot_integration_id = 777 AND user_number = ?1";

static const char zRowsSql[] =
    "SELECT message_id, sender_type, content, created_at, latest_status, error_code, "
    "typeof(error_code), error_details, platform_resource_id, typeof(in_context), "
    "typeof(context_starts_at), bot_integration_id, user_number, failure_reason "
    "FROM setter_conversations WHERE bot_integration_id = 777 AND user_number = ?1";

#define CHECK_COL_TEXT(iCol, zWant) \
  do { \
    const char *z_ = (const char *)sqlite3_column_text(pStmt, (iCol)); \
    if (z_ == NULL || strcmp(z_, (zWant)) != 0) { \
      fail(p, G_LOOKUPS, "user '%s' message %d column %d (expected '%s', got '%s')", zUser, \
           i, (iCol), (zWant), z_ ? z_ : "NULL"); \
    } \
  } while (0)

static void checkOneUser(Thread *p, const char *zUser) {
  int64_t n;
  int nChars, nMsg, i, rc;
  char zWant[256], zGot[256];
  sqlite3_stmt *pStmt = NULL;

  codePoints(zUser, &n, &nChars);
  nMsg = (int)(n % 3) + 1;

  /* aggregate: count, sum of lengths in characters, ids in API order */
  rc = sqlite3_prepare_v2(p->db, zAggregateSql, -1, &pStmt, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(pStmt, 1, zUser, -1, SQLITE_TRANSIENT);
  if (rc == SQLITE_OK) rc = sqlite3_step(pStmt);
  p->nRequests++;
  if (rc != SQLITE_ROW) {
    fail(p, G_LOOKUPS, "user '%s' aggregate: %s", zUser, sqlite3_errmsg(p->db));
  } else {
    char zIds[128] = "";
    for (i = 1; i <= nMsg; i++) {
      size_t k = strlen(zIds);
      snprintf(zIds + k, sizeof zIds - k, "%s%lld", i > 1 ? "," : "", (long long)(n * 10 + i));
    }
    snprintf(zWant, sizeof zWant, "%d|%d|%s", nMsg, nMsg * (10 + nChars), zIds);
    snprintf(zGot, sizeof zGot, "%d|%d|%s", sqlite3_column_int(pStmt, 0),
             sqlite3_column_int(pStmt, 1),
             sqlite3_column_text(pStmt, 2) ? (const char *)sqlite3_column_text(pStmt, 2) : "NULL");
    if (strcmp(zWant, zGot) != 0) {
      fail(p, G_LOOKUPS, "user '%s' count|sum(length)|ids (expected %s, got %s)", zUser, zWant,
           zGot);
    }
  }
  sqlite3_finalize(pStmt);
  pStmt = NULL;

  /* every column of every row */
  rc = sqlite3_prepare_v2(p->db, zRowsSql, -1, &pStmt, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(pStmt, 1, zUser, -1, SQLITE_TRANSIENT);
  p->nRequests++;
  for (i = 1; rc == SQLITE_OK && (rc = sqlite3_step(pStmt)) == SQLITE_ROW; i++) {
    rc = SQLITE_OK;
    if (i > nMsg) {
      fail(p, G_LOOKUPS, "user '%s': more than %d rows", zUser, nMsg);
      break;
    }
    if (sqlite3_column_type(pStmt, 0) != SQLITE_INTEGER ||
        sqlite3_column_int64(pStmt, 0) != n * 10 + i) {
      fail(p, G_LOOKUPS, "user '%s' message %d message_id (expected %lld, got %s)", zUser, i,
           (long long)(n * 10 + i), (const char *)sqlite3_column_text(pStmt, 0));
    }
    CHECK_COL_TEXT(1, i % 2 ? "user" : "bot");
    snprintf(zWant, sizeof zWant, "msg %d for %s", i, zUser);
    CHECK_COL_TEXT(2, zWant);
    snprintf(zWant, sizeof zWant, "2024-02-01T10:00:0%d.000Z", i);
    CHECK_COL_TEXT(3, zWant);
    CHECK_COL_TEXT(4, i == 2 ? "failed" : "delivered");
    CHECK_COL_TEXT(6, i == 2 ? "integer" : "null");
    if (i == 2) {
      CHECK_COL_TEXT(5, "470");
      CHECK_COL_TEXT(7, "{\"code\":470}");
      CHECK_COL_TEXT(13, "Re-engagement message");
    } else if (sqlite3_column_type(pStmt, 7) != SQLITE_NULL ||
               sqlite3_column_type(pStmt, 13) != SQLITE_NULL) {
      fail(p, G_LOOKUPS, "user '%s' message %d: error fields are not NULL", zUser, i);
    }
    snprintf(zWant, sizeof zWant, "bulk.%lld.%d", (long long)n, i);
    CHECK_COL_TEXT(8, zWant);
    CHECK_COL_TEXT(9, "null");  /* in_context: no contextStartsAt */
    CHECK_COL_TEXT(10, "null");
    CHECK_COL_TEXT(11, "777"); /* hidden inputs read back as given */
    CHECK_COL_TEXT(12, zUser);
  }
  if (rc != SQLITE_DONE && rc != SQLITE_OK) {
    fail(p, G_LOOKUPS, "user '%s' rows: %s", zUser, sqlite3_errmsg(p->db));
  } else if (i - 1 != nMsg && i <= nMsg) {
    fail(p, G_LOOKUPS, "user '%s' rows (expected %d, got %d)", zUser, nMsg, i - 1);
  }
  sqlite3_finalize(pStmt);
}

/* All of the thread's contacts in one IN list, grouped; order-independent
** checks (count, sum, min and max of the ids). */
static void checkInList(Thread *p) {
  char zSql[1024];
  size_t k;
  int j, rc, nGroup = 0;
  int aSeen[NUSER] = {0};
  sqlite3_stmt *pStmt = NULL;
  k = (size_t)snprintf(zSql, sizeof zSql,
                       "SELECT user_number, count(*), sum(message_id), min(message_id), "
                       "max(message_id), sum(latest_status = 'failed') "
                       "FROM setter_conversations WHERE bot_integration_id = 777 AND "
                       "user_number IN (");
  for (j = 0; j < NUSER; j++) {
    k += (size_t)snprintf(zSql + k, sizeof zSql - k, "%s?%d", j ? "," : "", j + 1);
  }
  snprintf(zSql + k, sizeof zSql - k, ") GROUP BY user_number");
  rc = sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, NULL);
  for (j = 0; rc == SQLITE_OK && j < NUSER; j++) {
    rc = sqlite3_bind_text(pStmt, j + 1, p->azUser[j], -1, SQLITE_STATIC);
  }
  p->nRequests += NUSER;
  while (rc == SQLITE_OK && (rc = sqlite3_step(pStmt)) == SQLITE_ROW) {
    const char *zUser = (const char *)sqlite3_column_text(pStmt, 0);
    int64_t n;
    int nChars, nMsg;
    char zWant[128], zGot[128];
    rc = SQLITE_OK;
    nGroup++;
    for (j = 0; j < NUSER && (zUser == NULL || strcmp(zUser, p->azUser[j]) != 0); j++) {
    }
    if (j == NUSER) {
      fail(p, G_IN_LIST, "a group for a user_number not asked for: '%s'", zUser ? zUser : "NULL");
      continue;
    }
    aSeen[j]++;
    codePoints(zUser, &n, &nChars);
    nMsg = (int)(n % 3) + 1;
    snprintf(zWant, sizeof zWant, "%d|%lld|%lld|%lld|%d", nMsg,
             (long long)(nMsg * n * 10 + nMsg * (nMsg + 1) / 2), (long long)(n * 10 + 1),
             (long long)(n * 10 + nMsg), nMsg >= 2);
    snprintf(zGot, sizeof zGot, "%d|%lld|%lld|%lld|%d", sqlite3_column_int(pStmt, 1),
             (long long)sqlite3_column_int64(pStmt, 2), (long long)sqlite3_column_int64(pStmt, 3),
             (long long)sqlite3_column_int64(pStmt, 4), sqlite3_column_int(pStmt, 5));
    if (strcmp(zWant, zGot) != 0) {
      fail(p, G_IN_LIST, "user '%s' count|sum|min|max|failed (expected %s, got %s)", zUser,
           zWant, zGot);
    }
  }
  if (rc != SQLITE_DONE) fail(p, G_IN_LIST, "IN list query: %s", sqlite3_errmsg(p->db));
  sqlite3_finalize(pStmt);
  for (j = 0; j < NUSER; j++) {
    if (aSeen[j] != 1) fail(p, G_IN_LIST, "user '%s' appears %d times", p->azUser[j], aSeen[j]);
  }
  if (nGroup != NUSER) fail(p, G_IN_LIST, "groups (expected %d, got %d)", NUSER, nGroup);
}

/* The wrong-key connection fails with 401; the thread's own one does not. */
static void checkBadKey(Thread *p, const char *zUser) {
  char zGot[512];
  int rc;
  if (p->dbBad == NULL) return;
  rc = queryText(p->dbBad, zAggregateSql, zUser, zGot, sizeof zGot);
  if (rc == SQLITE_ROW) {
    fail(p, G_API_KEY, "user '%s' with the wrong key: no error (got %s)", zUser, zGot);
  } else if (strstr(zGot, "401") == NULL || strstr(zGot, "setter_conversations: ") == NULL) {
    fail(p, G_API_KEY, "user '%s' with the wrong key (expected an HTTP 401 error, got %s)",
         zUser, zGot);
  }
  rc = queryText(p->db, "SELECT count(*) FROM setter_conversations "
                        "WHERE bot_integration_id = 777 AND user_number = ?1",
                 zUser, zGot, sizeof zGot);
  p->nRequests++;
  if (rc != SQLITE_ROW) {
    fail(p, G_API_KEY, "user '%s' with the right key, right after the wrong one: %s", zUser, zGot);
  }
}

static void checkRequestLog(Thread *p) {
  char zGot[256], zWant[64];
  char zSql[256];
  /* every logged request is one of this thread's contacts */
  snprintf(zSql, sizeof zSql,
           "SELECT count(*) || '|' || sum(url NOT LIKE '%%userNumber=T%d-%%') || '|' || "
           "count(DISTINCT url) || '|' || sum(status = 200) FROM setter_requests",
           p->t);
  if (queryText(p->db, zSql, NULL, zGot, sizeof zGot) != SQLITE_ROW) {
    fail(p, G_REQUEST_LOG, "setter_requests: %s", zGot);
    return;
  }
  snprintf(zWant, sizeof zWant, "%d|0|%d|%d", p->nRequests, NUSER, p->nRequests);
  if (strcmp(zGot, zWant) != 0) {
    fail(p, G_REQUEST_LOG, "requests|foreign|distinct urls|status 200 (expected %s, got %s)",
         zWant, zGot);
  }
}

/* ---------------------------------------------------------- the thread */

static void *threadMain(void *pArg) {
  Thread *p = pArg;
  char zWant[64], zSql[128], zGot[256];
  int j, g;
  char zBadKey[40];

  snprintf(zBadKey, sizeof zBadKey, "wrong-key-for-thread-%d-zz%02d", p->t, p->t);
  makeUsers(p);
  p->db = openAndLoad(p, G_LOAD);
  p->dbBad = openAndLoad(p, G_LOAD);
  if (p->dbBad) {
    snprintf(zSql, sizeof zSql, "SELECT setter_config('api_key', '%s')", zBadKey);
    if (queryText(p->dbBad, zSql, NULL, zGot, sizeof zGot) != SQLITE_ROW) {
      fail(p, G_API_KEY, "%s: %s", "setter_config('api_key', ...)", zGot);
    }
  }
  pthread_barrier_wait(&barrier); /* everyone loaded */

  if (p->db) {
    snprintf(zSql, sizeof zSql, "SELECT setter_config('concurrency', %d)", p->t + 1);
    if (queryText(p->db, zSql, NULL, zGot, sizeof zGot) != SQLITE_ROW) {
      fail(p, G_CONFIG, "%s: %s", zSql, zGot);
    }
  }
  pthread_barrier_wait(&barrier); /* everyone has set its own value */

  if (p->db) {
    snprintf(zWant, sizeof zWant, "%d", p->t + 1);
    checkSetting(p, G_CONFIG, p->db, "concurrency", zWant);
    for (j = 0; j < NUSER; j++) {
      checkOneUser(p, p->azUser[j]);
      if (j % 10 == 5) checkBadKey(p, p->azUser[j]);
    }
    checkInList(p);
  }
  pthread_barrier_wait(&barrier); /* everyone done querying */

  if (p->db) {
    /* still this thread's own values, after all the others' activity */
    checkSetting(p, G_CONFIG, p->db, "concurrency", zWant);
    snprintf(zWant, sizeof zWant, "****%s", zEnvKey + strlen(zEnvKey) - 4);
    checkSetting(p, G_API_KEY, p->db, "api_key", zWant);
    if (p->dbBad) {
      snprintf(zWant, sizeof zWant, "****%s", zBadKey + strlen(zBadKey) - 4);
      checkSetting(p, G_API_KEY, p->dbBad, "api_key", zWant);
    }
    checkRequestLog(p);
  }
  if (p->db == NULL || p->dbBad == NULL) {
    for (g = G_LOAD + 1; g < N_GROUP; g++) fail(p, g, "not run: the extension did not load");
  }
  sqlite3_close(p->db);
  sqlite3_close(p->dbBad);
  p->db = p->dbBad = NULL;
  return NULL;
}

/* ------------------------------------------------------------------ main */

static void onAlarm(int sig) {
  static const char zMsg[] = "FAIL thread_test: timed out (hung?)\n0 passed, 1 failed\n";
  (void)sig;
  if (write(1, zMsg, sizeof zMsg - 1) < 0) _exit(2);
  _exit(1);
}

int main(int argc, char **argv) {
  static Thread aThread[NTHREAD];
  Thread control;
  const char *zBaseUrl = getenv("SETTER_BASE_URL");
  char zBefore[256], zAfter[256];
  int t, g, rc, ok;
  struct sigaction sa;

  setvbuf(stdout, NULL, _IOLBF, 0);
  zEnvKey = getenv("SETTER_API_KEY");
  if (argc != 2) {
    printf("usage: %s EXT_PATH   (extension path without suffix)\n0 passed, 1 failed\n", argv[0]);
    return 1;
  }
  if (zEnvKey == NULL || strlen(zEnvKey) < 16 || zBaseUrl == NULL || zBaseUrl[0] == 0) {
    printf("thread_test: SETTER_API_KEY (16+ characters) and SETTER_BASE_URL must be set to the "
           "mock API (tests/run.py does this; see tests/MOCK.md)\n0 passed, 1 failed\n");
    return 1;
  }
  zExtPath = argv[1];
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = onAlarm;
  sigaction(SIGALRM, &sa, NULL);
  alarm(WATCHDOG_SECONDS);

  /* the control connection, loaded before the threads start */
  memset(&control, 0, sizeof control);
  control.t = -1;
  control.db = openAndLoad(&control, G_LOAD);
  if (control.db &&
      queryText(control.db, "SELECT setter_config('concurrency')", NULL, zBefore,
                sizeof zBefore) != SQLITE_ROW) {
    fail(&control, G_CONFIG, "setter_config('concurrency'): %s", zBefore);
  }

  pthread_barrier_init(&barrier, NULL, NTHREAD);
  for (t = 0; t < NTHREAD; t++) {
    aThread[t].t = t;
    rc = pthread_create(&aThread[t].tid, NULL, threadMain, &aThread[t]);
    if (rc != 0) {
      printf("thread_test: pthread_create failed (%d)\n0 passed, 1 failed\n", rc);
      return 1;
    }
  }
  for (t = 0; t < NTHREAD; t++) pthread_join(aThread[t].tid, NULL);
  pthread_barrier_destroy(&barrier);

  /* the control connection saw none of the threads' settings */
  if (control.db) {
    if (queryText(control.db, "SELECT setter_config('concurrency')", NULL, zAfter,
                  sizeof zAfter) != SQLITE_ROW) {
      fail(&control, G_CONFIG, "setter_config('concurrency'): %s", zAfter);
    } else if (strcmp(zBefore, zAfter) != 0) {
      fail(&control, G_CONFIG, "control connection concurrency changed (expected %s, got %s)",
           zBefore, zAfter);
    }
    if (queryText(control.db,
                  "SELECT count(*) FROM setter_requests", NULL, zAfter, sizeof zAfter) != SQLITE_ROW ||
        strcmp(zAfter, "0") != 0) {
      fail(&control, G_REQUEST_LOG, "control connection has requests it never made: %s", zAfter);
    }
    sqlite3_close(control.db);
  }

  for (t = 0; t < NTHREAD; t++) {
    fputs(aThread[t].zLog, stdout);
    for (g = 0; g < N_GROUP; g++) unitRecord(aThread[t].aFail[g] == 0);
  }
  fputs(control.zLog, stdout);
  ok = 1;
  for (g = 0; g < N_GROUP; g++) ok = ok && control.aFail[g] == 0;
  unitRecord(ok);
  printf("thread_test: %d threads x %d check groups (%s) + the control connection\n", NTHREAD,
         N_GROUP, "load, config_isolation, lookups, in_list, api_key_isolation, request_log");
  return unitReport();
}
