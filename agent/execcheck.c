// SPDX-License-Identifier: Apache-2.0
/*
 * Exec verification, the daemon's half (the kernel's half is exec_verify() in
 * bpf/session.bpf.c).  See execcheck.h and docs/gate.md.
 */
#include "execcheck.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <linux/openat2.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "airlock/abi.h"
#include "airlockd.h"
#include "api.h"
#include "audit.h"
#include "bpf_layer.h"
#include "log.h"
#include "pathres.h"
#include "procmem.h"
#include "session.h"
#include "target.h"

#define SHEBANG_MAX  256 /* the kernel's BINPRM_BUF_SIZE: all of a #! line it reads */
#define ENVIRON_MAX  (64 * 1024)
#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

uint64_t execcheck_hash(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint64_t h = AL_FNV_OFFSET;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= AL_FNV_PRIME;
	}
	return h;
}

enum al_action execcheck_stricter(enum al_action a, enum al_action b)
{
	static const int rank[] = { [AL_ALLOW] = 0, [AL_AUDIT] = 1, [AL_ASK] = 2, [AL_DENY] = 3 };

	return rank[b] > rank[a] ? b : a;
}

/* The kernel's encoding of a device number (MAJOR << 20 | MINOR), as BPF reads s_dev. */
static uint32_t kdev(dev_t d)
{
	return (uint32_t)(major(d) << 20 | minor(d));
}

/*
 * Open a resolved path (absolute, as the target sees it) in the target's root, O_PATH.  A
 * resolved path holds no symlink (pathres read its parent back from an fd, and followed a
 * final one), so none is followed here: one found on the way means the path changed since
 * it was decided, and following it would expect the file it now leads to, which policy
 * never saw (-ELOOP).
 */
static int open_in_root(const struct target *t, const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC, /* no O_NOFOLLOW: a final symlink is -ELOOP too */
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS,
	};
	int fd;

	fd = (int)syscall(SYS_openat2, t->rootfd, path[1] ? path + 1 : ".", &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

/* The first bytes of the file behind an O_PATH fd, read as the daemon: the kernel reads a
 * #! line whatever the file's read permission.  Returns the byte count or -errno. */
static ssize_t read_head(int pathfd, char *buf, size_t len)
{
	char proc[64];
	ssize_t n;
	int fd;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pathfd);
	fd = open(proc, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, 0);
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

/*
 * The heads of files recently inspected, keyed by what changes when their content can:
 * (dev, ino) and the change time (every write, truncate or rename sets it; it cannot be set
 * back), with the size and mtime as well.  A hit saves the re-open through /proc and the
 * read (3 of the ~8 syscalls per file).  A stale hit cannot run anything undecided: the
 * head only chooses the interpreter, whose (dev, ino), name and argument the exec hook
 * compares with what the kernel then runs (as it must anyway, since a file can change
 * between any read and the exec).  Per thread, so callers need no lock.
 */
#define HEAD_CACHE 8

struct head_entry {
	dev_t dev;
	ino_t ino;
	struct timespec ctim, mtim;
	off_t size;
	ssize_t len; /* 0: empty slot or empty file; head[] holds len bytes */
	bool used;
	char head[SHEBANG_MAX];
};

static _Thread_local struct head_entry head_cache[HEAD_CACHE];
static _Thread_local unsigned head_next;

static struct head_entry *head_find(const struct stat *st)
{
	for (unsigned i = 0; i < HEAD_CACHE; i++) {
		struct head_entry *e = &head_cache[i];

		if (e->used && e->dev == st->st_dev && e->ino == st->st_ino &&
		    e->size == st->st_size && e->ctim.tv_sec == st->st_ctim.tv_sec &&
		    e->ctim.tv_nsec == st->st_ctim.tv_nsec &&
		    e->mtim.tv_sec == st->st_mtim.tv_sec && e->mtim.tv_nsec == st->st_mtim.tv_nsec)
			return e;
	}
	return NULL;
}

/* The first bytes (up to head_len, at most SHEBANG_MAX) of an unchanged file already read:
 * true with *ret_n set, or false. */
static bool head_cached(const struct stat *st, char *head, size_t head_len, ssize_t *ret_n)
{
	const struct head_entry *e = head_find(st);
	ssize_t n;

	if (!e)
		return false;
	n = e->len < (ssize_t)head_len ? e->len : (ssize_t)head_len;
	memcpy(head, e->head, (size_t)n);
	*ret_n = n;
	return true;
}

/* dev/ino of a regular file, and its first bytes (up to head_len, at most SHEBANG_MAX).
 * -EACCES when it is not a regular file (the kernel refuses to exec it). */
static int inspect(int pathfd, struct stat *ret_st, char *head, size_t head_len, ssize_t *ret_n)
{
	struct head_entry *e;
	ssize_t n;

	if (fstat(pathfd, ret_st) < 0)
		return -errno;
	if (!S_ISREG(ret_st->st_mode))
		return -EACCES;
	e = head_find(ret_st);
	if (!e) {
		/* read all a #! line can use, whatever this caller needs: the next may need
		 * more */
		e = &head_cache[head_next++ % HEAD_CACHE];
		e->used = false;
		n = read_head(pathfd, e->head, SHEBANG_MAX);
		if (n < 0)
			return (int)n;
		e->dev = ret_st->st_dev;
		e->ino = ret_st->st_ino;
		e->ctim = ret_st->st_ctim;
		e->mtim = ret_st->st_mtim;
		e->size = ret_st->st_size;
		e->len = n;
		e->used = true;
	}
	n = e->len < (ssize_t)head_len ? e->len : (ssize_t)head_len;
	memcpy(head, e->head, (size_t)n);
	*ret_n = n;
	return 0;
}

/* Split a #! line as binfmt_script does: the interpreter up to the first blank, then one
 * argument, the rest of the line with blanks trimmed at both ends.  0 or -ENOEXEC. */
static int shebang_parse(char *line, size_t n, char **ret_name, char **ret_arg)
{
	char *end = memchr(line, '\n', n), *p, *name, *arg = NULL;

	if (!end)
		end = line + n; /* the kernel takes a cut line if the name fits */
	*end = '\0';
	for (p = line + 2; *p == ' ' || *p == '\t'; p++)
		;
	if (!*p)
		return -ENOEXEC;
	name = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p) {
		*p++ = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p) {
			char *e = p + strlen(p);

			while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
				*--e = '\0';
			arg = p;
		}
	}
	*ret_name = name;
	*ret_arg = arg;
	return 0;
}

/* PATH from the environment the exec passes on (what env will search), or DEFAULT_PATH.
 * Read once, for the decision only: env's own exec of NAME is gated again. */
static void target_path(const struct al_request *req, char *buf, size_t len)
{
	enum { ENV_MAX = 512 };
	uint64_t envp =
		req->syscall && strcmp(req->syscall, "execveat") == 0 ? req->args[3] : req->args[2];
	char **env = calloc(ENV_MAX + 1, sizeof(*env)), *strs = malloc(ENVIRON_MAX);
	bool cut;
	int n, i;

	snprintf(buf, len, "%s", DEFAULT_PATH);
	if (env && strs && envp &&
	    procmem_read_argv(req->pid, envp, env, ENV_MAX, strs, ENVIRON_MAX, &n, &cut) == 0) {
		for (i = 0; i < n; i++) {
			if (strncmp(env[i], "PATH=", 5) == 0) {
				snprintf(buf, len, "%s", env[i] + 5);
				break;
			}
		}
	}
	free(env);
	free(strs);
}

/* Resolve an interpreter name as the target would open it (its root, cwd, credentials);
 * for `env NAME`, NAME on path.  0 with ret_path set, or -errno. */
static int interp_resolve(const struct target *t, const char *name, const char *path,
			  char *ret_path)
{
	char reopen[PATHRES_REOPEN_MAX], cand[PATH_MAX];
	struct saved_creds creds;
	const char *dir = path, *colon;
	struct stat st;
	int r;

	r = target_creds_enter(t, &creds, false);
	if (r < 0)
		return r;
	if (!path || strchr(name, '/')) {
		r = pathres_resolve(t, AL_AT_FDCWD_ARG, name, PATHRES_FOLLOW, ret_path, reopen);
		goto out;
	}
	r = -ENOENT;
	for (; dir && *dir; dir = colon ? colon + 1 : NULL) {
		size_t l;

		colon = strchr(dir, ':');
		l = colon ? (size_t)(colon - dir) : strlen(dir);
		if (snprintf(cand, sizeof(cand), "%.*s/%s", (int)l, l ? dir : ".", name) >=
		    (int)sizeof(cand))
			continue;
		if (pathres_resolve(t, AL_AT_FDCWD_ARG, cand, PATHRES_FOLLOW, ret_path, reopen) <
			    0 ||
		    ret_path[0] != '/')
			continue;
		if (fstatat(t->rootfd, ret_path[1] ? ret_path + 1 : ".", &st, 0) == 0 &&
		    S_ISREG(st.st_mode) &&
		    faccessat(t->rootfd, ret_path[1] ? ret_path + 1 : ".", X_OK, AT_EACCESS) == 0) {
			r = 0;
			break;
		}
	}
out:
	target_creds_leave(&creds);
	return r;
}

/*
 * Open an absolute interpreter name as the kernel's open_exec() will, in a few syscalls:
 * one openat2 in the target's root, as the target, following symlinks as its own lookup
 * does (a merged /usr makes /bin/sh two of them, which the component walk of
 * pathres_resolve() pays ~20 syscalls for).  The path policy decides on is read back from
 * that same fd, so it names the (dev, ino) the expectation holds.  Magic links are refused
 * and so is an object on procfs (reached through /proc/self, whose text names the daemon):
 * those, and every failure, return -EAGAIN for the full walk to decide.  0 with *ret_fd
 * (O_PATH) and ret_path set.
 */
static int interp_open_fast(const struct target *t, const char *name, char *ret_path, int *ret_fd)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	struct saved_creds creds;
	struct statfs sfs;
	char path[PATH_MAX];
	int fd;

	if (name[0] != '/')
		return -EAGAIN; /* relative to the target's cwd: the walk knows it */
	if (target_creds_enter(t, &creds, false) < 0)
		return -EAGAIN;
	fd = (int)syscall(SYS_openat2, t->rootfd, name, &how, sizeof(how));
	target_creds_leave(&creds);
	if (fd < 0)
		return -EAGAIN;
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type == PROC_SUPER_MAGIC ||
	    pathres_fd_path(t, fd, path, sizeof(path)) < 0 || path[0] != '/') {
		close(fd);
		return -EAGAIN;
	}
	memcpy(ret_path, path, strlen(path) + 1);
	*ret_fd = fd;
	return 0;
}

#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x00004000U /* since 6.8; these headers predate it */
#endif
#define INTERP_CACHE  8
#define INTERP_TTL_NS 1000000000ull
#define INTERP_STATX  (STATX_TYPE | STATX_INO | STATX_SIZE | STATX_MTIME | STATX_CTIME)

/*
 * Interpreters recently opened by interp_open_fast(), per thread (callers need no lock):
 * the name as a #! line wrote it, the path policy decided on, and the file it led to -- its
 * mount (the unique id: another mount namespace's mount of the same filesystem is another
 * mount), (dev, ino), change time, mtime and size.  A hit costs one statx of the name (in
 * the target's root, as the target) instead of openat2 + fstatfs + readlink + fstat + close,
 * and stands for what that open would have found:
 *  - what runs is still for the kernel to check: the expectation holds the (dev, ino) the
 *    statx found, and the exec hook kills an exec whose interpreter is another file, whatever
 *    way the statx went (an absolute symlink is read in the daemon's root: a container's
 *    then misses, on another mount);
 *  - the path still names that file: a link, unlink or rename of it sets its change time,
 *    which is in the key; what renames without touching the file (a mount moved, a symlink
 *    turned to another name of the same file) is seen within INTERP_TTL_NS, an entry's life;
 *  - it is not on procfs, nor a #! script: checked when the entry was filled, and its mount,
 *    content (ctime) and size are the same;
 *  - only for targets whose root is the daemon's (rootpfx ""), for whom a path reads the
 *    same.
 */
struct interp_entry {
	uint64_t mnt_id, ino, size, filled_ns;
	uint32_t dev_major, dev_minor;
	struct statx_timestamp ctime, mtime;
	bool used;
	char name[SHEBANG_MAX];
	char path[PATH_MAX];
};

static _Thread_local struct interp_entry interp_cache[INTERP_CACHE];
static _Thread_local unsigned interp_next;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* What identifies an interpreter, by statx.  0, or -EOPNOTSUPP when the kernel gives no
 * unique mount id (before 6.8: nothing is cached), or -errno. */
static int interp_statx(int dirfd, const char *name, int flags, struct statx *ret)
{
	if (statx(dirfd, name, flags, INTERP_STATX | STATX_MNT_ID_UNIQUE, ret) < 0)
		return -errno;
	if ((ret->stx_mask & INTERP_STATX) != INTERP_STATX ||
	    !(ret->stx_mask & STATX_MNT_ID_UNIQUE))
		return -EOPNOTSUPP;
	return 0;
}

static bool interp_same(const struct interp_entry *e, const struct statx *x)
{
	return e->mnt_id == x->stx_mnt_id && e->dev_major == x->stx_dev_major &&
	       e->dev_minor == x->stx_dev_minor && e->ino == x->stx_ino && e->size == x->stx_size &&
	       e->ctime.tv_sec == x->stx_ctime.tv_sec && e->ctime.tv_nsec == x->stx_ctime.tv_nsec &&
	       e->mtime.tv_sec == x->stx_mtime.tv_sec && e->mtime.tv_nsec == x->stx_mtime.tv_nsec;
}

static struct interp_entry *interp_entry_of(const char *name)
{
	for (unsigned i = 0; i < INTERP_CACHE; i++) {
		if (interp_cache[i].used && strcmp(interp_cache[i].name, name) == 0)
			return &interp_cache[i];
	}
	return NULL;
}

/* An interpreter this thread opened lately, still found under name: 0 with ret_path,
 * *ret_dev and *ret_ino set, or -ENOENT (then open it). */
static int interp_cached(const struct target *t, const char *name, char *ret_path, dev_t *ret_dev,
			 ino_t *ret_ino)
{
	struct interp_entry *e;
	struct saved_creds creds;
	struct statx x;
	int r;

	if (name[0] != '/' || t->rootpfx[0])
		return -ENOENT;
	e = interp_entry_of(name);
	if (!e || mono_ns() - e->filled_ns > INTERP_TTL_NS)
		return -ENOENT;
	r = target_creds_enter(t, &creds, false);
	if (r < 0)
		return -ENOENT;
	r = interp_statx(t->rootfd, name[1] ? name + 1 : ".", 0, &x);
	target_creds_leave(&creds);
	if (r < 0 || !S_ISREG(x.stx_mode) || !interp_same(e, &x))
		return -ENOENT;
	memcpy(ret_path, e->path, strlen(e->path) + 1);
	*ret_dev = makedev(x.stx_dev_major, x.stx_dev_minor);
	*ret_ino = (ino_t)x.stx_ino;
	return 0;
}

/* Keep what interp_open_fast() found for name (path, the O_PATH fd it opened). */
static void interp_remember(const struct target *t, const char *name, const char *path, int fd)
{
	struct interp_entry *e;
	struct statx x;

	if (t->rootpfx[0] || strlen(name) >= sizeof(e->name) || strlen(path) >= sizeof(e->path) ||
	    interp_statx(fd, "", AT_EMPTY_PATH, &x) < 0)
		return;
	e = interp_entry_of(name);
	if (!e)
		e = &interp_cache[interp_next++ % INTERP_CACHE];
	e->mnt_id = x.stx_mnt_id;
	e->dev_major = x.stx_dev_major;
	e->dev_minor = x.stx_dev_minor;
	e->ino = x.stx_ino;
	e->size = x.stx_size;
	e->ctime = x.stx_ctime;
	e->mtime = x.stx_mtime;
	e->filled_ns = mono_ns();
	strcpy(e->name, name);
	strcpy(e->path, path);
	e->used = true;
}

/* The interpreter a #! line names: the path policy decides on (ret_path, PATH_MAX bytes)
 * and the (dev, ino) that must execute.  -ELOOP when it is a #! script itself (only one
 * level is followed), -errno when it cannot be found or opened. */
static int interp_find(const struct target *t, const char *name, char *ret_path, dev_t *ret_dev,
		       ino_t *ret_ino)
{
	char path[PATH_MAX], head[2];
	struct stat st;
	ssize_t len;
	bool fast;
	int fd = -1, r;

	if (interp_cached(t, name, ret_path, ret_dev, ret_ino) == 0)
		return 0;
	fast = interp_open_fast(t, name, path, &fd) == 0;
	if (!fast) {
		r = interp_resolve(t, name, NULL, path);
		if (r < 0)
			return r;
		fd = open_in_root(t, path);
		if (fd < 0)
			return fd;
	}
	r = inspect(fd, &st, head, sizeof(head), &len);
	if (r == 0 && len == 2 && head[0] == '#' && head[1] == '!')
		r = -ELOOP;
	if (r == 0) {
		if (fast)
			interp_remember(t, name, path, fd);
		memcpy(ret_path, path, strlen(path) + 1);
		*ret_dev = st.st_dev;
		*ret_ino = st.st_ino;
	}
	close(fd);
	return r;
}

/*
 * The file an exec was decided on: its (dev, ino) and first bytes.  The stat is the one
 * notify_recv()'s resolution took of the very object whose path policy decided on
 * (n->exec_st), and the head the one kept for that file unchanged: then nothing is looked
 * up again, and nothing can have moved in between.  Otherwise (a file not read before or
 * changed since, or no stat kept: an ask taken over after a restart, an object re-opened
 * through /proc) the file is opened by its decided path and read, and it must still be
 * the file the resolution found (-ESTALE).  -EACCES when it is not a regular file: the
 * kernel refuses to execute one, and an allow on it would vouch for whatever file takes
 * its place before the exec.
 */
static int inspect_decided(const struct target *t, const struct gate_notif *n, struct stat *ret_st,
			   char *head, ssize_t *ret_len)
{
	const struct stat *seen = n->exec_st.st_mode ? &n->exec_st : NULL;
	struct stat st;
	ssize_t len;
	int fd, r;

	if (seen && !S_ISREG(seen->st_mode))
		return -EACCES;
	if (seen && head_cached(seen, head, SHEBANG_MAX, ret_len)) {
		*ret_st = *seen;
		return 0;
	}
	if (n->reopen[0]) {
		fd = open(n->reopen, O_PATH | O_CLOEXEC);
		if (fd < 0)
			return -errno;
	} else {
		fd = open_in_root(t, n->req.path);
		if (fd < 0)
			return fd;
	}
	r = inspect(fd, &st, head, SHEBANG_MAX, &len);
	close(fd);
	if (r == 0 && seen && (st.st_dev != seen->st_dev || st.st_ino != seen->st_ino))
		r = -ESTALE;
	if (r == 0) {
		*ret_st = st;
		*ret_len = len;
	}
	return r;
}

/* Append one string to a request's argv. */
static int argv_push(struct al_request *r, size_t *used, const char *s)
{
	size_t l = strlen(s) + 1;

	if (r->argc >= AL_ARGV_MAX || *used + l > sizeof(r->argbuf)) {
		r->argv_truncated = true;
		return -E2BIG;
	}
	memcpy(r->argbuf + *used, s, l);
	r->argv[r->argc++] = r->argbuf + *used;
	r->argv[r->argc] = NULL;
	*used += l;
	return 0;
}

/* Hash argv as the kernel lays it out (strings with their NULs), the first
 * AL_EXEC_ARGV_HASHED bytes; argv_len is the whole length when argv is whole. */
struct argv_hasher {
	char buf[AL_EXEC_ARGV_HASHED];
	size_t len; /* bytes in buf */
	size_t total;
};

static void hasher_add(struct argv_hasher *h, const char *s)
{
	size_t l = strlen(s) + 1, room = sizeof(h->buf) - h->len;

	memcpy(h->buf + h->len, s, l < room ? l : room);
	h->len += l < room ? l : room;
	h->total += l;
}

/* The interpreter's request: the caller's identity, the interpreter's path, and the argv
 * binfmt_script builds (the script in place of argv[0]). */
static struct al_request *interp_request(const struct al_request *req, const char *path,
					 const char *argv0, const char *arg)
{
	struct al_request *r = malloc(sizeof(*r));
	size_t used = 0;
	int i;

	if (!r)
		return NULL;
	/* All but the 32 KiB argument buffer, which argv alone says how much of is used:
	 * clearing it would be most of this function's cost. */
	memset(r, 0, offsetof(struct al_request, argbuf));
	memset(r->argbuf + sizeof(r->argbuf), 0,
	       sizeof(*r) - offsetof(struct al_request, argbuf) - sizeof(r->argbuf));
	r->op = AL_OP_EXEC;
	r->syscall_nr = req->syscall_nr;
	r->syscall = req->syscall;
	memcpy(r->args, req->args, sizeof(r->args));
	r->pid = req->pid;
	r->tgid = req->tgid;
	r->uid = req->uid;
	r->gid = req->gid;
	r->home = req->home;
	r->home_real = req->home_real;
	r->workspace = req->workspace;
	snprintf(r->path, sizeof(r->path), "%s", path);
	argv_push(r, &used, argv0);
	if (arg)
		argv_push(r, &used, arg);
	argv_push(r, &used, req->path);
	for (i = 1; i < req->argc; i++)
		argv_push(r, &used, req->argv[i]);
	if (req->argv_truncated)
		r->argv_truncated = true;
	return r;
}

/* For `#!/usr/bin/env [-S] [NAME=VALUE...] NAME args`: NAME and what follows it. */
static const char *env_program(char *arg, char **ret_rest)
{
	char *w, *save = NULL;

	for (w = strtok_r(arg, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (w[0] == '-' || strchr(w, '='))
			continue; /* -S, -i, -u is not followed: env then runs NAME itself */
		*ret_rest = save && *save ? save : NULL;
		return w;
	}
	return NULL;
}

static bool is_env(const char *name)
{
	const char *b = strrchr(name, '/');

	return strcmp(b ? b + 1 : name, "env") == 0;
}

int execcheck_prepare(struct gate_notif *n, struct al_request **ret_interp)
{
	struct target fresh = { .procfd = -1, .rootfd = -1 }, *t = n->target;
	struct al_exec_expect *x = &n->exec_expect;
	struct al_request *req = &n->req, *interp = NULL;
	struct argv_hasher *h = NULL;
	char head[SHEBANG_MAX + 1], *iname, *iarg, *ipath = NULL, *search = NULL;
	struct stat st = { 0 };
	ssize_t len = 0;
	dev_t idev = 0;
	ino_t iino = 0;
	int r, i;

	if (!t) {
		r = target_open(req->pid, &fresh);
		if (r < 0)
			return r;
		t = &fresh;
	}
	memset(x, 0, sizeof(*x));
	x->filename_len = (uint32_t)strlen(n->exec_filename);
	x->filename_hash = execcheck_hash(n->exec_filename, x->filename_len);
	h = malloc(sizeof(*h)); /* buf is read up to len only */
	ipath = malloc(PATH_MAX);
	search = malloc(PATH_MAX);
	r = -ENOMEM;
	if (!h || !ipath || !search)
		goto out;
	h->len = h->total = 0;

	r = inspect_decided(t, n, &st, head, &len);
	if (r < 0)
		goto out;
	if (len < 2 || head[0] != '#' || head[1] != '!') {
		/* A binary (or a format of binfmt_misc, whose interpreter then shows as a
		 * mismatch: refused rather than unverified). */
		x->flags |= AL_EXPECT_FILE;
		x->dev = kdev(st.st_dev);
		x->ino = st.st_ino;
		goto argv;
	}

	head[len] = '\0';
	r = shebang_parse(head, (size_t)len, &iname, &iarg);
	if (r < 0)
		goto out;
	/* binfmt_script: argv becomes interpreter, its argument, the path given to exec, then
	 * argv[1..]; the kernel opens the interpreter by the name as written. */
	hasher_add(h, iname);
	if (iarg)
		hasher_add(h, iarg);
	hasher_add(h, n->exec_filename);
	for (i = 1; i < req->argc; i++)
		hasher_add(h, req->argv[i]);

	/* The interpreter is looked up as the target: all its credentials, which an exec's
	 * notification may have lent without (TARGET_IDS_ONLY). */
	r = target_load_creds(t);
	if (r < 0)
		goto out;
	r = interp_find(t, iname, ipath, &idev, &iino);
	if (r < 0)
		goto out;
	x->flags |= AL_EXPECT_FILE;
	x->dev = kdev(idev);
	x->ino = iino;

	if (is_env(iname) && iarg) {
		/* Policy decides on the program env will run, found on the target's PATH. */
		char *copy = strdup(iarg), *rest = NULL, *resolved = malloc(PATH_MAX);
		const char *prog = copy ? env_program(copy, &rest) : NULL;

		target_path(req, search, PATH_MAX);
		if (prog && resolved && interp_resolve(t, prog, search, resolved) == 0)
			interp = interp_request(req, resolved, prog, rest);
		free(resolved);
		free(copy);
	}
	if (!interp)
		interp = interp_request(req, ipath, iname, iarg);
	r = interp ? 0 : -ENOMEM;
	if (r < 0)
		goto out;
	goto hash;

argv:
	/* Since 5.18 an empty argv runs with argv[0] = "". */
	if (req->argc == 0)
		hasher_add(h, "");
	for (i = 0; i < req->argc; i++)
		hasher_add(h, req->argv[i]);
hash:
	x->argv_hash = execcheck_hash(h->buf, h->len);
	x->argv_len = (uint32_t)(h->total > UINT32_MAX ? UINT32_MAX : h->total);
	if (!req->argv_truncated)
		x->flags |= AL_EXPECT_ARGV_LEN;
	else if (h->len < sizeof(h->buf))
		x->argv_len = (uint32_t)h->len; /* compare what we have */
	*ret_interp = interp;
	interp = NULL;
	r = 0;
out:
	free(interp);
	free(h);
	free(ipath);
	free(search);
	if (t == &fresh)
		target_close(&fresh);
	return r;
}

int execcheck_decide(const struct policy *p, struct gate_notif *n, struct al_decision *dec)
{
	struct al_request *interp = NULL;
	struct al_decision idec = { 0 };
	int r;

	r = execcheck_prepare(n, &interp);
	if (r < 0)
		return r;
	if (!interp)
		return 0;
	policy_decide(p, interp, &idec);
	if (execcheck_stricter(dec->action, idec.action) != dec->action)
		*dec = idec;
	free(interp);
	return 0;
}

/* Can another task write this process's memory (and so its exec arguments)?  Another
 * thread, or a parent that shares its memory (vfork, CLONE_VM). */
static int shares_memory(pid_t tgid)
{
	char path[64], line[256];
	int threads = 0, ppid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tgid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "Threads: %d", &threads);
		sscanf(line, "PPid: %d", &ppid);
	}
	fclose(f);
	if (threads != 1)
		return 1;
	if (ppid > 0 && syscall(SYS_kcmp, tgid, ppid, KCMP_VM, 0, 0) == 0)
		return 1;
	return 0;
}

int execcheck_filename(const struct al_request *req, const char *raw, char *buf, size_t len)
{
	int dirfd = req->syscall && strcmp(req->syscall, "execveat") == 0 ? (int)req->args[0]
									  : AL_AT_FDCWD_ARG;
	int n;

	if (dirfd == AL_AT_FDCWD_ARG || raw[0] == '/')
		n = snprintf(buf, len, "%s", raw);
	else if (!raw[0])
		n = snprintf(buf, len, "/dev/fd/%d", dirfd);
	else
		n = snprintf(buf, len, "/dev/fd/%d/%s", dirfd, raw);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/*
 * An ask taken over from a previous daemon (agent/restart.c) carries the decided request
 * but not the path string as the thread passed it.  Read it again from the thread (which
 * still waits in the call), insist that it still resolves to the decided path, and build
 * the expectation from that: a change after this read is caught by the hook as usual.
 */
static int reprepare(struct gate_notif *n)
{
	struct target t = { .procfd = -1, .rootfd = -1 };
	struct al_request *req = &n->req, *interp = NULL;
	bool at = req->syscall && strcmp(req->syscall, "execveat") == 0;
	char *raw = malloc(PATH_MAX), *now = malloc(PATH_MAX), reopen[PATHRES_REOPEN_MAX];
	struct saved_creds creds;
	unsigned flags = PATHRES_FOLLOW;
	int r;

	r = -ENOMEM;
	if (!raw || !now)
		goto out;
	r = target_open(req->pid, &t);
	if (r < 0)
		goto out;
	r = procmem_read_string(req->pid, req->args[at ? 1 : 0], raw, PATH_MAX);
	if (r < 0)
		goto out_target;
	if (at && (req->args[4] & AT_SYMLINK_NOFOLLOW))
		flags = 0;
	if (at && (req->args[4] & AT_EMPTY_PATH))
		flags |= PATHRES_EMPTY_PATH;
	r = target_creds_enter(&t, &creds, false);
	if (r < 0)
		goto out_target;
	r = pathres_resolve_stat(&t, at ? (int)req->args[0] : AL_AT_FDCWD_ARG, raw, flags, now,
				 reopen, &n->exec_st);
	target_creds_leave(&creds);
	if (r == 0 && strcmp(now, req->path) != 0)
		r = -ESTALE;
	if (r == 0)
		r = execcheck_filename(req, raw, n->exec_filename, sizeof(n->exec_filename));
	if (r == 0 && !notify_id_valid(n))
		r = -ENOENT;
	if (r == 0) {
		/* the interpreter was decided before the restart: only the expectation */
		r = execcheck_prepare(n, &interp);
		free(interp);
	}
out_target:
	target_close(&t);
out:
	free(raw);
	free(now);
	return r;
}

int execcheck_arm(struct bpf_layer *b, struct gate_notif *n, uint64_t cgroup_id)
{
	struct timespec ts;
	int r;

	if (!bpf_layer_exec_check_active(b)) {
		r = shares_memory(n->req.tgid);
		return r < 0 ? r : r ? -EPERM : 0;
	}
	if (!n->exec_filename[0]) {
		r = reprepare(n);
		if (r < 0)
			return r;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	n->exec_expect.armed_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	n->exec_expect.cgroup_id = cgroup_id;
	return bpf_layer_exec_expect(b, (uint32_t)n->req.pid, &n->exec_expect);
}

void execcheck_event(struct airlockd *d, const struct al_exec_event *e)
{
	struct session *s;
	json_t *rec, *ev, *why;
	int r;

	if (!e->mismatch)
		return;
	why = json_array();
	if (e->mismatch & AL_EXEC_MISMATCH_FILENAME)
		json_array_append_new(why, json_string("path"));
	if (e->mismatch & AL_EXEC_MISMATCH_FILE)
		json_array_append_new(why, json_string("file"));
	if (e->mismatch & AL_EXEC_MISMATCH_ARGV)
		json_array_append_new(why, json_string("argv"));
	if (e->mismatch & AL_EXEC_MISMATCH_STALE)
		json_array_append_new(why, json_string("stale"));
	rec = json_pack("{s:I,s:{s:I,s:I,s:I},s:s,s:s,s:o,s:s,s:o,s:{s:s,s:s,s:I,s:I},s:o}",
			"session", (json_int_t)e->session_id, "process", "pid", (json_int_t)e->pid,
			"tid", (json_int_t)e->old_pid, "ppid", (json_int_t)e->ppid, "op", "exec",
			"decision", "killed: exec mismatch", "decided_by", json_string("kernel"),
			"reason",
			e->mismatch & AL_EXEC_MISMATCH_STALE
				? "the exec stalled past the time its decision stands"
				: "what executed is not what was decided",
			"mismatch", why, "executed", "filename", e->filename, "comm", e->comm,
			"dev", (json_int_t)e->dev, "ino", (json_int_t)e->ino, "rule", json_null());
	if (!rec)
		return;
	r = audit_append(d->audit, rec);
	if (r < 0) {
		d->audit_errors++;
		log_error("audit: cannot append an exec alert: %s", strerror(-r));
	}
	log_warn("session %llu: pid %u executed '%s', %s: killed",
		 (unsigned long long)e->session_id, e->pid, e->filename,
		 e->mismatch & AL_EXEC_MISMATCH_STALE ? "too long after its decision"
						      : "not what was decided");
	s = session_find(&d->sessions, e->session_id);
	if (s) {
		ev = json_deep_copy(rec);
		json_object_set_new(ev, "event", json_string("decision"));
		api_broadcast(d, s->uid, ev);
		json_decref(ev);
	}
	json_decref(rec);
}
