// SPDX-License-Identifier: GPL-2.0
/*
 * Reading VMAs in batches: each batch is taken under one mmap_read_lock
 * into kernel memory, so nothing is copied to userspace (nothing can
 * fault) while the lock is held.
 */

#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/string.h>

#include "compat.h"
#include "vma.h"
#include "vmctl.h"

/*
 * Plain anonymous memory (no file, no vm_ops) that is neither the heap
 * nor the stack is most VMAs of a big process, and its record depends on
 * its vm_flags alone: it has no name, no file fields, and its kind and
 * flags are a function of vm_flags. The walk remembers the last two
 * translations, as mprotect() splitting alternates between two.
 */
struct vmctl_anon_memo {
	vm_flags_t vm_flags;
	u64 flags;
	unsigned int kind;
};

static __always_inline void vmctl_vma_fill_anon(const struct vm_area_struct *vma,
						struct vmctl_vma *rec,
						const struct vmctl_anon_memo *m)
{
	rec->start = vma->vm_start;
	rec->end = vma->vm_end;
	rec->offset = 0;
	rec->inode = 0;
	rec->flags = m->flags;
	rec->dev_major = 0;
	rec->dev_minor = 0;
	rec->kind = m->kind;
	rec->name_off = 0;
	rec->name_len = 0;
	rec->__reserved = 0;
}

/* Where the names of a batch go, and the last file named. */
struct vmctl_names {
	char *buf;
	size_t used, room;
	struct file *prev_file;
	size_t prev_off, prev_len;
};

/*
 * The record and name of any other VMA; out of line, so that the loop
 * over plain anonymous memory keeps its state in registers. Returns 0 or
 * -ENOSPC when the name does not fit.
 */
static noinline int vmctl_vma_fill_named(struct vm_area_struct *vma,
					 struct vmctl_vma *rec,
					 struct vmctl_names *n)
{
	int len;

	vmctl_vma_fill(vma, rec);
	/* Plain anonymous memory is nameless unless heap, stack, guard. */
	if (!n->buf || (!vma->vm_file && !vma->vm_ops &&
			rec->kind == VMCTL_KIND_ANON))
		return 0;
	if (vma->vm_file && vma->vm_file == n->prev_file &&
	    n->room - n->used > n->prev_len) {
		/* The segments of one mapped file: its name again. */
		memcpy(n->buf + n->used, n->buf + n->prev_off, n->prev_len + 1);
		len = n->prev_len;
	} else {
		len = vmctl_vma_name(vma, rec->kind, n->buf + n->used,
				     n->room - n->used);
		if (len <= 0)
			return len;
	}
	if (vma->vm_file) {
		n->prev_file = vma->vm_file;
		n->prev_off = n->used;
		n->prev_len = len;
	}
	rec->name_off = n->used;
	rec->name_len = len;
	n->used += len + 1;
	return 0;
}

/*
 * The loop keeps the batch's counters and the mm's heap and stack bounds
 * in locals: the kernel is built with -fno-strict-aliasing, so every
 * record store would otherwise reload them.
 */
int vmctl_vmas_collect(struct mm_struct *mm, unsigned long addr,
		       struct vmctl_vma_batch *batch)
{
	VMA_ITERATOR(vmi, mm, addr);
	struct vmctl_vma *rec = batch->vmas;
	struct vmctl_vma *last = rec + batch->max_vmas;
	/* Both start out as the (exact) translation of vm_flags 0. */
	struct vmctl_anon_memo m0 = { .kind = VMCTL_KIND_GUARD }, m1 = m0;
	struct vmctl_names names = {
		.buf = batch->names,
		.room = batch->names_size,
	};
	unsigned long start_brk, brk, start_stack;
	struct vm_area_struct *vma;
	bool end = false;
	int ret;

	ret = mmap_read_lock_killable(mm);
	if (ret)
		return ret;
	batch->gen = vmctl_mm_gen(mm);
	batch->map_count = mm->map_count;
	/* What vmctl_vma_is_heap() and vmctl_vma_is_stack() test. */
	start_brk = mm->start_brk;
	brk = mm->brk;
	start_stack = mm->start_stack;

	for (; rec < last; rec++) {
		vma = vma_next(&vmi);
		if (!vma) {
			end = true;
			break;
		}
		if (likely(!vma->vm_file && !vma->vm_ops &&
			   (vma->vm_start > brk || vma->vm_end < start_brk) &&
			   (vma->vm_end < start_stack || vma->vm_start > start_stack))) {
			vm_flags_t vm_flags = vma->vm_flags;

			if (vm_flags == m0.vm_flags) {
				vmctl_vma_fill_anon(vma, rec, &m0);
			} else if (vm_flags == m1.vm_flags) {
				vmctl_vma_fill_anon(vma, rec, &m1);
			} else {
				m1 = m0;
				m0.vm_flags = vm_flags;
				m0.flags = vmctl_vma_flags(vm_flags);
				m0.kind = vmctl_vma_anon_kind(vm_flags);
				vmctl_vma_fill_anon(vma, rec, &m0);
			}
			continue;
		}
		if (vmctl_vma_fill_named(vma, rec, &names))
			break;
	}
	mmap_read_unlock(mm);

	batch->count = rec - batch->vmas;
	batch->names_used = names.used;
	/* Resume after the last VMA taken. */
	batch->next = batch->count ? rec[-1].end : addr;
	batch->end = end;
	return 0;
}
