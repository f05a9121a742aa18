// SPDX-License-Identifier: Apache-2.0
/*
 * End to end: a real build/airlockd, real `airlock run` sessions (real seccomp listeners,
 * real cgroups), real processes, and the real CLI deciding.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#include "e2e.h"

TestSuite(e2e, .init = e2e_start, .fini = e2e_stop, .timeout = 60);

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

	pid = test_airlock_spawn(&D, &fd, "run", "--", helper("exec_report"), "/usr/bin/id", NULL);
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
	r = test_airlock(&D, &out, NULL, "run", "--", helper("exec_report"), "/usr/bin/true", NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	cr_assert_eq(r, 1);
	cr_assert_str_eq(out, "exec failed: EPERM\n");
	cr_assert(secs >= 0.9 && secs < 8.0, "the 1s ask took %.2fs", secs);
	free(out);

	/* on_timeout: allow */
	r = test_airlock(&D, &out, NULL, "run", "--", helper("exec_report"), "/usr/bin/false",
			 NULL);
	cr_assert_eq(r, 1, "/usr/bin/false did not run (status %d, output '%s')", r, out);
	cr_assert_str_eq(out, "");
	free(out);

	log = audit_text();
	cr_assert(
		strstr(log, "\"rule\":\"quick\",\"decision\":\"deny\",\"decided_by\":\"timeout\""),
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
 * CLI reached the API through a connect the gate performed for it (SO_PEERCRED names a
 * connector in the session's cgroup).  Without a connect rule the CLI connects by itself:
 * refused as well. */
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
	cr_assert_neq(
		json_integer_value(json_object_get(json_array_get(list, 0), "session")) +
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
			cr_assert_str_eq(json_string_value(json_object_get(ev, "decision")),
					 "allow");
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
	cr_assert_str_eq(
		json_string_value(json_object_get(json_object_get(st, "policy"), "source")),
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
				 "/usr/bin/id -u; /usr/bin/id -u; sleep 3.5; /usr/bin/id -u", NULL);
	a = pending_one();
	cr_assert_eq(test_airlock(&D, NULL, NULL, "approve", id_str(a), "--scope", "3s", NULL), 0);
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
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
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

/* The BPF layer counts a session's forks and execs by its cgroup id: status shows them. */
Test(e2e, status_counts_a_sessions_forks_and_execs)
{
	json_t *st, *s, *c = NULL;
	pid_t pid;
	int fd, i;

	pid = test_airlock_spawn(&D, &fd, "run", "--", "/bin/sh", "-c",
				 "/bin/echo; /bin/echo; /bin/echo; exec /bin/sleep 3", NULL);
	cr_assert_gt(pid, 0);
	for (i = 0; i < 200; i++) {
		st = test_daemon_call(&D, "{\"op\":\"status\"}");
		s = json_array_get(json_object_get(st, "sessions"), 0);
		c = json_object_get(s, "counters");
		if (s && !c) {
			json_decref(st);
			kill(pid, SIGKILL);
			test_wait_child(pid, 5000);
			cr_skip_test("the BPF layer is not active here");
		}
		/* sh, 3 x echo (not gated by POLICY), sleep: five execs, three forks. */
		if (c && json_integer_value(json_object_get(c, "execs")) >= 5 &&
		    json_integer_value(json_object_get(c, "forks")) >= 3) {
			json_decref(st);
			break;
		}
		json_decref(st);
		usleep(20 * 1000);
	}
	cr_assert_lt(i, 200, "the counters never reached 5 execs and 3 forks");
	kill(pid, SIGTERM);
	test_wait_child(pid, 5000);
	close(fd);
}

/* An exec whose argv did not fit the daemon's copy has no key: a wider scope would cover
 * arguments nobody saw, so it is approved once and the approver is told. */
Test(e2e, a_scope_is_refused_for_a_cut_argv_and_the_approver_told)
{
	static char big[40000];
	json_t *a;
	char *err;
	int fd, r;
	pid_t pid;

	memset(big, 'x', sizeof(big) - 1);
	pid = test_airlock_spawn(&D, &fd, "run", "--", "/usr/bin/id", big, NULL);
	a = pending_one();
	cr_assert(json_is_true(json_object_get(a, "argv_truncated")));
	r = test_airlock(&D, NULL, &err, "approve", id_str(a), "--scope", "session", NULL);
	cr_assert_eq(r, 0);
	cr_assert(strstr(err, "allowed once only"), "stderr: %s", err);
	free(err);
	/* id ran (and refused its odd operand): the call was allowed. */
	cr_assert_eq(test_wait_child(pid, 5000), 1);
	close(fd);
	json_decref(a);
}

/* The child of airlockd whose cgroup is below this daemon's session base: a connector. */
static pid_t session_child_of_airlockd(char *ret_cgroup, size_t len)
{
	char file[96], list[512], line[512], *p, *end;
	pid_t found = 0;
	FILE *f;

	snprintf(file, sizeof(file), "/proc/%d/task/%d/children", (int)D.pid, (int)D.pid);
	f = fopen(file, "re");
	if (!f)
		return 0;
	if (!fgets(list, sizeof(list), f))
		list[0] = '\0';
	fclose(f);
	for (p = list; !found; p = end) {
		long pid = strtol(p, &end, 10);

		if (end == p)
			break;
		snprintf(file, sizeof(file), "/proc/%ld/cgroup", pid);
		f = fopen(file, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (strncmp(line, "0::", 3) == 0 && strstr(line, D.cgroup_name)) {
				line[strcspn(line, "\n")] = '\0';
				snprintf(ret_cgroup, len, "%s", line + 3);
				found = (pid_t)pid;
			}
		fclose(f);
	}
	return found;
}

/* An allowed AF_UNIX connect from a session reaches its server from a connector in the
 * session's cgroup, never from airlockd: a server that trusts a peer pid must not see a
 * root daemon.  A full backlog keeps the connector waiting so that it can be looked at. */
Test(e2e, an_allowed_unix_connect_is_not_made_by_airlockd)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	char dir[] = "/tmp/al-e2e-unix-XXXXXX", cg[512] = "", buf[8] = "", *out;
	struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };
	struct ucred peer;
	socklen_t len = sizeof(peer);
	int srv, prefill, conn, fd, i;
	pid_t pid, connector = 0;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(un.sun_path, sizeof(un.sun_path), "%s/sock", dir);
	srv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_eq(bind(srv, (struct sockaddr *)&un, sizeof(un)), 0);
	cr_assert_eq(listen(srv, 0), 0);
	prefill = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_eq(connect(prefill, (struct sockaddr *)&un, sizeof(un)), 0);

	/* no rule names the socket: allowed */
	pid = test_airlock_spawn(&D, &fd, "run", "--", helper("unix_hello"), un.sun_path, NULL);
	cr_assert_gt(pid, 0);
	for (i = 0; i < 500 && !connector; i++) {
		connector = session_child_of_airlockd(cg, sizeof(cg));
		if (!connector)
			nanosleep(&tick, NULL);
	}
	cr_assert_gt(connector, 0, "no connector in a session cgroup while the connect waited");
	cr_log_info("airlockd %d, connector %d in '%s'", (int)D.pid, (int)connector, cg);
	conn = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
	cr_assert_geq(conn, 0);
	close(conn);
	close(prefill);

	out = test_read_all(fd, 5000);
	cr_assert_str_eq(out, "connected\n");
	cr_assert_eq(test_wait_child(pid, 5000), 0);
	conn = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
	cr_assert_geq(conn, 0, "the connection did not reach the server");
	cr_assert_eq(getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &peer, &len), 0);
	cr_assert_neq(peer.pid, D.pid, "the server's peer is airlockd");
	cr_assert_eq(peer.pid, connector);
	cr_assert_eq(read(conn, buf, 5), 5);
	cr_assert_str_eq(buf, "hello");
	close(conn);
	close(srv);
	free(out);
	close(fd);
	unlink(un.sun_path);
	rmdir(dir);
}
