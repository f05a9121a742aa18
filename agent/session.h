/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The session table: one entry per `airlock run` (a cgroup directory, a seccomp listener,
 * the user it runs as, where it started) and the auto-allows that approvals with a scope
 * wider than `once` recorded for it.  Plain data; the daemon owns the fds.
 */
#ifndef AIRLOCK_SESSION_H
#define AIRLOCK_SESSION_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "bpf_layer.h"
#include "loop.h"

struct target_cache;

/* "allow the same action (rule + al_request_key) in this session", until `until_ms`
 * (CLOCK_MONOTONIC milliseconds; 0 means for as long as the session lives). */
struct session_grant {
	struct session_grant *next;
	char *rule;
	char *key;
	uint64_t until_ms;
	uid_t by_uid;
	char *by_name;
};

struct session {
	struct session *next;
	uint64_t id;
	uid_t uid;
	gid_t gid;
	char *user;
	char *home;	 /* as the passwd entry says */
	char *home_real; /* home resolved, NULL when it is the same or cannot be resolved */
	char *workspace; /* the launcher's cwd at creation */
	char *profile;	 /* NULL: the policy's rules as a whole */
	json_t *argv;	 /* array of strings, as the launcher sent it */
	char cgroup[PATH_MAX];
	uint64_t cgroup_id;
	int listener;	     /* -1 until session.attach */
	pid_t leader;	     /* the attached child */
	void *creator;	     /* the API connection that created it, until attached */
	uint64_t created_ms; /* CLOCK_REALTIME */
	bool ended;	     /* listener gone; the directory may still be busy */
	bool in_bpf;	     /* registered with the BPF layer */
	uint64_t asks, allowed, denied;
	struct al_session_counters counters;
	struct session_grant *grants;
	/* handles on its threads kept across notifications (agent/target.h); made by the
	 * gate at the first notification, dropped when the session ends */
	struct target_cache *targets;
	struct loop_src src;
};

struct session_table {
	struct session *head;
	uint64_t next_id; /* ids start at 1 */
	size_t count;
};

void session_table_init(struct session_table *t);

/* A new zeroed session with the next id, linked into t.  0 or -ENOMEM. */
int session_new(struct session_table *t, struct session **ret);
struct session *session_find(const struct session_table *t, uint64_t id);
struct session *session_find_by_listener(const struct session_table *t, int fd);
/* Unlink and free (does not close the listener: the caller unregisters it first). */
void session_free(struct session_table *t, struct session *s);
/* Set s->home (a copy of home) and s->home_real: the gate reports resolved paths, and a home
 * behind a symlink (/home -> var/home) would otherwise be missed by every '~' rule.  0 or
 * -ENOMEM; a home that cannot be resolved (absent) leaves home_real NULL. */
int session_set_home(struct session *s, const char *home);

/* Record an auto-allow.  0 or -ENOMEM. */
int session_grant_add(struct session *s, const char *rule, const char *key, uint64_t until_ms,
		      uid_t by_uid, const char *by_name);
/* The live grant for (rule, key) at now_ms, or NULL; expired grants are dropped. */
const struct session_grant *session_grant_find(struct session *s, const char *rule, const char *key,
					       uint64_t now_ms);

#endif
