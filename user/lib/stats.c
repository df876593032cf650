// SPDX-License-Identifier: LGPL-2.1-or-later
/* Per-process statistics: ioctl, netlink do and netlink dump flavours. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "libvmctl-private.h"

VMCTL_EXPORT int vmctl_get_stats(struct vmctl_ctx *ctx, pid_t pid, struct vmctl_stats *out)
{
	struct vmctl_stats st = { 0 };
	int err;

	if (!ctx || !out || pid < 0)
		return -EINVAL;

	st.pid = pid;
	err = vmctl_ioctl_ext(ctx, VMCTL_IOC_GET_STATS, &st, sizeof(st));
	if (err < 0)
		return err;

	*out = st;
	return 0;
}

/* The u64 attributes of a GET_STATS reply and the fields they fill. */
static const struct {
	int attr;
	size_t off;
} stats_u64_attrs[] = {
#define STAT(a, f) { VMCTL_A_STATS_##a, offsetof(struct vmctl_stats, f) }
	STAT(MAP_COUNT, map_count),
	STAT(MAX_MAP_COUNT, max_map_count),
	STAT(VSZ_BYTES, vsz_bytes),
	STAT(RSS_BYTES, rss_bytes),
	STAT(RSS_ANON_BYTES, rss_anon_bytes),
	STAT(RSS_FILE_BYTES, rss_file_bytes),
	STAT(RSS_SHMEM_BYTES, rss_shmem_bytes),
	STAT(SWAP_BYTES, swap_bytes),
	STAT(LOCKED_BYTES, locked_bytes),
	STAT(PINNED_BYTES, pinned_bytes),
	STAT(HIWATER_RSS_BYTES, hiwater_rss_bytes),
	STAT(HIWATER_VM_BYTES, hiwater_vm_bytes),
	STAT(DATA_BYTES, data_bytes),
	STAT(STACK_BYTES, stack_bytes),
	STAT(EXEC_BYTES, exec_bytes),
	STAT(COMMITTED_BYTES, committed_bytes),
	STAT(SPLIT_PAIRS, split_pairs),
	STAT(GAP_COUNT, gap_count),
	STAT(LARGEST_GAP_BYTES, largest_gap_bytes),
	STAT(FAULTS_MINOR, faults_minor),
	STAT(FAULTS_MAJOR, faults_major),
#undef STAT
};

static struct nla_policy stats_policy[VMCTL_A_STATS_MAX + 1] = {
	[VMCTL_A_STATS_PID] = { .type = NLA_U32 },
	[VMCTL_A_STATS_COMM] = { .type = NLA_STRING },
	[VMCTL_A_STATS_MAP_COUNT ... VMCTL_A_STATS_FAULTS_MAJOR] = { .type = NLA_U64 },
	[VMCTL_A_STATS_KIND] = { .type = NLA_NESTED },
};

static struct nla_policy kind_policy[VMCTL_A_KIND_MAX + 1] = {
	[VMCTL_A_KIND_KIND] = { .type = NLA_U32 },
	[VMCTL_A_KIND_COUNT] = { .type = NLA_U64 },
	[VMCTL_A_KIND_BYTES] = { .type = NLA_U64 },
};

static void copy_string(char *dst, size_t size, const struct nlattr *attr)
{
	size_t len;

	if (!size)
		return;
	len = attr ? strnlen(nla_data(attr), nla_len(attr)) : 0;
	if (len >= size)
		len = size - 1;
	if (len)
		memcpy(dst, nla_data(attr), len);
	dst[len] = '\0';
}

/*
 * Fill @st, @pid and @comm from one GET_STATS reply. The process id and
 * the map count are mandatory; other attributes the kernel leaves out read
 * as zero, and attributes or kinds this library does not know are ignored.
 */
static int stats_from_msg(struct nlmsghdr *nlh, struct nlattr **tb, struct vmctl_stats *st,
			  pid_t *pid, char *comm, size_t comm_size)
{
	struct nlattr *ktb[VMCTL_A_KIND_MAX + 1];
	struct nlattr *nla;
	size_t i;
	int rem;

	if (!tb[VMCTL_A_STATS_PID] || !tb[VMCTL_A_STATS_MAP_COUNT])
		return -EBADMSG;

	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	*pid = (pid_t)nla_get_u32(tb[VMCTL_A_STATS_PID]);
	st->pid = *pid;

	for (i = 0; i < ARRAY_SIZE(stats_u64_attrs); i++) {
		const struct nlattr *a = tb[stats_u64_attrs[i].attr];
		uint64_t v;

		if (!a)
			continue;
		v = nla_get_u64((struct nlattr *)a);
		memcpy((char *)st + stats_u64_attrs[i].off, &v, sizeof(v));
	}

	if (comm)
		copy_string(comm, comm_size, tb[VMCTL_A_STATS_COMM]);

	/* VMCTL_A_STATS_KIND repeats: walk the whole message for it. */
	nlmsg_for_each_attr(nla, nlh, GENL_HDRLEN, rem) {
		uint32_t kind;

		if (nla_type(nla) != VMCTL_A_STATS_KIND)
			continue;
		if (nla_parse_nested(ktb, VMCTL_A_KIND_MAX, nla, kind_policy) < 0)
			return -EBADMSG;
		if (!ktb[VMCTL_A_KIND_KIND])
			return -EBADMSG;
		kind = nla_get_u32(ktb[VMCTL_A_KIND_KIND]);
		if (kind >= VMCTL_KINDS_MAX)
			continue;
		if (ktb[VMCTL_A_KIND_COUNT])
			st->kinds[kind].count = nla_get_u64(ktb[VMCTL_A_KIND_COUNT]);
		if (ktb[VMCTL_A_KIND_BYTES])
			st->kinds[kind].bytes = nla_get_u64(ktb[VMCTL_A_KIND_BYTES]);
	}
	return 0;
}

struct stats_one {
	struct vmctl_stats st;
	pid_t pid;
	char *comm;
	size_t comm_size;
	int replies;
};

static int stats_put_pid(struct nl_msg *msg, void *arg)
{
	const struct stats_one *one = arg;

	return nla_put_u32(msg, VMCTL_A_STATS_PID, (uint32_t)one->pid) < 0 ? -EMSGSIZE : 0;
}

static int stats_one_parse(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct stats_one *one = arg;
	pid_t pid;

	if (one->replies++)
		return -EBADMSG;	/* a do request gets one reply */
	return stats_from_msg(nlh, tb, &one->st, &pid, one->comm, one->comm_size);
}

VMCTL_EXPORT int vmctl_nl_get_stats(struct vmctl_ctx *ctx, pid_t pid, struct vmctl_stats *out,
				    char *comm, size_t comm_size)
{
	char name[VMCTL_COMM_SIZE];
	struct stats_one one = {
		.pid = pid,
		.comm = name,
		.comm_size = sizeof(name),
	};
	struct vmctl_nl_request req = {
		.cmd = VMCTL_CMD_GET_STATS,
		.put = stats_put_pid,
		.maxattr = VMCTL_A_STATS_MAX,
		.policy = stats_policy,
		.parse_msg = stats_one_parse,
		.arg = &one,
	};
	int err;

	if (!ctx || !out || pid < 0)
		return -EINVAL;

	err = vmctl_nl_transact(ctx, &req);
	if (err < 0)
		return err;
	if (!one.replies)
		return -EBADMSG;

	*out = one.st;
	if (comm && comm_size) {
		size_t len = strnlen(name, comm_size - 1);

		memcpy(comm, name, len);
		comm[len] = '\0';
	}
	return 0;
}

static int stats_list_parse(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct vmctl_dump_array *l = arg;
	struct vmctl_proc_stats *p;

	p = vmctl_dump_slot(l);
	if (!p)
		return -ENOMEM;
	if (stats_from_msg(nlh, tb, &p->stats, &p->pid, p->comm, sizeof(p->comm)) < 0)
		return -EBADMSG;
	l->n++;
	return 0;
}

VMCTL_EXPORT int vmctl_list_stats(struct vmctl_ctx *ctx, struct vmctl_proc_stats **procs,
				  size_t *n)
{
	struct vmctl_dump_array l = {
		.size = sizeof(struct vmctl_proc_stats),
		.first_cap = 256,
	};
	int intr;
	struct vmctl_nl_request req = {
		.cmd = VMCTL_CMD_GET_STATS,
		.flags = NLM_F_DUMP,
		.maxattr = VMCTL_A_STATS_MAX,
		.policy = stats_policy,
		.parse_msg = stats_list_parse,
		.arg = &l,
		/* Every message stands alone: a changing process list is fine. */
		.dump_intr = &intr,
	};
	int err;

	if (!ctx || !procs || !n)
		return -EINVAL;

	err = vmctl_nl_dump_array(ctx, &req, &l);
	if (err < 0)
		return err;
	*procs = l.items;
	*n = l.n;
	return 0;
}
