// SPDX-License-Identifier: Apache-2.0
/*
 * The daemon performs allowed calls in the target's place (opens injected with ADDFD,
 * chmod, chown, names): it must do so with the target's capabilities, not its own.  A
 * root agent that dropped CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_CHOWN (capsh --drop, a
 * container's reduced set, a pod with `drop: [ALL]`), or a root agent in a user namespace
 * of its own (whose capabilities do not reach the host's files), must not get them back
 * through airlockd.  Each case runs the same calls twice -- natively in a plain child with
 * the same credentials, then under a real seccomp filter whose notifications the library
 * answers (notify_recv + notify_allow, as airlockd does) -- and wants the same result from
 * each call, and the files left as the native run leaves them.  Before the fix every call of
 * the first two cases succeeded gated; the non-root target, whose capabilities the euid
 * switch cleared, failed every call gated that it makes natively.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/securebits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gate_cases.h"
#include "daemon.h"
#include "gate_harness.h"

/* Owner of the files the attacker goes for; a uid no test process runs as. */
#define THEIR_UID 4242
/* A non-root target that holds capabilities of its own. */
#define CAPABLE_UID 4343

#define CAP(c) (UINT64_C(1) << (c))
#define FILE_CAPS                                                                                  \
	(CAP(CAP_DAC_OVERRIDE) | CAP(CAP_DAC_READ_SEARCH) | CAP(CAP_FOWNER) | CAP(CAP_CHOWN))

/* Exit codes of a child that could not take the case's identity */
#define EXIT_SETUP     90
#define EXIT_NO_USERNS 91

enum who {
	ROOT_DROPPED, /* uid 0 without FILE_CAPS in its effective, permitted, bounding sets */
	ROOT_USERNS,  /* uid 0 in a user namespace of its own (0 mapped to 0) */
	ROOT_FULL,    /* uid 0 with every capability: the daemon's own identity */
	USER_CAPABLE, /* uid CAPABLE_UID holding CAP_DAC_OVERRIDE and CAP_FOWNER */
	USER_PLAIN,   /* uid CAPABLE_UID without any capability */
};

enum op {
	OP_WRITE_OPEN, /* open(their file, O_WRONLY) */
	OP_CHMOD,      /* chmod(their file, 0666) */
	OP_CHOWN,      /* chown(their file, 0, 0) */
	OP_CREATE,     /* open(their dir/new, O_CREAT|O_WRONLY) */
	OP_UNLINK,     /* unlink(their dir/victim) */
	OP_MKDIR,      /* mkdir(their dir/sub) */
	OP_OWN_WRITE,  /* open(a root-owned 0644 file, O_WRONLY): the owner may */
	OP_RELATIVE,   /* the same by a name relative to the cwd (the daemon reads /proc/TID/cwd) */
	OP__MAX,
};

static const char *const op_names[OP__MAX] = {
	"write-open", "chmod", "chown", "create", "unlink", "mkdir", "own-write", "relative",
};

struct caps_case {
	enum who who;
	char theirs[PATH_MAX], theirdir[PATH_MAX], mine[PATH_MAX];
	int err[OP__MAX]; /* 0 or the errno each call failed with */
};

static const char *const calls[] = {
	"open",	  "openat",   "openat2", "creat",    "chmod", "fchmodat", "chown",
	"lchown", "fchownat", "unlink",	 "unlinkat", "mkdir", "mkdirat",
};

static int capget_self(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };

	return (int)syscall(SYS_capget, &h, d);
}

static int capset_self(uint64_t eff, uint64_t prm, uint64_t inh)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)eff, (uint32_t)prm, (uint32_t)inh },
		{ (uint32_t)(eff >> 32), (uint32_t)(prm >> 32), (uint32_t)(inh >> 32) },
	};

	return (int)syscall(SYS_capset, &h, d);
}

static uint64_t eff_of(const struct __user_cap_data_struct d[2])
{
	return d[0].effective | (uint64_t)d[1].effective << 32;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/*
 * unshare(CLONE_NEWUSER), then have host root map uid and gid 0 to 0.  Mapping host root
 * needs CAP_SETFCAP in the parent namespace from whoever opened the map file: in a gated
 * run the daemon opens it, with the opener's capabilities, so the opener must be a process
 * still in the daemon's namespace -- a child forked before the unshare.  0, -2 when user
 * namespaces are not available, -1 otherwise.
 */
static int enter_userns(void)
{
	static const char *const maps[][2] = { { "uid_map", "0 0 1\n" },
					       { "setgroups", "deny\n" },
					       { "gid_map", "0 0 1\n" } };
	int go[2], status, i;
	char path[64], c = 0;
	pid_t mapper, self = getpid();

	if (pipe2(go, O_CLOEXEC) < 0)
		return -1;
	mapper = fork();
	if (mapper < 0)
		return -1;
	if (mapper == 0) {
		if (read(go[0], &c, 1) != 1 || c != 'u')
			_exit(1);
		for (i = 0; i < 3; i++) {
			snprintf(path, sizeof(path), "/proc/%d/%s", (int)self, maps[i][0]);
			if (write_file(path, maps[i][1]) < 0)
				_exit(2);
		}
		_exit(0);
	}
	c = unshare(CLONE_NEWUSER) == 0 ? 'u' : 'x';
	if (write(go[1], &c, 1) != 1 || waitpid(mapper, &status, 0) != mapper)
		return -1;
	if (c != 'u')
		return -2;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* In the child (gated or not): take the case's identity. */
static int become(enum who who)
{
	struct __user_cap_data_struct d[2];
	uint64_t prm, eff, inh;
	int c;

	switch (who) {
	case ROOT_DROPPED:
		/* bounding first: dropping from it needs CAP_SETPCAP, which stays */
		for (c = 0; c < 64; c++)
			if ((FILE_CAPS & CAP(c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
				return -1;
		if (capget_self(d) < 0)
			return -1;
		prm = (d[0].permitted | (uint64_t)d[1].permitted << 32) & ~FILE_CAPS;
		eff = eff_of(d) & ~FILE_CAPS;
		inh = (d[0].inheritable | (uint64_t)d[1].inheritable << 32) & ~FILE_CAPS;
		return capset_self(eff, prm, inh);
	case ROOT_USERNS:
		/* full capabilities, but in a namespace that owns none of the host's files */
		return enter_userns();
	case ROOT_FULL:
		return 0;
	case USER_CAPABLE:
		/* keep the permitted set across the uid change, then make two effective */
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setgroups(0, NULL) < 0 ||
		    setresgid(CAPABLE_UID, CAPABLE_UID, CAPABLE_UID) < 0 ||
		    setresuid(CAPABLE_UID, CAPABLE_UID, CAPABLE_UID) < 0)
			return -1;
		eff = CAP(CAP_DAC_OVERRIDE) | CAP(CAP_FOWNER);
		if (capset_self(eff, eff, 0) < 0)
			return -1;
		/* a uid change makes the process non-dumpable; an exec'ed agent is dumpable */
		return prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	case USER_PLAIN:
		/* the daemon's securebits are not the target's: the uid change clears all */
		if (prctl(PR_SET_SECUREBITS, 0, 0, 0, 0) < 0)
			return -1;
		if (setgroups(0, NULL) < 0 ||
		    setresgid(CAPABLE_UID, CAPABLE_UID, CAPABLE_UID) < 0 ||
		    setresuid(CAPABLE_UID, CAPABLE_UID, CAPABLE_UID) < 0)
			return -1;
		return prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	}
	return -1;
}

static int result(int r)
{
	return r < 0 ? errno : 0;
}

static int open_result(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0644);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int attack(void *arg)
{
	struct caps_case *c = arg;
	char path[PATH_MAX + 16];
	int r;

	r = become(c->who);
	if (r == -2)
		return EXIT_NO_USERNS;
	if (r < 0)
		return EXIT_SETUP;
	c->err[OP_WRITE_OPEN] = open_result(c->theirs, O_WRONLY);
	c->err[OP_CHMOD] = result(chmod(c->theirs, 0666));
	c->err[OP_CHOWN] = result(chown(c->theirs, 0, 0));
	snprintf(path, sizeof(path), "%s/new", c->theirdir);
	c->err[OP_CREATE] = open_result(path, O_WRONLY | O_CREAT);
	snprintf(path, sizeof(path), "%s/victim", c->theirdir);
	c->err[OP_UNLINK] = result(unlink(path));
	snprintf(path, sizeof(path), "%s/sub", c->theirdir);
	c->err[OP_MKDIR] = result(mkdir(path, 0755));
	c->err[OP_OWN_WRITE] = open_result(c->mine, O_WRONLY);
	c->err[OP_RELATIVE] = chdir(dir) < 0 ? -1 : open_result("mine", O_WRONLY);
	return 0;
}

/* The files of one run, made afresh: a run that succeeds changes them. */
static void make_files(struct caps_case *c)
{
	char path[PATH_MAX + 16];
	int fd;

	gate_rmtree(c->theirdir);
	unlink(c->theirs);
	unlink(c->mine);
	fd = open(c->theirs, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_eq(chown(c->theirs, THEIR_UID, THEIR_UID), 0);
	cr_assert_eq(chmod(c->theirs, 0644), 0);
	cr_assert_eq(mkdir(c->theirdir, 0755), 0);
	snprintf(path, sizeof(path), "%s/victim", c->theirdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_eq(chown(path, THEIR_UID, THEIR_UID), 0);
	cr_assert_eq(chown(c->theirdir, THEIR_UID, THEIR_UID), 0);
	cr_assert_eq(chmod(c->theirdir, 0755), 0);
	fd = open(c->mine, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	cr_assert_geq(fd, 0);
	close(fd);
}

/* What the files look like after a run, to compare the two runs by. */
struct aftermath {
	mode_t mode;
	uid_t uid;
	bool created, victim, sub;
};

static void look(const struct caps_case *c, struct aftermath *a)
{
	char path[PATH_MAX + 16];
	struct stat st;

	cr_assert_eq(stat(c->theirs, &st), 0);
	a->mode = st.st_mode & 07777;
	a->uid = st.st_uid;
	snprintf(path, sizeof(path), "%s/new", c->theirdir);
	a->created = access(path, F_OK) == 0;
	snprintf(path, sizeof(path), "%s/victim", c->theirdir);
	a->victim = access(path, F_OK) == 0;
	snprintf(path, sizeof(path), "%s/sub", c->theirdir);
	a->sub = access(path, F_OK) == 0;
}

static void run_native(struct caps_case *c)
{
	int status;
	pid_t pid;

	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(attack(c));
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status), "native child status %#x", status);
	if (WEXITSTATUS(status) == EXIT_NO_USERNS)
		cr_skip_test("no user namespace here (unshare(CLONE_NEWUSER) failed)");
	cr_assert_eq(WEXITSTATUS(status), 0, "native child could not take its identity");
}

static int allow_all(struct gate_notif *n, void *arg)
{
	(void)n;
	(void)arg;
	return GATE_ALLOW;
}

/* Run the calls natively and gated; each must end the same way, and leave the same files. */
static void check_case(enum who who, const int expect[OP__MAX])
{
	struct caps_case *c = gate_shared(sizeof(*c));
	struct gate_child_opts opts = { .umask = 022 };
	struct __user_cap_data_struct before[2], after[2];
	struct aftermath native, gated;
	int native_err[OP__MAX], code, i;
	struct gate_harness h;

	cr_assert_not_null(c);
	c->who = who;
	snprintf(c->theirs, sizeof(c->theirs), "%s/theirs", dir);
	snprintf(c->theirdir, sizeof(c->theirdir), "%s/theirdir", dir);
	snprintf(c->mine, sizeof(c->mine), "%s/mine", dir);

	make_files(c);
	run_native(c);
	memcpy(native_err, c->err, sizeof(native_err));
	look(c, &native);
	/* the case is what it says it is: the kernel itself answers so */
	for (i = 0; i < OP__MAX; i++)
		cr_assert_eq(native_err[i], expect[i], "native %s: '%s', expected '%s'",
			     op_names[i], strerror(native_err[i]), strerror(expect[i]));

	make_files(c);
	memset(c->err, 0, sizeof(c->err));
	cr_assert_eq(capget_self(before), 0);
	code = run_gated(calls, sizeof(calls) / sizeof(calls[0]), &opts, attack, c, allow_all, NULL,
			 &h);
	cr_assert_eq(capget_self(after), 0);
	cr_assert_eq(code, 0, "gated child could not take its identity (exit %d)", code);
	/* every call reached the daemon and was performed by it */
	cr_assert_geq(h.allowed, OP__MAX, "only %u calls were performed by the gate", h.allowed);
	look(c, &gated);

	for (i = 0; i < OP__MAX; i++)
		cr_expect_eq(c->err[i], native_err[i], "%s: gated '%s', native '%s'", op_names[i],
			     strerror(c->err[i]), strerror(native_err[i]));
	cr_expect_eq(gated.mode, native.mode, "mode: gated %o, native %o", gated.mode, native.mode);
	cr_expect_eq(gated.uid, native.uid, "owner: gated %u, native %u", gated.uid, native.uid);
	cr_expect_eq(gated.created, native.created, "created a file in their directory");
	cr_expect_eq(gated.victim, native.victim, "unlinked in their directory");
	cr_expect_eq(gated.sub, native.sub, "made a directory in their directory");
	/* the daemon's thread has its own capabilities back */
	cr_expect_eq(eff_of(after), eff_of(before), "daemon effective %llx, was %llx",
		     (unsigned long long)eff_of(after), (unsigned long long)eff_of(before));
}

/* Natively: not the owner, no capability that overrides it. */
static const int refused[OP__MAX] = {
	[OP_WRITE_OPEN] = EACCES, [OP_CHMOD] = EPERM,  [OP_CHOWN] = EPERM, [OP_CREATE] = EACCES,
	[OP_UNLINK] = EACCES,	  [OP_MKDIR] = EACCES, [OP_OWN_WRITE] = 0, [OP_RELATIVE] = 0,
};

Test(gate_caps, root_without_file_capabilities_gets_none_from_the_daemon, .init = setup,
     .fini = teardown)
{
	check_case(ROOT_DROPPED, refused);
}

/* Its CAP_DAC_OVERRIDE and CAP_FOWNER count only for files whose owner its namespace maps. */
Test(gate_caps, root_in_its_own_user_namespace_gets_no_host_capabilities, .init = setup,
     .fini = teardown)
{
	check_case(ROOT_USERNS, refused);
}

/* The fast path (the daemon's own identity) still acts with every capability. */
Test(gate_caps, root_with_every_capability_keeps_them, .init = setup, .fini = teardown)
{
	static const int allowed[OP__MAX] = { 0 };

	check_case(ROOT_FULL, allowed);
}

/* CAP_DAC_OVERRIDE and CAP_FOWNER, not CAP_CHOWN: the daemon acts with exactly those. */
Test(gate_caps, capabilities_of_a_non_root_target_are_its_own, .init = setup, .fini = teardown)
{
	static const int capable[OP__MAX] = { [OP_CHOWN] = EPERM };

	check_case(USER_CAPABLE, capable);
}

/* A daemon whose set*id calls do not touch its capabilities (SECBIT_NO_SETUID_FIXUP: leaving
 * euid 0 keeps the effective set) still acts with none for a target that has none, and gets
 * its own set back after. */
Test(gate_caps, no_setuid_fixup_in_the_daemon_lends_no_capability, .init = setup, .fini = teardown)
{
	static const int plain[OP__MAX] = {
		[OP_WRITE_OPEN] = EACCES, [OP_CHMOD] = EPERM,	  [OP_CHOWN] = EPERM,
		[OP_CREATE] = EACCES,	  [OP_UNLINK] = EACCES,	  [OP_MKDIR] = EACCES,
		[OP_OWN_WRITE] = EACCES,  [OP_RELATIVE] = EACCES,
	};

	/* this test's process is the daemon: Criterion runs each test in its own */
	cr_assert_eq(prctl(PR_SET_SECUREBITS, SECBIT_NO_SETUID_FIXUP, 0, 0, 0), 0);
	check_case(USER_PLAIN, plain);
}

/* ---- connect: the family decides whose capabilities count ------------------------- */

/*
 * netlink_connect() checks the caller's CAP_NET_ADMIN for a multicast group or another
 * socket's port id, and a later send() without an address goes through: an emulated
 * connect made with the daemon's capabilities would hand a root agent that dropped
 * CAP_NET_ADMIN (or any unprivileged one) the kernel's routing and link events and a
 * channel to other netlink sockets.  Results: connect to a group, to a port id, sendto a
 * group (errno or 0 each).
 */
#define NL_CALLS 3

static int drop_net_admin(void)
{
	struct __user_cap_data_struct d[2];

	if (prctl(PR_CAPBSET_DROP, CAP_NET_ADMIN, 0, 0, 0) < 0 || capget_self(d) < 0)
		return -1;
	return capset_self(eff_of(d) & ~CAP(CAP_NET_ADMIN),
			   (d[0].permitted | (uint64_t)d[1].permitted << 32) & ~CAP(CAP_NET_ADMIN),
			   0);
}

static int netlink_attack(void *arg)
{
	struct sockaddr_nl group = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	struct sockaddr_nl port = { .nl_family = AF_NETLINK, .nl_pid = 0x7fff0001 };
	struct nlmsghdr msg = { .nlmsg_len = NLMSG_HDRLEN };
	int *res = arg, s[NL_CALLS], i;

	if (drop_net_admin() < 0)
		return EXIT_SETUP;
	for (i = 0; i < NL_CALLS; i++) {
		s[i] = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
		if (s[i] < 0)
			return EXIT_SETUP;
	}
	res[0] = connect(s[0], (struct sockaddr *)&group, sizeof(group)) < 0 ? errno : 0;
	res[1] = connect(s[1], (struct sockaddr *)&port, sizeof(port)) < 0 ? errno : 0;
	res[2] = sendto(s[2], &msg, sizeof(msg), 0, (struct sockaddr *)&group, sizeof(group)) < 0
			 ? errno
			 : 0;
	return 0;
}

Test(gate_caps, netlink_connect_needs_the_targets_own_cap_net_admin, .init = setup,
     .fini = teardown)
{
	static const char *const nl_calls[] = { "connect", "sendto" };
	struct gate_child_opts opts = { .umask = -1 };
	int *res = gate_shared(2 * NL_CALLS * sizeof(int)), status, code, i;
	struct gate_harness h;
	pid_t pid;

	cr_assert_not_null(res);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(netlink_attack(res));
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "native child %#x", status);
	for (i = 0; i < NL_CALLS; i++)
		cr_assert_eq(res[i], EPERM, "native call %d: %s (wanted EPERM)", i, strerror(res[i]));
	code = run_gated(nl_calls, 2, &opts, netlink_attack, res + NL_CALLS, allow_all, NULL, &h);
	cr_assert_eq(code, 0, "gated child exit %d", code);
	cr_assert_gt(h.allowed, 0, "nothing was notified");
	for (i = 0; i < NL_CALLS; i++)
		cr_expect_eq(res[NL_CALLS + i], res[i], "call %d: gated %s, native %s", i,
			     strerror(res[NL_CALLS + i]), strerror(res[i]));
}

/* ---- end to end: airlock run, a real airlockd ------------------------------------- */

/*
 * A root agent that drops the four capabilities the way a container runtime does (a
 * reduced bounding set, then exec: root's new permitted set is the bounding set) and then
 * goes for a uid-4242 file and directory.  Each step prints its name only if it
 * succeeded.  (No single quote in it: the native run passes it through popen's shell.)
 */
static const char attack_script[] = "f=\"$1\"; d=\"$2\"; r=\n"
				    "echo x 2>/dev/null >> \"$f\" && r=\"$r write\"\n"
				    "chmod 666 \"$f\" 2>/dev/null && r=\"$r chmod\"\n"
				    "chown 0:0 \"$f\" 2>/dev/null && r=\"$r chown\"\n"
				    "true 2>/dev/null > \"$d/new\" && r=\"$r create\"\n"
				    "rm -f \"$d/victim\" 2>/dev/null && r=\"$r unlink\"\n"
				    "mkdir \"$d/sub\" 2>/dev/null && r=\"$r mkdir\"\n"
				    "echo \"done:$r\"\n";

#define DROP "--bounding-set=-dac_override,-dac_read_search,-fowner,-chown"

/* What the script prints natively: the kernel's answer. */
static char *native_script(const struct caps_case *c)
{
	char cmd[4 * PATH_MAX], *out = calloc(1, 256);
	FILE *p;

	cr_assert_not_null(out);
	snprintf(cmd, sizeof(cmd), "setpriv " DROP " -- /bin/sh -c '%s' sh '%s' '%s'",
		 attack_script, c->theirs, c->theirdir);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	if (!fgets(out, 256, p))
		out[0] = '\0';
	pclose(p);
	return out;
}

Test(gate_caps_e2e, root_agent_without_file_capabilities_under_airlock_run, .init = setup,
     .fini = teardown, .timeout = 60)
{
	struct caps_case *c = calloc(1, sizeof(*c));
	char policy[4 * PATH_MAX], *native, *out = NULL, *err = NULL, *audit;
	struct test_daemon d;
	int fd, r;

	cr_assert_not_null(c);
	if (access("/usr/bin/setpriv", X_OK) != 0)
		cr_skip_test("no /usr/bin/setpriv (util-linux)");
	snprintf(c->theirs, sizeof(c->theirs), "%s/theirs", dir);
	snprintf(c->theirdir, sizeof(c->theirdir), "%s/theirdir", dir);
	snprintf(c->mine, sizeof(c->mine), "%s/mine", dir);
	make_files(c);
	native = native_script(c);
	cr_assert_str_eq(native, "done:\n", "natively the script did:%s", native);

	/* every call is notified, allowed and recorded: the daemon performs each one */
	snprintf(policy, sizeof(policy),
		 "version: 1\nrules:\n"
		 "  - name: w\n    match: { write: [\"%s/**\"] }\n    action: audit\n"
		 "  - name: m\n    match: { chmod: [\"%s/**\"] }\n    action: audit\n"
		 "  - name: o\n    match: { chown: [\"%s/**\"] }\n    action: audit\n"
		 "  - name: x\n    match: { delete: [\"%s/**\"] }\n    action: audit\n",
		 dir, dir, dir, dir);
	cr_assert_eq(test_daemon_start(&d, policy, NULL), 0, "airlockd did not start");
	make_files(c);
	r = test_airlock(&d, &out, &err, "run", "--", "/usr/bin/setpriv", DROP, "--", "/bin/sh",
			 "-c", attack_script, "sh", c->theirs, c->theirdir, NULL);
	fd = open(d.audit_path, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	audit = test_read_all(fd, 1000);
	close(fd);
	cr_assert_not_null(audit);
	test_daemon_stop(&d);

	cr_assert_eq(r, 0, "airlock run: %d, stderr: %s", r, err ? err : "");
	cr_expect_str_eq(out, native, "under airlock the script did:%s", out);
	/* the calls reached the gate, which performed them */
	cr_expect(strstr(audit, "\"rule\":\"w\"") && strstr(audit, "\"rule\":\"m\"") &&
			  strstr(audit, "\"rule\":\"o\"") && strstr(audit, "\"rule\":\"x\""),
		  "audit log:\n%s", audit);
	free(audit);
	free(out);
	free(err);
	free(native);
	free(c);
}
