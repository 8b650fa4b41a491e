/*
** json.c - the validating JSON reader of json.h: scanner, member iterator,
** string decoder, integer reader and compactor.
**
** jsonScanValue walks one value of any depth with an explicit stack of one
** bit per level (object or array), so a hostile body cannot exhaust the C
** stack.  Values are checked, never built: a caller that wants a value
** decodes or compacts its wire text afterwards, from the offsets the scan
** moved over.  This file knows nothing of the API's response shape
** (parse.c) and allocates nothing.
**
** Speed: the text is read once, and nothing is formatted unless an error is
** reported.  A 256-entry table classifies bytes; the bodies of strings, most
** of the text, are skipped 16 bytes at a time with SSE2 (x86-64) and 8 at a
** time elsewhere (one 64-bit load tells whether any of the 8 is '"', '\\' or
** below 0x20); the compactor and the decoder
** copy runs with memcpy, and a value read without skipping white space
** needs no compacting at all (JsonReader.nSpace).
*/
#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define CLASS_SPACE JSON_CLASS_SPACE
#define CLASS_END JSON_CLASS_STRING_END
#define CLASS_DIGIT 0x04

/* S: JSON white space; E: ends a run of plain string text; D: a digit. */
#define S CLASS_SPACE
#define E CLASS_END
#define D CLASS_DIGIT
/* clang-format off */
const unsigned char setterJsonClass[256] = {
    E, E, E, E, E, E, E, E, E, S|E, S|E, E, E, S|E, E, E, /* 0x00 */
    E, E, E, E, E, E, E, E, E, E, E, E, E, E, E, E, /* 0x10 */
    S, 0, E, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x20 */
    D, D, D, D, D, D, D, D, D, D, 0, 0, 0, 0, 0, 0, /* 0x30 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x40 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, E, 0, 0, 0, /* 0x50 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x60 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x70 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x80 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x90 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xa0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xb0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xc0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xd0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xe0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xf0 */
};
/* clang-format on */
#undef S
#undef E
#undef D

void jsonReaderInit(JsonReader *r, const char *z, size_t n, char *zErr, size_t nErr) {
  r->z = z;
  r->n = n;
  r->i = 0;
  r->iBase = 0;
  r->bEnded = 0;
  r->zWhere = "the value";
  r->iItem = -1;
  r->nSpace = 0;
  r->bEscaped = 0;
  r->zErr = zErr;
  r->nErr = nErr;
  if (nErr) zErr[0] = 0;
}

int jsonFail(JsonReader *r, const char *zFormat, ...) {
  va_list ap;
  va_start(ap, zFormat);
  if (r->nErr) vsnprintf(r->zErr, r->nErr, zFormat, ap);
  va_end(ap);
  return JSON_MALFORMED;
}

int jsonFailEnded(JsonReader *r, const char *zFormat, ...) {
  va_list ap;
  r->bEnded = 1;
  va_start(ap, zFormat);
  if (r->nErr) vsnprintf(r->zErr, r->nErr, zFormat, ap);
  va_end(ap);
  return JSON_MALFORMED;
}

const char *jsonWhere(const JsonReader *r, char *zBuf) {
  if (r->iItem < 0) return r->zWhere;
  snprintf(zBuf, 64, "%s[%lld]", r->zWhere, (long long)r->iItem);
  return zBuf;
}

/* "response ends early at byte N, in WHERE" */
static int failEnd(JsonReader *r) {
  char zW[64];
  return jsonFailEnded(r, "response ends early at byte %zu, in %s", r->iBase + r->n,
                       jsonWhere(r, zW));
}

int jsonUnexpected(JsonReader *r, const char *zExpected) {
  char zW[64];
  unsigned char c;
  if (r->i >= r->n) return failEnd(r);
  c = (unsigned char)r->z[r->i];
  if (c < 0x20) {
    return jsonFail(r, "invalid JSON at byte %zu, in %s: control character 0x%02x", r->iBase + r->i,
                    jsonWhere(r, zW), c);
  }
  if (zExpected) {
    return jsonFail(r, "%s at byte %zu, in %s", zExpected, r->iBase + r->i, jsonWhere(r, zW));
  }
  return jsonFail(r, "invalid JSON at byte %zu, in %s", r->iBase + r->i, jsonWhere(r, zW));
}

int jsonPunct(JsonReader *r, char cWant) {
  int c = jsonPeek(r);
  if (c != (unsigned char)cWant) {
    char zExpected[16], zW[64];
    if (c < 0) return jsonFailEnded(r, "response ends early, in %s", jsonWhere(r, zW));
    snprintf(zExpected, sizeof zExpected, "expected '%c'", cWant);
    return jsonUnexpected(r, zExpected);
  }
  r->i++;
  return JSON_OK;
}

static int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/*
** Eight bytes at a time.  specialBytes(v) has the high bit of each byte of
** v that is '"', '\\' or below 0x20 set (bytes above the first such one may
** be set too, through borrows, but the lowest is exact), so on a
** little-endian machine the first special byte of a run is at
** ctz(mask) / 8.  Elsewhere the byte loop does it all.
*/
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define JSON_SWAR 1
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static inline uint64_t load64(const unsigned char *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

static inline uint64_t specialBytes(uint64_t v) {
  uint64_t q = v ^ (ONES * '"'), b = v ^ (ONES * '\\');
  return (((q - ONES) & ~q) | ((b - ONES) & ~b) | ((v - ONES * 0x20) & ~v)) & HIGHS;
}
#endif

/*
** Sixteen bytes at a time where SSE2 is there (every x86-64 CPU): a byte is
** special if it equals '"' or '\\', or if max(byte, 0x1f) == 0x1f (below
** 0x20, unsigned).  The movemask has one bit per byte, exact, so the first
** special byte is at its lowest set bit.  The last 15 bytes or fewer go
** through the 8-byte and byte loops below.
*/
#if defined(__SSE2__) && defined(JSON_SWAR)
#define JSON_SSE2 1
#endif

/* The offset of the first '"', '\\' or byte below 0x20 in z[i..n), or n. */
static inline size_t skipPlainText(const unsigned char *z, size_t i, size_t n) {
#ifdef JSON_SSE2
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
  const __m128i control = _mm_set1_epi8(0x1f);
  while (i + 16 <= n) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(z + i));
    __m128i special =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                     _mm_cmpeq_epi8(_mm_max_epu8(v, control), control));
    int m = _mm_movemask_epi8(special);
    if (m) return i + (size_t)__builtin_ctz((unsigned)m);
    i += 16;
  }
#endif
#ifdef JSON_SWAR
  while (i + 8 <= n) {
    uint64_t m = specialBytes(load64(z + i));
    if (m) return i + (size_t)(__builtin_ctzll(m) >> 3);
    i += 8;
  }
#endif
  while (i < n && !(setterJsonClass[z[i]] & CLASS_END)) i++;
  return i;
}

/* Checks the string at r->i (its opening quote) and moves past it;
** r->bEscaped tells whether it holds a backslash. */
static int scanString(JsonReader *r) {
  const unsigned char *z = (const unsigned char *)r->z;
  size_t i = r->i + 1, n = r->n;
  int bEscaped = 0;
  char zW[64];
  for (;;) {
    unsigned char c;
    i = skipPlainText(z, i, n);
    if (i >= n) return failEnd(r);
    c = z[i];
    if (c == '"') break;
    if (c < 0x20) {
      r->i = i;
      return jsonFail(r,
                      "invalid JSON at byte %zu, in %s: control character 0x%02x inside a string",
                      r->iBase + i, jsonWhere(r, zW), c);
    }
    bEscaped = 1;
    if (i + 1 >= n) return failEnd(r);
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
          if (i + k >= n) return failEnd(r);
          if (hexValue((char)z[i + k]) < 0) {
            return jsonFail(r, "invalid JSON at byte %zu, in %s (a \\u escape needs 4 hex digits)",
                            r->iBase + i, jsonWhere(r, zW));
          }
        }
        i += 6;
        break;
      }
      default:
        return jsonFail(r, "invalid JSON at byte %zu, in %s (unknown escape)", r->iBase + i,
                        jsonWhere(r, zW));
    }
  }
  r->i = i + 1;
  r->bEscaped = bEscaped;
  return JSON_OK;
}

/* Checks the number at r->i: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int scanNumber(JsonReader *r) {
  const char *z = r->z;
  size_t i = r->i, n = r->n;
#define NUMBER_DIGIT(j) ((j) < n && (setterJsonClass[(unsigned char)z[j]] & CLASS_DIGIT))
#define NUMBER_NEED_DIGIT(j)          \
  do {                                \
    if ((j) >= n) return failEnd(r);  \
    if (!NUMBER_DIGIT(j)) {           \
      r->i = (j);                     \
      return jsonUnexpected(r, NULL); \
    }                                 \
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
  return JSON_OK;
}

/* Checks the literal zWord (nWord bytes) at r->i. */
static int scanLiteral(JsonReader *r, const char *zWord, size_t nWord) {
  size_t nLeft = r->n - r->i;
  char zW[64];
  if (nLeft >= nWord && jsonSameBytes(r->z + r->i, zWord, nWord)) {
    r->i += nWord;
    return JSON_OK;
  }
  if (nLeft < nWord && memcmp(r->z + r->i, zWord, nLeft) == 0) return failEnd(r);
  return jsonFail(r, "invalid JSON at byte %zu, in %s", r->iBase + r->i, jsonWhere(r, zW));
}

int jsonScanValue(JsonReader *r, int *peType) {
  unsigned char aIsObject[(SETTER_JSON_MAX_DEPTH + 7) / 8];
  int nDepth = 0, rc, c;
  int eFirst = -1;

  for (;;) {
    /* a value */
    int eType;
    c = jsonPeek(r);
    switch (c) {
      case '{':
      case '[':
        if (nDepth >= SETTER_JSON_MAX_DEPTH) {
          char zW[64];
          return jsonFail(r, "invalid JSON at byte %zu, in %s (nested more than %d levels deep)",
                          r->iBase + r->i, jsonWhere(r, zW), SETTER_JSON_MAX_DEPTH);
        }
        if (c == '{') {
          aIsObject[nDepth / 8] |= (unsigned char)(1u << (nDepth % 8));
        } else {
          aIsObject[nDepth / 8] &= (unsigned char)~(1u << (nDepth % 8));
        }
        nDepth++;
        r->i++;
        if (eFirst < 0) eFirst = c == '{' ? JSON_OBJECT : JSON_ARRAY;
        if (jsonPeek(r) == (c == '{' ? '}' : ']')) {
          r->i++; /* empty */
          nDepth--;
          goto after_value;
        }
        if (c == '{') goto member_name;
        continue;
      case '"':
        rc = scanString(r);
        eType = JSON_STRING;
        break;
      case 't':
        rc = scanLiteral(r, "true", 4);
        eType = JSON_TRUE;
        break;
      case 'f':
        rc = scanLiteral(r, "false", 5);
        eType = JSON_FALSE;
        break;
      case 'n':
        rc = scanLiteral(r, "null", 4);
        eType = JSON_NULL;
        break;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          rc = scanNumber(r);
          eType = JSON_NUMBER;
          break;
        }
        return jsonUnexpected(r, NULL);
    }
    if (rc) return rc;
    if (eFirst < 0) eFirst = eType;

  after_value:
    /* after a value: done, or ',' and the next one, or the end of a container */
    while (nDepth > 0) {
      int bObject = (aIsObject[(nDepth - 1) / 8] >> ((nDepth - 1) % 8)) & 1;
      c = jsonPeek(r);
      if (c == ',') {
        r->i++;
        if (bObject) goto member_name;
        break;
      }
      if (c != (bObject ? '}' : ']')) return jsonUnexpected(r, NULL);
      r->i++;
      nDepth--;
    }
    if (nDepth == 0) {
      *peType = eFirst;
      return JSON_OK;
    }
    continue;

  member_name:
    if (jsonPeek(r) != '"') return jsonUnexpected(r, NULL);
    rc = scanString(r);
    if (rc) return rc;
    if (jsonPeek(r) != ':') return jsonUnexpected(r, NULL);
    r->i++;
  }
}

void jsonMembersBegin(JsonReader *r, JsonMembers *p) {
  r->i++;
  p->zName = NULL;
  p->nName = 0;
  p->bStarted = 0;
}

int jsonNextMember(JsonReader *r, JsonMembers *p) {
  size_t iStart;
  int rc, c;
  c = jsonPeek(r);
  if (!p->bStarted && c == '}') {
    r->i++;
    return JSON_OK;
  }
  if (p->bStarted) {
    if (c != ',') return jsonPunct(r, '}');
    r->i++;
    c = jsonPeek(r);
  }
  p->bStarted = 1;
  if (c != '"') {
    char zW[64];
    if (r->i >= r->n) return jsonFailEnded(r, "response ends early, in %s", jsonWhere(r, zW));
    return jsonUnexpected(r, "expected a member name");
  }
  iStart = r->i;
  rc = scanString(r);
  if (rc) return rc;
  if (!r->bEscaped) {
    p->zName = r->z + iStart + 1;
    p->nName = r->i - iStart - 2;
  } else if (r->i - iStart <= JSON_NAME_BUF_BYTES) {
    p->nName = jsonDecodeString(r->z + iStart, r->i - iStart, p->aName);
    p->zName = p->aName;
  } else {
    p->zName = "";
    p->nName = JSON_NAME_UNKNOWN;
  }
  rc = jsonPunct(r, ':');
  if (rc) return rc;
  jsonPeek(r);
  return JSON_MEMBER;
}

/*
** Lone surrogates.  JavaScript's JSON.stringify writes a lone UTF-16
** surrogate escape (\ud83d without its pair) for a string cut in the
** middle of an emoji.  One such message must not make a whole conversation
** unreadable, and raw_json keeps escapes as sent, so each lone surrogate
** escape is rewritten in place to \ufffd (the replacement character, same
** length) before reading.  Outside strings a backslash is invalid JSON
** anyway, so jumping from backslash to backslash and consuming whole
** escapes keeps the scan inside strings.
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

size_t setterJsonReplaceLoneSurrogatesFrom(char *z, size_t n, size_t iFrom, int bFinal) {
  char *p = z + iFrom, *zEnd = z + n;
  if (iFrom >= n) return bFinal ? n : iFrom;
  while ((p = memchr(p, '\\', (size_t)(zEnd - p))) != NULL) {
    size_t nLeft = (size_t)(zEnd - p);
    long unit, next;
    if (nLeft < 12 && !bFinal) return (size_t)(p - z); /* the pair may follow */
    unit = readUnicodeEscape(p, nLeft);
    next = nLeft >= 12 ? readUnicodeEscape(p + 6, nLeft - 6) : -1;
    if (unit < 0xD800 || unit > 0xDFFF) {
      p += unit < 0 ? 2 : 6;
    } else if (unit <= 0xDBFF && next >= 0xDC00 && next <= 0xDFFF) {
      p += 12;
    } else {
      memcpy(p + 2, "fffd", 4);
      p += 6;
    }
    if (p >= zEnd) return bFinal ? n : (size_t)(p - z);
  }
  return n;
}

void setterJsonReplaceLoneSurrogates(char *z, size_t n) {
  (void)setterJsonReplaceLoneSurrogatesFrom(z, n, 0, 1);
}

int setterJsonScan(const char *z, size_t n, size_t *piEnd, char *zErr, size_t nErr) {
  JsonReader r;
  int eType, rc;
  jsonReaderInit(&r, z, n, zErr, nErr);
  rc = jsonScanValue(&r, &eType);
  *piEnd = r.i;
  return rc;
}

int jsonInt64Literal(const char *z, size_t n, int64_t *piOut) {
  uint64_t v = 0, vMax;
  size_t i = (n > 0 && z[0] == '-') ? 1 : 0;
  int bNeg = i == 1;
  if (n == i) return 0;
  vMax = bNeg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
  for (; i < n; i++) {
    unsigned d = (unsigned char)z[i] - (unsigned)'0';
    if (d > 9) return 0;
    if (v > (vMax - d) / 10) return 0;
    v = v * 10 + d;
  }
  *piOut = bNeg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
  return 1;
}

size_t setterJsonCompact(const char *z, size_t n, char *zOut) {
  const unsigned char *u = (const unsigned char *)z;
  size_t i = 0, j = 0;
  while (i < n) {
    size_t iRun = i;
    /* a run outside strings up to white space or a string's opening quote */
    while (i < n && u[i] != '"' && !(setterJsonClass[u[i]] & CLASS_SPACE)) i++;
    memcpy(zOut + j, z + iRun, i - iRun);
    j += i - iRun;
    if (i >= n) break;
    if (u[i] != '"') {
      i++; /* white space */
      continue;
    }
    /* a string, quotes included, kept as it is */
    iRun = i++;
    for (;;) {
      i = skipPlainText(u, i, n);
      if (i >= n) break;
      if (u[i] == '"') {
        i++;
        break;
      }
      i += u[i] == '\\' ? 2 : 1; /* an escape, or (invalid JSON) a control byte */
    }
    if (i > n) i = n;
    memcpy(zOut + j, z + iRun, i - iRun);
    j += i - iRun;
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

size_t jsonDecodeString(const char *z, size_t n, char *zOut) {
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
