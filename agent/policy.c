// SPDX-License-Identifier: Apache-2.0
/*
 * Loading a policy: YAML (libyaml's document API, so every node keeps its line and column)
 * into an immutable struct policy.  Every problem is collected with its position and the
 * value at fault, so that one `airlock policy check` run shows them all; nothing half
 * loaded is ever returned.  See docs/policy.md for the schema.
 */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "policy_internal.h"
#include "redact_policy.h"

#define POLICY_MAX_SIZE	       (1024 * 1024)
#define POLICY_MAX_FLOW_DEPTH  64
#define DEFAULT_ASK_TIMEOUT_MS 120000u

struct parser {
	yaml_document_t *doc;
	const char *file;
	struct policy_diags *diags;
	unsigned errors;
	bool overflow;
	uint8_t *seen; /* per node: already walked (an alias would walk it twice) */
	size_t nnodes;
	struct policy *p;
};

static void report(struct parser *ps, const yaml_mark_t *m, bool warning, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void diag_fill(struct policy_diag *d, const char *file, int line, int column, bool warning,
		      const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));

static void diag_fill(struct policy_diag *d, const char *file, int line, int column, bool warning,
		      const char *fmt, va_list ap)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->file, sizeof(d->file), "%s", file ? file : "<policy>");
	d->line = line;
	d->column = column;
	d->warning = warning;
	vsnprintf(d->message, sizeof(d->message), fmt, ap);
}

void policy_diag_addv(struct policy_diags *d, const char *file, int line, int column, bool warning,
		      const char *fmt, va_list ap)
{
	if (!d || d->count >= POLICY_DIAG_MAX)
		return;
	diag_fill(&d->diag[d->count++], file, line, column, warning, fmt, ap);
}

void policy_diag_add(struct policy_diags *d, const char *file, int line, int column, bool warning,
		     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	policy_diag_addv(d, file, line, column, warning, fmt, ap);
	va_end(ap);
}

static void report(struct parser *ps, const yaml_mark_t *m, bool warning, const char *fmt, ...)
{
	struct policy_diag *d;
	va_list ap;

	if (!warning)
		ps->errors++;
	if (ps->diags->count >= POLICY_DIAG_MAX) {
		/* Full: the last slot, keeping its position, says that more were found. */
		d = &ps->diags->diag[POLICY_DIAG_MAX - 1];
		if (!ps->overflow) {
			ps->overflow = true;
			snprintf(d->message, sizeof(d->message),
				 "too many problems, stopping here (fix the ones above first)");
			d->warning = false;
		}
		return;
	}
	va_start(ap, fmt);
	diag_fill(&ps->diags->diag[ps->diags->count++], ps->file, (int)m->line + 1,
		  (int)m->column + 1, warning, fmt, ap);
	va_end(ap);
}

void policy_diag_format(const struct policy_diag *d, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%d:%d: %s: %s", d->file, d->line, d->column,
		 d->warning ? "warning" : "error", d->message);
}

static const char *type_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return "a scalar";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

/* The node at idx, walked at most once: libyaml resolves an alias to the node it names,
 * so a document of aliases to aliases would make any walk over it exponential. */
static yaml_node_t *node_at(struct parser *ps, int idx)
{
	yaml_node_t *n = yaml_document_get_node(ps->doc, idx);

	if (!n)
		return NULL;
	if (ps->seen[idx - 1]) {
		report(ps, &n->start_mark, false,
		       "this node is used twice (YAML aliases are not supported)");
		return NULL;
	}
	ps->seen[idx - 1] = 1;
	return n;
}

/* Walk the subtree below root (already walked itself) once, iteratively, marking every
 * node; *ret is false, with an error, when a node is reached twice, i.e. through an alias.
 * Used on a section handed to another parser, so that it cannot be made to walk an
 * exponentially large tree either. */
static int subtree_alias_free(struct parser *ps, const yaml_node_t *root, bool *ret)
{
	int *stack = malloc(ps->nnodes * sizeof(*stack));
	const yaml_node_t *n = root;
	size_t top = 0;
	bool ok = true;

	if (!stack)
		return -ENOMEM;
	for (;;) {
		/* Without aliases each node is pushed once.  Pushes stop at nnodes entries:
		 * a full stack holds some node twice, which is reported when it is popped. */
		if (n->type == YAML_SEQUENCE_NODE) {
			for (yaml_node_item_t *it = n->data.sequence.items.start;
			     it < n->data.sequence.items.top && top < ps->nnodes; it++)
				stack[top++] = *it;
		} else if (n->type == YAML_MAPPING_NODE) {
			for (yaml_node_pair_t *pr = n->data.mapping.pairs.start;
			     pr < n->data.mapping.pairs.top && top + 1 < ps->nnodes; pr++) {
				stack[top++] = pr->key;
				stack[top++] = pr->value;
			}
		}
		if (top == 0)
			break;
		n = node_at(ps, stack[--top]);
		if (!n) {
			ok = false;
			break;
		}
	}
	free(stack);
	*ret = ok;
	return 0;
}

/* The text of a scalar node; NULL with an error for anything else. */
static const char *scalar(struct parser *ps, const yaml_node_t *n, const char *what)
{
	const char *s;

	if (n->type != YAML_SCALAR_NODE) {
		report(ps, &n->start_mark, false, "'%s' must be a scalar, not %s", what,
		       type_name(n));
		return NULL;
	}
	s = (const char *)n->data.scalar.value;
	if (strlen(s) != n->data.scalar.length) {
		report(ps, &n->start_mark, false, "'%s' holds a NUL byte", what);
		return NULL;
	}
	return s;
}

/* Each pair of a mapping; pair_get() then walks its key and value. */
#define for_each_pair(ps, map, pair)                                                               \
	for (yaml_node_pair_t *pair = (map)->data.mapping.pairs.start;                             \
	     pair < (map)->data.mapping.pairs.top; pair++)

/* A pair's key as text and its key and value nodes; false (reported) when the key is not
 * a scalar or either node was already walked. */
static bool pair_get(struct parser *ps, const yaml_node_pair_t *pair, const char **ret_key,
		     yaml_node_t **ret_key_node, yaml_node_t **ret_value)
{
	yaml_node_t *k = node_at(ps, pair->key);
	yaml_node_t *v = node_at(ps, pair->value);

	if (!k || !v)
		return false;
	*ret_key = scalar(ps, k, "key");
	if (!*ret_key)
		return false;
	*ret_key_node = k;
	*ret_value = v;
	return true;
}

/* Duplicate keys are rejected: YAML says a key is unique in its mapping, and silently
 * keeping one of two `match:` blocks would hide a mistake in a security policy. */
static bool first_key(struct parser *ps, const yaml_node_t *k, const char *key,
		      const yaml_node_t **slot)
{
	if (*slot) {
		report(ps, &k->start_mark, false, "duplicate key '%.100s' (first at line %d)", key,
		       (int)(*slot)->start_mark.line + 1);
		return false;
	}
	*slot = k;
	return true;
}

static int errno_from_name(const char *s)
{
	static const struct {
		const char *name;
		int err;
	} aliases[] = { { "EWOULDBLOCK", EWOULDBLOCK },
			{ "EDEADLOCK", EDEADLOCK },
			{ "ENOTSUP", ENOTSUP } };
	char *end;
	long v;

	if (s[0] >= '0' && s[0] <= '9') {
		errno = 0;
		v = strtol(s, &end, 10);
		if (errno || *end || v < 1 || v > 4095)
			return -EINVAL;
		return (int)v;
	}
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(aliases[i].name, s) == 0)
			return aliases[i].err;
	for (int e = 1; e < 4096; e++) {
		const char *n = strerrorname_np(e);

		if (n && strcmp(n, s) == 0)
			return e;
	}
	return -EINVAL;
}

static bool parse_errno(struct parser *ps, const yaml_node_t *v, int *ret)
{
	const char *s = scalar(ps, v, "errno");
	int e;

	if (!s)
		return false;
	e = errno_from_name(s);
	if (e < 0) {
		report(ps, &v->start_mark, false,
		       "unknown errno '%.100s' (expected a name like EPERM or EACCES, or 1-4095)",
		       s);
		return false;
	}
	*ret = e;
	return true;
}

/* 500ms, 30s, 10m, 2h: one number and one unit, at most about 49 days (a u32 of ms). */
static bool parse_duration(struct parser *ps, const yaml_node_t *v, const char *what, uint32_t *ret)
{
	const char *s = scalar(ps, v, what);
	unsigned long long n = 0, mult;
	const char *u;

	if (!s)
		return false;
	for (u = s; *u >= '0' && *u <= '9'; u++)
		if (n <= UINT32_MAX) /* past it, the value is out of range whatever follows */
			n = n * 10 + (unsigned long long)(*u - '0');
	if (strcmp(u, "ms") == 0)
		mult = 1;
	else if (strcmp(u, "s") == 0)
		mult = 1000;
	else if (strcmp(u, "m") == 0)
		mult = 60 * 1000;
	else if (strcmp(u, "h") == 0)
		mult = 3600 * 1000;
	else
		mult = 0;
	if (u == s || mult == 0) {
		report(ps, &v->start_mark, false,
		       "bad duration '%.100s' for '%s' (expected a number and a unit: 500ms, 30s, "
		       "10m, 2h)",
		       s, what);
		return false;
	}
	if (n == 0 || n > UINT32_MAX || n * mult > UINT32_MAX) {
		report(ps, &v->start_mark, false,
		       "duration '%.100s' for '%s' is out of range (1ms to 49 days)", s, what);
		return false;
	}
	*ret = (uint32_t)(n * mult);
	return true;
}

static bool parse_on_timeout(struct parser *ps, const yaml_node_t *v, int *ret)
{
	const char *s = scalar(ps, v, "on_timeout");

	if (!s)
		return false;
	if (strcmp(s, "deny") == 0)
		*ret = AL_DENY;
	else if (strcmp(s, "allow") == 0)
		*ret = AL_ALLOW;
	else {
		report(ps, &v->start_mark, false,
		       "unknown on_timeout '%.100s' (expected deny, allow)", s);
		return false;
	}
	return true;
}

static void parse_defaults(struct parser *ps, yaml_node_t *map)
{
	const yaml_node_t *seen_timeout = NULL, *seen_on = NULL, *seen_errno = NULL;
	int on;

	if (map->type != YAML_MAPPING_NODE) {
		report(ps, &map->start_mark, false, "'defaults' must be a mapping, not %s",
		       type_name(map));
		return;
	}
	for_each_pair(ps, map, pair)
	{
		yaml_node_t *k, *v;
		const char *key;

		if (!pair_get(ps, pair, &key, &k, &v))
			continue;
		if (strcmp(key, "ask_timeout") == 0) {
			if (first_key(ps, k, key, &seen_timeout))
				parse_duration(ps, v, key, &ps->p->ask_timeout_ms);
		} else if (strcmp(key, "on_timeout") == 0) {
			if (first_key(ps, k, key, &seen_on) && parse_on_timeout(ps, v, &on))
				ps->p->on_timeout = (enum al_action)on;
		} else if (strcmp(key, "errno") == 0) {
			if (first_key(ps, k, key, &seen_errno))
				parse_errno(ps, v, &ps->p->error);
		} else {
			report(ps, &k->start_mark, false,
			       "unknown key '%.100s' in defaults "
			       "(expected ask_timeout, on_timeout, errno)",
			       key);
		}
	}
}

static int strv_push(char ***v, size_t *n, const char *s)
{
	char **nv;
	char *c = strdup(s);

	if (!c)
		return -ENOMEM;
	nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv) {
		free(c);
		return -ENOMEM;
	}
	*v = nv;
	(*v)[(*n)++] = c;
	return 0;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int pglobs_push(struct pglobs *gs, const struct pglob *g)
{
	struct pglob *nv = realloc(gs->v, (gs->n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	gs->v = nv;
	gs->v[gs->n++] = *g;
	return 0;
}

static void pglobs_free(struct pglobs *gs)
{
	for (size_t i = 0; i < gs->n; i++)
		pglob_free(&gs->v[i]);
	free(gs->v);
	gs->v = NULL;
	gs->n = 0;
}

static void pmatch_free(struct pmatch *m)
{
	pglobs_free(&m->exec);
	pglobs_free(&m->argv);
	pglobs_free(&m->write);
	pglobs_free(&m->read);
	pglobs_free(&m->del);
	pglobs_free(&m->chmod);
	pglobs_free(&m->chown);
	pglobs_free(&m->unix_paths);
	for (size_t i = 0; i < m->nnets; i++)
		free(m->nets[i].text);
	free(m->nets);
	strv_free(m->sys_names, m->nsys_names);
	strv_free(m->sys_text, m->nsys_text);
	memset(m, 0, sizeof(*m));
}

static const char op_list[] =
	"exec, write, read, delete, chmod, chown, connect, privilege, mount, module, ptrace, bpf, "
	"kexec, reboot, signal, other";

/* A connect entry that is not unix:, a CIDR with an optional port. */
static int parse_net(struct parser *ps, struct pmatch *m, const char *s, const yaml_node_t *v)
{
	const char *why = NULL;
	bool host_bits = false;
	struct pnet n, *nv;
	int r;

	r = pnet_parse(s, &n, &why, &host_bits);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		report(ps, &v->start_mark, false, "bad connect address '%.100s': %s", s, why);
		return 0;
	}
	if (host_bits)
		report(ps, &v->start_mark, true,
		       "connect address '%.100s' has bits set below its prefix length; they are "
		       "ignored",
		       s);
	nv = realloc(m->nets, (m->nnets + 1) * sizeof(*nv));
	if (!nv) {
		free(n.text);
		return -ENOMEM;
	}
	m->nets = nv;
	m->nets[m->nnets++] = n;
	return 0;
}

/* One entry of a match key.  -ENOMEM is the only error returned; bad values are reported
 * and the entry is skipped. */
static int parse_entry(struct parser *ps, struct pmatch *m, enum pkey key, const char *keyname,
		       const yaml_node_t *v)
{
	const char *s = scalar(ps, v, keyname);
	const char *why = NULL;
	struct pglobs *gs = NULL;
	enum pglob_mode mode = PGLOB_MODE_PATH;
	struct pglob g;
	int r;

	if (!s)
		return 0;
	switch (key) {
	case PK_EXEC:
		gs = &m->exec;
		mode = PGLOB_MODE_EXEC;
		break;
	case PK_ARGV:
		gs = &m->argv;
		mode = PGLOB_MODE_FLAT;
		break;
	case PK_WRITE:
		gs = &m->write;
		break;
	case PK_READ:
		gs = &m->read;
		break;
	case PK_DELETE:
		gs = &m->del;
		break;
	case PK_CHMOD:
		gs = &m->chmod;
		break;
	case PK_CHOWN:
		gs = &m->chown;
		break;
	case PK_CONNECT:
		if (strncmp(s, "unix:", 5) == 0) {
			if (!s[5]) {
				report(ps, &v->start_mark, false,
				       "bad connect address '%.100s': an empty socket path", s);
				return 0;
			}
			gs = &m->unix_paths;
			mode = s[5] == '@' ? PGLOB_MODE_FLAT : PGLOB_MODE_PATH;
			s += 5;
			break;
		}
		return parse_net(ps, m, s, v);
	case PK_SYSCALL: {
		enum al_op op = policy_syscall_class(s);

		if (op == AL_OP_NONE && seccomp_syscall_resolve_name(s) == __NR_SCMP_ERROR) {
			report(ps, &v->start_mark, false, "unknown syscall '%.100s'", s);
			return 0;
		}
		r = strv_push(&m->sys_text, &m->nsys_text, s);
		if (r < 0)
			return r;
		if (op == AL_OP_NONE)
			return strv_push(&m->sys_names, &m->nsys_names, s);
		m->sys_ops |= AL_OP_BIT(op);
		return 0;
	}
	case PK_OP: {
		int op = al_op_from_name(s);

		if (op <= AL_OP_NONE) {
			report(ps, &v->start_mark, false,
			       "unknown operation class '%.100s' (expected %s)", s, op_list);
			return 0;
		}
		m->ops |= AL_OP_BIT(op);
		return 0;
	}
	}
	r = pglob_compile(s, mode, &g, &why);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		report(ps, &v->start_mark, false, "bad pattern '%.100s' in '%s': %s", s, keyname,
		       why);
		return 0;
	}
	r = pglobs_push(gs, &g);
	if (r < 0)
		pglob_free(&g);
	return r;
}

static const struct {
	const char *name;
	enum pkey key;
} match_keys[] = {
	{ "exec", PK_EXEC },   { "argv", PK_ARGV },	  { "write", PK_WRITE },
	{ "read", PK_READ },   { "delete", PK_DELETE },	  { "chmod", PK_CHMOD },
	{ "chown", PK_CHOWN }, { "connect", PK_CONNECT }, { "syscall", PK_SYSCALL },
	{ "op", PK_OP },
};

#define N_MATCH_KEYS (sizeof(match_keys) / sizeof(match_keys[0]))

/* A `match:` or `except:` block.  A key's value is a list of entries, or one entry. */
static int parse_match(struct parser *ps, yaml_node_t *map, const char *what, struct pmatch *m)
{
	const yaml_node_t *seen[N_MATCH_KEYS] = { 0 };
	int r = 0;

	if (map->type != YAML_MAPPING_NODE) {
		report(ps, &map->start_mark, false, "'%s' must be a mapping, not %s", what,
		       type_name(map));
		return 0;
	}
	if (map->data.mapping.pairs.start == map->data.mapping.pairs.top) {
		report(ps, &map->start_mark, false,
		       "'%s' is empty (name at least one of exec, argv, write, read, delete, "
		       "chmod, chown, connect, syscall, op)",
		       what);
		return 0;
	}
	for_each_pair(ps, map, pair)
	{
		yaml_node_t *k, *v;
		const char *key;
		size_t i;

		if (!pair_get(ps, pair, &key, &k, &v))
			continue;
		for (i = 0; i < N_MATCH_KEYS; i++)
			if (strcmp(match_keys[i].name, key) == 0)
				break;
		if (i == N_MATCH_KEYS) {
			report(ps, &k->start_mark, false,
			       "unknown key '%.100s' in %s (expected exec, argv, write, read, "
			       "delete, chmod, chown, connect, syscall, op)",
			       key, what);
			continue;
		}
		if (!first_key(ps, k, key, &seen[i]))
			continue;
		m->keys |= match_keys[i].key;
		if (v->type == YAML_SEQUENCE_NODE) {
			if (v->data.sequence.items.start == v->data.sequence.items.top)
				report(ps, &v->start_mark, false,
				       "'%s' is an empty list (it would never match)", key);
			for (yaml_node_item_t *it = v->data.sequence.items.start;
			     r == 0 && it < v->data.sequence.items.top; it++) {
				yaml_node_t *e = node_at(ps, *it);

				if (e)
					r = parse_entry(ps, m, match_keys[i].key, key, e);
			}
		} else {
			r = parse_entry(ps, m, match_keys[i].key, key, v);
		}
		if (r < 0)
			break;
	}
	return r;
}

static bool parse_action(struct parser *ps, const yaml_node_t *v, enum al_action *ret)
{
	static const enum al_action actions[] = { AL_ALLOW, AL_DENY, AL_ASK, AL_AUDIT };
	const char *s = scalar(ps, v, "action");

	if (!s)
		return false;
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strcmp(s, al_action_name(actions[i])) == 0) {
			*ret = actions[i];
			return true;
		}
	}
	report(ps, &v->start_mark, false,
	       "unknown action '%.100s' (expected allow, deny, ask, audit)", s);
	return false;
}

static int parse_reviewers(struct parser *ps, yaml_node_t *v, struct prule *rule)
{
	int r = 0;

	if (v->type == YAML_SCALAR_NODE) {
		const char *s = scalar(ps, v, "reviewers");

		return s ? strv_push(&rule->reviewers, &rule->nreviewers, s) : 0;
	}
	if (v->type != YAML_SEQUENCE_NODE) {
		report(ps, &v->start_mark, false, "'reviewers' must be a list of names, not %s",
		       type_name(v));
		return 0;
	}
	for (yaml_node_item_t *it = v->data.sequence.items.start;
	     r == 0 && it < v->data.sequence.items.top; it++) {
		yaml_node_t *e = node_at(ps, *it);
		const char *s = e ? scalar(ps, e, "reviewers") : NULL;

		if (s)
			r = strv_push(&rule->reviewers, &rule->nreviewers, s);
	}
	return r;
}

enum rule_key {
	RK_NAME,
	RK_MATCH,
	RK_EXCEPT,
	RK_ACTION,
	RK_ERRNO,
	RK_TIMEOUT,
	RK_ON_TIMEOUT,
	RK_REVIEWERS,
	RK__MAX
};

static const char *const rule_keys[RK__MAX] = {
	"name", "match", "except", "action", "errno", "timeout", "on_timeout", "reviewers",
};

/* One rule.  The rule is kept (for the duplicate-name check) even when parts of it are
 * bad: the errors are counted and the policy as a whole is rejected. */
static int parse_rule(struct parser *ps, yaml_node_t *map, struct prule *rule)
{
	const yaml_node_t *seen[RK__MAX] = { 0 };
	bool has_action = false;
	int r = 0;

	rule->line = (int)map->start_mark.line + 1;
	rule->column = (int)map->start_mark.column + 1;
	rule->on_timeout = -1;
	if (map->type != YAML_MAPPING_NODE) {
		report(ps, &map->start_mark, false, "a rule must be a mapping, not %s",
		       type_name(map));
		return 0;
	}
	for_each_pair(ps, map, pair)
	{
		yaml_node_t *k, *v;
		const char *key, *s;
		int i;

		if (!pair_get(ps, pair, &key, &k, &v))
			continue;
		for (i = 0; i < RK__MAX; i++)
			if (strcmp(rule_keys[i], key) == 0)
				break;
		if (i == RK__MAX) {
			report(ps, &k->start_mark, false,
			       "unknown key '%.100s' in rule (expected name, match, except, "
			       "action, errno, timeout, on_timeout, reviewers)",
			       key);
			continue;
		}
		if (!first_key(ps, k, key, &seen[i]))
			continue;
		switch (i) {
		case RK_NAME:
			s = scalar(ps, v, key);
			if (s && !s[0])
				report(ps, &v->start_mark, false, "a rule name cannot be empty");
			else if (s && !(rule->name = strdup(s)))
				r = -ENOMEM;
			break;
		case RK_MATCH:
			r = parse_match(ps, v, "match", &rule->match);
			break;
		case RK_EXCEPT:
			rule->has_except = true;
			r = parse_match(ps, v, "except", &rule->except);
			break;
		case RK_ACTION:
			has_action = parse_action(ps, v, &rule->action);
			break;
		case RK_ERRNO:
			parse_errno(ps, v, &rule->error);
			break;
		case RK_TIMEOUT:
			parse_duration(ps, v, key, &rule->timeout_ms);
			break;
		case RK_ON_TIMEOUT:
			parse_on_timeout(ps, v, &rule->on_timeout);
			break;
		case RK_REVIEWERS:
			r = parse_reviewers(ps, v, rule);
			break;
		}
		if (r < 0)
			return r;
	}
	if (seen[RK_MATCH] && rule->match.keys && pmatch_ops(&rule->match) == 0)
		report(ps, &seen[RK_MATCH]->start_mark, true,
		       "rule '%.100s' can never match: its keys apply to different operations "
		       "(write one rule per operation)",
		       rule->name ? rule->name : "?");
	if (!seen[RK_NAME])
		report(ps, &map->start_mark, false, "rule without a 'name'");
	if (!seen[RK_MATCH])
		report(ps, &map->start_mark, false, "rule '%.100s' has no 'match'",
		       rule->name ? rule->name : "?");
	if (!seen[RK_ACTION])
		report(ps, &map->start_mark, false,
		       "rule '%.100s' has no 'action' (expected allow, deny, ask, audit)",
		       rule->name ? rule->name : "?");
	if (has_action && rule->action != AL_ASK) {
		static const int ask_only[] = { RK_TIMEOUT, RK_ON_TIMEOUT, RK_REVIEWERS };

		for (size_t i = 0; i < sizeof(ask_only) / sizeof(ask_only[0]); i++)
			if (seen[ask_only[i]])
				report(ps, &seen[ask_only[i]]->start_mark, true,
				       "'%s' only applies to rules with action ask, ignoring",
				       rule_keys[ask_only[i]]);
		if (seen[RK_ERRNO] && rule->action != AL_DENY)
			report(ps, &seen[RK_ERRNO]->start_mark, true,
			       "'errno' only applies to rules with action deny or ask, ignoring");
	}
	return 0;
}

static void prule_free(struct prule *r)
{
	free(r->name);
	pmatch_free(&r->match);
	pmatch_free(&r->except);
	strv_free(r->reviewers, r->nreviewers);
}

static int by_name(const void *a, const void *b)
{
	const struct prule *const *x = a, *const *y = b;
	int c = strcmp((*x)->name, (*y)->name);

	if (c)
		return c;
	return (*x < *y) ? -1 : (*x > *y);
}

/* Names are the handle of approval scopes and audit lines: they must be unique.  Sorting
 * keeps this O(n log n) however many rules a file has. */
static int check_unique_names(struct parser *ps)
{
	struct policy *p = ps->p;
	struct prule **v;
	size_t n = 0;

	v = calloc(p->nrules ? p->nrules : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < p->nrules; i++)
		if (p->rules[i].name)
			v[n++] = &p->rules[i];
	qsort(v, n, sizeof(*v), by_name);
	for (size_t i = 1; i < n; i++) {
		size_t first = i - 1;

		while (i < n && strcmp(v[i]->name, v[first]->name) == 0) {
			yaml_mark_t m = { .line = (size_t)v[i]->line - 1,
					  .column = (size_t)v[i]->column - 1 };

			report(ps, &m, false, "duplicate rule name '%.100s' (first at line %d)",
			       v[i]->name, v[first]->line);
			i++;
		}
	}
	free(v);
	return 0;
}

static int parse_rules(struct parser *ps, yaml_node_t *seq)
{
	struct policy *p = ps->p;
	size_t n;
	int r = 0;

	if (seq->type != YAML_SEQUENCE_NODE) {
		report(ps, &seq->start_mark, false, "'rules' must be a list, not %s",
		       type_name(seq));
		return 0;
	}
	n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
	p->rules = calloc(n ? n : 1, sizeof(*p->rules));
	if (!p->rules)
		return -ENOMEM;
	for (yaml_node_item_t *it = seq->data.sequence.items.start;
	     r == 0 && it < seq->data.sequence.items.top; it++) {
		yaml_node_t *e = node_at(ps, *it);

		if (!e)
			continue;
		r = parse_rule(ps, e, &p->rules[p->nrules++]);
	}
	if (r == 0)
		r = check_unique_names(ps);
	return r;
}

/* What the gate must notify: only what a rule that is not `allow` could match.  An allow
 * rule decides what no rule would decide anyway, unless a later rule of the same class
 * exists, which then brings the class in itself. */
static int compute_needs(struct policy *p)
{
	const char **v;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < p->nrules; i++) {
		const struct prule *r = &p->rules[i];

		if (r->action == AL_ALLOW)
			continue;
		p->ops_needed |= pmatch_ops(&r->match);
		cap += r->match.nsys_names;
	}
	v = calloc(cap ? cap : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < p->nrules; i++) {
		const struct prule *r = &p->rules[i];

		if (r->action == AL_ALLOW)
			continue;
		for (size_t k = 0; k < r->match.nsys_names; k++) {
			size_t j;

			for (j = 0; j < n; j++)
				if (strcmp(v[j], r->match.sys_names[k]) == 0)
					break;
			if (j == n)
				v[n++] = r->match.sys_names[k];
		}
	}
	p->syscall_names = v;
	p->nsyscall_names = n;
	return 0;
}

/* Path rules see names, and a mount can give a file another name (a bind mount, as root or
 * in a user namespace), so path rules without a mount rule can be walked around. */
static void warn_mount_gap(struct parser *ps)
{
	const uint64_t path_ops = AL_OP_BIT(AL_OP_WRITE) | AL_OP_BIT(AL_OP_READ) |
				  AL_OP_BIT(AL_OP_DELETE) | AL_OP_BIT(AL_OP_CHMOD) |
				  AL_OP_BIT(AL_OP_CHOWN);
	const struct policy *p = ps->p;

	if (!(p->ops_needed & path_ops) || (p->ops_needed & AL_OP_BIT(AL_OP_MOUNT)))
		return;
	for (size_t i = 0; i < p->nrules; i++) {
		const struct prule *r = &p->rules[i];

		if (r->action != AL_ALLOW && (pmatch_ops(&r->match) & path_ops)) {
			yaml_mark_t m = { .line = (size_t)r->line - 1,
					  .column = (size_t)r->column - 1 };

			report(ps, &m, true,
			       "rule '%.100s' protects paths, but no rule denies or asks about "
			       "mounts: a bind mount gives a file another name (add op: [mount])",
			       r->name);
			return;
		}
	}
}

static int parse_root(struct parser *ps, yaml_node_t *root)
{
	enum { TK_VERSION, TK_DEFAULTS, TK_RULES, TK_REDACT, TK__MAX };
	static const char *const top_keys[TK__MAX] = { "version", "defaults", "rules", "redact" };
	const yaml_node_t *seen[TK__MAX] = { 0 };
	int r = 0;

	if (root->type != YAML_MAPPING_NODE) {
		report(ps, &root->start_mark, false,
		       "a policy must be a mapping with 'version: 1', not %s", type_name(root));
		return 0;
	}
	for_each_pair(ps, root, pair)
	{
		yaml_node_t *k, *v;
		const char *key, *s;
		int i;

		if (!pair_get(ps, pair, &key, &k, &v))
			continue;
		for (i = 0; i < TK__MAX; i++)
			if (strcmp(top_keys[i], key) == 0)
				break;
		if (i == TK__MAX) {
			report(ps, &k->start_mark, false,
			       "unknown key '%.100s' (expected version, defaults, rules, redact)",
			       key);
			continue;
		}
		if (!first_key(ps, k, key, &seen[i]))
			continue;
		switch (i) {
		case TK_VERSION:
			s = scalar(ps, v, key);
			if (s && strcmp(s, "1") != 0)
				report(ps, &v->start_mark, false,
				       "unsupported version '%.100s' (expected 1)", s);
			break;
		case TK_DEFAULTS:
			parse_defaults(ps, v);
			break;
		case TK_RULES:
			r = parse_rules(ps, v);
			break;
		case TK_REDACT: {
			bool alias_free;

			r = subtree_alias_free(ps, v, &alias_free);
			if (r < 0 || !alias_free)
				break;
			r = redact_policy_parse(ps->doc, v, ps->file, &ps->p->redact, ps->diags);
			if (r == -EINVAL) {
				ps->errors++; /* the redactor reported what */
				r = 0;
			}
			break;
		}
		}
		if (r < 0)
			return r;
	}
	if (!seen[TK_VERSION])
		report(ps, &root->start_mark, false, "missing 'version: 1'");
	if (!seen[TK_RULES])
		report(ps, &root->start_mark, true, "no 'rules': every operation is allowed");
	return 0;
}

void policy_free(struct policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nrules; i++)
		prule_free(&p->rules[i]);
	free(p->rules);
	free(p->syscall_names);
	redact_policy_free(p->redact);
	free(p->source);
	free(p);
}

static void report_yaml_error(struct parser *ps, const yaml_parser_t *yp)
{
	yaml_mark_t m = yp->problem_mark;

	if (yp->context)
		report(ps, &m, false, "%s %s", yp->problem ? yp->problem : "invalid YAML",
		       yp->context);
	else
		report(ps, &m, false, "%s", yp->problem ? yp->problem : "invalid YAML");
}

/* libyaml's scanner does work proportional to the flow nesting depth for every token, so
 * "[[[[...]]]]" a megabyte deep takes hours.  No policy nests flow collections more than a
 * few levels: refuse deep ones before libyaml sees them.  Quotes and comments are skipped
 * the way YAML reads them, so brackets inside strings and globs do not count. */
static bool flow_too_deep(const char *buf, size_t len, yaml_mark_t *ret_mark)
{
	yaml_mark_t m = { 0 };
	char quote = 0, prev = 0; /* prev: last non-blank character on this line */
	bool comment = false;
	int depth = 0;

	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (c == '\n') {
			m.line++;
			m.column = 0;
			comment = false;
			prev = 0;
			continue;
		}
		m.column++;
		if (comment)
			continue;
		if (quote) {
			if (quote == '"' && c == '\\' && i + 1 < len && buf[i + 1] != '\n') {
				i++;
				m.column++;
			} else if (c == quote) {
				quote = 0;
				prev = c;
			}
			continue;
		}
		if (c == '#' && (i == 0 || buf[i - 1] == ' ' || buf[i - 1] == '\t')) {
			comment = true;
		} else if ((c == '\'' || c == '"') && (!prev || strchr("[{,:-?", prev))) {
			quote = c;
		} else if (c == '[' || c == '{') {
			if (++depth > POLICY_MAX_FLOW_DEPTH) {
				m.column--;
				*ret_mark = m;
				return true;
			}
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
		if (c != ' ' && c != '\t' && !quote)
			prev = c;
	}
	return false;
}

int policy_load_buffer(const char *buf, size_t len, const char *name, struct policy **ret_policy,
		       struct policy_diags *diags)
{
	struct policy_diags *scratch = NULL;
	struct parser ps = { .file = name ? name : "<buffer>" };
	yaml_parser_t yp;
	yaml_document_t doc, extra;
	bool have_parser = false, have_doc = false;
	yaml_node_t *root;
	struct policy *p = NULL;
	yaml_mark_t mark;
	int r;

	if (!diags) {
		diags = scratch = calloc(1, sizeof(*scratch));
		if (!diags)
			return -ENOMEM;
	}
	diags->count = 0;
	ps.diags = diags;
	if (len > POLICY_MAX_SIZE) {
		yaml_mark_t m = { 0 };

		report(&ps, &m, false, "policy is larger than %d bytes", POLICY_MAX_SIZE);
		r = -EINVAL;
		goto out;
	}
	if (flow_too_deep(buf, len, &mark)) {
		report(&ps, &mark, false, "'[' or '{' nested deeper than %d levels",
		       POLICY_MAX_FLOW_DEPTH);
		r = -EINVAL;
		goto out;
	}
	p = calloc(1, sizeof(*p));
	if (!p || !(p->source = strdup(ps.file))) {
		r = -ENOMEM;
		goto out;
	}
	p->ask_timeout_ms = DEFAULT_ASK_TIMEOUT_MS;
	p->on_timeout = AL_DENY;
	p->error = EPERM;
	ps.p = p;

	if (!yaml_parser_initialize(&yp)) {
		r = -ENOMEM;
		goto out;
	}
	have_parser = true;
	yaml_parser_set_input_string(&yp, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&yp, &doc)) {
		if (yp.error == YAML_MEMORY_ERROR) {
			r = -ENOMEM;
			goto out;
		}
		report_yaml_error(&ps, &yp);
		r = -EINVAL;
		goto out;
	}
	have_doc = true;
	ps.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		yaml_mark_t m = { 0 };

		report(&ps, &m, false, "empty policy (expected a mapping with 'version: 1')");
		r = -EINVAL;
		goto out;
	}
	ps.nnodes = (size_t)(doc.nodes.top - doc.nodes.start);
	ps.seen = calloc(ps.nnodes, 1);
	if (!ps.seen) {
		r = -ENOMEM;
		goto out;
	}
	ps.seen[0] = 1; /* the root */
	r = parse_root(&ps, root);
	if (r < 0)
		goto out;

	/* A second document would be silently ignored by the daemon: say so. */
	if (!yaml_parser_load(&yp, &extra)) {
		report_yaml_error(&ps, &yp);
	} else {
		yaml_node_t *x = yaml_document_get_root_node(&extra);

		if (x)
			report(&ps, &x->start_mark, false,
			       "a second YAML document (a policy is one document)");
		yaml_document_delete(&extra);
	}
	if (ps.errors) {
		r = -EINVAL;
		goto out;
	}
	r = compute_needs(p);
	if (r < 0)
		goto out;
	warn_mount_gap(&ps);
	*ret_policy = p;
	p = NULL;
out:
	if (r == -EINVAL && ps.errors == 0) {
		/* Never -EINVAL without saying why. */
		yaml_mark_t m = { 0 };

		report(&ps, &m, false, "invalid policy");
	}
	free(ps.seen);
	if (have_doc)
		yaml_document_delete(&doc);
	if (have_parser)
		yaml_parser_delete(&yp);
	policy_free(p);
	free(scratch);
	return r;
}

int policy_load_file(const char *path, struct policy **ret_policy, struct policy_diags *diags)
{
	/* Read whatever the path is (a file, /dev/stdin, a pipe), up to one byte past the
	 * limit so that an oversized policy is told apart from one that fits. */
	size_t cap = POLICY_MAX_SIZE + 1, got = 0;
	char *buf = NULL;
	int fd, r;

	if (diags)
		diags->count = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	while (got < cap) {
		ssize_t n = read(fd, buf + got, cap - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > POLICY_MAX_SIZE) {
		r = -EFBIG;
		goto out;
	}
	r = policy_load_buffer(buf, got, path, ret_policy, diags);
out:
	free(buf);
	close(fd);
	return r;
}

int policy_load_default(struct policy **ret_policy)
{
	size_t len;
	const char *text = policy_default_text(&len);

	return policy_load_buffer(text, len, "<default>", ret_policy, NULL);
}
