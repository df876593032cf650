// SPDX-License-Identifier: GPL-2.0
/*
 * Reading VMAs in batches: each batch is taken under one mmap_read_lock
 * into kernel memory, so nothing is copied to userspace (nothing can
 * fault) while the lock is held.
 */

#include <linux/mm.h>
#include <linux/mmap_lock.h>

#include "compat.h"
#include "vmctl.h"

int vmctl_vmas_collect(struct mm_struct *mm, unsigned long addr,
		       struct vmctl_vma_batch *batch)
{
	VMA_ITERATOR(vmi, mm, addr);
	struct vm_area_struct *vma;
	int ret;

	batch->count = 0;
	batch->names_used = 0;
	batch->next = addr;
	batch->end = false;

	ret = mmap_read_lock_killable(mm);
	if (ret)
		return ret;
	batch->gen = vmctl_mm_gen(mm);
	batch->map_count = mm->map_count;

	for (;;) {
		struct vmctl_vma *rec = &batch->vmas[batch->count];
		int len;

		if (batch->count == batch->max_vmas)
			break;
		vma = vma_next(&vmi);
		if (!vma) {
			batch->end = true;
			break;
		}
		vmctl_vma_fill(vma, rec);
		if (batch->names) {
			len = vmctl_vma_name(vma, batch->names + batch->names_used,
					     batch->names_size - batch->names_used);
			if (len < 0)
				break;
			if (len > 0) {
				rec->name_off = batch->names_used;
				rec->name_len = len;
				batch->names_used += len + 1;
			}
		}
		batch->count++;
		batch->next = vma->vm_end;
	}

	mmap_read_unlock(mm);
	return 0;
}
