// SPDX-License-Identifier: GPL-2.0
/*
 * The reserve/commit ioctls: VMCTL_IOC_COMMIT, _DECOMMIT, _RESET,
 * _RELEASE, _QUERY and _SET_COMMIT_LIMIT. See resv.c for the design.
 */

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/falloc.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/overflow.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/shmem_fs.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "resv.h"
#include "vma.h"
#include "vmctl.h"

#define VMCTL_RANGE_SIZE_VER0	offsetofend(struct vmctl_range, len)
#define VMCTL_QUERY_SIZE_VER0	offsetofend(struct vmctl_query, resident_bytes)
#define VMCTL_LIMIT_SIZE_VER0	offsetofend(struct vmctl_commit_limit, committed_bytes)

/* Pages of @resv's file present in [index, index + pages). */
static unsigned long vmctl_resv_present(struct vmctl_resv *resv,
					pgoff_t index, unsigned long pages)
{
	XA_STATE(xas, &resv->file->f_mapping->i_pages, index);
	unsigned long present = 0;
	void *entry;

	rcu_read_lock();
	xas_for_each(&xas, entry, index + pages - 1) {
		if (xas_retry(&xas, entry))
			continue;
		present++;
	}
	rcu_read_unlock();
	return present;
}

/*
 * Finds the caller's reservation holding [addr, addr + len) and takes a
 * reference on it. The range may cross pieces that mprotect() made of the
 * reservation, but no hole that munmap() made.
 */
static int vmctl_resv_find(unsigned long addr, unsigned long len,
			   struct vmctl_resv **resvp)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	struct vmctl_resv *resv;
	unsigned long end;
	int ret = -EINVAL;

	if (!mm)
		return -EINVAL;
	if (!PAGE_ALIGNED(addr) || !PAGE_ALIGNED(len) ||
	    check_add_overflow(addr, len, &end))
		return -EINVAL;
	ret = mmap_read_lock_killable(mm);
	if (ret)
		return ret;

	ret = -EINVAL;
	vma = find_vma(mm, addr);
	if (!vma || vma->vm_start > addr || !vmctl_vma_is_resv(vma))
		goto out;
	resv = vma->vm_private_data;
	while (vma->vm_end < end) {
		struct vm_area_struct *next = find_vma(mm, vma->vm_end);

		if (!next || next->vm_start != vma->vm_end ||
		    !vmctl_vma_is_resv(next) || next->vm_private_data != resv)
			goto out;
		vma = next;
	}
	kref_get(&resv->ref);
	*resvp = resv;
	ret = 0;
out:
	mmap_read_unlock(mm);
	return ret;
}

/*
 * Pages of small commits are zeroed now rather than at first touch: the
 * first read fault then maps the whole commit at once (fault-around maps
 * only up-to-date pages), and POPULATE maps it with one fault.
 */
#define VMCTL_COMMIT_CLEAR_MAX	(SZ_1M >> PAGE_SHIFT)

static void vmctl_resv_clear(struct vmctl_resv *resv, pgoff_t index,
			     unsigned long pages)
{
	struct address_space *mapping = resv->file->f_mapping;
	struct page *page;

	for (; pages; pages--, index++) {
		page = shmem_read_mapping_page_gfp(mapping, index,
						   mapping_gfp_mask(mapping));
		if (!IS_ERR(page))
			put_page(page);
	}
}

/* Tells the watches of the caller which limit refused a commit. */
static void vmctl_resv_commit_refused(struct vmctl_resv *resv, int err,
				      unsigned long pages)
{
	u64 committed, limit;

	vmctl_acct_read(resv->acct, &committed, &limit);
	if (err == -EDQUOT)
		vmctl_watch_commit_refused(VMCTL_LIMIT_PROCESS, limit << PAGE_SHIFT,
					   committed << PAGE_SHIFT,
					   (u64)pages << PAGE_SHIFT);
	else
		vmctl_watch_commit_refused(VMCTL_LIMIT_SYSTEM, 0, committed << PAGE_SHIFT,
					   (u64)pages << PAGE_SHIFT);
}

static int vmctl_resv_commit(struct vmctl_resv *resv, pgoff_t index,
			     unsigned long pages, u64 flags)
{
	unsigned long before, added, charge = pages;
	int ret;

	down_write(&resv->lock);
	before = vmctl_resv_committed(resv);
	/* Committing committed pages is a no-op for them: charge the rest. */
	charge -= vmctl_resv_present(resv, index, pages);
	ret = vmctl_acct_charge(resv->acct, charge);
	if (ret)
		goto out;

	ret = vfs_fallocate(resv->file, 0, (loff_t)index << PAGE_SHIFT,
			    (loff_t)pages << PAGE_SHIFT);
	/* The backing mount has no size limit: ENOSPC is the commit charge. */
	if (ret == -ENOSPC)
		ret = -ENOMEM;
	added = vmctl_resv_committed(resv) - before;
	vmctl_acct_uncharge(resv->acct, charge - added);
	if (!ret && (pages <= VMCTL_COMMIT_CLEAR_MAX ||
		     (flags & VMCTL_COMMIT_POPULATE)))
		vmctl_resv_clear(resv, index, pages);
out:
	up_write(&resv->lock);
	if (ret == -EDQUOT || ret == -ENOMEM)
		vmctl_resv_commit_refused(resv, ret, pages);
	return ret;
}

/*
 * The pages leave every page table (and the process's RSS) but keep their
 * contents and their commit: the next touch maps them again, or reads them
 * back from swap if memory pressure wrote them out meanwhile.
 */
static int vmctl_resv_reset(struct vmctl_resv *resv, pgoff_t index,
			    unsigned long pages)
{
	down_write(&resv->lock);
	unmap_mapping_range(resv->file->f_mapping, (loff_t)index << PAGE_SHIFT,
			    (loff_t)pages << PAGE_SHIFT, 0);
	up_write(&resv->lock);
	return 0;
}

/* Unmaps every piece of @resv; what munmap() of all of it would do. */
static int vmctl_resv_release(struct vmctl_resv *resv)
{
	struct mm_struct *mm = current->mm;
	unsigned long addr = resv->start, end = resv->start + resv->size;
	struct vm_area_struct *vma;
	int ret = 0;

	while (addr < end && !ret) {
		unsigned long start, stop;

		ret = mmap_read_lock_killable(mm);
		if (ret)
			break;
		vma = find_vma(mm, addr);
		while (vma && vma->vm_start < end &&
		       (!vmctl_vma_is_resv(vma) || vma->vm_private_data != resv))
			vma = find_vma(mm, vma->vm_end);
		if (!vma || vma->vm_start >= end) {
			mmap_read_unlock(mm);
			break;
		}
		start = vma->vm_start;
		stop = vma->vm_end;
		mmap_read_unlock(mm);

		ret = vm_munmap(start, stop - start);
		addr = stop;
	}
	return ret;
}

long vmctl_ioctl_range(unsigned int cmd, struct vmctl_range __user *uargs)
{
	struct vmctl_resv *resv;
	struct vmctl_range args;
	unsigned long pages;
	pgoff_t index;
	int ret;

	ret = vmctl_copy_args_from_user(&args, sizeof(args),
					VMCTL_RANGE_SIZE_VER0, uargs);
	if (ret)
		return ret;
	if (args.flags & ~(cmd == VMCTL_IOC_COMMIT ? VMCTL_COMMIT_POPULATE : 0))
		return -EINVAL;
	if (cmd == VMCTL_IOC_RELEASE ? args.len : !args.len)
		return -EINVAL;

	ret = vmctl_resv_find(cmd == VMCTL_IOC_RELEASE ?
			      (args.addr & PAGE_MASK) : args.addr,
			      args.len, &resv);
	if (ret)
		return ret;
	index = (args.addr - resv->start) >> PAGE_SHIFT;
	pages = args.len >> PAGE_SHIFT;

	switch (cmd) {
	case VMCTL_IOC_COMMIT:
		ret = vmctl_resv_commit(resv, index, pages, args.flags);
		break;
	case VMCTL_IOC_DECOMMIT:
		ret = vmctl_resv_decommit(resv, index, pages);
		break;
	case VMCTL_IOC_RESET:
		ret = vmctl_resv_reset(resv, index, pages);
		break;
	default:
		ret = vmctl_resv_release(resv);
		break;
	}
	vmctl_resv_put(resv);

	/* Outside resv->lock: these faults take it. */
	if (!ret && (args.flags & VMCTL_COMMIT_POPULATE))
		fault_in_readable(u64_to_user_ptr(args.addr), args.len);
	return ret;
}

/* Bytes from @index on (up to @end) whose state is that of @index. */
static unsigned long vmctl_resv_run(struct vmctl_resv *resv, pgoff_t index,
				    pgoff_t end, bool committed)
{
	struct xarray *pages = &resv->file->f_mapping->i_pages;
	XA_STATE(xas, pages, index);
	unsigned long next = index;
	void *entry;

	if (!committed) {
		if (!xa_find(pages, &next, end - 1, XA_PRESENT))
			next = end;
		return (next - index) << PAGE_SHIFT;
	}

	rcu_read_lock();
	xas_for_each(&xas, entry, end - 1) {
		if (xas_retry(&xas, entry))
			continue;
		if (xas.xa_index != next)
			break;
		next = xas.xa_index + 1;
		if (!xa_is_value(entry))
			next = folio_next_index(entry);
	}
	rcu_read_unlock();
	return (min(next, end) - index) << PAGE_SHIFT;
}

static int vmctl_query_fill(struct mm_struct *mm, struct vmctl_query *q)
{
	unsigned long addr = q->addr & PAGE_MASK;
	struct vm_area_struct *vma;
	struct vmctl_resv *resv;
	pgoff_t index;
	int ret;

	/* Past the user address space there is nothing to describe. */
	if (addr >= mm->task_size)
		return -EINVAL;
	ret = mmap_read_lock_killable(mm);
	if (ret)
		return ret;
	q->base = addr;
	vma = find_vma(mm, addr);
	if (!vma || vma->vm_start > addr) {
		q->state = VMCTL_STATE_FREE;
		q->region_size = (vma ? vma->vm_start : mm->task_size) - addr;
		goto out;
	}
	if (!vmctl_vma_is_resv(vma)) {
		ret = -EINVAL;
		goto out;
	}
	resv = vma->vm_private_data;
	index = (addr - resv->start) >> PAGE_SHIFT;
	q->state = xa_load(&resv->file->f_mapping->i_pages, index) ?
		   VMCTL_STATE_COMMITTED : VMCTL_STATE_RESERVED;
	q->region_size = vmctl_resv_run(resv, index,
					(vma->vm_end - resv->start) >> PAGE_SHIFT,
					q->state == VMCTL_STATE_COMMITTED);
	q->reservation_base = resv->start;
	q->reservation_size = resv->size;
	q->committed_bytes = (u64)vmctl_resv_committed(resv) << PAGE_SHIFT;
	q->resident_bytes = (u64)vmctl_resv_resident(resv) << PAGE_SHIFT;
out:
	mmap_read_unlock(mm);
	return ret;
}

long vmctl_ioctl_query(struct vmctl_query __user *uargs)
{
	struct vmctl_target target;
	struct vmctl_query q;
	int ret;

	ret = vmctl_copy_args_from_user(&q, sizeof(q), VMCTL_QUERY_SIZE_VER0,
					uargs);
	if (ret)
		return ret;
	if (q.flags)
		return -EINVAL;
	q.state = 0;
	q.region_size = 0;
	q.reservation_base = 0;
	q.reservation_size = 0;
	q.committed_bytes = 0;
	q.resident_bytes = 0;

	ret = vmctl_target_get(q.pid, &target);
	if (ret)
		return ret;
	ret = vmctl_query_fill(target.mm, &q);
	vmctl_target_put(&target);
	if (ret)
		return ret;
	return vmctl_copy_args_to_user(uargs, &q, sizeof(q));
}

long vmctl_ioctl_set_commit_limit(struct vmctl_commit_limit __user *uargs)
{
	struct vmctl_commit_limit args;
	struct vmctl_target target;
	u64 committed;
	int ret;

	ret = vmctl_copy_args_from_user(&args, sizeof(args),
					VMCTL_LIMIT_SIZE_VER0, uargs);
	if (ret)
		return ret;
	if (args.flags || args.__reserved)
		return -EINVAL;
	if (!capable(CAP_SYS_RESOURCE))
		return -EPERM;

	ret = vmctl_target_get(args.pid, &target);
	if (ret)
		return ret;
	ret = vmctl_acct_set_limit(target.mm,
				   DIV_ROUND_UP_ULL(args.limit_bytes, PAGE_SIZE),
				   &committed);
	vmctl_target_put(&target);
	if (ret)
		return ret;
	args.committed_bytes = committed << PAGE_SHIFT;
	return vmctl_copy_args_to_user(uargs, &args, sizeof(args));
}
