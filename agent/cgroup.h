/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup v2 for sessions: find the unified mount, create one directory per session under
 * a base directory of the daemon (<mnt>/<base>/s<ID>), move processes into it, remove it
 * when the session ends, and tell whether a process lives inside any of them.
 * Functions return 0 or -errno and do not log.
 */
#ifndef AIRLOCK_CGROUP_H
#define AIRLOCK_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct cgroup_base {
	char mount[PATH_MAX]; /* where cgroup2 is mounted, e.g. /sys/fs/cgroup/unified */
	char root[PATH_MAX];  /* the mount's root inside the hierarchy ("/" normally) */
	char path[PATH_MAX];  /* <mount>/<name>: parent of every session directory */
	char rel[PATH_MAX];   /* the same as /proc/PID/cgroup shows it: <root>/<name> */
};

/* Find the cgroup2 mount in a mountinfo file (/proc/self/mountinfo).  The mount point and
 * its root are unescaped (\040 ...).  -ENOENT when there is none. */
int cgroup_find_mount(const char *mountinfo, char *ret_mount, size_t mount_len, char *ret_root,
		      size_t root_len);

/* Find the mount and create <mount>/<name> (mode 0755) if missing. */
int cgroup_base_init(struct cgroup_base *b, const char *name);

/* Create <base>/<leaf>; its path in ret_path (PATH_MAX) and its cgroup id in *ret_id. */
int cgroup_create(const struct cgroup_base *b, const char *leaf, char *ret_path, uint64_t *ret_id);

/* The cgroup id (what bpf_get_current_cgroup_id() returns) of a cgroup directory. */
int cgroup_id_of(const char *path, uint64_t *ret_id);

/* Move pid into the cgroup directory at path. */
int cgroup_move_pid(const char *path, pid_t pid);

/* Remove the directory; -EBUSY while processes remain in it. */
int cgroup_remove(const char *path);

/* The unified-hierarchy path of pid ("/airlock/s7"), from /proc/PID/cgroup. */
int cgroup_of_pid(pid_t pid, char *buf, size_t len);

/* Is pid's cgroup the base or below it?  An error reading it is returned as -errno; the
 * caller must then treat the pid as inside (closed, never open). */
int cgroup_pid_in_base(const struct cgroup_base *b, pid_t pid, bool *ret_inside);

#endif
