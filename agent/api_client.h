/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Client side of the API socket (DIR/api.sock): newline-delimited JSON, one request
 * object per line, one response object per line ({"ok":true,...} or
 * {"ok":false,"error":"message","errno":"EINVAL"}).  See docs/api.md.
 */
#ifndef AIRLOCK_API_CLIENT_H
#define AIRLOCK_API_CLIENT_H

#include <jansson.h>
#include <stddef.h>

/* The runtime directory: --runtime-dir, else $AIRLOCK_RUNTIME_DIR, else /run/airlock. */
const char *runtime_dir_resolve(const char *from_option);

/* Connect to DIR/api.sock.  Returns a SOCK_CLOEXEC fd or -errno. */
int api_connect(const char *runtime_dir);

/* Send one request object (not consumed).  0 or -errno. */
int api_send(int fd, const json_t *req);

/* Read one line and parse it.  0 with *ret (a new reference), -EPROTO on bad JSON,
 * -ECONNRESET on EOF, other -errno.  Lines longer than max_len are -EMSGSIZE. */
int api_recv(int fd, json_t **ret, size_t max_len);

/* api_send + api_recv; a response with "ok": false becomes -EREMOTEIO with the message
 * copied to err (when err is not NULL). */
int api_call(int fd, const json_t *req, json_t **ret, char *err, size_t err_len);

#endif
