// SPDX-License-Identifier: Apache-2.0
/* airlock approve / airlock deny: decide a pending ask. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approval_scope.h"
#include "cli.h"
#include "cli_api.h"

static void usage_approve(FILE *f)
{
	fprintf(f,
		"usage: airlock approve ID [--scope once|session|DURATION] [--reason TEXT]\n"
		"\n"
		"Let the pending action ID (see 'airlock pending') go ahead: the waiting call is\n"
		"carried out as it was checked, and the decision is written to the audit log\n"
		"with your user name.\n"
		"\n"
		"options:\n"
		"  --scope once       this call only (default)\n"
		"  --scope session    also allow the same action (same rule, same arguments) for\n"
		"                     the rest of this session, without asking\n"
		"  --scope DURATION   the same, for a while: 90s, 10m, 1h, 2d\n"
		"  --reason TEXT      why, for the audit log\n"
		"  -h, --help         this help\n"
		"\n"
		"Only root and members of the approvers' group (airlockd --approvers-group,\n"
		"default 'airlock') may approve, and never from a process inside an airlock\n"
		"session, whatever its uid: an agent must not approve its own actions.\n"
		"\n"
		"exit status: 0 approved, 1 error (no such request, permission denied, the\n"
		"process is gone), 2 usage error\n");
}

static void usage_deny(FILE *f)
{
	fprintf(f,
		"usage: airlock deny ID [--reason TEXT]\n"
		"\n"
		"Refuse the pending action ID (see 'airlock pending'): the waiting call fails\n"
		"with the rule's errno (EPERM unless the rule sets one), and the decision is\n"
		"written to the audit log with your user name.\n"
		"\n"
		"options:\n"
		"  --reason TEXT  why, for the audit log\n"
		"  -h, --help     this help\n"
		"\n"
		"Only root and members of the approvers' group may deny, and never from a process\n"
		"inside an airlock session.\n"
		"\n"
		"exit status: 0 denied, 1 error, 2 usage error\n");
}

static int decide(const struct cli_global *g, int argc, char **argv, bool approve)
{
	static const struct option opts[] = {
		{ "scope", required_argument, NULL, 's' },
		{ "reason", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = approve ? "approve" : "deny";
	const char *scope = NULL, *reason = NULL;
	struct approval_scope sc;
	json_t *req, *res = NULL;
	unsigned long long id;
	char *end;
	int opt, r;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (!approve) {
				fprintf(stderr, "airlock deny: --scope applies to approve only\n");
				return 2;
			}
			scope = optarg;
			break;
		case 'r':
			reason = optarg;
			break;
		case 'h':
			(approve ? usage_approve : usage_deny)(stdout);
			return 0;
		default:
			(approve ? usage_approve : usage_deny)(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		(approve ? usage_approve : usage_deny)(stderr);
		return 2;
	}
	errno = 0;
	id = strtoull(argv[optind], &end, 10);
	if (errno || *end || end == argv[optind] || id == 0 || id > INT64_MAX ||
	    argv[optind][0] == '-') {
		fprintf(stderr, "airlock %s: bad request id '%s'\n", cmd, argv[optind]);
		return 2;
	}
	if (scope && approval_scope_parse(scope, &sc) < 0) {
		fprintf(stderr,
			"airlock approve: bad scope '%s': once, session or a duration like 10m\n",
			scope);
		return 2;
	}
	req = json_pack("{s:s,s:I,s:s?,s:s?}", "op", cmd, "id", (json_int_t)id, "scope", scope,
			"reason", reason);
	r = cli_request(g, cmd, req, &res, NULL);
	json_decref(req);
	if (r)
		return r;
	if (json_is_string(json_object_get(res, "warning")))
		fprintf(stderr, "airlock %s: %s\n", cmd,
			json_string_value(json_object_get(res, "warning")));
	json_decref(res);
	return 0;
}

int cmd_approve(const struct cli_global *g, int argc, char **argv)
{
	return decide(g, argc, argv, true);
}

int cmd_deny(const struct cli_global *g, int argc, char **argv)
{
	return decide(g, argc, argv, false);
}
