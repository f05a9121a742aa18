// SPDX-License-Identifier: Apache-2.0
/* airlock watch: a live stream of asks and decisions. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api_client.h"
#include "clock.h"
#include "cli.h"
#include "cli_api.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: airlock watch [--json]\n"
		"\n"
		"Print the asks and decisions of airlock sessions as they happen, until\n"
		"interrupted (Ctrl-C).  An ask line shows the ID to pass to 'airlock approve' or\n"
		"'airlock deny' from another terminal.\n"
		"\n"
		"Root and members of the approvers' group see every session; other users see\n"
		"their own sessions.\n"
		"\n"
		"options:\n"
		"  --json      the events as JSON objects, one per line: {\"event\":\"ask\",...},\n"
		"              {\"event\":\"decision\",...}, {\"event\":\"session.end\",...}\n"
		"              (fields in docs/api.md)\n"
		"  -h, --help  this help\n"
		"\n"
		"exit status: 0 when interrupted, 1 when airlockd cannot be reached or goes "
		"away\n");
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = 1;
}

static void print_event(const json_t *ev)
{
	const char *kind = json_string_value(json_object_get(ev, "event"));
	json_t *req = json_object_get(ev, "request");
	char what[512], left[32], when[16];
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	if (!kind)
		return;
	if (strcmp(kind, "ask") == 0) {
		uint64_t exp = (uint64_t)json_integer_value(json_object_get(ev, "expires"));
		uint64_t now = now_real_ms();

		cli_format_what(ev, what, sizeof(what));
		cli_format_duration(exp > now ? exp - now : 0, left, sizeof(left));
		printf("%s ask %lld: session %lld pid %lld %s '%s' (rule '%s'), expires in %s\n",
		       when, json_integer_value(json_object_get(ev, "id")),
		       json_integer_value(json_object_get(ev, "session")),
		       json_integer_value(json_object_get(ev, "pid")),
		       json_string_value(json_object_get(ev, "op")) ?: "?", what,
		       json_string_value(json_object_get(ev, "rule")) ?: "-", left);
	} else if (strcmp(kind, "decision") == 0) {
		json_t *by = json_object_get(ev, "decided_by"),
		       *grant = json_object_get(by, "grant");
		const char *reason = json_string_value(json_object_get(ev, "reason"));
		const char *scope = json_string_value(json_object_get(ev, "scope"));
		char who[128];
		json_int_t id = json_integer_value(json_object_get(ev, "id"));

		if (json_is_string(by))
			snprintf(who, sizeof(who), "%s", json_string_value(by));
		else if (grant)
			snprintf(who, sizeof(who), "an earlier approval by %s",
				 json_string_value(json_object_get(grant, "name")) ?: "?");
		else
			snprintf(who, sizeof(who), "%s",
				 json_string_value(json_object_get(by, "name")) ?: "?");
		cli_format_what(req, what, sizeof(what));
		printf("%s %s", when, json_string_value(json_object_get(ev, "decision")) ?: "?");
		if (id)
			printf(" %lld", (long long)id);
		printf(": session %lld %s '%s'", json_integer_value(json_object_get(ev, "session")),
		       json_string_value(json_object_get(ev, "op")) ?: "?", what);
		if (json_is_string(json_object_get(ev, "rule")))
			printf(" (rule '%s')", json_string_value(json_object_get(ev, "rule")));
		printf(" by %s", who);
		if (scope)
			printf(", scope %s", scope);
		if (reason)
			printf(": %s", reason);
		printf("\n");
	} else if (strcmp(kind, "session.end") == 0) {
		printf("%s session %lld ended\n", when,
		       json_integer_value(json_object_get(ev, "session")));
	}
}

int cmd_watch(const struct cli_global *g, int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	json_t *req, *res = NULL, *ev;
	bool as_json = false;
	int r, fd = -1, ret = 1;

	r = cli_parse_json_only(argc, argv, "watch", usage, &as_json);
	if (r >= 0)
		return r;
	/* Lines reach a pipe as they happen, not when a buffer fills. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* No SA_RESTART: the blocking read returns EINTR and the loop ends cleanly. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	req = json_pack("{s:s}", "op", "watch");
	r = cli_request(g, "watch", req, &res, &fd);
	json_decref(req);
	if (r)
		return r;
	json_decref(res);
	while (!interrupted) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		/* api_recv() retries on EINTR; poll() is where a signal ends the watch. */
		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "airlock watch: poll: %s\n", strerror(errno));
			goto out;
		}
		r = api_recv(fd, &ev, 16u << 20);
		if (r == -EINTR || interrupted)
			break;
		if (r < 0) {
			fprintf(stderr, "airlock watch: %s\n",
				r == -ECONNRESET ? "airlockd closed the connection" : strerror(-r));
			goto out;
		}
		if (as_json)
			cli_print_json(stdout, ev);
		else
			print_event(ev);
		json_decref(ev);
	}
	ret = 0;
out:
	close(fd);
	return ret;
}
