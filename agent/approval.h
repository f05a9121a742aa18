/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pending asks: a parked notification (the target's thread waits in the kernel), the
 * decision that asked for it, a deadline.  Ids start at 1 and are never reused while the
 * daemon runs.  The table does not answer anything: gate.c does, then removes the entry.
 */
#ifndef AIRLOCK_APPROVAL_H
#define AIRLOCK_APPROVAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "approval_scope.h"
#include "clock.h"
#include "loop.h"
#include "notify.h"
#include "policy.h"

struct approval {
	struct approval *next;
	uint64_t id;
	uint64_t session_id;
	struct gate_notif *n; /* owned */
	struct al_decision decision;
	char rule[128];	      /* copied: a reload frees the policy decision.rule points in */
	json_t *process;      /* {pid, exe, argv} read when the call arrived */
	uint64_t asked_ms;    /* CLOCK_REALTIME */
	uint64_t expires_ms;  /* CLOCK_REALTIME, for display */
	uint64_t deadline_ms; /* CLOCK_MONOTONIC, what the timer uses */
	struct loop_src src;  /* LOOP_TARGET on n->pidfd */
};

struct approval_table {
	struct approval *head; /* in id order */
	uint64_t next_id;
	size_t count;
};

void approval_table_init(struct approval_table *t);

/* Link a (zeroed, filled) approval, giving it the next id. */
void approval_add(struct approval_table *t, struct approval *a);
struct approval *approval_find(const struct approval_table *t, uint64_t id);
/* Unlink (does not free). */
void approval_remove(struct approval_table *t, struct approval *a);
/* Free an unlinked approval: releases the notification's fds, does not answer it. */
void approval_free(struct approval *a);

/* The earliest deadline (CLOCK_MONOTONIC ms); false when nothing is pending. */
bool approval_next_deadline(const struct approval_table *t, uint64_t *ret_ms);
/* The first entry whose deadline is at or before now_ms, or NULL. */
struct approval *approval_first_expired(const struct approval_table *t, uint64_t now_ms);
/* Number of entries of one session. */
size_t approval_count_session(const struct approval_table *t, uint64_t session_id);

#endif
