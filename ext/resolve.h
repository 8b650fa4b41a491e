/*
** resolve.h - lookups -> rows: the step between lookup.c and the cursor of
** vtab.c.
**
**   char *zErr = NULL;
**   rc = setterResolve(pConn, pScope, &lookups, mask, &zErr);
**   SQLITE_OK         every lookup has its rows (lookups.a[i].pRows)
**   SQLITE_ERROR      zErr says why (sqlite3_malloc'd, without the table's
**                     prefix; NULL if there was no memory to write it)
**   SQLITE_NOMEM, SQLITE_INTERRUPT (sqlite3_interrupt() during the fetch)
**
** It answers each lookup from the statement's cache (pScope), then from the
** connection's cache (with cache_ttl), fetches the rest in parallel
** (fetch.c) and parses each body as it arrives (parse.c).  A statement sees
** all of its lookups or an error, never part of them, except with on_error
** 'row': then a lookup that failed gets rows of its own, one row whose
** zLookupError says why (rows.h), kept in the statement's cache only.  The
** good answers go into the connection's cache (cache_ttl) also when the
** batch fails or is interrupted, so a rerun asks only for what failed (the
** batch then runs every request to its end: fetch.h bKeepGoing).  mask is
** the SETTER_FIELD_BIT()s the statement reads.
*/
#ifndef SETTER_RESOLVE_H
#define SETTER_RESOLVE_H

#include "connection.h"
#include "lookup.h"
#include "scope.h"

int setterResolve(SetterConn *pConn, SetterScope *pScope, SetterLookupList *pLookups,
                  unsigned int mask, char **pzErr);

#endif /* SETTER_RESOLVE_H */
