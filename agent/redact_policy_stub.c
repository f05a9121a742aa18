// SPDX-License-Identifier: Apache-2.0
/*
 * TEMPORARY, deleted when branch 'redact' is merged: it implements redact_policy_parse()
 * for real.  Until then this accepts any `redact:` section as "no redaction rules" so that
 * policy.c links and its tests run.  It parses nothing, and says so.
 */
#include <errno.h>
#include <stdio.h>

#include "policy.h"
#include "redact_policy.h"

int redact_policy_parse(yaml_document_t *doc, yaml_node_t *node, const char *file,
			struct redact_policy **ret, struct policy_diags *diags)
{
	if (diags && diags->count < POLICY_DIAG_MAX) {
		struct policy_diag *d = &diags->diag[diags->count++];

		snprintf(d->file, sizeof(d->file), "%s", file);
		d->line = (int)node->start_mark.line + 1;
		d->column = (int)node->start_mark.column + 1;
		d->warning = true;
		snprintf(d->message, sizeof(d->message),
			 "'redact' is not supported by this build, ignoring");
	}
	*ret = NULL;
	return 0;
}

void redact_policy_free(struct redact_policy *rp)
{
}
