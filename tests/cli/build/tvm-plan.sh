# recipes/tvm.toml, the recipe of Apache TVM: it parses, and its dry-run
# plan names the expected wheels (tlcpack, tlcpack-cuXYZ, and the nightly
# tlcpack-nightly[-cuXYZ]) for one and for every variant.  No TVM checkout
# is needed: a dry run reads only the recipe and the git history, so the
# project is a git repository holding the recipe, tagged as TVM tags
# (v0.26.0 for the release, v0.27.dev0 on main).
. "$TLC_CASE_DIR/../lib.sh"
command -v git >/dev/null || die "no git (scripts/deps.sh installs it)"

recipe=$TLC_SOURCE_DIR/recipes/tvm.toml
check=$TLC_BUILD_DIR/tests/recipe_check
[ -f "$recipe" ] || die "no $recipe"
[ -x "$check" ] || die "no recipe_check in $TLC_BUILD_DIR/tests"

# It parses, with the variants, images and exclusions the issue asks for.
"$check" "$recipe" >parsed 2>err || die "the recipe does not load: $(cat err)"
for want in "name tlcpack" "version git-tag v*" "package tvm" \
	"cmake tvm source=. per-python=0" \
	"cmake tvm-ffi source=3rdparty/tvm-ffi per-python=1" \
	"channel nightly name-suffix='-nightly' dev=1 local=1 keep=14"; do
	grep -qxF "$want" parsed || die "'$want' not in: $(cat parsed)"
done
for v in cu118 cu121 cu126 cu130; do
	grep -qx "variant $v suffix='-$v' policy=manylinux_2_28 image=.*" parsed ||
		die "variant $v has no suffix, policy or image: $(cat parsed)"
done
grep -qx "variant cpu suffix='' policy=manylinux_2_28 image=quay.io/pypa/manylinux_2_28_x86_64" parsed ||
	die "the cpu variant: $(cat parsed)"
for lib in libcuda.so.1 libcudart.so libnvrtc.so; do
	[ "$(grep -cxF "exclude-lib $lib" parsed)" -eq 4 ] ||
		die "$lib is not excluded in every CUDA variant"
done

# A fake TVM checkout: the recipe as tlcpack.toml, tagged v0.26.0.
g() { git -C tvm -c user.name=t -c user.email=t@example.org "$@"; }
mkdir tvm
cp "$recipe" tvm/tlcpack.toml
git init -q tvm
g add tlcpack.toml
g commit -q -m "TVM v0.26.0"
g tag v0.26.0
before=$(cd tvm && find . -path ./.git -prune -o -print | sort)

py=$(python3 -c 'import sys; print("cp%d%d" % sys.version_info[:2])')
arch=$(uname -m)
tail="0.26.0-$py-$py-manylinux_2_28_$arch.whl"

# The release: every variant, one interpreter.
"$TLCPACK" build --dry-run --python python3 -o dist tvm >plan 2>err ||
	die "dry run failed: $(cat err)"
printf '%s\n' "$PWD/dist/tlcpack-$tail" "$PWD/dist/tlcpack_cu118-$tail" \
	"$PWD/dist/tlcpack_cu121-$tail" "$PWD/dist/tlcpack_cu126-$tail" \
	"$PWD/dist/tlcpack_cu130-$tail" >want
diff -u want plan || die "unexpected release plan"

# One variant.
"$TLCPACK" build --dry-run --python python3 --variant cu130 -o dist tvm \
	>plan 2>err || die "dry run failed: $(cat err)"
[ "$(cat plan)" = "$PWD/dist/tlcpack_cu130-$tail" ] ||
	die "unexpected cu130 plan: $(cat plan)"

# The recipe's interpreters (3.10 to 3.13): those missing are reported,
# every one present is planned; python3 is one of them or all are missing.
"$TLCPACK" build --dry-run --skip-missing-python --variant cpu -o dist tvm \
	>plan 2>err || die "dry run failed: $(cat err)"
for v in 10 11 12 13; do
	if command -v "python3.$v" >/dev/null &&
		"python3.$v" -c '' 2>/dev/null; then
		grep -q "/tlcpack-0.26.0-cp3$v-cp3$v-" plan ||
			die "no cp3$v wheel planned: $(cat plan)"
	else
		grep -q "warning: skipped python 'python3.$v'" err ||
			die "python3.$v missing but not reported: $(cat err)"
	fi
done

# Nightly: main is tagged v0.27.dev0, two commits later.
g commit -q --allow-empty -m "open 0.27"
g tag v0.27.dev0
g commit -q --allow-empty -m "a"
g commit -q --allow-empty -m "b"
h=$(git -C tvm rev-parse --short=8 HEAD)
"$TLCPACK" build --dry-run --python python3 --channel nightly -o dist tvm \
	>plan 2>err || die "nightly dry run failed: $(cat err)"
dev="0.27.dev2+g$h-$py-$py-manylinux_2_28_$arch.whl"
printf '%s\n' "$PWD/dist/tlcpack_nightly-$dev" \
	"$PWD/dist/tlcpack_nightly_cu118-$dev" \
	"$PWD/dist/tlcpack_nightly_cu121-$dev" \
	"$PWD/dist/tlcpack_nightly_cu126-$dev" \
	"$PWD/dist/tlcpack_nightly_cu130-$dev" >want
diff -u want plan || die "unexpected nightly plan"
"$TLCPACK" build --dry-run --python python3 --channel nightly \
	--no-local-version --variant cu130 -o dist tvm >plan 2>err ||
	die "nightly dry run failed: $(cat err)"
[ "$(cat plan)" = \
  "$PWD/dist/tlcpack_nightly_cu130-0.27.dev2-$py-$py-manylinux_2_28_$arch.whl" ] ||
	die "unexpected public nightly plan: $(cat plan)"

# Off the release tag, a stable build is refused, dry run or not.
if "$TLCPACK" build --dry-run --python python3 -o dist tvm >plan 2>err; then
	die "a stable plan was made 2 commits past v0.27.dev0: $(cat plan)"
fi
grep -q "a stable version needs a tagged commit" err ||
	die "unclear refusal: $(cat err)"

# A dry run writes nothing.
[ ! -e dist ] || die "a dry run made dist/"
after=$(cd tvm && find . -path ./.git -prune -o -print | sort)
[ "$before" = "$after" ] || die "a dry run changed the checkout"
echo "tvm plan: 5 release and 5 nightly wheels named as expected"
