// SPDX-License-Identifier: Apache-2.0
/*
 * The streaming redactor against the one-shot one: whatever the chunking, a stream that is
 * fed a whole input and flushed must emit exactly what redact_mask() makes of that input,
 * byte for byte and finding for finding.  Each sample is split at every byte boundary into
 * two chunks, and also fed one byte at a time.  Random binary data passes unchanged, and a
 * stream holds back no more than its bound.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"
#include "redact_labels.h"

struct sink {
	char *buf;
	size_t len, cap;
	struct redact_finding f[16];
	size_t nf;
};

static int sink_out(const void *buf, size_t len, void *ctx)
{
	struct sink *s = ctx;

	if (s->len + len > s->cap) {
		size_t ncap = s->cap ? s->cap : 4096;
		char *n;

		while (ncap < s->len + len)
			ncap *= 2;
		n = realloc(s->buf, ncap);
		if (!n)
			return -ENOMEM;
		s->buf = n;
		s->cap = ncap;
	}
	memcpy(s->buf + s->len, buf, len);
	s->len += len;
	return 0;
}

static int sink_finding(const struct redact_finding *f, void *ctx)
{
	struct sink *s = ctx;

	if (s->nf < 16)
		s->f[s->nf] = *f;
	s->nf++;
	return 0;
}

static int one_finding(const struct redact_finding *f, void *ctx)
{
	return sink_finding(f, ctx);
}

static struct redact_engine *engine(void)
{
	struct redact_engine *e = NULL;
	int r = redact_engine_new(NULL, &e, NULL);

	cr_assert_eq(r, 0, "redact_engine_new: %s", strerror(-r));
	return e;
}

/* Feed in[0..len) cut at the given boundaries (increasing, within 0..len), then flush. */
static void run_stream(const struct redact_engine *e, const char *in, size_t len,
		       const size_t *cuts, size_t ncuts, struct sink *out)
{
	struct redact_stream *s = NULL;
	size_t prev = 0;
	int r;

	r = redact_stream_new(e, 0, sink_finding, out, &s);
	cr_assert_eq(r, 0, "redact_stream_new: %d", r);
	for (size_t i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : len;

		r = redact_stream_feed(s, in + prev, end - prev, sink_out, out);
		cr_assert_eq(r, 0, "redact_stream_feed: %d", r);
		cr_assert_leq(redact_stream_pending(s), REDACT_HOLDBACK_DEFAULT);
		prev = end;
	}
	r = redact_stream_flush(s, sink_out, out);
	cr_assert_eq(r, 0, "redact_stream_flush: %d", r);
	cr_assert_eq(redact_stream_pending(s), 0);
	cr_assert_eq(redact_stream_offset(s), len);
	redact_stream_free(s);
}

static void expect_same(const char *what, const char *in, size_t len, const struct sink *oneshot,
			const struct sink *got)
{
	cr_assert_eq(got->len, len, "%s: %zu bytes out for %zu in", what, got->len, len);
	cr_assert(!memcmp(got->buf, oneshot->buf, len), "%s: stream output\n%.*s\none-shot\n%.*s",
		  what, (int)len, got->buf, (int)len, oneshot->buf);
	cr_assert_eq(got->nf, oneshot->nf, "%s: %zu findings, one-shot %zu", what, got->nf,
		     oneshot->nf);
	for (size_t i = 0; i < got->nf && i < 16; i++) {
		cr_assert_eq(got->f[i].offset, oneshot->f[i].offset, "%s: finding %zu offset", what,
			     i);
		cr_assert_eq(got->f[i].length, oneshot->f[i].length, "%s: finding %zu length", what,
			     i);
		cr_assert_str_eq(got->f[i].kind, oneshot->f[i].kind);
	}
	(void)in;
}

static void check_sample(const char *name, const char *in)
{
	struct redact_engine *e = engine();
	size_t len = strlen(in);
	struct sink ref = { 0 };
	int n;

	/* one shot: the reference output and findings */
	ref.buf = malloc(len + 1);
	cr_assert_not_null(ref.buf);
	memcpy(ref.buf, in, len);
	ref.len = len;
	n = redact_mask(e, ref.buf, len);
	cr_assert_gt(n, 0, "%s: the sample has nothing to mask", name);
	cr_assert(memcmp(ref.buf, in, len), "%s: masking changed nothing", name);
	cr_assert_eq(redact_scan(e, in, len, one_finding, &ref), 0);

	for (size_t cut = 0; cut <= len; cut++) {
		struct sink got = { 0 };
		char what[96];

		snprintf(what, sizeof(what), "%s split at %zu", name, cut);
		run_stream(e, in, len, &cut, 1, &got);
		expect_same(what, in, len, &ref, &got);
		free(got.buf);
	}

	size_t *cuts = malloc(len * sizeof(*cuts));
	struct sink got = { 0 };
	char what[96];

	cr_assert_not_null(cuts);
	for (size_t i = 0; i < len; i++)
		cuts[i] = i + 1;
	snprintf(what, sizeof(what), "%s in 1-byte chunks", name);
	run_stream(e, in, len, cuts, len ? len - 1 : 0, &got);
	expect_same(what, in, len, &ref, &got);
	free(got.buf);
	free(cuts);
	free(ref.buf);
	redact_engine_free(e);
}

Test(redact_stream, github_token_split_everywhere)
{
	check_sample("github-token",
		     "export GITHUB_TOKEN=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\n"
		     "gh pr list\n");
}

Test(redact_stream, aws_pair_split_everywhere)
{
	check_sample("aws", "[default]\naws_access_key_id = AKIA5LGKRLNROZ6W6734\n"
			    "aws_secret_access_key = A5YGO5jfKNhtjlpBrvHF4LwA6J9S5dGO97zu5T6U\n");
}

Test(redact_stream, private_key_split_everywhere)
{
	check_sample("private-key",
		     "$ cat key.pem\n-----BEGIN EC PRIVATE KEY-----\n"
		     "MHcCAQEEIInmKHiv3IU2ad5d+k0qjl8uJl5ftiJ0TX2T7nbTmAfjJfPAGA40qW3t\n"
		     "WGiasUQ9db4j88hm6X54B+HjtBI+jkwjbTapT4i4mWesftscFaull0wwZz/T3yPH\n"
		     "0zfoMmPALl2fyWYJNJWh5fpbTNKjbPgiBQ==\n-----END EC PRIVATE KEY-----\n$ ");
}

Test(redact_stream, escaped_private_key_in_json_split_everywhere)
{
	check_sample("json-private-key",
		     "{\"output\":\"-----BEGIN EC PRIVATE KEY-----\\n"
		     "MHcCAQEEIInmKHiv3IU2ad5d+k0qjl8uJl5ftiJ0TX2T7nbTmAfjJfPAGA40qW3t\\n"
		     "WGiasUQ9db4j88hm6X54B+HjtBI+jkwjbTapT4i4mWesftscFaull0wwZz/T3yPH\\n"
		     "0zfoMmPALl2fyWYJNJWh5fpbTNKjbPgiBQ==\\n-----END EC PRIVATE KEY-----\\n\"}");
}

Test(redact_stream, jwt_and_email_split_everywhere)
{
	check_sample(
		"jwt+email",
		"{\"user\":\"maria.gonzalez84@gmail.com\",\"token\":\"eyJhbGciOiJIUzI1NiIsInR5cCI6"
		"IkpXVCJ9.eyJzdWIiOiJhY2N0XzBSZ1Zkb2pLdmIiLCJpYXQiOjE3NjQ5NDczMDksImV4cCI6MTc2ND"
		"k0ODIwOSwic2NvcGUiOiJkZXBsb3kifQ.tTv6gEbnCUimH8kXuvN5QartUwJ4KSYtYiqHcEMdc1I\"}");
}

Test(redact_stream, pii_split_everywhere)
{
	check_sample("pii", "card 5310 6660 8431 9625 ssn 325-10-2665 iban DE55384629895948680990 "
			    "tel +1 415-867-2291\n");
}

Test(redact_stream, database_url_split_everywhere)
{
	check_sample("database-url",
		     "DATABASE_URL=postgres://orders_app:ZtRA96M1ic7qUwjJT8Nd07@orders-db.internal"
		     ":5432/orders\n");
}

/* A secret right at the end of the data, with no newline after it, is masked by the flush. */
Test(redact_stream, secret_at_end_without_newline)
{
	check_sample("tail", "token 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");
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random bytes hold no secret: they go through unchanged, whatever the chunk sizes. */
Test(redact_stream, random_binary_passes_unchanged)
{
	const size_t total = 4 << 20;
	struct redact_engine *e = engine();
	struct redact_stream *s = NULL;
	struct sink out = { 0 }, found = { 0 };
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	unsigned char *in = malloc(total);
	size_t off = 0;

	cr_assert_not_null(in);
	for (size_t i = 0; i < total; i += 8) {
		uint64_t v = xorshift(&seed);

		memcpy(in + i, &v, 8);
	}
	cr_assert_eq(redact_stream_new(e, 0, sink_finding, &found, &s), 0);
	while (off < total) {
		size_t n = 1 + xorshift(&seed) % 65536;

		if (n > total - off)
			n = total - off;
		cr_assert_eq(redact_stream_feed(s, in + off, n, sink_out, &out), 0);
		cr_assert_leq(redact_stream_pending(s), REDACT_HOLDBACK_DEFAULT);
		off += n;
	}
	cr_assert_eq(redact_stream_flush(s, sink_out, &out), 0);
	cr_assert_eq(out.len, total);
	for (size_t i = 0; i < found.nf && i < 16; i++)
		cr_expect_fail("finding in random data at %zu+%zu: %s", found.f[i].offset,
			       found.f[i].length, found.f[i].kind);
	cr_assert(!memcmp(out.buf, in, total), "random binary data was changed");

	/* and the one-shot API agrees */
	cr_assert_eq(redact_mask(e, in, total), 0);
	free(out.buf);
	free(in);
	redact_stream_free(s);
	redact_engine_free(e);
}

/* A line that never ends is not held back beyond the bound: bytes keep flowing. */
Test(redact_stream, long_line_is_bounded)
{
	struct redact_engine *e = engine();
	struct redact_stream *s = NULL;
	struct sink out = { 0 };
	char chunk[1000];
	size_t fed = 0;

	memset(chunk, 'a', sizeof(chunk));
	cr_assert_eq(redact_stream_new(e, 0, NULL, NULL, &s), 0);
	for (int i = 0; i < 1024; i++) {
		cr_assert_eq(redact_stream_feed(s, chunk, sizeof(chunk), sink_out, &out), 0);
		fed += sizeof(chunk);
		cr_assert_leq(redact_stream_pending(s), REDACT_HOLDBACK_DEFAULT);
		cr_assert_eq(out.len + redact_stream_pending(s), fed);
	}
	cr_assert_eq(redact_stream_flush(s, sink_out, &out), 0);
	cr_assert_eq(out.len, fed);
	free(out.buf);
	redact_stream_free(s);
	redact_engine_free(e);
}

/* The held tail waits for the next chunk: a token cut in two is not emitted half clear. */
Test(redact_stream, holds_back_a_partial_token)
{
	static const char a[] = "log: token ghp_i15T5lgKDo6ON",
			  b[] = "iNSNmPwCN0t4vq8uY3NOZvE done\n";
	struct redact_engine *e = engine();
	struct redact_stream *s = NULL;
	struct sink out = { 0 };

	cr_assert_eq(redact_stream_new(e, 0, NULL, NULL, &s), 0);
	cr_assert_eq(redact_stream_feed(s, a, strlen(a), sink_out, &out), 0);
	cr_assert_gt(redact_stream_pending(s), 0, "nothing held back of a partial token");
	cr_assert(!out.len || !memmem(out.buf, out.len, "ghp_", 4), "token start emitted in clear");
	cr_assert_eq(redact_stream_feed(s, b, strlen(b), sink_out, &out), 0);
	cr_assert_eq(redact_stream_flush(s, sink_out, &out), 0);
	cr_assert_eq(out.len, strlen(a) + strlen(b));
	cr_assert(!memmem(out.buf, out.len, "ghp_i15T", 8), "token not masked: '%.*s'",
		  (int)out.len, out.buf);
	free(out.buf);
	redact_stream_free(s);
	redact_engine_free(e);
}

/* Up to 24 bytes of p, non-printable ones escaped, so test output stays text. */
static const char *printable(const char *p, size_t n, char out[100])
{
	size_t o = 0;

	for (size_t i = 0; i < n && i < 24; i++) {
		unsigned char c = p[i];

		if (c >= 0x20 && c < 0x7f)
			out[o++] = c;
		else
			o += sprintf(out + o, "\\x%02x", c);
	}
	out[o] = '\0';
	return out;
}

/* Feed in[0..len) in fixed-size chunks with the default and the smallest holdback; the
 * output must be the one-shot mask, byte for byte. */
static void check_chunked(const char *what, const char *in, size_t len)
{
	struct redact_engine *e = engine();
	char *ref = malloc(len);

	cr_assert_not_null(ref);
	memcpy(ref, in, len);
	cr_assert_gt(redact_mask(e, ref, len), 0, "%s: nothing masked", what);
	for (size_t chunk = 1; chunk <= 4096; chunk *= 4) {
		for (size_t hold = 0; hold <= REDACT_HOLDBACK_MIN; hold += REDACT_HOLDBACK_MIN) {
			struct redact_stream *s = NULL;
			struct sink out = { 0 };
			size_t i = 0;

			cr_assert_eq(redact_stream_new(e, hold, NULL, NULL, &s), 0);
			for (size_t off = 0; off < len; off += chunk)
				cr_assert_eq(
					redact_stream_feed(s, in + off,
							   off + chunk > len ? len - off : chunk,
							   sink_out, &out),
					0);
			cr_assert_eq(redact_stream_flush(s, sink_out, &out), 0);
			cr_assert_eq(out.len, len);
			while (i < len && out.buf[i] == ref[i])
				i++;
			char a[100], b[100];

			cr_expect_eq(i, len,
				     "%s, holdback %zu, %zu-byte chunks: from byte %zu stream "
				     "'%s', one-shot '%s'",
				     what, hold, chunk, i, printable(out.buf + i, len - i, a),
				     printable(ref + i, len - i, b));
			free(out.buf);
			redact_stream_free(s);
		}
	}
	free(ref);
	redact_engine_free(e);
}

/* An RSA key block of `lines` base64 lines, the byte at `odd` (when not 0) replaced by
 * 0x95, which is not UTF-8. */
static size_t make_key(char *buf, int lines, size_t odd)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint64_t seed = 0x2545f4914f6cdd1dull;
	size_t len = 0;

	len += sprintf(buf + len, "$ cat id_rsa\n-----BEGIN RSA PRIVATE KEY-----\n");
	for (int line = 0; line < lines; line++) {
		for (int i = 0; i < 64; i++)
			buf[len++] = b64[xorshift(&seed) % 64];
		buf[len++] = '\n';
	}
	len += sprintf(buf + len, "-----END RSA PRIVATE KEY-----\n$ ");
	if (odd)
		buf[odd] = (char)0x95;
	return len;
}

/* A private key block longer than the holdback goes out masked as it passes; the bytes
 * must still be those of the one-shot mask (found by fuzz_redact). */
Test(redact_stream, private_key_longer_than_holdback)
{
	char *in = malloc(8192);

	cr_assert_not_null(in);
	check_chunked("50-line key", in, make_key(in, 50, 0));
	free(in);
}

/* A stray non-UTF-8 byte inside a key block (a flipped bit, a mangled paste): the rest is
 * still the key, so the block is masked, by the one-shot mask and by the stream alike
 * (fuzz_redact found the stream letting the key through in clear where the one-shot mask
 * hid it). */
Test(redact_stream, binary_byte_inside_private_key)
{
	char *in = malloc(8192);

	cr_assert_not_null(in);
	check_chunked("key with a 0x95 byte", in, make_key(in, 8, 100));
	free(in);
}

/* A key block cut short (no END line, as `head -c` leaves it): its lines are masked, and
 * the stream agrees with the one-shot mask on where the block stops (fuzz_redact found the
 * one-shot mask running on to the end of the data while the stream stopped). */
Test(redact_stream, truncated_private_key)
{
	char *in = malloc(8192), *end, *ref;
	struct redact_engine *e = engine();
	size_t len = make_key(in, 6, 0);
	static const char tail[] = "$ echo done\ndone\n";

	cr_assert_not_null(in);
	end = strstr(in, "-----END");
	cr_assert_not_null(end);
	memcpy(end, tail, sizeof(tail));
	len = end - in + strlen(tail);
	check_chunked("truncated key", in, len);

	ref = malloc(len);
	cr_assert_not_null(ref);
	memcpy(ref, in, len);
	redact_mask(e, ref, len);
	cr_expect(!memcmp(ref + len - strlen(tail), tail, strlen(tail)),
		  "text after a truncated key block was masked too");
	free(ref);
	free(in);
	redact_engine_free(e);
}

/* The same with escaped newlines, cut mid-line (a log line got spliced onto it); ordinary
 * lines follow, and an unrelated END line comes later.  The one-shot mask must not bridge
 * the block over those lines to that END, and the stream must agree (minimised from a
 * fuzz_redact crash). */
Test(redact_stream, truncated_escaped_private_key)
{
	static const char in[] =
		"{\"output\":\"-----BEGIN OPENSSH PRIVATE KEY-----\\n"
		"b3BlbnNzaC1rZXktdjEAcgQim4f0HuQWTpea1T0F0l7bGhuJK9n4DyM2Rlxdw78/YSBF/g\\n"
		"vmNHdJ+WkBKleHdeM1IqZt3ub0uoLNEXojiGumgh1BAc73zl8bShNhEDiISlznBoN1o/N9\\n"
		"7Nd2DUls9Ihwu+0htV4zhevnOavI4RVDEcakT899mHCbY6jCE946lkt3v/vdDQzCKukOBD"
		"d:session): session opened for user deploy(uid=1001) by (uid=0)\n"
		"Nov 21 09:32:05 web-03 systemd[1]: Started orders-worker@3.service.\n"
		"Nov 21 09:35:00 web-03 dhclient[811]: DHCPACK of 10.40.3.17 from 10.40.0.1\n"
		"Nov 21 09:36:00 web-03 backup.sh[22873]: ~-----END OPENSSH PRIVATE KEY-----\\n\n";
	static const char tail[] = "Nov 21 09:35:00 web-03 dhclient[811]: DHCPACK of 10.40.3.17 "
				   "from 10.40.0.1\n";
	struct redact_engine *e = engine();
	size_t len = strlen(in);
	char *ref = malloc(len);

	check_chunked("truncated escaped key", in, len);
	cr_assert_not_null(ref);
	memcpy(ref, in, len);
	redact_mask(e, ref, len);
	cr_expect(memmem(ref, len, tail, strlen(tail)) != NULL,
		  "lines after a truncated escaped key block were masked too");
	free(ref);
	redact_engine_free(e);
}

/* The whole labelled corpus, labels stripped, as one stream in random chunk sizes (several
 * rounds with different cuts): the stream emits exactly the one-shot mask of the whole. */
Test(redact_stream, corpus_in_random_chunks)
{
	const char *dir = getenv("AIRLOCK_REDACT_CORPUS");
	struct redact_engine *e = engine();
	size_t len = 0, cap = 1 << 20;
	char *all = malloc(cap), *ref;
	uint64_t seed = 0x853c49e6748fea9bull;
	struct dirent *de;
	DIR *d;

	if (!dir || !*dir)
		dir = "tests/corpus/labelled";
	d = opendir(dir);
	cr_assert_not_null(d, "cannot open '%s' (run from the repo top)", dir);
	cr_assert_not_null(all);
	while ((de = readdir(d))) {
		char path[4096], *raw;
		size_t rawlen;
		struct labelled doc;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		cr_assert_eq(read_whole_file(path, &raw, &rawlen), 0, "cannot read '%s'", path);
		cr_assert_eq(labelled_parse(raw, rawlen, &doc, NULL), 0, "'%s': bad labels", path);
		while (len + doc.len + 1 > cap) {
			cap *= 2;
			all = realloc(all, cap);
			cr_assert_not_null(all);
		}
		memcpy(all + len, doc.text, doc.len);
		len += doc.len;
		all[len++] = '\n';
		labelled_free(&doc);
		free(raw);
	}
	closedir(d);
	ref = malloc(len);
	cr_assert_not_null(ref);
	memcpy(ref, all, len);
	cr_assert_gt(redact_mask(e, ref, len), 100);

	for (int round = 0; round < 8; round++) {
		struct redact_stream *s = NULL;
		struct sink out = { 0 };
		size_t off = 0, i = 0;
		char a[100], b[100];

		cr_assert_eq(
			redact_stream_new(e, round & 1 ? REDACT_HOLDBACK_MIN : 0, NULL, NULL, &s),
			0);
		while (off < len) {
			size_t n = 1 + xorshift(&seed) % (round < 4 ? 97 : 9000);

			if (n > len - off)
				n = len - off;
			cr_assert_eq(redact_stream_feed(s, all + off, n, sink_out, &out), 0);
			off += n;
		}
		cr_assert_eq(redact_stream_flush(s, sink_out, &out), 0);
		cr_assert_eq(out.len, len);
		while (i < len && out.buf[i] == ref[i])
			i++;
		cr_expect_eq(i, len, "round %d: from byte %zu stream '%s', one-shot '%s'", round, i,
			     printable(out.buf + i, len - i, a), printable(ref + i, len - i, b));
		free(out.buf);
		redact_stream_free(s);
	}
	free(ref);
	free(all);
	redact_engine_free(e);
}
