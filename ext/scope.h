/*
** scope.h - the statement cache: answers shared by the cursors of one
** running statement.
**
**   SetterScope *pScope = setterScopeOpen(pConn);      in xOpen
**   ... setterScopeCache(pScope) ...                   in xFilter
**   setterScopeClose(pConn, pScope);                   in xClose
**
** SQLite opens a new cursor for each run of a correlated subquery, and a
** statement may name the table twice, so this cache cannot live in one
** cursor.  Nor can it simply live in the connection: a statement left half
** read (say, a Python cursor not read to the end) would then hand its old
** answers to later statements.  A cursor cannot ask which statement it
** belongs to, but it can see which statements of the connection are running
** when it opens.  Cursors that open while the same set of statements runs
** share a scope and its cache; a scope ends with its last cursor.
**
** The fields a statement reads.  A statement may name the table several
** times (subqueries, self-joins), each reference reading other columns, and
** the first reference to run fetches for all of them: one request per
** lookup per statement, so one statement never sees two versions of a
** conversation.  xBestIndex reports each reference's columns while the
** statement is being prepared (setterScopeNoteFields); xFilter asks for the
** union over the statement (setterScopeFields).  This relies on SQLite
** listing a statement under preparation first in sqlite3_next_stmt(), with
** no SQL text yet (true of every version since 3.6); where that does not
** hold nothing is noted, and a reference reading more columns than the
** first one fetches again, as a separate statement would.
*/
#ifndef SETTER_SCOPE_H
#define SETTER_SCOPE_H

#include "cache.h"
#include "connection.h"

typedef struct SetterScope SetterScope;

/* The scope of a cursor opening now (one more cursor in it); NULL if out of
** memory. */
SetterScope *setterScopeOpen(SetterConn *pConn);

/* One cursor fewer; the scope and its cache go with the last one. */
void setterScopeClose(SetterConn *pConn, SetterScope *pScope);

SetterCache *setterScopeCache(SetterScope *pScope);

/* Counts an xFilter that fetched one lookup alone (one outer row of a
** join); returns how many the scope has made. */
int setterScopeSingleFetch(SetterScope *pScope);

/* In xBestIndex: the statement being prepared reads these fields. */
void setterScopeNoteFields(SetterConn *pConn, unsigned int mask);

/* The fields read by the statements of the scope (0 if none noted). */
unsigned int setterScopeFields(SetterConn *pConn, const SetterScope *pScope);

/* Frees what the connection keeps for scopes (when it closes). */
void setterScopeFreeAll(SetterConn *pConn);

#endif /* SETTER_SCOPE_H */
