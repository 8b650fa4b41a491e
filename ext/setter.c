/*
** setter.c - entry point of the sqlite-setter extension.
**
**   .load dist/setter                      -- sqlite3 shell
**   SELECT load_extension('dist/setter');  -- any client
**
** sqlite3_setter_init() runs once per database connection.  It refuses to
** load with a libcurl older than 7.85 or without thread-safe init or an
** asynchronous resolver (setterFetchCheckLibcurl).  It creates the
** connection's state (settings read from SETTER_* environment variables,
** request log, cross-statement cache) and registers:
**   setter_conversations   eponymous virtual table (vtab.c)
**   setter_requests        eponymous virtual table (requests.c)
**   setter_config()        settings, SQLITE_DIRECTONLY (config.c)
**   setter_version()       the extension's version
** Loading it again into the same connection changes nothing (the state,
** settings included, stays).  Nothing else
** happens here.
*/
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include <curl/curl.h>
#include <pthread.h>
#include <string.h>

#include "cache.h"
#include "config.h"
#include "requests.h"
#include "connection.h"
#include "version.h"
#include "vtab.h"

#define SETTER_MIN_SQLITE_VERSION 3038000

static pthread_once_t curlInitOnce = PTHREAD_ONCE_INIT;
static CURLcode curlInitResult = CURLE_FAILED_INIT;

static void initCurlOnce(void) {
  curlInitResult = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* The connections this copy of the extension is loaded into, so that a
** second load into the same connection keeps its settings and caches. */
static pthread_mutex_t loadedMutex = PTHREAD_MUTEX_INITIALIZER;
static sqlite3 **apLoaded;
static int nLoaded, nLoadedAlloc;

/* 1 if db was already marked, 0 if it is now, -1 if out of memory. */
static int markLoaded(sqlite3 *db) {
  int i, rc = 0;
  pthread_mutex_lock(&loadedMutex);
  for (i = 0; i < nLoaded && apLoaded[i] != db; i++) {
  }
  if (i < nLoaded) {
    rc = 1;
  } else if (nLoaded == nLoadedAlloc) {
    int nNew = nLoadedAlloc ? nLoadedAlloc * 2 : 8;
    sqlite3 **apNew = sqlite3_realloc64(apLoaded, (sqlite3_uint64)nNew * sizeof(sqlite3 *));
    if (apNew == NULL) {
      rc = -1;
    } else {
      apLoaded = apNew;
      nLoadedAlloc = nNew;
    }
  }
  if (rc == 0) apLoaded[nLoaded++] = db;
  pthread_mutex_unlock(&loadedMutex);
  return rc;
}

static void unmarkLoaded(sqlite3 *db) {
  int i;
  pthread_mutex_lock(&loadedMutex);
  for (i = 0; i < nLoaded; i++) {
    if (apLoaded[i] == db) {
      apLoaded[i] = apLoaded[--nLoaded];
      break;
    }
  }
  if (nLoaded == 0) {
    /* The library may be unloaded with its last connection: free the list. */
    sqlite3_free(apLoaded);
    apLoaded = NULL;
    nLoadedAlloc = 0;
  }
  pthread_mutex_unlock(&loadedMutex);
}

static void freeConn(void *pArg) {
  SetterConn *pConn = pArg;
  if (pConn == NULL) return;
  unmarkLoaded(pConn->db);
  setterFetcherFree(pConn->pFetcher);
  setterCacheFree(pConn->pCache);
  setterRequestLogFree(pConn->pLog);
  setterSettingsClear(&pConn->settings);
  sqlite3_free(pConn);
}

static void versionFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  (void)argv;
  sqlite3_result_text(ctx, SETTER_VERSION, -1, SQLITE_STATIC);
}

#ifdef _WIN32
__declspec(dllexport)
#endif
    int sqlite3_setter_init(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi) {
  SetterConn *pConn;
  int rc;
  SQLITE_EXTENSION_INIT2(pApi);

  if (sqlite3_libversion_number() < SETTER_MIN_SQLITE_VERSION) {
    *pzErrMsg = sqlite3_mprintf(
        "setter: needs SQLite 3.38.0 or newer (for sqlite3_vtab_in), "
        "this is %s",
        sqlite3_libversion());
    return SQLITE_ERROR;
  }
  {
    char zCurlErr[300];
    if (setterFetchCheckLibcurl(zCurlErr, sizeof zCurlErr)) {
      *pzErrMsg = sqlite3_mprintf("%s", zCurlErr);
      return SQLITE_ERROR;
    }
  }
  switch (markLoaded(db)) {
    case 1:
      return SQLITE_OK; /* loaded before: keep its state */
    case -1:
      return SQLITE_NOMEM;
    default:
      break;
  }
  if (pthread_once(&curlInitOnce, initCurlOnce) != 0 || curlInitResult != CURLE_OK) {
    unmarkLoaded(db);
    *pzErrMsg = sqlite3_mprintf("setter: libcurl could not be initialised");
    return SQLITE_ERROR;
  }
  pConn = sqlite3_malloc(sizeof(*pConn));
  if (pConn == NULL) {
    unmarkLoaded(db);
    return SQLITE_NOMEM;
  }
  memset(pConn, 0, sizeof(*pConn));
  pConn->db = db;
  rc = setterSettingsInit(&pConn->settings, pzErrMsg);
  if (rc == SQLITE_OK) {
    pConn->pLog = setterRequestLogNew(SETTER_REQUEST_LOG_SIZE);
    pConn->pCache = setterCacheNew(SETTER_CONNECTION_CACHE_MAX_BYTES);
    if (pConn->pLog == NULL || pConn->pCache == NULL) rc = SQLITE_NOMEM;
  }
  if (rc == SQLITE_OK) {
    /* Loaded before by another copy of the extension (another file) and
    ** in use: replacing a function while a statement runs (as in a second
    ** SELECT load_extension(...)) fails with SQLITE_BUSY, so the first
    ** load's state stays. */
    rc = sqlite3_create_function(db, "setter_version", 0,
                                 SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, 0,
                                 versionFunc, 0, 0);
    if (rc == SQLITE_BUSY) {
      freeConn(pConn);
      return SQLITE_OK;
    }
  }
  if (rc != SQLITE_OK) {
    freeConn(pConn);
    return rc;
  }
  /* From here the module owns pConn: its destructor frees it, also when
  ** registration fails. */
  rc = setterConversationsRegister(db, pConn, freeConn);
  if (rc == SQLITE_OK) rc = setterRequestsRegister(db, pConn);
  if (rc == SQLITE_OK) rc = setterConfigRegister(db, pConn);
  return rc;
}
