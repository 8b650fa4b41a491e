/*
** json.h - a validating JSON reader over a byte range (RFC 8259), with
** the decoder and compactor of the values it has checked.
**
**   JsonReader r;
**   jsonReaderInit(&r, z, n, zErr, nErr);
**   r.zWhere = "the response object";          (named in error messages)
**   if (jsonPeek(&r) != '{') ...not an object...
**   JsonMembers m;
**   jsonMembersBegin(&r, &m);                   (consumes the '{')
**   while ((rc = jsonNextMember(&r, &m)) == JSON_MEMBER) {
**     ... m.zName/m.nName is the decoded name, r.i is at its value:
**     ... read it with jsonScanValue (or structurally), which moves past it
**   }
**   if (rc != JSON_OK) ...zErr says what is wrong...   (JSON_OK: '}' read)
**
** What is valid: RFC 8259 exactly, no extensions.  No raw byte below 0x20
** inside a string; only space, tab, CR and LF between tokens; numbers by
** the RFC grammar; every escape checked (\u with 4 hex digits).  UTF-8 bytes
** pass unchecked.  Arrays and objects nest at most SETTER_JSON_MAX_DEPTH
** levels inside one value, walked iteratively (no recursion).
**
** Errors name a byte offset (r.iBase + the offset in z) and r.zWhere (with
** "[iItem]" when r.iItem >= 0, e.g. "data[3]"); the text is formatted only
** when an error is reported.  An error caused by the text ending early sets
** r.bEnded (jsonFailEnded), so a reader of a text that is still arriving
** can tell "wait for more" from "invalid".
** Nothing here allocates; the caller gives every output buffer.
*/
#ifndef SETTER_JSON_H
#define SETTER_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Return codes; SETTER_PARSE_* (parse.h) extends them. */
#define JSON_OK 0
#define JSON_MALFORMED 1
#define JSON_MEMBER 100 /* jsonNextMember: one more member */

/* Deepest nesting of arrays/objects inside one value (cJSON's). */
#define SETTER_JSON_MAX_DEPTH 1000

/* Value types, as jsonScanValue reports them. */
enum JsonType {
  JSON_NULL,
  JSON_FALSE,
  JSON_TRUE,
  JSON_NUMBER,
  JSON_STRING,
  JSON_ARRAY,
  JSON_OBJECT
};

typedef struct JsonReader {
  const char *z;      /* the text */
  size_t n;           /* its length */
  size_t i;           /* current offset */
  size_t iBase;       /* the offset of z[0] in the whole text, for error
                      ** messages (0 unless the text is read in pieces) */
  int bEnded;         /* the last error was the text ending early: more
                      ** text may still make it valid */
  const char *zWhere; /* what is being read, for error messages */
  int64_t iItem;      /* when >= 0, errors say zWhere[iItem] */
  size_t nSpace;      /* white space bytes skipped so far: a value read while
                      ** it stays the same is already compact */
  int bEscaped;       /* the last string scanned holds a backslash */
  char *zErr;         /* where to describe a failure (nErr bytes, may be 0) */
  size_t nErr;
} JsonReader;

void jsonReaderInit(JsonReader *r, const char *z, size_t n, char *zErr, size_t nErr);

/* Fills zErr from a printf format; returns JSON_MALFORMED. */
int jsonFail(JsonReader *r, const char *zFormat, ...);

/* The same for an error caused by the end of the text: sets r->bEnded. */
int jsonFailEnded(JsonReader *r, const char *zFormat, ...);

/* r->zWhere with its item number, in zBuf (64 bytes). */
const char *jsonWhere(const JsonReader *r, char *zBuf);

/* Character classes (json.c's 256-entry table): JSON white space, and the
** bytes that end a run of plain string text ('"', '\\', below 0x20). */
#define JSON_CLASS_SPACE 0x01
#define JSON_CLASS_STRING_END 0x02
extern const unsigned char setterJsonClass[256];

/* The next significant byte (JSON white space skipped, r->i moved to it),
** or -1 at the end.  Any other byte below 0x20 is returned, for the caller
** to refuse through jsonUnexpected. */
static inline int jsonPeek(JsonReader *r) {
  while (r->i < r->n) {
    unsigned char c = (unsigned char)r->z[r->i];
    if (!(setterJsonClass[c] & JSON_CLASS_SPACE)) return c;
    r->i++;
    r->nSpace++;
  }
  return -1;
}

/* 1 if a[0..n) and b[0..n) are the same bytes.  Inline word compares (the
** last word overlapping) for the short texts the reader compares (member
** names, literals), where a call of memcmp costs more than the compare. */
static inline int jsonSameBytes(const char *a, const char *b, size_t n) {
  uint64_t x8, y8;
  uint32_t x4, y4;
  size_t i;
  if (n >= 8) {
    for (i = 0; i + 8 < n; i += 8) {
      memcpy(&x8, a + i, 8);
      memcpy(&y8, b + i, 8);
      if (x8 != y8) return 0;
    }
    memcpy(&x8, a + n - 8, 8);
    memcpy(&y8, b + n - 8, 8);
    return x8 == y8;
  }
  if (n >= 4) {
    memcpy(&x4, a, 4);
    memcpy(&y4, b, 4);
    if (x4 != y4) return 0;
    memcpy(&x4, a + n - 4, 4);
    memcpy(&y4, b + n - 4, 4);
    return x4 == y4;
  }
  for (i = 0; i < n; i++) {
    if (a[i] != b[i]) return 0;
  }
  return 1;
}

/* The error for the byte at r->i (or the end); zExpected ("expected ':'")
** may be NULL. */
int jsonUnexpected(JsonReader *r, const char *zExpected);

/* Consumes the punctuation c (after white space), or fails. */
int jsonPunct(JsonReader *r, char c);

/* Checks the value at r->i (after white space) and moves past it; *peType
** gets its type (and r->bEscaped, for a string, whether it has escapes). */
int jsonScanValue(JsonReader *r, int *peType);

/* Member iteration of an object (see the usage above).  Names without
** escapes point into the text; others are decoded into aName, or get
** nName = JSON_NAME_UNKNOWN when longer than any name a caller looks for. */
#define JSON_NAME_BUF_BYTES 128
#define JSON_NAME_UNKNOWN SIZE_MAX
typedef struct JsonMembers {
  const char *zName;
  size_t nName;
  int bStarted; /* a member has been read: next comes ',' or '}' */
  char aName[JSON_NAME_BUF_BYTES];
} JsonMembers;

/* r->i is at the '{' (the caller has checked it). */
void jsonMembersBegin(JsonReader *r, JsonMembers *p);

/* JSON_MEMBER: the next member's name is in p, r->i at its value; JSON_OK:
** the closing '}' was read; else an error. */
int jsonNextMember(JsonReader *r, JsonMembers *p);

/* Decodes the JSON string z[0..n) (with its quotes, checked) into zOut (n
** bytes of room); returns the decoded length (n - 2 when it has no escape).  \u0000 stays a 0 byte;
*a
** lone surrogate becomes U+FFFD. */
size_t jsonDecodeString(const char *z, size_t n, char *zOut);

/* True if z[0..n) is an integer literal that fits int64; *piOut gets it. */
int jsonInt64Literal(const char *z, size_t n, int64_t *piOut);

/* Compact JSON: copies the JSON text z[0..n) to zOut without insignificant
** white space; returns the bytes written (<= n).  z must be valid JSON.
** (Text read with no white space skipped needs a memcpy only.) */
size_t setterJsonCompact(const char *z, size_t n, char *zOut);

/* The reader alone (tests, the fuzz target): checks one JSON value at the
** start of z[0..n) (after white space).  JSON_OK with *piEnd just past it,
** or JSON_MALFORMED with *piEnd where it stopped and zErr filled. */
int setterJsonScan(const char *z, size_t n, size_t *piEnd, char *zErr, size_t nErr);

/* Rewrites each lone UTF-16 surrogate escape (\ud83d without its pair) in
** z[0..n) to \ufffd, in place, same length. */
void setterJsonReplaceLoneSurrogates(char *z, size_t n);

/* The same pass over a text that is still arriving: z[0..n) is what has
** arrived, iFrom where the last call stopped (0 at first).  Returns where
** to resume: every escape before it has been rewritten as the pass over the
** whole text would; with bFinal, n. */
size_t setterJsonReplaceLoneSurrogatesFrom(char *z, size_t n, size_t iFrom, int bFinal);

#endif /* SETTER_JSON_H */
