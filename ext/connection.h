/*
** connection.h - the per-connection state, shared by the files of the
** extension (internal; the entry point is setter.c).
**
**   pConn = setterConnNew(db, xFreeParts);    nRef = 1, held by the caller
**   setterConnRef(pConn);                     per registration, which passes
**   sqlite3_create_module_v2(db, ..., pConn, setterConnUnref);
**   setterConnUnref(pConn);                   the caller's reference
**
** SetterConn is the per-database-connection state.  setter.c creates one
** when the extension is loaded into a connection and hands it as client data
** to the virtual tables and the functions.  Each registration holds a
** reference (nRef) and releases it in its destructor, so the state lives as
** long as the longest-lived of them: sqlite3_drop_modules() frees nothing
** that setter_config() still uses.  The last reference calls xFreeParts,
** which the entry point gives and which frees what the parts hung on the
** state (fetcher, caches, request log, settings): this file knows none of
** them, only that they are there.
**
** This header brings SQLITE_EXTENSION_INIT3 to the files that include it,
** so that they call SQLite through the routines the loader passed in (the
** SQLite-free files get it from alloc.h instead).
*/
#ifndef SETTER_CONNECTION_H
#define SETTER_CONNECTION_H

#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3

#include <stdint.h>

/* on_error: a failed lookup fails the statement, or gives one row that
** says why (lookup_error). */
#define SETTER_ON_ERROR_FAIL 0
#define SETTER_ON_ERROR_ROW 1

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
  int64_t maxLookups;                   /* distinct lookups one statement may make */
  int64_t progress;                     /* SETTER_PROGRESS_OFF, _ON or _AUTO (progress.h) */
  int64_t onError;                      /* SETTER_ON_ERROR_FAIL or SETTER_ON_ERROR_ROW */
  struct SetterSettingsOrigin *pOrigin; /* config.c's: where each value came from */
} SetterSettings;

typedef struct SetterFetcher SetterFetcher;
typedef struct SetterCache SetterCache;
typedef struct SetterRequestLog SetterRequestLog;
typedef struct SetterScope SetterScope;
typedef struct SetterStatementFields SetterStatementFields;

typedef struct SetterConn SetterConn;
struct SetterConn {
  sqlite3 *db;
  int nRef;                         /* registrations that hold this state (see above) */
  void (*xFreeParts)(SetterConn *); /* frees what follows, at the last reference */
  SetterSettings settings;
  SetterFetcher *pFetcher;                 /* created on the first request */
  SetterCache *pCache;                     /* cross-statement cache (cache_ttl) */
  SetterScope *pScopes;                    /* statement caches of running statements (scope.c) */
  SetterStatementFields *pStatementFields; /* fields each statement reads (scope.c) */
  SetterRequestLog *pLog;                  /* for setter_requests */
};

/* Memory bound of the cross-statement cache (cache_ttl > 0). */
#define SETTER_CONNECTION_CACHE_MAX_BYTES (64 * 1024 * 1024)

/* Error messages of setter_conversations start with this. */
#define SETTER_ERROR_PREFIX "setter_conversations: "

/* A zeroed state for db, with one reference held by the caller; NULL if
** out of memory. */
SetterConn *setterConnNew(sqlite3 *db, void (*xFreeParts)(SetterConn *));

/* One more registration holds pConn; one fewer (at zero, xFreeParts, then
** the state itself).  The second fits the xDestroy of
** sqlite3_create_module_v2 and sqlite3_create_function_v2. */
void setterConnRef(SetterConn *pConn);
void setterConnUnref(void *pConn);

#endif /* SETTER_CONNECTION_H */
