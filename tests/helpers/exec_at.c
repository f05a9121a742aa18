// SPDX-License-Identifier: Apache-2.0
/*
 * exec_at DIR NAME ARG...: execveat(open(DIR), NAME, [NAME, ARG...]).  With NAME "" the
 * fd of DIR itself (a file, then) is executed with AT_EMPTY_PATH, as fexecve() does.  The
 * kernel names the exec "/dev/fd/N/NAME" or "/dev/fd/N": what exec verification must
 * expect.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: exec_at DIR NAME [ARG...]\n");
		return 2;
	}
	/* not O_CLOEXEC: a #! script run through the fd needs it open */
	fd = open(argv[1], argv[2][0] ? O_RDONLY | O_DIRECTORY : O_PATH);
	if (fd < 0) {
		perror("open");
		return 3;
	}
	syscall(SYS_execveat, fd, argv[2], argv + 2, environ, argv[2][0] ? 0 : AT_EMPTY_PATH);
	perror("execveat");
	return 4;
}
