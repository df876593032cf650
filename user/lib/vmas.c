// SPDX-License-Identifier: LGPL-2.1-or-later
/* VMA listing: ioctl and netlink flavours, and naming helpers. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "libvmctl-private.h"

_Static_assert(sizeof(struct vmctl_vma) == 64, "struct vmctl_vma is 64 bytes in ABI 1");

VMCTL_EXPORT const char *vmctl_kind_name(unsigned int kind)
{
	static const char *const names[] = {
		[VMCTL_KIND_ANON] = "anon",
		[VMCTL_KIND_FILE] = "file",
		[VMCTL_KIND_SHMEM] = "shmem",
		[VMCTL_KIND_STACK] = "stack",
		[VMCTL_KIND_HEAP] = "heap",
		[VMCTL_KIND_HUGETLB] = "hugetlb",
		[VMCTL_KIND_SPECIAL] = "special",
		[VMCTL_KIND_GUARD] = "guard",
		[VMCTL_KIND_RESERVED] = "reserved",
	};

	if (kind >= ARRAY_SIZE(names))
		return NULL;
	return names[kind];
}

VMCTL_EXPORT char *vmctl_vma_perms(uint64_t flags, char *buf)
{
	buf[0] = flags & VMCTL_VMA_READ ? 'r' : '-';
	buf[1] = flags & VMCTL_VMA_WRITE ? 'w' : '-';
	buf[2] = flags & VMCTL_VMA_EXEC ? 'x' : '-';
	buf[3] = flags & VMCTL_VMA_SHARED ? 's' : 'p';
	buf[4] = '\0';
	return buf;
}

VMCTL_EXPORT const char *vmctl_vma_flag_name(uint64_t flag)
{
	static const char *const names[] = {
		"read", "write", "exec", "shared", "locked", "account", "growsdown",
		"io", "pfnmap", "dontfork", "dontdump", "hugepage", "nohugepage",
		"wipeonfork", "noreserve",
	};
	unsigned int bit;

	if (!flag || (flag & (flag - 1)))
		return NULL;
	bit = (unsigned int)__builtin_ctzll(flag);
	return bit < ARRAY_SIZE(names) ? names[bit] : NULL;
}

/*
 * A growing list of records and of the names they point to, in the single
 * allocation that vmctl.h documents: room for @cap records, then the
 * names region of @size bytes at @names_off (always @cap records in).
 * Accepted records already hold their final name_off, the offset of the
 * name from the start of the allocation, so the kernel can write records
 * and names straight into place and the result is ready once the names
 * stop growing. Growing the records region moves the names region up.
 */
struct vma_list {
	struct vmctl_vma *recs;
	size_t n, cap;
	size_t names_off;
	size_t used, size;
};

/* Room for the name a VMA can have: a path, " (deleted)" and the NUL. */
#define NAME_ROOM_MIN	(PATH_MAX + 64)
/*
 * The first batch's block, 96 KiB, stays below malloc()'s default mmap
 * threshold (128 KiB): listing the caller's own small address space then
 * takes no new mapping, which would change what is being listed.
 */
#define FIRST_RECS	1024
#define FIRST_NAMES	(32 * 1024)
/* Most records one growth step asks for, whatever map_count says. */
#define MAX_BATCH	(1024 * 1024)
/* The result must stay addressable by the 32-bit name_off. */
#define RESULT_MAX	((size_t)UINT32_MAX)

static char *vma_list_names(const struct vma_list *l)
{
	return (char *)l->recs + l->names_off;
}

/* Adds @delta to the name_off of every named record. */
static void vma_list_rebase(struct vma_list *l, size_t delta)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->recs[i].name_len)
			l->recs[i].name_off += (uint32_t)delta;
}

/* Makes room for @recs more records and @names more bytes of names. */
static int vma_list_reserve(struct vma_list *l, size_t recs, size_t names)
{
	size_t cap = l->cap, size = l->size, names_off;
	char *p;

	if (cap - l->n >= recs && size - l->used >= names)
		return 0;
	if (cap - l->n < recs) {
		cap = l->n + recs;
		if (cap < 2 * l->cap)
			cap = 2 * l->cap;
	}
	if (size - l->used < names) {
		size = l->used + names;
		if (size < 2 * l->size)
			size = 2 * l->size;
	}
	if (cap > RESULT_MAX / sizeof(*l->recs))
		return -EOVERFLOW;
	names_off = cap * sizeof(*l->recs);
	/* Less room for names than asked is fine, as long as it grows. */
	if (size > RESULT_MAX - names_off) {
		size = RESULT_MAX - names_off;
		if (size < l->used || (size - l->used < names && size <= l->size))
			return -EOVERFLOW;
	}

	p = realloc(l->recs, names_off + size);
	if (!p)
		return -ENOMEM;
	l->recs = (struct vmctl_vma *)p;
	if (names_off != l->names_off) {
		/* Only growth moves it: up, over the new records' room. */
		memmove(p + names_off, p + l->names_off, l->used);
		vma_list_rebase(l, names_off - l->names_off);
		l->names_off = names_off;
	}
	l->cap = cap;
	l->size = size;
	return 0;
}

static void vma_list_reset(struct vma_list *l)
{
	l->n = 0;
	l->used = 0;
}

static void vma_list_free(struct vma_list *l)
{
	free(l->recs);
	memset(l, 0, sizeof(*l));
}

/* Hand the list over as one allocation; @l is empty afterwards. */
static int vma_list_finish(struct vma_list *l, struct vmctl_vma **vmas, size_t *n)
{
	size_t base = l->n * sizeof(*l->recs), i;
	struct vmctl_vma *out;

	if (!l->n) {
		vma_list_free(l);
		*vmas = NULL;
		*n = 0;
		return 0;
	}

	/*
	 * The headroom of the last batch (a few records and some room for
	 * names when it was sized from an accurate map_count) stays unless
	 * it is more than an eighth of the result: a caller that frees the
	 * result and lists again then finds a block of the same size, which
	 * malloc() keeps for it rather than handing back fresh pages.
	 */
	if (l->names_off + l->size - (base + l->used) > (base + l->used) / 8) {
		memmove((char *)l->recs + base, vma_list_names(l), l->used);
		for (i = 0; i < l->n; i++)
			if (l->recs[i].name_len)
				l->recs[i].name_off -= (uint32_t)(l->names_off - base);
		out = realloc(l->recs, base + l->used);
		if (out)
			l->recs = out;	/* else keep the larger block */
	}

	*vmas = l->recs;
	*n = l->n;
	l->recs = NULL;
	vma_list_free(l);
	return 0;
}

/*
 * Check the @count records the kernel just wrote at l->recs[l->n] against
 * the @used bytes of names it wrote at the end of the names region, and
 * rebase their name_off on the start of the allocation.
 */
static int vma_batch_accept(struct vma_list *l, size_t count, size_t used)
{
	struct vmctl_vma *v = l->recs + l->n, *end = v + count;
	const char *names = vma_list_names(l) + l->used;
	uint32_t base = (uint32_t)(l->names_off + l->used);

	for (; v < end; v++) {
		size_t off, len = v->name_len;

		v->__reserved = 0;
		if (!len) {
			v->name_off = 0;
			continue;
		}
		off = v->name_off;
		if (off >= used || len >= used - off || names[off + len] != '\0')
			return -EIO;
		v->name_off = base + (uint32_t)off;
	}
	l->n += count;
	l->used += used;
	return 0;
}

static uint32_t clamp_u32(size_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

VMCTL_EXPORT int vmctl_get_vmas(struct vmctl_ctx *ctx, pid_t pid, struct vmctl_vma **vmas,
				size_t *n)
{
	struct vma_list l = { 0 };
	size_t want_recs = FIRST_RECS, want_names = FIRST_NAMES;
	unsigned int stalls = 0;
	uint64_t addr = 0;
	int err;

	if (!ctx || !vmas || !n || pid < 0)
		return -EINVAL;

	for (;;) {
		struct vmctl_vmas q = { 0 };
		size_t remaining, avg;

		err = vma_list_reserve(&l, want_recs, want_names);
		if (err < 0)
			goto fail;

		q.pid = pid;
		q.addr = addr;
		q.vmas_addr = (uintptr_t)(l.recs + l.n);
		q.vma_size = sizeof(struct vmctl_vma);
		q.vma_count = clamp_u32(l.cap - l.n);
		q.names_addr = (uintptr_t)(vma_list_names(&l) + l.used);
		q.names_size = clamp_u32(l.size - l.used);

		err = vmctl_ioctl_ext(ctx, VMCTL_IOC_GET_VMAS, &q, sizeof(q));
		if (err == -ENOSPC) {
			/* Not even one name fitted: give more room. */
			if (++stalls > 4)
				goto fail;
			want_recs = 1;
			want_names = 2 * (l.size - l.used);
			continue;
		}
		if (err < 0)
			goto fail;

		if (q.vma_count > l.cap - l.n || q.names_size > l.size - l.used) {
			err = -EIO;
			goto fail;
		}
		err = vma_batch_accept(&l, q.vma_count, q.names_size);
		if (err < 0)
			goto fail;

		if (q.out_flags & VMCTL_VMAS_END)
			break;

		if (q.vma_count) {
			if (q.next_addr <= addr) {
				err = -EIO;	/* the cursor must move on */
				goto fail;
			}
			addr = q.next_addr;
			stalls = 0;
		} else if (++stalls > 4) {
			err = -EIO;	/* room for records and names, yet nothing */
			goto fail;
		}

		/*
		 * Size the next batch for the rest of the address space, from
		 * the map count and the names seen so far, with some slack for
		 * a growing process. A batch that took nothing ran out of room
		 * for names: double it.
		 */
		remaining = q.map_count > l.n ? q.map_count - l.n : 0;
		if (remaining > MAX_BATCH)
			remaining = MAX_BATCH;
		remaining += 64;
		avg = l.n ? l.used / l.n + 1 : 64;
		want_recs = remaining;
		want_names = remaining * avg + NAME_ROOM_MIN;
		if (!q.vma_count)
			want_names = 2 * (l.size - l.used);
	}

	return vma_list_finish(&l, vmas, n);

fail:
	vma_list_free(&l);
	return err;
}

static struct nla_policy vma_policy[VMCTL_A_VMA_MAX + 1] = {
	[VMCTL_A_VMA_PID] = { .type = NLA_U32 },
	[VMCTL_A_VMA_START] = { .type = NLA_U64 },
	[VMCTL_A_VMA_END] = { .type = NLA_U64 },
	[VMCTL_A_VMA_OFFSET] = { .type = NLA_U64 },
	[VMCTL_A_VMA_INODE] = { .type = NLA_U64 },
	[VMCTL_A_VMA_DEV_MAJOR] = { .type = NLA_U32 },
	[VMCTL_A_VMA_DEV_MINOR] = { .type = NLA_U32 },
	[VMCTL_A_VMA_FLAGS] = { .type = NLA_U64 },
	[VMCTL_A_VMA_KIND] = { .type = NLA_U32 },
	[VMCTL_A_VMA_NAME] = { .type = NLA_STRING },
};

struct vma_dump {
	struct vma_list list;
	pid_t pid;
};

static int vma_put_pid(struct nl_msg *msg, void *arg)
{
	const struct vma_dump *d = arg;

	return nla_put_u32(msg, VMCTL_A_VMA_PID, (uint32_t)d->pid) < 0 ? -EMSGSIZE : 0;
}

static uint64_t get_u64(struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

static uint32_t get_u32(struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

static int vma_parse(struct nlattr **tb, void *arg)
{
	struct vma_dump *d = arg;
	struct vma_list *l = &d->list;
	struct nlattr *name = tb[VMCTL_A_VMA_NAME];
	size_t len = name ? strnlen(nla_data(name), nla_len(name)) : 0;
	struct vmctl_vma *v;
	int err;

	if (!tb[VMCTL_A_VMA_START] || !tb[VMCTL_A_VMA_END])
		return -EBADMSG;

	err = vma_list_reserve(l, 1, len + 1);
	if (err < 0)
		return err;

	v = &l->recs[l->n];
	memset(v, 0, sizeof(*v));
	v->start = get_u64(tb[VMCTL_A_VMA_START]);
	v->end = get_u64(tb[VMCTL_A_VMA_END]);
	v->offset = get_u64(tb[VMCTL_A_VMA_OFFSET]);
	v->inode = get_u64(tb[VMCTL_A_VMA_INODE]);
	v->flags = get_u64(tb[VMCTL_A_VMA_FLAGS]);
	v->dev_major = get_u32(tb[VMCTL_A_VMA_DEV_MAJOR]);
	v->dev_minor = get_u32(tb[VMCTL_A_VMA_DEV_MINOR]);
	v->kind = get_u32(tb[VMCTL_A_VMA_KIND]);
	if (len) {
		char *dst = vma_list_names(l) + l->used;

		v->name_off = (uint32_t)(l->names_off + l->used);
		v->name_len = (uint32_t)len;
		memcpy(dst, nla_data(name), len);
		dst[len] = '\0';
		l->used += len + 1;
	}
	l->n++;
	return 0;
}

VMCTL_EXPORT int vmctl_nl_get_vmas(struct vmctl_ctx *ctx, pid_t pid, struct vmctl_vma **vmas,
				   size_t *n)
{
	struct vma_dump d = { .pid = pid };
	int intr = 0;
	struct vmctl_nl_request req = {
		.cmd = VMCTL_CMD_GET_VMAS,
		.flags = NLM_F_DUMP,
		.put = vma_put_pid,
		.maxattr = VMCTL_A_VMA_MAX,
		.policy = vma_policy,
		.parse = vma_parse,
		.arg = &d,
		.dump_intr = &intr,
	};
	unsigned int attempt;
	int err;

	if (!ctx || !vmas || !n || pid < 0)
		return -EINVAL;

	for (attempt = 0; attempt < VMCTL_NL_VMAS_RETRIES; attempt++) {
		vma_list_reset(&d.list);
		err = vmctl_nl_transact(ctx, &req);
		if (err < 0) {
			vma_list_free(&d.list);
			return err;
		}
		if (!intr)
			return vma_list_finish(&d.list, vmas, n);
	}

	vma_list_free(&d.list);
	return -EAGAIN;
}
