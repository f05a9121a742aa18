/* SPDX-License-Identifier: Apache-2.0 */
/*
 * airlockd's one epoll loop: every registered fd carries a struct loop_src saying what it
 * is, so the dispatcher is a switch and each arrow stays a plain function call.
 */
#ifndef AIRLOCK_LOOP_H
#define AIRLOCK_LOOP_H

#include <errno.h>
#include <stdint.h>
#include <sys/epoll.h>

enum loop_kind {
	LOOP_API_LISTEN = 1, /* the API socket */
	LOOP_API_CONN,	     /* one client */
	LOOP_SIGNAL,	     /* signalfd */
	LOOP_TIMER,	     /* timerfd: ask deadlines and the housekeeping tick */
	LOOP_LISTENER,	     /* a session's seccomp listener */
	LOOP_TARGET,	     /* the pidfd of a target parked in an ask */
	LOOP_INFLIGHT,	     /* a wait_fd of an allow still completing (blocking connect) */
	LOOP_BPF,	     /* the BPF layer's ring buffer */
};

struct loop_src {
	enum loop_kind kind;
	void *ptr;
};

static inline int loop_add(int epfd, int fd, uint32_t events, struct loop_src *src)
{
	struct epoll_event ev = { .events = events, .data.ptr = src };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static inline int loop_mod(int epfd, int fd, uint32_t events, struct loop_src *src)
{
	struct epoll_event ev = { .events = events, .data.ptr = src };

	return epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

static inline void loop_del(int epfd, int fd)
{
	if (fd >= 0)
		epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
}

#endif
