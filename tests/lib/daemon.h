/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A real airlockd for tests: build/airlockd started in a temporary directory with its own
 * runtime dir, policy file (YAML given as a string, or the embedded default), audit log
 * and cgroup directory, so several daemons can run side by side.  Plus running build/airlock
 * against it and capturing what it prints.
 */
#ifndef AIRLOCK_TEST_DAEMON_H
#define AIRLOCK_TEST_DAEMON_H

#include <jansson.h>
#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

struct test_daemon {
	pid_t pid;
	char dir[64];	      /* the temporary directory holding everything below */
	char runtime_dir[96]; /* dir/run: api.sock */
	char policy_path[96]; /* dir/policy.yaml, "" with the embedded default */
	char audit_path[96];  /* dir/audit.jsonl */
	char log_path[96];    /* dir/airlockd.log: the daemon's stderr */
	char cgroup_name[64]; /* airlock-test-<pid>-<n> */
};

/* The build directory (build/ by default): the one holding the running test binary. */
const char *test_build_dir(void);

/* Start build/airlockd with policy_yaml (NULL: embedded default) and wait until api.sock
 * answers (5 s at most).  extra: more airlockd options, NULL-terminated, may be NULL.
 * 0 or -errno; on failure the daemon's log is copied to stderr. */
int test_daemon_start(struct test_daemon *d, const char *policy_yaml, const char *const *extra);

/* The same, with more environment variables ("NAME=value", NULL-terminated) for the
 * daemon.  NOTIFY_SOCKET is removed unless env sets it. */
int test_daemon_start_env(struct test_daemon *d, const char *policy_yaml, const char *const *extra,
			  const char *const *env);

/* Start airlockd again on d's directory (runtime dir, policy, audit log, cgroup name),
 * after the previous instance died (d->pid must be -1: reap it first), passing fds as a
 * service manager passes its fd store (LISTEN_FDS from 3, LISTEN_FDNAMES, LISTEN_PID).
 * 0 or -errno. */
int test_daemon_restart(struct test_daemon *d, const char *const *env, const int *fds,
			const char *const *names, size_t nfds);

/* SIGTERM, wait (5 s, then SIGKILL), remove the temporary directory.  Returns the exit
 * status of the daemon, or -errno. */
int test_daemon_stop(struct test_daemon *d);

/* Replace the policy file and send SIGHUP; wait until the daemon has handled it
 * (its log grows by a line about the reload).  0 or -errno. */
int test_daemon_reload(struct test_daemon *d, const char *policy_yaml);

/* The daemon's log so far (malloc'ed, NUL-terminated). */
char *test_daemon_log(const struct test_daemon *d);

/* One request on a fresh connection; the response (new reference) or NULL. */
json_t *test_daemon_call(const struct test_daemon *d, const char *op_json);

/* Poll `pending` until it lists at least n asks (timeout_ms at most).  The list (new
 * reference) or NULL on timeout. */
json_t *test_daemon_wait_pending(const struct test_daemon *d, size_t n, int timeout_ms);

/* Run build/airlock --runtime-dir DIR ARGS... (NULL-terminated) to completion (20 s at
 * most), capturing stdout and stderr (malloc'ed, may be NULL when not wanted).  Returns
 * its exit status (128+N when killed by signal N) or -errno. */
int test_airlock(const struct test_daemon *d, char **ret_out, char **ret_err, ...)
	__attribute__((sentinel));

/* The same, run as uid:gid with no supplementary groups. */
int test_airlock_as(const struct test_daemon *d, uid_t uid, gid_t gid, char **ret_out,
		    char **ret_err, ...) __attribute__((sentinel));

/* Start build/airlock --runtime-dir DIR ARGS... without waiting.  Its stdout and stderr go
 * to *ret_out_fd (a pipe, O_CLOEXEC) when not NULL, else to /dev/null.  pid or -errno. */
pid_t test_airlock_spawn(const struct test_daemon *d, int *ret_out_fd, ...)
	__attribute__((sentinel));

/* Wait for a child (timeout_ms at most, then SIGKILL); its exit status, 128+N when
 * killed by signal N, or -ETIMEDOUT. */
int test_wait_child(pid_t pid, int timeout_ms);

/* Read a pipe to EOF (timeout_ms at most). malloc'ed, NUL-terminated. */
char *test_read_all(int fd, int timeout_ms);

#endif
