// SPDX-License-Identifier: LGPL-2.1-or-later
/* Reserve/commit memory: reservations are mmap()s of /dev/vmctl. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "libvmctl-private.h"

VMCTL_EXPORT int vmctl_reserve(struct vmctl_ctx *ctx, size_t size, unsigned int flags,
			       void **addr)
{
	void *p;
	int err;

	if (!ctx || !addr || !size || flags)
		return -EINVAL;

	vmctl_clear_error_msg(ctx);
	err = vmctl_dev_open(ctx);
	if (err < 0)
		return err;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, ctx->dev_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	return 0;
}

static int range_ioctl(struct vmctl_ctx *ctx, unsigned long request, const void *addr,
		       size_t len, uint64_t flags)
{
	struct vmctl_range r;

	if (!ctx)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	r.flags = flags;
	r.addr = (uintptr_t)addr;
	r.len = len;
	return vmctl_ioctl_ext(ctx, request, &r, sizeof(r));
}

VMCTL_EXPORT int vmctl_commit(struct vmctl_ctx *ctx, void *addr, size_t len, unsigned int flags)
{
	return range_ioctl(ctx, VMCTL_IOC_COMMIT, addr, len, flags);
}

VMCTL_EXPORT int vmctl_decommit(struct vmctl_ctx *ctx, void *addr, size_t len)
{
	return range_ioctl(ctx, VMCTL_IOC_DECOMMIT, addr, len, 0);
}

VMCTL_EXPORT int vmctl_reset(struct vmctl_ctx *ctx, void *addr, size_t len)
{
	return range_ioctl(ctx, VMCTL_IOC_RESET, addr, len, 0);
}

VMCTL_EXPORT int vmctl_release(struct vmctl_ctx *ctx, void *addr)
{
	return range_ioctl(ctx, VMCTL_IOC_RELEASE, addr, 0, 0);
}

VMCTL_EXPORT int vmctl_query_pid(struct vmctl_ctx *ctx, pid_t pid, uint64_t addr,
				 struct vmctl_region_info *info)
{
	struct vmctl_query q;
	int err;

	if (!ctx || !info || pid < 0)
		return -EINVAL;
	memset(&q, 0, sizeof(q));
	q.pid = pid;
	q.addr = addr;
	err = vmctl_ioctl_ext(ctx, VMCTL_IOC_QUERY, &q, sizeof(q));
	if (err < 0)
		return err;

	memset(info, 0, sizeof(*info));
	info->base = q.base;
	info->size = q.region_size;
	info->state = q.state;
	info->reservation_base = q.reservation_base;
	info->reservation_size = q.reservation_size;
	info->committed_bytes = q.committed_bytes;
	info->resident_bytes = q.resident_bytes;
	return 0;
}

VMCTL_EXPORT int vmctl_query(struct vmctl_ctx *ctx, const void *addr,
			     struct vmctl_region_info *info)
{
	return vmctl_query_pid(ctx, 0, (uintptr_t)addr, info);
}

VMCTL_EXPORT int vmctl_set_commit_limit(struct vmctl_ctx *ctx, pid_t pid, uint64_t limit_bytes,
					uint64_t *committed)
{
	struct vmctl_commit_limit l;
	int err;

	if (!ctx || pid < 0)
		return -EINVAL;
	memset(&l, 0, sizeof(l));
	l.pid = pid;
	l.limit_bytes = limit_bytes;
	err = vmctl_ioctl_ext(ctx, VMCTL_IOC_SET_COMMIT_LIMIT, &l, sizeof(l));
	if (err < 0)
		return err;
	if (committed)
		*committed = l.committed_bytes;
	return 0;
}

VMCTL_EXPORT const char *vmctl_state_name(unsigned int state)
{
	static const char *const names[] = {
		[VMCTL_STATE_FREE] = "free",
		[VMCTL_STATE_RESERVED] = "reserved",
		[VMCTL_STATE_COMMITTED] = "committed",
	};

	return state < ARRAY_SIZE(names) ? names[state] : NULL;
}
