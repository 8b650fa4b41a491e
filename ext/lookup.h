/*
** lookup.h - input values of a statement -> its distinct lookups.
**
** A lookup is one (bot_integration_id, user_number | session_id): one API
** request, one conversation.  Building the lookups of an xFilter is two
** steps, so that their number is known (and bounded by max_lookups) before
** anything is allocated per lookup:
**
**   SetterInputs bots, users;
**   rc = setterInputsRead(&bots, apBot, nBot, SETTER_INPUT_BOT, &zErr);
**   rc = setterInputsRead(&users, apUser, nUser, SETTER_INPUT_USER, &zErr);
**   n = (sqlite3_uint64)bots.n * users.n;          distinct lookups
**   ... check n against max_lookups, check the API key ...
**   rc = setterLookupsBuild(&list, zBaseUrl, &bots, &users);
**   ... list.a[i].zUrl (also the cache key), list.a[i].zUrl + list.a[i].iPath ...
**   setterLookupsClear(&list); setterInputsClear(&bots); setterInputsClear(&users);
**
** setterInputsRead() validates every value (ids are positive integers, a
** user_number is 1..256 bytes of text without control characters), skips
** values that match nothing (NULL, '' and text of only spaces) and keeps the
** first of values that name the same id or number (123, '123' and 123.0 are
** one bot), so bots x contacts are exactly the distinct lookups.
**
** The request URL is built here and nowhere else; it is also the cache key
** (it holds base_url, the bot and the contact).
*/
#ifndef SETTER_LOOKUP_H
#define SETTER_LOOKUP_H

#include "connection.h"
#include "rows.h"

#define SETTER_USER_NUMBER_MAX_BYTES 256

enum SetterInputKind { SETTER_INPUT_BOT, SETTER_INPUT_USER, SETTER_INPUT_SESSION };

/* One distinct input value. */
typedef struct SetterInput {
  sqlite3_value *pValue; /* as given (a copy), read back by the hidden column */
  sqlite3_int64 iId;     /* bot_integration_id or session_id */
  char *zText;           /* user_number as text (sqlite3_malloc'd), else NULL */
} SetterInput;

typedef struct SetterInputs {
  SetterInput *a;
  int n;
  int eKind; /* enum SetterInputKind */
} SetterInputs;

/* One distinct (bot, user_number | session_id) of a statement. */
typedef struct SetterLookup {
  const SetterInput *pBot; /* into the SetterInputs the list was built from */
  const SetterInput *pWho; /* user_number or session_id */
  int bSession;            /* pWho is a session_id */
  char *zUrl;              /* the request URL, also the cache key */
  int iPath;               /* zUrl + iPath: its path and query, for the log */
  SetterRows *pRows;       /* NULL until answered */
} SetterLookup;

typedef struct SetterLookupList {
  SetterLookup *a;
  int n;
} SetterLookupList;

/* True if a value matches nothing: NULL, '' or text of only spaces. */
int setterInputIsBlank(sqlite3_value *pValue);

/* Validates apValue[0..nValue) and keeps the distinct values that can
** match.  Returns SQLITE_OK; SQLITE_ERROR with *pzErr (sqlite3_malloc'd,
** without the table's prefix) naming the bad column and value; or
** SQLITE_NOMEM.  Clear *pInputs with setterInputsClear() in every case. */
int setterInputsRead(SetterInputs *pInputs, sqlite3_value **apValue, int nValue, int eKind,
                     char **pzErr);
void setterInputsClear(SetterInputs *pInputs);

/* Every (bot, contact) pair, bots outer.  The lookups point into pBots and
** pWhos, which must outlive the list.  SQLITE_OK or SQLITE_NOMEM. */
int setterLookupsBuild(SetterLookupList *pList, const char *zBaseUrl, const SetterInputs *pBots,
                       const SetterInputs *pWhos);
void setterLookupsClear(SetterLookupList *pList);

/* "bot_integration_id 123, user_number '1234567890'", for errors. */
char *setterLookupDescribe(const SetterLookup *p);

#endif /* SETTER_LOOKUP_H */
