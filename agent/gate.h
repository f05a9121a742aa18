/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The gate: what happens to one notification, from the listener becoming readable to the
 * response and the audit record.
 *
 *   listener readable -> notify_recv -> session context -> grants -> policy_decide
 *     -> allow (notify_allow; failure => deny) | deny | audit (allow + record)
 *      | ask (park in the approval table, tell watchers)
 *     -> audit record -> events to watchers
 *
 * A parked ask is finished by gate_resolve() (a human), gate_tick() (its deadline) or
 * gate_target_event() (the target died).  Nothing here blocks the loop.
 */
#ifndef AIRLOCK_GATE_H
#define AIRLOCK_GATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "approval.h"
#include "airlockd.h"
#include "loop.h"
#include "notify.h"
#include "policy.h"

/* An allow whose emulation waits for the kernel (a blocking connect). */
struct gate_inflight {
	struct gate_inflight *next;
	struct gate_notif *n;
	uint64_t session_id;
	struct loop_src src; /* LOOP_INFLIGHT on n->wait_fd */
};

/* Who decided an ask. */
struct gate_verdict {
	enum al_action action; /* AL_ALLOW or AL_DENY */
	int error;	       /* errno for AL_DENY; 0: the rule's or EPERM */
	uid_t uid;	       /* the human */
	const char *name;      /* their user name */
	const char *reason;    /* may be NULL */
	struct approval_scope scope;
};

/* The listener of s is readable (EPOLLIN) or all its processes are gone (EPOLLHUP). */
void gate_listener_event(struct airlockd *d, struct session *s, uint32_t events);

/* Start serving a session's listener (after session.attach).  0 or -errno. */
int gate_session_start(struct airlockd *d, struct session *s);

/* End a session: stop serving its listener, drop its pending asks (audited), remove it from
 * the BPF layer and try to remove its cgroup (retried by gate_tick while busy). */
void gate_session_end(struct airlockd *d, struct session *s);

/* A human decision on a pending ask.  0; 1 when an approval with a wider scope could only
 * allow this call (no key for it: an exec whose argv was cut); -ESRCH when the target had
 * gone (the ask is removed and audited as such); -errno when the response failed (then
 * denied). */
int gate_resolve(struct airlockd *d, struct approval *a, const struct gate_verdict *v);

/* The pidfd of a parked target is readable: it exited. */
void gate_target_event(struct airlockd *d, struct approval *a);

/* A wait_fd of an allow in flight is ready. */
void gate_inflight_event(struct airlockd *d, struct gate_inflight *f);

/* Apply on_timeout to expired asks, drop asks whose target is gone (NOTIF_ID_VALID),
 * retry removing the cgroups of ended sessions, refresh counters. */
void gate_tick(struct airlockd *d);

/* When the loop must wake up next (CLOCK_MONOTONIC ms). */
uint64_t gate_next_wakeup(const struct airlockd *d);

/* A pending ask as the API shows it (pending list, "ask" events).  New reference. */
json_t *gate_approval_json(const struct approval *a);

#endif
