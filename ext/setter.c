/*
** setter.c - entry point of the sqlite-setter extension.
**
**   .load dist/setter                      -- sqlite3 shell
**   SELECT load_extension('dist/setter');  -- any client
**
** sqlite3_setter_init() runs once per database connection.  It creates the
** connection's state (settings read from SETTER_* environment variables,
** request log, cross-statement cache) and registers:
**   setter_conversations   eponymous virtual table (vtab.c)
**   setter_requests        eponymous virtual table (requests.c)
**   setter_config()        settings, SQLITE_DIRECTONLY (config.c)
**   setter_version()       the extension's version
** Loading it again into the same connection changes nothing.  Nothing else
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
#include "setter.h"
#include "version.h"
#include "vtab.h"

static pthread_once_t curlInitOnce = PTHREAD_ONCE_INIT;
static CURLcode curlInitResult = CURLE_FAILED_INIT;

static void initCurlOnce(void) {
  curlInitResult = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void freeConn(void *pArg) {
  SetterConn *pConn = pArg;
  if (pConn == NULL) return;
  setterFetcherFree(pConn->pFetcher);
  setterCacheFree(pConn->pCache);
  setterCacheFree(pConn->pStatementCache);
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

  if (pthread_once(&curlInitOnce, initCurlOnce) != 0 || curlInitResult != CURLE_OK) {
    *pzErrMsg = sqlite3_mprintf("setter: libcurl could not be initialised");
    return SQLITE_ERROR;
  }
  pConn = sqlite3_malloc(sizeof(*pConn));
  if (pConn == NULL) return SQLITE_NOMEM;
  memset(pConn, 0, sizeof(*pConn));
  pConn->db = db;
  rc = setterSettingsInit(&pConn->settings, pzErrMsg);
  if (rc == SQLITE_OK) {
    pConn->pLog = setterRequestLogNew(SETTER_REQUEST_LOG_SIZE);
    pConn->pCache = setterCacheNew(SETTER_CONNECTION_CACHE_MAX_BYTES);
    if (pConn->pLog == NULL || pConn->pCache == NULL) rc = SQLITE_NOMEM;
  }
  if (rc == SQLITE_OK) {
    /* Loaded before into this connection and in use: replacing a function
    ** while a statement runs (a second SELECT load_extension(...)) fails
    ** with SQLITE_BUSY, so the first load's state stays.  Probing with a
    ** function rather than a query leaves the schema unread until
    ** setter_config exists (see setterConfigRegister). */
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
