/*
 * The command table.
 *
 * Adding a command (git builtin.h):
 *  1. write src/cli/cmd_<name>.c with a static getopt_long option table,
 *     print_help(), and int cmd_<name>(int argc, char **argv) that parses,
 *     fills the library's opts struct, calls the library, prints, and
 *     cleans up at one out: label;
 *  2. declare cmd_<name> below;
 *  3. add its row to the table in main.c (help and the README table come
 *     from there: `tlcpack help --markdown`);
 *  4. add end-to-end tests under tests/cli/<name>/;
 *  5. document it in README.md.
 */
#ifndef CMD_H
#define CMD_H

struct cli_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

int cmd_build(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_pack(int argc, char **argv);
int cmd_release(int argc, char **argv);
int cmd_repair(int argc, char **argv);
int cmd_publish(int argc, char **argv);
int cmd_index(int argc, char **argv);
int cmd_matrix(int argc, char **argv);
int cmd_prune(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_yank(int argc, char **argv);
int cmd_unyank(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_image(int argc, char **argv);

#endif
