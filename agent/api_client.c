// SPDX-License-Identifier: Apache-2.0
#include "api_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

const char *runtime_dir_resolve(const char *from_option)
{
	const char *env;

	if (from_option && *from_option)
		return from_option;
	env = getenv("AIRLOCK_RUNTIME_DIR");
	if (env && *env)
		return env;
	return "/run/airlock";
}

int api_connect(const char *runtime_dir)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, n;

	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/api.sock", runtime_dir);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int api_send(int fd, const json_t *req)
{
	char *s = json_dumps(req, JSON_COMPACT);
	size_t len;
	int r;

	if (!s)
		return -ENOMEM;
	len = strlen(s);
	r = write_all(fd, s, len);
	if (r == 0)
		r = write_all(fd, "\n", 1);
	free(s);
	return r;
}

int api_recv(int fd, json_t **ret, size_t max_len)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	json_error_t jerr;
	json_t *j;
	int r;

	if (!buf)
		return -ENOMEM;
	/* Byte-at-a-time keeps bytes after the newline in the socket for the next call;
	 * responses are small and the CLI is not a hot path. */
	for (;;) {
		char c;
		ssize_t n = read(fd, &c, 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		if (n == 0) {
			r = -ECONNRESET;
			goto out;
		}
		if (c == '\n')
			break;
		if (len + 1 >= max_len) {
			r = -EMSGSIZE;
			goto out;
		}
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				r = -ENOMEM;
				goto out;
			}
			buf = nb;
			cap *= 2;
		}
		buf[len++] = c;
	}
	j = json_loadb(buf, len, 0, &jerr);
	if (!j) {
		r = -EPROTO;
		goto out;
	}
	*ret = j;
	r = 0;
out:
	free(buf);
	return r;
}

int api_call(int fd, const json_t *req, json_t **ret, char *err, size_t err_len)
{
	json_t *resp = NULL;
	int r;

	r = api_send(fd, req);
	if (r < 0)
		return r;
	r = api_recv(fd, &resp, 1 << 20);
	if (r < 0)
		return r;
	if (!json_is_true(json_object_get(resp, "ok"))) {
		if (err && err_len) {
			const char *m = json_string_value(json_object_get(resp, "error"));
			snprintf(err, err_len, "%s", m ? m : "request failed");
		}
		json_decref(resp);
		return -EREMOTEIO;
	}
	*ret = resp;
	return 0;
}
