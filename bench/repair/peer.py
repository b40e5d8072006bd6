"""The pipeline auditwheel repair runs, without auditwheel's analysis:
unzip the whole wheel with zipfile, edit the ELF files with patchelf,
re-zip everything with zipfile at deflate level 6, write a new RECORD.

usage: peer.py IN.whl OUT.whl GRAFT_SRC GRAFT_NAME MEMBER NEEDED

GRAFT_SRC (a host library) is copied into <pkg>.libs/GRAFT_NAME with its
SONAME set; MEMBER (a member path) gets NEEDED replaced by GRAFT_NAME and
a run path to <pkg>.libs: the same edits tlcpack repair makes on the
benchmark's wheel.  Prints the peak RSS of this process and its children.
"""
import base64
import hashlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import zipfile


def patchelf(*args):
    subprocess.run(["patchelf", *args], check=True)


def main():
    src, dst, graft_src, graft_name, member, needed = sys.argv[1:7]
    with tempfile.TemporaryDirectory(dir=os.path.dirname(dst)) as tmp:
        with zipfile.ZipFile(src) as z:
            z.extractall(tmp)
            names = z.namelist()
        dist_info = next(n.split("/")[0] for n in names
                         if n.split("/")[0].endswith(".dist-info"))
        pkg = dist_info.split("-")[0]
        libs = os.path.join(tmp, pkg + ".libs")
        os.makedirs(libs, exist_ok=True)
        graft = os.path.join(libs, graft_name)
        shutil.copyfile(graft_src, graft)
        patchelf("--set-soname", graft_name, graft)
        target = os.path.join(tmp, member)
        patchelf("--replace-needed", needed, graft_name, target)
        rel = os.path.relpath(libs, os.path.dirname(target))
        patchelf("--set-rpath", "$ORIGIN:$ORIGIN/" + rel, target)
        record = []
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED,
                             compresslevel=6) as out:
            for root, _, files in os.walk(tmp):
                for f in sorted(files):
                    path = os.path.join(root, f)
                    arc = os.path.relpath(path, tmp)
                    if arc == dist_info + "/RECORD":
                        continue
                    h = hashlib.sha256()
                    with open(path, "rb") as fh:
                        for block in iter(lambda: fh.read(1 << 20), b""):
                            h.update(block)
                    digest = base64.urlsafe_b64encode(h.digest()).rstrip(b"=")
                    record.append("%s,sha256=%s,%d" % (
                        arc, digest.decode(), os.path.getsize(path)))
                    out.write(path, arc)
            record.append(dist_info + "/RECORD,,")
            out.writestr(dist_info + "/RECORD", "\n".join(record) + "\n")
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print("peak_rss_kib %d" % max(self_kb, child_kb))


if __name__ == "__main__":
    main()
