# The README's command table is the one the command table generates.
. "$TLC_CASE_DIR/../lib.sh"
"$TLCPACK" help --markdown >table
awk '/^\| command \| what it does \|$/,/^$/' "$TLC_SOURCE_DIR/README.md" |
	sed '/^$/d' >readme
diff -u table readme || die "README.md's command table is stale: paste 'tlcpack help --markdown'"
echo "readme table: $(($(wc -l <table) - 2)) commands"
