/*
** scope.c - statement scopes for the statement cache (see scope.h).
**
** A scope is keyed by the sorted list of the connection's busy statements
** (sqlite3_next_stmt, sqlite3_stmt_busy) at the time its first cursor
** opened.  The list of scopes is short: one per statement running at once.
*/
#include "scope.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct SetterScope {
  sqlite3_stmt **apStmt; /* the busy statements, sorted by address */
  int nStmt;
  int nCursor; /* open cursors in this scope */
  SetterCache *pCache;
  SetterScope *pNext;
};

static int compareAddresses(const void *a, const void *b) {
  uintptr_t x = (uintptr_t) * (sqlite3_stmt *const *)a, y = (uintptr_t) * (sqlite3_stmt *const *)b;
  return x < y ? -1 : x > y;
}

/* The busy statements of db, sorted; *pn gets their number. */
static sqlite3_stmt **busyStatements(sqlite3 *db, int *pn) {
  sqlite3_stmt *pStmt = NULL, **a = NULL;
  int n = 0, nAlloc = 0;
  while ((pStmt = sqlite3_next_stmt(db, pStmt)) != NULL) {
    if (!sqlite3_stmt_busy(pStmt)) continue;
    if (n == nAlloc) {
      sqlite3_stmt **aNew;
      nAlloc = nAlloc ? nAlloc * 2 : 4;
      aNew = sqlite3_realloc64(a, (sqlite3_uint64)nAlloc * sizeof(*a));
      if (aNew == NULL) {
        sqlite3_free(a);
        return NULL;
      }
      a = aNew;
    }
    a[n++] = pStmt;
  }
  if (a == NULL) a = sqlite3_malloc(sizeof(*a)); /* none busy: an empty, non-NULL list */
  if (a) qsort(a, (size_t)n, sizeof(*a), compareAddresses);
  *pn = n;
  return a;
}

SetterScope *setterScopeOpen(SetterConn *pConn) {
  int nStmt = 0;
  sqlite3_stmt **apStmt = busyStatements(pConn->db, &nStmt);
  SetterScope *p;
  if (apStmt == NULL) return NULL;
  for (p = pConn->pScopes; p; p = p->pNext) {
    if (p->nStmt == nStmt && memcmp(p->apStmt, apStmt, (size_t)nStmt * sizeof(*apStmt)) == 0) {
      sqlite3_free(apStmt);
      p->nCursor++;
      return p;
    }
  }
  p = sqlite3_malloc(sizeof(*p));
  if (p == NULL || (p->pCache = setterCacheNew(0)) == NULL) {
    sqlite3_free(p);
    sqlite3_free(apStmt);
    return NULL;
  }
  p->apStmt = apStmt;
  p->nStmt = nStmt;
  p->nCursor = 1;
  p->pNext = pConn->pScopes;
  pConn->pScopes = p;
  return p;
}

void setterScopeClose(SetterConn *pConn, SetterScope *pScope) {
  SetterScope **pp;
  if (pScope == NULL || --pScope->nCursor > 0) return;
  for (pp = &pConn->pScopes; *pp && *pp != pScope; pp = &(*pp)->pNext) {
  }
  if (*pp) *pp = pScope->pNext;
  setterCacheFree(pScope->pCache);
  sqlite3_free(pScope->apStmt);
  sqlite3_free(pScope);
}

SetterCache *setterScopeCache(SetterScope *pScope) {
  return pScope->pCache;
}
