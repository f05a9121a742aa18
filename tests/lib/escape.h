/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the escape suites (tests/integration/test_escape*.c) share: a real airlockd per
 * test, a scratch directory DIR laid out for tests/helpers/escape_attack, the attacker run
 * inside `airlock run` sessions, and checks of what an attack was after -- the protected
 * file, a name that must not exist, a marker the forbidden program writes when it runs,
 * the audit log, the daemon still answering.  See docs/threat-model.md.
 *
 * A suite declares `.init = escape_setup, .fini = escape_teardown`; a test then calls
 * escape_start() (or escape_run()) with its policy.  The functions assert with Criterion,
 * so this is a header of static functions included by those suites only, like e2e.h and
 * gate_cases.h: the .c files of tests/lib are linked into the benchmarks too, which have
 * no Criterion.
 */
#ifndef AIRLOCK_TEST_ESCAPE_H
#define AIRLOCK_TEST_ESCAPE_H

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "test_cgroup.h"

#define ESCAPE_ORIGINAL "ORIGINAL\n" /* DIR/target's content until an attack changes it */

/*
 * One test's world.  DIR, as escape_attack.c expects it:
 *   target, absent   a protected file (ESCAPE_ORIGINAL) and a protected name that does not
 *                    exist, under ESCAPE_POLICY_FILES
 *   targeu           an unprotected file whose name is as long as target's
 *   work/            the attacker's cwd, writable by every user
 *   bin/sudo         the forbidden program (escape_marker: it writes DIR/marker when it runs)
 *   bin/sudx         /bin/true
 *   bin/escape_attack  the attacker, copied where every user can run it
 */
struct escape_env {
	struct test_daemon d; /* airlockd, once escape_start() ran */
	bool daemon_up;	      /* escape_teardown() stops d and checks its exit status */
	char dir[64];
	char target[128];
	char absent[128];
	char marker[128];
	char sudo[128];
	char sockpath[100]; /* DIR/sock: a unix socket ESCAPE_POLICY_FILES protects */
	char attacker[128];
};

static struct escape_env esc;

/* A protected file and name, a forbidden program, a forbidden address and unix socket.
 * In every policy given to escape_start(), '@' stands for DIR. */
#define ESCAPE_POLICY_FILES                                                                        \
	"version: 1\n"                                                                             \
	"defaults:\n"                                                                              \
	"  ask_timeout: 30s\n"                                                                     \
	"  on_timeout: deny\n"                                                                     \
	"rules:\n"                                                                                 \
	"  - name: protect\n"                                                                      \
	"    match: { write: [\"@/target\", \"@/absent\"] }\n"                                     \
	"    action: deny\n"                                                                       \
	"  - name: no-recursive-rm\n"                                                              \
	"    match: { exec: [rm], argv: [\"-[rR]*\"] }\n"                                          \
	"    action: deny\n"                                                                       \
	"  - name: forbidden-exec\n"                                                               \
	"    match: { exec: [sudo] }\n"                                                            \
	"    action: deny\n"                                                                       \
	"  - name: egress\n"                                                                       \
	"    match: { connect: [\"127.0.0.2/32\"] }\n"                                             \
	"    action: deny\n"                                                                       \
	"  - name: service-socket\n"                                                               \
	"    match: { connect: [\"unix:@/sock\"] }\n"                                              \
	"    action: deny\n"

/* sudo asks, nothing else is gated. */
#define ESCAPE_POLICY_ASK                                                                          \
	"version: 1\n"                                                                             \
	"defaults:\n"                                                                              \
	"  ask_timeout: 30s\n"                                                                     \
	"  on_timeout: deny\n"                                                                     \
	"rules:\n"                                                                                 \
	"  - name: escalation\n"                                                                   \
	"    match: { exec: [sudo] }\n"                                                            \
	"    action: ask\n"

/* ---- DIR -------------------------------------------------------------------------------- */

static inline int escape_copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out, r = 0;
	ssize_t n;

	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		r = -errno;
		close(in);
		return r;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			r = -EIO;
			break;
		}
	close(in);
	close(out);
	if (r == 0 && chmod(to, mode) < 0)
		r = -errno;
	return r;
}

/* Create path holding text, or fail the test. */
static inline void escape_put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	cr_assert_geq(fd, 0, "cannot create '%s': %s", path, strerror(errno));
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* path's content (malloc'ed), NULL when it cannot be opened. */
static inline char *escape_slurp(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *s;

	if (fd < 0)
		return NULL;
	s = test_read_all(fd, 1000);
	close(fd);
	return s;
}

/* build/tests/helpers/name (the results of two calls may be used together). */
static inline const char *escape_helper(const char *name)
{
	static char path[2][PATH_MAX + 64];
	static int i;

	i ^= 1;
	snprintf(path[i], sizeof(path[i]), "%s/tests/helpers/%s", test_build_dir(), name);
	return path[i];
}

/* DIR with target, targeu, work/, bin/sudo (the marker program), bin/sudx (/bin/true). */
static inline void escape_layout(void)
{
	char p[160];

	snprintf(esc.dir, sizeof(esc.dir), "/tmp/airlock-escape-XXXXXX");
	cr_assert_not_null(mkdtemp(esc.dir));
	cr_assert_eq(chmod(esc.dir, 0755), 0);
	snprintf(esc.target, sizeof(esc.target), "%s/target", esc.dir);
	snprintf(esc.absent, sizeof(esc.absent), "%s/absent", esc.dir);
	snprintf(esc.marker, sizeof(esc.marker), "%s/marker", esc.dir);
	snprintf(esc.sudo, sizeof(esc.sudo), "%s/bin/sudo", esc.dir);
	snprintf(esc.sockpath, sizeof(esc.sockpath), "%s/sock", esc.dir);
	snprintf(esc.attacker, sizeof(esc.attacker), "%s/bin/escape_attack", esc.dir);
	escape_put(esc.target, ESCAPE_ORIGINAL);
	snprintf(p, sizeof(p), "%s/targeu", esc.dir);
	escape_put(p, "unprotected\n");
	snprintf(p, sizeof(p), "%s/work", esc.dir);
	cr_assert_eq(mkdir(p, 0777), 0);
	cr_assert_eq(chmod(p, 0777), 0);
	snprintf(p, sizeof(p), "%s/bin", esc.dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	cr_assert_eq(escape_copy_file(escape_helper("escape_marker"), esc.sudo, 0755), 0);
	snprintf(p, sizeof(p), "%s/bin/sudx", esc.dir);
	cr_assert_eq(escape_copy_file("/bin/true", p, 0755), 0);
	cr_assert_eq(escape_copy_file(escape_helper("escape_attack"), esc.attacker, 0755), 0);
	/* the marker program finds its file through the environment airlock run passes on */
	setenv("ESCAPE_MARKER", esc.marker, 1);
}

static inline int escape_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	umount2(path, MNT_DETACH);
	return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

/* Suite .init: skip unless root, lay out DIR (and set ESCAPE_MARKER, which airlock run
 * passes on to the marker program). */
static inline void escape_setup(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root (cgroups, seccomp listeners taken with pidfd_getfd)");
	escape_layout();
}

/* Suite .fini: stop airlockd if it runs (expecting exit status 0), remove DIR. */
static inline void escape_teardown(void)
{
	if (esc.daemon_up) {
		int r = test_daemon_stop(&esc.d);

		esc.daemon_up = false;
		cr_expect_eq(r, 0, "airlockd exited with %d", r);
	}
	if (esc.dir[0])
		nftw(esc.dir, escape_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	esc.dir[0] = '\0';
}

/* ---- airlockd and the attacker ---------------------------------------------------------- */

/* policy text with every "@" replaced by DIR */
static inline char *escape_policy_for(const char *tmpl)
{
	size_t n = strlen(tmpl), k = 0;
	char *out = malloc(n * 4 + 4096);

	cr_assert_not_null(out);
	for (size_t i = 0; i < n; i++) {
		if (tmpl[i] == '@') {
			strcpy(out + k, esc.dir);
			k += strlen(esc.dir);
		} else {
			out[k++] = tmpl[i];
		}
	}
	out[k] = '\0';
	return out;
}

/* Start airlockd under policy (every '@' replaced by DIR; NULL: the embedded default). */
static inline void escape_start(const char *policy)
{
	char *p = policy ? escape_policy_for(policy) : NULL;

	cr_assert_eq(test_daemon_start(&esc.d, p, NULL), 0, "airlockd did not start");
	esc.daemon_up = true;
	free(p);
}

/* The attack's arguments after its name: at most three, NULL-terminated; a[3] is NULL. */
static inline void escape_args(va_list ap, const char *a[4])
{
	const char *s;
	size_t n = 0;

	while ((s = va_arg(ap, const char *)) != NULL) {
		cr_assert_lt(n, 3, "an attack takes three arguments at most");
		a[n++] = s;
	}
	while (n < 4)
		a[n++] = NULL;
}

/* Run `escape_attack DIR what a...` in a session: its exit status; its stdout and stderr,
 * malloc'ed, in *ret_out when not NULL. */
static inline int escape_attack_argv(char **ret_out, const char *what, const char *const a[4])
{
	char *out = NULL, *err = NULL;
	int r;

	r = test_airlock(&esc.d, &out, &err, "run", "--", esc.attacker, esc.dir, what, a[0], a[1],
			 a[2], NULL);
	cr_log_info("attack '%s' (status %d):\n%s%s", what, r, out ? out : "", err ? err : "");
	if (ret_out) {
		size_t lo = out ? strlen(out) : 0, le = err ? strlen(err) : 0;
		char *all = malloc(lo + le + 1);

		cr_assert_not_null(all);
		memcpy(all, out ? out : "", lo);
		memcpy(all + lo, err ? err : "", le + 1);
		*ret_out = all;
	}
	free(out);
	free(err);
	return r;
}

/* The same, the arguments after what NULL-terminated (three at most). */
static inline int escape_attack(char **ret_out, const char *what, ...)
{
	const char *a[4];
	va_list ap;

	va_start(ap, what);
	escape_args(ap, a);
	va_end(ap);
	return escape_attack_argv(ret_out, what, a);
}

/* The same with `airlock run --user user`; only its stdout in *ret_out. */
static inline int escape_attack_as(char **ret_out, const char *user, const char *what, ...)
{
	const char *a[4];
	char *out = NULL;
	va_list ap;
	int r;

	va_start(ap, what);
	escape_args(ap, a);
	va_end(ap);
	r = test_airlock(&esc.d, &out, NULL, "run", "--user", user, "--", esc.attacker, esc.dir,
			 what, a[0], a[1], a[2], NULL);
	cr_log_info("attack '%s' as '%s' (status %d):\n%s", what, user, r, out ? out : "");
	*ret_out = out ? out : strdup("");
	return r;
}

/* escape_start(policy), then escape_attack() that must exit 0: its output.  The arguments
 * are evaluated before airlockd starts: nothing of esc.d can be among them. */
static inline char *escape_run(const char *policy, const char *what, ...)
{
	const char *a[4];
	char *out;
	va_list ap;
	int r;

	va_start(ap, what);
	escape_args(ap, a);
	va_end(ap);
	escape_start(policy);
	r = escape_attack_argv(&out, what, a);
	cr_assert_eq(r, 0, "attack '%s' exited with status %d:\n%s", what, r, out);
	return out;
}

static inline pid_t escape_spawn_argv(int *ret_fd, const char *user, const char *what,
				      const char *const a[4])
{
	pid_t pid;

	if (user)
		pid = test_airlock_spawn(&esc.d, ret_fd, "run", "--user", user, "--", esc.attacker,
					 esc.dir, what, a[0], a[1], a[2], NULL);
	else
		pid = test_airlock_spawn(&esc.d, ret_fd, "run", "--", esc.attacker, esc.dir, what,
					 a[0], a[1], a[2], NULL);
	cr_assert_gt(pid, 0, "cannot start attack '%s': %s", what, strerror(-pid));
	return pid;
}

/* Start the attacker (as user; NULL: as root) without waiting; its stdout and stderr go to
 * *ret_fd.  Its pid. */
static inline pid_t escape_spawn(int *ret_fd, const char *user, const char *what, ...)
{
	const char *a[4];
	va_list ap;

	va_start(ap, what);
	escape_args(ap, a);
	va_end(ap);
	return escape_spawn_argv(ret_fd, user, what, a);
}

/* Wait for a spawned attacker (timeout_ms at most, then SIGKILL) and read its output from
 * fd, which is closed.  malloc'ed, never NULL. */
static inline char *escape_collect(pid_t pid, int fd, int timeout_ms)
{
	char *out;

	test_wait_child(pid, timeout_ms);
	out = test_read_all(fd, 1000);
	close(fd);
	cr_log_info("attacker:\n%s", out ? out : "");
	return out ? out : strdup("");
}

/* The id of an entry of `pending`. */
static inline json_int_t escape_ask_id(const json_t *ask)
{
	return json_integer_value(json_object_get(ask, "id"));
}

/* Send {"op":decision,"id":id} ("approve" or "deny"), ignoring the answer. */
static inline void escape_decide(json_int_t id, const char *decision)
{
	char req[128];

	snprintf(req, sizeof(req), "{\"op\":\"%s\",\"id\":%lld}", decision, (long long)id);
	json_decref(test_daemon_call(&esc.d, req));
}

/* Run the attacker (as user; NULL: as root) with at most two arguments, denying every ask
 * it raises until it ends (10 s at most): its output. */
static inline char *escape_attack_denying_asks(const char *user, const char *what, const char *a1,
					       const char *a2)
{
	const char *const a[4] = { a1, a1 ? a2 : NULL, NULL, NULL };
	int fd = -1, status = -1;
	pid_t pid = escape_spawn_argv(&fd, user, what, a);
	char *out;

	for (int i = 0; i < 500; i++) {
		json_t *res = test_daemon_call(&esc.d, "{\"op\":\"pending\"}");
		json_t *list = json_object_get(res, "pending"), *ask;
		size_t k;

		json_array_foreach(list, k, ask)
		{
			cr_log_info("denying ask %lld: %s '%s'", (long long)escape_ask_id(ask),
				    json_string_value(json_object_get(ask, "op")),
				    json_string_value(json_object_get(ask, "path")));
			escape_decide(escape_ask_id(ask), "deny");
		}
		json_decref(res);
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(20 * 1000);
	}
	if (status == -1)
		test_wait_child(pid, 100);
	out = test_read_all(fd, 1000);
	close(fd);
	cr_log_info("attack '%s':\n%s", what, out ? out : "");
	return out ? out : strdup("");
}

/* Deny the first ask that shows within 1.5 s (there may be none), then collect pid. */
static inline char *escape_deny_first_ask(pid_t pid, int fd)
{
	json_t *list = test_daemon_wait_pending(&esc.d, 1, 1500);

	if (list) {
		escape_decide(escape_ask_id(json_array_get(list, 0)), "deny");
		json_decref(list);
	}
	return escape_collect(pid, fd, 5000);
}

/* ---- what the attack was after ---------------------------------------------------------- */

/* DIR/target still holds ESCAPE_ORIGINAL and DIR/absent does not exist (cr_expect; out,
 * the attacker's output, goes into the messages). */
static inline void escape_assert_target_intact(const char *out)
{
	char *now = escape_slurp(esc.target);
	struct stat st;

	cr_expect_not_null(now, "the protected file is gone");
	if (now)
		cr_expect_str_eq(now, ESCAPE_ORIGINAL,
				 "the protected file was changed to '%s'; attacker:\n%s", now, out);
	free(now);
	cr_expect(lstat(esc.absent, &st) < 0 && errno == ENOENT,
		  "the protected name '%s' was created; attacker:\n%s", esc.absent, out);
}

/* DIR/marker does not exist: the forbidden program never ran. */
static inline void escape_assert_no_marker(const char *out)
{
	char *m = escape_slurp(esc.marker);

	cr_expect_null(m, "the forbidden program ran (%s); attacker:\n%s", m ? m : "", out);
	free(m);
}

/* Does the audit log hold needle? */
static inline bool escape_audit_has(const char *needle)
{
	char *s = escape_slurp(esc.d.audit_path);
	bool found = s && strstr(s, needle);

	free(s);
	return found;
}

/* Does airlockd answer `status` on a fresh connection within timeout_ms? */
static inline bool escape_daemon_answers(int timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
	const char req[] = "{\"op\":\"status\"}\n";
	char buf[256];
	bool ok = false;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/api.sock", esc.d.runtime_dir);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    write(fd, req, sizeof(req) - 1) == (ssize_t)sizeof(req) - 1)
		ok = read(fd, buf, sizeof(buf)) > 0;
	close(fd);
	return ok;
}

/* The cgroup2 mount point (the test is skipped without one). */
static inline const char *escape_cgroup2_root(void)
{
	static char mnt[PATH_MAX];

	if (test_cgroup2_root(mnt, sizeof(mnt)) < 0)
		cr_skip_test("no cgroup2 mount");
	return mnt;
}

/* Kill every process of airlockd's sessions (cgroup.kill, 5.14). */
static inline void escape_kill_sessions(void)
{
	char path[PATH_MAX + 128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s/cgroup.kill", escape_cgroup2_root(), esc.d.cgroup_name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1", 1) < 0)
			cr_log_warn("cgroup.kill: %s", strerror(errno));
		close(fd);
	}
}

#endif
