// SPDX-License-Identifier: Apache-2.0
#include "api_linebuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int api_linebuf_init(struct api_linebuf *lb, size_t max)
{
	memset(lb, 0, sizeof(*lb));
	/* max bytes of line plus its newline */
	lb->buf = malloc(max + 1);
	if (!lb->buf)
		return -ENOMEM;
	lb->max = max;
	return 0;
}

void api_linebuf_free(struct api_linebuf *lb)
{
	free(lb->buf);
	lb->buf = NULL;
}

size_t api_linebuf_room(struct api_linebuf *lb, char **ret_ptr)
{
	*ret_ptr = lb->buf + lb->len;
	return lb->max + 1 - lb->len;
}

void api_linebuf_commit(struct api_linebuf *lb, size_t n)
{
	lb->len += n;
}

enum api_line api_linebuf_next(struct api_linebuf *lb, char **ret_line, size_t *ret_len)
{
	char *nl;

	if (lb->consumed) {
		memmove(lb->buf, lb->buf + lb->consumed, lb->len - lb->consumed);
		lb->len -= lb->consumed;
		lb->consumed = 0;
	}
	nl = memchr(lb->buf, '\n', lb->len);
	if (lb->discarding) {
		if (!nl) {
			lb->len = 0;
			return API_LINE_NONE;
		}
		lb->consumed = (size_t)(nl - lb->buf) + 1;
		lb->discarding = false;
		return api_linebuf_next(lb, ret_line, ret_len);
	}
	if (!nl) {
		if (lb->len <= lb->max)
			return API_LINE_NONE;
		/* max + 1 bytes and no newline: the line is over the limit. */
		lb->len = 0;
		lb->discarding = true;
		return API_LINE_TOO_LONG;
	}
	*nl = '\0';
	lb->consumed = (size_t)(nl - lb->buf) + 1;
	*ret_line = lb->buf;
	*ret_len = (size_t)(nl - lb->buf);
	return API_LINE_OK;
}
