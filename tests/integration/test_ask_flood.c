// SPDX-License-Identifier: Apache-2.0
/*
 * An agent that floods its own asks must not take airlockd's file descriptors from every
 * other session.  Each waiting ask holds its thread's handles (a /proc/TID dirfd, a thread
 * pidfd, the root) and a pidfd of its own: with no bound on how many wait, one session
 * with enough threads runs the daemon out of fds, and then every other session's gated
 * calls fail (EMFILE) and no client can connect to approve.  A real airlockd with a
 * lowered RLIMIT_NOFILE (prlimit), so that a few hundred threads are enough.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "tmpdir.h"

static struct test_daemon D;
static bool up;
static char dir[64];

static void setup(void)
{
	char p[128];

	cr_assert_eq(test_tmpdir_make("airlock-askflood-", dir, sizeof(dir)), 0);
	cr_assert_eq(chmod(dir, 0755), 0);
	snprintf(p, sizeof(p), "%s/ask", dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/ok", dir);
	cr_assert_eq(close(open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)), 0);
}

static void teardown(void)
{
	if (up)
		test_daemon_stop(&D);
	up = false;
	if (dir[0])
		test_tmpdir_remove(dir);
}

static char *slurp_audit(void)
{
	FILE *f = fopen(D.audit_path, "re");
	char *s = NULL;
	size_t cap = 0;

	if (!f)
		return NULL;
	if (getdelim(&s, &cap, '\0', f) < 0) {
		free(s);
		s = NULL;
	}
	fclose(f);
	return s;
}

/* fds airlockd has open now */
static int daemon_fds(void)
{
	char path[64], link[64];
	int n = 0;

	for (int fd = 0; fd < 4096; fd++) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)D.pid, fd);
		if (readlink(path, link, sizeof(link)) >= 0)
			n++;
	}
	return n;
}

/* airlockd on policy, its fd limit lowered to 512, and one session that floods it with
 * 200 threads of tests/helpers/ask_flood arg: another session's allowed read must still
 * succeed, and airlockd's log must hold logged (its refusal).  what names the flood. */
static void flood_one_session(const char *policy, const char *arg, const char *what,
			      const char *logged)
{
	char helper[4096], okp[128], *out = NULL, *err = NULL;
	struct rlimit lim = { .rlim_cur = 512, .rlim_max = 512 };
	pid_t flood;
	int fd = -1, r, held = 0;

	cr_assert_eq(test_daemon_start(&D, policy, NULL), 0);
	up = true;
	/* a few hundred threads instead of the tens of thousands LimitNOFILE=65536 takes */
	cr_assert_eq(prlimit(D.pid, RLIMIT_NOFILE, &lim, NULL), 0, "prlimit: %s", strerror(errno));
	snprintf(helper, sizeof(helper), "%s/tests/helpers/ask_flood", test_build_dir());
	flood = test_airlock_spawn(&D, &fd, "run", "--", helper, arg, "200", NULL);
	cr_assert_gt(flood, 0);
	/* wait until the flood has made its calls: the daemon's fds stop growing (no API
	 * call: a daemon out of fds accepts none) */
	for (int i = 0, last = -1, same = 0; i < 80 && same < 4; i++) {
		usleep(100 * 1000);
		held = daemon_fds();
		same = held == last ? same + 1 : 0;
		last = held;
	}
	cr_log_info("airlockd holds %d fds (limit 512)", held);

	/* another session: an allowed read, and the API to approve with */
	snprintf(okp, sizeof(okp), "%s/ok", dir);
	r = test_airlock(&D, &out, &err, "run", "--", "/bin/cat", okp, NULL);
	kill(flood, SIGKILL);
	test_wait_child(flood, 5000);
	if (fd >= 0)
		close(fd);
	cr_assert_eq(r, 0, "another session failed while one flooded its %s (%d): %s %s", what, r,
		     out ? out : "", err ? err : "");
	free(out);
	free(err);
	out = test_daemon_log(&D);
	cr_assert(out && strstr(out, logged), "no refusal in the log:\n%s", out ? out : "");
	free(out);
}

Test(ask_flood, one_sessions_asks_cannot_take_every_fd_of_the_daemon, .init = setup,
     .fini = teardown, .timeout = 60)
{
	char policy[512], adir[128], *out = NULL;

	snprintf(policy, sizeof(policy),
		 "version: 1\n"
		 "rules:\n"
		 "  - name: ask-flood\n"
		 "    match: { read: [\"%s/ask/**\"] }\n"
		 "    action: ask\n"
		 "    timeout: 60s\n",
		 dir);
	snprintf(adir, sizeof(adir), "%s/ask", dir);
	flood_one_session(policy, adir, "asks", "asks already wait");
	for (int i = 0; i < 50 && !(out && strstr(out, "too many asks waiting")); i++) {
		free(out);
		usleep(20 * 1000);
		out = slurp_audit();
	}
	cr_assert(out && strstr(out, "too many asks waiting"), "no refusal audited");
	free(out);
}

/* The same with connects: a blocking connect airlockd starts waits in its loop with the
 * target's socket and handles (four fds), for as long as the peer does not answer.  A
 * loopback listener that never accepts drops the SYNs once its queue is full. */
Test(ask_flood, one_sessions_waiting_connects_cannot_take_every_fd_of_the_daemon, .init = setup,
     .fini = teardown, .timeout = 60)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	char policy[512], arg[32];
	int l;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(l, 0);
	cr_assert_eq(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(l, 0), 0);
	cr_assert_eq(getsockname(l, (struct sockaddr *)&sa, &len), 0);
	/* a connect rule, so that connects are notified; this one is allowed */
	snprintf(policy, sizeof(policy),
		 "version: 1\n"
		 "rules:\n"
		 "  - name: no-such-host\n"
		 "    match: { connect: [\"192.0.2.1/32\"] }\n"
		 "    action: deny\n"
		 "  - name: ask-flood\n"
		 "    match: { read: [\"%s/ask/**\"] }\n"
		 "    action: ask\n",
		 dir);
	snprintf(arg, sizeof(arg), "--connect=%d", (int)ntohs(sa.sin_port));
	flood_one_session(policy, arg, "connects", "calls already wait");
	close(l);
}
