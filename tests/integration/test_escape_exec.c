// SPDX-License-Identifier: Apache-2.0
/*
 * Escape attempts on exec rules, against a real airlockd and real `airlock run` sessions:
 * every spelling of a forbidden program, #! scripts, setuid programs, races on the path
 * and argv after the decision, and argv rules against getopt's leniency.  The test checks
 * the marker that the forbidden program (DIR/bin/sudo) writes when it runs, or the
 * directory a forbidden `rm -r` would delete, not only what the attacker saw
 * (tests/lib/escape.h).  See docs/threat-model.md, "Exec" and "Arguments".
 *
 * A test that fails here is a hole: it is kept failing, not weakened, until the gate closes
 * it (the threat model lists the open ones).
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"

/* Run attack what (with arg, may be NULL) under ESCAPE_POLICY_FILES and check that the
 * forbidden program never ran: the attacker's output. */
static char *attack_forbidden_exec(const char *what, const char *arg)
{
	char *out = escape_run(ESCAPE_POLICY_FILES, what, arg, NULL);

	escape_assert_no_marker(out);
	return out;
}

/* DIR/work/victim: the directory a forbidden `rm -r` would delete. */
static const char *victim(void)
{
	static char path[160];

	snprintf(path, sizeof(path), "%s/work/victim", esc.dir);
	return path;
}

TestSuite(escape_exec, .init = escape_setup, .fini = escape_teardown, .timeout = 60);

Test(escape_exec, every_spelling_of_the_forbidden_exec_is_denied)
{
	char *out = attack_forbidden_exec("exec", NULL);

	/* each route reached the gate: the denials are audited */
	cr_expect(escape_audit_has("\"rule\":\"forbidden-exec\""), "no exec denial audited");
	free(out);
}

/* HOLE while it fails: the kernel execs a #! interpreter itself; the gate saw only the
 * script's execve. */
Test(escape_exec, shebang_naming_the_forbidden_program_is_denied)
{
	free(attack_forbidden_exec("exec-script", NULL));
}

/* A setuid program cannot be hard-linked by a user who does not own it
 * (fs.protected_hardlinks), and a copy loses the setuid bit: the rule's name holds. */
Test(escape_exec, unprivileged_user_cannot_hard_link_a_setuid_program)
{
	char *out, *ph = escape_slurp("/proc/sys/fs/protected_hardlinks");

	if (!ph || ph[0] != '1')
		cr_skip_test("fs.protected_hardlinks is off");
	free(ph);
	escape_start(ESCAPE_POLICY_FILES);
	cr_assert_eq(chmod(esc.sudo, 04755), 0);
	cr_assert_eq(escape_attack_as(&out, "nobody", "exec-hardlink", NULL), 0);
	cr_expect(strstr(out, "hard link to sudo: EPERM"), "%s", out);
	escape_assert_no_marker(out);
	free(out);
}

/* Started by an unprivileged user, `airlock run` sets no_new_privs: a setuid program
 * (here allowed by policy, and reached through a #! line) runs without its privilege. */
Test(escape_exec, unprivileged_launcher_sessions_cannot_gain_privilege)
{
	static const char policy[] = "version: 1\n"
				     "rules:\n"
				     "  - name: watch\n"
				     "    match: { exec: [sudo] }\n"
				     "    action: audit\n";
	struct passwd *pw = getpwnam("nobody");
	char bin[PATH_MAX + 16], script[160], *m;
	int status = -1;
	pid_t pid;

	cr_assert_not_null(pw);
	escape_start(policy);
	cr_assert_eq(chmod(esc.sudo, 04755), 0);
	cr_assert_eq(chmod(esc.d.dir, 0755), 0);
	cr_assert_eq(chmod(esc.d.runtime_dir, 0755), 0);
	cr_assert_eq(chmod(esc.dir, 0777), 0);
	snprintf(script, sizeof(script), "%s/work/script", esc.dir);
	snprintf(bin, sizeof(bin), "#!%s\n", esc.sudo);
	escape_put(script, bin);
	cr_assert_eq(chmod(script, 0755), 0);
	snprintf(bin, sizeof(bin), "%s/airlock", test_build_dir());
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		dup2(null, 1);
		dup2(null, 2);
		if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
			_exit(120);
		execl(bin, "airlock", "--runtime-dir", esc.d.runtime_dir, "run", "--", "/bin/sh",
		      "-c", "\"$0\"; \"$1\"", esc.sudo, script, (char *)NULL);
		_exit(121);
	}
	status = test_wait_child(pid, 10000);
	m = escape_slurp(esc.marker);
	cr_log_info("status %d, marker:\n%s", status, m ? m : "(none)");
	cr_assert_not_null(m, "the setuid program did not run at all (status %d)", status);
	cr_expect(!strstr(m, "euid=0"), "a session of an unprivileged user ran as root:\n%s", m);
	free(m);
}

/* HOLE while it fails: the same #! route for an unprivileged user and a setuid-root
 * program: the interpreter's setuid bit applies, and nobody asked. */
Test(escape_exec, shebang_does_not_run_a_setuid_program_unasked)
{
	char *out;

	escape_start(ESCAPE_POLICY_FILES);
	cr_assert_eq(chmod(esc.sudo, 04755), 0);
	cr_assert_eq(escape_attack_as(&out, "nobody", "exec-script", NULL), 0);
	escape_assert_no_marker(out);
	free(out);
}

/* HOLE while it fails: exec is answered with CONTINUE, and the kernel reads the path again
 * after the decision (docs/gate.md leaves the check to the BPF exec hook). */
Test(escape_exec, racing_thread_rewriting_the_exec_path)
{
	free(attack_forbidden_exec("exec-race", esc.marker));
}

/* HOLE while it fails: the same CONTINUE lets a thread turn an allowed `rm -f` into the
 * denied `rm -r` after the decision: argv rules are as racy as the path. */
Test(escape_exec, racing_thread_rewriting_the_exec_argv)
{
	char *out = escape_run(ESCAPE_POLICY_FILES, "argv-race", NULL);

	cr_expect(access(victim(), F_OK) == 0, "rm -r ran past a deny rule:\n%s", out);
	free(out);
}

/* HOLE while it fails: an exec's argv is kept up to AL_ARGV_MAX arguments; a rule on
 * arguments (the default's recursive-delete) does not see an -r placed after them, and
 * GNU rm takes options anywhere.  A truncated argv must count as matching. */
Test(escape_exec, recursive_delete_flag_past_the_kept_arguments_still_asks)
{
	char *out;
	int fd = -1;
	pid_t pid;

	escape_start(NULL);
	pid = escape_spawn(&fd, NULL, "rm-truncated", NULL);
	out = escape_deny_first_ask(pid, fd);
	cr_expect(access(victim(), F_OK) == 0, "rm -r ran without an ask:\n%s", out);
	free(out);
}

/* HOLE while it fails: GNU getopt accepts any unambiguous prefix of a long option, and
 * `--r` is one for `--recursive`: `rm --rec DIR` deletes a tree, and an argv glob that
 * spells out "--recursive" does not see it (the embedded default's recursive-delete). */
Test(escape_exec, abbreviated_long_option_still_asks)
{
	char file[192], *out;
	int fd = -1;
	pid_t pid;

	escape_start(NULL);
	snprintf(file, sizeof(file), "%s/file", victim());
	cr_assert_eq(mkdir(victim(), 0755), 0);
	escape_put(file, "keep\n");
	pid = test_airlock_spawn(&esc.d, &fd, "run", "--", "/bin/rm", "--rec", victim(), NULL);
	cr_assert_gt(pid, 0);
	out = escape_deny_first_ask(pid, fd);
	cr_expect(access(victim(), F_OK) == 0, "rm --rec ran without an ask:\n%s", out);
	free(out);
}
