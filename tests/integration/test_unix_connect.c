// SPDX-License-Identifier: Apache-2.0
/*
 * An allowed AF_UNIX connect or send is made by a connector with the target's identity,
 * never by the process serving the gate: a real AF_UNIX server reads SO_PEERCRED and
 * SCM_CREDENTIALS of calls made by a gated child running as nobody.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gate_cases.h"
#include "gate_harness.h"
#include "test_cgroup.h"

static const char *const unix_calls[] = { "connect", "sendto" };

/* Shared between the test, its server thread and the gated child. */
struct unix_case {
	struct sockaddr_un addr;
	atomic_int target_pid; /* the gated child, once it runs */
	atomic_int go;	       /* the child may connect */
	bool nonblock;
	int err[2]; /* the child's errno per connect (0: connected) */
	/* seen by the server thread while the connector blocked */
	pid_t connector;
	char cgroup[256];
	char status_uid[128], status_gid[128], cap_eff[64], nnp[32];
	uid_t proc_owner;
	char cgroup_path[PATH_MAX]; /* where the thread moves the child */
};

static const struct gate_child_opts as_nobody = { .uid = NOBODY, .gid = NOBODY, .umask = -1 };

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int unix_server(struct sockaddr_un *un, int type, int backlog)
{
	int s = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

	cr_assert_geq(s, 0);
	cr_assert_eq(bind(s, (struct sockaddr *)un, sizeof(*un)), 0, "bind: %s", strerror(errno));
	/* nobody needs write permission on the socket file to connect */
	cr_assert_eq(chmod(un->sun_path, 0777), 0);
	if (type != SOCK_DGRAM)
		cr_assert_eq(listen(s, backlog), 0);
	return s;
}

static void peer_of(int conn, struct ucred *ret)
{
	socklen_t len = sizeof(*ret);

	cr_assert_eq(getsockopt(conn, SOL_SOCKET, SO_PEERCRED, ret, &len), 0);
}

static int allow(struct gate_notif *n, void *arg)
{
	(void)n;
	(void)arg;
	return GATE_ALLOW;
}

static int deny(struct gate_notif *n, void *arg)
{
	(void)n;
	(void)arg;
	return EPERM;
}

/* The gated child: connect once or twice, record errno, say hello on the first. */
static int child_connects(void *arg)
{
	struct unix_case *c = arg;
	int i, s[2];

	atomic_store(&c->target_pid, getpid());
	for (i = 0; i < 500 && !atomic_load(&c->go); i++)
		sleep_ms(10);
	for (i = 0; i < 2; i++) {
		s[i] = socket(AF_UNIX, SOCK_STREAM | (c->nonblock ? SOCK_NONBLOCK : 0), 0);
		if (s[i] < 0)
			return 90;
		c->err[i] =
			connect(s[i], (struct sockaddr *)&c->addr, sizeof(c->addr)) < 0 ? errno : 0;
		if (i == 0 && c->err[0] == 0 && write(s[0], "hello", 5) != 5)
			return 91;
		/* blocking: one connect is the case; non-blocking: the second finds the
		 * backlog full */
		if (!c->nonblock)
			break;
	}
	return 0;
}

static void read_field(const char *file, const char *key, char *out, size_t len)
{
	char line[512];
	FILE *f = fopen(file, "re");

	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, len, "%s", line + strlen(key));
			break;
		}
	fclose(f);
}

/* A child of the serving process other than the gated child: the connector. */
static pid_t find_connector(pid_t serving_tid, pid_t target)
{
	char file[64], buf[256], *p, *end;
	FILE *f;
	pid_t found = 0;

	snprintf(file, sizeof(file), "/proc/self/task/%d/children", (int)serving_tid);
	f = fopen(file, "re");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f))
		for (p = buf; *p; p = end) {
			long pid = strtol(p, &end, 10);

			if (end == p)
				break;
			if (pid > 0 && pid != target)
				found = (pid_t)pid;
		}
	fclose(f);
	return found;
}

struct server_arg {
	struct unix_case *c;
	pid_t serving_tid;
	int srv, prefill;
};

/* While the connector blocks on the full backlog: look at it, then let it through. */
static void *server_thread(void *arg)
{
	struct server_arg *a = arg;
	struct unix_case *c = a->c;
	char file[64];
	struct stat st;
	pid_t pid = 0;
	int i, conn;

	for (i = 0; i < 500 && !atomic_load(&c->target_pid); i++)
		sleep_ms(10);
	if (c->cgroup_path[0])
		test_cgroup_enter(c->cgroup_path, atomic_load(&c->target_pid));
	atomic_store(&c->go, 1);
	for (i = 0; i < 500 && !pid; i++) {
		pid = find_connector(a->serving_tid, atomic_load(&c->target_pid));
		if (!pid)
			sleep_ms(10);
	}
	c->connector = pid;
	if (pid) {
		/* no_new_privs is its last step before connect(): wait for it, then read */
		snprintf(file, sizeof(file), "/proc/%d/status", (int)pid);
		for (i = 0; i < 500; i++) {
			read_field(file, "NoNewPrivs:\t", c->nnp, sizeof(c->nnp));
			if (strcmp(c->nnp, "1") == 0)
				break;
			sleep_ms(10);
		}
		read_field(file, "Uid:\t", c->status_uid, sizeof(c->status_uid));
		read_field(file, "Gid:\t", c->status_gid, sizeof(c->status_gid));
		read_field(file, "CapEff:\t", c->cap_eff, sizeof(c->cap_eff));
		snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
		read_field(file, "0::", c->cgroup, sizeof(c->cgroup));
		/* a non-dumpable process's /proc files belong to root (the /proc/PID
		 * directory itself keeps the euid, for ps) */
		snprintf(file, sizeof(file), "/proc/%d/fd", (int)pid);
		c->proc_owner = stat(file, &st) == 0 ? st.st_uid : (uid_t)-1;
	}
	/* free the backlog: the connector's connect completes */
	conn = accept4(a->srv, NULL, NULL, SOCK_CLOEXEC);
	if (conn >= 0)
		close(conn);
	close(a->prefill);
	return NULL;
}

Test(unix_connect, blocking_connect_is_made_by_a_connector_as_the_target, .init = setup,
     .fini = teardown)
{
	struct unix_case *c = gate_shared(sizeof(*c));
	struct server_arg sa = { .c = c, .serving_tid = (pid_t)syscall(SYS_gettid) };
	struct gate_harness h;
	struct ucred peer;
	pthread_t th;
	uint64_t cgid;
	char buf[8] = "", want_cg[256];
	int srv, conn;

	c->addr.sun_family = AF_UNIX;
	snprintf(c->addr.sun_path, sizeof(c->addr.sun_path), "%s/sock", dir);
	snprintf(want_cg, sizeof(want_cg), "al-unixconn-%d", (int)getpid());
	if (test_cgroup_make(want_cg, c->cgroup_path, sizeof(c->cgroup_path), &cgid) < 0)
		cr_skip_test("no cgroup2 to put the target in");
	/* backlog 0 holds one connection: the prefill fills it, the target's connect blocks */
	srv = unix_server(&c->addr, SOCK_STREAM, 0);
	sa.srv = srv;
	sa.prefill = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_eq(connect(sa.prefill, (struct sockaddr *)&c->addr, sizeof(c->addr)), 0);
	cr_assert_eq(pthread_create(&th, NULL, server_thread, &sa), 0);

	cr_assert_eq(run_gated(unix_calls, 2, &as_nobody, child_connects, c, allow, NULL, &h), 0);
	pthread_join(th, NULL);
	rmdir(c->cgroup_path);

	cr_assert_eq(c->err[0], 0, "the target's connect failed: %s", strerror(c->err[0]));
	cr_assert_eq(h.parked, 1, "the connect was not handed to a connector");
	cr_assert_neq(c->connector, 0, "no connector process appeared while the connect blocked");
	conn = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
	cr_assert_geq(conn, 0);
	peer_of(conn, &peer);
	cr_log_info("peer pid %d (serving %d, target %d, connector %d) uid %u gid %u",
		    (int)peer.pid, (int)getpid(), (int)c->target_pid, (int)c->connector,
		    (unsigned)peer.uid, (unsigned)peer.gid);
	cr_assert_neq(peer.pid, getpid(), "the peer is the process serving the gate");
	cr_assert_eq(peer.pid, c->connector);
	cr_assert_eq(peer.uid, NOBODY);
	cr_assert_eq(peer.gid, NOBODY);
	cr_assert_eq(read(conn, buf, 5), 5);
	cr_assert_str_eq(buf, "hello");
	/* what the connector was while it blocked */
	cr_assert_str_eq(c->status_uid, "65534\t65534\t65534\t65534");
	cr_assert_str_eq(c->status_gid, "65534\t65534\t65534\t65534");
	cr_assert_str_eq(c->cap_eff, "0000000000000000");
	cr_assert_str_eq(c->nnp, "1");
	cr_assert_eq(c->proc_owner, 0,
		     "the connector is dumpable: its /proc/PID/fd belongs to uid %d",
		     (int)c->proc_owner);
	cr_assert(strstr(c->cgroup_path, c->cgroup) &&
			  strcmp(c->cgroup_path + strlen(c->cgroup_path) - strlen(c->cgroup),
				 c->cgroup) == 0,
		  "connector in '%s', target in '%s'", c->cgroup, c->cgroup_path);
	close(conn);
	close(srv);
}

Test(unix_connect, nonblocking_connect_works_and_a_full_backlog_is_eagain, .init = setup,
     .fini = teardown)
{
	struct unix_case *c = gate_shared(sizeof(*c));
	struct gate_harness h;
	struct ucred peer;
	char buf[8] = "";
	int srv, conn;

	c->addr.sun_family = AF_UNIX;
	snprintf(c->addr.sun_path, sizeof(c->addr.sun_path), "%s/sock", dir);
	c->nonblock = true;
	atomic_store(&c->go, 1);
	srv = unix_server(&c->addr, SOCK_STREAM, 0);

	cr_assert_eq(run_gated(unix_calls, 2, &as_nobody, child_connects, c, allow, NULL, &h), 0);
	cr_assert_eq(c->err[0], 0, "first connect: %s", strerror(c->err[0]));
	cr_assert_eq(c->err[1], EAGAIN, "second connect: %s", strerror(c->err[1]));
	cr_assert_eq(h.parked, 2);
	conn = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
	cr_assert_geq(conn, 0);
	peer_of(conn, &peer);
	cr_assert_neq(peer.pid, getpid(), "the peer is the process serving the gate");
	cr_assert_neq(peer.pid, c->target_pid);
	cr_assert_eq(peer.uid, NOBODY);
	cr_assert_eq(peer.gid, NOBODY);
	cr_assert_eq(read(conn, buf, 5), 5);
	cr_assert_str_eq(buf, "hello");
	close(conn);
	close(srv);
}

Test(unix_connect, denied_connect_gets_eperm_and_reaches_nobody, .init = setup, .fini = teardown)
{
	struct unix_case *c = gate_shared(sizeof(*c));
	struct gate_harness h;
	int srv;

	c->addr.sun_family = AF_UNIX;
	snprintf(c->addr.sun_path, sizeof(c->addr.sun_path), "%s/sock", dir);
	atomic_store(&c->go, 1);
	srv = unix_server(&c->addr, SOCK_STREAM | SOCK_NONBLOCK, 4);

	cr_assert_eq(run_gated(unix_calls, 2, &as_nobody, child_connects, c, deny, NULL, &h), 0);
	cr_assert_eq(c->err[0], EPERM);
	cr_assert_eq(h.denied, 1);
	cr_assert_eq(h.parked, 0);
	cr_assert_lt(accept4(srv, NULL, NULL, SOCK_CLOEXEC), 0);
	cr_assert_eq(errno, EAGAIN);
	close(srv);
}

static int child_sends(void *arg)
{
	struct unix_case *c = arg;
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);

	atomic_store(&c->target_pid, getpid());
	if (s < 0)
		return 90;
	if (sendto(s, "hi", 2, 0, (struct sockaddr *)&c->addr, sizeof(c->addr)) != 2)
		return 91;
	return 0;
}

Test(unix_connect, datagram_credentials_name_the_target, .init = setup, .fini = teardown)
{
	struct unix_case *c = gate_shared(sizeof(*c));
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(struct ucred))];
	} ctl;
	char data[8] = "";
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	struct gate_harness h;
	struct ucred cred;
	struct cmsghdr *cm;
	int srv, one = 1;

	c->addr.sun_family = AF_UNIX;
	snprintf(c->addr.sun_path, sizeof(c->addr.sun_path), "%s/dgram", dir);
	srv = unix_server(&c->addr, SOCK_DGRAM, 0);
	cr_assert_eq(setsockopt(srv, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)), 0);

	cr_assert_eq(run_gated(unix_calls, 2, &as_nobody, child_sends, c, allow, NULL, &h), 0);
	cr_assert_eq(h.parked, 1, "the send was not handed to a connector");
	cr_assert_eq(recvmsg(srv, &mh, MSG_DONTWAIT), 2);
	cr_assert_str_eq(data, "hi");
	cm = CMSG_FIRSTHDR(&mh);
	cr_assert_not_null(cm);
	cr_assert_eq(cm->cmsg_type, SCM_CREDENTIALS);
	memcpy(&cred, CMSG_DATA(cm), sizeof(cred));
	cr_assert_neq(cred.pid, getpid(), "the sender is the process serving the gate");
	cr_assert_neq(cred.pid, c->target_pid);
	cr_assert_eq(cred.uid, NOBODY);
	cr_assert_eq(cred.gid, NOBODY);
	close(srv);
}

/* A notification dropped while its connector waits (the session ended) leaves nothing
 * behind: the connector is killed and reaped, the target's connect never completes. */
Test(unix_connect, a_dropped_notification_kills_its_connector, .init = setup, .fini = teardown)
{
	struct unix_case *c = gate_shared(sizeof(*c));
	struct pollfd p;
	struct gate_harness h;
	struct gate_notif *n = calloc(1, sizeof(*n));
	siginfo_t si = { 0 };
	pid_t connector;
	int srv, prefill, conn, r;

	c->addr.sun_family = AF_UNIX;
	snprintf(c->addr.sun_path, sizeof(c->addr.sun_path), "%s/sock", dir);
	atomic_store(&c->go, 1);
	srv = unix_server(&c->addr, SOCK_STREAM | SOCK_NONBLOCK, 0);
	prefill = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_eq(connect(prefill, (struct sockaddr *)&c->addr, sizeof(c->addr)), 0);

	cr_assert_eq(gate_start(&h, unix_calls, 2, &as_nobody, child_connects, c), 0);
	p = (struct pollfd){ .fd = h.listener, .events = POLLIN };
	cr_assert_eq(poll(&p, 1, 5000), 1);
	cr_assert_eq(notify_recv(h.listener, n), 0);
	r = notify_allow(n);
	cr_assert_eq(r, -EINPROGRESS, "notify_allow: %s", strerror(-r));
	cr_assert_eq(n->wait_events, EPOLLIN);
	connector = find_connector((pid_t)syscall(SYS_gettid), h.child);
	cr_assert_gt(connector, 0);
	/* blocked on the full backlog: still running */
	cr_assert_eq(waitid(P_PIDFD, (id_t)n->wait_fd, &si, WEXITED | WNOHANG | WNOWAIT | __WALL),
		     0);
	cr_assert_eq(si.si_pid, 0, "the connector did not wait for the backlog");

	notify_release(n);
	free(n);
	cr_assert_eq(kill(connector, 0), -1, "the connector is still there (running or a zombie)");
	cr_assert_eq(errno, ESRCH);
	/* its connect never completed: after the prefill, nothing is queued */
	conn = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
	cr_assert_geq(conn, 0);
	close(conn);
	cr_assert_lt(accept4(srv, NULL, NULL, SOCK_CLOEXEC), 0);
	cr_assert_eq(errno, EAGAIN);
	gate_stop(&h);
	close(prefill);
	close(srv);
}
