// SPDX-License-Identifier: Apache-2.0
/*
 * `airlock policy show FILE`: the policy as airlock understood it, as YAML that loads back
 * into the same policy.  Values are normalized (durations in their largest exact unit,
 * errnos by name, op aliases by their class name, one flow list per key), and comments say
 * what the gate will notify for it.
 */
#include <stdio.h>
#include <string.h>

#include "policy_internal.h"

/* A YAML scalar that reads back as s: single-quoted (a quote is doubled, nothing else is
 * special) unless s holds control characters, which only double quotes can escape. */
static void put_quoted(FILE *f, const char *s)
{
	bool ctl = false;

	for (const char *c = s; *c; c++)
		ctl |= (unsigned char)*c < 0x20 || *c == 0x7f;
	if (ctl) {
		fputc('"', f);
		for (; *s; s++) {
			unsigned char c = (unsigned char)*s;

			if (c < 0x20 || c == 0x7f)
				fprintf(f, "\\x%02x", c);
			else if (c == '"' || c == '\\')
				fprintf(f, "\\%c", c);
			else
				fputc(c, f);
		}
		fputc('"', f);
		return;
	}
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

static void put_duration(FILE *f, uint32_t ms)
{
	if (ms % 3600000 == 0)
		fprintf(f, "%uh", ms / 3600000);
	else if (ms % 60000 == 0)
		fprintf(f, "%um", ms / 60000);
	else if (ms % 1000 == 0)
		fprintf(f, "%us", ms / 1000);
	else
		fprintf(f, "%ums", ms);
}

static void put_errno(FILE *f, int e)
{
	const char *n = strerrorname_np(e);

	if (n)
		fputs(n, f);
	else
		fprintf(f, "%d", e);
}

static void put_ops(FILE *f, uint64_t ops)
{
	bool first = true;

	for (int i = AL_OP_NONE + 1; i < AL_OP__MAX; i++) {
		if (!(ops & AL_OP_BIT(i)))
			continue;
		fprintf(f, "%s%s", first ? "" : ", ", al_op_name(i));
		first = false;
	}
}

static void put_globs(FILE *f, const char *key, const struct pglobs *gs)
{
	fprintf(f, "      %s: [", key);
	for (size_t i = 0; i < gs->n; i++) {
		if (i)
			fputs(", ", f);
		put_quoted(f, gs->v[i].text);
	}
	fputs("]\n", f);
}

static void put_match(FILE *f, const char *what, const struct pmatch *m)
{
	fprintf(f, "    %s:\n", what);
	if (m->keys & PK_EXEC)
		put_globs(f, "exec", &m->exec);
	if (m->keys & PK_ARGV)
		put_globs(f, "argv", &m->argv);
	if (m->keys & PK_WRITE)
		put_globs(f, "write", &m->write);
	if (m->keys & PK_READ)
		put_globs(f, "read", &m->read);
	if (m->keys & PK_DELETE)
		put_globs(f, "delete", &m->del);
	if (m->keys & PK_CHMOD)
		put_globs(f, "chmod", &m->chmod);
	if (m->keys & PK_CHOWN)
		put_globs(f, "chown", &m->chown);
	if (m->keys & PK_CONNECT) {
		bool first = true;

		fputs("      connect: [", f);
		for (size_t i = 0; i < m->nnets; i++, first = false) {
			fputs(first ? "" : ", ", f);
			put_quoted(f, m->nets[i].text);
		}
		for (size_t i = 0; i < m->unix_paths.n; i++, first = false) {
			char buf[PATH_MAX + 8];

			fputs(first ? "" : ", ", f);
			snprintf(buf, sizeof(buf), "unix:%s", m->unix_paths.v[i].text);
			put_quoted(f, buf);
		}
		fputs("]\n", f);
	}
	if (m->keys & PK_SYSCALL) {
		fputs("      syscall: [", f);
		for (size_t i = 0; i < m->nsys_text; i++)
			fprintf(f, "%s%s", i ? ", " : "", m->sys_text[i]);
		fputs("]\n", f);
	}
	if (m->keys & PK_OP) {
		fputs("      op: [", f);
		put_ops(f, m->ops);
		fputs("]\n", f);
	}
}

void policy_dump(const struct policy *p, FILE *f)
{
	fputs("# ", f);
	put_quoted(f, p->source);
	fprintf(f, ", %zu rule%s, normalized by airlock\n", p->nrules, p->nrules == 1 ? "" : "s");
	fputs("# the gate notifies: ", f);
	if (p->ops_needed)
		put_ops(f, p->ops_needed);
	else
		fputs("nothing", f);
	for (size_t i = 0; i < p->nsyscall_names; i++)
		fprintf(f, "%s%s", i ? ", " : "; syscalls ", p->syscall_names[i]);
	fputs("\nversion: 1\ndefaults:\n  ask_timeout: ", f);
	put_duration(f, p->ask_timeout_ms);
	fprintf(f, "\n  on_timeout: %s\n  errno: ", al_action_name(p->on_timeout));
	put_errno(f, p->error);
	fputs("\nrules:", f);
	if (!p->nrules)
		fputs(" []", f);
	fputc('\n', f);
	for (size_t i = 0; i < p->nrules; i++) {
		const struct prule *r = &p->rules[i];

		fprintf(f, "  - name: ");
		put_quoted(f, r->name);
		fprintf(f, "   # line %d\n", r->line);
		put_match(f, "match", &r->match);
		if (r->has_except)
			put_match(f, "except", &r->except);
		fprintf(f, "    action: %s\n", al_action_name(r->action));
		if (r->error && (r->action == AL_DENY || r->action == AL_ASK)) {
			fputs("    errno: ", f);
			put_errno(f, r->error);
			fputc('\n', f);
		}
		if (r->action == AL_ASK && r->timeout_ms) {
			fputs("    timeout: ", f);
			put_duration(f, r->timeout_ms);
			fputc('\n', f);
		}
		if (r->action == AL_ASK && r->on_timeout >= 0)
			fprintf(f, "    on_timeout: %s\n",
				al_action_name((enum al_action)r->on_timeout));
		if (r->action == AL_ASK && r->nreviewers) {
			fputs("    reviewers: [", f);
			for (size_t k = 0; k < r->nreviewers; k++) {
				fputs(k ? ", " : "", f);
				put_quoted(f, r->reviewers[k]);
			}
			fputs("]\n", f);
		}
	}
}
