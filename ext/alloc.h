/*
** alloc.h - the allocator of the extension's own buffers (response bodies,
** rows, caches).
**
**   char *z = setterMalloc(n);  z = setterRealloc(z, n2);  setterFree(z);
**   char *zCopy = setterStrdup(z);   (NULL if out of memory)
**
** Inside the extension these are SQLite's allocator (sqlite3_malloc64 and
** friends, through the routines the loader passed in), so that
** sqlite3_soft_heap_limit64(), SQLITE_CONFIG_MALLOC and an application's
** own allocator see them, and a failing allocation is SQLITE_NOMEM like any
** other.  Files that are SQLite-free by design (json.c, parse.c, rows.c,
** cache.c, timestamp.c, fetch.c, sanitize.c) allocate only through these
** names; the unit tests and the fuzz target build json.c, parse.c, rows.c,
** cache.c and timestamp.c with -DSETTER_STANDALONE, where they are libc's
** malloc and no SQLite is linked at all.
**
** libcurl's own allocations stay with libc: libcurl sets its allocator
** process-wide, which an extension must not change.
*/
#ifndef SETTER_ALLOC_H
#define SETTER_ALLOC_H

#include <stddef.h>
#include <string.h>

#ifdef SETTER_STANDALONE
#include <stdlib.h>
#define setterMalloc(n) malloc(n)
#define setterRealloc(p, n) realloc((p), (n))
#define setterFree(p) free(p)
#else
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3
#define setterMalloc(n) sqlite3_malloc64((sqlite3_uint64)(n))
#define setterRealloc(p, n) sqlite3_realloc64((p), (sqlite3_uint64)(n))
#define setterFree(p) sqlite3_free(p)
#endif

/* n zeroed bytes, or NULL. */
static inline void *setterCalloc(size_t n) {
  void *p = setterMalloc(n);
  if (p) memset(p, 0, n);
  return p;
}

/* A copy of z (which must not be NULL), or NULL. */
static inline char *setterStrdup(const char *z) {
  size_t n = strlen(z) + 1;
  char *zOut = setterMalloc(n);
  if (zOut) memcpy(zOut, z, n);
  return zOut;
}

#endif /* SETTER_ALLOC_H */
