/*
** parse.c - turn an API response body into SetterRows without building a
** tree of the whole body, and without a JSON library on the way.
**
** The body is walked once by a small validating reader (RFC 8259):
**   - the response object, "data", each message object and "metadata" are
**     read member by member (readResponse, readMessage, readMetadata);
**   - every member *value* is checked by jsonScanValue, which knows strings
**     (all escapes; UTF-8 bytes passed through unchecked, as cJSON did),
**     numbers (the RFC grammar exactly), true/false/null and nested
**     arrays/objects up to JSON_MAX_DEPTH levels (cJSON's limit), iteratively
**     (no recursion, so no stack to exhaust).  It refuses what RFC 8259
**     refuses, notably a raw byte below 0x20 inside a string and any byte
**     but space, tab, CR and LF between tokens: the stored raw_json and
**     error_details must stay valid JSON for SQLite's json functions.
** Only the fields in the mask are converted, straight from the wire text;
** nothing is allocated per value but the cells' own text.  Peak memory is
** the body plus the rows, and the rows are bounded by maxRowBytes.
**
** Conversion of a message member to a cell, by the field's kind:
**   JSON null                     -> NULL (as is an absent member)
**   integer literal, INTEGER/CODE -> INTEGER, exact for all of int64
**                                    (read from the wire text, never a double)
**   string, TEXT/INTEGER/CODE     -> the decoded string (\u0000 kept as a 0
**                                    byte, a lone surrogate as U+FFFD)
**   anything else, or kind JSON   -> the value as compact JSON text
** raw_json is the message object as compact JSON: the wire text without
** insignificant white space (numbers and escapes exactly as sent).
**
** Duplicate member names: the first occurrence wins, as in SQLite's JSON
** functions (json_extract('{"a":1,"a":2}', '$.a') is 1, at any depth), so a
** column always agrees with json_extract(raw_json, ...) on the same row.  A
** message's fields, metadata's contextStartsAt and the response's metadata
** are each taken from their first occurrence (whatever its value: a first
** "content":null is NULL even if a string follows); later ones are checked
** as JSON and dropped, and take no row bytes.  One mechanism: each reader
** keeps a bitmask of the members it has taken (firstTime).  A second
** "data" is an error, as before.  Names are compared decoded
** ("cont\u0065nt" is "content"); SQLite 3.40's json_extract compares the
** escaped text, so for a name written with escapes the two may differ.
**
** cJSON is used only by setterApiErrorMessage (HTTP error bodies, a cold
** path), under a mutex: cJSON_Parse* writes a process-wide error record.
*/
#include "parse.h"

#include "alloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

/* How a field's JSON value becomes a cell (see the header comment). */
enum FieldKind { KIND_TEXT, KIND_INTEGER, KIND_CODE, KIND_JSON };

#define MESSAGE_FIELD(F, zSql, zType, zJson, K) {zJson, SETTER_FIELD_##F, KIND_##K},
static const struct {
  const char *zName;
  unsigned char eField;
  unsigned char eKind;
} aMessageField[] = {SETTER_MESSAGE_FIELDS(MESSAGE_FIELD)};
#undef MESSAGE_FIELD

#define N_MESSAGE_FIELD (int)(sizeof(aMessageField) / sizeof(aMessageField[0]))

/* Outcomes of the reader's functions: the SETTER_PARSE_* codes. */
#define READ_OK SETTER_PARSE_OK
#define READ_MALFORMED SETTER_PARSE_MALFORMED
#define READ_NOMEM SETTER_PARSE_NOMEM
#define READ_TOO_LARGE SETTER_PARSE_TOO_LARGE

/* JSON value types, as jsonScanValue reports them. */
enum JsonType {
  JSON_NULL,
  JSON_FALSE,
  JSON_TRUE,
  JSON_NUMBER,
  JSON_STRING,
  JSON_ARRAY,
  JSON_OBJECT
};

/* Escaped member names longer than this on the wire are decoded no further:
** no name this file looks for needs more (18 bytes, 6 wire bytes each). */
#define NAME_BUF_BYTES 128

/* A member name that cannot be any name this file looks for. */
#define NAME_UNKNOWN SIZE_MAX

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
  if (r->nErr) vsnprintf(r->zErr, r->nErr, zFormat, ap);
  va_end(ap);
  return READ_MALFORMED;
}

static int readNoMem(JsonReader *r) {
  if (r->nErr) snprintf(r->zErr, r->nErr, "out of memory");
  return READ_NOMEM;
}

/* An allocation of the rows failed: the bound, or no memory. */
static int readAllocFailed(JsonReader *r, const SetterRows *pRows, const char *zWhere) {
  if (!pRows->bTooLarge) return readNoMem(r);
  if (r->nErr) {
    snprintf(r->zErr, r->nErr, "the rows need more than %lld bytes, at %s",
             (long long)pRows->maxBytes, zWhere);
  }
  return READ_TOO_LARGE;
}

/* The next significant character (skipping JSON white space), or -1 at the
** end.  Any other byte below 0x20 is returned, for the caller to refuse. */
static int readPeek(JsonReader *r) {
  while (r->i < r->n) {
    char c = r->z[r->i];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return (unsigned char)c;
    r->i++;
  }
  return -1;
}

/* The error for an unexpected byte at r->i (or the end), where zExpected
** ("expected ':'" ...) says what should have been there. */
static int readUnexpected(JsonReader *r, const char *zExpected, const char *zWhere) {
  unsigned char c;
  if (r->i >= r->n) return readFail(r, "response ends early at byte %zu, in %s", r->n, zWhere);
  c = (unsigned char)r->z[r->i];
  if (c < 0x20) {
    return readFail(r, "invalid JSON at byte %zu, in %s: control character 0x%02x", r->i, zWhere,
                    c);
  }
  if (zExpected) return readFail(r, "%s at byte %zu, in %s", zExpected, r->i, zWhere);
  return readFail(r, "invalid JSON at byte %zu, in %s", r->i, zWhere);
}

static int readPunct(JsonReader *r, char cWant, const char *zWhere) {
  int c = readPeek(r);
  if (c != (unsigned char)cWant) {
    char zExpected[16];
    if (c < 0) return readFail(r, "response ends early, in %s", zWhere);
    snprintf(zExpected, sizeof zExpected, "expected '%c'", cWant);
    return readUnexpected(r, zExpected, zWhere);
  }
  r->i++;
  return READ_OK;
}

static int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Checks the string at r->i (its opening quote) and moves past it.
** *pbEscaped (may be NULL) is set when it holds a backslash. */
static int jsonScanString(JsonReader *r, int *pbEscaped, const char *zWhere) {
  const unsigned char *z = (const unsigned char *)r->z;
  size_t i = r->i + 1, n = r->n;
  int bEscaped = 0;
  for (;;) {
    unsigned char c;
    while (i < n && z[i] >= 0x20 && z[i] != '"' && z[i] != '\\') i++;
    if (i >= n) return readFail(r, "response ends early at byte %zu, in %s", n, zWhere);
    c = z[i];
    if (c == '"') break;
    if (c < 0x20) {
      r->i = i;
      return readFail(r,
                      "invalid JSON at byte %zu, in %s: control character 0x%02x inside a string",
                      i, zWhere, c);
    }
    bEscaped = 1;
    if (i + 1 >= n) return readFail(r, "response ends early at byte %zu, in %s", n, zWhere);
    switch (z[i + 1]) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        i += 2;
        break;
      case 'u': {
        int k;
        for (k = 2; k < 6; k++) {
          if (i + k >= n) return readFail(r, "response ends early at byte %zu, in %s", n, zWhere);
          if (hexValue((char)z[i + k]) < 0) {
            return readFail(r, "invalid JSON at byte %zu, in %s (a \\u escape needs 4 hex digits)",
                            i, zWhere);
          }
        }
        i += 6;
        break;
      }
      default:
        return readFail(r, "invalid JSON at byte %zu, in %s (unknown escape)", i, zWhere);
    }
  }
  r->i = i + 1;
  if (pbEscaped) *pbEscaped = bEscaped;
  return READ_OK;
}

/* Checks the number at r->i: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int jsonScanNumber(JsonReader *r, const char *zWhere) {
  const char *z = r->z;
  size_t i = r->i, n = r->n;
#define NUMBER_DIGIT(j) ((j) < n && z[j] >= '0' && z[j] <= '9')
#define NUMBER_NEED_DIGIT(j)                                                               \
  do {                                                                                     \
    if ((j) >= n) return readFail(r, "response ends early at byte %zu, in %s", n, zWhere); \
    if (!NUMBER_DIGIT(j)) {                                                                \
      r->i = (j);                                                                          \
      return readUnexpected(r, NULL, zWhere);                                              \
    }                                                                                      \
  } while (0)
  if (z[i] == '-') i++;
  NUMBER_NEED_DIGIT(i);
  if (z[i] == '0') {
    i++;
  } else {
    while (NUMBER_DIGIT(i)) i++;
  }
  if (i < n && z[i] == '.') {
    i++;
    NUMBER_NEED_DIGIT(i);
    while (NUMBER_DIGIT(i)) i++;
  }
  if (i < n && (z[i] == 'e' || z[i] == 'E')) {
    i++;
    if (i < n && (z[i] == '+' || z[i] == '-')) i++;
    NUMBER_NEED_DIGIT(i);
    while (NUMBER_DIGIT(i)) i++;
  }
#undef NUMBER_NEED_DIGIT
#undef NUMBER_DIGIT
  r->i = i;
  return READ_OK;
}

static int jsonScanLiteral(JsonReader *r, const char *zWord, const char *zWhere) {
  size_t nWord = strlen(zWord), nLeft = r->n - r->i;
  if (nLeft < nWord) {
    if (memcmp(r->z + r->i, zWord, nLeft) == 0) {
      return readFail(r, "response ends early at byte %zu, in %s", r->n, zWhere);
    }
  } else if (memcmp(r->z + r->i, zWord, nWord) == 0) {
    r->i += nWord;
    return READ_OK;
  }
  return readFail(r, "invalid JSON at byte %zu, in %s", r->i, zWhere);
}

/*
** Checks one JSON value starting at r->i (after white space) and moves past
** it; *peType gets its type.  Arrays and objects are walked with an explicit
** stack of one bit per level (object or array), at most JSON_MAX_DEPTH deep.
*/
static int jsonScanValue(JsonReader *r, int *peType, const char *zWhere) {
  unsigned char aIsObject[(SETTER_JSON_MAX_DEPTH + 7) / 8];
  int nDepth = 0, rc, c;
  int eFirst = -1;

  for (;;) {
    /* a value */
    int eType;
    c = readPeek(r);
    switch (c) {
      case '{':
      case '[':
        if (nDepth >= SETTER_JSON_MAX_DEPTH) {
          return readFail(r, "invalid JSON at byte %zu, in %s (nested more than %d levels deep)",
                          r->i, zWhere, SETTER_JSON_MAX_DEPTH);
        }
        if (c == '{') {
          aIsObject[nDepth / 8] |= (unsigned char)(1u << (nDepth % 8));
        } else {
          aIsObject[nDepth / 8] &= (unsigned char)~(1u << (nDepth % 8));
        }
        nDepth++;
        r->i++;
        if (eFirst < 0) eFirst = c == '{' ? JSON_OBJECT : JSON_ARRAY;
        if (readPeek(r) == (c == '{' ? '}' : ']')) {
          r->i++; /* empty */
          nDepth--;
          goto after_value;
        }
        if (c == '{') goto member_name;
        continue;
      case '"':
        rc = jsonScanString(r, NULL, zWhere);
        eType = JSON_STRING;
        break;
      case 't':
        rc = jsonScanLiteral(r, "true", zWhere);
        eType = JSON_TRUE;
        break;
      case 'f':
        rc = jsonScanLiteral(r, "false", zWhere);
        eType = JSON_FALSE;
        break;
      case 'n':
        rc = jsonScanLiteral(r, "null", zWhere);
        eType = JSON_NULL;
        break;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          rc = jsonScanNumber(r, zWhere);
          eType = JSON_NUMBER;
          break;
        }
        return readUnexpected(r, NULL, zWhere);
    }
    if (rc) return rc;
    if (eFirst < 0) eFirst = eType;

  after_value:
    /* after a value: done, or ',' and the next one, or the end of a container */
    while (nDepth > 0) {
      int bObject = (aIsObject[(nDepth - 1) / 8] >> ((nDepth - 1) % 8)) & 1;
      c = readPeek(r);
      if (c == ',') {
        r->i++;
        if (bObject) goto member_name;
        break;
      }
      if (c != (bObject ? '}' : ']')) return readUnexpected(r, NULL, zWhere);
      r->i++;
      nDepth--;
    }
    if (nDepth == 0) {
      *peType = eFirst;
      return READ_OK;
    }
    continue;

  member_name:
    if (readPeek(r) != '"') return readUnexpected(r, NULL, zWhere);
    rc = jsonScanString(r, NULL, zWhere);
    if (rc) return rc;
    if (readPeek(r) != ':') return readUnexpected(r, NULL, zWhere);
    r->i++;
  }
}

/*
** setterJsonReplaceLoneSurrogates: cJSON refused a lone UTF-16 surrogate escape (\ud83d without its
*pair),
** which JavaScript's JSON.stringify writes for a string cut in the middle of
** an emoji.  One such message must not make a whole conversation unreadable,
** and raw_json keeps escapes as sent, so each lone surrogate escape is
** rewritten in place to \ufffd (the replacement character, same length)
** before reading.  Outside strings a backslash is invalid JSON anyway, so
** jumping from backslash to backslash and consuming whole escapes keeps the
** scan inside strings.
*/

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

void setterJsonReplaceLoneSurrogates(char *z, size_t n) {
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

int setterJsonScan(const char *z, size_t n, size_t *piEnd, char *zErr, size_t nErr) {
  JsonReader r;
  int eType, rc;
  r.z = z;
  r.n = n;
  r.i = 0;
  r.zErr = zErr;
  r.nErr = nErr;
  if (nErr) zErr[0] = 0;
  rc = jsonScanValue(&r, &eType, "the value");
  *piEnd = r.i;
  return rc;
}

/* Read a member name and the ':' after it.  Names without escapes are
** returned in place; others are decoded into aBuf (NAME_BUF_BYTES), or get
** *pnName = NAME_UNKNOWN when too long to be a name this file looks for. */
static size_t decodeJsonString(const char *z, size_t n, char *zOut);

static int readMemberName(JsonReader *r, const char **pzName, size_t *pnName, char *aBuf,
                          const char *zWhere) {
  size_t iStart;
  int bEscaped, rc;
  if (readPeek(r) != '"') {
    if (r->i >= r->n) return readFail(r, "response ends early, in %s", zWhere);
    return readUnexpected(r, "expected a member name", zWhere);
  }
  iStart = r->i;
  rc = jsonScanString(r, &bEscaped, zWhere);
  if (rc) return rc;
  if (!bEscaped) {
    *pzName = r->z + iStart + 1;
    *pnName = r->i - iStart - 2;
  } else if (r->i - iStart <= NAME_BUF_BYTES) {
    *pnName = decodeJsonString(r->z + iStart, r->i - iStart, aBuf);
    *pzName = aBuf;
  } else {
    *pzName = "";
    *pnName = NAME_UNKNOWN;
  }
  return readPunct(r, ':', zWhere);
}

/* The first-occurrence rule (see the header comment): true, and the bit
** set in *pSeen, if the member of this bit has not been met yet. */
static int firstTime(unsigned int *pSeen, unsigned int bit) {
  if (*pSeen & bit) return 0;
  *pSeen |= bit;
  return 1;
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
** Decodes the JSON string z[0..n) (with its quotes; jsonScanString has
** validated it) into zOut, which has room for n bytes; returns the decoded
** length.  A \u0000 escape is kept as a 0 byte inside the text.
*/
static size_t decodeJsonString(const char *z, size_t n, char *zOut) {
  size_t i, j = 0;
  for (i = 1; i + 1 < n; i++) {
    const char *zRun = z + i;
    const char *zSlash = memchr(zRun, '\\', n - 1 - i);
    size_t nRun = zSlash ? (size_t)(zSlash - zRun) : n - 1 - i;
    char c;
    memcpy(zOut + j, zRun, nRun);
    j += nRun;
    i += nRun;
    if (zSlash == NULL) break;
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
static int storeCell(JsonReader *r, SetterRows *pRows, SetterValue *pCell, int eKind, int eType,
                     const char *zRaw, size_t nRaw, const char *zWhere) {
  int64_t iValue;
  char *zOut;
  if (nRaw > UINT32_MAX) return readFail(r, "a value of %zu bytes is too large", nRaw);
  if (eType == JSON_NULL) {
    pCell->type = SETTER_NULL;
    return READ_OK;
  }
  if (eType == JSON_NUMBER && eKind != KIND_TEXT && eKind != KIND_JSON &&
      parseInt64Literal(zRaw, nRaw, &iValue)) {
    pCell->type = SETTER_INTEGER;
    pCell->u.i = iValue;
    return READ_OK;
  }
  zOut = setterRowsAlloc(pRows, nRaw);
  if (zOut == NULL) return readAllocFailed(r, pRows, zWhere);
  if (eType == JSON_STRING && eKind != KIND_JSON) {
    pCell->n = (uint32_t)decodeJsonString(zRaw, nRaw, zOut);
  } else {
    pCell->n = (uint32_t)setterJsonCompact(zRaw, nRaw, zOut);
  }
  zOut[pCell->n] = 0;
  pCell->u.z = zOut;
  pCell->type = SETTER_TEXT;
  return READ_OK;
}

/* Read data[iMessage], an object, into a new row. */
static int readMessage(JsonReader *r, SetterRows *pRows, int64_t iMessage) {
  SetterValue *aRow;
  size_t iStart;
  unsigned int seen = 0; /* SETTER_FIELD_BIT()s of the fields stored */
  int rc;
  char zWhere[48];
  snprintf(zWhere, sizeof zWhere, "data[%lld]", (long long)iMessage);
  if (readPeek(r) != '{') {
    if (r->i >= r->n) return readFail(r, "response ends early, in %s", zWhere);
    if ((unsigned char)r->z[r->i] < 0x20) return readUnexpected(r, NULL, zWhere);
    return readFail(r, "%s is not an object", zWhere);
  }
  iStart = r->i++;
  aRow = setterRowsAppend(pRows);
  if (aRow == NULL) return readAllocFailed(r, pRows, zWhere);
  if (readPeek(r) == '}') {
    r->i++;
  } else {
    for (;;) {
      const char *zName;
      size_t nName, iValue;
      char aName[NAME_BUF_BYTES];
      int eType, k;
      rc = readMemberName(r, &zName, &nName, aName, zWhere);
      if (rc) return rc;
      readPeek(r);
      iValue = r->i;
      rc = jsonScanValue(r, &eType, zWhere);
      if (rc) return rc;
      for (k = 0; k < N_MESSAGE_FIELD; k++) {
        int iSlot;
        if (!nameIs(zName, nName, aMessageField[k].zName)) continue;
        iSlot = pRows->aSlot[aMessageField[k].eField];
        if (iSlot >= 0 && firstTime(&seen, SETTER_FIELD_BIT(aMessageField[k].eField))) {
          rc = storeCell(r, pRows, &aRow[iSlot], aMessageField[k].eKind, eType, r->z + iValue,
                         r->i - iValue, zWhere);
          if (rc) return rc;
        }
        break;
      }
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
    if (zOut == NULL) return readAllocFailed(r, pRows, zWhere);
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
    if ((unsigned char)r->z[r->i] < 0x20) return readUnexpected(r, NULL, "data");
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

/* Read the value of the first "metadata", keeping contextStartsAt when it
** is a string (the first one, when the object repeats it); any other
** value, or a metadata without one, leaves no contextStartsAt. */
static int readMetadata(JsonReader *r, SetterRows *pRows) {
  const char *zContext = NULL;
  size_t nContext = 0;
  unsigned int seen = 0; /* 1: contextStartsAt met */
  int eType, rc;
  if (readPeek(r) != '{') return jsonScanValue(r, &eType, "metadata");
  r->i++;
  if (readPeek(r) == '}') {
    r->i++;
    return READ_OK;
  }
  for (;;) {
    const char *zName;
    size_t nName, iValue;
    char aName[NAME_BUF_BYTES];
    rc = readMemberName(r, &zName, &nName, aName, "metadata");
    if (rc) return rc;
    readPeek(r);
    iValue = r->i;
    rc = jsonScanValue(r, &eType, "metadata");
    if (rc) return rc;
    if (nameIs(zName, nName, "contextStartsAt") && firstTime(&seen, 1u)) {
      zContext = eType == JSON_STRING ? r->z + iValue : NULL;
      nContext = r->i - iValue;
    }
    if (readPeek(r) == ',') {
      r->i++;
      continue;
    }
    rc = readPunct(r, '}', "metadata");
    if (rc) return rc;
    break;
  }
  if (zContext) {
    char *zOut = setterRowsAllocContext(pRows, nContext);
    size_t nOut;
    if (zOut == NULL) return readAllocFailed(r, pRows, "metadata");
    nOut = decodeJsonString(zContext, nContext, zOut);
    zOut[nOut] = 0;
  }
  return READ_OK;
}

/* Members of the response object, for its bitmask of members met. */
#define RESPONSE_DATA 1u
#define RESPONSE_METADATA 2u

static int readResponse(JsonReader *r, SetterRows *pRows) {
  unsigned int seen = 0; /* RESPONSE_* */
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
      char aName[NAME_BUF_BYTES];
      rc = readMemberName(r, &zName, &nName, aName, "the response object");
      if (rc) return rc;
      if (nameIs(zName, nName, "data")) {
        rc = firstTime(&seen, RESPONSE_DATA) ? readDataArray(r, pRows)
                                             : readFail(r, "response has \"data\" twice");
      } else if (nameIs(zName, nName, "metadata")) {
        int eType; /* a later metadata is only checked */
        rc = firstTime(&seen, RESPONSE_METADATA) ? readMetadata(r, pRows)
                                                 : jsonScanValue(r, &eType, "metadata");
      } else {
        int eType;
        rc = jsonScanValue(r, &eType, "the response object");
      }
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
  if (!(seen & RESPONSE_DATA)) return readFail(r, "response has no \"data\" array");
  return READ_OK;
}

int setterParseResponse(char *zBody, size_t nBody, unsigned int mask, int64_t maxRowBytes,
                        SetterRows **ppRows, char *zErr, size_t nErr) {
  JsonReader r;
  SetterRows *pRows;
  int rc;
  *ppRows = NULL;
  if (nErr) zErr[0] = 0;
  pRows = setterRowsNew(mask);
  if (pRows == NULL) {
    setterFree(zBody);
    if (nErr) snprintf(zErr, nErr, "out of memory");
    return READ_NOMEM;
  }
  setterRowsLimit(pRows, maxRowBytes);
  if (zBody) setterJsonReplaceLoneSurrogates(zBody, nBody);
  r.z = zBody ? zBody : "";
  r.n = zBody ? nBody : 0;
  r.i = 0;
  r.zErr = zErr;
  r.nErr = nErr;
  rc = readResponse(&r, pRows);
  setterFree(zBody);
  if (rc) {
    setterRowsUnref(pRows);
    return rc;
  }
  *ppRows = pRows;
  return READ_OK;
}

/* cJSON_Parse* writes cJSON's process-wide error record: one call at a time
** from this extension's threads (a host's own cJSON calls are not covered). */
static pthread_mutex_t cjsonMutex = PTHREAD_MUTEX_INITIALIZER;

char *setterApiErrorMessage(const char *zBody, size_t nBody) {
  const char *zFound = NULL;
  char *zOut = NULL;
  cJSON *pRoot, *pMessage, *pError;
  if (zBody == NULL || nBody == 0) return NULL;
  if (pthread_mutex_lock(&cjsonMutex) != 0) return NULL;
  pRoot = cJSON_ParseWithLength(zBody, nBody);
  (void)pthread_mutex_unlock(&cjsonMutex); /* cannot fail: a valid mutex this thread holds */
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
  if (zFound) zOut = setterStrdup(zFound);
  cJSON_Delete(pRoot);
  return zOut;
}
