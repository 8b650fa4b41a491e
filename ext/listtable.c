/*
** listtable.c - the shared methods of setter_requests and setter_settings
** (see listtable.h).
*/
#include "listtable.h"

#include <string.h>

int setterListConnect(sqlite3 *db, void *pConn, const char *zSchema, sqlite3_vtab **ppVtab) {
  SetterListVtab *pVtab;
  int rc = sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  if (rc == SQLITE_OK) rc = sqlite3_declare_vtab(db, zSchema);
  if (rc != SQLITE_OK) return rc;
  pVtab = sqlite3_malloc(sizeof(*pVtab));
  if (pVtab == NULL) return SQLITE_NOMEM;
  memset(pVtab, 0, sizeof(*pVtab));
  pVtab->pConn = pConn;
  *ppVtab = &pVtab->base;
  return SQLITE_OK;
}

int setterListDisconnect(sqlite3_vtab *pVtab) {
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

int setterListOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCursor) {
  SetterListCursor *pCur = sqlite3_malloc(sizeof(*pCur));
  (void)pVtab;
  if (pCur == NULL) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  *ppCursor = &pCur->base;
  return SQLITE_OK;
}

int setterListClose(sqlite3_vtab_cursor *pCursor) {
  sqlite3_free(pCursor);
  return SQLITE_OK;
}

int setterListRowid(sqlite3_vtab_cursor *pCursor, sqlite3_int64 *pRowid) {
  *pRowid = ((SetterListCursor *)pCursor)->i;
  return SQLITE_OK;
}

SetterConn *setterListConn(sqlite3_vtab_cursor *pCursor) {
  return ((SetterListVtab *)pCursor->pVtab)->pConn;
}
