// SPDX-License-Identifier: Apache-2.0
/*
 * Accuracy of the built-in redaction rules on the labelled corpus (tests/corpus/labelled,
 * see docs/redact-corpus.md).  Each document is stripped of its labels, scanned, and every
 * finding is compared with the labels:
 *
 *   - a label is found (TP) when a finding of one of its kinds overlaps it, missed (FN)
 *     otherwise (also when only a finding of another kind overlaps it);
 *   - a finding is right (TP) when it overlaps a label that accepts its kind, a false
 *     positive when it overlaps no label, and "confused" -- counted against precision too --
 *     when it overlaps only labels of other kinds;
 *   - the span of a found label is exact when the findings of its kind cover every
 *     labelled byte and extend past the label by nothing, or by one quote character.
 *
 * Per-kind precision is TP findings / all findings of that kind, recall is TP labels /
 * labels of that kind (counted under the label's first kind).  Masking each document must
 * change exactly the bytes of the findings, and at most 2% of the masked bytes may lie
 * outside every label.  The table always goes to
 * stdout; misses, false positives and inexact spans are listed with file and line.
 *
 * The corpus directory is tests/corpus/labelled relative to the working directory (tests
 * run from the repository top), or $AIRLOCK_REDACT_CORPUS.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"
#include "redact_labels.h"

#define MIN_PRECISION 0.98
#define MIN_RECALL    0.98
#define MIN_EXACT     0.98
#define MAX_KINDS     128

struct findings {
	struct redact_finding *v;
	size_t n, cap;
};

struct kind_stats {
	const char *kind;
	unsigned labels, found, findings, right, exact;
};

struct totals {
	struct kind_stats k[MAX_KINDS];
	int nk;
	unsigned files, labels, found, findings, right, exact, fp, confused;
	size_t bytes, changed, changed_outside;
};

static const char *corpus_dir(void)
{
	const char *d = getenv("AIRLOCK_REDACT_CORPUS");

	return d && *d ? d : "tests/corpus/labelled";
}

static int collect(const struct redact_finding *f, void *ctx)
{
	struct findings *fs = ctx;

	if (fs->n == fs->cap) {
		size_t ncap = fs->cap ? fs->cap * 2 : 64;
		struct redact_finding *n = realloc(fs->v, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		fs->v = n;
		fs->cap = ncap;
	}
	fs->v[fs->n++] = *f;
	return 0;
}

static struct kind_stats *stats_for(struct totals *t, const char *kind)
{
	for (int i = 0; i < t->nk; i++)
		if (!strcmp(t->k[i].kind, kind))
			return &t->k[i];
	cr_assert_lt(t->nk, MAX_KINDS, "too many kinds");
	t->k[t->nk].kind = strdup(kind);
	return &t->k[t->nk++];
}

static bool overlaps(size_t a, size_t alen, size_t b, size_t blen)
{
	return a < b + blen && b < a + alen;
}

static size_t line_of(const char *text, size_t off)
{
	size_t line = 1;

	for (size_t i = 0; i < off; i++)
		line += text[i] == '\n';
	return line;
}

/* A short printable excerpt of text[off..off+len) for the report. */
static void excerpt(const char *text, size_t off, size_t len, char *out, size_t outsz)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 5 < outsz; i++) {
		unsigned char c = text[off + i];

		if (i == 60 && len > 72) {
			n += snprintf(out + n, outsz - n, "...(%zu bytes)", len);
			break;
		}
		if (c == '\n')
			n += snprintf(out + n, outsz - n, "\\n");
		else if (c < 0x20 || c == 0x7f)
			n += snprintf(out + n, outsz - n, "\\x%02x", c);
		else
			out[n++] = c;
	}
	out[n < outsz ? n : outsz - 1] = '\0';
}

static bool is_quote(char c)
{
	return c == '"' || c == '\'' || c == '`';
}

/* Do the findings of an accepted kind cover the label exactly (give or take one quote on
 * each side)? */
static bool span_exact(const struct labelled *doc, const struct label *lab,
		       const struct findings *fs)
{
	size_t lo = (size_t)-1, hi = 0, covered = 0;

	for (size_t i = 0; i < fs->n; i++) {
		const struct redact_finding *f = &fs->v[i];

		if (!label_accepts(lab, f->kind) ||
		    !overlaps(f->offset, f->length, lab->offset, lab->length))
			continue;
		if (f->offset < lo)
			lo = f->offset;
		if (f->offset + f->length > hi)
			hi = f->offset + f->length;
		/* findings never overlap one another, so their clipped lengths add up */
		size_t s = f->offset > lab->offset ? f->offset : lab->offset;
		size_t e = f->offset + f->length < lab->offset + lab->length
				   ? f->offset + f->length
				   : lab->offset + lab->length;
		covered += e - s;
	}
	if (covered != lab->length)
		return false;
	if (lo < lab->offset && (lab->offset - lo > 1 || !is_quote(doc->text[lo])))
		return false;
	if (hi > lab->offset + lab->length &&
	    (hi - lab->offset - lab->length > 1 || !is_quote(doc->text[hi - 1])))
		return false;
	return true;
}

static void score_file(const char *name, const struct labelled *doc, const struct findings *fs,
		       struct totals *t)
{
	char ex[160];

	for (size_t i = 0; i < doc->nlabels; i++) {
		const struct label *lab = &doc->labels[i];
		struct kind_stats *ks = stats_for(t, lab->kinds[0]);
		const char *other = NULL;
		bool found = false;

		ks->labels++;
		t->labels++;
		for (size_t j = 0; j < fs->n; j++) {
			if (!overlaps(fs->v[j].offset, fs->v[j].length, lab->offset, lab->length))
				continue;
			if (label_accepts(lab, fs->v[j].kind))
				found = true;
			else
				other = fs->v[j].kind;
		}
		excerpt(doc->text, lab->offset, lab->length, ex, sizeof(ex));
		if (!found) {
			printf("  MISS  %s:%zu %s '%s'%s%s\n", name, lab->line, lab->kinds[0], ex,
			       other ? " -- found as " : "", other ? other : "");
			continue;
		}
		ks->found++;
		t->found++;
		if (span_exact(doc, lab, fs)) {
			ks->exact++;
			t->exact++;
		} else {
			printf("  SPAN  %s:%zu %s label '%s':", name, lab->line, lab->kinds[0], ex);
			for (size_t j = 0; j < fs->n; j++) {
				const struct redact_finding *f = &fs->v[j];

				if (!overlaps(f->offset, f->length, lab->offset, lab->length))
					continue;
				excerpt(doc->text, f->offset, f->length, ex, sizeof(ex));
				printf(" masked '%s' (%+ld..%+ld)", ex,
				       (long)f->offset - (long)lab->offset,
				       (long)(f->offset + f->length) -
					       (long)(lab->offset + lab->length));
			}
			printf("\n");
		}
	}

	for (size_t j = 0; j < fs->n; j++) {
		const struct redact_finding *f = &fs->v[j];
		struct kind_stats *ks = stats_for(t, f->kind);
		bool right = false, any = false;

		ks->findings++;
		t->findings++;
		for (size_t i = 0; i < doc->nlabels; i++) {
			const struct label *lab = &doc->labels[i];

			if (!overlaps(f->offset, f->length, lab->offset, lab->length))
				continue;
			any = true;
			right |= label_accepts(lab, f->kind);
		}
		if (right) {
			ks->right++;
			t->right++;
			continue;
		}
		excerpt(doc->text, f->offset, f->length, ex, sizeof(ex));
		printf("  %s %s:%zu %s (rule %s) '%s'\n", any ? "KIND " : "FALSE", name,
		       line_of(doc->text, f->offset), f->kind, f->rule, ex);
		if (any)
			t->confused++;
		else
			t->fp++;
	}
}

/* Masking must change exactly the bytes redact_scan() reported, each span masked as
 * redact_mask_span() formats it; counts the changed bytes and those outside every label. */
static void check_mask(const struct redact_engine *e, const char *name, const struct labelled *doc,
		       const struct findings *fs, struct totals *t)
{
	char *masked = malloc(doc->len + 1), *expect = malloc(doc->len + 1);
	int n;

	cr_assert(masked && expect);
	memcpy(masked, doc->text, doc->len);
	memcpy(expect, doc->text, doc->len);
	n = redact_mask(e, masked, doc->len);
	cr_assert_eq(n, (int)fs->n, "%s: redact_mask masked %d spans, redact_scan found %zu", name,
		     n, fs->n);
	for (size_t j = 0; j < fs->n; j++)
		redact_mask_span(expect + fs->v[j].offset, fs->v[j].length, fs->v[j].kind);
	for (size_t i = 0; i < doc->len; i++) {
		cr_assert_eq(masked[i], expect[i],
			     "%s:%zu: byte %zu is 0x%02x after redact_mask, 0x%02x expected", name,
			     line_of(doc->text, i), i, (unsigned char)masked[i],
			     (unsigned char)expect[i]);
		if (masked[i] == doc->text[i])
			continue;
		bool in_label = false;

		for (size_t k = 0; k < doc->nlabels && !in_label; k++)
			in_label = overlaps(i, 1, doc->labels[k].offset, doc->labels[k].length);
		t->changed++;
		t->changed_outside += !in_label;
	}
	free(masked);
	free(expect);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names of the corpus documents. */
static size_t list_corpus(char ***ret)
{
	const char *dir = corpus_dir();
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;

	cr_assert_not_null(d, "cannot open corpus directory '%s': %s (run from the repo top)", dir,
			   strerror(errno));
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof(*names));
			cr_assert_not_null(names);
		}
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	*ret = names;
	return n;
}

static void load_doc(const char *name, struct labelled *doc)
{
	char path[4096], *raw;
	size_t rawlen, line = 0;
	int r;

	snprintf(path, sizeof(path), "%s/%s", corpus_dir(), name);
	r = read_whole_file(path, &raw, &rawlen);
	cr_assert_eq(r, 0, "cannot read '%s': %s", path, strerror(-r));
	r = labelled_parse(raw, rawlen, doc, &line);
	cr_assert_eq(r, 0, "'%s' line %zu: malformed label", path, line);
	free(raw);
}

static struct redact_engine *engine(void)
{
	struct redact_engine *e = NULL;
	int r = redact_engine_new(NULL, &e, NULL);

	cr_assert_eq(r, 0, "redact_engine_new: %s", strerror(-r));
	return e;
}

static int cmp_kinds(const void *a, const void *b)
{
	return strcmp(((const struct kind_stats *)a)->kind, ((const struct kind_stats *)b)->kind);
}

static double ratio(unsigned a, unsigned b)
{
	return b ? (double)a / b : 1.0;
}

Test(redact_corpus, labels_name_known_kinds)
{
	struct redact_engine *e = engine();
	const char *const *kinds = redact_kinds(e);
	char **names;
	size_t n = list_corpus(&names);

	if (!getenv("AIRLOCK_REDACT_CORPUS"))
		cr_assert_geq(n, 40, "the corpus has only %zu documents", n);
	for (size_t i = 0; i < n; i++) {
		struct labelled doc;

		load_doc(names[i], &doc);
		for (size_t j = 0; j < doc.nlabels; j++) {
			for (int k = 0; k < doc.labels[j].nkinds; k++) {
				bool known = false;

				for (size_t m = 0; kinds[m] && !known; m++)
					known = !strcmp(kinds[m], doc.labels[j].kinds[k]);
				cr_expect(known, "%s:%zu: label kind '%s' is no kind of the engine",
					  names[i], doc.labels[j].line, doc.labels[j].kinds[k]);
			}
		}
		labelled_free(&doc);
		free(names[i]);
	}
	free(names);
	redact_engine_free(e);
}

Test(redact_corpus, precision_and_recall)
{
	struct redact_engine *e = engine();
	struct totals *t = calloc(1, sizeof(*t));
	char **names;
	size_t n = list_corpus(&names);

	cr_assert_not_null(t);
	printf("redaction corpus '%s': misses, false positives, inexact spans\n", corpus_dir());
	for (size_t i = 0; i < n; i++) {
		struct findings fs = { 0 };
		struct labelled doc;
		int r;

		load_doc(names[i], &doc);
		r = redact_scan(e, doc.text, doc.len, collect, &fs);
		cr_assert_eq(r, 0, "%s: redact_scan: %d", names[i], r);
		for (size_t j = 1; j < fs.n; j++)
			cr_assert_geq(fs.v[j].offset, fs.v[j - 1].offset + fs.v[j - 1].length,
				      "%s: findings overlap or are out of order", names[i]);
		score_file(names[i], &doc, &fs, t);
		check_mask(e, names[i], &doc, &fs, t);
		t->files++;
		t->bytes += doc.len;
		free(fs.v);
		labelled_free(&doc);
		free(names[i]);
	}
	free(names);

	qsort(t->k, t->nk, sizeof(t->k[0]), cmp_kinds);
	printf("\n%-26s %7s %7s %8s %6s %9s %7s %6s\n", "kind", "labels", "found", "findings",
	       "right", "precision", "recall", "exact");
	for (int i = 0; i < t->nk; i++) {
		const struct kind_stats *k = &t->k[i];

		printf("%-26s %7u %7u %8u %6u %9.3f %7.3f %6u\n", k->kind, k->labels, k->found,
		       k->findings, k->right, ratio(k->right, k->findings),
		       ratio(k->found, k->labels), k->exact);
	}
	double precision = ratio(t->right, t->findings), recall = ratio(t->found, t->labels);
	double exact = ratio(t->exact, t->found);

	printf("%-26s %7u %7u %8u %6u %9.3f %7.3f %6u\n", "overall", t->labels, t->found,
	       t->findings, t->right, precision, recall, t->exact);
	printf("%u documents, %zu bytes; %u false positives, %u findings of the wrong kind; "
	       "%.3f of found spans exact; %zu of %zu masked bytes outside every label\n",
	       t->files, t->bytes, t->fp, t->confused, exact, t->changed_outside, t->changed);
	fflush(stdout);

	cr_expect_geq(precision, MIN_PRECISION, "overall precision %.3f < %.2f", precision,
		      MIN_PRECISION);
	cr_expect_geq(recall, MIN_RECALL, "overall recall %.3f < %.2f", recall, MIN_RECALL);
	cr_expect_geq(exact, MIN_EXACT, "only %.3f of found spans are exact (< %.2f)", exact,
		      MIN_EXACT);
	/* bytes masked that no label covers: false positives and spans that run over */
	cr_expect_leq(t->changed_outside, (size_t)(t->changed * (1.0 - MIN_PRECISION)),
		      "%zu of %zu masked bytes lie outside every label", t->changed_outside,
		      t->changed);
	for (int i = 0; i < t->nk; i++)
		free((char *)t->k[i].kind);
	free(t);
	redact_engine_free(e);
}
