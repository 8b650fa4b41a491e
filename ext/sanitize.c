/*
** sanitize.c - see sanitize.h.  No control character from a server or a
** user ever reaches an error message: a terminal escape sequence or a CR LF
** in an API error cannot forge lines in a log.
*/
#include "sanitize.h"

#include <string.h>

#include "connection.h"

char *setterSanitize(const char *z, size_t n, size_t nMax, const char *zSecret) {
  char *zOut = sqlite3_malloc64(nMax + 4);
  size_t i, j = 0, nSecret = zSecret ? strlen(zSecret) : 0;
  if (zOut == NULL) return NULL;
  for (i = 0; i < n && j < nMax; i++) {
    unsigned char c = (unsigned char)z[i];
    if (nSecret > 0 && n - i >= nSecret && memcmp(z + i, zSecret, nSecret) == 0) {
      /* The secret goes before anything is cut or squeezed, so no part of it
      ** can survive. */
      size_t k;
      for (k = 0; k < 4 && j < nMax; k++) zOut[j++] = '*';
      i += nSecret - 1;
      continue;
    }
    if (c < 0x20 || c == 0x7f) c = ' ';
    if (c == ' ' && j > 0 && zOut[j - 1] == ' ' && i > 0 && (unsigned char)z[i - 1] < 0x21)
      continue;
    zOut[j++] = (char)c;
  }
  if (i < n) {
    /* Do not cut a UTF-8 character in two: while the first byte left out
    ** continues a character, drop what was copied of that character. */
    while (j > 0 && i > 0 && ((unsigned char)z[i] & 0xc0) == 0x80) {
      i--;
      j--;
    }
    memcpy(zOut + j, "...", 3);
    j += 3;
  }
  zOut[j] = 0;
  return zOut;
}
