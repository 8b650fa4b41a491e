/*
** rows.h - the compact, immutable result of one API lookup.
**
** A SetterRows holds the messages of one conversation as a flat array of
** SetterValue cells: nRow rows of nSlot cells each, one cell per *extracted*
** field.  Only the fields a query reads are extracted (see the mask), so a
** `SELECT count(*)` over 100,000 messages stores nothing but the row count.
** Strings (raw_json too, as compact JSON) live in an arena owned by the
** SetterRows.
**
** A SetterRows is reference counted: the per-statement cache, the
** cross-statement cache and a cursor may share one.  It never changes after
** setterParseResponse() has built it, so sharing needs no locking beyond the
** connection's own serialisation.
**
** Memory: every byte a SetterRows keeps is counted in nBytes (the struct,
** the cell array as allocated, the arena blocks, the contextStartsAt
** string); setterRowsBytes() returns it, for the cache's bound.  With
** setterRowsLimit(p, maxBytes) set, an allocation that would take nBytes
** past maxBytes is refused before it is made: the function returns NULL and
** sets bTooLarge, so the caller can tell "too large" from "no memory".
** Rows with no cells (mask 0, e.g. for count(*)) allocate no cell array.
**
** This file and rows.c allocate through ext/alloc.h and do not depend on
** SQLite, so that the unit tests and the fuzz target can link them alone.
*/
#ifndef SETTER_ROWS_H
#define SETTER_ROWS_H

#include <stddef.h>
#include <stdint.h>

/*
** The message fields, in the order of the table's message columns; the one
** list vtab.c (columns, schema) and parse.c (JSON members) read too:
**
**   X(FIELD, "sql_name", "SQL type", "jsonName", KIND)
**
** FIELD makes SETTER_FIELD_<FIELD> here and COLUMN_<FIELD> in vtab.c; KIND
** says how the JSON value becomes a cell (parse.c): TEXT, INTEGER, CODE
** (INTEGER for an integer, else TEXT) or JSON (compact JSON text).  Adding a
** message column is one line here.  raw_json, the last field, is the whole
** message object, not a member: it follows the list.
*/
#define SETTER_MESSAGE_FIELDS(X)                                     \
  X(MESSAGE_ID, "message_id", "INTEGER", "messageId", INTEGER)       \
  X(SENDER_TYPE, "sender_type", "TEXT", "senderType", TEXT)          \
  X(CONTENT, "content", "TEXT", "content", TEXT)                     \
  X(CREATED_AT, "created_at", "TEXT", "createdAt", TEXT)             \
  X(LATEST_STATUS, "latest_status", "TEXT", "latestStatus", TEXT)    \
  X(FAILURE_REASON, "failure_reason", "TEXT", "failureReason", TEXT) \
  X(ERROR_CODE, "error_code", "", "errorCode", CODE)                 \
  X(ERROR_TITLE, "error_title", "TEXT", "errorTitle", TEXT)          \
  X(ERROR_MESSAGE, "error_message", "TEXT", "errorMessage", TEXT)    \
  X(ERROR_DETAILS, "error_details", "TEXT", "errorDetails", JSON)    \
  X(PLATFORM_RESOURCE_ID, "platform_resource_id", "TEXT", "platformResourceId", TEXT)

#define SETTER_FIELD_ENUM(F, zSql, zType, zJson, K) SETTER_FIELD_##F,
enum SetterField {
  SETTER_MESSAGE_FIELDS(SETTER_FIELD_ENUM) /* the message members */
  SETTER_FIELD_RAW_JSON,                   /* the message object as compact JSON */
  SETTER_FIELD_COUNT
};
#undef SETTER_FIELD_ENUM

/* Fields SETTER_FIELD_MESSAGE_ID .. SETTER_N_MESSAGE_FIELD-1 are members. */
#define SETTER_N_MESSAGE_FIELD SETTER_FIELD_RAW_JSON

#define SETTER_FIELD_BIT(f) (1u << (f))
#define SETTER_FIELD_ALL ((1u << SETTER_FIELD_COUNT) - 1u)

/* Cell types; the numbers match SQLITE_INTEGER, SQLITE_TEXT, SQLITE_NULL. */
#define SETTER_INTEGER 1
#define SETTER_TEXT 3
#define SETTER_NULL 5

typedef struct SetterValue {
  union {
    int64_t i;     /* SETTER_INTEGER */
    const char *z; /* SETTER_TEXT: n bytes, not necessarily 0-terminated */
  } u;
  uint32_t n;   /* text length in bytes */
  uint8_t type; /* SETTER_INTEGER, SETTER_TEXT or SETTER_NULL */
} SetterValue;

typedef struct SetterArenaBlock SetterArenaBlock;

typedef struct SetterRows {
  int nRef;                              /* references; freed when it drops to 0 */
  unsigned int mask;                     /* SETTER_FIELD_BIT()s that were extracted */
  int nSlot;                             /* cells per row = number of bits in mask */
  signed char aSlot[SETTER_FIELD_COUNT]; /* field -> cell index, or -1 */
  int64_t nRow;                          /* number of messages */
  int64_t nRowAlloc;                     /* rows allocated in aCell */
  SetterValue *aCell;                    /* nRow * nSlot cells */
  char *zContextStartsAt;                /* metadata.contextStartsAt, or NULL; set it only
                                         ** through setterRowsAllocContext() */
  size_t nContextStartsAt;               /* its length: it may hold 0 bytes (\u0000) */
  size_t nContextBytes;                  /* bytes allocated to zContextStartsAt */
  SetterArenaBlock *pArena;              /* strings */
  size_t nBytes;                         /* every byte held, see the header comment */
  int64_t maxBytes;                      /* bound on nBytes; 0 = none */
  int bTooLarge;                         /* an allocation was refused for maxBytes */
  SetterValue noCell;                    /* what setterRowsAppend returns when nSlot == 0 */
  char *zLookupError;                    /* a failed lookup (on_error 'row'): one row of NULL
                                         ** cells, and why; see setterRowsNewError() */
} SetterRows;

/* A new empty result extracting the fields in mask, or NULL (no memory). */
SetterRows *setterRowsNew(unsigned int mask);

/* The result of a lookup that failed with the error zErr (copied): one row
** whose cells are all NULL, for any mask; NULL: no memory. */
SetterRows *setterRowsNewError(const char *zErr);

/* Take one more reference; drop one (frees at zero). NULL is allowed. */
void setterRowsRef(SetterRows *p);
void setterRowsUnref(SetterRows *p);

/* Bound the bytes the rows may hold from now on (0 = unbounded). */
void setterRowsLimit(SetterRows *p, int64_t maxBytes);

/* Append one row with every cell NULL; returns its cells (nSlot of them),
** or NULL: no memory, or bTooLarge set. */
SetterValue *setterRowsAppend(SetterRows *p);

/* The cell of field f in row iRow, or NULL when f was not extracted. */
const SetterValue *setterRowsCell(const SetterRows *p, int64_t iRow, int f);

/* n+1 bytes of arena memory for a string of at most n bytes and its 0
** terminator; NULL: no memory, or bTooLarge set. */
char *setterRowsAlloc(SetterRows *p, size_t n);

/* n+1 bytes for zContextStartsAt (replacing an older one), to be filled by
** the caller; NULL: no memory, or bTooLarge set. */
char *setterRowsAllocContext(SetterRows *p, size_t n);

/* Drop zContextStartsAt (no-op without one). */
void setterRowsFreeContext(SetterRows *p);

/* A point to come back to: setterRowsMark() records it, setterRowsRollback()
** drops every row and string added since (the cell array keeps its size),
** so that the rows are exactly as they were, byte count included.  Used by
** a reader of a body that is still arriving, when a message is cut by the
** end of what has arrived.  Only appends (rows, strings) may happen in
** between, not the context string. */
typedef struct SetterRowsMark {
  int64_t nRow;
  SetterArenaBlock *pHead; /* the arena's first block then */
  SetterArenaBlock *pNext; /* what followed it */
  size_t nUsed;            /* its bytes used */
  int bTooLarge;
} SetterRowsMark;
void setterRowsMark(const SetterRows *p, SetterRowsMark *pMark);
void setterRowsRollback(SetterRows *p, const SetterRowsMark *pMark);

/* Heap bytes held (every allocation, at its requested size). */
size_t setterRowsBytes(const SetterRows *p);

#endif /* SETTER_ROWS_H */
