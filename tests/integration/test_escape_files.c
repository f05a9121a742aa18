// SPDX-License-Identifier: Apache-2.0
/*
 * Escape attempts on protected files, against a real airlockd and real `airlock run`
 * sessions: every spelling of a path, links and renames, races against the daemon's
 * check, mounts, chroot, foreign syscall tables, read rules.  Each test runs
 * tests/helpers/escape_attack in a session and then checks the protected file itself, not
 * only what the attacker saw (tests/lib/escape.h).  See docs/threat-model.md.
 *
 * A test that fails here is a hole: it is kept failing, not weakened, until the gate closes
 * it (the threat model lists the open ones).
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"

/* A read rule alone. */
static const char POLICY_READ[] = "version: 1\n"
				  "rules:\n"
				  "  - name: secret\n"
				  "    match: { read: [\"@/target\"] }\n"
				  "    action: deny\n";

/* Run attack what under ESCAPE_POLICY_FILES and check that the protected file and name
 * came through it untouched: the attacker's output. */
static char *attack_protected_file(const char *what)
{
	char *out = escape_run(ESCAPE_POLICY_FILES, what, NULL);

	escape_assert_target_intact(out);
	return out;
}

TestSuite(escape_files, .init = escape_setup, .fini = escape_teardown, .timeout = 60);

Test(escape_files, path_spellings_reach_no_protected_file)
{
	char *out = attack_protected_file("paths");

	cr_expect(strstr(out, "HELD"), "the attacker reports an escape:\n%s", out);
	cr_expect(escape_audit_has("\"rule\":\"protect\""), "the denials were not audited");
	free(out);
}

Test(escape_files, links_renames_and_new_names_are_gated)
{
	char *out = attack_protected_file("names");

	cr_expect(strstr(out, "HELD"), "the attacker reports an escape:\n%s", out);
	free(out);
}

Test(escape_files, open_by_handle_at_is_refused)
{
	char *out = attack_protected_file("handle");

	cr_expect(strstr(out, "open_by_handle_at O_WRONLY: EPERM"), "%s", out);
	free(out);
}

Test(escape_files, racing_thread_rewriting_the_path_never_opens_the_file)
{
	char *out = attack_protected_file("race-buf");

	/* the race ran: the allowed spelling was opened on some tries */
	cr_expect(!strstr(out, " 0 allowed opens"), "the race never got an allowed open:\n%s", out);
	free(out);
}

Test(escape_files, symlink_swapped_between_check_and_use_never_opens_the_file)
{
	free(attack_protected_file("race-symlink"));
}

/* seccomp runs again after a tracer changes the syscall at a SECCOMP_RET_TRACE stop. */
Test(escape_files, tracer_rewriting_a_syscall_is_gated_again)
{
	char *out = attack_protected_file("trace-rewrite");

	cr_expect(strstr(out, "seccomp trace stops: 1"), "the rewrite never happened:\n%s", out);
	free(out);
}

/* HOLE while it fails: an allowed or approved open is performed by airlockd with openat2,
 * which follows symlinks in the middle of the decided path, and the fd is checked after
 * the open -- after O_TRUNC or O_CREAT have acted.  While an ask waits, the agent turns a
 * directory of the asked path into a symlink to the protected one; the approval then
 * truncates the protected file (the agent gets EACCES, too late). */
Test(escape_files, directory_swapped_while_an_ask_waits_changes_nothing)
{
	static const char policy[] = "version: 1\n"
				     "defaults:\n"
				     "  ask_timeout: 30s\n"
				     "rules:\n"
				     "  - name: protect\n"
				     "    match: { write: [\"@/target\"] }\n"
				     "    action: deny\n"
				     "  - name: careful\n"
				     "    match: { write: [\"@/work/rd/target\"] }\n"
				     "    action: ask\n";
	char swapped[160], req[128], *out, *r, *log;
	json_int_t first;
	json_t *list, *res;
	int fd = -1;
	pid_t pid;

	escape_start(policy);
	snprintf(swapped, sizeof(swapped), "%s/work/rd", esc.dir);
	cr_assert_eq(mkdir(swapped, 0755), 0);
	snprintf(swapped, sizeof(swapped), "%s/work/rd/target", esc.dir);
	escape_put(swapped, "decoy\n");
	snprintf(swapped, sizeof(swapped), "%s/work/swapped", esc.dir);
	pid = escape_spawn(&fd, NULL, "ask-swap", NULL);
	list = test_daemon_wait_pending(&esc.d, 1, 5000);
	cr_assert_not_null(list, "the open did not ask");
	first = escape_ask_id(json_array_get(list, 0));
	json_decref(list);
	/* Renaming rd and putting a symlink in its place change what rd/target names, so the
	 * rule asks about them too: approve those, as a human who missed it would, to test
	 * what the daemon does with the approved open after the swap. */
	for (int i = 0; i < 300 && access(swapped, F_OK) < 0; i++) {
		size_t k;
		json_t *a;

		list = test_daemon_wait_pending(&esc.d, 1, 10);
		json_array_foreach(list, k, a)
		{
			if (escape_ask_id(a) != first)
				escape_decide(escape_ask_id(a), "approve");
		}
		json_decref(list);
		usleep(10 * 1000);
	}
	/* this approval's answer is logged: it says what the daemon did with the open */
	snprintf(req, sizeof(req), "{\"op\":\"approve\",\"id\":%lld}", (long long)first);
	res = test_daemon_call(&esc.d, req);
	r = res ? json_dumps(res, JSON_COMPACT) : NULL;
	json_decref(res);
	out = escape_collect(pid, fd, 5000);
	log = test_daemon_log(&esc.d);
	cr_log_info("approve: %s\nairlockd:\n%s", r ? r : "(none)", log);
	free(log);
	log = escape_slurp(esc.d.audit_path);
	cr_log_info("audit:\n%s", log ? log : "");
	free(r);
	free(log);
	cr_expect(strstr(out, "symlink rd -> ..: ok"), "the swap did not happen:\n%s", out);
	escape_assert_target_intact(out);
	free(out);
}

/* A nameless object (a deleted file) is re-opened by airlockd through the target's
 * /proc/TID/fd/N; the target swaps fd N to the protected file under it. */
Test(escape_files, fd_swapped_under_a_reopen_never_touches_the_file)
{
	free(attack_protected_file("race-reopen"));
}

/* Under a policy of one rule, name, that denies writes to glob ('@' for DIR), DIR/prot/file
 * (ESCAPE_ORIGINAL) is attacked by renaming DIR/prot away, writing the file under the new
 * name and renaming it back: the attacker's output, and the file's content afterwards in
 * *ret_now (NULL when it is gone). */
static char *rename_tree_attack(const char *name, const char *glob, char **ret_now)
{
	char policy[256], p[160], *out;

	snprintf(policy, sizeof(policy),
		 "version: 1\n"
		 "rules:\n"
		 "  - name: %s\n"
		 "    match: { write: [\"%s\"] }\n"
		 "    action: deny\n",
		 name, glob);
	escape_start(policy);
	snprintf(p, sizeof(p), "%s/prot", esc.dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/prot/file", esc.dir);
	escape_put(p, ESCAPE_ORIGINAL);
	cr_assert_eq(escape_attack(&out, "rename-tree", NULL), 0);
	*ret_now = escape_slurp(p);
	return out;
}

/* A tree rule (DIR/prot and all below, as ~/.ssh is in the default policy): the tree's
 * own root must not be renamed away and back, or everything inside is written unasked. */
Test(escape_files, tree_rule_covers_renaming_the_tree_itself)
{
	char *now, *out = rename_tree_attack("tree", "@/prot/**", &now);

	cr_expect(now && strcmp(now, ESCAPE_ORIGINAL) == 0,
		  "a file of the tree was changed to '%s':\n%s", now ? now : "(gone)", out);
	free(now);
	free(out);
}

/* The default's git-hooks rule names entries of any .git/hooks directory, not the
 * directory: an unprivileged agent renames hooks/ away, writes pre-commit under the new
 * name and renames it back.  A rename is matched on the trees it moves (docs/policy.md). */
Test(escape_files, git_hook_is_not_planted_through_a_renamed_directory)
{
	static const char *const sub[] = { "repo", "repo/.git", "repo/.git/hooks" };
	struct passwd *pw = getpwnam("nobody");
	char p[160], *out;

	cr_assert_not_null(pw);
	escape_start(NULL);
	/* the agent's own repository */
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/work/%s", esc.dir, sub[i]);
		cr_assert_eq(mkdir(p, 0755), 0);
		cr_assert_eq(chown(p, pw->pw_uid, pw->pw_gid), 0);
	}
	out = escape_attack_denying_asks("nobody", "rename-hooks", NULL, NULL);
	snprintf(p, sizeof(p), "%s/work/repo/.git/hooks/pre-commit", esc.dir);
	cr_expect(access(p, F_OK) < 0, "a git hook was planted without an ask:\n%s", out);
	free(out);
}

/* A rule that names one file (not a tree): its directory must not be renamed away, the
 * file written under the new name, and the directory renamed back. */
Test(escape_files, file_rule_covers_renaming_its_directory)
{
	char *now, *out = rename_tree_attack("file", "@/prot/file", &now);

	cr_expect(now && strcmp(now, ESCAPE_ORIGINAL) == 0, "the file was changed to '%s':\n%s",
		  now ? now : "(gone)", out);
	cr_expect(strstr(out, "rename the tree away: EPERM"), "the rename was not denied:\n%s",
		  out);
	free(now);
	free(out);
}

/* Foreign ABIs are killed by the filter: SIGSYS, before anything is opened.  what: the
 * attack, spelled: what it tries. */
static void assert_killed_by_sigsys(const char *what, const char *spelled)
{
	char *out;
	int r;

	escape_start(ESCAPE_POLICY_FILES);
	r = escape_attack(&out, what, NULL);
	escape_assert_target_intact(out);
	cr_expect_eq(r, 128 + SIGSYS, "%s: status %d, expected SIGSYS:\n%s", spelled, r, out);
	free(out);
}

Test(escape_files, x32_syscall_numbers_are_killed)
{
	assert_killed_by_sigsys("x32", "x32 openat");
}

Test(escape_files, int80_syscalls_are_killed)
{
	assert_killed_by_sigsys("int80", "int 0x80 open");
}

/* A bind mount names the protected inode elsewhere.  The default policy denies mount. */
Test(escape_files, bind_mount_is_denied_by_the_default_policy)
{
	char *out = escape_run(NULL, "mount", NULL);

	cr_expect(strstr(out, "bind mount: EPERM"), "the bind mount was not denied:\n%s", out);
	cr_expect(strstr(out, "open_tree: EPERM"), "the new mount API was not denied:\n%s", out);
	free(out);
}

/* HOLE while it fails: a policy with write rules and no mount rule leaves mount(2)
 * ungated, and a bind mount of the protected file is written under its new name. */
Test(escape_files, bind_mount_does_not_bypass_a_write_rule)
{
	free(attack_protected_file("mount"));
}

/* HOLE while it fails: the gate reports paths relative to the target's root, so after a
 * chroot into the protected file's directory the file is "/target" to policy.  Root can
 * chroot; so can any user inside a user namespace of its own. */
Test(escape_files, chroot_does_not_rename_the_protected_file)
{
	free(attack_protected_file("chroot"));
}

Test(escape_files, chroot_in_a_user_namespace_does_not_rename_the_protected_file)
{
	struct passwd *pw = getpwnam("nobody");
	char *out;

	cr_assert_not_null(pw);
	escape_start(ESCAPE_POLICY_FILES);
	/* the agent's own file, as ~/.bashrc is */
	cr_assert_eq(chown(esc.target, pw->pw_uid, pw->pw_gid), 0);
	cr_assert_eq(chmod(esc.dir, 0777), 0);
	cr_assert_eq(escape_attack_as(&out, "nobody", "chroot", NULL), 0);
	escape_assert_target_intact(out);
	free(out);
}

/* A read rule: the secret's content must not come out under another name. */
Test(escape_files, read_rule_is_not_bypassed_by_a_hard_link_or_rename)
{
	char *out, *err, p[160], cmd[2048];
	int r;

	escape_start(POLICY_READ);
	escape_put(esc.target, "SECRET-7f3a\n");
	snprintf(p, sizeof(p), "%s/work/copy", esc.dir);
	/* ln then cat: two ordinary programs, as an agent's shell would run them */
	snprintf(cmd, sizeof(cmd), "cat %s; ln %s %s; cat %s; mv %s %s; cat %s", esc.target,
		 esc.target, p, p, esc.target, p, p);
	r = test_airlock(&esc.d, &out, &err, "run", "--", "/bin/sh", "-c", cmd, NULL);
	cr_log_info("status %d:\n%s%s", r, out, err);
	cr_expect(!strstr(out, "SECRET-7f3a"), "the secret was read through a hard link:\n%s", out);
	free(out);
	free(err);
}

/* HOLE while it fails: under a policy with read rules airlockd performs every open itself,
 * with the target's fsuid but its own other capabilities.  procfs files that check ptrace
 * access on open (maps, smaps, ...) then open with airlockd's CAP_SYS_PTRACE: an
 * unprivileged agent reads the memory layout of root's processes. */
Test(escape_files, procfs_ptrace_checks_apply_to_the_agent)
{
	char *out = NULL, *err = NULL;
	int r;

	escape_start(NULL);
	r = test_airlock(&esc.d, &out, &err, "run", "--user", "nobody", "--", "/usr/bin/head", "-c",
			 "64", "/proc/1/maps", NULL);
	cr_log_info("status %d:\n%s%s", r, out, err);
	cr_expect_neq(r, 0, "nobody read pid 1's maps through airlockd:\n%s", out);
	cr_expect(out && out[0] == '\0', "nobody read pid 1's maps through airlockd:\n%s", out);
	free(out);
	free(err);
}
