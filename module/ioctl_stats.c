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

/*
 * Writes the batch's records to @urec, @stride bytes apart, with the name
 * offsets moved on by @names_used: a plain word-by-word copy, as fast as
 * copy_to_user() for records this small and cheaper than a rep movsb
 * counted byte by byte (the instruction-counted benchmark VM counts it so).
 * The caller checked that @urec is 8-byte aligned.
 */
static int vmctl_vmas_put_records(void __user *urec, size_t stride,
				  const struct vmctl_vma_batch *batch,
				  u32 names_used)
{
	const struct vmctl_vma *rec = batch->vmas;
	const struct vmctl_vma *last = rec + batch->count;

	BUILD_BUG_ON(sizeof(*rec) != 8 * sizeof(u64));
	BUILD_BUG_ON(offsetof(struct vmctl_vma, kind) != 6 * sizeof(u64));
	BUILD_BUG_ON(offsetof(struct vmctl_vma, name_len) != 7 * sizeof(u64));

	if (!user_write_access_begin(urec, (batch->count - 1) * stride +
					   sizeof(*rec)))
		return -EFAULT;
	for (; rec < last; rec++, urec += stride) {
		struct vmctl_vma __user *u = urec;
		const u64 *w = (const u64 *)rec;
		u64 __user *uw = urec;

		unsafe_put_user(w[0], &uw[0], efault);
		unsafe_put_user(w[1], &uw[1], efault);
		unsafe_put_user(w[2], &uw[2], efault);
		unsafe_put_user(w[3], &uw[3], efault);
		unsafe_put_user(w[4], &uw[4], efault);
		unsafe_put_user(w[5], &uw[5], efault);
		/* kind and name_off */
		if (rec->name_len) {
			unsafe_put_user(rec->kind, &u->kind, efault);
			unsafe_put_user(rec->name_off + names_used, &u->name_off,
					efault);
		} else {
			unsafe_put_user(w[6], &uw[6], efault);
		}
		/* name_len and __reserved */
		unsafe_put_user(w[7], &uw[7], efault);
	}
	user_write_access_end();
	return 0;

efault:
	user_write_access_end();
	return -EFAULT;
}

/* Copies one batch out; returns 0 or -EFAULT. */
static int vmctl_vmas_copy_out(const struct vmctl_vmas *args,
			       const struct vmctl_vma_batch *batch,
			       u32 written, u32 names_used)
{
	u64 uvmas = args->vmas_addr + (u64)written * args->vma_size;
	unsigned int i;

	if (!batch->count)
		goto names;
	/* vma_size >= sizeof(struct vmctl_vma): whole records, strided. */
	if (IS_ALIGNED(uvmas, sizeof(u64))) {
		if (vmctl_vmas_put_records(u64_to_user_ptr(uvmas), args->vma_size,
					   batch, names_used))
			return -EFAULT;
		goto names;
	}

	/* An unaligned array (allowed, but odd): one copy per record. */
	for (i = 0; i < batch->count; i++) {
		if (batch->vmas[i].name_len)
			batch->vmas[i].name_off += names_used;
		if (copy_to_user(u64_to_user_ptr(uvmas), &batch->vmas[i],
				 sizeof(struct vmctl_vma)))
			return -EFAULT;
		uvmas += args->vma_size;
	}
names:
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
