/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scope of an approval ("once", "session", "10m"), parsed by airlockd and by the CLI.
 * A module of its own so that the CLI's approve links nothing of the daemon's tables.
 */
#ifndef AIRLOCK_APPROVAL_SCOPE_H
#define AIRLOCK_APPROVAL_SCOPE_H

#include <stdint.h>

enum approval_scope_kind {
	APPROVAL_ONCE = 0,
	APPROVAL_SESSION,
	APPROVAL_DURATION,
};

struct approval_scope {
	enum approval_scope_kind kind;
	uint64_t duration_ms; /* APPROVAL_DURATION */
};

/* "once", "session", or a duration: a number with unit s, m, h or d ("90s", "10m", "1h").
 * 0 or -EINVAL (zero, overflow, no unit, unknown unit). */
int approval_scope_parse(const char *s, struct approval_scope *ret);

#endif
