// SPDX-License-Identifier: Apache-2.0
/*
 * ask_flood DIR N: N threads each open DIR/fI (a path an ask rule names), so that N asks
 * wait in airlockd at once.
 * ask_flood --connect=PORT N: N threads each make a blocking connect to 127.0.0.1:PORT (a
 * listener whose queue is full: the SYNs are dropped), so that N connects airlockd
 * started wait in it at once.
 * Prints "started N" when every thread is started, then waits to be killed.  Used by
 * test_ask_flood.
 */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *dir;
static int port;

static void *one(void *arg)
{
	char path[4096];

	if (port) {
		struct sockaddr_in sa = { .sin_family = AF_INET,
					  .sin_port = htons((uint16_t)port) };
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (s >= 0)
			connect(s, (struct sockaddr *)&sa, sizeof(sa));
	} else {
		snprintf(path, sizeof(path), "%s/f%ld", dir, (long)(intptr_t)arg);
		open(path, O_RDONLY | O_CLOEXEC);
	}
	pause();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_attr_t attr;
	long n;

	if (argc != 3) {
		fprintf(stderr, "usage: ask_flood DIR N | ask_flood --connect=PORT N\n");
		return 2;
	}
	if (strncmp(argv[1], "--connect=", 10) == 0)
		port = atoi(argv[1] + 10);
	else
		dir = argv[1];
	n = strtol(argv[2], NULL, 10);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (long i = 0; i < n; i++) {
		pthread_t th;

		if (pthread_create(&th, &attr, one, (void *)(intptr_t)i) != 0) {
			fprintf(stderr, "ask_flood: thread %ld: cannot create it\n", i);
			return 1;
		}
	}
	printf("started %ld\n", n);
	fflush(stdout);
	pause();
	return 0;
}
