/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The redactor: finds secrets and personal data in bytes and masks them in place, keeping
 * the length.  One immutable engine (built-in rules plus the policy's custom rules, less
 * the kinds the policy disables) is shared by every stream and thread; a stream is the
 * small per-fd state that lets a secret split across two writes still be masked.
 *
 * Design (docs/redact.md): literal prefixes and keywords go through one Vectorscan
 * block-mode database; a hand-written scanner walks digit runs (cards, SSNs, phones,
 * IBANs) and memchr() finds '@' (emails); every candidate is then confirmed and its span
 * found by a small verifier for its rule (checksums, structure, keyword context).
 *
 * Masking format: the span's bytes become "[kind]" followed by '*' up to the span's
 * length when the span is at least strlen(kind) + 3 bytes long, else '*' only.  Bytes
 * outside a finding never change.
 */
#ifndef AIRLOCK_REDACT_H
#define AIRLOCK_REDACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct redact_policy;
struct policy_diags;
struct redact_engine;
struct redact_stream;

/* One thing found: the bytes [offset, offset + length) are the secret (never the key name,
 * quotes, the "Bearer " word or the URL around a password).  kind and rule point into the
 * engine and live as long as it. */
struct redact_finding {
	size_t offset;
	size_t length;
	const char *kind;
	const char *rule;
	float confidence; /* 0..1: how sure the rule is that this is real */
};

/* One rule, for --list-rules and tests.  Strings live as long as the engine. */
struct redact_rule_info {
	const char *name; /* unique, e.g. "github-pat-classic" */
	const char *kind; /* shared by several rules, e.g. "github-token" (see KINDS.md) */
	float confidence;
	const char *example; /* a string this rule masks (NULL for custom rules) */
	bool custom;	     /* from the policy's redact.rules */
};

/* Build an engine from the built-in rules and, when rp is not NULL, the policy's custom
 * rules and disabled kinds.  A custom rule whose pattern does not compile is left out with
 * a warning in diags naming the rule and its line; the engine still builds.  0, or -ENOMEM,
 * -EINVAL (the built-in database did not compile: a bug).  *ret set only on success. */
int redact_engine_new(const struct redact_policy *rp, struct redact_engine **ret,
		      struct policy_diags *diags);
void redact_engine_free(struct redact_engine *e);

/* The rule table of this engine (built-in rules of disabled kinds are left out). */
size_t redact_rules(const struct redact_engine *e, const struct redact_rule_info **ret);

/* Every kind name a finding can carry (built-in kinds, then custom rule names), NULL
 * terminated. */
const char *const *redact_kinds(const struct redact_engine *e);

/* Called once per finding, in increasing offset order, findings never overlapping.  A
 * non-zero return stops the scan and is returned by redact_scan(). */
typedef int (*redact_finding_fn)(const struct redact_finding *f, void *ctx);

/* Scan one complete buffer (its end is the end of the data), at most REDACT_SCAN_MAX bytes
 * (stream larger data).  Thread-safe: scratch space is per thread.  0, the callback's
 * non-zero value, -E2BIG or -ENOMEM. */
#define REDACT_SCAN_MAX ((size_t)1 << 31)
int redact_scan(const struct redact_engine *e, const void *buf, size_t len,
		redact_finding_fn on_finding, void *ctx);

/* Scan and mask one complete buffer in place.  Returns the number of findings masked, or
 * -ENOMEM (then buf is unchanged). */
int redact_mask(const struct redact_engine *e, void *buf, size_t len);

/* Write the mask for one span of the given kind over buf[0..len).  Exposed so tests and the
 * gate format masks exactly as the engine does. */
void redact_mask_span(void *buf, size_t len, const char *kind);

/* True when buf[0..len) is already a mask ("[kind]***" or all '*'): never flagged again. */
bool redact_is_masked(const void *buf, size_t len);

/*
 * Streaming, one stream per fd.  redact_stream_feed() scans the held tail plus the new
 * bytes and passes on, through out(), every byte that is final: masked where a finding
 * covers it.  A tail that could still be (or continue) a match -- the unfinished last line
 * and an unfinished private key block -- is held back, at most max_holdback bytes; it goes
 * out on the next feed, on redact_stream_flush(), or when the caller decides it has waited
 * long enough (redact_stream_pending() tells how much is held; flush it on a timer).
 *
 * Bound: a stream holds max_holdback bytes plus REDACT_STREAM_CONTEXT bytes of already
 * emitted left context (keyword context for rules such as password-assignment) plus a work
 * buffer of max_holdback + REDACT_STREAM_CHUNK bytes: with the default 4 KiB holdback,
 * about 21 KiB per stream.  Input longer than REDACT_STREAM_CHUNK is processed in pieces.
 *
 * A line longer than max_holdback is cut: its first bytes go out once max_holdback bytes
 * follow them.  A match straddling that cut is found whole when it is shorter than
 * max_holdback; a longer one that may go on (a private key block, a JWT, a long token) is
 * carried: the bytes going out are masked and the next bytes are scanned as its
 * continuation, so a stream emits exactly what redact_mask() makes of the whole data.
 */
#define REDACT_HOLDBACK_DEFAULT 4096
#define REDACT_HOLDBACK_MIN	1024
#define REDACT_STREAM_CONTEXT	256
#define REDACT_STREAM_CHUNK	16384

/* Receives output bytes.  A non-zero return stops the feed/flush and is returned by it. */
typedef int (*redact_out_fn)(const void *buf, size_t len, void *ctx);

/* max_holdback 0 means REDACT_HOLDBACK_DEFAULT; values under REDACT_HOLDBACK_MIN are raised
 * to it.  on_finding, when not NULL, is told every finding of this stream with offset
 * counted from the stream's first byte, once each, when its bytes go out (a carried match
 * once per piece that goes out).  The engine must outlive the stream.  0 or -ENOMEM; *ret set only
 * on success. */
int redact_stream_new(const struct redact_engine *e, size_t max_holdback,
		      redact_finding_fn on_finding, void *finding_ctx, struct redact_stream **ret);
void redact_stream_free(struct redact_stream *s);

/* 0, out()'s or on_finding()'s non-zero value, or -ENOMEM. */
int redact_stream_feed(struct redact_stream *s, const void *in, size_t len, redact_out_fn out,
		       void *out_ctx);

/* The data ended (or the caller's deadline passed): scan what is held as if the stream
 * ended there and pass it all out.  The stream stays usable. */
int redact_stream_flush(struct redact_stream *s, redact_out_fn out, void *out_ctx);

/* Bytes held back now, waiting for more input or a flush. */
size_t redact_stream_pending(const struct redact_stream *s);

/* Bytes passed out so far (the stream offset of the next byte out). */
uint64_t redact_stream_offset(const struct redact_stream *s);

/* Validators, exposed for the tests (digits only, len bytes). */
bool redact_luhn_valid(const char *digits, size_t len);
bool redact_iban_valid(const char *iban, size_t len);	     /* compact form, no spaces */
bool redact_ssn_valid(const char *digits9);		     /* 9 digits */
bool redact_github_token_valid(const char *tok, size_t len); /* "ghp_..." with its CRC32 */
double redact_entropy(const void *buf, size_t len);	     /* bits per byte */

#endif
