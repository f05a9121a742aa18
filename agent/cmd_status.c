// SPDX-License-Identifier: Apache-2.0
/* airlock status: the daemon, its policy and layers, the sessions. */
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
		"usage: airlock status [--json]\n"
		"\n"
		"Show airlockd's state: its pid and uptime, the policy in force, which\n"
		"enforcement and observation layers are active on this kernel, and the sessions\n"
		"with their counters (processes forked, programs executed, gated calls asked,\n"
		"allowed and denied) and how many of their asks are pending.\n"
		"\n"
		"Root and members of the approvers' group see every session; other users see\n"
		"their own.\n"
		"\n"
		"options:\n"
		"  --json      the daemon's answer as one JSON object (fields in docs/api.md)\n"
		"  -h, --help  this help\n"
		"\n"
		"exit status: 0 ok, 1 airlockd cannot be reached or refused, 2 usage error\n");
}

int cmd_status(const struct cli_global *g, int argc, char **argv)
{
	json_t *req, *res = NULL, *daemon, *v, *s, *argvj;
	bool as_json = false;
	uint64_t now = now_real_ms(), started;
	char up[32], age[32];
	size_t i, j;
	int r;

	r = cli_parse_json_only(argc, argv, "status", usage, &as_json);
	if (r >= 0)
		return r;
	req = json_pack("{s:s}", "op", "status");
	r = cli_request(g, "status", req, &res, NULL);
	json_decref(req);
	if (r)
		return r;
	if (as_json) {
		cli_print_json(stdout, res);
		json_decref(res);
		return 0;
	}
	daemon = json_object_get(res, "daemon");
	started = (uint64_t)json_integer_value(json_object_get(daemon, "started"));
	cli_format_duration(now > started ? now - started : 0, up, sizeof(up));
	printf("airlockd: pid %lld, up %s\n", json_integer_value(json_object_get(daemon, "pid")),
	       up);
	printf("policy:   %s\n",
	       json_string_value(json_object_get(json_object_get(res, "policy"), "source")) ?: "?");
	printf("audit:    %s", json_string_value(json_object_get(daemon, "audit_log")) ?: "?");
	if (json_integer_value(json_object_get(daemon, "audit_errors")) > 0)
		printf(" (%lld records could not be written: see airlockd's log)",
		       json_integer_value(json_object_get(daemon, "audit_errors")));
	printf("\n");
	printf("layers:\n");
	json_array_foreach(json_object_get(res, "layers"), i, v)
	{
		printf("  %s\n", json_string_value(v));
	}
	printf("sessions: %zu, pending asks: %lld\n",
	       json_array_size(json_object_get(res, "sessions")),
	       json_integer_value(json_object_get(res, "pending")));
	if (json_array_size(json_object_get(res, "sessions")) == 0)
		goto out;
	printf("  %-5s %-10s %-7s %-7s %-6s %-6s %-8s %-15s %s\n", "ID", "USER", "PID", "AGE",
	       "FORKS", "EXECS", "PENDING", "ASK/ALLOW/DENY", "COMMAND");
	json_array_foreach(json_object_get(res, "sessions"), i, s)
	{
		json_t *c = json_object_get(s, "counters"), *dcs = json_object_get(s, "decisions");
		uint64_t created = (uint64_t)json_integer_value(json_object_get(s, "created"));
		char cmd[256] = "", forks[24] = "-", execs[24] = "-", dec[48];
		size_t pos = 0;

		cli_format_duration(now > created ? now - created : 0, age, sizeof(age));
		argvj = json_object_get(s, "argv");
		json_array_foreach(argvj, j, v)
		{
			int n = snprintf(cmd + pos, sizeof(cmd) - pos, "%s%s", j ? " " : "",
					 json_string_value(v) ?: "");

			if (n < 0 || (size_t)n >= sizeof(cmd) - pos)
				break;
			pos += (size_t)n;
		}
		if (c) {
			snprintf(forks, sizeof(forks), "%lld",
				 json_integer_value(json_object_get(c, "forks")));
			snprintf(execs, sizeof(execs), "%lld",
				 json_integer_value(json_object_get(c, "execs")));
		}
		snprintf(dec, sizeof(dec), "%lld/%lld/%lld",
			 json_integer_value(json_object_get(dcs, "asks")),
			 json_integer_value(json_object_get(dcs, "allowed")),
			 json_integer_value(json_object_get(dcs, "denied")));
		printf("  %-5lld %-10s %-7lld %-7s %-6s %-6s %-8lld %-15s %s\n",
		       json_integer_value(json_object_get(s, "id")),
		       json_string_value(json_object_get(s, "user")) ?: "?",
		       json_integer_value(json_object_get(s, "pid")), age, forks, execs,
		       json_integer_value(json_object_get(s, "pending")), dec, cmd);
	}
out:
	json_decref(res);
	return 0;
}
