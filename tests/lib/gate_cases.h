/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the gate's integration suites share: a scratch directory per test, a decision
 * function that records what policy would have seen, and run_gated() (start a gated
 * child, serve it, return its exit code).  Criterion-only: included by tests, never by
 * tests/lib code (benchmarks link tests/lib without Criterion).
 */
#ifndef AIRLOCK_TEST_GATE_CASES_H
#define AIRLOCK_TEST_GATE_CASES_H

#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gate_harness.h"

#define NOBODY 65534

static char dir[64];

static inline void setup(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root (seccomp listener handover, setfsuid, pidfd_getfd)");
	snprintf(dir, sizeof(dir), "/tmp/al-notify-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	chmod(dir, 0755);
}

static inline void teardown(void)
{
	if (dir[0])
		gate_rmtree(dir);
}

static const char *const open_calls[]
	__attribute__((unused)) = { "open", "openat", "openat2", "creat" };

/* ---- decisions -------------------------------------------------------------------- */

#define REC_MAX 16
struct record {
	int n;
	char path[REC_MAX][PATH_MAX];
	char path2[REC_MAX][PATH_MAX];
	enum al_op op[REC_MAX];
	int flags[REC_MAX];
	const char *deny_path; /* deny this one with EPERM */
};

static inline int record_decide(struct gate_notif *n, void *arg)
{
	struct record *rec = arg;

	if (rec->n < REC_MAX) {
		snprintf(rec->path[rec->n], PATH_MAX, "%s", n->req.path);
		snprintf(rec->path2[rec->n], PATH_MAX, "%s", n->req.path2);
		rec->op[rec->n] = n->req.op;
		rec->flags[rec->n] = n->req.open_flags;
	}
	rec->n++;
	if (rec->deny_path && strcmp(n->req.path, rec->deny_path) == 0)
		return EPERM;
	return GATE_ALLOW;
}

static inline int run_gated(const char *const *names, size_t n, const struct gate_child_opts *opts,
			    gate_child_fn fn, void *arg, gate_decide_fn decide, void *darg,
			    struct gate_harness *h)
{
	int status = -1, r;

	r = gate_start(h, names, n, opts, fn, arg);
	cr_assert_eq(r, 0, "gate_start: %s", strerror(-r));
	r = gate_serve(h, decide, darg, 20000, &status);
	cr_assert_eq(r, 0, "gate_serve: %s", strerror(-r));
	gate_stop(h);
	cr_assert(WIFEXITED(status), "child status %#x", status);
	return WEXITSTATUS(status);
}

#endif
