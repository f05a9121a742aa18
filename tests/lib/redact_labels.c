// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "redact_labels.h"

#define OPEN_MARK  "\xe2\x9f\xa6" /* ⟦ */
#define CLOSE_MARK "\xe2\x9f\xa7" /* ⟧ */
#define MARK_LEN   3

static int push_label(struct labelled *l, size_t *cap, const struct label *lab)
{
	if (l->nlabels == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct label *n = realloc(l->labels, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		l->labels = n;
		*cap = ncap;
	}
	l->labels[l->nlabels++] = *lab;
	return 0;
}

/* Split "a|b|c" into the label's kinds. */
static int parse_kinds(const char *name, size_t n, struct label *lab)
{
	size_t i = 0;

	lab->nkinds = 0;
	while (i < n) {
		size_t j = i;

		while (j < n && name[j] != '|')
			j++;
		if (j == i || j - i >= sizeof(lab->kinds[0]) || lab->nkinds == LABEL_MAX_KINDS)
			return -EINVAL;
		memcpy(lab->kinds[lab->nkinds], name + i, j - i);
		lab->kinds[lab->nkinds][j - i] = '\0';
		lab->nkinds++;
		i = j + 1;
	}
	return lab->nkinds ? 0 : -EINVAL;
}

int labelled_parse(const char *src, size_t len, struct labelled *ret, size_t *ret_line)
{
	struct labelled l = { 0 };
	struct label cur = { 0 };
	bool open = false;
	size_t cap = 0, line = 1, i = 0;
	int r = -ENOMEM;

	l.text = malloc(len + 1);
	if (!l.text)
		goto fail;
	while (i < len) {
		if (len - i >= MARK_LEN && !memcmp(src + i, OPEN_MARK, MARK_LEN)) {
			const char *name = src + i + MARK_LEN;
			const char *end = memmem(name, len - i - MARK_LEN, CLOSE_MARK, MARK_LEN);

			r = -EINVAL;
			if (!end || memchr(name, '\n', end - name))
				goto fail_line;
			if (end - name == 1 && name[0] == '/') {
				if (!open || l.len == cur.offset)
					goto fail_line;
				cur.length = l.len - cur.offset;
				r = push_label(&l, &cap, &cur);
				if (r < 0)
					goto fail;
				open = false;
			} else {
				if (open || parse_kinds(name, end - name, &cur) < 0)
					goto fail_line;
				cur.offset = l.len;
				cur.line = line;
				open = true;
			}
			i = end + MARK_LEN - src;
			continue;
		}
		if (len - i >= MARK_LEN && !memcmp(src + i, CLOSE_MARK, MARK_LEN)) {
			r = -EINVAL;
			goto fail_line;
		}
		if (src[i] == '\n')
			line++;
		l.text[l.len++] = src[i++];
	}
	r = -EINVAL;
	if (open) {
		line = cur.line;
		goto fail_line;
	}
	l.text[l.len] = '\0';
	*ret = l;
	return 0;

fail_line:
	if (ret_line)
		*ret_line = line;
fail:
	labelled_free(&l);
	return r;
}

void labelled_free(struct labelled *l)
{
	if (!l)
		return;
	free(l->text);
	free(l->labels);
	*l = (struct labelled){ 0 };
}

bool label_accepts(const struct label *l, const char *kind)
{
	for (int i = 0; i < l->nkinds; i++)
		if (!strcmp(l->kinds[i], kind))
			return true;
	return false;
}

int read_whole_file(const char *path, char **ret_buf, size_t *ret_len)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	buf = malloc(st.st_size + 1);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			goto out;
		}
		got += n;
	}
	buf[got] = '\0';
	*ret_buf = buf;
	*ret_len = got;
	buf = NULL;
	r = 0;
out:
	free(buf);
	close(fd);
	return r;
}
