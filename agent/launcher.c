// SPDX-License-Identifier: Apache-2.0
/*
 * `airlock run`'s launcher: P (this process, unfiltered, outside the session) and its
 * child C (which becomes the command).  The handshake (docs/api.md, docs/gate.md):
 *
 *   P: session.create -> the filter spec; build the filter; reserve descriptor R
 *   P: block the relayed signals, fork C
 *   C: setgroups (--user), no_new_privs (not root), install the filter,
 *      dup3(listener, R), close its end of `ready`       <- from here C only closes/reads
 *   P: sees EOF on `ready`; session.attach(C, R): airlockd moves C into the session's
 *      cgroup and takes the listener with pidfd_getfd
 *   P: releases C by writing to `release`
 *   C: drops to the user (allowed in-filter), restores the signal mask, execs
 *   P: relays signals and mirrors stops until C ends; its caller exits the same way
 *
 * Between installing the filter and being released, C makes no syscall the filter
 * could notify (close, dup3 and read are never gated), so it cannot block on a
 * notification nobody serves yet: the handshake cannot deadlock.
 */
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <jansson.h>
#include <limits.h>
#include <linux/filter.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api_client.h"
#include "notify.h"
#include "procstat.h"

extern char **environ;

/* How long the launcher waits for one answer of airlockd's. */
#define API_TIMEOUT_S 30

/* --- finding the command ------------------------------------------------------------ */

static int check_executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno == ENOTDIR ? -ENOENT : -errno;
	if (S_ISDIR(st.st_mode))
		return -EACCES;
	if (access(path, X_OK) < 0)
		return -errno;
	return 0;
}

int launcher_find_command(const char *name, char **ret_path)
{
	const char *search, *dir, *end;
	bool denied = false;
	char *cand = NULL;
	int r;

	if (!*name)
		return -ENOENT;
	if (strchr(name, '/')) {
		r = check_executable(name);
		if (r < 0)
			return r;
		cand = strdup(name);
		if (!cand)
			return -ENOMEM;
		*ret_path = cand;
		return 0;
	}
	search = getenv("PATH");
	if (!search)
		search = "/bin:/usr/bin"; /* execvp's default */
	for (dir = search;; dir = end + 1) {
		size_t dlen;

		end = strchrnul(dir, ':');
		dlen = (size_t)(end - dir);
		/* an empty entry is the current directory */
		if (dlen == 0 ? asprintf(&cand, "./%s", name) < 0
			      : asprintf(&cand, "%.*s/%s", (int)dlen, dir, name) < 0)
			return -ENOMEM;
		r = check_executable(cand);
		if (r == 0) {
			*ret_path = cand;
			return 0;
		}
		free(cand);
		cand = NULL;
		/* like execvp: a match we may not run is reported only if nothing else is found */
		if (r == -EACCES)
			denied = true;
		if (!*end)
			break;
	}
	return denied ? -EACCES : -ENOENT;
}

/* --- the API side --------------------------------------------------------------------- */

struct session {
	json_int_t id;
	json_t *resp; /* session.create's response: owns the strings below */
	struct gate_filter_spec spec;
	const char **extra;
};

static void session_release(struct session *s)
{
	free(s->extra);
	json_decref(s->resp);
}

static int session_create(const struct launch *l, struct session *s, char *err, size_t err_len)
{
	json_t *req = NULL, *argv, *filter, *names, *v;
	char why[400];
	size_t i;
	int r;

	memset(s, 0, sizeof(*s));
	argv = json_array();
	for (i = 0; argv && l->argv[i]; i++)
		json_array_append_new(argv, json_string(l->argv[i]));
	req = json_pack("{s:s, s:o, s:s, s:s?, s:s?}", "op", "session.create", "argv", argv, "cwd",
			l->workspace, "profile", l->profile, "user",
			l->user ? l->user->name : NULL);
	if (!req) {
		r = -ENOMEM;
		goto out;
	}
	r = api_call(l->api_fd, req, &s->resp, why, sizeof(why));
	if (r == -EREMOTEIO) {
		snprintf(err, err_len, "airlockd refused the session: %s", why);
		goto out;
	}
	if (r < 0) {
		snprintf(err, err_len, "session.create: %s",
			 r == -EAGAIN ? "airlockd did not answer in time" : strerror(-r));
		goto out;
	}
	r = -EPROTO;
	v = json_object_get(s->resp, "session");
	filter = json_object_get(s->resp, "filter");
	if (!json_is_integer(v) || !json_is_object(filter)) {
		snprintf(err, err_len,
			 "session.create: airlockd's answer has no session or filter");
		goto out;
	}
	s->id = json_integer_value(v);
	s->spec.ops = (uint64_t)json_integer_value(json_object_get(filter, "ops"));
	v = json_object_get(filter, "uid");
	s->spec.user_uid = json_is_integer(v) ? (uid_t)json_integer_value(v) : (uid_t)-1;
	v = json_object_get(filter, "gid");
	s->spec.user_gid = json_is_integer(v) ? (gid_t)json_integer_value(v) : (gid_t)-1;
	names = json_object_get(filter, "syscalls");
	if (names && !json_is_array(names)) {
		snprintf(err, err_len, "session.create: 'syscalls' is not an array");
		goto out;
	}
	if (json_array_size(names) > 0) {
		s->extra = calloc(json_array_size(names), sizeof(*s->extra));
		if (!s->extra) {
			r = -ENOMEM;
			goto out;
		}
		json_array_foreach(names, i, v)
		{
			if (!json_is_string(v)) {
				snprintf(err, err_len,
					 "session.create: a syscall name is not a string");
				goto out;
			}
			s->extra[i] = json_string_value(v);
		}
		s->spec.extra = s->extra;
		s->spec.n_extra = json_array_size(names);
	}
	r = 0;
out:
	json_decref(req);
	if (r < 0) {
		session_release(s);
		memset(s, 0, sizeof(*s));
	}
	return r;
}

static int session_attach(const struct launch *l, const struct session *s, pid_t child,
			  int reserved, char *err, size_t err_len)
{
	json_t *req, *resp = NULL;
	char why[400];
	int r;

	req = json_pack("{s:s, s:I, s:i, s:i}", "op", "session.attach", "session",
			(json_int_t)s->id, "pid", (int)child, "fd", reserved);
	if (!req)
		return -ENOMEM;
	r = api_call(l->api_fd, req, &resp, why, sizeof(why));
	if (r == -EREMOTEIO)
		snprintf(err, err_len, "airlockd refused to attach the session: %s", why);
	else if (r < 0)
		snprintf(err, err_len, "session.attach: %s",
			 r == -EAGAIN ? "airlockd did not answer in time" : strerror(-r));
	json_decref(resp);
	json_decref(req);
	return r;
}

/* --- the child ------------------------------------------------------------------------ */

/* What C reports on `ready` when a step before the filter fails. */
struct child_report {
	int step;
	int err;
};

enum child_step { STEP_PDEATHSIG = 1, STEP_GROUPS, STEP_NNP, STEP_FILTER };

static const char *const step_names[] = {
	[STEP_PDEATHSIG] = "watching the launcher",
	[STEP_GROUPS] = "setting the user's groups",
	[STEP_NNP] = "setting no_new_privs",
	[STEP_FILTER] = "installing the seccomp filter",
};

struct child_ctx {
	const struct launch *l;
	const struct sock_filter *prog;
	unsigned prog_len;
	int reserved;
	int ready_w, release_r;
	const sigset_t *mask;	      /* the mask to exec with */
	const struct sigaction *chld; /* the SIGCHLD disposition to exec with */
	pid_t parent;
};

static void __attribute__((noreturn)) child_fail(int ready_w, enum child_step step, int err)
{
	struct child_report rep = { step, err };

	ssize_t n;

	/* only before the filter: a write may be gated once it is installed.  If P is gone
	 * there is nobody to tell. */
	n = write(ready_w, &rep, sizeof(rep));
	(void)n;
	_exit(125);
}

static void child_set_user_env(const struct launch_user *u)
{
	setenv("HOME", u->home, 1);
	setenv("USER", u->name, 1);
	setenv("LOGNAME", u->name, 1);
	setenv("SHELL", u->shell, 1);
}

static void __attribute__((noreturn)) child_run(const struct child_ctx *c)
{
	const struct launch *l = c->l;
	const struct launch_user *u = l->user;
	int listener, e;
	ssize_t n;
	char go;

	/* Until it is released, C must not outlive P: nobody would attach it. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		child_fail(c->ready_w, STEP_PDEATHSIG, errno);
	if (getppid() != c->parent)
		_exit(125);
	/* Supplementary groups are a list in memory, which the filter cannot check: set them
	 * while setgroups is still unfiltered. */
	if (u && setgroups((size_t)u->n_groups, u->groups) < 0)
		child_fail(c->ready_w, STEP_GROUPS, errno);
	/* The kernel takes a filter from an unprivileged caller only with no_new_privs;
	 * it also makes setuid escalation impossible inside the session. */
	if (geteuid() != 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		child_fail(c->ready_w, STEP_NNP, errno);
	listener = gate_filter_install(c->prog, c->prog_len);
	if (listener < 0)
		child_fail(c->ready_w, STEP_FILTER, -listener);

	/* Filtered from here: only dup3, close and read until airlockd serves the listener.
	 * A failure shows as a listener missing at R, which session.attach reports. */
	if (dup3(listener, c->reserved, O_CLOEXEC) < 0)
		_exit(125);
	close(listener);
	close(c->ready_w);
	do
		n = read(c->release_r, &go, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(125); /* P gave up and says why */
	close(c->release_r);
	close(c->reserved); /* airlockd holds its own copy now */

	if (u) {
		/* to the session user's own ids: allowed by the filter without a notification */
		if (setresgid(u->gid, u->gid, u->gid) < 0 ||
		    setresuid(u->uid, u->uid, u->uid) < 0) {
			e = errno;
			fprintf(stderr, "airlock run: cannot become user '%s': %s\n", u->name,
				strerror(e));
			_exit(125);
		}
		child_set_user_env(u);
	}
	prctl(PR_SET_PDEATHSIG, 0);
	sigaction(SIGCHLD, c->chld, NULL);
	sigprocmask(SIG_SETMASK, c->mask, NULL);
	execve(l->path, l->argv, environ);
	e = errno;
	fprintf(stderr, "airlock run: cannot run '%s': %s\n", l->argv[0], strerror(e));
	_exit(e == ENOENT ? 127 : 126);
}

/* --- P after the fork ------------------------------------------------------------------ */

/* 0 once C has installed the filter (EOF), or -errno of the step C reports. */
static int wait_ready(int ready_r, char *err, size_t err_len)
{
	struct child_report rep;
	ssize_t n;

	do
		n = read(ready_r, &rep, sizeof(rep));
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	if (n != (ssize_t)sizeof(rep) || rep.step <= 0 || rep.step > STEP_FILTER || rep.err <= 0) {
		snprintf(err, err_len, "the command's process failed before its filter was set up");
		return -EPROTO;
	}
	/* A session's filter refuses a second listener with EPERM (the kernel itself says
	 * EACCES or EBUSY): this launcher runs inside a session. */
	snprintf(err, err_len, "%s: %s%s", step_names[rep.step], strerror(rep.err),
		 rep.step == STEP_FILTER && rep.err == EPERM
			 ? " (already inside an airlock session? sessions do not nest)"
			 : "");
	return -rep.err;
}

static pid_t parent_of(pid_t pid)
{
	struct proc_stat st;

	return proc_stat_read(pid, &st) == 0 ? st.ppid : -1;
}

static char proc_state(pid_t pid)
{
	struct proc_stat st;

	return proc_stat_read(pid, &st) == 0 ? st.state : '?';
}

/* Is pid the command or one of its descendants?  Such a sender already reached what it
 * meant to reach; relaying would make the command signal itself twice (a kill(0, ..) or
 * kill(-1, ..) from inside hits P too). */
static bool sent_from_inside(pid_t sender, pid_t child)
{
	int depth;

	for (depth = 0; depth < 64 && sender > 1; depth++) {
		if (sender == child)
			return true;
		sender = parent_of(sender);
	}
	return false;
}

static bool should_relay(const struct signalfd_siginfo *si, pid_t child)
{
	/* si_code > 0 is the kernel: for these signals, the tty signalling its foreground
	 * process group, which C is in as well -- it has its own copy. */
	if (si->ssi_code > 0)
		return false;
	return !sent_from_inside((pid_t)si->ssi_pid, child);
}

/* C stopped on its own (SIGSTOP, or SIGTTIN reading from the tty in the background):
 * stop P too, so that the shell, which waits for P, sees the job stopped; when the job
 * is continued, continue C. */
static void mirror_stop(pid_t child)
{
	/* A ^Z stopped both; by the time P runs again C may have been continued already. */
	if (proc_state(child) != 'T')
		return;
	kill(getpid(), SIGSTOP);
	kill(child, SIGCONT);
}

static int relay_until_exit(int sigfd, pid_t child, int *ret_status)
{
	struct signalfd_siginfo si;
	int st;
	pid_t w;

	for (;;) {
		ssize_t n = read(sigfd, &si, sizeof(si));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n != (ssize_t)sizeof(si))
			return -EIO;
		if (si.ssi_signo != SIGCHLD) {
			if (should_relay(&si, child))
				kill(child, (int)si.ssi_signo);
			continue;
		}
		for (;;) {
			w = waitpid(child, &st, WNOHANG | WUNTRACED);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return -errno;
			if (w == 0)
				break;
			if (WIFSTOPPED(st)) {
				mirror_stop(child);
				continue;
			}
			*ret_status = st;
			return 0;
		}
	}
}

int launcher_run(struct launch *l, int *ret_status, char *err, size_t err_len)
{
	static const int relayed[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGCHLD };
	static const struct timeval api_timeout = { .tv_sec = API_TIMEOUT_S };
	struct session s = { 0 };
	struct sock_filter *prog = NULL;
	unsigned prog_len = 0;
	int ready[2] = { -1, -1 }, release[2] = { -1, -1 };
	int reserved = -1, sigfd = -1, status = 0, r;
	struct sigaction dfl = { .sa_handler = SIG_DFL }, old_chld;
	sigset_t set, old;
	bool masked = false;
	pid_t child = -1, self = getpid();
	size_t i;

	/* P blocks the signals it relays during the handshake: a daemon that stops answering
	 * must not leave it stuck, unkillable but by SIGKILL. */
	if (setsockopt(l->api_fd, SOL_SOCKET, SO_RCVTIMEO, &api_timeout, sizeof(api_timeout)) < 0) {
		r = -errno;
		snprintf(err, err_len, "setting the API timeout: %s", strerror(-r));
		return r;
	}
	r = session_create(l, &s, err, err_len);
	if (r < 0)
		return r;
	/* The filter lets setuid to the session user through; it must be the one C becomes. */
	if (l->user && (s.spec.user_uid != l->user->uid || s.spec.user_gid != l->user->gid)) {
		r = -EPROTO;
		snprintf(err, err_len, "airlockd's session user (%d:%d) is not '%s' (%d:%d)",
			 (int)s.spec.user_uid, (int)s.spec.user_gid, l->user->name,
			 (int)l->user->uid, (int)l->user->gid);
		goto out;
	}
	r = gate_filter_build(&s.spec, &prog, &prog_len);
	if (r < 0) {
		snprintf(err, err_len, "building the seccomp filter: %s", strerror(-r));
		goto out;
	}
	/* R: a descriptor number C will hold the listener at.  Taken before the fork, so P
	 * knows it without C having to tell (after its filter, C should not write). */
	reserved = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (reserved < 0 || pipe2(ready, O_CLOEXEC) < 0 || pipe2(release, O_CLOEXEC) < 0) {
		r = -errno;
		snprintf(err, err_len, "setting up the handshake: %s", strerror(-r));
		goto out;
	}
	/* Blocked before the fork, so none is lost between fork and signalfd; C restores
	 * the caller's mask right before exec. */
	sigemptyset(&set);
	for (i = 0; i < sizeof(relayed) / sizeof(relayed[0]); i++)
		sigaddset(&set, relayed[i]);
	if (sigprocmask(SIG_BLOCK, &set, &old) < 0) {
		r = -errno;
		snprintf(err, err_len, "blocking signals: %s", strerror(-r));
		goto out;
	}
	masked = true;
	/* A caller that ignores SIGCHLD would have the kernel reap C before P can wait for
	 * it; C gets the caller's disposition back before exec. */
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGCHLD, &dfl, &old_chld);
	sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sigfd < 0) {
		r = -errno;
		snprintf(err, err_len, "signalfd: %s", strerror(-r));
		goto out;
	}

	child = fork();
	if (child < 0) {
		r = -errno;
		snprintf(err, err_len, "fork: %s", strerror(-r));
		goto out;
	}
	if (child == 0) {
		struct child_ctx c = { .l = l,
				       .prog = prog,
				       .prog_len = prog_len,
				       .reserved = reserved,
				       .ready_w = ready[1],
				       .release_r = release[0],
				       .mask = &old,
				       .chld = &old_chld,
				       .parent = self };

		close(ready[0]);
		close(release[1]);
		close(sigfd);
		close(l->api_fd);
		child_run(&c);
	}
	close(ready[1]);
	ready[1] = -1;
	close(release[0]);
	release[0] = -1;

	r = wait_ready(ready[0], err, err_len);
	if (r < 0)
		goto out;
	r = session_attach(l, &s, child, reserved, err, err_len);
	if (r < 0)
		goto out;
	/* P stays outside the session for its whole life with the caller's credentials: a
	 * root agent could take this connection with pidfd_getfd and approve its own asks as
	 * P.  Nothing needs it after the attach. */
	close(l->api_fd);
	l->api_fd = -1;
	if (write(release[1], "g", 1) != 1) {
		r = -errno;
		snprintf(err, err_len, "releasing the command: %s", strerror(-r));
		goto out;
	}
	r = relay_until_exit(sigfd, child, &status);
	if (r < 0) {
		snprintf(err, err_len, "waiting for the command: %s", strerror(-r));
		goto out;
	}
	child = -1;
	*ret_status = status;
	/* The relayed signals stay blocked: one that arrives now must not change how the
	 * caller leaves (launcher_exit_like). */
	masked = false;
	r = 0;
out:
	if (child > 0) {
		/* never started the command: it has not been released */
		kill(child, SIGKILL);
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (masked) {
		sigaction(SIGCHLD, &old_chld, NULL);
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	if (sigfd >= 0)
		close(sigfd);
	for (i = 0; i < 2; i++) {
		if (ready[i] >= 0)
			close(ready[i]);
		if (release[i] >= 0)
			close(release[i]);
	}
	if (reserved >= 0)
		close(reserved);
	free(prog);
	session_release(&s);
	return r;
}

int launcher_exit_like(int status)
{
	struct rlimit no_core = { 0, 0 };
	sigset_t set;
	int sig;

	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (!WIFSIGNALED(status))
		return 125;
	sig = WTERMSIG(status);
	/* the command may have dumped core; airlock must not add its own */
	setrlimit(RLIMIT_CORE, &no_core);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	raise(sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	return 128 + sig;
}
