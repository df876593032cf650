// SPDX-License-Identifier: GPL-2.0
/*
 * Per-process commit accounts: the pages a process has committed in its
 * reservations, and the limit an administrator may put on them
 * (VMCTL_IOC_SET_COMMIT_LIMIT). The system-wide charge is shmem's (see
 * resv.c); this one only enforces the per-process limit.
 *
 * Accounts are found by mm. Each holds mmgrab() on its mm so the pointer
 * cannot be reused by another process while the account exists.
 * vmctl_acct_lock protects the table and the reference counts; it is
 * taken under mmap_lock (from mmap and munmap) and never the other way.
 */

#include <linux/atomic.h>
#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "resv.h"
#include "vmctl.h"

/* Accounts that outlive their reservations only to keep a limit. */
#define VMCTL_ACCT_LIMITS_MAX	vmctl_max_commit_limits

struct vmctl_acct {
	struct hlist_node node;
	struct mm_struct *mm;
	unsigned int refs;		/* reservations, plus one for a limit */
	bool has_limit;
	atomic_long_t committed;	/* pages */
	unsigned long limit;		/* pages; meaningful with has_limit */
};

static DEFINE_HASHTABLE(vmctl_accts, 8);
static DEFINE_MUTEX(vmctl_acct_lock);
static unsigned int vmctl_acct_limits;

static void vmctl_acct_free(struct vmctl_acct *acct)
{
	hash_del(&acct->node);
	mmdrop(acct->mm);
	kfree(acct);
}

/* Drops limit-only accounts of processes that are gone. */
static void vmctl_acct_reap(struct hlist_head *bucket)
{
	struct vmctl_acct *acct;
	struct hlist_node *tmp;

	hlist_for_each_entry_safe(acct, tmp, bucket, node) {
		if (acct->refs == 1 && acct->has_limit &&
		    !atomic_read(&acct->mm->mm_users)) {
			vmctl_acct_limits--;
			vmctl_acct_free(acct);
		}
	}
}

static struct vmctl_acct *vmctl_acct_find(struct mm_struct *mm, bool create)
{
	struct vmctl_acct *acct;

	lockdep_assert_held(&vmctl_acct_lock);
	vmctl_acct_reap(&vmctl_accts[hash_min((unsigned long)mm, HASH_BITS(vmctl_accts))]);
	hash_for_each_possible(vmctl_accts, acct, node, (unsigned long)mm)
		if (acct->mm == mm)
			return acct;
	if (!create)
		return NULL;

	acct = kzalloc(sizeof(*acct), GFP_KERNEL_ACCOUNT);
	if (!acct)
		return NULL;
	mmgrab(mm);
	acct->mm = mm;
	hash_add(vmctl_accts, &acct->node, (unsigned long)mm);
	return acct;
}

struct vmctl_acct *vmctl_acct_get(struct mm_struct *mm)
{
	struct vmctl_acct *acct;

	mutex_lock(&vmctl_acct_lock);
	acct = vmctl_acct_find(mm, true);
	if (acct)
		acct->refs++;
	mutex_unlock(&vmctl_acct_lock);
	return acct;
}

void vmctl_acct_put(struct vmctl_acct *acct)
{
	mutex_lock(&vmctl_acct_lock);
	if (!--acct->refs)
		vmctl_acct_free(acct);
	mutex_unlock(&vmctl_acct_lock);
}

int vmctl_acct_charge(struct vmctl_acct *acct, long pages)
{
	long now = atomic_long_add_return(pages, &acct->committed);

	if (READ_ONCE(acct->has_limit) && now > READ_ONCE(acct->limit)) {
		atomic_long_sub(pages, &acct->committed);
		return -EDQUOT;
	}
	return 0;
}

void vmctl_acct_uncharge(struct vmctl_acct *acct, long pages)
{
	atomic_long_sub(pages, &acct->committed);
}

void vmctl_acct_read(struct vmctl_acct *acct, u64 *committed, u64 *limit)
{
	*committed = atomic_long_read(&acct->committed);
	*limit = READ_ONCE(acct->has_limit) ? READ_ONCE(acct->limit) : 0;
}

int vmctl_acct_set_limit(struct mm_struct *mm, u64 limit_pages,
			 u64 *committed_pages)
{
	struct vmctl_acct *acct;
	int ret = 0;

	mutex_lock(&vmctl_acct_lock);
	acct = vmctl_acct_find(mm, limit_pages != 0);
	if (!acct) {
		/* No account and no limit to set: nothing committed. */
		*committed_pages = 0;
		ret = limit_pages ? -ENOMEM : 0;
		goto out;
	}
	if (limit_pages && !acct->has_limit) {
		if (vmctl_acct_limits >= VMCTL_ACCT_LIMITS_MAX) {
			ret = -ENOSPC;
			if (!acct->refs)
				vmctl_acct_free(acct);
			goto out;
		}
		vmctl_acct_limits++;
		acct->refs++;
	} else if (!limit_pages && acct->has_limit) {
		vmctl_acct_limits--;
		acct->refs--;
	}
	WRITE_ONCE(acct->limit, limit_pages);
	WRITE_ONCE(acct->has_limit, limit_pages != 0);
	*committed_pages = atomic_long_read(&acct->committed);
	if (!acct->refs)
		vmctl_acct_free(acct);
out:
	mutex_unlock(&vmctl_acct_lock);
	return ret;
}

/* Module exit: only limit-only accounts can be left, reservations pin us. */
void vmctl_acct_exit(void)
{
	struct vmctl_acct *acct;
	struct hlist_node *tmp;
	int bkt;

	mutex_lock(&vmctl_acct_lock);
	hash_for_each_safe(vmctl_accts, bkt, tmp, acct, node)
		vmctl_acct_free(acct);
	vmctl_acct_limits = 0;
	mutex_unlock(&vmctl_acct_lock);
}
