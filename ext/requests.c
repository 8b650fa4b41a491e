/*
** requests.c - a ring of the connection's recent requests, and the
** eponymous, read-only virtual table setter_requests that shows it.
**
** Each entry has a sequence number (the id column).  A cursor walks the ids
** that existed when xFilter ran, so requests made while a statement reads
** the table do not appear half-way through.
**
** The lookup of a request (bot_integration_id, user_number, session_id) is
** read back from its logged path and query, which lookup.c builds as
** .../bot-integrations/<bot>/conversations?userNumber=<percent-encoded> or
** ?sessionId=<id>; user_number is percent-decoded, so it is the text the
** query gave ('+15550100001', not '%2B15550100001').
*/
#include "requests.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "listtable.h"
#include "sanitize.h"
#include "timestamp.h"

typedef struct LogEntry {
  int64_t id;
  char zStartedAt[32];
  char *zUrl;
  long status;
  int attempt;
  int64_t elapsedMs;
  int64_t nBytes;
  int cached;
  int64_t nMessages; /* messages in the answer; -1: none (failed, or not parsed) */
  char *zError;
} LogEntry;

struct SetterRequestLog {
  LogEntry *aEntry;
  int nCapacity;
  int64_t nextId;     /* id of the next entry; ids start at 1 */
  char *const *pzKey; /* the connection's API key slot (may hold NULL) */
};

SetterRequestLog *setterRequestLogNew(int nCapacity, char *const *pzKey) {
  SetterRequestLog *p = sqlite3_malloc(sizeof(*p));
  if (p == NULL) return NULL;
  p->aEntry = sqlite3_malloc64((sqlite3_uint64)nCapacity * sizeof(LogEntry));
  if (p->aEntry == NULL) {
    sqlite3_free(p);
    return NULL;
  }
  memset(p->aEntry, 0, (size_t)nCapacity * sizeof(LogEntry));
  p->nCapacity = nCapacity;
  p->nextId = 1;
  p->pzKey = pzKey;
  return p;
}

void setterRequestLogFree(SetterRequestLog *p) {
  int i;
  if (p == NULL) return;
  for (i = 0; i < p->nCapacity; i++) {
    sqlite3_free(p->aEntry[i].zUrl);
    sqlite3_free(p->aEntry[i].zError);
  }
  sqlite3_free(p->aEntry);
  sqlite3_free(p);
}

static LogEntry *entryById(SetterRequestLog *p, int64_t id) {
  LogEntry *e = &p->aEntry[(id - 1) % p->nCapacity];
  return e->id == id ? e : NULL;
}

/* zLogUrl with the API key, as written and percent-encoded as lookup.c
** encodes a user_number (curl_easy_escape), replaced by "****": a
** user_number may contain the key, and the log must never hold it.
** sqlite3_malloc'd; NULL when out of memory. */
static char *maskedUrl(const SetterRequestLog *p, const char *zUrl) {
  const char *zKey = p->pzKey ? *p->pzKey : NULL;
  char *zOnce, *zTwice, *zEscaped;
  if (zKey == NULL || zKey[0] == 0) return sqlite3_mprintf("%s", zUrl);
  zOnce = setterSanitize(zUrl, strlen(zUrl), strlen(zUrl), zKey);
  if (zOnce == NULL) return NULL;
  zEscaped = curl_easy_escape(NULL, zKey, 0);
  if (zEscaped == NULL) {
    sqlite3_free(zOnce);
    return NULL;
  }
  zTwice = setterSanitize(zOnce, strlen(zOnce), strlen(zOnce), zEscaped);
  curl_free(zEscaped);
  sqlite3_free(zOnce);
  return zTwice;
}

static void addEntry(SetterRequestLog *p, const char *zUrl, long status, int attempt,
                     int64_t elapsedMs, int64_t nBytes, int cached, int64_t nMessages,
                     const char *zError) {
  LogEntry *e = &p->aEntry[(p->nextId - 1) % p->nCapacity];
  sqlite3_free(e->zUrl);
  sqlite3_free(e->zError);
  e->id = p->nextId++;
  setterWallClockIso(e->zStartedAt, sizeof e->zStartedAt, elapsedMs);
  e->zUrl = maskedUrl(p, zUrl);
  e->status = status;
  e->attempt = attempt;
  e->elapsedMs = elapsedMs;
  e->nBytes = nBytes;
  e->cached = cached;
  e->nMessages = nMessages;
  /* transport errors may quote a server's text (a certificate subject):
  ** no control character may reach a terminal through this table */
  e->zError =
      zError ? setterSanitize(zError, strlen(zError), strlen(zError), p->pzKey ? *p->pzKey : NULL)
             : NULL;
}

void setterRequestLogAttempt(void *pCtx, const SetterAttempt *a) {
  addEntry((SetterRequestLog *)pCtx, a->zLogUrl, a->status, a->iAttempt, a->elapsedMs, a->nBytes, 0,
           -1, a->zError);
}

void setterRequestLogCached(SetterRequestLog *p, const char *zLogUrl, int64_t nMessages) {
  addEntry(p, zLogUrl, 200, 0, 0, 0, 1, nMessages, NULL);
}

void setterRequestLogMessages(SetterRequestLog *p, const char *zLogUrl, int64_t nMessages) {
  int64_t id;
  char *zMasked = maskedUrl(p, zLogUrl);
  if (zMasked == NULL) return; /* out of memory: the count stays unknown */
  for (id = p->nextId - 1; id >= 1 && id >= p->nextId - p->nCapacity; id--) {
    LogEntry *e = entryById(p, id);
    if (e && e->zUrl && strcmp(e->zUrl, zMasked) == 0) {
      e->nMessages = nMessages;
      break;
    }
  }
  sqlite3_free(zMasked);
}

/* ---- the setter_requests virtual table ---- */

#define REQUESTS_COLUMN_ID 0
#define REQUESTS_COLUMN_STARTED_AT 1
#define REQUESTS_COLUMN_METHOD 2
#define REQUESTS_COLUMN_URL 3
#define REQUESTS_COLUMN_STATUS 4
#define REQUESTS_COLUMN_ATTEMPT 5
#define REQUESTS_COLUMN_ELAPSED_MS 6
#define REQUESTS_COLUMN_BYTES 7
#define REQUESTS_COLUMN_CACHED 8
#define REQUESTS_COLUMN_MESSAGES 9
#define REQUESTS_COLUMN_ERROR 10
#define REQUESTS_COLUMN_BOT_INTEGRATION_ID 11
#define REQUESTS_COLUMN_USER_NUMBER 12
#define REQUESTS_COLUMN_SESSION_ID 13

/* The parts of a logged URL that name its lookup. */
typedef struct LoggedLookup {
  const char *zBot; /* digits of the bot id, nBot bytes; NULL if not found */
  int nBot;
  const char *zWho; /* the (encoded) userNumber or sessionId value */
  int bSession;
} LoggedLookup;

/* Splits ".../bot-integrations/<bot>/conversations?userNumber=..." (the
** only form lookup.c writes); zBot is NULL for anything else. */
static void splitLoggedUrl(const char *zUrl, LoggedLookup *p) {
  static const char zTail[] = "/conversations";
  const char *zQuery = zUrl ? strrchr(zUrl, '?') : NULL;
  const char *zEnd, *zStart;
  memset(p, 0, sizeof(*p));
  if (zQuery == NULL || zQuery - zUrl < (ptrdiff_t)sizeof zTail) return;
  zEnd = zQuery - (sizeof zTail - 1);
  if (memcmp(zEnd, zTail, sizeof zTail - 1) != 0) return;
  for (zStart = zEnd; zStart > zUrl && zStart[-1] >= '0' && zStart[-1] <= '9'; zStart--) {
  }
  if (zStart == zEnd || zStart == zUrl || zStart[-1] != '/') return;
  if (strncmp(zQuery, "?userNumber=", 12) == 0) {
    p->zWho = zQuery + 12;
  } else if (strncmp(zQuery, "?sessionId=", 11) == 0) {
    p->zWho = zQuery + 11;
    p->bSession = 1;
  } else {
    return;
  }
  p->zBot = zStart;
  p->nBot = (int)(zEnd - zStart);
}

static int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/* The percent-decoded text of z as the result (SQLITE_NOMEM on failure). */
static void resultDecoded(sqlite3_context *ctx, const char *z) {
  size_t n = strlen(z), i, j = 0;
  char *zOut = sqlite3_malloc64(n + 1);
  if (zOut == NULL) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  for (i = 0; i < n; i++) {
    int hi, lo;
    if (z[i] == '%' && i + 2 < n && (hi = hexValue(z[i + 1])) >= 0 &&
        (lo = hexValue(z[i + 2])) >= 0) {
      zOut[j++] = (char)(hi * 16 + lo);
      i += 2;
    } else {
      zOut[j++] = z[i];
    }
  }
  sqlite3_result_text(ctx, zOut, (int)j, sqlite3_free);
}

static int requestsConnect(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                           sqlite3_vtab **ppVtab, char **pzErr) {
  (void)argc;
  (void)argv;
  (void)pzErr;
  return setterListConnect(db, pAux,
                           "CREATE TABLE x(id INTEGER, started_at TEXT, method TEXT, url TEXT,"
                           " status INTEGER, attempt INTEGER, elapsed_ms INTEGER, bytes INTEGER,"
                           " cached INTEGER, messages INTEGER, error TEXT,"
                           " bot_integration_id INTEGER, user_number TEXT, session_id INTEGER)",
                           ppVtab);
}

static int requestsBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo) {
  (void)pVtab;
  pInfo->estimatedCost = SETTER_REQUEST_LOG_SIZE;
  pInfo->estimatedRows = SETTER_REQUEST_LOG_SIZE;
  return SQLITE_OK;
}

static SetterRequestLog *cursorLog(sqlite3_vtab_cursor *pCursor) {
  return setterListConn(pCursor)->pLog;
}

/* Positions are the ids of the entries that existed at xFilter. */
static int requestsFilter(sqlite3_vtab_cursor *pCursor, int idxNum, const char *idxStr, int argc,
                          sqlite3_value **argv) {
  SetterListCursor *pCur = (SetterListCursor *)pCursor;
  SetterRequestLog *pLog = cursorLog(pCursor);
  (void)idxNum;
  (void)idxStr;
  (void)argc;
  (void)argv;
  pCur->iLast = pLog->nextId - 1;
  pCur->i = pLog->nextId - pLog->nCapacity;
  if (pCur->i < 1) pCur->i = 1;
  return SQLITE_OK;
}

static int requestsNext(sqlite3_vtab_cursor *pCursor) {
  SetterListCursor *pCur = (SetterListCursor *)pCursor;
  SetterRequestLog *pLog = cursorLog(pCursor);
  do {
    pCur->i++;
  } while (pCur->i <= pCur->iLast && entryById(pLog, pCur->i) == NULL);
  return SQLITE_OK;
}

static int requestsEof(sqlite3_vtab_cursor *pCursor) {
  SetterListCursor *pCur = (SetterListCursor *)pCursor;
  return pCur->i > pCur->iLast || entryById(cursorLog(pCursor), pCur->i) == NULL;
}

static int requestsColumn(sqlite3_vtab_cursor *pCursor, sqlite3_context *ctx, int iCol) {
  SetterListCursor *pCur = (SetterListCursor *)pCursor;
  LogEntry *e = entryById(cursorLog(pCursor), pCur->i);
  if (e == NULL) return SQLITE_OK;
  switch (iCol) {
    case REQUESTS_COLUMN_ID:
      sqlite3_result_int64(ctx, e->id);
      break;
    case REQUESTS_COLUMN_STARTED_AT:
      sqlite3_result_text(ctx, e->zStartedAt, -1, SQLITE_TRANSIENT);
      break;
    case REQUESTS_COLUMN_METHOD:
      sqlite3_result_text(ctx, "GET", -1, SQLITE_STATIC);
      break;
    case REQUESTS_COLUMN_URL:
      sqlite3_result_text(ctx, e->zUrl, -1, SQLITE_TRANSIENT);
      break;
    case REQUESTS_COLUMN_STATUS:
      if (e->status) sqlite3_result_int64(ctx, e->status);
      break;
    case REQUESTS_COLUMN_ATTEMPT:
      sqlite3_result_int(ctx, e->attempt);
      break;
    case REQUESTS_COLUMN_ELAPSED_MS:
      sqlite3_result_int64(ctx, e->elapsedMs);
      break;
    case REQUESTS_COLUMN_BYTES:
      sqlite3_result_int64(ctx, e->nBytes);
      break;
    case REQUESTS_COLUMN_CACHED:
      sqlite3_result_int(ctx, e->cached);
      break;
    case REQUESTS_COLUMN_MESSAGES:
      if (e->nMessages >= 0) sqlite3_result_int64(ctx, e->nMessages);
      break;
    case REQUESTS_COLUMN_ERROR:
      if (e->zError) sqlite3_result_text(ctx, e->zError, -1, SQLITE_TRANSIENT);
      break;
    default: {
      LoggedLookup l;
      splitLoggedUrl(e->zUrl, &l);
      if (l.zBot == NULL) break;
      if (iCol == REQUESTS_COLUMN_BOT_INTEGRATION_ID) {
        sqlite3_result_int64(ctx, (sqlite3_int64)strtoll(l.zBot, NULL, 10));
      } else if (iCol == REQUESTS_COLUMN_USER_NUMBER && !l.bSession) {
        resultDecoded(ctx, l.zWho);
      } else if (iCol == REQUESTS_COLUMN_SESSION_ID && l.bSession) {
        sqlite3_result_int64(ctx, (sqlite3_int64)strtoll(l.zWho, NULL, 10));
      }
      break;
    }
  }
  return SQLITE_OK;
}

static sqlite3_module requestsModule = {
    0,                    /* iVersion */
    0,                    /* xCreate: none, so the table is eponymous only */
    requestsConnect,      /* xConnect */
    requestsBestIndex,    /* xBestIndex */
    setterListDisconnect, /* xDisconnect */
    0,                    /* xDestroy */
    setterListOpen,       /* xOpen */
    setterListClose,      /* xClose */
    requestsFilter,       /* xFilter */
    requestsNext,         /* xNext */
    requestsEof,          /* xEof */
    requestsColumn,       /* xColumn */
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

int setterRequestsRegister(sqlite3 *db, SetterConn *pConn) {
  setterConnRef(pConn);
  return sqlite3_create_module_v2(db, "setter_requests", &requestsModule, pConn, setterConnUnref);
}
