"""Write a wheel that holds one large member of incompressible bytes, for
bench/serve, with the standard library only.

usage: blob.py OUTDIR PROJECT VERSION SIZE

The wheel is <project>-<version>-py3-none-linux_x86_64.whl (the machine's
architecture), its members:

  <mod>/_blob.so               SIZE pseudo-random bytes, ZIP_STORED
  <mod>/__init__.py            deflated, as the dist-info files
  <mod>-<version>.dist-info/METADATA, WHEEL, RECORD

The large member is stored, not deflated: it stands for a native library
whose bytes a compressor cannot shrink (random bytes do not deflate: the
deflated member would be as large, and only slower to write and to read),
and stored is what a wheel of already-compressed data often holds.  RECORD
lists every other member with its sha256 (urlsafe base64, no padding) and
size (PEP 376, PEP 427).  The bytes come from a seeded generator, so the
same arguments write the same file.  Prints the path.
"""
import base64
import hashlib
import os
import platform
import random
import sys
import zipfile

DATE = (2023, 11, 14, 22, 13, 20)
CHUNK = 1 << 20


def record_hash(digest):
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def main(argv):
    if len(argv) != 5:
        sys.exit(__doc__)
    outdir, project, version, size = argv[1], argv[2], argv[3], int(argv[4])
    mod = project.replace("-", "_")
    dist = "%s-%s" % (mod, version)
    tag = "py3-none-linux_%s" % platform.machine()
    os.makedirs(outdir, exist_ok=True)
    path = os.path.join(outdir, "%s-%s.whl" % (dist, tag))
    small = [
        ("%s/__init__.py" % mod,
         ('"""%s %s, for bench/serve."""\n__version__ = "%s"\n'
          % (project, version, version)).encode()),
        ("%s.dist-info/METADATA" % dist,
         ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n"
          "Summary: bench/serve blob of %d bytes\n"
          % (project, version, size)).encode()),
        ("%s.dist-info/WHEEL" % dist,
         ("Wheel-Version: 1.0\nGenerator: bench-serve\n"
          "Root-Is-Purelib: false\nTag: %s\n" % tag).encode()),
    ]
    rng = random.Random("%s %s %d" % (project, version, size))
    record = []
    tmp = path + ".tmp"
    with zipfile.ZipFile(tmp, "w") as z:
        info = zipfile.ZipInfo("%s/_blob.so" % mod, DATE)
        info.compress_type = zipfile.ZIP_STORED
        info.external_attr = 0o755 << 16
        info.file_size = size
        h = hashlib.sha256()
        with z.open(info, "w", force_zip64=size >= 1 << 31) as f:
            left = size
            while left:
                b = rng.randbytes(min(CHUNK, left))
                h.update(b)
                f.write(b)
                left -= len(b)
        record.append("%s,%s,%d\n" % (info.filename, record_hash(h.digest()),
                                      size))
        for n, d in small:
            info = zipfile.ZipInfo(n, DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, d)
            record.append("%s,%s,%d\n"
                          % (n, record_hash(hashlib.sha256(d).digest()),
                             len(d)))
        record.append("%s.dist-info/RECORD,,\n" % dist)
        info = zipfile.ZipInfo("%s.dist-info/RECORD" % dist, DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        z.writestr(info, "".join(record).encode())
    os.replace(tmp, path)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
