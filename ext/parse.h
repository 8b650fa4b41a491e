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

#include "rows.h"

#define SETTER_PARSE_ERR_MAX 200

/* Return codes of setterParseResponse. */
#define SETTER_PARSE_OK 0
#define SETTER_PARSE_MALFORMED 1 /* not a valid response (zErr says where) */
#define SETTER_PARSE_NOMEM 2
#define SETTER_PARSE_TOO_LARGE 3 /* the rows would pass maxRowBytes */

/* Deepest nesting of arrays/objects inside one member value (cJSON's). */
#define SETTER_JSON_MAX_DEPTH 1000

int setterParseResponse(char *zBody, size_t nBody, unsigned int mask, int64_t maxRowBytes,
                        SetterRows **ppRows, char *zErr, size_t nErr);

/* The message of an API error body: its "message" string, else its
** "error" string, else "error"."message"; NULL if none (or not JSON).
** The result is allocated with setterMalloc (free with setterFree) and
** unsanitised.  Uses cJSON, serialised by a mutex (see parse.c). */
char *setterApiErrorMessage(const char *zBody, size_t nBody);

/* Compact JSON: copy the JSON text z[0..n) to zOut without insignificant
** white space; returns the bytes written (<= n).  z must be valid JSON. */
size_t setterJsonCompact(const char *z, size_t n, char *zOut);

/* The validating reader on its own (for tests and the fuzz target): checks
** one JSON value at the start of z[0..n) (after white space).  Returns
** SETTER_PARSE_OK with *piEnd = the offset just past the value, or
** SETTER_PARSE_MALFORMED with *piEnd = where it stopped and zErr filled. */
int setterJsonScan(const char *z, size_t n, size_t *piEnd, char *zErr, size_t nErr);

/* Rewrites each lone UTF-16 surrogate escape (\ud83d without its pair) in
** z[0..n) to \ufffd, in place, same length. */
void setterJsonReplaceLoneSurrogates(char *z, size_t n);

#endif /* SETTER_PARSE_H */
