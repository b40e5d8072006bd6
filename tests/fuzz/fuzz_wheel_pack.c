/*
 * libFuzzer target for tlc_wheel_pack()'s readers of an unpacked wheel:
 * the .dist-info directory name, WHEEL (Tag, Build, Root-Is-Purelib) and
 * METADATA (Name, Version).  Each input is laid out as a tree and packed;
 * the call either writes a wheel or fails with one line naming the
 * problem.
 *
 * Input: "<dist-info name>\0<WHEEL>\0<METADATA>".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tlcpack/buf.h"
#include "tlcpack/wheel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_wheel_pack: check failed: %s\n", what);
		abort();
	}
}

static char root[64];

static void put(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	check(f != NULL, path);
	check(fwrite(p, 1, n, f) == n, "fwrite");
	fclose(f);
}

static void clean(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s/tree %s/out", root, root);
	check(system(cmd) == 0, "rm");
}

static void remove_root(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz_wheel_pack: cannot remove %s\n", root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlc_wheel_opts o = TLC_WHEEL_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf path = TLC_BUF_INIT;
	const uint8_t *z1, *z2;
	char p[512], name[256], tree[128], out[128];
	size_t nlen;
	struct stat st;

	if (!root[0]) {
		snprintf(root, sizeof(root), "/tmp/tlc-fuzz-pack.XXXXXX");
		check(mkdtemp(root) != NULL, "mkdtemp");
		atexit(remove_root);
	}
	z1 = memchr(data, 0, size);
	if (!z1)
		return 0;
	z2 = memchr(z1 + 1, 0, size - (size_t)(z1 + 1 - data));
	if (!z2)
		return 0;
	nlen = (size_t)(z1 - data);
	if (nlen == 0 || nlen > 200 || memchr(data, '/', nlen))
		return 0;
	memcpy(name, data, nlen);
	name[nlen] = '\0';
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	clean();
	snprintf(tree, sizeof(tree), "%s/tree", root);
	snprintf(out, sizeof(out), "%s/out", root);
	check(mkdir(tree, 0755) == 0, "mkdir tree");
	snprintf(p, sizeof(p), "%s/%s.dist-info", tree, name);
	check(mkdir(p, 0755) == 0, "mkdir dist-info");
	snprintf(p, sizeof(p), "%s/%s.dist-info/WHEEL", tree, name);
	put(p, z1 + 1, (size_t)(z2 - z1 - 1));
	snprintf(p, sizeof(p), "%s/%s.dist-info/METADATA", tree, name);
	put(p, z2 + 1, size - (size_t)(z2 + 1 - data));
	snprintf(p, sizeof(p), "%s/mod.py", tree);
	put(p, "x = 1\n", 6);

	o.outdir = out;
	o.threads = 1;
	o.level = 1;
	if (tlc_wheel_pack(&path, tree, &o, &err) == 0) {
		check(stat(path.ptr, &st) == 0 && st.st_size > 0, "wheel");
	} else {
		check(err.msg[0] != '\0', "a message");
		check(strchr(err.msg, '\n') == NULL, "one line");
		check(path.len == 0, "no path on failure");
	}
	tlc_buf_release(&path);
	return 0;
}
