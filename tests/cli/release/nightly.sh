# tlcpack release --channel nightly, run after each of four commits of a
# git checkout of the example: each run publishes a new dev version, and
# the channel's keep count (3) prunes the oldest, which is yanked (still
# installable when pinned) and reported.
# labels: pip
. "$TLC_CASE_DIR/../lib.sh"
command -v git >/dev/null || die "no git (scripts/deps.sh installs it)"

copy_example ex
(
	cd ex
	git init -q
	git -c user.name=t -c user.email=t@example.com add -A
	git -c user.name=t -c user.email=t@example.com commit -qm one
	git tag v0.1.0
)
for i in 1 2 3 4; do
	(cd ex && echo "# $i" >>README.md &&
	 git -c user.name=t -c user.email=t@example.com commit -qam "n$i")
	"$TLCPACK" release -c nightly -v cpu --repo repo --json ex \
		>run$i.json 2>run$i.err || die "run $i failed: $(cat run$i.err)"
done
python3 - run1.json run4.json <<'P' || die "json: $(cat run4.json)"
import json, sys
one, four = (json.load(open(p)) for p in sys.argv[1:])
(w1,) = one["wheels"]
(w4,) = four["wheels"]
assert w1["name"] == "tlcpack-example-nightly", w1
# the example's version is a literal: dev N counts the commits
n1 = int(w1["version"].split(".dev")[1].split("+g")[0])
assert w4["version"].startswith("0.1.1.dev%d+g" % (n1 + 3)), (w1, w4)
open("oldest", "w").write(w1["file"])
assert w4["test"] == "pass" and w4["published"] == "added", w4
assert one["pruned"] == 0 and four["pruned"] == 1, (one, four)
P
# the oldest is yanked on the pages, the newest three are not
only_yanked repo/simple/tlcpack-example-nightly/index.html "$(cat oldest)"
[ "$(ls repo/files/tlcpack-example-nightly/*.whl | wc -l)" = 4 ] ||
	die "a yanked file must stay (pinned installs)"
"$TLCPACK" index --check --no-repair --repo repo >/dev/null ||
	die "the repository fails index --check"
