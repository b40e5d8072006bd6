/*
 * The commands of tlcpack-http, the helper that tlcpack(1) execs for
 * everything that speaks HTTP.  argv[0] is the command's name.
 */
#ifndef HTTP_CMD_H
#define HTTP_CMD_H

int cmd_serve(int argc, char **argv);
int cmd_upload(int argc, char **argv);
int cmd_prune_remote(int argc, char **argv);

#endif
