// SPDX-License-Identifier: Apache-2.0
/*
 * The redaction engine's mechanics: masking format and length, bytes outside findings
 * untouched, masks never flagged again, binary data, validators, the stream's bounds and
 * deadline hook, the policy section (custom rules, disabled kinds, bad patterns) and the
 * `airlock redact` command.  Per-rule tables and the corpus are test_redact_rules.c and
 * test_redact_corpus.c; stream/one-shot equivalence is test_redact_stream.c.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "policy.h"
#include "redact.h"
#include "redact_policy.h"

struct found {
	struct redact_finding f[64];
	size_t n;
};

static int collect(const struct redact_finding *f, void *ctx)
{
	struct found *fs = ctx;

	if (fs->n < 64)
		fs->f[fs->n] = *f;
	fs->n++;
	return 0;
}

static struct redact_engine *engine(void)
{
	struct redact_engine *e = NULL;
	int r = redact_engine_new(NULL, &e, NULL);

	cr_assert_eq(r, 0, "redact_engine_new: %s", strerror(-r));
	return e;
}

static void scan(const struct redact_engine *e, const char *s, struct found *fs)
{
	memset(fs, 0, sizeof(*fs));
	cr_assert_eq(redact_scan(e, s, strlen(s), collect, fs), 0);
}

static const char doc[] =
	"2026-11-27T10:00:00Z INFO deploy started by ops\n"
	"export AWS_ACCESS_KEY_ID=AKIAZ7VRSQ2EXU5MJ3NO\n"
	"DB_URL=postgres://app:Tr0ub4dor-3@db.internal:5432/app\n"
	"curl -H 'Authorization: Bearer x7Kq9Lm2Np4Rs6Tu8Vw0Yz3B' https://api.example.com\n"
	"contact alice.smith@example.org or +1 415-555-0132\n"
	"-----BEGIN OPENSSH PRIVATE KEY-----\n"
	"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
	"QyNTUxOQAAACDx0tKbqAUQq5m1X9J3hnLw0xJXw1sR0bFvZr2Yv6pQ7wAAAJhxS4QicUuE\n"
	"-----END OPENSSH PRIVATE KEY-----\n"
	"done in 42 ms\n";

Test(redact, mask_keeps_length_and_only_secret_bytes_change)
{
	struct redact_engine *e = engine();
	size_t len = strlen(doc), i, k;
	char *buf = strdup(doc);
	struct found fs;
	int n;

	scan(e, doc, &fs);
	cr_assert_eq(fs.n, 6, "%zu findings", fs.n);
	n = redact_mask(e, buf, len);
	cr_assert_eq((size_t)n, fs.n);
	cr_assert_eq(strlen(buf), len, "length changed");
	for (i = 0; i < len; i++) {
		bool inside = false;

		for (k = 0; k < fs.n; k++)
			inside |= i >= fs.f[k].offset && i < fs.f[k].offset + fs.f[k].length;
		if (!inside)
			cr_assert_eq(buf[i], doc[i], "byte %zu outside every finding changed", i);
	}
	cr_assert(strstr(buf, "AWS_ACCESS_KEY_ID=[aws-access-key-id]*\n"), "%s", buf);
	cr_assert(strstr(buf, "postgres://app:***********@db.internal"), "%s", buf);
	cr_assert(strstr(buf, "Bearer [auth-header]******"), "%s", buf);
	cr_assert(strstr(buf, "[private-key]***"), "%s", buf);
	cr_assert_null(strstr(buf, "b3BlbnNzaC1rZXkt"), "key body left");
	cr_assert_null(strstr(buf, "alice"), "email left");
	free(buf);
	redact_engine_free(e);
}

Test(redact, mask_format)
{
	char a[24], b[8];

	redact_mask_span(a, 20, "aws-access-key-id");
	cr_assert_eq(memcmp(a, "[aws-access-key-id]*", 20), 0);
	/* too short for the tag plus one star: stars only */
	redact_mask_span(b, 5, "email");
	cr_assert_eq(memcmp(b, "*****", 5), 0);
	cr_assert(redact_is_masked("[email]****", 11));
	cr_assert(redact_is_masked("*****", 5));
	cr_assert_not(redact_is_masked("[email]**x*", 11));
	cr_assert_not(redact_is_masked("hunter2", 7));
}

Test(redact, masked_output_is_not_flagged_again)
{
	struct redact_engine *e = engine();
	char *buf = strdup(doc);
	struct found fs;

	cr_assert_gt(redact_mask(e, buf, strlen(buf)), 0);
	scan(e, buf, &fs);
	cr_assert_eq(fs.n, 0, "re-flagged '%s' at %zu", fs.n ? fs.f[0].kind : "",
		     fs.n ? fs.f[0].offset : 0);
	cr_assert_eq(redact_mask(e, buf, strlen(buf)), 0);
	free(buf);
	redact_engine_free(e);
}

static uint64_t xs = 0x2545f4914f6cdd1dull;

static uint8_t rnd(void)
{
	xs ^= xs << 13;
	xs ^= xs >> 7;
	xs ^= xs << 17;
	return (uint8_t)(xs >> 32);
}

Test(redact, random_binary_passes_unchanged)
{
	struct redact_engine *e = engine();
	size_t len = 1 << 20, i;
	uint8_t *buf = malloc(len), *copy = malloc(len);
	int n;

	for (i = 0; i < len; i++)
		buf[i] = rnd();
	memcpy(copy, buf, len);
	n = redact_mask(e, buf, len);
	cr_assert_eq(n, 0, "%d findings in random bytes", n);
	cr_assert_eq(memcmp(buf, copy, len), 0);
	free(buf);
	free(copy);
	redact_engine_free(e);
}

Test(redact, secret_inside_binary_is_still_found)
{
	struct redact_engine *e = engine();
	uint8_t buf[4096];
	const char *tok = "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";
	struct found fs = { 0 };
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = rnd() | 0x80; /* invalid UTF-8 all around */
	buf[1000] = 0;
	memcpy(buf + 1001, tok, strlen(tok));
	buf[1001 + strlen(tok)] = 0;
	cr_assert_eq(redact_scan(e, buf, sizeof(buf), collect, &fs), 0);
	cr_assert_eq(fs.n, 1);
	cr_assert_eq(fs.f[0].offset, 1001);
	cr_assert_str_eq(fs.f[0].kind, "github-token");
	redact_engine_free(e);
}

static int stop_at_first(const struct redact_finding *f, void *ctx)
{
	(*(int *)ctx)++;
	return 7;
}

Test(redact, callback_value_stops_the_scan)
{
	struct redact_engine *e = engine();
	int calls = 0;

	cr_assert_eq(redact_scan(e, doc, strlen(doc), stop_at_first, &calls), 7);
	cr_assert_eq(calls, 1);
	redact_engine_free(e);
}

Test(redact, validators)
{
	cr_assert(redact_luhn_valid("4539578763621486", 16));
	cr_assert_not(redact_luhn_valid("4539578763621487", 16));
	cr_assert(redact_iban_valid("DE89370400440532013000", 22));
	cr_assert_not(redact_iban_valid("DE89370400440532013001", 22));
	cr_assert_not(redact_iban_valid("DE8937040044053201300", 21)); /* length of DE is 22 */
	cr_assert(redact_iban_valid("GB82WEST12345698765432", 22));
	cr_assert(redact_ssn_valid("219099998"));
	cr_assert_not(redact_ssn_valid("000123456")); /* area 000 */
	cr_assert_not(redact_ssn_valid("666123456")); /* area 666 */
	cr_assert_not(redact_ssn_valid("900123456")); /* area 900-999 */
	cr_assert_not(redact_ssn_valid("123004567")); /* group 00 */
	cr_assert_not(redact_ssn_valid("123450000")); /* serial 0000 */
	cr_assert(redact_github_token_valid("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", 40));
	cr_assert_not(redact_github_token_valid("ghp_i15T5lgKDo6ONiNSNmPwCN0t4vq8uY3NOZvF", 40));
	cr_assert_float_eq(redact_entropy("aaaa", 4), 0.0, 1e-9);
	cr_assert_float_eq(redact_entropy("abcd", 4), 2.0, 1e-9);
}

Test(redact, placeholders_are_not_masked_example_keys_are)
{
	struct redact_engine *e = engine();
	static const char *const quiet[] = {
		"AWS_ACCESS_KEY_ID=AKIAXXXXXXXXXXXXXXXX",
		"GITHUB_TOKEN=${GITHUB_TOKEN}",
		"DB_PASSWORD=<db-password>",
		"password: ********",
		"API_TOKEN={{ api_token }}",
		"token = os.environ[\"TOKEN\"]",
		"password = request.form.password",
		"PWD=/home/alice/src",
		"SLACK_BOT_TOKEN=xoxb-your-token-here",
	};
	struct found fs;
	size_t i;

	for (i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++) {
		scan(e, quiet[i], &fs);
		cr_expect_eq(fs.n, 0, "'%s': found '%s'", quiet[i], fs.n ? fs.f[0].kind : "");
	}
	/* documented choice: a published example with a real key's shape is masked */
	scan(e, "aws_access_key_id = AKIAIOSFODNN7EXAMPLE", &fs);
	cr_assert_eq(fs.n, 1);
	cr_assert_str_eq(fs.f[0].kind, "aws-access-key-id");
	redact_engine_free(e);
}

/* --- streaming ------------------------------------------------------------------------ */

struct sink {
	char buf[1 << 16];
	size_t len;
};

static int sink_out(const void *p, size_t n, void *ctx)
{
	struct sink *s = ctx;

	cr_assert_leq(s->len + n, sizeof(s->buf));
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	return 0;
}

Test(redact, stream_holds_an_unfinished_line_until_flush)
{
	struct redact_engine *e = engine();
	struct redact_stream *s = NULL;
	struct sink out = { .len = 0 };
	const char *a = "log line one\nGITHUB_TOKEN=ghp_i15T5lgKDo6ON",
		   *b = "iNSNmPwCN0t4vq8uY3NOZvE";

	cr_assert_eq(redact_stream_new(e, 0, NULL, NULL, &s), 0);
	cr_assert_eq(redact_stream_feed(s, a, strlen(a), sink_out, &out), 0);
	/* the complete line went out, the half token is held */
	cr_assert_eq(out.len, strlen("log line one\n"));
	cr_assert_eq(redact_stream_pending(s), strlen(a) - out.len);
	cr_assert_eq(redact_stream_feed(s, b, strlen(b), sink_out, &out), 0);
	cr_assert_eq(redact_stream_pending(s), strlen(a) + strlen(b) - out.len);
	/* the caller's deadline: flush */
	cr_assert_eq(redact_stream_flush(s, sink_out, &out), 0);
	cr_assert_eq(redact_stream_pending(s), 0);
	cr_assert_eq(out.len, strlen(a) + strlen(b));
	cr_assert_eq(redact_stream_offset(s), out.len);
	{
		char want[128];

		strcpy(want, "log line one\nGITHUB_TOKEN=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");
		redact_mask_span(want + 26, 40, "github-token");
		out.buf[out.len] = 0;
		cr_assert_str_eq(out.buf, want);
	}
	redact_stream_free(s);
	redact_engine_free(e);
}

Test(redact, stream_bounds_what_it_holds)
{
	struct redact_engine *e = engine();
	struct redact_stream *s = NULL;
	struct sink out = { .len = 0 };
	char chunk[700];
	size_t i;

	memset(chunk, 'a', sizeof(chunk)); /* one long line, no newline */
	cr_assert_eq(redact_stream_new(e, 1024, NULL, NULL, &s), 0);
	for (i = 0; i < 40; i++) {
		cr_assert_eq(redact_stream_feed(s, chunk, sizeof(chunk), sink_out, &out), 0);
		cr_assert_leq(redact_stream_pending(s), 1024);
		if (out.len > sizeof(out.buf) / 2)
			out.len = 0;
	}
	redact_stream_free(s);
	redact_engine_free(e);
}

/* A key block longer than the holdback, fed in small pieces: every body byte is masked. */
Test(redact, stream_masks_a_key_longer_than_the_holdback)
{
	struct redact_engine *e = engine();
	struct redact_stream *s = NULL;
	struct sink out = { .len = 0 };
	char key[8192];
	size_t n = 0, i;

	n += (size_t)sprintf(key + n, "before\n-----BEGIN RSA PRIVATE KEY-----\n");
	for (i = 0; i < 60; i++)
		n += (size_t)sprintf(
			key + n,
			"MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun%02zu\n",
			i);
	n += (size_t)sprintf(key + n, "-----END RSA PRIVATE KEY-----\nafter\n");
	cr_assert_eq(redact_stream_new(e, 1024, NULL, NULL, &s), 0);
	for (i = 0; i < n; i += 100)
		cr_assert_eq(
			redact_stream_feed(s, key + i, n - i < 100 ? n - i : 100, sink_out, &out),
			0);
	cr_assert_eq(redact_stream_flush(s, sink_out, &out), 0);
	cr_assert_eq(out.len, n);
	out.buf[out.len] = 0;
	cr_assert_null(strstr(out.buf, "MIIE"), "key body leaked");
	cr_assert(strncmp(out.buf, "before\n[private-key]", 20) == 0, "%.40s", out.buf);
	cr_assert(strstr(out.buf, "\nafter\n"));
	redact_stream_free(s);
	redact_engine_free(e);
}

/* --- policy ----------------------------------------------------------------------------- */

static const char policy_text[] = "version: 1\n"
				  "redact:\n"
				  "  enabled: true\n"
				  "  targets: [pipe, socket, tty]\n"
				  "  rules:\n"
				  "    - name: internal-token\n"
				  "      pattern: 'itk_[A-Za-z0-9]{32}'\n"
				  "    - name: broken\n"
				  "      pattern: 'abc[('\n"
				  "  disable: [email]\n";

Test(redact, policy_custom_rule_disable_and_bad_pattern)
{
	struct policy_diags d = { 0 };
	struct redact_policy *rp = NULL;
	struct redact_engine *e = NULL;
	const struct redact_custom_rule *cr;
	struct found fs;
	int r;

	r = redact_policy_load_buffer(policy_text, strlen(policy_text), "p.yaml", &rp, &d);
	cr_assert_eq(r, 0, "%s", d.count ? d.diag[0].message : "");
	cr_assert(redact_policy_enabled(rp));
	cr_assert_eq(redact_policy_targets(rp),
		     REDACT_TARGET_PIPE | REDACT_TARGET_SOCKET | REDACT_TARGET_TTY);
	cr_assert(redact_policy_kind_disabled(rp, "email"));
	cr_assert_eq(redact_policy_custom_rules(rp, &cr), 2);
	/* the bad pattern is a warning naming the rule and its line */
	cr_assert_eq(d.count, 1);
	cr_assert(d.diag[0].warning);
	cr_assert_eq(d.diag[0].line, 8);
	cr_assert_str_eq(d.diag[0].file, "p.yaml");
	cr_assert(strstr(d.diag[0].message, "'broken'"), "%s", d.diag[0].message);

	cr_assert_eq(redact_engine_new(rp, &e, &d), 0);
	scan(e,
	     "x itk_0123456789abcdefABCDEF0123456789 bob@example.org "
	     "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",
	     &fs);
	cr_assert_eq(fs.n, 2, "%zu findings", fs.n);
	cr_assert_str_eq(fs.f[0].kind, "internal-token");
	cr_assert_eq(fs.f[0].offset, 2);
	cr_assert_eq(fs.f[0].length, 36);
	cr_assert_str_eq(fs.f[1].kind, "github-token");
	redact_engine_free(e);
	redact_policy_free(rp);
}

Test(redact, policy_errors_name_line_and_value)
{
	static const struct {
		const char *text;
		int line;
		const char *needle;
	} bad[] = {
		{ "redact:\n  disable: [emial]\n", 2, "'emial'" },
		{ "redact:\n  targets: [pipe, disk]\n", 2, "'disk'" },
		{ "redact:\n  colour: red\n", 2, "'colour'" },
		{ "redact:\n  rules:\n    - pattern: 'x'\n", 3, "name" },
		{ "redact:\n  enabled: maybe\n", 2, "'maybe'" },
		{ "redact:\n  rules: []\n  rules: []\n", 3, "'rules' given twice" },
		{ "redact:\n  enabled: true\nredact:\n  enabled: false\n", 3, "'redact' given twice" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct policy_diags d = { 0 };
		struct redact_policy *rp = NULL;
		int r = redact_policy_load_buffer(bad[i].text, strlen(bad[i].text), "p.yaml", &rp,
						  &d);

		cr_expect_eq(r, -EINVAL, "case %zu accepted", i);
		cr_expect_null(rp);
		cr_assert_geq(d.count, 1, "case %zu: no diagnostic", i);
		cr_expect_not(d.diag[0].warning);
		cr_expect_eq(d.diag[0].line, bad[i].line, "case %zu: line %d", i, d.diag[0].line);
		cr_expect(strstr(d.diag[0].message, bad[i].needle), "case %zu: '%s'", i,
			  d.diag[0].message);
	}
}

Test(redact, policy_absent_section_gives_defaults)
{
	struct redact_policy *rp = NULL;
	const char *t = "version: 1\n";

	cr_assert_eq(redact_policy_load_buffer(t, strlen(t), "p.yaml", &rp, NULL), 0);
	cr_assert(redact_policy_enabled(rp));
	cr_assert_eq(redact_policy_targets(rp), REDACT_TARGETS_DEFAULT);
	redact_policy_free(rp);
}

/* --- the command ------------------------------------------------------------------------- */

static char *run_cmd(const char *input, int argc, char **argv, int *ret_status)
{
	char in_path[] = "/tmp/test_redact_in.XXXXXX", out_path[] = "/tmp/test_redact_out.XXXXXX";
	int in = mkstemp(in_path), out = mkstemp(out_path), saved_in = dup(0), saved_out = dup(1);
	struct cli_global g = { .runtime_dir = "/nonexistent" };
	static char result[1 << 16];
	ssize_t n;

	cr_assert(in >= 0 && out >= 0);
	cr_assert_eq(write(in, input, strlen(input)), (ssize_t)strlen(input));
	lseek(in, 0, SEEK_SET);
	fflush(stdout);
	dup2(in, 0);
	dup2(out, 1);
	optind = 0;
	*ret_status = cmd_redact(&g, argc, argv);
	fflush(stdout);
	dup2(saved_in, 0);
	dup2(saved_out, 1);
	n = pread(out, result, sizeof(result) - 1, 0);
	result[n < 0 ? 0 : n] = 0;
	close(in);
	close(out);
	close(saved_in);
	close(saved_out);
	unlink(in_path);
	unlink(out_path);
	return result;
}

Test(redact, command_filters_stdin)
{
	char *argv[] = { "redact", NULL };
	int st;
	char *out = run_cmd("user=bob password=Tr0ub4dor-3 ok\n", 1, argv, &st);

	cr_assert_eq(st, 0);
	cr_assert_str_eq(out, "user=bob password=*********** ok\n");
}

Test(redact, command_json_offsets)
{
	char *argv[] = { "redact", "--json", NULL };
	int st;
	char *out = run_cmd("hello\nkey AKIAZ7VRSQ2EXU5MJ3NO\n", 2, argv, &st);

	cr_assert_eq(st, 0);
	cr_assert(strstr(out, "{\"offset\":10,\"length\":20,\"kind\":\"aws-access-key-id\","
			      "\"rule\":\"aws-access-key-id\""),
		  "%s", out);
}

Test(redact, command_list_rules_and_usage)
{
	char *argv[] = { "redact", "--list-rules", NULL };
	char *bad[] = { "redact", "--frobnicate", NULL };
	int st;
	char *out = run_cmd("", 2, argv, &st);

	cr_assert_eq(st, 0);
	cr_assert(strstr(out, "github-pat-classic"), "%.200s", out);
	cr_assert(strstr(out, "credit-card"));
	run_cmd("", 2, bad, &st);
	cr_assert_eq(st, 2);
}

Test(redact, command_applies_the_policy_section)
{
	char path[] = "/tmp/test_redact_policy.XXXXXX";
	int fd = mkstemp(path), st;
	char *argv[] = { "redact", "--policy", path, NULL };
	char *out;

	cr_assert(fd >= 0);
	cr_assert(write(fd, policy_text, strlen(policy_text)) == (ssize_t)strlen(policy_text));
	close(fd);
	out = run_cmd("x itk_0123456789abcdefABCDEF0123456789 bob@example.org\n", 3, argv, &st);
	unlink(path);
	cr_assert_eq(st, 0);
	cr_assert_str_eq(out, "x [internal-token]******************** bob@example.org\n");
}
