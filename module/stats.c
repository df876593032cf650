// SPDX-License-Identifier: GPL-2.0
/*
 * Per-process address-space statistics: one pass over the VMAs under
 * mmap_read_lock plus the counters the mm and the threads keep. No page
 * table is walked, so the cost is linear in the number of VMAs.
 *
 * What the walk finds depends only on the VMA layout, which changes only
 * under mmap_lock held for writing. Where the mm counts its write-lock
 * sections (CONFIG_PER_VMA_LOCK on 6.12) the walk's results are cached
 * per address-space generation, so asking again about an address space
 * that did not change costs no walk: a monitor polling a process with
 * 65 000 VMAs pays for one walk per change, not per poll.
 */

#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>

#include "compat.h"
#include "vma.h"
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

#ifdef VMCTL_MM_GEN_EXACT

/* A few processes polled at once is the expected use. */
#define VMCTL_STATS_CACHE_SIZE	16

/* The walk's part of struct vmctl_stats. */
struct vmctl_walk {
	u64 committed_bytes;
	u64 split_pairs;
	u64 gap_count;
	u64 largest_gap_bytes;
	struct vmctl_kind_stat kinds[VMCTL_KINDS_MAX];
};

/*
 * Slots hold mmgrab() on their mm so a freed mm's address cannot be
 * mistaken for a new one; vmctl_stats_cache_lock protects them all.
 */
static struct vmctl_stats_slot {
	struct mm_struct *mm;
	u64 gen;
	u64 used;
	struct vmctl_walk walk;
} vmctl_stats_cache[VMCTL_STATS_CACHE_SIZE];
static DEFINE_MUTEX(vmctl_stats_cache_lock);
static u64 vmctl_stats_clock;

static void vmctl_walk_get(struct vmctl_stats *st, struct vmctl_walk *w)
{
	w->committed_bytes = st->committed_bytes;
	w->split_pairs = st->split_pairs;
	w->gap_count = st->gap_count;
	w->largest_gap_bytes = st->largest_gap_bytes;
	memcpy(w->kinds, st->kinds, sizeof(w->kinds));
}

static void vmctl_walk_put(struct vmctl_stats *st, const struct vmctl_walk *w)
{
	st->committed_bytes = w->committed_bytes;
	st->split_pairs = w->split_pairs;
	st->gap_count = w->gap_count;
	st->largest_gap_bytes = w->largest_gap_bytes;
	memcpy(st->kinds, w->kinds, sizeof(w->kinds));
}

/* Caller holds mmap_read_lock, so @gen is stable. */
static bool vmctl_stats_cached(struct mm_struct *mm, u64 gen,
			       struct vmctl_stats *st)
{
	bool hit = false;
	int i;

	mutex_lock(&vmctl_stats_cache_lock);
	for (i = 0; i < VMCTL_STATS_CACHE_SIZE; i++) {
		struct vmctl_stats_slot *slot = &vmctl_stats_cache[i];

		if (slot->mm == mm && slot->gen == gen) {
			vmctl_walk_put(st, &slot->walk);
			slot->used = ++vmctl_stats_clock;
			hit = true;
			break;
		}
	}
	mutex_unlock(&vmctl_stats_cache_lock);
	return hit;
}

static void vmctl_stats_remember(struct mm_struct *mm, u64 gen,
				 struct vmctl_stats *st)
{
	struct vmctl_stats_slot *slot = &vmctl_stats_cache[0];
	struct mm_struct *old;
	int i;

	mutex_lock(&vmctl_stats_cache_lock);
	for (i = 0; i < VMCTL_STATS_CACHE_SIZE; i++) {
		if (vmctl_stats_cache[i].mm == mm) {
			slot = &vmctl_stats_cache[i];
			break;
		}
		if (vmctl_stats_cache[i].used < slot->used)
			slot = &vmctl_stats_cache[i];
	}
	old = slot->mm;
	if (old != mm)
		mmgrab(mm);
	slot->mm = mm;
	slot->gen = gen;
	slot->used = ++vmctl_stats_clock;
	vmctl_walk_get(st, &slot->walk);
	mutex_unlock(&vmctl_stats_cache_lock);
	if (old && old != mm)
		mmdrop(old);
}

void vmctl_stats_exit(void)
{
	int i;

	for (i = 0; i < VMCTL_STATS_CACHE_SIZE; i++)
		if (vmctl_stats_cache[i].mm)
			mmdrop(vmctl_stats_cache[i].mm);
}

#else

static bool vmctl_stats_cached(struct mm_struct *mm, u64 gen,
			       struct vmctl_stats *st)
{
	return false;
}

static void vmctl_stats_remember(struct mm_struct *mm, u64 gen,
				 struct vmctl_stats *st)
{
}

void vmctl_stats_exit(void)
{
}

#endif /* VMCTL_MM_GEN_EXACT */

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

	u64 gen;

	memset((char *)st + out, 0, sizeof(*st) - out);
	ret = mmap_read_lock_killable(mm);
	if (ret)
		return ret;
	gen = vmctl_mm_gen(mm);
	if (!vmctl_stats_cached(mm, gen, st)) {
		vmctl_stats_walk(mm, st);
		vmctl_stats_remember(mm, gen, st);
	}
	vmctl_stats_counters(mm, st);
	mmap_read_unlock(mm);

	st->max_map_count = vmctl_max_map_count();
	vmctl_stats_faults(target->task, st);
	return 0;
}
