// SPDX-License-Identifier: Apache-2.0
/*
 * The API's line splitter on arbitrary input cut at arbitrary points: every returned line
 * is within the limit and holds no newline, an overlong line is reported once, and the
 * splitter always has room for more input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api_linebuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_linebuf lb;
	size_t off = 0, max;

	if (size < 2)
		return 0;
	/* The first byte picks a small limit, so overlong lines are common. */
	max = 1 + data[0] % 64;
	data++;
	size--;
	if (api_linebuf_init(&lb, max) < 0)
		return 0;
	while (off < size) {
		char *p, *line;
		size_t room = api_linebuf_room(&lb, &p), len;
		/* Chunk sizes come from the data too: 1 to 16 bytes. */
		size_t n = 1 + data[off] % 16;
		enum api_line k;

		if (room == 0)
			abort();
		if (n > room)
			n = room;
		if (n > size - off)
			n = size - off;
		memcpy(p, data + off, n);
		api_linebuf_commit(&lb, n);
		off += n;
		while ((k = api_linebuf_next(&lb, &line, &len)) != API_LINE_NONE) {
			if (k == API_LINE_OK &&
			    (len > max || memchr(line, '\n', len) || strlen(line) > len))
				abort();
		}
	}
	api_linebuf_free(&lb);
	return 0;
}
