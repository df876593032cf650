// SPDX-License-Identifier: GPL-2.0
/*
 * Reservations: mmap() of /dev/vmctl reserves address space; commit,
 * decommit, reset and release (ioctl_resv.c) change what is behind it.
 *
 * A reservation is one shared VMA over a private shmem file created with
 * VM_NORESERVE. Its pages are the file's pages, and a page is committed
 * exactly when the file has it (in RAM or in swap):
 *
 * - commit is fallocate() on the file. shmem charges every page it adds
 *   to Committed_AS (VM_NORESERVE files are charged per page, through
 *   security_vm_enough_memory_mm(), which applies vm.overcommit_memory),
 *   and undoes the whole call when one page cannot be charged;
 * - decommit is a hole punch: shmem unmaps the range from every VMA,
 *   frees the pages and uncharges them;
 * - a fault on a page the file does not have is refused with SIGSEGV
 *   instead of letting shmem allocate it.
 *
 * So the commit state needs no memory of its own, a 64 TiB reservation
 * costs one VMA and one inode, and the reservation stays one VMA (split
 * only by what the caller does to it, such as mprotect()) whatever is
 * committed. Commit and decommit never take mmap_lock for writing.
 */

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/falloc.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>

#include "compat.h"
#include "resv.h"
#include "vma.h"
#include "vmctl.h"

/*
 * Backing inodes get a lock class of their own: they are only written
 * under resv->lock, which faults take under mmap_lock, while writes to
 * other shmem files take mmap_lock under their i_rwsem.
 */
static struct lock_class_key vmctl_backing_rwsem_key;

unsigned long vmctl_resv_committed(struct vmctl_resv *resv)
{
	return READ_ONCE(SHMEM_I(file_inode(resv->file))->alloced);
}

unsigned long vmctl_resv_resident(struct vmctl_resv *resv)
{
	struct shmem_inode_info *info = SHMEM_I(file_inode(resv->file));

	return READ_ONCE(info->alloced) - READ_ONCE(info->swapped);
}

static void vmctl_resv_free_rcu(struct rcu_head *rcu)
{
	kfree(container_of(rcu, struct vmctl_resv, rcu));
	/*
	 * Dropped here, not in vm_ops->close(): module exit waits for this
	 * callback with rcu_barrier(), so no CPU is still running the
	 * module's vm_ops when it goes away.
	 */
	module_put(THIS_MODULE);
}

static void vmctl_resv_release(struct kref *ref)
{
	struct vmctl_resv *resv = container_of(ref, struct vmctl_resv, ref);

	vmctl_acct_uncharge(resv->acct, vmctl_resv_committed(resv));
	vmctl_acct_put(resv->acct);
	/* The last fput() frees the pages and their commit charge. */
	fput(resv->file);
	call_rcu(&resv->rcu, vmctl_resv_free_rcu);
}

void vmctl_resv_put(struct vmctl_resv *resv)
{
	kref_put(&resv->ref, vmctl_resv_release);
}

/* A VMA split by mprotect() or a partial munmap() is one more user. */
static void vmctl_resv_vm_open(struct vm_area_struct *vma)
{
	struct vmctl_resv *resv = vma->vm_private_data;

	kref_get(&resv->ref);
}

int vmctl_resv_decommit(struct vmctl_resv *resv, pgoff_t index,
			unsigned long pages)
{
	unsigned long before;
	int ret;

	down_write(&resv->lock);
	before = vmctl_resv_committed(resv);
	ret = vfs_fallocate(resv->file, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			    (loff_t)index << PAGE_SHIFT,
			    (loff_t)pages << PAGE_SHIFT);
	vmctl_acct_uncharge(resv->acct, before - vmctl_resv_committed(resv));
	up_write(&resv->lock);
	return ret;
}

/*
 * munmap() of a piece (or exit): unless the whole reservation goes with
 * it, the piece's pages can never be reached again, so they are
 * decommitted now rather than kept charged until the release. Called
 * under mmap_lock held for writing; resv->lock nests inside it, as in
 * faults.
 */
static void vmctl_resv_vm_close(struct vm_area_struct *vma)
{
	struct vmctl_resv *resv = vma->vm_private_data;

	if (resv->mremap_aliases)
		resv->mremap_aliases--;
	else if (kref_read(&resv->ref) > 1)
		vmctl_resv_decommit(resv, vma->vm_pgoff, vma_pages(vma));
	vmctl_resv_put(resv);
}

/*
 * A reservation never moves: its address is its identity. mremap() calls
 * this on the copy it made of the VMA, then unmaps that copy: its close
 * must not decommit the pages, which the original still maps.
 */
static int vmctl_resv_vm_mremap(struct vm_area_struct *vma)
{
	struct vmctl_resv *resv = vma->vm_private_data;

	resv->mremap_aliases++;
	return -EINVAL;
}

static vm_fault_t vmctl_resv_vm_fault(struct vm_fault *vmf)
{
	struct vmctl_resv *resv = vmf->vma->vm_private_data;
	struct address_space *mapping = resv->file->f_mapping;
	vm_fault_t ret;

	down_read(&resv->lock);
	if (xa_load(&mapping->i_pages, vmf->pgoff))
		ret = resv->fault(vmf);
	else
		ret = VM_FAULT_SIGSEGV;
	up_read(&resv->lock);
	return ret;
}

/* Fault-around maps only pages the file has, so only committed ones. */
const struct vm_operations_struct vmctl_resv_vm_ops = {
	.open		= vmctl_resv_vm_open,
	.close		= vmctl_resv_vm_close,
	.mremap		= vmctl_resv_vm_mremap,
	.fault		= vmctl_resv_vm_fault,
	.map_pages	= filemap_map_pages,
};

int vmctl_resv_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long size = vma->vm_end - vma->vm_start;
	struct vmctl_resv *resv;
	struct file *backing;
	int ret;

	if (!(vma->vm_flags & VM_SHARED) || vma->vm_pgoff)
		return -EINVAL;

	resv = kzalloc(sizeof(*resv), GFP_KERNEL_ACCOUNT);
	if (!resv)
		return -ENOMEM;
	resv->acct = vmctl_acct_get(vma->vm_mm);
	if (!resv->acct) {
		ret = -ENOMEM;
		goto err_free;
	}
	backing = shmem_file_setup("vmctl-reservation", size, VM_NORESERVE);
	if (IS_ERR(backing)) {
		ret = PTR_ERR(backing);
		goto err_acct;
	}
	lockdep_set_class(&file_inode(backing)->i_rwsem,
			  &vmctl_backing_rwsem_key);

	/* shmem_mmap() names the fault handler the reservation wraps. */
	ret = backing->f_op->mmap(backing, vma);
	if (ret)
		goto err_backing;
	resv->fault = vma->vm_ops->fault;

	kref_init(&resv->ref);
	init_rwsem(&resv->lock);
	resv->file = backing;
	resv->start = vma->vm_start;
	resv->size = size;
	__module_get(THIS_MODULE);

	vma_set_file(vma, backing);
	vma->vm_ops = &vmctl_resv_vm_ops;
	vma->vm_private_data = resv;
	/* Not inherited by fork(); VM_DONTEXPAND also keeps it unmerged. */
	vmctl_vm_flags_set(vma, VM_DONTCOPY | VM_DONTEXPAND);
	return 0;

err_backing:
	fput(backing);
err_acct:
	vmctl_acct_put(resv->acct);
err_free:
	kfree(resv);
	return ret;
}
