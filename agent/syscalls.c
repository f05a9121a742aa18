// SPDX-License-Identifier: Apache-2.0
#include "syscalls.h"

#include <errno.h>
#include <seccomp.h>
#include <string.h>

/* clang-format would spread this one-line macro over four */
/* clang-format off */
#define A(...) { __VA_ARGS__ }
/* clang-format on */

/*
 * Every syscall that performs one of the operation classes.  Adding a spelling of an
 * operation here is how the gate learns to cover it: the filter notifies every entry of a
 * class that policy needs, and the decoder reads arguments by the kinds given here.
 */
static struct syscall_desc table[] = {
	/* exec */
	{ "execve", AL_OP_EXEC, SC_FOLLOW, A(SC_PATH, SC_ARGV, SC_OTHER), -1 },
	{ "execveat", AL_OP_EXEC, SC_FOLLOW, A(SC_DIRFD, SC_PATH, SC_ARGV, SC_OTHER, SC_ATFLAGS),
	  -1 },

	/* opens: the class (read or write) is decided from the flags by the decoder */
	{ "open", AL_OP_WRITE, SC_FOLLOW, A(SC_PATH, SC_OFLAGS, SC_MODE), -1 },
	{ "openat", AL_OP_WRITE, SC_FOLLOW, A(SC_DIRFD, SC_PATH, SC_OFLAGS, SC_MODE), -1 },
	{ "openat2", AL_OP_WRITE, SC_FOLLOW, A(SC_DIRFD, SC_PATH, SC_OPENHOW, SC_HOWSIZE), -1 },
	{ "creat", AL_OP_WRITE, SC_FOLLOW, A(SC_PATH, SC_MODE), -1 },
	{ "open_by_handle_at", AL_OP_WRITE, SC_FOLLOW, A(SC_DIRFD, SC_OTHER, SC_OFLAGS), -1 },

	/* other writes: content, names and metadata */
	{ "truncate", AL_OP_WRITE, SC_FOLLOW, A(SC_PATH, SC_OTHER), -1 },
	{ "mknod", AL_OP_WRITE, SC_NOFOLLOW, A(SC_PATH, SC_MODE, SC_OTHER), -1 },
	{ "mknodat", AL_OP_WRITE, SC_NOFOLLOW, A(SC_DIRFD, SC_PATH, SC_MODE, SC_OTHER), -1 },
	{ "mkdir", AL_OP_WRITE, SC_NOFOLLOW, A(SC_PATH, SC_MODE), -1 },
	{ "mkdirat", AL_OP_WRITE, SC_NOFOLLOW, A(SC_DIRFD, SC_PATH, SC_MODE), -1 },
	{ "symlink", AL_OP_WRITE, SC_NOFOLLOW, A(SC_OTHER, SC_PATH), -1 },
	{ "symlinkat", AL_OP_WRITE, SC_NOFOLLOW, A(SC_OTHER, SC_DIRFD, SC_PATH), -1 },
	{ "link", AL_OP_WRITE, SC_NOFOLLOW, A(SC_PATH, SC_PATH2), -1 },
	{ "linkat", AL_OP_WRITE, SC_NOFOLLOW, A(SC_DIRFD, SC_PATH, SC_DIRFD2, SC_PATH2, SC_ATFLAGS),
	  -1 },
	{ "utime", AL_OP_WRITE, SC_FOLLOW, A(SC_PATH, SC_OTHER), -1 },
	{ "utimes", AL_OP_WRITE, SC_FOLLOW, A(SC_PATH, SC_OTHER), -1 },
	{ "futimesat", AL_OP_WRITE, SC_FOLLOW, A(SC_DIRFD, SC_PATH, SC_OTHER), -1 },
	{ "utimensat", AL_OP_WRITE, SC_FOLLOW, A(SC_DIRFD, SC_PATH, SC_OTHER, SC_ATFLAGS), -1 },
	{ "setxattr", AL_OP_WRITE, SC_FOLLOW, A(SC_PATH, SC_OTHER, SC_OTHER, SC_OTHER, SC_OTHER),
	  -1 },
	{ "lsetxattr", AL_OP_WRITE, SC_NOFOLLOW, A(SC_PATH, SC_OTHER, SC_OTHER, SC_OTHER, SC_OTHER),
	  -1 },
	{ "removexattr", AL_OP_WRITE, SC_FOLLOW, A(SC_PATH, SC_OTHER), -1 },
	{ "lremovexattr", AL_OP_WRITE, SC_NOFOLLOW, A(SC_PATH, SC_OTHER), -1 },

	/* delete (rename: delete at the source, write at the destination) */
	{ "unlink", AL_OP_DELETE, SC_NOFOLLOW, A(SC_PATH), -1 },
	{ "unlinkat", AL_OP_DELETE, SC_NOFOLLOW, A(SC_DIRFD, SC_PATH, SC_ATFLAGS), -1 },
	{ "rmdir", AL_OP_DELETE, SC_NOFOLLOW, A(SC_PATH), -1 },
	{ "rename", AL_OP_DELETE, SC_NOFOLLOW, A(SC_PATH, SC_PATH2), -1 },
	{ "renameat", AL_OP_DELETE, SC_NOFOLLOW, A(SC_DIRFD, SC_PATH, SC_DIRFD2, SC_PATH2), -1 },
	{ "renameat2", AL_OP_DELETE, SC_NOFOLLOW,
	  A(SC_DIRFD, SC_PATH, SC_DIRFD2, SC_PATH2, SC_OTHER), -1 },

	/* chmod / chown */
	{ "chmod", AL_OP_CHMOD, SC_FOLLOW, A(SC_PATH, SC_MODE), -1 },
	{ "fchmod", AL_OP_CHMOD, SC_FOLLOW, A(SC_FD, SC_MODE), -1 },
	{ "fchmodat", AL_OP_CHMOD, SC_FOLLOW, A(SC_DIRFD, SC_PATH, SC_MODE), -1 },
	{ "fchmodat2", AL_OP_CHMOD, SC_FOLLOW, A(SC_DIRFD, SC_PATH, SC_MODE, SC_ATFLAGS), -1 },
	{ "chown", AL_OP_CHOWN, SC_FOLLOW, A(SC_PATH, SC_ID, SC_ID), -1 },
	{ "lchown", AL_OP_CHOWN, SC_NOFOLLOW, A(SC_PATH, SC_ID, SC_ID), -1 },
	{ "fchown", AL_OP_CHOWN, SC_FOLLOW, A(SC_FD, SC_ID, SC_ID), -1 },
	{ "fchownat", AL_OP_CHOWN, SC_FOLLOW, A(SC_DIRFD, SC_PATH, SC_ID, SC_ID, SC_ATFLAGS), -1 },

	/* connect: an address given with the call */
	{ "connect", AL_OP_CONNECT, SC_FOLLOW, A(SC_FD, SC_SOCKADDR, SC_SOCKLEN), -1 },
	{ "sendto", AL_OP_CONNECT, SC_FOLLOW,
	  A(SC_FD, SC_OTHER, SC_OTHER, SC_OTHER, SC_SOCKADDR, SC_SOCKLEN), -1 },
	{ "sendmsg", AL_OP_CONNECT, SC_FOLLOW, A(SC_FD, SC_MSGHDR, SC_OTHER), -1 },
	{ "sendmmsg", AL_OP_CONNECT, SC_FOLLOW, A(SC_FD, SC_MMSGHDR, SC_OTHER, SC_OTHER), -1 },

	/* privilege: identity changes, decided on register arguments except the lists */
	{ "setuid", AL_OP_PRIVILEGE, SC_FOLLOW, A(SC_ID), -1 },
	{ "setgid", AL_OP_PRIVILEGE, SC_FOLLOW, A(SC_ID), -1 },
	{ "setreuid", AL_OP_PRIVILEGE, SC_FOLLOW, A(SC_ID, SC_ID), -1 },
	{ "setregid", AL_OP_PRIVILEGE, SC_FOLLOW, A(SC_ID, SC_ID), -1 },
	{ "setresuid", AL_OP_PRIVILEGE, SC_FOLLOW, A(SC_ID, SC_ID, SC_ID), -1 },
	{ "setresgid", AL_OP_PRIVILEGE, SC_FOLLOW, A(SC_ID, SC_ID, SC_ID), -1 },
	{ "setfsuid", AL_OP_PRIVILEGE, SC_FOLLOW, A(SC_ID), -1 },
	{ "setfsgid", AL_OP_PRIVILEGE, SC_FOLLOW, A(SC_ID), -1 },
	{ "setgroups", AL_OP_PRIVILEGE, SC_FOLLOW, A(SC_OTHER, SC_OTHER), -1 },
	{ "capset", AL_OP_PRIVILEGE, SC_FOLLOW, A(SC_OTHER, SC_OTHER), -1 },

	/* mount, old and new API */
	{ "mount", AL_OP_MOUNT, SC_FOLLOW, A(SC_OTHER, SC_PATH, SC_OTHER, SC_OTHER, SC_OTHER), -1 },
	{ "umount2", AL_OP_MOUNT, SC_FOLLOW, A(SC_PATH, SC_OTHER), -1 },
	{ "pivot_root", AL_OP_MOUNT, SC_FOLLOW, A(SC_PATH, SC_PATH2), -1 },
	{ "fsopen", AL_OP_MOUNT, SC_FOLLOW, A(SC_OTHER, SC_OTHER), -1 },
	{ "fsconfig", AL_OP_MOUNT, SC_FOLLOW, A(SC_FD, SC_OTHER, SC_OTHER, SC_OTHER, SC_OTHER),
	  -1 },
	{ "fsmount", AL_OP_MOUNT, SC_FOLLOW, A(SC_FD, SC_OTHER, SC_OTHER), -1 },
	{ "fspick", AL_OP_MOUNT, SC_FOLLOW, A(SC_DIRFD, SC_PATH, SC_OTHER), -1 },
	{ "move_mount", AL_OP_MOUNT, SC_FOLLOW, A(SC_DIRFD, SC_PATH, SC_DIRFD2, SC_PATH2, SC_OTHER),
	  -1 },
	{ "open_tree", AL_OP_MOUNT, SC_FOLLOW, A(SC_DIRFD, SC_PATH, SC_OTHER), -1 },
	{ "mount_setattr", AL_OP_MOUNT, SC_FOLLOW,
	  A(SC_DIRFD, SC_PATH, SC_OTHER, SC_OTHER, SC_OTHER), -1 },

	/* kernel modules, kexec, reboot, bpf */
	{ "init_module", AL_OP_MODULE, SC_FOLLOW, A(SC_OTHER, SC_OTHER, SC_OTHER), -1 },
	{ "finit_module", AL_OP_MODULE, SC_FOLLOW, A(SC_FD, SC_OTHER, SC_OTHER), -1 },
	{ "delete_module", AL_OP_MODULE, SC_FOLLOW, A(SC_OTHER, SC_OTHER), -1 },
	{ "kexec_load", AL_OP_KEXEC, SC_FOLLOW, A(SC_OTHER, SC_OTHER, SC_OTHER, SC_OTHER), -1 },
	{ "kexec_file_load", AL_OP_KEXEC, SC_FOLLOW, A(SC_FD, SC_FD, SC_OTHER, SC_OTHER, SC_OTHER),
	  -1 },
	{ "reboot", AL_OP_REBOOT, SC_FOLLOW, A(SC_OTHER, SC_OTHER, SC_OTHER, SC_OTHER), -1 },
	{ "bpf", AL_OP_BPF, SC_FOLLOW, A(SC_OTHER, SC_OTHER, SC_OTHER), -1 },

	/* reaching into other processes */
	{ "ptrace", AL_OP_PTRACE, SC_FOLLOW, A(SC_OTHER, SC_OTHER, SC_OTHER, SC_OTHER), -1 },
	{ "process_vm_writev", AL_OP_PTRACE, SC_FOLLOW,
	  A(SC_OTHER, SC_OTHER, SC_OTHER, SC_OTHER, SC_OTHER, SC_OTHER), -1 },
	{ "process_vm_readv", AL_OP_PTRACE, SC_FOLLOW,
	  A(SC_OTHER, SC_OTHER, SC_OTHER, SC_OTHER, SC_OTHER, SC_OTHER), -1 },
	{ "pidfd_getfd", AL_OP_PTRACE, SC_FOLLOW, A(SC_FD, SC_OTHER, SC_OTHER), -1 },

	/* signals: decided on their registers (the pid, or the process behind a pidfd) */
	{ "kill", AL_OP_SIGNAL, SC_FOLLOW, A(SC_OTHER, SC_OTHER), -1 },
	{ "tkill", AL_OP_SIGNAL, SC_FOLLOW, A(SC_OTHER, SC_OTHER), -1 },
	{ "tgkill", AL_OP_SIGNAL, SC_FOLLOW, A(SC_OTHER, SC_OTHER, SC_OTHER), -1 },
	{ "rt_sigqueueinfo", AL_OP_SIGNAL, SC_FOLLOW, A(SC_OTHER, SC_OTHER, SC_OTHER), -1 },
	{ "rt_tgsigqueueinfo", AL_OP_SIGNAL, SC_FOLLOW, A(SC_OTHER, SC_OTHER, SC_OTHER, SC_OTHER),
	  -1 },
	{ "pidfd_send_signal", AL_OP_SIGNAL, SC_FOLLOW, A(SC_FD, SC_OTHER, SC_OTHER, SC_OTHER),
	  -1 },
};

#define TABLE_LEN (sizeof(table) / sizeof(table[0]))

/* Native syscall numbers are small (under 500 on every architecture we build for): an
 * array indexed by number makes the lookup on every notification O(1).  Entries hold
 * table index + 1, 0 meaning "not gated". */
#define NR_INDEX_MAX 1024
static unsigned char nr_index[NR_INDEX_MAX];

int syscalls_init(void)
{
	static int done;
	size_t i;

	if (done)
		return 0;
	_Static_assert(TABLE_LEN < 255, "nr_index entries are one byte");
	for (i = 0; i < TABLE_LEN; i++) {
		int nr = seccomp_syscall_resolve_name(table[i].name);
		/* libseccomp returns negative pseudo-numbers for syscalls this arch lacks */
		table[i].nr = nr >= 0 ? nr : -1;
		if (nr >= 0 && nr < NR_INDEX_MAX)
			nr_index[nr] = (unsigned char)(i + 1);
	}
	done = 1;
	return 0;
}

const struct syscall_desc *syscall_by_nr(int nr)
{
	size_t i;

	if (nr < 0)
		return NULL;
	if (nr < NR_INDEX_MAX)
		return nr_index[nr] ? &table[nr_index[nr] - 1] : NULL;
	for (i = 0; i < TABLE_LEN; i++)
		if (table[i].nr == nr)
			return &table[i];
	return NULL;
}

const struct syscall_desc *syscall_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < TABLE_LEN; i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

const struct syscall_desc *syscalls_all(size_t *ret_n)
{
	*ret_n = TABLE_LEN;
	return table;
}

int syscall_arg_index(const struct syscall_desc *d, enum sc_arg kind)
{
	int i;

	for (i = 0; i < 6; i++)
		if (d->arg[i] == kind)
			return i;
	return -1;
}
