# Helpers for the matrix cases (not a case itself: it does not end in
# .sh).  Source it after lib.sh.

# $PY: a python3 with PyYAML (python3-yaml, which scripts/deps.sh --test
# installs): its absence is a failure, not a skip.
PY=
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import yaml' 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || die "no python3 with PyYAML (apt-get install python3-yaml)"
