/*
** parse.h - response body -> SetterRows, one message at a time.
**
**   SetterRows *pRows = 0;
**   char zErr[SETTER_PARSE_ERR_MAX];
**   if (setterParseResponse(zBody, nBody, mask, &pRows, zErr, sizeof zErr)) {
**     ... zErr says what is wrong, e.g. "data[3] is not an object" ...
**   }
**
** The body must be {"data":[{message}...], "metadata":{...}} (metadata and
** unknown top-level keys optional).  The whole body is validated before the
** call succeeds: a response that is broken anywhere yields an error and no
** rows.  The body is never parsed into one cJSON tree; each member value of
** each message is parsed on its own and freed, and only the fields in mask
** are kept.  Takes ownership of zBody (setterMalloc'd, alloc.h) and frees it, also on
** error; it may rewrite lone surrogate escapes in it first (see parse.c).
*/
#ifndef SETTER_PARSE_H
#define SETTER_PARSE_H

#include "rows.h"

#define SETTER_PARSE_ERR_MAX 200

/* Returns 0 on success (*ppRows set), 1 on a malformed body, 2 on no memory. */
int setterParseResponse(char *zBody, size_t nBody, unsigned int mask, SetterRows **ppRows,
                        char *zErr, size_t nErr);

/* The message of an API error body: its "message" string, else its
** "error" string, else "error"."message"; NULL if none (or not JSON).
** The result is malloc'd and unsanitised. */
char *setterApiErrorMessage(const char *zBody, size_t nBody);

/* Compact JSON: copy the JSON text z[0..n) to zOut without insignificant
** white space; returns the bytes written (<= n).  z must be valid JSON. */
size_t setterJsonCompact(const char *z, size_t n, char *zOut);

#endif /* SETTER_PARSE_H */
