/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Policy: one YAML file (or the embedded default), parsed into an immutable struct
 * policy.  The daemon swaps a whole new policy in on reload and keeps the old one when
 * loading the new one fails.  Matching is a pure function of (policy, request).
 */
#ifndef AIRLOCK_POLICY_H
#define AIRLOCK_POLICY_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "request.h"

struct policy;
struct redact_policy;

enum al_action {
	AL_ALLOW = 0,
	AL_DENY,
	AL_ASK,
	AL_AUDIT, /* allow and record */
};

const char *al_action_name(enum al_action a);

struct al_decision {
	enum al_action action;
	int error;		   /* errno for AL_DENY (EPERM unless the rule says) */
	const char *rule;	   /* name of the matching rule, NULL when none matched */
	unsigned rule_index;	   /* index of the rule, for approval scopes; UINT_MAX: none */
	uint32_t timeout_ms;	   /* AL_ASK: how long the ask may wait */
	enum al_action on_timeout; /* AL_ASK: AL_ALLOW or AL_DENY when it expires */
	int timeout_error;	   /* errno when on_timeout is AL_DENY */
};

/* One problem found while loading a policy: where and what.  line/column are 1-based. */
struct policy_diag {
	char file[256];
	int line;
	int column;
	bool warning; /* true: reported, the policy still loads */
	char message[512];
};

#define POLICY_DIAG_MAX 64

struct policy_diags {
	unsigned count;
	struct policy_diag diag[POLICY_DIAG_MAX];
};

/* 0 on success, -EINVAL with at least one error in *diags on a bad policy, other -errno on
 * I/O errors.  *ret_policy is set only on success.  Warnings may be present on success. */
int policy_load_file(const char *path, struct policy **ret_policy, struct policy_diags *diags);
int policy_load_buffer(const char *buf, size_t len, const char *name, struct policy **ret_policy,
		       struct policy_diags *diags);
int policy_load_default(struct policy **ret_policy);
const char *policy_default_text(size_t *ret_len); /* the embedded default YAML */
void policy_free(struct policy *p);

/* Append one diagnostic (file:line:column, 1-based; 0 when unknown).  Nothing happens
 * when d is NULL or already holds POLICY_DIAG_MAX. */
void policy_diag_add(struct policy_diags *d, const char *file, int line, int column, bool warning,
		     const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void policy_diag_addv(struct policy_diags *d, const char *file, int line, int column, bool warning,
		      const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));

/* Format one diagnostic as "file:line:column: error: message". */
void policy_diag_format(const struct policy_diag *d, char *buf, size_t len);

/* Decide one request: first matching rule wins, no match allows. */
void policy_decide(const struct policy *p, const struct al_request *req, struct al_decision *ret);

/* What the seccomp filter must notify for this policy: a bit per enum al_op that some rule
 * can match, and the names of syscalls named by `syscall:` rules. */
uint64_t policy_ops_needed(const struct policy *p);
size_t policy_syscalls_named(const struct policy *p, const char *const **ret_names);

/* Defaults and the redact section (NULL when the policy has none). */
uint32_t policy_ask_timeout_ms(const struct policy *p);
const struct redact_policy *policy_redact(const struct policy *p);
const char *policy_source(const struct policy *p); /* file path or "<default>" */

/* The rules, for `airlock pending` / `watch` (reviewers) and `airlock policy show`. */
struct policy_rule_info {
	const char *name;
	int line; /* in the policy source */
	enum al_action action;
	const char *const *reviewers; /* as written in the rule's `reviewers:` */
	size_t nreviewers;
};

size_t policy_rule_count(const struct policy *p);
int policy_rule_info(const struct policy *p, unsigned index, struct policy_rule_info *ret);

/* Write a normalized summary of p (defaults, then each rule with its keys) to f. */
void policy_dump(const struct policy *p, FILE *f);

#endif
