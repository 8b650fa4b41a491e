/*
** compat.h - the SQLite versions the extension runs on, and the routines
** it calls that are newer than the oldest of them.
**
** The extension is compiled against the build machine's sqlite3ext.h but
** runs inside whatever SQLite loads it: DB Browser for SQLite 3.12.2 ships
** SQLite 3.35.5 and, for its SQLCipher build, SQLCipher 4.4.3 (SQLite
** 3.34.1); DB4S 3.13.1 ships 3.46.1; Debian 12 has 3.40.1.  It reaches
** SQLite only through the host's sqlite3_api_routines table, which each
** release extends at its end, so a routine newer than the host lies past the
** end of the host's table: calling it is undefined behaviour (a crash, at
** best).  The load check (setter.c) refuses SQLite older than
** SETTER_SQLITE_MIN, the oldest version the tests run on (make
** test-sqlite-versions); every routine added after it is called through a
** wrapper here, and only here, behind sqlite3_libversion_number(), which
** tells the host's version whatever headers the build used.
** tests/test_sqlite_routines.py checks this against that version's
** sqlite3ext.h.
**
**   setterHasVtabIn()       3.38+: an IN list reaches xFilter whole
**                           (sqlite3_vtab_in).  Before, SQLite runs xFilter
**                           once per IN value, so the extension fetches an
**                           IN list one lookup at a time (still one request
**                           per lookup per statement: the statement cache).
**   setterIsInterrupted(db) 3.41+ (and built with 3.41+ headers):
**                           sqlite3_is_interrupted(db), 1 or 0; -1 where
**                           it does not exist (resolve.c then relies on
**                           its probe statement alone).
**   setterVtabIn(), setterVtabInFirst(), setterVtabInNext()
**                           sqlite3_vtab_in*, or "not handled" (0,
**                           SQLITE_MISUSE) on an older SQLite.
*/
#ifndef SETTER_COMPAT_H
#define SETTER_COMPAT_H

#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3

/* The oldest SQLite the extension loads into (sqlite3_libversion_number). */
#define SETTER_SQLITE_MIN 3034001
#define SETTER_SQLITE_MIN_TEXT "3.34.1"

/* The release that added sqlite3_vtab_in, sqlite3_vtab_in_first/next. */
#define SETTER_SQLITE_VTAB_IN 3038000

static inline int setterHasVtabIn(void) {
  return sqlite3_libversion_number() >= SETTER_SQLITE_VTAB_IN;
}

static inline int setterVtabIn(sqlite3_index_info *pInfo, int iCons, int bHandle) {
  return setterHasVtabIn() ? sqlite3_vtab_in(pInfo, iCons, bHandle) : 0;
}

static inline int setterVtabInFirst(sqlite3_value *pList, sqlite3_value **ppOut) {
  return setterHasVtabIn() ? sqlite3_vtab_in_first(pList, ppOut) : SQLITE_MISUSE;
}

static inline int setterVtabInNext(sqlite3_value *pList, sqlite3_value **ppOut) {
  return setterHasVtabIn() ? sqlite3_vtab_in_next(pList, ppOut) : SQLITE_MISUSE;
}

/* The release that added sqlite3_is_interrupted. */
#define SETTER_SQLITE_IS_INTERRUPTED 3041000

static inline int setterIsInterrupted(sqlite3 *db) {
#if SQLITE_VERSION_NUMBER >= SETTER_SQLITE_IS_INTERRUPTED
  /* the headers know the routine; the host's table has it only from 3.41 */
  if (sqlite3_libversion_number() >= SETTER_SQLITE_IS_INTERRUPTED) {
    return sqlite3_is_interrupted(db) ? 1 : 0;
  }
#endif
  (void)db;
  return -1;
}

#endif /* SETTER_COMPAT_H */
