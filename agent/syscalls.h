/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The table of gated syscalls: for each, its operation class and what each register
 * argument is, so that the filter builder knows what to notify for a class and the
 * decoder knows what to read from the target.  Numbers are resolved for the native
 * architecture at start (libseccomp), so the table itself is architecture-neutral.
 */
#ifndef AIRLOCK_SYSCALLS_H
#define AIRLOCK_SYSCALLS_H

#include <stddef.h>

#include "request.h"

enum sc_arg {
	SC_NONE = 0,
	SC_PATH,     /* char * path, relative to SC_DIRFD of the same end or the cwd */
	SC_PATH2,    /* second path (rename/link destination) */
	SC_DIRFD,    /* dirfd for SC_PATH (AT_FDCWD allowed) */
	SC_DIRFD2,   /* dirfd for SC_PATH2 */
	SC_FD,	     /* a file descriptor the call acts on (fchmod, connect ...) */
	SC_ARGV,     /* char *const argv[] */
	SC_OFLAGS,   /* open(2) flags */
	SC_OPENHOW,  /* struct open_how * (openat2) */
	SC_HOWSIZE,  /* size of the open_how */
	SC_MODE,     /* mode_t */
	SC_ATFLAGS,  /* AT_* flags (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, AT_REMOVEDIR ...) */
	SC_SOCKADDR, /* struct sockaddr * */
	SC_SOCKLEN,  /* socklen_t of SC_SOCKADDR */
	SC_MSGHDR,   /* struct msghdr * (sendmsg) */
	SC_MMSGHDR,  /* struct mmsghdr * (sendmmsg) */
	SC_ID,	     /* a uid or gid */
	SC_OTHER,    /* read as a raw register, not interpreted */
};

/* How a path syscall treats its last component. */
enum sc_follow {
	SC_FOLLOW = 0, /* follows a final symlink (unless O_NOFOLLOW / AT_SYMLINK_NOFOLLOW) */
	SC_NOFOLLOW,   /* acts on the name itself: unlink, rename, lchown, mkdir ... */
};

struct syscall_desc {
	const char *name;
	enum al_op op;
	enum sc_follow follow;
	unsigned char arg[6]; /* enum sc_arg per register */
	int nr;		      /* native number, -1 when this architecture lacks it */
};

/* Resolve the native numbers once.  0 or -errno. */
int syscalls_init(void);

const struct syscall_desc *syscall_by_nr(int nr);
const struct syscall_desc *syscall_by_name(const char *name);

/* The whole table, for iteration (count in *ret_n). */
const struct syscall_desc *syscalls_all(size_t *ret_n);

/* Index of the first register of the given kind, or -1. */
int syscall_arg_index(const struct syscall_desc *d, enum sc_arg kind);

#endif
