// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target for the policy's `redact:` section, end to end: the input is a policy
 * document; when redact_policy_load_buffer() accepts it, an engine is built from it (custom
 * patterns compiled by Vectorscan, kinds disabled) and run over a fixed sample.  Checked:
 * a rejected section leaves *ret untouched and says why; an accepted one builds an engine
 * (bad custom patterns are warnings, never failures) whose findings are ordered, inside
 * the data and of known kinds, and whose mask keeps the length.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "redact.h"
#include "redact_policy.h"

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_redact_policy: " __VA_ARGS__);                       \
			fprintf(stderr, "\n");                                                     \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static const char sample[] =
	"export AWS_ACCESS_KEY_ID=AKIAZ7VRSQ2EXU5MJ3NO\n"
	"itk_0123456789abcdefABCDEF0123456789 bob@example.org +1 415-555-0132\n"
	"postgres://app:s3cr3t-pw@db.internal:5432/app password=hunter22\n";

struct check {
	const struct redact_engine *e;
	size_t end;
};

static int on_finding(const struct redact_finding *f, void *ctx)
{
	struct check *c = ctx;
	const char *const *k;
	bool known = false;

	CHECK(f->length > 0 && f->offset >= c->end, "finding out of order");
	CHECK(f->offset + f->length <= sizeof(sample) - 1, "finding past the end");
	for (k = redact_kinds(c->e); *k && !known; k++)
		known = !strcmp(*k, f->kind);
	CHECK(known, "finding of unknown kind '%s'", f->kind);
	c->end = f->offset + f->length;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_diags *d = calloc(1, sizeof(*d));
	struct redact_policy *rp = (struct redact_policy *)&d; /* sentinel: must stay */
	struct redact_engine *e = NULL;
	char buf[sizeof(sample)];
	struct check c = { 0 };
	int r;

	CHECK(d, "out of memory");
	r = redact_policy_load_buffer((const char *)data, size, "fuzz.yaml", &rp, d);
	if (r < 0) {
		CHECK(rp == (struct redact_policy *)&d, "*ret set on failure");
		CHECK(r != -EINVAL || d->count > 0, "rejected without a diagnostic");
		free(d);
		return 0;
	}
	r = redact_engine_new(rp, &e, d);
	CHECK(r == 0, "engine from an accepted section failed: %d", r);
	c.e = e;
	CHECK(redact_scan(e, sample, sizeof(sample) - 1, on_finding, &c) == 0, "scan failed");
	memcpy(buf, sample, sizeof(sample));
	CHECK(redact_mask(e, buf, sizeof(sample) - 1) >= 0, "mask failed");
	CHECK(strlen(buf) == sizeof(sample) - 1, "mask changed the length");
	redact_engine_free(e);
	redact_policy_free(rp);
	free(d);
	return 0;
}
