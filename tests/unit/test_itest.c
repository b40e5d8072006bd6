/*
 * Install tests, the parts that need no venv: the helpers that pick the
 * libraries to load and build the index URL (itest.c's statics, included
 * here), and the errors tlc_itest_run() gives before it makes anything.
 * The cases under tests/cli/test run the whole of it with real pip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/lib/itest.c"

static void test_itest__so_names(void **state)
{
	static const struct {
		const char *member;
		bool so;
	} cases[] = {
		{ "pkg/libfoo.so", true },
		{ "pkg/libfoo.so.1", true },
		{ "pkg/libfoo.so.1.2.3", true },
		{ "pkg/_ext.cpython-311-x86_64-linux-gnu.so", true },
		{ "x.libs/libgomp-0123abcd.so.1", true },
		{ "libtop.so", true },
		{ "pkg/foo.py", false },
		{ "pkg/libfoo.sox", false },
		{ "pkg/so/readme", false },
		{ "pkg/libfoo.a", false },
		{ "pkg.so/data", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (is_so_name(cases[i].member) != cases[i].so)
			fail_msg("is_so_name('%s') is not %d", cases[i].member,
				 cases[i].so);
}

static void test_itest__libs_dir(void **state)
{
	(void)state;
	assert_true(in_libs_dir("tlcpack_example.libs/libgomp-12345678.so.1"));
	assert_true(in_libs_dir("x.libs/licence"));
	assert_false(in_libs_dir(".libs/lib.so"));	/* no package name */
	assert_false(in_libs_dir("pkg/x.libs/lib.so"));	/* not top level */
	assert_false(in_libs_dir("tlcpack_example.libs"));
	assert_false(in_libs_dir("pkg/lib.so"));
}

static void test_itest__cuda_variant(void **state)
{
	(void)state;
	assert_true(cuda_variant("cu130"));
	assert_true(cuda_variant("cu121"));
	assert_false(cuda_variant("cpu"));
	assert_false(cuda_variant("cuda"));	/* a name, not cu<digits> */
	assert_false(cuda_variant("cu"));
	assert_false(cuda_variant(""));
	assert_false(cuda_variant(NULL));
}

static void test_itest__url_path(void **state)
{
	struct tlc_buf b = TLC_BUF_INIT;

	(void)state;
	assert_int_equal(put_url_path(&b, "/tmp/a b/r%p#q?x/ü~-._"), 0);
	assert_string_equal(b.ptr, "/tmp/a%20b/r%25p%23q%3Fx/%C3%BC~-._");
	tlc_buf_release(&b);
}

static void test_itest__result_names(void **state)
{
	(void)state;
	assert_string_equal(tlc_itest_result_name(TLC_ITEST_PASS), "pass");
	assert_string_equal(tlc_itest_result_name(TLC_ITEST_FAIL), "FAIL");
	assert_string_equal(tlc_itest_result_name(TLC_ITEST_PASS_NO_GPU),
			    "pass (no GPU)");
	assert_string_equal(tlc_itest_result_name(TLC_ITEST_ERROR), "error");
}

/* A missing interpreter is an error, found before anything is made. */
static void test_itest__missing_python(void **state)
{
	struct tlc_itest_opts o = TLC_ITEST_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	enum tlc_itest_result res = TLC_ITEST_PASS;
	char dir[] = "/tmp/tlc-test-itest.XXXXXX";
	char work[64];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(work, sizeof(work), "%s/work", dir);
	o.wheel = "/nonexistent/x-1.0-py3-none-any.whl";
	o.index = dir;
	o.work_dir = work;
	o.python = "python3.99-tlc-test";
	assert_int_equal(tlc_itest_run(&o, &res, &err), TLC_ENOTFOUND);
	assert_int_equal(res, TLC_ITEST_ERROR);
	assert_string_equal(err.msg,
			    "python 'python3.99-tlc-test' not found");
	assert_int_equal(access(work, F_OK), -1);	/* nothing made */

	/* the wheel is read before the work directory is made */
	o.python = "sh";
	err = (struct tlc_error)TLC_ERROR_INIT;
	assert_int_equal(tlc_itest_run(&o, &res, &err), TLC_ENOTFOUND);
	assert_int_equal(res, TLC_ITEST_ERROR);
	assert_int_equal(access(work, F_OK), -1);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_itest__so_names),
		cmocka_unit_test(test_itest__libs_dir),
		cmocka_unit_test(test_itest__cuda_variant),
		cmocka_unit_test(test_itest__url_path),
		cmocka_unit_test(test_itest__result_names),
		cmocka_unit_test(test_itest__missing_python),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
