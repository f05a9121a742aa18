// SPDX-License-Identifier: Apache-2.0
/*
 * The BPF layer against the real kernel: real programs on the sched tracepoints, real
 * cgroups, real processes that fork, exec /bin/true and exit inside them.  Every attach
 * kind (tp_btf, raw_tp, tp) is run by ruling out the ones before it.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <linux/sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "airlock/abi.h"
#include "bpf_layer.h"
#include "test_cgroup.h"

#define SESSION_ID 0x5e55104ull

static struct bpf_layer *layer;
static char cg_a[4200], cg_b[4200];
static uint64_t id_a, id_b;

static void open_layer(unsigned int refused)
{
	char root[4096], name[64];
	int r;

	if (geteuid() != 0)
		cr_skip_test("needs root to load BPF programs");
	if (test_cgroup2_root(root, sizeof(root)) < 0)
		cr_skip_test("no cgroup2 mount in /proc/self/mountinfo");
	r = bpf_layer_open_refusing(refused, &layer);
	if (r == -EPERM)
		cr_skip_test("the kernel refuses BPF here (%s)", strerror(-r));
	cr_assert_eq(r, 0, "bpf_layer_open: %s", strerror(-r));

	/* Criterion may run tests side by side: the cgroups carry our pid. */
	snprintf(name, sizeof(name), "airlock-test-bpf-a-%d", (int)getpid());
	r = test_cgroup_make(name, cg_a, sizeof(cg_a), &id_a);
	cr_assert_eq(r, 0, "mkdir cgroup '%s': %s", name, strerror(-r));
	snprintf(name, sizeof(name), "airlock-test-bpf-b-%d", (int)getpid());
	r = test_cgroup_make(name, cg_b, sizeof(cg_b), &id_b);
	cr_assert_eq(r, 0, "mkdir cgroup '%s': %s", name, strerror(-r));
}

static void teardown(void)
{
	/* The workloads have been reaped, so the cgroups are empty. */
	if (cg_a[0])
		rmdir(cg_a);
	if (cg_b[0])
		rmdir(cg_b);
	bpf_layer_close(layer);
}

TestSuite(bpf_layer, .fini = teardown);

/* What the grandchild of FORK_EXEC_TRUE execs. */
static const char *exec_path = "/bin/true";

enum workload { FORK_EXEC_TRUE, THREAD_EXEC_TRUE, THREAD_ONLY, CLONE_INTO_B };

struct run {
	pid_t child;	  /* moved into the cgroup */
	pid_t grandchild; /* forked by child, execs /bin/true */
	pid_t exec_tid;	  /* the thread of grandchild that called exec */
};

static void *thread_main(void *arg)
{
	return arg;
}

/* A thread other than the leader execs: the kernel makes it the leader, with the
 * leader's pid. */
static void *thread_exec(void *arg)
{
	int fd = *(int *)arg;
	pid_t tid = gettid();

	if (write(fd, &tid, sizeof(tid)) != sizeof(tid))
		_exit(20);
	execl("/bin/true", "true", (char *)NULL);
	_exit(21);
}

/*
 * Fork a child, move it into cgroup cg, then let it run the workload: FORK_EXEC_TRUE forks
 * a grandchild that execs /bin/true; THREAD_EXEC_TRUE likewise, but from a second thread of
 * the grandchild; THREAD_ONLY starts and joins one thread; CLONE_INTO_B makes a child
 * straight into cg_b with clone3(CLONE_INTO_CGROUP), which exits.  Returns once all are
 * reaped.
 */
static struct run run_in(const char *cg, enum workload w)
{
	struct run run = { 0 };
	int go[2], report[2], status, r;
	char c = 0;

	cr_assert_eq(pipe2(go, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(report, O_CLOEXEC), 0);
	run.child = fork();
	cr_assert_geq(run.child, 0);
	if (run.child == 0) {
		pthread_t t;
		pid_t gc = 0;

		if (read(go[0], &c, 1) != 1)
			_exit(10);
		if (w == THREAD_ONLY) {
			if (pthread_create(&t, NULL, thread_main, NULL) != 0 ||
			    pthread_join(t, NULL) != 0)
				_exit(11);
		} else if (w == CLONE_INTO_B) {
			struct clone_args ca = { .flags = CLONE_INTO_CGROUP,
						 .exit_signal = SIGCHLD };
			int fd = open(cg_b, O_PATH | O_DIRECTORY | O_CLOEXEC);

			ca.cgroup = (uint64_t)fd;
			gc = fd < 0 ? -1 : (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
			if (gc == 0)
				_exit(0);
			if (gc < 0 || waitpid(gc, &status, 0) != gc || !WIFEXITED(status))
				_exit(17);
		} else {
			gc = fork();
			if (gc < 0)
				_exit(12);
			if (gc == 0 && w == THREAD_EXEC_TRUE) {
				if (pthread_create(&t, NULL, thread_exec, &report[1]) != 0)
					_exit(16);
				for (;;)
					pause(); /* until the exec replaces us */
			}
			if (gc == 0) {
				execl(exec_path, "true", (char *)NULL);
				_exit(13);
			}
			if (waitpid(gc, &status, 0) != gc || !WIFEXITED(status) ||
			    WEXITSTATUS(status) != 0)
				_exit(14);
		}
		if (write(report[1], &gc, sizeof(gc)) != sizeof(gc))
			_exit(15);
		_exit(0);
	}
	close(go[0]);
	close(report[1]);
	r = test_cgroup_enter(cg, run.child);
	if (r < 0)
		kill(run.child, SIGKILL);
	cr_assert_eq(r, 0, "move %d into '%s': %s", (int)run.child, cg, strerror(-r));
	cr_assert_eq(write(go[1], &c, 1), 1);
	/* The exec thread writes before the child, which waits for its exit. */
	if (w == THREAD_EXEC_TRUE)
		cr_assert_eq(read(report[0], &run.exec_tid, sizeof(pid_t)), sizeof(pid_t));
	cr_assert_eq(read(report[0], &run.grandchild, sizeof(pid_t)), sizeof(pid_t));
	cr_assert_eq(waitpid(run.child, &status, 0), run.child);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "workload child failed: %#x",
		  status);
	close(go[1]);
	close(report[0]);
	return run;
}

struct seen {
	struct al_exec_event events[64];
	int n;
};

static void collect(const struct al_exec_event *e, void *ctx)
{
	struct seen *s = ctx;

	if (s->n < 64)
		s->events[s->n++] = *e;
}

static void assert_counters(uint64_t cgroup_id, uint64_t forks, uint64_t execs, uint64_t exits)
{
	struct al_session_counters c;
	int r;

	r = bpf_layer_session_counters(layer, cgroup_id, &c);
	cr_assert_eq(r, 0, "counters: %s", strerror(-r));
	cr_assert_eq(c.forks, forks, "forks %llu, expected %llu", (unsigned long long)c.forks,
		     (unsigned long long)forks);
	cr_assert_eq(c.execs, execs, "execs %llu, expected %llu", (unsigned long long)c.execs,
		     (unsigned long long)execs);
	cr_assert_eq(c.exits, exits, "exits %llu, expected %llu", (unsigned long long)c.exits,
		     (unsigned long long)exits);
}

/*
 * What airlockd does for an AF_UNIX connector (agent/connector.c): from outside the
 * cgroup, clone3(CLONE_INTO_CGROUP) a child straight into it, which exits.  That child's
 * exit is the session's, and so must its fork be.  0, or -errno when clone3 or the flag
 * is not there.
 */
static int clone_into(const char *cg)
{
	struct clone_args ca = { 0 };
	int fd, status;
	long pid;

	fd = open(cg, O_PATH | O_DIRECTORY | O_CLOEXEC);
	cr_assert_geq(fd, 0, "open '%s': %m", cg);
	ca.flags = CLONE_INTO_CGROUP;
	ca.exit_signal = SIGCHLD;
	ca.cgroup = (uint64_t)fd;
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0)
		_exit(0);
	close(fd);
	if (pid < 0)
		return -errno;
	cr_assert_eq(waitpid((pid_t)pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	return 0;
}

/* The whole contract, with whichever attach kinds the layer was opened with. */
static void check_members_counted_others_not(void)
{
	struct seen seen = { .n = 0 };
	const struct al_exec_event *mine = NULL;
	struct run a, b;
	struct pollfd pfd;
	struct stat st;
	int i, r;

	r = bpf_layer_session_add(layer, id_a, SESSION_ID);
	cr_assert_eq(r, 0, "session_add: %s", strerror(-r));
	assert_counters(id_a, 0, 0, 0);

	a = run_in(cg_a, FORK_EXEC_TRUE);
	b = run_in(cg_b, FORK_EXEC_TRUE);

	/* One fork (the grandchild), one exec (/bin/true), two exits (both). */
	assert_counters(id_a, 1, 1, 2);
	cr_assert_eq(bpf_layer_session_counters(layer, id_b, &(struct al_session_counters){ 0 }),
		     -ENOENT);

	/* An exec that was not killed does not wake the reader (a wake-up is an IPI on the
	 * exec's path; airlockd reads the buffer at every loop turn), but its event is there
	 * to read: the grandchild's exec happened before run_in() returned. */
	pfd.fd = bpf_layer_events_fd(layer);
	pfd.events = POLLIN;
	cr_assert_geq(pfd.fd, 0);
	cr_expect_eq(poll(&pfd, 1, 0), 0, "an ordinary exec woke the reader");
	r = bpf_layer_events_consume(layer, collect, &seen);
	cr_assert_eq(r, 1, "consumed %d events, expected only the member's exec", r);
	for (i = 0; i < seen.n; i++) {
		cr_assert_neq(seen.events[i].pid, (__u32)b.grandchild,
			      "exec outside the session seen");
		if (seen.events[i].pid == (__u32)a.grandchild)
			mine = &seen.events[i];
	}
	cr_assert_not_null(mine, "no exec event for pid %d", (int)a.grandchild);
	cr_assert_eq(mine->cgroup_id, id_a);
	cr_assert_eq(mine->session_id, SESSION_ID);
	cr_assert_eq(mine->ppid, (__u32)a.child);
	cr_assert_eq(mine->old_pid, mine->pid, "the leader itself called exec");
	cr_assert_str_eq(mine->comm, "true");
	cr_assert_str_eq(mine->filename, "/bin/true");
	/* The file that ran, whatever path led to it. */
	cr_assert_eq(stat("/bin/true", &st), 0);
	cr_assert_eq(mine->ino, (__u64)st.st_ino);
	cr_assert_eq(mine->dev >> 20, major(st.st_dev));
	cr_assert_eq(mine->dev & 0xfffff, minor(st.st_dev));

	/* A child made into the session from outside: one more fork and one more exit. */
	r = clone_into(cg_a);
	if (r == -ENOSYS || r == -EINVAL)
		cr_skip_test("no clone3(CLONE_INTO_CGROUP) here: %s", strerror(-r));
	cr_assert_eq(r, 0, "clone3: %s", strerror(-r));
	assert_counters(id_a, 2, 1, 3);
	/* A member making a child into another cgroup: the member's exit is the session's,
	 * the child (never in it) neither a fork nor an exit of it. */
	run_in(cg_a, CLONE_INTO_B);
	assert_counters(id_a, 2, 1, 4);
}

Test(bpf_layer, counts_members_with_tp_btf)
{
	char buf[1024];

	open_layer(0);
	bpf_layer_describe(layer, buf, sizeof(buf));
	if (!strstr(buf, "session-exec: active (tp_btf/"))
		cr_skip_test("tp_btf not accepted here: %s", buf);
	check_members_counted_others_not();
}

Test(bpf_layer, counts_members_with_raw_tp)
{
	char buf[1024];

	open_layer(BPF_LAYER_TP_BTF);
	bpf_layer_describe(layer, buf, sizeof(buf));
	cr_assert(strstr(buf, "session-fork: active (raw_tp/sched_process_fork)"), "%s", buf);
	cr_assert(strstr(buf, "session-exec: active (raw_tp/sched_process_exec)"), "%s", buf);
	cr_assert(strstr(buf, "session-exit: active (raw_tp/sched_process_exit)"), "%s", buf);
	check_members_counted_others_not();
}

Test(bpf_layer, counts_members_with_classic_tracepoints)
{
	char buf[1024];

	open_layer(BPF_LAYER_TP_BTF | BPF_LAYER_RAW_TP);
	bpf_layer_describe(layer, buf, sizeof(buf));
	if (strstr(buf, "tracefs: not mounted"))
		cr_skip_test("classic tracepoints need tracefs: %s", buf);
	cr_assert(strstr(buf, "session-fork: active (tp/task/task_newtask)"), "%s", buf);
	cr_assert(strstr(buf, "session-exec: active (tp/sched/sched_process_exec)"), "%s", buf);
	cr_assert(strstr(buf, "session-exit: active (tp/sched/sched_process_exit)"), "%s", buf);
	check_members_counted_others_not();
}

Test(bpf_layer, threads_are_not_processes)
{
	open_layer(0);
	cr_assert_eq(bpf_layer_session_add(layer, id_a, SESSION_ID), 0);
	run_in(cg_a, THREAD_ONLY);
	/* A thread is neither a fork nor, when it ends, an exit of the process. */
	assert_counters(id_a, 0, 0, 1);
}

/* The event names the thread that called exec, which is the pid a seccomp notification of
 * that execve carried, and the process it became. */
Test(bpf_layer, exec_from_a_thread_names_that_thread)
{
	struct seen seen = { .n = 0 };
	struct run a;

	open_layer(0);
	cr_assert_eq(bpf_layer_session_add(layer, id_a, SESSION_ID), 0);
	a = run_in(cg_a, THREAD_EXEC_TRUE);
	assert_counters(id_a, 1, 1, 2);
	cr_assert_eq(bpf_layer_events_consume(layer, collect, &seen), 1);
	cr_assert_eq(seen.events[0].pid, (__u32)a.grandchild);
	cr_assert_eq(seen.events[0].old_pid, (__u32)a.exec_tid);
	cr_assert_neq(a.exec_tid, a.grandchild);
	cr_assert_str_eq(seen.events[0].filename, "/bin/true");
}

/*
 * For a #! script the event's file is the interpreter: by the time the exec tracepoint
 * fires, the kernel has closed the script and loaded its interpreter.  The path is still
 * the script's.  Exec verification has to know this (docs/bpf.md).
 */
Test(bpf_layer, script_exec_names_the_interpreter)
{
	char script[PATH_MAX], exe[PATH_MAX];
	struct seen seen = { .n = 0 };
	struct stat st;
	ssize_t n;
	int fd;

	open_layer(0);
	/* Next to this test binary: a directory that allows exec, unlike some /tmp. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	cr_assert_gt(n, 0);
	exe[n] = '\0';
	snprintf(script, sizeof(script), "%s/script-XXXXXX", dirname(exe));
	fd = mkostemp(script, O_CLOEXEC);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "#!/bin/sh\nexit 0\n", 17), 17);
	cr_assert_eq(fchmod(fd, 0755), 0);
	close(fd);
	exec_path = script;

	cr_assert_eq(bpf_layer_session_add(layer, id_a, SESSION_ID), 0);
	run_in(cg_a, FORK_EXEC_TRUE);
	unlink(script);
	cr_assert_eq(bpf_layer_events_consume(layer, collect, &seen), 1);
	cr_assert_str_eq(seen.events[0].filename, script);
	cr_assert_eq(stat("/bin/sh", &st), 0);
	cr_assert_eq(seen.events[0].ino, (__u64)st.st_ino);
}

Test(bpf_layer, session_add_remove)
{
	open_layer(0);
	cr_assert_eq(bpf_layer_session_add(layer, id_a, SESSION_ID), 0);
	cr_assert_eq(bpf_layer_session_add(layer, id_a, SESSION_ID + 1), -EEXIST);
	run_in(cg_a, FORK_EXEC_TRUE);
	assert_counters(id_a, 1, 1, 2);

	cr_assert_eq(bpf_layer_session_remove(layer, id_a), 0);
	cr_assert_eq(bpf_layer_session_remove(layer, id_a), -ENOENT);
	cr_assert_eq(bpf_layer_session_counters(layer, id_a, &(struct al_session_counters){ 0 }),
		     -ENOENT);
	/* After removal the cgroup is nobody's business: nothing is counted or sent. */
	run_in(cg_a, FORK_EXEC_TRUE);
	cr_assert_eq(bpf_layer_session_add(layer, id_a, SESSION_ID), 0);
	assert_counters(id_a, 0, 0, 0);
	cr_assert_eq(bpf_layer_events_consume(layer, collect, &(struct seen){ .n = 0 }), 1,
		     "only the exec made while a session should be in the ring");
}

/* Write text to path, creating its directories. */
static void write_file_p(const char *path, const char *text)
{
	char dir[256], *p;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s", path);
	for (p = strchr(dir + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		cr_assert(mkdir(dir, 0755) == 0 || errno == EEXIST, "mkdir '%s': %m", dir);
		*p = '/';
	}
	f = fopen(path, "we");
	cr_assert_not_null(f, "create '%s': %m", path);
	fputs(text, f);
	fclose(f);
}

/*
 * A kernel that refuses some hooks and not others.  libbpf looks classic tracepoint ids up
 * under /sys/kernel/debug/tracing when that exists; in a mount namespace of this test's
 * own, a tmpfs there holds task_newtask's id and nothing else, so attaching the exec and
 * exit tracepoints fails for real.  The optimistic load must fall back to probing, keep
 * the fork hook, report the other two with their errno, and count forks.
 */
Test(bpf_layer, one_refused_hook_leaves_the_others)
{
	const char *id_path = "/sys/kernel/tracing/events/task/task_newtask/id";
	char id[32] = "", buf[1024];
	FILE *f;

	if (geteuid() != 0)
		cr_skip_test("needs root for a mount namespace and BPF");
	cr_assert_eq(unshare(CLONE_NEWNS), 0, "unshare: %m");
	cr_assert_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0, "%m");
	f = fopen(id_path, "re");
	if (!f && mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0)
		f = fopen(id_path, "re");
	if (!f)
		cr_skip_test("no tracefs to read tracepoint ids from");
	cr_assert_not_null(fgets(id, sizeof(id), f));
	fclose(f);
	cr_assert_eq(mount("tmpfs", "/sys/kernel/debug", "tmpfs", 0, "mode=0755"), 0, "%m");
	write_file_p("/sys/kernel/debug/tracing/events/task/task_newtask/id", id);

	open_layer(BPF_LAYER_TP_BTF | BPF_LAYER_RAW_TP);
	bpf_layer_describe(layer, buf, sizeof(buf));
	cr_assert(strstr(buf, "session-fork: active (tp/task/task_newtask)\n"), "%s", buf);
	cr_assert(strstr(buf, "session-exec: refused (tp_btf/sched_process_exec ruled out; "
			      "raw_tp/sched_process_exec ruled out; tp/sched/sched_process_exec "
			      "refused: No such file or directory)\n"),
		  "%s", buf);
	cr_assert(strstr(buf, "session-exit: refused ("), "%s", buf);

	cr_assert_eq(bpf_layer_session_add(layer, id_a, SESSION_ID), 0);
	run_in(cg_a, FORK_EXEC_TRUE);
	assert_counters(id_a, 1, 0, 0);
}

Test(bpf_layer, describe_names_every_hook_and_mount)
{
	char buf[1024];
	size_t n;

	open_layer(0);
	n = bpf_layer_describe(layer, buf, sizeof(buf));
	cr_assert_eq(n, strlen(buf));
	cr_assert(strstr(buf, "session-fork: active ("), "%s", buf);
	cr_assert(strstr(buf, "session-exec: active ("), "%s", buf);
	cr_assert(strstr(buf, "session-exit: active ("), "%s", buf);
	cr_assert(strstr(buf, "bpffs: "), "%s", buf);
	cr_assert(strstr(buf, "tracefs: "), "%s", buf);
	/* A short buffer gets a terminated prefix and the length it would have needed. */
	cr_assert_eq(bpf_layer_describe(layer, buf, 8), n);
	cr_assert_eq(strlen(buf), 7);
}

Test(bpf_layer, nothing_allowed_is_an_error)
{
	struct bpf_layer *b = NULL;

	if (geteuid() != 0)
		cr_skip_test("needs root to load BPF programs");
	cr_assert_eq(
		bpf_layer_open_refusing(BPF_LAYER_TP_BTF | BPF_LAYER_RAW_TP | BPF_LAYER_TP, &b),
		-EOPNOTSUPP);
	cr_assert_null(b);
	cr_assert_eq(bpf_layer_session_add(NULL, 1, 1), -EOPNOTSUPP);
}
