// SPDX-License-Identifier: Apache-2.0
/*
 * struct al_request helpers: op class names, socket addresses as text, the JSON form used
 * by the API and the audit log, and the canonical key that approval scopes compare.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "request.h"

static const char *const op_names[AL_OP__MAX] = {
	[AL_OP_NONE] = "none",	   [AL_OP_EXEC] = "exec",	[AL_OP_WRITE] = "write",
	[AL_OP_READ] = "read",	   [AL_OP_DELETE] = "delete",	[AL_OP_CHMOD] = "chmod",
	[AL_OP_CHOWN] = "chown",   [AL_OP_CONNECT] = "connect", [AL_OP_PRIVILEGE] = "privilege",
	[AL_OP_MOUNT] = "mount",   [AL_OP_MODULE] = "module",	[AL_OP_PTRACE] = "ptrace",
	[AL_OP_BPF] = "bpf",	   [AL_OP_KEXEC] = "kexec",	[AL_OP_REBOOT] = "reboot",
	[AL_OP_SIGNAL] = "signal", [AL_OP_OTHER] = "other",
};

const char *al_op_name(enum al_op op)
{
	if ((unsigned)op >= AL_OP__MAX)
		return "unknown";
	return op_names[op];
}

int al_op_from_name(const char *name)
{
	/* The names DESIGN.md uses for two classes are accepted as aliases. */
	if (strcmp(name, "file-write") == 0)
		return AL_OP_WRITE;
	if (strcmp(name, "net-connect") == 0)
		return AL_OP_CONNECT;
	for (int i = 0; i < AL_OP__MAX; i++)
		if (strcmp(op_names[i], name) == 0)
			return i;
	return -EINVAL;
}

/* An abstract AF_UNIX name may hold any byte; NULs inside it are shown as '@', as ss(8)
 * does, so that the text form is one C string. */
static int format_unix(const struct sockaddr_un *sun, socklen_t len, char *buf, size_t buf_len)
{
	size_t off = offsetof(struct sockaddr_un, sun_path);
	size_t n = len > off ? len - off : 0;
	size_t pos;

	if (n > sizeof(sun->sun_path))
		n = sizeof(sun->sun_path);
	if (buf_len < sizeof("unix:") + n + 1)
		return -ENOSPC;
	pos = (size_t)snprintf(buf, buf_len, "unix:");
	if (n > 0 && sun->sun_path[0] == '\0') {
		buf[pos++] = '@';
		for (size_t i = 1; i < n; i++)
			buf[pos++] = sun->sun_path[i] ? sun->sun_path[i] : '@';
	} else {
		for (size_t i = 0; i < n && sun->sun_path[i]; i++)
			buf[pos++] = sun->sun_path[i];
	}
	buf[pos] = '\0';
	return 0;
}

int al_addr_format(const struct sockaddr_storage *ss, socklen_t len, char *buf, size_t buf_len)
{
	char ip[INET6_ADDRSTRLEN];
	int n;

	switch (ss->ss_family) {
	case AF_INET: {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
		n = snprintf(buf, buf_len, "%s:%u", ip, ntohs(sin->sin_port));
		break;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip));
		if (sin6->sin6_scope_id)
			n = snprintf(buf, buf_len, "[%s%%%u]:%u", ip, sin6->sin6_scope_id,
				     ntohs(sin6->sin6_port));
		else
			n = snprintf(buf, buf_len, "[%s]:%u", ip, ntohs(sin6->sin6_port));
		break;
	}
	case AF_UNIX:
		return format_unix((const struct sockaddr_un *)ss, len, buf, buf_len);
	default:
		return -EAFNOSUPPORT;
	}
	if (n < 0 || (size_t)n >= buf_len)
		return -ENOSPC;
	return 0;
}

static int parse_port(const char *s, uint16_t *ret)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > 65535)
		return -EINVAL;
	*ret = (uint16_t)v;
	return 0;
}

int al_addr_parse(const char *s, struct sockaddr_storage *ret_ss, socklen_t *ret_len)
{
	struct sockaddr_storage ss;
	char host[INET6_ADDRSTRLEN];
	const char *port = NULL;
	uint16_t portnum = 0;
	size_t n;

	memset(&ss, 0, sizeof(ss));
	if (strncmp(s, "unix:", 5) == 0) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&ss;
		const char *p = s + 5;

		n = strlen(p);
		if (n == 0 || n >= sizeof(sun->sun_path))
			return -EINVAL;
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, p, n);
		if (p[0] == '@')
			sun->sun_path[0] = '\0'; /* abstract: the length says where it ends */
		else
			n++; /* count the terminating NUL, as most callers do */
		*ret_ss = ss;
		*ret_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
		return 0;
	}
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || (size_t)(close - s - 1) >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = '\0';
		if (close[1] == ':')
			port = close + 2;
		else if (close[1])
			return -EINVAL;
	} else {
		const char *colon = strchr(s, ':');

		if (colon && strchr(colon + 1, ':'))
			colon = NULL; /* a bare IPv6 address, no port */
		n = colon ? (size_t)(colon - s) : strlen(s);
		if (n >= sizeof(host))
			return -EINVAL;
		memcpy(host, s, n);
		host[n] = '\0';
		if (colon)
			port = colon + 1;
	}
	if (port && parse_port(port, &portnum) < 0)
		return -EINVAL;
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		if (s[0] == '[')
			return -EINVAL;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(portnum);
		*ret_len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(portnum);
		*ret_len = sizeof(*sin6);
	} else {
		return -EINVAL;
	}
	*ret_ss = ss;
	return 0;
}

/* Paths and arguments are bytes, JSON strings are UTF-8: bytes that are not valid UTF-8
 * are shown as \xNN so that the audit log keeps every request, not only the tidy ones. */
static json_t *json_text(const char *s, size_t n)
{
	json_t *j = json_stringn(s, n);
	char *tmp;
	size_t pos = 0;

	if (j)
		return j;
	tmp = malloc(n * 4 + 1);
	if (!tmp)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80 && c != 0)
			tmp[pos++] = (char)c;
		else
			pos += (size_t)sprintf(tmp + pos, "\\x%02x", c);
	}
	j = json_stringn(tmp, pos);
	free(tmp);
	return j;
}

static bool op_has_path(enum al_op op)
{
	return op == AL_OP_EXEC || op == AL_OP_WRITE || op == AL_OP_READ || op == AL_OP_DELETE ||
	       op == AL_OP_CHMOD || op == AL_OP_CHOWN;
}

json_t *al_request_to_json(const struct al_request *r)
{
	json_t *j = json_object();
	char addr[128];
	int err = 0;

	if (!j)
		return NULL;
	err |= json_object_set_new(j, "op", json_string(al_op_name(r->op)));
	if (r->syscall)
		err |= json_object_set_new(j, "syscall", json_string(r->syscall));
	err |= json_object_set_new(j, "pid", json_integer(r->pid));
	if (r->tgid)
		err |= json_object_set_new(j, "tgid", json_integer(r->tgid));
	err |= json_object_set_new(j, "uid", json_integer(r->uid));
	if (r->path[0])
		err |= json_object_set_new(j, "path",
					   json_text(r->path, strnlen(r->path, PATH_MAX)));
	if (r->path2[0])
		err |= json_object_set_new(j, "path2",
					   json_text(r->path2, strnlen(r->path2, PATH_MAX)));
	if (r->open_flags)
		err |= json_object_set_new(j, "flags", json_integer(r->open_flags));
	if (r->op == AL_OP_EXEC && r->argc > 0) {
		json_t *a = json_array();

		for (int i = 0; a && i < r->argc && i < AL_ARGV_MAX && r->argv[i]; i++)
			err |= json_array_append_new(a, json_text(r->argv[i], strlen(r->argv[i])));
		err |= json_object_set_new(j, "argv", a);
		if (r->argv_truncated)
			err |= json_object_set_new(j, "argv_truncated", json_true());
	}
	if (r->addrlen > 0 && al_addr_format(&r->addr, r->addrlen, addr, sizeof(addr)) == 0)
		err |= json_object_set_new(j, "addr", json_string(addr));
	if (!op_has_path(r->op) && r->op != AL_OP_CONNECT) {
		/* Classes decided on register arguments: show them (setuid(0) vs setuid(1000)). */
		json_t *a = json_array();

		for (int i = 0; a && i < 6; i++)
			err |= json_array_append_new(a, json_integer((json_int_t)r->args[i]));
		err |= json_object_set_new(j, "args", a);
	}
	if (err) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static int copy_string(const json_t *v, const char *key, char *dst, size_t dst_len, char *err,
		       size_t err_len)
{
	size_t n;

	if (!json_is_string(v)) {
		snprintf(err, err_len, "'%s' must be a string", key);
		return -EINVAL;
	}
	n = json_string_length(v);
	if (n >= dst_len || strlen(json_string_value(v)) != n) {
		snprintf(err, err_len, "'%s' is too long or holds a NUL byte", key);
		return -EINVAL;
	}
	memcpy(dst, json_string_value(v), n + 1);
	return 0;
}

static int copy_argv(const json_t *v, struct al_request *r, char *err, size_t err_len)
{
	size_t pos = 0, i;
	const json_t *a;

	if (!json_is_array(v)) {
		snprintf(err, err_len, "'argv' must be an array of strings");
		return -EINVAL;
	}
	json_array_foreach(v, i, a)
	{
		size_t n;

		if (!json_is_string(a)) {
			snprintf(err, err_len, "'argv' must be an array of strings");
			return -EINVAL;
		}
		n = json_string_length(a);
		if (r->argc >= AL_ARGV_MAX || pos + n + 1 > sizeof(r->argbuf)) {
			r->argv_truncated = true;
			break;
		}
		memcpy(r->argbuf + pos, json_string_value(a), n + 1);
		r->argv[r->argc++] = r->argbuf + pos;
		pos += n + 1;
	}
	r->argv[r->argc] = NULL;
	return 0;
}

static bool want_int(const json_t *v, const char *key, long long *ret, char *err, size_t err_len)
{
	if (!json_is_integer(v)) {
		snprintf(err, err_len, "'%s' must be an integer", key);
		return false;
	}
	*ret = json_integer_value(v);
	return true;
}

int al_request_from_json(const json_t *j, struct al_request *r, char *err, size_t err_len)
{
	const char *key;
	const json_t *v;
	long long n;
	int op = -EINVAL;

	if (!json_is_object(j)) {
		snprintf(err, err_len, "a request must be a JSON object");
		return -EINVAL;
	}
	/* Everything but the 32 KiB argument buffer, which argv alone says how much of is used. */
	memset(r, 0, offsetof(struct al_request, argbuf));
	memset(r->argbuf + sizeof(r->argbuf), 0,
	       sizeof(*r) - offsetof(struct al_request, argbuf) - sizeof(r->argbuf));
	json_object_foreach((json_t *)j, key, v)
	{
		if (strcmp(key, "op") == 0) {
			if (!json_is_string(v) ||
			    (op = al_op_from_name(json_string_value(v))) < 0 || op == AL_OP_NONE) {
				snprintf(err, err_len, "unknown op '%.64s'",
					 json_is_string(v) ? json_string_value(v) : "?");
				return -EINVAL;
			}
			r->op = op;
		} else if (strcmp(key, "syscall") == 0) {
			int nr;

			if (!json_is_string(v) ||
			    (nr = seccomp_syscall_resolve_name(json_string_value(v))) ==
				    __NR_SCMP_ERROR) {
				snprintf(err, err_len, "unknown syscall '%.64s'",
					 json_is_string(v) ? json_string_value(v) : "?");
				return -EINVAL;
			}
			r->syscall = json_string_value(v);
			r->syscall_nr = nr;
		} else if (strcmp(key, "path") == 0) {
			if (copy_string(v, key, r->path, sizeof(r->path), err, err_len) < 0)
				return -EINVAL;
		} else if (strcmp(key, "path2") == 0) {
			if (copy_string(v, key, r->path2, sizeof(r->path2), err, err_len) < 0)
				return -EINVAL;
		} else if (strcmp(key, "argv") == 0) {
			if (copy_argv(v, r, err, err_len) < 0)
				return -EINVAL;
		} else if (strcmp(key, "addr") == 0) {
			if (!json_is_string(v) ||
			    al_addr_parse(json_string_value(v), &r->addr, &r->addrlen) < 0) {
				snprintf(err, err_len,
					 "bad address '%.64s' (expected 1.2.3.4:443, "
					 "[::1]:80 or unix:/path)",
					 json_is_string(v) ? json_string_value(v) : "?");
				return -EINVAL;
			}
		} else if (strcmp(key, "home") == 0 || strcmp(key, "workspace") == 0) {
			if (!json_is_string(v)) {
				snprintf(err, err_len, "'%s' must be a string", key);
				return -EINVAL;
			}
			if (key[0] == 'h')
				r->home = json_string_value(v);
			else
				r->workspace = json_string_value(v);
		} else if (strcmp(key, "pid") == 0 || strcmp(key, "tgid") == 0 ||
			   strcmp(key, "uid") == 0 || strcmp(key, "flags") == 0) {
			if (!want_int(v, key, &n, err, err_len))
				return -EINVAL;
			if (key[0] == 'p')
				r->pid = (pid_t)n;
			else if (key[0] == 't')
				r->tgid = (pid_t)n;
			else if (key[0] == 'u')
				r->uid = (uid_t)n;
			else
				r->open_flags = (int)n;
		} else if (strcmp(key, "args") == 0) {
			size_t i;
			const json_t *a;

			if (!json_is_array(v) || json_array_size(v) > 6) {
				snprintf(err, err_len,
					 "'args' must be an array of at most 6 integers");
				return -EINVAL;
			}
			json_array_foreach(v, i, a)
			{
				if (!json_is_integer(a)) {
					snprintf(err, err_len,
						 "'args' must be an array of at most 6 integers");
					return -EINVAL;
				}
				r->args[i] = (uint64_t)json_integer_value(a);
			}
		} else if (strcmp(key, "argv_truncated") == 0) {
			if (!json_is_boolean(v)) {
				snprintf(err, err_len, "'argv_truncated' must be true or false");
				return -EINVAL;
			}
			r->argv_truncated = r->argv_truncated || json_is_true(v);
		} else {
			snprintf(err, err_len, "unknown field '%.64s'", key);
			return -EINVAL;
		}
	}
	if (op < 0) {
		snprintf(err, err_len, "missing 'op'");
		return -EINVAL;
	}
	return 0;
}

/* Netstring fields ("<len>:<bytes>,"): unambiguous whatever bytes a path or an argument
 * holds, which a JSON or separator-based form would not be for non-UTF-8 names. */
static bool key_put(char *buf, size_t len, size_t *pos, const char *s, size_t n)
{
	int w = snprintf(buf + *pos, len - *pos, "%zu:", n);

	if (w < 0 || (size_t)w >= len - *pos || len - *pos - (size_t)w < n + 2)
		return false;
	*pos += (size_t)w;
	memcpy(buf + *pos, s, n);
	*pos += n;
	buf[(*pos)++] = ',';
	buf[*pos] = '\0';
	return true;
}

int al_request_key(const struct al_request *r, char *buf, size_t len)
{
	const char *op = al_op_name(r->op);
	char tmp[128];
	size_t pos = 0;
	bool ok;

	if (r->op == AL_OP_EXEC && r->argv_truncated)
		return -E2BIG; /* the tail that was cut off is not in the key: no scope covers it */
	if (len == 0)
		return -ENOSPC;
	buf[0] = '\0';
	ok = key_put(buf, len, &pos, op, strlen(op));
	if (op_has_path(r->op)) {
		ok = ok && key_put(buf, len, &pos, r->path, strnlen(r->path, PATH_MAX));
		if (r->path2[0])
			ok = ok && key_put(buf, len, &pos, r->path2, strnlen(r->path2, PATH_MAX));
	}
	if (r->op == AL_OP_EXEC) {
		/* argv[0] is not matched by policy: the executable path stands for it. */
		for (int i = 1; ok && i < r->argc && r->argv[i]; i++)
			ok = key_put(buf, len, &pos, r->argv[i], strlen(r->argv[i]));
	} else if (r->op == AL_OP_CONNECT) {
		if (al_addr_format(&r->addr, r->addrlen, tmp, sizeof(tmp)) < 0)
			snprintf(tmp, sizeof(tmp), "family:%u", r->addr.ss_family);
		ok = ok && key_put(buf, len, &pos, tmp, strlen(tmp));
	} else if (!op_has_path(r->op)) {
		const char *sc = r->syscall ? r->syscall : "";

		ok = ok && key_put(buf, len, &pos, sc, strlen(sc));
		for (int i = 0; ok && i < 6; i++) {
			snprintf(tmp, sizeof(tmp), "%#llx", (unsigned long long)r->args[i]);
			ok = key_put(buf, len, &pos, tmp, strlen(tmp));
		}
	}
	if (!ok) {
		buf[0] = '\0'; /* never a partial key that could equal another action's */
		return -ENOSPC;
	}
	return 0;
}
