// SPDX-License-Identifier: GPL-2.0
/*
 * VMCTL_IOC_GET_STATS and VMCTL_IOC_GET_VMAS.
 */

#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vmctl.h"

/* One batch of GET_VMAS: records and names read under one lock hold. */
#define VMCTL_VMAS_BATCH	1024
#define VMCTL_NAMES_BATCH	(16 * PATH_MAX)

/* The first versions of the arguments: the smallest sizes accepted. */
#define VMCTL_STATS_SIZE_VER0	offsetofend(struct vmctl_stats, kinds)
#define VMCTL_VMAS_SIZE_VER0	offsetofend(struct vmctl_vmas, map_count)
#define VMCTL_VMA_SIZE_VER0	sizeof(struct vmctl_vma)

long vmctl_ioctl_get_stats(struct vmctl_stats __user *uargs)
{
	struct vmctl_target target;
	struct vmctl_stats st;
	int ret;

	ret = vmctl_copy_args_from_user(&st, sizeof(st), VMCTL_STATS_SIZE_VER0,
					uargs);
	if (ret)
		return ret;
	if (st.flags || st.__reserved)
		return -EINVAL;

	ret = vmctl_target_get(st.pid, &target);
	if (ret)
		return ret;
	ret = vmctl_stats_fill(&target, &st);
	vmctl_target_put(&target);
	if (ret)
		return ret;

	return vmctl_copy_args_to_user(uargs, &st, sizeof(st));
}

static int vmctl_vmas_check(const struct vmctl_vmas *args)
{
	if (args->flags || args->__reserved)
		return -EINVAL;
	if (args->vma_size < VMCTL_VMA_SIZE_VER0 || args->vma_size > PAGE_SIZE ||
	    !IS_ALIGNED(args->vma_size, 8))
		return -EINVAL;
	if (!args->names_addr && args->names_size)
		return -EINVAL;
	return 0;
}

/* Copies one batch out; returns 0 or -EFAULT. */
static int vmctl_vmas_copy_out(const struct vmctl_vmas *args,
			       const struct vmctl_vma_batch *batch,
			       u32 written, u32 names_used)
{
	size_t rec_size = min_t(size_t, args->vma_size, sizeof(struct vmctl_vma));
	u64 uvmas = args->vmas_addr + (u64)written * args->vma_size;
	unsigned int i;

	for (i = 0; i < batch->count; i++)
		if (batch->vmas[i].name_len)
			batch->vmas[i].name_off += names_used;

	/* The common case, the caller's record is the kernel's: one copy. */
	if (args->vma_size == sizeof(struct vmctl_vma)) {
		if (copy_to_user(u64_to_user_ptr(uvmas), batch->vmas,
				 batch->count * sizeof(struct vmctl_vma)))
			return -EFAULT;
	} else {
		for (i = 0; i < batch->count; i++) {
			if (copy_to_user(u64_to_user_ptr(uvmas), &batch->vmas[i],
					 rec_size))
				return -EFAULT;
			uvmas += args->vma_size;
		}
	}
	if (batch->names_used &&
	    copy_to_user(u64_to_user_ptr(args->names_addr + names_used),
			 batch->names, batch->names_used))
		return -EFAULT;
	return 0;
}

static int vmctl_vmas_list(struct mm_struct *mm, struct vmctl_vmas *args,
			   struct vmctl_vma_batch *batch)
{
	u32 written = 0, names_used = 0;
	unsigned long addr = args->addr;
	bool first = true;
	int ret;

	args->out_flags = 0;
	for (;;) {
		u32 room = args->names_size - names_used;

		batch->max_vmas = min_t(u32, VMCTL_VMAS_BATCH,
					args->vma_count - written);
		batch->names_size = min_t(u32, VMCTL_NAMES_BATCH, room);
		ret = vmctl_vmas_collect(mm, addr, batch);
		if (ret)
			return ret;
		if (first)
			args->map_count = batch->map_count;
		first = false;

		ret = vmctl_vmas_copy_out(args, batch, written, names_used);
		if (ret)
			return ret;
		written += batch->count;
		names_used += batch->names_used;
		addr = batch->next;

		if (batch->end) {
			args->out_flags |= VMCTL_VMAS_END;
			break;
		}
		/* Out of records, or a name did not fit the caller's buffer. */
		if (written == args->vma_count ||
		    (batch->count < batch->max_vmas && room <= VMCTL_NAMES_BATCH))
			break;
	}

	if (!written && args->vma_count && !(args->out_flags & VMCTL_VMAS_END))
		return -ENOSPC;
	args->vma_count = written;
	args->names_size = names_used;
	args->next_addr = addr;
	return 0;
}

long vmctl_ioctl_get_vmas(struct vmctl_vmas __user *uargs)
{
	struct vmctl_vma_batch batch = {};
	struct vmctl_target target;
	struct vmctl_vmas args;
	int ret;

	ret = vmctl_copy_args_from_user(&args, sizeof(args),
					VMCTL_VMAS_SIZE_VER0, uargs);
	if (ret)
		return ret;
	ret = vmctl_vmas_check(&args);
	if (ret)
		return ret;

	batch.vmas = kvmalloc_array(VMCTL_VMAS_BATCH, sizeof(*batch.vmas),
				    GFP_KERNEL);
	if (args.names_size)
		batch.names = kvmalloc(VMCTL_NAMES_BATCH, GFP_KERNEL);
	if (!batch.vmas || (args.names_size && !batch.names)) {
		ret = -ENOMEM;
		goto out_free;
	}

	ret = vmctl_target_get(args.pid, &target);
	if (ret)
		goto out_free;
	ret = vmctl_vmas_list(target.mm, &args, &batch);
	vmctl_target_put(&target);
	if (!ret)
		ret = vmctl_copy_args_to_user(uargs, &args, sizeof(args));

out_free:
	kvfree(batch.names);
	kvfree(batch.vmas);
	return ret;
}
