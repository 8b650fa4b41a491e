/*
** sanitize.h - text from outside (server answers, user input) made safe to
** quote in an error message.
**
**   char *z = setterSanitize(zText, nText, SETTER_SANITIZE_MAX_BYTES, zKey); ... sqlite3_free(z);
**
** Control characters (below 0x20, and 0x7f) become spaces, runs of white
** space inside the text collapse to one, and the result is cut to
** nMax bytes on a UTF-8 character boundary, with "..." added.
** Every occurrence of zSecret (the API key; NULL for none) becomes "****"
** first, so cutting or squeezing can never leave a part of it.  Returns
** sqlite3_malloc'd text, or NULL when out of memory.
*/
#ifndef SETTER_SANITIZE_H
#define SETTER_SANITIZE_H

#include <stddef.h>

#define SETTER_SANITIZE_MAX_BYTES 200

char *setterSanitize(const char *z, size_t n, size_t nMax, const char *zSecret);

#endif /* SETTER_SANITIZE_H */
