/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A gated thread as the daemon sees it: handles that name *that* thread (a /proc/TID
 * directory fd, its root), and its credentials and umask, so that the daemon can resolve
 * paths and perform calls in the target's place exactly as the target would have.
 *
 * Everything is opened relative to the /proc/TID dirfd: once the caller has checked
 * NOTIF_ID_VALID after target_open(), the thread was alive while these handles were taken,
 * so a reused pid cannot redirect them.
 */
#ifndef AIRLOCK_TARGET_H
#define AIRLOCK_TARGET_H

#include <limits.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct target {
	pid_t tid; /* as the daemon's pid namespace numbers it */
	pid_t tgid;
	pid_t nstid; /* as the target's own pid namespace numbers it (innermost NSpid) */
	pid_t nstgid;
	int procfd; /* O_DIRECTORY fd of /proc/TID */
	int rootfd; /* O_PATH fd of the target's root directory */
	/* The daemon's path of the target's root: "" when it is the daemon's own root, so that
	 * a path read back from an fd can be expressed as the target sees it. */
	char rootpfx[PATH_MAX];
	uid_t ruid, euid, fsuid;
	gid_t rgid, egid, fsgid;
	gid_t *groups; /* supplementary groups */
	int ngroups;
	mode_t umask;
	/* Effective capabilities (CapEff), as the target's own user namespace counts them: what
	 * the daemon may act with in its place, and only when that namespace is the daemon's. */
	uint64_t cap_eff;
};

/* Open the handles of thread tid and read its credentials.  -ESRCH/-ENOENT when it is
 * gone; other -errno.  target_close() releases what target_open() took. */
int target_open(pid_t tid, struct target *t);
void target_close(struct target *t);

/* Credentials saved by target_creds_enter() for target_creds_leave().  The daemon's
 * fsuid/fsgid are its euid/egid (setresuid resets them), and its groups never change. */
struct saved_creds {
	uid_t euid;
	gid_t egid;
	gid_t *groups; /* not owned */
	int ngroups;
	uint64_t cap_eff; /* the daemon's effective capabilities */
	mode_t umask;
	bool umask_set;
	bool ids;  /* ids and groups were switched (else they were the target's already) */
	bool caps; /* the effective set may differ from cap_eff: read it back and restore */
	bool active;
};

/*
 * Take the target's identity on the calling thread: supplementary groups, egid, fsgid,
 * euid, fsuid and effective capabilities (raw syscalls, so only this thread changes --
 * glibc's wrappers would change every thread) and, with_umask (for calls that create), its
 * umask.  The effective set becomes the target's CapEff within the daemon's own, and empty
 * for a target in another user namespace (its capabilities are relative to that namespace),
 * whatever the set*id fix-ups did, so the daemon can do no more than the target could: a
 * root target that dropped capabilities gets none of the daemon's back.  A reduced set cannot
 * read another process's memory: read the target before entering.  0 or -errno; on failure
 * nothing is left changed and the call must not be made.
 */
int target_creds_enter(const struct target *t, struct saved_creds *s, bool with_umask);
/* Restore what target_creds_enter() saved, effective capabilities included.  0 or -errno. */
int target_creds_leave(struct saved_creds *s);

/* The target's controlling terminal (from /proc/TID/stat): 0, -ENXIO when it has none. */
int target_ctty(const struct target *t, dev_t *ret_dev);

/* The /dev path of a character device (sysfs DEVNAME, or /dev/pts/N).  0 or -errno. */
int target_dev_path(dev_t dev, char *ret_path, size_t size);

#endif
