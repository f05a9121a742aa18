/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The ABI between bpf/ and agent/: map values and ring-buffer events.  Both sides compile
 * this header, so it uses only __u32/__u64 and char arrays, largest fields first, with
 * explicit padding; tests/unit/test_abi.c checks every size and offset below against the
 * BTF of the built BPF object.  Change a layout -> bump AL_ABI_VERSION.
 */
#ifndef AIRLOCK_ABI_H
#define AIRLOCK_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define AL_ABI_VERSION 1

#define AL_MAX_SESSIONS 4096
#define AL_COMM_LEN	16
#define AL_FILENAME_LEN 256

/* Value of the `sessions` map, keyed by the session's cgroup v2 id (__u64).  The daemon
 * creates the entry; the BPF programs only bump the counters. */
struct al_session {
	__u64 session_id;
	__u64 forks; /* new processes (not threads) started by members */
	__u64 execs; /* successful execs by members */
	__u64 exits; /* members whose last thread exited */
};

_Static_assert(sizeof(struct al_session) == 32, "bump AL_ABI_VERSION");

/* One successful exec by a session member, on the `events` ring buffer.  ino and dev name
 * the file that actually executed (the kernel's open file, not the path the caller gave),
 * which is what exec verification compares with the approved file (for a #! script, the
 * interpreter: the script itself is closed by the time the event is sent).  dev is the kernel's
 * encoding: major = dev >> 20, minor = dev & 0xfffff.  Pids are those of the initial pid
 * namespace; old_pid differs from pid when a thread other than the leader called exec. */
struct al_exec_event {
	__u64 cgroup_id;
	__u64 session_id;
	__u64 ino;
	__u32 dev;
	__u32 pid;     /* tgid of the process after exec */
	__u32 ppid;    /* tgid of its real parent */
	__u32 old_pid; /* the thread that called exec: a seccomp notification names this one */
	char comm[AL_COMM_LEN];		/* the new comm, NUL-terminated */
	char filename[AL_FILENAME_LEN]; /* the path exec was given, NUL-terminated, maybe cut */
};

_Static_assert(sizeof(struct al_exec_event) == 312, "bump AL_ABI_VERSION");

#endif
