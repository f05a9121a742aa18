// SPDX-License-Identifier: Apache-2.0
/*
 * The calls the daemon performs in the target's place, against real seccomp
 * notifications: sockets (connect, sendto, sendmsg on the target's own socket), name and
 * metadata calls (as the target's credentials allow), and what exec is decided on.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gate_cases.h"
#include "gate_harness.h"
#include "procmem.h"

/* ---- sockets ---------------------------------------------------------------------- */

struct conn_case {
	struct sockaddr_in addr;
	char unix_dir[64];
	bool nonblock;
	int nonblock_after; /* the socket's O_NONBLOCK after connect, as the child saw it */
};

static int wait_connected(int s)
{
	struct pollfd p = { .fd = s, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int err = 0;

	if (poll(&p, 1, 5000) != 1)
		return -1;
	getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
	return err;
}

static int child_connect(void *arg)
{
	struct conn_case *c = arg;
	int s, r;

	s = socket(AF_INET, SOCK_STREAM | (c->nonblock ? SOCK_NONBLOCK : 0), 0);
	if (s < 0)
		return 80;
	r = connect(s, (struct sockaddr *)&c->addr, sizeof(c->addr));
	if (r < 0 && errno == EPERM)
		return 81;
	if (r < 0 && !(c->nonblock && errno == EINPROGRESS))
		return 82;
	if (r < 0 && wait_connected(s) != 0)
		return 83;
	c->nonblock_after = !!(fcntl(s, F_GETFL) & O_NONBLOCK);
	if (write(s, "hello", 5) != 5)
		return 84;
	close(s);
	return 0;
}

static int connect_decide(struct gate_notif *n, void *arg)
{
	struct record *rec = arg;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&n->req.addr;

	rec->op[rec->n < REC_MAX ? rec->n : 0] = n->req.op;
	rec->flags[rec->n < REC_MAX ? rec->n : 0] = ntohs(sin->sin_port);
	rec->n++;
	return rec->deny_path ? EPERM : GATE_ALLOW;
}

static int tcp_listener(struct sockaddr_in *ret_addr)
{
	socklen_t len = sizeof(*ret_addr);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert_geq(s, 0);
	*ret_addr = (struct sockaddr_in){ .sin_family = AF_INET,
					  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	cr_assert_eq(bind(s, (struct sockaddr *)ret_addr, sizeof(*ret_addr)), 0);
	cr_assert_eq(listen(s, 8), 0);
	cr_assert_eq(getsockname(s, (struct sockaddr *)ret_addr, &len), 0);
	return s;
}

static void expect_hello(int srv)
{
	char buf[8] = "";
	int c = accept4(srv, NULL, NULL, SOCK_CLOEXEC);

	cr_assert_geq(c, 0);
	cr_assert_eq(read(c, buf, sizeof(buf) - 1), 5);
	cr_assert_str_eq(buf, "hello");
	close(c);
}

static const char *const connect_calls[] = { "connect", "sendto" };

Test(emulate, blocking_loopback_connect_is_answered_at_once, .init = setup, .fini = teardown)
{
	struct conn_case *c = gate_shared(sizeof(*c));
	struct record rec = { 0 };
	struct gate_harness h;
	int srv = tcp_listener(&c->addr);

	cr_assert_eq(run_gated(connect_calls, 1, NULL, child_connect, c, connect_decide, &rec, &h),
		     0);
	cr_assert_eq(rec.n, 1);
	cr_assert_eq(rec.op[0], AL_OP_CONNECT);
	cr_assert_eq(rec.flags[0], ntohs(c->addr.sin_port));
	/* a loopback handshake is over when connect() returns: nothing to park (unless the
	 * softirq was deferred, then it is parked and completed) */
	cr_log_info("loopback connect: parked %u, completed %u", h.parked, h.completed);
	cr_assert_eq(h.parked, h.completed);
	cr_assert_eq(c->nonblock_after, 0, "O_NONBLOCK leaked into the target's socket");
	expect_hello(srv);
	close(srv);
}

static void *accept_later(void *arg)
{
	int srv = *(int *)arg, c;

	/* long enough for the gated connect to have been parked, well before the SYN's
	 * first retransmission (1 s) */
	usleep(300 * 1000);
	c = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
	if (c >= 0)
		close(c);
	return NULL;
}

Test(emulate, blocking_connect_completes_through_epoll, .init = setup, .fini = teardown,
     .timeout = 20)
{
	struct conn_case *c = gate_shared(sizeof(*c));
	struct record rec = { 0 };
	struct gate_harness h;
	pthread_t th;
	int srv, filler;

	/* A listener whose accept queue is full drops the SYN: the connect is still in
	 * progress when connect() returns, until the queue has room and the SYN is sent
	 * again. */
	srv = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(srv, 0);
	c->addr = (struct sockaddr_in){ .sin_family = AF_INET,
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	cr_assert_eq(bind(srv, (struct sockaddr *)&c->addr, sizeof(c->addr)), 0);
	cr_assert_eq(listen(srv, 0), 0);
	cr_assert_eq(getsockname(srv, (struct sockaddr *)&c->addr, &(socklen_t){ sizeof(c->addr) }),
		     0);
	filler = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_eq(connect(filler, (struct sockaddr *)&c->addr, sizeof(c->addr)), 0);
	cr_assert_eq(pthread_create(&th, NULL, accept_later, &srv), 0);

	cr_assert_eq(run_gated(connect_calls, 1, NULL, child_connect, c, connect_decide, &rec, &h),
		     0);
	pthread_join(th, NULL);
	cr_assert_eq(rec.n, 1);
	/* the blocking connect was parked, not waited for in the loop */
	cr_log_info("blocking connect: parked %u, completed %u", h.parked, h.completed);
	cr_assert_eq(h.parked, 1, "connect to a full queue was not parked");
	cr_assert_eq(h.completed, 1);
	cr_assert_eq(c->nonblock_after, 0, "O_NONBLOCK leaked into the target's socket");
	expect_hello(srv);
	close(filler);
	close(srv);
}

Test(emulate, nonblocking_connect_works, .init = setup, .fini = teardown)
{
	struct conn_case *c = gate_shared(sizeof(*c));
	struct record rec = { 0 };
	struct gate_harness h;
	int srv = tcp_listener(&c->addr);

	c->nonblock = true;
	cr_assert_eq(run_gated(connect_calls, 1, NULL, child_connect, c, connect_decide, &rec, &h),
		     0);
	cr_assert_eq(rec.n, 1);
	cr_assert_eq(h.parked, 0);
	cr_assert_eq(c->nonblock_after, 1);
	expect_hello(srv);
	close(srv);
}

Test(emulate, denied_connect_gets_eperm, .init = setup, .fini = teardown)
{
	struct conn_case *c = gate_shared(sizeof(*c));
	struct record rec = { .deny_path = "deny" };
	struct gate_harness h;
	int srv = tcp_listener(&c->addr);

	cr_assert_eq(run_gated(connect_calls, 1, NULL, child_connect, c, connect_decide, &rec, &h),
		     81);
	cr_assert_eq(h.denied, 1);
	close(srv);
}

static int child_unix_connect(void *arg)
{
	struct conn_case *c = arg;
	struct sockaddr_un un = { .sun_family = AF_UNIX, .sun_path = "sock" };
	int s;

	/* a relative name: it must be looked up in the target's cwd, not the daemon's */
	if (chdir(c->unix_dir) < 0)
		return 85;
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0)
		return 86;
	if (connect(s, (struct sockaddr *)&un, sizeof(un)) < 0)
		return 87;
	if (write(s, "hello", 5) != 5)
		return 88;
	return 0;
}

Test(emulate, unix_connect_resolves_in_target_cwd, .init = setup, .fini = teardown)
{
	struct conn_case *c = gate_shared(sizeof(*c));
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct record rec = { 0 };
	struct gate_harness h;
	int srv;

	snprintf(c->unix_dir, sizeof(c->unix_dir), "%s", dir);
	snprintf(un.sun_path, sizeof(un.sun_path), "%s/sock", dir);
	srv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_eq(bind(srv, (struct sockaddr *)&un, sizeof(un)), 0);
	cr_assert_eq(listen(srv, 4), 0);
	cr_assert_eq(
		run_gated(connect_calls, 1, NULL, child_unix_connect, c, record_decide, &rec, &h),
		0);
	cr_assert_eq(rec.n, 1);
	cr_assert_str_eq(rec.path[0], un.sun_path);
	expect_hello(srv);
	close(srv);
}

static int child_sendto(void *arg)
{
	struct conn_case *c = arg;
	struct sockaddr_in me = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(me);
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s < 0 || bind(s, (struct sockaddr *)&me, sizeof(me)) < 0)
		return 90;
	getsockname(s, (struct sockaddr *)&me, &len);
	c->nonblock_after = ntohs(me.sin_port); /* reuse the field: the sender's port */
	if (sendto(s, "dgram", 5, 0, (struct sockaddr *)&c->addr, sizeof(c->addr)) != 5)
		return 91;
	return 0;
}

Test(emulate, sendto_is_sent_from_the_target_socket, .init = setup, .fini = teardown)
{
	struct conn_case *c = gate_shared(sizeof(*c));
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	struct record rec = { 0 };
	struct gate_harness h;
	char buf[16] = "";
	socklen_t len = sizeof(c->addr);
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	c->addr = (struct sockaddr_in){ .sin_family = AF_INET,
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	cr_assert_eq(bind(s, (struct sockaddr *)&c->addr, sizeof(c->addr)), 0);
	getsockname(s, (struct sockaddr *)&c->addr, &len);
	cr_assert_eq(run_gated(connect_calls, 2, NULL, child_sendto, c, connect_decide, &rec, &h),
		     0);
	cr_assert_eq(rec.n, 1);
	cr_assert_eq(rec.flags[0], ntohs(c->addr.sin_port));
	cr_assert_eq(
		recvfrom(s, buf, sizeof(buf) - 1, MSG_DONTWAIT, (struct sockaddr *)&from, &flen),
		5);
	cr_assert_str_eq(buf, "dgram");
	cr_assert_eq(ntohs(from.sin_port), c->nonblock_after, "not sent from the target's socket");
	close(s);
}

/* ---- name and metadata calls ------------------------------------------------------ */

static const char *const fs_calls[] = { "unlink",    "unlinkat", "rename",   "renameat",
					"renameat2", "chmod",	 "fchmodat", "fchmod" };

static int child_fs_ops(void *arg)
{
	const char *d = arg;
	char p[128], q[128];
	int fd;

	if (chdir(d) < 0)
		return 100;
	if (unlink("mine") < 0)
		return 101;
	/* "a/" must be a directory: the file a is not unlinked */
	if (unlink("a/") == 0 || errno != ENOTDIR)
		return 108;
	if (unlink("locked/roots") == 0 || errno != EACCES)
		return 102;
	if (rename("a", "b") < 0)
		return 103;
	if (chmod("b", 0600) < 0)
		return 104;
	if (chmod("locked/roots", 0777) == 0 || errno != EPERM)
		return 105;
	snprintf(p, sizeof(p), "%s/b", d);
	snprintf(q, sizeof(q), "%s/locked/c", d);
	if (rename(p, q) == 0 || errno != EACCES)
		return 106;
	/* fchmod acts on the target's own fd */
	fd = open("b", O_RDONLY);
	if (fd < 0 || fchmod(fd, 0640) < 0)
		return 107;
	return 0;
}

Test(emulate, name_and_mode_calls_emulated_as_the_target, .init = setup, .fini = teardown)
{
	struct gate_child_opts opts = { .uid = NOBODY, .gid = NOBODY, .umask = -1 };
	struct gate_harness h;
	struct record rec = { 0 };
	char p[128], want[128];
	struct stat st;
	int r;

	chmod(dir, 0777);
	snprintf(p, sizeof(p), "%s/locked", dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/locked/roots", dir);
	close(open(p, O_WRONLY | O_CREAT, 0644));
	snprintf(p, sizeof(p), "%s/mine", dir);
	close(open(p, O_WRONLY | O_CREAT, 0644));
	cr_assert_eq(chown(p, NOBODY, NOBODY), 0);
	snprintf(p, sizeof(p), "%s/a", dir);
	close(open(p, O_WRONLY | O_CREAT, 0644));
	cr_assert_eq(chown(p, NOBODY, NOBODY), 0);

	r = run_gated(fs_calls, 8, &opts, child_fs_ops, dir, record_decide, &rec, &h);
	cr_assert_eq(r, 0, "child failed at step %d", r);
	cr_assert_eq(rec.n, 7);
	snprintf(want, sizeof(want), "%s/b", dir);
	cr_assert_str_eq(rec.path[6], want, "fchmod decided on the fd's file");
	snprintf(want, sizeof(want), "%s/mine", dir);
	cr_assert_str_eq(rec.path[0], want);
	cr_assert_eq(rec.op[0], AL_OP_DELETE);
	snprintf(want, sizeof(want), "%s/a", dir);
	cr_assert_str_eq(rec.path[2], want);
	snprintf(want, sizeof(want), "%s/b", dir);
	cr_assert_str_eq(rec.path2[2], want);
	cr_assert_eq(rec.op[3], AL_OP_CHMOD);
	snprintf(want, sizeof(want), "%s/locked/c", dir);
	cr_assert_str_eq(rec.path2[5], want);

	snprintf(p, sizeof(p), "%s/mine", dir);
	cr_assert_eq(access(p, F_OK), -1);
	snprintf(p, sizeof(p), "%s/locked/roots", dir);
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0644);
	snprintf(p, sizeof(p), "%s/b", dir);
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0640);
}

/* ---- exec ------------------------------------------------------------------------- */

struct argv_record {
	int n;
	int argc[2];
	bool truncated[2];
	char path[2][PATH_MAX];
	char arg1[2][64];
};

static int argv_decide(struct gate_notif *n, void *arg)
{
	struct argv_record *rec = arg;
	int i = rec->n++;

	if (i >= 2)
		return GATE_ALLOW;
	rec->argc[i] = n->req.argc;
	rec->truncated[i] = n->req.argv_truncated;
	snprintf(rec->path[i], PATH_MAX, "%s", n->req.path);
	snprintf(rec->arg1[i], 64, "%s", n->req.argc > 1 ? n->req.argv[1] : "");
	return i == 0 ? EPERM : GATE_ALLOW;
}

static int child_exec(void *arg)
{
	static char *big[400];
	char *small[] = { "true", "a b", "c", NULL };
	int i;

	(void)arg;
	for (i = 0; i < 399; i++)
		big[i] = "x";
	big[399] = NULL;
	execve("/bin/true", big, NULL);
	if (errno != EPERM)
		return 110;
	execve("/bin/true", small, NULL);
	return 111;
}

Test(emulate, exec_argv_copied_and_truncation_flagged, .init = setup, .fini = teardown)
{
	static const char *const exec_calls[] = { "execve", "execveat" };
	struct argv_record rec = { 0 };
	struct gate_harness h;
	char real[PATH_MAX];

	cr_assert_not_null(realpath("/bin/true", real));
	cr_assert_eq(run_gated(exec_calls, 2, NULL, child_exec, NULL, argv_decide, &rec, &h), 0);
	cr_assert_eq(rec.n, 2);
	cr_assert_eq(rec.argc[0], AL_ARGV_MAX);
	cr_assert(rec.truncated[0]);
	cr_assert_eq(rec.argc[1], 3);
	cr_assert_not(rec.truncated[1]);
	cr_assert_str_eq(rec.arg1[1], "a b");
	cr_assert_str_eq(rec.path[1], real);
}

/* ---- more emulated calls ---------------------------------------------------------- */

static const char *const write_calls[] = {
	"mkdir",  "mkdirat",  "symlink",   "symlinkat", "link",
	"linkat", "truncate", "utimensat", "mknod",	"mknodat"
};

static int child_write_ops(void *arg)
{
	const char *d = arg;
	struct timespec ts[2] = { { .tv_sec = 1000000 }, { .tv_sec = 2000000 } };
	int fd;

	if (chdir(d) < 0)
		return 160;
	if (mkdir("newdir", 0777) < 0)
		return 161;
	if (symlink("target-text", "newdir/sl") < 0)
		return 162;
	if (link("data", "newdir/hard") < 0)
		return 163;
	if (truncate("data", 3) < 0)
		return 164;
	if (utimensat(AT_FDCWD, "data", ts, 0) < 0)
		return 165;
	if (mkfifo("newdir/fifo", 0666) < 0)
		return 166;
	/* the root-owned file is not the target's to touch */
	if (truncate("locked", 0) == 0 || errno != EACCES)
		return 167;
	/* futimens is utimensat(fd, NULL, ...): the target's own fd (what touch does) */
	fd = open("newdir/hard", O_RDONLY);
	ts[1].tv_sec = 3000000;
	if (fd < 0 || futimens(fd, ts) < 0)
		return 168;
	return 0;
}

Test(emulate, write_calls_emulated_as_the_target, .init = setup, .fini = teardown)
{
	struct gate_child_opts opts = { .uid = NOBODY, .gid = NOBODY, .umask = 022 };
	struct gate_harness h;
	struct record rec = { 0 };
	char p[160], q[160], text[64] = "";
	struct stat st, st2;
	int fd, r;

	chmod(dir, 0777);
	snprintf(p, sizeof(p), "%s/data", dir);
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	cr_assert_eq(write(fd, "0123456789", 10), 10);
	close(fd);
	cr_assert_eq(chown(p, NOBODY, NOBODY), 0);
	snprintf(p, sizeof(p), "%s/locked", dir);
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	cr_assert_eq(write(fd, "root", 4), 4);
	close(fd);

	r = run_gated(write_calls, 10, &opts, child_write_ops, dir, record_decide, &rec, &h);
	cr_assert_eq(r, 0, "child failed at step %d", r);
	cr_assert_eq(rec.n, 8);
	snprintf(p, sizeof(p), "%s/newdir/hard", dir);
	cr_assert_str_eq(rec.path[7], p, "futimens decided on the fd's file");
	/* symlink: the link is the path, its text is kept verbatim */
	snprintf(p, sizeof(p), "%s/newdir/sl", dir);
	cr_assert_str_eq(rec.path[1], p);
	cr_assert_str_eq(rec.path2[1], "target-text");
	/* link: both ends */
	snprintf(p, sizeof(p), "%s/data", dir);
	snprintf(q, sizeof(q), "%s/newdir/hard", dir);
	cr_assert_str_eq(rec.path[2], p);
	cr_assert_str_eq(rec.path2[2], q);

	snprintf(p, sizeof(p), "%s/newdir", dir);
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(st.st_uid, NOBODY);
	cr_assert_eq(st.st_mode & 07777, 0755, "umask applied: %o", st.st_mode & 07777);
	snprintf(p, sizeof(p), "%s/newdir/sl", dir);
	cr_assert_eq(readlink(p, text, sizeof(text) - 1), 11);
	cr_assert_str_eq(text, "target-text");
	cr_assert_eq(lstat(p, &st), 0);
	cr_assert_eq(st.st_uid, NOBODY);
	snprintf(p, sizeof(p), "%s/data", dir);
	snprintf(q, sizeof(q), "%s/newdir/hard", dir);
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(stat(q, &st2), 0);
	cr_assert_eq(st.st_ino, st2.st_ino);
	cr_assert_eq(st.st_size, 3);
	cr_assert_eq(st.st_mtim.tv_sec, 3000000);
	snprintf(p, sizeof(p), "%s/newdir/fifo", dir);
	cr_assert_eq(stat(p, &st), 0);
	cr_assert(S_ISFIFO(st.st_mode));
	cr_assert_eq(st.st_mode & 07777, 0644);
	snprintf(p, sizeof(p), "%s/locked", dir);
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(st.st_size, 4);
}

static int child_sendmsg(void *arg)
{
	struct conn_case *c = arg;
	struct iovec iov[2] = { { .iov_base = "hel", .iov_len = 3 },
				{ .iov_base = "lo", .iov_len = 2 } };
	struct msghdr mh = { .msg_name = &c->addr,
			     .msg_namelen = sizeof(c->addr),
			     .msg_iov = iov,
			     .msg_iovlen = 2 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct cmsghdr *cmsg;
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s < 0)
		return 180;
	if (sendmsg(s, &mh, 0) != 5)
		return 181;
	/* passing an fd along cannot be forwarded: denied */
	memset(&cm, 0, sizeof(cm));
	mh.msg_control = cm.buf;
	mh.msg_controllen = sizeof(cm.buf);
	cmsg = CMSG_FIRSTHDR(&mh);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &s, sizeof(int));
	if (sendmsg(s, &mh, 0) >= 0 || errno != EPERM)
		return 182;
	return 0;
}

Test(emulate, sendmsg_emulated_and_ancillary_data_denied, .init = setup, .fini = teardown)
{
	static const char *const calls[] = { "sendmsg" };
	struct conn_case *c = gate_shared(sizeof(*c));
	struct record rec = { 0 };
	struct gate_harness h;
	socklen_t len = sizeof(c->addr);
	char buf[16] = "";
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	c->addr = (struct sockaddr_in){ .sin_family = AF_INET,
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	cr_assert_eq(bind(s, (struct sockaddr *)&c->addr, sizeof(c->addr)), 0);
	getsockname(s, (struct sockaddr *)&c->addr, &len);
	r = run_gated(calls, 1, NULL, child_sendmsg, c, connect_decide, &rec, &h);
	cr_assert_eq(r, 0, "child failed at step %d", r);
	cr_assert_eq(rec.n, 2);
	cr_assert_eq(rec.flags[0], ntohs(c->addr.sin_port));
	cr_assert_eq(recv(s, buf, sizeof(buf) - 1, MSG_DONTWAIT), 5);
	cr_assert_str_eq(buf, "hello");
	cr_assert_eq(recv(s, buf, sizeof(buf) - 1, MSG_DONTWAIT), -1, "the denied one was sent");
	close(s);
}

static int child_fexecve(void *arg)
{
	char *argv[] = { "true", NULL };
	int fd = open("/bin/true", O_PATH | O_CLOEXEC);

	(void)arg;
	if (fd < 0)
		return 200;
	syscall(SYS_execveat, fd, "", argv, NULL, AT_EMPTY_PATH);
	return 201;
}

Test(emulate, fexecve_is_decided_on_the_fd_file, .init = setup, .fini = teardown)
{
	static const char *const exec_calls[] = { "execve", "execveat" };
	struct record rec = { 0 };
	struct gate_harness h;
	char real[PATH_MAX];

	cr_assert_not_null(realpath("/bin/true", real));
	cr_assert_eq(run_gated(exec_calls, 2, NULL, child_fexecve, NULL, record_decide, &rec, &h),
		     0);
	cr_assert_eq(rec.n, 1);
	cr_assert_eq(rec.op[0], AL_OP_EXEC);
	cr_assert_str_eq(rec.path[0], real);
}

/* A thread with its own cwd (unshare(CLONE_FS)): its relative paths are resolved against
 * that thread's cwd, read through /proc/TID, not the process's. */
