// SPDX-License-Identifier: Apache-2.0
/*
 * Streaming redaction, one stream per fd.  Each feed scans [left context | held tail | new
 * bytes] as one buffer and passes on what is final: everything up to the last newline,
 * except an unfinished private key block, and never more than max_holdback bytes kept.
 * No built-in one-line secret spans a newline, so a line is complete once its newline has
 * arrived; a line longer than max_holdback is cut max_holdback bytes before its end, and a
 * match that straddles that cut is found whole because it is shorter than max_holdback.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redact_int.h"

struct redact_stream {
	const struct redact_engine *e;
	size_t hold_max;
	uint8_t *buf;	  /* [context | held], capacity CONTEXT + hold_max + CHUNK */
	size_t ctx_len;	  /* already emitted bytes kept as left context */
	size_t held;	  /* bytes not yet emitted, after the context */
	uint64_t out_off; /* stream offset of the first held byte */
	bool carrying;	  /* the held bytes continue a match (a key block, a long token) */
	struct cand_carry carry;
	uint64_t carry_start; /* stream offset where that match began */
	redact_finding_fn on_finding;
	void *fctx;
};

int redact_stream_new(const struct redact_engine *e, size_t max_holdback,
		      redact_finding_fn on_finding, void *finding_ctx, struct redact_stream **ret)
{
	struct redact_stream *s;

	if (!max_holdback)
		max_holdback = REDACT_HOLDBACK_DEFAULT;
	if (max_holdback < REDACT_HOLDBACK_MIN)
		max_holdback = REDACT_HOLDBACK_MIN;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->buf = malloc(REDACT_STREAM_CONTEXT + max_holdback + REDACT_STREAM_CHUNK);
	if (!s->buf) {
		free(s);
		return -ENOMEM;
	}
	s->e = e;
	s->hold_max = max_holdback;
	s->on_finding = on_finding;
	s->fctx = finding_ctx;
	*ret = s;
	return 0;
}

void redact_stream_free(struct redact_stream *s)
{
	if (!s)
		return;
	free(s->buf);
	free(s);
}

size_t redact_stream_pending(const struct redact_stream *s)
{
	return s->held;
}

uint64_t redact_stream_offset(const struct redact_stream *s)
{
	return s->out_off;
}

static const char *kind_of(const struct redact_engine *e, uint32_t rule, const char **name)
{
	const struct redact_rule_info *info;

	redact_rules(e, &info);
	*name = info[rule].name;
	return info[rule].kind;
}

/* Scan what is buffered, emit the final part, keep the rest.  final: the data ends here
 * (for now: a flush on the caller's deadline may be followed by more). */
static int process(struct redact_stream *s, bool final, redact_out_fn out, void *out_ctx)
{
	size_t wlen = s->ctx_len + s->held;
	size_t cut, i, keep_ctx;
	uint8_t raw_ctx[REDACT_STREAM_CONTEXT];
	uint8_t *b = s->buf;
	struct rscan *x;
	struct cand_carry next = { 0 };
	uint64_t next_start = 0, pos0 = s->out_off - s->ctx_len; /* stream offset of b[0] */
	bool carry_next = false;
	int r;

	s->carry.at = s->ctx_len;
	r = redact_scan_cands(s->e, b, wlen, s->carrying ? &s->carry : NULL, &x);
	if (r < 0)
		return r;
	if (final) {
		cut = wlen;
	} else {
		cut = s->ctx_len;
		for (i = wlen; i > s->ctx_len; i--)
			if (b[i - 1] == '\n') {
				cut = i;
				break;
			}
		/* a match that may go on (a key block) is held from its start */
		for (i = 0; i < x->n; i++)
			if (x->c[i].cont && x->c[i].start < cut)
				cut = x->c[i].start > s->ctx_len ? x->c[i].start : s->ctx_len;
		if (wlen - cut > s->hold_max)
			cut = wlen - s->hold_max;
		/* A complete match across the cut (a key block up to its END line) goes out
		 * whole: its bytes are final, and it is reported once.  One that ends where the
		 * data ends is complete only if it ends with its END line's dashes. */
		for (i = 0; i < x->n; i++)
			if (!x->c[i].cont && x->c[i].start < cut && x->c[i].end > cut &&
			    (x->c[i].end < wlen || b[x->c[i].end - 1] == '-'))
				cut = x->c[i].end;
	}
	if (cut == s->ctx_len)
		return 0; /* nothing final yet; a carried match stays carried */
	keep_ctx = cut < REDACT_STREAM_CONTEXT ? cut : REDACT_STREAM_CONTEXT;
	memcpy(raw_ctx, b + cut - keep_ctx, keep_ctx);
	for (i = 0; i < x->n; i++) {
		const struct cand *c = &x->c[i];
		size_t st = c->start, en = c->end, ms, total;
		bool piece = c->carried;
		uint64_t span0 = piece ? s->carry_start : pos0 + st;
		const char *kind, *rule;
		bool open_end;

		if (en <= s->ctx_len || st >= cut)
			continue;
		ms = st > s->ctx_len ? st : s->ctx_len;
		kind = kind_of(s->e, c->rule, &rule);
		open_end = c->cont && en >= wlen;
		if (s->on_finding) {
			struct redact_finding f = {
				.offset = (size_t)(pos0 + ms),
				.length = (en > cut ? cut : en) - ms,
				.kind = kind,
				.rule = rule,
				.confidence = c->confidence,
			};

			r = s->on_finding(&f, s->fctx);
			if (r)
				return r;
		}
		/* A piece of a span begun in bytes already out is masked as that span's rest.
		 * A span that may go on has no known length yet: it is long (it straddles a
		 * cut max_holdback bytes before the end), so it gets the tag. */
		total = open_end && !final ? SIZE_MAX : (size_t)(pos0 + en - span0);
		if (en > cut) {
			/* Mask what goes out now; the held rest stays raw (it is the left
			 * context of what follows) and is masked as this match's continuation
			 * next time. */
			carry_next = true;
			next.cont = open_end ? c->cont : CONT_FIXED;
			next.rule = c->rule;
			next.len = en - cut;
			next_start = span0;
			redact_mask_part(b + ms, cut - ms, kind, (size_t)(pos0 + ms - span0),
					 total);
		} else {
			redact_mask_part(b + ms, en - ms, kind, (size_t)(pos0 + ms - span0), total);
		}
	}
	r = out(b + s->ctx_len, cut - s->ctx_len, out_ctx);
	if (r)
		return r;
	s->out_off += cut - s->ctx_len;
	memmove(b, b + cut - keep_ctx, keep_ctx + (wlen - cut));
	/* the context stays raw: a literal that overlaps an emitted match still triggers */
	memcpy(b, raw_ctx, keep_ctx);
	s->ctx_len = keep_ctx;
	s->held = wlen - cut;
	s->carrying = carry_next;
	if (carry_next) {
		s->carry = next;
		s->carry_start = next_start;
	}
	return 0;
}

int redact_stream_feed(struct redact_stream *s, const void *in, size_t len, redact_out_fn out,
		       void *out_ctx)
{
	const uint8_t *p = in;
	int r;

	while (len) {
		size_t take = len < REDACT_STREAM_CHUNK ? len : REDACT_STREAM_CHUNK;

		memcpy(s->buf + s->ctx_len + s->held, p, take);
		s->held += take;
		p += take;
		len -= take;
		r = process(s, false, out, out_ctx);
		if (r)
			return r;
	}
	return 0;
}

int redact_stream_flush(struct redact_stream *s, redact_out_fn out, void *out_ctx)
{
	if (!s->held)
		return 0;
	return process(s, true, out, out_ctx);
}
