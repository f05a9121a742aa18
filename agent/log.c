// SPDX-License-Identifier: Apache-2.0
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static enum log_level log_level = LOG_LVL_INFO;
static int log_json;
static const char *log_ident = "airlock";

static const char *const level_names[] = { "error", "warning", "info", "debug" };

void log_set_level(enum log_level lvl)
{
	log_level = lvl;
}

enum log_level log_get_level(void)
{
	return log_level;
}

void log_set_json(int on)
{
	log_json = on;
}

void log_set_ident(const char *ident)
{
	log_ident = ident;
}

static void json_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	if (lvl > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);

	if (log_json) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		fprintf(stderr, "{\"ts\":%lld.%03ld,\"level\":\"%s\",\"ident\":\"%s\",\"msg\":\"",
			(long long)ts.tv_sec, ts.tv_nsec / 1000000, level_names[lvl], log_ident);
		json_escape(stderr, buf);
		fputs("\"}\n", stderr);
	} else if (lvl == LOG_LVL_INFO) {
		fprintf(stderr, "%s: %s\n", log_ident, buf);
	} else {
		fprintf(stderr, "%s: %s: %s\n", log_ident, level_names[lvl], buf);
	}
}
