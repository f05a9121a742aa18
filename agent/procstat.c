// SPDX-License-Identifier: Apache-2.0
#include "procstat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int proc_stat_read(pid_t pid, struct proc_stat *ret)
{
	char path[64], buf[512], *p;
	int ppid, pgrp, fd;
	char state;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return (int)n;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %d %d", &state, &ppid, &pgrp) != 3)
		return -EINVAL;
	ret->state = state;
	ret->ppid = (pid_t)ppid;
	ret->pgrp = (pid_t)pgrp;
	return 0;
}
