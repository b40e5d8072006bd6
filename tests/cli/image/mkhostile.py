#!/usr/bin/env python3
"""Write small base images, one good and the hostile ones, for
build-hostile.sh.  Usage: mkhostile.py DIR; makes DIR/<kind> for each
kind below (an OCI image layout, a docker archive .tar or a root
file-system .tar.gz) and prints the kinds, one a line.

The formats: OCI image-spec image-layout.md, manifest.md, config.md,
descriptor.md, layer.md; Docker's image archive (manifest.json).  Every
escape points into the directory two levels above the unpack root, that
is, into the test's scratch directory, where the test looks for it.
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

LAYER_GZ = "application/vnd.oci.image.layer.v1.tar+gzip"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"
CONFIG = "application/vnd.oci.image.config.v1+json"


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def entry(t, name, kind="file", data=b"", link=""):
    i = tarfile.TarInfo(name)
    i.mtime = 0
    i.mode = 0o755 if kind == "dir" else 0o644
    if kind == "dir":
        i.type = tarfile.DIRTYPE
    elif kind == "sym":
        i.type, i.linkname = tarfile.SYMTYPE, link
    elif kind == "hard":
        i.type, i.linkname = tarfile.LNKTYPE, link
    else:
        i.size = len(data)
    t.addfile(i, io.BytesIO(data) if kind == "file" else None)


def layer(entries):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        for e in entries:
            entry(t, *e)
    tar = raw.getvalue()
    return tar, gzip.compress(tar, mtime=0)


GOOD = [("etc", "dir"), ("etc/hello", "file", b"hello\n"),
        ("usr", "dir"), ("usr/bin", "dir")]


def write_blob(d, b, digest=None):
    digest = digest or sha(b)
    os.makedirs(os.path.join(d, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(d, "blobs", "sha256", digest[7:]), "wb") as f:
        f.write(b)
    return digest


def layout(d, entries=GOOD, corrupt=False, media=LAYER_GZ, size_delta=0,
           diff_id=None, index=None):
    tar, gz = layer(entries)
    os.makedirs(d)
    with open(os.path.join(d, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    ldig = sha(gz)
    write_blob(d, gz[:-1] + bytes([gz[-1] ^ 1]) if corrupt else gz, ldig)
    cfg = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Env": ["PATH=/usr/bin:/bin"]},
        "rootfs": {"type": "layers", "diff_ids": [diff_id or sha(tar)]},
    }).encode()
    man = json.dumps({
        "schemaVersion": 2, "mediaType": MANIFEST,
        "config": {"mediaType": CONFIG, "digest": sha(cfg),
                   "size": len(cfg)},
        "layers": [{"mediaType": media, "digest": ldig,
                    "size": len(gz) + size_delta}],
    }).encode()
    write_blob(d, cfg)
    write_blob(d, man)
    with open(os.path.join(d, "index.json"), "w") as f:
        f.write(index if index is not None else json.dumps({
            "schemaVersion": 2,
            "manifests": [{"mediaType": MANIFEST, "digest": sha(man),
                           "size": len(man), "annotations": {
                               "org.opencontainers.image.ref.name":
                               "latest"}}]}))


def rootfs_tgz(path, entries):
    with open(path, "wb") as f:
        f.write(layer(entries)[1])


def docker_archive(path, entries=GOOD, diff_id=None):
    tar, _ = layer(entries)
    cfg = json.dumps({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [diff_id or sha(tar)]},
    }).encode()
    cname = sha(cfg)[7:] + ".json"
    man = json.dumps([{"Config": cname, "RepoTags": ["x:1"],
                       "Layers": ["layer.tar"]}]).encode()
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        entry(t, "layer.tar", "file", tar)
        entry(t, cname, "file", cfg)
        entry(t, "manifest.json", "file", man)
    with open(path, "wb") as f:
        f.write(raw.getvalue())


def main(out):
    os.makedirs(out, exist_ok=True)
    j = lambda k: os.path.join(out, k)
    kinds = {
        # accepted as a base: it fails later, for want of a python3
        "good": lambda p: layout(p),
        "bad-digest": lambda p: layout(p, corrupt=True),
        "bad-size": lambda p: layout(p, size_delta=7),
        "bad-diff-id": lambda p: layout(p, diff_id=sha(b"other")),
        "bad-json": lambda p: layout(p, index="{\"schemaVersion\": 2,"),
        "unknown-media-type": lambda p: layout(
            p, media="application/vnd.example.evil.tar+gzip"),
        "dotdot": lambda p: layout(p, GOOD + [("../../evil-dotdot", "file",
                                               b"x")]),
        "absolute": lambda p: layout(p, GOOD + [("/evil-abs", "file",
                                                 b"x")]),
        "symlink-escape": lambda p: layout(p, GOOD + [
            ("esc", "sym", b"", "../../.."),
            ("esc/pwned-symlink", "file", b"x")]),
        "symlink-absolute-write": lambda p: layout(p, GOOD + [
            ("root", "sym", b"", "/"),
            ("root/etc/pwned-through-link", "file", b"x")]),
        "hardlink-escape": lambda p: layout(p, GOOD + [
            ("hl", "hard", b"", "../../../etc/passwd")]),
        "rootfs-dotdot.tar.gz": lambda p: rootfs_tgz(
            p, GOOD + [("../../evil-rootfs", "file", b"x")]),
        "archive-bad-diff-id.tar": lambda p: docker_archive(
            p, diff_id=sha(b"other")),
        "archive-dotdot.tar": lambda p: docker_archive(
            p, GOOD + [("../../evil-archive", "file", b"x")]),
    }
    for k, make in kinds.items():
        make(j(k))
        print(k)


if __name__ == "__main__":
    main(sys.argv[1])
