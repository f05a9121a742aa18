// SPDX-License-Identifier: Apache-2.0
/*
 * The BPF layer: loads bpf/session.bpf.c, probing per hook which attach kind this kernel
 * accepts (tp_btf, then raw_tp, then the classic tracepoint), and keeps the `sessions` map
 * that tells the programs which cgroups are sessions.
 *
 * Loading is optimistic: the most precise kind for every hook, in one object.  Only when
 * that fails (a load refuses the whole object, so the culprit is unknown) is each hook
 * probed alone, kind by kind, in a throwaway object; the kinds that passed are then loaded
 * together.  Every refusal is kept with its errno for bpf_layer_describe().
 */
#include "bpf_layer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <signal.h>
#include <sys/resource.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "airlock/abi.h"
#include "log.h"
#include "session.skel.h"

enum hook { HOOK_FORK, HOOK_EXEC, HOOK_EXIT, HOOK_COUNT };
enum kind { KIND_TP_BTF, KIND_RAW_TP, KIND_TP, KIND_COUNT };

struct variant {
	const char *attach; /* what describe() shows: the section name */
	const char *prog;   /* the program in session.bpf.c */
};

static const char *const hook_names[HOOK_COUNT] = { "fork", "exec", "exit" };

static const struct variant variants[HOOK_COUNT][KIND_COUNT] = {
	[HOOK_FORK] = {
		{ "tp_btf/sched_process_fork", "handle_sched_process_fork" },
		{ "raw_tp/sched_process_fork", "handle_sched_process_fork_raw" },
		{ "tp/task/task_newtask", "handle_task_newtask" },
	},
	[HOOK_EXEC] = {
		{ "tp_btf/sched_process_exec", "handle_sched_process_exec" },
		{ "raw_tp/sched_process_exec", "handle_sched_process_exec_raw" },
		{ "tp/sched/sched_process_exec", "handle_sched_process_exec_tp" },
	},
	[HOOK_EXIT] = {
		{ "tp_btf/sched_process_exit", "handle_sched_process_exit" },
		{ "raw_tp/sched_process_exit", "handle_sched_process_exit_raw" },
		{ "tp/sched/sched_process_exit", "handle_sched_process_exit_tp" },
	},
};

/* Outcome of one attach kind for one hook. */
enum outcome { UNTRIED = 0, RULED_OUT, REFUSED, ACTIVE };

/* Outcome of making sure a pseudo filesystem is mounted. */
struct mount_state {
	const char *label; /* "bpffs", "tracefs" */
	const char *fstype;
	const char *target;
	bool mounted_here;
	int err; /* -errno when it is missing and could not be mounted */
};

struct bpf_layer {
	struct session_bpf *skel;
	struct ring_buffer *events;
	struct bpf_link *links[HOOK_COUNT];
	enum outcome outcome[HOOK_COUNT][KIND_COUNT];
	int err[HOOK_COUNT][KIND_COUNT]; /* -errno of a refusal */
	int active[HOOK_COUNT];		 /* kind in use, -1 for none */
	struct mount_state bpffs, tracefs;
	int memlock; /* 1 raised, 0 not needed, -errno could not be raised */

	/* Set for the duration of bpf_layer_events_consume(). */
	void (*cb)(const struct al_exec_event *e, void *ctx);
	void *cb_ctx;
};

/*
 * libbpf's own messages are detail behind our return codes and describe(): a refused
 * program is expected on some kernels and is reported once, by the caller.  So its
 * warnings and notes go to debug and its debug chatter (verifier logs) nowhere.
 */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[1024];
	size_t n;

	if (level == LIBBPF_DEBUG || log_get_level() < LOG_LVL_DEBUG)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	log_debug("libbpf: %s", buf);
	return 0;
}

/* Is a filesystem of this type mounted exactly at target?  0 no, 1 yes, -errno. */
static int mount_present(const char *target, const char *fstype)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	int r = 0;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		/* id parent major:minor root mountpoint options [optional...] - fstype ... */
		char mnt[4096], type[64];
		const char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(sep + 3, "%63s", type) != 1)
			continue;
		/* Paths with spaces are escaped as \040: ours have none. */
		if (strcmp(mnt, target) == 0 && strcmp(type, fstype) == 0) {
			r = 1;
			break;
		}
	}
	free(line);
	fclose(f);
	return r;
}

static void mount_ensure(struct mount_state *m, const char *label, const char *target,
			 const char *fstype, const char *data)
{
	int r;

	m->label = label;
	m->target = target;
	m->fstype = fstype;
	r = mount_present(target, fstype);
	if (r > 0)
		return;
	if (r < 0) {
		m->err = r;
		return;
	}
	if (mount(fstype, target, fstype, MS_NOSUID | MS_NODEV | MS_NOEXEC, data) < 0) {
		m->err = -errno;
		return;
	}
	m->mounted_here = true;
}

/*
 * Before 5.11 BPF maps and programs are charged against RLIMIT_MEMLOCK (default 8 MiB or
 * less); since then, against the memory cgroup.  bpf_ktime_get_coarse_ns() arrived in the
 * same release, which is how libbpf itself tells the two apart.
 */
static int memlock_raise_if_needed(void)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

	if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_SOCKET_FILTER, BPF_FUNC_ktime_get_coarse_ns,
				    NULL) > 0)
		return 0;
	if (setrlimit(RLIMIT_MEMLOCK, &rl) < 0)
		return -errno;
	return 1;
}

static struct bpf_program *variant_prog(struct session_bpf *skel, int hook, int kind)
{
	return bpf_object__find_program_by_name(skel->obj, variants[hook][kind].prog);
}

/* Open a fresh object in which only the variants in want[] (kind per hook, -1 none)
 * load. */
static int object_load(const int want[HOOK_COUNT], struct session_bpf **ret_skel)
{
	struct session_bpf *skel;
	struct bpf_program *prog;
	int r, h, k;

	skel = session_bpf__open();
	if (!skel)
		return errno ? -errno : -ENOMEM;
	for (h = 0; h < HOOK_COUNT; h++) {
		for (k = 0; k < KIND_COUNT; k++) {
			prog = variant_prog(skel, h, k);
			if (!prog) {
				r = -ENOENT;
				goto fail;
			}
			r = bpf_program__set_autoload(prog, want[h] == k);
			if (r < 0)
				goto fail;
		}
	}
	r = session_bpf__load(skel);
	if (r < 0)
		goto fail;
	*ret_skel = skel;
	return 0;
fail:
	session_bpf__destroy(skel);
	return r;
}

static int variant_attach(struct session_bpf *skel, int hook, int kind, struct bpf_link **ret_link)
{
	struct bpf_link *link;

	link = bpf_program__attach(variant_prog(skel, hook, kind));
	if (!link)
		return errno ? -errno : -EINVAL;
	*ret_link = link;
	return 0;
}

/* Does this kernel load and attach this one variant?  The throwaway object has an empty
 * sessions map, so the moment it is attached counts nothing. */
static int variant_probe(int hook, int kind)
{
	int want[HOOK_COUNT] = { -1, -1, -1 };
	struct session_bpf *skel = NULL;
	struct bpf_link *link = NULL;
	int r;

	want[hook] = kind;
	r = object_load(want, &skel);
	if (r < 0)
		return r;
	r = variant_attach(skel, hook, kind, &link);
	bpf_link__destroy(link);
	session_bpf__destroy(skel);
	return r;
}

static void links_destroy(struct bpf_layer *b)
{
	int h;

	for (h = 0; h < HOOK_COUNT; h++) {
		bpf_link__destroy(b->links[h]);
		b->links[h] = NULL;
		b->active[h] = -1;
	}
}

/*
 * Attach every hook of want[] in b->skel.  strict: all or nothing (the optimistic pass);
 * otherwise a refusal only leaves its hook inactive.  Returns the number of hooks active,
 * or -errno when none is (in strict mode: when any is refused).
 */
static int hooks_attach(struct bpf_layer *b, const int want[HOOK_COUNT], bool strict)
{
	int h, r, n = 0, last = -EOPNOTSUPP;

	for (h = 0; h < HOOK_COUNT; h++) {
		if (want[h] < 0)
			continue;
		r = variant_attach(b->skel, h, want[h], &b->links[h]);
		if (r < 0) {
			b->outcome[h][want[h]] = REFUSED;
			b->err[h][want[h]] = r;
			if (strict) {
				links_destroy(b);
				return r;
			}
			last = r;
			continue;
		}
		b->outcome[h][want[h]] = ACTIVE;
		b->active[h] = want[h];
		n++;
	}
	return n > 0 ? n : last;
}

/*
 * After a refused optimistic pass: for each hook, the first kind not ruled out that loads
 * and attaches on its own.  Fills want[] (-1 for a hook with none) and returns the number
 * of hooks found, or the last -errno when there is none.
 */
static int hooks_probe(struct bpf_layer *b, int want[HOOK_COUNT])
{
	int h, k, r, n = 0, last = -EOPNOTSUPP;

	for (h = 0; h < HOOK_COUNT; h++) {
		want[h] = -1;
		for (k = 0; k < KIND_COUNT && want[h] < 0; k++) {
			if (b->outcome[h][k] == RULED_OUT)
				continue;
			r = variant_probe(h, k);
			if (r < 0) {
				b->outcome[h][k] = REFUSED;
				b->err[h][k] = r;
				last = r;
				continue;
			}
			b->outcome[h][k] = UNTRIED;
			want[h] = k;
			n++;
		}
	}
	return n > 0 ? n : last;
}

static int event_received(void *ctx, void *data, size_t size)
{
	struct bpf_layer *b = ctx;
	struct al_exec_event e;

	if (size < sizeof(e))
		return 0; /* not ours: an object of another ABI version */
	/* A copy, terminated here whatever the kernel side wrote. */
	memcpy(&e, data, sizeof(e));
	e.comm[sizeof(e.comm) - 1] = '\0';
	e.filename[sizeof(e.filename) - 1] = '\0';
	if (b->cb)
		b->cb(&e, b->cb_ctx);
	return 0;
}

int bpf_layer_open_refusing(unsigned int refused_kinds, struct bpf_layer **ret)
{
	int want[HOOK_COUNT], h, k, r;
	struct bpf_layer *b;

	if ((refused_kinds & (BPF_LAYER_TP_BTF | BPF_LAYER_RAW_TP | BPF_LAYER_TP)) ==
	    (BPF_LAYER_TP_BTF | BPF_LAYER_RAW_TP | BPF_LAYER_TP))
		return -EOPNOTSUPP; /* nothing left to try */

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	for (h = 0; h < HOOK_COUNT; h++) {
		b->active[h] = -1;
		want[h] = -1;
		for (k = 0; k < KIND_COUNT; k++) {
			if (refused_kinds & (1u << k))
				b->outcome[h][k] = RULED_OUT;
			else if (want[h] < 0)
				want[h] = k;
		}
	}

	libbpf_set_print(libbpf_print);
	/* bpffs is where pinned objects would live; tracefs is what tp/ attachment reads
	 * tracepoint ids from.  Neither is needed by tp_btf or raw_tp, so a failure is only
	 * reported. */
	mount_ensure(&b->bpffs, "bpffs", "/sys/fs/bpf", "bpf", "mode=0700");
	mount_ensure(&b->tracefs, "tracefs", "/sys/kernel/tracing", "tracefs", NULL);
	b->memlock = memlock_raise_if_needed();

	/* Optimistic pass: the most precise allowed kind of every hook, in one object. */
	r = object_load(want, &b->skel);
	if (r == 0 && hooks_attach(b, want, true) < 0) {
		session_bpf__destroy(b->skel);
		b->skel = NULL;
	}

	if (!b->skel) {
		/* Something was refused, and a load does not say which program: find, hook
		 * by hook, the first kind that works alone, then load those together. */
		r = hooks_probe(b, want);
		if (r < 0)
			goto fail;
		r = object_load(want, &b->skel);
		if (r < 0)
			goto fail;
		r = hooks_attach(b, want, false);
		if (r < 0)
			goto fail;
	}

	b->events = ring_buffer__new(bpf_map__fd(b->skel->maps.events), event_received, b, NULL);
	if (!b->events) {
		r = errno ? -errno : -ENOMEM;
		goto fail;
	}
	*ret = b;
	return 0;
fail:
	bpf_layer_close(b);
	return r;
}

int bpf_layer_open(struct bpf_layer **ret)
{
	return bpf_layer_open_refusing(0, ret);
}

void bpf_layer_close(struct bpf_layer *b)
{
	if (!b)
		return;
	ring_buffer__free(b->events);
	links_destroy(b);
	session_bpf__destroy(b->skel);
	free(b);
}

int bpf_layer_session_add(struct bpf_layer *b, uint64_t cgroup_id, uint64_t session_id)
{
	struct al_session value = { .session_id = session_id };
	__u64 key = cgroup_id;

	if (!b)
		return -EOPNOTSUPP;
	return bpf_map__update_elem(b->skel->maps.sessions, &key, sizeof(key), &value,
				    sizeof(value), BPF_NOEXIST);
}

int bpf_layer_session_remove(struct bpf_layer *b, uint64_t cgroup_id)
{
	__u64 key = cgroup_id;

	if (!b)
		return -EOPNOTSUPP;
	return bpf_map__delete_elem(b->skel->maps.sessions, &key, sizeof(key), 0);
}

int bpf_layer_session_counters(struct bpf_layer *b, uint64_t cgroup_id,
			       struct al_session_counters *ret)
{
	struct al_session value;
	__u64 key = cgroup_id;
	int r;

	if (!b)
		return -EOPNOTSUPP;
	r = bpf_map__lookup_elem(b->skel->maps.sessions, &key, sizeof(key), &value, sizeof(value),
				 0);
	if (r < 0)
		return r;
	ret->forks = value.forks;
	ret->execs = value.execs;
	ret->exits = value.exits;
	return 0;
}

int bpf_layer_events_fd(struct bpf_layer *b)
{
	if (!b)
		return -EOPNOTSUPP;
	return ring_buffer__epoll_fd(b->events);
}

int bpf_layer_events_consume(struct bpf_layer *b,
			     void (*cb)(const struct al_exec_event *e, void *ctx), void *ctx)
{
	int r;

	if (!b)
		return -EOPNOTSUPP;
	b->cb = cb;
	b->cb_ctx = ctx;
	r = ring_buffer__consume(b->events);
	b->cb = NULL;
	b->cb_ctx = NULL;
	return r;
}

bool bpf_layer_exec_check_active(const struct bpf_layer *b)
{
	return b && b->active[HOOK_EXEC] >= 0;
}

/*
 * Delete expectations that can no longer be consumed: older than their time, and either of
 * a cgroup that is no longer a session or of a thread that is gone (an exec that failed,
 * a thread that exited before its exec).  A stale entry of a live member stays: it may be
 * an exec still stalled on its way to the hook, which must then meet it and be killed, not
 * run unchecked; the thread's next notified exec overwrites it otherwise.
 */
static void exec_expect_sweep(struct bpf_layer *b, uint64_t now_ns)
{
	struct bpf_map *m = b->skel->maps.exec_expect;
	struct al_exec_expect x;
	struct al_session sess;
	__u32 key, next;
	bool first = true;

	while (bpf_map__get_next_key(m, first ? NULL : &key, &next, sizeof(next)) == 0) {
		first = false;
		key = next;
		if (bpf_map__lookup_elem(m, &key, sizeof(key), &x, sizeof(x), 0) < 0 ||
		    now_ns - x.armed_ns <= AL_EXEC_EXPECT_TTL_NS)
			continue;
		if (bpf_map__lookup_elem(b->skel->maps.sessions, &x.cgroup_id, sizeof(x.cgroup_id),
					 &sess, sizeof(sess), 0) == 0 &&
		    (kill((pid_t)key, 0) == 0 || errno != ESRCH))
			continue;
		bpf_map__delete_elem(m, &key, sizeof(key), 0);
	}
}

int bpf_layer_exec_expect(struct bpf_layer *b, uint32_t tid, const struct al_exec_expect *x)
{
	__u32 key = tid;
	int r;

	if (!bpf_layer_exec_check_active(b))
		return -EOPNOTSUPP;
	r = bpf_map__update_elem(b->skel->maps.exec_expect, &key, sizeof(key), x, sizeof(*x),
				 BPF_ANY);
	if (r == -E2BIG) {
		exec_expect_sweep(b, x->armed_ns);
		r = bpf_map__update_elem(b->skel->maps.exec_expect, &key, sizeof(key), x,
					 sizeof(*x), BPF_ANY);
	}
	return r;
}

int bpf_layer_exec_expected(struct bpf_layer *b, uint32_t tid, struct al_exec_expect *ret)
{
	struct al_exec_expect x;
	__u32 key = tid;
	int r;

	if (!bpf_layer_exec_check_active(b))
		return -EOPNOTSUPP;
	r = bpf_map__lookup_elem(b->skel->maps.exec_expect, &key, sizeof(key), &x, sizeof(x), 0);
	if (r < 0)
		return r;
	*ret = x;
	return 0;
}

/* snprintf that accumulates: *off grows by what would have been written. */
static void describe_add(char *buf, size_t len, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void describe_add(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*off < len ? buf + *off : NULL, *off < len ? len - *off : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n;
}

static void describe_mount(const struct mount_state *m, char *buf, size_t len, size_t *off)
{
	if (m->err < 0)
		describe_add(buf, len, off, "%s: not mounted at %s (%s)\n", m->label, m->target,
			     strerror(-m->err));
	else
		describe_add(buf, len, off, "%s: %s%s\n", m->label, m->target,
			     m->mounted_here ? " (mounted by airlockd)" : "");
}

size_t bpf_layer_describe(const struct bpf_layer *b, char *buf, size_t len)
{
	size_t off = 0;
	int h, k;

	if (len > 0)
		buf[0] = '\0';
	if (!b) {
		describe_add(buf, len, &off, "session-tracking: not loaded\n");
		describe_add(buf, len, &off,
			     "exec-check: inactive (no BPF layer: execs of "
			     "processes sharing their memory are refused)\n");
		return off;
	}
	for (h = 0; h < HOOK_COUNT; h++) {
		const char *sep = "";

		if (b->active[h] >= 0)
			describe_add(buf, len, &off, "session-%s: active (%s", hook_names[h],
				     variants[h][b->active[h]].attach);
		else
			describe_add(buf, len, &off, "session-%s: refused (", hook_names[h]);
		if (b->active[h] >= 0)
			sep = "; ";
		for (k = 0; k < KIND_COUNT; k++) {
			if (b->outcome[h][k] == REFUSED)
				describe_add(buf, len, &off, "%s%s refused: %s", sep,
					     variants[h][k].attach, strerror(-b->err[h][k]));
			else if (b->outcome[h][k] == RULED_OUT && b->active[h] < 0)
				describe_add(buf, len, &off, "%s%s ruled out", sep,
					     variants[h][k].attach);
			else
				continue;
			sep = "; ";
		}
		describe_add(buf, len, &off, ")\n");
	}
	if (b->active[HOOK_EXEC] >= 0)
		describe_add(buf, len, &off,
			     "exec-check: active (%s: kills an exec that is not "
			     "what was decided)\n",
			     variants[HOOK_EXEC][b->active[HOOK_EXEC]].attach);
	else
		describe_add(buf, len, &off,
			     "exec-check: inactive (no exec hook: execs of "
			     "processes sharing their memory are refused)\n");
	describe_mount(&b->bpffs, buf, len, &off);
	describe_mount(&b->tracefs, buf, len, &off);
	if (b->memlock > 0)
		describe_add(buf, len, &off, "memlock: raised (kernel charges BPF to it)\n");
	else if (b->memlock < 0)
		describe_add(buf, len, &off, "memlock: could not be raised (%s)\n",
			     strerror(-b->memlock));
	return off;
}
