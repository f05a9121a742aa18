// SPDX-License-Identifier: Apache-2.0
/*
 * airlockd's life: start-up errors, readiness, a stop with asks pending, and a crash with
 * asks pending under a service manager's fd store.
 */
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "e2e.h"

TestSuite(e2e_life, .init = e2e_start, .fini = e2e_stop, .timeout = 60);

Test(e2e_life, a_stopped_daemon_fails_parked_calls_closed)
{
	char *out, *log;
	json_t *a;
	int fd;
	pid_t pid;

	pid = test_airlock_spawn(&D, &fd, "run", "--", helper("exec_report"), "/usr/bin/id", NULL);
	a = pending_one();
	log = audit_text();
	cr_assert(strstr(log, "\"decision\":\"ask\""), "the ask is not in the audit log:\n%s", log);
	free(log);
	cr_assert_eq(kill(D.pid, SIGTERM), 0);
	/* The listener closes with the daemon: the waiting exec fails, it never runs. */
	out = test_read_all(fd, 5000);
	cr_assert_str_eq(out, "exec failed: ENOSYS\n");
	cr_assert_eq(test_wait_child(pid, 5000), 1);
	free(out);
	close(fd);
	json_decref(a);
}

Test(e2e_start, a_broken_policy_at_start_is_fatal_and_says_where)
{
	struct test_daemon d2;
	char *log;

	if (geteuid() != 0)
		cr_skip_test("needs root");
	cr_assert_eq(
		test_daemon_start(&d2, "version: 1\nrules:\n  - name: x\n    actoin: deny\n", NULL),
		-ECHILD);
	log = test_daemon_log(&d2);
	cr_assert(strstr(log, "policy.yaml:4:") && strstr(log, "cannot load the policy"),
		  "log:\n%s", log);
	free(log);
	test_daemon_stop(&d2);
}

static char *recv_notify(int fd)
{
	static char buf[4096];
	struct timeval tv = { .tv_sec = 5 };
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	cr_assert_geq(n, 0, "no sd_notify message: %s", strerror(errno));
	buf[n] = '\0';
	return buf;
}

/* Type=notify: READY=1 once serving, STATUS= on a failed reload. */
Test(e2e_notify, tells_systemd_when_ready_and_when_a_reload_fails, .timeout = 30)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct test_daemon d2;
	char env[sizeof(sa.sun_path) + 32], *msg;
	const char *envs[] = { env, NULL };
	int fd;

	if (geteuid() != 0)
		cr_skip_test("needs root");
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/tmp/airlock-notify-%d", (int)getpid());
	unlink(sa.sun_path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	snprintf(env, sizeof(env), "NOTIFY_SOCKET=%s", sa.sun_path);
	cr_assert_eq(test_daemon_start_env(&d2, POLICY, NULL, envs), 0);
	msg = recv_notify(fd);
	cr_assert(strstr(msg, "READY=1") && strstr(msg, "STATUS=serving"), "got '%s'", msg);
	cr_assert_eq(test_daemon_reload(&d2, "version: 1\nrules: {}\n"), 0);
	msg = recv_notify(fd);
	cr_assert(strstr(msg, "STATUS=policy reload failed"), "got '%s'", msg);
	cr_assert_eq(test_daemon_stop(&d2), 0);
	close(fd);
	unlink(sa.sun_path);
}

/* A minimal service manager's fd store: FDSTORE=1 messages with SCM_RIGHTS on a
 * NOTIFY_SOCKET, FDSTOREREMOVE=1 forgetting them. */
struct fdstore {
	int sock;
	int fds[16];
	char names[16][64];
	size_t n;
};

static void fdstore_poll(struct fdstore *st, int timeout_ms)
{
	char buf[4096], cbuf[CMSG_SPACE(sizeof(int) * 4)];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = timeout_ms % 1000 * 1000 };
	ssize_t len;

	setsockopt(st->sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (;;) {
		struct cmsghdr *c;
		const char *name;
		int fd = -1;

		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		len = recvmsg(st->sock, &mh, MSG_CMSG_CLOEXEC);
		if (len < 0)
			return;
		buf[len] = '\0';
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
				memcpy(&fd, CMSG_DATA(c), sizeof(fd));
		name = strstr(buf, "FDNAME=");
		if (strstr(buf, "FDSTORE=1") && fd >= 0 && name && st->n < 16) {
			st->fds[st->n] = fd;
			snprintf(st->names[st->n], sizeof(st->names[0]), "%.*s",
				 (int)strcspn(name + 7, "\n"), name + 7);
			st->n++;
		} else if (strstr(buf, "FDSTOREREMOVE=1") && name) {
			for (size_t i = 0; i < st->n; i++) {
				if (strncmp(st->names[i], name + 7, strcspn(name + 7, "\n")) == 0) {
					close(st->fds[i]);
					st->fds[i] = st->fds[--st->n];
					memcpy(st->names[i], st->names[st->n],
					       sizeof(st->names[0]));
					break;
				}
			}
		} else if (fd >= 0) {
			close(fd);
		}
	}
}

/* Pending asks survive a crash of airlockd when a service manager keeps the listeners. */
Test(e2e_restart, a_pending_ask_survives_a_daemon_crash, .timeout = 60)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct fdstore st = { .sock = -1 };
	struct test_daemon d2;
	char env[sizeof(sa.sun_path) + 32], *out;
	const char *envs[] = { env, NULL }, *names[16];
	json_t *list;
	int fd, r, status;
	pid_t pid;

	if (geteuid() != 0)
		cr_skip_test("needs root");
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/tmp/airlock-fdstore-%d", (int)getpid());
	unlink(sa.sun_path);
	st.sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(st.sock, 0);
	cr_assert_eq(bind(st.sock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	snprintf(env, sizeof(env), "NOTIFY_SOCKET=%s", sa.sun_path);
	cr_assert_eq(test_daemon_start_env(&d2, POLICY, NULL, envs), 0);

	pid = test_airlock_spawn(&d2, &fd, "run", "--", "/bin/sh", "-c",
				 "/usr/bin/id -u; /usr/bin/id -g", NULL);
	list = test_daemon_wait_pending(&d2, 1, 5000);
	cr_assert_not_null(list);
	json_decref(list);
	fdstore_poll(&st, 500);
	cr_assert_eq(st.n, 1, "the listener was not stored (%zu fds)", st.n);
	cr_assert_str_eq(st.names[0], "session-1");

	/* Crash: no clean shutdown. The call stays blocked: the store holds the listener. */
	kill(d2.pid, SIGKILL);
	waitpid(d2.pid, &status, 0);
	d2.pid = -1;
	usleep(200 * 1000);
	cr_assert(still_running(pid), "the parked call did not survive the crash");

	for (size_t i = 0; i < st.n; i++)
		names[i] = st.names[i];
	cr_assert_eq(test_daemon_restart(&d2, envs, st.fds, names, st.n), 0);
	out = test_daemon_log(&d2);
	cr_assert(strstr(out, "took over 1 sessions and 1 pending asks"), "log:\n%s", out);
	free(out);
	list = test_daemon_wait_pending(&d2, 1, 2000);
	cr_assert_not_null(list, "the ask is not pending after the restart");
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(list, 0), "id")), 1);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0), "path")),
			 "/usr/bin/id");
	json_decref(list);
	r = test_airlock(&d2, NULL, NULL, "approve", "1", NULL);
	cr_assert_eq(r, 0);
	/* The next call of the same session is served by the new instance, ids go on. */
	list = test_daemon_wait_pending(&d2, 1, 5000);
	cr_assert_not_null(list);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(list, 0), "id")), 2);
	json_decref(list);
	cr_assert_eq(test_airlock(&d2, NULL, NULL, "approve", "2", NULL), 0);
	out = test_read_all(fd, 5000);
	cr_assert_str_eq(out, "0\n0\n");
	cr_assert_eq(test_wait_child(pid, 5000), 0);
	free(out);
	close(fd);
	r = test_airlock(&d2, NULL, NULL, "audit", "verify", d2.audit_path, NULL);
	cr_assert_eq(r, 0, "the audit chain broke across the restart");
	cr_assert_eq(test_daemon_stop(&d2), 0);
	for (size_t i = 0; i < st.n; i++)
		close(st.fds[i]);
	close(st.sock);
	unlink(sa.sun_path);
}
