#!/usr/bin/env python3
"""Check a wheel against the binary distribution format spec with the
standard library only: RECORD hashes recomputed here, WHEEL and METADATA
parsed with the email package, member order, modes.

usage: wheelcheck.py WHEEL [MEMBER...]

When MEMBERs are given they must be exactly the members outside the
.dist-info directory.  Exits 0 when every check passes, else 1 with a
message naming the first failure.
"""
import base64
import csv
import email.parser
import hashlib
import io
import itertools
import os
import re
import sys
import zipfile


def fail(msg):
    print("wheelcheck: " + msg, file=sys.stderr)
    sys.exit(1)


def b64(digest):
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def main():
    path = sys.argv[1]
    fname = os.path.basename(path)
    m = re.match(r"^([^-]+)-([^-]+)(?:-(\d[^-]*))?-([^-]+)-([^-]+)-([^-]+)\.whl$",
                 fname)
    if not m:
        fail(f"bad wheel filename {fname}")
    name, ver, build, py, abi, plat = m.groups()
    di = f"{name}-{ver}.dist-info"
    with zipfile.ZipFile(path) as zf:
        if zf.testzip() is not None:
            fail("a member has a bad CRC")
        infos = zf.infolist()
        names = [i.filename for i in infos]
        if len(set(names)) != len(names):
            fail("duplicate members")
        tops = {n.split("/")[0] for n in names if
                n.split("/")[0].endswith(".dist-info")}
        if tops != {di}:
            fail(f".dist-info directories {tops}, want {di}")
        ndist = sum(1 for n in names if n.startswith(di + "/"))
        body, dist = names[:-ndist], names[-ndist:]
        if any(n.startswith(di + "/") for n in body):
            fail("the .dist-info directory is not last")
        if dist[-1] != di + "/RECORD":
            fail("RECORD is not the last member")
        key = lambda n: n.encode("utf-8")
        if body != sorted(body, key=key) or dist[:-1] != sorted(dist[:-1],
                                                                key=key):
            fail("members are not sorted")
        if len(sys.argv) > 2 and body != sorted(sys.argv[2:], key=key):
            fail(f"members {body} differ from {sorted(sys.argv[2:], key=key)}")
        for i in infos:
            if i.external_attr >> 16 not in (0o100644, 0o100755):
                fail(f"{i.filename}: mode {oct(i.external_attr >> 16)}")

        # RECORD (PEP 376 as amended by PEP 427)
        rows = list(csv.reader(io.StringIO(
            zf.read(di + "/RECORD").decode("utf-8"), newline="")))
        if [r[0] for r in rows] != names:
            fail("RECORD does not list the members in order")
        for r in rows:
            if len(r) != 3:
                fail(f"RECORD row {r} has {len(r)} fields")
            if r[0] == di + "/RECORD":
                if r[1:] != ["", ""]:
                    fail("RECORD's own line has a hash or size")
                continue
            data = zf.read(r[0])
            want = "sha256=" + b64(hashlib.sha256(data).digest())
            if r[1] != want:
                fail(f"{r[0]}: RECORD hash {r[1]} != {want}")
            if r[2] != str(len(data)):
                fail(f"{r[0]}: RECORD size {r[2]} != {len(data)}")

        parser = email.parser.Parser()
        wheel = parser.parsestr(zf.read(di + "/WHEEL").decode("utf-8"))
        if wheel["Wheel-Version"] != "1.0":
            fail("WHEEL: Wheel-Version is not 1.0")
        if not wheel["Generator"]:
            fail("WHEEL: no Generator")
        if wheel["Root-Is-Purelib"] not in ("true", "false"):
            fail("WHEEL: Root-Is-Purelib is not true or false")
        tags = set(wheel.get_all("Tag") or [])
        want = {"-".join(t) for t in itertools.product(
            py.split("."), abi.split("."), plat.split("."))}
        if tags != want:
            fail(f"WHEEL tags {sorted(tags)} != filename's {sorted(want)}")
        if (wheel["Build"] or None) != build:
            fail(f"WHEEL Build {wheel['Build']} != filename's {build}")

        meta = parser.parsestr(zf.read(di + "/METADATA").decode("utf-8"))
        if meta["Metadata-Version"] not in ("2.1",):
            fail(f"METADATA: Metadata-Version {meta['Metadata-Version']}")
        norm = re.sub(r"[-_.]+", "_", meta["Name"]).lower()
        if norm != name:
            fail(f"METADATA: Name {meta['Name']} does not match {name}")
        if meta["Version"] != ver:
            fail(f"METADATA: Version {meta['Version']} != {ver}")
        for lf in meta.get_all("License-File") or []:
            if di + "/licenses/" + lf not in names:
                fail(f"License-File {lf} is not in {di}/licenses/")
    print(f"wheelcheck: {fname}: {len(names)} members ok")


main()
