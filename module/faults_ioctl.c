// SPDX-License-Identifier: GPL-2.0
/*
 * Fault accounting ioctls: VMCTL_IOC_TRACK, VMCTL_IOC_UNTRACK,
 * VMCTL_IOC_GET_FAULTS and VMCTL_IOC_GET_FAULT_VMAS.
 */

#include <linux/slab.h>
#include <linux/uaccess.h>

#include "faults.h"
#include "vmctl.h"

#define VMCTL_TRACK_SIZE_VER0		offsetofend(struct vmctl_track, __reserved)
#define VMCTL_FAULTS_SIZE_VER0		offsetofend(struct vmctl_faults, counts)
#define VMCTL_FAULT_VMAS_SIZE_VER0	offsetofend(struct vmctl_fault_vmas, total)
#define VMCTL_FAULT_VMA_SIZE_VER0	sizeof(struct vmctl_fault_vma)

long vmctl_ioctl_track(struct vmctl_track __user *uargs, bool track)
{
	struct vmctl_track args;
	int ret;

	ret = vmctl_copy_args_from_user(&args, sizeof(args),
					VMCTL_TRACK_SIZE_VER0, uargs);
	if (ret)
		return ret;
	if ((args.flags & ~VMCTL_TRACK_SYSTEM) || args.__reserved)
		return -EINVAL;
	return track ? vmctl_faults_track(args.pid, args.flags) :
		       vmctl_faults_untrack(args.pid, args.flags);
}

long vmctl_ioctl_get_faults(struct vmctl_faults __user *uargs)
{
	struct vmctl_fproc *p;
	struct vmctl_faults f;
	int ret = 0;

	ret = vmctl_copy_args_from_user(&f, sizeof(f), VMCTL_FAULTS_SIZE_VER0,
					uargs);
	if (ret)
		return ret;
	if (f.flags & ~VMCTL_FAULTS_THREAD)
		return -EINVAL;
	if ((f.flags & VMCTL_FAULTS_THREAD) && f.pid)
		return -EINVAL;

	vmctl_faults_lock();
	p = vmctl_faults_find_locked(f.pid);
	if (IS_ERR(p))
		ret = PTR_ERR(p);
	else if (f.flags & VMCTL_FAULTS_THREAD)
		ret = vmctl_fproc_read_thread_locked(p, &f);
	else
		vmctl_fproc_read_locked(p, &f);
	vmctl_faults_unlock();
	if (ret)
		return ret;
	return vmctl_copy_args_to_user(uargs, &f, sizeof(f));
}

/*
 * The table is read into kernel buffers under the faults mutex and copied
 * out after it is dropped: a caller's buffer that faults slowly (say, on
 * userfaultfd) must not hold up every other user of fault accounting.
 */
long vmctl_ioctl_get_fault_vmas(struct vmctl_fault_vmas __user *uargs)
{
	size_t rec_size, names_room = 0;
	struct vmctl_fault_vma *recs;
	struct vmctl_fault_vmas args;
	u32 written = 0, used = 0;
	char *name, *names = NULL;
	struct vmctl_fproc *p;
	unsigned int n, i;
	int ret;

	ret = vmctl_copy_args_from_user(&args, sizeof(args),
					VMCTL_FAULT_VMAS_SIZE_VER0, uargs);
	if (ret)
		return ret;
	if (args.flags || args.__reserved)
		return -EINVAL;
	if (args.vma_size < VMCTL_FAULT_VMA_SIZE_VER0 ||
	    args.vma_size > PAGE_SIZE || !IS_ALIGNED(args.vma_size, 8))
		return -EINVAL;
	if (!args.names_addr && args.names_size)
		return -EINVAL;
	rec_size = min_t(size_t, args.vma_size, sizeof(*recs));

	recs = kcalloc(VMCTL_FAULT_VMAS_MAX + 1, sizeof(*recs), GFP_KERNEL);
	name = kmalloc(PATH_MAX, GFP_KERNEL);
	if (args.names_addr)
		names_room = min_t(size_t, args.names_size,
				   (VMCTL_FAULT_VMAS_MAX + 1) * PATH_MAX);
	if (names_room)
		names = kvmalloc(names_room, GFP_KERNEL);
	if (!recs || !name || (names_room && !names)) {
		ret = -ENOMEM;
		goto out_free;
	}

	vmctl_faults_lock();
	p = vmctl_faults_find_locked(args.pid);
	if (IS_ERR(p)) {
		vmctl_faults_unlock();
		ret = PTR_ERR(p);
		goto out_free;
	}
	n = vmctl_fproc_vmas_locked(p, recs);
	for (i = 0; i < n && written < args.vma_count; i++) {
		int len = 0;

		if (!(recs[i].flags & VMCTL_FAULT_VMA_OTHER) && args.names_addr)
			len = vmctl_fproc_vma_name_locked(p, i, name, PATH_MAX);
		if (len > 0 && used + len + 1 <= names_room) {
			memcpy(names + used, name, len + 1);
			recs[i].name_off = used;
			recs[i].name_len = len;
			used += len + 1;
		} else if (len > 0) {
			break;	/* the names buffer is full */
		}
		written++;
	}
	vmctl_faults_unlock();

	for (i = 0; i < written; i++) {
		u64 uaddr = args.vmas_addr + (u64)i * args.vma_size;

		if (copy_to_user(u64_to_user_ptr(uaddr), &recs[i], rec_size)) {
			ret = -EFAULT;
			goto out_free;
		}
	}
	if (used && copy_to_user(u64_to_user_ptr(args.names_addr), names, used)) {
		ret = -EFAULT;
		goto out_free;
	}
	args.vma_count = written;
	args.names_size = used;
	args.total = n;
	ret = vmctl_copy_args_to_user(uargs, &args, sizeof(args));
out_free:
	kvfree(names);
	kfree(name);
	kfree(recs);
	return ret;
}
