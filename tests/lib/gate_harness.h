/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small gate for tests: a forked child installs a seccomp filter that notifies the
 * named syscalls and runs a test body; the parent takes the listener with pidfd_getfd and
 * serves it with notify_recv() + a decision function + notify_allow()/notify_deny(), the
 * same calls airlockd makes.  Blocking connects parked by notify_allow() (-EINPROGRESS)
 * are finished from an epoll loop, as the daemon does.
 */
#ifndef AIRLOCK_TEST_GATE_HARNESS_H
#define AIRLOCK_TEST_GATE_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "notify.h"

/* What a decision function returns */
#define GATE_ALLOW 0
/* or a positive errno to deny with */

typedef int (*gate_decide_fn)(struct gate_notif *n, void *arg);
typedef int (*gate_child_fn)(void *arg); /* runs in the child; its return is the exit code */

struct gate_harness {
	pid_t child;
	int pidfd;    /* of the child */
	int listener; /* the parent's copy */
	/* counters kept by gate_serve() */
	unsigned notified, allowed, denied, stale, gone, parked, completed;
	int last_allow; /* notify_allow()'s last result */
};

struct gate_child_opts {
	uid_t uid; /* 0: stay root; else setgroups({}), setresgid(gid), setresuid(uid) */
	gid_t gid;
	int umask; /* -1: leave it */
	/* Also notify the names for the i386 ABI (int 0x80), as a filter that forgot to
	 * kill foreign architectures would. */
	bool foreign_arch;
};

/* Fork the child: it installs a filter notifying names[0..n-1], drops to opts->uid, and
 * runs fn(arg).  0 or -errno. */
int gate_start(struct gate_harness *h, const char *const *names, size_t n,
	       const struct gate_child_opts *opts, gate_child_fn fn, void *arg);

/* Serve until the child exits or timeout_ms passes; *ret_status gets its wait status.
 * 0 or -errno (-ETIMEDOUT: the child was killed). */
int gate_serve(struct gate_harness *h, gate_decide_fn decide, void *arg, int timeout_ms,
	       int *ret_status);

void gate_stop(struct gate_harness *h);

/* A page of memory shared between the test and its child (MAP_SHARED|MAP_ANONYMOUS). */
void *gate_shared(size_t size);

/* Fork with the next pid set to want (best effort: other processes fork too, so up to 50
 * tries); the child runs fn(arg) and exits with its result.  The child's pid, -1 when
 * another process kept taking it (or ns_last_pid cannot be written), or fork()'s error. */
pid_t gate_fork_with_pid(pid_t want, gate_child_fn fn, void *arg);

/* Remove a directory tree (test scratch). */
void gate_rmtree(const char *path);

#endif
