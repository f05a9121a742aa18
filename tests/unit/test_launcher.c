// SPDX-License-Identifier: Apache-2.0
/*
 * launcher_find_command(): the PATH lookup `airlock run` makes before it creates a
 * session, against real files in a temporary directory.  It must agree with execvp(3):
 * the first executable match wins, an empty PATH entry is the current directory, a match
 * that cannot be executed is reported (EACCES) only when nothing else is found.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launcher.h"

static char dir[] = "/tmp/airlock-launcher-XXXXXX";
static char a[PATH_MAX], b[PATH_MAX];

static void make_file(const char *d, const char *name, mode_t mode)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", d, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, "#!/bin/sh\n", 10), 10);
	close(fd);
	cr_assert_eq(chmod(path, mode), 0);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void setup(void)
{
	char sub[PATH_MAX + 8];

	cr_assert_not_null(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	cr_assert_eq(mkdir(a, 0755), 0);
	cr_assert_eq(mkdir(b, 0755), 0);
	make_file(a, "tool", 0755);
	make_file(b, "tool", 0755);
	make_file(a, "noexec", 0644);
	make_file(b, "onlyb", 0755);
	snprintf(sub, sizeof(sub), "%s/adir", a);
	cr_assert_eq(mkdir(sub, 0755), 0);
}

static void teardown(void)
{
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(launcher, .init = setup, .fini = teardown);

static void set_path(const char *x, const char *y)
{
	char path[2 * PATH_MAX + 8];

	snprintf(path, sizeof(path), "%s:%s", x, y);
	cr_assert_eq(setenv("PATH", path, 1), 0);
}

static void expect_found(const char *name, const char *dirname)
{
	char want[PATH_MAX], *got = NULL;
	int r = launcher_find_command(name, &got);

	snprintf(want, sizeof(want), "%s/%s", dirname, name);
	cr_assert_eq(r, 0, "'%s': %s", name, strerror(-r));
	cr_assert_str_eq(got, want);
	free(got);
}

Test(launcher, first_match_in_path_order)
{
	set_path(a, b);
	expect_found("tool", a);
	set_path(b, a);
	expect_found("tool", b);
	set_path(a, b);
	expect_found("onlyb", b);
}

Test(launcher, not_executable_reported_only_when_nothing_else)
{
	char *got = NULL;

	set_path(a, b);
	cr_assert_eq(launcher_find_command("noexec", &got), -EACCES);
	cr_assert_null(got);
	/* a directory of that name is not a command either */
	cr_assert_eq(launcher_find_command("adir", &got), -EACCES);
	cr_assert_eq(launcher_find_command("missing", &got), -ENOENT);
	cr_assert_null(got);
}

Test(launcher, empty_entry_is_the_cwd)
{
	char cwd[PATH_MAX];

	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	cr_assert_eq(chdir(b), 0);
	set_path("/nonexistent-airlock", "");
	expect_found("onlyb", ".");
	cr_assert_eq(chdir(cwd), 0);
}

Test(launcher, names_with_a_slash_skip_path)
{
	char path[PATH_MAX + 16], *got = NULL;

	set_path(b, b);
	snprintf(path, sizeof(path), "%s/tool", a);
	cr_assert_eq(launcher_find_command(path, &got), 0);
	cr_assert_str_eq(got, path);
	free(got);
	snprintf(path, sizeof(path), "%s/noexec", a);
	cr_assert_eq(launcher_find_command(path, &got), -EACCES);
	cr_assert_eq(launcher_find_command("./nonexistent-airlock", &got), -ENOENT);
	cr_assert_eq(launcher_find_command("", &got), -ENOENT);
}
