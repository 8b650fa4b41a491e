/*
** fetch.h - parallel HTTP GETs through libcurl's multi interface.
**
**   SetterFetcher *f = setterFetcherNew();       one per database connection
**   SetterRequest aReq[n];  ... aReq[i].zUrl = ...; aReq[i].zLogUrl = ...;
**   int iFailed = setterFetchAll(f, &settings, aReq, n);
**   -1: every request got HTTP 200, bodies in aReq[i].zBody unless
**       settings.xDone took them (caller frees with setterRequestClear)
**   else: aReq[iFailed] ended badly: an HTTP status other than 200 (status,
**       zBody, zLocation) or a transport failure (status 0, zError); the
**       other requests may be cancelled (eOutcome SETTER_OUTCOME_CANCELLED);
**       or its answer was refused by xDone (SETTER_OUTCOME_REJECTED).
**   setterFetcherFree(f);
**
** At most settings.concurrency transfers are in flight; connections are kept
** alive in the fetcher's multi handle between calls (and multiplexed over
** HTTP/2 when the server offers it).  Transient failures (HTTP 429, 500, 502,
** 503, 504, timeouts, refused or reset connections, truncated bodies) are
** retried up to settings.maxRetries times with exponential backoff and
** jitter, or after exactly the server's Retry-After.  Nothing is returned to
** the caller before every request has finished, so a retry can never follow
** rows that were already handed out.  Each attempt is reported through
** settings.xAttempt for the request log.  The API key goes only into the
** Authorization header; it is never part of a URL, a log line or an error.
*/
#ifndef SETTER_FETCH_H
#define SETTER_FETCH_H

#include <stddef.h>
#include <stdint.h>

#define SETTER_RETRY_AFTER_MAX_SECONDS 60

typedef struct SetterFetcher SetterFetcher;

/* What one attempt looked like, for the request log. */
typedef struct SetterAttempt {
  const char *zLogUrl; /* path and query */
  long status;         /* HTTP status, 0 when there was no answer */
  int iAttempt;        /* 1 for the first try */
  int64_t elapsedMs;
  int64_t nBytes;     /* body bytes received */
  const char *zError; /* NULL, or what went wrong */
} SetterAttempt;

enum SetterOutcome {
  SETTER_OUTCOME_PENDING = 0,
  SETTER_OUTCOME_HTTP,      /* got an HTTP answer: status, zBody */
  SETTER_OUTCOME_FAILED,    /* no usable answer: zError */
  SETTER_OUTCOME_CANCELLED, /* stopped because another request failed */
  SETTER_OUTCOME_REJECTED   /* HTTP 200, but xDone refused the answer */
};

typedef struct SetterRequestState SetterRequestState;

typedef struct SetterRequest {
  const char *zUrl;    /* in: the full URL */
  const char *zLogUrl; /* in: its path and query, for the log */
  int eOutcome;        /* out: enum SetterOutcome */
  long status;         /* out: HTTP status, or 0 */
  char *zBody;         /* out: response body (malloc'd) */
  size_t nBody;
  char *zLocation;            /* out: Location of a 3xx answer (malloc'd) */
  char zError[256];           /* out: transport failure, plain text */
  int nAttempt;               /* out: attempts made */
  SetterRequestState *pState; /* private to fetch.c */
} SetterRequest;

typedef struct SetterFetchSettings {
  const char *zApiKey;
  const char *zCaBundle; /* NULL: the system's CAs */
  int64_t timeoutMs;     /* whole request, per attempt */
  int64_t connectTimeoutMs;
  int64_t maxResponseBytes;
  int maxRetries;
  int concurrency;
  int bProgress; /* report progress on stderr */
  void (*xAttempt)(void *pCtx, const SetterAttempt *pAttempt);
  void *pAttemptCtx;
  /* Called as soon as request iReq got HTTP 200, so its body can be parsed
  ** (and freed) while the others are still in flight.  It may take
  ** pReq->zBody.  A non-zero return stops everything: the request is then
  ** SETTER_OUTCOME_REJECTED and setterFetchAll returns its index. */
  int (*xDone)(void *pCtx, int iReq, SetterRequest *pReq);
  void *pDoneCtx;
} SetterFetchSettings;

SetterFetcher *setterFetcherNew(void);
void setterFetcherFree(SetterFetcher *pFetcher);

/* Runs every request; returns -1 if all got HTTP 200, else the index of the
** first request that ended badly.  Returns -2 if the fetcher could not start
** (no memory, libcurl refused an option); aReq[0].zError then says why. */
int setterFetchAll(SetterFetcher *pFetcher, const SetterFetchSettings *pSettings,
                   SetterRequest *aReq, int nReq);

/* Frees what a request received and resets its outputs. */
void setterRequestClear(SetterRequest *pReq);

#endif /* SETTER_FETCH_H */
