/*
** vtab.h - registration of the setter_conversations virtual table.
*/
#ifndef SETTER_VTAB_H
#define SETTER_VTAB_H

#include "connection.h"

/* Registers the eponymous setter_conversations table with pConn as its
** state (holds a reference). */
int setterConversationsRegister(sqlite3 *db, SetterConn *pConn);

#endif /* SETTER_VTAB_H */
