// SPDX-License-Identifier: Apache-2.0
#include "daemon.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <grp.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "api_client.h"
#include "cgroup.h"
#include "tmpdir.h"

#define MAX_ARGS 64

const char *test_build_dir(void)
{
	static char dir[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n;

	if (dir[0])
		return dir;
	/* <build>/tests/<kind>/<name>: three levels up. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0) {
		strcpy(dir, "build");
		return dir;
	}
	exe[n] = '\0';
	for (int i = 0; i < 3; i++) {
		char *slash = strrchr(exe, '/');

		if (slash)
			*slash = '\0';
	}
	snprintf(dir, sizeof(dir), "%s", exe);
	return dir;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(text);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		r = -EIO;
	close(fd);
	return r;
}

char *test_read_all(int fd, int timeout_ms)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	long deadline = now_ms() + timeout_ms;

	if (!buf)
		return NULL;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		if (len + 1024 > cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

char *test_daemon_log(const struct test_daemon *d)
{
	int fd = open(d->log_path, O_RDONLY | O_CLOEXEC);
	char *s;

	if (fd < 0)
		return strdup("");
	s = test_read_all(fd, 1000);
	close(fd);
	return s;
}

static bool socket_answers(const char *runtime_dir)
{
	int fd = api_connect(runtime_dir);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int test_daemon_start(struct test_daemon *d, const char *policy_yaml, const char *const *extra)
{
	return test_daemon_start_env(d, policy_yaml, extra, NULL);
}

/* fork + exec build/airlockd with d's paths, then wait for api.sock.  fds (nfds of them,
 * named by names) are passed the way a service manager passes stored fds: as 3, 4, ...
 * with LISTEN_FDS, LISTEN_FDNAMES and LISTEN_PID. */
static int spawn_daemon(struct test_daemon *d, const char *const *extra, const char *const *env,
			const int *fds, const char *const *names, size_t nfds, bool append_log)
{
	char daemon_bin[PATH_MAX + 16];
	const char *args[MAX_ARGS];
	int n = 0, logfd;
	long deadline;

	snprintf(daemon_bin, sizeof(daemon_bin), "%s/airlockd", test_build_dir());
	args[n++] = daemon_bin;
	args[n++] = "--runtime-dir";
	args[n++] = d->runtime_dir;
	args[n++] = "--audit-log";
	args[n++] = d->audit_path;
	args[n++] = "--cgroup-name";
	args[n++] = d->cgroup_name;
	if (d->policy_path[0]) {
		args[n++] = "--policy";
		args[n++] = d->policy_path;
	}
	for (int i = 0; extra && extra[i] && n < MAX_ARGS - 1; i++)
		args[n++] = extra[i];
	args[n] = NULL;

	logfd = open(d->log_path,
		     O_WRONLY | O_CREAT | O_CLOEXEC | (append_log ? O_APPEND : O_TRUNC), 0644);
	if (logfd < 0)
		return -errno;
	d->pid = fork();
	if (d->pid < 0) {
		close(logfd);
		return -errno;
	}
	if (d->pid == 0) {
		int nul = open("/dev/null", O_RDONLY), high[64];
		char buf[4096] = "", num[32];

		dup2(nul, 0);
		dup2(logfd, 1);
		dup2(logfd, 2);
		/* Not a systemd service: sd_notify must not talk to the test's own manager. */
		unsetenv("NOTIFY_SOCKET");
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_FDNAMES");
		unsetenv("LISTEN_PID");
		for (int i = 0; env && env[i]; i++)
			putenv((char *)env[i]);
		if (nfds > 0 && nfds <= 64) {
			/* Out of the way first, so that moving down to 3.. overwrites nothing. */
			for (size_t i = 0; i < nfds; i++)
				high[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 200);
			for (size_t i = 0; i < nfds; i++) {
				dup2(high[i], 3 + (int)i); /* dup2 clears FD_CLOEXEC */
				if (i)
					strncat(buf, ":", sizeof(buf) - strlen(buf) - 1);
				strncat(buf, names[i], sizeof(buf) - strlen(buf) - 1);
			}
			snprintf(num, sizeof(num), "%zu", nfds);
			setenv("LISTEN_FDS", num, 1);
			setenv("LISTEN_FDNAMES", buf, 1);
			snprintf(num, sizeof(num), "%d", (int)getpid());
			setenv("LISTEN_PID", num, 1);
		}
		execv(daemon_bin, (char *const *)args);
		_exit(127);
	}
	close(logfd);
	deadline = now_ms() + 5000;
	while (now_ms() < deadline) {
		int status;

		if (socket_answers(d->runtime_dir))
			return 0;
		if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
			char *log = test_daemon_log(d);

			fprintf(stderr, "airlockd exited at start (status %d):\n%s\n", status, log);
			free(log);
			d->pid = -1;
			return -ECHILD;
		}
		usleep(10 * 1000);
	}
	return -ETIMEDOUT;
}

int test_daemon_start_env(struct test_daemon *d, const char *policy_yaml, const char *const *extra,
			  const char *const *env)
{
	static int counter;
	int r;

	memset(d, 0, sizeof(*d));
	d->pid = -1;
	snprintf(d->dir, sizeof(d->dir), "/tmp/airlock-test-XXXXXX");
	if (!mkdtemp(d->dir))
		return -errno;
	/* Tests run the CLI as other users too: they must reach DIR/run/api.sock. */
	if (chmod(d->dir, 0755) < 0)
		return -errno;
	snprintf(d->runtime_dir, sizeof(d->runtime_dir), "%s/run", d->dir);
	snprintf(d->audit_path, sizeof(d->audit_path), "%s/audit.jsonl", d->dir);
	snprintf(d->log_path, sizeof(d->log_path), "%s/airlockd.log", d->dir);
	snprintf(d->cgroup_name, sizeof(d->cgroup_name), "airlock-test-%d-%d", (int)getpid(),
		 counter++);
	if (policy_yaml) {
		snprintf(d->policy_path, sizeof(d->policy_path), "%s/policy.yaml", d->dir);
		r = write_file(d->policy_path, policy_yaml);
		if (r < 0)
			return r;
	}
	return spawn_daemon(d, extra, env, NULL, NULL, 0, false);
}

int test_daemon_restart(struct test_daemon *d, const char *const *env, const int *fds,
			const char *const *names, size_t nfds)
{
	if (d->pid > 0)
		return -EBUSY;
	return spawn_daemon(d, NULL, env, fds, names, nfds, true);
}

int test_wait_child(pid_t pid, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;
	int status;

	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0)
			return -errno;
		if (now_ms() >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -ETIMEDOUT;
		}
		usleep(5 * 1000);
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* A daemon stopped while a session still had processes leaves its directories behind:
 * remove them once those are gone (best effort; an empty cgroup costs nothing). */
static void remove_cgroups(const struct test_daemon *d)
{
	char mnt[PATH_MAX], root[PATH_MAX], base[PATH_MAX + 80], sub[PATH_MAX + 400];
	struct dirent *e;
	DIR *dir;

	if (!d->cgroup_name[0] ||
	    cgroup_find_mount("/proc/self/mountinfo", mnt, sizeof(mnt), root, sizeof(root)) < 0)
		return;
	snprintf(base, sizeof(base), "%s/%s", mnt, d->cgroup_name);
	dir = opendir(base);
	if (!dir)
		return;
	while ((e = readdir(dir)))
		if (e->d_type == DT_DIR && e->d_name[0] == 's') {
			snprintf(sub, sizeof(sub), "%s/%s", base, e->d_name);
			for (int i = 0; i < 50 && rmdir(sub) < 0 && errno == EBUSY; i++)
				usleep(10 * 1000);
		}
	closedir(dir);
	rmdir(base);
}

int test_daemon_stop(struct test_daemon *d)
{
	int r = 0;

	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		r = test_wait_child(d->pid, 5000);
		d->pid = -1;
	}
	remove_cgroups(d);
	if (d->dir[0] && !getenv("AIRLOCK_TEST_KEEP"))
		test_tmpdir_remove(d->dir); /* best effort: a leftover in /tmp fails no test */
	return r;
}

int test_daemon_reload(struct test_daemon *d, const char *policy_yaml)
{
	char *before = test_daemon_log(d), *after;
	size_t len = strlen(before);
	long deadline = now_ms() + 5000;
	int r;

	free(before);
	if (!d->policy_path[0])
		return -EINVAL;
	r = write_file(d->policy_path, policy_yaml);
	if (r < 0)
		return r;
	if (kill(d->pid, SIGHUP) < 0)
		return -errno;
	while (now_ms() < deadline) {
		after = test_daemon_log(d);
		/* "policy reloaded ..." or "policy reload from ... failed ...". */
		r = strlen(after) > len && strstr(after + len, "policy reload") ? 0 : -EAGAIN;
		free(after);
		if (r == 0)
			return 0;
		usleep(10 * 1000);
	}
	return -ETIMEDOUT;
}

json_t *test_daemon_call(const struct test_daemon *d, const char *op_json)
{
	json_t *req = json_loads(op_json, 0, NULL), *res = NULL;
	int fd;

	if (!req)
		return NULL;
	fd = api_connect(d->runtime_dir);
	if (fd >= 0) {
		if (api_send(fd, req) == 0 && api_recv(fd, &res, 1 << 22) < 0)
			res = NULL;
		close(fd);
	}
	json_decref(req);
	return res;
}

json_t *test_daemon_wait_pending(const struct test_daemon *d, size_t n, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;

	do {
		json_t *res = test_daemon_call(d, "{\"op\":\"pending\"}");
		json_t *list = json_object_get(res, "pending");

		if (json_is_array(list) && json_array_size(list) >= n) {
			json_incref(list);
			json_decref(res);
			return list;
		}
		json_decref(res);
		usleep(10 * 1000);
	} while (now_ms() < deadline);
	return NULL;
}

static int build_argv(const struct test_daemon *d, const char **argv, char *bin, size_t bin_len,
		      va_list ap)
{
	const char *a;
	int n = 0;

	snprintf(bin, bin_len, "%s/airlock", test_build_dir());
	argv[n++] = bin;
	argv[n++] = "--runtime-dir";
	argv[n++] = d->runtime_dir;
	while ((a = va_arg(ap, const char *)) && n < MAX_ARGS - 1)
		argv[n++] = a;
	argv[n] = NULL;
	return n;
}

static pid_t spawn(const char **argv, int out_fd, int err_fd, uid_t uid, gid_t gid)
{
	pid_t pid = fork();

	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);

		if (uid != (uid_t)-1 &&
		    (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0))
			_exit(126);

		dup2(nul, 0);
		dup2(out_fd >= 0 ? out_fd : nul, 1);
		dup2(err_fd >= 0 ? err_fd : nul, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid < 0 ? -errno : pid;
}

static int run_capture(const char **argv, uid_t uid, gid_t gid, char **ret_out, char **ret_err)
{
	char *out, *err;
	int po[2], pe[2], r;
	pid_t pid;

	if (pipe2(po, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(pe, O_CLOEXEC) < 0) {
		close(po[0]);
		close(po[1]);
		return -errno;
	}
	pid = spawn(argv, po[1], pe[1], uid, gid);
	close(po[1]);
	close(pe[1]);
	if (pid < 0) {
		close(po[0]);
		close(pe[0]);
		return pid;
	}
	/* Small outputs: reading one pipe to EOF before the other cannot fill the second. */
	out = test_read_all(po[0], 20000);
	err = test_read_all(pe[0], 20000);
	close(po[0]);
	close(pe[0]);
	r = test_wait_child(pid, 20000);
	if (ret_out)
		*ret_out = out;
	else
		free(out);
	if (ret_err)
		*ret_err = err;
	else
		free(err);
	return r;
}

int test_airlock(const struct test_daemon *d, char **ret_out, char **ret_err, ...)
{
	const char *argv[MAX_ARGS];
	char bin[PATH_MAX + 16];
	va_list ap;

	va_start(ap, ret_err);
	build_argv(d, argv, bin, sizeof(bin), ap);
	va_end(ap);
	return run_capture(argv, (uid_t)-1, (gid_t)-1, ret_out, ret_err);
}

int test_airlock_as(const struct test_daemon *d, uid_t uid, gid_t gid, char **ret_out,
		    char **ret_err, ...)
{
	const char *argv[MAX_ARGS];
	char bin[PATH_MAX + 16];
	va_list ap;

	va_start(ap, ret_err);
	build_argv(d, argv, bin, sizeof(bin), ap);
	va_end(ap);
	return run_capture(argv, uid, gid, ret_out, ret_err);
}

pid_t test_airlock_spawn(const struct test_daemon *d, int *ret_out_fd, ...)
{
	const char *argv[MAX_ARGS];
	char bin[PATH_MAX + 16];
	int p[2] = { -1, -1 };
	va_list ap;
	pid_t pid;

	va_start(ap, ret_out_fd);
	build_argv(d, argv, bin, sizeof(bin), ap);
	va_end(ap);
	if (ret_out_fd && pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = spawn(argv, p[1], p[1], (uid_t)-1, (gid_t)-1);
	if (p[1] >= 0)
		close(p[1]);
	if (pid < 0) {
		if (p[0] >= 0)
			close(p[0]);
		return pid;
	}
	if (ret_out_fd)
		*ret_out_fd = p[0];
	return pid;
}
