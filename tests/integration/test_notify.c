// SPDX-License-Identifier: Apache-2.0
/*
 * The gate's kernel side against real seccomp notifications: a forked child makes real
 * syscalls under a real filter, this process serves them with notify_recv/notify_allow/
 * notify_deny and checks what actually happened.  Opens, path resolution, the races a
 * target can run against the daemon, pid reuse; the other emulated calls are in
 * test_notify_emulate.c.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gate_cases.h"
#include "gate_harness.h"
#include "procmem.h"

/* ---- opens ------------------------------------------------------------------------ */

/* Runs child(arg) under a filter on the opens with every open recorded into rec and
 * allowed unless it is rec->deny_path; the test fails unless the child returns 0 (its
 * other returns name the step that went wrong). */
static void run_recorded(const struct gate_child_opts *opts, gate_child_fn child, void *arg,
			 struct record *rec)
{
	struct gate_harness h;
	int r;

	r = run_gated(open_calls, 4, opts, child, arg, record_decide, rec, &h);
	cr_assert_eq(r, 0, "child failed at step %d", r);
}

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

/* A target with the daemon's own ids takes no credential switch, but its umask still
 * applies to what the daemon creates for it, and the daemon's comes back afterwards. */
Test(notify, same_identity_target_still_gets_its_umask, .init = setup, .fini = teardown)
{
	struct gate_child_opts opts = { .umask = 027 };
	struct gate_harness h;
	struct record rec = { 0 };
	char path[128];
	struct stat st;
	mode_t mine = umask(077);

	snprintf(path, sizeof(path), "%s/made", dir);
	cr_assert_eq(run_gated(open_calls, 4, &opts, child_create, path, record_decide, &rec, &h),
		     0);
	cr_assert_eq(rec.n, 1);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_uid, geteuid());
	cr_assert_eq(st.st_mode & 07777, 0640, "mode %o", st.st_mode & 07777);
	cr_assert_eq(umask(mine), 077, "the daemon's umask was not given back");
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
	struct record rec = { 0 };
	char sub[128], deep[128], link[128], secret[128], want[128];

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

	run_recorded(NULL, child_resolve, c, &rec);
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
	cr_assert_eq(
		run_gated(open_calls, 4, NULL, child_pipe_reopen, pfd, record_decide, &rec, &h), 0);
	cr_assert_eq(rec.n, 1);
	cr_assert(strncmp(rec.path[0], "pipe:[", 6) == 0, "path '%s'", rec.path[0]);
	close(pfd[1]);
	cr_assert_eq(read(pfd[0], buf, sizeof(buf) - 1), 8);
	cr_assert_str_eq(buf, "via-proc");
}

/* ---- races ------------------------------------------------------------------------ */

#define RACE_MS	   2500
#define RACE_ITERS 20000

struct race {
	char allowed[128];
	char protected_path[128];
	ino_t protected_ino;
	atomic_int stop;
	/* results, written by the child */
	int opens, denied, escapes;
};

static char race_buf[128]; /* the child's path buffer that a second thread rewrites */

static long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *flip_path(void *arg)
{
	struct race *rc = arg;
	size_t i = strlen(rc->allowed) - 1; /* the names differ in their last byte only */
	char a = rc->allowed[i], p = rc->protected_path[i];

	while (!atomic_load(&rc->stop)) {
		__atomic_store_n(&race_buf[i], p, __ATOMIC_RELAXED);
		__atomic_store_n(&race_buf[i], a, __ATOMIC_RELAXED);
	}
	return NULL;
}

static int count_escape(struct race *rc, int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && st.st_ino == rc->protected_ino)
		rc->escapes++;
	close(fd);
	return 0;
}

static int child_buffer_race(void *arg)
{
	struct race *rc = arg;
	long end = ms_now() + RACE_MS;
	pthread_t th;
	int i;

	snprintf(race_buf, sizeof(race_buf), "%s", rc->allowed);
	if (pthread_create(&th, NULL, flip_path, rc))
		return 60;
	for (i = 0; i < RACE_ITERS && ms_now() < end; i++) {
		int fd = open(race_buf, O_WRONLY);

		if (fd >= 0) {
			rc->opens++;
			count_escape(rc, fd);
		} else if (errno == EPERM) {
			rc->denied++;
		}
	}
	atomic_store(&rc->stop, 1);
	pthread_join(th, NULL);
	return 0;
}

struct race_decider {
	struct race *rc;
	int hits; /* allowed, and the target's buffer named the protected file right after */
};

static int race_decide(struct gate_notif *n, void *arg)
{
	struct race_decider *d = arg;
	char now[128];

	if (strcmp(n->req.path, d->rc->protected_path) == 0)
		return EPERM;
	/* A decision takes time (policy, or a human): the flipping thread runs meanwhile,
	 * even on a loaded machine. */
	usleep(50);
	/* The window CONTINUE would leave open: the kernel would read this memory again. */
	if (procmem_read_string(n->req.pid, n->req.args[1], now, sizeof(now)) == 0 &&
	    strcmp(now, d->rc->protected_path) == 0)
		d->hits++;
	return GATE_ALLOW;
}

Test(notify, racing_path_rewrite_never_opens_protected, .init = setup, .fini = teardown,
     .timeout = 60)
{
	struct race *rc = gate_shared(sizeof(*rc));
	struct race_decider d = { .rc = rc };
	struct gate_harness h;
	struct stat st;

	snprintf(rc->allowed, sizeof(rc->allowed), "%s/fa", dir);
	snprintf(rc->protected_path, sizeof(rc->protected_path), "%s/fp", dir);
	close(open(rc->allowed, O_WRONLY | O_CREAT, 0666));
	close(open(rc->protected_path, O_WRONLY | O_CREAT, 0666));
	cr_assert_eq(stat(rc->protected_path, &st), 0);
	rc->protected_ino = st.st_ino;

	cr_assert_eq(run_gated(open_calls, 4, NULL, child_buffer_race, rc, race_decide, &d, &h), 0);
	cr_log_info("buffer race: %d opens, %d denied, %d hits, %d escapes", rc->opens, rc->denied,
		    d.hits, rc->escapes);
	cr_assert_gt(rc->opens, 0);
	cr_assert_gt(rc->denied, 0, "the flipping thread never showed the protected name");
	cr_assert_gt(d.hits, 0, "the race window was never hit: the test proves nothing");
	cr_assert_eq(rc->escapes, 0, "the protected file was opened %d times", rc->escapes);
}

/* A directory on the decided path is exchanged with a symlink to the protected directory:
 * between the decision and the open, "d/f" may lead to "prot/f". */
struct swap {
	struct race rc;
	char d[96], dl[96];
};

static void *swap_dirs(void *arg)
{
	struct swap *sw = arg;

	while (!atomic_load(&sw->rc.stop))
		syscall(SYS_renameat2, AT_FDCWD, sw->d, AT_FDCWD, sw->dl, RENAME_EXCHANGE);
	return NULL;
}

static int child_swap_race(void *arg)
{
	struct swap *sw = arg;
	struct race *rc = &sw->rc;
	long end = ms_now() + RACE_MS;
	pthread_t th;
	int i;

	if (pthread_create(&th, NULL, swap_dirs, sw))
		return 61;
	for (i = 0; i < RACE_ITERS && ms_now() < end; i++) {
		int fd = open(rc->allowed, O_WRONLY);

		if (fd >= 0) {
			rc->opens++;
			count_escape(rc, fd);
		} else if (errno == EPERM) {
			rc->denied++;
		}
	}
	atomic_store(&rc->stop, 1);
	pthread_join(th, NULL);
	return 0;
}

static int swap_decide(struct gate_notif *n, void *arg)
{
	struct race *rc = arg;

	if (strcmp(n->req.path, rc->protected_path) == 0)
		return EPERM;
	/* A decision takes time (policy, or a human): give the swapping thread a window. */
	usleep(50);
	return GATE_ALLOW;
}

Test(notify, symlink_swap_never_opens_protected, .init = setup, .fini = teardown, .timeout = 60)
{
	struct swap *sw = gate_shared(sizeof(*sw));
	struct race *rc = &sw->rc;
	struct gate_harness h;
	char prot[96];
	struct stat st;

	snprintf(sw->d, sizeof(sw->d), "%s/d", dir);
	snprintf(sw->dl, sizeof(sw->dl), "%s/dl", dir);
	snprintf(prot, sizeof(prot), "%s/prot", dir);
	cr_assert_eq(mkdir(sw->d, 0755), 0);
	cr_assert_eq(mkdir(prot, 0755), 0);
	cr_assert_eq(symlink("prot", sw->dl), 0);
	snprintf(rc->allowed, sizeof(rc->allowed), "%s/f", sw->d);
	snprintf(rc->protected_path, sizeof(rc->protected_path), "%s/f", prot);
	close(open(rc->allowed, O_WRONLY | O_CREAT, 0666));
	close(open(rc->protected_path, O_WRONLY | O_CREAT, 0666));
	cr_assert_eq(stat(rc->protected_path, &st), 0);
	rc->protected_ino = st.st_ino;

	cr_assert_eq(run_gated(open_calls, 4, NULL, child_swap_race, sw, swap_decide, rc, &h), 0);
	cr_log_info("swap race: %d opens, %d denied, %u caught stale, %d escapes", rc->opens,
		    rc->denied, h.stale, rc->escapes);
	cr_assert_gt(rc->opens, 0);
	cr_assert_gt(rc->denied, 0);
	cr_assert_gt(h.stale, 0, "no swap ever landed between decision and open");
	cr_assert_eq(rc->escapes, 0, "the protected file was opened %d times", rc->escapes);
}

/* ---- pid reuse -------------------------------------------------------------------- */

static int child_open_and_wait(void *arg)
{
	int fd = open(arg, O_WRONLY | O_CREAT, 0600);

	return fd >= 0 ? 0 : 70;
}

/* The process that takes a dead target's pid: waits in / until killed. */
static int park_in_root(void *arg)
{
	(void)arg;
	if (chdir("/") == 0)
		pause();
	return 0;
}

Test(notify, killed_target_is_never_answered_or_acted_for, .init = setup, .fini = teardown)
{
	struct gate_notif *n = calloc(1, sizeof(*n));
	struct gate_harness h;
	struct pollfd pfd;
	char path[128];
	pid_t victim, reuse;
	int r, status;

	snprintf(path, sizeof(path), "%s/after-death", dir);
	cr_assert_eq(gate_start(&h, open_calls, 4, NULL, child_open_and_wait, path), 0);
	pfd = (struct pollfd){ .fd = h.listener, .events = POLLIN };
	cr_assert_eq(poll(&pfd, 1, 5000), 1);
	cr_assert_eq(notify_recv(h.listener, n), 0);
	cr_assert_str_eq(n->req.path, path);
	cr_assert(notify_id_valid(n));

	/* The target dies while its notification is parked (an ask pending)... */
	victim = h.child;
	kill(victim, SIGKILL);
	cr_assert_eq(waitpid(victim, &status, 0), victim);
	h.child = 0;
	/* ...and, when we manage it, another process takes its pid. */
	reuse = gate_fork_with_pid(victim, park_in_root, NULL);
	cr_log_info("pid %d %s", victim, reuse == victim ? "reused" : "not reused");

	cr_assert_not(notify_id_valid(n));
	r = notify_allow(n);
	cr_assert_eq(r, -ENOENT, "notify_allow: %d", r);
	cr_assert_eq(access(path, F_OK), -1, "the open was performed for a dead target");
	cr_assert_eq(notify_deny(n, EPERM), -ENOENT);
	if (reuse > 0) {
		kill(reuse, SIGKILL);
		waitpid(reuse, NULL, 0);
	}
	notify_release(n);
	free(n);
	gate_stop(&h);
}

/* ---- special files ---------------------------------------------------------------- */

static int child_ctty(void *arg)
{
	const char *slave = arg;
	int s, fd;

	if (setsid() < 0)
		return 120;
	s = open(slave, O_RDWR);
	if (s < 0 || ioctl(s, TIOCSCTTY, 0) < 0)
		return 121;
	/* /dev/tty must be the target's terminal, not the daemon's */
	fd = open("/dev/tty", O_WRONLY);
	if (fd < 0)
		return 122;
	if (write(fd, "ping", 4) != 4)
		return 123;
	return 0;
}

Test(notify, dev_tty_is_the_target_terminal, .init = setup, .fini = teardown)
{
	struct record rec = { 0 };
	char buf[64] = "", *slave;
	int m;

	m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	cr_assert_geq(m, 0);
	cr_assert_eq(grantpt(m), 0);
	cr_assert_eq(unlockpt(m), 0);
	slave = ptsname(m);
	cr_assert_not_null(slave);
	run_recorded(NULL, child_ctty, slave, &rec);
	cr_assert_eq(rec.n, 2);
	cr_assert_str_eq(rec.path[1], "/dev/tty");
	cr_assert_gt(read(m, buf, sizeof(buf) - 1), 0);
	cr_assert(strstr(buf, "ping"), "got '%s'", buf);
	close(m);
}

static int child_fifo(void *arg)
{
	int fd = open(arg, O_RDONLY);

	if (fd < 0)
		return 130;
	/* the target asked for a blocking fd and must get one */
	if (fcntl(fd, F_GETFL) & O_NONBLOCK)
		return 131;
	return 0;
}

Test(notify, fifo_open_does_not_block_the_daemon, .init = setup, .fini = teardown, .timeout = 30)
{
	struct record rec = { 0 };
	char path[128];

	snprintf(path, sizeof(path), "%s/fifo", dir);
	cr_assert_eq(mkfifo(path, 0666), 0);
	run_recorded(NULL, child_fifo, path, &rec);
	cr_assert_eq(rec.n, 1);
}

/* ---- other spellings -------------------------------------------------------------- */

static int child_named(void *arg)
{
	(void)arg;
	if (getppid() <= 0)
		return 140;
	if (syscall(SYS_getppid) != -1 || errno != EACCES)
		return 141;
	return 0;
}

static int named_decide(struct gate_notif *n, void *arg)
{
	int *count = arg;

	if (n->req.op != AL_OP_OTHER || strcmp(n->req.syscall, "getppid") != 0)
		return EINVAL;
	return (*count)++ == 0 ? GATE_ALLOW : EACCES;
}

Test(notify, syscall_outside_the_table_is_decided_by_name, .init = setup, .fini = teardown)
{
	static const char *const calls[] = { "getppid" };
	struct gate_harness h;
	int count = 0, r;

	r = run_gated(calls, 1, NULL, child_named, NULL, named_decide, &count, &h);
	cr_assert_eq(r, 0, "child failed at step %d", r);
	cr_assert_eq(count, 2);
}

static int child_openat2(void *arg)
{
	const char *d = arg;
	struct open_how how = { .flags = O_WRONLY | O_CREAT, .mode = 0600 };
	int dfd, fd;

	dfd = open(d, O_PATH | O_DIRECTORY);
	if (dfd < 0)
		return 150;
	how.resolve = RESOLVE_BENEATH;
	fd = (int)syscall(SYS_openat2, dfd, "in", &how, sizeof(how));
	if (fd < 0)
		return 151;
	close(fd);
	/* escaping the dirfd is refused as the kernel would: EXDEV */
	fd = (int)syscall(SYS_openat2, dfd, "../escaped", &how, sizeof(how));
	if (fd >= 0 || errno != EXDEV)
		return 152;
	/* O_TMPFILE: an unnamed file in the decided directory */
	fd = open(d, O_TMPFILE | O_WRONLY, 0600);
	if (fd < 0)
		return 153;
	if (write(fd, "t", 1) != 1)
		return 154;
	return 0;
}

Test(notify, openat2_resolve_flags_and_tmpfile, .init = setup, .fini = teardown)
{
	struct record rec = { 0 };
	char want[160], sub[128];

	snprintf(sub, sizeof(sub), "%s/sub", dir);
	cr_assert_eq(mkdir(sub, 0755), 0);
	run_recorded(NULL, child_openat2, sub, &rec);
	/* the O_PATH open of sub, then openat2 'in'; the escape fails in decoding; tmpfile */
	cr_assert_eq(rec.n, 3);
	snprintf(want, sizeof(want), "%s/in", sub);
	cr_assert_str_eq(rec.path[1], want);
	cr_assert_str_eq(rec.path[2], sub);
	cr_assert_eq(rec.op[2], AL_OP_WRITE);
	snprintf(want, sizeof(want), "%s/escaped", dir);
	cr_assert_eq(access(want, F_OK), -1);
}

static int child_chroot_open(void *arg)
{
	int fd;

	if (chroot(arg) < 0 || chdir("/") < 0)
		return 170;
	/* '..' at the root stays at the root, as it does for the target */
	fd = open("/../../inside", O_WRONLY | O_CREAT, 0600);
	if (fd < 0)
		return 171;
	close(fd);
	return 0;
}

Test(notify, chrooted_target_paths_are_in_its_root, .init = setup, .fini = teardown)
{
	struct record rec = { 0 };
	char p[128];

	run_recorded(NULL, child_chroot_open, dir, &rec);
	cr_assert_eq(rec.n, 1);
	cr_assert_str_eq(rec.path[0], "/inside");
	snprintf(p, sizeof(p), "%s/inside", dir);
	cr_assert_eq(access(p, F_OK), 0);
	cr_assert_eq(access("/inside", F_OK), -1);
}

static int child_sysctl(void *arg)
{
	int fd = open(arg, O_WRONLY);

	if (fd >= 0)
		return 190;
	return errno == EACCES ? 0 : 191;
}

/* procfs sysctl files check the opener's euid, not its fsuid: an open performed by a
 * root daemon with only the fsuid switched would hand a non-root target a writable
 * sysctl. */
Test(notify, nonroot_target_gets_no_root_only_sysctl, .init = setup, .fini = teardown)
{
	struct gate_child_opts opts = { .uid = NOBODY, .gid = NOBODY, .umask = -1 };
	struct record rec = { 0 };

	run_recorded(&opts, child_sysctl, "/proc/sys/kernel/domainname", &rec);
	cr_assert_eq(rec.n, 1);
	cr_assert_str_eq(rec.path[0], "/proc/sys/kernel/domainname");
}

static void *thread_own_cwd(void *arg)
{
	const char *sub = arg;
	long ok = 0;
	int fd;

	if (unshare(CLONE_FS) == 0 && chdir(sub) == 0) {
		fd = open("from-thread", O_WRONLY | O_CREAT, 0600);
		ok = fd >= 0;
		if (fd >= 0)
			close(fd);
	}
	return (void *)ok;
}

static int child_thread_cwd(void *arg)
{
	const char *d = arg;
	char sub[128];
	pthread_t th;
	void *ok;

	snprintf(sub, sizeof(sub), "%s/sub", d);
	if (chdir(d) < 0)
		return 210;
	if (pthread_create(&th, NULL, thread_own_cwd, sub) || pthread_join(th, &ok))
		return 211;
	return ok ? 0 : 212;
}

Test(notify, thread_cwd_is_the_thread_own, .init = setup, .fini = teardown)
{
	struct record rec = { 0 };
	char sub[128], want[160];

	snprintf(sub, sizeof(sub), "%s/sub", dir);
	cr_assert_eq(mkdir(sub, 0755), 0);
	run_recorded(NULL, child_thread_cwd, dir, &rec);
	cr_assert_eq(rec.n, 1);
	snprintf(want, sizeof(want), "%s/from-thread", sub);
	cr_assert_str_eq(rec.path[0], want);
	cr_assert_eq(access(want, F_OK), 0);
}

/* ---- what cannot be decoded is answered at once -------------------------------------- */

static int child_bad_args(void *arg)
{
	char *longpath = arg;

	/* an unreadable pointer: EFAULT, as the kernel would say */
	if (open((const char *)1, O_WRONLY | O_CREAT, 0600) >= 0 || errno != EFAULT)
		return 220;
	/* longer than PATH_MAX: ENAMETOOLONG */
	if (open(longpath, O_WRONLY | O_CREAT, 0600) >= 0 || errno != ENAMETOOLONG)
		return 221;
	/* a bad dirfd: EBADF */
	if (openat(999, "x", O_WRONLY | O_CREAT, 0600) >= 0 || errno != EBADF)
		return 222;
	return 0;
}

Test(notify, undecodable_calls_fail_as_the_kernel_would, .init = setup, .fini = teardown)
{
	char *longpath = gate_shared(PATH_MAX + 64);
	struct record rec = { 0 };

	memset(longpath, 'a', PATH_MAX + 10);
	longpath[0] = '/';
	longpath[PATH_MAX + 10] = '\0';
	run_recorded(NULL, child_bad_args, longpath, &rec);
	cr_assert_eq(rec.n, 0, "policy was asked about a call that could not be read");
}

#if defined(__x86_64__)
static int child_int80_open(void *arg)
{
	static const char path[] = "/dev/null";
	long ret;

	(void)arg;
	/* open(2) through the i386 ABI: number 5 there is fstat on x86_64 */
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(5L), "b"(path), "c"(0L), "d"(0L) : "memory");
	return ret == -ENOSYS ? 0 : 230;
}

Test(notify, foreign_arch_notification_is_refused, .init = setup, .fini = teardown)
{
	struct gate_child_opts opts = { .umask = -1, .foreign_arch = true };
	struct record rec = { 0 };
	struct gate_harness h;
	int r;

	r = run_gated(open_calls, 4, &opts, child_int80_open, NULL, record_decide, &rec, &h);
	cr_assert_eq(r, 0, "the i386 call was not refused with ENOSYS");
	cr_assert_eq(rec.n, 0);
}
#endif
