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

int procmem_read_argv(pid_t pid, uint64_t addr, char **ret_argv, int max_args, char *argbuf,
		      size_t bufsize, int *ret_argc, bool *ret_truncated)
{
	size_t used = 0;
	bool truncated = false;
	int argc = 0, r;

	/* argv may legitimately be NULL (Linux treats it as empty). */
	while (addr) {
		uint64_t p;

		if (argc == max_args) {
			/* Only a further non-NULL pointer makes this a truncation. */
			r = procmem_read(pid, addr + (uint64_t)argc * sizeof(uint64_t), &p,
					 sizeof(p));
			if (r < 0)
				return r;
			truncated = p != 0;
			break;
		}
		r = procmem_read(pid, addr + (uint64_t)argc * sizeof(uint64_t), &p, sizeof(p));
		if (r < 0)
			return r;
		if (!p)
			break;
		if (used >= bufsize) {
			truncated = true;
			break;
		}
		r = procmem_read_string(pid, p, argbuf + used, bufsize - used);
		if (r == -ENAMETOOLONG) {
			/* Keep the cut argument: policy sees its beginning, and the flag. */
			ret_argv[argc++] = argbuf + used;
			used = bufsize;
			truncated = true;
			break;
		}
		if (r < 0)
			return r;
		ret_argv[argc++] = argbuf + used;
		used += strlen(argbuf + used) + 1;
	}
	ret_argv[argc] = NULL;
	*ret_argc = argc;
	*ret_truncated = truncated;
	return 0;
}
