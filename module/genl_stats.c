// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink GET_STATS: the statistics of one process (do), or of every
 * process of the caller's pid namespace the caller may read (dump).
 *
 * The dump walks thread group ids in pid order and keeps the next one in
 * cb->ctx, so it resumes where the previous part stopped. Processes that
 * cannot be read (no permission, no address space, gone) are skipped.
 */

#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/string.h>
#include <net/genetlink.h>

#include "vmctl.h"

/* The u64 fields of struct vmctl_stats and their attributes. */
struct vmctl_nl_stat {
	u16 attr;
	u16 offset;
};

#define VMCTL_NL_STAT(name, field)					\
	{ VMCTL_A_STATS_##name, offsetof(struct vmctl_stats, field) }

static const struct vmctl_nl_stat vmctl_nl_stats[] = {
	VMCTL_NL_STAT(MAP_COUNT, map_count),
	VMCTL_NL_STAT(MAX_MAP_COUNT, max_map_count),
	VMCTL_NL_STAT(VSZ_BYTES, vsz_bytes),
	VMCTL_NL_STAT(RSS_BYTES, rss_bytes),
	VMCTL_NL_STAT(RSS_ANON_BYTES, rss_anon_bytes),
	VMCTL_NL_STAT(RSS_FILE_BYTES, rss_file_bytes),
	VMCTL_NL_STAT(RSS_SHMEM_BYTES, rss_shmem_bytes),
	VMCTL_NL_STAT(SWAP_BYTES, swap_bytes),
	VMCTL_NL_STAT(LOCKED_BYTES, locked_bytes),
	VMCTL_NL_STAT(PINNED_BYTES, pinned_bytes),
	VMCTL_NL_STAT(HIWATER_RSS_BYTES, hiwater_rss_bytes),
	VMCTL_NL_STAT(HIWATER_VM_BYTES, hiwater_vm_bytes),
	VMCTL_NL_STAT(DATA_BYTES, data_bytes),
	VMCTL_NL_STAT(STACK_BYTES, stack_bytes),
	VMCTL_NL_STAT(EXEC_BYTES, exec_bytes),
	VMCTL_NL_STAT(COMMITTED_BYTES, committed_bytes),
	VMCTL_NL_STAT(SPLIT_PAIRS, split_pairs),
	VMCTL_NL_STAT(GAP_COUNT, gap_count),
	VMCTL_NL_STAT(LARGEST_GAP_BYTES, largest_gap_bytes),
	VMCTL_NL_STAT(FAULTS_MINOR, faults_minor),
	VMCTL_NL_STAT(FAULTS_MAJOR, faults_major),
};

/* Size of the attributes of one reply. */
static size_t vmctl_nl_stats_size(void)
{
	size_t kind = nla_total_size(0) +			/* nest */
		      nla_total_size(sizeof(u32)) +		/* KIND */
		      2 * nla_total_size_64bit(sizeof(u64));	/* COUNT, BYTES */

	/* Every u64 attribute between MAP_COUNT and FAULTS_MAJOR is sent. */
	BUILD_BUG_ON(ARRAY_SIZE(vmctl_nl_stats) !=
		     VMCTL_A_STATS_FAULTS_MAJOR - VMCTL_A_STATS_MAP_COUNT + 1);

	return nla_total_size(sizeof(u32)) +			/* PID */
	       nla_total_size(TASK_COMM_LEN) +			/* COMM */
	       ARRAY_SIZE(vmctl_nl_stats) * nla_total_size_64bit(sizeof(u64)) +
	       VMCTL_KIND_COUNT * kind;
}

/*
 * The name of @task's process, as /proc/PID/comm of its tgid shows it: a
 * thread id names its process, and threads may have names of their own.
 * A leader that an exec in another thread replaced is freed after RCU.
 */
static void vmctl_nl_process_comm(struct task_struct *task,
				  char comm[TASK_COMM_LEN])
{
	rcu_read_lock();
	__get_task_comm(comm, TASK_COMM_LEN, READ_ONCE(task->group_leader));
	rcu_read_unlock();
}

static int vmctl_nl_stats_put(struct sk_buff *msg, pid_t nr,
			      struct task_struct *task,
			      const struct vmctl_stats *st)
{
	char comm[TASK_COMM_LEN];
	struct nlattr *nest;
	unsigned int i;

	vmctl_nl_process_comm(task, comm);
	if (nla_put_u32(msg, VMCTL_A_STATS_PID, nr) ||
	    nla_put_string(msg, VMCTL_A_STATS_COMM, comm))
		return -EMSGSIZE;

	for (i = 0; i < ARRAY_SIZE(vmctl_nl_stats); i++) {
		const u64 *val = (const void *)st + vmctl_nl_stats[i].offset;

		if (nla_put_u64_64bit(msg, vmctl_nl_stats[i].attr, *val,
				      VMCTL_A_STATS_PAD))
			return -EMSGSIZE;
	}

	for (i = 0; i < VMCTL_KIND_COUNT; i++) {
		nest = nla_nest_start(msg, VMCTL_A_STATS_KIND);
		if (!nest ||
		    nla_put_u32(msg, VMCTL_A_KIND_KIND, i) ||
		    nla_put_u64_64bit(msg, VMCTL_A_KIND_COUNT,
				      st->kinds[i].count, VMCTL_A_KIND_PAD) ||
		    nla_put_u64_64bit(msg, VMCTL_A_KIND_BYTES,
				      st->kinds[i].bytes, VMCTL_A_KIND_PAD))
			return -EMSGSIZE;
		nla_nest_end(msg, nest);
	}
	return 0;
}

static int vmctl_nl_stats_read(struct vmctl_target *target, pid_t nr,
			       struct vmctl_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->pid = nr;
	return vmctl_stats_fill(target, st);
}

int vmctl_nl_get_stats_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vmctl_target target;
	struct vmctl_stats st;
	struct sk_buff *msg;
	struct nlattr *attr;
	void *hdr;
	int ret;

	if (!vmctl_nl_require_attr(info->extack, info->attrs,
				   VMCTL_A_STATS_PID))
		return -EINVAL;
	attr = info->attrs[VMCTL_A_STATS_PID];

	/* The doit runs in the requester's context: 0 names the requester. */
	ret = vmctl_target_get(nla_get_u32(attr), &target);
	if (ret) {
		vmctl_nl_target_error(info->extack, attr, ret);
		return ret;
	}

	ret = vmctl_nl_stats_read(&target, task_tgid_vnr(target.task), &st);
	if (ret)
		goto out_put;

	msg = genlmsg_new(vmctl_nl_stats_size(), GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto out_put;
	}
	hdr = genlmsg_put_reply(msg, info, &vmctl_genl_family, 0,
				VMCTL_CMD_GET_STATS);
	if (!hdr || vmctl_nl_stats_put(msg, st.pid, target.task, &st)) {
		nlmsg_free(msg);
		ret = -EMSGSIZE;
		goto out_put;
	}
	genlmsg_end(msg, hdr);
	vmctl_target_put(&target);
	return genlmsg_reply(msg, info);

out_put:
	vmctl_target_put(&target);
	return ret;
}

/*
 * State of a dump, in cb->ctx. The pid namespace and the credentials are
 * the requester's, taken when the dump begins: later parts of the dump
 * run in the task that reads the socket.
 */
struct vmctl_nl_stats_dump {
	const struct cred *cred;
	struct pid_namespace *ns;
	pid_t next;		/* first tgid not dumped yet */
	bool deferred;		/* begin in the first dumpit */
};

static struct vmctl_nl_stats_dump *
vmctl_nl_stats_dump(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct vmctl_nl_stats_dump) >
		     sizeof_field(struct netlink_callback, ctx));
	return (struct vmctl_nl_stats_dump *)cb->ctx;
}

static int vmctl_nl_stats_dump_begin(struct netlink_callback *cb,
				     struct netlink_ext_ack *extack)
{
	struct vmctl_nl_stats_dump *dump = vmctl_nl_stats_dump(cb);
	struct nlattr **attrs = vmctl_nl_dump_attrs(cb);

	/* The policy is shared with the do; the dump takes no attribute. */
	if (attrs && attrs[VMCTL_A_STATS_PID]) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[VMCTL_A_STATS_PID],
				    "the dump takes no attribute");
		return -EINVAL;
	}

	dump->cred = get_current_cred();
	dump->ns = get_pid_ns(task_active_pid_ns(current));
	dump->next = 1;
	return 0;
}

int vmctl_nl_get_stats_start(struct netlink_callback *cb)
{
	if (vmctl_nl_start_deferred(cb)) {
		vmctl_nl_stats_dump(cb)->deferred = true;
		return 0;
	}
	return vmctl_nl_stats_dump_begin(cb, cb->extack);
}

int vmctl_nl_get_stats_done(struct netlink_callback *cb)
{
	struct vmctl_nl_stats_dump *dump = vmctl_nl_stats_dump(cb);

	if (dump->ns)
		put_pid_ns(dump->ns);
	put_cred(dump->cred);
	return 0;
}

/*
 * The thread group leader with the lowest tgid >= *nr in @ns, with a
 * reference; *nr is set to its tgid. NULL when there is none.
 */
static struct task_struct *vmctl_nl_next_process(struct pid_namespace *ns,
						 pid_t *nr)
{
	struct task_struct *task = NULL;
	struct pid *pid;

	rcu_read_lock();
	for (; (pid = find_ge_pid(*nr, ns)); (*nr)++) {
		*nr = pid_nr_ns(pid, ns);
		task = pid_task(pid, PIDTYPE_TGID);
		if (task) {
			get_task_struct(task);
			break;
		}
	}
	rcu_read_unlock();
	return task;
}

/* One reply for @task; 0 also when the process is skipped. */
static int vmctl_nl_stats_dump_one(struct sk_buff *skb,
				   struct netlink_callback *cb,
				   struct vmctl_nl_stats_dump *dump,
				   struct task_struct *task,
				   struct vmctl_stats *st)
{
	struct vmctl_target target;
	void *hdr;
	int ret;

	ret = vmctl_nl_target_get_task(dump->cred, task, &target);
	if (ret == -EACCES || ret == -ENODATA || ret == -ESRCH)
		return 0;
	if (ret)
		return ret;
	ret = vmctl_nl_stats_read(&target, dump->next, st);
	vmctl_target_put(&target);
	if (ret)
		return ret;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &vmctl_genl_family, NLM_F_MULTI, VMCTL_CMD_GET_STATS);
	if (!hdr)
		return -EMSGSIZE;
	if (vmctl_nl_stats_put(skb, dump->next, task, st)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

int vmctl_nl_get_stats_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vmctl_nl_stats_dump *dump = vmctl_nl_stats_dump(cb);
	size_t room = nlmsg_total_size(GENL_HDRLEN + vmctl_nl_stats_size());
	struct task_struct *task;
	struct vmctl_stats st;
	int ret;

	if (dump->deferred) {
		dump->deferred = false;
		ret = vmctl_nl_stats_dump_begin(cb, cb->extack);
		if (ret)
			return ret;
	}

	for (;; dump->next++) {
		/* Full: stop before reading a process whose reply won't fit. */
		if (skb->len && skb_tailroom(skb) < room)
			break;
		task = vmctl_nl_next_process(dump->ns, &dump->next);
		if (!task)
			break;
		ret = vmctl_nl_stats_dump_one(skb, cb, dump, task, &st);
		put_task_struct(task);
		if (ret == -EMSGSIZE && skb->len)
			break;		/* resume at this process */
		if (ret)
			return ret;
	}
	return skb->len;
}
