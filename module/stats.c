// SPDX-License-Identifier: GPL-2.0
/*
 * Per-process address-space statistics: one pass over the VMAs under
 * mmap_read_lock plus the counters the mm and the threads keep. No page
 * table is walked, so the cost is linear in the number of VMAs.
 */

#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>

#include "compat.h"
#include "vmctl.h"

/* The VMA pair is what mprotect() leaves when it splits one mapping. */
static bool vmctl_vma_split_pair(const struct vm_area_struct *prev,
				 const struct vm_area_struct *vma)
{
	return prev->vm_end == vma->vm_start &&
	       prev->vm_file == vma->vm_file &&
	       prev->vm_pgoff + ((prev->vm_end - prev->vm_start) >> PAGE_SHIFT) ==
	       vma->vm_pgoff &&
	       prev->vm_flags != vma->vm_flags;
}

static void vmctl_stats_walk(struct mm_struct *mm, struct vmctl_stats *st)
{
	VMA_ITERATOR(vmi, mm, 0);
	struct vm_area_struct *vma, *prev = NULL;

	for_each_vma(vmi, vma) {
		unsigned long size = vma->vm_end - vma->vm_start;
		struct vmctl_kind_stat *kind = &st->kinds[vmctl_vma_kind(vma)];

		kind->count++;
		kind->bytes += size;
		if (vma->vm_flags & VM_ACCOUNT)
			st->committed_bytes += size;
		if (prev && vma->vm_start > prev->vm_end) {
			st->gap_count++;
			st->largest_gap_bytes = max_t(u64, st->largest_gap_bytes,
						      vma->vm_start - prev->vm_end);
		}
		if (prev && vmctl_vma_split_pair(prev, vma))
			st->split_pairs++;
		prev = vma;
	}
}

/* The arithmetic of task_mem() in fs/proc/task_mmu.c, in bytes. */
static void vmctl_stats_counters(struct mm_struct *mm, struct vmctl_stats *st)
{
	unsigned long anon, file, shmem, rss;

	anon = vmctl_mm_counter(mm, MM_ANONPAGES);
	file = vmctl_mm_counter(mm, MM_FILEPAGES);
	shmem = vmctl_mm_counter(mm, MM_SHMEMPAGES);
	rss = anon + file + shmem;

	st->map_count = mm->map_count;
	st->vsz_bytes = (u64)mm->total_vm << PAGE_SHIFT;
	st->rss_bytes = (u64)rss << PAGE_SHIFT;
	st->rss_anon_bytes = (u64)anon << PAGE_SHIFT;
	st->rss_file_bytes = (u64)file << PAGE_SHIFT;
	st->rss_shmem_bytes = (u64)shmem << PAGE_SHIFT;
	st->swap_bytes = (u64)vmctl_mm_counter(mm, MM_SWAPENTS) << PAGE_SHIFT;
	st->locked_bytes = (u64)mm->locked_vm << PAGE_SHIFT;
	st->pinned_bytes = (u64)atomic64_read(&mm->pinned_vm) << PAGE_SHIFT;
	/* The high-water marks are updated lazily, before they drop. */
	st->hiwater_rss_bytes = (u64)max(rss, mm->hiwater_rss) << PAGE_SHIFT;
	st->hiwater_vm_bytes = (u64)max(mm->total_vm, mm->hiwater_vm) << PAGE_SHIFT;
	st->data_bytes = (u64)mm->data_vm << PAGE_SHIFT;
	st->stack_bytes = (u64)mm->stack_vm << PAGE_SHIFT;
	st->exec_bytes = (u64)mm->exec_vm << PAGE_SHIFT;
}

/* Live threads plus the ones that exited, as /proc/PID/stat counts. */
static void vmctl_stats_faults(struct task_struct *task, struct vmctl_stats *st)
{
	struct signal_struct *sig = task->signal;
	struct task_struct *t;

	rcu_read_lock();
	st->faults_minor = sig->min_flt;
	st->faults_major = sig->maj_flt;
	__for_each_thread(sig, t) {
		st->faults_minor += t->min_flt;
		st->faults_major += t->maj_flt;
	}
	rcu_read_unlock();
}

int vmctl_stats_fill(struct vmctl_target *target, struct vmctl_stats *st)
{
	const size_t out = offsetof(struct vmctl_stats, map_count);
	struct mm_struct *mm = target->mm;
	int ret;

	memset((char *)st + out, 0, sizeof(*st) - out);
	ret = mmap_read_lock_killable(mm);
	if (ret)
		return ret;
	vmctl_stats_walk(mm, st);
	vmctl_stats_counters(mm, st);
	mmap_read_unlock(mm);

	st->max_map_count = vmctl_max_map_count();
	vmctl_stats_faults(target->task, st);
	return 0;
}
