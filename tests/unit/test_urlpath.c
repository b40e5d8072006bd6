/*
 * Request targets to files: the decoder against a traversal corpus (every
 * trick from the OWASP path traversal page and the CVEs of web servers
 * that fell for them: %2e%2e, double encoding, overlong UTF-8, %00,
 * backslashes), every byte raw and escaped, size caps; the opener against
 * a real directory holding symlinks (out and in), a fifo, a socket, a
 * device node where we may make one.
 *
 * urlpath.c is included, so that the walk for kernels without openat2
 * (open_walk) runs here too, on the same table as openat2.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

#include "../../src/lib/urlpath.c"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void check_one_line(const char *msg)
{
	assert_true(strlen(msg) > 0);
	assert_null(strchr(msg, '\n'));
	assert_null(strchr(msg, '\r'));
}

/* Decode the C string @t; @return the code, the result in @out. */
static int decode(struct tlc_buf *out, bool *dir, const char *t,
		  struct tlc_error *err)
{
	return tlc_urlpath_decode(out, dir, t, strlen(t), err);
}

struct good {
	const char *target, *path;
	bool dir;
};

static const struct good goods[] = {
	{ "/", "", true },
	{ "/wheels.html", "wheels.html", false },
	{ "/simple/", "simple", true },
	{ "/simple", "simple", false },
	{ "/simple/tlcpack/", "simple/tlcpack", true },
	{ "/simple/index.json", "simple/index.json", false },
	{ "/cu121/simple/tlcpack/", "cu121/simple/tlcpack", true },
	{ "/files/tlcpack/tlcpack-1.0-py3-none-any.whl",
	  "files/tlcpack/tlcpack-1.0-py3-none-any.whl", false },
	{ "/files/t/t-1.0+cu121-py3-none-any.whl.metadata",
	  "files/t/t-1.0+cu121-py3-none-any.whl.metadata", false },
	/* pip quotes '+' (and uv may): decoded once */
	{ "/files/t/t-1.0%2Bcu121-py3-none-any.whl",
	  "files/t/t-1.0+cu121-py3-none-any.whl", false },
	{ "/%61%62c/%7e", "abc/~", false },
	/* dots that are not a dot-segment, a leading dot or ".." */
	{ "/a.b/c.", "a.b/c.", false },
	{ "/a./b.c.d/", "a./b.c.d", true },
	{ "/a%2e/b", "a./b", false },
	{ "/t-1.0-py2.py3-none-any.whl.metadata",
	  "t-1.0-py2.py3-none-any.whl.metadata", false },
	/* ".tmp." with a suffix other than mkostemp's 6 characters */
	{ "/x.tmp.abc", "x.tmp.abc", false },
	{ "/x.tmp.abcdefg", "x.tmp.abcdefg", false },
	/* the query is not part of the path (RFC 3986 section 3.4) */
	{ "/simple/?format=json", "simple", true },
	{ "/wheels.html?../../etc/passwd", "wheels.html", false },
	{ "/?", "", true },
	{ "/a?%00\\", "a", false },
	/* sub-delims, ':' and '@' are pchar (RFC 3986 section 3.3) */
	{ "/a:b@c!$&'()*,;=", "a:b@c!$&'()*,;=", false },
};

static void test_urlpath__decode_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(goods); i++) {
		struct tlc_buf out = TLC_BUF_INIT;
		struct tlc_error err = TLC_ERROR_INIT;
		bool dir = !goods[i].dir;
		int rc = decode(&out, &dir, goods[i].target, &err);

		if (rc != 0)
			fail_msg("'%s': %s", goods[i].target, err.msg);
		if (strcmp(out.ptr, goods[i].path) || dir != goods[i].dir)
			fail_msg("'%s' gave '%s' dir %d, not '%s' dir %d",
				 goods[i].target, out.ptr, dir, goods[i].path,
				 goods[i].dir);
		assert_int_equal(err.code, 0);	/* untouched on success */
		assert_string_equal(err.msg, "");
		assert_int_equal(out.ptr[out.len], '\0');
		tlc_buf_release(&out);
	}
}

struct bad {
	const char *target;
	size_t len;		/* 0: strlen(target) */
	const char *msg;	/* a part of the message */
};

static const struct bad bads[] = {
	/* not origin-form (RFC 9112 section 3.2) */
	{ "", 0, "request path is empty" },
	{ "?a", 0, "request path is empty" },
	{ "simple/", 0, "does not start with '/'" },
	{ "*", 0, "does not start with '/'" },
	{ "http://h/x", 0, "does not start with '/'" },
	{ "../x", 0, "does not start with '/'" },
	{ "%2fetc", 0, "does not start with '/'" },
	/* dot-segments, raw and encoded in every case mix */
	{ "/..", 0, "has a '..' segment" },
	{ "/../etc/passwd", 0, "has a '..' segment" },
	{ "/simple/../.tlcpack/lock", 0, "has a '..' segment" },
	{ "/a/..", 0, "has a '..' segment" },
	{ "/a/../", 0, "has a '..' segment" },
	{ "/%2e%2e/x", 0, "has a '..' segment" },
	{ "/%2E%2e/", 0, "has a '..' segment" },
	{ "/%2e%2E", 0, "has a '..' segment" },
	{ "/.%2e/x", 0, "has a '..' segment" },
	{ "/%2e./x", 0, "has a '..' segment" },
	/* ".." inside a segment: nothing the repository writes has it */
	{ "/a..b", 0, "has '..' inside a segment" },
	{ "/a/b..", 0, "has '..' inside a segment" },
	{ "/a%2e%2e/", 0, "has '..' inside a segment" },
	{ "/files/p/p-1.0..whl", 0, "has '..' inside a segment" },
	{ "/.", 0, "has a '.' segment" },
	{ "/./a", 0, "has a '.' segment" },
	{ "/a/./b", 0, "has a '.' segment" },
	{ "/a/.", 0, "has a '.' segment" },
	{ "/a/%2e/", 0, "has a '.' segment" },
	/* double encoding: %25 is '%', refused rather than decoded twice */
	{ "/%252e%252e/x", 0, "encoded '%' (double encoding)" },
	{ "/%25", 0, "double encoding" },
	{ "/a%2500", 0, "double encoding" },
	{ "/%255c", 0, "double encoding" },
	/* NUL: encoded, and raw inside the length */
	{ "/a%00", 0, "holds a NUL byte" },
	{ "/a%00.whl", 0, "holds a NUL byte" },
	{ "/a\0b", 4, "holds a NUL byte" },
	{ "\0/a", 3, "does not start with '/'" },
	{ "/\0", 2, "holds a NUL byte" },
	/* backslash, raw and encoded (IIS and Windows separators) */
	{ "/a\\b", 0, "holds a backslash" },
	{ "/..\\..\\x", 0, "holds a backslash" },
	{ "/a%5cb", 0, "holds a backslash" },
	{ "/a%5Cb", 0, "holds a backslash" },
	{ "/%2e%2e%5c%2e%2e", 0, "holds a backslash" },
	/* slashes: doubled, and hidden in a segment */
	{ "//", 0, "has an empty segment" },
	{ "//etc/passwd", 0, "has an empty segment" },
	{ "/a//b", 0, "has an empty segment" },
	{ "/a//", 0, "has an empty segment" },
	{ "/a%2fb", 0, "encoded '/' (%2F)" },
	{ "/a%2F..%2Fb", 0, "encoded '/' (%2F)" },
	{ "/%2f", 0, "encoded '/' (%2F)" },
	/* hidden files and private state */
	{ "/.tlcpack/state/x.json", 0, "segment starting with '.'" },
	{ "/.tlcpack/", 0, "segment starting with '.'" },
	{ "/%2etlcpack/lock", 0, "segment starting with '.'" },
	{ "/.hidden", 0, "segment starting with '.'" },
	{ "/simple/.hidden/", 0, "segment starting with '.'" },
	{ "/a/.htpasswd", 0, "segment starting with '.'" },
	{ "/...", 0, "segment starting with '.'" },
	/* files tlc_repo_publish() is still writing */
	{ "/files/p/x.whl.tmp.AbC123", 0, "names a file still being written" },
	{ "/simple/index.html.tmp.zzzzzz", 0, "still being written" },
	{ "/a%2etmp%2eAbC123/", 0, "still being written" },
	/* overlong UTF-8 for '.' and '/' (CVE-2000-0884), and UTF-8 */
	{ "/%c0%ae%c0%ae/x", 0, "byte outside printable ASCII" },
	{ "/%c0%af", 0, "byte outside printable ASCII" },
	{ "/%e0%80%ae", 0, "byte outside printable ASCII" },
	{ "/%C0%2E", 0, "byte outside printable ASCII" },
	{ "/caf%c3%a9", 0, "byte outside printable ASCII" },
	{ "/caf\xc3\xa9", 0, "byte outside printable ASCII" },
	{ "/\xc0\xae\xc0\xae", 0, "byte outside printable ASCII" },
	{ "/\xff", 0, "byte outside printable ASCII" },
	/* control characters and space, raw and encoded */
	{ "/a\nb", 0, "holds a control character" },
	{ "/a%0aSet-Cookie:x", 0, "holds a control character" },
	{ "/a%0D%0A", 0, "holds a control character" },
	{ "/a\tb", 0, "holds a control character" },
	{ "/a\x7f", 0, "holds a control character" },
	{ "/a%7F", 0, "holds a control character" },
	{ "/a%1b[31m", 0, "holds a control character" },
	{ "/a b", 0, "holds a space" },
	{ "/a%20b", 0, "holds a space" },
	/* bad escapes (RFC 3986 section 2.1) */
	{ "/a%", 0, "not followed by two hex digits" },
	{ "/a%4", 0, "not followed by two hex digits" },
	{ "/a%4?1", 0, "not followed by two hex digits" },
	{ "/a%zz", 0, "not followed by two hex digits" },
	{ "/a%%41", 0, "not followed by two hex digits" },
	{ "/a%-1", 0, "not followed by two hex digits" },
	{ "/a% 1", 0, "not followed by two hex digits" },
	{ "/a%4\0", 4, "not followed by two hex digits" },
	/* a fragment is never part of a request */
	{ "/a#b", 0, "holds a '#'" },
	{ "/a%23b", 0, NULL },	/* an encoded '#' is a plain byte: allowed */
};

static void test_urlpath__decode_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(bads); i++) {
		struct tlc_buf out = TLC_BUF_INIT;
		struct tlc_error err = TLC_ERROR_INIT;
		const char *t = bads[i].target;
		size_t len = bads[i].len ? bads[i].len : strlen(t);
		bool dir = true;
		int rc;

		assert_int_equal(tlc_buf_puts(&out, "keep"), 0);
		rc = tlc_urlpath_decode(&out, &dir, t, len, &err);
		if (!bads[i].msg) {
			assert_int_equal(rc, 0);
			tlc_buf_release(&out);
			continue;
		}
		if (rc != TLC_EPOLICY)
			fail_msg("'%s' gave %d '%s' ('%s'), not a refusal", t,
				 rc, out.ptr, err.msg);
		assert_int_equal(err.code, TLC_EPOLICY);
		if (!strstr(err.msg, bads[i].msg))
			fail_msg("'%s': message '%s' lacks '%s'", t, err.msg,
				 bads[i].msg);
		check_one_line(err.msg);
		assert_string_equal(out.ptr, "keep");	/* unchanged */
		assert_int_equal(out.len, 4);
		assert_false(dir);
		tlc_buf_release(&out);
	}
}

/* Messages quote the target safely: no raw control bytes, no UTF-8. */
static void test_urlpath__decode_message_quotes(void **state)
{
	struct tlc_buf out = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	const char t[] = "/a\x1b[2J\r\n\xe2\x80\xae%00";
	bool dir;

	(void)state;
	assert_int_equal(tlc_urlpath_decode(&out, &dir, t, sizeof(t) - 1,
					    &err), TLC_EPOLICY);
	assert_string_equal(err.msg, "request path '/a\\x1b[2J\\x0d\\x0a"
			    "\\xe2\\x80\\xae%00' holds a control character");
	for (const char *p = err.msg; *p; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
	tlc_buf_release(&out);
}

/* Every byte, raw after "/a" and as %XX: allowed exactly when printable
 * ASCII and none of the bytes the rules name. */
static void test_urlpath__decode_every_byte(void **state)
{
	(void)state;
	for (int c = 0; c < 256; c++) {
		struct tlc_buf out = TLC_BUF_INIT;
		struct tlc_error err = TLC_ERROR_INIT;
		char t[8];
		bool dir, ok;
		int rc;

		t[0] = '/';
		t[1] = 'a';
		t[2] = (char)c;
		rc = tlc_urlpath_decode(&out, &dir, t, 3, &err);
		ok = c > 0x20 && c < 0x7f && c != '\\' && c != '#' &&
		     c != '%';
		if (c == '/' || c == '?') {
			/* "/a/" is a directory; '?' ends the path */
			assert_int_equal(rc, 0);
			assert_string_equal(out.ptr, "a");
			assert_int_equal(dir, c == '/');
		} else if (ok) {
			assert_int_equal(rc, 0);
			assert_int_equal(out.len, 2);
			assert_int_equal((unsigned char)out.ptr[1], c);
		} else {
			if (rc != TLC_EPOLICY)
				fail_msg("raw byte 0x%02x gave %d", c, rc);
			check_one_line(err.msg);
		}
		tlc_buf_reset(&out);

		snprintf(t, sizeof(t), "/a%%%02X", c);
		rc = tlc_urlpath_decode(&out, &dir, t, 5, &err);
		ok = c > 0x20 && c < 0x7f && c != '\\' && c != '%' && c != '/';
		if (ok) {
			assert_int_equal(rc, 0);
			assert_int_equal(out.len, 2);
			assert_int_equal((unsigned char)out.ptr[1], c);
			assert_false(dir);
		} else if (rc != TLC_EPOLICY) {
			fail_msg("%%%02X gave %d", c, rc);
		}
		tlc_buf_release(&out);
	}
}

/* Long paths: caps on a segment and on the whole, ETOOBIG. */
static void test_urlpath__decode_long(void **state)
{
	struct tlc_buf out = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	size_t big = 1 << 20;
	char *t = malloc(big + 1);
	bool dir;

	(void)state;
	assert_non_null(t);
	/* one segment of exactly the maximum, then one byte more */
	t[0] = '/';
	memset(t + 1, 'a', TLC_URLPATH_SEGMENT_MAX + 1);
	assert_int_equal(tlc_urlpath_decode(&out, &dir, t,
					    1 + TLC_URLPATH_SEGMENT_MAX, &err),
			 0);
	assert_int_equal(out.len, TLC_URLPATH_SEGMENT_MAX);
	tlc_buf_reset(&out);
	assert_int_equal(tlc_urlpath_decode(&out, &dir, t,
					    2 + TLC_URLPATH_SEGMENT_MAX, &err),
			 TLC_ETOOBIG);
	assert_non_null(strstr(err.msg, "has a segment too long"));
	check_one_line(err.msg);
	/* the cap counts decoded bytes: %61 is one */
	for (size_t i = 0; i < TLC_URLPATH_SEGMENT_MAX; i++)
		memcpy(t + 1 + 3 * i, "%61", 3);
	assert_int_equal(tlc_urlpath_decode(&out, &dir, t,
					    1 + 3 * TLC_URLPATH_SEGMENT_MAX,
					    &err), 0);
	assert_int_equal(out.len, TLC_URLPATH_SEGMENT_MAX);
	tlc_buf_reset(&out);

	/* "/aaaa/aaaa/...": the whole path may be TLC_URLPATH_MAX bytes */
	for (size_t i = 0; i < big; i++)
		t[i] = i % 5 == 0 ? '/' : 'a';
	assert_int_equal(tlc_urlpath_decode(&out, &dir, t,
					    TLC_URLPATH_MAX + 1, &err), 0);
	assert_int_equal(out.len, TLC_URLPATH_MAX);
	tlc_buf_reset(&out);
	assert_int_equal(tlc_urlpath_decode(&out, &dir, t,
					    TLC_URLPATH_MAX + 2, &err),
			 TLC_ETOOBIG);
	assert_non_null(strstr(err.msg, "is too long"));
	assert_int_equal(out.len, 0);
	/* a megabyte is refused at once, not decoded */
	t[big] = '\0';
	assert_int_equal(tlc_urlpath_decode(&out, &dir, t, big, &err),
			 TLC_ETOOBIG);
	check_one_line(err.msg);
	assert_true(strlen(err.msg) < 300);
	assert_int_equal(out.len, 0);
	free(t);
	tlc_buf_release(&out);
}

/* The result is appended; a buffer's cap is honoured. */
static void test_urlpath__decode_appends(void **state)
{
	struct tlc_buf out = TLC_BUF_INIT, capped = TLC_BUF_INIT_MAX(4);
	struct tlc_error err = TLC_ERROR_INIT;
	bool dir;

	(void)state;
	assert_int_equal(tlc_buf_puts(&out, "x/"), 0);
	assert_int_equal(decode(&out, &dir, "/a/b/", &err), 0);
	assert_string_equal(out.ptr, "x/a/b");
	assert_true(dir);
	assert_int_equal(decode(&capped, &dir, "/abcdef", &err), TLC_ETOOBIG);
	assert_int_equal(capped.len, 0);
	check_one_line(err.msg);
	tlc_buf_release(&out);
	tlc_buf_release(&capped);
}

/*
 * A repository in a scratch directory, and a secret outside it:
 *   root/wheels.html   root/simple/index.html   root/files/p/x.whl
 *   root/.tlcpack/lock
 *   root/link-in -> wheels.html      root/dirlink -> simple
 *   root/link-out -> ../outside      root/abs-out -> <outside>/secret
 *   root/simple/up -> ..             root/fifo   root/sock
 */
struct scratch {
	char top[PATH_MAX];
	char root[PATH_MAX + 8];
	char outside[PATH_MAX + 16];
	int rootfd;
	bool walk;	/* open with open_walk, as without openat2 */
};

static int setup_repo(void **state)
{
	struct scratch *s = calloc(1, sizeof(*s));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char p[PATH_MAX * 3];
	int fd;

	if (!s || tu_mkdtemp(s->top, "urlpath") < 0)
		return -1;
	snprintf(s->root, sizeof(s->root), "%s/root", s->top);
	snprintf(s->outside, sizeof(s->outside), "%s/outside", s->top);
	tu_put(s->root, "wheels.html", "<html>wheels</html>\n", 0644);
	tu_put(s->root, "simple/index.html", "index\n", 0644);
	tu_put(s->root, "files/p/x.whl", "PK wheel", 0644);
	tu_put(s->root, ".tlcpack/lock", "", 0644);
	tu_put(s->outside, "secret", "secret\n", 0600);
#define AT(rel) (snprintf(p, sizeof(p), "%s/%s", s->root, rel), p)
	if (symlink("wheels.html", AT("link-in")) < 0 ||
	    symlink("simple", AT("dirlink")) < 0 ||
	    symlink("../outside", AT("link-out")) < 0 ||
	    symlink("..", AT("simple/up")) < 0 ||
	    mkfifo(AT("fifo"), 0644) < 0)
		return -1;
	{
		char target[PATH_MAX * 2];

		snprintf(target, sizeof(target), "%s/secret", s->outside);
		if (symlink(target, AT("abs-out")) < 0)
			return -1;
	}
	/* a unix socket: bound by path, short enough for sun_path */
	if (strlen(AT("sock")) < sizeof(sa.sun_path)) {
		memcpy(sa.sun_path, p, strlen(p) + 1);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			return -1;
		close(fd);
	}
#undef AT
	s->rootfd = open(s->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->rootfd < 0)
		return -1;
	*state = s;
	return 0;
}

static int setup_repo_walk(void **state)
{
	int rc = setup_repo(state);

	if (rc == 0)
		((struct scratch *)*state)->walk = true;
	return rc;
}

static int teardown_repo(void **state)
{
	struct scratch *s = *state;
	int rc = tu_remove_tree(s->top);

	close(s->rootfd);
	free(s);
	return rc;
}

/* tlc_urlpath_open, or the same with the walk in place of openat2. */
static int open_rel(struct scratch *s, const char *rel, int flags,
		    struct tlc_error *err)
{
	int fd;

	if (!s->walk)
		return tlc_urlpath_open(s->rootfd, rel, flags, err);
	assert_true(rel_ok(rel));
	fd = open_walk(s->rootfd, rel, (flags & ~O_NOFOLLOW) | O_CLOEXEC);
	return fd < 0 ? open_errno(errno, rel, err) : fd;
}

static void assert_fd_holds(int fd, const char *text)
{
	char buf[256];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	assert_true(n >= 0);
	buf[n] = '\0';
	assert_string_equal(buf, text);
}

struct open_case {
	const char *rel;
	int flags;
	int code;		/* 0: opens */
	const char *msg;	/* a part of the message */
};

static const struct open_case open_cases[] = {
	{ "wheels.html", O_RDONLY, 0, NULL },
	{ "files/p/x.whl", O_RDONLY, 0, NULL },
	{ "simple", O_RDONLY | O_DIRECTORY, 0, NULL },
	{ "simple/index.html", O_PATH, 0, NULL },
	{ "", O_RDONLY | O_DIRECTORY, 0, NULL },
	{ ".tlcpack/lock", O_RDONLY, 0, NULL },	/* the decoder's job */
	{ "missing", O_RDONLY, TLC_ENOTFOUND, "'missing' not found" },
	{ "files/q/x.whl", O_RDONLY, TLC_ENOTFOUND, "not found" },
	{ "wheels.html/x", O_RDONLY, TLC_ENOTFOUND, "not found" },
	{ "simple", O_RDONLY | O_NOFOLLOW | O_DIRECTORY, 0, NULL },
	{ "wheels.html", O_RDONLY | O_DIRECTORY, TLC_ENOTFOUND, "not found" },
	/* symlinks: refused wherever they are, in or out */
	{ "link-in", O_RDONLY, TLC_EPOLICY, "'link-in' goes through a symlin" },
	{ "link-in", O_PATH, TLC_EPOLICY, "goes through a symlink" },
	{ "link-in", O_PATH | O_NOFOLLOW, TLC_EPOLICY, "through a symlink" },
	{ "dirlink/index.html", O_RDONLY, TLC_EPOLICY, "through a symlink" },
	{ "dirlink", O_RDONLY | O_DIRECTORY, TLC_EPOLICY, "through a symlink" },
	{ "link-out/secret", O_RDONLY, TLC_EPOLICY, "through a symlink" },
	{ "link-out", O_PATH, TLC_EPOLICY, "through a symlink" },
	{ "abs-out", O_RDONLY, TLC_EPOLICY, "through a symlink" },
	{ "simple/up/wheels.html", O_RDONLY, TLC_EPOLICY, "through a symlink" },
};

static void test_urlpath__open(void **state)
{
	struct scratch *s = *state;

	for (size_t i = 0; i < N(open_cases); i++) {
		const struct open_case *c = &open_cases[i];
		struct tlc_error err = TLC_ERROR_INIT;
		int fd = open_rel(s, c->rel, c->flags, &err);

		if (c->code == 0) {
			if (fd < 0)
				fail_msg("'%s': %s", c->rel, err.msg);
			assert_int_equal(err.code, 0);
			assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
			close(fd);
			continue;
		}
		if (fd != c->code)
			fail_msg("'%s' gave %d (%s), not %d", c->rel, fd,
				 err.msg, c->code);
		assert_int_equal(err.code, c->code);
		if (!strstr(err.msg, c->msg))
			fail_msg("'%s': '%s' lacks '%s'", c->rel, err.msg,
				 c->msg);
		check_one_line(err.msg);
	}
}

static void test_urlpath__open_reads_the_file(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	int fd = open_rel(s, "wheels.html", O_RDONLY, &err);

	assert_true(fd >= 0);
	assert_fd_holds(fd, "<html>wheels</html>\n");
	close(fd);
	fd = open_rel(s, "files/p/x.whl", O_RDONLY, &err);
	assert_true(fd >= 0);
	assert_fd_holds(fd, "PK wheel");
	close(fd);
}

/* Paths the decoder never makes are refused before any system call. */
static void test_urlpath__open_refuses_bad_rel(void **state)
{
	static const char *const rels[] = {
		"../outside/secret", "..", "/etc/passwd", "a//b", "simple/",
		"./wheels.html", "simple/./index.html", "simple/..", "/",
	};
	struct scratch *s = *state;

	for (size_t i = 0; i < N(rels); i++) {
		struct tlc_error err = TLC_ERROR_INIT;

		assert_int_equal(tlc_urlpath_open(s->rootfd, rels[i], O_RDONLY,
						  &err), TLC_EPOLICY);
		assert_non_null(strstr(err.msg, "not a plain relative path"));
		assert_false(rel_ok(rels[i]));
	}
}

/* A file moved out of the root keeps its fd, but a path cannot follow
 * it; and openat2 really is in use where the kernel has it. */
static void test_urlpath__open_uses_openat2(void **state)
{
	struct scratch *s = *state;
	int fd = openat2_beneath(s->rootfd, "link-in", O_RDONLY);

	(void)state;
	if (fd < 0 && errno == ENOSYS) {
		print_message("openat2 missing: only the walk is tested\n");
		return;
	}
	assert_int_equal(fd, -1);
	assert_int_equal(errno, ELOOP);
	/* RESOLVE_BENEATH alone would refuse ".." out: EXDEV */
	fd = openat2_beneath(s->rootfd, "../outside/secret", O_RDONLY);
	assert_int_equal(fd, -1);
	assert_int_equal(errno, EXDEV);
	{
		struct tlc_error err = TLC_ERROR_INIT;

		assert_int_equal(open_errno(EXDEV, "x", &err), TLC_EPOLICY);
		assert_string_equal(err.msg,
				    "'x' leads outside the repository");
		assert_int_equal(open_errno(EACCES, "x", &err), TLC_EIO);
		assert_non_null(strstr(err.msg, "cannot open 'x': "));
		assert_int_equal(open_errno(ENAMETOOLONG, "x", &err),
				 TLC_ETOOBIG);
	}
}

static void test_urlpath__open_serve(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct stat st;
	int fd;

	fd = tlc_urlpath_open_serve(s->rootfd, "wheels.html", &st, &err);
	assert_true(fd >= 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 20);
	assert_int_equal(fcntl(fd, F_GETFL) & (O_NONBLOCK | O_ACCMODE),
			 O_RDONLY);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_fd_holds(fd, "<html>wheels</html>\n");
	close(fd);

	fd = tlc_urlpath_open_serve(s->rootfd, "simple", &st, &err);
	assert_true(fd >= 0);
	assert_true(S_ISDIR(st.st_mode));
	close(fd);
	fd = tlc_urlpath_open_serve(s->rootfd, "", NULL, &err);
	assert_true(fd >= 0);
	close(fd);

	assert_int_equal(tlc_urlpath_open_serve(s->rootfd, "link-in", &st,
						&err), TLC_EPOLICY);
	assert_non_null(strstr(err.msg, "symlink"));
	assert_int_equal(tlc_urlpath_open_serve(s->rootfd, "nope", &st, &err),
			 TLC_ENOTFOUND);
	assert_int_equal(tlc_urlpath_open_serve(s->rootfd, "../outside/secret",
						&st, &err), TLC_EPOLICY);
}

/* A fifo is refused, and at once: opening it for reading would block
 * until a writer came (the alarm turns a hang into a failure). */
static void test_urlpath__open_serve_refuses_fifo(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct stat st;

	alarm(10);
	assert_int_equal(tlc_urlpath_open_serve(s->rootfd, "fifo", &st, &err),
			 TLC_EPOLICY);
	alarm(0);
	assert_string_equal(err.msg,
			    "'fifo' is not a regular file or directory");
}

static void test_urlpath__open_serve_refuses_socket_and_device(void **st_)
{
	struct scratch *s = *st_;
	struct tlc_error err = TLC_ERROR_INIT;
	char p[PATH_MAX * 2];
	struct stat st;

	if (fstatat(s->rootfd, "sock", &st, AT_SYMLINK_NOFOLLOW) == 0) {
		assert_true(S_ISSOCK(st.st_mode));
		assert_int_equal(tlc_urlpath_open_serve(s->rootfd, "sock", &st,
							&err), TLC_EPOLICY);
		assert_non_null(strstr(err.msg, "not a regular file"));
	}
	/* /dev/null's numbers; only root may make it */
	snprintf(p, sizeof(p), "%s/null", s->root);
	if (mknod(p, S_IFCHR | 0666, makedev(1, 3)) < 0) {
		print_message("cannot make a device node (%s): skipped\n",
			      strerror(errno));
		return;
	}
	assert_int_equal(tlc_urlpath_open_serve(s->rootfd, "null", &st, &err),
			 TLC_EPOLICY);
	assert_string_equal(err.msg,
			    "'null' is not a regular file or directory");
}

/* The decoder and the opener together, on targets from the corpus. */
static void test_urlpath__decode_then_open(void **state)
{
	static const struct {
		const char *target;
		int code;
	} cases[] = {
		{ "/wheels.html", 0 },
		{ "/simple/", 0 },
		{ "/files/p/x%2ewhl", 0 },
		{ "/", 0 },
		{ "/%2e%2e/outside/secret", TLC_EPOLICY },
		{ "/link-out/secret", TLC_EPOLICY },
		{ "/abs-out", TLC_EPOLICY },
		{ "/simple/up/wheels.html", TLC_EPOLICY },
		{ "/.tlcpack/lock", TLC_EPOLICY },
		{ "/fifo", TLC_EPOLICY },
		{ "/nothing", TLC_ENOTFOUND },
	};
	struct scratch *s = *state;

	alarm(10);
	for (size_t i = 0; i < N(cases); i++) {
		struct tlc_buf rel = TLC_BUF_INIT;
		struct tlc_error err = TLC_ERROR_INIT;
		bool dir;
		int rc = decode(&rel, &dir, cases[i].target, &err);

		if (rc == 0) {
			rc = tlc_urlpath_open_serve(s->rootfd, rel.ptr, NULL,
						    &err);
			if (rc >= 0) {
				close(rc);
				rc = 0;
			}
		}
		if (rc != cases[i].code)
			fail_msg("'%s' gave %d (%s), not %d", cases[i].target,
				 rc, err.msg, cases[i].code);
		tlc_buf_release(&rel);
	}
	alarm(0);
}

#define T(f) cmocka_unit_test(f)
#define R(f) cmocka_unit_test_setup_teardown(f, setup_repo, teardown_repo)
#define W(f) cmocka_unit_test_setup_teardown(f, setup_repo_walk, \
					     teardown_repo)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_urlpath__decode_good),
		T(test_urlpath__decode_bad),
		T(test_urlpath__decode_message_quotes),
		T(test_urlpath__decode_every_byte),
		T(test_urlpath__decode_long),
		T(test_urlpath__decode_appends),
		R(test_urlpath__open),
		W(test_urlpath__open),
		R(test_urlpath__open_reads_the_file),
		W(test_urlpath__open_reads_the_file),
		R(test_urlpath__open_refuses_bad_rel),
		R(test_urlpath__open_uses_openat2),
		R(test_urlpath__open_serve),
		R(test_urlpath__open_serve_refuses_fifo),
		R(test_urlpath__open_serve_refuses_socket_and_device),
		R(test_urlpath__decode_then_open),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
