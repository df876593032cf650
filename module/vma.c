// SPDX-License-Identifier: GPL-2.0
/*
 * What vmctl says about one VMA: its kind, its flags and its name, with
 * the same rules as /proc/PID/maps. Callers hold the mm's mmap_lock.
 */

#include <linux/dcache.h>
#include <linux/hugetlb.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/string.h>

#include "compat.h"
#include "vmctl.h"

static bool vmctl_vma_is_heap(const struct vm_area_struct *vma)
{
	return vma->vm_start <= vma->vm_mm->brk &&
	       vma->vm_end >= vma->vm_mm->start_brk;
}

static bool vmctl_vma_is_stack(const struct vm_area_struct *vma)
{
	return vma->vm_start <= vma->vm_mm->start_stack &&
	       vma->vm_end >= vma->vm_mm->start_stack;
}

static bool vmctl_vma_is_shmem(const struct vm_area_struct *vma)
{
	/* tmpfs, memfd, shared anonymous and SysV shm all live on shmem. */
	return vma->vm_file &&
	       file_inode(vma->vm_file)->i_sb->s_magic == TMPFS_MAGIC;
}

unsigned int vmctl_vma_kind(const struct vm_area_struct *vma)
{
	vm_flags_t flags = vma->vm_flags;

	if (vmctl_vma_is_resv(vma))
		return VMCTL_KIND_RESERVED;
	if (is_vm_hugetlb_page((struct vm_area_struct *)vma))
		return VMCTL_KIND_HUGETLB;
	if ((flags & (VM_IO | VM_PFNMAP | VM_MIXEDMAP)) ||
	    (!vma->vm_file && vma->vm_ops && vma->vm_ops->name))
		return VMCTL_KIND_SPECIAL;
	if (!(flags & (VM_READ | VM_WRITE | VM_EXEC)))
		return VMCTL_KIND_GUARD;
	if (!vma->vm_file && vmctl_vma_is_stack(vma))
		return VMCTL_KIND_STACK;
	if (!vma->vm_file && vmctl_vma_is_heap(vma))
		return VMCTL_KIND_HEAP;
	if (vmctl_vma_is_shmem(vma))
		return VMCTL_KIND_SHMEM;
	if (vma->vm_file)
		return VMCTL_KIND_FILE;
	return VMCTL_KIND_ANON;
}

/* Named VMCTL_VMA_* bits equal to their VM_* bits need no translation. */
static_assert(VMCTL_VMA_READ == VM_READ && VMCTL_VMA_WRITE == VM_WRITE &&
	      VMCTL_VMA_EXEC == VM_EXEC);

u64 vmctl_vma_flags(vm_flags_t flags)
{
	u64 out = flags & (VM_READ | VM_WRITE | VM_EXEC);

	if (!(flags & ~(VM_READ | VM_WRITE | VM_EXEC | VM_MAYREAD |
			VM_MAYWRITE | VM_MAYEXEC | VM_ACCOUNT | VM_SOFTDIRTY)))
		return out | (flags & VM_ACCOUNT ? VMCTL_VMA_ACCOUNT : 0);

	out |= flags & VM_MAYSHARE ? VMCTL_VMA_SHARED : 0;
	out |= flags & VM_LOCKED ? VMCTL_VMA_LOCKED : 0;
	out |= flags & VM_ACCOUNT ? VMCTL_VMA_ACCOUNT : 0;
	out |= flags & VM_GROWSDOWN ? VMCTL_VMA_GROWSDOWN : 0;
	out |= flags & VM_IO ? VMCTL_VMA_IO : 0;
	out |= flags & VM_PFNMAP ? VMCTL_VMA_PFNMAP : 0;
	out |= flags & VM_DONTCOPY ? VMCTL_VMA_DONTFORK : 0;
	out |= flags & VM_DONTDUMP ? VMCTL_VMA_DONTDUMP : 0;
	out |= flags & VM_HUGEPAGE ? VMCTL_VMA_HUGEPAGE : 0;
	out |= flags & VM_NOHUGEPAGE ? VMCTL_VMA_NOHUGEPAGE : 0;
	out |= flags & VM_WIPEONFORK ? VMCTL_VMA_WIPEONFORK : 0;
	out |= flags & VM_NORESERVE ? VMCTL_VMA_NORESERVE : 0;
	return out;
}

void vmctl_vma_fill(struct vm_area_struct *vma, struct vmctl_vma *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->start = vma->vm_start;
	rec->end = vma->vm_end;
	rec->flags = vmctl_vma_flags(vma->vm_flags);
	rec->kind = vmctl_vma_kind(vma);
	if (vma->vm_file) {
		const struct inode *inode = vmctl_file_user_inode(vma->vm_file);

		rec->dev_major = MAJOR(inode->i_sb->s_dev);
		rec->dev_minor = MINOR(inode->i_sb->s_dev);
		rec->inode = inode->i_ino;
		rec->offset = (u64)vma->vm_pgoff << PAGE_SHIFT;
	}
}

static const char *vmctl_vma_special_name(struct vm_area_struct *vma)
{
	const char *name = NULL;

	if (vma->vm_ops && vma->vm_ops->name)
		name = vma->vm_ops->name(vma);
	if (!name && vmctl_vma_is_heap(vma))
		name = "[heap]";
	if (!name && vmctl_vma_is_stack(vma))
		name = "[stack]";
	return name;
}

int vmctl_vma_name(struct vm_area_struct *vma, char *buf, size_t size)
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

	name = vmctl_vma_special_name(vma);
	if (!name)
		return 0;
	len = strlen(name);
	if (len >= size)
		return -ENOSPC;
	memcpy(buf, name, len + 1);
	return len;
}
