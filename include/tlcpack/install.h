/*
 * Installing wheels into a root file system that is not ours: the tree of
 * a new image layer, for the Python of a base image.
 *
 * The install follows the PyPA binary distribution format spec
 * (https://packaging.python.org/en/latest/specifications/
 * binary-distribution-format/, PEP 427, PEP 491) and "Recording installed
 * projects" (https://packaging.python.org/en/latest/specifications/
 * recording-installed-packages/, PEP 376), and writes what
 * `pip install --no-compile --no-deps --root` writes, byte for byte,
 * with these differences (docs/image.md, tests/cli/install/):
 *
 * - no .pyc files: nothing is byte-compiled (pip compiles by default).
 *   An image's Python compiles on first import where it can write, or
 *   not at all; the layer stays reproducible without them;
 * - INSTALLER says "tlcpack"; REQUESTED is written (the wheels were
 *   asked for by name, as pip's requested ones are); no direct_url.json
 *   (PEP 610), which would name a path on the build machine;
 * - modes do not depend on the umask: files 0644, or 0755 when the zip
 *   gives any execute bit and for every script (pip keeps a .data/scripts
 *   file that has no execute bit 0644); directories 0755;
 * - refused where pip is lenient: members of a ".data" directory other
 *   than the wheel's own, a ".data" key other than purelib, platlib,
 *   scripts, headers and data, two members that land on the same path
 *   (or one on a directory of another), entry point names that are not
 *   file names ([A-Za-z0-9_.+-], not starting with '.' or '-'), one name
 *   in both console_scripts and gui_scripts;
 * - a .data/scripts file that pip skips because an entry point of the
 *   same name replaces it leaves no RECORD line (pip keeps its old one).
 *
 * Everything is checked before the first byte is written: a refused
 * wheel leaves @dest_root as it was.  Same inputs, same bytes and modes.
 */
#ifndef TLC_INSTALL_H
#define TLC_INSTALL_H

#include "error.h"

/*
 * Where a Python installs what it is given: the paths pip uses for a
 * system-wide install (pip/_internal/locations/_sysconfig.py: the
 * "prefix" scheme that sysconfig.get_preferred_scheme() names; Debian's
 * Python patches in "posix_local", so /usr/local/lib/python3.X/
 * dist-packages).  Every path is absolute and normalized (no ".", ".."
 * or empty component), inside the image.  The strings are owned by the
 * struct: tlc_install_scheme_release() frees them.
 */
struct tlc_install_scheme {
	char *purelib, *platlib, *scripts, *data;
	char *headers;		/* sysconfig's "include": a wheel's headers
				 * go to headers/<Name from METADATA>, as
				 * pip puts them */
	char *python;		/* the interpreter, for script shebangs:
				 * "/usr/bin/python3" (its sys.executable) */
	char *version;		/* "3.11", for the wheel's tags check */
	char *platform;		/* sysconfig.get_platform(), "linux-x86_64";
				 * NULL when unknown: platform tags are then
				 * not checked */
};

#define TLC_INSTALL_SCHEME_INIT { NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
				  NULL }

/**
 * Ask the base's own interpreter for its install scheme.  The first of
 * usr/local/bin/python3, usr/bin/python3, bin/python3 (symlinks resolved
 * inside @rootfs) is run confined to @rootfs: `chroot ROOTFS PY -I -c
 * ...` when running as root, else `unshare -r chroot ROOTFS PY -I -c
 * ...` (an unprivileged user namespace).  Only when it cannot run there
 * (no chroot or user namespaces, another architecture) is the scheme
 * derived from the layout (python3.X and its directories), and @note
 * says so.
 *
 * @param[out] s     filled on success (release with
 *                   tlc_install_scheme_release()); all NULL on failure
 * @param[out] note  NULL when the interpreter answered, else a borrowed
 *                   static line saying how the scheme was guessed
 * @return 0, TLC_ENOTFOUND (no python3 in @rootfs), TLC_EPOLICY (the
 *         interpreter's answer is malformed: a relative path, "..", a
 *         newline), TLC_ETOOBIG, TLC_EIO, TLC_ENOMEM
 */
int tlc_install_scheme_detect(struct tlc_install_scheme *s, const char *rootfs,
			      const char **note, struct tlc_error *err);

/** Free @s's strings and set them to NULL. */
void tlc_install_scheme_release(struct tlc_install_scheme *s);

/**
 * Install the wheel at @wheel under @dest_root (a directory: the new
 * layer's tree, each scheme path below it).  First every check, writing
 * nothing: tlc_repo_validate() (the zip's structure and every member
 * against its RECORD hash and size), the scheme's paths, the wheel's
 * tags against s->version and s->platform (CPython tags: py3, py3X,
 * cp3X with none, abi3 or cp3X; any, or a linux/manylinux/musllinux tag
 * of the same machine; the glibc version is not checked), the
 * destination of every member, entry_points.txt.  Then:
 *
 * - members of the root go to purelib or platlib (WHEEL's
 *   Root-Is-Purelib); <name>-<version>.data/<key>/... to the scheme's
 *   <key> path (headers: headers/<Name>);
 * - scripts whose first line starts with "#!python" get "#!" s->python
 *   as their first line (pip's fix_script);
 * - console_scripts and gui_scripts entry points become the launcher
 *   scripts pip (distlib) writes, mode 0755;
 * - .dist-info/INSTALLER ("tlcpack"), REQUESTED (empty) and RECORD: the
 *   installed paths relative to the directory holding the .dist-info,
 *   with the SHA-256 and size of the bytes installed, RECORD's own line
 *   without either; sorted, CSV with CRLF line ends, as pip writes it.
 *
 * Existing regular files at the destinations are replaced; existing
 * directories are used if they are directories (never symlinks).  After
 * the checks pass, only an I/O error (or a wheel changed while being
 * installed, whose member then no longer matches RECORD) can stop the
 * install half-way.
 *
 * @return 0, TLC_EPOLICY (one line naming the wheel and the rule
 *         broken), TLC_ENOTFOUND, TLC_EIO, TLC_ETOOBIG, TLC_ENOMEM
 */
int tlc_install_wheel(const char *wheel, const char *dest_root,
		      const struct tlc_install_scheme *s, struct tlc_error *err);

#endif
