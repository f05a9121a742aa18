// SPDX-License-Identifier: Apache-2.0
/*
 * The gate's kernel side.  One notification goes:
 *
 *   NOTIF_RECV -> arch and syscall checks -> handles on the thread (/proc/TID, pidfd)
 *   -> NOTIF_ID_VALID -> every pointed-to argument copied once, paths resolved in the
 *   target's root and credentials -> NOTIF_ID_VALID -> (policy) -> notify_allow():
 *   CONTINUE only where the decision rests on registers (or exec), otherwise the daemon
 *   performs the call itself on its copy and answers with the result (ADDFD|SEND for opens).
 *
 * See docs/gate.md, "Notifications", for the argument per class.
 */
#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#include "connector.h"
#include "execcheck.h"
#include "pathres.h"
#include "procmem.h"
#include "syscalls.h"
#include "target.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* 6.9: a pidfd of one thread */
#endif

/* How much data an emulated sendto/sendmsg carries: one datagram's worth. */
#define SEND_MAX (64 * 1024)
/* An xattr value is at most 64 KiB (XATTR_SIZE_MAX). */
#define XATTR_VALUE_MAX (64 * 1024)

/* The raw path strings as the target passed them, before resolution. */
struct raw_args {
	char path[PATH_MAX];
	char path2[PATH_MAX];
	bool has_path, has_path2;
	int dirfd, dirfd2;
	int fd;
	int atflags;
	uint64_t resolve;
};

_Static_assert(sizeof(((struct gate_notif *)0)->reopen) >= PATHRES_REOPEN_MAX,
	       "gate_notif.reopen holds a pathres re-open path");

/* What an emulated call needs besides its decided path, read before acting. */
struct emu_input {
	int srcfd; /* the target's fd (pidfd_getfd) for f* and AT_EMPTY_PATH forms, or -1 */
	struct timespec ts[2];
	bool ts_null;
	char xname[XATTR_NAME_MAX + 1];
	char *value;
	size_t size;
};

static uint32_t native_arch(void)
{
	static uint32_t arch;

	if (!arch)
		arch = seccomp_arch_native();
	return arch;
}

/* NOTIF_RECV needs a buffer of the size the running kernel says, zeroed. */
static int notif_buf(struct seccomp_notif **ret_buf, size_t *ret_size)
{
	static struct seccomp_notif *buf;
	static size_t size;

	if (!buf) {
		struct seccomp_notif_sizes sizes;
		int r = syscalls_init(); /* idempotent; decoding needs the numbers */

		if (r < 0)
			return r;

		if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
			return -errno;
		size = sizes.seccomp_notif > sizeof(*buf) ? sizes.seccomp_notif : sizeof(*buf);
		buf = calloc(1, size);
		if (!buf)
			return -ENOMEM;
	}
	memset(buf, 0, size);
	*ret_buf = buf;
	*ret_size = size;
	return 0;
}

static int id_valid(int listener, uint64_t id)
{
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0)
		return -errno;
	return 0;
}

bool notify_id_valid(const struct gate_notif *n)
{
	return id_valid(n->listener, n->id) == 0;
}

static int respond(const struct gate_notif *n, int64_t val, int err, uint32_t flags)
{
	struct seccomp_notif_resp resp = {
		.id = n->id,
		.val = val,
		.error = err,
		.flags = flags,
	};

	if (ioctl(n->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0)
		return -errno;
	return 0;
}

/* Answer with the outcome of an emulated call: a value, or -errno for the caller. */
static int respond_result(const struct gate_notif *n, long r)
{
	return r < 0 ? respond(n, 0, (int)r, 0) : respond(n, r, 0, 0);
}

int notify_deny(struct gate_notif *n, int err)
{
	if (err <= 0)
		return -EINVAL;
	return respond(n, 0, -err, 0);
}

void notify_release(struct gate_notif *n)
{
	/* back into its session's cache, if it has one */
	target_put(n->target, false);
	n->target = NULL;
	if (n->pidfd >= 0)
		close(n->pidfd);
	if (n->wait_fd >= 0 && n->wait_child)
		connector_kill(n->wait_fd);
	else if (n->wait_fd >= 0)
		close(n->wait_fd);
	n->pidfd = -1;
	n->wait_fd = -1;
	n->wait_child = false;
}

static bool is_open(const struct syscall_desc *d)
{
	return d->arg[0] == SC_OFLAGS || d->arg[1] == SC_OFLAGS || d->arg[2] == SC_OFLAGS ||
	       d->arg[2] == SC_OPENHOW || strcmp(d->name, "creat") == 0;
}

static bool name_is(const struct syscall_desc *d, const char *name)
{
	return strcmp(d->name, name) == 0;
}

/* Does this open change anything?  O_TMPFILE carries O_DIRECTORY: test both bits. */
static bool open_writes(int flags)
{
	/* O_PATH ignores every other flag: such an open neither creates nor writes */
	if (flags & O_PATH)
		return false;
	return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) ||
	       (flags & O_TMPFILE) == O_TMPFILE;
}

static int read_open_how(pid_t pid, uint64_t addr, uint64_t size, struct open_how *how)
{
	int r;

	/* 24 bytes is the first published open_how (OPEN_HOW_SIZE_VER0) */
	if (size < sizeof(*how))
		return -EINVAL;
	if (size > 4096)
		return -E2BIG;
	memset(how, 0, sizeof(*how));
	r = procmem_read(pid, addr, how, sizeof(*how));
	if (r < 0)
		return r;
	if (size > sizeof(*how)) {
		/* Like the kernel: a larger struct is fine only if its tail is zero. */
		char tail[4096];
		size_t i, extra = size - sizeof(*how);

		r = procmem_read(pid, addr + sizeof(*how), tail, extra);
		if (r < 0)
			return r;
		for (i = 0; i < extra; i++)
			if (tail[i])
				return -E2BIG;
	}
	return 0;
}

static int read_sockaddr(pid_t pid, uint64_t addr, uint64_t len, struct al_request *req)
{
	int r;

	if (!addr || !len)
		return 0;
	if (len > sizeof(req->addr))
		return -EINVAL;
	r = procmem_read(pid, addr, &req->addr, len);
	if (r < 0)
		return r;
	req->addrlen = (socklen_t)len;
	return 0;
}

/* The destination of a sendmsg/sendmmsg: msg_name of the (first) header. */
static int read_msghdr_name(pid_t pid, uint64_t addr, struct al_request *req)
{
	struct msghdr mh;
	int r;

	r = procmem_read(pid, addr, &mh, sizeof(mh));
	if (r < 0)
		return r;
	return read_sockaddr(pid, (uint64_t)(uintptr_t)mh.msg_name, mh.msg_namelen, req);
}

static unsigned resolve_flags(uint64_t resolve)
{
	unsigned f = 0;

	if (resolve & RESOLVE_IN_ROOT)
		f |= PATHRES_IN_ROOT;
	if (resolve & RESOLVE_BENEATH)
		f |= PATHRES_BENEATH;
	if (resolve & RESOLVE_NO_SYMLINKS)
		f |= PATHRES_NO_SYMLINKS;
	if (resolve & RESOLVE_NO_MAGICLINKS)
		f |= PATHRES_NO_MAGICLINKS;
	return f;
}

/* Read the registers' pointed-to arguments of d into the request. */
static int read_args(struct gate_notif *n, const struct syscall_desc *d, struct raw_args *a)
{
	struct al_request *req = &n->req;
	pid_t pid = req->pid;
	struct open_how how;
	int i, r, howi = -1, sizei = -1, sockaddri = -1, socklen_i = -1;

	a->dirfd = a->dirfd2 = AL_AT_FDCWD_ARG;
	a->fd = -1;
	for (i = 0; i < 6; i++) {
		uint64_t v = req->args[i];

		switch (d->arg[i]) {
		case SC_PATH:
		case SC_PATH2: {
			bool second = d->arg[i] == SC_PATH2;
			char *buf = second ? a->path2 : a->path;

			/* utimensat(fd, NULL, ...) acts on the fd itself */
			if (!v && name_is(d, "utimensat")) {
				a->atflags |= AT_EMPTY_PATH;
				break;
			}
			r = procmem_read_string(pid, v, buf, PATH_MAX);
			if (r < 0)
				return r;
			*(second ? &a->has_path2 : &a->has_path) = true;
			break;
		}
		case SC_DIRFD:
			a->dirfd = (int)v;
			break;
		case SC_DIRFD2:
			a->dirfd2 = (int)v;
			break;
		case SC_FD:
			a->fd = (int)v;
			break;
		case SC_ARGV:
			r = procmem_read_argv(pid, v, req->argv, AL_ARGV_MAX, req->argbuf,
					      sizeof(req->argbuf), &req->argc,
					      &req->argv_truncated);
			if (r < 0)
				return r;
			break;
		case SC_OFLAGS:
			req->open_flags = (int)v;
			break;
		case SC_OPENHOW:
			howi = i;
			break;
		case SC_HOWSIZE:
			sizei = i;
			break;
		case SC_MODE:
			req->mode = (mode_t)v;
			break;
		case SC_ATFLAGS:
			a->atflags |= (int)v;
			break;
		case SC_SOCKADDR:
			sockaddri = i;
			break;
		case SC_SOCKLEN:
			socklen_i = i;
			break;
		case SC_MSGHDR:
			r = read_msghdr_name(pid, v, req);
			if (r < 0)
				return r;
			break;
		case SC_MMSGHDR:
			/* vlen (the next register) may be 0: then nothing is sent */
			if (i + 1 < 6 && req->args[i + 1]) {
				r = read_msghdr_name(pid, v, req);
				if (r < 0)
					return r;
			}
			break;
		default:
			break;
		}
	}
	if (howi >= 0 && sizei >= 0) {
		r = read_open_how(pid, req->args[howi], req->args[sizei], &how);
		if (r < 0)
			return r;
		req->open_flags = (int)how.flags;
		req->mode = (mode_t)how.mode;
		a->resolve = how.resolve;
	}
	if (name_is(d, "creat"))
		req->open_flags = O_CREAT | O_WRONLY | O_TRUNC;
	if (sockaddri >= 0 && socklen_i >= 0) {
		r = read_sockaddr(pid, req->args[sockaddri], req->args[socklen_i], req);
		if (r < 0)
			return r;
	}
	/* symlink(2)'s first argument is the link's content, not a path to resolve: keep it
	 * verbatim as the second end (it is resolved when the link is used, not now). */
	if (name_is(d, "symlink") || name_is(d, "symlinkat")) {
		r = procmem_read_string(pid, req->args[0], req->path2, sizeof(req->path2));
		if (r < 0)
			return r;
	}
	return 0;
}

/* Does the call follow a final symlink on its (first) path? */
static bool follows_last(const struct syscall_desc *d, const struct al_request *req,
			 const struct raw_args *a)
{
	bool follow = d->follow == SC_FOLLOW;

	if (is_open(d)) {
		if (req->open_flags & O_NOFOLLOW)
			follow = false;
		/* O_CREAT|O_EXCL never follows: an existing symlink is EEXIST */
		if ((req->open_flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
			follow = false;
	}
	if (name_is(d, "linkat"))
		return a->atflags & AT_SYMLINK_FOLLOW;
	if (a->atflags & AT_SYMLINK_NOFOLLOW)
		follow = false;
	return follow;
}

/*
 * The resolved path has no trailing slash, but "name/" in the call means "name must be a
 * directory": answer now what the kernel would (ENOTDIR, or EISDIR for a file to be
 * created), so that an emulated unlink or rename of "file/" does not act on the file.
 */
static int check_trailing_slash(const struct syscall_desc *d, const struct al_request *req,
				const struct target *t, const struct raw_args *a)
{
	size_t len = a->has_path ? strlen(a->path) : 0;
	struct stat st;

	if (len < 2 || a->path[len - 1] != '/' || req->path[0] != '/')
		return 0;
	if (fstatat(t->rootfd, req->path[1] ? req->path + 1 : ".", &st, 0) == 0)
		return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	if (is_open(d) && (req->open_flags & O_CREAT))
		return -EISDIR;
	return 0;
}

/* Resolve the paths read by read_args(); runs in the target's credentials. */
static int resolve_paths(struct gate_notif *n, const struct syscall_desc *d, const struct target *t,
			 const struct raw_args *a)
{
	struct al_request *req = &n->req;
	unsigned flags;
	int r;

	if (is_open(d))
		req->op = open_writes(req->open_flags) ? AL_OP_WRITE : AL_OP_READ;

	/* Resolve the paths the target named, as the target would (its root, cwd, creds). */
	flags = follows_last(d, req, a) ? PATHRES_FOLLOW : 0;
	if (a->atflags & AT_EMPTY_PATH)
		flags |= PATHRES_EMPTY_PATH;
	flags |= resolve_flags(a->resolve);
	if (a->has_path || (a->atflags & AT_EMPTY_PATH)) {
		r = pathres_resolve_stat(t, a->dirfd, a->has_path ? a->path : "", flags, req->path,
					 n->reopen, req->op == AL_OP_EXEC ? &n->exec_st : NULL);
		if (r < 0)
			return r;
		r = check_trailing_slash(d, req, t, a);
		if (r < 0)
			return r;
	} else if (a->fd >= 0 &&
		   (req->op == AL_OP_CHMOD || req->op == AL_OP_CHOWN || req->op == AL_OP_MODULE)) {
		/* fchmod/fchown/finit_module: the object is the fd */
		r = pathres_resolve(t, a->fd, "", PATHRES_EMPTY_PATH, req->path, n->reopen);
		if (r < 0)
			return r;
	}
	if (a->has_path2) {
		char reopen[PATHRES_REOPEN_MAX];

		/* the second end of rename/link is a name: never followed */
		r = pathres_resolve(t, a->dirfd2, a->path2, 0, req->path2, reopen);
		if (r < 0)
			return r;
		if (reopen[0])
			return -ENOENT;
	}
	/* An AF_UNIX destination with a path is a file: resolve it like one. */
	if (req->op == AL_OP_CONNECT && req->addrlen > offsetof(struct sockaddr_un, sun_path) &&
	    req->addr.ss_family == AF_UNIX) {
		const struct sockaddr_un *un = (const struct sockaddr_un *)&req->addr;
		size_t max = req->addrlen - offsetof(struct sockaddr_un, sun_path);
		char sun[sizeof(un->sun_path) + 1] = "";

		if (un->sun_path[0]) {
			memcpy(sun, un->sun_path,
			       max < sizeof(un->sun_path) ? max : sizeof(un->sun_path));
			r = pathres_resolve(t, AL_AT_FDCWD_ARG, sun, PATHRES_FOLLOW, req->path,
					    n->reopen);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/*
 * Does resolve_paths() need the target's credentials?  Not when it has no path to walk
 * (an AF_INET connect, a register-only class), and not for exec: the kernel resolves the
 * exec's path again as the target when the call continues, so a walk as the daemon can
 * differ only where the target's own lookup fails (a directory it cannot search, a magic
 * link it may not follow), and then the exec fails whatever policy said.
 */
static bool resolves_as_target(const struct gate_notif *n, const struct syscall_desc *d,
			       const struct raw_args *a)
{
	if (d->op == AL_OP_EXEC)
		return false;
	if (a->has_path || a->has_path2 || (a->atflags & AT_EMPTY_PATH))
		return true;
	if (a->fd >= 0 &&
	    (n->req.op == AL_OP_CHMOD || n->req.op == AL_OP_CHOWN || n->req.op == AL_OP_MODULE))
		return true;
	return n->req.op == AL_OP_CONNECT && n->req.addr.ss_family == AF_UNIX;
}

static void fill_identity(struct gate_notif *n, const struct target *t)
{
	n->req.tgid = t->tgid;
	n->req.uid = t->ruid;
	n->req.gid = t->rgid;
}

/* A connect to an IP address is made as the daemon (emulate_connect): its request needs the
 * thread's ids, not its groups, umask or capabilities -- unless the socket turns out to be
 * AF_UNIX, and then emulate_connect() loads them.  An exec too: its path is resolved as the
 * daemon and the kernel walks it again as the target; only a #! interpreter is looked up as
 * the target, and execcheck_prepare() loads the credentials for that. */
static bool ids_suffice(const struct gate_notif *n, const struct syscall_desc *d)
{
	if (d && d->op == AL_OP_EXEC)
		return true;
	return d && name_is(d, "connect") &&
	       (n->req.addr.ss_family == AF_INET || n->req.addr.ss_family == AF_INET6);
}

int notify_watch_exit(struct gate_notif *n)
{
	int fd;

	if (n->pidfd >= 0)
		return 0;
	/* its own file, so that closing it takes it out of any epoll set (the cached one
	 * stays open); pidfds are always close-on-exec */
	fd = (int)syscall(SYS_pidfd_open, n->req.pid, PIDFD_THREAD);
	if (fd < 0 && errno == EINVAL)
		fd = (int)syscall(SYS_pidfd_open, n->req.tgid, 0);
	if (fd < 0)
		return -errno;
	n->pidfd = fd;
	return 0;
}

static void request_reset(struct al_request *req)
{
	/* argbuf is large and only meaningful up to argc: do not clear it every call. */
	memset(req, 0, offsetof(struct al_request, argbuf));
	memset(&req->addr, 0, sizeof(req->addr));
	req->addrlen = 0;
	req->home = NULL;
	req->workspace = NULL;
}

/* The name of a native syscall outside the table, kept for the daemon's lifetime (the
 * request's syscall field is a static string). */
static const char *other_name(int nr)
{
	static char *names[1024];
	char *name;

	if (nr < 0 || nr >= 1024)
		return NULL;
	if (!names[nr]) {
		name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
		if (!name)
			return NULL;
		names[nr] = name;
	}
	return names[nr];
}

/* The thread is gone: its cached handles are of no more use. */
static void release_gone(struct gate_notif *n)
{
	target_put(n->target, true);
	n->target = NULL;
	notify_release(n);
}

int notify_recv(int listener, struct gate_notif *n)
{
	return notify_recv_cached(listener, NULL, n);
}

int notify_recv_cached(int listener, struct target_cache *cache, struct gate_notif *n)
{
	const struct syscall_desc *d;
	struct seccomp_notif *sn = NULL;
	struct saved_creds creds;
	struct target *t = NULL;
	struct raw_args *a = NULL;
	size_t size;
	int r, deny_err = EPERM;

	r = notif_buf(&sn, &size);
	if (r < 0)
		return r;
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, sn) < 0)
		/* ENOENT: the caller died (or was signalled) before we took it */
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;

	n->listener = listener;
	n->id = sn->id;
	n->arch = sn->data.arch;
	n->pidfd = -1;
	n->wait_fd = -1;
	n->wait_events = 0;
	n->wait_child = false;
	n->wait_val = 0;
	n->reopen[0] = '\0';
	n->target = NULL;
	n->exec_filename[0] = '\0';
	memset(&n->exec_expect, 0, sizeof(n->exec_expect));
	n->decided_at_once = false;
	n->exec_st.st_mode = 0;
	request_reset(&n->req);
	n->req.syscall_nr = sn->data.nr;
	n->req.pid = (pid_t)sn->pid;
	memcpy(n->req.args, sn->data.args, sizeof(n->req.args));

	/* The filter kills foreign architectures; a notification for one is a filter bug,
	 * and its numbers mean other syscalls: never decode it. */
	if (sn->data.arch != native_arch()) {
		deny_err = ENOSYS;
		r = -EPROTO;
		goto fail;
	}
	d = syscall_by_nr(sn->data.nr);
	if (d) {
		n->req.syscall = d->name;
		n->req.op = d->op;
	} else {
		/* a syscall named by a `syscall:` rule, outside the table: decided by name and
		 * registers, nothing to read */
		n->req.syscall = other_name(sn->data.nr);
		n->req.op = AL_OP_OTHER;
		if (!n->req.syscall) {
			deny_err = ENOSYS;
			r = -EPROTO;
			goto fail;
		}
	}

	/* No NOTIF_ID_VALID before the end: reading and resolving act on nothing, and the one
	 * below proves both the handles and what was read the waiting thread's (it was alive
	 * from NOTIF_RECV until then, so its tid named no one else).  Memory is read as the
	 * daemon (reading another process needs CAP_SYS_PTRACE, which the target's credentials
	 * do not carry), first: what it says chooses which credentials are read. */
	if (d) {
		a = calloc(1, sizeof(*a));
		r = a ? read_args(n, d, a) : -ENOMEM;
		if (r < 0) {
			/* what the kernel would have answered: EFAULT, ENAMETOOLONG ... */
			deny_err = -r;
			goto fail;
		}
	}
	r = target_get(cache, n->req.pid, ids_suffice(n, d) ? TARGET_IDS_ONLY : 0, &t);
	if (r < 0)
		goto fail;
	/* from here on notify_release() gives it back */
	n->target = t;
	fill_identity(n, t);
	if (d) {
		/* paths are resolved as the target */
		if (d->op == AL_OP_EXEC)
			r = execcheck_filename(&n->req, a->path, n->exec_filename,
					       sizeof(n->exec_filename));
		if (r >= 0 && !resolves_as_target(n, d, a)) {
			r = resolve_paths(n, d, t, a);
		} else if (r >= 0) {
			r = target_creds_enter(t, &creds, false);
			if (r >= 0) {
				r = resolve_paths(n, d, t, a);
				target_creds_leave(&creds);
			}
		}
	}
	free(a);
	a = NULL;
	if (r < 0) {
		/* what the kernel would have answered: EFAULT, ENAMETOOLONG, EBADF ... */
		deny_err = -r;
		goto fail;
	}
	/* The handles, and what was read, came from that thread, not from a successor with
	 * its pid. */
	if (id_valid(listener, n->id) < 0) {
		r = -ENOENT;
		goto gone;
	}
	return 0;
fail:
	free(a);
	if (id_valid(listener, n->id) < 0) {
		release_gone(n);
		return -ENOENT;
	}
	/* Closed, never open: a call we could not decode fails. */
	respond(n, 0, -deny_err, 0);
	notify_release(n);
	return -EIO;
gone:
	release_gone(n);
	return r;
}

/* ---- acting on the daemon's copy ------------------------------------------------ */

static int openat2_in_root(const struct target *t, const char *path, int flags, mode_t mode)
{
	/* The path was resolved when it was decided: a symlink on it now was swapped in since
	 * (a directory turned into a link while an ask waited), and following it would let
	 * O_TRUNC or O_CREAT act on another file before the fd is checked. */
	struct open_how how = {
		.flags = (uint64_t)(unsigned)flags,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS,
	};
	int fd;

	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		how.mode = mode & 07777;
	fd = (int)syscall(SYS_openat2, t->rootfd, path, &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

/* Is fd the object policy decided on?  A symlink or directory swapped in after the
 * decision shows up here as a different path. */
static int check_fd_path(const struct target *t, int fd, const char *expect, bool tmpfile)
{
	char got[PATH_MAX];
	size_t len = strlen(expect);
	int r;

	r = pathres_fd_path(t, fd, got, sizeof(got));
	if (r < 0)
		return r == -EXDEV ? -ESTALE : r;
	if (tmpfile)
		/* an O_TMPFILE has no name: it must live in the decided directory */
		return strncmp(got, expect, len) == 0 && got[len] == '/' &&
				       !strchr(got + len + 1, '/')
			       ? 0
			       : -ESTALE;
	return strcmp(got, expect) == 0 ? 0 : -ESTALE;
}

/* The same object through the same magic link: compare the link texts. */
static int check_reopen(int fd, const char *expect)
{
	char link[32], got[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, got, sizeof(got) - 1);
	if (n < 0)
		return -errno;
	got[n] = '\0';
	return strcmp(got, expect) == 0 ? 0 : -ESTALE;
}

/* Every flag open(2) knows (the kernel's VALID_OPEN_FLAGS). */
#define OPEN_FLAGS_KNOWN                                                                           \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC |     \
	 O_ASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC |     \
	 O_SYNC | O_PATH | O_TMPFILE)
/* What O_PATH keeps; open(2) ignores the rest, openat2(2) would refuse it. */
#define OPEN_FLAGS_PATH (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/* The flags of the daemon's open: the target's, made acceptable to openat2 the way its
 * own syscall would have read them, plus what keeps the daemon safe. */
static int open_flags_for(const struct gate_notif *n)
{
	int flags = n->req.open_flags;
	bool is_openat2 = strcmp(n->req.syscall, "openat2") == 0;

	/* openat2 validates strictly, as the target's own openat2 would have; open and
	 * openat ignore unknown bits and, with O_PATH, everything O_PATH does not use */
	if (!is_openat2) {
		flags &= OPEN_FLAGS_KNOWN;
		if (flags & O_PATH)
			flags &= OPEN_FLAGS_PATH;
	}
	if (flags & O_PATH)
		return flags | O_CLOEXEC;
	return flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
}

/*
 * /dev/tty means the opener's controlling terminal: opened by the daemon it would be the
 * daemon's (or none).  Open the target's terminal device instead, by its own path, and
 * check it is that device.
 */
static int open_ctty(const struct target *t, int flags)
{
	char path[PATH_MAX];
	struct stat st;
	dev_t dev;
	int fd, r;

	r = target_ctty(t, &dev);
	if (r < 0)
		return r;
	r = target_dev_path(dev, path, sizeof(path));
	if (r < 0)
		return r == -ENOENT ? -ENXIO : r;
	fd = openat2_in_root(t, path, flags & ~(O_CREAT | O_TRUNC | O_EXCL | O_TMPFILE), 0);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != dev) {
		close(fd);
		return -ESTALE;
	}
	return fd;
}

/* Open what was decided, as the target.  Returns the daemon's fd or -errno. */
static int open_decided(const struct gate_notif *n, const struct target *t)
{
	const struct al_request *req = &n->req;
	/* The daemon must never gain a controlling tty from a target's open, nor block its
	 * loop on one: a FIFO without a peer would block a plain open.  O_NONBLOCK is taken
	 * back below when the target did not ask for it. */
	int flags = open_flags_for(n);
	bool tmpfile = (req->open_flags & O_TMPFILE) == O_TMPFILE;
	int fd, r;

	if (strcmp(req->path, "/dev/tty") == 0) {
		fd = open_ctty(t, flags);
		if (fd < 0)
			return fd;
		r = 0;
	} else if (n->reopen[0]) {
		/* The target's fd table can change under us (dup2 is not gated): verify an
		 * O_PATH handle first and open the daemon's own handle, so that O_TRUNC acts
		 * only on the object decided. */
		char own[32];
		int h = open(n->reopen, O_PATH | O_CLOEXEC);

		if (h < 0)
			return -errno;
		r = check_reopen(h, req->path);
		if (r < 0) {
			close(h);
			return r;
		}
		snprintf(own, sizeof(own), "/proc/self/fd/%d", h);
		fd = open(own, flags, req->mode & 07777);
		r = fd < 0 ? -errno : 0;
		close(h);
		if (fd < 0)
			return r;
	} else {
		fd = openat2_in_root(t, req->path, flags, req->mode);
		if (fd < 0)
			return fd;
		r = check_fd_path(t, fd, req->path, tmpfile);
	}
	if (r < 0) {
		close(fd);
		return r;
	}
	if (!(req->open_flags & (O_NONBLOCK | O_PATH)))
		/* F_SETFL changes only O_APPEND, O_NONBLOCK, O_ASYNC, O_DIRECT and O_NOATIME:
		 * the others as opened, O_NONBLOCK off (O_ASYNC is in f_flags as open left it,
		 * so passing it back changes nothing) */
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	return fd;
}

/* A verified O_PATH handle on the decided object (not following a final symlink when the
 * call does not). */
static int handle_decided(const struct gate_notif *n, const struct target *t, const char *path,
			  bool follow)
{
	int fd, r;

	fd = openat2_in_root(t, path, O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW), 0);
	if (fd < 0)
		return fd;
	r = check_fd_path(t, fd, path, false);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/* The verified parent directory of path, and its last component in *ret_name. */
static int parent_decided(const struct gate_notif *n, const struct target *t, const char *path,
			  char *ret_name)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t dlen;

	if (path[0] != '/' || !slash || !slash[1])
		return -EBUSY; /* "/" itself, or not a path */
	if (strlen(slash + 1) > NAME_MAX)
		return -ENAMETOOLONG;
	dlen = (size_t)(slash - path);
	if (dlen == 0)
		dlen = 1;
	memcpy(dir, path, dlen);
	dir[dlen] = '\0';
	strcpy(ret_name, slash + 1);
	return handle_decided(n, t, dir, true);
}

/* 0 or -errno of a libc call that sets errno */
static long sysres(int ret)
{
	return ret < 0 ? -errno : 0;
}

static void fd_link(char *buf, size_t size, int fd)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
}

/* The target's fd targetfd, through the thread's pidfd: from the fd table of the thread
 * that made the call. */
static int getfd(const struct target *t, int targetfd)
{
	int fd = (int)syscall(SYS_pidfd_getfd, t->pidfd, targetfd, 0);

	/* the new fd is close-on-exec, pidfd_getfd(2) says so */
	if (fd < 0)
		return errno == ESRCH ? -ENOENT : -errno;
	return fd;
}

static bool follows(const struct gate_notif *n, const struct syscall_desc *d)
{
	struct raw_args a = { .atflags = 0 };
	int i = syscall_arg_index(d, SC_ATFLAGS);

	if (i >= 0)
		a.atflags = (int)n->req.args[i];
	return follows_last(d, &n->req, &a);
}

/* unlink, rmdir, rename, link, symlink, mkdir, mknod: name operations on a verified
 * parent directory.  Returns the call's result or -errno. */
static long emulate_names(const struct gate_notif *n, const struct syscall_desc *d,
			  const struct target *t, const struct emu_input *in)
{
	const struct al_request *req = &n->req;
	char name[NAME_MAX + 1], name2[NAME_MAX + 1];
	int dir = -1, dir2 = -1, src, i;
	long r;

	r = parent_decided(n, t, req->path, name);
	if (r < 0)
		return r;
	dir = (int)r;
	if (name_is(d, "unlink")) {
		r = sysres(unlinkat(dir, name, 0));
	} else if (name_is(d, "rmdir")) {
		r = sysres(unlinkat(dir, name, AT_REMOVEDIR));
	} else if (name_is(d, "unlinkat")) {
		r = sysres(unlinkat(dir, name, (int)req->args[2] & AT_REMOVEDIR));
	} else if (name_is(d, "mkdir") || name_is(d, "mkdirat")) {
		r = sysres(mkdirat(dir, name, req->mode & 07777));
	} else if (name_is(d, "mknod") || name_is(d, "mknodat")) {
		i = syscall_arg_index(d, SC_MODE);
		r = sysres(mknodat(dir, name, req->mode, (dev_t)req->args[i + 1]));
	} else if (name_is(d, "symlink") || name_is(d, "symlinkat")) {
		r = sysres(symlinkat(req->path2, dir, name));
	} else {
		/* rename*, link*: two ends */
		unsigned flags = name_is(d, "renameat2") ? (unsigned)req->args[4] : 0;

		r = parent_decided(n, t, req->path2, name2);
		if (r < 0)
			goto out;
		dir2 = (int)r;
		if (name_is(d, "link") || name_is(d, "linkat")) {
			i = syscall_arg_index(d, SC_ATFLAGS);
			if (i >= 0 && (req->args[i] & AT_EMPTY_PATH) && in->srcfd >= 0) {
				/* linkat(fd, "", ...): link the very file the fd holds */
				src = in->srcfd;
				r = n->reopen[0] ? check_reopen(src, req->path)
						 : check_fd_path(t, src, req->path, false);
				if (r >= 0)
					r = sysres(linkat(src, "", dir2, name2, AT_EMPTY_PATH));
			} else {
				/* the source was resolved already: never follow again */
				r = sysres(linkat(dir, name, dir2, name2, 0));
			}
		} else {
			r = sysres((int)syscall(SYS_renameat2, dir, name, dir2, name2, flags));
		}
	}
out:
	if (dir2 >= 0)
		close(dir2);
	close(dir);
	return r;
}

static int read_times(const struct gate_notif *n, const struct syscall_desc *d,
		      struct timespec ts[2], bool *ret_null)
{
	uint64_t p;
	int r;

	*ret_null = false;
	if (name_is(d, "utimensat")) {
		p = n->req.args[2];
		if (!p) {
			*ret_null = true;
			return 0;
		}
		return procmem_read(n->req.pid, p, ts, 2 * sizeof(ts[0]));
	}
	if (name_is(d, "utime")) {
		struct utimbuf ub;

		p = n->req.args[1];
		if (!p) {
			*ret_null = true;
			return 0;
		}
		r = procmem_read(n->req.pid, p, &ub, sizeof(ub));
		if (r < 0)
			return r;
		ts[0] = (struct timespec){ .tv_sec = ub.actime };
		ts[1] = (struct timespec){ .tv_sec = ub.modtime };
		return 0;
	}
	/* utimes, futimesat: struct timeval[2] */
	{
		struct timeval tv[2];

		p = n->req.args[name_is(d, "utimes") ? 1 : 2];
		if (!p) {
			*ret_null = true;
			return 0;
		}
		r = procmem_read(n->req.pid, p, tv, sizeof(tv));
		if (r < 0)
			return r;
		if (tv[0].tv_usec < 0 || tv[0].tv_usec >= 1000000 || tv[1].tv_usec < 0 ||
		    tv[1].tv_usec >= 1000000)
			return -EINVAL;
		ts[0] = (struct timespec){ .tv_sec = tv[0].tv_sec,
					   .tv_nsec = tv[0].tv_usec * 1000 };
		ts[1] = (struct timespec){ .tv_sec = tv[1].tv_sec,
					   .tv_nsec = tv[1].tv_usec * 1000 };
		return 0;
	}
}

/*
 * Metadata and content changes on an existing object: act through a verified handle, so
 * the object changed is the one decided.  The f* forms act on the target's own fd, checked
 * to still be the decided file.
 */
static long emulate_object(const struct gate_notif *n, const struct syscall_desc *d,
			   const struct target *t, const struct emu_input *in)
{
	const struct al_request *req = &n->req;
	char link[32];
	int h = -1;
	long r = -EBADF;

	if (in->srcfd >= 0) {
		r = n->reopen[0] ? check_reopen(in->srcfd, req->path)
				 : check_fd_path(t, in->srcfd, req->path, false);
		if (r >= 0)
			h = fcntl(in->srcfd, F_DUPFD_CLOEXEC, 3);
		if (r >= 0 && h < 0)
			r = -errno;
	}
	/* AT_EMPTY_PATH with a non-empty name names the file, not the dirfd */
	if (h < 0 && syscall_arg_index(d, SC_FD) < 0) {
		r = handle_decided(n, t, req->path, follows(n, d));
		h = (int)r;
	}
	if (r < 0)
		goto out;
	fd_link(link, sizeof(link), h);
	switch (req->op) {
	case AL_OP_CHMOD:
		r = sysres(fchmodat(AT_FDCWD, link, req->mode & 07777, 0));
		break;
	case AL_OP_CHOWN: {
		int i = syscall_arg_index(d, SC_ID);

		r = sysres(fchownat(h, "", (uid_t)req->args[i], (gid_t)req->args[i + 1],
				    AT_EMPTY_PATH));
		break;
	}
	default:
		if (name_is(d, "truncate"))
			r = sysres(truncate(link, (off_t)req->args[1]));
		else if (strstr(d->name, "utime"))
			r = sysres(utimensat(AT_FDCWD, link, in->ts_null ? NULL : in->ts, 0));
		else if (strstr(d->name, "setxattr"))
			r = sysres(
				setxattr(link, in->xname, in->value, in->size, (int)req->args[4]));
		else if (strstr(d->name, "removexattr"))
			r = sysres(removexattr(link, in->xname));
		else
			r = -EPERM;
		break;
	}
out:
	if (h >= 0)
		close(h);
	return r;
}

/* Read, as the daemon, what an emulated call needs besides its path: the target's fd for
 * the f* and AT_EMPTY_PATH forms, times, xattr name and value.  The data is not what
 * policy decides on; it is read once, now.  0 or the -errno the call fails with. */
static int prefetch(const struct gate_notif *n, const struct syscall_desc *d,
		    const struct target *t, struct emu_input *in)
{
	const struct al_request *req = &n->req;
	int fdi = syscall_arg_index(d, SC_FD), ati = syscall_arg_index(d, SC_ATFLAGS), r;

	if (fdi >= 0 || (ati >= 0 && (req->args[ati] & AT_EMPTY_PATH)) ||
	    (name_is(d, "utimensat") && !req->args[1])) {
		/* pidfd_getfd needs the daemon's ptrace right: before taking the target's
		 * credentials */
		in->srcfd = getfd(t, (int)req->args[fdi >= 0 ? fdi : 0]);
		if (in->srcfd < 0 && fdi >= 0)
			return in->srcfd;
	}
	if (strstr(d->name, "utime"))
		return read_times(n, d, in->ts, &in->ts_null);
	if (strstr(d->name, "xattr")) {
		r = procmem_read_string(req->pid, req->args[1], in->xname, sizeof(in->xname));
		if (r < 0)
			return r == -ENAMETOOLONG ? -ERANGE : r;
		if (!strstr(d->name, "setxattr"))
			return 0;
		in->size = (size_t)req->args[3];
		if (in->size > XATTR_VALUE_MAX)
			return -E2BIG;
		if (!in->size)
			return 0;
		in->value = malloc(in->size);
		if (!in->value)
			return -ENOMEM;
		return procmem_read(req->pid, req->args[2], in->value, in->size);
	}
	return 0;
}

static int emulate_open(struct gate_notif *n, const struct target *t)
{
	struct seccomp_notif_addfd addfd = {
		.id = n->id,
		.flags = SECCOMP_ADDFD_FLAG_SEND, /* 5.14: install and answer atomically */
		.newfd_flags = (n->req.open_flags & O_CLOEXEC) ? O_CLOEXEC : 0,
	};
	struct saved_creds creds;
	bool creates =
		(n->req.open_flags & O_CREAT) || (n->req.open_flags & O_TMPFILE) == O_TMPFILE;
	int fd, r;

	r = target_creds_enter(t, &creds, creates);
	if (r < 0)
		return r;
	fd = open_decided(n, t);
	target_creds_leave(&creds);
	if (fd == -ESTALE) {
		respond(n, 0, -EACCES, 0);
		return -ESTALE;
	}
	if (fd < 0)
		/* the open failed as the target: that is the call's answer */
		return respond_result(n, fd);
	addfd.srcfd = (uint32_t)fd;
	r = ioctl(n->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd);
	r = r < 0 ? -errno : 0;
	close(fd);
	if (r == -ENOENT)
		return r;
	if (r < 0)
		/* e.g. EMFILE in the target: fail the call, as its own open would have */
		respond(n, 0, r, 0);
	return r;
}

/* ---- sockets ---------------------------------------------------------------------- */

/* The destination to use: the copy, with an AF_UNIX path replaced by a verified handle
 * (the daemon's /proc/self/fd/N), so the connect reaches the decided socket file. */
static int prepare_addr(const struct gate_notif *n, const struct target *t,
			struct sockaddr_storage *ret_addr, socklen_t *ret_len, int *ret_handle)
{
	struct sockaddr_un *un = (struct sockaddr_un *)ret_addr;
	int h;

	*ret_handle = -1;
	memcpy(ret_addr, &n->req.addr, sizeof(*ret_addr));
	*ret_len = n->req.addrlen;
	if (n->req.addr.ss_family != AF_UNIX || !n->req.path[0] ||
	    n->req.addrlen <= offsetof(struct sockaddr_un, sun_path) || !un->sun_path[0])
		return 0;
	h = handle_decided(n, t, n->req.path, true);
	if (h < 0)
		return h;
	memset(un->sun_path, 0, sizeof(un->sun_path));
	fd_link(un->sun_path, sizeof(un->sun_path), h);
	*ret_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(un->sun_path) + 1);
	*ret_handle = h;
	return 0;
}

static bool is_unix(int sock)
{
	socklen_t len = sizeof(int);
	int domain = 0;

	return getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 && domain == AF_UNIX;
}

/* Hand an AF_UNIX call to a connector (agent/connector.h), so that the peer's SO_PEERCRED
 * and SCM_CREDENTIALS name a process of the target, not the daemon.  Always -EINPROGRESS
 * (the connector's pidfd in wait_fd) or -errno. */
static int start_connector(struct gate_notif *n, const struct target *t,
			   const struct connector_call *c, int64_t val)
{
	int pidfd, r;

	r = connector_start(t, c, &pidfd);
	if (r < 0)
		return r;
	n->wait_fd = pidfd;
	n->wait_events = EPOLLIN;
	n->wait_child = true;
	n->wait_val = val;
	return -EINPROGRESS;
}

/* Has a non-blocking connect finished (either way)?  One poll that does not wait. */
static bool connect_done(int sock)
{
	struct pollfd p = { .fd = sock, .events = POLLOUT };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLOUT | POLLERR | POLLHUP));
}

/* A blocking socket's connect, made non-blocking, has finished: give the socket back its
 * blocking mode (fl: its flags before, or -1 to read them) and answer with the outcome
 * (SO_ERROR).  Does not close sock. */
static int finish_connect(struct gate_notif *n, int sock, int fl)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(sock, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (fl < 0)
		fl = fcntl(sock, F_GETFL);
	if (fl >= 0)
		fcntl(sock, F_SETFL, fl & ~O_NONBLOCK);
	return respond(n, 0, err ? -err : 0, 0);
}

static int emulate_connect(struct gate_notif *n, struct target *t)
{
	struct sockaddr_storage addr;
	struct saved_creds creds;
	socklen_t len;
	int sock, h = -1, fl, r;
	bool unix_sock, as_target;

	sock = getfd(t, (int)n->req.args[0]);
	if (sock < 0)
		return sock == -ENOENT ? sock : respond_result(n, sock);
	fl = fcntl(sock, F_GETFL);
	/* The kernel checks no credentials of the caller for an IP destination (the socket
	 * is the target's own, and a privileged port is bind()'s business): those connect as
	 * the daemon.  Every other family as the target: an AF_UNIX path is a file searched
	 * with its permissions, and netlink_connect() checks the caller's CAP_NET_ADMIN for a
	 * multicast group or another socket's port id. */
	as_target = n->req.addr.ss_family != AF_INET && n->req.addr.ss_family != AF_INET6;
	/* An AF_UNIX socket refuses an IP address before anything happens (EINVAL: its
	 * connect checks the family first), so for one only a non-IP address can need the
	 * connector: no SO_DOMAIN query for an IP connect. */
	unix_sock = as_target && is_unix(sock);
	/* notify_recv() read only the ids for an IP destination: a connector, or a switch
	 * to the target's credentials, needs all of them */
	r = unix_sock || as_target ? target_load_creds(t) : 0;
	if (r < 0)
		goto out;
	r = as_target ? target_creds_enter(t, &creds, false) : 0;
	if (r < 0)
		goto out;
	r = prepare_addr(n, t, &addr, &len, &h);
	if (r >= 0 && unix_sock) {
		/* The connector blocks, or not, as the target's socket says: nothing to flip. */
		if (as_target)
			target_creds_leave(&creds);
		r = start_connector(n, t,
				    &(struct connector_call){ .sock = sock,
							      .keep_fd = h,
							      .addr = (struct sockaddr *)&addr,
							      .addrlen = len },
				    0);
		goto out;
	}
	if (r >= 0) {
		/* The file description's O_NONBLOCK is shared with the target: a blocking
		 * connect is started non-blocking and finished by notify_complete(). */
		if (!(fl & O_NONBLOCK))
			fcntl(sock, F_SETFL, fl | O_NONBLOCK);
		r = connect(sock, (struct sockaddr *)&addr, len) < 0 ? -errno : 0;
	}
	if (as_target)
		target_creds_leave(&creds);
	if (r == -ESTALE) {
		respond(n, 0, -EACCES, 0);
		goto out;
	}
	if (r == -EINPROGRESS && !(fl & O_NONBLOCK) && connect_done(sock)) {
		/* a loopback handshake completes within connect(): answer now */
		r = finish_connect(n, sock, fl);
		goto out;
	}
	if (r == -EINPROGRESS && !(fl & O_NONBLOCK)) {
		n->wait_fd = sock;
		n->wait_events = EPOLLOUT;
		sock = -1;
		goto out;
	}
	if (!(fl & O_NONBLOCK))
		fcntl(sock, F_SETFL, fl);
	r = respond_result(n, r);
out:
	if (h >= 0)
		close(h);
	if (sock >= 0)
		close(sock);
	return r;
}

/* A connector is done: answer with its outcome. */
static int complete_connector(struct gate_notif *n)
{
	int err = 0, r;

	r = connector_finish(n->wait_fd, &err);
	if (r == -EAGAIN) {
		/* Called before it exited (a pidfd is readable only after): the caller has
		 * stopped waiting, so stop it rather than leave the target without an answer;
		 * the call is interrupted. */
		connector_kill(n->wait_fd);
		r = 0;
		err = -EINTR;
	} else {
		close(n->wait_fd);
	}
	n->wait_fd = -1;
	n->wait_child = false;
	if (!notify_id_valid(n))
		return -ENOENT;
	if (r < 0) {
		/* it could not become the target: the call did not happen; closed */
		respond(n, 0, -EPERM, 0);
		return r;
	}
	return err < 0 ? respond(n, 0, err, 0) : respond(n, n->wait_val, 0, 0);
}

int notify_complete(struct gate_notif *n)
{
	int r;

	if (n->wait_fd < 0)
		return -EINVAL;
	if (n->wait_child)
		return complete_connector(n);
	/* only a blocking socket was parked here; NOTIF_SEND fails with ENOENT for a target
	 * that is gone */
	r = finish_connect(n, n->wait_fd, -1);
	close(n->wait_fd);
	n->wait_fd = -1;
	return r;
}

/* Copy up to SEND_MAX bytes of the target's iovecs (the payload; policy decided on the
 * destination, which is the daemon's copy). */
static ssize_t gather(pid_t pid, uint64_t iov_addr, size_t iovlen, char *buf)
{
	size_t used = 0, i;

	if (iovlen > 1024)
		return -EMSGSIZE;
	for (i = 0; i < iovlen && used < SEND_MAX; i++) {
		struct iovec iov;
		size_t take;
		int r;

		r = procmem_read(pid, iov_addr + i * sizeof(iov), &iov, sizeof(iov));
		if (r < 0)
			return r;
		take = iov.iov_len < SEND_MAX - used ? iov.iov_len : SEND_MAX - used;
		r = procmem_read(pid, (uint64_t)(uintptr_t)iov.iov_base, buf + used, take);
		if (r < 0)
			return r;
		used += take;
	}
	return (ssize_t)used;
}

/* A connected stream socket ignores a destination address: a name written in after the
 * decision cannot redirect it, so CONTINUE acts on what was decided. */
static bool connected_stream(int sock)
{
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer), tlen = sizeof(int);
	int type = 0;

	if (getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &tlen) < 0 || type != SOCK_STREAM)
		return false;
	return getpeername(sock, (struct sockaddr *)&peer, &plen) == 0;
}

static int emulate_send(struct gate_notif *n, const struct syscall_desc *d, const struct target *t)
{
	const struct al_request *req = &n->req;
	struct sockaddr_storage addr;
	struct saved_creds creds;
	struct msghdr mh = { 0 };
	struct iovec iov;
	socklen_t len;
	char *buf = NULL;
	int sock, h = -1, flags, r;
	ssize_t got;

	sock = getfd(t, (int)req->args[0]);
	if (sock < 0)
		return sock == -ENOENT ? sock : respond_result(n, sock);
	if (!req->addrlen && connected_stream(sock)) {
		r = respond(n, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
		goto out;
	}
	if (name_is(d, "sendmmsg")) {
		/* several messages, each with its own name and payload: not emulated */
		r = notify_deny(n, EPERM);
		goto out;
	}
	buf = malloc(SEND_MAX);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	if (name_is(d, "sendto")) {
		size_t want = (size_t)req->args[2];
		int type = 0;
		socklen_t tl = sizeof(type);

		getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &tl);
		if (want > SEND_MAX && type != SOCK_STREAM) {
			r = respond_result(n, -EMSGSIZE);
			goto out;
		}
		got = want > SEND_MAX ? SEND_MAX : (ssize_t)want;
		r = procmem_read(req->pid, req->args[1], buf, (size_t)got);
		flags = (int)req->args[3];
	} else {
		struct msghdr tmh;

		r = procmem_read(req->pid, req->args[1], &tmh, sizeof(tmh));
		if (r >= 0 && tmh.msg_controllen) {
			/* SCM_RIGHTS and other ancillary data name the target's own fds and
			 * state: they cannot be forwarded faithfully */
			r = notify_deny(n, EPERM);
			goto out;
		}
		got = r < 0 ? r
			    : gather(req->pid, (uint64_t)(uintptr_t)tmh.msg_iov, tmh.msg_iovlen,
				     buf);
		r = got < 0 ? (int)got : 0;
		flags = (int)req->args[2];
	}
	if (r < 0) {
		r = respond_result(n, r);
		goto out;
	}
	r = target_creds_enter(t, &creds, false);
	if (r < 0)
		goto out;
	r = prepare_addr(n, t, &addr, &len, &h);
	if (r >= 0 && is_unix(sock)) {
		/* the receiver's SCM_CREDENTIALS must name the target's side, not the daemon */
		target_creds_leave(&creds);
		r = start_connector(n, t,
				    &(struct connector_call){
					    .sock = sock,
					    .keep_fd = h,
					    .addr = req->addrlen ? (struct sockaddr *)&addr : NULL,
					    .addrlen = req->addrlen ? len : 0,
					    .send = true,
					    .buf = buf,
					    .len = (size_t)got,
					    .flags = flags },
				    got);
		goto out;
	}
	if (r >= 0) {
		iov = (struct iovec){ .iov_base = buf, .iov_len = (size_t)got };
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_name = req->addrlen ? &addr : NULL;
		mh.msg_namelen = req->addrlen ? len : 0;
		/* The daemon's loop must not block on a full socket buffer. */
		got = sendmsg(sock, &mh, flags | MSG_DONTWAIT | MSG_NOSIGNAL);
		r = got < 0 ? -errno : (int)got;
	}
	target_creds_leave(&creds);
	if (r == -ESTALE) {
		respond(n, 0, -EACCES, 0);
		goto out;
	}
	r = respond_result(n, r);
out:
	free(buf);
	if (h >= 0)
		close(h);
	close(sock);
	return r;
}

static long emulate_in_creds(struct gate_notif *n, const struct syscall_desc *d,
			     const struct target *t)
{
	struct emu_input in = { .srcfd = -1 };
	struct saved_creds creds;
	bool object = d->op == AL_OP_CHMOD || d->op == AL_OP_CHOWN || name_is(d, "truncate") ||
		      strstr(d->name, "utime") || strstr(d->name, "xattr");
	bool creates = strstr(d->name, "mkdir") || strstr(d->name, "mknod");
	long r;

	r = prefetch(n, d, t, &in);
	if (r < 0)
		goto out;
	r = target_creds_enter(t, &creds, creates);
	if (r < 0)
		goto out;
	r = object ? emulate_object(n, d, t, &in) : emulate_names(n, d, t, &in);
	target_creds_leave(&creds);
out:
	if (in.srcfd >= 0)
		close(in.srcfd);
	free(in.value);
	return r;
}

int notify_allow(struct gate_notif *n)
{
	const struct syscall_desc *d = syscall_by_nr(n->req.syscall_nr);
	struct target fresh = { .procfd = -1, .rootfd = -1, .pidfd = -1 }, *t = n->target;
	long r;

	/* A CONTINUE acts on nothing of the daemon's: NOTIF_SEND itself fails with ENOENT
	 * for a target that is gone, so it needs no NOTIF_ID_VALID of its own. */
	if (!d)
		/* AL_OP_OTHER: decided by name and registers */
		return respond(n, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
	switch (d->op) {
	case AL_OP_EXEC:
		/* An exec cannot be performed for the target; the BPF exec hook (a later
		 * issue) verifies what actually ran.  See docs/gate.md. */
	case AL_OP_PRIVILEGE:
	case AL_OP_MOUNT:
	case AL_OP_MODULE:
	case AL_OP_PTRACE:
	case AL_OP_SIGNAL:
	case AL_OP_BPF:
	case AL_OP_KEXEC:
	case AL_OP_REBOOT:
	case AL_OP_OTHER:
	case AL_OP_NONE:
	case AL_OP__MAX:
		/* decided by syscall name and registers */
		return respond(n, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
	default:
		break;
	}
	/* Acting for the target: not for one that died while an ask waited.  Decided at once,
	 * the check that ended notify_recv() stands for this one: the thread was waiting
	 * then, and only the decision's own work has run since (docs/gate.md). */
	if (!n->decided_at_once && !notify_id_valid(n))
		return -ENOENT;
	if (name_is(d, "open_by_handle_at"))
		/* the handle is the target's memory and needs CAP_DAC_READ_SEARCH: not
		 * emulated, denied (docs/gate.md) */
		return respond(n, 0, -EPERM, 0);

	/* The handles taken at receive time were proven the thread's own, and the thread
	 * still waits (checked above).  Without them, take fresh ones and prove it again. */
	if (!t) {
		r = target_open(n->req.pid, &fresh);
		if (r < 0 || !notify_id_valid(n)) {
			if (r >= 0)
				target_close(&fresh);
			return notify_id_valid(n) ? (int)r : -ENOENT;
		}
		t = &fresh;
	}
	/* Every call but a connect acts in the target's credentials (or hands them to a
	 * connector): read what notify_recv() may have left out. */
	if (!name_is(d, "connect")) {
		r = target_load_creds(t);
		if (r < 0) {
			if (t == &fresh)
				target_close(&fresh);
			return (int)r;
		}
	}
	if (is_open(d) && (n->req.open_flags & O_PATH)) {
		/* ADDFD cannot pass an O_PATH file (the kernel's fget() skips them).  An O_PATH
		 * fd gives neither content nor a write: every use of it that does (a re-open
		 * through /proc/self/fd, an *at() call, linkat, fexecve) is gated and resolved
		 * on its own, so what a racing thread could change here grants nothing. */
		r = respond(n, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
	} else if (is_open(d)) {
		r = emulate_open(n, t);
	} else if (d->op == AL_OP_CONNECT) {
		if (name_is(d, "connect"))
			r = emulate_connect(n, t);
		else if (!n->req.addrlen && !name_is(d, "sendmsg") && !name_is(d, "sendmmsg"))
			/* sendto without an address: the decision rested on the NULL register */
			r = respond(n, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
		else
			r = emulate_send(n, d, t);
	} else {
		r = emulate_in_creds(n, d, t);
		if (r == -ESTALE) {
			respond(n, 0, -EACCES, 0);
		} else if (r != -ENOENT || notify_id_valid(n)) {
			int s = respond_result(n, r);

			r = s < 0 ? s : 0;
		}
	}
	if (t == &fresh)
		target_close(&fresh);
	return (int)r;
}
