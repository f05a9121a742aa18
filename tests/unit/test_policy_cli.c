// SPDX-License-Identifier: Apache-2.0
/*
 * `airlock policy check|show|test`: cmd_policy() run in the test process with its stdout
 * and stderr captured in memfds, on real files.  Also: what `show FILE` prints loads back
 * into a policy that decides the same.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "policy.h"
#include "request.h"
#include "tmpdir.h"

static char tmpdir[64];
static char out[65536], err[65536];

static void setup(void)
{
	cr_assert_eq(test_tmpdir_make("test_policy_cli.", tmpdir, sizeof(tmpdir)), 0);
}

static void teardown(void)
{
	int r = test_tmpdir_remove(tmpdir);

	if (r < 0)
		cr_log_warn("could not remove %s: %s", tmpdir, strerror(-r));
}

TestSuite(policy_cli, .init = setup, .fini = teardown);

static const char *put_file(const char *name, const char *text)
{
	static char path[8][128];
	static int next;
	char *p = path[next++ % 8];
	FILE *f;

	snprintf(p, 128, "%s/%s", tmpdir, name);
	f = fopen(p, "we");
	cr_assert_not_null(f);
	cr_assert_eq(fputs(text, f) >= 0, true);
	fclose(f);
	return p;
}

static void slurp(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);

	cr_assert_geq(n, 0);
	buf[n] = '\0';
}

/* Run `airlock policy ARGS...` in this process; stdout and stderr land in out and err. */
static int run(const char *first, ...)
{
	const char *argv[16] = { "policy", first };
	struct cli_global g = { .runtime_dir = "/nonexistent" };
	int argc = 2, o, e, saved_out, saved_err, rc;
	va_list ap;

	va_start(ap, first);
	while (argc < 15 && (argv[argc] = va_arg(ap, const char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;

	o = memfd_create("out", MFD_CLOEXEC);
	e = memfd_create("err", MFD_CLOEXEC);
	cr_assert(o >= 0 && e >= 0);
	fflush(stdout);
	fflush(stderr);
	saved_out = dup(1);
	saved_err = dup(2);
	dup2(o, 1);
	dup2(e, 2);
	rc = cmd_policy(&g, argc, (char **)argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	slurp(o, out, sizeof(out));
	slurp(e, err, sizeof(err));
	close(o);
	close(e);
	return rc;
}

static const char good[] =
	"version: 1\n"
	"defaults: { ask_timeout: 90s, on_timeout: allow, errno: EACCES }\n"
	"rules:\n"
	"  - name: escalation\n"
	"    match: { exec: [sudo, /usr/bin/pkexec] }\n"
	"    action: ask\n"
	"    timeout: 1500ms\n"
	"    reviewers: [\"it's me\"]\n"
	"  - name: hooks\n"
	"    match: { write: ['**/.git/hooks/*'] }\n"
	"    except: { write: ['**/.git/hooks/*.sample'] }\n"
	"    action: deny\n"
	"    errno: EROFS\n"
	"  - name: net\n"
	"    match: { connect: ['[::1]/128:8080', 10.0.0.0/8, 'unix:@/tmp/x*'] }\n"
	"    action: audit\n"
	"  - name: kernel\n"
	"    match: { syscall: [mount, openat], op: [file-write, mount] }\n"
	"    action: deny\n";

Test(policy_cli, check_ok_and_errors)
{
	const char *a = put_file("a.yaml", good);
	const char *b = put_file("b.yaml", "version: 1\n"
					   "rules:\n"
					   "  - name: x\n"
					   "    match: { exec: [sudo] }\n"
					   "    action: alow\n");
	char want[512];

	cr_assert_eq(run("check", a, NULL), 0);
	snprintf(want, sizeof(want), "%s: ok (4 rules)\n", a);
	cr_assert_str_eq(out, want);
	cr_assert_str_eq(err, "");

	cr_assert_eq(run("check", a, b, NULL), 1, "one bad file fails the check");
	cr_assert_str_eq(out, want);
	snprintf(want, sizeof(want),
		 "%s:5:13: error: unknown action 'alow' (expected allow, deny, ask, audit)\n", b);
	cr_assert_str_eq(err, want);

	cr_assert_eq(run("check", "/nonexistent.yaml", NULL), 1);
	cr_assert(strstr(err, "/nonexistent.yaml: error: cannot read"), "%s", err);
	cr_assert_eq(run("check", NULL), 2);
	cr_assert_eq(run("check", "--help", NULL), 0);
	cr_assert(strstr(out, "usage: airlock policy check FILE..."));
	cr_assert_eq(run("frob", NULL), 2);
	cr_assert_eq(run("--help", NULL), 0);
}

Test(policy_cli, show_default_is_the_embedded_text)
{
	size_t len;
	const char *text = policy_default_text(&len);

	cr_assert_eq(run("show", "--default", NULL), 0);
	cr_assert_eq(strlen(out), len);
	cr_assert_eq(memcmp(out, text, len), 0);
	cr_assert_eq(run("show", NULL), 0);
	cr_assert_eq(strlen(out), len);
	cr_assert_eq(run("show", "--default", "x.yaml", NULL), 2);
	cr_assert_eq(run("show", "--help", NULL), 0);
}

static void decide_same(const struct policy *a, const struct policy *b, struct al_request *r)
{
	struct al_decision da, db;

	policy_decide(a, r, &da);
	policy_decide(b, r, &db);
	cr_assert_eq(da.action, db.action, "%s %s", al_op_name(r->op), r->path);
	cr_assert_eq(da.error, db.error);
	cr_assert_eq(da.timeout_ms, db.timeout_ms);
	cr_assert_eq(da.on_timeout, db.on_timeout);
	cr_assert_eq(da.rule_index, db.rule_index);
}

static void round_trip(const char *name, const char *text)
{
	const char *path = put_file(name, text);
	struct policy *a = NULL, *b = NULL;
	struct al_request *r = calloc(1, sizeof(*r));
	static const char *const addrs[] = {
		"[::1]:8080",  "[::1]:8081", "10.2.3.4:1", "unix:@/tmp/xy", "unix:/run/docker.sock",
		"8.8.8.8:443", "8.8.8.8:53"
	};
	static const char *const paths[] = { "/home/u/p/.git/hooks/pre-commit",
					     "/home/u/p/.git/hooks/a.sample",
					     "/etc/hosts",
					     "/home/u/.ssh/id_rsa",
					     "/home/u/p/.env",
					     "/tmp/x" };

	cr_assert_eq(run("show", path, NULL), 0, "%s", err);
	cr_assert_eq(policy_load_buffer(text, strlen(text), "a", &a, NULL), 0);
	cr_assert_eq(policy_load_buffer(out, strlen(out), "b", &b, NULL), 0,
		     "show output does not load back:\n%s", out);
	cr_assert_eq(policy_rule_count(a), policy_rule_count(b));
	cr_assert_eq(policy_ops_needed(a), policy_ops_needed(b));
	cr_assert_eq(policy_ask_timeout_ms(a), policy_ask_timeout_ms(b));

	r->home = "/home/u";
	r->workspace = "/home/u/p";
	r->op = AL_OP_EXEC;
	strcpy(r->path, "/usr/bin/sudo");
	decide_same(a, b, r);
	strcpy(r->path, "/usr/bin/pkexec");
	decide_same(a, b, r);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		for (int op = AL_OP_WRITE; op <= AL_OP_CHOWN; op++) {
			r->op = op;
			strcpy(r->path, paths[i]);
			decide_same(a, b, r);
		}
	}
	r->path[0] = '\0';
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		r->op = AL_OP_CONNECT;
		cr_assert_eq(al_addr_parse(addrs[i], &r->addr, &r->addrlen), 0);
		decide_same(a, b, r);
	}
	memset(&r->addr, 0, sizeof(r->addr));
	r->addrlen = 0;
	for (int op = AL_OP_PRIVILEGE; op < AL_OP__MAX; op++) {
		r->op = op;
		r->syscall = "openat";
		decide_same(a, b, r);
	}
	policy_free(a);
	policy_free(b);
	free(r);
}

Test(policy_cli, show_file_loads_back_the_same)
{
	round_trip("good.yaml", good);
	cr_assert(strstr(out, "  ask_timeout: 90s\n"), "%s", out);
	cr_assert(strstr(out, "    timeout: 1500ms\n"), "%s", out);
	cr_assert(strstr(out, "    errno: EROFS\n"), "%s", out);
	cr_assert(strstr(out, "    reviewers: ['it''s me']\n"), "%s", out);
	cr_assert(strstr(out, "      op: [write, mount]\n"), "%s", out);
	cr_assert(strstr(out, "# the gate notifies: exec, write, delete, connect, mount; syscalls "
			      "openat\n"),
		  "%s", out);
	round_trip("default.yaml", policy_default_text(NULL));
}

Test(policy_cli, show_bad_file_fails)
{
	const char *b = put_file("b.yaml", "version: 2\n");

	cr_assert_eq(run("show", b, NULL), 1);
	cr_assert(strstr(err, ":1:10: error: unsupported version '2' (expected 1)"), "%s", err);
	cr_assert_str_eq(out, "");
}

Test(policy_cli, test_replays_events)
{
	const char *pol = put_file("p.yaml", good);
	const char *ev = put_file(
		"ev.jsonl",
		"# a comment, then a blank line\n"
		"\n"
		"{\"op\":\"exec\",\"path\":\"/usr/bin/sudo\",\"argv\":[\"sudo\",\"ls\"],"
		"\"expect\":\"ask\"}\n"
		"{\"op\":\"write\",\"path\":\"/w/.git/hooks/post-merge\",\"expect\":\"deny\"}\n"
		"{\"op\":\"connect\",\"addr\":\"10.1.2.3:443\"}\n"
		"{\"op\":\"delete\",\"path\":\"/tmp/a\",\"path2\":\"/x/.git/hooks/pre-push\"}\n"
		"{\"op\":\"mount\",\"syscall\":\"fsopen\",\"expect\":\"deny\"}\n");

	cr_assert_eq(run("test", pol, ev, NULL), 0, "%s", err);
	cr_assert_str_eq(out, "3: exec /usr/bin/sudo ls -> ask (rule 'escalation')\n"
			      "4: write /w/.git/hooks/post-merge -> deny (rule 'hooks') EROFS\n"
			      "5: connect 10.1.2.3:443 -> audit (rule 'net')\n"
			      "6: delete /tmp/a -> /x/.git/hooks/pre-push -> deny (rule 'hooks') "
			      "EROFS\n"
			      "7: mount (fsopen) -> deny (rule 'kernel') EACCES\n");
	cr_assert_str_eq(err, "");
}

Test(policy_cli, test_reports_bad_lines_and_misses)
{
	const char *pol = put_file("p.yaml", good);
	const char *ev =
		put_file("ev.jsonl", "{\"op\":\"exec\",\"path\":\"/bin/ls\"}\n"
				     "{\"op\":\"exec\",\n"
				     "{\"op\":\"connect\",\"addr\":\"nowhere\"}\n"
				     "{\"op\":\"write\",\"path\":\"/etc/x\",\"expect\":\"ask\"}\n"
				     "{\"op\":\"write\",\"expect\":\"maybe\"}\n");

	cr_assert_eq(run("test", pol, ev, NULL), 1);
	cr_assert(strstr(out, "1: exec /bin/ls -> allow (no rule)\n"), "%s", out);
	cr_assert(strstr(out, "4: write /etc/x -> allow (no rule)  FAIL: expected ask\n"), "%s",
		  out);
	cr_assert(strstr(err, "ev.jsonl:2: error: bad JSON"), "%s", err);
	cr_assert(strstr(err, "ev.jsonl:3: error: bad address 'nowhere'"), "%s", err);
	cr_assert(strstr(err, "ev.jsonl:5: error: 'expect' must be allow, deny, ask or audit"),
		  "%s", err);
	cr_assert(strstr(err, "ev.jsonl: 4 of 5 requests failed\n"), "%s", err);
}

Test(policy_cli, test_with_default_and_home)
{
	const char *ev =
		put_file("ev.jsonl",
			 "{\"op\":\"read\",\"path\":\"/h/.aws/credentials\",\"expect\":\"ask\"}\n"
			 "{\"op\":\"read\",\"path\":\"/h/.aws/credentials\",\"home\":\"/o\","
			 "\"expect\":\"allow\"}\n"
			 "{\"op\":\"write\",\"path\":\"/ws/src/x.c\",\"expect\":\"allow\"}\n");

	cr_assert_eq(run("test", "--home", "/h", "--workspace", "/ws", "--default", ev, NULL), 0,
		     "%s%s", out, err);
	cr_assert_eq(run("test", "--default", NULL), 2);
	cr_assert_eq(run("test", "--help", NULL), 0);
	cr_assert(strstr(out, "usage: airlock policy test"));
}

/* A home behind a symlink: a replayed request carries the resolved path, as the gate
 * reports it, and '~' must still match it. */
Test(policy_cli, test_resolves_a_home_behind_a_symlink)
{
	char real[160], link[160], home[160], line[1024];
	const char *ev;

	snprintf(real, sizeof(real), "%s/var", tmpdir);
	cr_assert_eq(mkdir(real, 0755), 0);
	snprintf(real, sizeof(real), "%s/var/home", tmpdir);
	cr_assert_eq(mkdir(real, 0755), 0);
	snprintf(real, sizeof(real), "%s/var/home/u", tmpdir);
	cr_assert_eq(mkdir(real, 0755), 0);
	snprintf(link, sizeof(link), "%s/home", tmpdir);
	cr_assert_eq(symlink("var/home", link), 0);
	snprintf(home, sizeof(home), "%s/home/u", tmpdir);
	snprintf(line, sizeof(line),
		 "{\"op\":\"write\",\"path\":\"%s/.bashrc\",\"expect\":\"ask\"}\n"
		 "{\"op\":\"delete\",\"path\":\"%s/.config\",\"path2\":\"%s/c\","
		 "\"expect\":\"ask\"}\n",
		 real, real, real);
	ev = put_file("ev.jsonl", line);
	cr_assert_eq(run("test", "--home", home, "--workspace", "/ws", "--default", ev, NULL), 0,
		     "%s%s", out, err);
	cr_assert(strstr(out, "-> ask (rule 'persistence')"), "%s", out);
}
