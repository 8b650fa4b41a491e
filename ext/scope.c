/*
** scope.c - statement ids, the fields each statement reads, and the
** statement caches (see scope.h).
**
** The prepares seen are a ring of the last SCOPE_PREPARES (id, statement
** object, fields); the newest is the one being prepared, if any.  The live
** scopes are a short list: one per statement whose cursors are open.
*/
#include "scope.h"

#include <string.h>

#define SCOPE_PREPARES 1024
#define SCOPE_MAX_ID ((1u << SETTER_SCOPE_ID_BITS) - 1u)

typedef struct SetterPrepare {
  unsigned int id;     /* 0: slot unused */
  sqlite3_stmt *pStmt; /* the statement object being prepared (an address only) */
  unsigned int mask;   /* fields its references read */
} SetterPrepare;

struct SetterStatementFields {
  SetterPrepare a[SCOPE_PREPARES];
  int iNewest; /* slot of the newest prepare */
  unsigned int lastId;
};

struct SetterScope {
  unsigned int id; /* the statement's id; 0: a scope of one cursor */
  int nCursor;     /* cursors in this scope */
  int nSingleFetches;
  SetterCache *pCache;
  SetterScope *pNext;
};

/* The statement the user prepared, if a prepare is under way: the oldest of
** the newest statements that are neither running nor have SQL text yet (a
** trigger's program is prepared in a newer one).  NULL if none. */
static sqlite3_stmt *statementUnderPreparation(sqlite3 *db) {
  sqlite3_stmt *pStmt = NULL, *pFound = NULL;
  while ((pStmt = sqlite3_next_stmt(db, pStmt)) != NULL) {
    if (sqlite3_sql(pStmt) != NULL || sqlite3_stmt_busy(pStmt)) break;
    pFound = pStmt;
  }
  return pFound;
}

unsigned int setterScopeNoteFields(SetterConn *pConn, unsigned int mask) {
  SetterStatementFields *p = pConn->pStatementFields;
  sqlite3_stmt *pStmt = statementUnderPreparation(pConn->db);
  SetterPrepare *pNewest;
  if (pStmt == NULL) return 0;
  if (p == NULL) {
    p = pConn->pStatementFields = sqlite3_malloc(sizeof(*p));
    if (p == NULL) return 0; /* then each cursor has a scope of its own */
    memset(p, 0, sizeof(*p));
  }
  pNewest = &p->a[p->iNewest];
  if (pNewest->id == 0 || pNewest->pStmt != pStmt) {
    /* a new prepare (at an address reused since, the prepares merge: the
    ** first was finalized, so they never run at the same time) */
    p->iNewest = (p->iNewest + 1) % SCOPE_PREPARES;
    pNewest = &p->a[p->iNewest];
    p->lastId = p->lastId % SCOPE_MAX_ID + 1;
    pNewest->id = p->lastId;
    pNewest->pStmt = pStmt;
    pNewest->mask = 0;
  }
  pNewest->mask |= mask;
  return pNewest->id;
}

unsigned int setterScopeFields(SetterConn *pConn, unsigned int id) {
  SetterStatementFields *p = pConn->pStatementFields;
  int i, k;
  if (p == NULL || id == 0) return 0;
  for (k = 0, i = p->iNewest; k < SCOPE_PREPARES;
       k++, i = (i + SCOPE_PREPARES - 1) % SCOPE_PREPARES) {
    if (p->a[i].id == id) return p->a[i].mask;
  }
  return 0;
}

SetterScope *setterScopeAcquire(SetterConn *pConn, unsigned int id) {
  SetterScope *p;
  for (p = pConn->pScopes; id && p; p = p->pNext) {
    if (p->id == id) {
      p->nCursor++;
      return p;
    }
  }
  p = sqlite3_malloc(sizeof(*p));
  if (p == NULL) return NULL;
  memset(p, 0, sizeof(*p));
  p->pCache = setterCacheNew(0);
  if (p->pCache == NULL) {
    sqlite3_free(p);
    return NULL;
  }
  p->id = id;
  p->nCursor = 1;
  p->pNext = pConn->pScopes;
  pConn->pScopes = p;
  return p;
}

void setterScopeRelease(SetterConn *pConn, SetterScope *pScope) {
  SetterScope **pp;
  if (pScope == NULL || --pScope->nCursor > 0) return;
  for (pp = &pConn->pScopes; *pp && *pp != pScope; pp = &(*pp)->pNext) {
  }
  if (*pp) *pp = pScope->pNext;
  setterCacheFree(pScope->pCache);
  sqlite3_free(pScope);
}

int setterScopeHoldAll(SetterConn *pConn, SetterScope ***papHeld, int *pnHeld) {
  SetterScope *p;
  int n = 0;
  *papHeld = NULL;
  *pnHeld = 0;
  for (p = pConn->pScopes; p; p = p->pNext) n++;
  if (n == 0) return SQLITE_OK;
  *papHeld = sqlite3_malloc64((sqlite3_uint64)n * sizeof(SetterScope *));
  if (*papHeld == NULL) return SQLITE_NOMEM;
  for (p = pConn->pScopes; p; p = p->pNext) {
    p->nCursor++;
    (*papHeld)[(*pnHeld)++] = p;
  }
  return SQLITE_OK;
}

void setterScopeReleaseHeld(SetterConn *pConn, SetterScope **apHeld, int nHeld) {
  int i;
  for (i = 0; i < nHeld; i++) setterScopeRelease(pConn, apHeld[i]);
  sqlite3_free(apHeld);
}

unsigned int setterScopeId(const SetterScope *pScope) {
  return pScope->id;
}

SetterCache *setterScopeCache(SetterScope *pScope) {
  return pScope->pCache;
}

int setterScopeSingleFetch(SetterScope *pScope) {
  return ++pScope->nSingleFetches;
}

void setterScopeFreeFields(SetterConn *pConn) {
  sqlite3_free(pConn->pStatementFields);
  pConn->pStatementFields = NULL;
}
