// SPDX-License-Identifier: GPL-2.0
/*
 * Reading VMAs in batches: each batch is taken under one mmap_read_lock
 * into kernel memory, so nothing is copied to userspace (nothing can
 * fault) while the lock is held.
 */

#include <linux/mm.h>
#include <linux/mmap_lock.h>

#include "compat.h"
#include "vma.h"
#include "vmctl.h"

/*
 * The loop keeps the batch's counters in locals: the kernel is built with
 * -fno-strict-aliasing, so every record store would otherwise reload them.
 */
int vmctl_vmas_collect(struct mm_struct *mm, unsigned long addr,
		       struct vmctl_vma_batch *batch)
{
	VMA_ITERATOR(vmi, mm, addr);
	struct vmctl_vma *rec = batch->vmas;
	struct vmctl_vma *last = rec + batch->max_vmas;
	size_t used = 0, room = batch->names_size;
	char *names = batch->names;
	struct vm_area_struct *vma;
	unsigned long next = addr;
	bool end = false;
	int ret;

	ret = mmap_read_lock_killable(mm);
	if (ret)
		return ret;
	batch->gen = vmctl_mm_gen(mm);
	batch->map_count = mm->map_count;

	for (; rec < last; rec++) {
		int len;

		vma = vma_next(&vmi);
		if (!vma) {
			end = true;
			break;
		}
		vmctl_vma_fill(vma, rec);
		/* Plain anonymous memory is nameless unless heap, stack, guard. */
		if (names && (vma->vm_file || vma->vm_ops ||
			      rec->kind != VMCTL_KIND_ANON)) {
			len = vmctl_vma_name(vma, rec->kind, names + used,
					     room - used);
			if (len < 0)
				break;
			if (len > 0) {
				rec->name_off = used;
				rec->name_len = len;
				used += len + 1;
			}
		}
		next = vma->vm_end;
	}
	mmap_read_unlock(mm);

	batch->count = rec - batch->vmas;
	batch->names_used = used;
	batch->next = next;
	batch->end = end;
	return 0;
}
