// SPDX-License-Identifier: Apache-2.0
#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int target_open(pid_t tid, struct target *t)
{
	char dir[32], sbuf[STATUS_STACK], *status = NULL;
	ssize_t n;
	int r;

	memset(t, 0, sizeof(*t));
	t->procfd = -1;
	t->rootfd = -1;
	t->tid = tid;
	snprintf(dir, sizeof(dir), "/proc/%d", (int)tid);
	t->procfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->procfd < 0) {
		r = -errno;
		goto fail;
	}
	r = read_status(t->procfd, sbuf, sizeof(sbuf), &status);
	if (r < 0)
		goto fail;
	r = parse_status(status, t);
	if (r < 0)
		goto fail;
	t->rootfd = openat(t->procfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (t->rootfd < 0) {
		r = -errno;
		goto fail;
	}
	n = readlinkat(t->procfd, "root", t->rootpfx, sizeof(t->rootpfx) - 1);
	if (n < 0) {
		r = -errno;
		goto fail;
	}
	t->rootpfx[n] = '\0';
	if (strcmp(t->rootpfx, "/") == 0)
		t->rootpfx[0] = '\0';
	if (status != sbuf)
		free(status);
	return 0;
fail:
	if (status != sbuf)
		free(status);
	target_close(t);
	return r;
}

void target_close(struct target *t)
{
	if (t->procfd >= 0)
		close(t->procfd);
	if (t->rootfd >= 0)
		close(t->rootfd);
	free(t->groups);
	t->groups = NULL;
	t->ngroups = 0;
	t->procfd = -1;
	t->rootfd = -1;
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
 * namespace owns (the daemon's would count for the host's files).  The namespace is looked at
 * only when there is something to keep: most targets have no capability at all.
 */
static int target_caps(const struct target *t, const struct daemon_creds *d, uint64_t *ret_caps)
{
	uint64_t caps = t->cap_eff & d->cap_eff;
	int r;

	if (caps) {
		r = same_userns(t, d);
		if (r < 0)
			return r;
		if (r == 0)
			caps = 0;
	}
	*ret_caps = caps;
	return 0;
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
	r = daemon_identity(&d);
	if (r < 0)
		return r;
	s->euid = d->euid;
	s->egid = d->egid;
	s->groups = d->groups;
	s->ngroups = d->ngroups;
	s->cap_eff = d->cap_eff;
	r = target_caps(t, d, &caps);
	if (r < 0)
		return r;
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
