/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The server side of the API socket (docs/api.md): newline-delimited JSON over a
 * SOCK_STREAM Unix socket, non-blocking, served from airlockd's one loop.  Every request
 * is checked against a table of operations with their permission flags, re-evaluated per
 * request from SO_PEERCRED and the peer's cgroup.
 */
#ifndef AIRLOCK_API_H
#define AIRLOCK_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "api_linebuf.h"
#include "airlockd.h"

/* {"ok":false,"error":<message>,"errno":"E..."}; err > 0. */
json_t *api_error(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct api_server;
struct api_conn;

/* Bind DIR/api.sock (mode 0666: authorization is per request), refusing to replace a
 * socket another daemon still answers on, and register it with the loop. */
int api_server_open(struct airlockd *d, struct api_server **ret);
void api_server_close(struct airlockd *d, struct api_server *srv);

void api_accept(struct airlockd *d);
void api_conn_event(struct airlockd *d, struct api_conn *c, uint32_t events);

/* Send an event line to every watcher allowed to see sessions of owner_uid. */
void api_broadcast(struct airlockd *d, uid_t owner_uid, json_t *event);

/* Close connections that failed while something else was being served. */
void api_reap(struct airlockd *d);

#endif
