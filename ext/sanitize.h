/*
** sanitize.h - text from outside (server answers, user input) made safe to
** quote in an error message.
**
**   char *z = setterSanitize(zText, nText, SETTER_SANITIZE_MAX_BYTES, zKey); ... sqlite3_free(z);
**
** Every occurrence of zSecret (the API key; NULL for none) becomes "****"
** first, so cutting or squeezing can never leave a part of it.  Then:
**   - each byte that does not begin a valid UTF-8 character (utf8.h: a cut
**     or overlong sequence, a lone continuation byte, a surrogate, 0xFF...)
**     becomes U+FFFD, one per byte, so the result is always valid UTF-8;
**   - control characters (C0, DEL, and the C1 range U+0080..U+009F) become
**     spaces, and runs of white space collapse to one;
**   - a text of at most nMax bytes is never cut; a longer one is cut to
**     nMax bytes of result on a character boundary, with "..." added.
** Returns sqlite3_malloc'd text, or NULL when out of memory.
*/
#ifndef SETTER_SANITIZE_H
#define SETTER_SANITIZE_H

#include <stddef.h>

#define SETTER_SANITIZE_MAX_BYTES 200

char *setterSanitize(const char *z, size_t n, size_t nMax, const char *zSecret);

#endif /* SETTER_SANITIZE_H */
