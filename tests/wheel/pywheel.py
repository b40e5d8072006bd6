#!/usr/bin/env python3
"""Wheels written with Python's zipfile and csv modules, the way the
`wheel` package writes them, for the wheel reader's tests: a good one and
hostile variants, each breaking one rule of the binary distribution
format (PEP 427) or of RECORD (PEP 376).

usage: pywheel.py OUTDIR CASE
    writes OUTDIR/demo_pkg-1.0-py3-none-any.whl (or the name the case
    needs) and prints its path; `pywheel.py OUTDIR list` prints the cases

The good wheel ("good") holds demo_pkg/__init__.py, an executable script,
a member whose name needs CSV quoting, a deflated and a stored member,
and a .dist-info directory with METADATA, WHEEL, entry_points.txt,
licenses/LICENSE and RECORD (listing itself with no hash).
"""
import base64
import csv
import hashlib
import io
import os
import stat
import sys
import zipfile

DI = "demo_pkg-1.0.dist-info"

METADATA = """Metadata-Version: 2.1
Name: demo-pkg
Version: 1.0
Summary: A wheel written by tests/wheel/pywheel.py
License-File: LICENSE

The description.
"""

WHEEL = """Wheel-Version: 1.0
Generator: pywheel.py
Root-Is-Purelib: true
Tag: py3-none-any

"""

INIT = b"def answer():\n    return 42\n"


def digest(data):
    d = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(d).rstrip(b"=").decode()


def members():
    return [
        ("demo_pkg/__init__.py", INIT, 0o644),
        ("demo_pkg/data, \"quoted\".txt", b"a name CSV must quote\n" * 50,
         0o644),
        ("demo_pkg/stored.bin", bytes(range(256)) * 4, 0o644),
        ("demo_pkg/bin/tool.sh", b"#!/bin/sh\necho tool\n", 0o755),
        (DI + "/METADATA", METADATA.encode(), 0o644),
        (DI + "/WHEEL", WHEEL.encode(), 0o644),
        (DI + "/entry_points.txt",
         b"[console_scripts]\ndemo-answer = demo_pkg:answer\n", 0o644),
        (DI + "/licenses/LICENSE", b"MIT\n", 0o644),
    ]


def record_rows(mem, record_name):
    rows = [(n, digest(d), str(len(d))) for n, d, _ in mem]
    rows.append((record_name, "", ""))
    return rows


def csv_text(rows, terminator="\n"):
    out = io.StringIO()
    w = csv.writer(out, delimiter=",", quotechar='"',
                   lineterminator=terminator)
    for r in rows:
        w.writerow(r)
    return out.getvalue()


def write(path, mem, record=None, record_name=DI + "/RECORD"):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data, mode in mem:
            zi = zipfile.ZipInfo(name, date_time=(2020, 2, 3, 4, 5, 6))
            zi.compress_type = (zipfile.ZIP_STORED
                                if name.endswith(".bin")
                                else zipfile.ZIP_DEFLATED)
            zi.external_attr = (stat.S_IFREG | mode) << 16
            zi.create_system = 3
            zf.writestr(zi, data)
        if record is None:
            record = csv_text(record_rows(mem, record_name))
        if record is not False:
            zi = zipfile.ZipInfo(record_name, date_time=(2020, 2, 3, 4, 5, 6))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = (stat.S_IFREG | 0o644) << 16
            zf.writestr(zi, record)


def replace(mem, name, data):
    return [(n, data if n == name else d, m) for n, d, m in mem]


def drop(mem, name):
    return [(n, d, m) for n, d, m in mem if n != name]


def rename_dist_info(mem, new):
    return [(new + n[len(DI):] if n.startswith(DI + "/") else n, d, m)
            for n, d, m in mem]


def case_good(p, mem):
    write(p, mem)


def case_crlf_record(p, mem):
    write(p, mem, csv_text(record_rows(mem, DI + "/RECORD"), "\r\n"))


def case_no_dist_info(p, mem):
    write(p, [x for x in mem if not x[0].startswith(DI)], False)


def case_two_dist_info(p, mem):
    write(p, mem + [("other-1.0.dist-info/METADATA", b"x", 0o644)])


def case_dist_info_name(p, mem):
    new = "other_pkg-1.0.dist-info"
    write(p, rename_dist_info(mem, new), record_name=new + "/RECORD")


def case_dist_info_version(p, mem):
    new = "demo_pkg-2.0.dist-info"
    write(p, rename_dist_info(mem, new), record_name=new + "/RECORD")


def case_dist_info_no_version(p, mem):
    new = "demo_pkg.dist-info"
    write(p, rename_dist_info(mem, new), record_name=new + "/RECORD")


def case_no_wheel_file(p, mem):
    write(p, drop(mem, DI + "/WHEEL"))


def case_wheel_version_2(p, mem):
    write(p, replace(mem, DI + "/WHEEL",
                     WHEEL.replace("1.0", "2.0").encode()))


def case_wheel_no_version(p, mem):
    write(p, replace(mem, DI + "/WHEEL",
                     WHEEL.replace("Wheel-Version: 1.0\n", "").encode()))


def case_wheel_no_tag(p, mem):
    write(p, replace(mem, DI + "/WHEEL",
                     WHEEL.replace("Tag: py3-none-any\n", "").encode()))


def case_no_metadata(p, mem):
    write(p, drop(mem, DI + "/METADATA"))


def case_metadata_name(p, mem):
    write(p, replace(mem, DI + "/METADATA",
                     METADATA.replace("demo-pkg", "other").encode()))


def case_metadata_version(p, mem):
    write(p, replace(mem, DI + "/METADATA",
                     METADATA.replace("1.0", "1.1").encode()))


def case_metadata_nul(p, mem):
    write(p, replace(mem, DI + "/METADATA", METADATA.encode() + b"\0"))


def case_no_record(p, mem):
    write(p, mem, False)


def case_record_misses_member(p, mem):
    rows = record_rows(mem, DI + "/RECORD")
    write(p, mem, csv_text(rows[1:]))


def case_record_extra_path(p, mem):
    rows = record_rows(mem, DI + "/RECORD")
    rows.insert(0, ("demo_pkg/gone.py", digest(b""), "0"))
    write(p, mem, csv_text(rows))


def case_record_twice(p, mem):
    rows = record_rows(mem, DI + "/RECORD")
    rows.insert(0, rows[0])
    write(p, mem, csv_text(rows))


def case_record_md5(p, mem):
    rows = record_rows(mem, DI + "/RECORD")
    rows[0] = (rows[0][0], "md5=" + hashlib.md5(INIT).hexdigest(), rows[0][2])
    write(p, mem, csv_text(rows))


def case_record_no_hash(p, mem):
    rows = record_rows(mem, DI + "/RECORD")
    rows[0] = (rows[0][0], "", rows[0][2])
    write(p, mem, csv_text(rows))


def case_record_padding(p, mem):
    rows = record_rows(mem, DI + "/RECORD")
    rows[0] = (rows[0][0], rows[0][1] + "=", rows[0][2])
    write(p, mem, csv_text(rows))


def case_record_size(p, mem):
    rows = record_rows(mem, DI + "/RECORD")
    rows[0] = (rows[0][0], rows[0][1], "-1")
    write(p, mem, csv_text(rows))


def case_record_size_differs(p, mem):
    rows = record_rows(mem, DI + "/RECORD")
    rows[0] = (rows[0][0], rows[0][1], str(len(INIT) + 1))
    write(p, mem, csv_text(rows))


def case_record_two_fields(p, mem):
    rows = record_rows(mem, DI + "/RECORD")
    rows[2] = rows[2][:2]
    write(p, mem, csv_text(rows))


def case_record_bad_path(p, mem):
    rows = record_rows(mem, DI + "/RECORD")
    rows.insert(0, ("../evil.py", digest(b""), "0"))
    write(p, mem, csv_text(rows))


def case_record_open_quote(p, mem):
    write(p, mem, csv_text(record_rows(mem, DI + "/RECORD")) + '"x,y,z\n')


def case_not_a_zip(p, mem):
    with open(p, "wb") as f:
        f.write(b"PK\3\4 this is not a zip archive" * 10)


CASES = {k[5:]: v for k, v in globals().items() if k.startswith("case_")}


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: pywheel.py OUTDIR CASE|list")
    outdir, case = sys.argv[1], sys.argv[2]
    if case == "list":
        print("\n".join(CASES))
        return
    os.makedirs(outdir, exist_ok=True)
    path = os.path.join(outdir, "demo_pkg-1.0-py3-none-any.whl")
    CASES[case](path, members())
    print(path)


if __name__ == "__main__":
    main()
