/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the redactor: the built-in rule table, the candidate list a scan fills, and the
 * scanners and verifiers that fill it.  Not for use outside agent/redact*.c.
 */
#ifndef AIRLOCK_REDACT_INT_H
#define AIRLOCK_REDACT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "redact.h"

struct rscan;
struct builtin_rule;

/* A verifier is called with the literal that triggered it at buf[start, end) and adds zero
 * or more candidates with cand_add(). */
typedef void (*verify_fn)(struct rscan *x, const struct builtin_rule *r, size_t start, size_t end);

enum rule_trigger {
	TRIG_LITERAL = 0, /* literals in the Vectorscan database */
	TRIG_DIGITS,	  /* the digit-run scanner */
	TRIG_AT,	  /* memchr('@') */
};

/* Body character classes for prefixed tokens. */
enum tok_class {
	CL_ALNUM = 0, /* A-Za-z0-9 */
	CL_ALNUM_UD,  /* A-Za-z0-9 _ - */
	CL_HEX,	      /* 0-9a-f (either case) */
	CL_HEXLOWER,  /* 0-9a-f */
	CL_UPPER_NUM, /* A-Z0-9 */
	CL_B64,	      /* A-Za-z0-9 + / = */
	CL_ALNUM_UDD, /* A-Za-z0-9 _ - . */
	CL_ALNUM_UDE, /* A-Za-z0-9 _ - = */
	CL_COUNT,
};

#define RULE_LIT_MAX 24

struct builtin_rule {
	const char *name;
	const char *kind;
	float confidence;
	int prio; /* overlapping candidates: higher wins, then longer */
	const char *example;
	enum rule_trigger trigger;
	const char *lits[RULE_LIT_MAX]; /* "~" first: caseless */
	verify_fn verify;
	/* parameters of the generic verifiers */
	uint8_t cls;
	uint16_t min, max;			       /* body length after the literal */
	bool (*check)(const uint8_t *tok, size_t len); /* extra check on the whole token */
};

extern const struct builtin_rule redact_builtin_rules[];
extern const size_t redact_builtin_count;

struct cand {
	size_t start, end;
	uint32_t rule; /* index into the engine's rule info table */
	float confidence;
	uint8_t cont; /* open: reaches the end of the data and may go on (enum cand_cont) */
	bool carried; /* the rest of a match begun in earlier data: it wins any overlap */
};

/* How a match that reached the end of the data goes on in the next bytes of a stream. */
enum cand_cont {
	CONT_NONE = 0,
	CONT_PEM,   /* a private key block: body lines up to the END line */
	CONT_JWT,   /* base64url and dots */
	CONT_FIXED, /* a match of known length: carry->len more bytes */
	CONT_CLASS, /* CONT_CLASS + enum tok_class: a run of that class */
};

/* A match a stream carries over into the next bytes. */
struct cand_carry {
	uint8_t cont;
	uint32_t rule;
	size_t len; /* CONT_FIXED: bytes left */
	size_t at;  /* where in the scanned data the continuation starts */
};

struct rscan {
	const uint8_t *buf;
	size_t len;
	const struct redact_engine *e;
	struct cand *c;
	size_t n, cap;
	bool oom;
};

void cand_add(struct rscan *x, uint32_t rule, size_t start, size_t end, float conf);
void cand_add_open(struct rscan *x, uint32_t rule, size_t start, size_t end, float conf,
		   uint8_t cont);
uint32_t rscan_rule_index(const struct rscan *x, const struct builtin_rule *r);
bool rscan_rule_enabled(const struct rscan *x, const struct builtin_rule *r);

/* Scanners that are not Vectorscan. */
void redact_scan_digits(struct rscan *x);
void redact_scan_emails(struct rscan *x);
void redact_email_encoded(struct rscan *x, size_t at);
/* A match that started in earlier data (a stream) goes on from the start of this data. */
void redact_continue(struct rscan *x, const struct cand_carry *carry);

/* Character classes and helpers shared by the verifiers. */
extern const uint8_t redact_cls[256]; /* bit per enum tok_class */
static inline bool in_cls(uint8_t c, unsigned cls)
{
	return redact_cls[c] & (1u << cls);
}
static inline bool is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}
static inline bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}
bool redact_placeholder(const uint8_t *v, size_t len);
bool redact_text_context(const uint8_t *buf, size_t len, size_t start, size_t end);
uint32_t redact_crc32(const uint8_t *p, size_t len);

void redact_mask_part(uint8_t *p, size_t len, const char *kind, size_t skip, size_t total);

/* Scan into x (sorted, overlaps resolved, masks dropped) for the engine's stream code:
 * carry, when not NULL, is a match begun in earlier data. */
int redact_scan_cands(const struct redact_engine *e, const uint8_t *buf, size_t len,
		      const struct cand_carry *carry, struct rscan **ret);

#endif
