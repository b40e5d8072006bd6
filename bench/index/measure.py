"""Run a command; print its wall time in seconds, the peak RSS of it and
every process it waited for (the largest ru_maxrss, in KiB), the time it
reports itself on a line "elapsed SECONDS" of its output (peer.py does)
or "-", and the CPU seconds (user and system) of it and its children.

usage: measure.py COMMAND...
"""
import resource
import subprocess
import sys
import time

t = time.monotonic()
r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE)
wall = time.monotonic() - t
if r.returncode:
    sys.exit("measure: %s exited %d" % (sys.argv[1], r.returncode))
inner = "-"
for line in r.stdout.decode(errors="replace").splitlines():
    if line.startswith("elapsed "):
        inner = line.split()[1]
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.6f %d %s %.6f" % (wall, ru.ru_maxrss, inner,
                           ru.ru_utime + ru.ru_stime))
