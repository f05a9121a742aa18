// SPDX-License-Identifier: Apache-2.0
/*
 * The built-in rules and their verifiers.  A rule fires on a literal found by the
 * Vectorscan database (or on a digit run, or on '@'); its verifier then parses forward
 * (and, for a literal in the middle of a secret, backward) from that literal with plain
 * byte loops to confirm the secret and find its exact span.  Regular expressions would
 * find the same spans, but asking Vectorscan for match starts costs several times the
 * scan itself, while a verifier runs only where a literal already matched.
 */
#include <string.h>

#include "redact_int.h"

#define B(c) (1u << (c))

/* --- shared helpers ---------------------------------------------------------- */

static size_t span_cls(const struct rscan *x, size_t i, unsigned cls, size_t max)
{
	size_t n = 0;

	while (i + n < x->len && n <= max && in_cls(x->buf[i + n], cls))
		n++;
	return n;
}

static bool left_boundary(const struct rscan *x, size_t s)
{
	return s == 0 || !is_alnum(x->buf[s - 1]);
}

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

static bool eq_ci(const uint8_t *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (lower(a[i]) != lower((uint8_t)b[i]))
			return false;
	return true;
}

static bool ends_with_ci(const uint8_t *p, size_t len, const char *suf)
{
	size_t n = strlen(suf);

	return len >= n && eq_ci(p + len - n, suf, n);
}

static bool has_digit(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (is_digit(p[i]))
			return true;
	return false;
}

/* Random keys mix classes; words, paths and identifiers mostly do not. */
static bool looks_random(const uint8_t *p, size_t n)
{
	bool up = false, lo = false, dg = false;
	size_t i;

	for (i = 0; i < n; i++) {
		up |= p[i] >= 'A' && p[i] <= 'Z';
		lo |= p[i] >= 'a' && p[i] <= 'z';
		dg |= is_digit(p[i]);
	}
	return (up + lo + dg) >= 2 && redact_entropy(p, n) >= 3.0;
}

static bool check_github_crc(const uint8_t *tok, size_t len)
{
	return redact_github_token_valid((const char *)tok, len);
}

/* --- generic verifiers --------------------------------------------------------- */

/*
 * A body longer than its rule's maximum is not that token -- unless the maximum is past
 * what a stream holds back: a stream that already masked the start of such a token cannot
 * take it back, so the one-shot scan masks it too (a prefixed run of that length is a
 * secret anyway).
 */
static size_t max_len(const struct builtin_rule *r)
{
	return r->max >= REDACT_HOLDBACK_MIN - 64 ? 64 * 1024 : r->max;
}

/* prefix + body of class cls, min..max bytes, whole token on word boundaries. */
static void v_token(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	size_t n;
	float conf = r->confidence;

	if (!left_boundary(x, s))
		return;
	n = span_cls(x, e, r->cls, max_len(r));
	if (n < r->min || n > max_len(r))
		return;
	if (redact_placeholder(x->buf + e, n))
		return;
	if (r->check && !r->check(x->buf + s, e - s + n))
		conf *= 0.7f; /* shape right, checksum wrong: maybe mistyped or cut, still masked */
	if (e + n == x->len)
		cand_add_open(x, rscan_rule_index(x, r), s, e + n, conf, CONT_CLASS + r->cls);
	else
		cand_add(x, rscan_rule_index(x, r), s, e + n, conf);
}

/* Like v_token, but the body must look random (for prefixes that also start words). */
static void v_token_random(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	size_t n;

	if (!left_boundary(x, s))
		return;
	n = span_cls(x, e, r->cls, max_len(r));
	if (n < r->min || n > max_len(r))
		return;
	if (!looks_random(x->buf + e, n) || redact_placeholder(x->buf + e, n))
		return;
	if (e + n == x->len)
		cand_add_open(x, rscan_rule_index(x, r), s, e + n, r->confidence,
			      CONT_CLASS + r->cls);
	else
		cand_add(x, rscan_rule_index(x, r), s, e + n, r->confidence);
}

static void v_github(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	v_token(x, r, s, e);
}

/* sk-...: OpenAI keys, but not Anthropic's sk-ant- and not words like sk-learn. */
static void v_openai(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	size_t n;
	const uint8_t *b = x->buf + e;

	if (!left_boundary(x, s))
		return;
	n = span_cls(x, e, r->cls, r->max);
	if (n < r->min || n > r->max || (n >= 4 && memcmp(b, "ant-", 4) == 0))
		return;
	if (redact_placeholder(b, n))
		return;
	if (!(memmem(b, n, "T3BlbkFJ", 8) || (n > 5 && memcmp(b, "proj-", 5) == 0) ||
	      (n > 8 && memcmp(b, "svcacct-", 8) == 0) || (n > 6 && memcmp(b, "admin-", 6) == 0) ||
	      looks_random(b, n)))
		return;
	cand_add(x, rscan_rule_index(x, r), s, e + n, r->confidence);
}

/*
 * A key = value assignment around a keyword: the key is the identifier containing the
 * literal, then optional closing quote, '=', ':', ':=', '=>' or '>' (XML), then the value,
 * quoted (also JSON-escaped \") or bare.  Command-line flags (--password VALUE), netrc
 * (password VALUE) and getenv("KEY", "default") also count.
 */
struct assign {
	size_t ks, ke, vs, ve;
	bool quoted_key, quoted_val;
	uint8_t sep;
};

static bool is_key_char(uint8_t c)
{
	return is_alnum(c) || c == '_' || c == '-' || c == '.';
}

/* netrc: "machine HOST login USER password PASS", on one line or several. */
static bool netrc_context(const uint8_t *b, size_t ks)
{
	size_t a = ks > 200 ? ks - 200 : 0;

	return memmem(b + a, ks - a, "machine ", 8) || memmem(b + a, ks - a, "login ", 6);
}

static bool parse_assignment(const struct rscan *x, size_t s, size_t e, struct assign *as,
			     size_t maxval)
{
	const uint8_t *b = x->buf;
	size_t len = x->len, i, j, k, sp;
	uint8_t q = 0;
	bool esc = false, xml = false;

	/*
	 * Bounded: "key" occurs again and again inside one long base64 run, and expanding
	 * the run once per occurrence would make it quadratic.  No real key is that long.
	 */
	i = s;
	while (i > 0 && s - i < 96 && is_key_char(b[i - 1]))
		i--;
	j = e;
	while (j < len && j - e < 96 && is_key_char(b[j]))
		j++;
	if ((i > 0 && is_key_char(b[i - 1])) || (j < len && is_key_char(b[j])))
		return false;
	as->ks = i;
	as->ke = j;
	as->quoted_key = false;
	k = j;
	/* closing quote of a quoted key, maybe JSON-escaped */
	if (k + 1 < len && b[k] == '\\' && (b[k + 1] == '"' || b[k + 1] == '\'')) {
		k += 2;
		as->quoted_key = true;
	} else if (k < len && (b[k] == '"' || b[k] == '\'')) {
		k++;
		as->quoted_key = true;
	}
	sp = k;
	while (k < len && (b[k] == ' ' || b[k] == '\t'))
		k++;
	sp = k - sp;
	if (k >= len)
		return false;
	as->sep = b[k];
	if (b[k] == '=') {
		k++;
		if (k < len && b[k] == '>')
			k++; /* Perl and Ruby hashes */
		else if (k < len && b[k] == '=')
			return false; /* a comparison */
	} else if (b[k] == ':') {
		k++;
		if (k < len && b[k] == '=')
			k++;
		else if (k < len && b[k] == ':')
			return false; /* C++ scope, not an assignment */
		/* Terraform state outputs: "name": {"value": "...", ...} */
		if (as->quoted_key) {
			size_t v = k;

			while (v < len && b[v] == ' ')
				v++;
			if (len - v > 10 && memcmp(b + v, "{\"value\":", 9) == 0)
				k = v + 9;
		}
	} else if (b[k] == '>' && as->ks > 0 && b[as->ks - 1] == '<') {
		k++;
		xml = true;
	} else if (b[k] == ',' && as->quoted_key) {
		/* getenv("KEY", "default"), ["--requirepass", "value"] */
		k++;
		while (k < len && b[k] == ' ')
			k++;
		if (k >= len || !(b[k] == '"' || b[k] == '\''))
			return false;
	} else if (sp && (b[as->ks] == '-' ||
			  ((as->ke - as->ks == 8 || as->ke - as->ks == 6) &&
			   (eq_ci(b + as->ks, "password", 8) || eq_ci(b + as->ks, "passwd", 6)) &&
			   netrc_context(b, as->ks)))) {
		as->sep = ' ';
	} else {
		return false;
	}
	while (k < len && (b[k] == ' ' || b[k] == '\t'))
		k++;
	if (k >= len)
		return false;
	if (!xml && b[k] == '\\' && k + 1 < len && (b[k + 1] == '"' || b[k + 1] == '\'')) {
		esc = true;
		q = b[k + 1];
		k += 2;
	} else if (!xml && (b[k] == '"' || b[k] == '\'' || b[k] == '`')) {
		q = b[k];
		k++;
	} else if (!xml && k + 1 < len && (b[k] == 'b' || b[k] == 'r') &&
		   (b[k + 1] == '"' || b[k + 1] == '\'')) {
		/* Python bytes and raw strings: b"...", r'...' */
		q = b[k + 1];
		k += 2;
	}
	as->vs = k;
	if (q) {
		while (k < len && k - as->vs <= maxval && b[k] != q && b[k] != '\n') {
			if (b[k] == '\\' && (esc || (k + 1 < len && b[k + 1] == '\n')))
				break; /* the closing \" of an escaped string, or a line
					  continuation */
			if (b[k] == '\\')
				k++; /* an escaped character inside the string */
			k++;
		}
		if (k >= len || k - as->vs > maxval)
			return false;
		if (esc ? !(b[k] == '\\' && k + 1 < len && b[k + 1] == q) : b[k] != q)
			return false;
	} else {
		while (k < len && k - as->vs <= maxval && b[k] > ' ' && b[k] != ',' &&
		       b[k] != ';' && b[k] != '&' && b[k] != '"' && b[k] != '\'' && b[k] != '<' &&
		       b[k] != '}' && b[k] != ')' && b[k] != '\\' && b[k] < 0x7f)
			k++;
		if (k - as->vs > maxval)
			return false;
		/* <password>VALUE</password>: an element's text ends at its closing tag */
		if (xml && !(k + 1 < len && b[k] == '<' && b[k + 1] == '/'))
			return false;
	}
	as->ve = k;
	as->quoted_val = q != 0;
	/* {"type": "apikey", "apikey": [...]}: a quoted word followed by ':' is the next key */
	if (as->sep == ',' && q) {
		k += esc ? 2 : 1;
		while (k < len && b[k] == ' ')
			k++;
		if (k < len && b[k] == ':')
			return false;
	}
	return as->ve > as->vs;
}

/* Keyword, then a value of exactly class cls, min..max bytes. */
static void v_keyword_value(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	struct assign as;
	size_t i;

	if (!parse_assignment(x, s, e, &as, r->max))
		return;
	if (as.ve - as.vs < r->min || as.ve - as.vs > r->max)
		return;
	for (i = as.vs; i < as.ve; i++)
		if (!in_cls(x->buf[i], r->cls))
			return;
	if (redact_placeholder(x->buf + as.vs, as.ve - as.vs))
		return;
	if (r->check && !r->check(x->buf + as.vs, as.ve - as.vs))
		return;
	cand_add(x, rscan_rule_index(x, r), as.vs, as.ve, r->confidence);
}

/* Key suffix tables keep their lengths: key_class runs for every "key" in the input. */
struct suffix {
	const char *s;
	size_t n;
};

#define SUF(x)                                                                                     \
	{                                                                                          \
		x, sizeof(x) - 1                                                                   \
	}

static bool ends_with_suf(const uint8_t *k, size_t n, const struct suffix *f)
{
	return n >= f->n && lower(k[n - 1]) == (uint8_t)f->s[f->n - 1] &&
	       eq_ci(k + n - f->n, f->s, f->n);
}

/* Keys whose value is a secret: the key must end with one of these. */
static const struct suffix secret_key_suffixes[] = {
	SUF("password"),      SUF("passwd"),	     SUF("passphrase"),	 SUF("pass"),
	SUF("pwd"),	      SUF("secret"),	     SUF("token"),	 SUF("apikey"),
	SUF("api_key"),	      SUF("api-key"),	     SUF("secret_key"),	 SUF("secretkey"),
	SUF("access_key"),    SUF("accesskey"),	     SUF("private_key"), SUF("privatekey"),
	SUF("credentials"),   SUF("credential"),     SUF("auth_key"),	 SUF("authkey"),
	SUF("signing_key"),   SUF("encryption_key"), SUF("master_key"),	 SUF("client_secret"),
	SUF("app_key"),	      SUF("requirepass"),    SUF("masterauth"),	 SUF("key_base"),
	SUF("logged_in_key"), SUF("nonce_key"),	     SUF("salt"),	 { NULL, 0 },
};

/* ... but not these, whose values are not secrets. */
static const struct suffix benign_key_suffixes[] = {
	SUF("page_token"),
	SUF("pagetoken"),
	SUF("next_token"),
	SUF("nexttoken"),
	SUF("continuation_token"),
	SUF("cancel_token"),
	SUF("csrf_token_name"),
	SUF("max_token"),
	SUF("token_type"),
	SUF("oldpwd"),
	SUF("bypass"),
	SUF("compass"),
	SUF("surpass"),
	SUF("trespass"),
	SUF("by_pass"),
	SUF("pusher_app_key"),
	SUF("pusher_key"),
	{ NULL, 0 },
};

/*
 * Keys that often, not always, hold a secret: an "encryption.key", an "apiKey", a
 * "sessionid" cookie, npm's "_auth".  Their value counts only when it looks random.
 */
static const struct suffix weak_key_suffixes[] = {
	SUF("key"), SUF("sessionid"), SUF("csrftoken"), SUF("auth"), { NULL, 0 },
};

/* ... unless the key says what the value is and it is public or an identifier. */
static const struct suffix public_key_suffixes[] = {
	SUF("public_key"),     SUF("publickey"),
	SUF("pubkey"),	       SUF("publishable_key"),
	SUF("publishablekey"), SUF("app_key_id"),
	SUF("sort_key"),       SUF("partition_key"),
	SUF("cache_key"),      SUF("idempotency_key"),
	SUF("foreign_key"),    SUF("object_key"),
	SUF("s3_key"),	       SUF("license_key_id"),
	SUF("ssh_key"),	       SUF("hash_key"),
	SUF("range_key"),      SUF("routing_key"),
	SUF("site_key"),       SUF("sitekey"),
	SUF("oauth"),	       { NULL, 0 },
};

/* Does the key end with suffix suf as a word of its own (db_pass, dbPass, pass)? */
static bool ends_with_word(const uint8_t *k, size_t n, const struct suffix *f)
{
	size_t l = f->n;
	uint8_t before;

	if (!ends_with_suf(k, n, f))
		return false;
	if (n == l)
		return true;
	before = k[n - l - 1];
	return before == '_' || before == '-' || before == '.' ||
	       ((k[n - l] >= 'A' && k[n - l] <= 'Z') && before >= 'a' && before <= 'z');
}

enum key_class { KEY_PLAIN, KEY_SECRET, KEY_WEAK };

static const char key_tails[] = "rdwdsesseteneylsalthltid";

static bool key_tail_possible(uint8_t a, uint8_t b)
{
	size_t i;

	for (i = 0; i + 1 < sizeof(key_tails); i += 2)
		if (key_tails[i] == a && key_tails[i + 1] == b)
			return true;
	return false;
}

static enum key_class key_class(const uint8_t *k, size_t n)
{
	const struct suffix *p;

	while (n && (k[n - 1] == '.' || k[n - 1] == '-'))
		n--;
	/* a numbered or versioned key: password2, api_key_2, smtp_password_v4 */
	{
		size_t m = n;

		while (m && is_digit(k[m - 1]))
			m--;
		if (m < n && m > 1 && (k[m - 1] == 'v' || k[m - 1] == 'V') &&
		    (k[m - 2] == '_' || k[m - 2] == '-'))
			m--;
		if (m < n && m > 1 && (k[m - 1] == '_' || k[m - 1] == '-'))
			m--;
		if (m < n && m > 3)
			n = m;
	}
	/*
	 * Every secret or weak suffix ends in one of these pairs: most keys leave here.
	 */
	if (n < 2 || !key_tail_possible(lower(k[n - 2]), lower(k[n - 1])))
		return KEY_PLAIN;
	if (n == 3 && eq_ci(k, "key", 3))
		return KEY_WEAK; /* {"key": ...}, the commonest of all */
	for (p = benign_key_suffixes; p->s; p++)
		if (ends_with_suf(k, n, p))
			return KEY_PLAIN;
	for (p = secret_key_suffixes; p->s; p++) {
		/* short suffixes (pass, pwd) only as a word of their own */
		if (p->n >= 5 ? ends_with_suf(k, n, p) : ends_with_word(k, n, p))
			return KEY_SECRET;
	}
	for (p = public_key_suffixes; p->s; p++)
		if (ends_with_suf(k, n, p))
			return KEY_PLAIN;
	for (p = weak_key_suffixes; p->s; p++)
		if (ends_with_word(k, n, p))
			return KEY_WEAK;
	return KEY_PLAIN;
}

/* A weak key's value: one random-looking word of 16 bytes or more. */
static bool weak_value_ok(const uint8_t *v, size_t n)
{
	static const char *const public_prefixes[] = { "pk_live_", "pk_test_", "phc_",
						       "pk.ey",	   "ssh-",     NULL };
	const char *const *p;
	size_t i, hexrun = 0;

	/* a random word has digits: defaultStripeKey is a name */
	if (n < 16 || !looks_random(v, n) || !has_digit(v, n))
		return false;
	for (p = public_prefixes; *p; p++)
		if (n > strlen(*p) && memcmp(v, *p, strlen(*p)) == 0)
			return false;
	for (i = 0; i < n; i++) {
		if (v[i] <= ' ' || v[i] >= 0x7f)
			return false;
		/* a UUID (8-4-4-4-12) is an identifier: a session or instrumentation id */
		if (is_digit(v[i]) || ((v[i] | 0x20) >= 'a' && (v[i] | 0x20) <= 'f'))
			hexrun++;
		else if (v[i] == '-' && hexrun == 8 && n - i > 27 && v[i + 5] == '-')
			return false;
		else
			hexrun = 0;
	}
	return true;
}

static const char *const code_words[] = {
	"null",	    "none",  "nil",	"undefined", "true", "false",  "str",	"string",
	"int",	    "bool",  "boolean", "number",    "any",  "object", "bytes", "required",
	"optional", "self",  "this",	"function",  "func", "return", "new",	"secret",
	"password", "token", "os",	"env",	     "read", "write",  NULL,
};

/* A bare value that is code (a variable, a call, a type), not a literal secret. */
static bool bare_value_is_code(const uint8_t *v, size_t n)
{
	const char *const *w;
	size_t i;
	bool identish = true, dot = false;

	for (w = code_words; *w; w++)
		if (strlen(*w) == n && eq_ci(v, *w, n))
			return true;
	/* a constant named for what it holds: NEWRELIC_USER_KEY, settings.API_TOKEN */
	{
		static const char *const sufs[] = { "_KEY",  "_TOKEN", "_SECRET", "_PASSWORD",
						    "_PASS", "_PWD",   NULL };
		bool upper = true;

		for (i = 0; i < n; i++)
			if (!((v[i] >= 'A' && v[i] <= 'Z') || is_digit(v[i]) || v[i] == '_'))
				upper = false;
		for (w = sufs; upper && *w; w++)
			if (ends_with_ci(v, n, *w) && n > strlen(*w))
				return true;
	}
	for (i = 0; i < n; i++) {
		if (v[i] == '(' || v[i] == '[' || v[i] == '{')
			return true;
		if (v[i] == '.')
			dot = true;
		else if (!(is_alnum(v[i]) || v[i] == '_'))
			identish = false;
	}
	/* settings.DB_PASSWORD, req.body.password, os.environ.get */
	return identish && dot && !has_digit(v, n);
}

static const struct builtin_rule *rule_named(const char *name)
{
	size_t i;

	for (i = 0; i < redact_builtin_count; i++)
		if (strcmp(redact_builtin_rules[i].name, name) == 0)
			return &redact_builtin_rules[i];
	return NULL;
}

static bool discord_shape(const uint8_t *v, size_t n);

static bool aws_secret_shape(const uint8_t *v, size_t n);
static bool aws_key_id_before(const struct rscan *x, size_t at);

static void add_password_value(struct rscan *x, const struct builtin_rule *r, size_t vs, size_t ve)
{
	const uint8_t *v = x->buf + vs;

	/* ci_secret_key = <40 base64> next to an AKIA key id: an AWS secret access key */
	if (aws_secret_shape(v, ve - vs) && aws_key_id_before(x, vs)) {
		const struct builtin_rule *a = rule_named("aws-secret-access-key");

		if (a) {
			cand_add(x, rscan_rule_index(x, a), vs, ve, a->confidence);
			return;
		}
	}

	/* a value whose shape names its kind better (a Discord bot token under bot_token) */
	if (discord_shape(v, ve - vs)) {
		const struct builtin_rule *d = rule_named("discord-bot-token");

		if (d) {
			cand_add(x, rscan_rule_index(x, d), vs, ve, d->confidence);
			return;
		}
	}
	cand_add(x, rscan_rule_index(x, r), vs, ve, r->confidence);
}

/* The first token of its line (after indentation, "export", "- " list markers)? */
static bool key_starts_line(const uint8_t *b, size_t ks)
{
	size_t i = ks;

	while (i > 0 && (b[i - 1] == ' ' || b[i - 1] == '\t' || b[i - 1] == '-'))
		i--;
	if (i >= 6 && memcmp(b + i - 6, "export", 6) == 0)
		i -= 6;
	while (i > 0 && (b[i - 1] == ' ' || b[i - 1] == '\t'))
		i--;
	return i == 0 || b[i - 1] == '\n' || b[i - 1] == '{' || b[i - 1] == ',';
}

static void v_password_assignment(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	struct assign as;
	const uint8_t *v;
	enum key_class kc;

	/* "key=", "key :": the literal runs past the key name, parse from its end */
	while (e > s + 1 && !is_key_char(x->buf[e - 1]))
		e--;
	if (!parse_assignment(x, s, e, &as, r->max))
		return;
	kc = key_class(x->buf + as.ks, as.ke - as.ks);
	if (kc == KEY_PLAIN)
		return;
	/* PWD is the shell's working directory; Pwd= in an ODBC string is a password */
	if (as.ke - as.ks == 3 && eq_ci(x->buf + as.ks, "pwd", 3) && !as.quoted_key &&
	    !(as.ks > 0 && x->buf[as.ks - 1] == ';'))
		return;
	/* "pass: the masks..." in prose: a short bare key must start its line */
	if (as.ke - as.ks <= 4 && as.sep == ':' && !as.quoted_key &&
	    !key_starts_line(x->buf, as.ks))
		return;
	/* rubygems_<key>, prefix${SUFFIX}: a template, the value is not all there */
	if (!as.quoted_val && as.ve < x->len && as.sep != '>' &&
	    (x->buf[as.ve] == '<' || x->buf[as.ve] == '$' || x->buf[as.ve] == '{'))
		return;
	if (as.ve - as.vs > 7 && memcmp(x->buf + as.vs, "base64:", 7) == 0)
		as.vs += 7; /* Laravel's APP_KEY=base64:... */
	v = x->buf + as.vs;
	if (as.ve - as.vs < r->min || redact_placeholder(v, as.ve - as.vs))
		return;
	if (!as.quoted_val && bare_value_is_code(v, as.ve - as.vs))
		return;
	if (kc == KEY_WEAK && !weak_value_ok(v, as.ve - as.vs))
		return;
	/*
	 * getenv("SECRET_KEY", "dev"): a default that is a plain word is a development
	 * fallback; credentials:show, a colon with no space, is a command, not YAML
	 */
	if ((as.sep == ',' ||
	     (as.sep == ':' && !as.quoted_val && as.vs > 0 && x->buf[as.vs - 1] == ':')) &&
	    !looks_random(v, as.ve - as.vs) && !has_digit(v, as.ve - as.vs))
		return;
	/* WP_CACHE_KEY_SALT='shop.example.io': a salt that is a name is not a secret */
	if (ends_with_ci(x->buf + as.ks, as.ke - as.ks, "salt") && !looks_random(v, as.ve - as.vs))
		return;
	/* "--password via the CLI": a flag's bare value must look like a secret, not a word */
	if (as.sep == ' ' && !as.quoted_val && !looks_random(v, as.ve - as.vs) &&
	    !has_digit(v, as.ve - as.vs))
		return;
	/* a path is a file holding the secret, not the secret (PASSWORD_FILE=/run/...) */
	if (v[0] == '/' || (as.ve - as.vs > 2 && v[0] == '~' && v[1] == '/'))
		return;
	if (!redact_text_context(x->buf, x->len, as.vs, as.ve))
		return;
	add_password_value(x, r, as.vs, as.ve);
}

/* --- structured secrets ---------------------------------------------------------- */

static bool is_b64url(uint8_t c)
{
	return is_alnum(c) || c == '-' || c == '_';
}

static int b64val(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (is_digit(c))
		return c - '0' + 52;
	if (c == '-' || c == '+')
		return 62;
	if (c == '_' || c == '/')
		return 63;
	return -1;
}

/* Decode base64 or base64url (no padding needed) into out; returns bytes written. */
static size_t b64_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0, i;

	for (i = 0; i < n && o < cap; i++) {
		int v = b64val(in[i]);

		if (v < 0)
			break;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	return o;
}

#define JWT_MAX (64 * 1024)

static void v_jwt(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	const uint8_t *b = x->buf;
	size_t len = x->len, i = s, parts = 0, p1 = 0, p2 = 0;
	uint8_t hdr[256];
	size_t hn;
	bool open, payload_json;

	if (s > 0 && (is_b64url(b[s - 1]) || b[s - 1] == '.' || b[s - 1] == '/' || b[s - 1] == '+'))
		return;
	/* dot-separated base64url parts: 3 for a JWS, 5 for a JWE; more are masked whole */
	for (;;) {
		size_t st = i;

		while (i < len && i - s < JWT_MAX && is_b64url(b[i]))
			i++;
		parts++;
		if (parts == 1)
			p1 = i - st;
		else if (parts == 2)
			p2 = i - st;
		if (i + 1 >= len || b[i] != '.' || !is_b64url(b[i + 1]) || i - s >= JWT_MAX)
			break;
		i++;
	}
	/* a trailing '.' with an empty signature is an unsigned JWT (alg none) */
	if (parts == 2 && i < len && b[i] == '.') {
		parts++;
		i++;
	}
	/* header.payload without a signature part is still a token when the payload is JSON;
	 * reaching the end of the data, the token may go on in a stream's next bytes */
	payload_json = p2 >= 3 && memcmp(b + s + p1 + 1, "eyJ", 3) == 0;
	open = i == len && (parts > 2 || payload_json);
	if ((parts < 3 && !payload_json) || p1 < 10 || p2 < 4 || i - s >= JWT_MAX)
		return;
	hn = b64_decode(b + s, p1 < 340 ? p1 : 340, hdr, sizeof(hdr) - 1);
	hdr[hn] = 0;
	if (hn < 8 || hdr[0] != '{' || !memmem(hdr, hn, "\"alg\"", 5))
		return;
	if (open)
		cand_add_open(x, rscan_rule_index(x, r), s, i, r->confidence, CONT_JWT);
	else
		cand_add(x, rscan_rule_index(x, r), s, i, r->confidence);
}

#define KEY_MAX (64 * 1024)

/* Is buf[i] the start of a body line break: a real newline or a JSON-escaped one? */
static bool pem_body_char(const uint8_t *b, size_t len, size_t i, size_t *step)
{
	uint8_t c = b[i];

	*step = 1;
	if (is_alnum(c) || c == '+' || c == '/' || c == '=' || c == '\n' || c == '\r' || c == ' ' ||
	    c == '\t' || c == ':' || c == ',' || c == '-' || c == '.')
		return true;
	/* a stray byte or two that are not ASCII text (a corrupted copy) do not end the block;
	 * three or more are text (a UTF-8 character) or data after it */
	if (c >= 0x80 || c == 0) {
		size_t k = i;

		while (k < len && k - i < 3 && (b[k] >= 0x80 || b[k] == 0))
			k++;
		if (k - i <= 2) { /* also at the end of the data: more may follow */
			*step = k - i;
			return true;
		}
		return false;
	}
	/* JSON-escaped line breaks, \n, or escaped again inside a JSON string, \\n */
	if (c == '\\') {
		size_t k = i;

		while (k < len && k - i < 4 && b[k] == '\\')
			k++;
		if (k < len && (b[k] == 'n' || b[k] == 'r')) {
			*step = k + 1 - i;
			return true;
		}
	}
	return false;
}

/*
 * Walk a key block's body from `from`: base64 lines, headers such as Proc-Type, real or
 * JSON-escaped line breaks, up to and including its "-----END ...-----" line.  Returns
 * where the block ends; *open tells that the data ended first (more may follow).  A
 * block broken by other text ends where the text starts, so a stream, which sees the same
 * bytes, ends it at the same place.
 */
static size_t pem_walk(const uint8_t *b, size_t len, size_t from, bool *open)
{
	size_t i = from, step, k;

	*open = false;
	while (i < len && i - from < KEY_MAX) {
		if (b[i] == '-' && len - i >= 9 && memcmp(b + i, "-----END ", 9) == 0) {
			/* the label is capitals, digits and spaces, then the closing dashes */
			for (k = i + 9; k < len && k < i + 80; k++) {
				if (b[k] == '-' && k + 5 <= len && memcmp(b + k, "-----", 5) == 0)
					return k + 5;
				if (!((b[k] >= 'A' && b[k] <= 'Z') || is_digit(b[k]) ||
				      b[k] == ' ' || b[k] == '-'))
					return i;
			}
			*open = k >= len;
			return k >= len ? len : i;
		}
		if (!pem_body_char(b, len, i, &step)) {
			/* backslashes last may be the start of an escaped \n */
			k = i;
			while (k < len && b[k] == '\\')
				k++;
			*open = k == len && k - i <= 4;
			return *open ? len : i;
		}
		i += step;
	}
	*open = i >= len;
	return i > len ? len : i;
}

static void v_private_key(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	const uint8_t *b = x->buf;
	size_t len = x->len, i, hdr_end = 0, end;
	bool open;

	for (i = e; i + 5 <= len && i < e + 64; i++) {
		if (b[i] == '\n' || b[i] == '\\')
			return;
		if (memcmp(b + i, "-----", 5) == 0) {
			hdr_end = i;
			break;
		}
	}
	if (!hdr_end) {
		/* the header itself is cut off at the end of the data */
		if (i + 5 > len && len - e < 64)
			cand_add_open(x, rscan_rule_index(x, r), s, len, r->confidence, CONT_PEM);
		return;
	}
	if (!(ends_with_ci(b + e, hdr_end - e, "PRIVATE KEY") ||
	      ends_with_ci(b + e, hdr_end - e, "PRIVATE KEY BLOCK")))
		return;
	end = pem_walk(b, len, hdr_end + 5, &open);
	if (open)
		cand_add_open(x, rscan_rule_index(x, r), s, len, r->confidence, CONT_PEM);
	else if (end > hdr_end + 5 && (b[end - 1] == '-' || end - (hdr_end + 5) >= 64))
		/* terminated, or a cut-off block; a header mentioned in prose is neither */
		cand_add(x, rscan_rule_index(x, r), s, end, r->confidence);
}

/* The data continues a match that began in earlier data of a stream: one of known length
 * cut by the stream's holdback bound, or one that may go on (a private key block, a JWT, a
 * long token). */
void redact_continue(struct rscan *x, const struct cand_carry *carry)
{
	const struct redact_rule_info *info;
	size_t end = carry->at, n = redact_rules(x->e, &info), before = x->n;
	float conf;
	bool open = false;

	if (carry->rule >= n || carry->at > x->len)
		return;
	conf = info[carry->rule].confidence;
	if (carry->cont == CONT_FIXED) {
		end = carry->len < x->len - carry->at ? carry->at + carry->len : x->len;
		open = carry->len > x->len - carry->at;
	} else if (carry->cont == CONT_PEM) {
		end = pem_walk(x->buf, x->len, carry->at, &open);
	} else {
		/* a JWT's dots count only between parts, as in v_jwt */
		while (end < x->len &&
		       (carry->cont == CONT_JWT
				? (is_b64url(x->buf[end]) ||
				   (x->buf[end] == '.' &&
				    (end + 1 == x->len || is_b64url(x->buf[end + 1]))))
				: in_cls(x->buf[end], carry->cont - CONT_CLASS)))
			end++;
		open = end == x->len;
	}
	if (open)
		cand_add_open(x, carry->rule, carry->at, x->len, conf, carry->cont);
	else if (end > carry->at)
		cand_add(x, carry->rule, carry->at, end, conf);
	if (x->n > before)
		x->c[x->n - 1].carried = true;
}

/* Authorization: Bearer <token> / Basic <base64 user:password> -- the credential only. */
static void v_auth_header(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	const uint8_t *b = x->buf;
	size_t len = x->len, i = e, vs, n = 0;
	bool basic = lower(b[s]) == 'b' && lower(b[s + 1]) == 'a';

	if (!left_boundary(x, s))
		return;
	while (i < len && b[i] == ' ')
		i++;
	vs = i;
	while (i < len &&
	       (is_alnum(b[i]) || b[i] == '-' || b[i] == '.' || b[i] == '_' || b[i] == '~' ||
		b[i] == '+' || b[i] == '/' || b[i] == '=') &&
	       n < 4096) {
		i++;
		n++;
	}
	if (i < len && (is_alnum(b[i]) || b[i] == '$' || b[i] == '{' || b[i] == '<'))
		return;
	if (redact_placeholder(b + vs, n))
		return;
	if (basic) {
		uint8_t dec[256];
		size_t dn, k;
		bool colon = false;

		if (n < 8 || n > 340 || (n % 4) != 0)
			return;
		dn = b64_decode(b + vs, n, dec, sizeof(dec));
		for (k = 0; k < dn; k++) {
			if (dec[k] == ':')
				colon = true;
			else if (dec[k] < 0x20 || dec[k] >= 0x7f)
				return;
		}
		if (!colon)
			return;
	} else {
		if (n < 16 || !(has_digit(b + vs, n) || redact_entropy(b + vs, n) >= 3.5))
			return;
	}
	cand_add(x, rscan_rule_index(x, r), vs, i, r->confidence);
}

/* API key request headers: X-API-Key: <value>. */
static void v_api_key_header(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	const uint8_t *b = x->buf;
	size_t len = x->len, i = e, vs;

	if (!left_boundary(x, s) && !(s > 0 && b[s - 1] == '-'))
		return;
	while (i < len && b[i] == ' ')
		i++;
	vs = i;
	while (i < len && i - vs <= 256 &&
	       (is_alnum(b[i]) || b[i] == '-' || b[i] == '_' || b[i] == '.' || b[i] == '=' ||
		b[i] == '+' || b[i] == '/'))
		i++;
	if (i - vs < 16 || i - vs > 256 || !looks_random(b + vs, i - vs) ||
	    redact_placeholder(b + vs, i - vs))
		return;
	cand_add(x, rscan_rule_index(x, r), vs, i, r->confidence);
}

static const char *const db_schemes[] = {
	"postgres",  "postgresql",  "mysql",	     "mariadb", "mongodb",  "mongodb+srv",
	"redis",     "rediss",	    "amqp",	     "amqps",	"mssql",    "sqlserver",
	"oracle",    "cockroachdb", "clickhouse",    "couchdb", "neo4j",    "neo4j+s",
	"bolt",	     "nats",	    "mqtt",	     "mqtts",	"kafka",    "memcached",
	"cassandra", "influxdb",    "elasticsearch", "ldap",	"ldaps",    "snowflake",
	"db2",	     "sqlite",	    "rabbitmq",	     "stomp",	"postgis",  "timescaledb",
	"vertica",   "presto",	    "trino",	     "hive",	"redshift", NULL,
};

static const char *const web_schemes[] = { "http",  "https", "ftp",   "ftps", "sftp", "ssh", "smtp",
					   "smtps", "imap",  "imaps", "git",  "svn",  NULL };

static bool scheme_in(const uint8_t *p, size_t n, const char *const *list)
{
	const char *const *w;

	for (w = list; *w; w++)
		if (strlen(*w) == n && eq_ci(p, *w, n))
			return true;
	return false;
}

/* scheme://user:password@host -- the password only.  Triggered by "://". */
static void url_password(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e,
			 const char *const *schemes)
{
	const uint8_t *b = x->buf;
	size_t len = x->len, i = s, ss, colon = 0, at = 0, k;

	while (i > 0 && s - i < 32 &&
	       (is_alnum(b[i - 1]) || b[i - 1] == '+' || b[i - 1] == '-' || b[i - 1] == '.'))
		i--;
	/* a URL after a JSON-escaped line break: \npostgresql:// */
	if (i > 0 && b[i - 1] == '\\' && (b[i] == 'n' || b[i] == 'r' || b[i] == 't'))
		i++;
	ss = i;
	if (ss == s)
		return;
	/* jdbc:postgresql://, a scheme with a driver: postgresql+psycopg2:// */
	{
		size_t sl = s - ss;
		const uint8_t *sp = b + ss;
		const uint8_t *plus = memchr(sp, '+', sl);

		if (!scheme_in(sp, sl, schemes) &&
		    !(plus && scheme_in(sp, (size_t)(plus - sp), schemes)))
			return;
	}
	for (k = e; k < len && k - e < 512; k++) {
		uint8_t c = b[k];

		if (c == '@')
			at = k;
		else if (c == ':' && !colon && !at)
			colon = k;
		else if (c == '/' || c <= ' ' || c == '"' || c == '\'' || c == '<' || c == '>' ||
			 c == '\\' || c == '`' || c >= 0x7f || ((c == '?' || c == '#') && at))
			break;
	}
	if (!colon || !at || at < colon + 2)
		return;
	if (redact_placeholder(b + colon + 1, at - colon - 1))
		return;
	cand_add(x, rscan_rule_index(x, r), colon + 1, at, r->confidence);
}

static void v_db_url(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	url_password(x, r, s, e, db_schemes);
}

static void v_web_url_password(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	url_password(x, r, s, e, web_schemes);
}

static bool is_url_char(uint8_t c)
{
	return is_alnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '@' || c == '%';
}

/* A webhook URL with the literal in its middle: the whole URL from its scheme. */
static void v_webhook_url(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	const uint8_t *b = x->buf;
	size_t len = x->len, i = s, n;

	while (i > 0 && s - i < 128 && (is_alnum(b[i - 1]) || b[i - 1] == '.' || b[i - 1] == '-'))
		i--;
	if (i >= 8 && memcmp(b + i - 8, "https://", 8) == 0)
		i -= 8;
	else if (i >= 7 && memcmp(b + i - 7, "http://", 7) == 0)
		i -= 7;
	n = 0;
	while (e + n < len && n <= r->max && is_url_char(b[e + n]))
		n++;
	if (n < r->min || n > r->max)
		return;
	/* the token part must be there, not a documentation stub */
	if (redact_placeholder(b + e, n) || !has_digit(b + e, n))
		return;
	cand_add(x, rscan_rule_index(x, r), i, e + n, r->confidence);
}

/* 123456789:AA<33> -- the literal ":AA" sits in the middle. */
static void v_telegram(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	const uint8_t *b = x->buf;
	size_t i = s, n;

	while (i > 0 && s - i <= 10 && is_digit(b[i - 1]))
		i--;
	if (s - i < 8 || s - i > 10 ||
	    !(left_boundary(x, i) || (i >= 3 && memcmp(b + i - 3, "bot", 3) == 0)))
		return; /* api.telegram.org/bot<token>/ is how the API takes it */
	n = span_cls(x, e, CL_ALNUM_UD, 34);
	if (n != 33)
		return;
	cand_add(x, rscan_rule_index(x, r), i, e + n, r->confidence);
}

/* <32 hex>-us<1-2 digits> */
static void v_mailchimp(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	const uint8_t *b = x->buf;
	size_t i = s, n;

	while (i > 0 && s - i <= 32 && in_cls(b[i - 1], CL_HEXLOWER))
		i--;
	if (s - i != 32 || !left_boundary(x, i))
		return;
	n = 0;
	while (e + n < x->len && n < 3 && is_digit(b[e + n]))
		n++;
	if (n < 1 || n > 2 || (e + n < x->len && is_alnum(b[e + n])))
		return;
	cand_add(x, rscan_rule_index(x, r), i, e + n, r->confidence);
}

/* <14 alnum>.atlasv1.<60-70> */
static void v_terraform(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	const uint8_t *b = x->buf;
	size_t i = s, n;

	while (i > 0 && s - i <= 14 && is_alnum(b[i - 1]))
		i--;
	if (s - i != 14 || !left_boundary(x, i))
		return;
	n = span_cls(x, e, CL_ALNUM_UDE, r->max);
	if (n < r->min || n > r->max || redact_placeholder(b + i, s - i) ||
	    redact_placeholder(b + e, n))
		return;
	cand_add(x, rscan_rule_index(x, r), i, e + n, r->confidence);
}

/* <36 hex>NRAL: a New Relic license key. */
static void v_newrelic_license(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	const uint8_t *b = x->buf;
	size_t i = s;

	while (i > 0 && s - i <= 36 && in_cls(b[i - 1], CL_HEX))
		i--;
	if (s - i != 36 || !left_boundary(x, i) || (e < x->len && is_alnum(b[e])))
		return;
	cand_add(x, rscan_rule_index(x, r), i, e, r->confidence);
}

/* Sentry DSN: https://<32 hex>[:<32 hex>]@host/project -- the key.  Triggered by
 * "sentry.io" (scanning back over the host) or by a DSN keyword (scanning forward). */
static bool sentry_key_before_at(const struct rscan *x, size_t at, size_t *ks, size_t *ke)
{
	const uint8_t *b = x->buf;
	size_t i = at;

	while (i > 0 && at - i <= 65 && (in_cls(b[i - 1], CL_HEX) || b[i - 1] == ':'))
		i--;
	if (at - i < 32 || i < 3 || memcmp(b + i - 3, "://", 3) != 0)
		return false;
	*ks = i;
	*ke = at;
	return true;
}

static void v_sentry(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	const uint8_t *b = x->buf;
	size_t i, ks, ke;

	if (b[s] == 's' || b[s] == 'S') {
		/* "sentry.io" in a host: find the '@' before it */
		for (i = s; i > 0 && s - i < 128; i--) {
			if (b[i - 1] == '@') {
				if (sentry_key_before_at(x, i - 1, &ks, &ke))
					cand_add(x, rscan_rule_index(x, r), ks, ke, r->confidence);
				return;
			}
			if (!(is_alnum(b[i - 1]) || b[i - 1] == '.' || b[i - 1] == '-'))
				return;
		}
		return;
	}
	/* a DSN keyword: the URL follows within a few bytes */
	for (i = e; i < x->len && i < e + 48; i++) {
		if (b[i] == '\n')
			return;
		if (i + 3 <= x->len && memcmp(b + i, "://", 3) == 0) {
			size_t k = i + 3;

			while (k < x->len && k - i < 72 && (in_cls(b[k], CL_HEX) || b[k] == ':'))
				k++;
			if (k < x->len && b[k] == '@' && sentry_key_before_at(x, k, &ks, &ke) &&
			    !memmem(b + ke, x->len - ke < 64 ? x->len - ke : 64, "sentry.io", 9))
				cand_add(x, rscan_rule_index(x, r), ks, ke, r->confidence);
			return;
		}
	}
}

/* Discord bot token: <23-28>.<6-7>.<27-40> base64url; the first part is a user id in
 * base64, so it starts with M, N or O. */
static size_t discord_len(const uint8_t *b, size_t len)
{
	size_t a = 0, m = 0, c = 0, i = 0;

	if (!len || !(b[0] == 'M' || b[0] == 'N' || b[0] == 'O'))
		return 0;
	while (i < len && is_b64url(b[i]) && a < 30)
		i++, a++;
	if (a < 23 || a > 28 || i >= len || b[i] != '.')
		return 0;
	i++;
	while (i < len && is_b64url(b[i]) && m < 8)
		i++, m++;
	if (m < 6 || m > 7 || i >= len || b[i] != '.')
		return 0;
	i++;
	while (i < len && is_b64url(b[i]) && c < 41)
		i++, c++;
	if (c < 27 || c > 40 || (i < len && is_b64url(b[i])))
		return 0;
	return i;
}

static bool discord_shape(const uint8_t *v, size_t n)
{
	return discord_len(v, n) == n;
}

/* Near a Discord keyword (DISCORD_TOKEN=, "Authorization: Bot "). */
static void v_discord_bot(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	const uint8_t *b = x->buf;
	size_t i, n, lim = e + 96 < x->len ? e + 96 : x->len;

	for (i = e; i < lim; i++) {
		if (b[i] == '\n')
			return;
		if (i > 0 && is_b64url(b[i - 1]))
			continue;
		n = discord_len(b + i, x->len - i);
		if (n) {
			cand_add(x, rscan_rule_index(x, r), i, i + n, r->confidence);
			return;
		}
	}
}

/* Docker's config.json: "auth": "<base64 of user:password>". */
static void v_docker_auth(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	struct assign as;
	uint8_t dec[512];
	size_t dn, k;
	bool colon = false;

	if (!parse_assignment(x, s + 1, e - 1, &as, 680) || !as.quoted_val)
		return;
	if (as.ve - as.vs < 8)
		return;
	for (k = as.vs; k < as.ve; k++)
		if (!in_cls(x->buf[k], CL_B64))
			return;
	dn = b64_decode(x->buf + as.vs, as.ve - as.vs, dec, sizeof(dec));
	for (k = 0; k < dn; k++) {
		if (dec[k] == ':')
			colon = true;
		else if (dec[k] < 0x20 || dec[k] >= 0x7f)
			return;
	}
	if (colon)
		cand_add(x, rscan_rule_index(x, r), as.vs, as.ve, r->confidence);
}

/* mysql -p'secret' / -p"secret" (the literal ends with the quote). */
static void v_mysql_p(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	const uint8_t *b = x->buf;
	size_t i = e, vs, ls = s;
	uint8_t q = b[e - 1];

	/* the command on the same line, within a command line's reach (long minified lines
	   hold " -p" often: an unbounded look-back would make them quadratic) */
	while (ls > 0 && s - ls < 256 && b[ls - 1] != '\n')
		ls--;
	if (!memmem(b + ls, s - ls, "mysql", 5) && !memmem(b + ls, s - ls, "mariadb", 7))
		return;
	vs = i;
	while (i < x->len && i - vs < 256 && b[i] != '\n' && b[i] != q)
		i++;
	if (i - vs < 3 || i >= x->len || b[i] != q || redact_placeholder(b + vs, i - vs))
		return;
	cand_add(x, rscan_rule_index(x, r), vs, i, r->confidence);
}

/*
 * mysql -u root -pSECRET: the password glued to -p, on the command's line.  The command,
 * not " -p", is the literal: a three-byte literal slows the whole literal matcher.
 */
static void v_mysql_bare(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	const uint8_t *b = x->buf;
	/* the flag within the stream's context of the command, as a stream sees it */
	size_t i = e, vs, lim = e + 160 < x->len ? e + 160 : x->len;

	for (; i + 3 < lim && b[i] != '\n'; i++) {
		if (!(b[i] == ' ' && b[i + 1] == '-' && b[i + 2] == 'p'))
			continue;
		vs = i + 3;
		if (b[vs] <= ' ' || b[vs] == '\'' || b[vs] == '"' || b[vs] == '-' || b[vs] == '$')
			continue; /* -p alone prompts; quoted values are mysql-password-flag's */
		for (i = vs; i < lim && b[i] > ' ' && b[i] < 0x7f; i++)
			;
		if (i - vs < 3 || i >= lim || redact_placeholder(b + vs, i - vs))
			return;
		cand_add(x, rscan_rule_index(x, r), vs, i, r->confidence);
		return;
	}
}

/* curl -u user:password, --user user:password: the password. */
static void v_curl_user(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	const uint8_t *b = x->buf;
	size_t i = e, colon = 0, vs;
	uint8_t q = 0;

	if (i < x->len && (b[i] == '\'' || b[i] == '"'))
		q = b[i++];
	vs = i;
	while (i < x->len && i - vs < 256 && b[i] != '\n' && (q ? b[i] != q : b[i] > ' ')) {
		if (b[i] == ':' && !colon)
			colon = i;
		i++;
	}
	if (!colon || colon == vs || i - colon < 3 || (q && (i >= x->len || b[i] != q)))
		return;
	if (redact_placeholder(b + colon + 1, i - colon - 1))
		return;
	cand_add(x, rscan_rule_index(x, r), colon + 1, i, r->confidence);
}

/* dp.st.<config>.<key> or dp.st.<key> */
static void v_doppler(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	const uint8_t *b = x->buf;
	size_t i = e, n;

	if (!left_boundary(x, s))
		return;
	n = span_cls(x, i, CL_ALNUM_UD, 64);
	if (i + n < x->len && b[i + n] == '.' && n <= 32)
		i += n + 1;
	n = span_cls(x, i, CL_ALNUM, r->max);
	if (n < r->min || n > r->max || (i + n < x->len && is_b64url(b[i + n])) ||
	    redact_placeholder(b + i, n))
		return;
	cand_add(x, rscan_rule_index(x, r), s, i + n, r->confidence);
}

/* A PEM private key in base64 (kubeconfig client-key-data, Kubernetes secrets):
 * "LS0tLS1CRUdJTi" is "-----BEGIN" encoded. */
static void v_pem_base64(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	uint8_t dec[64];
	size_t n, dn;

	if (s > 0 && in_cls(x->buf[s - 1], CL_B64))
		return;
	n = span_cls(x, s, CL_B64, KEY_MAX);
	if (n < 100 || n > KEY_MAX)
		return;
	dn = b64_decode(x->buf + s, 64, dec, sizeof(dec));
	if (!memmem(dec, dn, "PRIVATE KEY", 11))
		return;
	if (s + n == x->len)
		cand_add_open(x, rscan_rule_index(x, r), s, s + n, r->confidence,
			      CONT_CLASS + CL_B64);
	else
		cand_add(x, rscan_rule_index(x, r), s, s + n, r->confidence);
}

/* prefix + body like v_token, but only the body is the secret (AccountKey=<key>). */
static void v_token_value(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	size_t n = span_cls(x, e, r->cls, r->max);

	if (n < r->min || n > r->max || redact_placeholder(x->buf + e, n))
		return;
	cand_add(x, rscan_rule_index(x, r), e, e + n, r->confidence);
}

/* Mailgun's newer keys: <32 hex>-<8 hex>-<8 hex> near "mailgun". */
static void v_mailgun_ctx(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	const uint8_t *b = x->buf;
	size_t i, lim = e + 96 < x->len ? e + 96 : x->len;

	for (i = e; i + 50 <= lim; i++) {
		if (b[i] == '\n')
			return;
		if (i > 0 && is_alnum(b[i - 1]))
			continue;
		if (span_cls(x, i, CL_HEXLOWER, 33) == 32 && b[i + 32] == '-' &&
		    span_cls(x, i + 33, CL_HEXLOWER, 9) == 8 && b[i + 41] == '-' &&
		    span_cls(x, i + 42, CL_HEXLOWER, 9) == 8) {
			cand_add(x, rscan_rule_index(x, r), i, i + 50, r->confidence);
			return;
		}
	}
}

static bool check_aws_secret(const uint8_t *v, size_t n)
{
	return looks_random(v, n);
}

static bool check_b64_padded(const uint8_t *v, size_t n)
{
	return v[n - 1] == '=' && looks_random(v, n);
}

/* --- the table ------------------------------------------------------------------ */

/* 40 base64 characters, upper and lower case: the shape of an AWS secret access key. */
static bool aws_secret_shape(const uint8_t *v, size_t n)
{
	bool up = false, lo = false;
	size_t i;

	if (n != 40)
		return false;
	for (i = 0; i < n; i++) {
		if (!in_cls(v[i], CL_B64) || v[i] == '=')
			return false;
		up |= v[i] >= 'A' && v[i] <= 'Z';
		lo |= v[i] >= 'a' && v[i] <= 'z';
	}
	return up && lo && looks_random(v, n);
}

/* An AWS access key id (AKIA/ASIA + 16) within a few lines before `at`. */
static bool aws_key_id_before(const struct rscan *x, size_t at)
{
	size_t a = at > 400 ? at - 400 : 0, i;

	for (i = a; i + 20 <= at; i++)
		if ((x->buf[i] == 'A') &&
		    (memcmp(x->buf + i, "AKIA", 4) == 0 || memcmp(x->buf + i, "ASIA", 4) == 0) &&
		    span_cls(x, i + 4, CL_UPPER_NUM, 17) == 16)
			return true;
	return false;
}

/* An AWS key id followed on its line by a secret: "AKIA... / wJalr..." in chat and notes. */
static void v_aws_pair(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	const uint8_t *b = x->buf;
	size_t i, lim = e + 16 + 80 < x->len ? e + 16 + 80 : x->len;

	if (!left_boundary(x, s) || span_cls(x, e, CL_UPPER_NUM, 17) != 16)
		return;
	for (i = e + 16; i + 40 <= lim; i++) {
		if (b[i] == '\n')
			return;
		if ((i > 0 && in_cls(b[i - 1], CL_B64)) || !in_cls(b[i], CL_B64))
			continue;
		if (span_cls(x, i, CL_B64, 41) == 40 && aws_secret_shape(b + i, 40)) {
			cand_add(x, rscan_rule_index(x, r), i, i + 40, r->confidence);
			return;
		}
	}
}

/* Postman and similar: {"key": "X-Api-Key", "value": "..."}. */
/*
 * A name and its value in separate fields: {"key": "password", "value": "..."} (Postman,
 * Kubernetes env), {"name": "db-password", "value": ...} (key vaults, HAR headers),
 * {"Name": "/prod/API_TOKEN", "Type": "SecureString", "Value": ...} (SSM), and the XML
 * form <Environment name="smtp/password" value="..."/>.  Other fields may stand between
 * the two inside the same object or element.  Triggered by the value field, which is
 * rarer than "name" in logs; the name is looked for backwards.
 */
static bool find_name_field(const uint8_t *b, size_t lo, size_t s, bool xml, size_t *ret_ns,
			    size_t *ret_ne)
{
	size_t p = s, i;

	while (p > lo) {
		p--;
		if (b[p] == '{' || b[p] == '}' || b[p] == '[' || b[p] == ']' || b[p] == '<' ||
		    b[p] == '>')
			return false;
		if (xml) {
			if (b[p] != ' ' || !eq_ci(b + p + 1, "name=\"", 6))
				continue;
			i = p + 7;
		} else {
			if (b[p] != '"')
				continue;
			if (eq_ci(b + p, "\"name\"", 6))
				i = p + 6;
			else if (eq_ci(b + p, "\"key\"", 5))
				i = p + 5;
			else
				continue;
			while (i < s && b[i] == ' ')
				i++;
			if (i >= s || b[i++] != ':')
				continue;
			while (i < s && b[i] == ' ')
				i++;
			if (i >= s || b[i++] != '"')
				continue;
		}
		*ret_ns = i;
		while (i < s && i - *ret_ns < 96 && b[i] != '"')
			i++;
		if (i >= s || b[i] != '"' || i == *ret_ns)
			return false;
		*ret_ne = i;
		return true;
	}
	return false;
}

static void v_key_value_pair(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	const uint8_t *b = x->buf;
	size_t i = e, ns, ne, vs, ve;
	bool xml = b[e - 1] == '"' && b[e - 2] == '=';
	enum key_class kc;

	if (!find_name_field(b, s > 200 ? s - 200 : 0, s, xml, &ns, &ne))
		return;
	kc = key_class(b + ns, ne - ns);
	if (kc == KEY_PLAIN)
		return;
	if (!xml) {
		while (i < x->len && b[i] == ' ')
			i++;
		if (i >= x->len || b[i] != '"')
			return;
		i++;
	}
	vs = i;
	while (i < x->len && i - vs <= 256 && b[i] != '"' && b[i] != '\n')
		i++;
	ve = i;
	if (i >= x->len || b[i] != '"' || ve - vs < 3 || redact_placeholder(b + vs, ve - vs))
		return;
	if (kc == KEY_WEAK && !weak_value_ok(b + vs, ve - vs))
		return;
	add_password_value(x, r, vs, ve);
}

/*
 * Prose in chats and tickets: "new password is Falcon-river42", "the api key is `x7Kq...`".
 * The word after "is" counts only when it cannot be a word of the sentence: it has a digit
 * or mixes cases with enough entropy.
 */
static void v_prose_secret(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	const uint8_t *b = x->buf;
	size_t i = e, vs, ve;
	uint8_t q = 0;

	if (!left_boundary(x, s))
		return;
	if (i < x->len && (b[i] == '`' || b[i] == '"' || b[i] == '\''))
		q = b[i++];
	vs = i;
	while (i < x->len && i - vs <= 128 && b[i] > ' ' && b[i] < 0x7f && b[i] != q)
		i++;
	ve = i;
	if (q && (i >= x->len || b[i] != q))
		return;
	/* a sentence goes on after the value: drop its punctuation */
	while (!q && ve > vs &&
	       (b[ve - 1] == '.' || b[ve - 1] == ',' || b[ve - 1] == ';' || b[ve - 1] == ')' ||
		b[ve - 1] == '!' || b[ve - 1] == '?'))
		ve--;
	if (ve - vs < 8 || ve - vs > 128 || redact_placeholder(b + vs, ve - vs))
		return;
	if (!has_digit(b + vs, ve - vs) || !looks_random(b + vs, ve - vs))
		return;
	cand_add(x, rscan_rule_index(x, r), vs, ve, r->confidence);
}

/*
 * A ~/.pgpass line, hostname:port:database:username:password, a whole line with no
 * blank: the password is the fifth field.  Triggered by the default port or a wildcard.
 */
static void v_pgpass(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	const uint8_t *b = x->buf;
	size_t ls = s, i, colon[4], nc = 0, le;

	while (ls > 0 && s - ls < 200 && b[ls - 1] != '\n')
		ls--;
	if (ls > 0 && b[ls - 1] != '\n')
		return;
	for (i = ls; i < x->len && i - ls < 512 && b[i] != '\n' && b[i] != '\r'; i++) {
		if (b[i] <= ' ' || b[i] >= 0x7f)
			return;
		if (b[i] == ':' && (i == ls || b[i - 1] != '\\')) {
			if (nc == 4)
				return; /* the password may not hold a bare ':' */
			colon[nc++] = i;
		}
	}
	le = i;
	if (nc != 4 || colon[0] == ls || le - colon[3] - 1 < 3)
		return;
	/* the port: digits or '*' */
	for (i = colon[0] + 1; i < colon[1]; i++)
		if (!is_digit(b[i]) && !(b[i] == '*' && colon[1] - colon[0] == 2))
			return;
	if (colon[1] == colon[0] + 1 || redact_placeholder(b + colon[3] + 1, le - colon[3] - 1))
		return;
	cand_add(x, rscan_rule_index(x, r), colon[3] + 1, le, r->confidence);
}

/* email=a.novak%40seznam.cz: the address around a URL-encoded '@'. */
static void v_email_encoded(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	(void)r;
	(void)e;
	redact_email_encoded(x, s);
}

/* Kafka's basic.auth.user.info=USER:SECRET: the secret. */
static void v_user_info(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	struct assign as;
	const uint8_t *c;

	if (!parse_assignment(x, s, e, &as, r->max))
		return;
	c = memchr(x->buf + as.vs, ':', as.ve - as.vs);
	if (!c || (size_t)(c - x->buf) + 1 >= as.ve)
		return;
	if (redact_placeholder(c + 1, x->buf + as.ve - c - 1))
		return;
	cand_add(x, rscan_rule_index(x, r), (size_t)(c - x->buf) + 1, as.ve, r->confidence);
}

/* Terraform state of a random_password resource: "result": "<the password>". */
static void v_tf_random_password(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	struct assign as;
	/* within the stream's context, or a stream and a one-shot scan would disagree */
	size_t a = s > REDACT_STREAM_CONTEXT - 16 ? s - (REDACT_STREAM_CONTEXT - 16) : 0;

	if (!memmem(x->buf + a, s - a, "random_password", 15))
		return;
	if (!parse_assignment(x, s + 1, e - 1, &as, r->max) || !as.quoted_val ||
	    redact_placeholder(x->buf + as.vs, as.ve - as.vs))
		return;
	cand_add(x, rscan_rule_index(x, r), as.vs, as.ve, r->confidence);
}

/* A quoted 64-byte key in base64 (86 characters and "=="), as `az storage account keys
 * list` prints Azure storage keys. */
static void v_b64_key88(struct rscan *x, const struct builtin_rule *r, size_t s, size_t e)
{
	const uint8_t *b = x->buf;
	size_t i = s;

	while (i > 0 && s - i <= 86 && in_cls(b[i - 1], CL_B64) && b[i - 1] != '=')
		i--;
	if (s - i != 86 || i == 0 || b[i - 1] != '"' || !looks_random(b + i, 86))
		return;
	cand_add(x, rscan_rule_index(x, r), i, s + 2, r->confidence);
}

/* Rows leave the parameters their verifier does not use at zero. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* The first entries are the rules of the scanners that are not literal-triggered; the
 * digit and email scanners find them by these positions (see redact_int.h). */
/* clang-format off */
const struct builtin_rule redact_builtin_rules[] = {
	{ "email", "email", 0.9f, 0, "alice.smith@example.org", TRIG_AT },
	{ "phone", "phone", 0.8f, 0, "+1 415-555-0132", TRIG_DIGITS },
	{ "us-ssn", "us-ssn", 0.85f, 0, "SSN 219-09-9998", TRIG_DIGITS },
	{ "credit-card", "credit-card", 0.9f, 0, "4111 1111 1111 1111", TRIG_DIGITS },
	{ "iban", "iban", 0.95f, 0, "DE89 3704 0044 0532 0130 00", TRIG_DIGITS },

	{ "aws-access-key-id", "aws-access-key-id", 0.95f, 3, "AKIAZ7VRSQ2EXU5MJ3NO", 0,
	  { "AKIA", "ASIA", "ABIA", "ACCA" }, v_token, CL_UPPER_NUM, 16, 16 },
	{ "aws-secret-access-key", "aws-secret-access-key", 0.9f, 2,
	  "aws_secret_access_key = 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", 0,
	  { "~secret_access_key", "~secretaccesskey", "~secret-access-key", "~aws_secret_key",
	    "~aws_secret", "~awssecretkey" },
	  v_keyword_value, CL_B64, 40, 40, check_aws_secret },
	{ "aws-session-token", "aws-session-token", 0.9f, 2,
	  "aws_session_token = IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDPtYgjmUhBel31iEl2hpChYgCfrL1spNxnyVmihA/2O76UMFxFkM/R5Kjp1vRt+1fjORS/6ilI8ihN5KXSc7Tvo/hBK", 0,
	  { "~session_token", "~sessiontoken", "~security_token", "~security-token" },
	  v_keyword_value, CL_B64, 100, 4000, check_aws_secret },
	{ "aws-session-token-prefix", "aws-session-token", 0.9f, 3,
	  "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDPtYgjmUhBel31iEl2hpChYgCfrL1spNxnyVmihA/2O76UMFxFkM/R5Kjp1vRt+1fjORS/6ilI8ihN5KXSc7Tvo/hBK", 0,
	  { "IQoJb3JpZ2luX2Vj", "FwoGZXIvYXdzE" }, v_token, CL_B64, 80, 4000 },
	{ "aws-secret-after-key-id", "aws-secret-access-key", 0.85f, 2,
	  "AKIAZ7VRSQ2EXU5MJ3NO / 9dkq3V+Jr0wzN1Lh6tXbY2cUe4mPaS7fQ8oGiR5K", 0,
	  { "AKIA", "ASIA" }, v_aws_pair },
	{ "gcp-api-key", "gcp-api-key", 0.95f, 3, "AIzaSyD3x7Kq9Lm2Np4Rs6Tu8Vw0Xy1Za3Bc5De", 0,
	  { "AIza" }, v_token, CL_ALNUM_UD, 35, 35 },
	{ "azure-storage-key", "azure-storage-key", 0.9f, 2,
	  "AZURE_STORAGE_KEY=qFYY/kv5ZJr3J1TWDtkwtDDb+xHKas1VOqg6YYZYn9ZhyiA4uoRgnatmUdjAWtGSU8po+799NksnRH9ucAUsdM==", 0,
	  { "~storage_key", "~storagekey", "~storage_account_key", "~storageaccountkey",
	    "~account_key", "~accountkey\"", "~azure_key", "~storage-key" },
	  v_keyword_value, CL_B64, 86, 90, check_b64_padded },
	{ "azure-storage-key-quoted", "azure-storage-key", 0.8f, 1,
	  "\"value\": \"9lE9Zmsr1XcV2ezVyrvaR4tNvyG6GJmoyPcz3cbcpfMyWr0XZbKO6hFmQtyxfzZ/AIyfJFwCkRDVL+15O/Uwxg==\"", 0,
	  { "==\"" }, v_b64_key88 },
	{ "azure-connection-string", "azure-connection-string", 0.95f, 3,
	  "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=lHUvTCQCyEZDz/TddJ8HyS5SUkCnD8zRA9a9SkpXz9w3QlY7Zkuvqdt7s8Stqcbnr3yBdGBLEPH1qhT61qtc4x==", 0,
	  { "AccountKey=", "SharedAccessKey=" }, v_token_value, CL_B64, 40, 120 },
	{ "github-pat-classic", "github-token", 0.99f, 3, "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", 0,
	  { "ghp_", "gho_", "ghu_", "ghs_", "ghr_" }, v_github, CL_ALNUM, 36, 36, check_github_crc },
	{ "github-pat-fine-grained", "github-token", 0.99f, 3, "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", 0,
	  { "github_pat_" }, v_token, CL_ALNUM_UD, 80, 90 },
	{ "gitlab-token", "gitlab-token", 0.95f, 3, "glpat-x7Kq9Lm2Np4Rs6Tu8Vw0", 0,
	  { "glpat-", "gldt-", "glrt-", "glptt-", "glft-", "glsoat-", "glcbt-", "gloas-", "glimt-",
	    "GR1348941" }, v_token, CL_ALNUM_UDD, 20, 80 },
	{ "bitbucket-app-password", "bitbucket-token", 0.9f, 3, "ATBB3xKq9Lm2Np4Rs6Tu8Vw0Xy1Za3Bc5De7", 0,
	  { "ATBB" }, v_token_random, CL_ALNUM, 28, 64 },
	{ "bitbucket-access-token", "bitbucket-token", 0.9f, 3, "ATCTT3xFfGN0UcR64cXQLioDnkHIfxIq2HZt_PlJhx2jIclHkCiHp6bR1IqfEouHgxzNNAL5wIScGebcy8F5n3_YNBDRzrZSgqbjG3uhkWKFLf6xuI5aHUQPFeNBTxaQWk8J=6702824C", 0,
	  { "ATCTT3" }, v_token, CL_ALNUM_UDE, 40, 300 },
	{ "slack-token", "slack-token", 0.95f, 3,
	  "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", 0,
	  { "xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-", "xoxe.xoxp-", "xapp-", "xoxc-",
	    "xoxd-" },
	  v_token_random, CL_ALNUM_UD, 20, 300 },
	{ "slack-webhook", "slack-webhook", 0.95f, 3,
	  "https://hooks.slack.com/services/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", 0,
	  { "hooks.slack.com/services/", "hooks.slack.com/workflows/", "hooks.slack.com/triggers/" },
	  v_webhook_url, 0, 20, 200 },
	{ "discord-webhook", "discord-webhook", 0.95f, 3,
	  "https://discord.com/api/webhooks/1234567890123456789/fYcMMDktXP_tKsf2rcDkdfrUnW5gcF-Ha6ili8GjHEAD6_Wj9KfzjsQGMrb9h-ImB-LK", 0,
	  { "discord.com/api/webhooks/", "discordapp.com/api/webhooks/" }, v_webhook_url, 0, 60, 200 },
	{ "discord-bot-token", "discord-bot-token", 0.85f, 2,
	  "DISCORD_TOKEN=MTA4NzY1NDMyMTA5ODc2NTQzMg.GxYz12.abcdefghijklmnopqrstuvwxyz0123456789AB", 0,
	  { "~discord", "Bot " }, v_discord_bot },
	{ "telegram-bot-token", "telegram-bot-token", 0.95f, 3,
	  "123456789:AAH7kq9Lm2Np4Rs6Tu8Vw0Xy1Za3Bc5De7F", 0, { ":AA" }, v_telegram },
	{ "teams-webhook", "teams-webhook", 0.95f, 3,
	  "https://contoso.webhook.office.com/webhookb2/5e1158a0-8fd4-4f38-b7e6-deb4256446f0@9528d246-51fa-426a-aadf-9be2e685757f/IncomingWebhook/eee3692f09e2e8c662248b483b7ffc05/6f288b28-ddea-4a60-a7e9-e30760cbe8ba", 0,
	  { ".webhook.office.com/webhookb2/", "outlook.office.com/webhook/",
	    ".logic.azure.com:443/workflows/" }, v_webhook_url, 0, 40, 400 },
	{ "stripe-secret-key", "stripe-key", 0.97f, 3, "sk_live_4eC39HqLyjWDarjtT1zdp7dc", 0,
	  { "sk_live_", "sk_test_", "rk_live_", "rk_test_" }, v_token, CL_ALNUM, 20, 247 },
	{ "stripe-webhook-secret", "stripe-key", 0.95f, 3, "whsec_x7Kq9Lm2Np4Rs6Tu8Vw0Xy1Za3Bc5De7F", 0,
	  { "whsec_" }, v_token, CL_ALNUM, 32, 64 },
	{ "square-token", "square-token", 0.95f, 3, "sq0atp-x7Kq9Lm2Np4Rs6Tu8Vw0Xy", 0,
	  { "sq0atp-", "sq0csp-" }, v_token, CL_ALNUM_UD, 22, 64 },
	{ "square-access-token", "square-token", 0.85f, 3, "EAAAa-5ZMs1SWOpQaPRYpzbLGViYXjU2JgJngKtFI3OyV2dZAkg05rK-gqv81RKM", 0,
	  { "EAAA" }, v_token_random, CL_ALNUM_UD, 60, 60 },
	{ "twilio-api-key", "twilio-key", 0.9f, 3, "SK0123456789abcdef0123456789abcdef", 0,
	  { "SK" }, v_token_random, CL_HEXLOWER, 32, 32 },
	{ "twilio-auth-token", "twilio-key", 0.85f, 2,
	  "TWILIO_AUTH_TOKEN=0123456789abcdef0123456789abcdef", 0,
	  { "~twilio_auth_token", "~twilioauthtoken", "~twilio_token", "~twilio_secret" },
	  v_keyword_value, CL_HEXLOWER, 32, 32 },
	{ "sendgrid-key", "sendgrid-key", 0.97f, 3, "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", 0,
	  { "SG." }, v_token, CL_ALNUM_UDD, 60, 70 },
	{ "mailgun-key", "mailgun-key", 0.9f, 3, "key-3ax6xnjp29jd6fds4gc373sgvjxteol0", 0,
	  { "key-" }, v_token_random, CL_ALNUM, 32, 32 },
	{ "mailgun-key-context", "mailgun-key", 0.85f, 2,
	  "MAILGUN_API_KEY=0123456789abcdef0123456789abcdef-12345678-9abcdef0", 0, { "~mailgun" },
	  v_mailgun_ctx },
	{ "mailchimp-key", "mailchimp-key", 0.9f, 3, "0123456789abcdef0123456789abcdef-us21", 0,
	  { "-us" }, v_mailchimp },
	{ "npm-token", "npm-token", 0.99f, 3, "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", 0,
	  { "npm_" }, v_github, CL_ALNUM, 36, 36, check_github_crc },
	{ "pypi-token", "pypi-token", 0.99f, 3, "pypi-AgEIcHlwaS5vcmcqG3omjMyXHCabM6JOF8EFd0Nhcy_1kGD2VD_eR1UYzaLiA_zNyD7CHLn_xC-1hsYgBds1ghxY5OokvQy", 0,
	  { "pypi-AgEIcHlwaS5vcmc", "pypi-AgENdGVzdC5weXBpLm9yZw" }, v_token, CL_ALNUM_UD, 40, 1000 },
	{ "rubygems-token", "rubygems-token", 0.97f, 3, "rubygems_5e19cbae530282bd36cb9d21f6be6abf0d7c1c1e21862ab8", 0,
	  { "rubygems_" }, v_token, CL_HEX, 48, 48 },
	{ "dockerhub-token", "dockerhub-token", 0.97f, 3, "dckr_pat_x7Kq9Lm2Np4Rs6Tu8Vw0Xy1Za3B", 0,
	  { "dckr_pat_", "dckr_oat_" }, v_token, CL_ALNUM_UD, 24, 40 },
	{ "openai-key", "openai-key", 0.95f, 3, "sk-proj-QfHOJMaidDn87XG3_q_xbMtEPO6UkzYuF0ie9Pu2njHkAm1_T3BlbkFJ5wDr16EpLLJIVGHz4FxF", 0,
	  { "sk-" }, v_openai, CL_ALNUM_UD, 32, 300 },
	{ "anthropic-key", "anthropic-key", 0.98f, 3, "sk-ant-api03-EtKyPiYGFDm7ena8D5VfLDpgyyjVw5HanSBeVRsfAGeAbP0VxNjAe_9i0mYtluYI0KN1gNT11cUzYZAa3u2olZU6uqbgsAA", 0,
	  { "sk-ant-" }, v_token, CL_ALNUM_UD, 32, 300 },
	{ "huggingface-token", "huggingface-token", 0.95f, 3, "hf_x7Kq9Lm2Np4Rs6Tu8Vw0Xy1Za3Bc5De7Fg", 0,
	  { "hf_", "api_org_" }, v_token_random, CL_ALNUM, 30, 40 },
	{ "groq-key", "groq-key", 0.97f, 3, "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", 0,
	  { "gsk_" }, v_token, CL_ALNUM, 48, 56 },
	{ "replicate-token", "replicate-token", 0.95f, 3, "r8_2oNzN2m1ElKncz8HkywhjpU05mc4J1WRcQ1uh", 0,
	  { "r8_" }, v_token_random, CL_ALNUM, 36, 40 },
	{ "digitalocean-token", "digitalocean-token", 0.98f, 3, "dop_v1_ce9d97dcbee500fe7ee5fc324bdb2e1142a21c402364f9572b85a8e48f687ab1", 0,
	  { "dop_v1_", "doo_v1_", "dor_v1_" }, v_token, CL_HEX, 64, 64 },
	{ "shopify-token", "shopify-token", 0.97f, 3, "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", 0,
	  { "shpat_", "shpca_", "shppa_", "shpss_" }, v_token, CL_HEX, 32, 32 },
	{ "atlassian-api-token", "atlassian-token", 0.95f, 3, "ATATT3xFfGF0aeCtL31Ugq-DfcgaTMnTC0MrAU8urbFt5misIZHbhS4_FvafhdZxEuhnbzs0z1wNiMg9aW37k5wCnHDepQHgI3HLBkbvHEzuPyXQEW88ad3DNBYjvsedonuSsddfrfifiUziXnFAAoeelK9mqmALOR2HcSGKgVP8Kd0d3mS8gB=295D0691", 0,
	  { "ATATT3" }, v_token, CL_ALNUM_UDE, 40, 300 },
	{ "atlassian-legacy-token", "atlassian-token", 0.8f, 2,
	  "JIRA_API_TOKEN=x7Kq9Lm2Np4Rs6Tu8Vw0Xy1Z", 0,
	  { "~jira_api_token", "~jira_token", "~confluence_api_token", "~atlassian_api_token",
	    "~atlassian_token", "~confluence_token" },
	  v_keyword_value, CL_ALNUM, 24, 24, check_aws_secret },
	{ "newrelic-key", "newrelic-key", 0.95f, 3, "NRAK-X7KQ9LM2NP4RS6TU8VW0XY1ZA3B", 0,
	  { "NRAK-", "NRJS-", "NRII-", "NRIQ-" }, v_token, CL_ALNUM_UD, 19, 40 },
	{ "newrelic-license-key", "newrelic-key", 0.9f, 3, "0bf3f5fb85967f532f3ab3cc2d0b698d5c7eNRAL", 0, { "NRAL" },
	  v_newrelic_license },
	{ "linear-key", "linear-key", 0.97f, 3, "lin_api_iIMWSWMPcwLuHj31CQJVukDCSXqLoivDP4SpGmrt", 0,
	  { "lin_api_", "lin_oauth_" }, v_token, CL_ALNUM, 40, 64 },
	{ "notion-token", "notion-token", 0.9f, 3, "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", 0,
	  { "ntn_", "secret_" }, v_token_random, CL_ALNUM, 40, 50 },
	{ "doppler-token", "doppler-token", 0.97f, 3, "dp.pt.BSoGOsDbjqMVzaVp62BSKLVPA2oQUP44XPSL2oRlPhD", 0,
	  { "dp.pt.", "dp.st.", "dp.sa.", "dp.ct.", "dp.scim.", "dp.audit." }, v_doppler, CL_ALNUM,
	  40, 48 },
	{ "vault-token", "vault-token", 0.95f, 3, "hvs.CAESIx7Kq9Lm2Np4Rs6Tu8Vw0Xy1Za3Bc5De", 0,
	  { "hvs.", "hvb.", "hvr." }, v_token_random, CL_ALNUM_UD, 24, 300 },
	{ "terraform-token", "terraform-token", 0.97f, 3, "BuqOSg5ApYzTTO.atlasv1.uG296c0xPbX-neGBuzSm6A8cVR06AxYpThGJWZhbj11THnCMZCY7Bvqiy8CsT07Lq8T", 0,
	  { ".atlasv1." }, v_terraform, 0, 60, 80 },
	{ "age-secret-key", "age-secret-key", 0.99f, 3, "AGE-SECRET-KEY-1W3CSMT7Q3K0N57LM9HFNCR95GKQQDYJSXFWTUKFDE29NVLD9U88S6WG7LR", 0,
	  { "AGE-SECRET-KEY-1" }, v_token, CL_UPPER_NUM, 58, 58 },
	{ "sentry-dsn", "sentry-dsn", 0.9f, 3,
	  "https://0123456789abcdef0123456789abcdef@o123456.ingest.sentry.io/4505", 0,
	  { "sentry.io", "~sentry_dsn", "~sentry-dsn", "~sentrydsn" }, v_sentry },
	{ "sentry-auth-token", "sentry-token", 0.95f, 3, "sntrys_ED5jSFpFkIM3Vak1uDSKFQs1DxBA9RelOxOPbbNcRV7vZgGEFW5jcnTAOivg3QxvEXHJX6nsBvBqJd0s", 0,
	  { "sntrys_", "sntryu_" }, v_token, CL_ALNUM_UDE, 40, 300 },
	{ "private-key", "private-key", 0.99f, 4,
	  "\"-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\\n-----END OPENSSH PRIVATE KEY-----\"", 0,
	  { "-----BEGIN " }, v_private_key },
	{ "private-key-base64", "private-key", 0.95f, 4, "client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFb3dJQkFBS0NBUUVBc3cwRnp2R3IzR3duUEZZaHZtdVR0aUxPZlljelVKNHpJS2R6dGdhY20wNkVNWFFkWUc2SU55TmpPUlNTTTRSZm5jUU9ET1dsZ1FsM2NBWGc2N1BheDMwaVl0Cg==", 0,
	  { "LS0tLS1CRUdJTi" }, v_pem_base64 },
	{ "jwt", "jwt", 0.95f, 3, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvIn0.HMx1eOc3g_fp1Z5ibXt80nk8Btb2abplBpq8cJF5xgU", 0,
	  { "eyJ" }, v_jwt },
	{ "auth-header", "auth-header", 0.85f, 2, "Authorization: Bearer x7Kq9Lm2Np4Rs6Tu8Vw0", 0,
	  { "~bearer ", "~basic ", "~authorization: token ", "~authorization: apikey " },
	  v_auth_header },
	{ "api-key-header", "auth-header", 0.8f, 2, "X-API-Key: x7Kq9Lm2Np4Rs6Tu8Vw0Xy1Z", 0,
	  { "~api-key: ", "~x-api-key:", "~x-auth-token:", "~x-access-token:" }, v_api_key_header },
	{ "database-url", "database-url", 0.95f, 2, "postgres://app:s3cr3t-pw@db.internal:5432/app", 0,
	  { "://" }, v_db_url },
	{ "url-password", "url-password", 0.85f, 1, "https://deploy:s3cr3t-pw@git.example.com/repo", 0,
	  { "://" }, v_web_url_password },
	{ "prose-secret", "password-assignment", 0.75f, 1, "the new password is Falcon-river42", 0,
	  { "~password is ", "~password was ", "~passwd is ", "~api key is ", "~apikey is ",
	    "~token is ", "~secret is ", "~passphrase is " }, v_prose_secret },
	{ "pgpass-line", "password-assignment", 0.8f, 1, "db.internal:5432:app:app_user:s3cr3t-pw", 0,
	  { ":5432:", "*:*:" }, v_pgpass },
	{ "email-urlencoded", "email", 0.9f, 0, "GET /subscribe?email=alice.smith%40example.org", 0,
	  { "%40" }, v_email_encoded },
	{ "key-value-pair", "password-assignment", 0.85f, 1,
	  "{\"key\": \"password\", \"value\": \"s3cr3t-pw\"}", 0,
	  { "\"value\":", "\"Value\":", " value=\"" }, v_key_value_pair },
	{ "user-info", "password-assignment", 0.85f, 1,
	  "basic.auth.user.info=SR2KQ4XJ7DPN6FYE:s3cr3t-pw", 0,
	  { "~user.info", "~userinfo" }, v_user_info, 0, 3, 256 },
	{ "terraform-random-password", "password-assignment", 0.85f, 1,
	  "\"type\": \"random_password\", ... \"result\": \"s3cr3t-pw\"", 0,
	  { "\"result\"" }, v_tf_random_password, 0, 3, 256 },
	{ "docker-auth", "password-assignment", 0.9f, 1, "\"auth\": \"dXNlcjpzM2NyM3QtcHc=\"", 0,
	  { "\"auth\"" }, v_docker_auth },
	{ "mysql-password-flag", "password-assignment", 0.85f, 1, "mysql -u app -p's3cr3t-pw'", 0,
	  { " -p'", " -p\"" }, v_mysql_p },
	{ "mysql-password-bare", "password-assignment", 0.85f, 1, "mysql -u app -ps3cr3t-pw db", 0,
	  { "mysql ", "mysqldump ", "mariadb " }, v_mysql_bare },
	{ "curl-user-password", "password-assignment", 0.85f, 1, "curl -u admin:s3cr3t-pw URL", 0,
	  { " -u ", " --user ", " --user=" }, v_curl_user },
	{ "password-assignment", "password-assignment", 0.8f, 1, "DB_PASSWORD=s3cr3t-pw", 0,
	  { "~pass", "~pwd", "~secret", "~token", "~api_key", "~apikey", "~api-key", "~access_key",
	    "~accesskey", "~credential", "~app_key", "~master_key", "~auth_key", "~_salt",
	    "~nonce_key", "~logged_in_key", "~key=", "~key:", "~key\"", "~key'", "~key =",
	    "~sessionid", "~csrftoken", "~:_auth=" },
	  v_password_assignment, 0, 3, 256 },
};
/* clang-format on */

const size_t redact_builtin_count = sizeof(redact_builtin_rules) / sizeof(redact_builtin_rules[0]);
