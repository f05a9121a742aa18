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

#define AL_ABI_VERSION 3

#define AL_MAX_SESSIONS 4096
#define AL_COMM_LEN	16
#define AL_FILENAME_LEN 256
/* Exec verification (docs/bpf.md): how much the hook hashes, how long an expectation
 * stands.  Both sides hash with 64-bit FNV-1a. */
#define AL_EXEC_PATH_MAX      4096 /* bprm->filename, PATH_MAX */
#define AL_EXEC_ARGV_HASHED   4096 /* leading bytes of the new image's argv area */
#define AL_EXEC_EXPECT_TTL_NS (5ull * 1000000000ull)
#define AL_MAX_EXEC_EXPECT    8192
#define AL_FNV_OFFSET	      0xcbf29ce484222325ull
#define AL_FNV_PRIME	      0x100000001b3ull

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
	__u32 pid;	/* tgid of the process after exec */
	__u32 ppid;	/* tgid of its real parent */
	__u32 old_pid;	/* the thread that called exec: a seccomp notification names this one */
	__u32 checked;	/* 1: airlockd had an expectation for this exec and it was compared */
	__u32 mismatch; /* AL_EXEC_MISMATCH_* bits; nonzero: the process was sent SIGKILL */
	char comm[AL_COMM_LEN];		/* the new comm, NUL-terminated */
	char filename[AL_FILENAME_LEN]; /* the path exec was given, NUL-terminated, maybe cut */
};

_Static_assert(sizeof(struct al_exec_event) == 320, "bump AL_ABI_VERSION");

#define AL_EXEC_MISMATCH_FILENAME (1u << 0) /* bprm->filename is not the path decided on */
#define AL_EXEC_MISMATCH_FILE	  (1u << 1) /* the file executing is not the one stat'ed */
#define AL_EXEC_MISMATCH_ARGV	  (1u << 2) /* argv is not the one decided on */
/* The expectation was older than AL_EXEC_EXPECT_TTL_NS: the exec stalled between the
 * decision and the hook, so nothing it was decided on can be vouched for any more. */
#define AL_EXEC_MISMATCH_STALE (1u << 3)

#define AL_EXPECT_FILE	   (1u << 0) /* dev and ino are set: compare the executing file */
#define AL_EXPECT_ARGV_LEN (1u << 1) /* argv_len is the whole argv area: compare it */

/* Value of the `exec_expect` map, keyed by the thread id (__u32) that called exec, as the
 * seccomp notification named it.  airlockd writes it just before it lets a notified exec
 * continue; the exec hook consumes it.  The hook ignores (and deletes) an entry of another
 * cgroup than the exec's: a thread id reused by a process of another session.  An entry of
 * the exec's own session older than AL_EXEC_EXPECT_TTL_NS kills the exec
 * (AL_EXEC_MISMATCH_STALE): every exec of a member is notified and re-armed, so only this
 * exec, stalled past the TTL since its CONTINUE, can meet it. */
struct al_exec_expect {
	__u64 armed_ns;	     /* CLOCK_MONOTONIC (bpf_ktime_get_ns) when written */
	__u64 cgroup_id;     /* the session's cgroup v2 id, as in the `sessions` map */
	__u64 filename_hash; /* FNV-1a of bprm->filename, without its NUL */
	__u64 argv_hash;     /* FNV-1a of the first min(argv_len, AL_EXEC_ARGV_HASHED) bytes */
	__u64 ino;	     /* the file that must execute (a script: its interpreter) */
	__u32 dev;	     /* kernel encoding, as in al_exec_event */
	__u32 flags;	     /* AL_EXPECT_* */
	__u32 filename_len;  /* strlen(bprm->filename) */
	__u32 argv_len;	     /* bytes of argv strings, NULs included */
};

_Static_assert(sizeof(struct al_exec_expect) == 56, "bump AL_ABI_VERSION");

#endif
