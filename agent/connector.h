/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A connect(2) or send(2) on an AF_UNIX socket, carried out for a gated target by a
 * short-lived child of the daemon that has the target's identity.
 *
 * The peer of an AF_UNIX connection learns who connected (SO_PEERCRED, SCM_CREDENTIALS):
 * the pid is the process that called connect() or sendmsg().  When the daemon performs an
 * allowed call itself, that pid is airlockd's, a root process: a server that authorizes by
 * pid (polkit, D-Bus, systemd, airlockd's own API) would grant the agent what it grants
 * root.  The connector is forked instead: it joins the target's cgroup (CLONE_INTO_CGROUP,
 * so airlockd's API and the BPF layer count it inside the session), is made non-dumpable
 * (the agent, same uid, can neither ptrace it nor open its /proc fds), takes the target's
 * uids, gids and groups, drops every capability, sets no_new_privs, keeps only the two fds
 * it needs, performs the one call and exits with its outcome.  See docs/gate.md.
 *
 * These functions do not log; they return 0 or -errno.
 */
#ifndef AIRLOCK_CONNECTOR_H
#define AIRLOCK_CONNECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct target;

struct connector_call {
	int sock;		     /* the target's socket (the daemon's pidfd_getfd copy) */
	int keep_fd;		     /* an fd the address names (/proc/self/fd/N), or -1 */
	const struct sockaddr *addr; /* NULL: a send without a name */
	socklen_t addrlen;
	bool send;	 /* send buf with flags; else connect */
	const void *buf; /* the payload, read by the connector from its copy of our memory */
	size_t len;
	int flags;
};

/* Fork the connector for t and start the call; *ret_pidfd (close-on-exec) becomes readable
 * when it is done, then connector_finish().  The call may block in the connector exactly as
 * it would have blocked the target; the daemon never waits. */
int connector_start(const struct target *t, const struct connector_call *c, int *ret_pidfd);

/* Reap a connector whose pidfd became readable: *ret_err is 0 (connected; sent all of
 * len) or the -errno the call failed with.  -EAGAIN while it still runs; -EPROTO when the
 * connector could not take the target's identity (it did not call). */
int connector_finish(int pidfd, int *ret_err);

/* Kill and reap a connector that is no longer wanted (its notification is dropped). */
void connector_kill(int pidfd);

#endif
