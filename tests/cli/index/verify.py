"""Check a tlcpack repository from the outside, as a client sees it:
every link of every page (wheels.html, simple/**, each variant's copy)
resolves to a file whose SHA-256 is the one the page gives, and so does
every PEP 658 .metadata the page announces; then print the published set,
one "filename yanked-or-- variant-or--" line per file, sorted, from the
state files, so that a test can compare two repositories.

usage: verify.py REPO
"""
import glob
import hashlib
import html.parser
import json
import os
import sys
import urllib.parse


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 16), b""):
            h.update(b)
    return h.hexdigest()


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs))


class Bad(Exception):
    pass


def fail(msg):
    raise Bad(msg)


BASE = {}  # the repository's base URL (index --base-url) -> its root


def check_file(page, href, digest, meta_digest):
    url, _, frag = href.partition("#")
    for base, root in BASE.items():
        if url.startswith(base):
            url = os.path.relpath(os.path.join(root, url[len(base):]),
                                  os.path.dirname(page))
    path = os.path.normpath(os.path.join(os.path.dirname(page),
                                         urllib.parse.unquote(url)))
    if not os.path.isfile(path):
        fail("%s links %s, which is not there" % (page, href))
    if digest is not None and sha256(path) != digest:
        fail("%s: %s does not have the SHA-256 the page gives" % (page, href))
    if meta_digest is not None:
        if not os.path.isfile(path + ".metadata"):
            fail("%s: %s.metadata is not there" % (page, href))
        if sha256(path + ".metadata") != meta_digest:
            fail("%s: %s.metadata's SHA-256 differs" % (page, href))


def main(repo):
    BASE.clear()
    config = os.path.join(repo, ".tlcpack", "config.json")
    if os.path.exists(config):
        base = json.load(open(config)).get("base-url")
        if base:
            BASE[base] = repo
    pages = [p for p in glob.glob(os.path.join(repo, "**", "*.html"),
                                  recursive=True)
             if "/.tlcpack/" not in p]
    for page in pages:
        p = Links()
        p.feed(open(page, encoding="utf-8").read())
        for a in p.links:
            href = a["href"]
            if "#sha256=" not in href:
                target = os.path.join(os.path.dirname(page), href)
                if not os.path.exists(target):
                    fail("%s links %s, which is not there" % (page, href))
                continue
            meta = a.get("data-core-metadata")
            check_file(page, href, href.split("#sha256=")[1],
                       meta.split("=", 1)[1] if meta else None)
    for page in glob.glob(os.path.join(repo, "**", "index.json"),
                          recursive=True):
        if "/.tlcpack/" in page:
            continue
        doc = json.load(open(page))
        for f in doc.get("files", []):
            meta = f.get("core-metadata")
            check_file(page, f["url"], f["hashes"]["sha256"],
                       meta["sha256"] if isinstance(meta, dict) else None)
    out = []
    for st in glob.glob(os.path.join(repo, ".tlcpack", "state", "*.json")):
        for f in json.load(open(st))["files"]:
            out.append("%s %s %s" % (f["filename"],
                                     "--" if f["yanked"] is None else
                                     "yanked",
                                     f.get("variant") or "--"))
    for line in sorted(out):
        print(line)


if __name__ == "__main__":
    try:
        main(sys.argv[1])
    except Bad as e:
        print("verify: %s" % e, file=sys.stderr)
        sys.exit(1)
