/*
** requests.h - the connection's request log and the setter_requests table.
**
**   SELECT * FROM setter_requests;     -- the last 1,000 requests, oldest first
**
** Columns: id, started_at, method, url (path and query only), status,
** attempt, elapsed_ms, bytes, cached (1 when served from a cache without a
** request), messages (in the answer; NULL when it failed), error (control
** characters removed), bot_integration_id, user_number (percent-decoded:
** as the query gave it) and session_id of the lookup.  The API key is never
** recorded: it travels only in a header, and headers are not logged; where
** it appears in a url or user_number (a user_number that contains it) or an
** error it is recorded as "****".
*/
#ifndef SETTER_REQUESTS_H
#define SETTER_REQUESTS_H

#include "connection.h"
#include "fetch.h"

#define SETTER_REQUEST_LOG_SIZE 1000

/* pzKey: the connection's API key slot, read at each record (NULL: none). */
SetterRequestLog *setterRequestLogNew(int nCapacity, char *const *pzKey);
void setterRequestLogFree(SetterRequestLog *pLog);

/* Records one attempt; fits SetterFetchSettings.xAttempt (pCtx = the log). */
void setterRequestLogAttempt(void *pLog, const SetterAttempt *pAttempt);

/* Records a lookup answered from a cache, with its number of messages. */
void setterRequestLogCached(SetterRequestLog *pLog, const char *zLogUrl, int64_t nMessages);

/* The answer logged last for zLogUrl had nMessages messages. */
void setterRequestLogMessages(SetterRequestLog *pLog, const char *zLogUrl, int64_t nMessages);

/* Registers the eponymous setter_requests table (holds a reference). */
int setterRequestsRegister(sqlite3 *db, SetterConn *pConn);

#endif /* SETTER_REQUESTS_H */
