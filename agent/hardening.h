/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Built-in hardening, the daemon's half: what no policy can open.  A session cannot reach
 * into a process outside itself (ptrace, process_vm_*, pidfd_getfd, signals), cannot write,
 * delete, rename, chmod or chown airlockd's own files or the cgroup filesystem, and cannot
 * mount unless a rule allows it.  The filter's half (calls refused on registers alone, and
 * the classes notified whatever the policy) is in agent/filter.c; docs/gate.md, "Built-in
 * hardening", lists both.
 *
 * One plain call on the notification path, after policy_decide() and before the response:
 *   notify_recv -> policy_decide -> hardening_check -> deny | the policy's decision
 */
#ifndef AIRLOCK_HARDENING_H
#define AIRLOCK_HARDENING_H

#include <stdbool.h>
#include <sys/types.h>

#include "policy.h"
#include "request.h"

/* What the hardening knows of the daemon and of the caller's session. */
struct hardening_scope {
	const char *policy_path; /* NULL: the embedded default */
	const char *audit_path;
	const char *runtime_dir;
	const char *cgroup_mount;   /* the cgroup2 mount the daemon uses */
	const char *session_cgroup; /* the session's cgroup as /proc/PID/cgroup shows it */
};

/* The name of the built-in protection that refuses req ("hardening:policy-file" ...), or
 * NULL when there is none and the policy's decision dec stands.  What cannot be read
 * (a target's cgroup, a pidfd) counts as outside the session: closed, never open. */
const char *hardening_check(const struct hardening_scope *hs, const struct al_request *req,
			    const struct al_decision *dec);

#endif
