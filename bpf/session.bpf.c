// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Session tracking: membership by cgroup v2 id, per-session fork/exec/exit counters, and
 * one ring-buffer event per exec of a member.
 *
 * Each hook comes in three spellings, from the most to the least precise: tp_btf (typed
 * arguments, 5.5), raw_tp (untyped arguments read with CO-RE, 4.17) and the classic
 * tracepoint (tracefs format, always there).  The loader probes them in that order per
 * hook and loads only the first one this kernel accepts, so every member event is counted
 * exactly once.
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "airlock/abi.h"

/* From include/uapi/linux/sched.h and signal.h, which vmlinux.h (types only) does not
 * carry. */
#define CLONE_PARENT 0x00008000
#define CLONE_THREAD 0x00010000
#define SIGKILL	     9

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* cgroup id -> session.  Written by airlockd, read and counted here. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, AL_MAX_SESSIONS);
	__type(key, __u64);
	__type(value, struct al_session);
} sessions SEC(".maps");

/* struct al_exec_event records.  256 KiB holds ~800 events: airlockd drains it from its
 * event loop, and a burst beyond that shows as execs counted without an event. */
#define EVENTS_SIZE (256 * 1024)

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, EVENTS_SIZE);
} events SEC(".maps");

/* thread id that called exec -> what airlockd decided it may execute.  A plain hash, not
 * LRU: an expectation must never be evicted by others; when it is full airlockd sweeps
 * stale entries, and failing that refuses the exec. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, AL_MAX_EXEC_EXPECT);
	__type(key, __u32);
	__type(value, struct al_exec_expect);
} exec_expect SEC(".maps");

/* Room to copy bprm->filename or the argv area into: too large for the BPF stack. */
struct scratch {
	char buf[AL_EXEC_PATH_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} exec_scratch SEC(".maps");

/* Keeps struct al_exec_event in the object's BTF, where tests/unit/test_abi.c checks it. */
const struct al_exec_event *unused_al_exec_event __attribute__((unused));

static __always_inline struct al_session *current_session(__u64 *ret_cgroup_id)
{
	__u64 cgroup_id = bpf_get_current_cgroup_id();
	struct al_session *s;

	s = bpf_map_lookup_elem(&sessions, &cgroup_id);
	if (s)
		*ret_cgroup_id = cgroup_id;
	return s;
}

/* The cgroup v2 id a task is in: what bpf_get_current_cgroup_id() says for current. */
static __always_inline __u64 task_cgroup_id(struct task_struct *task)
{
	return BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
}

/*
 * A new process, counted by the cgroup the child starts in.  That is the parent's, except
 * for clone3(CLONE_INTO_CGROUP), which airlockd uses to start its AF_UNIX connectors inside
 * a session (agent/connector.c): counted by the parent's cgroup, those would be exits of
 * the session without a fork.  Both fork hooks run after cgroup_post_fork(), so the
 * child's css_set is the one it will run in.
 */
static __always_inline void count_fork(struct task_struct *child)
{
	__u64 cgroup_id = task_cgroup_id(child);
	struct al_session *s;

	s = bpf_map_lookup_elem(&sessions, &cgroup_id);
	if (s)
		__sync_fetch_and_add(&s->forks, 1);
}

/* Runs in the exiting thread; a process has exited when its last thread has. */
static __always_inline void count_exit(struct task_struct *task)
{
	struct al_session *s;
	__u64 cgroup_id;

	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return;
	s = current_session(&cgroup_id);
	if (s)
		__sync_fetch_and_add(&s->exits, 1);
}

/* FNV-1a over the first len bytes of buf (len <= AL_EXEC_PATH_MAX). */
static __always_inline __u64 fnv1a(const char *buf, __u32 len)
{
	__u64 h = AL_FNV_OFFSET;
	__u32 i;

	for (i = 0; i < AL_EXEC_PATH_MAX; i++) {
		if (i >= len)
			break;
		h ^= (__u8)buf[i & (AL_EXEC_PATH_MAX - 1)];
		h *= AL_FNV_PRIME;
	}
	return h;
}

/*
 * Compare the exec that just happened with what airlockd decided (its exec_expect entry for
 * the calling thread), and kill the process on any difference.  This runs after the new
 * image is set up and before the return to user space: SIGKILL is then handled before a
 * single instruction of the new program runs.  Returns the AL_EXEC_MISMATCH_* bits, 0
 * when they agree, -1 when there was nothing to compare.
 */
static __always_inline int exec_verify(struct task_struct *task, __u32 old_pid, struct file *file,
				       const char *filename, __u64 cgroup_id)
{
	struct al_exec_expect *x;
	struct scratch *sc;
	__u32 zero = 0, len;
	__u64 start, end;
	long n;
	int bad = 0;

	x = bpf_map_lookup_elem(&exec_expect, &old_pid);
	if (!x)
		return -1;
	if (x->cgroup_id != cgroup_id) {
		/* Armed for a thread of another session whose exec failed, and this thread id
		 * was reused since: not this exec's decision. */
		bpf_map_delete_elem(&exec_expect, &old_pid);
		return -1;
	}
	if (bpf_ktime_get_ns() - x->armed_ns > AL_EXEC_EXPECT_TTL_NS) {
		/* Every exec of this session is notified and re-armed before it continues, so
		 * this entry is this exec's, and the exec stalled past the TTL since (a path
		 * copy held up by a FUSE page, a hung filesystem).  Nothing vouches for it
		 * any longer: refuse rather than let it run unchecked. */
		bad = AL_EXEC_MISMATCH_STALE;
		goto out;
	}
	sc = bpf_map_lookup_elem(&exec_scratch, &zero);
	if (!sc) {
		bad = AL_EXEC_MISMATCH_FILENAME;
		goto out;
	}

	n = bpf_probe_read_kernel_str(sc->buf, sizeof(sc->buf), filename);
	if (n <= 0 || (__u32)(n - 1) != x->filename_len ||
	    fnv1a(sc->buf, (__u32)(n - 1)) != x->filename_hash)
		bad |= AL_EXEC_MISMATCH_FILENAME;

	if ((x->flags & AL_EXPECT_FILE) && (BPF_CORE_READ(file, f_inode, i_ino) != x->ino ||
					    BPF_CORE_READ(file, f_inode, i_sb, s_dev) != x->dev))
		bad |= AL_EXEC_MISMATCH_FILE;

	/* The new image's argv, as the kernel laid it out on the new stack (after binfmt_script
	 * rewrote it for a script). */
	start = BPF_CORE_READ(task, mm, arg_start);
	end = BPF_CORE_READ(task, mm, arg_end);
	if (end < start || ((x->flags & AL_EXPECT_ARGV_LEN) && end - start != x->argv_len)) {
		bad |= AL_EXEC_MISMATCH_ARGV;
		goto out;
	}
	len = end - start > x->argv_len ? x->argv_len : (__u32)(end - start);
	if (len > AL_EXEC_ARGV_HASHED)
		len = AL_EXEC_ARGV_HASHED;
	if (len > 0 &&
	    bpf_probe_read_user(sc->buf, len & (AL_EXEC_PATH_MAX - 1) ?: AL_EXEC_PATH_MAX,
				(const void *)start) < 0)
		bad |= AL_EXEC_MISMATCH_ARGV;
	else if (fnv1a(sc->buf, len) != x->argv_hash)
		bad |= AL_EXEC_MISMATCH_ARGV;
out:
	bpf_map_delete_elem(&exec_expect, &old_pid);
	if (bad)
		bpf_send_signal(SIGKILL);
	return bad;
}

/* Runs in the task after a successful exec; file is the file that was executed. */
static __always_inline void count_exec(struct task_struct *task, __u32 old_pid, struct file *file,
				       const char *filename)
{
	struct al_exec_event *e;
	struct al_session *s;
	__u64 cgroup_id;
	int verdict;
	bool wake;

	s = current_session(&cgroup_id);
	if (!s)
		return;
	__sync_fetch_and_add(&s->execs, 1);
	/* Members only, and only against an expectation armed for this session: a thread
	 * id reused outside it never meets another session's leftover. */
	verdict = exec_verify(task, old_pid, file, filename, cgroup_id);

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return;
	e->cgroup_id = cgroup_id;
	e->session_id = s->session_id;
	e->checked = verdict >= 0;
	e->mismatch = verdict > 0 ? (__u32)verdict : 0;
	e->ino = BPF_CORE_READ(file, f_inode, i_ino);
	e->dev = BPF_CORE_READ(file, f_inode, i_sb, s_dev);
	e->pid = BPF_CORE_READ(task, tgid);
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->old_pid = old_pid;
	if (bpf_get_current_comm(e->comm, sizeof(e->comm)) < 0)
		e->comm[0] = '\0';
	if (bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), filename) < 0)
		e->filename[0] = '\0';
	/* Waking airlockd costs the exec an irq_work, a self-IPI: 15 us per exec on a nested
	 * VM, more than all the rest of these hooks.  Only a kill needs airlockd at once (its
	 * audit record); other events wait for its next loop turn or housekeeping tick, which
	 * read the buffer, unless a quarter of it is taken. */
	wake = e->mismatch || bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= EVENTS_SIZE / 4;
	bpf_ringbuf_submit(e, wake ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

/* --- tp_btf: typed arguments ----------------------------------------------------- */

SEC("tp_btf/sched_process_fork")
int BPF_PROG(handle_sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	if (BPF_CORE_READ(child, pid) == BPF_CORE_READ(child, tgid))
		count_fork(child);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(handle_sched_process_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	count_exec(p, old_pid, BPF_CORE_READ(bprm, file), BPF_CORE_READ(bprm, filename));
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_sched_process_exit, struct task_struct *p)
{
	count_exit(p);
	return 0;
}

/* --- raw_tp: the same arguments, untyped ------------------------------------------ */

SEC("raw_tp/sched_process_fork")
int BPF_PROG(handle_sched_process_fork_raw, struct task_struct *parent, struct task_struct *child)
{
	if (BPF_CORE_READ(child, pid) == BPF_CORE_READ(child, tgid))
		count_fork(child);
	return 0;
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(handle_sched_process_exec_raw, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	count_exec(p, old_pid, BPF_CORE_READ(bprm, file), BPF_CORE_READ(bprm, filename));
	return 0;
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(handle_sched_process_exit_raw, struct task_struct *p)
{
	count_exit(p);
	return 0;
}

/* --- classic tracepoints: tracefs formats ------------------------------------------ */

/*
 * sched_process_fork does not say whether the child is a thread; task_newtask, in the
 * parent at the end of copy_process() (after cgroup_post_fork()), carries the clone flags
 * and the child's pid, but not the child.  copy_process() has just linked a new process
 * last into its real parent's children: the caller's own list, or with CLONE_PARENT the
 * caller's parent's.  Only the caller adds to its own list, and a child not yet woken
 * cannot be reaped, so the tail is the child; checked by pid all the same (CLONE_PARENT
 * shares the list with the siblings), and when it is not, the child is counted by the
 * caller's cgroup, which is where it started unless CLONE_INTO_CGROUP said otherwise.
 */
static __always_inline struct task_struct *newest_child(struct task_struct *parent, pid_t pid)
{
	struct task_struct *child;
	struct list_head *last;

	last = BPF_CORE_READ(parent, children.prev);
	child = (struct task_struct *)((char *)last -
				       bpf_core_field_offset(struct task_struct, sibling));
	return BPF_CORE_READ(child, pid) == pid ? child : NULL;
}

SEC("tp/task/task_newtask")
int handle_task_newtask(struct trace_event_raw_task_newtask *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct task_struct *child;

	if (ctx->clone_flags & CLONE_THREAD)
		return 0;
	if (ctx->clone_flags & CLONE_PARENT)
		task = BPF_CORE_READ(task, real_parent);
	child = newest_child(task, ctx->pid);
	count_fork(child ? child : (struct task_struct *)bpf_get_current_task());
	return 0;
}

SEC("tp/sched/sched_process_exec")
int handle_sched_process_exec_tp(struct trace_event_raw_sched_process_exec *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	/* __data_loc: the low 16 bits are the offset of the string in the record. */
	const char *filename = (const char *)ctx + (ctx->__data_loc_filename & 0xffff);

	count_exec(task, ctx->old_pid, BPF_CORE_READ(task, mm, exe_file), filename);
	return 0;
}

SEC("tp/sched/sched_process_exit")
int handle_sched_process_exit_tp(void *ctx)
{
	count_exit((struct task_struct *)bpf_get_current_task());
	return 0;
}
