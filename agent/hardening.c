// SPDX-License-Identifier: Apache-2.0
#include "hardening.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "procstat.h"

#define OP(x) (1ULL << (x))
/* What changes a name or what it holds: the classes a protected path is refused. */
#define PATH_OPS (OP(AL_OP_WRITE) | OP(AL_OP_DELETE) | OP(AL_OP_CHMOD) | OP(AL_OP_CHOWN))
/* Classes that move or cover a whole tree: refused on the ancestors of a protected path
 * too (a rename, an exchange, a mount over the directory). */
#define TREE_OPS (OP(AL_OP_DELETE) | OP(AL_OP_MOUNT))

enum hkind {
	HK_TARGET_OUTSIDE, /* ptrace class and signals aimed outside the session */
	HK_PATH,	   /* a protected path */
	HK_PROC_OUTSIDE,   /* /proc/PID/... of a process outside the session */
	HK_MOUNT_RULE,	   /* a mount no rule names */
};

enum hpath {
	HP_NONE = 0,
	HP_POLICY,  /* the policy file */
	HP_AUDIT,   /* the audit log */
	HP_RUNTIME, /* the runtime dir: api.sock, state */
	HP_CGROUP,  /* the cgroup2 mount the daemon uses */
	HP_FIXED,   /* the path in the entry */
};

/*
 * Every built-in protection the daemon applies, whatever the policy (docs/gate.md,
 * "Built-in hardening", has the same table with the reasons).
 */
static const struct protection {
	const char *name;
	enum hkind kind;
	uint64_t ops;
	enum hpath path;
	const char *fixed;
	bool tree; /* the path and everything below it */
} protections[] = {
	{ "hardening:reach-outside", HK_TARGET_OUTSIDE, OP(AL_OP_PTRACE) | OP(AL_OP_SIGNAL),
	  HP_NONE, NULL, false },
	{ "hardening:mount-needs-rule", HK_MOUNT_RULE, OP(AL_OP_MOUNT), HP_NONE, NULL, false },
	{ "hardening:policy-file", HK_PATH, PATH_OPS | TREE_OPS, HP_POLICY, NULL, false },
	{ "hardening:audit-log", HK_PATH, PATH_OPS | TREE_OPS, HP_AUDIT, NULL, false },
	{ "hardening:runtime-dir", HK_PATH, PATH_OPS | TREE_OPS, HP_RUNTIME, NULL, true },
	{ "hardening:cgroupfs", HK_PATH, PATH_OPS | TREE_OPS, HP_CGROUP, NULL, true },
	{ "hardening:cgroupfs", HK_PATH, PATH_OPS | TREE_OPS, HP_FIXED, "/sys/fs/cgroup", true },
	{ "hardening:bpffs", HK_PATH, PATH_OPS | TREE_OPS, HP_FIXED, "/sys/fs/bpf", true },
	{ "hardening:userfaultfd", HK_PATH, PATH_OPS, HP_FIXED, "/dev/userfaultfd", false },
	{ "hardening:proc-outside", HK_PROC_OUTSIDE, PATH_OPS, HP_NONE, NULL, false },
};

/* Is pid (of the daemon's pid namespace) in the session's cgroup or below it? */
static int pid_in_session(const char *session_cgroup, pid_t pid, bool *ret_inside)
{
	char cg[PATH_MAX];
	size_t n = strlen(session_cgroup);
	int r;

	r = cgroup_of_pid(pid, cg, sizeof(cg));
	if (r < 0)
		return r;
	*ret_inside = strncmp(cg, session_cgroup, n) == 0 && (cg[n] == '\0' || cg[n] == '/');
	return 0;
}

/* Does the caller share the daemon's pid namespace?  Its pids mean ours only then. */
static bool same_pidns(pid_t tgid)
{
	char path[64];
	struct stat mine, its;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)tgid);
	if (stat("/proc/self/ns/pid", &mine) < 0 || stat(path, &its) < 0)
		return false;
	return mine.st_ino == its.st_ino && mine.st_dev == its.st_dev;
}

/* The process group of tgid (field 5 of /proc/PID/stat), or -1. */
static pid_t pgrp_of(pid_t tgid)
{
	struct proc_stat st;

	return proc_stat_read(tgid, &st) == 0 ? st.pgrp : -1;
}

/* The pid (in the daemon's namespace) a pidfd of tgid refers to, from its fdinfo:
 * 0 with *ret_pid, -ENOENT when fd is no pidfd, -ESRCH when its process is gone or
 * outside our namespace, other -errno. */
static int pidfd_target(pid_t tgid, int fd, pid_t *ret_pid)
{
	char path[64], buf[2048], *p;
	ssize_t n;
	int pid, f, r = -ENOENT;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)tgid, fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -errno;
	n = read(f, buf, sizeof(buf) - 1);
	if (n < 0)
		r = -errno;
	close(f);
	if (n <= 0)
		return r;
	buf[n] = '\0';
	p = strstr(buf, "\nPid:");
	if (!p || sscanf(p + 5, "%d", &pid) != 1)
		return -ENOENT;
	if (pid <= 0)
		return -ESRCH;
	*ret_pid = (pid_t)pid;
	return 0;
}

/* Is the process pid (a pid of the daemon's namespace) outside the session?  A pid that
 * does not exist is not: the kernel fails the call with ESRCH. */
static bool pid_outside(const struct hardening_scope *hs, pid_t pid)
{
	bool inside = false;
	int r;

	if (pid <= 0)
		return true;
	r = pid_in_session(hs->session_cgroup, pid, &inside);
	if (r == -ENOENT || r == -ESRCH)
		return false;
	return r < 0 || !inside;
}

/* The registers hold an int pid: the kernel ignores the upper half. */
static pid_t reg_pid(uint64_t v)
{
	return (pid_t)(int32_t)(uint32_t)v;
}

/* Does this ptrace-class call or signal reach a process outside the session? */
static bool reaches_outside(const struct hardening_scope *hs, const struct al_request *req)
{
	const char *sc = req->syscall ? req->syscall : "";
	pid_t a0 = reg_pid(req->args[0]), a1 = reg_pid(req->args[1]), pid = 0;
	int r;

	if (strcmp(sc, "pidfd_getfd") == 0 || strcmp(sc, "pidfd_send_signal") == 0) {
		/* what is no pidfd of ours fails with EPERM rather than the kernel's EBADF */
		r = pidfd_target(req->tgid, (int)a0, &pid);
		return r < 0 || pid_outside(hs, pid);
	}
	/* Every other call names its target by a pid of the caller's namespace. */
	if (strcmp(sc, "ptrace") == 0) {
		/* PTRACE_TRACEME hands the caller to its parent; it reaches no one */
		if ((long)req->args[0] == PTRACE_TRACEME)
			return false;
		pid = a1;
	} else if (strcmp(sc, "kill") == 0) {
		if (a0 == 0)
			return false; /* the caller's own process group */
		if (a0 < -1 && same_pidns(req->tgid) && -a0 == pgrp_of(req->tgid))
			return false;
		pid = a0; /* -1 (everyone) and other groups fall out below */
	} else if (strcmp(sc, "tgkill") == 0 || strcmp(sc, "rt_tgsigqueueinfo") == 0) {
		if (!same_pidns(req->tgid))
			return true;
		return pid_outside(hs, a0) || pid_outside(hs, a1);
	} else {
		/* process_vm_readv/writev, tkill, rt_sigqueueinfo */
		pid = a0;
	}
	if (pid <= 0 || !same_pidns(req->tgid))
		return true;
	return pid_outside(hs, pid);
}

/* "/proc/N" or "/proc/N/...": N, else 0. */
static pid_t proc_pid_of(const char *path)
{
	const char *p;
	long v = 0;

	if (strncmp(path, "/proc/", 6) != 0)
		return 0;
	for (p = path + 6; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > INT32_MAX)
			return 0;
	}
	if (p == path + 6 || (*p != '/' && *p != '\0'))
		return 0;
	return (pid_t)v;
}

/* p is prot, or below it when tree, or (for the classes that move or cover trees) one of
 * its ancestors. */
static bool path_hits(const char *p, const char *prot, bool tree, bool ancestors)
{
	size_t lp = strlen(p), lr = strlen(prot);

	if (!*p || !*prot)
		return false;
	if (strcmp(p, prot) == 0)
		return true;
	if (tree && lp > lr && strncmp(p, prot, lr) == 0 && p[lr] == '/')
		return true;
	if (ancestors && strcmp(p, "/") == 0)
		return true;
	return ancestors && lr > lp && strncmp(p, prot, lp) == 0 && prot[lp] == '/';
}

static const char *protected_path(const struct hardening_scope *hs, const struct protection *e)
{
	switch (e->path) {
	case HP_POLICY:
		return hs->policy_path;
	case HP_AUDIT:
		return hs->audit_path;
	case HP_RUNTIME:
		return hs->runtime_dir;
	case HP_CGROUP:
		return hs->cgroup_mount;
	case HP_FIXED:
		return e->fixed;
	case HP_NONE:
		break;
	}
	return NULL;
}

static bool protection_applies(const struct hardening_scope *hs, const struct protection *e,
			       const struct al_request *req, const struct al_decision *dec)
{
	bool ancestors = OP(req->op) & TREE_OPS;
	const char *prot;
	pid_t pid;

	switch (e->kind) {
	case HK_TARGET_OUTSIDE:
		return reaches_outside(hs, req);
	case HK_PATH:
		prot = protected_path(hs, e);
		if (!prot)
			return false;
		return path_hits(req->path, prot, e->tree, ancestors) ||
		       path_hits(req->path2, prot, e->tree, ancestors);
	case HK_PROC_OUTSIDE:
		pid = proc_pid_of(req->path);
		if (!pid)
			pid = proc_pid_of(req->path2);
		if (!pid)
			return false;
		/* /proc shows pids of the namespace it was mounted for */
		return !same_pidns(req->tgid) || pid_outside(hs, pid);
	case HK_MOUNT_RULE:
		return !dec->rule;
	}
	return false;
}

const char *hardening_check(const struct hardening_scope *hs, const struct al_request *req,
			    const struct al_decision *dec)
{
	size_t i;

	if ((unsigned)req->op >= 64)
		return NULL;
	for (i = 0; i < sizeof(protections) / sizeof(protections[0]); i++) {
		const struct protection *e = &protections[i];

		if ((e->ops & OP(req->op)) && protection_applies(hs, e, req, dec))
			return e->name;
	}
	return NULL;
}
