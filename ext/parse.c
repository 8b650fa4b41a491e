/*
** parse.c - an API response body -> SetterRows, without building a tree of
** the body and without a JSON library on the way.
**
** The body is walked once by json.c's validating reader: the response
** object, "data", each message object and "metadata" member by member
** (jsonNextMember), every member value checked by jsonScanValue.  Only the
** fields in the mask are converted, straight from the wire text; nothing is
** allocated per value but the cells' own text.  Peak memory is the body
** (or, read as it arrives, the part not read yet) plus the rows, and the
** rows are bounded by maxRowBytes.
**
** Reading as the body arrives (SetterParser, parse.h): the reading is cut
** into steps (the response object's '{'; one member of it, but "data",
** whole; the '[' of "data"; one message; the ',' or ']' after it; the end),
** and the stage between steps is all the state kept.  A step that runs
** into the end of what has arrived (the reader's bEnded), or ends in a
** number that runs to it (more digits may follow), is undone, rows
** included (setterRowsRollback), and tried again once twice as many bytes
** have arrived (or at the next feed after setterParserReadAll, for a
** transfer that fails); any other error is final.  Reading the whole body is the
** same steps in one call, so both ways give the same rows and errors.
**
** Conversion of a message member to a cell, by the field's kind (rows.h):
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
** column agrees with json_extract(raw_json, ...) on the same row.  A
** message's fields, metadata's contextStartsAt and the response's metadata
** are each taken from their first occurrence (whatever its value: a first
** "content":null is NULL even if a string follows); later ones are checked
** as JSON and dropped, and take no row bytes.  Each reader keeps a bitmask
** of the members it has taken (firstTime).  A second "data" is an error.
** Names are compared decoded ("cont\u0065nt" is "content"), as JSON
** defines them and as SQLite 3.46.1 and later do; SQLite 3.40.1 and older
** compare the text as written, so there a column and json_extract(raw_json)
** differ for a name written with escapes (the README says so).
**
** setterApiErrorMessage reads an HTTP error body with the same reader, so
** the API's message keeps every byte (an escaped NUL included).
*/
#include "parse.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "json.h"

/* How a field's JSON value becomes a cell (see the header comment). */
enum FieldKind { KIND_TEXT, KIND_INTEGER, KIND_CODE, KIND_JSON };

#define MESSAGE_FIELD(F, zSql, zType, zJson, K) \
  {zJson, sizeof(zJson) - 1, SETTER_FIELD_##F, KIND_##K},
static const struct {
  const char *zName;
  unsigned char nName;
  unsigned char eField;
  unsigned char eKind;
} aMessageField[] = {SETTER_MESSAGE_FIELDS(MESSAGE_FIELD)};
#undef MESSAGE_FIELD

#define N_MESSAGE_FIELD (int)(sizeof(aMessageField) / sizeof(aMessageField[0]))

static int readNoMem(JsonReader *r) {
  if (r->nErr) snprintf(r->zErr, r->nErr, "out of memory");
  return SETTER_PARSE_NOMEM;
}

/* An allocation of the rows failed: the bound, or no memory. */
static int readAllocFailed(JsonReader *r, const SetterRows *pRows) {
  char zW[64];
  if (!pRows->bTooLarge) return readNoMem(r);
  if (r->nErr) {
    snprintf(r->zErr, r->nErr, "the rows need more than %lld bytes, at %s",
             (long long)pRows->maxBytes, jsonWhere(r, zW));
  }
  return SETTER_PARSE_TOO_LARGE;
}

/* The first-occurrence rule (see the header comment): true, and the bit
** set in *pSeen, if the member of this bit has not been met yet. */
static int firstTime(unsigned int *pSeen, unsigned int bit) {
  if (*pSeen & bit) return 0;
  *pSeen |= bit;
  return 1;
}

static int nameIs(const JsonMembers *m, const char *zWant) {
  return strlen(zWant) == m->nName && memcmp(m->zName, zWant, m->nName) == 0;
}

/* Copies the wire text of a value that was read from zRaw[0..nRaw) to zOut
** as compact JSON: a memcpy when no white space was skipped in it. */
static size_t copyCompact(const char *zRaw, size_t nRaw, int bSpace, char *zOut) {
  if (bSpace) return setterJsonCompact(zRaw, nRaw, zOut);
  memcpy(zOut, zRaw, nRaw);
  return nRaw;
}

/* Store one member value, the wire text zRaw[0..nRaw), in its cell, by the
** field's kind. */
static int storeCell(JsonReader *r, SetterRows *pRows, SetterValue *pCell, int eKind, int eType,
                     const char *zRaw, size_t nRaw, int bSpace) {
  int64_t iValue;
  char *zOut;
  if (nRaw > UINT32_MAX) return jsonFail(r, "a value of %zu bytes is too large", nRaw);
  if (eType == JSON_NULL) {
    pCell->type = SETTER_NULL;
    return SETTER_PARSE_OK;
  }
  if (eType == JSON_NUMBER && eKind != KIND_TEXT && eKind != KIND_JSON &&
      jsonInt64Literal(zRaw, nRaw, &iValue)) {
    pCell->type = SETTER_INTEGER;
    pCell->u.i = iValue;
    return SETTER_PARSE_OK;
  }
  zOut = setterRowsAlloc(pRows, nRaw);
  if (zOut == NULL) return readAllocFailed(r, pRows);
  if (eType == JSON_STRING && eKind != KIND_JSON) {
    if (r->bEscaped) {
      pCell->n = (uint32_t)jsonDecodeString(zRaw, nRaw, zOut);
    } else {
      pCell->n = (uint32_t)(nRaw - 2);
      memcpy(zOut, zRaw + 1, nRaw - 2);
    }
  } else {
    pCell->n = (uint32_t)copyCompact(zRaw, nRaw, bSpace, zOut);
  }
  zOut[pCell->n] = 0;
  pCell->u.z = zOut;
  pCell->type = SETTER_TEXT;
  return SETTER_PARSE_OK;
}

/* The message field named m's name, or -1: compared on length and first
** byte before the bytes. */
static int messageField(const JsonMembers *m) {
  int k;
  for (k = 0; k < N_MESSAGE_FIELD; k++) {
    if (aMessageField[k].nName == m->nName && aMessageField[k].zName[0] == m->zName[0] &&
        jsonSameBytes(m->zName, aMessageField[k].zName, m->nName)) {
      return k;
    }
  }
  return -1;
}

/* Read data[iMessage], an object, into a new row. */
static int readMessage(JsonReader *r, SetterRows *pRows, int64_t iMessage) {
  JsonMembers m;
  SetterValue *aRow;
  size_t iStart, nSpace;
  unsigned int seen = 0; /* SETTER_FIELD_BIT()s of the fields stored */
  int rc;
  r->zWhere = "data";
  r->iItem = iMessage;
  if (jsonPeek(r) != '{') {
    char zW[64];
    if (r->i >= r->n) return jsonFailEnded(r, "response ends early, in %s", jsonWhere(r, zW));
    if ((unsigned char)r->z[r->i] < 0x20) return jsonUnexpected(r, NULL);
    return jsonFail(r, "%s is not an object", jsonWhere(r, zW));
  }
  iStart = r->i;
  aRow = setterRowsAppend(pRows);
  if (aRow == NULL) return readAllocFailed(r, pRows);
  jsonMembersBegin(r, &m);
  nSpace = r->nSpace;
  while ((rc = jsonNextMember(r, &m)) == JSON_MEMBER) {
    size_t iValue = r->i, nSpaceBefore = r->nSpace;
    int eType, k;
    rc = jsonScanValue(r, &eType);
    if (rc) return rc;
    k = messageField(&m);
    if (k >= 0) {
      int eField = aMessageField[k].eField, iSlot = pRows->aSlot[eField];
      if (iSlot >= 0 && firstTime(&seen, SETTER_FIELD_BIT(eField))) {
        rc = storeCell(r, pRows, &aRow[iSlot], aMessageField[k].eKind, eType, r->z + iValue,
                       r->i - iValue, r->nSpace != nSpaceBefore);
        if (rc) return rc;
      }
    }
  }
  if (rc) return rc;
  if (pRows->aSlot[SETTER_FIELD_RAW_JSON] >= 0) {
    SetterValue *pRaw = &aRow[pRows->aSlot[SETTER_FIELD_RAW_JSON]];
    char *zOut;
    if (r->i - iStart > UINT32_MAX) {
      char zW[64];
      return jsonFail(r, "%s is too large", jsonWhere(r, zW));
    }
    zOut = setterRowsAlloc(pRows, r->i - iStart);
    if (zOut == NULL) return readAllocFailed(r, pRows);
    pRaw->n = (uint32_t)copyCompact(r->z + iStart, r->i - iStart, r->nSpace != nSpace, zOut);
    zOut[pRaw->n] = 0;
    pRaw->u.z = zOut;
    pRaw->type = SETTER_TEXT;
  }
  return SETTER_PARSE_OK;
}

/* Read the value of the first "metadata", keeping contextStartsAt when it
** is a string (the first one, when the object repeats it); any other
** value, or a metadata without one, leaves no contextStartsAt. */
static int readMetadata(JsonReader *r, SetterRows *pRows) {
  JsonMembers m;
  const char *zContext = NULL;
  size_t nContext = 0;
  unsigned int seen = 0; /* 1: contextStartsAt met */
  int eType, rc;
  r->zWhere = "metadata";
  r->iItem = -1;
  if (jsonPeek(r) != '{') return jsonScanValue(r, &eType);
  jsonMembersBegin(r, &m);
  while ((rc = jsonNextMember(r, &m)) == JSON_MEMBER) {
    size_t iValue = r->i;
    rc = jsonScanValue(r, &eType);
    if (rc) return rc;
    if (nameIs(&m, "contextStartsAt") && firstTime(&seen, 1u)) {
      zContext = eType == JSON_STRING ? r->z + iValue : NULL;
      nContext = r->i - iValue;
    }
  }
  if (rc) return rc;
  if (zContext) {
    char *zOut = setterRowsAllocContext(pRows, nContext);
    size_t nOut;
    if (zOut == NULL) return readAllocFailed(r, pRows);
    nOut = jsonDecodeString(zContext, nContext, zOut);
    zOut[nOut] = 0;
    pRows->nContextStartsAt = nOut;
  }
  return SETTER_PARSE_OK;
}

/* Members of the response object, for its bitmask of members met. */
#define RESPONSE_DATA 1u
#define RESPONSE_METADATA 2u

/* Where the reader stands between two steps (see the header comment). */
enum ParserStage {
  STAGE_START,        /* before the response object's '{' */
  STAGE_MEMBERS,      /* at the response object's next member, or its '}' */
  STAGE_DATA_FIRST,   /* after the '[' of "data": its ']', or its first message */
  STAGE_DATA_MESSAGE, /* at a message of "data" after a ',' */
  STAGE_DATA_AFTER,   /* after a message: ',' or ']' */
  STAGE_END           /* after the response object: only white space may follow */
};

struct SetterParser {
  SetterRows *pRows;
  JsonReader r;      /* r.z/r.n: the text handed to the last feed, r.iBase its offset */
  JsonMembers m;     /* the response object's member iteration */
  unsigned int seen; /* RESPONSE_* */
  int eStage;        /* enum ParserStage */
  int64_t iMessage;  /* the next message's index in "data" */
  int rc;            /* SETTER_PARSE_OK, or the error that ended the reading */
  size_t nWait;      /* a step that ran out of text is tried again when this
                     ** many bytes (from its start) have arrived */
  size_t iSurrogate; /* body offset where the lone-surrogate pass resumes */
  char zErr[SETTER_PARSE_ERR_MAX * 2];
};

/* STAGE_START: the response object's '{'. */
static int stepStart(SetterParser *p) {
  JsonReader *r = &p->r;
  if (jsonPeek(r) != '{') {
    if (r->i >= r->n) return jsonFailEnded(r, "response body is empty");
    return jsonFail(r, "response is not a JSON object");
  }
  r->zWhere = "the response object";
  jsonMembersBegin(r, &p->m);
  p->eStage = STAGE_MEMBERS;
  return SETTER_PARSE_OK;
}

/* The '[' of "data". */
static int beginDataArray(SetterParser *p) {
  JsonReader *r = &p->r;
  r->zWhere = "data";
  r->iItem = -1;
  if (jsonPeek(r) != '[') {
    if (r->i >= r->n) return jsonFailEnded(r, "response ends early, in data");
    if ((unsigned char)r->z[r->i] < 0x20) return jsonUnexpected(r, NULL);
    return jsonFail(r, "\"data\" is not an array");
  }
  r->i++;
  p->eStage = STAGE_DATA_FIRST;
  return SETTER_PARSE_OK;
}

/* After the ']' of "data": back to the response object's members. */
static int endDataArray(SetterParser *p) {
  p->r.zWhere = "the response object";
  p->r.iItem = -1;
  p->eStage = STAGE_MEMBERS;
  return SETTER_PARSE_OK;
}

/* STAGE_MEMBERS: one member of the response object (all of it, but for
** "data", which is read message by message), or its closing '}'. */
static int stepMember(SetterParser *p) {
  JsonReader *r = &p->r;
  int rc = jsonNextMember(r, &p->m), eType;
  if (rc == JSON_OK) {
    p->eStage = STAGE_END;
    return SETTER_PARSE_OK;
  }
  if (rc != JSON_MEMBER) return rc;
  if (nameIs(&p->m, "data")) {
    if (!firstTime(&p->seen, RESPONSE_DATA)) return jsonFail(r, "response has \"data\" twice");
    return beginDataArray(p);
  } else if (nameIs(&p->m, "metadata")) {
    if (firstTime(&p->seen, RESPONSE_METADATA)) {
      rc = readMetadata(r, p->pRows);
    } else {
      r->zWhere = "metadata"; /* a later metadata is only checked */
      rc = jsonScanValue(r, &eType);
    }
  } else {
    rc = jsonScanValue(r, &eType);
  }
  if (rc) return rc;
  r->zWhere = "the response object";
  r->iItem = -1;
  return SETTER_PARSE_OK;
}

/* STAGE_DATA_FIRST and STAGE_DATA_MESSAGE: a message (or, first, the ']'
** of an empty "data"). */
static int stepDataMessage(SetterParser *p) {
  JsonReader *r = &p->r;
  int rc;
  if (p->eStage == STAGE_DATA_FIRST && jsonPeek(r) == ']') {
    r->i++;
    return endDataArray(p);
  }
  rc = readMessage(r, p->pRows, p->iMessage);
  if (rc) return rc;
  p->iMessage++;
  r->iItem = -1;
  p->eStage = STAGE_DATA_AFTER;
  return SETTER_PARSE_OK;
}

/* STAGE_DATA_AFTER: ',' before the next message, or the ']' of "data". */
static int stepDataAfter(SetterParser *p) {
  JsonReader *r = &p->r;
  int rc;
  r->zWhere = "data";
  r->iItem = -1;
  if (jsonPeek(r) == ',') {
    r->i++;
    p->eStage = STAGE_DATA_MESSAGE;
    return SETTER_PARSE_OK;
  }
  rc = jsonPunct(r, ']');
  if (rc) return rc;
  return endDataArray(p);
}

/* STAGE_END: nothing but white space after the response object. */
static int stepEnd(SetterParser *p, int bFinal) {
  JsonReader *r = &p->r;
  if (jsonPeek(r) >= 0) {
    return jsonFail(r, "unexpected text after the JSON at byte %zu", r->iBase + r->i);
  }
  if (bFinal && !(p->seen & RESPONSE_DATA)) return jsonFail(r, "response has no \"data\" array");
  return SETTER_PARSE_OK;
}

/* One step from the current stage; SETTER_PARSE_OK or an error. */
static int step(SetterParser *p, int bFinal) {
  switch (p->eStage) {
    case STAGE_START:
      return stepStart(p);
    case STAGE_MEMBERS:
      return stepMember(p);
    case STAGE_DATA_FIRST:
    case STAGE_DATA_MESSAGE:
      return stepDataMessage(p);
    case STAGE_DATA_AFTER:
      return stepDataAfter(p);
    default:
      return stepEnd(p, bFinal);
  }
}

SetterParser *setterParserNew(unsigned int mask, int64_t maxRowBytes) {
  SetterParser *p = setterCalloc(sizeof(*p));
  if (p == NULL) return NULL;
  p->pRows = setterRowsNew(mask);
  if (p->pRows == NULL) {
    setterFree(p);
    return NULL;
  }
  setterRowsLimit(p->pRows, maxRowBytes);
  jsonReaderInit(&p->r, "", 0, p->zErr, sizeof p->zErr);
  p->eStage = STAGE_START;
  return p;
}

void setterParserFree(SetterParser *p) {
  if (p == NULL) return;
  setterRowsUnref(p->pRows);
  setterFree(p);
}

void setterParserSkipped(SetterParser *p, size_t n) {
  p->r.iBase = n;
  p->iSurrogate = n;
}

void setterParserReadAll(SetterParser *p) {
  p->nWait = 0;
}

/* The body offset where the text of the next feed starts. */
size_t setterParserOffset(const SetterParser *p) {
  return p->r.iBase;
}

/* True if the step just read ended with a number that runs to the end of
** what has arrived: a step ends just past a value or a punctuation mark,
** and only a number ends in a digit.  A number is the one value whose end
** the reader cannot see (123 may be the start of 12345), so such a step is
** cut as surely as one that ran out of text. */
static int endsInNumber(const JsonReader *r) {
  return r->i > 0 && r->i == r->n && r->z[r->i - 1] >= '0' && r->z[r->i - 1] <= '9';
}

int setterParserFeed(SetterParser *p, char *z, size_t n, int bFinal, size_t *pnTaken) {
  JsonReader *r = &p->r;
  *pnTaken = 0;
  if (p->rc != SETTER_PARSE_OK) {
    *pnTaken = n; /* the answer is refused already: nothing more to read */
    return p->rc;
  }
  if (!bFinal && n < p->nWait) return SETTER_PARSE_OK;
  p->nWait = 0;
  /* Lone surrogates are rewritten before anything reads them; the pass
  ** stops short of an escape whose pair may still be arriving, and so does
  ** the reading. */
  p->iSurrogate =
      r->iBase + setterJsonReplaceLoneSurrogatesFrom(z, n, p->iSurrogate - r->iBase, bFinal);
  r->z = z;
  r->n = p->iSurrogate - r->iBase;
  r->i = 0;
  for (;;) {
    size_t iStep = r->i, nSpace = r->nSpace;
    int bStarted = p->m.bStarted;
    unsigned int seen = p->seen;
    int64_t iItem = r->iItem;
    const char *zWhere = r->zWhere;
    int eStage = p->eStage, rc;
    SetterRowsMark mark;
    setterRowsMark(p->pRows, &mark);
    r->bEnded = 0;
    rc = step(p, bFinal);
    if (rc == SETTER_PARSE_OK && !bFinal && endsInNumber(r)) {
      r->bEnded = 1; /* more digits of it may still arrive */
      rc = SETTER_PARSE_MALFORMED;
    }
    if (rc != SETTER_PARSE_OK && r->bEnded && !bFinal) {
      /* cut by the end of what has arrived: undo it, and try again once
      ** twice as much has arrived (so a long value is read O(n) times) */
      setterRowsRollback(p->pRows, &mark);
      r->i = iStep;
      r->nSpace = nSpace;
      r->iItem = iItem;
      r->zWhere = zWhere;
      p->m.bStarted = bStarted;
      p->seen = seen;
      p->eStage = eStage;
      p->nWait = (n - iStep) * 2;
      break;
    }
    if (rc != SETTER_PARSE_OK) {
      p->rc = rc;
      *pnTaken = n;
      return rc;
    }
    if (eStage == STAGE_END) break; /* stepEnd read all there is */
  }
  *pnTaken = r->i;
  r->iBase += r->i;
  return SETTER_PARSE_OK;
}

int setterParserFinish(SetterParser *p, char *z, size_t n, SetterRows **ppRows, char *zErr,
                       size_t nErr) {
  size_t nTaken;
  int rc = setterParserFeed(p, z, n, 1, &nTaken);
  *ppRows = NULL;
  if (nErr) snprintf(zErr, nErr, "%s", rc ? p->zErr : "");
  if (rc == SETTER_PARSE_OK) {
    *ppRows = p->pRows;
    p->pRows = NULL;
  }
  return rc;
}

int setterParseResponse(char *zBody, size_t nBody, unsigned int mask, int64_t maxRowBytes,
                        SetterRows **ppRows, char *zErr, size_t nErr) {
  SetterParser *p = setterParserNew(mask, maxRowBytes);
  char zEmpty[1] = {0};
  int rc;
  *ppRows = NULL;
  if (nErr) zErr[0] = 0;
  if (p == NULL) {
    setterFree(zBody);
    if (nErr) snprintf(zErr, nErr, "out of memory");
    return SETTER_PARSE_NOMEM;
  }
  rc = setterParserFinish(p, zBody ? zBody : zEmpty, zBody ? nBody : 0, ppRows, zErr, nErr);
  setterParserFree(p);
  setterFree(zBody);
  return rc;
}

/* A member value's place in the text: iStart..iEnd, its type (-1: absent). */
typedef struct JsonSpan {
  size_t iStart, iEnd;
  int eType;
} JsonSpan;

static int isName(const JsonMembers *m, const char *zName) {
  size_t n = strlen(zName);
  return m->nName == n && memcmp(m->zName, zName, n) == 0;
}

/* Reads the object at r->i (checked whole) and the first member named
** zName1 (and zName2, if not NULL) into the spans.  0, or an error. */
static int findMembers(JsonReader *r, const char *zName1, JsonSpan *p1, const char *zName2,
                       JsonSpan *p2) {
  JsonMembers m;
  int rc;
  p1->eType = p2->eType = -1;
  if (jsonPeek(r) != '{') return JSON_MALFORMED;
  jsonMembersBegin(r, &m);
  while ((rc = jsonNextMember(r, &m)) == JSON_MEMBER) {
    JsonSpan *pSpan = NULL;
    size_t iStart = r->i;
    int eType;
    if (isName(&m, zName1)) pSpan = p1;
    if (zName2 && isName(&m, zName2)) pSpan = p2;
    rc = jsonScanValue(r, &eType);
    if (rc) return rc;
    if (pSpan && pSpan->eType < 0) { /* the first occurrence wins */
      pSpan->iStart = iStart;
      pSpan->iEnd = r->i;
      pSpan->eType = eType;
    }
  }
  return rc;
}

char *setterApiErrorMessage(const char *zBody, size_t nBody, size_t *pnMessage) {
  JsonReader r;
  JsonSpan message, error, found;
  char *zOut;
  *pnMessage = 0;
  if (zBody == NULL || nBody == 0) return NULL;
  jsonReaderInit(&r, zBody, nBody, NULL, 0);
  if (findMembers(&r, "message", &message, "error", &error)) return NULL;
  found.eType = -1;
  if (message.eType == JSON_STRING) {
    found = message;
  } else if (error.eType == JSON_STRING) {
    found = error;
  } else if (error.eType == JSON_OBJECT) {
    JsonSpan unused;
    jsonReaderInit(&r, zBody + error.iStart, error.iEnd - error.iStart, NULL, 0);
    if (findMembers(&r, "message", &message, NULL, &unused) == 0 && message.eType == JSON_STRING) {
      found = message;
      found.iStart += error.iStart;
      found.iEnd += error.iStart;
    }
  }
  if (found.eType < 0) return NULL;
  zOut = setterMalloc(found.iEnd - found.iStart + 1);
  if (zOut == NULL) return NULL;
  *pnMessage = jsonDecodeString(zBody + found.iStart, found.iEnd - found.iStart, zOut);
  zOut[*pnMessage] = 0;
  return zOut;
}
