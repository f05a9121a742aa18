// SPDX-License-Identifier: Apache-2.0
/*
 * include/airlock/abi.h as the BPF compiler saw it (the BTF of build/bpf/session.bpf.o)
 * against the C compiler's view of the same header: every size and every field offset.
 * A mismatch means the two sides would read each other's bytes wrongly.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <criterion/criterion.h>

#include "airlock/abi.h"

struct field {
	const char *name;
	size_t offset;
	size_t size;
};

/* The C compiler's view of one field: name, offset, size. */
#define NAME(member) #member
#define FIELD(type, member)                                                                        \
	NAME(member), offsetof(struct type, member), sizeof(((struct type *)0)->member)

static const struct field session_fields[] = {
	{ FIELD(al_session, session_id) },
	{ FIELD(al_session, forks) },
	{ FIELD(al_session, execs) },
	{ FIELD(al_session, exits) },
};

static const struct field exec_expect_fields[] = {
	{ FIELD(al_exec_expect, armed_ns) },	  { FIELD(al_exec_expect, cgroup_id) },
	{ FIELD(al_exec_expect, filename_hash) }, { FIELD(al_exec_expect, argv_hash) },
	{ FIELD(al_exec_expect, ino) },		  { FIELD(al_exec_expect, dev) },
	{ FIELD(al_exec_expect, flags) },	  { FIELD(al_exec_expect, filename_len) },
	{ FIELD(al_exec_expect, argv_len) },
};

static const struct field exec_event_fields[] = {
	{ FIELD(al_exec_event, cgroup_id) }, { FIELD(al_exec_event, session_id) },
	{ FIELD(al_exec_event, ino) },	     { FIELD(al_exec_event, dev) },
	{ FIELD(al_exec_event, pid) },	     { FIELD(al_exec_event, ppid) },
	{ FIELD(al_exec_event, old_pid) },   { FIELD(al_exec_event, comm) },
	{ FIELD(al_exec_event, filename) },  { FIELD(al_exec_event, checked) },
	{ FIELD(al_exec_event, mismatch) },
};

static char object_path[PATH_MAX];

/* The object sits next to the test binary's build tree: BUILD/tests/unit/test_abi ->
 * BUILD/bpf/session.bpf.o, whatever BUILD is. */
static void find_object(void)
{
	char exe[PATH_MAX];
	ssize_t n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	cr_assert_gt(n, 0);
	exe[n] = '\0';
	snprintf(object_path, sizeof(object_path), "%s/../../bpf/session.bpf.o", dirname(exe));
	if (access(object_path, R_OK) != 0)
		cr_skip_test("'%s' is missing: build it with 'make unit' or 'make'", object_path);
}

static void check_struct(const struct btf *btf, const char *name, size_t size,
			 const struct field *fields, size_t n_fields)
{
	const struct btf_member *m;
	const struct btf_type *t;
	size_t i, j;
	int id;

	id = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);
	cr_assert_gt(id, 0, "struct %s is not in the object's BTF", name);
	t = btf__type_by_id(btf, id);
	cr_assert_eq((size_t)btf__resolve_size(btf, id), size, "sizeof(struct %s): BPF %lld, C %zu",
		     name, (long long)btf__resolve_size(btf, id), size);
	cr_assert_eq(btf_vlen(t), n_fields, "struct %s: BPF has %u fields, C %zu", name,
		     btf_vlen(t), n_fields);

	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		const char *mname = btf__name_by_offset(btf, m->name_off);
		const struct field *f = NULL;

		for (j = 0; j < n_fields; j++)
			if (strcmp(fields[j].name, mname) == 0)
				f = &fields[j];
		cr_assert_not_null(f, "struct %s: field '%s' unknown to C", name, mname);
		cr_assert_eq(btf_member_bitfield_size(t, i), 0, "%s.%s is a bitfield", name, mname);
		cr_assert_eq(btf_member_bit_offset(t, i), f->offset * 8,
			     "%s.%s: BPF offset %u bits, C %zu bytes", name, mname,
			     btf_member_bit_offset(t, i), f->offset);
		cr_assert_eq((size_t)btf__resolve_size(btf, m->type), f->size,
			     "%s.%s: BPF size %lld, C %zu", name, mname,
			     (long long)btf__resolve_size(btf, m->type), f->size);
	}
}

Test(abi, structs_match_the_bpf_objects_btf)
{
	struct btf *btf;

	find_object();
	btf = btf__parse(object_path, NULL);
	cr_assert_not_null(btf, "btf__parse '%s': %s", object_path, strerror(errno));
	check_struct(btf, "al_session", sizeof(struct al_session), session_fields,
		     sizeof(session_fields) / sizeof(session_fields[0]));
	check_struct(btf, "al_exec_event", sizeof(struct al_exec_event), exec_event_fields,
		     sizeof(exec_event_fields) / sizeof(exec_event_fields[0]));
	check_struct(btf, "al_exec_expect", sizeof(struct al_exec_expect), exec_expect_fields,
		     sizeof(exec_expect_fields) / sizeof(exec_expect_fields[0]));
	btf__free(btf);
}

/* The maps as declared in the object: what the daemon passes to bpf_map_update_elem. */
Test(abi, sessions_map_is_keyed_by_cgroup_id)
{
	struct bpf_object *obj;
	struct bpf_map *map;

	find_object();
	obj = bpf_object__open_file(object_path, NULL);
	cr_assert_not_null(obj, "open '%s': %s", object_path, strerror(errno));
	map = bpf_object__find_map_by_name(obj, "sessions");
	cr_assert_not_null(map);
	cr_assert_eq(bpf_map__type(map), BPF_MAP_TYPE_HASH);
	cr_assert_eq(bpf_map__key_size(map), sizeof(__u64));
	cr_assert_eq(bpf_map__value_size(map), sizeof(struct al_session));
	cr_assert_eq(bpf_map__max_entries(map), AL_MAX_SESSIONS);
	map = bpf_object__find_map_by_name(obj, "events");
	cr_assert_not_null(map);
	cr_assert_eq(bpf_map__type(map), BPF_MAP_TYPE_RINGBUF);
	map = bpf_object__find_map_by_name(obj, "exec_expect");
	cr_assert_not_null(map);
	cr_assert_eq(bpf_map__type(map), BPF_MAP_TYPE_HASH);
	cr_assert_eq(bpf_map__key_size(map), sizeof(__u32));
	cr_assert_eq(bpf_map__value_size(map), sizeof(struct al_exec_expect));
	bpf_object__close(obj);
}
