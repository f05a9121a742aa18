// SPDX-License-Identifier: Apache-2.0
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procstat.h"

Test(procstat, reads_its_own_fields)
{
	struct proc_stat st;

	cr_assert_eq(proc_stat_read(getpid(), &st), 0);
	cr_assert_eq(st.state, 'R');
	cr_assert_eq(st.ppid, getppid());
	cr_assert_eq(st.pgrp, getpgrp());
}

/* A process may name itself anything, parentheses and spaces included: the fields after
 * the name must still be found. */
Test(procstat, a_hostile_command_name_does_not_shift_the_fields)
{
	int go[2], ready[2];
	struct proc_stat st;
	char c;
	pid_t pid;

	cr_assert_eq(pipe(go), 0);
	cr_assert_eq(pipe(ready), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		prctl(PR_SET_NAME, "x) R 1 1 (y");
		setpgid(0, 0);
		(void)!write(ready[1], "r", 1);
		(void)!read(go[0], &c, 1);
		_exit(0);
	}
	cr_assert_eq(read(ready[0], &c, 1), 1);
	cr_assert_eq(proc_stat_read(pid, &st), 0);
	cr_assert_eq(st.ppid, getpid());
	cr_assert_eq(st.pgrp, pid);
	cr_assert(st.state == 'S' || st.state == 'R', "state '%c'", st.state);
	(void)!write(go[1], "g", 1);
	waitpid(pid, NULL, 0);
}

Test(procstat, a_gone_process_is_esrch)
{
	struct proc_stat st = { .state = 'Q', .ppid = 7, .pgrp = 7 };
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	cr_assert_eq(proc_stat_read(pid, &st), -ESRCH);
	cr_assert_eq(st.ppid, 7, "the out-parameter was touched on failure");
}
