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

#endif /* SETTER_SCOPE_H */
