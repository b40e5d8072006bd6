"""Write the input wheels of bench/index: tiny pure-Python wheels, with the
standard library only.

usage: gen.py OUTDIR PROJECTS PER_PROJECT
       gen.py OUTDIR --one PROJECT VERSION

Project i is "proj-NNN" (NNN = i, three digits), its versions 1.0.dev0 ..
1.0.dev<PER_PROJECT-1>.  One project in three has Requires-Python.  Each
wheel holds proj_NNN/__init__.py and a .dist-info with METADATA, WHEEL
and a RECORD that lists every other member with its hash (sha256,
urlsafe base64 without padding) and size (PEP 376, PEP 427).  Dates and
order are fixed, so the same arguments write the same bytes.
"""
import base64
import hashlib
import os
import sys
import zipfile

DATE = (2023, 11, 14, 22, 13, 20)


def record_hash(data):
    d = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(d).rstrip(b"=").decode()


def write_wheel(outdir, project, version, requires_python):
    mod = project.replace("-", "_")
    dist = "%s-%s" % (mod, version)
    path = os.path.join(outdir, "%s-py3-none-any.whl" % dist)
    meta = "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (project,
                                                               version)
    if requires_python:
        meta += "Requires-Python: %s\n" % requires_python
    meta += "Summary: bench/index wheel %s %s\n" % (project, version)
    members = [
        ("%s/__init__.py" % mod,
         ('"""%s %s, for bench/index."""\n__version__ = "%s"\n'
          % (project, version, version)).encode()),
        ("%s.dist-info/METADATA" % dist, meta.encode()),
        ("%s.dist-info/WHEEL" % dist,
         b"Wheel-Version: 1.0\nGenerator: bench-index\n"
         b"Root-Is-Purelib: true\nTag: py3-none-any\n"),
    ]
    record = "".join("%s,%s,%d\n" % (n, record_hash(d), len(d))
                     for n, d in members)
    record += "%s.dist-info/RECORD,,\n" % dist
    members.append(("%s.dist-info/RECORD" % dist, record.encode()))
    tmp = path + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in members:
            info = zipfile.ZipInfo(n, DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, d)
    os.replace(tmp, path)
    return path


def main(argv):
    if len(argv) == 5 and argv[2] == "--one":
        os.makedirs(argv[1], exist_ok=True)
        print(write_wheel(argv[1], argv[3], argv[4], ">=3.8"))
        return 0
    if len(argv) != 4:
        sys.exit(__doc__)
    outdir, nproj, per = argv[1], int(argv[2]), int(argv[3])
    os.makedirs(outdir, exist_ok=True)
    for i in range(nproj):
        project = "proj-%03d" % i
        rp = ">=3.%d" % (8 + i % 5) if i % 3 == 0 else None
        for j in range(per):
            write_wheel(outdir, project, "1.0.dev%d" % j, rp)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
