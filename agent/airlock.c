// SPDX-License-Identifier: Apache-2.0
/*
 * airlock: the command-line client.  Global options come before the subcommand;
 * each subcommand parses its own.
 *
 * Built twice.  The program users run (AIRLOCK_CLI_FRONT) holds the commands that only
 * talk to airlockd -- status, pending, approve, deny, watch -- and links nothing but
 * libjansson: an approval is a human waiting, and a process that loads the daemon's
 * libraries (libbpf, libseccomp, libhs and its C++ runtime, libcrypto, libsystemd and
 * theirs: twenty objects) spends 2-3 ms in the dynamic linker before main().  The other
 * commands run the full build of this file, installed as libexec/airlock/airlock, with
 * the same arguments.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_client.h"
#include "cli.h"
#include "log.h"

#ifdef AIRLOCK_CLI_FRONT
/* In the front program, a command of the full one */
#define FULL(fn) NULL
#else
#define FULL(fn) fn
#endif

/* Each subcommand adds its line here when its cmd_<name>.c lands. */
static const struct cli_command commands[] = {
	{ "run", FULL(cmd_run), "run a command under airlock" },
	{ "status", cmd_status, "show airlockd, its policy, layers and sessions" },
	{ "pending", cmd_pending, "list the actions waiting for a decision" },
	{ "approve", cmd_approve, "let a pending action go ahead" },
	{ "deny", cmd_deny, "refuse a pending action" },
	{ "watch", cmd_watch, "follow asks and decisions as they happen" },
	{ "policy", FULL(cmd_policy), "check, show and test policy files" },
	{ "audit", FULL(cmd_audit), "verify the audit log's hash chain" },
	{ "redact", FULL(cmd_redact), "mask secrets and personal data (stdin to stdout)" },
	{ NULL, NULL, NULL },
};

/*
 * Run the full program with this one's arguments.  It is found next to this program's own
 * file, never by $PATH: libexec/airlock in a build tree (build/airlock,
 * build/libexec/airlock), ../libexec/airlock/airlock once installed (PREFIX/bin/airlock,
 * PREFIX/libexec/airlock/airlock).  Returns only on failure.
 */
static int run_full(const char *cmd, char **argv)
{
	static const char *const rel[] = { "libexec/airlock", "../libexec/airlock/airlock" };
	char self[PATH_MAX], full[PATH_MAX + 64];
	ssize_t n;
	char *slash;
	int err = ENOENT;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0) {
		fprintf(stderr, "airlock: cannot find this program's file: %s\n", strerror(errno));
		return 127;
	}
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash)
		slash[1] = '\0';
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(full, sizeof(full), "%s%s", self, rel[i]);
		execv(full, argv);
		if (errno != ENOENT && errno != ENOTDIR)
			err = errno;
	}
	fprintf(stderr,
		"airlock: cannot run '%s': the full airlock program is not at %slibexec/airlock "
		"or %s../libexec/airlock/airlock: %s (an incomplete installation?)\n",
		cmd, self, self, strerror(err));
	return 127;
}

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

			if (!c->fn)
				return run_full(c->name, argv);
			optind = 0; /* glibc: 0 re-initialises getopt for the subcommand */
			return c->fn(&g, argc - first, argv + first);
		}
	}
	fprintf(stderr, "airlock: unknown command '%s' (see 'airlock --help')\n", argv[optind]);
	return 2;
}
