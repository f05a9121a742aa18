// SPDX-License-Identifier: Apache-2.0
/*
 * The `redact:` section of a policy: switches, targets, custom rules, disabled kinds.
 * Structural mistakes (unknown keys, unknown kinds or targets, a rule without a name) are
 * errors; a custom pattern that does not compile is a warning naming the rule and its
 * line, and only that rule is left out.
 */
#include <errno.h>
#include <hs/hs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy.h"
#include "redact_int.h"
#include "redact_policy.h"

struct redact_policy {
	bool enabled;
	unsigned targets;
	struct redact_custom_rule *rules;
	size_t nrules;
	char **disabled;
	size_t ndisabled;
	char *file;
};

static void diag(struct policy_diags *d, const char *file, const yaml_node_t *n, bool warning,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* A problem at node n (its position, or 0:0 when there is none). */
static void diag(struct policy_diags *d, const char *file, const yaml_node_t *n, bool warning,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	policy_diag_addv(d, file, n ? (int)n->start_mark.line + 1 : 0,
			 n ? (int)n->start_mark.column + 1 : 0, warning, fmt, ap);
	va_end(ap);
}

void redact_policy_free(struct redact_policy *rp)
{
	size_t i;

	if (!rp)
		return;
	for (i = 0; i < rp->nrules; i++) {
		free((char *)rp->rules[i].name);
		free((char *)rp->rules[i].pattern);
	}
	free(rp->rules);
	for (i = 0; i < rp->ndisabled; i++)
		free(rp->disabled[i]);
	free(rp->disabled);
	free(rp->file);
	free(rp);
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int parse_bool(const yaml_node_t *n, bool *ret)
{
	const char *s = scalar(n);

	if (!s)
		return -EINVAL;
	if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on"))
		*ret = true;
	else if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off"))
		*ret = false;
	else
		return -EINVAL;
	return 0;
}

static bool builtin_kind(const char *k)
{
	size_t i;

	for (i = 0; i < redact_builtin_count; i++)
		if (strcmp(redact_builtin_rules[i].kind, k) == 0)
			return true;
	return false;
}

/* Custom rule names become the kind in masks ("[name]***"), so they use the kind alphabet. */
static bool valid_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 40)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		      s[i] == '_'))
			return false;
	return true;
}

static int parse_targets(yaml_document_t *doc, yaml_node_t *n, const char *file,
			 struct redact_policy *rp, struct policy_diags *d)
{
	yaml_node_item_t *it;

	if (n->type != YAML_SEQUENCE_NODE) {
		diag(d, file, n, false,
		     "redact.targets: expected a list of pipe, socket, tty, file");
		return -EINVAL;
	}
	rp->targets = 0;
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *v = yaml_document_get_node(doc, *it);
		const char *s = scalar(v);

		if (s && !strcmp(s, "pipe"))
			rp->targets |= REDACT_TARGET_PIPE;
		else if (s && !strcmp(s, "socket"))
			rp->targets |= REDACT_TARGET_SOCKET;
		else if (s && !strcmp(s, "tty"))
			rp->targets |= REDACT_TARGET_TTY;
		else if (s && !strcmp(s, "file"))
			rp->targets |= REDACT_TARGET_FILE;
		else {
			diag(d, file, v, false,
			     "redact.targets: unknown target '%s' (pipe, socket, tty, file)",
			     s ? s : "?");
			return -EINVAL;
		}
	}
	return 0;
}

static bool pattern_compiles(const char *pattern, char *msg, size_t len)
{
	hs_database_t *db = NULL;
	hs_compile_error_t *err = NULL;
	bool ok = hs_compile(pattern, HS_FLAG_SOM_LEFTMOST, HS_MODE_BLOCK, NULL, &db, &err) ==
		  HS_SUCCESS;

	if (!ok)
		snprintf(msg, len, "%s", err && err->message ? err->message : "does not compile");
	/* Vectorscan's messages end with a period; ours go on after them */
	if (!ok && strlen(msg) > 1 && msg[strlen(msg) - 1] == '.')
		msg[strlen(msg) - 1] = 0;
	hs_free_compile_error(err);
	hs_free_database(db);
	return ok;
}

static int parse_rule(yaml_document_t *doc, yaml_node_t *n, const char *file,
		      struct redact_policy *rp, struct policy_diags *d)
{
	struct redact_custom_rule *cr = &rp->rules[rp->nrules];
	yaml_node_pair_t *p;
	const char *name = NULL, *pattern = NULL;
	float conf = 0.8f;
	char msg[256];
	size_t i;

	if (n->type != YAML_MAPPING_NODE) {
		diag(d, file, n, false,
		     "redact.rules: each rule is a mapping with name and pattern");
		return -EINVAL;
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		const char *ks = scalar(k), *vs = scalar(v);

		if (ks && !strcmp(ks, "name") && vs) {
			name = vs;
		} else if (ks && !strcmp(ks, "pattern") && vs) {
			pattern = vs;
		} else if (ks && !strcmp(ks, "confidence") && vs) {
			char *end;

			conf = strtof(vs, &end);
			if (*end || conf < 0 || conf > 1) {
				diag(d, file, v, false,
				     "redact rule: confidence '%s' is not a number from 0 to 1",
				     vs);
				return -EINVAL;
			}
		} else {
			diag(d, file, k, false,
			     "redact rule: unknown key '%s' (name, pattern, confidence)",
			     ks ? ks : "?");
			return -EINVAL;
		}
	}
	if (!name || !pattern) {
		diag(d, file, n, false, "redact rule: needs both 'name' and 'pattern'");
		return -EINVAL;
	}
	if (!valid_name(name)) {
		diag(d, file, n, false,
		     "redact rule '%s': a name is 1-40 of a-z 0-9 - _ (it names masks)", name);
		return -EINVAL;
	}
	for (i = 0; i < rp->nrules; i++)
		if (!strcmp(rp->rules[i].name, name)) {
			diag(d, file, n, false, "redact rule '%s': defined twice", name);
			return -EINVAL;
		}
	if (builtin_kind(name)) {
		diag(d, file, n, false, "redact rule '%s': the name of a built-in kind", name);
		return -EINVAL;
	}
	cr->name = strdup(name);
	cr->pattern = strdup(pattern);
	if (!cr->name || !cr->pattern) {
		free((char *)cr->name);
		free((char *)cr->pattern);
		return -ENOMEM;
	}
	cr->confidence = conf;
	cr->line = (int)n->start_mark.line + 1;
	cr->valid = pattern_compiles(pattern, msg, sizeof(msg));
	if (!cr->valid)
		diag(d, file, n, true, "redact rule '%s': invalid pattern '%s': %s, ignoring", name,
		     pattern, msg);
	rp->nrules++;
	return 0;
}

int redact_policy_parse(yaml_document_t *doc, yaml_node_t *node, const char *file,
			struct redact_policy **ret, struct policy_diags *diags)
{
	struct redact_policy *rp;
	yaml_node_pair_t *p;
	unsigned seen = 0;
	int r = -EINVAL;

	rp = calloc(1, sizeof(*rp));
	if (!rp)
		return -ENOMEM;
	rp->enabled = true;
	rp->targets = REDACT_TARGETS_DEFAULT;
	rp->file = strdup(file ? file : "<policy>");
	if (!rp->file) {
		r = -ENOMEM;
		goto fail;
	}
	if (!node || (node->type == YAML_SCALAR_NODE && !*scalar(node)))
		goto done; /* `redact:` with nothing under it */
	if (node->type != YAML_MAPPING_NODE) {
		diag(diags, file, node, false,
		     "redact: expected a mapping (enabled, targets, rules, disable)");
		goto fail;
	}
	for (p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
		static const char *const keys[] = { "enabled", "targets", "rules", "disable" };
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		const char *ks = scalar(k);
		yaml_node_item_t *it;
		unsigned ki;

		for (ki = 0; ks && ki < 4; ki++) {
			if (strcmp(ks, keys[ki]))
				continue;
			if (seen & (1u << ki)) {
				diag(diags, file, k, false, "redact: '%s' given twice", ks);
				goto fail;
			}
			seen |= 1u << ki;
		}

		if (ks && !strcmp(ks, "enabled")) {
			if (parse_bool(v, &rp->enabled) < 0) {
				diag(diags, file, v, false,
				     "redact.enabled: expected true or false, not '%s'",
				     scalar(v) ? scalar(v) : "?");
				goto fail;
			}
		} else if (ks && !strcmp(ks, "targets")) {
			if (parse_targets(doc, v, file, rp, diags) < 0)
				goto fail;
		} else if (ks && !strcmp(ks, "rules")) {
			size_t n;

			if (v->type != YAML_SEQUENCE_NODE) {
				diag(diags, file, v, false,
				     "redact.rules: expected a list of rules");
				goto fail;
			}
			n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
			rp->rules = calloc(n + 1, sizeof(*rp->rules));
			if (!rp->rules) {
				r = -ENOMEM;
				goto fail;
			}
			for (it = v->data.sequence.items.start; it < v->data.sequence.items.top;
			     it++) {
				r = parse_rule(doc, yaml_document_get_node(doc, *it), file, rp,
					       diags);
				if (r < 0)
					goto fail;
			}
		} else if (ks && !strcmp(ks, "disable")) {
			size_t n;

			if (v->type != YAML_SEQUENCE_NODE) {
				diag(diags, file, v, false,
				     "redact.disable: expected a list of kinds");
				goto fail;
			}
			n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
			rp->disabled = calloc(n + 1, sizeof(*rp->disabled));
			if (!rp->disabled) {
				r = -ENOMEM;
				goto fail;
			}
			for (it = v->data.sequence.items.start; it < v->data.sequence.items.top;
			     it++) {
				yaml_node_t *kn = yaml_document_get_node(doc, *it);
				const char *kind = scalar(kn);

				if (!kind || !builtin_kind(kind)) {
					diag(diags, file, kn, false,
					     "redact.disable: unknown kind '%s' (see 'airlock "
					     "redact --list-rules')",
					     kind ? kind : "?");
					goto fail;
				}
				rp->disabled[rp->ndisabled] = strdup(kind);
				if (!rp->disabled[rp->ndisabled]) {
					r = -ENOMEM;
					goto fail;
				}
				rp->ndisabled++;
			}
		} else {
			diag(diags, file, k, false,
			     "redact: unknown key '%s' (enabled, targets, rules, disable)",
			     ks ? ks : "?");
			goto fail;
		}
	}
done:
	*ret = rp;
	return 0;
fail:
	redact_policy_free(rp);
	return r == 0 ? -EINVAL : r;
}

int redact_policy_load_buffer(const char *buf, size_t len, const char *name,
			      struct redact_policy **ret, struct policy_diags *diags)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root, *section = NULL;
	yaml_node_pair_t *p;
	int r;

	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		policy_diag_add(diags, name, (int)parser.problem_mark.line + 1,
				(int)parser.problem_mark.column + 1, false, "%s",
				parser.problem ? parser.problem : "invalid YAML");
		yaml_parser_delete(&parser);
		return -EINVAL;
	}
	root = yaml_document_get_root_node(&doc);
	if (root && root->type == YAML_MAPPING_NODE) {
		for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
			const char *k = scalar(yaml_document_get_node(&doc, p->key));

			if (k && !strcmp(k, "redact")) {
				if (section) {
					diag(diags, name, yaml_document_get_node(&doc, p->key),
					     false, "policy: 'redact' given twice");
					r = -EINVAL;
					goto out;
				}
				section = yaml_document_get_node(&doc, p->value);
			}
		}
	} else if (root && !(root->type == YAML_SCALAR_NODE && !*scalar(root))) {
		diag(diags, name, root, false, "policy: expected a mapping at the top level");
		r = -EINVAL;
		goto out;
	}
	r = redact_policy_parse(&doc, section, name, ret, diags);
out:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return r;
}

bool redact_policy_enabled(const struct redact_policy *rp)
{
	return rp->enabled;
}

unsigned redact_policy_targets(const struct redact_policy *rp)
{
	return rp->targets;
}

size_t redact_policy_custom_rules(const struct redact_policy *rp,
				  const struct redact_custom_rule **ret)
{
	*ret = rp->rules;
	return rp->nrules;
}

bool redact_policy_kind_disabled(const struct redact_policy *rp, const char *kind)
{
	size_t i;

	for (i = 0; i < rp->ndisabled; i++)
		if (!strcmp(rp->disabled[i], kind))
			return true;
	return false;
}

size_t redact_policy_disabled(const struct redact_policy *rp, const char *const **ret)
{
	*ret = (const char *const *)rp->disabled;
	return rp->ndisabled;
}

const char *redact_policy_source(const struct redact_policy *rp)
{
	return rp->file;
}
