/*
** rows.c - storage for SetterRows: cell array, string arena, reference count.
**
** The arena hands out strings from 64 KiB blocks; a string larger than a
** quarter block gets a block of its own, so a 1.5 MB message content costs
** one allocation and no waste.  Everything is freed at once with the rows.
*/
#include "rows.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK_BYTES 65536

struct SetterArenaBlock {
  SetterArenaBlock *pNext;
  size_t nUsed;
  size_t nAlloc;
  char a[];
};

SetterRows *setterRowsNew(unsigned int mask) {
  SetterRows *p = calloc(1, sizeof(*p));
  int f;
  if (p == NULL) return NULL;
  p->nRef = 1;
  p->mask = mask & SETTER_FIELD_ALL;
  for (f = 0; f < SETTER_FIELD_COUNT; f++) {
    p->aSlot[f] = (p->mask & SETTER_FIELD_BIT(f)) ? (signed char)p->nSlot++ : -1;
  }
  return p;
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
    free(pBlock);
    pBlock = pNext;
  }
  free(p->aCell);
  free(p->zContextStartsAt);
  free(p);
}

SetterValue *setterRowsAppend(SetterRows *p) {
  SetterValue *aRow;
  int i;
  if (p->nRow >= p->nRowAlloc) {
    int64_t nNew = p->nRowAlloc ? p->nRowAlloc * 2 : 16;
    size_t nCellBytes = (size_t)nNew * (size_t)(p->nSlot ? p->nSlot : 1) * sizeof(SetterValue);
    SetterValue *aNew = realloc(p->aCell, nCellBytes);
    if (aNew == NULL) return NULL;
    p->aCell = aNew;
    p->nRowAlloc = nNew;
  }
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
  if (pBlock == NULL || pBlock->nAlloc - pBlock->nUsed < n + 1) {
    size_t nAlloc = n + 1 > ARENA_BLOCK_BYTES / 4 ? n + 1 : ARENA_BLOCK_BYTES;
    SetterArenaBlock *pNew = malloc(sizeof(*pNew) + nAlloc);
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
    p->nArenaBytes += sizeof(*pNew) + nAlloc;
    pBlock = pNew;
  }
  zOut = pBlock->a + pBlock->nUsed;
  pBlock->nUsed += n + 1;
  return zOut;
}

size_t setterRowsBytes(const SetterRows *p) {
  return sizeof(*p) + p->nArenaBytes +
         (size_t)p->nRowAlloc * (size_t)p->nSlot * sizeof(SetterValue);
}
