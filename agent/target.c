// SPDX-License-Identifier: Apache-2.0
#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The largest /proc/PID/status we accept; a few KiB in practice (Groups: can be long). */
#define STATUS_MAX (64 * 1024)

/* What /proc/TID/status takes in one read almost always (about 1.4 KiB); a longer one (a
 * long Groups: line) is read again into a heap buffer. */
#define STATUS_STACK 4096

/*
 * Read status whole.  procfs renders the file at the first read and hands out all that
 * fits: a short read is the end.  *ret_buf is buf when it fitted, else a malloc'ed copy
 * (the caller frees it when it is not buf).
 */
static int read_status(int procfd, char *buf, size_t bufsize, char **ret_buf)
{
	size_t size = bufsize;
	char *heap = NULL;
	ssize_t n;
	int fd, r;

	fd = openat(procfd, "status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	while (n >= 0 && (size_t)n == size - 1) {
		char *nbuf;

		/* did not fit: read it again from the start into a larger buffer */
		if (size >= STATUS_MAX) {
			r = -EFBIG;
			goto fail;
		}
		size *= 2;
		nbuf = realloc(heap, size);
		if (!nbuf) {
			r = -ENOMEM;
			goto fail;
		}
		heap = nbuf;
		n = pread(fd, heap, size - 1, 0);
	}
	if (n < 0) {
		r = -errno;
		goto fail;
	}
	if (heap)
		buf = heap;
	buf[n] = '\0';
	close(fd);
	*ret_buf = buf;
	return 0;
fail:
	free(heap);
	close(fd);
	return r;
}

static const char *status_field(const char *status, const char *key)
{
	size_t klen = strlen(key);
	const char *p = status;

	while (p && *p) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ':')
			return p + klen + 1;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

/* Parse up to max unsigned numbers of one status line; returns the count or -EINVAL. */
static int parse_ids(const char *p, unsigned long *ids, int max, int base)
{
	int n = 0;

	if (!p)
		return -EINVAL;
	while (*p && *p != '\n') {
		char *end;
		unsigned long v;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\n' || !*p)
			break;
		errno = 0;
		v = strtoul(p, &end, base);
		if (end == p || errno)
			return -EINVAL;
		if (n < max)
			ids[n] = v;
		n++;
		p = end;
	}
	return n;
}

static int parse_groups(const char *p, gid_t **ret_groups, int *ret_n)
{
	gid_t *groups = NULL;
	int n = 0, cap = 0;

	if (!p)
		return -EINVAL;
	while (*p && *p != '\n') {
		char *end;
		unsigned long v;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\n' || !*p)
			break;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (end == p || errno) {
			free(groups);
			return -EINVAL;
		}
		if (n == cap) {
			gid_t *ng;

			cap = cap ? cap * 2 : 16;
			ng = realloc(groups, (size_t)cap * sizeof(*groups));
			if (!ng) {
				free(groups);
				return -ENOMEM;
			}
			groups = ng;
		}
		groups[n++] = (gid_t)v;
		p = end;
	}
	*ret_groups = groups;
	*ret_n = n;
	return 0;
}

/* One 64-bit hexadecimal status field (the Cap* lines). */
static int parse_caps(const char *p, uint64_t *ret_caps)
{
	unsigned long long v;
	char *end;

	if (!p)
		return -EINVAL;
	while (*p == ' ' || *p == '\t')
		p++;
	errno = 0;
	v = strtoull(p, &end, 16);
	if (end == p || errno || (*end != '\n' && *end != '\0'))
		return -EINVAL;
	*ret_caps = (uint64_t)v;
	return 0;
}

static int parse_status(const char *status, struct target *t)
{
	unsigned long v[4], ns[32];
	int n, r;

	if (parse_ids(status_field(status, "Tgid"), v, 1, 10) != 1)
		return -EINVAL;
	t->tgid = (pid_t)v[0];
	n = parse_ids(status_field(status, "Uid"), v, 4, 10);
	if (n != 4)
		return -EINVAL;
	t->ruid = (uid_t)v[0];
	t->euid = (uid_t)v[1];
	t->fsuid = (uid_t)v[3];
	n = parse_ids(status_field(status, "Gid"), v, 4, 10);
	if (n != 4)
		return -EINVAL;
	t->rgid = (gid_t)v[0];
	t->egid = (gid_t)v[1];
	t->fsgid = (gid_t)v[3];
	/* What the daemon may act with in the target's place (there since 2.6.24): without it,
	 * the call cannot be made as the target. */
	r = parse_caps(status_field(status, "CapEff"), &t->cap_eff);
	if (r < 0)
		return r;
	/* Umask: is there since 4.7; without it assume the common default. */
	if (parse_ids(status_field(status, "Umask"), v, 1, 8) == 1)
		t->umask = (mode_t)(v[0] & 0777);
	else
		t->umask = 022;
	/* The innermost NSpid is the number the target's own /proc/self resolves to. */
	n = parse_ids(status_field(status, "NSpid"), ns, 32, 10);
	t->nstid = n > 0 ? (pid_t)ns[(n > 32 ? 32 : n) - 1] : t->tid;
	n = parse_ids(status_field(status, "NStgid"), ns, 32, 10);
	t->nstgid = n > 0 ? (pid_t)ns[(n > 32 ? 32 : n) - 1] : t->tgid;
	r = parse_groups(status_field(status, "Groups"), &t->groups, &t->ngroups);
	return r;
}

/* statx(2)'s unique mount id (6.8), never reused; older kernels answer STATX_MNT_ID,
 * which is not reused either while the entry's root fd holds the mount. */
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x4000U
#endif
#define ROOT_STATX_MASK (STATX_INO | STATX_MNT_ID | STATX_MNT_ID_UNIQUE)

/* Entries a session's cache keeps: the threads that make gated calls often are few. */
#define TARGET_CACHE_SLOTS 16

struct target_cache {
	unsigned refs;
	unsigned clock;
	struct target *slot[TARGET_CACHE_SLOTS];
	unsigned used[TARGET_CACHE_SLOTS]; /* clock at the last give-back: the oldest goes */
	struct target_cache_counts counts;
};

struct daemon_creds;
static int daemon_identity(const struct daemon_creds **ret_creds);
static int same_userns(const struct target *t, const struct daemon_creds *d);

/* Read status and parse it into t (credentials, umask, groups, and the pid numbers).  With
 * some capability, also whether t is in the daemon's user namespace: both credential
 * switches of one notification (resolve, then act) use that answer, which cannot change
 * while the thread waits. */
static int read_creds(struct target *t)
{
	const struct daemon_creds *d;
	char sbuf[STATUS_STACK], *status = NULL;
	int r;

	t->creds_read = false;
	r = read_status(t->procfd, sbuf, sizeof(sbuf), &status);
	if (r < 0)
		return r;
	free(t->groups);
	t->groups = NULL;
	t->ngroups = 0;
	r = parse_status(status, t);
	if (status != sbuf)
		free(status);
	t->userns_own = false;
	if (r == 0 && t->cap_eff) {
		r = daemon_identity(&d);
		if (r == 0)
			r = same_userns(t, d);
		if (r >= 0) {
			t->userns_own = r == 1;
			r = 0;
		}
	}
	if (r == 0)
		t->creds_read = true;
	return r;
}

int target_load_creds(struct target *t)
{
	return t->creds_read ? 0 : read_creds(t);
}

/* PIDFD_GET_INFO (6.13): a pidfd's task ids without rendering /proc/TID/status.  The
 * first published struct (PIDFD_INFO_SIZE_VER0); the kernel takes the size from the
 * request number. */
struct pidfd_info_v0 {
	uint64_t mask;
	uint64_t cgroupid;
	uint32_t pid, tgid, ppid;
	uint32_t ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	int32_t exit_code;
};
_Static_assert(sizeof(struct pidfd_info_v0) == 64, "PIDFD_INFO_SIZE_VER0");
#define PIDFD_GET_INFO_V0    _IOWR(0xFF, 11, struct pidfd_info_v0)
#define PIDFD_INFO_CREDS_BIT (1ULL << 1)
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* 6.9 */
#endif

/* The six ids of the thread, from its thread pidfd: the ioctl fails for a thread that is
 * gone, whoever has its number since.  -EOPNOTSUPP when the kernel cannot say. */
static int read_ids(struct target *t)
{
	struct pidfd_info_v0 info = { .mask = PIDFD_INFO_CREDS_BIT };

	if (!t->pidfd_thread)
		return -EOPNOTSUPP;
	if (ioctl(t->pidfd, PIDFD_GET_INFO_V0, &info) < 0)
		return errno == ENOTTY || errno == EINVAL ? -EOPNOTSUPP : -errno;
	if (!(info.mask & PIDFD_INFO_CREDS_BIT) || info.pid != (uint32_t)t->tid)
		return -EOPNOTSUPP;
	t->ruid = info.ruid;
	t->euid = info.euid;
	t->fsuid = info.fsuid;
	t->rgid = info.rgid;
	t->egid = info.egid;
	t->fsgid = info.fsgid;
	return 0;
}

/* A pidfd of the thread itself, or before 6.9 of its process. */
static int open_pidfd(struct target *t)
{
	t->pidfd = (int)syscall(SYS_pidfd_open, t->tid, PIDFD_THREAD);
	t->pidfd_thread = t->pidfd >= 0;
	if (t->pidfd < 0 && errno == EINVAL)
		t->pidfd = (int)syscall(SYS_pidfd_open, t->tgid, 0);
	return t->pidfd < 0 ? -errno : 0;
}

/* Which root is this: its mount id, device and inode, as statx gives them.  fd with ""
 * (AT_EMPTY_PATH) is the root fd itself; the dirfd with "root" is the thread's root now,
 * and the lookup of "root" through a dirfd whose thread is gone fails. */
static int root_identity(int fd, const char *name, uint64_t *ret_mnt, uint32_t *ret_mask,
			 dev_t *ret_dev, uint64_t *ret_ino)
{
	struct statx stx;

	if (statx(fd, name, name[0] ? 0 : AT_EMPTY_PATH, ROOT_STATX_MASK, &stx) < 0)
		return -errno;
	if (!(stx.stx_mask & (STATX_MNT_ID | STATX_MNT_ID_UNIQUE)) || !(stx.stx_mask & STATX_INO))
		return -EOPNOTSUPP;
	*ret_mnt = stx.stx_mnt_id;
	*ret_mask = stx.stx_mask & (STATX_MNT_ID | STATX_MNT_ID_UNIQUE);
	*ret_dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
	*ret_ino = stx.stx_ino;
	return 0;
}

int target_open(pid_t tid, struct target *t)
{
	char dir[32], link[32];
	ssize_t n;
	int r;

	memset(t, 0, sizeof(*t));
	t->procfd = -1;
	t->rootfd = -1;
	t->pidfd = -1;
	t->tid = tid;
	snprintf(dir, sizeof(dir), "/proc/%d", (int)tid);
	t->procfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->procfd < 0) {
		r = -errno;
		goto fail;
	}
	r = read_creds(t);
	if (r < 0)
		goto fail;
	/* after the dirfd: both then name the thread that was alive when it was opened */
	r = open_pidfd(t);
	if (r < 0)
		goto fail;
	t->rootfd = openat(t->procfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (t->rootfd < 0) {
		r = -errno;
		goto fail;
	}
	/* The path from the fd itself, so that it names that root even if the thread's
	 * changes meanwhile.  Its identity (root_mnt ...) is taken when the entry is first
	 * reused: many threads make one gated call (a fork + exec) and are never seen again. */
	snprintf(link, sizeof(link), "/proc/self/fd/%d", t->rootfd);
	n = readlink(link, t->rootpfx, sizeof(t->rootpfx) - 1);
	if (n < 0) {
		r = -errno;
		goto fail;
	}
	t->rootpfx[n] = '\0';
	if (strcmp(t->rootpfx, "/") == 0)
		t->rootpfx[0] = '\0';
	return 0;
fail:
	target_close(t);
	return r;
}

void target_close(struct target *t)
{
	if (t->procfd >= 0)
		close(t->procfd);
	if (t->rootfd >= 0)
		close(t->rootfd);
	if (t->pidfd >= 0)
		close(t->pidfd);
	free(t->groups);
	t->groups = NULL;
	t->ngroups = 0;
	t->creds_read = false;
	t->procfd = -1;
	t->rootfd = -1;
	t->pidfd = -1;
}

int target_cache_new(struct target_cache **ret_cache)
{
	struct target_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->refs = 1;
	*ret_cache = c;
	return 0;
}

static void target_free(struct target *t)
{
	target_close(t);
	free(t);
}

void target_cache_unref(struct target_cache *c)
{
	if (!c || --c->refs > 0)
		return;
	for (int i = 0; i < TARGET_CACHE_SLOTS; i++)
		if (c->slot[i])
			target_free(c->slot[i]);
	free(c);
}

/* Does the cached entry still name the thread with its tid, in the same root?  The lookup
 * of "root" through the dirfd fails once the thread it was opened for has exited (procfs
 * looks the task up through the pid the dirfd pins, never by number), so a success means
 * that thread is alive and still has this number; and its root must be the one rootfd
 * holds (a thread can change its root without a notification: setns, unshare). */
static bool entry_current(struct target *t)
{
	uint64_t mnt, ino;
	uint32_t mask;
	dev_t dev;

	/* the root fd's identity, once: it is fixed for as long as the fd is open */
	if (!t->root_mnt_mask && root_identity(t->rootfd, "", &t->root_mnt, &t->root_mnt_mask,
					       &t->root_dev, &t->root_ino) < 0)
		return false;
	if (root_identity(t->procfd, "root", &mnt, &mask, &dev, &ino) < 0)
		return false;
	return mask == t->root_mnt_mask && mnt == t->root_mnt && dev == t->root_dev &&
	       ino == t->root_ino;
}

int target_get(struct target_cache *c, pid_t tid, unsigned flags, struct target **ret_target)
{
	struct target *t = NULL;
	int i, r;

	for (i = 0; c && i < TARGET_CACHE_SLOTS; i++) {
		if (c->slot[i] && c->slot[i]->tid == tid) {
			t = c->slot[i];
			c->slot[i] = NULL;
			break;
		}
	}
	if (t)
		t->lent++;
	if (t && entry_current(t)) {
		/* Credentials are never kept: they change without a notification. */
		r = -EOPNOTSUPP;
		if (flags & TARGET_IDS_ONLY)
			r = read_ids(t);
		if (r == -EOPNOTSUPP)
			r = read_creds(t);
		if (r == 0) {
			c->counts.hits++;
			goto lend;
		}
	}
	if (t) {
		c->counts.stale++;
		target_free(t);
	} else if (c) {
		c->counts.misses++;
	}
	t = malloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	r = target_open(tid, t);
	if (r < 0) {
		free(t);
		return r;
	}
lend:
	t->cache = c;
	if (c)
		c->refs++;
	*ret_target = t;
	return 0;
}

void target_put(struct target *t, bool stale)
{
	struct target_cache *c;
	int i, free_slot = -1, oldest = -1, once = -1;

	if (!t)
		return;
	c = t->cache;
	t->cache = NULL;
	if (!c || stale || c->refs == 1) {
		/* no cache, a dead thread, or the session is gone (ours is the last reference) */
		target_free(t);
		target_cache_unref(c);
		return;
	}
	for (i = 0; i < TARGET_CACHE_SLOTS; i++) {
		if (c->slot[i] && c->slot[i]->tid == t->tid) {
			/* kept meanwhile for a thread that has this tid since: keep that one */
			target_free(t);
			target_cache_unref(c);
			return;
		}
		if (!c->slot[i] && free_slot < 0)
			free_slot = i;
		if (c->slot[i] && (oldest < 0 || c->used[i] < c->used[oldest]))
			oldest = i;
		/* one never reused is most likely a thread that made one call and left (a
		 * fork + exec): it goes before any that was */
		if (c->slot[i] && !c->slot[i]->lent && (once < 0 || c->used[i] < c->used[once]))
			once = i;
	}
	if (free_slot < 0) {
		free_slot = once >= 0 ? once : oldest;
		target_free(c->slot[free_slot]);
	}
	/* Credentials are re-read at every use; drop them now rather than keep them. */
	free(t->groups);
	t->groups = NULL;
	t->ngroups = 0;
	t->creds_read = false;
	c->slot[free_slot] = t;
	c->used[free_slot] = ++c->clock;
	target_cache_unref(c);
}

void target_cache_get_counts(const struct target_cache *c, struct target_cache_counts *ret)
{
	*ret = c->counts;
}

void target_cache_sweep(struct target_cache *c)
{
	if (!c)
		return;
	for (int i = 0; i < TARGET_CACHE_SLOTS; i++) {
		if (c->slot[i] && !entry_current(c->slot[i])) {
			target_free(c->slot[i]);
			c->slot[i] = NULL;
		}
	}
}

/* setfsuid/setfsgid report no error: read the value back to know it took. */
static int set_fsuid(uid_t uid)
{
	syscall(SYS_setfsuid, uid);
	return (uid_t)syscall(SYS_setfsuid, (uid_t)-1) == uid ? 0 : -EPERM;
}

static int set_fsgid(gid_t gid)
{
	syscall(SYS_setfsgid, gid);
	return (gid_t)syscall(SYS_setfsgid, (gid_t)-1) == gid ? 0 : -EPERM;
}

/* Raw syscalls: glibc's set*id wrappers change every thread of the process. */
static int set_euid(uid_t uid)
{
	return syscall(SYS_setresuid, (uid_t)-1, uid, (uid_t)-1) < 0 ? -errno : 0;
}

static int set_egid(gid_t gid)
{
	return syscall(SYS_setresgid, (gid_t)-1, gid, (gid_t)-1) < 0 ? -errno : 0;
}

/* The effective, permitted and inheritable sets of the calling thread. */
struct capsets {
	uint64_t eff, prm, inh;
};

static int caps_get(struct capsets *ret_caps)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	ret_caps->eff = d[0].effective | (uint64_t)d[1].effective << 32;
	ret_caps->prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	ret_caps->inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

/* Make eff the calling thread's effective set (pid 0 in the header: this thread only, as
 * capset(2) always is), unless it is already.  Any subset of the permitted set may be made
 * effective without privilege, so this fails only for bits outside it. */
static int caps_set_eff(uint64_t eff)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	struct capsets cur;
	int r;

	r = caps_get(&cur);
	if (r < 0)
		return r;
	if (cur.eff == eff)
		return 0;
	d[0] = (struct __user_cap_data_struct){ (uint32_t)eff, (uint32_t)cur.prm,
						(uint32_t)cur.inh };
	d[1] = (struct __user_cap_data_struct){ (uint32_t)(eff >> 32), (uint32_t)(cur.prm >> 32),
						(uint32_t)(cur.inh >> 32) };
	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

/* The daemon's own identity: ids, groups, effective capabilities and user namespace. */
struct daemon_creds {
	uid_t euid;
	gid_t egid;
	gid_t *groups;
	int ngroups;
	uint64_t cap_eff;
	char userns[64]; /* readlink of /proc/self/ns/user: "user:[INODE]" */
};

/* Read once: the daemon changes its ids and capabilities only here, always changes them back,
 * and never leaves its user namespace. */
static int daemon_identity(const struct daemon_creds **ret_creds)
{
	static struct daemon_creds d;
	static bool known;
	struct capsets caps;
	gid_t *groups;
	ssize_t len;
	int k, r;

	if (known) {
		*ret_creds = &d;
		return 0;
	}
	r = caps_get(&caps);
	if (r < 0)
		return r;
	len = readlink("/proc/self/ns/user", d.userns, sizeof(d.userns) - 1);
	if (len < 0)
		return -errno;
	d.userns[len] = '\0';
	k = getgroups(0, NULL);
	if (k < 0)
		return -errno;
	groups = calloc((size_t)k + 1, sizeof(gid_t));
	if (!groups)
		return -ENOMEM;
	k = getgroups(k, groups);
	if (k < 0) {
		r = -errno;
		free(groups);
		return r;
	}
	d.euid = geteuid();
	d.egid = getegid();
	d.groups = groups;
	d.ngroups = k;
	d.cap_eff = caps.eff;
	known = true;
	*ret_creds = &d;
	return 0;
}

/* Is the target in the daemon's user namespace?  1, 0, or -errno.  Read as the daemon: the
 * link checks ptrace access. */
static int same_userns(const struct target *t, const struct daemon_creds *d)
{
	char link[64];
	ssize_t len;

	len = readlinkat(t->procfd, "ns/user", link, sizeof(link) - 1);
	if (len < 0)
		return -errno;
	link[len] = '\0';
	return strcmp(link, d->userns) == 0;
}

/* Are the target's ids and groups the daemon's own?  The kernel keeps groups sorted, and
 * both lists come from it (getgroups, /proc/TID/status) in that order. */
static bool same_ids(const struct target *t, const struct daemon_creds *d)
{
	return t->euid == d->euid && t->fsuid == d->euid && t->egid == d->egid &&
	       t->fsgid == d->egid && t->ngroups == d->ngroups &&
	       (t->ngroups == 0 ||
		memcmp(t->groups, d->groups, (size_t)t->ngroups * sizeof(gid_t)) == 0);
}

/*
 * The effective set the daemon acts with for t: the target's own within the daemon's, and
 * nothing for a target in another user namespace, whose capabilities count only for what that
 * namespace owns (the daemon's would count for the host's files).  read_creds() looked at the
 * namespace only for a target with some capability: most have none.
 */
static uint64_t target_caps(const struct target *t, const struct daemon_creds *d)
{
	return t->userns_own ? t->cap_eff & d->cap_eff : 0;
}

/* Does the daemon act as itself for t: ids, groups and effective capabilities all its own? */
static bool same_identity(const struct target *t, const struct daemon_creds *d, uint64_t caps)
{
	return caps == d->cap_eff && same_ids(t, d);
}

/* Give the daemon's ids and groups back; they were switched. */
static int restore_ids(const struct saved_creds *s)
{
	int r = 0;

	/* uid first: returning to 0 gives back the permitted set as the effective one (unless
	 * SECBIT_NO_SETUID_FIXUP), and each set*id also resets the matching fs id */
	if (set_euid(s->euid) < 0)
		r = -EPERM;
	/* exactly the daemon's effective set, whatever the fix-ups made of it: the gid and
	 * group changes below need its CAP_SETGID */
	if (caps_set_eff(s->cap_eff) < 0 && !r)
		r = -EPERM;
	if (set_egid(s->egid) < 0 && !r)
		r = -EPERM;
	if (syscall(SYS_setgroups, (size_t)s->ngroups, s->groups) < 0 && !r)
		r = -errno;
	return r;
}

int target_creds_enter(const struct target *t, struct saved_creds *s, bool with_umask)
{
	const struct daemon_creds *d;
	uint64_t caps;
	int r;

	memset(s, 0, sizeof(*s));
	/* An entry lent with TARGET_IDS_ONLY has fresh ids but the groups, umask and
	 * capabilities of an earlier read (or none): acting on them could lend the daemon's
	 * capabilities to a thread that has dropped its own since. */
	if (!t->creds_read)
		return -ESTALE;
	r = daemon_identity(&d);
	if (r < 0)
		return r;
	s->euid = d->euid;
	s->egid = d->egid;
	s->groups = d->groups;
	s->ngroups = d->ngroups;
	s->cap_eff = d->cap_eff;
	caps = target_caps(t, d);
	if (same_identity(t, d, caps)) {
		/* Every set*id and capset below would set what is already set: skip the
		 * credential commits. */
		if (with_umask) {
			s->umask = umask(t->umask);
			/* already the target's: nothing to give back */
			s->umask_set = s->umask != t->umask;
		}
		s->active = s->umask_set;
		return 0;
	}
	if (same_ids(t, d))
		goto caps;
	/* Groups and gids first: changing them needs CAP_SETGID, which the euid change
	 * and the capset below take away. */
	if (syscall(SYS_setgroups, (size_t)t->ngroups, t->groups) < 0)
		return -errno;
	/* setresgid also sets the fsgid to the new egid */
	r = set_egid(t->egid);
	if (r < 0)
		goto fail_groups;
	if (t->fsgid != t->egid) {
		r = set_fsgid(t->fsgid);
		if (r < 0)
			goto fail_gid;
	}
	/* The euid too, not only the fsuid: some checks read the euid (procfs sysctl
	 * permissions), and an fd keeps its opener's credentials (file_ns_capable() at
	 * write time). */
	r = set_euid(t->euid);
	if (r < 0)
		goto fail_gid;
	if (t->fsuid != t->euid) {
		r = set_fsuid(t->fsuid);
		if (r < 0)
			goto fail_uid;
	}
	s->ids = true;
caps:
	/* Last, and set whatever the set*id calls did to it: leaving euid 0 clears the
	 * effective set and an fsuid change drops or raises the file capabilities, but only
	 * without SECBIT_NO_SETUID_FIXUP, and a root target keeps euid 0.  A non-root
	 * target's own capabilities (file or ambient ones) are raised again from the daemon's
	 * permitted set. */
	s->caps = true;
	r = caps_set_eff(caps);
	if (r < 0)
		goto fail_caps;
	/* umask is per process (the fs struct): the daemon serves one call at a time. */
	s->umask_set = with_umask;
	if (with_umask)
		s->umask = umask(t->umask);
	s->active = true;
	return 0;
fail_caps:
	if (s->ids)
		restore_ids(s);
	else
		caps_set_eff(s->cap_eff);
	return r;
fail_uid:
	set_euid(s->euid);
	caps_set_eff(s->cap_eff);
fail_gid:
	set_egid(s->egid);
fail_groups:
	syscall(SYS_setgroups, (size_t)s->ngroups, s->groups);
	return r;
}

int target_creds_leave(struct saved_creds *s)
{
	int r = 0;

	if (!s->active)
		return 0;
	if (s->umask_set)
		umask(s->umask);
	if (s->ids)
		r = restore_ids(s);
	else if (s->caps && caps_set_eff(s->cap_eff) < 0)
		r = -EPERM;
	s->active = false;
	return r;
}

int target_ctty(const struct target *t, dev_t *ret_dev)
{
	char buf[1024];
	unsigned long tty_nr;
	const char *p;
	ssize_t n;
	int fd, r = 0;

	fd = openat(t->procfd, "stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		r = -errno;
	close(fd);
	if (r < 0)
		return r;
	buf[n] = '\0';
	/* the command name may hold spaces and parentheses: fields start after the last ')' */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %lu", &tty_nr) != 1)
		return -EINVAL;
	if (tty_nr == 0)
		return -ENXIO;
	*ret_dev = makedev((tty_nr >> 8) & 0xfff, (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00));
	return 0;
}

int target_dev_path(dev_t dev, char *ret_path, size_t size)
{
	unsigned maj = major(dev), min = minor(dev);
	char uevent[64], buf[512], *p, *end;
	ssize_t n;
	int fd;

	/* Unix98 pty slaves are not in sysfs. */
	if (maj >= 136 && maj <= 143)
		return snprintf(ret_path, size, "/dev/pts/%u", (maj - 136) * 256 + min) < (int)size
			       ? 0
			       : -ENAMETOOLONG;
	snprintf(uevent, sizeof(uevent), "/sys/dev/char/%u:%u/uevent", maj, min);
	fd = open(uevent, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	p = strstr(buf, "DEVNAME=");
	if (!p)
		return -ENOENT;
	p += 8;
	end = strchr(p, '\n');
	if (end)
		*end = '\0';
	return snprintf(ret_path, size, "/dev/%s", p) < (int)size ? 0 : -ENAMETOOLONG;
}
