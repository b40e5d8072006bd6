# check_dockerfile FILE: the structure (dfcheck.py), and hadolint and
# `docker build --check` where they exist (neither is required: CI has
# no Docker daemon).  Source it after lib.sh.
check_dockerfile() {
	python3 "$TLC_CASE_DIR/dfcheck.py" "$1" >&2 ||
		die "$1 is not a well-formed Dockerfile"
	if command -v hadolint >/dev/null; then
		# DL3041: dnf packages unpinned (the toolkit is pinned by its
		# package name; the rest follow the base image)
		hadolint --ignore DL3041 "$1" >&2 || die "hadolint refuses $1"
	fi
	if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
		docker build --check -f "$1" "$TLC_SOURCE_DIR" >&2 ||
			die "docker build --check refuses $1"
	fi
}
