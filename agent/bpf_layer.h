/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The BPF layer as the daemon sees it: load what this kernel accepts, track session
 * membership by cgroup id, read per-session counters.  Mounts bpffs and tracefs when
 * they are missing.  Functions return 0 or -errno and do not log.
 */
#ifndef AIRLOCK_BPF_LAYER_H
#define AIRLOCK_BPF_LAYER_H

#include <stdbool.h>
#include <stdint.h>

struct bpf_layer;

struct al_session_counters {
	uint64_t forks;
	uint64_t execs;
	uint64_t exits;
};

/* Load and attach.  On a kernel that refuses a program, the others still load; what is
 * active is reported by bpf_layer_describe().  -errno only when nothing could load. */
int bpf_layer_open(struct bpf_layer **ret);
void bpf_layer_close(struct bpf_layer *b);

int bpf_layer_session_add(struct bpf_layer *b, uint64_t cgroup_id, uint64_t session_id);
int bpf_layer_session_remove(struct bpf_layer *b, uint64_t cgroup_id);
int bpf_layer_session_counters(struct bpf_layer *b, uint64_t cgroup_id,
			       struct al_session_counters *ret);

/* One line per layer: "session-tracking: active (tp_btf/sched_process_exec)" ... */
size_t bpf_layer_describe(const struct bpf_layer *b, char *buf, size_t len);

#endif
