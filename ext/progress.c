/*
** progress.c - the progress display of a bulk fetch (see progress.h).
**
** fetch.c reports counts through SetterFetchSettings.xProgress; this file
** decides what reaches stderr.  It is SQLite-free and writes only to stderr.
**
** On Windows the line is rewritten only on a console that does VT processing
** ("\033[K"); Init turns it on when it is off (Windows 10 and later can), and
** where it cannot, a console gets the plain lines instead.  Redirected to a
** file, a pipe or NUL (which isatty() calls a terminal too), nothing by
** default, as elsewhere.
*/
#include "progress.h"

#include <stdio.h>
#include <unistd.h>

#ifdef _WIN32
#include <windows.h>
#ifndef ENABLE_VIRTUAL_TERMINAL_PROCESSING
#define ENABLE_VIRTUAL_TERMINAL_PROCESSING 0x0004
#endif

/* 0: stderr is no console; 1: a console showing plain text only; 2: a VT console. */
static int windowsConsole(void) {
  HANDLE h = GetStdHandle(STD_ERROR_HANDLE);
  DWORD mode;
  if (h == NULL || h == INVALID_HANDLE_VALUE || !GetConsoleMode(h, &mode)) return 0;
  if (mode & ENABLE_VIRTUAL_TERMINAL_PROCESSING) return 2;
  return SetConsoleMode(h, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING) ? 2 : 1;
}
#endif

void setterProgressInit(SetterProgressDisplay *p, int eMode) {
  int bTty = isatty(STDERR_FILENO) == 1;
#ifdef _WIN32
  int eConsole = bTty ? windowsConsole() : 0;
  p->bTerminal = eMode != SETTER_PROGRESS_OFF && eConsole == 2;
  p->bPlain = (eMode == SETTER_PROGRESS_ON && eConsole != 2) ||
              (eMode == SETTER_PROGRESS_AUTO && eConsole == 1);
#else
  p->bTerminal = eMode != SETTER_PROGRESS_OFF && bTty;
  p->bPlain = eMode == SETTER_PROGRESS_ON && !bTty;
#endif
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
