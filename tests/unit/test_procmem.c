// SPDX-License-Identifier: Apache-2.0
/*
 * procmem against real process_vm_readv (of this process: the same syscall the gate
 * uses on a target).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "procmem.h"

static char *two_pages(void)
{
	long ps = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	cr_assert_neq(p, MAP_FAILED);
	/* the second page is unreadable: a read past the string's NUL would fault */
	cr_assert_eq(mprotect(p + ps, ps, PROT_NONE), 0);
	return p;
}

Test(procmem, string_ending_at_a_page_end_is_read)
{
	long ps = sysconf(_SC_PAGESIZE);
	char *p = two_pages(), buf[64];
	const char *s = "/etc/passwd";
	char *at = p + ps - strlen(s) - 1;

	strcpy(at, s);
	cr_assert_eq(procmem_read_string(getpid(), (uint64_t)(uintptr_t)at, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, s);
}

Test(procmem, string_running_into_an_unmapped_page_is_efault)
{
	long ps = sysconf(_SC_PAGESIZE);
	char *p = two_pages(), buf[64];
	char *at = p + ps - 4;

	memcpy(at, "abcd", 4); /* no NUL before the PROT_NONE page */
	cr_assert_eq(procmem_read_string(getpid(), (uint64_t)(uintptr_t)at, buf, sizeof(buf)),
		     -EFAULT);
	cr_assert_eq(procmem_read_string(getpid(), 0, buf, sizeof(buf)), -EFAULT);
}

Test(procmem, long_string_is_enametoolong_and_terminated)
{
	char src[100], buf[16];

	memset(src, 'x', sizeof(src) - 1);
	src[sizeof(src) - 1] = '\0';
	cr_assert_eq(procmem_read_string(getpid(), (uint64_t)(uintptr_t)src, buf, sizeof(buf)),
		     -ENAMETOOLONG);
	cr_assert_eq(strlen(buf), sizeof(buf) - 1);
}

Test(procmem, argv_copied_and_truncated_by_count_and_bytes)
{
	char *argv[] = { "one", "two", "three", NULL };
	char *out[4], buf[64], small[8];
	bool trunc;
	int argc;

	cr_assert_eq(procmem_read_argv(getpid(), (uint64_t)(uintptr_t)argv, out, 3, buf,
				       sizeof(buf), &argc, &trunc),
		     0);
	cr_assert_eq(argc, 3);
	cr_assert_not(trunc);
	cr_assert_str_eq(out[2], "three");
	cr_assert_null(out[3]);
	/* by count */
	cr_assert_eq(procmem_read_argv(getpid(), (uint64_t)(uintptr_t)argv, out, 2, buf,
				       sizeof(buf), &argc, &trunc),
		     0);
	cr_assert_eq(argc, 2);
	cr_assert(trunc);
	/* by bytes: "one\0two\0" fills 8, "three" does not fit */
	cr_assert_eq(procmem_read_argv(getpid(), (uint64_t)(uintptr_t)argv, out, 3, small,
				       sizeof(small), &argc, &trunc),
		     0);
	cr_assert_eq(argc, 2);
	cr_assert(trunc);
	cr_assert_str_eq(out[1], "two");
	/* a NULL argv is an empty one */
	cr_assert_eq(procmem_read_argv(getpid(), 0, out, 3, buf, sizeof(buf), &argc, &trunc), 0);
	cr_assert_eq(argc, 0);
}

/* A page whose successor is unmapped: what sits at its very end must still be read. */
static char *page_before_hole(void)
{
	long ps = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * (size_t)ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	cr_assert_neq(p, MAP_FAILED);
	cr_assert_eq(munmap(p + ps, (size_t)ps), 0);
	return p;
}

Test(procmem, argv_batched_across_pages_long_strings_and_many_args)
{
	static char argbuf[32 * 1024];
	long ps = sysconf(_SC_PAGESIZE);
	char *page = page_before_hole(), *strpage = page_before_hole();
	/* the pointer array ends exactly at the hole: 200 strings and the NULL */
	uint64_t *arr = (uint64_t *)(page + ps) - 201;
	char longarg[300], *out[257], name[16];
	static char shorts[200][16];
	bool trunc;
	int argc, i;

	memset(longarg, 'x', sizeof(longarg) - 1);
	longarg[sizeof(longarg) - 1] = '\0';
	/* a string ending right at the hole */
	memcpy(strpage + ps - 6, "tail!", 6);
	for (i = 0; i < 200; i++) {
		snprintf(shorts[i], sizeof(shorts[i]), "a%d", i);
		arr[i] = (uint64_t)(uintptr_t)shorts[i];
	}
	arr[70] = (uint64_t)(uintptr_t)longarg; /* longer than a slot, in the second batch */
	arr[3] = (uint64_t)(uintptr_t)(strpage + ps - 6);
	arr[200] = 0;
	cr_assert_eq(procmem_read_argv(getpid(), (uint64_t)(uintptr_t)arr, out, 256, argbuf,
				       sizeof(argbuf), &argc, &trunc),
		     0);
	cr_assert_eq(argc, 200);
	cr_assert_not(trunc);
	cr_assert_null(out[200]);
	for (i = 0; i < 200; i++) {
		if (i == 70)
			cr_assert_str_eq(out[i], longarg);
		else if (i == 3)
			cr_assert_str_eq(out[i], "tail!");
		else {
			snprintf(name, sizeof(name), "a%d", i);
			cr_assert_str_eq(out[i], name, "argv[%d] '%s'", i, out[i]);
		}
	}
	/* cut by count in the middle of a batch, and a bad pointer fails the whole read */
	cr_assert_eq(procmem_read_argv(getpid(), (uint64_t)(uintptr_t)arr, out, 130, argbuf,
				       sizeof(argbuf), &argc, &trunc),
		     0);
	cr_assert_eq(argc, 130);
	cr_assert(trunc);
	cr_assert_str_eq(out[129], "a129");
	arr[150] = (uint64_t)(uintptr_t)(page + ps); /* the hole */
	cr_assert_eq(procmem_read_argv(getpid(), (uint64_t)(uintptr_t)arr, out, 256, argbuf,
				       sizeof(argbuf), &argc, &trunc),
		     -EFAULT);
}
