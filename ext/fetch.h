/*
** fetch.h - parallel HTTP GETs through libcurl's multi interface.
**
**   char zErr[200];
**   if (setterFetchCheckLibcurl(zErr, sizeof zErr)) ... refuse to load ...
**   SetterFetcher *f = setterFetcherNew();       one per database connection
**   SetterRequest aReq[n];  ... aReq[i].zUrl = ...; aReq[i].zLogUrl = ...;
**   int iFailed = setterFetchAll(f, &settings, aReq, n);
**   SETTER_FETCH_OK (-1): every request got HTTP 200, bodies in aReq[i].zBody
**       unless settings.xDone took them (caller frees with setterRequestClear)
**   SETTER_FETCH_NOT_STARTED (-2): no memory or libcurl refused to start;
**       setterFetcherError(f) says why
**   SETTER_FETCH_CANCELLED (-3): settings.xCancelled said stop; every
**       transfer was removed, every unfinished request is
**       SETTER_OUTCOME_CANCELLED
**   SETTER_FETCH_MULTI_FAILED (-4): libcurl's multi interface itself failed
**       (curl_multi_perform, curl_multi_poll or curl_multi_add_handle), no
**       request at fault: the requests that had finished keep their
**       outcome (xDone saw the good ones), every unfinished one is
**       SETTER_OUTCOME_CANCELLED, and setterFetcherError(f) says
**       "libcurl multi interface failed (curl_multi_poll): Out of memory"
**   else: aReq[iFailed] ended badly: an HTTP status other than 200 (status,
**       zBody, zLocation) or a transport failure (status 0, zError); or no
**       memory for its body or to start its transfer (SETTER_OUTCOME_NOMEM,
**       no fault of the request's); or its answer was
**       refused by xDone (SETTER_OUTCOME_REJECTED).  The other requests may
**       be cancelled (eOutcome SETTER_OUTCOME_CANCELLED), unless
**       settings.bKeepGoing: then each of them ended as it would alone.
**   setterFetcherFree(f);
**
** A request's fields describe that request only: a failure of the batch as
** a whole is never written into one of them.
**
** At most settings.concurrency transfers are in flight; connections are kept
** alive in the fetcher's multi handle between calls (and multiplexed over
** HTTP/2 when the server offers it).  Transient failures (HTTP 429, 500, 502,
** 503, 504, timeouts, refused or reset connections, truncated bodies) are
** retried up to settings.maxRetries times with exponential backoff and
** jitter, or after exactly the server's Retry-After.  Nothing is returned to
** the caller before every request has finished, so a retry can never follow
** rows that were already handed out.  Each attempt is reported through
** settings.xAttempt for the request log, progress through settings.xProgress.
** settings.xCancelled is polled at least every SETTER_FETCH_POLL_MS, also
** while transfers run and during backoff and Retry-After waits.  The API key
** goes only into the Authorization header; it is never part of a URL, a log
** line or an error.
**
** fork(): the fetcher remembers the process that created its libcurl
** handles.  In another process (a forked child) setterFetchAll abandons the
** inherited handles without touching them (their sockets are the parent's)
** and creates its own; setterFetcherFree there frees only its own.
**
** Memory: bodies, Location copies and the fetcher's own structures come
** from setterMalloc (alloc.h); libcurl allocates its own with libc.  A body
** buffer is sized from Content-Length (up to 1 MiB) when it is held whole;
** with xBody it holds only what xBody has not taken yet, and grows by
** doubling.
*/
#ifndef SETTER_FETCH_H
#define SETTER_FETCH_H

#include <stddef.h>
#include <stdint.h>

#define SETTER_RETRY_AFTER_MAX_SECONDS 60

/* setterFetchAll results other than a request index. */
#define SETTER_FETCH_OK (-1)
#define SETTER_FETCH_NOT_STARTED (-2)
#define SETTER_FETCH_CANCELLED (-3)
#define SETTER_FETCH_MULTI_FAILED (-4)

/* The longest time between two calls of xCancelled (and xProgress). */
#define SETTER_FETCH_POLL_MS 50

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
  SETTER_OUTCOME_CANCELLED, /* stopped: another request failed, or xCancelled */
  SETTER_OUTCOME_REJECTED,  /* HTTP 200, but xDone refused the answer */
  SETTER_OUTCOME_NOMEM      /* no memory for the body or the transfer: SQLITE_NOMEM */
};

typedef struct SetterRequestState SetterRequestState;

typedef struct SetterRequest {
  const char *zUrl;    /* in: the full URL */
  const char *zLogUrl; /* in: its path and query, for the log */
  int eOutcome;        /* out: enum SetterOutcome */
  long status;         /* out: HTTP status, or 0 */
  char *zBody;         /* out: response body (setterMalloc'd); with xBody, the
                       ** bytes of it xBody has not taken */
  size_t nBody;
  int64_t nTaken;             /* out: bytes xBody took from the start of the body */
  char *zLocation;            /* out: Location of a 3xx answer (setterMalloc'd) */
  char zError[256];           /* out: transport failure, plain text */
  int nAttempt;               /* out: attempts made */
  SetterRequestState *pState; /* private to fetch.c */
} SetterRequest;

/* Where a batch stands, for a progress display. */
typedef struct SetterProgress {
  int nDone;  /* requests finished */
  int nTotal; /* requests in the batch */
  int nRetries;
  int64_t elapsedMs; /* since setterFetchAll started */
  int bFinal;        /* the last report of the batch (also after a failure) */
} SetterProgress;

typedef struct SetterFetchSettings {
  const char *zApiKey;
  const char *zCaBundle; /* NULL: the system's CAs */
  int64_t timeoutMs;     /* whole request, per attempt */
  int64_t connectTimeoutMs;
  int64_t maxResponseBytes;
  int maxRetries;
  int concurrency;
  /* 0: the first request that ends badly stops the batch (the others are
  ** cancelled).  1: the others run to their end (and xDone sees each good
  ** one); setterFetchAll still returns the first that ended badly.  A
  ** cancel, no memory for a body, or a failure of libcurl's multi interface
  ** (SETTER_FETCH_MULTI_FAILED) stops the batch either way. */
  int bKeepGoing;
  void (*xAttempt)(void *pCtx, const SetterAttempt *pAttempt);
  void *pAttemptCtx;
  /* Called as soon as request iReq got HTTP 200, so its body can be parsed
  ** (and freed) while the others are still in flight.  It may take
  ** pReq->zBody.  A non-zero return stops everything: the request is then
  ** SETTER_OUTCOME_REJECTED and setterFetchAll returns its index. */
  int (*xDone)(void *pCtx, int iReq, SetterRequest *pReq);
  void *pDoneCtx;
  /* Optional: called each time bytes of an HTTP 200 answer arrived, with
  ** pReq->zBody[0..nBody) the body's bytes from the first one it has not
  ** taken (pReq->nTaken of them were); returns how many of those it takes
  ** now: they are dropped, so the body need not be held whole.  A new
  ** attempt (pReq->nAttempt) starts the body again.  xDone gets the rest.
  ** Setting *pbEnough says the rest of the body cannot change the answer
  ** (it is known to be bad): the transfer ends there, unread, and xDone
  ** gets what is held, as if the body had ended.  bLast: the transfer is
  ** ending without the rest of the body (a timeout, a closed connection,
  ** max_response_bytes; pReq->zBody then holds every byte that fits the
  ** bound), so xBody reads all it can now; if it sets *pbEnough, the answer
  ** goes to xDone as above instead of failing with the transfer. */
  size_t (*xBody)(void *pCtx, int iReq, SetterRequest *pReq, int bLast, int *pbEnough);
  void *pBodyCtx;
  /* Polled at least every SETTER_FETCH_POLL_MS; non-zero stops the batch
  ** (SETTER_FETCH_CANCELLED).  NULL: never cancelled. */
  int (*xCancelled)(void *pCtx);
  void *pCancelCtx;
  /* Called at most every SETTER_FETCH_POLL_MS and once at the end (bFinal).
  ** NULL: no progress reports. */
  void (*xProgress)(void *pCtx, const SetterProgress *pProgress);
  void *pProgressCtx;
} SetterFetchSettings;

/* 0 if the libcurl in use has what this code needs (7.85 or newer,
** thread-safe curl_global_init, an asynchronous resolver), else 1 with
** zErr = "setter: needs libcurl 7.85 or newer with ...; this is ...". */
int setterFetchCheckLibcurl(char *zErr, size_t nErr);

SetterFetcher *setterFetcherNew(void);
void setterFetcherFree(SetterFetcher *pFetcher);

/* Why the last setterFetchAll failed as a whole (SETTER_FETCH_NOT_STARTED,
** SETTER_FETCH_MULTI_FAILED): plain text, never the key; "" otherwise. */
const char *setterFetcherError(const SetterFetcher *pFetcher);

/* Runs every request; returns SETTER_FETCH_OK if all got HTTP 200, else
** the index of the first request that ended badly, SETTER_FETCH_CANCELLED,
** SETTER_FETCH_NOT_STARTED or SETTER_FETCH_MULTI_FAILED (the batch failed
** as a whole: setterFetcherError says why). */
int setterFetchAll(SetterFetcher *pFetcher, const SetterFetchSettings *pSettings,
                   SetterRequest *aReq, int nReq);

/* Frees what a request received and resets its outputs. */
void setterRequestClear(SetterRequest *pReq);

#endif /* SETTER_FETCH_H */
