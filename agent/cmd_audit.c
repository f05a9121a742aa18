// SPDX-License-Identifier: Apache-2.0
/*
 * airlock audit verify FILE...: walk each file's hash chain and name the first broken
 * line.  Works offline, on a copy, without airlockd.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "cli.h"

static void audit_usage(FILE *f)
{
	fprintf(f,
		"usage: airlock audit verify FILE...\n"
		"\n"
		"Check the hash chain of airlockd's audit log (JSON lines, default\n"
		"/var/log/airlock/audit.jsonl).  Each line carries 'prev', the SHA-256 of the\n"
		"line before it, and 'seq', one more than the line before; the first line\n"
		"carries 64 zeros and seq 1.\n"
		"\n"
		"For each FILE prints either\n"
		"  FILE: ok, N records\n"
		"or, at the first line where the chain does not hold,\n"
		"  FILE:LINE: chain broken: REASON\n"
		"\n"
		"A line altered in place usually shows at the line after it, whose 'prev' no\n"
		"longer matches; a removed or reordered line shows where the order breaks.  The\n"
		"chain cannot show lines removed from the end, nor an altered last line that is\n"
		"still valid JSON: compare the last 'prev' with a copy kept elsewhere.\n"
		"\n"
		"options:\n"
		"  -h, --help   this help\n"
		"\n"
		"exit status: 0 every chain holds, 1 a chain is broken or a file cannot be read,\n"
		"2 usage error.\n");
}

static int audit_verify_one(const char *path)
{
	unsigned long lines = 0, bad = 0;
	char why[256] = "";
	int r;

	r = audit_verify_file(path, &lines, &bad, why, sizeof(why));
	if (r == -EBADMSG) {
		printf("%s:%lu: chain broken: %s\n", path, bad, why);
		return 1;
	}
	if (r < 0) {
		fprintf(stderr, "airlock: cannot read '%s': %s\n", path, strerror(-r));
		return 1;
	}
	printf("%s: ok, %lu record%s\n", path, lines, lines == 1 ? "" : "s");
	return 0;
}

int cmd_audit(const struct cli_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, i, status = 0;

	(void)g;
	/* '+': options of 'verify' are parsed below, after the subcommand. */
	while ((opt = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			audit_usage(stdout);
			return 0;
		default:
			audit_usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "airlock audit: missing subcommand (see 'airlock audit --help')\n");
		return 2;
	}
	if (strcmp(argv[optind], "verify") != 0) {
		fprintf(stderr,
			"airlock audit: unknown subcommand '%s' (see 'airlock audit --help')\n",
			argv[optind]);
		return 2;
	}
	argc -= optind;
	argv += optind;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			audit_usage(stdout);
			return 0;
		default:
			audit_usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr,
			"airlock audit verify: missing FILE (see 'airlock audit --help')\n");
		return 2;
	}
	for (i = optind; i < argc; i++)
		if (audit_verify_one(argv[i]) != 0)
			status = 1;
	return status;
}
