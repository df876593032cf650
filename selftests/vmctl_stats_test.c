// SPDX-License-Identifier: GPL-2.0
/*
 * VMCTL_IOC_GET_STATS cross-checked against the kernel's own views of the
 * same address space: /proc/PID/status, /proc/PID/stat, /proc/PID/maps and
 * /proc/PID/smaps, read from stopped (quiescent) children.
 */

#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmctl_test.h"
#include "vmctl_proc.h"
#include "vmctl_layout.h"

#define MiB (1ULL << 20)

static int get_stats(int fd, pid_t pid, struct vmctl_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->pid = pid;
	return vmctl_test_ioctl(fd, VMCTL_IOC_GET_STATS, st);
}

static uint64_t read_u64_file(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtoull(buf, NULL, 10) : 0;
}

FIXTURE(stats) {
	int fd;
};

FIXTURE_SETUP(stats)
{
	VMCTL_OPEN_OR_SKIP(_metadata, self->fd);
}

FIXTURE_TEARDOWN(stats)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Every /proc/PID/status memory line, exactly, for a stopped child. */
static void check_against_proc(struct __test_metadata *_metadata, int fd, pid_t pid,
			       struct vmctl_stats *st)
{
	struct proc_status ps, ps2;
	uint64_t minflt = 0, majflt = 0, committed = 0, gaps = 0, largest = 0;
	uint64_t kcount[VMCTL_KIND_COUNT] = {}, kbytes[VMCTL_KIND_COUNT] = {};
	uint64_t sum_count = 0, sum_bytes = 0;
	struct proc_vma *v = NULL;
	int n;

	ASSERT_EQ(0, proc_status_read(pid, &ps));
	ASSERT_EQ(0, proc_stat_faults(pid, &minflt, &majflt));
	n = proc_vmas_read(pid, true, &v);
	ASSERT_LT(0, n);
	ASSERT_EQ(0, get_stats(fd, pid, st));
	/* Quiescent: /proc reads the same after vmctl did. */
	ASSERT_EQ(0, proc_status_read(pid, &ps2));
	ASSERT_EQ(0, memcmp(&ps, &ps2, sizeof(ps)));

	EXPECT_EQ(sizeof(*st), st->size);
	EXPECT_EQ(pid, st->pid);
	EXPECT_EQ(n, st->map_count);
	EXPECT_EQ(read_u64_file("/proc/sys/vm/max_map_count"), st->max_map_count);
	EXPECT_EQ(ps.vm_size, st->vsz_bytes);
	EXPECT_EQ(ps.vm_rss, st->rss_bytes);
	EXPECT_EQ(ps.rss_anon, st->rss_anon_bytes);
	EXPECT_EQ(ps.rss_file, st->rss_file_bytes);
	EXPECT_EQ(ps.rss_shmem, st->rss_shmem_bytes);
	EXPECT_EQ(st->rss_anon_bytes + st->rss_file_bytes + st->rss_shmem_bytes,
		  st->rss_bytes);
	EXPECT_EQ(ps.vm_swap, st->swap_bytes);
	EXPECT_EQ(ps.vm_lck, st->locked_bytes);
	EXPECT_EQ(ps.vm_pin, st->pinned_bytes);
	EXPECT_EQ(ps.vm_hwm, st->hiwater_rss_bytes);
	EXPECT_EQ(ps.vm_peak, st->hiwater_vm_bytes);
	EXPECT_EQ(ps.vm_data, st->data_bytes);
	EXPECT_EQ(ps.vm_stk, st->stack_bytes);
	EXPECT_EQ(ps.vm_exe + ps.vm_lib, st->exec_bytes);
	EXPECT_EQ(minflt, st->faults_minor);
	EXPECT_EQ(majflt, st->faults_major);

	for (int i = 0; i < n; i++) {
		int k = proc_vma_kind(&v[i]);

		kcount[k]++;
		kbytes[k] += v[i].end - v[i].start;
		if (v[i].flags & VMCTL_VMA_ACCOUNT)
			committed += v[i].end - v[i].start;
		if (i && v[i].start > v[i - 1].end) {
			gaps++;
			if (v[i].start - v[i - 1].end > largest)
				largest = v[i].start - v[i - 1].end;
		}
	}
	/* smaps VmFlags "ac" is VM_ACCOUNT. */
	EXPECT_EQ(committed, st->committed_bytes);
	EXPECT_EQ(gaps, st->gap_count);
	EXPECT_EQ(largest, st->largest_gap_bytes);
	for (int k = 0; k < VMCTL_KINDS_MAX; k++) {
		sum_count += st->kinds[k].count;
		sum_bytes += st->kinds[k].bytes;
		if (k >= VMCTL_KIND_COUNT) {
			EXPECT_EQ(0, st->kinds[k].count);
			EXPECT_EQ(0, st->kinds[k].bytes);
			continue;
		}
		EXPECT_EQ(kcount[k], st->kinds[k].count) {
			TH_LOG("kind %d count", k);
		}
		EXPECT_EQ(kbytes[k], st->kinds[k].bytes) {
			TH_LOG("kind %d bytes", k);
		}
	}
	EXPECT_EQ(st->map_count, sum_count);
	EXPECT_EQ(st->vsz_bytes, sum_bytes);
	free(v);
}

/* A stopped child with a varied layout: every field against /proc. */
TEST_F(stats, layout_child_matches_proc)
{
	struct layout_info *li = NULL;
	struct vmctl_stats st;
	long ps = page_size();
	int status;
	pid_t pid;

	pid = layout_spawn(&li, &status);
	ASSERT_LT(0, pid) TH_LOG("layout child failed: status %#x step %d",
				 status, li ? li->step : -1);
	check_against_proc(_metadata, self->fd, pid, &st);

	/* What the layout built, independently of /proc. */
	EXPECT_LE(LAYOUT_SPLIT_PAGES, st.map_count);
	EXPECT_LE(LAYOUT_SPLIT_PAGES - 1, st.split_pairs);
	EXPECT_LE(LAYOUT_SPLIT_PAGES / 2 + 1, st.kinds[VMCTL_KIND_GUARD].count);
	EXPECT_EQ(LAYOUT_LOCK_PAGES * ps, st.locked_bytes);
	EXPECT_LE(LAYOUT_SHM_PAGES * ps, st.rss_shmem_bytes);
	EXPECT_LE(LAYOUT_HIWATER_BYTES, st.hiwater_rss_bytes);
	EXPECT_LE(st.rss_bytes, st.hiwater_rss_bytes);
	EXPECT_LE(st.vsz_bytes, st.hiwater_vm_bytes);
	EXPECT_LE(1, st.kinds[VMCTL_KIND_HEAP].count);
	EXPECT_LE(li->brk_end - li->brk_start, st.kinds[VMCTL_KIND_HEAP].bytes);
	EXPECT_EQ(1, st.kinds[VMCTL_KIND_STACK].count);
	EXPECT_EQ(st.stack_bytes, st.kinds[VMCTL_KIND_STACK].bytes);
	EXPECT_LE(2, st.kinds[VMCTL_KIND_FILE].count);
	EXPECT_LE(4, st.kinds[VMCTL_KIND_SHMEM].count);
	EXPECT_LE(2, st.kinds[VMCTL_KIND_SPECIAL].count);	/* vdso, vvar */
	EXPECT_LE(LAYOUT_THREADS * LAYOUT_THREAD_PAGES, st.faults_minor);
	EXPECT_EQ(0, st.swap_bytes % ps);
	EXPECT_EQ(0, st.committed_bytes % ps);
	layout_cleanup(pid, li);
}

/* The calling process (pid 0) against /proc/self/status. */
TEST_F(stats, self_matches_proc_status)
{
	static char buf1[8192], buf2[8192];
	struct proc_status a, b;
	struct vmctl_stats st;
	int fd, tries;

	for (tries = 0; tries < 10; tries++) {
		ssize_t n1, n2;

		fd = open("/proc/self/status", O_RDONLY);
		ASSERT_LE(0, fd);
		n1 = read(fd, buf1, sizeof(buf1) - 1);
		ASSERT_EQ(0, get_stats(self->fd, 0, &st));
		ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
		n2 = read(fd, buf2, sizeof(buf2) - 1);
		close(fd);
		ASSERT_LT(0, n1);
		ASSERT_LT(0, n2);
		buf1[n1] = buf2[n2] = '\0';
		proc_status_parse(buf1, &a);
		proc_status_parse(buf2, &b);
		if (!memcmp(&a, &b, sizeof(a)))
			break;
	}
	ASSERT_GT(10, tries) TH_LOG("/proc/self/status never stable");
	EXPECT_EQ(0, st.pid);
	EXPECT_EQ(a.vm_size, st.vsz_bytes);
	EXPECT_EQ(a.vm_rss, st.rss_bytes);
	EXPECT_EQ(a.rss_anon, st.rss_anon_bytes);
	EXPECT_EQ(a.vm_data, st.data_bytes);
	EXPECT_EQ(a.vm_stk, st.stack_bytes);
	EXPECT_EQ(a.vm_exe + a.vm_lib, st.exec_bytes);
	EXPECT_EQ(a.vm_lck, st.locked_bytes);
	EXPECT_LT(0, st.map_count);
	EXPECT_LT(0, st.faults_minor);
}

/* 4000 mprotect pieces of one mapping: map_count, split_pairs, guards. */
TEST_F(stats, mprotect_splits_counted)
{
	struct vmctl_stats before, mapped, split, after;
	long ps = page_size();
	const size_t pages = LAYOUT_SPLIT_PAGES;
	char *p;

	ASSERT_EQ(0, get_stats(self->fd, 0, &before));
	p = map_isolated(pages, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_NE(MAP_FAILED, p);
	for (size_t i = 0; i < pages; i++)
		p[i * ps] = 1;
	ASSERT_EQ(0, get_stats(self->fd, 0, &mapped));
	ASSERT_EQ(0, split_alternating(p, pages));
	ASSERT_EQ(0, get_stats(self->fd, 0, &split));

	EXPECT_EQ(mapped.map_count + pages - 1, split.map_count);
	EXPECT_EQ(mapped.split_pairs + pages - 1, split.split_pairs);
	EXPECT_EQ(mapped.kinds[VMCTL_KIND_GUARD].count + pages / 2,
		  split.kinds[VMCTL_KIND_GUARD].count);
	EXPECT_EQ(mapped.kinds[VMCTL_KIND_GUARD].bytes + pages / 2 * ps,
		  split.kinds[VMCTL_KIND_GUARD].bytes);
	EXPECT_EQ(mapped.kinds[VMCTL_KIND_ANON].count + pages / 2 - 1,
		  split.kinds[VMCTL_KIND_ANON].count);
	EXPECT_EQ(mapped.kinds[VMCTL_KIND_ANON].bytes - pages / 2 * ps,
		  split.kinds[VMCTL_KIND_ANON].bytes);
	EXPECT_EQ(mapped.vsz_bytes, split.vsz_bytes);
	EXPECT_EQ(mapped.gap_count, split.gap_count);
	EXPECT_EQ(mapped.largest_gap_bytes, split.largest_gap_bytes);
	/* Touched (has an anon_vma): PROT_NONE pieces stay VM_ACCOUNT. */
	EXPECT_EQ(mapped.committed_bytes, split.committed_bytes);
	EXPECT_EQ(before.committed_bytes + pages * ps, mapped.committed_bytes);
	EXPECT_EQ(mapped.vsz_bytes - before.vsz_bytes, pages * ps);
	EXPECT_EQ(mapped.map_count, before.map_count + 1);

	ASSERT_EQ(0, munmap(p, pages * ps));
	ASSERT_EQ(0, get_stats(self->fd, 0, &after));
	EXPECT_EQ(before.map_count, after.map_count);
	EXPECT_EQ(before.split_pairs, after.split_pairs);
	EXPECT_EQ(before.vsz_bytes, after.vsz_bytes);
	EXPECT_EQ(before.kinds[VMCTL_KIND_GUARD].count, after.kinds[VMCTL_KIND_GUARD].count);
}

/*
 * File pieces: split pairs need contiguous offsets of the same file;
 * adjacent mappings of other offsets or files are not pairs.
 */
TEST_F(stats, split_pairs_need_same_file_contiguous)
{
	struct vmctl_stats a, b, c;
	long ps = page_size();
	char path[PATH_MAX];
	struct stat stb;
	char *p;
	int fd;

	ASSERT_LT(0, readlink("/proc/self/exe", path, sizeof(path) - 1));
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &stb));
	if (stb.st_size < 16 * ps)
		SKIP(return, "test binary smaller than 16 pages");

	/* 8 pages of the file at offset 0, isolated, then 4 more at offset 8 pages. */
	p = map_isolated(12, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(p, mmap(p, 8 * ps, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0));
	ASSERT_EQ(0, get_stats(self->fd, 0, &a));
	/* Split the file mapping into 8 alternating pieces: 7 pairs. */
	for (int i = 1; i < 8; i += 2)
		ASSERT_EQ(0, mprotect(p + i * ps, ps, PROT_NONE));
	ASSERT_EQ(0, get_stats(self->fd, 0, &b));
	EXPECT_EQ(a.split_pairs + 7, b.split_pairs);
	EXPECT_EQ(a.map_count + 7, b.map_count);

	/*
	 * The anonymous tail (pages 8..11) becomes the file at offset 12
	 * pages: adjacent to the file's page 7, not contiguous: no pair (the
	 * anonymous tail was a pair of nothing either).
	 */
	ASSERT_EQ(p + 8 * ps, mmap(p + 8 * ps, 4 * ps, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_FIXED, fd, 12 * ps));
	ASSERT_EQ(0, get_stats(self->fd, 0, &c));
	EXPECT_EQ(b.split_pairs, c.split_pairs);
	EXPECT_EQ(b.map_count, c.map_count);
	EXPECT_EQ(b.kinds[VMCTL_KIND_FILE].count + 1, c.kinds[VMCTL_KIND_FILE].count);
	munmap(p, 12 * ps);
	close(fd);
}

/* committed_bytes follows VM_ACCOUNT: private writable mappings only. */
TEST_F(stats, committed_bytes_follows_accounting)
{
	struct vmctl_stats base, s;
	const size_t len = 64 * MiB;
	long ps = page_size();
	char path[PATH_MAX];
	struct stat stb;
	void *p, *q;
	int fd;

	ASSERT_EQ(0, get_stats(self->fd, 0, &base));

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, get_stats(self->fd, 0, &s));
	EXPECT_EQ(base.committed_bytes + len, s.committed_bytes);
	/* Touched, then read-only: the charge stays (VM_ACCOUNT kept). */
	*(volatile char *)p = 1;
	ASSERT_EQ(0, mprotect(p, len, PROT_READ));
	ASSERT_EQ(0, get_stats(self->fd, 0, &s));
	EXPECT_EQ(base.committed_bytes + len, s.committed_bytes);
	ASSERT_EQ(0, munmap(p, len));
	ASSERT_EQ(0, get_stats(self->fd, 0, &s));
	EXPECT_EQ(base.committed_bytes, s.committed_bytes);

	if (read_u64_file("/proc/sys/vm/overcommit_memory") != 2) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		ASSERT_NE(MAP_FAILED, p);
		ASSERT_EQ(0, get_stats(self->fd, 0, &s));
		EXPECT_EQ(base.committed_bytes, s.committed_bytes);
		ASSERT_EQ(0, munmap(p, len));
	}

	/* Read-only private anonymous: not charged until made writable. */
	p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, get_stats(self->fd, 0, &s));
	EXPECT_EQ(base.committed_bytes, s.committed_bytes);
	ASSERT_EQ(0, mprotect(p, len, PROT_READ | PROT_WRITE));
	ASSERT_EQ(0, get_stats(self->fd, 0, &s));
	EXPECT_EQ(base.committed_bytes + len, s.committed_bytes);
	ASSERT_EQ(0, munmap(p, len));

	/* Shared anonymous: shmem charges itself, the VMA is not VM_ACCOUNT. */
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, get_stats(self->fd, 0, &s));
	EXPECT_EQ(base.committed_bytes, s.committed_bytes);
	ASSERT_EQ(0, munmap(p, len));

	/* Private writable file mapping: charged; read-only: not. */
	ASSERT_LT(0, readlink("/proc/self/exe", path, sizeof(path) - 1));
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &stb));
	ASSERT_LE(2 * ps, stb.st_size);
	p = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	q = mmap(NULL, 2 * ps, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, q);
	ASSERT_EQ(0, get_stats(self->fd, 0, &s));
	EXPECT_EQ(base.committed_bytes + 2 * ps, s.committed_bytes);
	munmap(p, 2 * ps);
	munmap(q, 2 * ps);
	close(fd);

	ASSERT_EQ(0, get_stats(self->fd, 0, &s));
	EXPECT_EQ(base.committed_bytes, s.committed_bytes);
}

/* Touched pages show up in rss_anon / rss_shmem of the caller. */
TEST_F(stats, rss_follows_touched_pages)
{
	struct vmctl_stats a, b;
	const size_t len = 8 * MiB;
	char *p, *q;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	q = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, q);
	/* Disable THP so touching one byte per page faults in one page. */
	madvise(p, len, MADV_NOHUGEPAGE);
	ASSERT_EQ(0, get_stats(self->fd, 0, &a));
	layout_touch(p, len);
	layout_touch(q, len);
	ASSERT_EQ(0, get_stats(self->fd, 0, &b));
	/* The per-cpu RSS counters may lag by a batch: allow 1 MiB slack. */
	EXPECT_LE(a.rss_anon_bytes + len - MiB, b.rss_anon_bytes);
	EXPECT_GE(a.rss_anon_bytes + len + MiB, b.rss_anon_bytes);
	EXPECT_LE(a.rss_shmem_bytes + len - MiB, b.rss_shmem_bytes);
	EXPECT_GE(a.rss_shmem_bytes + len + MiB, b.rss_shmem_bytes);
	EXPECT_LE(a.faults_minor + 2 * len / page_size(), b.faults_minor);
	EXPECT_LE(b.rss_bytes, b.hiwater_rss_bytes);
	munmap(p, len);
	munmap(q, len);
}

/* Faults of live and exited threads add up, as in /proc/PID/stat. */
static int fault_threads(void *arg)
{
	pthread_t th[LAYOUT_THREADS];

	if (sem_init(&layout_sem, 0, 0) || pthread_barrier_init(&layout_barrier, NULL, 3))
		return 10;
	for (int i = 0; i < LAYOUT_THREADS; i++)
		if (pthread_create(&th[i], NULL, layout_thread, i < 2 ? NULL : (void *)1))
			return 11;
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (int i = 2; i < LAYOUT_THREADS; i++)
		sem_wait(&layout_sem);
	return 0;
}

TEST_F(stats, faults_sum_live_and_exited_threads)
{
	uint64_t minflt = 0, majflt = 0, live = 0;
	struct vmctl_stats st, by_tid;
	char path[64];
	int status;
	pid_t pid;
	DIR *d;
	struct dirent *de;

	pid = spawn_stopped(fault_threads, NULL, &status);
	ASSERT_LT(0, pid) TH_LOG("child status %#x", status);
	ASSERT_EQ(0, proc_stat_faults(pid, &minflt, &majflt));
	ASSERT_EQ(0, get_stats(self->fd, pid, &st));
	EXPECT_EQ(minflt, st.faults_minor);
	EXPECT_EQ(majflt, st.faults_major);
	EXPECT_LE(LAYOUT_THREADS * LAYOUT_THREAD_PAGES, st.faults_minor);

	/* The live threads alone have fewer: the exited ones count too. */
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	ASSERT_NE(NULL, d);
	while ((de = readdir(d))) {
		pid_t tid = atoi(de->d_name);

		if (tid <= 0)
			continue;
		/* task/TID/stat holds the thread's own counts. */
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
		if (tid != pid) {
			/* A thread id names its process. */
			ASSERT_EQ(0, get_stats(self->fd, tid, &by_tid));
			EXPECT_EQ(st.map_count, by_tid.map_count);
			EXPECT_EQ(st.faults_minor, by_tid.faults_minor);
		}
		{
			char buf[1024], *q;
			int tfd = open(path, O_RDONLY);
			ssize_t n;

			ASSERT_LE(0, tfd);
			n = read(tfd, buf, sizeof(buf) - 1);
			close(tfd);
			ASSERT_LT(0, n);
			buf[n] = '\0';
			q = strrchr(buf, ')') + 2;
			for (int f = 3; f < 10; f++)
				q = strchr(q, ' ') + 1;
			live += strtoull(q, NULL, 10);
		}
	}
	closedir(d);
	EXPECT_GE(st.faults_minor, live + 2 * LAYOUT_THREAD_PAGES);
	kill_child(pid);
}

/* max_map_count is the live sysctl. */
TEST_F(stats, max_map_count_is_live)
{
	uint64_t old = read_u64_file("/proc/sys/vm/max_map_count");
	struct vmctl_stats st;
	char buf[32];

	ASSERT_EQ(0, get_stats(self->fd, 0, &st));
	EXPECT_EQ(old, st.max_map_count);
	if (geteuid() != 0)
		SKIP(return, "needs root to change vm.max_map_count");
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)old + 12345);
	ASSERT_EQ(0, write_str_file("/proc/sys/vm/max_map_count", buf));
	ASSERT_EQ(0, get_stats(self->fd, 0, &st));
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)old);
	ASSERT_EQ(0, write_str_file("/proc/sys/vm/max_map_count", buf));
	EXPECT_EQ(old + 12345, st.max_map_count);
}

/* MAP_HUGETLB memory is kind hugetlb. */
TEST_F(stats, hugetlb_kind)
{
	const size_t len = 2 * MiB;
	struct vmctl_stats a, b;
	void *p;

	if (read_u64_file("/proc/sys/vm/nr_hugepages") == 0)
		write_str_file("/proc/sys/vm/nr_hugepages", "2");
	if (read_u64_file("/proc/sys/vm/nr_hugepages") == 0)
		SKIP(return, "no huge pages");
	ASSERT_EQ(0, get_stats(self->fd, 0, &a));
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (p == MAP_FAILED)
		SKIP(return, "MAP_HUGETLB: %s", strerror(errno));
	*(volatile char *)p = 1;
	ASSERT_EQ(0, get_stats(self->fd, 0, &b));
	EXPECT_EQ(a.kinds[VMCTL_KIND_HUGETLB].count + 1, b.kinds[VMCTL_KIND_HUGETLB].count);
	EXPECT_EQ(a.kinds[VMCTL_KIND_HUGETLB].bytes + len, b.kinds[VMCTL_KIND_HUGETLB].bytes);
	EXPECT_EQ(a.kinds[VMCTL_KIND_ANON].count, b.kinds[VMCTL_KIND_ANON].count);
	munmap(p, len);
}

/* ---- argument checking and access rules ---- */

TEST_F(stats, rejects_size_below_first_version)
{
	struct vmctl_stats st = {};
	__u64 sizes[] = { 0, 1, 8, 16, 24, sizeof(st) - 8, sizeof(st) - 1 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		st.size = sizes[i];
		EXPECT_EQ(-EINVAL, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_STATS, &st)) {
			TH_LOG("size %llu", (unsigned long long)sizes[i]);
		}
		EXPECT_EQ(0, st.map_count);
	}
}

TEST_F(stats, rejects_flags_reserved_negative_pid)
{
	struct vmctl_stats st;

	for (int bit = 0; bit < 64; bit++) {
		memset(&st, 0, sizeof(st));
		st.size = sizeof(st);
		st.flags = 1ULL << bit;
		EXPECT_EQ(-EINVAL, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_STATS, &st)) {
			TH_LOG("flag bit %d", bit);
		}
	}
	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.__reserved = 1;
	EXPECT_EQ(-EINVAL, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_STATS, &st));
	st.__reserved = 0;
	st.pid = -1;
	EXPECT_EQ(-EINVAL, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_STATS, &st));
	st.pid = -12345;
	EXPECT_EQ(-EINVAL, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_STATS, &st));
	EXPECT_EQ(0, st.map_count);
}

TEST_F(stats, larger_struct_zero_tail_ok_nonzero_e2big)
{
	union {
		struct vmctl_stats st;
		unsigned char bytes[sizeof(struct vmctl_stats) + 64];
	} u;

	memset(&u, 0, sizeof(u));
	u.st.size = sizeof(u);
	ASSERT_EQ(0, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_STATS, &u));
	EXPECT_LT(0, u.st.map_count);
	for (size_t i = sizeof(u.st); i < sizeof(u); i++) {
		ASSERT_EQ(0, u.bytes[i]) TH_LOG("byte %zu written", i);
	}

	memset(&u, 0, sizeof(u));
	u.st.size = sizeof(u);
	u.bytes[sizeof(u) - 1] = 1;
	EXPECT_EQ(-E2BIG, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_STATS, &u));
	EXPECT_EQ(0, u.st.map_count);

	memset(&u, 0, sizeof(u));
	u.st.size = 1 << 20;
	EXPECT_EQ(-E2BIG, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_STATS, &u));
}

TEST_F(stats, faults_on_bad_pointers)
{
	long ps = page_size();
	struct vmctl_stats *p;

	EXPECT_EQ(-EFAULT, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_STATS, NULL));
	EXPECT_EQ(-EFAULT, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_STATS, (void *)1));
	p = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	ASSERT_EQ(0, mprotect(p, ps, PROT_READ));
	EXPECT_EQ(-EFAULT, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_STATS, p));
	ASSERT_EQ(0, mprotect(p, ps, PROT_NONE));
	EXPECT_EQ(-EFAULT, vmctl_test_ioctl(self->fd, VMCTL_IOC_GET_STATS, p));
	munmap(p, ps);
}

TEST_F(stats, esrch_for_missing_pid)
{
	struct vmctl_stats st;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(0);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	EXPECT_EQ(-ESRCH, get_stats(self->fd, pid, &st));
	EXPECT_EQ(-ESRCH, get_stats(self->fd, 0x7ffffff0, &st));
}

TEST_F(stats, enodata_for_zombie_and_kernel_thread)
{
	struct vmctl_stats st;
	siginfo_t si;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(0);
	/* Wait for the exit but leave the zombie. */
	ASSERT_EQ(0, waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	EXPECT_EQ(-ENODATA, get_stats(self->fd, pid, &st));
	waitpid(pid, NULL, 0);

	/* kthreadd is pid 2 in the initial pid namespace. */
	EXPECT_EQ(-ENODATA, get_stats(self->fd, 2, &st));
}

static int stop_only(void *arg)
{
	if (arg)
		prctl(PR_SET_DUMPABLE, 0);
	return 0;
}

/*
 * An unprivileged caller reads its own and same-uid processes, not root's
 * nor a same-uid process that is not dumpable.
 */
TEST_F(stats, eacces_like_proc_maps)
{
	int status;
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root to switch users");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct vmctl_stats st;
		pid_t sib, nodump;
		int st2, rc = 0;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		/* Changing uid made us non-dumpable; children inherit that. */
		prctl(PR_SET_DUMPABLE, 1);
		if (get_stats(self->fd, 1, &st) != -EACCES)
			rc = 11;
		if (!rc && get_stats(self->fd, getppid(), &st) != -EACCES)
			rc = 12;
		if (!rc && get_stats(self->fd, 0, &st))
			rc = 13;
		sib = spawn_stopped(stop_only, NULL, &st2);
		if (!rc && (sib < 0 || get_stats(self->fd, sib, &st) || st.map_count == 0))
			rc = 14;
		nodump = spawn_stopped(stop_only, (void *)1, &st2);
		if (!rc && (nodump < 0 || get_stats(self->fd, nodump, &st) != -EACCES))
			rc = 15;
		kill_child(sib);
		kill_child(nodump);
		_exit(rc);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("11: pid 1 readable, 12: root parent readable, 13: self failed, "
		       "14: same-uid sibling failed, 15: non-dumpable readable");
}

/* Pids are looked up in the caller's pid namespace. */
TEST_F(stats, pid_namespace)
{
	int status;
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs CAP_SYS_ADMIN for CLONE_NEWPID");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		pid_t inner;
		int st2;

		if (unshare(CLONE_NEWPID))
			_exit(10);
		inner = fork();
		if (inner < 0)
			_exit(11);
		if (inner == 0) {
			struct vmctl_stats self_st, one, two;
			char *p;

			if (getpid() != 1)
				_exit(20);
			/* Make this process distinct from its parent. */
			p = map_isolated(8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
			if (p == MAP_FAILED || mprotect(p, getpagesize(), PROT_NONE))
				_exit(21);
			if (get_stats(self->fd, 0, &self_st) || get_stats(self->fd, 1, &one))
				_exit(22);
			if (one.map_count != self_st.map_count || one.vsz_bytes != self_st.vsz_bytes)
				_exit(23);
			/* Pid 2 (kthreadd outside) does not exist in here. */
			if (get_stats(self->fd, 2, &two) != -ESRCH)
				_exit(24);
			_exit(0);
		}
		if (waitpid(inner, &st2, 0) != inner || !WIFEXITED(st2))
			_exit(12);
		_exit(WEXITSTATUS(st2));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("20: not pid 1, 22: stats failed, 23: pid 1 is not the caller, "
		       "24: outer pid 2 visible");
}

TEST_HARNESS_MAIN
