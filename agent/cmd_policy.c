// SPDX-License-Identifier: Apache-2.0
/*
 * airlock policy check|show|test: lint a policy, print it, replay sample requests against
 * it.  Runs entirely in the CLI: no daemon is needed, so a policy can be checked in CI
 * before it is deployed.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "policy.h"
#include "request.h"

static void usage_policy(FILE *f)
{
	fputs("usage: airlock policy check FILE...\n"
	      "       airlock policy show [--default | FILE]\n"
	      "       airlock policy test [OPTIONS] (--default | FILE) EVENTS\n"
	      "\n"
	      "Check, show and test airlock policy files (see docs/policy.md).  These commands\n"
	      "read files only; they do not talk to airlockd.\n"
	      "\n"
	      "  check   report every problem in each FILE as FILE:LINE:COLUMN: error: MESSAGE\n"
	      "          (or warning:), then 'FILE: ok (N rules)' for each file that loads.\n"
	      "          Exit status 1 when any file has an error.\n"
	      "  show    print the embedded default policy (--default, or no argument) as\n"
	      "          shipped, or FILE as airlock understood it: normalized YAML that loads\n"
	      "          back into the same policy, with what the gate will notify for it.\n"
	      "  test    decide each request of EVENTS (JSON lines) with FILE and print the\n"
	      "          decision and the rule.  See 'airlock policy test --help'.\n"
	      "\n"
	      "Run 'airlock policy COMMAND --help' for a command's options.\n",
	      f);
}

static void usage_check(FILE *f)
{
	fputs("usage: airlock policy check FILE...\n"
	      "\n"
	      "Load each policy FILE as airlockd would and print every diagnostic, one per line,\n"
	      "on standard error:\n"
	      "\n"
	      "    p.yaml:5:13: error: unknown action 'alow' (expected allow, deny, ask, audit)\n"
	      "\n"
	      "A file that loads prints 'FILE: ok (N rules)' on standard output; warnings do not\n"
	      "stop it from loading.  Exit status: 0 when every file loads, 1 otherwise, 2 on a\n"
	      "usage error.\n",
	      f);
}

static void usage_show(FILE *f)
{
	fputs("usage: airlock policy show [--default | FILE]\n"
	      "\n"
	      "With --default or no argument, print the policy embedded in airlock, the one\n"
	      "airlockd uses when started without --policy, exactly as shipped (a starting point\n"
	      "for your own).  With FILE, print that policy as airlock understood it: normalized\n"
	      "YAML (durations, errno names, one list per key) that loads back into the same\n"
	      "policy, with a comment saying which operation classes the gate will notify.\n"
	      "Exit status 1 when FILE does not load (its errors are printed as by 'check').\n",
	      f);
}

static void usage_test(FILE *f)
{
	fputs("usage: airlock policy test [--home DIR] [--workspace DIR] FILE EVENTS\n"
	      "       airlock policy test [--home DIR] [--workspace DIR] --default EVENTS\n"
	      "\n"
	      "Decide each request in EVENTS (a file of JSON lines, '-' for standard input)\n"
	      "with the policy FILE (or the embedded default) and print, for each line:\n"
	      "\n"
	      "    LINE: OP SUBJECT -> DECISION (rule 'NAME')\n"
	      "\n"
	      "A request is one JSON object per line; blank lines and lines starting with '#'\n"
	      "are skipped:\n"
	      "\n"
	      "    {\"op\":\"exec\",\"path\":\"/usr/bin/sudo\",\"argv\":[\"sudo\",\"ls\"]}\n"
	      "    {\"op\":\"write\",\"path\":\"/etc/hosts\",\"expect\":\"ask\"}\n"
	      "    {\"op\":\"connect\",\"addr\":\"10.1.2.3:443\"}\n"
	      "    {\"op\":\"connect\",\"addr\":\"unix:/run/docker.sock\"}\n"
	      "    {\"op\":\"delete\",\"path\":\"/tmp/a\",\"path2\":\"/etc/b\"}   (a rename)\n"
	      "    {\"op\":\"mount\",\"syscall\":\"fsopen\"}\n"
	      "\n"
	      "Fields: op (exec, write, read, delete, chmod, chown, connect, privilege, mount,\n"
	      "module, ptrace, bpf, kexec, reboot, signal, other), syscall, path, path2\n"
	      "(absolute and normalized, as the gate reports them), argv, addr (1.2.3.4:443,\n"
	      "[::1]:80, unix:/path, unix:@abstract), args (up to 6 register values), flags,\n"
	      "pid, tgid, uid, home and workspace (what '~' and relative globs mean), and\n"
	      "expect: the decision the line must get (allow, deny, ask, audit).  The request\n"
	      "objects that airlockd shows are in this form, so recorded requests can be\n"
	      "replayed.\n"
	      "\n"
	      "options:\n"
	      "  --home DIR        '~' for lines without \"home\" (default: $HOME); a home\n"
	      "                    behind a symlink also matches where it resolves\n"
	      "  --workspace DIR   the workspace for lines without \"workspace\" (default: the\n"
	      "                    current directory)\n"
	      "  --default         use the embedded default policy instead of FILE\n"
	      "\n"
	      "Exit status: 0 when every line was decided and met its expect, 1 when a line is\n"
	      "malformed (reported with its line number) or got another decision than expected,\n"
	      "2 on a usage error.\n",
	      f);
}

static void print_diags(const struct policy_diags *d)
{
	char line[1024];

	for (unsigned i = 0; i < d->count; i++) {
		policy_diag_format(&d->diag[i], line, sizeof(line));
		fprintf(stderr, "%s\n", line);
	}
}

/* Load path (or the default when path is NULL), printing diagnostics.  0 or 1. */
static int load_policy(const char *path, struct policy **ret, bool quiet_ok)
{
	struct policy_diags *d = calloc(1, sizeof(*d));
	int r;

	if (!d) {
		fprintf(stderr, "airlock policy: out of memory\n");
		return 1;
	}
	if (path)
		r = policy_load_file(path, ret, d);
	else
		r = policy_load_default(ret);
	print_diags(d);
	free(d);
	if (r == -EINVAL)
		return 1;
	if (r == -EFBIG) {
		fprintf(stderr, "%s: error: larger than the 1 MiB a policy may be\n", path);
		return 1;
	}
	if (r < 0) {
		fprintf(stderr, "%s: error: cannot read: %s\n", path ? path : "<default>",
			strerror(-r));
		return 1;
	}
	if (!quiet_ok)
		printf("%s: ok (%zu rule%s)\n", policy_source(*ret), policy_rule_count(*ret),
		       policy_rule_count(*ret) == 1 ? "" : "s");
	return 0;
}

static bool wants_help(int argc, char **argv, void (*usage)(FILE *), int *ret)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			*ret = 0;
		} else {
			usage(stderr);
			*ret = 2;
		}
		return true;
	}
	return false;
}

static int policy_check(int argc, char **argv)
{
	int ret = 0;

	if (wants_help(argc, argv, usage_check, &ret))
		return ret;
	if (optind >= argc) {
		usage_check(stderr);
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		struct policy *p = NULL;

		if (load_policy(argv[i], &p, false) != 0)
			ret = 1;
		policy_free(p);
	}
	return ret;
}

static int policy_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "default", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool use_default = false;
	struct policy *p = NULL;
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			use_default = true;
			break;
		case 'h':
			usage_show(stdout);
			return 0;
		default:
			usage_show(stderr);
			return 2;
		}
	}
	if (argc - optind > 1 || (use_default && argc - optind == 1)) {
		usage_show(stderr);
		return 2;
	}
	if (optind == argc) {
		size_t len;
		const char *text = policy_default_text(&len);

		return fwrite(text, 1, len, stdout) == len ? 0 : 1;
	}
	if (load_policy(argv[optind], &p, true) != 0)
		return 1;
	policy_dump(p, stdout);
	policy_free(p);
	return 0;
}

/* What the request is about, for the one-line report. */
static void describe(const struct al_request *r, char *buf, size_t len)
{
	size_t pos = 0;

#define PUT(...)                                                                                   \
	do {                                                                                       \
		if (pos < len)                                                                     \
			pos += (size_t)snprintf(buf + pos, len - pos, __VA_ARGS__);                \
	} while (0)

	PUT("%s", al_op_name(r->op));
	if (r->syscall)
		PUT(" (%s)", r->syscall);
	if (r->path[0])
		PUT(" %s", r->path);
	if (r->path2[0])
		PUT(" -> %s", r->path2);
	for (int i = 1; i < r->argc; i++)
		PUT(" %s", r->argv[i]);
	if (r->addrlen > 0) {
		char a[128];

		if (al_addr_format(&r->addr, r->addrlen, a, sizeof(a)) == 0)
			PUT(" %s", a);
	}
#undef PUT
	if (pos >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
}

struct test_ctx {
	const struct policy *p;
	const char *events;
	const char *home;
	const char *workspace;
	struct al_request *req;
	unsigned lines, checked, failed;
};

/* One line of EVENTS.  Returns false when the line is malformed or missed its expect. */
static bool test_line(struct test_ctx *t, unsigned lineno, const char *line)
{
	char err[256], what[512], home_real[PATH_MAX];
	const char *expect = NULL;
	struct al_decision d;
	json_error_t jerr;
	json_t *j, *e;
	bool ok = false;

	j = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
	if (!j) {
		fprintf(stderr, "%s:%u: error: bad JSON: %s\n", t->events, lineno, jerr.text);
		return false;
	}
	e = json_object_get(j, "expect");
	if (e) {
		expect = json_string_value(e);
		if (!expect || (strcmp(expect, "allow") && strcmp(expect, "deny") &&
				strcmp(expect, "ask") && strcmp(expect, "audit"))) {
			fprintf(stderr,
				"%s:%u: error: 'expect' must be allow, deny, ask or audit\n",
				t->events, lineno);
			goto out;
		}
		json_incref(e); /* keep the string alive after it leaves the object */
		json_object_del(j, "expect");
	}
	if (al_request_from_json(j, t->req, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s:%u: error: %s\n", t->events, lineno, err);
		goto out;
	}
	if (!t->req->home)
		t->req->home = t->home;
	/* as airlockd does: '~' also means where the home really is */
	if (t->req->home && realpath(t->req->home, home_real) &&
	    strcmp(home_real, t->req->home) != 0)
		t->req->home_real = home_real;
	if (!t->req->workspace)
		t->req->workspace = t->workspace;
	policy_decide(t->p, t->req, &d);
	describe(t->req, what, sizeof(what));
	printf("%u: %s -> %s", lineno, what, al_action_name(d.action));
	if (d.rule)
		printf(" (rule '%s')", d.rule);
	else
		printf(" (no rule)");
	if (d.action == AL_DENY)
		printf(" %s", strerrorname_np(d.error) ? strerrorname_np(d.error) : "");
	if (expect && strcmp(expect, al_action_name(d.action)) != 0) {
		printf("  FAIL: expected %s\n", expect);
		goto out;
	}
	putchar('\n');
	ok = true;
out:
	if (e)
		json_decref(e);
	json_decref(j);
	return ok;
}

static int policy_test(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "workspace", required_argument, NULL, 'w' },
		{ "default", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct test_ctx t = { 0 };
	struct policy *p = NULL;
	char cwd[PATH_MAX];
	bool use_default = false;
	char *line = NULL;
	size_t cap = 0;
	FILE *f = NULL;
	int opt, ret = 1;

	optind = 0;
	t.home = getenv("HOME");
	while ((opt = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (opt) {
		case 'H':
			t.home = optarg;
			break;
		case 'w':
			t.workspace = optarg;
			break;
		case 'd':
			use_default = true;
			break;
		case 'h':
			usage_test(stdout);
			return 0;
		default:
			usage_test(stderr);
			return 2;
		}
	}
	if (argc - optind != (use_default ? 1 : 2)) {
		usage_test(stderr);
		return 2;
	}
	if (!t.workspace && getcwd(cwd, sizeof(cwd)))
		t.workspace = cwd;
	t.events = argv[argc - 1];
	if (load_policy(use_default ? NULL : argv[optind], &p, true) != 0)
		return 1;
	t.p = p;
	t.req = malloc(sizeof(*t.req));
	if (!t.req) {
		fprintf(stderr, "airlock policy test: out of memory\n");
		goto out;
	}
	f = strcmp(t.events, "-") == 0 ? stdin : fopen(t.events, "re");
	if (!f) {
		fprintf(stderr, "%s: error: cannot read: %s\n", t.events, strerror(errno));
		goto out;
	}
	for (;;) {
		ssize_t n = getline(&line, &cap, f);
		const char *s;

		if (n < 0)
			break;
		t.lines++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		for (s = line; *s == ' ' || *s == '\t'; s++)
			;
		if (!*s || *s == '#')
			continue;
		t.checked++;
		if (!test_line(&t, t.lines, s))
			t.failed++;
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: error: read failed: %s\n", t.events, strerror(errno));
		goto out;
	}
	fflush(stdout);
	if (t.failed)
		fprintf(stderr, "%s: %u of %u request%s failed\n", t.events, t.failed, t.checked,
			t.checked == 1 ? "" : "s");
	ret = t.failed ? 1 : 0;
out:
	if (f && f != stdin)
		fclose(f);
	free(line);
	free(t.req);
	policy_free(p);
	return ret;
}

int cmd_policy(const struct cli_global *g, int argc, char **argv)
{
	const char *sub;

	if (argc < 2) {
		usage_policy(stderr);
		return 2;
	}
	sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
		usage_policy(stdout);
		return 0;
	}
	if (strcmp(sub, "check") == 0)
		return policy_check(argc - 1, argv + 1);
	if (strcmp(sub, "show") == 0)
		return policy_show(argc - 1, argv + 1);
	if (strcmp(sub, "test") == 0)
		return policy_test(argc - 1, argv + 1);
	fprintf(stderr, "airlock policy: unknown command '%s' (expected check, show, test)\n", sub);
	return 2;
}
