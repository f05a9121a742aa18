// SPDX-License-Identifier: Apache-2.0
#include "session.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

void session_table_init(struct session_table *t)
{
	memset(t, 0, sizeof(*t));
	t->next_id = 1;
}

int session_new(struct session_table *t, struct session **ret)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->id = t->next_id++;
	s->listener = -1;
	s->next = t->head;
	t->head = s;
	t->count++;
	*ret = s;
	return 0;
}

struct session *session_find(const struct session_table *t, uint64_t id)
{
	struct session *s;

	for (s = t->head; s; s = s->next)
		if (s->id == id)
			return s;
	return NULL;
}

struct session *session_find_by_listener(const struct session_table *t, int fd)
{
	struct session *s;

	if (fd < 0)
		return NULL;
	for (s = t->head; s; s = s->next)
		if (s->listener == fd)
			return s;
	return NULL;
}

static void grant_free(struct session_grant *g)
{
	free(g->rule);
	free(g->key);
	free(g->by_name);
	free(g);
}

void session_free(struct session_table *t, struct session *s)
{
	struct session **pp;
	struct session_grant *g, *gn;

	if (!s)
		return;
	for (pp = &t->head; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			t->count--;
			break;
		}
	}
	for (g = s->grants; g; g = gn) {
		gn = g->next;
		grant_free(g);
	}
	free(s->user);
	free(s->home);
	free(s->home_real);
	free(s->workspace);
	free(s->profile);
	json_decref(s->argv);
	free(s);
}

int session_grant_add(struct session *s, const char *rule, const char *key, uint64_t until_ms,
		      uid_t by_uid, const char *by_name)
{
	struct session_grant *g = calloc(1, sizeof(*g));

	if (!g)
		return -ENOMEM;
	g->rule = strdup(rule ? rule : "");
	g->key = strdup(key);
	g->by_name = strdup(by_name ? by_name : "");
	if (!g->rule || !g->key || !g->by_name) {
		grant_free(g);
		return -ENOMEM;
	}
	g->until_ms = until_ms;
	g->by_uid = by_uid;
	g->next = s->grants;
	s->grants = g;
	return 0;
}

const struct session_grant *session_grant_find(struct session *s, const char *rule, const char *key,
					       uint64_t now_ms)
{
	struct session_grant **pp = &s->grants, *g;

	while ((g = *pp)) {
		if (g->until_ms && g->until_ms <= now_ms) {
			*pp = g->next;
			grant_free(g);
			continue;
		}
		if (strcmp(g->rule, rule ? rule : "") == 0 && strcmp(g->key, key) == 0)
			return g;
		pp = &g->next;
	}
	return NULL;
}

int session_set_home(struct session *s, const char *home)
{
	char real[PATH_MAX];
	char *h = NULL, *hr = NULL;
	int r = -ENOMEM;

	h = strdup(home);
	if (!h)
		goto out;
	if (realpath(home, real) && strcmp(real, home) != 0) {
		hr = strdup(real);
		if (!hr)
			goto out;
	}
	free(s->home);
	free(s->home_real);
	s->home = h;
	s->home_real = hr;
	h = hr = NULL;
	r = 0;
out:
	free(h);
	free(hr);
	return r;
}
