/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Labelled text for the redaction tests: "⟦kind⟧value⟦/⟧" marks value as a secret of that
 * kind (U+27E6 / U+27E7, which no corpus document contains otherwise).  A label may accept
 * alternatives, "⟦jwt|auth-header⟧", where two kinds are equally right; the first one is
 * the kind it is counted under.  Labels never nest.
 */
#ifndef AIRLOCK_TESTS_REDACT_LABELS_H
#define AIRLOCK_TESTS_REDACT_LABELS_H

#include <stdbool.h>
#include <stddef.h>

#define LABEL_MAX_KINDS 4

struct label {
	size_t offset; /* in the stripped text */
	size_t length;
	size_t line; /* 1-based line of the label in the labelled source */
	int nkinds;
	char kinds[LABEL_MAX_KINDS][48];
};

struct labelled {
	char *text; /* markers stripped, NUL terminated (the text may hold other NULs) */
	size_t len;
	struct label *labels;
	size_t nlabels;
};

/* Strip the markers of src[0..len).  0, -EINVAL with *ret_line set to the line at fault
 * (unclosed, nested or empty label, an unknown marker), or -ENOMEM.  *ret set only on
 * success. */
int labelled_parse(const char *src, size_t len, struct labelled *ret, size_t *ret_line);
void labelled_free(struct labelled *l);

/* True when the label accepts kind. */
bool label_accepts(const struct label *l, const char *kind);

/* Read a whole file.  0 or -errno; *ret_buf (malloc'd, NUL terminated) set on success. */
int read_whole_file(const char *path, char **ret_buf, size_t *ret_len);

#endif
