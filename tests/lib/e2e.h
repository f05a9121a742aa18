/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the end-to-end suites share: one real airlockd per test (started by the suite's
 * .init) with a policy that gates real programs, and small helpers around it.  Included by
 * tests/integration/test_e2e.c, test_daemon_api.c and test_daemon_lifecycle.c only.
 */
#ifndef AIRLOCK_TEST_E2E_H
#define AIRLOCK_TEST_E2E_H

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api_client.h"
#include "daemon.h"

static struct test_daemon D;

/* /usr/bin/id and /usr/bin/whoami stand for sudo: real programs whose exec policy gates. */
#define POLICY                                                                                     \
	"version: 1\n"                                                                             \
	"defaults:\n"                                                                              \
	"  ask_timeout: 60s\n"                                                                     \
	"  on_timeout: deny\n"                                                                     \
	"rules:\n"                                                                                 \
	"  - name: escalation\n"                                                                   \
	"    match: { exec: [/usr/bin/id] }\n"                                                     \
	"    action: ask\n"                                                                        \
	"  - name: picky\n"                                                                        \
	"    match: { exec: [/usr/bin/whoami] }\n"                                                 \
	"    action: ask\n"                                                                        \
	"    errno: EACCES\n"                                                                      \
	"  - name: quick\n"                                                                        \
	"    match: { exec: [/usr/bin/true] }\n"                                                   \
	"    action: ask\n"                                                                        \
	"    timeout: 1s\n"                                                                        \
	"  - name: quick-allow\n"                                                                  \
	"    match: { exec: [/usr/bin/false] }\n"                                                  \
	"    action: ask\n"                                                                        \
	"    timeout: 1s\n"                                                                        \
	"    on_timeout: allow\n"                                                                  \
	"  - name: never\n"                                                                        \
	"    match: { exec: [/usr/bin/uname] }\n"                                                  \
	"    action: deny\n"                                                                       \
	"  - name: watched\n"                                                                      \
	"    match: { exec: [/usr/bin/printenv] }\n"                                               \
	"    action: audit\n"                                                                      \
	"  - name: local-net\n"                                                                    \
	"    match: { connect: [\"127.0.0.0/8\"] }\n"                                              \
	"    action: ask\n"

static inline void e2e_start(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root (cgroups, seccomp listeners taken with pidfd_getfd)");
	cr_assert_eq(test_daemon_start(&D, POLICY, NULL), 0, "airlockd did not start");
}

static inline void e2e_stop(void)
{
	int r = test_daemon_stop(&D);

	cr_expect_eq(r, 0, "airlockd exited with %d", r);
}

static inline char *helper(const char *name)
{
	static char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/tests/helpers/%s", test_build_dir(), name);
	return path;
}

static inline json_t *pending_one(void)
{
	json_t *list = test_daemon_wait_pending(&D, 1, 5000);
	json_t *a;

	cr_assert_not_null(list, "no ask showed up in 'pending'");
	a = json_incref(json_array_get(list, 0));
	json_decref(list);
	return a;
}

static inline const char *id_str(const json_t *a)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "%lld", json_integer_value(json_object_get(a, "id")));
	return buf;
}

static inline bool still_running(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0;
}

static inline char *audit_text(void)
{
	int fd = open(D.audit_path, O_RDONLY | O_CLOEXEC);
	char *s;

	cr_assert_geq(fd, 0);
	s = test_read_all(fd, 1000);
	close(fd);
	return s;
}

static inline int raw_connect(void)
{
	int fd = api_connect(D.runtime_dir);

	cr_assert_geq(fd, 0);
	return fd;
}

static inline json_t *raw_recv(int fd)
{
	json_t *j = NULL;

	cr_assert_eq(api_recv(fd, &j, 1 << 20), 0);
	return j;
}

#endif
