// SPDX-License-Identifier: Apache-2.0
#include "gate_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "syscalls.h"
#include "target.h"
#include "tmpdir.h"

void *gate_shared(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void gate_rmtree(const char *path)
{
	test_tmpdir_remove(path); /* scratch: what is left fails no test */
}

pid_t gate_fork_with_pid(pid_t want, gate_child_fn fn, void *arg)
{
	for (int tries = 0; tries < 50; tries++) {
		FILE *f = fopen("/proc/sys/kernel/ns_last_pid", "we");
		pid_t p;

		if (!f)
			return -1;
		fprintf(f, "%d", want - 1);
		fclose(f);
		p = fork();
		if (p == 0)
			_exit(fn(arg));
		if (p == want || p < 0)
			return p;
		kill(p, SIGKILL);
		waitpid(p, NULL, 0);
	}
	return -1;
}

/* The child: install the filter, hand the listener number over, wait for the go, run. */
static void child_main(int tell, int go, const char *const *names, size_t n,
		       const struct gate_child_opts *opts, gate_child_fn fn, void *arg)
{
	scmp_filter_ctx ctx;
	int fd, i;
	char c;

	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		_exit(120);
	if (opts && opts->foreign_arch && seccomp_arch_add(ctx, SCMP_ARCH_X86) < 0)
		_exit(127);
	for (i = 0; i < (int)n; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);

		if (nr < 0 || seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0) < 0)
			_exit(121);
	}
	if (seccomp_load(ctx) < 0)
		_exit(122);
	fd = seccomp_notify_fd(ctx);
	if (fd < 0)
		_exit(123);
	if (write(tell, &fd, sizeof(fd)) != sizeof(fd))
		_exit(124);
	if (read(go, &c, 1) != 1)
		_exit(125);
	close(fd);
	close(tell);
	close(go);
	if (opts && opts->uid) {
		if (setgroups(0, NULL) < 0 || setresgid(opts->gid, opts->gid, opts->gid) < 0 ||
		    setresuid(opts->uid, opts->uid, opts->uid) < 0)
			_exit(126);
		/* a uid change makes the process non-dumpable; an exec'ed agent is dumpable */
		prctl(PR_SET_DUMPABLE, 1);
	}
	if (opts && opts->umask >= 0)
		umask((mode_t)opts->umask);
	_exit(fn(arg));
}

int gate_start(struct gate_harness *h, const char *const *names, size_t n,
	       const struct gate_child_opts *opts, gate_child_fn fn, void *arg)
{
	int tell[2], go[2], fd, r;

	memset(h, 0, sizeof(*h));
	h->pidfd = -1;
	h->listener = -1;
	r = syscalls_init();
	if (r < 0)
		return r;
	if (pipe2(tell, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(go, O_CLOEXEC) < 0) {
		r = -errno;
		close(tell[0]);
		close(tell[1]);
		return r;
	}
	h->child = fork();
	if (h->child < 0)
		return -errno;
	if (h->child == 0) {
		close(tell[0]);
		close(go[1]);
		child_main(tell[1], go[0], names, n, opts, fn, arg);
	}
	close(tell[1]);
	close(go[0]);
	r = -EPROTO;
	if (read(tell[0], &fd, sizeof(fd)) != sizeof(fd))
		goto out;
	h->pidfd = pidfd_open(h->child, 0);
	if (h->pidfd < 0) {
		r = -errno;
		goto out;
	}
	h->listener = (int)syscall(SYS_pidfd_getfd, h->pidfd, fd, 0);
	if (h->listener < 0) {
		r = -errno;
		goto out;
	}
	fcntl(h->listener, F_SETFD, FD_CLOEXEC);
	r = write(go[1], "g", 1) == 1 ? 0 : -EPIPE;
out:
	close(tell[0]);
	close(go[1]);
	if (r < 0)
		gate_stop(h);
	return r;
}

void gate_stop(struct gate_harness *h)
{
	if (h->child > 0) {
		kill(h->child, SIGKILL);
		waitpid(h->child, NULL, 0);
		h->child = 0;
	}
	if (h->listener >= 0)
		close(h->listener);
	if (h->pidfd >= 0)
		close(h->pidfd);
	h->listener = -1;
	h->pidfd = -1;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One notification: decide, act, count. */
static void serve_one(struct gate_harness *h, int ep, struct target_cache *cache,
		      gate_decide_fn decide, void *arg)
{
	struct gate_notif *n = calloc(1, sizeof(*n));
	int d, r;

	if (!n)
		return;
	r = notify_recv_cached(h->listener, cache, n);
	if (r < 0) {
		if (r == -ENOENT)
			h->gone++;
		free(n);
		return;
	}
	h->notified++;
	d = decide(n, arg);
	/* decided in this turn, as airlockd's policy answers do */
	n->decided_at_once = true;
	if (d != GATE_ALLOW) {
		notify_deny(n, d);
		h->denied++;
		goto done;
	}
	r = notify_allow(n);
	h->last_allow = r;
	if (r == -EINPROGRESS) {
		struct epoll_event ev = { .events = n->wait_events, .data.ptr = n };

		h->parked++;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, n->wait_fd, &ev) == 0)
			return;
		notify_deny(n, EIO);
	} else if (r == -ESTALE) {
		h->stale++; /* answered EACCES by notify_allow */
	} else if (r == -ENOENT) {
		h->gone++;
	} else if (r < 0) {
		notify_deny(n, EPERM); /* closed, never open */
	} else {
		h->allowed++;
	}
done:
	notify_release(n);
	free(n);
}

int gate_serve(struct gate_harness *h, gate_decide_fn decide, void *arg, int timeout_ms,
	       int *ret_status)
{
	struct epoll_event ev = { .events = EPOLLIN };
	long deadline = now_ms() + timeout_ms;
	struct target_cache *cache = NULL;
	int ep, status = 0, r = 0;
	bool exited = false;

	/* Handles kept across notifications, as airlockd keeps them per session: every test
	 * served here runs through the cache. */
	r = target_cache_new(&cache);
	if (r < 0)
		return r;
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0) {
		target_cache_unref(cache);
		return -errno;
	}
	ev.data.ptr = &h->listener;
	epoll_ctl(ep, EPOLL_CTL_ADD, h->listener, &ev);
	ev.data.ptr = &h->pidfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, h->pidfd, &ev);
	while (!exited) {
		struct epoll_event evs[8];
		long left = deadline - now_ms();
		int i, k;

		if (left <= 0) {
			r = -ETIMEDOUT;
			break;
		}
		k = epoll_wait(ep, evs, 8, (int)left);
		if (k < 0 && errno != EINTR) {
			r = -errno;
			break;
		}
		for (i = 0; i < k; i++) {
			if (evs[i].data.ptr == &h->listener) {
				if (evs[i].events & EPOLLIN)
					serve_one(h, ep, cache, decide, arg);
				else
					epoll_ctl(ep, EPOLL_CTL_DEL, h->listener, NULL);
			} else if (evs[i].data.ptr == &h->pidfd) {
				exited = true;
			} else {
				struct gate_notif *n = evs[i].data.ptr;

				epoll_ctl(ep, EPOLL_CTL_DEL, n->wait_fd, NULL);
				if (notify_complete(n) == 0)
					h->completed++;
				notify_release(n);
				free(n);
			}
		}
	}
	close(ep);
	target_cache_unref(cache);
	if (r < 0)
		kill(h->child, SIGKILL);
	if (waitpid(h->child, &status, 0) == h->child) {
		h->child = 0;
		*ret_status = status;
	}
	return r;
}
