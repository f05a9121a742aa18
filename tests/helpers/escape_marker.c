// SPDX-License-Identifier: Apache-2.0
/*
 * escape_marker: the stand-in for a protected program (tests copy it to DIR/bin/sudo).
 * When it runs, it appends "ran euid=N argv0=..." to the file named by $ESCAPE_MARKER, so
 * a test can tell from the filesystem whether an exec that policy forbids happened,
 * whatever route the attacker took to it (a symlink, an fd, a #! line, a race).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *path = getenv("ESCAPE_MARKER");
	char line[512];
	int fd, n;

	if (!path)
		return 3;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	if (fd < 0)
		return 4;
	n = snprintf(line, sizeof(line), "ran euid=%d argv0=%s\n", (int)geteuid(),
		     argc > 0 ? argv[0] : "?");
	if (write(fd, line, (size_t)n) != n) {
		close(fd);
		return 5;
	}
	close(fd);
	return 0;
}
