/*
** lookup.h - input values of a statement -> its distinct lookups.
**
** A lookup is one (bot_integration_id, user_number | session_id): one API
** request, one conversation.  setterLookupsBuild() validates every input
** value (ids are positive integers, a user_number is 1..256 bytes of text
** without control characters), skips NULLs (a NULL matches nothing), takes
** the cross product bots x contacts and keeps the first of lookups with the
** same key, so each conversation is fetched once.
**
**   SetterLookupList list;
**   rc = setterLookupsBuild(&list, zBaseUrl, apBot, nBot, apUser, nUser, 0, &zErr);
**   ... list.a[i].zKey, setterLookupUrl(zBaseUrl, &list.a[i], &zLogUrl) ...
**   setterLookupsClear(&list);     also after an error
*/
#ifndef SETTER_LOOKUP_H
#define SETTER_LOOKUP_H

#include "rows.h"
#include "connection.h"

#define SETTER_USER_NUMBER_MAX_BYTES 256

/* One distinct (bot, user_number | session_id) of a statement. */
typedef struct SetterLookup {
  sqlite3_value *pBot; /* bot_integration_id as given */
  sqlite3_value *pWho; /* user_number or session_id as given */
  int bSession;        /* pWho is a session_id */
  sqlite3_int64 iBot;
  sqlite3_int64 iSession;
  char *zUser;       /* user_number as text (sqlite3_malloc'd) */
  char *zKey;        /* cache key */
  SetterRows *pRows; /* NULL until answered */
} SetterLookup;

typedef struct SetterLookupList {
  SetterLookup *a;
  int n;
} SetterLookupList;

/* Returns SQLITE_OK; SQLITE_ERROR with *pzErr (sqlite3_malloc'd, without
** the table's prefix) naming the bad column and value; or SQLITE_NOMEM. */
int setterLookupsBuild(SetterLookupList *pList, const char *zBaseUrl, sqlite3_value **apBot,
                       int nBot, sqlite3_value **apWho, int nWho, int bSession, char **pzErr);
void setterLookupsClear(SetterLookupList *pList);

/* The request URL of a lookup (sqlite3_malloc'd, user_number
** percent-encoded); *pzLogUrl points at its path and query inside it. */
char *setterLookupUrl(const char *zBaseUrl, const SetterLookup *p, const char **pzLogUrl);

/* "bot_integration_id 123, user_number '1234567890'", for errors. */
char *setterLookupDescribe(const SetterLookup *p);

#endif /* SETTER_LOOKUP_H */
