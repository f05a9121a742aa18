// SPDX-License-Identifier: Apache-2.0
#include "test_cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int test_cgroup2_root(char *buf, size_t len)
{
	char *line = NULL;
	size_t cap = 0;
	int r = -ENOENT;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		char mnt[4096], type[64];
		const char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(sep + 3, "%63s", type) != 1 || strcmp(type, "cgroup2") != 0)
			continue;
		if ((size_t)snprintf(buf, len, "%s", mnt) >= len) {
			r = -ENAMETOOLONG;
			break;
		}
		r = 0;
		break;
	}
	free(line);
	fclose(f);
	return r;
}

int test_cgroup_id(const char *path, uint64_t *ret_id)
{
	struct {
		struct file_handle fh;
		uint64_t id;
	} h = { .fh.handle_bytes = sizeof(uint64_t) };
	int mount_id;

	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0) < 0)
		return -errno;
	if (h.fh.handle_bytes != sizeof(uint64_t))
		return -EPROTO;
	memcpy(ret_id, h.fh.f_handle, sizeof(*ret_id));
	return 0;
}

int test_cgroup_make(const char *name, char *ret_path, size_t len, uint64_t *ret_id)
{
	char root[4096];
	int r;

	r = test_cgroup2_root(root, sizeof(root));
	if (r < 0)
		return r;
	if ((size_t)snprintf(ret_path, len, "%s/%s", root, name) >= len)
		return -ENAMETOOLONG;
	if (mkdir(ret_path, 0755) < 0)
		return -errno;
	r = test_cgroup_id(ret_path, ret_id);
	if (r < 0)
		rmdir(ret_path);
	return r;
}

int test_cgroup_enter(const char *path, pid_t pid)
{
	char procs[4200], num[32];
	int fd, n, r = 0;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", path);
	n = snprintf(num, sizeof(num), "%d\n", (int)pid);
	fd = open(procs, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, num, (size_t)n) != n)
		r = -errno;
	close(fd);
	return r;
}
