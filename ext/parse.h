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
** the allocation that would pass it, so peak memory is about the text held
** plus maxRowBytes: the whole body for setterParseResponse, and for a
** SetterParser (below) the part not read yet, at most about twice the step
** being read (a message, or a top-level member).  Passing it gives
** SETTER_PARSE_TOO_LARGE and no rows.
**
** Takes ownership of zBody (allocated with ext/alloc.h's allocator) and
** frees it with setterFree, also on error; it may rewrite lone surrogate
** escapes in it first (see setterJsonReplaceLoneSurrogates).
**
** A body can also be read as it arrives, so that it never has to be held
** whole (the bytes read are dropped, and the rest is read while it is still
** in the CPU's cache):
**
**   SetterParser *p = setterParserNew(mask, maxRowBytes);
**   for each piece that arrives:
**     append it to a buffer; rc = setterParserFeed(p, zBuf, nBuf, 0, &nTaken);
**     drop the first nTaken bytes of the buffer (the parser is done with them)
**   rc = setterParserFinish(p, zBuf, nBuf, &pRows, zErr, nErr);
**   setterParserFree(p);
**
** zBuf always starts with the bytes not taken yet.  Each call may rewrite
** lone surrogate escapes in zBuf in place.  The result, the error text
** included (byte offsets are offsets in the whole body), is exactly that of
** setterParseResponse on the whole body, however it was cut: a message cut
** by the end of what has arrived is undone and read again once twice as many
** bytes have arrived.  An error seen early is kept (setterParserFeed
** returns it and takes every byte from then on) and returned by
** setterParserFinish.  setterParseResponse is setterParserFinish on the
** whole body at once.
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

typedef struct SetterParser SetterParser;

/* A reader of one response body; NULL: no memory. */
SetterParser *setterParserNew(unsigned int mask, int64_t maxRowBytes);

/* Reads what it can of z[0..n), the body's bytes from the first one not
** taken yet; *pnTaken gets how many of them it is done with.  With bFinal,
** z[0..n) is the rest of the body (setterParserFinish does that).
** SETTER_PARSE_OK, or the error that refuses the answer. */
int setterParserFeed(SetterParser *p, char *z, size_t n, int bFinal, size_t *pnTaken);

/* Reads the rest of the body, z[0..n), and returns what
** setterParseResponse would: the rows (taken from the parser) or an error. */
int setterParserFinish(SetterParser *p, char *z, size_t n, SetterRows **ppRows, char *zErr,
                       size_t nErr);

/* The next feed reads all it can, also a step that was cut and waits for
** twice its bytes: for a body that gets no more bytes though it did not
** end (its transfer failed), so that an error in what arrived is found. */
void setterParserReadAll(SetterParser *p);

/* The body's first n bytes were taken before the parser was made (JSON
** white space before the object): its reading starts at offset n, so that
** its errors name offsets in the whole body.  Call before the first feed. */
void setterParserSkipped(SetterParser *p, size_t n);

/* The offset in the body of the first byte not taken yet. */
size_t setterParserOffset(const SetterParser *p);

void setterParserFree(SetterParser *p);

/* The message of an API error body: its "message" string, else its
** "error" string, else "error"."message" (the first of duplicate names);
** NULL if none, or if the body is not a JSON object.  *pnMessage gets its
** decoded length (it may hold 0 bytes: \u0000).  Allocated with ext/alloc.h's
** allocator (free it with setterFree) and unsanitised. */
char *setterApiErrorMessage(const char *zBody, size_t nBody, size_t *pnMessage);

#endif /* SETTER_PARSE_H */
