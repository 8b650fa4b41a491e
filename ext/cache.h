/*
** cache.h - lookup key -> SetterRows, with optional expiry and memory bound.
**
** Two uses:
**   - per statement: each statement scope owns one (scope.c; no expiry, no
**     bound), so every reference of a statement to the same lookup, and a
**     join that meets the same contact twice, fetches it once;
**   - per connection: with cache_ttl > 0, results are kept for that many
**     seconds across statements, at most maxBytes in all (least recently
**     used entries go first).  setter_config('cache', 'clear') empties it.
**
** The key is the lookup's request URL (lookup.c), which holds base_url,
** the bot and the contact.
** An entry serves a lookup only if it extracted every field the lookup needs
** (its mask is a superset).
*/
#ifndef SETTER_CACHE_H
#define SETTER_CACHE_H

#include <stdint.h>

#include "rows.h"

typedef struct SetterCache SetterCache;

/* maxBytes 0 = unbounded. NULL if no memory. */
SetterCache *setterCacheNew(int64_t maxBytes);
void setterCacheFree(SetterCache *pCache);

/* The rows for zKey with at least the fields in mask and not expired at
** nowMs, with a reference added for the caller; else NULL. */
SetterRows *setterCacheGet(SetterCache *pCache, const char *zKey, unsigned int mask, int64_t nowMs);

/* Stores pRows (adding a reference) under zKey, replacing an older entry.
** expiresMs 0 = never.  Returns 0, or 1 if out of memory (nothing stored). */
int setterCachePut(SetterCache *pCache, const char *zKey, SetterRows *pRows, int64_t expiresMs);

/* Drops every entry; returns how many there were. */
int setterCacheClear(SetterCache *pCache);
int setterCacheCount(const SetterCache *pCache);

#endif /* SETTER_CACHE_H */
