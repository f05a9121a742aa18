// SPDX-License-Identifier: Apache-2.0
/*
 * The session's seccomp filter: which syscalls are notified to airlockd, and the
 * hardening that holds whatever the policy says.  See docs/gate.md, "Filter".
 *
 * The bulk is built with libseccomp and exported as cBPF (seccomp_export_bpf into a
 * memfd, read back); the setuid family is a small hand-assembled block placed in front
 * of it (see id_block_build() for why), and installation is our own seccomp(2) call,
 * because libseccomp 2.5 does not know SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV.
 *
 * libseccomp's rules for one syscall are not an ordered list.  What it does with several
 * rules on one syscall (measured with 2.5.4):
 *   - an unconditional rule replaces every conditional rule of the syscall, whatever
 *     their actions, and a conditional rule added after an unconditional one is
 *     silently dropped (seccomp_rule_add returns 0);
 *   - two rules with the same comparisons and different actions fail with -EEXIST;
 *   - two comparisons on the same argument in one rule fail with -EINVAL.
 * So this builder gives every syscall exactly one action and, for conditional rules,
 * one set of comparisons that all lead to that action (several rules with the same
 * action are an OR).  The hardening syscalls are never also notified: when a policy
 * names one of them, the hardening wins.
 */
#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "syscalls.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5) /* 5.19 */
#endif
#ifndef __O_TMPFILE
#define __O_TMPFILE 020000000
#endif

/* How one syscall of the table is notified. */
enum notify_cond {
	NOTIFY_NEVER = 0,
	NOTIFY_ALWAYS,
	NOTIFY_WRITE_FLAGS, /* only when its open(2) flags ask to write, create or truncate */
	NOTIFY_ADDRESS,	    /* only when it carries a destination address (sendto) */
	NOTIFY_FOREIGN_IDS, /* only when an id is neither the session user's nor -1 */
};

/* Open flags that make an open a write: content, creation or truncation. */
static const unsigned write_open_bits[] = { O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, __O_TMPFILE };

static uint64_t op_bit(enum al_op op)
{
	return 1ULL << op;
}

/* An open: its flags are a register argument (open, openat, open_by_handle_at) or sit in
 * a struct (openat2).  The decoder classes each call as read or write from those flags. */
static bool desc_is_open(const struct syscall_desc *d)
{
	return syscall_arg_index(d, SC_OFLAGS) >= 0 || syscall_arg_index(d, SC_OPENHOW) >= 0;
}

/* rename, renameat, renameat2: a delete with a second path, where the name arrives. */
static bool desc_is_rename(const struct syscall_desc *d)
{
	return d->op == AL_OP_DELETE && syscall_arg_index(d, SC_PATH2) >= 0;
}

/* The setuid family: identity changes decided on register ids. */
static bool desc_is_id_change(const struct syscall_desc *d)
{
	return d->op == AL_OP_PRIVILEGE && syscall_arg_index(d, SC_ID) >= 0;
}

static enum notify_cond class_condition(const struct syscall_desc *d, uint64_t ops)
{
	if (desc_is_open(d)) {
		if (ops & op_bit(AL_OP_READ))
			return NOTIFY_ALWAYS;
		if (!(ops & op_bit(AL_OP_WRITE)))
			return NOTIFY_NEVER;
		/* openat2's flags are in memory, out of the filter's reach */
		return syscall_arg_index(d, SC_OFLAGS) >= 0 ? NOTIFY_WRITE_FLAGS : NOTIFY_ALWAYS;
	}
	/* a rename deletes at its source and writes at its destination */
	if (desc_is_rename(d) && (ops & op_bit(AL_OP_WRITE)))
		return NOTIFY_ALWAYS;
	if (!(ops & op_bit(d->op)))
		return NOTIFY_NEVER;
	/* sendto is the one call whose destination is an optional register argument; without
	 * one it writes to an already connected socket.  sendmsg/sendmmsg carry msg_name in
	 * memory, so they are notified whenever connect is. */
	if (strcmp(d->name, "sendto") == 0)
		return NOTIFY_ADDRESS;
	if (desc_is_id_change(d))
		return NOTIFY_FOREIGN_IDS;
	return NOTIFY_ALWAYS;
}

/*
 * Built-in hardening, the filter's half (the daemon's half is agent/hardening.c; both are
 * listed in docs/gate.md, "Built-in hardening").  It holds whatever the policy says.
 *
 * GATE_FILTER_HARDENING_OPS (notify.h) are notified whatever the policy: the daemon
 * refuses writes and deletes of its own files and of the cgroup filesystem, mounts no rule
 * allows, and ptrace-class calls and signals aimed outside the session.  A class no rule
 * names is then allowed by policy as before (the daemon performs the call on its copy).
 */
#define ANY_ARG (-1)

/* Calls refused in the filter, on register arguments alone. */
static const struct filter_refusal {
	const char *name;
	int err;
	uint64_t when_ops; /* 0: always; else only when policy gates one of these classes */
	int family;	   /* ANY_ARG, or what arg0 (a socket family) must be */
	int type;	   /* ANY_ARG, or what arg1's low 4 bits (a socket type) must be */
	const char *why;
} refusals[] = {
	{ "io_uring_setup", EPERM, 0, ANY_ARG, ANY_ARG,
	  "its operations run in kernel workers that seccomp never sees" },
	{ "io_uring_enter", EPERM, 0, ANY_ARG, ANY_ARG, "the same" },
	{ "io_uring_register", EPERM, 0, ANY_ARG, ANY_ARG, "the same" },
	/* ENOSYS makes glibc fall back to clone(2), whose flags cannot name a cgroup. */
	{ "clone3", ENOSYS, 0, ANY_ARG, ANY_ARG,
	  "its struct may carry CLONE_INTO_CGROUP, out of cBPF's reach" },
	{ "userfaultfd", EPERM, 0, ANY_ARG, ANY_ARG,
	  "a faulting page would stall the daemon's read of a gated call's arguments" },
	{ "chroot", EPERM, 0, ANY_ARG, ANY_ARG,
	  "policy paths are reported relative to the caller's root" },
	{ "socket", EPERM, 1ULL << AL_OP_CONNECT, AF_INET, SOCK_RAW,
	  "a raw packet's header names its destination, not the sockaddr" },
	{ "socket", EPERM, 1ULL << AL_OP_CONNECT, AF_INET6, SOCK_RAW, "the same" },
	{ "socket", EPERM, 1ULL << AL_OP_CONNECT, AF_INET, SOCK_PACKET,
	  "the obsolete spelling of AF_PACKET" },
	{ "socket", EPERM, 1ULL << AL_OP_CONNECT, AF_PACKET, ANY_ARG, "the same as raw" },
};

static bool refusal_applies(const struct filter_refusal *f, uint64_t ops)
{
	return f->when_ops == 0 || (f->when_ops & ops);
}

/* Syscalls whose fate the hardening decides, whatever the policy: a `syscall:` rule
 * naming one is not notified (an unconditional notify would replace the refusal). */
static bool name_is_hardened(const char *name, uint64_t ops)
{
	size_t i;

	if (strcmp(name, "seccomp") == 0)
		return true;
	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		if (refusal_applies(&refusals[i], ops) && strcmp(refusals[i].name, name) == 0)
			return true;
	return false;
}

static int add_hardening(scmp_filter_ctx ctx, uint64_t ops)
{
	struct scmp_arg_cmp c[2];
	unsigned n;
	size_t i;
	int nr, r;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		const struct filter_refusal *f = &refusals[i];

		if (!refusal_applies(f, ops))
			continue;
		nr = seccomp_syscall_resolve_name(f->name);
		if (nr < 0)
			continue; /* not on this architecture */
		n = 0;
		/* The kernel reads family and type as int: compare the low 32 bits only, or
		 * garbage in the upper half would slip past an exact 64-bit comparison. */
		if (f->family != ANY_ARG)
			c[n++] = (struct scmp_arg_cmp){ .arg = 0,
							.op = SCMP_CMP_MASKED_EQ,
							.datum_a = 0xffffffffU,
							.datum_b = (uint64_t)f->family };
		/* SOCK_CLOEXEC and SOCK_NONBLOCK ride above the type's 4 bits */
		if (f->type != ANY_ARG)
			c[n++] = (struct scmp_arg_cmp){ .arg = 1,
							.op = SCMP_CMP_MASKED_EQ,
							.datum_a = 0xf,
							.datum_b = (uint64_t)f->type };
		r = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO((uint32_t)f->err), nr, n, c);
		if (r < 0)
			return r;
	}
	/* Among listener filters the newest one gets the notification, so a second listener
	 * would route around the gate.  Plain filters stay allowed.  The kernel reads op and
	 * flags as unsigned int: compare only the low 32 bits. */
	r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(seccomp), 2,
			     SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffU, SECCOMP_SET_MODE_FILTER),
			     SCMP_A1(SCMP_CMP_MASKED_EQ, SECCOMP_FILTER_FLAG_NEW_LISTENER,
				     SECCOMP_FILTER_FLAG_NEW_LISTENER));
	return r;
}

/*
 * Newer spellings of gated operations that the gate cannot decode yet (they are not in
 * agent/syscalls.c): left alone, each would be a way around its class.  When the class is
 * gated they fail with ENOSYS, as on an older kernel, so that programs fall back to the
 * spellings the gate sees (setxattr, open_tree + mount_setattr ...).  libseccomp 2.5 does
 * not know them; their numbers are the generic ones, which x86_64 and the asm-generic
 * architectures share from 424 on.
 */
static const struct {
	const char *name;
	int generic_nr;
	enum al_op op;
} undecoded[] = {
	{ "setxattrat", 463, AL_OP_WRITE },	/* 6.13 */
	{ "removexattrat", 466, AL_OP_WRITE },	/* 6.13 */
	{ "open_tree_attr", 467, AL_OP_MOUNT }, /* 6.15 */
	{ "file_setattr", 469, AL_OP_WRITE },	/* 6.17: file attributes, by path */
};

static int undecoded_nr(size_t i)
{
	int nr = seccomp_syscall_resolve_name(undecoded[i].name);

	if (nr >= 0)
		return nr;
#if defined(__x86_64__) || defined(__aarch64__) || (defined(__riscv) && __riscv_xlen == 64)
	return undecoded[i].generic_nr;
#else
	return -1;
#endif
}

static int add_undecoded(scmp_filter_ctx ctx, uint64_t ops)
{
	size_t i;
	int nr, r;

	for (i = 0; i < sizeof(undecoded) / sizeof(undecoded[0]); i++) {
		if (!(ops & op_bit(undecoded[i].op)) || syscall_by_name(undecoded[i].name))
			continue; /* not gated, or the table knows it now */
		nr = undecoded_nr(i);
		if (nr < 0)
			continue;
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

static int add_notify(scmp_filter_ctx ctx, const struct syscall_desc *d, enum notify_cond cond)
{
	size_t i;
	int idx, r = 0;

	switch (cond) {
	case NOTIFY_NEVER:
	case NOTIFY_FOREIGN_IDS: /* in the hand-assembled block */
		return 0;
	case NOTIFY_ALWAYS:
		return seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, d->nr, 0);
	case NOTIFY_WRITE_FLAGS:
		/* One rule per bit: rules with one action are an OR.  The mask only covers the
		 * low bits, so garbage in the upper half of the register cannot hide a bit. */
		idx = syscall_arg_index(d, SC_OFLAGS);
		for (i = 0; i < sizeof(write_open_bits) / sizeof(write_open_bits[0]); i++) {
			struct scmp_arg_cmp c = { .arg = (unsigned)idx,
						  .op = SCMP_CMP_MASKED_EQ,
						  .datum_a = write_open_bits[i],
						  .datum_b = write_open_bits[i] };
			r = seccomp_rule_add_array(ctx, SCMP_ACT_NOTIFY, d->nr, 1, &c);
			if (r < 0)
				return r;
		}
		return 0;
	case NOTIFY_ADDRESS:
		idx = syscall_arg_index(d, SC_SOCKADDR);
		return seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, d->nr, 1,
					SCMP_CMP((unsigned)idx, SCMP_CMP_NE, 0));
	}
	return -EINVAL;
}

/* seccomp_export_bpf writes to an fd; read the program back from a memfd. */
static int export_bpf(scmp_filter_ctx ctx, struct sock_filter **ret_prog, unsigned *ret_len)
{
	struct sock_filter *prog = NULL;
	struct stat st;
	size_t done = 0;
	int fd, r;

	fd = memfd_create("airlock-filter", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		goto out;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) != 0 ||
	    st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS) {
		r = -EPROTO;
		goto out;
	}
	prog = malloc((size_t)st.st_size);
	if (!prog) {
		r = -ENOMEM;
		goto out;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = pread(fd, (char *)prog + done, (size_t)st.st_size - done, (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EPROTO;
			goto out;
		}
		done += (size_t)n;
	}
	*ret_prog = prog;
	*ret_len = (unsigned)(st.st_size / sizeof(struct sock_filter));
	prog = NULL;
	r = 0;
out:
	free(prog);
	close(fd);
	return r;
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LO(i) ((uint32_t)(offsetof(struct seccomp_data, args) + 8 * (i)))
#else
#define ARG_LO(i) ((uint32_t)(offsetof(struct seccomp_data, args) + 8 * (i) + 4))
#endif

struct id_call {
	int nr;
	uint32_t id; /* the session user's uid or gid */
	int n_args;
	int args[3]; /* register indexes of the ids */
};

/*
 * The setuid family: ALLOW when every id argument is the session user's own id or -1
 * (unchanged), NOTIFY otherwise.  libseccomp cannot say this: "arg not in {uid, -1}"
 * needs two comparisons on one argument (rejected with -EINVAL), and the complement as
 * ALLOW rules would need a per-syscall fallback action other than the filter default.
 * So this block is assembled here and put in front of libseccomp's program.  It only
 * compares the low 32 bits: the kernel takes uid_t/gid_t from the register, so the upper
 * half is ignored there too.  Every jump is forward and relative, and the block ends by
 * falling into libseccomp's program, which checks the architecture again and kills
 * foreign ones; a syscall that is not an id change jumps straight there.
 *
 *     ld arch; jeq NATIVE ? next : END
 *     ld nr;   jeq nr_0 ? BLOCK_0 : next ... ; ja END
 *   BLOCK_j: for each id argument:  ld args[i].lo; jeq id ? skip 1; jeq -1 ? next : NOTIFY_j
 *            ret ALLOW
 *   NOTIFY_j: ret USER_NOTIF
 *   END:     (libseccomp's program)
 */
static int id_block_build(uint32_t arch, const struct id_call *calls, int n_calls,
			  struct sock_filter **ret_prog, unsigned *ret_len)
{
	struct sock_filter *p;
	unsigned len, pos, end, blk;
	int j, i;

	len = 2 + 1 + (unsigned)n_calls + 1;
	for (j = 0; j < n_calls; j++)
		len += 3 * (unsigned)calls[j].n_args + 2;
	end = len;
	/* conditional jumps reach 255 instructions; the family is at most 8 calls of 3 ids */
	if (end > 255)
		return -E2BIG;
	p = calloc(len, sizeof(*p));
	if (!p)
		return -ENOMEM;

	pos = 0;
	p[pos++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						offsetof(struct seccomp_data, arch));
	p[pos] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 0,
					      (uint8_t)(end - pos - 1));
	pos++;
	p[pos++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						offsetof(struct seccomp_data, nr));
	blk = pos + (unsigned)n_calls + 1;
	for (j = 0; j < n_calls; j++) {
		p[pos] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						      (uint32_t)calls[j].nr,
						      (uint8_t)(blk - pos - 1), 0);
		pos++;
		blk += 3 * (unsigned)calls[j].n_args + 2;
	}
	p[pos] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, end - pos - 1);
	pos++;
	for (j = 0; j < n_calls; j++) {
		unsigned notify = pos + 3 * (unsigned)calls[j].n_args + 1;

		for (i = 0; i < calls[j].n_args; i++) {
			p[pos++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
								ARG_LO(calls[j].args[i]));
			p[pos++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
								calls[j].id, 1, 0);
			p[pos] =
				(struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffffU,
							     0, (uint8_t)(notify - pos - 1));
			pos++;
		}
		p[pos++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		p[pos++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
	}
	*ret_prog = p;
	*ret_len = len;
	return 0;
}

static void id_call_fill(const struct syscall_desc *d, const struct gate_filter_spec *spec,
			 struct id_call *c)
{
	int i;

	c->nr = d->nr;
	/* the gid calls are named so: setgid, setregid, setresgid, setfsgid */
	c->id = strstr(d->name, "gid") ? (uint32_t)spec->user_gid : (uint32_t)spec->user_uid;
	c->n_args = 0;
	for (i = 0; i < 6 && c->n_args < 3; i++)
		if (d->arg[i] == SC_ID)
			c->args[c->n_args++] = i;
}

int gate_filter_build(const struct gate_filter_spec *spec, struct sock_filter **ret_prog,
		      unsigned *ret_len)
{
	const struct syscall_desc *table;
	enum notify_cond *cond = NULL;
	struct id_call ids[8];
	int n_ids = 0;
	scmp_filter_ctx ctx = NULL;
	struct sock_filter *lib = NULL, *pre = NULL, *prog = NULL;
	unsigned lib_len = 0, pre_len = 0;
	uint64_t ops;
	size_t n, i;
	int r;

	r = syscalls_init();
	if (r < 0)
		return r;
	table = syscalls_all(&n);
	cond = calloc(n, sizeof(*cond));
	if (!cond)
		return -ENOMEM;
	ops = spec->ops | GATE_FILTER_HARDENING_OPS;
	for (i = 0; i < n; i++)
		cond[i] = table[i].nr >= 0 && !name_is_hardened(table[i].name, ops)
				  ? class_condition(&table[i], ops)
				  : NOTIFY_NEVER;

	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx) {
		r = -ENOMEM;
		goto out;
	}
	/* int 0x80 from x86_64 and every other foreign arch; libseccomp also sends the x32
	 * syscall bit on x86_64 to this action, since x32 is not in the filter. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (r < 0)
		goto out;
	/* A binary search over syscall numbers instead of a linear scan: an ungated syscall
	 * pays a few comparisons (and the kernel's allow cache skips most of them). */
	(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);

	r = add_hardening(ctx, ops);
	if (r < 0)
		goto out;
	r = add_undecoded(ctx, ops);
	if (r < 0)
		goto out;

	/* Named syscalls (`syscall:` rules) are notified whatever their arguments. */
	for (i = 0; i < spec->n_extra; i++) {
		const char *name = spec->extra[i];
		const struct syscall_desc *d;
		int nr = seccomp_syscall_resolve_name(name);

		if (nr == __NR_SCMP_ERROR) {
			r = -EINVAL;
			goto out;
		}
		if (nr < 0 || name_is_hardened(name, ops))
			continue; /* not on this architecture, or the hardening decides */
		d = syscall_by_name(name);
		if (d) {
			cond[d - table] = desc_is_id_change(d) ? NOTIFY_FOREIGN_IDS : NOTIFY_ALWAYS;
			continue;
		}
		r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0);
		if (r < 0)
			goto out;
	}

	for (i = 0; i < n; i++) {
		if (cond[i] == NOTIFY_FOREIGN_IDS) {
			if (n_ids == (int)(sizeof(ids) / sizeof(ids[0]))) {
				r = -E2BIG;
				goto out;
			}
			id_call_fill(&table[i], spec, &ids[n_ids++]);
			continue;
		}
		r = add_notify(ctx, &table[i], cond[i]);
		if (r < 0)
			goto out;
	}

	r = export_bpf(ctx, &lib, &lib_len);
	if (r < 0)
		goto out;
	if (n_ids > 0) {
		r = id_block_build(seccomp_arch_native(), ids, n_ids, &pre, &pre_len);
		if (r < 0)
			goto out;
	}
	if (pre_len + lib_len > BPF_MAXINSNS) {
		r = -E2BIG;
		goto out;
	}
	prog = malloc((pre_len + lib_len) * sizeof(*prog));
	if (!prog) {
		r = -ENOMEM;
		goto out;
	}
	if (pre_len)
		memcpy(prog, pre, pre_len * sizeof(*prog));
	memcpy(prog + pre_len, lib, lib_len * sizeof(*prog));
	*ret_prog = prog;
	*ret_len = pre_len + lib_len;
	r = 0;
out:
	free(pre);
	free(lib);
	if (ctx)
		seccomp_release(ctx);
	free(cond);
	return r;
}

/* -1 unknown, 0 no, 1 yes: whether this kernel takes WAIT_KILLABLE_RECV. */
static int killable_recv = -1;

bool gate_filter_killable_recv(void)
{
	long r;

	if (killable_recv >= 0)
		return killable_recv;
	/* The kernel checks the flags before it copies the program: a NULL program gives
	 * EFAULT when the flags are known and EINVAL when not, and installs nothing. */
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		    SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
		    NULL);
	killable_recv = r < 0 && errno == EFAULT;
	return killable_recv;
}

int gate_filter_install(const struct sock_filter *prog, unsigned len)
{
	struct sock_fprog fprog = { .len = (unsigned short)len,
				    .filter = (struct sock_filter *)prog };
	unsigned long flags = SECCOMP_FILTER_FLAG_NEW_LISTENER;
	long fd;

	if (!prog || len == 0 || len > BPF_MAXINSNS)
		return -EINVAL;
	/* Without WAIT_KILLABLE_RECV (5.19) a signal to a thread waiting for an approval
	 * restarts the syscall and notifies it again; with it, once the daemon has received
	 * the notification only a fatal signal interrupts the wait. */
	if (gate_filter_killable_recv())
		flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	/* The listener fd comes with O_CLOEXEC: it must never reach the command. */
	fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
	if (fd < 0 && errno == EINVAL && (flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)) {
		killable_recv = 0;
		flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
		fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
	}
	if (fd < 0)
		return -errno;
	return (int)fd;
}
