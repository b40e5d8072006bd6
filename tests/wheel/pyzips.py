#!/usr/bin/env python3
"""Zip archives written by Python's own zipfile module, for the zip
reader's tests, and a checker for archives the reader's raw copies make.

usage: pyzips.py make OUTDIR
           writes OUTDIR/<case>.zip and OUTDIR/<case>.txt for each case,
           and OUTDIR/list.txt naming the cases, one a line
       pyzips.py check ARCHIVE MANIFEST
           ARCHIVE must pass zipfile's testzip(), hold exactly the members
           of MANIFEST in its order with those digests, sizes and modes,
           and have no data descriptors (bit 3) in its local headers

A manifest has one line per member, in archive order:
    name<TAB>sha256 hex<TAB>size<TAB>mode (octal: 644 or 755)
Directory entries ("name/") are left out of manifests: the reader skips
them.  Exits 0, or 1 with a message naming the first failure.
"""
import hashlib
import io
import os
import stat
import struct
import sys
import zipfile


def fail(msg):
    print("pyzips: " + msg, file=sys.stderr)
    sys.exit(1)


class Unseekable(io.RawIOBase):
    """A write-only stream zipfile cannot seek: it writes data
    descriptors (APPNOTE 4.3.9) after every member."""

    def __init__(self):
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.data += b
        return len(b)


def noise(n, seed):
    out = bytearray()
    x = seed
    while len(out) < n:
        x = (x * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        out += x.to_bytes(8, "little")
    return bytes(out[:n])


def text(n, salt):
    line = f"line of the python test text, salt {salt}, lorem ipsum\n"
    return (line.encode() * (n // len(line) + 1))[:n]


def info(name, mode=0o644, method=zipfile.ZIP_DEFLATED):
    zi = zipfile.ZipInfo(name, date_time=(2020, 1, 2, 3, 4, 6))
    zi.compress_type = method
    zi.external_attr = (stat.S_IFREG | mode) << 16
    zi.create_system = 3
    return zi


def members_basic():
    return [
        ("hello.txt", text(5000, 1), 0o644, zipfile.ZIP_DEFLATED),
        ("bin/run.sh", b"#!/bin/sh\necho hi\n", 0o755, zipfile.ZIP_DEFLATED),
        ("noise.bin", noise(70000, 3), 0o644, zipfile.ZIP_DEFLATED),
        ("stored.txt", text(3000, 2), 0o644, zipfile.ZIP_STORED),
        ("empty", b"", 0o644, zipfile.ZIP_DEFLATED),
        ("empty-stored", b"", 0o644, zipfile.ZIP_STORED),
        ("big/text.txt", text(600000, 4), 0o644, zipfile.ZIP_DEFLATED),
        ("unicod\u00e9/\u00f1.txt", "ol\u00e9\n".encode(), 0o644,
         zipfile.ZIP_DEFLATED),
    ]


def write_members(zf, members, force_zip64=False):
    for name, data, mode, method in members:
        zi = info(name, mode, method)
        if force_zip64:
            with zf.open(zi, "w", force_zip64=True) as f:
                f.write(data)
        else:
            zf.writestr(zi, data)


def manifest(members):
    lines = []
    for name, data, mode, _ in members:
        if name.endswith("/"):
            continue
        mode = 0o755 if mode & 0o111 else 0o644
        lines.append(f"{name}\t{hashlib.sha256(data).hexdigest()}\t"
                     f"{len(data)}\t{mode:o}\n")
    return "".join(lines)


def make(outdir):
    os.makedirs(outdir, exist_ok=True)
    cases = {}
    basic = members_basic()

    # deflated and stored, with the longest comment there can be
    with zipfile.ZipFile(os.path.join(outdir, "basic.zip"), "w") as zf:
        write_members(zf, basic)
        zf.comment = b"c" * 65535
    cases["basic"] = basic

    # zip64 extra fields in every local header (force_zip64)
    with zipfile.ZipFile(os.path.join(outdir, "force64.zip"), "w") as zf:
        write_members(zf, basic, force_zip64=True)
    cases["force64"] = basic

    # zip64 everywhere: with the limits lowered, zipfile writes zip64
    # extras in the central directory for sizes and offsets, and the
    # zip64 end record and locator (4.3.14, 4.3.15)
    limit, count = zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT
    zipfile.ZIP64_LIMIT = 100
    zipfile.ZIP_FILECOUNT_LIMIT = 2
    try:
        with zipfile.ZipFile(os.path.join(outdir, "zip64.zip"), "w",
                             allowZip64=True) as zf:
            write_members(zf, basic)
            zf.comment = b"zip64 with a comment"
    finally:
        zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = limit, count
    cases["zip64"] = basic

    # data descriptors after every member (flag bit 3)
    raw = Unseekable()
    with zipfile.ZipFile(raw, "w") as zf:
        write_members(zf, basic)
    with open(os.path.join(outdir, "descriptors.zip"), "wb") as f:
        f.write(raw.data)
    cases["descriptors"] = basic

    # directory entries, which the reader skips
    dirs = [("pkg/", b"", 0o755, zipfile.ZIP_STORED),
            ("pkg/__init__.py", b"x = 1\n", 0o644, zipfile.ZIP_DEFLATED),
            ("pkg/sub/", b"", 0o755, zipfile.ZIP_STORED),
            ("pkg/sub/m.py", text(2000, 5), 0o644, zipfile.ZIP_DEFLATED)]
    with zipfile.ZipFile(os.path.join(outdir, "dirs.zip"), "w") as zf:
        for name, data, mode, method in dirs:
            zi = info(name, mode, method)
            if name.endswith("/"):
                zi.external_attr = (stat.S_IFDIR | mode) << 16 | 0x10
            zf.writestr(zi, data)
    cases["dirs"] = dirs

    # made on MS-DOS: no permission bits, so every member is 0644
    dos = [("readme.txt", b"dos\r\n", 0o644, zipfile.ZIP_DEFLATED)]
    with zipfile.ZipFile(os.path.join(outdir, "dos.zip"), "w") as zf:
        zi = info("readme.txt")
        zi.create_system = 0
        zi.external_attr = 0x20
        zf.writestr(zi, b"dos\r\n")
    cases["dos"] = dos

    # an empty archive: just the end record
    with zipfile.ZipFile(os.path.join(outdir, "empty.zip"), "w"):
        pass
    cases["empty"] = []

    for name, members in cases.items():
        with open(os.path.join(outdir, name + ".txt"), "w") as f:
            f.write(manifest(members))
    with open(os.path.join(outdir, "list.txt"), "w") as f:
        f.write("".join(n + "\n" for n in cases))


def check(archive, manifest_path):
    with open(manifest_path) as f:
        want = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    with zipfile.ZipFile(archive) as zf:
        bad = zf.testzip()
        if bad is not None:
            fail(f"{archive}: testzip fails on {bad}")
        infos = zf.infolist()
        names = [i.filename for i in infos]
        if names != [w[0] for w in want]:
            fail(f"{archive}: members {names} are not {[w[0] for w in want]}")
        for i, (name, digest, size, mode) in zip(infos, want):
            data = zf.read(i)
            if hashlib.sha256(data).hexdigest() != digest:
                fail(f"{archive}: {name}: wrong content")
            if len(data) != int(size) or i.file_size != int(size):
                fail(f"{archive}: {name}: wrong size")
            got = (i.external_attr >> 16) & 0o777
            if got != int(mode, 8):
                fail(f"{archive}: {name}: mode {got:o}, not {mode}")
    with open(archive, "rb") as raw:
        for i in infos:
            raw.seek(i.header_offset)
            hdr = raw.read(30)
            sig, _, flags = struct.unpack("<IHH", hdr[:8])
            if sig != 0x04034B50:
                fail(f"{archive}: {i.filename}: no local header")
            if flags & 0x08:
                fail(f"{archive}: {i.filename}: has a data descriptor")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "make":
        make(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3])
    else:
        fail("usage: pyzips.py make OUTDIR | check ARCHIVE MANIFEST")


if __name__ == "__main__":
    main()
