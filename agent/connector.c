// SPDX-License-Identifier: Apache-2.0
/*
 * The AF_UNIX connector: a child forked per call, with the target's identity.  Why a
 * child per call and not a resident helper per session: docs/gate.md, "AF_UNIX peers".
 */
#include "connector.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "target.h"

/* Exit codes beyond any errno: the connector never called, or sent only part. */
#define EXIT_SETUP   255
#define EXIT_PARTIAL 254

/* The cgroup2 mount, found once (it does not move under a running daemon). */
static int cgroup_mount(const char **ret_mount, const char **ret_root)
{
	static char mount[PATH_MAX], root[PATH_MAX];
	static int found;
	int r;

	if (!found) {
		r = cgroup_find_mount("/proc/self/mountinfo", mount, sizeof(mount), root,
				      sizeof(root));
		if (r < 0)
			return r;
		found = 1;
	}
	*ret_mount = mount;
	*ret_root = root;
	return 0;
}

/* A directory fd of the target's cgroup, read through its /proc/TID handle (so a reused pid
 * cannot name another process). */
static int target_cgroup_fd(const struct target *t)
{
	char buf[PATH_MAX + 64], path[2 * PATH_MAX];
	const char *mount, *root, *rel, *nl;
	size_t rlen;
	ssize_t n;
	int fd, r;

	r = cgroup_mount(&mount, &root);
	if (r < 0)
		return r;
	fd = openat(t->procfd, "cgroup", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	r = n < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		return r;
	buf[n] = '\0';
	/* The unified hierarchy is the line with id 0 and no controllers. */
	rel = strncmp(buf, "0::", 3) == 0 ? buf : strstr(buf, "\n0::");
	if (!rel)
		return -ENOENT;
	rel += rel == buf ? 3 : 4;
	nl = strchr(rel, '\n');
	if (!nl)
		return -ENAMETOOLONG;
	/* /proc/PID/cgroup shows the path from the hierarchy's root; the mount may show a
	 * subtree of it (its root in mountinfo) */
	rlen = strcmp(root, "/") == 0 ? 0 : strlen(root);
	if (strncmp(rel, root, rlen) != 0 || (rel[rlen] != '/' && rel[rlen] != '\n'))
		return -EXDEV;
	rel += rlen;
	if ((size_t)snprintf(path, sizeof(path), "%s%.*s", mount, (int)(nl - rel), rel) >=
	    sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Close every fd but 0-2, a and b (b may be -1). */
static void close_others(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a, next = 3;

	if (lo >= 0) {
		if (lo > next)
			syscall(SYS_close_range, next, lo - 1, 0);
		next = lo + 1;
	}
	if (hi > next)
		syscall(SYS_close_range, next, hi - 1, 0);
	syscall(SYS_close_range, hi + 1, ~0U, 0);
}

/* In the child: become the target, without privilege.  Raw syscalls: no libc wrapper that
 * could take a lock another thread of the daemon held at fork time. */
static int drop_to(const struct target *t, pid_t parent)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3] = { 0 };

	/* First: a process of the target's uid that is dumpable could be ptraced or have its
	 * /proc/PID/fd opened by the agent, and it still holds the daemon's memory. */
	if (syscall(SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -1;
	if (syscall(SYS_setgroups, t->ngroups, t->groups) < 0 ||
	    syscall(SYS_setresgid, t->rgid, t->egid, t->egid) < 0 ||
	    syscall(SYS_setresuid, t->ruid, t->euid, t->euid) < 0)
		return -1;
	/* setfs*id returns the previous value; check by reading back */
	syscall(SYS_setfsgid, t->fsgid);
	syscall(SYS_setfsuid, t->fsuid);
	if ((gid_t)syscall(SYS_setfsgid, -1) != t->fsgid ||
	    (uid_t)syscall(SYS_setfsuid, -1) != t->fsuid)
		return -1;
	/* A target running as root keeps no capability here either: the connector is only
	 * ever less than the target. */
	if (syscall(SYS_capset, &hdr, none) < 0 ||
	    syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	/* A credential change clears the parent-death signal: set it after.  A connector
	 * blocked on a full backlog must not outlive the daemon that waits for it. */
	if (syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 ||
	    syscall(SYS_getppid) != parent)
		return -1;
	return 0;
}

static void connector_main(const struct target *t, const struct connector_call *c, pid_t parent)
{
	ssize_t n;

	close_others(c->sock, c->keep_fd);
	if (drop_to(t, parent) < 0)
		_exit(EXIT_SETUP);
	if (!c->send) {
		if (connect(c->sock, c->addr, c->addrlen) < 0)
			_exit(errno);
		_exit(0);
	}
	n = sendto(c->sock, c->buf, c->len, c->flags | MSG_NOSIGNAL, c->addr,
		   c->addr ? c->addrlen : 0);
	if (n < 0)
		_exit(errno);
	/* AF_UNIX datagrams and seqpackets go whole or not at all, and a stream refuses a
	 * name: a short count cannot be told through an exit code */
	_exit((size_t)n == c->len ? 0 : EXIT_PARTIAL);
}

int connector_start(const struct target *t, const struct connector_call *c, int *ret_pidfd)
{
	struct clone_args ca = { 0 };
	pid_t parent = getpid();
	int cg, pidfd = -1;
	long pid;

	cg = target_cgroup_fd(t);
	if (cg < 0)
		return cg;
	/* No exit signal: the daemon learns of the exit through the pidfd, and no waitpid(-1)
	 * elsewhere reaps it (a child without SIGCHLD needs __WALL). */
	ca.flags = CLONE_PIDFD | CLONE_INTO_CGROUP;
	ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
	ca.exit_signal = 0;
	ca.cgroup = (uint64_t)cg;
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0)
		connector_main(t, c, parent);
	close(cg);
	if (pid < 0)
		return -errno;
	/* CLONE_PIDFD pidfds are close-on-exec */
	*ret_pidfd = pidfd;
	return 0;
}

int connector_finish(int pidfd, int *ret_err)
{
	siginfo_t si = { 0 };

	if (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED | WNOHANG | __WALL) < 0)
		return -errno;
	if (si.si_pid == 0)
		return -EAGAIN;
	if (si.si_code != CLD_EXITED) {
		/* killed (the agent may signal a process of its own uid): the call was
		 * interrupted, as a signal would have interrupted the target */
		*ret_err = -EINTR;
		return 0;
	}
	if (si.si_status == EXIT_SETUP)
		return -EPROTO;
	*ret_err = si.si_status == EXIT_PARTIAL ? -EIO : -si.si_status;
	return 0;
}

void connector_kill(int pidfd)
{
	siginfo_t si;

	if (pidfd < 0)
		return;
	syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED | __WALL);
	close(pidfd);
}
