/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The gate's kernel side: receive one seccomp user notification, turn it into a
 * struct al_request (the daemon's own copy of every pointed-to argument), and respond so
 * that what runs is what was decided.
 *
 *   notify_recv()     ioctl(NOTIF_RECV) -> decode -> read args -> NOTIF_ID_VALID
 *   notify_allow()    perform on the daemon's copy (open -> ADDFD|SEND, connect -> pidfd_getfd
 *                     + connect, by a connector with the target's identity for AF_UNIX) or
 *                     CONTINUE where the decision rests on registers / exec
 *   notify_deny()     return -errno to the caller
 *
 * These functions do not log; they return 0 or -errno and the caller logs once.
 */
#ifndef AIRLOCK_NOTIFY_H
#define AIRLOCK_NOTIFY_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "airlock/abi.h"
#include "request.h"

struct target;
struct target_cache;

struct gate_notif {
	int listener;  /* the listener fd it came from (not owned) */
	uint64_t id;   /* seccomp_notif.id */
	uint32_t arch; /* AUDIT_ARCH_* of the call */
	int pidfd;     /* pidfd to watch for the thread's exit (notify_watch_exit()), or -1 */
	int wait_fd;   /* set by notify_allow() returning -EINPROGRESS, else -1 */
	/* what the loop waits for on wait_fd: EPOLLOUT (a socket), EPOLLIN (a pidfd) */
	uint32_t wait_events;
	/* Private to notify.c: wait_fd is an AF_UNIX connector's pidfd (agent/connector.h),
	 * and the value to answer when its call succeeds. */
	bool wait_child;
	int64_t wait_val;
	/* Private to notify.c: the daemon's /proc path through which an object without a name
	 * (a pipe behind /proc/self/fd/1) is re-opened; "" for ordinary paths. */
	char reopen[64];
	/* Private to notify.c: handles on the thread and its credentials, taken (and
	 * checked with NOTIF_ID_VALID) by notify_recv() and used by notify_allow(); freed by
	 * notify_release().  NULL when not held. */
	struct target *target;
	/* exec: the path as the kernel copies it into bprm->filename (execveat relative to a
	 * dirfd: "/dev/fd/N/name" or "/dev/fd/N"), set by notify_recv(); and what the BPF exec
	 * hook must find, filled by agent/execcheck.c when the exec is decided. */
	char exec_filename[PATH_MAX + 32];
	struct al_exec_expect exec_expect;
	/* Set by the caller when the decision came in the same turn as notify_recv(), with
	 * nothing waited for (policy answered at once, no ask): notify_allow() then relies on
	 * the NOTIF_ID_VALID that ended notify_recv() instead of making its own.  false (what
	 * notify_recv() sets) means check again: the safe default. */
	bool decided_at_once;
	/* exec: the stat of the file req->path names, as notify_recv()'s resolution found it
	 * (pathres_resolve_stat()); st_mode 0 when it did not reach one. */
	struct stat exec_st;
	struct al_request req;
};

/* Receive and decode one notification from listener.  Returns 0 with *n filled,
 * -ENOENT when the target died before it could be read (nothing to answer),
 * -EAGAIN when nothing was pending, other -errno on failure.  When decoding fails after
 * the notification was received, the call is answered with an error here (closed, never
 * open) and -EIO is returned. */
int notify_recv(int listener, struct gate_notif *n);

/* notify_recv() with the thread's handles taken from (and, by notify_release(), given
 * back to) cache, the session's target_cache (agent/target.h); NULL: fresh handles. */
int notify_recv_cached(int listener, struct target_cache *cache, struct gate_notif *n);

/* Open n->pidfd, a pidfd of the waiting thread (of its process before 6.9) that polls
 * readable when it exits, for a caller that parks the notification; owned by n and closed
 * by notify_release(), so closing it also takes it out of an epoll set.  The caller checks
 * NOTIF_ID_VALID afterwards (a tid alone can be reused).  0 or -errno. */
int notify_watch_exit(struct gate_notif *n);

/* Is the notification still alive (the thread still waiting)?  Guards pid reuse. */
bool notify_id_valid(const struct gate_notif *n);

/* Let the call happen, acting on the daemon's copy.  0 or -errno; on failure the caller
 * must deny (the gate never opens on error).  Before acting it checks that the thread still
 * waits (NOTIF_ID_VALID), unless n->decided_at_once. */
int notify_allow(struct gate_notif *n);

/* notify_allow() returns -EINPROGRESS when acting would block the caller (a blocking
 * connect) or is done by another process (an AF_UNIX connect or send, made by a connector
 * with the target's identity): the daemon waits for n->wait_events on n->wait_fd and then
 * calls notify_complete(), which answers the target with the outcome and closes wait_fd.
 * The loop never blocks.  wait_fd may be a copy of the target's socket: closing it does
 * not take it out of an epoll set, so unregister it before notify_complete(). */
int notify_complete(struct gate_notif *n);

/* Fail the call with -err (err > 0). */
int notify_deny(struct gate_notif *n, int err);

/* Release what a notification holds (pidfd, wait_fd, a connector still running, which is
 * killed); does not answer it. */
void notify_release(struct gate_notif *n);

/* Everything the launcher and the daemon need to build a session's filter. */
struct gate_filter_spec {
	uint64_t ops;		  /* bits of enum al_op to notify (policy_ops_needed) */
	const char *const *extra; /* syscall names to notify (policy_syscalls_named) */
	size_t n_extra;
	uid_t user_uid; /* the session user: setuid to it is not an escalation */
	gid_t user_gid;
};

/* Classes the filter notifies whatever spec->ops says: the daemon's built-in hardening
 * (agent/hardening.c) decides on them before policy. */
#define GATE_FILTER_HARDENING_OPS                                                                  \
	((1ULL << AL_OP_WRITE) | (1ULL << AL_OP_DELETE) | (1ULL << AL_OP_CHMOD) |                  \
	 (1ULL << AL_OP_CHOWN) | (1ULL << AL_OP_MOUNT) | (1ULL << AL_OP_PTRACE) |                  \
	 (1ULL << AL_OP_SIGNAL))

/* Build the cBPF program for a session.  *ret_prog is malloc'ed struct sock_filter[],
 * *ret_len its instruction count.  Foreign architectures are killed, io_uring_setup and
 * clone3 fail (ENOSYS, so libc falls back to clone), seccomp(2) with NEW_LISTENER is
 * denied.  0 or -errno. */
struct sock_filter;
int gate_filter_build(const struct gate_filter_spec *spec, struct sock_filter **ret_prog,
		      unsigned *ret_len);

/* Install prog on the calling thread with NEW_LISTENER (and WAIT_KILLABLE_RECV when the
 * kernel has it: 5.19).  Returns the listener fd or -errno. */
int gate_filter_install(const struct sock_filter *prog, unsigned len);

/* Whether this kernel takes WAIT_KILLABLE_RECV (probed once, installs nothing), for
 * `airlock status`: without it a signal to a waiting thread notifies the call again. */
bool gate_filter_killable_recv(void);

#endif
