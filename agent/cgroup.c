// SPDX-License-Identifier: Apache-2.0
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static int unescape(const char *s, char *out, size_t len)
{
	size_t o = 0;

	while (*s) {
		char c = *s;

		if (c == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			c = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			s++;
		}
		if (o + 1 >= len)
			return -ENAMETOOLONG;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

int cgroup_find_mount(const char *mountinfo, char *ret_mount, size_t mount_len, char *ret_root,
		      size_t root_len)
{
	char *line = NULL, mnt[PATH_MAX], root[PATH_MAX];
	size_t cap = 0;
	FILE *f;
	int r = -ENOENT;

	f = fopen(mountinfo, "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		/* id parent major:minor root mountpoint options [optional...] - fstype ... */
		char *fields[5], *sep, *save = NULL, *tok, fstype[64];
		int i = 0;

		sep = strstr(line, " - ");
		if (!sep || sscanf(sep + 3, "%63s", fstype) != 1 || strcmp(fstype, "cgroup2") != 0)
			continue;
		*sep = '\0';
		for (tok = strtok_r(line, " ", &save); tok && i < 5;
		     tok = strtok_r(NULL, " ", &save))
			fields[i++] = tok;
		if (i < 5)
			continue;
		if (unescape(fields[3], root, sizeof(root)) < 0 ||
		    unescape(fields[4], mnt, sizeof(mnt)) < 0) {
			r = -ENAMETOOLONG;
			break;
		}
		if (strlen(mnt) >= mount_len || strlen(root) >= root_len) {
			r = -ENAMETOOLONG;
			break;
		}
		strcpy(ret_mount, mnt);
		strcpy(ret_root, root);
		r = 0;
		break;
	}
	free(line);
	fclose(f);
	return r;
}

int cgroup_base_init(struct cgroup_base *b, const char *name)
{
	struct cgroup_base nb = { 0 };
	int r, n;

	if (!name || !*name || strchr(name, '/') || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return -EINVAL;
	r = cgroup_find_mount("/proc/self/mountinfo", nb.mount, sizeof(nb.mount), nb.root,
			      sizeof(nb.root));
	if (r < 0)
		return r;
	n = snprintf(nb.path, sizeof(nb.path), "%s/%s", nb.mount, name);
	if (n < 0 || (size_t)n >= sizeof(nb.path))
		return -ENAMETOOLONG;
	n = snprintf(nb.rel, sizeof(nb.rel), "%s/%s", strcmp(nb.root, "/") == 0 ? "" : nb.root,
		     name);
	if (n < 0 || (size_t)n >= sizeof(nb.rel))
		return -ENAMETOOLONG;
	if (mkdir(nb.path, 0755) < 0 && errno != EEXIST)
		return -errno;
	*b = nb;
	return 0;
}

int cgroup_id_of(const char *path, uint64_t *ret_id)
{
	/* A cgroup2 file handle is the 64-bit kernfs id, which is the cgroup id BPF sees. */
	union {
		struct file_handle fh;
		char buf[sizeof(struct file_handle) + sizeof(uint64_t)];
	} h;
	uint64_t id;
	int mount_id;

	h.fh.handle_bytes = sizeof(uint64_t);
	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0) < 0)
		return -errno;
	if (h.fh.handle_bytes != sizeof(uint64_t))
		return -EPROTO;
	memcpy(&id, h.fh.f_handle, sizeof(id));
	*ret_id = id;
	return 0;
}

int cgroup_create(const struct cgroup_base *b, const char *leaf, char *ret_path, uint64_t *ret_id)
{
	char path[PATH_MAX];
	uint64_t id;
	int r, n;

	n = snprintf(path, sizeof(path), "%s/%s", b->path, leaf);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	if (mkdir(path, 0755) < 0)
		return -errno;
	r = cgroup_id_of(path, &id);
	if (r < 0) {
		rmdir(path);
		return r;
	}
	strcpy(ret_path, path);
	*ret_id = id;
	return 0;
}

int cgroup_move_pid(const char *path, pid_t pid)
{
	char file[PATH_MAX], buf[32];
	int fd, n, r = 0;

	n = snprintf(file, sizeof(file), "%s/cgroup.procs", path);
	if (n < 0 || (size_t)n >= sizeof(file))
		return -ENAMETOOLONG;
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	if (write(fd, buf, (size_t)n) != n)
		r = -errno;
	close(fd);
	return r;
}

int cgroup_remove(const char *path)
{
	if (rmdir(path) < 0)
		return errno == ENOENT ? 0 : -errno;
	return 0;
}

int cgroup_of_pid(pid_t pid, char *buf, size_t len)
{
	char file[64], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int r = -ENOENT;

	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	f = fopen(file, "re");
	if (!f)
		return -errno;
	while ((n = getline(&line, &cap, f)) > 0) {
		/* The unified hierarchy is the line with id 0 and no controllers. */
		if (strncmp(line, "0::", 3) != 0)
			continue;
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if ((size_t)(n - 3) >= len) {
			r = -ENAMETOOLONG;
			break;
		}
		strcpy(buf, line + 3);
		r = 0;
		break;
	}
	free(line);
	fclose(f);
	return r;
}

int cgroup_pid_in_base(const struct cgroup_base *b, pid_t pid, bool *ret_inside)
{
	char cg[PATH_MAX];
	size_t n = strlen(b->rel);
	int r;

	r = cgroup_of_pid(pid, cg, sizeof(cg));
	if (r < 0)
		return r;
	*ret_inside = strncmp(cg, b->rel, n) == 0 && (cg[n] == '\0' || cg[n] == '/');
	return 0;
}
