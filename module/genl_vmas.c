// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink GET_VMAS: the VMAs of one process, one message per VMA, in
 * address order (dump only).
 *
 * Each part of the dump looks the process up again, reads one batch of
 * VMAs under one mmap_lock hold (vmctl_vmas_collect()), sends as many as
 * fit in the skb and remembers the end address of the last one sent: the
 * next part starts with the first VMA that ends above it. No reference
 * on the task or its mm is kept between parts; the dump holds only the
 * struct pid of the thread group, so it ends with ESRCH when the process
 * exits instead of going on with a process that reused its pid.
 *
 * Consistency: every batch carries the generation of the address space.
 * cb->seq is 1 while it equals the first batch's and 2 once it differs,
 * so nl_dump_check_consistent() sets NLM_F_DUMP_INTR on the first
 * message read after a change (and on NLMSG_DONE if no message follows).
 */

#include <linux/cred.h>
#include <linux/limits.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/genetlink.h>

#include "vmctl.h"

/* VMAs read per part of the dump, and room for their names. */
#define VMCTL_NL_VMAS_BATCH	128
#define VMCTL_NL_VMAS_NAMES	(4 * PATH_MAX)

/* Longest name a message carries, as /proc/PID/maps prints it. */
#define VMCTL_NL_VMA_NAME_MAX	PATH_MAX

struct vmctl_nl_vmas_dump {
	const struct cred *cred;	/* the requester's */
	struct pid *pid;		/* the target's thread group */
	unsigned long addr;		/* resume: first VMA ending above */
	u64 gen;			/* generation of the first batch */
	bool have_gen;
	bool end;			/* the last VMA has been sent */
	bool deferred;			/* begin in the first dumpit */
	struct vmctl_vma vmas[VMCTL_NL_VMAS_BATCH];
	char names[VMCTL_NL_VMAS_NAMES];
};

/* cb->ctx holds a pointer to the state allocated in .start. */
struct vmctl_nl_vmas_ctx {
	struct vmctl_nl_vmas_dump *dump;
};

static struct vmctl_nl_vmas_ctx *vmctl_nl_vmas_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct vmctl_nl_vmas_ctx) >
		     sizeof_field(struct netlink_callback, ctx));
	return (struct vmctl_nl_vmas_ctx *)cb->ctx;
}

/* Size of one message whose name is @name_len bytes long (0: no name). */
static size_t vmctl_nl_vma_size(size_t name_len)
{
	size_t size = GENL_HDRLEN +
		      5 * nla_total_size_64bit(sizeof(u64)) +	/* START..FLAGS */
		      3 * nla_total_size(sizeof(u32));		/* DEV_*, KIND */

	if (name_len)
		size += nla_total_size(name_len + 1);
	return nlmsg_total_size(size);
}

static int vmctl_nl_vma_put(struct sk_buff *skb, struct netlink_callback *cb,
			    const struct vmctl_vma *vma, const char *names)
{
	struct nlattr *name;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &vmctl_genl_family, NLM_F_MULTI, VMCTL_CMD_GET_VMAS);
	if (!hdr)
		return -EMSGSIZE;
	nl_dump_check_consistent(cb, genlmsg_nlhdr(hdr));

	if (nla_put_u64_64bit(skb, VMCTL_A_VMA_START, vma->start,
			      VMCTL_A_VMA_PAD) ||
	    nla_put_u64_64bit(skb, VMCTL_A_VMA_END, vma->end,
			      VMCTL_A_VMA_PAD) ||
	    nla_put_u64_64bit(skb, VMCTL_A_VMA_OFFSET, vma->offset,
			      VMCTL_A_VMA_PAD) ||
	    nla_put_u64_64bit(skb, VMCTL_A_VMA_INODE, vma->inode,
			      VMCTL_A_VMA_PAD) ||
	    nla_put_u32(skb, VMCTL_A_VMA_DEV_MAJOR, vma->dev_major) ||
	    nla_put_u32(skb, VMCTL_A_VMA_DEV_MINOR, vma->dev_minor) ||
	    nla_put_u64_64bit(skb, VMCTL_A_VMA_FLAGS, vma->flags,
			      VMCTL_A_VMA_PAD) ||
	    nla_put_u32(skb, VMCTL_A_VMA_KIND, vma->kind))
		goto cancel;

	if (vma->name_len) {
		name = nla_reserve(skb, VMCTL_A_VMA_NAME, vma->name_len + 1);
		if (!name)
			goto cancel;
		memcpy(nla_data(name), names + vma->name_off, vma->name_len);
		((char *)nla_data(name))[vma->name_len] = '\0';
	}

	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* Find the process and take the requester's credentials. */
static int vmctl_nl_vmas_dump_begin(struct netlink_callback *cb,
				    struct netlink_ext_ack *extack)
{
	struct vmctl_nl_vmas_dump *dump = vmctl_nl_vmas_ctx(cb)->dump;
	struct nlattr **attrs = vmctl_nl_dump_attrs(cb);
	struct vmctl_target target;
	struct nlattr *attr;
	int ret;

	if (!vmctl_nl_require_attr(extack, attrs, VMCTL_A_VMA_PID))
		return -EINVAL;
	attr = attrs[VMCTL_A_VMA_PID];

	/* This runs in the requester's context: 0 names the requester. */
	ret = vmctl_target_get(nla_get_u32(attr), &target);
	if (ret) {
		vmctl_nl_target_error(extack, attr, ret);
		return ret;
	}
	dump->pid = get_task_pid(target.task, PIDTYPE_TGID);
	vmctl_target_put(&target);
	if (!dump->pid) {
		vmctl_nl_target_error(extack, attr, -ESRCH);
		return -ESRCH;
	}
	dump->cred = get_current_cred();
	return 0;
}

int vmctl_nl_get_vmas_start(struct netlink_callback *cb)
{
	struct vmctl_nl_vmas_dump *dump;
	int ret;

	dump = kvzalloc(sizeof(*dump), GFP_KERNEL);
	if (!dump)
		return -ENOMEM;
	vmctl_nl_vmas_ctx(cb)->dump = dump;

	/* Every skb of the dump has room for a message with the longest name. */
	cb->min_dump_alloc = vmctl_nl_vma_size(VMCTL_NL_VMA_NAME_MAX);

	if (vmctl_nl_start_deferred(cb)) {
		dump->deferred = true;
		return 0;
	}
	ret = vmctl_nl_vmas_dump_begin(cb, cb->extack);
	if (ret)
		kvfree(dump);
	return ret;
}

int vmctl_nl_get_vmas_done(struct netlink_callback *cb)
{
	struct vmctl_nl_vmas_dump *dump = vmctl_nl_vmas_ctx(cb)->dump;

	put_cred(dump->cred);
	put_pid(dump->pid);
	kvfree(dump);
	return 0;
}

/* Read the next batch of VMAs of the dump's process into @batch. */
static int vmctl_nl_vmas_collect(struct netlink_callback *cb,
				 struct vmctl_nl_vmas_dump *dump,
				 struct vmctl_vma_batch *batch)
{
	struct vmctl_target target;
	struct task_struct *task;
	int ret;

	task = get_pid_task(dump->pid, PIDTYPE_TGID);
	if (!task)
		ret = -ESRCH;
	else
		ret = vmctl_nl_target_get_task(dump->cred, task, &target);
	if (task)
		put_task_struct(task);
	if (ret == -ENODATA)
		ret = -ESRCH;		/* exiting: its mm is gone */
	if (ret) {
		vmctl_nl_target_error(cb->extack, NULL, ret);
		return ret;
	}

	*batch = (struct vmctl_vma_batch) {
		.vmas		= dump->vmas,
		.max_vmas	= ARRAY_SIZE(dump->vmas),
		.names		= dump->names,
		.names_size	= sizeof(dump->names),
	};
	ret = vmctl_vmas_collect(target.mm, dump->addr, batch);
	vmctl_target_put(&target);
	return ret;
}

int vmctl_nl_get_vmas_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vmctl_nl_vmas_dump *dump = vmctl_nl_vmas_ctx(cb)->dump;
	struct vmctl_vma_batch batch;
	unsigned int i;
	int ret;

	if (dump->end)
		return 0;
	if (dump->deferred) {
		dump->deferred = false;
		ret = vmctl_nl_vmas_dump_begin(cb, cb->extack);
		if (ret)
			return ret;
	}

	ret = vmctl_nl_vmas_collect(cb, dump, &batch);
	if (ret)
		return ret;
	/* Names fit in the names buffer; a batch never stops with nothing. */
	if (WARN_ON_ONCE(!batch.count && !batch.end))
		return -EMSGSIZE;

	if (!dump->have_gen) {
		dump->gen = batch.gen;
		dump->have_gen = true;
	}
	cb->seq = batch.gen == dump->gen ? 1 : 2;

	for (i = 0; i < batch.count; i++) {
		const struct vmctl_vma *vma = &batch.vmas[i];

		if (vmctl_nl_vma_put(skb, cb, vma, batch.names))
			break;
		dump->addr = vma->end;
	}
	if (i == batch.count) {
		dump->end = batch.end;
	} else if (!skb->len) {
		/* Cannot happen: min_dump_alloc fits the longest name. */
		return -EMSGSIZE;
	}
	return skb->len;
}
