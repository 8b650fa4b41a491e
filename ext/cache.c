/*
** cache.c - a small hash map with an LRU list (see cache.h).
**
** Chained hash table of power-of-two size, grown at load factor 1; a doubly
** linked list in recency order for eviction when the byte bound is passed.
** An entry counts every byte it keeps: setterRowsBytes() of its rows (struct,
** cells, arena, contextStartsAt), its key with the terminator, and the entry
** itself.  Memory comes from ext/alloc.h: no SQLite dependency.
*/
#include "cache.h"

#include <string.h>

#include "alloc.h"

typedef struct CacheEntry CacheEntry;
struct CacheEntry {
  char *zKey;
  unsigned int hash;
  SetterRows *pRows;
  int64_t expiresMs; /* 0 = never */
  size_t nBytes;
  CacheEntry *pNextInBucket;
  CacheEntry *pNewer, *pOlder; /* recency list */
};

struct SetterCache {
  CacheEntry **apBucket;
  unsigned int nBucket;
  int nEntry;
  size_t nBytes;
  int64_t maxBytes;
  CacheEntry *pNewest, *pOldest;
};

static unsigned int hashKey(const char *z) {
  unsigned int h = 2166136261u; /* FNV-1a */
  for (; *z; z++) h = (h ^ (unsigned char)*z) * 16777619u;
  return h;
}

SetterCache *setterCacheNew(int64_t maxBytes) {
  SetterCache *p = setterCalloc(sizeof(*p));
  if (p == NULL) return NULL;
  p->nBucket = 64;
  p->apBucket = setterCalloc(p->nBucket * sizeof(CacheEntry *));
  if (p->apBucket == NULL) {
    setterFree(p);
    return NULL;
  }
  p->maxBytes = maxBytes;
  return p;
}

static void unlinkRecency(SetterCache *p, CacheEntry *e) {
  if (e->pNewer)
    e->pNewer->pOlder = e->pOlder;
  else
    p->pNewest = e->pOlder;
  if (e->pOlder)
    e->pOlder->pNewer = e->pNewer;
  else
    p->pOldest = e->pNewer;
  e->pNewer = e->pOlder = NULL;
}

static void linkNewest(SetterCache *p, CacheEntry *e) {
  e->pOlder = p->pNewest;
  e->pNewer = NULL;
  if (p->pNewest) p->pNewest->pNewer = e;
  p->pNewest = e;
  if (p->pOldest == NULL) p->pOldest = e;
}

static void removeEntry(SetterCache *p, CacheEntry *e) {
  CacheEntry **pp = &p->apBucket[e->hash & (p->nBucket - 1)];
  while (*pp != e) pp = &(*pp)->pNextInBucket;
  *pp = e->pNextInBucket;
  unlinkRecency(p, e);
  p->nEntry--;
  p->nBytes -= e->nBytes;
  setterRowsUnref(e->pRows);
  setterFree(e->zKey);
  setterFree(e);
}

static CacheEntry *findEntry(SetterCache *p, const char *zKey, unsigned int hash) {
  CacheEntry *e = p->apBucket[hash & (p->nBucket - 1)];
  while (e && (e->hash != hash || strcmp(e->zKey, zKey) != 0)) e = e->pNextInBucket;
  return e;
}

SetterRows *setterCacheGet(SetterCache *p, const char *zKey, unsigned int mask, int64_t nowMs) {
  unsigned int hash = hashKey(zKey);
  CacheEntry *e = findEntry(p, zKey, hash);
  if (e == NULL) return NULL;
  if (e->expiresMs && e->expiresMs <= nowMs) {
    removeEntry(p, e);
    return NULL;
  }
  if ((e->pRows->mask & mask) != mask) return NULL;
  unlinkRecency(p, e);
  linkNewest(p, e);
  setterRowsRef(e->pRows);
  return e->pRows;
}

static void growIfFull(SetterCache *p) {
  unsigned int nNew = p->nBucket * 2, i;
  CacheEntry **apNew;
  if ((unsigned int)p->nEntry < p->nBucket) return;
  apNew = setterCalloc(nNew * sizeof(CacheEntry *));
  if (apNew == NULL) return; /* longer chains, still correct */
  for (i = 0; i < p->nBucket; i++) {
    CacheEntry *e = p->apBucket[i];
    while (e) {
      CacheEntry *pNext = e->pNextInBucket;
      e->pNextInBucket = apNew[e->hash & (nNew - 1)];
      apNew[e->hash & (nNew - 1)] = e;
      e = pNext;
    }
  }
  setterFree(p->apBucket);
  p->apBucket = apNew;
  p->nBucket = nNew;
}

int setterCachePut(SetterCache *p, const char *zKey, SetterRows *pRows, int64_t expiresMs) {
  unsigned int hash = hashKey(zKey);
  CacheEntry *e = findEntry(p, zKey, hash);
  size_t nBytes = setterRowsBytes(pRows) + strlen(zKey) + 1 + sizeof(CacheEntry);
  if (e) removeEntry(p, e);
  if (p->maxBytes > 0 && (int64_t)nBytes > p->maxBytes) return 0; /* never fits */
  e = setterCalloc(sizeof(*e));
  if (e == NULL) return 1;
  e->zKey = setterStrdup(zKey);
  if (e->zKey == NULL) {
    setterFree(e);
    return 1;
  }
  growIfFull(p);
  e->hash = hash;
  e->pRows = pRows;
  setterRowsRef(pRows);
  e->expiresMs = expiresMs;
  e->nBytes = nBytes;
  e->pNextInBucket = p->apBucket[hash & (p->nBucket - 1)];
  p->apBucket[hash & (p->nBucket - 1)] = e;
  linkNewest(p, e);
  p->nEntry++;
  p->nBytes += nBytes;
  while (p->maxBytes > 0 && (int64_t)p->nBytes > p->maxBytes && p->pOldest != e) {
    removeEntry(p, p->pOldest);
  }
  return 0;
}

int setterCacheClear(SetterCache *p) {
  int n = p->nEntry;
  while (p->pOldest) removeEntry(p, p->pOldest);
  return n;
}

int setterCacheCount(const SetterCache *p) {
  return p->nEntry;
}

void setterCacheFree(SetterCache *p) {
  if (p == NULL) return;
  setterCacheClear(p);
  setterFree(p->apBucket);
  setterFree(p);
}
