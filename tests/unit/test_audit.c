// SPDX-License-Identifier: Apache-2.0
/*
 * The audit log's hash chain against real files: written by audit_append, altered byte by
 * byte, line by line, truncated, and checked by audit_verify_file.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "audit.h"

static char dir[] = "/tmp/airlock-test-audit-XXXXXX";
static char path[sizeof(dir) + 32];

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/audit.jsonl", dir);
}

static void teardown(void)
{
	/* The tests create nothing else in their directory; one mounts a tmpfs on it, in
	 * its own mount namespace. */
	unlink(path);
	umount2(dir, MNT_DETACH);
	unlink(path);
	rmdir(dir);
}

TestSuite(audit, .init = setup, .fini = teardown);

/* Append n records to the log at path (opened and closed here). */
static void write_records(int first, int n)
{
	struct audit_log *log = NULL;
	int i, r;

	r = audit_open(path, &log);
	cr_assert_eq(r, 0, "audit_open: %s", strerror(-r));
	for (i = first; i < first + n; i++) {
		json_t *rec = json_pack("{s:s, s:i, s:s, s:[ss]}", "op", "exec", "pid", 1000 + i,
					"decision", "allow", "argv", "rm", "-rf\n/tmp/x");
		cr_assert_not_null(rec);
		r = audit_append(log, rec);
		cr_assert_eq(r, 0, "audit_append: %s", strerror(-r));
		json_decref(rec);
	}
	audit_close(log);
}

static char *slurp(size_t *ret_len)
{
	FILE *f = fopen(path, "re");
	char *buf;
	long len;

	cr_assert_not_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc((size_t)len + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	*ret_len = (size_t)len;
	return buf;
}

static void spill(const char *buf, size_t len)
{
	FILE *f = fopen(path, "we");

	cr_assert_not_null(f);
	cr_assert_eq(fwrite(buf, 1, len, f), len);
	fclose(f);
}

/* Offset of the start of 1-based line n. */
static size_t line_start(const char *buf, unsigned long n)
{
	const char *p = buf;

	while (--n)
		p = strchr(p, '\n') + 1;
	return (size_t)(p - buf);
}

static int verify(unsigned long *lines, unsigned long *bad, char *why, size_t why_len)
{
	*lines = 0;
	*bad = 0;
	why[0] = '\0';
	return audit_verify_file(path, lines, bad, why, why_len);
}

Test(audit, empty_file_is_ok)
{
	unsigned long lines, bad;
	struct audit_log *log = NULL;
	char why[256];
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0640);
	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_eq(verify(&lines, &bad, why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(lines, 0);
	/* An empty file is a chain with nothing in it yet, not a torn one. */
	cr_assert_eq(audit_open(path, &log), 0);
	audit_close(log);
}

Test(audit, creates_file_and_chain_verifies_across_reopen)
{
	unsigned long lines, bad;
	char why[256], *buf;
	struct stat st;
	json_t *last;
	size_t len;

	write_records(0, 3);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0640);
	write_records(3, 2);
	cr_assert_eq(verify(&lines, &bad, why, sizeof(why)), 0, "line %lu: %s", bad, why);
	cr_assert_eq(lines, 5);

	/* The reopened log continued the numbering and the chain's first line is anchored
	 * at zeros. */
	buf = slurp(&len);
	cr_assert(strstr(buf, "\"prev\":\"0000000000000000000000000000000000000000000000000000"
			      "000000000000\""));
	last = json_loads(buf + line_start(buf, 5), JSON_DISABLE_EOF_CHECK, NULL);
	cr_assert_not_null(last);
	cr_assert_eq(json_integer_value(json_object_get(last, "seq")), 5);
	cr_assert_eq(json_integer_value(json_object_get(last, "pid")), 1004);
	cr_assert_not_null(json_string_value(json_object_get(last, "ts")));
	json_decref(last);
	free(buf);
}

Test(audit, record_is_not_modified_and_its_chain_fields_are_ignored)
{
	struct audit_log *log = NULL;
	unsigned long lines, bad;
	char why[256];
	json_t *rec;

	cr_assert_eq(audit_open(path, &log), 0);
	rec = json_pack("{s:i, s:s, s:s}", "seq", 77, "prev", "forged", "op", "connect");
	cr_assert_eq(audit_append(log, rec), 0);
	cr_assert_eq(json_integer_value(json_object_get(rec, "seq")), 77);
	cr_assert_null(json_object_get(rec, "ts"));
	json_decref(rec);
	audit_close(log);
	cr_assert_eq(verify(&lines, &bad, why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(lines, 1);
}

Test(audit, second_writer_is_refused)
{
	struct audit_log *a = NULL, *b = NULL;

	cr_assert_eq(audit_open(path, &a), 0);
	cr_assert_eq(audit_open(path, &b), -EBUSY);
	cr_assert_null(b);
	audit_close(a);
}

/*
 * Every byte of line 3 of 5, altered in turn.  The alteration is found at line 3 when it
 * breaks that line's own JSON, 'prev' or 'seq', and otherwise at line 4, whose 'prev' no
 * longer matches the hash of line 3: a chain in which each line carries its
 * predecessor's hash can only notice a changed line from its successor.
 */
Test(audit, any_altered_byte_of_a_middle_line_is_detected)
{
	unsigned long lines, bad;
	size_t len, start, end, i, at3 = 0, at4 = 0;
	char why[256], *orig, *buf;

	write_records(0, 5);
	orig = slurp(&len);
	start = line_start(orig, 3);
	end = line_start(orig, 4) - 1; /* the newline itself is covered by the split case */
	buf = malloc(len);
	cr_assert_not_null(buf);
	for (i = start; i < end; i++) {
		memcpy(buf, orig, len);
		buf[i] ^= 0x01;
		spill(buf, len);
		cr_assert_eq(verify(&lines, &bad, why, sizeof(why)), -EBADMSG,
			     "byte %zu of line 3 altered ('%c') went unnoticed", i - start,
			     orig[i]);
		cr_assert(bad == 3 || bad == 4, "byte %zu: reported at line %lu: %s", i - start,
			  bad, why);
		if (bad == 3)
			at3++;
		else
			at4++;
	}
	/* Both kinds happen: a digit in "pid" keeps the JSON valid (line 4), a brace does
	 * not (line 3). */
	cr_assert_gt(at3, 0);
	cr_assert_gt(at4, 0);
	free(buf);
	free(orig);
}

Test(audit, altered_value_is_reported_at_the_next_line)
{
	unsigned long lines, bad;
	char why[256], *buf, *p;
	size_t len;

	write_records(0, 5);
	buf = slurp(&len);
	p = strstr(buf + line_start(buf, 3), "\"allow\"");
	cr_assert(p && p < buf + line_start(buf, 4));
	memcpy(p, "\"ALLOW\"", 7); /* same length, still valid JSON */
	spill(buf, len);
	cr_assert_eq(verify(&lines, &bad, why, sizeof(why)), -EBADMSG);
	cr_assert_eq(bad, 4, "reported at %lu: %s", bad, why);
	cr_assert(strstr(why, "line 3"), "%s", why);
	free(buf);
}

Test(audit, deleted_line_is_detected)
{
	unsigned long lines, bad;
	size_t len, s3, s4;
	char why[256], *buf;

	write_records(0, 5);
	buf = slurp(&len);
	s3 = line_start(buf, 3);
	s4 = line_start(buf, 4);
	memmove(buf + s3, buf + s4, len - s4);
	spill(buf, len - (s4 - s3));
	cr_assert_eq(verify(&lines, &bad, why, sizeof(why)), -EBADMSG);
	/* The old line 4 now sits at line 3 and names a predecessor that is gone. */
	cr_assert_eq(bad, 3, "reported at %lu: %s", bad, why);
	free(buf);
}

Test(audit, deleted_first_line_is_detected)
{
	unsigned long lines, bad;
	size_t len, s2;
	char why[256], *buf;

	write_records(0, 3);
	buf = slurp(&len);
	s2 = line_start(buf, 2);
	spill(buf + s2, len - s2);
	cr_assert_eq(verify(&lines, &bad, why, sizeof(why)), -EBADMSG);
	cr_assert_eq(bad, 1, "reported at %lu: %s", bad, why);
	free(buf);
}

Test(audit, reordered_lines_are_detected)
{
	unsigned long lines, bad;
	size_t len, s2, s3, s4;
	char why[256], *buf, *out;

	write_records(0, 5);
	buf = slurp(&len);
	s2 = line_start(buf, 2);
	s3 = line_start(buf, 3);
	s4 = line_start(buf, 4);
	out = malloc(len);
	cr_assert_not_null(out);
	/* lines 1, 3, 2, 4, 5 */
	memcpy(out, buf, s2);
	memcpy(out + s2, buf + s3, s4 - s3);
	memcpy(out + s2 + (s4 - s3), buf + s2, s3 - s2);
	memcpy(out + s4, buf + s4, len - s4);
	spill(out, len);
	cr_assert_eq(verify(&lines, &bad, why, sizeof(why)), -EBADMSG);
	cr_assert_eq(bad, 2, "reported at %lu: %s", bad, why);
	free(out);
	free(buf);
}

Test(audit, torn_last_line_is_detected_and_refused_on_open)
{
	struct audit_log *log = NULL;
	unsigned long lines, bad;
	char why[256], *buf;
	size_t len, s3;

	write_records(0, 3);
	buf = slurp(&len);
	s3 = line_start(buf, 3);
	spill(buf, s3 + (len - s3) / 2);
	cr_assert_eq(verify(&lines, &bad, why, sizeof(why)), -EBADMSG);
	cr_assert_eq(bad, 3, "reported at %lu: %s", bad, why);
	cr_assert(strstr(why, "torn"), "%s", why);
	/* Never continue a chain after a torn line, nor start a new one in its file. */
	cr_assert_eq(audit_open(path, &log), -EBADMSG);
	cr_assert_null(log);

	/* A complete line that lost only its newline was still a write that did not finish. */
	spill(buf, len - 1);
	cr_assert_eq(audit_open(path, &log), -EBADMSG);
	cr_assert_eq(verify(&lines, &bad, why, sizeof(why)), -EBADMSG);
	cr_assert_eq(bad, 3);
	free(buf);
}

Test(audit, garbage_last_line_is_refused_on_open)
{
	struct audit_log *log = NULL;
	int fd;

	write_records(0, 2);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "{\"seq\":3}\n", 10), 10);
	close(fd);
	cr_assert_eq(audit_open(path, &log), -EBADMSG);
}

Test(audit, long_last_line_is_found)
{
	struct audit_log *log = NULL;
	unsigned long lines, bad;
	char why[256], *big;
	json_t *rec;

	/* Longer than the 4 KiB steps in which audit_open looks for the last line. */
	big = malloc(20000);
	cr_assert_not_null(big);
	memset(big, 'a', 19999);
	big[19999] = '\0';
	write_records(0, 1);
	cr_assert_eq(audit_open(path, &log), 0);
	rec = json_pack("{s:s}", "argv", big);
	cr_assert_eq(audit_append(log, rec), 0);
	audit_close(log);
	write_records(1, 1);
	cr_assert_eq(verify(&lines, &bad, why, sizeof(why)), 0, "line %lu: %s", bad, why);
	cr_assert_eq(lines, 3);
	json_decref(rec);
	free(big);
}

Test(audit, missing_file_is_an_io_error)
{
	unsigned long lines, bad;
	char why[256];

	cr_assert_eq(verify(&lines, &bad, why, sizeof(why)), -ENOENT);
}

/* Run 'airlock audit verify' (the binary next to this test's build tree) on the log; return
 * its exit status and first line of output. */
static int run_cli(char *out, size_t len)
{
	char exe[PATH_MAX], cmd[2 * PATH_MAX + 64];
	FILE *p;
	ssize_t n;
	int status;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	cr_assert_gt(n, 0);
	exe[n] = '\0';
	/* BUILD/tests/unit/test_audit -> BUILD/airlock */
	snprintf(cmd, sizeof(cmd), "%s/../../airlock", dirname(exe));
	if (access(cmd, X_OK) != 0)
		cr_skip_test("'%s' is not built", cmd);
	snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), " audit verify '%s' 2>&1", path);
	p = popen(cmd, "re");
	cr_assert_not_null(p);
	out[0] = '\0';
	if (!fgets(out, (int)len, p))
		out[0] = '\0';
	status = pclose(p);
	cr_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

Test(audit, cli_reports_ok_and_the_broken_line)
{
	char out[512], want[PATH_MAX + 64], *buf, *p;
	size_t len;

	write_records(0, 4);
	snprintf(want, sizeof(want), "%s: ok, 4 records\n", path);
	cr_assert_eq(run_cli(out, sizeof(out)), 0, "%s", out);
	cr_assert_str_eq(out, want);

	buf = slurp(&len);
	p = strstr(buf + line_start(buf, 2), "\"pid\":1001");
	cr_assert_not_null(p);
	p[strlen("\"pid\":100")] = '7';
	spill(buf, len);
	snprintf(want, sizeof(want), "%s:3: chain broken: ", path);
	cr_assert_eq(run_cli(out, sizeof(out)), 1, "%s", out);
	cr_assert(strncmp(out, want, strlen(want)) == 0, "got '%s'", out);
	free(buf);
}

/*
 * A full disk in the middle of a record: the write is short, and audit_append must take
 * the partial line back so the file still ends on a complete record and reopens.  A
 * 64 KiB tmpfs in a mount namespace of this test's own is the full disk.
 */
Test(audit, full_disk_leaves_no_torn_line)
{
	struct audit_log *log = NULL;
	unsigned long lines, bad;
	char why[256], *big;
	int i, r = 0;
	json_t *rec;

	if (geteuid() != 0)
		cr_skip_test("needs root for a mount namespace");
	cr_assert_eq(unshare(CLONE_NEWNS), 0, "unshare: %m");
	cr_assert_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0, "%m");
	cr_assert_eq(mount("tmpfs", dir, "tmpfs", 0, "size=64k"), 0, "%m");

	big = malloc(10000);
	cr_assert_not_null(big);
	memset(big, 'x', 9999);
	big[9999] = '\0';
	rec = json_pack("{s:s}", "argv", big);
	cr_assert_eq(audit_open(path, &log), 0);
	for (i = 0; i < 20 && r == 0; i++)
		r = audit_append(log, rec);
	cr_assert_eq(r, -ENOSPC, "append %d: %s", i, strerror(-r));
	audit_close(log);

	cr_assert_eq(verify(&lines, &bad, why, sizeof(why)), 0, "line %lu: %s", bad, why);
	cr_assert_eq(lines, (unsigned long)i - 1);
	cr_assert_eq(audit_open(path, &log), 0);
	audit_close(log);
	json_decref(rec);
	free(big);
}
