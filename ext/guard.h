/*
** guard.h - whether setter_config(name, value) may change a setting now.
**
**   if (!setterGuardAllowsChange(db)) -> refuse with SETTER_GUARD_RULE
**
** The threat model and the rule are in guard.c.
*/
#ifndef SETTER_GUARD_H
#define SETTER_GUARD_H

#include <sqlite3ext.h>

/* The rule, as said in the error of a refused change (after "setter_config: "). */
#define SETTER_GUARD_RULE                                                                 \
  "settings can be changed only by a SELECT or VALUES statement that names no table (no " \
  "FROM, no IN), while no other statement of this connection is running (never from a "   \
  "CHECK constraint, DEFAULT, generated column, index, view or trigger)"

/* True if the statement now calling setter_config on db may change a
** setting.  Called from inside setter_config (db's mutex held). */
int setterGuardAllowsChange(sqlite3 *db);

/* True if zSql is a statement that names no table: its first word is
** SELECT or VALUES and no FROM or IN word follows, outside string and blob
** literals, quoted names and comments.  SQLite-free; exposed for tests. */
int setterGuardNamesNoTable(const char *zSql);

#endif /* SETTER_GUARD_H */
