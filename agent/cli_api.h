/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the decision commands (status, pending, approve, deny, watch) share: one request to
 * airlockd with its errors printed the way the CLI prints them, and text formatting of
 * the API's objects.
 */
#ifndef AIRLOCK_CLI_API_H
#define AIRLOCK_CLI_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"

/* Connect to airlockd (*ret_fd, when not NULL, keeps the connection open for more lines),
 * send req and read the response.  0 with *ret set; 1 after printing the error
 * ("airlock CMD: message", or "airlock: permission denied: ..."). */
int cli_request(const struct cli_global *g, const char *cmd, const json_t *req, json_t **ret,
		int *ret_fd);

/* "5s", "3m12s", "2h05m", "3d" */
void cli_format_duration(uint64_t ms, char *buf, size_t len);

/* What a request is about, on one line: the command line of an exec, the path(s) of a
 * file operation, the address of a connect, the syscall otherwise. */
void cli_format_what(const json_t *req, char *buf, size_t len);

/* The options of a command that takes only --json and --help.  Returns -1 when the command
 * goes on (*ret_json set), else the exit status to return (0 after --help, 2 on a usage
 * error, already reported). */
int cli_parse_json_only(int argc, char **argv, const char *cmd, void (*usage)(FILE *f),
			bool *ret_json);

/* One JSON value per line on f (for --json). */
void cli_print_json(FILE *f, const json_t *j);

#endif
