/*
** rows.c - storage for SetterRows: cell array, string arena, reference count,
** byte count and bound.
**
** The arena hands out strings from 64 KiB blocks; a string larger than a
** quarter block gets a block of its own, so a 1.5 MB message content costs
** one allocation and no waste.  Everything is freed at once with the rows.
**
** Every allocation adds its requested size to nBytes and is checked against
** maxBytes *before* it is made (rowsReserve), so a bounded SetterRows never
** holds more than maxBytes: when doubling the cell array would pass the
** bound, the array grows to what still fits, and only when not one more row
** fits does the append fail.  All memory comes from ext/alloc.h.
*/
#include "rows.h"

#include <stdint.h>
#include <string.h>

#include "alloc.h"

#define ARENA_BLOCK_BYTES 65536

struct SetterArenaBlock {
  SetterArenaBlock *pNext;
  size_t nUsed;
  size_t nAlloc;
  char a[];
};

SetterRows *setterRowsNew(unsigned int mask) {
  SetterRows *p = setterCalloc(sizeof(*p));
  int f;
  if (p == NULL) return NULL;
  p->nRef = 1;
  p->mask = mask & SETTER_FIELD_ALL;
  for (f = 0; f < SETTER_FIELD_COUNT; f++) {
    p->aSlot[f] = (p->mask & SETTER_FIELD_BIT(f)) ? (signed char)p->nSlot++ : -1;
  }
  p->nBytes = sizeof(*p);
  return p;
}

SetterRows *setterRowsNewError(const char *zErr) {
  size_t n = strlen(zErr);
  SetterRows *p = setterRowsNew(0);
  if (p == NULL) return NULL;
  p->zLookupError = setterMalloc(n + 1);
  if (p->zLookupError == NULL) {
    setterRowsUnref(p);
    return NULL;
  }
  memcpy(p->zLookupError, zErr, n + 1);
  p->nBytes += n + 1;
  p->mask = SETTER_FIELD_ALL; /* serves any query: no field has a cell (aSlot -1) */
  p->nRow = 1;
  return p;
}

void setterRowsLimit(SetterRows *p, int64_t maxBytes) {
  p->maxBytes = maxBytes > 0 ? maxBytes : 0;
}

/* True if n more bytes fit the bound (setting bTooLarge when not). */
static int rowsFits(SetterRows *p, size_t n) {
  if (p->maxBytes == 0) return 1;
  if (n <= (uint64_t)p->maxBytes && p->nBytes <= (uint64_t)p->maxBytes - n) return 1;
  p->bTooLarge = 1;
  return 0;
}

void setterRowsRef(SetterRows *p) {
  if (p) p->nRef++;
}

void setterRowsUnref(SetterRows *p) {
  SetterArenaBlock *pBlock;
  if (p == NULL || --p->nRef > 0) return;
  pBlock = p->pArena;
  while (pBlock) {
    SetterArenaBlock *pNext = pBlock->pNext;
    setterFree(pBlock);
    pBlock = pNext;
  }
  setterFree(p->aCell);
  setterFree(p->zContextStartsAt);
  setterFree(p->zLookupError);
  setterFree(p);
}

/* Grow aCell to hold more rows: double, or less when only less fits. */
static int rowsGrow(SetterRows *p) {
  size_t nRowBytes = (size_t)p->nSlot * sizeof(SetterValue);
  size_t nOld = (size_t)p->nRowAlloc * nRowBytes;
  size_t nNewRows = p->nRowAlloc ? (size_t)p->nRowAlloc * 2 : 16;
  SetterValue *aNew;
  if (p->maxBytes > 0) {
    /* rows that fit: what the bound leaves, plus what aCell holds now */
    uint64_t nRoom = (uint64_t)p->maxBytes > p->nBytes ? (uint64_t)p->maxBytes - p->nBytes : 0;
    uint64_t nFit = (nRoom + nOld) / nRowBytes;
    if (nFit < nNewRows) nNewRows = (size_t)nFit;
    if (nNewRows <= (size_t)p->nRowAlloc) {
      p->bTooLarge = 1;
      return 0;
    }
  }
  if (nNewRows > SIZE_MAX / nRowBytes) return 0;
  aNew = setterRealloc(p->aCell, nNewRows * nRowBytes);
  if (aNew == NULL) return 0;
  p->aCell = aNew;
  p->nBytes += nNewRows * nRowBytes - nOld;
  p->nRowAlloc = (int64_t)nNewRows;
  return 1;
}

SetterValue *setterRowsAppend(SetterRows *p) {
  SetterValue *aRow;
  int i;
  if (p->nSlot == 0) {
    /* no cells to keep (count(*)): the row is only counted */
    p->nRow++;
    return &p->noCell;
  }
  if (p->nRow >= p->nRowAlloc && !rowsGrow(p)) return NULL;
  aRow = p->aCell + p->nRow * p->nSlot;
  for (i = 0; i < p->nSlot; i++) {
    aRow[i].type = SETTER_NULL;
    aRow[i].n = 0;
    aRow[i].u.i = 0;
  }
  p->nRow++;
  return aRow;
}

const SetterValue *setterRowsCell(const SetterRows *p, int64_t iRow, int f) {
  int iSlot;
  if (f < 0 || f >= SETTER_FIELD_COUNT || iRow < 0 || iRow >= p->nRow) return NULL;
  iSlot = p->aSlot[f];
  if (iSlot < 0) return NULL;
  return &p->aCell[iRow * p->nSlot + iSlot];
}

char *setterRowsAlloc(SetterRows *p, size_t n) {
  SetterArenaBlock *pBlock = p->pArena;
  char *zOut;
  if (n >= SIZE_MAX - sizeof(*pBlock) - ARENA_BLOCK_BYTES) return NULL;
  if (pBlock == NULL || pBlock->nAlloc - pBlock->nUsed < n + 1) {
    size_t nAlloc = n + 1 > ARENA_BLOCK_BYTES / 4 ? n + 1 : ARENA_BLOCK_BYTES;
    SetterArenaBlock *pNew;
    if (!rowsFits(p, sizeof(*pNew) + nAlloc)) {
      /* near the bound: a block of exactly this string may still fit */
      if (nAlloc == n + 1) return NULL;
      p->bTooLarge = 0;
      nAlloc = n + 1;
      if (!rowsFits(p, sizeof(*pNew) + nAlloc)) return NULL;
    }
    pNew = setterMalloc(sizeof(*pNew) + nAlloc);
    if (pNew == NULL) return NULL;
    pNew->nUsed = 0;
    pNew->nAlloc = nAlloc;
    if (pBlock && nAlloc != ARENA_BLOCK_BYTES) {
      /* A dedicated block for a big string: keep filling the current one. */
      pNew->pNext = pBlock->pNext;
      pBlock->pNext = pNew;
    } else {
      pNew->pNext = pBlock;
      p->pArena = pNew;
    }
    p->nBytes += sizeof(*pNew) + nAlloc;
    pBlock = pNew;
  }
  zOut = pBlock->a + pBlock->nUsed;
  pBlock->nUsed += n + 1;
  return zOut;
}

void setterRowsFreeContext(SetterRows *p) {
  setterFree(p->zContextStartsAt);
  p->zContextStartsAt = NULL;
  p->nContextStartsAt = 0;
  p->nBytes -= p->nContextBytes;
  p->nContextBytes = 0;
}

char *setterRowsAllocContext(SetterRows *p, size_t n) {
  setterRowsFreeContext(p);
  if (n == SIZE_MAX || !rowsFits(p, n + 1)) return NULL;
  p->zContextStartsAt = setterMalloc(n + 1);
  if (p->zContextStartsAt == NULL) return NULL;
  p->zContextStartsAt[0] = 0;
  p->nContextBytes = n + 1;
  p->nBytes += n + 1;
  return p->zContextStartsAt;
}

void setterRowsMark(const SetterRows *p, SetterRowsMark *pMark) {
  pMark->nRow = p->nRow;
  pMark->pHead = p->pArena;
  pMark->pNext = p->pArena ? p->pArena->pNext : NULL;
  pMark->nUsed = p->pArena ? p->pArena->nUsed : 0;
  pMark->bTooLarge = p->bTooLarge;
}

/* Frees the blocks from pBlock up to (not including) pStop; returns the
** bytes they counted in nBytes. */
static size_t freeBlocks(SetterArenaBlock *pBlock, const SetterArenaBlock *pStop) {
  size_t n = 0;
  while (pBlock != pStop) {
    SetterArenaBlock *pNext = pBlock->pNext;
    n += sizeof(*pBlock) + pBlock->nAlloc;
    setterFree(pBlock);
    pBlock = pNext;
  }
  return n;
}

/*
** New blocks go first (a new current block) or right after the current
** block (a string's own block), so the blocks added since the mark are the
** ones before the marked head and those between it and its marked next.
** The cell array may have grown since: it keeps its size, and its bytes
** stay counted, as the rows that will follow need it anyway.
*/
void setterRowsRollback(SetterRows *p, const SetterRowsMark *pMark) {
  size_t nFreed = freeBlocks(p->pArena, pMark->pHead);
  p->pArena = pMark->pHead;
  if (pMark->pHead) {
    nFreed += freeBlocks(pMark->pHead->pNext, pMark->pNext);
    pMark->pHead->pNext = pMark->pNext;
    pMark->pHead->nUsed = pMark->nUsed;
  }
  p->nBytes -= nFreed; /* what stays counted beyond the mark: the cell array's growth */
  p->nRow = pMark->nRow;
  p->bTooLarge = pMark->bTooLarge;
}

size_t setterRowsBytes(const SetterRows *p) {
  return p->nBytes;
}
