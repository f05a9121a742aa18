// SPDX-License-Identifier: Apache-2.0
/*
 * Built-in hardening (agent/hardening.c) through a real airlockd and real `airlock run`
 * sessions, under a policy with no rules at all: what it refuses, and the everyday calls
 * of the same classes it must leave alone.  The attacks themselves are in test_escape*.c.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"

static struct test_daemon D;
static bool up;

static void start(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root (cgroups, seccomp listeners)");
	cr_assert_eq(test_daemon_start(&D, "version: 1\nrules: []\n", NULL), 0);
	up = true;
}

static void stop(void)
{
	if (up)
		cr_expect_eq(test_daemon_stop(&D), 0);
	up = false;
}

TestSuite(hardening, .init = start, .fini = stop, .timeout = 60);

/* sh -c SCRIPT in a session: its exit status, stdout+stderr in *ret_out. */
static int in_session(char **ret_out, const char *script)
{
	char *out = NULL, *err = NULL;
	int r;

	r = test_airlock(&D, &out, &err, "run", "--", "/bin/sh", "-c", script, NULL);
	cr_log_info("'%s' (status %d):\n%s%s", script, r, out ? out : "", err ? err : "");
	if (asprintf(ret_out, "%s%s", out ? out : "", err ? err : "") < 0)
		*ret_out = NULL;
	free(out);
	free(err);
	return r;
}

static bool audit_has(const char *needle)
{
	FILE *f = fopen(D.audit_path, "re");
	char line[16384];
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	if (f)
		fclose(f);
	return found;
}

/* Signals inside the session are the agent's business: job control, kill of a child,
 * its own process group. */
Test(hardening, signals_inside_the_session_go_through)
{
	char *out;
	int r;

	r = in_session(&out, "sleep 30 & p=$!; kill -TERM $p; wait $p; echo child=$?; "
			     "kill -0 0 && echo group=ok; kill -0 $$ && echo self=ok");
	cr_expect_eq(r, 0);
	cr_expect(out && strstr(out, "child=143") && strstr(out, "group=ok") &&
			  strstr(out, "self=ok"),
		  "%s", out);
	free(out);
}

/* A signal to a process outside, to everyone (-1), or to another process group is
 * refused with EPERM and audited, even with no rule in the policy. */
Test(hardening, signals_outside_the_session_are_refused)
{
	char script[256], *out;
	pid_t outside;

	outside = fork();
	cr_assert_geq(outside, 0);
	if (outside == 0) {
		setpgid(0, 0);
		pause();
		_exit(0);
	}
	snprintf(script, sizeof(script),
		 "kill -0 %d || echo pid=refused; kill -0 -%d || echo group=refused; "
		 "kill -0 -1 || echo all=refused; kill -0 %d || echo daemon=refused",
		 (int)outside, (int)outside, (int)D.pid);
	in_session(&out, script);
	cr_expect(out && strstr(out, "pid=refused") && strstr(out, "group=refused") &&
			  strstr(out, "all=refused") && strstr(out, "daemon=refused"),
		  "%s", out);
	cr_expect(out && !strstr(out, "No such process"), "%s", out);
	cr_expect(audit_has("\"rule\":\"hardening:reach-outside\""), "not audited");
	kill(outside, SIGKILL);
	test_wait_child(outside, 2000);
	free(out);
}

/* airlockd's runtime dir, the cgroup filesystem and /proc/PID of a process outside are
 * not the session's to change; its own files are. */
Test(hardening, daemon_files_and_cgroupfs_are_protected)
{
	char script[1024], *out;
	int r;

	snprintf(script, sizeof(script),
		 "echo x > %s/planted || echo runtime=refused; "
		 "rm -f %s/api.sock || echo socket=refused; "
		 "mkdir /sys/fs/cgroup/airlock-hardening-test || echo cgroup=refused; "
		 "echo 0 > /proc/%d/oom_score_adj || echo proc=refused; "
		 "echo 0 > /proc/self/oom_score_adj && echo self=ok; "
		 "echo x > %s/own && rm %s/own && echo own=ok",
		 D.runtime_dir, D.runtime_dir, (int)D.pid, D.dir, D.dir);
	r = in_session(&out, script);
	cr_expect_eq(r, 0);
	cr_expect(out && strstr(out, "runtime=refused") && strstr(out, "socket=refused") &&
			  strstr(out, "cgroup=refused") && strstr(out, "proc=refused") &&
			  strstr(out, "self=ok") && strstr(out, "own=ok"),
		  "%s", out);
	cr_expect(access(D.runtime_dir, F_OK) == 0);
	rmdir("/sys/fs/cgroup/airlock-hardening-test");
	free(out);
}

/* A mount no rule names is refused; `airlock status` says the hardening is on. */
Test(hardening, mount_needs_a_rule_and_status_says_so)
{
	char *out = NULL;
	int r;

	r = in_session(&out, "unshare -m sh -c 'mount -t tmpfs none /mnt' || echo mount=refused");
	cr_expect_eq(r, 0);
	cr_expect(out && strstr(out, "mount=refused"), "%s", out);
	cr_expect(audit_has("\"rule\":\"hardening:mount-needs-rule\""), "not audited");
	free(out);
	cr_assert_eq(test_airlock(&D, &out, NULL, "status", NULL), 0);
	cr_expect(out && strstr(out, "hardening: on"), "status:\n%s", out);
	free(out);
}
