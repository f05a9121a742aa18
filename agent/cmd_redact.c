// SPDX-License-Identifier: Apache-2.0
/*
 * airlock redact: the redaction engine as a filter.  Reads stdin (or the files named, one
 * after another as one stream) in 64 KiB pieces through one redaction stream and writes the
 * masked bytes to stdout, or with --json the findings as JSON lines.  Memory stays bounded
 * whatever the input size.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "policy.h"
#include "redact.h"
#include "redact_policy.h"

#define READ_SIZE (64 * 1024)

static void usage(FILE *f)
{
	fprintf(f,
		"usage: airlock redact [--json] [--policy FILE] [--list-rules] [FILE...]\n"
		"\n"
		"Mask secrets and personal data: copy FILEs (default: standard input) to standard\n"
		"output with every secret's bytes replaced by '[kind]***', keeping the length of\n"
		"the data.  The input is streamed: any size works in bounded memory.\n"
		"\n"
		"options:\n"
		"  --json           print the findings as JSON lines instead of the masked data:\n"
		"                   {\"offset\":N,\"length\":N,\"kind\":\"...\",\"rule\":\"...\"}, "
		"offsets in\n"
		"                   bytes from the start of the input (FILEs count as one input)\n"
		"  --policy FILE    also apply the 'redact:' section of this policy file: custom\n"
		"                   rules, disabled kinds; 'enabled: false' passes data unchanged\n"
		"  --list-rules     print every rule: name, kind, confidence and an example\n"
		"  -h, --help       this help\n"
		"\n"
		"exit status: 0 done (whether or not anything was found), 1 error, 2 usage "
		"error\n");
}

struct run {
	bool json;
	int err; /* errno of a failed write */
};

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int out_stdout(const void *buf, size_t len, void *ctx)
{
	struct run *r = ctx;
	int e;

	if (r->json)
		return 0;
	e = write_all(STDOUT_FILENO, buf, len);
	if (e < 0) {
		r->err = -e;
		return 1;
	}
	return 0;
}

static int on_finding(const struct redact_finding *f, void *ctx)
{
	struct run *r = ctx;
	char line[512];
	json_t *o;
	char *s;
	int e, n;

	o = json_pack("{s:I,s:I,s:s,s:s,s:f}", "offset", (json_int_t)f->offset, "length",
		      (json_int_t)f->length, "kind", f->kind, "rule", f->rule, "confidence",
		      (double)((int)(f->confidence * 100 + 0.5)) / 100.0);
	if (!o) {
		r->err = ENOMEM;
		return 1;
	}
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(3));
	json_decref(o);
	if (!s) {
		r->err = ENOMEM;
		return 1;
	}
	n = snprintf(line, sizeof(line), "%s\n", s);
	free(s);
	e = write_all(STDOUT_FILENO, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	if (e < 0) {
		r->err = -e;
		return 1;
	}
	return 0;
}

static int list_rules(const struct redact_engine *e)
{
	const struct redact_rule_info *info;
	size_t n = redact_rules(e, &info), i;

	printf("%-28s %-24s %-5s %s\n", "RULE", "KIND", "CONF", "EXAMPLE");
	for (i = 0; i < n; i++)
		printf("%-28s %-24s %-5.2f %s\n", info[i].name, info[i].kind,
		       (double)info[i].confidence,
		       info[i].example ? info[i].example : "(custom rule)");
	return 0;
}

static int load_policy(const char *path, struct policy **ret_pol,
		       const struct redact_policy **ret_rp)
{
	struct policy_diags *d = calloc(1, sizeof(*d));
	struct policy *p = NULL;
	unsigned i;
	int r;

	if (!d)
		return -ENOMEM;
	r = policy_load_file(path, &p, d);
	for (i = 0; i < d->count; i++) {
		char buf[1024];

		policy_diag_format(&d->diag[i], buf, sizeof(buf));
		fprintf(stderr, "airlock redact: %s\n", buf);
	}
	free(d);
	if (r < 0) {
		if (r != -EINVAL)
			fprintf(stderr, "airlock redact: cannot load policy '%s': %s\n", path,
				strerror(-r));
		return r;
	}
	*ret_pol = p;
	*ret_rp = policy_redact(p);
	return 0;
}

static int redact_fd(struct redact_stream *s, int fd, struct run *run, char *buf)
{
	for (;;) {
		ssize_t n = read(fd, buf, READ_SIZE);
		int r;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return 0;
		r = redact_stream_feed(s, buf, (size_t)n, out_stdout, run);
		if (r)
			return r < 0 ? r : -run->err;
	}
}

int cmd_redact(const struct cli_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "policy", required_argument, NULL, 'p' },
		{ "list-rules", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *policy_path = NULL;
	const struct redact_policy *rp = NULL;
	struct policy *pol = NULL;
	struct redact_engine *e = NULL;
	struct redact_stream *s = NULL;
	struct policy_diags *diags = NULL;
	struct run run = { 0 };
	bool list = false, passthrough = false;
	char *buf = NULL;
	int opt, r, ret = 1, i;

	(void)g;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			run.json = true;
			break;
		case 'p':
			policy_path = optarg;
			break;
		case 'l':
			list = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (policy_path && load_policy(policy_path, &pol, &rp) < 0)
		goto out;
	passthrough = rp && !redact_policy_enabled(rp);
	diags = calloc(1, sizeof(*diags));
	if (!diags)
		goto out;
	r = redact_engine_new(rp, &e, diags);
	for (i = 0; i < (int)diags->count; i++) {
		char line[1024];

		policy_diag_format(&diags->diag[i], line, sizeof(line));
		fprintf(stderr, "airlock redact: %s\n", line);
	}
	if (r < 0) {
		fprintf(stderr, "airlock redact: cannot build the redaction engine: %s\n",
			strerror(-r));
		goto out;
	}
	if (list) {
		ret = list_rules(e);
		goto out;
	}
	buf = malloc(READ_SIZE);
	r = buf ? redact_stream_new(e, 0, run.json ? on_finding : NULL, &run, &s) : -ENOMEM;
	if (r < 0) {
		fprintf(stderr, "airlock redact: %s\n", strerror(-r));
		goto out;
	}
	for (i = optind; i < argc || (i == optind && optind == argc); i++) {
		const char *path = i < argc ? argv[i] : "-";
		int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			fprintf(stderr, "airlock redact: cannot open '%s': %s\n", path,
				strerror(errno));
			goto out;
		}
		if (passthrough) {
			/* enabled: false -- the data passes as is, nothing is reported */
			ssize_t n;

			r = 0;
			while ((n = read(fd, buf, READ_SIZE)) > 0 && r == 0)
				r = run.json ? 0 : write_all(STDOUT_FILENO, buf, (size_t)n);
			if (n < 0)
				r = -errno;
		} else {
			r = redact_fd(s, fd, &run, buf);
		}
		if (fd != STDIN_FILENO)
			close(fd);
		if (r < 0) {
			fprintf(stderr, "airlock redact: '%s': %s\n", path, strerror(-r));
			goto out;
		}
		if (i >= argc)
			break;
	}
	if (!passthrough) {
		r = redact_stream_flush(s, out_stdout, &run);
		if (r) {
			fprintf(stderr, "airlock redact: writing: %s\n",
				strerror(run.err ? run.err : -r));
			goto out;
		}
	}
	ret = 0;
out:
	free(buf);
	free(diags);
	redact_stream_free(s);
	redact_engine_free(e);
	policy_free(pol);
	return ret;
}
