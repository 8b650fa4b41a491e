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
** values that match nothing (NULL, '' and text of only spaces) and keeps one
** of values that name the same id or number (123, '123' and 123.0 are one
** bot; 1234567890 and '1234567890' one number), so bots x contacts are
** exactly the distinct lookups.
**
** Merging inputs into one lookup must not lose any of them: each input
** value still finds its rows under SQLite's comparison rules.  SQLite checks
** a join condition it did not hand to xFilter (c.user_number = l.phone, when
** the IN list was used) after xFilter, and with l.phone in a column without
** a type, 1234567890 is not '1234567890'.  So a user_number given both as
** TEXT and as INTEGER keeps both (aGiven): the cursor returns the lookup's
** rows once under each, carrying that value, as a table holding the
** conversation under each would.  The ids read back as INTEGER: the columns
** have INTEGER affinity, under which '123', 123.0 and 123 compare equal to
** 123 whatever the other side's type.
*/
#ifndef SETTER_LOOKUP_H
#define SETTER_LOOKUP_H

#include "connection.h"
#include "rows.h"

#define SETTER_USER_NUMBER_MAX_BYTES 256

enum SetterInputKind { SETTER_INPUT_BOT, SETTER_INPUT_USER, SETTER_INPUT_SESSION };

/* One distinct input value. */
typedef struct SetterInput {
  sqlite3_int64 iId;       /* bot_integration_id or session_id, read back as INTEGER;
                           ** user_number given as INTEGER: that value */
  char *zText;             /* user_number as text (sqlite3_malloc'd), else NULL */
  int nText;               /* bytes in zText */
  unsigned char aGiven[2]; /* user_number: SQLITE_TEXT, SQLITE_INTEGER as first given */
  int nGiven;              /* 1 or 2 (user_number), 0 (ids) */
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
