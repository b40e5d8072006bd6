#!/usr/bin/env python3
"""Run a toml-test decoder over the TOML 1.0.0 cases of the toml-test suite.

Re-implements what `toml-test test -decoder=...` checks (see the suite's
README.md, "Usage without toml-test binary"):

- every case listed in tests/files-toml-1.0.0 is run;
- valid/X.toml must be accepted, and the tagged JSON printed must equal
  valid/X.json: the same tables, arrays and keys, tags equal, strings and
  booleans equal as text, integers and floats equal as numbers (nan equals
  nan, infinities by sign), date/times equal as instants (offset
  date-times) or as fields, with fractional seconds compared as numbers;
- invalid/X.toml must be refused: exit status 1 and one line on stderr
  of the form "<file>:<line>:<column>: <what>" (a crash is not a refusal).

Prints "toml-test: N passed, M failed" and exits non-zero on any failure,
or when the suite cannot be found.
"""

import argparse
import fnmatch
import json
import math
import os
import re
import subprocess
import sys

ERROR_LINE = re.compile(r"^[^\n]+:\d+:\d+: \S[^\n]*\n?$")
DATE = r"(\d{4})-(\d{2})-(\d{2})"
TIME = r"(\d{2}):(\d{2})(?::(\d{2}))?(?:\.(\d+))?"
PATTERNS = {
    "datetime": re.compile("^" + DATE + "[Tt ]" + TIME +
                           r"([Zz]|[+-]\d{2}:\d{2})$"),
    "datetime-local": re.compile("^" + DATE + "[Tt ]" + TIME + "$"),
    "date-local": re.compile("^" + DATE + "$"),
    "time-local": re.compile("^" + TIME + "$"),
}


def days_from_civil(y, m, d):
    """Days since 1970-01-01 in the proleptic Gregorian calendar, any year
    (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms")."""
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def norm_datetime(kind, text):
    """A comparable form of a date/time, or None if it does not parse."""
    m = PATTERNS[kind].match(text)
    if not m:
        return None
    g = m.groups()
    if kind == "time-local":
        h, mi, s, frac = g
        date = None
    else:
        date = tuple(int(x) for x in g[:3])
        if kind == "date-local":
            return date
        h, mi, s, frac = g[3:7]
    nanos = int(((frac or "") + "0" * 9)[:9])
    hms = (int(h), int(mi), int(s or 0))
    if kind == "time-local":
        return hms + (nanos,)
    if kind == "datetime-local":
        return date + hms + (nanos,)
    off = g[7]
    offmin = 0
    if off not in ("Z", "z"):
        sign = -1 if off[0] == "-" else 1
        offmin = sign * (int(off[1:3]) * 60 + int(off[4:6]))
    secs = (days_from_civil(*date) * 86400 + hms[0] * 3600 + hms[1] * 60 +
            hms[2] - offmin * 60)
    return (secs, nanos)


def is_tagged(v):
    return (isinstance(v, dict) and set(v) == {"type", "value"} and
            isinstance(v["type"], str) and isinstance(v["value"], str))


def parse_float(text):
    t = text.replace("_", "")
    if t in ("inf", "+inf"):
        return math.inf
    if t == "-inf":
        return -math.inf
    if t in ("nan", "+nan", "-nan"):
        return math.nan
    return float(t)


def compare_scalar(path, want, have):
    wt, ht = want["type"], have["type"]
    wv, hv = want["value"], have["value"]
    if wt != ht:
        return "%s: type is %r, want %r" % (path, ht, wt)
    try:
        if wt == "integer":
            ok = int(wv) == int(hv)
        elif wt == "float":
            w, h = parse_float(wv), parse_float(hv)
            ok = (math.isnan(w) and math.isnan(h)) or w == h
        elif wt in PATTERNS:
            w, h = norm_datetime(wt, wv), norm_datetime(wt, hv)
            if h is None:
                return "%s: %s %r is not in RFC 3339 form" % (path, wt, hv)
            ok = w == h
        elif wt in ("string", "bool"):
            ok = wv == hv
        else:
            return "%s: unknown type %r" % (path, wt)
    except ValueError:
        ok = False
    if not ok:
        return "%s: value is %r, want %r" % (path, hv, wv)
    return None


def compare(path, want, have):
    """None if equal, else a description of the first difference."""
    if is_tagged(want):
        if not is_tagged(have):
            return "%s: got %s, want a %s value" % (
                path, json.dumps(have)[:80], want["type"])
        return compare_scalar(path, want, have)
    if isinstance(want, dict):
        if not isinstance(have, dict) or is_tagged(have):
            return "%s: got %s, want a table" % (path, json.dumps(have)[:80])
        if set(want) != set(have):
            return "%s: keys %s, want %s" % (path, sorted(have), sorted(want))
        for k in want:
            d = compare(path + "." + json.dumps(k), want[k], have[k])
            if d:
                return d
        return None
    if isinstance(want, list):
        if not isinstance(have, list):
            return "%s: got %s, want an array" % (path, json.dumps(have)[:80])
        if len(want) != len(have):
            return "%s: %d elements, want %d" % (path, len(have), len(want))
        for i, (w, h) in enumerate(zip(want, have)):
            d = compare("%s[%d]" % (path, i), w, h)
            if d:
                return d
        return None
    return "%s: unexpected JSON %r in the expected output" % (path, want)


def run_decoder(decoder, toml_bytes):
    return subprocess.run([decoder], input=toml_bytes, capture_output=True,
                          timeout=20)


def check_valid(decoder, toml_path, json_path):
    with open(toml_path, "rb") as f:
        data = f.read()
    with open(json_path, "rb") as f:
        want = json.loads(f.read().decode("utf-8"))
    r = run_decoder(decoder, data)
    if r.returncode != 0:
        return "refused valid TOML (exit %d): %s" % (
            r.returncode, r.stderr.decode("utf-8", "replace").strip())
    try:
        have = json.loads(r.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        return "decoder printed bad JSON: %s" % e
    return compare("$", want, have)


def check_invalid(decoder, toml_path):
    with open(toml_path, "rb") as f:
        data = f.read()
    r = run_decoder(decoder, data)
    err = r.stderr.decode("utf-8", "replace")
    if r.returncode == 0:
        return "accepted invalid TOML, printed %s" % (
            r.stdout.decode("utf-8", "replace").strip()[:200])
    if r.returncode != 1:
        return "decoder failed instead of refusing (exit %d): %s" % (
            r.returncode, err.strip()[:300])
    if not ERROR_LINE.match(err):
        return "error is not one 'file:line:column: what' line: %r" % err
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--decoder", required=True,
                    help="the toml-test decoder program")
    ap.add_argument("--testdata", default=None,
                    help="the toml-test directory (default: "
                    "$TLC_TESTDATA/toml-test, else "
                    "/work/shared/testdata/toml-test)")
    ap.add_argument("--run", action="append", default=[],
                    help="only cases matching this glob, e.g. "
                    "'valid/string/*' (repeatable)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print every case")
    args = ap.parse_args()

    root = args.testdata
    if not root:
        base = os.environ.get("TLC_TESTDATA", "/work/shared/testdata")
        root = os.path.join(base, "toml-test")
    listing = os.path.join(root, "tests", "files-toml-1.0.0")
    if not os.path.isfile(listing):
        msg = ("toml-test: FAILED: the toml-test suite is missing: no file "
               "%s.\ntoml-test: get the suite (toml-lang/toml-test, its "
               "tests/ directory) and point the build at the directory "
               "holding toml-test/: cmake -DTLC_TESTDATA=/path/to/testdata "
               "(the default is <source>/../shared/testdata), or run this "
               "script with --testdata /path/to/toml-test." % listing)
        print(msg, file=sys.stderr)
        print(msg)
        print("toml-test: 0 passed, 1 failed")
        return 1

    if not os.access(args.decoder, os.X_OK):
        print("toml-test: FAILED: no decoder program at %s (build the "
              "tlc_toml_decoder target)" % args.decoder)
        print("toml-test: 0 passed, 1 failed")
        return 1

    with open(listing, encoding="utf-8") as f:
        names = [ln.strip() for ln in f if ln.strip().endswith(".toml")]
    if args.run:
        names = [n for n in names
                 if any(fnmatch.fnmatch(n[:-5], g) or fnmatch.fnmatch(n, g)
                        for g in args.run)]
    tests = os.path.join(root, "tests")
    passed = failed = 0
    for name in names:
        path = os.path.join(tests, name)
        try:
            if name.startswith("valid/"):
                why = check_valid(args.decoder, path, path[:-5] + ".json")
            elif name.startswith("invalid/"):
                why = check_invalid(args.decoder, path)
            else:
                why = "neither valid/ nor invalid/"
        except (OSError, subprocess.SubprocessError) as e:
            why = "cannot run: %s" % e
        if why:
            failed += 1
            print("FAIL %s: %s" % (name[:-5], why))
        else:
            passed += 1
            if args.verbose:
                print("ok   %s" % name[:-5])
    if not names:
        print("toml-test: FAILED: no cases selected from %s" % listing)
        failed += 1
    print("toml-test: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
