// SPDX-License-Identifier: Apache-2.0
/*
 * Escape attempts against a real airlockd and real `airlock run` sessions.  Each test
 * runs tests/helpers/escape_attack inside a session and then checks what the attack was
 * after -- the protected file's content, a name that must not exist, the session's cgroup,
 * a listening socket that must stay silent, a marker that a forbidden program writes when
 * it runs, the pending table -- not only what the attacker saw.  See docs/threat-model.md.
 *
 * A test that fails here is a hole: it is kept failing, not weakened, until the gate closes
 * it (the threat model lists the open ones).
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"

static struct test_daemon D;
static bool daemon_up;
static char dir[64]; /* the attack's DIR (see escape_attack.c) */
static char target[128], absent[128], marker[128], sudo[128], sockpath[100];
static char attacker[128]; /* a copy of escape_attack inside DIR, for --user runs */

#define ORIGINAL "ORIGINAL\n"

static const char *cgroup2_root(void);

/* ---- set-up ------------------------------------------------------------------------ */

static int copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out, r = 0;
	ssize_t n;

	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		r = -errno;
		close(in);
		return r;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			r = -EIO;
			break;
		}
	close(in);
	close(out);
	if (r == 0 && chmod(to, mode) < 0)
		r = -errno;
	return r;
}

static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	cr_assert_geq(fd, 0, "cannot create '%s': %s", path, strerror(errno));
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static char *slurp(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *s;

	if (fd < 0)
		return NULL;
	s = test_read_all(fd, 1000);
	close(fd);
	return s;
}

static const char *helper(const char *name)
{
	static char path[2][PATH_MAX + 64];
	static int i;

	i ^= 1;
	snprintf(path[i], sizeof(path[i]), "%s/tests/helpers/%s", test_build_dir(), name);
	return path[i];
}

/* DIR with target, targeu, work/, bin/sudo (the marker program), bin/sudx (/bin/true). */
static void layout(void)
{
	char p[160];

	snprintf(dir, sizeof(dir), "/tmp/airlock-escape-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(chmod(dir, 0755), 0);
	snprintf(target, sizeof(target), "%s/target", dir);
	snprintf(absent, sizeof(absent), "%s/absent", dir);
	snprintf(marker, sizeof(marker), "%s/marker", dir);
	snprintf(sudo, sizeof(sudo), "%s/bin/sudo", dir);
	snprintf(sockpath, sizeof(sockpath), "%s/sock", dir);
	snprintf(attacker, sizeof(attacker), "%s/bin/escape_attack", dir);
	put(target, ORIGINAL);
	snprintf(p, sizeof(p), "%s/targeu", dir);
	put(p, "unprotected\n");
	snprintf(p, sizeof(p), "%s/work", dir);
	cr_assert_eq(mkdir(p, 0777), 0);
	cr_assert_eq(chmod(p, 0777), 0);
	snprintf(p, sizeof(p), "%s/bin", dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	cr_assert_eq(copy_file(helper("escape_marker"), sudo, 0755), 0);
	snprintf(p, sizeof(p), "%s/bin/sudx", dir);
	cr_assert_eq(copy_file("/bin/true", p, 0755), 0);
	cr_assert_eq(copy_file(helper("escape_attack"), attacker, 0755), 0);
	/* the marker program finds its file through the environment airlock run passes on */
	setenv("ESCAPE_MARKER", marker, 1);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	umount2(path, MNT_DETACH);
	return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

static void teardown(void)
{
	if (daemon_up) {
		int r = test_daemon_stop(&D);

		daemon_up = false;
		cr_expect_eq(r, 0, "airlockd exited with %d", r);
	}
	if (dir[0])
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	dir[0] = '\0';
}

static void need_root(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root (cgroups, seccomp listeners taken with pidfd_getfd)");
	layout();
}

/* policy text with every "@" replaced by DIR */
static char *policy_for(const char *tmpl)
{
	size_t n = strlen(tmpl), k = 0;
	char *out = malloc(n * 4 + 4096);

	cr_assert_not_null(out);
	for (size_t i = 0; i < n; i++) {
		if (tmpl[i] == '@') {
			strcpy(out + k, dir);
			k += strlen(dir);
		} else {
			out[k++] = tmpl[i];
		}
	}
	out[k] = '\0';
	return out;
}

static void start(const char *tmpl)
{
	char *p = tmpl ? policy_for(tmpl) : NULL;

	cr_assert_eq(test_daemon_start(&D, p, NULL), 0, "airlockd did not start");
	daemon_up = true;
	free(p);
}

/* The files policy: a protected file and name, a forbidden program, a forbidden address. */
static const char POLICY_FILES[] = "version: 1\n"
				   "defaults:\n"
				   "  ask_timeout: 30s\n"
				   "  on_timeout: deny\n"
				   "rules:\n"
				   "  - name: protect\n"
				   "    match: { write: [\"@/target\", \"@/absent\"] }\n"
				   "    action: deny\n"
				   "  - name: no-recursive-rm\n"
				   "    match: { exec: [rm], argv: [\"-[rR]*\"] }\n"
				   "    action: deny\n"
				   "  - name: forbidden-exec\n"
				   "    match: { exec: [sudo] }\n"
				   "    action: deny\n"
				   "  - name: egress\n"
				   "    match: { connect: [\"127.0.0.2/32\"] }\n"
				   "    action: deny\n"
				   "  - name: service-socket\n"
				   "    match: { connect: [\"unix:@/sock\"] }\n"
				   "    action: deny\n";

/* The approvals policy: sudo asks, nothing else is gated. */
static const char POLICY_ASK[] = "version: 1\n"
				 "defaults:\n"
				 "  ask_timeout: 30s\n"
				 "  on_timeout: deny\n"
				 "rules:\n"
				 "  - name: escalation\n"
				 "    match: { exec: [sudo] }\n"
				 "    action: ask\n";

/* A read rule alone. */
static const char POLICY_READ[] = "version: 1\n"
				  "rules:\n"
				  "  - name: secret\n"
				  "    match: { read: [\"@/target\"] }\n"
				  "    action: deny\n";

/* Run the attacker in a session: status, and its stdout+stderr in *ret_out. */
static int attack(char **ret_out, const char *what, const char *a1, const char *a2, const char *a3)
{
	char *out = NULL, *err = NULL;
	int r;

	r = test_airlock(&D, &out, &err, "run", "--", attacker, dir, what, a1, a2, a3, NULL);
	cr_log_info("attack '%s' (status %d):\n%s%s", what, r, out ? out : "", err ? err : "");
	if (ret_out) {
		size_t lo = out ? strlen(out) : 0, le = err ? strlen(err) : 0;
		char *all = malloc(lo + le + 1);

		cr_assert_not_null(all);
		memcpy(all, out ? out : "", lo);
		memcpy(all + lo, err ? err : "", le + 1);
		*ret_out = all;
	}
	free(out);
	free(err);
	return r;
}

static int attack_as(char **ret_out, const char *user, const char *what)
{
	char *out = NULL;
	int r;

	r = test_airlock(&D, &out, NULL, "run", "--user", user, "--", attacker, dir, what, NULL);
	cr_log_info("attack '%s' as '%s' (status %d):\n%s", what, user, r, out ? out : "");
	*ret_out = out ? out : strdup("");
	return r;
}

/* Deny every ask of pid's session until pid ends (10 s at most); its output (from fd,
 * malloc'ed). */
static char *deny_asks_until_done(pid_t pid, int fd, const char *what)
{
	char *out;
	int status = -1;

	for (int i = 0; i < 500; i++) {
		json_t *res = test_daemon_call(&D, "{\"op\":\"pending\"}");
		json_t *list = json_object_get(res, "pending"), *a;
		size_t k;

		json_array_foreach(list, k, a)
		{
			char req[128];

			cr_log_info("denying ask %lld: %s '%s'",
				    json_integer_value(json_object_get(a, "id")),
				    json_string_value(json_object_get(a, "op")),
				    json_string_value(json_object_get(a, "path")));
			snprintf(req, sizeof(req), "{\"op\":\"deny\",\"id\":%lld}",
				 json_integer_value(json_object_get(a, "id")));
			json_decref(test_daemon_call(&D, req));
		}
		json_decref(res);
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(20 * 1000);
	}
	if (status == -1)
		test_wait_child(pid, 100);
	out = test_read_all(fd, 1000);
	close(fd);
	cr_log_info("attack '%s':\n%s", what, out ? out : "");
	return out ? out : strdup("");
}

/* Run the attacker as user (NULL: as root), denying every ask it raises. */
static char *attack_denying_asks(const char *user, const char *what)
{
	int fd = -1;
	pid_t pid;

	if (user)
		pid = test_airlock_spawn(&D, &fd, "run", "--user", user, "--", attacker, dir, what,
					 NULL);
	else
		pid = test_airlock_spawn(&D, &fd, "run", "--", attacker, dir, what, NULL);
	cr_assert_gt(pid, 0);
	return deny_asks_until_done(pid, fd, what);
}

/* The same as root with two arguments. */
static char *attack_denying_asks_args(const char *what, const char *a1, const char *a2)
{
	int fd = -1;
	pid_t pid;

	pid = test_airlock_spawn(&D, &fd, "run", "--", attacker, dir, what, a1, a2, NULL);
	cr_assert_gt(pid, 0);
	return deny_asks_until_done(pid, fd, what);
}

/* ---- what the attack was after ------------------------------------------------------ */

static void assert_target_intact(const char *out)
{
	char *now = slurp(target);
	struct stat st;

	cr_expect_not_null(now, "the protected file is gone");
	if (now)
		cr_expect_str_eq(now, ORIGINAL,
				 "the protected file was changed to '%s'; attacker:\n%s", now, out);
	free(now);
	cr_expect(lstat(absent, &st) < 0 && errno == ENOENT,
		  "the protected name '%s' was created; attacker:\n%s", absent, out);
}

static bool audit_has(const char *needle)
{
	char *s = slurp(D.audit_path);
	bool found = s && strstr(s, needle);

	free(s);
	return found;
}

static void assert_no_marker(const char *out)
{
	char *m = slurp(marker);

	cr_expect_null(m, "the forbidden program ran (%s); attacker:\n%s", m ? m : "", out);
	free(m);
}

/* ---- writes to a protected file ------------------------------------------------------- */

TestSuite(escape_files, .init = need_root, .fini = teardown, .timeout = 60);

Test(escape_files, path_spellings_reach_no_protected_file)
{
	char *out;

	start(POLICY_FILES);
	cr_assert_eq(attack(&out, "paths", NULL, NULL, NULL), 0);
	assert_target_intact(out);
	cr_expect(strstr(out, "HELD"), "the attacker reports an escape:\n%s", out);
	cr_expect(audit_has("\"rule\":\"protect\""), "the denials were not audited");
	free(out);
}

Test(escape_files, links_renames_and_new_names_are_gated)
{
	char *out;

	start(POLICY_FILES);
	cr_assert_eq(attack(&out, "names", NULL, NULL, NULL), 0);
	assert_target_intact(out);
	cr_expect(strstr(out, "HELD"), "the attacker reports an escape:\n%s", out);
	free(out);
}

Test(escape_files, open_by_handle_at_is_refused)
{
	char *out;

	start(POLICY_FILES);
	cr_assert_eq(attack(&out, "handle", NULL, NULL, NULL), 0);
	assert_target_intact(out);
	cr_expect(strstr(out, "open_by_handle_at O_WRONLY: EPERM"), "%s", out);
	free(out);
}

Test(escape_files, racing_thread_rewriting_the_path_never_opens_the_file)
{
	char *out;

	start(POLICY_FILES);
	cr_assert_eq(attack(&out, "race-buf", NULL, NULL, NULL), 0);
	assert_target_intact(out);
	/* the race ran: the allowed spelling was opened on some tries */
	cr_expect(!strstr(out, " 0 allowed opens"), "the race never got an allowed open:\n%s", out);
	free(out);
}

Test(escape_files, symlink_swapped_between_check_and_use_never_opens_the_file)
{
	char *out;

	start(POLICY_FILES);
	cr_assert_eq(attack(&out, "race-symlink", NULL, NULL, NULL), 0);
	assert_target_intact(out);
	free(out);
}

/* seccomp runs again after a tracer changes the syscall at a SECCOMP_RET_TRACE stop. */
Test(escape_files, tracer_rewriting_a_syscall_is_gated_again)
{
	char *out;

	start(POLICY_FILES);
	cr_assert_eq(attack(&out, "trace-rewrite", NULL, NULL, NULL), 0);
	assert_target_intact(out);
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
	char swapped[160], req[128], *out;
	json_int_t first;
	json_t *list, *res;
	int fd = -1;
	pid_t pid;

	start(policy);
	snprintf(swapped, sizeof(swapped), "%s/work/rd", dir);
	cr_assert_eq(mkdir(swapped, 0755), 0);
	snprintf(swapped, sizeof(swapped), "%s/work/rd/target", dir);
	put(swapped, "decoy\n");
	snprintf(swapped, sizeof(swapped), "%s/work/swapped", dir);
	pid = test_airlock_spawn(&D, &fd, "run", "--", attacker, dir, "ask-swap", NULL);
	cr_assert_gt(pid, 0);
	list = test_daemon_wait_pending(&D, 1, 5000);
	cr_assert_not_null(list, "the open did not ask");
	first = json_integer_value(json_object_get(json_array_get(list, 0), "id"));
	json_decref(list);
	/* Renaming rd and putting a symlink in its place change what rd/target names, so the
	 * rule asks about them too: approve those, as a human who missed it would, to test
	 * what the daemon does with the approved open after the swap. */
	for (int i = 0; i < 300 && access(swapped, F_OK) < 0; i++) {
		size_t k;
		json_t *a;

		list = test_daemon_wait_pending(&D, 1, 10);
		json_array_foreach(list, k, a)
		{
			json_int_t id = json_integer_value(json_object_get(a, "id"));

			if (id == first)
				continue;
			snprintf(req, sizeof(req), "{\"op\":\"approve\",\"id\":%lld}", id);
			json_decref(test_daemon_call(&D, req));
		}
		json_decref(list);
		usleep(10 * 1000);
	}
	snprintf(req, sizeof(req), "{\"op\":\"approve\",\"id\":%lld}", first);
	res = test_daemon_call(&D, req);
	{
		char *r = res ? json_dumps(res, JSON_COMPACT) : NULL, *log;

		test_wait_child(pid, 5000);
		log = test_daemon_log(&D);
		cr_log_info("approve: %s\nairlockd:\n%s", r ? r : "(none)", log);
		free(log);
		log = slurp(D.audit_path);
		cr_log_info("audit:\n%s", log ? log : "");
		free(r);
		free(log);
	}
	json_decref(res);
	out = test_read_all(fd, 1000);
	close(fd);
	cr_log_info("attacker:\n%s", out);
	cr_expect(strstr(out, "symlink rd -> ..: ok"), "the swap did not happen:\n%s", out);
	assert_target_intact(out);
	free(out);
}

/* A nameless object (a deleted file) is re-opened by airlockd through the target's
 * /proc/TID/fd/N; the target swaps fd N to the protected file under it. */
Test(escape_files, fd_swapped_under_a_reopen_never_touches_the_file)
{
	char *out;

	start(POLICY_FILES);
	cr_assert_eq(attack(&out, "race-reopen", NULL, NULL, NULL), 0);
	assert_target_intact(out);
	free(out);
}

/* A tree rule (DIR/prot and all below, as ~/.ssh is in the default policy): the tree's
 * own root must not be renamed away and back, or everything inside is written unasked. */
Test(escape_files, tree_rule_covers_renaming_the_tree_itself)
{
	static const char policy[] = "version: 1\n"
				     "rules:\n"
				     "  - name: tree\n"
				     "    match: { write: [\"@/prot/**\"] }\n"
				     "    action: deny\n";
	char p[160], *out, *now;

	start(policy);
	snprintf(p, sizeof(p), "%s/prot", dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/prot/file", dir);
	put(p, ORIGINAL);
	cr_assert_eq(attack(&out, "rename-tree", NULL, NULL, NULL), 0);
	now = slurp(p);
	cr_expect(now && strcmp(now, ORIGINAL) == 0, "a file of the tree was changed to '%s':\n%s",
		  now ? now : "(gone)", out);
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
	start(NULL);
	/* the agent's own repository */
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/work/%s", dir, sub[i]);
		cr_assert_eq(mkdir(p, 0755), 0);
		cr_assert_eq(chown(p, pw->pw_uid, pw->pw_gid), 0);
	}
	out = attack_denying_asks("nobody", "rename-hooks");
	snprintf(p, sizeof(p), "%s/work/repo/.git/hooks/pre-commit", dir);
	cr_expect(access(p, F_OK) < 0, "a git hook was planted without an ask:\n%s", out);
	free(out);
}

/* A rule that names one file (not a tree): its directory must not be renamed away, the
 * file written under the new name, and the directory renamed back. */
Test(escape_files, file_rule_covers_renaming_its_directory)
{
	static const char policy[] = "version: 1\n"
				     "rules:\n"
				     "  - name: file\n"
				     "    match: { write: [\"@/prot/file\"] }\n"
				     "    action: deny\n";
	char p[160], *out, *now;

	start(policy);
	snprintf(p, sizeof(p), "%s/prot", dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/prot/file", dir);
	put(p, ORIGINAL);
	cr_assert_eq(attack(&out, "rename-tree", NULL, NULL, NULL), 0);
	now = slurp(p);
	cr_expect(now && strcmp(now, ORIGINAL) == 0, "the file was changed to '%s':\n%s",
		  now ? now : "(gone)", out);
	cr_expect(strstr(out, "rename the tree away: EPERM"), "the rename was not denied:\n%s",
		  out);
	free(now);
	free(out);
}

/* Foreign ABIs are killed by the filter: SIGSYS, before anything is opened. */
Test(escape_files, x32_syscall_numbers_are_killed)
{
	char *out;
	int r;

	start(POLICY_FILES);
	r = attack(&out, "x32", NULL, NULL, NULL);
	assert_target_intact(out);
	cr_expect_eq(r, 128 + SIGSYS, "x32 openat: status %d, expected SIGSYS:\n%s", r, out);
	free(out);
}

Test(escape_files, int80_syscalls_are_killed)
{
	char *out;
	int r;

	start(POLICY_FILES);
	r = attack(&out, "int80", NULL, NULL, NULL);
	assert_target_intact(out);
	cr_expect_eq(r, 128 + SIGSYS, "int 0x80 open: status %d, expected SIGSYS:\n%s", r, out);
	free(out);
}

/* A bind mount names the protected inode elsewhere.  The default policy denies mount. */
Test(escape_files, bind_mount_is_denied_by_the_default_policy)
{
	char *out;

	start(NULL);
	cr_assert_eq(attack(&out, "mount", NULL, NULL, NULL), 0);
	cr_expect(strstr(out, "bind mount: EPERM"), "the bind mount was not denied:\n%s", out);
	cr_expect(strstr(out, "open_tree: EPERM"), "the new mount API was not denied:\n%s", out);
	free(out);
}

/* HOLE while it fails: a policy with write rules and no mount rule leaves mount(2)
 * ungated, and a bind mount of the protected file is written under its new name. */
Test(escape_files, bind_mount_does_not_bypass_a_write_rule)
{
	char *out;

	start(POLICY_FILES);
	cr_assert_eq(attack(&out, "mount", NULL, NULL, NULL), 0);
	assert_target_intact(out);
	free(out);
}

/* HOLE while it fails: the gate reports paths relative to the target's root, so after a
 * chroot into the protected file's directory the file is "/target" to policy.  Root can
 * chroot; so can any user inside a user namespace of its own. */
Test(escape_files, chroot_does_not_rename_the_protected_file)
{
	char *out;

	start(POLICY_FILES);
	cr_assert_eq(attack(&out, "chroot", NULL, NULL, NULL), 0);
	assert_target_intact(out);
	free(out);
}

Test(escape_files, chroot_in_a_user_namespace_does_not_rename_the_protected_file)
{
	struct passwd *pw = getpwnam("nobody");
	char *out;

	cr_assert_not_null(pw);
	start(POLICY_FILES);
	/* the agent's own file, as ~/.bashrc is */
	cr_assert_eq(chown(target, pw->pw_uid, pw->pw_gid), 0);
	cr_assert_eq(chmod(dir, 0777), 0);
	cr_assert_eq(attack_as(&out, "nobody", "chroot"), 0);
	assert_target_intact(out);
	free(out);
}

/* A read rule: the secret's content must not come out under another name. */
Test(escape_files, read_rule_is_not_bypassed_by_a_hard_link_or_rename)
{
	char *out, *err, p[160], cmd[2048];
	int r;

	start(POLICY_READ);
	put(target, "SECRET-7f3a\n");
	snprintf(p, sizeof(p), "%s/work/copy", dir);
	/* ln then cat: two ordinary programs, as an agent's shell would run them */
	snprintf(cmd, sizeof(cmd), "cat %s; ln %s %s; cat %s; mv %s %s; cat %s", target, target, p,
		 p, target, p, p);
	r = test_airlock(&D, &out, &err, "run", "--", "/bin/sh", "-c", cmd, NULL);
	cr_log_info("status %d:\n%s%s", r, out, err);
	cr_expect(!strstr(out, "SECRET-7f3a"), "the secret was read through a hard link:\n%s", out);
	free(out);
	free(err);
}

/* ---- the daemon's availability ------------------------------------------------------ */

/* status on a fresh connection, answered within timeout_ms? */
static bool daemon_answers(int timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
	const char req[] = "{\"op\":\"status\"}\n";
	char buf[256];
	bool ok = false;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/api.sock", D.runtime_dir);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    write(fd, req, sizeof(req) - 1) == (ssize_t)sizeof(req) - 1)
		ok = read(fd, buf, sizeof(buf)) > 0;
	close(fd);
	return ok;
}

/* HOLE while it fails: airlockd performs an allowed open itself, and an open of a FIFO
 * without a reader blocks -- in the daemon's one event loop.  Every session's gated calls
 * and every approval then wait on one unprivileged agent. */
Test(escape_files, fifo_open_does_not_block_the_daemon)
{
	char fifo[128], *log, *out;
	int fd = -1, rd;
	pid_t pid;

	start(NULL);
	snprintf(fifo, sizeof(fifo), "%s/work/fifo", dir);
	pid = test_airlock_spawn(&D, &fd, "run", "--user", "nobody", "--", attacker, dir, "fifo",
				 NULL);
	cr_assert_gt(pid, 0);
	for (int i = 0; i < 100 && access(fifo, F_OK) < 0; i++)
		usleep(10 * 1000);
	usleep(200 * 1000);
	cr_expect(daemon_answers(1000), "airlockd stopped answering while an agent opened a FIFO");
	/* a reader releases whoever is blocked in the open */
	rd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	test_wait_child(pid, 3000);
	if (rd >= 0)
		close(rd);
	out = test_read_all(fd, 1000);
	close(fd);
	log = test_daemon_log(&D);
	cr_log_info("attacker:\n%s\nairlockd:\n%s", out, log);
	cr_expect(strstr(out, "fifo open"), "the attacker never opened the FIFO:\n%s", out);
	free(out);
	free(log);
}

/* Kill every process of this daemon's sessions (cgroup.kill, 5.14). */
static void kill_sessions(void)
{
	char path[PATH_MAX + 128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s/cgroup.kill", cgroup2_root(), D.cgroup_name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1", 1) < 0)
			cr_log_warn("cgroup.kill: %s", strerror(errno));
		close(fd);
	}
}

/* HOLE while it fails: airlockd reads a target's arguments with process_vm_readv in its
 * one loop; a root agent holds the page back with userfaultfd and the daemon waits for
 * it -- every session and every approval with it. */
Test(escape_files, userfaultfd_page_does_not_stall_the_daemon)
{
	char *out;
	int fd = -1;
	pid_t pid;

	start(NULL);
	pid = test_airlock_spawn(&D, &fd, "run", "--", attacker, dir, "uffd", NULL);
	cr_assert_gt(pid, 0);
	usleep(500 * 1000);
	cr_expect(daemon_answers(1000),
		  "airlockd stopped answering while an agent held a page with userfaultfd");
	kill_sessions();
	test_wait_child(pid, 3000);
	out = test_read_all(fd, 1000);
	close(fd);
	cr_log_info("attacker:\n%s", out);
	/* Refusing userfaultfd to sessions (the syscall and /dev/userfaultfd) is one way to
	 * close this: then the attack does not get as far as the open. */
	if (!strstr(out, "opening a path in a userfaultfd page"))
		cr_log_info("no userfaultfd for the agent");
	free(out);
}

/* A session cannot signal airlockd (built-in hardening: signals aimed outside the session
 * are refused).  When airlockd dies anyway (the OOM killer, an admin), every session's gated
 * calls stop -- closed, never open: the kernel fails them once the listener is gone. */
Test(escape_files, killing_the_daemon_fails_closed)
{
	char pid[16], *out;
	int fd = -1;
	pid_t child;

	start(POLICY_FILES);
	snprintf(pid, sizeof(pid), "%d", (int)D.pid);
	child = test_airlock_spawn(&D, &fd, "run", "--", attacker, dir, "kill-daemon", pid, NULL);
	cr_assert_gt(child, 0);
	usleep(400 * 1000);
	cr_expect(daemon_answers(1000), "a session killed airlockd");
	kill(D.pid, SIGKILL);
	test_wait_child(child, 5000);
	out = test_read_all(fd, 1000);
	close(fd);
	cr_log_info("attacker:\n%s", out ? out : "");
	cr_expect(out && strstr(out, "kill airlockd: EPERM"), "%s", out ? out : "");
	assert_target_intact(out ? out : "");
	cr_expect(out && strstr(out, "open the protected file with airlockd gone: ENOSYS"), "%s",
		  out ? out : "");
	/* the daemon died by our signal: its exit status says nothing */
	test_daemon_stop(&D);
	daemon_up = false;
	free(out);
}

/* ---- the gate's own integrity ----------------------------------------------------------- */

TestSuite(escape_gate, .init = need_root, .fini = teardown, .timeout = 60);

Test(escape_gate, no_second_notification_listener)
{
	char *out;

	start(NULL);
	cr_assert_eq(attack(&out, "listener", NULL, NULL, NULL), 0);
	cr_expect(strstr(out, "seccomp NEW_LISTENER: EPERM"), "%s", out);
	cr_expect(strstr(out, "seccomp NEW_LISTENER high bits: EPERM"), "%s", out);
	cr_expect(strstr(out, "seccomp NEW_LISTENER|TSYNC: EPERM"), "%s", out);
	cr_expect(strstr(out, "plain seccomp filter: ok"), "plain filters must stay allowed:\n%s",
		  out);
	free(out);
}

Test(escape_gate, io_uring_is_refused)
{
	char *out;

	start(NULL);
	cr_assert_eq(attack(&out, "uring", NULL, NULL, NULL), 0);
	cr_expect(strstr(out, "io_uring_setup: EPERM"), "%s", out);
	free(out);
}

/* The unified hierarchy's mount point, where the root cgroup's cgroup.procs lives. */
static const char *cgroup2_root(void)
{
	static char mnt[PATH_MAX];
	char *mi = slurp("/proc/self/mountinfo"), *line, *save = NULL;

	cr_assert_not_null(mi);
	for (line = strtok_r(mi, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char m[PATH_MAX];

		if (strstr(line, " - cgroup2 ") && sscanf(line, "%*s %*s %*s %*s %4095s", m) == 1) {
			snprintf(mnt, sizeof(mnt), "%s", m);
			free(mi);
			return mnt;
		}
	}
	free(mi);
	cr_skip_test("no cgroup2 mount");
	return NULL;
}

/* The session's cgroup as /proc/PID/cgroup spells it: ".../airlock-test-.../sN". */
static void assert_stayed_in_session(const char *out)
{
	const char *l = strstr(out, "after cgroup: ");

	cr_assert_not_null(l, "no cgroup report:\n%s", out);
	cr_expect(strncmp(l + 14, "/", 1) == 0 && strstr(l, D.cgroup_name),
		  "the attacker left the session's cgroup:\n%s", out);
}

Test(escape_gate, cgroup_procs_write_is_denied_by_the_default_policy)
{
	char *out;

	start(NULL);
	cr_assert_eq(attack(&out, "cgroup-move", cgroup2_root(), NULL, NULL), 0);
	assert_stayed_in_session(out);
	cr_expect(strstr(out, "HELD"), "%s", out);
	cr_expect(audit_has("\"rule\":\"cgroup-escape\""), "the attempt was not audited");
	free(out);
}

/* HOLE while it fails: the move is closed by a rule of the default policy only; under a
 * policy without it, root in a session leaves its cgroup (and then counts as outside). */
Test(escape_gate, cgroup_procs_write_is_denied_whatever_the_policy)
{
	char *out;

	start(POLICY_ASK);
	cr_assert_eq(attack(&out, "cgroup-move", cgroup2_root(), NULL, NULL), 0);
	assert_stayed_in_session(out);
	free(out);
}

Test(escape_gate, clone3_into_another_cgroup_is_refused)
{
	char *out;

	start(POLICY_ASK);
	cr_assert_eq(attack(&out, "clone3", cgroup2_root(), NULL, NULL), 0);
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

	start(NULL);
	snprintf(bin, sizeof(bin), "%s/airlock", test_build_dir());
	r = test_airlock(&D, &out, &err, "run", "--", bin, "--runtime-dir", D.runtime_dir, "run",
			 "--", helper("escape_marker"), NULL);
	cr_log_info("status %d:\n%s%s", r, out, err);
	cr_expect_neq(r, 0, "the nested run succeeded");
	assert_no_marker(err);
	/* refused by airlockd at session.create, not only later by the filter */
	cr_expect(strstr(err, "cannot start or attach a session"),
		  "the session was not refused by airlockd:\n%s", err);
	log = test_daemon_log(&D);
	cr_expect(!strstr(log, "session 2 created"), "a session was created from inside one:\n%s",
		  log);
	free(log);
	free(out);
	free(err);
}

/* ---- self-approval ----------------------------------------------------------------------- */

TestSuite(escape_approve, .init = need_root, .fini = teardown, .timeout = 60);

/* The ask the attacker started is still pending and never ran; the test denies it. */
static void assert_ask_undecided(const char *out)
{
	json_t *list = test_daemon_wait_pending(&D, 1, 3000);
	char *o = NULL, *e = NULL;
	char id[32];

	cr_assert_not_null(list, "the attacker's ask is no longer pending; attacker:\n%s", out);
	snprintf(id, sizeof(id), "%lld",
		 json_integer_value(json_object_get(json_array_get(list, 0), "id")));
	json_decref(list);
	cr_expect_eq(test_airlock(&D, &o, &e, "deny", id, NULL), 0, "deny failed: %s", e);
	free(o);
	free(e);
	usleep(100 * 1000);
	assert_no_marker(out);
}

static void self_approve(const char *policy, const char *how, const char *arg)
{
	char sock[160], *out;

	start(policy);
	snprintf(sock, sizeof(sock), "%s/api.sock", D.runtime_dir);
	cr_assert_eq(attack(&out, "selfapprove", sock, how, arg), 0);
	cr_expect(!strstr(out, "approved its own ask"), "an agent approved itself:\n%s", out);
	cr_expect(strstr(out, "cannot approve or deny"), "no refusal seen:\n%s", out);
	assert_ask_undecided(out);
	free(out);
}

Test(escape_approve, session_process_cannot_approve_its_own_ask)
{
	self_approve(POLICY_ASK, "plain", NULL);
}

/* HOLE while it fails: the default policy gates AF_UNIX connects, so airlockd performs the
 * agent's connect to api.sock itself -- and SO_PEERCRED then names airlockd. */
Test(escape_approve, session_process_cannot_approve_under_the_default_policy)
{
	self_approve(NULL, "plain", NULL);
}

/* The same as an unprivileged user: the emulated connect carries airlockd's euid 0. */
Test(escape_approve, unprivileged_session_cannot_approve_under_the_default_policy)
{
	char sock[160], *out, *o = NULL;
	int r;

	start(NULL);
	/* a deployment's /run/airlock is reachable by every user (approvers are checked by
	 * SO_PEERCRED, not by file modes) */
	cr_assert_eq(chmod(D.dir, 0755), 0);
	cr_assert_eq(chmod(D.runtime_dir, 0755), 0);
	snprintf(sock, sizeof(sock), "%s/api.sock", D.runtime_dir);
	r = test_airlock(&D, &o, NULL, "run", "--user", "nobody", "--", attacker, dir,
			 "selfapprove", sock, "plain", NULL);
	out = o ? o : strdup("");
	cr_log_info("status %d:\n%s", r, out);
	cr_expect(!strstr(out, "approved its own ask"), "an agent approved itself:\n%s", out);
	cr_expect(strstr(out, "cannot approve or deny") || strstr(out, "approvals need root"),
		  "no refusal seen:\n%s", out);
	assert_ask_undecided(out);
	free(out);
}

Test(escape_approve, root_inside_the_session_cannot_approve)
{
	self_approve(POLICY_ASK, "setuid", NULL);
}

Test(escape_approve, daemonized_grandchild_cannot_approve)
{
	self_approve(POLICY_ASK, "daemon", NULL);
}

/* Leave the cgroup, then approve: the default policy denies the move. */
Test(escape_approve, cgroup_move_then_approve_fails_under_the_default_policy)
{
	self_approve(NULL, "escape", cgroup2_root());
}

/* HOLE while it fails: the same chain under a policy without the cgroup rule. */
Test(escape_approve, cgroup_move_then_approve_fails_whatever_the_policy)
{
	self_approve(POLICY_ASK, "escape", cgroup2_root());
}

/* HOLE while it fails: `airlock run`'s launcher sits outside the session with the same
 * uid and keeps its API connection open; pidfd_getfd (not gated without a ptrace rule)
 * hands that connection to the agent, and the daemon trusts the launcher's credentials. */
Test(escape_approve, launcher_api_connection_cannot_be_stolen)
{
	char *out;

	start(POLICY_ASK);
	cr_assert_eq(attack(&out, "steal-api", NULL, NULL, NULL), 0);
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
		json_t *res = test_daemon_call(&D, "{\"op\":\"pending\"}");
		json_t *list = json_object_get(res, "pending");

		if (list && json_array_size(list) == 1 &&
		    json_integer_value(json_object_get(json_array_get(list, 0), "id")) != not_id) {
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

	start(POLICY_ASK);
	run1 = test_airlock_spawn(&D, NULL, "run", "--", sudo, NULL);
	cr_assert_gt(run1, 0);
	a = wait_pending_change(-2, 5000);
	cr_assert(a && json_is_object(a), "no ask from the first session");
	id1 = json_integer_value(json_object_get(a, "id"));
	p1 = (pid_t)json_integer_value(json_object_get(a, "pid"));
	json_decref(a);
	cr_assert_gt(p1, 1);
	cr_assert_eq(kill(p1, SIGKILL), 0);
	test_wait_child(run1, 5000);
	a = wait_pending_change(-1, 3000);
	cr_expect(a && json_is_null(a), "the dead target's ask is still pending");
	json_decref(a);
	cr_expect(audit_has("\"decision\":\"gone\""), "the dead target's ask was not audited");

	/* The next pids go to the second launcher and its command: ask for p1 again. */
	fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		snprintf(buf, sizeof(buf), "%d", (int)p1 - 2);
		if (write(fd, buf, strlen(buf)) < 0)
			cr_log_warn("ns_last_pid: %s", strerror(errno));
		close(fd);
	}
	run2 = test_airlock_spawn(&D, NULL, "run", "--", sudo, NULL);
	cr_assert_gt(run2, 0);
	b = wait_pending_change(id1, 5000);
	cr_assert(b && json_is_object(b), "no ask from the second session");
	if ((pid_t)json_integer_value(json_object_get(b, "pid")) != p1)
		cr_log_warn("pid %d was not reused (pid %d asks now; another process took it): "
			    "the stale approve is still checked",
			    (int)p1, (int)json_integer_value(json_object_get(b, "pid")));
	snprintf(req, sizeof(req), "{\"op\":\"approve\",\"id\":%lld}", (long long)id1);
	res = test_daemon_call(&D, req);
	cr_assert_not_null(res);
	cr_expect(!json_is_true(json_object_get(res, "ok")), "the stale id was approved");
	json_decref(res);
	usleep(100 * 1000);
	assert_no_marker("(the stale approve)");
	/* the new ask is untouched: still pending, still its own */
	a = wait_pending_change(id1, 1000);
	cr_expect(a && json_is_object(a), "the second session's ask was disturbed");
	snprintf(req, sizeof(req), "{\"op\":\"deny\",\"id\":%lld}",
		 json_integer_value(json_object_get(b, "id")));
	json_decref(test_daemon_call(&D, req));
	json_decref(a);
	json_decref(b);
	cr_expect_neq(test_wait_child(run2, 5000), 0, "the denied exec succeeded");
	assert_no_marker("(the second session)");
}

/* ---- exec ----------------------------------------------------------------------------- */

TestSuite(escape_exec, .init = need_root, .fini = teardown, .timeout = 60);

Test(escape_exec, every_spelling_of_the_forbidden_exec_is_denied)
{
	char *out;

	start(POLICY_FILES);
	cr_assert_eq(attack(&out, "exec", NULL, NULL, NULL), 0);
	assert_no_marker(out);
	/* each route reached the gate: the denials are audited */
	cr_expect(audit_has("\"rule\":\"forbidden-exec\""), "no exec denial audited");
	free(out);
}

/* HOLE while it fails: the kernel execs a #! interpreter itself; the gate saw only the
 * script's execve. */
Test(escape_exec, shebang_naming_the_forbidden_program_is_denied)
{
	char *out;

	start(POLICY_FILES);
	cr_assert_eq(attack(&out, "exec-script", NULL, NULL, NULL), 0);
	assert_no_marker(out);
	free(out);
}

/* A setuid program cannot be hard-linked by a user who does not own it
 * (fs.protected_hardlinks), and a copy loses the setuid bit: the rule's name holds. */
Test(escape_exec, unprivileged_user_cannot_hard_link_a_setuid_program)
{
	char *out, *ph = slurp("/proc/sys/fs/protected_hardlinks");

	if (!ph || ph[0] != '1')
		cr_skip_test("fs.protected_hardlinks is off");
	free(ph);
	start(POLICY_FILES);
	cr_assert_eq(chmod(sudo, 04755), 0);
	cr_assert_eq(attack_as(&out, "nobody", "exec-hardlink"), 0);
	cr_expect(strstr(out, "hard link to sudo: EPERM"), "%s", out);
	assert_no_marker(out);
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
	start(policy);
	cr_assert_eq(chmod(sudo, 04755), 0);
	cr_assert_eq(chmod(D.dir, 0755), 0);
	cr_assert_eq(chmod(D.runtime_dir, 0755), 0);
	cr_assert_eq(chmod(dir, 0777), 0);
	snprintf(script, sizeof(script), "%s/work/script", dir);
	snprintf(bin, sizeof(bin), "#!%s\n", sudo);
	put(script, bin);
	cr_assert_eq(chmod(script, 0755), 0);
	snprintf(bin, sizeof(bin), "%s/airlock", test_build_dir());
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 1);
		dup2(null, 2);
		if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
			_exit(120);
		execl(bin, "airlock", "--runtime-dir", D.runtime_dir, "run", "--", "/bin/sh", "-c",
		      "\"$0\"; \"$1\"", sudo, script, (char *)NULL);
		_exit(121);
	}
	status = test_wait_child(pid, 10000);
	m = slurp(marker);
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

	start(POLICY_FILES);
	cr_assert_eq(chmod(sudo, 04755), 0);
	cr_assert_eq(attack_as(&out, "nobody", "exec-script"), 0);
	assert_no_marker(out);
	free(out);
}

/* HOLE while it fails: exec is answered with CONTINUE, and the kernel reads the path again
 * after the decision (docs/gate.md leaves the check to the BPF exec hook). */
Test(escape_exec, racing_thread_rewriting_the_exec_path)
{
	char *out;

	start(POLICY_FILES);
	cr_assert_eq(attack(&out, "exec-race", marker, NULL, NULL), 0);
	assert_no_marker(out);
	free(out);
}

/* HOLE while it fails: the same CONTINUE lets a thread turn an allowed `rm -f` into the
 * denied `rm -r` after the decision: argv rules are as racy as the path. */
Test(escape_exec, racing_thread_rewriting_the_exec_argv)
{
	char victim[160], *out;

	start(POLICY_FILES);
	snprintf(victim, sizeof(victim), "%s/work/victim", dir);
	cr_assert_eq(attack(&out, "argv-race", NULL, NULL, NULL), 0);
	cr_expect(access(victim, F_OK) == 0, "rm -r ran past a deny rule:\n%s", out);
	free(out);
}

/* ---- egress --------------------------------------------------------------------------- */

TestSuite(escape_egress, .init = need_root, .fini = teardown, .timeout = 60);

struct listeners {
	int tcp, udp, unx;
	int port;
};

static void listen_all(struct listeners *l)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	socklen_t len = sizeof(sin);
	int one = 1;

	inet_pton(AF_INET, "127.0.0.2", &sin.sin_addr);
	l->tcp = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	setsockopt(l->tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	cr_assert_eq(bind(l->tcp, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(listen(l->tcp, 8), 0);
	cr_assert_eq(getsockname(l->tcp, (struct sockaddr *)&sin, &len), 0);
	l->port = ntohs(sin.sin_port);
	l->udp = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	cr_assert_eq(bind(l->udp, (struct sockaddr *)&sin, sizeof(sin)), 0,
		     "udp port %d on 127.0.0.2 is taken", l->port);
	l->unx = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	snprintf(un.sun_path, sizeof(un.sun_path), "%s", sockpath);
	cr_assert_eq(bind(l->unx, (struct sockaddr *)&un, sizeof(un)), 0);
	chmod(sockpath, 0777);
	cr_assert_eq(listen(l->unx, 8), 0);
}

static void assert_silent(const struct listeners *l, const char *out)
{
	char buf[64];
	int c;

	c = accept(l->tcp, NULL, NULL);
	cr_expect_lt(c, 0, "a TCP connection reached the denied address; attacker:\n%s", out);
	if (c >= 0)
		close(c);
	cr_expect_lt(recv(l->udp, buf, sizeof(buf), MSG_DONTWAIT), 0,
		     "a datagram reached the denied address; attacker:\n%s", out);
	c = accept(l->unx, NULL, NULL);
	cr_expect_lt(c, 0, "a connection reached the denied unix socket; attacker:\n%s", out);
	if (c >= 0)
		close(c);
}

Test(escape_egress, every_route_to_a_denied_destination_is_closed)
{
	struct listeners l;
	char port[16], *out;

	start(POLICY_FILES);
	listen_all(&l);
	snprintf(port, sizeof(port), "%d", l.port);
	cr_assert_eq(attack(&out, "egress", "127.0.0.2", port, sockpath), 0);
	assert_silent(&l, out);
	cr_expect(strstr(out, "HELD"), "the attacker reports an escape:\n%s", out);
	cr_expect(audit_has("\"rule\":\"egress\""), "no egress denial audited");
	cr_expect(audit_has("\"rule\":\"service-socket\""), "no unix socket denial audited");
	close(l.tcp);
	close(l.udp);
	close(l.unx);
	free(out);
}

/* HOLE while it fails (root only): a raw IP_HDRINCL socket is "sent to" an allowed address
 * while its own header names the denied one. */
Test(escape_egress, raw_socket_header_does_not_reach_a_denied_destination)
{
	struct listeners l;
	char port[16], *out;

	start(POLICY_FILES);
	listen_all(&l);
	snprintf(port, sizeof(port), "%d", l.port);
	cr_assert_eq(attack(&out, "egress-raw", "127.0.0.2", port, NULL), 0);
	usleep(50 * 1000);
	assert_silent(&l, out);
	close(l.tcp);
	close(l.udp);
	close(l.unx);
	free(out);
}

/* HOLE while it fails: airlockd performs an allowed AF_UNIX connect itself (with the
 * target's fsuid only), so the server's SO_PEERCRED names airlockd, uid 0.  A server that
 * authorizes by peer credentials (D-Bus, systemd, polkit, sshd-agent style daemons) then
 * serves an unprivileged agent as root. */
Test(escape_egress, unix_server_sees_the_agents_credentials_not_airlockds)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct ucred cred = { 0 };
	socklen_t len = sizeof(cred);
	struct passwd *pw = getpwnam("nobody");
	struct pollfd pfd;
	char path[100];
	int l, c = -1, fd = -1;
	pid_t pid;

	cr_assert_not_null(pw, "no user 'nobody'");
	start(NULL);
	snprintf(path, sizeof(path), "%s/peer", dir);
	l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(un.sun_path, sizeof(un.sun_path), "%s", path);
	cr_assert_eq(bind(l, (struct sockaddr *)&un, sizeof(un)), 0);
	cr_assert_eq(chmod(path, 0777), 0);
	cr_assert_eq(listen(l, 4), 0);
	pid = test_airlock_spawn(&D, &fd, "run", "--user", "nobody", "--", attacker, dir,
				 "unix-connect", path, NULL);
	cr_assert_gt(pid, 0);
	pfd = (struct pollfd){ .fd = l, .events = POLLIN };
	if (poll(&pfd, 1, 5000) == 1)
		c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	cr_assert_geq(c, 0, "the agent's connection never arrived");
	cr_assert_eq(getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &len), 0);
	close(c);
	close(l);
	test_wait_child(pid, 5000);
	close(fd);
	cr_expect_eq(cred.uid, pw->pw_uid,
		     "the server saw uid %u (pid %d; airlockd is %d), not the agent's %u",
		     (unsigned)cred.uid, (int)cred.pid, (int)D.pid, (unsigned)pw->pw_uid);
	cr_expect_neq(cred.pid, D.pid, "the server saw airlockd as its peer");
}

/* Neither the agent nor its launcher keeps a copy of the session's listener: the agent
 * (and, as the same user, the launcher's fds) could otherwise answer for airlockd. */
Test(escape_gate, no_listener_is_left_within_the_agents_reach)
{
	char *out;

	start(POLICY_FILES);
	cr_assert_eq(attack_as(&out, "nobody", "find-listener"), 0);
	cr_expect(strstr(out, "HELD"), "%s", out);
	free(out);
	cr_assert_eq(attack(&out, "find-listener", NULL, NULL, NULL), 0);
	cr_expect(strstr(out, "HELD"), "%s", out);
	free(out);
}

static void steal_listener(const char *tmpl)
{
	char pid[16], *out;

	start(tmpl);
	snprintf(pid, sizeof(pid), "%d", (int)D.pid);
	out = attack_denying_asks_args("steal-listener", pid, NULL);
	kill(D.pid, SIGCONT); /* whatever the attacker left */
	assert_target_intact(out);
	cr_expect(daemon_answers(1000), "airlockd does not answer after the attack");
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
	steal_listener(POLICY_FILES);
}

/* HOLE while it fails (root): the policy file is an ordinary path to the gate, and a
 * reload is a signal.  A root agent under a policy that does not name the file rewrites it
 * to allow everything, sends SIGHUP, and runs what needed an ask.  (The embedded default
 * asks before writes under /etc, where the installed policy lives.) */
Test(escape_gate, agent_cannot_rewrite_the_policy_and_reload_it)
{
	char pid[16], *out;

	start(POLICY_ASK);
	snprintf(pid, sizeof(pid), "%d", (int)D.pid);
	out = attack_denying_asks_args("policy-rewrite", D.policy_path, pid);
	assert_no_marker(out);
	free(out);
}

/* HOLE while it fails (root): airlockd caps API clients (1024 in all, 64 per non-root
 * uid); a root agent holds every slot and no approver can connect -- every ask then times
 * out.  (An unprivileged agent running as the approver's own uid does the same with 64.) */
Test(escape_gate, agent_cannot_lock_approvers_out_of_the_api)
{
	char sock[160], flooded[160], *out;
	int fd = -1;
	pid_t pid;

	start(POLICY_ASK);
	snprintf(sock, sizeof(sock), "%s/api.sock", D.runtime_dir);
	snprintf(flooded, sizeof(flooded), "%s/work/flooded", dir);
	pid = test_airlock_spawn(&D, &fd, "run", "--", attacker, dir, "api-flood", sock, NULL);
	cr_assert_gt(pid, 0);
	for (int i = 0; i < 500 && access(flooded, F_OK) < 0; i++)
		usleep(10 * 1000);
	cr_expect(daemon_answers(1000), "an agent locked every client out of airlockd's API");
	kill_sessions();
	test_wait_child(pid, 3000);
	out = test_read_all(fd, 1000);
	close(fd);
	cr_log_info("attacker:\n%s", out);
	free(out);
}

/* HOLE while it fails (root): the audit log is an ordinary file to the gate; the default
 * policy protects /var/lib and /etc but not airlockd's own log, wherever it is.  A root
 * agent erases the record of what it tried. */
Test(escape_gate, audit_log_cannot_be_erased_from_a_session)
{
	char *out, *text;

	start(NULL);
	cr_assert_eq(attack(&out, "audit", cgroup2_root(), D.audit_path, NULL), 0);
	text = slurp(D.audit_path);
	cr_expect(text && strstr(text, "\"rule\":\"cgroup-escape\""),
		  "the record of the denied attempt is gone; attacker:\n%s", out);
	free(text);
	free(out);
}

/* HOLE while it fails: an exec's argv is kept up to AL_ARGV_MAX arguments; a rule on
 * arguments (the default's recursive-delete) does not see an -r placed after them, and
 * GNU rm takes options anywhere.  A truncated argv must count as matching. */
Test(escape_exec, recursive_delete_flag_past_the_kept_arguments_still_asks)
{
	char victim[160], *out;
	json_t *list;
	int fd = -1;
	pid_t pid;

	start(NULL);
	snprintf(victim, sizeof(victim), "%s/work/victim", dir);
	pid = test_airlock_spawn(&D, &fd, "run", "--", attacker, dir, "rm-truncated", NULL);
	cr_assert_gt(pid, 0);
	list = test_daemon_wait_pending(&D, 1, 1500);
	if (list) {
		char req[128];

		snprintf(req, sizeof(req), "{\"op\":\"deny\",\"id\":%lld}",
			 json_integer_value(json_object_get(json_array_get(list, 0), "id")));
		json_decref(test_daemon_call(&D, req));
		json_decref(list);
	}
	test_wait_child(pid, 5000);
	out = test_read_all(fd, 1000);
	close(fd);
	cr_log_info("attacker:\n%s", out);
	cr_expect(access(victim, F_OK) == 0, "rm -r ran without an ask:\n%s", out);
	free(out);
}

/* HOLE while it fails: GNU getopt accepts any unambiguous prefix of a long option, and
 * `--r` is one for `--recursive`: `rm --rec DIR` deletes a tree, and an argv glob that
 * spells out "--recursive" does not see it (the embedded default's recursive-delete). */
Test(escape_exec, abbreviated_long_option_still_asks)
{
	char victim[160], file[192], *out = NULL;
	json_t *list;
	int fd = -1;
	pid_t pid;

	start(NULL);
	snprintf(victim, sizeof(victim), "%s/work/victim", dir);
	snprintf(file, sizeof(file), "%s/file", victim);
	cr_assert_eq(mkdir(victim, 0755), 0);
	put(file, "keep\n");
	pid = test_airlock_spawn(&D, &fd, "run", "--", "/bin/rm", "--rec", victim, NULL);
	cr_assert_gt(pid, 0);
	list = test_daemon_wait_pending(&D, 1, 1500);
	if (list) {
		char req[128];

		snprintf(req, sizeof(req), "{\"op\":\"deny\",\"id\":%lld}",
			 json_integer_value(json_object_get(json_array_get(list, 0), "id")));
		json_decref(test_daemon_call(&D, req));
		json_decref(list);
	}
	test_wait_child(pid, 5000);
	out = test_read_all(fd, 1000);
	close(fd);
	cr_expect(access(victim, F_OK) == 0, "rm --rec ran without an ask:\n%s", out);
	free(out);
}

/* HOLE while it fails: under a policy with read rules airlockd performs every open itself,
 * with the target's fsuid but its own other capabilities.  procfs files that check ptrace
 * access on open (maps, smaps, ...) then open with airlockd's CAP_SYS_PTRACE: an
 * unprivileged agent reads the memory layout of root's processes. */
Test(escape_files, procfs_ptrace_checks_apply_to_the_agent)
{
	char *out = NULL, *err = NULL;
	int r;

	start(NULL);
	r = test_airlock(&D, &out, &err, "run", "--user", "nobody", "--", "/usr/bin/head", "-c",
			 "64", "/proc/1/maps", NULL);
	cr_log_info("status %d:\n%s%s", r, out, err);
	cr_expect_neq(r, 0, "nobody read pid 1's maps through airlockd:\n%s", out);
	cr_expect(out && out[0] == '\0', "nobody read pid 1's maps through airlockd:\n%s", out);
	free(out);
	free(err);
}

/* What a human approves is what airlock shows.  An agent that puts terminal control
 * sequences in an argument could redraw the line `airlock pending` or `airlock watch`
 * prints and pass `sudo ...` off as `ls`: the CLI must show them escaped. */
Test(escape_approve, control_characters_cannot_disguise_an_ask)
{
	char *out = NULL, *err = NULL, *watched, req[128];
	int wfd = -1, r;
	pid_t pid, watch;
	json_t *list;

	start(POLICY_ASK);
	watch = test_airlock_spawn(&D, &wfd, "watch", NULL);
	cr_assert_gt(watch, 0);
	usleep(200 * 1000);
	pid = test_airlock_spawn(&D, NULL, "run", "--", sudo, "\033[2K\r\033[1Als -la\n", NULL);
	cr_assert_gt(pid, 0);
	list = test_daemon_wait_pending(&D, 1, 5000);
	cr_assert_not_null(list, "no ask");
	r = test_airlock(&D, &out, &err, "pending", NULL);
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
	snprintf(req, sizeof(req), "{\"op\":\"deny\",\"id\":%lld}",
		 json_integer_value(json_object_get(json_array_get(list, 0), "id")));
	json_decref(test_daemon_call(&D, req));
	json_decref(list);
	test_wait_child(pid, 5000);
}
