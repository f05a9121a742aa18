// SPDX-License-Identifier: Apache-2.0
/*
 * Exec verification: what executes is what was decided.  The kernel half is driven
 * directly (an expectation written into the real BPF map for a real child, which then
 * executes something else and must die before its first instruction); the whole path
 * through a real airlockd swaps a symlink while an ask waits, and checks that allowed
 * programs, #! scripts and `env` shebangs still run.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "airlock/abi.h"
#include "bpf_layer.h"
#include "daemon.h"
#include "execcheck.h"
#include "test_cgroup.h"
#include "tmpdir.h"

static char dir[64], marker[128], evil[128], good[128];
static struct test_daemon D;
static bool daemon_up;
/* The kernel tests' session: children enter it, the layer counts it as a session. */
static char cg_path[PATH_MAX];
static uint64_t cg_id;
/* Another session's cgroup, for expectations that are not the exec's. */
static char cg2_path[PATH_MAX];
static uint64_t cg2_id;

static void put(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	cr_assert_geq(fd, 0, "open '%s': %s", path, strerror(errno));
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	cr_assert_eq(chmod(path, mode), 0);
}

static void copy(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;

	cr_assert_geq(in, 0, "open '%s': %s", from, strerror(errno));
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	cr_assert_geq(out, 0, "open '%s': %s", to, strerror(errno));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		cr_assert_eq(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *s = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return NULL;
	n = getdelim(&s, &cap, '\0', f);
	fclose(f);
	if (n < 0) {
		free(s);
		return strdup("");
	}
	return s;
}

/* DIR/bin/evil writes DIR/marker when it runs (its first act in main); DIR/bin/good is
 * /bin/true. */
static void setup(void)
{
	char p[160];

	if (geteuid() != 0)
		cr_skip_test("needs root (BPF, cgroups, seccomp listeners)");
	cr_assert_eq(test_tmpdir_make("airlock-execverify-", dir, sizeof(dir)), 0);
	cr_assert_eq(chmod(dir, 0755), 0);
	snprintf(p, sizeof(p), "%s/bin", dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(marker, sizeof(marker), "%s/marker", dir);
	snprintf(evil, sizeof(evil), "%s/bin/evil", dir);
	snprintf(good, sizeof(good), "%s/bin/good", dir);
	snprintf(p, sizeof(p), "%s/tests/helpers/escape_marker", test_build_dir());
	copy(p, evil);
	copy("/bin/true", good);
	setenv("ESCAPE_MARKER", marker, 1);
}

static void teardown(void)
{
	if (cg_path[0]) {
		rmdir(cg_path);
		cg_path[0] = '\0';
	}
	if (cg2_path[0]) {
		rmdir(cg2_path);
		cg2_path[0] = '\0';
	}
	if (daemon_up) {
		cr_expect_eq(test_daemon_stop(&D), 0);
		daemon_up = false;
	}
	if (dir[0])
		test_tmpdir_remove(dir);
	dir[0] = '\0';
}

/* ---- the kernel half, driven directly ------------------------------------------------- */

TestSuite(exec_verify_kernel, .init = setup, .fini = teardown, .timeout = 30);

/* The expectation for executing path with argv, as airlockd computes it for a binary, armed
 * for the test's session. */
static void expect_for(const char *path, const char *const *argv, struct al_exec_expect *x)
{
	char buf[AL_EXEC_ARGV_HASHED];
	size_t len = 0;
	struct stat st;

	memset(x, 0, sizeof(*x));
	x->cgroup_id = cg_id;
	cr_assert_eq(stat(path, &st), 0);
	x->flags = AL_EXPECT_FILE | AL_EXPECT_ARGV_LEN;
	x->dev = (uint32_t)(major(st.st_dev) << 20 | minor(st.st_dev));
	x->ino = st.st_ino;
	x->filename_len = (uint32_t)strlen(path);
	x->filename_hash = execcheck_hash(path, x->filename_len);
	for (; *argv; argv++) {
		size_t l = strlen(*argv) + 1;

		cr_assert_lt(len + l, sizeof(buf));
		memcpy(buf + len, *argv, l);
		len += l;
	}
	x->argv_len = (uint32_t)len;
	x->argv_hash = execcheck_hash(buf, len);
}

struct seen {
	int n;
	struct al_exec_event last;
};

static void on_event(const struct al_exec_event *e, void *ctx)
{
	struct seen *s = ctx;

	s->n++;
	s->last = *e;
}

/* Fork a child that waits (in the session's cgroup when in_session), arm x for its thread
 * id as if age_ns ago, let it execve(path, argv).  Returns its wait status; *ret_pid (when
 * not NULL) is the child's pid. */
static int exec_aged(bool in_session, struct bpf_layer *b, const struct al_exec_expect *x,
		     uint64_t age_ns, const char *path, char *const *argv, pid_t *ret_pid)
{
	struct al_exec_expect armed = *x;
	struct timespec ts;
	int go[2], status = 0;
	pid_t pid;
	char c;

	cr_assert_eq(pipe2(go, O_CLOEXEC), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(go[1]);
		if (in_session && test_cgroup_enter(cg_path, getpid()) < 0)
			_exit(122);
		if (read(go[0], &c, 1) != 1)
			_exit(120);
		execv(path, argv);
		_exit(121);
	}
	close(go[0]);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	armed.armed_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec - age_ns;
	cr_assert_eq(bpf_layer_exec_expect(b, (uint32_t)pid, &armed), 0);
	cr_assert_eq(write(go[1], "g", 1), 1);
	close(go[1]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	if (ret_pid)
		*ret_pid = pid;
	return status;
}

static int exec_in(bool in_session, struct bpf_layer *b, const struct al_exec_expect *x,
		   const char *path, char *const *argv)
{
	return exec_aged(in_session, b, x, 0, path, argv, NULL);
}

/* Older than an expectation stands. */
#define STALE_NS (AL_EXEC_EXPECT_TTL_NS + 1000000000ull)

static int exec_with_expectation(struct bpf_layer *b, const struct al_exec_expect *x,
				 const char *path, char *const *argv)
{
	return exec_in(true, b, x, path, argv);
}

static struct bpf_layer *layer_refusing(unsigned int refused)
{
	struct bpf_layer *b = NULL;
	int r = bpf_layer_open_refusing(refused, &b);

	if (r < 0)
		cr_skip_test("no BPF layer on this kernel: %s", strerror(-r));
	if (!bpf_layer_exec_check_active(b)) {
		bpf_layer_close(b);
		cr_skip_test("the exec hook does not load on this kernel");
	}
	if (!cg_path[0]) {
		char name[64];
		int r2;

		snprintf(name, sizeof(name), "airlock-execverify-%d", (int)getpid());
		r2 = test_cgroup_make(name, cg_path, sizeof(cg_path), &cg_id);
		cr_assert_eq(r2, 0, "cgroup: %s", strerror(-r2));
	}
	cr_assert_eq(bpf_layer_session_add(b, cg_id, 1), 0);
	return b;
}

static struct bpf_layer *layer(void)
{
	return layer_refusing(0);
}

Test(exec_verify_kernel, another_file_is_killed_before_its_first_instruction)
{
	static const char *const decided[] = { "good", NULL };
	char *const argv[] = { "good", NULL };
	struct bpf_layer *b = layer();
	struct al_exec_expect x;
	struct seen seen = { 0 };
	char buf[2048];
	int status;

	bpf_layer_describe(b, buf, sizeof(buf));
	cr_expect(strstr(buf, "exec-check: active"), "status says:\n%s", buf);
	expect_for(good, decided, &x);
	/* The decided name, but another file behind it: a swap after the decision. */
	cr_assert_eq(rename(evil, good), 0);
	status = exec_with_expectation(b, &x, good, argv);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		  "the exec of another file was not killed (status 0x%x)", status);
	cr_assert_null(slurp(marker), "the new image ran before it was killed");
	/* A kill wakes airlockd at once (its audit record must not wait for the next turn). */
	cr_assert_eq(poll(&(struct pollfd){ .fd = bpf_layer_events_fd(b), .events = POLLIN }, 1,
			  2000),
		     1, "the kill's event did not wake the reader");
	cr_assert_geq(bpf_layer_events_consume(b, on_event, &seen), 1);
	cr_assert_eq(seen.last.mismatch, AL_EXEC_MISMATCH_FILE, "mismatch bits 0x%x",
		     seen.last.mismatch);
	bpf_layer_close(b);
}

Test(exec_verify_kernel, another_path_or_argv_is_killed)
{
	static const char *const decided[] = { "rm", "-f", "x", NULL };
	char *const argv[] = { "rm", "-r", "x", NULL };
	struct bpf_layer *b = layer();
	struct al_exec_expect x;
	struct seen seen = { 0 };
	int status;

	/* Same file, same argv length, one byte of argv changed. */
	expect_for(evil, decided, &x);
	status = exec_with_expectation(b, &x, evil, argv);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status 0x%x", status);
	cr_assert_null(slurp(marker));
	cr_assert_geq(bpf_layer_events_consume(b, on_event, &seen), 1);
	cr_assert_eq(seen.last.mismatch, AL_EXEC_MISMATCH_ARGV, "bits 0x%x", seen.last.mismatch);

	/* Same file and argv, another spelling of the path. */
	expect_for(evil, decided, &x);
	{
		char other[160];
		char *const same[] = { "rm", "-f", "x", NULL };

		snprintf(other, sizeof(other), "%s/bin/../bin/evil", dir);
		status = exec_with_expectation(b, &x, other, same);
	}
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status 0x%x", status);
	cr_assert_null(slurp(marker));
	seen.n = 0;
	cr_assert_geq(bpf_layer_events_consume(b, on_event, &seen), 1);
	cr_assert_eq(seen.last.mismatch, AL_EXEC_MISMATCH_FILENAME, "bits 0x%x",
		     seen.last.mismatch);
	bpf_layer_close(b);
}

Test(exec_verify_kernel, the_decided_exec_runs_and_consumes_its_expectation)
{
	static const char *const decided[] = { "evil", "a", NULL };
	char *const argv[] = { "evil", "a", NULL };
	char *const other[] = { "evil", "b", NULL };
	struct bpf_layer *b = layer();
	struct al_exec_expect x, left;
	pid_t pid0;
	char *m;
	int status;

	expect_for(evil, decided, &x);
	status = exec_aged(true, b, &x, 0, evil, argv, &pid0);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status 0x%x", status);
	cr_assert_eq(bpf_layer_exec_expected(b, (uint32_t)pid0, &left), -ENOENT,
		     "the hook did not consume the expectation");
	m = slurp(marker);
	cr_assert(m && strstr(m, "argv0=evil"), "marker: %s", m ? m : "(none)");
	free(m);
	/* Only session members are checked: an expectation for a thread outside every
	 * session (a thread id reused after a failed exec) never kills it. */
	cr_assert_eq(unlink(marker), 0);
	status = exec_in(false, b, &x, evil, other);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status 0x%x", status);
	/* Entries are per thread id and consumed: a thread without one is not checked. */
	cr_assert_eq(unlink(marker), 0);
	{
		int go[2];
		pid_t pid;
		char c;

		cr_assert_eq(pipe2(go, O_CLOEXEC), 0);
		pid = fork();
		if (pid == 0) {
			close(go[1]);
			if (test_cgroup_enter(cg_path, getpid()) < 0)
				_exit(122);
			if (read(go[0], &c, 1) != 1)
				_exit(120);
			execv(evil, other);
			_exit(121);
		}
		close(go[0]);
		cr_assert_eq(write(go[1], "g", 1), 1);
		close(go[1]);
		cr_assert_eq(waitpid(pid, &status, 0), pid);
	}
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status 0x%x", status);
	bpf_layer_close(b);
}

/* An exec that reaches the hook after its expectation's time stalled between the decision
 * and the check (a FUSE page under its path, a hung filesystem): it is killed even when it
 * is exactly what was decided, since nothing vouches for it any more. */
Test(exec_verify_kernel, a_stale_expectation_of_the_session_kills)
{
	static const char *const decided[] = { "evil", "a", NULL };
	char *const argv[] = { "evil", "a", NULL };
	struct bpf_layer *b = layer();
	struct al_exec_expect x, left;
	struct seen seen = { 0 };
	pid_t pid;
	int status;

	expect_for(evil, decided, &x);
	status = exec_aged(true, b, &x, STALE_NS, evil, argv, &pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		  "a stale exec was not killed (status 0x%x)", status);
	cr_assert_null(slurp(marker), "the stale exec's image ran");
	cr_assert_geq(bpf_layer_events_consume(b, on_event, &seen), 1);
	cr_assert_eq(seen.last.pid, (uint32_t)pid);
	cr_assert_eq(seen.last.checked, 1);
	cr_assert_eq(seen.last.mismatch, AL_EXEC_MISMATCH_STALE, "bits 0x%x", seen.last.mismatch);
	cr_assert_eq(bpf_layer_exec_expected(b, (uint32_t)pid, &left), -ENOENT);
	/* Just inside its time, the same expectation lets the same exec run. */
	status = exec_aged(true, b, &x, AL_EXEC_EXPECT_TTL_NS - 1000000000ull, evil, argv, NULL);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status 0x%x", status);
	bpf_layer_close(b);
}

/* An expectation armed in another session (a thread id reused by a process of this one)
 * is not this exec's decision: fresh or stale, it neither kills nor checks the exec, and
 * the hook deletes it. */
Test(exec_verify_kernel, another_sessions_expectation_is_ignored_and_deleted)
{
	static const char *const decided[] = { "good", NULL };
	char *const argv[] = { "evil", "b", NULL };
	static const uint64_t ages[] = { 0, STALE_NS };
	struct bpf_layer *b = layer();
	struct al_exec_expect x, left;
	char name[64];
	int r;

	snprintf(name, sizeof(name), "airlock-execverify2-%d", (int)getpid());
	r = test_cgroup_make(name, cg2_path, sizeof(cg2_path), &cg2_id);
	cr_assert_eq(r, 0, "cgroup: %s", strerror(-r));
	cr_assert_eq(bpf_layer_session_add(b, cg2_id, 2), 0);
	expect_for(good, decided, &x);
	x.cgroup_id = cg2_id;
	for (size_t k = 0; k < sizeof(ages) / sizeof(ages[0]); k++) {
		struct seen seen = { 0 };
		char *m;
		pid_t pid;
		int status;

		status = exec_aged(true, b, &x, ages[k], evil, argv, &pid);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			  "age %zu: an exec was judged by another session's expectation "
			  "(status 0x%x)",
			  k, status);
		m = slurp(marker);
		cr_assert(m && strstr(m, "argv0=evil"), "marker: %s", m ? m : "(none)");
		free(m);
		cr_assert_eq(unlink(marker), 0);
		cr_assert_eq(bpf_layer_events_consume(b, on_event, &seen), 1);
		cr_assert_eq(seen.last.pid, (uint32_t)pid);
		cr_assert_eq(seen.last.checked, 0, "age %zu: checked against another session", k);
		cr_assert_eq(seen.last.mismatch, 0);
		cr_assert_eq(bpf_layer_exec_expected(b, (uint32_t)pid, &left), -ENOENT,
			     "age %zu: the foreign expectation was left in the map", k);
	}
	bpf_layer_close(b);
}

/* A full map is swept of what nothing can consume any more (a gone thread, an ended
 * session), but a stale entry of a live member stays: its exec may still be on its way. */
Test(exec_verify_kernel, a_full_map_keeps_stale_entries_of_live_members)
{
	/* beyond the largest pid_max: no such thread */
	const uint32_t gone = 4194304 + 16;
	struct bpf_layer *b = layer();
	struct al_exec_expect x = { 0 }, left;
	struct timespec ts;
	uint64_t now;
	uint32_t i;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	x.armed_ns = now - STALE_NS;
	x.cgroup_id = cg_id;
	cr_assert_eq(bpf_layer_exec_expect(b, (uint32_t)getpid(), &x), 0);
	x.cgroup_id = cg_id + 1000000; /* no session's */
	cr_assert_eq(bpf_layer_exec_expect(b, (uint32_t)getppid(), &x), 0);
	x.cgroup_id = cg_id;
	for (i = 0; i < AL_MAX_EXEC_EXPECT - 2; i++)
		cr_assert_eq(bpf_layer_exec_expect(b, gone + i, &x), 0, "entry %u", i);
	/* full: the next one gets in only through the sweep */
	x.armed_ns = now;
	cr_assert_eq(bpf_layer_exec_expect(b, gone + i, &x), 0);
	cr_assert_eq(bpf_layer_exec_expected(b, (uint32_t)getpid(), &left), 0,
		     "a live member's stale entry was swept");
	cr_assert_eq(left.armed_ns, now - STALE_NS);
	cr_assert_eq(bpf_layer_exec_expected(b, (uint32_t)getppid(), &left), -ENOENT,
		     "an ended session's entry was kept");
	cr_assert_eq(bpf_layer_exec_expected(b, gone, &left), -ENOENT,
		     "a gone thread's entry was kept");
	cr_assert_eq(bpf_layer_exec_expected(b, gone + i, &left), 0);
	bpf_layer_close(b);
}

/* The check holds in every spelling of the exec hook (raw_tp reads bprm with CO-RE; the
 * classic tracepoint takes the name from its record and the file from mm->exe_file). */
Test(exec_verify_kernel, every_hook_spelling_kills_a_mismatch)
{
	static const unsigned int only[] = { BPF_LAYER_RAW_TP | BPF_LAYER_TP,
					     BPF_LAYER_TP_BTF | BPF_LAYER_TP,
					     BPF_LAYER_TP_BTF | BPF_LAYER_RAW_TP };
	static const char *const decided[] = { "good", NULL };
	char *const argv[] = { "good", NULL };
	struct al_exec_expect x;
	int status;

	for (size_t k = 0; k < sizeof(only) / sizeof(only[0]); k++) {
		struct bpf_layer *b = layer_refusing(only[k]);
		struct seen seen = { 0 };

		expect_for(good, decided, &x);
		status = exec_with_expectation(b, &x, evil, argv);
		cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
			  "spelling %zu: not killed (status 0x%x)", k, status);
		cr_expect_geq(bpf_layer_events_consume(b, on_event, &seen), 1);
		cr_expect_eq(seen.last.mismatch, AL_EXEC_MISMATCH_FILENAME | AL_EXEC_MISMATCH_FILE,
			     "spelling %zu: bits 0x%x", k, seen.last.mismatch);
		/* and the decided exec still runs */
		expect_for(good, decided, &x);
		status = exec_with_expectation(b, &x, good, argv);
		cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			  "spelling %zu: the decided exec failed (status 0x%x)", k, status);
		/* but not once its expectation is past its time */
		seen.n = 0;
		status = exec_aged(true, b, &x, STALE_NS, good, argv, NULL);
		cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
			  "spelling %zu: a stale exec was not killed (status 0x%x)", k, status);
		cr_expect_geq(bpf_layer_events_consume(b, on_event, &seen), 2);
		cr_expect_eq(seen.last.mismatch, AL_EXEC_MISMATCH_STALE, "spelling %zu: bits 0x%x",
			     k, seen.last.mismatch);
		bpf_layer_close(b);
	}
	cr_assert_null(slurp(marker), "the new image ran before it was killed");
}

/* ---- through airlockd ------------------------------------------------------------------ */

TestSuite(exec_verify_daemon, .init = setup, .fini = teardown, .timeout = 60);

static void start(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void start(const char *fmt, ...)
{
	char policy[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(policy, sizeof(policy), fmt, ap);
	va_end(ap);
	cr_assert_eq(test_daemon_start(&D, policy, NULL), 0, "airlockd did not start");
	daemon_up = true;
}

static bool exec_check_active(void)
{
	char *out = NULL;
	bool on;

	test_airlock(&D, &out, NULL, "status", NULL);
	on = out && strstr(out, "exec-check: active");
	free(out);
	return on;
}

static void require_exec_check(void)
{
	if (!exec_check_active())
		cr_skip_test("the exec hook does not load on this kernel");
}

/* The id of the one ask waiting, within timeout_ms: false when none (or more) waits. */
static bool pending_ask_id(int timeout_ms, char *id, size_t size)
{
	json_t *p = test_daemon_wait_pending(&D, 1, timeout_ms);
	bool one = p && json_array_size(p) == 1;

	if (one) {
		json_t *ask = json_array_get(p, 0);

		snprintf(id, size, "%lld",
			 (long long)json_integer_value(json_object_get(ask, "id")));
	}
	json_decref(p);
	return one;
}

static void approve(const char *id)
{
	char *err = NULL;
	int r = test_airlock(&D, NULL, &err, "approve", id, NULL);

	cr_assert_eq(r, 0, "approve failed: %s", err ? err : "");
	free(err);
}

/* The audit log once it holds what (the hook's alert arrives through the ring buffer: the
 * daemon is given a moment), or NULL. */
static char *audit_with(const char *what)
{
	char *audit = NULL;

	for (int i = 0; i < 50; i++) {
		audit = slurp(D.audit_path);
		if (audit && strstr(audit, what))
			break;
		free(audit);
		audit = NULL;
		usleep(100 * 1000);
	}
	return audit;
}

/* The target swaps DIR/link from good to evil while its exec of good is asked: the human
 * approves good, the kernel finds evil, and kills it. */
Test(exec_verify_daemon, file_swapped_while_asked_is_killed_and_audited)
{
	char link[160], id[32], *audit;
	pid_t pid;
	int r;

	start("version: 1\n"
	      "rules:\n"
	      "  - name: ask-good\n"
	      "    match: { exec: [\"%s/bin/good\"] }\n"
	      "    action: ask\n"
	      "  - name: never-evil\n"
	      "    match: { exec: [\"%s/bin/evil\"] }\n"
	      "    action: deny\n",
	      dir, dir);
	require_exec_check();
	snprintf(link, sizeof(link), "%s/link", dir);
	cr_assert_eq(symlink(good, link), 0);
	pid = test_airlock_spawn(&D, NULL, "run", "--", link, NULL);
	cr_assert_gt(pid, 0);
	cr_assert(pending_ask_id(10000, id, sizeof(id)), "no ask arrived");

	cr_assert_eq(unlink(link), 0);
	cr_assert_eq(symlink(evil, link), 0);
	approve(id);
	r = test_wait_child(pid, 10000);
	cr_assert_neq(r, 0, "the swapped exec succeeded");
	cr_assert_null(slurp(marker), "the swapped-in program ran");
	audit = audit_with("killed: exec mismatch");
	cr_assert_not_null(audit, "no alert in the audit log");
	cr_assert(strstr(audit, "\"mismatch\":[\"file\"]"), "audit log:\n%s", audit);
	free(audit);
}

/* With exec notified (a rule names a program), allowed binaries, #! scripts, env shebangs
 * and execveat relative to a dirfd all still run. */
Test(exec_verify_daemon, allowed_programs_scripts_and_env_shebangs_run)
{
	char s1[160], s2[160], cmd[1024], *out = NULL, *err = NULL, *m;
	int r;

	start("version: 1\n"
	      "rules:\n"
	      "  - name: never-evil\n"
	      "    match: { exec: [\"%s/bin/nothing\", \"%s/bin/nothing2\"] }\n"
	      "    action: deny\n",
	      dir, dir);
	snprintf(s1, sizeof(s1), "%s/s1", dir);
	snprintf(s2, sizeof(s2), "%s/s2", dir);
	snprintf(cmd, sizeof(cmd), "#!/bin/sh -e\necho s1 >> %s\n", marker);
	put(s1, cmd, 0755);
	snprintf(cmd, sizeof(cmd), "#!/usr/bin/env sh\necho s2 >> %s\n", marker);
	put(s2, cmd, 0755);
	snprintf(cmd, sizeof(cmd), "%s && %s arg && %s && cd %s/bin && ./evil && /bin/true", s1, s2,
		 good, dir);
	r = test_airlock(&D, &out, &err, "run", "--", "/bin/sh", "-c", cmd, NULL);
	cr_assert_eq(r, 0, "run failed (%d): %s %s", r, out ? out : "", err ? err : "");
	m = slurp(marker);
	cr_assert(m && strstr(m, "s1\n") && strstr(m, "s2\n") && strstr(m, "argv0=./evil"),
		  "marker: %s", m ? m : "(none)");
	free(m);
	free(out);
	free(err);
	m = slurp(D.audit_path);
	cr_assert(!m || !strstr(m, "killed"), "a legitimate exec was killed:\n%s", m);
	free(m);
}

/* Run the script at s, which must succeed (it still names /bin/sh). */
static void run_sh_script(const char *s)
{
	char *out = NULL, *err = NULL;
	int r = test_airlock(&D, &out, &err, "run", "--", s, NULL);

	cr_assert_eq(r, 0, "the sh script failed (%d): %s %s", r, out ? out : "", err ? err : "");
	free(out);
	free(err);
}

/* "#!EVIL", padded with spaces to len bytes with its newline: the same size as the script
 * it replaces. */
static void evil_shebang_of_len(char *text, size_t size, size_t len)
{
	snprintf(text, size, "#!%s", evil);
	while (strlen(text) + 1 < len)
		strcat(text, " ");
	strcat(text, "\n");
}

/* The run of the script once it names evil (r, and out and err, which are freed) was
 * refused, and only its sh version ever ran. */
static void assert_only_sh_ran(int r, char *out, char *err)
{
	char *m;

	cr_assert_neq(r, 0, "the script now naming a denied interpreter ran: %s", out ? out : "");
	free(out);
	free(err);
	m = slurp(marker);
	cr_assert(m && strstr(m, "sh-ran\n") && !strstr(m, "argv0="),
		  "the denied interpreter ran: marker %s", m ? m : "(none)");
	free(m);
}

/* The daemon keeps the heads of files it read; a script rewritten in place (same inode)
 * between two execs must be decided on its new #! line, not on the one kept. */
Test(exec_verify_daemon, a_script_rewritten_in_place_is_decided_on_its_new_interpreter)
{
	char s[160], text[512], *out = NULL, *err = NULL, *m;
	struct stat before, after;
	size_t len;
	int r;

	start("version: 1\n"
	      "rules:\n"
	      "  - name: never-evil\n"
	      "    match: { exec: [\"%s\"] }\n"
	      "    action: deny\n",
	      evil);
	snprintf(s, sizeof(s), "%s/s", dir);
	snprintf(text, sizeof(text), "#!/bin/sh\necho sh-ran >> %s\n", marker);
	put(s, text, 0755);
	cr_assert_eq(stat(s, &before), 0);
	run_sh_script(s);
	/* the same size and inode: only the change time tells the two contents apart */
	len = strlen(text);
	evil_shebang_of_len(text, sizeof(text), len);
	put(s, text, 0755);
	cr_assert_eq(stat(s, &after), 0);
	cr_assert_eq(after.st_ino, before.st_ino);
	cr_assert_eq(after.st_size, before.st_size);
	r = test_airlock(&D, &out, &err, "run", "--", s, NULL);
	assert_only_sh_ran(r, out, err);
	m = slurp(D.audit_path);
	cr_assert(m && strstr(m, "never-evil"), "no deny by the interpreter's rule:\n%s",
		  m ? m : "");
	cr_assert(!strstr(m, "killed"), "decided on the old #! line, killed by the hook:\n%s", m);
	free(m);
}

/* A write through a MAP_SHARED mapping of a tmpfs file changes neither mtime nor ctime (shmem
 * sets no time at a write fault): the kept head is then stale and names the old interpreter.
 * The hook must still keep the denied one from running.  (The mapping is gone before the
 * exec: a writable mapping keeps the file busy, ETXTBSY.) */
Test(exec_verify_daemon, a_script_rewritten_through_a_shared_mapping_never_runs_the_new_one)
{
	char shm[64], s[160], text[512], *out = NULL, *err = NULL;
	struct stat before, after;
	size_t len;
	char *map;
	int fd, r;

	start("version: 1\n"
	      "rules:\n"
	      "  - name: never-evil\n"
	      "    match: { exec: [\"%s\"] }\n"
	      "    action: deny\n",
	      evil);
	require_exec_check();
	snprintf(shm, sizeof(shm), "/dev/shm/airlock-mapwrite-XXXXXX");
	if (!mkdtemp(shm))
		cr_skip_test("no /dev/shm");
	cr_assert_eq(chmod(shm, 0755), 0);
	snprintf(s, sizeof(s), "%s/s", shm);
	snprintf(text, sizeof(text), "#!/bin/sh\necho sh-ran >> %s\n", marker);
	len = strlen(text);
	put(s, text, 0755);
	cr_assert_eq(stat(s, &before), 0);
	run_sh_script(s);
	evil_shebang_of_len(text, sizeof(text), len);
	fd = open(s, O_RDWR | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	cr_assert_neq(map, MAP_FAILED);
	close(fd);
	memcpy(map, text, len);
	munmap(map, len);
	cr_assert_eq(stat(s, &after), 0);
	r = test_airlock(&D, &out, &err, "run", "--", s, NULL);
	unlink(s);
	rmdir(shm);
	assert_only_sh_ran(r, out, err);
	cr_log_info("times %s by the mapped write",
		    after.st_mtim.tv_nsec == before.st_mtim.tv_nsec &&
				    after.st_ctim.tv_nsec == before.st_ctim.tv_nsec
			    ? "unchanged"
			    : "changed");
}

/* execveat relative to a dirfd and on an fd (fexecve): the kernel names them "/dev/fd/N/NAME"
 * and "/dev/fd/N", which is what the daemon must expect. */
Test(exec_verify_daemon, execveat_forms_run)
{
	char helper[PATH_MAX], bin[160], s1[200], text[256], *out = NULL, *err = NULL, *m;
	int r;

	start("version: 1\n"
	      "rules:\n"
	      "  - name: never\n"
	      "    match: { exec: [\"%s/bin/nothing\", \"%s/bin/nothing2\"] }\n"
	      "    action: deny\n",
	      dir, dir);
	require_exec_check();
	snprintf(helper, sizeof(helper), "%s/tests/helpers/exec_at", test_build_dir());
	snprintf(bin, sizeof(bin), "%s/bin", dir);
	r = test_airlock(&D, &out, &err, "run", "--", helper, bin, "evil", "x", NULL);
	cr_assert_eq(r, 0, "execveat(dirfd, name) failed (%d): %s", r, err ? err : "");
	free(out);
	free(err);
	r = test_airlock(&D, &out, &err, "run", "--", helper, evil, "", NULL);
	cr_assert_eq(r, 0, "execveat(fd, \"\", AT_EMPTY_PATH) failed (%d): %s", r, err ? err : "");
	free(out);
	free(err);
	/* a script through a dirfd: binfmt_script passes "/dev/fd/N/s1" on as its argument */
	snprintf(s1, sizeof(s1), "%s/s1", bin);
	snprintf(text, sizeof(text), "#!/bin/sh\necho s1 >> %s\n", marker);
	put(s1, text, 0755);
	r = test_airlock(&D, &out, &err, "run", "--", helper, bin, "s1", NULL);
	cr_assert_eq(r, 0, "a script through a dirfd failed (%d): %s", r, err ? err : "");
	free(out);
	free(err);
	m = slurp(marker);
	cr_assert(m && strstr(m, "argv0=evil\n") && strstr(m, "s1\n"), "marker: %s", m ? m : "");
	free(m);
	m = slurp(D.audit_path);
	cr_assert(!m || !strstr(m, "killed"), "a legitimate exec was killed:\n%s", m);
	free(m);
}

/* `#!/usr/bin/env NAME`: policy decides on NAME as found on the target's PATH. */
Test(exec_verify_daemon, env_shebang_is_decided_on_the_program_env_runs)
{
	char s[160], text[256], path[256], *err = NULL;
	int r;

	start("version: 1\n"
	      "rules:\n"
	      "  - name: never-evil\n"
	      "    match: { exec: [\"%s/bin/evil\", \"%s/bin/evil2\"] }\n"
	      "    action: deny\n",
	      dir, dir);
	snprintf(s, sizeof(s), "%s/s", dir);
	put(s, "#!/usr/bin/env evil\n", 0755);
	snprintf(path, sizeof(path), "PATH=%s/bin:/usr/bin:/bin", dir);
	snprintf(text, sizeof(text), "%s", s);
	r = test_airlock(&D, NULL, &err, "run", "--", "/usr/bin/env", path, text, NULL);
	cr_assert_neq(r, 0, "the script ran");
	cr_assert_null(slurp(marker), "the denied program ran through env");
	free(err);
	{
		char *a = slurp(D.audit_path), needle[256];

		/* denied at the script's exec, on its interpreter, before env runs at all */
		snprintf(needle, sizeof(needle), "\"path\":\"%s\"", s);
		cr_assert(a && strstr(a, "never-evil") && strstr(a, needle),
			  "the script's exec was not denied:\n%s", a ? a : "");
		free(a);
	}
}

/* Wait for pid to exit, or for the first ask to arrive; with an ask, the attacker's move
 * (swap) is made and the ask approved, as in file_swapped_while_asked_is_killed_and_audited.
 * Returns the exit code (see test_wait_child). */
static int exit_or_approve(pid_t pid, void (*swap)(void))
{
	char id[32];
	int status;

	for (int i = 0; i < 500; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
		if (pending_ask_id(0, id, sizeof(id))) {
			swap();
			approve(id);
			return test_wait_child(pid, 10000);
		}
		usleep(10 * 1000);
	}
	return test_wait_child(pid, 0);
}

static char swap_path[160];

static void dir_to_evil(void)
{
	cr_assert_eq(rmdir(swap_path), 0);
	cr_assert_eq(symlink(evil, swap_path), 0);
}

/* A path that is no file when the exec is decided (here a directory) cannot be executed,
 * so nothing about a file can be expected of it: the exec is refused there and then, with
 * the kernel's EACCES.  Were it allowed (or asked, and approved), the path would vouch for
 * whatever takes its place before the exec: here a link to a program policy denies. */
Test(exec_verify_daemon, a_path_that_is_no_file_when_decided_is_refused)
{
	char cmd[200], *audit;
	pid_t pid;
	int r;

	snprintf(swap_path, sizeof(swap_path), "%s/d", dir);
	start("version: 1\n"
	      "rules:\n"
	      "  - name: ask-d\n"
	      "    match: { exec: [\"%s\"] }\n"
	      "    action: ask\n"
	      "  - name: never-evil\n"
	      "    match: { exec: [\"%s\"] }\n"
	      "    action: deny\n",
	      swap_path, evil);
	require_exec_check();
	cr_assert_eq(mkdir(swap_path, 0755), 0);
	/* through sh, which calls execve as it is (airlock run's own search skips a
	 * directory) */
	snprintf(cmd, sizeof(cmd), "exec %s", swap_path);
	pid = test_airlock_spawn(&D, NULL, "run", "--", "/bin/sh", "-c", cmd, NULL);
	cr_assert_gt(pid, 0);
	r = exit_or_approve(pid, dir_to_evil);
	cr_assert_neq(r, 0, "the exec of what was a directory succeeded");
	cr_assert_null(slurp(marker), "the program swapped in for the directory ran");
	audit = slurp(D.audit_path);
	cr_assert(audit && strstr(audit, "\"exec-check\""), "no refusal by exec-check:\n%s",
		  audit ? audit : "");
	free(audit);
}

static char script_path[160];

static void script_to_evil(void)
{
	struct stat before, after;
	char text[256];

	cr_assert_eq(stat(script_path, &before), 0);
	snprintf(text, sizeof(text), "#!%s\n", evil);
	put(script_path, text, 0755);
	cr_assert_eq(stat(script_path, &after), 0);
	cr_assert_eq(after.st_ino, before.st_ino, "not rewritten in place");
}

/* A #! script rewritten in place (same inode) while its exec waits for approval: the
 * decision was on /bin/sh, the kernel now finds another interpreter, and kills. */
Test(exec_verify_daemon, a_script_rewritten_while_asked_is_killed)
{
	char text[256], *audit = NULL;
	pid_t pid;
	int r;

	snprintf(script_path, sizeof(script_path), "%s/s", dir);
	start("version: 1\n"
	      "rules:\n"
	      "  - name: ask-s\n"
	      "    match: { exec: [\"%s\"] }\n"
	      "    action: ask\n"
	      "  - name: never-evil\n"
	      "    match: { exec: [\"%s\"] }\n"
	      "    action: deny\n",
	      script_path, evil);
	require_exec_check();
	snprintf(text, sizeof(text), "#!/bin/sh\necho sh-ran >> %s\n", marker);
	put(script_path, text, 0755);
	pid = test_airlock_spawn(&D, NULL, "run", "--", script_path, NULL);
	cr_assert_gt(pid, 0);
	r = exit_or_approve(pid, script_to_evil);
	cr_assert_neq(r, 0, "the rewritten script ran");
	cr_assert_null(slurp(marker), "the interpreter swapped in ran");
	audit = audit_with("killed: exec mismatch");
	cr_assert_not_null(audit, "no alert in the audit log");
	cr_assert(strstr(audit, "\"file\""), "audit log:\n%s", audit);
	free(audit);
}

/* The daemon keeps the interpreters it opened for a moment (one statx then finds them
 * again).  Both execs of the script below happen within that moment, in one session: the
 * second must be decided on where the #! name leads *now*. */
static void interp_turned(const char *turn)
{
	char ip[160], sh1[160], s[160], text[512], *out = NULL, *err = NULL, *m;
	int r;

	start("version: 1\n"
	      "rules:\n"
	      "  - name: never-evil\n"
	      "    match: { exec: [\"%s\", \"%s/bin/evil2\"] }\n"
	      "    action: deny\n",
	      evil, dir);
	snprintf(sh1, sizeof(sh1), "%s/bin/sh1", dir);
	copy("/bin/sh", sh1);
	snprintf(ip, sizeof(ip), "%s/bin/ip", dir);
	cr_assert_eq(symlink("sh1", ip), 0);
	snprintf(s, sizeof(s), "%s/s", dir);
	snprintf(text, sizeof(text), "#!%s\necho ran >> %s\n", ip, marker);
	put(s, text, 0755);
	snprintf(text, sizeof(text), "%s && cd %s/bin && %s && %s", s, dir, turn, s);
	r = test_airlock(&D, &out, &err, "run", "--", "/bin/sh", "-c", text, NULL);
	cr_assert_neq(r, 0, "the script ran through the turned link: %s %s", out ? out : "",
		      err ? err : "");
	free(out);
	free(err);
	m = slurp(marker);
	cr_assert(m && strcmp(m, "ran\n") == 0, "marker: %s", m ? m : "(none)");
	free(m);
	m = slurp(D.audit_path);
	cr_assert(m && strstr(m, "never-evil"), "not denied by the interpreter's rule:\n%s",
		  m ? m : "");
	cr_assert(!strstr(m, "killed"), "decided on the old interpreter, killed by the hook:\n%s",
		  m);
	free(m);
}

/* The link now leads to another file. */
Test(exec_verify_daemon, an_interpreter_link_turned_to_another_file_is_decided_on_it)
{
	char turn[256];

	snprintf(turn, sizeof(turn), "ln -sfn %s ip", evil);
	interp_turned(turn);
}

/* The link now leads to another name of the same file (a hard link policy denies): the
 * file is the same, but not the path policy decides on. */
Test(exec_verify_daemon, an_interpreter_reached_by_another_name_is_decided_on_that_name)
{
	interp_turned("ln sh1 evil2 && ln -sfn evil2 ip");
}

/* ---- the daemon's half, called directly ------------------------------------------------ */

TestSuite(exec_verify_prepare, .init = setup, .fini = teardown, .timeout = 30);

/* An exec notification of this process for path, as notify_recv() leaves it: resolved, with
 * the stat its resolution took (seen: NULL for none). */
static struct gate_notif *notif_for(const char *path, const struct stat *seen)
{
	struct gate_notif *n = calloc(1, sizeof(*n));

	cr_assert_not_null(n);
	n->pidfd = -1;
	n->wait_fd = -1;
	n->req.op = AL_OP_EXEC;
	n->req.syscall = "execve";
	n->req.pid = n->req.tgid = getpid();
	snprintf(n->req.path, sizeof(n->req.path), "%s", path);
	snprintf(n->exec_filename, sizeof(n->exec_filename), "%s", path);
	if (seen)
		n->exec_st = *seen;
	return n;
}

static int prepare(struct gate_notif *n)
{
	struct al_request *interp = NULL;
	int r = execcheck_prepare(n, &interp);

	free(interp);
	return r;
}

/* The expectation names the file the resolution saw, read or not before. */
Test(exec_verify_prepare, the_expectation_is_the_resolved_file)
{
	struct gate_notif *n;
	struct stat st;

	cr_assert_eq(stat(good, &st), 0);
	for (int i = 0; i < 2; i++) { /* its head read, then kept */
		n = notif_for(good, &st);
		cr_assert_eq(prepare(n), 0);
		cr_assert(n->exec_expect.flags & AL_EXPECT_FILE);
		cr_assert_eq(n->exec_expect.ino, st.st_ino);
		cr_assert_eq(n->exec_expect.dev,
			     (uint32_t)(major(st.st_dev) << 20 | minor(st.st_dev)));
		free(n);
	}
}

/* Read again (its head not kept), the path leads to another file than the resolution saw:
 * it changed in between, and nothing is expected of either. */
Test(exec_verify_prepare, another_file_at_the_decided_path_is_stale)
{
	char other[160];
	struct gate_notif *n;
	struct stat st;

	snprintf(other, sizeof(other), "%s/bin/other", dir);
	copy(good, other);
	cr_assert_eq(stat(evil, &st), 0);
	n = notif_for(other, &st);
	cr_assert_eq(prepare(n), -ESTALE);
	free(n);
}

/* A resolved path holds no symlink: one found when the file is opened again is a change
 * since the decision, refused rather than followed to a file policy never saw. */
Test(exec_verify_prepare, a_symlink_on_the_decided_path_is_not_followed)
{
	char link[160], path[200];
	struct gate_notif *n;

	snprintf(link, sizeof(link), "%s/lnk", dir);
	cr_assert_eq(symlink("bin", link), 0);
	snprintf(path, sizeof(path), "%s/evil", link);
	n = notif_for(path, NULL);
	cr_assert_eq(prepare(n), -ELOOP);
	free(n);
	snprintf(path, sizeof(path), "%s/elink", dir);
	cr_assert_eq(symlink(evil, path), 0);
	n = notif_for(path, NULL);
	cr_assert_eq(prepare(n), -ELOOP);
	free(n);
}

/* What is no regular file when decided is refused as the kernel would: EACCES. */
Test(exec_verify_prepare, no_regular_file_is_refused)
{
	char d[160];
	struct gate_notif *n;
	struct stat st;

	snprintf(d, sizeof(d), "%s/bin", dir);
	cr_assert_eq(stat(d, &st), 0);
	n = notif_for(d, &st);
	cr_assert_eq(prepare(n), -EACCES);
	free(n);
	n = notif_for(d, NULL);
	cr_assert_eq(prepare(n), -EACCES);
	free(n);
}

/* ---- without the exec hook ------------------------------------------------------------- */

TestSuite(exec_verify_fallback, .init = setup, .fini = teardown, .timeout = 30);

static void *park(void *arg)
{
	(void)arg;
	pause();
	return NULL;
}

/* A child that waits: single-threaded, with a second thread, or a vfork child whose
 * parent (another child of ours) shares its memory. */
static pid_t child(int kind, pid_t *ret_middle)
{
	int ready[2];
	pid_t pid, got = 0;

	cr_assert_eq(pipe2(ready, O_CLOEXEC), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		pthread_t th;
		pid_t self;

		close(ready[0]);
		if (kind == 1 && pthread_create(&th, NULL, park, NULL) != 0)
			_exit(1);
		if (kind == 2) {
			self = vfork();
			if (self == 0) {
				pid_t me = getpid();

				if (write(ready[1], &me, sizeof(me)) != sizeof(me))
					_exit(1);
				for (;;)
					pause();
			}
			_exit(0);
		}
		self = getpid();
		if (write(ready[1], &self, sizeof(self)) != sizeof(self))
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	cr_assert_eq(read(ready[0], &got, sizeof(got)), sizeof(got));
	close(ready[0]);
	*ret_middle = pid;
	return got;
}

static int arm_without_hook(pid_t pid)
{
	struct gate_notif *n = calloc(1, sizeof(*n));
	int r;

	cr_assert_not_null(n);
	n->req.pid = pid;
	n->req.tgid = pid;
	r = execcheck_arm(NULL, n, 0);
	free(n);
	return r;
}

/* Never open: with no hook to catch a rewrite, an exec from a process whose memory another
 * task shares is refused; a lone process still execs. */
Test(exec_verify_fallback, shared_memory_execs_are_refused_without_the_hook)
{
	pid_t pids[3], middle[3];
	char buf[1024];

	for (int k = 0; k < 3; k++)
		pids[k] = child(k, &middle[k]);
	cr_expect_eq(arm_without_hook(pids[0]), 0, "a single-threaded process was refused");
	cr_expect_eq(arm_without_hook(pids[1]), -EPERM, "a second thread went unnoticed");
	cr_expect_eq(arm_without_hook(pids[2]), -EPERM, "a vfork child went unnoticed");
	for (int k = 0; k < 3; k++) {
		kill(pids[k], SIGKILL);
		kill(middle[k], SIGKILL);
		waitpid(middle[k], NULL, 0);
	}
	bpf_layer_describe(NULL, buf, sizeof(buf));
	cr_expect(strstr(buf, "exec-check: inactive"), "status says:\n%s", buf);
}
