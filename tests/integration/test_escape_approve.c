// SPDX-License-Identifier: Apache-2.0
/*
 * Escape attempts on approvals, against a real airlockd and real `airlock run` sessions:
 * an agent approving its own ask (directly, as root, from a grandchild, after leaving its
 * cgroup, through the launcher's connection), a stale id after pid reuse, and control
 * characters that would disguise an ask.  The test checks the pending table and the
 * marker the asked-about program writes when it runs, not only what the attacker saw
 * (tests/lib/escape.h).  See docs/threat-model.md, "Approvals".
 *
 * A test that fails here is a hole: it is kept failing, not weakened, until the gate closes
 * it (the threat model lists the open ones).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"

TestSuite(escape_approve, .init = escape_setup, .fini = escape_teardown, .timeout = 60);

/* The ask the attacker started is still pending and never ran; the test denies it. */
static void assert_ask_undecided(const char *out)
{
	json_t *list = test_daemon_wait_pending(&esc.d, 1, 3000);
	char *o = NULL, *e = NULL;
	char id[32];

	cr_assert_not_null(list, "the attacker's ask is no longer pending; attacker:\n%s", out);
	snprintf(id, sizeof(id), "%lld", (long long)escape_ask_id(json_array_get(list, 0)));
	json_decref(list);
	cr_expect_eq(test_airlock(&esc.d, &o, &e, "deny", id, NULL), 0, "deny failed: %s", e);
	free(o);
	free(e);
	usleep(100 * 1000);
	escape_assert_no_marker(out);
}

/* airlockd's api.sock, where the attacker sends its approvals (once airlockd runs). */
static const char *api_sock(void)
{
	static char sock[160];

	snprintf(sock, sizeof(sock), "%s/api.sock", esc.d.runtime_dir);
	return sock;
}

/* Under policy, the attacker (as user; NULL: as root) tries to approve its own ask through
 * api.sock, by way of how (and arg); it must be refused, and the ask stay pending. */
static void self_approve(const char *policy, const char *user, const char *how, const char *arg)
{
	char *out;

	escape_start(policy);
	if (user) {
		/* a deployment's /run/airlock is reachable by every user (approvers are
		 * checked by SO_PEERCRED, not by file modes) */
		cr_assert_eq(chmod(esc.d.dir, 0755), 0);
		cr_assert_eq(chmod(esc.d.runtime_dir, 0755), 0);
		escape_attack_as(&out, user, "selfapprove", api_sock(), how, arg, NULL);
	} else {
		cr_assert_eq(escape_attack(&out, "selfapprove", api_sock(), how, arg, NULL), 0);
	}
	cr_expect(!strstr(out, "approved its own ask"), "an agent approved itself:\n%s", out);
	/* an unprivileged client may be turned away earlier, as no approver at all */
	cr_expect(strstr(out, "cannot approve or deny") ||
			  (user && strstr(out, "approvals need root")),
		  "no refusal seen:\n%s", out);
	assert_ask_undecided(out);
	free(out);
}

Test(escape_approve, session_process_cannot_approve_its_own_ask)
{
	self_approve(ESCAPE_POLICY_ASK, NULL, "plain", NULL);
}

/* HOLE while it fails: the default policy gates AF_UNIX connects, so airlockd performs the
 * agent's connect to api.sock itself -- and SO_PEERCRED then names airlockd. */
Test(escape_approve, session_process_cannot_approve_under_the_default_policy)
{
	self_approve(NULL, NULL, "plain", NULL);
}

/* The same as an unprivileged user: the emulated connect carries airlockd's euid 0. */
Test(escape_approve, unprivileged_session_cannot_approve_under_the_default_policy)
{
	self_approve(NULL, "nobody", "plain", NULL);
}

Test(escape_approve, root_inside_the_session_cannot_approve)
{
	self_approve(ESCAPE_POLICY_ASK, NULL, "setuid", NULL);
}

Test(escape_approve, daemonized_grandchild_cannot_approve)
{
	self_approve(ESCAPE_POLICY_ASK, NULL, "daemon", NULL);
}

/* Leave the cgroup, then approve: the default policy denies the move. */
Test(escape_approve, cgroup_move_then_approve_fails_under_the_default_policy)
{
	self_approve(NULL, NULL, "escape", escape_cgroup2_root());
}

/* HOLE while it fails: the same chain under a policy without the cgroup rule. */
Test(escape_approve, cgroup_move_then_approve_fails_whatever_the_policy)
{
	self_approve(ESCAPE_POLICY_ASK, NULL, "escape", escape_cgroup2_root());
}

/* HOLE while it fails: `airlock run`'s launcher sits outside the session with the same
 * uid and keeps its API connection open; pidfd_getfd (not gated without a ptrace rule)
 * hands that connection to the agent, and the daemon trusts the launcher's credentials. */
Test(escape_approve, launcher_api_connection_cannot_be_stolen)
{
	char *out = escape_run(ESCAPE_POLICY_ASK, "steal-api", NULL);

	cr_expect(!strstr(out, "approved its own ask"), "an agent approved itself:\n%s", out);
	assert_ask_undecided(out);
	free(out);
}

/* ---- pid reuse ------------------------------------------------------------------------ */

/* One pending ask whose id is not not_id (a new reference), json_null() once the table is
 * empty when not_id is -1, NULL on timeout. */
static json_t *wait_pending_change(json_int_t not_id, int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms; waited += 20) {
		json_t *res = test_daemon_call(&esc.d, "{\"op\":\"pending\"}");
		json_t *list = json_object_get(res, "pending");

		if (list && json_array_size(list) == 1 &&
		    escape_ask_id(json_array_get(list, 0)) != not_id) {
			json_t *a = json_incref(json_array_get(list, 0));

			json_decref(res);
			return a;
		}
		if (list && json_array_size(list) == 0 && not_id == -1) {
			json_decref(res);
			return json_null();
		}
		json_decref(res);
		usleep(20 * 1000);
	}
	return NULL;
}

/* A target killed while its ask is pending: the ask goes (audited as gone), and an approve
 * of its id -- even once a new process of the same session holds the same pid, waiting on
 * an ask of its own -- reaches nobody. */
Test(escape_approve, approve_after_pid_reuse_reaches_nobody)
{
	json_t *a, *b, *res;
	json_int_t id1;
	pid_t p1, run1, run2;
	char req[128], buf[32];
	int fd;

	escape_start(ESCAPE_POLICY_ASK);
	run1 = test_airlock_spawn(&esc.d, NULL, "run", "--", esc.sudo, NULL);
	cr_assert_gt(run1, 0);
	a = wait_pending_change(-2, 5000);
	cr_assert(a && json_is_object(a), "no ask from the first session");
	id1 = escape_ask_id(a);
	p1 = (pid_t)json_integer_value(json_object_get(a, "pid"));
	json_decref(a);
	cr_assert_gt(p1, 1);
	cr_assert_eq(kill(p1, SIGKILL), 0);
	test_wait_child(run1, 5000);
	a = wait_pending_change(-1, 3000);
	cr_expect(a && json_is_null(a), "the dead target's ask is still pending");
	json_decref(a);
	cr_expect(escape_audit_has("\"decision\":\"gone\""),
		  "the dead target's ask was not audited");

	/* The next pids go to the second launcher and its command: ask for p1 again. */
	fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		snprintf(buf, sizeof(buf), "%d", (int)p1 - 2);
		if (write(fd, buf, strlen(buf)) < 0)
			cr_log_warn("ns_last_pid: %s", strerror(errno));
		close(fd);
	}
	run2 = test_airlock_spawn(&esc.d, NULL, "run", "--", esc.sudo, NULL);
	cr_assert_gt(run2, 0);
	b = wait_pending_change(id1, 5000);
	cr_assert(b && json_is_object(b), "no ask from the second session");
	if ((pid_t)json_integer_value(json_object_get(b, "pid")) != p1)
		cr_log_warn("pid %d was not reused (pid %d asks now; another process took it): "
			    "the stale approve is still checked",
			    (int)p1, (int)json_integer_value(json_object_get(b, "pid")));
	/* not escape_decide(): the answer is the point */
	snprintf(req, sizeof(req), "{\"op\":\"approve\",\"id\":%lld}", (long long)id1);
	res = test_daemon_call(&esc.d, req);
	cr_assert_not_null(res);
	cr_expect(!json_is_true(json_object_get(res, "ok")), "the stale id was approved");
	json_decref(res);
	usleep(100 * 1000);
	escape_assert_no_marker("(the stale approve)");
	/* the new ask is untouched: still pending, still its own */
	a = wait_pending_change(id1, 1000);
	cr_expect(a && json_is_object(a), "the second session's ask was disturbed");
	escape_decide(escape_ask_id(b), "deny");
	json_decref(a);
	json_decref(b);
	cr_expect_neq(test_wait_child(run2, 5000), 0, "the denied exec succeeded");
	escape_assert_no_marker("(the second session)");
}

/* What a human approves is what airlock shows.  An agent that puts terminal control
 * sequences in an argument could redraw the line `airlock pending` or `airlock watch`
 * prints and pass `sudo ...` off as `ls`: the CLI must show them escaped. */
Test(escape_approve, control_characters_cannot_disguise_an_ask)
{
	char *out = NULL, *err = NULL, *watched;
	int wfd = -1, r;
	pid_t pid, watch;
	json_t *list;

	escape_start(ESCAPE_POLICY_ASK);
	watch = test_airlock_spawn(&esc.d, &wfd, "watch", NULL);
	cr_assert_gt(watch, 0);
	usleep(200 * 1000);
	pid = test_airlock_spawn(&esc.d, NULL, "run", "--", esc.sudo, "\033[2K\r\033[1Als -la\n",
				 NULL);
	cr_assert_gt(pid, 0);
	list = test_daemon_wait_pending(&esc.d, 1, 5000);
	cr_assert_not_null(list, "no ask");
	r = test_airlock(&esc.d, &out, &err, "pending", NULL);
	cr_expect_eq(r, 0, "'airlock pending' failed: %s", err);
	cr_expect(out && strstr(out, "sudo") && !strchr(out, '\033') && !strchr(out, '\r'),
		  "'airlock pending' shows raw control characters from the agent");
	free(out);
	free(err);
	usleep(200 * 1000);
	kill(watch, SIGTERM);
	test_wait_child(watch, 2000);
	watched = test_read_all(wfd, 1000);
	close(wfd);
	cr_expect(watched && strstr(watched, "sudo") && !strchr(watched, '\033') &&
			  !strchr(watched, '\r'),
		  "'airlock watch' shows raw control characters from the agent (or nothing)");
	free(watched);
	escape_decide(escape_ask_id(json_array_get(list, 0)), "deny");
	json_decref(list);
	test_wait_child(pid, 5000);
}
