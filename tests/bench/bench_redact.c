// SPDX-License-Identifier: Apache-2.0
/*
 * Throughput of the redactor with every built-in rule on, personal data included, on
 * 64 MiB of mixed text (logs, JSON, code) made from a fixed seed: once without secrets
 * and once with one secret per 4 KiB.  Measured in the same run: `cat` of the same file,
 * `airlock redact` (stdin from the file, stdout to /dev/null), and the engine alone fed
 * 4 KiB chunks through the streaming API.  Best of three runs each.
 *
 * Two figures per measurement: wall clock, and CPU time (user + system of the child, or
 * of this thread for the engine).  The machine running the bench may be shared; bytes per
 * CPU second is the per-core throughput the aim (1 GB/s per core) is about.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "redact.h"

#define DATA_SIZE (64u << 20)
#define RUNS	  3

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned pick(unsigned n)
{
	return (unsigned)(next() % n);
}

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

struct timing {
	double wall, cpu;
};

static const char *const words[] = { "order",	"customer", "invoice", "shipment",
				     "payment", "session",  "request", "worker",
				     "cache",	"queue",    "batch",   "export",
				     "report",	"config",   "retry",   "timeout" };
static const char *const levels[] = { "INFO", "DEBUG", "WARN", "ERROR" };

static size_t gen_line(char *p, size_t room)
{
	const char *w = words[pick(16)], *w2 = words[pick(16)];
	int n;

	switch (pick(4)) {
	case 0:
		n = snprintf(p, room,
			     "2026-11-27T%02u:%02u:%02u.%03uZ %s [%s-svc] %s %s id=%u took %ums "
			     "status=%u\n",
			     pick(24), pick(60), pick(60), pick(1000), levels[pick(4)], w, w2,
			     "completed", pick(1000000), pick(5000), 200 + pick(4) * 100);
		break;
	case 1:
		n = snprintf(p, room,
			     "{\"id\":%u,\"type\":\"%s\",\"name\":\"%s %s\",\"amount\":%u.%02u,"
			     "\"items\":[%u,%u,%u],\"sha\":\"%08x%08x%08x\",\"ok\":true}\n",
			     pick(10000000), w, w2, w, pick(10000), pick(100), pick(100), pick(100),
			     pick(100), (unsigned)next(), (unsigned)next(), (unsigned)next());
		break;
	case 2:
		n = snprintf(p, room,
			     "\tif (%s_%s(ctx, %u) < 0) {\n\t\tlog_warn(\"%s: cannot %s '%%s'\", "
			     "name);\n"
			     "\t\treturn -EINVAL;\n\t}\n",
			     w, w2, pick(64), w, w2);
		break;
	default:
		n = snprintf(p, room,
			     "def %s_%s(self, %s_id: int, retries: int = %u) -> dict:\n"
			     "    return self.client.get(f\"/api/v2/%s/{%s_id}\", timeout=%u)\n",
			     w, w2, w, pick(10), w2, w, pick(60));
		break;
	}
	return n < 0 || (size_t)n >= room ? 0 : (size_t)n;
}

static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static void rand_str(char *p, size_t n, const char *alpha, size_t alen)
{
	while (n--)
		*p++ = alpha[pick((unsigned)alen)];
}

/* One secret of a few kinds, rendered into p. */
static size_t gen_secret(char *p, size_t room)
{
	char tok[128];
	int n;

	memset(tok, 0, sizeof(tok));
	switch (pick(6)) {
	case 0:
		rand_str(tok, 16, b62, 36);
		n = snprintf(p, room, "export AWS_ACCESS_KEY_ID=AKIA%s\n", tok);
		break;
	case 1:
		rand_str(tok, 36, b62, 62);
		n = snprintf(p, room, "GITHUB_TOKEN=ghp_%s\n", tok);
		break;
	case 2:
		n = snprintf(p, room, "contact: user%u@mail.example.org\n", pick(100000));
		break;
	case 3:
		n = snprintf(p, room, "card 4111 1111 1111 1111 ssn 219-09-%04u\n",
			     1000 + pick(8999));
		break;
	case 4:
		rand_str(tok, 40, b62, 62);
		n = snprintf(p, room, "DB_PASSWORD=\"%s\"\n", tok);
		break;
	default:
		rand_str(tok, 43, b62, 62);
		n = snprintf(p, room,
			     "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
			     "eyJzdWIiOiIxMjM0NTY3ODkwIn0.%s\n",
			     tok);
		break;
	}
	return n < 0 || (size_t)n >= room ? 0 : (size_t)n;
}

static char *gen_data(bool secrets, size_t *ret_secrets)
{
	char *d = malloc(DATA_SIZE);
	size_t off = 0, next_secret = 4096, ns = 0;

	if (!d)
		return NULL;
	while (off < DATA_SIZE) {
		size_t n;

		if (secrets && off >= next_secret) {
			n = gen_secret(d + off, DATA_SIZE - off);
			next_secret += 4096;
			ns++;
		} else {
			n = gen_line(d + off, DATA_SIZE - off);
		}
		if (!n) {
			memset(d + off, '\n', DATA_SIZE - off);
			break;
		}
		off += n;
	}
	*ret_secrets = ns;
	return d;
}

static int write_file(const char *path, const char *d, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t off = 0;

	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t n = write(fd, d + off, len - off);

		if (n < 0) {
			close(fd);
			return -errno;
		}
		off += (size_t)n;
	}
	close(fd);
	return 0;
}

/* Run argv with stdin from path and stdout to /dev/null; seconds, or -1. */
static struct timing run_cmd(char *const argv[], const char *path)
{
	struct timing t = { -1, -1 };
	double t0 = now();
	struct rusage ru;
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return t;
	if (pid == 0) {
		int in = open(path, O_RDONLY | O_CLOEXEC),
		    out = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0)
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return t;
	t.wall = now() - t0;
	t.cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		(double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	return t;
}

static int discard(const void *buf, size_t len, void *ctx)
{
	size_t *total = ctx;

	(void)buf;
	*total += len;
	return 0;
}

static int count_finding(const struct redact_finding *f, void *ctx)
{
	size_t *n = ctx;

	(void)f;
	(*n)++;
	return 0;
}

static struct timing run_engine(const struct redact_engine *e, const char *d, size_t *ret_findings)
{
	struct timing t = { -1, -1 };
	struct redact_stream *s;
	size_t out = 0, off, found = 0;
	double w0, c0;

	if (redact_stream_new(e, 0, count_finding, &found, &s) < 0)
		return t;
	w0 = now();
	c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
	for (off = 0; off < DATA_SIZE; off += 4096)
		redact_stream_feed(s, d + off, 4096, discard, &out);
	redact_stream_flush(s, discard, &out);
	t.cpu = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
	t.wall = now() - w0;
	redact_stream_free(s);
	*ret_findings = found;
	if (out != DATA_SIZE)
		t.wall = t.cpu = -1;
	return t;
}

static double best1(double a, double b)
{
	return a < 0 ? b : (b < 0 ? a : (a < b ? a : b));
}

static struct timing best(struct timing a, struct timing b)
{
	return (struct timing){ best1(a.wall, b.wall), best1(a.cpu, b.cpu) };
}

static double gbs(double secs)
{
	return secs > 0 ? DATA_SIZE / secs / 1e9 : 0;
}

int main(int argc, char **argv)
{
	char self[PATH_MAX], airlock[PATH_MAX + 32], path[] = "/tmp/bench_redact.XXXXXX";
	struct redact_engine *e = NULL;
	ssize_t sl;
	int fd, set, ret = 1;

	(void)argc;
	sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (sl < 0)
		return 1;
	self[sl] = 0;
	/* build/tests/bench/bench_redact -> build/airlock */
	snprintf(airlock, sizeof(airlock), "%s/../../airlock", dirname(self));
	if (access(airlock, X_OK) != 0) {
		fprintf(stderr, "%s: no '%s': run 'make' first\n", argv[0], airlock);
		return 1;
	}
	fd = mkstemp(path);
	if (fd < 0)
		return 1;
	close(fd);
	if (redact_engine_new(NULL, &e, NULL) < 0)
		goto out;

	printf("redaction throughput, 64 MiB of mixed logs/JSON/code, all built-in rules, best of "
	       "%d\n",
	       RUNS);
	printf("%-22s %-5s %9s %9s %9s %12s %9s\n", "data", "clock", "cat GB/s", "airlock",
	       "engine", "airlock/cat", "findings");
	for (set = 0; set < 2; set++) {
		size_t nsec, found = 0;
		char *d = gen_data(set == 1, &nsec);
		char *cat_argv[] = { "cat", NULL };
		char *al_argv[] = { airlock, "redact", NULL };
		struct timing tc = { -1, -1 }, ta = { -1, -1 }, te = { -1, -1 };
		int i;

		if (!d || write_file(path, d, DATA_SIZE) < 0) {
			free(d);
			goto out;
		}
		for (i = 0; i < RUNS; i++) {
			tc = best(tc, run_cmd(cat_argv, path));
			ta = best(ta, run_cmd(al_argv, path));
			te = best(te, run_engine(e, d, &found));
		}
		free(d);
		if (tc.wall <= 0 || ta.wall <= 0 || te.wall <= 0) {
			fprintf(stderr, "bench_redact: a run failed\n");
			goto out;
		}
		printf("%-22s %-5s %9.2f %9.2f %9.2f %12.3f %9zu\n",
		       set ? "one secret per 4 KiB" : "no secrets", "wall", gbs(tc.wall),
		       gbs(ta.wall), gbs(te.wall), tc.wall / ta.wall, found);
		printf("%-22s %-5s %9.2f %9.2f %9.2f %12.3f\n", "", "cpu", gbs(tc.cpu), gbs(ta.cpu),
		       gbs(te.cpu), tc.cpu > 0 && ta.cpu > 0 ? tc.cpu / ta.cpu : 0.0);
		if (set == 1)
			printf("(%zu secrets planted; findings count every masked span)\n", nsec);
	}
	printf("engine: the streaming API fed 4 KiB chunks in this process (one thread)\n"
	       "cpu: bytes per CPU second (user+system), i.e. per core; wall: elapsed time\n");
	ret = 0;
out:
	unlink(path);
	redact_engine_free(e);
	return ret;
}
