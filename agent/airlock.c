// SPDX-License-Identifier: Apache-2.0
/*
 * airlock: the command-line client.  Global options come before the subcommand;
 * each subcommand parses its own.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_client.h"
#include "cli.h"
#include "log.h"

/* Each subcommand adds its line here when its cmd_<name>.c lands. */
static const struct cli_command commands[] = {
	{ "run", cmd_run, "run a command under airlock" },
	{ "status", cmd_status, "show airlockd, its policy, layers and sessions" },
	{ "pending", cmd_pending, "list the actions waiting for a decision" },
	{ "approve", cmd_approve, "let a pending action go ahead" },
	{ "deny", cmd_deny, "refuse a pending action" },
	{ "watch", cmd_watch, "follow asks and decisions as they happen" },
	{ "policy", cmd_policy, "check, show and test policy files" },
	{ "audit", cmd_audit, "verify the audit log's hash chain" },
	{ "redact", cmd_redact, "mask secrets and personal data (stdin to stdout)" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	const struct cli_command *c;

	fprintf(f, "usage: airlock [--runtime-dir DIR] [-v] COMMAND [ARGS...]\n\n"
		   "Gate, approve and audit the privileged actions of AI-agent processes.\n\n"
		   "commands:\n");
	for (c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f,
		"\noptions:\n"
		"  --runtime-dir DIR  airlockd's runtime directory (default $AIRLOCK_RUNTIME_DIR,\n"
		"                     else /run/airlock)\n"
		"  -v, --verbose      more messages\n"
		"  -h, --help         this help; 'airlock COMMAND --help' for a command\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "runtime-dir", required_argument, NULL, 'R' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_global g = { 0 };
	const char *rdir = NULL;
	const struct cli_command *c;
	int opt;

	log_set_ident("airlock");
	/* '+' stops at the first non-option: the subcommand owns the rest. */
	while ((opt = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'R':
			rdir = optarg;
			break;
		case 'v':
			g.verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	g.runtime_dir = runtime_dir_resolve(rdir);
	if (g.verbose)
		log_set_level(LOG_LVL_DEBUG);

	for (c = commands; c->name; c++) {
		if (strcmp(c->name, argv[optind]) == 0) {
			int first = optind;

			optind = 0; /* glibc: 0 re-initialises getopt for the subcommand */
			return c->fn(&g, argc - first, argv + first);
		}
	}
	fprintf(stderr, "airlock: unknown command '%s' (see 'airlock --help')\n", argv[optind]);
	return 2;
}
