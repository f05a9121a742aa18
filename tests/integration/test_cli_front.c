// SPDX-License-Identifier: Apache-2.0
/*
 * build/airlock is the front program (agent/airlock.c built with AIRLOCK_CLI_FRONT): the
 * commands that only talk to airlockd run in it, the others in the full program it finds
 * next to its own file.  Checked on real copies of the two binaries laid out as a build
 * tree and as an installation, and with the full program missing.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "tmpdir.h"

static char tmpdir[64];

static void setup(void)
{
	cr_assert_eq(test_tmpdir_make("test_cli_front.", tmpdir, sizeof(tmpdir)), 0);
}

static void teardown(void)
{
	int r = test_tmpdir_remove(tmpdir);

	if (r < 0)
		cr_log_warn("could not remove %s: %s", tmpdir, strerror(-r));
}

TestSuite(cli_front, .init = setup, .fini = teardown);

/* Run a shell command; its exit status, and its stdout+stderr in out. */
static int sh(char *out, size_t size, const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	size_t n;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	cr_assert_not_null(p, "popen %s", cmd);
	n = fread(out, 1, size - 1, p); /* all of it: a writer cut short dies of SIGPIPE */
	out[n] = '\0';
	st = pclose(p);
	cr_assert(WIFEXITED(st), "%s: status %#x", cmd, st);
	return WEXITSTATUS(st);
}

/* Copy the front to DIR/bin/airlock and, unless full_rel is NULL, the full program to
 * DIR/bin/<full_rel>. */
static void lay_out(const char *full_rel)
{
	char out[4096];
	const char *b = test_build_dir();

	cr_assert_eq(sh(out, sizeof(out), "mkdir -p %s/bin && cp %s/airlock %s/bin/airlock 2>&1",
			tmpdir, b, tmpdir),
		     0, "%s", out);
	if (full_rel)
		cr_assert_eq(
			sh(out, sizeof(out),
			   "mkdir -p \"$(dirname %s/bin/%s)\" && cp %s/libexec/airlock %s/bin/%s "
			   "2>&1",
			   tmpdir, full_rel, b, tmpdir, full_rel),
			0, "%s", out);
}

Test(cli_front, loads_no_library_of_the_daemon)
{
	static const char *const heavy[] = { "libbpf",	  "libseccomp", "libhs",
					     "libcrypto", "libsystemd", "libyaml" };
	char out[4096];

	cr_assert_eq(
		sh(out, sizeof(out), "readelf -d %s/airlock 2>&1 | grep NEEDED", test_build_dir()),
		0, "%s", out);
	cr_expect_not_null(strstr(out, "libjansson"), "%s", out);
	for (size_t i = 0; i < sizeof(heavy) / sizeof(heavy[0]); i++)
		cr_expect_null(strstr(out, heavy[i]), "the front needs %s:\n%s", heavy[i], out);
}

Test(cli_front, forwards_to_the_full_program_of_a_build_tree)
{
	char out[65536];

	lay_out("libexec/airlock");
	cr_assert_eq(sh(out, sizeof(out), "%s/bin/airlock policy show --default 2>&1", tmpdir), 0,
		     "%s", out);
	cr_expect_not_null(strstr(out, "version: 1"), "%s", out);
	/* stdin and stdout are the caller's: a pipeline through the forwarded command */
	cr_assert_eq(sh(out, sizeof(out),
			"printf 'key AKIAIOSFODNN7EXAMPLE\\n' | %s/bin/airlock redact 2>&1",
			tmpdir),
		     0, "%s", out);
	cr_expect_null(strstr(out, "AKIAIOSFODNN7EXAMPLE"), "%s", out);
	/* the exit status too: 1 for an error, 125 for run's own failure */
	cr_expect_eq(sh(out, sizeof(out), "%s/bin/airlock policy check /nonexistent 2>&1", tmpdir),
		     1, "%s", out);
	cr_expect_eq(sh(out, sizeof(out), "%s/bin/airlock run 2>&1", tmpdir), 125, "%s", out);
}

Test(cli_front, forwards_to_the_full_program_of_an_installation)
{
	char out[65536];

	lay_out("../libexec/airlock/airlock");
	cr_assert_eq(sh(out, sizeof(out), "%s/bin/airlock audit --help 2>&1", tmpdir), 0, "%s",
		     out);
	cr_expect_not_null(strstr(out, "usage: airlock audit"), "%s", out);
}

Test(cli_front, says_what_is_missing_without_the_full_program)
{
	char out[65536];

	lay_out(NULL);
	/* its own commands and the help still work */
	cr_expect_eq(sh(out, sizeof(out), "%s/bin/airlock --help 2>&1", tmpdir), 0, "%s", out);
	cr_expect_not_null(strstr(out, "redact"), "%s", out);
	cr_expect_eq(sh(out, sizeof(out), "%s/bin/airlock approve --help 2>&1", tmpdir), 0, "%s",
		     out);
	cr_expect_eq(sh(out, sizeof(out), "%s/bin/airlock redact </dev/null 2>&1", tmpdir), 127,
		     "%s", out);
	cr_expect_not_null(strstr(out, "cannot run 'redact'"), "%s", out);
	cr_expect_not_null(strstr(out, "libexec/airlock"), "%s", out);
}
