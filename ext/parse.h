/*
** parse.h - response body -> SetterRows, one message at a time.
**
**   SetterRows *pRows = 0;
**   char zErr[SETTER_PARSE_ERR_MAX];
**   int rc = setterParseResponse(zBody, nBody, mask, maxRowBytes, &pRows, zErr, sizeof zErr);
**   if (rc != SETTER_PARSE_OK) {
**     ... zErr says what is wrong, e.g. "data[3] is not an object" ...
**   }
**
** The body must be {"data":[{message}...], "metadata":{...}} (metadata and
** unknown top-level keys optional), valid JSON per RFC 8259 (no raw control
** characters in strings, no bytes but space, tab, CR, LF between tokens,
** nesting at most SETTER_JSON_MAX_DEPTH levels inside a member value).  The
** whole body is validated before the call succeeds: a response that is
** broken anywhere yields an error and no rows.  The body is never parsed
** into a tree; only the fields in mask are kept.
**
** maxRowBytes bounds what the rows hold (setterRowsBytes: cells, strings,
** contextStartsAt); 0 = unbounded.  It is checked as the rows grow, before
** the allocation that would pass it, so peak memory is about the body plus
** maxRowBytes.  Passing it gives SETTER_PARSE_TOO_LARGE and no rows.
**
** Takes ownership of zBody (allocated with ext/alloc.h's allocator) and
** frees it with setterFree, also on error; it may rewrite lone surrogate
** escapes in it first (see setterJsonReplaceLoneSurrogates).
*/
#ifndef SETTER_PARSE_H
#define SETTER_PARSE_H

#include <stdint.h>

#include "json.h"
#include "rows.h"

#define SETTER_PARSE_ERR_MAX 200

/* Return codes of setterParseResponse. */
#define SETTER_PARSE_OK JSON_OK
#define SETTER_PARSE_MALFORMED JSON_MALFORMED /* not a valid response (zErr says where) */
#define SETTER_PARSE_NOMEM 2
#define SETTER_PARSE_TOO_LARGE 3 /* the rows would pass maxRowBytes */

int setterParseResponse(char *zBody, size_t nBody, unsigned int mask, int64_t maxRowBytes,
                        SetterRows **ppRows, char *zErr, size_t nErr);

/* The message of an API error body: its "message" string, else its
** "error" string, else "error"."message"; NULL if none (or not JSON).
** The result is allocated with ext/alloc.h's allocator (free it with
** setterFree, which in the extension is sqlite3_free) and unsanitised.  Uses cJSON, serialised by a mutex (see parse.c). */
char *setterApiErrorMessage(const char *zBody, size_t nBody);

#endif /* SETTER_PARSE_H */
