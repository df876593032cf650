// SPDX-License-Identifier: GPL-2.0
/*
 * The "vmctl" generic netlink family.
 *
 * The family works in every network namespace and answers in the
 * namespace of the requesting socket. Operations run without
 * genl_mutex (parallel_ops); each takes the locks it needs itself.
 *
 * GET_STATS (do and dump) lives in genl_stats.c, GET_VMAS (dump) in
 * genl_vmas.c; this file holds the family, the policies and the helpers
 * they share.
 *
 * The operations use struct genl_ops (one policy per command), which
 * both 6.1 and later kernels take. A dump can outlive the system call
 * that started it: later parts run in whichever task reads the socket.
 * Dumps therefore capture the requester's credentials in .start and
 * check every process against those, never against the reader's.
 */

#include <linux/cred.h>
#include <net/genetlink.h>

#include "vmctl.h"

static int vmctl_nl_get_version_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(GENLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &vmctl_genl_family, 0,
				VMCTL_CMD_GET_VERSION);
	if (!hdr)
		goto err_size;

	if (nla_put_u32(msg, VMCTL_A_VERSION_ABI, VMCTL_ABI_VERSION) ||
	    nla_put_u64_64bit(msg, VMCTL_A_VERSION_FEATURES, VMCTL_FEATURES,
			      VMCTL_A_VERSION_PAD) ||
	    nla_put_string(msg, VMCTL_A_VERSION_MODULE, VMCTL_VERSION))
		goto err_size;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_size:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/*
 * A pid is a u32 on the wire and a pid_t in the kernel: values above
 * INT_MAX fail validation. The range is not const because 6.1's
 * struct nla_policy points to a non-const one.
 */
static struct netlink_range_validation vmctl_nl_pid_range __ro_after_init = {
	.max	= INT_MAX,
};

/*
 * GET_STATS: the do takes VMCTL_A_STATS_PID. genl_ops has one policy for
 * the do and the dump of a command, so the dump's .start refuses the
 * attribute itself.
 */
static const struct nla_policy vmctl_nl_stats_policy[VMCTL_A_STATS_PID + 1] = {
	[VMCTL_A_STATS_PID] = NLA_POLICY_FULL_RANGE(NLA_U32, &vmctl_nl_pid_range),
};

static const struct nla_policy vmctl_nl_vmas_policy[VMCTL_A_VMA_PID + 1] = {
	[VMCTL_A_VMA_PID] = NLA_POLICY_FULL_RANGE(NLA_U32, &vmctl_nl_pid_range),
};

/* Fault accounting: TRACK, UNTRACK and GET_FAULTS (do) take the pid. */
static const struct nla_policy vmctl_nl_faults_policy[VMCTL_A_FAULTS_PID + 1] = {
	[VMCTL_A_FAULTS_PID] = NLA_POLICY_FULL_RANGE(NLA_U32, &vmctl_nl_pid_range),
};

static const struct nla_policy vmctl_nl_fvmas_policy[VMCTL_A_FVMA_PID + 1] = {
	[VMCTL_A_FVMA_PID] = NLA_POLICY_FULL_RANGE(NLA_U32, &vmctl_nl_pid_range),
};

static const struct nla_policy vmctl_nl_watch_add_policy[VMCTL_A_WATCH_SOCKET_OWNER + 1] = {
	[VMCTL_A_WATCH_PID]	= NLA_POLICY_FULL_RANGE(NLA_U32, &vmctl_nl_pid_range),
	[VMCTL_A_WATCH_EVENTS]	= NLA_POLICY_MASK(NLA_U32, VMCTL_EVENT_ALL),
	[VMCTL_A_WATCH_THRESHOLD] = NLA_POLICY_RANGE(NLA_U32, 1, 100),
	[VMCTL_A_WATCH_HYSTERESIS] = NLA_POLICY_MAX(NLA_U32, 50),
	[VMCTL_A_WATCH_FAULT_RATE] = { .type = NLA_U64 },
	[VMCTL_A_WATCH_SOCKET_OWNER] = { .type = NLA_FLAG },
};

static const struct nla_policy vmctl_nl_watch_del_policy[VMCTL_A_WATCH_ID + 1] = {
	[VMCTL_A_WATCH_ID]	= { .type = NLA_U32 },
};

/*
 * resv_start_op is zero, so an operation without a policy gets every
 * attribute rejected and the reserved header bytes validated. Attributes
 * are validated strictly: types unknown to a policy fail with EINVAL.
 */
static const struct genl_ops vmctl_genl_ops[] = {
	{
		.cmd	= VMCTL_CMD_GET_VERSION,
		.doit	= vmctl_nl_get_version_doit,
	},
	{
		.cmd	= VMCTL_CMD_GET_STATS,
		.policy	= vmctl_nl_stats_policy,
		.maxattr = ARRAY_SIZE(vmctl_nl_stats_policy) - 1,
		.doit	= vmctl_nl_get_stats_doit,
		.start	= vmctl_nl_get_stats_start,
		.dumpit	= vmctl_nl_get_stats_dumpit,
		.done	= vmctl_nl_get_stats_done,
	},
	{
		.cmd	= VMCTL_CMD_GET_VMAS,
		.policy	= vmctl_nl_vmas_policy,
		.maxattr = ARRAY_SIZE(vmctl_nl_vmas_policy) - 1,
		.start	= vmctl_nl_get_vmas_start,
		.dumpit	= vmctl_nl_get_vmas_dumpit,
		.done	= vmctl_nl_get_vmas_done,
	},
	{
		.cmd	= VMCTL_CMD_TRACK,
		.policy	= vmctl_nl_faults_policy,
		.maxattr = ARRAY_SIZE(vmctl_nl_faults_policy) - 1,
		.doit	= vmctl_nl_track_doit,
	},
	{
		.cmd	= VMCTL_CMD_UNTRACK,
		.policy	= vmctl_nl_faults_policy,
		.maxattr = ARRAY_SIZE(vmctl_nl_faults_policy) - 1,
		.doit	= vmctl_nl_untrack_doit,
	},
	{
		.cmd	= VMCTL_CMD_GET_FAULTS,
		.policy	= vmctl_nl_faults_policy,
		.maxattr = ARRAY_SIZE(vmctl_nl_faults_policy) - 1,
		.doit	= vmctl_nl_get_faults_doit,
		.start	= vmctl_nl_get_faults_start,
		.dumpit	= vmctl_nl_get_faults_dumpit,
		.done	= vmctl_nl_get_faults_done,
	},
	{
		.cmd	= VMCTL_CMD_GET_FAULT_VMAS,
		.policy	= vmctl_nl_fvmas_policy,
		.maxattr = ARRAY_SIZE(vmctl_nl_fvmas_policy) - 1,
		.start	= vmctl_nl_get_fault_vmas_start,
		.dumpit	= vmctl_nl_get_fault_vmas_dumpit,
		.done	= vmctl_nl_get_fault_vmas_done,
	},
	{
		.cmd	= VMCTL_CMD_WATCH_ADD,
		.policy	= vmctl_nl_watch_add_policy,
		.maxattr = ARRAY_SIZE(vmctl_nl_watch_add_policy) - 1,
		.doit	= vmctl_nl_watch_add_doit,
	},
	{
		.cmd	= VMCTL_CMD_WATCH_DEL,
		.policy	= vmctl_nl_watch_del_policy,
		.maxattr = ARRAY_SIZE(vmctl_nl_watch_del_policy) - 1,
		.doit	= vmctl_nl_watch_del_doit,
	},
	{
		.cmd	= VMCTL_CMD_WATCH_GET,
		.start	= vmctl_nl_watch_get_start,
		.dumpit	= vmctl_nl_watch_get_dumpit,
		.done	= vmctl_nl_watch_get_done,
	},
};

/*
 * Events name processes and counts that /proc shows only to their owner.
 * Where the kernel can filter a multicast per listener (6.7+), each event
 * reaches its watch's creator and administrators only (watch_events.c);
 * elsewhere only administrators may listen at all.
 */
#if defined(VMCTL_HAVE_GENL_MULTICAST_FILTERED) || !defined(GENL_MCAST_CAP_SYS_ADMIN)
#define VMCTL_MCGRP_EVENTS_FLAGS	0
#else
#define VMCTL_MCGRP_EVENTS_FLAGS	GENL_MCAST_CAP_SYS_ADMIN
#endif

static const struct genl_multicast_group vmctl_genl_mcgrps[] = {
	[VMCTL_MCGRP_EVENTS_ID] = {
		.name	= VMCTL_MCGRP_EVENTS,
		.flags	= VMCTL_MCGRP_EVENTS_FLAGS,
	},
};

struct genl_family vmctl_genl_family __ro_after_init = {
	.name		= VMCTL_FAMILY_NAME,
	.version	= VMCTL_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= vmctl_genl_ops,
	.n_ops		= ARRAY_SIZE(vmctl_genl_ops),
	.mcgrps		= vmctl_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(vmctl_genl_mcgrps),
	.resv_start_op	= 0,
};

/* The attributes of a dump request, parsed with the command's policy. */
struct nlattr **vmctl_nl_dump_attrs(struct netlink_callback *cb)
{
#ifdef VMCTL_HAVE_GENL_INFO_DUMP	/* from module/Kbuild */
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/*
 * vmctl_nl_start_deferred - should a dump's .start leave its checks to
 * the first dumpit?
 *
 * Kernels before 6.4 run .start without an extack (cb->extack is NULL),
 * so an error found there would reach userspace without its message.
 * There the checks run in the first dumpit call instead: it follows
 * .start at once, in the same system call and task, and has an extack.
 * The error then arrives in NLMSG_DONE rather than in NLMSG_ERROR.
 */
bool vmctl_nl_start_deferred(struct netlink_callback *cb)
{
	return !cb->extack;
}

/*
 * vmctl_nl_require_attr - report a missing required attribute
 * Return: true if @attrs has @type; otherwise sets the extack (missing
 * type and a message) and returns false.
 */
bool vmctl_nl_require_attr(struct netlink_ext_ack *extack,
			   struct nlattr **attrs, unsigned int type)
{
	if (attrs && attrs[type])
		return true;
	NL_SET_ERR_ATTR_MISS(extack, NULL, type);
	NL_SET_ERR_MSG(extack, "missing pid attribute");
	return false;
}

/* Explain an error of vmctl_target_get{,_task}() in @extack. */
void vmctl_nl_target_error(struct netlink_ext_ack *extack,
			   const struct nlattr *attr, int err)
{
	switch (err) {
	case -EINVAL:
		NL_SET_ERR_MSG_ATTR(extack, attr, "invalid pid");
		break;
	case -ESRCH:
		NL_SET_ERR_MSG_ATTR(extack, attr, "no such process");
		break;
	case -EACCES:
		NL_SET_ERR_MSG_ATTR(extack, attr, "permission denied");
		break;
	case -ENODATA:
		NL_SET_ERR_MSG_ATTR(extack, attr, "no user address space");
		break;
	}
}

/*
 * vmctl_nl_target_get_task - vmctl_target_get_task() on behalf of the task
 * that started a dump
 * @cred: the requester's credentials, taken in the dump's .start
 *
 * Return: as vmctl_target_get_task().
 */
int vmctl_nl_target_get_task(const struct cred *cred, struct task_struct *task,
			     struct vmctl_target *target)
{
	const struct cred *old;
	int ret;

	if (cred == current_cred())
		return vmctl_target_get_task(task, target);

	old = override_creds(cred);
	ret = vmctl_target_get_task(task, target);
	revert_creds(old);
	return ret;
}

int vmctl_genl_register(void)
{
	return genl_register_family(&vmctl_genl_family);
}

void vmctl_genl_unregister(void)
{
	genl_unregister_family(&vmctl_genl_family);
}
