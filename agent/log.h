/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One logging layer for the daemon and the CLI.  Modules do not log; their callers log
 * once.  Messages start lowercase, quote what the user wrote in single quotes, and say
 * ", ignoring" when an error is not fatal.
 */
#ifndef AIRLOCK_LOG_H
#define AIRLOCK_LOG_H

#include <stdarg.h>

enum log_level { LOG_LVL_ERROR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
void log_set_json(int on);	       /* JSON lines on stderr (the daemon under systemd) */
void log_set_ident(const char *ident); /* "airlockd", "airlock" */
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
