// SPDX-License-Identifier: GPL-2.0
/*
 * Reserve/commit memory: mmap() of /dev/vmctl and VMCTL_IOC_COMMIT,
 * _DECOMMIT, _RESET, _RELEASE, _QUERY and _SET_COMMIT_LIMIT.
 *
 * Commit charges are read from /sys/kernel/debug/vmctl/committed_pages,
 * the exact system commit charge (Committed_AS in /proc/meminfo is a
 * per-CPU approximation). Between two reads the test allocates nothing
 * that is charged (no malloc, no stdio, no new threads), so the
 * difference is exactly what vmctl charged. Files are read into static
 * buffers for the same reason.
 */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
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

#define KiB	(1ULL << 10)
#define MiB	(1ULL << 20)
#define GiB	(1ULL << 30)
#define TiB	(1ULL << 40)

#define COMMITTED_PAGES_PATH	"/sys/kernel/debug/vmctl/committed_pages"
#define MAX_MAP_COUNT_PATH	"/proc/sys/vm/max_map_count"
#define OVERCOMMIT_MEMORY_PATH	"/proc/sys/vm/overcommit_memory"

/* ---- files, without malloc ---- */

static char file_buf[1 << 20];

static ssize_t read_file(const char *path)
{
	ssize_t n, len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, file_buf + len, sizeof(file_buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	if (n < 0)
		return -errno;
	file_buf[len] = '\0';
	return len;
}

static int64_t read_i64_file(const char *path)
{
	if (read_file(path) < 0)
		return -1;
	return strtoll(file_buf, NULL, 10);
}

static int write_i64_file(const char *path, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld\n", (long long)v);
	return write_str_file(path, buf);
}

/* A "Key:   N kB" line of @path, in bytes; -1 when absent. */
static int64_t read_kb_line(const char *path, const char *key)
{
	size_t klen = strlen(key);
	const char *p;

	if (read_file(path) < 0)
		return -1;
	for (p = file_buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, klen) && p[klen] == ':')
			return strtoll(p + klen + 1, NULL, 10) * 1024;
	return -1;
}

static int64_t committed_pages(void)
{
	return read_i64_file(COMMITTED_PAGES_PATH);
}

/*
 * Resident (mapped) bytes of the VMAs in [start, start + len), from the
 * Rss: lines of /proc/self/smaps, which walks the page tables. RssShmem
 * in /proc/self/status would do on 6.12, but 6.1 caches RSS counters per
 * thread and syncs them only every 64 faults.
 */
static int64_t mapped_bytes(const void *start, size_t len)
{
	uintptr_t lo = (uintptr_t)start, hi = lo + len;
	bool in = false;
	int64_t rss = 0;
	const char *p;

	if (read_file("/proc/self/smaps") < 0)
		return -1;
	for (p = file_buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		char *e;
		unsigned long long a = strtoull(p, &e, 16), b;

		if (e != p && *e == '-') {
			b = strtoull(e + 1, &e, 16);
			if (*e == ' ') {
				in = a < hi && b > lo;
				continue;
			}
		}
		if (in && !strncmp(p, "Rss:", 4))
			rss += strtoll(p + 4, NULL, 10) * 1024;
	}
	return rss;
}

/* ---- the ioctls ---- */

static void *reserve(int fd, size_t size)
{
	return mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
}

static int range_ioctl(int fd, unsigned long cmd, const void *addr, uint64_t len,
		       uint64_t flags)
{
	struct vmctl_range r = {
		.size = sizeof(r),
		.flags = flags,
		.addr = (uintptr_t)addr,
		.len = len,
	};

	return vmctl_test_ioctl(fd, cmd, &r);
}

static int commit(int fd, const void *addr, uint64_t len)
{
	return range_ioctl(fd, VMCTL_IOC_COMMIT, addr, len, 0);
}

static int decommit(int fd, const void *addr, uint64_t len)
{
	return range_ioctl(fd, VMCTL_IOC_DECOMMIT, addr, len, 0);
}

static int release(int fd, const void *addr)
{
	return range_ioctl(fd, VMCTL_IOC_RELEASE, addr, 0, 0);
}

static int query_pid(int fd, pid_t pid, const void *addr, struct vmctl_query *q)
{
	memset(q, 0, sizeof(*q));
	q->size = sizeof(*q);
	q->pid = pid;
	q->addr = (uintptr_t)addr;
	return vmctl_test_ioctl(fd, VMCTL_IOC_QUERY, q);
}

static int query(int fd, const void *addr, struct vmctl_query *q)
{
	return query_pid(fd, 0, addr, q);
}

static int set_limit(int fd, pid_t pid, uint64_t limit, uint64_t *committed)
{
	struct vmctl_commit_limit l = {
		.size = sizeof(l),
		.pid = pid,
		.limit_bytes = limit,
	};
	int ret = vmctl_test_ioctl(fd, VMCTL_IOC_SET_COMMIT_LIMIT, &l);

	if (!ret && committed)
		*committed = l.committed_bytes;
	return ret;
}

static int get_stats(int fd, struct vmctl_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	return vmctl_test_ioctl(fd, VMCTL_IOC_GET_STATS, st);
}

static uint64_t map_count(int fd)
{
	struct vmctl_stats st;

	if (get_stats(fd, &st))
		return 0;
	return st.map_count;
}

/* ---- access probes: which signal, if any, an access raises ---- */

static sigjmp_buf probe_env;
static volatile sig_atomic_t probe_signal;

static void probe_handler(int sig)
{
	probe_signal = sig;
	siglongjmp(probe_env, 1);
}

/* Reads (or writes @*val to) *@p; returns 0 or the signal it raised. */
static int probe(volatile char *p, bool write, char *val)
{
	struct sigaction sa = { .sa_handler = probe_handler }, old_segv, old_bus;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	probe_signal = 0;
	if (!sigsetjmp(probe_env, 1)) {
		if (write)
			*p = *val;
		else
			*val = *p;
	}
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	return probe_signal;
}

static int probe_read(const void *p)
{
	char v;

	return probe((volatile char *)p, false, &v);
}

static int probe_write(void *p, char v)
{
	return probe((volatile char *)p, true, &v);
}

/* True when every page of [p, p + len) is zero. */
static bool all_zero(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static void fill_pages(char *p, size_t pages, long ps, unsigned int seed)
{
	for (size_t i = 0; i < pages; i++)
		memset(p + i * ps, (int)((seed + i) & 0xff) | 1, ps);
}

static bool check_pages(const char *p, size_t pages, long ps, unsigned int seed)
{
	for (size_t i = 0; i < pages; i++)
		for (long j = 0; j < ps; j += 512)
			if (p[i * ps + j] != (char)(((seed + i) & 0xff) | 1))
				return false;
	return true;
}

FIXTURE(resv) {
	int fd;
	long ps;
	int64_t max_map_count;		/* to restore, -1 if untouched */
	int64_t overcommit_memory;	/* to restore, -1 if untouched */
};

/*
 * Grows the stack once, so that no later stack growth (which is charged
 * to Committed_AS) falls between two reads of committed_pages.
 */
static void __attribute__((noinline)) grow_stack(void)
{
	volatile char buf[256 * 1024];

	memset((char *)buf, 0, sizeof(buf));
}

/*
 * committed_pages is system-wide: wait (up to 3 s) until it has been still
 * for 100 ms, so that processes starting beside the test (the runner's
 * tee, for one) are done charging before a test measures.
 */
static void settle_committed(void)
{
	int64_t last = committed_pages();

	for (int i = 0, still = 0; i < 300 && still < 10 && last >= 0; i++) {
		int64_t now;

		usleep(10000);
		now = committed_pages();
		still = now == last ? still + 1 : 0;
		last = now;
	}
}

FIXTURE_SETUP(resv)
{
	grow_stack();
	settle_committed();
	self->max_map_count = -1;
	self->overcommit_memory = -1;
	self->ps = sysconf(_SC_PAGESIZE);
	VMCTL_OPEN_OR_SKIP(_metadata, self->fd);
}

FIXTURE_TEARDOWN(resv)
{
	if (self->max_map_count >= 0)
		write_i64_file(MAX_MAP_COUNT_PATH, self->max_map_count);
	if (self->overcommit_memory >= 0)
		write_i64_file(OVERCOMMIT_MEMORY_PATH, self->overcommit_memory);
	if (self->fd >= 0)
		close(self->fd);
}

#define NEED_COMMITTED_PAGES() do {						\
	if (committed_pages() < 0)						\
		SKIP(return, "%s missing (debugfs not mounted?)",		\
		     COMMITTED_PAGES_PATH);					\
} while (0)

#define NEED_ROOT() do {							\
	if (geteuid())								\
		SKIP(return, "needs root");					\
} while (0)

/* The module says it implements the feature these tests exercise. */
TEST_F(resv, feature_bit_is_reported)
{
	struct vmctl_api api = { .size = sizeof(api) };

	ASSERT_EQ(0, vmctl_test_ioctl(self->fd, VMCTL_IOC_API, &api));
	EXPECT_TRUE(api.features & VMCTL_FEATURE_RESERVE)
		TH_LOG("features %#llx lack VMCTL_FEATURE_RESERVE",
		       (unsigned long long)api.features);
}

/* A reservation is address space only: every access raises SIGSEGV. */
TEST_F(resv, uncommitted_access_sigsegv)
{
	const size_t pages = 16;
	struct vmctl_query q;
	int64_t before;
	char *p;

	NEED_COMMITTED_PAGES();
	before = committed_pages();
	p = reserve(self->fd, pages * self->ps);
	ASSERT_NE(MAP_FAILED, p);
	/* No charge for a reservation. */
	EXPECT_EQ(before, committed_pages());
	for (size_t i = 0; i < pages; i++) {
		EXPECT_EQ(SIGSEGV, probe_read(p + i * self->ps)) TH_LOG("read page %zu", i);
		EXPECT_EQ(SIGSEGV, probe_write(p + i * self->ps + 7, 1))
			TH_LOG("write page %zu", i);
	}
	ASSERT_EQ(0, query(self->fd, p, &q));
	EXPECT_EQ(VMCTL_STATE_RESERVED, q.state);
	EXPECT_EQ(pages * self->ps, q.region_size);
	EXPECT_EQ(0, q.committed_bytes);
	EXPECT_EQ(0, q.resident_bytes);
	EXPECT_EQ(before, committed_pages());
	ASSERT_EQ(0, release(self->fd, p));
}

/* Committed pages read zero; decommitted ones fault; recommitted read zero. */
TEST_F(resv, commit_zero_decommit_sigsegv_recommit_zero)
{
	const size_t pages = 8;
	size_t len = pages * self->ps;
	char *p;

	p = reserve(self->fd, 2 * len);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, commit(self->fd, p, len));
	for (size_t i = 0; i < pages; i++) {
		ASSERT_EQ(0, probe_read(p + i * self->ps)) TH_LOG("page %zu", i);
	}
	EXPECT_TRUE(all_zero(p, len));
	/* The next page is still only reserved. */
	EXPECT_EQ(SIGSEGV, probe_read(p + len));

	fill_pages(p, pages, self->ps, 3);
	ASSERT_TRUE(check_pages(p, pages, self->ps, 3));
	ASSERT_EQ(0, decommit(self->fd, p, len));
	for (size_t i = 0; i < pages; i++) {
		EXPECT_EQ(SIGSEGV, probe_read(p + i * self->ps)) TH_LOG("page %zu", i);
		EXPECT_EQ(SIGSEGV, probe_write(p + i * self->ps, 1)) TH_LOG("page %zu", i);
	}
	/* Decommitting pages that are not committed is not an error. */
	EXPECT_EQ(0, decommit(self->fd, p, 2 * len));

	ASSERT_EQ(0, commit(self->fd, p, len));
	EXPECT_TRUE(all_zero(p, len)) TH_LOG("old data after recommit");
	ASSERT_EQ(0, munmap(p, 2 * len));
}

/* Committing committed pages keeps their data and charges only new ones. */
TEST_F(resv, commit_committed_keeps_data_no_charge)
{
	const size_t pages = 16;
	struct vmctl_query q;
	int64_t c0, c1;
	char *p;

	NEED_COMMITTED_PAGES();
	p = reserve(self->fd, pages * self->ps);
	ASSERT_NE(MAP_FAILED, p);
	c0 = committed_pages();
	/* Pages 4..7 first. */
	ASSERT_EQ(0, commit(self->fd, p + 4 * self->ps, 4 * self->ps));
	EXPECT_EQ(c0 + 4, committed_pages());
	fill_pages(p + 4 * self->ps, 4, self->ps, 40);

	/* Then all 16: only 12 more pages are charged. */
	c1 = committed_pages();
	ASSERT_EQ(0, commit(self->fd, p, pages * self->ps));
	EXPECT_EQ(c1 + 12, committed_pages());
	EXPECT_TRUE(check_pages(p + 4 * self->ps, 4, self->ps, 40)) TH_LOG("data lost");
	EXPECT_TRUE(all_zero(p, 4 * self->ps));
	EXPECT_TRUE(all_zero(p + 8 * self->ps, 8 * self->ps));

	/* Again, with POPULATE: nothing changes. */
	c1 = committed_pages();
	ASSERT_EQ(0, range_ioctl(self->fd, VMCTL_IOC_COMMIT, p, pages * self->ps,
				 VMCTL_COMMIT_POPULATE));
	EXPECT_EQ(c1, committed_pages());
	EXPECT_TRUE(check_pages(p + 4 * self->ps, 4, self->ps, 40));
	ASSERT_EQ(0, query(self->fd, p, &q));
	EXPECT_EQ(pages * self->ps, q.committed_bytes);

	ASSERT_EQ(0, release(self->fd, p + 5 * self->ps + 123));
	EXPECT_EQ(c0, committed_pages());
	EXPECT_EQ(SIGSEGV, probe_read(p));
}

/*
 * The charge and the memory appear at commit, RSS when the pages are
 * mapped (touch or POPULATE); decommit returns both; release returns the
 * charge exactly to where it started.
 */
TEST_F(resv, charge_and_rss_follow_commit_and_decommit)
{
	const size_t pages = 256;
	size_t len = pages * self->ps;
	int64_t c0, r0;
	struct vmctl_query q;
	char *p;

	NEED_COMMITTED_PAGES();
	p = reserve(self->fd, 4 * len);
	ASSERT_NE(MAP_FAILED, p);
	r0 = mapped_bytes(p, 4 * len);
	ASSERT_EQ(0, r0);
	c0 = committed_pages();

	ASSERT_EQ(0, commit(self->fd, p, len));
	EXPECT_EQ(c0 + (int64_t)pages, committed_pages());
	ASSERT_EQ(0, query(self->fd, p, &q));
	EXPECT_EQ(len, q.committed_bytes);
	EXPECT_EQ(len, q.resident_bytes) TH_LOG("commit allocates the pages");
	EXPECT_EQ(r0, mapped_bytes(p, 4 * len)) TH_LOG("not mapped before touched");
	for (size_t i = 0; i < pages; i++)
		p[i * self->ps] = 1;
	EXPECT_EQ(r0 + (int64_t)len, mapped_bytes(p, 4 * len));

	/* POPULATE maps at commit time. */
	ASSERT_EQ(0, range_ioctl(self->fd, VMCTL_IOC_COMMIT, p + len, len,
				 VMCTL_COMMIT_POPULATE));
	EXPECT_EQ(c0 + 2 * (int64_t)pages, committed_pages());
	EXPECT_EQ(r0 + 2 * (int64_t)len, mapped_bytes(p, 4 * len));

	ASSERT_EQ(0, decommit(self->fd, p, len));
	EXPECT_EQ(c0 + (int64_t)pages, committed_pages());
	EXPECT_EQ(r0 + (int64_t)len, mapped_bytes(p, 4 * len));
	ASSERT_EQ(0, query(self->fd, p, &q));
	EXPECT_EQ(len, q.committed_bytes);
	EXPECT_EQ(len, q.resident_bytes);

	ASSERT_EQ(0, release(self->fd, p));
	EXPECT_EQ(c0, committed_pages());
	EXPECT_EQ(r0, mapped_bytes(p, 4 * len));
}

/* A process that exits with pages committed returns their charge. */
TEST_F(resv, exit_with_pages_committed_returns_charge)
{
	int64_t c0;
	int status;
	pid_t pid;

	NEED_COMMITTED_PAGES();
	c0 = committed_pages();
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *p = reserve(self->fd, 64 * self->ps);

		if (p == MAP_FAILED)
			_exit(10);
		if (commit(self->fd, p, 32 * self->ps))
			_exit(11);
		p[0] = 1;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	EXPECT_EQ(c0, committed_pages());
}

/* Reset: RSS drops, commit and contents stay. */
TEST_F(resv, reset_drops_rss_keeps_data_and_commit)
{
	const size_t pages = 64;
	size_t len = pages * self->ps;
	int64_t c0, r0;
	struct vmctl_query q;
	char *p;

	NEED_COMMITTED_PAGES();
	p = reserve(self->fd, len);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, range_ioctl(self->fd, VMCTL_IOC_COMMIT, p, len, VMCTL_COMMIT_POPULATE));
	fill_pages(p, pages, self->ps, 7);
	r0 = mapped_bytes(p, len);
	c0 = committed_pages();

	ASSERT_EQ(0, range_ioctl(self->fd, VMCTL_IOC_RESET, p, len, 0));
	EXPECT_EQ(r0 - (int64_t)len, mapped_bytes(p, len));
	EXPECT_EQ(c0, committed_pages());
	ASSERT_EQ(0, query(self->fd, p, &q));
	EXPECT_EQ(VMCTL_STATE_COMMITTED, q.state);
	EXPECT_EQ(len, q.region_size);
	EXPECT_EQ(len, q.committed_bytes);
	/* Next touch reads the old data (documented: reset keeps contents). */
	EXPECT_TRUE(check_pages(p, pages, self->ps, 7));
	EXPECT_EQ(r0, mapped_bytes(p, len));
	ASSERT_EQ(0, release(self->fd, p));
}

/* VirtualQuery: states, runs, bases, committed and resident bytes. */
TEST_F(resv, query_states_and_runs)
{
	const long ps = self->ps;
	struct vmctl_query q;
	char *p, *anon;

	p = reserve(self->fd, 16 * ps);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, commit(self->fd, p + 2 * ps, 3 * ps));
	ASSERT_EQ(0, commit(self->fd, p + 8 * ps, 1 * ps));

	ASSERT_EQ(0, query(self->fd, p, &q));
	EXPECT_EQ(sizeof(q), q.size);
	EXPECT_EQ(VMCTL_STATE_RESERVED, q.state);
	EXPECT_EQ((uintptr_t)p, q.base);
	EXPECT_EQ(2 * ps, q.region_size);
	EXPECT_EQ((uintptr_t)p, q.reservation_base);
	EXPECT_EQ(16 * ps, q.reservation_size);
	EXPECT_EQ(4 * ps, q.committed_bytes);
	EXPECT_EQ(4 * ps, q.resident_bytes);

	ASSERT_EQ(0, query(self->fd, p + 2 * ps, &q));
	EXPECT_EQ(VMCTL_STATE_COMMITTED, q.state);
	EXPECT_EQ(3 * ps, q.region_size);
	/* From the middle of a run, unaligned: the rest of it. */
	ASSERT_EQ(0, query(self->fd, p + 3 * ps + 17, &q));
	EXPECT_EQ(VMCTL_STATE_COMMITTED, q.state);
	EXPECT_EQ((uintptr_t)(p + 3 * ps), q.base);
	EXPECT_EQ(2 * ps, q.region_size);
	ASSERT_EQ(0, query(self->fd, p + 5 * ps, &q));
	EXPECT_EQ(VMCTL_STATE_RESERVED, q.state);
	EXPECT_EQ(3 * ps, q.region_size);
	ASSERT_EQ(0, query(self->fd, p + 8 * ps, &q));
	EXPECT_EQ(VMCTL_STATE_COMMITTED, q.state);
	EXPECT_EQ(1 * ps, q.region_size);
	ASSERT_EQ(0, query(self->fd, p + 9 * ps, &q));
	EXPECT_EQ(VMCTL_STATE_RESERVED, q.state);
	EXPECT_EQ(7 * ps, q.region_size);

	/* Resident drops when the pages are freed, not when unmapped. */
	ASSERT_EQ(0, decommit(self->fd, p + 2 * ps, ps));
	ASSERT_EQ(0, query(self->fd, p + 15 * ps, &q));
	EXPECT_EQ(3 * ps, q.committed_bytes);
	EXPECT_EQ(3 * ps, q.resident_bytes);

	/* Another mapping is not a reservation. */
	anon = mmap(NULL, ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, anon);
	EXPECT_EQ(-EINVAL, query(self->fd, anon, &q));

	/* A free address: up to the next mapping. */
	ASSERT_EQ(0, munmap(anon, ps));
	ASSERT_EQ(0, query(self->fd, anon, &q));
	EXPECT_EQ(VMCTL_STATE_FREE, q.state);
	EXPECT_EQ((uintptr_t)anon, q.base);
	EXPECT_LE(ps, q.region_size);
	EXPECT_EQ(0, q.reservation_base);
	EXPECT_EQ(0, q.reservation_size);
	EXPECT_EQ(0, q.committed_bytes);

	/* Unknown flags. */
	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.flags = 1;
	q.addr = (uintptr_t)p;
	EXPECT_EQ(-EINVAL, vmctl_test_ioctl(self->fd, VMCTL_IOC_QUERY, &q));
	ASSERT_EQ(0, release(self->fd, p));
	/* After release: free. */
	ASSERT_EQ(0, query(self->fd, p, &q));
	EXPECT_EQ(VMCTL_STATE_FREE, q.state);
}

/* Query of another process; ESRCH, EACCES and ENODATA. */
TEST_F(resv, query_other_process)
{
	struct vmctl_query q;
	int pfd[2], status;
	char *p, c;
	pid_t pid;

	ASSERT_EQ(0, pipe(pfd));
	p = mmap(NULL, 8 * self->ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p, 8 * self->ps));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *r = mmap(p, 8 * self->ps, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_FIXED_NOREPLACE, self->fd, 0);

		if (r != p || commit(self->fd, r + self->ps, 2 * self->ps))
			_exit(10);
		c = 1;
		if (write(pfd[1], &c, 1) != 1)
			_exit(11);
		pause();
		_exit(0);
	}
	close(pfd[1]);
	ASSERT_EQ(1, read(pfd[0], &c, 1));
	ASSERT_EQ(0, query_pid(self->fd, pid, p + self->ps, &q));
	EXPECT_EQ(VMCTL_STATE_COMMITTED, q.state);
	EXPECT_EQ(2 * self->ps, q.region_size);
	EXPECT_EQ((uintptr_t)p, q.reservation_base);
	EXPECT_EQ(2 * self->ps, q.committed_bytes);
	/* Not mapped in the caller. */
	ASSERT_EQ(0, query(self->fd, p + self->ps, &q));
	EXPECT_EQ(VMCTL_STATE_FREE, q.state);

	/* A zombie has no address space. */
	kill(pid, SIGKILL);
	ASSERT_EQ(0, waitid(P_PID, pid, NULL, WEXITED | WNOWAIT));
	EXPECT_EQ(-ENODATA, query_pid(self->fd, pid, p, &q));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(-ESRCH, query_pid(self->fd, pid, p, &q));

	/* An unprivileged caller may not read root's init. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct vmctl_query q2;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		_exit(query_pid(self->fd, 1, p, &q2) == -EACCES ? 0 : 12);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	close(pfd[0]);
}

/*
 * Checkerboard commit of 1 GiB keeps the reservation one VMA, past what
 * the mprotect emulation reaches under a lowered vm.max_map_count.
 */
TEST_F(resv, checkerboard_1gib_one_vma)
{
	const size_t len = GiB, pages = GiB / self->ps;
	uint64_t mc0, runs = 0;
	size_t emul = 0;
	struct vmctl_query q;
	char *p, *e;
	int err = 0;

	NEED_ROOT();
	self->max_map_count = read_i64_file(MAX_MAP_COUNT_PATH);
	ASSERT_LT(0, self->max_map_count);
	ASSERT_EQ(0, write_i64_file(MAX_MAP_COUNT_PATH, 5000));

	mc0 = map_count(self->fd);
	ASSERT_LT(0, mc0);
	p = reserve(self->fd, len);
	ASSERT_NE(MAP_FAILED, p);
	for (size_t i = 0; i < pages; i += 2) {
		err = commit(self->fd, p + i * self->ps, self->ps);
		if (err)
			break;
	}
	ASSERT_EQ(0, err);
	EXPECT_EQ(mc0 + 1, map_count(self->fd));
	ASSERT_EQ(0, query(self->fd, p, &q));
	EXPECT_EQ(len / 2, q.committed_bytes);
	/* Every run is one page; count them from the start. */
	for (char *a = p; a < p + len; a += q.region_size) {
		ASSERT_EQ(0, query(self->fd, a, &q));
		ASSERT_EQ(self->ps, q.region_size) TH_LOG("run at page %zu",
							   (size_t)(a - p) / self->ps);
		ASSERT_EQ(runs % 2 ? VMCTL_STATE_RESERVED : VMCTL_STATE_COMMITTED, q.state);
		runs++;
	}
	EXPECT_EQ(pages, runs);
	EXPECT_EQ(0, probe_write(p + 2 * self->ps, 1));
	EXPECT_EQ(SIGSEGV, probe_write(p + 3 * self->ps, 1));

	/* The emulation, same pattern, same process. */
	e = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, e);
	for (size_t i = 0; i < pages; i += 2) {
		if (mprotect(e + i * self->ps, self->ps, PROT_READ | PROT_WRITE)) {
			err = errno;
			break;
		}
		emul++;
	}
	TH_LOG("vmctl: %zu commits in 1 VMA; emulation: %zu commits, then %s at %llu VMAs",
	       pages / 2, emul, strerror(err), (unsigned long long)map_count(self->fd));
	EXPECT_EQ(ENOMEM, err);
	EXPECT_GT(pages / 2, emul);
	ASSERT_EQ(0, munmap(e, len));
	ASSERT_EQ(0, release(self->fd, p));
	EXPECT_EQ(mc0, map_count(self->fd));
}

/* 64 TiB of address space, with a page committed at its very end. */
TEST_F(resv, reserve_64tib_commit_at_end)
{
	const uint64_t len = 64 * TiB;
	struct vmctl_query q;
	int64_t c0;
	char *p, *last;

	NEED_COMMITTED_PAGES();
	c0 = committed_pages();
	p = reserve(self->fd, len);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap 64 TiB: %s", strerror(errno));
	EXPECT_EQ(c0, committed_pages());
	last = p + len - self->ps;
	EXPECT_EQ(SIGSEGV, probe_write(last, 1));
	ASSERT_EQ(0, commit(self->fd, last, self->ps));
	EXPECT_EQ(c0 + 1, committed_pages());
	EXPECT_EQ(0, probe_write(last + self->ps - 1, 0x5a));
	EXPECT_EQ(0x5a, last[self->ps - 1]);
	ASSERT_EQ(0, query(self->fd, p, &q));
	EXPECT_EQ(VMCTL_STATE_RESERVED, q.state);
	EXPECT_EQ(len - self->ps, q.region_size);
	EXPECT_EQ(len, q.reservation_size);
	EXPECT_EQ(self->ps, q.committed_bytes);
	ASSERT_EQ(0, query(self->fd, last, &q));
	EXPECT_EQ(VMCTL_STATE_COMMITTED, q.state);
	EXPECT_EQ(self->ps, q.region_size);
	ASSERT_EQ(0, release(self->fd, last));
	EXPECT_EQ(c0, committed_pages());
}

/*
 * vm.overcommit_memory=2: a commit larger than CommitLimit fails with
 * ENOMEM and leaves nothing behind; a small one still works.
 */
TEST_F(resv, overcommit_never_enomem_leaks_nothing)
{
	int64_t limit, c0, r0;
	uint64_t len, committed = 1;
	struct vmctl_query q;
	char *p;

	NEED_ROOT();
	NEED_COMMITTED_PAGES();
	self->overcommit_memory = read_i64_file(OVERCOMMIT_MEMORY_PATH);
	ASSERT_LE(0, self->overcommit_memory);
	ASSERT_EQ(0, write_i64_file(OVERCOMMIT_MEMORY_PATH, 2));
	limit = read_kb_line("/proc/meminfo", "CommitLimit");
	ASSERT_LT(0, limit);
	len = ((uint64_t)limit + 16 * MiB) & ~(uint64_t)(self->ps - 1);

	p = reserve(self->fd, len);
	ASSERT_NE(MAP_FAILED, p);
	r0 = mapped_bytes(p, len);
	c0 = committed_pages();
	EXPECT_EQ(-ENOMEM, commit(self->fd, p, len));
	EXPECT_EQ(c0, committed_pages());
	EXPECT_EQ(r0, mapped_bytes(p, len));
	ASSERT_EQ(0, query(self->fd, p, &q));
	EXPECT_EQ(VMCTL_STATE_RESERVED, q.state);
	EXPECT_EQ(len, q.region_size);
	EXPECT_EQ(0, q.committed_bytes);
	EXPECT_EQ(0, q.resident_bytes);
	EXPECT_EQ(SIGSEGV, probe_read(p));
	/* Nothing left on the process's own account either. */
	ASSERT_EQ(0, set_limit(self->fd, 0, 0, &committed));
	EXPECT_EQ(0, committed);

	/* Within the limit the charge is still honoured exactly. */
	ASSERT_EQ(0, commit(self->fd, p, MiB));
	EXPECT_EQ(c0 + (int64_t)(MiB / self->ps), committed_pages());
	ASSERT_EQ(0, release(self->fd, p));
	EXPECT_EQ(c0, committed_pages());
}

/* A per-process limit: EDQUOT past it; EPERM without CAP_SYS_RESOURCE. */
TEST_F(resv, commit_limit_edquot_and_eperm)
{
	uint64_t committed = 1;
	int64_t c0;
	int status;
	char *p;
	pid_t pid;

	NEED_ROOT();
	NEED_COMMITTED_PAGES();
	p = reserve(self->fd, 64 * self->ps);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, commit(self->fd, p, 4 * self->ps));
	ASSERT_EQ(0, set_limit(self->fd, 0, 16 * self->ps, &committed));
	EXPECT_EQ(4 * self->ps, committed);

	ASSERT_EQ(0, commit(self->fd, p + 4 * self->ps, 12 * self->ps));
	c0 = committed_pages();
	EXPECT_EQ(-EDQUOT, commit(self->fd, p + 16 * self->ps, self->ps));
	EXPECT_EQ(-EDQUOT, commit(self->fd, p, 17 * self->ps));
	EXPECT_EQ(c0, committed_pages());
	EXPECT_EQ(SIGSEGV, probe_read(p + 16 * self->ps));
	/* Recommitting committed pages needs no room. */
	EXPECT_EQ(0, commit(self->fd, p, 16 * self->ps));
	/* Decommit makes room. */
	ASSERT_EQ(0, decommit(self->fd, p, self->ps));
	EXPECT_EQ(0, commit(self->fd, p + 16 * self->ps, self->ps));

	/* Another reservation of the same process shares the limit. */
	do {
		char *p2 = reserve(self->fd, 4 * self->ps);

		ASSERT_NE(MAP_FAILED, p2);
		EXPECT_EQ(-EDQUOT, commit(self->fd, p2, self->ps));
		ASSERT_EQ(0, munmap(p2, 4 * self->ps));
	} while (0);

	ASSERT_EQ(0, set_limit(self->fd, 0, 0, &committed));
	EXPECT_EQ(16 * self->ps, committed);
	EXPECT_EQ(0, commit(self->fd, p, 64 * self->ps));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(10);
		if (set_limit(self->fd, 0, MiB, NULL) != -EPERM)
			_exit(11);
		if (set_limit(self->fd, 1, MiB, NULL) != -EPERM)
			_exit(12);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	ASSERT_EQ(0, release(self->fd, p));
}

/* Every malformed range is EINVAL and changes nothing. */
TEST_F(resv, bad_ranges_einval)
{
	const long ps = self->ps;
	static const unsigned long cmds[] = {
		VMCTL_IOC_COMMIT, VMCTL_IOC_DECOMMIT, VMCTL_IOC_RESET,
	};
	char *area, *a, *b, *h, *anon;
	struct vmctl_range r;
	int64_t c0 = committed_pages();

	/* Two adjacent reservations, a (8 pages) then b (8 pages). */
	area = mmap(NULL, 16 * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	a = mmap(area, 8 * ps, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, self->fd, 0);
	ASSERT_EQ(area, a);
	b = mmap(area + 8 * ps, 8 * ps, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 self->fd, 0);
	ASSERT_EQ(area + 8 * ps, b);
	/* A reservation with a hole munmap() made. */
	h = reserve(self->fd, 8 * ps);
	ASSERT_NE(MAP_FAILED, h);
	ASSERT_EQ(0, munmap(h + 3 * ps, ps));
	anon = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, anon);

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		unsigned long c = cmds[i];

		TH_LOG("cmd %#lx", c);
		EXPECT_EQ(-EINVAL, range_ioctl(self->fd, c, a + 1, ps, 0));
		EXPECT_EQ(-EINVAL, range_ioctl(self->fd, c, a, ps + 1, 0));
		EXPECT_EQ(-EINVAL, range_ioctl(self->fd, c, a, ps - 1, 0));
		EXPECT_EQ(-EINVAL, range_ioctl(self->fd, c, a, 0, 0));
		EXPECT_EQ(-EINVAL, range_ioctl(self->fd, c, a, -(uint64_t)ps, 0));
		EXPECT_EQ(-EINVAL, range_ioctl(self->fd, c, a + 4 * ps,
					       -(uint64_t)(uintptr_t)a, 0));
		EXPECT_EQ(-EINVAL, range_ioctl(self->fd, c, a, 9 * ps, 0));
		EXPECT_EQ(-EINVAL, range_ioctl(self->fd, c, a + 7 * ps, 2 * ps, 0));
		EXPECT_EQ(-EINVAL, range_ioctl(self->fd, c, h, 4 * ps, 0));
		EXPECT_EQ(-EINVAL, range_ioctl(self->fd, c, h + 3 * ps, ps, 0));
		EXPECT_EQ(-EINVAL, range_ioctl(self->fd, c, h + 2 * ps, 3 * ps, 0));
		EXPECT_EQ(-EINVAL, range_ioctl(self->fd, c, h, 9 * ps, 0));
		EXPECT_EQ(-EINVAL, range_ioctl(self->fd, c, anon, ps, 0));
		EXPECT_EQ(-EINVAL, range_ioctl(self->fd, c, NULL, ps, 0));
		EXPECT_EQ(-EINVAL, range_ioctl(self->fd, c, (void *)-(uintptr_t)ps, ps, 0));
		EXPECT_EQ(-EINVAL, range_ioctl(self->fd, c, a, ps, 1ULL << 63));
	}
	EXPECT_EQ(-EINVAL, range_ioctl(self->fd, VMCTL_IOC_COMMIT, a, ps, 1ULL << 1));
	EXPECT_EQ(-EINVAL, range_ioctl(self->fd, VMCTL_IOC_DECOMMIT, a, ps,
				       VMCTL_COMMIT_POPULATE));
	EXPECT_EQ(-EINVAL, range_ioctl(self->fd, VMCTL_IOC_RESET, a, ps,
				       VMCTL_COMMIT_POPULATE));
	EXPECT_EQ(-EINVAL, range_ioctl(self->fd, VMCTL_IOC_RELEASE, a, ps, 0));
	EXPECT_EQ(-EINVAL, range_ioctl(self->fd, VMCTL_IOC_RELEASE, a, 0,
				       VMCTL_COMMIT_POPULATE));
	EXPECT_EQ(-EINVAL, release(self->fd, anon));
	EXPECT_EQ(-EINVAL, release(self->fd, h + 3 * ps));
	/* The pieces on each side of the hole are each fine. */
	EXPECT_EQ(0, commit(self->fd, h, 3 * ps));
	EXPECT_EQ(0, commit(self->fd, h + 4 * ps, 4 * ps));
	EXPECT_EQ(0, commit(self->fd, a, 8 * ps));
	EXPECT_EQ(0, commit(self->fd, b, 8 * ps));

	/* The argument itself. */
	EXPECT_EQ(-EFAULT, vmctl_test_ioctl(self->fd, VMCTL_IOC_COMMIT, NULL));
	memset(&r, 0, sizeof(r));
	r.size = sizeof(r) - 8;
	r.addr = (uintptr_t)a;
	r.len = ps;
	EXPECT_EQ(-EINVAL, vmctl_test_ioctl(self->fd, VMCTL_IOC_COMMIT, &r));
	r.size = 1 << 20;
	EXPECT_EQ(-E2BIG, vmctl_test_ioctl(self->fd, VMCTL_IOC_COMMIT, &r));
	do {
		struct { struct vmctl_range r; uint64_t tail; } big = {
			.r = { .size = sizeof(big), .addr = (uintptr_t)a, .len = ps },
			.tail = 1,
		};

		EXPECT_EQ(-E2BIG, vmctl_test_ioctl(self->fd, VMCTL_IOC_COMMIT, &big));
		big.tail = 0;
		EXPECT_EQ(0, vmctl_test_ioctl(self->fd, VMCTL_IOC_COMMIT, &big));
	} while (0);

	/* Only MAP_SHARED at offset 0 makes a reservation. */
	errno = 0;
	EXPECT_EQ(MAP_FAILED, mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd, 0));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(MAP_FAILED, mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, ps));
	EXPECT_EQ(EINVAL, errno);

	ASSERT_EQ(0, release(self->fd, a));
	ASSERT_EQ(0, release(self->fd, b));
	/* Releasing twice: nothing there any more. */
	EXPECT_EQ(-EINVAL, release(self->fd, a));
	ASSERT_EQ(0, release(self->fd, h));
	ASSERT_EQ(0, munmap(anon, ps));
	if (c0 >= 0)
		EXPECT_EQ(c0, committed_pages());
}

#define HAMMER_THREADS	8
#define HAMMER_ROUNDS	300
#define HAMMER_PAGES	16

struct hammer {
	int fd;
	long ps;
	char *base;		/* this thread's slice */
	pthread_barrier_t *start, *end;
	int error;		/* 0 or the first failure, encoded */
	struct vmctl_query q;	/* the query that failed */
	int round;
};

static void *hammer_thread(void *arg)
{
	struct hammer *h = arg;
	size_t len = HAMMER_PAGES * h->ps;
	struct vmctl_query q;

	pthread_barrier_wait(h->start);
	for (int i = 0; i < HAMMER_ROUNDS && !h->error; i++) {
		size_t n = 1 + (size_t)i % HAMMER_PAGES;

		if (commit(h->fd, h->base, n * h->ps)) {
			h->error = 1;
			break;
		}
		for (size_t j = 0; j < n; j++) {
			if (h->base[j * h->ps] || h->base[j * h->ps + h->ps - 1]) {
				h->error = 2;	/* not zero after commit */
				break;
			}
			h->base[j * h->ps] = (char)(i | 1);
		}
		/* A run may go on into the next slice when it is the same. */
		if (query(h->fd, h->base, &q) || q.state != VMCTL_STATE_COMMITTED ||
		    q.region_size < n * h->ps ||
		    (n < HAMMER_PAGES && q.region_size != n * h->ps)) {
			h->error = 3;
			break;
		}
		if (h->base[0] != (char)(i | 1)) {
			h->error = 4;
			break;
		}
		if (decommit(h->fd, h->base, len)) {
			h->error = 5;
			break;
		}
		if (query(h->fd, h->base, &q) || q.state != VMCTL_STATE_RESERVED ||
		    q.region_size < len) {
			h->error = 6;
			h->q = q;
			h->round = i;
			break;
		}
	}
	pthread_barrier_wait(h->end);
	return NULL;
}

/* 8 threads commit, touch, query and decommit disjoint slices at once. */
TEST_F(resv, threads_hammer_disjoint_slices)
{
	struct hammer h[HAMMER_THREADS];
	pthread_t t[HAMMER_THREADS];
	pthread_barrier_t start, end;
	size_t slice = HAMMER_PAGES * self->ps;
	struct vmctl_query q;
	int64_t c0, c1;
	char *p;

	p = reserve(self->fd, HAMMER_THREADS * slice);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, pthread_barrier_init(&start, NULL, HAMMER_THREADS + 1));
	ASSERT_EQ(0, pthread_barrier_init(&end, NULL, HAMMER_THREADS + 1));
	for (int i = 0; i < HAMMER_THREADS; i++) {
		h[i] = (struct hammer){ .fd = self->fd, .ps = self->ps, .base = p + i * slice,
					.start = &start, .end = &end };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, hammer_thread, &h[i]));
	}
	/* Every stack is mapped by now. */
	c0 = committed_pages();
	pthread_barrier_wait(&start);
	pthread_barrier_wait(&end);
	c1 = committed_pages();
	for (int i = 0; i < HAMMER_THREADS; i++) {
		ASSERT_EQ(0, pthread_join(t[i], NULL));
		EXPECT_EQ(0, h[i].error) TH_LOG("thread %d round %d: state %u base %#llx size %#llx",
						i, h[i].round, h[i].q.state,
						(unsigned long long)h[i].q.base,
						(unsigned long long)h[i].q.region_size);
	}
	EXPECT_EQ(c0, c1);
	ASSERT_EQ(0, query(self->fd, p, &q));
	EXPECT_EQ(VMCTL_STATE_RESERVED, q.state);
	EXPECT_EQ(HAMMER_THREADS * slice, q.region_size);
	EXPECT_EQ(0, q.committed_bytes);
	ASSERT_EQ(0, release(self->fd, p));
}

/* fork(): the child has nothing there; the parent keeps everything. */
TEST_F(resv, fork_not_inherited)
{
	const size_t pages = 8;
	int64_t c0;
	int status;
	char *p;
	pid_t pid;

	NEED_COMMITTED_PAGES();
	p = reserve(self->fd, pages * self->ps);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, commit(self->fd, p, 4 * self->ps));
	fill_pages(p, 4, self->ps, 9);
	c0 = committed_pages();

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct vmctl_query q;

		if (query(self->fd, p, &q))
			_exit(10);
		if (q.state != VMCTL_STATE_FREE)
			_exit(11);
		if (probe_read(p) != SIGSEGV)
			_exit(12);
		/* Not ours to commit. */
		if (commit(self->fd, p, self->ps) != -EINVAL)
			_exit(13);
		/* The address is free: a new mapping can go there. */
		if (mmap(p, self->ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
			 MAP_FIXED_NOREPLACE, -1, 0) != p)
			_exit(14);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(c0, committed_pages());
	EXPECT_TRUE(check_pages(p, 4, self->ps, 9));
	EXPECT_EQ(0, commit(self->fd, p + 4 * self->ps, self->ps));
	ASSERT_EQ(0, release(self->fd, p));
}

/*
 * Partial munmap(): the pieces left keep working; the charge of the
 * unmapped piece is reported; release returns the charge to its start.
 */
TEST_F(resv, partial_munmap_pieces_keep_working)
{
	const long ps = self->ps;
	uint64_t mc0;
	int64_t c0, c1;
	struct vmctl_query q;
	char *p;

	NEED_COMMITTED_PAGES();
	c0 = committed_pages();
	mc0 = map_count(self->fd);
	p = reserve(self->fd, 16 * ps);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, commit(self->fd, p, 16 * ps));
	fill_pages(p, 16, ps, 1);

	ASSERT_EQ(0, munmap(p + 6 * ps, 4 * ps));
	EXPECT_EQ(mc0 + 2, map_count(self->fd));
	c1 = committed_pages();
	ASSERT_EQ(0, query(self->fd, p, &q));
	TH_LOG("after munmap of 4 committed pages: charge %+lld pages, reservation committed %llu pages",
	       (long long)(c1 - c0), (unsigned long long)q.committed_bytes / ps);
	/* The pieces keep their data and work. */
	EXPECT_TRUE(check_pages(p, 6, ps, 1));
	EXPECT_TRUE(check_pages(p + 10 * ps, 6, ps, 11));
	EXPECT_EQ(SIGSEGV, probe_read(p + 6 * ps));
	ASSERT_EQ(0, decommit(self->fd, p, 6 * ps));
	EXPECT_EQ(SIGSEGV, probe_read(p));
	ASSERT_EQ(0, commit(self->fd, p, 6 * ps));
	EXPECT_TRUE(all_zero(p, 6 * ps));
	ASSERT_EQ(0, decommit(self->fd, p + 10 * ps, 6 * ps));
	EXPECT_EQ(SIGSEGV, probe_read(p + 15 * ps));
	ASSERT_EQ(0, commit(self->fd, p + 12 * ps, 2 * ps));
	EXPECT_TRUE(all_zero(p + 12 * ps, 2 * ps));
	/* Query of each piece: runs end at the piece, the hole is free. */
	ASSERT_EQ(0, query(self->fd, p, &q));
	EXPECT_EQ(VMCTL_STATE_COMMITTED, q.state);
	EXPECT_EQ(6 * ps, q.region_size);
	EXPECT_EQ((uintptr_t)p, q.reservation_base);
	EXPECT_EQ(16 * ps, q.reservation_size);
	ASSERT_EQ(0, query(self->fd, p + 6 * ps, &q));
	EXPECT_EQ(VMCTL_STATE_FREE, q.state);
	EXPECT_EQ(4 * ps, q.region_size);
	ASSERT_EQ(0, query(self->fd, p + 10 * ps, &q));
	EXPECT_EQ(VMCTL_STATE_RESERVED, q.state);
	EXPECT_EQ(2 * ps, q.region_size);

	/* Release through the last piece takes the first one too. */
	ASSERT_EQ(0, release(self->fd, p + 15 * ps));
	EXPECT_EQ(mc0, map_count(self->fd));
	EXPECT_EQ(c0, committed_pages());
	ASSERT_EQ(0, query(self->fd, p, &q));
	EXPECT_EQ(VMCTL_STATE_FREE, q.state);
}

/* munmap() of an unmapped piece's pages: the documented charge. */
TEST_F(resv, partial_munmap_uncharges_unmapped_piece)
{
	const long ps = self->ps;
	int64_t c0;
	char *p;

	NEED_COMMITTED_PAGES();
	p = reserve(self->fd, 16 * ps);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, commit(self->fd, p, 16 * ps));
	c0 = committed_pages();
	ASSERT_EQ(0, munmap(p + 6 * ps, 4 * ps));
	/*
	 * Issue: "partial munmap (the remaining pieces keep working)"; the
	 * unmapped pages can never be touched again, so they should stop
	 * counting. Fails while the kernel keeps them until release.
	 */
	EXPECT_EQ(c0 - 4, committed_pages());
	ASSERT_EQ(0, release(self->fd, p));
}

/* mprotect() on part: a read-only piece, the rest unchanged. */
TEST_F(resv, mprotect_part)
{
	const long ps = self->ps;
	struct vmctl_query q;
	uint64_t mc0;
	char *p, v;

	mc0 = map_count(self->fd);
	p = reserve(self->fd, 16 * ps);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, commit(self->fd, p, 16 * ps));
	fill_pages(p, 16, ps, 20);
	ASSERT_EQ(0, mprotect(p + 4 * ps, 4 * ps, PROT_READ));
	EXPECT_EQ(mc0 + 3, map_count(self->fd));

	EXPECT_EQ(SIGSEGV, probe_write(p + 5 * ps, 1));
	EXPECT_EQ(0, probe((volatile char *)p + 5 * ps, false, &v));
	EXPECT_EQ((char)(25 | 1), v);
	EXPECT_EQ(0, probe_write(p + 3 * ps, 1));
	EXPECT_EQ(0, probe_write(p + 8 * ps, 1));

	/* Ranges may cross the pieces mprotect() made. */
	ASSERT_EQ(0, decommit(self->fd, p + 2 * ps, 8 * ps));
	EXPECT_EQ(SIGSEGV, probe_read(p + 5 * ps));
	ASSERT_EQ(0, commit(self->fd, p + 2 * ps, 8 * ps));
	EXPECT_EQ(0, probe_read(p + 5 * ps));
	EXPECT_TRUE(all_zero(p + 2 * ps, 8 * ps));
	/* A run ends at its VMA. */
	ASSERT_EQ(0, query(self->fd, p, &q));
	EXPECT_EQ(VMCTL_STATE_COMMITTED, q.state);
	EXPECT_EQ(4 * ps, q.region_size);
	ASSERT_EQ(0, query(self->fd, p + 4 * ps, &q));
	EXPECT_EQ(4 * ps, q.region_size);
	EXPECT_EQ(16 * ps, q.committed_bytes);

	ASSERT_EQ(0, release(self->fd, p + 5 * ps));
	EXPECT_EQ(mc0, map_count(self->fd));
}

/* madvise() and mlock() on a reservation. */
TEST_F(resv, madvise_and_mlock)
{
	const long ps = self->ps;
	int64_t r0;
	char *p;

	p = reserve(self->fd, 16 * ps);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, range_ioctl(self->fd, VMCTL_IOC_COMMIT, p, 8 * ps, VMCTL_COMMIT_POPULATE));
	fill_pages(p, 8, ps, 30);
	r0 = mapped_bytes(p, 16 * ps);
	/* DONTNEED on a shared mapping only unmaps: data stays. */
	ASSERT_EQ(0, madvise(p, 16 * ps, MADV_DONTNEED));
	EXPECT_EQ(r0 - 8 * ps, mapped_bytes(p, 16 * ps));
	EXPECT_TRUE(check_pages(p, 8, ps, 30));
	EXPECT_EQ(SIGSEGV, probe_read(p + 8 * ps));
	/* mlock of the committed part populates it. */
	EXPECT_EQ(0, mlock(p, 8 * ps));
	EXPECT_EQ(r0, mapped_bytes(p, 16 * ps));
	EXPECT_TRUE(check_pages(p, 8, ps, 30));
	EXPECT_EQ(0, munlock(p, 8 * ps));
	/* Uncommitted pages cannot be locked in (as VirtualLock refuses). */
	errno = 0;
	EXPECT_EQ(-1, mlock(p, 16 * ps));
	EXPECT_EQ(ENOMEM, errno);
	EXPECT_EQ(SIGSEGV, probe_read(p + 8 * ps));
	ASSERT_EQ(0, commit(self->fd, p + 8 * ps, 8 * ps));
	EXPECT_TRUE(all_zero(p + 8 * ps, 8 * ps));
	ASSERT_EQ(0, decommit(self->fd, p, 16 * ps));
	EXPECT_EQ(SIGSEGV, probe_read(p));
	EXPECT_EQ(0, munlock(p, 16 * ps));
	ASSERT_EQ(0, release(self->fd, p));
}

/* mremap() is refused: a reservation never moves or grows. */
TEST_F(resv, mremap_refused)
{
	const long ps = self->ps;
	struct vmctl_query q;
	char *p, *dst, *r;

	p = reserve(self->fd, 8 * ps);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, commit(self->fd, p, 8 * ps));
	fill_pages(p, 8, ps, 50);
	dst = mmap(NULL, 16 * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, dst);

	errno = 0;
	r = mremap(p, 8 * ps, 8 * ps, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	EXPECT_EQ(MAP_FAILED, r);
	EXPECT_EQ(EINVAL, errno) TH_LOG("move: %s", strerror(errno));
	/*
	 * Growing is refused by the kernel itself before the module is
	 * asked: a VM_DONTEXPAND mapping cannot grow, and mremap() says
	 * EFAULT for that.
	 */
	errno = 0;
	r = mremap(p, 8 * ps, 16 * ps, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, r);
	EXPECT_EQ(EFAULT, errno) TH_LOG("grow: %s", strerror(errno));
	/* Shrinking in place is a munmap() of the tail, which is allowed. */
	r = mremap(p, 8 * ps, 4 * ps, 0);
	TH_LOG("shrink in place: %s", r == MAP_FAILED ? strerror(errno) : "done");

	/* Whatever happened, the reservation is where it was. */
	ASSERT_EQ(0, query(self->fd, p, &q));
	EXPECT_EQ((uintptr_t)p, q.reservation_base);
	EXPECT_EQ(VMCTL_STATE_COMMITTED, q.state);
	EXPECT_TRUE(check_pages(p, 4, ps, 50));
	EXPECT_EQ(0, commit(self->fd, p, 4 * ps));
	ASSERT_EQ(0, release(self->fd, p));
	ASSERT_EQ(0, munmap(dst, 16 * ps));
}

/* GET_STATS counts reservations as kind "reserved". */
TEST_F(resv, stats_kind_reserved)
{
	const long ps = self->ps;
	struct vmctl_stats s0, s1;
	char *a, *b;

	ASSERT_EQ(0, get_stats(self->fd, &s0));
	a = reserve(self->fd, MiB);
	ASSERT_NE(MAP_FAILED, a);
	b = reserve(self->fd, 3 * MiB);
	ASSERT_NE(MAP_FAILED, b);
	ASSERT_EQ(0, commit(self->fd, b, 64 * ps));
	ASSERT_EQ(0, get_stats(self->fd, &s1));
	EXPECT_EQ(s0.kinds[VMCTL_KIND_RESERVED].count + 2, s1.kinds[VMCTL_KIND_RESERVED].count);
	EXPECT_EQ(s0.kinds[VMCTL_KIND_RESERVED].bytes + 4 * MiB,
		  s1.kinds[VMCTL_KIND_RESERVED].bytes);
	EXPECT_EQ(s0.map_count + 2, s1.map_count);
	/* Not "shmem" although shmem backs it. */
	EXPECT_EQ(s0.kinds[VMCTL_KIND_SHMEM].count, s1.kinds[VMCTL_KIND_SHMEM].count);
	/* A PROT_NONE piece of a reservation is still "reserved", not "guard". */
	ASSERT_EQ(0, mprotect(a, 4 * ps, PROT_NONE));
	ASSERT_EQ(0, get_stats(self->fd, &s1));
	EXPECT_EQ(s0.kinds[VMCTL_KIND_RESERVED].count + 3, s1.kinds[VMCTL_KIND_RESERVED].count);
	EXPECT_EQ(s0.kinds[VMCTL_KIND_GUARD].count, s1.kinds[VMCTL_KIND_GUARD].count);
	ASSERT_EQ(0, release(self->fd, a));
	ASSERT_EQ(0, release(self->fd, b));
	ASSERT_EQ(0, get_stats(self->fd, &s1));
	EXPECT_EQ(s0.kinds[VMCTL_KIND_RESERVED].count, s1.kinds[VMCTL_KIND_RESERVED].count);
	EXPECT_EQ(s0.kinds[VMCTL_KIND_RESERVED].bytes, s1.kinds[VMCTL_KIND_RESERVED].bytes);
}

static int64_t module_refcnt(void)
{
	return read_i64_file("/sys/module/vmctl/refcnt");
}

/* The module cannot go while a reservation exists. */
TEST_F(resv, module_unload_refused_while_reserved)
{
	int pfd[2], status, err;
	int64_t ref0, ref;
	pid_t pid;
	char c;

	NEED_ROOT();
	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *p = reserve(self->fd, 16 * self->ps);

		if (p == MAP_FAILED || commit(self->fd, p, 4 * self->ps))
			_exit(10);
		/* Only the reservation pins the module: no open file. */
		close(self->fd);
		c = 1;
		if (write(pfd[1], &c, 1) != 1)
			_exit(11);
		for (;;)
			pause();
	}
	close(pfd[1]);
	ASSERT_EQ(1, read(pfd[0], &c, 1));
	close(pfd[0]);
	close(self->fd);
	self->fd = -1;

	ref = module_refcnt();
	EXPECT_LE(1, ref) TH_LOG("refcnt %lld with a reservation", (long long)ref);
	errno = 0;
	err = syscall(SYS_delete_module, "vmctl", O_NONBLOCK);
	EXPECT_EQ(-1, err);
	EXPECT_TRUE(errno == EBUSY || errno == EWOULDBLOCK) TH_LOG("errno %d", errno);
	EXPECT_NE(0, system("rmmod vmctl 2>/dev/null"));
	EXPECT_EQ(0, access("/sys/module/vmctl", F_OK));

	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	/* The reference goes an RCU grace period after the last VMA. */
	ref0 = -1;
	for (int i = 0; i < 200; i++) {
		ref0 = module_refcnt();
		if (ref0 == 0)
			break;
		usleep(10000);
	}
	EXPECT_EQ(0, ref0) TH_LOG("refcnt after the reservation went: %lld", (long long)ref0);
}

TEST_HARNESS_MAIN
