/*
** timestamp.c - ISO-8601 parsing for in_context, and clocks.
**
** Accepted: YYYY-MM-DD, then 'T' or ' ', HH:MM, optional :SS, optional
** fraction (any number of digits, microseconds kept), optional 'Z' or
** +HH:MM / -HH:MM / +HHMM.  No offset means UTC, as the API sends 'Z'.
** A date alone (YYYY-MM-DD) is refused: it names a day, not an instant.
*/
#include "timestamp.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int readDigits(const char *z, size_t n, size_t *pi, int nDigit, int *pOut) {
  int v = 0, k;
  for (k = 0; k < nDigit; k++) {
    if (*pi >= n || z[*pi] < '0' || z[*pi] > '9') return 1;
    v = v * 10 + (z[(*pi)++] - '0');
  }
  *pOut = v;
  return 0;
}

static int readChar(const char *z, size_t n, size_t *pi, char c) {
  if (*pi >= n || z[*pi] != c) return 1;
  (*pi)++;
  return 0;
}

static int daysInMonth(int year, int month) {
  static const int aDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int bLeap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && bLeap ? 29 : aDays[month - 1];
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t daysFromCivil(int64_t y, int m, int d) {
  int64_t era, yoe, doy, doe;
  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int setterTimestampParse(const char *z, size_t n, int64_t *pMicros) {
  size_t i = 0;
  int year, month, day, hour, minute, second = 0, micros = 0;
  int64_t offsetSeconds = 0;
  if (readDigits(z, n, &i, 4, &year) || readChar(z, n, &i, '-') ||
      readDigits(z, n, &i, 2, &month) || readChar(z, n, &i, '-') || readDigits(z, n, &i, 2, &day)) {
    return 1;
  }
  if (i >= n || (z[i] != 'T' && z[i] != 't' && z[i] != ' ')) return 1;
  i++;
  if (readDigits(z, n, &i, 2, &hour) || readChar(z, n, &i, ':') ||
      readDigits(z, n, &i, 2, &minute)) {
    return 1;
  }
  if (i < n && z[i] == ':') {
    i++;
    if (readDigits(z, n, &i, 2, &second)) return 1;
    if (i < n && (z[i] == '.' || z[i] == ',')) {
      int scale = 100000;
      i++;
      if (i >= n || z[i] < '0' || z[i] > '9') return 1;
      while (i < n && z[i] >= '0' && z[i] <= '9') {
        micros += (z[i++] - '0') * scale;
        scale /= 10;
      }
    }
  }
  if (i < n && (z[i] == 'Z' || z[i] == 'z')) {
    i++;
  } else if (i < n && (z[i] == '+' || z[i] == '-')) {
    int sign = z[i++] == '-' ? -1 : 1, oh, om = 0;
    if (readDigits(z, n, &i, 2, &oh)) return 1;
    if (i < n && z[i] == ':') {
      i++;
      if (readDigits(z, n, &i, 2, &om)) return 1;
    } else if (i < n && readDigits(z, n, &i, 2, &om)) {
      return 1;
    }
    if (oh > 23 || om > 59) return 1;
    offsetSeconds = sign * (oh * 3600 + om * 60);
  }
  if (i != n || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 24 ||
      minute > 59 || second > 60) {
    return 1;
  }
  *pMicros = ((daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second -
               offsetSeconds) *
              1000000) +
             micros;
  return 0;
}

int setterTimestampCompare(const char *zA, size_t nA, const char *zB, size_t nB, int *pCmp) {
  int64_t a, b;
  if (setterTimestampParse(zA, nA, &a) || setterTimestampParse(zB, nB, &b)) return 1;
  *pCmp = a < b ? -1 : a > b;
  return 0;
}

int64_t setterMonotonicMs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void setterWallClockIso(char *zOut, size_t nOut, int64_t agoMs) {
  struct timespec ts;
  struct tm tm;
  int64_t ms;
  clock_gettime(CLOCK_REALTIME, &ts);
  ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - agoMs;
  ts.tv_sec = (time_t)(ms / 1000);
  ts.tv_nsec = (long)(ms % 1000) * 1000000;
  gmtime_r(&ts.tv_sec, &tm);
  snprintf(zOut, nOut, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ts.tv_nsec / 1000000));
}
