#!/usr/bin/env python3
"""Check a zip archive written by tlcpack with Python's own zipfile module,
and parse its headers independently (APPNOTE.TXT 4.3.7, 4.3.12, 4.3.14-16,
4.5.3) to check what zipfile does not: that local headers agree with the
central directory, and that zip64 records appear when, and only when, they
are needed.

usage: zipcheck.py ARCHIVE MANIFEST [EPOCH]

MANIFEST has one line per member, in archive order:
    arcname<TAB>file with the expected content<TAB>mode (octal)[<TAB>method]
method, when given, is 0 (stored) or 8 (deflated).  Exits 0 when every
check passes, 1 with a message naming the first failure.
"""
import hashlib
import struct
import sys
import time
import zipfile

MAX32 = 0xFFFFFFFF


def fail(msg):
    print("zipcheck: " + msg, file=sys.stderr)
    sys.exit(1)


def digest_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                return h.hexdigest()
            h.update(b)


def digest_member(zf, info):
    h = hashlib.sha256()
    with zf.open(info) as f:  # reading to the end checks the CRC
        while True:
            b = f.read(1 << 20)
            if not b:
                return h.hexdigest()
            h.update(b)


def check_local(raw, info):
    """The local header must agree with the central directory entry."""
    raw.seek(info.header_offset)
    hdr = raw.read(30)
    (sig, version, flags, method, mtime, mdate, crc, csize, size, nlen,
     xlen) = struct.unpack("<IHHHHHIIIHH", hdr)
    if sig != 0x04034B50:
        fail(f"{info.filename}: no local header at {info.header_offset}")
    name = raw.read(nlen)
    extra = raw.read(xlen)
    if name != info.filename.encode("utf-8"):
        fail(f"{info.filename}: local name {name!r} differs")
    if flags != info.flag_bits or method != info.compress_type:
        fail(f"{info.filename}: local flags/method differ")
    if flags & 0x08:
        fail(f"{info.filename}: uses a data descriptor")
    if crc != info.CRC:
        fail(f"{info.filename}: local CRC differs")
    if version != info.extract_version:
        fail(f"{info.filename}: local version {version} != "
             f"central {info.extract_version}")
    need64 = info.file_size >= MAX32 or info.compress_size >= MAX32
    if need64:
        if (size, csize) != (MAX32, MAX32) or len(extra) != 20:
            fail(f"{info.filename}: local header lacks its zip64 extra")
        tag, ln, lsize, lcsize = struct.unpack("<HHQQ", extra)
        if tag != 1 or ln != 16:
            fail(f"{info.filename}: bad local zip64 extra")
        size, csize = lsize, lcsize
    elif extra:
        fail(f"{info.filename}: local extra field {extra!r} not needed")
    if (size, csize) != (info.file_size, info.compress_size):
        fail(f"{info.filename}: local sizes {size},{csize} != central "
             f"{info.file_size},{info.compress_size}")
    if (mtime, mdate) != (
            info.date_time[3] << 11 | info.date_time[4] << 5 |
            info.date_time[5] // 2,
            (info.date_time[0] - 1980) << 9 | info.date_time[1] << 5 |
            info.date_time[2]):
        fail(f"{info.filename}: local time differs")
    want = 45 if need64 or info.header_offset >= MAX32 else \
        20 if info.compress_type == 8 else 10
    if version != want:
        fail(f"{info.filename}: version needed {version}, expected {want}")


def check_end(raw, infos):
    raw.seek(0, 2)
    end = raw.tell()
    raw.seek(end - 22)
    eocd = raw.read(22)
    (sig, disk, cddisk, n_disk, n, cd_size, cd_off,
     clen) = struct.unpack("<IHHHHIIH", eocd)
    if sig != 0x06054B50 or clen != 0:
        fail("no end of central directory record at the very end")
    raw.seek(end - 22 - 20)
    loc = raw.read(20)
    has64 = loc[:4] == b"PK\x06\x07"
    count = len(infos)
    if has64:
        _, _, off64, ndisks = struct.unpack("<IIQI", loc)
        raw.seek(off64)
        rec = raw.read(56)
        (sig64, rlen, made, need, d1, d2, n1, n2, size64,
         off64b) = struct.unpack("<IQHHIIQQQQ", rec)
        if sig64 != 0x06064B50 or rlen != 44 or n1 != count or n2 != count:
            fail("bad zip64 end of central directory record")
        true_size, true_off = size64, off64b
    else:
        true_size, true_off = cd_size, cd_off
    need64 = count >= 0xFFFF or true_size >= MAX32 or true_off >= MAX32
    if need64 != has64:
        fail(f"zip64 end records {'missing' if need64 else 'not needed'}")
    if not has64 and (n != count or n_disk != count):
        fail("end record count differs")
    if true_off + true_size != (off64 if has64 else end - 22):
        fail("central directory does not end where the end records start")


def main():
    archive, manifest = sys.argv[1], sys.argv[2]
    epoch = int(sys.argv[3]) if len(sys.argv) > 3 else None
    want = []
    with open(manifest, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            want.append(parts)
    with zipfile.ZipFile(archive) as zf, open(archive, "rb") as raw:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        if names != [w[0] for w in want]:
            fail(f"members {names[:5]}... differ from {[w[0] for w in want][:5]}...")
        for info, w in zip(infos, want):
            if info.create_system != 3:
                fail(f"{info.filename}: not made by UNIX")
            mode = info.external_attr >> 16
            if mode != 0o100000 | int(w[2], 8):
                fail(f"{info.filename}: mode {oct(mode)}, want {w[2]}")
            if len(w) > 3 and info.compress_type != int(w[3]):
                fail(f"{info.filename}: method {info.compress_type}, "
                     f"want {w[3]}")
            if info.compress_type not in (0, 8):
                fail(f"{info.filename}: method {info.compress_type}")
            if info.compress_type == 8 and info.compress_size >= info.file_size:
                fail(f"{info.filename}: deflated but did not shrink")
            if epoch is not None:
                t = time.gmtime(max(min(epoch, 4354819198), 315532800))
                dt = (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min,
                      t.tm_sec // 2 * 2)
                if info.date_time != dt:
                    fail(f"{info.filename}: time {info.date_time} != {dt}")
            need64 = (info.file_size >= MAX32 or info.compress_size >= MAX32
                      or info.header_offset >= MAX32)
            if bool(info.extra) != need64:
                fail(f"{info.filename}: central extra {info.extra!r}, "
                     f"zip64 needed: {need64}")
            if any(ord(c) >= 128 for c in info.filename) != bool(
                    info.flag_bits & 0x800):
                fail(f"{info.filename}: UTF-8 flag wrong")
            check_local(raw, info)
            try:
                got = digest_member(zf, info)
            except zipfile.BadZipFile as e:
                fail(f"{info.filename}: {e}")
            if got != digest_file(w[1]):
                fail(f"{info.filename}: content differs from {w[1]}")
        check_end(raw, infos)
    print(f"zipcheck: {len(want)} members ok")


main()
