// SPDX-License-Identifier: Apache-2.0
/*
 * bench_gate: what the gate costs, as ratios against baselines measured in the same run.
 *
 * Every measurement runs the same program, build/tests/helpers/bench_target, in one of
 * six ways, and reads the time it spent in its timed loop from its stdout:
 *
 *   plain    a child of this bench, no filter                          (the baseline)
 *   allowall under a one-instruction RET_ALLOW filter: what any seccomp filter costs
 *   floor    under a raw filter notifying only the measured syscall; this process
 *            answers with bare ioctls, RECV -> SEND(CONTINUE)           (the mechanism's floor)
 *   minimal  the floor's filter, answered by the least a safe emulation does: copy the
 *            argument, NOTIF_ID_VALID, act on the copy (openat2 in the kept /proc/PID/root + ADDFD,
 *            pidfd_getfd on a kept pidfd + connect, CONTINUE for exec): the lower bound
 *   gate     under the real filter (gate_filter_build for a policy); this process answers
 *            with the library: notify_recv -> policy_decide -> notify_allow
 *   airlock  under `build/airlock run` against a real airlockd (tests/lib/daemon.c)
 *
 * The floor and the real servers have the same process layout: a child doing the calls,
 * a separate process answering.  Repetitions are interleaved (A B A B ...) so that the
 * noise of a shared machine hits both sides alike; the table shows the median time per
 * call of each side and the median of the back-to-back ratios.
 * See docs/bench.md for what each row means.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "api_client.h"
#include "notify.h"
#include "policy.h"
#include "syscalls.h"
#include "daemon.h" /* tests/lib: a real airlockd in a temporary directory */

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* The fd number the target moves its listener to before the bench takes it with
 * pidfd_getfd (the handshake of docs/api.md: nothing after the install may be gated),
 * and the pipe it then waits on until the bench has taken it. */
#define LISTENER_FD 200
#define GO_FD	    201

#define REPS_MAX 15

/* A run of the target takes well under a second; a hung one must not hang `make bench`. */
#define RUN_TIMEOUT_MS 60000

enum launch { L_PLAIN, L_ALLOWALL, L_FLOOR, L_MINIMAL, L_GATE, L_AIRLOCK };

static const char *const launch_name[] = {
	[L_PLAIN] = "plain",	 [L_ALLOWALL] = "allowall", [L_FLOOR] = "floor",
	[L_MINIMAL] = "minimal", [L_GATE] = "gate",	    [L_AIRLOCK] = "airlock",
};

struct launch_spec {
	enum launch how;
	int floor_nr;		     /* L_FLOOR, L_MINIMAL: the syscall to notify */
	const struct policy *policy; /* L_GATE: filter built from it, decisions by it */
	const char *runtime_dir;     /* L_AIRLOCK */
};

static char target_path[PATH_MAX];
static char airlock_path[PATH_MAX];
static char workdir[64]; /* /tmp/airlock-bench.XXXXXX */
/* Every file the bench and its targets create in the workspace. */
static const char *const work_files[] = { "w", "r", "noexec", "ask-latency" };
static const char *home_dir;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* "a/b" into buf, or -ENAMETOOLONG. */
static int path_join(char *buf, size_t len, const char *a, const char *b)
{
	int n = snprintf(buf, len, "%s/%s", a, b);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double percentile(double *v, size_t n, double p)
{
	size_t i;

	qsort(v, n, sizeof(*v), cmp_double);
	i = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

/* A filter that allows everything: the kernel's cost of having a filter at all. */
static int allowall_filter_install(void)
{
	struct sock_filter insns[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	struct sock_fprog prog = { .len = 1, .filter = insns };

	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0 ? -errno : 0;
}

/* --- the floor: a raw filter and a bare RECV -> SEND(CONTINUE) server --------------- */

static int floor_filter_install(int nr)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(insns) / sizeof(insns[0]), .filter = insns };
	int fd;

	/* The same flags gate_filter_install uses, so the kernel path is the same. */
	fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			  SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
			  &prog);
	return fd < 0 ? -errno : fd;
}

static int floor_serve(int listener)
{
	static struct seccomp_notif req;
	static struct seccomp_notif_resp resp;
	struct pollfd pfd = { .fd = listener, .events = POLLIN };
	int r;

	for (;;) {
		r = poll(&pfd, 1, RUN_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		if (!(pfd.revents & POLLIN))
			return 0; /* POLLHUP: the target and its children are gone */
		memset(&req, 0, sizeof(req));
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			return -errno;
		}
		resp.id = req.id;
		resp.val = 0;
		resp.error = 0;
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
			return -errno;
	}
}

/* --- minimal: what a safe emulation cannot do without ------------------------------- */

static int notif_id_valid(int listener, uint64_t id)
{
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0 ? -errno : 0;
}

/* Copy at most len bytes from the target; a path may end before an unmapped page. */
static ssize_t copy_from_target(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr, .iov_len = len };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);

	return n < 0 ? -errno : n;
}

/* The handles of the last target, kept across notifications: the lower bound assumes a
 * server that never pays for them twice (a kept pidfd pins its process; a kept root is
 * fine here because the bench's target never changes its root). */
static struct {
	pid_t pid;
	int rootfd, pidfd;
} kept = { .pid = -1, .rootfd = -1, .pidfd = -1 };

static int kept_handles(pid_t pid)
{
	char root[64];

	if (kept.pid == pid)
		return 0;
	if (kept.rootfd >= 0)
		close(kept.rootfd);
	if (kept.pidfd >= 0)
		close(kept.pidfd);
	kept.pid = -1;
	snprintf(root, sizeof(root), "/proc/%d/root", (int)pid);
	kept.rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	kept.pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (kept.rootfd < 0 || kept.pidfd < 0)
		return -errno;
	kept.pid = pid;
	return 0;
}

/* openat(AT_FDCWD, absolute path) only: the bench's loops never pass anything else. */
static int minimal_open(int listener, const struct seccomp_notif *req)
{
	char path[PATH_MAX];
	struct open_how how = { 0 };
	struct seccomp_notif_addfd addfd = { .id = req->id, .flags = SECCOMP_ADDFD_FLAG_SEND };
	int fd = -1, r;
	ssize_t n;

	n = copy_from_target(req->pid, req->data.args[1], path, sizeof(path) - 1);
	if (n < 0)
		return (int)n;
	path[n] = '\0';
	if (strnlen(path, (size_t)n) == (size_t)n || path[0] != '/')
		return -EINVAL;
	r = notif_id_valid(listener, req->id);
	if (r < 0)
		return r;
	r = kept_handles((pid_t)req->pid);
	if (r < 0)
		return r;
	how.flags = (req->data.args[2] & ~(uint64_t)O_CLOEXEC) | O_CLOEXEC;
	how.mode = req->data.args[3] & 07777;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, kept.rootfd, path, &how, sizeof(how));
	if (fd < 0)
		return -errno;
	addfd.srcfd = (uint32_t)fd;
	addfd.newfd_flags = req->data.args[2] & O_CLOEXEC;
	r = ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd) < 0 ? -errno : 0;
	close(fd);
	return r;
}

static int minimal_connect(int listener, const struct seccomp_notif *req,
			   struct seccomp_notif_resp *resp)
{
	struct sockaddr_storage addr;
	size_t len = req->data.args[2] < sizeof(addr) ? req->data.args[2] : sizeof(addr);
	int sock = -1, r;
	ssize_t n;

	n = copy_from_target(req->pid, req->data.args[1], &addr, len);
	if (n < 0)
		return (int)n;
	r = notif_id_valid(listener, req->id);
	if (r < 0)
		return r;
	r = kept_handles((pid_t)req->pid);
	if (r < 0)
		return r;
	sock = (int)syscall(SYS_pidfd_getfd, kept.pidfd, (int)req->data.args[0], 0);
	if (sock < 0)
		return -errno;
	/* loopback: the handshake completes inside connect() */
	resp->error = connect(sock, (struct sockaddr *)&addr, (socklen_t)n) < 0 ? -errno : 0;
	close(sock);
	resp->flags = 0;
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 ? -errno : 0;
}

static int minimal_serve(int listener)
{
	static struct seccomp_notif req;
	static struct seccomp_notif_resp resp;
	struct pollfd pfd = { .fd = listener, .events = POLLIN };
	char path[PATH_MAX];
	int r;

	for (;;) {
		r = poll(&pfd, 1, RUN_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		if (!(pfd.revents & POLLIN))
			return 0;
		memset(&req, 0, sizeof(req));
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			return -errno;
		}
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		if (req.data.nr == SYS_openat) {
			r = minimal_open(listener, &req);
		} else if (req.data.nr == SYS_connect) {
			r = minimal_connect(listener, &req, &resp);
		} else {
			/* exec: the decision needs the path; CONTINUE acts on it */
			r = (int)copy_from_target(req.pid, req.data.args[0], path, sizeof(path));
			if (r >= 0)
				r = notif_id_valid(listener, req.id);
			if (r >= 0) {
				resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
				r = ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 ? -errno
											 : 0;
			}
		}
		if (r < 0 && r != -ENOENT) {
			/* never open on error */
			resp.flags = 0;
			resp.error = -EPERM;
			ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
		}
	}
}

/* --- the real gate served by the library --------------------------------------------- */

static int gate_install(const struct policy *p)
{
	struct gate_filter_spec spec = { 0 };
	const char *const *names = NULL;
	struct sock_filter *prog = NULL;
	unsigned len = 0;
	int r;

	spec.ops = policy_ops_needed(p);
	spec.n_extra = policy_syscalls_named(p, &names);
	spec.extra = names;
	spec.user_uid = getuid();
	spec.user_gid = getgid();
	r = gate_filter_build(&spec, &prog, &len);
	if (r < 0)
		return r;
	r = gate_filter_install(prog, len);
	free(prog);
	return r;
}

/* One notification: decide by policy, answer.  An ask is denied: the bench's policies
 * ask only where the gate server is not used. */
static void gate_answer(const struct policy *p, struct gate_notif *n)
{
	struct al_decision d;
	int r;

	n->req.home = home_dir;
	n->req.workspace = workdir;
	policy_decide(p, &n->req, &d);
	if (d.action == AL_ALLOW || d.action == AL_AUDIT) {
		r = notify_allow(n);
		if (r == -EINPROGRESS) {
			struct pollfd w = { .fd = n->wait_fd, .events = POLLOUT };

			while (poll(&w, 1, -1) < 0 && errno == EINTR)
				;
			r = notify_complete(n);
		}
		if (r < 0)
			notify_deny(n, EPERM);
	} else {
		notify_deny(n, d.action == AL_DENY && d.error > 0 ? d.error : EPERM);
	}
	notify_release(n);
}

static int gate_serve(int listener, const struct policy *p)
{
	static struct gate_notif n;
	struct pollfd pfd = { .fd = listener, .events = POLLIN };
	int r;

	for (;;) {
		r = poll(&pfd, 1, RUN_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		if (!(pfd.revents & POLLIN))
			return 0;
		r = notify_recv(listener, &n);
		if (r == -ENOENT || r == -EAGAIN || r == -EINTR || r == -EIO)
			continue;
		if (r < 0)
			return r;
		gate_answer(p, &n);
	}
}

/* --- running the target -------------------------------------------------------------- */

/* Read fd to EOF (or len - 1 bytes), RUN_TIMEOUT_MS at most: -ETIMEDOUT after that. */
static int read_all(int fd, char *buf, size_t len)
{
	uint64_t deadline = now_ns() + RUN_TIMEOUT_MS * 1000000ull;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t got = 0;

	while (got + 1 < len) {
		uint64_t now = now_ns();
		ssize_t n;

		if (now >= deadline)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, (int)((deadline - now) / 1000000 + 1));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			continue;
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	return (int)got;
}

/* The child: set up its side per spec, then exec argv (the target, or airlock run). */
static void __attribute__((noreturn))
child_exec(const struct launch_spec *s, char *const argv[], int out_w, int sync_w)
{
	char *av[64];
	int i = 0, l = -1;

	if (dup2(out_w, STDOUT_FILENO) < 0)
		_exit(126);
	if (s->how == L_ALLOWALL &&
	    (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || allowall_filter_install() < 0))
		_exit(126);
	if (s->how == L_FLOOR || s->how == L_MINIMAL || s->how == L_GATE) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(126);
		l = s->how == L_GATE ? gate_install(s->policy) : floor_filter_install(s->floor_nr);
		if (l < 0) {
			/* stderr is the bench's own: the message says what failed */
			dprintf(STDERR_FILENO, "bench_gate: installing the %s filter: %s\n",
				launch_name[s->how], strerror(-l));
			_exit(126);
		}
		/* dup3 and close are never gated: the parent takes LISTENER_FD with
		 * pidfd_getfd once it sees the sync pipe close. */
		if (dup3(l, LISTENER_FD, O_CLOEXEC) < 0)
			_exit(126);
		close(l);
		close(sync_w);
		/* Wait for the parent to have taken the listener before exec closes it. */
		{
			char c;
			int go = GO_FD;

			while (read(go, &c, 1) < 0 && errno == EINTR)
				;
			close(go);
		}
	}
	if (s->how == L_AIRLOCK) {
		av[i++] = airlock_path;
		av[i++] = "--runtime-dir";
		av[i++] = (char *)s->runtime_dir;
		av[i++] = "run";
		av[i++] = "--";
	}
	for (int k = 0; argv[k] && i < 63; k++)
		av[i++] = argv[k];
	av[i] = NULL;
	execv(av[0], av);
	_exit(127);
}

/* Run argv per spec and return the target's stdout in out.  0 or -errno. */
static int run_target(const struct launch_spec *s, char *const argv[], char *out, size_t out_len)
{
	int outp[2] = { -1, -1 }, syncp[2] = { -1, -1 }, gop[2] = { -1, -1 };
	int pidfd = -1, listener = -1, status, n, r = 0;
	pid_t pid;

	if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(syncp, O_CLOEXEC) < 0 ||
	    pipe2(gop, O_CLOEXEC) < 0) {
		r = -errno;
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		goto out;
	}
	if (pid == 0) {
		close(outp[0]);
		close(syncp[0]);
		close(gop[1]);
		if (dup3(gop[0], GO_FD, O_CLOEXEC) < 0)
			_exit(126);
		child_exec(s, argv, outp[1], syncp[1]);
	}
	close(outp[1]);
	close(syncp[1]);
	close(gop[0]);
	outp[1] = syncp[1] = gop[0] = -1;

	if (s->how == L_FLOOR || s->how == L_MINIMAL || s->how == L_GATE) {
		char c;

		while (read(syncp[0], &c, 1) < 0 && errno == EINTR)
			;
		pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (pidfd >= 0)
			listener = (int)syscall(SYS_pidfd_getfd, pidfd, LISTENER_FD, 0);
		close(gop[1]);
		gop[1] = -1;
		if (listener < 0) {
			r = -errno;
			kill(pid, SIGKILL);
		} else {
			r = s->how == L_FLOOR	  ? floor_serve(listener)
			    : s->how == L_MINIMAL ? minimal_serve(listener)
						  : gate_serve(listener, s->policy);
			if (r < 0)
				kill(pid, SIGKILL); /* a server that gave up answers nothing more */
		}
	}
	n = read_all(outp[0], out, out_len);
	if (n < 0) {
		kill(pid, SIGKILL);
		if (r == 0)
			r = n;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			r = -errno;
			goto out;
		}
	}
	if (r == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		r = -ECHILD;
out:
	if (listener >= 0)
		close(listener);
	if (pidfd >= 0)
		close(pidfd);
	for (int k = 0; k < 2; k++) {
		if (outp[k] >= 0)
			close(outp[k]);
		if (syncp[k] >= 0)
			close(syncp[k]);
		if (gop[k] >= 0)
			close(gop[k]);
	}
	return r;
}

/* Run the target once and return its ns per measured call. */
static int measure_once(const struct launch_spec *s, const char *mode, long iters, const char *arg,
			double *ret_ns)
{
	char out[256], n_buf[32];
	char *argv[] = { target_path, (char *)mode, n_buf, (char *)arg, NULL };
	unsigned long long ns;
	long n;
	int r;

	snprintf(n_buf, sizeof(n_buf), "%ld", iters);
	r = run_target(s, argv, out, sizeof(out));
	if (r < 0)
		return r;
	if (sscanf(out, "ns %llu %ld", &ns, &n) != 2 || n != iters)
		return -EPROTO;
	*ret_ns = (double)ns / (double)n;
	return 0;
}

/* Every repetition of every launch of one row, in the order they ran. */
struct samples {
	int reps;
	double v[4][REPS_MAX]; /* ns per call */
};

/* Interleave reps runs of each spec (A B A B ...). */
static int measure(const struct launch_spec *const *specs, size_t n_specs, int reps,
		   const char *mode, long iters, const char *arg, struct samples *ret)
{
	int r;

	if (n_specs > 4 || reps > REPS_MAX)
		return -EINVAL;
	for (int rep = 0; rep < reps; rep++) {
		for (size_t k = 0; k < n_specs; k++) {
			r = measure_once(specs[k], mode, iters, arg, &ret->v[k][rep]);
			if (r < 0) {
				fprintf(stderr, "bench_gate: %s under %s: %s\n", mode,
					launch_name[specs[k]->how], strerror(-r));
				return r;
			}
		}
	}
	ret->reps = reps;
	return 0;
}

/* --- airlockd ------------------------------------------------------------------------ */

/* The bench's policy: exec, write-open and connect are notified, and what the loops do
 * is allowed by policy (no rule matches /bin/true, the workspace files or 127.0.0.0/8).
 * "ask-*" in the workspace is asked, for the approval latency row.  With_read adds a
 * read rule that matches nothing the loops open: the price of notifying every open. */
static int policy_text(bool with_read, char *buf, size_t len)
{
	int n = snprintf(buf, len,
			 "version: 1\n"
			 "defaults:\n"
			 "  ask_timeout: 120s\n"
			 "  on_timeout: deny\n"
			 "rules:\n"
			 "  - name: escalation\n"
			 "    match: { exec: [sudo, su, /usr/bin/pkexec] }\n"
			 "    action: ask\n"
			 "  - name: system-files\n"
			 "    match: { write: [\"/etc/**\", \"~/.ssh/**\"] }\n"
			 "    action: ask\n"
			 "  - name: bench-ask\n"
			 "    match: { write: [\"%s/ask-*\"] }\n"
			 "    action: ask\n"
			 "  - name: egress\n"
			 "    match: { connect: [\"0.0.0.0/0\", \"::/0\"] }\n"
			 "    except: { connect: [\"127.0.0.0/8\", \"::1/128\"] }\n"
			 "    action: ask\n"
			 "%s",
			 workdir,
			 with_read ? "  - name: credentials\n"
				     "    match: { read: [\"~/.aws/credentials\", \"**/.env\"] }\n"
				     "    action: ask\n"
				   : "");
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static void bench_daemon_stop(struct test_daemon *d)
{
	if (d->pid > 0)
		test_daemon_stop(d);
	d->pid = -1;
}

/* BENCH_GATE_ROWS=1,3c runs only the rows whose id starts with one of the tokens (for
 * profiling one row under perf or strace); unset: every row. */
static bool row_wanted(const char *id)
{
	const char *env = getenv("BENCH_GATE_ROWS"), *p;

	if (!env || !*env)
		return true;
	for (p = env; *p;) {
		size_t len = strcspn(p, ",");

		if (len > 0 && strncmp(id, p, len) == 0)
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

/* --- the table ----------------------------------------------------------------------- */

struct row {
	const char *id;
	const char *what;
	const char *how;       /* which launch gave `val` */
	const char *base_name; /* what `base` is */
	double base, val;      /* ns per call, medians */
	double ratio;	       /* median of the per-repetition ratios val/base */
	double aim;	       /* ratio aimed at, 0 when reported only */
	int err;	       /* -errno when it could not be measured */
};

/* Fill r from launch k against launch base.  The ratio is the median of the ratios of
 * runs made back to back, which share the machine's load of the moment; the two medians
 * are shown beside it. */
static void row_fill(struct row *r, const struct samples *smp, int k, int base)
{
	double a[REPS_MAX], b[REPS_MAX], q[REPS_MAX];

	for (int i = 0; i < smp->reps; i++) {
		a[i] = smp->v[k][i];
		b[i] = smp->v[base][i];
		q[i] = a[i] / b[i];
	}
	r->val = median(a, (size_t)smp->reps);
	r->base = median(b, (size_t)smp->reps);
	r->ratio = median(q, (size_t)smp->reps);
}

static void fmt_time(double ns, char *buf, size_t len)
{
	if (ns < 1e3)
		snprintf(buf, len, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.2f us", ns / 1e3);
	else
		snprintf(buf, len, "%.2f ms", ns / 1e6);
}

/* Aims missed (a result) and rows that could not be measured (a failure: exit 1). */
static int missed, unmeasured;

static void row_print(const struct row *r)
{
	char b[32], v[32], aim[16];
	double ratio;

	if (r->err < 0) {
		printf("%-3s %-40s %-8s %-18s %-10s %-8s %-7s not measured: %s\n", r->id, r->what,
		       r->how, "-", "-", "-", "-", strerror(-r->err));
		unmeasured++;
		return;
	}
	fmt_time(r->base, b, sizeof(b));
	fmt_time(r->val, v, sizeof(v));
	ratio = r->ratio;
	if (r->aim > 0)
		snprintf(aim, sizeof(aim), "<=%.2fx", r->aim);
	else
		snprintf(aim, sizeof(aim), "-");
	printf("%-3s %-40s %-8s %-7s %10s %10s %7.3fx %-8s %s\n", r->id, r->what, r->how,
	       r->base_name, b, v, ratio, aim,
	       r->aim > 0 ? (ratio <= r->aim ? "met" : "missed") : "reported");
	if (r->aim > 0 && ratio > r->aim)
		missed++;
}

static void table_header(void)
{
	printf("%-3s %-40s %-8s %-7s %10s %10s %8s %-8s %s\n", "row", "what", "measured", "base",
	       "base/call", "meas/call", "ratio", "aim", "result");
}

/* --- row 5: approve -> resume latency ------------------------------------------------ */

static int pending_first_id(int api, long long *ret_id)
{
	json_t *req = json_pack("{s:s}", "op", "pending"), *resp = NULL, *list, *id;
	int r;

	if (!req)
		return -ENOMEM;
	r = api_call(api, req, &resp, NULL, 0);
	json_decref(req);
	if (r < 0)
		return r;
	list = json_object_get(resp, "pending");
	id = json_is_array(list) && json_array_size(list) > 0
		     ? json_object_get(json_array_get(list, 0), "id")
		     : NULL;
	r = json_is_integer(id) ? 0 : -EAGAIN;
	if (r == 0)
		*ret_id = json_integer_value(id);
	json_decref(resp);
	return r;
}

static int approve_cli(const char *dir, long long id)
{
	char id_buf[32];
	int status;
	pid_t pid;

	snprintf(id_buf, sizeof(id_buf), "%lld", id);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		char *av[] = {
			airlock_path, "--runtime-dir", (char *)dir, "approve", id_buf, NULL
		};
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execv(av[0], av);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

static int approve_api(int api, long long id)
{
	json_t *req = json_pack("{s:s,s:I}", "op", "approve", "id", (json_int_t)id), *resp = NULL;
	int r;

	if (!req)
		return -ENOMEM;
	r = api_call(api, req, &resp, NULL, 0);
	json_decref(req);
	json_decref(resp);
	return r;
}

/* fork + exec + wait of /bin/true: what starting any program costs at that moment. */
static int spawn_true(void)
{
	char *const argv[] = { "true", NULL };
	char *const envp[] = { NULL };
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execve("/bin/true", argv, envp);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

#define LAT_WARMUP  10
#define LAT_SAMPLES 200 /* per method */

/* The target asks in a loop; each ask is approved alternately by the CLI and by a raw
 * API request; latency = the target's timestamp after the call returned minus the
 * driver's timestamp just before it started approving (CLOCK_MONOTONIC, one clock).
 * After each CLI sample, a fork+exec+wait of /bin/true is timed too: the baseline of
 * the CLI's own start, taken at the same moments, so that the machine's load can be told
 * apart from airlock's share. */
static int measure_approve(const char *dir, double *cli, double *raw, double *spawn)
{
	struct launch_spec s = { .how = L_AIRLOCK, .runtime_dir = dir };
	int total = LAT_WARMUP + 2 * LAT_SAMPLES, n_cli = 0, n_raw = 0, outp[2], api = -1, r = 0;
	char n_buf[16], path[PATH_MAX], line[128];
	char *argv[] = { target_path, "ask", n_buf, path, NULL };
	FILE *out = NULL;
	pid_t pid;
	int status;

	snprintf(n_buf, sizeof(n_buf), "%d", total);
	snprintf(path, sizeof(path), "%s/ask-latency", workdir);
	if (pipe2(outp, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(outp[0]);
		close(outp[1]);
		return r;
	}
	if (pid == 0) {
		close(outp[0]);
		child_exec(&s, argv, outp[1], -1);
	}
	close(outp[1]);
	out = fdopen(outp[0], "r");
	api = api_connect(dir);
	if (!out || api < 0) {
		r = api < 0 ? api : -ENOMEM;
		goto out;
	}
	for (int i = 0; i < total; i++) {
		unsigned long long t1;
		long long id;
		uint64_t t0, deadline = now_ns() + 10000000000ull;
		int rc;

		while ((r = pending_first_id(api, &id)) == -EAGAIN && now_ns() < deadline)
			usleep(200);
		if (r == -EAGAIN)
			r = -ETIMEDOUT; /* the target's ask never showed up */
		if (r < 0)
			goto out;
		t0 = now_ns();
		r = i % 2 ? approve_api(api, id) : approve_cli(dir, id);
		if (r < 0)
			goto out;
		if (!fgets(line, sizeof(line), out) || sscanf(line, "t %llu %d", &t1, &rc) != 2) {
			r = -EPROTO;
			goto out;
		}
		if (rc != 0) {
			r = rc;
			goto out;
		}
		if (i < LAT_WARMUP)
			continue;
		if (i % 2) {
			raw[n_raw++] = ((double)t1 - (double)t0);
		} else {
			cli[n_cli] = ((double)t1 - (double)t0);
			t0 = now_ns();
			r = spawn_true();
			if (r < 0)
				goto out;
			spawn[n_cli++] = (double)(now_ns() - t0);
		}
	}
out:
	if (r < 0)
		kill(pid, SIGTERM);
	if (api >= 0)
		close(api);
	if (out)
		fclose(out);
	else
		close(outp[0]);
	status = test_wait_child(pid, 5000); /* SIGKILL past 5 s */
	if (r == 0 && status != 0)
		r = -ECHILD;
	return r;
}

/* A notification round trip between two CPUs of this VM costs 7 to 25 us depending on
 * where the scheduler puts the two processes (a cross-CPU wake-up is an IPI and an idle
 * exit); on one CPU it is two context switches.  Every process the bench starts
 * (targets, airlock run, airlockd) inherits this affinity, so each figure compares like
 * with like.  The last CPU allowed is used. */
static cpu_set_t cpus_allowed; /* the affinity the bench started with */

static int pin_to_one_cpu(int *ret_cpu)
{
	cpu_set_t set;
	int cpu = -1;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return -errno;
	cpus_allowed = set;
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &set))
			cpu = i;
	if (cpu < 0)
		return -EINVAL;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		return -errno;
	*ret_cpu = cpu;
	return 0;
}

/* The machine's load when the bench starts: other work on a shared machine moves every
 * absolute figure (the ratios, interleaved, much less), so the table says what it was. */
static void print_loadavg(void)
{
	char buf[64] = "";
	int fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);

		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		close(fd);
	}
	printf("load average at start: %s (%ld CPUs online)\n", buf[0] ? buf : "unknown",
	       sysconf(_SC_NPROCESSORS_ONLN));
}

/* --- main ---------------------------------------------------------------------------- */

static int setup_paths(void)
{
	const char *self = test_build_dir();
	int fd;

	if (path_join(target_path, sizeof(target_path), self, "tests/helpers/bench_target") < 0 ||
	    path_join(airlock_path, sizeof(airlock_path), self, "airlock") < 0)
		return -ENAMETOOLONG;
	if (access(target_path, X_OK) < 0)
		return -errno;

	snprintf(workdir, sizeof(workdir), "/tmp/airlock-bench.XXXXXX");
	if (!mkdtemp(workdir))
		return -errno;
	home_dir = getenv("HOME") ? getenv("HOME") : "/root";
	/* w: the write-open target; r: the read-open target; noexec: execve fails EACCES
	 * (ask-latency is created by row 5's target) */
	for (size_t i = 0; i < 3; i++) {
		char p[PATH_MAX];

		snprintf(p, sizeof(p), "%s/%s", workdir, work_files[i]);
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			return -errno;
		if (write(fd, "#!/bin/sh\n", 10) != 10) {
			close(fd);
			return -EIO;
		}
		close(fd);
	}
	return 0;
}

static void cleanup_workdir(void)
{
	int dfd;

	if (!workdir[0])
		return;
	dfd = open(workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		for (size_t i = 0; i < sizeof(work_files) / sizeof(work_files[0]); i++)
			unlinkat(dfd, work_files[i], 0);
		close(dfd);
	}
	if (rmdir(workdir) < 0)
		fprintf(stderr, "bench_gate: cannot remove '%s': %s, ignoring\n", workdir,
			strerror(errno));
}

int main(void)
{
	struct policy *pol_default = NULL, *pol_bench = NULL, *pol_read = NULL;
	struct test_daemon d_default = { .pid = -1 }, d_bench = { .pid = -1 },
			   d_read = { .pid = -1 };
	static struct policy_diags diags; /* 50 KiB: not on the stack */
	char text[4096], text_read[4096], wpath[PATH_MAX], rpath[PATH_MAX], xpath[PATH_MAX];
	const struct launch_spec plain = { .how = L_PLAIN };
	const struct launch_spec allowall = { .how = L_ALLOWALL };
	struct launch_spec real_default, real_bench, real_read, gate_bench;
	bool have_daemon;
	struct samples smp;
	int cpu = -1, r;

	if (geteuid() != 0) {
		printf("bench_gate: needs root (cgroups, seccomp listeners), skipped\n");
		return 0;
	}
	r = pin_to_one_cpu(&cpu);
	if (r >= 0)
		r = setup_paths();
	if (r < 0) {
		fprintf(stderr, "bench_gate: set-up: %s\n", strerror(-r));
		return 1;
	}
	r = syscalls_init();
	if (r >= 0)
		r = policy_load_default(&pol_default);
	if (r >= 0)
		r = policy_text(false, text, sizeof(text));
	if (r >= 0)
		r = policy_text(true, text_read, sizeof(text_read));
	if (r >= 0)
		r = policy_load_buffer(text, strlen(text), "<bench>", &pol_bench, &diags);
	if (r >= 0)
		r = policy_load_buffer(text_read, strlen(text_read), "<bench-read>", &pol_read,
				       &diags);
	if (r < 0) {
		for (unsigned i = 0; r == -EINVAL && i < diags.count; i++) {
			char line[1024];

			policy_diag_format(&diags.diag[i], line, sizeof(line));
			fprintf(stderr, "bench_gate: %s\n", line);
		}
		fprintf(stderr, "bench_gate: loading the policies: %s\n", strerror(-r));
		goto out;
	}
	snprintf(wpath, sizeof(wpath), "%s/w", workdir);
	snprintf(rpath, sizeof(rpath), "%s/r", workdir);
	snprintf(xpath, sizeof(xpath), "%s/noexec", workdir);

	have_daemon = test_daemon_start(&d_default, NULL, NULL) == 0 &&
		      test_daemon_start(&d_bench, text, NULL) == 0 &&
		      test_daemon_start(&d_read, text_read, NULL) == 0;
	if (have_daemon) {
		real_default = (struct launch_spec){ .how = L_AIRLOCK,
						     .runtime_dir = d_default.runtime_dir };
		real_bench = (struct launch_spec){ .how = L_AIRLOCK,
						   .runtime_dir = d_bench.runtime_dir };
		real_read =
			(struct launch_spec){ .how = L_AIRLOCK, .runtime_dir = d_read.runtime_dir };
	} else {
		bench_daemon_stop(&d_default);
		bench_daemon_stop(&d_bench);
		bench_daemon_stop(&d_read);
		real_default = (struct launch_spec){ .how = L_GATE, .policy = pol_default };
		real_bench = (struct launch_spec){ .how = L_GATE, .policy = pol_bench };
		real_read = (struct launch_spec){ .how = L_GATE, .policy = pol_read };
	}
	gate_bench = (struct launch_spec){ .how = L_GATE, .policy = pol_bench };

	printf("airlock gate benchmark: medians of 7-15 interleaved runs, warm-up first; rows\n"
	       "1-4 pinned to CPU %d (see docs/bench.md).  Launches: outside = no filter;\n"
	       "allowall = a RET_ALLOW-only filter; floor = a raw filter notifying only the\n"
	       "measured syscall, answered by bare RECV -> SEND(CONTINUE) ioctls; minimal = the\n"
	       "least a safe emulation does; gate = the real filter, answered by the library\n"
	       "(notify_recv -> policy_decide -> notify_allow); airlock = build/airlock run\n"
	       "against airlockd.%s\n",
	       cpu, have_daemon ? "" : "  airlockd did not start: rows use 'gate'.");
	print_loadavg();
	printf("\n");
	table_header();

	{
		static const struct {
			const char *id, *what, *mode;
			long iters;
		} loops[] = {
			{ "1a", "getppid loop, ungated (default policy)", "getppid", 300000 },
			{ "1b", "read 1 B of /dev/zero, ungated (default)", "readzero", 200000 },
		};
		const struct launch_spec *s[] = { &plain, &allowall, &real_default };

		for (size_t i = 0; i < 2; i++) {
			struct row a = { .id = loops[i].id,
					 .what = loops[i].what,
					 .how = launch_name[real_default.how],
					 .base_name = "outside",
					 .aim = 1.05 };
			struct row any = { .id = "",
					   .what = "  any filter (RET_ALLOW only)",
					   .how = launch_name[L_ALLOWALL],
					   .base_name = "outside" };
			struct row over = { .id = "",
					    .what = "  the gate's filter over any filter",
					    .how = launch_name[real_default.how],
					    .base_name = "allowall" };

			if (!row_wanted(loops[i].id))
				continue;
			a.err = any.err = over.err =
				measure(s, 3, 7, loops[i].mode, loops[i].iters, NULL, &smp);
			row_fill(&a, &smp, 2, 0);
			row_fill(&any, &smp, 1, 0);
			row_fill(&over, &smp, 2, 1);
			row_print(&a);
			row_print(&any);
			row_print(&over);
		}
	}
	if (row_wanted("2")) {
		/* gate too, when airlockd runs: it separates the notification's cost from the
		 * session's (cgroup, BPF exec events) */
		const struct launch_spec *s[] = { &plain, &real_bench, &gate_bench };
		struct row a = { .id = "2",
				 .what = "fork+exec /bin/true, exec auto-allowed",
				 .how = launch_name[real_bench.how],
				 .base_name = "outside",
				 .aim = 1.2 };
		struct row b = { .id = "2",
				 .what = "fork+exec /bin/true, exec auto-allowed",
				 .how = launch_name[L_GATE],
				 .base_name = "outside",
				 .aim = 1.2 };

		a.err = b.err = measure(s, have_daemon ? 3 : 2, 15, "forkexec", 30, NULL, &smp);
		row_fill(&a, &smp, 1, 0);
		row_fill(&b, &smp, 2, 0);
		row_print(&a);
		if (have_daemon)
			row_print(&b);
	}
	{
		static const struct {
			const char *id, *what, *mode;
			long iters;
			int nr;
		} calls[] = {
			{ "3a", "open O_WRONLY|O_CREAT, allowed (ADDFD)", "openw", 2000,
			  SYS_openat },
			{ "3b", "connect 127.0.0.1, allowed (emulated)", "connect", 1000,
			  SYS_connect },
			{ "3c", "execve, allowed (CONTINUE; fails EACCES)", "execfail", 2000,
			  SYS_execve },
		};
		const char *args[] = { wpath, NULL, xpath };

		for (size_t i = 0; i < 3; i++) {
			const struct launch_spec floor = { .how = L_FLOOR,
							   .floor_nr = calls[i].nr };
			const struct launch_spec minimal = { .how = L_MINIMAL,
							     .floor_nr = calls[i].nr };
			const struct launch_spec *s[] = { &floor, &minimal, &gate_bench,
							  &real_bench };
			struct row r_min = { .id = calls[i].id,
					     .what = calls[i].what,
					     .how = launch_name[L_MINIMAL],
					     .base_name = "floor" };
			struct row r_gate = { .id = calls[i].id,
					      .what = calls[i].what,
					      .how = launch_name[L_GATE],
					      .base_name = "floor",
					      .aim = 1.3 };
			struct row r_air = { .id = calls[i].id,
					     .what = calls[i].what,
					     .how = launch_name[L_AIRLOCK],
					     .base_name = "floor",
					     .aim = 1.3 };

			if (!row_wanted(calls[i].id))
				continue;
			r_min.err = r_gate.err = r_air.err =
				measure(s, have_daemon ? 4 : 3, 9, calls[i].mode, calls[i].iters,
					args[i], &smp);
			row_fill(&r_min, &smp, 1, 0);
			row_fill(&r_gate, &smp, 2, 0);
			row_fill(&r_air, &smp, 3, 0);
			row_print(&r_min);
			row_print(&r_gate);
			if (have_daemon)
				row_print(&r_air);
		}
	}
	if (row_wanted("4")) {
		const struct launch_spec *s[] = { &real_bench, &real_read };
		struct row a = { .id = "4",
				 .what = "open O_RDONLY: read rule present/absent",
				 .how = launch_name[real_read.how],
				 .base_name = "absent" };

		a.err = measure(s, 2, 9, "openr", 2000, rpath, &smp);
		row_fill(&a, &smp, 1, 0);
		row_print(&a);
	}
	if (!row_wanted("5")) {
		/* not asked for */
	} else if (have_daemon) {
		double cli[LAT_SAMPLES], raw[LAT_SAMPLES], spawn[LAT_SAMPLES];
		char p50[32], p99[32], q50[32], q99[32], s50[32], s99[32];

		/* Latency is what a user sees: the driver, the CLI, airlockd and the target
		 * run where the scheduler puts them, as they would without the bench. */
		if (sched_setaffinity(0, sizeof(cpus_allowed), &cpus_allowed) < 0 ||
		    sched_setaffinity(d_bench.pid, sizeof(cpus_allowed), &cpus_allowed) < 0)
			fprintf(stderr, "bench_gate: cannot unpin for row 5: %s, ignoring\n",
				strerror(errno));
		r = measure_approve(d_bench.runtime_dir, cli, raw, spawn);
		if (r < 0) {
			printf("5   approve -> resume latency: not measured: %s\n", strerror(-r));
			unmeasured++;
		} else {
			double c99 = percentile(cli, LAT_SAMPLES, 99), w99;

			fmt_time(percentile(cli, LAT_SAMPLES, 50), p50, sizeof(p50));
			fmt_time(c99, p99, sizeof(p99));
			fmt_time(percentile(raw, LAT_SAMPLES, 50), q50, sizeof(q50));
			w99 = percentile(raw, LAT_SAMPLES, 99);
			fmt_time(w99, q99, sizeof(q99));
			printf("5   approve -> target resumes (%d samples each, not pinned), aim "
			       "p99 <= "
			       "5 ms\n",
			       LAT_SAMPLES);
			printf("    `airlock approve ID` (fork+exec): p50 %s  p99 %s  %s\n", p50,
			       p99, c99 <= 5e6 ? "met" : "missed");
			printf("    raw API request on the socket:    p50 %s  p99 %s  %s\n", q50,
			       q99, w99 <= 5e6 ? "met" : "missed");
			fmt_time(percentile(spawn, LAT_SAMPLES, 50), s50, sizeof(s50));
			fmt_time(percentile(spawn, LAT_SAMPLES, 99), s99, sizeof(s99));
			printf("    baseline: fork+exec+wait /bin/true: p50 %s  p99 %s  (same "
			       "moments)\n",
			       s50, s99);
			if (c99 > 5e6 || w99 > 5e6)
				missed++;
		}
	} else {
		printf("5   approve -> resume latency: not measured: airlockd did not start\n");
		unmeasured++;
	}
	printf("\n%d aims missed, %d rows not measured (docs/bench.md says why)\n", missed,
	       unmeasured);
	r = unmeasured ? -EIO : 0;
out:
	bench_daemon_stop(&d_default);
	bench_daemon_stop(&d_bench);
	bench_daemon_stop(&d_read);
	policy_free(pol_default);
	policy_free(pol_bench);
	policy_free(pol_read);
	cleanup_workdir();
	return r < 0 ? 1 : 0;
}
