/*
 * OCI images (oci.h) on real files: bases of each kind, unpacking with
 * whiteouts, reproducible writes, every refusal with its message, and
 * skopeo and umoci (when installed) reading what tlcpack writes and
 * tlcpack reading what skopeo writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>	/* memfd_create */
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sha256.h"
#include "testutil.h"
#include "tlcpack/oci.h"
#include "tlcpack/tar.h"

struct ent {
	const char *name;
	int type;
	const char *link;
	const char *data;
};

static char dir[PATH_MAX], outside[PATH_MAX];

static int setup(void **state)
{
	if (tu_mkdtemp(dir, "oci") < 0 || tu_mkdtemp(outside, "oci-out") < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	int rc = tu_remove_tree(dir);

	return tu_remove_tree(outside) < 0 ? -1 : rc;
}

static const char *at(const char *rel)
{
	return tu_at(dir, rel);
}

static void hex(char *out, const unsigned char *sha)
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", sha[i]);
}

/* A gzip layer of @es in memory (malloc'd), its sums in @s. */
static char *layer(const struct ent *es, size_t n, size_t *len,
		   struct tlc_tar_sums *s)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_tar_writer *w;
	char *p;
	int fd = memfd_create("layer", 0);

	assert_int_equal(tlc_tar_writer_new(&w, fd, 6, &err), 0);
	for (size_t i = 0; i < n; i++) {
		struct tlc_tar_entry e = { es[i].name, es[i].link ? es[i].link : "",
					   es[i].type, es[i].type == TLC_TAR_DIR ?
					   0755 : 0644, 0, 0, 0, 0, 0, 0 };

		if (es[i].data)
			e.size = strlen(es[i].data);
		assert_int_equal(tlc_tar_writer_add(w, &e, &err), 0);
		if (e.size)
			assert_int_equal(tlc_tar_writer_write(w, es[i].data,
							      e.size, &err), 0);
	}
	assert_int_equal(tlc_tar_writer_finish(w, s, &err), 0);
	tlc_tar_writer_free(w);
	*len = (size_t)s->size;
	p = malloc(*len);
	assert_int_equal(pread(fd, p, *len, 0), (ssize_t)*len);
	close(fd);
	return p;
}

/* Put @data in @lay/blobs/sha256/; its digest in @d ("sha256:..."). */
static void put_blob(const char *lay, const void *data, size_t len, char *d)
{
	char path[PATH_MAX * 2];
	unsigned char sha[32];
	FILE *f;

	tlc__sha256(data, len, sha);
	memcpy(d, "sha256:", 7);
	hex(d + 7, sha);
	snprintf(path, sizeof(path), "%s/blobs/sha256", lay);
	assert_int_equal(tu_run("mkdir -p '%s'", path), 0);
	snprintf(path, sizeof(path), "%s/blobs/sha256/%s", lay, d + 7);
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

enum spoil { NONE, SIZE, MEDIA, DIFF_ID };

/* An OCI layout at @lay whose layers hold @layers (each @counts[i]
 * entries), spoiled as asked. */
static void make_layout(const char *lay, const struct ent *const *layers,
			const size_t *counts, size_t nl, enum spoil spoil)
{
	char ld[8][72], cd[72], md[72], cfg[4096], man[8192], idx[512];
	char ids[1024] = "", descs[4096] = "";
	size_t lens[8];

	for (size_t i = 0; i < nl; i++) {
		struct tlc_tar_sums s;
		char *p = layer(layers[i], counts[i], &lens[i], &s), did[65];

		put_blob(lay, p, lens[i], ld[i]);
		free(p);
		hex(did, s.diff_id);
		if (spoil == DIFF_ID)
			did[0] = did[0] == '0' ? '1' : '0';
		snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids),
			 "%s\"sha256:%s\"", i ? "," : "", did);
		snprintf(descs + strlen(descs), sizeof(descs) - strlen(descs),
			 "%s{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu}",
			 i ? "," : "", spoil == MEDIA ?
			 "application/vnd.oci.image.layer.v1.tar+zstd" :
			 "application/vnd.oci.image.layer.v1.tar+gzip", ld[i],
			 lens[i] + (spoil == SIZE));
	}
	snprintf(cfg, sizeof(cfg), "{\"architecture\":\"amd64\",\"os\":\"linux\","
		 "\"config\":{\"Env\":[\"PATH=/usr/bin\",\"LANG=C\"]},"
		 "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[%s]}}", ids);
	put_blob(lay, cfg, strlen(cfg), cd);
	snprintf(man, sizeof(man), "{\"schemaVersion\":2,\"mediaType\":"
		 "\"application/vnd.oci.image.manifest.v1+json\",\"config\":"
		 "{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
		 "\"digest\":\"%s\",\"size\":%zu},\"layers\":[%s]}", cd,
		 strlen(cfg), descs);
	put_blob(lay, man, strlen(man), md);
	snprintf(idx, sizeof(idx), "{\"schemaVersion\":2,\"manifests\":[{"
		 "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		 "\"digest\":\"%s\",\"size\":%zu}]}", md, strlen(man));
	snprintf(cfg, sizeof(cfg), "%s/index.json", lay);
	tu_write_file(cfg, idx, 0644);
	snprintf(cfg, sizeof(cfg), "%s/oci-layout", lay);
	tu_write_file(cfg, "{\"imageLayoutVersion\":\"1.0.0\"}", 0644);
}

static void one_layer(const char *lay, const struct ent *es, size_t n)
{
	const struct ent *ls[1] = { es };

	make_layout(lay, ls, &n, 1, NONE);
}

static void expect_open_fails(const char *path, const char *msg)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_oci_base *b = NULL;
	int rc = tlc_oci_base_open(&b, path, &err);

	if (rc != TLC_EPOLICY || !strstr(err.msg, msg))
		fail_msg("got %d '%s', wanted '%s'", rc, err.msg, msg);
	assert_null(b);
}

static void expect_unpack_fails(const char *path, const char *msg)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_oci_base *b = NULL;
	int rc;

	if (tlc_oci_base_open(&b, path, &err) < 0)
		fail_msg("%s", err.msg);
	rc = tlc_oci_base_unpack(b, at("root"), &err);
	tlc_oci_base_free(b);
	if (rc != TLC_EPOLICY || !strstr(err.msg, msg))
		fail_msg("got %d '%s', wanted '%s'", rc, err.msg, msg);
}

static const struct ent base1[] = {
	{ "usr", TLC_TAR_DIR, NULL, NULL },
	{ "usr/bin", TLC_TAR_DIR, NULL, NULL },
	{ "usr/bin/python3", TLC_TAR_FILE, NULL, "#!python\n" },
	{ "usr/bin/py", TLC_TAR_SYMLINK, "python3", NULL },
	{ "usr/bin/py3", TLC_TAR_HARDLINK, "usr/bin/python3", NULL },
	{ "a/x", TLC_TAR_FILE, NULL, "x" },
	{ "a/y", TLC_TAR_FILE, NULL, "y" },
	{ "b/z", TLC_TAR_FILE, NULL, "z" },
	{ "etc", TLC_TAR_SYMLINK, "/etc", NULL },
};
static const struct ent base2[] = {
	{ "a/.wh.x", TLC_TAR_FILE, NULL, NULL },
	{ "b/new", TLC_TAR_FILE, NULL, "new" },
	{ "b/.wh..wh..opq", TLC_TAR_FILE, NULL, NULL },
};

static void test_oci__layout_unpack_whiteouts(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_oci_base *b;
	const struct ent *ls[2] = { base1, base2 };
	size_t counts[2] = { 9, 3 };
	const char *const *env;
	struct stat st;

	make_layout(at("base"), ls, counts, 2, NONE);
	assert_int_equal(tlc_oci_base_open(&b, at("base"), &err), 0);
	assert_int_equal(tlc_oci_base_layer_count(b), 2);
	env = tlc_oci_base_env(b);
	assert_string_equal(env[0], "PATH=/usr/bin");
	assert_string_equal(env[1], "LANG=C");
	assert_null(env[2]);
	assert_int_equal(tlc_oci_base_unpack(b, at("root"), &err), 0);
	tlc_oci_base_free(b);
	tu_assert_file_is(at("root/usr/bin/python3"), "#!python\n", 9);
	assert_int_equal(lstat(at("root/usr/bin/py3"), &st), 0);
	assert_int_equal(st.st_nlink, 2);
	assert_int_equal(lstat(at("root/a/x"), &st), -1);	/* whiteout */
	tu_assert_file_is(at("root/a/y"), "y", 1);
	assert_int_equal(lstat(at("root/b/z"), &st), -1);	/* opaque */
	tu_assert_file_is(at("root/b/new"), "new", 3);	/* same layer */
	assert_int_equal(lstat(at("root/etc"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
}

static void test_oci__refuses_bad_blobs(void **state)
{
	const struct ent *ls[1] = { base1 };
	size_t n = 9;
	int fd;

	make_layout(at("size"), ls, &n, 1, SIZE);
	expect_open_fails(at("size"), "size mismatch for blob 'blobs/sha256/");
	make_layout(at("media"), ls, &n, 1, MEDIA);
	expect_open_fails(at("media"),
			  "unknown media type 'application/vnd.oci.image.layer.v1.tar+zstd' for a layer");
	make_layout(at("diffid"), ls, &n, 1, DIFF_ID);
	expect_unpack_fails(at("diffid"), "does not match its diff_id");
	/* a layer blob changed after the fact, same size */
	make_layout(at("digest"), ls, &n, 1, NONE);
	assert_int_equal(tu_run("cd '%s/digest/blobs/sha256' && for f in *; do "
				"if gzip -t $f 2>/dev/null; then printf 'X' | dd of=$f bs=1 seek=20 conv=notrunc 2>/dev/null; fi; done",
				dir), 0);
	expect_open_fails(at("digest"), "digest mismatch for blob 'blobs/sha256/");
	/* bad JSON, unknown layout version */
	make_layout(at("json"), ls, &n, 1, NONE);
	tu_write_file(at("json/index.json"), "{\"manifests\": [", 0644);
	expect_open_fails(at("json"), "bad JSON in 'index.json'");
	make_layout(at("ver"), ls, &n, 1, NONE);
	tu_write_file(at("ver/oci-layout"), "{\"imageLayoutVersion\":\"2.0\"}", 0644);
	expect_open_fails(at("ver"), "unsupported imageLayoutVersion");
	(void)fd;
}

static void test_oci__refuses_hostile_layers(void **state)
{
	char target[PATH_MAX + 16];
	struct stat st;

	{
		const struct ent es[] = { { "/etc/passwd", TLC_TAR_FILE, NULL, "x" } };

		one_layer(at("abs"), es, 1);
		expect_unpack_fails(at("abs"), "absolute path '/etc/passwd'");
	}
	{
		const struct ent es[] = { { "a/../../x", TLC_TAR_FILE, NULL, "x" } };

		one_layer(at("dotdot"), es, 1);
		expect_unpack_fails(at("dotdot"), "path 'a/../../x' has a '..' component");
	}
	{
		const struct ent es[] = { { "d/esc", TLC_TAR_SYMLINK, "../../outside", NULL } };

		one_layer(at("symesc"), es, 1);
		expect_unpack_fails(at("symesc"),
				    "symlink 'd/esc' in layer 'sha256:");
		expect_unpack_fails(at("symesc"),
				    "points outside the root ('../../outside')");
	}
	{
		/* an absolute symlink is the image's own root, so it is kept;
		 * but nothing is written through it */
		const struct ent es[] = { { "evil", TLC_TAR_SYMLINK, outside, NULL },
					  { "evil/pwned", TLC_TAR_FILE, NULL, "x" } };

		one_layer(at("through"), es, 2);
		expect_unpack_fails(at("through"), "'evil/pwned' in layer 'sha256:");
		expect_unpack_fails(at("through"), "goes through a symlink");
		snprintf(target, sizeof(target), "%s/pwned", outside);
		assert_int_equal(lstat(target, &st), -1);
	}
	{
		const struct ent es[] = { { "h", TLC_TAR_HARDLINK, "../etc/passwd", NULL } };

		one_layer(at("hl"), es, 1);
		expect_unpack_fails(at("hl"), "hard link 'h' in ");
		expect_unpack_fails(at("hl"), "path '../etc/passwd' has a '..' component");
	}
	{
		const struct ent es[] = { { "h", TLC_TAR_HARDLINK, "/etc/passwd", NULL } };

		one_layer(at("hla"), es, 1);
		expect_unpack_fails(at("hla"), "absolute path '/etc/passwd'");
	}
	{
		const struct ent es[] = { { "evil", TLC_TAR_SYMLINK, "/etc", NULL },
					  { "h", TLC_TAR_HARDLINK, "evil/passwd", NULL } };

		one_layer(at("hlsym"), es, 2);
		expect_unpack_fails(at("hlsym"), "goes through a symlink");
	}
	{
		const struct ent es[] = { { "h", TLC_TAR_HARDLINK, "nothere", NULL } };

		one_layer(at("hlmiss"), es, 1);
		expect_unpack_fails(at("hlmiss"), "points to 'nothere', which is not a file in the image");
	}
}

static void test_oci__refuses_bad_layer_data(void **state)
{
	const struct ent *ls[1] = { base1 };
	size_t n = 9;

	/* a rootfs tarball is read through at open */
	tu_write_file(at("t.tar"), "not a tar at all, just some text that is long", 0644);
	expect_open_fails(at("t.tar"), "truncated archive (a header is cut short)");
	make_layout(at("l"), ls, &n, 1, NONE);
	assert_int_equal(tu_run("cd '%s/l/blobs/sha256' && for f in *; do "
				"if gzip -t $f 2>/dev/null; then head -c 40 $f > ../../../short.tgz; fi; done",
				dir), 0);
	expect_open_fails(at("short.tgz"), "truncated gzip stream");
}

/* Write an image on top of @base to @out; its digest in @d. */
static void write_image(const char *base, const char *out,
			enum tlc_oci_format fmt, char *d)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_oci_base *b;
	const char *env[] = { "LANG=C.UTF-8", "TLC=1", NULL };
	const char *cmd[] = { "python3", "-c", "import demo", NULL };
	const char *labels[] = { "org.opencontainers.image.version=1.0",
				 "org.opencontainers.image.licenses=Apache-2.0",
				 NULL };
	struct tlc_oci_opts o = TLC_OCI_OPTS_INIT;

	o.tag = "tlc/demo:1.0";
	o.env = env;
	o.cmd = cmd;
	o.labels = labels;
	o.epoch = 1700000000;
	o.format = fmt;
	if (tlc_oci_base_open(&b, base, &err) < 0 ||
	    tlc_oci_write(b, at("tree"), &o, out, d, &err) < 0)
		fail_msg("%s", err.msg);
	tlc_oci_base_free(b);
}

static void test_oci__write_reproducible(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_oci_base *b;
	char d1[72], d2[72], d3[72], d4[72];
	const char *const *env;
	const struct ent *ls[2] = { base1, base2 };
	size_t counts[2] = { 9, 3 };

	make_layout(at("base"), ls, counts, 2, NONE);
	tu_put(dir, "tree/usr/lib/python3/dist-packages/demo/__init__.py",
	       "X = 1\n", 0644);
	tu_put(dir, "tree/usr/local/bin/demo", "#!/usr/bin/python3\n", 0755);
	write_image(at("base"), at("out1"), TLC_OCI_LAYOUT, d1);
	assert_int_equal(tu_run("touch '%s/tree/usr/local/bin/demo'", dir), 0);
	write_image(at("base"), at("out2"), TLC_OCI_LAYOUT, d2);
	assert_string_equal(d1, d2);
	assert_int_equal(tu_run("diff -r '%s/out1' '%s/out2'", dir, dir), 0);
	write_image(at("base"), at("img.tar"), TLC_OCI_DOCKER_ARCHIVE, d3);
	write_image(at("base"), at("img2.tar"), TLC_OCI_DOCKER_ARCHIVE, d4);
	assert_string_equal(d1, d3);
	assert_true(tu_same_file(at("img.tar"), at("img2.tar")));
	/* the base's layers kept, by digest */
	assert_int_equal(tu_run("cd '%s' && n=0; for f in base/blobs/sha256/*; do "
				"gzip -t $f 2>/dev/null || continue; n=$((n+1)); "
				"test -f out1/blobs/sha256/${f##*/} || exit 1; done; test $n = 2", dir), 0);
	/* what we wrote reads back as a base: layout and docker archive */
	for (int k = 0; k < 2; k++) {
		const char *p = k ? at("img.tar") : at("out1");
		const char *r = k ? at("root2") : at("root1");

		if (tlc_oci_base_open(&b, p, &err) < 0)
			fail_msg("%s", err.msg);
		assert_int_equal(tlc_oci_base_layer_count(b), 3);
		env = tlc_oci_base_env(b);
		assert_string_equal(env[0], "PATH=/usr/bin");
		assert_string_equal(env[1], "LANG=C.UTF-8");
		assert_string_equal(env[2], "TLC=1");
		assert_int_equal(tlc_oci_base_unpack(b, r, &err), 0);
		tlc_oci_base_free(b);
	}
	tu_assert_file_is(at("root2/usr/lib/python3/dist-packages/demo/__init__.py"),
			  "X = 1\n", 6);
	assert_int_equal(tu_run("test -x '%s/root1/usr/local/bin/demo' && test -f '%s/root1/usr/bin/python3'",
				dir, dir), 0);
	/* the config as written */
	assert_int_equal(tu_run("cd '%s/out1' && python3 - <<'EOF'\n"
"import json\n"
"i = json.load(open('index.json'))\n"
"d = i['manifests'][0]\n"
"assert d['annotations']['org.opencontainers.image.ref.name'] == '1.0'\n"
"m = json.load(open('blobs/sha256/' + d['digest'][7:]))\n"
"assert m['mediaType'] == 'application/vnd.oci.image.manifest.v1+json'\n"
"assert m['annotations']['org.opencontainers.image.version'] == '1.0'\n"
"c = json.load(open('blobs/sha256/' + m['config']['digest'][7:]))\n"
"assert c['created'] == '2023-11-14T22:13:20Z', c['created']\n"
"assert c['config']['Cmd'] == ['python3', '-c', 'import demo']\n"
"assert c['config']['Labels']['org.opencontainers.image.licenses'] == 'Apache-2.0'\n"
"assert len(c['rootfs']['diff_ids']) == 3 == len(c['history'])\n"
"EOF", dir), 0);
	assert_int_equal(tu_run("cd '%s' && tar -xOf img.tar manifest.json | python3 -c \""
				"import json,sys; m=json.load(sys.stdin); "
				"assert m[0]['RepoTags']==['tlc/demo:1.0'] and len(m[0]['Layers'])==3\"",
				dir), 0);
}

static void test_oci__rootfs_bases(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_oci_base *b;
	char d1[72], d2[72];

	tu_put(dir, "rootfs/usr/bin/python3", "#!py\n", 0755);
	tu_put(dir, "rootfs/etc/os-release", "ID=debian\n", 0644);
	tu_put(dir, "tree/opt/x", "x\n", 0644);
	write_image(at("rootfs"), at("o1"), TLC_OCI_LAYOUT, d1);
	write_image(at("rootfs"), at("o2"), TLC_OCI_LAYOUT, d2);
	assert_string_equal(d1, d2);
	assert_int_equal(tu_run("cd '%s/rootfs' && tar -czf ../rootfs.tgz . && tar -cf ../rootfs.tar .", dir), 0);
	for (int k = 0; k < 2; k++) {
		if (tlc_oci_base_open(&b, k ? at("rootfs.tar") : at("rootfs.tgz"),
				      &err) < 0)
			fail_msg("%s", err.msg);
		assert_int_equal(tlc_oci_base_layer_count(b), 1);
		assert_string_equal(tlc_oci_base_env(b)[0],
				    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
		assert_int_equal(tlc_oci_base_unpack(b, k ? at("r2") : at("r1"),
						     &err), 0);
		tlc_oci_base_free(b);
	}
	tu_assert_file_is(at("r1/etc/os-release"), "ID=debian\n", 10);
	tu_assert_file_is(at("r2/usr/bin/python3"), "#!py\n", 5);
}

static bool have(const char *tool)
{
	return tu_run("command -v %s >/dev/null 2>&1", tool) == 0;
}

/* skopeo and umoci read what tlcpack writes; tlcpack reads skopeo's. */
static void test_oci__real_tools(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_oci_base *b;
	char d[72];

	/* scripts/deps.sh --test installs both: missing is a failure */
	if (!have("skopeo") || !have("umoci"))
		fail_msg("skopeo or umoci is missing (scripts/deps.sh --test)");
	tu_put(dir, "rootfs/usr/bin/python3", "#!py\n", 0755);
	tu_put(dir, "tree/usr/lib/python3/dist-packages/demo.py", "X = 1\n", 0644);
	write_image(at("rootfs"), at("img"), TLC_OCI_LAYOUT, d);
	assert_int_equal(tu_run("cd '%s' && skopeo inspect oci:img:1.0 > insp.json && "
				"python3 -c \"import json; j=json.load(open('insp.json')); "
				"assert j['Digest']=='%s' and len(j['Layers'])==2, j\"",
				dir, d), 0);
	assert_int_equal(tu_run("cd '%s' && umoci unpack --rootless --image img:1.0 bundle >/dev/null 2>&1 && "
				"test \"$(cat bundle/rootfs/usr/lib/python3/dist-packages/demo.py)\" = 'X = 1' && "
				"grep -q import bundle/config.json", dir), 0);
	write_image(at("rootfs"), at("img.tar"), TLC_OCI_DOCKER_ARCHIVE, d);
	assert_int_equal(tu_run("cd '%s' && skopeo inspect docker-archive:img.tar >/dev/null && "
				"skopeo inspect oci-archive:img.tar >/dev/null", dir), 0);
	/* skopeo's own writing, read back: a layout and a docker archive */
	assert_int_equal(tu_run("cd '%s' && skopeo copy -q oci:img:1.0 oci:sk:x >/dev/null && "
				"skopeo copy -q oci:img:1.0 docker-archive:sk.tar:tlc/demo:1.0 >/dev/null",
				dir), 0);
	for (int k = 0; k < 2; k++) {
		if (tlc_oci_base_open(&b, k ? at("sk.tar") : at("sk"), &err) < 0)
			fail_msg("%s", err.msg);
		assert_int_equal(tlc_oci_base_unpack(b, k ? at("u2") : at("u1"),
						     &err), 0);
		tlc_oci_base_free(b);
	}
	tu_assert_file_is(at("u1/usr/lib/python3/dist-packages/demo.py"), "X = 1\n", 6);
	tu_assert_file_is(at("u2/usr/bin/python3"), "#!py\n", 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_oci__layout_unpack_whiteouts),
		T(test_oci__refuses_bad_blobs),
		T(test_oci__refuses_hostile_layers),
		T(test_oci__refuses_bad_layer_data),
		T(test_oci__write_reproducible),
		T(test_oci__rootfs_bases),
		T(test_oci__real_tools),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
