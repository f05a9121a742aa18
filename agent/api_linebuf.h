/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Splitting the API's byte stream into request lines, with a maximum line length: an
 * overlong line is reported once and then discarded up to its newline, so a client that
 * sends one keeps a usable connection.
 */
#ifndef AIRLOCK_API_LINEBUF_H
#define AIRLOCK_API_LINEBUF_H

#include <stdbool.h>
#include <stddef.h>

#define API_LINE_MAX (64 * 1024) /* longest request line, without its newline */

/* A line splitter for a byte stream with a maximum line length.  An overlong line is
 * reported once and then discarded up to its newline; the stream stays usable. */
struct api_linebuf {
	char *buf;
	size_t len;	 /* bytes held */
	size_t consumed; /* bytes of the line last returned, dropped on the next call */
	size_t max;	 /* longest line accepted, without the newline */
	bool discarding; /* inside an overlong line */
};

enum api_line {
	API_LINE_NONE = 0, /* no complete line yet */
	API_LINE_OK,	   /* *ret_line (NUL-terminated, no newline) valid until the next call */
	API_LINE_TOO_LONG, /* a line over max: reported once, its rest will be dropped */
};

int api_linebuf_init(struct api_linebuf *lb, size_t max);
void api_linebuf_free(struct api_linebuf *lb);
/* Where to put new bytes and how many fit (always > 0 after api_linebuf_next returned
 * API_LINE_NONE). */
size_t api_linebuf_room(struct api_linebuf *lb, char **ret_ptr);
void api_linebuf_commit(struct api_linebuf *lb, size_t n);
enum api_line api_linebuf_next(struct api_linebuf *lb, char **ret_line, size_t *ret_len);

#endif
