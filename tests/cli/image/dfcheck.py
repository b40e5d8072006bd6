#!/usr/bin/env python3
"""Check a Dockerfile's structure without Docker: what the Dockerfile
reference (docs.docker.com/reference/dockerfile) requires of the lines
tlcpack writes.  Usage: dfcheck.py FILE; prints the problems, exit 1.

- a parser directive only on the first line; continuations joined;
- known instructions only; only ARG before the first FROM;
- every FROM names the image through an ARG declared before it, and
  COPY --from= names an earlier stage;
- ENV and LABEL are key=value pairs that shlex reads as the builder does
  (quotes balanced, no bare '$' left unescaped in LABEL values);
- every RUN is valid sh (bash -n).
"""
import re
import shlex
import subprocess
import sys

KNOWN = {"FROM", "ARG", "RUN", "COPY", "ENV", "LABEL", "WORKDIR"}


def main(path):
    problems = []
    text = open(path, encoding="utf-8").read()
    lines = text.split("\n")
    if not text.endswith("\n"):
        problems.append("no newline at the end")
    if not lines[0].startswith("# syntax="):
        problems.append("line 1 is not a '# syntax=' directive")
    instrs, cur, start = [], "", 0
    for no, line in enumerate(lines, 1):
        if not cur and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if not cur:
            start = no
        if line.endswith("\\"):
            cur += line[:-1] + " "
            continue
        cur += line
        instrs.append((start, cur))
        cur = ""
    if cur:
        problems.append(f"line {start}: a continuation runs off the end")
    args, stages, seen_from = set(), [], False
    for no, ins in instrs:
        word, _, rest = ins.partition(" ")
        if word not in KNOWN:
            problems.append(f"line {no}: unknown instruction {word!r}")
            continue
        if not seen_from and word not in ("ARG", "FROM"):
            problems.append(f"line {no}: {word} before the first FROM")
        if word == "ARG":
            m = re.fullmatch(r"([A-Z_][A-Z0-9_]*)(=\S+)?", rest.strip())
            if not m:
                problems.append(f"line {no}: bad ARG {rest!r}")
            else:
                args.add(m.group(1))
        elif word == "FROM":
            seen_from = True
            m = re.fullmatch(r"\$\{([A-Z_]+)\}( AS ([a-z][a-z0-9_-]*))?",
                             rest.strip())
            if not m or m.group(1) not in args:
                problems.append(f"line {no}: FROM {rest!r} names no ARG")
            stages.append(m.group(3) if m else None)
        elif word == "COPY":
            m = re.search(r"--from=(\S+)", rest)
            if m and m.group(1) not in stages[:-1]:
                problems.append(f"line {no}: COPY from unknown stage")
        elif word in ("ENV", "LABEL"):
            try:
                toks = shlex.split(rest, posix=True)
            except ValueError as e:
                problems.append(f"line {no}: {word}: {e}")
                continue
            for t in toks:
                if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*=.*", t):
                    problems.append(f"line {no}: {word} token {t!r}")
            if word == "LABEL" and re.search(r'(?<!\\)\$', rest):
                problems.append(f"line {no}: an unescaped $ in LABEL")
        elif word == "RUN":
            r = subprocess.run(["bash", "-n", "-c", rest],
                               capture_output=True, text=True)
            if r.returncode:
                problems.append(f"line {no}: RUN is not valid sh: "
                                f"{r.stderr.strip()}")
    if len(stages) != 2 or stages[0] is None or stages[1] is not None:
        problems.append(f"stages {stages}: want a named builder, then one")
    for p in problems:
        print(f"{path}: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
