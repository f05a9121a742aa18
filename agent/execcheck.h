/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What executes is what was decided.  An exec cannot be performed for the target, so an
 * allowed exec is answered with CONTINUE and the kernel reads the path and argv again.
 * Three steps close the gap (docs/gate.md, "Exec verification"):
 *
 *   execcheck_prepare()  at decision time: open the file as resolved, note the (dev, ino)
 *                        that must execute; for a #! script, find the interpreter (one
 *                        level, `env NAME` on the target's PATH) and build its request
 *   execcheck_decide()   policy on the interpreter too; the stricter decision wins
 *   execcheck_arm()      just before CONTINUE: write the expectation into the BPF map the
 *                        exec hook checks (which kills on mismatch); without that hook,
 *                        refuse execs whose memory another task can rewrite
 *
 * and execcheck_event() audits what the hook reports.  Functions return 0 or -errno and do
 * not log, except execcheck_event(), which records an alert.
 */
#ifndef AIRLOCK_EXECCHECK_H
#define AIRLOCK_EXECCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "notify.h"
#include "policy.h"

struct airlockd;
struct bpf_layer;

/* Fill n->exec_expect (all but armed_ns) for the exec notification n.  For a #! script,
 * *ret_interp is a malloc'ed request naming the interpreter (argv: interpreter, its
 * argument, the script, the script's argv[1..]); NULL otherwise.  -ELOOP when the
 * interpreter is itself a script (only one level is followed), -ENOEXEC for a #! line
 * without an interpreter. */
int execcheck_prepare(struct gate_notif *n, struct al_request **ret_interp);

/* Decide an exec: the script's decision (*dec, from policy_decide) combined with its
 * interpreter's; the stricter wins (deny > ask > audit > allow).  Calls execcheck_prepare();
 * -errno from it means the exec must be denied. */
int execcheck_decide(const struct policy *p, struct gate_notif *n, struct al_decision *dec);

/* The stricter of two actions. */
enum al_action execcheck_stricter(enum al_action a, enum al_action b);

/* Just before the CONTINUE of an allowed exec: arm the BPF check for that thread.  When
 * the layer has no exec hook, -EPERM for a process whose memory another task can write
 * (more than one thread, or a vfork child sharing its parent's memory): that exec could
 * change after the decision with nothing to catch it.  An ask taken over from a previous
 * daemon is prepared here (its path read again from the waiting thread, which must still
 * resolve to the decided path: else -ESTALE).  cgroup_id is the session's cgroup, where the
 * hook looks for it: an expectation of another session is not this exec's. */
int execcheck_arm(struct bpf_layer *b, struct gate_notif *n, uint64_t cgroup_id);

/* bprm->filename as the kernel's alloc_bprm() builds it from the exec's dirfd and the
 * path string raw: raw itself, or "/dev/fd/N/raw", or "/dev/fd/N" for "".  0 or
 * -ENAMETOOLONG. */
int execcheck_filename(const struct al_request *req, const char *raw, char *buf, size_t len);

/* FNV-1a, as the BPF side computes it. */
uint64_t execcheck_hash(const void *buf, size_t len);

/* An exec event from the BPF layer: a mismatch (the process was killed) is audited as
 * decision "killed: exec mismatch" and sent to watchers. */
struct al_exec_event;
void execcheck_event(struct airlockd *d, const struct al_exec_event *e);

#endif
