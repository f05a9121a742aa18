// SPDX-License-Identifier: Apache-2.0
/*
 * Handles kept across notifications (agent/target.h, target_cache): real processes, real
 * seccomp notifications, real pid reuse.  A cached /proc/TID dirfd must never act for a
 * thread other than the one it was opened for, and a cached root must never stand for a
 * root the thread has left.  See docs/gate.md, "Handles kept across notifications".
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gate_harness.h"
#include "notify.h"
#include "target.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/airlock-tcache-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	gate_rmtree(dir);
}

static int just_pause(void *arg)
{
	(void)arg;
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* a failed assertion must not leave it behind */
	pause();
	return 0;
}

/* chroot into arg, name itself, wait */
static int jailed_pause(void *arg)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (chroot(arg) < 0 || chdir("/") < 0)
		return 90;
	prctl(PR_SET_NAME, "reused-tid");
	pause();
	return 0;
}

/* The property the cache rests on: a dirfd of /proc/TID fails once its thread is gone,
 * even when the number names a new process since; and target_get() then opens fresh
 * handles on the new one instead of lending the stale entry. */
Test(target_cache, dirfd_of_exited_thread_fails_after_tid_reuse, .init = setup, .fini = teardown)
{
	struct target_cache *c;
	struct target_cache_counts k;
	struct target *t;
	char jail[PATH_MAX], comm[32] = "";
	pid_t a, b;
	int old, fd;
	ssize_t n;

	snprintf(jail, sizeof(jail), "%s/jail", dir);
	cr_assert_eq(mkdir(jail, 0755), 0);
	cr_assert_eq(target_cache_new(&c), 0);
	a = fork();
	if (a == 0)
		_exit(just_pause(NULL));
	cr_assert_eq(target_get(c, a, 0, &t), 0);
	cr_assert_str_eq(t->rootpfx, "");
	old = dup(t->procfd);
	target_put(t, false);
	/* a second get while a lives is a hit */
	cr_assert_eq(target_get(c, a, 0, &t), 0);
	target_put(t, false);
	target_cache_get_counts(c, &k);
	cr_assert_eq(k.hits, 1);

	kill(a, SIGKILL);
	cr_assert_eq(waitpid(a, NULL, 0), a);
	b = gate_fork_with_pid(a, jailed_pause, jail);
	if (b != a) {
		if (b > 0) {
			kill(b, SIGKILL);
			waitpid(b, NULL, 0);
		}
		close(old);
		target_cache_unref(c);
		cr_skip_test("pid %d was taken by another process before it could be reused", a);
	}
	/* wait until b is in its jail */
	for (int i = 0; i < 500 && strcmp(comm, "reused-tid\n") != 0; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/comm", b);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		n = fd >= 0 ? read(fd, comm, sizeof(comm) - 1) : -1;
		comm[n > 0 ? n : 0] = '\0';
		if (fd >= 0)
			close(fd);
		usleep(2000);
	}
	cr_assert_str_eq(comm, "reused-tid\n");

	/* the old dirfd names the dead process, not the number's new owner */
	fd = openat(old, "status", O_RDONLY | O_CLOEXEC);
	cr_assert_lt(fd, 0, "a dirfd of a reaped process still opens 'status'");
	cr_assert(errno == ENOENT || errno == ESRCH, "errno %d", errno);
	close(old);

	cr_assert_eq(target_get(c, a, 0, &t), 0);
	target_cache_get_counts(c, &k);
	cr_assert_eq(k.stale, 1, "the stale entry was lent");
	cr_assert_str_eq(t->rootpfx, jail);
	fd = openat(t->procfd, "comm", O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	n = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	comm[n > 0 ? n : 0] = '\0';
	cr_assert_str_eq(comm, "reused-tid\n");
	target_put(t, false);
	kill(b, SIGKILL);
	waitpid(b, NULL, 0);
	target_cache_unref(c);
}

/* What serve_all() saw of each notification: the ids the request carried. */
struct seen {
	int n;
	uid_t uid[16];
	gid_t gid[16];
};

static struct seen *seen; /* shared with nobody: serve_all() runs in the test process */

/* Serve every notification of h with allow, through cache, until the child exits. */
static int serve_all(struct gate_harness *h, struct target_cache *cache, int *ret_status)
{
	struct pollfd p[2] = { { .fd = h->listener, .events = POLLIN },
			       { .fd = h->pidfd, .events = POLLIN } };

	for (;;) {
		struct gate_notif n = { .pidfd = -1, .wait_fd = -1 };
		int r;

		if (poll(p, 2, 10000) <= 0)
			return -ETIMEDOUT;
		if (p[1].revents & POLLIN)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		r = notify_recv_cached(h->listener, cache, &n);
		if (r < 0)
			continue;
		if (seen && seen->n < 16) {
			seen->uid[seen->n] = n.req.uid;
			seen->gid[seen->n++] = n.req.gid;
		}
		n.decided_at_once = true;
		r = notify_allow(&n);
		if (r < 0 && r != -ENOENT && r != -ESTALE)
			notify_deny(&n, EPERM);
		notify_release(&n);
	}
	if (waitpid(h->child, ret_status, 0) != h->child)
		return -ECHILD;
	h->child = 0;
	return 0;
}

/* A file a child makes in a root of its own: it chroots into jail, then opens inside. */
struct jailed_open {
	char jail[PATH_MAX];
	char inside[64]; /* "/name" */
};

/* dir/jail, made; inside named after tag and this process */
static void jailed_open_prepare(struct jailed_open *j, const char *tag)
{
	snprintf(j->jail, sizeof(j->jail), "%s/jail", dir);
	snprintf(j->inside, sizeof(j->inside), "/airlock-tcache-%s%d", tag, (int)getpid());
	cr_assert_eq(mkdir(j->jail, 0755), 0);
}

/* An open made in the daemon's root instead is removed: the failure of
 * jailed_open_made() says so. */
static void jailed_open_unlink_stray(const struct jailed_open *j)
{
	if (access(j->inside, F_OK) == 0)
		unlink(j->inside);
}

static bool jailed_open_made(const struct jailed_open *j)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s%s", j->jail, j->inside);
	return access(path, F_OK) == 0;
}

/* a child: arg is a struct jailed_open */
static int open_in_jail(void *arg)
{
	const struct jailed_open *j = arg;
	int fd;

	if (chroot(j->jail) < 0 || chdir("/") < 0)
		return 30;
	fd = open(j->inside, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return 31;
	close(fd);
	return 0;
}

static const char *const open_calls[] = { "open", "openat", "openat2", "creat" };

/* Run fn(arg) in a child whose calls names[0..n-1] are notified, every one allowed through
 * c; the child's wait status. */
static int run_served(struct target_cache *c, const char *const *names, size_t n, gate_child_fn fn,
		      void *arg)
{
	struct gate_harness h;
	int status = -1;

	cr_assert_eq(gate_start(&h, names, n, NULL, fn, arg), 0);
	cr_assert_eq(serve_all(&h, c, &status), 0);
	gate_stop(&h);
	return status;
}

static void assert_child_ok(int status)
{
	cr_assert(WIFEXITED(status), "child status %#x", status);
	cr_assert_eq(WEXITSTATUS(status), 0, "child failed at step %d", WEXITSTATUS(status));
}

struct jail_args {
	char first[PATH_MAX]; /* opened before the chroot */
	struct jailed_open j; /* after it */
};

/* Open, chroot (not notified), open again: the second open must be made in the new root. */
static int child_chroot_between(void *arg)
{
	struct jail_args *a = arg;
	int fd;

	fd = open(a->first, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return 10;
	close(fd);
	fd = open(a->first, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return 11;
	close(fd);
	return open_in_jail(&a->j);
}

Test(target_cache, root_changed_without_a_notification_is_not_reused, .init = setup,
     .fini = teardown)
{
	struct jail_args *a = gate_shared(sizeof(*a));
	struct target_cache_counts k;
	struct target_cache *c;
	int status;

	snprintf(a->first, sizeof(a->first), "%s/first", dir);
	jailed_open_prepare(&a->j, "");
	cr_assert_eq(target_cache_new(&c), 0);
	status = run_served(c, open_calls, 4, child_chroot_between, a);
	jailed_open_unlink_stray(&a->j);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
	cr_assert(jailed_open_made(&a->j), "'%s%s' was not created in the new root", a->j.jail,
		  a->j.inside);
	target_cache_get_counts(c, &k);
	/* the second open reused the first's handles; the third found the root changed */
	cr_assert_eq(k.misses, 1);
	cr_assert_eq(k.hits, 1);
	cr_assert_eq(k.stale, 1);
	target_cache_unref(c);
}

struct reuse_args {
	char before[PATH_MAX]; /* opened by the first process */
	struct jailed_open j;  /* by the second */
	pid_t first, second;
};

/* The child exited 0; 77 means another process took the pid first: the test is skipped. */
static void assert_reused(int status, pid_t pid, struct target_cache *c)
{
	cr_assert(WIFEXITED(status), "child status %#x", status);
	if (WEXITSTATUS(status) == 77) {
		target_cache_unref(c);
		cr_skip_test("pid %d was taken by another process before it could be reused", pid);
	}
	cr_assert_eq(WEXITSTATUS(status), 0, "child failed at step %d", WEXITSTATUS(status));
}

static int open_before(void *arg)
{
	struct reuse_args *a = arg;
	int fd = open(a->before, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return 20;
	close(fd);
	return 0;
}

/* Two processes of one session (one listener) that get the same pid one after the other:
 * the second's gated open must be made in its own root, through its own handles. */
static int child_reuse(void *arg)
{
	struct reuse_args *a = arg;
	int status;
	pid_t p;

	p = fork();
	if (p == 0)
		_exit(open_before(a));
	if (p < 0 || waitpid(p, &status, 0) != p || !WIFEXITED(status) || WEXITSTATUS(status))
		return 40;
	a->first = p;
	a->second = gate_fork_with_pid(p, open_in_jail, &a->j);
	if (a->second != p)
		return 77; /* not reused: the test is skipped */
	if (waitpid(p, &status, 0) != p || !WIFEXITED(status))
		return 41;
	return WEXITSTATUS(status);
}

Test(target_cache, reused_tid_in_the_session_never_gets_the_stale_handles, .init = setup,
     .fini = teardown)
{
	struct reuse_args *a = gate_shared(sizeof(*a));
	struct target_cache_counts k;
	struct target_cache *c;
	int status;

	jailed_open_prepare(&a->j, "reuse-");
	snprintf(a->before, sizeof(a->before), "%s/before", dir);
	cr_assert_eq(target_cache_new(&c), 0);
	status = run_served(c, open_calls, 4, child_reuse, a);
	jailed_open_unlink_stray(&a->j);
	assert_reused(status, a->first, c);
	cr_assert_eq(a->first, a->second);
	cr_assert_eq(access(a->before, F_OK), 0);
	cr_assert(jailed_open_made(&a->j), "'%s%s' was not created in the second process's root",
		  a->j.jail, a->j.inside);
	target_cache_get_counts(c, &k);
	/* the first process's entry was found stale (its thread gone), never lent (the
	 * other entries are the session's first process's, which writes ns_last_pid) */
	cr_assert_eq(k.stale, 1);
	target_cache_unref(c);
}

/* The sweep drops the entries of threads that are gone, and only those. */
Test(target_cache, sweep_drops_exited_threads)
{
	struct target_cache_counts k;
	struct target_cache *c;
	struct target *t;
	pid_t a, b;

	cr_assert_eq(target_cache_new(&c), 0);
	a = fork();
	if (a == 0)
		_exit(just_pause(NULL));
	b = fork();
	if (b == 0)
		_exit(just_pause(NULL));
	cr_assert_eq(target_get(c, a, 0, &t), 0);
	target_put(t, false);
	cr_assert_eq(target_get(c, b, 0, &t), 0);
	target_put(t, false);
	kill(a, SIGKILL);
	waitpid(a, NULL, 0);
	target_cache_sweep(c);
	/* b's entry survived the sweep (a hit), a's did not (a plain miss, not stale) */
	cr_assert_eq(target_get(c, b, 0, &t), 0);
	target_put(t, false);
	cr_assert_eq(target_get(c, a, 0, &t), -ENOENT);
	target_cache_get_counts(c, &k);
	cr_assert_eq(k.hits, 1);
	cr_assert_eq(k.stale, 0);
	cr_assert_eq(k.misses, 3);
	kill(b, SIGKILL);
	waitpid(b, NULL, 0);
	target_cache_unref(c);
}

/* ---- the second NOTIF_ID_VALID ------------------------------------------------------ */

static int child_open_once(void *arg)
{
	int fd = open(arg, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	return fd >= 0 ? 0 : 50;
}

/* notify_allow() skips its NOTIF_ID_VALID only when told the decision came at once; a
 * notification struct used before (the bench and airlockd's restart reuse them) must not
 * carry that over: after a wait, a dead target gets nothing done for it. */
Test(notify_once, the_skip_is_never_inherited_and_a_dead_target_gets_nothing, .init = setup,
     .fini = teardown)
{
	struct gate_notif *n = calloc(1, sizeof(*n));
	struct target_cache *c;
	struct gate_harness h;
	struct pollfd pfd;
	char path[128];
	int status;

	snprintf(path, sizeof(path), "%s/after-death", dir);
	cr_assert_eq(target_cache_new(&c), 0);
	cr_assert_eq(gate_start(&h, open_calls, 4, NULL, child_open_once, path), 0);
	pfd = (struct pollfd){ .fd = h.listener, .events = POLLIN };
	cr_assert_eq(poll(&pfd, 1, 5000), 1);
	n->decided_at_once = true; /* left over from an earlier notification */
	cr_assert_eq(notify_recv_cached(h.listener, c, n), 0);
	cr_assert_not(n->decided_at_once, "notify_recv() kept a caller's skip");
	cr_assert_str_eq(n->req.path, path);

	/* the target dies while its decision waits */
	kill(h.child, SIGKILL);
	cr_assert_eq(waitpid(h.child, &status, 0), h.child);
	h.child = 0;
	cr_assert_eq(notify_allow(n), -ENOENT);
	cr_assert_eq(access(path, F_OK), -1, "the open was performed for a dead target");
	notify_release(n);
	free(n);
	gate_stop(&h);
	target_cache_unref(c);
}

/* ---- credentials are read for each notification, from the thread ------------------- */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/syscall.h>

struct creds_args {
	char path[PATH_MAX];
	int port;
	int step; /* where the thread failed, 0 if it did not */
};

static int connect_local(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), r;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0)
		return -1;
	r = connect(s, (struct sockaddr *)&sa, sizeof(sa));
	close(s);
	return r;
}

/* A thread whose real ids are not its process's, and change between its calls: raw
 * syscalls, so that only this thread changes. */
static void *creds_thread(void *arg)
{
	struct creds_args *a = arg;
	int fd;

	if (connect_local(a->port) < 0)
		a->step = 60;
	else if (syscall(SYS_setresgid, 4320, -1, -1) < 0 ||
		 syscall(SYS_setresuid, 4321, -1, -1) < 0)
		a->step = 61;
	else if (connect_local(a->port) < 0)
		a->step = 62;
	else if (syscall(SYS_setresuid, 4322, -1, -1) < 0)
		a->step = 63;
	else if ((fd = open(a->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) < 0)
		a->step = 64;
	else
		close(fd);
	/* fd numbers only this thread holds: pidfd_getfd must take from its table */
	if (!a->step && unshare(CLONE_FILES) < 0)
		a->step = 65;
	if (!a->step && connect_local(a->port) < 0)
		a->step = 66;
	return NULL;
}

static int child_creds(void *arg)
{
	struct creds_args *a = arg;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	pthread_t th;
	int l;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 8) < 0 ||
	    getsockname(l, (struct sockaddr *)&sa, &len) < 0)
		return 70;
	a->port = ntohs(sa.sin_port);
	if (pthread_create(&th, NULL, creds_thread, a) != 0)
		return 71;
	pthread_join(th, NULL);
	return a->step;
}

Test(target_cache, ids_are_the_calling_threads_and_never_kept, .init = setup, .fini = teardown)
{
	static const char *const calls[] = { "connect", "open", "openat", "openat2" };
	struct creds_args *a = gate_shared(sizeof(*a));
	struct target_cache_counts k;
	struct target_cache *c;
	struct seen saw = { 0 };
	int status;

	snprintf(a->path, sizeof(a->path), "%s/by-thread", dir);
	cr_assert_eq(target_cache_new(&c), 0);
	seen = &saw;
	status = run_served(c, calls, 4, child_creds, a);
	seen = NULL;
	assert_child_ok(status);
	cr_assert_eq(saw.n, 4, "%d notifications", saw.n);
	/* connect (fresh handles), connect after the thread's setresuid (reused handles, ids
	 * only), open (reused handles, status), connect from the thread's own fd table */
	cr_assert_eq(saw.uid[0], 0);
	cr_assert_eq(saw.uid[1], 4321);
	cr_assert_eq(saw.gid[1], 4320);
	cr_assert_eq(saw.uid[2], 4322);
	cr_assert_eq(saw.uid[3], 4322);
	target_cache_get_counts(c, &k);
	cr_assert_eq(k.misses, 1);
	cr_assert_eq(k.hits, 3);
	cr_assert_eq(access(a->path, F_OK), 0);
	target_cache_unref(c);
}

/* ---- connect: an IP address on a socket of another family ---------------------------- */

#include <sys/un.h>

static int child_unix_to_ip(void *arg)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(9) };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	(void)arg;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0)
		return 80;
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return 81;
	return errno == EINVAL ? 0 : 82;
}

/* The daemon connects an IP destination itself without asking the socket's family; an
 * AF_UNIX socket must still fail as it would have on its own (EINVAL), with no connector. */
Test(notify_connect, ip_address_on_a_unix_socket_fails_as_the_kernel_says, .init = setup,
     .fini = teardown)
{
	static const char *const calls[] = { "connect" };
	struct target_cache *c;
	struct seen saw = { 0 };
	int status;

	cr_assert_eq(target_cache_new(&c), 0);
	seen = &saw;
	status = run_served(c, calls, 1, child_unix_to_ip, NULL);
	seen = NULL;
	cr_assert_eq(saw.n, 1, "the connect was not notified");
	assert_child_ok(status);
	target_cache_unref(c);
}

/* A full cache gives up an entry never reused (a thread that made one call, as every
 * fork + exec does) before one that was, however old. */
Test(target_cache, a_full_cache_keeps_the_threads_that_call_again)
{
	struct target_cache_counts k;
	struct target_cache *c;
	struct target *t;
	pid_t kids[18];
	int i;

	cr_assert_eq(target_cache_new(&c), 0);
	for (i = 0; i < 18; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			_exit(just_pause(NULL));
		cr_assert_gt(kids[i], 0);
	}
	/* kids[0] calls twice: its entry is reused */
	for (i = 0; i < 2; i++) {
		cr_assert_eq(target_get(c, kids[0], 0, &t), 0);
		target_put(t, false);
	}
	/* 17 one-call threads: 16 slots, so one entry must go */
	for (i = 1; i < 18; i++) {
		cr_assert_eq(target_get(c, kids[i], 0, &t), 0);
		target_put(t, false);
	}
	cr_assert_eq(target_get(c, kids[0], 0, &t), 0);
	target_put(t, false);
	target_cache_get_counts(c, &k);
	cr_assert_eq(k.hits, 2, "the reused entry was evicted");
	/* the oldest one-call entry (kids[1]) went instead */
	cr_assert_eq(target_get(c, kids[1], 0, &t), 0);
	target_put(t, false);
	target_cache_get_counts(c, &k);
	cr_assert_eq(k.hits, 2);
	cr_assert_eq(k.misses, 19);
	for (i = 0; i < 18; i++) {
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
	}
	target_cache_unref(c);
}

/* ---- what a thread changes between two calls without a notification ------------------ */

#include <sys/mount.h>
#include <sys/resource.h>

struct move_args {
	char d1[PATH_MAX], d2[PATH_MAX];
	int step;
};

/* Create d/name: 0, or -1 with errno set. */
static int create_in(const char *d, const char *name)
{
	char path[PATH_MAX + 16];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", d, name);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static bool exists_in(const char *d, const char *name)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/%s", d, name);
	return access(path, F_OK) == 0;
}

/* dir/d1 and dir/name2 as d1 and d2, made */
static void move_dirs_prepare(struct move_args *a, const char *name2)
{
	snprintf(a->d1, sizeof(a->d1), "%s/d1", dir);
	snprintf(a->d2, sizeof(a->d2), "%s/%s", dir, name2);
	cr_assert_eq(mkdir(a->d1, 0755), 0);
	cr_assert_eq(mkdir(a->d2, 0755), 0);
}

/* Open a relative name, change directory (alone, after unshare(CLONE_FS)), open again. */
static void *cwd_thread(void *arg)
{
	struct move_args *a = arg;
	int fd;

	if (unshare(CLONE_FS) < 0 || chdir(a->d1) < 0)
		a->step = 80;
	else if ((fd = open("first", O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) < 0)
		a->step = 81;
	else if (close(fd) < 0 || chdir(a->d2) < 0)
		a->step = 82;
	else if ((fd = open("second", O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) < 0)
		a->step = 83;
	else
		close(fd);
	return NULL;
}

static int child_cwd(void *arg)
{
	struct move_args *a = arg;
	pthread_t th;

	if (pthread_create(&th, NULL, cwd_thread, a) != 0)
		return 84;
	pthread_join(th, NULL);
	return a->step;
}

/* The working directory is not kept: a relative name is resolved in the thread's own
 * directory of the moment, even on a kept entry. */
Test(target_cache, a_thread_that_changes_its_own_directory_is_resolved_in_it, .init = setup,
     .fini = teardown)
{
	struct move_args *a = gate_shared(sizeof(*a));
	struct target_cache_counts k;
	struct target_cache *c;
	int status;

	move_dirs_prepare(a, "d2");
	cr_assert_eq(target_cache_new(&c), 0);
	status = run_served(c, open_calls, 4, child_cwd, a);
	assert_child_ok(status);
	cr_assert(exists_in(a->d2, "second"),
		  "'second' was not made in the thread's new directory");
	cr_assert_not(exists_in(a->d1, "second"), "'second' was made in the directory it left");
	target_cache_get_counts(c, &k);
	cr_assert_eq(k.hits, 1);
	target_cache_unref(c);
}

/* Open under dir, take a mount namespace of its own (not notified) and cover dir/m with a
 * tmpfs there, open under dir/m again: the second open must land on the tmpfs. */
static int child_mount_between(void *arg)
{
	struct move_args *a = arg;

	if (create_in(a->d1, "first") < 0)
		return 90;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("airlock-test", a->d2, "tmpfs", 0, "size=64k") < 0)
		return 91;
	if (create_in(a->d2, "second") < 0)
		return 92;
	/* seen from here, on the tmpfs; the test looks under d2 from the host's namespace */
	return exists_in(a->d2, "second") ? 0 : 93;
}

Test(target_cache, a_mount_namespace_taken_between_calls_is_not_the_kept_one, .init = setup,
     .fini = teardown)
{
	struct move_args *a = gate_shared(sizeof(*a));
	struct target_cache_counts k;
	struct target_cache *c;
	int status;

	move_dirs_prepare(a, "m");
	cr_assert_eq(target_cache_new(&c), 0);
	status = run_served(c, open_calls, 4, child_mount_between, a);
	assert_child_ok(status);
	cr_assert_not(exists_in(a->d2, "second"),
		      "made under the host's directory: the kept root stood for the new one");
	target_cache_get_counts(c, &k);
	cr_assert_eq(k.stale, 1);
	target_cache_unref(c);
}

/* Every fd taken: the daemon can open no handle, and the call fails; nothing is done. */
static int child_open_twice(void *arg)
{
	struct move_args *a = arg;

	if (create_in(a->d1, "first") < 0)
		return 100;
	return create_in(a->d1, "second") < 0 ? errno : 0;
}

Test(target_cache, out_of_fds_the_call_fails_and_nothing_is_done, .init = setup, .fini = teardown)
{
	struct move_args *a = gate_shared(sizeof(*a));
	struct rlimit old, lim;
	struct target_cache *c;
	struct gate_harness h;
	int fill[64], nfill = 0, status = -1, r;

	snprintf(a->d1, sizeof(a->d1), "%s/d1", dir);
	cr_assert_eq(mkdir(a->d1, 0755), 0);
	cr_assert_eq(target_cache_new(&c), 0);
	cr_assert_eq(gate_start(&h, open_calls, 4, NULL, child_open_twice, a), 0);
	/* the first call: served, its entry kept (three fds) */
	{
		struct gate_notif n = { .pidfd = -1, .wait_fd = -1 };
		struct pollfd p = { .fd = h.listener, .events = POLLIN };

		cr_assert_eq(poll(&p, 1, 5000), 1);
		cr_assert_eq(notify_recv_cached(h.listener, c, &n), 0);
		n.decided_at_once = true;
		cr_assert_eq(notify_allow(&n), 0);
		notify_release(&n);
	}
	/* now no fd left: fill every free number below a low limit */
	cr_assert_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	lim = old;
	lim.rlim_cur = 64;
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &lim), 0);
	while (nfill < 64 && (r = dup(0)) >= 0)
		fill[nfill++] = r;
	cr_assert_eq(errno, EMFILE);
	{
		struct gate_notif n = { .pidfd = -1, .wait_fd = -1 };
		struct pollfd p = { .fd = h.listener, .events = POLLIN };

		cr_assert_eq(poll(&p, 1, 5000), 1);
		r = notify_recv_cached(h.listener, c, &n);
		if (r == 0) {
			n.decided_at_once = true;
			r = notify_allow(&n);
			if (r < 0 && r != -ENOENT)
				notify_deny(&n, EPERM);
			notify_release(&n);
		}
	}
	while (nfill > 0)
		close(fill[--nfill]);
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	cr_assert_eq(waitpid(h.child, &status, 0), h.child);
	h.child = 0;
	gate_stop(&h);
	cr_assert(WIFEXITED(status), "child status %#x", status);
	cr_assert_neq(WEXITSTATUS(status), 0, "the second open succeeded without an fd");
	cr_assert_neq(WEXITSTATUS(status), 100, "the first open failed");
	cr_log_info("the second open failed with %s", strerror(WEXITSTATUS(status)));
	cr_assert_not(exists_in(a->d1, "second"), "the open was performed");
	target_cache_unref(c);
}

/* ---- capabilities are never taken from an earlier read ------------------------------- */

#include <linux/capability.h>

static uint64_t my_cap_eff(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	cr_assert_eq(syscall(SYS_capget, &h, d), 0);
	return d[0].effective | (uint64_t)d[1].effective << 32;
}

/* root with every capability; at the first byte on go, drop them all; then wait */
static int drop_caps_on_cue(void *arg)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = { { 0 } };
	int *go = arg;
	char c;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (read(go[0], &c, 1) != 1 || syscall(SYS_capset, &h, d) < 0)
		return 1;
	pause();
	return 0;
}

/* An entry lent for an IP connect (TARGET_IDS_ONLY) reads only the ids: the capabilities it
 * holds are an earlier call's.  Acting in its credentials must fail, not hand the daemon's
 * capabilities to a thread that dropped them since. */
Test(target_cache, an_entry_lent_with_ids_only_cannot_act_in_old_capabilities)
{
	struct saved_creds s;
	struct target_cache *c;
	struct target *t;
	int go[2], status, r;
	uint64_t eff;
	char path[64], buf[4096];
	pid_t kid;
	FILE *f;

	if (my_cap_eff() == 0)
		cr_skip_test("needs root with capabilities");
	cr_assert_eq(pipe2(go, O_CLOEXEC), 0);
	kid = fork();
	if (kid == 0)
		_exit(drop_caps_on_cue(go));
	cr_assert_gt(kid, 0);
	cr_assert_eq(target_cache_new(&c), 0);
	cr_assert_eq(target_get(c, kid, 0, &t), 0);
	cr_assert_neq(t->cap_eff, 0);
	target_put(t, false);
	cr_assert_eq(write(go[1], "x", 1), 1);
	/* until its status shows no capability */
	snprintf(path, sizeof(path), "/proc/%d/status", (int)kid);
	for (int i = 0; i < 100; i++) {
		size_t n;

		f = fopen(path, "re");
		cr_assert_not_null(f);
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		if (strstr(buf, "CapEff:\t0000000000000000"))
			break;
		usleep(10 * 1000);
	}
	cr_assert_eq(target_get(c, kid, TARGET_IDS_ONLY, &t), 0);
	r = target_creds_enter(t, &s, false);
	eff = my_cap_eff();
	if (r == 0)
		target_creds_leave(&s);
	cr_assert_eq(r, -ESTALE, "entered with the capabilities of an earlier read (%#llx)",
		     (unsigned long long)eff);
	/* loaded for this use, they are the thread's own: none */
	cr_assert_eq(target_load_creds(t), 0);
	cr_assert_eq(target_creds_enter(t, &s, false), 0);
	eff = my_cap_eff();
	target_creds_leave(&s);
	cr_assert_eq(eff, 0, "acted with %#llx for a thread that has none",
		     (unsigned long long)eff);
	target_put(t, false);
	kill(kid, SIGKILL);
	waitpid(kid, &status, 0);
	target_cache_unref(c);
	close(go[0]);
	close(go[1]);
}

/* ---- a parked call's entry, its process killed, its pid reused in the session ------- */

struct parked_args {
	char parked[PATH_MAX]; /* A's open, held by the test */
	struct jailed_open j;  /* C's open */
	volatile int held;     /* set by the test once A's call is held */
	pid_t a, c;
};

static int open_parked(void *arg)
{
	struct parked_args *p = arg;
	int fd = open(p->parked, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	return fd >= 0 ? 0 : 1;
}

/* A makes a call the test holds (its entry lent to it); A is killed; C gets A's pid and
 * makes a call of its own in another root. */
static int child_parked_reuse(void *arg)
{
	struct parked_args *p = arg;
	int status;
	pid_t a;

	/* not fork() into p->a: the child's 0 would land in the shared page too */
	a = fork();
	if (a == 0)
		_exit(open_parked(p));
	if (a < 0)
		return 40;
	p->a = a;
	for (int i = 0; i < 5000 && !p->held; i++)
		usleep(1000);
	if (!p->held)
		return 41;
	kill(p->a, SIGKILL);
	if (waitpid(p->a, &status, 0) != p->a)
		return 42;
	a = gate_fork_with_pid(p->a, open_in_jail, &p->j);
	p->c = a;
	if (p->c != p->a)
		return 77;
	if (waitpid(p->c, &status, 0) != p->c || !WIFEXITED(status))
		return 43;
	return WEXITSTATUS(status);
}

Test(target_cache, a_parked_calls_entry_never_serves_the_pids_next_owner, .init = setup,
     .fini = teardown)
{
	struct parked_args *p = gate_shared(sizeof(*p));
	struct gate_notif *held = NULL;
	struct target_cache_counts k;
	struct target_cache *c;
	struct gate_harness h;
	struct pollfd pf[2];
	int status = -1;

	snprintf(p->parked, sizeof(p->parked), "%s/parked", dir);
	jailed_open_prepare(&p->j, "parked-");
	cr_assert_eq(target_cache_new(&c), 0);
	cr_assert_eq(gate_start(&h, open_calls, 4, NULL, child_parked_reuse, p), 0);
	pf[0] = (struct pollfd){ .fd = h.listener, .events = POLLIN };
	pf[1] = (struct pollfd){ .fd = h.pidfd, .events = POLLIN };
	for (;;) {
		struct gate_notif *n = calloc(1, sizeof(*n));
		int r;

		cr_assert_not_null(n);
		cr_assert_gt(poll(pf, 2, 10000), 0);
		if (pf[1].revents & POLLIN) {
			free(n);
			break;
		}
		if (!(pf[0].revents & POLLIN)) {
			free(n);
			continue;
		}
		*n = (struct gate_notif){ .pidfd = -1, .wait_fd = -1 };
		r = notify_recv_cached(h.listener, c, n);
		if (r == 0 && !held && strcmp(n->req.path, p->parked) == 0) {
			held = n; /* an ask: its entry stays lent */
			p->held = 1;
			continue;
		}
		if (r == 0) {
			n->decided_at_once = true;
			r = notify_allow(n);
			if (r < 0 && r != -ENOENT && r != -ESTALE)
				notify_deny(n, EPERM);
			notify_release(n);
		}
		free(n);
	}
	cr_assert_eq(waitpid(h.child, &status, 0), h.child);
	h.child = 0;
	cr_assert_not_null(held, "A's call never came");
	/* the held call's process is gone: nothing is done for it, whoever has its pid (the
	 * listener is still open: the answer is the kernel's) */
	cr_assert_eq(notify_allow(held), -ENOENT);
	notify_release(held);
	free(held);
	gate_stop(&h);
	jailed_open_unlink_stray(&p->j);
	cr_assert_neq(access(p->parked, F_OK), 0, "the dead process's open was performed");
	assert_reused(status, p->a, c);
	cr_assert(jailed_open_made(&p->j), "C's open was not made in its own root");
	target_cache_get_counts(c, &k);
	cr_assert_eq(k.stale, 0, "an entry was found stale: C's call met A's entry in the cache");
	target_cache_unref(c);
}
