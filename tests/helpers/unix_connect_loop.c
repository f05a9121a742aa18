// SPDX-License-Identifier: Apache-2.0
/* unix_connect_loop PATH N: connect a fresh AF_UNIX stream socket to PATH N times and
 * print the mean microseconds per connect (socket + connect + close) on stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct timespec t0, t1;
	int i, n, s;

	if (argc != 3 || strlen(argv[1]) >= sizeof(un.sun_path) || (n = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: unix_connect_loop PATH N\n");
		return 2;
	}
	strcpy(un.sun_path, argv[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0 || connect(s, (struct sockaddr *)&un, sizeof(un)) < 0) {
			perror("unix_connect_loop");
			return 1;
		}
		close(s);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.1f\n",
	       ((double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) /
		       n);
	return 0;
}
