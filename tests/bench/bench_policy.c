// SPDX-License-Identifier: Apache-2.0
/*
 * What one policy decision costs: policy_decide() under the embedded default, in a loop,
 * for the requests a coding agent makes most (a write-open in the workspace, a read) and
 * for the ones that match paths as trees (a rename of a directory, a symlink).  No
 * seccomp, no daemon: the matcher alone, which runs once per notified syscall.
 *
 * Build and run: make bench (or build/tests/bench/bench_policy [N]).  The figure is the
 * best of 5 runs of N decisions (default 50000), in nanoseconds per decision.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy.h"
#include "request.h"

#define HOME "/home/u"
#define WS   "/home/u/proj"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static struct al_request *req(enum al_op op, const char *syscall, const char *path,
			      const char *path2)
{
	struct al_request *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->op = op;
	r->syscall = syscall;
	r->home = HOME;
	r->workspace = WS;
	snprintf(r->path, sizeof(r->path), "%s", path);
	if (path2)
		snprintf(r->path2, sizeof(r->path2), "%s", path2);
	return r;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *what;
		enum al_op op;
		const char *syscall, *path, *path2;
	} cases[] = {
		{ "write-open in the workspace", AL_OP_WRITE, "openat", WS "/src/lib/main.c",
		  NULL },
		{ "read-open in the workspace", AL_OP_READ, "openat", WS "/src/lib/main.c", NULL },
		{ "write-open of ~/.bashrc (asks)", AL_OP_WRITE, "openat", HOME "/.bashrc", NULL },
		{ "rename of a file in the workspace", AL_OP_DELETE, "renameat2", WS "/src/a.c.tmp",
		  WS "/src/a.c" },
		{ "rename of a directory in the workspace", AL_OP_DELETE, "renameat2", WS "/build",
		  WS "/build.old" },
		{ "rename of .git/hooks (asks)", AL_OP_DELETE, "renameat2", WS "/.git/hooks",
		  WS "/.git/h" },
		{ "symlink in the workspace", AL_OP_WRITE, "symlinkat", WS "/node_modules/.bin/tsc",
		  "../typescript/bin/tsc" },
	};
	long n = argc > 1 ? atol(argv[1]) : 50000;
	struct policy *p = NULL;
	int ret = 1;

	if (n <= 0 || policy_load_default(&p) < 0) {
		fprintf(stderr, "usage: bench_policy [N]: the default policy must load\n");
		return 1;
	}
	printf("policy_decide() under the embedded default, best of 5 x %ld decisions\n", n);
	printf("%-42s %10s  %s\n", "request", "ns/dec", "decision");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct al_request *r =
			req(cases[i].op, cases[i].syscall, cases[i].path, cases[i].path2);
		struct al_decision d;
		double best = 0;

		if (!r)
			goto out;
		for (int run = 0; run < 5; run++) {
			double t0 = now_ns(), dt;

			for (long k = 0; k < n; k++)
				policy_decide(p, r, &d);
			dt = (now_ns() - t0) / (double)n;
			if (run == 0 || dt < best)
				best = dt;
		}
		printf("%-42s %10.0f  %s%s%s\n", cases[i].what, best, al_action_name(d.action),
		       d.rule ? " " : "", d.rule ? d.rule : "");
		free(r);
	}
	ret = 0;
out:
	policy_free(p);
	return ret;
}
