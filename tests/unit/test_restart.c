// SPDX-License-Identifier: Apache-2.0
/* What a restart carries over: the daemon's full copy of a request survives the trip through
 * state.json unchanged (registers, paths, argv, address), and bad input is refused. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "restart.h"
#include "syscalls.h"

static struct al_request in, out;

Test(restart, a_request_round_trips_through_json)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&in.addr;
	const struct syscall_desc *d;
	json_t *j;

	cr_assert_eq(syscalls_init(), 0);
	d = syscall_by_name("execve");
	cr_assert_not_null(d);
	memset(&in, 0, sizeof(in));
	in.op = AL_OP_EXEC;
	in.syscall_nr = d->nr;
	in.syscall = d->name;
	in.args[0] = 0x7ffd12345678ULL;
	in.args[5] = UINT64_MAX; /* above INT64_MAX: must come back as it was */
	in.pid = 4242;
	in.tgid = 4240;
	in.uid = 1000;
	in.gid = 1001;
	strcpy(in.path, "/usr/bin/sudo");
	strcpy(in.path2, "/tmp/x y");
	in.open_flags = 0101;
	in.mode = 0644;
	strcpy(in.argbuf, "sudo");
	strcpy(in.argbuf + 5, "rm -rf /");
	in.argv[0] = in.argbuf;
	in.argv[1] = in.argbuf + 5;
	in.argc = 2;
	in.argv_truncated = true;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(443);
	sin->sin_addr.s_addr = htonl(0x01020304);
	in.addrlen = sizeof(*sin);

	j = restart_request_to_json(&in);
	cr_assert_not_null(j);
	/* Through text, as state.json does. */
	{
		char *text = json_dumps(j, JSON_COMPACT);

		json_decref(j);
		j = json_loads(text, 0, NULL);
		free(text);
	}
	memset(&out, 0xa5, sizeof(out));
	cr_assert_eq(restart_request_from_json(j, &out), 0);
	cr_assert_eq(out.op, in.op);
	cr_assert_eq(out.syscall_nr, in.syscall_nr);
	cr_assert_eq(out.syscall, d->name, "the name is the table's own string");
	cr_assert_arr_eq(out.args, in.args, sizeof(in.args));
	cr_assert_eq(out.pid, in.pid);
	cr_assert_eq(out.tgid, in.tgid);
	cr_assert_eq(out.uid, in.uid);
	cr_assert_eq(out.gid, in.gid);
	cr_assert_str_eq(out.path, in.path);
	cr_assert_str_eq(out.path2, in.path2);
	cr_assert_eq(out.open_flags, in.open_flags);
	cr_assert_eq(out.mode, in.mode);
	cr_assert_eq(out.argc, 2);
	cr_assert_str_eq(out.argv[0], "sudo");
	cr_assert_str_eq(out.argv[1], "rm -rf /");
	cr_assert_null(out.argv[2]);
	cr_assert(out.argv_truncated);
	cr_assert_eq(out.addrlen, in.addrlen);
	cr_assert_arr_eq(&out.addr, &in.addr, in.addrlen);
	cr_assert_null(out.home);
	json_decref(j);
}

Test(restart, refuses_a_malformed_request)
{
	static const char *const bad[] = {
		"{}",
		"{\"args\":[1,2,3],\"argv\":[],\"path\":\"\",\"path2\":\"\",\"addr\":\"\"}",
		"{\"args\":[0,0,0,0,0,0],\"argv\":[1],\"path\":\"\",\"path2\":\"\",\"addr\":\"\"}",
		"{\"args\":[0,0,0,0,0,0],\"argv\":[],\"path\":\"\",\"path2\":\"\",\"addr\":"
		"\"abc\"}",
		"{\"args\":[0,0,0,0,0,0],\"argv\":[],\"path\":\"\",\"path2\":\"\",\"addr\":\"zz\"}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *j = json_loads(bad[i], 0, NULL);

		cr_assert_not_null(j);
		cr_assert_eq(restart_request_from_json(j, &out), -EINVAL, "accepted: %s", bad[i]);
		json_decref(j);
	}
}
