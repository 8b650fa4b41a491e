#!/usr/bin/env python3
"""Mock of the Setter AI "Get Conversation History" API (tests, `make demo`, `make bench`).

Usage:
    /usr/bin/python3 tests/mock_api.py [--host 127.0.0.1] [--port 0] [--port-file FILE]
        [--key KEY] [--latency-ms N] [--demo] [--big-messages N] [--quiet]

    --host, --port    where to listen (port 0 = any free port)
    --port-file FILE  once listening, write the port number (digits + newline) to FILE,
                      atomically (temporary file + rename); removed again on a clean exit
    --key KEY         the accepted API key (default test-key-0123456789abcdef, or demo-key
                      with --demo); requests need `Authorization: Bearer KEY`
    --latency-ms N    sleep N ms before answering each API request (not control endpoints);
                      requests are handled in parallel threads, so waits overlap
    --demo            serve the demo dataset of tests/demo_data.py instead of the test fixtures
    --big-messages N  number of messages of the bot 100 `big-history` fixture (default 100000)
    --quiet           do not print `mock_api listening on PORT` to stderr

The server runs until SIGTERM or SIGINT, then exits 0.

Routes (tests/MOCK.md documents every fixture with its exact values):
    GET  /api/v1/bot-integrations/{botIntegrationId}/conversations?userNumber=...|sessionId=N
    GET  /__mock/stats   {"requests": N, "max_in_flight": M, "in_flight": K}
    GET  /__mock/log     the API requests since the last reset (never the key itself)
    POST /__mock/reset   clears counts, log, max_in_flight and the flaky/retry counters
    POST /__mock/warm    builds the big-history body now (so a benchmark does not time it)
Control endpoints (/__mock/...) need no key, are not counted or logged and have no latency.

Python 3 standard library only. Responses are written with exact Content-Length (except in
the faults that exist to break it), over HTTP/1.1 keep-alive, with TCP_NODELAY on every socket.
"""

import argparse
import calendar
import email.utils
import functools
import gzip
import http
import json
import math
import os
import re
import select
import signal
import socket
import socketserver
import struct
import sys
import threading
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# --------------------------------------------------------------------------------------------
# Settings and fixtures (plain data; tests/MOCK.md documents them for the SQL tests)
# --------------------------------------------------------------------------------------------

DEFAULT_KEY = "test-key-0123456789abcdef"
DEMO_KEY = "demo-key"
DEFAULT_BIG_MESSAGES = 100000
STALL_SECONDS = 30.0
PAUSE_SECONDS = 0.2               # the pause of a body sent in two pieces (split-number)
OVERLAP_WAIT_SECONDS = 5.0      # how long an `overlap` request waits for a second one
WAIT_SLICE = 0.05               # granularity of sleeps that watch for shutdown / client gone
MAX_LOG_ENTRIES = 100000        # the request log keeps at most this many entries
MAX_BIG_BODY = 1 << 30          # largest body `big-N` will build
MAX_EMPTY_MESSAGES = 50000000   # most messages `empty-N` / `empty-gzip-N` will build
MAX_BIG_CONTEXT_MIB = 256       # largest contextStartsAt `bigcontext-M` will build, in MiB
API_PATH = re.compile(r"/api/v1/bot-integrations/([^/]*)/conversations")
DIGITS = re.compile(r"[0-9]+")
INTEGER = re.compile(r"-?[0-9]+")
JSON_TYPE = "application/json"

NULL_ERRORS = {"failureReason": None, "errorCode": None, "errorTitle": None,
               "errorMessage": None, "errorDetails": None}


def message(bot, message_id, sender, content, created_at, resource_id, status, **errors):
    """A message with every documented field, in API order; error fields null unless given."""
    msg = {"botIntegrationId": bot, "content": content, "senderType": sender,
           "createdAt": created_at, "messageId": message_id,
           "platformResourceId": resource_id, "latestStatus": status}
    msg.update(NULL_ERRORS)
    msg.update(errors)
    return msg


# bot 123, userNumber 1234567890: the example of the API documentation, plus a failed message.
BOT123_MESSAGES = [
    message(123, 789, "user", "Hi! I'd like to book an appointment.",
            "2024-01-15T14:30:00.000Z", "wamid.abc123", "delivered"),
    message(123, 790, "bot", "Sure! What day works for you?",
            "2024-01-15T14:30:05.000Z", "wamid.abc124", "read"),
    message(123, 791, "bot", "Reminder: your appointment is tomorrow.",
            "2024-01-16T09:00:00.000Z", "wamid.abc125", "failed",
            failureReason="Message undeliverable", errorCode=131026,
            errorTitle="Message undeliverable",
            errorMessage="Receiver is incapable of receiving this message",
            errorDetails={"details": "Receiver is incapable of receiving this message",
                          "fbtrace_id": "AbC123"}),
]
BOT123_CONTEXT = "2024-01-15T14:30:05.000Z"

# bot 123, userNumber unicode: (messageId, content exactly as in the JSON wire text).
# Messages 1 and 2 decode to the same string; 2 uses \u escapes, including a surrogate pair.
UNICODE_WIRE_CONTENTS = [
    (1, "café 日本語 😀"),
    (2, r"caf\u00e9 \u65e5\u672c\u8a9e \ud83d\ude00"),
    (3, r"She said \"hi\" and C:\\temp\\new"),
    (4, r"line1\nline2\tcol2\r\nline3"),
    (5, r""),
    (6, r"\/slash \u00C9 \u0041"),
]

# bot 123, userNumber bigids: raw JSON number text, never through a float.
BIGIDS_BOT = "4294967296"
BIGIDS_MESSAGE_IDS = ["2147483648", "9007199254740993", "9223372036854775807"]

# bot 123, userNumber missing: absent fields, nulls, unknown fields, odd errorCode/errorDetails.
# Written by hand (whitespace included) so that compact re-printing is visible. No metadata.
MISSING_WIRE_MESSAGES = [
    '{"messageId":1,"content":"only id and content"}',
    '{"botIntegrationId":null,"content":null,"senderType":null,"createdAt":null,'
    '"messageId":null,"platformResourceId":null,"latestStatus":null,"failureReason":null,'
    '"errorCode":null,"errorTitle":null,"errorMessage":null,"errorDetails":null}',
    '{"messageId":3,"content":"extra fields","senderType":"bot","newField": {"a": [1, 2]},'
    '"latestStatus":"sent","anotherField":"x"}',
    '{"messageId":4,"content":"string code","latestStatus":"failed","errorCode":"E_TIMEOUT",'
    '"errorDetails":[1, "two", null]}',
    '{"messageId":5,"content":"fractional code","latestStatus":"failed","errorCode":1.5,'
    '"errorDetails":42}',
    '{"messageId":6,"content":"string details","latestStatus":"failed","errorCode":0,'
    '"errorDetails":"plain text details"}',
    '{"messageId":7,"content":"boolean details","latestStatus":"failed","errorCode":-7,'
    '"errorDetails":true}',
    '{"messageId":8,"content":"nested details","latestStatus":"failed","errorCode":131026,'
    '"errorDetails": { "a" : 1 ,\n  "b" : [ 1 , 2 , { "c" : null } ] , "d" : "x y" } }',
    '{}',
]

# bot 123, userNumber huge: one message whose content is exactly 1,500,000 bytes.
HUGE_CONTENT = ("0123456789" * 150000)[:1499999] + "!"

# bot 5 (Playground/Embed), sessionId 42.
BOT5_SESSION42 = [
    message(5, 5001, "user", "Hello, is anyone there?",
            "2024-02-10T08:00:00.000Z", None, "sent"),
    message(5, 5002, "bot", "Hi! I'm the Playground assistant. How can I help?",
            "2024-02-10T08:00:02.000Z", None, "sent"),
]

# Messages of the fault fixtures (bot 9) that end with a 200.
RECOVERED_AT = "2024-01-01T00:00:00.000Z"

MAINTENANCE_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Down for maintenance</title></head>\n"
    b"<body><h1>We'll be back soon</h1><p>Setter is down for scheduled maintenance.</p>"
    b"</body></html>\n")

# Invalid UTF-8 (a lone continuation byte, a cut 3-byte sequence, an overlong form, 0xFF)
# in the bodies of the bad-utf8 faults.
BAD_UTF8 = b"caf\xc3 \x80 \xe2\x80 \xc0\xaf \xff end"
CONTROL_CHARS_BODY = rb'{"error":"bad\u001b[31m\r\ninjected","message":"line1\nline2\u0007"}'

FIXED_FAULT_BODIES = {   # userNumber on bot 9 -> 200 with exactly this body
    "invalid": b'{"data":[{"messageId":1,}]}',
    "not-object": b"[1,2]",
    "no-data": b'{"metadata":{}}',
    "data-not-array": b'{"data":{}}',
    "data-item-not-object": b'{"data":[1]}',
    # raw control characters (RFC 8259: never raw inside a string, never between tokens)
    "control-in-string": (b'{"data":[{"messageId":1,"content":"line1\nline2"}],'
                          b'"metadata":{"contextStartsAt":null}}'),
    "control-in-details": (b'{"data":[{"messageId":1,"errorDetails":{"a":\x0b1}}],'
                           b'"metadata":{"contextStartsAt":null}}'),
    # duplicate member names (valid JSON): the first occurrence is the one that counts
    "duplicate-members": (b'{"data":[{"messageId":1,"content":"first","createdAt":'
                          b'"2024-01-01T00:00:00.000Z","content":"second"}],"metadata":'
                          b'{"contextStartsAt":"2023-12-31T00:00:00.000Z",'
                          b'"contextStartsAt":"2024-06-01T00:00:00.000Z"},'
                          b'"metadata":{"contextStartsAt":null}}'),
    # in_context and context_starts_at: an escaped NUL, times that are not timestamps
    "context-nul": (b'{"data":[{"messageId":1,"createdAt":"2024-01-01T00:00:00.000Z"}],'
                    b'"metadata":{"contextStartsAt":"2024-01-01T00:00:00.000Z\\u0000tail"}}'),
    "context-odd": (b'{"data":[{"messageId":1,"createdAt":"1704067200000"},'
                    b'{"messageId":2,"createdAt":1704067200000},'
                    b'{"messageId":3,"createdAt":"2024-01-01"},'
                    b'{"messageId":4,"createdAt":"2024-01-01T00:00:00Z"},'
                    b'{"messageId":5,"createdAt":"2023-12-31T23:59:59.999Z"},'
                    b'{"messageId":6,"createdAt":"2024-01-01T01:00:00+01:00"},'
                    b'{"messageId":7,"createdAt":"2024-01-01T00:00:00Z\\u0000"},'
                    b'{"messageId":8,"createdAt":"3024-01-01T00:00:00Z"}],'
                    b'"metadata":{"contextStartsAt":"2024-01-01T00:00:00.000Z"}}'),
    "context-unparsable": (b'{"data":[{"messageId":1,"createdAt":"2024-01-01T00:00:00Z"},'
                           b'{"messageId":2,"createdAt":"0"}],'
                           b'"metadata":{"contextStartsAt":"soon"}}'),
    "context-date": (b'{"data":[{"messageId":1,"createdAt":"2024-01-01T00:00:00Z"},'
                     b'{"messageId":2,"createdAt":"2025-06-01T00:00:00Z"}],'
                     b'"metadata":{"contextStartsAt":"2024-01-01"}}'),
    # a member name written with an escape ("cont\u0065nt" is "content")
    "escaped-member-names": (b'{"data":[{"messageId":1,"cont\\u0065nt":"A","content":"B"},'
                             b'{"messageId":2,"cont\\u0065nt":"C"}]}'),
}

# bot 100, big-history: message texts, cycled (ASCII, nothing to escape).
BIG_TEXTS = [
    "Hi, is the whitening offer still on?",
    "Yes! It's $299 until Friday. Want to book?",
    "Do you have Thursday after 3pm?",
    "Thursday 3:30pm or 4:15pm with Dr. Patel.",
    "3:30 please. Do I need to bring anything?",
    "Booked! Please arrive 10 minutes early.",
    "Thanks! Is there parking nearby?",
    "Yes, free parking behind the building.",
]
BIG_EPOCH = calendar.timegm((2023, 1, 1, 0, 0, 0))
BIG_STEP_SECONDS = 37
BIG_FAILED_EVERY = 100           # every 100th message failed (131026)
BIG_CONTEXT_LAST = 50            # contextStartsAt = createdAt of the 50th message from the end

# --------------------------------------------------------------------------------------------
# Bodies
# --------------------------------------------------------------------------------------------


def encode(value):
    """Compact JSON, UTF-8, non-ASCII characters raw (like Node's JSON.stringify)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def history_body(messages, context_starts_at=None):
    return encode({"data": messages, "metadata": {"contextStartsAt": context_starts_at}})


def wire_history(message_texts, metadata_text='{"contextStartsAt":null}'):
    """A history body assembled from message wire texts (metadata_text None: no metadata).

    Head and tail are glued onto the first and last items so that a big history is joined
    and encoded without extra copies of the whole text."""
    tail = "]" + ("" if metadata_text is None else ',"metadata":' + metadata_text) + "}"
    items = list(message_texts) or [""]
    items[0] = '{"data":[' + items[0]
    items[-1] += tail
    return ",".join(items).encode("utf-8")


def unicode_body():
    template = ('{"botIntegrationId":123,"content":"%s","senderType":"user",'
                '"createdAt":"2024-01-20T10:00:0%d.000Z","messageId":%d,'
                '"platformResourceId":"wamid.uni%d","latestStatus":"read","failureReason":null,'
                '"errorCode":null,"errorTitle":null,"errorMessage":null,"errorDetails":null}')
    return wire_history([template % (text, i, i, i) for i, text in UNICODE_WIRE_CONTENTS])


def bigids_body():
    template = ('{"botIntegrationId":%s,"content":"big id %d","senderType":"bot",'
                '"createdAt":"2024-01-20T11:00:0%d.000Z","messageId":%s,'
                '"platformResourceId":"wamid.big%d","latestStatus":"%s","failureReason":%s,'
                '"errorCode":%s,"errorTitle":null,"errorMessage":null,"errorDetails":null}')
    texts = []
    for i, message_id in enumerate(BIGIDS_MESSAGE_IDS, 1):
        failed = i == 3
        texts.append(template % (BIGIDS_BOT, i, i, message_id, i,
                                 "failed" if failed else "delivered",
                                 '"Big error code"' if failed else "null",
                                 "4294967297" if failed else "null"))
    return wire_history(texts)


def deep_body(depth=100000):
    return (b'{"data":[{"messageId":1,"content":"deep","errorDetails":'
            + b"[" * depth + b"]" * depth + b'}],"metadata":{"contextStartsAt":null}}')


def big_body(size):
    """A valid body of exactly `size` bytes (or the minimum, if smaller): one long content."""
    head = b'{"data":[{"messageId":1,"senderType":"bot","content":"'
    tail = b'"}],"metadata":{"contextStartsAt":null}}'
    return head + b"b" * max(0, size - len(head) - len(tail)) + tail


@functools.lru_cache(maxsize=2)
def empty_messages_body(count):
    """`count` empty messages: {"data":[{},{},...],"metadata":{"contextStartsAt":null}}."""
    return (b'{"data":[' + b",".join([b"{}"] * count)
            + b'],"metadata":{"contextStartsAt":null}}')


@functools.lru_cache(maxsize=2)
def empty_messages_gzip(count):
    return gzip.compress(empty_messages_body(count), 6)


def big_context_body(mib):
    """No messages; contextStartsAt is a string of exactly `mib` MiB of 'c'."""
    return (b'{"data":[],"metadata":{"contextStartsAt":"' + b"c" * (mib << 20) + b'"}}')


def big_history_body(count):
    """The bot 100 big-history body: `count` messages of ~330 bytes, deterministic."""
    ok = ('{"botIntegrationId":100,"content":"%s","senderType":"%s","createdAt":"%s",'
          '"messageId":%d,"platformResourceId":"wamid.HBgLMTU1NTAxOTk5OTkVAgARGBI%010d",'
          '"latestStatus":"%s","failureReason":null,"errorCode":null,"errorTitle":null,'
          '"errorMessage":null,"errorDetails":null}')
    failed = ('{"botIntegrationId":100,"content":"%s","senderType":"%s","createdAt":"%s",'
              '"messageId":%d,"platformResourceId":"wamid.HBgLMTU1NTAxOTk5OTkVAgARGBI%010d",'
              '"latestStatus":"failed","failureReason":"Message undeliverable",'
              '"errorCode":131026,"errorTitle":"Message undeliverable",'
              '"errorMessage":"Message undeliverable",'
              '"errorDetails":{"details":"Message Undeliverable."}}')
    parts = []
    for i in range(1, count + 1):
        text = BIG_TEXTS[(i - 1) % len(BIG_TEXTS)]
        sender = "user" if i % 2 else "bot"
        created = big_created_at(i)
        if i % BIG_FAILED_EVERY == 0:
            parts.append(failed % (text, sender, created, i, i))
        else:
            parts.append(ok % (text, sender, created, i, i, "read" if i % 3 else "delivered"))
    context = big_created_at(max(1, count - BIG_CONTEXT_LAST + 1)) if count else None
    return wire_history(parts, json.dumps({"contextStartsAt": context}, separators=(",", ":")))


@functools.lru_cache(maxsize=4096)
def big_day(day):
    return time.strftime("%Y-%m-%dT", time.gmtime(day * 86400))


def big_created_at(i):
    """createdAt of big-history message i: 2023-01-01T00:00:00Z + 37 s * i."""
    day, second = divmod(BIG_EPOCH + i * BIG_STEP_SECONDS, 86400)
    minute, second = divmod(second, 60)
    return "%s%02d:%02d:%02d.000Z" % (big_day(day), minute // 60, minute % 60, second)


def error_body(status, text):
    return encode({"error": reason(status), "message": text})


def reason(status):
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


STANDARD_BODY = history_body(BOT123_MESSAGES, BOT123_CONTEXT)
EMPTY_BODY = history_body([], None)
UNICODE_BODY = unicode_body()
BIGIDS_BODY = bigids_body()
MISSING_BODY = wire_history(MISSING_WIRE_MESSAGES, None)
HUGE_BODY = history_body([message(123, 1, "bot", HUGE_CONTENT, "2024-01-20T12:00:00.000Z",
                                  "wamid.huge1", "delivered")])
TRUNCATED_BODY = STANDARD_BODY[:STANDARD_BODY.index(b"Sure! What") + 5]
TRAILING_GARBAGE_BODY = STANDARD_BODY + b"xyz"
# the 1234567890 body with a top-level "total" before "data", sent in two pieces cut in "150"
SPLIT_NUMBER_BODY = b'{"total":150,' + STANDARD_BODY[1:]
SPLIT_NUMBER_AT = len(b'{"total":15')
VALID_THEN_INVALID_BODY = (STANDARD_BODY[:STANDARD_BODY.index(b"]")]    # 3 messages, then:
                           + b',{"messageId":4,"content":"fourth",}]'
                           + b',"metadata":{"contextStartsAt":null}}')
# one message of 100,000 'a's and a trailing comma, sent in two pieces cut inside its content
LONG_INVALID_BODY = b'{"data":[{"messageId":1,"content":"' + b"a" * 100000 + b'",}]}'
LONG_INVALID_AT = len(LONG_INVALID_BODY) - len(b'",}]}')
NO_LENGTH = -1                    # Reply.content_length: no Content-Length (ends at the close)

# --------------------------------------------------------------------------------------------
# Replies
# --------------------------------------------------------------------------------------------


class Reply:
    """What to send. Faults use content_length (a lie), wait_before/wait_after, close, abort."""

    def __init__(self, status=200, body=b"", content_type=JSON_TYPE, headers=(),
                 content_length=None, wait_before=0.0, wait_after=0.0, close=False, abort=None,
                 pause_at=None):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = list(headers)
        self.content_length = len(body) if content_length is None else content_length
        self.wait_before = wait_before    # seconds to wait before sending anything
        self.wait_after = wait_after      # seconds to wait after sending, before closing
        self.close = close                # close the connection after this reply
        self.abort = abort                # None, "drop" (FIN, no answer) or "reset" (RST)
        self.pause_at = pause_at          # send this many body bytes, pause, then the rest


def ok(body, **kw):
    return Reply(200, body, **kw)


def error_reply(status, error, text, headers=()):
    return Reply(status, encode({"error": error, "message": text}), headers=headers)


def mock_status(status, headers=()):
    return Reply(status, error_body(status, "mock status %d" % status), headers=headers)


def one_message(bot, content, resource_id=None):
    """The recovered body: messageId 1 from the bot, delivered."""
    return ok(history_body([message(bot, 1, "bot", content, RECOVERED_AT, resource_id,
                                    "delivered")]))


class Contact:
    """The parsed query: exactly one of user_number (str) and session_id (int) is set."""

    def __init__(self, user_number=None, session_id=None):
        self.user_number = user_number
        self.session_id = session_id


class Request:
    def __init__(self, method, path, query, authorized, host):
        self.method = method
        self.path = path            # raw path, without the query
        self.query = query          # raw query string, as on the wire
        self.authorized = authorized
        self.host = host            # Host header (for redirect-same)


def parse_contact(query):
    """Returns (Contact, None) or (None, error message). Blank values count as absent."""
    params = urllib.parse.parse_qs(query, keep_blank_values=True)
    user = (params.get("userNumber") or [""])[0]
    session = (params.get("sessionId") or [""])[0]
    if (user == "") == (session == ""):
        return None, "Either userNumber or sessionId is required"
    if session and not INTEGER.fullmatch(session):
        return None, "sessionId must be an integer"
    if session:
        return Contact(session_id=int(session)), None
    return Contact(user_number=user), None


def route(req, dataset, state):
    """Checks method, path, key and query, then asks the dataset."""
    if req.method != "GET":
        return error_reply(405, "Method Not Allowed", "Method %s not allowed" % req.method,
                           [("Allow", "GET")])
    match = API_PATH.fullmatch(req.path)
    if not match:
        return error_reply(404, "Not Found", "Route not found")
    if not req.authorized:
        return error_reply(401, "Unauthorized", "Invalid API key")
    if not DIGITS.fullmatch(match.group(1)):
        return error_reply(400, "Bad Request", "botIntegrationId must be an integer")
    contact, problem = parse_contact(req.query)
    if problem:
        return error_reply(400, "Bad Request", problem)
    return dataset.reply(int(match.group(1)), contact, req, state)

# --------------------------------------------------------------------------------------------
# Datasets
# --------------------------------------------------------------------------------------------


class TestData:
    """The test fixtures (default mode)."""

    def __init__(self, big_messages):
        self.big_messages = big_messages
        self._big_body = None
        self._big_lock = threading.Lock()
        self.bots = {123: self.bot123, 5: self.bot5, 777: self.bot777, 100: self.bot100,
                     9: fault_reply}

    def reply(self, bot, contact, req, state):
        if bot == 404:
            return error_reply(404, "Not Found", "Bot integration not found")
        if bot == 403:
            return error_reply(403, "Forbidden",
                               "You do not have access to this bot integration")
        handler = self.bots.get(bot)
        return handler(contact, req, state) if handler else ok(EMPTY_BODY)

    def bot123(self, contact, req, state):
        user = contact.user_number
        if user is None:
            return ok(EMPTY_BODY)
        if user.startswith("echo"):
            return one_message_user(123, user, req.query)
        fixed = {"1234567890": STANDARD_BODY, "unicode": UNICODE_BODY, "bigids": BIGIDS_BODY,
                 "missing": MISSING_BODY, "huge": HUGE_BODY}
        return ok(fixed.get(user, EMPTY_BODY))

    def bot5(self, contact, req, state):
        if contact.session_id == 42:
            return ok(history_body(BOT5_SESSION42))
        if contact.session_id == 7:
            return one_message(5, "session 7", req.query)
        return ok(EMPTY_BODY)

    def bot777(self, contact, req, state):
        return ok(history_body(bulk_messages(contact)))

    def bot100(self, contact, req, state):
        if contact.user_number != "big-history":
            return ok(EMPTY_BODY)
        return ok(self.big_history())

    def big_history(self):
        with self._big_lock:
            if self._big_body is None:
                self._big_body = big_history_body(self.big_messages)
            return self._big_body

    def warm(self):
        return {"ok": True, "big_history_bytes": len(self.big_history())}


def one_message_user(bot, content, resource_id):
    """The echo reply: messageId 1 from the user, content and platformResourceId as given."""
    return ok(history_body([message(bot, 1, "user", content, RECOVERED_AT, resource_id,
                                    "delivered")]))


BULK_FAILURE = {"failureReason": "Re-engagement message", "errorCode": 470,
                "errorTitle": "Re-engagement message",
                "errorMessage": "Message failed to send because more than 24 hours have passed "
                                "since the customer last replied.",
                "errorDetails": {"code": 470}}


def bulk_messages(contact):
    """bot 777: (n % 3) + 1 messages, n = sum of code points of userNumber (or |sessionId|)."""
    if contact.user_number is not None:
        n, who = sum(map(ord, contact.user_number)), contact.user_number
    else:
        n, who = abs(contact.session_id), "session %d" % contact.session_id
    messages = []
    for i in range(1, n % 3 + 2):
        failed = i == 2
        messages.append(message(777, n * 10 + i, "user" if i % 2 else "bot",
                                "msg %d for %s" % (i, who), "2024-02-01T10:00:0%d.000Z" % i,
                                "bulk.%d.%d" % (n, i), "failed" if failed else "delivered",
                                **(BULK_FAILURE if failed else {})))
    return messages


class DemoData:
    """The demo dataset (--demo): tests/demo_data.py. Unknown bots are 404."""

    def __init__(self):
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        sys.dont_write_bytecode = True      # leave no tests/__pycache__ behind
        import demo_data
        self.demo = demo_data

    def reply(self, bot, contact, req, state):
        found = self.demo.history(bot, contact.user_number, contact.session_id)
        if found is None:
            return error_reply(404, "Not Found", "Bot integration not found")
        messages, context_starts_at = found
        return ok(history_body(messages, context_starts_at))

    def warm(self):
        return {"ok": True}

# --------------------------------------------------------------------------------------------
# Faults (bot 9, chosen by userNumber)
# --------------------------------------------------------------------------------------------


def fault_status(m, contact, req, state):
    return mock_status(int(m.group(1)))


def fault_flaky(m, contact, req, state):
    status, failures = int(m.group(1)), int(m.group(2))
    if state.bump(contact.user_number) <= failures:
        return mock_status(status)
    return one_message(9, "recovered after %d" % failures)


def fault_short_then_whole(m, contact, req, state):
    """The first K requests get the first 700 bytes of the standard body (two whole messages
    and part of a third) with the whole body's Content-Length, then a close; later ones the
    whole body."""
    if state.bump(contact.user_number) <= int(m.group(1)):
        return Reply(200, STANDARD_BODY[:700], content_length=len(STANDARD_BODY), close=True)
    return ok(STANDARD_BODY)


def fault_retry_after(m, contact, req, state):
    if state.bump(contact.user_number) <= 1:
        return mock_status(429, [("Retry-After", m.group(1))])
    return one_message(9, "recovered after 1")


def fault_retry_after_date(m, contact, req, state):
    if state.bump(contact.user_number) <= 1:
        when = email.utils.formatdate(math.ceil(time.time()) + 2, usegmt=True)
        return mock_status(429, [("Retry-After", when)])
    return one_message(9, "recovered after 1")


def fault_counter(m, contact, req, state):
    return one_message(9, "answer %d" % state.bump(contact.user_number))


def fault_overlap(m, contact, req, state):
    """Answers once two requests have been in flight at once since the last reset (at most
    OVERLAP_WAIT_SECONDS): content `overlapped`, or `alone` when none came in time."""
    overlapped = state.wait_for_overlap(2, OVERLAP_WAIT_SECONDS)
    return one_message(9, "overlapped" if overlapped else "alone")


def fault_big(m, contact, req, state):
    size = int(m.group(1))
    if size > MAX_BIG_BODY:
        return error_reply(400, "Bad Request", "big-N: N is at most %d" % MAX_BIG_BODY)
    return ok(big_body(size))


def fault_empty(m, contact, req, state):
    count = int(m.group(2))
    if count > MAX_EMPTY_MESSAGES:
        return error_reply(400, "Bad Request", "empty-N: N is at most %d" % MAX_EMPTY_MESSAGES)
    if m.group(1):
        return ok(empty_messages_gzip(count), headers=[("Content-Encoding", "gzip")])
    return ok(empty_messages_body(count))


def fault_spaced_empty(m, contact, req, state):
    count = int(m.group(1))
    if count > MAX_EMPTY_MESSAGES:
        return error_reply(400, "Bad Request", "spaced-empty-N: N is at most %d"
                           % MAX_EMPTY_MESSAGES)
    return ok(b"\r\n  " + empty_messages_body(count))


def fault_big_context(m, contact, req, state):
    mib = int(m.group(1))
    if mib > MAX_BIG_CONTEXT_MIB:
        return error_reply(400, "Bad Request",
                           "bigcontext-M: M is at most %d" % MAX_BIG_CONTEXT_MIB)
    return ok(big_context_body(mib))


def fault_redirect_same(m, contact, req, state):
    location = "http://%s/api/v1/bot-integrations/123/conversations?userNumber=1234567890" % (
        req.host)
    return Reply(302, error_body(302, "mock redirect"), headers=[("Location", location)])


def fixed(reply_factory):
    """A fault whose reply does not depend on the match."""
    return lambda m, contact, req, state: reply_factory()


FAULTS = [  # (userNumber pattern, reply builder); first full match wins
    (r"status-([2-5][0-9][0-9])(?:-.*)?", fault_status),
    (r"flaky-([1-5][0-9][0-9])-([0-9]+)(?:-.*)?", fault_flaky),
    (r"counter(?:-.*)?", fault_counter),
    (r"retry-after-date(?:-.*)?", fault_retry_after_date),
    (r"retry-after-([0-9]+)(?:-.*)?", fault_retry_after),
    (r"stall", fixed(lambda: Reply(200, history_body([message(
        9, 1, "bot", "stalled", RECOVERED_AT, None, "delivered")]), wait_before=STALL_SECONDS))),
    (r"stall-body", fixed(lambda: Reply(200, b'{"data":[{', content_length=1000,
                                        wait_after=STALL_SECONDS, close=True))),
    (r"html", fixed(lambda: Reply(200, MAINTENANCE_PAGE, "text/html; charset=utf-8"))),
    (r"html-503", fixed(lambda: Reply(503, MAINTENANCE_PAGE, "text/html; charset=utf-8"))),
    (r"truncated", fixed(lambda: ok(TRUNCATED_BODY))),
    (r"trailing-garbage", fixed(lambda: ok(TRAILING_GARBAGE_BODY))),
    (r"split-number", fixed(lambda: ok(SPLIT_NUMBER_BODY, pause_at=SPLIT_NUMBER_AT))),
    (r"valid-then-invalid", fixed(lambda: ok(VALID_THEN_INVALID_BODY))),
    # the same bytes, then nothing for STALL_SECONDS, though a megabyte more is announced
    (r"invalid-then-stall", fixed(lambda: ok(VALID_THEN_INVALID_BODY, wait_after=STALL_SECONDS,
                                             content_length=len(VALID_THEN_INVALID_BODY)
                                             + 1000000, close=True))),
    # a long message cut inside its content, then the rest of it with its error, then nothing
    (r"long-invalid-then-stall", fixed(lambda: ok(LONG_INVALID_BODY, pause_at=LONG_INVALID_AT,
                                                  wait_after=STALL_SECONDS,
                                                  content_length=len(LONG_INVALID_BODY)
                                                  + 1000000, close=True))),
    # the valid-then-invalid body and 200,000 spaces at once, without a Content-Length
    (r"invalid-then-more", fixed(lambda: ok(VALID_THEN_INVALID_BODY + b" " * 200000,
                                            content_length=NO_LENGTH, close=True))),
    (r"deep", fixed(lambda: ok(deep_body()))),
    (r"short-body", fixed(lambda: Reply(200, STANDARD_BODY[:100], content_length=5000,
                                        close=True))),
    (r"short-then-whole-([0-9]+)(?:-.*)?", fault_short_then_whole),
    (r"drop", fixed(lambda: Reply(abort="drop"))),
    (r"reset", fixed(lambda: Reply(abort="reset"))),
    (r"big-([0-9]+)(?:-.*)?", fault_big),
    (r"overlap(?:-.*)?", fault_overlap),
    (r"empty-(gzip-)?([0-9]+)(?:-.*)?", fault_empty),
    (r"spaced-empty-([0-9]+)(?:-.*)?", fault_spaced_empty),
    (r"bigcontext-([0-9]+)(?:-.*)?", fault_big_context),
    (r"redirect", fixed(lambda: Reply(302, error_body(302, "mock redirect"),
                                      headers=[("Location", "http://127.0.0.1:1/elsewhere")]))),
    (r"redirect-same", fault_redirect_same),
    (r"control-chars", fixed(lambda: Reply(500, CONTROL_CHARS_BODY))),
    # a short error whose Content-Length announces 100 MB, and then the connection closes
    (r"error-claims-big", fixed(lambda: Reply(500, error_body(500, "claims to be big"),
                                              content_length=100000000, close=True))),
    (r"error-plain", fixed(lambda: Reply(502, b"upstream connect error", "text/plain"))),
    (r"bad-utf8-json", fixed(lambda: Reply(500, b'{"error":"Internal Server Error","message":"'
                                           + BAD_UTF8 + b'"}'))),
    (r"error-nul", fixed(lambda: Reply(500, b'{"error":"Internal Server Error",'
                                         b'"message":"before\\u0000after"}'))),
    (r"bad-utf8-plain", fixed(lambda: Reply(502, BAD_UTF8, "text/plain"))),
    (r"bad-utf8-body", fixed(lambda: ok(BAD_UTF8 + b" not json"))),
] + [(re.escape(name), fixed(lambda body=body: ok(body)))
     for name, body in FIXED_FAULT_BODIES.items()]
FAULTS = [(re.compile(pattern), build) for pattern, build in FAULTS]


def fault_reply(contact, req, state):
    if contact.user_number is not None:
        for pattern, build in FAULTS:
            m = pattern.fullmatch(contact.user_number)
            if m:
                return build(m, contact, req, state)
    return ok(EMPTY_BODY)

# --------------------------------------------------------------------------------------------
# Shared state: statistics, request log, fault counters
# --------------------------------------------------------------------------------------------


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.overlap = threading.Condition(self.lock)   # notified when max_in_flight grows
        self.in_flight = 0
        self.requests = 0
        self.max_in_flight = 0
        self.log = []
        self.counters = {}

    def reset(self):
        """Clears counts, log, max_in_flight, counters (in_flight stays: those are real)."""
        with self.lock:
            self.requests = 0
            self.max_in_flight = 0
            self.log = []
            self.counters = {}

    def begin(self, entry):
        with self.lock:
            self.requests += 1
            self.in_flight += 1
            if self.in_flight > self.max_in_flight:
                self.max_in_flight = self.in_flight
                self.overlap.notify_all()
            if len(self.log) < MAX_LOG_ENTRIES:
                self.log.append(entry)

    def end(self):
        with self.lock:
            self.in_flight -= 1

    def wait_for_overlap(self, count, seconds):
        """True once `count` requests have been in flight at once since the last reset;
        False if that has not happened within `seconds`."""
        with self.overlap:
            return self.overlap.wait_for(lambda: self.max_in_flight >= count, seconds)

    def bump(self, key):
        """Counts a request for a fault counter; returns the count including this one."""
        with self.lock:
            self.counters[key] = self.counters.get(key, 0) + 1
            return self.counters[key]

    def stats(self):
        with self.lock:
            return {"requests": self.requests, "max_in_flight": self.max_in_flight,
                    "in_flight": self.in_flight}

    def log_copy(self):
        with self.lock:
            return [dict(entry) for entry in self.log]

# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    """One instance per TCP connection; handle_one_request() runs once per request."""

    protocol_version = "HTTP/1.1"
    server_version = "setter-mock/1.0"

    def setup(self):
        super().setup()
        self.connection_id = self.server.next_connection_id()

    def log_message(self, format, *args):    # no per-request logging
        pass

    def do_GET(self):
        self.discard_request_body()
        # The request line was decoded as Latin-1; undo that so raw UTF-8 reads as text.
        target = self.path.encode("latin-1", "replace").decode("utf-8", "replace")
        path, _, query = target.partition("?")
        if path.startswith("/__mock/"):
            self.handle_control(path)
        else:
            self.handle_api(path, query)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def discard_request_body(self):
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
        elif length:
            try:
                self.rfile.read(int(length))
            except ValueError:
                self.close_connection = True

    def handle_control(self, path):
        server = self.server
        if path == "/__mock/stats":
            self.send_reply(ok(encode(server.state.stats())))
        elif path == "/__mock/log":
            self.send_reply(ok(encode(server.state.log_copy())))
        elif path == "/__mock/reset" and self.command in ("POST", "GET"):
            server.state.reset()
            self.send_reply(ok(b'{"ok":true}'))
        elif path == "/__mock/warm" and self.command in ("POST", "GET"):
            self.send_reply(ok(encode(server.dataset.warm())))
        else:
            self.send_reply(error_reply(404, "Not Found", "Route not found"))

    def handle_api(self, path, query):
        server = self.server
        authorization = self.headers.get("Authorization")
        authorized = authorization is not None and authorization == "Bearer " + server.key
        entry = {"method": self.command, "path": path, "query": query, "auth": authorized,
                 "authorization_present": authorization is not None,
                 "user_agent": self.headers.get("User-Agent"),
                 "connection_id": self.connection_id, "status": None}
        server.state.begin(entry)
        try:
            if server.latency and not self.wait(server.latency):
                self.close_connection = True
                return
            host = self.headers.get("Host") or "%s:%d" % server.server_address[:2]
            req = Request(self.command, path, query, authorized, host)
            try:
                reply = route(req, server.dataset, server.state)
            except Exception as e:      # a bug in the mock: say so rather than hang up
                traceback.print_exc()
                reply = error_reply(500, "Mock Error", "mock_api bug: %r" % e)
            entry["status"] = None if reply.abort else reply.status
            self.send_reply(reply)
        finally:
            server.state.end()

    def send_reply(self, reply):
        if reply.abort == "drop":
            self.close_connection = True
            return
        if reply.abort == "reset":
            self.reset_connection()
            return
        if reply.wait_before and not self.wait(reply.wait_before):
            self.close_connection = True
            return
        if reply.close:
            self.close_connection = True
        body, length = reply.body, reply.content_length
        if reply.status in (204, 304):     # no body allowed
            body, length = b"", None
        head = self.head(reply, length)
        if self.command == "HEAD":
            body = b""
        if reply.pause_at is not None:
            self.wfile.write(head + body[:reply.pause_at])
            self.wfile.flush()
            if not self.wait(PAUSE_SECONDS):
                self.close_connection = True
                return
            self.wfile.write(body[reply.pause_at:])
        elif len(body) <= 65536:
            self.wfile.write(head + body)
        else:
            self.wfile.write(head)
            self.wfile.write(body)
        if reply.wait_after:
            self.wait(reply.wait_after)

    def head(self, reply, length):
        lines = ["HTTP/1.1 %d %s" % (reply.status, reason(reply.status)),
                 "Server: " + self.server_version,
                 "Date: " + self.date_time_string(),
                 "Content-Type: " + reply.content_type]
        if length is not None and length != NO_LENGTH:
            lines.append("Content-Length: %d" % length)
        lines += ["%s: %s" % header for header in reply.headers]
        if self.close_connection:
            lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def reset_connection(self):
        """Closes the socket with SO_LINGER 0 so the client gets a RST, not a FIN."""
        self.close_connection = True
        sock = self.connection
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()          # the fd stays open while rfile refers to it ...
        self.rfile.close()    # ... and closes here, without the server's shutdown(SHUT_WR)

    def wait(self, seconds):
        """Sleeps; False (early) if the server is stopping or the client went away."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return True
            if self.server.stopping.wait(min(left, WAIT_SLICE)) or self.client_gone():
                return False

    def client_gone(self):
        """True if the peer closed its side (EOF waiting on the socket) or it is broken."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except ValueError:      # fd beyond select()'s range: cannot tell, keep waiting
            return False
        except OSError:
            return True


class StopServing(Exception):
    """Raised in the serve_forever loop once a stop signal has been recorded."""


class MockServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128
    allow_reuse_address = True

    def __init__(self, address, dataset, key, latency, quiet):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.dataset = dataset
        self.key = key
        self.latency = latency
        self.quiet = quiet
        self.state = State()
        self.stopping = threading.Event()
        self.signals = []       # stop signals received (appended by main()'s handler)
        self._connections = 0
        self._connections_lock = threading.Lock()
        super().__init__(address, Handler)

    def server_bind(self):
        # HTTPServer.server_bind() calls getfqdn(), which can wait on DNS; not needed here.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def get_request(self):
        sock, address = super().get_request()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock, address

    def service_actions(self):
        # serve_forever calls this between requests and at least every poll_interval: the
        # place to act on a signal that main()'s handler only recorded.
        if self.signals:
            raise StopServing()

    def next_connection_id(self):
        with self._connections_lock:
            self._connections += 1
            return self._connections

    def handle_error(self, request, client_address):
        error = sys.exc_info()[1]
        if self.quiet or self.stopping.is_set() or isinstance(error, (OSError, ValueError)):
            return      # clients that hang up mid-answer are part of the tests
        super().handle_error(request, client_address)

# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def parse_args(argv):
    p = argparse.ArgumentParser(description="Mock of the Setter AI conversation history API.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--key", help="API key (default %s, or %s with --demo)" % (DEFAULT_KEY,
                                                                             DEMO_KEY))
    p.add_argument("--latency-ms", type=float, default=0.0)
    p.add_argument("--demo", action="store_true")
    p.add_argument("--big-messages", type=int, default=DEFAULT_BIG_MESSAGES)
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    if args.latency_ms < 0 or args.big_messages < 0:
        p.error("--latency-ms and --big-messages must not be negative")
    return args


def write_port_file(path, port):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def remove_port_file(path, port):
    try:
        with open(path) as f:
            if f.read().strip() == str(port):
                os.unlink(path)
    except OSError:
        pass


def main(argv=None):
    args = parse_args(argv)
    dataset = DemoData() if args.demo else TestData(args.big_messages)
    key = args.key if args.key is not None else (DEMO_KEY if args.demo else DEFAULT_KEY)
    server = MockServer((args.host, args.port), dataset, key, args.latency_ms / 1000.0,
                        args.quiet)

    # A signal handler runs in the main thread between any two bytecodes, also while that thread
    # holds a lock (an Event's, or threading's own while it starts a handler thread), so it
    # takes none: it records the signal, and serve_forever's loop acts on it
    # (MockServer.service_actions). A handler that set an Event deadlocked the mock when a
    # SIGTERM came while the main thread was setting that Event after a SIGINT.
    def stop(signum, frame):
        server.signals.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    port = server.server_address[1]
    if args.port_file:
        write_port_file(args.port_file, port)
    if not args.quiet:
        print("mock_api listening on %d" % port, file=sys.stderr, flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    except StopServing:
        pass
    finally:
        server.stopping.set()
        server.server_close()
        if args.port_file:
            remove_port_file(args.port_file, port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
