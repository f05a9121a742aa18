// SPDX-License-Identifier: Apache-2.0
/* exec_report PROG [ARGS...]: exec PROG; when the exec fails, print the errno's name on
 * stdout and exit 1, so a test can tell EPERM from EACCES from ENOSYS. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *name;

	if (argc < 2) {
		fprintf(stderr, "usage: exec_report PROG [ARGS...]\n");
		return 2;
	}
	execv(argv[1], argv + 1);
	name = strerrorname_np(errno);
	printf("exec failed: %s\n", name ? name : "?");
	return 1;
}
