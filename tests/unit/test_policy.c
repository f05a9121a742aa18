// SPDX-License-Identifier: Apache-2.0
/*
 * Policy: parsing (the issue's example as written, errors with their positions), deciding
 * (every rule of the example, first match, except, rename, addresses), what the gate must
 * notify, and the embedded default on the everyday work of a coding agent.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "policy.h"
#include "policy_internal.h"
#include "request.h"
#include "session.h"
#include "syscalls.h"

#define HOME "/home/u"
#define WS   "/home/u/proj"

static const char issue_example[] =
	"version: 1\n"
	"defaults:\n"
	"  ask_timeout: 120s     # then on_timeout applies\n"
	"  on_timeout: deny\n"
	"rules:\n"
	"  - name: escalation\n"
	"    match: { exec: [sudo, su, /usr/bin/pkexec] }   # basename or absolute path\n"
	"    action: ask\n"
	"  - name: destructive\n"
	"    match: { exec: [rm], argv: [\"-*r*\"] }           # glob on any single argument\n"
	"    action: ask\n"
	"  - name: system-files\n"
	"    match: { write: [\"/etc/**\", \"~/.ssh/**\", \"~/.bashrc\"] }   # ~ is the session "
	"user's home\n"
	"    action: ask\n"
	"  - name: credentials\n"
	"    match: { read: [\"~/.aws/credentials\", \"~/.ssh/id_*\", \"**/.env\"] }\n"
	"    action: ask\n"
	"  - name: kernel\n"
	"    match: { syscall: [init_module, finit_module, kexec_load, bpf, mount] }\n"
	"    action: deny\n"
	"  - name: egress\n"
	"    match: { connect: [\"0.0.0.0/0\", \"::/0\"] }\n"
	"    except: { connect: [\"127.0.0.0/8\", \"::1/128\"] }\n"
	"    action: ask\n";

static struct policy_diags diags;

static void print_diags(void)
{
	char line[1024];

	for (unsigned i = 0; i < diags.count; i++) {
		policy_diag_format(&diags.diag[i], line, sizeof(line));
		cr_log_info("%s", line);
	}
}

static struct policy *load(const char *yaml)
{
	struct policy *p = NULL;
	int r = policy_load_buffer(yaml, strlen(yaml), "t.yaml", &p, &diags);

	if (r)
		print_diags();
	cr_assert_eq(r, 0, "load failed: %d", r);
	cr_assert_not_null(p);
	return p;
}

/* Load yaml that must fail; returns the number of errors. */
static unsigned load_bad(const char *yaml)
{
	struct policy *p = NULL;
	unsigned errors = 0;
	int r = policy_load_buffer(yaml, strlen(yaml), "t.yaml", &p, &diags);

	cr_assert_eq(r, -EINVAL, "expected -EINVAL, got %d", r);
	cr_assert_null(p);
	for (unsigned i = 0; i < diags.count; i++)
		errors += !diags.diag[i].warning;
	cr_assert_gt(errors, 0);
	return errors;
}

/* Is there a diagnostic "t.yaml:LINE:COL: error: MSG"? */
static bool has_diag(const char *want)
{
	char line[1024];

	for (unsigned i = 0; i < diags.count; i++) {
		policy_diag_format(&diags.diag[i], line, sizeof(line));
		if (strcmp(line, want) == 0)
			return true;
	}
	return false;
}

static void expect_diag(const char *want)
{
	if (!has_diag(want)) {
		print_diags();
		cr_assert(false, "missing diagnostic: %s", want);
	}
}

static struct al_request *req_new(enum al_op op)
{
	struct al_request *r = calloc(1, sizeof(*r));

	cr_assert_not_null(r);
	r->op = op;
	r->home = HOME;
	r->workspace = WS;
	return r;
}

static struct al_request *req_exec(const char *path, ...)
{
	struct al_request *r = req_new(AL_OP_EXEC);
	size_t pos = 0;
	const char *a;
	va_list ap;

	snprintf(r->path, sizeof(r->path), "%s", path);
	r->syscall = "execve";
	va_start(ap, path);
	while ((a = va_arg(ap, const char *))) {
		size_t n = strlen(a) + 1;

		memcpy(r->argbuf + pos, a, n);
		r->argv[r->argc++] = r->argbuf + pos;
		pos += n;
	}
	va_end(ap);
	r->argv[r->argc] = NULL;
	return r;
}

static struct al_request *req_path(enum al_op op, const char *path)
{
	struct al_request *r = req_new(op);

	snprintf(r->path, sizeof(r->path), "%s", path);
	return r;
}

static struct al_request *req_rename(const char *from, const char *to)
{
	struct al_request *r = req_path(AL_OP_DELETE, from);

	r->syscall = "renameat2";
	snprintf(r->path2, sizeof(r->path2), "%s", to);
	return r;
}

static struct al_request *req_connect(const char *addr)
{
	struct al_request *r = req_new(AL_OP_CONNECT);

	r->syscall = "connect";
	cr_assert_eq(al_addr_parse(addr, &r->addr, &r->addrlen), 0, "bad address %s", addr);
	return r;
}

static struct al_request *req_syscall(enum al_op op, const char *name)
{
	struct al_request *r = req_new(op);

	r->syscall = name;
	return r;
}

/* Decide and free the request; returns the action, the rule's name in *rule. */
static enum al_action decide(const struct policy *p, struct al_request *r, const char **rule)
{
	struct al_decision d;

	policy_decide(p, r, &d);
	free(r);
	if (rule)
		*rule = d.rule;
	return d.action;
}

static void expect(const struct policy *p, struct al_request *r, enum al_action want,
		   const char *want_rule)
{
	char what[PATH_MAX + 64];
	const char *rule;
	enum al_action got;

	snprintf(what, sizeof(what), "%s %s %s", al_op_name(r->op), r->path,
		 r->argc > 1 ? r->argv[1] : "");
	got = decide(p, r, &rule);
	cr_expect_eq(got, want, "%s: got %s (rule %s), want %s", what, al_action_name(got),
		     rule ? rule : "none", al_action_name(want));
	if (want_rule)
		cr_expect(rule && strcmp(rule, want_rule) == 0, "%s: rule %s, want %s", what,
			  rule ? rule : "none", want_rule);
	else if (want == AL_ALLOW)
		cr_expect_null(rule, "%s: matched rule %s, want none", what, rule);
}

/* ---- the issue's example ------------------------------------------------------------ */

Test(policy, issue_example_loads_as_written)
{
	struct policy *p = load(issue_example);

	cr_assert_eq(policy_rule_count(p), 6);
	cr_assert_eq(policy_ask_timeout_ms(p), 120000);
	cr_assert_str_eq(policy_source(p), "t.yaml");
	cr_assert_null(policy_redact(p));
	for (unsigned i = 0; i < diags.count; i++)
		cr_assert(diags.diag[i].warning, "unexpected error");
	policy_free(p);
}

Test(policy, issue_example_escalation)
{
	struct policy *p = load(issue_example);
	struct al_decision d;
	struct al_request *r = req_exec("/usr/bin/sudo", "sudo", "ls", NULL);

	policy_decide(p, r, &d);
	free(r);
	cr_assert_eq(d.action, AL_ASK);
	cr_assert_str_eq(d.rule, "escalation");
	cr_assert_eq(d.rule_index, 0);
	cr_assert_eq(d.timeout_ms, 120000);
	cr_assert_eq(d.on_timeout, AL_DENY);
	cr_assert_eq(d.timeout_error, EPERM);

	expect(p, req_exec("/bin/su", "su", "-", NULL), AL_ASK, "escalation");
	expect(p, req_exec("/usr/bin/pkexec", "pkexec", "id", NULL), AL_ASK, "escalation");
	/* An absolute entry is that path, not any pkexec. */
	expect(p, req_exec("/opt/pkexec", "pkexec", NULL), AL_ALLOW, NULL);
	/* The basename is of the executable, not of a directory on its way. */
	expect(p, req_exec("/usr/sudo/ls", "ls", NULL), AL_ALLOW, NULL);
	expect(p, req_exec("/usr/bin/sudoedit", "sudoedit", NULL), AL_ALLOW, NULL);
	policy_free(p);
}

Test(policy, issue_example_destructive)
{
	struct policy *p = load(issue_example);

	expect(p, req_exec("/usr/bin/rm", "rm", "-rf", "x", NULL), AL_ASK, "destructive");
	expect(p, req_exec("/usr/bin/rm", "rm", "x", "-fr", NULL), AL_ASK, "destructive");
	expect(p, req_exec("/usr/bin/rm", "rm", "-r", NULL), AL_ASK, "destructive");
	expect(p, req_exec("/usr/bin/rm", "rm", "x", NULL), AL_ALLOW, NULL);
	expect(p, req_exec("/usr/bin/rm", "rm", "-f", "x", NULL), AL_ALLOW, NULL);
	/* argv[0] is not an argument: an "rm" named "-r" by its caller is still plain rm. */
	expect(p, req_exec("/usr/bin/rm", "-r", "x", NULL), AL_ALLOW, NULL);
	/* Both keys must match: the same argument to another program is fine. */
	expect(p, req_exec("/usr/bin/ls", "ls", "-R", "-r", NULL), AL_ALLOW, NULL);
	policy_free(p);
}

Test(policy, issue_example_system_files)
{
	struct policy *p = load(issue_example);

	expect(p, req_path(AL_OP_WRITE, "/etc/passwd"), AL_ASK, "system-files");
	expect(p, req_path(AL_OP_WRITE, "/etc/ssh/sshd_config.d/x.conf"), AL_ASK, "system-files");
	expect(p, req_path(AL_OP_WRITE, "/home/u/.ssh/authorized_keys"), AL_ASK, "system-files");
	expect(p, req_path(AL_OP_WRITE, "/home/u/.bashrc"), AL_ASK, "system-files");
	expect(p, req_path(AL_OP_WRITE, "/home/u/.bashrc.bak"), AL_ALLOW, NULL);
	expect(p, req_path(AL_OP_WRITE, "/home/u/proj/.ssh/x"), AL_ALLOW, NULL);
	expect(p, req_path(AL_OP_WRITE, "/etcetera/passwd"), AL_ALLOW, NULL);
	/* A read of the same file is a different class. */
	expect(p, req_path(AL_OP_READ, "/etc/passwd"), AL_ALLOW, NULL);

	/* ~ is the session user's home, whoever that is. */
	{
		struct al_request *r = req_path(AL_OP_WRITE, "/root/.ssh/authorized_keys");

		expect(p, r, AL_ALLOW, NULL);
		r = req_path(AL_OP_WRITE, "/root/.ssh/authorized_keys");
		r->home = "/root";
		expect(p, r, AL_ASK, "system-files");
		r = req_path(AL_OP_WRITE, "/home/u/.ssh/config");
		r->home = "/home/u/"; /* a trailing slash in the passwd entry */
		expect(p, r, AL_ASK, "system-files");
		r = req_path(AL_OP_WRITE, "/home/u/.bashrc");
		r->home = NULL; /* no home known: '~' matches nothing */
		expect(p, r, AL_ALLOW, NULL);
	}
	policy_free(p);
}

Test(policy, issue_example_credentials)
{
	struct policy *p = load(issue_example);

	expect(p, req_path(AL_OP_READ, "/home/u/.aws/credentials"), AL_ASK, "credentials");
	expect(p, req_path(AL_OP_READ, "/home/u/.ssh/id_ed25519"), AL_ASK, "credentials");
	expect(p, req_path(AL_OP_READ, "/home/u/proj/.env"), AL_ASK, "credentials");
	expect(p, req_path(AL_OP_READ, "/srv/app/deep/er/.env"), AL_ASK, "credentials");
	expect(p, req_path(AL_OP_READ, "/.env"), AL_ASK, "credentials");
	expect(p, req_path(AL_OP_READ, "/home/u/proj/.envrc"), AL_ALLOW, NULL);
	expect(p, req_path(AL_OP_READ, "/home/u/proj/.env/x"), AL_ALLOW, NULL);
	expect(p, req_path(AL_OP_READ, "/home/u/.ssh/known_hosts"), AL_ALLOW, NULL);
	policy_free(p);
}

Test(policy, issue_example_kernel)
{
	struct policy *p = load(issue_example);
	struct al_decision d;
	struct al_request *r = req_syscall(AL_OP_MODULE, "init_module");

	policy_decide(p, r, &d);
	free(r);
	cr_assert_eq(d.action, AL_DENY);
	cr_assert_eq(d.error, EPERM);
	cr_assert_str_eq(d.rule, "kernel");

	expect(p, req_syscall(AL_OP_MODULE, "delete_module"), AL_DENY, "kernel");
	expect(p, req_syscall(AL_OP_KEXEC, "kexec_file_load"), AL_DENY, "kernel");
	expect(p, req_syscall(AL_OP_BPF, "bpf"), AL_DENY, "kernel");
	/* `mount` stands for the mount class, the new mount API included. */
	expect(p, req_syscall(AL_OP_MOUNT, "mount"), AL_DENY, "kernel");
	expect(p, req_syscall(AL_OP_MOUNT, "fsopen"), AL_DENY, "kernel");
	expect(p, req_syscall(AL_OP_MOUNT, "move_mount"), AL_DENY, "kernel");
	expect(p, req_syscall(AL_OP_REBOOT, "reboot"), AL_ALLOW, NULL);
	expect(p, req_syscall(AL_OP_PTRACE, "ptrace"), AL_ALLOW, NULL);
	policy_free(p);
}

Test(policy, issue_example_egress)
{
	struct policy *p = load(issue_example);

	expect(p, req_connect("8.8.8.8:443"), AL_ASK, "egress");
	expect(p, req_connect("10.1.2.3:5432"), AL_ASK, "egress");
	expect(p, req_connect("[2001:db8::1]:443"), AL_ASK, "egress");
	expect(p, req_connect("127.0.0.1:80"), AL_ALLOW, NULL);
	expect(p, req_connect("127.255.255.254:8080"), AL_ALLOW, NULL);
	expect(p, req_connect("[::1]:80"), AL_ALLOW, NULL);
	/* An IPv6 socket reaching IPv4 through a mapped address is the same destination. */
	expect(p, req_connect("[::ffff:127.0.0.1]:80"), AL_ALLOW, NULL);
	expect(p, req_connect("[::ffff:8.8.8.8]:443"), AL_ASK, "egress");
	/* Unix sockets are not IP destinations. */
	expect(p, req_connect("unix:/run/x.sock"), AL_ALLOW, NULL);
	policy_free(p);
}

Test(policy, issue_example_needs_only_what_it_matches)
{
	struct policy *p = load(issue_example);
	uint64_t want = AL_OP_BIT(AL_OP_EXEC) | AL_OP_BIT(AL_OP_WRITE) | AL_OP_BIT(AL_OP_DELETE) |
			AL_OP_BIT(AL_OP_READ) | AL_OP_BIT(AL_OP_MODULE) | AL_OP_BIT(AL_OP_KEXEC) |
			AL_OP_BIT(AL_OP_BPF) | AL_OP_BIT(AL_OP_MOUNT) | AL_OP_BIT(AL_OP_CONNECT);
	const char *const *names;

	cr_assert_eq(policy_ops_needed(p), want, "ops %#llx, want %#llx",
		     (unsigned long long)policy_ops_needed(p), (unsigned long long)want);
	cr_assert_eq(policy_syscalls_named(p, &names), 0);
	policy_free(p);
}

/* ---- deciding ----------------------------------------------------------------------- */

Test(policy, first_match_wins_and_no_match_allows)
{
	struct policy *p = load("version: 1\n"
				"rules:\n"
				"  - name: git-ok\n"
				"    match: { exec: [git] }\n"
				"    action: audit\n"
				"  - name: all-exec\n"
				"    match: { op: [exec] }\n"
				"    action: deny\n"
				"    errno: EACCES\n"
				"  - name: never\n"
				"    match: { exec: [git] }\n"
				"    action: ask\n");
	struct al_decision d;
	struct al_request *r = req_exec("/usr/bin/ls", "ls", NULL);

	expect(p, req_exec("/usr/bin/git", "git", "status", NULL), AL_AUDIT, "git-ok");
	policy_decide(p, r, &d);
	free(r);
	cr_assert_eq(d.action, AL_DENY);
	cr_assert_eq(d.error, EACCES);
	cr_assert_eq(d.rule_index, 1);

	r = req_path(AL_OP_WRITE, "/etc/passwd");
	policy_decide(p, r, &d);
	free(r);
	cr_assert_eq(d.action, AL_ALLOW);
	cr_assert_null(d.rule);
	cr_assert_eq(d.rule_index, UINT_MAX);
	cr_assert_eq(d.error, 0);
	policy_free(p);
}

Test(policy, rule_overrides_defaults)
{
	struct policy *p = load("version: 1\n"
				"defaults: { ask_timeout: 30s, on_timeout: allow, errno: EACCES }\n"
				"rules:\n"
				"  - name: a\n"
				"    match: { exec: [a] }\n"
				"    action: ask\n"
				"  - name: b\n"
				"    match: { exec: [b] }\n"
				"    action: ask\n"
				"    timeout: 500ms\n"
				"    on_timeout: deny\n"
				"    errno: 13\n"
				"    reviewers: [alice, '@oncall']\n"
				"  - name: c\n"
				"    match: { exec: [c] }\n"
				"    action: deny\n");
	struct policy_rule_info info;
	struct al_decision d;
	struct al_request *r = req_exec("/bin/a", "a", NULL);

	policy_decide(p, r, &d);
	free(r);
	cr_assert_eq(d.timeout_ms, 30000);
	cr_assert_eq(d.on_timeout, AL_ALLOW);
	cr_assert_eq(d.error, 0, "an ask carries no errno of its own");

	r = req_exec("/bin/b", "b", NULL);
	policy_decide(p, r, &d);
	free(r);
	cr_assert_eq(d.timeout_ms, 500);
	cr_assert_eq(d.on_timeout, AL_DENY);
	cr_assert_eq(d.timeout_error, EACCES);

	r = req_exec("/bin/c", "c", NULL);
	policy_decide(p, r, &d);
	free(r);
	cr_assert_eq(d.action, AL_DENY);
	cr_assert_eq(d.error, EACCES, "the default errno");

	cr_assert_eq(policy_rule_info(p, 1, &info), 0);
	cr_assert_str_eq(info.name, "b");
	cr_assert_eq(info.line, 7);
	cr_assert_eq(info.nreviewers, 2);
	cr_assert_str_eq(info.reviewers[1], "@oncall");
	cr_assert_eq(policy_rule_info(p, 3, &info), -ENOENT);
	policy_free(p);
}

Test(policy, keys_are_anded_and_bound_to_their_class)
{
	struct policy *p = load("version: 1\n"
				"rules:\n"
				"  - name: argv-only\n"
				"    match: { argv: ['--force'] }\n"
				"    action: ask\n"
				"  - name: openat-etc\n"
				"    match: { syscall: [openat], write: ['/etc/**'] }\n"
				"    action: deny\n");
	struct al_request *r;

	expect(p, req_exec("/usr/bin/git", "git", "push", "--force", NULL), AL_ASK, "argv-only");
	/* argv rules never match outside exec, whatever the path looks like. */
	expect(p, req_path(AL_OP_WRITE, "--force"), AL_ALLOW, NULL);
	r = req_path(AL_OP_WRITE, "/etc/hosts");
	r->syscall = "openat";
	expect(p, r, AL_DENY, "openat-etc");
	r = req_path(AL_OP_WRITE, "/etc/hosts");
	r->syscall = "truncate";
	expect(p, r, AL_ALLOW, NULL);
	policy_free(p);
}

Test(policy, truncated_argv_counts_toward_the_stricter_outcome)
{
	struct policy *p = load("version: 1\n"
				"rules:\n"
				"  - name: ok-ls\n"
				"    match: { exec: [ls], argv: ['--color*'] }\n"
				"    action: allow\n"
				"  - name: rm-r\n"
				"    match: { exec: [rm, ls], argv: ['-r'] }\n"
				"    except: { argv: ['--dry-run'] }\n"
				"    action: ask\n");
	struct al_request *r = req_exec("/usr/bin/rm", "rm", "-f", "a", "b", NULL);

	/* The -r may be among the arguments the gate did not keep. */
	r->argv_truncated = true;
	expect(p, r, AL_ASK, "rm-r");
	/* ... and the --color the allow rule wants, or the --dry-run, may not be there. */
	r = req_exec("/usr/bin/ls", "ls", "-l", NULL);
	r->argv_truncated = true;
	expect(p, r, AL_ASK, "rm-r");
	expect(p, req_exec("/usr/bin/rm", "rm", "-f", "a", NULL), AL_ALLOW, NULL);
	policy_free(p);
}

Test(policy, unix_connect_matches_the_resolved_path_too)
{
	struct policy *p = load("version: 1\n"
				"rules:\n"
				"  - name: docker\n"
				"    match: { connect: ['unix:/run/docker.sock'] }\n"
				"    action: ask\n");
	struct al_request *r = req_connect("unix:../../run/docker.sock");

	/* The gate resolves a pathname socket like any path, into path. */
	snprintf(r->path, sizeof(r->path), "/run/docker.sock");
	expect(p, r, AL_ASK, "docker");
	r = req_connect("unix:/tmp/link-to-docker");
	snprintf(r->path, sizeof(r->path), "/run/docker.sock");
	expect(p, r, AL_ASK, "docker");
	r = req_connect("unix:/tmp/other.sock");
	snprintf(r->path, sizeof(r->path), "/tmp/other.sock");
	expect(p, r, AL_ALLOW, NULL);
	policy_free(p);
}

Test(policy, rename_matches_both_ends_for_write_and_delete)
{
	struct policy *p = load("version: 1\n"
				"rules:\n"
				"  - name: protect-etc\n"
				"    match: { write: ['/etc/**'] }\n"
				"    action: ask\n"
				"  - name: keep-keys\n"
				"    match: { delete: ['~/.ssh/**'] }\n"
				"    action: deny\n");

	/* Into /etc: the destination is written. */
	expect(p, req_rename("/tmp/evil", "/etc/passwd"), AL_ASK, "protect-etc");
	/* Out of /etc: the source is gone from it. */
	expect(p, req_rename("/etc/passwd", "/tmp/x"), AL_ASK, "protect-etc");
	/* Replacing a key deletes the old one; moving one away deletes it too. */
	expect(p, req_rename("/tmp/k", "/home/u/.ssh/id_rsa"), AL_DENY, "keep-keys");
	expect(p, req_rename("/home/u/.ssh/id_rsa", "/tmp/k"), AL_DENY, "keep-keys");
	expect(p, req_rename("/tmp/a", "/tmp/b"), AL_ALLOW, NULL);
	/* A plain unlink is a delete, not a write. */
	expect(p, req_path(AL_OP_DELETE, "/etc/passwd"), AL_ALLOW, NULL);
	expect(p, req_path(AL_OP_DELETE, "/home/u/.ssh/id_rsa"), AL_DENY, "keep-keys");
	policy_free(p);
}

Test(policy, read_rules_match_a_new_name_for_the_file)
{
	struct policy *p = load("version: 1\n"
				"rules:\n"
				"  - name: creds\n"
				"    match: { read: ['~/.aws/credentials'] }\n"
				"    action: ask\n");
	struct al_request *r;

	/* ln ~/.aws/credentials x; cat x */
	r = req_path(AL_OP_WRITE, HOME "/.aws/credentials");
	r->syscall = "linkat";
	snprintf(r->path2, sizeof(r->path2), WS "/x");
	expect(p, r, AL_ASK, "creds");
	/* mv ~/.aws/credentials x; cat x */
	expect(p, req_rename(HOME "/.aws/credentials", WS "/x"), AL_ASK, "creds");
	/* A new name *for* the protected path is not a read of it. */
	expect(p, req_rename(WS "/x", HOME "/.aws/credentials"), AL_ALLOW, NULL);
	/* Nor is writing it or deleting it. */
	expect(p, req_path(AL_OP_WRITE, HOME "/.aws/credentials"), AL_ALLOW, NULL);
	expect(p, req_path(AL_OP_DELETE, HOME "/.aws/credentials"), AL_ALLOW, NULL);
	/* A new name for an excepted file is excepted. */
	policy_free(p);
	p = load("version: 1\n"
		 "rules:\n"
		 "  - name: keys\n"
		 "    match: { read: ['~/.ssh/id_*'] }\n"
		 "    except: { read: ['~/.ssh/id_*.pub'] }\n"
		 "    action: ask\n");
	r = req_path(AL_OP_WRITE, HOME "/.ssh/id_ed25519.pub");
	r->syscall = "linkat";
	snprintf(r->path2, sizeof(r->path2), WS "/k.pub");
	expect(p, r, AL_ALLOW, NULL);
	expect(p, req_rename(HOME "/.ssh/id_ed25519", WS "/k"), AL_ASK, "keys");
	policy_free(p);
}

Test(policy, except_excludes)
{
	struct policy *p = load("version: 1\n"
				"rules:\n"
				"  - name: hooks\n"
				"    match: { write: ['**/.git/hooks/*'] }\n"
				"    except: { write: ['**/.git/hooks/*.sample'] }\n"
				"    action: ask\n");

	expect(p, req_path(AL_OP_WRITE, WS "/.git/hooks/pre-commit"), AL_ASK, "hooks");
	expect(p, req_path(AL_OP_WRITE, WS "/.git/hooks/pre-commit.sample"), AL_ALLOW, NULL);
	expect(p, req_path(AL_OP_WRITE, WS "/.git/hooks"), AL_ALLOW, NULL);
	/* An except must cover each end: activating a sample hook by renaming it. */
	expect(p, req_rename(WS "/.git/hooks/pre-commit.sample", WS "/.git/hooks/pre-commit"),
	       AL_ASK, "hooks");
	expect(p, req_rename(WS "/.git/hooks/a.sample", WS "/.git/hooks/b.sample"), AL_ALLOW, NULL);
	expect(p, req_rename(WS "/x", WS "/.git/hooks/b.sample"), AL_ALLOW, NULL);
	policy_free(p);
}

Test(policy, unix_sockets)
{
	struct policy *p =
		load("version: 1\n"
		     "rules:\n"
		     "  - name: doors\n"
		     "    match: { connect: ['unix:/run/docker.sock', 'unix:/tmp/tmux-*/**',\n"
		     "                       'unix:**/systemd/private', 'unix:@/tmp/dbus-*',\n"
		     "                       'unix:~/.gnupg/S.*'] }\n"
		     "    action: ask\n");

	expect(p, req_connect("unix:/run/docker.sock"), AL_ASK, "doors");
	expect(p, req_connect("unix:/tmp/tmux-1000/default"), AL_ASK, "doors");
	expect(p, req_connect("unix:/run/user/1000/systemd/private"), AL_ASK, "doors");
	expect(p, req_connect("unix:/run/systemd/private"), AL_ASK, "doors");
	expect(p, req_connect("unix:@/tmp/dbus-AbCd"), AL_ASK, "doors");
	expect(p, req_connect("unix:/home/u/.gnupg/S.gpg-agent"), AL_ASK, "doors");
	/* A path socket and an abstract one of the same name are different sockets. */
	expect(p, req_connect("unix:@/run/docker.sock"), AL_ALLOW, NULL);
	expect(p, req_connect("unix:/tmp/dbus-AbCd"), AL_ALLOW, NULL);
	expect(p, req_connect("unix:/run/docker.sock.bak"), AL_ALLOW, NULL);
	/* An IP destination never matches a unix: entry. */
	expect(p, req_connect("1.2.3.4:80"), AL_ALLOW, NULL);
	policy_free(p);
}

Test(policy, cidr_edges_and_ports)
{
	struct policy *p =
		load("version: 1\n"
		     "rules:\n"
		     "  - name: host\n"
		     "    match: { connect: ['192.0.2.7/32', '198.51.100.0/31:443'] }\n"
		     "    action: deny\n"
		     "  - name: v6-port\n"
		     "    match: { connect: ['[::1]/128:8080', '[2001:db8::]/32:8000-8999'] }\n"
		     "    action: deny\n"
		     "  - name: any-v4-https\n"
		     "    match: { connect: ['0.0.0.0/0:443'] }\n"
		     "    action: ask\n"
		     "  - name: bare-v6\n"
		     "    match: { connect: ['fd00::/8', '10.9.8.7'] }\n"
		     "    action: audit\n");

	expect(p, req_connect("192.0.2.7:1"), AL_DENY, "host");
	expect(p, req_connect("192.0.2.8:1"), AL_ALLOW, NULL);
	expect(p, req_connect("198.51.100.1:443"), AL_DENY, "host");
	expect(p, req_connect("198.51.100.2:443"), AL_ASK, "any-v4-https");
	expect(p, req_connect("198.51.100.1:444"), AL_ALLOW, NULL);
	expect(p, req_connect("[::1]:8080"), AL_DENY, "v6-port");
	expect(p, req_connect("[::1]:8081"), AL_ALLOW, NULL);
	expect(p, req_connect("[2001:db8:ffff::1]:8999"), AL_DENY, "v6-port");
	expect(p, req_connect("[2001:db9::1]:8500"), AL_ALLOW, NULL);
	expect(p, req_connect("[2001:db8::1]:9000"), AL_ALLOW, NULL);
	/* /0 with a port: every IPv4 host (and its mapped form), that port only. */
	expect(p, req_connect("203.0.113.9:443"), AL_ASK, "any-v4-https");
	expect(p, req_connect("[::ffff:203.0.113.9]:443"), AL_ASK, "any-v4-https");
	expect(p, req_connect("[2001:db9::1]:443"), AL_ALLOW, NULL);
	expect(p, req_connect("[fdab::1]:22"), AL_AUDIT, "bare-v6");
	expect(p, req_connect("10.9.8.7:22"), AL_AUDIT, "bare-v6");
	expect(p, req_connect("10.9.8.6:22"), AL_ALLOW, NULL);
	policy_free(p);
}

Test(policy, cidr_host_bits_warn_and_are_masked)
{
	struct policy *p = load("version: 1\n"
				"rules:\n"
				"  - name: net\n"
				"    match: { connect: ['10.1.2.3/8'] }\n"
				"    action: deny\n");

	expect_diag("t.yaml:4:24: warning: connect address '10.1.2.3/8' has bits set below its "
		    "prefix length; they are ignored");
	expect(p, req_connect("10.200.0.1:80"), AL_DENY, "net");
	policy_free(p);
}

/* ---- globs -------------------------------------------------------------------------- */

static bool glob(const char *pattern, enum pglob_mode mode, const char *path)
{
	struct pglob g;
	const char *why = NULL;
	bool m;

	cr_assert_eq(pglob_compile(pattern, mode, &g, &why), 0, "%s: %s", pattern, why);
	m = pglob_match(&g, path, HOME, WS);
	pglob_free(&g);
	return m;
}

#define G(pat, path) glob(pat, PGLOB_MODE_PATH, path)
#define F(pat, s)    glob(pat, PGLOB_MODE_FLAT, s)

Test(policy, glob_star_stays_in_one_component)
{
	cr_assert(G("/etc/*", "/etc/passwd"));
	cr_assert_not(G("/etc/*", "/etc/ssh/sshd_config"));
	cr_assert(G("/etc/*/sshd_config", "/etc/ssh/sshd_config"));
	cr_assert(G("/tmp/*.txt", "/tmp/.hidden.txt"), "'*' matches a leading dot");
	cr_assert_not(G("/tmp/*.txt", "/tmp/a.txt/b"));
	cr_assert(G("/a*b*c", "/abc"));
	cr_assert(G("/a*b*c", "/axxbyyc"));
	cr_assert_not(G("/a*b*c", "/axxbyyd"));
	cr_assert(G("/**", "/"));
}

Test(policy, glob_double_star_spans_components)
{
	cr_assert(G("/etc/**", "/etc/a/b/c"));
	cr_assert(G("/etc/**", "/etc"), "dir/** covers dir itself");
	cr_assert_not(G("/etc/**", "/etcx"));
	cr_assert(G("**/.env", "/.env"));
	cr_assert(G("**/.env", "/a/b/c/.env"));
	cr_assert_not(G("**/.env", "/a/b/c/x.env"));
	cr_assert(G("/a/**/z", "/a/z"));
	cr_assert(G("/a/**/z", "/a/b/c/z"));
	cr_assert_not(G("/a/**/z", "/a/b/c/z/y"));
	cr_assert(G("/a/**/b/**/c", "/a/x/b/y/b/z/c"));
	cr_assert(G("/a/**/**/z", "/a/z"));
	/* '**' inside a component is two stars, not a component wildcard. */
	cr_assert(G("/a/x**y", "/a/xQy"));
	cr_assert_not(G("/a/x**y", "/a/x/y"));
}

Test(policy, glob_classes_and_escapes)
{
	cr_assert(G("/d/[abc]", "/d/b"));
	cr_assert_not(G("/d/[abc]", "/d/d"));
	cr_assert(G("/d/[a-c]x", "/d/cx"));
	cr_assert(G("/d/[!a-c]x", "/d/dx"));
	cr_assert_not(G("/d/[!a-c]x", "/d/ax"));
	cr_assert(G("/d/[^a]", "/d/b"));
	cr_assert(G("/d/[]]", "/d/]"));
	cr_assert(G("/d/?", "/d/x"));
	cr_assert_not(G("/d/?", "/d/xy"));
	cr_assert(G("/d/\\*", "/d/*"));
	cr_assert_not(G("/d/\\*", "/d/x"));
	cr_assert(F("-[!-]*[rR]*", "-fr"));
	cr_assert_not(F("-[!-]*[rR]*", "--force"));
	cr_assert(F("*", "a/b"), "a flat glob's '*' crosses '/'");
}

Test(policy, glob_anchors)
{
	cr_assert(G("~", HOME));
	cr_assert(G("~/.ssh/**", HOME "/.ssh/id_rsa"));
	cr_assert_not(G("~/.ssh/**", "/home/uu/.ssh/id_rsa"), "a home is a whole component");
	cr_assert(G("src/**", WS "/src/main.c"));
	cr_assert_not(G("src/**", "/src/main.c"), "relative globs are in the workspace");
	cr_assert(G("./**", WS));
	cr_assert(G("./**", WS "/a/b"));
	cr_assert_not(G("./**", HOME "/x"));
	cr_assert(G(".", WS));
	cr_assert(G("./src/*.c", WS "/src/a.c"));
	{
		// A session started in / has no workspace: "./**" is not the filesystem.
		struct pglob g;
		const char *why;

		cr_assert_eq(pglob_compile("./**", PGLOB_MODE_PATH, &g, &why), 0);
		cr_assert_not(pglob_match(&g, "/etc/passwd", HOME, "/"));
		cr_assert(pglob_match(&g, "/etc/passwd", HOME, "/etc"));
		pglob_free(&g);
	}
	cr_assert(G("*.log", WS "/x.log"));
	cr_assert_not(G("*.log", WS "/sub/x.log"));
	cr_assert(glob("sudo", PGLOB_MODE_EXEC, "/usr/bin/sudo"));
	cr_assert(glob("python3*", PGLOB_MODE_EXEC, "/usr/bin/python3.11"));
	cr_assert(glob("/usr/**/sudo", PGLOB_MODE_EXEC, "/usr/local/bin/sudo"));
	cr_assert_not(glob("/usr/bin/sudo", PGLOB_MODE_EXEC, "/usr/local/bin/sudo"));
	/* Paths from the gate are absolute; anything else never matches a path glob. */
	cr_assert_not(G("/**", "relative/path"));
	cr_assert_not(G("**", ""));
}

Test(policy, glob_is_linear_on_hostile_paths)
{
	/* 2000 components and a pattern that would backtrack exponentially if recursive. */
	char *path = malloc(PATH_MAX);

	cr_assert_not_null(path);
	for (int i = 0; i < 2000; i++)
		memcpy(path + 2 * i, "/a", 2);
	path[4000] = '\0';
	cr_assert_not(G("/**/a/**/a/**/a/**/a/**/b", path));
	cr_assert_not(F("*a*a*a*a*a*a*a*a*b", path));
	free(path);
}

/* ---- errors, with where ------------------------------------------------------------- */

Test(policy, error_unknown_action_has_line_and_column)
{
	load_bad("version: 1\n"
		 "rules:\n"
		 "  - name: x\n"
		 "    match: { exec: [sudo] }\n"
		 "    action: alow\n");
	expect_diag("t.yaml:5:13: error: unknown action 'alow' (expected allow, deny, ask, audit)");
}

Test(policy, errors_are_collected)
{
	unsigned n = load_bad("version: 1\n"					 /* 1 */
			      "defaults:\n"					 /* 2 */
			      "  ask_timeout: 2 minutes\n"			 /* 3 */
			      "  on_timeout: maybe\n"				 /* 4 */
			      "  errno: EWHATEVER\n"				 /* 5 */
			      "rules:\n"					 /* 6 */
			      "  - name: a\n"					 /* 7 */
			      "    match: { connect: ['10.0.0.0/33'] }\n"	 /* 8 */
			      "    action: deny\n"				 /* 9 */
			      "  - name: b\n"					 /* 10 */
			      "    match: { syscall: [frobnicate], op: [io] }\n" /* 11 */
			      "    action: ask\n"				 /* 12 */
			      "    timeout: 10x\n"				 /* 13 */
			      "  - name: c\n"					 /* 14 */
			      "    match: { exec: sudo, path: [/x] }\n"		 /* 15 */
			      "    actoin: ask\n"				 /* 16 */
			      "  - name: d\n"					 /* 17 */
			      "    match: { write: ['/etc/[ab'], read: {} }\n"	 /* 18 */
			      "    action: deny\n"				 /* 19 */
			      "    errno: [EPERM]\n");				 /* 20 */

	expect_diag("t.yaml:3:16: error: bad duration '2 minutes' for 'ask_timeout' (expected a "
		    "number and a unit: 500ms, 30s, 10m, 2h)");
	expect_diag("t.yaml:4:15: error: unknown on_timeout 'maybe' (expected deny, allow)");
	expect_diag("t.yaml:5:10: error: unknown errno 'EWHATEVER' (expected a name like EPERM or "
		    "EACCES, or 1-4095)");
	expect_diag("t.yaml:8:24: error: bad connect address '10.0.0.0/33': bad prefix length "
		    "(expected 0-32)");
	expect_diag("t.yaml:11:24: error: unknown syscall 'frobnicate'");
	expect_diag("t.yaml:11:42: error: unknown operation class 'io' (expected exec, write, "
		    "read, delete, chmod, chown, connect, privilege, mount, module, ptrace, bpf, "
		    "kexec, reboot, signal, other)");
	expect_diag("t.yaml:13:14: error: bad duration '10x' for 'timeout' (expected a number and "
		    "a unit: 500ms, 30s, 10m, 2h)");
	expect_diag("t.yaml:15:26: error: unknown key 'path' in match (expected exec, argv, write, "
		    "read, delete, chmod, chown, connect, syscall, op)");
	expect_diag("t.yaml:16:5: error: unknown key 'actoin' in rule (expected name, match, "
		    "except, action, errno, timeout, on_timeout, reviewers)");
	expect_diag("t.yaml:14:5: error: rule 'c' has no 'action' (expected allow, deny, ask, "
		    "audit)");
	expect_diag("t.yaml:18:22: error: bad pattern '/etc/[ab' in 'write': unterminated '[' (a "
		    "class cannot span a '/')");
	expect_diag("t.yaml:18:41: error: 'read' must be a scalar, not a mapping");
	expect_diag("t.yaml:20:12: error: 'errno' must be a scalar, not a list");
	cr_assert_eq(n, 13);
}

Test(policy, error_durations_out_of_range)
{
	load_bad("version: 1\n"
		 "defaults: { ask_timeout: 99999999999999999999999h }\n"
		 "rules:\n"
		 "  - { name: a, match: { exec: [a] }, action: ask, timeout: 0s }\n"
		 "  - { name: b, match: { exec: [b] }, action: ask, timeout: 50000h }\n");
	expect_diag("t.yaml:2:26: error: duration '99999999999999999999999h' for 'ask_timeout' is "
		    "out of range (1ms to 49 days)");
	expect_diag("t.yaml:4:60: error: duration '0s' for 'timeout' is out of range (1ms to 49 "
		    "days)");
	expect_diag("t.yaml:5:60: error: duration '50000h' for 'timeout' is out of range (1ms to "
		    "49 days)");
}

Test(policy, error_duplicate_rule_names_give_both_lines)
{
	load_bad("version: 1\n"
		 "rules:\n"
		 "  - name: same\n"
		 "    match: { exec: [a] }\n"
		 "    action: ask\n"
		 "  - name: other\n"
		 "    match: { exec: [b] }\n"
		 "    action: ask\n"
		 "  - name: same\n"
		 "    match: { exec: [c] }\n"
		 "    action: deny\n");
	expect_diag("t.yaml:9:5: error: duplicate rule name 'same' (first at line 3)");
}

Test(policy, error_duplicate_keys)
{
	load_bad("version: 1\n"
		 "rules:\n"
		 "  - name: a\n"
		 "    match: { exec: [a] }\n"
		 "    match: { exec: [b] }\n"
		 "    action: ask\n");
	expect_diag("t.yaml:5:5: error: duplicate key 'match' (first at line 4)");
}

Test(policy, error_yaml_syntax)
{
	load_bad("version: 1\n"
		 "rules:\n"
		 "  - name: a\n"
		 "    match: { exec: [a }\n");
	cr_assert_eq(diags.count, 1);
	cr_assert_eq(diags.diag[0].line, 4);
	cr_assert(strstr(diags.diag[0].message, "flow"), "%s", diags.diag[0].message);
}

Test(policy, error_version)
{
	load_bad("rules: []\n");
	expect_diag("t.yaml:1:1: error: missing 'version: 1'");
	load_bad("version: 2\nrules: []\n");
	expect_diag("t.yaml:1:10: error: unsupported version '2' (expected 1)");
	load_bad("");
	expect_diag("t.yaml:1:1: error: empty policy (expected a mapping with 'version: 1')");
	load_bad("- a\n- b\n");
	expect_diag("t.yaml:1:1: error: a policy must be a mapping with 'version: 1', not a list");
	load_bad("version: 1\n---\nversion: 1\n");
	expect_diag("t.yaml:3:1: error: a second YAML document (a policy is one document)");
}

Test(policy, error_empty_match_and_list)
{
	load_bad("version: 1\n"
		 "rules:\n"
		 "  - name: a\n"
		 "    match: {}\n"
		 "    action: deny\n"
		 "  - name: b\n"
		 "    match: { exec: [] }\n"
		 "    action: deny\n");
	expect_diag("t.yaml:4:12: error: 'match' is empty (name at least one of exec, argv, write, "
		    "read, delete, chmod, chown, connect, syscall, op)");
	expect_diag("t.yaml:7:20: error: 'exec' is an empty list (it would never match)");
}

Test(policy, error_aliases_rejected)
{
	/* Aliases would let a small file describe an exponentially large tree. */
	load_bad("version: 1\n"
		 "rules:\n"
		 "  - &r { name: a, match: { exec: [a] }, action: ask }\n"
		 "  - *r\n");
	cr_assert(strstr(diags.diag[0].message, "aliases"), "%s", diags.diag[0].message);
}

Test(policy, error_aliases_rejected_in_the_redact_section_too)
{
	/* The redactor walks its section itself: aliases are refused before it sees them. */
	unsigned errors = load_bad("version: 1\n"
				   "redact:\n"
				   "  rules:\n"
				   "    - &r { name: a, pattern: 'x' }\n"
				   "    - *r\n");
	expect_diag("t.yaml:4:7: error: this node is used twice (YAML aliases are not supported)");
	cr_assert_eq(errors, 1);
}

Test(policy, error_bad_globs_and_addresses)
{
	unsigned errors = load_bad(
		"version: 1\n"
		"rules:\n"
		"  - name: a\n"
		"    match: { write: ['~root/.ssh/**', '/a/../b', 'x\\'],\n"
		"             connect: ['1.2.3.4:99999', '[::1', 'example.com:443', 'unix:'] }\n"
		"    action: ask\n");
	expect_diag("t.yaml:4:22: error: bad pattern '~root/.ssh/**' in 'write': '~user' is not "
		    "supported (use '~/' for the session user's home)");
	expect_diag("t.yaml:4:39: error: bad pattern '/a/../b' in 'write': '.' and '..' cannot "
		    "appear in a glob (paths are normalized)");
	expect_diag("t.yaml:4:50: error: bad pattern 'x\\' in 'write': a trailing '\\' escapes "
		    "nothing");
	expect_diag("t.yaml:5:24: error: bad connect address '1.2.3.4:99999': bad port (expected "
		    "1-65535 or a range like 8000-8999)");
	expect_diag("t.yaml:5:41: error: bad connect address '[::1': unterminated '[' in address");
	expect_diag("t.yaml:5:68: error: bad connect address 'unix:': an empty socket path");
	cr_assert_eq(errors, 7);
}

Test(policy, error_deep_flow_nesting_is_refused_quickly)
{
	/* libyaml's scanner is quadratic in flow depth: this must fail fast, not in hours. */
	size_t depth = 200000, n = 0;
	char *y = malloc(2 * depth + 64);

	cr_assert_not_null(y);
	n += (size_t)sprintf(y, "version: 1\nrules: ");
	memset(y + n, '[', depth);
	memset(y + n + depth, ']', depth);
	y[n + 2 * depth] = '\0';
	load_bad(y);
	expect_diag("t.yaml:2:72: error: '[' or '{' nested deeper than 64 levels");
	free(y);

	/* Brackets in strings, globs and comments are not nesting. */
	policy_free(load(
		"version: 1\n"
		"rules:\n"
		"  - name: \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"\n"
		"    match: { exec: ['[[][[][[][[][[][[][[][[][[][[][[][[][[][[][[][[][[][[][[]"
		"[[][[][[][[][[][[][[][[][[][[][[][[][[][[][[][[][[][[][[][[][[][[][[][[]'] }"
		" # {{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{\n"
		"    action: ask\n"));
}

Test(policy, error_overflow_is_said)
{
	char *y = malloc(100 * 64 + 64);
	size_t n = (size_t)sprintf(y, "version: 1\nrules:\n");

	for (int i = 0; i < 100; i++)
		n += (size_t)sprintf(y + n, "  - {name: r%d, match: {exec: [a]}, action: no}\n", i);
	load_bad(y);
	cr_assert_eq(diags.count, POLICY_DIAG_MAX);
	cr_assert_str_eq(diags.diag[POLICY_DIAG_MAX - 1].message,
			 "too many problems, stopping here (fix the ones above first)");
	cr_assert_eq(diags.diag[POLICY_DIAG_MAX - 1].line, 66);
	free(y);
}

Test(policy, warns_about_rules_that_cannot_match)
{
	struct policy *p = load("version: 1\n"
				"rules:\n"
				"  - name: mixed\n"
				"    match: { exec: [curl], connect: ['0.0.0.0/0'] }\n"
				"    action: ask\n"
				"  - name: renames-only\n"
				"    match: { write: ['/etc/**'], delete: ['/tmp/**'] }\n"
				"    action: ask\n");

	expect_diag("t.yaml:4:5: warning: rule 'mixed' can never match: its keys apply to "
		    "different operations (write one rule per operation)");
	{
		unsigned never = 0;

		for (unsigned i = 0; i < diags.count; i++)
			never += strstr(diags.diag[i].message, "can never match") != NULL;
		cr_assert_eq(never, 1, "write+delete can match a rename: no warning");
	}
	expect(p, req_rename("/tmp/x", "/etc/x"), AL_ASK, "renames-only");
	policy_free(p);
}

Test(policy, warns_about_path_rules_without_a_mount_rule)
{
	static const char rules[] = "  - name: protect\n"
				    "    match: { write: ['/etc/**'] }\n"
				    "    action: ask\n";
	char yaml[512];
	struct policy *p;

	snprintf(yaml, sizeof(yaml), "version: 1\nrules:\n%s", rules);
	p = load(yaml);
	expect_diag(
		"t.yaml:3:5: warning: rule 'protect' protects paths, but no rule denies or asks "
		"about mounts: a bind mount gives a file another name (add op: [mount])");
	policy_free(p);

	snprintf(yaml, sizeof(yaml),
		 "version: 1\nrules:\n%s  - { name: m, match: { op: [mount] }, action: deny }\n",
		 rules);
	p = load(yaml);
	cr_assert_eq(diags.count, 0);
	policy_free(p);
}

Test(policy, warnings_do_not_fail)
{
	struct policy *p = load("version: 1\n"
				"rules:\n"
				"  - name: a\n"
				"    match: { exec: [a] }\n"
				"    action: deny\n"
				"    timeout: 10s\n");

	expect_diag("t.yaml:6:5: warning: 'timeout' only applies to rules with action ask, "
		    "ignoring");
	policy_free(p);
}

Test(policy, load_file_reports_io_errors)
{
	struct policy *p = NULL;

	cr_assert_eq(policy_load_file("/nonexistent/policy.yaml", &p, &diags), -ENOENT);
	cr_assert_null(p);
	cr_assert_eq(policy_load_file("/", &p, &diags), -EISDIR);
}

Test(policy, load_file)
{
	char path[] = "/tmp/test_policy.XXXXXX";
	struct policy *p = NULL;
	int fd = mkostemp(path, O_CLOEXEC);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, issue_example, strlen(issue_example)),
		     (ssize_t)strlen(issue_example));
	close(fd);
	cr_assert_eq(policy_load_file(path, &p, &diags), 0);
	cr_assert_str_eq(policy_source(p), path);
	policy_free(p);
	unlink(path);
}

/* ---- what the gate must notify ------------------------------------------------------ */

Test(policy, ops_needed_is_minimal)
{
	struct policy *p = load("version: 1\n"
				"rules:\n"
				"  - name: e\n"
				"    match: { exec: [sudo] }\n"
				"    action: ask\n");
	const char *const *names;

	cr_assert_eq(policy_ops_needed(p), AL_OP_BIT(AL_OP_EXEC));
	cr_assert_eq(policy_ops_needed(p) & AL_OP_BIT(AL_OP_READ), 0);
	cr_assert_eq(policy_syscalls_named(p, &names), 0);
	policy_free(p);

	/* Allow rules alone need nothing: the gate would only hear "allow". */
	p = load("version: 1\n"
		 "rules:\n"
		 "  - name: r\n"
		 "    match: { read: ['/etc/**'] }\n"
		 "    action: allow\n");
	cr_assert_eq(policy_ops_needed(p), 0);
	policy_free(p);

	p = load("version: 1\n"
		 "rules:\n"
		 "  - name: r\n"
		 "    match: { read: ['**/.env'] }\n"
		 "    action: audit\n"
		 "  - name: w\n"
		 "    match: { chmod: ['/etc/**'] }\n"
		 "    except: { chmod: ['/etc/x'] }\n"
		 "    action: ask\n");
	/* read also needs write and delete: links and renames of a protected file. */
	cr_assert_eq(policy_ops_needed(p), AL_OP_BIT(AL_OP_READ) | AL_OP_BIT(AL_OP_WRITE) |
						   AL_OP_BIT(AL_OP_DELETE) |
						   AL_OP_BIT(AL_OP_CHMOD));
	policy_free(p);
}

Test(policy, ops_needed_for_syscall_names)
{
	struct policy *p = load("version: 1\n"
				"rules:\n"
				"  - name: s\n"
				"    match: { syscall: [openat, mount, setuid, openat] }\n"
				"    action: ask\n"
				"  - name: t\n"
				"    match: { syscall: [truncate] }\n"
				"    action: allow\n");
	const char *const *names;
	struct al_request *r;

	cr_assert_eq(policy_ops_needed(p),
		     AL_OP_BIT(AL_OP_MOUNT) | AL_OP_BIT(AL_OP_PRIVILEGE) | AL_OP_BIT(AL_OP_OTHER));
	cr_assert_eq(policy_syscalls_named(p, &names), 1);
	cr_assert_str_eq(names[0], "openat");
	/* A name without a class matches that syscall whatever class the gate gives it. */
	expect(p, req_syscall(AL_OP_OTHER, "openat"), AL_ASK, "s");
	r = req_path(AL_OP_WRITE, "/x");
	r->syscall = "openat";
	expect(p, r, AL_ASK, "s");
	expect(p, req_syscall(AL_OP_PRIVILEGE, "setresgid"), AL_ASK, "s");
	expect(p, req_syscall(AL_OP_OTHER, "open"), AL_ALLOW, NULL);
	policy_free(p);
}

Test(policy, syscall_classes_agree_with_the_gate)
{
	const char *const *names;
	size_t n = policy_syscall_classes(&names);

	for (size_t i = 0; i < n; i++) {
		const struct syscall_desc *d = syscall_by_name(names[i]);

		if (!d) /* umount: not a syscall on every architecture */
			continue;
		cr_expect_eq(d->op, policy_syscall_class(names[i]), "'%s': gate says %s, policy %s",
			     names[i], al_op_name(d->op),
			     al_op_name(policy_syscall_class(names[i])));
	}
	/* Every syscall of these classes in the gate's table stands for its class. */
	{
		size_t all;
		const struct syscall_desc *t = syscalls_all(&all);

		for (size_t i = 0; i < all; i++) {
			enum al_op op = t[i].op;

			if (op == AL_OP_WRITE || op == AL_OP_READ || op == AL_OP_DELETE ||
			    op == AL_OP_CONNECT)
				continue; /* broad classes: spellings are matched by name */
			cr_expect_eq(policy_syscall_class(t[i].name), op,
				     "'%s' has no class in policy", t[i].name);
		}
	}
}

/* ---- the embedded default ----------------------------------------------------------- */

static struct policy *load_default(void)
{
	struct policy *p = NULL;

	cr_assert_eq(policy_load_default(&p), 0, "the embedded default must load");
	return p;
}

Test(policy, default_text_is_the_deployed_file)
{
	size_t len;
	const char *text = policy_default_text(&len);
	FILE *f = fopen("deploy/policy/default.yaml", "r");
	char *buf;

	if (!f)
		cr_skip_test("run from the top of the tree to compare with deploy/policy");
	buf = calloc(1, len + 2);
	cr_assert_eq(fread(buf, 1, len + 1, f), len);
	fclose(f);
	cr_assert_eq(memcmp(buf, text, len), 0);
	cr_assert_eq(text[len], '\0');
	free(buf);
}

Test(policy, default_leaves_ordinary_work_alone)
{
	struct policy *p = load_default();

	cr_assert_str_eq(policy_source(p), "<default>");
	expect(p, req_exec("/usr/bin/git", "git", "commit", "-m", "fix: x", NULL), AL_ALLOW, NULL);
	expect(p, req_exec("/usr/bin/git", "git", "push", "origin", "main", NULL), AL_ALLOW, NULL);
	expect(p, req_exec("/usr/bin/make", "make", "-j2", NULL), AL_ALLOW, NULL);
	expect(p, req_exec("/usr/bin/cc", "cc", "-O2", "-o", "x", "x.c", NULL), AL_ALLOW, NULL);
	expect(p, req_exec("/usr/bin/npm", "npm", "install", NULL), AL_ALLOW, NULL);
	expect(p,
	       req_exec("/usr/bin/python3", "python3", "-m", "pip", "install", "-r",
			"requirements.txt", NULL),
	       AL_ALLOW, NULL);
	expect(p, req_exec("/usr/bin/rm", "rm", "-f", "x.o", NULL), AL_ALLOW, NULL);
	expect(p, req_exec("/usr/bin/nohup", "nohup", "make", NULL), AL_ALLOW, NULL);
	expect(p, req_path(AL_OP_WRITE, WS "/src/main.c"), AL_ALLOW, NULL);
	expect(p, req_path(AL_OP_WRITE, WS "/node_modules/x/index.js"), AL_ALLOW, NULL);
	expect(p, req_path(AL_OP_WRITE, WS "/.venv/lib/python3.11/site-packages/x.py"), AL_ALLOW,
	       NULL);
	expect(p, req_path(AL_OP_WRITE, WS "/.git/index"), AL_ALLOW, NULL);
	expect(p, req_path(AL_OP_WRITE, WS "/.git/hooks/pre-push.sample"), AL_ALLOW, NULL);
	expect(p, req_rename(WS "/.git/config.lock", WS "/.git/config"), AL_ALLOW, NULL);
	expect(p, req_path(AL_OP_WRITE, "/tmp/build.log"), AL_ALLOW, NULL);
	expect(p, req_path(AL_OP_WRITE, "/dev/null"), AL_ALLOW, NULL);
	expect(p, req_path(AL_OP_WRITE, HOME "/.cache/pip/x"), AL_ALLOW, NULL);
	expect(p, req_path(AL_OP_WRITE, HOME "/.npm/_cacache/x"), AL_ALLOW, NULL);
	expect(p, req_path(AL_OP_DELETE, WS "/build/x.o"), AL_ALLOW, NULL);
	expect(p, req_path(AL_OP_CHMOD, WS "/run.sh"), AL_ALLOW, NULL);
	expect(p, req_path(AL_OP_READ, WS "/src/main.c"), AL_ALLOW, NULL);
	expect(p, req_path(AL_OP_READ, WS "/.env.example"), AL_ALLOW, NULL);
	expect(p, req_path(AL_OP_READ, "/etc/passwd"), AL_ALLOW, NULL);
	expect(p, req_path(AL_OP_READ, HOME "/.ssh/id_ed25519.pub"), AL_ALLOW, NULL);
	expect(p, req_path(AL_OP_READ, HOME "/.gitconfig"), AL_ALLOW, NULL);
	expect(p, req_path(AL_OP_READ, HOME "/.npmrc"), AL_ALLOW, NULL);
	expect(p, req_connect("127.0.0.1:5432"), AL_ALLOW, NULL);
	expect(p, req_connect("[::1]:3000"), AL_ALLOW, NULL);
	expect(p, req_connect("192.0.2.53:53"), AL_ALLOW, NULL);
	expect(p, req_connect("unix:/run/user/1000/pulse/native"), AL_ALLOW, NULL);
	expect(p, req_connect("unix:" WS "/.devserver.sock"), AL_ALLOW, NULL);
	expect(p, req_syscall(AL_OP_PRIVILEGE, "setresuid"), AL_AUDIT, "privilege-syscalls");
	policy_free(p);
}

Test(policy, default_as_root_and_in_system_directories)
{
	/* An agent in a container, as root, working in /opt/app. */
	struct policy *p = load_default();
	struct al_request *r;

#define ROOTED(req) (r = (req), r->home = "/root", r->workspace = "/opt/app", r)

	expect(p, ROOTED(req_path(AL_OP_WRITE, "/opt/app/src/main.py")), AL_ALLOW, NULL);
	expect(p, ROOTED(req_path(AL_OP_DELETE, "/opt/app/build/x.o")), AL_ALLOW, NULL);
	expect(p, ROOTED(req_path(AL_OP_CHMOD, "/opt/app/run.sh")), AL_ALLOW, NULL);
	expect(p, ROOTED(req_path(AL_OP_WRITE, "/root/.cache/pip/http/x")), AL_ALLOW, NULL);
	expect(p, ROOTED(req_path(AL_OP_WRITE, "/root/.npm/_cacache/x")), AL_ALLOW, NULL);
	expect(p, ROOTED(req_path(AL_OP_WRITE, "/opt/other/x")), AL_ASK, "system-files");
	expect(p, ROOTED(req_path(AL_OP_WRITE, "/etc/hosts")), AL_ASK, "system-files");
	expect(p, ROOTED(req_path(AL_OP_WRITE, "/root/.bashrc")), AL_ASK, "persistence");
	expect(p, ROOTED(req_path(AL_OP_READ, "/root/.aws/credentials")), AL_ASK,
	       "credentials-read");
	/* Out of the excepted workspace into the protected tree: the far end decides. */
	expect(p, ROOTED(req_rename("/opt/app/passwd", "/etc/passwd")), AL_ASK, "system-files");
	expect(p, ROOTED(req_rename("/opt/app/a", "/opt/app/b")), AL_ALLOW, NULL);
	r = ROOTED(req_path(AL_OP_WRITE, "/opt/app/a"));
	r->syscall = "linkat";
	snprintf(r->path2, sizeof(r->path2), "/usr/bin/x");
	expect(p, r, AL_ASK, "system-files");
	/* Started in /: no workspace, nothing excepted. */
	r = req_path(AL_OP_WRITE, "/etc/hosts");
	r->workspace = "/";
	expect(p, r, AL_ASK, "system-files");
#undef ROOTED
	policy_free(p);
}

Test(policy, default_asks_and_denies_where_it_should)
{
	struct policy *p = load_default();

	expect(p, req_exec("/usr/bin/sudo", "sudo", "apt", "install", "x", NULL), AL_ASK,
	       "escalation");
	expect(p, req_exec("/usr/bin/doas", "doas", "sh", NULL), AL_ASK, "escalation");
	expect(p, req_exec("/usr/bin/rm", "rm", "-rf", WS "/build", NULL), AL_ASK,
	       "recursive-delete");
	expect(p, req_exec("/usr/bin/rm", "rm", "-fR", "x", NULL), AL_ASK, "recursive-delete");
	expect(p, req_exec("/usr/bin/rm", "rm", "--recursive", "x", NULL), AL_ASK,
	       "recursive-delete");
	expect(p, req_exec("/usr/bin/rm", "rm", "--rec", "x", NULL), AL_ASK, "recursive-delete");
	expect(p, req_exec("/usr/bin/rm", "rm", "--force", "x", NULL), AL_ALLOW, NULL);
	expect(p, req_path(AL_OP_WRITE, "/etc/hosts"), AL_ASK, "system-files");
	expect(p, req_path(AL_OP_DELETE, "/usr/bin/git"), AL_ASK, "system-files-delete");
	expect(p, req_path(AL_OP_WRITE, HOME "/.ssh/authorized_keys"), AL_ASK, "persistence");
	expect(p, req_path(AL_OP_WRITE, HOME "/.bashrc"), AL_ASK, "persistence");
	expect(p, req_path(AL_OP_WRITE, HOME "/.config/systemd/user/x.service"), AL_ASK,
	       "persistence");
	expect(p, req_path(AL_OP_WRITE, WS "/.git/hooks/pre-commit"), AL_ASK, "git-hooks");
	expect(p, req_path(AL_OP_READ, HOME "/.aws/credentials"), AL_ASK, "credentials-read");
	expect(p, req_path(AL_OP_READ, HOME "/.ssh/id_rsa"), AL_ASK, "credentials-read");
	expect(p, req_path(AL_OP_READ, WS "/.env"), AL_ASK, "credentials-read");
	expect(p, req_path(AL_OP_READ, WS "/api/.env.production"), AL_ASK, "credentials-read");
	expect(p, req_path(AL_OP_READ, HOME "/.kube/config"), AL_ASK, "credentials-read");
	expect(p, req_path(AL_OP_READ, HOME "/.docker/config.json"), AL_ASK, "credentials-read");
	expect(p, req_path(AL_OP_READ, HOME "/.netrc"), AL_ASK, "credentials-read");
	expect(p, req_path(AL_OP_WRITE, HOME "/.docker/config.json"), AL_ASK, "credentials-write");
	expect(p, req_connect("140.82.112.3:443"), AL_ASK, "egress");
	expect(p, req_connect("[2606:4700::1111]:443"), AL_ASK, "egress");
	expect(p, req_connect("10.0.0.5:5432"), AL_ASK, "egress");
	expect(p, req_connect("127.0.0.1:22"), AL_ASK, "loopback-doors");
	expect(p, req_connect("169.254.169.254:80"), AL_ASK, "cloud-metadata");
	expect(p, req_connect("unix:/run/docker.sock"), AL_ASK, "service-sockets");
	expect(p, req_connect("unix:/var/run/docker.sock"), AL_ASK, "service-sockets");
	expect(p, req_connect("unix:/run/user/1000/bus"), AL_ASK, "service-sockets");
	expect(p, req_connect("unix:/run/user/1000/systemd/private"), AL_ASK, "service-sockets");
	expect(p, req_connect("unix:/tmp/tmux-1000/default"), AL_ASK, "service-sockets");
	expect(p, req_connect("unix:/run/screen/S-u/1234.pts-0.host"), AL_ASK, "service-sockets");
	expect(p, req_connect("unix:/tmp/ssh-XXXXabcd/agent.1234"), AL_ASK, "service-sockets");
	expect(p, req_connect("unix:@/tmp/.X11-unix/X0"), AL_ASK, "service-sockets");
	expect(p, req_connect("unix:/run/user/1000/vscode-ipc-1b2c.sock"), AL_ASK,
	       "service-sockets");
	expect(p, req_connect("unix:" HOME "/.ssh/agent/s.AbC.agent.xyz"), AL_ASK,
	       "service-sockets");
	expect(p, req_exec("/usr/bin/systemd-run", "systemd-run", "--user", "sh", NULL), AL_ASK,
	       "run-elsewhere");
	expect(p, req_exec("/usr/bin/at", "at", "now", NULL), AL_ASK, "run-elsewhere");
	expect(p, req_exec("/usr/bin/crontab", "crontab", "-", NULL), AL_ASK, "run-elsewhere");
	expect(p, req_path(AL_OP_WRITE, "/sys/fs/cgroup/unified/user.slice/cgroup.procs"), AL_DENY,
	       "cgroup-escape");
	expect(p, req_path(AL_OP_WRITE, "/sys/fs/cgroup/cgroup.procs"), AL_DENY, "cgroup-escape");
	expect(p, req_path(AL_OP_WRITE, "/var/log/airlock/audit.jsonl"), AL_DENY, "airlock-itself");
	expect(p, req_path(AL_OP_DELETE, "/var/log/airlock/audit.jsonl"), AL_DENY,
	       "airlock-itself-delete");
	expect(p, req_rename("/var/log/airlock/audit.jsonl", "/tmp/x"), AL_DENY, "airlock-itself");
	expect(p, req_path(AL_OP_WRITE, "/etc/airlock/policy.yaml"), AL_DENY, "airlock-itself");
	expect(p, req_syscall(AL_OP_MODULE, "finit_module"), AL_DENY, "kernel");
	expect(p, req_syscall(AL_OP_MOUNT, "fsmount"), AL_DENY, "kernel");
	expect(p, req_syscall(AL_OP_BPF, "bpf"), AL_DENY, "kernel");
	expect(p, req_syscall(AL_OP_KEXEC, "kexec_load"), AL_DENY, "kernel");
	expect(p, req_syscall(AL_OP_REBOOT, "reboot"), AL_DENY, "kernel");
	expect(p, req_syscall(AL_OP_PTRACE, "ptrace"), AL_ASK, "ptrace");
	expect(p, req_path(AL_OP_WRITE, "/proc/1234/mem"), AL_ASK, "process-memory");
	policy_free(p);
}

Test(policy, default_needs_read_and_no_other)
{
	struct policy *p = load_default();
	uint64_t ops = policy_ops_needed(p);

	cr_assert(ops & AL_OP_BIT(AL_OP_READ), "the default has credential read rules");
	cr_assert(ops & AL_OP_BIT(AL_OP_EXEC));
	cr_assert(ops & AL_OP_BIT(AL_OP_CONNECT));
	cr_assert_eq(ops & AL_OP_BIT(AL_OP_OTHER), 0);
	cr_assert_eq(ops & AL_OP_BIT(AL_OP_NONE), 0);
	policy_free(p);
}

/* ---- trees: renames and symlinks above what a rule names ---------------------------- */

/* As the gate reports a symlink: the new name, and its text verbatim as the second end. */
static struct al_request *req_symlink(const char *linkpath)
{
	struct al_request *r = req_path(AL_OP_WRITE, linkpath);

	r->syscall = "symlinkat";
	snprintf(r->path2, sizeof(r->path2), "%s", "../elsewhere");
	return r;
}

/* Hole #5 of docs/threat-model.md: rename a directory above the protected names away,
 * write below the new name, rename it back. */
Test(policy, rename_of_a_directory_above_a_rule_is_matched)
{
	struct policy *p = load_default();

	/* .git/hooks (and .git) away and back: the hooks below change names */
	expect(p, req_rename(WS "/.git/hooks", WS "/.git/h"), AL_ASK, "git-hooks");
	expect(p, req_rename(WS "/.git/h", WS "/.git/hooks"), AL_ASK, "git-hooks");
	expect(p, req_rename(WS "/.git", WS "/g"), AL_ASK, "git-hooks");
	expect(p, req_rename("/tmp/prepared", WS "/.git/hooks"), AL_ASK, "git-hooks");
	/* the home's persistence trees, at either end, and the home itself */
	expect(p, req_rename(HOME "/.ssh", HOME "/s"), AL_ASK, "persistence");
	expect(p, req_rename(HOME "/.config", HOME "/c"), AL_ASK, "persistence");
	expect(p, req_rename(HOME "/c", HOME "/.config"), AL_ASK, "persistence");
	expect(p, req_rename(HOME "/.local", "/tmp/l"), AL_ASK, "persistence");
	expect(p, req_rename(HOME "/.config/systemd", HOME "/.config/s"), AL_ASK, "persistence");
	expect(p, req_rename(HOME, "/home/v"), AL_ASK, "persistence");
	expect(p, req_rename("/home", "/h"), AL_ASK, "persistence");
	/* a read rule: the secrets move to names no read rule knows */
	expect(p, req_rename(HOME "/.aws", "/tmp/a"), AL_ASK, "credentials-read");
	/* a system tree: its rule matches /usr itself, as before */
	expect(p, req_rename("/usr", "/u"), AL_ASK, "system-files");
	policy_free(p);
}

/* A rename that leaves every protected name where it was asks nothing: whatever a leading
 * '**' takes was gated under its own name when it was written. */
Test(policy, rename_of_an_unrelated_directory_is_not_asked)
{
	struct policy *p = load_default();

	expect(p, req_rename(WS "/build", WS "/out"), AL_ALLOW, NULL);
	expect(p, req_rename(WS "/src/mod", "/tmp/mod"), AL_ALLOW, NULL);
	expect(p, req_rename(WS "/vendor/dep", WS "/vendor/dep.old"), AL_ALLOW, NULL);
	expect(p, req_rename(WS "/.git/refs/x", WS "/.git/refs/y"), AL_ALLOW, NULL);
	expect(p, req_rename(HOME "/.cache/pip", HOME "/.cache/pip.old"), AL_ALLOW, NULL);
	expect(p, req_rename(HOME "/.configx", HOME "/y"), AL_ALLOW, NULL);
	/* the workspace as a whole, and a file in a hooks directory as before */
	expect(p, req_rename(WS, HOME "/proj2"), AL_ALLOW, NULL);
	expect(p, req_rename(WS "/.git/hooks/a.sample", WS "/.git/hooks/b.sample"), AL_ALLOW, NULL);
	expect(p, req_rename(WS "/.git/hooks/a.sample", WS "/.git/hooks/pre-push"), AL_ASK,
	       "git-hooks");
	policy_free(p);
}

/* A parent of a protected file, under a rule that names the file alone. */
Test(policy, rename_of_a_parent_of_a_protected_file)
{
	struct policy *p = load("version: 1\n"
				"rules:\n"
				"  - name: key\n"
				"    match: { write: ['/srv/app/conf/key.pem'] }\n"
				"    action: deny\n"
				"  - name: deep\n"
				"    match: { delete: ['/data/**/keep'] }\n"
				"    action: ask\n");

	expect(p, req_rename("/srv/app/conf", "/srv/app/c"), AL_DENY, "key");
	expect(p, req_rename("/srv/app", "/srv/b"), AL_DENY, "key");
	expect(p, req_rename("/srv/x", "/srv/app"), AL_DENY, "key");
	expect(p, req_rename("/srv/app/other", "/srv/app/o"), AL_ALLOW, NULL);
	expect(p, req_rename("/srv/ap", "/srv/apq"), AL_ALLOW, NULL);
	/* a '**' in the middle: moving within the tree keeps every name, moving out does not */
	expect(p, req_rename("/data/a/b", "/data/c"), AL_ALLOW, NULL);
	expect(p, req_rename("/data/a/b", "/tmp/c"), AL_ASK, "deep");
	expect(p, req_rename("/tmp/c", "/data/a/b"), AL_ASK, "deep");
	/* ordinary writes keep exact-path semantics: a file at a parent's name is no tree */
	expect(p, req_path(AL_OP_WRITE, "/srv/app/conf"), AL_ALLOW, NULL);
	expect(p, req_path(AL_OP_DELETE, "/srv/app/conf"), AL_ALLOW, NULL);
	expect(p, req_path(AL_OP_CHMOD, HOME "/.ssh"), AL_ALLOW, NULL);
	policy_free(p);
}

/* An except excuses a moved tree only when it covers all of it. */
Test(policy, except_must_cover_a_moved_tree)
{
	struct policy *p = load("version: 1\n"
				"rules:\n"
				"  - name: opt\n"
				"    match: { write: ['/opt/**'] }\n"
				"    except: { write: ['./**'] }\n"
				"    action: ask\n"
				"  - name: home\n"
				"    match: { write: ['~/.config/**'] }\n"
				"    except: { write: ['~/.config/app/cache/**'] }\n"
				"    action: ask\n");
	struct al_request *r;

	/* the workspace /opt/app: its own trees move freely, inside it and out of it */
	r = req_rename("/opt/app/a", "/opt/app/b");
	r->workspace = "/opt/app";
	expect(p, r, AL_ALLOW, NULL);
	r = req_rename("/opt/app", "/tmp/app");
	r->workspace = "/opt/app";
	expect(p, r, AL_ALLOW, NULL);
	r = req_rename("/opt/app/a", "/opt/other");
	r->workspace = "/opt/app";
	expect(p, r, AL_ASK, "opt");
	/* a parent of the workspace is not covered by it */
	r = req_rename("/opt", "/tmp/opt");
	r->workspace = "/opt/app";
	expect(p, r, AL_ASK, "opt");
	/* an excepted subtree moves within itself; the tree above it does not */
	expect(p, req_rename(HOME "/.config/app/cache/a", HOME "/.config/app/cache/b"), AL_ALLOW,
	       NULL);
	expect(p, req_rename(HOME "/.config/app", HOME "/x"), AL_ASK, "home");
	expect(p, req_rename(HOME "/.config", HOME "/x"), AL_ASK, "home");
	policy_free(p);
}

/* A symlink at a directory's name sends everything below it elsewhere. */
Test(policy, symlink_above_a_rule_is_matched)
{
	struct policy *p = load_default();
	struct al_request *r;

	expect(p, req_symlink(HOME "/.config"), AL_ASK, "persistence");
	expect(p, req_symlink(HOME "/.ssh"), AL_ASK, "persistence");
	expect(p, req_symlink(HOME "/.local"), AL_ASK, "persistence");
	expect(p, req_symlink(WS "/.git/hooks"), AL_ASK, "git-hooks");
	expect(p, req_symlink(WS "/.git"), AL_ASK, "git-hooks");
	r = req_symlink(HOME "/.config");
	snprintf(r->path2, sizeof(r->path2), "%s", "/tmp/c");
	expect(p, r, AL_ASK, "persistence");
	/* not every symlink: a leading '**' is everywhere, whatever the target */
	expect(p, req_symlink(WS "/node_modules/.bin/tsc"), AL_ALLOW, NULL);
	expect(p, req_symlink(WS "/build"), AL_ALLOW, NULL);
	expect(p, req_symlink(HOME "/.cache/x"), AL_ALLOW, NULL);
	/* mkdir makes no redirection: what is created below it is gated by its name */
	expect(p, req_path(AL_OP_WRITE, HOME "/.config"), AL_ALLOW, NULL);
	policy_free(p);
}

/* A home behind a symlink (/home -> var/home): the gate reports resolved paths, so '~'
 * rules must match where the home really is, and still where the passwd entry says. */
Test(policy, home_behind_a_symlink_is_matched_where_it_resolves)
{
	char top[] = "/tmp/airlock-home-XXXXXX", p1[512], home[256], real[256];
	struct session *s = calloc(1, sizeof(*s));
	struct policy *p = load_default();
	struct al_request *r;

	cr_assert_not_null(s);
	cr_assert_not_null(mkdtemp(top));
	snprintf(p1, sizeof(p1), "%s/var", top);
	cr_assert_eq(mkdir(p1, 0755), 0);
	snprintf(p1, sizeof(p1), "%s/var/home", top);
	cr_assert_eq(mkdir(p1, 0755), 0);
	snprintf(real, sizeof(real), "%s/var/home/u", top);
	cr_assert_eq(mkdir(real, 0755), 0);
	snprintf(p1, sizeof(p1), "%s/home", top);
	cr_assert_eq(symlink("var/home", p1), 0);
	snprintf(home, sizeof(home), "%s/home/u", top);

	cr_assert_eq(session_set_home(s, home), 0);
	cr_assert_str_eq(s->home, home);
	cr_assert_not_null(s->home_real);
	cr_assert_str_eq(s->home_real, real);

	/* as the gate reports it: resolved */
	snprintf(p1, sizeof(p1), "%s/.ssh/authorized_keys", real);
	r = req_path(AL_OP_WRITE, p1);
	r->home = s->home;
	expect(p, r, AL_ALLOW, NULL); /* the hole: the written home alone misses */
	r = req_path(AL_OP_WRITE, p1);
	r->home = s->home;
	r->home_real = s->home_real;
	expect(p, r, AL_ASK, "persistence");
	snprintf(p1, sizeof(p1), "%s/.aws/credentials", real);
	r = req_path(AL_OP_READ, p1);
	r->home = s->home;
	r->home_real = s->home_real;
	expect(p, r, AL_ASK, "credentials-read");
	/* as written (a replayed request, a last component not followed) */
	snprintf(p1, sizeof(p1), "%s/.bashrc", home);
	r = req_path(AL_OP_WRITE, p1);
	r->home = s->home;
	r->home_real = s->home_real;
	expect(p, r, AL_ASK, "persistence");
	/* renaming the real home's parent moves every '~' tree */
	snprintf(p1, sizeof(p1), "%s/var/home", top);
	r = req_rename(p1, "/tmp/elsewhere");
	r->home = s->home;
	r->home_real = s->home_real;
	expect(p, r, AL_ASK, NULL);
	/* a home that is no symlink has no second name */
	cr_assert_eq(session_set_home(s, real), 0);
	cr_assert_null(s->home_real);

	snprintf(p1, sizeof(p1), "%s/home", top);
	unlink(p1);
	rmdir(real);
	snprintf(p1, sizeof(p1), "%s/var/home", top);
	rmdir(p1);
	snprintf(p1, sizeof(p1), "%s/var", top);
	rmdir(p1);
	rmdir(top);
	free(s->home);
	free(s->home_real);
	free(s);
	policy_free(p);
}

Test(policy, glob_has_at_most_62_components)
{
	char yaml[1024], glob[400] = "/";
	struct policy *p = NULL;

	for (int i = 0; i < 63; i++)
		strcat(glob, "a/");
	glob[strlen(glob) - 1] = '\0';
	snprintf(yaml, sizeof(yaml),
		 "version: 1\nrules:\n  - name: r\n    match: { write: ['%s'] }\n"
		 "    action: deny\n",
		 glob);
	cr_assert_eq(policy_load_buffer(yaml, strlen(yaml), "t.yaml", &p, &diags), -EINVAL);
	cr_assert_eq(diags.count, 1);
	cr_assert(strstr(diags.diag[0].message, "too many components (at most 62)"), "%s",
		  diags.diag[0].message);
	cr_assert_eq(diags.diag[0].line, 4);
	glob[strlen(glob) - 2] = '\0';
	snprintf(yaml, sizeof(yaml),
		 "version: 1\nrules:\n  - name: r\n    match: { write: ['%s'] }\n"
		 "    action: deny\n",
		 glob);
	p = load(yaml);
	policy_free(p);
}

/* ---- robustness --------------------------------------------------------------------- */

Test(policy, never_crashes_on_odd_input)
{
	static const char *const inputs[] = {
		"\0\0\0",
		"version: 1\nrules: [ {name: [a], match: [x], action: {}} ]\n",
		"version: 1\nrules: {a: b}\n",
		"version: 1\nrules:\n  - 1\n  - null\n  - []\n",
		"version: [1]\ndefaults: []\n",
		"version: 1\nrules: [ {name: a, match: {exec: [[a]]}, action: ask} ]\n",
		"version: 1\nrules: [ {name: a, match: {connect: ['[', ']', '/', ':', '[]:1']}, "
		"action: ask} ]\n",
		"version: 1\nrules: [ {name: a, match: {exec: ['\\0']}, action: ask} ]\n",
		"version: 1\nrules: [ {name: \"a\\0b\", match: {exec: [a]}, action: ask} ]\n",
		"version: 1\ndefaults: {ask_timeout: 99999999999999999999h}\n",
		"{[a]: b}\n",
		"version: 1\nrules: [ {? [a] : b} ]\n",
		"\xff\xfe\x00v",
		"%YAML 1.1\n--- !!map\nversion: !!int 1\n",
	};

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct policy *p = NULL;
		size_t len = i == 0 ? 3 : (i == 12 ? 4 : strlen(inputs[i]));
		int r = policy_load_buffer(inputs[i], len, "t.yaml", &p, &diags);

		if (r == 0) {
			policy_free(p);
			continue;
		}
		cr_expect_eq(r, -EINVAL, "input %zu: %d", i, r);
		cr_expect_gt(diags.count, 0, "input %zu: an error without a message", i);
	}
}

/* ---- requests ----------------------------------------------------------------------- */

Test(policy, request_json_round_trip)
{
	json_t *j = json_loads("{\"op\":\"exec\",\"path\":\"/usr/bin/sudo\",\"argv\":[\"sudo\","
			       "\"ls\"],\"home\":\"/home/u\",\"syscall\":\"execve\",\"pid\":42}",
			       0, NULL);
	struct al_request *r = calloc(1, sizeof(*r));
	char err[128], *s;
	json_t *out;

	cr_assert_not_null(j);
	cr_assert_eq(al_request_from_json(j, r, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(r->op, AL_OP_EXEC);
	cr_assert_eq(r->argc, 2);
	cr_assert_str_eq(r->argv[1], "ls");
	cr_assert_str_eq(r->home, "/home/u");
	out = al_request_to_json(r);
	s = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
	cr_assert_str_eq(s,
			 "{\"argv\":[\"sudo\",\"ls\"],\"op\":\"exec\",\"path\":\"/usr/bin/sudo\","
			 "\"pid\":42,\"syscall\":\"execve\",\"uid\":0}");
	free(s);
	json_decref(out);
	json_decref(j);

	j = json_loads("{\"op\":\"connect\",\"addr\":\"[::1]:80\"}", 0, NULL);
	cr_assert_eq(al_request_from_json(j, r, err, sizeof(err)), 0, "%s", err);
	out = al_request_to_json(r);
	cr_assert_str_eq(json_string_value(json_object_get(out, "addr")), "[::1]:80");
	json_decref(out);
	json_decref(j);

	j = json_loads("{\"op\":\"connect\",\"addr\":\"unix:@abs\"}", 0, NULL);
	cr_assert_eq(al_request_from_json(j, r, err, sizeof(err)), 0, "%s", err);
	out = al_request_to_json(r);
	cr_assert_str_eq(json_string_value(json_object_get(out, "addr")), "unix:@abs");
	json_decref(out);
	json_decref(j);

	j = json_loads("{\"op\":\"exec\",\"pth\":\"/x\"}", 0, NULL);
	cr_assert_eq(al_request_from_json(j, r, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "unknown field 'pth'");
	json_decref(j);
	j = json_loads("{\"op\":\"connect\",\"addr\":\"1.2.3.4:70000\"}", 0, NULL);
	cr_assert_eq(al_request_from_json(j, r, err, sizeof(err)), -EINVAL);
	json_decref(j);
	free(r);
}

Test(policy, request_json_reads_back_what_it_writes)
{
	/* What the daemon shows (airlock watch --json) can be replayed by policy test. */
	struct al_request *a = req_syscall(AL_OP_PRIVILEGE, "setresuid");
	struct al_request *b = calloc(1, sizeof(*b));
	char err[128], ka[256], kb[256];
	json_t *j;

	a->args[0] = 0;
	a->args[1] = 1000;
	a->args[2] = (uint64_t)-1;
	a->pid = 7;
	a->uid = 1000;
	j = al_request_to_json(a);
	cr_assert_not_null(j);
	cr_assert_eq(al_request_from_json(j, b, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(b->op, AL_OP_PRIVILEGE);
	cr_assert_str_eq(b->syscall, "setresuid");
	cr_assert_eq(b->args[1], 1000);
	cr_assert_eq(b->args[2], (uint64_t)-1);
	cr_assert_eq(b->uid, 1000);
	cr_assert_eq(al_request_key(a, ka, sizeof(ka)), 0);
	cr_assert_eq(al_request_key(b, kb, sizeof(kb)), 0);
	cr_assert_str_eq(ka, kb);
	json_decref(j);
	free(a);

	a = req_exec("/usr/bin/rm", "rm", "-rf", "/", NULL);
	a->argv_truncated = true;
	j = al_request_to_json(a);
	cr_assert_eq(al_request_from_json(j, b, err, sizeof(err)), 0, "%s", err);
	cr_assert(b->argv_truncated);
	cr_assert_eq(b->argc, 3);
	json_decref(j);
	free(a);
	free(b);
}

Test(policy, request_json_keeps_non_utf8_paths)
{
	struct al_request *r = req_path(AL_OP_WRITE, "/tmp/\xff\xfe");
	json_t *j = al_request_to_json(r);

	cr_assert_not_null(j);
	cr_assert_str_eq(json_string_value(json_object_get(j, "path")), "/tmp/\\xff\\xfe");
	json_decref(j);
	free(r);
}

Test(policy, request_key_is_canonical_and_never_truncated)
{
	struct al_request *a = req_exec("/usr/bin/rm", "rm", "-rf", "x", NULL);
	struct al_request *b = req_exec("/usr/bin/rm", "RM", "-rf", "x", NULL);
	struct al_request *c = req_exec("/usr/bin/rm", "rm", "-rf x", NULL);
	char ka[256], kb[256], kc[256], small[8];

	cr_assert_eq(al_request_key(a, ka, sizeof(ka)), 0);
	cr_assert_eq(al_request_key(b, kb, sizeof(kb)), 0);
	cr_assert_eq(al_request_key(c, kc, sizeof(kc)), 0);
	cr_assert_str_eq(ka, kb, "argv[0] is not part of what policy matched");
	cr_assert_str_neq(ka, kc, "'-rf x' as one argument is not '-rf' 'x'");
	cr_assert_str_eq(ka, "4:exec,11:/usr/bin/rm,3:-rf,1:x,");
	cr_assert_eq(al_request_key(a, small, sizeof(small)), -ENOSPC);
	cr_assert_str_eq(small, "", "no partial key is left behind");
	a->argv_truncated = true;
	cr_assert_eq(al_request_key(a, ka, sizeof(ka)), -E2BIG);
	free(a);
	free(b);
	free(c);

	a = req_connect("10.0.0.1:443");
	cr_assert_eq(al_request_key(a, ka, sizeof(ka)), 0);
	cr_assert_str_eq(ka, "7:connect,12:10.0.0.1:443,");
	free(a);
	a = req_rename("/a", "/b");
	cr_assert_eq(al_request_key(a, ka, sizeof(ka)), 0);
	cr_assert_str_eq(ka, "6:delete,2:/a,2:/b,");
	free(a);
}

Test(policy, op_names)
{
	for (int i = 0; i < AL_OP__MAX; i++)
		cr_assert_eq(al_op_from_name(al_op_name(i)), i);
	cr_assert_eq(al_op_from_name("file-write"), AL_OP_WRITE);
	cr_assert_eq(al_op_from_name("net-connect"), AL_OP_CONNECT);
	cr_assert_eq(al_op_from_name("nope"), -EINVAL);
	cr_assert_str_eq(al_op_name(AL_OP__MAX), "unknown");
}
