"""Run a command; print its wall time and the peak RSS of it and every
process it waited for (the largest ru_maxrss, in KiB).

usage: measure.py COMMAND...
"""
import resource
import subprocess
import sys
import time

t = time.monotonic()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
wall = time.monotonic() - t
if r.returncode:
    sys.exit("measure: %s exited %d" % (sys.argv[1], r.returncode))
print("%.3f %d" % (wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
