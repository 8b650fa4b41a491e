/*
** resolve.c - lookups -> rows: caches, then fetch (fetch.c), then parse
** (parse.c), then caches again.  See resolve.h.
**
** The fetch runs on this thread (setterFetchAll drives libcurl's multi
** interface); each answer is read as it arrives (setterFetchAll's xBody
** hands each piece to the request's SetterParser, which takes what it has
** read, so a body is never held whole) and finished in xDone.  An answer
** whose first byte past JSON white space is not '{' is held whole and
** parsed in xDone, so that its error can quote its start.
*/
#include <stdio.h>
#include <string.h>

#include "cache.h"
#include "compat.h"
#include "parse.h"
#include "progress.h"
#include "requests.h"
#include "resolve.h"
#include "sanitize.h"
#include "timestamp.h"

/* After this many one-lookup fetches in one statement, say once that an IN
** list would fetch them in parallel. */
#define SERIAL_FETCH_HINT_AFTER 10

/* ---- errors ---- */

/* Hands zMsg (sqlite3_malloc'd; NULL: no memory to write it) to *pzErr. */
static int fail(char **pzErr, char *zMsg) {
  sqlite3_free(*pzErr);
  *pzErr = zMsg;
  return zMsg ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* The API's own message from an error body, else the start of the body. */
static char *apiMessage(const char *zBody, size_t nBody, const char *zKey) {
  size_t nFound;
  char *zFound = setterApiErrorMessage(zBody, nBody, &nFound);
  char *zOut = zFound ? setterSanitize(zFound, nFound, SETTER_SANITIZE_MAX_BYTES, zKey)
                      : setterSanitize(zBody, nBody, SETTER_SANITIZE_MAX_BYTES, zKey);
  sqlite3_free(zFound);
  return zOut;
}

/* The error for a lookup whose request ended badly (sqlite3_malloc'd;
** NULL: no memory). */
static char *fetchError(const SetterConn *pConn, const SetterLookup *pLookup,
                        const SetterRequest *pReq) {
  const char *zKey = pConn->settings.zApiKey;
  char *zWhat = setterLookupDescribe(pLookup);
  char *zApi = NULL, *zMsg;
  char zAttempts[48] = "";
  if (zWhat == NULL) return NULL;
  if (pReq->nAttempt > 1)
    snprintf(zAttempts, sizeof zAttempts, " after %d attempts", pReq->nAttempt);
  if (pReq->eOutcome == SETTER_OUTCOME_FAILED && pReq->zError[0]) {
    char *zClean =
        setterSanitize(pReq->zError, strlen(pReq->zError), SETTER_SANITIZE_MAX_BYTES, zKey);
    zMsg = sqlite3_mprintf("request for %s failed%s: %s", zWhat, zAttempts, zClean ? zClean : "");
    sqlite3_free(zClean);
  } else if (pReq->status >= 300 && pReq->status < 400) {
    char *zLocation = pReq->zLocation ? setterSanitize(pReq->zLocation, strlen(pReq->zLocation),
                                                       SETTER_SANITIZE_MAX_BYTES, zKey)
                                      : NULL;
    zMsg = sqlite3_mprintf(
        "HTTP %ld for %s: redirect to '%s' not followed (the API key is "
        "sent only to base_url)",
        pReq->status, zWhat, zLocation ? zLocation : "?");
    sqlite3_free(zLocation);
  } else {
    const char *zHint = "";
    zApi = apiMessage(pReq->zBody, pReq->nBody, zKey);
    if (pReq->status == 401) {
      zHint = " (check the API key: SETTER_API_KEY or setter_config('api_key', ...))";
    }
    zMsg = sqlite3_mprintf("HTTP %ld for %s%s: %s%s", pReq->status, zWhat, zAttempts,
                           zApi && zApi[0] ? zApi : "no message", zHint);
  }
  sqlite3_free(zApi);
  sqlite3_free(zWhat);
  return zMsg;
}

/* Answers lookups from the statement's cache; returns how many it did not
** answer: the statement's new lookups. */
static sqlite3_int64 answerFromStatement(SetterScope *pScope, SetterLookupList *pLookups,
                                         unsigned int mask) {
  sqlite3_int64 nNew = 0;
  int i;
  for (i = 0; i < pLookups->n; i++) {
    SetterLookup *p = &pLookups->a[i];
    p->pRows = setterCacheGet(setterScopeCache(pScope), p->zUrl, mask, 0);
    nNew += p->pRows == NULL;
  }
  return nNew;
}

/* Answers the others from the connection's cache (cache_ttl). */
static void answerFromConnection(SetterConn *pConn, SetterScope *pScope, SetterLookupList *pLookups,
                                 unsigned int mask, int64_t nowMs) {
  int i;
  if (pConn->settings.cacheTtl <= 0 || pConn->pCache == NULL) return;
  for (i = 0; i < pLookups->n; i++) {
    SetterLookup *p = &pLookups->a[i];
    if (p->pRows) continue;
    p->pRows = setterCacheGet(pConn->pCache, p->zUrl, mask, nowMs);
    if (p->pRows) {
      setterRequestLogCached(pConn->pLog, p->zUrl + p->iPath, p->pRows->nRow);
      setterCachePut(setterScopeCache(pScope), p->zUrl, p->pRows, 0);
    }
  }
}

static void fillFetchSettings(SetterConn *pConn, SetterFetchSettings *pOut) {
  const SetterSettings *s = &pConn->settings;
  memset(pOut, 0, sizeof(*pOut));
  pOut->zApiKey = s->zApiKey;
  pOut->zCaBundle = s->zCaBundle;
  pOut->timeoutMs = s->timeoutMs;
  pOut->connectTimeoutMs = s->connectTimeoutMs;
  pOut->maxResponseBytes = s->maxResponseBytes;
  pOut->maxRetries = (int)s->maxRetries;
  pOut->concurrency = (int)s->concurrency;
  pOut->xAttempt = setterRequestLogAttempt;
  pOut->pAttemptCtx = pConn->pLog;
}

/* sqlite3_interrupt() and a progress handler seen from inside xFilter,
** polled by setterFetchAll at least every SETTER_FETCH_POLL_MS.
**   - sqlite3_interrupt(): sqlite3_is_interrupted() where the host has it
**     (3.41+, compat.h); on an older SQLite, the probe below, which fails
**     with SQLITE_INTERRUPT once sqlite3_interrupt() was called.
**   - a progress handler (Datasette's time limit, Python's
**     set_progress_handler): SQLite calls it only while a statement runs VM
**     steps, every N steps counted per statement.  So each poll steps a
**     probe statement of PROBE_MIN_STEPS or more VM steps (1,715 on 3.40.1;
**     "SELECT 1" ran 5, so a handler every 1,000 steps spoke once every ~250
**     polls, 12 s): a handler called every N <= 1,000 steps is called at
**     least once per poll, and a non-zero answer ends the fetch.  There is no
**     way to ask whether a handler is set, so the probe runs on every SQLite.
** The probe lives for one fetch (finalized before xFilter returns), so it
** can never keep sqlite3_close() busy. */
#define PROBE_SQL                                                                  \
  "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) " \
  "SELECT count(*) FROM n"

typedef struct InterruptProbe {
  sqlite3 *db;
  sqlite3_stmt *pStmt; /* PROBE_SQL, prepared on the first poll */
  int bBroken;         /* could not prepare it: only sqlite3_is_interrupted */
} InterruptProbe;

static int probeInterrupted(void *pCtx) {
  InterruptProbe *p = pCtx;
  int rc;
  if (setterIsInterrupted(p->db) == 1) return 1;
  if (p->bBroken) return 0;
  if (p->pStmt == NULL) {
    rc = sqlite3_prepare_v2(p->db, PROBE_SQL, -1, &p->pStmt, NULL);
    if (rc == SQLITE_INTERRUPT) return 1; /* the parser checks the flag too */
    if (rc != SQLITE_OK) {
      p->bBroken = 1;
      return 0;
    }
  }
  rc = sqlite3_step(p->pStmt);
  (void)sqlite3_reset(p->pStmt); /* repeats the step's error, known already */
  return rc == SQLITE_INTERRUPT;
}

/* Connects setterFetchAll's cancel and progress callbacks to this
** connection; setterFetchAll, then endFetchHooks(). */
static void startFetchHooks(SetterConn *pConn, SetterFetchSettings *pSettings,
                            InterruptProbe *pProbe, SetterProgressDisplay *pDisplay) {
  pProbe->db = pConn->db;
  pProbe->pStmt = NULL;
  pProbe->bBroken = 0;
  setterProgressInit(pDisplay, (int)pConn->settings.progress);
  pSettings->xCancelled = probeInterrupted;
  pSettings->pCancelCtx = pProbe;
  pSettings->xProgress = setterProgressReport;
  pSettings->pProgressCtx = pDisplay;
}

static void endFetchHooks(InterruptProbe *pProbe) {
  (void)sqlite3_finalize(pProbe->pStmt); /* its last step's error, not ours */
  pProbe->pStmt = NULL;
}

/* What setterFetchAll's xDone needs to parse answers as they arrive. */
typedef struct ArrivalContext {
  SetterConn *pConn;
  SetterLookup **apPending; /* apPending[i] is the lookup of request i */
  SetterParser **apParser;  /* apParser[i] reads request i's body as it arrives, or NULL */
  int *aAttempt;            /* aAttempt[i]: the attempt apParser[i] was made for (0: none) */
  unsigned int mask;        /* fields to extract */
  int bNoMem;               /* an answer could not be parsed for lack of memory */
  char **azErr;             /* azErr[i]: why answer i was refused (sqlite3_malloc'd) */
} ArrivalContext;

/* The fields to extract: what the statement reads, and with cache_ttl
** everything but raw_json (which would keep the whole body), so that what
** is kept across statements serves the next one whatever it reads. */
static unsigned int fieldsToExtract(const SetterConn *pConn, unsigned int mask) {
  if (pConn->settings.cacheTtl > 0) {
    mask |= SETTER_FIELD_ALL & ~SETTER_FIELD_BIT(SETTER_FIELD_RAW_JSON);
  }
  return mask;
}

/* xBody: reads what has arrived of an HTTP 200 answer and takes it.  The
** first byte of each attempt past JSON white space (taken as it arrives)
** starts a new parser, unless it is not '{' (then the body is held whole
** from there, for xDone, which quotes its start) or there is no memory for
** one (likewise: xDone reads it whole, and runs out of memory there if
** memory is still short).  Once the parser has found the answer bad (the
** error it keeps is final), *pbEnough ends the transfer: the rest of the
** body is not downloaded.  bLast (the transfer is failing): the parser reads
** all it can at once, so that an error in what arrived is still found. */
static size_t readArriving(void *pCtx, int iReq, SetterRequest *pReq, int bLast, int *pbEnough) {
  ArrivalContext *p = pCtx;
  size_t i = 0, nTaken = 0;
  if (p->aAttempt[iReq] != pReq->nAttempt) {
    /* the first byte that is not JSON white space decides; the white space
    ** before it is taken (so that it is never read twice), and the parser
    ** starts after it */
    while (i < pReq->nBody && (setterJsonClass[(unsigned char)pReq->zBody[i]] & JSON_CLASS_SPACE)) {
      i++;
    }
    if (i == pReq->nBody) return i; /* white space alone yet */
    setterParserFree(p->apParser[iReq]);
    p->apParser[iReq] = NULL;
    p->aAttempt[iReq] = pReq->nAttempt;
    if (pReq->zBody[i] != '{') return i;
    p->apParser[iReq] = setterParserNew(p->mask, p->pConn->settings.maxResponseBytes);
    if (p->apParser[iReq] == NULL) return i;
    setterParserSkipped(p->apParser[iReq], (size_t)pReq->nTaken + i);
  }
  if (p->apParser[iReq] == NULL) return 0;
  if (bLast) setterParserReadAll(p->apParser[iReq]);
  /* an error is kept in the parser, for xDone */
  *pbEnough = setterParserFeed(p->apParser[iReq], pReq->zBody + i, pReq->nBody - i, 0, &nTaken) !=
              SETTER_PARSE_OK;
  return i + nTaken;
}

/* xDone: finishes reading an answer (or reads it whole) and frees its body.
** A bad answer is refused, with its error in azErr[iReq]. */
static int parseArrival(void *pCtx, int iReq, SetterRequest *pReq) {
  ArrivalContext *p = pCtx;
  SetterConn *pConn = p->pConn;
  SetterLookup *pLookup = p->apPending[iReq];
  SetterParser *pParser = p->aAttempt[iReq] == pReq->nAttempt ? p->apParser[iReq] : NULL;
  char zErr[SETTER_PARSE_ERR_MAX];
  char *zBody = pReq->zBody, *zSnippet = NULL, *zWhat;
  size_t nBody = pReq->nBody;
  int64_t maxBytes = pConn->settings.maxResponseBytes;
  int rc;
  if (pParser == NULL && zBody && nBody && zBody[0] != '{')
    zSnippet = setterSanitize(zBody, nBody, 80, pConn->settings.zApiKey);
  pReq->zBody = NULL; /* the parser takes the body */
  pReq->nBody = 0;
  if (pParser) {
    char zEmpty[1] = {0};
    rc = setterParserFinish(pParser, zBody ? zBody : zEmpty, nBody, &pLookup->pRows, zErr,
                            sizeof zErr);
    setterParserFree(pParser);
    p->apParser[iReq] = NULL;
    sqlite3_free(zBody);
  } else {
    rc = setterParseResponse(zBody, nBody, p->mask, maxBytes, &pLookup->pRows, zErr, sizeof zErr);
  }
  if (rc == SETTER_PARSE_OK) {
    sqlite3_free(zSnippet);
    setterRequestLogMessages(pConn->pLog, pReq->zLogUrl, pLookup->pRows->nRow);
    return 0;
  }
  if (rc == SETTER_PARSE_NOMEM) {
    sqlite3_free(zSnippet);
    p->bNoMem = 1;
    return 1;
  }
  zWhat = setterLookupDescribe(pLookup);
  if (rc == SETTER_PARSE_TOO_LARGE) {
    fail(&p->azErr[iReq], sqlite3_mprintf("response for %s is larger than max_response_bytes (%lld "
                                          "bytes) once decoded into rows",
                                          zWhat, (long long)maxBytes));
  } else {
    fail(&p->azErr[iReq], sqlite3_mprintf("bad response for %s: %s%s%s%s", zWhat, zErr,
                                          zSnippet ? " (it starts with '" : "",
                                          zSnippet ? zSnippet : "", zSnippet ? "')" : ""));
  }
  sqlite3_free(zWhat);
  sqlite3_free(zSnippet);
  return 1;
}

/* Remembers the answers of a batch: every one in the statement's cache
** (bScope; a failed lookup's error rows too, so that the statement asks for
** no contact twice), the good ones also in the connection's (cache_ttl),
** also when the statement fails, so that a rerun asks only for what failed. */
static int cacheAnswers(SetterConn *pConn, SetterScope *pScope, SetterLookup **apPending,
                        int nPending, int bScope) {
  int64_t expiresMs = setterMonotonicMs() + pConn->settings.cacheTtl * 1000;
  int i;
  for (i = 0; i < nPending; i++) {
    SetterRows *pRows = apPending[i]->pRows;
    if (pRows == NULL) continue;
    if (bScope && setterCachePut(setterScopeCache(pScope), apPending[i]->zUrl, pRows, 0)) {
      return SQLITE_NOMEM;
    }
    if (pConn->settings.cacheTtl > 0 && pRows->zLookupError == NULL) {
      setterCachePut(pConn->pCache, apPending[i]->zUrl, pRows, expiresMs);
    }
  }
  return SQLITE_OK;
}

/* on_error 'row': each lookup whose request ended badly gets one row
** holding its error, the very text the statement's error would have been
** (prefix included, the key redacted).  SQLITE_OK or SQLITE_NOMEM. */
static int rowsForFailures(SetterConn *pConn, SetterLookup **apPending, SetterRequest *aReq,
                           char **azErr, int nReq) {
  int i;
  for (i = 0; i < nReq; i++) {
    char *zErr, *zFull = NULL, *zClean = NULL;
    if (apPending[i]->pRows) continue;
    zErr = aReq[i].eOutcome == SETTER_OUTCOME_REJECTED ? azErr[i]
                                                       : fetchError(pConn, apPending[i], &aReq[i]);
    if (zErr) zFull = sqlite3_mprintf(SETTER_ERROR_PREFIX "%s", zErr);
    if (zFull)
      zClean = setterSanitize(zFull, strlen(zFull), strlen(zFull), pConn->settings.zApiKey);
    apPending[i]->pRows = zClean ? setterRowsNewError(zClean) : NULL;
    if (zErr != azErr[i]) sqlite3_free(zErr);
    sqlite3_free(zFull);
    sqlite3_free(zClean);
    if (apPending[i]->pRows == NULL) return SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

/* A plain join fetches one lookup per outer row, and so does an IN list on
** SQLite before 3.38 (compat.h); after a few, say once (where progress is
** shown) how to fetch them in parallel. */
static void hintSerialJoin(SetterConn *pConn, SetterScope *pScope) {
  SetterProgressDisplay display;
  if (setterScopeSingleFetch(pScope) != SERIAL_FETCH_HINT_AFTER + 1) return;
  setterProgressInit(&display, (int)pConn->settings.progress);
  if (!display.bTerminal && !display.bPlain) return;
  if (!setterHasVtabIn()) {
    fprintf(stderr,
            "setter: this statement fetches one contact at a time: SQLite %s hands a "
            "virtual table IN lists and joins one value at a time (3.38 or newer fetches an "
            "IN list in parallel)\n",
            sqlite3_libversion());
    return;
  }
  fprintf(stderr,
          "setter: this statement fetches one contact at a time (a join); add "
          "AND c.user_number IN (SELECT ...) to fetch them in parallel\n");
}

/* Fetches every lookup that no cache answered, in parallel. */
static int fetchMissing(SetterConn *pConn, SetterScope *pScope, SetterLookupList *pLookups,
                        unsigned int mask, char **pzErr) {
  SetterFetchSettings settings;
  InterruptProbe probe;
  SetterProgressDisplay display;
  ArrivalContext arrival;
  SetterRequest *aReq = NULL;
  SetterLookup **apPending = NULL;
  SetterParser **apParser = NULL;
  int *aAttempt = NULL;
  char **azErr = NULL;
  int bRowOnError = pConn->settings.onError == SETTER_ON_ERROR_ROW;
  int nPending = 0, nReq = 0, i, iFailed, rc = SQLITE_OK;

  for (i = 0; i < pLookups->n; i++) nPending += pLookups->a[i].pRows == NULL;
  if (nPending == 0) return SQLITE_OK;
  if (pConn->pFetcher == NULL) {
    pConn->pFetcher = setterFetcherNew();
    if (pConn->pFetcher == NULL)
      return fail(pzErr, sqlite3_mprintf("could not initialise libcurl"));
  }
  aReq = sqlite3_malloc64((sqlite3_uint64)nPending * sizeof(SetterRequest));
  apPending = sqlite3_malloc64((sqlite3_uint64)nPending * sizeof(SetterLookup *));
  azErr = sqlite3_malloc64((sqlite3_uint64)nPending * sizeof(char *));
  apParser = sqlite3_malloc64((sqlite3_uint64)nPending * sizeof(SetterParser *));
  aAttempt = sqlite3_malloc64((sqlite3_uint64)nPending * sizeof(int));
  if (aReq == NULL || apPending == NULL || azErr == NULL || apParser == NULL || aAttempt == NULL) {
    rc = SQLITE_NOMEM;
    goto done;
  }
  memset(aReq, 0, (size_t)nPending * sizeof(SetterRequest));
  memset(azErr, 0, (size_t)nPending * sizeof(char *));
  memset(apParser, 0, (size_t)nPending * sizeof(SetterParser *));
  memset(aAttempt, 0, (size_t)nPending * sizeof(int));
  for (i = 0; i < pLookups->n; i++) {
    SetterLookup *p = &pLookups->a[i];
    if (p->pRows) continue;
    apPending[nReq] = p;
    aReq[nReq].zUrl = p->zUrl;
    aReq[nReq].zLogUrl = p->zUrl + p->iPath;
    nReq++;
  }
  if (nReq == 1 && pLookups->n == 1) hintSerialJoin(pConn, pScope);
  fillFetchSettings(pConn, &settings);
  arrival.pConn = pConn;
  arrival.apPending = apPending;
  arrival.apParser = apParser;
  arrival.aAttempt = aAttempt;
  arrival.mask = fieldsToExtract(pConn, mask);
  arrival.bNoMem = 0;
  arrival.azErr = azErr;
  /* With on_error 'row' every lookup needs its own outcome; with cache_ttl
  ** the good answers of a failing batch are kept for the rerun. */
  settings.bKeepGoing = bRowOnError || pConn->settings.cacheTtl > 0;
  settings.xDone = parseArrival;
  settings.pDoneCtx = &arrival;
  settings.xBody = readArriving;
  settings.pBodyCtx = &arrival;
  startFetchHooks(pConn, &settings, &probe, &display);
  iFailed = setterFetchAll(pConn->pFetcher, &settings, aReq, nReq);
  endFetchHooks(&probe);
  if (iFailed == SETTER_FETCH_CANCELLED) {
    (void)cacheAnswers(pConn, pScope, apPending, nReq, 0); /* what arrived, for the rerun */
    rc = SQLITE_INTERRUPT;                                 /* SQLite's own message: "interrupted" */
  } else if (iFailed == SETTER_FETCH_NOT_STARTED) {
    rc = fail(pzErr, sqlite3_mprintf("could not start the requests: %s",
                                     setterFetcherError(pConn->pFetcher)));
  } else if (iFailed == SETTER_FETCH_MULTI_FAILED) {
    /* no lookup is at fault, so even with on_error 'row' the statement
    ** fails; the answers that arrived are good, kept for the rerun */
    (void)cacheAnswers(pConn, pScope, apPending, nReq, 0);
    rc = fail(pzErr, sqlite3_mprintf("%s", setterFetcherError(pConn->pFetcher)));
  } else if (iFailed >= 0 && (aReq[iFailed].eOutcome == SETTER_OUTCOME_NOMEM || arrival.bNoMem)) {
    /* no lookup is at fault either; the good answers are kept if memory allows */
    (void)cacheAnswers(pConn, pScope, apPending, nReq, 0);
    rc = SQLITE_NOMEM;
  } else if (iFailed >= 0 && bRowOnError) {
    rc = rowsForFailures(pConn, apPending, aReq, azErr, nReq);
    if (rc == SQLITE_OK) rc = cacheAnswers(pConn, pScope, apPending, nReq, 1);
  } else if (iFailed >= 0) {
    (void)cacheAnswers(pConn, pScope, apPending, nReq, 0); /* the good ones, for the rerun */
    if (aReq[iFailed].eOutcome == SETTER_OUTCOME_REJECTED) {
      rc = fail(pzErr, azErr[iFailed]); /* parseArrival wrote the message */
      azErr[iFailed] = NULL;
    } else {
      rc = fail(pzErr, fetchError(pConn, apPending[iFailed], &aReq[iFailed]));
    }
  } else {
    rc = cacheAnswers(pConn, pScope, apPending, nReq, 1);
  }

done:
  for (i = 0; azErr && i < nReq; i++) sqlite3_free(azErr[i]);
  for (i = 0; apParser && i < nReq; i++) setterParserFree(apParser[i]);
  sqlite3_free(apParser);
  sqlite3_free(aAttempt);
  sqlite3_free(azErr);
  for (i = 0; i < nReq; i++) setterRequestClear(&aReq[i]);
  sqlite3_free(aReq);
  sqlite3_free(apPending);
  return rc;
}

/* A failed lookup's error rows from the statement's cache (on_error was
** 'row' for an earlier reference) fail the statement if on_error is now
** 'fail'.  SQLITE_OK, or SQLITE_ERROR with *pzErr. */
static int failCachedErrors(SetterConn *pConn, SetterLookupList *pLookups, char **pzErr) {
  int i;
  if (pConn->settings.onError == SETTER_ON_ERROR_ROW) return SQLITE_OK;
  for (i = 0; i < pLookups->n; i++) {
    SetterRows *pRows = pLookups->a[i].pRows;
    if (pRows && pRows->zLookupError) {
      return fail(pzErr, sqlite3_mprintf("%s", pRows->zLookupError + strlen(SETTER_ERROR_PREFIX)));
    }
  }
  return SQLITE_OK;
}

int setterResolve(SetterConn *pConn, SetterScope *pScope, SetterLookupList *pLookups,
                  unsigned int mask, char **pzErr) {
  sqlite3_int64 nNew = answerFromStatement(pScope, pLookups, mask);
  sqlite3_int64 nAll = setterScopeLookups(pScope) + nNew;
  int rc;
  if (nAll > pConn->settings.maxLookups) {
    /* max_lookups bounds the statement: a join makes a lookup per outer row */
    return fail(pzErr, sqlite3_mprintf("%lld lookups in this statement is more than max_lookups "
                                       "(%lld); raise it with SELECT setter_config('max_lookups', "
                                       "...)",
                                       (long long)nAll, (long long)pConn->settings.maxLookups));
  }
  answerFromConnection(pConn, pScope, pLookups, mask, setterMonotonicMs());
  rc = failCachedErrors(pConn, pLookups, pzErr);
  if (rc == SQLITE_OK) rc = fetchMissing(pConn, pScope, pLookups, mask, pzErr);
  if (rc == SQLITE_OK) setterScopeAddLookups(pScope, nNew);
  return rc;
}
