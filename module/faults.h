/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault accounting: what faults.c offers to its ioctl and netlink front
 * ends (faults_ioctl.c, faults_genl.c).
 */
#ifndef _VMCTL_FAULTS_H
#define _VMCTL_FAULTS_H

#include <linux/types.h>
#include <linux/sched.h>
#include <linux/vmctl.h>

/* Tracked processes, exited ones kept for reading included (params.c). */
#define VMCTL_FAULTS_MAX_PROCS		vmctl_max_tracked_processes
/* Threads with their own counters per process; more share one record. */
#define VMCTL_FAULTS_MAX_THREADS	vmctl_max_tracked_threads

struct vmctl_fproc;

/*
 * All calls below take vmctl_faults_mutex themselves, except those named
 * _locked, which need it held (vmctl_faults_lock()).
 */
void vmctl_faults_lock(void);
void vmctl_faults_unlock(void);

/* @flags: VMCTL_TRACK_SYSTEM (with @nr 0) or 0. */
int vmctl_faults_track(pid_t nr, u64 flags);
int vmctl_faults_untrack(pid_t nr, u64 flags);

/*
 * vmctl_faults_find_locked - the tracked process @nr (0: the caller) the
 * caller may read. Return: the process or an ERR_PTR: -ENOENT (not
 * tracked), -EACCES, -EINVAL.
 */
struct vmctl_fproc *vmctl_faults_find_locked(pid_t nr);

/*
 * The tracked process after the one with @id (0: the first) that the
 * caller (with @cred) may read, or NULL. Used by dumps.
 */
struct vmctl_fproc *vmctl_faults_next_locked(u64 id, const struct cred *cred);
u64 vmctl_fproc_id(const struct vmctl_fproc *p);
/* Its pid in @ns (0 if not visible there). */
pid_t vmctl_fproc_pid(const struct vmctl_fproc *p, struct pid_namespace *ns);
/* The tracked process with @id, or NULL. */
struct vmctl_fproc *vmctl_faults_by_id_locked(u64 id);
/* Its name as /proc/PID/comm shows it now, or as it exited. */
void vmctl_fproc_comm(struct vmctl_fproc *p, char comm[TASK_COMM_LEN]);

/*
 * The aggregate of system-wide tracking (faults of processes without a
 * record) into @f, if it is on and @cred has CAP_SYS_ADMIN in the initial
 * user namespace; false otherwise.
 */
bool vmctl_faults_read_other_locked(const struct cred *cred,
				    struct vmctl_faults *f);

/* Fills the out fields of @f (not size, flags, pid). */
void vmctl_fproc_read_locked(struct vmctl_fproc *p, struct vmctl_faults *f);
/* The calling thread's counters; -ENOMEM. */
int vmctl_fproc_read_thread_locked(struct vmctl_fproc *p, struct vmctl_faults *f);

/*
 * vmctl_fproc_vmas_locked - copy the per-VMA buckets of @p
 * @recs: room for VMCTL_FAULT_VMAS_MAX + 1 records
 * Names are not filled (name_off/name_len 0): see vmctl_fproc_vma_name().
 * Return: the number of records.
 */
unsigned int vmctl_fproc_vmas_locked(struct vmctl_fproc *p,
				     struct vmctl_fault_vma *recs);
/*
 * The name of bucket @i as vmctl_vma_name() writes it: its length, 0 for
 * none, or -ENOSPC.
 */
int vmctl_fproc_vma_name_locked(struct vmctl_fproc *p, unsigned int i,
				char *buf, size_t size);

#endif /* _VMCTL_FAULTS_H */
