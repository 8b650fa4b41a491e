/*
** unit_parse.c - unit tests of ext/parse.c (the JSON -> row mapping,
** setterParseResponse; setterApiErrorMessage) and ext/json.c (the reader:
** setterJsonScan, setterJsonCompact).
**
**   make build/tests/unit_parse && build/tests/unit_parse
**   valgrind --leak-check=full --error-exitcode=99 build/tests/unit_parse
**
** Every body is handed over in a malloc'd buffer of exactly its length, with
** no 0 terminator, as fetch.c does: valgrind and ASan then catch a read past
** the end, and the ownership contract (the parser frees or keeps the body,
** on success and on error) is exercised by every test.  Run under valgrind
** to prove there is no leak and no double free.
**
** The fixture bodies are byte-for-byte the ones tests/mock_api.py sends for
** bot 123 (see tests/MOCK.md), built here from one literal per message so
** that each message's exact wire text is also its expected raw_json.
*/
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "rows.h"
#include "unit.h"

/* ---------------------------------------------------------------- helpers */

#define FIELD_NAME(F, zSql, zType, zJson, K) zSql,
static const char *const azFieldName[SETTER_FIELD_COUNT] = {
    SETTER_MESSAGE_FIELDS(FIELD_NAME) "raw_json"};
#undef FIELD_NAME

typedef struct Parsed {
  int rc;
  SetterRows *pRows;
  char zErr[SETTER_PARSE_ERR_MAX];
} Parsed;

/* 1 if the two results are the same: return code, error text, and every
** row, cell, byte count and contextStartsAt. */
static int sameResult(const Parsed *a, const Parsed *b) {
  int64_t i;
  if (a->rc != b->rc) return 0;
  if (a->rc) return strcmp(a->zErr, b->zErr) == 0 && b->pRows == NULL;
  if (a->pRows->nRow != b->pRows->nRow || a->pRows->mask != b->pRows->mask ||
      setterRowsBytes(a->pRows) != setterRowsBytes(b->pRows) ||
      (a->pRows->zContextStartsAt == NULL) != (b->pRows->zContextStartsAt == NULL) ||
      a->pRows->nContextStartsAt != b->pRows->nContextStartsAt ||
      (a->pRows->zContextStartsAt && memcmp(a->pRows->zContextStartsAt, b->pRows->zContextStartsAt,
                                            a->pRows->nContextStartsAt) != 0)) {
    return 0;
  }
  for (i = 0; i < a->pRows->nRow * a->pRows->nSlot; i++) {
    const SetterValue *x = &a->pRows->aCell[i], *y = &b->pRows->aCell[i];
    if (x->type != y->type) return 0;
    if (x->type == SETTER_INTEGER && x->u.i != y->u.i) return 0;
    if (x->type == SETTER_TEXT && (x->n != y->n || memcmp(x->u.z, y->u.z, x->n) != 0)) return 0;
  }
  return 1;
}

/* Reads z[0..n) as fetch.c hands a body over while it arrives: nPiece
** bytes at a time appended to a buffer that keeps only the bytes the parser
** has not taken (exactly that size for small bodies, so that ASan sees a
** read past what has arrived). */
static Parsed parsePieces(const char *z, size_t n, unsigned int mask, int64_t maxRowBytes,
                          size_t nPiece) {
  Parsed r;
  SetterParser *p = setterParserNew(mask, maxRowBytes);
  char *zBuf = NULL;
  size_t nBuf = 0, nAlloc = 0, i = 0;
  int bExact = n <= 65536;
  if (p == NULL) abort();
  memset(r.zErr, 'X', sizeof r.zErr);
  while (i < n) {
    size_t nAdd = n - i < nPiece ? n - i : nPiece, nTaken = 0;
    if (nBuf + nAdd > nAlloc || bExact) {
      nAlloc = bExact ? nBuf + nAdd : 2 * (nBuf + nAdd);
      zBuf = realloc(zBuf, nAlloc ? nAlloc : 1);
      if (zBuf == NULL) abort();
    }
    memcpy(zBuf + nBuf, z + i, nAdd);
    nBuf += nAdd;
    i += nAdd;
    if (i == n) break; /* the last piece goes to setterParserFinish */
    (void)setterParserFeed(p, zBuf, nBuf, 0, &nTaken);
    if (nTaken > nBuf) abort();
    memmove(zBuf, zBuf + nTaken, nBuf - nTaken);
    nBuf -= nTaken;
  }
  r.rc = setterParserFinish(p, zBuf ? zBuf : "", nBuf, &r.pRows, r.zErr, sizeof r.zErr);
  setterParserFree(p);
  free(zBuf);
  return r;
}

/* Reads z[0..n) as two pieces, the first nFirst bytes long: a body whose
** bytes stopped arriving for a while at that point. */
static Parsed parseSplit(const char *z, size_t n, unsigned int mask, int64_t maxRowBytes,
                         size_t nFirst) {
  Parsed r;
  SetterParser *p = setterParserNew(mask, maxRowBytes);
  char *zBuf = malloc(n ? n : 1);
  size_t nTaken = 0;
  if (p == NULL || zBuf == NULL) abort();
  memcpy(zBuf, z, n);
  memset(r.zErr, 'X', sizeof r.zErr);
  (void)setterParserFeed(p, zBuf, nFirst, 0, &nTaken);
  if (nTaken > nFirst) abort();
  memmove(zBuf, zBuf + nTaken, n - nTaken);
  r.rc = setterParserFinish(p, zBuf, n - nTaken, &r.pRows, r.zErr, sizeof r.zErr);
  setterParserFree(p);
  free(zBuf);
  return r;
}

/* Set while a test reads every prefix of a body: cutting each of them at
** every byte too would take cubic time, for nothing the body alone misses. */
static int bNoCutEveryByte = 0;

/* 1 the first time this body is met with this mask and bound (a hash of
** them in a table of the ones met; a full table says 1): the cuts at every
** byte are tried once per body, many tests read the same one. */
static int firstMeeting(const char *z, size_t n, unsigned int mask, int64_t maxRowBytes) {
  static uint64_t aSeen[8192];
  static size_t nSeen = 0;
  uint64_t h = 14695981039346656037ull;
  size_t i;
  for (i = 0; i < n; i++) h = (h ^ (unsigned char)z[i]) * 1099511628211ull;
  h = (h ^ mask) * 1099511628211ull;
  h = (h ^ (uint64_t)maxRowBytes) * 1099511628211ull;
  for (i = 0; i < nSeen; i++) {
    if (aSeen[i] == h) return 0;
  }
  if (nSeen < sizeof aSeen / sizeof aSeen[0]) aSeen[nSeen++] = h;
  return 1;
}

/* Whatever the pieces, the result is that of the whole body: pieces of a
** few sizes, and (for a small body) a cut at every byte. */
static void checkPieces(const char *z, size_t n, unsigned int mask, int64_t maxRowBytes,
                        const Parsed *pWhole) {
  static const size_t aSmall[] = {1, 2, 7, 61, 4096}, aBig[] = {4093, 65536 + 3};
  const size_t *aPiece = n <= 20000 ? aSmall : aBig;
  int k, nPiece = n <= 20000 ? 5 : 2;
  size_t iCut;
  int bEveryByte = n <= 4096 && !bNoCutEveryByte && firstMeeting(z, n, mask, maxRowBytes);
  for (iCut = 1; bEveryByte && iCut < n; iCut++) {
    Parsed r = parseSplit(z, n, mask, maxRowBytes, iCut);
    if (!sameResult(pWhole, &r)) {
      unitFailStart(__FILE__, __LINE__);
      printf("cut after byte %zu of %zu: rc %d \"%s\", whole: rc %d \"%s\"\n", iCut, n, r.rc,
             r.rc ? r.zErr : "", pWhole->rc, pWhole->rc ? pWhole->zErr : "");
    }
    if (r.rc == 0) setterRowsUnref(r.pRows);
  }
  for (k = 0; k < nPiece; k++) {
    Parsed r = parsePieces(z, n, mask, maxRowBytes, aPiece[k]);
    if (!sameResult(pWhole, &r)) {
      unitFailStart(__FILE__, __LINE__);
      printf("read %zu bytes at a time, %zu-byte body: rc %d \"%s\", whole: rc %d \"%s\"\n",
             aPiece[k], n, r.rc, r.rc ? r.zErr : "", pWhole->rc, pWhole->rc ? pWhole->zErr : "");
    }
    if (r.rc == 0) setterRowsUnref(r.pRows);
  }
}

/* Parses z[0..n) from an exact-size malloc'd copy (the parser owns it),
** with the rows bounded by maxRowBytes (0 = unbounded); then checks that
** reading it in pieces as it arrives gives the same result. */
static Parsed parseLimit(const char *z, size_t n, unsigned int mask, int64_t maxRowBytes) {
  Parsed r;
  char *zBody = malloc(n ? n : 1);
  if (zBody == NULL) abort();
  if (n) memcpy(zBody, z, n);
  memset(r.zErr, 'X', sizeof r.zErr);
  r.pRows = (SetterRows *)&r; /* must be overwritten */
  r.rc = setterParseResponse(zBody, n, mask, maxRowBytes, &r.pRows, r.zErr, sizeof r.zErr);
  if (r.pRows != (SetterRows *)&r) checkPieces(z, n, mask, maxRowBytes, &r);
  return r;
}

static Parsed parseN(const char *z, size_t n, unsigned int mask) {
  return parseLimit(z, n, mask, 0);
}

static Parsed parse(const char *z) {
  return parseN(z, strlen(z), SETTER_FIELD_ALL);
}

static Parsed parseMask(const char *z, unsigned int mask) {
  return parseN(z, strlen(z), mask);
}

static char zWhat[160];

static const char *what(int64_t iRow, int f) {
  snprintf(zWhat, sizeof zWhat, "row %lld %s", (long long)iRow,
           f >= 0 && f < SETTER_FIELD_COUNT ? azFieldName[f] : "?");
  return zWhat;
}

static const SetterValue *cellOf(const char *zFile, int line, const SetterRows *p,
                                 int64_t iRow, int f) {
  const SetterValue *c = p ? setterRowsCell(p, iRow, f) : NULL;
  if (c == NULL) {
    unitFailStart(zFile, line);
    printf("%s has no cell (rows %p, nRow %lld)\n", what(iRow, f), (const void *)p,
           p ? (long long)p->nRow : -1LL);
  }
  return c;
}

static void checkNull(const char *zFile, int line, const SetterRows *p, int64_t iRow, int f) {
  const SetterValue *c = cellOf(zFile, line, p, iRow, f);
  if (c) unitCheckInt(c->type, SETTER_NULL, zFile, line, what(iRow, f));
}

static void checkInt(const char *zFile, int line, const SetterRows *p, int64_t iRow, int f,
                     int64_t v) {
  const SetterValue *c = cellOf(zFile, line, p, iRow, f);
  if (c && unitCheckInt(c->type, SETTER_INTEGER, zFile, line, what(iRow, f))) {
    unitCheckInt(c->u.i, v, zFile, line, what(iRow, f));
  }
}

static void checkText(const char *zFile, int line, const SetterRows *p, int64_t iRow, int f,
                      const char *z, size_t n) {
  const SetterValue *c = cellOf(zFile, line, p, iRow, f);
  if (c && unitCheckInt(c->type, SETTER_TEXT, zFile, line, what(iRow, f))) {
    unitCheckMem(c->u.z, c->n, z, n, zFile, line, what(iRow, f));
  }
}

#define CHECK_NULL(p, row, f) checkNull(__FILE__, __LINE__, (p), (row), (f))
#define CHECK_INT(p, row, f, v) checkInt(__FILE__, __LINE__, (p), (row), (f), (v))
#define CHECK_TEXT(p, row, f, z) checkText(__FILE__, __LINE__, (p), (row), (f), (z), strlen(z))
#define CHECK_TEXTN(p, row, f, z, n) checkText(__FILE__, __LINE__, (p), (row), (f), (z), (n))

/* A parse that must succeed with nRow rows. */
#define REQUIRE_ROWS(r, n) \
  do { \
    if (!CHECK_EQ_INT((r).rc, 0)) printf("  (error: %s)\n", (r).zErr); \
    REQUIRE((r).pRows != NULL); \
    if (!CHECK_EQ_INT((r).pRows->nRow, (n))) { \
      setterRowsUnref((r).pRows); \
      return; \
    } \
  } while (0)

/* A parse that must fail as malformed, with zWant inside the message. */
static void checkMalformed(const char *zFile, int line, Parsed r, const char *zWant) {
  if (!unitCheckInt(r.rc, 1, zFile, line, "setterParseResponse() rc")) {
    printf("  (error text: \"%s\")\n", r.rc ? r.zErr : "");
  }
  if (r.pRows != NULL) {
    unitFailStart(zFile, line);
    printf("*ppRows is not NULL after an error\n");
    if (r.pRows != (SetterRows *)&r) setterRowsUnref(r.pRows);
  }
  if (memchr(r.zErr, 0, sizeof r.zErr) == NULL) {
    unitFailStart(zFile, line);
    printf("error message is not 0-terminated\n");
    return;
  }
  if (r.rc && (r.zErr[0] == 0 || strstr(r.zErr, zWant) == NULL)) {
    unitFailStart(zFile, line);
    printf("error message (expected it to contain \"%s\", got \"%s\")\n", zWant, r.zErr);
  }
}

#define CHECK_MALFORMED(r, zWant) checkMalformed(__FILE__, __LINE__, (r), (zWant))

/* A growable string for generated bodies. */
typedef struct Buf {
  char *z;
  size_t n, nAlloc;
} Buf;

static void bufAppendN(Buf *b, const char *z, size_t n) {
  if (b->n + n + 1 > b->nAlloc) {
    size_t nNew = (b->n + n + 1) * 2;
    char *zNew = realloc(b->z, nNew);
    if (zNew == NULL) abort();
    b->z = zNew;
    b->nAlloc = nNew;
  }
  memcpy(b->z + b->n, z, n);
  b->n += n;
  b->z[b->n] = 0;
}

static void bufAppend(Buf *b, const char *zFormat, ...) {
  char zSmall[512];
  int n;
  va_list ap;
  va_start(ap, zFormat);
  n = vsnprintf(zSmall, sizeof zSmall, zFormat, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof zSmall) abort();
  bufAppendN(b, zSmall, (size_t)n);
}

static void bufRepeat(Buf *b, char c, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) bufAppendN(b, &c, 1);
}

/* --------------------------------------------------------------- fixtures */

/* The example of the API documentation, as printed there (2-space JSON). */
#define DOC_MESSAGE \
  "{\n" \
  "      \"botIntegrationId\": 123,\n" \
  "      \"content\": \"Hi! I'd like to book an appointment.\",\n" \
  "      \"senderType\": \"user\",\n" \
  "      \"createdAt\": \"2024-01-15T14:30:00.000Z\",\n" \
  "      \"messageId\": 789,\n" \
  "      \"platformResourceId\": \"wamid.abc123\",\n" \
  "      \"latestStatus\": \"delivered\",\n" \
  "      \"failureReason\": null,\n" \
  "      \"errorCode\": null,\n" \
  "      \"errorTitle\": null,\n" \
  "      \"errorMessage\": null,\n" \
  "      \"errorDetails\": null\n" \
  "    }"
#define DOC_BODY \
  "{\n" \
  "  \"data\": [\n" \
  "    " DOC_MESSAGE "\n" \
  "  ],\n" \
  "  \"metadata\": {\n" \
  "    \"contextStartsAt\": \"2024-01-15T12:00:00.000Z\"\n" \
  "  }\n" \
  "}\n"

/* bot 123, userNumber 1234567890 (1142 bytes) */
#define M789 \
  "{\"botIntegrationId\":123,\"content\":\"Hi! I'd like to book an appointment.\"," \
  "\"senderType\":\"user\",\"createdAt\":\"2024-01-15T14:30:00.000Z\",\"messageId\":789," \
  "\"platformResourceId\":\"wamid.abc123\",\"latestStatus\":\"delivered\"," \
  "\"failureReason\":null,\"errorCode\":null,\"errorTitle\":null,\"errorMessage\":null," \
  "\"errorDetails\":null}"
#define M790 \
  "{\"botIntegrationId\":123,\"content\":\"Sure! What day works for you?\"," \
  "\"senderType\":\"bot\",\"createdAt\":\"2024-01-15T14:30:05.000Z\",\"messageId\":790," \
  "\"platformResourceId\":\"wamid.abc124\",\"latestStatus\":\"read\"," \
  "\"failureReason\":null,\"errorCode\":null,\"errorTitle\":null,\"errorMessage\":null," \
  "\"errorDetails\":null}"
#define M791 \
  "{\"botIntegrationId\":123,\"content\":\"Reminder: your appointment is tomorrow.\"," \
  "\"senderType\":\"bot\",\"createdAt\":\"2024-01-16T09:00:00.000Z\",\"messageId\":791," \
  "\"platformResourceId\":\"wamid.abc125\",\"latestStatus\":\"failed\"," \
  "\"failureReason\":\"Message undeliverable\",\"errorCode\":131026," \
  "\"errorTitle\":\"Message undeliverable\"," \
  "\"errorMessage\":\"Receiver is incapable of receiving this message\"," \
  "\"errorDetails\":{\"details\":\"Receiver is incapable of receiving this message\"," \
  "\"fbtrace_id\":\"AbC123\"}}"
#define BODY_1234567890 \
  "{\"data\":[" M789 "," M790 "," M791 "],\"metadata\":{\"contextStartsAt\":" \
  "\"2024-01-15T14:30:05.000Z\"}}"

/* bot 123, userNumber unicode */
#define UNI(id, content) \
  "{\"botIntegrationId\":123,\"content\":\"" content "\",\"senderType\":\"user\"," \
  "\"createdAt\":\"2024-01-20T10:00:0" #id ".000Z\",\"messageId\":" #id "," \
  "\"platformResourceId\":\"wamid.uni" #id "\",\"latestStatus\":\"read\"," \
  "\"failureReason\":null,\"errorCode\":null,\"errorTitle\":null,\"errorMessage\":null," \
  "\"errorDetails\":null}"
#define CAFE_UTF8 "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xf0\x9f\x98\x80"
#define BODY_UNICODE \
  "{\"data\":[" \
  UNI(1, CAFE_UTF8) "," \
  UNI(2, "caf\\u00e9 \\u65e5\\u672c\\u8a9e \\ud83d\\ude00") "," \
  UNI(3, "She said \\\"hi\\\" and C:\\\\temp\\\\new") "," \
  UNI(4, "line1\\nline2\\tcol2\\r\\nline3") "," \
  UNI(5, "") "," \
  UNI(6, "\\/slash \\u00C9 \\u0041") \
  "],\"metadata\":{\"contextStartsAt\":null}}"

/* bot 123, userNumber bigids */
#define BIG(n, id, status, reason, code) \
  "{\"botIntegrationId\":4294967296,\"content\":\"big id " #n "\",\"senderType\":\"bot\"," \
  "\"createdAt\":\"2024-01-20T11:00:0" #n ".000Z\",\"messageId\":" #id "," \
  "\"platformResourceId\":\"wamid.big" #n "\",\"latestStatus\":\"" status "\"," \
  "\"failureReason\":" reason ",\"errorCode\":" #code ",\"errorTitle\":null," \
  "\"errorMessage\":null,\"errorDetails\":null}"
#define BODY_BIGIDS \
  "{\"data\":[" \
  BIG(1, 2147483648, "delivered", "null", null) "," \
  BIG(2, 9007199254740993, "delivered", "null", null) "," \
  BIG(3, 9223372036854775807, "failed", "\"Big error code\"", 4294967297) \
  "],\"metadata\":{\"contextStartsAt\":null}}"

/* bot 123, userNumber missing: no metadata, hand-written spacing */
#define MISS1 "{\"messageId\":1,\"content\":\"only id and content\"}"
#define MISS2 \
  "{\"botIntegrationId\":null,\"content\":null,\"senderType\":null,\"createdAt\":null," \
  "\"messageId\":null,\"platformResourceId\":null,\"latestStatus\":null," \
  "\"failureReason\":null,\"errorCode\":null,\"errorTitle\":null,\"errorMessage\":null," \
  "\"errorDetails\":null}"
#define MISS3 \
  "{\"messageId\":3,\"content\":\"extra fields\",\"senderType\":\"bot\"," \
  "\"newField\": {\"a\": [1, 2]},\"latestStatus\":\"sent\",\"anotherField\":\"x\"}"
#define MISS4 \
  "{\"messageId\":4,\"content\":\"string code\",\"latestStatus\":\"failed\"," \
  "\"errorCode\":\"E_TIMEOUT\",\"errorDetails\":[1, \"two\", null]}"
#define MISS5 \
  "{\"messageId\":5,\"content\":\"fractional code\",\"latestStatus\":\"failed\"," \
  "\"errorCode\":1.5,\"errorDetails\":42}"
#define MISS6 \
  "{\"messageId\":6,\"content\":\"string details\",\"latestStatus\":\"failed\"," \
  "\"errorCode\":0,\"errorDetails\":\"plain text details\"}"
#define MISS7 \
  "{\"messageId\":7,\"content\":\"boolean details\",\"latestStatus\":\"failed\"," \
  "\"errorCode\":-7,\"errorDetails\":true}"
#define MISS8 \
  "{\"messageId\":8,\"content\":\"nested details\",\"latestStatus\":\"failed\"," \
  "\"errorCode\":131026,\"errorDetails\": { \"a\" : 1 ,\n" \
  "  \"b\" : [ 1 , 2 , { \"c\" : null } ] , \"d\" : \"x y\" } }"
#define MISS9 "{}"
#define BODY_MISSING \
  "{\"data\":[" MISS1 "," MISS2 "," MISS3 "," MISS4 "," MISS5 "," MISS6 "," MISS7 "," \
  MISS8 "," MISS9 "]}"

/* ------------------------------------------------------------ cell cases */

/*
** Most mapping checks have one shape: parse a body with a mask, expect
** nRow rows, expect some cells.  Each is one CellCase of aCellCase, named
** by what it proves; a failure names the case and its line here.
*/
#define WANT_ABSENT 6     /* type: the field has no cell (outside the mask) */
#define WANT_CONTEXT_F -1 /* field: the rows' contextStartsAt */

typedef struct CellWant {
  int iRow;
  int f;         /* SETTER_FIELD_* or WANT_CONTEXT_F */
  int type;      /* SETTER_INTEGER, SETTER_TEXT, SETTER_NULL, WANT_ABSENT; 0 ends the list */
  int64_t i;     /* SETTER_INTEGER */
  const char *z; /* SETTER_TEXT */
  size_t n;      /* bytes of z; SIZE_MAX: strlen(z) */
} CellWant;

#define WANT_INT(row, F, v) \
  { (row), SETTER_FIELD_##F, SETTER_INTEGER, (v), NULL, 0 }
#define WANT_TEXT(row, F, s) \
  { (row), SETTER_FIELD_##F, SETTER_TEXT, 0, (s), SIZE_MAX }
#define WANT_TEXTN(row, F, s, len) \
  { (row), SETTER_FIELD_##F, SETTER_TEXT, 0, (s), (len) }
#define WANT_NULL(row, F) \
  { (row), SETTER_FIELD_##F, SETTER_NULL, 0, NULL, 0 }
#define WANT_NO_CELL(row, F) \
  { (row), SETTER_FIELD_##F, WANT_ABSENT, 0, NULL, 0 }
#define WANT_CONTEXT(s) \
  { 0, WANT_CONTEXT_F, SETTER_TEXT, 0, (s), SIZE_MAX }
#define WANT_NO_CONTEXT \
  { 0, WANT_CONTEXT_F, SETTER_NULL, 0, NULL, 0 }

typedef struct CellCase {
  int line;
  const char *zTitle;
  const char *zBody;
  unsigned int mask;
  int64_t nRow;
  CellWant aWant[20];
} CellCase;

static const CellCase aCellCase[] = {
    {__LINE__,
     "mock_fixture_1234567890_maps_every_field_of_three_messages",
     BODY_1234567890,
     SETTER_FIELD_ALL,
     3,
     {
         WANT_INT(0, MESSAGE_ID, 789),
         WANT_INT(1, MESSAGE_ID, 790),
         WANT_INT(2, MESSAGE_ID, 791),
         WANT_TEXT(1, SENDER_TYPE, "bot"),
         WANT_TEXT(1, CONTENT, "Sure! What day works for you?"),
         WANT_TEXT(1, LATEST_STATUS, "read"),
         WANT_TEXT(2, CREATED_AT, "2024-01-16T09:00:00.000Z"),
         WANT_TEXT(2, LATEST_STATUS, "failed"),
         WANT_TEXT(2, FAILURE_REASON, "Message undeliverable"),
         WANT_INT(2, ERROR_CODE, 131026),
         WANT_TEXT(2, ERROR_TITLE, "Message undeliverable"),
         WANT_TEXT(2, ERROR_MESSAGE, "Receiver is incapable of receiving this message"),
         WANT_TEXT(2, ERROR_DETAILS,
                   "{\"details\":\"Receiver is incapable of receiving this message\","
                   "\"fbtrace_id\":\"AbC123\"}"),
         WANT_TEXT(2, PLATFORM_RESOURCE_ID, "wamid.abc125"),
         WANT_TEXT(0, RAW_JSON, M789),
         WANT_TEXT(1, RAW_JSON, M790),
         WANT_TEXT(2, RAW_JSON, M791),
         WANT_CONTEXT("2024-01-15T14:30:05.000Z"),
     }},
    {__LINE__,
     "unknown_fields_are_ignored_1",
     BODY_MISSING,
     SETTER_FIELD_ALL,
     9,
     {
         WANT_INT(2, MESSAGE_ID, 3),
         WANT_TEXT(2, CONTENT, "extra fields"),
         WANT_TEXT(2, SENDER_TYPE, "bot"),
         WANT_TEXT(2, LATEST_STATUS, "sent"),
         WANT_NULL(2, ERROR_DETAILS),
     }},
    /* Unknown members whose values hold known names, and unknown top-level
    ** members (one holding a "data" key of its own) before and after data. */
    {__LINE__,
     "unknown_fields_are_ignored_2",
     "{\"version\":2,\"paging\":{\"data\":[1,2],\"next\":null},"
     "\"data\":[{\"x\":{\"content\":\"no\",\"messageId\":9},\"content\":\"yes\","
     "\"y\":[{\"errorCode\":1}],\"messageId\":1,\"botIntegrationId\":5}],"
     "\"extra\":[{\"data\":[]}],\"metadata\":{\"contextStartsAt\":null,\"more\":1}}",
     SETTER_FIELD_ALL,
     1,
     {
         WANT_TEXT(0, CONTENT, "yes"),
         WANT_INT(0, MESSAGE_ID, 1),
         WANT_NULL(0, ERROR_CODE),
     }},
    /* Numbers of several digits as top-level values (an unknown member, a
    ** metadata that is not an object): a body cut inside one must wait for
    ** the rest of it (checkPieces cuts it at every byte). */
    {__LINE__,
     "top_level_numbers_of_several_digits",
     "{\"total\":150,\"data\":[{\"messageId\":12345}],\"page\":-2.5e10,"
     "\"metadata\":1024}",
     SETTER_FIELD_ALL,
     1,
     {
         WANT_INT(0, MESSAGE_ID, 12345),
     }},
    {__LINE__,
     "member_names_are_case_sensitive",
     "{\"data\":[{\"Content\":\"A\",\"CONTENT\":\"B\",\"messageid\":1,"
     "\"content \":\"C\"}]}",
     SETTER_FIELD_ALL,
     1,
     {
         WANT_NULL(0, CONTENT),
         WANT_NULL(0, MESSAGE_ID),
     }},
    {__LINE__,
     "member_names_with_escapes_are_decoded",
     "{\"\\u0064ata\":[{\"\\u0063ontent\":\"escaped name\","
     "\"message\\u0049d\":7}],\"meta\\u0064ata\":{\"contextStartsAt\":\"t\"}}",
     SETTER_FIELD_ALL,
     1,
     {
         WANT_TEXT(0, CONTENT, "escaped name"),
         WANT_INT(0, MESSAGE_ID, 7),
         WANT_CONTEXT("t"),
     }},
    {__LINE__,
     "duplicate_member_in_a_message_first_value_wins",
     "{\"data\":[{\"content\":\"first\",\"messageId\":1,\"content\":\"second\","
     "\"messageId\":null}]}",
     SETTER_FIELD_ALL,
     1,
     {
         WANT_TEXT(0, CONTENT, "first"),
         WANT_INT(0, MESSAGE_ID, 1),
         WANT_TEXT(
             0, RAW_JSON,
             "{\"content\":\"first\",\"messageId\":1,\"content\":\"second\",\"messageId\":null}"),
     }},
    /* each field twice, the first a null or a value of another kind than the
    ** second; the second occurrences must neither replace nor be stored */
    {__LINE__,
     "duplicate_fields_first_wins_for_every_field_and_every_kind",
     "{\"data\":[{"
     "\"messageId\":7,\"senderType\":null,\"content\":\"first\","
     "\"createdAt\":\"c1\",\"latestStatus\":\"s1\",\"failureReason\":null,"
     "\"errorCode\":131026,\"errorTitle\":\"t1\",\"errorMessage\":\"m1\","
     "\"errorDetails\":{\"a\":1,\"a\":2},\"platformResourceId\":\"w1\","
     "\"messageId\":\"8\",\"senderType\":\"bot\",\"content\":null,"
     "\"createdAt\":\"c2\",\"latestStatus\":[2],\"failureReason\":\"f2\","
     "\"errorCode\":\"E2\",\"errorTitle\":\"t2\",\"errorMessage\":null,"
     "\"errorDetails\":null,\"platformResourceId\":2,"
     "\"content\":\"third\"},"
     "{\"content\":\"next message\",\"messageId\":9}]}",
     SETTER_FIELD_ALL,
     2,
     {
         WANT_INT(0, MESSAGE_ID, 7),
         WANT_NULL(0, SENDER_TYPE),
         WANT_TEXT(0, CONTENT, "first"),
         WANT_TEXT(0, CREATED_AT, "c1"),
         WANT_TEXT(0, LATEST_STATUS, "s1"),
         WANT_NULL(0, FAILURE_REASON),
         WANT_INT(0, ERROR_CODE, 131026),
         WANT_TEXT(0, ERROR_TITLE, "t1"),
         WANT_TEXT(0, ERROR_MESSAGE, "m1"),
         /* a duplicate inside a JSON value is kept as sent, for SQLite to read */
         WANT_TEXT(0, ERROR_DETAILS, "{\"a\":1,\"a\":2}"),
         WANT_TEXT(0, PLATFORM_RESOURCE_ID, "w1"),
         /* the fields seen are per message: the next one starts afresh */
         WANT_INT(1, MESSAGE_ID, 9),
         WANT_TEXT(1, CONTENT, "next message"),
     }},
    /* "cont\u0065nt" is "content": the same member for the reader */
    {__LINE__,
     "duplicate_fields_first_wins_with_escaped_names_and_partial_masks_1",
     "{\"data\":[{\"cont\\u0065nt\":\"first\",\"content\":\"second\"}]}",
     SETTER_FIELD_ALL,
     1,
     {
         WANT_TEXT(0, CONTENT, "first"),
     }},
    /* a duplicate of a field outside the mask changes nothing for the others */
    {__LINE__,
     "duplicate_fields_first_wins_with_escaped_names_and_partial_masks_2",
     "{\"data\":[{\"messageId\":1,\"content\":\"a\",\"messageId\":2,"
     "\"content\":\"b\"}]}",
     SETTER_FIELD_BIT(SETTER_FIELD_CONTENT),
     1,
     {
         WANT_TEXT(0, CONTENT, "a"),
         WANT_NO_CELL(0, MESSAGE_ID),
     }},
    {__LINE__,
     "error_code_json_integer_is_an_integer_cell_1",
     BODY_MISSING,
     SETTER_FIELD_ALL,
     9,
     {
         WANT_INT(5, ERROR_CODE, 0),
         WANT_INT(6, ERROR_CODE, -7),
         WANT_INT(7, ERROR_CODE, 131026),
     }},
    {__LINE__,
     "error_code_json_integer_is_an_integer_cell_2",
     BODY_BIGIDS,
     SETTER_FIELD_ALL,
     3,
     {
         WANT_INT(2, ERROR_CODE, 4294967297LL),
     }},
    {__LINE__,
     "error_code_json_string_is_a_text_cell_1",
     BODY_MISSING,
     SETTER_FIELD_ALL,
     9,
     {
         WANT_TEXT(3, ERROR_CODE, "E_TIMEOUT"),
     }},
    /* a string of digits stays a string: it is TEXT, not INTEGER */
    {__LINE__,
     "error_code_json_string_is_a_text_cell_2",
     "{\"data\":[{\"errorCode\":\"131026\"}]}",
     SETTER_FIELD_ALL,
     1,
     {
         WANT_TEXT(0, ERROR_CODE, "131026"),
     }},
    {__LINE__,
     "error_code_non_integer_numbers_are_text_of_the_wire",
     "{\"data\":[{\"errorCode\":1.5},{\"errorCode\":1e3},{\"errorCode\":-0.0},"
     "{\"errorCode\":131026.0},{\"errorCode\":2E-2},"
     "{\"errorCode\":99999999999999999999}]}",
     SETTER_FIELD_ALL,
     6,
     {
         WANT_TEXT(0, ERROR_CODE, "1.5"),
         WANT_TEXT(1, ERROR_CODE, "1e3"),
         WANT_TEXT(2, ERROR_CODE, "-0.0"),
         WANT_TEXT(3, ERROR_CODE, "131026.0"),
         WANT_TEXT(4, ERROR_CODE, "2E-2"),
         WANT_TEXT(5, ERROR_CODE, "99999999999999999999"),
     }},
    {__LINE__,
     "error_code_other_json_values_are_compact_json_text",
     "{\"data\":[{\"errorCode\":true},{\"errorCode\":false},"
     "{\"errorCode\":{ \"code\" : 470 }},{\"errorCode\":[ 1 , \"a b\" ]}]}",
     SETTER_FIELD_ALL,
     4,
     {
         WANT_TEXT(0, ERROR_CODE, "true"),
         WANT_TEXT(1, ERROR_CODE, "false"),
         WANT_TEXT(2, ERROR_CODE, "{\"code\":470}"),
         WANT_TEXT(3, ERROR_CODE, "[1,\"a b\"]"),
     }},
    {__LINE__,
     "error_details_any_json_value_is_compact_json_text_1",
     BODY_MISSING,
     SETTER_FIELD_ALL,
     9,
     {
         WANT_TEXT(3, ERROR_DETAILS, "[1,\"two\",null]"),
         WANT_TEXT(4, ERROR_DETAILS, "42"),
         WANT_TEXT(5, ERROR_DETAILS, "\"plain text details\""),
         /* with quotes */
         WANT_TEXT(6, ERROR_DETAILS, "true"),
         WANT_TEXT(7, ERROR_DETAILS, "{\"a\":1,\"b\":[1,2,{\"c\":null}],\"d\":\"x y\"}"),
     }},
    {__LINE__,
     "error_details_any_json_value_is_compact_json_text_2",
     "{\"data\":[{\"errorDetails\":{ \"a\" : [1, 2] }},{\"errorDetails\":\"x y\"},"
     "{\"errorDetails\":false},{\"errorDetails\":-1.25e+10},{\"errorDetails\":[]},"
     "{\"errorDetails\":{}},{\"errorDetails\":null},{\"errorDetails\":\"\"},"
     "{\"errorDetails\":9223372036854775807}]}",
     SETTER_FIELD_ALL,
     9,
     {
         WANT_TEXT(0, ERROR_DETAILS, "{\"a\":[1,2]}"),
         WANT_TEXT(1, ERROR_DETAILS, "\"x y\""),
         WANT_TEXT(2, ERROR_DETAILS, "false"),
         WANT_TEXT(3, ERROR_DETAILS, "-1.25e+10"),
         WANT_TEXT(4, ERROR_DETAILS, "[]"),
         WANT_TEXT(5, ERROR_DETAILS, "{}"),
         WANT_NULL(6, ERROR_DETAILS),
         WANT_TEXT(7, ERROR_DETAILS, "\"\""),
         /* kind JSON: an integer is JSON text, not an INTEGER cell */
         WANT_TEXT(8, ERROR_DETAILS, "9223372036854775807"),
     }},
    {__LINE__,
     "error_details_keeps_white_space_and_escapes_inside_strings",
     "{\"data\":[{\"errorDetails\":\n\t{ \"k\" :\r\n \"  two  spaces\\tand tab\" ,"
     " \"q\" : \"say \\\"a b\\\" \\\\\" , \"u\" : \"\\u00e9 \\n\" ,"
     " \"raw\" : \"caf\xc3\xa9 { } [ ] : ,\" } }]}",
     SETTER_FIELD_ALL,
     1,
     {
         /* escapes stay as sent: the cell is JSON text, not the decoded string */
         WANT_TEXT(0, ERROR_DETAILS,
                   "{\"k\":\"  two  spaces\\tand tab\",\"q\":\"say \\\"a b\\\" \\\\\","
                   "\"u\":\"\\u00e9 \\n\",\"raw\":\"caf\xc3\xa9 { } [ ] : ,\"}"),
     }},
    {__LINE__,
     "message_ids_beyond_2_31_and_2_53_are_exact_integers_1",
     BODY_BIGIDS,
     SETTER_FIELD_ALL,
     3,
     {
         WANT_INT(0, MESSAGE_ID, 2147483648LL),
         WANT_INT(1, MESSAGE_ID, 9007199254740993LL),
         WANT_INT(2, MESSAGE_ID, INT64_MAX),
         WANT_TEXT(2, FAILURE_REASON, "Big error code"),
         WANT_TEXT(0, CONTENT, "big id 1"),
     }},
    {__LINE__,
     "message_ids_beyond_2_31_and_2_53_are_exact_integers_2",
     "{\"data\":[{\"messageId\":-9223372036854775808},{\"messageId\":-1},"
     "{\"messageId\":0},{\"messageId\":-0},{\"messageId\":4294967295}]}",
     SETTER_FIELD_ALL,
     5,
     {
         WANT_INT(0, MESSAGE_ID, INT64_MIN),
         WANT_INT(1, MESSAGE_ID, -1),
         WANT_INT(2, MESSAGE_ID, 0),
         WANT_INT(3, MESSAGE_ID, 0),
         WANT_INT(4, MESSAGE_ID, 4294967295LL),
     }},
    {__LINE__,
     "message_id_beyond_int64_is_text_of_the_wire_digits",
     "{\"data\":[{\"messageId\":9223372036854775808},"
     "{\"messageId\":-9223372036854775809},"
     "{\"messageId\":123456789012345678901234567890},"
     "{\"messageId\":18446744073709551616}]}",
     SETTER_FIELD_ALL,
     4,
     {
         WANT_TEXT(0, MESSAGE_ID, "9223372036854775808"),
         WANT_TEXT(1, MESSAGE_ID, "-9223372036854775809"),
         WANT_TEXT(2, MESSAGE_ID, "123456789012345678901234567890"),
         WANT_TEXT(3, MESSAGE_ID, "18446744073709551616"),
     }},
    {__LINE__,
     "message_id_string_or_fraction_is_text",
     "{\"data\":[{\"messageId\":\"789\"},{\"messageId\":789.0},"
     "{\"messageId\":7.89e2},{\"messageId\":\"wamid.x\"},{\"messageId\":[789]}]}",
     SETTER_FIELD_ALL,
     5,
     {
         WANT_TEXT(0, MESSAGE_ID, "789"),
         WANT_TEXT(1, MESSAGE_ID, "789.0"),
         WANT_TEXT(2, MESSAGE_ID, "7.89e2"),
         WANT_TEXT(3, MESSAGE_ID, "wamid.x"),
         WANT_TEXT(4, MESSAGE_ID, "[789]"),
     }},
    {__LINE__,
     "text_fields_holding_numbers_or_objects_are_compact_json_text",
     "{\"data\":[{\"content\":5,\"senderType\":true,"
     "\"createdAt\":1705329000,\"platformResourceId\":{ \"id\" : [ 1 ] },"
     "\"latestStatus\":9223372036854775808}]}",
     SETTER_FIELD_ALL,
     1,
     {
         WANT_TEXT(0, CONTENT, "5"),
         WANT_TEXT(0, SENDER_TYPE, "true"),
         WANT_TEXT(0, CREATED_AT, "1705329000"),
         WANT_TEXT(0, PLATFORM_RESOURCE_ID, "{\"id\":[1]}"),
         WANT_TEXT(0, LATEST_STATUS, "9223372036854775808"),
     }},
    /* every UTF-8 length boundary, upper- and lower-case hex */
    {__LINE__,
     "utf8_raw_and_u_escapes_with_surrogate_pair_decode_to_the_same_bytes",
     "{\"data\":[{\"content\":\"\\u0001|\\u007f|\\u0080|\\u07FF|\\u0800|\\u20ac|"
     "\\uFFFF|\\uD800\\uDC00|\\ud834\\udd1e|\\uDBFF\\uDFFF\"}]}",
     SETTER_FIELD_ALL,
     1,
     {
         WANT_TEXT(0, CONTENT,
                   "\x01|\x7f|\xc2\x80|\xdf\xbf|\xe0\xa0\x80|\xe2\x82\xac|\xef\xbf\xbf|"
                   "\xf0\x90\x80\x80|\xf0\x9d\x84\x9e|\xf4\x8f\xbf\xbf"),
     }},
    {__LINE__,
     "quotes_backslashes_and_control_escapes_in_content_decode_1",
     BODY_UNICODE,
     SETTER_FIELD_ALL,
     6,
     {
         WANT_TEXT(2, CONTENT, "She said \"hi\" and C:\\temp\\new"),
         WANT_TEXT(3, CONTENT, "line1\nline2\tcol2\r\nline3"), WANT_TEXT(4, CONTENT, ""),
         /* empty string, not NULL */
     }},
    {__LINE__,
     "quotes_backslashes_and_control_escapes_in_content_decode_2",
     "{\"data\":[{\"content\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\",\"errorTitle\":\"\\\\\\\"\"}]}",
     SETTER_FIELD_ALL,
     1,
     {
         WANT_TEXT(0, CONTENT, "\"\\/\b\f\n\r\t"),
         WANT_TEXT(0, ERROR_TITLE, "\\\""),
     }},
    {__LINE__,
     "white_space_around_every_token_is_accepted",
     " \t\r\n{ \t\r\n\"data\" \t\r\n: \t\r\n[ \t\r\n{ \"messageId\" : 1 , "
     "\"content\" : \"a\" } \t\r\n, \t\r\n{ } \t\r\n] \t\r\n, \"metadata\" : "
     "{ \"contextStartsAt\" : \"t\" } \t\r\n} \t\r\n",
     SETTER_FIELD_ALL,
     2,
     {
         WANT_INT(0, MESSAGE_ID, 1),
         WANT_TEXT(0, CONTENT, "a"),
         WANT_TEXT(0, RAW_JSON, "{\"messageId\":1,\"content\":\"a\"}"),
         WANT_TEXT(1, RAW_JSON, "{}"),
         WANT_CONTEXT("t"),
     }},
    {__LINE__,
     "raw_json_is_each_message_as_compact_json_1",
     BODY_MISSING,
     SETTER_FIELD_ALL,
     9,
     {
         WANT_TEXT(0, RAW_JSON, MISS1),
         /* the spaces inside newField go */
         WANT_TEXT(2, RAW_JSON,
                   "{\"messageId\":3,\"content\":\"extra fields\",\"senderType\":\"bot\","
                   "\"newField\":{\"a\":[1,2]},\"latestStatus\":\"sent\",\"anotherField\":\"x\"}"),
         WANT_TEXT(3, RAW_JSON,
                   "{\"messageId\":4,\"content\":\"string code\",\"latestStatus\":\"failed\","
                   "\"errorCode\":\"E_TIMEOUT\",\"errorDetails\":[1,\"two\",null]}"),
         /* spaces and the newline go, "x y" keeps its space */
         WANT_TEXT(7, RAW_JSON,
                   "{\"messageId\":8,\"content\":\"nested details\",\"latestStatus\":\"failed\","
                   "\"errorCode\":131026,\"errorDetails\":{\"a\":1,\"b\":[1,2,{\"c\":null}],\"d\":"
                   "\"x y\"}}"),
         WANT_TEXT(8, RAW_JSON, MISS9),
     }},
    /* escapes stay escaped in raw_json */
    {__LINE__,
     "raw_json_is_each_message_as_compact_json_2",
     BODY_UNICODE,
     SETTER_FIELD_ALL,
     6,
     {
         WANT_TEXT(2, RAW_JSON, UNI(3, "She said \\\"hi\\\" and C:\\\\temp\\\\new")),
         WANT_TEXT(3, RAW_JSON, UNI(4, "line1\\nline2\\tcol2\\r\\nline3")),
     }},
    {__LINE__,
     "u0000_escape_keeps_the_rest_of_the_string",
     "{\"data\":[{\"content\":\"a\\u0000b\"}]}",
     SETTER_FIELD_ALL,
     1,
     {
         WANT_TEXTN(0, CONTENT, "a\0b", 3),
     }},
    {__LINE__,
     "lone_surrogate_becomes_replacement_character_not_an_error",
     "{\"data\":[{\"messageId\":1,\"content\":\"cut emoji \\ud83d\"},"
     "{\"messageId\":2,\"content\":\"ok\"}]}",
     SETTER_FIELD_ALL,
     2,
     {
         /* one reasonable outcome: U+FFFD in place of the lone half */
         WANT_TEXT(0, CONTENT, "cut emoji \xef\xbf\xbd"),
         WANT_TEXT(1, CONTENT, "ok"),
     }},
    {__LINE__,
     "context_starts_at_is_decoded_and_the_first_one_wins_1",
     "{\"data\":[],\"metadata\":{\"contextStartsAt\":\"a\\u00e9\\n\","
     "\"contextStartsAt\":\"2024\\/01\"}}",
     SETTER_FIELD_ALL,
     0,
     {
         WANT_CONTEXT("a\xc3\xa9\n"),
     }},
    {__LINE__,
     "context_starts_at_is_decoded_and_the_first_one_wins_2",
     "{\"data\":[],\"metadata\":{\"contextStartsAt\":\"x\",\"contextStartsAt\":null}}",
     SETTER_FIELD_ALL,
     0,
     {
         WANT_CONTEXT("x"),
     }},
    /* the first one counts even when it is not a string */
    {__LINE__,
     "context_starts_at_is_decoded_and_the_first_one_wins_3",
     "{\"data\":[],\"metadata\":{\"contextStartsAt\":null,\"contextStartsAt\":\"x\"}}",
     SETTER_FIELD_ALL,
     0,
     {
         WANT_NO_CONTEXT,
     }},
    {__LINE__,
     "context_starts_at_is_decoded_and_the_first_one_wins_4",
     "{\"data\":[],\"metadata\":{\"contextStartsAt\":1,\"contextStartsAt\":\"x\"}}",
     SETTER_FIELD_ALL,
     0,
     {
         WANT_NO_CONTEXT,
     }},
    /* a nested contextStartsAt is not metadata's, and does not hide it */
    {__LINE__,
     "context_starts_at_is_decoded_and_the_first_one_wins_5",
     "{\"data\":[],\"metadata\":{\"x\":{\"contextStartsAt\":\"n\"},"
     "\"contextStartsAt\":\"y\",\"contextStartsAt\":\"z\"}}",
     SETTER_FIELD_ALL,
     0,
     {
         WANT_CONTEXT("y"),
     }},
    /* a second metadata, whatever it holds, is read past */
    {__LINE__,
     "context_starts_at_is_decoded_and_the_first_one_wins_6",
     "{\"metadata\":{\"contextStartsAt\":\"x\"},\"data\":[],\"metadata\":[1]}",
     SETTER_FIELD_ALL,
     0,
     {
         WANT_CONTEXT("x"),
     }},
};

static void checkWant(const CellCase *pCase, const SetterRows *p, const CellWant *w) {
  const char *zFile = __FILE__;
  int line = pCase->line;
  if (w->f == WANT_CONTEXT_F) {
    if (w->type == SETTER_NULL) {
      unitCheck(p->zContextStartsAt == NULL, zFile, line, "contextStartsAt is NULL");
    } else {
      unitCheckStr(p->zContextStartsAt, w->z, zFile, line, "contextStartsAt");
    }
  } else if (w->type == WANT_ABSENT) {
    unitCheck(setterRowsCell(p, w->iRow, w->f) == NULL, zFile, line, what(w->iRow, w->f));
  } else if (w->type == SETTER_NULL) {
    checkNull(zFile, line, p, w->iRow, w->f);
  } else if (w->type == SETTER_INTEGER) {
    checkInt(zFile, line, p, w->iRow, w->f, w->i);
  } else {
    checkText(zFile, line, p, w->iRow, w->f, w->z, w->n == SIZE_MAX ? strlen(w->z) : w->n);
  }
}

static void runCellCase(const CellCase *pCase) {
  Parsed r = parseMask(pCase->zBody, pCase->mask);
  const CellWant *w;
  if (!unitCheckInt(r.rc, 0, __FILE__, pCase->line, "setterParseResponse() rc")) {
    printf("  (error: %s)\n", r.zErr);
    return;
  }
  if (unitCheckInt(r.pRows->nRow, pCase->nRow, __FILE__, pCase->line, "nRow")) {
    for (w = pCase->aWant; w->type != 0; w++) checkWant(pCase, r.pRows, w);
  }
  setterRowsUnref(r.pRows);
}

/* Each case counts as one test, under its title. */
static void runCellCases(void) {
  size_t k;
  for (k = 0; k < sizeof(aCellCase) / sizeof(aCellCase[0]); k++) {
    unitBegin(aCellCase[k].zTitle);
    runCellCase(&aCellCase[k]);
    unitEnd();
  }
}

/* ------------------------------------------------------ the documented example */

TEST(doc_example_maps_every_field) {
  Parsed r = parse(DOC_BODY);
  SetterRows *p = r.pRows;
  REQUIRE_ROWS(r, 1);
  CHECK_INT(p, 0, SETTER_FIELD_MESSAGE_ID, 789);
  CHECK_TEXT(p, 0, SETTER_FIELD_SENDER_TYPE, "user");
  CHECK_TEXT(p, 0, SETTER_FIELD_CONTENT, "Hi! I'd like to book an appointment.");
  CHECK_TEXT(p, 0, SETTER_FIELD_CREATED_AT, "2024-01-15T14:30:00.000Z");
  CHECK_TEXT(p, 0, SETTER_FIELD_LATEST_STATUS, "delivered");
  CHECK_NULL(p, 0, SETTER_FIELD_FAILURE_REASON);
  CHECK_NULL(p, 0, SETTER_FIELD_ERROR_CODE);
  CHECK_NULL(p, 0, SETTER_FIELD_ERROR_TITLE);
  CHECK_NULL(p, 0, SETTER_FIELD_ERROR_MESSAGE);
  CHECK_NULL(p, 0, SETTER_FIELD_ERROR_DETAILS);
  CHECK_TEXT(p, 0, SETTER_FIELD_PLATFORM_RESOURCE_ID, "wamid.abc123");
  CHECK_TEXT(p, 0, SETTER_FIELD_RAW_JSON,   /* the documented example, compact */
             "{\"botIntegrationId\":123,\"content\":\"Hi! I'd like to book an appointment.\","
             "\"senderType\":\"user\",\"createdAt\":\"2024-01-15T14:30:00.000Z\",\"messageId\":789,"
             "\"platformResourceId\":\"wamid.abc123\",\"latestStatus\":\"delivered\","
             "\"failureReason\":null,\"errorCode\":null,\"errorTitle\":null,\"errorMessage\":null,"
             "\"errorDetails\":null}");
  CHECK_EQ_STR(p->zContextStartsAt, "2024-01-15T12:00:00.000Z");
  CHECK_EQ_INT(p->nSlot, SETTER_FIELD_COUNT);
  setterRowsUnref(p);
}

/* The fixtures are byte for byte what tests/mock_api.py sends. */
TEST(fixtures_are_the_mock_bodies) {
  CHECK_EQ_INT(strlen(BODY_1234567890), 1142);
  CHECK_EQ_INT(strlen(BODY_BIGIDS), 949);
  CHECK_EQ_INT(strlen(BODY_MISSING), 1031);
}

TEST(string_fields_are_text_cells) {
  Parsed r = parse(BODY_1234567890);
  SetterRows *p = r.pRows;
  int f;
  REQUIRE_ROWS(r, 3);
  for (f = 0; f < SETTER_FIELD_COUNT; f++) {
    const SetterValue *c = setterRowsCell(p, 2, f);
    if (!CHECK(c != NULL)) continue;
    if (f == SETTER_FIELD_MESSAGE_ID || f == SETTER_FIELD_ERROR_CODE) {
      CHECK_EQ_INT(c->type, SETTER_INTEGER);
    } else if (!CHECK_EQ_INT(c->type, SETTER_TEXT)) {
      printf("  (field %s)\n", azFieldName[f]);
    }
  }
  setterRowsUnref(p);
}

/* ------------------------------------------------ absent, null, unknown */

TEST(absent_fields_and_json_null_are_null_cells) {
  Parsed r = parse(BODY_MISSING);
  SetterRows *p = r.pRows;
  int f;
  REQUIRE_ROWS(r, 9);
  CHECK_INT(p, 0, SETTER_FIELD_MESSAGE_ID, 1);
  CHECK_TEXT(p, 0, SETTER_FIELD_CONTENT, "only id and content");
  for (f = SETTER_FIELD_SENDER_TYPE; f < SETTER_FIELD_RAW_JSON; f++) {
    if (f != SETTER_FIELD_CONTENT) CHECK_NULL(p, 0, f);
  }
  for (f = 0; f < SETTER_FIELD_RAW_JSON; f++) {
    CHECK_NULL(p, 1, f); /* every field present as null */
    CHECK_NULL(p, 8, f); /* {} */
  }
  CHECK_TEXT(p, 1, SETTER_FIELD_RAW_JSON, MISS2);
  CHECK_TEXT(p, 8, SETTER_FIELD_RAW_JSON, "{}");
  CHECK(p->zContextStartsAt == NULL); /* no metadata at all */
  setterRowsUnref(p);
}

TEST(member_names_are_case_sensitive) {
  CHECK_MALFORMED(parse("{\"Data\":[]}"), "no \"data\"");
}

/* Duplicate member names: the first occurrence wins, as SQLite's
** json_extract answers (json_extract('{"a":1,"a":2}', '$.a') is 1), so the
** columns agree with json_extract(raw_json, ...) on the same row. */

TEST(duplicate_fields_second_occurrence_takes_no_row_bytes) {
  /* a bound that a message with content "x" fits in and its 4,000-byte
  ** second content would pass: a stored duplicate would be TOO_LARGE */
  Buf b = {NULL, 0, 0};
  static const char zOne[] = "{\"data\":[{\"content\":\"x\"}]}";
  Parsed r = parseLimit(zOne, sizeof zOne - 1, SETTER_FIELD_BIT(SETTER_FIELD_CONTENT), 2000);
  REQUIRE_ROWS(r, 1);
  setterRowsUnref(r.pRows);
  bufAppend(&b, "{\"data\":[{\"content\":\"x\",\"content\":\"");
  bufRepeat(&b, 'y', 4000);
  bufAppend(&b, "\"}]}");
  r = parseLimit(b.z, b.n, SETTER_FIELD_BIT(SETTER_FIELD_CONTENT), 2000);
  free(b.z);
  REQUIRE_ROWS(r, 1);
  CHECK_TEXT(r.pRows, 0, SETTER_FIELD_CONTENT, "x");
  CHECK(setterRowsBytes(r.pRows) <= 2000);
  setterRowsUnref(r.pRows);
}

/* ----------------------------------------------------------- errorCode */

/* -------------------------------------------------------- errorDetails */

/* ------------------------------------------------------------ messageId */

/* --------------------------------------------------------------- strings */

TEST(utf8_raw_and_u_escapes_with_surrogate_pair_decode_to_the_same_bytes) {
  Parsed r = parse(BODY_UNICODE);
  SetterRows *p = r.pRows;
  CHECK_EQ_INT(strlen(BODY_UNICODE), 1766); /* same bytes as the mock */
  REQUIRE_ROWS(r, 6);
  CHECK_TEXT(p, 0, SETTER_FIELD_CONTENT, CAFE_UTF8);
  CHECK_TEXT(p, 1, SETTER_FIELD_CONTENT, CAFE_UTF8);
  CHECK_EQ_INT(setterRowsCell(p, 1, SETTER_FIELD_CONTENT)->n, 20);
  CHECK_TEXT(p, 5, SETTER_FIELD_CONTENT, "/slash \xc3\x89 A");
  CHECK_TEXT(p, 5, SETTER_FIELD_CREATED_AT, "2024-01-20T10:00:06.000Z");
  CHECK_TEXT(p, 5, SETTER_FIELD_PLATFORM_RESOURCE_ID, "wamid.uni6");
  CHECK_TEXT(p, 1, SETTER_FIELD_RAW_JSON, UNI(2, "caf\\u00e9 \\u65e5\\u672c\\u8a9e \\ud83d\\ude00"));
  CHECK(p->zContextStartsAt == NULL);
  setterRowsUnref(p);
}

TEST(content_of_1_5_megabytes_is_kept_whole) {
  Buf b = {0};
  Parsed r;
  SetterRows *p;
  const SetterValue *c;
  size_t i, nBad = 0;
  bufAppend(&b, "{\"data\":[{\"messageId\":1,\"content\":\"");
  for (i = 0; i < 1499999; i++) bufAppendN(&b, &"0123456789"[i % 10], 1);
  bufAppend(&b, "!\",\"senderType\":\"bot\"},{\"messageId\":2,\"content\":\"");
  for (i = 0; i < 300000; i++) bufAppend(&b, "\\u00e9"); /* 1.8 MB wire, 600 kB text */
  bufAppend(&b, "\"}],\"metadata\":{\"contextStartsAt\":null}}");
  r = parseN(b.z, b.n, SETTER_FIELD_ALL);
  free(b.z);
  p = r.pRows;
  REQUIRE_ROWS(r, 2);
  c = setterRowsCell(p, 0, SETTER_FIELD_CONTENT);
  REQUIRE(c != NULL && c->type == SETTER_TEXT);
  CHECK_EQ_INT(c->n, 1500000);
  for (i = 0; i < 1499999 && i < c->n; i++) nBad += c->u.z[i] != "0123456789"[i % 10];
  CHECK_EQ_INT(nBad, 0);
  CHECK_EQ_STRN(c->u.z + c->n - 6, 6, "45678!");
  CHECK_TEXT(p, 0, SETTER_FIELD_SENDER_TYPE, "bot");
  c = setterRowsCell(p, 1, SETTER_FIELD_CONTENT);
  REQUIRE(c != NULL && c->type == SETTER_TEXT);
  CHECK_EQ_INT(c->n, 600000);
  for (i = nBad = 0; i + 1 < c->n; i += 2) {
    nBad += memcmp(c->u.z + i, "\xc3\xa9", 2) != 0;
  }
  CHECK_EQ_INT(nBad, 0);
  /* the memory estimate covers the big string */
  CHECK(setterRowsBytes(p) > 2100000);
  setterRowsUnref(p);
}

TEST(many_messages_and_mixed_string_sizes_survive_arena_and_row_growth) {
  Buf b = {0};
  Parsed r;
  SetterRows *p;
  int i, nBad = 0;
  const int nMsg = 3000;
  bufAppend(&b, "{\"data\":[");
  for (i = 0; i < nMsg; i++) {
    size_t n = ((size_t)i * 7919u) % 40000u; /* 0 .. 40 kB, some over 16 kB */
    bufAppend(&b, "%s{\"messageId\":%d,\"content\":\"", i ? "," : "", i);
    bufRepeat(&b, (char)('a' + i % 26), n);
    bufAppend(&b, "\",\"createdAt\":\"t%d\"}", i);
  }
  bufAppend(&b, "]}");
  r = parseN(b.z, b.n, SETTER_FIELD_BIT(SETTER_FIELD_MESSAGE_ID) |
                           SETTER_FIELD_BIT(SETTER_FIELD_CONTENT) |
                           SETTER_FIELD_BIT(SETTER_FIELD_CREATED_AT));
  free(b.z);
  p = r.pRows;
  REQUIRE_ROWS(r, nMsg);
  for (i = 0; i < nMsg; i++) {
    const SetterValue *pId = setterRowsCell(p, i, SETTER_FIELD_MESSAGE_ID);
    const SetterValue *pC = setterRowsCell(p, i, SETTER_FIELD_CONTENT);
    const SetterValue *pT = setterRowsCell(p, i, SETTER_FIELD_CREATED_AT);
    size_t n = ((size_t)i * 7919u) % 40000u, k;
    char zT[16];
    int ok = pId && pC && pT && pId->type == SETTER_INTEGER && pId->u.i == i &&
             pC->type == SETTER_TEXT && pC->n == n && pT->type == SETTER_TEXT;
    for (k = 0; ok && k < n; k++) ok = pC->u.z[k] == (char)('a' + i % 26);
    snprintf(zT, sizeof zT, "t%d", i);
    if (ok) ok = pT->n == strlen(zT) && memcmp(pT->u.z, zT, pT->n) == 0;
    if (!ok && nBad++ < 3) CHECK(ok && "message content intact");
  }
  CHECK_EQ_INT(nBad, 0);
  setterRowsUnref(p);
}

/* ---------------------------------------------------- data and metadata */

TEST(empty_data_array_gives_zero_rows) {
  static const char *az[] = {
      "{\"data\":[],\"metadata\":{\"contextStartsAt\":null}}",
      "{\"data\":[]}",
      "{ \"data\" : [ \n ] }",
      "{\"metadata\":{\"contextStartsAt\":\"2024-01-15T12:00:00.000Z\"},\"data\":[]}",
  };
  size_t i;
  CHECK_EQ_INT(strlen(az[0]), 47); /* the mock's empty history */
  for (i = 0; i < sizeof(az) / sizeof(az[0]); i++) {
    Parsed r = parse(az[i]);
    REQUIRE_ROWS(r, 0);
    CHECK(setterRowsCell(r.pRows, 0, SETTER_FIELD_CONTENT) == NULL);
    setterRowsUnref(r.pRows);
  }
}

TEST(context_starts_at_string_null_or_absent) {
  struct {
    const char *zBody;
    const char *zWant; /* NULL = no contextStartsAt */
  } a[] = {
      {"{\"data\":[],\"metadata\":{\"contextStartsAt\":\"2024-01-15T12:00:00.000Z\"}}",
       "2024-01-15T12:00:00.000Z"},
      {"{\"data\":[],\"metadata\":{\"contextStartsAt\":\"caf\\u00e9\"}}", "caf\xc3\xa9"},
      {"{\"data\":[],\"metadata\":{\"contextStartsAt\":\"\"}}", ""},
      {"{\"data\":[],\"metadata\":{\"contextStartsAt\":null}}", NULL},
      {"{\"data\":[],\"metadata\":{}}", NULL},
      {"{\"data\":[]}", NULL},
      {"{\"data\":[],\"metadata\":null}", NULL},
      {"{\"data\":[],\"metadata\":[\"contextStartsAt\"]}", NULL},
      {"{\"data\":[],\"metadata\":{\"contextStartsAt\":12345}}", NULL},
      {"{\"data\":[],\"metadata\":{\"other\":{\"contextStartsAt\":\"nested\"}}}", NULL},
      {"{\"data\":[],\"metadata\":{\"ContextStartsAt\":\"wrong case\"}}", NULL},
      /* the first metadata is the one read, as json_extract(body,
      ** '$.metadata.contextStartsAt') does; a later one is only checked */
      {"{\"metadata\":{\"contextStartsAt\":\"a\"},\"data\":[],\"metadata\":{\"contextStartsAt\":"
       "\"b\"}}",
       "a"},
      {"{\"metadata\":{\"contextStartsAt\":\"a\"},\"data\":[],\"metadata\":{}}", "a"},
      {"{\"metadata\":{\"contextStartsAt\":\"a\"},\"data\":[],\"metadata\":null}", "a"},
      {"{\"metadata\":{},\"data\":[],\"metadata\":{\"contextStartsAt\":\"b\"}}", NULL},
      {"{\"metadata\":[1],\"data\":[],\"metadata\":{\"contextStartsAt\":\"b\"}}", NULL},
  };
  size_t i;
  for (i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
    Parsed r = parse(a[i].zBody);
    REQUIRE_ROWS(r, 0);
    if (!CHECK_EQ_STR(r.pRows->zContextStartsAt, a[i].zWant)) printf("  (body %s)\n", a[i].zBody);
    setterRowsUnref(r.pRows);
  }
}

TEST(metadata_before_or_after_data) {
  Parsed r1 = parse("{\"metadata\":{\"contextStartsAt\":\"2024-01-15T14:30:05.000Z\"},\"data\":["
                    M789 "," M790 "]}");
  Parsed r2 = parse("{\"data\":[" M789 "," M790 "],\"metadata\":{\"contextStartsAt\":"
                    "\"2024-01-15T14:30:05.000Z\"}}");
  Parsed *ar[2];
  int i;
  ar[0] = &r1;
  ar[1] = &r2;
  for (i = 0; i < 2; i++) {
    Parsed r = *ar[i];
    REQUIRE_ROWS(r, 2);
    CHECK_EQ_STR(r.pRows->zContextStartsAt, "2024-01-15T14:30:05.000Z");
    CHECK_INT(r.pRows, 1, SETTER_FIELD_MESSAGE_ID, 790);
    CHECK_TEXT(r.pRows, 0, SETTER_FIELD_RAW_JSON, M789);
    setterRowsUnref(r.pRows);
  }
}

/* -------------------------------------------------------------- raw_json */

TEST(raw_json_has_a_cell_only_when_it_is_in_the_mask) {
  Parsed r = parseMask(BODY_1234567890, SETTER_FIELD_ALL & ~SETTER_FIELD_BIT(SETTER_FIELD_RAW_JSON));
  REQUIRE_ROWS(r, 3);
  CHECK(setterRowsCell(r.pRows, 0, SETTER_FIELD_RAW_JSON) == NULL);
  CHECK_TEXT(r.pRows, 2, SETTER_FIELD_CONTENT, "Reminder: your appointment is tomorrow.");
  setterRowsUnref(r.pRows);

  r = parseMask(BODY_1234567890, SETTER_FIELD_BIT(SETTER_FIELD_RAW_JSON));
  REQUIRE_ROWS(r, 3);
  CHECK_EQ_INT(r.pRows->nSlot, 1);
  CHECK_TEXT(r.pRows, 1, SETTER_FIELD_RAW_JSON, M790);
  setterRowsUnref(r.pRows);
}

/* ------------------------------------------------------------------ mask */

TEST(mask_selects_cells_and_fields_outside_it_have_no_cell) {
  unsigned int mask = SETTER_FIELD_BIT(SETTER_FIELD_CONTENT) |
                      SETTER_FIELD_BIT(SETTER_FIELD_ERROR_CODE);
  Parsed r = parseMask(BODY_1234567890, mask);
  SetterRows *p = r.pRows;
  int f;
  REQUIRE_ROWS(r, 3);
  CHECK_EQ_INT(p->mask, mask);
  CHECK_EQ_INT(p->nSlot, 2);
  for (f = 0; f < SETTER_FIELD_COUNT; f++) {
    if (f == SETTER_FIELD_CONTENT || f == SETTER_FIELD_ERROR_CODE) continue;
    if (!CHECK(setterRowsCell(p, 2, f) == NULL)) printf("  (field %s)\n", azFieldName[f]);
  }
  CHECK_TEXT(p, 2, SETTER_FIELD_CONTENT, "Reminder: your appointment is tomorrow.");
  CHECK_INT(p, 2, SETTER_FIELD_ERROR_CODE, 131026);
  CHECK_NULL(p, 0, SETTER_FIELD_ERROR_CODE);
  /* out of range rows and fields have no cell either */
  CHECK(setterRowsCell(p, 3, SETTER_FIELD_CONTENT) == NULL);
  CHECK(setterRowsCell(p, -1, SETTER_FIELD_CONTENT) == NULL);
  CHECK(setterRowsCell(p, 0, -1) == NULL);
  CHECK(setterRowsCell(p, 0, SETTER_FIELD_COUNT) == NULL);
  setterRowsUnref(p);

  /* each single field alone */
  for (f = 0; f < SETTER_FIELD_COUNT; f++) {
    r = parseMask(BODY_1234567890, SETTER_FIELD_BIT(f));
    REQUIRE_ROWS(r, 3);
    CHECK_EQ_INT(r.pRows->nSlot, 1);
    CHECK(setterRowsCell(r.pRows, 2, f) != NULL);
    CHECK(setterRowsCell(r.pRows, 2, (f + 1) % SETTER_FIELD_COUNT) == NULL);
    setterRowsUnref(r.pRows);
  }
}

TEST(mask_zero_counts_rows_only) {
  Parsed r = parseMask(BODY_MISSING, 0);
  int f;
  REQUIRE_ROWS(r, 9);
  CHECK_EQ_INT(r.pRows->nSlot, 0);
  for (f = 0; f < SETTER_FIELD_COUNT; f++) CHECK(setterRowsCell(r.pRows, 0, f) == NULL);
  setterRowsUnref(r.pRows);
}

TEST(mask_bits_beyond_the_fields_are_ignored) {
  Parsed r = parseMask(BODY_1234567890, 0xffffffffu);
  REQUIRE_ROWS(r, 3);
  CHECK_EQ_INT(r.pRows->mask, SETTER_FIELD_ALL);
  CHECK_EQ_INT(r.pRows->nSlot, SETTER_FIELD_COUNT);
  CHECK_TEXT(r.pRows, 2, SETTER_FIELD_RAW_JSON, M791);
  setterRowsUnref(r.pRows);
}

/* --------------------------------------------------------- malformed bodies */

TEST(malformed_empty_body) {
  Parsed r;
  CHECK_MALFORMED(parse(""), "empty");
  CHECK_MALFORMED(parse("  \r\n\t "), "empty");
  /* a NULL body with any length is an empty body */
  r.pRows = (SetterRows *)&r;
  r.rc = setterParseResponse(NULL, 10, SETTER_FIELD_ALL, 0, &r.pRows, r.zErr, sizeof r.zErr);
  CHECK_MALFORMED(r, "empty");
}

TEST(malformed_top_level_not_an_object) {
  CHECK_MALFORMED(parse("[1,2]"), "not a JSON object");
  CHECK_MALFORMED(parse("[]"), "not a JSON object");
  CHECK_MALFORMED(parse("null"), "not a JSON object");
  CHECK_MALFORMED(parse("\"data\""), "not a JSON object");
  CHECK_MALFORMED(parse("42"), "not a JSON object");
  CHECK_MALFORMED(parse("<html><body>502 Bad Gateway</body></html>"), "not a JSON object");
  CHECK_MALFORMED(parse("\xef\xbb\xbf{\"data\":[]}"), "not a JSON object"); /* BOM */
}

TEST(malformed_metadata_without_data) {
  CHECK_MALFORMED(parse("{\"metadata\":{}}"), "no \"data\"");
  CHECK_MALFORMED(parse("{}"), "no \"data\"");
  CHECK_MALFORMED(parse("{\"error\":\"Unauthorized\",\"message\":\"Invalid API key\"}"),
                  "no \"data\"");
}

TEST(malformed_data_not_an_array) {
  CHECK_MALFORMED(parse("{\"data\":{}}"), "\"data\" is not an array");
  CHECK_MALFORMED(parse("{\"data\":null}"), "\"data\" is not an array");
  CHECK_MALFORMED(parse("{\"data\":\"[]\"}"), "\"data\" is not an array");
  CHECK_MALFORMED(parse("{\"data\":{\"0\":{}}}"), "\"data\" is not an array");
}

TEST(malformed_data_element_not_an_object) {
  CHECK_MALFORMED(parse("{\"data\":[1]}"), "data[0] is not an object");
  CHECK_MALFORMED(parse("{\"data\":[null]}"), "data[0] is not an object");
  CHECK_MALFORMED(parse("{\"data\":[[]]}"), "data[0] is not an object");
  CHECK_MALFORMED(parse("{\"data\":[{},\"x\"]}"), "data[1] is not an object");
  CHECK_MALFORMED(parse("{\"data\":[{},]}"), "data[1] is not an object");
  CHECK_MALFORMED(parse("{\"data\":[,{}]}"), "data[0] is not an object");
}

TEST(malformed_trailing_garbage_after_the_object) {
  CHECK_MALFORMED(parse("{\"data\":[]} x"), "after the JSON");
  CHECK_MALFORMED(parse("{\"data\":[]}}"), "after the JSON");
  CHECK_MALFORMED(parse("{\"data\":[]}{\"data\":[]}"), "after the JSON");
  CHECK_MALFORMED(parseN("{\"data\":[]}\0", 12, SETTER_FIELD_ALL), "after the JSON");
}

TEST(malformed_truncated_mid_message) {
  static const char zFull[] = BODY_1234567890;
  size_t n;
  int nBad = 0;
  CHECK_MALFORMED(parse("{\"data\":[{\"messageId\":1,"), "ends early");
  CHECK_MALFORMED(parse("{\"data\":[{\"messageId\":1"), "ends early");
  CHECK_MALFORMED(parse("{\"data\":[{\"messageId\":"), "ends early");
  CHECK_MALFORMED(parse("{\"data\":[{\"messageId\""), "ends early");
  CHECK_MALFORMED(parse("{\"data\":[{"), "ends early");
  CHECK_MALFORMED(parse("{\"data\":[{}"), "ends early");
  CHECK_MALFORMED(parse("{\"data\":["), "ends early");
  CHECK_MALFORMED(parse("{\"data\":"), "ends early");
  CHECK_MALFORMED(parse("{\"data\":[]"), "ends early");
  CHECK_MALFORMED(parse("{\"data\":[],"), "ends early");
  /* an unterminated string: the error names a byte offset */
  CHECK_MALFORMED(parse("{\"data\":[{\"content\":\"Hi! I'd like"), "byte");
  /* every proper prefix of a valid body is an error, never rows */
  bNoCutEveryByte = 1;
  for (n = 0; n + 1 < sizeof zFull; n++) {
    Parsed r = parseN(zFull, n, SETTER_FIELD_ALL);
    if (r.rc != 1 || r.pRows != NULL || r.zErr[0] == 0) {
      if (nBad++ < 3) printf("FAIL prefix of %zu bytes: rc %d\n", n, r.rc);
      if (r.pRows) setterRowsUnref(r.pRows);
    }
  }
  bNoCutEveryByte = 0;
  CHECK_EQ_INT(nBad, 0);
}

TEST(malformed_fourth_message_after_three_valid_ones) {
  /* invalid JSON value inside data[3] */
  CHECK_MALFORMED(parse("{\"data\":[" M789 "," M790 "," M791 ",{\"messageId\":792,"
                        "\"content\":tru}],\"metadata\":{\"contextStartsAt\":null}}"),
                  "invalid JSON at byte");
  /* missing comma inside data[3] */
  CHECK_MALFORMED(parse("{\"data\":[" M789 "," M790 "," M791 ",{\"messageId\":792 "
                        "\"content\":\"x\"}]}"),
                  "in data[3]");
  /* data[3] is not an object */
  CHECK_MALFORMED(parse("{\"data\":[" M789 "," M790 "," M791 ",792]}"), "data[3]");
  /* a bad escape in data[3] */
  CHECK_MALFORMED(parse("{\"data\":[" M789 "," M790 "," M791 ",{\"content\":\"\\q\"}]}"),
                  "invalid JSON");
  /* a member name that is not a string */
  CHECK_MALFORMED(parse("{\"data\":[" M789 "," M790 "," M791 ",{content:1}]}"),
                  "expected a member name");
  CHECK_MALFORMED(parse("{\"data\":[" M789 "," M790 "," M791 ",{\"content\" 1}]}"),
                  "expected ':'");
}

TEST(malformed_data_twice) {
  CHECK_MALFORMED(parse("{\"data\":[],\"data\":[]}"), "\"data\" twice");
  CHECK_MALFORMED(parse("{\"data\":[" M789 "],\"metadata\":{},\"data\":[" M790 "]}"),
                  "\"data\" twice");
}

TEST(malformed_values_anywhere_are_errors) {
  /* cJSON would skip a control byte or a UTF-8 BOM before a value */
  CHECK_MALFORMED(parse("{\"data\":[{\"messageId\":\x01 7}]}"), "invalid JSON");
  CHECK_MALFORMED(parse("{\"data\":[{\"content\":\x01\"abc\"}]}"), "invalid JSON");
  CHECK_MALFORMED(parse("{\"data\":[{\"senderType\":\xEF\xBB\xBF\"bot\"}]}"), "invalid JSON");
  CHECK_MALFORMED(parse("{\"other\":tru,\"data\":[]}"), "invalid JSON");
  CHECK_MALFORMED(parse("{\"data\":[],\"other\":[1,]}"), "invalid JSON");
  CHECK_MALFORMED(parse("{\"data\":[],\"metadata\":{\"contextStartsAt\":}}"), "invalid JSON");
  CHECK_MALFORMED(parse("{\"data\":[],\"metadata\":}"), "invalid JSON");
  CHECK_MALFORMED(parse("{\"data\":[{\"errorDetails\":{\"a\":1,}}]}"), "invalid JSON");
  CHECK_MALFORMED(parse("{\"data\":[{\"messageId\":-}]}"), "invalid JSON");
  CHECK_MALFORMED(parse("{\"data\":[{\"messageId\":+1}]}"), "invalid JSON");
  CHECK_MALFORMED(parse("{\"data\":[{\"messageId\":NaN}]}"), "invalid JSON");
  CHECK_MALFORMED(parse("{\"data\":[{\"messageId\":0x10}]}"), "expected '}'");
  CHECK_MALFORMED(parse("{\"data\" [] }"), "expected ':'");
  CHECK_MALFORMED(parse("{\"data\":[] \"metadata\":{}}"), "expected '}'");
  CHECK_MALFORMED(parse("{data:[]}"), "expected a member name");
  CHECK_MALFORMED(parse("{\"da\\qta\":[]}"), "invalid JSON");
  CHECK_MALFORMED(parse("{\"data\":[{\"content\":\"unterminated}]}"), "byte");
}

/* An error right after an escaped (decoded) member name. */
TEST(malformed_after_an_escaped_member_name_frees_the_name) {
  CHECK_MALFORMED(parse("{\"data\":[{\"cont\\u0065nt\" \"x\"}]}"), "expected ':'");
  CHECK_MALFORMED(parse("{\"d\\u0061ta\" []}"), "expected ':'");
  CHECK_MALFORMED(parse("{\"data\":[{\"cont\\u0065nt\""), "ends early");
  CHECK_MALFORMED(parse("{\"d\\u0061ta\":[1]}"), "data[0] is not an object");
  CHECK_MALFORMED(parse("{\"data\":[{\"cont\\u0065nt\":tru}]}"), "invalid JSON");
}

/* Deep nesting must neither crash (stack) nor be accepted. */
TEST(malformed_deep_nesting_does_not_crash) {
  static const char *azPrefix[] = {
      "",                                /* the whole body */
      "{\"data\":[{\"errorDetails\":",   /* a message value */
      "{\"data\":[{\"x\":",              /* an unknown message member */
      "{\"deep\":",                      /* an unknown top-level member */
      "{\"data\":[],\"metadata\":",      /* metadata */
      "{\"data\":",                      /* data itself */
  };
  size_t i, k;
  for (i = 0; i < sizeof(azPrefix) / sizeof(azPrefix[0]); i++) {
    int c;
    for (c = 0; c < 2; c++) {
      Buf b = {0};
      Parsed r;
      bufAppend(&b, "%s", azPrefix[i]);
      for (k = 0; k < 100000; k++) bufAppendN(&b, c ? "{\"a\":" : "[", c ? 5 : 1);
      r = parseN(b.z, b.n, SETTER_FIELD_ALL);
      free(b.z);
      if (!CHECK_EQ_INT(r.rc, 1)) printf("  (prefix %s, %s)\n", azPrefix[i], c ? "{" : "[");
      CHECK(r.pRows == NULL);
      if (r.rc == 0) setterRowsUnref(r.pRows);
    }
  }
  /* the same depth, closed, is still refused (cJSON's nesting limit) but
  ** moderate nesting is fine */
  {
    Buf b = {0};
    Parsed r;
    bufAppend(&b, "{\"data\":[{\"errorDetails\":");
    for (k = 0; k < 500; k++) bufAppendN(&b, "[", 1);
    for (k = 0; k < 500; k++) bufAppendN(&b, "]", 1);
    bufAppend(&b, "}]}");
    r = parseN(b.z, b.n, SETTER_FIELD_ALL);
    free(b.z);
    REQUIRE_ROWS(r, 1);
    CHECK_EQ_INT(setterRowsCell(r.pRows, 0, SETTER_FIELD_ERROR_DETAILS)->n, 1000);
    setterRowsUnref(r.pRows);
  }
}

TEST(error_text_fits_small_buffers_and_none) {
  char zErr[8];
  SetterRows *p = (SetterRows *)zErr;
  char *zBody = malloc(5);
  memcpy(zBody, "[1,2]", 5);
  memset(zErr, 'X', sizeof zErr);
  CHECK_EQ_INT(setterParseResponse(zBody, 5, SETTER_FIELD_ALL, 0, &p, zErr, sizeof zErr), 1);
  CHECK(p == NULL);
  CHECK_EQ_STR(zErr, "respons"); /* truncated and terminated */
  zBody = malloc(5);
  memcpy(zBody, "[1,2]", 5);
  p = (SetterRows *)zErr;
  CHECK_EQ_INT(setterParseResponse(zBody, 5, SETTER_FIELD_ALL, 0, &p, NULL, 0), 1);
  CHECK(p == NULL);
  /* a successful parse clears the error text */
  zBody = malloc(11);
  memcpy(zBody, "{\"data\":[]}", 11);
  memset(zErr, 'X', sizeof zErr);
  CHECK_EQ_INT(setterParseResponse(zBody, 11, SETTER_FIELD_ALL, 0, &p, zErr, sizeof zErr), 0);
  CHECK_EQ_STR(zErr, "");
  setterRowsUnref(p);
}

/* ---------------------------------------------------------- ownership */

TEST(rows_outlive_extra_references_and_unref_null_is_harmless) {
  Parsed r = parse(BODY_1234567890);
  SetterRows *p = r.pRows;
  REQUIRE_ROWS(r, 3);
  CHECK_EQ_INT(p->nRef, 1);
  setterRowsRef(p);
  CHECK_EQ_INT(p->nRef, 2);
  setterRowsUnref(p);
  /* still valid: raw_json points into the body the rows keep */
  CHECK_TEXT(p, 2, SETTER_FIELD_RAW_JSON, M791);
  setterRowsUnref(p);
  setterRowsUnref(NULL);
  setterRowsRef(NULL);
}

/* ------------------------------------------------------- setterJsonCompact */

static void checkCompact(const char *zFile, int line, const char *zIn, const char *zWant) {
  size_t n = strlen(zIn);
  char *zOut = malloc(n + 1);
  size_t nOut = setterJsonCompact(zIn, n, zOut);
  unitCheckMem(zOut, nOut, zWant, strlen(zWant), zFile, line, zIn);
  free(zOut);
}

#define CHECK_COMPACT(zIn, zWant) checkCompact(__FILE__, __LINE__, (zIn), (zWant))

TEST(json_compact_removes_only_insignificant_white_space) {
  CHECK_COMPACT("{ \"a\" : [1, 2] }", "{\"a\":[1,2]}");
  CHECK_COMPACT("\"x y\"", "\"x y\"");
  CHECK_COMPACT(" \t\r\n 1 \n", "1");
  CHECK_COMPACT("[ \"a\\\" b\" , \"c\" ]", "[\"a\\\" b\",\"c\"]");
  CHECK_COMPACT("[ \"\\\\\" , \" x \" ]", "[\"\\\\\",\" x \"]");   /* ends with \\ */
  CHECK_COMPACT("[\"\\\\\\\\\" , \"\\\\\\\" \"]", "[\"\\\\\\\\\",\"\\\\\\\" \"]");
  CHECK_COMPACT("{\"k\":\"\t tab\"}", "{\"k\":\"\t tab\"}");
  CHECK_COMPACT("{ }", "{}");
  CHECK_COMPACT("[ ]", "[]");
  CHECK_COMPACT("", "");
  CHECK_COMPACT("{\"a\" : {\"b\" : [ true , false , null , -1.5e3 ]}}",
                "{\"a\":{\"b\":[true,false,null,-1.5e3]}}");
  CHECK_COMPACT("\"caf\xc3\xa9 \\u00e9\"", "\"caf\xc3\xa9 \\u00e9\"");
}

TEST(json_compact_returns_the_length_and_stays_in_bounds) {
  char zOut[8];
  memset(zOut, '#', sizeof zOut);
  CHECK_EQ_INT(setterJsonCompact("[ 1 , 2 ]", 9, zOut), 5);
  CHECK_EQ_STRN(zOut, 5, "[1,2]");
  CHECK(zOut[5] == '#'); /* nothing written past the result */
  /* only n bytes are read */
  CHECK_EQ_INT(setterJsonCompact("[ 1 ]garbage", 5, zOut), 3);
  CHECK_EQ_STRN(zOut, 3, "[1]");
}

/* ---------------------------------------------------- setterApiErrorMessage */

static void checkApiError(const char *zFile, int line, const char *zBody, const char *zWant) {
  size_t n = strlen(zBody);
  char *zCopy = malloc(n ? n : 1);
  char *zGot;
  size_t nGot;
  if (n) memcpy(zCopy, zBody, n);
  zGot = setterApiErrorMessage(zCopy, n, &nGot);
  unitCheckStr(zGot, zWant, zFile, line, zBody);
  if (zGot && zWant && nGot != strlen(zWant)) unitCheckStr("(its length)", zWant, zFile, line, zBody);
  free(zGot);
  free(zCopy);
}

#define CHECK_API_ERROR(zBody, zWant) checkApiError(__FILE__, __LINE__, (zBody), (zWant))

TEST(api_error_message_prefers_message_then_error_string_then_error_message) {
  CHECK_API_ERROR("{\"error\":\"Unauthorized\",\"message\":\"Invalid API key\"}",
                  "Invalid API key");
  CHECK_API_ERROR("{\"message\":\"Route not found\"}", "Route not found");
  CHECK_API_ERROR("{\"error\":\"Not Found\"}", "Not Found");
  CHECK_API_ERROR("{\"message\":5,\"error\":\"Too Many Requests\"}", "Too Many Requests");
  CHECK_API_ERROR("{\"message\":null,\"error\":{\"message\":\"quota exceeded\",\"code\":429}}",
                  "quota exceeded");
  CHECK_API_ERROR("{\"error\":{\"message\":\"caf\\u00e9 \\\"q\\\"\"}}", "caf\xc3\xa9 \"q\"");
  CHECK_API_ERROR("{\"message\":\"\"}", "");
  /* the first of duplicate names, as the response reader takes */
  CHECK_API_ERROR("{\"message\":\"first\",\"message\":\"second\"}", "first");
  CHECK_API_ERROR("{\"error\":{\"message\":\"a\",\"message\":\"b\"},\"error\":\"c\"}", "a");
}

TEST(api_error_message_is_null_without_one) {
  char *z;
  size_t n;
  CHECK_API_ERROR("{\"error\":{\"code\":1}}", NULL);
  CHECK_API_ERROR("{\"error\":null}", NULL);
  CHECK_API_ERROR("{\"msg\":\"x\"}", NULL);
  CHECK_API_ERROR("{}", NULL);
  CHECK_API_ERROR("[\"message\"]", NULL);
  CHECK_API_ERROR("\"just a string\"", NULL);
  CHECK_API_ERROR("<html><body><h1>502 Bad Gateway</h1></body></html>", NULL);
  CHECK_API_ERROR("Service Unavailable", NULL);
  CHECK_API_ERROR("{\"message\":\"unterminated", NULL);
  CHECK_API_ERROR("", NULL);
  CHECK_API_ERROR("{\"message\":\"x\",}", NULL);
  CHECK_API_ERROR("{\"message\":\"x\"", NULL);
  z = setterApiErrorMessage(NULL, 0, &n);
  CHECK(z == NULL);
  z = setterApiErrorMessage(NULL, 10, &n);
  CHECK(z == NULL);
  z = setterApiErrorMessage("{\"message\":\"x\"}", 0, &n);
  CHECK(z == NULL);
}

TEST(api_error_message_reads_only_the_given_length) {
  size_t n;
  char *z = setterApiErrorMessage("{\"message\":\"short\"}{\"message\":\"long\"}", 19, &n);
  CHECK_EQ_STR(z, "short");
  free(z);
  z = setterApiErrorMessage("{\"message\":\"cut here\"}", 15, &n);
  CHECK(z == NULL);
  free(z);
}

TEST(api_error_message_keeps_every_byte_past_an_escaped_nul) {
  size_t n;
  const char *zBody = "{\"error\":{\"message\":\"a\\u0000b \\u00e9\"}}";
  char *z = setterApiErrorMessage(zBody, strlen(zBody), &n);
  CHECK(z != NULL);
  CHECK_EQ_INT(n, 6);
  if (z && n == 6) CHECK(memcmp(z, "a\0b \xc3\xa9", 6) == 0);
  free(z);
}

/*
** Strings are decoded from the wire text, not from cJSON's C strings: a
** \u0000 escape stays inside the text, and a lone surrogate escape (what
** JavaScript's JSON.stringify writes for a string cut in the middle of an
** emoji) becomes U+FFFD instead of failing the whole conversation.
*/

/* ------------------------------------------- raw control characters (RFC 8259) */

/*
** A byte below 0x20 is never valid raw inside a JSON string (it must be
** escaped), and between tokens only space, tab, CR and LF are.  cJSON let
** both through, and the stored raw_json / error_details were then invalid
** JSON for SQLite's json functions.  The error names the byte offset.
*/
TEST(raw_control_character_in_a_string_is_refused_naming_the_byte) {
  /* {"data":[{"content":"a<LF>b"}]}: the LF is byte 22 */
  CHECK_MALFORMED(parse("{\"data\":[{\"content\":\"a\nb\"}]}"), "at byte 22, in data[0]");
  CHECK_MALFORMED(parse("{\"data\":[{\"content\":\"a\nb\"}]}"), "control character 0x0a");
  /* in a nested string of errorDetails, of an unknown member, of metadata */
  CHECK_MALFORMED(parse("{\"data\":[{\"errorDetails\":{\"a\":[\"x\ty\"]}}]}"), "at byte 33");
  CHECK_MALFORMED(parse("{\"data\":[{\"other\":\"\r\"}]}"), "at byte 19, in data[0]");
  CHECK_MALFORMED(parse("{\"data\":[],\"metadata\":{\"contextStartsAt\":\"2024\x1f\"}}"),
                  "at byte 46, in metadata");
  CHECK_MALFORMED(parse("{\"x\":\"\x01\",\"data\":[]}"), "at byte 6");
  /* in member names, escaped or not */
  CHECK_MALFORMED(parse("{\"data\":[{\"con\ttent\":1}]}"), "at byte 14, in data[0]");
  CHECK_MALFORMED(parse("{\"data\":[{\"c\\u006f\ntent\":1}]}"), "at byte 18, in data[0]");
  CHECK_MALFORMED(parse("{\"da\nta\":[]}"), "at byte 4");
}

TEST(every_byte_below_0x20_raw_in_a_string_is_refused_and_escaped_ones_are_not) {
  int c;
  for (c = 0; c < 0x20; c++) {
    char zBody[64];
    int n = snprintf(zBody, sizeof zBody, "{\"data\":[{\"content\":\"a%cb\"}]}", 'X');
    Parsed r;
    zBody[22] = (char)c;
    r = parseN(zBody, (size_t)n, SETTER_FIELD_ALL);
    if (!CHECK_EQ_INT(r.rc, 1)) printf("  (byte 0x%02x)\n", c);
    CHECK(r.rc == 0 || strstr(r.zErr, "byte 22") != NULL);
    if (r.rc == 0) setterRowsUnref(r.pRows);
  }
  {
    /* DEL (0x7f) and escaped control characters are fine */
    Parsed r = parse("{\"data\":[{\"content\":\"\x7f\\u0001\\n\\t\"}]}");
    REQUIRE_ROWS(r, 1);
    CHECK_TEXT(r.pRows, 0, SETTER_FIELD_CONTENT, "\x7f\x01\n\t");
    setterRowsUnref(r.pRows);
  }
}

TEST(control_bytes_between_tokens_other_than_json_white_space_are_refused) {
  /* cJSON skipped any byte up to 0x20 between the tokens of a value */
  CHECK_MALFORMED(parse("{\"data\":[{\"errorDetails\":{\"a\":\x0b" "1}}]}"),
                  "invalid JSON at byte 30, in data[0]");
  CHECK_MALFORMED(parse("{\"data\":[{\"errorDetails\":[1,\x01 2]}]}"), "at byte 28, in data[0]");
  CHECK_MALFORMED(parse("{\"data\":[{\"errorDetails\":[1\x0c]}]}"), "at byte 27, in data[0]");
  {
    static const char zNul[] = "{\"data\":[],\"metadata\":{\x00\"contextStartsAt\":null}}";
    CHECK_MALFORMED(parseN(zNul, sizeof zNul - 1, SETTER_FIELD_ALL), "at byte 23, in metadata");
  }
  CHECK_MALFORMED(parse("{\"data\":[{\"x\":{\"a\":1\x1f}}]}"), "at byte 20, in data[0]");
  /* the four JSON white space bytes stay fine everywhere */
  {
    Parsed r = parse("{\"data\":[{\"errorDetails\":{ \t\r\n\"a\" \t\r\n: \t\r\n[ 1 \t\r\n, 2 ] }}]}");
    REQUIRE_ROWS(r, 1);
    CHECK_TEXT(r.pRows, 0, SETTER_FIELD_ERROR_DETAILS, "{\"a\":[1,2]}");
    setterRowsUnref(r.pRows);
  }
}

/* --------------------------------------------- rows bounded by maxRowBytes */

/* n empty messages: {"data":[{},{},...]} */
static Buf emptyMessages(size_t n) {
  Buf b = {0};
  size_t k;
  bufAppend(&b, "{\"data\":[");
  for (k = 0; k < n; k++) bufAppendN(&b, k ? ",{}" : "{}", k ? 3 : 2);
  bufAppend(&b, "],\"metadata\":{\"contextStartsAt\":null}}");
  return b;
}

#define MASK_FOUR \
  (SETTER_FIELD_BIT(SETTER_FIELD_MESSAGE_ID) | SETTER_FIELD_BIT(SETTER_FIELD_CONTENT) | \
   SETTER_FIELD_BIT(SETTER_FIELD_CREATED_AT) | SETTER_FIELD_BIT(SETTER_FIELD_SENDER_TYPE))

/* A parse that must fail as too large: rc 3, no rows, a message. */
static void checkTooLarge(const char *zFile, int line, Parsed r) {
  if (!unitCheckInt(r.rc, SETTER_PARSE_TOO_LARGE, zFile, line, "setterParseResponse() rc")) {
    printf("  (error text: \"%s\")\n", r.rc ? r.zErr : "");
  }
  if (r.pRows != NULL) {
    unitFailStart(zFile, line);
    printf("*ppRows is not NULL after an error\n");
    if (r.pRows != (SetterRows *)&r) setterRowsUnref(r.pRows);
  }
  if (r.rc && (r.zErr[0] == 0 || strstr(r.zErr, "bytes") == NULL)) {
    unitFailStart(zFile, line);
    printf("error message (expected it to say bytes, got \"%s\")\n", r.zErr);
  }
}

#define CHECK_TOO_LARGE(r) checkTooLarge(__FILE__, __LINE__, (r))

TEST(return_codes_are_named) {
  CHECK_EQ_INT(SETTER_PARSE_OK, 0);
  CHECK_EQ_INT(SETTER_PARSE_MALFORMED, 1);
  CHECK_EQ_INT(SETTER_PARSE_NOMEM, 2);
  CHECK_EQ_INT(SETTER_PARSE_TOO_LARGE, 3);
}

/* 100,000 empty messages are 300 kB of body and, with four cells of 16
** bytes each, 6.4 MB of rows: a 1 MB bound refuses them. */
TEST(many_empty_messages_pass_max_row_bytes_and_are_refused) {
  Buf b = emptyMessages(100000);
  Parsed r = parseLimit(b.z, b.n, MASK_FOUR, 1000000);
  CHECK_TOO_LARGE(r);
  r = parseLimit(b.z, b.n, MASK_FOUR, 0); /* unbounded: rows */
  REQUIRE_ROWS(r, 100000);
  CHECK(setterRowsBytes(r.pRows) > 6400000);
  setterRowsUnref(r.pRows);
  /* no column read: no cells, so the same bound holds them */
  r = parseLimit(b.z, b.n, 0, 1024);
  REQUIRE_ROWS(r, 100000);
  CHECK(setterRowsBytes(r.pRows) <= 1024);
  setterRowsUnref(r.pRows);
  free(b.z);
}

/* Whatever the bound, the result is rows within it or TOO_LARGE. */
TEST(rows_never_exceed_max_row_bytes_whatever_the_bound) {
  Buf b = {0};
  int64_t aMax[] = {1024, 2000, 5000, 10000, 30000, 70000, 100000, 200000, 1000000};
  size_t k;
  int nOk = 0, nTooLarge = 0;
  bufAppend(&b, "{\"data\":[");
  for (k = 0; k < 300; k++) {
    bufAppend(&b, "%s{\"messageId\":%zu,\"content\":\"", k ? "," : "", k);
    bufRepeat(&b, 'x', k * 7 % 500);
    bufAppend(&b, "\",\"errorDetails\":{\"n\":[%zu]}}", k);
  }
  bufAppend(&b, "],\"metadata\":{\"contextStartsAt\":\"2024-01-01T00:00:00.000Z\"}}");
  for (k = 0; k < sizeof aMax / sizeof aMax[0]; k++) {
    Parsed r = parseLimit(b.z, b.n, SETTER_FIELD_ALL, aMax[k]);
    if (r.rc == SETTER_PARSE_OK) {
      nOk++;
      if (!CHECK((int64_t)setterRowsBytes(r.pRows) <= aMax[k])) {
        printf("  (bound %lld, rows %zu bytes)\n", (long long)aMax[k], setterRowsBytes(r.pRows));
      }
      CHECK_EQ_INT(r.pRows->nRow, 300);
      setterRowsUnref(r.pRows);
    } else {
      nTooLarge++;
      CHECK_TOO_LARGE(r);
    }
  }
  CHECK(nOk > 0 && nTooLarge > 0); /* the bounds straddle the rows' size */
  free(b.z);
}

TEST(a_big_string_or_context_alone_passes_max_row_bytes) {
  Buf b = {0};
  Parsed r;
  bufAppend(&b, "{\"data\":[{\"content\":\"");
  bufRepeat(&b, 'c', 100000);
  bufAppend(&b, "\"}]}");
  CHECK_TOO_LARGE(parseLimit(b.z, b.n, SETTER_FIELD_ALL, 50000));
  r = parseLimit(b.z, b.n, SETTER_FIELD_BIT(SETTER_FIELD_MESSAGE_ID), 50000); /* not read */
  REQUIRE_ROWS(r, 1);
  setterRowsUnref(r.pRows);
  free(b.z);
  b.z = NULL;
  b.n = b.nAlloc = 0;
  bufAppend(&b, "{\"data\":[],\"metadata\":{\"contextStartsAt\":\"");
  bufRepeat(&b, 'c', 100000);
  bufAppend(&b, "\"}}");
  CHECK_TOO_LARGE(parseLimit(b.z, b.n, SETTER_FIELD_ALL, 50000));
  r = parseLimit(b.z, b.n, SETTER_FIELD_ALL, 200000);
  REQUIRE_ROWS(r, 0);
  CHECK_EQ_INT(strlen(r.pRows->zContextStartsAt), 100000);
  setterRowsUnref(r.pRows);
  free(b.z);
}

/* ----------------------------------------------- the JSON reader (RFC 8259) */

/* setterJsonScan on a whole text: 1 if it is exactly one valid value. */
static int scanWhole(const char *z, size_t n) {
  char zErr[SETTER_PARSE_ERR_MAX];
  size_t iEnd = 0;
  char *zCopy = malloc(n ? n : 1); /* exact size: a read past the end shows */
  int rc;
  if (zCopy == NULL) abort();
  memcpy(zCopy, z, n);
  rc = setterJsonScan(zCopy, n, &iEnd, zErr, sizeof zErr);
  free(zCopy);
  if (rc != SETTER_PARSE_OK) return 0;
  while (iEnd < n && strchr(" \t\r\n", z[iEnd]) && z[iEnd]) iEnd++;
  return iEnd == n;
}

#define CHECK_VALID(z) \
  do { \
    if (!CHECK(scanWhole((z), strlen(z)))) printf("  (refused: %s)\n", (z)); \
  } while (0)
#define CHECK_INVALID(z) \
  do { \
    if (!CHECK(!scanWhole((z), strlen(z)))) printf("  (accepted: %s)\n", (z)); \
  } while (0)

TEST(json_numbers_follow_the_rfc_grammar) {
  static const char *azValid[] = {"0", "-0", "7", "-7", "10",
                                  /* 80 digits: more than cJSON's 63 characters */
                                  ("1234567890123456789012345678901234567890"
                                   "1234567890123456789012345678901234567890"),
                                  "0.5", "-0.5", "1e5", "1E5", "1e+5", "1e-5", "1.25e-10",
                                  "0e0", "-0.0E-0", "1e999"};
  static const char *azInvalid[] = {"01", "-01", "00", "1.", "-", "-.5", ".5", "+1", "1e", "1e+",
                                    "1.e5", "1..2", "0x10", "1f", "--1", "1-", "Infinity",
                                    "NaN", "- 1", "1 2"};
  size_t k;
  for (k = 0; k < sizeof azValid / sizeof azValid[0]; k++) CHECK_VALID(azValid[k]);
  for (k = 0; k < sizeof azInvalid / sizeof azInvalid[0]; k++) CHECK_INVALID(azInvalid[k]);
}

TEST(json_strings_escapes_and_literals) {
  CHECK_VALID("\"\"");
  CHECK_VALID("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0000 \\uABCD \\uabcd \\ud83d\\ude00\"");
  CHECK_VALID("\"\\ud83d\""); /* lone surrogates pass the reader (U+FFFD later) */
  CHECK_VALID("\"caf\xc3\xa9 \x7f \xff\""); /* bytes >= 0x20 pass through, as in cJSON */
  CHECK_VALID("true");
  CHECK_VALID("false");
  CHECK_VALID("null");
  CHECK_VALID(" \t\r\n[ true , false , null ] \t\r\n");
  CHECK_INVALID("\"\\u12G4\""); /* cJSON read a bad hex digit as 0 */
  CHECK_INVALID("\"\\u123\"");
  CHECK_INVALID("\"\\x41\"");
  CHECK_INVALID("\"\\'\"");
  CHECK_INVALID("\"abc");
  CHECK_INVALID("\"abc\\");
  CHECK_INVALID("\"a\x01\"");
  CHECK_INVALID("tru");
  CHECK_INVALID("nul");
  CHECK_INVALID("True");
  CHECK_INVALID("nulll");
  CHECK_INVALID("'a'");
  CHECK_INVALID("");
  CHECK_INVALID("   ");
  CHECK_INVALID("\xef\xbb\xbf" "1"); /* a BOM: cJSON skipped it */
  CHECK_INVALID("\x01" "1");         /* cJSON skipped bytes up to 0x20 */
}

TEST(json_arrays_and_objects) {
  CHECK_VALID("[]");
  CHECK_VALID("{}");
  CHECK_VALID("[[],{},[{}],{\"a\":[]}]");
  CHECK_VALID("{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":null}]},\"\":\"\"}");
  CHECK_VALID("{\"a\":1,\"a\":2}");
  CHECK_INVALID("[1,]");
  CHECK_INVALID("[,1]");
  CHECK_INVALID("[1 2]");
  CHECK_INVALID("{\"a\":1,}");
  CHECK_INVALID("{\"a\"}");
  CHECK_INVALID("{\"a\" 1}");
  CHECK_INVALID("{a:1}");
  CHECK_INVALID("{1:1}");
  CHECK_INVALID("{\"a\":1]");
  CHECK_INVALID("[1}");
  CHECK_INVALID("[");
  CHECK_INVALID("{");
  CHECK_INVALID("{\"a\":");
  CHECK_INVALID("]");
  CHECK_INVALID("[1]]");
}

/* cJSON's nesting limit, kept: 1000 levels inside a value, not 1001. */
TEST(json_nesting_limit_is_1000_levels) {
  Buf b = {0};
  bufRepeat(&b, '[', 1000);
  bufRepeat(&b, ']', 1000);
  CHECK(scanWhole(b.z, b.n));
  free(b.z);
  b.z = NULL;
  b.n = b.nAlloc = 0;
  bufRepeat(&b, '[', 1001);
  bufRepeat(&b, ']', 1001);
  CHECK(!scanWhole(b.z, b.n));
  free(b.z);
  b.z = NULL;
  b.n = b.nAlloc = 0;
  {
    size_t k;
    for (k = 0; k < 999; k++) bufAppend(&b, "{\"a\":[");
    bufAppend(&b, "{}");
    for (k = 0; k < 999; k++) bufAppend(&b, "]}");
    CHECK(!scanWhole(b.z, b.n)); /* 1999 levels */
  }
  free(b.z);
  {
    Parsed r = parse("{\"data\":[{\"errorDetails\":[[1]]}],\"metadata\":{}}");
    REQUIRE_ROWS(r, 1);
    CHECK_TEXT(r.pRows, 0, SETTER_FIELD_ERROR_DETAILS, "[[1]]");
    setterRowsUnref(r.pRows);
  }
}

TEST(json_scan_reports_where_the_value_ends_and_why_it_stopped) {
  char zErr[SETTER_PARSE_ERR_MAX];
  size_t iEnd = 99;
  CHECK_EQ_INT(setterJsonScan("  [1, 2] ,x", 11, &iEnd, zErr, sizeof zErr), SETTER_PARSE_OK);
  CHECK_EQ_INT(iEnd, 8);
  CHECK_EQ_STR(zErr, "");
  CHECK_EQ_INT(setterJsonScan("[1, 2 x", 7, &iEnd, zErr, sizeof zErr), SETTER_PARSE_MALFORMED);
  CHECK_EQ_INT(iEnd, 6);
  CHECK_EQ_STR(zErr, "invalid JSON at byte 6, in the value");
  CHECK_EQ_INT(setterJsonScan("[1, 2", 5, &iEnd, zErr, sizeof zErr), SETTER_PARSE_MALFORMED);
  CHECK_EQ_STR(zErr, "response ends early at byte 5, in the value");
  CHECK_EQ_INT(setterJsonScan("[1, 2", 5, &iEnd, NULL, 0), SETTER_PARSE_MALFORMED);
}

/* Numbers cJSON let through are refused: raw_json keeps the wire text, and
** SQLite's json functions refuse 01 or 1. as cJSON did not. */
TEST(message_values_cjson_tolerated_but_rfc_8259_refuses_are_errors) {
  CHECK_MALFORMED(parse("{\"data\":[{\"messageId\":01}]}"), "expected '}' at byte 23, in data[0]");
  CHECK_MALFORMED(parse("{\"data\":[{\"messageId\":1.}]}"), "invalid JSON at byte 24, in data[0]");
  CHECK_MALFORMED(parse("{\"data\":[{\"messageId\":-.5}]}"), "invalid JSON at byte 23, in data[0]");
  CHECK_MALFORMED(parse("{\"data\":[{\"content\":\"\\u00G9\"}]}"), "invalid JSON at byte 21");
  {
    /* and the long number cJSON cut at 63 characters is read whole */
    Parsed r = parse("{\"data\":[{\"messageId\":"
                     "12345678901234567890123456789012345678901234567890123456789012345678901234567890}]}");
    REQUIRE_ROWS(r, 1);
    CHECK_TEXT(r.pRows, 0, SETTER_FIELD_MESSAGE_ID,
               "12345678901234567890123456789012345678901234567890123456789012345678901234567890");
    setterRowsUnref(r.pRows);
  }
}

TEST(escaped_member_names_longer_than_any_field_are_read_and_ignored) {
  Buf b = {0};
  Parsed r;
  size_t k;
  bufAppend(&b, "{\"data\":[{\"");
  for (k = 0; k < 200; k++) bufAppend(&b, "\\u0061");
  bufAppend(&b, "\":1,\"\\u0063ontent\":\"x\"}],\"\\u006detadata\":{\"\\u0063ontextStartsAt\":\"t\"}}");
  r = parseN(b.z, b.n, SETTER_FIELD_ALL);
  free(b.z);
  REQUIRE_ROWS(r, 1);
  CHECK_TEXT(r.pRows, 0, SETTER_FIELD_CONTENT, "x");
  CHECK_EQ_STR(r.pRows->zContextStartsAt, "t");
  setterRowsUnref(r.pRows);
}

TEST(a_second_metadata_must_still_be_valid_json) {
  CHECK_MALFORMED(parse("{\"metadata\":{\"contextStartsAt\":\"x\"},\"data\":[],"
                        "\"metadata\":{\"contextStartsAt\":01}}"),
                  "in metadata");
}

/* The reader skips string bodies 8 bytes at a time: the first '"', '\\' or
** control byte must be found at every offset of a word, and bytes >= 0x80
** (UTF-8) or '"'/'\\' look-alikes in the high bit must not stop it. */
/* A parser made after the white space before the object was taken
** (resolve.c) names the offsets of the whole body, as its parse does. */
TEST(a_parser_started_after_white_space_names_whole_body_offsets) {
  static const char zBody[] = "\r\n  {\"data\":[{\"messageId\":}]}";
  size_t n = sizeof zBody - 1, nTaken = 0;
  Parsed whole = parseN(zBody, n, SETTER_FIELD_ALL);
  SetterParser *p = setterParserNew(SETTER_FIELD_ALL, 0);
  char *zRest = malloc(n - 4), zErr[SETTER_PARSE_ERR_MAX];
  SetterRows *pRows = NULL;
  int rc;
  if (p == NULL || zRest == NULL) abort();
  memcpy(zRest, zBody + 4, n - 4);
  setterParserSkipped(p, 4);
  CHECK_EQ_INT(setterParserFeed(p, zRest, 10, 0, &nTaken), SETTER_PARSE_OK);
  CHECK_EQ_INT(setterParserOffset(p), 4 + nTaken);
  memmove(zRest, zRest + nTaken, n - 4 - nTaken);
  rc = setterParserFinish(p, zRest, n - 4 - nTaken, &pRows, zErr, sizeof zErr);
  CHECK_EQ_INT(rc, SETTER_PARSE_MALFORMED);
  CHECK_EQ_INT(whole.rc, SETTER_PARSE_MALFORMED);
  CHECK_EQ_STR(zErr, whole.zErr);
  CHECK_EQ_STR(zErr, "invalid JSON at byte 26, in data[0]");
  setterParserFree(p);
  free(zRest);
}

TEST(strings_find_their_first_special_byte_at_every_offset) {
  static const char zPrefix[] = "{\"data\":[{\"content\":\"";
  static const char zSuffix[] = "\"}]}";
  char zBody[128], zWant[64], zByte[32];
  size_t len, pos, nPrefix = sizeof zPrefix - 1;
  for (len = 0; len <= 40; len++) {
    Parsed r;
    size_t n;
    memcpy(zBody, zPrefix, nPrefix);
    for (pos = 0; pos < len; pos++) zBody[nPrefix + pos] = (char)(pos % 2 ? 0xa2 : 0xdc);
    memcpy(zBody + nPrefix + len, zSuffix, sizeof zSuffix);
    n = nPrefix + len + sizeof zSuffix - 1;
    r = parseN(zBody, n, SETTER_FIELD_BIT(SETTER_FIELD_CONTENT));
    REQUIRE_ROWS(r, 1);
    CHECK_TEXTN(r.pRows, 0, SETTER_FIELD_CONTENT, zBody + nPrefix, len);
    setterRowsUnref(r.pRows);
    for (pos = 0; pos < len; pos++) {
      /* a raw control byte at pos: the error names its offset */
      char c = zBody[nPrefix + pos];
      zBody[nPrefix + pos] = '\x1f';
      snprintf(zByte, sizeof zByte, "at byte %zu,", nPrefix + pos);
      CHECK_MALFORMED(parseN(zBody, n, SETTER_FIELD_BIT(SETTER_FIELD_CONTENT)), zByte);
      /* an escape at pos: decoded in place */
      zBody[nPrefix + pos] = '\\';
      if (pos + 1 < len) {
        char c2 = zBody[nPrefix + pos + 1];
        zBody[nPrefix + pos + 1] = 'n';
        r = parseN(zBody, n, SETTER_FIELD_BIT(SETTER_FIELD_CONTENT));
        REQUIRE_ROWS(r, 1);
        memcpy(zWant, zBody + nPrefix, pos);
        zWant[pos] = '\n';
        memcpy(zWant + pos + 1, zBody + nPrefix + pos + 2, len - pos - 2);
        CHECK_TEXTN(r.pRows, 0, SETTER_FIELD_CONTENT, zWant, len - 1);
        setterRowsUnref(r.pRows);
        zBody[nPrefix + pos + 1] = c2;
      }
      /* a quote at pos ends the string early: what follows is not JSON */
      zBody[nPrefix + pos] = '"';
      CHECK_MALFORMED(parseN(zBody, n, SETTER_FIELD_BIT(SETTER_FIELD_CONTENT)), "byte");
      zBody[nPrefix + pos] = c;
    }
  }
}

int main(void) {
  runCellCases();
  RUN(a_parser_started_after_white_space_names_whole_body_offsets);
  RUN(strings_find_their_first_special_byte_at_every_offset);
  RUN(doc_example_maps_every_field);
  RUN(fixtures_are_the_mock_bodies);
  RUN(string_fields_are_text_cells);
  RUN(absent_fields_and_json_null_are_null_cells);
  RUN(member_names_are_case_sensitive);
  RUN(duplicate_fields_second_occurrence_takes_no_row_bytes);
  RUN(utf8_raw_and_u_escapes_with_surrogate_pair_decode_to_the_same_bytes);
  RUN(content_of_1_5_megabytes_is_kept_whole);
  RUN(many_messages_and_mixed_string_sizes_survive_arena_and_row_growth);
  RUN(empty_data_array_gives_zero_rows);
  RUN(context_starts_at_string_null_or_absent);
  RUN(metadata_before_or_after_data);
  RUN(raw_json_has_a_cell_only_when_it_is_in_the_mask);
  RUN(mask_selects_cells_and_fields_outside_it_have_no_cell);
  RUN(mask_zero_counts_rows_only);
  RUN(mask_bits_beyond_the_fields_are_ignored);
  RUN(malformed_empty_body);
  RUN(malformed_top_level_not_an_object);
  RUN(malformed_metadata_without_data);
  RUN(malformed_data_not_an_array);
  RUN(malformed_data_element_not_an_object);
  RUN(malformed_trailing_garbage_after_the_object);
  RUN(malformed_truncated_mid_message);
  RUN(malformed_fourth_message_after_three_valid_ones);
  RUN(malformed_data_twice);
  RUN(malformed_values_anywhere_are_errors);
  RUN(malformed_after_an_escaped_member_name_frees_the_name);
  RUN(malformed_deep_nesting_does_not_crash);
  RUN(error_text_fits_small_buffers_and_none);
  RUN(rows_outlive_extra_references_and_unref_null_is_harmless);
  RUN(json_compact_removes_only_insignificant_white_space);
  RUN(json_compact_returns_the_length_and_stays_in_bounds);
  RUN(api_error_message_prefers_message_then_error_string_then_error_message);
  RUN(api_error_message_is_null_without_one);
  RUN(api_error_message_reads_only_the_given_length);
  RUN(api_error_message_keeps_every_byte_past_an_escaped_nul);
  RUN(raw_control_character_in_a_string_is_refused_naming_the_byte);
  RUN(every_byte_below_0x20_raw_in_a_string_is_refused_and_escaped_ones_are_not);
  RUN(control_bytes_between_tokens_other_than_json_white_space_are_refused);
  RUN(return_codes_are_named);
  RUN(many_empty_messages_pass_max_row_bytes_and_are_refused);
  RUN(rows_never_exceed_max_row_bytes_whatever_the_bound);
  RUN(a_big_string_or_context_alone_passes_max_row_bytes);
  RUN(json_numbers_follow_the_rfc_grammar);
  RUN(json_strings_escapes_and_literals);
  RUN(json_arrays_and_objects);
  RUN(json_nesting_limit_is_1000_levels);
  RUN(json_scan_reports_where_the_value_ends_and_why_it_stopped);
  RUN(message_values_cjson_tolerated_but_rfc_8259_refuses_are_errors);
  RUN(escaped_member_names_longer_than_any_field_are_read_and_ignored);
  RUN(a_second_metadata_must_still_be_valid_json);
  return unitReport();
}
