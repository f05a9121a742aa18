// SPDX-License-Identifier: Apache-2.0
/* airlock pending: the asks waiting for a decision. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "cli.h"
#include "cli_api.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: airlock pending [--json]\n"
		"\n"
		"List the gated actions that wait for a human decision.  Each one is a thread\n"
		"blocked in the kernel until 'airlock approve ID' or 'airlock deny ID', or until\n"
		"its deadline, when the rule's on_timeout applies.\n"
		"\n"
		"Root and members of the approvers' group see every session's asks; other users\n"
		"see the asks of their own sessions.\n"
		"\n"
		"columns:\n"
		"  ID       what to pass to approve / deny\n"
		"  SESSION  the session (see 'airlock status')\n"
		"  PID      the process that made the call\n"
		"  OP       operation class: exec, write, read, delete, connect ...\n"
		"  WHAT     the command line, path(s) or address\n"
		"  RULE     the policy rule that asked\n"
		"  AGE      how long it has waited\n"
		"  EXPIRES  time left, and what happens then\n"
		"\n"
		"options:\n"
		"  --json      one JSON object per ask, one per line (fields in docs/api.md)\n"
		"  -h, --help  this help\n"
		"\n"
		"exit status: 0 ok, 1 error, 2 usage error\n");
}

int cmd_pending(const struct cli_global *g, int argc, char **argv)
{
	json_t *req, *res = NULL, *list, *a;
	bool as_json = false;
	uint64_t now = now_real_ms();
	size_t i;
	int r;

	r = cli_parse_json_only(argc, argv, "pending", usage, &as_json);
	if (r >= 0)
		return r;
	req = json_pack("{s:s}", "op", "pending");
	r = cli_request(g, "pending", req, &res, NULL);
	json_decref(req);
	if (r)
		return r;
	list = json_object_get(res, "pending");
	if (as_json) {
		json_array_foreach(list, i, a)
		{
			cli_print_json(stdout, a);
		}
		json_decref(res);
		return 0;
	}
	if (json_array_size(list) == 0) {
		printf("no pending requests\n");
		json_decref(res);
		return 0;
	}
	printf("%-5s %-7s %-7s %-9s %-40s %-14s %-6s %s\n", "ID", "SESSION", "PID", "OP", "WHAT",
	       "RULE", "AGE", "EXPIRES");
	json_array_foreach(list, i, a)
	{
		char what[256], age[32], left[32];
		uint64_t since = (uint64_t)json_integer_value(json_object_get(a, "since"));
		uint64_t exp = (uint64_t)json_integer_value(json_object_get(a, "expires"));
		const char *ot = json_string_value(json_object_get(a, "on_timeout"));

		cli_format_what(a, what, sizeof(what));
		if (strlen(what) > 40)
			strcpy(what + 37, "...");
		cli_format_duration(now > since ? now - since : 0, age, sizeof(age));
		cli_format_duration(exp > now ? exp - now : 0, left, sizeof(left));
		printf("%-5lld %-7lld %-7lld %-9s %-40s %-14s %-6s in %s, then %s\n",
		       json_integer_value(json_object_get(a, "id")),
		       json_integer_value(json_object_get(a, "session")),
		       json_integer_value(json_object_get(a, "pid")),
		       json_string_value(json_object_get(a, "op")) ?: "?", what,
		       json_string_value(json_object_get(a, "rule")) ?: "-", age, left,
		       ot ? ot : "deny");
	}
	json_decref(res);
	return 0;
}
