/*
** fuzz_parse.c - libFuzzer target for the response parser (ext/json.c, ext/parse.c,
** ext/rows.c), differential against cJSON, and setterApiErrorMessage.
**
**   make fuzz FUZZ_SECONDS=120
**   build/fuzz/fuzz_parse -dict=tests/fuzz/json.dict build/fuzz/corpus tests/fuzz/corpus
**   build/fuzz/fuzz_parse CRASH_FILE          (replay one input)
**
** 1. The parser.  Each input is copied into a malloc'd buffer of exactly its
**    size (no 0 terminator, so ASan sees any read past the end) and parsed
**    with the full field mask, then again with a partial mask and a row
**    bound both chosen by the first byte (so the "only extract what the
**    query reads" and the max_response_bytes paths are covered too).  Every
**    cell of the result is walked and every byte of every text cell read.
**    Invariants checked with abort():
**      - success <=> *ppRows != NULL; an error has a non-empty, terminated
**        message and rc MALFORMED, NOMEM or TOO_LARGE (only with a bound);
**      - with a bound, setterRowsBytes() of a success is within it;
**      - cells only for fields in the mask, types INTEGER/TEXT/NULL only;
**      - compact JSON output is never longer than its input.
** 2. The JSON reader against cJSON, the oracle: the input as one JSON value
**    (surrounded by JSON white space at most) must be accepted by
**    setterJsonScan exactly when cJSON_ParseWithLengthOpts accepts it, both
**    after setterJsonReplaceLoneSurrogates (so lone surrogates, which we
**    turn into U+FFFD and cJSON refuses, agree), except for the deliberate
**    differences, each of which must explain the disagreement:
**      - a byte < 0x20 other than space, tab, CR, LF anywhere, or a UTF-8
**        BOM first: cJSON skips them between tokens and keeps them raw in
**        strings; RFC 8259 does not, and we must refuse the input;
**      - a number cJSON's strtod takes but the RFC grammar does not (01,
**        1., -.5, 1.e5) or a \u escape without 4 hex digits (cJSON reads a
**        bad digit as 0): cJSON accepts, we refuse;
**      - a number of more than 63 characters: cJSON reads only 63 and
**        refuses the rest, we accept it whole.
**    When both accept a string, our decoded text must equal cJSON's
**    valuestring (up to cJSON's first 0 byte, from a \u0000 we keep), and
**    every accepted value must parse as a message's content and errorDetails,
**    followed by a second "content" that must not replace the first
**    (duplicate names: the first wins, as in cJSON's and SQLite's lookups).
** 3. setterApiErrorMessage gets the same bytes; when it finds a message
**    and cJSON, with the same rule, finds one too, the two must be equal
**    (up to cJSON's first 0 byte).
** 4. Reading as it arrives: the input handed to a SetterParser in pieces,
**    cut at a few points drawn from the input's own bytes (as fetch.c
**    hands a body over: a buffer of the bytes not taken yet), must give
**    exactly the result of the whole-body parse: return code, error text,
**    rows, cells, byte count and contextStartsAt.  A piece whose cut is odd
**    is read at once (setterParserReadAll, as for a transfer that fails
**    there), and a feed that returns an error ends the pieces (as the
**    transfer ends there): its error must be the whole body's.
*/
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "parse.h"
#include "rows.h"

static volatile unsigned char sink;

static void readBytes(const char *z, size_t n) {
  unsigned char acc = 0;
  size_t i;
  for (i = 0; i < n; i++) acc ^= (unsigned char)z[i];
  sink ^= acc;
}

/* Parses a copy of z[0..n); returns the rows (or NULL after checking the
** error invariants). */
static SetterRows *parseCopy(const char *z, size_t n, unsigned int mask, int64_t maxBytes,
                             int *pRc) {
  char zErr[SETTER_PARSE_ERR_MAX];
  SetterRows *pRows = (SetterRows *)zErr; /* must be overwritten */
  char *zBody = malloc(n ? n : 1);
  int rc;
  if (zBody == NULL) return NULL;
  if (n) memcpy(zBody, z, n);
  rc = setterParseResponse(zBody, n, mask, maxBytes, &pRows, zErr, sizeof zErr);
  *pRc = rc;
  if (rc != SETTER_PARSE_OK) {
    if (pRows != NULL) abort();
    if (rc != SETTER_PARSE_MALFORMED && rc != SETTER_PARSE_NOMEM &&
        !(rc == SETTER_PARSE_TOO_LARGE && maxBytes > 0)) {
      abort();
    }
    if (memchr(zErr, 0, sizeof zErr) == NULL || zErr[0] == 0) abort();
    return NULL;
  }
  if (pRows == NULL) abort();
  if (maxBytes > 0 && (int64_t)setterRowsBytes(pRows) > maxBytes) abort();
  return pRows;
}

static void parseOnce(const uint8_t *aData, size_t nData, unsigned int mask, int64_t maxBytes) {
  int rc, f;
  int64_t iRow;
  SetterRows *pRows = parseCopy((const char *)aData, nData, mask, maxBytes, &rc);
  if (pRows == NULL) return;
  if (pRows->nRow < 0 || pRows->nRow > (int64_t)nData) abort();
  for (iRow = 0; iRow < pRows->nRow; iRow++) {
    for (f = 0; f < SETTER_FIELD_COUNT; f++) {
      const SetterValue *c = setterRowsCell(pRows, iRow, f);
      if ((c != NULL) != ((mask & SETTER_FIELD_BIT(f)) != 0)) abort();
      if (c == NULL) continue;
      switch (c->type) {
        case SETTER_NULL:
          break;
        case SETTER_INTEGER:
          sink ^= (unsigned char)c->u.i;
          break;
        case SETTER_TEXT:
          if (c->u.z == NULL || c->n > nData) abort();
          readBytes(c->u.z, c->n);
          break;
        default:
          abort();
      }
    }
  }
  if (pRows->zContextStartsAt) readBytes(pRows->zContextStartsAt, strlen(pRows->zContextStartsAt));
  /* an extra holder outlives the first reference */
  setterRowsRef(pRows);
  setterRowsUnref(pRows);
  if (pRows->nRow > 0) {
    const SetterValue *c = setterRowsCell(pRows, pRows->nRow - 1, SETTER_FIELD_RAW_JSON);
    if (c && c->type == SETTER_TEXT) readBytes(c->u.z, c->n);
  }
  setterRowsUnref(pRows);
}

/* ------------------------------------------------ reading as it arrives */

typedef struct Result {
  int rc;
  SetterRows *pRows;
  char zErr[SETTER_PARSE_ERR_MAX];
} Result;

/* z[0..n) handed over in pieces that end at aCut[0..nCut) (ascending). */
static Result parsePieces(const char *z, size_t n, const size_t *aCut, int nCut) {
  Result r;
  SetterParser *p = setterParserNew(SETTER_FIELD_ALL, 0);
  char *zBuf = malloc(n ? n : 1);
  size_t nBuf = 0, i = 0, nTaken;
  int k, rc = SETTER_PARSE_OK;
  r.pRows = NULL;
  r.rc = SETTER_PARSE_NOMEM;
  if (p == NULL || zBuf == NULL) {
    setterParserFree(p);
    free(zBuf);
    return r;
  }
  for (k = 0; k < nCut; k++) {
    if (aCut[k] <= i || aCut[k] >= n) continue;
    memcpy(zBuf + nBuf, z + i, aCut[k] - i);
    nBuf += aCut[k] - i;
    i = aCut[k];
    if (aCut[k] & 1) setterParserReadAll(p);
    rc = setterParserFeed(p, zBuf, nBuf, 0, &nTaken);
    if (nTaken > nBuf) abort();
    memmove(zBuf, zBuf + nTaken, nBuf - nTaken);
    nBuf -= nTaken;
    if (rc != SETTER_PARSE_OK) break; /* xBody has enough: no more bytes */
  }
  if (rc == SETTER_PARSE_OK) {
    memcpy(zBuf + nBuf, z + i, n - i);
    nBuf += n - i;
  }
  r.rc = setterParserFinish(p, zBuf, nBuf, &r.pRows, r.zErr, sizeof r.zErr);
  setterParserFree(p);
  free(zBuf);
  return r;
}

static int sameRows(const SetterRows *a, const SetterRows *b) {
  int64_t i;
  if (a->nRow != b->nRow || a->nSlot != b->nSlot || setterRowsBytes(a) != setterRowsBytes(b) ||
      a->nContextStartsAt != b->nContextStartsAt ||
      (a->zContextStartsAt == NULL) != (b->zContextStartsAt == NULL) ||
      (a->zContextStartsAt &&
       memcmp(a->zContextStartsAt, b->zContextStartsAt, a->nContextStartsAt) != 0)) {
    return 0;
  }
  for (i = 0; i < a->nRow * a->nSlot; i++) {
    const SetterValue *x = &a->aCell[i], *y = &b->aCell[i];
    if (x->type != y->type) return 0;
    if (x->type == SETTER_INTEGER && x->u.i != y->u.i) return 0;
    if (x->type == SETTER_TEXT && (x->n != y->n || memcmp(x->u.z, y->u.z, x->n) != 0)) return 0;
  }
  return 1;
}

/* The pieces give the whole body's result, for cuts drawn from the input. */
static void checkPieces(const uint8_t *aData, size_t nData) {
  Result whole, cut;
  size_t aCut[4];
  char *zBody = malloc(nData ? nData : 1);
  uint64_t h = 14695981039346656037ull;
  size_t i;
  int k, j;
  if (zBody == NULL || nData < 2) {
    free(zBody);
    return;
  }
  memcpy(zBody, aData, nData);
  whole.rc = setterParseResponse(zBody, nData, SETTER_FIELD_ALL, 0, &whole.pRows, whole.zErr,
                                 sizeof whole.zErr);
  for (i = 0; i < nData; i++) h = (h ^ aData[i]) * 1099511628211ull;
  for (k = 0; k < 4; k++) {
    aCut[k] = 1 + (size_t)((h >> (16 * k)) & 0xffff) % (nData - 1);
    for (j = k; j > 0 && aCut[j] < aCut[j - 1]; j--) {
      size_t t = aCut[j];
      aCut[j] = aCut[j - 1];
      aCut[j - 1] = t;
    }
  }
  for (k = 1; k <= 4; k++) {
    cut = parsePieces((const char *)aData, nData, aCut + 4 - k, k);
    if (cut.rc == SETTER_PARSE_NOMEM || whole.rc == SETTER_PARSE_NOMEM) {
      setterRowsUnref(cut.pRows);
      continue;
    }
    if (cut.rc != whole.rc) abort();
    if (cut.rc != SETTER_PARSE_OK && strcmp(cut.zErr, whole.zErr) != 0) abort();
    if (cut.rc == SETTER_PARSE_OK && !sameRows(cut.pRows, whole.pRows)) abort();
    setterRowsUnref(cut.pRows);
  }
  setterRowsUnref(whole.pRows);
}

/* ------------------------------------------------ the differential check */

static int isJsonSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int onlySpaceFrom(const char *z, size_t i, size_t n) {
  while (i < n && isJsonSpace((unsigned char)z[i])) i++;
  return i == n;
}

static int isHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* True if z[0..n) is exactly -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int isRfcNumber(const char *z, size_t n) {
  size_t i = 0, j;
  if (i < n && z[i] == '-') i++;
  if (i >= n || z[i] < '0' || z[i] > '9') return 0;
  if (z[i] == '0') {
    i++;
  } else {
    while (i < n && z[i] >= '0' && z[i] <= '9') i++;
  }
  if (i < n && z[i] == '.') {
    j = ++i;
    while (i < n && z[i] >= '0' && z[i] <= '9') i++;
    if (i == j) return 0;
  }
  if (i < n && (z[i] == 'e' || z[i] == 'E')) {
    i++;
    if (i < n && (z[i] == '+' || z[i] == '-')) i++;
    j = i;
    while (i < n && z[i] >= '0' && z[i] <= '9') i++;
    if (i == j) return 0;
  }
  return i == n;
}

/* What the text holds of the deliberate differences (see the header). */
typedef struct Differences {
  int bControl;    /* a byte < 0x20 but JSON white space, or a leading BOM */
  int bLenient;    /* a non-RFC number run, or a bad \u escape */
  int bLongNumber; /* a number run longer than 63 characters */
} Differences;

static Differences findDifferences(const char *z, size_t n) {
  Differences d = {0, 0, 0};
  size_t i = 0;
  int inString = 0;
  if (n >= 3 && memcmp(z, "\xef\xbb\xbf", 3) == 0) d.bControl = 1;
  while (i < n) {
    unsigned char c = (unsigned char)z[i];
    if (c < 0x20 && !isJsonSpace(c)) d.bControl = 1;
    if (c < 0x20 && inString) d.bControl = 1;
    if (inString) {
      if (c == '\\' && i + 1 < n) {
        if (z[i + 1] == 'u') {
          int k;
          for (k = 2; k < 6; k++) {
            if (i + k >= n || !isHex(z[i + k])) d.bLenient = 1;
          }
        }
        i += 2;
        continue;
      }
      if (c == '"') inString = 0;
      i++;
      continue;
    }
    if (c == '"') {
      inString = 1;
      i++;
      continue;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      size_t j = i;
      while (j < n && strchr("0123456789+-.eE", z[j]) && z[j]) j++;
      if (!isRfcNumber(z + i, j - i)) d.bLenient = 1;
      if (j - i > 63) d.bLongNumber = 1;
      i = j;
      continue;
    }
    i++;
  }
  return d;
}

/* A valid value wrapped as a message's content and errorDetails must parse,
** and a later duplicate "content" must not replace it. */
static void checkAsMember(const char *z, size_t n, const cJSON *pOracle) {
  static const char zHead[] = "{\"data\":[{\"content\":";
  static const char zMid[] = ",\"errorDetails\":";
  static const char zTail[] = ",\"content\":\"duplicate\"}]}";
  size_t nBody = sizeof zHead - 1 + n + sizeof zMid - 1 + n + sizeof zTail - 1;
  char *zBody = malloc(nBody);
  SetterRows *pRows;
  int rc;
  if (zBody == NULL) return;
  memcpy(zBody, zHead, sizeof zHead - 1);
  memcpy(zBody + sizeof zHead - 1, z, n);
  memcpy(zBody + sizeof zHead - 1 + n, zMid, sizeof zMid - 1);
  memcpy(zBody + sizeof zHead - 1 + n + sizeof zMid - 1, z, n);
  memcpy(zBody + nBody - (sizeof zTail - 1), zTail, sizeof zTail - 1);
  pRows = parseCopy(zBody, nBody, SETTER_FIELD_ALL, 0, &rc);
  free(zBody);
  if (rc == SETTER_PARSE_NOMEM) return;
  if (pRows == NULL || pRows->nRow != 1) abort();
  if (cJSON_IsString(pOracle)) {
    const SetterValue *c = setterRowsCell(pRows, 0, SETTER_FIELD_CONTENT);
    size_t nOracle = strlen(pOracle->valuestring);
    if (c == NULL || c->type != SETTER_TEXT || c->n < nOracle) abort();
    if (memcmp(c->u.z, pOracle->valuestring, nOracle) != 0) abort();
    if (c->n != nOracle && memchr(c->u.z, 0, c->n) == NULL) abort();
  } else {
    /* null stays NULL, anything else is its JSON text, never the duplicate */
    const SetterValue *c = setterRowsCell(pRows, 0, SETTER_FIELD_CONTENT);
    if (c == NULL || (c->type == SETTER_NULL) != (cJSON_IsNull(pOracle) != 0)) abort();
    if (c->type == SETTER_TEXT && c->n == 9 && memcmp(c->u.z, "duplicate", 9) == 0) abort();
  }
  setterRowsUnref(pRows);
}

static void differential(const uint8_t *aData, size_t nData) {
  char *z = malloc(nData ? nData : 1);
  const char *zEnd = NULL;
  size_t iEnd = 0;
  cJSON *pOracle;
  int bOurs, bTheirs;
  if (z == NULL) return;
  if (nData) memcpy(z, aData, nData);
  setterJsonReplaceLoneSurrogates(z, nData);
  bOurs =
      setterJsonScan(z, nData, &iEnd, NULL, 0) == SETTER_PARSE_OK && onlySpaceFrom(z, iEnd, nData);
  if (iEnd > nData) abort();
  pOracle = nData ? cJSON_ParseWithLengthOpts(z, nData, &zEnd, 0) : NULL;
  bTheirs = pOracle != NULL && zEnd != NULL && zEnd >= z && zEnd <= z + nData &&
            onlySpaceFrom(z, (size_t)(zEnd - z), nData);
  if (bOurs != bTheirs) {
    Differences d = findDifferences(z, nData);
    if (d.bControl) {
      if (bOurs) abort(); /* RFC 8259: never valid */
    } else if (!(bTheirs && d.bLenient) && !(bOurs && d.bLongNumber)) {
      abort(); /* a disagreement no documented difference explains */
    }
  }
  if (bOurs && bTheirs) checkAsMember(z, nData, pOracle);
  cJSON_Delete(pOracle);
  free(z);
}

/* The message of an API error body by setterApiErrorMessage's rule, read
** with cJSON (NULL if none); *ppRoot gets the tree to free. */
static const char *cjsonApiErrorMessage(const char *z, size_t n, cJSON **ppRoot) {
  cJSON *pRoot = cJSON_ParseWithLength(z, n), *pMessage, *pError;
  *ppRoot = pRoot;
  if (!cJSON_IsObject(pRoot)) return NULL;
  pMessage = cJSON_GetObjectItemCaseSensitive(pRoot, "message");
  pError = cJSON_GetObjectItemCaseSensitive(pRoot, "error");
  if (cJSON_IsString(pMessage)) return pMessage->valuestring;
  if (cJSON_IsString(pError)) return pError->valuestring;
  if (cJSON_IsObject(pError)) {
    pMessage = cJSON_GetObjectItemCaseSensitive(pError, "message");
    if (cJSON_IsString(pMessage)) return pMessage->valuestring;
  }
  return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData) {
  char *zCopy, *zMsg;
  size_t nMsg;
  cJSON *pRoot;
  parseOnce(aData, nData, SETTER_FIELD_ALL, 0);
  if (nData > 0) {
    /* a partial mask from the first byte: its bits 0..7 pick fields 0..7
    ** and its bits 0..3 also fields 8..11 (raw_json is bit 11), so every
    ** field is sometimes in and sometimes out; a '{' (0x7b) gives
    ** message_id, content, created_at, latest_status, failure_reason,
    ** error_title, error_message, platform_resource_id and raw_json.  The
    ** row bound, 400 to 16,720 bytes, from the same byte. */
    unsigned int mask = (unsigned int)aData[0] | ((unsigned int)aData[0] << 8);
    parseOnce(aData, nData, mask & SETTER_FIELD_ALL, 400 + 64 * (int64_t)aData[0]);
  }
  differential(aData, nData);
  checkPieces(aData, nData);
  zCopy = malloc(nData ? nData : 1);
  if (zCopy == NULL) return 0;
  if (nData) memcpy(zCopy, aData, nData);
  zMsg = setterApiErrorMessage(zCopy, nData, &nMsg);
  if (zMsg) {
    const char *zTheirs = cjsonApiErrorMessage(zCopy, nData, &pRoot);
    readBytes(zMsg, nMsg);
    if (zTheirs) { /* equal up to cJSON's first 0 byte (a \u0000 we keep) */
      size_t n = strlen(zTheirs);
      if (n > nMsg || memcmp(zTheirs, zMsg, n) != 0 || (n < nMsg && zMsg[n] != 0)) abort();
    }
    cJSON_Delete(pRoot);
    setterFree(zMsg);
  }
  /* compact JSON never grows */
  {
    char *zOut = malloc(nData ? nData : 1);
    if (zOut) {
      if (setterJsonCompact(zCopy, nData, zOut) > nData) abort();
      free(zOut);
    }
  }
  free(zCopy);
  return 0;
}
