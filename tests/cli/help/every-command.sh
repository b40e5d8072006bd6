# --help, --version, and every command's --help work and go to stdout;
# unknown commands and options are usage errors (129) on stderr.
. "$TLC_CASE_DIR/../lib.sh"
"$TLCPACK" --version | grep -E '^tlcpack [0-9]+\.[0-9]+\.[0-9]+$' >/dev/null || die "bad --version"
"$TLCPACK" --help | grep '^usage: tlcpack' >/dev/null || die "bad --help"
n=0
for cmd in $("$TLCPACK" help --markdown | sed -n 's/^| `tlcpack \([a-z]*\)`.*/\1/p'); do
	"$TLCPACK" "$cmd" --help >out 2>err || die "'$cmd --help' failed"
	[ -s out ] && [ ! -s err ] || die "'$cmd --help' printed nothing or to stderr"
	"$TLCPACK" help "$cmd" | cmp -s - out || die "'help $cmd' differs from '$cmd --help'"
	n=$((n + 1))
done
[ "$n" -ge 3 ] || die "only $n commands listed"
set +e
"$TLCPACK" frobnicate 2>err; st=$?
[ "$st" -eq 129 ] || die "unknown command exited $st"
grep "^tlcpack: 'frobnicate' is not a tlcpack command" err >/dev/null || die "$(cat err)"
"$TLCPACK" build --frobnicate 2>err; st=$?
[ "$st" -eq 129 ] || die "unknown option exited $st"
"$TLCPACK" >/dev/null 2>&1; st=$?
[ "$st" -eq 129 ] || die "no command exited $st"
echo "help: $n commands"
