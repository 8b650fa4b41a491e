/*
** listtable.h - what the extension's small read-only tables over connection
** state (setter_requests, setter_settings) have in common: a table that
** knows its connection, a cursor that is a position, and the methods that
** do not depend on the rows.
**
**   static int myConnect(sqlite3 *db, void *pAux, int argc, const char *const *argv,
**                        sqlite3_vtab **ppVtab, char **pzErr) {
**     return setterListConnect(db, pAux, "CREATE TABLE x(...)", ppVtab);
**   }
**   module slots: setterListDisconnect, setterListOpen, setterListClose,
**                 setterListRowid (the rowid is the position)
**   in xFilter / xNext / xEof / xColumn:
**     ((SetterListCursor *)pCursor)->i, ->iLast, setterListConn(pCursor)
**
** Both tables are SQLITE_VTAB_DIRECTONLY: a view or trigger in a database
** file never reads the settings or the contacts looked up.
*/
#ifndef SETTER_LISTTABLE_H
#define SETTER_LISTTABLE_H

#include "connection.h"

typedef struct SetterListVtab {
  sqlite3_vtab base;
  SetterConn *pConn;
} SetterListVtab;

typedef struct SetterListCursor {
  sqlite3_vtab_cursor base;
  sqlite3_int64 i;     /* current position, also the rowid */
  sqlite3_int64 iLast; /* last position, as xFilter sets it */
} SetterListCursor;

/* xConnect's work: DIRECTONLY, declare zSchema, a table that knows pConn. */
int setterListConnect(sqlite3 *db, void *pConn, const char *zSchema, sqlite3_vtab **ppVtab);
int setterListDisconnect(sqlite3_vtab *pVtab);
int setterListOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCursor);
int setterListClose(sqlite3_vtab_cursor *pCursor);
int setterListRowid(sqlite3_vtab_cursor *pCursor, sqlite3_int64 *pRowid);

/* The connection state of a cursor's table. */
SetterConn *setterListConn(sqlite3_vtab_cursor *pCursor);

#endif /* SETTER_LISTTABLE_H */
