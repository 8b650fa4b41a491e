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
*/
#include "json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jsonReaderInit(JsonReader *r, const char *z, size_t n, char *zErr, size_t nErr) {
  r->z = z;
  r->n = n;
  r->i = 0;
  r->zWhere = "the value";
  r->iItem = -1;
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

const char *jsonWhere(const JsonReader *r, char *zBuf) {
  if (r->iItem < 0) return r->zWhere;
  snprintf(zBuf, 64, "%s[%lld]", r->zWhere, (long long)r->iItem);
  return zBuf;
}

/* "response ends early at byte N, in WHERE" */
static int failEnd(JsonReader *r) {
  char zW[64];
  return jsonFail(r, "response ends early at byte %zu, in %s", r->n, jsonWhere(r, zW));
}

int jsonPeek(JsonReader *r) {
  while (r->i < r->n) {
    char c = r->z[r->i];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return (unsigned char)c;
    r->i++;
  }
  return -1;
}

int jsonUnexpected(JsonReader *r, const char *zExpected) {
  char zW[64];
  unsigned char c;
  if (r->i >= r->n) return failEnd(r);
  c = (unsigned char)r->z[r->i];
  if (c < 0x20) {
    return jsonFail(r, "invalid JSON at byte %zu, in %s: control character 0x%02x", r->i,
                    jsonWhere(r, zW), c);
  }
  if (zExpected) return jsonFail(r, "%s at byte %zu, in %s", zExpected, r->i, jsonWhere(r, zW));
  return jsonFail(r, "invalid JSON at byte %zu, in %s", r->i, jsonWhere(r, zW));
}

int jsonPunct(JsonReader *r, char cWant) {
  int c = jsonPeek(r);
  if (c != (unsigned char)cWant) {
    char zExpected[16], zW[64];
    if (c < 0) return jsonFail(r, "response ends early, in %s", jsonWhere(r, zW));
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

/* Checks the string at r->i (its opening quote) and moves past it.
** *pbEscaped (may be NULL) is set when it holds a backslash. */
static int scanString(JsonReader *r, int *pbEscaped) {
  const unsigned char *z = (const unsigned char *)r->z;
  size_t i = r->i + 1, n = r->n;
  int bEscaped = 0;
  char zW[64];
  for (;;) {
    unsigned char c;
    while (i < n && z[i] >= 0x20 && z[i] != '"' && z[i] != '\\') i++;
    if (i >= n) return failEnd(r);
    c = z[i];
    if (c == '"') break;
    if (c < 0x20) {
      r->i = i;
      return jsonFail(r,
                      "invalid JSON at byte %zu, in %s: control character 0x%02x inside a string",
                      i, jsonWhere(r, zW), c);
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
                            i, jsonWhere(r, zW));
          }
        }
        i += 6;
        break;
      }
      default:
        return jsonFail(r, "invalid JSON at byte %zu, in %s (unknown escape)", i, jsonWhere(r, zW));
    }
  }
  r->i = i + 1;
  if (pbEscaped) *pbEscaped = bEscaped;
  return JSON_OK;
}

/* Checks the number at r->i: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int scanNumber(JsonReader *r) {
  const char *z = r->z;
  size_t i = r->i, n = r->n;
#define NUMBER_DIGIT(j) ((j) < n && z[j] >= '0' && z[j] <= '9')
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

static int scanLiteral(JsonReader *r, const char *zWord) {
  size_t nWord = strlen(zWord), nLeft = r->n - r->i;
  char zW[64];
  if (nLeft < nWord) {
    if (memcmp(r->z + r->i, zWord, nLeft) == 0) return failEnd(r);
  } else if (memcmp(r->z + r->i, zWord, nWord) == 0) {
    r->i += nWord;
    return JSON_OK;
  }
  return jsonFail(r, "invalid JSON at byte %zu, in %s", r->i, jsonWhere(r, zW));
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
                          r->i, jsonWhere(r, zW), SETTER_JSON_MAX_DEPTH);
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
        rc = scanString(r, NULL);
        eType = JSON_STRING;
        break;
      case 't':
        rc = scanLiteral(r, "true");
        eType = JSON_TRUE;
        break;
      case 'f':
        rc = scanLiteral(r, "false");
        eType = JSON_FALSE;
        break;
      case 'n':
        rc = scanLiteral(r, "null");
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
    rc = scanString(r, NULL);
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
  int bEscaped, rc, c;
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
    if (r->i >= r->n) return jsonFail(r, "response ends early, in %s", jsonWhere(r, zW));
    return jsonUnexpected(r, "expected a member name");
  }
  iStart = r->i;
  rc = scanString(r, &bEscaped);
  if (rc) return rc;
  if (!bEscaped) {
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
  jsonReaderInit(&r, z, n, zErr, nErr);
  rc = jsonScanValue(&r, &eType);
  *piEnd = r.i;
  return rc;
}

int jsonInt64Literal(const char *z, size_t n, int64_t *piOut) {
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
