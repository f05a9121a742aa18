/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `redact:` section of a policy file.  policy.c hands the YAML node of that section to
 * redact_policy_parse(); the redactor owns its meaning.  An invalid custom pattern is a
 * warning naming the rule and its line: the rest of the section keeps working (the pattern
 * is compiled, and so checked, here; redact_engine_new() leaves such a rule out).
 *
 *   redact:
 *     enabled: true
 *     targets: [pipe, socket, tty]     # regular files are not touched unless listed
 *     rules:
 *       - name: internal-token
 *         pattern: 'itk_[A-Za-z0-9]{32}'
 *         confidence: 0.9              # optional, default 0.8
 *     disable: [email]                 # built-in kinds switched off by name
 */
#ifndef AIRLOCK_REDACT_POLICY_H
#define AIRLOCK_REDACT_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

struct redact_policy;
struct policy_diags;

enum redact_target {
	REDACT_TARGET_PIPE = 1u << 0,
	REDACT_TARGET_SOCKET = 1u << 1,
	REDACT_TARGET_TTY = 1u << 2,
	REDACT_TARGET_FILE = 1u << 3,
};

#define REDACT_TARGETS_DEFAULT (REDACT_TARGET_PIPE | REDACT_TARGET_SOCKET | REDACT_TARGET_TTY)

struct redact_custom_rule {
	const char *name;
	const char *pattern; /* Vectorscan (PCRE-like) syntax */
	float confidence;
	int line;   /* of the rule in its file, 1-based */
	bool valid; /* false: the pattern did not compile (a warning was given) */
};

/* 0 on success (warnings may be added to diags), -EINVAL with errors in diags when the
 * section is malformed, -ENOMEM.  *ret is set only on success. */
int redact_policy_parse(yaml_document_t *doc, yaml_node_t *node, const char *file,
			struct redact_policy **ret, struct policy_diags *diags);

/* Parse a YAML document and its top-level `redact:` section (other top-level keys are
 * ignored; no `redact:` gives the defaults).  For tests, fuzzing and tools that only need
 * this section.  Same returns as redact_policy_parse(). */
int redact_policy_load_buffer(const char *buf, size_t len, const char *name,
			      struct redact_policy **ret, struct policy_diags *diags);

void redact_policy_free(struct redact_policy *rp);

bool redact_policy_enabled(const struct redact_policy *rp);
unsigned redact_policy_targets(const struct redact_policy *rp); /* enum redact_target bits */
size_t redact_policy_custom_rules(const struct redact_policy *rp,
				  const struct redact_custom_rule **ret);
bool redact_policy_kind_disabled(const struct redact_policy *rp, const char *kind);
size_t redact_policy_disabled(const struct redact_policy *rp, const char *const **ret);
const char *redact_policy_source(const struct redact_policy *rp); /* its file name */

#endif
