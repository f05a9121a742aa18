// SPDX-License-Identifier: Apache-2.0
#include "procmem.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static size_t page_size(void)
{
	static size_t ps;

	if (!ps)
		ps = (size_t)sysconf(_SC_PAGESIZE);
	return ps;
}

/* One process_vm_readv of at most len bytes; returns the count read (which may be short at
 * a page boundary) or -errno. */
static ssize_t read_some(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr, .iov_len = len };
	ssize_t n;

	n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	if (n < 0)
		return -errno;
	return n;
}

int procmem_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	size_t done = 0;

	if (addr == 0 && len)
		return -EFAULT;
	while (done < len) {
		ssize_t n = read_some(pid, addr + done, (char *)buf + done, len - done);

		if (n < 0)
			return (int)n;
		if (n == 0)
			return -EFAULT;
		done += (size_t)n;
	}
	return 0;
}

int procmem_read_string(pid_t pid, uint64_t addr, char *buf, size_t size)
{
	size_t done = 0;

	if (size == 0)
		return -EINVAL;
	if (addr == 0)
		return -EFAULT;
	/* Read up to each page end at a time: the bytes after the terminating NUL may well be
	 * unmapped, and one read across the boundary would fail for a valid string. */
	while (done < size) {
		uint64_t at = addr + done;
		size_t chunk = page_size() - (size_t)(at & (page_size() - 1));
		char *nul;
		ssize_t n;

		if (chunk > size - done)
			chunk = size - done;
		n = read_some(pid, at, buf + done, chunk);
		if (n < 0)
			return (int)n;
		if (n == 0)
			return -EFAULT;
		nul = memchr(buf + done, '\0', (size_t)n);
		if (nul)
			return 0;
		done += (size_t)n;
	}
	buf[size - 1] = '\0';
	return -ENAMETOOLONG;
}

/* Pointers of argv read per process_vm_readv, and the bytes each string gets in the one
 * read of all of them; a longer string (or one that crosses a page) is finished alone. */
#define ARGV_BATCH 64
#define ARG_SLOT   128

/* Read up to max pointers of the array at addr, page by page (the array may end just
 * before an unmapped page), stopping after the first NULL.  Returns the count read. */
static int read_ptrs(pid_t pid, uint64_t addr, uint64_t *ptrs, int max)
{
	int got = 0;

	while (got < max) {
		uint64_t at = addr + (uint64_t)got * sizeof(uint64_t);
		size_t chunk = page_size() - (size_t)(at & (page_size() - 1));
		size_t want = (size_t)(max - got) * sizeof(uint64_t);
		ssize_t n;
		int i, k;

		if (chunk < sizeof(uint64_t))
			chunk = sizeof(uint64_t); /* a pointer across the boundary: read it whole */
		if (want > chunk)
			want = chunk - chunk % sizeof(uint64_t);
		if (want == 0)
			want = sizeof(uint64_t);
		n = read_some(pid, at, ptrs + got, want);
		if (n < 0)
			return (int)n;
		k = (int)((size_t)n / sizeof(uint64_t));
		if (k == 0)
			return -EFAULT;
		for (i = got; i < got + k; i++)
			if (!ptrs[i])
				return i + 1;
		got += k;
	}
	return got;
}

/*
 * Read the strings of ptrs[0..n) with one process_vm_readv: each into a slot of ARG_SLOT
 * bytes (never past its page end) at argbuf + used + i * ARG_SLOT, then packed.  Returns
 * how many strings were complete in their slot (packed from *used on, *used advanced);
 * the caller reads the rest one by one.
 */
static int read_strings_batch(pid_t pid, const uint64_t *ptrs, int n, char **ret_argv, char *argbuf,
			      size_t bufsize, size_t *used)
{
	struct iovec local[ARGV_BATCH], remote[ARGV_BATCH];
	size_t done, pos = *used;
	ssize_t got;
	int i, k = 0;

	if (n > ARGV_BATCH)
		n = ARGV_BATCH;
	if (bufsize - *used < (size_t)n * ARG_SLOT)
		n = (int)((bufsize - *used) / ARG_SLOT);
	for (i = 0; i < n; i++) {
		size_t len = page_size() - (size_t)(ptrs[i] & (page_size() - 1));

		if (len > ARG_SLOT)
			len = ARG_SLOT;
		local[i] = (struct iovec){ argbuf + *used + (size_t)i * ARG_SLOT, len };
		remote[i] = (struct iovec){ (void *)(uintptr_t)ptrs[i], len };
	}
	if (n == 0)
		return 0;
	/* A fault stops the copy at that iovec: the bytes before it are there. */
	got = process_vm_readv(pid, local, (unsigned long)n, remote, (unsigned long)n, 0);
	if (got < 0)
		return 0;
	for (done = 0, i = 0; i < n; i++) {
		char *slot = local[i].iov_base, *nul;
		size_t len;

		if (done + local[i].iov_len > (size_t)got)
			break;
		done += local[i].iov_len;
		nul = memchr(slot, '\0', local[i].iov_len);
		if (!nul)
			break;
		len = (size_t)(nul - slot) + 1;
		/* slots are ARG_SLOT apart and a string fills at most one: pos <= slot */
		memmove(argbuf + pos, slot, len);
		ret_argv[i] = argbuf + pos;
		pos += len;
		k++;
	}
	*used = pos;
	return k;
}

int procmem_read_argv(pid_t pid, uint64_t addr, char **ret_argv, int max_args, char *argbuf,
		      size_t bufsize, int *ret_argc, bool *ret_truncated)
{
	uint64_t ptrs[ARGV_BATCH + 1];
	size_t used = 0;
	bool truncated = false, end = false;
	int argc = 0, r;

	/* argv may legitimately be NULL (Linux treats it as empty). */
	while (addr && !end && !truncated) {
		int want = max_args - argc, n, i, k;

		if (want > ARGV_BATCH)
			want = ARGV_BATCH;
		/* one more than needed: only a further non-NULL pointer is a truncation */
		n = read_ptrs(pid, addr + (uint64_t)argc * sizeof(uint64_t), ptrs, want + 1);
		if (n < 0)
			return n;
		if (!ptrs[n - 1]) {
			end = true;
			n--;
		}
		if (n > want) {
			/* ptrs[want] is there and not NULL */
			if (argc + want == max_args)
				truncated = true;
			n = want;
		}
		for (i = 0; i < n; i++) {
			/* as many as one read completes, then the next one alone */
			k = read_strings_batch(pid, ptrs + i, n - i, ret_argv + argc + i, argbuf,
					       bufsize, &used);
			i += k;
			if (i == n)
				break;
			if (used >= bufsize) {
				truncated = true;
				break;
			}
			r = procmem_read_string(pid, ptrs[i], argbuf + used, bufsize - used);
			if (r == -ENAMETOOLONG) {
				/* Keep the cut argument: policy sees its beginning, and the flag.
				 */
				ret_argv[argc + i] = argbuf + used;
				used = bufsize;
				truncated = true;
				i++;
				break;
			}
			if (r < 0)
				return r;
			ret_argv[argc + i] = argbuf + used;
			used += strlen(argbuf + used) + 1;
		}
		argc += i < n ? i : n;
		if (i < n)
			break;
	}
	ret_argv[argc] = NULL;
	*ret_argc = argc;
	*ret_truncated = truncated;
	return 0;
}
