/*
** unit_cache.c - unit tests of ext/cache.c (SetterCache): get/put, the mask
** superset rule, expiry, replacement, LRU eviction under the byte bound,
** clear, and the reference counting of the SetterRows it holds; and that
** setterRowsBytes counts every byte a SetterRows keeps (cells as allocated,
** arena, contextStartsAt), so the bound holds for any shape of answer.
**
**   make build/tests/unit_cache && build/tests/unit_cache
**   valgrind --leak-check=full --error-exitcode=99 build/tests/unit_cache
**
** Reference counting is checked twice: by nRef directly, and by reading a
** rows object after the cache dropped it (valgrind or ASan would report a
** use after free) and by the leak check at exit (nothing may stay alive).
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "rows.h"
#include "unit.h"

#define MASK_ID SETTER_FIELD_BIT(SETTER_FIELD_MESSAGE_ID)
#define MASK_CONTENT SETTER_FIELD_BIT(SETTER_FIELD_CONTENT)
#define MASK_ID_CONTENT (MASK_ID | MASK_CONTENT)

/* Rows with the fields in mask and one row: message_id = id, and content =
** nContent bytes of 'c' when content is in the mask. */
static SetterRows *makeRows(unsigned int mask, int64_t id, size_t nContent) {
  SetterRows *p = setterRowsNew(mask);
  SetterValue *aRow;
  if (p == NULL || (aRow = setterRowsAppend(p)) == NULL) abort();
  if (p->aSlot[SETTER_FIELD_MESSAGE_ID] >= 0) {
    aRow[p->aSlot[SETTER_FIELD_MESSAGE_ID]].type = SETTER_INTEGER;
    aRow[p->aSlot[SETTER_FIELD_MESSAGE_ID]].u.i = id;
  }
  if (p->aSlot[SETTER_FIELD_CONTENT] >= 0) {
    SetterValue *c = &aRow[p->aSlot[SETTER_FIELD_CONTENT]];
    char *z = setterRowsAlloc(p, nContent);
    if (z == NULL) abort();
    memset(z, 'c', nContent);
    z[nContent] = 0;
    c->type = SETTER_TEXT;
    c->u.z = z;
    c->n = (uint32_t)nContent;
  }
  return p;
}

static int64_t idOf(const SetterRows *p) {
  const SetterValue *c = p ? setterRowsCell(p, 0, SETTER_FIELD_MESSAGE_ID) : NULL;
  return c && c->type == SETTER_INTEGER ? c->u.i : -1;
}

/* Get, check the id, drop the reference the get added. */
#define CHECK_HIT(pCache, zKey, mask, now, id) \
  do { \
    SetterRows *h_ = setterCacheGet((pCache), (zKey), (mask), (now)); \
    if (CHECK(h_ != NULL)) CHECK_EQ_INT(idOf(h_), (id)); \
    setterRowsUnref(h_); \
  } while (0)

#define CHECK_MISS(pCache, zKey, mask, now) \
  do { \
    SetterRows *h_ = setterCacheGet((pCache), (zKey), (mask), (now)); \
    if (!CHECK(h_ == NULL)) printf("  (key %s: found id %lld)\n", (zKey), (long long)idOf(h_)); \
    setterRowsUnref(h_); \
  } while (0)

TEST(get_on_an_empty_cache_misses) {
  SetterCache *c = setterCacheNew(0);
  REQUIRE(c != NULL);
  CHECK_EQ_INT(setterCacheCount(c), 0);
  CHECK_MISS(c, "http://x 1 u:a", 0, 0);
  CHECK_MISS(c, "", 0, 0);
  setterCacheFree(c);
  setterCacheFree(NULL);
}

TEST(put_then_get_returns_the_same_rows_with_a_reference) {
  SetterCache *c = setterCacheNew(0);
  SetterRows *p = makeRows(MASK_ID_CONTENT, 789, 10), *h;
  REQUIRE(c != NULL);
  CHECK_EQ_INT(setterCachePut(c, "http://x 123 u:1234567890", p, 0), 0);
  CHECK_EQ_INT(p->nRef, 2); /* caller + cache */
  CHECK_EQ_INT(setterCacheCount(c), 1);
  h = setterCacheGet(c, "http://x 123 u:1234567890", MASK_ID_CONTENT, 1000);
  CHECK(h == p);
  CHECK_EQ_INT(p->nRef, 3); /* + the get */
  setterRowsUnref(h);
  CHECK_EQ_INT(p->nRef, 2);
  /* other keys, including prefixes and near misses, do not match */
  CHECK_MISS(c, "http://x 123 u:123456789", MASK_ID, 0);
  CHECK_MISS(c, "http://x 123 u:12345678901", MASK_ID, 0);
  CHECK_MISS(c, "http://x 123 s:1234567890", MASK_ID, 0);
  CHECK_MISS(c, "http://y 123 u:1234567890", MASK_ID, 0);
  CHECK_EQ_INT(setterCacheCount(c), 1);
  setterRowsUnref(p);
  setterCacheFree(c);
}

TEST(mask_superset_rule_fewer_fields_do_not_serve_more) {
  SetterCache *c = setterCacheNew(0);
  SetterRows *pId = makeRows(MASK_ID, 1, 0);
  SetterRows *pAll = makeRows(SETTER_FIELD_ALL, 2, 5);
  REQUIRE(c != NULL);
  setterCachePut(c, "k-id", pId, 0);
  setterCachePut(c, "k-all", pAll, 0);
  /* an entry with fewer fields does not serve a lookup needing more */
  CHECK_MISS(c, "k-id", MASK_ID_CONTENT, 0);
  CHECK_MISS(c, "k-id", MASK_CONTENT, 0);
  CHECK_MISS(c, "k-id", SETTER_FIELD_ALL, 0);
  /* and a miss for the mask does not drop the entry */
  CHECK_EQ_INT(setterCacheCount(c), 2);
  /* exact and subset masks are served */
  CHECK_HIT(c, "k-id", MASK_ID, 0, 1);
  CHECK_HIT(c, "k-id", 0, 0, 1); /* count(*) needs no field */
  CHECK_HIT(c, "k-all", MASK_ID, 0, 2);
  CHECK_HIT(c, "k-all", MASK_ID_CONTENT, 0, 2);
  CHECK_HIT(c, "k-all", SETTER_FIELD_ALL, 0, 2);
  setterRowsUnref(pId);
  setterRowsUnref(pAll);
  setterCacheFree(c);
}

TEST(expiry_at_or_after_expires_ms_misses_and_drops_the_entry) {
  SetterCache *c = setterCacheNew(0);
  SetterRows *p = makeRows(MASK_ID, 7, 0);
  REQUIRE(c != NULL);
  setterCachePut(c, "k", p, 5000);
  setterCachePut(c, "forever", p, 0);
  CHECK_EQ_INT(p->nRef, 3);
  CHECK_HIT(c, "k", MASK_ID, 0, 7);
  CHECK_HIT(c, "k", MASK_ID, 4999, 7);
  CHECK_EQ_INT(setterCacheCount(c), 2);
  CHECK_MISS(c, "k", MASK_ID, 5000); /* expiresMs <= now: expired */
  CHECK_EQ_INT(setterCacheCount(c), 1); /* dropped */
  CHECK_EQ_INT(p->nRef, 2);             /* and its reference released */
  CHECK_MISS(c, "k", MASK_ID, 0);       /* gone, even for an earlier clock */
  /* expiresMs 0 never expires */
  CHECK_HIT(c, "forever", MASK_ID, INT64_MAX, 7);
  setterRowsUnref(p);
  setterCacheFree(c);
}

TEST(expired_entry_is_dropped_even_when_the_mask_would_not_match) {
  SetterCache *c = setterCacheNew(0);
  SetterRows *p = makeRows(MASK_ID, 7, 0);
  REQUIRE(c != NULL);
  setterCachePut(c, "k", p, 100);
  CHECK_MISS(c, "k", SETTER_FIELD_ALL, 200);
  CHECK_EQ_INT(setterCacheCount(c), 0);
  CHECK_EQ_INT(p->nRef, 1);
  setterRowsUnref(p);
  setterCacheFree(c);
}

TEST(put_replaces_the_entry_of_the_same_key) {
  SetterCache *c = setterCacheNew(0);
  SetterRows *pOld = makeRows(SETTER_FIELD_ALL, 1, 3);
  SetterRows *pNew = makeRows(MASK_ID, 2, 0);
  REQUIRE(c != NULL);
  setterCachePut(c, "k", pOld, 1000);
  CHECK_EQ_INT(pOld->nRef, 2);
  CHECK_EQ_INT(setterCachePut(c, "k", pNew, 0), 0);
  CHECK_EQ_INT(setterCacheCount(c), 1);
  CHECK_EQ_INT(pOld->nRef, 1); /* the cache let go of the old rows */
  CHECK_EQ_INT(pNew->nRef, 2);
  CHECK_HIT(c, "k", MASK_ID, 999999, 2); /* new expiry (never) applies */
  /* the replacement has fewer fields: it no longer serves content */
  CHECK_MISS(c, "k", MASK_CONTENT, 0);
  /* putting the same rows again under the same key keeps them alive */
  CHECK_EQ_INT(setterCachePut(c, "k", pNew, 0), 0);
  CHECK_EQ_INT(pNew->nRef, 2);
  CHECK_HIT(c, "k", MASK_ID, 0, 2);
  setterRowsUnref(pOld);
  setterRowsUnref(pNew);
  setterCacheFree(c);
}

TEST(put_without_the_callers_reference_keeps_rows_alive_until_dropped) {
  SetterCache *c = setterCacheNew(0);
  SetterRows *p = makeRows(MASK_ID_CONTENT, 42, 100), *h;
  REQUIRE(c != NULL);
  setterCachePut(c, "k", p, 0);
  setterRowsUnref(p); /* only the cache holds it now */
  h = setterCacheGet(c, "k", MASK_ID_CONTENT, 0);
  REQUIRE(h != NULL);
  CHECK_EQ_INT(idOf(h), 42);
  CHECK_EQ_INT(h->nRef, 2);
  setterRowsUnref(h);
  setterCacheFree(c); /* frees it: checked by the leak check */
}

/* Entry bytes as the cache counts them, without its private entry struct. */
static size_t rowsBytes(size_t nContent) {
  SetterRows *p = makeRows(MASK_ID_CONTENT, 0, nContent);
  size_t n = setterRowsBytes(p);
  setterRowsUnref(p);
  return n;
}

TEST(lru_eviction_past_max_bytes_drops_the_oldest_first) {
  /* Each entry is one dedicated ~20 kB arena block; 1000 bytes of slack per
  ** entry cover the key and the cache's own entry struct. */
  size_t b = rowsBytes(20000);
  SetterCache *c = setterCacheNew((int64_t)(3 * b + 3000));
  SetterRows *ap[5];
  int i;
  REQUIRE(c != NULL);
  CHECK(b > 20000 && b < 22000);
  for (i = 0; i < 5; i++) ap[i] = makeRows(MASK_ID_CONTENT, i, 20000);
  setterCachePut(c, "k0", ap[0], 0);
  setterCachePut(c, "k1", ap[1], 0);
  setterCachePut(c, "k2", ap[2], 0);
  CHECK_EQ_INT(setterCacheCount(c), 3);
  setterCachePut(c, "k3", ap[3], 0); /* over the bound: k0, the oldest, goes */
  CHECK_EQ_INT(setterCacheCount(c), 3);
  CHECK_MISS(c, "k0", MASK_ID, 0);
  CHECK_EQ_INT(ap[0]->nRef, 1);
  CHECK_HIT(c, "k1", MASK_ID, 0, 1);
  CHECK_HIT(c, "k2", MASK_ID, 0, 2);
  CHECK_HIT(c, "k3", MASK_ID, 0, 3);
  for (i = 0; i < 5; i++) setterRowsUnref(ap[i]);
  setterCacheFree(c);
}

TEST(lru_eviction_spares_a_recently_read_entry) {
  size_t b = rowsBytes(20000);
  SetterCache *c = setterCacheNew((int64_t)(3 * b + 3000));
  SetterRows *ap[5];
  int i;
  REQUIRE(c != NULL);
  for (i = 0; i < 5; i++) ap[i] = makeRows(MASK_ID_CONTENT, i, 20000);
  setterCachePut(c, "k0", ap[0], 0);
  setterCachePut(c, "k1", ap[1], 0);
  setterCachePut(c, "k2", ap[2], 0);
  CHECK_HIT(c, "k0", MASK_ID, 0, 0); /* k0 is now the most recent */
  setterCachePut(c, "k3", ap[3], 0); /* so k1 goes */
  CHECK_MISS(c, "k1", MASK_ID, 0);
  CHECK_HIT(c, "k0", MASK_ID, 0, 0);
  CHECK_HIT(c, "k2", MASK_ID, 0, 2); /* order now: k3 (oldest), k0, k2 */
  setterCachePut(c, "k4", ap[4], 0); /* so k3 goes */
  CHECK_MISS(c, "k3", MASK_ID, 0);
  CHECK_HIT(c, "k0", MASK_ID, 0, 0);
  CHECK_HIT(c, "k2", MASK_ID, 0, 2);
  CHECK_HIT(c, "k4", MASK_ID, 0, 4);
  CHECK_EQ_INT(setterCacheCount(c), 3);
  /* a get whose mask does not match does not count as a use */
  setterCachePut(c, "k1", ap[1], 0);  /* order: k0, k2, k4, k1 -> k0 goes */
  CHECK_MISS(c, "k0", MASK_ID, 0);
  for (i = 0; i < 5; i++) setterRowsUnref(ap[i]);
  setterCacheFree(c);
}

TEST(lru_one_big_entry_evicts_several_small_ones) {
  size_t bSmall = rowsBytes(20000);
  SetterCache *c = setterCacheNew((int64_t)(4 * bSmall + 4000));
  SetterRows *apSmall[4], *pBig = makeRows(MASK_ID_CONTENT, 99, 50000);
  int i;
  char zKey[16];
  REQUIRE(c != NULL);
  for (i = 0; i < 4; i++) {
    apSmall[i] = makeRows(MASK_ID_CONTENT, i, 20000);
    snprintf(zKey, sizeof zKey, "s%d", i);
    setterCachePut(c, zKey, apSmall[i], 0);
  }
  CHECK_EQ_INT(setterCacheCount(c), 4);
  /* 2.5 small ones' worth: over the bound until s0, s1 and s2 are gone */
  setterCachePut(c, "big", pBig, 0);
  CHECK_HIT(c, "big", MASK_ID, 0, 99);
  CHECK_MISS(c, "s0", MASK_ID, 0);
  CHECK_MISS(c, "s1", MASK_ID, 0);
  CHECK_MISS(c, "s2", MASK_ID, 0);
  CHECK_HIT(c, "s3", MASK_ID, 0, 3);
  CHECK_EQ_INT(setterCacheCount(c), 2);
  for (i = 0; i < 4; i++) setterRowsUnref(apSmall[i]);
  setterRowsUnref(pBig);
  setterCacheFree(c);
}

TEST(an_entry_larger_than_max_bytes_is_not_stored) {
  SetterCache *c = setterCacheNew(1000);
  SetterRows *pBig = makeRows(MASK_ID_CONTENT, 1, 5000);
  REQUIRE(c != NULL);
  CHECK_EQ_INT(setterCachePut(c, "big", pBig, 0), 0); /* not an error */
  CHECK_EQ_INT(setterCacheCount(c), 0);
  CHECK_EQ_INT(pBig->nRef, 1);
  CHECK_MISS(c, "big", MASK_ID, 0);
  setterRowsUnref(pBig);
  setterCacheFree(c);
}

TEST(a_too_large_replacement_drops_the_older_entry_of_its_key) {
  SetterCache *c = setterCacheNew(1000);
  SetterRows *pOld = makeRows(MASK_ID, 1, 0);
  SetterRows *pBig = makeRows(MASK_ID_CONTENT, 1, 5000);
  REQUIRE(c != NULL);
  CHECK_EQ_INT(setterCachePut(c, "k", pOld, 0), 0);
  CHECK_EQ_INT(setterCachePut(c, "k", pBig, 0), 0);
  CHECK_EQ_INT(setterCacheCount(c), 0);   /* the old rows are not served any more */
  CHECK_MISS(c, "k", MASK_ID, 0);
  CHECK_EQ_INT(pOld->nRef, 1);
  setterRowsUnref(pOld);
  setterRowsUnref(pBig);
  setterCacheFree(c);
}

TEST(unbounded_cache_keeps_everything_and_grows_its_table) {
  SetterCache *c = setterCacheNew(0);
  SetterRows *p = makeRows(MASK_ID, 5, 0);
  char zKey[64];
  int i, nBad = 0;
  REQUIRE(c != NULL);
  for (i = 0; i < 5000; i++) {
    snprintf(zKey, sizeof zKey, "https://chat.trysetter.com 777 u:+1555%07d", i);
    if (setterCachePut(c, zKey, p, 0) != 0) nBad++;
  }
  CHECK_EQ_INT(nBad, 0);
  CHECK_EQ_INT(setterCacheCount(c), 5000);
  CHECK_EQ_INT(p->nRef, 5001);
  for (i = 0; i < 5000; i++) {
    SetterRows *h;
    snprintf(zKey, sizeof zKey, "https://chat.trysetter.com 777 u:+1555%07d", i);
    h = setterCacheGet(c, zKey, MASK_ID, 0);
    if (h != p) nBad++;
    setterRowsUnref(h);
  }
  CHECK_EQ_INT(nBad, 0);
  CHECK_MISS(c, "https://chat.trysetter.com 777 u:+15555000", MASK_ID, 0);
  CHECK_EQ_INT(setterCacheClear(c), 5000);
  CHECK_EQ_INT(p->nRef, 1);
  setterRowsUnref(p);
  setterCacheFree(c);
}

TEST(clear_returns_the_count_and_empties_the_cache) {
  SetterCache *c = setterCacheNew(0);
  SetterRows *p = makeRows(MASK_ID, 1, 0);
  REQUIRE(c != NULL);
  CHECK_EQ_INT(setterCacheClear(c), 0);
  setterCachePut(c, "a", p, 0);
  setterCachePut(c, "b", p, 0);
  setterCachePut(c, "c", p, 123);
  CHECK_EQ_INT(setterCacheClear(c), 3);
  CHECK_EQ_INT(setterCacheCount(c), 0);
  CHECK_EQ_INT(p->nRef, 1);
  CHECK_MISS(c, "a", MASK_ID, 0);
  CHECK_EQ_INT(setterCacheClear(c), 0);
  /* usable again after a clear */
  setterCachePut(c, "a", p, 0);
  CHECK_HIT(c, "a", MASK_ID, 0, 1);
  CHECK_EQ_INT(setterCacheCount(c), 1);
  setterRowsUnref(p);
  setterCacheFree(c);
}

TEST(rows_stay_valid_for_a_holder_after_the_cache_dropped_them) {
  SetterCache *c = setterCacheNew(0);
  SetterRows *h1, *h2, *h3;
  const SetterValue *v;
  size_t k, nBad = 0;
  REQUIRE(c != NULL);
  {
    SetterRows *p = makeRows(MASK_ID_CONTENT, 11, 30000);
    setterCachePut(c, "expiring", p, 100);
    setterCachePut(c, "replaced", p, 0);
    setterCachePut(c, "cleared", p, 0);
    setterRowsUnref(p); /* only the cache holds it */
  }
  h1 = setterCacheGet(c, "expiring", MASK_ID, 0);
  h2 = setterCacheGet(c, "replaced", MASK_ID, 0);
  h3 = setterCacheGet(c, "cleared", MASK_ID, 0);
  REQUIRE(h1 != NULL && h1 == h2 && h2 == h3);
  CHECK_EQ_INT(h1->nRef, 6);
  /* the cache drops its three references in three ways */
  CHECK_MISS(c, "expiring", MASK_ID, 100);
  {
    SetterRows *pOther = makeRows(MASK_ID, 12, 0);
    setterCachePut(c, "replaced", pOther, 0);
    setterRowsUnref(pOther);
  }
  setterCacheClear(c);
  CHECK_EQ_INT(h1->nRef, 3);
  /* the holders' references still work: every byte readable */
  v = setterRowsCell(h1, 0, SETTER_FIELD_CONTENT);
  REQUIRE(v != NULL && v->type == SETTER_TEXT);
  CHECK_EQ_INT(v->n, 30000);
  for (k = 0; k < v->n; k++) nBad += v->u.z[k] != 'c';
  CHECK_EQ_INT(nBad, 0);
  CHECK_EQ_INT(idOf(h2), 11);
  setterRowsUnref(h1);
  setterRowsUnref(h2);
  CHECK_EQ_INT(idOf(h3), 11);
  setterRowsUnref(h3); /* the last one frees: checked by the leak check */
  setterCacheFree(c);
}

TEST(free_releases_every_reference) {
  SetterCache *c = setterCacheNew(0);
  SetterRows *p = makeRows(MASK_ID, 1, 0);
  REQUIRE(c != NULL);
  setterCachePut(c, "a", p, 0);
  setterCachePut(c, "b", p, 50);
  CHECK_EQ_INT(p->nRef, 3);
  setterCacheFree(c);
  CHECK_EQ_INT(p->nRef, 1);
  setterRowsUnref(p);
}

/* ------------------------------------------------ every byte an entry keeps */

/* A result with no messages whose metadata.contextStartsAt is n bytes. */
static SetterRows *makeContextRows(size_t n) {
  SetterRows *p = setterRowsNew(MASK_ID_CONTENT);
  char *z = p ? setterRowsAllocContext(p, n) : NULL;
  if (z == NULL) abort();
  memset(z, 'c', n);
  z[n] = 0;
  return p;
}

TEST(rows_bytes_count_the_context_string) {
  SetterRows *p = makeContextRows(1 << 20);
  CHECK(setterRowsBytes(p) >= (1u << 20) + 1 + sizeof(SetterRows));
  setterRowsUnref(p);
}

TEST(rows_bytes_count_the_cell_array_and_arena_as_allocated) {
  SetterRows *p = setterRowsNew(MASK_ID_CONTENT);
  int i;
  REQUIRE(p != NULL);
  for (i = 0; i < 1000; i++) {
    SetterValue *aRow = setterRowsAppend(p);
    char *z = setterRowsAlloc(p, 100);
    REQUIRE(aRow != NULL && z != NULL);
  }
  /* at least the cells of every row and the 101 bytes of every string */
  CHECK(setterRowsBytes(p) >= sizeof(SetterRows) + 1000 * 2 * sizeof(SetterValue) + 1000 * 101);
  setterRowsUnref(p);
}

/* The 64 MiB connection cache held 879 MB: 40 answers with no messages and a
** 20 MiB contextStartsAt each, counted as a few hundred bytes.  Scaled down:
** a 1 MiB bound and five 300,000-byte contexts leave at most 3 entries. */
TEST(cache_bound_holds_for_entries_whose_bytes_are_their_context_string) {
  SetterCache *c = setterCacheNew(1 << 20);
  int i;
  char zKey[16];
  REQUIRE(c != NULL);
  for (i = 0; i < 5; i++) {
    SetterRows *p = makeContextRows(300000);
    snprintf(zKey, sizeof zKey, "ctx%d", i);
    CHECK_EQ_INT(setterCachePut(c, zKey, p, 0), 0);
    setterRowsUnref(p);
  }
  CHECK_EQ_INT(setterCacheCount(c), 3);
  CHECK_MISS(c, "ctx0", MASK_ID, 0);
  CHECK_MISS(c, "ctx1", MASK_ID, 0);
  CHECK_HIT(c, "ctx4", MASK_ID, 0, -1);
  setterCacheFree(c);
}

int main(void) {
  RUN(get_on_an_empty_cache_misses);
  RUN(put_then_get_returns_the_same_rows_with_a_reference);
  RUN(mask_superset_rule_fewer_fields_do_not_serve_more);
  RUN(expiry_at_or_after_expires_ms_misses_and_drops_the_entry);
  RUN(expired_entry_is_dropped_even_when_the_mask_would_not_match);
  RUN(put_replaces_the_entry_of_the_same_key);
  RUN(put_without_the_callers_reference_keeps_rows_alive_until_dropped);
  RUN(lru_eviction_past_max_bytes_drops_the_oldest_first);
  RUN(lru_eviction_spares_a_recently_read_entry);
  RUN(lru_one_big_entry_evicts_several_small_ones);
  RUN(an_entry_larger_than_max_bytes_is_not_stored);
  RUN(a_too_large_replacement_drops_the_older_entry_of_its_key);
  RUN(unbounded_cache_keeps_everything_and_grows_its_table);
  RUN(clear_returns_the_count_and_empties_the_cache);
  RUN(rows_stay_valid_for_a_holder_after_the_cache_dropped_them);
  RUN(free_releases_every_reference);
  RUN(rows_bytes_count_the_context_string);
  RUN(rows_bytes_count_the_cell_array_and_arena_as_allocated);
  RUN(cache_bound_holds_for_entries_whose_bytes_are_their_context_string);
  return unitReport();
}
