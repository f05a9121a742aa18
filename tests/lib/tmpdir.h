/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scratch directories for tests: made with mkdtemp(), removed with everything in them.
 * 0 or -errno, like the agent; no Criterion (the benchmarks link this too).
 */
#ifndef AIRLOCK_TEST_TMPDIR_H
#define AIRLOCK_TEST_TMPDIR_H

#include <stddef.h>

/* mkdtemp("/tmp/<prefix>XXXXXX") into ret_path (size bytes); mode 0700. */
int test_tmpdir_make(const char *prefix, char *ret_path, size_t size);

/* Remove path and everything below it, without following links.  Goes on past a failure
 * and returns the first one; 0 when all went. */
int test_tmpdir_remove(const char *path);

#endif
