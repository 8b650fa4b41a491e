/*
** progress.c - the progress display of a bulk fetch (see progress.h).
**
** fetch.c reports counts through SetterFetchSettings.xProgress; this file
** decides what reaches stderr.  It is SQLite-free and writes only to stderr.
*/
#include "progress.h"

#include <stdio.h>
#include <unistd.h>

void setterProgressInit(SetterProgressDisplay *p, int eMode) {
  int bTty = isatty(STDERR_FILENO) == 1;
  p->bTerminal = eMode != SETTER_PROGRESS_OFF && bTty;
  p->bPlain = eMode == SETTER_PROGRESS_ON && !bTty;
  p->bShown = 0;
  p->lastPlainMs = 0;
}

void setterProgressReport(void *pCtx, const SetterProgress *pr) {
  SetterProgressDisplay *p = pCtx;
  if (pr->nTotal < 2) return;
  if (p->bTerminal) {
    if (pr->bFinal) {
      if (p->bShown) fputs("\r\033[K", stderr);
      p->bShown = 0;
    } else if (pr->elapsedMs >= SETTER_PROGRESS_DELAY_MS) {
      fprintf(stderr, "\rsetter: %d/%d lookups, %d %s, %.1f s\033[K", pr->nDone, pr->nTotal,
              pr->nRetries, pr->nRetries == 1 ? "retry" : "retries", (double)pr->elapsedMs / 1000);
      p->bShown = 1;
    }
    fflush(stderr);
  } else if (p->bPlain) {
    if (!pr->bFinal && pr->elapsedMs - p->lastPlainMs < SETTER_PROGRESS_PLAIN_EVERY_MS) return;
    p->lastPlainMs = pr->elapsedMs;
    fprintf(stderr, "setter: %d/%d lookups done\n", pr->nDone, pr->nTotal);
    fflush(stderr);
  }
}
