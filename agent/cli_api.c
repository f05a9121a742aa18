// SPDX-License-Identifier: Apache-2.0
#include "cli_api.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_client.h"

int cli_request(const struct cli_global *g, const char *cmd, const json_t *req, json_t **ret,
		int *ret_fd)
{
	json_t *res = NULL;
	const char *msg, *err;
	int fd, r;

	fd = api_connect(g->runtime_dir);
	if (fd < 0) {
		fprintf(stderr, "airlock %s: cannot reach airlockd at '%s/api.sock': %s\n", cmd,
			g->runtime_dir, strerror(-fd));
		return 1;
	}
	r = api_send(fd, req);
	if (r == 0)
		r = api_recv(fd, &res, 16u << 20);
	if (r < 0) {
		fprintf(stderr, "airlock %s: no answer from airlockd: %s\n", cmd, strerror(-r));
		close(fd);
		return 1;
	}
	if (!json_is_true(json_object_get(res, "ok"))) {
		msg = json_string_value(json_object_get(res, "error"));
		err = json_string_value(json_object_get(res, "errno"));
		/* Permission problems are about who runs the CLI, not about the command. */
		if (err && strcmp(err, "EPERM") == 0)
			fprintf(stderr, "airlock: %s\n", msg ? msg : "permission denied");
		else
			fprintf(stderr, "airlock %s: %s\n", cmd, msg ? msg : "request failed");
		json_decref(res);
		close(fd);
		return 1;
	}
	*ret = res;
	if (ret_fd)
		*ret_fd = fd;
	else
		close(fd);
	return 0;
}

void cli_format_duration(uint64_t ms, char *buf, size_t len)
{
	uint64_t s = ms / 1000;

	if (s < 60)
		snprintf(buf, len, "%llus", (unsigned long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%llum%02llus", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	else if (s < 86400)
		snprintf(buf, len, "%lluh%02llum", (unsigned long long)(s / 3600),
			 (unsigned long long)(s / 60 % 60));
	else
		snprintf(buf, len, "%llud", (unsigned long long)(s / 86400));
}

static void append(char *buf, size_t len, size_t *pos, const char *s)
{
	int n;

	if (*pos >= len)
		return;
	n = snprintf(buf + *pos, len - *pos, "%s", s);
	if (n > 0)
		*pos += (size_t)n;
	if (*pos >= len)
		*pos = len - 1;
}

void cli_format_what(const json_t *req, char *buf, size_t len)
{
	const char *op = json_string_value(json_object_get(req, "op"));
	const char *path = json_string_value(json_object_get(req, "path"));
	const char *path2 = json_string_value(json_object_get(req, "path2"));
	const char *addr = json_string_value(json_object_get(req, "addr"));
	const char *sc = json_string_value(json_object_get(req, "syscall"));
	json_t *argv = json_object_get(req, "argv"), *v;
	size_t pos = 0, i;

	buf[0] = '\0';
	if (op && strcmp(op, "exec") == 0 && path) {
		append(buf, len, &pos, path);
		json_array_foreach(argv, i, v)
		{
			if (i == 0)
				continue; /* argv[0]: the path stands for it */
			append(buf, len, &pos, " ");
			append(buf, len, &pos, json_string_value(v) ? json_string_value(v) : "");
		}
	} else if (addr) {
		append(buf, len, &pos, addr);
	} else if (path && *path) {
		append(buf, len, &pos, path);
		if (path2 && *path2) {
			append(buf, len, &pos, " -> ");
			append(buf, len, &pos, path2);
		}
	} else {
		append(buf, len, &pos, sc ? sc : "?");
	}
	/* One line: control characters in paths or arguments are shown as '?'. */
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

void cli_print_json(FILE *f, const json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);

	if (s) {
		fprintf(f, "%s\n", s);
		free(s);
	}
}

int cli_parse_json_only(int argc, char **argv, const char *cmd, void (*usage)(FILE *f),
			bool *ret_json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool as_json = false;
	int opt;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			as_json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "airlock %s: unexpected argument '%s'\n", cmd, argv[optind]);
		return 2;
	}
	*ret_json = as_json;
	return -1;
}
