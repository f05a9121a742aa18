/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The few fields of /proc/PID/stat that airlock reads.  The command name in parentheses
 * may hold anything (spaces, ')'), so the fields are parsed after the last ')'.
 */
#ifndef AIRLOCK_PROCSTAT_H
#define AIRLOCK_PROCSTAT_H

#include <sys/types.h>

struct proc_stat {
	char state; /* R, S, D, T, t, Z, X ... */
	pid_t ppid;
	pid_t pgrp;
};

/* 0 with *ret filled, or -errno (-ESRCH when the process is gone, -EINVAL when the line
 * cannot be parsed). */
int proc_stat_read(pid_t pid, struct proc_stat *ret);

#endif
