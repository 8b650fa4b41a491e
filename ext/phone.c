/*
** phone.c - setter_phone(x [, default_country]), the SQL function that turns
** a phone number as people type it into the form the API's own example
** uses: international digits without '+' ('1234567890').  A number the bot knows in another form
** matches no conversation (the API answers 200 with no messages), so a join
** on raw CRM numbers silently loses leads; a join on setter_phone(phone)
** does not.
**
**   setter_phone('+1 (555) 010-0001')    -> '15550100001'
**   setter_phone('0044 20 7946 0018')     -> '442079460018'
**   setter_phone('(555) 010-0003')        -> '5550100003'  (national: add
**                                            the country code in SQL)
**   setter_phone('555-CALL-NOW')          -> NULL
**   setter_phone('(555) 010-0001', '1')   -> '15550100001'
**   setter_phone('020 7946 0958', '44')   -> '442079460958'
**
** The result is always TEXT or NULL.  The rules, in order:
**   NULL          -> NULL.
**   INTEGER       -> its decimal digits; a negative one -> NULL.
**   REAL          -> the digits of a whole, non-negative value below 10^15
**                    (15550100001.0 from a CSV import); else NULL (a
**                    fraction, a negative, an infinity).
**   BLOB          -> NULL, whatever it holds.
**   TEXT          -> read character by character as UTF-8 (utf8.h: strict,
**                    so an invalid sequence is never a separator):
**     - ignored (separators): space, tab, - . ( ) /, the Unicode spaces
**       U+00A0 U+1680 U+2000..U+200A U+202F U+205F U+3000 and the Unicode
**       hyphens and dashes U+2010..U+2015 and U+2212;
**     - '+' before any digit (only separators before it, as in "(+44) 20")
**       is the international prefix and is dropped; a second '+', or one
**       after a digit -> NULL;
**     - without '+', two leading 0 digits ("00", also "0 0") are the
**       international prefix and are dropped;
**     - after either prefix the digits must start with 1..9 (a country
**       code), so "+0044..." and "000..." -> NULL;
**     - in an international number, "(0)" written after the first digit
**       ("+44 (0)20 7946 0018") is the national trunk 0 and is dropped;
**       without a prefix "(0)20 ..." keeps its 0;
**     - any other byte (letters, # * , _ [ ], "ext", a newline or other
**       control character, zero-width characters, fullwidth or non-ASCII
**       digits, invalid UTF-8) -> NULL.
**     - a TEXT of digits, one '.' and only zeros after it is a number as
**       a spreadsheet exports it: '15550100038.0' -> '15550100038' (the
**       '.' is not a separator there).
**   The digits left must number 1 .. 15 (the E.164 maximum), else NULL.
**
** With default_country (a country calling code: 1 to 3 digits, not
** starting with 0, as TEXT or INTEGER; NULL: none, as the one-argument
** form; anything else is an error), a national number gets the code:
**   - a number with an international prefix ('+', '00') ignores it;
**   - code 1 (North America): 10 digits starting with 2..9 get the 1
**     ('(555) 010-0001' -> '15550100001'); other lengths (11 digits
**     starting with 1, the API's own example '1234567890') stay as they
**     are: a North American area code never starts with 0 or 1;
**   - any other code: one leading trunk 0 is dropped and the code put in
**     front ('020 7946 0958', '44' -> '442079460958');
**   - an INTEGER or REAL is a number without a prefix, so it is national.
** Last, for both forms: a result of fewer than SETTER_PHONE_MIN_DIGITS (7)
** or more than 15 digits is NULL ('12' is no phone number).
**
** Registered SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS: usable in an index on
** an expression, a generated column, a CHECK, and in views and triggers of
** a schema read with trusted_schema = OFF (it reads nothing but its
** argument and sends nothing anywhere).
*/
#include "phone.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"

SQLITE_EXTENSION_INIT3

/* Digits kept while reading: the longest result plus a "00" prefix. */
#define PHONE_MAX_READ (SETTER_PHONE_MAX_DIGITS + 2)

/* The number of bytes of the separator at z[0..n), or 0 if there is none
** there.  The character is read with setterUtf8Char, so a byte sequence that
** is not valid UTF-8 (E2 80 31: a lead byte and an ASCII digit) is never
** taken for a separator: it gives 0, hence NULL. */
static size_t separatorLength(const unsigned char *z, size_t n) {
  uint32_t c;
  size_t nChar = setterUtf8Char(z, n, &c);
  if (nChar == 0) return 0;
  switch (c) {
    case ' ':
    case '\t':
    case '-':
    case '.':
    case '(':
    case ')':
    case '/':
    case 0x00A0: /* no-break space */
    case 0x1680: /* ogham space mark */
    case 0x202F: /* narrow no-break space */
    case 0x205F: /* medium mathematical space */
    case 0x2212: /* minus sign */
    case 0x3000: /* ideographic space */
      return nChar;
    default:
      /* U+2000..U+200A spaces, U+2010..U+2015 hyphens and dashes */
      if ((c >= 0x2000 && c <= 0x200A) || (c >= 0x2010 && c <= 0x2015)) return nChar;
      return 0;
  }
}

/* True if z[0..n) is digits, one '.', then one or more '0' only. */
static int isSpreadsheetNumber(const unsigned char *z, size_t n) {
  size_t i = 0;
  while (i < n && z[i] >= '0' && z[i] <= '9') i++;
  if (i == 0 || i + 1 >= n || z[i] != '.') return 0;
  for (i++; i < n; i++) {
    if (z[i] != '0') return 0;
  }
  return 1;
}

int setterPhoneDigits(const char *zIn, size_t n, char *zOut, int *pbIntl) {
  const unsigned char *z = (const unsigned char *)zIn;
  char aDigit[PHONE_MAX_READ];
  int nDigit = 0;
  int hasPlus = 0;
  int iStart = 0; /* index in aDigit of the first digit after a prefix */
  size_t i = 0;

  zOut[0] = '\0';
  *pbIntl = 0;
  if (isSpreadsheetNumber(z, n)) {
    while (z[n - 1] == '0') n--;
    n--; /* the '.' */
  }
  while (i < n) {
    size_t nSep;
    if (z[i] >= '0' && z[i] <= '9') {
      if (nDigit == PHONE_MAX_READ) return 0; /* too long */
      aDigit[nDigit++] = (char)z[i];
      i++;
      continue;
    }
    if (z[i] == '+') {
      if (hasPlus || nDigit > 0) return 0;
      hasPlus = 1;
      i++;
      continue;
    }
    if (z[i] == '(' && i + 2 < n && z[i + 1] == '0' && z[i + 2] == ')') {
      /* "(0)" after the first digit of an international number. */
      int isIntl = (hasPlus && nDigit >= 1) ||
                   (!hasPlus && nDigit >= 3 && aDigit[0] == '0' && aDigit[1] == '0');
      if (isIntl) {
        i += 3;
        continue;
      }
    }
    nSep = separatorLength(z + i, n - i);
    if (nSep == 0) return 0;
    i += nSep;
  }

  if (!hasPlus && nDigit >= 2 && aDigit[0] == '0' && aDigit[1] == '0') iStart = 2;
  if (nDigit - iStart < 1 || nDigit - iStart > SETTER_PHONE_MAX_DIGITS) return 0;
  if ((hasPlus || iStart > 0) && aDigit[iStart] == '0') return 0; /* no country code */
  memcpy(zOut, aDigit + iStart, (size_t)(nDigit - iStart));
  zOut[nDigit - iStart] = '\0';
  *pbIntl = hasPlus || iStart > 0;
  return nDigit - iStart;
}

/* The digits of a non-negative integer that has at most 15 of them, or 0. */
static int integerDigits(sqlite3_int64 v, char *zOut) {
  int n;
  zOut[0] = '\0';
  if (v < 0) return 0;
  n = snprintf(zOut, SETTER_PHONE_MAX_DIGITS + 1, "%lld", (long long)v);
  if (n < 1 || n > SETTER_PHONE_MAX_DIGITS) {
    zOut[0] = '\0';
    return 0;
  }
  return n;
}

/* Reads default_country into zCode (at most 3 digits + NUL).  Returns 1 if
** it is a calling code, 0 if it is NULL (no code), -1 if it is neither. */
static int readCountryCode(sqlite3_value *pValue, char *zCode) {
  const unsigned char *z;
  int n, i;
  zCode[0] = '\0';
  switch (sqlite3_value_type(pValue)) {
    case SQLITE_NULL:
      return 0;
    case SQLITE_INTEGER: {
      sqlite3_int64 v = sqlite3_value_int64(pValue);
      if (v < 1 || v > 999) return -1;
      snprintf(zCode, 4, "%d", (int)v);
      return 1;
    }
    case SQLITE_TEXT:
      z = sqlite3_value_text(pValue);
      n = sqlite3_value_bytes(pValue);
      if (z == NULL || n < 1 || n > 3 || z[0] == '0') return -1;
      for (i = 0; i < n; i++) {
        if (z[i] < '0' || z[i] > '9') return -1;
        zCode[i] = (char)z[i];
      }
      zCode[n] = '\0';
      return 1;
    default: /* REAL, BLOB */
      return -1;
  }
}

/* Puts the calling code zCode in front of the national number zDigits
** (nDigits digits, room for SETTER_PHONE_MAX_DIGITS + 1 bytes) by the rules
** of the header comment; returns the new length, or 0 when too long. */
static int addCountryCode(char *zDigits, int nDigits, const char *zCode) {
  char zOut[SETTER_PHONE_MAX_DIGITS + 4];
  const char *zNational = zDigits;
  int nCode = (int)strlen(zCode);
  if (strcmp(zCode, "1") == 0) {
    /* North America: only a 10-digit number with an area code (2..9) */
    if (nDigits != 10 || zDigits[0] < '2') return nDigits;
  } else if (zDigits[0] == '0') {
    zNational++; /* the trunk 0 */
    nDigits--;
  }
  if (nCode + nDigits > SETTER_PHONE_MAX_DIGITS) return 0;
  memcpy(zOut, zCode, (size_t)nCode);
  memcpy(zOut + nCode, zNational, (size_t)nDigits);
  memcpy(zDigits, zOut, (size_t)(nCode + nDigits));
  zDigits[nCode + nDigits] = '\0';
  return nCode + nDigits;
}

static void phoneFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  char zDigits[SETTER_PHONE_MAX_DIGITS + 1];
  char zCode[4] = "";
  int nDigits = 0, bIntl = 0;

  if (argc == 2 && readCountryCode(argv[1], zCode) < 0) {
    sqlite3_result_error(ctx,
                         "setter_phone: default_country must be a country calling code, 1 to 3 "
                         "digits not starting with 0 ('1', '44'), or NULL",
                         -1);
    return;
  }
  switch (sqlite3_value_type(argv[0])) {
    case SQLITE_INTEGER:
      nDigits = integerDigits(sqlite3_value_int64(argv[0]), zDigits);
      break;
    case SQLITE_FLOAT: {
      double r = sqlite3_value_double(argv[0]);
      /* !(r >= 0) also catches NaN; below 1e15 the cast is exact. */
      if (r >= 0 && r < 1e15 && r == (double)(sqlite3_int64)r) {
        nDigits = integerDigits((sqlite3_int64)r, zDigits);
      }
      break;
    }
    case SQLITE_TEXT: {
      const unsigned char *z = sqlite3_value_text(argv[0]);
      if (z == NULL) {
        sqlite3_result_error_nomem(ctx);
        return;
      }
      nDigits =
          setterPhoneDigits((const char *)z, (size_t)sqlite3_value_bytes(argv[0]), zDigits, &bIntl);
      break;
    }
    default: /* NULL, BLOB */
      break;
  }
  if (nDigits > 0 && zCode[0] && !bIntl) nDigits = addCountryCode(zDigits, nDigits, zCode);
  if (nDigits < SETTER_PHONE_MIN_DIGITS) {
    sqlite3_result_null(ctx);
  } else {
    sqlite3_result_text(ctx, zDigits, nDigits, SQLITE_TRANSIENT);
  }
}

int setterPhoneRegister(sqlite3 *db) {
  int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
  int rc = sqlite3_create_function(db, "setter_phone", 1, flags, NULL, phoneFunc, NULL, NULL);
  if (rc == SQLITE_OK) {
    rc = sqlite3_create_function(db, "setter_phone", 2, flags, NULL, phoneFunc, NULL, NULL);
  }
  return rc;
}
