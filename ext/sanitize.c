/*
** sanitize.c - see sanitize.h.  No control character from a server or a
** user ever reaches an error message: a terminal escape sequence or a CR LF
** in an API error cannot forge lines in a log.  And no byte that is not
** UTF-8 does either: an error message is read back as text (Python decodes
** it strictly and would raise UnicodeDecodeError instead of sqlite3.Error).
*/
#include "sanitize.h"

#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "utf8.h"

/* U+FFFD REPLACEMENT CHARACTER, written for each byte that is not UTF-8. */
#define REPLACEMENT "\xEF\xBF\xBD"

char *setterSanitize(const char *zIn, size_t n, size_t nMax, const char *zSecret) {
  const unsigned char *z = (const unsigned char *)zIn;
  size_t nSecret = zSecret ? strlen(zSecret) : 0;
  /* A text that fits is never cut, even when replacements make it longer
  ** (at most 4 bytes out per byte in: "****" for a 1-byte secret). */
  size_t nBudget = n <= nMax ? 4 * n : nMax;
  size_t i = 0, j = 0;
  char *zOut = setterMalloc(nBudget + 4);
  if (zOut == NULL) return NULL;
  while (i < n) {
    uint32_t c;
    size_t nChar;
    if (nSecret > 0 && n - i >= nSecret && memcmp(z + i, zSecret, nSecret) == 0) {
      /* The secret goes before anything is cut or squeezed, so no part of it
      ** can survive. */
      if (j + 4 > nBudget) break;
      memcpy(zOut + j, "****", 4);
      j += 4;
      i += nSecret;
      continue;
    }
    nChar = setterUtf8Char(z + i, n - i, &c);
    if (nChar == 0) {
      /* Not UTF-8: one U+FFFD per byte, then go on at the next byte. */
      if (j + 3 > nBudget) break;
      memcpy(zOut + j, REPLACEMENT, 3);
      j += 3;
      i++;
      continue;
    }
    if (c <= 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
      /* C0 and C1 controls (U+009B is a terminal's CSI) become spaces, and
      ** runs of white space collapse to one. */
      i += nChar;
      if (j > 0 && zOut[j - 1] == ' ') continue;
      if (j + 1 > nBudget) {
        i -= nChar;
        break;
      }
      zOut[j++] = ' ';
      continue;
    }
    /* whole characters only: a cut never splits one */
    if (j + nChar > nBudget) break;
    memcpy(zOut + j, z + i, nChar);
    j += nChar;
    i += nChar;
  }
  if (i < n) {
    memcpy(zOut + j, "...", 3);
    j += 3;
  }
  zOut[j] = 0;
  return zOut;
}
