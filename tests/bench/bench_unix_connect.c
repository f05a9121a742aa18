// SPDX-License-Identifier: Apache-2.0
/*
 * What an allowed AF_UNIX connect costs.  Two tables:
 *
 *  1. Through a real gate (tests/lib/gate_harness.c: seccomp notification, notify_allow,
 *     the epoll completion), per connect as the gated child times it: ungated, AF_UNIX
 *     (made by a connector), TCP loopback (made by the serving process itself).
 *  2. Through a real airlockd: `airlock run -- unix_connect_loop` with a policy that notifies
 *     connect (any connect rule does), so every connect is decided and made by the daemon's
 *     path for AF_UNIX, whatever that is in the tree built.
 *  3. The mechanism alone, from a root process: connect() in place, a connector forked per
 *     call (connector_start + wait on its pidfd), and a resident helper that receives the
 *     socket with SCM_RIGHTS and answers over a socketpair (the alternative not taken).
 *
 * Build and run: make bench (or build/tests/bench/bench_unix_connect [N]).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "connector.h"
#include "daemon.h"
#include "gate_harness.h"
#include "target.h"

static int n_iter = 300;

struct shared {
	struct sockaddr_un un;
	struct sockaddr_in in;
	int tcp;
	double us; /* per connect, as the child measured */
};

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int child_loop(void *arg)
{
	struct shared *s = arg;
	double t0;
	int i, fd;

	t0 = now_us();
	for (i = 0; i < n_iter; i++) {
		fd = socket(s->tcp ? AF_INET : AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return 1;
		if (s->tcp ? connect(fd, (struct sockaddr *)&s->in, sizeof(s->in))
			   : connect(fd, (struct sockaddr *)&s->un, sizeof(s->un)))
			return 2;
		close(fd);
	}
	s->us = (now_us() - t0) / n_iter;
	return 0;
}

static int allow(struct gate_notif *n, void *arg)
{
	(void)n;
	(void)arg;
	return GATE_ALLOW;
}

static void *drain(void *arg)
{
	int srv = *(int *)arg, c;

	while ((c = accept4(srv, NULL, NULL, SOCK_CLOEXEC)) >= 0)
		close(c);
	return NULL;
}

static double gated(struct shared *s, bool tcp, bool gate)
{
	static const char *const calls[] = { "connect" };
	static const char *const none[] = { "getpid" }; /* a filter that never fires */
	struct gate_child_opts as_nobody = { .uid = 65534, .gid = 65534, .umask = -1 };
	struct gate_harness h;
	int status = 0;

	s->tcp = tcp;
	s->us = -1;
	if (gate_start(&h, gate ? calls : none, 1, &as_nobody, child_loop, s) < 0 ||
	    gate_serve(&h, allow, NULL, 60000, &status) < 0)
		return -1;
	gate_stop(&h);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? s->us : -1;
}

/* ---- through airlockd ------------------------------------------------------------ */

#define CONNECT_POLICY                                                                             \
	"version: 1\n"                                                                             \
	"rules:\n"                                                                                 \
	"  - name: no-metadata\n"                                                                  \
	"    match: { connect: [\"169.254.169.254\"] }\n"                                          \
	"    action: deny\n"

static double through_airlockd(const char *path)
{
	struct test_daemon d;
	char helper[PATH_MAX + 64], n[16], *out = NULL;
	double us = -1;

	snprintf(helper, sizeof(helper), "%s/tests/helpers/unix_connect_loop", test_build_dir());
	snprintf(n, sizeof(n), "%d", n_iter);
	if (test_daemon_start(&d, CONNECT_POLICY, NULL) < 0)
		return -1;
	if (test_airlock(&d, &out, NULL, "run", "--", helper, path, n, NULL) == 0 && out)
		us = atof(out);
	free(out);
	test_daemon_stop(&d);
	return us;
}

/* ---- mechanism alone -------------------------------------------------------------- */

static double in_place(const struct sockaddr_un *un)
{
	double t0 = now_us();
	int i, fd;

	for (i = 0; i < n_iter; i++) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (const struct sockaddr *)un, sizeof(*un)) < 0)
			return -1;
		close(fd);
	}
	return (now_us() - t0) / n_iter;
}

static double forked(const struct target *t, const struct sockaddr_un *un)
{
	double t0 = now_us();
	int i, fd, pidfd, err;

	for (i = 0; i < n_iter; i++) {
		struct connector_call c = { .sock = -1, .keep_fd = -1 };
		struct pollfd p;

		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		c.sock = fd;
		c.addr = (const struct sockaddr *)un;
		c.addrlen = sizeof(*un);
		if (fd < 0 || connector_start(t, &c, &pidfd) < 0)
			return -1;
		p = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		poll(&p, 1, 5000);
		if (connector_finish(pidfd, &err) < 0 || err < 0)
			return -1;
		close(pidfd);
		close(fd);
	}
	return (now_us() - t0) / n_iter;
}

/* The resident alternative: one helper, the socket passed with SCM_RIGHTS, errno back. */
static void resident_main(int ch, const struct sockaddr_un *un)
{
	for (;;) {
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(sizeof(int))];
		} ctl;
		char b;
		struct iovec iov = { .iov_base = &b, .iov_len = 1 };
		struct msghdr mh = { .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = ctl.buf,
				     .msg_controllen = sizeof(ctl.buf) };
		int fd, err;

		if (recvmsg(ch, &mh, MSG_CMSG_CLOEXEC) <= 0)
			_exit(0);
		memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&mh)), sizeof(fd));
		err = connect(fd, (const struct sockaddr *)un, sizeof(*un)) < 0 ? errno : 0;
		close(fd);
		if (write(ch, &err, sizeof(err)) != sizeof(err))
			_exit(1);
	}
}

static double resident(const struct sockaddr_un *un)
{
	int sp[2], i, fd, err;
	double t0, us = -1;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(sp[0]);
		if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
			_exit(1);
		resident_main(sp[1], un);
	}
	close(sp[1]);
	t0 = now_us();
	for (i = 0; i < n_iter; i++) {
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(sizeof(int))];
		} ctl = { 0 };
		char b = 0;
		struct iovec iov = { .iov_base = &b, .iov_len = 1 };
		struct msghdr mh = { .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = ctl.buf,
				     .msg_controllen = sizeof(ctl.buf) };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
		if (sendmsg(sp[0], &mh, 0) != 1 || read(sp[0], &err, sizeof(err)) != sizeof(err) ||
		    err)
			goto out;
		close(fd);
	}
	us = (now_us() - t0) / n_iter;
out:
	close(sp[0]);
	waitpid(pid, NULL, 0);
	return us;
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/al-bench-XXXXXX";
	struct shared *s = gate_shared(sizeof(*s));
	struct target t = { .procfd = -1, .rootfd = -1 };
	socklen_t len = sizeof(s->in);
	int usrv, tsrv, r = 1;
	pthread_t th1, th2;
	pid_t victim;

	if (argc > 1)
		n_iter = atoi(argv[1]);
	if (geteuid() != 0 || !s || !mkdtemp(dir)) {
		fprintf(stderr, "bench_unix_connect: needs root\n");
		return 1;
	}
	chmod(dir, 0755);
	s->un.sun_family = AF_UNIX;
	snprintf(s->un.sun_path, sizeof(s->un.sun_path), "%s/sock", dir);
	usrv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	tsrv = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	s->in.sin_family = AF_INET;
	s->in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(usrv, (struct sockaddr *)&s->un, sizeof(s->un)) < 0 || listen(usrv, 4096) < 0 ||
	    chmod(s->un.sun_path, 0777) < 0 || bind(tsrv, (struct sockaddr *)&s->in, len) < 0 ||
	    listen(tsrv, 4096) < 0 || getsockname(tsrv, (struct sockaddr *)&s->in, &len) < 0)
		goto out;
	pthread_create(&th1, NULL, drain, &usrv);
	pthread_create(&th2, NULL, drain, &tsrv);

	printf("per connect, mean of %d (µs)\n", n_iter);
	printf("through the gate (the gated child times its connect calls)\n");
	printf("  %-40s %8.1f\n", "AF_UNIX, not notified", gated(s, false, false));
	printf("  %-40s %8.1f\n", "AF_UNIX, allowed (connector)", gated(s, false, true));
	printf("  %-40s %8.1f\n", "TCP loopback, not notified", gated(s, true, false));
	printf("  %-40s %8.1f\n", "TCP loopback, allowed (in the daemon)", gated(s, true, true));

	printf("through airlockd (airlock run as root, a connect rule in the policy)\n");
	printf("  %-40s %8.1f\n", "AF_UNIX, allowed", through_airlockd(s->un.sun_path));

	/* a target to take the identity of: nobody, in our cgroup */
	victim = fork();
	if (victim == 0) {
		if (setresgid(65534, 65534, 65534) == 0 && setresuid(65534, 65534, 65534) == 0)
			pause();
		_exit(1);
	}
	usleep(20000);
	if (target_open(victim, &t) < 0)
		goto kill;
	printf("the mechanism alone (AF_UNIX, from root)\n");
	printf("  %-40s %8.1f\n", "connect() in place", in_place(&s->un));
	printf("  %-40s %8.1f\n", "connector forked per call", forked(&t, &s->un));
	printf("  %-40s %8.1f\n", "resident helper, SCM_RIGHTS round trip", resident(&s->un));
	target_close(&t);
	r = 0;
kill:
	kill(victim, SIGKILL);
	waitpid(victim, NULL, 0);
out:
	shutdown(usrv, SHUT_RDWR);
	shutdown(tsrv, SHUT_RDWR);
	gate_rmtree(dir);
	return r;
}
