/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The audit log: JSON lines, one per decision, hash-chained.  Each line carries
 * "prev": the hex SHA-256 of the previous line's bytes (without its newline); the first
 * line of a file carries 64 zeros.  Reopening a file continues its chain.
 */
#ifndef AIRLOCK_AUDIT_H
#define AIRLOCK_AUDIT_H

#include <jansson.h>
#include <stddef.h>

struct audit_log;

/* Open (create with 0640, parent directory 0750 if missing) and find the chain's tail.
 * 0 or -errno; a file whose last line is not valid JSON is -EBADMSG (never silently
 * restarted). */
int audit_open(const char *path, struct audit_log **ret);

/* Append one record: adds "seq", "ts" (RFC 3339 UTC with microseconds) and "prev", writes
 * the line with one write(2).  The record is not consumed.  0 or -errno. */
int audit_append(struct audit_log *log, json_t *record);

void audit_close(struct audit_log *log);

/* Verify a whole file.  0 when the chain holds (lines counted in *ret_lines); -EBADMSG
 * with the 1-based number of the first broken line in *ret_bad_line and a reason in why;
 * other -errno for I/O errors. */
int audit_verify_file(const char *path, unsigned long *ret_lines, unsigned long *ret_bad_line,
		      char *why, size_t why_len);

#endif
