/*
** progress.h - the progress display of a bulk fetch, on stderr.
**
**   SetterProgressDisplay d;
**   setterProgressInit(&d, SETTER_PROGRESS_AUTO);   (the `progress` setting)
**   settings.xProgress = setterProgressReport;  settings.pProgressCtx = &d;
**   ... setterFetchAll(...) ...                  (its last report clears the line)
**
** Modes (the `progress` setting):
**   SETTER_PROGRESS_OFF (0)   nothing
**   SETTER_PROGRESS_ON (1)    always: on a terminal the line below; elsewhere
**                             plain lines "setter: N/M lookups done", at most
**                             one a second, and one at the end
**   SETTER_PROGRESS_AUTO (2)  the terminal line when stderr is a terminal,
**                             else nothing (the default)
** On a terminal, once a batch of 2 or more lookups has run for
** SETTER_PROGRESS_DELAY_MS, one line is rewritten in place with '\r':
**   setter: 120/500 lookups, 3 retries, 2.4 s
** and cleared with "\r\033[K" when the batch ends, so nothing is left behind.
** A Windows console that cannot do VT processing gets the plain lines in both
** modes (progress.c).
*/
#ifndef SETTER_PROGRESS_H
#define SETTER_PROGRESS_H

#include <stdint.h>

#include "fetch.h"

#define SETTER_PROGRESS_OFF 0
#define SETTER_PROGRESS_ON 1
#define SETTER_PROGRESS_AUTO 2

#define SETTER_PROGRESS_DELAY_MS 1000 /* terminal: show only batches this slow */
#define SETTER_PROGRESS_PLAIN_EVERY_MS 1000

typedef struct SetterProgressDisplay {
  int bTerminal; /* rewrite one line on a terminal */
  int bPlain;    /* plain lines */
  int bShown;    /* the terminal line is on screen */
  int64_t lastPlainMs;
} SetterProgressDisplay;

/* Decides how (and whether) to show progress for eMode; checks isatty(2). */
void setterProgressInit(SetterProgressDisplay *p, int eMode);

/* A SetterFetchSettings.xProgress; pCtx is the SetterProgressDisplay. */
void setterProgressReport(void *pCtx, const SetterProgress *pProgress);

#endif /* SETTER_PROGRESS_H */
