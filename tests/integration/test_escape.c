// SPDX-License-Identifier: Apache-2.0
/*
 * Escape attempts against the gate itself and the daemon behind it, with a real airlockd
 * and real `airlock run` sessions: a second listener, io_uring, leaving the session's
 * cgroup, a nested session, taking airlockd's listener, rewriting its policy or its audit
 * log, locking approvers out of its API, stalling or killing it.  Each test runs
 * tests/helpers/escape_attack inside a session and then checks what the attack was after
 * -- the session's cgroup, the audit log, the daemon still answering, a marker that a
 * forbidden program writes when it runs -- not only what the attacker saw.
 *
 * The other attacks are in test_escape_files.c (protected files), test_escape_exec.c
 * (exec and argv rules), test_escape_egress.c (connect rules) and test_escape_approve.c
 * (approvals); all share tests/lib/escape.h.  See docs/threat-model.md.
 *
 * A test that fails here is a hole: it is kept failing, not weakened, until the gate closes
 * it (the threat model lists the open ones).
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"

/* ---- the gate's own integrity ----------------------------------------------------------- */

TestSuite(escape_gate, .init = escape_setup, .fini = escape_teardown, .timeout = 60);

Test(escape_gate, no_second_notification_listener)
{
	char *out = escape_run(NULL, "listener", NULL);

	cr_expect(strstr(out, "seccomp NEW_LISTENER: EPERM"), "%s", out);
	cr_expect(strstr(out, "seccomp NEW_LISTENER high bits: EPERM"), "%s", out);
	cr_expect(strstr(out, "seccomp NEW_LISTENER|TSYNC: EPERM"), "%s", out);
	cr_expect(strstr(out, "plain seccomp filter: ok"), "plain filters must stay allowed:\n%s",
		  out);
	free(out);
}

Test(escape_gate, io_uring_is_refused)
{
	char *out = escape_run(NULL, "uring", NULL);

	cr_expect(strstr(out, "io_uring_setup: EPERM"), "%s", out);
	free(out);
}

/* The session's cgroup as /proc/PID/cgroup spells it: ".../airlock-test-.../sN". */
static void assert_stayed_in_session(const char *out)
{
	const char *l = strstr(out, "after cgroup: ");

	cr_assert_not_null(l, "no cgroup report:\n%s", out);
	cr_expect(strncmp(l + 14, "/", 1) == 0 && strstr(l, esc.d.cgroup_name),
		  "the attacker left the session's cgroup:\n%s", out);
}

Test(escape_gate, cgroup_procs_write_is_denied_by_the_default_policy)
{
	char *out = escape_run(NULL, "cgroup-move", escape_cgroup2_root(), NULL);

	assert_stayed_in_session(out);
	cr_expect(strstr(out, "HELD"), "%s", out);
	cr_expect(escape_audit_has("\"rule\":\"cgroup-escape\""), "the attempt was not audited");
	free(out);
}

/* HOLE while it fails: the move is closed by a rule of the default policy only; under a
 * policy without it, root in a session leaves its cgroup (and then counts as outside). */
Test(escape_gate, cgroup_procs_write_is_denied_whatever_the_policy)
{
	char *out = escape_run(ESCAPE_POLICY_ASK, "cgroup-move", escape_cgroup2_root(), NULL);

	assert_stayed_in_session(out);
	free(out);
}

Test(escape_gate, clone3_into_another_cgroup_is_refused)
{
	char *out = escape_run(ESCAPE_POLICY_ASK, "clone3", escape_cgroup2_root(), NULL);

	cr_expect(strstr(out, "clone3 CLONE_INTO_CGROUP: ENOSYS"), "%s", out);
	cr_expect(!strstr(out, "clone3 child cgroup"), "a clone3 child ran:\n%s", out);
	assert_stayed_in_session(out);
	free(out);
}

/* A nested `airlock run` would create a session from inside and hand over a listener. */
Test(escape_gate, nested_airlock_run_is_refused)
{
	char *out, *err, *log, bin[PATH_MAX + 16];
	int r;

	escape_start(NULL);
	snprintf(bin, sizeof(bin), "%s/airlock", test_build_dir());
	r = test_airlock(&esc.d, &out, &err, "run", "--", bin, "--runtime-dir", esc.d.runtime_dir,
			 "run", "--", escape_helper("escape_marker"), NULL);
	cr_log_info("status %d:\n%s%s", r, out, err);
	cr_expect_neq(r, 0, "the nested run succeeded");
	escape_assert_no_marker(err);
	/* refused by airlockd at session.create, not only later by the filter */
	cr_expect(strstr(err, "cannot start or attach a session"),
		  "the session was not refused by airlockd:\n%s", err);
	log = test_daemon_log(&esc.d);
	cr_expect(!strstr(log, "session 2 created"), "a session was created from inside one:\n%s",
		  log);
	free(log);
	free(out);
	free(err);
}

/* Neither the agent nor its launcher keeps a copy of the session's listener: the agent
 * (and, as the same user, the launcher's fds) could otherwise answer for airlockd. */
Test(escape_gate, no_listener_is_left_within_the_agents_reach)
{
	char *out;

	escape_start(ESCAPE_POLICY_FILES);
	cr_assert_eq(escape_attack_as(&out, "nobody", "find-listener", NULL), 0);
	cr_expect(strstr(out, "HELD"), "%s", out);
	free(out);
	cr_assert_eq(escape_attack(&out, "find-listener", NULL), 0);
	cr_expect(strstr(out, "HELD"), "%s", out);
	free(out);
}

static void steal_listener(const char *tmpl)
{
	char pid[16], *out;

	escape_start(tmpl);
	snprintf(pid, sizeof(pid), "%d", (int)esc.d.pid);
	out = escape_attack_denying_asks(NULL, "steal-listener", pid, NULL);
	kill(esc.d.pid, SIGCONT); /* whatever the attacker left */
	escape_assert_target_intact(out);
	cr_expect(escape_daemon_answers(1000), "airlockd does not answer after the attack");
	free(out);
}

/* With a ptrace rule (the embedded default has one, `ask`) pidfd_getfd asks first: the
 * listener stays airlockd's. */
Test(escape_gate, airlockd_listener_cannot_be_taken_under_the_default_policy)
{
	steal_listener("version: 1\n"
		       "rules:\n"
		       "  - name: protect\n"
		       "    match: { write: [\"@/target\"] }\n"
		       "    action: deny\n"
		       "  - name: ptrace\n"
		       "    match: { op: [ptrace] }\n"
		       "    action: ask\n");
}

/* HOLE while it fails (root): without a ptrace rule, pidfd_getfd on airlockd hands the
 * agent the session's own listener; SIGSTOP (never gated) keeps airlockd from answering
 * first, and the agent CONTINUEs its own denied open. */
Test(escape_gate, airlockd_listener_cannot_be_taken_whatever_the_policy)
{
	steal_listener(ESCAPE_POLICY_FILES);
}

/* HOLE while it fails (root): the policy file is an ordinary path to the gate, and a
 * reload is a signal.  A root agent under a policy that does not name the file rewrites it
 * to allow everything, sends SIGHUP, and runs what needed an ask.  (The embedded default
 * asks before writes under /etc, where the installed policy lives.) */
Test(escape_gate, agent_cannot_rewrite_the_policy_and_reload_it)
{
	char pid[16], *out;

	escape_start(ESCAPE_POLICY_ASK);
	snprintf(pid, sizeof(pid), "%d", (int)esc.d.pid);
	out = escape_attack_denying_asks(NULL, "policy-rewrite", esc.d.policy_path, pid);
	escape_assert_no_marker(out);
	free(out);
}

/* HOLE while it fails (root): airlockd caps API clients (1024 in all, 64 per non-root
 * uid); a root agent holds every slot and no approver can connect -- every ask then times
 * out.  (An unprivileged agent running as the approver's own uid does the same with 64.) */
Test(escape_gate, agent_cannot_lock_approvers_out_of_the_api)
{
	char sock[160], flooded[160];
	int fd = -1;
	pid_t pid;

	escape_start(ESCAPE_POLICY_ASK);
	snprintf(sock, sizeof(sock), "%s/api.sock", esc.d.runtime_dir);
	snprintf(flooded, sizeof(flooded), "%s/work/flooded", esc.dir);
	pid = escape_spawn(&fd, NULL, "api-flood", sock, NULL);
	for (int i = 0; i < 500 && access(flooded, F_OK) < 0; i++)
		usleep(10 * 1000);
	cr_expect(escape_daemon_answers(1000),
		  "an agent locked every client out of airlockd's API");
	escape_kill_sessions();
	free(escape_collect(pid, fd, 3000));
}

/* HOLE while it fails (root): the audit log is an ordinary file to the gate; the default
 * policy protects /var/lib and /etc but not airlockd's own log, wherever it is.  A root
 * agent erases the record of what it tried. */
Test(escape_gate, audit_log_cannot_be_erased_from_a_session)
{
	char *out, *text;

	escape_start(NULL);
	cr_assert_eq(escape_attack(&out, "audit", escape_cgroup2_root(), esc.d.audit_path, NULL),
		     0);
	text = escape_slurp(esc.d.audit_path);
	cr_expect(text && strstr(text, "\"rule\":\"cgroup-escape\""),
		  "the record of the denied attempt is gone; attacker:\n%s", out);
	free(text);
	free(out);
}

/* ---- the daemon's availability ------------------------------------------------------ */

TestSuite(escape_daemon, .init = escape_setup, .fini = escape_teardown, .timeout = 60);

/* HOLE while it fails: airlockd performs an allowed open itself, and an open of a FIFO
 * without a reader blocks -- in the daemon's one event loop.  Every session's gated calls
 * and every approval then wait on one unprivileged agent. */
Test(escape_daemon, fifo_open_does_not_block_the_daemon)
{
	char fifo[128], *log, *out;
	int fd = -1, rd;
	pid_t pid;

	escape_start(NULL);
	snprintf(fifo, sizeof(fifo), "%s/work/fifo", esc.dir);
	pid = escape_spawn(&fd, "nobody", "fifo", NULL);
	for (int i = 0; i < 100 && access(fifo, F_OK) < 0; i++)
		usleep(10 * 1000);
	usleep(200 * 1000);
	cr_expect(escape_daemon_answers(1000),
		  "airlockd stopped answering while an agent opened a FIFO");
	/* a reader releases whoever is blocked in the open */
	rd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	out = escape_collect(pid, fd, 3000);
	if (rd >= 0)
		close(rd);
	log = test_daemon_log(&esc.d);
	cr_log_info("airlockd:\n%s", log);
	cr_expect(strstr(out, "fifo open"), "the attacker never opened the FIFO:\n%s", out);
	free(out);
	free(log);
}

/* HOLE while it fails: airlockd reads a target's arguments with process_vm_readv in its
 * one loop; a root agent holds the page back with userfaultfd and the daemon waits for
 * it -- every session and every approval with it. */
Test(escape_daemon, userfaultfd_page_does_not_stall_the_daemon)
{
	char *out;
	int fd = -1;
	pid_t pid;

	escape_start(NULL);
	pid = escape_spawn(&fd, NULL, "uffd", NULL);
	usleep(500 * 1000);
	cr_expect(escape_daemon_answers(1000),
		  "airlockd stopped answering while an agent held a page with userfaultfd");
	escape_kill_sessions();
	out = escape_collect(pid, fd, 3000);
	/* Refusing userfaultfd to sessions (the syscall and /dev/userfaultfd) is one way to
	 * close this: then the attack does not get as far as the open. */
	if (!strstr(out, "opening a path in a userfaultfd page"))
		cr_log_info("no userfaultfd for the agent");
	free(out);
}

/* A session cannot signal airlockd (built-in hardening: signals aimed outside the session
 * are refused).  When airlockd dies anyway (the OOM killer, an admin), every session's gated
 * calls stop -- closed, never open: the kernel fails them once the listener is gone. */
Test(escape_daemon, killing_the_daemon_fails_closed)
{
	char pid[16], *out;
	int fd = -1;
	pid_t child;

	escape_start(ESCAPE_POLICY_FILES);
	snprintf(pid, sizeof(pid), "%d", (int)esc.d.pid);
	child = escape_spawn(&fd, NULL, "kill-daemon", pid, NULL);
	usleep(400 * 1000);
	cr_expect(escape_daemon_answers(1000), "a session killed airlockd");
	kill(esc.d.pid, SIGKILL);
	out = escape_collect(child, fd, 5000);
	cr_expect(strstr(out, "kill airlockd: EPERM"), "%s", out);
	escape_assert_target_intact(out);
	cr_expect(strstr(out, "open the protected file with airlockd gone: ENOSYS"), "%s", out);
	/* the daemon died by our signal: its exit status says nothing */
	test_daemon_stop(&esc.d);
	esc.daemon_up = false;
	free(out);
}
