/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reservations: address space from mmap() of /dev/vmctl whose pages exist
 * only where they were committed.
 */
#ifndef _VMCTL_RESV_H
#define _VMCTL_RESV_H

#include <linux/kref.h>
#include <linux/mm_types.h>
#include <linux/rcupdate.h>
#include <linux/rwsem.h>

struct vmctl_acct;

/**
 * struct vmctl_resv - one reservation
 * @ref:       one per VMA that maps it, plus one per ioctl in progress
 * @file:      the backing shmem file (VM_NORESERVE): a page is committed
 *             exactly when the file has it, in RAM or in swap, so the
 *             commit state costs no memory of its own
 * @fault:     shmem's fault handler, which this reservation's wraps
 * @lock:      read by faults, written by commit, decommit and reset, so a
 *             fault never brings back a page that is being decommitted.
 *             Taken under mmap_lock (faults) or without it (ioctls);
 *             never held while taking mmap_lock.
 * @start:     address of the reservation when it was made; mremap() is
 *             refused, so the reservation never moves
 * @size:      its size in bytes
 * @acct:      the commit account of the process that made it
 * @mremap_aliases: copies of a VMA that a refused mremap() is about to
 *             unmap (under mmap_lock held for writing)
 * @rcu:       the module reference is dropped an RCU grace period after
 *             the last VMA goes, see vmctl_resv_release()
 */
struct vmctl_resv {
	struct kref ref;
	struct file *file;
	vm_fault_t (*fault)(struct vm_fault *vmf);
	struct rw_semaphore lock;
	unsigned long start;
	unsigned long size;
	struct vmctl_acct *acct;
	unsigned int mremap_aliases;
	struct rcu_head rcu;
};

int vmctl_resv_mmap(struct file *file, struct vm_area_struct *vma);
void vmctl_resv_put(struct vmctl_resv *resv);
/* Frees and uncharges the pages of [index, index + pages) of @resv. */
int vmctl_resv_decommit(struct vmctl_resv *resv, pgoff_t index,
			unsigned long pages);
/* Pages committed in @resv (in RAM or swap) and those in RAM. */
unsigned long vmctl_resv_committed(struct vmctl_resv *resv);
unsigned long vmctl_resv_resident(struct vmctl_resv *resv);

/*
 * Per-process commit accounts (resv_acct.c): what a process has committed
 * in its reservations, against an optional administrator's limit.
 */
struct vmctl_acct *vmctl_acct_get(struct mm_struct *mm);
void vmctl_acct_put(struct vmctl_acct *acct);
/* Charges @pages, or returns -EDQUOT if the limit would be passed. */
int vmctl_acct_charge(struct vmctl_acct *acct, long pages);
void vmctl_acct_uncharge(struct vmctl_acct *acct, long pages);
/* Pages committed and the limit in pages (0: none). */
void vmctl_acct_read(struct vmctl_acct *acct, u64 *committed, u64 *limit);
int vmctl_acct_set_limit(struct mm_struct *mm, u64 limit_pages,
			 u64 *committed_pages);
void vmctl_acct_exit(void);

#endif /* _VMCTL_RESV_H */
