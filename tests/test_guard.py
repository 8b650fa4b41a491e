#!/usr/bin/python3
"""test_guard.py - who may change a setting with setter_config(name, value) (ext/guard.c).

    /usr/bin/python3 tests/run.py --also "/usr/bin/python3 tests/test_guard.py"

Uses the --also environment of tests/run.py: TEST_EXT, TEST_EVIL_PORT. The threat: schema
code of a database file (CHECK, DEFAULT, generated column, index, partial index, trigger,
view) must never change base_url (or the key, the key file, the CA bundle): the next query
would send the key elsewhere. What it proves, table-driven:

  1. SQL texts: a statement that names no table (SELECT or VALUES without FROM or IN) may
     change a setting however it is written (comments between the name and `(`, "quoted"
     and [bracketed] names, nested parentheses, X'..' literals, FROM or IN only inside a
     literal, a comment or a quoted name, several statements of a script); one that can
     reach a table (FROM, IN, WITH, INSERT...) may not, and nor may any statement while
     another statement of the connection is running (busy cursors: the issue's exact
     attack is a Python cursor left unread on `SELECT setter_config(?, ?) UNION ALL
     SELECT 1`);
  2. schema code: every path (CHECK, DEFAULT, virtual and stored generated column, index
     expression, partial index, trigger, view) of a hostile file, with its schema read
     before and after the extension was loaded, with and without a busy cursor, is
     stopped - by SQLite (SQLITE_DIRECTONLY: "unsafe use of setter_config()") or by the
     guard - and base_url never changes. Each outcome is printed, so the output also says
     which paths SQLITE_DIRECTONLY alone stops on the SQLite under test.

The last line is `guard: N passed, N failed`; the exit status is 1 when something failed.
"""
import os
import sqlite3
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check  # noqa: E402
import harness  # noqa: E402

EXT = os.environ["TEST_EXT"]
EVIL = "http://127.0.0.1:%s" % os.environ["TEST_EVIL_PORT"]
REFUSED = "setter_config: settings can be changed only"


def connect(path=":memory:"):
    return harness.connect(EXT, path)


def outcome(db, run):
    """'changed', 'refused' (the guard), 'unsafe' (SQLite) or 'error: ...' of run(db)."""
    before = db.execute("SELECT setter_config('base_url')").fetchone()[0]
    try:
        run(db)
        error = None
    except sqlite3.Error as e:
        error = str(e)
    after = db.execute("SELECT setter_config('base_url')").fetchone()[0]
    if after != before:
        return "changed"
    if error and REFUSED in error:
        return "refused"
    if error and "unsafe use of setter_config()" in error:
        return "unsafe"
    return "error: %s" % error if error else "unchanged, no error"


# ---- 1: SQL texts ----

def execute(sql, args=(EVIL,)):
    return lambda db: db.execute(sql, args).fetchall()


def script(sql):
    return lambda db: db.executescript(sql.replace("EVIL", EVIL))


def busy_then(first, first_args, second):
    """Leaves `first` unread (one row fetched, more to come), then runs `second`."""
    def run(db):
        cursor = db.execute(first, first_args)
        cursor.fetchone()
        try:
            db.execute(second, (EVIL,)).fetchall()
        finally:
            cursor.fetchall()
    return run


TEXTS = [  # (title, run, expected outcome)
    ("a plain SELECT setter_config(name, ?)", execute("SELECT setter_config('base_url', ?)"),
     "changed"),
    ("lower case, a comment between the name and (", execute(
        "select setter_config /* ( FROM t */ ('base_url', ?)"), "changed"),
    ("a line comment between the name and (", execute(
        "SELECT setter_config -- FROM t\n ('base_url', ?)"), "changed"),
    ('a "quoted" function name', execute('SELECT "setter_config"(\'base_url\', ?)'), "changed"),
    ("a [bracketed] function name", execute("SELECT [setter_config]('base_url', ?)"),
     "changed"),
    ("nested parentheses", execute("SELECT setter_config(('base_url'), coalesce(?, (1)))"),
     "changed"),
    ("X'..' literals, FROM and IN inside a string, a quoted name and a comment", execute(
        "SELECT setter_config('base_url', ?) AS [from], X'46524F4D' AS \"in\", 'FROM t' "
        "/* IN t */ -- FROM t"), "changed"),
    ("VALUES (setter_config(...))", execute("VALUES (setter_config('base_url', ?))"),
     "changed"),
    ("the name as a parameter, with other settings in the same SELECT", execute(
        "SELECT setter_config(?, ?), setter_config('timeout_ms', 1234) IS NOT NULL",
        ("base_url", EVIL)), "changed"),
    ("several statements of a script, the setting one in the middle", script(
        "CREATE TEMP TABLE s(a); SELECT setter_config('base_url', 'EVIL'); SELECT 1;"),
     "changed"),
    ("a script whose setting statement reads a table", script(
        "CREATE TEMP TABLE s2(a); INSERT INTO s2 VALUES (1); "
        "SELECT setter_config('base_url', 'EVIL') FROM s2;"),
     "refused"),
    ("FROM a subquery", execute("SELECT setter_config('base_url', ?) FROM (SELECT 1)"),
     "refused"),
    ("FROM written in mixed case after a )", execute(
        "SELECT setter_config('base_url', ?)fRoM (SELECT 1)"), "refused"),
    ("IN (SELECT ...)", execute("SELECT setter_config('base_url', ?) WHERE 1 IN (SELECT 1)"),
     "refused"),
    ("IN a table name", lambda db: (
        db.execute("CREATE TEMP TABLE one(a)"), db.execute("INSERT INTO one VALUES (1)"),
        db.execute("SELECT setter_config('base_url', ?) WHERE 1 IN one", (EVIL,)).fetchall()),
     "refused"),
    ("IN a list (refused too: the guard does not tell lists from tables)", execute(
        "SELECT setter_config('base_url', ?) WHERE 1 IN (1, 2)"), "refused"),
    ("EXISTS (SELECT ... FROM ...)", execute(
        "SELECT setter_config('base_url', ?) WHERE EXISTS (SELECT 1 FROM (SELECT 1))"),
     "refused"),
    ("a WITH clause", execute("WITH x AS (SELECT 1) SELECT setter_config('base_url', ?)"),
     "refused"),
    ("an INSERT", lambda db: (db.execute("CREATE TEMP TABLE IF NOT EXISTS i(a)"),
                              db.execute("INSERT INTO i VALUES (setter_config('base_url', ?))",
                                         (EVIL,))), "refused"),
    ("while another cursor is left unread (the issue's attack, without the hostile file)",
     busy_then("SELECT setter_config(?, ?) UNION ALL SELECT 1", ("cache_ttl", 30),
               "SELECT setter_config('base_url', ?)"), "refused"),
    ("while a cursor on an unrelated table is left unread", busy_then(
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 5) "
        "SELECT x FROM n", (), "SELECT setter_config('base_url', ?)"), "refused"),
    ("after the other cursor is read to the end", lambda db: (
        db.execute("SELECT setter_config(?, ?) UNION ALL SELECT 1", ("cache_ttl", 30)).fetchall(),
        db.execute("SELECT setter_config('base_url', ?)", (EVIL,)).fetchall()), "changed"),
]


def test_texts():
    for title, run, want in TEXTS:
        db = connect()
        got = outcome(db, run)
        check(got == want, "SQL text: %s -> %s" % (title, want), "got %s" % got)
        db.close()


def test_a_change_that_changes_nothing_passes():
    """DB4S runs a statement again as SELECT COUNT(*) FROM (statement): that copy sets each
    setting to the value it has already, which the guard lets through (it changes nothing)."""
    db = connect()
    db.execute("SELECT setter_config('base_url', ?), setter_config('timeout_ms', 1234)",
                (EVIL + "/",)).fetchall()
    try:
        got = db.execute("SELECT count(*) FROM (SELECT setter_config('base_url', ?), "
                         "setter_config('timeout_ms', '1234'), setter_config('progress', NULL))",
                         (EVIL,)).fetchall()
    except sqlite3.Error as e:
        got = str(e)
    check(got == [(1,)], "a statement with FROM that sets settings to the values they have "
          "already succeeds (DB4S's COUNT copy)", repr(got))
    got = outcome(db, execute("SELECT count(*) FROM (SELECT setter_config('base_url', ?))",
                              (EVIL + "/x",)))
    check(got == "refused", "... but one that changes a value is refused", got)
    db.close()


# ---- 2: schema code of a hostile file ----

CALL = "setter_config('base_url', '%s')" % EVIL
PATHS = [  # (path, schema, statement that runs it)
    ("CHECK", ["CREATE TABLE t(a CHECK (%s IS NOT NULL))" % CALL], "INSERT INTO t VALUES (1)"),
    ("DEFAULT", ["CREATE TABLE t(a, b DEFAULT (%s))" % CALL], "INSERT INTO t(a) VALUES (1)"),
    ("virtual generated column", ["CREATE TABLE t(a, b AS (%s))" % CALL],
     "INSERT INTO t(a) VALUES (1); SELECT b FROM t"),
    ("stored generated column", ["CREATE TABLE t(a, b AS (%s) STORED)" % CALL],
     "INSERT INTO t(a) VALUES (1)"),
    ("index expression", ["CREATE TABLE t(a)", "CREATE INDEX ti ON t(setter_config('base_url', a))"],
     "INSERT INTO t VALUES ('%s')" % EVIL),
    ("partial index", ["CREATE TABLE t(a)",
                       "CREATE INDEX ti ON t(a) WHERE %s IS NOT NULL" % CALL],
     "INSERT INTO t VALUES (1)"),
    ("trigger", ["CREATE TABLE t(a)",
                 "CREATE TRIGGER tt AFTER INSERT ON t BEGIN SELECT %s; END" % CALL],
     "INSERT INTO t VALUES (1)"),
    ("view", ["CREATE VIEW v AS SELECT %s AS u" % CALL], "SELECT * FROM v"),
]


def hostile_file(directory, name, schema):
    """The attacker's file: made where setter_config is an ordinary deterministic function."""
    path = os.path.join(directory, name + ".db")
    db = sqlite3.connect(path)
    db.create_function("setter_config", 2, lambda name, value: "x", deterministic=True)
    for sql in schema:
        db.execute(sql)
    db.commit()
    db.close()
    return path


def victim(path, read_schema_first, busy, statements):
    db = sqlite3.connect(path)
    db.enable_load_extension(True)
    if read_schema_first:
        db.execute("SELECT count(*) FROM sqlite_schema").fetchall()
    db.load_extension(EXT)
    cursor = None

    def attack(db):
        nonlocal cursor
        if busy:
            cursor = db.execute("SELECT setter_config(?, ?) UNION ALL SELECT 1", ("cache_ttl", 30))
            cursor.fetchone()
        for sql in statements.split("; "):
            db.execute(sql).fetchall()

    got = outcome(db, attack)
    if cursor is not None:
        cursor.fetchall()
    db.rollback()
    db.close()
    return got


def test_schema_paths():
    with tempfile.TemporaryDirectory(prefix="setter-guard-") as directory:
        for i, (path_name, schema, statements) in enumerate(PATHS):
            for read_first in (True, False):
                for busy in (False, True):
                    path = hostile_file(directory, "h%d%d%d" % (i, read_first, busy), schema)
                    got = victim(path, read_first, busy, statements)
                    when = "schema read %s the extension was loaded%s" % (
                        "before" if read_first else "after",
                        ", a setter_config cursor left unread" if busy else "")
                    who = {"unsafe": "stopped by SQLite (SQLITE_DIRECTONLY)",
                           "refused": "stopped by the guard (SQLITE_DIRECTONLY alone did not)"}
                    check(got in who, "%s, %s: base_url unchanged, %s" % (
                        path_name, when, who.get(got, got)), "got %s" % got)


def test_schema_code_cannot_empty_the_cache():
    """setter_config('cache', 'clear') changes the connection's state as a setting does: from
    schema code it is refused (the entries stay), unless there is nothing to clear."""
    with tempfile.TemporaryDirectory(prefix="setter-guard-") as directory:
        path = hostile_file(directory, "clear", [
            "CREATE TABLE t(a CHECK (setter_config('cache', 'clear') IS NOT NULL))"])
        db = sqlite3.connect(path)
        db.enable_load_extension(True)
        db.execute("SELECT count(*) FROM sqlite_schema").fetchall()   # schema read first
        db.load_extension(EXT)
        db.execute("SELECT setter_config('base_url', ?), setter_config('api_key', ?), "
                   "setter_config('cache_ttl', 60)",
                   ("http://127.0.0.1:%s" % os.environ["TEST_MOCK_PORT"],
                    os.environ["TEST_API_KEY"])).fetchall()
        try:
            db.execute("INSERT INTO t VALUES (1)")
            error = None
        except sqlite3.Error as e:
            error = str(e)
        check(error is None, "a CHECK that clears an empty cache passes (it changes nothing)",
              repr(error))
        rows = db.execute("SELECT count(*) FROM setter_conversations(123, '1234567890')").fetchall()
        before = db.execute("SELECT setter_config('cache')").fetchone()[0]
        try:
            db.execute("INSERT INTO t VALUES (2)")
            error = None
        except sqlite3.Error as e:
            error = str(e)
        after = db.execute("SELECT setter_config('cache')").fetchone()[0]
        check(rows == [(3,)] and before == 1 and after == 1 and error and REFUSED in error,
              "a CHECK that clears a cache holding an answer is refused and the answer stays",
              "rows %r, entries %r then %r, error %r" % (rows, before, after, error))
        db.rollback()
        db.close()


def main():
    for test in (test_texts, test_a_change_that_changes_nothing_passes, test_schema_paths,
                 test_schema_code_cannot_empty_the_cache):
        try:
            test()
        except Exception as e:      # a crash of the test itself counts as one failure
            check(False, "%s ran to the end" % test.__name__, "%s: %s" % (type(e).__name__, e))
    return harness.report("guard")


if __name__ == "__main__":
    sys.exit(main())
