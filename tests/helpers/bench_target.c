// SPDX-License-Identifier: Apache-2.0
/*
 * bench_target: the process whose calls tests/bench/bench_gate measures.  It runs one
 * loop of one kind of call and prints what it measured on stdout, so the bench can run
 * the very same program outside a session, under a raw notification filter, under the
 * real gate filter, or under `airlock run`, and compare like with like.
 *
 *   bench_target MODE ITERATIONS [ARG]
 *
 *   getppid N         syscall(SYS_getppid)                  (ungated)
 *   readzero N        read 1 byte from /dev/zero            (ungated)
 *   forkexec N        fork + execve /bin/true + waitpid     (exec gated)
 *   openw N PATH      open(PATH, O_WRONLY|O_CREAT) + close  (write-open gated)
 *   openr N PATH      open(PATH, O_RDONLY) + close          (gated only with a read rule)
 *   connect N         TCP connect to a listener of its own on 127.0.0.1 (connect gated)
 *   execfail N PATH   execve of a non-executable PATH: fails with EACCES after the gate
 *                     let it through, so the loop measures the gate and not the exec
 *   ask N PATH        open(PATH, O_WRONLY|O_CREAT) where policy asks: after each return,
 *                     prints "t NS RC" (CLOCK_MONOTONIC, the same clock as the driver's)
 *
 * Only the measured call is timed (clock_gettime is a vDSO call, not a syscall); set-up
 * and tear-down around it (close, accept) are not.  The two ungated loops report the
 * thread's CPU time instead of elapsed time (they never block).  A tenth of N runs first as
 * warm-up. Output: "ns TOTAL_NS N" -- the bench divides.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The ungated loops never block, so their cost is the CPU time they use: on a shared
 * machine, time spent preempted by other work would otherwise count as syscall time. */
static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_target: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t loop_getppid(long n)
{
	uint64_t t0 = cpu_ns();

	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return cpu_ns() - t0;
}

static uint64_t loop_readzero(long n)
{
	static int fd = -1;
	char c;
	uint64_t t0;

	if (fd < 0 && (fd = open("/dev/zero", O_RDONLY | O_CLOEXEC)) < 0)
		die("open /dev/zero");
	t0 = cpu_ns();
	for (long i = 0; i < n; i++)
		if (read(fd, &c, 1) != 1)
			die("read /dev/zero");
	return cpu_ns() - t0;
}

static uint64_t loop_forkexec(long n)
{
	char *const argv[] = { "true", NULL };
	char *const envp[] = { NULL };
	uint64_t t0 = now_ns();

	for (long i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			execve("/bin/true", argv, envp);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) < 0)
			die("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "bench_target: /bin/true failed (status 0x%x)\n", status);
			exit(1);
		}
	}
	return now_ns() - t0;
}

static uint64_t loop_open(long n, const char *path, int flags)
{
	uint64_t sum = 0;

	for (long i = 0; i < n; i++) {
		uint64_t t0 = now_ns();
		int fd = open(path, flags | O_CLOEXEC, 0600);

		sum += now_ns() - t0;
		if (fd < 0)
			die(path);
		close(fd);
	}
	return sum;
}

/* The loopback listener lives here, in the target, so that every connection can be
 * accepted and closed after its timed connect returns: the accept queue never fills. */
static int listener_open(struct sockaddr_in *ret_sa)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int l;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0)
		die("socket");
	if (bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 16) < 0 ||
	    getsockname(l, (struct sockaddr *)&sa, &len) < 0)
		die("listen on 127.0.0.1");
	*ret_sa = sa;
	return l;
}

static uint64_t loop_connect(long n, int l, const struct sockaddr_in *sa)
{
	/* linger 0: close sends RST, so thousands of connections leave no TIME_WAIT behind */
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	uint64_t sum = 0;

	for (long i = 0; i < n; i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		uint64_t t0;
		int a;

		if (s < 0)
			die("socket");
		setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		t0 = now_ns();
		if (connect(s, (const struct sockaddr *)sa, sizeof(*sa)) < 0)
			die("connect to 127.0.0.1");
		sum += now_ns() - t0;
		a = accept4(l, NULL, NULL, SOCK_CLOEXEC);
		if (a < 0)
			die("accept");
		close(s);
		close(a);
	}
	return sum;
}

static uint64_t loop_execfail(long n, const char *path)
{
	char *const argv[] = { (char *)path, "--bench", NULL };
	char *const envp[] = { NULL };
	uint64_t sum = 0;

	for (long i = 0; i < n; i++) {
		uint64_t t0 = now_ns();

		execve(path, argv, envp);
		sum += now_ns() - t0;
		if (errno != EACCES)
			die("execve of a non-executable file did not fail with EACCES");
	}
	return sum;
}

static void loop_ask(long n, const char *path)
{
	for (long i = 0; i < n; i++) {
		int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		uint64_t t = now_ns();

		printf("t %llu %d\n", (unsigned long long)t, fd < 0 ? -errno : 0);
		fflush(stdout);
		if (fd >= 0)
			close(fd);
	}
}

int main(int argc, char **argv)
{
	const char *mode, *arg = NULL;
	long n, warm;
	uint64_t ns = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_target MODE ITERATIONS [ARG]\n");
		return 2;
	}
	mode = argv[1];
	n = strtol(argv[2], NULL, 10);
	if (argc > 3)
		arg = argv[3];
	if (n <= 0) {
		fprintf(stderr, "bench_target: bad iteration count '%s'\n", argv[2]);
		return 2;
	}
	warm = n / 10 + 1;

	if (strcmp(mode, "getppid") == 0) {
		loop_getppid(warm);
		ns = loop_getppid(n);
	} else if (strcmp(mode, "readzero") == 0) {
		loop_readzero(warm);
		ns = loop_readzero(n);
	} else if (strcmp(mode, "forkexec") == 0) {
		loop_forkexec(warm);
		ns = loop_forkexec(n);
	} else if (arg && strcmp(mode, "openw") == 0) {
		loop_open(warm, arg, O_WRONLY | O_CREAT);
		ns = loop_open(n, arg, O_WRONLY | O_CREAT);
	} else if (arg && strcmp(mode, "openr") == 0) {
		loop_open(warm, arg, O_RDONLY);
		ns = loop_open(n, arg, O_RDONLY);
	} else if (strcmp(mode, "connect") == 0) {
		struct sockaddr_in sa;
		int l = listener_open(&sa);

		loop_connect(warm, l, &sa);
		ns = loop_connect(n, l, &sa);
		close(l);
	} else if (arg && strcmp(mode, "execfail") == 0) {
		loop_execfail(warm, arg);
		ns = loop_execfail(n, arg);
	} else if (arg && strcmp(mode, "ask") == 0) {
		loop_ask(n, arg);
		return 0;
	} else {
		fprintf(stderr, "bench_target: unknown mode '%s' or missing argument\n", mode);
		return 2;
	}
	printf("ns %llu %ld\n", (unsigned long long)ns, n);
	return 0;
}
