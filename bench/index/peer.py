"""The peer of bench/index: a short static index generator, standard
library only, doing what tlcpack index and tlcpack publish do, the way a
typical generator does it.

usage: peer.py index REPO [--no-fsync]
       peer.py publish REPO WHEEL [--no-fsync]

index    reads every REPO/.tlcpack/state/*.json (tlcpack's states) and
         writes wheels.html, simple/index.html, simple/index.json and
         simple/<project>/index.{html,json} of every project.
publish  validates WHEEL (zipfile: every member read and checked against
         RECORD's sha256 and size, PEP 376 / PEP 427; the name and
         version against METADATA), copies it to files/<project>/, writes
         its PEP 658 .metadata, adds it to its project's state, then
         regenerates every page, as index does.

Every file is written as tlcpack writes it: under a temporary name in the
same directory, fsynced, renamed into place, and the directory fsynced
(--no-fsync: neither fsync).  The pages carry what tlcpack's carry, in the
same bytes: PEP 503 anchors with the #sha256= fragment,
data-requires-python, data-dist-info-metadata and data-core-metadata
(PEP 658 / PEP 714) and data-yanked (PEP 592); PEP 691 JSON with PEP 700's
versions, size and upload-time.  Not handled: variants and base URLs
(the benchmark uses neither).

Prints "elapsed SECONDS": the time spent after the interpreter started.
"""
import time

T0 = time.monotonic()

import base64
import email.parser
import hashlib
import json
import os
import re
import sys
import tempfile
import urllib.parse
import zipfile

FSYNC = True

HTML_ESCAPES = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    "\t": "&#9;", "\n": "&#10;", "\r": "&#13;",
})


def h(s):
    return s.translate(HTML_ESCAPES)


def seg(s):
    # RFC 3986 path segment: all but ALPHA DIGIT - . _ ~ percent-encoded
    return urllib.parse.quote(s, safe="")


# ---- durable writes ------------------------------------------------------

def fsync_dir(d):
    if not FSYNC:
        return
    fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path, data):
    d, base = os.path.split(path)
    fd, tmp = tempfile.mkstemp(dir=d, prefix=base + ".tmp.")
    try:
        os.fchmod(fd, 0o644)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if FSYNC:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(tmp)
        raise
    os.close(fd)
    os.replace(tmp, path)
    fsync_dir(d)


def make_dir(path):
    if not os.path.isdir(path):
        os.makedirs(path)
        fsync_dir(os.path.dirname(path))


# ---- PEP 440 order, for PEP 700's "versions" -----------------------------

VERSION = re.compile(r"^(?:(\d+)!)?(\d+(?:\.\d+)*)(?:(a|b|rc)(\d+))?"
                     r"(?:\.post(\d+))?(?:\.dev(\d+))?(?:\+([a-z0-9.]+))?$")
INF = float("inf")


def version_key(v):
    """The sort key of a normalized PEP 440 version (packaging's order)."""
    m = VERSION.match(v)
    if not m:
        return ((INF,), v)
    epoch, rel, pre_l, pre_n, post, dev, local = m.groups()
    rel = [int(x) for x in rel.split(".")]
    while len(rel) > 1 and rel[-1] == 0:
        rel.pop()
    if pre_l is None and post is None and dev is not None:
        pre = (-INF,)
    elif pre_l is None:
        pre = (INF,)
    else:
        pre = ({"a": 0, "b": 1, "rc": 2}[pre_l], int(pre_n))
    post = (-INF,) if post is None else (int(post),)
    dev = (INF,) if dev is None else (int(dev),)
    local = ((-INF, ""),) if local is None else tuple(
        (int(p), "") if p.isdigit() else (-INF, p)
        for p in local.split("."))
    return ((int(epoch or 0), tuple(rel), pre, post, dev, local), v)


# ---- pages ---------------------------------------------------------------

HEAD = ('<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        '<meta name="pypi:repository-version" content="1.1">\n'
        "<title>%s</title>\n</head>\n<body>\n<h1>%s</h1>\n")
TAIL = "</body>\n</html>\n"


def anchor(root, project, f):
    a = ['<a href="%sfiles/%s/%s#sha256=%s"'
         % (root, seg(project), seg(f["filename"]), f["sha256"])]
    if f.get("requires-python"):
        a.append(' data-requires-python="%s"' % h(f["requires-python"]))
    if f.get("metadata-sha256"):
        a.append(' data-dist-info-metadata="sha256=%s" '
                 'data-core-metadata="sha256=%s"'
                 % (f["metadata-sha256"], f["metadata-sha256"]))
    if f.get("yanked") is not None:
        a.append(' data-yanked="%s"' % h(f["yanked"]))
    a.append(">%s</a><br>\n" % h(f["filename"]))
    return "".join(a)


def project_json(project, files):
    out = []
    for f in files:
        o = {
            "filename": f["filename"],
            "url": "../../files/%s/%s" % (seg(project), seg(f["filename"])),
            "hashes": {"sha256": f["sha256"]},
        }
        if f.get("requires-python"):
            o["requires-python"] = f["requires-python"]
        if f.get("metadata-sha256"):
            o["core-metadata"] = {"sha256": f["metadata-sha256"]}
            o["dist-info-metadata"] = {"sha256": f["metadata-sha256"]}
        o["size"] = f["size"]
        o["upload-time"] = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                         time.gmtime(f["upload-time"]))
        y = f.get("yanked")
        o["yanked"] = False if y is None else (y or True)
        out.append(o)
    versions = sorted({f["version"] for f in files}, key=version_key)
    doc = {"meta": {"api-version": "1.1"}, "name": project, "files": out,
           "versions": versions}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"


def regenerate(repo):
    """Every page, from every state."""
    sdir = os.path.join(repo, ".tlcpack", "state")
    projects = sorted(n[:-5] for n in os.listdir(sdir)
                      if n.endswith(".json") and not n.startswith("."))
    flat = [HEAD % ("Links for all projects", "Links for all projects")]
    for p in projects:
        with open(os.path.join(sdir, p + ".json"), "rb") as fp:
            files = json.load(fp)["files"]
        files.sort(key=lambda f: f["filename"].encode())
        pdir = os.path.join(repo, "simple", p)
        make_dir(pdir)
        write_atomic(os.path.join(pdir, "index.json"),
                     project_json(p, files).encode())
        title = h("Links for %s" % p)
        page = [HEAD % (title, title)]
        page.extend(anchor("../../", p, f) for f in files)
        page.append(TAIL)
        write_atomic(os.path.join(pdir, "index.html"),
                     "".join(page).encode())
        flat.extend(anchor("", p, f) for f in files)
    flat.append(TAIL)
    write_atomic(os.path.join(repo, "wheels.html"), "".join(flat).encode())
    page = [HEAD % ("Simple index", "Simple index")]
    page.extend('<a href="%s/">%s</a><br>\n' % (seg(p), h(p))
                for p in projects)
    page.append(TAIL)
    write_atomic(os.path.join(repo, "simple", "index.html"),
                 "".join(page).encode())
    doc = {"meta": {"api-version": "1.1"},
           "projects": [{"name": p} for p in projects]}
    write_atomic(os.path.join(repo, "simple", "index.json"),
                 (json.dumps(doc, ensure_ascii=False,
                             separators=(",", ":")) + "\n").encode())


# ---- publish -------------------------------------------------------------

def record_digest(data):
    d = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(d).rstrip(b"=").decode()


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()   # PEP 503


def validate(path):
    """Check the wheel; return (project, version, METADATA bytes)."""
    base = os.path.basename(path)
    parts = base[:-4].split("-") if base.endswith(".whl") else []
    if len(parts) not in (5, 6):
        sys.exit("peer: '%s' is not a wheel's file name (PEP 427)" % base)
    dist = "%s-%s.dist-info/" % (parts[0], parts[1])
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        if len(set(names)) != len(names):
            sys.exit("peer: '%s' has duplicate members" % base)
        record = {}
        for line in z.read(dist + "RECORD").decode().splitlines():
            if not line:
                continue
            name, digest, size = line.rsplit(",", 2)
            record[name] = (digest, size)
        for name in names:
            if name.endswith("/"):
                continue
            if name not in record:
                sys.exit("peer: '%s' is not in RECORD" % name)
            digest, size = record.pop(name)
            if name == dist + "RECORD":
                continue
            data = z.read(name)     # zipfile checks the CRC-32
            algo, _, _ = digest.partition("=")
            if algo != "sha256" or record_digest(data) != digest or \
               str(len(data)) != size:
                sys.exit("peer: '%s' does not match RECORD" % name)
        if record:
            sys.exit("peer: RECORD lists missing '%s'" % next(iter(record)))
        z.read(dist + "WHEEL")
        meta = z.read(dist + "METADATA")
    msg = email.parser.BytesHeaderParser().parsebytes(meta)
    project = normalize(msg["Name"] or "")
    if normalize(parts[0]) != project or msg["Version"] != parts[1]:
        sys.exit("peer: '%s' does not match its METADATA" % base)
    return project, parts[1], msg["Requires-Python"], meta


def sha256_file(path):
    d = hashlib.sha256()
    with open(path, "rb") as fp:
        for chunk in iter(lambda: fp.read(1 << 16), b""):
            d.update(chunk)
    return d.hexdigest()


def publish(repo, path):
    base = os.path.basename(path)
    project, version, requires_python, meta = validate(path)
    with open(path, "rb") as fp:
        data = fp.read()
    digest = hashlib.sha256(data).hexdigest()
    fdir = os.path.join(repo, "files", project)
    dst = os.path.join(fdir, base)
    if os.path.exists(dst):
        if sha256_file(dst) != digest:
            sys.exit("peer: '%s' is published with other bytes" % base)
        return
    make_dir(fdir)
    write_atomic(dst, data)
    write_atomic(dst + ".metadata", meta)
    state = os.path.join(repo, ".tlcpack", "state", project + ".json")
    try:
        with open(state, "rb") as fp:
            doc = json.load(fp)
    except FileNotFoundError:
        doc = {"files": []}
    doc["files"].append({
        "filename": base,
        "version": version,
        "sha256": digest,
        "size": len(data),
        "upload-time": int(time.time()),
        "requires-python": requires_python,
        "metadata-sha256": hashlib.sha256(meta).hexdigest(),
        "yanked": None,
    })
    write_atomic(state, json.dumps(doc, indent=1).encode())
    regenerate(repo)


def main(argv):
    global FSYNC
    args = [a for a in argv[1:] if a != "--no-fsync"]
    FSYNC = len(args) == len(argv) - 1
    if len(args) == 2 and args[0] == "index":
        regenerate(args[1])
    elif len(args) == 3 and args[0] == "publish":
        publish(args[1], args[2])
    else:
        sys.exit(__doc__)
    print("elapsed %.6f" % (time.monotonic() - T0))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
