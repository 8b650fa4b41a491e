/*
** parse.c - turn an API response body into SetterRows without building a
** tree of the whole body.
**
** The body is walked by a small reader that only knows JSON punctuation
** ({ } [ ] , :) and member names.  Every member *value* is handed to cJSON
** (cJSON_ParseWithLengthOpts, which also reports where the value ends), so
** cJSON does all the validation of strings, numbers and nesting, and one
** value's tree is freed as soon as it has been converted.  Peak memory is
** the body plus the extracted cells plus one value's tree.
**
** Conversion of a message member to a cell, by the field's kind:
**   JSON null                     -> NULL (as is an absent member)
**   integer literal, INTEGER/CODE -> INTEGER, exact for all of int64
**                                    (read from the wire text, never a double)
**   string, TEXT/INTEGER/CODE     -> the decoded string
**   anything else, or kind JSON   -> the value as compact JSON text
** raw_json is the message object as compact JSON: the wire text without
** insignificant white space (numbers and escapes exactly as sent).
*/
#include "parse.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How a field's JSON value becomes a cell (see the header comment). */
enum FieldKind { KIND_TEXT, KIND_INTEGER, KIND_CODE, KIND_JSON };

static const struct {
  const char *zName;
  unsigned char eField;
  unsigned char eKind;
} aMessageField[] = {
    {"messageId", SETTER_FIELD_MESSAGE_ID, KIND_INTEGER},
    {"senderType", SETTER_FIELD_SENDER_TYPE, KIND_TEXT},
    {"content", SETTER_FIELD_CONTENT, KIND_TEXT},
    {"createdAt", SETTER_FIELD_CREATED_AT, KIND_TEXT},
    {"latestStatus", SETTER_FIELD_LATEST_STATUS, KIND_TEXT},
    {"failureReason", SETTER_FIELD_FAILURE_REASON, KIND_TEXT},
    {"errorCode", SETTER_FIELD_ERROR_CODE, KIND_CODE},
    {"errorTitle", SETTER_FIELD_ERROR_TITLE, KIND_TEXT},
    {"errorMessage", SETTER_FIELD_ERROR_MESSAGE, KIND_TEXT},
    {"errorDetails", SETTER_FIELD_ERROR_DETAILS, KIND_JSON},
    {"platformResourceId", SETTER_FIELD_PLATFORM_RESOURCE_ID, KIND_TEXT},
};

#define N_MESSAGE_FIELD (int)(sizeof(aMessageField) / sizeof(aMessageField[0]))

/* Outcomes of the reader's functions. */
#define READ_OK 0
#define READ_MALFORMED 1
#define READ_NOMEM 2

typedef struct JsonReader {
  const char *z; /* the body */
  size_t n;      /* its length */
  size_t i;      /* current offset */
  char *zErr;    /* where to describe a failure */
  size_t nErr;
} JsonReader;

static int readFail(JsonReader *r, const char *zFormat, ...) {
  va_list ap;
  va_start(ap, zFormat);
  vsnprintf(r->zErr, r->nErr, zFormat, ap);
  va_end(ap);
  return READ_MALFORMED;
}

static int readNoMem(JsonReader *r) {
  snprintf(r->zErr, r->nErr, "out of memory");
  return READ_NOMEM;
}

/* The next significant character (skipping white space), or -1 at the end. */
static int readPeek(JsonReader *r) {
  while (r->i < r->n) {
    char c = r->z[r->i];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return (unsigned char)c;
    r->i++;
  }
  return -1;
}

static int readPunct(JsonReader *r, char cWant, const char *zWhere) {
  int c = readPeek(r);
  if (c != (unsigned char)cWant) {
    if (c < 0) return readFail(r, "response ends early, in %s", zWhere);
    return readFail(r, "expected '%c' at byte %zu, in %s", cWant, r->i, zWhere);
  }
  r->i++;
  return READ_OK;
}

/* Parse one JSON value at the current position; *pzRaw and *pnRaw get its
** wire text.  Returns the cJSON item (caller deletes) or NULL on failure,
** with the reader's error set. */
static cJSON *readValue(JsonReader *r, const char **pzRaw, size_t *pnRaw, const char *zWhere) {
  const char *zEnd = NULL;
  cJSON *pItem;
  int c = readPeek(r);
  if (c < 0) {
    readFail(r, "response ends early at byte %zu, in %s", r->i, zWhere);
    return NULL;
  }
  /* cJSON would skip any byte up to 0x20 and a UTF-8 BOM before the value;
  ** JSON allows only white space, which readPeek skipped. */
  if (strchr("\"{[-0123456789tfn", c) == NULL || c == 0) {
    readFail(r, "invalid JSON at byte %zu, in %s", r->i, zWhere);
    return NULL;
  }
  pItem = cJSON_ParseWithLengthOpts(r->z + r->i, r->n - r->i, &zEnd, 0);
  if (pItem == NULL) {
    size_t iAt = (zEnd && zEnd >= r->z) ? (size_t)(zEnd - r->z) : r->i;
    if (iAt >= r->n) {
      readFail(r, "response ends early at byte %zu, in %s", r->n, zWhere);
    } else {
      readFail(r, "invalid JSON at byte %zu, in %s (or nested more than %d levels deep)", iAt,
               zWhere, CJSON_NESTING_LIMIT);
    }
    return NULL;
  }
  *pzRaw = r->z + r->i;
  *pnRaw = (size_t)(zEnd - (r->z + r->i));
  r->i = (size_t)(zEnd - r->z);
  return pItem;
}

/* Read a member name and the ':' after it.  Names without escapes are
** returned in place; others are decoded by cJSON into *ppOwned. */
static int readMemberName(JsonReader *r, const char **pzName, size_t *pnName, cJSON **ppOwned,
                          const char *zWhere) {
  size_t j;
  *ppOwned = NULL;
  if (readPeek(r) != '"') {
    if (r->i >= r->n) return readFail(r, "response ends early, in %s", zWhere);
    return readFail(r, "expected a member name at byte %zu, in %s", r->i, zWhere);
  }
  for (j = r->i + 1; j < r->n; j++) {
    unsigned char c = (unsigned char)r->z[j];
    if (c == '"' || c == '\\' || c < 0x20) break;
  }
  if (j < r->n && r->z[j] == '"') {
    *pzName = r->z + r->i + 1;
    *pnName = j - r->i - 1;
    r->i = j + 1;
  } else {
    const char *zRaw;
    size_t nRaw;
    cJSON *pName = readValue(r, &zRaw, &nRaw, zWhere);
    if (pName == NULL) return READ_MALFORMED;
    *ppOwned = pName;
    *pzName = pName->valuestring;
    *pnName = strlen(pName->valuestring);
  }
  if (readPunct(r, ':', zWhere)) {
    cJSON_Delete(*ppOwned);
    *ppOwned = NULL;
    return READ_MALFORMED;
  }
  return READ_OK;
}

static int nameIs(const char *zName, size_t nName, const char *zWant) {
  return strlen(zWant) == nName && memcmp(zName, zWant, nName) == 0;
}

/* True if z[0..n) is an integer literal that fits int64; *piOut gets it. */
static int parseInt64Literal(const char *z, size_t n, int64_t *piOut) {
  char zBuf[24];
  char *zEnd;
  long long v;
  size_t i = (n > 0 && z[0] == '-') ? 1 : 0;
  if (n == i || n >= sizeof(zBuf)) return 0;
  for (; i < n; i++) {
    if (z[i] < '0' || z[i] > '9') return 0;
  }
  memcpy(zBuf, z, n);
  zBuf[n] = 0;
  errno = 0;
  v = strtoll(zBuf, &zEnd, 10);
  if (errno != 0 || *zEnd != 0) return 0;
  *piOut = (int64_t)v;
  return 1;
}

size_t setterJsonCompact(const char *z, size_t n, char *zOut) {
  size_t i, j = 0;
  int inString = 0;
  for (i = 0; i < n; i++) {
    char c = z[i];
    if (inString) {
      zOut[j++] = c;
      if (c == '\\' && i + 1 < n)
        zOut[j++] = z[++i];
      else if (c == '"')
        inString = 0;
    } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      zOut[j++] = c;
      if (c == '"') inString = 1;
    }
  }
  return j;
}

static int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* The code unit of the \uXXXX escape at z (6 bytes available), or -1. */
static long readUnicodeEscape(const char *z, size_t n) {
  long v = 0;
  int k;
  if (n < 6 || z[0] != '\\' || z[1] != 'u') return -1;
  for (k = 2; k < 6; k++) {
    int h = hexValue(z[k]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

/*
** cJSON refuses a lone UTF-16 surrogate escape (\ud83d without its pair),
** which JavaScript's JSON.stringify writes for a string cut in the middle of
** an emoji.  One such message must not make a whole conversation unreadable,
** so each lone surrogate escape is rewritten in place to \ufffd (the
** replacement character, same length) before parsing.  Outside strings a
** backslash is invalid JSON anyway, so jumping from backslash to backslash
** and consuming whole escapes keeps the scan inside strings.
*/
static void replaceLoneSurrogates(char *z, size_t n) {
  char *p = z, *zEnd = z + n;
  while ((p = memchr(p, '\\', (size_t)(zEnd - p))) != NULL) {
    size_t nLeft = (size_t)(zEnd - p);
    long unit = readUnicodeEscape(p, nLeft);
    long next = nLeft >= 12 ? readUnicodeEscape(p + 6, nLeft - 6) : -1;
    if (unit < 0xD800 || unit > 0xDFFF) {
      p += unit < 0 ? 2 : 6;
    } else if (unit <= 0xDBFF && next >= 0xDC00 && next <= 0xDFFF) {
      p += 12;
    } else {
      memcpy(p + 2, "fffd", 4);
      p += 6;
    }
    if (p >= zEnd) break;
  }
}

/* UTF-8 of code point c into z; returns the bytes written. */
static size_t putUtf8(char *z, unsigned long c) {
  if (c < 0x80) {
    z[0] = (char)c;
    return 1;
  }
  if (c < 0x800) {
    z[0] = (char)(0xC0 | (c >> 6));
    z[1] = (char)(0x80 | (c & 0x3F));
    return 2;
  }
  if (c < 0x10000) {
    z[0] = (char)(0xE0 | (c >> 12));
    z[1] = (char)(0x80 | ((c >> 6) & 0x3F));
    z[2] = (char)(0x80 | (c & 0x3F));
    return 3;
  }
  z[0] = (char)(0xF0 | (c >> 18));
  z[1] = (char)(0x80 | ((c >> 12) & 0x3F));
  z[2] = (char)(0x80 | ((c >> 6) & 0x3F));
  z[3] = (char)(0x80 | (c & 0x3F));
  return 4;
}

/*
** Decodes the JSON string z[0..n) (with its quotes; cJSON has validated it)
** into zOut, which has room for n bytes; returns the decoded length.  Unlike
** cJSON's valuestring, a \u0000 escape is kept as a 0 byte inside the text.
*/
static size_t decodeJsonString(const char *z, size_t n, char *zOut) {
  size_t i, j = 0;
  for (i = 1; i + 1 < n; i++) {
    char c = z[i];
    if (c != '\\') {
      zOut[j++] = c;
      continue;
    }
    c = z[++i];
    switch (c) {
      case 'b':
        zOut[j++] = '\b';
        break;
      case 'f':
        zOut[j++] = '\f';
        break;
      case 'n':
        zOut[j++] = '\n';
        break;
      case 'r':
        zOut[j++] = '\r';
        break;
      case 't':
        zOut[j++] = '\t';
        break;
      case 'u': {
        long unit = readUnicodeEscape(z + i - 1, n - i + 1);
        unsigned long code = unit < 0 ? 0xFFFD : (unsigned long)unit;
        i += 4;
        if (code >= 0xD800 && code <= 0xDBFF) {
          long low = readUnicodeEscape(z + i + 1, n - i - 1);
          if (low >= 0xDC00 && low <= 0xDFFF) {
            code = 0x10000 + ((code - 0xD800) << 10) + ((unsigned long)low - 0xDC00);
            i += 6;
          } else {
            code = 0xFFFD;
          }
        } else if (code >= 0xDC00 && code <= 0xDFFF) {
          code = 0xFFFD;
        }
        j += putUtf8(zOut + j, code);
        break;
      }
      default:
        zOut[j++] = c;
        break; /* " \ / */
    }
  }
  return j;
}

/* Store one member value in its cell, by the field's kind. */
static int storeCell(JsonReader *r, SetterRows *pRows, SetterValue *pCell, int eKind,
                     const cJSON *pItem, const char *zRaw, size_t nRaw) {
  int64_t iValue;
  if (nRaw > UINT32_MAX) return readFail(r, "a value of %zu bytes is too large", nRaw);
  if (cJSON_IsNull(pItem)) {
    pCell->type = SETTER_NULL;
  } else if (cJSON_IsNumber(pItem) && eKind != KIND_TEXT && eKind != KIND_JSON &&
             parseInt64Literal(zRaw, nRaw, &iValue)) {
    pCell->type = SETTER_INTEGER;
    pCell->u.i = iValue;
  } else if (cJSON_IsString(pItem) && eKind != KIND_JSON) {
    char *zOut = setterRowsAlloc(pRows, nRaw);
    if (zOut == NULL) return readNoMem(r);
    pCell->n = (uint32_t)decodeJsonString(zRaw, nRaw, zOut);
    zOut[pCell->n] = 0;
    pCell->u.z = zOut;
    pCell->type = SETTER_TEXT;
  } else {
    char *zOut = setterRowsAlloc(pRows, nRaw);
    if (zOut == NULL) return readNoMem(r);
    pCell->n = (uint32_t)setterJsonCompact(zRaw, nRaw, zOut);
    zOut[pCell->n] = 0;
    pCell->u.z = zOut;
    pCell->type = SETTER_TEXT;
  }
  return READ_OK;
}

/* Read data[iMessage], an object, into a new row. */
static int readMessage(JsonReader *r, SetterRows *pRows, int64_t iMessage) {
  SetterValue *aRow;
  size_t iStart;
  int rc;
  char zWhere[48];
  snprintf(zWhere, sizeof zWhere, "data[%lld]", (long long)iMessage);
  if (readPeek(r) != '{') {
    if (r->i >= r->n) return readFail(r, "response ends early, in %s", zWhere);
    return readFail(r, "%s is not an object", zWhere);
  }
  iStart = r->i++;
  aRow = setterRowsAppend(pRows);
  if (aRow == NULL) return readNoMem(r);
  if (readPeek(r) == '}') {
    r->i++;
  } else {
    for (;;) {
      const char *zName, *zRaw;
      size_t nName, nRaw;
      cJSON *pOwnedName, *pItem;
      int k;
      rc = readMemberName(r, &zName, &nName, &pOwnedName, zWhere);
      if (rc) return rc;
      pItem = readValue(r, &zRaw, &nRaw, zWhere);
      rc = pItem ? READ_OK : READ_MALFORMED;
      for (k = 0; rc == READ_OK && k < N_MESSAGE_FIELD; k++) {
        int iSlot;
        if (!nameIs(zName, nName, aMessageField[k].zName)) continue;
        iSlot = pRows->aSlot[aMessageField[k].eField];
        if (iSlot >= 0) {
          rc = storeCell(r, pRows, &aRow[iSlot], aMessageField[k].eKind, pItem, zRaw, nRaw);
        }
        break;
      }
      cJSON_Delete(pItem);
      cJSON_Delete(pOwnedName);
      if (rc) return rc;
      if (readPeek(r) == ',') {
        r->i++;
        continue;
      }
      rc = readPunct(r, '}', zWhere);
      if (rc) return rc;
      break;
    }
  }
  if (pRows->aSlot[SETTER_FIELD_RAW_JSON] >= 0) {
    SetterValue *pRaw = &aRow[pRows->aSlot[SETTER_FIELD_RAW_JSON]];
    char *zOut;
    if (r->i - iStart > UINT32_MAX) return readFail(r, "%s is too large", zWhere);
    zOut = setterRowsAlloc(pRows, r->i - iStart);
    if (zOut == NULL) return readNoMem(r);
    pRaw->n = (uint32_t)setterJsonCompact(r->z + iStart, r->i - iStart, zOut);
    zOut[pRaw->n] = 0;
    pRaw->u.z = zOut;
    pRaw->type = SETTER_TEXT;
  }
  return READ_OK;
}

/* Read the value of "data": an array of message objects. */
static int readDataArray(JsonReader *r, SetterRows *pRows) {
  int64_t iMessage = 0;
  int rc;
  if (readPeek(r) != '[') {
    if (r->i >= r->n) return readFail(r, "response ends early, in data");
    return readFail(r, "\"data\" is not an array");
  }
  r->i++;
  if (readPeek(r) == ']') {
    r->i++;
    return READ_OK;
  }
  for (;;) {
    rc = readMessage(r, pRows, iMessage++);
    if (rc) return rc;
    if (readPeek(r) == ',') {
      r->i++;
      continue;
    }
    return readPunct(r, ']', "data");
  }
}

/* Read the value of "metadata", keeping contextStartsAt when it is a string. */
static int readMetadata(JsonReader *r, SetterRows *pRows) {
  const char *zRaw;
  size_t nRaw;
  cJSON *pContext;
  cJSON *pMeta = readValue(r, &zRaw, &nRaw, "metadata");
  if (pMeta == NULL) return READ_MALFORMED;
  pContext = cJSON_GetObjectItemCaseSensitive(pMeta, "contextStartsAt");
  setterRowsFreeContext(pRows);
  if (cJSON_IsString(pContext)) {
    size_t n = strlen(pContext->valuestring);
    char *zOut = setterRowsAllocContext(pRows, n);
    if (zOut == NULL) {
      cJSON_Delete(pMeta);
      return readNoMem(r);
    }
    memcpy(zOut, pContext->valuestring, n + 1);
  }
  cJSON_Delete(pMeta);
  return READ_OK;
}

static int readResponse(JsonReader *r, SetterRows *pRows) {
  int seenData = 0;
  int rc;
  if (readPeek(r) != '{') {
    if (r->i >= r->n) return readFail(r, "response body is empty");
    return readFail(r, "response is not a JSON object");
  }
  r->i++;
  if (readPeek(r) == '}') {
    r->i++;
  } else {
    for (;;) {
      const char *zName;
      size_t nName;
      cJSON *pOwnedName;
      rc = readMemberName(r, &zName, &nName, &pOwnedName, "the response object");
      if (rc) return rc;
      if (nameIs(zName, nName, "data")) {
        rc = seenData ? readFail(r, "response has \"data\" twice") : readDataArray(r, pRows);
        seenData = 1;
      } else if (nameIs(zName, nName, "metadata")) {
        rc = readMetadata(r, pRows);
      } else {
        const char *zRaw;
        size_t nRaw;
        cJSON *pSkipped = readValue(r, &zRaw, &nRaw, "the response object");
        rc = pSkipped ? READ_OK : READ_MALFORMED;
        cJSON_Delete(pSkipped);
      }
      cJSON_Delete(pOwnedName);
      if (rc) return rc;
      if (readPeek(r) == ',') {
        r->i++;
        continue;
      }
      rc = readPunct(r, '}', "the response object");
      if (rc) return rc;
      break;
    }
  }
  if (readPeek(r) >= 0) return readFail(r, "unexpected text after the JSON at byte %zu", r->i);
  if (!seenData) return readFail(r, "response has no \"data\" array");
  return READ_OK;
}

int setterParseResponse(char *zBody, size_t nBody, unsigned int mask, SetterRows **ppRows,
                        char *zErr, size_t nErr) {
  JsonReader r;
  SetterRows *pRows;
  int rc;
  *ppRows = NULL;
  if (nErr) zErr[0] = 0;
  pRows = setterRowsNew(mask);
  if (pRows == NULL) {
    free(zBody);
    snprintf(zErr, nErr, "out of memory");
    return READ_NOMEM;
  }
  if (zBody) replaceLoneSurrogates(zBody, nBody);
  r.z = zBody ? zBody : "";
  r.n = zBody ? nBody : 0;
  r.i = 0;
  r.zErr = zErr;
  r.nErr = nErr;
  rc = readResponse(&r, pRows);
  free(zBody);
  if (rc) {
    setterRowsUnref(pRows);
    return rc;
  }
  *ppRows = pRows;
  return READ_OK;
}

char *setterApiErrorMessage(const char *zBody, size_t nBody) {
  const char *zFound = NULL;
  char *zOut = NULL;
  cJSON *pRoot, *pMessage, *pError;
  if (zBody == NULL || nBody == 0) return NULL;
  pRoot = cJSON_ParseWithLength(zBody, nBody);
  if (pRoot == NULL) return NULL;
  pMessage = cJSON_GetObjectItemCaseSensitive(pRoot, "message");
  pError = cJSON_GetObjectItemCaseSensitive(pRoot, "error");
  if (cJSON_IsString(pMessage)) {
    zFound = pMessage->valuestring;
  } else if (cJSON_IsString(pError)) {
    zFound = pError->valuestring;
  } else if (cJSON_IsObject(pError)) {
    pMessage = cJSON_GetObjectItemCaseSensitive(pError, "message");
    if (cJSON_IsString(pMessage)) zFound = pMessage->valuestring;
  }
  if (zFound) zOut = strdup(zFound);
  cJSON_Delete(pRoot);
  return zOut;
}
