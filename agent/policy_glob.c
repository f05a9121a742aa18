// SPDX-License-Identifier: Apache-2.0
/*
 * Path globs and destination networks for policy rules.
 *
 * fnmatch(3) cannot express '**' (with FNM_PATHNAME a '*' never crosses a '/', and
 * without it every '*' does), so the matcher is our own.  It works in two levels, each the
 * classic wildcard algorithm with a single backtrack point: components against component
 * patterns ('**' is the star), and characters within one component ('*' is the star).
 * The backtrack point makes both linear in the pattern times the subject, whatever the
 * subject: a path is chosen by the agent being gated, so no recursion that a crafted path
 * could make exponential.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy_internal.h"

/* Pointer just past the ']' of the class starting at p ('['), or NULL when unterminated. */
static const char *class_end(const char *p)
{
	const char *q = p + 1;

	if (*q == '!' || *q == '^')
		q++;
	if (*q == ']')
		q++; /* a leading ']' is a member, not the end */
	while (*q && *q != ']') {
		if (*q == '\\' && q[1])
			q++;
		q++;
	}
	return *q == ']' ? q + 1 : NULL;
}

static bool class_has(const char *p, const char *end, unsigned char c)
{
	const char *q = p + 1;
	bool neg = false, hit = false;

	if (*q == '!' || *q == '^') {
		neg = true;
		q++;
	}
	end--; /* the closing ']' */
	while (q < end) {
		unsigned char lo, hi;

		if (*q == '\\' && q + 1 < end)
			q++;
		lo = (unsigned char)*q++;
		hi = lo;
		if (q + 1 < end && *q == '-') {
			q++;
			if (*q == '\\' && q + 1 < end)
				q++;
			hi = (unsigned char)*q++;
		}
		if (c >= lo && c <= hi)
			hit = true;
	}
	return hit != neg;
}

/* Does the single-character element at p match c?  *adv: the element's length. */
static bool elem_match(const char *p, unsigned char c, size_t *adv)
{
	const char *end;

	switch (*p) {
	case '?':
		*adv = 1;
		return true;
	case '[':
		end = class_end(p);
		if (!end)
			break;
		*adv = (size_t)(end - p);
		return class_has(p, end, c);
	case '\\':
		if (p[1]) {
			*adv = 2;
			return (unsigned char)p[1] == c;
		}
		break;
	}
	*adv = 1;
	return (unsigned char)*p == c;
}

/* Match NUL-terminated pattern p against the n bytes at s. */
static bool chars_match(const char *p, const char *s, size_t n)
{
	const char *star_p = NULL;
	size_t star_i = 0, i = 0, adv;

	while (i < n) {
		if (*p == '*') {
			while (*p == '*')
				p++;
			star_p = p;
			star_i = i;
			continue;
		}
		if (*p && elem_match(p, (unsigned char)s[i], &adv)) {
			p += adv;
			i++;
			continue;
		}
		if (star_p) {
			p = star_p;
			i = ++star_i;
			continue;
		}
		return false;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

static bool is_dstar(const char *c)
{
	return c[0] == '*' && c[1] == '*' && c[2] == '\0';
}

void psplit_init(struct psplit *sp, const char *path)
{
	size_t k = 0;

	sp->path = path;
	sp->ns = 0;
	sp->valid = path[0] == '/';
	sp->home_at = sp->ws_at = -2;
	sp->home_above = sp->ws_above = -1;
	while (path[k] && k < PATH_MAX) {
		size_t start;

		if (path[k] == '/') {
			k++;
			continue;
		}
		start = k;
		while (path[k] && path[k] != '/' && k < PATH_MAX)
			k++;
		if (sp->ns == PSPLIT_MAX_SEGS) {
			sp->valid = false;
			return;
		}
		sp->seg[sp->ns].off = (uint16_t)start;
		sp->seg[sp->ns].len = (uint16_t)(k - start);
		sp->ns++;
	}
}

/* Match component patterns against the path's segments from index j0 on. */
static bool comps_match(char *const *comp, size_t np, const struct psplit *sp, size_t j0)
{
	size_t i = 0, j = j0, star_i = 0, star_j = 0;
	bool star = false;

	while (j < sp->ns) {
		if (i < np && is_dstar(comp[i])) {
			star = true;
			star_i = i++;
			star_j = j;
			continue;
		}
		if (i < np && chars_match(comp[i], sp->path + sp->seg[j].off, sp->seg[j].len)) {
			i++;
			j++;
			continue;
		}
		if (star) {
			i = star_i + 1;
			j = ++star_j;
			continue;
		}
		return false;
	}
	while (i < np && is_dstar(comp[i]))
		i++;
	return i == np;
}

/* Index of the first segment below anchor a, or -1 when the path is not a or below it.
 * root_is_none: an anchor of "/" anchors nothing (a session started in / has no workspace,
 * or the glob for "the whole workspace" would be the whole filesystem). */
static int below(const struct psplit *sp, const char *a, bool root_is_none)
{
	size_t n;
	int j;

	if (!a || a[0] != '/')
		return -1;
	n = strlen(a);
	while (n > 0 && a[n - 1] == '/')
		n--;
	if (n == 0 && root_is_none)
		return -1;
	if (strncmp(sp->path, a, n) != 0 || (sp->path[n] != '/' && sp->path[n] != '\0'))
		return -1;
	for (j = 0; (size_t)j < sp->ns && sp->seg[j].off < n; j++)
		;
	return j;
}

/* Computed once per path: most globs of a policy share the anchor.  The gate reports
 * resolved paths: a home behind a symlink (/home -> var/home) is matched where it really is,
 * and where the passwd entry says (a replayed request, a final symlink not followed). */
static void home_anchor(struct psplit *sp, const char *home, const char *home_real)
{
	if (sp->home_at != -2)
		return;
	sp->home_at = below(sp, home, false);
	if (sp->home_at < 0)
		sp->home_at = below(sp, home_real, false);
}

bool pglob_match_split(const struct pglob *g, struct psplit *sp, const char *home,
		       const char *home_real, const char *workspace)
{
	const char *base;
	int j0;

	switch (g->kind) {
	case PGLOB_FLAT:
		return chars_match(g->comp[0], sp->path, strlen(sp->path));
	case PGLOB_BASENAME:
		base = strrchr(sp->path, '/');
		base = base ? base + 1 : sp->path;
		return chars_match(g->comp[0], base, strlen(base));
	case PGLOB_ABS:
		j0 = 0;
		break;
	case PGLOB_HOME:
		home_anchor(sp, home, home_real);
		j0 = sp->home_at;
		break;
	case PGLOB_WORKSPACE:
		if (sp->ws_at == -2)
			sp->ws_at = below(sp, workspace, true);
		j0 = sp->ws_at;
		break;
	default:
		return false;
	}
	if (j0 < 0 || !sp->valid)
		return false;
	return comps_match(g->comp, g->ncomp, sp, (size_t)j0);
}

bool pglob_match(const struct pglob *g, const char *path, const char *home, const char *workspace)
{
	struct psplit sp;

	psplit_init(&sp, path);
	return pglob_match_split(g, &sp, home, NULL, workspace);
}

/* Is the path a proper ancestor of anchor a ("/home" of "/home/u")?  Renaming it moves
 * everything below the anchor. */
static bool above(const struct psplit *sp, const char *a)
{
	size_t n, k;

	if (!a || a[0] != '/' || !sp->valid)
		return false;
	n = strlen(a);
	while (n > 0 && a[n - 1] == '/')
		n--;
	if (n == 0)
		return false; /* "/" has no ancestor (and anchors nothing as a workspace) */
	k = strlen(sp->path);
	while (k > 0 && sp->path[k - 1] == '/')
		k--;
	return k < n && strncmp(sp->path, a, k) == 0 && a[k] == '/';
}

/* Positions reachable from s without consuming a component: a '**' may match none. */
static uint64_t closure(const struct pglob *g, uint64_t s)
{
	for (size_t i = 0; i < g->ncomp; i++)
		if ((s & (UINT64_C(1) << i)) && is_dstar(g->comp[i]))
			s |= UINT64_C(1) << (i + 1);
	return s;
}

/* The positions after consuming one more component, seg[len]. */
static uint64_t step(const struct pglob *g, uint64_t s, const char *seg, size_t len)
{
	uint64_t out = 0;

	for (size_t i = 0; i < g->ncomp; i++) {
		if (!(s & (UINT64_C(1) << i)))
			continue;
		if (is_dstar(g->comp[i]))
			out |= UINT64_C(1) << i;
		else if (chars_match(g->comp[i], seg, len))
			out |= UINT64_C(1) << (i + 1);
	}
	return closure(g, out);
}

static uint64_t states_from(const struct pglob *g, const struct psplit *sp, int j0)
{
	uint64_t s = closure(g, 1);

	for (size_t j = (size_t)j0; j < sp->ns && s; j++)
		s = step(g, s, sp->path + sp->seg[j].off, sp->seg[j].len);
	return s;
}

uint64_t pglob_states(const struct pglob *g, struct psplit *sp, const char *home,
		      const char *home_real, const char *workspace)
{
	int j0;

	if (!sp->valid)
		return 0;
	switch (g->kind) {
	case PGLOB_ABS:
		return states_from(g, sp, 0);
	case PGLOB_HOME:
		/* computed once per path, as in pglob_match_split */
		if (sp->home_above < 0)
			sp->home_above = above(sp, home) || above(sp, home_real);
		if (sp->home_above)
			return PSTATE_ABOVE;
		home_anchor(sp, home, home_real);
		j0 = sp->home_at;
		break;
	case PGLOB_WORKSPACE:
		if (sp->ws_above < 0)
			sp->ws_above = above(sp, workspace);
		if (sp->ws_above)
			return PSTATE_ABOVE;
		if (sp->ws_at == -2)
			sp->ws_at = below(sp, workspace, true);
		j0 = sp->ws_at;
		break;
	default:
		return 0;
	}
	return j0 >= 0 ? states_from(g, sp, j0) : 0;
}

uint64_t pglob_states_everywhere(const struct pglob *g)
{
	if (g->kind != PGLOB_ABS || g->ncomp == 0 || !is_dstar(g->comp[0]))
		return 0;
	return closure(g, 1) & ~pglob_final(g);
}

uint64_t pglob_final(const struct pglob *g)
{
	return UINT64_C(1) << g->ncomp;
}

bool pglob_states_cover(const struct pglob *g, uint64_t s)
{
	return s != PSTATE_ABOVE && g->ncomp > 0 && is_dstar(g->comp[g->ncomp - 1]) &&
	       (s & (UINT64_C(1) << (g->ncomp - 1)));
}

/* Checks one component pattern (or a flat pattern): classes closed, no dangling escape. */
static int check_pattern(const char *p, const char **why)
{
	for (; *p; p++) {
		if (*p == '\\') {
			if (!p[1]) {
				*why = "a trailing '\\' escapes nothing";
				return -EINVAL;
			}
			p++;
		} else if (*p == '[') {
			const char *end = class_end(p);

			if (!end) {
				*why = "unterminated '[' (a class cannot span a '/')";
				return -EINVAL;
			}
			p = end - 1;
		}
	}
	return 0;
}

void pglob_free(struct pglob *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->ncomp; i++)
		free(g->comp[i]);
	free(g->comp);
	free(g->text);
	memset(g, 0, sizeof(*g));
}

static int add_comp(struct pglob *g, const char *s, size_t n)
{
	char **v;
	char *c;

	/* Two "**" components in a row mean no more than one: keep one. */
	if (n == 2 && s[0] == '*' && s[1] == '*' && g->ncomp && is_dstar(g->comp[g->ncomp - 1]))
		return 0;
	c = strndup(s, n);
	if (!c)
		return -ENOMEM;
	v = realloc(g->comp, (g->ncomp + 1) * sizeof(*v));
	if (!v) {
		free(c);
		return -ENOMEM;
	}
	g->comp = v;
	g->comp[g->ncomp++] = c;
	return 0;
}

int pglob_compile(const char *text, enum pglob_mode mode, struct pglob *ret, const char **why)
{
	struct pglob g = { 0 };
	const char *rest, *p;
	int r;

	if (!text[0]) {
		*why = "empty pattern";
		return -EINVAL;
	}
	g.text = strdup(text);
	if (!g.text)
		return -ENOMEM;
	if (mode == PGLOB_MODE_FLAT || (mode == PGLOB_MODE_EXEC && !strchr(text, '/'))) {
		g.kind = mode == PGLOB_MODE_FLAT ? PGLOB_FLAT : PGLOB_BASENAME;
		r = check_pattern(text, why);
		if (r == 0)
			r = add_comp(&g, text, strlen(text));
		goto out;
	}
	if (text[0] == '~') {
		if (text[1] && text[1] != '/') {
			*why = "'~user' is not supported (use '~/' for the session user's home)";
			r = -EINVAL;
			goto out;
		}
		g.kind = PGLOB_HOME;
		rest = text + 1;
	} else if (text[0] == '/' ||
		   (text[0] == '*' && text[1] == '*' && (text[2] == '/' || text[2] == '\0'))) {
		g.kind = PGLOB_ABS;
		rest = text;
	} else {
		/* A leading "./" is the workspace itself, so that "the workspace and everything
		 * in it" can be written: "**" alone is anchored at the root. */
		g.kind = PGLOB_WORKSPACE;
		rest = text;
		if (rest[0] == '.' && (rest[1] == '/' || rest[1] == '\0'))
			rest++;
	}
	r = 0;
	for (p = rest; *p && r == 0;) {
		const char *start;
		size_t n;

		if (*p == '/') {
			p++;
			continue;
		}
		start = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - start);
		if ((n == 1 && start[0] == '.') || (n == 2 && start[0] == '.' && start[1] == '.')) {
			*why = "'.' and '..' cannot appear in a glob (paths are normalized)";
			r = -EINVAL;
			break;
		}
		if (g.ncomp == PGLOB_MAX_COMPS) {
			/* matching a rename keeps a glob's positions in one 64-bit set */
			*why = "too many components (at most " PGLOB_MAX_COMPS_TEXT ")";
			r = -EINVAL;
			break;
		}
		r = add_comp(&g, start, n);
		if (r == 0)
			r = check_pattern(g.comp[g.ncomp - 1], why);
	}
out:
	if (r < 0) {
		pglob_free(&g);
		return r;
	}
	*ret = g;
	return 0;
}

static int parse_uint(const char *s, size_t n, unsigned long max, unsigned long *ret)
{
	unsigned long v = 0;

	if (n == 0 || n > 6)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int parse_ports(const char *s, struct pnet *n, const char **why)
{
	const char *dash = strchr(s, '-');
	unsigned long lo, hi;

	*why = "bad port (expected 1-65535 or a range like 8000-8999)";
	if (dash) {
		if (parse_uint(s, (size_t)(dash - s), 65535, &lo) < 0 ||
		    parse_uint(dash + 1, strlen(dash + 1), 65535, &hi) < 0 || lo > hi)
			return -EINVAL;
	} else {
		if (parse_uint(s, strlen(s), 65535, &lo) < 0 || lo == 0)
			return -EINVAL;
		hi = lo;
	}
	n->port_lo = (uint16_t)lo;
	n->port_hi = (uint16_t)hi;
	return 0;
}

int pnet_parse(const char *text, struct pnet *ret, const char **why, bool *ret_host_bits)
{
	struct pnet n = { 0 };
	char host[INET6_ADDRSTRLEN + 8];
	const char *port = NULL, *slash;
	size_t hlen, full;
	unsigned long prefix;
	bool host_bits = false;

	n.port_hi = 65535;
	if (text[0] == '[') {
		/* [v6], [v6]/len, [v6/len], each with an optional :port */
		const char *close = strchr(text, ']');

		*why = "unterminated '[' in address";
		if (!close)
			return -EINVAL;
		hlen = (size_t)(close - text - 1);
		if (hlen >= sizeof(host)) {
			*why = "address too long";
			return -EINVAL;
		}
		memcpy(host, text + 1, hlen);
		host[hlen] = '\0';
		port = close + 1;
		if (*port == '/') {
			const char *colon = strchr(port, ':');
			size_t plen = colon ? (size_t)(colon - port) : strlen(port);

			if (strchr(host, '/') || hlen + plen >= sizeof(host)) {
				*why = "two prefix lengths";
				return -EINVAL;
			}
			memcpy(host + hlen, port, plen);
			host[hlen + plen] = '\0';
			port += plen;
		}
		if (*port == ':')
			port++;
		else if (*port) {
			*why = "unexpected text after ']' (expected ':port')";
			return -EINVAL;
		} else
			port = NULL;
	} else {
		const char *colon = strchr(text, ':');

		if (colon && strchr(colon + 1, ':'))
			colon = NULL; /* bare IPv6: a port needs brackets */
		hlen = colon ? (size_t)(colon - text) : strlen(text);
		if (hlen >= sizeof(host)) {
			*why = "address too long";
			return -EINVAL;
		}
		memcpy(host, text, hlen);
		host[hlen] = '\0';
		port = colon ? colon + 1 : NULL;
	}
	slash = strchr(host, '/');
	if (slash)
		host[slash - host] = '\0';
	if (inet_pton(AF_INET, host, n.addr) == 1 && text[0] != '[') {
		n.family = AF_INET;
		full = 32;
	} else if (inet_pton(AF_INET6, host, n.addr) == 1) {
		n.family = AF_INET6;
		full = 128;
	} else {
		*why = "not an IPv4 or IPv6 address (expected a CIDR like 10.0.0.0/8 or "
		       "[::1]/128:8080, or unix:PATH)";
		return -EINVAL;
	}
	prefix = full;
	if (slash && parse_uint(slash + 1, strlen(slash + 1), full, &prefix) < 0) {
		*why = n.family == AF_INET ? "bad prefix length (expected 0-32)"
					   : "bad prefix length (expected 0-128)";
		return -EINVAL;
	}
	n.prefix = (uint8_t)prefix;
	for (size_t bit = prefix; bit < full; bit++) {
		uint8_t m = (uint8_t)(0x80 >> (bit % 8));

		if (n.addr[bit / 8] & m) {
			host_bits = true;
			n.addr[bit / 8] &= (uint8_t)~m;
		}
	}
	if (port && parse_ports(port, &n, why) < 0)
		return -EINVAL;
	n.text = strdup(text);
	if (!n.text)
		return -ENOMEM;
	*ret_host_bits = host_bits;
	*ret = n;
	return 0;
}

static bool prefix_eq(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned bytes = bits / 8, rem = bits % 8;

	if (memcmp(a, b, bytes) != 0)
		return false;
	if (rem) {
		uint8_t m = (uint8_t)(0xff << (8 - rem));

		return (a[bytes] & m) == (b[bytes] & m);
	}
	return true;
}

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* An IPv4 address and its IPv4-mapped IPv6 form are one destination (an AF_INET6 socket
 * reaches IPv4 hosts through ::ffff:a.b.c.d): each matches CIDRs of either family. */
bool pnet_match(const struct pnet *n, const struct sockaddr_storage *ss)
{
	uint8_t v4[4], v6[16];
	bool has_v4 = false;
	uint16_t port;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		memcpy(v4, &sin->sin_addr, 4);
		memcpy(v6, v4mapped, 12);
		memcpy(v6 + 12, v4, 4);
		has_v4 = true;
		port = ntohs(sin->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		memcpy(v6, &sin6->sin6_addr, 16);
		if (memcmp(v6, v4mapped, 12) == 0) {
			memcpy(v4, v6 + 12, 4);
			has_v4 = true;
		}
		port = ntohs(sin6->sin6_port);
	} else {
		return false;
	}
	if (port < n->port_lo || port > n->port_hi)
		return false;
	if (n->family == AF_INET)
		return has_v4 && prefix_eq(n->addr, v4, n->prefix);
	return prefix_eq(n->addr, v6, n->prefix);
}
