// SPDX-License-Identifier: Apache-2.0
/* The pending table and approval scopes. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>

#include "approval.h"
#include "session.h"

Test(approval, parses_scopes)
{
	struct approval_scope s;

	cr_assert_eq(approval_scope_parse("once", &s), 0);
	cr_assert_eq(s.kind, APPROVAL_ONCE);
	cr_assert_eq(approval_scope_parse("session", &s), 0);
	cr_assert_eq(s.kind, APPROVAL_SESSION);
	cr_assert_eq(approval_scope_parse("10m", &s), 0);
	cr_assert_eq(s.kind, APPROVAL_DURATION);
	cr_assert_eq(s.duration_ms, 600000);
	cr_assert_eq(approval_scope_parse("1h", &s), 0);
	cr_assert_eq(s.duration_ms, 3600000);
	cr_assert_eq(approval_scope_parse("90s", &s), 0);
	cr_assert_eq(s.duration_ms, 90000);
	cr_assert_eq(approval_scope_parse("2d", &s), 0);
	cr_assert_eq(s.duration_ms, 2 * 86400000ULL);
}

Test(approval, rejects_bad_scopes)
{
	static const char *const bad[] = { "",	  "0m",	 "10",	 "m",	 "10x",
					   "-1m", "1h ", "Once", "10mm", "999999999999999999h",
					   "367d" };
	struct approval_scope s = { .kind = APPROVAL_SESSION, .duration_ms = 7 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(approval_scope_parse(bad[i], &s), -EINVAL, "'%s' accepted", bad[i]);
	/* ret_* is untouched on failure */
	cr_assert_eq(s.kind, APPROVAL_SESSION);
	cr_assert_eq(s.duration_ms, 7);
}

static struct approval *mk(uint64_t session, uint64_t deadline)
{
	struct approval *a = calloc(1, sizeof(*a));

	cr_assert_not_null(a);
	a->session_id = session;
	a->deadline_ms = deadline;
	return a;
}

Test(approval, ids_start_at_one_and_order_is_kept)
{
	struct approval_table t;
	struct approval *a, *b, *c;
	uint64_t dl;

	approval_table_init(&t);
	cr_assert_not(approval_next_deadline(&t, &dl));
	a = mk(1, 300);
	b = mk(2, 100);
	c = mk(1, 200);
	approval_add(&t, a);
	approval_add(&t, b);
	approval_add(&t, c);
	cr_assert_eq(a->id, 1);
	cr_assert_eq(b->id, 2);
	cr_assert_eq(c->id, 3);
	cr_assert_eq(t.head, a);
	cr_assert_eq(approval_find(&t, 2), b);
	cr_assert_null(approval_find(&t, 4));
	cr_assert_eq(approval_count_session(&t, 1), 2);
	cr_assert(approval_next_deadline(&t, &dl));
	cr_assert_eq(dl, 100);
	cr_assert_null(approval_first_expired(&t, 99));
	cr_assert_eq(approval_first_expired(&t, 100), b);

	approval_remove(&t, b);
	approval_free(b);
	cr_assert_eq(t.count, 2);
	cr_assert_eq(approval_first_expired(&t, 250), c);
	cr_assert_null(approval_find(&t, 2));
	/* Ids are not reused after a removal. */
	b = mk(3, 50);
	approval_add(&t, b);
	cr_assert_eq(b->id, 4);
	while (t.head) {
		a = t.head;
		approval_remove(&t, a);
		approval_free(a);
	}
	cr_assert_eq(t.count, 0);
}

Test(approval, grants_match_rule_and_key_until_they_expire)
{
	struct session_table t;
	struct session *s;

	session_table_init(&t);
	cr_assert_eq(session_new(&t, &s), 0);
	cr_assert_eq(s->id, 1);
	cr_assert_eq(session_grant_add(s, "escalation", "exec:/usr/bin/sudo", 0, 0, "root"), 0);
	cr_assert_eq(session_grant_add(s, "egress", "connect:1.2.3.4:443", 1000, 0, "root"), 0);
	cr_assert_not_null(session_grant_find(s, "escalation", "exec:/usr/bin/sudo", 5));
	cr_assert_null(session_grant_find(s, "escalation", "exec:/usr/bin/su", 5));
	cr_assert_null(session_grant_find(s, "destructive", "exec:/usr/bin/sudo", 5));
	cr_assert_not_null(session_grant_find(s, "egress", "connect:1.2.3.4:443", 999));
	cr_assert_null(session_grant_find(s, "egress", "connect:1.2.3.4:443", 1000));
	/* The expired grant is gone for good, the session-long one stays. */
	cr_assert_null(session_grant_find(s, "egress", "connect:1.2.3.4:443", 0));
	cr_assert_not_null(session_grant_find(s, "escalation", "exec:/usr/bin/sudo", 1u << 30));
	session_free(&t, s);
	cr_assert_eq(t.count, 0);
}
