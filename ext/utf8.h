/*
** utf8.h - reading one UTF-8 character strictly, for every place in ext/
** that looks at the bytes of text from outside (phone.c's separators,
** sanitize.c's error text).
**
**   uint32_t c;
**   size_t n = setterUtf8Char(z, nLeft, &c);   // 1..4, or 0: not valid UTF-8
**
** Valid means RFC 3629: the shortest form only (no C0 80, E0 80 80...), no
** UTF-16 surrogates (ED A0 80 .. ED BF BF), nothing above U+10FFFF, and
** every continuation byte 10xxxxxx and present within the nLeft bytes.
** Header-only: one small function, inlined where it is used.
*/
#ifndef SETTER_UTF8_H
#define SETTER_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The length of the valid UTF-8 character at z[0..nLeft) and its code point
** in *pc, or 0 (and *pc = 0xFFFD) when z does not start one.  nLeft >= 1. */
static inline size_t setterUtf8Char(const unsigned char *z, size_t nLeft, uint32_t *pc) {
  uint32_t c = z[0], cMin;
  size_t n, i;
  *pc = 0xFFFD;
  if (c < 0x80) {
    *pc = c;
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2, c &= 0x1F, cMin = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3, c &= 0x0F, cMin = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4, c &= 0x07, cMin = 0x10000;
  } else {
    return 0; /* a continuation byte, C0, C1 or F5..FF */
  }
  if (nLeft < n) return 0;
  for (i = 1; i < n; i++) {
    if ((z[i] & 0xC0) != 0x80) return 0;
    c = (c << 6) | (z[i] & 0x3F);
  }
  if (c < cMin || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  *pc = c;
  return n;
}

#endif /* SETTER_UTF8_H */
