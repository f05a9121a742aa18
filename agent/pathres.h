/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Path resolution in a gated thread's place: turn the path a syscall names (relative to
 * its cwd or a dirfd, through symlinks, '..' and /proc/self links) into the absolute path
 * of the object, as seen from the target's root.  Policy decides on that path, and the
 * emulated call acts on it.
 *
 * The walk is done by the daemon, one component at a time, with real lookups from O_PATH
 * directory fds: '..' is taken by the kernel (so it is right in the presence of symlinks
 * and mounts), stops at the target's root, and /proc/self, /proc/thread-self and the
 * /proc/PID/{cwd,root,fd/N} magic links mean the *target's*, not the daemon's.  The caller
 * runs it in the target's credentials (target_creds_enter), so it sees what the target
 * would.
 */
#ifndef AIRLOCK_PATHRES_H
#define AIRLOCK_PATHRES_H

#include <limits.h>
#include <stddef.h>
#include <sys/stat.h>

#include "target.h"

#define AL_AT_FDCWD_ARG (-100) /* AT_FDCWD as a syscall register carries it */

/* pathres_resolve() flags */
#define PATHRES_FOLLOW	      (1u << 0) /* follow a final symlink */
#define PATHRES_EMPTY_PATH    (1u << 1) /* AT_EMPTY_PATH: "" names the dirfd itself */
#define PATHRES_IN_ROOT	      (1u << 2) /* RESOLVE_IN_ROOT: the dirfd is the root */
#define PATHRES_BENEATH	      (1u << 3) /* RESOLVE_BENEATH: must stay under the dirfd */
#define PATHRES_NO_SYMLINKS   (1u << 4) /* RESOLVE_NO_SYMLINKS */
#define PATHRES_NO_MAGICLINKS (1u << 5) /* RESOLVE_NO_MAGICLINKS */

/* Size of the re-open path of an object that has no name (a pipe behind /proc/self/fd/1). */
#define PATHRES_REOPEN_MAX 64

/*
 * Resolve path (as the target passed it) against dirfd (the target's fd number, or
 * AT_FDCWD).  On success ret_path holds an absolute path (PATH_MAX bytes) and 0 is
 * returned; when a component is missing or not searchable the rest is appended lexically
 * normalized, so policy still decides on an absolute path.
 *
 * A final /proc/.../fd/N link to an object without a name (pipe, socket, deleted file)
 * resolves to the link's text ("pipe:[123]") and ret_reopen (PATHRES_REOPEN_MAX bytes)
 * gets the daemon's path of the magic link, through which the object can be re-opened;
 * otherwise ret_reopen is "".
 *
 * Errors are what the target's own call would fail with: -EBADF (bad dirfd), -ENOTDIR,
 * -ELOOP, -EXDEV (RESOLVE_BENEATH escape, or an object outside the target's root),
 * -ENAMETOOLONG, -ENOMEM.
 */
int pathres_resolve(const struct target *t, int dirfd, const char *path, unsigned flags,
		    char *ret_path, char *ret_reopen);

/* pathres_resolve(), and the stat of the object ret_path names, as the walk found it in
 * the directory it read ret_path's parent from: so it is the object the decision is about,
 * not one looked up again later.  With PATHRES_FOLLOW only (a final symlink is followed, so
 * the object is never one); st_mode is 0 when the walk did not reach it (a missing
 * component, an object without a name, no PATHRES_FOLLOW). */
int pathres_resolve_stat(const struct target *t, int dirfd, const char *path, unsigned flags,
			 char *ret_path, char *ret_reopen, struct stat *ret_st);

/* The path of a daemon fd as the target sees it (its root stripped).  0, -EXDEV when the
 * object lies outside the target's root, -errno. */
int pathres_fd_path(const struct target *t, int fd, char *ret_path, size_t size);

/* Collapse '//', '.' and '..' of an absolute path in place, lexically. */
void pathres_normalize(char *path);

#endif
