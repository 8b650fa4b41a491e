#!/usr/bin/python3
"""
tests/test_python.py - the extension seen from Python's sqlite3 module.

    /usr/bin/python3 tests/test_python.py            # standalone: starts its own mocks
    /usr/bin/python3 tests/test_python.py -v         # also print a line per passing test
    /usr/bin/python3 tests/test_python.py -k unicode # only tests whose name contains "unicode"

Run by `make test` as an `--also` program of tests/run.py, which passes TEST_MOCK_PORT,
TEST_EVIL_PORT, TEST_API_KEY, TEST_EXT, TEST_ROOT, SETTER_API_KEY and SETTER_BASE_URL (see
tests/README.md). When TEST_MOCK_PORT is missing, the file starts tests/mock_api.py twice
itself (the API mock and an "evil" mock with another key) and stops them at the end.

Standard library only. Debian's /usr/bin/python3 is built with extension loading enabled
(`Connection.enable_load_extension`); a Python without it fails every test with a clear message.

Output: one `FAIL name` block per failing test (traceback, key redacted), then, last and alone
on its line, `N passed, N failed`. Exit status 0 when nothing failed, else 1.
The API key never appears in the output: every line printed goes through `redact()`.
"""

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

ROOT = os.environ.get("TEST_ROOT") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_KEY = "test-key-0123456789abcdef"
EVIL_KEY = "evil-key-fedcba9876543210"

# Filled in by setup_environment().
KEY = None          # the API mock's key
EXT = None          # extension path without suffix
PORT = None         # API mock port
EVIL_PORT = None    # evil mock port (another key; must never see a request)
BASE_URL = None

# No proxy for the mock, whatever the environment says.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def redact(text):
    if KEY:
        text = text.replace(KEY, "<API-KEY>")
    return text


# ------------------------------------------------------------------------------------------
# Mock servers
# ------------------------------------------------------------------------------------------

def _start_mock(key):
    return harness.start_mock(key)


stop_mocks = harness.stop_mocks


def setup_environment():
    """Sets the globals and this process's SETTER_* environment (read by the extension at
    load time)."""
    global KEY, EXT, PORT, EVIL_PORT, BASE_URL
    os.chdir(ROOT)
    EXT = os.environ.get("TEST_EXT") or os.path.join(ROOT, "dist", "setter")
    if os.environ.get("TEST_MOCK_PORT"):
        KEY = os.environ.get("TEST_API_KEY") or DEFAULT_KEY
        PORT = int(os.environ["TEST_MOCK_PORT"])
        EVIL_PORT = int(os.environ["TEST_EVIL_PORT"]) if os.environ.get("TEST_EVIL_PORT") else None
    else:
        KEY = DEFAULT_KEY
        for name in list(os.environ):
            if name.startswith("SETTER_") or name.lower().endswith("_proxy"):
                del os.environ[name]
        PORT = _start_mock(KEY)
        EVIL_PORT = _start_mock(EVIL_KEY)
    BASE_URL = "http://127.0.0.1:%d" % PORT
    os.environ["SETTER_API_KEY"] = KEY
    os.environ["SETTER_BASE_URL"] = BASE_URL


def mock_get(port, path, method="GET"):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method=method)
    with _opener.open(req, timeout=10) as resp:
        return json.loads(resp.read().decode("utf-8"))


def mock_reset():
    mock_get(PORT, "/__mock/reset", "POST")
    if EVIL_PORT:
        mock_get(EVIL_PORT, "/__mock/reset", "POST")


def mock_requests(port=None):
    return mock_get(port or PORT, "/__mock/stats")["requests"]


def mock_log():
    return mock_get(PORT, "/__mock/log")


# ------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------

def connect(path=":memory:", ext=None):
    conn = sqlite3.connect(path)
    conn.enable_load_extension(True)
    conn.load_extension(ext or EXT)
    conn.enable_load_extension(False)
    return conn


HUGE_CONTENT = ("0123456789" * 150000)[:1499999] + "!"

UNICODE_CONTENTS = [
    (1, "caf\u00e9 \u65e5\u672c\u8a9e \U0001F600"),
    (2, "caf\u00e9 \u65e5\u672c\u8a9e \U0001F600"),
    (3, 'She said "hi" and C:\\temp\\new'),
    (4, "line1\nline2\tcol2\r\nline3"),
    (5, ""),
    (6, "/slash \u00c9 A"),
]

VISIBLE_COLUMNS = [
    "message_id", "sender_type", "content", "created_at", "latest_status", "failure_reason",
    "error_code", "error_title", "error_message", "error_details", "platform_resource_id",
    "context_starts_at", "in_context",
]


class SetterTest(unittest.TestCase):
    maxDiff = 4000

    def setUp(self):
        mock_reset()
        self.conn = connect()

    def tearDown(self):
        self.conn.close()

    def assertNoKey(self, text):
        # Never assertNotIn(KEY, text): its failure message would print the key.
        self.assertFalse(KEY in text, "the API key appears in: %r" % redact(text))

    def assertSetterError(self, sql, params=(), conn=None, contains=()):
        """Runs sql, expects sqlite3.OperationalError prefixed `setter_conversations: `,
        and that not a single row came out before it. Returns the message."""
        conn = conn or self.conn
        rows = []
        with self.assertRaises(sqlite3.OperationalError) as cm:
            for row in conn.execute(sql, params):
                rows.append(row)
        msg = str(cm.exception)
        self.assertNoKey(msg)
        self.assertEqual(rows, [], "rows came out before the error %r" % msg)
        self.assertTrue(msg.startswith("setter_conversations: "), "message: %r" % msg)
        for part in contains:
            self.assertIn(part, msg)
        return msg


# ------------------------------------------------------------------------------------------
# The tests
# ------------------------------------------------------------------------------------------

class TestLoading(SetterTest):

    def test_load_extension_from_TEST_EXT_registers_table_and_functions(self):
        self.assertRegex(self.conn.execute("SELECT setter_version()").fetchone()[0],
                         r"^\d+\.\d+\.\d+")
        names = [r[1] for r in self.conn.execute("PRAGMA table_xinfo(setter_conversations)")]
        self.assertEqual(names[:3], ["bot_integration_id", "user_number", "session_id"])
        self.assertEqual(names[3:-2], VISIBLE_COLUMNS)
        self.assertEqual(names[-2:], ["raw_json", "lookup_error"])

    def test_load_extension_relative_path_without_suffix(self):
        # cwd is the repository root (as the runner promises and setup_environment() makes sure)
        conn = sqlite3.connect(":memory:")
        try:
            conn.enable_load_extension(True)
            conn.load_extension("dist/setter")
            self.assertEqual(conn.execute(
                "SELECT count(*) FROM setter_conversations(123, '1234567890')").fetchone(), (3,))
        finally:
            conn.close()

    def test_load_extension_sql_function_after_enable(self):
        conn = sqlite3.connect(":memory:")
        try:
            conn.enable_load_extension(True)
            conn.execute("SELECT load_extension(?)", (EXT,))
            self.assertEqual(conn.execute(
                "SELECT count(*) FROM setter_conversations "
                "WHERE bot_integration_id = 5 AND session_id = 42").fetchone(), (2,))
        finally:
            conn.close()

    def test_load_extension_twice_from_sql_keeps_working(self):
        # DB Browser for SQLite runs a statement several times (row count, then rows), so
        # `SELECT load_extension(...)` loads the extension again on the same connection while
        # a statement is active. That must not fail nor leave functions pointing at freed
        # memory. Run in a child process (MALLOC_PERTURB_ makes a use-after-free visible),
        # so that a crash cannot take the other tests down with it.
        code = r"""
import sqlite3, sys
ext = sys.argv[1]
conn = sqlite3.connect(":memory:")
conn.enable_load_extension(True)
conn.execute("SELECT load_extension(?)", (ext,)).fetchall()
conn.execute("SELECT setter_config('timeout_ms', 1234)")
try:
    conn.execute("SELECT load_extension(?)", (ext,)).fetchall()
except sqlite3.Error as e:
    print("second load_extension() failed: %s" % e)
print("timeout_ms", conn.execute("SELECT setter_config('timeout_ms')").fetchone()[0])
print("rows", conn.execute("SELECT count(*) FROM setter_conversations(123, '1234567890')").fetchone()[0])
print("requests", conn.execute("SELECT count(*) FROM setter_requests").fetchone()[0])
"""
        env = dict(os.environ, MALLOC_PERTURB_="165")
        proc = subprocess.run([sys.executable, "-c", code, EXT], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        out = redact(proc.stdout.decode("utf-8", "replace"))
        self.assertEqual(proc.returncode, 0, "child exited with %d:\n%s" % (proc.returncode, out))
        self.assertFalse("failed" in out, "loading twice from SQL:\n" + out)
        self.assertIn("rows 3\n", out)

    def test_extension_in_file_database_and_reopen(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "crm.db")
            conn = connect(path)
            conn.execute("CREATE TABLE leads(name TEXT, phone TEXT)")
            conn.execute("INSERT INTO leads VALUES ('Ann', '1234567890')")
            conn.commit()
            conn.close()
            conn = connect(path)
            try:
                rows = conn.execute(
                    "SELECT l.name, c.message_id FROM leads l JOIN setter_conversations c "
                    "ON c.bot_integration_id = 123 AND c.user_number = l.phone").fetchall()
                self.assertEqual(rows, [("Ann", 789), ("Ann", 790), ("Ann", 791)])
            finally:
                conn.close()


class TestValues(SetterTest):

    def test_plain_query_returns_python_int_str_and_none(self):
        rows = self.conn.execute(
            "SELECT * FROM setter_conversations "
            "WHERE bot_integration_id = 123 AND user_number = '1234567890'").fetchall()
        self.assertEqual(rows[0], (
            789, "user", "Hi! I'd like to book an appointment.", "2024-01-15T14:30:00.000Z",
            "delivered", None, None, None, None, None, "wamid.abc123",
            "2024-01-15T14:30:05.000Z", 0))
        self.assertEqual(rows[1][0:5], (790, "bot", "Sure! What day works for you?",
                                        "2024-01-15T14:30:05.000Z", "read"))
        self.assertEqual(rows[1][12], 1)
        self.assertEqual(rows[2], (
            791, "bot", "Reminder: your appointment is tomorrow.", "2024-01-16T09:00:00.000Z",
            "failed", "Message undeliverable", 131026, "Message undeliverable",
            "Receiver is incapable of receiving this message",
            '{"details":"Receiver is incapable of receiving this message","fbtrace_id":"AbC123"}',
            "wamid.abc125", "2024-01-15T14:30:05.000Z", 1))
        for row in rows:
            self.assertIs(type(row[0]), int)
            self.assertIs(type(row[12]), int)
        self.assertIs(type(rows[2][6]), int)
        self.assertEqual(len(rows), 3)

    def test_hidden_columns_read_back_as_given_and_raw_json_is_the_wire_object(self):
        rows = self.conn.execute(
            "SELECT bot_integration_id, user_number, session_id, raw_json "
            "FROM setter_conversations(123, '1234567890')").fetchall()
        self.assertEqual([r[:3] for r in rows], [(123, "1234567890", None)] * 3)
        self.assertEqual(json.loads(rows[0][3])["messageId"], 789)
        self.assertEqual(rows[0][3],
                         '{"botIntegrationId":123,"content":"Hi! I\'d like to book an appointment.",'
                         '"senderType":"user","createdAt":"2024-01-15T14:30:00.000Z","messageId":789,'
                         '"platformResourceId":"wamid.abc123","latestStatus":"delivered",'
                         '"failureReason":null,"errorCode":null,"errorTitle":null,'
                         '"errorMessage":null,"errorDetails":null}')

    def test_big_ids_come_back_as_exact_python_ints(self):
        rows = self.conn.execute(
            "SELECT message_id, error_code, typeof(message_id), "
            "json_extract(raw_json, '$.botIntegrationId') "
            "FROM setter_conversations(123, 'bigids')").fetchall()
        self.assertEqual(rows, [
            (2147483648, None, "integer", 4294967296),
            (9007199254740993, None, "integer", 4294967296),
            (9223372036854775807, 4294967297, "integer", 4294967296),
        ])
        self.assertIs(type(rows[1][0]), int)
        self.assertIs(type(rows[2][1]), int)

    def test_big_id_as_a_bound_parameter_matches_exactly(self):
        rows = self.conn.execute(
            "SELECT content FROM setter_conversations(123, 'bigids') WHERE message_id = ?",
            (9007199254740993,)).fetchall()
        self.assertEqual(rows, [("big id 2",)])
        rows = self.conn.execute(
            "SELECT content FROM setter_conversations(123, 'bigids') WHERE message_id = ?",
            (9007199254740992,)).fetchall()
        self.assertEqual(rows, [])

    def test_missing_odd_fields_map_to_none_text_and_typed_error_code(self):
        rows = self.conn.execute(
            "SELECT message_id, content, error_code, error_details, context_starts_at, "
            "in_context FROM setter_conversations(123, 'missing')").fetchall()
        self.assertEqual(rows, [
            (1, "only id and content", None, None, None, None),
            (None, None, None, None, None, None),
            (3, "extra fields", None, None, None, None),
            (4, "string code", "E_TIMEOUT", '[1,"two",null]', None, None),
            (5, "fractional code", "1.5", "42", None, None),
            (6, "string details", 0, '"plain text details"', None, None),
            (7, "boolean details", -7, "true", None, None),
            (8, "nested details", 131026, '{"a":1,"b":[1,2,{"c":null}],"d":"x y"}', None, None),
            (None, None, None, None, None, None),
        ])
        self.assertIs(type(rows[5][2]), int)

    def test_raw_json_keeps_unknown_fields_as_compact_json(self):
        # tests/MOCK.md: the wire text of messages 3 and 8 of `missing` has spaces (and a
        # newline); raw_json is the compact re-print.
        raw = [r[0] for r in self.conn.execute(
            "SELECT raw_json FROM setter_conversations(123, 'missing')")]
        self.assertEqual(len(raw), 9)
        self.assertEqual(json.loads(raw[2])["newField"], {"a": [1, 2]})
        self.assertEqual(raw[8], "{}")
        self.assertEqual(raw[2], '{"messageId":3,"content":"extra fields","senderType":"bot",'
                                 '"newField":{"a":[1,2]},"latestStatus":"sent","anotherField":"x"}')
        self.assertEqual(raw[7], '{"messageId":8,"content":"nested details","latestStatus":'
                                 '"failed","errorCode":131026,"errorDetails":{"a":1,"b":[1,2,'
                                 '{"c":null}],"d":"x y"}}')

    def test_unicode_contents_equal_the_expected_python_strings(self):
        rows = self.conn.execute(
            "SELECT message_id, content FROM setter_conversations(123, 'unicode')").fetchall()
        self.assertEqual(rows, UNICODE_CONTENTS)
        # 10 characters (c a f e-acute, space, 3 CJK, space, U+1F600), 20 UTF-8 bytes.
        # (tests/MOCK.md says 12 characters; Python and SQLite both count 10.)
        self.assertEqual(rows[0][1].encode("utf-8").hex(),
                         "636166c3a920e697a5e69cace8aa9e20f09f9880")
        self.assertEqual(self.conn.execute(
            "SELECT length(content), length(CAST(content AS BLOB)) "
            "FROM setter_conversations(123, 'unicode') WHERE message_id = 1").fetchone(), (10, 20))

    def test_huge_content_of_1_5_MB_arrives_exactly(self):
        (content,) = self.conn.execute(
            "SELECT content FROM setter_conversations(123, 'huge')").fetchone()
        self.assertEqual(len(content), 1500000)
        self.assertTrue(content == HUGE_CONTENT, "content differs from the expected 1.5 MB text "
                        "(starts %r, ends %r)" % (content[:20], content[-20:]))

    def test_row_factory_sqlite3_Row_gives_access_by_column_name(self):
        self.conn.row_factory = sqlite3.Row
        rows = self.conn.execute(
            "SELECT * FROM setter_conversations(123, '1234567890')").fetchall()
        self.assertEqual(rows[0].keys(), VISIBLE_COLUMNS)
        self.assertEqual(rows[0]["message_id"], 789)
        self.assertEqual(rows[2]["ERROR_CODE"], 131026)   # sqlite3.Row is case-insensitive
        self.assertEqual(rows[2]["error_details"],
                         '{"details":"Receiver is incapable of receiving this message",'
                         '"fbtrace_id":"AbC123"}')
        self.assertIsNone(rows[0]["failure_reason"])
        self.assertEqual(dict(rows[1])["sender_type"], "bot")
        cur = self.conn.execute(
            "SELECT message_id AS id, user_number FROM setter_conversations(123, '1234567890')")
        self.assertEqual([d[0] for d in cur.description], ["id", "user_number"])
        self.assertEqual(cur.fetchone()["user_number"], "1234567890")


class TestParameters(SetterTest):

    def test_positional_parameters_for_bot_and_user_number(self):
        rows = self.conn.execute(
            "SELECT message_id, sender_type FROM setter_conversations "
            "WHERE bot_integration_id = ? AND user_number = ?", (123, "1234567890")).fetchall()
        self.assertEqual(rows, [(789, "user"), (790, "bot"), (791, "bot")])

    def test_named_parameters_and_session_id(self):
        rows = self.conn.execute(
            "SELECT message_id, content, platform_resource_id FROM setter_conversations "
            "WHERE bot_integration_id = :bot AND session_id = :sid",
            {"bot": 5, "sid": 42}).fetchall()
        self.assertEqual(rows, [(5001, "Hello, is anyone there?", None),
                                (5002, "Hi! I'm the Playground assistant. How can I help?", None)])

    def test_table_valued_form_with_parameters(self):
        rows = self.conn.execute(
            "SELECT message_id FROM setter_conversations(?, ?)", (123, "bigids")).fetchall()
        self.assertEqual(rows, [(2147483648,), (9007199254740993,), (9223372036854775807,)])

    def test_parameter_with_special_characters_reaches_the_server_exactly(self):
        number = "echo+1 a&b#c%d/\u00e9"
        (content, query) = self.conn.execute(
            "SELECT content, platform_resource_id FROM setter_conversations(?, ?)",
            (123, number)).fetchone()
        self.assertEqual(content, number)
        self.assertEqual(query, "userNumber=echo%2B1%20a%26b%23c%25d%2F%C3%A9")

    def test_same_statement_reexecuted_with_other_parameters(self):
        sql = "SELECT count(*) FROM setter_conversations WHERE bot_integration_id = ? " \
              "AND user_number = ?"
        counts = [self.conn.execute(sql, (777, u)).fetchone()[0] for u in ("a", "b", "c")]
        self.assertEqual(counts, [2, 3, 1])

    def test_null_parameter_gives_zero_rows_and_no_request(self):
        rows = self.conn.execute(
            "SELECT * FROM setter_conversations WHERE bot_integration_id = ? AND user_number = ?",
            (123, None)).fetchall()
        self.assertEqual(rows, [])
        self.assertEqual(mock_requests(), 0)

    def test_in_list_from_python_values(self):
        rows = self.conn.execute(
            "SELECT user_number, count(*) FROM setter_conversations "
            "WHERE bot_integration_id = 777 AND user_number IN (?, ?, ?) "
            "GROUP BY user_number ORDER BY user_number", ("a", "b", "c")).fetchall()
        self.assertEqual(rows, [("a", 2), ("b", 3), ("c", 1)])
        self.assertEqual(mock_requests(), 3)


class TestJoin(SetterTest):

    def setUp(self):
        super().setUp()
        self.conn.execute("CREATE TABLE leads(name TEXT, phone TEXT)")
        for lead in [("Ann", "a"), ("Bob", "b"), ("Cid", "c"), ("Ann again", "a"), ("Nil", None)]:
            self.conn.execute("INSERT INTO leads VALUES (?, ?)", lead)
        mock_reset()

    def test_join_with_leads_table_one_request_per_distinct_lead(self):
        rows = self.conn.execute(
            "SELECT l.name, c.message_id, c.latest_status FROM leads l "
            "JOIN setter_conversations c ON c.bot_integration_id = ? AND c.user_number = l.phone "
            "ORDER BY l.rowid, c.message_id", (777,)).fetchall()
        self.assertEqual(rows, [
            ("Ann", 971, "delivered"), ("Ann", 972, "failed"),
            ("Bob", 981, "delivered"), ("Bob", 982, "failed"), ("Bob", 983, "delivered"),
            ("Cid", 991, "delivered"),
            ("Ann again", 971, "delivered"), ("Ann again", 972, "failed"),
        ])
        self.assertEqual(mock_requests(), 3)

    def test_left_join_aggregate_keeps_leads_without_messages(self):
        rows = self.conn.execute(
            "SELECT l.name, count(c.message_id), sum(c.latest_status = 'failed') FROM leads l "
            "LEFT JOIN setter_conversations c "
            "ON c.bot_integration_id = 123 AND c.user_number = l.phone "
            "GROUP BY l.rowid ORDER BY l.rowid").fetchall()
        self.assertEqual(rows, [("Ann", 0, None), ("Bob", 0, None), ("Cid", 0, None),
                                ("Ann again", 0, None), ("Nil", 0, None)])

    def test_in_subquery_over_leads(self):
        rows = self.conn.execute(
            "SELECT user_number, count(*), sum(latest_status = 'failed') "
            "FROM setter_conversations WHERE bot_integration_id = 777 "
            "AND user_number IN (SELECT phone FROM leads) "
            "GROUP BY user_number ORDER BY user_number").fetchall()
        self.assertEqual(rows, [("a", 2, 1), ("b", 3, 1), ("c", 1, 0)])
        self.assertEqual(mock_requests(), 3)

    def test_sync_into_local_table_is_idempotent(self):
        self.conn.execute("CREATE TABLE messages(message_id INTEGER PRIMARY KEY, phone TEXT, "
                          "content TEXT)")
        sql = ("INSERT INTO messages SELECT c.message_id, c.user_number, c.content "
               "FROM leads l JOIN setter_conversations c "
               "ON c.bot_integration_id = 777 AND c.user_number = l.phone "
               "WHERE true ON CONFLICT DO NOTHING")
        with self.conn:
            self.conn.execute(sql)
        with self.conn:
            self.conn.execute(sql)
        self.assertEqual(self.conn.execute("SELECT count(*), sum(message_id) FROM messages")
                         .fetchone(), (6, 971 + 972 + 981 + 982 + 983 + 991))


class TestErrors(SetterTest):

    def test_http_404_raises_operational_error_with_prefix_and_no_rows(self):
        msg = self.assertSetterError(
            "SELECT * FROM setter_conversations WHERE bot_integration_id = ? AND user_number = ?",
            (404, "1234567890"), contains=("404", "Bot integration not found"))
        self.assertIn("bot_integration_id 404", msg)

    def test_invalid_json_after_valid_messages_gives_no_partial_rows(self):
        self.assertSetterError("SELECT message_id FROM setter_conversations(9, 'valid-then-invalid')")

    def test_in_list_with_one_failing_lookup_gives_no_rows(self):
        self.assertSetterError(
            "SELECT message_id FROM setter_conversations "
            "WHERE bot_integration_id = 9 AND user_number IN ('status-404-py', 'status-500-py')")

    def test_missing_user_number_names_the_column(self):
        self.assertSetterError("SELECT * FROM setter_conversations WHERE bot_integration_id = 123",
                               contains=("user_number or session_id",))
        self.assertEqual(mock_requests(), 0)

    def test_missing_bot_names_the_column(self):
        self.assertSetterError("SELECT * FROM setter_conversations WHERE user_number = 'x'",
                               contains=("bot_integration_id",))

    def test_wrong_key_gives_401_and_the_key_text_is_never_in_the_message(self):
        wrong = "wrong-key-" + "9" * 30
        self.assertEqual(self.conn.execute("SELECT setter_config('api_key', ?)", (wrong,))
                         .fetchone()[0], "****9999")
        msg = self.assertSetterError("SELECT * FROM setter_conversations(123, '1234567890')",
                                     contains=("401", "Invalid API key"))
        self.assertFalse(wrong in msg)
        self.assertFalse("wrong-key" in msg)

    def test_no_key_names_SETTER_API_KEY_and_setter_config_and_sends_nothing(self):
        self.conn.execute("SELECT setter_config('api_key', NULL)")
        self.assertIsNone(self.conn.execute("SELECT setter_config('api_key')").fetchone()[0])
        self.assertSetterError("SELECT * FROM setter_conversations(123, '1234567890')",
                               contains=("SETTER_API_KEY", "setter_config"))
        self.assertEqual(mock_requests(), 0)

    def test_key_never_in_errors_config_or_request_log(self):
        lookups = [(404, "x"), (403, "x"), (9, "status-500-k"), (9, "control-chars"),
                   (9, "invalid"), (9, "html")]
        texts = []
        for bot, who in lookups:
            try:
                self.conn.execute("SELECT * FROM setter_conversations(?, ?)", (bot, who)).fetchall()
                texts.append("no error for %s" % who)
            except sqlite3.Error as e:
                texts.append(str(e))
        self.conn.execute("SELECT setter_config('max_retries', 0)")
        for (name,) in [("api_key",), ("base_url",), ("api_key_file",)]:
            texts.append(repr(self.conn.execute("SELECT setter_config(?)", (name,)).fetchone()))
        logged = [repr(row) for row in self.conn.execute("SELECT * FROM setter_requests")]
        # every attempt the mock saw is a row of the log, and each row is checked below
        self.assertEqual(len(logged), mock_requests(), redact(repr(logged)))
        self.assertGreaterEqual(len(logged), len(lookups))
        texts += logged
        for t in texts:
            self.assertNoKey(t)
        self.assertFalse(any(t.startswith("no error") for t in texts), redact(repr(texts)))

    def test_cursor_is_usable_after_an_error(self):
        self.assertSetterError("SELECT * FROM setter_conversations(404, 'x')")
        self.assertEqual(self.conn.execute(
            "SELECT count(*) FROM setter_conversations(123, '1234567890')").fetchone(), (3,))

    def test_config_errors_are_operational_errors(self):
        with self.assertRaises(sqlite3.OperationalError) as cm:
            self.conn.execute("SELECT setter_config('timeout_ms', 'abc')")
        self.assertIn("timeout_ms", str(cm.exception))
        with self.assertRaises(sqlite3.OperationalError) as cm:
            self.conn.execute("SELECT setter_config('no_such_setting')")
        self.assertIn("no_such_setting", str(cm.exception))
        with self.assertRaises(sqlite3.OperationalError) as cm:
            self.conn.execute("SELECT setter_config('base_url', 'http://example.com')")
        self.assertIn("https", str(cm.exception))


class TestConfig(SetterTest):

    def test_environment_is_read_at_load(self):
        self.assertEqual(self.conn.execute("SELECT setter_config('base_url')").fetchone()[0],
                         BASE_URL)
        self.assertEqual(self.conn.execute("SELECT setter_config('api_key')").fetchone()[0],
                         "****" + KEY[-4:] if len(KEY) >= 16 else "****")
        self.assertEqual(self.conn.execute("SELECT setter_config('timeout_ms')").fetchone()[0],
                         30000)

    def test_setter_config_sets_key_and_base_url_from_python(self):
        saved = {k: os.environ.pop(k) for k in ("SETTER_API_KEY", "SETTER_BASE_URL")}
        try:
            conn = connect()
        finally:
            os.environ.update(saved)
        try:
            self.assertEqual(conn.execute("SELECT setter_config('base_url')").fetchone()[0],
                             "https://chat.trysetter.com")
            self.assertIsNone(conn.execute("SELECT setter_config('api_key')").fetchone()[0])
            conn.execute("SELECT setter_config('api_key', ?)", (KEY,))
            conn.execute("SELECT setter_config('base_url', ?)", (BASE_URL + "/",))
            self.assertEqual(conn.execute("SELECT setter_config('base_url')").fetchone()[0],
                             BASE_URL)
            self.assertEqual(conn.execute(
                "SELECT count(*) FROM setter_conversations(123, '1234567890')").fetchone(), (3,))
            self.assertEqual(conn.execute("SELECT setter_config('timeout_ms', 5000)").fetchone(),
                             (5000,))
            self.assertEqual(conn.execute("SELECT setter_config('timeout_ms', NULL)").fetchone(),
                             (30000,))
        finally:
            conn.close()

    def test_api_key_file_from_python(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "key")
            with open(path, "w") as f:
                f.write(KEY + "\n")
            self.conn.execute("SELECT setter_config('api_key', 'wrong-key-0000')")
            self.conn.execute("SELECT setter_config('api_key_file', ?)", (path,))
            self.assertEqual(self.conn.execute(
                "SELECT count(*) FROM setter_conversations(123, '1234567890')").fetchone(), (3,))

    def test_two_connections_have_independent_settings(self):
        other = connect()
        try:
            other.execute("SELECT setter_config('api_key', 'another-wrong-key-000000')")
            other.execute("SELECT setter_config('timeout_ms', 1234)")
            other.execute("SELECT setter_config('base_url', 'http://127.0.0.1:1')")
            self.assertEqual(self.conn.execute("SELECT setter_config('timeout_ms')").fetchone(),
                             (30000,))
            self.assertEqual(self.conn.execute("SELECT setter_config('base_url')").fetchone(),
                             (BASE_URL,))
            self.assertEqual(self.conn.execute(
                "SELECT count(*) FROM setter_conversations(123, '1234567890')").fetchone(), (3,))
            self.assertSetterError("SELECT * FROM setter_conversations(123, '1234567890')",
                                   conn=other)
            other.execute("SELECT setter_config('base_url', ?)", (BASE_URL,))
            self.assertSetterError("SELECT * FROM setter_conversations(123, '1234567890')",
                                   conn=other, contains=("401",))
            # and the first connection still has its own key
            self.assertEqual(self.conn.execute(
                "SELECT count(*) FROM setter_conversations(123, 'bigids')").fetchone(), (3,))
            # request logs are per connection too
            n_self = self.conn.execute("SELECT count(*) FROM setter_requests").fetchone()[0]
            statuses = [r[0] for r in other.execute("SELECT status FROM setter_requests")]
            self.assertEqual(n_self, 2)
            self.assertIn(401, statuses)
        finally:
            other.close()

    def test_setter_config_is_refused_inside_a_view_or_trigger(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "evil.db")
            plain = sqlite3.connect(path)
            plain.execute("CREATE VIEW v AS SELECT setter_config('base_url', "
                          "'http://127.0.0.1:%d') AS x" % (EVIL_PORT or 1))
            plain.execute("CREATE TABLE t(a)")
            plain.execute("CREATE TRIGGER tr AFTER INSERT ON t BEGIN "
                          "SELECT setter_config('api_key', 'stolen'); END")
            plain.commit()
            plain.close()
            conn = connect(path)
            try:
                with self.assertRaises(sqlite3.OperationalError) as cm:
                    conn.execute("SELECT * FROM v").fetchall()
                self.assertIn("setter_config", str(cm.exception))
                with self.assertRaises(sqlite3.OperationalError):
                    conn.execute("INSERT INTO t VALUES (1)")
                self.assertEqual(conn.execute("SELECT setter_config('base_url')").fetchone(),
                                 (BASE_URL,))
                self.assertEqual(conn.execute(
                    "SELECT count(*) FROM setter_conversations(123, '1234567890')").fetchone(),
                    (3,))
            finally:
                conn.close()
        if EVIL_PORT:
            self.assertEqual(mock_requests(EVIL_PORT), 0)

    def test_requests_table_from_python(self):
        self.conn.execute("SELECT * FROM setter_conversations(123, '1234567890')").fetchall()
        rows = self.conn.execute(
            "SELECT method, url, status, cached FROM setter_requests").fetchall()
        self.assertEqual(rows, [("GET", "/api/v1/bot-integrations/123/conversations"
                                        "?userNumber=1234567890", 200, 0)])
        log = mock_log()
        self.assertEqual(len(log), 1)
        self.assertTrue(log[0]["auth"] is True, "the mock saw Authorization: Bearer <its key>")
        self.assertIn("setter", log[0]["user_agent"].lower())


class TestCursorLifecycle(SetterTest):

    def test_abandoned_cursor_and_close_do_not_hang_or_crash(self):
        cur = self.conn.execute("SELECT content FROM setter_conversations(123, 'huge')")
        cur.close()
        cur = self.conn.execute("SELECT message_id FROM setter_conversations(123, '1234567890')")
        self.assertEqual(cur.fetchone(), (789,))
        cur2 = self.conn.execute("SELECT message_id FROM setter_conversations(123, 'bigids')")
        self.assertEqual(cur2.fetchone(), (2147483648,))
        self.assertEqual(cur.fetchone(), (790,))
        self.conn.close()
        self.conn = sqlite3.connect(":memory:")

    def test_a_half_read_statement_does_not_serve_later_statements(self):
        # cache_ttl is 0: every statement must ask the API again, even while
        # an earlier statement on the connection is still open (half read).
        half = self.conn.execute("SELECT content FROM setter_conversations(123, '1234567890')")
        self.assertEqual(half.fetchone(), ("Hi! I'd like to book an appointment.",))
        before = mock_requests()
        for _ in range(2):
            n = self.conn.execute(
                "SELECT count(*) FROM setter_conversations(123, '1234567890')").fetchone()[0]
            self.assertEqual(n, 3)
        self.assertEqual(mock_requests() - before, 2, "each later statement makes its own request")
        # a setting cannot change while the half-read statement runs (ext/guard.c: only while
        # no other statement of the connection is running); once it is closed, a changed key
        # is used at once
        with self.assertRaises(sqlite3.OperationalError) as cm:
            self.conn.execute("SELECT setter_config('api_key', 'wrong-key-000000000000')")
        self.assertIn("no other statement of this connection is running", str(cm.exception))
        self.assertEqual(half.fetchone(), ("Sure! What day works for you?",))
        half.close()
        self.conn.execute("SELECT setter_config('api_key', 'wrong-key-000000000000')").fetchall()
        self.assertSetterError("SELECT count(*) FROM setter_conversations(123, '1234567890')",
                               contains=("HTTP 401",))

    def test_many_connections_open_and_close(self):
        for _ in range(20):
            conn = connect()
            conn.execute("SELECT count(*) FROM setter_conversations "
                         "WHERE bot_integration_id = 5 AND session_id = 7").fetchone()
            conn.close()
        self.assertEqual(mock_requests(), 20)


# ------------------------------------------------------------------------------------------
# A small runner: one FAIL block per failure, last line exactly "N passed, N failed"
# ------------------------------------------------------------------------------------------

class TestReviewStatementScope(SetterTest):
    """Adversarial review: one statement must make one request per lookup, whatever else
    runs on the connection (README: 'so one statement never sees two versions')."""

    Q_LAZY = ("SELECT crm.rowid,"
              " (SELECT group_concat(content) FROM setter_conversations(777, 'b')),"
              " CASE WHEN crm.rowid = 4 THEN (SELECT group_concat(message_id || ':' || content)"
              "   FROM setter_conversations(777, 'b')) END"
              " FROM crm")

    def test_review_lazy_subquery_while_another_cursor_is_half_read_makes_one_request(self):
        self.conn.execute("CREATE TABLE crm(phone)")
        self.conn.executemany("INSERT INTO crm VALUES (?)", [("b",), ("c",), ("d",), ("e",)])
        a = self.conn.execute(self.Q_LAZY)
        a.fetchone()
        b = self.conn.execute("SELECT phone FROM crm")   # another statement left half read
        b.fetchone()
        rows = a.fetchall()
        self.assertEqual(len(rows), 3)
        self.assertEqual(mock_requests(), 1, "the statement fetched (777, 'b') more than once")

    def test_review_statement_reprepared_after_a_view_change_makes_one_request(self):
        c = self.conn
        c.execute("CREATE VIEW v2 AS SELECT message_id AS x FROM setter_conversations(777, 'b')")
        q = ("SELECT (SELECT group_concat(content) FROM setter_conversations(777, 'b')),"
             " (SELECT group_concat(x) FROM v2)")
        c.execute(q).fetchall()
        c.execute("DROP VIEW v2")
        c.execute("CREATE VIEW v2 AS SELECT json_extract(raw_json, '$.content') AS x"
                  " FROM setter_conversations(777, 'b')")
        mock_reset()
        c.execute(q).fetchall()          # Python's statement cache: the same statement, re-prepared
        self.assertEqual(mock_requests(), 1, "the re-prepared statement fetched (777, 'b') twice")

    def test_review_half_read_setter_config_cursor_does_not_open_the_guard_for_a_check(self):
        if not EVIL_PORT:
            self.skipTest("needs the evil mock")
        path = os.path.join(tempfile.mkdtemp(), "hostile.db")
        d = sqlite3.connect(path)
        d.execute("CREATE TABLE c(a CHECK (1))")
        d.execute("PRAGMA writable_schema = ON")
        d.execute("UPDATE sqlite_schema SET sql = 'CREATE TABLE c(a CHECK (setter_config("
                  "''base_url'', ''http://127.0.0.1:%d'') IS NOT NULL))' WHERE name = 'c'"
                  % EVIL_PORT)
        d.commit()
        d.close()
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute("SELECT count(*) FROM sqlite_schema").fetchall()   # schema read first
            conn.enable_load_extension(True)
            conn.load_extension(EXT)
            reading = conn.execute("SELECT setter_config('timeout_ms')")   # not read to the end
            try:
                conn.execute("INSERT INTO c VALUES (1)")
            except sqlite3.OperationalError:
                pass
            self.assertEqual(conn.execute("SELECT setter_config('base_url')").fetchone()[0],
                             BASE_URL)
            del reading
        finally:
            conn.close()


class TestStatementIds(SetterTest):
    """Statement ids are never reused while a statement holding one is alive, and a statement's
    scope lasts exactly one run, triggers included. The mock's `counter-TAG` contacts (bot 9)
    answer `answer N`, N counting the requests for that contact, so a request made or skipped
    shows in the content."""

    # Around every power of two the id scheme has used: 2^10 remembered prepares, ids of
    # 11 bits (2047 of them) before they were 64-bit.
    FILLS = (1023, 1024, 1025, 2046, 2047, 2048)

    def test_a_new_statement_never_joins_a_half_read_one_however_many_prepares_come_between(self):
        wrong = []
        for fill in self.FILLS:
            mock_reset()
            conn = sqlite3.connect(":memory:", cached_statements=fill + 16)
            conn.enable_load_extension(True)
            conn.load_extension(EXT)
            try:
                q = "SELECT content FROM setter_conversations(9, 'counter-ids-%d')" % fill
                s1 = conn.execute(q + " UNION ALL SELECT 'second row'")
                self.assertEqual(s1.fetchone(), ("answer 1",))       # half read: alive
                keep = []
                for i in range(fill):   # statements that name the table, kept alive
                    keep.append(conn.execute(
                        "SELECT count(*) FROM setter_conversations(9, 'x%d') WHERE 0" % i))
                s2 = conn.execute(q).fetchall()
                if s2 != [("answer 2",)] or mock_requests() != 2:
                    wrong.append((fill, s2, mock_requests()))
                self.assertEqual(s1.fetchone(), ("second row",))
            finally:
                conn.close()
        self.assertEqual(wrong, [], "(fill, new statement's rows, requests): a new statement "
                         "was answered from a half-read one's cache")

    def test_each_run_of_a_cached_statement_with_triggers_asks_once(self):
        c = self.conn
        c.execute("CREATE TABLE t(x)")
        c.execute("CREATE TABLE log(k, v)")
        for when in ("BEFORE", "AFTER"):
            c.execute("CREATE TRIGGER t_%s %s INSERT ON t BEGIN INSERT INTO log SELECT '%s', "
                      "content FROM setter_conversations(9, 'counter-run'); END"
                      % (when.lower(), when, when.lower()))
        mock_reset()
        half = c.execute("SELECT content FROM setter_conversations(9, 'counter-other')"
                         " UNION ALL SELECT 'x'")
        half.fetchone()                                  # another statement stays alive
        for _ in range(3):                               # the same statement, run 3 times
            c.execute("INSERT INTO t VALUES (?)", (1,))
        self.assertEqual(c.execute("SELECT k, v FROM log").fetchall(),
                         [("before", "answer 1"), ("after", "answer 1"),
                          ("before", "answer 2"), ("after", "answer 2"),
                          ("before", "answer 3"), ("after", "answer 3")])
        c.executemany("INSERT INTO t VALUES (?)", [(2,), (3,)])   # one statement, two runs
        self.assertEqual(c.execute("SELECT v FROM log WHERE rowid > 6").fetchall(),
                         [("answer 4",), ("answer 4",), ("answer 5",), ("answer 5",)])
        self.assertEqual(mock_requests(), 6)
        half.close()


class CountingResult(unittest.TestResult):
    def __init__(self, verbose):
        super().__init__()
        self.verbose = verbose
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self._t0 = 0

    def counts(self):
        """The closing `N passed, N failed[, N skipped]` line."""
        return "%d passed, %d failed%s" % (self.passed, self.failed,
                                           ", %d skipped" % self.skipped if self.skipped else "")

    def startTest(self, test):
        super().startTest(test)
        self._t0 = time.monotonic()

    def _name(self, test):
        return "%s.%s" % (type(test).__name__, test._testMethodName)

    def addSuccess(self, test):
        self.passed += 1
        if self.verbose:
            print("ok   %s (%.2fs)" % (self._name(test), time.monotonic() - self._t0), flush=True)

    def _fail(self, test, err):
        self.failed += 1
        text = self._exc_info_to_string(err, test)   # without unittest's own frames
        print("FAIL %s" % self._name(test))
        for line in redact(text).rstrip().splitlines():
            print("    " + line)
        sys.stdout.flush()

    def addFailure(self, test, err):
        self._fail(test, err)

    def addError(self, test, err):
        self._fail(test, err)

    def addSkip(self, test, reason):
        # Only a check that cannot hold on this SQLite may be skipped (skip_below); any other
        # skip is a failure.
        if reason.startswith("needs SQLite "):
            self.skipped += 1
            print("skip %s: %s" % (self._name(test), reason), flush=True)
            return
        self.failed += 1
        print("FAIL %s skipped: %s" % (self._name(test), reason), flush=True)

    def addUnexpectedSuccess(self, test):
        self.failed += 1


def main(argv):
    verbose = "-v" in argv
    pattern = argv[argv.index("-k") + 1] if "-k" in argv[:-1] else None
    try:
        setup_environment()
    except Exception as e:
        print("FAIL setup: %s" % redact(str(e)))
        stop_mocks()
        print("0 passed, 1 failed")
        return 1
    try:
        if not hasattr(sqlite3.Connection, "enable_load_extension"):
            print("FAIL setup: this Python's sqlite3 cannot load extensions; "
                  "use Debian's /usr/bin/python3")
            print("0 passed, 1 failed")
            return 1
        suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
        if pattern:
            def keep(s):
                out = unittest.TestSuite()
                for t in s:
                    if isinstance(t, unittest.TestSuite):
                        out.addTests(keep(t))
                    elif pattern.lower() in t.id().lower():
                        out.addTest(t)
                return out
            suite = keep(suite)
        result = CountingResult(verbose)
        suite.run(result)
        print(result.counts(), flush=True)
        return 0 if result.failed == 0 else 1
    finally:
        stop_mocks()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
