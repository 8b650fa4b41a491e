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
**   setter_settings        eponymous virtual table (config.c)
**   setter_config()        settings, SQLITE_DIRECTONLY (config.c)
**   setter_version()       the extension's version
**   setter_phone()         typed phone number -> API digits (phone.c)
** Loading it again into the same connection, from this file or another
** build, changes nothing (the state, settings included, stays).  Nothing
** else happens here.  sqlite3_setter_init is the library's only exported
** symbol (built with -fvisibility=hidden): SQLite loads extensions with
** RTLD_GLOBAL, and a second build loaded in the same process must never
** call into this one.
*/
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include <curl/curl.h>
#include <pthread.h>
#include <string.h>

#include "cache.h"
#include "compat.h"
#include "config.h"
#include "connection.h"
#include "fetch.h"
#include "phone.h"
#include "requests.h"
#include "scope.h"
#include "version.h"
#include "vtab.h"

static pthread_once_t curlInitOnce = PTHREAD_ONCE_INIT;
static CURLcode curlInitResult = CURLE_FAILED_INIT;

static void initCurlOnce(void) {
  curlInitResult = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* The connection state's xFreeParts: what the parts hung on it. */
static void freeParts(SetterConn *pConn) {
  setterFetcherFree(pConn->pFetcher);
  setterCacheFree(pConn->pCache);
  setterRequestLogFree(pConn->pLog);
  setterScopeFreeFields(pConn);
  setterSettingsClear(&pConn->settings);
}

static void versionFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  (void)argv;
  sqlite3_result_text(ctx, SETTER_VERSION, -1, SQLITE_STATIC);
}

/* After a failed load SQLite unloads the library: nothing registered may
** then point into it.  Removing a registration runs its destructor now. */
static void unregisterAll(sqlite3 *db) {
  static const char *const azModule[] = {"setter_conversations", "setter_requests",
                                         "setter_settings"};
  size_t i;
  for (i = 0; i < sizeof(azModule) / sizeof(azModule[0]); i++) {
    sqlite3_create_module(db, azModule[i], NULL, NULL);
  }
  sqlite3_create_function(db, "setter_version", 0, SQLITE_UTF8, 0, 0, 0, 0);
  sqlite3_create_function(db, "setter_config", 1, SQLITE_UTF8, 0, 0, 0, 0);
  sqlite3_create_function(db, "setter_config", 2, SQLITE_UTF8, 0, 0, 0, 0);
  sqlite3_create_function(db, "setter_phone", 1, SQLITE_UTF8, 0, 0, 0, 0);
}

/* True if a copy of this extension (this file or another build) is loaded
** into db already: its setter_version() exists. */
static int loadedBefore(sqlite3 *db) {
  sqlite3_stmt *pStmt = NULL;
  int rc = sqlite3_prepare_v2(db, "SELECT setter_version()", -1, &pStmt, NULL);
  sqlite3_finalize(pStmt);
  return rc == SQLITE_OK;
}

#ifdef _WIN32
__declspec(dllexport)
#else
__attribute__((visibility("default")))
#endif
    int sqlite3_setter_init(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi) {
  SetterConn *pConn;
  int rc;
  SQLITE_EXTENSION_INIT2(pApi);

  if (sqlite3_libversion_number() < SETTER_SQLITE_MIN) {
    *pzErrMsg =
        sqlite3_mprintf("setter: needs SQLite " SETTER_SQLITE_MIN_TEXT " or newer, this is %s",
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
  /* Loaded before (this copy or another build of it): keep its state and
  ** settings.  Replacing them would reset setter_config changes, and a
  ** second load while a statement runs would free state in use. */
  if (loadedBefore(db)) return SQLITE_OK;
  if (pthread_once(&curlInitOnce, initCurlOnce) != 0 || curlInitResult != CURLE_OK) {
    *pzErrMsg = sqlite3_mprintf("setter: libcurl could not be initialised");
    return SQLITE_ERROR;
  }
  pConn = setterConnNew(db, freeParts); /* held here until the registrations hold it */
  if (pConn == NULL) return SQLITE_NOMEM;
  rc = setterSettingsInit(&pConn->settings);
  if (rc == SQLITE_OK) {
    pConn->pLog = setterRequestLogNew(SETTER_REQUEST_LOG_SIZE, &pConn->settings.zApiKey);
    pConn->pCache = setterCacheNew(SETTER_CONNECTION_CACHE_MAX_BYTES);
    if (pConn->pLog == NULL || pConn->pCache == NULL) rc = SQLITE_NOMEM;
  }
  if (rc == SQLITE_OK) {
    rc = sqlite3_create_function(db, "setter_version", 0,
                                 SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, 0,
                                 versionFunc, 0, 0);
  }
  /* Each registration takes a reference and drops it in its destructor,
  ** which SQLite also calls when the registration fails. */
  if (rc == SQLITE_OK) rc = setterConversationsRegister(db, pConn);
  if (rc == SQLITE_OK) rc = setterRequestsRegister(db, pConn);
  if (rc == SQLITE_OK) rc = setterConfigRegister(db, pConn);
  if (rc == SQLITE_OK) rc = setterPhoneRegister(db);
  if (rc != SQLITE_OK) unregisterAll(db);
  setterConnUnref(pConn);
  return rc;
}
