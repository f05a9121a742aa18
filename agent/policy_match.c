// SPDX-License-Identifier: Apache-2.0
/*
 * Deciding a request: a pure function of (policy, request).  First matching rule wins, no
 * match allows.  Which keys of a rule can match depends on the request's op class; a key
 * that cannot apply to the class makes the rule not match (keys are ANDed).
 *
 * A rename is reported by the gate as AL_OP_DELETE with the source in path and the
 * destination in path2.  Both ends are checked against both `delete` and `write` rules:
 * the source name disappears (a delete) and the destination is replaced (a write, and a
 * delete of whatever was there), and moving a file out of a protected tree changes that
 * tree as much as writing into it does.  The source of a rename or a link (AL_OP_WRITE with
 * path2) is also checked against `read` rules: a new name would let it be read unasked.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/un.h>

#include "policy_internal.h"

/* The syscall names that stand for their whole class in a `syscall:` entry:
 * `syscall: [mount]` also covers the new mount API, which would otherwise be a way around
 * the rule.  Names of syscalls that are one spelling among many of a broad class (openat,
 * truncate, rename, sendto ...) are matched by name only: `syscall: [openat]` means opens.
 * Every entry agrees with the gate's table (agent/syscalls.c); a unit test checks it. */
static const struct {
	const char *name;
	enum al_op op;
} syscall_classes[] = {
	{ "mount", AL_OP_MOUNT },
	{ "umount", AL_OP_MOUNT },
	{ "umount2", AL_OP_MOUNT },
	{ "fsopen", AL_OP_MOUNT },
	{ "fsmount", AL_OP_MOUNT },
	{ "fsconfig", AL_OP_MOUNT },
	{ "fspick", AL_OP_MOUNT },
	{ "move_mount", AL_OP_MOUNT },
	{ "open_tree", AL_OP_MOUNT },
	{ "mount_setattr", AL_OP_MOUNT },
	{ "pivot_root", AL_OP_MOUNT },
	{ "init_module", AL_OP_MODULE },
	{ "finit_module", AL_OP_MODULE },
	{ "delete_module", AL_OP_MODULE },
	{ "kexec_load", AL_OP_KEXEC },
	{ "kexec_file_load", AL_OP_KEXEC },
	{ "bpf", AL_OP_BPF },
	{ "reboot", AL_OP_REBOOT },
	{ "ptrace", AL_OP_PTRACE },
	{ "process_vm_writev", AL_OP_PTRACE },
	{ "process_vm_readv", AL_OP_PTRACE },
	{ "pidfd_getfd", AL_OP_PTRACE },
	{ "kill", AL_OP_SIGNAL },
	{ "tkill", AL_OP_SIGNAL },
	{ "tgkill", AL_OP_SIGNAL },
	{ "rt_sigqueueinfo", AL_OP_SIGNAL },
	{ "rt_tgsigqueueinfo", AL_OP_SIGNAL },
	{ "pidfd_send_signal", AL_OP_SIGNAL },
	{ "setuid", AL_OP_PRIVILEGE },
	{ "setgid", AL_OP_PRIVILEGE },
	{ "setreuid", AL_OP_PRIVILEGE },
	{ "setregid", AL_OP_PRIVILEGE },
	{ "setresuid", AL_OP_PRIVILEGE },
	{ "setresgid", AL_OP_PRIVILEGE },
	{ "setfsuid", AL_OP_PRIVILEGE },
	{ "setfsgid", AL_OP_PRIVILEGE },
	{ "setgroups", AL_OP_PRIVILEGE },
	{ "capset", AL_OP_PRIVILEGE },
	{ "execve", AL_OP_EXEC },
	{ "execveat", AL_OP_EXEC },
	{ "connect", AL_OP_CONNECT },
	{ "unlink", AL_OP_DELETE },
	{ "unlinkat", AL_OP_DELETE },
	{ "rmdir", AL_OP_DELETE },
	{ "chmod", AL_OP_CHMOD },
	{ "fchmod", AL_OP_CHMOD },
	{ "fchmodat", AL_OP_CHMOD },
	{ "fchmodat2", AL_OP_CHMOD },
	{ "chown", AL_OP_CHOWN },
	{ "fchown", AL_OP_CHOWN },
	{ "lchown", AL_OP_CHOWN },
	{ "fchownat", AL_OP_CHOWN },
};

/* The names above, for the test that keeps them in step with the gate's table. */
size_t policy_syscall_classes(const char *const **ret_names)
{
	static const char *names[sizeof(syscall_classes) / sizeof(syscall_classes[0])];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		names[i] = syscall_classes[i].name;
	*ret_names = names;
	return sizeof(names) / sizeof(names[0]);
}

enum al_op policy_syscall_class(const char *name)
{
	for (size_t i = 0; i < sizeof(syscall_classes) / sizeof(syscall_classes[0]); i++)
		if (strcmp(syscall_classes[i].name, name) == 0)
			return syscall_classes[i].op;
	return AL_OP_NONE;
}

#define ALL_OPS ((AL_OP_BIT(AL_OP__MAX) - 1) & ~AL_OP_BIT(AL_OP_NONE))

uint64_t pmatch_ops(const struct pmatch *m)
{
	uint64_t ops = ALL_OPS;

	if (m->keys & (PK_EXEC | PK_ARGV))
		ops &= AL_OP_BIT(AL_OP_EXEC);
	if (m->keys & PK_WRITE)
		ops &= AL_OP_BIT(AL_OP_WRITE) | AL_OP_BIT(AL_OP_DELETE); /* rename */
	if (m->keys & PK_READ)
		ops &= AL_OP_BIT(AL_OP_READ) | AL_OP_BIT(AL_OP_WRITE) | AL_OP_BIT(AL_OP_DELETE);
	if (m->keys & PK_DELETE)
		ops &= AL_OP_BIT(AL_OP_DELETE);
	if (m->keys & PK_CHMOD)
		ops &= AL_OP_BIT(AL_OP_CHMOD);
	if (m->keys & PK_CHOWN)
		ops &= AL_OP_BIT(AL_OP_CHOWN);
	if (m->keys & PK_CONNECT)
		ops &= AL_OP_BIT(AL_OP_CONNECT);
	if (m->keys & PK_OP)
		ops &= m->ops;
	if (m->keys & PK_SYSCALL) {
		uint64_t s = m->sys_ops & ops & ~AL_OP_BIT(AL_OP_OTHER);

		/* A name without a class matches by name in whatever class the gate reports
		 * it: the other keys bound the class, or else it is AL_OP_OTHER. */
		if (m->nsys_names)
			s |= (m->keys & ~PK_SYSCALL) ? ops : AL_OP_BIT(AL_OP_OTHER);
		ops = s;
	}
	return ops;
}

/* How a path glob is held against an end of a request that moves a tree (a rename, or
 * a symlink, which redirects everything below its name):
 * EXACT: the end itself matches;
 * TREE: the names below the end match differently after the move than before, so the move
 *   is a way to write (or read) what the glob protects: rename `.git/hooks` away, write
 *   `pre-commit` in it, rename it back;
 * ANY: either;
 * COVER: for an except on an end matched as a TREE, the glob covers the end and everything
 *   below it (an except must excuse every name the move affects). */
enum end_mode { END_ANY, END_EXACT, END_TREE, END_COVER };

/* One decision's view of its request: each path split once, on first use, however many
 * globs look at it. */
struct decide_ctx {
	const struct al_request *r;
	int only_end; /* 0: both paths; 1 or 2: look at path or path2 alone (see rule_applies) */
	enum end_mode mode;
	bool rename;  /* path and path2 are a rename's ends: the trees below them move */
	bool symlink; /* path is a new symlink (path2 its text, which policy does not resolve):
		       * the tree below its name goes elsewhere */
	struct psplit path, path2;
	bool path_ready, path2_ready;
};

static struct psplit *split_of(struct decide_ctx *c, int which)
{
	if (which == 1) {
		if (!c->path_ready) {
			psplit_init(&c->path, c->r->path);
			c->path_ready = true;
		}
		return &c->path;
	}
	if (!c->path2_ready) {
		psplit_init(&c->path2, c->r->path2);
		c->path2_ready = true;
	}
	return &c->path2;
}

static uint64_t states_at(const struct pglob *g, struct decide_ctx *c, int which)
{
	const struct al_request *r = c->r;

	return pglob_states(g, split_of(c, which), r->home, r->home_real, r->workspace);
}

/* Does moving the tree at an end change what glob g matches below it?  here: the glob's
 * positions at that end; there: at the other end of a rename.  A rename: the positions
 * differ (equal positions mean the same names below both ends match, as for `mv build out`
 * under the default's git-hooks glob, whose leading '**' takes any directory).  A symlink:
 * its target is not known to policy, so any position that not every path has (~/.config
 * under a glob for ~/.config/systemd and below) counts.  The final position says whether
 * the end itself matches, which exact matching decides; only the others say what matches
 * below it. */
static bool tree_moves(const struct pglob *g, const struct decide_ctx *c, uint64_t here,
		       uint64_t there)
{
	uint64_t fin = pglob_final(g);

	if (here == PSTATE_ABOVE)
		return true;
	here &= ~fin;
	if (!here)
		return false;
	if (c->symlink)
		return (here & ~pglob_states_everywhere(g)) != 0;
	return there == PSTATE_ABOVE || here != (there & ~fin);
}

static bool glob_hits(const struct pglob *g, struct decide_ctx *c, int which)
{
	const struct al_request *r = c->r;
	bool tree = c->rename || (c->symlink && which == 1);
	uint64_t here, there = 0;

	if (!tree || c->mode == END_EXACT)
		return pglob_match_split(g, split_of(c, which), r->home, r->home_real,
					 r->workspace);
	here = states_at(g, c, which);
	if (c->mode == END_COVER)
		return pglob_states_cover(g, here);
	if (here != PSTATE_ABOVE && (here & pglob_final(g)))
		return true; /* the end itself */
	if (!here)
		return false; /* nothing below this end can match: no need to look at the other */
	if (c->rename)
		there = states_at(g, c, which == 1 ? 2 : 1);
	return tree_moves(g, c, here, there);
}

/* Does the request's path (which 1) or path2 (which 2) match any of gs? */
static bool any_glob(const struct pglobs *gs, struct decide_ctx *c, int which)
{
	const char *path = which == 1 ? c->r->path : c->r->path2;

	if (!path[0] || gs->n == 0 || (c->only_end && c->only_end != which))
		return false;
	for (size_t i = 0; i < gs->n; i++)
		if (glob_hits(&gs->v[i], c, which))
			return true;
	return false;
}

static bool either_end(const struct pglobs *gs, struct decide_ctx *c)
{
	if (!c->rename || c->mode != END_ANY || c->only_end)
		return any_glob(gs, c, 1) || any_glob(gs, c, 2);
	/* Both ends of a rename at once, each glob's positions computed once per end: it
	 * matches when either end matches, or when the positions below them differ. */
	for (size_t i = 0; i < gs->n; i++) {
		const struct pglob *g = &gs->v[i];
		uint64_t fin = pglob_final(g), s1 = states_at(g, c, 1), s2 = states_at(g, c, 2);

		if (s1 == PSTATE_ABOVE || s2 == PSTATE_ABOVE || ((s1 | s2) & fin) ||
		    (s1 & ~fin) != (s2 & ~fin))
			return true;
	}
	return false;
}

static bool argv_matches(const struct pglobs *gs, const struct al_request *r)
{
	for (int i = 1; i < r->argc && i <= AL_ARGV_MAX && r->argv[i]; i++)
		for (size_t k = 0; k < gs->n; k++)
			if (pglob_match(&gs->v[k], r->argv[i], NULL, NULL))
				return true;
	return false;
}

static bool connect_matches(const struct pmatch *m, struct decide_ctx *c)
{
	const struct al_request *r = c->r;

	if (r->addr.ss_family == AF_UNIX) {
		char text[sizeof("unix:@") + sizeof(((struct sockaddr_un *)0)->sun_path)];
		struct psplit sp;

		if (m->unix_paths.n == 0)
			return false;
		/* A pathname socket is also matched where it resolves (the gate resolves it
		 * like any path: from the cwd, through symlinks and /proc links), or a
		 * relative name or a symlink to the socket would slip past the rule. */
		if (any_glob(&m->unix_paths, c, 1))
			return true;
		if (al_addr_format(&r->addr, r->addrlen, text, sizeof(text)) < 0)
			return false;
		psplit_init(&sp, text + strlen("unix:"));
		for (size_t i = 0; i < m->unix_paths.n; i++)
			if (pglob_match_split(&m->unix_paths.v[i], &sp, r->home, r->home_real,
					      r->workspace))
				return true;
		return false;
	}
	for (size_t i = 0; i < m->nnets; i++)
		if (pnet_match(&m->nets[i], &r->addr))
			return true;
	return false;
}

static bool syscall_matches(const struct pmatch *m, const struct al_request *r)
{
	if (r->op != AL_OP_OTHER && (m->sys_ops & AL_OP_BIT(r->op)))
		return true;
	if (!r->syscall)
		return false;
	for (size_t i = 0; i < m->nsys_names; i++)
		if (strcmp(m->sys_names[i], r->syscall) == 0)
			return true;
	return false;
}

/* unseen: what an argv key says about arguments the gate did not keep (an argv longer
 * than AL_ARGV_MAX or AL_ARGBUF_SIZE).  The caller picks the answer that leads to the
 * stricter outcome, or an option placed past the kept arguments (GNU getopt takes options
 * anywhere: `rm f1 ... f300 -r dir`) would walk past an argv rule. */
static bool pmatch_matches(const struct pmatch *m, struct decide_ctx *c, bool unseen)
{
	const struct al_request *r = c->r;
	bool rename = r->op == AL_OP_DELETE && r->path2[0];
	/* A link or a rename gives its source a new name, which a read rule would not know:
	 * `ln ~/.aws/credentials x; cat x`.  So read rules also match the source of both. */
	bool new_name = (r->op == AL_OP_WRITE || r->op == AL_OP_DELETE) && r->path2[0];

	if ((unsigned)r->op >= AL_OP__MAX || r->op == AL_OP_NONE)
		return false;
	if ((m->keys & PK_EXEC) && (r->op != AL_OP_EXEC || !any_glob(&m->exec, c, 1)))
		return false;
	if ((m->keys & PK_ARGV) &&
	    (r->op != AL_OP_EXEC || !(argv_matches(&m->argv, r) || (unseen && r->argv_truncated))))
		return false;
	if ((m->keys & PK_WRITE) &&
	    (!(r->op == AL_OP_WRITE || rename) || !either_end(&m->write, c)))
		return false;
	if ((m->keys & PK_DELETE) && (r->op != AL_OP_DELETE || !either_end(&m->del, c)))
		return false;
	if ((m->keys & PK_READ) &&
	    (!(r->op == AL_OP_READ || new_name) || !any_glob(&m->read, c, 1)))
		return false;
	if ((m->keys & PK_CHMOD) && (r->op != AL_OP_CHMOD || !any_glob(&m->chmod, c, 1)))
		return false;
	if ((m->keys & PK_CHOWN) && (r->op != AL_OP_CHOWN || !any_glob(&m->chown, c, 1)))
		return false;
	if ((m->keys & PK_CONNECT) && (r->op != AL_OP_CONNECT || !connect_matches(m, c)))
		return false;
	if ((m->keys & PK_OP) && !(m->ops & AL_OP_BIT(r->op)))
		return false;
	if ((m->keys & PK_SYSCALL) && !syscall_matches(m, r))
		return false;
	return m->keys != 0;
}

/* Does rule r decide request c->r: its match matches and its except does not?
 *
 * A rename or a link has two paths, and an except must cover each end the rule is about,
 * or a carve-out on one end would excuse the other: moving a file from the excepted
 * workspace into /etc, or renaming an excepted *.sample hook to an active one.  So the
 * ends the match matches on alone are each checked against the except alone (a match that
 * needs both ends at once, as write+delete on a rename can, needs both excepted).  An end
 * the match holds as a moving tree (see tree_moves) is excused only by an except that
 * covers the whole tree: the workspace and all below it excuses renaming the workspace,
 * the *.sample hooks do not excuse renaming the hooks directory. */
static bool rule_applies(const struct prule *r, struct decide_ctx *c, bool strict)
{
	const struct al_request *req = c->r;
	bool ends[3] = { false, false, false }, tree[3] = { false, false, false };
	bool applies = false;

	c->only_end = 0;
	c->mode = END_ANY;
	if (!pmatch_matches(&r->match, c, strict))
		goto out;
	if (!r->has_except) {
		applies = true;
		goto out;
	}
	if (!req->path2[0] || (req->op != AL_OP_WRITE && req->op != AL_OP_DELETE)) {
		applies = !pmatch_matches(&r->except, c, !strict);
		goto out;
	}
	for (int e = 1; e <= 2; e++) {
		c->only_end = e;
		c->mode = END_ANY;
		ends[e] = pmatch_matches(&r->match, c, strict);
		c->mode = END_EXACT;
		tree[e] = ends[e] && !pmatch_matches(&r->match, c, strict);
	}
	if (!ends[1] && !ends[2]) {
		ends[1] = ends[2] = true;
		c->only_end = 0;
		c->mode = END_EXACT;
		tree[1] = tree[2] = !pmatch_matches(&r->match, c, strict);
	}
	for (int e = 1; e <= 2 && !applies; e++) {
		c->only_end = e;
		c->mode = tree[e] ? END_COVER : END_EXACT;
		applies = ends[e] && !pmatch_matches(&r->except, c, !strict);
	}
out:
	c->only_end = 0;
	c->mode = END_ANY;
	return applies;
}

void policy_decide(const struct policy *p, const struct al_request *req, struct al_decision *ret)
{
	struct decide_ctx c; /* not zeroed: 16 KiB of segments, filled only when used */

	c.r = req;
	c.only_end = 0;
	c.mode = END_ANY;
	c.rename = req->op == AL_OP_DELETE && req->path[0] && req->path2[0];
	/* A symlink is a name that redirects everything below it: one at ~/.config (where
	 * the agent renamed or removed the directory) sends ~/.config/autostart/x.desktop
	 * to a path no rule names.  mkdir, link and mknod make no such redirection: what is
	 * later created below a new directory is gated under its own name. */
	c.symlink =
		req->op == AL_OP_WRITE && req->path[0] && req->syscall &&
		(strcmp(req->syscall, "symlink") == 0 || strcmp(req->syscall, "symlinkat") == 0);
	c.path_ready = c.path2_ready = false;
	memset(ret, 0, sizeof(*ret));
	ret->action = AL_ALLOW;
	ret->rule_index = UINT_MAX;
	ret->on_timeout = p->on_timeout;
	for (size_t i = 0; i < p->nrules; i++) {
		const struct prule *r = &p->rules[i];
		bool strict = r->action == AL_ASK || r->action == AL_DENY;

		if (!rule_applies(r, &c, strict))
			continue;
		ret->action = r->action;
		ret->rule = r->name;
		ret->rule_index = (unsigned)i;
		ret->error = r->error ? r->error : p->error;
		if (r->action == AL_ASK) {
			ret->timeout_ms = r->timeout_ms ? r->timeout_ms : p->ask_timeout_ms;
			ret->on_timeout =
				r->on_timeout >= 0 ? (enum al_action)r->on_timeout : p->on_timeout;
			ret->timeout_error = ret->error;
		}
		if (r->action != AL_DENY)
			ret->error = 0;
		return;
	}
}

uint64_t policy_ops_needed(const struct policy *p)
{
	return p->ops_needed;
}

size_t policy_syscalls_named(const struct policy *p, const char *const **ret_names)
{
	*ret_names = p->syscall_names;
	return p->nsyscall_names;
}

uint32_t policy_ask_timeout_ms(const struct policy *p)
{
	return p->ask_timeout_ms;
}

const struct redact_policy *policy_redact(const struct policy *p)
{
	return p->redact;
}

const char *policy_source(const struct policy *p)
{
	return p->source;
}

const char *al_action_name(enum al_action a)
{
	switch (a) {
	case AL_ALLOW:
		return "allow";
	case AL_DENY:
		return "deny";
	case AL_ASK:
		return "ask";
	case AL_AUDIT:
		return "audit";
	}
	return "unknown";
}

size_t policy_rule_count(const struct policy *p)
{
	return p->nrules;
}

int policy_rule_info(const struct policy *p, unsigned index, struct policy_rule_info *ret)
{
	const struct prule *r;

	if (index >= p->nrules)
		return -ENOENT;
	r = &p->rules[index];
	ret->name = r->name;
	ret->line = r->line;
	ret->action = r->action;
	ret->reviewers = (const char *const *)r->reviewers;
	ret->nreviewers = r->nreviewers;
	return 0;
}
