/*
** config.c - settings: defaults, SETTER_* environment, setter_config(),
** the setter_settings table, validation.
**
**   name                 default                      range / rule
**   api_key              (none)                       8..4096 bytes, no control characters
**   api_key_file         (none)                       reads the key from a file
**   base_url             https://chat.trysetter.com   https, or http to loopback
**   timeout_ms           30000                        1 .. 3600000
**   connect_timeout_ms   10000                        1 .. 600000
**   max_retries          3                            0 .. 10
**   concurrency          8                            1 .. 64
**   cache_ttl            0 (off)                      0 .. 2592000 seconds
**   max_response_bytes   268435456 (256 MiB)          1024 .. 2000000000
**   max_lookups          100000                       1 .. 100000000
**   ca_bundle            (system CAs)                 a readable regular file
**   progress             auto                         0, 1 or auto
**   on_error             fail                         fail or row
**
** When both SETTER_API_KEY and SETTER_API_KEY_FILE are set, SETTER_API_KEY
** wins.  The key is never quoted in an error and reads back masked.
**
** A SETTER_* variable whose value is refused does not stop the extension
** from loading (a GUI could not repair that from SQL): the setting keeps its
** default, the error is kept, and every setter_conversations query fails
** with it (setterSettingsError) until setter_config sets the setting or the
** variable is fixed.  setter_settings shows the refused value.
*/
#include "config.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "guard.h"
#include "listtable.h"
#include "progress.h"
#include "sanitize.h"

/* SQLite's allocator, which holds bodies and rows (alloc.h), allocates at
** most 0x7fffff00 bytes at once: stay below it. */
#define SETTER_MAX_RESPONSE_BYTES_LIMIT 2000000000
#define API_KEY_MIN_BYTES 8
#define API_KEY_MAX_BYTES 4096
#define API_KEY_SHOWN_MIN_CHARS 16 /* longer keys read back with their last 4 characters */
#define CONFIG_ERROR_MAX_BYTES 1000
#define KEY_FILE_MAX_BYTES 65536

enum SettingKind {
  SETTING_KEY,
  SETTING_KEY_FILE,
  SETTING_URL,
  SETTING_FILE,
  SETTING_INT,
  SETTING_PROGRESS,
  SETTING_ON_ERROR
};

/* Where a setting's value came from (SetterSettingsOrigin.aSource). */
enum SettingSource { SOURCE_DEFAULT = 0, SOURCE_ENVIRONMENT, SOURCE_SETTER_CONFIG };
static const char *const azSource[] = {"default", "environment", "setter_config"};

typedef struct SettingDef {
  const char *zName;
  int eKind;
  size_t offset; /* of the char* or int64_t in SetterSettings */
  int64_t iMin, iMax, iDefault;
  const char *zDefault; /* as setter_settings shows it */
  const char *zDescription;
} SettingDef;

static const SettingDef aSetting[] = {
    /* api_key first: setterSettingsRetryEnvironment and configSet rely on it */
    {"api_key", SETTING_KEY, offsetof(SetterSettings, zApiKey), 0, 0, 0, NULL,
     "the API key (Authorization: Bearer), read back masked"},
    {"api_key_file", SETTING_KEY_FILE, offsetof(SetterSettings, zApiKeyFile), 0, 0, 0, NULL,
     "a file holding the API key; SETTER_API_KEY wins if both are set"},
    {"base_url", SETTING_URL, offsetof(SetterSettings, zBaseUrl), 0, 0, 0, SETTER_DEFAULT_BASE_URL,
     "the API server: https, or plain http to loopback only"},
    {"timeout_ms", SETTING_INT, offsetof(SetterSettings, timeoutMs), 1, 3600000, 30000, NULL,
     "time for one attempt of one request, in milliseconds"},
    {"connect_timeout_ms", SETTING_INT, offsetof(SetterSettings, connectTimeoutMs), 1, 600000,
     10000, NULL, "time to connect, in milliseconds"},
    {"max_retries", SETTING_INT, offsetof(SetterSettings, maxRetries), 0, 10, 3, NULL,
     "retries after HTTP 429, 500, 502, 503, 504, timeouts and dropped connections"},
    {"concurrency", SETTING_INT, offsetof(SetterSettings, concurrency), 1, 64, 8, NULL,
     "requests in flight at once for an IN list"},
    {"cache_ttl", SETTING_INT, offsetof(SetterSettings, cacheTtl), 0, 2592000, 0, NULL,
     "seconds to keep answers across statements (0: off), at most 64 MiB"},
    {"max_response_bytes", SETTING_INT, offsetof(SetterSettings, maxResponseBytes), 1024,
     SETTER_MAX_RESPONSE_BYTES_LIMIT, 268435456, NULL,
     "largest answer, in bytes on the wire and again in bytes of rows built from it"},
    {"max_lookups", SETTING_INT, offsetof(SetterSettings, maxLookups), 1, 100000000, 100000, NULL,
     "most distinct lookups (bot x contact) one statement may make"},
    {"ca_bundle", SETTING_FILE, offsetof(SetterSettings, zCaBundle), 0, 0, 0, NULL,
     "a PEM file of CAs to trust (default: the system's)"},
    {"progress", SETTING_PROGRESS, offsetof(SetterSettings, progress), 0, 2, SETTER_PROGRESS_AUTO,
     "auto", "progress of bulk fetches on stderr: 0 off, 1 always, auto on a terminal"},
    {"on_error", SETTING_ON_ERROR, offsetof(SetterSettings, onError), 0, 1, SETTER_ON_ERROR_FAIL,
     "fail",
     "a failed lookup: fail fails the statement, row gives one row with lookup_error saying why"},
};

#define N_SETTING (int)(sizeof(aSetting) / sizeof(aSetting[0]))

/* Per setting (aSetting's order): where its value came from, and the error
** of a SETTER_* variable that was refused at load, which stays until the
** setting is set again (SetterSettings.pOrigin, this file's alone). */
struct SetterSettingsOrigin {
  unsigned char aSource[N_SETTING]; /* enum SettingSource */
  char *azEnvError[N_SETTING];
  char *azEnvValue[N_SETTING]; /* the refused value, as given */
};

#define STRINGIFY(x) #x
#define TEXT_OF(x) STRINGIFY(x)
static const char zKeyRule[] = "api_key must be " TEXT_OF(API_KEY_MIN_BYTES) " to " TEXT_OF(
    API_KEY_MAX_BYTES) " bytes without control characters";

/* ---- values ---- */

static char **textSlot(SetterSettings *p, const SettingDef *pDef) {
  return (char **)((char *)p + pDef->offset);
}

static int64_t *intSlot(SetterSettings *p, const SettingDef *pDef) {
  return (int64_t *)((char *)p + pDef->offset);
}

static int isIntKind(const SettingDef *pDef) {
  return pDef->eKind == SETTING_INT || pDef->eKind == SETTING_PROGRESS ||
         pDef->eKind == SETTING_ON_ERROR;
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

/* Checks a base URL; on failure returns an error message (sqlite3_malloc'd),
** or NULL in *pbNoMem when out of memory. */
static char *checkBaseUrl(const char *zUrl, int *pbNoMem) {
  CURLU *pUrl = curl_url();
  char *zScheme = NULL, *zHost = NULL, *zUser = NULL, *zQuery = NULL, *zFragment = NULL;
  char *zErr = NULL;
  *pbNoMem = 0;
  if (pUrl == NULL) {
    *pbNoMem = 1;
    return NULL;
  }
  if (strpbrk(zUrl, "?#")) {
    zErr = sqlite3_mprintf("base_url must not contain a user name, query or fragment: '%s'", zUrl);
  } else if (hasControlChar(zUrl) || strchr(zUrl, ' ') ||
             /* any scheme parses, so the message does not depend on libcurl's build */
             curl_url_set(pUrl, CURLUPART_URL, zUrl, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
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

static int isValidKey(const char *z) {
  size_t n = strlen(z);
  return n >= API_KEY_MIN_BYTES && n <= API_KEY_MAX_BYTES && !hasControlChar(z);
}

/* Opens zPath (the value of setting zName) for reading, only if it is a
** regular file.  O_NONBLOCK: opening a FIFO without a writer, or a device,
** would otherwise block the load or the statement forever, where nothing can
** interrupt it; the check is made on the descriptor (fstat), so the file
** cannot be swapped between a check and the open.  Returns the descriptor,
** or -1 and *pzErr (NULL when out of memory). */
static int openRegularFile(const char *zName, const char *zPath, char **pzErr) {
  struct stat st;
  int fd, flags = O_RDONLY;
#ifdef O_NONBLOCK
  flags |= O_NONBLOCK;
#endif
#ifdef O_CLOEXEC
  flags |= O_CLOEXEC;
#endif
#ifdef O_NOCTTY
  flags |= O_NOCTTY;
#endif
#ifdef O_BINARY
  flags |= O_BINARY;
#endif
  fd = open(zPath, flags);
  if (fd < 0) {
    *pzErr = sqlite3_mprintf("cannot read %s '%s': %s", zName, zPath, strerror(errno));
    return -1;
  }
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    *pzErr = sqlite3_mprintf("%s '%s' is not a regular file", zName, zPath);
    close(fd);
    return -1;
  }
  return fd;
}

/* Reads the key file: its content with surrounding white space removed.
** At most KEY_FILE_MAX_BYTES + 1 bytes are read, whatever the file's size. */
static char *readKeyFile(const char *zPath, char **pzErr) {
  int fd = openRegularFile("api_key_file", zPath, pzErr);
  char *zBuf, *zStart, *zEnd;
  size_t n = 0;
  if (fd < 0) return NULL;
  zBuf = sqlite3_malloc(KEY_FILE_MAX_BYTES + 1);
  if (zBuf == NULL) {
    close(fd);
    return NULL;
  }
  while (n < KEY_FILE_MAX_BYTES + 1) {
    ssize_t nRead = read(fd, zBuf + n, KEY_FILE_MAX_BYTES + 1 - n);
    if (nRead < 0 && errno == EINTR) continue;
    if (nRead < 0) {
      *pzErr = sqlite3_mprintf("cannot read api_key_file '%s': %s", zPath, strerror(errno));
      close(fd);
      memset(zBuf, 0, n);
      sqlite3_free(zBuf);
      return NULL;
    }
    if (nRead == 0) break;
    n += (size_t)nRead;
  }
  close(fd);
  if (n > KEY_FILE_MAX_BYTES) {
    memset(zBuf, 0, n);
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
  if (strlen(zStart) != (size_t)(zEnd - zStart) || !isValidKey(zStart)) {
    *pzErr = sqlite3_mprintf(
        "api_key_file '%s' does not hold a key (one line of %d to %d bytes, no control "
        "characters)",
        zPath, API_KEY_MIN_BYTES, API_KEY_MAX_BYTES);
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

/* Sets one setting from text (NULL = default).  Returns SQLITE_OK, or
** SQLITE_ERROR and *pzErr (without prefix; NULL when out of memory), or
** SQLITE_NOMEM; the setting is unchanged on failure. */
static int applySetting(SetterSettings *p, const SettingDef *pDef, const char *zValue,
                        char **pzErr) {
  int64_t v;
  char *zKey;
  int bNoMem;
  switch (pDef->eKind) {
    case SETTING_KEY:
      if (zValue && zValue[0] && !isValidKey(zValue)) {
        *pzErr = sqlite3_mprintf("%s", zKeyRule);
        return SQLITE_ERROR;
      }
      forgetKey(p);
      return replaceText(&p->zApiKey, zValue && zValue[0] ? zValue : NULL);
    case SETTING_KEY_FILE:
      if (zValue == NULL || zValue[0] == 0) return replaceText(&p->zApiKeyFile, NULL);
      zKey = readKeyFile(zValue, pzErr);
      if (zKey == NULL) return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
      if (replaceText(&p->zApiKeyFile, zValue)) {
        sqlite3_free(zKey);
        return SQLITE_NOMEM;
      }
      forgetKey(p);
      p->zApiKey = zKey;
      return SQLITE_OK;
    case SETTING_URL: {
      size_t n;
      if (zValue == NULL || zValue[0] == 0) zValue = SETTER_DEFAULT_BASE_URL;
      *pzErr = checkBaseUrl(zValue, &bNoMem);
      if (bNoMem) return SQLITE_NOMEM;
      if (*pzErr) return SQLITE_ERROR;
      if (replaceText(&p->zBaseUrl, zValue)) return SQLITE_NOMEM;
      n = strlen(p->zBaseUrl);
      while (n > 0 && p->zBaseUrl[n - 1] == '/') p->zBaseUrl[--n] = 0;
      return SQLITE_OK;
    }
    case SETTING_FILE:
      if (zValue && zValue[0]) {
        int fd = openRegularFile(pDef->zName, zValue, pzErr);
        if (fd < 0) return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
        close(fd);
      }
      return replaceText(textSlot(p, pDef), zValue && zValue[0] ? zValue : NULL);
    case SETTING_PROGRESS:
      if (zValue == NULL || strcmp(zValue, "auto") == 0) {
        v = SETTER_PROGRESS_AUTO;
      } else if (strcmp(zValue, "0") == 0 || strcmp(zValue, "1") == 0) {
        v = zValue[0] == '1' ? SETTER_PROGRESS_ON : SETTER_PROGRESS_OFF;
      } else {
        *pzErr = sqlite3_mprintf("progress must be 0, 1 or 'auto', not '%s'", zValue);
        return SQLITE_ERROR;
      }
      *intSlot(p, pDef) = v;
      return SQLITE_OK;
    case SETTING_ON_ERROR:
      if (zValue == NULL || strcmp(zValue, "fail") == 0) {
        v = SETTER_ON_ERROR_FAIL;
      } else if (strcmp(zValue, "row") == 0) {
        v = SETTER_ON_ERROR_ROW;
      } else {
        *pzErr = sqlite3_mprintf("on_error must be 'fail' or 'row', not '%s'", zValue);
        return SQLITE_ERROR;
      }
      *intSlot(p, pDef) = v;
      return SQLITE_OK;
    default:
      if (zValue == NULL) {
        v = pDef->iDefault;
      } else if (parseInt64Text(zValue, &v) || v < pDef->iMin || v > pDef->iMax) {
        *pzErr = sqlite3_mprintf("%s must be an integer from %lld to %lld, not '%s'", pDef->zName,
                                 (long long)pDef->iMin, (long long)pDef->iMax, zValue);
        return SQLITE_ERROR;
      }
      *intSlot(p, pDef) = v;
      return SQLITE_OK;
  }
}

/* True if setting pDef to zValue would leave it as it is (so that the guard
** can let it through: a change that changes nothing cannot redirect
** anything).  DB4S runs a statement again as SELECT COUNT(*) FROM (...),
** and that copy of a SELECT setter_config(...) must not fail. */
static int isNoChange(SetterSettings *p, const SettingDef *pDef, const char *zValue) {
  const char *zNow;
  size_t n;
  if (isIntKind(pDef)) {
    int64_t old = *intSlot(p, pDef), v;
    char *zErr = NULL;
    int rc = applySetting(p, pDef, zValue, &zErr); /* no allocation, no side effect */
    sqlite3_free(zErr);
    v = *intSlot(p, pDef);
    *intSlot(p, pDef) = old;
    return rc == SQLITE_OK && v == old;
  }
  if (zValue && zValue[0] == 0) zValue = NULL;
  if (pDef->eKind == SETTING_URL) {
    if (zValue == NULL) zValue = SETTER_DEFAULT_BASE_URL;
    for (n = strlen(zValue); n > 0 && zValue[n - 1] == '/'; n--) {
    }
  } else {
    n = zValue ? strlen(zValue) : 0;
  }
  zNow = *textSlot(p, pDef);
  if (zValue == NULL || zNow == NULL) return zValue == NULL && zNow == NULL;
  return strlen(zNow) == n && memcmp(zNow, zValue, n) == 0;
}

/* Text that quotes a refused value: sanitised, with the API key (should it
** have been given as another setting's value by mistake) replaced by ****. */
static char *cleanError(const char *zErr, const char *zKey) {
  return setterSanitize(zErr, strlen(zErr), CONFIG_ERROR_MAX_BYTES, zKey);
}

static void clearEnvError(SetterSettings *p, int iSetting) {
  sqlite3_free(p->pOrigin->azEnvError[iSetting]);
  sqlite3_free(p->pOrigin->azEnvValue[iSetting]);
  p->pOrigin->azEnvError[iSetting] = NULL;
  p->pOrigin->azEnvValue[iSetting] = NULL;
}

static void envName(const SettingDef *pDef, char *zEnv, size_t nEnv) {
  int k;
  snprintf(zEnv, nEnv, "SETTER_%s", pDef->zName);
  for (k = 7; zEnv[k]; k++) zEnv[k] = (char)toupper((unsigned char)zEnv[k]);
}

/* Applies SETTER_<NAME> of one setting, if set.  A refused value keeps
** the setting as it was and is kept as its error.  SQLITE_OK or
** SQLITE_NOMEM. */
static int applyEnvironment(SetterSettings *p, int iSetting) {
  const SettingDef *pDef = &aSetting[iSetting];
  char zEnv[64];
  const char *zValue;
  char *zErr = NULL, *zClean;
  int rc;
  envName(pDef, zEnv, sizeof zEnv);
  zValue = getenv(zEnv);
  clearEnvError(p, iSetting);
  if (zValue == NULL || zValue[0] == 0) return SQLITE_OK; /* empty means unset */
  rc = applySetting(p, pDef, zValue, &zErr);
  p->pOrigin->aSource[iSetting] = SOURCE_ENVIRONMENT;
  if (rc == SQLITE_OK) return SQLITE_OK;
  if (rc == SQLITE_NOMEM || zErr == NULL) return SQLITE_NOMEM;
  zClean = cleanError(zErr, p->zApiKey);
  sqlite3_free(zErr);
  if (zClean == NULL) return SQLITE_NOMEM;
  p->pOrigin->azEnvError[iSetting] =
      sqlite3_mprintf("%s: %s; fix the variable, or run SELECT setter_config('%s', ...)", zEnv,
                      zClean, pDef->zName);
  sqlite3_free(zClean);
  p->pOrigin->azEnvValue[iSetting] = sqlite3_mprintf("%s", zValue);
  if (p->pOrigin->azEnvError[iSetting] == NULL || p->pOrigin->azEnvValue[iSetting] == NULL)
    return SQLITE_NOMEM;
  return SQLITE_OK;
}

int setterSettingsInit(SetterSettings *p) {
  int i;
  memset(p, 0, sizeof(*p));
  p->pOrigin = sqlite3_malloc(sizeof(*p->pOrigin));
  if (p->pOrigin == NULL) return SQLITE_NOMEM;
  memset(p->pOrigin, 0, sizeof(*p->pOrigin));
  for (i = 0; i < N_SETTING; i++) {
    char *zErr = NULL;
    if ((isIntKind(&aSetting[i]) || aSetting[i].eKind == SETTING_URL) &&
        applySetting(p, &aSetting[i], NULL, &zErr) != SQLITE_OK) {
      return SQLITE_NOMEM; /* defaults are valid */
    }
  }
  /* api_key_file, then api_key (so that SETTER_API_KEY wins), then the
  ** rest: a key known first is redacted from their errors. */
  for (i = 1; i <= N_SETTING; i++) {
    int iSetting = i == 1 ? 1 : i == 2 ? 0 : i - 1;
    if (applyEnvironment(p, iSetting) != SQLITE_OK) return SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

void setterSettingsClear(SetterSettings *p) {
  int i;
  forgetKey(p);
  for (i = 0; i < N_SETTING; i++) {
    if (p->pOrigin) { /* NULL only if setterSettingsInit ran out of memory */
      char *zGiven = p->pOrigin->azEnvValue[i];
      if (aSetting[i].eKind == SETTING_KEY && zGiven) memset(zGiven, 0, strlen(zGiven));
      clearEnvError(p, i);
    }
    if (!isIntKind(&aSetting[i])) {
      sqlite3_free(*textSlot(p, &aSetting[i]));
      *textSlot(p, &aSetting[i]) = NULL;
    }
  }
  sqlite3_free(p->pOrigin);
  p->pOrigin = NULL;
}

const char *setterSettingsRetryEnvironment(SetterSettings *p) {
  int i;
  for (i = 1; i <= N_SETTING; i++) {
    int iSetting = i % N_SETTING;
    if (p->pOrigin->azEnvError[iSetting] == NULL) continue;
    if (applyEnvironment(p, iSetting) != SQLITE_OK) return "out of memory";
    /* a key file read now must not win over SETTER_API_KEY */
    if (aSetting[iSetting].eKind == SETTING_KEY_FILE && p->pOrigin->azEnvError[iSetting] == NULL &&
        applyEnvironment(p, 0) != SQLITE_OK) {
      return "out of memory";
    }
  }
  for (i = 0; i < N_SETTING; i++) {
    if (p->pOrigin->azEnvError[i]) return p->pOrigin->azEnvError[i];
  }
  return NULL;
}

/* ---- reading settings back ---- */

/* "****" and, for keys of API_KEY_SHOWN_MIN_CHARS characters or more, the
** last 4 characters (whole UTF-8 characters); NULL for no key. */
static char *maskedKey(const char *zKey) {
  const char *z, *zTail;
  int nChar = 0, nTail = 0;
  if (zKey == NULL || zKey[0] == 0) return NULL;
  for (z = zKey; *z; z++) nChar += ((unsigned char)*z & 0xc0) != 0x80;
  if (nChar < API_KEY_SHOWN_MIN_CHARS) return sqlite3_mprintf("****");
  for (zTail = z; zTail > zKey && nTail < 4;) {
    zTail--;
    nTail += ((unsigned char)*zTail & 0xc0) != 0x80;
  }
  return sqlite3_mprintf("****%s", zTail);
}

/* Text made for the result (sqlite3_malloc'd, taken), or NULL: no memory
** when bExpected, else SQL NULL. */
static void resultMadeText(sqlite3_context *ctx, char *z, int bExpected) {
  if (z == NULL && bExpected) {
    sqlite3_result_error_nomem(ctx);
  } else {
    sqlite3_result_text(ctx, z, -1, sqlite3_free);
  }
}

/* The value setter_config(name) returns and setter_settings shows. */
static void resultSetting(sqlite3_context *ctx, SetterSettings *p, int iSetting) {
  const SettingDef *pDef = &aSetting[iSetting];
  const char *zGiven = p->pOrigin->azEnvValue[iSetting]; /* refused at load: shown as given */
  if (pDef->eKind == SETTING_KEY) {
    const char *zKey = zGiven ? zGiven : p->zApiKey;
    resultMadeText(ctx, maskedKey(zKey), zKey && zKey[0]);
  } else if (zGiven) {
    /* the key, given here by mistake, is never shown */
    resultMadeText(ctx, setterSanitize(zGiven, strlen(zGiven), strlen(zGiven), p->zApiKey), 1);
  } else if (pDef->eKind == SETTING_PROGRESS && p->progress == SETTER_PROGRESS_AUTO) {
    sqlite3_result_text(ctx, "auto", -1, SQLITE_STATIC);
  } else if (pDef->eKind == SETTING_ON_ERROR) {
    sqlite3_result_text(ctx, p->onError == SETTER_ON_ERROR_ROW ? "row" : "fail", -1, SQLITE_STATIC);
  } else if (isIntKind(pDef)) {
    sqlite3_result_int64(ctx, *intSlot(p, pDef));
  } else {
    sqlite3_result_text(ctx, *textSlot(p, pDef), -1, SQLITE_TRANSIENT);
  }
}

/* ---- setter_config() ---- */

static void configCache(sqlite3_context *ctx, SetterConn *pConn, int argc, sqlite3_value **argv) {
  const char *zAction = argc > 1 ? (const char *)sqlite3_value_text(argv[1]) : NULL;
  if (argc == 1) {
    sqlite3_result_int(ctx, pConn->pCache ? setterCacheCount(pConn->pCache) : 0);
  } else if (zAction && strcmp(zAction, "clear") == 0) {
    int nEntry = pConn->pCache ? setterCacheCount(pConn->pCache) : 0;
    if (nEntry > 0 && !setterGuardAllowsChange(pConn->db)) {
      /* emptying the cache changes what later statements ask: as a setting */
      sqlite3_result_error(ctx, "setter_config: " SETTER_GUARD_RULE, -1);
    } else {
      sqlite3_result_int(ctx, nEntry > 0 ? setterCacheClear(pConn->pCache) : 0);
    }
  } else {
    sqlite3_result_error(ctx, "setter_config: the only action on 'cache' is 'clear'", -1);
  }
}

static void resultConfigError(sqlite3_context *ctx, char *zErr, const char *zKey) {
  char *zClean = cleanError(zErr, zKey);
  char *zMsg = zClean ? sqlite3_mprintf("setter_config: %s", zClean) : NULL;
  if (zMsg == NULL) {
    sqlite3_result_error_nomem(ctx);
  } else {
    sqlite3_result_error(ctx, zMsg, -1);
  }
  sqlite3_free(zMsg);
  sqlite3_free(zClean);
  sqlite3_free(zErr);
}

/* setter_config(name, value): sets the setting. */
static int configSet(sqlite3_context *ctx, SetterConn *pConn, int iSetting, sqlite3_value *pVal) {
  const SettingDef *pDef = &aSetting[iSetting];
  const char *zValue = (const char *)sqlite3_value_text(pVal);
  char *zErr = NULL;
  int rc;
  if (zValue == NULL && sqlite3_value_type(pVal) != SQLITE_NULL) {
    sqlite3_result_error_nomem(ctx);
    return SQLITE_NOMEM;
  }
  if (zValue && (size_t)sqlite3_value_bytes(pVal) != strlen(zValue)) {
    zErr = pDef->eKind == SETTING_KEY
               ? sqlite3_mprintf("%s", zKeyRule)
               : sqlite3_mprintf("%s must not contain a NUL character", pDef->zName);
    rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
  } else if (!setterGuardAllowsChange(pConn->db)) {
    if (isNoChange(&pConn->settings, pDef, zValue)) return SQLITE_OK; /* left as it is */
    zErr = sqlite3_mprintf("%s", SETTER_GUARD_RULE);
    rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
  } else {
    rc = applySetting(&pConn->settings, pDef, zValue, &zErr);
  }
  if (rc == SQLITE_OK) {
    clearEnvError(&pConn->settings, iSetting);
    pConn->settings.pOrigin->aSource[iSetting] = zValue ? SOURCE_SETTER_CONFIG : SOURCE_DEFAULT;
    /* answers fetched with another key must not outlive it; a key set now
    ** ends a refused SETTER_API_KEY or SETTER_API_KEY_FILE alike */
    if (pDef->eKind == SETTING_KEY || pDef->eKind == SETTING_KEY_FILE) {
      int i;
      setterCacheClear(pConn->pCache);
      for (i = 0; i < N_SETTING; i++) {
        if (aSetting[i].eKind == SETTING_KEY || aSetting[i].eKind == SETTING_KEY_FILE) {
          clearEnvError(&pConn->settings, i);
        }
      }
      if (pDef->eKind == SETTING_KEY_FILE && zValue && zValue[0]) {
        pConn->settings.pOrigin->aSource[0] =
            SOURCE_SETTER_CONFIG; /* api_key comes from the file */
      }
    }
  } else if (rc == SQLITE_NOMEM || zErr == NULL) {
    sqlite3_free(zErr);
    sqlite3_result_error_nomem(ctx);
  } else {
    resultConfigError(ctx, zErr, pConn->settings.zApiKey);
  }
  return rc;
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
    char *zList = NULL, *zErr;
    int i;
    for (i = 0; i < N_SETTING; i++) {
      zList = sqlite3_mprintf("%z%s%s", zList, i ? ", " : "", aSetting[i].zName);
      if (zList == NULL) break;
    }
    zErr = zList ? sqlite3_mprintf("unknown setting '%s' (settings: %s; and 'cache')",
                                   zName ? zName : "NULL", zList)
                 : NULL;
    sqlite3_free(zList);
    if (zErr == NULL) {
      sqlite3_result_error_nomem(ctx);
    } else {
      resultConfigError(ctx, zErr, pConn->settings.zApiKey);
    }
    return;
  }
  if (argc == 2 && configSet(ctx, pConn, (int)(pDef - aSetting), argv[1]) != SQLITE_OK) return;
  resultSetting(ctx, &pConn->settings, (int)(pDef - aSetting));
}

/* ---- the setter_settings table ---- */

#define SETTINGS_COLUMN_NAME 0
#define SETTINGS_COLUMN_VALUE 1
#define SETTINGS_COLUMN_DEFAULT 2
#define SETTINGS_COLUMN_SOURCE 3
#define SETTINGS_COLUMN_DESCRIPTION 4

static int settingsConnect(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                           sqlite3_vtab **ppVtab, char **pzErr) {
  (void)argc;
  (void)argv;
  (void)pzErr;
  return setterListConnect(
      db, pAux, "CREATE TABLE x(name TEXT, value, default_value, source TEXT, description TEXT)",
      ppVtab);
}

static int settingsBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo) {
  (void)pVtab;
  pInfo->estimatedCost = N_SETTING;
  pInfo->estimatedRows = N_SETTING;
  return SQLITE_OK;
}

/* Positions 1 .. N_SETTING: aSetting[i - 1]. */
static int settingsFilter(sqlite3_vtab_cursor *pCursor, int idxNum, const char *idxStr, int argc,
                          sqlite3_value **argv) {
  (void)idxNum;
  (void)idxStr;
  (void)argc;
  (void)argv;
  ((SetterListCursor *)pCursor)->i = 1;
  return SQLITE_OK;
}

static int settingsNext(sqlite3_vtab_cursor *pCursor) {
  ((SetterListCursor *)pCursor)->i++;
  return SQLITE_OK;
}

static int settingsEof(sqlite3_vtab_cursor *pCursor) {
  return ((SetterListCursor *)pCursor)->i > N_SETTING;
}

static int settingsColumn(sqlite3_vtab_cursor *pCursor, sqlite3_context *ctx, int iCol) {
  int iSetting = (int)((SetterListCursor *)pCursor)->i - 1;
  const SettingDef *pDef = &aSetting[iSetting];
  SetterConn *pConn = setterListConn(pCursor);
  switch (iCol) {
    case SETTINGS_COLUMN_NAME:
      sqlite3_result_text(ctx, pDef->zName, -1, SQLITE_STATIC);
      break;
    case SETTINGS_COLUMN_VALUE:
      resultSetting(ctx, &pConn->settings, iSetting);
      break;
    case SETTINGS_COLUMN_DEFAULT:
      if (pDef->zDefault) {
        sqlite3_result_text(ctx, pDef->zDefault, -1, SQLITE_STATIC);
      } else if (pDef->eKind == SETTING_INT) {
        sqlite3_result_int64(ctx, pDef->iDefault);
      }
      break;
    case SETTINGS_COLUMN_SOURCE:
      sqlite3_result_text(ctx, azSource[pConn->settings.pOrigin->aSource[iSetting]], -1,
                          SQLITE_STATIC);
      break;
    default:
      sqlite3_result_text(ctx, pDef->zDescription, -1, SQLITE_STATIC);
      break;
  }
  return SQLITE_OK;
}

static sqlite3_module settingsModule = {
    0,                    /* iVersion */
    0,                    /* xCreate: none, so the table is eponymous only */
    settingsConnect,      /* xConnect */
    settingsBestIndex,    /* xBestIndex */
    setterListDisconnect, /* xDisconnect */
    0,                    /* xDestroy */
    setterListOpen,       /* xOpen */
    setterListClose,      /* xClose */
    settingsFilter,       /* xFilter */
    settingsNext,         /* xNext */
    settingsEof,          /* xEof */
    settingsColumn,       /* xColumn */
    setterListRowid,      /* xRowid */
    0,                    /* xUpdate: read-only */
    0,                    /* xBegin */
    0,                    /* xSync */
    0,                    /* xCommit */
    0,                    /* xRollback */
    0,                    /* xFindFunction */
    0,                    /* xRename */
    0,                    /* xSavepoint */
    0,                    /* xRelease */
    0,                    /* xRollbackTo */
    0                     /* xShadowName */
};

/*
** Both forms of setter_config are SQLITE_DIRECTONLY.  The setting form is
** also flagged SQLITE_DETERMINISTIC: SQLite 3.40 checks DIRECTONLY for
** deterministic functions in CHECK constraints of a schema (and refuses the
** schema), but not for others.  The reading form stays non-deterministic,
** so that two reads around a change in one statement see the change.
** The flags are not the boundary: guard.c is (it says where the flags fall
** short on SQLite 3.40).  Each registration holds a reference to pConn.
*/
int setterConfigRegister(sqlite3 *db, SetterConn *pConn) {
  int flags = SQLITE_UTF8 | SQLITE_DIRECTONLY;
  int rc;
  setterConnRef(pConn);
  rc = sqlite3_create_function_v2(db, "setter_config", 1, flags, pConn, configFunc, 0, 0,
                                  setterConnUnref);
  if (rc != SQLITE_OK) return rc;
  setterConnRef(pConn);
  rc = sqlite3_create_function_v2(db, "setter_config", 2, flags | SQLITE_DETERMINISTIC, pConn,
                                  configFunc, 0, 0, setterConnUnref);
  if (rc != SQLITE_OK) return rc;
  setterConnRef(pConn);
  return sqlite3_create_module_v2(db, "setter_settings", &settingsModule, pConn, setterConnUnref);
}
