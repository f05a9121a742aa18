// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target: any bytes into policy_load_buffer must give a policy or -EINVAL with
 * at least one diagnostic, never a crash, a leak or a hang.  A policy that loads is also
 * dumped and asked to decide a few requests, so that what the parser builds is walked.
 *
 *   make fuzz && build/fuzz/fuzz_policy -max_len=4096 deploy/policy
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decide_some(const struct policy *p)
{
	static const char *const addrs[] = { "8.8.8.8:443", "[::1]:22", "unix:/run/docker.sock",
					     "unix:@/tmp/dbus-x" };
	static struct al_request r;
	struct al_decision d;

	memset(&r, 0, sizeof(r));
	r.home = "/home/u";
	r.workspace = "/home/u/proj";
	r.op = AL_OP_EXEC;
	strcpy(r.path, "/usr/bin/rm");
	strcpy(r.argbuf, "rm");
	strcpy(r.argbuf + 3, "-rf");
	r.argv[0] = r.argbuf;
	r.argv[1] = r.argbuf + 3;
	r.argc = 2;
	policy_decide(p, &r, &d);

	memset(&r, 0, offsetof(struct al_request, argbuf));
	r.home = "/home/u";
	r.workspace = "/home/u/proj";
	r.op = AL_OP_DELETE;
	strcpy(r.path, "/home/u/proj/.git/hooks/x");
	strcpy(r.path2, "/etc/a/b/c/.env");
	policy_decide(p, &r, &d);
	r.op = AL_OP_READ;
	policy_decide(p, &r, &d);

	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		r.op = AL_OP_CONNECT;
		if (al_addr_parse(addrs[i], &r.addr, &r.addrlen) == 0)
			policy_decide(p, &r, &d);
	}
	for (int op = AL_OP_PRIVILEGE; op < AL_OP__MAX; op++) {
		r.op = op;
		r.syscall = "openat";
		policy_decide(p, &r, &d);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct policy_diags diags;
	struct policy *p = NULL;
	FILE *null;
	int r;

	r = policy_load_buffer((const char *)data, size, "fuzz.yaml", &p, &diags);
	if (r == 0) {
		decide_some(p);
		null = fopen("/dev/null", "we");
		if (null) {
			policy_dump(p, null);
			fclose(null);
		}
		policy_free(p);
	} else if (r != -EINVAL || diags.count == 0) {
		/* -ENOMEM aside, a rejected policy must say why. */
		if (r != -ENOMEM)
			abort();
	}
	return 0;
}
