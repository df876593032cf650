// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink commands of fault accounting: TRACK, UNTRACK, GET_FAULTS (do
 * and dump) and GET_FAULT_VMAS (dump). The rules are those of the ioctls
 * (faults_ioctl.c). Dumps take the requester's credentials and pid
 * namespace in .start, as genl_stats.c explains.
 */

#include <linux/cred.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "faults.h"
#include "vmctl.h"

struct vmctl_nl_fault_field {
	u16 attr;
	u16 offset;
};

#define VMCTL_NL_FC(name, field)					\
	{ VMCTL_A_FAULTS_##name, offsetof(struct vmctl_faults, field) }

static const struct vmctl_nl_fault_field vmctl_nl_fault_fields[] = {
	VMCTL_NL_FC(TRACKED_NS, tracked_ns),
	VMCTL_NL_FC(MIN_FLT, min_flt),
	VMCTL_NL_FC(MAJ_FLT, maj_flt),
	VMCTL_NL_FC(THREADS, threads),
	VMCTL_NL_FC(VMAS, vmas),
	VMCTL_NL_FC(MINOR, counts.minor),
	VMCTL_NL_FC(MAJOR, counts.major),
	VMCTL_NL_FC(WRITE, counts.write),
	VMCTL_NL_FC(EXEC, counts.exec),
	VMCTL_NL_FC(USER, counts.user),
	VMCTL_NL_FC(KERNEL, counts.kernel),
	VMCTL_NL_FC(RETRY, counts.retry),
	VMCTL_NL_FC(SIGSEGV, counts.sigsegv),
	VMCTL_NL_FC(SIGBUS, counts.sigbus),
	VMCTL_NL_FC(OOM, counts.oom),
	VMCTL_NL_FC(EFAULT, counts.efault),
	VMCTL_NL_FC(UNTRACED, counts.untraced),
	VMCTL_NL_FC(LAT_COUNT, counts.lat_count),
	VMCTL_NL_FC(LAT_TOTAL_NS, counts.lat_total_ns),
	VMCTL_NL_FC(LAT_MAX_NS, counts.lat_max_ns),
};

static size_t vmctl_nl_faults_size(void)
{
	return nla_total_size(sizeof(u32)) * 2 + nla_total_size(TASK_COMM_LEN) +
	       ARRAY_SIZE(vmctl_nl_fault_fields) * nla_total_size_64bit(sizeof(u64)) +
	       nla_total_size(sizeof(u64) * VMCTL_FAULT_HIST_BUCKETS);
}

static int vmctl_nl_faults_put(struct sk_buff *msg, const char *comm,
			       pid_t pid, const struct vmctl_faults *f)
{
	size_t i;

	if (nla_put_u32(msg, VMCTL_A_FAULTS_PID, pid) ||
	    nla_put_string(msg, VMCTL_A_FAULTS_COMM, comm) ||
	    nla_put_u32(msg, VMCTL_A_FAULTS_OUT_FLAGS, f->out_flags))
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(vmctl_nl_fault_fields); i++) {
		const u64 *v = (const void *)f + vmctl_nl_fault_fields[i].offset;

		if (nla_put_u64_64bit(msg, vmctl_nl_fault_fields[i].attr, *v,
				      VMCTL_A_FAULTS_PAD))
			return -EMSGSIZE;
	}
	if (nla_put(msg, VMCTL_A_FAULTS_HIST, sizeof(f->counts.hist),
		    f->counts.hist))
		return -EMSGSIZE;
	return 0;
}

static void vmctl_nl_faults_error(struct genl_info *info, int err)
{
	struct nlattr *attr = info->attrs[VMCTL_A_FAULTS_PID];

	switch (err) {
	case -ENOENT:
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "process not tracked");
		break;
	case -EEXIST:
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "process already tracked");
		break;
	case -EPERM:
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "tracking another process needs CAP_PERFMON");
		break;
	case -ENOSPC:
		NL_SET_ERR_MSG(info->extack, "too many tracked processes");
		break;
	default:
		vmctl_nl_target_error(info->extack, attr, err);
	}
}

static int vmctl_nl_track_common(struct genl_info *info, bool track)
{
	pid_t pid;
	int ret;

	if (!vmctl_nl_require_attr(info->extack, info->attrs, VMCTL_A_FAULTS_PID))
		return -EINVAL;
	pid = nla_get_u32(info->attrs[VMCTL_A_FAULTS_PID]);
	ret = track ? vmctl_faults_track(pid, 0) : vmctl_faults_untrack(pid, 0);
	if (ret)
		vmctl_nl_faults_error(info, ret);
	return ret;
}

int vmctl_nl_track_doit(struct sk_buff *skb, struct genl_info *info)
{
	return vmctl_nl_track_common(info, true);
}

int vmctl_nl_untrack_doit(struct sk_buff *skb, struct genl_info *info)
{
	return vmctl_nl_track_common(info, false);
}

int vmctl_nl_get_faults_doit(struct sk_buff *skb, struct genl_info *info)
{
	char comm[TASK_COMM_LEN];
	struct vmctl_faults f = {};
	struct vmctl_fproc *p;
	struct sk_buff *msg;
	void *hdr;
	pid_t pid;
	int ret;

	if (!vmctl_nl_require_attr(info->extack, info->attrs, VMCTL_A_FAULTS_PID))
		return -EINVAL;
	pid = nla_get_u32(info->attrs[VMCTL_A_FAULTS_PID]);
	msg = genlmsg_new(vmctl_nl_faults_size(), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	vmctl_faults_lock();
	p = vmctl_faults_find_locked(pid);
	if (IS_ERR(p)) {
		ret = PTR_ERR(p);
		vmctl_faults_unlock();
		vmctl_nl_faults_error(info, ret);
		nlmsg_free(msg);
		return ret;
	}
	vmctl_fproc_read_locked(p, &f);
	hdr = genlmsg_put_reply(msg, info, &vmctl_genl_family, 0,
				VMCTL_CMD_GET_FAULTS);
	vmctl_fproc_comm(p, comm);
	ret = hdr ? vmctl_nl_faults_put(msg, comm, vmctl_fproc_pid(p,
				task_active_pid_ns(current)), &f) : -EMSGSIZE;
	vmctl_faults_unlock();
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* State of a GET_FAULTS or GET_FAULT_VMAS dump, in cb->ctx. */
struct vmctl_nl_faults_dump {
	const struct cred *cred;
	struct pid_namespace *ns;
	u64 id;			/* GET_FAULTS: last process sent; VMAS: the process */
	unsigned int index;	/* GET_FAULT_VMAS: next bucket */
	pid_t pid;
	bool deferred;		/* begin in the first dumpit */
};

static struct vmctl_nl_faults_dump *vmctl_nl_faults_dump(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct vmctl_nl_faults_dump) >
		     sizeof_field(struct netlink_callback, ctx));
	return (struct vmctl_nl_faults_dump *)cb->ctx;
}

static int vmctl_nl_faults_dump_begin(struct netlink_callback *cb,
				      struct netlink_ext_ack *extack)
{
	struct vmctl_nl_faults_dump *dump = vmctl_nl_faults_dump(cb);
	struct nlattr **attrs = vmctl_nl_dump_attrs(cb);

	if (attrs && attrs[VMCTL_A_FAULTS_PID]) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[VMCTL_A_FAULTS_PID],
				    "the dump takes no attribute");
		return -EINVAL;
	}
	dump->cred = get_current_cred();
	dump->ns = get_pid_ns(task_active_pid_ns(current));
	dump->id = 0;
	return 0;
}

int vmctl_nl_get_faults_start(struct netlink_callback *cb)
{
	if (vmctl_nl_start_deferred(cb)) {
		vmctl_nl_faults_dump(cb)->deferred = true;
		return 0;
	}
	return vmctl_nl_faults_dump_begin(cb, cb->extack);
}

int vmctl_nl_get_faults_done(struct netlink_callback *cb)
{
	struct vmctl_nl_faults_dump *dump = vmctl_nl_faults_dump(cb);

	if (dump->ns)
		put_pid_ns(dump->ns);
	if (dump->cred)
		put_cred(dump->cred);
	return 0;
}

/* The aggregate of system-wide tracking ends a dump, as pid 0 "[other]". */
#define VMCTL_NL_FAULTS_OTHER_ID	U64_MAX

int vmctl_nl_get_faults_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vmctl_nl_faults_dump *dump = vmctl_nl_faults_dump(cb);
	char comm[TASK_COMM_LEN];
	struct vmctl_faults f = {};
	struct vmctl_fproc *p;
	int ret = 0;
	void *hdr;

	if (dump->deferred) {
		dump->deferred = false;
		ret = vmctl_nl_faults_dump_begin(cb, cb->extack);
		if (ret)
			return ret;
	}
	vmctl_faults_lock();
	while (dump->id != VMCTL_NL_FAULTS_OTHER_ID &&
	       (p = vmctl_faults_next_locked(dump->id, dump->cred))) {
		pid_t pid = vmctl_fproc_pid(p, dump->ns);

		if (!pid) {	/* not visible in the requester's namespace */
			dump->id = vmctl_fproc_id(p);
			continue;
		}
		vmctl_fproc_read_locked(p, &f);
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &vmctl_genl_family,
				  NLM_F_MULTI, VMCTL_CMD_GET_FAULTS);
		if (!hdr) {
			ret = -EMSGSIZE;
			break;
		}
		vmctl_fproc_comm(p, comm);
		ret = vmctl_nl_faults_put(skb, comm, pid, &f);
		if (ret) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		dump->id = vmctl_fproc_id(p);
	}
	if (!ret && dump->id != VMCTL_NL_FAULTS_OTHER_ID &&
	    vmctl_faults_read_other_locked(dump->cred, &f)) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &vmctl_genl_family,
				  NLM_F_MULTI, VMCTL_CMD_GET_FAULTS);
		if (!hdr) {
			ret = -EMSGSIZE;
		} else if (vmctl_nl_faults_put(skb, "[other]", 0, &f)) {
			genlmsg_cancel(skb, hdr);
			ret = -EMSGSIZE;
		} else {
			genlmsg_end(skb, hdr);
			dump->id = VMCTL_NL_FAULTS_OTHER_ID;
		}
	}
	vmctl_faults_unlock();
	/* A full skb ends this part; the next one resumes after dump->id. */
	if (ret == -EMSGSIZE && skb->len)
		return skb->len;
	return ret ? ret : skb->len;
}

static int vmctl_nl_fault_vmas_dump_begin(struct netlink_callback *cb,
					  struct netlink_ext_ack *extack)
{
	struct vmctl_nl_faults_dump *dump = vmctl_nl_faults_dump(cb);
	struct nlattr **attrs = vmctl_nl_dump_attrs(cb);
	struct vmctl_fproc *p;
	int ret = 0;

	if (!vmctl_nl_require_attr(extack, attrs, VMCTL_A_FVMA_PID))
		return -EINVAL;
	vmctl_faults_lock();
	p = vmctl_faults_find_locked(nla_get_u32(attrs[VMCTL_A_FVMA_PID]));
	if (IS_ERR(p)) {
		ret = PTR_ERR(p);
		if (ret == -ENOENT)
			NL_SET_ERR_MSG_ATTR(extack, attrs[VMCTL_A_FVMA_PID],
					    "process not tracked");
		else
			vmctl_nl_target_error(extack,
					      attrs[VMCTL_A_FVMA_PID], ret);
	} else {
		dump->id = vmctl_fproc_id(p);
		dump->pid = vmctl_fproc_pid(p, task_active_pid_ns(current));
		dump->index = 0;
	}
	vmctl_faults_unlock();
	return ret;
}

int vmctl_nl_get_fault_vmas_start(struct netlink_callback *cb)
{
	if (vmctl_nl_start_deferred(cb)) {
		vmctl_nl_faults_dump(cb)->deferred = true;
		return 0;
	}
	return vmctl_nl_fault_vmas_dump_begin(cb, cb->extack);
}

int vmctl_nl_get_fault_vmas_done(struct netlink_callback *cb)
{
	return 0;
}

static int vmctl_nl_fvma_put(struct sk_buff *msg, pid_t pid,
			     const struct vmctl_fault_vma *r, const char *name)
{
	if (nla_put_u32(msg, VMCTL_A_FVMA_PID, pid) ||
	    nla_put_u64_64bit(msg, VMCTL_A_FVMA_START, r->start, VMCTL_A_FVMA_PAD) ||
	    nla_put_u64_64bit(msg, VMCTL_A_FVMA_END, r->end, VMCTL_A_FVMA_PAD) ||
	    nla_put_u64_64bit(msg, VMCTL_A_FVMA_INODE, r->inode, VMCTL_A_FVMA_PAD) ||
	    nla_put_u32(msg, VMCTL_A_FVMA_DEV_MAJOR, r->dev_major) ||
	    nla_put_u32(msg, VMCTL_A_FVMA_DEV_MINOR, r->dev_minor) ||
	    nla_put_u32(msg, VMCTL_A_FVMA_KIND, r->kind) ||
	    nla_put_u32(msg, VMCTL_A_FVMA_FLAGS, r->flags) ||
	    (name && nla_put_string(msg, VMCTL_A_FVMA_NAME, name)) ||
	    nla_put_u64_64bit(msg, VMCTL_A_FVMA_MINOR, r->minor, VMCTL_A_FVMA_PAD) ||
	    nla_put_u64_64bit(msg, VMCTL_A_FVMA_MAJOR, r->major, VMCTL_A_FVMA_PAD) ||
	    nla_put_u64_64bit(msg, VMCTL_A_FVMA_WRITE, r->write, VMCTL_A_FVMA_PAD) ||
	    nla_put_u64_64bit(msg, VMCTL_A_FVMA_EXEC, r->exec, VMCTL_A_FVMA_PAD) ||
	    nla_put_u64_64bit(msg, VMCTL_A_FVMA_USER, r->user, VMCTL_A_FVMA_PAD) ||
	    nla_put_u64_64bit(msg, VMCTL_A_FVMA_KERNEL, r->kernel, VMCTL_A_FVMA_PAD) ||
	    nla_put_u64_64bit(msg, VMCTL_A_FVMA_LAT_TOTAL_NS, r->lat_total_ns,
			      VMCTL_A_FVMA_PAD) ||
	    nla_put_u64_64bit(msg, VMCTL_A_FVMA_LAT_MAX_NS, r->lat_max_ns,
			      VMCTL_A_FVMA_PAD))
		return -EMSGSIZE;
	return 0;
}

int vmctl_nl_get_fault_vmas_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb)
{
	struct vmctl_nl_faults_dump *dump = vmctl_nl_faults_dump(cb);
	struct vmctl_fault_vma *recs;
	struct vmctl_fproc *p;
	unsigned int n;
	char *name;
	int ret = 0;
	void *hdr;

	if (dump->deferred) {
		dump->deferred = false;
		ret = vmctl_nl_fault_vmas_dump_begin(cb, cb->extack);
		if (ret)
			return ret;
	}
	recs = kcalloc(VMCTL_FAULT_VMAS_MAX + 1, sizeof(*recs), GFP_KERNEL);
	name = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!recs || !name) {
		ret = -ENOMEM;
		goto out_free;
	}
	vmctl_faults_lock();
	p = vmctl_faults_by_id_locked(dump->id);
	n = p ? vmctl_fproc_vmas_locked(p, recs) : 0;
	for (; dump->index < n; dump->index++) {
		const struct vmctl_fault_vma *r = &recs[dump->index];
		int len = 0;

		if (!(r->flags & VMCTL_FAULT_VMA_OTHER))
			len = vmctl_fproc_vma_name_locked(p, dump->index, name,
							  PATH_MAX);
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &vmctl_genl_family,
				  NLM_F_MULTI, VMCTL_CMD_GET_FAULT_VMAS);
		if (!hdr) {
			ret = -EMSGSIZE;
			break;
		}
		if (vmctl_nl_fvma_put(skb, dump->pid, r, len > 0 ? name : NULL)) {
			genlmsg_cancel(skb, hdr);
			ret = -EMSGSIZE;
			break;
		}
		genlmsg_end(skb, hdr);
	}
	vmctl_faults_unlock();
	if (ret == -EMSGSIZE && skb->len)
		ret = 0;
	if (!ret)
		ret = skb->len;
out_free:
	kfree(name);
	kfree(recs);
	return ret;
}
