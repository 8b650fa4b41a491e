/*
** connection.c - the lifetime of a connection's state (SetterConn): see
** connection.h.
*/
#include "connection.h"

#include <string.h>

SetterConn *setterConnNew(sqlite3 *db, void (*xFreeParts)(SetterConn *)) {
  SetterConn *pConn = sqlite3_malloc(sizeof(*pConn));
  if (pConn == NULL) return NULL;
  memset(pConn, 0, sizeof(*pConn));
  pConn->db = db;
  pConn->nRef = 1;
  pConn->xFreeParts = xFreeParts;
  return pConn;
}

void setterConnRef(SetterConn *pConn) {
  pConn->nRef++;
}

/* Registrations are made and dropped under the connection's mutex, so the
** count needs no lock of its own. */
void setterConnUnref(void *pArg) {
  SetterConn *pConn = pArg;
  if (pConn == NULL || --pConn->nRef > 0) return;
  if (pConn->xFreeParts) pConn->xFreeParts(pConn);
  sqlite3_free(pConn);
}
