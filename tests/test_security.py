#!/usr/bin/python3
"""test_security.py - security checks that need more than a SQL case.

Run by tests/run.py as an --also program (Python 3 standard library only):

    /usr/bin/python3 tests/run.py --also "/usr/bin/python3 tests/test_security.py"

It uses the environment the runner sets for --also programs: TEST_MOCK_PORT (the API mock),
TEST_API_KEY (its key), TEST_EXT (the extension, without suffix), SETTER_API_KEY and
SETTER_BASE_URL. It never prints the key. What it proves:

  1. every request carries the key (the mock log says `auth: true`) and the User-Agent
     `sqlite-setter/<setter_version()>`;
  2. keep-alive: several statements on one connection reuse one TCP connection (one
     connection_id in the mock log);
  3. error texts built from server text contain no control characters (checked on the exact
     Python exception text, not on a terminal);
  4. TLS verification is on: an https server with a self-signed certificate is refused and
     receives no HTTP request (so never the key); with ca_bundle naming that certificate it
     works; a certificate for another host name is refused even when trusted. Needs the
     `openssl` command to make the certificates; skipped (and said so) without it.

The last line is `N passed, N failed`; the exit status is 1 when something failed.
"""
import http.server
import json
import os
import shutil
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check, error_of  # noqa: E402
import harness  # noqa: E402

PORT = int(os.environ["TEST_MOCK_PORT"])
KEY = os.environ["TEST_API_KEY"]
EXT = os.environ["TEST_EXT"]


def mock(path, method="GET"):
    return harness.mock(PORT, path, method)


def connect():
    db = harness.connect(EXT)
    db.enable_load_extension(False)
    return db


def has_control(text):
    return any(ord(c) < 0x20 or ord(c) == 0x7f for c in text)


# ---- 1, 2: key, User-Agent, keep-alive ----

def test_headers_and_keep_alive():
    mock("/__mock/reset", "POST")
    db = connect()
    version = db.execute("SELECT setter_version()").fetchone()[0]
    counts = [db.execute("SELECT count(*) FROM setter_conversations(123, ?)", (who,)).fetchone()[0]
              for who in ("1234567890", "bigids", "unicode", "missing")]
    check(counts == [3, 3, 6, 9], "four sequential statements return their rows", repr(counts))
    log = mock("/__mock/log")
    check(len(log) == 4, "the mock saw one request per statement", "saw %d" % len(log))
    check(all(e["auth"] and e["authorization_present"] for e in log),
          "every request carries the right key (mock log auth: true)",
          repr([(e["auth"], e["authorization_present"]) for e in log]))
    agents = sorted(set(e["user_agent"] for e in log))
    check(agents == ["sqlite-setter/" + version],
          "the User-Agent is sqlite-setter/<setter_version()>", repr(agents))
    ids = sorted(set(e["connection_id"] for e in log))
    check(len(ids) == 1, "keep-alive: the statements of one connection reuse one TCP connection",
          "connection ids %r" % ids)
    # a second statement batch after a failing one still reuses the connection
    err = error_of(db, "SELECT count(*) FROM setter_conversations(9, 'status-404')")
    db.execute("SELECT count(*) FROM setter_conversations(123, '1234567890')").fetchall()
    log2 = mock("/__mock/log")
    ids2 = sorted(set(e["connection_id"] for e in log2))
    check(err is not None and len(log2) == 6 and ids2 == ids,
          "an HTTP error answer does not cost the kept-alive connection",
          "error %r, %d requests, connection ids %r" % (err, len(log2), ids2))
    db.close()


# ---- 3: server text in errors ----

def test_error_text_has_no_control_characters():
    mock("/__mock/reset", "POST")
    db = connect()
    db.execute("SELECT setter_config('max_retries', 0)").fetchall()
    for who in ("control-chars", "html-503", "html", "error-plain", "deep", "truncated"):
        err = error_of(db, "SELECT * FROM setter_conversations(9, ?)", (who,))
        check(err is not None and err.startswith("setter_conversations: ") and not has_control(err)
              and "'%s'" % who in err,
              "the error for %s names the contact and has no control characters" % who, repr(err))
    db.close()


def test_error_text_is_valid_utf8():
    """Server text and user text with invalid UTF-8 reach Python as sqlite3.Error (a message
    that is valid UTF-8, bad bytes shown as U+FFFD), never UnicodeDecodeError."""
    mock("/__mock/reset", "POST")
    db = connect()
    db.execute("SELECT setter_config('max_retries', 0)").fetchall()
    cases = [("the 'it starts with' snippet of a body that is not JSON",
              "SELECT * FROM setter_conversations(9, 'bad-utf8-body')", ()),
             ("the API's message of an HTTP error (JSON body)",
              "SELECT * FROM setter_conversations(9, 'bad-utf8-json')", ()),
             ("a plain-text HTTP error body",
              "SELECT * FROM setter_conversations(9, 'bad-utf8-plain')", ()),
             ("a user_number given as invalid UTF-8 TEXT",
              "SELECT * FROM setter_conversations(9, CAST(? AS TEXT))", (b"status-404-\xff\xc3",)),
             ("a refused setting value",
              "SELECT setter_config('timeout_ms', CAST(? AS TEXT))", (b"12\xe2\x80",)),
             ("an unknown setting name",
              "SELECT setter_config(CAST(? AS TEXT))", (b"time\xffout",))]
    for title, sql, args in cases:
        try:
            db.execute(sql, args).fetchall()
            outcome = "no error"
        except sqlite3.Error as e:
            outcome = str(e)
        except UnicodeDecodeError as e:
            outcome = "UnicodeDecodeError: %s" % e
        check("\ufffd" in outcome and not outcome.startswith("UnicodeDecodeError"),
              "%s: sqlite3.Error with the bad bytes as U+FFFD" % title, repr(outcome))
    db.close()


# ---- 4: TLS verification ----

class RecordingHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen = []       # (path, authorization == "Bearer <key>")

    def do_GET(self):
        RecordingHandler.seen.append((self.path, self.headers.get("Authorization") == "Bearer " + KEY))
        body = b'{"data":[{"messageId":1,"content":"over tls"}],"metadata":{"contextStartsAt":null}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def make_cert(directory, name, san, subject="/CN=sqlite-setter test"):
    key, crt = os.path.join(directory, name + ".key"), os.path.join(directory, name + ".crt")
    extra = ["-addext", "subjectAltName=" + san] if san else []
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", subject] + extra + ["-keyout", key, "-out", crt],
                   check=True, capture_output=True, timeout=60)
    return key, crt


class TlsServer:
    def __init__(self, key, crt):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RecordingHandler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(crt, key)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_tls_verification():
    if shutil.which("openssl") is None:
        print("skip TLS verification checks: no openssl command to make a certificate")
        return
    tmp = tempfile.mkdtemp(prefix="setter-tls-")
    try:
        key, crt = make_cert(tmp, "local", "IP:127.0.0.1")
        other_key, other_crt = make_cert(tmp, "other", "DNS:other.example")
        for label, k, c in (("self-signed", key, crt), ("other-host", other_key, other_crt)):
            server = TlsServer(k, c)
            try:
                RecordingHandler.seen = []
                db = connect()
                db.execute("SELECT setter_config('base_url', ?), setter_config('max_retries', 0)",
                           ("https://127.0.0.1:%d" % server.port,)).fetchall()
                if label == "self-signed":
                    err = error_of(db, "SELECT * FROM setter_conversations(123, '1234567890')")
                    check(err is not None and not RecordingHandler.seen,
                          "a self-signed certificate is refused and the server gets no request",
                          "error %r, server saw %r" % (err, RecordingHandler.seen))
                    check(err is not None and ("certificate" in err.lower() or "ssl" in err.lower()),
                          "the error says it is about the certificate", repr(err))
                    db.execute("SELECT setter_config('ca_bundle', ?)", (c,)).fetchall()
                    rows = db.execute("SELECT content FROM setter_conversations(123, '1234567890')").fetchall()
                    check(rows == [("over tls",)] and RecordingHandler.seen == [
                              ("/api/v1/bot-integrations/123/conversations?userNumber=1234567890", True)],
                          "with ca_bundle naming that certificate the request succeeds over TLS",
                          "rows %r, server saw %r" % (rows, RecordingHandler.seen))
                else:
                    db.execute("SELECT setter_config('ca_bundle', ?)", (c,)).fetchall()
                    err = error_of(db, "SELECT * FROM setter_conversations(123, '1234567890')")
                    check(err is not None and not RecordingHandler.seen,
                          "a trusted certificate for another host name is refused (host verification on)",
                          "error %r, server saw %r" % (err, RecordingHandler.seen))
                db.close()
            finally:
                server.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_certificate_subject_with_control_characters():
    """A certificate whose subject holds ESC and CR: curl quotes the subject in its error; neither
    the SQL error nor setter_requests.error may carry a control character (terminal escapes)."""
    if shutil.which("openssl") is None:
        print("skip certificate subject check: no openssl command to make a certificate")
        return
    tmp = tempfile.mkdtemp(prefix="setter-tls-")
    try:
        key, crt = make_cert(tmp, "evil", None, subject="/CN=evil\x1b[31mred\rforged")
        server = TlsServer(key, crt)
        try:
            db = connect()
            db.execute("SELECT setter_config('base_url', ?), setter_config('max_retries', 0), "
                       "setter_config('ca_bundle', ?)",
                       ("https://127.0.0.1:%d" % server.port, crt)).fetchall()
            err = error_of(db, "SELECT * FROM setter_conversations(123, '1234567890')")
            logged = [e for (e,) in db.execute("SELECT error FROM setter_requests")]
            check(err is not None and "evil" in err and not has_control(err),
                  "a certificate subject with ESC and CR is quoted without control characters "
                  "in the SQL error", repr(err))
            check(len(logged) == 1 and logged[0] and "evil" in logged[0]
                  and not has_control(logged[0]),
                  "... and in setter_requests.error", repr(logged))
            db.close()
        finally:
            server.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---- 5: a server that echoes the key ----

class EchoKeyHandler(http.server.BaseHTTPRequestHandler):
    """Answers 401 with the Authorization header in its message, after
    `userNumber` padding characters, so the key straddles every cut."""
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        pad = int(query.get("userNumber", ["0"])[0])
        auth = self.headers.get("Authorization", "")
        text = "x" * pad + " rejected " + auth + " (" + auth + ")\r\n"
        where = "/elsewhere?" + auth.replace(" ", "%20")
        status = 302 if pad == 1 else 401
        body = json.dumps({"message": text}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if status == 302:
            self.send_header("Location", where)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_key_echoed_by_the_server_never_shows():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), EchoKeyHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        db = connect()
        db.execute("SELECT setter_config('base_url', ?)", ("http://127.0.0.1:%d" % httpd.server_address[1],)).fetchall()
        db.execute("SELECT setter_config('max_retries', 0)").fetchall()
        leaks = []
        for pad in [1] + list(range(150, 200, 3)):
            err = error_of(db, "SELECT * FROM setter_conversations(1, ?)", (str(pad),)) or ""
            # no piece of the key of 6 characters or more may show
            pieces = [KEY[i:i + 6] for i in range(len(KEY) - 5)]
            if any(piece in err for piece in pieces) or not err.startswith("setter_conversations: HTTP"):
                leaks.append((pad, err))
        check(not leaks, "a server that echoes the key (in a message cut at any place, or a Location) "
              "never gets any piece of it into an error", repr(leaks[:2]))
        db.close()
    finally:
        httpd.shutdown()
        httpd.server_close()


def main():
    for test in (test_headers_and_keep_alive, test_error_text_has_no_control_characters,
                 test_error_text_is_valid_utf8,
                 test_tls_verification, test_certificate_subject_with_control_characters,
                 test_key_echoed_by_the_server_never_shows):
        try:
            test()
        except Exception as e:      # a crash of the test itself counts as one failure
            check(False, "%s ran to the end" % test.__name__, "%s: %s" % (type(e).__name__, e))
    return harness.report("security")


if __name__ == "__main__":
    sys.exit(main())
