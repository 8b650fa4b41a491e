/*
** unit_timestamp.c - unit tests of ext/timestamp.c: setterTimestampParse,
** setterTimestampCompare (which decides in_context), and the clocks.
**
**   make build/tests/unit_timestamp && build/tests/unit_timestamp
**
** Expected epoch values were computed independently with Python:
**   (datetime.fromisoformat(s) - datetime(1970,1,1,tzinfo=timezone.utc))
**       // timedelta(microseconds=1)
*/
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "timestamp.h"
#include "unit.h"

/* Parse a 0-terminated string; returns the rc, *pMicros set on success. */
static int parse(const char *z, int64_t *pMicros) {
  *pMicros = INT64_MIN;
  return setterTimestampParse(z, strlen(z), pMicros);
}

/* The order of two timestamps; 99 when they cannot be compared. */
static int compare(const char *zA, const char *zB) {
  int c = 42;
  if (setterTimestampCompare(zA, strlen(zA), zB, strlen(zB), &c)) return 99;
  return c;
}

/* Compares lengths, not terminators: z[0..n) may hold a 0 byte. */
static int compareN(const char *zA, size_t nA, const char *zB, size_t nB) {
  int c = 42;
  if (setterTimestampCompare(zA, nA, zB, nB, &c)) return 99;
  return c;
}

/* Checks that z parses to the expected microseconds. */
#define CHECK_PARSES_TO(z, expected) \
  do { \
    int64_t v_; \
    CHECK_EQ_INT(parse((z), &v_), 0); \
    CHECK_EQ_INT(v_, (expected)); \
  } while (0)

#define SIGN(x) ((x) < 0 ? -1 : (x) > 0)

TEST(parse_utc_z_with_milliseconds) {
  CHECK_PARSES_TO("2024-01-15T14:30:00.000Z", 1705329000000000LL);
  CHECK_PARSES_TO("1970-01-01T00:00:00Z", 0);
  CHECK_PARSES_TO("1970-01-01T00:00:00.000001Z", 1);
}

TEST(parse_lowercase_t_z_and_space_separator) {
  CHECK_PARSES_TO("2024-01-15t14:30:00z", 1705329000000000LL);
  CHECK_PARSES_TO("2024-01-15 14:30:00Z", 1705329000000000LL);
}

TEST(parse_without_offset_means_utc) {
  CHECK_PARSES_TO("2024-01-15T14:30:00", 1705329000000000LL);
  CHECK_PARSES_TO("2024-01-15T14:30:00.000", 1705329000000000LL);
}

TEST(parse_offset_with_colon) {
  CHECK_PARSES_TO("2024-01-15T16:30:00+02:00", 1705329000000000LL);
  CHECK_PARSES_TO("2024-01-15T09:00:00-05:30", 1705329000000000LL);
  CHECK_PARSES_TO("2024-01-15T14:30:00+00:00", 1705329000000000LL);
  CHECK_PARSES_TO("2024-01-15T14:30:00-00:00", 1705329000000000LL);
}

TEST(parse_offset_without_colon) {
  CHECK_PARSES_TO("2024-01-15T09:00:00-0530", 1705329000000000LL);
  CHECK_PARSES_TO("2024-01-15T16:30:00+0200", 1705329000000000LL);
  CHECK_PARSES_TO("2024-01-16T00:15:00.5+0945", 1705329000500000LL);
}

TEST(parse_fractions_of_any_length) {
  CHECK_PARSES_TO("2024-01-15T14:30:00.1Z", 1705329000100000LL);
  CHECK_PARSES_TO("2024-01-15T14:30:00.12Z", 1705329000120000LL);
  CHECK_PARSES_TO("2024-01-15T14:30:00.123Z", 1705329000123000LL);
  CHECK_PARSES_TO("2024-01-15T14:30:00.1234Z", 1705329000123400LL);
  CHECK_PARSES_TO("2024-01-15T14:30:00.12345Z", 1705329000123450LL);
  CHECK_PARSES_TO("2024-01-15T14:30:00.123456Z", 1705329000123456LL);
  /* beyond microseconds the digits are accepted and truncated */
  CHECK_PARSES_TO("2024-01-15T14:30:00.1234567Z", 1705329000123456LL);
  CHECK_PARSES_TO("2024-01-15T14:30:00.999999999999999999999Z", 1705329000999999LL);
  CHECK_PARSES_TO("2024-01-15T14:30:00.000000001Z", 1705329000000000LL);
  CHECK_PARSES_TO("2024-01-15T14:30:00,5Z", 1705329000500000LL);
  CHECK_PARSES_TO("2024-01-15T16:30:00.25+02:00", 1705329000250000LL);
}

TEST(parse_without_seconds) {
  CHECK_PARSES_TO("2024-01-15T14:30Z", 1705329000000000LL);
  CHECK_PARSES_TO("2024-01-15T14:30", 1705329000000000LL);
  CHECK_PARSES_TO("2024-01-15T16:30+02:00", 1705329000000000LL);
}

TEST(parse_uses_the_length_not_a_terminator) {
  int64_t v = 0;
  const char *z = "2024-01-15T14:30:00.000Zgarbage";
  CHECK_EQ_INT(setterTimestampParse(z, 24, &v), 0);
  CHECK_EQ_INT(v, 1705329000000000LL);
  CHECK_EQ_INT(setterTimestampParse(z, strlen(z), &v), 1);
  /* cut inside the fraction: still a valid, shorter timestamp */
  CHECK_EQ_INT(setterTimestampParse(z, 21, &v), 0);
  CHECK_EQ_INT(v, 1705329000000000LL);
  /* cut right after the '.' : invalid */
  CHECK_EQ_INT(setterTimestampParse(z, 20, &v), 1);
}

TEST(parse_rejects_bad_strings) {
  static const char *azBad[] = {
      "",
      "2024",
      "2024-01-15",                    /* a date alone */
      "2024-01-15T",
      "2024-01-15T14",
      "2024-01-15T14:3",
      "24-01-15T14:30:00Z",
      "2024/01/15T14:30:00Z",
      "2024-1-15T14:30:00Z",
      "2024-00-15T14:30:00Z",
      "2024-13-01T14:30:00Z",
      "2024-01-00T14:30:00Z",
      "2024-01-32T14:30:00Z",
      "2024-01-15T25:00:00Z",
      "2024-01-15T14:60:00Z",
      "2024-01-15T14:30:61Z",
      "2024-01-15T14:30:00.Z",
      "2024-01-15T14:30:00ZZ",
      "2024-01-15T14:30:00Z ",
      " 2024-01-15T14:30:00Z",
      "2024-01-15T14:30:00+2:00",
      "2024-01-15T14:30:00+02:0",
      "2024-01-15T14:30:00 +02:00",
      "2024-01-15X14:30:00Z",
      "not a date",
      "Mon, 15 Jan 2024 14:30:00 GMT",
      "2024-02-31T00:00:00Z",          /* no such day */
      "2023-02-29T00:00:00Z",          /* not a leap year */
      "2024-04-31T00:00:00Z",
      "2024-01-15T14:30:00+02:",       /* nothing after the colon */
      "2024-01-15T14:30:00+99:00",     /* offset hours out of range */
      "2024-01-15T14:30:00+02:99",     /* offset minutes out of range */
  };
  size_t i;
  for (i = 0; i < sizeof(azBad) / sizeof(azBad[0]); i++) {
    int64_t v;
    if (!CHECK_EQ_INT(parse(azBad[i], &v), 1)) printf("  (input: \"%s\")\n", azBad[i]);
  }
}

TEST(compare_equal_instants_in_different_zones_are_equal) {
  CHECK_EQ_INT(compare("2024-01-15T14:30:00.000Z", "2024-01-15T16:30:00+02:00"), 0);
  CHECK_EQ_INT(compare("2024-01-15T14:30:00.000Z", "2024-01-15T09:00:00-0530"), 0);
  CHECK_EQ_INT(compare("2024-01-15T14:30:00Z", "2024-01-15T14:30:00.000000Z"), 0);
  CHECK_EQ_INT(compare("2024-01-15T14:30Z", "2024-01-15T14:30:00.000Z"), 0);
  CHECK_EQ_INT(compare("2024-01-15T14:30:05.000Z", "2024-01-15T14:30:05.000Z"), 0);
}

TEST(compare_orders_by_instant_not_by_bytes) {
  /* 00:30+01:00 is 23:30Z of the day before, earlier than 23:45Z */
  CHECK_EQ_INT(SIGN(compare("2024-01-01T00:30:00+01:00", "2023-12-31T23:45:00Z")), -1);
  CHECK_EQ_INT(SIGN(compare("2023-12-31T23:45:00Z", "2024-01-01T00:30:00+01:00")), 1);
  /* more fraction digits, smaller value */
  CHECK_EQ_INT(SIGN(compare("2024-01-15T14:30:00.5Z", "2024-01-15T14:30:00.49999Z")), 1);
  CHECK_EQ_INT(SIGN(compare("2024-01-15T14:30:00.000Z", "2024-01-15T14:30:00.001Z")), -1);
  /* the in_context example of the API documentation */
  CHECK_EQ_INT(SIGN(compare("2024-01-15T14:30:00.000Z", "2024-01-15T12:00:00.000Z")), 1);
  CHECK_EQ_INT(SIGN(compare("2024-01-15T14:30:00.000Z", "2024-01-15T14:30:05.000Z")), -1);
}

TEST(compare_is_not_possible_unless_both_are_timestamps) {
  /* never a comparison of bytes: in_context is NULL then */
  CHECK_EQ_INT(compare("abc", "abd"), 99);
  CHECK_EQ_INT(compare("same", "same"), 99);
  CHECK_EQ_INT(compare("", ""), 99);
  CHECK_EQ_INT(compare("2024-01-15T14:30:00Z", "yesterday"), 99);
  CHECK_EQ_INT(compare("yesterday", "2024-01-15T14:30:00Z"), 99);
  CHECK_EQ_INT(compare("2024-01-15T16:30:00+02:00", "2024-01-15T14:30:00Zx"), 99);
  /* an epoch in milliseconds is not an ISO-8601 timestamp */
  CHECK_EQ_INT(compare("1704067200000", "2024-01-01T00:00:00Z"), 99);
  /* a date alone names a day, not an instant */
  CHECK_EQ_INT(compare("2024-01-01", "2024-01-01T00:00:00Z"), 99);
  CHECK_EQ_INT(compare("2024-01-01T00:00:00Z", "2024-01-01"), 99);
  CHECK_EQ_INT(compare("2024-01-01", "2024-01-01"), 99);
  /* a 0 byte inside the length: not a timestamp, whatever precedes it */
  CHECK_EQ_INT(compareN("2024-01-01T00:00:00Z\0tail", 25, "2024-01-01T00:00:00Z", 20), 99);
  CHECK_EQ_INT(compareN("2024-01-01T00:00:00Z", 20, "2024-01-01T00:00:00Z\0", 21), 99);
  CHECK_EQ_INT(compareN("2024-01-01T00:00:00Z", 20, "2024-01-01T00:00:00Z", 20), 0);
}

TEST(days_across_leap_years_match_python) {
  CHECK_PARSES_TO("2024-02-29T00:00:00Z", 1709164800000000LL);
  CHECK_PARSES_TO("2000-02-29T12:00:00Z", 951825600000000LL);
  CHECK_PARSES_TO("2000-03-01T00:00:00Z", 951868800000000LL);
  CHECK_PARSES_TO("1900-03-01T00:00:00Z", -2203891200000000LL);
  CHECK_PARSES_TO("2100-03-01T00:00:00Z", 4107542400000000LL);
  CHECK_PARSES_TO("1600-02-29T00:00:00Z", -11670998400000000LL);
  CHECK_PARSES_TO("2023-03-01T00:00:00Z", 1677628800000000LL);
}

TEST(pre_1970_and_extreme_years_match_python) {
  CHECK_PARSES_TO("1969-12-31T23:59:59Z", -1000000LL);
  CHECK_PARSES_TO("1960-06-15T08:30:15.25Z", -301246184750000LL);
  CHECK_PARSES_TO("0001-01-01T00:00:00Z", -62135596800000000LL);
  CHECK_PARSES_TO("9999-12-31T23:59:59.999999Z", 253402300799999999LL);
  CHECK_EQ_INT(SIGN(compare("1969-12-31T23:59:59.999Z", "1970-01-01T00:00:00Z")), -1);
}

/* Walks every day from 1599-12-01 to 2401-03-01 with an independent
** calendar; each midnight must be exactly one day after the previous one. */
TEST(every_day_from_1600_to_2400_is_one_day_after_the_previous) {
  int y = 1599, m = 12, d = 1, nBad = 0;
  int64_t prev;
  char z[64];
  snprintf(z, sizeof z, "%04d-%02d-%02dT00:00:00Z", y, m, d);
  REQUIRE(parse(z, &prev) == 0);
  for (;;) {
    static const int aDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int nInMonth = aDays[m - 1] + (m == 2 && leap);
    int64_t v;
    if (++d > nInMonth) {
      d = 1;
      if (++m > 12) {
        m = 1;
        y++;
      }
    }
    if (y == 2401 && m == 3) break;
    snprintf(z, sizeof z, "%04d-%02d-%02dT00:00:00Z", y, m, d);
    if (parse(z, &v) != 0 || v - prev != 86400LL * 1000000) {
      if (nBad++ < 3) CHECK_EQ_INT(v - prev, 86400LL * 1000000);
    }
    prev = v;
  }
  CHECK_EQ_INT(nBad, 0);
}

TEST(wall_clock_iso_is_parseable_and_close_to_now) {
  char z[40];
  int64_t v, vAgo;
  int64_t nowMicros = (int64_t)time(NULL) * 1000000;
  setterWallClockIso(z, sizeof z, 0);
  CHECK_EQ_INT(strlen(z), 24);
  CHECK(z[23] == 'Z' && z[10] == 'T' && z[19] == '.');
  REQUIRE(parse(z, &v) == 0);
  CHECK(v > nowMicros - 5000000 && v < nowMicros + 5000000);
  setterWallClockIso(z, sizeof z, 3600 * 1000);
  REQUIRE(parse(z, &vAgo) == 0);
  /* an hour earlier, give or take the time between the two calls */
  CHECK(v - vAgo > 3599LL * 1000000 && v - vAgo < 3601LL * 1000000);
}

TEST(monotonic_clock_does_not_go_back) {
  int64_t a = setterMonotonicMs(), b;
  struct timespec ts = {0, 20 * 1000000};
  nanosleep(&ts, NULL);
  b = setterMonotonicMs();
  CHECK(b >= a + 15);
  CHECK(b < a + 5000);
}

int main(void) {
  RUN(parse_utc_z_with_milliseconds);
  RUN(parse_lowercase_t_z_and_space_separator);
  RUN(parse_without_offset_means_utc);
  RUN(parse_offset_with_colon);
  RUN(parse_offset_without_colon);
  RUN(parse_fractions_of_any_length);
  RUN(parse_without_seconds);
  RUN(parse_uses_the_length_not_a_terminator);
  RUN(parse_rejects_bad_strings);
  RUN(compare_equal_instants_in_different_zones_are_equal);
  RUN(compare_orders_by_instant_not_by_bytes);
  RUN(compare_is_not_possible_unless_both_are_timestamps);
  RUN(days_across_leap_years_match_python);
  RUN(pre_1970_and_extreme_years_match_python);
  RUN(every_day_from_1600_to_2400_is_one_day_after_the_previous);
  RUN(wall_clock_iso_is_parseable_and_close_to_now);
  RUN(monotonic_clock_does_not_go_back);
  return unitReport();
}
