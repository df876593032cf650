// SPDX-License-Identifier: GPL-2.0
/*
 * The name of a VMA, as /proc/PID/maps shows it. Callers hold the mm's
 * mmap_lock.
 */

#include <linux/dcache.h>
#include <linux/string.h>

#include "compat.h"
#include "vma.h"

static const char *vmctl_vma_special_name(struct vm_area_struct *vma,
					  unsigned int kind)
{
	const char *name = NULL;

	/* The kind already says it for plain anonymous memory. */
	if (!vma->vm_ops && kind != VMCTL_KIND_GUARD)
		return kind == VMCTL_KIND_HEAP ? "[heap]" :
		       kind == VMCTL_KIND_STACK ? "[stack]" : NULL;
	if (vma->vm_ops && vma->vm_ops->name)
		name = vma->vm_ops->name(vma);
	if (!name && vmctl_vma_is_heap(vma))
		name = "[heap]";
	if (!name && vmctl_vma_is_stack(vma))
		name = "[stack]";
	return name;
}

int vmctl_vma_name(struct vm_area_struct *vma, unsigned int kind, char *buf,
		   size_t size)
{
	const char *name;
	size_t len;

	if (vma->vm_file) {
		/* d_path() builds the name backwards from the buffer's end. */
		name = d_path(vmctl_file_user_path(vma->vm_file), buf, size);
		if (IS_ERR(name))
			return -ENOSPC;
		len = buf + size - 1 - name;
		memmove(buf, name, len + 1);
		return len;
	}

	name = vmctl_vma_special_name(vma, kind);
	if (!name)
		return 0;
	len = strlen(name);
	if (len >= size)
		return -ENOSPC;
	memcpy(buf, name, len + 1);
	return len;
}
