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
	bool in_key;	  /* the held bytes continue a private key block */
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

/* Scan what is buffered, emit the final part, keep the rest.  final: the data ends here. */
static int process(struct redact_stream *s, bool final, redact_out_fn out, void *out_ctx)
{
	size_t wlen = s->ctx_len + s->held, base = s->in_key ? s->ctx_len : 0;
	size_t cut, i, keep_ctx;
	uint8_t *b = s->buf;
	struct rscan *x;
	bool key_open = false;
	int r;

	r = redact_scan_cands(s->e, b + base, wlen - base, s->in_key, &x);
	if (r < 0)
		return r;
	if (final) {
		cut = wlen;
	} else {
		const uint8_t *nl = NULL;

		for (i = wlen; i > s->ctx_len; i--)
			if (b[i - 1] == '\n') {
				nl = b + i;
				break;
			}
		cut = nl ? (size_t)(nl - b) : s->ctx_len;
		for (i = 0; i < x->n; i++)
			if (x->c[i].open && x->c[i].start + base < cut)
				cut = x->c[i].start + base > s->ctx_len ? x->c[i].start + base
									: s->ctx_len;
		if (wlen - cut > s->hold_max)
			cut = wlen - s->hold_max;
	}
	for (i = 0; i < x->n; i++) {
		const struct cand *c = &x->c[i];
		size_t st = c->start + base, en = c->end + base, ms;

		if (en <= s->ctx_len || st >= cut)
			continue;
		ms = st > s->ctx_len ? st : s->ctx_len;
		if (s->on_finding) {
			struct redact_finding f;

			f.kind = kind_of(s->e, c->rule, &f.rule);
			f.offset = (size_t)(s->out_off + (ms - s->ctx_len));
			f.length = en - ms;
			f.confidence = c->confidence;
			r = s->on_finding(&f, s->fctx);
			if (r)
				return r;
		}
		{
			const char *rn;

			redact_mask_span(b + ms, en - ms, kind_of(s->e, c->rule, &rn));
		}
		if (c->open && en >= wlen)
			key_open = true;
	}
	/* A key block that reached the end of what we have continues in the next bytes. */
	if (s->in_key || key_open) {
		s->in_key = false;
		for (i = 0; i < x->n; i++)
			if (x->c[i].open && x->c[i].end + base >= wlen &&
			    x->c[i].start + base < cut)
				s->in_key = true;
	}
	if (cut > s->ctx_len) {
		r = out(b + s->ctx_len, cut - s->ctx_len, out_ctx);
		if (r)
			return r;
	}
	s->out_off += cut - s->ctx_len;
	keep_ctx = cut < REDACT_STREAM_CONTEXT ? cut : REDACT_STREAM_CONTEXT;
	memmove(b, b + cut - keep_ctx, keep_ctx + (wlen - cut));
	s->ctx_len = keep_ctx;
	s->held = wlen - cut;
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
