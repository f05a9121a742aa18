// SPDX-License-Identifier: Apache-2.0
/*
 * pathres against the kernel's own answer: with this process as the target, every
 * existing path must resolve to what realpath(3) says, through symlink chains, '..' after
 * a symlink, /proc/self and /proc/thread-self links and dirfds -- on both the one-openat2
 * fast path and the component walk.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gate_harness.h"
#include "pathres.h"
#include "target.h"

static char base[256];
static struct target self;

static void mk(const char *rel, bool dir)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	if (dir)
		cr_assert_eq(mkdir(p, 0755), 0, "mkdir %s", p);
	else
		close(open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
}

static void ln(const char *text, const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	cr_assert_eq(symlink(text, p), 0, "symlink %s", p);
}

static void setup(void)
{
	char tmpl[] = "/tmp/al-pathres-XXXXXX", real[PATH_MAX];

	cr_assert_not_null(mkdtemp(tmpl));
	/* /tmp itself may be a symlink somewhere: compare against the real base */
	cr_assert_not_null(realpath(tmpl, real));
	cr_assert_lt(strlen(real), sizeof(base));
	strcpy(base, real);
	mk("a", true);
	mk("a/b", true);
	mk("a/b/file", false);
	mk("c", true);
	mk("c/file", false);
	ln("a/b", "to_b");	  /* relative */
	ln(base, "to_base");	  /* absolute */
	ln("to_b/file", "chain"); /* through another link */
	ln("../../c", "a/b/up");  /* '..' inside a link */
	ln("nowhere", "dangling");
	cr_assert_eq(target_open(getpid(), &self), 0);
	cr_assert_eq(chdir(base), 0);
}

static void teardown(void)
{
	target_close(&self);
	gate_rmtree(base);
}

/* Resolve rel (relative to the cwd, which is base) and compare with realpath. */
static void same_as_realpath(const char *rel)
{
	char got[PATH_MAX], reopen[PATHRES_REOPEN_MAX], want[PATH_MAX];
	int r;

	cr_assert_not_null(realpath(rel, want), "realpath('%s')", rel);
	r = pathres_resolve(&self, AL_AT_FDCWD_ARG, rel, PATHRES_FOLLOW, got, reopen);
	cr_assert_eq(r, 0, "pathres('%s'): %d", rel, r);
	cr_assert_str_eq(got, want, "'%s'", rel);
	cr_assert_str_eq(reopen, "");
}

Test(pathres, follows_like_the_kernel, .init = setup, .fini = teardown)
{
	char p[PATH_MAX + 32];

	same_as_realpath("a/b/file");
	same_as_realpath("to_b/file");
	same_as_realpath("chain");
	same_as_realpath("to_b/../b/file"); /* '..' from the link's target, not lexical */
	same_as_realpath("to_b/up/file");
	same_as_realpath("to_base/to_base/a/./b/../b/file");
	same_as_realpath("/proc/self/cwd/a/b/file");
	same_as_realpath("/proc/thread-self/cwd/chain");
	same_as_realpath("a/b/../../c/file");
	snprintf(p, sizeof(p), "%s/to_b/up/../a", base);
	same_as_realpath(p);
	same_as_realpath(".");
	same_as_realpath("/");
	same_as_realpath("/..");
}

Test(pathres, final_link_not_followed_when_asked, .init = setup, .fini = teardown)
{
	char got[PATH_MAX], reopen[PATHRES_REOPEN_MAX], want[PATH_MAX];

	snprintf(want, sizeof(want), "%s/chain", base);
	cr_assert_eq(pathres_resolve(&self, AL_AT_FDCWD_ARG, "chain", 0, got, reopen), 0);
	cr_assert_str_eq(got, want);
	/* the parent is still resolved for real */
	snprintf(want, sizeof(want), "%s/a/b/up", base);
	cr_assert_eq(pathres_resolve(&self, AL_AT_FDCWD_ARG, "to_b/up", 0, got, reopen), 0);
	cr_assert_str_eq(got, want);
}

Test(pathres, missing_rest_is_lexical_and_absolute, .init = setup, .fini = teardown)
{
	char got[PATH_MAX], reopen[PATHRES_REOPEN_MAX], want[PATH_MAX];

	snprintf(want, sizeof(want), "%s/a/b/new/x", base);
	cr_assert_eq(pathres_resolve(&self, AL_AT_FDCWD_ARG, "to_b/new/./y/../x", PATHRES_FOLLOW,
				     got, reopen),
		     0);
	cr_assert_str_eq(got, want);
	/* a dangling link resolves to where it points (an O_CREAT would create that) */
	snprintf(want, sizeof(want), "%s/nowhere", base);
	cr_assert_eq(
		pathres_resolve(&self, AL_AT_FDCWD_ARG, "dangling", PATHRES_FOLLOW, got, reopen),
		0);
	cr_assert_str_eq(got, want);
}

Test(pathres, dirfd_and_proc_fd_links, .init = setup, .fini = teardown)
{
	char got[PATH_MAX], reopen[PATHRES_REOPEN_MAX], want[PATH_MAX], p[64];
	int dfd = open("to_b", O_RDONLY | O_DIRECTORY | O_CLOEXEC), pfd[2];

	cr_assert_geq(dfd, 0);
	snprintf(want, sizeof(want), "%s/a/b/file", base);
	cr_assert_eq(pathres_resolve(&self, dfd, "file", PATHRES_FOLLOW, got, reopen), 0);
	cr_assert_str_eq(got, want);
	snprintf(p, sizeof(p), "/proc/self/fd/%d/file", dfd);
	cr_assert_eq(pathres_resolve(&self, AL_AT_FDCWD_ARG, p, PATHRES_FOLLOW, got, reopen), 0);
	cr_assert_str_eq(got, want);
	/* AT_EMPTY_PATH: the dirfd itself */
	snprintf(want, sizeof(want), "%s/a/b", base);
	cr_assert_eq(pathres_resolve(&self, dfd, "", PATHRES_EMPTY_PATH, got, reopen), 0);
	cr_assert_str_eq(got, want);
	/* a bad dirfd is EBADF, a file as dirfd ENOTDIR, as the kernel says */
	cr_assert_eq(pathres_resolve(&self, 9999, "x", 0, got, reopen), -EBADF);
	close(dfd);
	dfd = open("c/file", O_RDONLY | O_CLOEXEC);
	cr_assert_eq(pathres_resolve(&self, dfd, "x", 0, got, reopen), -ENOTDIR);
	close(dfd);
	/* a pipe has no name: its link text, and a re-open path */
	cr_assert_eq(pipe2(pfd, O_CLOEXEC), 0);
	snprintf(p, sizeof(p), "/dev/fd/%d", pfd[1]);
	cr_assert_eq(pathres_resolve(&self, AL_AT_FDCWD_ARG, p, PATHRES_FOLLOW, got, reopen), 0);
	cr_assert(strncmp(got, "pipe:[", 6) == 0, "got '%s'", got);
	cr_assert(strstr(reopen, "/fd/") != NULL, "reopen '%s'", reopen);
	close(pfd[0]);
	close(pfd[1]);
}

Test(pathres, openat2_scopes, .init = setup, .fini = teardown)
{
	char got[PATH_MAX], reopen[PATHRES_REOPEN_MAX], want[PATH_MAX];
	int dfd = open("a", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	cr_assert_geq(dfd, 0);
	cr_assert_eq(pathres_resolve(&self, dfd, "../c", PATHRES_BENEATH, got, reopen), -EXDEV);
	cr_assert_eq(pathres_resolve(&self, dfd, "/etc", PATHRES_BENEATH, got, reopen), -EXDEV);
	/* IN_ROOT: '..' stops at the dirfd, '/' is the dirfd */
	snprintf(want, sizeof(want), "%s/a/b", base);
	cr_assert_eq(pathres_resolve(&self, dfd, "../../b", PATHRES_IN_ROOT, got, reopen), 0);
	cr_assert_str_eq(got, want);
	cr_assert_eq(pathres_resolve(&self, dfd, "/b", PATHRES_IN_ROOT, got, reopen), 0);
	cr_assert_str_eq(got, want);
	cr_assert_eq(pathres_resolve(&self, AL_AT_FDCWD_ARG, "chain",
				     PATHRES_FOLLOW | PATHRES_NO_SYMLINKS, got, reopen),
		     -ELOOP);
	close(dfd);
}

static void norm(const char *in, const char *want)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "%s", in);
	pathres_normalize(buf);
	cr_assert_str_eq(buf, want, "normalize('%s')", in);
}

Test(pathres, normalize_collapses_lexically)
{
	norm("/", "/");
	norm("//a///b/", "/a/b");
	norm("/a/./b/.", "/a/b");
	norm("/a/b/../c", "/a/c");
	norm("/../..", "/");
	norm("/a/../../b", "/b");
	norm("/a/..", "/");
	norm("/...", "/...");
	norm("/a/..b/.c", "/a/..b/.c");
}

/*
 * An absolute path whose parents hold symlinks takes the one-openat2 path that lets the
 * kernel follow them in the target's root; a link into procfs must still mean the
 * target's /proc/self, not the resolver's.  The target here is a child, so the two differ.
 */
Test(pathres, parent_links_followed_in_root_but_proc_self_is_the_targets, .init = setup,
     .fini = teardown)
{
	char p[PATH_MAX + 64], got[PATH_MAX], reopen[PATHRES_REOPEN_MAX], want[64];
	struct target child;
	pid_t pid;

	ln("/proc/self", "myproc");
	ln("/proc", "procdir");
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		/* not outliving a failed assertion, whose process would wait for it */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pause();
		_exit(0);
	}
	cr_assert_eq(target_open(pid, &child), 0);
	/* merged-/usr style: symlinked parents, absolute and relative texts */
	snprintf(p, sizeof(p), "%s/to_base/to_b/file", base);
	cr_assert_eq(pathres_resolve(&child, AL_AT_FDCWD_ARG, p, PATHRES_FOLLOW, got, reopen), 0);
	snprintf(p, sizeof(p), "%s/a/b/file", base);
	cr_assert_str_eq(got, p);
	snprintf(p, sizeof(p), "%s/chain", base);
	cr_assert_eq(pathres_resolve(&child, AL_AT_FDCWD_ARG, p, PATHRES_FOLLOW, got, reopen), 0);
	snprintf(p, sizeof(p), "%s/a/b/file", base);
	cr_assert_str_eq(got, p);
	snprintf(want, sizeof(want), "/proc/%d/status", (int)pid);
	snprintf(p, sizeof(p), "%s/myproc/status", base);
	cr_assert_eq(pathres_resolve(&child, AL_AT_FDCWD_ARG, p, PATHRES_FOLLOW, got, reopen), 0);
	cr_assert_str_eq(got, want);
	snprintf(p, sizeof(p), "%s/procdir/self/status", base);
	cr_assert_eq(pathres_resolve(&child, AL_AT_FDCWD_ARG, p, PATHRES_FOLLOW, got, reopen), 0);
	cr_assert_str_eq(got, want);
	target_close(&child);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* The stat pathres_resolve_stat() hands back is the resolved object's own, on the fast path
 * and through the walk; none for what the walk did not reach. */
static void stat_matches(const char *rel)
{
	char got[PATH_MAX], reopen[PATHRES_REOPEN_MAX];
	struct stat st, want;

	cr_assert_eq(stat(rel, &want), 0, "stat('%s')", rel);
	cr_assert_eq(
		pathres_resolve_stat(&self, AL_AT_FDCWD_ARG, rel, PATHRES_FOLLOW, got, reopen, &st),
		0, "'%s'", rel);
	cr_assert(st.st_mode != 0 && st.st_dev == want.st_dev && st.st_ino == want.st_ino,
		  "'%s': mode %o ino %lu, want ino %lu", rel, st.st_mode, (unsigned long)st.st_ino,
		  (unsigned long)want.st_ino);
}

static void no_stat(const char *rel, unsigned flags)
{
	char got[PATH_MAX], reopen[PATHRES_REOPEN_MAX];
	struct stat st;

	memset(&st, 0xff, sizeof(st));
	cr_assert_eq(pathres_resolve_stat(&self, AL_AT_FDCWD_ARG, rel, flags, got, reopen, &st), 0,
		     "'%s'", rel);
	cr_assert_eq(st.st_mode, 0, "'%s' has a stat: mode %o", rel, st.st_mode);
}

Test(pathres, stat_is_the_resolved_objects, .init = setup, .fini = teardown)
{
	char p[PATH_MAX + 32];

	stat_matches("a/b/file"); /* one openat2 */
	stat_matches("chain");	  /* a final link: the walk */
	stat_matches("to_b/up/file");
	stat_matches("a/b");
	snprintf(p, sizeof(p), "%s/to_base/to_b/file", base); /* absolute, parent via links */
	stat_matches(p);
	no_stat("dangling", PATHRES_FOLLOW);
	no_stat("to_b/new/x", PATHRES_FOLLOW);
	no_stat("a/b/file", 0);
}
