/*
** lookup.c - input values -> distinct lookups (see lookup.h).
*/
#include "lookup.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"

/* Sets *pzErr to zMsg (taken) and returns SQLITE_ERROR, or SQLITE_NOMEM. */
static int inputError(char **pzErr, char *zMsg) {
  *pzErr = zMsg;
  return zMsg ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* A positive integer input (bot_integration_id, session_id); an integral
** REAL or a canonical decimal TEXT is accepted too.  Returns SQLITE_OK, or
** SQLITE_ERROR with *pzErr naming the column. */
static int readIdInput(sqlite3_value *pVal, const char *zColumn, sqlite3_int64 *piOut,
                       char **pzErr) {
  int eType = sqlite3_value_type(pVal);
  if (eType == SQLITE_INTEGER) {
    *piOut = sqlite3_value_int64(pVal);
  } else if (eType == SQLITE_FLOAT) {
    double r = sqlite3_value_double(pVal);
    if (!(r >= -9.2e18 && r <= 9.2e18) || r != (double)(sqlite3_int64)r) {
      return inputError(pzErr, sqlite3_mprintf("%s must be an integer, not %!.15g", zColumn, r));
    }
    *piOut = (sqlite3_int64)r;
  } else if (eType == SQLITE_TEXT) {
    const char *z = (const char *)sqlite3_value_text(pVal);
    long long v = 0;
    int i, bDigits = z && z[0];
    for (i = 0; bDigits && z[i]; i++) bDigits = z[i] >= '0' && z[i] <= '9';
    errno = 0;
    if (bDigits) v = strtoll(z, NULL, 10);
    if (!bDigits || errno == ERANGE) {
      char *zClean = setterSanitize(z ? z : "", z ? strlen(z) : 0, SETTER_SANITIZE_MAX_BYTES, NULL);
      int rc =
          inputError(pzErr, sqlite3_mprintf("%s must be an integer, not '%q'", zColumn, zClean));
      sqlite3_free(zClean);
      return rc;
    }
    *piOut = v;
  } else {
    return inputError(pzErr, sqlite3_mprintf("%s must be an integer, not a blob", zColumn));
  }
  if (*piOut <= 0) {
    return inputError(pzErr,
                      sqlite3_mprintf("%s must be a positive integer, not %lld", zColumn, *piOut));
  }
  return SQLITE_OK;
}

/* user_number: TEXT or INTEGER, 1..SETTER_USER_NUMBER_MAX_BYTES bytes, no control
** characters.  *pzOut is sqlite3_malloc'd. */
static int readUserInput(sqlite3_value *pVal, char **pzOut, char **pzErr) {
  int eType = sqlite3_value_type(pVal);
  const unsigned char *z;
  int n, i;
  if (eType != SQLITE_TEXT && eType != SQLITE_INTEGER) {
    return inputError(pzErr, sqlite3_mprintf("user_number must be text, not %s",
                                             eType == SQLITE_FLOAT ? "a real number" : "a blob"));
  }
  z = sqlite3_value_text(pVal);
  n = sqlite3_value_bytes(pVal);
  if (z == NULL) return SQLITE_NOMEM;
  if (n == 0) return inputError(pzErr, sqlite3_mprintf("user_number must not be empty"));
  if (n > SETTER_USER_NUMBER_MAX_BYTES) {
    return inputError(pzErr, sqlite3_mprintf("user_number is too long (%d bytes, at most %d)", n,
                                             SETTER_USER_NUMBER_MAX_BYTES));
  }
  for (i = 0; i < n; i++) {
    if (z[i] < 0x20 || z[i] == 0x7f) {
      return inputError(pzErr, sqlite3_mprintf("user_number must not contain control characters"));
    }
  }
  *pzOut = sqlite3_mprintf("%s", z);
  return *pzOut ? SQLITE_OK : SQLITE_NOMEM;
}

static int compareLookupKeys(const void *a, const void *b) {
  const SetterLookup *pA = *(const SetterLookup *const *)a, *pB = *(const SetterLookup *const *)b;
  int c = strcmp(pA->zKey, pB->zKey);
  return c ? c : (pA < pB ? -1 : pA > pB);
}

/* Drops lookups whose key an earlier one has, keeping the first. */
static int removeDuplicateLookups(SetterLookupList *pList) {
  SetterLookup **apSorted;
  int i, nKept = 0;
  if (pList->n < 2) return SQLITE_OK;
  apSorted = sqlite3_malloc64((sqlite3_uint64)pList->n * sizeof(SetterLookup *));
  if (apSorted == NULL) return SQLITE_NOMEM;
  for (i = 0; i < pList->n; i++) apSorted[i] = &pList->a[i];
  qsort(apSorted, (size_t)pList->n, sizeof(SetterLookup *), compareLookupKeys);
  for (i = 1, nKept = 0; i < pList->n; i++) {
    if (strcmp(apSorted[i]->zKey, apSorted[nKept]->zKey) == 0) {
      sqlite3_free(apSorted[i]->zKey);
      apSorted[i]->zKey = NULL; /* marks a duplicate of apSorted[nKept] */
    } else {
      nKept = i;
    }
  }
  nKept = 0;
  sqlite3_free(apSorted);
  for (i = 0; i < pList->n; i++) {
    SetterLookup *p = &pList->a[i];
    if (p->zKey) {
      pList->a[nKept++] = *p;
    } else {
      sqlite3_value_free(p->pBot);
      sqlite3_value_free(p->pWho);
      sqlite3_free(p->zUser);
    }
  }
  pList->n = nKept;
  return SQLITE_OK;
}

int setterLookupsBuild(SetterLookupList *pList, const char *zBaseUrl, sqlite3_value **apBot,
                       int nBot, sqlite3_value **apWho, int nWho, int bSession, char **pzErr) {
  int i, j, rc;
  sqlite3_uint64 nMax = (sqlite3_uint64)nBot * (sqlite3_uint64)nWho;
  pList->a = NULL;
  pList->n = 0;
  if (nMax == 0) return SQLITE_OK;
  pList->a = sqlite3_malloc64(nMax * sizeof(SetterLookup));
  if (pList->a == NULL) return SQLITE_NOMEM;
  for (i = 0; i < nBot; i++) {
    sqlite3_int64 iBot;
    if (sqlite3_value_type(apBot[i]) == SQLITE_NULL) continue;
    rc = readIdInput(apBot[i], "bot_integration_id", &iBot, pzErr);
    if (rc) return rc;
    for (j = 0; j < nWho; j++) {
      sqlite3_value *pWho = apWho[j];
      SetterLookup *p = &pList->a[pList->n];
      if (sqlite3_value_type(pWho) == SQLITE_NULL) continue;
      memset(p, 0, sizeof(*p));
      p->bSession = bSession;
      p->iBot = iBot;
      rc = bSession ? readIdInput(pWho, "session_id", &p->iSession, pzErr)
                    : readUserInput(pWho, &p->zUser, pzErr);
      if (rc) return rc;
      pList->n++;
      p->pBot = sqlite3_value_dup(apBot[i]);
      p->pWho = sqlite3_value_dup(pWho);
      p->zKey = bSession ? sqlite3_mprintf("%s %lld s:%lld", zBaseUrl, iBot, p->iSession)
                         : sqlite3_mprintf("%s %lld u:%s", zBaseUrl, iBot, p->zUser);
      if (p->pBot == NULL || p->pWho == NULL || p->zKey == NULL) return SQLITE_NOMEM;
    }
  }
  return removeDuplicateLookups(pList);
}

char *setterLookupUrl(const char *zBaseUrl, const SetterLookup *p, const char **pzLogUrl) {
  char *zUrl;
  const char *zAuthority;
  if (p->bSession) {
    zUrl = sqlite3_mprintf("%s/api/v1/bot-integrations/%lld/conversations?sessionId=%lld", zBaseUrl,
                           p->iBot, p->iSession);
  } else {
    char *zEscaped = curl_easy_escape(NULL, p->zUser, 0);
    if (zEscaped == NULL) return NULL;
    zUrl = sqlite3_mprintf("%s/api/v1/bot-integrations/%lld/conversations?userNumber=%s", zBaseUrl,
                           p->iBot, zEscaped);
    curl_free(zEscaped);
  }
  if (zUrl == NULL) return NULL;
  zAuthority = strstr(zUrl, "://");
  zAuthority = zAuthority ? zAuthority + 3 : zUrl;
  *pzLogUrl = strchr(zAuthority, '/');
  if (*pzLogUrl == NULL) *pzLogUrl = zUrl;
  return zUrl;
}

void setterLookupsClear(SetterLookupList *pList) {
  int i;
  for (i = 0; i < pList->n; i++) {
    SetterLookup *p = &pList->a[i];
    sqlite3_value_free(p->pBot);
    sqlite3_value_free(p->pWho);
    sqlite3_free(p->zUser);
    sqlite3_free(p->zKey);
    setterRowsUnref(p->pRows);
  }
  sqlite3_free(pList->a);
  pList->a = NULL;
  pList->n = 0;
}

char *setterLookupDescribe(const SetterLookup *p) {
  if (p->bSession) {
    return sqlite3_mprintf("bot_integration_id %lld, session_id %lld", p->iBot, p->iSession);
  }
  return sqlite3_mprintf("bot_integration_id %lld, user_number '%q'", p->iBot, p->zUser);
}
