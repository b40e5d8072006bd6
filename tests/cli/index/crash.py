"""The crash test's driver (crash.sh): for each operation, find every
fault point by killing it at point 1, 2, ... (TLC_FAULT_AT=N) until it
runs to the end; after each kill, `tlcpack index --check` must pass, the
repository must verify from the outside (verify.py) and hold the old
published set or the new one, and a second check must find nothing.

usage: crash.py BASE-REPO OP...   (each OP one shell-split command line,
                                   with "r" as the repository; "=OP" for
                                   one that changes no published file)
"""
import contextlib
import io
import os
import shlex
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verify  # noqa: E402

TLCPACK = os.environ["TLCPACK"]


def published(repo):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        verify.main(repo)
    return out.getvalue()


def run(args, fault=None):
    env = dict(os.environ)
    env.pop("TLC_FAULT_AT", None)
    if fault:
        env["TLC_FAULT_AT"] = str(fault)
    return subprocess.run([TLCPACK] + args, env=env, capture_output=True,
                          text=True)


def fresh(base):
    shutil.rmtree("r", ignore_errors=True)
    shutil.copytree(base, "r", symlinks=True)


def die(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def main(base, ops):
    old = published(base)
    total = 0
    for op in ops:
        # "=CMD": CMD rewrites pages without changing what is published
        same = op.startswith("=")
        op = op.lstrip("=")
        args = shlex.split(op)
        fresh(base)
        if run(args).returncode:
            die("%s failed without a fault" % op)
        new = published("r")
        if (new == old) != same:
            die("%s %s what is published" % (op, "changed" if same else
                                              "did not change"))
        n = 1
        while True:
            fresh(base)
            p = run(args, n)
            if p.returncode == 0:
                break
            if p.returncode != -9:
                die("%s at fault %d: exit %d, not SIGKILL: %s"
                    % (op, n, p.returncode, p.stderr))
            c = run(["index", "--repo", "r", "--check"])
            if c.returncode:
                die("%s killed at %d: check failed: %s" % (op, n, c.stdout))
            now = published("r")
            if now not in (old, new):
                die("%s killed at %d: neither old nor new:\n%s"
                    % (op, n, now))
            c2 = run(["index", "--repo", "r", "--check", "--no-repair"])
            if c2.returncode:
                die("%s killed at %d: a second check finds: %s"
                    % (op, n, c2.stdout))
            n += 1
        if n <= 5:
            die("%s: only %d fault points" % (op, n))
        total += n - 1
    print("killed at %d points; every check passed" % total,
          file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
