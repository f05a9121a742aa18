// SPDX-License-Identifier: Apache-2.0
#include "restart.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "approval.h"
#include "audit.h"
#include "bpf_layer.h"
#include "cgroup.h"
#include "clock.h"
#include "loop.h"
#include "notify.h"
#include "session.h"
#include "syscalls.h"

#define STATE_VERSION 1

int restart_store_listener(const struct airlockd *d, const struct session *s)
{
	char state[96];
	int r;

	if (!d->restart_enabled)
		return 0;
	snprintf(state, sizeof(state), "FDSTORE=1\nFDNAME=session-%llu", (unsigned long long)s->id);
	r = sd_pid_notify_with_fds(0, 0, state, &s->listener, 1);
	return r < 0 ? r : r == 0 ? -ENOTCONN : 0;
}

int restart_forget_listener(const struct airlockd *d, const struct session *s)
{
	char state[96];
	int r;

	if (!d->restart_enabled)
		return 0;
	snprintf(state, sizeof(state), "FDSTOREREMOVE=1\nFDNAME=session-%llu",
		 (unsigned long long)s->id);
	r = sd_notify(0, state);
	return r < 0 ? r : 0;
}

static json_t *hex(const void *p, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *buf = malloc(len * 2 + 1);
	const unsigned char *b = p;
	json_t *j;

	if (!buf)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		buf[2 * i] = digits[b[i] >> 4];
		buf[2 * i + 1] = digits[b[i] & 15];
	}
	buf[len * 2] = '\0';
	j = json_string(buf);
	free(buf);
	return j;
}

static int unhex(const char *s, void *out, size_t max, size_t *ret_len)
{
	size_t n = strlen(s);
	unsigned char *o = out;

	if (n % 2 || n / 2 > max)
		return -EINVAL;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -EINVAL;
		o[i] = (unsigned char)v;
	}
	*ret_len = n / 2;
	return 0;
}

json_t *restart_request_to_json(const struct al_request *r)
{
	json_t *j, *args = json_array(), *argv = json_array();

	for (int i = 0; i < 6; i++)
		json_array_append_new(args, json_integer((json_int_t)r->args[i]));
	for (int i = 0; i < r->argc && r->argv[i]; i++)
		json_array_append_new(argv, json_string(r->argv[i]));
	j = json_pack("{s:i,s:i,s:o,s:i,s:i,s:i,s:i,s:s,s:s,s:i,s:i,s:o,s:b,s:o}", "op", r->op,
		      "nr", r->syscall_nr, "args", args, "pid", r->pid, "tgid", r->tgid, "uid",
		      (int)r->uid, "gid", (int)r->gid, "path", r->path, "path2", r->path2, "flags",
		      r->open_flags, "mode", (int)r->mode, "argv", argv, "argv_truncated",
		      r->argv_truncated, "addr", hex(&r->addr, r->addrlen));
	return j;
}

int restart_request_from_json(const json_t *j, struct al_request *r)
{
	json_t *args = json_object_get(j, "args"), *argv = json_object_get(j, "argv"), *v;
	const char *path = json_string_value(json_object_get(j, "path"));
	const char *path2 = json_string_value(json_object_get(j, "path2"));
	const char *addr = json_string_value(json_object_get(j, "addr"));
	const struct syscall_desc *desc;
	size_t i, off = 0, alen = 0;

	if (!json_is_array(args) || json_array_size(args) != 6 || !json_is_array(argv) ||
	    json_array_size(argv) > AL_ARGV_MAX || !path || !path2 || !addr ||
	    strlen(path) >= sizeof(r->path) || strlen(path2) >= sizeof(r->path2))
		return -EINVAL;
	/* Everything but the 32 KiB argument buffer, of which argv says how much is used. */
	memset(r, 0, offsetof(struct al_request, argbuf));
	memset(r->argbuf + sizeof(r->argbuf), 0,
	       sizeof(*r) - offsetof(struct al_request, argbuf) - sizeof(r->argbuf));
	r->op = (enum al_op)json_integer_value(json_object_get(j, "op"));
	r->syscall_nr = (int)json_integer_value(json_object_get(j, "nr"));
	desc = syscall_by_nr(r->syscall_nr);
	/* The name is the table's static string, as notify_recv() sets it. */
	r->syscall = desc ? desc->name : NULL;
	json_array_foreach(args, i, v)
	{
		r->args[i] = (uint64_t)json_integer_value(v);
	}
	r->pid = (pid_t)json_integer_value(json_object_get(j, "pid"));
	r->tgid = (pid_t)json_integer_value(json_object_get(j, "tgid"));
	r->uid = (uid_t)json_integer_value(json_object_get(j, "uid"));
	r->gid = (gid_t)json_integer_value(json_object_get(j, "gid"));
	strcpy(r->path, path);
	strcpy(r->path2, path2);
	r->open_flags = (int)json_integer_value(json_object_get(j, "flags"));
	r->mode = (mode_t)json_integer_value(json_object_get(j, "mode"));
	r->argv_truncated = json_is_true(json_object_get(j, "argv_truncated"));
	json_array_foreach(argv, i, v)
	{
		const char *a = json_string_value(v);
		size_t l = a ? strlen(a) + 1 : 0;

		if (!a || off + l > sizeof(r->argbuf))
			return -EINVAL;
		memcpy(r->argbuf + off, a, l);
		r->argv[i] = r->argbuf + off;
		off += l;
	}
	r->argc = (int)json_array_size(argv);
	r->argv[r->argc] = NULL;
	if (unhex(addr, &r->addr, sizeof(r->addr), &alen) < 0)
		return -EINVAL;
	r->addrlen = (socklen_t)alen;
	return 0;
}

static json_t *session_state(const struct session *s, uint64_t now_mono, uint64_t now_real)
{
	json_t *grants = json_array();
	const struct session_grant *g;

	for (g = s->grants; g; g = g->next) {
		/* A grant's end is monotonic; across a restart it travels as wall time. */
		uint64_t until =
			g->until_ms
				? now_real + (g->until_ms > now_mono ? g->until_ms - now_mono : 0)
				: 0;

		json_array_append_new(grants,
				      json_pack("{s:s,s:s,s:I,s:i,s:s}", "rule", g->rule, "key",
						g->key, "until", (json_int_t)until, "by_uid",
						(int)g->by_uid, "by_name", g->by_name));
	}
	return json_pack("{s:I,s:i,s:i,s:s,s:s,s:s,s:s?,s:O,s:s,s:I,s:i,s:I,s:I,s:I,s:I,s:o}", "id",
			 (json_int_t)s->id, "uid", (int)s->uid, "gid", (int)s->gid, "user", s->user,
			 "home", s->home, "workspace", s->workspace, "profile", s->profile, "argv",
			 s->argv, "cgroup", s->cgroup, "cgroup_id", (json_int_t)s->cgroup_id,
			 "leader", (int)s->leader, "created", (json_int_t)s->created_ms, "asks",
			 (json_int_t)s->asks, "allowed", (json_int_t)s->allowed, "denied",
			 (json_int_t)s->denied, "grants", grants);
}

static json_t *approval_state(const struct approval *a)
{
	const struct gate_notif *n = a->n;

	return json_pack("{s:I,s:I,s:I,s:i,s:s,s:o,s:s,s:i,s:i,s:i,s:i,s:O,s:I,s:I}", "id",
			 (json_int_t)a->id, "session", (json_int_t)a->session_id, "notif",
			 (json_int_t)n->id, "arch", (int)n->arch, "reopen", n->reopen, "request",
			 restart_request_to_json(&n->req), "rule", a->rule, "error",
			 a->decision.error, "on_timeout", (int)a->decision.on_timeout,
			 "timeout_error", a->decision.timeout_error, "timeout_ms",
			 (int)a->decision.timeout_ms, "process", a->process, "asked",
			 (json_int_t)a->asked_ms, "expires", (json_int_t)a->expires_ms);
}

int restart_save(const struct airlockd *d)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	uint64_t now_mono = now_mono_ms(), now_real = now_real_ms();
	json_t *st, *sessions = json_array(), *pending = json_array();
	const struct session *s;
	const struct approval *a;
	int fd, r = 0;

	for (s = d->sessions.head; s; s = s->next)
		if (s->listener >= 0 && !s->ended)
			json_array_append_new(sessions, session_state(s, now_mono, now_real));
	for (a = d->approvals.head; a; a = a->next)
		json_array_append_new(pending, approval_state(a));
	st = json_pack("{s:i,s:I,s:I,s:o,s:o}", "version", STATE_VERSION, "next_session",
		       (json_int_t)d->sessions.next_id, "next_ask",
		       (json_int_t)d->approvals.next_id, "sessions", sessions, "pending", pending);
	if (!st)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/state.json", d->runtime_dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	if (json_dumpfd(st, fd, JSON_COMPACT) < 0 || fsync(fd) < 0)
		r = errno ? -errno : -EIO;
	close(fd);
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
out:
	json_decref(st);
	return r;
}

static int listener_of(char **names, int n, uint64_t id)
{
	char want[64];

	snprintf(want, sizeof(want), "session-%llu", (unsigned long long)id);
	for (int i = 0; i < n; i++)
		if (names && names[i] && strcmp(names[i], want) == 0)
			return SD_LISTEN_FDS_START + i;
	return -1;
}

static char *dup_str(const json_t *j, const char *key)
{
	const char *v = json_string_value(json_object_get(j, key));

	return v ? strdup(v) : NULL;
}

static int restore_session(struct airlockd *d, const json_t *js, int fd, uint64_t now_mono,
			   uint64_t now_real)
{
	struct session *s;
	const json_t *g;
	size_t i;
	int r;

	r = session_new(&d->sessions, &s);
	if (r < 0)
		return r;
	s->id = (uint64_t)json_integer_value(json_object_get(js, "id"));
	s->uid = (uid_t)json_integer_value(json_object_get(js, "uid"));
	s->gid = (gid_t)json_integer_value(json_object_get(js, "gid"));
	s->user = dup_str(js, "user");
	if (json_is_string(json_object_get(js, "home")))
		session_set_home(s, json_string_value(json_object_get(js, "home")));
	s->workspace = dup_str(js, "workspace");
	s->profile = dup_str(js, "profile");
	s->argv = json_deep_copy(json_object_get(js, "argv"));
	snprintf(s->cgroup, sizeof(s->cgroup), "%s",
		 json_string_value(json_object_get(js, "cgroup")) ?: "");
	s->cgroup_id = (uint64_t)json_integer_value(json_object_get(js, "cgroup_id"));
	s->leader = (pid_t)json_integer_value(json_object_get(js, "leader"));
	s->created_ms = (uint64_t)json_integer_value(json_object_get(js, "created"));
	s->asks = (uint64_t)json_integer_value(json_object_get(js, "asks"));
	s->allowed = (uint64_t)json_integer_value(json_object_get(js, "allowed"));
	s->denied = (uint64_t)json_integer_value(json_object_get(js, "denied"));
	if (!s->user || !s->home || !s->workspace || !s->argv) {
		session_free(&d->sessions, s);
		return -EINVAL;
	}
	json_array_foreach(json_object_get(js, "grants"), i, g)
	{
		uint64_t until = (uint64_t)json_integer_value(json_object_get(g, "until"));

		if (until && until <= now_real)
			continue;
		session_grant_add(s, json_string_value(json_object_get(g, "rule")),
				  json_string_value(json_object_get(g, "key")) ?: "",
				  until ? now_mono + (until - now_real) : 0,
				  (uid_t)json_integer_value(json_object_get(g, "by_uid")),
				  json_string_value(json_object_get(g, "by_name")));
	}
	if (d->bpf && bpf_layer_session_add(d->bpf, s->cgroup_id, s->id) == 0)
		s->in_bpf = true;
	s->listener = fd;
	s->src = (struct loop_src){ .kind = LOOP_LISTENER, .ptr = s };
	r = loop_add(d->epfd, fd, EPOLLIN, &s->src);
	if (r < 0) {
		s->listener = -1;
		session_free(&d->sessions, s);
	}
	return r;
}

/* 1 when the ask is pending again, 0 when its thread no longer waits, -errno. */
static int restore_ask(struct airlockd *d, const json_t *ja, uint64_t now_mono, uint64_t now_real)
{
	uint64_t sid = (uint64_t)json_integer_value(json_object_get(ja, "session"));
	struct session *s = session_find(&d->sessions, sid);
	struct approval *a = NULL;
	struct gate_notif *n = NULL;
	int r;

	if (!s)
		return 0;
	a = calloc(1, sizeof(*a));
	n = calloc(1, sizeof(*n));
	if (!a || !n) {
		r = -ENOMEM;
		goto fail;
	}
	n->listener = s->listener;
	n->id = (uint64_t)json_integer_value(json_object_get(ja, "notif"));
	n->arch = (uint32_t)json_integer_value(json_object_get(ja, "arch"));
	n->wait_fd = -1;
	snprintf(n->reopen, sizeof(n->reopen), "%s",
		 json_string_value(json_object_get(ja, "reopen")) ?: "");
	r = restart_request_from_json(json_object_get(ja, "request"), &n->req);
	if (r < 0)
		goto fail;
	n->pidfd = (int)syscall(SYS_pidfd_open, n->req.tgid, 0);
	if (n->pidfd >= 0)
		fcntl(n->pidfd, F_SETFD, FD_CLOEXEC);
	/* Valid after the pidfd is held: the pidfd names the process that still waits. */
	if (n->pidfd < 0 || !notify_id_valid(n)) {
		json_t *rec = json_pack(
			"{s:I,s:O,s:O,s:s,s:s,s:s,s:s}", "session", (json_int_t)sid, "id",
			json_object_get(ja, "id"), "process", json_object_get(ja, "process"),
			"rule", json_string_value(json_object_get(ja, "rule")) ?: "", "decision",
			"gone", "decided_by", "kernel", "reason", "target gone during a restart");

		if (rec && d->audit)
			audit_append(d->audit, rec);
		json_decref(rec);
		r = 0;
		goto fail;
	}
	n->req.home = s->home;
	n->req.home_real = s->home_real;
	n->req.workspace = s->workspace;
	a->n = n;
	a->session_id = sid;
	snprintf(a->rule, sizeof(a->rule), "%s",
		 json_string_value(json_object_get(ja, "rule")) ?: "");
	a->decision.action = AL_ASK;
	a->decision.error = (int)json_integer_value(json_object_get(ja, "error"));
	a->decision.on_timeout =
		(enum al_action)json_integer_value(json_object_get(ja, "on_timeout"));
	a->decision.timeout_error = (int)json_integer_value(json_object_get(ja, "timeout_error"));
	a->decision.timeout_ms = (uint32_t)json_integer_value(json_object_get(ja, "timeout_ms"));
	a->process = json_incref(json_object_get(ja, "process"));
	a->asked_ms = (uint64_t)json_integer_value(json_object_get(ja, "asked"));
	a->expires_ms = (uint64_t)json_integer_value(json_object_get(ja, "expires"));
	a->deadline_ms = now_mono + (a->expires_ms > now_real ? a->expires_ms - now_real : 0);
	a->src = (struct loop_src){ .kind = LOOP_TARGET, .ptr = a };
	r = loop_add(d->epfd, n->pidfd, EPOLLIN, &a->src);
	if (r < 0)
		goto fail;
	approval_add(&d->approvals, a);
	/* approval_add numbers from next_id: keep the id the humans already saw. */
	a->id = (uint64_t)json_integer_value(json_object_get(ja, "id"));
	return 1;
fail:
	if (n) {
		notify_release(n);
		free(n);
	}
	free(a);
	return r;
}

int restart_restore(struct airlockd *d, unsigned *ret_sessions, unsigned *ret_asks)
{
	char path[PATH_MAX], **names = NULL;
	uint64_t now_mono = now_mono_ms(), now_real = now_real_ms();
	unsigned nsessions = 0, nasks = 0;
	json_t *st = NULL, *v;
	json_error_t jerr;
	size_t i;
	int nfds, r = 0;

	nfds = sd_listen_fds_with_names(1, &names);
	if (nfds < 0)
		nfds = 0;
	snprintf(path, sizeof(path), "%s/state.json", d->runtime_dir);
	st = json_load_file(path, 0, &jerr);
	if (!st) {
		r = access(path, F_OK) == 0 ? -EBADMSG : 0;
		goto out;
	}
	if (json_integer_value(json_object_get(st, "version")) != STATE_VERSION) {
		r = -EBADMSG;
		goto out;
	}
	json_array_foreach(json_object_get(st, "sessions"), i, v)
	{
		uint64_t id = (uint64_t)json_integer_value(json_object_get(v, "id"));
		int fd = listener_of(names, nfds, id);

		if (fd < 0) {
			/* Its listener did not come back: nothing gates it any more. */
			cgroup_remove(json_string_value(json_object_get(v, "cgroup")) ?: "");
			continue;
		}
		if (restore_session(d, v, fd, now_mono, now_real) == 0) {
			nsessions++;
			names[fd - SD_LISTEN_FDS_START][0] = '\0'; /* adopted */
		}
	}
	json_array_foreach(json_object_get(st, "pending"), i, v)
	{
		if (restore_ask(d, v, now_mono, now_real) == 1)
			nasks++;
	}
	d->sessions.next_id = (uint64_t)json_integer_value(json_object_get(st, "next_session"));
	d->approvals.next_id = (uint64_t)json_integer_value(json_object_get(st, "next_ask"));
	if (d->sessions.next_id == 0)
		d->sessions.next_id = 1;
	if (d->approvals.next_id == 0)
		d->approvals.next_id = 1;
out:
	/* Stored fds nobody adopted are closed (and dropped from the store by the manager
	 * when this instance does not store them again). */
	for (int k = 0; k < nfds; k++) {
		if (!names || !names[k] || names[k][0]) {
			close(SD_LISTEN_FDS_START + k);
			if (names && names[k] && d->restart_enabled)
				sd_notifyf(0, "FDSTOREREMOVE=1\nFDNAME=%s", names[k]);
		}
		if (names)
			free(names[k]);
	}
	free(names);
	json_decref(st);
	if (r == 0) {
		*ret_sessions = nsessions;
		*ret_asks = nasks;
	}
	return r;
}
