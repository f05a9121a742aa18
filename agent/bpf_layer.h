/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The BPF layer as the daemon sees it: load what this kernel accepts, track session
 * membership by cgroup id, read per-session counters.  Mounts bpffs and tracefs when
 * they are missing.  Functions return 0 or -errno and do not log.
 */
#ifndef AIRLOCK_BPF_LAYER_H
#define AIRLOCK_BPF_LAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bpf_layer;
struct al_exec_event; /* include/airlock/abi.h */

struct al_session_counters {
	uint64_t forks;
	uint64_t execs;
	uint64_t exits;
};

/* Load and attach.  On a kernel that refuses a program, the others still load; what is
 * active is reported by bpf_layer_describe().  -errno only when nothing could load. */
int bpf_layer_open(struct bpf_layer **ret);
void bpf_layer_close(struct bpf_layer *b);

/* Attach kinds, most precise first.  Each hook uses the first kind this kernel accepts;
 * bpf_layer_open_refusing() rules kinds out by hand (to exercise a fallback, or to avoid
 * a kind an operator distrusts).  Ruling out every kind is -EOPNOTSUPP. */
enum {
	BPF_LAYER_TP_BTF = 1u << 0, /* tp_btf/: typed arguments, 5.5 */
	BPF_LAYER_RAW_TP = 1u << 1, /* raw_tp/: untyped arguments read with CO-RE, 4.17 */
	BPF_LAYER_TP = 1u << 2,	    /* tp/: classic tracepoints, needs tracefs */
};
int bpf_layer_open_refusing(unsigned int refused_kinds, struct bpf_layer **ret);

/* Membership by cgroup v2 id.  add: -EEXIST when the cgroup is already a session (its
 * counters are kept), -E2BIG when the map is full.  remove/counters: -ENOENT when it is not
 * one.  With no layer loaded (b NULL) every call is -EOPNOTSUPP. */
int bpf_layer_session_add(struct bpf_layer *b, uint64_t cgroup_id, uint64_t session_id);
int bpf_layer_session_remove(struct bpf_layer *b, uint64_t cgroup_id);
int bpf_layer_session_counters(struct bpf_layer *b, uint64_t cgroup_id,
			       struct al_session_counters *ret);

/* The exec events ring buffer: an fd to poll (EPOLLIN when events wait), and a drain that
 * calls cb once per struct al_exec_event.  consume returns the number of events or -errno.
 * The event passed to cb lives only for the call. */
int bpf_layer_events_fd(struct bpf_layer *b);
int bpf_layer_events_consume(struct bpf_layer *b,
			     void (*cb)(const struct al_exec_event *e, void *ctx), void *ctx);

/* Exec verification (agent/execcheck.h): is the exec hook active (it checks every exec
 * against the exec_expect map), and write the expectation for thread tid, replacing an
 * older one.  When the map is full, expectations past their time that nothing can consume
 * any more (their session ended or their thread is gone) are swept first; still full is
 * -E2BIG (then the exec must be refused).  bpf_layer_exec_expected() reads the entry of
 * thread tid back: -ENOENT when there is none.  -EOPNOTSUPP without the hook. */
struct al_exec_expect;
bool bpf_layer_exec_check_active(const struct bpf_layer *b);
int bpf_layer_exec_expect(struct bpf_layer *b, uint32_t tid, const struct al_exec_expect *x);
int bpf_layer_exec_expected(struct bpf_layer *b, uint32_t tid, struct al_exec_expect *ret);

/* One line per layer: "session-tracking: active (tp_btf/sched_process_exec)" ... */
size_t bpf_layer_describe(const struct bpf_layer *b, char *buf, size_t len);

#endif
