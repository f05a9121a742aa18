// SPDX-License-Identifier: Apache-2.0
/*
 * The session filter, tested against the real kernel: each case forks a child that
 * installs a filter built by gate_filter_build() and makes syscalls; the parent takes the
 * child's listener with pidfd_getfd and answers every notification with EPERM using raw
 * ioctls (this suite tests the filter, not notify.c), recording which syscalls arrived.
 *
 * Children drop every capability and set no_new_privs before installing the filter, so a
 * syscall the filter failed to notify runs without privilege on a path that does not
 * exist, and fails harmlessly instead of changing the machine.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "notify.h"
#include "syscalls.h"

#define MAX_SEEN 256
#define NOPATH	 "/nonexistent-airlock-test/x"

struct run {
	int status;	    /* child's wait status */
	int n_seen;	    /* notifications received */
	int seen[MAX_SEEN]; /* their syscall numbers */
	uint64_t args[MAX_SEEN][6];
};

typedef int (*child_fn)(void *arg);

static uint64_t bit(enum al_op op)
{
	return 1ULL << op;
}

static int drop_privileges(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capset, &h, d) < 0)
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

/* In the child: drop privileges, install the filter, tell the parent the listener's
 * number, wait until it has taken it, run fn.  Exit codes 100+ are set-up failures. */
static void child_main(const struct gate_filter_spec *spec, int report_fd, int go_fd, child_fn fn,
		       void *arg)
{
	struct sock_filter *prog;
	unsigned len;
	int listener;
	char c;

	if (drop_privileges() < 0)
		_exit(100);
	if (gate_filter_build(spec, &prog, &len) < 0)
		_exit(101);
	listener = gate_filter_install(prog, len);
	if (listener < 0)
		_exit(102);
	if (write(report_fd, &listener, sizeof(listener)) != sizeof(listener))
		_exit(103);
	close(report_fd);
	if (read(go_fd, &c, 1) != 1)
		_exit(104);
	close(go_fd);
	_exit(fn(arg));
}

/* Answer one pending notification with EPERM, recording it. */
static void answer_one(int listener, struct run *r, int err)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;

	memset(&req, 0, sizeof(req));
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		return; /* the caller went away in between */
	if (r->n_seen < MAX_SEEN) {
		r->seen[r->n_seen] = req.data.nr;
		memcpy(r->args[r->n_seen], req.data.args, sizeof(req.data.args));
		r->n_seen++;
	}
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	resp.error = -err;
	ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

static int child_start(const struct gate_filter_spec *spec, child_fn fn, void *arg, pid_t *ret_pid,
		       int *ret_pidfd, int *ret_listener)
{
	int p[2], go[2], num = -1, pidfd, listener;
	pid_t pid;

	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(go, O_CLOEXEC), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(p[0]);
		close(go[1]);
		child_main(spec, p[1], go[0], fn, arg);
	}
	close(p[1]);
	close(go[0]);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	cr_assert_geq(pidfd, 0, "pidfd_open: %s", strerror(errno));
	if (read(p[0], &num, sizeof(num)) != sizeof(num)) {
		int st;
		close(p[0]);
		waitpid(pid, &st, 0);
		cr_assert_fail("child failed to install the filter (wait status 0x%x)", st);
	}
	close(p[0]);
	listener = (int)syscall(SYS_pidfd_getfd, pidfd, num, 0);
	cr_assert_geq(listener, 0, "pidfd_getfd: %s", strerror(errno));
	cr_assert_eq(write(go[1], "g", 1), 1);
	close(go[1]);
	*ret_pid = pid;
	*ret_pidfd = pidfd;
	*ret_listener = listener;
	return 0;
}

/* Run fn in a filtered child, answering every notification with EPERM until it exits. */
static void run_gated(const struct gate_filter_spec *spec, child_fn fn, void *arg, struct run *r)
{
	int pidfd, listener;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	child_start(spec, fn, arg, &pid, &pidfd, &listener);
	for (;;) {
		struct pollfd pfd[2] = { { .fd = listener, .events = POLLIN },
					 { .fd = pidfd, .events = POLLIN } };
		int n = poll(pfd, 2, 10000);

		cr_assert_gt(n, 0, "child hung");
		if (pfd[0].revents & POLLIN) {
			answer_one(listener, r, EPERM);
			continue;
		}
		if (pfd[1].revents & POLLIN)
			break;
	}
	cr_assert_eq(waitpid(pid, &r->status, 0), pid);
	close(listener);
	close(pidfd);
}

static bool seen_nr(const struct run *r, int nr)
{
	int i;

	for (i = 0; i < r->n_seen; i++)
		if (r->seen[i] == nr)
			return true;
	return false;
}

static void assert_exit(const struct run *r, int code)
{
	cr_assert(WIFEXITED(r->status) && WEXITSTATUS(r->status) == code,
		  "child wait status 0x%x, wanted exit %d", r->status, code);
}

/* --- invoking table entries --------------------------------------------------------- */

static struct sockaddr_in dest = { .sin_family = AF_INET, .sin_port = 0x3500 };
static char *const test_argv[] = { "x", NULL };
static struct open_how how = { .flags = O_WRONLY | O_CREAT, .mode = 0600 };
static char byte;
static struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
static struct msghdr msg = {
	.msg_name = &dest, .msg_namelen = sizeof(dest), .msg_iov = &iov, .msg_iovlen = 1
};
static struct mmsghdr mmsg;

/* Register values that make the call notified when its class is gated, and harmless
 * (a missing path, fd -1, no privilege) when it is not. */
static long arg_value(enum sc_arg kind)
{
	switch (kind) {
	case SC_PATH:
	case SC_PATH2:
		return (long)NOPATH;
	case SC_DIRFD:
	case SC_DIRFD2:
		return AT_FDCWD;
	case SC_FD:
		return -1;
	case SC_ARGV:
		return (long)test_argv;
	case SC_OFLAGS:
		return O_WRONLY | O_CREAT;
	case SC_OPENHOW:
		return (long)&how;
	case SC_HOWSIZE:
		return sizeof(how);
	case SC_MODE:
		return 0600;
	case SC_SOCKADDR:
		return (long)&dest;
	case SC_SOCKLEN:
		return sizeof(dest);
	case SC_MSGHDR:
		return (long)&msg;
	case SC_MMSGHDR:
		mmsg.msg_hdr = msg;
		return (long)&mmsg;
	case SC_ID:
		return 0; /* root: never the test's session user */
	default:
		return 0;
	}
}

static void invoke(const struct syscall_desc *d)
{
	long a[6];
	int i;

	for (i = 0; i < 6; i++)
		a[i] = arg_value((enum sc_arg)d->arg[i]);
	/* kexec_load's flags 0 with zero segments would unload an image, and ptrace's
	 * request 0 is PTRACE_TRACEME: make both invalid */
	if (strcmp(d->name, "kexec_load") == 0)
		a[3] = -1;
	if (strcmp(d->name, "ptrace") == 0)
		a[0] = -1;
	syscall(d->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

struct class_arg {
	enum al_op op; /* invoke every table entry of this class, or all when AL_OP_NONE */
};

static int invoke_class(void *arg)
{
	const struct class_arg *c = arg;
	const struct syscall_desc *t;
	size_t n, i;

	t = syscalls_all(&n);
	for (i = 0; i < n; i++)
		if (t[i].nr >= 0 && (c->op == AL_OP_NONE || t[i].op == c->op))
			invoke(&t[i]);
	return 0;
}

static void init(void)
{
	cr_assert_eq(syscalls_init(), 0);
}

TestSuite(filter, .init = init, .timeout = 30);

/* Is table entry d notified when the classes ops are gated (as invoke() calls it)? */
static bool notified_for(const struct syscall_desc *d, uint64_t ops)
{
	bool open = syscall_arg_index(d, SC_OFLAGS) >= 0 || syscall_arg_index(d, SC_OPENHOW) >= 0;

	if (d->nr < 0)
		return false;
	if (ops & bit(d->op))
		return true;
	/* opens are notified for write and for read rules */
	if (open && (ops & bit(AL_OP_READ)))
		return true;
	/* a rename writes at its destination */
	return (ops & bit(AL_OP_WRITE)) && d->op == AL_OP_DELETE &&
	       syscall_arg_index(d, SC_PATH2) >= 0;
}

/* Every syscall of every class, with no class gated: only the classes of the built-in
 * hardening are notified, and every syscall of them. */
Test(filter, ungated_table_notifies_only_the_hardening_classes)
{
	struct gate_filter_spec spec = { .user_uid = 4242, .user_gid = 4243 };
	struct class_arg c = { AL_OP_NONE };
	const struct syscall_desc *t;
	int expected = 0;
	struct run r;
	size_t n, i;

	run_gated(&spec, invoke_class, &c, &r);
	assert_exit(&r, 0);
	t = syscalls_all(&n);
	for (i = 0; i < n; i++) {
		bool want = notified_for(&t[i], GATE_FILTER_HARDENING_OPS);

		expected += want;
		cr_expect_eq(seen_nr(&r, t[i].nr), want, "'%s' %s", t[i].name,
			     want ? "not notified" : "notified");
	}
	cr_expect_eq(r.n_seen, expected, "%d notifications, wanted %d", r.n_seen, expected);
	cr_expect_gt(expected, 0);
}

static int everyday_calls(void *arg)
{
	char buf[16];
	int fd, p[2];

	(void)arg;
	getpid();
	fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, buf, sizeof(buf)) <= 0)
		return 1;
	close(fd);
	if (pipe(p) < 0 || write(p[1], "x", 1) != 1)
		return 2;
	/* sendto without an address: a write to a connected socket */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, p) < 0 || sendto(p[0], "x", 1, 0, NULL, 0) != 1)
		return 3;
	if (setresuid(-1, -1, -1) < 0)
		return 4;
	return 0;
}

/* Every class gated: everyday syscalls still go straight through. */
Test(filter, everyday_calls_not_notified_with_every_class)
{
	struct gate_filter_spec spec = { .ops = ~0ULL & ~bit(AL_OP_READ),
					 .user_uid = 4242,
					 .user_gid = 4243 };
	struct run r;

	run_gated(&spec, everyday_calls, NULL, &r);
	assert_exit(&r, 0);
	cr_assert_eq(r.n_seen, 0, "%d notifications, first nr %d", r.n_seen, r.seen[0]);
}

/* Table-driven: gating one class notifies every syscall of that class, and no other. */
Test(filter, each_class_notifies_its_syscalls)
{
	const struct syscall_desc *t;
	size_t n, i;
	int op;

	t = syscalls_all(&n);
	for (op = AL_OP_EXEC; op < AL_OP__MAX; op++) {
		struct gate_filter_spec spec = { .ops = bit((enum al_op)op),
						 .user_uid = 4242,
						 .user_gid = 4243 };
		struct class_arg all = { AL_OP_NONE };
		int expected = 0;
		struct run r;

		run_gated(&spec, invoke_class, &all, &r);
		assert_exit(&r, 0);
		for (i = 0; i < n; i++) {
			bool want = notified_for(&t[i],
						 bit((enum al_op)op) | GATE_FILTER_HARDENING_OPS);

			expected += want;
			cr_expect_eq(seen_nr(&r, t[i].nr), want, "class %d: '%s' %s", op, t[i].name,
				     want ? "not notified" : "notified");
		}
		cr_expect_eq(r.n_seen, expected, "class %d: %d notifications, wanted %d", op,
			     r.n_seen, expected);
	}
}

struct open_case {
	int nr;
	uint64_t flags;
	bool notified;
};

static int do_open(void *arg)
{
	const struct open_case *c = arg;

	if (c->nr == SYS_open)
		syscall(SYS_open, NOPATH, c->flags, 0600);
	else
		syscall(SYS_openat, AT_FDCWD, NOPATH, c->flags, 0600);
	return 0;
}

static void check_opens(uint64_t ops, const struct open_case *cases, size_t n)
{
	struct gate_filter_spec spec = { .ops = ops };
	size_t i;

	for (i = 0; i < n; i++) {
		struct run r;

		run_gated(&spec, do_open, (void *)&cases[i], &r);
		assert_exit(&r, 0);
		cr_expect_eq(r.n_seen, cases[i].notified ? 1 : 0,
			     "nr %d flags 0x%llx: %d notifications", cases[i].nr,
			     (unsigned long long)cases[i].flags, r.n_seen);
	}
}

Test(filter, opens_without_write_intent_not_notified_without_read_rule)
{
	static const struct open_case cases[] = {
		{ SYS_openat, O_RDONLY, false },
		{ SYS_openat, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, false },
		{ SYS_open, O_RDONLY, false },
		/* the kernel reads flags as int: upper garbage changes nothing */
		{ SYS_openat, (1ULL << 40) | O_RDONLY, false },
		{ SYS_openat, O_WRONLY, true },
		{ SYS_openat, O_RDWR, true },
		{ SYS_openat, O_RDONLY | O_CREAT, true },
		{ SYS_openat, O_RDONLY | O_TRUNC, true },
		{ SYS_openat, O_TMPFILE | O_RDWR, true },
		{ SYS_open, O_WRONLY | O_APPEND, true },
		{ SYS_openat, (1ULL << 40) | O_WRONLY, true },
	};

	check_opens(bit(AL_OP_WRITE), cases, sizeof(cases) / sizeof(cases[0]));
}

Test(filter, read_rule_notifies_every_open)
{
	static const struct open_case cases[] = {
		{ SYS_openat, O_RDONLY, true },
		{ SYS_open, O_RDONLY, true },
		{ SYS_openat, O_WRONLY, true },
	};

	check_opens(bit(AL_OP_READ), cases, sizeof(cases) / sizeof(cases[0]));
}

static int do_sendto(void *arg)
{
	int sv[2];

	(void)arg;
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0)
		return 1;
	if (sendto(sv[0], "x", 1, 0, NULL, 0) != 1)
		return 2;
	/* with an address: notified, and answered EPERM */
	if (sendto(sv[0], "x", 1, 0, (struct sockaddr *)&dest, sizeof(dest)) != -1 ||
	    errno != EPERM)
		return 3;
	return 0;
}

Test(filter, sendto_notified_only_with_an_address)
{
	struct gate_filter_spec spec = { .ops = bit(AL_OP_CONNECT) };
	struct run r;

	run_gated(&spec, do_sendto, NULL, &r);
	assert_exit(&r, 0);
	cr_assert_eq(r.n_seen, 1);
	cr_assert_eq(r.seen[0], SYS_sendto);
	cr_assert_eq(r.args[0][4], (uint64_t)(uintptr_t)&dest);
}

static int do_ids(void *arg)
{
	(void)arg;
	/* the session user's own ids and "unchanged": not notified.  The kernel still checks
	 * them (no capabilities here), so only the notification matters, not the result. */
	syscall(SYS_setresuid, 4242, -1, 4242);
	syscall(SYS_setresgid, -1, 4243, -1);
	syscall(SYS_setuid, 4242);
	syscall(SYS_setreuid, -1, 4242);
	syscall(SYS_setfsgid, 4243);
	syscall(SYS_setuid, (1ULL << 32) | 4242); /* the kernel sees 4242 */
	/* anything else: notified, in this order */
	if (syscall(SYS_setresuid, 0, 0, 0) != -1 || errno != EPERM)
		return 1;
	syscall(SYS_setresuid, 4242, 0, -1);
	syscall(SYS_setresgid, 4242, -1, -1); /* a uid is not the gid */
	syscall(SYS_setuid, (1ULL << 32) | 0);
	syscall(SYS_setgroups, 0, NULL);
	return 0;
}

Test(filter, setuid_family_to_own_ids_allowed_in_filter)
{
	struct gate_filter_spec spec = { .ops = bit(AL_OP_PRIVILEGE),
					 .user_uid = 4242,
					 .user_gid = 4243 };
	static const int want[] = { SYS_setresuid, SYS_setresuid, SYS_setresgid, SYS_setuid,
				    SYS_setgroups };
	struct run r;
	size_t i;

	run_gated(&spec, do_ids, NULL, &r);
	assert_exit(&r, 0);
	cr_assert_eq(r.n_seen, (int)(sizeof(want) / sizeof(want[0])), "%d notifications", r.n_seen);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_expect_eq(r.seen[i], want[i], "notification %zu: nr %d, wanted %d", i, r.seen[i],
			     want[i]);
}

static int do_named(void *arg)
{
	(void)arg;
	getppid();
	getuid();
	/* hardening wins over a policy that names a hardened syscall */
	if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
		return 1;
	return 0;
}

Test(filter, named_syscalls_notified)
{
	static const char *const extra[] = { "getppid", "clone3", "mount" };
	struct gate_filter_spec spec = { .extra = extra, .n_extra = 3 };
	struct run r;

	run_gated(&spec, do_named, NULL, &r);
	assert_exit(&r, 0);
	cr_assert_eq(r.n_seen, 1);
	cr_assert_eq(r.seen[0], SYS_getppid);
}

Test(filter, unknown_syscall_name_rejected)
{
	static const char *const extra[] = { "no_such_syscall" };
	struct gate_filter_spec spec = { .extra = extra, .n_extra = 1 };
	struct sock_filter *prog = NULL;
	unsigned len = 0;

	cr_assert_eq(gate_filter_build(&spec, &prog, &len), -EINVAL);
	cr_assert_null(prog);
}

/* --- hardening ---------------------------------------------------------------------- */

#if defined(__x86_64__)
static long int80_getpid(void)
{
	long ret;

	/* i386 getpid is 20 */
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
	return ret;
}

static int do_int80(void *arg)
{
	(void)arg;
	int80_getpid();
	return 0;
}

static int do_x32(void *arg)
{
	(void)arg;
	syscall(0x40000000 | SYS_getpid);
	return 0;
}
#endif

Test(filter, int80_from_x86_64_killed)
{
#if defined(__x86_64__)
	struct gate_filter_spec spec = { 0 };
	struct run r;
	pid_t pid;
	int st;

	/* without a filter: does this kernel run i386 syscalls at all? */
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(int80_getpid() == getpid() ? 0 : 1);
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		cr_skip_test("kernel runs no i386 syscalls (ia32 emulation off), status 0x%x", st);

	run_gated(&spec, do_int80, NULL, &r);
	cr_assert(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGSYS,
		  "wait status 0x%x, wanted SIGSYS", r.status);
#else
	cr_skip_test("x86_64 only");
#endif
}

Test(filter, x32_syscall_bit_killed)
{
#if defined(__x86_64__)
	struct gate_filter_spec spec = { 0 };
	struct run r;

	run_gated(&spec, do_x32, NULL, &r);
	cr_assert(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGSYS,
		  "wait status 0x%x, wanted SIGSYS", r.status);
#else
	cr_skip_test("x86_64 only");
#endif
}

static int do_io_uring(void *arg)
{
	char params[120];

	(void)arg;
	memset(params, 0, sizeof(params));
	if (syscall(SYS_io_uring_setup, 8, params) != -1 || errno != EPERM)
		return 1;
	if (syscall(SYS_io_uring_enter, 0, 0, 0, 0, NULL, 0) != -1 || errno != EPERM)
		return 2;
	return 0;
}

Test(filter, io_uring_refused)
{
	struct gate_filter_spec spec = { 0 };
	struct run r;

	run_gated(&spec, do_io_uring, NULL, &r);
	assert_exit(&r, 0);
	cr_assert_eq(r.n_seen, 0);
}

static void *thread_fn(void *arg)
{
	return arg;
}

static int do_clone3(void *arg)
{
	struct clone_args ca = { .exit_signal = SIGCHLD };
	pthread_t th;
	void *res = NULL;
	pid_t pid;
	int st;

	(void)arg;
	if (syscall(SYS_clone3, &ca, sizeof(ca)) != -1 || errno != ENOSYS)
		return 1;
	/* libc falls back to clone(2) for processes and threads */
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0)
		_exit(7);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 7)
		return 3;
	if (pthread_create(&th, NULL, thread_fn, &byte) != 0 || pthread_join(th, &res) != 0 ||
	    res != &byte)
		return 4;
	return 0;
}

Test(filter, clone3_enosys_fork_and_threads_work)
{
	struct gate_filter_spec spec = { 0 };
	struct run r;

	run_gated(&spec, do_clone3, NULL, &r);
	assert_exit(&r, 0);
}

static int do_seccomp(void *arg)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog fp = { .len = 1, .filter = &allow };
	long fd;

	(void)arg;
	fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &fp);
	if (fd != -1 || errno != EPERM)
		return 1;
	/* op with garbage in the upper half: the kernel still sees SET_MODE_FILTER */
	fd = syscall(SYS_seccomp, (1ULL << 32) | SECCOMP_SET_MODE_FILTER,
		     SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC_ESRCH, &fp);
	if (fd != -1 || errno != EPERM)
		return 2;
	/* a plain filter of the session's own is fine */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) != 0)
		return 3;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp, 0, 0) != 0)
		return 4;
	return 0;
}

Test(filter, second_listener_refused_plain_filter_allowed)
{
	struct gate_filter_spec spec = { 0 };
	struct run r;

	run_gated(&spec, do_seccomp, NULL, &r);
	assert_exit(&r, 0);
	cr_assert_eq(r.n_seen, 0);
}

/* --- WAIT_KILLABLE_RECV ------------------------------------------------------------- */

static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

static int do_blocked_mkdir(void *arg)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	long r;

	(void)arg;
	sigaction(SIGUSR1, &sa, NULL);
	r = syscall(SYS_mkdir, NOPATH, 0700);
	/* answered EPERM exactly once, and the handler ran after the call */
	if (r != -1 || errno != EPERM)
		return 1;
	return handled == 1 ? 0 : 2;
}

Test(filter, killable_recv_signal_does_not_renotify)
{
	struct gate_filter_spec spec = { .ops = bit(AL_OP_WRITE) };
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	struct pollfd pfd;
	int pidfd, listener, st;
	pid_t pid;

	if (!gate_filter_killable_recv())
		cr_skip_test("kernel lacks SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (5.19)");
	child_start(&spec, do_blocked_mkdir, NULL, &pid, &pidfd, &listener);

	memset(&req, 0, sizeof(req));
	cr_assert_eq(ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req), 0, "recv: %s",
		     strerror(errno));
	cr_assert_eq(req.data.nr, SYS_mkdir);
	/* once received, a non-fatal signal must neither interrupt nor re-notify */
	cr_assert_eq(kill(pid, SIGUSR1), 0);
	pfd = (struct pollfd){ .fd = listener, .events = POLLIN };
	cr_assert_eq(poll(&pfd, 1, 300), 0, "a second notification arrived");
	cr_assert_eq(ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req.id), 0,
		     "the first notification was abandoned");

	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	resp.error = -EPERM;
	cr_assert_eq(ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp), 0);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child wait status 0x%x", st);
	close(listener);
	close(pidfd);
}

/* --- newer spellings the gate cannot decode ------------------------------------------ */

struct newer {
	const char *name;
	long nr;
	enum al_op op;
};

static const struct newer newer[] = {
	{ "setxattrat", 463, AL_OP_WRITE },
	{ "removexattrat", 466, AL_OP_WRITE },
	{ "open_tree_attr", 467, AL_OP_MOUNT },
	{ "file_setattr", 469, AL_OP_WRITE },
};

static long call_newer(long nr)
{
	return syscall(nr, -1L, NOPATH, 0L, 0L, 0L, 0L) < 0 ? errno : 0;
}

static int do_newer(void *arg)
{
	const struct newer *n = arg;

	return (int)call_newer(n->nr);
}

/* Gating a class makes its spellings unknown to the table fail as on an older kernel;
 * an ungated class leaves them alone. */
Test(filter, newer_spellings_of_a_gated_class_fail_enosys)
{
#if defined(__x86_64__) || defined(__aarch64__)
	size_t i;

	for (i = 0; i < sizeof(newer) / sizeof(newer[0]); i++) {
		struct gate_filter_spec gated = { .ops = bit(newer[i].op) };
		struct gate_filter_spec other = { .ops = bit(AL_OP_EXEC) };
		struct run r;

		if (syscall_by_name(newer[i].name))
			continue; /* decoded now: the class tests cover it */
		if (call_newer(newer[i].nr) == ENOSYS) {
			cr_log_info("kernel lacks '%s', not checked", newer[i].name);
			continue;
		}
		run_gated(&gated, do_newer, (void *)&newer[i], &r);
		cr_expect(WIFEXITED(r.status) && WEXITSTATUS(r.status) == ENOSYS,
			  "'%s' with its class gated: status 0x%x", newer[i].name, r.status);
		cr_expect_eq(r.n_seen, 0);
		run_gated(&other, do_newer, (void *)&newer[i], &r);
		/* the hardening's classes are gated under every policy */
		if (bit(newer[i].op) & GATE_FILTER_HARDENING_OPS)
			cr_expect(WIFEXITED(r.status) && WEXITSTATUS(r.status) == ENOSYS,
				  "'%s' left alone with only exec gated: status 0x%x",
				  newer[i].name, r.status);
		else
			cr_expect(WIFEXITED(r.status) && WEXITSTATUS(r.status) != ENOSYS,
				  "'%s' refused with its class not gated", newer[i].name);
	}
#else
	cr_skip_test("generic syscall numbers are checked on x86_64 and arm64 only");
#endif
}

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif

/* errno of a syscall, 0 on success (the fd is closed). */
static int call_errno(long r)
{
	if (r < 0)
		return errno;
	close((int)r);
	return 0;
}

/* The filter's own refusals, told from the kernel's answers to the same calls made
 * without privileges: chroot of a missing path is ENOENT, a protocol number out of range
 * (1000) is EINVAL, userfaultfd in user mode is allowed.  The exit code says which call failed
 * the expectation. */
static int refusable_calls(void *arg)
{
	(void)arg;
	if (call_errno(syscall(SYS_chroot, NOPATH)) != EPERM)
		return 1;
	if (call_errno(syscall(SYS_userfaultfd, UFFD_USER_MODE_ONLY | O_CLOEXEC)) != EPERM)
		return 2;
	return 0;
}

static int raw_sockets(void *arg)
{
	bool refused = *(bool *)arg;
	int want = refused ? EPERM : EINVAL;

	if (call_errno(socket(AF_INET, SOCK_RAW, 1000)) != want)
		return 3;
	if (call_errno(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 1000)) != want)
		return 4;
	if (call_errno(socket(AF_INET6, SOCK_RAW, 1000)) != want)
		return 5;
	/* upper garbage in the family register is ignored by the kernel and by the filter */
	if (call_errno(syscall(SYS_socket, (1L << 40) | AF_INET, SOCK_RAW, 1000)) != want)
		return 6;
	if (call_errno(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) != 0)
		return 7;
	return 0;
}

/* chroot and userfaultfd are refused under every policy. */
Test(filter, chroot_and_userfaultfd_are_refused_whatever_the_policy)
{
	struct gate_filter_spec spec = { .user_uid = 4242, .user_gid = 4243 };
	long fd = syscall(SYS_userfaultfd, UFFD_USER_MODE_ONLY | O_CLOEXEC);
	struct run r;

	if (fd < 0)
		cr_skip_test("no userfaultfd in user mode here (%s)", strerror(errno));
	close((int)fd);
	run_gated(&spec, refusable_calls, NULL, &r);
	assert_exit(&r, 0);
	cr_expect_eq(r.n_seen, 0);
}

/* Raw sockets are refused when connect rules exist (their header names the destination),
 * left to the kernel otherwise. */
Test(filter, raw_sockets_are_refused_with_connect_rules)
{
	struct gate_filter_spec gated = { .ops = bit(AL_OP_CONNECT) }, none = { 0 };
	bool yes = true, no = false;
	struct run r;

	run_gated(&gated, raw_sockets, &yes, &r);
	assert_exit(&r, 0);
	cr_expect_eq(r.n_seen, 0);
	run_gated(&none, raw_sockets, &no, &r);
	assert_exit(&r, 0);
}
