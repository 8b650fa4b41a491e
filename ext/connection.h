/*
** connection.h - the per-connection state, shared by the files of the
** extension (internal; the entry point is setter.c).
**
** SetterConn is the per-database-connection state.  setter.c creates one
** when the extension is loaded into a connection and hands it as client data
** to both virtual tables and to setter_config(); it is freed when the
** connection closes (as the destructor of the setter_conversations module).
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
  int64_t progress; /* 1: bulk lookups report progress on stderr */
} SetterSettings;

typedef struct SetterCache SetterCache;
typedef struct SetterRequestLog SetterRequestLog;
typedef struct SetterScope SetterScope;

typedef struct SetterConn {
  sqlite3 *db;
  SetterSettings settings;
  SetterFetcher *pFetcher; /* created on the first request */
  SetterCache *pCache;     /* cross-statement cache (cache_ttl) */
  SetterScope *pScopes;    /* statement caches of running statements (scope.c) */
  SetterRequestLog *pLog;  /* for setter_requests */
} SetterConn;

/* Memory bound of the cross-statement cache (cache_ttl > 0). */
#define SETTER_CONNECTION_CACHE_MAX_BYTES (64 * 1024 * 1024)

/* Error messages of setter_conversations start with this. */
#define SETTER_ERROR_PREFIX "setter_conversations: "

#endif /* SETTER_CONNECTION_H */
