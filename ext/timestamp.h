/*
** timestamp.h - ISO-8601 timestamps and clocks.
**
** setterTimestampCompare() orders two API timestamps such as
** "2024-01-15T14:30:00.000Z" or "2024-01-15T16:30:00+02:00" by the instant
** they name (fraction digits and offsets are honoured).  When either is not
** an ISO-8601 date-time (an epoch number, a word, a date without a time,
** trailing bytes such as a decoded NUL) they cannot be compared: the answer
** is unknown, never a comparison of bytes.  It decides in_context.
*/
#ifndef SETTER_TIMESTAMP_H
#define SETTER_TIMESTAMP_H

#include <stddef.h>
#include <stdint.h>

/* Parse an ISO-8601 date-time into microseconds since 1970 (UTC); 0 on
** success, 1 if z[0..n) is not one. */
int setterTimestampParse(const char *z, size_t n, int64_t *pMicros);

/* *pCmp = <0, 0 or >0 as instant a is before, equal to or after instant b,
** and 0; or 1 (*pCmp untouched) if either is not a date-time.  Lengths,
** not terminators: zA[0..nA) may hold 0 bytes. */
int setterTimestampCompare(const char *zA, size_t nA, const char *zB, size_t nB, int *pCmp);

/* Monotonic milliseconds, for elapsed times and deadlines. */
int64_t setterMonotonicMs(void);

/* The wall-clock time agoMs milliseconds ago as "YYYY-MM-DDTHH:MM:SS.mmmZ"
** into zOut (at least 25 bytes). */
void setterWallClockIso(char *zOut, size_t nOut, int64_t agoMs);

#endif /* SETTER_TIMESTAMP_H */
