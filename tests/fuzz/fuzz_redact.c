// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target for the redaction engine.  The first byte chooses a stream holdback and
 * how the rest is cut into chunks; the rest is the data.  Checked on every input:
 *   - redact_scan() reports findings in order, inside the buffer, never overlapping;
 *   - redact_mask() keeps the length and changes only bytes inside those findings;
 *   - the stream, fed the data in fuzzer-chosen chunks and flushed, emits exactly as many
 *     bytes as it was given and never holds more than its bound; its findings cover
 *     exactly the bytes the one-shot findings cover, and it changes no byte outside them;
 *     with FUZZ_REDACT_EXACT=1 its output must also equal the one-shot mask byte for byte
 *     (the mask text, not just the span).
 * Any violation aborts, so libFuzzer keeps the input as a crash.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"

static struct redact_engine *engine;
static bool exact; /* FUZZ_REDACT_EXACT=1: stream output must equal the one-shot mask */

struct out {
	unsigned char *buf;
	size_t len, cap;
};

struct scan_check {
	size_t len, end;
	unsigned char *inside; /* 1 where a finding covers the byte */
};

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_redact: " __VA_ARGS__);                              \
			fprintf(stderr, "\n");                                                     \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static int on_finding(const struct redact_finding *f, void *ctx)
{
	struct scan_check *c = ctx;

	CHECK(f->length > 0, "empty finding");
	CHECK(f->offset >= c->end, "finding at %zu overlaps or precedes the previous one",
	      f->offset);
	CHECK(f->offset + f->length <= c->len, "finding past the end");
	CHECK(f->kind && f->rule, "finding without kind or rule");
	memset(c->inside + f->offset, 1, f->length);
	c->end = f->offset + f->length;
	return 0;
}

/* Stream findings, offsets from the stream start: where the stream says it masked. */
static int on_stream_finding(const struct redact_finding *f, void *ctx)
{
	struct scan_check *c = ctx;

	CHECK(f->length > 0, "empty stream finding");
	CHECK(f->offset + f->length <= c->len, "stream finding past the end");
	memset(c->inside + f->offset, 1, f->length);
	return 0;
}

static int on_out(const void *buf, size_t len, void *ctx)
{
	struct out *o = ctx;

	CHECK(o->len + len <= o->cap, "stream emitted more than it was fed");
	memcpy(o->buf + o->len, buf, len);
	o->len += len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scan_check sc = { 0 }, st = { 0 };
	struct redact_stream *s = NULL;
	struct out o = { 0 };
	unsigned char *masked;
	size_t holdback, off, len;
	uint32_t rng;
	int n;

	if (!engine) {
		const char *x = getenv("FUZZ_REDACT_EXACT");

		if (redact_engine_new(NULL, &engine, NULL) < 0)
			abort();
		exact = x && *x == '1';
	}
	if (size < 1)
		return 0;
	holdback = (data[0] & 1) ? REDACT_HOLDBACK_MIN : 0;
	rng = 0x9e3779b9u ^ data[0];
	data++;
	len = size - 1;

	masked = malloc(len + 1);
	sc.inside = calloc(len + 1, 1);
	st.inside = calloc(len + 1, 1);
	o.buf = malloc(len + 1);
	o.cap = len;
	CHECK(masked && sc.inside && st.inside && o.buf, "out of memory");

	sc.len = len;
	st.len = len;
	CHECK(redact_scan(engine, data, len, on_finding, &sc) == 0, "redact_scan failed");
	memcpy(masked, data, len);
	n = redact_mask(engine, masked, len);
	CHECK(n >= 0, "redact_mask failed");
	for (size_t i = 0; i < len; i++)
		CHECK(masked[i] == data[i] || sc.inside[i], "byte %zu changed outside any finding",
		      i);

	CHECK(redact_stream_new(engine, holdback, on_stream_finding, &st, &s) == 0,
	      "redact_stream_new");
	off = 0;
	while (off < len) {
		size_t chunk;

		rng = rng * 1103515245u + 12345u;
		/* mostly small chunks so that many boundaries fall inside matches */
		chunk = 1 + (rng >> 16) % ((rng & 0x8000) ? 4096 : 64);
		if (chunk > len - off)
			chunk = len - off;
		CHECK(redact_stream_feed(s, data + off, chunk, on_out, &o) == 0, "feed failed");
		CHECK(redact_stream_pending(s) <=
			      (holdback ? holdback : (size_t)REDACT_HOLDBACK_DEFAULT),
		      "stream holds %zu bytes", redact_stream_pending(s));
		off += chunk;
	}
	CHECK(redact_stream_flush(s, on_out, &o) == 0, "flush failed");
	CHECK(o.len == len, "stream emitted %zu bytes for %zu", o.len, len);
	CHECK(redact_stream_offset(s) == len, "stream offset %llu for %zu",
	      (unsigned long long)redact_stream_offset(s), len);
	for (size_t i = 0; i < len; i++) {
		/* What the one-shot scan hides, the stream must hide too, and nothing else;
		 * bytes outside its findings go out as they came in. */
		CHECK(!sc.inside[i] || st.inside[i],
		      "stream let byte %zu of %zu through that the one-shot mask hides", i, len);
		CHECK(!st.inside[i] || sc.inside[i],
		      "stream masked byte %zu of %zu that the one-shot mask keeps", i, len);
		CHECK(st.inside[i] || o.buf[i] == data[i],
		      "stream changed byte %zu of %zu outside its findings", i, len);
		/* Same bytes hidden but the mask written differently (e.g. "[kind]" restarted
		 * mid-span): a contract violation only when exactness is asked for. */
		CHECK(!exact || o.buf[i] == masked[i],
		      "stream and one-shot masks differ at byte %zu of %zu", i, len);
	}

	redact_stream_free(s);
	free(o.buf);
	free(sc.inside);
	free(st.inside);
	free(masked);
	return 0;
}
