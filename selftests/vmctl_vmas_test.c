// SPDX-License-Identifier: GPL-2.0
/*
 * VMCTL_IOC_GET_VMAS: every record against its /proc/PID/smaps block
 * (start, end, perms, offset, device, inode, name, VmFlags), the cursor
 * and buffer rules, and argument checking.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmctl_test.h"
#include "vmctl_proc.h"
#include "vmctl_layout.h"

#define ALL_VMA_FLAGS	((VMCTL_VMA_NORESERVE << 1) - 1)

static void vmas_args(struct vmctl_vmas *a, pid_t pid, void *recs, unsigned int count,
		      void *names, unsigned int names_size)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->pid = pid;
	a->vmas_addr = (uintptr_t)recs;
	a->vma_size = sizeof(struct vmctl_vma);
	a->vma_count = count;
	a->names_addr = (uintptr_t)names;
	a->names_size = names_size;
}

/* Each record equals its /proc line, field by field. */
static void compare_with_proc(struct __test_metadata *_metadata,
			      const struct vmctl_listing *l,
			      const struct proc_vma *v, int n)
{
	ASSERT_EQ(n, l->n);
	for (int i = 0; i < n; i++) {
		const struct vmctl_vma *r = &l->vmas[i];
		char perms[5];

		vmctl_flags_perms(r->flags, perms);
		EXPECT_EQ(v[i].start, r->start) TH_LOG("vma %d", i);
		EXPECT_EQ(v[i].end, r->end) TH_LOG("vma %d %llx", i, (unsigned long long)r->start);
		EXPECT_STREQ(v[i].perms, perms) TH_LOG("vma %llx", (unsigned long long)r->start);
		EXPECT_EQ(v[i].offset, r->offset) TH_LOG("vma %llx", (unsigned long long)r->start);
		EXPECT_EQ(v[i].major, r->dev_major) TH_LOG("vma %llx", (unsigned long long)r->start);
		EXPECT_EQ(v[i].minor, r->dev_minor) TH_LOG("vma %llx", (unsigned long long)r->start);
		EXPECT_EQ(v[i].inode, r->inode) TH_LOG("vma %llx", (unsigned long long)r->start);
		EXPECT_STREQ(v[i].name, l->names[i]) TH_LOG("vma %llx", (unsigned long long)r->start);
		EXPECT_EQ(strlen(v[i].name), r->name_len);
		EXPECT_EQ(0, r->__reserved);
		EXPECT_EQ(0, r->flags & ~(uint64_t)ALL_VMA_FLAGS);
		if (v[i].flags) {	/* smaps */
			EXPECT_EQ(v[i].flags, r->flags) TH_LOG("vma %llx %s: smaps %#llx vmctl %#llx",
				(unsigned long long)r->start, v[i].name,
				(unsigned long long)v[i].flags, (unsigned long long)r->flags);
			EXPECT_EQ(proc_vma_kind(&v[i]), r->kind) TH_LOG("vma %llx %s %s",
				(unsigned long long)r->start, v[i].perms, v[i].name);
		}
	}
}

static const struct vmctl_vma *find_vma(const struct vmctl_listing *l, uintptr_t addr,
					const char **name)
{
	for (size_t i = 0; i < l->n; i++) {
		if (l->vmas[i].start <= addr && addr < l->vmas[i].end) {
			*name = l->names[i];
			return &l->vmas[i];
		}
	}
	*name = NULL;
	return NULL;
}

FIXTURE(vmas) {
	int fd;
	pid_t pid;
	struct layout_info *li;
};

FIXTURE_SETUP(vmas)
{
	self->pid = 0;
	self->li = NULL;
	VMCTL_OPEN_OR_SKIP(_metadata, self->fd);
}

FIXTURE_TEARDOWN(vmas)
{
	if (self->pid > 0)
		layout_cleanup(self->pid, self->li);
	if (self->fd >= 0)
		close(self->fd);
}

static void spawn_layout(struct __test_metadata *_metadata, FIXTURE_DATA(vmas) *self)
{
	int status;

	self->pid = layout_spawn(&self->li, &status);
	ASSERT_LT(0, self->pid) TH_LOG("layout child failed: status %#x step %d",
				       status, self->li ? self->li->step : -1);
}

/* The varied layout child: every record equals its smaps block. */
TEST_F(vmas, layout_child_matches_smaps)
{
	struct vmctl_listing l;
	const struct vmctl_vma *r;
	struct proc_vma *v;
	const char *why, *name;
	char expect[PATH_MAX + 16];
	long ps = page_size();
	int n;

	spawn_layout(_metadata, self);
	n = proc_vmas_read(self->pid, true, &v);
	ASSERT_LT(0, n);
	ASSERT_EQ(0, vmctl_list(self->fd, self->pid, 4096, 1 << 20, &l, &why)) TH_LOG("%s", why);
	EXPECT_EQ(1, l.calls);
	EXPECT_EQ(n, l.map_count);
	compare_with_proc(_metadata, &l, v, n);

	/* What the layout built, independently of /proc. */
	r = find_vma(&l, self->li->split, &name);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(self->li->split, r->start);
	EXPECT_EQ(self->li->split + ps, r->end);
	EXPECT_EQ(VMCTL_KIND_ANON, r->kind);
	r = find_vma(&l, self->li->split + ps, &name);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(VMCTL_KIND_GUARD, r->kind);
	EXPECT_EQ(0, r->flags & (VMCTL_VMA_READ | VMCTL_VMA_WRITE | VMCTL_VMA_EXEC));

	r = find_vma(&l, self->li->locked, &name);
	ASSERT_NE(NULL, r);
	EXPECT_TRUE(r->flags & VMCTL_VMA_LOCKED);
	EXPECT_EQ(LAYOUT_LOCK_PAGES * ps, r->end - r->start);

	r = find_vma(&l, self->li->shm, &name);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(VMCTL_KIND_SHMEM, r->kind);
	EXPECT_TRUE(r->flags & VMCTL_VMA_SHARED);
	EXPECT_STREQ("/dev/zero (deleted)", name);

	r = find_vma(&l, self->li->lower_ro, &name);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(VMCTL_KIND_FILE, r->kind);
	EXPECT_STREQ(self->li->lower_path, name);
	EXPECT_NE(0, r->inode);
	EXPECT_EQ(VMCTL_VMA_READ, r->flags);

	/* MAP_SHARED of an O_RDONLY file: VM_MAYSHARE without VM_SHARED, 's'. */
	r = find_vma(&l, self->li->lower_shared, &name);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(VMCTL_VMA_READ | VMCTL_VMA_SHARED, r->flags);
	EXPECT_EQ(VMCTL_KIND_FILE, r->kind);

	r = find_vma(&l, self->li->lower_cow, &name);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(ps, r->offset);
	EXPECT_EQ(VMCTL_VMA_READ | VMCTL_VMA_WRITE | VMCTL_VMA_ACCOUNT, r->flags);

	snprintf(expect, sizeof(expect), "%s (deleted)", self->li->deleted_path);
	r = find_vma(&l, self->li->deleted, &name);
	ASSERT_NE(NULL, r);
	EXPECT_STREQ(expect, name);
	EXPECT_EQ(self->li->deleted_is_shmem ? VMCTL_KIND_SHMEM : VMCTL_KIND_FILE, r->kind);

	r = find_vma(&l, self->li->tmpfile, &name);
	ASSERT_NE(NULL, r);
	EXPECT_STREQ(self->li->tmpfile_path, name);
	EXPECT_EQ(VMCTL_KIND_SHMEM, r->kind);

	r = find_vma(&l, self->li->memfd, &name);
	ASSERT_NE(NULL, r);
	EXPECT_STREQ("/memfd:vmctl-test (deleted)", name);
	EXPECT_EQ(VMCTL_KIND_SHMEM, r->kind);

	r = find_vma(&l, self->li->noreserve, &name);
	ASSERT_NE(NULL, r);
	EXPECT_TRUE(r->flags & VMCTL_VMA_NORESERVE);
	EXPECT_FALSE(r->flags & VMCTL_VMA_ACCOUNT);

	r = find_vma(&l, self->li->guard, &name);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(VMCTL_KIND_GUARD, r->kind);
	EXPECT_EQ(16 * ps, r->end - r->start);

	r = find_vma(&l, self->li->execmem, &name);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(VMCTL_VMA_READ | VMCTL_VMA_EXEC, r->flags);

	r = find_vma(&l, self->li->madv[0], &name);
	ASSERT_NE(NULL, r);
	EXPECT_TRUE(r->flags & VMCTL_VMA_DONTFORK);
	r = find_vma(&l, self->li->madv[1], &name);
	ASSERT_NE(NULL, r);
	EXPECT_TRUE(r->flags & VMCTL_VMA_DONTDUMP);
	r = find_vma(&l, self->li->madv[2], &name);
	ASSERT_NE(NULL, r);
	EXPECT_TRUE(r->flags & VMCTL_VMA_WIPEONFORK);

	r = find_vma(&l, self->li->brk_start, &name);
	ASSERT_NE(NULL, r);
	EXPECT_STREQ("[heap]", name);
	EXPECT_EQ(VMCTL_KIND_HEAP, r->kind) {}

	/* One [stack], growing down; one [vdso]. */
	{
		int stacks = 0, vdsos = 0;

		for (size_t i = 0; i < l.n; i++) {
			if (!strcmp(l.names[i], "[stack]")) {
				stacks++;
				EXPECT_EQ(VMCTL_KIND_STACK, l.vmas[i].kind);
				EXPECT_TRUE(l.vmas[i].flags & VMCTL_VMA_GROWSDOWN);
			}
			if (!strcmp(l.names[i], "[vdso]")) {
				vdsos++;
				EXPECT_EQ(VMCTL_KIND_SPECIAL, l.vmas[i].kind);
			}
		}
		EXPECT_EQ(1, stacks);
		EXPECT_EQ(1, vdsos);
	}
	free(v);
	vmctl_listing_free(&l);
}

/* The caller (pid 0) against /proc/self/maps read just before. */
TEST_F(vmas, self_matches_maps)
{
	static struct vmctl_vma recs[4096];
	static char names[1 << 20];
	static char text[1 << 20];
	struct vmctl_listing l = {};
	struct vmctl_vmas a;
	struct proc_vma *v;
	ssize_t len;
	int fd, n;

	/* Everything preallocated: reading changes nothing in between. */
	fd = open("/proc/self/maps", O_RDONLY);
	ASSERT_LE(0, fd);
	len = 0;
	for (;;) {
		ssize_t r = read(fd, text + len, sizeof(text) - 1 - len);

		ASSERT_LE(0, r);
		if (!r)
			break;
		len += r;
	}
	close(fd);
	text[len] = '\0';
	vmas_args(&a, 0, recs, 4096, names, sizeof(names));
	ASSERT_EQ(0, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_VMAS, &a));
	ASSERT_TRUE(a.out_flags & VMCTL_VMAS_END);

	n = proc_vmas_parse(text, false, &v);
	ASSERT_LT(0, n);
	l.n = a.vma_count;
	l.vmas = recs;
	l.names = calloc(l.n, sizeof(char *));
	ASSERT_NE(NULL, l.names);
	for (size_t i = 0; i < l.n; i++)
		l.names[i] = recs[i].name_len ? names + recs[i].name_off : "";
	EXPECT_EQ(n, a.map_count);
	compare_with_proc(_metadata, &l, v, n);
	free(l.names);
	free(v);
}

/* One record per call gives exactly the full listing. */
TEST_F(vmas, one_at_a_time_equals_full)
{
	struct vmctl_listing full, one;
	const char *why;

	spawn_layout(_metadata, self);
	ASSERT_EQ(0, vmctl_list(self->fd, self->pid, 8192, 1 << 20, &full, &why)) TH_LOG("%s", why);
	ASSERT_EQ(0, vmctl_list(self->fd, self->pid, 1, 1 << 20, &one, &why)) TH_LOG("%s", why);
	ASSERT_EQ(full.n, one.n);
	ASSERT_LE(LAYOUT_SPLIT_PAGES, full.n);
	EXPECT_LE(full.n, one.calls);
	for (size_t i = 0; i < full.n; i++) {
		ASSERT_EQ(0, memcmp(&full.vmas[i], &one.vmas[i],
				    offsetof(struct vmctl_vma, name_off))) TH_LOG("vma %zu", i);
		ASSERT_EQ(full.vmas[i].name_len, one.vmas[i].name_len);
		ASSERT_STREQ(full.names[i], one.names[i]);
	}
	vmctl_listing_free(&full);
	vmctl_listing_free(&one);
}

/* A small names buffer: fewer records per call, never a partial one. */
TEST_F(vmas, small_names_buffer_resumes)
{
	struct vmctl_listing full, small;
	const char *why;
	size_t longest = 0;

	spawn_layout(_metadata, self);
	ASSERT_EQ(0, vmctl_list(self->fd, self->pid, 8192, 1 << 20, &full, &why)) TH_LOG("%s", why);
	for (size_t i = 0; i < full.n; i++)
		if (full.vmas[i].name_len > longest)
			longest = full.vmas[i].name_len;
	/* Room for the longest name and a bit: several calls needed. */
	ASSERT_EQ(0, vmctl_list(self->fd, self->pid, 8192, longest + 1 + 7, &small, &why))
		TH_LOG("%s", why);
	EXPECT_LT(2, small.calls);
	ASSERT_EQ(full.n, small.n);
	for (size_t i = 0; i < full.n; i++) {
		ASSERT_EQ(full.vmas[i].start, small.vmas[i].start);
		ASSERT_EQ(full.vmas[i].end, small.vmas[i].end);
		ASSERT_STREQ(full.names[i], small.names[i]);
	}
	vmctl_listing_free(&full);
	vmctl_listing_free(&small);
}

/* Not even the first name fits: ENOSPC, nothing written. */
TEST_F(vmas, enospc_when_first_name_does_not_fit)
{
	struct vmctl_vma rec[4];
	char names[8];
	struct vmctl_vmas a;
	long ps = page_size();
	int fd = open("/proc/self/exe", O_RDONLY);
	char *p;

	ASSERT_LE(0, fd);
	p = mmap(NULL, ps, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);

	memset(rec, 0x5a, sizeof(rec));
	vmas_args(&a, 0, rec, 4, names, sizeof(names));
	a.addr = (uintptr_t)p;
	EXPECT_EQ(-ENOSPC, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_VMAS, &a));
	EXPECT_EQ(0x5a5a5a5a5a5a5a5aULL, rec[0].start) {}

	/* Exactly the name and its NUL fits. */
	{
		char path[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
		char *buf;

		ASSERT_LT(0, n);
		buf = malloc(n + 1);
		ASSERT_NE(NULL, buf);
		vmas_args(&a, 0, rec, 4, buf, n);
		a.addr = (uintptr_t)p;
		EXPECT_EQ(-ENOSPC, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_VMAS, &a));
		vmas_args(&a, 0, rec, 4, buf, n + 1);
		a.addr = (uintptr_t)p;
		ASSERT_EQ(0, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_VMAS, &a));
		ASSERT_LE(1, a.vma_count);
		EXPECT_EQ((uintptr_t)p, rec[0].start);
		EXPECT_EQ(n, rec[0].name_len);
		EXPECT_EQ(0, rec[0].name_off);
		EXPECT_EQ(0, memcmp(buf, path, n));
		EXPECT_EQ('\0', buf[n]);
		free(buf);
	}
	munmap(p, ps);
}

/* The cursor: VMAs that end above addr, so a VMA containing addr first. */
TEST_F(vmas, cursor_starts_inside_vma)
{
	struct vmctl_vma rec[2];
	static char names[65536];
	struct vmctl_vmas a;
	long ps = page_size();
	char *p = map_isolated(4, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);

	ASSERT_NE(MAP_FAILED, p);
	vmas_args(&a, 0, rec, 1, names, sizeof(names));
	a.addr = (uintptr_t)p + 2 * ps + 1;
	ASSERT_EQ(0, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_VMAS, &a));
	ASSERT_EQ(1, a.vma_count);
	EXPECT_EQ((uintptr_t)p, rec[0].start);
	EXPECT_EQ((uintptr_t)p + 4 * ps, rec[0].end);
	EXPECT_EQ(rec[0].end, a.next_addr);
	EXPECT_FALSE(a.out_flags & VMCTL_VMAS_END);

	/* Past the last VMA: nothing, and the end. */
	vmas_args(&a, 0, rec, 2, names, sizeof(names));
	a.addr = 0x7ffffffff000ULL;
	ASSERT_EQ(0, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_VMAS, &a));
	EXPECT_EQ(0, a.vma_count);
	EXPECT_TRUE(a.out_flags & VMCTL_VMAS_END);
	munmap(p, 4 * ps);
}

/* Without a names buffer the records still come, all of them. */
TEST_F(vmas, no_names_buffer)
{
	static struct vmctl_vma recs[4096];
	struct vmctl_vmas a;

	vmas_args(&a, 0, recs, 4096, NULL, 0);
	ASSERT_EQ(0, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_VMAS, &a));
	EXPECT_TRUE(a.out_flags & VMCTL_VMAS_END);
	EXPECT_EQ(a.map_count, a.vma_count);
	EXPECT_EQ(0, a.names_size);
}

/* A larger record: stride vma_size, the extra bytes untouched. */
TEST_F(vmas, larger_vma_size_strides)
{
	struct big { struct vmctl_vma v; __u64 extra; } *big;
	struct vmctl_listing full;
	static char names[1 << 20];
	struct vmctl_vmas a;
	const char *why;

	spawn_layout(_metadata, self);
	ASSERT_EQ(0, vmctl_list(self->fd, self->pid, 8192, 1 << 20, &full, &why)) TH_LOG("%s", why);
	big = calloc(full.n + 16, sizeof(*big));
	ASSERT_NE(NULL, big);
	for (size_t i = 0; i < full.n + 16; i++)
		big[i].extra = 0xa5a5a5a5a5a5a5a5ULL;
	vmas_args(&a, self->pid, big, full.n + 16, names, sizeof(names));
	a.vma_size = sizeof(*big);
	ASSERT_EQ(72, a.vma_size);
	ASSERT_EQ(0, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_VMAS, &a));
	ASSERT_EQ(full.n, a.vma_count);
	for (size_t i = 0; i < full.n; i++) {
		ASSERT_EQ(0, memcmp(&full.vmas[i], &big[i].v,
				    offsetof(struct vmctl_vma, name_off))) TH_LOG("vma %zu", i);
		ASSERT_EQ(0xa5a5a5a5a5a5a5a5ULL, big[i].extra) TH_LOG("vma %zu", i);
		ASSERT_STREQ(full.names[i], big[i].v.name_len ? names + big[i].v.name_off : "");
	}
	free(big);
	vmctl_listing_free(&full);
}

/*
 * An array at an odd address takes the record-by-record copy: the same
 * records, name offsets moved on across batches, nothing past the end.
 */
TEST_F(vmas, unaligned_array_same_records)
{
	const size_t rs = sizeof(struct vmctl_vma);
	static char names[1 << 20];
	struct vmctl_listing full;
	struct vmctl_vmas a;
	unsigned char *buf;
	const char *why;
	size_t i, len;

	spawn_layout(_metadata, self);
	ASSERT_EQ(0, vmctl_list(self->fd, self->pid, 8192, 1 << 20, &full, &why)) TH_LOG("%s", why);
	/* More records than one batch, so later batches' offsets move. */
	ASSERT_LT(1024, full.n);
	len = 1 + (full.n + 16) * rs;
	buf = malloc(len + 64);
	ASSERT_NE(NULL, buf);
	memset(buf, 0x5a, len + 64);
	vmas_args(&a, self->pid, buf + 1, full.n + 16, names, sizeof(names));
	ASSERT_EQ(0, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_VMAS, &a));
	ASSERT_EQ(full.n, a.vma_count);
	for (i = 0; i < full.n; i++) {
		struct vmctl_vma v;

		memcpy(&v, buf + 1 + i * rs, rs);
		ASSERT_EQ(0, memcmp(&full.vmas[i], &v, offsetof(struct vmctl_vma, name_off)))
			TH_LOG("vma %zu", i);
		ASSERT_EQ(full.vmas[i].name_len, v.name_len) TH_LOG("vma %zu", i);
		ASSERT_STREQ(full.names[i], v.name_len ? names + v.name_off : "")
			TH_LOG("vma %zu", i);
	}
	EXPECT_EQ(0x5a, buf[0]);
	for (i = 1 + full.n * rs; i < len + 64; i++)
		ASSERT_EQ(0x5a, buf[i]) TH_LOG("byte %zu past the records written", i);
	free(buf);
	vmctl_listing_free(&full);
}

TEST_F(vmas, rejects_bad_vma_size)
{
	static char recs[64 * 128], names[4096];
	__u32 sizes[] = { 0, 8, 32, 56, 60, 63, 65, 66, 68, 70, 1U << 31 };
	struct vmctl_vmas a;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		vmas_args(&a, 0, recs, 2, names, sizeof(names));
		a.vma_size = sizes[i];
		EXPECT_EQ(-EINVAL, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_VMAS, &a)) {
			TH_LOG("vma_size %u", sizes[i]);
		}
	}
}

TEST_F(vmas, rejects_bad_args)
{
	static struct vmctl_vma recs[4];
	static char names[4096];
	union {
		struct vmctl_vmas a;
		unsigned char bytes[sizeof(struct vmctl_vmas) + 32];
	} u;
	__u64 sizes[] = { 0, 8, 24, sizeof(u.a) - 8, sizeof(u.a) - 1 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		vmas_args(&u.a, 0, recs, 4, names, sizeof(names));
		u.a.size = sizes[i];
		EXPECT_EQ(-EINVAL, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_VMAS, &u.a)) {
			TH_LOG("size %llu", (unsigned long long)sizes[i]);
		}
	}
	for (int bit = 0; bit < 64; bit++) {
		vmas_args(&u.a, 0, recs, 4, names, sizeof(names));
		u.a.flags = 1ULL << bit;
		EXPECT_EQ(-EINVAL, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_VMAS, &u.a)) {
			TH_LOG("flag bit %d", bit);
		}
	}
	vmas_args(&u.a, 0, recs, 4, names, sizeof(names));
	u.a.__reserved = 1;
	EXPECT_EQ(-EINVAL, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_VMAS, &u.a));
	vmas_args(&u.a, -1, recs, 4, names, sizeof(names));
	EXPECT_EQ(-EINVAL, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_VMAS, &u.a));

	/* Larger struct: zero tail fine, non-zero tail E2BIG, > page E2BIG. */
	memset(&u, 0, sizeof(u));
	vmas_args(&u.a, 0, recs, 4, names, sizeof(names));
	u.a.size = sizeof(u);
	EXPECT_EQ(0, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_VMAS, &u.a));
	EXPECT_EQ(4, u.a.vma_count);
	for (size_t i = sizeof(u.a); i < sizeof(u); i++) {
		ASSERT_EQ(0, u.bytes[i]) TH_LOG("byte %zu written", i);
	}
	u.bytes[sizeof(u) - 1] = 1;
	u.a.vma_count = 4;
	EXPECT_EQ(-E2BIG, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_VMAS, &u.a));
	vmas_args(&u.a, 0, recs, 4, names, sizeof(names));
	u.a.size = 1 << 20;
	EXPECT_EQ(-E2BIG, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_VMAS, &u.a));
}

TEST_F(vmas, faults_on_bad_pointers)
{
	static struct vmctl_vma recs[4];
	static char names[4096];
	long ps = page_size();
	struct vmctl_vmas a;
	void *ro;

	EXPECT_EQ(-EFAULT, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_VMAS, NULL));
	vmas_args(&a, 0, (void *)8, 4, names, sizeof(names));
	EXPECT_EQ(-EFAULT, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_VMAS, &a));
	vmas_args(&a, 0, recs, 4, (void *)8, 4096);
	EXPECT_EQ(-EFAULT, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_VMAS, &a));
	ro = mmap(NULL, ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	vmas_args(&a, 0, ro, 4, names, sizeof(names));
	EXPECT_EQ(-EFAULT, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_VMAS, &a));
	vmas_args(&a, 0, recs, 4, ro, ps);
	EXPECT_EQ(-EFAULT, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_VMAS, &a));
	munmap(ro, ps);
}

TEST_F(vmas, errors_for_missing_zombie_kthread)
{
	static struct vmctl_vma recs[4];
	static char names[4096];
	struct vmctl_vmas a;
	siginfo_t si;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(0);
	ASSERT_EQ(0, waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	vmas_args(&a, pid, recs, 4, names, sizeof(names));
	EXPECT_EQ(-ENODATA, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_VMAS, &a));
	waitpid(pid, NULL, 0);
	vmas_args(&a, pid, recs, 4, names, sizeof(names));
	EXPECT_EQ(-ESRCH, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_VMAS, &a));
	vmas_args(&a, 2, recs, 4, names, sizeof(names));
	EXPECT_EQ(-ENODATA, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_VMAS, &a));
}

TEST_F(vmas, eacces_for_other_users)
{
	int status;
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root to switch users");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		static struct vmctl_vma recs[4096];
		static char names[1 << 16];
		struct vmctl_vmas a;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		vmas_args(&a, 1, recs, 4096, names, sizeof(names));
		if (ioctl(self->fd, VMCTL_IOC_GET_VMAS, &a) != -1 || errno != EACCES)
			_exit(11);
		vmas_args(&a, 0, recs, 4096, names, sizeof(names));
		if (ioctl(self->fd, VMCTL_IOC_GET_VMAS, &a) || !a.vma_count)
			_exit(12);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("11: pid 1 readable, 12: self failed");
}

TEST_HARNESS_MAIN
