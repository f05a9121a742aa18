// SPDX-License-Identifier: Apache-2.0
/*
 * The API socket of a real airlockd: bad input, misbehaving clients, who may decide.
 */
#include <poll.h>
#include <sys/socket.h>

#include "e2e.h"

TestSuite(e2e_api, .init = e2e_start, .fini = e2e_stop, .timeout = 60);

Test(e2e_api, malformed_and_oversized_requests_get_errors_and_serving_goes_on)
{
	static char big[100 * 1024];
	int fd = raw_connect(), other;
	json_t *j;

	cr_assert_eq(write(fd, "{\"op\":\n", 7), 7);
	j = raw_recv(fd);
	cr_assert(json_is_false(json_object_get(j, "ok")));
	cr_assert_str_eq(json_string_value(json_object_get(j, "errno")), "EINVAL");
	json_decref(j);

	cr_assert_eq(write(fd, "[1,2]\n{\"op\":\"nope\"}\n", 20), 20);
	j = raw_recv(fd);
	cr_assert(json_is_false(json_object_get(j, "ok")));
	json_decref(j);
	j = raw_recv(fd);
	cr_assert_str_eq(json_string_value(json_object_get(j, "errno")), "EOPNOTSUPP");
	json_decref(j);

	/* Half of an oversized line: another client is served meanwhile. */
	memset(big, 'x', sizeof(big));
	cr_assert_eq(write(fd, big, 70 * 1024), 70 * 1024);
	other = raw_connect();
	cr_assert_eq(write(other, "{\"op\":\"status\"}\n", 16), 16);
	j = raw_recv(other);
	cr_assert(json_is_true(json_object_get(j, "ok")));
	json_decref(j);
	close(other);
	cr_assert_eq(write(fd, big, 30 * 1024), 30 * 1024);
	cr_assert_eq(write(fd, "\n{\"op\":\"pending\"}\n", 18), 18);
	j = raw_recv(fd);
	cr_assert_str_eq(json_string_value(json_object_get(j, "errno")), "EMSGSIZE");
	json_decref(j);
	/* Exactly one error for the long line, then the next request is answered. */
	j = raw_recv(fd);
	cr_assert(json_is_true(json_object_get(j, "ok")), "got %s", json_dumps(j, 0));
	cr_assert(json_is_array(json_object_get(j, "pending")));
	json_decref(j);
	close(fd);
}

/* Who may decide, with a daemon whose approvers' group is 'nogroup' (nobody's group). */
Test(e2e_approvers, approvals_need_root_or_the_approvers_group, .timeout = 60)
{
	static const char *const extra[] = { "--approvers-group", "nogroup", NULL };
	struct test_daemon d2;
	char *out, *err;
	json_t *list;
	int fd, r;
	pid_t pid;

	if (geteuid() != 0)
		cr_skip_test("needs root");
	cr_assert_eq(test_daemon_start(&d2, POLICY, NULL), 0);
	pid = test_airlock_spawn(&d2, &fd, "run", "--", "/usr/bin/id", "-u", NULL);
	list = test_daemon_wait_pending(&d2, 1, 5000);
	cr_assert_not_null(list);
	/* 65534 without its group: not an approver, and not the session's user. */
	r = test_airlock_as(&d2, 65534, 1, &out, &err, "approve", "1", NULL);
	cr_assert_eq(r, 1);
	cr_assert_str_eq(err, "airlock: permission denied: approvals need root or group "
			      "'airlock'\n");
	free(out);
	free(err);
	r = test_airlock_as(&d2, 65534, 1, &out, NULL, "pending", NULL);
	cr_assert_eq(r, 0);
	cr_assert_str_eq(out, "no pending requests\n", "another user's ask was shown");
	free(out);
	cr_assert_eq(test_airlock(&d2, NULL, NULL, "deny", "1", NULL), 0);
	test_wait_child(pid, 5000);
	close(fd);
	json_decref(list);
	cr_assert_eq(test_daemon_stop(&d2), 0);

	/* The same user, now a member of the approvers' group. */
	cr_assert_eq(test_daemon_start(&d2, POLICY, extra), 0);
	pid = test_airlock_spawn(&d2, &fd, "run", "--", "/usr/bin/id", "-u", NULL);
	list = test_daemon_wait_pending(&d2, 1, 5000);
	cr_assert_not_null(list);
	r = test_airlock_as(&d2, 65534, 65534, &out, NULL, "pending", NULL);
	cr_assert(strstr(out, "/usr/bin/id -u"), "an approver does not see the ask:\n%s", out);
	free(out);
	r = test_airlock_as(&d2, 65534, 65534, NULL, &err, "approve", "1", NULL);
	cr_assert_eq(r, 0, "approve as a group member: %s", err);
	free(err);
	cr_assert_eq(test_wait_child(pid, 5000), 0);
	close(fd);
	json_decref(list);
	cr_assert_eq(test_daemon_stop(&d2), 0);
}

Test(e2e_api, an_unattached_session_is_one_per_connection_and_ends_with_it)
{
	static const char create[] = "{\"op\":\"session.create\",\"argv\":[\"x\"]}\n";
	json_t *j, *st;
	int fd = raw_connect(), i;

	cr_assert_eq(write(fd, create, sizeof(create) - 1), (ssize_t)sizeof(create) - 1);
	j = raw_recv(fd);
	cr_assert(json_is_true(json_object_get(j, "ok")), "%s", json_dumps(j, 0));
	cr_assert(json_is_object(json_object_get(j, "filter")));
	json_decref(j);
	cr_assert_eq(write(fd, create, sizeof(create) - 1), (ssize_t)sizeof(create) - 1);
	j = raw_recv(fd);
	cr_assert_str_eq(json_string_value(json_object_get(j, "errno")), "EBUSY");
	json_decref(j);
	/* Attaching a descriptor that is no seccomp listener is refused. */
	cr_assert_eq(
		write(fd, "{\"op\":\"session.attach\",\"session\":1,\"pid\":1,\"fd\":0}\n", 51),
		51);
	j = raw_recv(fd);
	cr_assert(json_is_false(json_object_get(j, "ok")));
	cr_assert_str_eq(json_string_value(json_object_get(j, "errno")), "EPERM",
			 "pid 1 is not our child: %s", json_dumps(j, 0));
	json_decref(j);
	close(fd);
	for (i = 0; i < 200; i++) {
		st = test_daemon_call(&D, "{\"op\":\"status\"}");
		if (json_array_size(json_object_get(st, "sessions")) == 0) {
			json_decref(st);
			break;
		}
		json_decref(st);
		usleep(10 * 1000);
	}
	cr_assert_lt(i, 200, "the unattached session outlived its connection");
}

/* A client that sends and never reads cannot stall the daemon: its replies queue (never a
 * blocking write), other clients are served meanwhile, and past 8 MiB it is dropped. */
Test(e2e_api, a_client_that_never_reads_blocks_nobody)
{
	static const char req[] = "{\"op\":\"status\"}\n";
	char sink[65536];
	size_t sent = 0;
	ssize_t n;
	json_t *j;
	int fd = raw_connect(), other, fl, i;
	bool closed = false;
	char *log;

	fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	for (i = 0; i < 40000; i++) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		n = send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN) {
			/* The daemon reads on; give it a moment, but it must not stall for good. */
			if (poll(&p, 1, 2000) <= 0)
				break;
			i--;
			continue;
		}
		if (n < 0)
			break; /* dropped: EPIPE / ECONNRESET */
		sent += (size_t)n;
		if (i % 1000 == 0) {
			/* Meanwhile another client gets its answer. */
			other = raw_connect();
			cr_assert_eq(write(other, req, sizeof(req) - 1), (ssize_t)sizeof(req) - 1);
			j = raw_recv(other);
			cr_assert(json_is_true(json_object_get(j, "ok")));
			json_decref(j);
			close(other);
		}
	}
	cr_assert_gt(sent, 100000, "only %zu bytes went out", sent);
	/* Reading now: what was queued, then the end (dropped past 8 MiB of replies). */
	fcntl(fd, F_SETFL, fl);
	for (i = 0; i < 2000; i++) {
		n = read(fd, sink, sizeof(sink));
		if (n <= 0) {
			closed = true;
			break;
		}
	}
	cr_assert(closed, "the daemon kept a client with unbounded unread replies");
	close(fd);
	log = test_daemon_log(&D);
	cr_assert(strstr(log, "does not read its replies, dropping it"), "log:\n%s", log);
	free(log);
	j = test_daemon_call(&D, "{\"op\":\"status\"}");
	cr_assert(json_is_true(json_object_get(j, "ok")));
	json_decref(j);
}
