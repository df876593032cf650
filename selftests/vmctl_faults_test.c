// SPDX-License-Identifier: GPL-2.0
/*
 * Fault accounting: VMCTL_IOC_TRACK/UNTRACK/GET_FAULTS/GET_FAULT_VMAS and
 * the netlink dump, with exact expectations.
 *
 * Slack: the per-VMA counters of a fresh mapping are exact (nothing else
 * faults there). Process totals include the faults of the test's own
 * code, stack and libraries between two reads, so they are checked as
 * "at least" plus the identity minor + major + untraced == growth of
 * min_flt + maj_flt.
 *
 * VMCTL_FAULTS_DISK=PATH names a directory on a real block device for the
 * major-fault test (skipped without it).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmctl_test.h"

#define NPAGES	256

static long page_size;

static int track(int fd, unsigned long cmd, pid_t pid)
{
	struct vmctl_track t = { .size = sizeof(t), .pid = pid };

	return vmctl_test_ioctl(fd, cmd, &t);
}

static int get_faults(int fd, pid_t pid, __u64 flags, struct vmctl_faults *f)
{
	memset(f, 0, sizeof(*f));
	f->size = sizeof(*f);
	f->pid = pid;
	f->flags = flags;
	return vmctl_test_ioctl(fd, VMCTL_IOC_GET_FAULTS, f);
}

static struct vmctl_fault_vma vmas_buf[VMCTL_FAULT_VMAS_MAX + 1];
static char names_buf[65536];

static int get_vmas(int fd, pid_t pid, unsigned int *n)
{
	struct vmctl_fault_vmas a = {
		.size = sizeof(a), .pid = pid,
		.vmas_addr = (uintptr_t)vmas_buf,
		.vma_size = sizeof(vmas_buf[0]),
		.vma_count = VMCTL_FAULT_VMAS_MAX + 1,
		.names_addr = (uintptr_t)names_buf,
		.names_size = sizeof(names_buf),
	};
	int ret = vmctl_test_ioctl(fd, VMCTL_IOC_GET_FAULT_VMAS, &a);

	*n = a.vma_count;
	return ret;
}

/* The bucket of the VMA that starts at @start, or NULL. */
static struct vmctl_fault_vma *find_vma(int fd, pid_t pid, void *start)
{
	unsigned int n, i;

	if (get_vmas(fd, pid, &n))
		return NULL;
	for (i = 0; i < n; i++)
		if (vmas_buf[i].start == (uintptr_t)start)
			return &vmas_buf[i];
	return NULL;
}

static void *fresh(size_t npages)
{
	void *p = mmap(NULL, npages * page_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, npages * page_size, MADV_NOHUGEPAGE);
	return p;
}

FIXTURE(faults) {
	int fd;
};

FIXTURE_SETUP(faults)
{
	page_size = sysconf(_SC_PAGESIZE);
	VMCTL_OPEN_OR_SKIP(_metadata, self->fd);
	ASSERT_EQ(0, track(self->fd, VMCTL_IOC_TRACK, 0));
}

static int track_system(int fd, unsigned long cmd);

FIXTURE_TEARDOWN(faults)
{
	if (self->fd >= 0) {
		track(self->fd, VMCTL_IOC_UNTRACK, 0);
		/* A failed system-wide test must not leave it on for the next. */
		track_system(self->fd, VMCTL_IOC_UNTRACK);
		close(self->fd);
	}
}

TEST_F(faults, already_tracked)
{
	ASSERT_EQ(-EEXIST, track(self->fd, VMCTL_IOC_TRACK, 0));
	ASSERT_EQ(0, track(self->fd, VMCTL_IOC_UNTRACK, 0));
	ASSERT_EQ(-ENOENT, track(self->fd, VMCTL_IOC_UNTRACK, 0));
	struct vmctl_faults f;

	ASSERT_EQ(-ENOENT, get_faults(self->fd, 0, 0, &f));
	ASSERT_EQ(0, track(self->fd, VMCTL_IOC_TRACK, 0));
}

TEST_F(faults, bad_args)
{
	struct vmctl_track t = { .size = sizeof(t), .flags = 2 };
	struct vmctl_faults f;

	ASSERT_EQ(-EINVAL, vmctl_test_ioctl(self->fd, VMCTL_IOC_TRACK, &t));
	ASSERT_EQ(-EINVAL, vmctl_test_ioctl(self->fd, VMCTL_IOC_UNTRACK, &t));
	ASSERT_EQ(-EINVAL, get_faults(self->fd, 0, 2, &f));
	ASSERT_EQ(-EINVAL, get_faults(self->fd, 1, VMCTL_FAULTS_THREAD, &f));
	ASSERT_EQ(-EINVAL, get_faults(self->fd, -1, 0, &f));
}

/* N fresh pages written: N minor write faults in that VMA, in user mode. */
TEST_F(faults, anon_write)
{
	struct vmctl_faults a, b;
	struct vmctl_fault_vma *v;
	char *p = fresh(NPAGES);
	int i;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, get_faults(self->fd, 0, 0, &a));
	for (i = 0; i < NPAGES; i++)
		p[i * page_size] = 1;
	ASSERT_EQ(0, get_faults(self->fd, 0, 0, &b));

	v = find_vma(self->fd, 0, p);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(NPAGES, v->minor);
	EXPECT_EQ(0, v->major);
	EXPECT_EQ(NPAGES, v->write);
	EXPECT_EQ(0, v->exec);
	EXPECT_EQ(NPAGES, v->user);
	EXPECT_EQ(0, v->kernel);
	EXPECT_EQ(VMCTL_KIND_ANON, v->kind);
	EXPECT_EQ((uintptr_t)p + NPAGES * page_size, v->end);
	EXPECT_GE(v->lat_total_ns, v->lat_max_ns);

	EXPECT_GE(b.counts.minor - a.counts.minor, NPAGES);
	EXPECT_GE(b.counts.write - a.counts.write, NPAGES);
	/* No fault lost: the handler saw what min_flt/maj_flt counted. */
	EXPECT_EQ(b.min_flt + b.maj_flt,
		  b.counts.minor + b.counts.major + b.counts.untraced);
	EXPECT_EQ(0, b.counts.untraced);
	EXPECT_EQ(0, b.out_flags);
	EXPECT_EQ(1, b.threads);

	/* The histogram holds every timed fault. */
	__u64 sum = 0;

	for (i = 0; i < VMCTL_FAULT_HIST_BUCKETS; i++)
		sum += b.counts.hist[i];
	EXPECT_EQ(b.counts.lat_count, sum);
	EXPECT_EQ(b.counts.minor + b.counts.major, b.counts.lat_count);
	EXPECT_GE(b.counts.lat_total_ns, b.counts.lat_max_ns);
	munmap(p, NPAGES * page_size);
}

/* Reads of fresh anonymous pages: minor faults, none of them writes. */
TEST_F(faults, anon_read)
{
	volatile char *p = fresh(NPAGES);
	struct vmctl_fault_vma *v;
	int i, sum = 0;

	ASSERT_NE(NULL, p);
	for (i = 0; i < NPAGES; i++)
		sum += p[i * page_size];
	v = find_vma(self->fd, 0, (void *)p);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(NPAGES, v->minor);
	EXPECT_EQ(0, v->write);
	EXPECT_EQ(0, sum);
	munmap((void *)p, NPAGES * page_size);
}

/* read() into fresh pages: the kernel takes the faults (copy_to_user). */
TEST_F(faults, kernel_origin)
{
	struct vmctl_fault_vma *v;
	char *p = fresh(16);
	int fd = open("/dev/zero", O_RDONLY);

	ASSERT_NE(NULL, p);
	ASSERT_LE(0, fd);
	ASSERT_EQ(16 * page_size, read(fd, p, 16 * page_size));
	close(fd);
	v = find_vma(self->fd, 0, p);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(16, v->minor);
	EXPECT_EQ(16, v->kernel);
	EXPECT_EQ(0, v->user);
	EXPECT_EQ(16, v->write);
	munmap(p, 16 * page_size);
}

/* A failed copy_to_user(): counted as efault. */
TEST_F(faults, kernel_efault)
{
	struct vmctl_faults a, b;
	char *p = mmap(NULL, page_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	int fd = open("/dev/zero", O_RDONLY);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, get_faults(self->fd, 0, 0, &a));
	/*
	 * One put_user() to an inaccessible page. (copy_to_user() retries
	 * byte by byte after a fault, so it takes two.)
	 */
	ASSERT_EQ(-1, syscall(SYS_getcpu, p, NULL, NULL));
	ASSERT_EQ(EFAULT, errno);
	/* The failure is known when the next fault of the thread starts. */
	char *q = fresh(1);

	q[0] = 1;
	ASSERT_EQ(0, get_faults(self->fd, 0, 0, &b));
	EXPECT_EQ(1, b.counts.efault - a.counts.efault);
	close(fd);
	munmap(p, page_size);
	munmap(q, page_size);
}

/* Faults taken by get_user_pages() (MAP_POPULATE) are untraced, not lost. */
TEST_F(faults, gup_untraced)
{
	struct vmctl_faults a, b;
	void *p;

	ASSERT_EQ(0, get_faults(self->fd, 0, 0, &a));
	p = mmap(NULL, NPAGES * page_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, get_faults(self->fd, 0, 0, &b));
	EXPECT_GE(b.counts.untraced - a.counts.untraced, NPAGES);
	EXPECT_EQ(b.min_flt + b.maj_flt,
		  b.counts.minor + b.counts.major + b.counts.untraced);
	EXPECT_EQ(NULL, find_vma(self->fd, 0, p));
	munmap(p, NPAGES * page_size);
}

struct thread_arg {
	int fd;
	struct vmctl_faults a, b;
	int ret;
};

static void *thread_fn(void *data)
{
	struct thread_arg *t = data;
	char *p = fresh(NPAGES);
	int i;

	t->ret = get_faults(t->fd, 0, VMCTL_FAULTS_THREAD, &t->a);
	for (i = 0; i < NPAGES; i++)
		p[i * page_size] = 1;
	if (!t->ret)
		t->ret = get_faults(t->fd, 0, VMCTL_FAULTS_THREAD, &t->b);
	munmap(p, NPAGES * page_size);
	return NULL;
}

/* A thread created after tracking began reads its own counters. */
TEST_F(faults, thread_self)
{
	struct thread_arg t = { .fd = self->fd };
	struct vmctl_faults f;
	pthread_t th;

	ASSERT_EQ(0, pthread_create(&th, NULL, thread_fn, &t));
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(0, t.ret);
	EXPECT_EQ(NPAGES, t.b.counts.minor - t.a.counts.minor);
	EXPECT_EQ(NPAGES, t.b.counts.write - t.a.counts.write);
	EXPECT_EQ(NPAGES, t.b.min_flt - t.a.min_flt);
	EXPECT_EQ(0, t.b.counts.untraced);
	ASSERT_EQ(0, get_faults(self->fd, 0, 0, &f));
	EXPECT_GE(f.threads, 2);
}

/* Run @fn in a child that tracks itself; return its pid once it exited. */
static pid_t run_tracked_child(int fd, void (*fn)(void), int *status)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct vmctl_track t = { .size = sizeof(t) };

		if (ioctl(fd, VMCTL_IOC_TRACK, &t))
			_exit(99);
		fn();
		_exit(0);
	}
	waitpid(pid, status, 0);
	return pid;
}

static void do_exec(void)
{
	execl("/bin/true", "true", NULL);
	_exit(98);
}

/* An exec'd program faults its text in: instruction-fetch faults. */
TEST_F(faults, exec_faults_after_exit)
{
	struct vmctl_faults f;
	int status;
	pid_t pid = run_tracked_child(self->fd, do_exec, &status);

	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	/* Kept after exit until untracked, and readable more than once. */
	ASSERT_EQ(0, get_faults(self->fd, pid, 0, &f));
	EXPECT_EQ(VMCTL_FAULTS_EXITED, f.out_flags);
	EXPECT_LT(0, f.counts.exec);
	EXPECT_LT(0, f.counts.minor);
	EXPECT_EQ(f.min_flt + f.maj_flt,
		  f.counts.minor + f.counts.major + f.counts.untraced);
	TH_LOG("exec child: minor %llu major %llu exec %llu write %llu untraced %llu",
	       f.counts.minor, f.counts.major, f.counts.exec, f.counts.write,
	       f.counts.untraced);
	ASSERT_EQ(0, get_faults(self->fd, pid, 0, &f));
	ASSERT_EQ(0, track(self->fd, VMCTL_IOC_UNTRACK, pid));
	ASSERT_EQ(-ENOENT, get_faults(self->fd, pid, 0, &f));
}

static volatile int *volatile segv_addr;

static void do_segv(void)
{
	segv_addr = (int *)16;
	*segv_addr = 1;
}

TEST_F(faults, sigsegv)
{
	struct vmctl_faults f;
	int status;
	pid_t pid = run_tracked_child(self->fd, do_segv, &status);

	ASSERT_TRUE(WIFSIGNALED(status));
	ASSERT_EQ(SIGSEGV, WTERMSIG(status));
	ASSERT_EQ(0, get_faults(self->fd, pid, 0, &f));
	EXPECT_EQ(1, f.counts.sigsegv);
	EXPECT_EQ(0, f.counts.sigbus);
	EXPECT_EQ(0, f.counts.oom);
	ASSERT_EQ(0, track(self->fd, VMCTL_IOC_UNTRACK, pid));
}

static void do_sigbus(void)
{
	char path[] = "/tmp/vmctl-faults-XXXXXX";
	int fd = mkstemp(path);
	volatile char *p;

	unlink(path);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		_exit(97);
	(void)p[0];
}

TEST_F(faults, sigbus)
{
	struct vmctl_faults f;
	int status;
	pid_t pid = run_tracked_child(self->fd, do_sigbus, &status);

	ASSERT_TRUE(WIFSIGNALED(status));
	ASSERT_EQ(SIGBUS, WTERMSIG(status));
	ASSERT_EQ(0, get_faults(self->fd, pid, 0, &f));
	EXPECT_EQ(1, f.counts.sigbus);
	EXPECT_EQ(0, f.counts.sigsegv);
	ASSERT_EQ(0, track(self->fd, VMCTL_IOC_UNTRACK, pid));
}

/* Forked children of a tracked process are not tracked. */
TEST_F(faults, fork_not_inherited)
{
	struct vmctl_faults f;
	int pfd[2], status;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	if (pid == 0) {
		char *p = fresh(4);

		p[0] = 1;
		read(pfd[0], &c, 1);
		_exit(0);
	}
	ASSERT_EQ(-ENOENT, get_faults(self->fd, pid, 0, &f));
	write(pfd[1], "x", 1);
	waitpid(pid, &status, 0);
	ASSERT_EQ(-ENOENT, get_faults(self->fd, pid, 0, &f));
}

/*
 * Another user's process: refused. A process of the same user without
 * CAP_PERFMON: refused too.
 */
TEST_F(faults, unprivileged)
{
	int pfd[2], status;
	pid_t victim, other;
	char c;

	if (geteuid() != 0)
		SKIP(return, "needs root to switch users");
	ASSERT_EQ(0, pipe(pfd));
	victim = fork();
	if (victim == 0) {
		read(pfd[0], &c, 1);
		_exit(0);
	}
	other = fork();
	if (other == 0) {
		pid_t sibling;
		int ret;

		if (setgid(65534) || setuid(65534))
			_exit(90);
		/* A uid change makes the process undumpable: undo that. */
		prctl(PR_SET_DUMPABLE, 1);
		ret = track(self->fd, VMCTL_IOC_TRACK, victim);
		if (ret != -EACCES && ret != -EPERM)
			_exit(91);
		sibling = fork();
		if (sibling == 0) {
			pause();
			_exit(0);
		}
		ret = track(self->fd, VMCTL_IOC_TRACK, sibling);
		kill(sibling, SIGKILL);
		waitpid(sibling, NULL, 0);
		if (ret != -EPERM)
			_exit(92);
		/* Self is always allowed. */
		if (track(self->fd, VMCTL_IOC_TRACK, 0))
			_exit(93);
		_exit(0);
	}
	waitpid(other, &status, 0);
	write(pfd[1], "x", 1);
	waitpid(victim, NULL, 0);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* The exited self-tracker is kept; root may untrack it. */
	ASSERT_EQ(0, track(self->fd, VMCTL_IOC_UNTRACK, other));
}

static void do_touch(void)
{
	char *p = fresh(8);
	int i;

	for (i = 0; i < 8; i++)
		p[i * page_size] = 1;
}

/* Many tracked processes come and go: nothing stays behind. */
/* Minutes on a KASAN kernel under emulation, seconds on a stock one. */
TEST_F_TIMEOUT(faults, fork_exit_loop, 600)
{
	struct vmctl_fault_vma *v;
	struct vmctl_faults f;
	int i, status;

	for (i = 0; i < 300; i++) {
		pid_t pid = run_tracked_child(self->fd, do_touch, &status);

		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(0, WEXITSTATUS(status));
		ASSERT_EQ(0, get_faults(self->fd, pid, 0, &f));
		ASSERT_EQ(VMCTL_FAULTS_EXITED, f.out_flags);
		ASSERT_GE(f.counts.minor, 8);
		(void)v;
		ASSERT_EQ(0, track(self->fd, VMCTL_IOC_UNTRACK, pid));
	}
}

/* Exited and never untracked: the table fills up, then ENOSPC... unless read. */
TEST_F_TIMEOUT(faults, exited_kept_until_read, 600)
{
	struct vmctl_faults f;
	int i, status;
	pid_t first = 0, pid;

	for (i = 0; i < 300; i++) {
		pid = run_tracked_child(self->fd, do_touch, &status);
		ASSERT_TRUE(WIFEXITED(status));
		if (!first)
			first = pid;
		/* Read once: may then be dropped to make room. */
		ASSERT_EQ(0, get_faults(self->fd, pid, 0, &f));
	}
	/* The oldest ones made room for the newest. */
	EXPECT_EQ(-ENOENT, get_faults(self->fd, first, 0, &f));
	EXPECT_EQ(0, get_faults(self->fd, pid, 0, &f));
	ASSERT_EQ(0, track(self->fd, VMCTL_IOC_UNTRACK, pid));
}

/* The comm of @pid's record in the netlink dump, or false if it has none. */
static bool listed_comm(struct vmctl_ctx *ctx, pid_t pid, char *comm, size_t size)
{
	struct vmctl_proc_faults *procs = NULL;
	bool found = false;
	size_t n = 0, i;

	if (vmctl_list_faults(ctx, &procs, &n))
		return false;
	for (i = 0; i < n; i++) {
		if (procs[i].pid == pid) {
			snprintf(comm, size, "%s", procs[i].comm);
			found = true;
		}
	}
	free(procs);
	return found;
}

/*
 * A record's name is the process's name as /proc/PID/comm shows it now,
 * not the one it had when tracking started; after the exit, the last one.
 */
TEST_F(faults, comm_follows_rename)
{
	int go[2], done[2], status;
	char comm[VMCTL_COMM_SIZE], now[VMCTL_COMM_SIZE];
	struct vmctl_ctx *ctx;
	char c = 0;
	pid_t pid;

	ASSERT_EQ(0, vmctl_new(&ctx));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		static const char * const names[] = { "vmctl-renamed", "vmctl-exiting" };
		unsigned int i;

		/* A test that fails early ends the child: read() sees EOF. */
		close(go[1]);
		close(done[0]);
		for (i = 0; i < 2; i++) {
			if (read(go[0], &c, 1) != 1)
				_exit(1);
			prctl(PR_SET_NAME, names[i]);
			if (write(done[1], &c, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	ASSERT_EQ(0, track(self->fd, VMCTL_IOC_TRACK, pid));
	ASSERT_TRUE(listed_comm(ctx, pid, comm, sizeof(comm)));
	ASSERT_TRUE(proc_comm(pid, now, sizeof(now)));
	EXPECT_STREQ(now, comm);

	ASSERT_EQ(1, write(go[1], &c, 1));
	ASSERT_EQ(1, read(done[0], &c, 1));
	ASSERT_TRUE(listed_comm(ctx, pid, comm, sizeof(comm)));
	EXPECT_STREQ("vmctl-renamed", comm);
	ASSERT_TRUE(proc_comm(pid, now, sizeof(now)));
	EXPECT_STREQ(now, comm);

	/* Renamed again and reaped before anyone reads the record. */
	ASSERT_EQ(1, write(go[1], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_TRUE(listed_comm(ctx, pid, comm, sizeof(comm)));
	EXPECT_STREQ("vmctl-exiting", comm);

	track(self->fd, VMCTL_IOC_UNTRACK, pid);
	close(go[0]);
	close(go[1]);
	close(done[0]);
	close(done[1]);
	vmctl_unref(ctx);
}

/* A file on a real block device, caches dropped: major faults. */
TEST_F(faults, major_block_device)
{
	const char *dir = getenv("VMCTL_FAULTS_DISK");
	struct vmctl_fault_vma *v;
	char path[4096];
	volatile char *p;
	int fd, i, sum = 0, dc;

	if (!dir)
		SKIP(return, "set VMCTL_FAULTS_DISK to a directory on a block device");
	snprintf(path, sizeof(path), "%s/vmctl-faults-major", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, fd);
	char *buf = calloc(1, NPAGES * page_size);

	memset(buf, 1, NPAGES * page_size);
	ASSERT_EQ(NPAGES * page_size, write(fd, buf, NPAGES * page_size));
	fsync(fd);
	free(buf);
	dc = open("/proc/sys/vm/drop_caches", O_WRONLY);
	ASSERT_LE(0, dc);
	ASSERT_EQ(0, posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED));
	ASSERT_EQ(1, write(dc, "3", 1));
	close(dc);
	p = mmap(NULL, NPAGES * page_size, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	madvise((void *)p, NPAGES * page_size, MADV_RANDOM);	/* no readahead */
	for (i = 0; i < NPAGES; i++)
		sum += p[i * page_size];
	v = find_vma(self->fd, 0, (void *)p);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(NPAGES, v->minor + v->major);
	EXPECT_LT(NPAGES / 2, v->major);
	EXPECT_EQ(VMCTL_KIND_FILE, v->kind);
	EXPECT_EQ(0, strcmp(names_buf + v->name_off, path));
	TH_LOG("major %llu minor %llu", v->major, v->minor);
	EXPECT_EQ(NPAGES, sum);
	munmap((void *)p, NPAGES * page_size);
	close(fd);
	unlink(path);
}

/* The per-VMA table is bounded: beyond the cap, faults go to "other". */
TEST_F(faults, vma_cap_other)
{
	struct vmctl_faults f;
	unsigned int n, i;
	char *p[VMCTL_FAULT_VMAS_MAX + 8];
	int k;

	for (k = 0; k < VMCTL_FAULT_VMAS_MAX + 8; k++) {
		p[k] = mmap(NULL, page_size, k & 1 ? PROT_READ | PROT_WRITE : PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, p[k]);
		p[k][0] = 1;
	}
	ASSERT_EQ(0, get_vmas(self->fd, 0, &n));
	ASSERT_EQ(VMCTL_FAULT_VMAS_MAX + 1, n);
	ASSERT_EQ(VMCTL_FAULT_VMA_OTHER, vmas_buf[n - 1].flags);
	EXPECT_LE(8, vmas_buf[n - 1].minor);
	ASSERT_EQ(0, get_faults(self->fd, 0, 0, &f));
	EXPECT_EQ(VMCTL_FAULT_VMAS_MAX, f.vmas);
	for (i = 0; i < n - 1; i++)
		EXPECT_EQ(0, vmas_buf[i].flags);
	for (k = 0; k < VMCTL_FAULT_VMAS_MAX + 8; k++)
		munmap(p[k], page_size);
}

static int track_system(int fd, unsigned long cmd)
{
	struct vmctl_track t = {
		.size = sizeof(t), .flags = VMCTL_TRACK_SYSTEM,
	};

	return vmctl_test_ioctl(fd, cmd, &t);
}

/*
 * System-wide tracking counts a process that never asked: its fresh
 * pages in its VMA's bucket, exactly, and no double count for a process
 * that also tracks itself (the caller). Untracking frees its records.
 */
TEST_F(faults, system_wide)
{
	int to_child[2], to_parent[2], status;
	struct vmctl_fault_vma *v;
	struct vmctl_faults f;
	char *mine, *addr;
	pid_t pid;
	char c;
	int i;

	if (geteuid() != 0)
		SKIP(return, "needs CAP_SYS_ADMIN");
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	if (pid == 0) {
		char *p;

		read(to_child[0], &c, 1);
		p = fresh(NPAGES);
		for (i = 0; i < NPAGES; i++)
			p[i * page_size] = 1;
		write(to_parent[1], &p, sizeof(p));
		read(to_child[0], &c, 1);
		_exit(0);
	}
	ASSERT_EQ(-EINVAL, ({ struct vmctl_track t = { .size = sizeof(t),
		.flags = VMCTL_TRACK_SYSTEM, .pid = pid };
		vmctl_test_ioctl(self->fd, VMCTL_IOC_TRACK, &t); }));
	ASSERT_EQ(-ENOENT, track_system(self->fd, VMCTL_IOC_UNTRACK));
	ASSERT_EQ(0, track_system(self->fd, VMCTL_IOC_TRACK));
	ASSERT_EQ(-EEXIST, track_system(self->fd, VMCTL_IOC_TRACK));
	write(to_child[1], "x", 1);
	ASSERT_EQ(sizeof(addr), read(to_parent[0], &addr, sizeof(addr)));

	ASSERT_EQ(0, get_faults(self->fd, pid, 0, &f));
	EXPECT_LE(NPAGES, f.counts.minor);
	EXPECT_LE(NPAGES, f.counts.write);
	EXPECT_EQ(f.min_flt + f.maj_flt,
		  f.counts.minor + f.counts.major + f.counts.untraced);
	v = find_vma(self->fd, pid, addr);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(NPAGES, v->minor);
	EXPECT_EQ(NPAGES, v->write);
	EXPECT_EQ(NPAGES, v->user);

	/* The caller tracks itself too: counted once. */
	mine = fresh(NPAGES);
	ASSERT_NE(NULL, mine);
	for (i = 0; i < NPAGES; i++)
		mine[i * page_size] = 1;
	v = find_vma(self->fd, 0, mine);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(NPAGES, v->minor);
	munmap(mine, NPAGES * page_size);

	write(to_child[1], "x", 1);
	waitpid(pid, &status, 0);
	ASSERT_EQ(0, track_system(self->fd, VMCTL_IOC_UNTRACK));
	/* Its record went with system-wide tracking; ours stays. */
	EXPECT_EQ(-ENOENT, get_faults(self->fd, pid, 0, &f));
	EXPECT_EQ(-ENOENT, get_faults(self->fd, 1, 0, &f));
	EXPECT_EQ(0, get_faults(self->fd, 0, 0, &f));
}

/* The netlink dump lists every process, and the aggregate last. */
TEST_F(faults, system_wide_dump)
{
	struct vmctl_proc_faults *procs = NULL;
	struct vmctl_ctx *ctx;
	size_t n = 0, i;
	bool init = false, other = false, self_seen = false;

	if (geteuid() != 0)
		SKIP(return, "needs CAP_SYS_ADMIN");
	ASSERT_EQ(0, vmctl_new(&ctx));
	ASSERT_EQ(0, vmctl_track(ctx, 0, VMCTL_TRACK_SYSTEM));
	/* Something else faults: a short-lived child. */
	if (fork() == 0) {
		execl("/bin/true", "true", NULL);
		_exit(1);
	}
	wait(NULL);
	ASSERT_EQ(0, vmctl_list_faults(ctx, &procs, &n));
	for (i = 0; i < n; i++) {
		if (procs[i].pid == getpid())
			self_seen = true;
		if (procs[i].faults.out_flags & VMCTL_FAULTS_OTHER) {
			EXPECT_EQ(0, procs[i].pid);
			EXPECT_EQ(n - 1, i);
			other = true;
		}
		if (procs[i].pid != 0 && procs[i].pid != getpid() &&
		    procs[i].faults.counts.minor)
			init = true;
	}
	TH_LOG("%zu records", n);
	EXPECT_TRUE(self_seen);
	EXPECT_TRUE(other);
	EXPECT_TRUE(init);
	free(procs);
	ASSERT_EQ(0, vmctl_untrack_system(ctx));
	ASSERT_EQ(-ENOENT, vmctl_untrack_system(ctx));
	vmctl_unref(ctx);
}

/* Only CAP_SYS_ADMIN may start or stop system-wide tracking. */
TEST_F(faults, system_wide_unprivileged)
{
	int status;
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root to switch users");
	ASSERT_EQ(0, track_system(self->fd, VMCTL_IOC_TRACK));
	pid = fork();
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(90);
		if (track_system(self->fd, VMCTL_IOC_TRACK) != -EPERM)
			_exit(91);
		if (track_system(self->fd, VMCTL_IOC_UNTRACK) != -EPERM)
			_exit(92);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	ASSERT_EQ(0, track_system(self->fd, VMCTL_IOC_UNTRACK));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/*
 * More processes than the table holds come and go while every process
 * is tracked: exited ones make room, the rest is in the aggregate,
 * and untracking leaves nothing behind (the module unload checks).
 */
TEST_F_TIMEOUT(faults, system_wide_churn, 600)
{
	struct vmctl_proc_faults *procs = NULL;
	struct vmctl_ctx *ctx;
	size_t n = 0;
	int i, status;

	if (geteuid() != 0)
		SKIP(return, "needs CAP_SYS_ADMIN");
	ASSERT_EQ(0, vmctl_new(&ctx));
	ASSERT_EQ(0, vmctl_track(ctx, 0, VMCTL_TRACK_SYSTEM));
	for (i = 0; i < 400; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			do_touch();
			_exit(0);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
	}
	ASSERT_EQ(0, vmctl_list_faults(ctx, &procs, &n));
	EXPECT_GE(256 + 1, n);
	EXPECT_LT(1, n);
	free(procs);
	ASSERT_EQ(0, vmctl_untrack_system(ctx));
	vmctl_unref(ctx);
}

TEST_HARNESS_MAIN
