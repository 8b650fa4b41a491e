/*
** vtab.h - registration of the setter_conversations virtual table.
*/
#ifndef SETTER_VTAB_H
#define SETTER_VTAB_H

#include "connection.h"

/* Registers the eponymous setter_conversations table with pConn as its
** state; xDestroy(pConn) runs when the connection closes. */
int setterConversationsRegister(sqlite3 *db, SetterConn *pConn, void (*xDestroy)(void *));

#endif /* SETTER_VTAB_H */
