// SPDX-License-Identifier: Apache-2.0
/*
 * End to end: a real build/airlockd, real `airlock run` sessions (real seccomp listeners,
 * real cgroups), real processes, and the real CLI deciding.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "api_client.h"
#include "daemon.h"

static struct test_daemon D;

/* /usr/bin/id and /usr/bin/whoami stand for sudo: real programs whose exec policy gates. */
static const char POLICY[] = "version: 1\n"
			     "defaults:\n"
			     "  ask_timeout: 60s\n"
			     "  on_timeout: deny\n"
			     "rules:\n"
			     "  - name: escalation\n"
			     "    match: { exec: [/usr/bin/id] }\n"
			     "    action: ask\n"
			     "  - name: picky\n"
			     "    match: { exec: [/usr/bin/whoami] }\n"
			     "    action: ask\n"
			     "    errno: EACCES\n"
			     "  - name: quick\n"
			     "    match: { exec: [/usr/bin/true] }\n"
			     "    action: ask\n"
			     "    timeout: 1s\n"
			     "  - name: quick-allow\n"
			     "    match: { exec: [/usr/bin/false] }\n"
			     "    action: ask\n"
			     "    timeout: 1s\n"
			     "    on_timeout: allow\n"
			     "  - name: never\n"
			     "    match: { exec: [/usr/bin/uname] }\n"
			     "    action: deny\n"
			     "  - name: watched\n"
			     "    match: { exec: [/usr/bin/printenv] }\n"
			     "    action: audit\n"
			     "  - name: local-net\n"
			     "    match: { connect: [\"127.0.0.0/8\"] }\n"
			     "    action: ask\n";

static void start(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root (cgroups, seccomp listeners taken with pidfd_getfd)");
	cr_assert_eq(test_daemon_start(&D, POLICY, NULL), 0, "airlockd did not start");
}

static void stop(void)
{
	int r = test_daemon_stop(&D);

	cr_expect_eq(r, 0, "airlockd exited with %d", r);
}

static char *helper(const char *name)
{
	static char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/tests/helpers/%s", test_build_dir(), name);
	return path;
}

static json_t *pending_one(void)
{
	json_t *list = test_daemon_wait_pending(&D, 1, 5000);
	json_t *a;

	cr_assert_not_null(list, "no ask showed up in 'pending'");
	a = json_incref(json_array_get(list, 0));
	json_decref(list);
	return a;
}

static const char *id_str(const json_t *a)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "%lld", json_integer_value(json_object_get(a, "id")));
	return buf;
}

static bool still_running(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0;
}

static char *audit_text(void)
{
	int fd = open(D.audit_path, O_RDONLY | O_CLOEXEC);
	char *s;

	cr_assert_geq(fd, 0);
	s = test_read_all(fd, 1000);
	close(fd);
	return s;
}

TestSuite(e2e, .init = start, .fini = stop, .timeout = 60);

Test(e2e, asked_exec_waits_for_approve_then_runs)
{
	char *out, *err;
	json_t *a;
	int fd, r;
	pid_t pid;

	pid = test_airlock_spawn(&D, &fd, "run", "--", "/usr/bin/id", "-u", NULL);
	cr_assert_gt(pid, 0);
	a = pending_one();
	cr_assert_str_eq(json_string_value(json_object_get(a, "op")), "exec");
	cr_assert_str_eq(json_string_value(json_object_get(a, "path")), "/usr/bin/id");
	cr_assert_str_eq(json_string_value(json_object_get(a, "rule")), "escalation");
	/* Held in the kernel: not run, not failed. */
	usleep(200 * 1000);
	cr_assert(still_running(pid), "the asked exec did not wait");

	r = test_airlock(&D, &out, &err, "pending", NULL);
	cr_assert_eq(r, 0);
	cr_assert(strstr(out, "/usr/bin/id -u") && strstr(out, "escalation"),
		  "'airlock pending' shows:\n%s", out);
	free(out);
	free(err);

	r = test_airlock(&D, NULL, &err, "approve", id_str(a), "--reason", "looks fine", NULL);
	cr_assert_eq(r, 0, "approve failed: %s", err);
	free(err);
	out = test_read_all(fd, 5000);
	cr_assert_str_eq(out, "0\n");
	cr_assert_eq(test_wait_child(pid, 5000), 0);
	free(out);
	close(fd);

	out = audit_text();
	cr_assert(strstr(out, "\"decision\":\"allow\"") && strstr(out, "looks fine") &&
			  strstr(out, "\"decided_by\":{\"uid\":0,\"name\":\"root\"}"),
		  "audit log:\n%s", out);
	free(out);
	json_decref(a);
}

Test(e2e, deny_fails_the_call_with_eperm_or_the_rules_errno)
{
	char *out, *err;
	json_t *a;
	int fd, r;
	pid_t pid;

	pid = test_airlock_spawn(&D, &fd, "run", "--", helper("exec_report"), "/usr/bin/id",
				 NULL);
	a = pending_one();
	r = test_airlock(&D, NULL, &err, "deny", id_str(a), "--reason", "not now", NULL);
	cr_assert_eq(r, 0, "deny failed: %s", err);
	free(err);
	out = test_read_all(fd, 5000);
	cr_assert_str_eq(out, "exec failed: EPERM\n");
	cr_assert_eq(test_wait_child(pid, 5000), 1);
	free(out);
	close(fd);
	json_decref(a);

	/* rule 'picky' says errno: EACCES */
	pid = test_airlock_spawn(&D, &fd, "run", "--", helper("exec_report"), "/usr/bin/whoami",
				 NULL);
	a = pending_one();
	cr_assert_str_eq(json_string_value(json_object_get(a, "rule")), "picky");
	cr_assert_eq(test_airlock(&D, NULL, NULL, "deny", id_str(a), NULL), 0);
	out = test_read_all(fd, 5000);
	cr_assert_str_eq(out, "exec failed: EACCES\n");
	cr_assert_eq(test_wait_child(pid, 5000), 1);
	free(out);
	close(fd);
	json_decref(a);

	/* A policy deny needs nobody. */
	r = test_airlock(&D, &out, NULL, "run", "--", helper("exec_report"), "/usr/bin/uname",
			 NULL);
	cr_assert_eq(r, 1);
	cr_assert_str_eq(out, "exec failed: EPERM\n");
	free(out);
}

Test(e2e, timeout_applies_on_timeout)
{
	struct timespec t0, t1;
	char *out, *log;
	double secs;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = test_airlock(&D, &out, NULL, "run", "--", helper("exec_report"), "/usr/bin/true",
			 NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	cr_assert_eq(r, 1);
	cr_assert_str_eq(out, "exec failed: EPERM\n");
	cr_assert(secs >= 0.9 && secs < 4.0, "the 1s ask took %.2fs", secs);
	free(out);

	/* on_timeout: allow */
	r = test_airlock(&D, &out, NULL, "run", "--", helper("exec_report"), "/usr/bin/false",
			 NULL);
	cr_assert_eq(r, 1, "/usr/bin/false did not run (status %d, output '%s')", r, out);
	cr_assert_str_eq(out, "");
	free(out);

	log = audit_text();
	cr_assert(strstr(log, "\"rule\":\"quick\",\"decision\":\"deny\",\"decided_by\":\"timeout\""),
		  "audit log:\n%s", log);
	cr_assert(strstr(log, "\"rule\":\"quick-allow\",\"decision\":\"allow\",\"decided_by\":"
			      "\"timeout\""),
		  "audit log:\n%s", log);
	free(log);
}

Test(e2e, scope_session_stops_asking_in_that_session_only)
{
	char *out, *err;
	json_t *a, *list;
	int fd, r;
	pid_t pid;

	/* One session runs the same exec twice; the second must not ask. */
	pid = test_airlock_spawn(&D, &fd, "run", "--", "/bin/sh", "-c",
				 "/usr/bin/id -u; /usr/bin/id -u", NULL);
	a = pending_one();
	r = test_airlock(&D, NULL, &err, "approve", id_str(a), "--scope", "session", NULL);
	cr_assert_eq(r, 0, "approve failed: %s", err);
	free(err);
	out = test_read_all(fd, 5000);
	cr_assert_str_eq(out, "0\n0\n", "second exec: '%s'", out);
	cr_assert_eq(test_wait_child(pid, 5000), 0);
	free(out);
	close(fd);
	json_decref(a);

	/* The next ask id is 2: only one ask was made in that session. */
	pid = test_airlock_spawn(&D, &fd, "run", "--", "/usr/bin/id", "-u", NULL);
	list = test_daemon_wait_pending(&D, 1, 5000);
	cr_assert_not_null(list, "another session was not asked");
	a = json_array_get(list, 0);
	cr_assert_eq(json_integer_value(json_object_get(a, "id")), 2);
	/* A different action in a granted session still asks: covered by the key. */
	cr_assert_eq(test_airlock(&D, NULL, NULL, "deny", id_str(a), NULL), 0);
	cr_assert_eq(test_wait_child(pid, 5000), 126);
	close(fd);
	json_decref(list);

	out = audit_text();
	cr_assert(strstr(out, "\"scope\":\"session\"") && strstr(out, "\"grant\""),
		  "audit log:\n%s", out);
	free(out);
}

Test(e2e, a_process_inside_a_session_cannot_approve)
{
	char approve_bin[PATH_MAX + 16], *out, *err;
	json_t *a, *list;
	int fd, r;
	pid_t pid;

	pid = test_airlock_spawn(&D, &fd, "run", "--", "/usr/bin/id", "-u", NULL);
	a = pending_one();
	/* As root, from inside another session: refused. */
	snprintf(approve_bin, sizeof(approve_bin), "%s/airlock", test_build_dir());
	r = test_airlock(&D, &out, &err, "run", "--", approve_bin, "--runtime-dir", D.runtime_dir,
			 "approve", id_str(a), NULL);
	cr_assert_neq(r, 0);
	cr_assert(strstr(err, "permission denied") && strstr(err, "inside an airlock session"),
		  "stderr: %s", err);
	free(out);
	free(err);
	r = test_airlock(&D, NULL, &err, "run", "--", approve_bin, "--runtime-dir", D.runtime_dir,
			 "deny", id_str(a), NULL);
	cr_assert_neq(r, 0);
	free(err);
	/* Still pending, still waiting. */
	list = test_daemon_wait_pending(&D, 1, 1000);
	cr_assert_not_null(list);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(list, 0), "id")),
		     json_integer_value(json_object_get(a, "id")));
	cr_assert(still_running(pid));
	json_decref(list);
	/* From outside it works. */
	cr_assert_eq(test_airlock(&D, NULL, NULL, "approve", id_str(a), NULL), 0);
	cr_assert_eq(test_wait_child(pid, 5000), 0);
	close(fd);
	json_decref(a);
}

/* POLICY's 'local-net' rule makes the filter notify connect(2), so above the in-session
 * CLI reached the API through a connect the daemon performed for it (SO_PEERCRED names
 * the daemon).  Without a connect rule the CLI connects by itself: refused as well. */
Test(e2e_inside, approving_from_inside_is_refused_without_connect_rules, .timeout = 60)
{
	struct test_daemon d2;
	char bin[PATH_MAX + 16], *err;
	json_t *list;
	int fd, r;
	pid_t pid;

	if (geteuid() != 0)
		cr_skip_test("needs root");
	cr_assert_eq(test_daemon_start(&d2,
				       "version: 1\nrules:\n  - name: escalation\n"
				       "    match: { exec: [/usr/bin/id] }\n    action: ask\n",
				       NULL),
		     0);
	pid = test_airlock_spawn(&d2, &fd, "run", "--", "/usr/bin/id", "-u", NULL);
	list = test_daemon_wait_pending(&d2, 1, 5000);
	cr_assert_not_null(list);
	snprintf(bin, sizeof(bin), "%s/airlock", test_build_dir());
	r = test_airlock(&d2, NULL, &err, "run", "--", bin, "--runtime-dir", d2.runtime_dir,
			 "approve", "1", NULL);
	cr_assert_neq(r, 0);
	cr_assert(strstr(err, "permission denied") && strstr(err, "inside an airlock session"),
		  "stderr: %s", err);
	free(err);
	cr_assert(still_running(pid));
	cr_assert_eq(test_airlock(&d2, NULL, NULL, "deny", "1", NULL), 0);
	test_wait_child(pid, 5000);
	close(fd);
	json_decref(list);
	cr_assert_eq(test_daemon_stop(&d2), 0);
}

Test(e2e, many_asks_from_two_sessions_approved_out_of_order)
{
	pid_t p1, p2;
	json_t *list, *a;
	int fd1, fd2, order[4] = { 3, 0, 2, 1 };
	char *o1, *o2;

	/* Two sessions, two concurrent asks each. */
	p1 = test_airlock_spawn(&D, &fd1, "run", "--", "/bin/sh", "-c",
				"/usr/bin/id -u & /usr/bin/id -g & wait", NULL);
	p2 = test_airlock_spawn(&D, &fd2, "run", "--", "/bin/sh", "-c",
				"/usr/bin/id -u & /usr/bin/id -g & wait", NULL);
	list = test_daemon_wait_pending(&D, 4, 5000);
	cr_assert_not_null(list, "four asks did not show up at once");
	cr_assert_neq(json_integer_value(json_object_get(json_array_get(list, 0), "session")) +
			      json_integer_value(json_object_get(json_array_get(list, 3), "session")),
		      0);
	for (int i = 0; i < 4; i++) {
		json_t *left;

		a = json_array_get(list, (size_t)order[i]);
		cr_assert_eq(test_airlock(&D, NULL, NULL, "approve", id_str(a), NULL), 0);
		/* The others are untouched by this decision. */
		left = test_daemon_call(&D, "{\"op\":\"pending\"}");
		cr_assert_eq(json_array_size(json_object_get(left, "pending")), (size_t)(3 - i));
		json_decref(left);
	}
	o1 = test_read_all(fd1, 5000);
	o2 = test_read_all(fd2, 5000);
	cr_assert_eq(strlen(o1), 4, "session 1 printed '%s'", o1);
	cr_assert_eq(strlen(o2), 4, "session 2 printed '%s'", o2);
	cr_assert_eq(test_wait_child(p1, 5000), 0);
	cr_assert_eq(test_wait_child(p2, 5000), 0);
	free(o1);
	free(o2);
	close(fd1);
	close(fd2);
	json_decref(list);
}

Test(e2e, a_target_killed_while_pending_disappears_and_is_audited)
{
	json_t *a, *res;
	char *log;
	pid_t pid, target;
	int fd, i;

	pid = test_airlock_spawn(&D, &fd, "run", "--", "/usr/bin/id", "-u", NULL);
	a = pending_one();
	target = (pid_t)json_integer_value(json_object_get(a, "pid"));
	cr_assert_gt(target, 1);
	cr_assert_eq(kill(target, SIGKILL), 0);
	for (i = 0; i < 300; i++) {
		res = test_daemon_call(&D, "{\"op\":\"pending\"}");
		if (json_array_size(json_object_get(res, "pending")) == 0) {
			json_decref(res);
			break;
		}
		json_decref(res);
		usleep(10 * 1000);
	}
	cr_assert_lt(i, 300, "the dead target stayed in pending");
	cr_assert_eq(test_airlock(&D, NULL, NULL, "approve", id_str(a), NULL), 1);
	log = audit_text();
	cr_assert(strstr(log, "\"decision\":\"gone\"") && strstr(log, "target gone"),
		  "audit log:\n%s", log);
	free(log);
	test_wait_child(pid, 5000);
	close(fd);
	json_decref(a);
}

static int raw_connect(void)
{
	int fd = api_connect(D.runtime_dir);

	cr_assert_geq(fd, 0);
	return fd;
}

static json_t *raw_recv(int fd)
{
	json_t *j = NULL;

	cr_assert_eq(api_recv(fd, &j, 1 << 20), 0);
	return j;
}

Test(e2e, malformed_and_oversized_requests_get_errors_and_serving_goes_on)
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

Test(e2e, sighup_with_a_broken_policy_keeps_the_old_one)
{
	char *out, *log;
	int r;

	cr_assert_eq(test_daemon_reload(&D, "version: 1\nrules:\n  - name: x\n    match: { exec: "
					    "[a] }\n    action: maybe\n"),
		     0);
	log = test_daemon_log(&D);
	cr_assert(strstr(log, "policy.yaml:5:") && strstr(log, "keeping the policy in force"),
		  "log:\n%s", log);
	free(log);
	/* The old rule 'never' still denies. */
	r = test_airlock(&D, &out, NULL, "run", "--", helper("exec_report"), "/usr/bin/uname",
			 NULL);
	cr_assert_eq(r, 1);
	cr_assert_str_eq(out, "exec failed: EPERM\n");
	free(out);
	/* A good policy replaces it. */
	cr_assert_eq(test_daemon_reload(&D, "version: 1\nrules: []\n"), 0);
	r = test_airlock(&D, &out, NULL, "run", "--", "/usr/bin/uname", NULL);
	cr_assert_eq(r, 0);
	cr_assert_str_eq(out, "Linux\n");
	free(out);
}

Test(e2e, audit_log_verifies_and_a_modified_line_is_detected)
{
	char *out, *err, *text, *p;
	FILE *f;
	int r;

	/* Two decisions: a policy deny and a timeout. */
	cr_assert_eq(test_airlock(&D, NULL, NULL, "run", "--", "/usr/bin/uname", NULL), 126);
	cr_assert_eq(test_airlock(&D, NULL, NULL, "run", "--", "/usr/bin/true", NULL), 126);
	r = test_airlock(&D, &out, &err, "audit", "verify", D.audit_path, NULL);
	cr_assert_eq(r, 0, "verify: %s%s", out, err);
	free(out);
	free(err);

	text = audit_text();
	p = strstr(text, "\"decision\":\"deny\"");
	cr_assert_not_null(p);
	memcpy(p, "\"decision\":\"allo\"", 17);
	f = fopen(D.audit_path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	free(text);
	r = test_airlock(&D, &out, &err, "audit", "verify", D.audit_path, NULL);
	cr_assert_neq(r, 0);
	cr_assert(strstr(out, "line") || strstr(err, "line"), "verify said: %s%s", out, err);
	free(out);
	free(err);
}

Test(e2e, a_session_cannot_start_a_nested_session)
{
	char bin[PATH_MAX + 16], *err;
	int r;

	snprintf(bin, sizeof(bin), "%s/airlock", test_build_dir());
	r = test_airlock(&D, NULL, &err, "run", "--", bin, "--runtime-dir", D.runtime_dir, "run",
			 "--", "/bin/true", NULL);
	cr_assert_neq(r, 0);
	cr_assert(strstr(err, "permission denied") && strstr(err, "inside an airlock session"),
		  "stderr: %s", err);
	free(err);
}

Test(e2e, watch_streams_asks_and_decisions)
{
	json_t *a, *ev;
	pid_t watch, pid;
	int wfd, fd, i;
	char *out, *line, *save = NULL;
	bool seen_ask = false, seen_decision = false;

	watch = test_airlock_spawn(&D, &wfd, "watch", "--json", NULL);
	cr_assert_gt(watch, 0);
	/* Start the session once the daemon counts the watcher. */
	for (i = 0; i < 500; i++) {
		json_t *st = test_daemon_call(&D, "{\"op\":\"status\"}");
		json_int_t n = json_integer_value(json_object_get(st, "watchers"));

		json_decref(st);
		if (n == 1)
			break;
		usleep(10 * 1000);
	}
	cr_assert_lt(i, 500, "the watcher never registered");
	pid = test_airlock_spawn(&D, &fd, "run", "--", "/usr/bin/id", "-u", NULL);
	a = pending_one();
	cr_assert_eq(test_airlock(&D, NULL, NULL, "approve", id_str(a), NULL), 0);
	cr_assert_eq(test_wait_child(pid, 5000), 0);
	close(fd);
	usleep(200 * 1000);
	kill(watch, SIGINT);
	cr_assert_eq(test_wait_child(watch, 5000), 0);
	out = test_read_all(wfd, 2000);
	close(wfd);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *kind;

		ev = json_loads(line, 0, NULL);
		cr_assert_not_null(ev, "not JSON: %s", line);
		kind = json_string_value(json_object_get(ev, "event"));
		if (kind && strcmp(kind, "ask") == 0 &&
		    json_integer_value(json_object_get(ev, "id")) ==
			    json_integer_value(json_object_get(a, "id")))
			seen_ask = true;
		if (kind && strcmp(kind, "decision") == 0 &&
		    json_integer_value(json_object_get(ev, "id")) ==
			    json_integer_value(json_object_get(a, "id"))) {
			cr_assert_str_eq(json_string_value(json_object_get(ev, "decision")), "allow");
			seen_decision = true;
		}
		json_decref(ev);
	}
	cr_assert(seen_ask && seen_decision, "watch printed:\n%s", out);
	free(out);
	json_decref(a);
}

Test(e2e, status_shows_sessions_pending_counts_and_the_policy)
{
	json_t *st, *a, *s;
	char *out;
	int fd;
	pid_t pid;

	pid = test_airlock_spawn(&D, &fd, "run", "--", "/usr/bin/id", "-u", NULL);
	a = pending_one();
	cr_assert_eq(test_airlock(&D, &out, NULL, "status", "--json", NULL), 0);
	st = json_loads(out, 0, NULL);
	cr_assert_not_null(st, "not JSON: %s", out);
	free(out);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(st, "policy"),
							   "source")),
			 D.policy_path);
	cr_assert_eq(json_integer_value(json_object_get(st, "pending")), 1);
	cr_assert_eq(json_array_size(json_object_get(st, "sessions")), 1);
	s = json_array_get(json_object_get(st, "sessions"), 0);
	cr_assert_eq(json_integer_value(json_object_get(s, "id")),
		     json_integer_value(json_object_get(a, "session")));
	cr_assert_eq(json_integer_value(json_object_get(s, "pending")), 1);
	cr_assert_gt(json_array_size(json_object_get(st, "layers")), 0);
	json_decref(st);

	cr_assert_eq(test_airlock(&D, &out, NULL, "status", NULL), 0);
	cr_assert(strstr(out, D.policy_path) && strstr(out, "/usr/bin/id -u") &&
			  strstr(out, "seccomp-notify: active"),
		  "status:\n%s", out);
	free(out);
	cr_assert_eq(test_airlock(&D, NULL, NULL, "deny", id_str(a), NULL), 0);
	test_wait_child(pid, 5000);
	close(fd);
	json_decref(a);
}

Test(e2e, a_duration_scope_ends)
{
	json_t *a, *list;
	char *out;
	int fd;
	pid_t pid;

	pid = test_airlock_spawn(&D, &fd, "run", "--", "/bin/sh", "-c",
				 "/usr/bin/id -u; /usr/bin/id -u; sleep 2.5; /usr/bin/id -u", NULL);
	a = pending_one();
	cr_assert_eq(test_airlock(&D, NULL, NULL, "approve", id_str(a), "--scope", "2s", NULL), 0);
	json_decref(a);
	/* The second call rides on the grant; the third, after it ended, asks again. */
	list = test_daemon_wait_pending(&D, 1, 5000);
	cr_assert_not_null(list, "no ask after the scope ended");
	a = json_array_get(list, 0);
	cr_assert_eq(json_integer_value(json_object_get(a, "id")), 2);
	cr_assert_eq(test_airlock(&D, NULL, NULL, "approve", id_str(a), NULL), 0);
	out = test_read_all(fd, 5000);
	cr_assert_str_eq(out, "0\n0\n0\n");
	cr_assert_eq(test_wait_child(pid, 5000), 0);
	free(out);
	close(fd);
	json_decref(list);
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

Test(e2e, a_stopped_daemon_fails_parked_calls_closed)
{
	char *out, *log;
	json_t *a;
	int fd;
	pid_t pid;

	pid = test_airlock_spawn(&D, &fd, "run", "--", helper("exec_report"), "/usr/bin/id", NULL);
	a = pending_one();
	log = audit_text();
	cr_assert(strstr(log, "\"decision\":\"ask\""), "the ask is not in the audit log:\n%s",
		  log);
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
	cr_assert_eq(test_daemon_start(&d2, "version: 1\nrules:\n  - name: x\n    actoin: deny\n",
				       NULL),
		     -ECHILD);
	log = test_daemon_log(&d2);
	cr_assert(strstr(log, "policy.yaml:4:") && strstr(log, "cannot load the policy"),
		  "log:\n%s", log);
	free(log);
	test_daemon_stop(&d2);
}

Test(e2e, an_audit_rule_allows_and_records)
{
	char *out, *log;

	cr_assert_eq(test_airlock(&D, &out, NULL, "run", "--", "/usr/bin/printenv", "PATH", NULL),
		     0);
	cr_assert_neq(strlen(out), 0);
	free(out);
	log = audit_text();
	cr_assert(strstr(log, "\"rule\":\"watched\",\"decision\":\"allow\",\"decided_by\":"
			      "\"policy\"") &&
			  strstr(log, "\"action\":\"audit\""),
		  "audit log:\n%s", log);
	free(log);
}

/* An approved blocking connect is carried out by the daemon on the target's own socket
 * and completes asynchronously (notify_allow -> EINPROGRESS -> notify_complete). */
Test(e2e, an_approved_connect_completes_and_a_denied_one_fails)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	char script[128], *out;
	json_t *a;
	int lfd, fd, c;
	pid_t pid;

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(lfd, 0);
	cr_assert_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(lfd, 4), 0);
	cr_assert_eq(getsockname(lfd, (struct sockaddr *)&sa, &sl), 0);
	snprintf(script, sizeof(script), "exec 3<>/dev/tcp/127.0.0.1/%d && echo connected",
		 ntohs(sa.sin_port));

	pid = test_airlock_spawn(&D, &fd, "run", "--", "/bin/bash", "-c", script, NULL);
	a = pending_one();
	cr_assert_str_eq(json_string_value(json_object_get(a, "op")), "connect");
	cr_assert_str_eq(json_string_value(json_object_get(a, "rule")), "local-net");
	cr_assert_eq(test_airlock(&D, NULL, NULL, "approve", id_str(a), NULL), 0);
	out = test_read_all(fd, 5000);
	cr_assert_str_eq(out, "connected\n");
	cr_assert_eq(test_wait_child(pid, 5000), 0);
	c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	cr_assert_geq(c, 0, "the connection did not reach the listener");
	close(c);
	free(out);
	close(fd);
	json_decref(a);

	pid = test_airlock_spawn(&D, &fd, "run", "--", "/bin/bash", "-c", script, NULL);
	a = pending_one();
	cr_assert_eq(test_airlock(&D, NULL, NULL, "deny", id_str(a), NULL), 0);
	out = test_read_all(fd, 5000);
	cr_assert(strstr(out, "Operation not permitted") && !strstr(out, "connected"),
		  "bash said: %s", out);
	cr_assert_eq(test_wait_child(pid, 5000), 1);
	free(out);
	close(fd);
	close(lfd);
	json_decref(a);
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
					memcpy(st->names[i], st->names[st->n], sizeof(st->names[0]));
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

Test(e2e, an_unattached_session_is_one_per_connection_and_ends_with_it)
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
	cr_assert_eq(write(fd, "{\"op\":\"session.attach\",\"session\":1,\"pid\":1,\"fd\":0}\n", 51),
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
