// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libvmctl statistics and VMA listing against the live module. Every test
 * skips unless /dev/vmctl is usable and the module has the feature, so on
 * a host without the module they all skip; run them in the dev VM:
 *   scripts/vm -- selftests/run -d build/user/tests test_live
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmctl.h"

static uint64_t features(void)
{
	struct vmctl_version v;
	struct vmctl_ctx *ctx;
	int err;

	if (access(VMCTL_DEVICE_PATH, R_OK | W_OK) != 0 || vmctl_new(&ctx) < 0)
		return 0;
	err = vmctl_get_version(ctx, &v);
	vmctl_unref(ctx);
	return err < 0 ? 0 : v.features;
}

#define NEED(feat) do {							\
	if ((features() & (feat)) != (feat))				\
		SKIP(return, "module without %s", #feat);		\
} while (0)

static uint64_t read_u64_file(const char *path)
{
	unsigned long long v = 0;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

static int is_kthreadd(pid_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	return !strcmp(comm, "kthreadd\n");
}

/* One line of /proc/self/maps. */
struct maps_line {
	unsigned long long start, end, offset, inode;
	unsigned int major, minor;
	char perms[5];
	char name[256];
};

static char maps_buf[1 << 20];

/* Parse /proc/self/maps without allocating; kernel addresses (vsyscall) are skipped. */
static int read_maps(struct maps_line *lines, int max)
{
	ssize_t len = 0, r;
	char *p, *nl;
	int fd, n = 0;

	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((r = read(fd, maps_buf + len, sizeof(maps_buf) - 1 - len)) > 0)
		len += r;
	close(fd);
	maps_buf[len] = '\0';

	for (p = maps_buf; *p && n < max; p = nl + 1) {
		struct maps_line *l = &lines[n];
		int pos = 0;

		nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = '\0';
		if (sscanf(p, "%llx-%llx %4s %llx %x:%x %llu %n", &l->start, &l->end, l->perms,
			   &l->offset, &l->major, &l->minor, &l->inode, &pos) < 7)
			return -1;
		snprintf(l->name, sizeof(l->name), "%s", p + pos);
		if (l->start >= 0x800000000000ULL)
			continue;
		n++;
	}
	return n;
}

TEST(stats_self)
{
	struct vmctl_stats st, again;
	uint64_t count = 0, bytes = 0;
	struct vmctl_ctx *ctx;
	unsigned int k;

	NEED(VMCTL_FEATURE_STATS);
	ASSERT_EQ(0, vmctl_new(&ctx));
	memset(&st, 0xff, sizeof(st));
	ASSERT_EQ(0, vmctl_get_stats(ctx, 0, &st));
	EXPECT_EQ(sizeof(st), st.size);
	EXPECT_EQ(0, st.flags);
	EXPECT_EQ(0, st.__reserved);
	EXPECT_LT(0, st.map_count);
	EXPECT_EQ(read_u64_file("/proc/sys/vm/max_map_count"), st.max_map_count);
	EXPECT_EQ(st.rss_bytes, st.rss_anon_bytes + st.rss_file_bytes + st.rss_shmem_bytes);
	EXPECT_LE(st.vsz_bytes, st.hiwater_vm_bytes);
	for (k = 0; k < VMCTL_KINDS_MAX; k++) {
		count += st.kinds[k].count;
		bytes += st.kinds[k].bytes;
		if (k >= VMCTL_KIND_COUNT)
			EXPECT_EQ(0, st.kinds[k].count);
	}
	EXPECT_EQ(st.map_count, count);
	EXPECT_EQ(st.vsz_bytes, bytes);
	EXPECT_LT(0, st.kinds[VMCTL_KIND_STACK].count);

	/* 0 and the own pid are the same process. */
	ASSERT_EQ(0, vmctl_get_stats(ctx, getpid(), &again));
	EXPECT_EQ(getpid(), again.pid);
	EXPECT_EQ(st.map_count, again.map_count);
	vmctl_unref(ctx);
}

TEST(stats_errors)
{
	struct vmctl_stats st;
	struct vmctl_vma *vmas;
	struct vmctl_ctx *ctx;
	size_t n;
	pid_t child;
	int status;

	NEED(VMCTL_FEATURE_STATS | VMCTL_FEATURE_VMAS);
	ASSERT_EQ(0, vmctl_new(&ctx));

	/* A reaped child's pid names nobody (until it is reused). */
	child = fork();
	ASSERT_LE(0, child);
	if (!child)
		_exit(0);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_EQ(-ESRCH, vmctl_get_stats(ctx, child, &st));
	EXPECT_EQ(-ESRCH, vmctl_get_vmas(ctx, child, &vmas, &n));

	/* A zombie has no address space. */
	child = fork();
	ASSERT_LE(0, child);
	if (!child)
		_exit(0);
	ASSERT_EQ(0, waitid(P_PID, child, NULL, WEXITED | WNOWAIT));
	EXPECT_EQ(-ENODATA, vmctl_get_stats(ctx, child, &st));
	EXPECT_EQ(-ENODATA, vmctl_get_vmas(ctx, child, &vmas, &n));
	ASSERT_EQ(child, waitpid(child, &status, 0));

	/* Neither has a kernel thread (kthreadd is pid 2 outside a pid namespace). */
	if (is_kthreadd(2)) {
		EXPECT_EQ(-ENODATA, vmctl_get_stats(ctx, 2, &st));
		EXPECT_EQ(-ENODATA, vmctl_get_vmas(ctx, 2, &vmas, &n));
	}
	vmctl_unref(ctx);
}

TEST(stats_eacces)
{
	struct vmctl_stats st;
	struct vmctl_ctx *ctx;
	pid_t child;
	int status;

	NEED(VMCTL_FEATURE_STATS);
	if (geteuid() != 0)
		SKIP(return, "needs root to switch to another user");

	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		int err;

		if (vmctl_new(&ctx) < 0 || vmctl_get_stats(ctx, 0, &st) < 0)
			_exit(10);	/* opens /dev/vmctl while still root */
		if (setgid(65534) || setuid(65534))
			_exit(11);
		err = vmctl_get_stats(ctx, getppid(), &st);
		_exit(err == -EACCES ? 0 : 20 + (-err & 0x3f));
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

static void check_vmas_sane(struct __test_metadata *_metadata, const struct vmctl_vma *vmas,
			    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *name = vmctl_vma_name(vmas, &vmas[i]);

		ASSERT_LT(vmas[i].start, vmas[i].end);
		if (i)
			ASSERT_LE(vmas[i - 1].end, vmas[i].start);
		ASSERT_LT(vmas[i].kind, VMCTL_KIND_COUNT);
		ASSERT_EQ(0, vmas[i].__reserved);
		if (name)
			ASSERT_EQ(strlen(name), vmas[i].name_len);
	}
}

TEST(vmas_self_match_proc_maps)
{
	static struct maps_line lines[4096];
	char perms[VMCTL_PERMS_SIZE];
	struct vmctl_vma *vmas;
	struct vmctl_ctx *ctx;
	int nlines = 0, attempt;
	size_t n = 0, i;

	NEED(VMCTL_FEATURE_VMAS);
	ASSERT_EQ(0, vmctl_new(&ctx));

	/* Allocations may change the address space: retry until stable. */
	for (attempt = 0; attempt < 5; attempt++) {
		ASSERT_EQ(0, vmctl_get_vmas(ctx, 0, &vmas, &n));
		free(vmas);
		nlines = read_maps(lines, 4096);
		ASSERT_LT(0, nlines);
		ASSERT_EQ(0, vmctl_get_vmas(ctx, 0, &vmas, &n));
		if (n == (size_t)nlines && vmas[n - 1].end == lines[nlines - 1].end)
			break;
		free(vmas);
		vmas = NULL;
	}
	ASSERT_NE(NULL, vmas);
	ASSERT_EQ((size_t)nlines, n);
	check_vmas_sane(_metadata, vmas, n);

	for (i = 0; i < n; i++) {
		const struct vmctl_vma *v = &vmas[i];
		const char *name = vmctl_vma_name(vmas, v);

		EXPECT_EQ(lines[i].start, v->start);
		EXPECT_EQ(lines[i].end, v->end);
		EXPECT_STREQ(lines[i].perms, vmctl_vma_perms(v->flags, perms));
		EXPECT_EQ(lines[i].offset, v->offset);
		EXPECT_EQ(lines[i].major, v->dev_major);
		EXPECT_EQ(lines[i].minor, v->dev_minor);
		EXPECT_EQ(lines[i].inode, v->inode);
		EXPECT_STREQ(lines[i].name, name ? name : "");
		if (!strcmp(lines[i].name, "[stack]"))
			EXPECT_EQ(VMCTL_KIND_STACK, v->kind);
		if (!strcmp(lines[i].name, "[heap]"))
			EXPECT_EQ(VMCTL_KIND_HEAP, v->kind);
	}
	free(vmas);
	vmctl_unref(ctx);
}

/* Many VMAs: several ioctl batches, names and all. */
TEST(vmas_many)
{
	const size_t pages = 6000;
	long psz = sysconf(_SC_PAGESIZE);
	struct vmctl_vma *vmas;
	struct vmctl_stats st;
	struct vmctl_ctx *ctx;
	size_t n, i, inside = 0;
	char *p;

	NEED(VMCTL_FEATURE_VMAS | VMCTL_FEATURE_STATS);
	ASSERT_EQ(0, vmctl_new(&ctx));
	p = mmap(NULL, pages * psz, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < pages; i += 2)
		ASSERT_EQ(0, mprotect(p + i * psz, psz, PROT_READ | PROT_WRITE));

	ASSERT_EQ(0, vmctl_get_vmas(ctx, 0, &vmas, &n));
	ASSERT_EQ(0, vmctl_get_stats(ctx, 0, &st));
	EXPECT_LE(pages, n);
	EXPECT_EQ(st.map_count, n);
	EXPECT_LE(pages - 1, st.split_pairs);
	check_vmas_sane(_metadata, vmas, n);
	for (i = 0; i < n; i++)
		if (vmas[i].start >= (uintptr_t)p && vmas[i].end <= (uintptr_t)p + pages * psz) {
			EXPECT_EQ(VMCTL_KIND_ANON, vmas[i].kind);
			EXPECT_EQ((uint64_t)psz, vmas[i].end - vmas[i].start);
			inside++;
		}
	EXPECT_EQ(pages, inside);
	free(vmas);

	if (features() & VMCTL_FEATURE_NETLINK) {
		ASSERT_EQ(0, vmctl_nl_get_vmas(ctx, 0, &vmas, &n));
		EXPECT_LE(pages, n);
		check_vmas_sane(_metadata, vmas, n);
		free(vmas);
	}
	munmap(p, pages * psz);
	vmctl_unref(ctx);
}

/* A name longer than most: a deep path of a mapped file. */
TEST(vmas_long_name)
{
	char path[3000] = "/tmp/vmctl-long";
	struct vmctl_vma *vmas;
	struct vmctl_ctx *ctx;
	size_t n, i, len;
	int fd, found = 0;
	void *p;

	NEED(VMCTL_FEATURE_VMAS);
	mkdir(path, 0700);
	while ((len = strlen(path)) < 2800) {
		strcat(path, "/ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd");
		mkdir(path, 0700);
	}
	strcat(path, "/file");
	fd = open(path, O_RDWR | O_CREAT, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 4096));
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	unlink(path);

	ASSERT_EQ(0, vmctl_new(&ctx));
	ASSERT_EQ(0, vmctl_get_vmas(ctx, 0, &vmas, &n));
	strcat(path, " (deleted)");
	for (i = 0; i < n; i++) {
		if (vmas[i].start != (uintptr_t)p)
			continue;
		found = 1;
		EXPECT_STREQ(path, vmctl_vma_name(vmas, &vmas[i]));
		/* A file on tmpfs is shmem. */
		EXPECT_TRUE(vmas[i].kind == VMCTL_KIND_FILE || vmas[i].kind == VMCTL_KIND_SHMEM);
		EXPECT_TRUE(vmas[i].flags & VMCTL_VMA_SHARED);
	}
	EXPECT_TRUE(found);
	free(vmas);
	munmap(p, 4096);
	vmctl_unref(ctx);
}

TEST(nl_stats_self)
{
	struct vmctl_stats io, nl;
	char comm[64], want[64] = "";
	struct vmctl_ctx *ctx;
	FILE *f;

	NEED(VMCTL_FEATURE_STATS | VMCTL_FEATURE_NETLINK);
	f = fopen("/proc/self/comm", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(want, sizeof(want), f));
	fclose(f);
	want[strcspn(want, "\n")] = '\0';

	ASSERT_EQ(0, vmctl_new(&ctx));
	ASSERT_EQ(0, vmctl_get_stats(ctx, 0, &io));
	ASSERT_EQ(0, vmctl_nl_get_stats(ctx, 0, &nl, comm, sizeof(comm)));
	EXPECT_EQ(getpid(), nl.pid);
	EXPECT_STREQ(want, comm);
	EXPECT_EQ(io.max_map_count, nl.max_map_count);
	EXPECT_EQ(io.map_count, nl.map_count);
	EXPECT_EQ(io.kinds[VMCTL_KIND_STACK].count, nl.kinds[VMCTL_KIND_STACK].count);
	EXPECT_EQ(io.faults_major, nl.faults_major);

	/* A small comm buffer truncates and terminates. */
	ASSERT_EQ(0, vmctl_nl_get_stats(ctx, getpid(), &nl, comm, 3));
	EXPECT_EQ(2, strlen(comm));
	EXPECT_EQ(0, strncmp(want, comm, 2));
	EXPECT_EQ(-ESRCH, vmctl_nl_get_stats(ctx, 0x3fffffff, &nl, NULL, 0));
	vmctl_unref(ctx);
}

TEST(list_stats)
{
	struct vmctl_proc_stats *procs;
	struct vmctl_ctx *ctx;
	size_t n, i;
	int self = 0;

	NEED(VMCTL_FEATURE_STATS | VMCTL_FEATURE_NETLINK);
	ASSERT_EQ(0, vmctl_new(&ctx));
	ASSERT_EQ(0, vmctl_list_stats(ctx, &procs, &n));
	ASSERT_LT(0, n);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(procs[i].pid, procs[i].stats.pid);
		EXPECT_LT(0, procs[i].stats.map_count);
		if (i)
			EXPECT_LT(procs[i - 1].pid, procs[i].pid);
		if (procs[i].pid == getpid())
			self = 1;
	}
	EXPECT_TRUE(self);
	free(procs);
	vmctl_unref(ctx);
}

TEST(nl_vmas_match_ioctl)
{
	struct vmctl_vma *a, *b;
	struct vmctl_ctx *ctx;
	size_t na, nb, i;
	int attempt;

	NEED(VMCTL_FEATURE_VMAS | VMCTL_FEATURE_NETLINK);
	ASSERT_EQ(0, vmctl_new(&ctx));
	for (attempt = 0; attempt < 5; attempt++) {
		ASSERT_EQ(0, vmctl_get_vmas(ctx, 0, &a, &na));
		ASSERT_EQ(0, vmctl_nl_get_vmas(ctx, 0, &b, &nb));
		if (na == nb)
			break;
		free(a);
		free(b);
	}
	ASSERT_EQ(na, nb);
	for (i = 0; i < na; i++) {
		const char *an = vmctl_vma_name(a, &a[i]), *bn = vmctl_vma_name(b, &b[i]);

		EXPECT_EQ(a[i].start, b[i].start);
		EXPECT_EQ(a[i].flags, b[i].flags);
		EXPECT_EQ(a[i].kind, b[i].kind);
		EXPECT_EQ(a[i].inode, b[i].inode);
		EXPECT_STREQ(an ? an : "", bn ? bn : "");
	}
	free(a);
	free(b);
	EXPECT_EQ(-ESRCH, vmctl_nl_get_vmas(ctx, 0x3fffffff, &a, &na));
	vmctl_unref(ctx);
}

/* A child with many VMAs that keeps changing its address space. */
static pid_t spawn_churner(size_t pages)
{
	long psz = sysconf(_SC_PAGESIZE);
	pid_t pid = fork();
	size_t i;
	char *p;

	if (pid)
		return pid;
	p = mmap(NULL, pages * psz, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(1);
	for (i = 0; i < pages; i += 2)
		mprotect(p + i * psz, psz, PROT_READ | PROT_WRITE);
	for (;;) {
		void *q = mmap(NULL, psz, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (q != MAP_FAILED)
			munmap(q, psz);
		mprotect(p, psz, PROT_READ);
		mprotect(p, psz, PROT_READ | PROT_WRITE);
	}
}

/*
 * While the target changes: the ioctl listing stays ordered, the netlink
 * dump either succeeds with a sane snapshot or gives up with EAGAIN after
 * its retries.
 */
TEST(vmas_changing_target)
{
	unsigned int ok = 0, again = 0, i;
	struct vmctl_vma *vmas;
	struct vmctl_ctx *ctx;
	pid_t child;
	size_t n;
	int err;

	NEED(VMCTL_FEATURE_VMAS);
	child = spawn_churner(8000);
	ASSERT_LT(0, child);
	usleep(200 * 1000);
	ASSERT_EQ(0, vmctl_new(&ctx));

	for (i = 0; i < 10; i++) {
		ASSERT_EQ(0, vmctl_get_vmas(ctx, child, &vmas, &n));
		EXPECT_LE(4000, n);
		for (size_t j = 1; j < n; j++)
			ASSERT_LT(vmas[j - 1].start, vmas[j].start);
		free(vmas);
	}

	if (features() & VMCTL_FEATURE_NETLINK) {
		for (i = 0; i < 10; i++) {
			err = vmctl_nl_get_vmas(ctx, child, &vmas, &n);
			if (err == -EAGAIN) {
				again++;
				continue;
			}
			ASSERT_EQ(0, err);
			ok++;
			EXPECT_LE(4000, n);
			check_vmas_sane(_metadata, vmas, n);
			free(vmas);
		}
		TH_LOG("netlink dumps: %u consistent, %u gave up with EAGAIN", ok, again);
	}

	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	vmctl_unref(ctx);
}

TEST_HARNESS_MAIN
