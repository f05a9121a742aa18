// SPDX-License-Identifier: Apache-2.0
/* The API in-process: line splitting (complete lines, split lines, overlong lines
 * discarded up to their newline with the stream still usable afterwards), error objects,
 * and how an ask is shown.  The served socket is tested end to end in test_e2e. */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "api_linebuf.h"
#include "gate.h"

static void feed(struct api_linebuf *lb, const char *data, size_t len)
{
	while (len > 0) {
		char *p;
		size_t room = api_linebuf_room(lb, &p);
		size_t n = len < room ? len : room;

		cr_assert_gt(room, 0);
		memcpy(p, data, n);
		api_linebuf_commit(lb, n);
		data += n;
		len -= n;
		if (len > 0) {
			/* Full: the splitter must make room by reporting or discarding. */
			char *line;
			size_t l;
			enum api_line k = api_linebuf_next(lb, &line, &l);

			cr_assert_eq(k, API_LINE_TOO_LONG);
		}
	}
}

Test(api, splits_complete_and_partial_lines)
{
	struct api_linebuf lb;
	char *line;
	size_t len;

	cr_assert_eq(api_linebuf_init(&lb, 64), 0);
	feed(&lb, "{\"op\":\"status\"}\n{\"op\":", 22);
	cr_assert_eq(api_linebuf_next(&lb, &line, &len), API_LINE_OK);
	cr_assert_str_eq(line, "{\"op\":\"status\"}");
	cr_assert_eq(len, 15);
	cr_assert_eq(api_linebuf_next(&lb, &line, &len), API_LINE_NONE);
	feed(&lb, "\"pending\"}\n", 11);
	cr_assert_eq(api_linebuf_next(&lb, &line, &len), API_LINE_OK);
	cr_assert_str_eq(line, "{\"op\":\"pending\"}");
	cr_assert_eq(api_linebuf_next(&lb, &line, &len), API_LINE_NONE);
	api_linebuf_free(&lb);
}

Test(api, line_of_exactly_max_bytes_is_accepted)
{
	struct api_linebuf lb;
	char data[66], *line;
	size_t len;

	memset(data, 'a', 64);
	data[64] = '\n';
	cr_assert_eq(api_linebuf_init(&lb, 64), 0);
	feed(&lb, data, 65);
	cr_assert_eq(api_linebuf_next(&lb, &line, &len), API_LINE_OK);
	cr_assert_eq(len, 64);
	api_linebuf_free(&lb);
}

Test(api, oversized_line_is_reported_once_and_discarded_to_its_newline)
{
	struct api_linebuf lb;
	static char big[1000];
	char *line;
	size_t len;
	enum api_line k;
	int too_long = 0;

	memset(big, 'x', sizeof(big));
	cr_assert_eq(api_linebuf_init(&lb, 64), 0);
	/* 1000 bytes with no newline, fed in pieces, then the end of that line and a good one. */
	for (size_t off = 0; off < sizeof(big); off += 50) {
		char *p;
		size_t room = api_linebuf_room(&lb, &p);
		size_t n = room < 50 ? room : 50;

		memcpy(p, big + off, n);
		api_linebuf_commit(&lb, n);
		while ((k = api_linebuf_next(&lb, &line, &len)) != API_LINE_NONE) {
			cr_assert_eq(k, API_LINE_TOO_LONG);
			too_long++;
		}
	}
	cr_assert_eq(too_long, 1, "reported %d times", too_long);
	feed(&lb, "yyy\n{\"op\":\"status\"}\n", 20);
	cr_assert_eq(api_linebuf_next(&lb, &line, &len), API_LINE_OK);
	cr_assert_str_eq(line, "{\"op\":\"status\"}");
	cr_assert_eq(api_linebuf_next(&lb, &line, &len), API_LINE_NONE);
	api_linebuf_free(&lb);
}

Test(api, empty_lines_are_returned_empty)
{
	struct api_linebuf lb;
	char *line;
	size_t len;

	cr_assert_eq(api_linebuf_init(&lb, 16), 0);
	feed(&lb, "\n\nab\n", 5);
	cr_assert_eq(api_linebuf_next(&lb, &line, &len), API_LINE_OK);
	cr_assert_eq(len, 0);
	cr_assert_eq(api_linebuf_next(&lb, &line, &len), API_LINE_OK);
	cr_assert_eq(len, 0);
	cr_assert_eq(api_linebuf_next(&lb, &line, &len), API_LINE_OK);
	cr_assert_str_eq(line, "ab");
	api_linebuf_free(&lb);
}

Test(api, errors_carry_the_message_and_the_errno_name)
{
	json_t *e = api_error(ENOENT, "no pending request %d", 42);

	cr_assert(json_is_false(json_object_get(e, "ok")));
	cr_assert_str_eq(json_string_value(json_object_get(e, "error")), "no pending request 42");
	cr_assert_str_eq(json_string_value(json_object_get(e, "errno")), "ENOENT");
	json_decref(e);
	e = api_error(EMSGSIZE, "x");
	cr_assert_str_eq(json_string_value(json_object_get(e, "errno")), "EMSGSIZE");
	json_decref(e);
}

Test(api, an_ask_shows_the_process_the_request_and_its_deadline)
{
	struct approval a = { .id = 42, .session_id = 7, .asked_ms = 1000, .expires_ms = 121000 };
	struct gate_notif *n = calloc(1, sizeof(*n));
	json_t *j;

	cr_assert_not_null(n);
	n->pidfd = n->wait_fd = -1;
	n->req.op = AL_OP_EXEC;
	n->req.syscall = "execve";
	n->req.pid = 101; /* a thread */
	n->req.tgid = 100;
	strcpy(n->req.path, "/usr/bin/sudo");
	strcpy(n->req.argbuf, "sudo");
	strcpy(n->req.argbuf + 5, "ls");
	n->req.argv[0] = n->req.argbuf;
	n->req.argv[1] = n->req.argbuf + 5;
	n->req.argc = 2;
	a.n = n;
	a.decision.on_timeout = AL_DENY;
	strcpy(a.rule, "escalation");
	a.process =
		json_pack("{s:i,s:s,s:[s]}", "pid", 100, "exe", "/usr/bin/bash", "argv", "bash");

	j = gate_approval_json(&a);
	cr_assert_not_null(j);
	cr_assert_eq(json_integer_value(json_object_get(j, "id")), 42);
	cr_assert_eq(json_integer_value(json_object_get(j, "session")), 7);
	cr_assert_eq(json_integer_value(json_object_get(j, "pid")), 100, "pid is the process");
	cr_assert_str_eq(json_string_value(json_object_get(j, "op")), "exec");
	cr_assert_str_eq(json_string_value(json_object_get(j, "path")), "/usr/bin/sudo");
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "argv"), 1)), "ls");
	cr_assert_str_eq(json_string_value(json_object_get(j, "exe")), "/usr/bin/bash");
	cr_assert_str_eq(json_string_value(json_object_get(j, "rule")), "escalation");
	cr_assert_eq(json_integer_value(json_object_get(j, "expires")), 121000);
	cr_assert_str_eq(json_string_value(json_object_get(j, "on_timeout")), "deny");
	json_decref(j);
	json_decref(a.process);
	free(n);
}
