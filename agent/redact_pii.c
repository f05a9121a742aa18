// SPDX-License-Identifier: Apache-2.0
/*
 * Personal data: card numbers, US SSNs, phone numbers and IBANs come from one pass over
 * the digit runs of the buffer (SSE2 finds the digits 16 bytes at a time), each run parsed
 * into groups once and handed to the validators (Luhn and issuer ranges, SSA area/group/
 * serial rules, NANP and E.164 shapes, mod-97 with per-country lengths); emails come from
 * memchr('@').  Regular expressions for these shapes are what made a naive multi-pattern
 * scan slow: digits are everywhere in logs, and most runs are rejected here in a few
 * instructions.
 */
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX2_PATH 1
#endif

#include "redact_int.h"

enum { R_EMAIL = 0, R_PHONE, R_SSN, R_CARD, R_IBAN };

/* --- validators ---------------------------------------------------------------------- */

bool redact_luhn_valid(const char *d, size_t n)
{
	unsigned sum = 0;
	size_t i;
	bool dbl = false;

	if (n < 2)
		return false;
	for (i = n; i-- > 0;) {
		unsigned v;

		if (d[i] < '0' || d[i] > '9')
			return false;
		v = (unsigned)(d[i] - '0');
		if (dbl) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
		dbl = !dbl;
	}
	return sum % 10 == 0;
}

static unsigned num(const char *d, size_t n)
{
	unsigned v = 0;

	while (n--)
		v = v * 10 + (unsigned)(*d++ - '0');
	return v;
}

/* Issuer ranges of the card networks, with their lengths. */
static bool card_issuer_ok(const char *d, size_t n)
{
	unsigned p2 = num(d, 2), p3 = num(d, 3), p4 = num(d, 4), p6 = num(d, 6);

	if (d[0] == '4')
		return n == 13 || n == 16 || n == 19; /* Visa */
	if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720))
		return n == 16; /* Mastercard */
	if (p2 == 34 || p2 == 37)
		return n == 15; /* Amex */
	if (p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649) || (p6 >= 622126 && p6 <= 622925))
		return n >= 16 && n <= 19; /* Discover */
	if ((p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38 || p2 == 39 || p3 == 309)
		return n >= 14 && n <= 19; /* Diners */
	if (p4 >= 3528 && p4 <= 3589)
		return n >= 16 && n <= 19; /* JCB */
	if (p2 == 62)
		return n >= 16 && n <= 19; /* UnionPay */
	if (p2 == 50 || (p2 >= 56 && p2 <= 69))
		return n >= 13 && n <= 19; /* Maestro */
	return false;
}

bool redact_ssn_valid(const char *d)
{
	unsigned area = num(d, 3), group = num(d + 3, 2), serial = num(d + 5, 4);
	size_t i;

	for (i = 0; i < 9; i++)
		if (d[i] < '0' || d[i] > '9')
			return false;
	if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0)
		return false;
	/* numbers the SSA says were never valid (used in advertising) */
	if (memcmp(d, "078051120", 9) == 0 || memcmp(d, "219099999", 9) == 0)
		return false;
	return true;
}

static const struct {
	char cc[3];
	uint8_t len;
} iban_lengths[] = {
	{ "AD", 24 }, { "AE", 23 }, { "AL", 28 }, { "AT", 20 }, { "AZ", 28 }, { "BA", 20 },
	{ "BE", 16 }, { "BG", 22 }, { "BH", 22 }, { "BR", 29 }, { "BY", 28 }, { "CH", 21 },
	{ "CR", 22 }, { "CY", 28 }, { "CZ", 24 }, { "DE", 22 }, { "DK", 18 }, { "DO", 28 },
	{ "EE", 20 }, { "EG", 29 }, { "ES", 24 }, { "FI", 18 }, { "FO", 18 }, { "FR", 27 },
	{ "GB", 22 }, { "GE", 22 }, { "GI", 23 }, { "GL", 18 }, { "GR", 27 }, { "GT", 28 },
	{ "HR", 21 }, { "HU", 28 }, { "IE", 22 }, { "IL", 23 }, { "IQ", 23 }, { "IS", 26 },
	{ "IT", 27 }, { "JO", 30 }, { "KW", 30 }, { "KZ", 20 }, { "LB", 28 }, { "LC", 32 },
	{ "LI", 21 }, { "LT", 20 }, { "LU", 20 }, { "LV", 21 }, { "MC", 27 }, { "MD", 24 },
	{ "ME", 22 }, { "MK", 19 }, { "MR", 27 }, { "MT", 31 }, { "MU", 30 }, { "NL", 18 },
	{ "NO", 15 }, { "PK", 24 }, { "PL", 28 }, { "PS", 29 }, { "PT", 25 }, { "QA", 29 },
	{ "RO", 24 }, { "RS", 22 }, { "SA", 24 }, { "SC", 31 }, { "SE", 24 }, { "SI", 19 },
	{ "SK", 24 }, { "SM", 27 }, { "ST", 25 }, { "SV", 28 }, { "TL", 23 }, { "TN", 24 },
	{ "TR", 26 }, { "UA", 29 }, { "VA", 22 }, { "VG", 24 }, { "XK", 20 },
};

static unsigned iban_length(const char *cc)
{
	size_t i;

	for (i = 0; i < sizeof(iban_lengths) / sizeof(iban_lengths[0]); i++)
		if (iban_lengths[i].cc[0] == cc[0] && iban_lengths[i].cc[1] == cc[1])
			return iban_lengths[i].len;
	return 0;
}

bool redact_iban_valid(const char *s, size_t n)
{
	unsigned rem = 0;
	size_t i;

	if (n < 15 || n > 34 || iban_length(s) != n || !is_digit((uint8_t)s[2]) ||
	    !is_digit((uint8_t)s[3]))
		return false;
	/* move the first four characters to the end, letters become 10..35, mod 97 == 1 */
	for (i = 0; i < n; i++) {
		char c = s[(i + 4) % n];

		if (c >= '0' && c <= '9')
			rem = (rem * 10 + (unsigned)(c - '0')) % 97;
		else if (c >= 'A' && c <= 'Z')
			rem = (rem * 100 + (unsigned)(c - 'A' + 10)) % 97;
		else
			return false;
	}
	return rem == 1;
}

/* --- the digit-run scanner ------------------------------------------------------------- */

#define MAX_GROUPS 8

struct groups {
	size_t start, end; /* first and one past last digit */
	unsigned n;
	size_t gs[MAX_GROUPS], gl[MAX_GROUPS];
	uint8_t sep[MAX_GROUPS]; /* separator after group i (0: none) */
	char digits[40];
	size_t nd;
};

/* Parse digit groups from p separated by one of ' ', '-', '.', or "(415) 555" shapes. */
static void parse_groups(const uint8_t *b, size_t len, size_t p, struct groups *g)
{
	size_t i = p;

	g->n = 0;
	g->nd = 0;
	g->start = p;
	for (;;) {
		size_t s = i;

		while (i < len && is_digit(b[i]) && i - s < 20)
			i++;
		if (g->nd + (i - s) >= sizeof(g->digits)) {
			g->n = 0;
			break;
		}
		memcpy(g->digits + g->nd, b + s, i - s);
		g->nd += i - s;
		g->gs[g->n] = s;
		g->gl[g->n] = i - s;
		g->sep[g->n] = 0;
		g->n++;
		g->end = i;
		if (g->n == MAX_GROUPS || i + 1 >= len)
			break;
		if ((b[i] == ' ' || b[i] == '-' || b[i] == '.') && is_digit(b[i + 1])) {
			g->sep[g->n - 1] = b[i];
			i++;
		} else if (b[i] == ')' && i + 2 < len && b[i + 1] == ' ' && is_digit(b[i + 2])) {
			g->sep[g->n - 1] = ')';
			i += 2;
		} else if (b[i] == ')' && is_digit(b[i + 1])) {
			g->sep[g->n - 1] = ')';
			i++;
		} else if (b[i] == ' ' && i + 2 < len && b[i + 1] == '(' && is_digit(b[i + 2])) {
			g->sep[g->n - 1] = '(';
			i += 2;
		} else if (b[i] == '(' && is_digit(b[i + 1])) {
			g->sep[g->n - 1] = '(';
			i++;
		} else {
			break;
		}
	}
}

static bool seps_all(const struct groups *g, uint8_t c)
{
	unsigned i;

	for (i = 0; i + 1 < g->n; i++)
		if (g->sep[i] != c)
			return false;
	return true;
}

static bool right_ok(const uint8_t *b, size_t len, size_t end)
{
	if (end >= len)
		return true;
	if (is_alnum(b[end]) || b[end] == '_' || b[end] == '@')
		return false;
	/* 1.2.3 versions, 10.0.0.1 addresses and decimals continue with [.-]digit */
	if ((b[end] == '.' || b[end] == '-' || b[end] == '/' || b[end] == ':') && end + 1 < len &&
	    is_digit(b[end + 1]))
		return false;
	return true;
}

static bool left_ok(const uint8_t *b, size_t s)
{
	uint8_t c;

	if (s == 0)
		return true;
	c = b[s - 1];
	if (is_alnum(c) || c == '_' || c == '/' || c == '\\' || c == '#' || c == '@' || c == '$')
		return false;
	/* 1.2.3, 10:30, and identifiers such as E2E-583802153804 or INV-2024-0042 */
	if ((c == '.' || c == '-' || c == ':') && s >= 2 && is_alnum(b[s - 2]))
		return false;
	return true;
}

/* Is one of the words within `dist` bytes before s on the same line? */
static bool keyword_before(const uint8_t *b, size_t s, size_t dist, const char *const *words)
{
	size_t a = s > dist ? s - dist : 0, i;
	const char *const *w;

	for (i = s; i > a; i--)
		if (b[i - 1] == '\n') {
			a = i;
			break;
		}
	for (w = words; *w; w++) {
		size_t l = strlen(*w);

		for (i = a; i + l <= s; i++)
			if (strncasecmp((const char *)b + i, *w, l) == 0)
				return true;
	}
	return false;
}

static const char *const ssn_words[] = { "ssn", "social security", "social_security",
					 "ss#", "socialsecurity",  NULL };

static bool try_card(struct rscan *x, const struct groups *g)
{

	unsigned i;
	bool shape = false;

	if (g->nd < 13 || g->nd > 19)
		return false;
	if (g->n == 1) {
		shape = true;
	} else if (seps_all(g, ' ') || seps_all(g, '-')) {
		shape = true;
		for (i = 0; i + 1 < g->n; i++)
			if (g->gl[i] != 4)
				shape = false;
		if (g->gl[g->n - 1] < 1 || g->gl[g->n - 1] > 4)
			shape = false;
		/* Amex and Diners: 4-6-5, 4-6-4 */
		if (g->n == 3 && g->gl[0] == 4 && g->gl[1] == 6 && (g->gl[2] == 5 || g->gl[2] == 4))
			shape = true;
	}
	if (!shape || !card_issuer_ok(g->digits, g->nd) || !redact_luhn_valid(g->digits, g->nd))
		return false;
	cand_add(x, rscan_rule_index(x, &redact_builtin_rules[R_CARD]), g->start, g->end,
		 redact_builtin_rules[R_CARD].confidence);
	return true;
}

static bool try_ssn(struct rscan *x, const struct groups *g)
{
	const struct builtin_rule *r = &redact_builtin_rules[R_SSN];
	float conf = r->confidence;

	if (g->nd != 9)
		return false;
	if (g->n == 3 && g->gl[0] == 3 && g->gl[1] == 2 && g->gl[2] == 4 && seps_all(g, '-')) {
		/* the dashed shape is the strong signal */
	} else if ((g->n == 1 || (g->n == 3 && g->gl[0] == 3 && g->gl[1] == 2 &&
				  (seps_all(g, ' ') || seps_all(g, '.')))) &&
		   keyword_before(x->buf, g->start, 32, ssn_words)) {
		conf = 0.8f;
	} else {
		return false;
	}
	if (!redact_ssn_valid(g->digits))
		return false;
	cand_add(x, rscan_rule_index(x, r), g->start, g->end, conf);
	return true;
}

static bool nanp_ok(const char *d)
{
	return d[0] >= '2' && d[3] >= '2' && !(d[1] == '1' && d[2] == '1');
}

static const char *const phone_words[] = { "phone", "tel",  "mobile",  "cell",
					   "fax",   "call", "contact", NULL };

/* Words that introduce a national number (07700 900456, 01 42 68 53 00) in prose. */
static const char *const national_phone_words[] = {
	"phone", "tel",	     "mobile", "cell",	   "fax",     "call",	"contact", "reach", "ring",
	"sms",	 "whatsapp", "handy",  "portable", "telefon", "numero", "número",  NULL,
};

/*
 * A national number with its trunk prefix: 0 then a non-zero digit, 10 or 11 digits in
 * at least two groups of 2 to 6, one separator throughout.  Order numbers and amounts
 * have the same shape, so only after a phone word on the same line.
 */
static bool national_phone(const uint8_t *b, const struct groups *g)
{
	unsigned i;

	if (g->digits[0] != '0' || g->digits[1] == '0' || g->nd < 10 || g->nd > 11 || g->n < 2)
		return false;
	if (!(seps_all(g, ' ') || seps_all(g, '-') || seps_all(g, '.')))
		return false;
	for (i = 0; i < g->n; i++)
		if (g->gl[i] < 2 || g->gl[i] > 6)
			return false;
	return keyword_before(b, g->start, 40, national_phone_words);
}

static bool try_phone(struct rscan *x, const struct groups *g, size_t s)
{
	const uint8_t *b = x->buf;
	const struct builtin_rule *r = &redact_builtin_rules[R_PHONE];
	bool plus = s > 0 && b[s - 1] == '+';
	bool paren = s > 0 && b[s - 1] == '(' && g->n >= 3 && g->sep[0] == ')' && g->gl[0] == 3;
	size_t start = g->start;
	unsigned i;

	if (plus) {
		/* E.164: +<country><number>, 8..15 digits, groups of at least 1 */
		if (g->nd < 8 || g->nd > 15 || (s >= 2 && (is_alnum(b[s - 2]) || b[s - 2] == '+')))
			return false;
		for (i = 0; i + 1 < g->n; i++)
			if (g->sep[i] == '.' && g->n > 2 && !seps_all(g, '.'))
				return false;
		if (g->digits[0] == '1' && g->nd == 11 && !nanp_ok(g->digits + 1))
			return false;
		start = s - 1;
	} else if (paren) {
		/* (415) 555-0132 */
		if (g->nd != 10 || g->n != 3 || g->gl[1] != 3 || g->gl[2] != 4 ||
		    !(g->sep[1] == '-' || g->sep[1] == '.' || g->sep[1] == ' ') ||
		    !nanp_ok(g->digits))
			return false;
		if (s >= 2 && is_alnum(b[s - 2]))
			return false;
		start = s - 1;
	} else if (g->n == 3 && g->gl[0] == 3 && g->gl[1] == 3 && g->gl[2] == 4 &&
		   (seps_all(g, '-') || seps_all(g, '.') ||
		    (seps_all(g, ' ') && keyword_before(b, g->start, 24, phone_words)))) {
		/* 415-555-0132, 415.555.0132 */
		if (!nanp_ok(g->digits))
			return false;
	} else if (g->n == 4 && g->gl[0] == 1 && g->digits[0] == '1' && g->gl[1] == 3 &&
		   g->gl[2] == 3 && g->gl[3] == 4 && (seps_all(g, '-') || seps_all(g, '.'))) {
		/* 1-415-555-0132 */
		if (!nanp_ok(g->digits + 1))
			return false;
	} else if ((g->start == 0 || !is_alnum(b[g->start - 1])) && national_phone(b, g)) {
		/* 07700 900456, 01 42 68 53 00 */
	} else if (g->n == 1 && (g->nd == 10 || g->nd == 11) &&
		   keyword_before(b, g->start, 24, phone_words)) {
		if (!nanp_ok(g->digits + (g->nd == 11)) || (g->nd == 11 && g->digits[0] != '1'))
			return false;
	} else {
		return false;
	}
	if (!redact_text_context(b, x->len, start, g->end))
		return false;
	cand_add(x, rscan_rule_index(x, r), start, g->end, r->confidence);
	return true;
}

/* IBAN: two capital letters before the run, then the check digits and the BBAN in groups
 * of four (spaces optional).  Returns where the IBAN ends, or 0. */
static size_t try_iban(struct rscan *x, size_t p)
{
	const uint8_t *b = x->buf;
	size_t len = x->len, i, want, n = 0;
	char c[40];

	if (p < 2 || !(b[p - 2] >= 'A' && b[p - 2] <= 'Z') || !(b[p - 1] >= 'A' && b[p - 1] <= 'Z'))
		return 0;
	if (p >= 3 && (is_alnum(b[p - 3]) || b[p - 3] == '_'))
		return 0;
	want = iban_length((const char *)b + p - 2);
	if (!want)
		return 0;
	c[n++] = (char)b[p - 2];
	c[n++] = (char)b[p - 1];
	for (i = p; i < len && n < want;) {
		uint8_t ch = b[i];

		if (is_digit(ch) || (ch >= 'A' && ch <= 'Z')) {
			c[n++] = (char)ch;
			i++;
		} else if (ch == ' ' && n % 4 == 0 && i + 1 < len && is_alnum(b[i + 1])) {
			i++;
		} else {
			break;
		}
	}
	if (n != want || (i < len && (is_alnum(b[i]) || b[i] == '_')))
		return 0;
	if (!redact_iban_valid(c, n))
		return 0;
	cand_add(x, rscan_rule_index(x, &redact_builtin_rules[R_IBAN]), p - 2, i,
		 redact_builtin_rules[R_IBAN].confidence);
	return i;
}

/* Bits set in v, without the popcnt instruction x86-64's baseline lacks. */
static inline unsigned popcount64(uint64_t v)
{
	v = v - ((v >> 1) & 0x5555555555555555ull);
	v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
	v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned)((v * 0x0101010101010101ull) >> 56);
}

/* One digit run starting at p (b[p-1] is not a digit).  Returns where to continue. */
static size_t digit_run(struct rscan *x, size_t p)
{
	const uint8_t *b = x->buf;
	size_t len = x->len, q = p, end;
	struct groups g;
	bool lead;

	while (q < len && is_digit(b[q]))
		q++;
	if (p >= 2 && b[p - 1] >= 'A' && b[p - 1] <= 'Z' && q - p >= 2) {
		end = try_iban(x, p);
		if (end)
			return end;
	}
	/* Every shape starts with 3+ digits, except after '+' or '(', the 1-415-... form and
	   a national number's trunk prefix (01 42 68 53 00). */
	lead = p > 0 && (b[p - 1] == '+' || b[p - 1] == '(');
	if (q - p < 3 && !lead &&
	    !(q - p == 1 && b[p] == '1' && q < len && (b[q] == '-' || b[q] == '.')) &&
	    !(q - p == 2 && b[p] == '0' && b[p + 1] != '0' && q < len &&
	      (b[q] == ' ' || b[q] == '-' || b[q] == '.')))
		return q;
	if (!lead && !left_ok(b, p))
		return q;
	/* the gate of the SSE2 loop, for the bytes it does not cover: 9 digits (8 after '+')
	 * joined only by separators */
	if (q - p < 9) {
		size_t i, nd = 0, lim = p + 32 < len ? p + 32 : len;

		for (i = p; i < lim && (is_digit(b[i]) || b[i] == ' ' || b[i] == '-' ||
					b[i] == '.' || b[i] == '(' || b[i] == ')');
		     i++)
			nd += is_digit(b[i]);
		if (nd < (p > 0 && b[p - 1] == '+' ? 8u : 9u))
			return q;
	}
	parse_groups(b, len, p, &g);
	if (!g.n)
		return q;
	if (!right_ok(b, len, g.end))
		return g.end;
	if (lead || !(try_card(x, &g) || try_ssn(x, &g)))
		try_phone(x, &g, p);
	return g.end;
}

#ifdef HAVE_AVX2_PATH
/*
 * The same gate as the SSE2 loop below, 32 bytes a step, for CPUs with AVX2 (checked once
 * at run time; the build targets baseline x86-64).  Masks of two blocks (64 bytes) give
 * every run start of the first block at least 33 bytes of lookahead.  Returns where the
 * caller goes on.
 */
__attribute__((target("avx2,popcnt"))) static size_t digits_avx2(struct rscan *x)
{
	const uint8_t *b = x->buf;
	size_t len = x->len, i = 0;
	const __m256i bias = _mm256_set1_epi8((char)('0' + 128));
	const __m256i lim = _mm256_set1_epi8((char)(-128 + 10));
	const __m256i sp = _mm256_set1_epi8(' '), da = _mm256_set1_epi8('-');
	const __m256i dot = _mm256_set1_epi8('.'), po = _mm256_set1_epi8('('),
		      pc = _mm256_set1_epi8(')');
	const __m256i ua = _mm256_set1_epi8('A' - 1), uz = _mm256_set1_epi8('Z' + 1);
	const __m256i plus = _mm256_set1_epi8('+');
	uint64_t d0, a0, d1, a1, u0, p0, u1, p1;
	bool prev_digit = false, prev_upper = false, prev_plus = false;

#define MASKS32(at, dm, am, um, pm)                                                                \
	do {                                                                                       \
		__m256i v_ = _mm256_loadu_si256((const __m256i *)(b + (at)));                      \
		__m256i dg_ = _mm256_cmpgt_epi8(lim, _mm256_sub_epi8(v_, bias));                   \
		__m256i sep_ = _mm256_or_si256(                                                    \
			_mm256_or_si256(_mm256_cmpeq_epi8(v_, sp), _mm256_cmpeq_epi8(v_, da)),     \
			_mm256_or_si256(_mm256_cmpeq_epi8(v_, dot),                                \
					_mm256_or_si256(_mm256_cmpeq_epi8(v_, po),                 \
							_mm256_cmpeq_epi8(v_, pc))));              \
		(dm) = (uint32_t)_mm256_movemask_epi8(dg_);                                        \
		(am) = (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(dg_, sep_));                 \
		(um) = (uint32_t)_mm256_movemask_epi8(                                             \
			_mm256_and_si256(_mm256_cmpgt_epi8(v_, ua), _mm256_cmpgt_epi8(uz, v_)));   \
		(pm) = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v_, plus));                \
	} while (0)

	if (len < 64)
		return 0;
	MASKS32(0, d1, a1, u1, p1);
	while (i + 64 <= len) {
		uint64_t dm, am, starts, t;

		d0 = d1, a0 = a1, u0 = u1, p0 = p1;
		MASKS32(i + 32, d1, a1, u1, p1);
		dm = d0 | (d1 << 32);
		am = a0 | (a1 << 32);
		starts = d0 & ~((d0 << 1) | (prev_digit ? 1u : 0u)) & 0xffffffffull;
		prev_digit = (d0 >> 31) & 1;
		t = am & (am >> 1);
		t &= t >> 2;
		t &= t >> 4;
		t &= am >> 8;
		starts &=
			t | (u0 << 1) | (prev_upper ? 1u : 0u) | (p0 << 1) | (prev_plus ? 1u : 0u);
		prev_upper = (u0 >> 31) & 1;
		prev_plus = (p0 >> 31) & 1;
		while (starts) {
			unsigned bit = (unsigned)__builtin_ctzll(starts);
			size_t p = i + bit, next;
			uint64_t run = ~(am >> bit), span;

			starts &= starts - 1;
			span = run ? (1ull << __builtin_ctzll(run)) - 1 : ~0ull;
			if ((unsigned)__builtin_popcountll((dm >> bit) & span) <
				    (p > 0 && b[p - 1] == '+' ? 8u : 9u) &&
			    !(p >= 2 && b[p - 1] >= 'A' && b[p - 1] <= 'Z'))
				continue;
			next = digit_run(x, p);
			if (next >= i + 32) {
				/* the run went past this block: resume there */
				i = next;
				if (i + 64 > len)
					return i;
				MASKS32(i, d1, a1, u1, p1);
				prev_digit = is_digit(b[i - 1]);
				prev_upper = b[i - 1] >= 'A' && b[i - 1] <= 'Z';
				prev_plus = b[i - 1] == '+';
				goto next_block;
			}
			starts &= ~0ull << (next - i);
		}
		i += 32;
	next_block:;
	}
#undef MASKS32
	return i;
}
#endif

void redact_scan_digits(struct rscan *x)
{
	const uint8_t *b = x->buf;
	size_t len = x->len, i = 0;

	if (!rscan_rule_enabled(x, &redact_builtin_rules[R_CARD]) &&
	    !rscan_rule_enabled(x, &redact_builtin_rules[R_SSN]) &&
	    !rscan_rule_enabled(x, &redact_builtin_rules[R_PHONE]) &&
	    !rscan_rule_enabled(x, &redact_builtin_rules[R_IBAN]))
		return;
#ifdef HAVE_AVX2_PATH
	{
		static int avx2 = -1;

		if (avx2 < 0)
			avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
		if (avx2)
			i = digits_avx2(x);
	}
#endif
#ifdef __SSE2__
	/*
	 * Every shape but the IBAN and +E.164 has at least 9 digits joined only by separators
	 * (space - . ( )) from its first digit on; most digit runs in logs (ids, durations,
	 * timestamps, hex) do not.  Masks of 48 bytes let a few bit operations reject them before
	 * any parsing.  IBANs (digits right after two capitals) always go to the parser.
	 */
	if (len >= i + 48) {
		const __m128i bias = _mm_set1_epi8((char)('0' + 128));
		const __m128i lim = _mm_set1_epi8((char)(-128 + 10));
		const __m128i sp = _mm_set1_epi8(' '), da = _mm_set1_epi8('-');
		const __m128i dot = _mm_set1_epi8('.'), po = _mm_set1_epi8('('),
			      pc = _mm_set1_epi8(')');
		const __m128i ua = _mm_set1_epi8('A' - 1), uz = _mm_set1_epi8('Z' + 1);
		uint64_t d[3], a[3];
		const __m128i plus = _mm_set1_epi8('+');
		bool prev_digit = i > 0 && is_digit(b[i - 1]);
		bool prev_upper = i > 0 && b[i - 1] >= 'A' && b[i - 1] <= 'Z';
		bool prev_plus = i > 0 && b[i - 1] == '+';
		unsigned k;

#define MASKS(at, dm, am)                                                                          \
	do {                                                                                       \
		__m128i v_ = _mm_loadu_si128((const __m128i *)(b + (at)));                         \
		__m128i dg_ = _mm_cmplt_epi8(_mm_sub_epi8(v_, bias), lim);                         \
		__m128i sep_ =                                                                     \
			_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v_, sp), _mm_cmpeq_epi8(v_, da)), \
				     _mm_or_si128(_mm_cmpeq_epi8(v_, dot),                         \
						  _mm_or_si128(_mm_cmpeq_epi8(v_, po),             \
							       _mm_cmpeq_epi8(v_, pc))));          \
		(dm) = (uint64_t)(unsigned)_mm_movemask_epi8(dg_);                                 \
		(am) = (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(dg_, sep_));             \
	} while (0)
		for (k = 0; k < 2; k++)
			MASKS(i + 16 * k, d[k + 1], a[k + 1]);
		while (i + 48 <= len) {
			uint64_t dm, am, starts;

			d[0] = d[1], a[0] = a[1];
			d[1] = d[2], a[1] = a[2];
			MASKS(i + 32, d[2], a[2]);
			dm = d[0] | (d[1] << 16) | (d[2] << 32);
			am = a[0] | (a[1] << 16) | (a[2] << 32);
			starts = d[0] & ~((d[0] << 1) | (prev_digit ? 1u : 0u));
			prev_digit = (d[0] >> 15) & 1;
			{
				/* keep starts followed by 9+ digit-or-separator bytes, or after a
				 * capital letter (IBAN) */
				__m128i v = _mm_loadu_si128((const __m128i *)(b + i));
				uint64_t up = (uint64_t)(unsigned)_mm_movemask_epi8(_mm_and_si128(
					_mm_cmpgt_epi8(v, ua), _mm_cmplt_epi8(v, uz)));
				uint64_t pl = (uint64_t)(unsigned)_mm_movemask_epi8(
					_mm_cmpeq_epi8(v, plus));
				uint64_t t = am & (am >> 1);

				t &= t >> 2;
				t &= t >> 4;
				t &= am >> 8;
				/* +<country>: E.164 numbers may have only 8 digits */
				starts &= t | (up << 1) | (prev_upper ? 1u : 0u) | (pl << 1) |
					  (prev_plus ? 1u : 0u);
				prev_upper = (up >> 15) & 1;
				prev_plus = (pl >> 15) & 1;
			}
			while (starts) {
				unsigned bit = (unsigned)__builtin_ctzll(starts);
				size_t p = i + bit, next;
				uint64_t run = ~(am >> bit), span;

				starts &= starts - 1;
				span = run ? (1ull << __builtin_ctzll(run)) - 1 : ~0ull;
				if (popcount64((dm >> bit) & span) <
					    (p > 0 && b[p - 1] == '+' ? 8u : 9u) &&
				    !(p >= 2 && b[p - 1] >= 'A' && b[p - 1] <= 'Z'))
					continue;
				next = digit_run(x, p);
				if (next >= i + 16) {
					/* the run went past this block: resume there */
					i = next;
					goto reload;
				}
				starts &= ~0ull << (next - i);
			}
			i += 16;
			continue;
		reload:
			if (i + 48 > len)
				break;
			for (k = 0; k < 2; k++)
				MASKS(i + 16 * k, d[k + 1], a[k + 1]);
			prev_digit = is_digit(b[i - 1]);
			prev_upper = b[i - 1] >= 'A' && b[i - 1] <= 'Z';
			prev_plus = b[i - 1] == '+';
		}
#undef MASKS
	}
#endif
	while (i < len) {
		if (is_digit(b[i]) && (i == 0 || !is_digit(b[i - 1]))) {
			size_t next = digit_run(x, i);

			i = next > i ? next : i + 1;
		} else {
			i++;
		}
	}
}

/* --- emails ------------------------------------------------------------------------------ */

static bool is_local_char(uint8_t c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

static const char *const file_exts[] = {
	"png",	  "jpg",   "jpeg",   "gif",   "svg",   "webp",	"ico",	  "js",	  "mjs", "cjs",
	"ts",	  "tsx",   "jsx",    "css",   "scss",  "json",	"yaml",	  "yml",  "xml", "html",
	"htm",	  "md",	   "txt",    "py",    "rb",    "go",	"rs",	  "java", "so",	 "dll",
	"exe",	  "zip",   "tar",    "gz",    "tgz",   "lock",	"log",	  "pdf",  "map", "woff",
	"woff2",  "ttf",   "wasm",   "sh",    "toml",  "ini",	"cfg",	  "conf", "bin", "service",
	"socket", "timer", "target", "mount", "slice", "scope", "device", "swap", NULL,
};

/* Message-IDs (<20251121114207.ef7d9e4d@mail.example>) have long random local parts. */
static bool local_is_message_id(const uint8_t *b, size_t ls, size_t a)
{
	size_t i, digits = 0, n = a - ls;
	bool up = false, lo = false;

	for (i = ls; i < a; i++) {
		digits += is_digit(b[i]);
		up |= b[i] >= 'A' && b[i] <= 'Z';
		lo |= b[i] >= 'a' && b[i] <= 'z';
	}
	if (digits >= 8)
		return true;
	return n >= 20 && up && lo && digits >= 2;
}

/*
 * The address whose '@' is at a, alen bytes long: 1, or 3 for "%40" in a URL-encoded query
 * string or form body (email=a.novak%40seznam.cz).
 */
static size_t email_at(struct rscan *x, size_t a, size_t alen)
{
	const uint8_t *b = x->buf;
	size_t len = x->len, ls = a, i, labels = 0, lab_start, tld_s = 0, tld_e = 0;
	const char *const *w;
	bool alpha_tld;

	while (ls > 0 && a - ls < 64 && is_local_char(b[ls - 1]))
		ls--;
	while (ls < a && (b[ls] == '.' || b[ls] == '-' || b[ls] == '+'))
		ls++;
	if (ls == a || b[a - 1] == '.')
		return a + alen;
	if (ls > 0 && (b[ls - 1] == '/' || b[ls - 1] == '@' || b[ls - 1] == '\\'))
		return a + alen; /* scheme://user@host, paths */
	i = a + alen;
	for (;;) {
		lab_start = i;
		while (i < len && i - lab_start < 63 && (is_alnum(b[i]) || b[i] == '-'))
			i++;
		if (i == lab_start || b[lab_start] == '-' || b[i - 1] == '-')
			break;
		labels++;
		tld_s = lab_start;
		tld_e = i;
		if (i + 1 < len && b[i] == '.' && is_alnum(b[i + 1]))
			i++;
		else
			break;
	}
	if (labels < 2 || tld_e - tld_s < 2 || tld_e - tld_s > 24)
		return a + alen;
	alpha_tld = true;
	for (i = tld_s; i < tld_e; i++)
		if (!((b[i] | 0x20) >= 'a' && (b[i] | 0x20) <= 'z'))
			alpha_tld = false;
	if (!alpha_tld || (tld_e < len && (b[tld_e] == '_' || b[tld_e] == '@')))
		return a + alen;
	for (w = file_exts; *w; w++)
		if (strlen(*w) == tld_e - tld_s &&
		    strncasecmp((const char *)b + tld_s, *w, tld_e - tld_s) == 0)
			return a + alen;
	/* git@github.com:org/repo is an scp-style address, not a person; git@example.com
	   as a Gitea mailer's USER is an address */
	if (a - ls == 3 && memcmp(b + ls, "git", 3) == 0 &&
	    (tld_e >= len || b[tld_e] == ':' || b[tld_e] == '/'))
		return tld_e;
	if (local_is_message_id(b, ls, a))
		return tld_e;
	if (!redact_text_context(b, len, ls, tld_e))
		return a + alen;
	cand_add(x, rscan_rule_index(x, &redact_builtin_rules[R_EMAIL]), ls, tld_e,
		 redact_builtin_rules[R_EMAIL].confidence);
	return tld_e;
}

/* An address with a URL-encoded '@' ("%40"): the engine's literal matcher finds those. */
void redact_email_encoded(struct rscan *x, size_t at)
{
	if (rscan_rule_enabled(x, &redact_builtin_rules[R_EMAIL]))
		email_at(x, at, 3);
}

void redact_scan_emails(struct rscan *x)
{
	const uint8_t *b = x->buf, *p;
	size_t i = 0;

	if (!rscan_rule_enabled(x, &redact_builtin_rules[R_EMAIL]))
		return;
	while (i < x->len && (p = memchr(b + i, '@', x->len - i)) != NULL)
		i = email_at(x, (size_t)(p - b), 1);
}
