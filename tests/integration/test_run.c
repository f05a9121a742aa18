// SPDX-License-Identifier: Apache-2.0
/*
 * `airlock run` against a real airlockd (tests/lib/daemon.c): commands under airlock
 * behave exactly as without it -- the same stdout and stderr bytes, the same raw wait
 * status, stdin passed through -- and the session is real: its process sits in the
 * session's cgroup, carries no_new_privs when unprivileged, and cannot start a nested
 * session.  The policy gates exec and writes, so the commands run through the gate.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../lib/daemon.h" /* not agent/daemon.h */

/* exec and write are gated, so the benign commands below pass through the daemon (exec
 * continued, write-opens performed by the daemon); nothing they do matches a rule. */
static const char policy[] = "version: 1\n"
			     "rules:\n"
			     "  - name: no-false\n"
			     "    match: { exec: [false] }\n"
			     "    action: deny\n"
			     "  - name: system-files\n"
			     "    match: { write: [\"/etc/**\"] }\n"
			     "    action: deny\n";

static struct test_daemon d;
static char airlock_bin[PATH_MAX];

static void start(void)
{
	int r = test_daemon_start(&d, policy, NULL);

	cr_assert_eq(r, 0, "airlockd did not start: %s", strerror(-r));
	snprintf(airlock_bin, sizeof(airlock_bin), "%s/airlock", test_build_dir());
	/* the daemon's directory is private (mkdtemp); unprivileged tests need the socket */
	chmod(d.dir, 0755);
	chmod(d.runtime_dir, 0755);
}

static void stop(void)
{
	test_daemon_stop(&d);
}

TestSuite(run, .init = start, .fini = stop, .timeout = 30);

struct outcome {
	int status; /* raw wait status */
	char *out, *err;
	size_t out_len, err_len;
};

static void outcome_free(struct outcome *o)
{
	free(o->out);
	free(o->err);
}

static char *slurp(int fd, size_t *ret_len)
{
	off_t size = lseek(fd, 0, SEEK_END);
	char *buf;

	cr_assert_geq(size, 0);
	buf = calloc(1, (size_t)size + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(pread(fd, buf, (size_t)size, 0), size);
	*ret_len = (size_t)size;
	return buf;
}

/* Run argv with stdin from `in` (NULL: /dev/null), stdout and stderr into memfds; wait. */
static void run_argv(char *const *argv, const char *in, struct outcome *o)
{
	int fin, fout, ferr;
	pid_t pid;

	memset(o, 0, sizeof(*o));
	fin = memfd_create("in", MFD_CLOEXEC);
	fout = memfd_create("out", MFD_CLOEXEC);
	ferr = memfd_create("err", MFD_CLOEXEC);
	cr_assert(fin >= 0 && fout >= 0 && ferr >= 0);
	if (in)
		cr_assert_eq(write(fin, in, strlen(in)), (ssize_t)strlen(in));
	lseek(fin, 0, SEEK_SET);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		dup2(fin, 0);
		dup2(fout, 1);
		dup2(ferr, 2);
		execvp(argv[0], argv);
		_exit(99);
	}
	cr_assert_eq(waitpid(pid, &o->status, 0), pid);
	o->out = slurp(fout, &o->out_len);
	o->err = slurp(ferr, &o->err_len);
	close(fin);
	close(fout);
	close(ferr);
}

/* The same command line, prefixed with build/airlock --runtime-dir DIR run [opts] --. */
static void run_airlock(char *const *opts, char *const *argv, const char *in, struct outcome *o)
{
	char *full[64];
	int n = 0, i;

	full[n++] = airlock_bin;
	full[n++] = "--runtime-dir";
	full[n++] = d.runtime_dir;
	full[n++] = "run";
	for (i = 0; opts && opts[i]; i++)
		full[n++] = opts[i];
	full[n++] = "--";
	for (i = 0; argv[i] && n < 63; i++)
		full[n++] = argv[i];
	full[n] = NULL;
	run_argv(full, in, o);
}

static void assert_same(char *const *argv, const char *in)
{
	struct outcome plain, gated;

	run_argv(argv, in, &plain);
	run_airlock(NULL, argv, in, &gated);
	cr_expect_eq(gated.status, plain.status,
		     "'%s': wait status 0x%x under airlock, 0x%x without",
		     argv[2] ? argv[2] : argv[0], gated.status, plain.status);
	cr_expect(gated.out_len == plain.out_len &&
			  memcmp(gated.out, plain.out, plain.out_len) == 0,
		  "'%s': stdout '%s' under airlock, '%s' without", argv[2] ? argv[2] : argv[0],
		  gated.out, plain.out);
	cr_expect(gated.err_len == plain.err_len &&
			  memcmp(gated.err, plain.err, plain.err_len) == 0,
		  "'%s': stderr '%s' under airlock, '%s' without", argv[2] ? argv[2] : argv[0],
		  gated.err, plain.err);
	outcome_free(&plain);
	outcome_free(&gated);
}

#define SH(script) ((char *const[]){ "sh", "-c", script, NULL })

Test(run, output_and_exit_codes_unchanged)
{
	assert_same(SH("echo out; echo err >&2; exit 0"), NULL);
	assert_same(SH("printf 'a\\000b\\n'; exit 1"), NULL);
	assert_same(SH("echo forty-two >&2; exit 42"), NULL);
	/* a write-open through the gate: the daemon performs the open */
	assert_same(SH("f=$(mktemp) && echo data > $f && cat $f && rm $f"), NULL);
}

Test(run, signal_deaths_give_the_same_wait_status)
{
	struct outcome o;

	assert_same(SH("kill -TERM $$"), NULL);
	assert_same(SH("kill -KILL $$"), NULL);
	run_airlock(NULL, SH("kill -TERM $$"), NULL, &o);
	cr_assert(WIFSIGNALED(o.status) && WTERMSIG(o.status) == SIGTERM, "status 0x%x", o.status);
	outcome_free(&o);
}

Test(run, stdin_passes_through)
{
	assert_same((char *const[]){ "cat", NULL }, "hello\nworld\n");
	assert_same((char *const[]){ "wc", "-c", NULL }, "twelve bytes");
}

Test(run, pipeline)
{
	struct outcome o;

	run_airlock(NULL, SH("seq 1 1000 | wc -l"), NULL, &o);
	cr_assert(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 0, "status 0x%x: %s", o.status,
		  o.err);
	cr_assert_str_eq(o.out, "1000\n");
	outcome_free(&o);
}

Test(run, command_not_found_or_not_executable)
{
	char path[] = "/tmp/airlock-run-noexec-XXXXXX";
	struct outcome o;
	int fd;

	run_airlock(NULL, (char *const[]){ "airlock-no-such-command", NULL }, NULL, &o);
	cr_assert(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 127, "status 0x%x", o.status);
	cr_assert_str_eq(o.err, "airlock run: cannot run 'airlock-no-such-command': No such file "
				"or directory\n");
	outcome_free(&o);

	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	run_airlock(NULL, (char *const[]){ path, NULL }, NULL, &o);
	unlink(path);
	cr_assert(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 126, "status 0x%x", o.status);
	outcome_free(&o);
}

Test(run, exec_denied_by_policy_is_126)
{
	struct outcome o;

	run_airlock(NULL, (char *const[]){ "false", NULL }, NULL, &o);
	cr_assert(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 126, "status 0x%x: %s", o.status,
		  o.err);
	cr_assert(strstr(o.err, "cannot run 'false': Operation not permitted"), "stderr: %s",
		  o.err);
	outcome_free(&o);
}

Test(run, daemon_down_is_125)
{
	char *argv[] = { airlock_bin, "--runtime-dir", "/nonexistent-airlock", "run", "--", "true",
			 NULL };
	struct outcome o;

	run_argv(argv, NULL, &o);
	cr_assert(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 125, "status 0x%x", o.status);
	cr_assert_str_eq(o.err, "airlock run: cannot reach airlockd at "
				"'/nonexistent-airlock/api.sock': No such file or directory (is "
				"airlockd running?)\n");
	outcome_free(&o);
}

Test(run, nested_run_refused)
{
	struct outcome o;
	char *inner[] = { airlock_bin, "--runtime-dir", d.runtime_dir, "run",
			  "--",	       "echo",		"escaped",     NULL };

	run_airlock(NULL, inner, NULL, &o);
	cr_assert(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 125, "status 0x%x: %s", o.status,
		  o.err);
	cr_assert_eq(o.out_len, 0, "the nested command ran: '%s'", o.out);
	outcome_free(&o);
}

Test(run, process_in_session_cgroup)
{
	char want[128];
	struct outcome o;

	run_airlock(NULL, (char *const[]){ "cat", "/proc/self/cgroup", NULL }, NULL, &o);
	cr_assert(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 0, "status 0x%x", o.status);
	/* the cgroup2 line names the daemon's cgroup and a session under it */
	snprintf(want, sizeof(want), "/%s/s", d.cgroup_name);
	cr_assert(strstr(o.out, "0::") && strstr(strstr(o.out, "0::"), want), "'%s' not in:\n%s",
		  want, o.out);
	outcome_free(&o);
}

static const char *status_field(const char *status, const char *name)
{
	const char *p = strstr(status, name);

	return p ? p + strlen(name) : "";
}

Test(run, user_option_drops_to_the_user)
{
	struct outcome o;

	run_airlock((char *const[]){ "--user", "nobody", NULL },
		    (char *const[]){ "cat", "/proc/self/status", NULL }, NULL, &o);
	cr_assert(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 0, "status 0x%x: %s", o.status,
		  o.err);
	cr_assert(strncmp(status_field(o.out, "\nUid:\t"), "65534\t65534\t65534\t65534", 23) == 0,
		  "%s", o.out);
	cr_assert(strncmp(status_field(o.out, "\nGid:\t"), "65534", 5) == 0, "%s", o.out);
	cr_assert(strncmp(status_field(o.out, "\nSeccomp:\t"), "2", 1) == 0, "%s", o.out);
	/* installed as root: no_new_privs is not needed, and setuid programs (sudo) must keep
	 * working so that each use is asked, as docs/gate.md says */
	cr_assert(strncmp(status_field(o.out, "\nNoNewPrivs:\t"), "0", 1) == 0, "%s", o.out);
	outcome_free(&o);
}

Test(run, unprivileged_caller_gets_no_new_privs)
{
	char *argv[] = { "setpriv",   "--reuid=65534", "--regid=65534",	    "--clear-groups",
			 airlock_bin, "--runtime-dir", d.runtime_dir,	    "run",
			 "--",	      "cat",	       "/proc/self/status", NULL };
	struct outcome o;

	if (access("/usr/bin/setpriv", X_OK) != 0 && access("/bin/setpriv", X_OK) != 0)
		cr_skip_test("setpriv(1) is not installed");
	run_argv(argv, NULL, &o);
	cr_assert(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 0, "status 0x%x: %s", o.status,
		  o.err);
	cr_assert(strncmp(status_field(o.out, "\nUid:\t"), "65534", 5) == 0, "%s", o.out);
	cr_assert(strncmp(status_field(o.out, "\nNoNewPrivs:\t"), "1", 1) == 0, "%s", o.out);
	cr_assert(strncmp(status_field(o.out, "\nSeccomp:\t"), "2", 1) == 0, "%s", o.out);
	outcome_free(&o);
}

/* Start airlock run in the background with stdout on a pipe; wait for its first line. */
static pid_t spawn_ready(char *const *argv, int *ret_out)
{
	char *full[16], line[64];
	int p[2], n = 0, i;
	ssize_t got = 0;
	pid_t pid;

	full[n++] = airlock_bin;
	full[n++] = "--runtime-dir";
	full[n++] = d.runtime_dir;
	full[n++] = "run";
	full[n++] = "--";
	for (i = 0; argv[i]; i++)
		full[n++] = argv[i];
	full[n] = NULL;
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		dup2(p[1], 1);
		execv(airlock_bin, full);
		_exit(99);
	}
	close(p[1]);
	while (got < (ssize_t)sizeof(line) - 1) {
		ssize_t r = read(p[0], line + got, 1);
		cr_assert_eq(r, 1, "the command never said it was ready");
		if (line[got++] == '\n')
			break;
	}
	*ret_out = p[0];
	return pid;
}

/* SIGTERM and SIGINT sent to airlock run by another process reach the command once. */
Test(run, relays_signals_sent_to_the_launcher)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	size_t i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		char *argv[] = {
			"sh", "-c",
			"n=0; trap 'n=$((n+1))' TERM INT HUP; echo ready; "
			"while [ $n -eq 0 ]; do sleep 0.05; done; sleep 0.3; exit $((40+n))",
			NULL
		};
		int out, st;
		pid_t pid = spawn_ready(argv, &out);

		cr_assert_eq(kill(pid, sigs[i]), 0);
		cr_assert_eq(waitpid(pid, &st, 0), pid);
		/* 41: the trap ran once -- relayed, and not twice */
		cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 41, "signal %d: status 0x%x", sigs[i],
			  st);
		close(out);
	}
}

/* The command stops itself: airlock run stops too (the shell waits for it), and
 * continuing airlock run continues the command. */
Test(run, mirrors_a_stop_of_the_command)
{
	char *argv[] = { "sh", "-c", "echo ready; kill -STOP $$; echo resumed", NULL };
	char buf[64] = "";
	int out, st;
	pid_t pid = spawn_ready(argv, &out);

	cr_assert_eq(waitpid(pid, &st, WUNTRACED), pid);
	cr_assert(WIFSTOPPED(st), "airlock run did not stop with the command: status 0x%x", st);
	cr_assert_eq(kill(pid, SIGCONT), 0);
	cr_assert_gt(read(out, buf, sizeof(buf) - 1), 0, "the command was not continued");
	cr_assert_str_eq(buf, "resumed\n");
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status 0x%x", st);
	close(out);
}

/* The command signalling its own launcher (or its whole group) must not get it back. */
Test(run, does_not_relay_signals_from_inside)
{
	struct outcome o;

	run_airlock(NULL,
		    SH("n=0; trap 'n=$((n+1))' TERM; kill -TERM $PPID; sleep 0.3; exit $((40+n))"),
		    NULL, &o);
	cr_assert(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 40,
		  "status 0x%x: the command's own signal came back", o.status);
	outcome_free(&o);
}

Test(run, bad_user_is_125)
{
	char *argv[] = { "setpriv",
			 "--reuid=65534",
			 "--regid=65534",
			 "--clear-groups",
			 airlock_bin,
			 "--runtime-dir",
			 d.runtime_dir,
			 "run",
			 "--user",
			 "root",
			 "--",
			 "true",
			 NULL };
	struct outcome o;

	run_airlock((char *const[]){ "--user", "airlock-no-such-user", NULL },
		    (char *const[]){ "true", NULL }, NULL, &o);
	cr_assert(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 125, "status 0x%x", o.status);
	cr_assert_str_eq(o.err, "airlock run: unknown user 'airlock-no-such-user'\n");
	outcome_free(&o);

	if (access("/usr/bin/setpriv", X_OK) != 0 && access("/bin/setpriv", X_OK) != 0)
		cr_skip_test("setpriv(1) is not installed");
	run_argv(argv, NULL, &o);
	cr_assert(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 125, "status 0x%x", o.status);
	cr_assert_str_eq(o.err, "airlock run: --user 'root' needs root\n");
	outcome_free(&o);
}

/* Run argv with SIGCHLD ignored (as a caller may pass it on across exec); its stdout. */
static char *run_ignoring_sigchld(char *const *argv, int *ret_status)
{
	char *out;
	pid_t pid;
	int p[2];

	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		signal(SIGCHLD, SIG_IGN);
		dup2(p[1], 1);
		execvp(argv[0], argv);
		_exit(99);
	}
	close(p[1]);
	out = test_read_all(p[0], 10000);
	close(p[0]);
	cr_assert_eq(waitpid(pid, ret_status, 0), pid);
	return out;
}

/* A caller that ignores SIGCHLD still gets the command's status, and the command
 * inherits the ignored SIGCHLD as it would without airlock. */
Test(run, caller_ignoring_sigchld)
{
	char *bare[] = { "sh", "-c", "grep SigIgn /proc/self/status; exit 7", NULL };
	char *gated[] = { airlock_bin,	 "--runtime-dir",
			  d.runtime_dir, "run",
			  "--",		 "sh",
			  "-c",		 "grep SigIgn /proc/self/status; exit 7",
			  NULL };
	char *want, *got;
	int st;

	want = run_ignoring_sigchld(bare, &st);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	got = run_ignoring_sigchld(gated, &st);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 7, "status 0x%x", st);
	cr_assert_str_eq(got, want);
	free(want);
	free(got);
}

Test(run, workspace_is_where_the_command_starts)
{
	char dir[] = "/tmp/airlock-run-ws-XXXXXX", want[64];
	struct outcome o;

	cr_assert_not_null(mkdtemp(dir));
	run_airlock((char *const[]){ "--workspace", dir, NULL }, (char *const[]){ "pwd", NULL },
		    NULL, &o);
	cr_assert(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 0, "status 0x%x: %s", o.status,
		  o.err);
	snprintf(want, sizeof(want), "%s\n", dir);
	cr_assert_str_eq(o.out, want);
	outcome_free(&o);
	rmdir(dir);

	run_airlock((char *const[]){ "--workspace", "/nonexistent-airlock", NULL },
		    (char *const[]){ "pwd", NULL }, NULL, &o);
	cr_assert(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 125, "status 0x%x", o.status);
	cr_assert_str_eq(o.err, "airlock run: workspace '/nonexistent-airlock': No such file or "
				"directory\n");
	outcome_free(&o);
}

Test(run, refused_session_is_125)
{
	struct outcome o;

	run_airlock((char *const[]){ "--profile", "airlock-no-such-profile", NULL },
		    (char *const[]){ "true", NULL }, NULL, &o);
	cr_assert(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 125, "status 0x%x", o.status);
	cr_assert(strncmp(o.err, "airlock run: airlockd refused the session: ", 43) == 0 &&
			  strstr(o.err, "airlock-no-such-profile"),
		  "stderr: %s", o.err);
	outcome_free(&o);
}
