/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside struct policy: shared by the parser (policy.c), the matcher (policy_match.c) and
 * the globs and addresses (policy_glob.c).  Nothing outside policy*.c includes this.
 */
#ifndef AIRLOCK_POLICY_INTERNAL_H
#define AIRLOCK_POLICY_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

/* Where a path glob is anchored. */
enum pglob_kind {
	PGLOB_ABS,	 /* starts with '/' or with a '**' component: from the root */
	PGLOB_HOME,	 /* starts with '~': below req->home */
	PGLOB_WORKSPACE, /* anything else: below req->workspace */
	PGLOB_BASENAME,	 /* exec "sudo": the last component of the executable's path */
	PGLOB_FLAT,	 /* argv "-*r*", "unix:@*": one string, '/' is an ordinary byte */
};

struct pglob {
	char *text; /* as written, for messages and `airlock policy show` */
	enum pglob_kind kind;
	char **comp; /* path kinds: one pattern per component, "**" spans components;
		      * BASENAME and FLAT: comp[0] is the whole pattern */
	size_t ncomp;
};

enum pglob_mode { PGLOB_MODE_PATH, PGLOB_MODE_EXEC, PGLOB_MODE_FLAT };

/* 0, -ENOMEM, or -EINVAL with a static reason in *why. */
int pglob_compile(const char *text, enum pglob_mode mode, struct pglob *ret, const char **why);
void pglob_free(struct pglob *g);
bool pglob_match(const struct pglob *g, const char *path, const char *home, const char *workspace);

/* A path split into components once, for matching it against many globs.  The home and
 * workspace anchors are located on first use and cached (a struct psplit belongs to one
 * request: one home, one workspace). */
#define PSPLIT_MAX_SEGS (PATH_MAX / 2 + 1)

struct psplit {
	const char *path;
	bool valid;	    /* absolute, and not more components than a PATH_MAX path can have */
	int home_at, ws_at; /* first segment below the anchor; -1: not below; -2: not known */
	int home_above, ws_above; /* a proper ancestor of the anchor: 1, 0; -1: not known */
	size_t ns;
	struct {
		uint16_t off, len;
	} seg[PSPLIT_MAX_SEGS];
};

void psplit_init(struct psplit *sp, const char *path);
/* home_real: where the home really is when the passwd entry names it through a symlink
 * (NULL: the same); '~' globs match below either. */
bool pglob_match_split(const struct pglob *g, struct psplit *sp, const char *home,
		       const char *home_real, const char *workspace);

/* A path glob as a set of positions, for the trees a rename or a symlink moves: bit i set
 * when comp[i] could match the next component below the path, bit ncomp (pglob_final) when
 * the glob matches the path itself.  Equal sets at two paths mean the same names below
 * both match.  PSTATE_ABOVE: the path is a proper ancestor of the glob's anchor (the home
 * or the workspace), so anything the glob matches is below it. */
#define PGLOB_MAX_COMPS	     62
#define PGLOB_MAX_COMPS_TEXT "62"
#define PSTATE_ABOVE	     (UINT64_C(1) << 63)

uint64_t pglob_states(const struct pglob *g, struct psplit *sp, const char *home,
		      const char *home_real, const char *workspace);
uint64_t pglob_final(const struct pglob *g);
/* The positions every path is at (a leading '**' and what follows it): no rename or symlink
 * changes them. */
uint64_t pglob_states_everywhere(const struct pglob *g);
/* Does the glob match everything below (and at) a path with states s? */
bool pglob_states_cover(const struct pglob *g, uint64_t s);

/* A destination network: CIDR and port range (0-65535 when no port was given). */
struct pnet {
	char *text;
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t prefix;
	uint16_t port_lo, port_hi;
};

/* 0 or -EINVAL with a static reason; *ret_host_bits is set when the address had bits set
 * below the prefix (they are cleared: a warning, not an error). */
int pnet_parse(const char *text, struct pnet *ret, const char **why, bool *ret_host_bits);
struct sockaddr_storage;
bool pnet_match(const struct pnet *n, const struct sockaddr_storage *ss);

/* The keys of a match (or except) block, a bit each. */
enum pkey {
	PK_EXEC = 1u << 0,
	PK_ARGV = 1u << 1,
	PK_WRITE = 1u << 2,
	PK_READ = 1u << 3,
	PK_DELETE = 1u << 4,
	PK_CHMOD = 1u << 5,
	PK_CHOWN = 1u << 6,
	PK_CONNECT = 1u << 7,
	PK_SYSCALL = 1u << 8,
	PK_OP = 1u << 9,
};

struct pglobs {
	struct pglob *v;
	size_t n;
};

struct pmatch {
	unsigned keys; /* enum pkey bits present */
	struct pglobs exec, argv, write, read, del, chmod, chown;
	struct pglobs unix_paths; /* connect: "unix:..." entries, the prefix stripped */
	struct pnet *nets;	  /* connect: CIDR entries */
	size_t nnets;
	uint64_t ops;	  /* op: classes */
	uint64_t sys_ops; /* syscall: names that stand for a whole class */
	char **sys_names; /* syscall: names without a class of their own */
	size_t nsys_names;
	char **sys_text; /* syscall: every name as written, for `airlock policy show` */
	size_t nsys_text;
};

struct prule {
	char *name;
	int line, column;
	struct pmatch match, except;
	bool has_except;
	enum al_action action;
	int error;	     /* 0: the default */
	uint32_t timeout_ms; /* 0: the default */
	int on_timeout;	     /* -1: the default, else AL_ALLOW or AL_DENY */
	char **reviewers;
	size_t nreviewers;
};

struct policy {
	char *source;
	uint32_t ask_timeout_ms;
	enum al_action on_timeout;
	int error;
	struct prule *rules;
	size_t nrules;
	struct redact_policy *redact;
	uint64_t ops_needed;
	const char **syscall_names; /* borrowed from the rules, deduplicated */
	size_t nsyscall_names;
};

/* The class a syscall name stands for in a `syscall:` entry, or AL_OP_NONE. */
enum al_op policy_syscall_class(const char *name);
size_t policy_syscall_classes(const char *const **ret_names);
/* The op bits a match block can ever match (its keys intersected). */
uint64_t pmatch_ops(const struct pmatch *m);

#define AL_OP_BIT(op) (UINT64_C(1) << (op))

#endif
