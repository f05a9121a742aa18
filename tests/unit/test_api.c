// SPDX-License-Identifier: Apache-2.0
/* The API's line splitting: complete lines, split lines, overlong lines discarded up to
 * their newline with the stream still usable afterwards. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "api_linebuf.h"

static void feed(struct api_linebuf *lb, const char *data, size_t len)
{
	while (len > 0) {
		char *p;
		size_t room = api_linebuf_room(lb, &p);
		size_t n = len < room ? len : room;

		cr_assert_gt(room, 0);
		memcpy(p, data, n);
		api_linebuf_commit(lb, n);
		data += n;
		len -= n;
		if (len > 0) {
			/* Full: the splitter must make room by reporting or discarding. */
			char *line;
			size_t l;
			enum api_line k = api_linebuf_next(lb, &line, &l);

			cr_assert_eq(k, API_LINE_TOO_LONG);
		}
	}
}

Test(api, splits_complete_and_partial_lines)
{
	struct api_linebuf lb;
	char *line;
	size_t len;

	cr_assert_eq(api_linebuf_init(&lb, 64), 0);
	feed(&lb, "{\"op\":\"status\"}\n{\"op\":", 22);
	cr_assert_eq(api_linebuf_next(&lb, &line, &len), API_LINE_OK);
	cr_assert_str_eq(line, "{\"op\":\"status\"}");
	cr_assert_eq(len, 15);
	cr_assert_eq(api_linebuf_next(&lb, &line, &len), API_LINE_NONE);
	feed(&lb, "\"pending\"}\n", 11);
	cr_assert_eq(api_linebuf_next(&lb, &line, &len), API_LINE_OK);
	cr_assert_str_eq(line, "{\"op\":\"pending\"}");
	cr_assert_eq(api_linebuf_next(&lb, &line, &len), API_LINE_NONE);
	api_linebuf_free(&lb);
}

Test(api, line_of_exactly_max_bytes_is_accepted)
{
	struct api_linebuf lb;
	char data[66], *line;
	size_t len;

	memset(data, 'a', 64);
	data[64] = '\n';
	cr_assert_eq(api_linebuf_init(&lb, 64), 0);
	feed(&lb, data, 65);
	cr_assert_eq(api_linebuf_next(&lb, &line, &len), API_LINE_OK);
	cr_assert_eq(len, 64);
	api_linebuf_free(&lb);
}

Test(api, oversized_line_is_reported_once_and_discarded_to_its_newline)
{
	struct api_linebuf lb;
	static char big[1000];
	char *line;
	size_t len;
	enum api_line k;
	int too_long = 0;

	memset(big, 'x', sizeof(big));
	cr_assert_eq(api_linebuf_init(&lb, 64), 0);
	/* 1000 bytes with no newline, fed in pieces, then the end of that line and a good one. */
	for (size_t off = 0; off < sizeof(big); off += 50) {
		char *p;
		size_t room = api_linebuf_room(&lb, &p);
		size_t n = room < 50 ? room : 50;

		memcpy(p, big + off, n);
		api_linebuf_commit(&lb, n);
		while ((k = api_linebuf_next(&lb, &line, &len)) != API_LINE_NONE) {
			cr_assert_eq(k, API_LINE_TOO_LONG);
			too_long++;
		}
	}
	cr_assert_eq(too_long, 1, "reported %d times", too_long);
	feed(&lb, "yyy\n{\"op\":\"status\"}\n", 20);
	cr_assert_eq(api_linebuf_next(&lb, &line, &len), API_LINE_OK);
	cr_assert_str_eq(line, "{\"op\":\"status\"}");
	cr_assert_eq(api_linebuf_next(&lb, &line, &len), API_LINE_NONE);
	api_linebuf_free(&lb);
}

Test(api, empty_lines_are_returned_empty)
{
	struct api_linebuf lb;
	char *line;
	size_t len;

	cr_assert_eq(api_linebuf_init(&lb, 16), 0);
	feed(&lb, "\n\nab\n", 5);
	cr_assert_eq(api_linebuf_next(&lb, &line, &len), API_LINE_OK);
	cr_assert_eq(len, 0);
	cr_assert_eq(api_linebuf_next(&lb, &line, &len), API_LINE_OK);
	cr_assert_eq(len, 0);
	cr_assert_eq(api_linebuf_next(&lb, &line, &len), API_LINE_OK);
	cr_assert_str_eq(line, "ab");
	api_linebuf_free(&lb);
}
