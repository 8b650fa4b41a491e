/*
** fetch.c - libcurl transfers for setter_conversations (see fetch.h).
**
** One CURLM multi handle per database connection owns the connection pool,
** so keep-alive connections (and HTTP/2 streams) are reused across
** statements.  setterFetchAll() is a small scheduler in the style of curl's
** 10-at-a-time.c: start transfers while fewer than `concurrency` are in
** flight, wait with curl_multi_poll(), collect finished transfers, and put
** transient failures in a min-heap ordered by their not-before time, so one
** pass costs O(in flight + due retries), not O(batch).  It is three steps
** over one FetchRun: runSetup (handles, states, headers), runStep (one
** round, repeated until the batch is over) and runTeardown (stop what still
** runs, free).  Every attempt gets a fresh easy handle (curl_easy_init),
** cleaned up as soon as it finished: no handle outlives the buffers and
** header list it points to.
** A failure of the multi handle itself (curl_multi_perform, _poll,
** _add_handle) ends the batch with SETTER_FETCH_MULTI_FAILED and blames no
** request: its text is the fetcher's, and the requests that had finished
** keep their outcome.
**
** Bodies (onBody): an attempt's bytes are appended to its request's
** buffer.  An HTTP 200 answer with settings.xBody set is handed to xBody
** after each append, and the bytes it takes are dropped from the front, so
** the buffer holds only what the caller has not read yet; once xBody says
** it needs no more (the answer is bad whatever follows), the transfer ends
** there, unread, and the answer goes to xDone as if it had ended.  Such an
** answer that ends otherwise (a timeout, a closed connection, passing
** maxResponseBytes: its bytes that fit are kept) is handed to xBody a last
** time (bLast), so that an error in the bytes that arrived is its answer
** however they were cut into reads and whatever came after them.  Any
** other answer is kept whole, in a buffer sized once from Content-Length
** when that is at most BODY_PRESIZE_MAX, else grown as the bytes arrive.
** libcurl reads RECEIVE_BUFFER_BYTES at a time.
**
** The wait is cut into slices of at most SETTER_FETCH_POLL_MS, so that
** xCancelled and xProgress are called in time while transfers run and while
** a retry waits for its backoff or Retry-After.
**
** fork(): the multi and share handles hold sockets and TLS state shared with
** the process that created them.  The fetcher records that process id; a
** forked child abandons them unseen (cleaning them up would shut down the
** parent's connections) and starts with new handles.
**
** Security settings on every transfer: only http and https, no redirects
** followed (a 3xx comes back to the caller with its Location), TLS peer and
** host verification on, the key only in the Authorization header.
*/
#include "fetch.h"
#include "version.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "alloc.h"
#include "timestamp.h"

/* How the body of the current attempt is held (SetterRequestState.eBody). */
#define BODY_UNKNOWN 0
#define BODY_WHOLE 1  /* whole, for xDone */
#define BODY_PIECES 2 /* HTTP 200 with xBody: xBody takes what it has read */
#define BODY_FIRST_ALLOC 65536
/* A body held whole is sized once from its Content-Length up to this; a
** larger one grows by doubling as it arrives, so that a length announced
** but not sent costs no memory. */
#define BODY_PRESIZE_MAX (1024 * 1024)
/* libcurl's receive buffer (its default is 16 KiB): fewer, larger reads
** and fewer rounds of the scheduler for a big body. */
#define RECEIVE_BUFFER_BYTES (128 * 1024)

#define BACKOFF_BASE_MS 250
#define BACKOFF_MAX_MS 30000
#define LIBCURL_MIN_VERSION 0x075500 /* 7.85.0: CURLOPT_PROTOCOLS_STR */

struct SetterFetcher {
  pid_t pid;            /* the process that created pMulti and pShare */
  CURLM *pMulti;        /* owns the kept-alive connections */
  CURLSH *pShare;       /* TLS session cache shared by the easy handles */
  uint64_t randomState; /* for backoff jitter */
  char zError[256];     /* why the last batch failed as a whole, or "" */
};

struct SetterRequestState {
  CURL *pEasy; /* while in flight */
  const SetterFetchSettings *pSettings;
  int iReq;            /* the request's index, for xBody */
  int eBody;           /* BODY_UNKNOWN until its first bytes, then BODY_WHOLE or BODY_PIECES */
  int64_t notBeforeMs; /* when a retry may start */
  int64_t startedMs;
  size_t nAlloc; /* bytes allocated to zBody */
  int bTooLarge; /* the body passed maxResponseBytes */
  int bNoMem;    /* no memory for the body */
  int bEnough;   /* xBody needs no more of the body: the transfer was ended early */
  int64_t maxBytes;
  char zCurlError[CURL_ERROR_SIZE];
};

int setterFetchCheckLibcurl(char *zErr, size_t nErr) {
  const curl_version_info_data *pInfo = curl_version_info(CURLVERSION_NOW);
  const char *zMissing = NULL;
  if (pInfo == NULL) {
    snprintf(zErr, nErr, "setter: libcurl does not describe itself (curl_version_info)");
    return 1;
  }
  if (pInfo->version_num < LIBCURL_MIN_VERSION) {
    zMissing = "";
  } else if (!(pInfo->features & CURL_VERSION_THREADSAFE)) {
    zMissing = " without thread-safe init";
  } else if (!(pInfo->features & CURL_VERSION_ASYNCHDNS)) {
    zMissing = " without asynchronous DNS";
  }
  if (zMissing == NULL) return 0;
  snprintf(zErr, nErr,
           "setter: needs libcurl 7.85 or newer with thread-safe init (CURL_VERSION_THREADSAFE) "
           "and asynchronous DNS (CURL_VERSION_ASYNCHDNS); this is %s%s",
           pInfo->version ? pInfo->version : "an unknown version", zMissing);
  return 1;
}

/* Creates the process's own multi and share handles; 0 on success. */
static int openHandles(SetterFetcher *p) {
  p->pid = getpid();
  p->pMulti = curl_multi_init();
  p->pShare = curl_share_init();
  if (p->pMulti == NULL || p->pShare == NULL ||
      curl_share_setopt(p->pShare, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK ||
      curl_multi_setopt(p->pMulti, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX) != CURLM_OK) {
    return 1;
  }
  p->randomState = (uint64_t)setterMonotonicMs() ^ (uint64_t)(uintptr_t)p ^
                   ((uint64_t)p->pid << 32) ^ 0x9e3779b97f4a7c15ull;
  return 0;
}

/* Cleans up the handles, but only in the process that created them. */
static void closeHandles(SetterFetcher *p) {
  if (p->pid == getpid()) {
    if (p->pMulti) curl_multi_cleanup(p->pMulti);
    if (p->pShare) curl_share_cleanup(p->pShare);
  }
  /* else: inherited across fork(); abandoned, never touched */
  p->pMulti = NULL;
  p->pShare = NULL;
}

SetterFetcher *setterFetcherNew(void) {
  SetterFetcher *p = setterCalloc(sizeof(*p));
  if (p == NULL) return NULL;
  if (openHandles(p)) {
    setterFetcherFree(p);
    return NULL;
  }
  return p;
}

const char *setterFetcherError(const SetterFetcher *p) {
  return p->zError;
}

void setterFetcherFree(SetterFetcher *p) {
  if (p == NULL) return;
  closeHandles(p);
  setterFree(p);
}

void setterRequestClear(SetterRequest *pReq) {
  setterFree(pReq->zBody);
  setterFree(pReq->zLocation);
  setterFree(pReq->pState);
  pReq->zBody = NULL;
  pReq->nBody = 0;
  pReq->nTaken = 0;
  pReq->zLocation = NULL;
  pReq->pState = NULL;
  pReq->eOutcome = SETTER_OUTCOME_PENDING;
  pReq->status = 0;
  pReq->zError[0] = 0;
  pReq->nAttempt = 0;
}

static uint64_t nextRandom(SetterFetcher *p) {
  /* xorshift64*: jitter only, not security */
  p->randomState ^= p->randomState >> 12;
  p->randomState ^= p->randomState << 25;
  p->randomState ^= p->randomState >> 27;
  return p->randomState * 0x2545f4914f6cdd1dull;
}

/* Exponential backoff with "equal jitter": half fixed, half random. */
static int64_t backoffMs(SetterFetcher *p, int nAttempt) {
  int64_t delay = BACKOFF_BASE_MS;
  int k;
  for (k = 1; k < nAttempt && delay < BACKOFF_MAX_MS; k++) delay *= 2;
  if (delay > BACKOFF_MAX_MS) delay = BACKOFF_MAX_MS;
  return delay / 2 + (int64_t)(nextRandom(p) % (uint64_t)(delay / 2 + 1));
}

/* BODY_PIECES for an HTTP 200 answer when xBody is set, else BODY_WHOLE. */
static int bodyMode(SetterRequestState *pState) {
  long status = 0;
  if (pState->pSettings->xBody == NULL) return BODY_WHOLE;
  if (curl_easy_getinfo(pState->pEasy, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK) {
    return BODY_WHOLE;
  }
  return status == 200 ? BODY_PIECES : BODY_WHOLE;
}

/* Room for n more bytes and a 0 terminator; 0 on success. */
static int bodyReserve(SetterRequest *pReq, SetterRequestState *pState, size_t n) {
  curl_off_t nExpected = -1;
  size_t nNew;
  char *zNew;
  if (pReq->nBody + n + 1 <= pState->nAlloc) return 0;
  nNew = pState->nAlloc ? pState->nAlloc * 2 : 16384;
  if (pState->eBody == BODY_PIECES) {
    if (nNew < BODY_FIRST_ALLOC) nNew = BODY_FIRST_ALLOC;
  } else if (pState->nAlloc == 0 &&
             curl_easy_getinfo(pState->pEasy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &nExpected) ==
                 CURLE_OK &&
             nExpected > 0 && nExpected <= pState->maxBytes && nExpected <= BODY_PRESIZE_MAX) {
    nNew = (size_t)nExpected + 1;
  }
  while (nNew < pReq->nBody + n + 1) nNew *= 2;
  zNew = setterRealloc(pReq->zBody, nNew);
  if (zNew == NULL) return 1;
  pReq->zBody = zNew;
  pState->nAlloc = nNew;
  return 0;
}

/* Hands what is held of a BODY_PIECES answer to xBody and drops the bytes
** it takes. */
static void feedBody(SetterRequest *pReq, SetterRequestState *pState, int bLast) {
  const SetterFetchSettings *pSettings = pState->pSettings;
  size_t nTaken =
      pSettings->xBody(pSettings->pBodyCtx, pState->iReq, pReq, bLast, &pState->bEnough);
  if (nTaken > pReq->nBody) nTaken = pReq->nBody;
  if (nTaken > 0) {
    memmove(pReq->zBody, pReq->zBody + nTaken, pReq->nBody - nTaken);
    pReq->nBody -= nTaken;
    pReq->nTaken += (int64_t)nTaken;
    pReq->zBody[pReq->nBody] = 0;
  }
}

static size_t onBody(char *pData, size_t size, size_t nmemb, void *pArg) {
  SetterRequest *pReq = pArg;
  SetterRequestState *pState = pReq->pState;
  size_t n = size * nmemb, nKeep = n;
  /* never negative: every earlier append fitted */
  int64_t nRoom = pState->maxBytes - pReq->nTaken - (int64_t)pReq->nBody;
  if (pState->eBody == BODY_UNKNOWN) pState->eBody = bodyMode(pState);
  if ((int64_t)n > nRoom) {
    /* too large: a JSON answer keeps the bytes that fit, for its last read
    ** (finishAttempt), so that an error among them is found however the
    ** bytes arrived */
    pState->bTooLarge = 1;
    nKeep = pState->eBody == BODY_PIECES ? (size_t)nRoom : 0;
  }
  if (nKeep > 0) {
    if (bodyReserve(pReq, pState, nKeep)) {
      pState->bNoMem = 1;
      return 0;
    }
    memcpy(pReq->zBody + pReq->nBody, pData, nKeep);
    pReq->nBody += nKeep;
    pReq->zBody[pReq->nBody] = 0;
    if (pState->eBody == BODY_PIECES && !pState->bTooLarge) feedBody(pReq, pState, 0);
  }
  /* less than n ends the transfer (CURLE_WRITE_ERROR, which finishAttempt
  ** then takes as the end of the body when xBody had enough) */
  return pState->bEnough || pState->bTooLarge ? 0 : n;
}

/* Sets every option of one attempt; returns the first failing code. */
static CURLcode configureEasy(SetterFetcher *p, CURL *pEasy, SetterRequest *pReq,
                              const SetterFetchSettings *pSettings, struct curl_slist *pHeaders) {
  int bHttps = strncmp(pReq->zUrl, "https://", 8) == 0;
  CURLcode rc = CURLE_OK;
#define SET(opt, val) \
  if (rc == CURLE_OK) rc = curl_easy_setopt(pEasy, opt, val)
  SET(CURLOPT_URL, pReq->zUrl);
  SET(CURLOPT_HTTPGET, 1L);
  SET(CURLOPT_HTTPHEADER, pHeaders);
  SET(CURLOPT_USERAGENT, "sqlite-setter/" SETTER_VERSION);
  SET(CURLOPT_PROTOCOLS_STR, "http,https");
  SET(CURLOPT_FOLLOWLOCATION, 0L);
  SET(CURLOPT_NOSIGNAL, 1L);
  SET(CURLOPT_SSL_VERIFYPEER, 1L);
  SET(CURLOPT_SSL_VERIFYHOST, 2L);
  if (pSettings->zCaBundle && pSettings->zCaBundle[0]) SET(CURLOPT_CAINFO, pSettings->zCaBundle);
#ifdef _WIN32
  /* Schannel checks revocation; where a proxy blocks CRL/OCSP that would fail every request. */
  SET(CURLOPT_SSL_OPTIONS, (long)CURLSSLOPT_REVOKE_BEST_EFFORT);
#endif
  SET(CURLOPT_TIMEOUT_MS, (long)pSettings->timeoutMs);
  SET(CURLOPT_CONNECTTIMEOUT_MS, (long)pSettings->connectTimeoutMs);
  SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)pSettings->maxResponseBytes);
  SET(CURLOPT_ACCEPT_ENCODING, "");
  SET(CURLOPT_TCP_KEEPALIVE, 1L);
  SET(CURLOPT_TCP_NODELAY, 1L);
  SET(CURLOPT_SHARE, p->pShare);
  SET(CURLOPT_BUFFERSIZE, (long)RECEIVE_BUFFER_BYTES);
  SET(CURLOPT_WRITEFUNCTION, onBody);
  SET(CURLOPT_WRITEDATA, pReq);
  SET(CURLOPT_PRIVATE, pReq);
  SET(CURLOPT_ERRORBUFFER, pReq->pState->zCurlError);
  if (bHttps) {
    SET(CURLOPT_PIPEWAIT, 1L);
  } else {
    SET(CURLOPT_NOPROXY, "*");
  }
#undef SET
  return rc;
}

/* Removes a transfer from the multi handle and frees its easy handle. */
static void endTransfer(SetterFetcher *p, SetterRequestState *pState) {
  if (pState->pEasy == NULL) return;
  (void)curl_multi_remove_handle(p->pMulti, pState->pEasy); /* nothing to do if it fails */
  curl_easy_cleanup(pState->pEasy);
  pState->pEasy = NULL;
}

/* Starts the next attempt of pReq; 0 on success.  Else 1: with *pMultiRc
** CURLM_OK this request could not start (zError says why; bNoMem when for
** lack of memory), else libcurl's
** multi handle refused the transfer (no fault of the request: nothing is
** written into it and the attempt is not counted). */
static int startAttempt(SetterFetcher *p, SetterRequest *pReq, const SetterFetchSettings *pSettings,
                        struct curl_slist *pHeaders, CURLMcode *pMultiRc) {
  SetterRequestState *pState = pReq->pState;
  CURL *pEasy = curl_easy_init();
  CURLcode rc;
  *pMultiRc = CURLM_OK;
  if (pEasy == NULL) { /* libcurl's only reason: no memory */
    snprintf(pReq->zError, sizeof pReq->zError, "could not create a libcurl handle");
    pState->bNoMem = 1;
    return 1;
  }
  pState->zCurlError[0] = 0;
  pState->bTooLarge = 0;
  pState->bNoMem = 0;
  pState->bEnough = 0;
  pState->maxBytes = pSettings->maxResponseBytes;
  pState->startedMs = setterMonotonicMs();
  pState->eBody = BODY_UNKNOWN;
  pReq->nBody = 0;
  pReq->nTaken = 0;
  pReq->nAttempt++;
  rc = configureEasy(p, pEasy, pReq, pSettings, pHeaders);
  if (rc != CURLE_OK) {
    snprintf(pReq->zError, sizeof pReq->zError, "libcurl refused an option: %s",
             curl_easy_strerror(rc));
    pState->bNoMem = rc == CURLE_OUT_OF_MEMORY;
  } else if ((*pMultiRc = curl_multi_add_handle(p->pMulti, pEasy)) != CURLM_OK) {
    pReq->nAttempt--;
    rc = CURLE_FAILED_INIT;
  }
  if (rc != CURLE_OK) {
    curl_easy_cleanup(pEasy);
    return 1;
  }
  pState->pEasy = pEasy;
  return 0;
}

static int isTransientStatus(long status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

static int isTransientCurlError(CURLcode rc) {
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return 1;
    default:
      return 0;
  }
}

/* Plain-text description of a transport failure into pReq->zError. */
static void describeCurlError(SetterRequest *pReq, CURLcode rc,
                              const SetterFetchSettings *pSettings) {
  SetterRequestState *pState = pReq->pState;
  if (pState->bNoMem) {
    snprintf(pReq->zError, sizeof pReq->zError, "out of memory for the response body");
  } else if (pState->bTooLarge || rc == CURLE_FILESIZE_EXCEEDED) {
    snprintf(pReq->zError, sizeof pReq->zError,
             "response is larger than max_response_bytes (%lld bytes)",
             (long long)pSettings->maxResponseBytes);
  } else if (rc == CURLE_OPERATION_TIMEDOUT) {
    snprintf(pReq->zError, sizeof pReq->zError, "request timed out (%.200s)",
             pState->zCurlError[0] ? pState->zCurlError : "no detail");
  } else if (rc == CURLE_PARTIAL_FILE) {
    snprintf(pReq->zError, sizeof pReq->zError,
             "connection closed before the whole response arrived (%.180s)", pState->zCurlError);
  } else {
    snprintf(pReq->zError, sizeof pReq->zError, "%.250s",
             pState->zCurlError[0] ? pState->zCurlError : curl_easy_strerror(rc));
  }
}

static void reportAttempt(const SetterFetchSettings *pSettings, SetterRequest *pReq, long status,
                          const char *zError) {
  SetterAttempt a;
  if (pSettings->xAttempt == NULL) return;
  a.zLogUrl = pReq->zLogUrl;
  a.status = status;
  a.iAttempt = pReq->nAttempt;
  a.elapsedMs = setterMonotonicMs() - pReq->pState->startedMs;
  a.nBytes = pReq->nTaken + (int64_t)pReq->nBody;
  a.zError = zError;
  pSettings->xAttempt(pSettings->pAttemptCtx, &a);
}

/* A transfer finished: decide between done, retry (returns 1) and failed. */
static int finishAttempt(SetterFetcher *p, SetterRequest *pReq, CURLcode result,
                         const SetterFetchSettings *pSettings) {
  SetterRequestState *pState = pReq->pState;
  CURL *pEasy = pState->pEasy;
  long status = 0;
  curl_off_t retryAfter = -1;
  int bRetryAllowed = pReq->nAttempt <= pSettings->maxRetries;
  int bRetry = 0;

  if (result != CURLE_OK && !pState->bEnough && !pState->bNoMem && pState->eBody == BODY_PIECES &&
      pReq->nBody > 0) {
    feedBody(pReq, pState, 1); /* ended otherwise: an error in what arrived is the answer */
  }
  /* xBody found the answer bad (onBody's short return, or the read above):
  ** the body ends there, whatever libcurl reported */
  if (pState->bEnough) result = CURLE_OK;
  if (result == CURLE_OK) {
    char *zLocation = NULL;
    if (curl_easy_getinfo(pEasy, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK) status = 0;
    if (status >= 300 && status < 400 &&
        curl_easy_getinfo(pEasy, CURLINFO_REDIRECT_URL, &zLocation) == CURLE_OK && zLocation) {
      setterFree(pReq->zLocation);
      pReq->zLocation = setterStrdup(zLocation); /* NULL: the error says "?" */
    }
    if (curl_easy_getinfo(pEasy, CURLINFO_RETRY_AFTER, &retryAfter) != CURLE_OK) retryAfter = 0;
    pReq->status = status;
    pReq->eOutcome = SETTER_OUTCOME_HTTP;
    reportAttempt(pSettings, pReq, status, NULL);
    if (isTransientStatus(status) && bRetryAllowed) {
      if (retryAfter > SETTER_RETRY_AFTER_MAX_SECONDS) {
        snprintf(
            pReq->zError, sizeof pReq->zError,
            "the server asked to retry after %lld s, longer than the %d s this extension waits",
            (long long)retryAfter, SETTER_RETRY_AFTER_MAX_SECONDS);
        pReq->eOutcome = SETTER_OUTCOME_FAILED;
      } else {
        bRetry = 1;
        pState->notBeforeMs = setterMonotonicMs() +
                              (retryAfter > 0 ? retryAfter * 1000 : backoffMs(p, pReq->nAttempt));
      }
    }
  } else {
    describeCurlError(pReq, result, pSettings);
    pReq->eOutcome = pState->bNoMem ? SETTER_OUTCOME_NOMEM : SETTER_OUTCOME_FAILED;
    pReq->status = 0;
    reportAttempt(pSettings, pReq, 0, pReq->zError);
    if (isTransientCurlError(result) && !pState->bTooLarge && !pState->bNoMem && bRetryAllowed) {
      bRetry = 1;
      pState->notBeforeMs = setterMonotonicMs() + backoffMs(p, pReq->nAttempt);
    }
  }
  endTransfer(p, pState);
  if (bRetry) {
    pReq->eOutcome = SETTER_OUTCOME_PENDING;
    pReq->zError[0] = 0;
    pReq->nBody = 0;
    pReq->nTaken = 0;
  }
  return bRetry;
}

static struct curl_slist *buildHeaders(const char *zApiKey) {
  struct curl_slist *pList = NULL, *pNew;
  size_t nKey = strlen(zApiKey);
  char *zAuth = setterMalloc(nKey + 32);
  if (zAuth == NULL) return NULL;
  snprintf(zAuth, nKey + 32, "Authorization: Bearer %s", zApiKey);
  pNew = curl_slist_append(pList, zAuth);
  memset(zAuth, 0, nKey + 32);
  setterFree(zAuth);
  if (pNew == NULL) return NULL;
  pList = pNew;
  pNew = curl_slist_append(pList, "Accept: application/json");
  if (pNew == NULL) {
    curl_slist_free_all(pList);
    return NULL;
  }
  return pNew;
}

static void freeHeaders(struct curl_slist *pList) {
  struct curl_slist *p;
  for (p = pList; p; p = p->next) memset(p->data, 0, strlen(p->data));
  curl_slist_free_all(pList);
}

/* ---- retries waiting for their not-before time: a binary min-heap ---- */

typedef struct RetryHeap {
  int *aReq; /* request indices, ordered by aReq[..].pState->notBeforeMs */
  int n;
} RetryHeap;

static int64_t heapKey(const SetterRequest *aReq, const RetryHeap *h, int i) {
  return aReq[h->aReq[i]].pState->notBeforeMs;
}

static void heapSwap(RetryHeap *h, int i, int j) {
  int t = h->aReq[i];
  h->aReq[i] = h->aReq[j];
  h->aReq[j] = t;
}

/* The heap has room for every request: each is in it at most once. */
static void heapPush(RetryHeap *h, const SetterRequest *aReq, int iReq) {
  int i = h->n++;
  h->aReq[i] = iReq;
  while (i > 0 && heapKey(aReq, h, (i - 1) / 2) > heapKey(aReq, h, i)) {
    heapSwap(h, i, (i - 1) / 2);
    i = (i - 1) / 2;
  }
}

static int heapPop(RetryHeap *h, const SetterRequest *aReq) {
  int iTop = h->aReq[0], i = 0;
  h->aReq[0] = h->aReq[--h->n];
  for (;;) {
    int l = 2 * i + 1, r = l + 1, m = i;
    if (l < h->n && heapKey(aReq, h, l) < heapKey(aReq, h, m)) m = l;
    if (r < h->n && heapKey(aReq, h, r) < heapKey(aReq, h, m)) m = r;
    if (m == i) break;
    heapSwap(h, i, m);
    i = m;
  }
  return iTop;
}

/* ---- the scheduler ---- */

/* One setterFetchAll: runSetup, runStep until it says stop, runTeardown. */
typedef struct FetchRun {
  SetterFetcher *p;
  const SetterFetchSettings *pSettings;
  SetterRequest *aReq;
  int nReq;
  struct curl_slist *pHeaders;
  RetryHeap retries;
  int concurrency; /* transfers in flight at most */
  int bPolled;     /* xCancelled or xProgress: wake up every SETTER_FETCH_POLL_MS */
  int iNext;       /* requests before iNext have been started at least once */
  int nInFlight;
  int iFailed;   /* SETTER_FETCH_OK, else what setterFetchAll returns: the first
                 ** request that failed the batch, or SETTER_FETCH_MULTI_FAILED */
  int iFirstBad; /* with bKeepGoing: the first request that ended badly, or -1 */
  int bCancelled;
  int64_t startMs;
  int64_t lastProgressMs;
  int nDone;
  int nRetries;
} FetchRun;

static void reportProgress(FetchRun *r, int64_t now, int bFinal) {
  SetterProgress pr;
  if (r->pSettings->xProgress == NULL) return;
  if (!bFinal && now - r->lastProgressMs < SETTER_FETCH_POLL_MS) return;
  r->lastProgressMs = now;
  pr.nDone = r->nDone;
  pr.nTotal = r->nReq;
  pr.nRetries = r->nRetries;
  pr.elapsedMs = now - r->startMs;
  pr.bFinal = bFinal;
  r->pSettings->xProgress(r->pSettings->pProgressCtx, &pr);
}

/* A batch that fails as a whole has no request at fault: its reason goes to
** the fetcher (setterFetcherError), never into a request, whose outcome
** stays its own.  Could not start: returns SETTER_FETCH_NOT_STARTED. */
static int notStarted(SetterFetcher *p, const char *zWhy) {
  snprintf(p->zError, sizeof p->zError, "%s", zWhy);
  return SETTER_FETCH_NOT_STARTED;
}

/* libcurl's multi handle failed in call zCall: the batch stops, blaming no
** request (the finished ones keep their outcome, runTeardown cancels the
** others). */
static void failMulti(FetchRun *r, const char *zCall, CURLMcode mrc) {
  snprintf(r->p->zError, sizeof r->p->zError, "libcurl multi interface failed (%s): %s", zCall,
           curl_multi_strerror(mrc));
  r->iFailed = SETTER_FETCH_MULTI_FAILED;
}

/* Handles (opened again in a forked child), a state per request, the
** headers and the retry heap.  SETTER_FETCH_OK, or SETTER_FETCH_NOT_STARTED
** with the reason in the fetcher's zError and nothing for runTeardown to do
** (the states are freed by setterRequestClear). */
static int runSetup(FetchRun *r, SetterFetcher *p, const SetterFetchSettings *pSettings,
                    SetterRequest *aReq, int nReq) {
  int i;
  memset(r, 0, sizeof(*r));
  r->p = p;
  r->pSettings = pSettings;
  r->aReq = aReq;
  r->nReq = nReq;
  r->concurrency = pSettings->concurrency > 0 ? pSettings->concurrency : 1;
  r->bPolled = pSettings->xCancelled != NULL || pSettings->xProgress != NULL;
  r->iFailed = SETTER_FETCH_OK;
  r->iFirstBad = SETTER_FETCH_OK;
  p->zError[0] = 0;
  for (i = 0; i < nReq; i++) setterRequestClear(&aReq[i]);
  if (p->pid != getpid()) {
    /* A forked child: the handles and their sockets belong to the parent. */
    closeHandles(p);
    if (openHandles(p)) {
      closeHandles(p);
      return notStarted(p, "could not initialise libcurl");
    }
  }
  if (p->pMulti == NULL && openHandles(p)) {
    closeHandles(p);
    return notStarted(p, "could not initialise libcurl");
  }
  for (i = 0; i < nReq; i++) {
    aReq[i].pState = setterCalloc(sizeof(SetterRequestState));
    if (aReq[i].pState == NULL) return notStarted(p, "out of memory");
    aReq[i].pState->pSettings = pSettings;
    aReq[i].pState->iReq = i;
  }
  r->retries.aReq = setterMalloc((size_t)nReq * sizeof(int));
  r->pHeaders = r->retries.aReq ? buildHeaders(pSettings->zApiKey) : NULL;
  if (r->pHeaders == NULL) {
    setterFree(r->retries.aReq);
    return notStarted(p, "out of memory");
  }
  if (curl_multi_setopt(p->pMulti, CURLMOPT_MAXCONNECTS,
                        (long)(r->concurrency > 8 ? r->concurrency : 8)) != CURLM_OK) {
    freeHeaders(r->pHeaders);
    setterFree(r->retries.aReq);
    return notStarted(p, "libcurl refused CURLMOPT_MAXCONNECTS");
  }
  r->startMs = r->lastProgressMs = setterMonotonicMs();
  return SETTER_FETCH_OK;
}

/* Starts request iReq (a retry or a first attempt); a request that cannot
** start fails the batch, and so does a multi handle that refuses it. */
static void runStart(FetchRun *r, int iReq) {
  CURLMcode mrc;
  if (startAttempt(r->p, &r->aReq[iReq], r->pSettings, r->pHeaders, &mrc) == 0) {
    r->nInFlight++;
  } else if (mrc != CURLM_OK) {
    failMulti(r, "curl_multi_add_handle", mrc);
  } else {
    /* no memory is no fault of this request's either: SQLITE_NOMEM for the caller */
    r->aReq[iReq].eOutcome =
        r->aReq[iReq].pState->bNoMem ? SETTER_OUTCOME_NOMEM : SETTER_OUTCOME_FAILED;
    r->iFailed = iReq;
  }
}

/* Takes the transfers libcurl finished: a retry goes to the heap, an answer
** to xDone, and the first bad answer fails the batch. */
static void runCollect(FetchRun *r) {
  CURLMsg *pMsg;
  int nLeft;
  while ((pMsg = curl_multi_info_read(r->p->pMulti, &nLeft)) != NULL) {
    SetterRequest *pReq = NULL;
    const SetterFetchSettings *pSettings = r->pSettings;
    int iReq;
    if (pMsg->msg != CURLMSG_DONE) continue;
    if (curl_easy_getinfo(pMsg->easy_handle, CURLINFO_PRIVATE, (char **)&pReq) != CURLE_OK ||
        pReq == NULL) {
      continue;
    }
    iReq = (int)(pReq - r->aReq);
    r->nInFlight--;
    if (finishAttempt(r->p, pReq, pMsg->data.result, pSettings)) {
      r->nRetries++;
      heapPush(&r->retries, r->aReq, iReq);
      continue;
    }
    r->nDone++;
    if (pReq->eOutcome != SETTER_OUTCOME_HTTP || pReq->status != 200) {
      if (r->iFirstBad < 0) r->iFirstBad = iReq;
    } else if (pSettings->xDone && r->iFailed == SETTER_FETCH_OK &&
               pSettings->xDone(pSettings->pDoneCtx, iReq, pReq) != 0) {
      pReq->eOutcome = SETTER_OUTCOME_REJECTED;
      if (r->iFirstBad < 0) r->iFirstBad = iReq;
    }
    /* without bKeepGoing the first failure ends the batch; no memory always does */
    if (r->iFirstBad >= 0 && r->iFailed == SETTER_FETCH_OK &&
        (!pSettings->bKeepGoing || pReq->eOutcome == SETTER_OUTCOME_NOMEM)) {
      r->iFailed = pReq->eOutcome == SETTER_OUTCOME_NOMEM ? iReq : r->iFirstBad;
    }
  }
}

/* Waits for network activity, at most until the next retry is due (or the
** next poll of xCancelled and xProgress). */
static void runWait(FetchRun *r) {
  int64_t now = setterMonotonicMs();
  int64_t waitMs = 1000;
  if (r->retries.n > 0) {
    int64_t due = heapKey(r->aReq, &r->retries, 0) - now;
    if (r->nInFlight >= r->concurrency) due = waitMs; /* cannot start it anyway */
    if (due < waitMs) waitMs = due < 0 ? 0 : due;
  }
  if (r->nInFlight < r->concurrency && r->iNext < r->nReq) waitMs = 0;
  if (r->bPolled && waitMs > SETTER_FETCH_POLL_MS) waitMs = SETTER_FETCH_POLL_MS;
  if (waitMs > 0 || r->nInFlight > 0) {
    CURLMcode mrc = curl_multi_poll(r->p->pMulti, NULL, 0, (int)waitMs, NULL);
    if (mrc != CURLM_OK) failMulti(r, "curl_multi_poll", mrc);
  }
}

/* One round: checks for a cancel, reports progress, starts the retries that
** are due and new requests up to the bound, lets libcurl work, collects
** what finished and waits.  Returns 1 when the batch is over. */
static int runStep(FetchRun *r) {
  int64_t now = setterMonotonicMs();
  int nRunning = 0;
  CURLMcode mrc;
  if (r->nDone >= r->nReq || r->iFailed != SETTER_FETCH_OK) return 1;
  if (r->pSettings->xCancelled && r->pSettings->xCancelled(r->pSettings->pCancelCtx)) {
    r->bCancelled = 1;
    return 1;
  }
  reportProgress(r, now, 0);
  while (r->retries.n > 0 && r->nInFlight < r->concurrency && r->iFailed == SETTER_FETCH_OK &&
         heapKey(r->aReq, &r->retries, 0) <= now) {
    runStart(r, heapPop(&r->retries, r->aReq));
  }
  while (r->iNext < r->nReq && r->nInFlight < r->concurrency && r->iFailed == SETTER_FETCH_OK) {
    runStart(r, r->iNext++);
  }
  if (r->iFailed != SETTER_FETCH_OK) return 1;
  mrc = curl_multi_perform(r->p->pMulti, &nRunning);
  if (mrc != CURLM_OK) {
    failMulti(r, "curl_multi_perform", mrc);
    return 1;
  }
  runCollect(r);
  if (r->nDone >= r->nReq || r->iFailed != SETTER_FETCH_OK) return 1;
  runWait(r);
  return 0;
}

/* Stops whatever still runs (after a failure or a cancel), marks the
** requests never finished as cancelled, frees the run; returns what
** setterFetchAll returns. */
static int runTeardown(FetchRun *r) {
  char zStopped[sizeof r->p->zError + 16] = "cancelled: another lookup of the statement failed";
  int i;
  if (r->iFailed == SETTER_FETCH_OK) r->iFailed = r->iFirstBad;
  if (r->bCancelled) {
    r->iFailed = SETTER_FETCH_CANCELLED;
    snprintf(zStopped, sizeof zStopped, "cancelled: the statement was interrupted");
  } else if (r->iFailed == SETTER_FETCH_MULTI_FAILED) {
    snprintf(zStopped, sizeof zStopped, "cancelled: %s", r->p->zError);
  }
  for (i = 0; i < r->iNext; i++) {
    SetterRequestState *pState = r->aReq[i].pState;
    if (pState->pEasy) {
      reportAttempt(r->pSettings, &r->aReq[i], 0, zStopped);
      endTransfer(r->p, pState);
    }
  }
  for (i = 0; i < r->nReq; i++) {
    if (r->aReq[i].eOutcome == SETTER_OUTCOME_PENDING) {
      r->aReq[i].eOutcome = SETTER_OUTCOME_CANCELLED;
    }
  }
  freeHeaders(r->pHeaders);
  setterFree(r->retries.aReq);
  reportProgress(r, setterMonotonicMs(), 1);
  return r->iFailed;
}

int setterFetchAll(SetterFetcher *p, const SetterFetchSettings *pSettings, SetterRequest *aReq,
                   int nReq) {
  FetchRun run;
  if (nReq <= 0) return SETTER_FETCH_OK;
  if (runSetup(&run, p, pSettings, aReq, nReq) != SETTER_FETCH_OK) {
    return SETTER_FETCH_NOT_STARTED;
  }
  while (!runStep(&run)) {
    /* each step waits for network activity or the next due retry */
  }
  return runTeardown(&run);
}
