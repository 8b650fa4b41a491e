/*
** config.c - settings: defaults, SETTER_* environment, setter_config(),
** validation.
**
**   name                 default                      range / rule
**   api_key              (none)                       no control characters
**   api_key_file         (none)                       reads the key from a file
**   base_url             https://chat.trysetter.com   https, or http to loopback
**   timeout_ms           30000                        1 .. 3600000
**   connect_timeout_ms   10000                        1 .. 600000
**   max_retries          3                            0 .. 10
**   concurrency          8                            1 .. 64
**   cache_ttl            0 (off)                      0 .. 2592000 seconds
**   max_response_bytes   268435456 (256 MiB)          1024 .. 4294967295
**   ca_bundle            (system CAs)                 a readable file
**   progress             auto                         0, 1 or auto (stderr is a terminal)
**
** When both SETTER_API_KEY and SETTER_API_KEY_FILE are set, SETTER_API_KEY
** wins.  The key is never quoted in an error and reads back masked.
*/
#include "config.h"

#include <curl/curl.h>
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "progress.h"
#include "sanitize.h"

#define API_KEY_MAX_BYTES 4096
#define CONFIG_ERROR_MAX_BYTES 1000
#define KEY_FILE_MAX_BYTES 65536

enum SettingKind { SETTING_KEY, SETTING_KEY_FILE, SETTING_URL, SETTING_FILE, SETTING_INT };

typedef struct SettingDef {
  const char *zName;
  int eKind;
  size_t offset; /* of the char* or int64_t in SetterSettings */
  int64_t iMin, iMax, iDefault;
} SettingDef;

static const SettingDef aSetting[] = {
    {"api_key", SETTING_KEY, offsetof(SetterSettings, zApiKey), 0, 0, 0},
    {"api_key_file", SETTING_KEY_FILE, offsetof(SetterSettings, zApiKeyFile), 0, 0, 0},
    {"base_url", SETTING_URL, offsetof(SetterSettings, zBaseUrl), 0, 0, 0},
    {"timeout_ms", SETTING_INT, offsetof(SetterSettings, timeoutMs), 1, 3600000, 30000},
    {"connect_timeout_ms", SETTING_INT, offsetof(SetterSettings, connectTimeoutMs), 1, 600000,
     10000},
    {"max_retries", SETTING_INT, offsetof(SetterSettings, maxRetries), 0, 10, 3},
    {"concurrency", SETTING_INT, offsetof(SetterSettings, concurrency), 1, 64, 8},
    {"cache_ttl", SETTING_INT, offsetof(SetterSettings, cacheTtl), 0, 2592000, 0},
    {"max_response_bytes", SETTING_INT, offsetof(SetterSettings, maxResponseBytes), 1024,
     4294967295LL, 268435456},
    {"ca_bundle", SETTING_FILE, offsetof(SetterSettings, zCaBundle), 0, 0, 0},
    {"progress", SETTING_INT, offsetof(SetterSettings, progress), 0, 1, SETTER_PROGRESS_AUTO},
};

#define N_SETTING (int)(sizeof(aSetting) / sizeof(aSetting[0]))

#define STRINGIFY(x) #x
#define TEXT_OF(x) STRINGIFY(x)
static const char zKeyRule[] =
    "api_key must be at most " TEXT_OF(API_KEY_MAX_BYTES) " bytes without control characters";

static int isIdentifierChar(char c) {
  return isalnum((unsigned char)c) || c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

static int isCallOfSetterConfig(const char *zName, size_t nName, const char *zAfter) {
  if (nName != 13 || sqlite3_strnicmp(zName, "setter_config", 13) != 0) return 0;
  while (isspace((unsigned char)*zAfter)) zAfter++;
  return *zAfter == '(';
}

/* True if zSql calls setter_config: the name (bare or as a quoted
** identifier) followed by '(', outside string literals and comments. */
static int sqlCallsSetterConfig(const char *z) {
  while (*z) {
    if (*z == '\'' || *z == '"' || *z == '`' || *z == '[') {
      char cOpen = *z, cClose = *z == '[' ? ']' : *z;
      const char *zStart = ++z;
      for (; *z; z++) {
        if (*z != cClose) continue;
        if (cClose != ']' && z[1] == cClose) {
          z++; /* a doubled quote stays inside */
          continue;
        }
        break;
      }
      if (*z == 0) break;
      if (cOpen != '\'' && isCallOfSetterConfig(zStart, (size_t)(z - zStart), z + 1)) return 1;
      z++;
    } else if (z[0] == '-' && z[1] == '-') {
      while (*z && *z != '\n') z++;
    } else if (z[0] == '/' && z[1] == '*') {
      for (z += 2; *z && !(z[0] == '*' && z[1] == '/'); z++) {
      }
      if (*z) z += 2;
    } else if (isIdentifierChar(*z)) {
      const char *zStart = z;
      while (isIdentifierChar(*z)) z++;
      if (isCallOfSetterConfig(zStart, (size_t)(z - zStart), z)) return 1;
    } else {
      z++;
    }
  }
  return 0;
}

/*
** True if a statement now running on db calls setter_config in its own SQL
** text.  SQLITE_DIRECTONLY keeps setter_config out of views and triggers,
** but SQLite 3.40 can still run a DIRECTONLY function named in a CHECK
** constraint of a database file's schema (tests/sql/40_security.sql shows
** it).  So a change of settings must also come from a statement whose own
** text calls setter_config: a schema cannot add a call to that text.  This
** is the second guard next to the DETERMINISTIC flag (setterConfigRegister).
*/
static int calledByDirectSql(sqlite3 *db) {
  sqlite3_stmt *pStmt = NULL;
  while ((pStmt = sqlite3_next_stmt(db, pStmt)) != NULL) {
    const char *zSql = sqlite3_stmt_busy(pStmt) ? sqlite3_sql(pStmt) : NULL;
    if (zSql && sqlCallsSetterConfig(zSql)) return 1;
  }
  return 0;
}

static char **textSlot(SetterSettings *p, const SettingDef *pDef) {
  return (char **)((char *)p + pDef->offset);
}

static int64_t *intSlot(SetterSettings *p, const SettingDef *pDef) {
  return (int64_t *)((char *)p + pDef->offset);
}

static const SettingDef *findSetting(const char *zName) {
  int i;
  for (i = 0; zName && i < N_SETTING; i++) {
    if (strcmp(aSetting[i].zName, zName) == 0) return &aSetting[i];
  }
  return NULL;
}

static int hasControlChar(const char *z) {
  for (; *z; z++) {
    if ((unsigned char)*z < 0x20 || *z == 0x7f) return 1;
  }
  return 0;
}

static int replaceText(char **pzSlot, const char *zValue) {
  char *zNew = NULL;
  if (zValue) {
    zNew = sqlite3_mprintf("%s", zValue);
    if (zNew == NULL) return SQLITE_NOMEM;
  }
  sqlite3_free(*pzSlot);
  *pzSlot = zNew;
  return SQLITE_OK;
}

/* Loopback: localhost, 127.0.0.0/8, ::1. */
static int isLoopbackHost(const char *zHost) {
  if (strcmp(zHost, "localhost") == 0 || strcmp(zHost, "[::1]") == 0) return 1;
  if (strncmp(zHost, "127.", 4) == 0) {
    const char *z;
    for (z = zHost + 4; *z; z++) {
      if (!isdigit((unsigned char)*z) && *z != '.') return 0;
    }
    return 1;
  }
  return 0;
}

/* Checks a base URL; on failure returns an error message (sqlite3_malloc'd). */
static char *checkBaseUrl(const char *zUrl) {
  CURLU *pUrl = curl_url();
  char *zScheme = NULL, *zHost = NULL, *zUser = NULL, *zQuery = NULL, *zFragment = NULL;
  char *zErr = NULL;
  if (pUrl == NULL) return sqlite3_mprintf("out of memory");
  if (strpbrk(zUrl, "?#")) {
    zErr = sqlite3_mprintf("base_url must not contain a user name, query or fragment: '%s'", zUrl);
  } else if (hasControlChar(zUrl) || strchr(zUrl, ' ') ||
             curl_url_set(pUrl, CURLUPART_URL, zUrl, 0) != CURLUE_OK ||
             curl_url_get(pUrl, CURLUPART_SCHEME, &zScheme, 0) != CURLUE_OK ||
             curl_url_get(pUrl, CURLUPART_HOST, &zHost, 0) != CURLUE_OK) {
    zErr = sqlite3_mprintf("base_url is not a valid URL: '%s'", zUrl);
  } else if (curl_url_get(pUrl, CURLUPART_USER, &zUser, 0) == CURLUE_OK ||
             curl_url_get(pUrl, CURLUPART_QUERY, &zQuery, 0) == CURLUE_OK ||
             curl_url_get(pUrl, CURLUPART_FRAGMENT, &zFragment, 0) == CURLUE_OK) {
    zErr = sqlite3_mprintf("base_url must not contain a user name, query or fragment: '%s'", zUrl);
  } else if (strcmp(zScheme, "https") == 0) {
    /* fine */
  } else if (strcmp(zScheme, "http") == 0) {
    if (!isLoopbackHost(zHost)) {
      zErr = sqlite3_mprintf(
          "base_url must use https (plain http is allowed only to "
          "loopback addresses such as 127.0.0.1): '%s'",
          zUrl);
    }
  } else {
    zErr = sqlite3_mprintf("base_url must be an https URL: '%s'", zUrl);
  }
  curl_free(zScheme);
  curl_free(zHost);
  curl_free(zUser);
  curl_free(zQuery);
  curl_free(zFragment);
  curl_url_cleanup(pUrl);
  return zErr;
}

static int parseInt64Text(const char *z, int64_t *pOut) {
  char *zEnd;
  long long v;
  if (z == NULL || *z == 0 || isspace((unsigned char)*z)) return 1;
  errno = 0;
  v = strtoll(z, &zEnd, 10);
  if (errno != 0 || *zEnd != 0) return 1;
  *pOut = (int64_t)v;
  return 0;
}

/* Reads the key file: its content with surrounding white space removed. */
static char *readKeyFile(const char *zPath, char **pzErr) {
  FILE *pFile = fopen(zPath, "rb");
  char *zBuf, *zStart, *zEnd;
  size_t n;
  if (pFile == NULL) {
    *pzErr = sqlite3_mprintf("cannot read api_key_file '%s': %s", zPath, strerror(errno));
    return NULL;
  }
  zBuf = sqlite3_malloc(KEY_FILE_MAX_BYTES + 1);
  if (zBuf == NULL) {
    fclose(pFile);
    *pzErr = sqlite3_mprintf("out of memory");
    return NULL;
  }
  n = fread(zBuf, 1, KEY_FILE_MAX_BYTES + 1, pFile);
  fclose(pFile);
  if (n > KEY_FILE_MAX_BYTES) {
    sqlite3_free(zBuf);
    *pzErr = sqlite3_mprintf("api_key_file '%s' is too large to be a key", zPath);
    return NULL;
  }
  zBuf[n] = 0;
  for (zStart = zBuf; *zStart && isspace((unsigned char)*zStart); zStart++) {
  }
  for (zEnd = zBuf + n; zEnd > zStart && isspace((unsigned char)zEnd[-1]); zEnd--) {
  }
  *zEnd = 0;
  if (*zStart == 0 || hasControlChar(zStart) || strlen(zStart) > API_KEY_MAX_BYTES) {
    *pzErr = sqlite3_mprintf(
        "api_key_file '%s' does not hold a key (one line, no control "
        "characters, at most %d bytes)",
        zPath, API_KEY_MAX_BYTES);
    memset(zBuf, 0, n);
    sqlite3_free(zBuf);
    return NULL;
  }
  memmove(zBuf, zStart, strlen(zStart) + 1);
  return zBuf;
}

static void forgetKey(SetterSettings *p) {
  if (p->zApiKey) memset(p->zApiKey, 0, strlen(p->zApiKey));
  sqlite3_free(p->zApiKey);
  p->zApiKey = NULL;
}

/* progress is an integer setting that also takes 'auto' (progress.h). */
static int isProgress(const SettingDef *pDef) {
  return pDef->offset == offsetof(SetterSettings, progress);
}

/* Sets one setting from text (NULL = default).  On failure returns
** SQLITE_ERROR and *pzErr (without prefix); the setting is unchanged. */
static int applySetting(SetterSettings *p, const SettingDef *pDef, const char *zValue,
                        char **pzErr) {
  int64_t v;
  char *zKey;
  switch (pDef->eKind) {
    case SETTING_KEY:
      if (zValue && (hasControlChar(zValue) || strlen(zValue) > API_KEY_MAX_BYTES)) {
        *pzErr = sqlite3_mprintf("%s", zKeyRule);
        return SQLITE_ERROR;
      }
      forgetKey(p);
      return replaceText(&p->zApiKey, zValue && zValue[0] ? zValue : NULL);
    case SETTING_KEY_FILE:
      if (zValue == NULL || zValue[0] == 0) return replaceText(&p->zApiKeyFile, NULL);
      zKey = readKeyFile(zValue, pzErr);
      if (zKey == NULL) return SQLITE_ERROR;
      forgetKey(p);
      p->zApiKey = zKey;
      return replaceText(&p->zApiKeyFile, zValue);
    case SETTING_URL: {
      size_t n;
      char *zErr;
      if (zValue == NULL || zValue[0] == 0) zValue = SETTER_DEFAULT_BASE_URL;
      zErr = checkBaseUrl(zValue);
      if (zErr) {
        *pzErr = zErr;
        return SQLITE_ERROR;
      }
      if (replaceText(&p->zBaseUrl, zValue)) return SQLITE_NOMEM;
      n = strlen(p->zBaseUrl);
      while (n > 0 && p->zBaseUrl[n - 1] == '/') p->zBaseUrl[--n] = 0;
      return SQLITE_OK;
    }
    case SETTING_FILE:
      if (zValue && zValue[0]) {
        FILE *pFile = fopen(zValue, "rb");
        if (pFile == NULL) {
          *pzErr = sqlite3_mprintf("cannot read %s '%s': %s", pDef->zName, zValue, strerror(errno));
          return SQLITE_ERROR;
        }
        fclose(pFile);
      }
      return replaceText(textSlot(p, pDef), zValue && zValue[0] ? zValue : NULL);
    default:
      if (zValue == NULL) {
        v = pDef->iDefault;
      } else if (isProgress(pDef) && sqlite3_stricmp(zValue, "auto") == 0) {
        v = SETTER_PROGRESS_AUTO;
      } else if (isProgress(pDef) && (parseInt64Text(zValue, &v) || v < 0 || v > 1)) {
        *pzErr = sqlite3_mprintf("progress must be 0, 1 or 'auto', not '%s'", zValue);
        return SQLITE_ERROR;
      } else if (parseInt64Text(zValue, &v) || v < pDef->iMin || v > pDef->iMax) {
        *pzErr = sqlite3_mprintf("%s must be an integer from %lld to %lld, not '%s'", pDef->zName,
                                 (long long)pDef->iMin, (long long)pDef->iMax, zValue);
        return SQLITE_ERROR;
      }
      *intSlot(p, pDef) = v;
      return SQLITE_OK;
  }
}

int setterSettingsInit(SetterSettings *p, char **pzErr) {
  int i, rc;
  memset(p, 0, sizeof(*p));
  for (i = 0; i < N_SETTING; i++) {
    char *zErr = NULL;
    if (aSetting[i].eKind == SETTING_INT || aSetting[i].eKind == SETTING_URL) {
      rc = applySetting(p, &aSetting[i], NULL, &zErr);
      if (rc) return rc;
    }
  }
  /* api_key_file before api_key, so that SETTER_API_KEY wins. */
  for (i = 1; i <= N_SETTING; i++) {
    const SettingDef *pDef = &aSetting[i % N_SETTING];
    char zEnv[64];
    const char *zValue;
    char *zErr = NULL;
    int k;
    snprintf(zEnv, sizeof zEnv, "SETTER_%s", pDef->zName);
    for (k = 7; zEnv[k]; k++) zEnv[k] = (char)toupper((unsigned char)zEnv[k]);
    zValue = getenv(zEnv);
    if (zValue == NULL || (zValue[0] == 0 && pDef->eKind != SETTING_KEY)) continue;
    rc = applySetting(p, pDef, zValue, &zErr);
    if (rc) {
      char *zClean = zErr ? setterSanitize(zErr, strlen(zErr), CONFIG_ERROR_MAX_BYTES, NULL) : NULL;
      *pzErr = sqlite3_mprintf("setter: %s: %s", zEnv, zClean ? zClean : "out of memory");
      sqlite3_free(zClean);
      sqlite3_free(zErr);
      return rc;
    }
  }
  return SQLITE_OK;
}

void setterSettingsClear(SetterSettings *p) {
  int i;
  forgetKey(p);
  for (i = 0; i < N_SETTING; i++) {
    if (aSetting[i].eKind != SETTING_INT) {
      sqlite3_free(*textSlot(p, &aSetting[i]));
      *textSlot(p, &aSetting[i]) = NULL;
    }
  }
}

/* The value setter_config(name) returns. */
static void resultSetting(sqlite3_context *ctx, SetterSettings *p, const SettingDef *pDef) {
  if (isProgress(pDef) && *intSlot(p, pDef) == SETTER_PROGRESS_AUTO) {
    sqlite3_result_text(ctx, "auto", -1, SQLITE_STATIC);
  } else if (pDef->eKind == SETTING_INT) {
    sqlite3_result_int64(ctx, *intSlot(p, pDef));
  } else if (pDef->eKind == SETTING_KEY) {
    size_t n = p->zApiKey ? strlen(p->zApiKey) : 0;
    if (n == 0)
      sqlite3_result_null(ctx);
    else if (n >= 16)
      sqlite3_result_text(ctx, sqlite3_mprintf("****%s", p->zApiKey + n - 4), -1, sqlite3_free);
    else
      sqlite3_result_text(ctx, "****", -1, SQLITE_STATIC);
  } else {
    const char *z = *textSlot(p, pDef);
    if (z)
      sqlite3_result_text(ctx, z, -1, SQLITE_TRANSIENT);
    else
      sqlite3_result_null(ctx);
  }
}

static void configCache(sqlite3_context *ctx, SetterConn *pConn, int argc, sqlite3_value **argv) {
  const char *zAction = argc > 1 ? (const char *)sqlite3_value_text(argv[1]) : NULL;
  if (argc == 1) {
    sqlite3_result_int(ctx, pConn->pCache ? setterCacheCount(pConn->pCache) : 0);
  } else if (zAction && strcmp(zAction, "clear") == 0) {
    sqlite3_result_int(ctx, pConn->pCache ? setterCacheClear(pConn->pCache) : 0);
  } else {
    sqlite3_result_error(ctx, "setter_config: the only action on 'cache' is 'clear'", -1);
  }
}

static void configFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  SetterConn *pConn = sqlite3_user_data(ctx);
  const char *zName = (const char *)sqlite3_value_text(argv[0]);
  const SettingDef *pDef = findSetting(zName);
  if (zName && strcmp(zName, "cache") == 0) {
    configCache(ctx, pConn, argc, argv);
    return;
  }
  if (pDef == NULL) {
    char *zErr = sqlite3_mprintf(
        "setter_config: unknown setting '%s' (settings: api_key, api_key_file, base_url, "
        "timeout_ms, connect_timeout_ms, max_retries, concurrency, cache_ttl, "
        "max_response_bytes, ca_bundle, progress; and 'cache')",
        zName ? zName : "NULL");
    sqlite3_result_error(ctx, zErr ? zErr : "setter_config: unknown setting", -1);
    sqlite3_free(zErr);
    return;
  }
  if (argc == 2) {
    const char *zValue = (const char *)sqlite3_value_text(argv[1]);
    char *zErr = NULL;
    int rc;
    if (zValue && (size_t)sqlite3_value_bytes(argv[1]) != strlen(zValue)) {
      zErr = pDef->eKind == SETTING_KEY
                 ? sqlite3_mprintf("%s", zKeyRule)
                 : sqlite3_mprintf("%s must not contain a NUL character", zName);
      rc = SQLITE_ERROR;
    } else if (!calledByDirectSql(pConn->db)) {
      zErr = sqlite3_mprintf(
          "settings can be changed only by a statement that itself calls "
          "setter_config (not from a CHECK constraint, DEFAULT, view or trigger)");
      rc = SQLITE_ERROR;
    } else {
      rc = applySetting(&pConn->settings, pDef, zValue, &zErr);
      /* answers fetched with another key must not outlive it */
      if (rc == SQLITE_OK && (pDef->eKind == SETTING_KEY || pDef->eKind == SETTING_KEY_FILE)) {
        setterCacheClear(pConn->pCache);
      }
    }
    if (rc == SQLITE_NOMEM || (rc && zErr == NULL)) {
      sqlite3_result_error_nomem(ctx);
      return;
    }
    if (rc) {
      char *zClean = setterSanitize(zErr, strlen(zErr), CONFIG_ERROR_MAX_BYTES, NULL);
      char *zMsg = sqlite3_mprintf("setter_config: %s", zClean ? zClean : "out of memory");
      sqlite3_result_error(ctx, zMsg ? zMsg : "setter_config: out of memory", -1);
      sqlite3_free(zMsg);
      sqlite3_free(zClean);
      sqlite3_free(zErr);
      return;
    }
  }
  resultSetting(ctx, &pConn->settings, pDef);
}

/*
** Both forms are SQLITE_DIRECTONLY.  The setting form is also flagged
** SQLITE_DETERMINISTIC: SQLite 3.40 checks DIRECTONLY for deterministic
** functions in CHECK constraints of a schema (and refuses the schema), but
** not for others.  The reading form stays non-deterministic, so that two
** reads around a change in one statement see the change.  calledByDirectSql()
** is a second, independent guard.
*/
int setterConfigRegister(sqlite3 *db, SetterConn *pConn) {
  int flags = SQLITE_UTF8 | SQLITE_DIRECTONLY;
  int rc = sqlite3_create_function(db, "setter_config", 1, flags, pConn, configFunc, 0, 0);
  if (rc == SQLITE_OK) {
    rc = sqlite3_create_function(db, "setter_config", 2, flags | SQLITE_DETERMINISTIC, pConn,
                                 configFunc, 0, 0);
  }
  return rc;
}
