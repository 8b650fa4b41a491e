/*
** connection.h - the per-connection state, shared by the files of the
** extension (internal; the entry point is setter.c).
**
** SetterConn is the per-database-connection state.  setter.c creates one
** when the extension is loaded into a connection and hands it as client data
** to the virtual tables and the functions.  Each registration holds a
** reference (nRef) and releases it in its destructor, so the state lives as
** long as the longest-lived of them: sqlite3_drop_modules() frees nothing
** that setter_config() still uses.
**
** Every file but setter.c uses SQLITE_EXTENSION_INIT3 through this header,
** so SQLite is called through the routines the loader passed in.
*/
#ifndef SETTER_CONNECTION_H
#define SETTER_CONNECTION_H

#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3

#include <stdint.h>

#include "fetch.h"
#include "progress.h"

#define SETTER_MAX_SETTINGS 16

/* Settings of one connection (see config.c for names, defaults, ranges). */
typedef struct SetterSettings {
  char *zApiKey;     /* NULL: not configured */
  char *zApiKeyFile; /* the file api_key was last read from, or NULL */
  char *zBaseUrl;    /* validated, without a trailing '/' */
  char *zCaBundle;   /* NULL: the system's CA store */
  int64_t timeoutMs;
  int64_t connectTimeoutMs;
  int64_t maxRetries;
  int64_t concurrency;
  int64_t cacheTtl; /* seconds; 0 = no cross-statement cache */
  int64_t maxResponseBytes;
  int64_t maxLookups; /* distinct lookups one xFilter may make */
  int64_t progress;   /* SETTER_PROGRESS_OFF, _ON or _AUTO (progress.h) */
  /* Per setting (config.c's order): where its value came from, and the
  ** error of a SETTER_* variable that was refused at load, which stays until
  ** the setting is set again. */
  unsigned char aSource[SETTER_MAX_SETTINGS];
  char *azEnvError[SETTER_MAX_SETTINGS];
  char *azEnvValue[SETTER_MAX_SETTINGS];
} SetterSettings;

typedef struct SetterCache SetterCache;
typedef struct SetterRequestLog SetterRequestLog;
typedef struct SetterScope SetterScope;
typedef struct SetterStatementFields SetterStatementFields;

typedef struct SetterConn {
  sqlite3 *db;
  int nRef; /* registrations that hold this state (see above) */
  SetterSettings settings;
  SetterFetcher *pFetcher;                 /* created on the first request */
  SetterCache *pCache;                     /* cross-statement cache (cache_ttl) */
  SetterScope *pScopes;                    /* statement caches of running statements (scope.c) */
  SetterStatementFields *pStatementFields; /* fields each statement reads (scope.c) */
  SetterRequestLog *pLog;                  /* for setter_requests */
} SetterConn;

/* Memory bound of the cross-statement cache (cache_ttl > 0). */
#define SETTER_CONNECTION_CACHE_MAX_BYTES (64 * 1024 * 1024)

/* Error messages of setter_conversations start with this. */
#define SETTER_ERROR_PREFIX "setter_conversations: "

/* One more registration holds pConn; one fewer (frees it at zero).  The
** second fits the xDestroy of sqlite3_create_module_v2 and
** sqlite3_create_function_v2. */
void setterConnRef(SetterConn *pConn);
void setterConnUnref(void *pConn);

#endif /* SETTER_CONNECTION_H */
