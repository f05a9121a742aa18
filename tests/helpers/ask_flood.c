// SPDX-License-Identifier: Apache-2.0
/*
 * ask_flood DIR N: N threads each open DIR/fI (a path an ask rule names), so that N asks
 * wait in airlockd at once.  Prints "started N" when every thread has made its call (or
 * been answered), then waits to be killed.  Used by test_ask_flood.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *dir;

static void *one(void *arg)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/f%ld", dir, (long)(intptr_t)arg);
	open(path, O_RDONLY | O_CLOEXEC);
	pause();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_attr_t attr;
	long n;

	if (argc != 3) {
		fprintf(stderr, "usage: ask_flood DIR N\n");
		return 2;
	}
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
