// SPDX-License-Identifier: Apache-2.0
#include "pathres.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#define MAX_SYMLINKS  40 /* the kernel's limit */
#define PROC_ROOT_INO 1

struct walk {
	const struct target *t;
	unsigned flags;
	int root; /* owned: where '/' and '..' stop (the target's root, or the dirfd when scoped) */
	int cur;  /* owned: the directory reached so far */
	struct stat root_st;
	int links;
	struct stat *last_st;	     /* where the final object's stat goes, or NULL */
	char todo[2 * PATH_MAX + 2]; /* what is left to walk */
	char link[PATH_MAX];
};

void pathres_normalize(char *path)
{
	char *out = path, *p = path;

	/* out always ends without a slash except for the root; components are appended. */
	*out++ = '/';
	while (*p) {
		char *start, *end;
		size_t len;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && *p != '/')
			p++;
		end = p;
		len = (size_t)(end - start);
		if (len == 1 && start[0] == '.')
			continue;
		if (len == 2 && start[0] == '.' && start[1] == '.') {
			/* drop the last component, never above the root */
			while (out > path + 1 && out[-1] != '/')
				out--;
			if (out > path + 1)
				out--;
			continue;
		}
		if (out > path + 1)
			*out++ = '/';
		memmove(out, start, len);
		out += len;
	}
	*out = '\0';
}

int pathres_fd_path(const struct target *t, int fd, char *ret_path, size_t size)
{
	char link[32], buf[PATH_MAX];
	size_t plen = strlen(t->rootpfx);
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (buf[0] != '/' || plen == 0) {
		if ((size_t)n >= size)
			return -ENAMETOOLONG;
		memcpy(ret_path, buf, (size_t)n + 1);
		return 0;
	}
	if (strncmp(buf, t->rootpfx, plen) != 0 || (buf[plen] != '/' && buf[plen] != '\0'))
		return -EXDEV;
	if (buf[plen] == '\0')
		return snprintf(ret_path, size, "/") < (int)size ? 0 : -ENAMETOOLONG;
	if ((size_t)n - plen >= size)
		return -ENAMETOOLONG;
	memcpy(ret_path, buf + plen, (size_t)n - plen + 1);
	return 0;
}

static int replace_fd(int *slot, int fd)
{
	if (fd < 0)
		return -errno;
	if (*slot >= 0)
		close(*slot);
	*slot = fd;
	return 0;
}

static bool at_root(struct walk *w)
{
	struct stat st;

	if (fstat(w->cur, &st) < 0)
		return false;
	return st.st_dev == w->root_st.st_dev && st.st_ino == w->root_st.st_ino;
}

/* ret = path of cur + "/" + name (name may hold more components, normalized). */
static int join(struct walk *w, const char *name, char *ret_path)
{
	char base[PATH_MAX];
	int r;

	r = pathres_fd_path(w->t, w->cur, base, sizeof(base));
	if (r < 0)
		return r;
	if (base[0] != '/')
		return -ENOTDIR;
	if (snprintf(ret_path, PATH_MAX, "%s/%s", base, name) >= PATH_MAX)
		return -ENAMETOOLONG;
	pathres_normalize(ret_path);
	return 0;
}

/* The rest of the walk after a symlink: its text, then what followed it. */
static int splice_link(struct walk *w, const char *text, const char *rest)
{
	char buf[sizeof(w->todo)];

	if (snprintf(buf, sizeof(buf), "%s/%s", text, rest) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(w->todo, buf, sizeof(buf));
	if (text[0] == '/') {
		if (w->flags & PATHRES_BENEATH)
			return -EXDEV;
		return replace_fd(&w->cur, fcntl(w->root, F_DUPFD_CLOEXEC, 3));
	}
	return 0;
}

/*
 * A symlink on procfs.  At the proc root, "self" and "thread-self" are ordinary symlinks
 * whose text depends on who reads them: give the target's.  Elsewhere on procfs they are
 * magic links (cwd, root, exe, fd/N) whose text is the object's path in the daemon's view.
 * Returns 1 when the walk ends at an object without a name (ret_path/ret_reopen set).
 */
static int proc_link(struct walk *w, const char *comp, bool is_last, char *ret_path,
		     char *ret_reopen)
{
	struct stat st;
	ssize_t n;
	size_t plen = strlen(w->t->rootpfx), len;
	char base[PATH_MAX];

	if (fstat(w->cur, &st) < 0)
		return -errno;
	if (st.st_ino == PROC_ROOT_INO) {
		if (strcmp(comp, "self") == 0) {
			snprintf(w->link, sizeof(w->link), "%d", (int)w->t->nstgid);
			return 0;
		}
		if (strcmp(comp, "thread-self") == 0) {
			snprintf(w->link, sizeof(w->link), "%d/task/%d", (int)w->t->nstgid,
				 (int)w->t->nstid);
			return 0;
		}
		n = readlinkat(w->cur, comp, w->link, sizeof(w->link) - 1);
		if (n < 0)
			return -errno;
		w->link[n] = '\0';
		return 0;
	}
	if (w->flags & PATHRES_NO_MAGICLINKS)
		return -ELOOP;
	if (w->flags & (PATHRES_IN_ROOT | PATHRES_BENEATH))
		return -EXDEV;
	n = readlinkat(w->cur, comp, w->link, sizeof(w->link) - 1);
	if (n < 0)
		return -errno;
	w->link[n] = '\0';
	len = (size_t)n;
	if (w->link[0] != '/' || (len > 10 && strcmp(w->link + len - 10, " (deleted)") == 0)) {
		int r;

		/* No name to walk: only re-opening through the link reaches it. */
		if (!is_last)
			return -ENOTDIR;
		char fdlink[32];

		snprintf(fdlink, sizeof(fdlink), "/proc/self/fd/%d", w->cur);
		n = readlink(fdlink, base, sizeof(base) - 1);
		if (n < 0)
			return -errno;
		base[n] = '\0';
		r = snprintf(ret_reopen, PATHRES_REOPEN_MAX, "%s/%s", base, comp);
		if (r >= PATHRES_REOPEN_MAX)
			return -ENAMETOOLONG;
		memcpy(ret_path, w->link, len + 1);
		return 1;
	}
	if (plen) {
		if (strncmp(w->link, w->t->rootpfx, plen) != 0 ||
		    (w->link[plen] != '/' && w->link[plen] != '\0'))
			return -EXDEV;
		memmove(w->link, w->link + plen, len - plen + 1);
		if (!w->link[0])
			strcpy(w->link, "/");
	}
	return 0;
}

static int walk(struct walk *w, char *ret_path, char *ret_reopen)
{
	size_t pos = 0;

	for (;;) {
		char comp[NAME_MAX + 1];
		const char *rest;
		size_t start, len;
		bool is_last, trailing;
		struct stat st;
		int r;

		while (w->todo[pos] == '/')
			pos++;
		if (!w->todo[pos])
			return join(w, "", ret_path);
		start = pos;
		while (w->todo[pos] && w->todo[pos] != '/')
			pos++;
		len = pos - start;
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(comp, w->todo + start, len);
		comp[len] = '\0';
		rest = w->todo + pos;
		trailing = *rest == '/';
		is_last = rest[strspn(rest, "/")] == '\0';

		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			if (at_root(w)) {
				if (w->flags & PATHRES_BENEATH)
					return -EXDEV;
				continue;
			}
			r = replace_fd(&w->cur,
				       openat(w->cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
			if (r < 0)
				return r;
			continue;
		}
		if (is_last && !trailing && !(w->flags & PATHRES_FOLLOW))
			return join(w, comp, ret_path);
		if (fstatat(w->cur, comp, &st, AT_SYMLINK_NOFOLLOW) < 0)
			/* Missing or not searchable: the call itself will fail (or create it);
			 * policy still gets an absolute path. */
			return join(w, w->todo + start, ret_path);
		if (S_ISLNK(st.st_mode)) {
			struct statfs sfs;

			if (++w->links > MAX_SYMLINKS || (w->flags & PATHRES_NO_SYMLINKS))
				return -ELOOP;
			if (fstatfs(w->cur, &sfs) < 0)
				return -errno;
			if (sfs.f_type == PROC_SUPER_MAGIC) {
				r = proc_link(w, comp, is_last, ret_path, ret_reopen);
				if (r)
					return r < 0 ? r : 0;
			} else {
				ssize_t n = readlinkat(w->cur, comp, w->link, sizeof(w->link) - 1);

				if (n < 0)
					return -errno;
				w->link[n] = '\0';
			}
			/* rest starts at the slash after comp, or is empty */
			r = splice_link(w, w->link, rest);
			if (r < 0)
				return r;
			pos = 0;
			continue;
		}
		if (is_last) {
			if (w->last_st)
				*w->last_st = st;
			return join(w, comp, ret_path);
		}
		if (!S_ISDIR(st.st_mode))
			return -ENOTDIR;
		r = replace_fd(&w->cur,
			       openat(w->cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
		if (r < 0)
			/* swapped under us: fall back to a lexical answer */
			return join(w, w->todo + start, ret_path);
	}
}

/* AT_EMPTY_PATH: the object is the dirfd itself. */
static int resolve_empty(const struct target *t, int dirfd, char *ret_path, char *ret_reopen)
{
	char link[32], buf[PATH_MAX];
	size_t plen = strlen(t->rootpfx);
	ssize_t n;

	if (dirfd == AL_AT_FDCWD_ARG)
		snprintf(link, sizeof(link), "cwd");
	else
		snprintf(link, sizeof(link), "fd/%d", dirfd);
	n = readlinkat(t->procfd, link, buf, sizeof(buf) - 1);
	if (n < 0)
		return errno == ENOENT ? -EBADF : -errno;
	buf[n] = '\0';
	if (buf[0] != '/' || ((size_t)n > 10 && strcmp(buf + n - 10, " (deleted)") == 0)) {
		if (snprintf(ret_reopen, PATHRES_REOPEN_MAX, "/proc/%d/%s", (int)t->tid, link) >=
		    PATHRES_REOPEN_MAX)
			return -ENAMETOOLONG;
		memcpy(ret_path, buf, (size_t)n + 1);
		return 0;
	}
	if (plen) {
		if (strncmp(buf, t->rootpfx, plen) != 0 || (buf[plen] != '/' && buf[plen] != '\0'))
			return -EXDEV;
		snprintf(ret_path, PATH_MAX, "%s", buf[plen] ? buf + plen : "/");
		return 0;
	}
	memcpy(ret_path, buf, (size_t)n + 1);
	return 0;
}

static int open_start(const struct target *t, int dirfd, int *ret_fd)
{
	char link[32];
	struct stat st;
	int fd;

	if (dirfd == AL_AT_FDCWD_ARG) {
		fd = openat(t->procfd, "cwd", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		*ret_fd = fd;
		return 0;
	}
	if (dirfd < 0)
		return -EBADF;
	snprintf(link, sizeof(link), "fd/%d", dirfd);
	fd = openat(t->procfd, link, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -EBADF : -errno;
	if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
		close(fd);
		return -ENOTDIR;
	}
	*ret_fd = fd;
	return 0;
}

static bool has_dotdot(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t j = i;

		while (j < len && p[j] != '/')
			j++;
		if (j - i == 2 && p[i] == '.' && p[i + 1] == '.')
			return true;
		i = j + 1;
	}
	return false;
}

/*
 * An absolute parent with symlinks on the way (on a merged-/usr system /bin, /lib and
 * /sbin are): in the target's root the kernel follows them as the target's own lookup
 * would (absolute link texts and '..' stay in that root), so let it, and read back where
 * it went.  Magic links are refused, and so is anything that reaches procfs, where
 * /proc/self is an ordinary symlink whose text names the reader (the daemon): the walk
 * substitutes the target's.  Returns the parent's fd or -1 (the walk decides).
 */
static int open_parent_via_links(const struct target *t, const char *parent)
{
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	struct statfs sfs;
	int fd;

	fd = (int)syscall(SYS_openat2, t->rootfd, parent, &how, sizeof(how));
	if (fd < 0)
		return -1;
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type == PROC_SUPER_MAGIC) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The common case in a few syscalls: let the kernel walk the parent in one openat2 that
 * refuses any symlink (RESOLVE_NO_SYMLINKS, which also refuses magic links), in the
 * target's root for an absolute path.  Without symlinks the kernel's walk is the walk
 * above, '..' included (RESOLVE_IN_ROOT stops it at the root).  Returns 0 with ret_path
 * set, or 1 when the full walk must decide (a symlink on the way, a final symlink to
 * follow, '.'/'..' or a trailing slash at the end, a missing parent ...).
 */
static int resolve_fast(const struct target *t, int start, const char *path, unsigned flags,
			char *ret_path, struct stat *ret_st)
{
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_NO_SYMLINKS };
	const char *slash = strrchr(path, '/'), *last = slash ? slash + 1 : path;
	size_t plen = (size_t)(last - path);
	char parent[PATH_MAX], base[PATH_MAX];
	struct stat st;
	int pfd = start, r = 1;

	if (!*last || strcmp(last, ".") == 0 || strcmp(last, "..") == 0)
		return 1;
	if (path[0] == '/')
		how.resolve |= RESOLVE_IN_ROOT;
	else if (has_dotdot(path, plen))
		return 1; /* '..' from the cwd may climb past where RESOLVE_* could stop it */
	if (plen) {
		memcpy(parent, path, plen);
		parent[plen] = '\0';
		pfd = (int)syscall(SYS_openat2, path[0] == '/' ? t->rootfd : start, parent, &how,
				   sizeof(how));
		if (pfd < 0 && errno == ELOOP && path[0] == '/' && !(flags & PATHRES_NO_SYMLINKS))
			pfd = open_parent_via_links(t, parent);
		if (pfd < 0)
			return 1;
	}
	st.st_mode = 0;
	if (flags & PATHRES_FOLLOW) {
		if (fstatat(pfd, last, &st, AT_SYMLINK_NOFOLLOW) < 0)
			st.st_mode = 0; /* missing: the call will say so */
		else if (S_ISLNK(st.st_mode))
			goto out;
	}
	if (pathres_fd_path(t, pfd, base, sizeof(base)) < 0 || base[0] != '/')
		goto out;
	if (snprintf(ret_path, PATH_MAX, "%s/%s", strcmp(base, "/") ? base : "", last) >= PATH_MAX)
		goto out;
	if (ret_st)
		*ret_st = st;
	r = 0;
out:
	if (pfd != start)
		close(pfd);
	return r;
}

int pathres_resolve(const struct target *t, int dirfd, const char *path, unsigned flags,
		    char *ret_path, char *ret_reopen)
{
	return pathres_resolve_stat(t, dirfd, path, flags, ret_path, ret_reopen, NULL);
}

int pathres_resolve_stat(const struct target *t, int dirfd, const char *path, unsigned flags,
			 char *ret_path, char *ret_reopen, struct stat *ret_st)
{
	struct walk *w = NULL;
	char out[PATH_MAX], reopen[PATHRES_REOPEN_MAX] = "";
	struct stat st = { .st_mode = 0 };
	bool scoped = flags & (PATHRES_IN_ROOT | PATHRES_BENEATH);
	int r = 0;

	if (path[0] == '\0') {
		if (!(flags & PATHRES_EMPTY_PATH))
			return -ENOENT;
		r = resolve_empty(t, dirfd, out, reopen);
		if (r < 0)
			return r;
		goto done;
	}
	if (strlen(path) >= PATH_MAX)
		return -ENAMETOOLONG;
	if (!scoped) {
		int start = t->rootfd;

		if (path[0] != '/') {
			r = open_start(t, dirfd, &start);
			if (r < 0)
				return r;
		}
		r = resolve_fast(t, start, path, flags, out, &st);
		if (start != t->rootfd)
			close(start);
		if (r == 0)
			goto done;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->t = t;
	w->flags = flags;
	w->root = -1;
	w->cur = -1;
	w->last_st = &st;
	if (scoped) {
		r = open_start(t, dirfd, &w->root);
		if (r < 0)
			goto out;
		if (path[0] == '/' && (flags & PATHRES_BENEATH)) {
			r = -EXDEV;
			goto out;
		}
	} else {
		w->root = fcntl(t->rootfd, F_DUPFD_CLOEXEC, 3);
		if (w->root < 0) {
			r = -errno;
			goto out;
		}
	}
	if (fstat(w->root, &w->root_st) < 0) {
		r = -errno;
		goto out;
	}
	if (path[0] == '/' || scoped)
		w->cur = fcntl(w->root, F_DUPFD_CLOEXEC, 3);
	else
		r = open_start(t, dirfd, &w->cur);
	if (w->cur < 0) {
		r = r < 0 ? r : -errno;
		goto out;
	}
	snprintf(w->todo, sizeof(w->todo), "%s", path);
	r = walk(w, out, reopen);
	if (r < 0)
		goto out;
done:
	strcpy(ret_path, out);
	strcpy(ret_reopen, reopen);
	if (ret_st)
		*ret_st = st;
	r = 0;
out:
	if (w) {
		if (w->cur >= 0)
			close(w->cur);
		if (w->root >= 0)
			close(w->root);
		free(w);
	}
	return r;
}
