/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A gated thread as the daemon sees it: handles that name *that* thread (a /proc/TID
 * directory fd, its root), and its credentials and umask, so that the daemon can resolve
 * paths and perform calls in the target's place exactly as the target would have.
 *
 * Everything is opened relative to the /proc/TID dirfd: once the caller has checked
 * NOTIF_ID_VALID after target_open(), the thread was alive while these handles were taken,
 * so a reused pid cannot redirect them.
 *
 * The handles (not the credentials) may be kept across notifications in a target_cache,
 * one per session: a /proc/TID dirfd pins the thread it was opened for, and every lookup
 * through it fails once that thread is gone, whoever has its number since.  See
 * docs/gate.md, "Handles kept across notifications".
 */
#ifndef AIRLOCK_TARGET_H
#define AIRLOCK_TARGET_H

#include <limits.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct target_cache;

struct target {
	pid_t tid; /* as the daemon's pid namespace numbers it */
	pid_t tgid;
	pid_t nstid; /* as the target's own pid namespace numbers it (innermost NSpid) */
	pid_t nstgid;
	int procfd; /* O_DIRECTORY fd of /proc/TID */
	/* pidfd of the thread (PIDFD_THREAD, 6.9), or of its process on older kernels: for
	 * pidfd_getfd, which then takes from the calling thread's own fd table */
	int pidfd;
	bool pidfd_thread; /* pidfd is the thread's (PIDFD_THREAD) */
	int rootfd;	   /* O_PATH fd of the target's root directory */
	/* The daemon's path of the target's root: "" when it is the daemon's own root, so that
	 * a path read back from an fd can be expressed as the target sees it. */
	char rootpfx[PATH_MAX];
	/* What names the root rootfd was opened on (statx: mount id, device, inode): a
	 * cached entry is reused only while the thread's root is still that one. */
	uint64_t root_mnt;
	uint64_t root_ino;
	dev_t root_dev;
	uint32_t root_mnt_mask; /* STATX_MNT_ID or STATX_MNT_ID_UNIQUE: which root_mnt is */
	/* Private to target.c: the cache target_put() gives the entry back to (it holds
	 * a reference on it), or NULL. */
	struct target_cache *cache;
	unsigned lent; /* private to target.c: how often a cached entry was lent again */
	/* The thread's credentials, read for the current notification only.  creds_read: all
	 * of them (status: groups, umask, CapEff too); otherwise only the six ids are set
	 * (target_get() with TARGET_IDS_ONLY), and target_load_creds() must come before any
	 * use of the rest. */
	bool creds_read;
	uid_t ruid, euid, fsuid;
	gid_t rgid, egid, fsgid;
	gid_t *groups; /* supplementary groups */
	int ngroups;
	mode_t umask;
	/* Effective capabilities (CapEff), as the target's own user namespace counts them: what
	 * the daemon may act with in its place, and only when that namespace is the daemon's. */
	uint64_t cap_eff;
	/* The thread is in the daemon's user namespace; read with the credentials, and only
	 * when cap_eff is not empty (without capabilities the namespace changes nothing). */
	bool userns_own;
};

/* Open the handles of thread tid and read its credentials.  -ESRCH/-ENOENT when it is
 * gone; other -errno.  target_close() releases what target_open() took. */
int target_open(pid_t tid, struct target *t);
void target_close(struct target *t);

/*
 * Handles kept across notifications, per session: at most a few threads' entries, each
 * holding its /proc/TID dirfd and root fd.  An entry is either in the cache or lent to
 * exactly one notification (target_get() takes it out, target_put() gives it back), so
 * a parked ask never shares its handles.  Reference-counted: the session holds one
 * reference, and target_get() takes one for the entry it lends, given back by
 * target_put(), so a notification outliving its session is harmless.
 */

/* A new, empty cache with one reference.  0 or -ENOMEM. */
int target_cache_new(struct target_cache **ret_cache);
/* Drop a reference; the last one closes every entry.  NULL is accepted. */
void target_cache_unref(struct target_cache *c);

/*
 * The handles of thread tid and its credentials, as target_open() gives them: from the
 * cache when it holds an entry for tid that still names a live thread with that number
 * and whose root is still the thread's root (one statx through the dirfd), else freshly
 * opened.  The entry is lent: give it back with target_put().  c may be NULL (always
 * fresh).  The caller still checks NOTIF_ID_VALID after everything it reads.  0 or
 * -errno (-ESRCH/-ENOENT when the thread is gone).
 */
int target_get(struct target_cache *c, pid_t tid, unsigned flags, struct target **ret_target);
/* target_get() flags: a reused entry gets only the real, effective and fs ids (one pidfd
 * ioctl, 6.13), not status (groups, umask, CapEff), for a call that will not act in the
 * target's credentials.  A fresh entry reads status anyway. */
#define TARGET_IDS_ONLY (1u << 0)
/* Read the credentials target_get() left out (status), if any.  0 or -errno. */
int target_load_creds(struct target *t);
/* Give a target_get() entry back to its cache (or close and free it); NULL is accepted.
 * An entry known to be stale (its thread gone) is closed rather than kept. */
void target_put(struct target *t, bool stale);
/* How target_get() fared: entries reused, opened for want of one, and found stale (the
 * thread gone, or its root changed) and opened afresh.  For tests and status. */
struct target_cache_counts {
	unsigned long hits, misses, stale;
};
void target_cache_get_counts(const struct target_cache *c, struct target_cache_counts *ret);

/* Close cached entries whose thread has gone (a periodic sweep: nothing else tells the
 * daemon that a thread exited). */
void target_cache_sweep(struct target_cache *c);

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
 * read another process's memory: read the target before entering.  0 or -errno (-ESTALE
 * when t's credentials were not read for this use: target_load_creds() first); on failure
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
