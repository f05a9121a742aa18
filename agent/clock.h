/* SPDX-License-Identifier: Apache-2.0 */
/* Milliseconds on the two clocks the daemon uses: CLOCK_MONOTONIC for deadlines (immune to
 * clock changes), CLOCK_REALTIME for what is shown and audited. */
#ifndef AIRLOCK_CLOCK_H
#define AIRLOCK_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t clock_ms(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static inline uint64_t now_mono_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

static inline uint64_t now_real_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

#endif
