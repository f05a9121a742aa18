// SPDX-License-Identifier: Apache-2.0
/*
 * airlockd: the daemon.  One epoll loop serves the API socket and its clients, every
 * session's seccomp listener, the pidfds of targets parked in an ask, allows completing
 * asynchronously, a signalfd (SIGHUP reloads the policy, SIGTERM/SIGINT stop) and a timerfd
 * (ask deadlines and a housekeeping tick).  No thread per request: an ask that waits an
 * hour costs an entry in a table, not a blocked thread.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "airlock/abi.h"
#include "api.h"
#include "audit.h"
#include "bpf_layer.h"
#include "airlockd.h"
#include "execcheck.h"
#include "gate.h"
#include "log.h"
#include "policy.h"
#include "restart.h"
#include "syscalls.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: airlockd [--runtime-dir DIR] [--policy FILE] [--audit-log FILE]\n"
		"                [--approvers-group NAME] [--cgroup-name NAME] [-v] [--log-json]\n"
		"\n"
		"The airlock daemon: receives the gated syscalls of processes started with\n"
		"'airlock run', decides them by policy or holds them for a human ('airlock\n"
		"approve'), and records every decision in a hash-chained audit log.\n"
		"\n"
		"options:\n"
		"  --runtime-dir DIR       where api.sock lives (default /run/airlock)\n"
		"  --policy FILE           policy YAML (default: the embedded policy, see\n"
		"                          'airlock policy show --default'); SIGHUP reloads it "
		"and\n"
		"                          a reload that fails keeps the policy in force\n"
		"  --audit-log FILE        audit log (default /var/log/airlock/audit.jsonl)\n"
		"  --approvers-group NAME  group whose members may approve and deny (default\n"
		"                          'airlock'); root always may.  A process inside a\n"
		"                          session never may, whatever its uid\n"
		"  --cgroup-name NAME      directory under the cgroup2 mount that holds the\n"
		"                          sessions' cgroups (default 'airlock'); give each "
		"daemon\n"
		"                          on one host its own\n"
		"  -v, --verbose           debug messages\n"
		"      --log-json          log JSON lines on stderr (for journald)\n"
		"  -h, --help              this help\n"
		"\n"
		"signals: SIGHUP reloads the policy; SIGTERM and SIGINT stop the daemon (gated\n"
		"calls of running sessions then fail with ENOSYS: closed, never open).\n");
}

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* "file:line:col: message", the level given by the log prefix (policy_diag_format would
 * add a second "error:"). */
static void log_diags(const struct policy_diags *diags)
{
	for (unsigned i = 0; i < diags->count; i++) {
		const struct policy_diag *dg = &diags->diag[i];

		if (dg->warning)
			log_warn("%s:%d:%d: %s", dg->file, dg->line, dg->column, dg->message);
		else
			log_error("%s:%d:%d: %s", dg->file, dg->line, dg->column, dg->message);
	}
}

static int load_policy(const char *path, struct policy **ret)
{
	struct policy_diags diags = { 0 };
	int r;

	if (!path)
		return policy_load_default(ret);
	r = policy_load_file(path, ret, &diags);
	log_diags(&diags);
	return r;
}

static void reload_policy(struct airlockd *d)
{
	struct policy *p = NULL;
	int r;

	r = load_policy(d->policy_path, &p);
	if (r < 0) {
		log_error("policy reload from '%s' failed: %s, keeping the policy in force",
			  d->policy_path ? d->policy_path : "<default>", strerror(-r));
		sd_notifyf(0, "STATUS=policy reload failed, keeping '%s'",
			   policy_source(d->policy));
		return;
	}
	/* Nothing keeps pointers into the old policy: parked asks copied their rule name. */
	policy_free(d->policy);
	d->policy = p;
	log_info("policy reloaded from '%s'", policy_source(p));
	sd_notifyf(0, "STATUS=serving, policy '%s'", policy_source(p));
}

static int arm_timer(int tfd, uint64_t at_mono_ms)
{
	struct itimerspec its = { 0 };

	its.it_value.tv_sec = (time_t)(at_mono_ms / 1000);
	its.it_value.tv_nsec = (long)(at_mono_ms % 1000) * 1000000;
	if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
		its.it_value.tv_nsec = 1;
	return timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0 ? -errno : 0;
}

/* SIGTERM/SIGINT: 1; otherwise 0. */
static int handle_signal(struct airlockd *d, int sfd)
{
	struct signalfd_siginfo si;
	int stop = 0;

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			reload_policy(d);
		else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			stop = 1;
	}
	return stop;
}

/* Exec events of sessions; a mismatch with what was decided is audited as an alert. */
static void exec_event(const struct al_exec_event *e, void *ctx)
{
	execcheck_event(ctx, e);
	log_debug("session %llu: pid %u (parent %u) executed '%s'",
		  (unsigned long long)e->session_id, e->pid, e->ppid, e->filename);
}

static void handle_event(struct airlockd *d, struct loop_src *src, uint32_t events, int *stop)
{
	uint64_t ticks;
	int r;

	switch (src->kind) {
	case LOOP_API_LISTEN:
		api_accept(d);
		break;
	case LOOP_API_CONN:
		api_conn_event(d, src->ptr, events);
		break;
	case LOOP_SIGNAL:
		*stop = handle_signal(d, *(int *)src->ptr);
		break;
	case LOOP_TIMER:
		if (read(*(int *)src->ptr, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
			log_warn("timerfd read failed: %s, ignoring", strerror(errno));
		d->timer_armed_ms = UINT64_MAX; /* it fired: a one-shot timer is disarmed */
		gate_tick(d);
		break;
	case LOOP_LISTENER:
		gate_listener_event(d, src->ptr, events);
		break;
	case LOOP_TARGET:
		gate_target_event(d, src->ptr);
		break;
	case LOOP_INFLIGHT:
		gate_inflight_event(d, src->ptr);
		break;
	case LOOP_BPF:
		r = bpf_layer_events_consume(d->bpf, exec_event, d);
		if (r < 0)
			log_warn("reading BPF exec events failed: %s, ignoring", strerror(-r));
		break;
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "runtime-dir", required_argument, NULL, 'R' },
		{ "policy", required_argument, NULL, 'p' },
		{ "audit-log", required_argument, NULL, 'a' },
		{ "approvers-group", required_argument, NULL, 'g' },
		{ "cgroup-name", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "log-json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct airlockd d = {
		.epfd = -1,
		.runtime_dir = "/run/airlock",
		.audit_path = "/var/log/airlock/audit.jsonl",
		.approvers_group = "airlock",
	};
	struct loop_src sig_src, timer_src, bpf_src = { .kind = LOOP_BPF };
	const char *cgroup_name = "airlock";
	size_t shown_sessions = 0, shown_asks = 0;
	int sfd = -1, tfd = -1, opt, r, stop = 0, ret = 1;
	sigset_t mask;
	char dir[PATH_MAX];

	log_set_ident("airlockd");
	while ((opt = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'R':
			d.runtime_dir = optarg;
			break;
		case 'p':
			d.policy_path = optarg;
			break;
		case 'a':
			d.audit_path = optarg;
			break;
		case 'g':
			d.approvers_group = optarg;
			break;
		case 'c':
			cgroup_name = optarg;
			break;
		case 'v':
			log_set_level(LOG_LVL_DEBUG);
			break;
		case 'j':
			log_set_json(1);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "airlockd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	session_table_init(&d.sessions);
	approval_table_init(&d.approvals);
	d.started_ms = now_real_ms();

	/* Everything that can fail does so here, before any session is enforced. */
	r = syscalls_init();
	if (r < 0) {
		log_error("cannot resolve the syscall table: %s", strerror(-r));
		goto out;
	}
	r = load_policy(d.policy_path, &d.policy);
	if (r < 0) {
		log_error("cannot load the policy '%s': %s",
			  d.policy_path ? d.policy_path : "<default>", strerror(-r));
		goto out;
	}
	snprintf(dir, sizeof(dir), "%s", d.audit_path);
	if (strrchr(dir, '/') && strrchr(dir, '/') != dir) {
		*strrchr(dir, '/') = '\0';
		r = mkdir_p(dir, 0750);
		if (r < 0) {
			log_error("cannot create '%s': %s", dir, strerror(-r));
			goto out;
		}
	}
	r = audit_open(d.audit_path, &d.audit);
	if (r < 0) {
		log_error("cannot open the audit log '%s': %s", d.audit_path, strerror(-r));
		goto out;
	}
	r = cgroup_base_init(&d.cg, cgroup_name);
	if (r < 0) {
		log_error("cannot set up the session cgroups ('%s' under the cgroup2 mount): %s",
			  cgroup_name, strerror(-r));
		goto out;
	}
	r = bpf_layer_open(&d.bpf);
	if (r < 0) {
		/* The gate works without it; status says the BPF layer is inactive. */
		log_warn("BPF layer unavailable: %s, continuing without session counters",
			 strerror(-r));
		d.bpf = NULL;
	}
	r = mkdir_p(d.runtime_dir, 0755);
	if (r < 0) {
		log_error("cannot create the runtime directory '%s': %s", d.runtime_dir,
			  strerror(-r));
		goto out;
	}
	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d.epfd < 0) {
		log_error("epoll_create1: %s", strerror(errno));
		goto out;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (sfd < 0 || tfd < 0) {
		log_error("signalfd/timerfd: %s", strerror(errno));
		goto out;
	}
	sig_src = (struct loop_src){ .kind = LOOP_SIGNAL, .ptr = &sfd };
	timer_src = (struct loop_src){ .kind = LOOP_TIMER, .ptr = &tfd };
	if (loop_add(d.epfd, sfd, EPOLLIN, &sig_src) < 0 ||
	    loop_add(d.epfd, tfd, EPOLLIN, &timer_src) < 0) {
		log_error("epoll_ctl: %s", strerror(errno));
		goto out;
	}
	/* A service manager with an fd store may hand back the listeners of a previous
	 * instance; their sessions and asks are taken over before anything is served. */
	d.restart_enabled = getenv("NOTIFY_SOCKET") != NULL;
	{
		unsigned ns = 0, na = 0;

		r = restart_restore(&d, &ns, &na);
		if (r < 0)
			log_warn("cannot take over the previous instance's state in "
				 "'%s/state.json': "
				 "%s, starting without its sessions",
				 d.runtime_dir, strerror(-r));
		else if (ns || na)
			log_info("took over %u sessions and %u pending asks from the previous "
				 "instance",
				 ns, na);
	}
	if (d.bpf && bpf_layer_events_fd(d.bpf) >= 0 &&
	    loop_add(d.epfd, bpf_layer_events_fd(d.bpf), EPOLLIN, &bpf_src) < 0)
		log_warn("cannot watch BPF exec events: %s, ignoring", strerror(errno));
	r = api_server_open(&d, &d.api);
	if (r < 0) {
		log_error("cannot listen on '%s/api.sock': %s%s", d.runtime_dir, strerror(-r),
			  r == -EADDRINUSE ? " (another airlockd answers there)" : "");
		goto out;
	}
	log_info("serving on '%s/api.sock', policy '%s', audit log '%s', sessions under '%s'",
		 d.runtime_dir, policy_source(d.policy), d.audit_path, d.cg.path);
	sd_notifyf(0, "READY=1\nSTATUS=serving, policy '%s'\nMAINPID=%d", policy_source(d.policy),
		   (int)getpid());

	d.timer_armed_ms = UINT64_MAX;
	while (!stop) {
		struct epoll_event ev;
		uint64_t next;
		int n;

		/* timerfd_settime only when the wake-up moves: most iterations handle one
		 * notification and leave the next tick where it was. */
		next = gate_next_wakeup(&d);
		if (next != d.timer_armed_ms) {
			r = arm_timer(tfd, next);
			if (r < 0)
				log_warn("cannot arm the timer: %s, ignoring", strerror(-r));
			d.timer_armed_ms = r < 0 ? UINT64_MAX : next;
		}
		/* One event per wait: a handler may free what another ready event points to
		 * (a session ending drops its asks), and it is unregistered before it is freed,
		 * so the next wait never returns it. */
		n = epoll_wait(d.epfd, &ev, 1, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_error("epoll_wait: %s", strerror(errno));
			goto out;
		}
		if (n == 1)
			handle_event(&d, ev.data.ptr, ev.events, &stop);
		/* Exec events without a kill do not wake the loop (bpf/session.bpf.c): read
		 * them at every turn -- memory only, no syscall when there is none. */
		if (d.bpf && (r = bpf_layer_events_consume(d.bpf, exec_event, &d)) < 0)
			log_warn("reading BPF exec events failed: %s, ignoring", strerror(-r));
		api_reap(&d);
		if (d.state_dirty && d.restart_enabled) {
			r = restart_save(&d);
			if (r < 0)
				log_warn("cannot write '%s/state.json': %s, a restart would lose "
					 "pending asks",
					 d.runtime_dir, strerror(-r));
		}
		d.state_dirty = false;
		/* What `systemctl status` shows, sent only when it changes. */
		if (d.sessions.count != shown_sessions || d.approvals.count != shown_asks) {
			shown_sessions = d.sessions.count;
			shown_asks = d.approvals.count;
			sd_notifyf(0, "STATUS=serving %zu sessions, %zu pending asks, policy '%s'",
				   shown_sessions, shown_asks, policy_source(d.policy));
		}
	}
	log_info("stopping");
	sd_notify(0, "STOPPING=1");
	ret = 0;
out:
	if (d.api)
		api_server_close(&d, d.api);
	/* Parked asks die with the daemon: their listeners close and the kernel fails the
	 * waiting calls with ENOSYS. */
	while (d.approvals.head) {
		struct approval *a = d.approvals.head;

		approval_remove(&d.approvals, a);
		approval_free(a);
	}
	while (d.sessions.head) {
		struct session *s = d.sessions.head;

		if (s->listener >= 0)
			close(s->listener);
		if (s->in_bpf)
			bpf_layer_session_remove(d.bpf, s->cgroup_id);
		cgroup_remove(s->cgroup);
		session_free(&d.sessions, s);
	}
	while (d.inflight) {
		struct gate_inflight *f = d.inflight;

		d.inflight = f->next;
		notify_release(f->n);
		free(f->n);
		free(f);
	}
	/* The base goes too when no session directory is left busy (else it is reused). */
	if (d.cg.path[0] && rmdir(d.cg.path) < 0 && errno != ENOENT && errno != EBUSY &&
	    errno != ENOTEMPTY)
		log_warn("cannot remove '%s': %s, ignoring", d.cg.path, strerror(errno));
	if (d.bpf)
		bpf_layer_close(d.bpf);
	if (d.audit)
		audit_close(d.audit);
	if (d.policy)
		policy_free(d.policy);
	if (sfd >= 0)
		close(sfd);
	if (tfd >= 0)
		close(tfd);
	if (d.epfd >= 0)
		close(d.epfd);
	return ret;
}
