#!/usr/bin/python3
"""test_big_values.py - a cell larger than 2 GiB is an error, never a shortened value (issue 9,
item 6).

    /usr/bin/python3 tests/run.py --also "/usr/bin/python3 tests/test_big_values.py"

A server of its own (standard library only) streams one conversation whose single message has
a content of 2 GiB + 16 bytes that starts with "abc\\u0000": a result length kept in an int
goes negative past 2 GiB, and SQLite then reads the text up to its first 0 byte, which would
return "abc" without an error. The extension must report SQLite's own "string or blob too big"
(SQLITE_TOOBIG) instead. It needs about 5 GB of memory and a few seconds.

Uses TEST_EXT and TEST_API_KEY from the --also environment; the last line is
`N passed, N failed`.
"""
import http.server
import os
import sqlite3
import sys
import threading

KEY = os.environ["TEST_API_KEY"]
EXT = os.environ["TEST_EXT"]
CONTENT_BYTES = 2 ** 31 + 16
CHUNK = b"a" * (1 << 20)

passed = failed = 0


def check(ok, title, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   %s" % title)
    else:
        failed += 1
        print("FAIL %s%s" % (title, ("\n     " + detail) if detail else ""))


class BigHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        head = b'{"data":[{"messageId":1,"senderType":"user","content":"abc\\u0000'
        tail = b'"}],"metadata":{"contextStartsAt":null}}'
        filler = CONTENT_BYTES - 4  # "abc" and the 0 byte are the first 4 bytes of the content
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


def main():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), BigHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        db = sqlite3.connect(":memory:")
        db.enable_load_extension(True)
        db.load_extension(EXT)
        db.execute("SELECT setter_config('base_url', ?), setter_config('max_retries', 0),"
                   " setter_config('max_response_bytes', 4294967295)",
                   ("http://127.0.0.1:%d" % httpd.server_address[1],)).fetchall()
        error, value = None, None
        try:
            value = db.execute("SELECT substr(content, 1, 8), length(content)"
                               " FROM setter_conversations(1, 'big')").fetchall()
        except sqlite3.Error as e:
            error = str(e)
        check(error is not None and "too big" in error,
              "a content of 2 GiB + 16 bytes is SQLite's 'string or blob too big', "
              "never a shortened value", "error %r, rows %r" % (error, value))
        db.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    print("big values: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
