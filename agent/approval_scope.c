// SPDX-License-Identifier: Apache-2.0
#include "approval_scope.h"

#include <errno.h>
#include <string.h>

int approval_scope_parse(const char *s, struct approval_scope *ret)
{
	unsigned long long v = 0, unit;
	const char *p = s;

	if (!s || !*s)
		return -EINVAL;
	if (strcmp(s, "once") == 0) {
		*ret = (struct approval_scope){ .kind = APPROVAL_ONCE };
		return 0;
	}
	if (strcmp(s, "session") == 0) {
		*ret = (struct approval_scope){ .kind = APPROVAL_SESSION };
		return 0;
	}
	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned long long)(*p - '0');
		if (v > 366ULL * 24 * 3600) /* a year of seconds bounds every unit below */
			return -EINVAL;
	}
	switch (*p) {
	case 's':
		unit = 1000;
		break;
	case 'm':
		unit = 60 * 1000;
		break;
	case 'h':
		unit = 3600 * 1000;
		break;
	case 'd':
		unit = 24 * 3600 * 1000ULL;
		break;
	default:
		return -EINVAL;
	}
	if (p[1] != '\0' || v == 0 || v * unit > 366ULL * 24 * 3600 * 1000)
		return -EINVAL;
	*ret = (struct approval_scope){ .kind = APPROVAL_DURATION, .duration_ms = v * unit };
	return 0;
}
