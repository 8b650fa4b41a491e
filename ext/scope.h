/*
** scope.h - which statement a cursor belongs to: the statement cache, the
** columns a statement reads, and the lookups it has made.
**
**   in xBestIndex:  id = setterScopeNoteFields(pConn, fields, &bTrigger);
**                   -> id into idxStr, bTrigger into idxNum (vtab.c)
**   in xOpen:       setterScopeHoldAll(pConn, &apHeld, &nHeld);
**   in xFilter:     pScope = setterScopeAcquire(pConn, id, bTrigger);  (once per cursor)
**                   setterScopeReleaseHeld(pConn, apHeld, nHeld);
**                   ... setterScopeCache(pScope), setterScopeMask(pScope) ...
**   in xClose:      setterScopeRelease(pConn, pScope);
**
** One request per lookup per statement: a statement may name the table
** several times (correlated subqueries run again for each outer row,
** self-joins, triggers that read it), each reference reading other columns,
** and all of them must see one answer per lookup, never two versions of a
** conversation.  SQLite tells a virtual table nothing about the statement
** it serves, so the extension gives each statement an id while SQLite
** prepares it: xBestIndex runs only then, and the statement under
** preparation is the newest in sqlite3_next_stmt(), not running and with no
** SQL text yet (sqlite3_sql() is set when the prepare ends).  A trigger's
** program is prepared in a statement object of its own, newer still, so the
** id belongs to the oldest of those consecutive statements: the one the
** user prepared.  xBestIndex puts the id into each plan's idxStr, so
** xFilter knows exactly which statement its cursor serves, however
** statements interleave (a Python cursor left half read while another
** runs) and after SQLite re-prepares a statement (the new program brings
** new ids).
**
** Ids are 64-bit and never reused: a counter that would wrap after 2^64
** prepares.  Consecutive xBestIndex calls belong to one prepare while the
** statement under preparation is the same object, no cursor has opened or
** filtered since (no statement runs while one is prepared), and nothing else
** changed in the connection's list of statements (a fingerprint of the
** other statements' addresses and re-prepare counts).  So a new statement
** allocated at the address of an earlier one gets a new id once the earlier
** one has run, and also when the earlier prepare was SQLite's re-prepare of
** a statement that still runs (its program moves into the user's statement
** object and the re-prepare count shows it).
**
** A scope is the cache of one statement: the answers its cursors fetched,
** kept while one of its cursors is open (so until the statement ends or is
** reset: the next run asks again).  The fields to extract are the union
** over the statement's references, taken when the scope starts, so the
** first reference to fetch extracts what every other one reads; the last
** SCOPE_PREPARES prepares are remembered for this, and a scope whose
** prepare was forgotten extracts every field (it never fetches again).
**
** Triggers: each run of a trigger program closes its cursors, so a
** statement that reads the table only from triggers has no cursor open
** between two runs.  A scope that served a trigger is therefore kept
** (parked) when its last cursor closes, with a snapshot of the statements
** that are running then and their SQLITE_STMTSTATUS_VM_STEP counts, and a
** later cursor of the same statement takes it back while that snapshot
** still holds: every trigger run of one statement happens within one
** sqlite3_step() (a DML statement makes all its changes in its first
** step), during which no running statement's count moves, while the next
** run of the statement is a later step, after the count has grown.  A
** parked scope whose snapshot no longer holds is freed at the next
** acquire, or when the connection closes.
**
** The lookups a scope has made are counted, so that max_lookups bounds a
** statement, not one xFilter call.
*/
#ifndef SETTER_SCOPE_H
#define SETTER_SCOPE_H

#include "cache.h"
#include "connection.h"

typedef struct SetterScope SetterScope;

/* In xBestIndex: the statement being prepared reads these fields; returns
** its id (0 if no statement under preparation was seen) and sets *pbTrigger
** when this reference is in a trigger program of that statement. */
sqlite3_uint64 setterScopeNoteFields(SetterConn *pConn, unsigned int mask, int *pbTrigger);

/* The scope of statement id, with one more cursor in it (id 0: a new scope
** of its own); bTrigger: the cursor is in a trigger program.  NULL if out of
** memory. */
SetterScope *setterScopeAcquire(SetterConn *pConn, sqlite3_uint64 id, int bTrigger);

/* One cursor fewer; the scope and its cache go with the last one (or are
** parked, for a scope that served a trigger). */
void setterScopeRelease(SetterConn *pConn, SetterScope *pScope);

/* In xOpen: holds every live scope until the cursor's first xFilter has
** acquired its own (setterScopeReleaseHeld).  SQLite opens the new cursor
** of a correlated subquery's next run before it closes the old one, so its
** statement's scope must not end in between.  *papHeld is NULL when none;
** SQLITE_OK or SQLITE_NOMEM. */
int setterScopeHoldAll(SetterConn *pConn, SetterScope ***papHeld, int *pnHeld);
void setterScopeReleaseHeld(SetterConn *pConn, SetterScope **apHeld, int nHeld);

/* The statement id of a scope. */
sqlite3_uint64 setterScopeId(const SetterScope *pScope);

/* The fields every reference of the scope's statement reads. */
unsigned int setterScopeMask(const SetterScope *pScope);

SetterCache *setterScopeCache(SetterScope *pScope);

/* The distinct lookups the statement has made (answered by a fetch or by
** the cross-statement cache); setterScopeAddLookups counts n more. */
sqlite3_int64 setterScopeLookups(const SetterScope *pScope);
void setterScopeAddLookups(SetterScope *pScope, sqlite3_int64 n);

/* Counts an xFilter that fetched one lookup alone (one outer row of a
** join); returns how many the scope has made. */
int setterScopeSingleFetch(SetterScope *pScope);

/* Frees what the connection keeps for scopes (when it closes): the
** remembered prepares and the parked scopes. */
void setterScopeFreeFields(SetterConn *pConn);

#endif /* SETTER_SCOPE_H */
