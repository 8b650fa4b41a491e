/*
** scope.c - statement ids, the fields each statement reads, and the
** statement caches (see scope.h).
**
** The prepares seen are a ring of the last SCOPE_PREPARES (id, statement
** object, fingerprint of the other statements, fields); the newest is the
** one being prepared, if any.  The scopes are a short list: one per
** statement whose cursors are open, and the parked scopes of statements
** whose triggers may run again within the same step.
*/
#include "scope.h"

#include <string.h>

#define SCOPE_PREPARES 1024

typedef struct SetterPrepare {
  sqlite3_uint64 id;         /* 0: slot unused */
  sqlite3_stmt *pStmt;       /* the statement object being prepared (an address only) */
  sqlite3_uint64 otherStmts; /* fingerprint of the other statements then */
  unsigned int mask;         /* fields its references read */
} SetterPrepare;

struct SetterStatementFields {
  SetterPrepare a[SCOPE_PREPARES];
  int iNewest;   /* slot of the newest prepare */
  int bRanSince; /* a cursor opened or filtered since: that prepare has ended */
  sqlite3_uint64 lastId;
};

/* A running statement and its VM step count, as seen when a scope parked. */
typedef struct RunningStatement {
  sqlite3_stmt *pStmt; /* an address only */
  int nStep;           /* SQLITE_STMTSTATUS_VM_STEP */
} RunningStatement;

struct SetterScope {
  sqlite3_uint64 id; /* the statement's id; 0: a scope of one cursor */
  int nCursor;       /* cursors in this scope; 0: parked */
  int bTrigger;      /* a cursor of a trigger program used it: park at the end */
  unsigned int mask; /* fields its statement reads */
  int nSingleFetches;
  sqlite3_int64 nLookups;
  SetterCache *pCache;
  RunningStatement *aRunning; /* parked: the statements running then */
  int nRunning;
  SetterScope *pNext;
};

/* A 64-bit mix (splitmix64's finaliser). */
static sqlite3_uint64 mix64(sqlite3_uint64 x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/* The statement the user prepared, if a prepare is under way: the oldest of
** the newest statements that are neither running nor have SQL text yet (a
** trigger's program is prepared in a newer one).  NULL if none.  *pbNested:
** newer ones exist (a trigger program is being prepared); *pOthers: a
** fingerprint of the older statements and their re-prepare counts, which
** no prepare changes while it runs. */
static sqlite3_stmt *statementUnderPreparation(sqlite3 *db, int *pbNested,
                                               sqlite3_uint64 *pOthers) {
  sqlite3_stmt *pStmt = NULL, *pFound = NULL;
  sqlite3_uint64 h = 0;
  int nFound = 0;
  while ((pStmt = sqlite3_next_stmt(db, pStmt)) != NULL) {
    if (sqlite3_sql(pStmt) != NULL || sqlite3_stmt_busy(pStmt)) break;
    pFound = pStmt;
    nFound++;
  }
  for (; pStmt; pStmt = sqlite3_next_stmt(db, pStmt)) {
    sqlite3_uint64 rep = (sqlite3_uint64)sqlite3_stmt_status(pStmt, SQLITE_STMTSTATUS_REPREPARE, 0);
    h += mix64((sqlite3_uint64)(uintptr_t)pStmt ^ mix64(rep + 1));
  }
  *pbNested = nFound > 1;
  *pOthers = h;
  return pFound;
}

sqlite3_uint64 setterScopeNoteFields(SetterConn *pConn, unsigned int mask, int *pbTrigger) {
  SetterStatementFields *p = pConn->pStatementFields;
  sqlite3_uint64 others;
  sqlite3_stmt *pStmt = statementUnderPreparation(pConn->db, pbTrigger, &others);
  SetterPrepare *pNewest;
  if (pStmt == NULL) return 0;
  if (p == NULL) {
    p = pConn->pStatementFields = sqlite3_malloc(sizeof(*p));
    if (p == NULL) return 0; /* then each cursor has a scope of its own */
    memset(p, 0, sizeof(*p));
  }
  pNewest = &p->a[p->iNewest];
  if (pNewest->id == 0 || pNewest->pStmt != pStmt || pNewest->otherStmts != others ||
      p->bRanSince) {
    /* a new prepare (one at the address of a finalized one that never ran,
    ** with the other statements unchanged, merges with it: harmless, the
    ** first has no cursor and never will) */
    p->bRanSince = 0;
    p->iNewest = (p->iNewest + 1) % SCOPE_PREPARES;
    pNewest = &p->a[p->iNewest];
    pNewest->id = ++p->lastId;
    pNewest->pStmt = pStmt;
    pNewest->otherStmts = others;
    pNewest->mask = 0;
  }
  pNewest->mask |= mask;
  return pNewest->id;
}

/* The fields noted for statement id; every field if it was forgotten. */
static unsigned int fieldsOf(SetterConn *pConn, sqlite3_uint64 id) {
  SetterStatementFields *p = pConn->pStatementFields;
  int i, k;
  if (p == NULL || id == 0) return SETTER_FIELD_ALL;
  for (k = 0, i = p->iNewest; k < SCOPE_PREPARES;
       k++, i = (i + SCOPE_PREPARES - 1) % SCOPE_PREPARES) {
    if (p->a[i].id == id) return p->a[i].mask;
  }
  return SETTER_FIELD_ALL;
}

/* The running statements and their step counts (sqlite3_malloc'd); SQLITE_OK
** or SQLITE_NOMEM. */
static int snapshotRunning(sqlite3 *db, RunningStatement **paOut, int *pnOut) {
  sqlite3_stmt *pStmt = NULL;
  int n = 0;
  *paOut = NULL;
  *pnOut = 0;
  while ((pStmt = sqlite3_next_stmt(db, pStmt)) != NULL) n += sqlite3_stmt_busy(pStmt) != 0;
  if (n == 0) return SQLITE_OK;
  *paOut = sqlite3_malloc64((sqlite3_uint64)n * sizeof(RunningStatement));
  if (*paOut == NULL) return SQLITE_NOMEM;
  while ((pStmt = sqlite3_next_stmt(db, pStmt)) != NULL && *pnOut < n) {
    if (!sqlite3_stmt_busy(pStmt)) continue;
    (*paOut)[*pnOut].pStmt = pStmt;
    (*paOut)[*pnOut].nStep = sqlite3_stmt_status(pStmt, SQLITE_STMTSTATUS_VM_STEP, 0);
    (*pnOut)++;
  }
  return SQLITE_OK;
}

/* True while every statement that ran when pScope parked still runs, in
** the same step (its VM step count unchanged). */
static int stillInSameStep(sqlite3 *db, const SetterScope *pScope) {
  int i;
  if (pScope->nRunning == 0) return 0;
  for (i = 0; i < pScope->nRunning; i++) {
    sqlite3_stmt *pStmt = NULL;
    while ((pStmt = sqlite3_next_stmt(db, pStmt)) != NULL && pStmt != pScope->aRunning[i].pStmt) {
    }
    if (pStmt == NULL || !sqlite3_stmt_busy(pStmt) ||
        sqlite3_stmt_status(pStmt, SQLITE_STMTSTATUS_VM_STEP, 0) != pScope->aRunning[i].nStep) {
      return 0;
    }
  }
  return 1;
}

static void freeScope(SetterConn *pConn, SetterScope *pScope) {
  SetterScope **pp;
  for (pp = &pConn->pScopes; *pp && *pp != pScope; pp = &(*pp)->pNext) {
  }
  if (*pp) *pp = pScope->pNext;
  setterCacheFree(pScope->pCache);
  sqlite3_free(pScope->aRunning);
  sqlite3_free(pScope);
}

/* Frees the parked scopes whose step is over (all of them if bAll). */
static void freeParked(SetterConn *pConn, int bAll) {
  SetterScope *p = pConn->pScopes, *pNext;
  for (; p; p = pNext) {
    pNext = p->pNext;
    if (p->nCursor == 0 && (bAll || !stillInSameStep(pConn->db, p))) freeScope(pConn, p);
  }
}

/* A cursor runs: no prepare is under way, the last one has ended. */
static void noteRun(SetterConn *pConn) {
  if (pConn->pStatementFields) pConn->pStatementFields->bRanSince = 1;
}

SetterScope *setterScopeAcquire(SetterConn *pConn, sqlite3_uint64 id, int bTrigger) {
  SetterScope *p;
  noteRun(pConn);
  freeParked(pConn, 0);
  for (p = pConn->pScopes; id && p; p = p->pNext) {
    if (p->id == id) {
      if (p->nCursor == 0) { /* parked, and its step still runs */
        sqlite3_free(p->aRunning);
        p->aRunning = NULL;
        p->nRunning = 0;
      }
      p->nCursor++;
      p->bTrigger |= bTrigger;
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
  p->bTrigger = bTrigger;
  p->mask = fieldsOf(pConn, id);
  p->pNext = pConn->pScopes;
  pConn->pScopes = p;
  return p;
}

void setterScopeRelease(SetterConn *pConn, SetterScope *pScope) {
  if (pScope == NULL || --pScope->nCursor > 0) return;
  if (pScope->bTrigger && pScope->id != 0 &&
      snapshotRunning(pConn->db, &pScope->aRunning, &pScope->nRunning) == SQLITE_OK &&
      pScope->nRunning > 0) {
    return; /* parked: another run of a trigger in this step takes it back */
  }
  freeScope(pConn, pScope);
}

int setterScopeHoldAll(SetterConn *pConn, SetterScope ***papHeld, int *pnHeld) {
  SetterScope *p;
  int n = 0;
  noteRun(pConn);
  *papHeld = NULL;
  *pnHeld = 0;
  for (p = pConn->pScopes; p; p = p->pNext) n += p->nCursor > 0;
  if (n == 0) return SQLITE_OK;
  *papHeld = sqlite3_malloc64((sqlite3_uint64)n * sizeof(SetterScope *));
  if (*papHeld == NULL) return SQLITE_NOMEM;
  for (p = pConn->pScopes; p; p = p->pNext) {
    if (p->nCursor == 0) continue;
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

sqlite3_uint64 setterScopeId(const SetterScope *pScope) {
  return pScope->id;
}

unsigned int setterScopeMask(const SetterScope *pScope) {
  return pScope->mask;
}

SetterCache *setterScopeCache(SetterScope *pScope) {
  return pScope->pCache;
}

sqlite3_int64 setterScopeLookups(const SetterScope *pScope) {
  return pScope->nLookups;
}

void setterScopeAddLookups(SetterScope *pScope, sqlite3_int64 n) {
  pScope->nLookups += n;
}

int setterScopeSingleFetch(SetterScope *pScope) {
  return ++pScope->nSingleFetches;
}

void setterScopeFreeFields(SetterConn *pConn) {
  freeParked(pConn, 1);
  sqlite3_free(pConn->pStatementFields);
  pConn->pStatementFields = NULL;
}
