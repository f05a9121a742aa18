/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Surviving a restart of airlockd under a service manager with an fd store (systemd's
 * FDSTORE=1, or anything that speaks the same sd_notify / LISTEN_FDS protocol).
 *
 * A session's seccomp listener is stored when it is attached (FDNAME=session-<ID>) and
 * removed when the session ends.  Everything else the daemon would need to go on -- the
 * sessions, their grants and every parked ask with its notification id and the daemon's
 * copy of the request -- is written to DIR/state.json after each event that changes it.
 * On start, stored listeners come back as LISTEN_FDS; each is matched to its session in
 * state.json, and each parked ask whose notification is still valid (the thread still
 * waits in the kernel) is pending again, with its id, deadline and rule.
 *
 * What cannot come back: a notification received but not yet decided or parked, and an
 * allowed connect still completing, when the daemon died in that instant (their threads
 * stay blocked until killed).
 */
#ifndef AIRLOCK_RESTART_H
#define AIRLOCK_RESTART_H

#include <jansson.h>

#include "airlockd.h"
#include "request.h"

/* Store a newly attached listener / drop it when its session ends.  0 or -errno. */
int restart_store_listener(const struct airlockd *d, const struct session *s);
int restart_forget_listener(const struct airlockd *d, const struct session *s);

/* Write DIR/state.json (atomically: a temporary file renamed over it).  0 or -errno. */
int restart_save(const struct airlockd *d);

/* Adopt what a previous instance left: LISTEN_FDS named session-<ID> and DIR/state.json.
 * Sessions and asks are linked into d's tables and registered with d->epfd.  Sessions
 * whose listener did not come back are dropped (their cgroups removed when empty).
 * Counts in *ret_sessions, *ret_asks.  0 or -errno (a state file that cannot be parsed is
 * -EBADMSG: the caller logs it and starts empty; the fds are then closed). */
int restart_restore(struct airlockd *d, unsigned *ret_sessions, unsigned *ret_asks);

/* The complete request (registers, copies, argv) as JSON and back, unlike
 * al_request_to_json() which shows what a human needs.  from_json: 0 or -EINVAL. */
json_t *restart_request_to_json(const struct al_request *r);
int restart_request_from_json(const json_t *j, struct al_request *r);

#endif
