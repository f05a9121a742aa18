// SPDX-License-Identifier: Apache-2.0
/* unix_hello PATH: connect a blocking AF_UNIX stream socket to PATH and write "hello";
 * print "connected" or the errno's name on stdout, exit 0 or 1. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	const char *name;
	int s;

	if (argc != 2 || strlen(argv[1]) >= sizeof(un.sun_path)) {
		fprintf(stderr, "usage: unix_hello PATH\n");
		return 2;
	}
	strcpy(un.sun_path, argv[1]);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s >= 0 && connect(s, (struct sockaddr *)&un, sizeof(un)) == 0 &&
	    write(s, "hello", 5) == 5) {
		printf("connected\n");
		return 0;
	}
	name = strerrorname_np(errno);
	printf("failed: %s\n", name ? name : "?");
	return 1;
}
