/*
** scope.h - which statement a cursor belongs to: the statement cache, and
** the columns a statement reads.
**
**   in xBestIndex:  id = setterScopeNoteFields(pConn, fields);  -> into idxNum
**   in xOpen:       setterScopeHoldAll(pConn, &apHeld, &nHeld);
**   in xFilter:     pScope = setterScopeAcquire(pConn, id);     (once per cursor)
**                   setterScopeReleaseHeld(pConn, apHeld, nHeld);
**                   ... setterScopeCache(pScope), setterScopeFields(pConn, id) ...
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
** user prepared.  xBestIndex puts the id into each plan's idxNum, so xFilter
** knows exactly which statement its cursor serves, however statements
** interleave (a Python cursor left half read while another runs) and
** after SQLite re-prepares a statement (the new program brings new ids).
**
** A scope is the cache of one statement: the answers its cursors fetched,
** kept while one of its cursors is open (so until the statement ends or is
** reset: the next run asks again).  The fields noted for an id are the
** union over the statement's references, so the first reference to fetch
** extracts what every other one reads.  The last SCOPE_PREPARES ids are
** remembered; an id not found (id 0: no statement under preparation was
** seen, which SQLite has never done; or one evicted by that many newer
** prepares while its statement still runs) gets a scope of its own per
** cursor, and a reference reading more columns than the first may then
** fetch again.
*/
#ifndef SETTER_SCOPE_H
#define SETTER_SCOPE_H

#include "cache.h"
#include "connection.h"

/* Ids fit in SETTER_SCOPE_ID_BITS bits; 0 means unknown. */
#define SETTER_SCOPE_ID_BITS 11

typedef struct SetterScope SetterScope;

/* In xBestIndex: the statement being prepared reads these fields; returns
** its id (0 if no statement under preparation was seen). */
unsigned int setterScopeNoteFields(SetterConn *pConn, unsigned int mask);

/* The fields noted for statement id (0 if unknown). */
unsigned int setterScopeFields(SetterConn *pConn, unsigned int id);

/* The scope of statement id, with one more cursor in it (id 0: a new scope
** of its own); NULL if out of memory. */
SetterScope *setterScopeAcquire(SetterConn *pConn, unsigned int id);

/* One cursor fewer; the scope and its cache go with the last one. */
void setterScopeRelease(SetterConn *pConn, SetterScope *pScope);

/* In xOpen: holds every live scope until the cursor's first xFilter has
** acquired its own (setterScopeReleaseHeld).  SQLite opens the new cursor
** of a correlated subquery's next run before it closes the old one, so its
** statement's scope must not end in between.  *papHeld is NULL when none;
** SQLITE_OK or SQLITE_NOMEM. */
int setterScopeHoldAll(SetterConn *pConn, SetterScope ***papHeld, int *pnHeld);
void setterScopeReleaseHeld(SetterConn *pConn, SetterScope **apHeld, int nHeld);

/* The statement id of a scope. */
unsigned int setterScopeId(const SetterScope *pScope);

SetterCache *setterScopeCache(SetterScope *pScope);

/* Counts an xFilter that fetched one lookup alone (one outer row of a
** join); returns how many the scope has made. */
int setterScopeSingleFetch(SetterScope *pScope);

/* Frees the fields noted per statement (when the connection closes); the
** scopes themselves end with their cursors. */
void setterScopeFreeFields(SetterConn *pConn);

#endif /* SETTER_SCOPE_H */
