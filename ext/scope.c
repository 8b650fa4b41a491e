/*
** scope.c - statement scopes for the statement cache (see scope.h).
**
** A scope is keyed by the sorted list of the connection's busy statements
** (sqlite3_next_stmt, sqlite3_stmt_busy) at the time its first cursor
** opened.  The list of scopes is short: one per statement running at once.
** The noted fields are a list of (statement, fields), pruned of finalized
** statements whenever a statement is prepared.
*/
#include "scope.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct SetterScope {
  sqlite3_stmt **apStmt; /* the busy statements, sorted by address */
  int nStmt;
  int nCursor;        /* open cursors in this scope */
  int nSingleFetches; /* xFilters that fetched exactly one lookup (see setterScopeSingleFetch) */
  SetterCache *pCache;
  SetterScope *pNext;
};

struct SetterStatementFields {
  sqlite3_stmt *pStmt;
  unsigned int mask;
  int bPrepared; /* seen with its SQL text: a new prepare at this address is a new statement */
  SetterStatementFields *pNext;
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
  p->nSingleFetches = 0;
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

int setterScopeSingleFetch(SetterScope *pScope) {
  return ++pScope->nSingleFetches;
}

/* Drops the entries of finalized statements; marks prepared ones. */
static void pruneStatementFields(SetterConn *pConn) {
  SetterStatementFields **pp = &pConn->pStatementFields;
  while (*pp) {
    SetterStatementFields *p = *pp;
    sqlite3_stmt *pStmt = NULL;
    while ((pStmt = sqlite3_next_stmt(pConn->db, pStmt)) != NULL && pStmt != p->pStmt) {
    }
    if (pStmt == NULL) {
      *pp = p->pNext;
      sqlite3_free(p);
      continue;
    }
    if (sqlite3_sql(pStmt) != NULL) p->bPrepared = 1;
    pp = &p->pNext;
  }
}

void setterScopeNoteFields(SetterConn *pConn, unsigned int mask) {
  sqlite3_stmt *pPreparing = sqlite3_next_stmt(pConn->db, NULL);
  SetterStatementFields *p;
  if (pPreparing == NULL || sqlite3_sql(pPreparing) != NULL) return; /* see scope.h */
  pruneStatementFields(pConn);
  for (p = pConn->pStatementFields; p && p->pStmt != pPreparing; p = p->pNext) {
  }
  if (p == NULL) {
    p = sqlite3_malloc(sizeof(*p));
    if (p == NULL) return; /* then the statement may fetch twice, never wrongly */
    memset(p, 0, sizeof(*p));
    p->pStmt = pPreparing;
    p->pNext = pConn->pStatementFields;
    pConn->pStatementFields = p;
  } else if (p->bPrepared) {
    p->mask = 0; /* a finalized statement's address, reused */
    p->bPrepared = 0;
  }
  p->mask |= mask;
}

unsigned int setterScopeFields(SetterConn *pConn, const SetterScope *pScope) {
  unsigned int mask = 0;
  const SetterStatementFields *p;
  int i;
  for (p = pConn->pStatementFields; p; p = p->pNext) {
    for (i = 0; i < pScope->nStmt; i++) {
      if (pScope->apStmt[i] == p->pStmt) mask |= p->mask;
    }
  }
  return mask;
}

void setterScopeFreeAll(SetterConn *pConn) {
  while (pConn->pStatementFields) {
    SetterStatementFields *p = pConn->pStatementFields;
    pConn->pStatementFields = p->pNext;
    sqlite3_free(p);
  }
}
