/* SPDX-License-Identifier: Apache-2.0 */
/*
 * struct al_request: the daemon's own copy of what one gated syscall asks for.
 *
 * This is the plain struct that flows kernel -> session lookup -> policy -> decision.
 * The gate (notify.c) fills it from a seccomp notification, reading every pointed-to
 * argument exactly once from the target; policy.c decides on it and never looks at the
 * target again; the response acts on this copy, never on the target's memory.
 */
#ifndef AIRLOCK_REQUEST_H
#define AIRLOCK_REQUEST_H

#include <jansson.h>
#include <limits.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Operation classes: what policy rules match on.  One class covers every syscall that
 * performs it (see docs/gate.md for the table of syscalls per class). */
enum al_op {
	AL_OP_NONE = 0,
	AL_OP_EXEC,	 /* execve, execveat (incl. fexecve of an fd) */
	AL_OP_WRITE,	 /* open/openat/openat2/creat with write, create or truncate intent,
			  * truncate, mknod, mkdir, symlink/link/rename into a path,
			  * utimes, setxattr ... : creates or changes a file's content/metadata */
	AL_OP_READ,	 /* open for reading (notified only when some `read` rule exists) */
	AL_OP_DELETE,	 /* unlink, unlinkat, rmdir, rename (source end) */
	AL_OP_CHMOD,	 /* chmod, fchmod, fchmodat, fchmodat2 */
	AL_OP_CHOWN,	 /* chown, fchown, lchown, fchownat */
	AL_OP_CONNECT,	 /* connect; sendto/sendmsg with a destination address */
	AL_OP_PRIVILEGE, /* setuid family, setgroups, capset */
	AL_OP_MOUNT,	 /* mount, umount2, fsopen, fsmount, move_mount, open_tree, fsconfig,
			  * pivot_root */
	AL_OP_MODULE,	 /* init_module, finit_module, delete_module */
	AL_OP_PTRACE,	 /* ptrace, process_vm_writev/readv, pidfd_getfd into other processes */
	AL_OP_BPF,	 /* bpf */
	AL_OP_KEXEC,	 /* kexec_load, kexec_file_load */
	AL_OP_REBOOT,	 /* reboot */
	AL_OP_SIGNAL,	 /* kill, tkill, tgkill, pidfd_send_signal, rt_(tg)sigqueueinfo */
	AL_OP_OTHER,	 /* a syscall named by a `syscall:` rule with no class of its own */
	AL_OP__MAX,
};

const char *al_op_name(enum al_op op);
int al_op_from_name(const char *name); /* -EINVAL when unknown */

#define AL_ARGV_MAX    256	   /* arguments kept for an exec */
#define AL_ARGBUF_SIZE (32 * 1024) /* bytes of argv kept; longer argv is truncated */

struct al_request {
	enum al_op op;
	int syscall_nr;	     /* native syscall number */
	const char *syscall; /* static name, e.g. "openat" */
	uint64_t args[6];    /* raw register arguments */

	pid_t pid;  /* thread id that made the call (seccomp_notif.pid) */
	pid_t tgid; /* its process */
	uid_t uid;  /* real uid of the caller when it was read */
	gid_t gid;

	/* Path operations (and exec): absolute, resolved against the caller's cwd or dirfd,
	 * /proc/self/fd/N links followed, '.' and '..' collapsed.  The last component is not
	 * followed when the syscall itself does not follow it (O_NOFOLLOW, unlink ...). */
	char path[PATH_MAX];
	char path2[PATH_MAX]; /* the second end: rename/link destination */
	int open_flags;	      /* O_* for opens; 0 otherwise */
	mode_t mode;

	/* exec: the executable path (resolved, in `path`) and a copy of argv */
	int argc;
	bool argv_truncated;
	char *argv[AL_ARGV_MAX + 1]; /* pointers into argbuf, NULL-terminated */
	char argbuf[AL_ARGBUF_SIZE];

	/* connect / sendto / sendmsg destination */
	struct sockaddr_storage addr;
	socklen_t addrlen;

	/* Context the policy needs, filled by the daemon from the session. */
	const char *home;      /* the session user's home, for '~' in globs */
	const char *home_real; /* the home resolved (NULL: same): the gate's paths are */
	const char *workspace; /* the session's starting cwd, for relative globs */
};

/* The request as a JSON object, for the API, `airlock watch` and the audit log: op,
 * syscall, pid, tgid, uid, path, path2, flags, argv (argv_truncated), addr ("1.2.3.4:443",
 * "[::1]:80", "unix:/path", "unix:@abstract"), args (the registers, for classes decided
 * on them); fields that do not apply are left out, bytes that are not UTF-8 are shown as
 * \xNN.  A new reference, NULL on allocation failure. */
json_t *al_request_to_json(const struct al_request *r);

/* Fill *r from such an object (also "home" and "workspace", used by `airlock policy
 * test`).  String fields point into j, which must outlive *r.  0, or -EINVAL with a message
 * in err and *r unusable. */
int al_request_from_json(const json_t *j, struct al_request *r, char *err, size_t err_len);

/* A canonical string of the op and the arguments policy matched on (paths, argv[1..],
 * address, syscall and registers), for approval scopes ("allow the same action for this
 * session").  0; -ENOSPC when it does not fit (buf is then ""): a key is never truncated,
 * since two different actions must never share one; -E2BIG for an exec whose argv the gate
 * had to cut, which no scope may cover. */
int al_request_key(const struct al_request *r, char *buf, size_t len);

/* Socket addresses as text, the forms above.  al_addr_format: 0 or -ENOSPC / -EAFNOSUPPORT.
 * al_addr_parse: 0 or -EINVAL. */
int al_addr_format(const struct sockaddr_storage *ss, socklen_t len, char *buf, size_t buf_len);
int al_addr_parse(const char *s, struct sockaddr_storage *ret_ss, socklen_t *ret_len);

#endif
