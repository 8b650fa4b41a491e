/*
** phone.h - setter_phone(x [, default_country]): a phone number as people type it -> the
** international digits the API takes as userNumber.
**
**   SELECT setter_phone('+1 (555) 010-0001');    -- '15550100001'
**   SELECT setter_phone('020 7946 0958', '44');  -- '442079460958'
**   CREATE INDEX leads_number ON leads(setter_phone(phone));
**
** The rules are in phone.c.  setterPhoneDigits() is the SQLite-free core;
** setterPhoneRegister() adds the SQL function to a connection.
*/
#ifndef SETTER_PHONE_H
#define SETTER_PHONE_H

#include <stddef.h>

#include <sqlite3ext.h>

/* The longest result: E.164 allows 15 digits, country code included. */
#define SETTER_PHONE_MAX_DIGITS 15
/* The shortest result: fewer digits are no phone number ('12'). */
#define SETTER_PHONE_MIN_DIGITS 7

/* Writes the digits of the typed number z (n bytes, UTF-8) to zOut, which
** must hold SETTER_PHONE_MAX_DIGITS + 1 bytes, NUL-terminated.  Returns the
** number of digits (1 .. SETTER_PHONE_MAX_DIGITS), or 0 when z is not a
** phone number by the rules of phone.c (zOut is then "").  *pbIntl is set
** when the number had an international prefix ('+' or '00').  The caller
** applies the minimum length (SETTER_PHONE_MIN_DIGITS). */
int setterPhoneDigits(const char *z, size_t n, char *zOut, int *pbIntl);

/* Registers setter_phone(x) and setter_phone(x, default_country) on db: SQLITE_UTF8 |
 *SQLITE_DETERMINISTIC |
 ** SQLITE_INNOCUOUS, so it may serve in indexes, generated columns, views
 ** and triggers (also with trusted_schema = OFF). */
int setterPhoneRegister(sqlite3 *db);

#endif /* SETTER_PHONE_H */
