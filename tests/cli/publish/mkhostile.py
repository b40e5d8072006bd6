#!/usr/bin/env python3
"""Hostile wheels for `tlcpack publish`, each breaking one rule.

usage: mkhostile.py OUTDIR

Writes, for each case, OUTDIR/<case>/<wheel file name> (one file), and
OUTDIR/expect.tsv with one line per case:

    case<TAB>substring of the one-line reason publish must give

and two wheels that publish must accept, which show that what the cases
break is their own rule and nothing else:

    OUTDIR/good/good-1.0-py3-none-any.whl       written by zipfile
    OUTDIR/control/hostile-1.0-py3-none-any.whl the cases' base, written by
                                                the raw writer below

Every case starts from the same tiny pure-Python wheel (binary
distribution format, PEP 427 / PEP 491, with a RECORD of sha256 digests,
urlsafe base64 without padding, and sizes) and changes one thing.  Zip
records are written by hand (PKWARE APPNOTE.TXT 6.3.x; section numbers
below are its), so that a case can make the central directory and the
local headers disagree, hide bytes between records, or lie about sizes.
Standard library only.
"""
import base64
import csv
import hashlib
import io
import os
import stat
import struct
import sys
import zipfile
import zlib

NAME = "hostile"
VERSION = "1.0"
TAGS = "py3-none-any"
DOS_TIME = (0, (2020 - 1980) << 9 | 1 << 5 | 2)	# 2020-01-02 00:00:00

SIG_LOCAL = 0x04034B50		# 4.3.7
SIG_CENTRAL = 0x02014B50	# 4.3.12
SIG_END = 0x06054B50		# 4.3.16
FLAG_UTF8 = 0x0800		# 4.4.4 bit 11


def wheel_name(name=NAME, version=VERSION, tags=TAGS):
    return f"{name}-{version}-{tags}.whl"


def record_hash(data):
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def base_files(name=NAME, version=VERSION):
    """The members of a valid wheel but RECORD, as (name, bytes) pairs,
    and its .dist-info directory."""
    dist = f"{name}-{version}.dist-info"
    metadata = (f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
                f"Summary: a tiny wheel for publish's tests\n\n").encode()
    wheel = (b"Wheel-Version: 1.0\nGenerator: mkhostile.py\n"
             b"Root-Is-Purelib: true\nTag: py3-none-any\n")
    files = [
        (f"{name}/__init__.py", b"from .mod import hello\n"),
        (f"{name}/mod.py",
         b"def hello():\n    return 'hello from a tiny wheel'\n" * 4),
        (f"{dist}/METADATA", metadata),
        (f"{dist}/WHEEL", wheel),
    ]
    return files, dist


def record(files, dist, lines=None):
    """RECORD for @files; @lines overrides rows: name -> (hash, size) or
    None to leave a file out."""
    lines = lines or {}
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    for name, data in files:
        row = lines.get(name, (record_hash(data), str(len(data))))
        if row is not None:
            w.writerow([name, *row])
    for name, row in lines.items():
        if row is not None and name not in dict(files):
            w.writerow([name, *row])
    w.writerow([f"{dist}/RECORD", "", ""])
    return out.getvalue().encode("utf-8", "surrogateescape")


def with_record(files, dist, lines=None):
    return files + [(f"{dist}/RECORD", record(files, dist, lines))]


# ---- a zip writer that lies on request ------------------------------------

def deflate(data, level=9):
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


class Member:
    """A member as the raw writer writes it.  Central and local fields
    start equal; the case overrides either side."""

    def __init__(self, name, data, method=8, mode=0o644):
        self.name = name.encode("utf-8", "surrogateescape")
        self.data = data
        self.method = method
        self.comp = deflate(data) if method == 8 else data
        self.crc = zlib.crc32(data)
        self.size = len(data)
        self.csize = len(self.comp)
        self.flags = FLAG_UTF8 if any(b >= 0x80 for b in self.name) else 0
        self.external = (stat.S_IFREG | mode) << 16
        self.made_by = 3 << 8 | 20		# 4.4.2: UNIX, spec 2.0
        self.local = {}			# field -> value, in the local header
        self.has_local = True		# else the central entry points to
        self.points_to = None		# ... this member's local header
        self.inside = None		# ... or this member's data
        self.after = b""		# bytes after the data

    def local_header(self):
        f = dict(name=self.name, flags=self.flags, method=self.method,
                 crc=self.crc, csize=self.csize, size=self.size)
        f.update(self.local)
        return struct.pack("<IHHHHHIIIHH", SIG_LOCAL, 20, f["flags"],
                           f["method"], *DOS_TIME, f["crc"], f["csize"],
                           f["size"], len(f["name"]), 0) + f["name"]

    def central(self, offset):
        return struct.pack("<IHHHHHHIIIHHHHHII", SIG_CENTRAL, self.made_by,
                           20, self.flags, self.method, *DOS_TIME, self.crc,
                           self.csize, self.size, len(self.name), 0, 0, 0,
                           0, self.external, offset) + self.name


def build(members, prepend=b"", before_cd=b"", comment=b""):
    out = bytearray(prepend)
    offsets, data = [], []
    for m in members:
        offsets.append(len(out))
        if m.has_local:
            out += m.local_header()
        data.append(len(out))
        if m.has_local:
            out += m.comp + m.after
    cd = len(out) + len(before_cd)
    out += before_cd
    for i, m in enumerate(members):
        if m.inside is not None:
            out += m.central(data[m.inside])
        else:
            out += m.central(offsets[i if m.points_to is None else
                                     m.points_to])
    size = len(out) - cd
    out += struct.pack("<IHHHHIIH", SIG_END, 0, 0, len(members),
                       len(members), size, cd, len(comment)) + comment
    return bytes(out)


def members_of(files, method=None):
    """Python sources deflated, .dist-info stored (both kinds covered)."""
    return [Member(n, d, method if method is not None else
                   (0 if ".dist-info/" in n else 8)) for n, d in files]


# ---- the cases --------------------------------------------------------------

CASES = []


def case(name, reason, filename=None):
    def register(fn):
        CASES.append((name, reason, filename or wheel_name(), fn))
        return fn
    return register


def base():
    files, dist = base_files()
    return with_record(files, dist), dist


def standard(**kw):
    files, _ = base()
    return build(members_of(files), **kw)


def add_member(name, data):
    """The base plus @name, listed in RECORD with its true digest: the
    members, @name's next to last (RECORD is last)."""
    files, dist = base_files()
    return members_of(with_record(files + [(name, data)], dist))


ZEROS = bytes(50 << 20)


@case("zip-bomb", "zip bomb")
def _():
    # 50 MB of zeros deflate to about 51 KB, 1029:1; the header says
    # 4 GB, a ratio deflate cannot reach (RFC 1951: 1032:1 at most)
    ms = add_member(f"{NAME}/zeros.bin", ZEROS)
    bomb = ms[-2]
    bomb.size = 4_000_000_000
    return build(ms)


@case("bomb-size-lie", "more than the 1000 bytes")
def _():
    # the same zeros with a header (and RECORD) that says 1000 bytes:
    # inflating must stop at 1001
    files, dist = base_files()
    files = files + [(f"{NAME}/zeros.bin", ZEROS)]
    files = with_record(files, dist, {f"{NAME}/zeros.bin":
                                      (record_hash(ZEROS[:1000]), "1000")})
    ms = members_of(files)
    ms[-2].size = 1000
    return build(ms)


@case("overlap-same-header", "names another member")
def _():
    # a second central entry, another name, pointing at the local header
    # of __init__.py
    ms = add_member(f"{NAME}/twin.py", b"from .mod import hello\n")
    twin = ms[-2]
    twin.has_local = False
    twin.points_to = 0
    return build(ms)


@case("overlap-nested", "overlap")
def _():
    # outer.bin, stored, holds inner.py's whole local header and data;
    # inner.py has only a central entry, pointing inside outer.bin
    inner = Member(f"{NAME}/inner.py", b"print('inside')\n", 0)
    blob = inner.local_header() + inner.comp
    files, dist = base_files()
    files = with_record(files + [(f"{NAME}/outer.bin", blob),
                                 (f"{NAME}/inner.py", inner.data)], dist)
    ms = members_of(files)
    outer = len(ms) - 3
    ms[outer] = Member(f"{NAME}/outer.bin", blob, 0)
    ms[-2] = inner
    inner.has_local = False
    inner.inside = outer
    return build(ms)


def bad_name(name):
    def make():
        ms = add_member(name, b"import os\n")
        return build(ms)
    return make


for _n, _m, _r in [
        ("path-dotdot", "../evil.py", "'..' component"),
        ("path-dotdot-inner", f"{NAME}/../../evil.py", "'..' component"),
        ("path-absolute", "/abs.py", "is absolute"),
        ("path-backslash", "a\\b.py", "backslash"),
        ("path-control", f"{NAME}/evil\n.py", "control character"),
        ("path-escape", f"{NAME}/\x1b[31mred.py", "control character"),
        ("path-bad-utf8", f"{NAME}/caf\udce9.py", "not valid UTF-8")]:
    case(_n, _r)(bad_name(_m))


@case("duplicate-name", "appears twice")
def _():
    ms = add_member(f"{NAME}/mod.py", b"evil = True\n")
    return build(ms)


@case("record-hash-mismatch", "RECORD hash")
def _():
    files, dist = base_files()
    files = with_record(files, dist, {f"{NAME}/mod.py": (
        record_hash(b"something else"), str(len(files[1][1])))})
    return build(members_of(files))


@case("record-size-mismatch", "RECORD gives")
def _():
    files, dist = base_files()
    mod = files[1][1]
    files = with_record(files, dist, {f"{NAME}/mod.py": (
        record_hash(mod), str(len(mod) + 1))})
    return build(members_of(files))


@case("record-missing-member", "is not in RECORD")
def _():
    files, dist = base_files()
    files = with_record(files, dist, {f"{NAME}/mod.py": None})
    return build(members_of(files))


@case("record-lists-absent", "which is not in the wheel")
def _():
    files, dist = base_files()
    files = with_record(files, dist, {f"{NAME}/ghost.py": (
        record_hash(b""), "0")})
    return build(members_of(files))


@case("record-missing", "has no hostile-1.0.dist-info/RECORD")
def _():
    files, dist = base_files()
    return build(members_of(files))


@case("name-mismatch-metadata", "names project 'impostor'")
def _():
    files, dist = base_files()
    files = [(n, d.replace(b"Name: hostile", b"Name: impostor"))
             for n, d in files]
    return build(members_of(with_record(files, dist)))


@case("name-mismatch-filename", "project 'impostor'",
      wheel_name(name="impostor"))
def _():
    return standard()


@case("version-mismatch-metadata", "says version '2.0'")
def _():
    files, dist = base_files()
    files = [(n, d.replace(b"\nVersion: 1.0", b"\nVersion: 2.0"))
             for n, d in files]
    return build(members_of(with_record(files, dist)))


@case("version-mismatch-filename", "version '1.1'", wheel_name(version="1.1"))
def _():
    return standard()


@case("tags-extra-part", "invalid wheel filename",
      f"{NAME}-{VERSION}-py3-none-any-extra.whl")
def _():
    return standard()


@case("tags-empty-platform", "invalid wheel filename",
      f"{NAME}-{VERSION}-py3-none-.whl")
def _():
    return standard()


@case("no-dist-info", "has no .dist-info directory")
def _():
    files, dist = base_files()
    files = [(n.replace(".dist-info/", ".info/"), d) for n, d in files]
    return build(members_of(files))


@case("two-dist-info", "has two .dist-info directories")
def _():
    files, dist = base_files()
    extra = f"{NAME}-2.0.dist-info/METADATA"
    files = files + [(extra, files[2][1])]
    return build(members_of(with_record(files, dist)))


@case("wheel-version-2", "not 1.x")
def _():
    files, dist = base_files()
    files = [(n, d.replace(b"Wheel-Version: 1.0", b"Wheel-Version: 2.0"))
             for n, d in files]
    return build(members_of(with_record(files, dist)))


@case("metadata-no-name", "has no Name field")
def _():
    files, dist = base_files()
    files = [(n, d.replace(b"Name: hostile\n", b"")) for n, d in files]
    return build(members_of(with_record(files, dist)))


@case("symlink-member", "is not a regular file")
def _():
    ms = add_member(f"{NAME}/link.py", b"/etc/passwd")
    ms[-2].external = (stat.S_IFLNK | 0o777) << 16
    return build(ms)


@case("symlink-directory", "is not a directory")
def _():
    ms = add_member(f"{NAME}/sub/", b"")
    d = ms[-2]
    d.method = 0
    d.comp = b""
    d.csize = 0
    d.external = (stat.S_IFLNK | 0o777) << 16
    return build(ms)


@case("truncated", "no end of central directory record")
def _():
    z = standard()
    return z[:len(z) // 2]


@case("not-a-zip", "not a zip archive")
def _():
    return b"#!/bin/sh\necho this is no wheel\n"


@case("data-descriptor", "data descriptor")
def _():
    # what zipfile writes to a stream it cannot seek: zeros in the local
    # header, the sizes in a descriptor after the data (4.3.9)
    class Unseekable(io.RawIOBase):
        def __init__(self):
            self.buf = bytearray()

        def writable(self):
            return True

        def write(self, b):
            self.buf += b
            return len(b)

    files, _ = base()
    raw = Unseekable()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, d in files:
            zi = zipfile.ZipInfo(n, (2020, 1, 2, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(zi, d)
    return bytes(raw.buf)


@case("trailing-data", "trailing data")
def _():
    return standard(before_cd=b"GARBAGE after the last member")


@case("prepended-data", "prepended data")
def _():
    # a shell script in front: offsets moved, so that it still opens
    return standard(prepend=b"#!/bin/sh\nexec evil\n")


@case("hidden-data", "hidden data")
def _():
    files, _ = base()
    ms = members_of(files)
    ms[0].after = b"HIDDEN PAYLOAD"
    return build(ms)


@case("archive-comment", "archive comment")
def _():
    return standard(comment=b"a comment that no RECORD covers")


@case("crc-mismatch", "fails its CRC-32 check")
def _():
    # central and local agree on a CRC that the data does not have
    files, _ = base()
    ms = members_of(files)
    ms[1].crc ^= 1
    return build(ms)


@case("local-crc-differs", "gives another CRC-32")
def _():
    files, _ = base()
    ms = members_of(files)
    ms[1].local["crc"] = ms[1].crc ^ 1
    return build(ms)


@case("local-size-differs", "other sizes")
def _():
    files, _ = base()
    ms = members_of(files)
    ms[0].local["size"] = ms[0].size + 100
    return build(ms)


@case("local-name-differs", "names another member")
def _():
    files, _ = base()
    ms = members_of(files)
    ms[1].local["name"] = f"{NAME}/evil.py".encode()
    return build(ms)


@case("local-method-differs", "compression method")
def _():
    files, _ = base()
    ms = members_of(files)
    ms[1].local["method"] = 0
    return build(ms)


@case("encrypted", "encrypted")
def _():
    files, _ = base()
    ms = members_of(files)
    ms[1].flags |= 1
    return build(ms)


@case("method-bzip2", "compression method 12")
def _():
    files, _ = base()
    ms = members_of(files)
    ms[1].method = 12
    return build(ms)


# ---- output ---------------------------------------------------------------

def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    out = argv[1]
    os.makedirs(out, exist_ok=True)

    # the valid ones: zipfile's, and the raw writer's untouched base,
    # which zipfile must read back whole
    files, dist = base_files("good", "1.0")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, d in with_record(files, dist):
            zf.writestr(zipfile.ZipInfo(n, (2020, 1, 2, 0, 0, 0)), d)
    write(os.path.join(out, "good", wheel_name("good")), buf.getvalue())
    control = standard()
    with zipfile.ZipFile(io.BytesIO(control)) as zf:
        if zf.testzip() is not None:
            sys.exit("mkhostile: the raw writer's base is broken")
        for n, d in base()[0]:
            if zf.read(n) != d:
                sys.exit(f"mkhostile: {n} reads back wrong")
    write(os.path.join(out, "control", wheel_name()), control)

    lines = []
    for name, reason, filename, make in CASES:
        write(os.path.join(out, name, filename), make())
        lines.append(f"{name}\t{reason}\n")
    with open(os.path.join(out, "expect.tsv"), "w") as f:
        f.write("".join(lines))


if __name__ == "__main__":
    main(sys.argv)
