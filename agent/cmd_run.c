// SPDX-License-Identifier: Apache-2.0
/*
 * airlock run [--profile NAME] [--user USER] [--workspace DIR] -- CMD [ARGS...]
 *
 * Option parsing, the user and the command, and the exit codes of env(1): 125 when
 * airlock run itself fails, 126 when the command cannot be executed, 127 when it is not
 * found, else the command's own status.  The session handshake is in launcher.c.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_client.h"
#include "cli.h"
#include "launcher.h"

#define EXIT_RUN_FAILED 125
#define EXIT_CANNOT_RUN 126
#define EXIT_NOT_FOUND	127

static void usage(FILE *f)
{
	fputs("usage: airlock run [OPTIONS] [--] COMMAND [ARGS...]\n"
	      "\n"
	      "Run COMMAND in a new airlock session.  It works freely until it attempts an\n"
	      "action the policy gates (exec, writes, deletes, connects, privilege, mounts,\n"
	      "modules ...): that system call then waits in the kernel until airlockd decides\n"
	      "by policy or a human answers with 'airlock approve' or 'airlock deny'.  A denied\n"
	      "call fails with EPERM (or the rule's errno).\n"
	      "\n"
	      "The command's stdin, stdout, stderr, environment, process group and terminal are\n"
	      "its caller's; airlock run stays outside the session and ends the way the command\n"
	      "ends.  The session cannot install a second seccomp listener, use io_uring,\n"
	      "create processes with clone3 (libc falls back to clone), or make foreign-\n"
	      "architecture system calls.\n"
	      "\n"
	      "options:\n"
	      "  -p, --profile NAME    the policy profile of the session (default: the policy's)\n"
	      "  -u, --user USER       run COMMAND as USER (a name or a numeric uid), with USER's\n"
	      "                        groups, HOME, USER, LOGNAME and SHELL; needs root.  The\n"
	      "                        filter is installed first, as root, so setuid programs\n"
	      "                        such as sudo keep working inside and each use is gated\n"
	      "  -w, --workspace DIR   the session's workspace: COMMAND starts in DIR, and the\n"
	      "                        policy's relative paths are taken from it (default: the\n"
	      "                        current directory)\n"
	      "  -h, --help            show this help\n"
	      "\n"
	      "airlock's own options go before 'run': --runtime-dir DIR names airlockd's\n"
	      "runtime directory (see 'airlock --help').\n"
	      "\n"
	      "Run without root, airlock run sets no_new_privs (the kernel requires it for a\n"
	      "seccomp filter): setuid and file-capability programs then gain no privilege, and\n"
	      "an attempt to escalate that way (sudo, su) fails.\n"
	      "\n"
	      "signals:\n"
	      "  COMMAND shares airlock run's process group, so terminal signals (^C, ^\\, ^Z,\n"
	      "  hangup) reach it directly.  SIGTERM, SIGHUP, SIGINT and SIGQUIT sent to airlock\n"
	      "  run by another process are relayed to COMMAND; signals from the terminal or from\n"
	      "  inside the session are not relayed (COMMAND has its own copy).  When COMMAND\n"
	      "  stops, airlock run stops too, and continues it when it is continued.\n"
	      "\n"
	      "exit status:\n"
	      "  125      airlock run itself failed: usage, airlockd unreachable, session refused\n"
	      "  126      COMMAND was found but could not be executed, or its exec was denied\n"
	      "  127      COMMAND was not found\n"
	      "  other    COMMAND's exit status; if a signal killed COMMAND, airlock run kills\n"
	      "           itself with the same signal (without a core dump)\n"
	      "\n"
	      "environment:\n"
	      "  AIRLOCK_RUNTIME_DIR   airlockd's runtime directory, as 'airlock --runtime-dir'\n"
	      "  PATH                  where COMMAND is looked for, as by execvp(3)\n"
	      "\n"
	      "examples:\n"
	      "  airlock run -- claude\n"
	      "  airlock run --profile ci -- sh -c 'make && make test'\n"
	      "  sudo airlock run --user alice --workspace /home/alice/src/app -- aider\n",
	      f);
}

static void __attribute__((format(printf, 1, 2))) run_error(const char *fmt, ...)
{
	va_list ap;

	fputs("airlock run: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void user_free(struct launch_user *u)
{
	free((char *)u->name);
	free((char *)u->home);
	free((char *)u->shell);
	free(u->groups);
}

static int user_resolve(const char *spec, struct launch_user *ret)
{
	struct launch_user u = { 0 };
	struct passwd *pw;
	char *end;
	int n = 16, r;

	errno = 0;
	pw = getpwnam(spec);
	if (!pw && *spec) {
		unsigned long id = strtoul(spec, &end, 10);
		if (!*end && id < (unsigned long)(uid_t)-1)
			pw = getpwuid((uid_t)id);
	}
	/* "not found" leaves errno alone or sets one of these, depending on the NSS module */
	if (!pw)
		return errno == 0 || errno == ENOENT || errno == ESRCH || errno == EBADF ? -ESRCH
											 : -errno;
	u.uid = pw->pw_uid;
	u.gid = pw->pw_gid;
	u.name = strdup(pw->pw_name);
	u.home = strdup(pw->pw_dir);
	u.shell = strdup(pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/sh");
	if (!u.name || !u.home || !u.shell) {
		r = -ENOMEM;
		goto fail;
	}
	for (;;) {
		gid_t *g = realloc(u.groups, (size_t)n * sizeof(*g));
		int want = n;

		if (!g) {
			r = -ENOMEM;
			goto fail;
		}
		u.groups = g;
		if (getgrouplist(u.name, u.gid, u.groups, &want) >= 0) {
			u.n_groups = want;
			break;
		}
		if (want <= n)
			want = n * 2;
		n = want;
	}
	*ret = u;
	return 0;
fail:
	user_free(&u);
	return r;
}

int cmd_run(const struct cli_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "user", required_argument, NULL, 'u' },
		{ "workspace", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct launch_user user = { 0 };
	struct launch l = { .api_fd = -1 };
	const char *user_spec = NULL, *ws = NULL;
	char *workspace = NULL, *path = NULL;
	char err[512] = "";
	int opt, r, status, ret = EXIT_RUN_FAILED;

	/* '+': options end at COMMAND, so 'airlock run ls -l' needs no '--'; ':' and opterr 0:
	 * the messages are ours, named 'airlock run' rather than getopt's argv[0] */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:p:u:w:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			l.profile = optarg;
			break;
		case 'u':
			user_spec = optarg;
			break;
		case 'w':
			ws = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			run_error("option '%s' needs an argument (see 'airlock run --help')",
				  argv[optind - 1]);
			return EXIT_RUN_FAILED;
		default:
			run_error("unknown option '%s' (see 'airlock run --help')",
				  argv[optind - 1]);
			return EXIT_RUN_FAILED;
		}
	}
	if (optind >= argc) {
		run_error("no command given (see 'airlock run --help')");
		return EXIT_RUN_FAILED;
	}
	l.argv = argv + optind;

	if (user_spec) {
		if (geteuid() != 0) {
			run_error("--user '%s' needs root", user_spec);
			goto out;
		}
		r = user_resolve(user_spec, &user);
		if (r < 0) {
			run_error("unknown user '%s'%s%s", user_spec, r == -ESRCH ? "" : ": ",
				  r == -ESRCH ? "" : strerror(-r));
			goto out;
		}
		l.user = &user;
	}
	workspace = realpath(ws ? ws : ".", NULL);
	if (!workspace) {
		run_error("workspace '%s': %s", ws ? ws : ".", strerror(errno));
		goto out;
	}
	/* airlockd takes the session's workspace from the launcher's own cwd */
	if (chdir(workspace) < 0) {
		run_error("workspace '%s': %s", workspace, strerror(errno));
		goto out;
	}
	l.workspace = workspace;

	r = launcher_find_command(l.argv[0], &path);
	if (r < 0) {
		run_error("cannot run '%s': %s", l.argv[0], strerror(-r));
		ret = r == -ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN;
		goto out;
	}
	l.path = path;

	l.api_fd = api_connect(g->runtime_dir);
	if (l.api_fd < 0) {
		run_error("cannot reach airlockd at '%s/api.sock': %s (is airlockd running?)",
			  g->runtime_dir, strerror(-l.api_fd));
		goto out;
	}
	r = launcher_run(&l, &status, err, sizeof(err));
	if (r < 0) {
		run_error("%s", err[0] ? err : strerror(-r));
		goto out;
	}
	ret = launcher_exit_like(status);
out:
	if (l.api_fd >= 0)
		close(l.api_fd);
	free(path);
	free(workspace);
	user_free(&user);
	return ret;
}
