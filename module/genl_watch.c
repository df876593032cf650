// SPDX-License-Identifier: GPL-2.0
/*
 * WATCH_ADD, WATCH_DEL and WATCH_GET: watches over generic netlink.
 *
 * A watch on a process needs the right to read that process as
 * /proc/PID/maps does; a watch on every process needs CAP_SYS_ADMIN.
 * Deleting needs to be the watch's creator (same fsuid) or an
 * administrator, and the dump shows a caller its own watches (all of
 * them to an administrator) in its network namespace.
 */

#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "vmctl.h"
#include "watch.h"

static const u8 vmctl_default_thresholds[] = { 80, 95 };
#define VMCTL_DEFAULT_HYSTERESIS	5

static int vmctl_nl_watch_fill(struct sk_buff *msg, struct vmctl_watch *w,
			       struct pid_namespace *ns, u32 portid, u32 seq,
			       int flags, u8 cmd)
{
	void *hdr;
	int i;

	hdr = genlmsg_put(msg, portid, seq, &vmctl_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(msg, VMCTL_A_WATCH_ID, w->id) ||
	    (w->pid && nla_put_u32(msg, VMCTL_A_WATCH_PID, pid_nr_ns(w->pid, ns))) ||
	    nla_put_u32(msg, VMCTL_A_WATCH_EVENTS, w->events))
		goto err;
	for (i = 0; i < w->nthresholds; i++)
		if (nla_put_u32(msg, VMCTL_A_WATCH_THRESHOLD, w->thresholds[i]))
			goto err;
	if (nla_put_u32(msg, VMCTL_A_WATCH_HYSTERESIS, w->hysteresis) ||
	    nla_put_u64_64bit(msg, VMCTL_A_WATCH_FAULT_RATE, w->fault_rate,
			      VMCTL_A_WATCH_PAD) ||
	    (w->pid && nla_put_string(msg, VMCTL_A_WATCH_COMM, w->comm)) ||
	    nla_put_u64_64bit(msg, VMCTL_A_WATCH_EVENTS_SENT,
			      atomic64_read(&w->sent), VMCTL_A_WATCH_PAD) ||
	    nla_put_u64_64bit(msg, VMCTL_A_WATCH_EVENTS_DROPPED,
			      atomic64_read(&w->dropped), VMCTL_A_WATCH_PAD) ||
	    (w->owner_portid && nla_put_flag(msg, VMCTL_A_WATCH_SOCKET_OWNER)))
		goto err;
	genlmsg_end(msg, hdr);
	return 0;

err:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

/* Sorted, without duplicates; the policy has checked each is 1..100. */
static int vmctl_nl_watch_thresholds(struct vmctl_watch *w, struct genl_info *info)
{
	const struct nlattr *attr;
	unsigned int i, n = 0;
	int rem;
	u8 pct;

	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(attr) != VMCTL_A_WATCH_THRESHOLD)
			continue;
		pct = nla_get_u32(attr);
		for (i = 0; i < n && w->thresholds[i] < pct; i++)
			;
		if (i < n && w->thresholds[i] == pct)
			continue;
		if (n == VMCTL_WATCH_THRESHOLDS_MAX) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr, "too many thresholds");
			return -EINVAL;
		}
		memmove(&w->thresholds[i + 1], &w->thresholds[i], n - i);
		w->thresholds[i] = pct;
		n++;
	}
	if (!n) {
		n = ARRAY_SIZE(vmctl_default_thresholds);
		memcpy(w->thresholds, vmctl_default_thresholds, n);
	}
	w->nthresholds = n;
	return 0;
}

/* Events a watch on every process cannot give: they are per process. */
#define VMCTL_EVENT_PER_PROCESS	(VMCTL_EVENT_FAULT_RATE | VMCTL_EVENT_PROCESS_EXIT)

static int vmctl_nl_watch_parse(struct vmctl_watch *w, struct sk_buff *skb,
				struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	bool global = !attrs[VMCTL_A_WATCH_PID];

	w->events = VMCTL_EVENT_ALL & ~(global ? VMCTL_EVENT_PER_PROCESS : 0);
	if (attrs[VMCTL_A_WATCH_EVENTS])
		w->events = nla_get_u32(attrs[VMCTL_A_WATCH_EVENTS]);
	if (!w->events) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[VMCTL_A_WATCH_EVENTS],
				    "no event selected");
		return -EINVAL;
	}
	if (global && (w->events & VMCTL_EVENT_PER_PROCESS)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[VMCTL_A_WATCH_EVENTS],
				    "fault-rate and process-exit events need a pid");
		return -EINVAL;
	}
	if (global && attrs[VMCTL_A_WATCH_FAULT_RATE]) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[VMCTL_A_WATCH_FAULT_RATE],
				    "a fault rate needs a pid");
		return -EINVAL;
	}
	w->hysteresis = VMCTL_DEFAULT_HYSTERESIS;
	if (attrs[VMCTL_A_WATCH_HYSTERESIS])
		w->hysteresis = nla_get_u32(attrs[VMCTL_A_WATCH_HYSTERESIS]);
	if (attrs[VMCTL_A_WATCH_FAULT_RATE])
		w->fault_rate = nla_get_u64(attrs[VMCTL_A_WATCH_FAULT_RATE]);
	if (global && !netlink_capable(skb, CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG(info->extack, "a watch on every process needs CAP_SYS_ADMIN");
		return -EPERM;
	}
	return vmctl_nl_watch_thresholds(w, info);
}

/* Binds @w to the process @attr names; the caller must be able to read it. */
static int vmctl_nl_watch_target(struct vmctl_watch *w, struct genl_info *info,
				 const struct nlattr *attr)
{
	struct vmctl_target target;
	int ret;

	ret = vmctl_target_get(nla_get_u32(attr), &target);
	if (ret) {
		vmctl_nl_target_error(info->extack, attr, ret);
		return ret;
	}
	w->pid = get_task_pid(target.task, PIDTYPE_TGID);
	get_task_comm(w->comm, target.task->group_leader);
	w->state.map_count = READ_ONCE(target.mm->map_count);
	w->state.peak = w->state.map_count;
	vmctl_target_put(&target);
	return 0;
}

/* An exit between the lookup and vmctl_watch_add() was not seen. */
static bool vmctl_watch_process_gone(struct vmctl_watch *w)
{
	struct task_struct *task;
	bool gone;

	rcu_read_lock();
	task = pid_task(w->pid, PIDTYPE_TGID);
	gone = !task || !atomic_read(&task->signal->live);
	rcu_read_unlock();
	return gone;
}

int vmctl_nl_watch_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *pid_attr = info->attrs[VMCTL_A_WATCH_PID];
	struct vmctl_watch *w;
	struct sk_buff *msg;
	int ret;

	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	kref_init(&w->ref);
	xa_init(&w->procs);
	INIT_LIST_HEAD(&w->dead_node);
	w->pidns = get_pid_ns(task_active_pid_ns(current));
	w->net = get_net(genl_info_net(info));
	w->owner = current_fsuid();
	if (info->attrs[VMCTL_A_WATCH_SOCKET_OWNER])
		w->owner_portid = info->snd_portid;

	ret = vmctl_nl_watch_parse(w, skb, info);
	if (!ret && pid_attr)
		ret = vmctl_nl_watch_target(w, info, pid_attr);
	if (ret)
		goto out;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}
	ret = vmctl_watch_add(w);
	if (ret) {
		nlmsg_free(msg);
		if (ret == -ENOSPC)
			NL_SET_ERR_MSG(info->extack, "too many watches (max_watches)");
		else if (ret == -EOPNOTSUPP)
			NL_SET_ERR_MSG(info->extack,
				       "this kernel lacks the tracepoints watches use");
		goto out;
	}
	if (w->pid && vmctl_watch_process_gone(w)) {
		/* Not by id: the exit hook may have ended it and the id moved on. */
		vmctl_watch_cancel(w);
		nlmsg_free(msg);
		NL_SET_ERR_MSG_ATTR(info->extack, pid_attr, "no such process");
		ret = -ESRCH;
		goto out;
	}
	ret = vmctl_nl_watch_fill(msg, w, w->pidns, info->snd_portid,
				  info->snd_seq, 0, VMCTL_CMD_WATCH_ADD);
	if (ret) {
		nlmsg_free(msg);
		goto out;
	}
	ret = genlmsg_reply(msg, info);
out:
	vmctl_watch_put(w);
	return ret;
}

int vmctl_nl_watch_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *attr = info->attrs[VMCTL_A_WATCH_ID];
	int ret;

	if (!attr) {
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, VMCTL_A_WATCH_ID);
		NL_SET_ERR_MSG(info->extack, "missing watch id attribute");
		return -EINVAL;
	}
	ret = vmctl_watch_del(nla_get_u32(attr), current_cred(),
			      netlink_capable(skb, CAP_SYS_ADMIN));
	if (ret == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "no such watch");
	else if (ret == -EPERM)
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "not your watch");
	return ret;
}

/* The requester of a WATCH_GET dump, as of its .start. */
struct vmctl_watch_dump {
	struct pid_namespace *ns;
	struct net *net;
	kuid_t fsuid;
	bool admin;
	unsigned long next_id;
};

int vmctl_nl_watch_get_start(struct netlink_callback *cb)
{
	struct vmctl_watch_dump *dump;

	dump = kzalloc(sizeof(*dump), GFP_KERNEL);
	if (!dump)
		return -ENOMEM;
	dump->ns = get_pid_ns(task_active_pid_ns(current));
	dump->net = sock_net(cb->skb->sk);
	dump->fsuid = current_fsuid();
	dump->admin = netlink_capable(cb->skb, CAP_SYS_ADMIN);
	cb->args[0] = (unsigned long)dump;
	return 0;
}

static bool vmctl_watch_visible(struct vmctl_watch *w, struct vmctl_watch_dump *dump)
{
	if (!net_eq(w->net, dump->net))
		return false;
	if (!dump->admin && !uid_eq(w->owner, dump->fsuid))
		return false;
	return !w->pid || pid_nr_ns(w->pid, dump->ns);
}

int vmctl_nl_watch_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vmctl_watch_dump *dump = (void *)cb->args[0];
	struct vmctl_watch *w;
	int ret = 0;

	while ((w = vmctl_watch_get_next(&dump->next_id))) {
		if (vmctl_watch_visible(w, dump))
			ret = vmctl_nl_watch_fill(skb, w, dump->ns,
						  NETLINK_CB(cb->skb).portid,
						  cb->nlh->nlmsg_seq, NLM_F_MULTI,
						  VMCTL_CMD_WATCH_GET);
		vmctl_watch_put(w);
		if (ret)
			break;
		dump->next_id++;
	}
	/* A full message with something in it asks for another call. */
	return ret && skb->len ? skb->len : ret;
}

int vmctl_nl_watch_get_done(struct netlink_callback *cb)
{
	struct vmctl_watch_dump *dump = (void *)cb->args[0];

	if (dump) {
		put_pid_ns(dump->ns);
		kfree(dump);
	}
	return 0;
}
