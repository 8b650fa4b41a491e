/*
** lookup.c - input values -> distinct lookups (see lookup.h).
*/
#include "lookup.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"

static const char *const azColumn[] = {"bot_integration_id", "user_number", "session_id"};

/* Sets *pzErr to zMsg (taken) and returns SQLITE_ERROR, or SQLITE_NOMEM. */
static int inputError(char **pzErr, char *zMsg) {
  *pzErr = zMsg;
  return zMsg ? SQLITE_ERROR : SQLITE_NOMEM;
}

int setterInputIsBlank(sqlite3_value *pValue) {
  const unsigned char *z;
  int i, n, eType = sqlite3_value_type(pValue);
  if (eType == SQLITE_NULL) return 1;
  if (eType != SQLITE_TEXT) return 0;
  z = sqlite3_value_text(pValue);
  n = sqlite3_value_bytes(pValue);
  if (z == NULL) return 0; /* out of memory: reading the value reports it */
  for (i = 0; i < n && z[i] == ' '; i++) {
  }
  return i == n;
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
    int i, bDigits;
    if (z == NULL) return SQLITE_NOMEM;
    bDigits = z[0] != 0;
    for (i = 0; bDigits && z[i]; i++) bDigits = z[i] >= '0' && z[i] <= '9';
    errno = 0;
    if (bDigits) v = strtoll(z, NULL, 10);
    if (!bDigits || errno == ERANGE) {
      char *zClean = setterSanitize(z, strlen(z), SETTER_SANITIZE_MAX_BYTES, NULL);
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

/* user_number: TEXT or INTEGER, 1..SETTER_USER_NUMBER_MAX_BYTES bytes, no
** control characters.  *pzOut is sqlite3_malloc'd. */
static int readUserInput(sqlite3_value *pVal, char **pzOut, int *pnOut, char **pzErr) {
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
  *pnOut = n;
  return *pzOut ? SQLITE_OK : SQLITE_NOMEM;
}

static int compareInputs(const void *a, const void *b) {
  const SetterInput *pA = *(const SetterInput *const *)a, *pB = *(const SetterInput *const *)b;
  int c;
  if (pA->zText || pB->zText) {
    c = strcmp(pA->zText ? pA->zText : "", pB->zText ? pB->zText : "");
  } else {
    c = pA->iId < pB->iId ? -1 : pA->iId > pB->iId;
  }
  return c ? c : (pA < pB ? -1 : pA > pB); /* ties: the earlier value first */
}

static void freeInput(SetterInput *p) {
  sqlite3_free(p->zText);
  memset(p, 0, sizeof(*p));
}

/* Keeps the first of inputs with the same id or text, in their order; a
** user_number keeps every type it was given in (lookup.h). */
static int removeDuplicateInputs(SetterInputs *pInputs) {
  SetterInput **apSorted;
  int i, iFirst, nKept;
  if (pInputs->n < 2) return SQLITE_OK;
  apSorted = sqlite3_malloc64((sqlite3_uint64)pInputs->n * sizeof(SetterInput *));
  if (apSorted == NULL) return SQLITE_NOMEM;
  for (i = 0; i < pInputs->n; i++) apSorted[i] = &pInputs->a[i];
  qsort(apSorted, (size_t)pInputs->n, sizeof(SetterInput *), compareInputs);
  for (i = 1, iFirst = 0; i < pInputs->n; i++) {
    SetterInput *pFirst = apSorted[iFirst], *p = apSorted[i];
    int bSame = pFirst->zText ? strcmp(pFirst->zText, p->zText) == 0 : pFirst->iId == p->iId;
    if (bSame) {
      if (p->nGiven && pFirst->nGiven == 1 && pFirst->aGiven[0] != p->aGiven[0]) {
        pFirst->aGiven[pFirst->nGiven++] = p->aGiven[0];
        if (p->aGiven[0] == SQLITE_INTEGER) pFirst->iId = p->iId;
      }
      freeInput(p);
      p->iId = -1; /* marks the duplicate: a kept id is positive, a kept text set */
    } else {
      iFirst = i;
    }
  }
  sqlite3_free(apSorted);
  for (i = 0, nKept = 0; i < pInputs->n; i++) {
    if (pInputs->a[i].zText || pInputs->a[i].iId > 0) pInputs->a[nKept++] = pInputs->a[i];
  }
  pInputs->n = nKept;
  return SQLITE_OK;
}

int setterInputsRead(SetterInputs *pInputs, sqlite3_value **apValue, int nValue, int eKind,
                     char **pzErr) {
  int i, rc = SQLITE_OK;
  pInputs->a = NULL;
  pInputs->n = 0;
  pInputs->eKind = eKind;
  if (nValue == 0) return SQLITE_OK;
  pInputs->a = sqlite3_malloc64((sqlite3_uint64)nValue * sizeof(SetterInput));
  if (pInputs->a == NULL) return SQLITE_NOMEM;
  for (i = 0; i < nValue && rc == SQLITE_OK; i++) {
    SetterInput *p = &pInputs->a[pInputs->n];
    if (setterInputIsBlank(apValue[i])) continue;
    memset(p, 0, sizeof(*p));
    rc = eKind == SETTER_INPUT_USER ? readUserInput(apValue[i], &p->zText, &p->nText, pzErr)
                                    : readIdInput(apValue[i], azColumn[eKind], &p->iId, pzErr);
    if (rc != SQLITE_OK) {
      freeInput(p);
      break;
    }
    if (eKind == SETTER_INPUT_USER) {
      p->aGiven[p->nGiven++] = (unsigned char)sqlite3_value_type(apValue[i]);
      if (p->aGiven[0] == SQLITE_INTEGER) p->iId = sqlite3_value_int64(apValue[i]);
    }
    pInputs->n++;
  }
  if (rc == SQLITE_OK) rc = removeDuplicateInputs(pInputs);
  return rc;
}

void setterInputsClear(SetterInputs *pInputs) {
  int i;
  for (i = 0; i < pInputs->n; i++) freeInput(&pInputs->a[i]);
  sqlite3_free(pInputs->a);
  pInputs->a = NULL;
  pInputs->n = 0;
}

/* The request URL of bot x contact (sqlite3_malloc'd, user_number
** percent-encoded); *piPath gets the offset of its path. */
static char *buildUrl(const char *zBaseUrl, const SetterInput *pBot, const SetterInput *pWho,
                      int bSession, int *piPath) {
  char *zUrl;
  const char *zAuthority, *zPath;
  if (bSession) {
    zUrl = sqlite3_mprintf("%s/api/v1/bot-integrations/%lld/conversations?sessionId=%lld", zBaseUrl,
                           pBot->iId, pWho->iId);
  } else {
    char *zEscaped = curl_easy_escape(NULL, pWho->zText, 0);
    if (zEscaped == NULL) return NULL;
    zUrl = sqlite3_mprintf("%s/api/v1/bot-integrations/%lld/conversations?userNumber=%s", zBaseUrl,
                           pBot->iId, zEscaped);
    curl_free(zEscaped);
  }
  if (zUrl == NULL) return NULL;
  zAuthority = strstr(zUrl, "://");
  zAuthority = zAuthority ? zAuthority + 3 : zUrl;
  zPath = strchr(zAuthority, '/');
  *piPath = zPath ? (int)(zPath - zUrl) : 0;
  return zUrl;
}

int setterLookupsBuild(SetterLookupList *pList, const char *zBaseUrl, const SetterInputs *pBots,
                       const SetterInputs *pWhos) {
  int i, j;
  sqlite3_uint64 n = (sqlite3_uint64)pBots->n * (sqlite3_uint64)pWhos->n;
  pList->a = NULL;
  pList->n = 0;
  if (n == 0) return SQLITE_OK;
  pList->a = sqlite3_malloc64(n * sizeof(SetterLookup));
  if (pList->a == NULL) return SQLITE_NOMEM;
  for (i = 0; i < pBots->n; i++) {
    for (j = 0; j < pWhos->n; j++) {
      SetterLookup *p = &pList->a[pList->n];
      memset(p, 0, sizeof(*p));
      p->pBot = &pBots->a[i];
      p->pWho = &pWhos->a[j];
      p->bSession = pWhos->eKind == SETTER_INPUT_SESSION;
      p->zUrl = buildUrl(zBaseUrl, p->pBot, p->pWho, p->bSession, &p->iPath);
      if (p->zUrl == NULL) return SQLITE_NOMEM;
      pList->n++;
    }
  }
  return SQLITE_OK;
}

void setterLookupsClear(SetterLookupList *pList) {
  int i;
  for (i = 0; i < pList->n; i++) {
    sqlite3_free(pList->a[i].zUrl);
    setterRowsUnref(pList->a[i].pRows);
  }
  sqlite3_free(pList->a);
  pList->a = NULL;
  pList->n = 0;
}

char *setterLookupDescribe(const SetterLookup *p) {
  if (p->bSession) {
    return sqlite3_mprintf("bot_integration_id %lld, session_id %lld", p->pBot->iId, p->pWho->iId);
  }
  return sqlite3_mprintf("bot_integration_id %lld, user_number '%q'", p->pBot->iId, p->pWho->zText);
}
