/*
** unit.h - a tiny header-only test harness for the C unit tests.
**
** No framework, no registration magic: a test is a void function declared
** with TEST(), main() runs them with RUN() and ends with unitReport().
**
**   #include "unit.h"
**
**   TEST(parse_empty_body_is_an_error) {
**     CHECK(1 + 1 == 2);
**     CHECK_EQ_INT(strlen("abc"), 3);            // actual, expected
**     CHECK_EQ_STR(zGot, "expected text");      // NULL-safe
**     CHECK_EQ_STRN(pCell->u.z, pCell->n, "x"); // text that is not 0-terminated
**     CHECK_EQ_MEM(zA, nA, zB, nB);             // two (pointer, length) texts
**   }
**
**   int main(void) {
**     RUN(parse_empty_body_is_an_error);
**     return unitReport();
**   }
**
** Every failing check prints one line
**   FAIL test_name: file:line: what differed (expected X, got Y)
** and the test goes on (so one run shows every broken check of a test).
** A test passes when none of its checks failed.  unitReport() prints, last,
**   N passed, N failed
** where N counts tests, not checks, and returns the exit status: 0 when
** every test passed, 1 otherwise.  REQUIRE(cond) is CHECK(cond) that also
** returns from the test function when cond is false (use it before
** dereferencing something that may be NULL).
**
** Texts in FAIL lines are escaped (\n, \xNN) and cut at 80 bytes, with the
** offset of the first differing byte, so a 1.5 MB mismatch stays one line.
**
** Not thread safe: call the checks from one thread (thread_test.c keeps its
** own per-thread records and uses only unitRecord() and unitReport()).
*/
#ifndef SETTER_UNIT_H
#define SETTER_UNIT_H

#include <stdio.h>
#include <string.h>

typedef struct UnitState {
  const char *zTest;  /* test now running, for FAIL lines */
  int nFailedChecks;  /* failed checks in the current test */
  int nPassed;        /* tests */
  int nFailed;        /* tests */
} UnitState;

static inline UnitState *unitState(void) {
  static UnitState s;
  return &s;
}

/* Print text z[0..n) escaped, at most 80 bytes of it. */
static inline void unitPrintText(const char *z, size_t n) {
  size_t i;
  if (z == NULL) {
    fputs("NULL", stdout);
    return;
  }
  putchar('"');
  for (i = 0; i < n && i < 80; i++) {
    unsigned char c = (unsigned char)z[i];
    if (c == '\n') fputs("\\n", stdout);
    else if (c == '\r') fputs("\\r", stdout);
    else if (c == '\t') fputs("\\t", stdout);
    else if (c == '"' || c == '\\') printf("\\%c", c);
    else if (c < 0x20 || c >= 0x7f) printf("\\x%02x", c);
    else putchar(c);
  }
  putchar('"');
  if (n > 80) printf("...(%zu bytes)", n);
}

static inline void unitFailStart(const char *zFile, int line) {
  UnitState *s = unitState();
  s->nFailedChecks++;
  printf("FAIL %s: %s:%d: ", s->zTest ? s->zTest : "(no test)", zFile, line);
}

static inline int unitCheck(int ok, const char *zFile, int line, const char *zExpr) {
  if (!ok) {
    unitFailStart(zFile, line);
    printf("%s is false\n", zExpr);
  }
  return ok;
}

static inline int unitCheckInt(long long actual, long long expected, const char *zFile,
                               int line, const char *zActual) {
  if (actual != expected) {
    unitFailStart(zFile, line);
    printf("%s (expected %lld, got %lld)\n", zActual, expected, actual);
    return 0;
  }
  return 1;
}

/* Compare (zA, nA) with (zB, nB); a NULL pointer is only equal to NULL. */
static inline int unitCheckMem(const char *zA, size_t nA, const char *zB, size_t nB,
                               const char *zFile, int line, const char *zActual) {
  size_t i;
  if (zA == NULL || zB == NULL) {
    if (zA == zB) return 1;
  } else if (nA == nB && (nA == 0 || memcmp(zA, zB, nA) == 0)) {
    return 1;
  }
  unitFailStart(zFile, line);
  printf("%s (expected ", zActual);
  unitPrintText(zB, nB);
  fputs(", got ", stdout);
  unitPrintText(zA, nA);
  if (zA && zB) {
    for (i = 0; i < nA && i < nB && zA[i] == zB[i]; i++) {
    }
    printf("; lengths %zu vs %zu, first difference at byte %zu", nB, nA, i);
  }
  puts(")");
  return 0;
}

static inline int unitCheckStr(const char *zA, const char *zB, const char *zFile, int line,
                               const char *zActual) {
  return unitCheckMem(zA, zA ? strlen(zA) : 0, zB, zB ? strlen(zB) : 0, zFile, line, zActual);
}

static inline int unitCheckStrN(const char *zA, size_t nA, const char *zB, const char *zFile,
                                int line, const char *zActual) {
  return unitCheckMem(zA, nA, zB, zB ? strlen(zB) : 0, zFile, line, zActual);
}

/* A test is what runs between unitBegin and unitEnd; unitRun runs one
** function as a test. */
static inline void unitBegin(const char *zName) {
  UnitState *s = unitState();
  s->zTest = zName;
  s->nFailedChecks = 0;
}

static inline void unitEnd(void) {
  UnitState *s = unitState();
  fflush(stdout);
  if (s->nFailedChecks) s->nFailed++;
  else s->nPassed++;
  s->zTest = NULL;
}

static inline void unitRun(const char *zName, void (*xTest)(void)) {
  unitBegin(zName);
  xTest();
  unitEnd();
}

/* Count one test whose checks were done elsewhere (e.g. in a thread). */
static inline void unitRecord(int ok) {
  if (ok) unitState()->nPassed++;
  else unitState()->nFailed++;
}

static inline int unitReport(void) {
  UnitState *s = unitState();
  printf("%d passed, %d failed\n", s->nPassed, s->nFailed);
  fflush(stdout);
  return s->nFailed ? 1 : 0;
}

#define TEST(name) static void name(void)
#define RUN(name) unitRun(#name, name)

#define CHECK(cond) unitCheck((cond) ? 1 : 0, __FILE__, __LINE__, #cond)
#define REQUIRE(cond) \
  do { \
    if (!CHECK(cond)) return; \
  } while (0)
#define CHECK_EQ_INT(actual, expected) \
  unitCheckInt((long long)(actual), (long long)(expected), __FILE__, __LINE__, #actual)
#define CHECK_EQ_STR(actual, expected) \
  unitCheckStr((actual), (expected), __FILE__, __LINE__, #actual)
#define CHECK_EQ_STRN(actual, nActual, expected) \
  unitCheckStrN((actual), (size_t)(nActual), (expected), __FILE__, __LINE__, #actual)
#define CHECK_EQ_MEM(actual, nActual, expected, nExpected) \
  unitCheckMem((actual), (size_t)(nActual), (expected), (size_t)(nExpected), __FILE__, \
               __LINE__, #actual)

#endif /* SETTER_UNIT_H */
