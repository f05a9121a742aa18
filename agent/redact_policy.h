/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `redact:` section of a policy file.  policy.c hands the YAML node of that section to
 * redact_policy_parse(); the redactor owns its meaning.  An invalid custom pattern is a
 * warning naming the rule and its line: the rest of the section keeps working.
 */
#ifndef AIRLOCK_REDACT_POLICY_H
#define AIRLOCK_REDACT_POLICY_H

#include <yaml.h>

struct redact_policy;
struct policy_diags;

/* 0 on success (warnings may be added to diags), -EINVAL with errors in diags when the
 * section is malformed.  *ret is set only on success. */
int redact_policy_parse(yaml_document_t *doc, yaml_node_t *node, const char *file,
			struct redact_policy **ret, struct policy_diags *diags);
void redact_policy_free(struct redact_policy *rp);

#endif
