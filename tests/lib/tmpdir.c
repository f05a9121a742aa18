// SPDX-License-Identifier: Apache-2.0
#include "tmpdir.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int test_tmpdir_make(const char *prefix, char *ret_path, size_t size)
{
	char path[256];
	int n;

	n = snprintf(path, sizeof(path), "/tmp/%sXXXXXX", prefix);
	if (n < 0 || (size_t)n >= sizeof(path) || (size_t)n >= size)
		return -ENAMETOOLONG;
	if (!mkdtemp(path))
		return -errno;
	memcpy(ret_path, path, (size_t)n + 1);
	return 0;
}

/* nftw() passes no argument to its callback: the first failure of the walk under way
 * (tests remove one tree at a time per thread). */
static __thread int remove_err;

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT && !remove_err)
		remove_err = -errno;
	return 0;
}

int test_tmpdir_remove(const char *path)
{
	remove_err = 0;
	if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
		return -errno;
	return remove_err;
}
