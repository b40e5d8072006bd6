# Helpers for the `tlcpack image` cases (not a case itself: it does not
# end in .sh).  Source it after lib.sh.
#
# The cases need, from Debian: debootstrap (the base image), skopeo and
# umoci (to read, convert and unpack images), and root (chroot; debootstrap
# and umoci unpack need it too).  A missing tool is a failure, not a skip:
# CI installs them (scripts/deps.sh --test).

need_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null ||
			die "'$t' is missing (apt-get install debootstrap skopeo umoci)"
	done
}

# need_root: chroot, debootstrap and `umoci unpack` (without --rootless)
# need root.  Not being root is a failure, loud, unless a user namespace
# can stand in for it (unshare -r), in which case the case re-runs itself
# there.
need_root() {
	[ "$(id -u)" -eq 0 ] && return 0
	if [ -z "${TLC_IMAGE_UNSHARED:-}" ] && unshare -r true 2>/dev/null; then
		export TLC_IMAGE_UNSHARED=1
		exec unshare -r bash "$0" "$@"
	fi
	die "the image cases need root (chroot, debootstrap) and unshare -r does not work here"
}

# base_rootfs: a Debian bookworm minbase root file system with python3,
# made by debootstrap ONCE and cached OUTSIDE the repository, as a tarball
# ($TLC_IMAGE_CACHE, default /var/cache/tlcpack-test), under flock so that
# cases running in parallel wait for one debootstrap.  Making it takes
# minutes and needs the Debian archive ($TLC_DEBIAN_MIRROR, default
# http://deb.debian.org/debian).  Sets $base_tar.
#
# Every file is given a fixed mtime and the tarball is written with sorted
# names and numeric owners, so that it is the same input on every run
# (what makes two `image build` runs comparable is that they read one
# cached file; the content of a fresh debootstrap changes with the
# archive).
base_rootfs() {
	local cache=${TLC_IMAGE_CACHE:-/var/cache/tlcpack-test}
	local mirror=${TLC_DEBIAN_MIRROR:-http://deb.debian.org/debian}
	local tmp
	mkdir -p "$cache" || die "cannot create the image cache '$cache'"
	base_tar=$cache/bookworm-rootfs.tar.gz
	exec 8>"$cache/bookworm.lock"
	flock 8
	if [ ! -s "$base_tar" ]; then
		need_tools debootstrap
		echo "=== making the Debian bookworm base with debootstrap into $base_tar" \
			"(minutes, once; cached for later runs) ===" >&2
		tmp=$cache/bookworm.tmp
		rm -rf "$tmp"
		mkdir -p "$tmp"
		debootstrap --variant=minbase --include=python3 bookworm \
			"$tmp/root" "$mirror" >"$cache/debootstrap.log" 2>&1 || {
			tail -20 "$cache/debootstrap.log" >&2
			rm -rf "$tmp"
			flock -u 8
			die "debootstrap failed (see $cache/debootstrap.log)"
		}
		# what an image does not carry: apt's downloads and lists
		rm -rf "$tmp/root/var/cache/apt/archives/"*.deb \
			"$tmp/root/var/lib/apt/lists/"* "$tmp/root/dev/"*
		tar --sort=name --numeric-owner --mtime=@1700000000 \
			--xattrs --acls -C "$tmp/root" -czf "$tmp/base.tar.gz" . ||
			{ rm -rf "$tmp"; flock -u 8; die "cannot write the base tarball"; }
		mv "$tmp/base.tar.gz" "$base_tar"
		rm -rf "$tmp"
		echo "=== base ready: $(du -h "$base_tar" | cut -f1) $base_tar ===" >&2
	fi
	flock -u 8
	exec 8>&-
}

# base_layout DIR: the cached base as an OCI image layout (what skopeo
# writes for a registry image), made by umoci from the rootfs tarball
# (init, new, unpack, the files added, repack: `umoci insert` at "/"
# would store an absolute "/" entry, which tlcpack refuses), then copied
# by skopeo to DIR, so that the base read is one that skopeo wrote.
# Sets $base_oci (DIR:latest is the reference).
base_layout() {
	local d=$1
	need_tools umoci skopeo
	rm -rf "$d.umoci" "$d.bundle" "$d"
	umoci init --layout "$d.umoci" >/dev/null &&
		umoci new --image "$d.umoci:latest" >/dev/null &&
		umoci unpack --image "$d.umoci:latest" "$d.bundle" >/dev/null ||
		die "umoci cannot make an empty image"
	tar -C "$d.bundle/rootfs" -xzf "$base_tar" || die "cannot unpack $base_tar"
	umoci repack --image "$d.umoci:latest" "$d.bundle" >/dev/null ||
		die "umoci could not make a layout from $base_tar"
	skopeo copy --quiet "oci:$d.umoci:latest" "oci:$d:latest" ||
		die "skopeo could not copy the umoci layout"
	rm -rf "$d.bundle" "$d.umoci"
	base_oci=$d
}

# example_cpu_wheel: the example's cpu wheel, built once (see
# tests/cli/test/test-lib.bash).  Sets $cpu_whl.
example_cpu_wheel() {
	# shellcheck source=../test/test-lib.bash
	. "$TLC_CASE_DIR/../test/test-lib.bash"
	example_wheels
}

# mkscriptwheel DIR: a pure wheel "hello-tool" 1.2 with a console_scripts
# entry point (hello-tool = hello_tool:main), a #!python script in
# .data/scripts and a file in .data/data, packed by tlcpack.  Prints its
# path.
mkscriptwheel() {
	local out=$1 d=pw-hello-tool
	rm -rf "$d"
	mkdir -p "$d/hello_tool" "$d/hello_tool-1.2.dist-info" \
		"$d/hello_tool-1.2.data/scripts" \
		"$d/hello_tool-1.2.data/data/share/hello-tool"
	cat >"$d/hello_tool/__init__.py" <<-'EOF'
	import sys
	def main():
	    print("hello from", __name__, "on", sys.version.split()[0])
	    return 0
	EOF
	printf '#!python\nimport hello_tool\nprint("raw script")\n' \
		>"$d/hello_tool-1.2.data/scripts/hello-raw"
	chmod 755 "$d/hello_tool-1.2.data/scripts/hello-raw"
	echo shared >"$d/hello_tool-1.2.data/data/share/hello-tool/note.txt"
	printf 'Metadata-Version: 2.1\nName: hello-tool\nVersion: 1.2\nSummary: a script\n' \
		>"$d/hello_tool-1.2.dist-info/METADATA"
	printf 'Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n' \
		>"$d/hello_tool-1.2.dist-info/WHEEL"
	printf '[console_scripts]\nhello-tool = hello_tool:main\n' \
		>"$d/hello_tool-1.2.dist-info/entry_points.txt"
	"$TLCPACK" pack -d "$out" "$d" 2>/dev/null
}

# check_image DIR TAG: the OCI layout DIR as skopeo and umoci read it:
# labels and config as `image build` sets them, then unpacked by umoci,
# a chroot into it imports the example with the base's own python3 and
# runs the entry-point script and the #!python script.
check_image() {
	local d=$1 tag=$2
	skopeo inspect "oci:$d:$tag" >inspect.json ||
		die "skopeo cannot inspect oci:$d:$tag"
	skopeo inspect --config "oci:$d:$tag" >config.json ||
		die "skopeo cannot read the config of oci:$d:$tag"
	python3 - "$d" <<-'EOF' || die "the image's labels or config are wrong"
	import json, sys
	i = json.load(open("inspect.json"))
	c = json.load(open("config.json"))
	lab = i["Labels"]
	want = {
	    "org.opencontainers.image.title": "tlcpack-example",
	    "org.opencontainers.image.version": "0.1.0",
	    "org.opencontainers.image.licenses": "Apache-2.0",
	    "org.opencontainers.image.source":
	        "https://github.com/tlc-pack/tlcpack",
	    "ai.tlcpack.variant": "cpu",
	    "ai.tlcpack.wheels": "tlcpack-example==0.1.0 hello-tool==1.2",
	}
	for k, v in want.items():
	    assert lab.get(k) == v, (k, lab.get(k), v)
	assert lab["ai.tlcpack.disclaimer"].startswith("Not an official"), lab
	env = c["config"]["Env"]
	path = [e for e in env if e.startswith("PATH=")]
	assert path and "/usr/local/bin" in path[0].split("=")[1].split(":"), env
	assert "TLC_TEST=1" in env, env
	assert c["config"]["Cmd"] == ["/usr/bin/python3"], c["config"]
	# the manifest's annotations carry the same
	idx = json.load(open(sys.argv[1] + "/index.json"))
	dig = idx["manifests"][0]["digest"].split(":")[1]
	man = json.load(open(sys.argv[1] + "/blobs/sha256/" + dig))
	ann = man.get("annotations", {})
	assert ann.get("ai.tlcpack.variant") == "cpu", ann
	assert ann.get("org.opencontainers.image.version") == "0.1.0", ann
	for l in man["layers"]:
	    assert l["mediaType"].endswith("tar+gzip"), l
	EOF
	rm -rf bundle
	umoci unpack --image "$d:$tag" bundle >/dev/null ||
		die "umoci cannot unpack $d:$tag"
	local r=bundle/rootfs
	[ -x "$r/usr/bin/python3" ] || die "no base python3 in the image"
	chroot "$r" /usr/bin/python3 -c '
import tlcexample, sys
assert tlcexample.dot([1, 2], [3, 4]) == 11.0
assert tlcexample.__version__ == "0.1.0", tlcexample.__version__
print("imported", tlcexample.__file__, tlcexample.__variant__)
' || die "the chroot cannot import tlcexample"
	chroot "$r" /usr/bin/python3 -m tlcexample.selftest >&2 ||
		die "the example's selftest fails in the chroot"
	chroot "$r" /usr/local/bin/hello-tool | grep -q '^hello from hello_tool' ||
		die "the entry point does not run"
	chroot "$r" /usr/local/bin/hello-raw | grep -qx 'raw script' ||
		die "the #!python script does not run"
	head -1 "$r/usr/local/bin/hello-raw" | grep -qx '#!/usr/bin/python3' ||
		die "the #!python shebang is not the base's python"
	local di
	di=$(echo "$r"/usr/local/lib/python3.11/dist-packages/tlcpack_example-0.1.0.dist-info)
	[ "$(cat "$di/INSTALLER")" = tlcpack ] || die "INSTALLER"
	grep -q '^tlcexample/__init__.py,sha256=' "$di/RECORD" || die "RECORD"
	[ -f "$r/usr/local/share/hello-tool/note.txt" ] ||
		die "the .data/data file is not under the scheme's data"
	# pip, the base's or the host's, sees the installed distributions
	python3 - "$r/usr/local/lib/python3.11/dist-packages" <<-'EOF' ||
	import importlib.metadata as m, sys
	names = {d.metadata["Name"] for d in m.distributions(path=[sys.argv[1]])}
	assert {"tlcpack-example", "hello-tool"} <= names, names
	EOF
		die "importlib.metadata does not find the installed distributions"
}
