/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The launcher behind `airlock run`: ask airlockd for a session, start the command in a
 * child under the session's seccomp filter, hand the listener to airlockd, and stand by
 * the child outside the session, relaying signals, until it ends.  The handshake is the
 * one in docs/api.md ("Session set-up") and docs/gate.md ("Launcher").
 *
 * These functions do not log; they return 0 or -errno and describe a failure in the
 * caller's buffer.  Only the child, once forked, writes its own exec error to stderr.
 */
#ifndef AIRLOCK_LAUNCHER_H
#define AIRLOCK_LAUNCHER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Who the command runs as when --user is given (the launcher must be root). */
struct launch_user {
	const char *name;
	uid_t uid;
	gid_t gid;
	const char *home;
	const char *shell;
	gid_t *groups; /* supplementary groups, set before the filter is installed */
	int n_groups;
};

struct launch {
	/* connected to airlockd; launcher_run() closes it (and sets -1) as soon as the
	 * session is attached, so that nothing the session can take holds it */
	int api_fd;
	const char *profile;		/* NULL: the policy's default */
	const struct launch_user *user; /* NULL: stay who we are */
	const char *workspace; /* absolute: the cwd, which airlockd reads as the workspace */
	const char *path;      /* the executable, resolved from argv[0] */
	char *const *argv;     /* the command line, NULL-terminated */
};

/* Resolve name to an executable the way execvp(3) does (PATH, default /bin:/usr/bin).
 * 0 with a malloc'ed path, -ENOENT when nothing is found, -EACCES when something was
 * found but cannot be executed, other -errno. */
int launcher_find_command(const char *name, char **ret_path);

/* Run the command and wait for it.  0 with its wait status in *ret_status; -errno when
 * the session could not be set up (nothing ran), with the reason in err.  The command is
 * never started without the filter installed and the listener handed over. */
int launcher_run(struct launch *l, int *ret_status, char *err, size_t err_len);

/* Leave the way the command left: exit with its code, or die of its signal (core dumps
 * off, so only the command leaves a core).  Returns 128 + signal only if that failed. */
int launcher_exit_like(int status);

#endif
