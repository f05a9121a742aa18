// SPDX-License-Identifier: Apache-2.0
/* cgroup.c against the real cgroup2 hierarchy: find the mount, create a session directory,
 * move a real process in, tell who is inside, refuse removal while it is busy. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"

Test(session_cgroup, finds_the_mount_and_unescapes_it)
{
	char path[] = "/tmp/airlock-mountinfo-XXXXXX", mnt[PATH_MAX], root[PATH_MAX];
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	cr_assert_not_null(f);
	fputs("22 1 0:21 / /proc rw,nosuid shared:12 - proc proc rw\n"
	      "30 25 0:26 / /sys/fs/cgroup/systemd rw shared:9 - cgroup cgroup rw,name=systemd\n"
	      "41 31 0:38 /sub /sys/fs/cgroup/my\\040unified rw,relatime shared:3 master:1 - "
	      "cgroup2 cgroup2 rw\n",
	      f);
	fclose(f);
	cr_assert_eq(cgroup_find_mount(path, mnt, sizeof(mnt), root, sizeof(root)), 0);
	cr_assert_str_eq(mnt, "/sys/fs/cgroup/my unified");
	cr_assert_str_eq(root, "/sub");

	f = fopen(path, "w");
	fputs("22 1 0:21 / /proc rw,nosuid shared:12 - proc proc rw\n", f);
	fclose(f);
	cr_assert_eq(cgroup_find_mount(path, mnt, sizeof(mnt), root, sizeof(root)), -ENOENT);
	unlink(path);
}

Test(session_cgroup, rejects_base_names_that_are_not_one_component)
{
	struct cgroup_base b;

	cr_assert_eq(cgroup_base_init(&b, "a/b"), -EINVAL);
	cr_assert_eq(cgroup_base_init(&b, ".."), -EINVAL);
	cr_assert_eq(cgroup_base_init(&b, ""), -EINVAL);
}

Test(session_cgroup, moves_a_process_in_and_knows_it_is_inside)
{
	struct cgroup_base b;
	char name[64], path[PATH_MAX], cg[PATH_MAX], want[PATH_MAX + 8];
	uint64_t id, id2;
	bool inside = true;
	struct stat st;
	pid_t child;
	int status;

	if (geteuid() != 0)
		cr_skip_test("needs root to create cgroups");
	snprintf(name, sizeof(name), "airlock-cgtest-%d", (int)getpid());
	cr_assert_eq(cgroup_base_init(&b, name), 0);
	cr_assert_eq(stat(b.path, &st), 0);
	cr_assert_eq(cgroup_create(&b, "s1", path, &id), 0);
	cr_assert_eq(cgroup_create(&b, "s1", path, &id2), -EEXIST);
	cr_assert_eq(cgroup_id_of(path, &id2), 0);
	cr_assert_eq(id, id2);
	/* The cgroup id is the directory's inode number on cgroup2. */
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq((uint64_t)st.st_ino, id);

	child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		pause();
		_exit(0);
	}
	cr_assert_eq(cgroup_move_pid(path, child), 0);
	cr_assert_eq(cgroup_of_pid(child, cg, sizeof(cg)), 0);
	snprintf(want, sizeof(want), "%s/s1", b.rel);
	cr_assert_str_eq(cg, want);
	cr_assert_eq(cgroup_pid_in_base(&b, child, &inside), 0);
	cr_assert(inside);
	cr_assert_eq(cgroup_pid_in_base(&b, getpid(), &inside), 0);
	cr_assert_not(inside);
	cr_assert_eq(cgroup_remove(path), -EBUSY);

	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	cr_assert_eq(cgroup_remove(path), 0);
	cr_assert_eq(cgroup_remove(path), 0, "removing a removed cgroup is not an error");
	cr_assert_eq(cgroup_pid_in_base(&b, 999999999, &inside), -ENOENT);
	rmdir(b.path);
}
