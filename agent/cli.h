/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `airlock` CLI: one function per subcommand, each in agent/cmd_<name>.c, each
 * parsing its own options (getopt_long, with --help) from argv[0] = "<name>".  They
 * return the process exit status (0 ok, 1 failure, 2 usage error) -- except cmd_run,
 * which returns the command's own status.
 */
#ifndef AIRLOCK_CLI_H
#define AIRLOCK_CLI_H

struct cli_global {
	const char *runtime_dir; /* resolved: --runtime-dir, $AIRLOCK_RUNTIME_DIR, /run/airlock */
	int verbose;
};

typedef int (*cli_cmd_fn)(const struct cli_global *g, int argc, char **argv);

struct cli_command {
	const char *name;
	cli_cmd_fn fn;
	const char *summary;
};

int cmd_run(const struct cli_global *g, int argc, char **argv);
int cmd_status(const struct cli_global *g, int argc, char **argv);
int cmd_pending(const struct cli_global *g, int argc, char **argv);
int cmd_approve(const struct cli_global *g, int argc, char **argv);
int cmd_deny(const struct cli_global *g, int argc, char **argv);
int cmd_watch(const struct cli_global *g, int argc, char **argv);
int cmd_policy(const struct cli_global *g, int argc, char **argv);
int cmd_audit(const struct cli_global *g, int argc, char **argv);
int cmd_redact(const struct cli_global *g, int argc, char **argv);

#endif
