/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading a gated process's memory: every pointed-to argument is copied once, with
 * process_vm_readv, into the daemon's own buffers.  Reads are page-aware so that a string
 * ending just before an unmapped page is read in full and a bad pointer is -EFAULT, not a
 * crash.  The caller checks NOTIF_ID_VALID afterwards: these functions take a pid, and a
 * pid alone can be reused.
 */
#ifndef AIRLOCK_PROCMEM_H
#define AIRLOCK_PROCMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Read exactly len bytes at addr.  0, -EFAULT when any byte is unreadable, or -errno. */
int procmem_read(pid_t pid, uint64_t addr, void *buf, size_t len);

/* Read a NUL-terminated string of at most size - 1 bytes into buf (always terminated).
 * 0; -ENAMETOOLONG when no NUL was found within size bytes; -EFAULT; -errno. */
int procmem_read_string(pid_t pid, uint64_t addr, char *buf, size_t size);

/* Read a NULL-terminated array of string pointers (argv): at most max_args strings, at most
 * bufsize bytes of them, into argbuf, with ret_argv[] pointing into it (NULL-terminated).
 * Longer argv is cut and *ret_truncated set; the count goes to *ret_argc.  0 or -errno. */
int procmem_read_argv(pid_t pid, uint64_t addr, char **ret_argv, int max_args, char *argbuf,
		      size_t bufsize, int *ret_argc, bool *ret_truncated);

#endif
