#!/usr/bin/python3
"""test_phone.py - setter_phone(x) against a reference implementation of the README's rules.

    /usr/bin/python3 tests/run.py --also "/usr/bin/python3 tests/test_phone.py"

Uses TEST_EXT (the extension, without suffix) from the --also environment of tests/run.py;
needs no mock. What it proves: for 20,000 random TEXT inputs (fixed seed, so a failure
repeats) built from digits, '+', "(0)", the ASCII and Unicode separators, their UTF-8
encodings with a corrupted continuation byte, truncated sequences, overlong forms, encoded
surrogates and random bytes, setter_phone(CAST(x AS TEXT)) equals `reference(x)`, a direct
transcription of the rules in README "Phone numbers" (and phone.c's header) that decodes
with Python's strict UTF-8 decoder: invalid UTF-8 anywhere gives NULL. A handful of fixed
inputs (the defect that was found: E2 80 31 read as a dash) come first.

The last line is `phone: N passed, N failed`; the exit status is 1 when something failed.
"""
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check  # noqa: E402
import harness  # noqa: E402

EXT = os.environ["TEST_EXT"]
N_RANDOM = 20000
MAX_DIGITS = 15        # E.164
MIN_DIGITS = 7         # fewer is no phone number
MAX_READ = MAX_DIGITS + 2   # the longest digit run read: 15 plus a "00" prefix

SEPARATORS = set(" \t-./()") | {chr(c) for c in [0xA0, 0x1680, 0x202F, 0x205F, 0x3000, 0x2212]}
SEPARATORS |= {chr(c) for c in range(0x2000, 0x200B)} | {chr(c) for c in range(0x2010, 0x2016)}


def reference(raw):
    """The README's rules for a TEXT value given as bytes; None for NULL."""
    try:
        s = raw.decode("utf-8")        # strict: invalid UTF-8 -> NULL
    except UnicodeDecodeError:
        return None
    m = re.fullmatch(r"([0-9]+)\.0+", s)
    if m:                  # '15550100038.0', as a spreadsheet exports a number
        s = m.group(1)
    digits, plus, i = [], False, 0
    while i < len(s):
        c = s[i]
        if "0" <= c <= "9":
            if len(digits) == MAX_READ:
                return None
            digits.append(c)
            i += 1
        elif c == "+":
            if plus or digits:
                return None
            plus = True
            i += 1
        elif s.startswith("(0)", i) and (
                (plus and len(digits) >= 1)
                or (not plus and len(digits) >= 3 and digits[0] == digits[1] == "0")):
            i += 3     # the national trunk 0 of an international number
        elif c in SEPARATORS:
            i += 1
        else:
            return None
    start = 2 if not plus and digits[:2] == ["0", "0"] else 0
    rest = digits[start:]
    if not MIN_DIGITS <= len(rest) <= MAX_DIGITS:
        return None
    if (plus or start) and rest[0] == "0":
        return None
    return "".join(rest)


def corrupted(sep):
    """The UTF-8 of a separator with one byte replaced, cut short, or made overlong."""
    b = bytearray(sep.encode("utf-8"))
    how = random.randrange(4)
    if how == 0:
        b[random.randrange(1, len(b))] = random.randrange(256)
    elif how == 1:
        b = b[:random.randrange(1, len(b))]
    elif how == 2:      # E2 80 xx with any xx (the defect: xx <= 0x8A was taken as a space)
        b = bytearray(b"\xe2\x80" + bytes([random.randrange(256)]))
    else:               # an overlong or surrogate encoding
        b = bytearray(random.choice([b"\xc0\xa0", b"\xe0\x80\xa0", b"\xf0\x82\x80\x90",
                                     b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc1\xbf"]))
    return bytes(b)


def piece():
    r = random.random()
    if r < 0.50 or r >= 0.86:
        return random.choice(b"0123456789").to_bytes(1, "big")
    if r < 0.62:
        return random.choice([b" ", b"-", b".", b"(", b")", b"/", b"\t", b"+", b"(0)", b"00"])
    unicode_seps = sorted(s for s in SEPARATORS if ord(s) > 0x7f)
    if r < 0.80:
        return random.choice(unicode_seps).encode("utf-8")
    if r < 0.84:
        return corrupted(random.choice(unicode_seps))
    return bytes([random.randrange(256)])


def random_input():
    return b"".join(piece() for _ in range(random.randrange(0, 24)))


def main():
    random.seed(20261202)
    db = harness.connect(EXT)
    fixed = [b"1555\xe2\x80\x31555", b"1555\xe2\x80\x8a5555", b"1\xe2\x80\x305", b"1\xe2\x80", b"1\xe2",
             b"1\xc2\x205", b"1\xc2\xa05", b"+1\xe3\x80\x80555", b"1\xe3\x80\x205", b"1\xe1\x9a\x205"]
    inputs = fixed + [random_input() for _ in range(N_RANDOM)]
    disagree = []
    n_null = n_digits = n_invalid = 0
    for raw in inputs:
        got = db.execute("SELECT setter_phone(CAST(? AS TEXT))", (raw,)).fetchone()[0]
        want = reference(raw)
        if got != want:
            disagree.append((raw, got, want))
        n_null += want is None
        n_digits += want is not None
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            n_invalid += 1
    for raw, got, want in disagree[:10]:
        print("     %r: setter_phone %r, rules %r" % (raw, got, want))
    check(not disagree,
          "setter_phone agrees with the README's rules on %d inputs (%d numbers, %d NULL, "
          "%d with invalid UTF-8)" % (len(inputs), n_digits, n_null, n_invalid),
          "%d disagree" % len(disagree))
    check(n_digits >= 1000 and n_invalid >= 1000,
          "the random inputs cover both numbers and invalid UTF-8 (at least 1,000 each)",
          "%d numbers, %d invalid" % (n_digits, n_invalid))
    fixed_got = [db.execute("SELECT setter_phone(CAST(? AS TEXT))", (raw,)).fetchone()[0]
                 for raw in fixed[:2]]
    check(fixed_got == [None, "15555555"],
          "E2 80 31 is not a separator (invalid UTF-8 -> NULL); E2 80 8A (U+200A) is",
          repr(fixed_got))
    db.close()


if __name__ == "__main__":
    main()
    sys.exit(harness.report("phone"))
