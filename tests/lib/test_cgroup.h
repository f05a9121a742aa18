/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup v2 for tests, independent of agent/cgroup.c so that the BPF tests do not rest on
 * the code they are meant to check against.  0 or -errno, like the agent.
 */
#ifndef AIRLOCK_TEST_CGROUP_H
#define AIRLOCK_TEST_CGROUP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The cgroup2 mount point, from /proc/self/mountinfo (-ENOENT when there is none). */
int test_cgroup2_root(char *buf, size_t len);

/* The cgroup id of a cgroup2 directory: its file handle, as the kernel gives it to
 * bpf_get_current_cgroup_id(). */
int test_cgroup_id(const char *path, uint64_t *ret_id);

/* mkdir ROOT/NAME (NAME made unique by the caller) and return its path and id. */
int test_cgroup_make(const char *name, char *ret_path, size_t len, uint64_t *ret_id);

/* Move pid into the cgroup at path. */
int test_cgroup_enter(const char *path, pid_t pid);

#endif
