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

/* Message fields, in the order of the table's message columns. */
enum SetterField {
  SETTER_FIELD_MESSAGE_ID = 0,
  SETTER_FIELD_SENDER_TYPE,
  SETTER_FIELD_CONTENT,
  SETTER_FIELD_CREATED_AT,
  SETTER_FIELD_LATEST_STATUS,
  SETTER_FIELD_FAILURE_REASON,
  SETTER_FIELD_ERROR_CODE,
  SETTER_FIELD_ERROR_TITLE,
  SETTER_FIELD_ERROR_MESSAGE,
  SETTER_FIELD_ERROR_DETAILS,
  SETTER_FIELD_PLATFORM_RESOURCE_ID,
  SETTER_FIELD_RAW_JSON,
  SETTER_FIELD_COUNT
};

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
  size_t nContextBytes;                  /* bytes allocated to zContextStartsAt */
  SetterArenaBlock *pArena;              /* strings */
  size_t nBytes;                         /* every byte held, see the header comment */
  int64_t maxBytes;                      /* bound on nBytes; 0 = none */
  int bTooLarge;                         /* an allocation was refused for maxBytes */
  SetterValue noCell;                    /* what setterRowsAppend returns when nSlot == 0 */
} SetterRows;

/* A new empty result extracting the fields in mask, or NULL (no memory). */
SetterRows *setterRowsNew(unsigned int mask);

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

/* Heap bytes held (every allocation, at its requested size). */
size_t setterRowsBytes(const SetterRows *p);

#endif /* SETTER_ROWS_H */
