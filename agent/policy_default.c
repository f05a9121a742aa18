// SPDX-License-Identifier: Apache-2.0
/*
 * The embedded default policy: deploy/policy/default.yaml, linked in as bytes.
 *
 * .incbin keeps the YAML file the single source (what `make install` copies is what the
 * daemon embeds) with no generated C file and no xxd at build time; the Makefile names the
 * YAML as a prerequisite of this object, since the compiler's -MMD cannot see into an
 * assembler directive.  The path is relative to the top of the tree, where make runs.
 */
#include <stddef.h>

#include "policy.h"

extern const char policy_default_start[] __attribute__((visibility("hidden")));
extern const char policy_default_end[] __attribute__((visibility("hidden")));

__asm__(".pushsection .rodata.airlock_policy, \"a\"\n"
	".balign 16\n"
	".type policy_default_start, %object\n" /* %, not @: also valid on arm */
	"policy_default_start:\n"
	".incbin \"deploy/policy/default.yaml\"\n"
	"policy_default_end:\n"
	".byte 0\n" /* a NUL after the text, so it can also be used as a C string */
	".size policy_default_start, . - policy_default_start\n"
	".popsection\n");

const char *policy_default_text(size_t *ret_len)
{
	if (ret_len)
		*ret_len = (size_t)(policy_default_end - policy_default_start);
	return policy_default_start;
}
