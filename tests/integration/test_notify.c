// SPDX-License-Identifier: Apache-2.0
/*
 * The gate's kernel side against real seccomp notifications: a forked child makes real
 * syscalls under a real filter, this process serves them with notify_recv/notify_allow/
 * notify_deny and checks what actually happened (files, owners, fds, sockets).
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gate_harness.h"
#include "procmem.h"

#define NOBODY 65534

static char dir[64];

static void setup(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root (seccomp listener handover, setfsuid, pidfd_getfd)");
	snprintf(dir, sizeof(dir), "/tmp/al-notify-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	chmod(dir, 0755);
}

static void teardown(void)
{
	if (dir[0])
		gate_rmtree(dir);
}

static const char *const open_calls[] = { "open", "openat", "openat2", "creat" };

/* ---- decisions -------------------------------------------------------------------- */

#define REC_MAX 16
struct record {
	int n;
	char path[REC_MAX][PATH_MAX];
	char path2[REC_MAX][PATH_MAX];
	enum al_op op[REC_MAX];
	int flags[REC_MAX];
	const char *deny_path; /* deny this one with EPERM */
};

static int record_decide(struct gate_notif *n, void *arg)
{
	struct record *rec = arg;

	if (rec->n < REC_MAX) {
		snprintf(rec->path[rec->n], PATH_MAX, "%s", n->req.path);
		snprintf(rec->path2[rec->n], PATH_MAX, "%s", n->req.path2);
		rec->op[rec->n] = n->req.op;
		rec->flags[rec->n] = n->req.open_flags;
	}
	rec->n++;
	if (rec->deny_path && strcmp(n->req.path, rec->deny_path) == 0)
		return EPERM;
	return GATE_ALLOW;
}

static int run_gated(const char *const *names, size_t n, const struct gate_child_opts *opts,
		     gate_child_fn fn, void *arg, gate_decide_fn decide, void *darg,
		     struct gate_harness *h)
{
	int status = -1, r;

	r = gate_start(h, names, n, opts, fn, arg);
	cr_assert_eq(r, 0, "gate_start: %s", strerror(-r));
	r = gate_serve(h, decide, darg, 20000, &status);
	cr_assert_eq(r, 0, "gate_serve: %s", strerror(-r));
	gate_stop(h);
	cr_assert(WIFEXITED(status), "child status %#x", status);
	return WEXITSTATUS(status);
}

/* ---- opens ------------------------------------------------------------------------ */

static int child_open_flags(void *arg)
{
	const char *path = arg;
	int fd, fl, fdfl;

	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return 10;
	fl = fcntl(fd, F_GETFL);
	fdfl = fcntl(fd, F_GETFD);
	if (!(fl & O_APPEND) || (fl & O_ACCMODE) != O_WRONLY)
		return 11;
	if (!(fdfl & FD_CLOEXEC))
		return 12;
	if (write(fd, "one\n", 4) != 4 || write(fd, "two\n", 4) != 4)
		return 13;
	close(fd);
	/* and without O_CLOEXEC the fd must not have it */
	fd = openat(AT_FDCWD, path, O_WRONLY | O_APPEND);
	if (fd < 0)
		return 14;
	if (fcntl(fd, F_GETFD) & FD_CLOEXEC)
		return 15;
	return 0;
}

Test(notify, allowed_open_returns_working_fd_with_flags, .init = setup, .fini = teardown)
{
	struct gate_harness h;
	struct record rec = { 0 };
	char path[128], buf[16] = "";
	int fd, r;

	snprintf(path, sizeof(path), "%s/out.txt", dir);
	r = run_gated(open_calls, 4, NULL, child_open_flags, path, record_decide, &rec, &h);
	cr_assert_eq(r, 0, "child failed at step %d", r);
	cr_assert_geq(rec.n, 2);
	cr_assert_str_eq(rec.path[0], path);
	cr_assert_eq(rec.op[0], AL_OP_WRITE);
	cr_assert(rec.flags[0] & O_APPEND);
	cr_assert_eq(h.allowed, (unsigned)rec.n);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	cr_assert_eq(read(fd, buf, sizeof(buf) - 1), 8);
	cr_assert_str_eq(buf, "one\ntwo\n");
	close(fd);
}

static int child_create(void *arg)
{
	int fd = open(arg, O_WRONLY | O_CREAT | O_EXCL, 0666);

	if (fd < 0)
		return errno == EACCES ? 20 : 21;
	close(fd);
	return 0;
}

Test(notify, created_file_has_target_owner_and_umask, .init = setup, .fini = teardown)
{
	struct gate_child_opts opts = { .uid = NOBODY, .gid = NOBODY, .umask = 027 };
	struct gate_harness h;
	struct record rec = { 0 };
	char path[128];
	struct stat st;

	chmod(dir, 0777);
	snprintf(path, sizeof(path), "%s/made", dir);
	cr_assert_eq(run_gated(open_calls, 4, &opts, child_create, path, record_decide, &rec, &h),
		     0);
	cr_assert_eq(rec.n, 1);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_uid, NOBODY);
	cr_assert_eq(st.st_gid, NOBODY);
	cr_assert_eq(st.st_mode & 07777, 0640, "mode %o", st.st_mode & 07777);
}

Test(notify, nonroot_target_cannot_create_in_root_dir, .init = setup, .fini = teardown)
{
	struct gate_child_opts opts = { .uid = NOBODY, .gid = NOBODY, .umask = -1 };
	struct gate_harness h;
	struct record rec = { 0 };
	char path[128];

	/* dir is root's, 0755: policy allows, the daemon is root, the target is not */
	snprintf(path, sizeof(path), "%s/nope", dir);
	cr_assert_eq(run_gated(open_calls, 4, &opts, child_create, path, record_decide, &rec, &h),
		     20, "expected EACCES in the child");
	cr_assert_eq(rec.n, 1);
	cr_assert_eq(access(path, F_OK), -1);
}

static int child_denied(void *arg)
{
	int fd = open(arg, O_WRONLY | O_CREAT, 0600);

	if (fd >= 0)
		return 30;
	return errno == EPERM ? 0 : 31;
}

Test(notify, denied_open_gets_eperm, .init = setup, .fini = teardown)
{
	struct gate_harness h;
	struct record rec = { 0 };
	char path[128];

	snprintf(path, sizeof(path), "%s/denied", dir);
	rec.deny_path = path;
	cr_assert_eq(run_gated(open_calls, 4, NULL, child_denied, path, record_decide, &rec, &h),
		     0);
	cr_assert_eq(h.denied, 1);
	cr_assert_eq(access(path, F_OK), -1);
}

/* ---- path resolution -------------------------------------------------------------- */

struct resolve_case {
	char dir[64];
};

static int child_resolve(void *arg)
{
	struct resolve_case *c = arg;
	char p[PATH_MAX];
	int dfd, fd;

	/* 0: relative to the cwd */
	if (chdir(c->dir) < 0)
		return 40;
	fd = open("rel", O_WRONLY | O_CREAT, 0600);
	if (fd < 0)
		return 41;
	close(fd);
	/* 1: relative to a dirfd */
	dfd = open("sub", O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		return 42;
	fd = openat(dfd, "viadirfd", O_WRONLY | O_CREAT, 0600);
	if (fd < 0)
		return 43;
	close(fd);
	/* 2: through /proc/self/fd/N of that dirfd */
	snprintf(p, sizeof(p), "/proc/self/fd/%d/viaproc", dfd);
	fd = open(p, O_WRONLY | O_CREAT, 0600);
	if (fd < 0)
		return 44;
	close(fd);
	/* 3: '..' after a symlink to a directory: physical, not lexical */
	fd = open("lnk/../dotdot", O_WRONLY | O_CREAT, 0600);
	if (fd < 0)
		return 45;
	close(fd);
	/* 4: /proc/self/cwd is the target's cwd */
	fd = open("/proc/self/cwd/./sub/../viacwd", O_WRONLY | O_CREAT, 0600);
	if (fd < 0)
		return 46;
	close(fd);
	/* 5: a symlink to a protected file is decided as the protected file */
	fd = open("ok", O_WRONLY);
	if (fd >= 0)
		return 47;
	if (errno != EPERM)
		return 48;
	return 0;
}

Test(notify, paths_resolved_as_the_target_sees_them, .init = setup, .fini = teardown)
{
	struct resolve_case *c = gate_shared(sizeof(*c));
	struct gate_harness h;
	struct record rec = { 0 };
	char sub[128], deep[128], link[128], secret[128], want[128];
	int r;

	snprintf(c->dir, sizeof(c->dir), "%s", dir);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	snprintf(deep, sizeof(deep), "%s/sub/deep", dir);
	snprintf(link, sizeof(link), "%s/lnk", dir);
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	cr_assert_eq(mkdir(sub, 0755), 0);
	cr_assert_eq(mkdir(deep, 0755), 0);
	cr_assert_eq(symlink(deep, link), 0); /* lnk/.. is sub, not dir */
	close(open(secret, O_WRONLY | O_CREAT, 0600));
	snprintf(link, sizeof(link), "%s/ok", dir);
	cr_assert_eq(symlink("secret", link), 0);
	rec.deny_path = secret;

	r = run_gated(open_calls, 4, NULL, child_resolve, c, record_decide, &rec, &h);
	cr_assert_eq(r, 0, "child failed at step %d", r);
	/* the O_RDONLY open of "sub" is notified too (every open is, here) */
	cr_assert_eq(rec.n, 7);
	cr_assert_eq(rec.op[1], AL_OP_READ);
	snprintf(want, sizeof(want), "%s/sub", dir);
	cr_assert_str_eq(rec.path[1], want);
	memmove(&rec.path[1], &rec.path[2], 5 * sizeof(rec.path[0]));
	snprintf(want, sizeof(want), "%s/rel", dir);
	cr_assert_str_eq(rec.path[0], want);
	snprintf(want, sizeof(want), "%s/sub/viadirfd", dir);
	cr_assert_str_eq(rec.path[1], want);
	snprintf(want, sizeof(want), "%s/sub/viaproc", dir);
	cr_assert_str_eq(rec.path[2], want);
	snprintf(want, sizeof(want), "%s/sub/dotdot", dir);
	cr_assert_str_eq(rec.path[3], want);
	cr_assert_eq(access(want, F_OK), 0, "created where the kernel resolves '..'");
	snprintf(want, sizeof(want), "%s/viacwd", dir);
	cr_assert_str_eq(rec.path[4], want);
	cr_assert_str_eq(rec.path[5], secret);
}

/* /dev/stdout-style opens: a /proc/self/fd/N link to a pipe has no path; it is re-opened
 * through the link, as the kernel would. */
static int child_pipe_reopen(void *arg)
{
	int *pfd = arg, fd;
	char p[64];

	snprintf(p, sizeof(p), "/proc/self/fd/%d", pfd[1]);
	fd = open(p, O_WRONLY);
	if (fd < 0)
		return 50;
	if (write(fd, "via-proc", 8) != 8)
		return 51;
	return 0;
}

Test(notify, pipe_behind_proc_fd_link_is_reopened, .init = setup, .fini = teardown)
{
	struct gate_harness h;
	struct record rec = { 0 };
	int pfd[2];
	char buf[16] = "";

	cr_assert_eq(pipe(pfd), 0);
	cr_assert_eq(run_gated(open_calls, 4, NULL, child_pipe_reopen, pfd, record_decide, &rec,
			       &h),
		     0);
	cr_assert_eq(rec.n, 1);
	cr_assert(strncmp(rec.path[0], "pipe:[", 6) == 0, "path '%s'", rec.path[0]);
	close(pfd[1]);
	cr_assert_eq(read(pfd[0], buf, sizeof(buf) - 1), 8);
	cr_assert_str_eq(buf, "via-proc");
}
