// SPDX-License-Identifier: Apache-2.0
#include "gate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "audit.h"
#include "bpf_layer.h"
#include "cgroup.h"
#include "execcheck.h"
#include "hardening.h"
#include "log.h"
#include "restart.h"
#include "target.h"

#define GATE_TICK_MS 1000 /* NOTIF_ID_VALID sweep, cgroup removal retries */
/* An approval key holds the paths and the whole argv kept for an exec: never truncated. */
#define GATE_KEY_MAX (AL_ARGBUF_SIZE + 2 * PATH_MAX + 1024)

static json_t *time_json(uint64_t real_ms)
{
	char buf[64];
	struct tm tm;
	time_t t = (time_t)(real_ms / 1000);

	gmtime_r(&t, &tm);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned)(real_ms % 1000));
	return json_string(buf);
}

/* pid, exe and argv of the calling process, read when the call arrives (the audit record
 * must name the process even when it is gone by the time a human decides). */
static json_t *process_json(pid_t tgid, pid_t tid)
{
	char path[64], exe[PATH_MAX], buf[8192];
	json_t *p = json_object(), *argv = json_array();
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)tgid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n >= 0) {
		exe[n] = '\0';
		json_object_set_new(p, "exe", json_string(exe));
	}
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)tgid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		for (ssize_t i = 0; n > 0 && i < n;) {
			size_t l = strnlen(buf + i, (size_t)(n - i));

			json_array_append_new(argv, json_stringn(buf + i, l));
			i += (ssize_t)l + 1;
		}
	}
	json_object_set_new(p, "pid", json_integer(tgid));
	if (tid != tgid)
		json_object_set_new(p, "tid", json_integer(tid));
	json_object_set_new(p, "argv", argv);
	return p;
}

static json_t *who_json(uid_t uid, const char *name)
{
	return json_pack("{s:I,s:s}", "uid", (json_int_t)uid, "name", name ? name : "");
}

/* One audit line and the matching watch event.  `by` and `extra` are consumed. */
static void gate_record(struct airlockd *d, const struct session *s, uint64_t ask_id,
			const struct gate_notif *n, json_t *process, const char *rule,
			const char *decision, json_t *by, const char *reason, uint64_t asked_ms,
			json_t *extra)
{
	json_t *rec = json_object(), *ev;
	int r;

	json_object_set_new(rec, "session", json_integer((json_int_t)s->id));
	if (ask_id)
		json_object_set_new(rec, "id", json_integer((json_int_t)ask_id));
	json_object_set(rec, "process", process);
	json_object_set_new(rec, "request", al_request_to_json(&n->req));
	json_object_set_new(rec, "op", json_string(al_op_name(n->req.op)));
	json_object_set_new(rec, "syscall", json_string(n->req.syscall ? n->req.syscall : ""));
	json_object_set_new(rec, "rule", rule && *rule ? json_string(rule) : json_null());
	json_object_set_new(rec, "decision", json_string(decision));
	json_object_set_new(rec, "decided_by", by);
	if (reason && *reason)
		json_object_set_new(rec, "reason", json_string(reason));
	if (asked_ms)
		json_object_set_new(rec, "asked_at", time_json(asked_ms));
	json_object_set_new(rec, "decided_at", time_json(now_real_ms()));
	if (extra) {
		json_object_update(rec, extra);
		json_decref(extra);
	}

	r = audit_append(d->audit, rec);
	if (r < 0) {
		d->audit_errors++;
		log_error("audit: cannot append a record for session %llu: %s",
			  (unsigned long long)s->id, strerror(-r));
	}
	/* An ask has its own event (the pending entry); everything else is a decision. */
	if (strcmp(decision, "ask") != 0) {
		ev = json_deep_copy(rec);
		json_object_set_new(ev, "event", json_string("decision"));
		api_broadcast(d, s->uid, ev);
		json_decref(ev);
	}
	json_decref(rec);
}

/* Calls of one session that may wait in the loop at once (a blocking connect to a peer
 * that does not answer yet, a connector): each holds four fds of the daemon (the target's
 * socket and its thread's handles), and unbounded one agent's threads would take them all
 * (docs/threat-model.md, "The gate's own integrity"). */
#define GATE_INFLIGHT_MAX 64

static unsigned session_inflight(const struct airlockd *d, uint64_t session_id)
{
	const struct gate_inflight *f;
	unsigned k = 0;

	for (f = d->inflight; f; f = f->next)
		k += f->session_id == session_id;
	return k;
}

/* Let the call happen.  0 when answered or when the answer completes later (then
 * *taken is set: the in-flight list owns n, which stays valid until the loop's next turn);
 * -errno when the allow could not be carried out: then the call has been denied, since the
 * gate never opens on error. */
static int gate_allow(struct airlockd *d, struct session *s, struct gate_notif *n, bool *taken)
{
	struct gate_inflight *f;
	int r;

	/* An exec is let through with CONTINUE: arm the kernel's check of what runs first. */
	r = n->req.op == AL_OP_EXEC ? execcheck_arm(d->bpf, n, s->cgroup_id) : 0;
	/* Only a connect or a send can come to wait: at the bound, none is started.  EAGAIN
	 * (no local port free, for a connect): the caller may try again once one is over. */
	if (r == 0 && n->req.op == AL_OP_CONNECT &&
	    session_inflight(d, s->id) >= GATE_INFLIGHT_MAX) {
		log_warn("session %llu: %d calls already wait, refusing pid %d's '%s'",
			 (unsigned long long)s->id, GATE_INFLIGHT_MAX, (int)n->req.pid,
			 n->req.syscall ? n->req.syscall : "?");
		notify_deny(n, EAGAIN);
		return -EAGAIN;
	}
	if (r == 0)
		r = notify_allow(n);
	if (r == -EINPROGRESS) {
		f = calloc(1, sizeof(*f));
		r = -ENOMEM;
		if (f) {
			f->n = n;
			f->session_id = s->id;
			f->src = (struct loop_src){ .kind = LOOP_INFLIGHT, .ptr = f };
			r = loop_add(d->epfd, n->wait_fd, n->wait_events, &f->src);
			if (r == 0) {
				f->next = d->inflight;
				d->inflight = f;
				*taken = true;
				return 0;
			}
			free(f);
		}
	}
	if (r < 0) {
		log_warn("pid %d: cannot carry out the allowed '%s': %s, denying", (int)n->req.pid,
			 n->req.syscall ? n->req.syscall : "?", strerror(-r));
		notify_deny(n, EPERM);
	}
	return r;
}

/* Record an allow, then carry it out, so that the record is in the log before the call
 * proceeds.  When it cannot be carried out (the call was denied instead), a second record
 * says so.  `by` and `extra` are consumed. */
static int gate_allow_recorded(struct airlockd *d, struct session *s, uint64_t ask_id,
			       struct gate_notif *n, json_t *process, const char *rule, json_t *by,
			       const char *reason, uint64_t asked_ms, json_t *extra, bool *taken)
{
	json_t *by_again = json_deep_copy(by);
	int r;

	gate_record(d, s, ask_id, n, process, rule, "allow", by, reason, asked_ms, extra);
	r = gate_allow(d, s, n, taken);
	if (r < 0) {
		s->denied++;
		gate_record(d, s, ask_id, n, process, rule, "deny", by_again, "allow failed",
			    asked_ms, NULL);
	} else {
		s->allowed++;
		json_decref(by_again);
	}
	return r;
}

void gate_inflight_event(struct airlockd *d, struct gate_inflight *f)
{
	struct gate_inflight **pp;
	int r;

	/* Unregister first: wait_fd is a copy of the target's socket, which the target still
	 * holds, so closing ours would not drop it from the epoll set. */
	loop_del(d->epfd, f->n->wait_fd);
	r = notify_complete(f->n);
	if (r < 0)
		log_warn("pid %d: completing '%s' failed: %s", (int)f->n->req.pid,
			 f->n->req.syscall ? f->n->req.syscall : "?", strerror(-r));
	for (pp = &d->inflight; *pp; pp = &(*pp)->next) {
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	}
	notify_release(f->n);
	free(f->n);
	free(f);
}

json_t *gate_approval_json(const struct approval *a)
{
	json_t *j = al_request_to_json(&a->n->req);

	if (!j)
		return NULL;
	json_object_set_new(j, "id", json_integer((json_int_t)a->id));
	json_object_set_new(j, "session", json_integer((json_int_t)a->session_id));
	json_object_set_new(j, "op", json_string(al_op_name(a->n->req.op)));
	json_object_set(j, "process", a->process);
	json_object_set_new(j, "pid", json_integer(a->n->req.tgid));
	if (json_object_get(a->process, "exe"))
		json_object_set(j, "exe", json_object_get(a->process, "exe"));
	json_object_set_new(j, "rule", json_string(a->rule));
	json_object_set_new(j, "since", json_integer((json_int_t)a->asked_ms));
	json_object_set_new(j, "expires", json_integer((json_int_t)a->expires_ms));
	json_object_set_new(j, "on_timeout", json_string(al_action_name(a->decision.on_timeout)));
	return j;
}

static void approval_drop(struct airlockd *d, struct approval *a)
{
	d->state_dirty = true;
	loop_del(d->epfd, a->n->pidfd);
	approval_remove(&d->approvals, a);
	approval_free(a);
}

/* The target is gone: nothing to answer, but the ask stays in the audit log. */
static void approval_gone(struct airlockd *d, struct approval *a)
{
	struct session *s = session_find(&d->sessions, a->session_id);

	if (s)
		gate_record(d, s, a->id, a->n, a->process, a->rule, "gone", json_string("kernel"),
			    "target gone", a->asked_ms, NULL);
	approval_drop(d, a);
}

/* Asks of one session that may wait at once.  Each holds four fds of the daemon (its
 * thread's dirfd, pidfd and root, and a pidfd to watch its exit): unbounded, one agent's
 * threads would take every fd there is, and with them every other session's gated calls
 * and the API that approves (docs/threat-model.md, "The gate's own integrity"). */
#define GATE_ASKS_MAX 64

static unsigned session_asks_waiting(const struct airlockd *d, uint64_t session_id)
{
	const struct approval *a;
	unsigned k = 0;

	for (a = d->approvals.head; a; a = a->next)
		k += a->session_id == session_id;
	return k;
}

static int gate_park(struct airlockd *d, struct session *s, struct gate_notif *n,
		     const struct al_decision *dec, json_t *process)
{
	uint64_t timeout = dec->timeout_ms ? dec->timeout_ms : policy_ask_timeout_ms(d->policy);
	struct approval *a;
	json_t *ev;
	int r;

	if (session_asks_waiting(d, s->id) >= GATE_ASKS_MAX)
		return -EUSERS; /* gate_handle() says so */
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	/* whoever decides later, the thread must be checked again before anything is done
	 * for it */
	n->decided_at_once = false;
	a->n = n;
	a->decision = *dec;
	a->decision.rule = NULL;
	snprintf(a->rule, sizeof(a->rule), "%s", dec->rule ? dec->rule : "");
	a->session_id = s->id;
	a->process = json_incref(process);
	a->asked_ms = now_real_ms();
	a->deadline_ms = now_mono_ms() + timeout;
	a->expires_ms = a->asked_ms + timeout;
	a->src = (struct loop_src){ .kind = LOOP_TARGET, .ptr = a };
	if (a->n->pidfd >= 0) {
		/* A pidfd polls readable when the process exits: the ask then disappears. */
		r = loop_add(d->epfd, a->n->pidfd, EPOLLIN, &a->src);
		if (r < 0) {
			json_decref(a->process);
			free(a);
			return r;
		}
	}
	approval_add(&d->approvals, a);
	d->state_dirty = true;
	s->asks++;
	/* Recorded when it is asked, so that an ask whose answer never comes (the daemon
	 * stopped) still stands in the log. */
	gate_record(d, s, a->id, n, process, a->rule, "ask", json_string("policy"), NULL,
		    a->asked_ms, json_pack("{s:I}", "expires", (json_int_t)a->expires_ms));
	ev = gate_approval_json(a);
	if (ev) {
		json_object_set_new(ev, "event", json_string("ask"));
		api_broadcast(d, s->uid, ev);
		json_decref(ev);
	}
	log_info("ask %llu: session %llu pid %d %s '%s' (rule '%s')", (unsigned long long)a->id,
		 (unsigned long long)s->id, (int)a->n->req.tgid, al_op_name(a->n->req.op),
		 a->n->req.path, a->rule);
	return 0;
}

/* The built-in protection that refuses the call whatever dec says, or NULL. */
static const char *gate_hardening(const struct airlockd *d, const struct session *s,
				  const struct al_request *req, const struct al_decision *dec)
{
	char cg[2 * PATH_MAX];
	size_t n = strlen(d->cg.path);
	struct hardening_scope hs = { .policy_path = d->policy_path,
				      .audit_path = d->audit_path,
				      .runtime_dir = d->runtime_dir,
				      .cgroup_mount = d->cg.mount,
				      .session_cgroup = cg };

	/* as /proc/PID/cgroup names it: the base's rel and the session's leaf */
	snprintf(cg, sizeof(cg), "%s%s", d->cg.rel,
		 strncmp(s->cgroup, d->cg.path, n) == 0 ? s->cgroup + n : "/?");
	return hardening_check(&hs, req, dec);
}

static void gate_handle(struct airlockd *d, struct session *s, struct gate_notif *n)
{
	struct al_decision dec = { 0 };
	const char *hard;
	const struct session_grant *g = NULL;
	bool taken = false;
	json_t *process = NULL;
	char *key = NULL;
	int r;

	n->req.home = s->home;
	n->req.home_real = s->home_real;
	n->req.workspace = s->workspace;
	/* Decided in this turn, right after notify_recv(): an allow, an audit or a grant
	 * acts without a second NOTIF_ID_VALID.  gate_park() clears it: an ask waits. */
	n->decided_at_once = true;
	policy_decide(d->policy, &n->req, &dec);
	/* An exec is also decided on its #! interpreter; a file that cannot be inspected is
	 * not run. */
	if (n->req.op == AL_OP_EXEC) {
		r = execcheck_decide(d->policy, n, &dec);
		if (r < 0) { /* what the kernel would say: ENOENT, ENOEXEC, ELOOP ... */
			memset(&dec, 0, sizeof(dec));
			dec.action = AL_DENY;
			dec.error = -r;
			dec.rule = "exec-check";
		}
	}
	/* A deny stands, under its own rule's name; anything else the hardening refuses. */
	hard = dec.action == AL_DENY ? NULL : gate_hardening(d, s, &n->req, &dec);
	if (hard) {
		dec = (struct al_decision){ .action = AL_DENY, .rule = hard, .error = EPERM };
		log_info("session %llu pid %d: %s '%s' refused by %s", (unsigned long long)s->id,
			 (int)n->req.tgid, n->req.syscall ? n->req.syscall : "?", n->req.path,
			 hard);
	}
	if (dec.action == AL_ALLOW) {
		/* The common case stays cheap: no /proc reads, no record. */
		if (gate_allow(d, s, n, &taken) < 0)
			s->denied++;
		else
			s->allowed++;
		goto out;
	}
	/* An ask waits: its thread's exit must wake the loop (the tick's NOTIF_ID_VALID sweep
	 * catches it otherwise, a second later). */
	if (dec.action == AL_ASK && notify_watch_exit(n) < 0)
		log_warn("pid %d: cannot watch for its exit, ignoring", (int)n->req.pid);
	process = process_json(n->req.tgid, n->req.pid);
	/* /proc (and the pidfd) were read after the notification: make sure they still name
	 * the caller. */
	if (!notify_id_valid(n))
		goto out;
	if (dec.action == AL_ASK && s->grants) {
		key = malloc(GATE_KEY_MAX);
		if (key && al_request_key(&n->req, key, GATE_KEY_MAX) == 0)
			g = session_grant_find(s, dec.rule, key, now_mono_ms());
	}

	if (g) {
		json_t *by = json_pack("{s:o}", "grant", who_json(g->by_uid, g->by_name));

		gate_allow_recorded(d, s, 0, n, process, dec.rule, by, NULL, 0, NULL, &taken);
		goto out;
	}
	switch (dec.action) {
	case AL_ALLOW: /* handled above */
		break;
	case AL_AUDIT:
		gate_allow_recorded(d, s, 0, n, process, dec.rule, json_string("policy"), NULL, 0,
				    json_pack("{s:s}", "action", "audit"), &taken);
		break;
	case AL_DENY:
		gate_record(d, s, 0, n, process, dec.rule, "deny",
			    json_string(hard ? "hardening" : "policy"), NULL, 0, NULL);
		r = notify_deny(n, dec.error ? dec.error : EPERM);
		s->denied++;
		if (r < 0 && r != -ENOENT)
			log_warn("pid %d: cannot deny '%s': %s", (int)n->req.pid,
				 n->req.syscall ? n->req.syscall : "?", strerror(-r));
		break;
	case AL_ASK:
		r = gate_park(d, s, n, &dec, process);
		if (r == 0) {
			taken = true;
			break;
		}
		if (r == -EUSERS)
			log_warn("session %llu: %d asks already wait, denying pid %d's '%s'",
				 (unsigned long long)s->id, GATE_ASKS_MAX, (int)n->req.pid,
				 n->req.syscall ? n->req.syscall : "?");
		else
			log_error("cannot hold an ask of pid %d: %s, denying", (int)n->req.pid,
				  strerror(-r));
		gate_record(d, s, 0, n, process, dec.rule, "deny", json_string("policy"),
			    r == -EUSERS ? "too many asks waiting" : "could not hold the ask", 0,
			    NULL);
		notify_deny(n, EPERM);
		s->denied++;
		break;
	}
out:
	free(key);
	json_decref(process);
	if (!taken) {
		notify_release(n);
		free(n);
	}
}

void gate_listener_event(struct airlockd *d, struct session *s, uint32_t events)
{
	struct gate_notif *n;
	int r;

	if (events & EPOLLIN) {
		/* One receive per wake-up: NOTIF_RECV blocks when nothing waits, and the loop
		 * is level-triggered, so further notifications wake it again. */
		n = calloc(1, sizeof(*n));
		if (!n) {
			log_error("session %llu: out of memory receiving a notification",
				  (unsigned long long)s->id);
			return;
		}
		n->pidfd = -1;
		n->wait_fd = -1;
		/* A cache that cannot be made only costs the fresh handles. */
		if (!s->targets && target_cache_new(&s->targets) < 0)
			s->targets = NULL;
		r = notify_recv_cached(s->listener, s->targets, n);
		if (r == 0) {
			gate_handle(d, s, n);
			return;
		}
		free(n);
		if (r != -ENOENT && r != -EAGAIN && r != -EIO)
			log_warn("session %llu: receiving a notification failed: %s",
				 (unsigned long long)s->id, strerror(-r));
		return;
	}
	if (events & (EPOLLHUP | EPOLLERR))
		gate_session_end(d, s);
}

int gate_session_start(struct airlockd *d, struct session *s)
{
	int r;

	s->src = (struct loop_src){ .kind = LOOP_LISTENER, .ptr = s };
	r = loop_add(d->epfd, s->listener, EPOLLIN, &s->src);
	if (r < 0)
		return r;
	/* Kept by the service manager, the listener outlives a restart of the daemon. */
	r = restart_store_listener(d, s);
	if (r < 0)
		log_warn("session %llu: cannot store its listener for a restart: %s, ignoring",
			 (unsigned long long)s->id, strerror(-r));
	d->state_dirty = true;
	return 0;
}

static void session_try_remove(struct airlockd *d, struct session *s)
{
	int r;

	if (s->in_bpf) {
		bpf_layer_session_remove(d->bpf, s->cgroup_id);
		s->in_bpf = false;
	}
	r = cgroup_remove(s->cgroup);
	if (r == -EBUSY)
		return; /* processes left the filter but not the cgroup yet: next tick */
	if (r < 0)
		log_warn("session %llu: cannot remove '%s': %s, ignoring",
			 (unsigned long long)s->id, s->cgroup, strerror(-r));
	log_info("session %llu ended", (unsigned long long)s->id);
	session_free(&d->sessions, s);
}

void gate_session_end(struct airlockd *d, struct session *s)
{
	struct gate_inflight **pf;
	struct approval *a, *an;
	json_t *ev;

	if (s->ended)
		return;
	s->ended = true;
	d->state_dirty = true;
	/* Allows still completing for it answer through its listener, which closes now. */
	for (pf = &d->inflight; *pf;) {
		struct gate_inflight *f = *pf;

		if (f->n->listener != s->listener || s->listener < 0) {
			pf = &f->next;
			continue;
		}
		*pf = f->next;
		loop_del(d->epfd, f->n->wait_fd);
		notify_release(f->n);
		free(f->n);
		free(f);
	}
	if (s->listener >= 0) {
		restart_forget_listener(d, s);
		loop_del(d->epfd, s->listener);
		close(s->listener);
		s->listener = -1;
	}
	/* no more notifications: the cached handles go (entries still lent close when
	 * they come back) */
	target_cache_unref(s->targets);
	s->targets = NULL;
	for (a = d->approvals.head; a; a = an) {
		an = a->next;
		if (a->session_id == s->id)
			approval_gone(d, a);
	}
	if (s->in_bpf)
		bpf_layer_session_counters(d->bpf, s->cgroup_id, &s->counters);
	ev = json_pack("{s:s,s:I}", "event", "session.end", "session", (json_int_t)s->id);
	api_broadcast(d, s->uid, ev);
	json_decref(ev);
	session_try_remove(d, s);
}

int gate_resolve(struct airlockd *d, struct approval *a, const struct gate_verdict *v)
{
	struct session *s = session_find(&d->sessions, a->session_id);
	struct gate_notif *n = a->n;
	bool taken = false;
	json_t *extra = NULL;
	char *key = NULL;
	int r = 0, k = -1;

	if (!s || !notify_id_valid(n)) {
		approval_gone(d, a);
		return -ESRCH;
	}
	if (v->action == AL_ALLOW) {
		if (v->scope.kind != APPROVAL_ONCE) {
			key = malloc(GATE_KEY_MAX);
			k = key ? al_request_key(&n->req, key, GATE_KEY_MAX) : -ENOMEM;
			if (k < 0)
				log_warn("ask %llu: no scope for this call (%s), allowing once",
					 (unsigned long long)a->id, strerror(-k));
			extra = json_pack("{s:s}", "scope",
					  k < 0				      ? "once"
					  : v->scope.kind == APPROVAL_SESSION ? "session"
									      : "duration");
			if (k == 0 && v->scope.kind == APPROVAL_DURATION)
				json_object_set_new(extra, "scope_ms",
						    json_integer((json_int_t)v->scope.duration_ms));
		}
		r = gate_allow_recorded(d, s, a->id, n, a->process, a->rule,
					who_json(v->uid, v->name), v->reason, a->asked_ms, extra,
					&taken);
		if (r == 0 && k == 0) {
			uint64_t until = v->scope.kind == APPROVAL_DURATION
						 ? now_mono_ms() + v->scope.duration_ms
						 : 0;

			k = session_grant_add(s, a->rule, key, until, v->uid, v->name);
			if (k < 0)
				log_warn("ask %llu: cannot record the scope: %s, allowed once",
					 (unsigned long long)a->id, strerror(-k));
		}
	} else {
		/* For an ask, policy carries the rule's errno in timeout_error. */
		int err = v->error		      ? v->error
			  : a->decision.error	      ? a->decision.error
			  : a->decision.timeout_error ? a->decision.timeout_error
						      : EPERM;

		gate_record(d, s, a->id, n, a->process, a->rule, "deny", who_json(v->uid, v->name),
			    v->reason, a->asked_ms, NULL);
		r = notify_deny(n, err);
		s->denied++;
	}
	free(key);
	loop_del(d->epfd, n->pidfd);
	approval_remove(&d->approvals, a);
	d->state_dirty = true;
	if (taken)
		a->n = NULL; /* the in-flight list owns it */
	approval_free(a);
	if (r == -ENOENT)
		return -ESRCH;
	/* Allowed, but only this once: the wider scope could not be recorded. */
	if (r == 0 && v->action == AL_ALLOW && v->scope.kind != APPROVAL_ONCE && k < 0)
		return 1;
	return r;
}

void gate_target_event(struct airlockd *d, struct approval *a)
{
	if (!notify_id_valid(a->n))
		approval_gone(d, a);
	else
		loop_del(d->epfd, a->n->pidfd); /* the process lives; the tick keeps checking */
}

static void approval_timeout(struct airlockd *d, struct approval *a)
{
	struct session *s = session_find(&d->sessions, a->session_id);
	struct gate_notif *n = a->n;
	bool taken = false;

	if (!s || !notify_id_valid(n)) {
		approval_gone(d, a);
		return;
	}
	log_info("ask %llu: timed out, %s", (unsigned long long)a->id,
		 al_action_name(a->decision.on_timeout));
	if (a->decision.on_timeout == AL_ALLOW) {
		gate_allow_recorded(d, s, a->id, n, a->process, a->rule, json_string("timeout"),
				    "timeout", a->asked_ms, NULL, &taken);
	} else {
		gate_record(d, s, a->id, n, a->process, a->rule, "deny", json_string("timeout"),
			    "timeout", a->asked_ms, NULL);
		notify_deny(n, a->decision.timeout_error ? a->decision.timeout_error : EPERM);
		s->denied++;
	}
	loop_del(d->epfd, n->pidfd);
	approval_remove(&d->approvals, a);
	d->state_dirty = true;
	if (taken)
		a->n = NULL;
	approval_free(a);
}

void gate_tick(struct airlockd *d)
{
	uint64_t now = now_mono_ms();
	struct approval *a, *an;
	struct session *s, *sn;

	/* Deadlines are checked on every wake-up; the sweeps below once per tick. */
	while ((a = approval_first_expired(&d->approvals, now)))
		approval_timeout(d, a);
	if (now < d->next_tick_ms)
		return;
	d->next_tick_ms = now + GATE_TICK_MS;
	/* A thread that dies while its process lives does not wake the pidfd. */
	for (a = d->approvals.head; a; a = an) {
		an = a->next;
		if (!notify_id_valid(a->n))
			approval_gone(d, a);
	}
	for (s = d->sessions.head; s; s = sn) {
		sn = s->next;
		if (s->ended) {
			session_try_remove(d, s);
			continue;
		}
		/* nothing tells the daemon a thread exited: drop the handles of those gone */
		target_cache_sweep(s->targets);
		if (s->in_bpf)
			bpf_layer_session_counters(d->bpf, s->cgroup_id, &s->counters);
	}
}

uint64_t gate_next_wakeup(const struct airlockd *d)
{
	/* An absolute tick: a busy loop must not push it back for ever. */
	uint64_t next = d->next_tick_ms, dl;

	if (approval_next_deadline(&d->approvals, &dl) && dl < next)
		next = dl;
	return next;
}
