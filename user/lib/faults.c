// SPDX-License-Identifier: LGPL-2.1-or-later
/* Fault accounting: track/untrack, counters, per-VMA buckets, dump. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "libvmctl-private.h"

static int track_ioctl(struct vmctl_ctx *ctx, unsigned long req, pid_t pid,
		       unsigned int flags)
{
	struct vmctl_track t = { 0 };

	if (!ctx || pid < 0)
		return -EINVAL;
	t.pid = pid;
	t.flags = flags;
	return vmctl_ioctl_ext(ctx, req, &t, sizeof(t));
}

VMCTL_EXPORT int vmctl_track(struct vmctl_ctx *ctx, pid_t pid, unsigned int flags)
{
	int err = track_ioctl(ctx, VMCTL_IOC_TRACK, pid, flags);

	return err < 0 ? err : 0;
}

VMCTL_EXPORT int vmctl_untrack(struct vmctl_ctx *ctx, pid_t pid)
{
	int err = track_ioctl(ctx, VMCTL_IOC_UNTRACK, pid, 0);

	return err < 0 ? err : 0;
}

VMCTL_EXPORT int vmctl_untrack_system(struct vmctl_ctx *ctx)
{
	int err = track_ioctl(ctx, VMCTL_IOC_UNTRACK, 0, VMCTL_TRACK_SYSTEM);

	return err < 0 ? err : 0;
}

static int get_faults(struct vmctl_ctx *ctx, pid_t pid, uint64_t flags,
		      struct vmctl_faults *out)
{
	struct vmctl_faults f = { 0 };
	int err;

	if (!ctx || !out || pid < 0)
		return -EINVAL;
	f.pid = pid;
	f.flags = flags;
	err = vmctl_ioctl_ext(ctx, VMCTL_IOC_GET_FAULTS, &f, sizeof(f));
	if (err < 0)
		return err;
	*out = f;
	return 0;
}

VMCTL_EXPORT int vmctl_get_faults(struct vmctl_ctx *ctx, pid_t pid,
				  struct vmctl_faults *out)
{
	return get_faults(ctx, pid, 0, out);
}

VMCTL_EXPORT int vmctl_get_thread_faults(struct vmctl_ctx *ctx,
					 struct vmctl_faults *out)
{
	return get_faults(ctx, 0, VMCTL_FAULTS_THREAD, out);
}

VMCTL_EXPORT uint64_t vmctl_fault_hist_lower_ns(unsigned int bucket)
{
	if (bucket == 0)
		return 0;
	if (bucket >= VMCTL_FAULT_HIST_BUCKETS)
		return UINT64_MAX;
	return 1ULL << bucket;
}

VMCTL_EXPORT uint64_t vmctl_fault_hist_upper_ns(unsigned int bucket)
{
	if (bucket >= VMCTL_FAULT_HIST_BUCKETS - 1)
		return UINT64_MAX;
	return (1ULL << (bucket + 1)) - 1;
}

/* Room for every name of a full table. */
#define NAMES_ROOM	((VMCTL_FAULT_VMAS_MAX + 1) * 4096)

VMCTL_EXPORT int vmctl_get_fault_vmas(struct vmctl_ctx *ctx, pid_t pid,
				      struct vmctl_fault_vma **vmas, size_t *n)
{
	size_t recs = (VMCTL_FAULT_VMAS_MAX + 1) * sizeof(struct vmctl_fault_vma);
	struct vmctl_fault_vmas a = { 0 };
	struct vmctl_fault_vma *v;
	char *buf, *names;
	unsigned int i;
	int err;

	if (!ctx || !vmas || !n || pid < 0)
		return -EINVAL;
	buf = malloc(recs + NAMES_ROOM);
	if (!buf)
		return -ENOMEM;
	names = buf + recs;
	a.pid = pid;
	a.vmas_addr = (uintptr_t)buf;
	a.vma_size = sizeof(struct vmctl_fault_vma);
	a.vma_count = VMCTL_FAULT_VMAS_MAX + 1;
	a.names_addr = (uintptr_t)names;
	a.names_size = NAMES_ROOM;
	err = vmctl_ioctl_ext(ctx, VMCTL_IOC_GET_FAULT_VMAS, &a, sizeof(a));
	if (err < 0) {
		free(buf);
		return err;
	}
	if (!a.vma_count) {
		free(buf);
		*vmas = NULL;
		*n = 0;
		return 0;
	}
	/* Names right after the records, offsets from the first record. */
	v = (struct vmctl_fault_vma *)buf;
	memmove(buf + a.vma_count * sizeof(*v), names, a.names_size);
	for (i = 0; i < a.vma_count; i++)
		if (v[i].name_len)
			v[i].name_off += a.vma_count * sizeof(*v);
	*vmas = v;
	*n = a.vma_count;
	return 0;
}

/* ---- netlink dump of every tracked process ---- */

static struct nla_policy faults_policy[VMCTL_A_FAULTS_MAX + 1] = {
	[VMCTL_A_FAULTS_PID] = { .type = NLA_U32 },
	[VMCTL_A_FAULTS_COMM] = { .type = NLA_STRING },
	[VMCTL_A_FAULTS_OUT_FLAGS] = { .type = NLA_U32 },
	[VMCTL_A_FAULTS_TRACKED_NS ... VMCTL_A_FAULTS_LAT_MAX_NS] = { .type = NLA_U64 },
	[VMCTL_A_FAULTS_HIST] = { .type = NLA_UNSPEC },
};

static const struct {
	int attr;
	size_t off;
} faults_u64_attrs[] = {
#define F(a, f) { VMCTL_A_FAULTS_##a, offsetof(struct vmctl_faults, f) }
	F(TRACKED_NS, tracked_ns), F(MIN_FLT, min_flt), F(MAJ_FLT, maj_flt),
	F(THREADS, threads), F(VMAS, vmas), F(MINOR, counts.minor),
	F(MAJOR, counts.major), F(WRITE, counts.write), F(EXEC, counts.exec),
	F(USER, counts.user), F(KERNEL, counts.kernel), F(RETRY, counts.retry),
	F(SIGSEGV, counts.sigsegv), F(SIGBUS, counts.sigbus), F(OOM, counts.oom),
	F(EFAULT, counts.efault), F(UNTRACED, counts.untraced),
	F(LAT_COUNT, counts.lat_count), F(LAT_TOTAL_NS, counts.lat_total_ns),
	F(LAT_MAX_NS, counts.lat_max_ns),
#undef F
};

static int faults_list_parse(struct nlattr **tb, void *arg)
{
	struct vmctl_dump_array *l = arg;
	struct vmctl_proc_faults *p;
	size_t i;

	if (!tb[VMCTL_A_FAULTS_PID] || !tb[VMCTL_A_FAULTS_MINOR])
		return -EBADMSG;
	p = vmctl_dump_slot(l);
	if (!p)
		return -ENOMEM;
	p->pid = nla_get_u32(tb[VMCTL_A_FAULTS_PID]);
	p->faults.size = sizeof(p->faults);
	p->faults.pid = p->pid;
	if (tb[VMCTL_A_FAULTS_COMM])
		nla_strlcpy(p->comm, tb[VMCTL_A_FAULTS_COMM], sizeof(p->comm));
	if (tb[VMCTL_A_FAULTS_OUT_FLAGS])
		p->faults.out_flags = nla_get_u32(tb[VMCTL_A_FAULTS_OUT_FLAGS]);
	for (i = 0; i < ARRAY_SIZE(faults_u64_attrs); i++)
		if (tb[faults_u64_attrs[i].attr])
			*(uint64_t *)((char *)&p->faults + faults_u64_attrs[i].off) =
				nla_get_u64(tb[faults_u64_attrs[i].attr]);
	if (tb[VMCTL_A_FAULTS_HIST]) {
		size_t len = nla_len(tb[VMCTL_A_FAULTS_HIST]);

		if (len > sizeof(p->faults.counts.hist))
			len = sizeof(p->faults.counts.hist);
		memcpy(p->faults.counts.hist, nla_data(tb[VMCTL_A_FAULTS_HIST]), len);
	}
	l->n++;
	return 0;
}

VMCTL_EXPORT int vmctl_list_faults(struct vmctl_ctx *ctx,
				   struct vmctl_proc_faults **procs, size_t *n)
{
	struct vmctl_dump_array l = {
		.size = sizeof(struct vmctl_proc_faults),
		.first_cap = 64,
	};
	int intr;
	struct vmctl_nl_request req = {
		.cmd = VMCTL_CMD_GET_FAULTS,
		.flags = NLM_F_DUMP,
		.maxattr = VMCTL_A_FAULTS_MAX,
		.policy = faults_policy,
		.parse = faults_list_parse,
		.arg = &l,
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
