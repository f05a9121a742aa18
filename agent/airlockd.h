/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The daemon's state, shared by the loop (airlockd.c), the API server (api.c) and the
 * gate (gate.c).  One instance, owned by airlockd's main.
 */
#ifndef AIRLOCK_AIRLOCKD_H
#define AIRLOCK_AIRLOCKD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "approval.h"
#include "cgroup.h"
#include "loop.h"
#include "session.h"

struct policy;
struct audit_log;
struct bpf_layer;
struct api_server;
struct gate_inflight;

struct airlockd {
	int epfd;
	const char *runtime_dir;
	const char *policy_path; /* NULL: the embedded default */
	const char *audit_path;
	const char *approvers_group;
	struct policy *policy;
	struct audit_log *audit;
	struct bpf_layer *bpf; /* NULL when nothing loaded */
	struct cgroup_base cg;
	struct session_table sessions;
	struct approval_table approvals;
	struct api_server *api;
	struct gate_inflight *inflight; /* allows completing asynchronously */
	uint64_t started_ms;		/* CLOCK_REALTIME */
	uint64_t next_tick_ms;		/* CLOCK_MONOTONIC: the next housekeeping tick */
	uint64_t timer_armed_ms;	/* what the timerfd holds; UINT64_MAX: re-arm */
	uint64_t audit_errors;
	/* Under a service manager with an fd store (NOTIFY_SOCKET): listeners are stored there
	 * and the sessions and pending asks are kept in DIR/state.json (restart.c). */
	bool restart_enabled;
	bool state_dirty; /* state.json must be written after this event */
};

#endif
