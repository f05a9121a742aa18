// SPDX-License-Identifier: Apache-2.0
#include "api.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "bpf_layer.h"
#include "cgroup.h"
#include "gate.h"
#include "log.h"
#include "policy.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77 /* 6.5 */
#endif

#define API_OUT_MAX	 (8u << 20) /* a watcher this far behind is dropped */
#define API_CONN_MAX	 1024	    /* clients at once */
#define API_CONN_PER_UID 64	    /* clients at once of one non-root uid */
/* Peers inside sessions have budgets of their own, so that an agent cannot take the slots
 * of the approvers outside (the caps above count only peers outside). */
#define API_CONN_PER_SESSION 16	 /* clients at once from inside one session */
#define API_CONN_INSIDE_MAX  256 /* clients at once from inside all sessions */

/* ---- connections --------------------------------------------------------- */

struct api_conn {
	struct api_conn *next;
	int fd;
	int pidfd; /* the peer process, to tell when its pid may have been reused */
	struct ucred cred;
	/* Where the peer was when it connected, for the budgets: inside a session (or not
	 * known), and then which one ("<base>/sN", "" when unknown). */
	bool inside;
	char session_cg[PATH_MAX];
	struct api_linebuf in;
	char *out;
	size_t out_off, out_len, out_cap; /* queued replies: out[out_off .. out_len) */
	bool watching;
	bool closing; /* drop once the output is flushed */
	bool dead;
	struct loop_src src;
};

struct api_server {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct api_conn *conns;
	struct loop_src src;
};

json_t *api_error(int err, const char *fmt, ...)
{
	char msg[1024];
	const char *name = strerrorname_np(err);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:b,s:s,s:s}", "ok", 0, "error", msg, "errno", name ? name : "EIO");
}

static json_t *api_ok(void)
{
	return json_pack("{s:b}", "ok", 1);
}

static void conn_update_events(struct airlockd *d, struct api_conn *c)
{
	uint32_t ev = EPOLLIN | EPOLLRDHUP;

	if (c->out_len > c->out_off)
		ev |= EPOLLOUT;
	if (loop_mod(d->epfd, c->fd, ev, &c->src) < 0)
		c->dead = true;
}

static void conn_flush(struct api_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				c->dead = true;
			break;
		}
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
}

/* Queue one JSON line; the loop writes it when the socket takes it, never blocking. */
static void conn_send(struct airlockd *d, struct api_conn *c, const json_t *j)
{
	char *s;
	size_t len, need;

	if (c->dead)
		return;
	s = json_dumps(j, JSON_COMPACT);
	if (!s) {
		c->dead = true;
		return;
	}
	len = strlen(s);
	/* Compact what was sent only when it is most of the buffer: amortized, not per send. */
	if (c->out_off > c->out_len / 2) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	need = c->out_len - c->out_off + len + 1;
	if (need > API_OUT_MAX) {
		log_warn("api: client pid %d does not read its replies, dropping it",
			 (int)c->cred.pid);
		c->dead = true;
		free(s);
		return;
	}
	need += c->out_off;
	if (need > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *nb;

		while (cap < need)
			cap *= 2;
		nb = realloc(c->out, cap);
		if (!nb) {
			c->dead = true;
			free(s);
			return;
		}
		c->out = nb;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, s, len);
	c->out[c->out_len + len] = '\n';
	c->out_len += len + 1;
	free(s);
	conn_flush(c);
	conn_update_events(d, c);
}

static void conn_close(struct airlockd *d, struct api_conn *c)
{
	struct api_server *srv = d->api;
	struct api_conn **pp;
	struct session *s, *sn;

	/* A launcher that hung up before attaching leaves an empty session behind. */
	for (s = d->sessions.head; s; s = sn) {
		sn = s->next;
		if (s->creator == c) {
			s->creator = NULL;
			if (s->listener < 0)
				gate_session_end(d, s);
		}
	}
	for (pp = &srv->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	loop_del(d->epfd, c->fd);
	close(c->fd);
	if (c->pidfd >= 0)
		close(c->pidfd);
	api_linebuf_free(&c->in);
	free(c->out);
	free(c);
}

/* ---- who is asking ------------------------------------------------------- */

struct api_peer {
	struct ucred cred;
	bool inside;   /* its cgroup is inside a session (or could not be read) */
	bool approver; /* root, or in the approvers' group */
	char name[64];
};

static bool pidfd_alive(int pidfd)
{
	return syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0;
}

/* Real, effective and supplementary gids of pid from /proc/PID/status. */
static bool pid_has_gid(pid_t pid, gid_t gid)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && getline(&line, &cap, f) > 0) {
		char *p, *end;

		if (strncmp(line, "Gid:", 4) == 0)
			p = line + 4;
		else if (strncmp(line, "Groups:", 7) == 0)
			p = line + 7;
		else
			continue;
		for (;;) {
			unsigned long v = strtoul(p, &end, 10);

			if (end == p)
				break;
			if ((gid_t)v == gid) {
				found = true;
				break;
			}
			p = end;
		}
	}
	free(line);
	fclose(f);
	return found;
}

static int approvers_gid(const char *group, gid_t *ret)
{
	struct group gr, *res = NULL;
	char buf[4096];
	int r;

	r = getgrnam_r(group, &gr, buf, sizeof(buf), &res);
	if (r != 0)
		return -r;
	if (!res)
		return -ENOENT;
	*ret = gr.gr_gid;
	return 0;
}

static void user_name(uid_t uid, char *buf, size_t len)
{
	struct passwd pw, *res = NULL;
	char tmp[4096];

	if (getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) == 0 && res)
		snprintf(buf, len, "%s", pw.pw_name);
	else
		snprintf(buf, len, "%u", (unsigned)uid);
}

/* Re-evaluated for every request: a peer may have moved into a session since it connected.
 * What cannot be read counts against the peer (inside, not an approver). */
static void peer_evaluate(struct airlockd *d, struct api_conn *c, struct api_peer *p)
{
	gid_t gid;
	int r;

	memset(p, 0, sizeof(*p));
	p->cred = c->cred;
	p->inside = true;
	user_name(c->cred.uid, p->name, sizeof(p->name));
	/* A peer with this very daemon's pid stays "inside", whatever the credentials say.
	 * The gate makes allowed AF_UNIX connects from a connector in the target's cgroup
	 * (agent/connector.c), so none should name us; should one (a regression, a call made
	 * for a target some other way), it must not count as an outside root process. */
	if (c->cred.pid == getpid())
		return;
	if (c->pidfd < 0 || !pidfd_alive(c->pidfd))
		return;
	r = cgroup_pid_in_base(&d->cg, c->cred.pid, &p->inside);
	if (r < 0)
		p->inside = true;
	p->approver = c->cred.uid == 0 || (approvers_gid(d->approvers_group, &gid) == 0 &&
					   pid_has_gid(c->cred.pid, gid));
	/* The pid was read through /proc: it must still be the peer, not a reused pid. */
	if (!pidfd_alive(c->pidfd)) {
		p->inside = true;
		p->approver = false;
		return;
	}
}

static bool peer_sees(const struct api_peer *p, uid_t owner)
{
	return p->approver || p->cred.uid == owner;
}

/* ---- operations ---------------------------------------------------------- */

enum {
	API_PERM_ANY = 0,
	API_PERM_OUTSIDE = 1u << 0,  /* never from a process inside a session */
	API_PERM_APPROVER = 1u << 1, /* root or the approvers' group (implies OUTSIDE) */
};

typedef json_t *(*api_handler)(struct airlockd *d, struct api_conn *c, const struct api_peer *p,
			       json_t *req);

struct api_op {
	const char *name;
	unsigned perms;
	api_handler fn;
};

static json_t *session_json(struct airlockd *d, const struct session *s)
{
	json_t *j = json_pack("{s:I,s:i,s:i,s:s?,s:s?,s:s?,s:O?,s:s?,s:s,s:I,s:I,s:b}", "id",
			      (json_int_t)s->id, "uid", (int)s->uid, "gid", (int)s->gid, "user",
			      s->user, "home", s->home, "workspace", s->workspace, "argv", s->argv,
			      "profile", s->profile, "cgroup", s->cgroup, "cgroup_id",
			      (json_int_t)s->cgroup_id, "created", (json_int_t)s->created_ms,
			      "attached", s->listener >= 0);

	if (!j)
		return NULL;
	if (s->leader)
		json_object_set_new(j, "pid", json_integer(s->leader));
	json_object_set_new(j, "pending",
			    json_integer((json_int_t)approval_count_session(&d->approvals, s->id)));
	json_object_set_new(j, "decisions",
			    json_pack("{s:I,s:I,s:I}", "asks", (json_int_t)s->asks, "allowed",
				      (json_int_t)s->allowed, "denied", (json_int_t)s->denied));
	if (s->in_bpf)
		json_object_set_new(j, "counters",
				    json_pack("{s:I,s:I,s:I}", "forks",
					      (json_int_t)s->counters.forks, "execs",
					      (json_int_t)s->counters.execs, "exits",
					      (json_int_t)s->counters.exits));
	return j;
}

static json_t *op_status(struct airlockd *d, struct api_conn *c, const struct api_peer *p,
			 json_t *req)
{
	json_t *res = api_ok(), *sessions = json_array(), *layers = json_array();
	char buf[4096], *line, *save = NULL;
	struct session *s;
	size_t pending = 0, watchers = 0;
	const struct approval *a;
	const struct api_conn *w;

	buf[0] = '\0';
	if (d->bpf)
		bpf_layer_describe(d->bpf, buf, sizeof(buf));
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		json_array_append_new(layers, json_string(line));
	if (!d->bpf)
		json_array_append_new(layers, json_string("bpf: inactive (could not load)"));
	json_array_append_new(layers, json_string("seccomp-notify: active"));
	/* built in, whatever the policy: docs/gate.md, "Built-in hardening" */
	json_array_append_new(layers, json_string("hardening: on"));
	for (s = d->sessions.head; s; s = s->next) {
		if (!peer_sees(p, s->uid) || s->ended)
			continue;
		/* Fresh from the BPF map, not the tick's copy. */
		if (s->in_bpf)
			bpf_layer_session_counters(d->bpf, s->cgroup_id, &s->counters);
		json_array_append_new(sessions, session_json(d, s));
	}
	for (a = d->approvals.head; a; a = a->next) {
		s = session_find(&d->sessions, a->session_id);
		if (s && peer_sees(p, s->uid))
			pending++;
	}
	for (w = d->api->conns; w; w = w->next)
		watchers += w->watching && !w->dead;
	json_object_set_new(res, "daemon",
			    json_pack("{s:i,s:I,s:s,s:s,s:s,s:I}", "pid", (int)getpid(), "started",
				      (json_int_t)d->started_ms, "runtime_dir", d->runtime_dir,
				      "cgroup", d->cg.path, "audit_log", d->audit_path,
				      "audit_errors", (json_int_t)d->audit_errors));
	json_object_set_new(res, "policy", json_pack("{s:s}", "source", policy_source(d->policy)));
	json_object_set_new(res, "layers", layers);
	json_object_set_new(res, "sessions", sessions);
	json_object_set_new(res, "pending", json_integer((json_int_t)pending));
	json_object_set_new(res, "watchers", json_integer((json_int_t)watchers));
	json_object_set_new(res, "you",
			    json_pack("{s:i,s:s,s:b,s:b}", "uid", (int)p->cred.uid, "name", p->name,
				      "approver", p->approver && !p->inside, "in_session",
				      p->inside));
	return res;
}

static json_t *op_pending(struct airlockd *d, struct api_conn *c, const struct api_peer *p,
			  json_t *req)
{
	json_t *list = json_array(), *res;
	const struct approval *a;

	for (a = d->approvals.head; a; a = a->next) {
		const struct session *s = session_find(&d->sessions, a->session_id);

		if (s && peer_sees(p, s->uid))
			json_array_append_new(list, gate_approval_json(a));
	}
	res = api_ok();
	json_object_set_new(res, "pending", list);
	return res;
}

static json_t *op_watch(struct airlockd *d, struct api_conn *c, const struct api_peer *p,
			json_t *req)
{
	c->watching = true;
	return api_ok();
}

static int get_id(json_t *req, const char *key, uint64_t *ret)
{
	json_t *v = json_object_get(req, key);

	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return -EINVAL;
	*ret = (uint64_t)json_integer_value(v);
	return 0;
}

static json_t *decide(struct airlockd *d, const struct api_peer *p, json_t *req, bool allow)
{
	struct gate_verdict v = { .action = allow ? AL_ALLOW : AL_DENY };
	json_t *jr = json_object_get(req, "reason"), *js = json_object_get(req, "scope");
	struct approval *a;
	json_t *res;
	uint64_t id;
	int r;

	if (get_id(req, "id", &id) < 0)
		return api_error(EINVAL, "'id' must be a positive integer");
	if (jr && !json_is_string(jr) && !json_is_null(jr))
		return api_error(EINVAL, "'reason' must be a string");
	if (js && !json_is_null(js)) {
		if (!allow)
			return api_error(EINVAL, "'scope' applies to approve only");
		if (!json_is_string(js) ||
		    approval_scope_parse(json_string_value(js), &v.scope) < 0)
			return api_error(EINVAL,
					 "bad scope '%s': once, session or a duration like 10m",
					 json_is_string(js) ? json_string_value(js) : "?");
	}
	a = approval_find(&d->approvals, id);
	if (!a)
		return api_error(ENOENT, "no pending request %llu", (unsigned long long)id);
	v.uid = p->cred.uid;
	v.name = p->name;
	v.reason = json_string_value(jr);
	r = gate_resolve(d, a, &v);
	if (r == -ESRCH)
		return api_error(ESRCH, "request %llu: the process is gone",
				 (unsigned long long)id);
	if (r < 0)
		return api_error(-r, "request %llu: %s, the call was denied",
				 (unsigned long long)id, strerror(-r));
	res = api_ok();
	if (r == 1)
		json_object_set_new(res, "warning",
				    json_string("allowed once only: this call cannot be matched "
						"again (its argv was cut), so no wider scope was "
						"recorded"));
	return res;
}

static json_t *op_approve(struct airlockd *d, struct api_conn *c, const struct api_peer *p,
			  json_t *req)
{
	return decide(d, p, req, true);
}

static json_t *op_deny(struct airlockd *d, struct api_conn *c, const struct api_peer *p,
		       json_t *req)
{
	return decide(d, p, req, false);
}

static int read_link(const char *path, char *buf, size_t len)
{
	ssize_t n = readlink(path, buf, len - 1);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static json_t *op_session_create(struct airlockd *d, struct api_conn *c, const struct api_peer *p,
				 json_t *req)
{
	json_t *jargv = json_object_get(req, "argv"), *juser = json_object_get(req, "user");
	json_t *jprof = json_object_get(req, "profile"), *res = NULL, *filter, *names;
	struct passwd pw, *pwr = NULL;
	char pwbuf[4096], path[64], cwd[PATH_MAX], leaf[32];
	const char *const *sc = NULL;
	struct session *s = NULL;
	size_t i, nsc;
	json_t *v;
	int r;

	if (!json_is_array(jargv) || json_array_size(jargv) == 0)
		return api_error(EINVAL, "'argv' must be a non-empty array of strings");
	json_array_foreach(jargv, i, v)
	{
		if (!json_is_string(v))
			return api_error(EINVAL, "'argv' must be a non-empty array of strings");
	}
	for (s = d->sessions.head; s; s = s->next)
		if (s->creator == c && s->listener < 0)
			return api_error(EBUSY,
					 "session %llu of this connection is not attached yet",
					 (unsigned long long)s->id);
	if (jprof && !json_is_null(jprof) &&
	    (!json_is_string(jprof) || strcmp(json_string_value(jprof), "default") != 0))
		return api_error(EOPNOTSUPP, "unknown profile '%s': this policy has only 'default'",
				 json_is_string(jprof) ? json_string_value(jprof) : "?");
	if (juser && !json_is_null(juser)) {
		if (!json_is_string(juser))
			return api_error(EINVAL, "'user' must be a string");
		r = getpwnam_r(json_string_value(juser), &pw, pwbuf, sizeof(pwbuf), &pwr);
		if (r != 0 || !pwr)
			return api_error(ENOENT, "unknown user '%s'", json_string_value(juser));
		if (p->cred.uid != 0 && pw.pw_uid != p->cred.uid)
			return api_error(EPERM,
					 "permission denied: only root may run a session as "
					 "another user ('%s')",
					 json_string_value(juser));
	} else {
		r = getpwuid_r(p->cred.uid, &pw, pwbuf, sizeof(pwbuf), &pwr);
		if (r != 0 || !pwr)
			return api_error(ENOENT, "uid %u has no passwd entry",
					 (unsigned)p->cred.uid);
	}
	/* The workspace is where the launcher really is, not what it claims. */
	snprintf(path, sizeof(path), "/proc/%d/cwd", (int)p->cred.pid);
	r = read_link(path, cwd, sizeof(cwd));
	if (r < 0)
		return api_error(-r, "cannot read the launcher's cwd: %s", strerror(-r));

	r = session_new(&d->sessions, &s);
	if (r < 0)
		return api_error(-r, "cannot create a session: %s", strerror(-r));
	s->uid = pw.pw_uid;
	s->gid = pw.pw_gid;
	s->user = strdup(pw.pw_name);
	session_set_home(s, pw.pw_dir); /* s->home stays NULL on failure, checked below */
	s->workspace = strdup(cwd);
	s->profile = jprof && json_is_string(jprof) ? strdup(json_string_value(jprof)) : NULL;
	s->argv = json_deep_copy(jargv);
	s->created_ms = now_real_ms();
	s->creator = c;
	if (!s->user || !s->home || !s->workspace || !s->argv) {
		res = api_error(ENOMEM, "cannot create a session: out of memory");
		goto fail;
	}
	snprintf(leaf, sizeof(leaf), "s%llu", (unsigned long long)s->id);
	r = cgroup_create(&d->cg, leaf, s->cgroup, &s->cgroup_id);
	if (r < 0) {
		res = api_error(-r, "cannot create the session's cgroup '%s/%s': %s", d->cg.path,
				leaf, strerror(-r));
		goto fail;
	}
	if (d->bpf) {
		r = bpf_layer_session_add(d->bpf, s->cgroup_id, s->id);
		if (r < 0)
			log_warn("session %llu: BPF tracking unavailable: %s, ignoring",
				 (unsigned long long)s->id, strerror(-r));
		else
			s->in_bpf = true;
	}
	names = json_array();
	nsc = policy_syscalls_named(d->policy, &sc);
	for (i = 0; i < nsc; i++)
		json_array_append_new(names, json_string(sc[i]));
	filter = json_pack("{s:I,s:o,s:i,s:i}", "ops", (json_int_t)policy_ops_needed(d->policy),
			   "syscalls", names, "uid", (int)s->uid, "gid", (int)s->gid);
	res = api_ok();
	json_object_set_new(res, "session", json_integer((json_int_t)s->id));
	json_object_set_new(res, "cgroup", json_string(s->cgroup));
	json_object_set_new(res, "filter", filter);
	log_info("session %llu created for '%s' (uid %u) by pid %d", (unsigned long long)s->id,
		 s->user, (unsigned)s->uid, (int)p->cred.pid);
	return res;
fail:
	if (s->cgroup[0])
		cgroup_remove(s->cgroup);
	session_free(&d->sessions, s);
	return res;
}

/* ppid and real uid of pid, from /proc/PID/status. */
static int proc_parent_uid(pid_t pid, pid_t *ret_ppid, uid_t *ret_uid)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	int got = 0;
	pid_t ppid = 0;
	uid_t uid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (got != 3 && getline(&line, &cap, f) > 0) {
		if (sscanf(line, "PPid: %d", &ppid) == 1)
			got |= 1;
		else if (sscanf(line, "Uid: %u", &uid) == 1)
			got |= 2;
	}
	free(line);
	fclose(f);
	if (got != 3)
		return -EIO;
	*ret_ppid = ppid;
	*ret_uid = uid;
	return 0;
}

static json_t *op_session_attach(struct airlockd *d, struct api_conn *c, const struct api_peer *p,
				 json_t *req)
{
	char path[64], target[64];
	uint64_t id, tmp;
	struct session *s;
	pid_t pid, ppid = 0;
	uid_t uid = 0;
	int fd, pidfd = -1, lfd = -1, r;
	json_t *res;

	if (get_id(req, "session", &id) < 0 || get_id(req, "pid", &tmp) < 0 || tmp > INT32_MAX)
		return api_error(EINVAL, "'session' and 'pid' must be positive integers");
	pid = (pid_t)tmp;
	if (!json_is_integer(json_object_get(req, "fd")) ||
	    json_integer_value(json_object_get(req, "fd")) < 0 ||
	    json_integer_value(json_object_get(req, "fd")) > INT32_MAX)
		return api_error(EINVAL, "'fd' must be a descriptor number");
	fd = (int)json_integer_value(json_object_get(req, "fd"));
	s = session_find(&d->sessions, id);
	if (!s || s->ended)
		return api_error(ENOENT, "no session %llu", (unsigned long long)id);
	if (s->listener >= 0)
		return api_error(EBUSY, "session %llu is already attached", (unsigned long long)id);
	if (s->creator != c)
		return api_error(EPERM,
				 "permission denied: session %llu was created on another "
				 "connection",
				 (unsigned long long)id);

	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return api_error(ESRCH, "no process %d", (int)pid);
	/* Checked after the pidfd is held, so the answer is about the process it names. */
	r = proc_parent_uid(pid, &ppid, &uid);
	if (r < 0 || !pidfd_alive(pidfd)) {
		res = api_error(ESRCH, "no process %d", (int)pid);
		goto out;
	}
	if (ppid != p->cred.pid) {
		res = api_error(EPERM, "permission denied: process %d is not a child of the caller",
				(int)pid);
		goto out;
	}
	if (p->cred.uid != 0 && uid != p->cred.uid) {
		res = api_error(EPERM, "permission denied: process %d runs as another user",
				(int)pid);
		goto out;
	}
	lfd = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (lfd < 0) {
		r = errno;
		res = api_error(r, "cannot take descriptor %d of process %d: %s", fd, (int)pid,
				strerror(r));
		goto out;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", lfd);
	r = read_link(path, target, sizeof(target));
	if (r < 0 || strcmp(target, "anon_inode:seccomp notify") != 0) {
		res = api_error(EINVAL, "descriptor %d of process %d is not a seccomp listener", fd,
				(int)pid);
		goto out;
	}
	r = cgroup_move_pid(s->cgroup, pid);
	if (r < 0) {
		res = api_error(-r, "cannot move process %d into '%s': %s", (int)pid, s->cgroup,
				strerror(-r));
		goto out;
	}
	s->listener = lfd;
	r = gate_session_start(d, s);
	if (r < 0) {
		s->listener = -1;
		res = api_error(-r, "cannot serve session %llu: %s", (unsigned long long)id,
				strerror(-r));
		goto out;
	}
	lfd = -1;
	s->leader = pid;
	s->creator = NULL;
	log_info("session %llu attached: pid %d", (unsigned long long)s->id, (int)pid);
	res = api_ok();
out:
	if (lfd >= 0)
		close(lfd);
	close(pidfd);
	return res;
}

static const struct api_op api_ops[] = {
	{ "status", API_PERM_ANY, op_status },
	{ "pending", API_PERM_ANY, op_pending },
	{ "watch", API_PERM_ANY, op_watch },
	{ "approve", API_PERM_APPROVER, op_approve },
	{ "deny", API_PERM_APPROVER, op_deny },
	{ "session.create", API_PERM_OUTSIDE, op_session_create },
	{ "session.attach", API_PERM_OUTSIDE, op_session_attach },
	{ NULL, 0, NULL },
};

static json_t *api_dispatch(struct airlockd *d, struct api_conn *c, const char *line, size_t len)
{
	const struct api_op *op;
	struct api_peer peer;
	json_error_t jerr;
	json_t *req, *res;
	const char *name;

	req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!req)
		return api_error(EINVAL, "malformed request: %s at column %d", jerr.text,
				 jerr.column);
	if (!json_is_object(req)) {
		json_decref(req);
		return api_error(EINVAL, "malformed request: not a JSON object");
	}
	name = json_string_value(json_object_get(req, "op"));
	if (!name) {
		json_decref(req);
		return api_error(EINVAL, "malformed request: no 'op'");
	}
	for (op = api_ops; op->name; op++)
		if (strcmp(op->name, name) == 0)
			break;
	if (!op->name) {
		res = api_error(EOPNOTSUPP, "unknown op '%s'", name);
		goto out;
	}
	peer_evaluate(d, c, &peer);
	/* Whatever its uid: an agent must neither decide its own asks nor start sessions
	 * that hand their listeners to the daemon from inside one. */
	if ((op->perms & API_PERM_APPROVER) && peer.inside) {
		res = api_error(EPERM, "permission denied: a process inside an airlock session "
				       "cannot approve or deny");
		goto out;
	}
	if ((op->perms & API_PERM_OUTSIDE) && peer.inside) {
		res = api_error(EPERM, "permission denied: a process inside an airlock session "
				       "cannot start or attach a session");
		goto out;
	}
	if ((op->perms & API_PERM_APPROVER) && !peer.approver) {
		res = api_error(EPERM, "permission denied: approvals need root or group '%s'",
				d->approvers_group);
		goto out;
	}
	res = op->fn(d, c, &peer, req);
out:
	json_decref(req);
	return res;
}

static void conn_read(struct airlockd *d, struct api_conn *c)
{
	char *line, *p;
	size_t len, room;
	ssize_t n;
	enum api_line k;
	json_t *res;

	/* Bounded per wake-up so one busy client cannot starve the others. */
	for (int rounds = 0; rounds < 16 && !c->dead; rounds++) {
		room = api_linebuf_room(&c->in, &p);
		n = recv(c->fd, p, room, MSG_DONTWAIT);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				c->dead = true;
			return;
		}
		if (n == 0) {
			/* Replies still queued are flushed before the connection goes. */
			c->closing = true;
			return;
		}
		api_linebuf_commit(&c->in, (size_t)n);
		while ((k = api_linebuf_next(&c->in, &line, &len)) != API_LINE_NONE) {
			if (k == API_LINE_TOO_LONG)
				res = api_error(EMSGSIZE,
						"request line longer than %d bytes, discarded",
						API_LINE_MAX);
			else if (len == 0)
				continue;
			else
				res = api_dispatch(d, c, line, len);
			conn_send(d, c, res);
			json_decref(res);
			if (c->dead)
				return;
		}
	}
}

void api_conn_event(struct airlockd *d, struct api_conn *c, uint32_t events)
{
	if (events & EPOLLIN)
		conn_read(d, c);
	if ((events & EPOLLOUT) && !c->dead) {
		conn_flush(c);
		conn_update_events(d, c);
	}
	if ((events & (EPOLLERR | EPOLLHUP)) && !(events & EPOLLIN))
		c->dead = true;
	if (c->closing && c->out_len == c->out_off)
		c->dead = true;
	if (c->dead)
		conn_close(d, c);
	else if (c->closing)
		loop_mod(d->epfd, c->fd, EPOLLOUT, &c->src);
}

/* Where the peer of c is: inside a session (or not known: counted as inside) and which
 * one, as "<base>/sN". */
static void conn_place(const struct airlockd *d, struct api_conn *c)
{
	char cg[PATH_MAX], *end;
	size_t n = strlen(d->cg.rel);

	c->inside = true;
	c->session_cg[0] = '\0';
	if (cgroup_of_pid(c->cred.pid, cg, sizeof(cg)) < 0)
		return;
	if (strncmp(cg, d->cg.rel, n) != 0 || (cg[n] != '\0' && cg[n] != '/')) {
		c->inside = false;
		return;
	}
	/* a cgroup below the session's counts as the session */
	end = cg[n] ? strchr(cg + n + 1, '/') : NULL;
	if (end)
		*end = '\0';
	snprintf(c->session_cg, sizeof(c->session_cg), "%s", cg);
}

/* Is there room for c?  Outside: 1024 in all, 64 per non-root uid.  Inside: 16 per
 * session, 256 in all. */
static bool conn_has_room(const struct api_server *srv, const struct api_conn *c)
{
	size_t total = 0, same = 0;
	const struct api_conn *o;

	for (o = srv->conns; o; o = o->next) {
		if (o->inside != c->inside)
			continue;
		total++;
		if (c->inside)
			same += strcmp(o->session_cg, c->session_cg) == 0;
		else
			same += o->cred.uid == c->cred.uid;
	}
	if (c->inside)
		return total < API_CONN_INSIDE_MAX && same < API_CONN_PER_SESSION;
	return total < API_CONN_MAX && (c->cred.uid == 0 || same < API_CONN_PER_UID);
}

/* Set up one accepted client.  0, or -errno with fd closed. */
static int conn_new(struct airlockd *d, int fd)
{
	struct api_server *srv = d->api;
	struct api_conn *c;
	socklen_t sl = sizeof(struct ucred);
	int r;

	c = calloc(1, sizeof(*c));
	if (!c) {
		r = -ENOMEM;
		goto fail;
	}
	c->fd = fd;
	c->pidfd = -1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c->cred, &sl) < 0) {
		r = -errno;
		goto fail;
	}
	/* The socket is open to every local user: one uid, or one session, cannot take
	 * every slot. */
	conn_place(d, c);
	if (!conn_has_room(srv, c)) {
		r = -EMFILE;
		goto fail;
	}
	r = api_linebuf_init(&c->in, API_LINE_MAX);
	if (r < 0)
		goto fail;
	/* SO_PEERPIDFD (6.5) names the very process that connected; pidfd_open is the
	 * fallback, racing only with a peer that exits at once. */
	sl = sizeof(c->pidfd);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &c->pidfd, &sl) < 0)
		c->pidfd = (int)syscall(SYS_pidfd_open, c->cred.pid, 0);
	if (c->pidfd >= 0)
		fcntl(c->pidfd, F_SETFD, FD_CLOEXEC);
	c->src = (struct loop_src){ .kind = LOOP_API_CONN, .ptr = c };
	r = loop_add(d->epfd, fd, EPOLLIN | EPOLLRDHUP, &c->src);
	if (r < 0)
		goto fail;
	c->next = srv->conns;
	srv->conns = c;
	return 0;
fail:
	if (c) {
		if (c->pidfd >= 0)
			close(c->pidfd);
		api_linebuf_free(&c->in);
		free(c);
	}
	close(fd);
	return r;
}

void api_accept(struct airlockd *d)
{
	int fd, r;

	while ((fd = accept4(d->api->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
		r = conn_new(d, fd);
		if (r < 0)
			log_warn("api: refusing a client: %s", strerror(-r));
	}
	if (errno != EAGAIN && errno != EINTR)
		log_warn("api: accept failed: %s, ignoring", strerror(errno));
}

void api_broadcast(struct airlockd *d, uid_t owner_uid, json_t *event)
{
	struct api_conn *c, *cn;
	struct api_peer p;

	if (!d->api)
		return;
	for (c = d->api->conns; c; c = cn) {
		cn = c->next;
		if (!c->watching || c->dead)
			continue;
		peer_evaluate(d, c, &p);
		if (!peer_sees(&p, owner_uid))
			continue;
		/* A watcher that fails is closed by api_reap(), not here: the caller may be
		 * in the middle of serving that very connection. */
		conn_send(d, c, event);
	}
}

void api_reap(struct airlockd *d)
{
	struct api_conn *c, *cn;

	if (!d->api)
		return;
	for (c = d->api->conns; c; c = cn) {
		cn = c->next;
		if (c->dead)
			conn_close(d, c);
	}
}

int api_server_open(struct airlockd *d, struct api_server **ret)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct api_server *srv;
	struct stat st;
	int fd = -1, probe, r, n;

	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/api.sock", d->runtime_dir);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path)) {
		r = -ENAMETOOLONG;
		goto fail;
	}
	if (lstat(sa.sun_path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			r = -EEXIST;
			goto fail;
		}
		/* A socket that still answers belongs to a running daemon: never steal it. */
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(probe);
			r = -EADDRINUSE;
			goto fail;
		}
		if (probe >= 0)
			close(probe);
		unlink(sa.sun_path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		r = -errno;
		goto fail;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(sa.sun_path, 0666) < 0 ||
	    listen(fd, 64) < 0) {
		r = -errno;
		goto fail;
	}
	memcpy(srv->path, sa.sun_path, sizeof(srv->path));
	srv->fd = fd;
	srv->src = (struct loop_src){ .kind = LOOP_API_LISTEN, .ptr = srv };
	r = loop_add(d->epfd, fd, EPOLLIN, &srv->src);
	if (r < 0)
		goto fail;
	*ret = srv;
	return 0;
fail:
	if (fd >= 0) {
		close(fd);
		unlink(sa.sun_path);
	}
	free(srv);
	return r;
}

void api_server_close(struct airlockd *d, struct api_server *srv)
{
	if (!srv)
		return;
	while (srv->conns)
		conn_close(d, srv->conns);
	loop_del(d->epfd, srv->fd);
	close(srv->fd);
	unlink(srv->path);
	free(srv);
}
