// SPDX-License-Identifier: Apache-2.0
/*
 * Escape attempts on connect rules, against a real airlockd and real `airlock run`
 * sessions: every route to a denied address or unix socket, raw sockets, and what a unix
 * server learns of its peer.  The test listens on the denied destinations itself and
 * checks that nothing arrived, not only what the attacker saw (tests/lib/escape.h).  See
 * docs/threat-model.md, "Egress".
 *
 * A test that fails here is a hole: it is kept failing, not weakened, until the gate closes
 * it (the threat model lists the open ones).
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "escape.h"

TestSuite(escape_egress, .init = escape_setup, .fini = escape_teardown, .timeout = 60);

/* TCP and UDP on 127.0.0.2 (the same port), and a unix socket at DIR/sock: the
 * destinations ESCAPE_POLICY_FILES denies. */
struct listeners {
	int tcp, udp, unx;
	int port;
};

static void listen_all(struct listeners *l)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	socklen_t len = sizeof(sin);
	int one = 1;

	inet_pton(AF_INET, "127.0.0.2", &sin.sin_addr);
	l->tcp = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	setsockopt(l->tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	cr_assert_eq(bind(l->tcp, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(listen(l->tcp, 8), 0);
	cr_assert_eq(getsockname(l->tcp, (struct sockaddr *)&sin, &len), 0);
	l->port = ntohs(sin.sin_port);
	l->udp = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	cr_assert_eq(bind(l->udp, (struct sockaddr *)&sin, sizeof(sin)), 0,
		     "udp port %d on 127.0.0.2 is taken", l->port);
	l->unx = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	snprintf(un.sun_path, sizeof(un.sun_path), "%s", esc.sockpath);
	cr_assert_eq(bind(l->unx, (struct sockaddr *)&un, sizeof(un)), 0);
	chmod(esc.sockpath, 0777);
	cr_assert_eq(listen(l->unx, 8), 0);
}

static void close_all(const struct listeners *l)
{
	close(l->tcp);
	close(l->udp);
	close(l->unx);
}

static void assert_silent(const struct listeners *l, const char *out)
{
	char buf[64];
	int c;

	c = accept(l->tcp, NULL, NULL);
	cr_expect_lt(c, 0, "a TCP connection reached the denied address; attacker:\n%s", out);
	if (c >= 0)
		close(c);
	cr_expect_lt(recv(l->udp, buf, sizeof(buf), MSG_DONTWAIT), 0,
		     "a datagram reached the denied address; attacker:\n%s", out);
	c = accept(l->unx, NULL, NULL);
	cr_expect_lt(c, 0, "a connection reached the denied unix socket; attacker:\n%s", out);
	if (c >= 0)
		close(c);
}

/* Start airlockd under ESCAPE_POLICY_FILES, listen on the destinations it denies, and run
 * attack what at 127.0.0.2, the port (and unix_path, may be NULL): the attacker's output. */
static char *attack_listeners(struct listeners *l, const char *what, const char *unix_path)
{
	char port[16], *out;

	escape_start(ESCAPE_POLICY_FILES);
	listen_all(l);
	snprintf(port, sizeof(port), "%d", l->port);
	cr_assert_eq(escape_attack(&out, what, "127.0.0.2", port, unix_path, NULL), 0);
	return out;
}

Test(escape_egress, every_route_to_a_denied_destination_is_closed)
{
	struct listeners l;
	char *out = attack_listeners(&l, "egress", esc.sockpath);

	assert_silent(&l, out);
	cr_expect(strstr(out, "HELD"), "the attacker reports an escape:\n%s", out);
	cr_expect(escape_audit_has("\"rule\":\"egress\""), "no egress denial audited");
	cr_expect(escape_audit_has("\"rule\":\"service-socket\""), "no unix socket denial audited");
	close_all(&l);
	free(out);
}

/* HOLE while it fails (root only): a raw IP_HDRINCL socket is "sent to" an allowed address
 * while its own header names the denied one. */
Test(escape_egress, raw_socket_header_does_not_reach_a_denied_destination)
{
	struct listeners l;
	char *out = attack_listeners(&l, "egress-raw", NULL);

	usleep(50 * 1000);
	assert_silent(&l, out);
	close_all(&l);
	free(out);
}

/* HOLE while it fails: airlockd performs an allowed AF_UNIX connect itself (with the
 * target's fsuid only), so the server's SO_PEERCRED names airlockd, uid 0.  A server that
 * authorizes by peer credentials (D-Bus, systemd, polkit, sshd-agent style daemons) then
 * serves an unprivileged agent as root. */
Test(escape_egress, unix_server_sees_the_agents_credentials_not_airlockds)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct ucred cred = { 0 };
	socklen_t len = sizeof(cred);
	struct passwd *pw = getpwnam("nobody");
	struct pollfd pfd;
	char path[100];
	int l, c = -1, fd = -1;
	pid_t pid;

	cr_assert_not_null(pw, "no user 'nobody'");
	escape_start(NULL);
	snprintf(path, sizeof(path), "%s/peer", esc.dir);
	l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(un.sun_path, sizeof(un.sun_path), "%s", path);
	cr_assert_eq(bind(l, (struct sockaddr *)&un, sizeof(un)), 0);
	cr_assert_eq(chmod(path, 0777), 0);
	cr_assert_eq(listen(l, 4), 0);
	pid = escape_spawn(&fd, "nobody", "unix-connect", path, NULL);
	pfd = (struct pollfd){ .fd = l, .events = POLLIN };
	if (poll(&pfd, 1, 5000) == 1)
		c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	cr_assert_geq(c, 0, "the agent's connection never arrived");
	cr_assert_eq(getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &len), 0);
	close(c);
	close(l);
	free(escape_collect(pid, fd, 5000));
	cr_expect_eq(cred.uid, pw->pw_uid,
		     "the server saw uid %u (pid %d; airlockd is %d), not the agent's %u",
		     (unsigned)cred.uid, (int)cred.pid, (int)esc.d.pid, (unsigned)pw->pw_uid);
	cr_expect_neq(cred.pid, esc.d.pid, "the server saw airlockd as its peer");
}
