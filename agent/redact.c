// SPDX-License-Identifier: Apache-2.0
/*
 * The redaction engine: builds the Vectorscan literal database for the built-in rules and a
 * second database for the policy's custom rules, runs the scanners over a buffer, resolves
 * overlapping candidates and masks.  An engine is immutable once built; per-thread scratch
 * (Vectorscan's and the candidate list) makes redact_scan() safe to call from any thread.
 */
#include <errno.h>
#include <hs/hs.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy.h"
#include "redact_int.h"
#include "redact_policy.h"

struct redact_engine {
	hs_database_t *db;  /* literals of the built-in rules */
	uint32_t *lit_rule; /* literal id -> builtin rule */
	uint16_t *lit_len;
	unsigned nlits;
	hs_database_t *custom_db; /* custom rules, with match start (SOM) */
	uint32_t *custom_info;	  /* custom pattern id -> info index */
	struct redact_rule_info *info;
	int *prio;
	size_t ninfo;
	int32_t builtin_info[128]; /* builtin rule -> info index, -1 when disabled */
	const char **kinds;
	char **owned; /* strings copied from the policy */
	size_t nowned;
	bool digits_on, at_on;
	uint64_t id; /* distinguishes engines for the per-thread scratch */
};

static atomic_uint_fast64_t engine_ids = 1;

/* --- character classes and small helpers ----------------------------------------- */

const uint8_t redact_cls[256] = {
#define R(lo, hi, bits) [lo... hi] = (bits)
	R('0', '9',
	  (1u << CL_ALNUM) | (1u << CL_ALNUM_UD) | (1u << CL_HEX) | (1u << CL_HEXLOWER) |
		  (1u << CL_UPPER_NUM) | (1u << CL_B64) | (1u << CL_ALNUM_UDD) |
		  (1u << CL_ALNUM_UDE)),
	R('a', 'f',
	  (1u << CL_ALNUM) | (1u << CL_ALNUM_UD) | (1u << CL_HEX) | (1u << CL_HEXLOWER) |
		  (1u << CL_B64) | (1u << CL_ALNUM_UDD) | (1u << CL_ALNUM_UDE)),
	R('g', 'z',
	  (1u << CL_ALNUM) | (1u << CL_ALNUM_UD) | (1u << CL_B64) | (1u << CL_ALNUM_UDD) |
		  (1u << CL_ALNUM_UDE)),
	R('A', 'F',
	  (1u << CL_ALNUM) | (1u << CL_ALNUM_UD) | (1u << CL_HEX) | (1u << CL_UPPER_NUM) |
		  (1u << CL_B64) | (1u << CL_ALNUM_UDD) | (1u << CL_ALNUM_UDE)),
	R('G', 'Z',
	  (1u << CL_ALNUM) | (1u << CL_ALNUM_UD) | (1u << CL_UPPER_NUM) | (1u << CL_B64) |
		  (1u << CL_ALNUM_UDD) | (1u << CL_ALNUM_UDE)),
	['_'] = (1u << CL_ALNUM_UD) | (1u << CL_ALNUM_UDD) | (1u << CL_ALNUM_UDE),
	['-'] = (1u << CL_ALNUM_UD) | (1u << CL_ALNUM_UDD) | (1u << CL_ALNUM_UDE),
	['.'] = (1u << CL_ALNUM_UDD),
	['='] = (1u << CL_B64) | (1u << CL_ALNUM_UDE),
	['+'] = (1u << CL_B64),
	['/'] = (1u << CL_B64),
#undef R
};

double redact_entropy(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	unsigned cnt[256] = { 0 };
	double h = 0;
	size_t i;

	if (!len)
		return 0;
	for (i = 0; i < len; i++)
		cnt[p[i]]++;
	for (i = 0; i < 256; i++) {
		if (cnt[i]) {
			double f = (double)cnt[i] / (double)len;

			h -= f * log2(f);
		}
	}
	return h;
}

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
	uint32_t i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

uint32_t redact_crc32(const uint8_t *p, size_t len)
{
	uint32_t c = 0xffffffffu;
	size_t i;

	pthread_once(&crc_once, crc_init);
	for (i = 0; i < len; i++)
		c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

/* GitHub (ghp_ gho_ ghu_ ghs_ ghr_) and npm (npm_) tokens: 30 random base62 characters and
 * their CRC32 as 6 base62 digits (0-9A-Za-z), most significant first. */
bool redact_github_token_valid(const char *tok, size_t len)
{
	static const char digits[] =
		"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	const uint8_t *body;
	uint64_t v = 0;
	size_t i;

	if (len != 40 || tok[3] != '_')
		return false;
	body = (const uint8_t *)tok + 4;
	for (i = 30; i < 36; i++) {
		const char *d = body[i] ? strchr(digits, body[i]) : NULL;

		if (!d)
			return false;
		v = v * 62 + (uint64_t)(d - digits);
	}
	return v == redact_crc32(body, 30);
}

static bool is_kind_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || is_digit(c) || c == '-' || c == '_';
}

bool redact_is_masked(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t i = 0;

	if (!len)
		return false;
	if (p[0] == '[') {
		for (i = 1; i < len && i < 48 && is_kind_char(p[i]); i++)
			;
		if (i >= len || p[i] != ']' || i == 1)
			return false;
		i++;
	}
	for (; i < len; i++)
		if (p[i] != '*')
			return false;
	return true;
}

void redact_mask_span(void *buf, size_t len, const char *kind)
{
	redact_mask_part(buf, len, kind, 0, len);
}

/* Bytes [skip, skip + len) of the mask of a span of `total` bytes: a stream masks a span it
 * emits in pieces exactly as the whole span would have been masked. */
void redact_mask_part(uint8_t *p, size_t len, const char *kind, size_t skip, size_t total)
{
	size_t kl = kind ? strlen(kind) : 0, i;
	bool tag = kl && total >= kl + 3;

	for (i = 0; i < len; i++) {
		size_t pos = skip + i;

		if (!tag || pos > kl + 1)
			p[i] = '*';
		else if (pos == 0)
			p[i] = '[';
		else if (pos == kl + 1)
			p[i] = ']';
		else
			p[i] = (uint8_t)kind[pos - 1];
	}
}

/*
 * A value that is a stand-in for a secret, not one: ${VAR}, $VAR, <token>, {{ x }}, %s,
 * runs of x, X or *, "your-api-key", "...", "[REDACTED]", "rubygems_<key>".  Documentation
 * keys that have the shape of real ones (AKIAIOSFODNN7EXAMPLE) are NOT placeholders: they
 * are masked like any key (docs/redact.md).
 */
/*
 * <your-token>, sk-<KEY>: a word in angle brackets.  Random punctuation that happens to
 * hold a '<' before a '>' (WordPress salts: "Q9|uV2~mK7<rX4>tP1") is not one.
 */
static bool angle_placeholder(const uint8_t *v, size_t n)
{
	const uint8_t *lt = memchr(v, '<', n), *p;

	if (!lt)
		return false;
	for (p = lt + 1; p < v + n && *p != '>'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
		      *p == '-' || *p == ' '))
			return false;
	return p < v + n && p - lt > 2;
}

bool redact_placeholder(const uint8_t *v, size_t n)
{
	static const char *const words[] = {
		"changeme", "change_me", "placeholder", "redacted", "hidden",	  "example",
		"password", "secret",	 "token",	"dummy",    "xxx",	  "null",
		"none",	    "nil",	 "undefined",	"true",	    "false",	  "required",
		"optional", "string",	 "value",	"test",	    "replace_me", "replaceme",
		"fixme",    "todo",	 NULL,
	};
	const char *const *w;
	size_t i, run = 1;

	if (n == 0)
		return true;
	if (redact_is_masked(v, n))
		return true;
	if (v[0] == '<' || v[0] == '%' || v[0] == '{' ||
	    (v[0] == '$' && n > 1 &&
	     (v[1] == '{' || v[1] == '(' || v[1] == '_' || (v[1] >= 'A' && v[1] <= 'Z'))))
		return true;
	if (memmem(v, n, "...", 3) || (v[0] == '[' && v[n - 1] == ']') || angle_placeholder(v, n))
		return true;
	for (w = words; n <= 11 && *w; w++) {
		size_t l = strlen(*w);

		if (l == n && strncasecmp((const char *)v, *w, n) == 0)
			return true;
	}
	for (i = 0; i + 5 <= n; i++) {
		uint8_t c = v[i] | 0x20;

		if (c == 'r' && i + 8 <= n && strncasecmp((const char *)v + i, "redacted", 8) == 0)
			return true;
		/* xoxb-your-token-here, sk_live_YOUR_KEY */
		if ((v[i] == '-' || v[i] == '_') &&
		    (strncasecmp((const char *)v + i + 1, "your", 4) == 0 ||
		     strncasecmp((const char *)v + i + 1, "here", 4) == 0))
			return true;
	}
	if (n > 4 && strncasecmp((const char *)v, "your", 4) == 0 &&
	    (v[4] == '_' || v[4] == '-' || v[4] == ' ' || (v[4] >= 'A' && v[4] <= 'Z')))
		return true;
	for (i = 1; i < n; i++) {
		if (v[i] == v[i - 1]) {
			run++;
			/* base64 has runs of '/' (STS tokens do): only letters and digits count */
			if ((run >= 4 && (v[i] == 'x' || v[i] == 'X' || v[i] == '*' ||
					  v[i] == '#' || v[i] == '.')) ||
			    (run >= 8 && is_alnum(v[i])))
				return true;
		} else {
			run = 1;
		}
	}
	return false;
}

/* Weak rules (emails, phones, assignments) only fire in text: control bytes around a
 * candidate mean binary data, where such shapes occur by chance.  The window stays on the
 * candidate's line, which a stream always has whole, so a stream decides as a one-shot
 * scan does. */
bool redact_text_context(const uint8_t *buf, size_t len, size_t start, size_t end)
{
	size_t a = start > 16 ? start - 16 : 0, b = end + 16 < len ? end + 16 : len, i;

	for (i = start; i > a; i--)
		if (buf[i - 1] == '\n') {
			a = i;
			break;
		}
	for (i = a; i < b; i++) {
		uint8_t c = buf[i];

		if (c == '\n' && i >= end)
			break;
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
			return false;
	}
	return true;
}

/* --- candidates ---------------------------------------------------------------- */

static void cand_push(struct rscan *x, uint32_t rule, size_t start, size_t end, float conf,
		      uint8_t cont)
{
	if (rule == UINT32_MAX || end <= start || x->oom)
		return;
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 64;
		struct cand *c = realloc(x->c, cap * sizeof(*c));

		if (!c) {
			x->oom = true;
			return;
		}
		x->c = c;
		x->cap = cap;
	}
	x->c[x->n++] = (struct cand){ start, end, rule, conf, cont, false };
}

void cand_add(struct rscan *x, uint32_t rule, size_t start, size_t end, float conf)
{
	cand_push(x, rule, start, end, conf, CONT_NONE);
}

void cand_add_open(struct rscan *x, uint32_t rule, size_t start, size_t end, float conf,
		   uint8_t cont)
{
	cand_push(x, rule, start, end, conf, cont);
}

uint32_t rscan_rule_index(const struct rscan *x, const struct builtin_rule *r)
{
	int32_t i = x->e->builtin_info[r - redact_builtin_rules];

	return i < 0 ? UINT32_MAX : (uint32_t)i;
}

bool rscan_rule_enabled(const struct rscan *x, const struct builtin_rule *r)
{
	return x->e->builtin_info[r - redact_builtin_rules] >= 0;
}

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1;
	return 0;
}

/* Sort by start and keep, of overlapping candidates, the one of higher priority, then the
 * longer: a GitHub token in DB_PASSWORD=ghp_... is a github-token. */
static void cand_resolve(struct rscan *x)
{
	const struct redact_engine *e = x->e;
	size_t i, out = 0;

	if (x->n > 1)
		qsort(x->c, x->n, sizeof(*x->c), cand_cmp);
	for (i = 0; i < x->n; i++) {
		struct cand *c = &x->c[i];

		if (!c->cont && redact_is_masked(x->buf + c->start, c->end - c->start))
			continue;
		if (out > 0 && c->start < x->c[out - 1].end) {
			struct cand *p = &x->c[out - 1];
			int pc = c->carried ? 100 : e->prio[c->rule];
			int pp = p->carried ? 100 : e->prio[p->rule];
			size_t lo = p->start < c->start ? p->start : c->start;
			size_t hi = p->end > c->end ? p->end : c->end;

			bool strong = (pc > pp ? pp : pc) >= 2;

			if (pc > pp || (pc == pp && c->end - c->start > p->end - p->start))
				*p = *c;
			/* Two strong matches (tokens, keys): the winner names the kind, and no byte
			 * of the other is left in clear.  A weak one (an email that is really a
			 * URL's password@host) just loses. */
			if (strong) {
				p->start = lo;
				p->end = hi;
			}
			continue;
		}
		x->c[out++] = *c;
	}
	x->n = out;
	/* a replacement may now overlap the one before it */
	for (i = 1, out = 1; i < x->n; i++) {
		if (x->c[i].start < x->c[out - 1].end)
			continue;
		x->c[out++] = x->c[i];
	}
	if (x->n)
		x->n = out;
}

/* --- per-thread scratch ------------------------------------------------------------ */

struct tls_scratch {
	hs_scratch_t *hs;
	uint64_t sized_for; /* engine id the scratch was last grown for */
	struct rscan x;
};

static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

static void tls_free(void *p)
{
	struct tls_scratch *t = p;

	if (!t)
		return;
	hs_free_scratch(t->hs);
	free(t->x.c);
	free(t);
}

static void tls_init(void)
{
	pthread_key_create(&tls_key, tls_free);
}

static struct tls_scratch *tls_get(const struct redact_engine *e)
{
	struct tls_scratch *t;

	pthread_once(&tls_once, tls_init);
	t = pthread_getspecific(tls_key);
	if (!t) {
		t = calloc(1, sizeof(*t));
		if (!t || pthread_setspecific(tls_key, t) != 0) {
			free(t);
			return NULL;
		}
	}
	if (t->sized_for != e->id) {
		if (e->db && hs_alloc_scratch(e->db, &t->hs) != HS_SUCCESS)
			return NULL;
		if (e->custom_db && hs_alloc_scratch(e->custom_db, &t->hs) != HS_SUCCESS)
			return NULL;
		t->sized_for = e->id;
	}
	return t;
}

/* --- scanning ---------------------------------------------------------------------- */

static int on_literal(unsigned int id, unsigned long long from, unsigned long long to,
		      unsigned int flags, void *ctx)
{
	struct rscan *x = ctx;
	const struct redact_engine *e = x->e;
	const struct builtin_rule *r = &redact_builtin_rules[e->lit_rule[id]];

	(void)from;
	(void)flags;
	r->verify(x, r, (size_t)to - e->lit_len[id], (size_t)to);
	return x->oom ? 1 : 0;
}

static int on_custom(unsigned int id, unsigned long long from, unsigned long long to,
		     unsigned int flags, void *ctx)
{
	struct rscan *x = ctx;

	(void)flags;
	cand_add(x, x->e->custom_info[id], (size_t)from, (size_t)to,
		 x->e->info[x->e->custom_info[id]].confidence);
	return x->oom ? 1 : 0;
}

int redact_scan_cands(const struct redact_engine *e, const uint8_t *buf, size_t len,
		      const struct cand_carry *carry, struct rscan **ret)
{
	struct tls_scratch *t = tls_get(e);
	struct rscan *x;

	/* Vectorscan takes an unsigned int length; callers stream larger data in pieces. */
	if (len > REDACT_SCAN_MAX)
		return -E2BIG;
	if (!t)
		return -ENOMEM;
	x = &t->x;
	x->buf = buf;
	x->len = len;
	x->e = e;
	x->n = 0;
	x->oom = false;
	if (carry)
		redact_continue(x, carry);
	if (e->db &&
	    hs_scan(e->db, (const char *)buf, (unsigned)len, 0, t->hs, on_literal, x) ==
		    HS_SCAN_TERMINATED &&
	    x->oom)
		return -ENOMEM;
	if (e->custom_db &&
	    hs_scan(e->custom_db, (const char *)buf, (unsigned)len, 0, t->hs, on_custom, x) ==
		    HS_SCAN_TERMINATED &&
	    x->oom)
		return -ENOMEM;
	if (e->digits_on)
		redact_scan_digits(x);
	if (e->at_on)
		redact_scan_emails(x);
	if (x->oom)
		return -ENOMEM;
	cand_resolve(x);
	*ret = x;
	return 0;
}

int redact_scan(const struct redact_engine *e, const void *buf, size_t len,
		redact_finding_fn on_finding, void *ctx)
{
	struct rscan *x;
	size_t i;
	int r;

	r = redact_scan_cands(e, buf, len, NULL, &x);
	if (r < 0)
		return r;
	for (i = 0; i < x->n; i++) {
		const struct cand *c = &x->c[i];
		struct redact_finding f = {
			.offset = c->start,
			.length = c->end - c->start,
			.kind = e->info[c->rule].kind,
			.rule = e->info[c->rule].name,
			.confidence = c->confidence,
		};

		r = on_finding(&f, ctx);
		if (r)
			return r;
	}
	return 0;
}

int redact_mask(const struct redact_engine *e, void *buf, size_t len)
{
	struct rscan *x;
	size_t i;
	int r;

	r = redact_scan_cands(e, buf, len, NULL, &x);
	if (r < 0)
		return r;
	for (i = 0; i < x->n; i++)
		redact_mask_span((uint8_t *)buf + x->c[i].start, x->c[i].end - x->c[i].start,
				 e->info[x->c[i].rule].kind);
	return (int)x->n;
}

/* --- building ---------------------------------------------------------------------- */

size_t redact_rules(const struct redact_engine *e, const struct redact_rule_info **ret)
{
	*ret = e->info;
	return e->ninfo;
}

const char *const *redact_kinds(const struct redact_engine *e)
{
	return e->kinds;
}

void redact_engine_free(struct redact_engine *e)
{
	size_t i;

	if (!e)
		return;
	hs_free_database(e->db);
	hs_free_database(e->custom_db);
	free(e->lit_rule);
	free(e->lit_len);
	free(e->custom_info);
	free(e->info);
	free(e->prio);
	free(e->kinds);
	for (i = 0; i < e->nowned; i++)
		free(e->owned[i]);
	free(e->owned);
	free(e);
}

static int build_literals(struct redact_engine *e)
{
	const char **exprs = NULL;
	unsigned *flags = NULL, *ids = NULL;
	size_t *lens = NULL;
	size_t cap = 0, n = 0, i, j;
	hs_compile_error_t *err = NULL;
	int r = -ENOMEM;

	for (i = 0; i < redact_builtin_count; i++)
		for (j = 0; j < RULE_LIT_MAX && redact_builtin_rules[i].lits[j]; j++)
			cap++;
	exprs = calloc(cap, sizeof(*exprs));
	flags = calloc(cap, sizeof(*flags));
	ids = calloc(cap, sizeof(*ids));
	lens = calloc(cap, sizeof(*lens));
	e->lit_rule = calloc(cap, sizeof(*e->lit_rule));
	e->lit_len = calloc(cap, sizeof(*e->lit_len));
	if (!exprs || !flags || !ids || !lens || !e->lit_rule || !e->lit_len)
		goto out;
	for (i = 0; i < redact_builtin_count; i++) {
		const struct builtin_rule *br = &redact_builtin_rules[i];

		if (br->trigger != TRIG_LITERAL || e->builtin_info[i] < 0)
			continue;
		for (j = 0; j < RULE_LIT_MAX && br->lits[j]; j++) {
			const char *l = br->lits[j];

			flags[n] = 0;
			if (l[0] == '~') {
				l++;
				flags[n] = HS_FLAG_CASELESS;
			}
			exprs[n] = l;
			lens[n] = strlen(l);
			ids[n] = (unsigned)n;
			e->lit_rule[n] = (uint32_t)i;
			e->lit_len[n] = (uint16_t)lens[n];
			n++;
		}
	}
	e->nlits = (unsigned)n;
	r = 0;
	if (!n)
		goto out;
	if (hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)n, HS_MODE_BLOCK, NULL, &e->db,
				 &err) != HS_SUCCESS) {
		hs_free_compile_error(err);
		r = -EINVAL;
	}
out:
	free(exprs);
	free(flags);
	free(ids);
	free(lens);
	return r;
}

/* Compile one custom pattern alone, to tell which one is at fault. */
static bool custom_compiles(const char *pattern, char *msg, size_t msglen)
{
	hs_database_t *db = NULL;
	hs_compile_error_t *err = NULL;
	bool ok;

	ok = hs_compile(pattern, HS_FLAG_SOM_LEFTMOST, HS_MODE_BLOCK, NULL, &db, &err) ==
	     HS_SUCCESS;
	if (!ok)
		snprintf(msg, msglen, "%s",
			 err && err->message ? err->message : "does not compile");
	hs_free_compile_error(err);
	hs_free_database(db);
	return ok;
}

static char *own(struct redact_engine *e, const char *s)
{
	char *c = strdup(s);

	if (c)
		e->owned[e->nowned++] = c;
	return c;
}

int redact_engine_new(const struct redact_policy *rp, struct redact_engine **ret,
		      struct policy_diags *diags)
{
	const struct redact_custom_rule *cr = NULL;
	size_t ncr = rp ? redact_policy_custom_rules(rp, &cr) : 0;
	struct redact_engine *e;
	const char **cexprs = NULL;
	unsigned *cflags = NULL, *cids = NULL;
	size_t i, nk = 0, ncust = 0;
	int r = -ENOMEM;

	_Static_assert(sizeof(((struct redact_engine *)0)->builtin_info) / sizeof(int32_t) >= 128,
		       "builtin_info too small");
	if (redact_builtin_count > 128)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->id = atomic_fetch_add(&engine_ids, 1);
	e->info = calloc(redact_builtin_count + ncr, sizeof(*e->info));
	e->prio = calloc(redact_builtin_count + ncr, sizeof(*e->prio));
	e->kinds = calloc(redact_builtin_count + ncr + 1, sizeof(*e->kinds));
	e->owned = calloc(ncr * 2 + 1, sizeof(*e->owned));
	e->custom_info = calloc(ncr + 1, sizeof(*e->custom_info));
	cexprs = calloc(ncr + 1, sizeof(*cexprs));
	cflags = calloc(ncr + 1, sizeof(*cflags));
	cids = calloc(ncr + 1, sizeof(*cids));
	if (!e->info || !e->prio || !e->kinds || !e->owned || !e->custom_info || !cexprs ||
	    !cflags || !cids)
		goto fail;

	for (i = 0; i < redact_builtin_count; i++) {
		const struct builtin_rule *br = &redact_builtin_rules[i];
		size_t k;

		if (rp && redact_policy_kind_disabled(rp, br->kind)) {
			e->builtin_info[i] = -1;
			continue;
		}
		e->builtin_info[i] = (int32_t)e->ninfo;
		e->prio[e->ninfo] = br->prio;
		e->info[e->ninfo++] = (struct redact_rule_info){
			.name = br->name,
			.kind = br->kind,
			.confidence = br->confidence,
			.example = br->example,
		};
		if (br->trigger == TRIG_DIGITS)
			e->digits_on = true;
		if (br->trigger == TRIG_AT)
			e->at_on = true;
		for (k = 0; k < nk; k++)
			if (strcmp(e->kinds[k], br->kind) == 0)
				break;
		if (k == nk)
			e->kinds[nk++] = br->kind;
	}

	for (i = 0; i < ncr; i++) {
		char msg[256];
		const char *name, *kind;

		if (!cr[i].valid)
			continue; /* the policy parser already warned */
		if (!custom_compiles(cr[i].pattern, msg, sizeof(msg))) {
			policy_diag_add(diags, redact_policy_source(rp), cr[i].line, 1, true,
					"redact rule '%s': invalid pattern: %s, ignoring",
					cr[i].name, msg);
			continue;
		}
		name = own(e, cr[i].name);
		if (!name)
			goto fail;
		kind = name;
		cexprs[ncust] = own(e, cr[i].pattern);
		if (!cexprs[ncust])
			goto fail;
		cflags[ncust] = HS_FLAG_SOM_LEFTMOST;
		cids[ncust] = (unsigned)ncust;
		e->custom_info[ncust] = (uint32_t)e->ninfo;
		e->prio[e->ninfo] = 2;
		e->info[e->ninfo++] = (struct redact_rule_info){
			.name = name,
			.kind = kind,
			.confidence = cr[i].confidence,
			.example = NULL,
			.custom = true,
		};
		e->kinds[nk++] = kind;
		ncust++;
	}

	r = build_literals(e);
	if (r < 0)
		goto fail;
	if (ncust) {
		hs_compile_error_t *err = NULL;

		if (hs_compile_multi(cexprs, cflags, cids, (unsigned)ncust, HS_MODE_BLOCK, NULL,
				     &e->custom_db, &err) != HS_SUCCESS) {
			/* each compiled alone; together they may still exceed a limit */
			policy_diag_add(diags, redact_policy_source(rp), cr[0].line, 1, true,
					"redact rules: custom patterns do not compile together: "
					"%s, ignoring",
					err && err->message ? err->message : "unknown error");
			hs_free_compile_error(err);
			e->custom_db = NULL;
		}
	}
	free(cexprs);
	free(cflags);
	free(cids);
	*ret = e;
	return 0;
fail:
	free(cexprs);
	free(cflags);
	free(cids);
	redact_engine_free(e);
	return r;
}
