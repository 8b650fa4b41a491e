/*
** api_test.c - the extension through SQLite's C API, where the sqlite3
** shell and Python cannot reach: dropped modules and failing allocations.
**
**   api_test EXT_PATH [MAX_RUNS [STRIDE]]   (extension path without suffix)
**
** Environment: SETTER_API_KEY and SETTER_BASE_URL point at the mock API
** (tests/run.py sets them for --also programs).
**
** What it proves:
**   - drop_modules: after sqlite3_drop_modules(db, NULL) (a program
**     hardening a connection before opening an untrusted file), the
**     setter_config() function still works, reading and writing: the
**     connection's state lives as long as its longest-lived registration.
**     Under valgrind or ASan a use after free is a failure.  Loading the
**     extension again then changes nothing (the tables stay dropped).
**   - allocation failures, as SQLite tests itself: an allocator installed
**     with SQLITE_CONFIG_MALLOC fails the Nth allocation, for N = 1, 2, 3 ...
**     until a run completes without reaching N.  Each scenario (loading the
**     extension, a single lookup, an IN list, a cache hit, setter_config,
**     setter_requests, setter_settings) runs on a fresh connection each
**     time.  Every run must end in SQLITE_OK, SQLITE_NOMEM or another error
**     with a message, never a crash, and after sqlite3_close() every
**     allocation made through SQLite's allocator (the extension's bodies,
**     rows and caches included) must have been freed.  MAX_RUNS (default
**     5000) bounds the runs of one scenario.  STRIDE (default 1) tries
**     every N up to 64, then every STRIDE-th, for slow runs under valgrind.
**
** Prints one line per scenario and, last, "N passed, N failed".
*/
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

static const char *zExtPath;

/* ---- the failing allocator ---- */

static sqlite3_mem_methods defaultMethods;
static long nCall;        /* allocations since armed */
static long nFailAt;      /* the allocation that fails; 0 = none */
static long nOutstanding; /* live allocations made through SQLite */
static int bFailed;       /* the armed failure happened */

static void *failingMalloc(int n) {
  void *p;
  if (nFailAt && ++nCall == nFailAt) {
    bFailed = 1;
    return NULL;
  }
  p = defaultMethods.xMalloc(n);
  if (p) nOutstanding++;
  return p;
}

static void failingFree(void *p) {
  if (p) nOutstanding--;
  defaultMethods.xFree(p);
}

static void *failingRealloc(void *p, int n) {
  if (nFailAt && ++nCall == nFailAt) {
    bFailed = 1;
    return NULL;
  }
  return defaultMethods.xRealloc(p, n);
}

static int failingSize(void *p) {
  return defaultMethods.xSize(p);
}

static int failingRoundup(int n) {
  return defaultMethods.xRoundup(n);
}

static int failingInit(void *pArg) {
  return defaultMethods.xInit(pArg);
}

static void failingShutdown(void *pArg) {
  defaultMethods.xShutdown(pArg);
}

static int installFailingAllocator(void) {
  static sqlite3_mem_methods methods = {failingMalloc,  failingFree, failingRealloc,  failingSize,
                                        failingRoundup, failingInit, failingShutdown, 0};
  if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &defaultMethods) != SQLITE_OK) return 1;
  if (sqlite3_config(SQLITE_CONFIG_MALLOC, &methods) != SQLITE_OK) return 1;
  return sqlite3_initialize() != SQLITE_OK;
}

static void arm(long n) {
  nCall = 0;
  nFailAt = n;
  bFailed = 0;
}

static void disarm(void) {
  nFailAt = 0;
}

/* ---- helpers ---- */

static int openLoaded(sqlite3 **pDb, char **pzErr) {
  int rc = sqlite3_open(":memory:", pDb);
  if (rc == SQLITE_OK) rc = sqlite3_enable_load_extension(*pDb, 1);
  if (rc == SQLITE_OK) rc = sqlite3_load_extension(*pDb, zExtPath, "sqlite3_setter_init", pzErr);
  return rc;
}

/* Runs every statement of zSql to the end; the first error code. */
static int runSql(sqlite3 *db, const char *zSql) {
  int rc = SQLITE_OK;
  while (rc == SQLITE_OK && zSql && zSql[0]) {
    sqlite3_stmt *pStmt = NULL;
    const char *zTail = NULL;
    rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, &zTail);
    if (rc != SQLITE_OK) break;
    while ((rc = sqlite3_step(pStmt)) == SQLITE_ROW) {
    }
    rc = sqlite3_finalize(pStmt);
    zSql = zTail;
  }
  return rc;
}

/* The text of the first column of the first row of zSql, or NULL. */
static char *firstValue(sqlite3 *db, const char *zSql) {
  sqlite3_stmt *pStmt = NULL;
  char *zOut = NULL;
  if (sqlite3_prepare_v2(db, zSql, -1, &pStmt, NULL) == SQLITE_OK &&
      sqlite3_step(pStmt) == SQLITE_ROW && sqlite3_column_text(pStmt, 0)) {
    zOut = strdup((const char *)sqlite3_column_text(pStmt, 0));
  }
  sqlite3_finalize(pStmt);
  return zOut;
}

/* ---- drop_modules ---- */

TEST(setter_config_works_after_drop_modules) {
  sqlite3 *db = NULL;
  char *zErr = NULL, *zValue;
  int rc = openLoaded(&db, &zErr);
  REQUIRE(rc == SQLITE_OK);
  CHECK(runSql(db, "SELECT count(*) FROM setter_conversations(123, '1234567890')") == SQLITE_OK);
  CHECK(sqlite3_drop_modules(db, NULL) == SQLITE_OK);
  CHECK(runSql(db, "SELECT count(*) FROM setter_conversations(123, '1234567890')") != SQLITE_OK);
  zValue = firstValue(db, "SELECT setter_config('timeout_ms', 1500)");
  CHECK_EQ_STR(zValue, "1500");
  free(zValue);
  zValue = firstValue(db, "SELECT setter_config('timeout_ms')");
  CHECK_EQ_STR(zValue, "1500");
  free(zValue);
  zValue = firstValue(db, "SELECT setter_config('api_key')");
  CHECK(zValue != NULL && strncmp(zValue, "****", 4) == 0);
  free(zValue);
  /* loading again changes nothing: the dropped tables stay dropped */
  CHECK(sqlite3_load_extension(db, zExtPath, "sqlite3_setter_init", &zErr) == SQLITE_OK);
  CHECK(runSql(db, "SELECT count(*) FROM setter_conversations(123, '1234567890')") != SQLITE_OK);
  zValue = firstValue(db, "SELECT setter_config('timeout_ms')");
  CHECK_EQ_STR(zValue, "1500");
  free(zValue);
  CHECK(sqlite3_close(db) == SQLITE_OK);
  sqlite3_free(zErr);
}

/* ---- allocation failures ---- */

typedef struct Scenario {
  const char *zName;
  const char *zSetup; /* run before arming, may be NULL */
  const char *zSql;   /* run armed; NULL: the load itself is armed */
} Scenario;

static const Scenario aScenario[] = {
    {"load", NULL, NULL},
    {"single_lookup", NULL,
     "SELECT count(*), group_concat(content), max(raw_json) FROM "
     "setter_conversations(123, '1234567890')"},
    {"in_list", NULL,
     "SELECT count(*), sum(length(content)) FROM setter_conversations WHERE "
     "bot_integration_id = 777 AND user_number IN ('a', 'b', 'c', 'd')"},
    {"cache_hit",
     "SELECT setter_config('cache_ttl', 60); "
     "SELECT count(*) FROM setter_conversations(123, '1234567890');",
     "SELECT count(*), max(content) FROM setter_conversations(123, '1234567890')"},
    {"setter_config", NULL,
     "SELECT setter_config('timeout_ms', 1500), setter_config('api_key'), "
     "setter_config('base_url', setter_config('base_url'))"},
    {"setter_requests", "SELECT count(*) FROM setter_conversations(123, '1234567890');",
     "SELECT count(*), max(messages), max(url) FROM setter_requests"},
    {"setter_settings", NULL, "SELECT group_concat(name || '=' || value) FROM setter_settings"},
};

#define N_SCENARIO (int)(sizeof(aScenario) / sizeof(aScenario[0]))

/* One run with the Nth allocation failing; 0 if it ended well. */
static int runOnce(const Scenario *p, long n, int *pbReached, char *zWhy, size_t nWhy) {
  sqlite3 *db = NULL;
  char *zErr = NULL;
  long nBefore = nOutstanding;
  int rc;
  if (p->zSql == NULL) arm(n);
  rc = openLoaded(&db, &zErr);
  if (p->zSql) {
    if (rc != SQLITE_OK) {
      snprintf(zWhy, nWhy, "setup failed unarmed: %s", zErr ? zErr : sqlite3_errstr(rc));
      sqlite3_free(zErr);
      sqlite3_close(db);
      return 1;
    }
    if (p->zSetup && runSql(db, p->zSetup) != SQLITE_OK) {
      snprintf(zWhy, nWhy, "setup failed unarmed: %s", sqlite3_errmsg(db));
      sqlite3_close(db);
      return 1;
    }
    arm(n);
    rc = runSql(db, p->zSql);
  }
  *pbReached = bFailed;
  disarm();
  if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_NOMEM) {
    const char *zMsg = zErr ? zErr : sqlite3_errmsg(db);
    if (zMsg == NULL || zMsg[0] == 0) {
      snprintf(zWhy, nWhy, "N=%ld: error %d without a message", n, rc);
      rc = -1;
    }
  }
  if (rc == SQLITE_OK && bFailed && p->zSql == NULL) {
    /* a failed load may still answer OK only if nothing was half-registered:
    ** the extension must then work */
    rc = runSql(db, "SELECT setter_version()");
  }
  sqlite3_free(zErr);
  if (sqlite3_close(db) != SQLITE_OK) {
    snprintf(zWhy, nWhy, "N=%ld: sqlite3_close failed", n);
    return 1;
  }
  if (nOutstanding != nBefore) {
    snprintf(zWhy, nWhy, "N=%ld: %ld allocations leaked", n, nOutstanding - nBefore);
    return 1;
  }
  if (!bFailed && rc != SQLITE_OK) {
    snprintf(zWhy, nWhy, "N=%ld: no allocation failed, yet rc %d", n, rc);
    return 1;
  }
  return rc == -1;
}

static long maxRuns = 5000;
static long stride = 1;

static void runScenario(const Scenario *p) {
  char zWhy[256] = "";
  long n;
  int nNoMem = 0;
  unitState()->zTest = p->zName;
  for (n = 1; n <= maxRuns; n += n < 64 ? 1 : stride) {
    int bReached = 0;
    if (runOnce(p, n, &bReached, zWhy, sizeof zWhy)) {
      unitFailStart(__FILE__, __LINE__);
      printf("%s\n", zWhy);
      break;
    }
    if (!bReached) break; /* completed without meeting the failure */
    nNoMem++;
  }
  if (n > maxRuns) {
    unitFailStart(__FILE__, __LINE__);
    printf("still failing allocations after %ld runs\n", maxRuns);
  }
  printf("%-16s failing allocation 1 to %ld (%d runs ended with one)\n", p->zName, n, nNoMem);
}

int main(int argc, char **argv) {
  int i;
  if (argc < 2) {
    fprintf(stderr, "usage: api_test EXT_PATH [MAX_RUNS]\n");
    return 2;
  }
  zExtPath = argv[1];
  if (argc > 2) maxRuns = atol(argv[2]);
  if (argc > 3 && atol(argv[3]) > 0) stride = atol(argv[3]);
  if (getenv("SETTER_API_KEY") == NULL || getenv("SETTER_BASE_URL") == NULL) {
    printf("SETTER_API_KEY and SETTER_BASE_URL must point at the mock API\n0 passed, 1 failed\n");
    return 1;
  }
  if (installFailingAllocator()) {
    printf("could not install the failing allocator\n0 passed, 1 failed\n");
    return 1;
  }
  RUN(setter_config_works_after_drop_modules);
  for (i = 0; i < N_SCENARIO; i++) {
    unitState()->nFailedChecks = 0;
    runScenario(&aScenario[i]);
    if (unitState()->nFailedChecks) {
      unitState()->nFailed++;
    } else {
      unitState()->nPassed++;
    }
  }
  return unitReport();
}
