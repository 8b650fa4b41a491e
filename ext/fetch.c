/*
** fetch.c - libcurl transfers for setter_conversations (see fetch.h).
**
** One CURLM multi handle per database connection owns the connection pool,
** so keep-alive connections (and HTTP/2 streams) are reused across
** statements.  setterFetchAll() is a small scheduler in the style of curl's
** 10-at-a-time.c: start transfers while fewer than `concurrency` are in
** flight, wait with curl_multi_poll(), collect finished transfers, and put
** transient failures back in the queue with a not-before time.
**
** Security settings on every transfer: only http and https, no redirects
** followed (a 3xx comes back to the caller with its Location), TLS peer and
** host verification on, the key only in the Authorization header.
*/
#include "fetch.h"
#include "version.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "timestamp.h"

#define BACKOFF_BASE_MS 250
#define BACKOFF_MAX_MS 30000
#define PROGRESS_EVERY_MS 1000

struct SetterFetcher {
  CURLM *pMulti;
  CURLSH *pShare; /* TLS session cache shared by the easy handles */
  CURL **apIdle;  /* easy handles ready for reuse */
  int nIdle;
  int nIdleAlloc;
  uint64_t randomState; /* for backoff jitter */
};

struct SetterRequestState {
  CURL *pEasy;         /* while in flight */
  int64_t notBeforeMs; /* when a retry may start */
  int64_t startedMs;
  size_t nAlloc; /* bytes allocated to zBody */
  int bTooLarge; /* the body passed maxResponseBytes */
  int64_t maxBytes;
  char zCurlError[CURL_ERROR_SIZE];
};

SetterFetcher *setterFetcherNew(void) {
  SetterFetcher *p = calloc(1, sizeof(*p));
  if (p == NULL) return NULL;
  p->pMulti = curl_multi_init();
  p->pShare = curl_share_init();
  if (p->pMulti == NULL || p->pShare == NULL ||
      curl_share_setopt(p->pShare, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK ||
      curl_multi_setopt(p->pMulti, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX) != CURLM_OK) {
    setterFetcherFree(p);
    return NULL;
  }
  p->randomState = (uint64_t)setterMonotonicMs() ^ (uint64_t)(uintptr_t)p ^ 0x9e3779b97f4a7c15ull;
  return p;
}

void setterFetcherFree(SetterFetcher *p) {
  int i;
  if (p == NULL) return;
  for (i = 0; i < p->nIdle; i++) curl_easy_cleanup(p->apIdle[i]);
  free(p->apIdle);
  if (p->pMulti) curl_multi_cleanup(p->pMulti);
  if (p->pShare) curl_share_cleanup(p->pShare);
  free(p);
}

void setterRequestClear(SetterRequest *pReq) {
  setterFree(pReq->zBody);
  free(pReq->zLocation);
  free(pReq->pState);
  pReq->zBody = NULL;
  pReq->nBody = 0;
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

static size_t onBody(char *pData, size_t size, size_t nmemb, void *pArg) {
  SetterRequest *pReq = pArg;
  SetterRequestState *pState = pReq->pState;
  size_t n = size * nmemb;
  if ((int64_t)(pReq->nBody + n) > pState->maxBytes) {
    pState->bTooLarge = 1;
    return 0;
  }
  if (pReq->nBody + n + 1 > pState->nAlloc) {
    curl_off_t nExpected = -1;
    size_t nNew = pState->nAlloc ? pState->nAlloc * 2 : 16384;
    char *zNew;
    if (pState->nAlloc == 0 &&
        curl_easy_getinfo(pState->pEasy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &nExpected) ==
            CURLE_OK &&
        nExpected > 0 && nExpected <= pState->maxBytes) {
      nNew = (size_t)nExpected + 1;
    }
    while (nNew < pReq->nBody + n + 1) nNew *= 2;
    zNew = setterRealloc(pReq->zBody, nNew);
    if (zNew == NULL) return 0;
    pReq->zBody = zNew;
    pState->nAlloc = nNew;
  }
  memcpy(pReq->zBody + pReq->nBody, pData, n);
  pReq->nBody += n;
  pReq->zBody[pReq->nBody] = 0;
  return n;
}

static CURL *takeEasyHandle(SetterFetcher *p) {
  if (p->nIdle > 0) {
    CURL *pEasy = p->apIdle[--p->nIdle];
    curl_easy_reset(pEasy);
    return pEasy;
  }
  return curl_easy_init();
}

static void returnEasyHandle(SetterFetcher *p, CURL *pEasy) {
  if (p->nIdle >= p->nIdleAlloc) {
    int nNew = p->nIdleAlloc ? p->nIdleAlloc * 2 : 8;
    CURL **apNew = realloc(p->apIdle, (size_t)nNew * sizeof(CURL *));
    if (apNew == NULL) {
      curl_easy_cleanup(pEasy);
      return;
    }
    p->apIdle = apNew;
    p->nIdleAlloc = nNew;
  }
  p->apIdle[p->nIdle++] = pEasy;
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
  SET(CURLOPT_TIMEOUT_MS, (long)pSettings->timeoutMs);
  SET(CURLOPT_CONNECTTIMEOUT_MS, (long)pSettings->connectTimeoutMs);
  SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)pSettings->maxResponseBytes);
  SET(CURLOPT_ACCEPT_ENCODING, "");
  SET(CURLOPT_TCP_KEEPALIVE, 1L);
  SET(CURLOPT_TCP_NODELAY, 1L);
  SET(CURLOPT_SHARE, p->pShare);
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

/* Starts the next attempt of pReq; 0 on success, else zError is set. */
static int startAttempt(SetterFetcher *p, SetterRequest *pReq, const SetterFetchSettings *pSettings,
                        struct curl_slist *pHeaders) {
  SetterRequestState *pState = pReq->pState;
  CURL *pEasy = takeEasyHandle(p);
  CURLcode rc;
  if (pEasy == NULL) {
    snprintf(pReq->zError, sizeof pReq->zError, "could not create a libcurl handle");
    return 1;
  }
  pState->pEasy = pEasy;
  pState->zCurlError[0] = 0;
  pState->bTooLarge = 0;
  pState->maxBytes = pSettings->maxResponseBytes;
  pState->startedMs = setterMonotonicMs();
  pReq->nBody = 0;
  pReq->nAttempt++;
  rc = configureEasy(p, pEasy, pReq, pSettings, pHeaders);
  if (rc != CURLE_OK) {
    snprintf(pReq->zError, sizeof pReq->zError, "libcurl refused an option: %s",
             curl_easy_strerror(rc));
  } else if (curl_multi_add_handle(p->pMulti, pEasy) != CURLM_OK) {
    snprintf(pReq->zError, sizeof pReq->zError, "libcurl could not start the transfer");
    rc = CURLE_FAILED_INIT;
  }
  if (rc != CURLE_OK) {
    pState->pEasy = NULL;
    returnEasyHandle(p, pEasy);
    return 1;
  }
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
  if (pState->bTooLarge || rc == CURLE_FILESIZE_EXCEEDED) {
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
  a.nBytes = (int64_t)pReq->nBody;
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

  curl_multi_remove_handle(p->pMulti, pEasy);
  pState->pEasy = NULL;
  if (result == CURLE_OK) {
    char *zLocation = NULL;
    curl_easy_getinfo(pEasy, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 300 && status < 400 &&
        curl_easy_getinfo(pEasy, CURLINFO_REDIRECT_URL, &zLocation) == CURLE_OK && zLocation) {
      free(pReq->zLocation);
      pReq->zLocation = strdup(zLocation);
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
    pReq->eOutcome = SETTER_OUTCOME_FAILED;
    pReq->status = 0;
    reportAttempt(pSettings, pReq, 0, pReq->zError);
    if (isTransientCurlError(result) && !pState->bTooLarge && bRetryAllowed) {
      bRetry = 1;
      pState->notBeforeMs = setterMonotonicMs() + backoffMs(p, pReq->nAttempt);
    }
  }
  returnEasyHandle(p, pEasy);
  if (bRetry) {
    pReq->eOutcome = SETTER_OUTCOME_PENDING;
    pReq->zError[0] = 0;
    pReq->nBody = 0;
  }
  return bRetry;
}

static struct curl_slist *buildHeaders(const char *zApiKey) {
  struct curl_slist *pList = NULL, *pNew;
  size_t nKey = strlen(zApiKey);
  char *zAuth = malloc(nKey + 32);
  if (zAuth == NULL) return NULL;
  snprintf(zAuth, nKey + 32, "Authorization: Bearer %s", zApiKey);
  pNew = curl_slist_append(pList, zAuth);
  memset(zAuth, 0, nKey + 32);
  free(zAuth);
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

static void reportProgress(const SetterFetchSettings *pSettings, int nDone, int nReq,
                           int64_t *pLastMs, int bFinal) {
  int64_t now;
  if (!pSettings->bProgress || nReq < 2) return;
  now = setterMonotonicMs();
  if (!bFinal && now - *pLastMs < PROGRESS_EVERY_MS) return;
  *pLastMs = now;
  fprintf(stderr, "setter: %d/%d lookups done\n", nDone, nReq);
}

int setterFetchAll(SetterFetcher *p, const SetterFetchSettings *pSettings, SetterRequest *aReq,
                   int nReq) {
  struct curl_slist *pHeaders;
  int iNext = 0; /* requests before iNext have been started at least once */
  int nInFlight = 0, nDone = 0, iFailed = -1, i;
  int concurrency = pSettings->concurrency > 0 ? pSettings->concurrency : 1;
  int64_t lastProgressMs = setterMonotonicMs();

  for (i = 0; i < nReq; i++) {
    setterRequestClear(&aReq[i]);
    aReq[i].pState = calloc(1, sizeof(SetterRequestState));
    if (aReq[i].pState == NULL) {
      snprintf(aReq[0].zError, sizeof aReq[0].zError, "out of memory");
      return -2;
    }
  }
  pHeaders = buildHeaders(pSettings->zApiKey);
  if (pHeaders == NULL) {
    snprintf(aReq[0].zError, sizeof aReq[0].zError, "out of memory");
    return -2;
  }
  curl_multi_setopt(p->pMulti, CURLMOPT_MAXCONNECTS, (long)(concurrency > 8 ? concurrency : 8));

  while (nDone < nReq && iFailed < 0) {
    int64_t now = setterMonotonicMs();
    int64_t waitMs = 1000;
    int nRunning = 0;
    CURLMsg *pMsg;
    int nLeft;

    /* Start retries that are due, then new requests, up to the bound. */
    for (i = 0; i < iNext && nInFlight < concurrency && iFailed < 0; i++) {
      SetterRequest *pReq = &aReq[i];
      if (pReq->eOutcome != SETTER_OUTCOME_PENDING || pReq->pState->pEasy) continue;
      if (pReq->pState->notBeforeMs > now) {
        if (pReq->pState->notBeforeMs - now < waitMs) waitMs = pReq->pState->notBeforeMs - now;
        continue;
      }
      if (startAttempt(p, pReq, pSettings, pHeaders)) {
        pReq->eOutcome = SETTER_OUTCOME_FAILED;
        iFailed = i;
      } else {
        nInFlight++;
      }
    }
    while (iNext < nReq && nInFlight < concurrency && iFailed < 0) {
      if (startAttempt(p, &aReq[iNext], pSettings, pHeaders)) {
        aReq[iNext].eOutcome = SETTER_OUTCOME_FAILED;
        iFailed = iNext;
      } else {
        nInFlight++;
      }
      iNext++;
    }
    if (iFailed >= 0) break;

    if (curl_multi_perform(p->pMulti, &nRunning) != CURLM_OK) {
      snprintf(aReq[0].zError, sizeof aReq[0].zError, "libcurl multi interface failed");
      aReq[0].eOutcome = SETTER_OUTCOME_FAILED;
      iFailed = 0;
      break;
    }
    while ((pMsg = curl_multi_info_read(p->pMulti, &nLeft)) != NULL) {
      SetterRequest *pReq = NULL;
      if (pMsg->msg != CURLMSG_DONE) continue;
      curl_easy_getinfo(pMsg->easy_handle, CURLINFO_PRIVATE, (char **)&pReq);
      if (pReq == NULL) continue;
      nInFlight--;
      if (finishAttempt(p, pReq, pMsg->data.result, pSettings)) {
        waitMs = 0;
        continue;
      }
      nDone++;
      reportProgress(pSettings, nDone, nReq, &lastProgressMs, 0);
      if (pReq->eOutcome != SETTER_OUTCOME_HTTP || pReq->status != 200) {
        if (iFailed < 0) iFailed = (int)(pReq - aReq);
      } else if (pSettings->xDone && iFailed < 0 &&
                 pSettings->xDone(pSettings->pDoneCtx, (int)(pReq - aReq), pReq) != 0) {
        pReq->eOutcome = SETTER_OUTCOME_REJECTED;
        if (iFailed < 0) iFailed = (int)(pReq - aReq);
      }
    }
    if (nDone >= nReq || iFailed >= 0) break;
    if (nInFlight < concurrency && iNext < nReq) waitMs = 0;
    if (waitMs > 0 || nInFlight > 0) {
      if (curl_multi_poll(p->pMulti, NULL, 0, (int)waitMs, NULL) != CURLM_OK) {
        snprintf(aReq[0].zError, sizeof aReq[0].zError, "libcurl multi interface failed");
        aReq[0].eOutcome = SETTER_OUTCOME_FAILED;
        iFailed = 0;
      }
    }
  }

  /* Stop whatever is still running (after a failure). */
  for (i = 0; i < nReq; i++) {
    SetterRequestState *pState = aReq[i].pState;
    if (pState && pState->pEasy) {
      reportAttempt(pSettings, &aReq[i], 0, "cancelled: another lookup of the statement failed");
      curl_multi_remove_handle(p->pMulti, pState->pEasy);
      returnEasyHandle(p, pState->pEasy);
      pState->pEasy = NULL;
    }
    if (aReq[i].eOutcome == SETTER_OUTCOME_PENDING) aReq[i].eOutcome = SETTER_OUTCOME_CANCELLED;
  }
  freeHeaders(pHeaders);
  reportProgress(pSettings, nDone, nReq, &lastProgressMs, 1);
  return iFailed;
}
