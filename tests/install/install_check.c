/*
 * install_check: tlc_install_scheme_detect() and tlc_install_wheel() for
 * the shell tests (tests/cli/install/).
 *
 *   install_check detect ROOTFS
 *	print the scheme ("purelib /usr/local/...", one field a line) and,
 *	when it was derived from the layout, "note ..."
 *   install_check install ROOTFS DEST WHEEL...
 *	detect ROOTFS's scheme, then install each WHEEL under DEST
 *
 * A failure prints the library's one-line message to stderr and exits 1.
 */
#include <stdio.h>
#include <string.h>

#include "tlcpack/error.h"
#include "tlcpack/install.h"

static int fail(const struct tlc_error *err)
{
	fprintf(stderr, "install_check: %s\n", err->msg);
	return 1;
}

int main(int argc, char **argv)
{
	struct tlc_install_scheme s = TLC_INSTALL_SCHEME_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	const char *note = NULL;
	int rc = 0;

	if (argc < 3 || (strcmp(argv[1], "detect") &&
			 (strcmp(argv[1], "install") || argc < 5))) {
		fprintf(stderr, "usage: install_check detect ROOTFS\n"
			"       install_check install ROOTFS DEST WHEEL...\n");
		return 129;
	}
	if (tlc_install_scheme_detect(&s, argv[2], &note, &err) < 0)
		return fail(&err);
	if (!strcmp(argv[1], "detect")) {
		printf("purelib %s\nplatlib %s\nscripts %s\ndata %s\n"
		       "headers %s\npython %s\nversion %s\nplatform %s\n",
		       s.purelib, s.platlib, s.scripts, s.data, s.headers,
		       s.python, s.version, s.platform ? s.platform : "-");
		if (note)
			printf("note %s\n", note);
	} else {
		for (int i = 4; i < argc && !rc; i++)
			if (tlc_install_wheel(argv[i], argv[3], &s, &err) < 0)
				rc = fail(&err);
	}
	tlc_install_scheme_release(&s);
	return rc;
}
