#!/usr/bin/python3
"""test_big_values.py - a value too big is an error, never a shortened value.

    /usr/bin/python3 tests/run.py --also "/usr/bin/python3 tests/test_big_values.py"

A server of its own (standard library only) streams one conversation whose single message has
a content that starts with "abc\\u0000". Proves:

  1. a content of 2 GiB + 16 bytes, with max_response_bytes at its largest, is an error naming
     max_response_bytes. (A result length kept in an int would go negative past 2 GiB, and
     SQLite would then read the text up to its first 0 byte: "abc" without an error.
     max_response_bytes stops below SQLite's largest allocation, about 2 GiB.)
  2. a content longer than the connection's SQLITE_LIMIT_LENGTH is SQLite's own "string or
     blob too big", never cut: the length reaches SQLite whole (sqlite3_result_text64).

Uses TEST_EXT and TEST_API_KEY from the --also environment; the last line is
`N passed, N failed`.
"""
import http.server
import os
import sqlite3
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check  # noqa: E402
import harness  # noqa: E402

EXT = os.environ["TEST_EXT"]
CHUNK = b"a" * (1 << 20)
content_bytes = 2 ** 31 + 16



class BigHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        head = b'{"data":[{"messageId":1,"senderType":"user","content":"abc\\u0000'
        tail = b'"}],"metadata":{"contextStartsAt":null}}'
        filler = content_bytes - 4  # "abc" and the 0 byte are the first 4 bytes of the content
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(head) + filler + len(tail)))
        self.end_headers()
        try:
            self.wfile.write(head)
            while filler > 0:
                n = min(filler, len(CHUNK))
                self.wfile.write(CHUNK[:n])
                filler -= n
            self.wfile.write(tail)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


def query(db):
    """(error text or None, rows or None) of a read of the content."""
    try:
        return None, db.execute("SELECT hex(substr(CAST(content AS BLOB), 1, 6)),"
                                " length(CAST(content AS BLOB)) FROM setter_conversations(1, 'big')"
                                ).fetchall()
    except sqlite3.Error as e:
        return str(e), None


def main():
    global content_bytes
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), BigHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        db = harness.connect(EXT)
        db.execute("SELECT setter_config('base_url', ?), setter_config('max_retries', 0)",
                   ("http://127.0.0.1:%d" % httpd.server_address[1],)).fetchall()
        for largest in (4294967295, 2000000000):  # the largest a build accepts, tried in turn
            try:
                db.execute("SELECT setter_config('max_response_bytes', ?)", (largest,)).fetchall()
                break
            except sqlite3.Error:
                pass
        error, rows = query(db)
        check(error is not None and "max_response_bytes" in error and rows is None,
              "a content of 2 GiB + 16 bytes is an error naming max_response_bytes, "
              "never a shortened value", "error %r, rows %r" % (error, rows))

        content_bytes = 5000
        db.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 4000)
        error, rows = query(db)
        check(error is not None and "too big" in error and rows is None,
              "a content longer than SQLITE_LIMIT_LENGTH is 'string or blob too big', never cut",
              "error %r, rows %r" % (error, rows))
        db.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 10000)
        error, rows = query(db)
        check(error is None and rows == [("616263006161", 5000)],
              "within the limit the whole content reads back, the 0 byte included",
              "error %r, rows %r" % (error, rows))
        db.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    return harness.report("big_values")


if __name__ == "__main__":
    sys.exit(main())
