// SPDX-License-Identifier: Apache-2.0
/* airlockd: placeholder main until the daemon lands (see docs/design.md). */
#include <stdio.h>

int main(void)
{
	fprintf(stderr, "airlockd: not built yet\n");
	return 1;
}
