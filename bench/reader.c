/*
** reader.c - the JSON reader alone on one response body: MB/s of
** setterJsonScan (validation only) and of setterParseResponse with the
** field masks of count(*), content, and every column + raw_json.
**
**   build/bench/reader FILE [ROUNDS]      (make bench builds it)
**
** Prints one line per measure, "NAME MB/s", the best of ROUNDS (default 5)
** runs: the body is copied into a fresh buffer outside the timed part (the
** parser owns and frees it), so only the reading is timed, in CPU time of
** the process (the reader is one thread; on a shared machine wall time
** would also count the waits for a core).  make bench
** builds this file twice, against the reader of this tree and against an
** older one (BENCH_BASE), and bench/bench.py puts both in one table.  It
** uses only what parse.h declares, so it builds against either.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parse.h"
#include "rows.h"

static double nowSeconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Seconds of one parse of z[0..n) with mask; -1 on an error. */
static double timeParse(const char *z, size_t n, unsigned int mask, int64_t *pnRow) {
  char zErr[SETTER_PARSE_ERR_MAX];
  SetterRows *pRows = NULL;
  char *zCopy = malloc(n);
  double t0, t1;
  int rc;
  if (zCopy == NULL) return -1;
  memcpy(zCopy, z, n);
  t0 = nowSeconds();
  rc = setterParseResponse(zCopy, n, mask, 0, &pRows, zErr, sizeof zErr);
  if (rc == SETTER_PARSE_OK) {
    *pnRow = pRows->nRow;
    setterRowsUnref(pRows);
  }
  t1 = nowSeconds();
  if (rc != SETTER_PARSE_OK) {
    fprintf(stderr, "reader: %s\n", zErr);
    return -1;
  }
  return t1 - t0;
}

static double timeScan(const char *z, size_t n) {
  char zErr[SETTER_PARSE_ERR_MAX];
  size_t iEnd;
  double t0 = nowSeconds();
  int rc = setterJsonScan(z, n, &iEnd, zErr, sizeof zErr);
  double t1 = nowSeconds();
  if (rc != SETTER_PARSE_OK) {
    fprintf(stderr, "reader: %s\n", zErr);
    return -1;
  }
  return t1 - t0;
}

int main(int argc, char **argv) {
  static const struct {
    const char *zName;
    unsigned int mask;
  } aMeasure[] = {
      {"count", 0},
      {"content", SETTER_FIELD_BIT(SETTER_FIELD_CONTENT)},
      {"all", SETTER_FIELD_ALL},
  };
  FILE *f;
  char *z;
  long n;
  int nRound = argc > 2 ? atoi(argv[2]) : 5, iRound, k;
  double best;
  int64_t nRow = -1;
  if (argc < 2 || nRound < 1) {
    fprintf(stderr, "usage: reader FILE [ROUNDS]\n");
    return 2;
  }
  f = fopen(argv[1], "rb");
  if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET)) {
    fprintf(stderr, "reader: cannot read %s\n", argv[1]);
    return 2;
  }
  z = malloc((size_t)n);
  if (z == NULL || fread(z, 1, (size_t)n, f) != (size_t)n) {
    fprintf(stderr, "reader: cannot read %s\n", argv[1]);
    return 2;
  }
  fclose(f);
  best = 1e30;
  for (iRound = 0; iRound < nRound; iRound++) {
    double t = timeScan(z, (size_t)n);
    if (t < 0) return 1;
    if (t < best) best = t;
  }
  printf("validate %.0f\n", (double)n / best / 1e6);
  for (k = 0; k < (int)(sizeof aMeasure / sizeof aMeasure[0]); k++) {
    best = 1e30;
    for (iRound = 0; iRound < nRound; iRound++) {
      double t = timeParse(z, (size_t)n, aMeasure[k].mask, &nRow);
      if (t < 0) return 1;
      if (t < best) best = t;
    }
    printf("%s %.0f\n", aMeasure[k].zName, (double)n / best / 1e6);
  }
  printf("rows %lld\n", (long long)nRow);
  free(z);
  return 0;
}
