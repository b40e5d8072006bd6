/*
 * tlcpack serve: runs in tlcpack-http (src/http/cmd_serve.c).
 */
#include "cli.h"
#include "cmd.h"

int cmd_serve(int argc, char **argv)
{
	return cli_exec_http("serve", argc, argv);
}
