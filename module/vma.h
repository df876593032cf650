/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What vmctl says about one VMA: its kind, its flags and its record, with
 * the rules of /proc/PID/maps. Callers hold the mm's mmap_lock (or, for
 * faults, the VMA's lock). Inline: the walks that use these visit every
 * VMA of processes with tens of thousands of them.
 */
#ifndef _VMCTL_VMA_H
#define _VMCTL_VMA_H

#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/magic.h>
#include <linux/mm.h>

#include "compat.h"
#include "vmctl.h"

extern const struct vm_operations_struct vmctl_resv_vm_ops;

/* A vmctl reservation (resv.c). */
static inline bool vmctl_vma_is_resv(const struct vm_area_struct *vma)
{
	return vma->vm_ops == &vmctl_resv_vm_ops;
}

static inline bool vmctl_vma_is_heap(const struct vm_area_struct *vma)
{
	return vma->vm_start <= vma->vm_mm->brk &&
	       vma->vm_end >= vma->vm_mm->start_brk;
}

static inline bool vmctl_vma_is_stack(const struct vm_area_struct *vma)
{
	return vma->vm_start <= vma->vm_mm->start_stack &&
	       vma->vm_end >= vma->vm_mm->start_stack;
}

static inline bool vmctl_vma_is_shmem(const struct vm_area_struct *vma)
{
	/* tmpfs, memfd, shared anonymous and SysV shm all live on shmem. */
	return vma->vm_file &&
	       file_inode(vma->vm_file)->i_sb->s_magic == TMPFS_MAGIC;
}

static inline unsigned int vmctl_vma_kind(const struct vm_area_struct *vma)
{
	vm_flags_t flags = vma->vm_flags;

	/* Plain anonymous memory first: most VMAs of a big process. */
	if (!vma->vm_file && !vma->vm_ops) {
		if (flags & (VM_IO | VM_PFNMAP | VM_MIXEDMAP))
			return VMCTL_KIND_SPECIAL;
		if (!(flags & (VM_READ | VM_WRITE | VM_EXEC)))
			return VMCTL_KIND_GUARD;
		if (vmctl_vma_is_stack(vma))
			return VMCTL_KIND_STACK;
		if (vmctl_vma_is_heap(vma))
			return VMCTL_KIND_HEAP;
		return VMCTL_KIND_ANON;
	}

	if (vmctl_vma_is_resv(vma))
		return VMCTL_KIND_RESERVED;
	if (is_vm_hugetlb_page((struct vm_area_struct *)vma))
		return VMCTL_KIND_HUGETLB;
	if ((flags & (VM_IO | VM_PFNMAP | VM_MIXEDMAP)) ||
	    (!vma->vm_file && vma->vm_ops->name))
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

/*
 * vmctl_vma_kind() of plain anonymous memory (no file, no vm_ops) that is
 * neither the heap nor the stack: its flags alone decide.
 */
static inline unsigned int vmctl_vma_anon_kind(vm_flags_t flags)
{
	if (flags & (VM_IO | VM_PFNMAP | VM_MIXEDMAP))
		return VMCTL_KIND_SPECIAL;
	if (!(flags & (VM_READ | VM_WRITE | VM_EXEC)))
		return VMCTL_KIND_GUARD;
	return VMCTL_KIND_ANON;
}

/* Named VMCTL_VMA_* bits equal to their VM_* bits need no translation. */
static_assert(VMCTL_VMA_READ == VM_READ && VMCTL_VMA_WRITE == VM_WRITE &&
	      VMCTL_VMA_EXEC == VM_EXEC);

static inline u64 vmctl_vma_flags(vm_flags_t flags)
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

static inline void vmctl_vma_fill(struct vm_area_struct *vma, struct vmctl_vma *rec)
{
	const struct inode *inode;

	rec->start = vma->vm_start;
	rec->end = vma->vm_end;
	rec->flags = vmctl_vma_flags(vma->vm_flags);
	rec->kind = vmctl_vma_kind(vma);
	rec->name_off = 0;
	rec->name_len = 0;
	rec->__reserved = 0;
	if (!vma->vm_file) {
		rec->offset = 0;
		rec->inode = 0;
		rec->dev_major = 0;
		rec->dev_minor = 0;
		return;
	}
	inode = vmctl_file_user_inode(vma->vm_file);
	rec->dev_major = MAJOR(inode->i_sb->s_dev);
	rec->dev_minor = MINOR(inode->i_sb->s_dev);
	rec->inode = inode->i_ino;
	rec->offset = (u64)vma->vm_pgoff << PAGE_SHIFT;
}

/* Writes the name with its NUL; returns its length, 0, or -ENOSPC. */
int vmctl_vma_name(struct vm_area_struct *vma, unsigned int kind, char *buf,
		   size_t size);

#endif /* _VMCTL_VMA_H */
