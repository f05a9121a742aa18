// SPDX-License-Identifier: Apache-2.0
#include "approval.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void approval_table_init(struct approval_table *t)
{
	memset(t, 0, sizeof(*t));
	t->next_id = 1;
}

void approval_add(struct approval_table *t, struct approval *a)
{
	struct approval **pp = &t->head;

	a->id = t->next_id++;
	/* Ids grow, so appending keeps `pending` in the order the asks arrived. */
	while (*pp)
		pp = &(*pp)->next;
	a->next = NULL;
	*pp = a;
	t->count++;
}

struct approval *approval_find(const struct approval_table *t, uint64_t id)
{
	struct approval *a;

	for (a = t->head; a; a = a->next)
		if (a->id == id)
			return a;
	return NULL;
}

void approval_remove(struct approval_table *t, struct approval *a)
{
	struct approval **pp;

	for (pp = &t->head; *pp; pp = &(*pp)->next) {
		if (*pp == a) {
			*pp = a->next;
			a->next = NULL;
			t->count--;
			return;
		}
	}
}

void approval_free(struct approval *a)
{
	if (!a)
		return;
	if (a->n) {
		notify_release(a->n);
		free(a->n);
	}
	json_decref(a->process);
	free(a);
}

bool approval_next_deadline(const struct approval_table *t, uint64_t *ret_ms)
{
	const struct approval *a;
	uint64_t best = UINT64_MAX;

	for (a = t->head; a; a = a->next)
		if (a->deadline_ms < best)
			best = a->deadline_ms;
	if (best == UINT64_MAX)
		return false;
	*ret_ms = best;
	return true;
}

struct approval *approval_first_expired(const struct approval_table *t, uint64_t now_ms)
{
	struct approval *a;

	for (a = t->head; a; a = a->next)
		if (a->deadline_ms <= now_ms)
			return a;
	return NULL;
}

size_t approval_count_session(const struct approval_table *t, uint64_t session_id)
{
	const struct approval *a;
	size_t n = 0;

	for (a = t->head; a; a = a->next)
		if (a->session_id == session_id)
			n++;
	return n;
}
