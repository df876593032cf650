// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile users: checks the statements of
 * Documentation/admin-guide/vmctl-security.rst. Runs as root in the dev VM
 * and forks children that become user nobody (65534) to act as the
 * attacker; the victims are root processes and processes of another
 * unprivileged user (65533).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <grp.h>

#include "kselftest_harness.h"
#include "vmctl.h"
#include "vmctl_test.h"

#define OTHER		65533
#define PAGE		4096UL

/* A kernel address: the upper canonical half, small negatives excepted. */
static int kernel_like(uint64_t v)
{
	return v >= 0xffff800000000000ULL && v < 0xffffffffff000000ULL;
}

/* Index of the first aligned 8-byte word of @p that looks like a kernel address. */
static long find_kptr(const void *p, size_t len)
{
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t v;

		memcpy(&v, (const char *)p + i, 8);
		if (kernel_like(v))
			return i;
	}
	return -1;
}

static int become(uid_t uid)
{
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
		return -1;
	/* setuid made us non-dumpable; a normal login process is dumpable. */
	return prctl(PR_SET_DUMPABLE, 1);
}

/* A process of user @uid that sleeps until killed. */
static pid_t sleeper(uid_t uid)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (uid && become(uid))
			_exit(1);
		for (;;)
			pause();
	}
	usleep(100000);		/* let it change its credentials */
	return pid;
}

/*
 * Runs @fn(@arg) in a child that became @uid; returns its exit status
 * (0: every check held) or -1.
 */
static int as_user(uid_t uid, int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (become(uid))
			_exit(99);
		_exit(fn(arg));
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

static uint64_t vmctl_test_features(int fd)
{
	struct vmctl_api api = { .size = sizeof(api) };

	return ioctl(fd, VMCTL_IOC_API, &api) ? 0 : api.features;
}

static int ioc(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

static int denied(int e)
{
	return e == EACCES || e == EPERM;
}

#define CHECK(cond, code) do { if (!(cond)) { \
	fprintf(stderr, "# check failed at line %d: %s\n", __LINE__, #cond); \
	return (code); } } while (0)

/* ---- the device node ---- */

TEST(device_node_mode)
{
	struct stat st;
	int fd;

	VMCTL_OPEN_OR_SKIP(_metadata, fd);
	close(fd);
	ASSERT_EQ(0, stat(VMCTL_DEVICE_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
}

/* ---- every ioctl refuses other users' processes ---- */

struct victims {
	pid_t root_pid, other_pid, own_pid;
};

static int ioctls_other(void *arg)
{
	struct victims *v = arg;
	pid_t targets[2] = { v->root_pid, v->other_pid };
	int fd = open(VMCTL_DEVICE_PATH, O_RDWR), i;
	struct vmctl_vma recs[4];

	CHECK(fd >= 0, 2);
	for (i = 0; i < 2; i++) {
		struct vmctl_stats st = { .size = sizeof(st), .pid = targets[i] };
		struct vmctl_vmas vm = { .size = sizeof(vm), .pid = targets[i],
					 .vmas_addr = (uintptr_t)recs,
					 .vma_size = sizeof(recs[0]), .vma_count = 4 };
		struct vmctl_query q = { .size = sizeof(q), .pid = targets[i],
					 .addr = 0x400000 };
		struct vmctl_track t = { .size = sizeof(t), .pid = targets[i] };
		struct vmctl_faults f = { .size = sizeof(f), .pid = targets[i] };
		struct vmctl_commit_limit l = { .size = sizeof(l), .pid = targets[i],
						.limit_bytes = PAGE };

		CHECK(denied(ioc(fd, VMCTL_IOC_GET_STATS, &st)), 10 + i);
		CHECK(denied(ioc(fd, VMCTL_IOC_GET_VMAS, &vm)), 20 + i);
		CHECK(denied(ioc(fd, VMCTL_IOC_QUERY, &q)), 30 + i);
		CHECK(denied(ioc(fd, VMCTL_IOC_SET_COMMIT_LIMIT, &l)), 40 + i);
		if (vmctl_test_features(fd) & VMCTL_FEATURE_FAULTS) {
			int e = ioc(fd, VMCTL_IOC_TRACK, &t);

			CHECK(denied(e), 50 + i);
			/* Not tracked, or not readable: never the counters. */
			e = ioc(fd, VMCTL_IOC_GET_FAULTS, &f);
			CHECK(e == ENOENT || e == ESRCH || denied(e), 60 + i);
		}
	}
	close(fd);
	return 0;
}

/* Runs @fn as NOBODY against a sleeping process of root and one of OTHER. */
static int against_other_users(int (*fn)(void *))
{
	struct victims v = { 0 };
	int r;

	v.root_pid = sleeper(0);
	v.other_pid = sleeper(OTHER);
	r = as_user(NOBODY, fn, &v);
	kill_child(v.root_pid);
	kill_child(v.other_pid);
	return r;
}

TEST(ioctls_refuse_other_users)
{
	int fd;

	VMCTL_OPEN_OR_SKIP(_metadata, fd);
	close(fd);
	EXPECT_EQ(0, against_other_users(ioctls_other));
}

static int ioctls_own(void *arg)
{
	struct victims *v = arg;
	pid_t own = sleeper(0);		/* uid 0 in a child of nobody: nobody */
	int fd = open(VMCTL_DEVICE_PATH, O_RDWR), ret = 0;
	struct vmctl_stats st = { .size = sizeof(st), .pid = own };
	struct vmctl_commit_limit l = { .size = sizeof(l), .limit_bytes = PAGE };
	struct vmctl_track t = { .size = sizeof(t), .pid = own };
	struct vmctl_range r = { .size = sizeof(r), .len = PAGE };
	struct vmctl_query q = { .size = sizeof(q) };
	void *p;

	(void)v;
	CHECK(fd >= 0, 2);
	/* Self and own processes: allowed. */
	if (ioc(fd, VMCTL_IOC_GET_STATS, &st))
		ret = 3;
	st.pid = 0;
	if (!ret && ioc(fd, VMCTL_IOC_GET_STATS, &st))
		ret = 4;
	p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!ret && p == MAP_FAILED)
		ret = 5;
	r.addr = (uintptr_t)p;
	if (!ret && ioc(fd, VMCTL_IOC_COMMIT, &r))
		ret = 6;
	q.addr = (uintptr_t)p;
	if (!ret && (ioc(fd, VMCTL_IOC_QUERY, &q) || q.state != VMCTL_STATE_COMMITTED))
		ret = 7;
	/* Limits need CAP_SYS_RESOURCE, even on oneself. */
	if (!ret && !denied(ioc(fd, VMCTL_IOC_SET_COMMIT_LIMIT, &l)))
		ret = 8;
	/* Tracking another process needs CAP_PERFMON, even one's own. */
	if (!ret && (vmctl_test_features(fd) & VMCTL_FEATURE_FAULTS)) {
		if (!denied(ioc(fd, VMCTL_IOC_TRACK, &t)))
			ret = 9;
		t.pid = 0;
		if (!ret && ioc(fd, VMCTL_IOC_TRACK, &t))
			ret = 10;
		ioc(fd, VMCTL_IOC_UNTRACK, &t);
	}
	kill_child(own);
	close(fd);
	return ret;
}

TEST(ioctls_allow_own)
{
	int fd;

	VMCTL_OPEN_OR_SKIP(_metadata, fd);
	close(fd);
	EXPECT_EQ(0, as_user(NOBODY, ioctls_own, NULL));
}

/* ---- netlink ---- */

static int nl_other(void *arg)
{
	struct victims *v = arg;
	struct vmctl_proc_stats *procs;
	struct vmctl_ctx *ctx;
	struct vmctl_stats st;
	struct vmctl_vma *vmas;
	size_t n, i;
	int r;

	CHECK(vmctl_new(&ctx) == 0, 2);
	r = vmctl_nl_get_stats(ctx, v->root_pid, &st, NULL, 0);
	CHECK(r == -EACCES || r == -EPERM, 3);
	r = vmctl_nl_get_stats(ctx, v->other_pid, &st, NULL, 0);
	CHECK(r == -EACCES || r == -EPERM, 4);
	r = vmctl_nl_get_vmas(ctx, v->root_pid, &vmas, &n);
	CHECK(r == -EACCES || r == -EPERM, 5);
	r = vmctl_nl_get_vmas(ctx, v->other_pid, &vmas, &n);
	CHECK(r == -EACCES || r == -EPERM, 6);
	/* The dump lists only processes the caller may read: its own. */
	r = vmctl_list_stats(ctx, &procs, &n);
	CHECK(r == 0, 7);
	for (i = 0; i < n; i++) {
		CHECK(procs[i].pid != v->root_pid && procs[i].pid != v->other_pid &&
		      procs[i].pid != 1, 8);
		CHECK(find_kptr(&procs[i].stats, sizeof(procs[i].stats)) < 0, 9);
	}
	CHECK(n >= 1, 10);
	free(procs);
	vmctl_unref(ctx);
	return 0;
}

TEST(netlink_refuses_other_users)
{
	int fd;

	VMCTL_OPEN_OR_SKIP(_metadata, fd);
	close(fd);
	EXPECT_EQ(0, against_other_users(nl_other));
}

/* ---- no kernel pointers in replies ---- */

static int no_kptrs(void *arg)
{
	int fd = open(VMCTL_DEVICE_PATH, O_RDWR);
	struct vmctl_api api = { .size = sizeof(api) };
	struct vmctl_stats st = { .size = sizeof(st) };
	static struct vmctl_vma recs[512];
	static char names[65536];
	struct vmctl_vmas vm = { .size = sizeof(vm), .vmas_addr = (uintptr_t)recs,
				 .vma_size = sizeof(recs[0]), .vma_count = 512,
				 .names_addr = (uintptr_t)names, .names_size = sizeof(names) };
	struct vmctl_query q = { .size = sizeof(q) };
	struct vmctl_faults f = { .size = sizeof(f) };
	struct vmctl_track t = { .size = sizeof(t) };
	struct vmctl_range r = { .size = sizeof(r), .len = 2 * PAGE };
	struct vmctl_ctx *ctx;
	struct vmctl_vma *nv;
	struct vmctl_version ver;
	size_t n, i;
	void *p;

	(void)arg;
	CHECK(fd >= 0, 2);
	CHECK(!ioc(fd, VMCTL_IOC_API, &api) && find_kptr(&api, sizeof(api)) < 0, 3);
	CHECK(!ioc(fd, VMCTL_IOC_GET_STATS, &st) && find_kptr(&st, sizeof(st)) < 0, 4);
	CHECK(!ioc(fd, VMCTL_IOC_GET_VMAS, &vm), 5);
	CHECK(find_kptr(&vm, sizeof(vm)) < 0, 6);
	CHECK(find_kptr(recs, vm.vma_count * sizeof(recs[0])) < 0, 7);
	/* Names are text: no 8 raw bytes of a pointer either. */
	for (i = 0; i + 8 <= vm.names_size; i++) {
		uint64_t w;

		memcpy(&w, names + i, 8);
		CHECK(!kernel_like(w), 8);
	}
	p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED, 9);
	r.addr = (uintptr_t)p;
	CHECK(!ioc(fd, VMCTL_IOC_COMMIT, &r), 10);
	q.addr = (uintptr_t)p + PAGE;
	CHECK(!ioc(fd, VMCTL_IOC_QUERY, &q) && find_kptr(&q, sizeof(q)) < 0, 11);
	q.addr = 0;
	CHECK(!ioc(fd, VMCTL_IOC_QUERY, &q) && find_kptr(&q, sizeof(q)) < 0, 12);
	if (api.features & VMCTL_FEATURE_FAULTS) {
		CHECK(!ioc(fd, VMCTL_IOC_TRACK, &t), 13);
		((volatile char *)p)[0] = 1;
		CHECK(!ioc(fd, VMCTL_IOC_GET_FAULTS, &f) && find_kptr(&f, sizeof(f)) < 0, 14);
		ioc(fd, VMCTL_IOC_UNTRACK, &t);
	}
	CHECK(vmctl_new(&ctx) == 0, 15);
	CHECK(vmctl_nl_get_version(ctx, &ver) == 0, 16);
	CHECK(vmctl_nl_get_stats(ctx, 0, &st, NULL, 0) == 0, 17);
	CHECK(find_kptr(&st, sizeof(st)) < 0, 18);
	CHECK(vmctl_nl_get_vmas(ctx, 0, &nv, &n) == 0, 19);
	for (i = 0; i < n; i++)
		CHECK(find_kptr(&nv[i], sizeof(nv[i])) < 0, 20);
	free(nv);
	vmctl_unref(ctx);
	munmap(p, 4 * PAGE);
	close(fd);
	return 0;
}

TEST(no_kernel_pointers_in_replies)
{
	int fd;

	VMCTL_OPEN_OR_SKIP(_metadata, fd);
	close(fd);
	EXPECT_EQ(0, as_user(NOBODY, no_kptrs, NULL));
}

TEST(no_kernel_pointers_in_kernel_log)
{
	char line[2048];
	int fd, kmsg;
	ssize_t len;

	VMCTL_OPEN_OR_SKIP(_metadata, fd);
	close(fd);
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg < 0)
		SKIP(return, "no /dev/kmsg");
	while ((len = read(kmsg, line, sizeof(line) - 1)) > 0 || errno == EPIPE) {
		char *s;

		if (len <= 0)
			continue;
		line[len] = 0;
		if (!strstr(line, "vmctl"))
			continue;
		/* %p prints hashed values; a raw %px would show ffff8.../ffffffff8... */
		for (s = line; (s = strstr(s, "ffff")); s += 4) {
			unsigned long long v = strtoull(s, NULL, 16);

			EXPECT_FALSE(kernel_like(v) && strlen(s) >= 16) {
				TH_LOG("kernel log line: %s", line);
			}
		}
	}
	close(kmsg);
}

/* ---- bounded allocations ---- */

static long meminfo(const char *key)
{
	char buf[256];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(buf, sizeof(buf), f))
		if (!strncmp(buf, key, strlen(key)) && buf[strlen(key)] == ':')
			v = atol(buf + strlen(key) + 1);
	if (f)
		fclose(f);
	return v;
}

static int huge_requests(void *arg)
{
	int fd = open(VMCTL_DEVICE_PATH, O_RDWR), i;
	char *buf = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)arg;
	CHECK(fd >= 0 && buf != MAP_FAILED, 2);
	mprotect(buf + PAGE, PAGE, PROT_NONE);
	for (i = 0; i < 200; i++) {
		/* Room for 4 Gi records and names claimed, one page real. */
		struct vmctl_vmas vm = { .size = sizeof(vm), .vmas_addr = (uintptr_t)buf,
					 .vma_size = PAGE, .vma_count = UINT32_MAX,
					 .names_addr = (uintptr_t)buf,
					 .names_size = UINT32_MAX };
		struct vmctl_fault_vmas fv = { .size = sizeof(fv),
					       .vmas_addr = (uintptr_t)buf,
					       .vma_size = PAGE, .vma_count = UINT32_MAX,
					       .names_addr = (uintptr_t)buf,
					       .names_size = UINT32_MAX };
		int e = ioc(fd, VMCTL_IOC_GET_VMAS, &vm);

		CHECK(e == 0 || e == EFAULT || e == EINVAL || e == EMSGSIZE, 3);
		ioc(fd, VMCTL_IOC_GET_FAULT_VMAS, &fv);
	}
	close(fd);
	return 0;
}

TEST(bounded_allocations)
{
	long avail0, slab0, avail1, slab1;
	int fd;

	VMCTL_OPEN_OR_SKIP(_metadata, fd);
	close(fd);
	avail0 = meminfo("MemAvailable");
	slab0 = meminfo("Slab");
	EXPECT_EQ(0, as_user(NOBODY, huge_requests, NULL));
	avail1 = meminfo("MemAvailable");
	slab1 = meminfo("Slab");
	TH_LOG("MemAvailable %ld -> %ld kB, Slab %ld -> %ld kB", avail0, avail1, slab0, slab1);
	/* 200 requests claiming 16 TiB of records each: nothing stays behind. */
	EXPECT_LT(avail0 - avail1, 32 * 1024);
	EXPECT_LT(slab1 - slab0, 8 * 1024);
}

/* The cap: the module parameter when there is one, else 256. */
static int tracked_cap(void)
{
	FILE *f = fopen("/sys/module/vmctl/parameters/max_tracked_processes", "r");
	int cap = 256;

	if (f) {
		if (fscanf(f, "%d", &cap) != 1)
			cap = 256;
		fclose(f);
	}
	return cap;
}

/* Forks and tracks hundreds of processes: slow on a KASAN kernel under TCG. */
FIXTURE(cap) {};
FIXTURE_SETUP(cap) {}
FIXTURE_TEARDOWN(cap) {}

TEST_F_TIMEOUT(cap, tracked_process_cap, 600)
{
	struct vmctl_track t = { .size = sizeof(t) };
	int fd, i, ok = 0, e = 0, cap = tracked_cap(), n;
	pid_t *kids;

	VMCTL_OPEN_OR_SKIP(_metadata, fd);
	if (!(vmctl_test_features(fd) & VMCTL_FEATURE_FAULTS))
		SKIP(close(fd); return, "no fault accounting in this module");
	n = cap + 20;
	kids = calloc(n, sizeof(*kids));
	ASSERT_NE(NULL, kids);
	for (i = 0; i < n; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			pause();
			_exit(0);
		}
	}
	for (i = 0; i < n; i++) {
		t.pid = kids[i];
		e = ioc(fd, VMCTL_IOC_TRACK, &t);
		if (e)
			break;
		ok++;
	}
	/* The cap at most (others may hold some), then ENOSPC. */
	EXPECT_LE(ok, cap);
	EXPECT_EQ(ENOSPC, e);
	for (i = 0; i < n; i++) {
		t.pid = kids[i];
		ioc(fd, VMCTL_IOC_UNTRACK, &t);
		kill_child(kids[i]);
	}
	free(kids);
	close(fd);
}

/* ---- namespaces ---- */

TEST(pid_namespace_sees_only_its_pids)
{
	struct vmctl_proc_stats *procs;
	struct vmctl_ctx *ctx;
	pid_t outside, child;
	int fd, st;

	VMCTL_OPEN_OR_SKIP(_metadata, fd);
	close(fd);
	outside = sleeper(0);
	ASSERT_EQ(0, unshare(CLONE_NEWPID) ? errno : 0);
	child = fork();
	if (child == 0) {
		size_t n, i;
		struct vmctl_stats s;
		int bad = 0;

		/* pid 1 of the new namespace. */
		if (getpid() != 1)
			_exit(2);
		if (vmctl_new(&ctx) || vmctl_list_stats(ctx, &procs, &n))
			_exit(3);
		for (i = 0; i < n; i++)
			if (procs[i].pid != 1)
				bad = 4;
		if (n != 1)
			bad = 5;
		/* The outside pid means nothing here (or another process). */
		if (outside != 1 && vmctl_get_stats(ctx, outside, &s) != -ESRCH)
			bad = 6;
		_exit(bad);
	}
	ASSERT_EQ(child, waitpid(child, &st, 0));
	kill_child(outside);
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
}

/*
 * unshare(CLONE_NEWUSER) is refused to a chrooted process, and the dev VM
 * runs its job chrooted: make the current root the root of a new mount
 * namespace first (as root, before dropping privileges).
 */
static void unchroot(void)
{
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return;
	if (chdir("/") || syscall(SYS_pivot_root, ".", "."))
		return;
	umount2(".", MNT_DETACH);
	if (chdir("/"))
		return;
}

static int userns_caps(void *arg)
{
	struct victims *v = arg;
	int fd, e;
	struct vmctl_commit_limit l = { .size = sizeof(l), .limit_bytes = PAGE };
	struct vmctl_track t = { .size = sizeof(t), .pid = v->own_pid };
	struct vmctl_stats st = { .size = sizeof(st), .pid = v->root_pid };

	if (unshare(CLONE_NEWUSER))
		return errno == EPERM || errno == EINVAL ? 77 : 2;
	/* Every capability inside the namespace, none outside. */
	fd = open(VMCTL_DEVICE_PATH, O_RDWR);
	CHECK(fd >= 0, 3);
	e = ioc(fd, VMCTL_IOC_SET_COMMIT_LIMIT, &l);
	CHECK(denied(e), 4);
	if (vmctl_test_features(fd) & VMCTL_FEATURE_FAULTS)
		CHECK(denied(ioc(fd, VMCTL_IOC_TRACK, &t)), 5);
	CHECK(denied(ioc(fd, VMCTL_IOC_GET_STATS, &st)), 6);
	/* The counters of another user's exited tracked process: not ours. */
	if (v->other_pid > 0) {
		struct vmctl_faults f = { .size = sizeof(f), .pid = v->other_pid };
		int e = ioc(fd, VMCTL_IOC_GET_FAULTS, &f);

		CHECK(denied(e) || e == ENOENT, 7);
	}
	close(fd);
	return 0;
}

#define USERNS_SYSCTL "/proc/sys/kernel/unprivileged_userns_clone"

TEST(user_namespace_caps_grant_nothing)
{
	struct victims v;
	int fd, r;

	VMCTL_OPEN_OR_SKIP(_metadata, fd);
	close(fd);
	char old[16] = "";
	FILE *f;

	/* Debian kernels gate unprivileged user namespaces behind a sysctl. */
	f = fopen(USERNS_SYSCTL, "r");
	if (f) {
		if (!fgets(old, sizeof(old), f))
			old[0] = 0;
		fclose(f);
		write_str_file(USERNS_SYSCTL, "1");
	}
	v.root_pid = sleeper(0);
	v.own_pid = sleeper(NOBODY);
	/* A root process, tracked by root, that has exited. */
	v.other_pid = -1;
	fd = open(VMCTL_DEVICE_PATH, O_RDWR);
	if (fd >= 0 && (vmctl_test_features(fd) & VMCTL_FEATURE_FAULTS)) {
		struct vmctl_track t = { .size = sizeof(t), .pid = sleeper(0) };

		if (!ioc(fd, VMCTL_IOC_TRACK, &t))
			v.other_pid = t.pid;
		kill_child(t.pid);
	}
	r = fork();
	if (r == 0) {
		unchroot();
		_exit(as_user(NOBODY, userns_caps, &v));
	}
	waitpid(r, &r, 0);
	r = WIFEXITED(r) ? WEXITSTATUS(r) : 1;
	kill_child(v.root_pid);
	kill_child(v.own_pid);
	if (old[0])
		write_str_file(USERNS_SYSCTL, old);
	if (v.other_pid > 0) {
		struct vmctl_track t = { .size = sizeof(t), .pid = v.other_pid };

		ioc(fd, VMCTL_IOC_UNTRACK, &t);
	}
	if (fd >= 0)
		close(fd);
	if (r == 77)
		SKIP(return, "user namespaces refused to user nobody here (a chrooted VM job cannot unshare CLONE_NEWUSER)");
	EXPECT_EQ(0, r);
}

/* ---- exit and exec racing queries ---- */

static int query_races(void *arg)
{
	const char *setuid_bin = arg;
	struct vmctl_ctx *ctx;
	int round, bad = 0;

	CHECK(vmctl_new(&ctx) == 0, 2);
	for (round = 0; round < 40 && !bad; round++) {
		pid_t pid = fork();
		struct vmctl_stats st;
		struct vmctl_vma *vmas;
		size_t n, i;
		int r, k;

		if (pid == 0) {
			/* Exits, or execs a setuid-root binary, at once. */
			if (round % 2)
				_exit(0);
			dup2(open("/dev/null", O_WRONLY), 1);
			execl(setuid_bin, setuid_bin, "--version", (char *)NULL);
			_exit(0);
		}
		for (k = 0; k < 4; k++) {
			r = vmctl_get_stats(ctx, pid, &st);
			if (r && r != -ESRCH && r != -ENODATA && r != -EACCES)
				bad = 3;
			r = vmctl_get_vmas(ctx, pid, &vmas, &n);
			if (r && r != -ESRCH && r != -ENODATA && r != -EACCES)
				bad = 4;
			/* Never the layout of the setuid image. */
			for (i = 0; !r && i < n; i++) {
				const char *name = vmctl_vma_name(vmas, &vmas[i]);

				if (name && !strcmp(name, setuid_bin))
					bad = 5;
			}
			if (!r)
				free(vmas);
			r = vmctl_nl_get_stats(ctx, pid, &st, NULL, 0);
			if (r && r != -ESRCH && r != -ENODATA && r != -EACCES)
				bad = 6;
		}
		waitpid(pid, NULL, 0);
	}
	vmctl_unref(ctx);
	return bad;
}

TEST(exit_and_setuid_exec_race_queries)
{
	const char *bin = "/usr/bin/mount";
	struct stat st;
	int fd;

	VMCTL_OPEN_OR_SKIP(_metadata, fd);
	close(fd);
	if (stat(bin, &st) || !(st.st_mode & S_ISUID) || st.st_uid != 0)
		SKIP(return, "no setuid-root %s", bin);
	EXPECT_EQ(0, as_user(NOBODY, query_races, (void *)bin));
}

/* ---- module unload racing open files and reservations ---- */

/* Refused while in use: EWOULDBLOCK (EAGAIN), what rmmod reports as "in use". */
static int try_unload(void)
{
	if (!syscall(SYS_delete_module, "vmctl", O_NONBLOCK))
		return 0;
	return errno == EBUSY ? EAGAIN : errno;
}

TEST(unload_refused_while_in_use)
{
	struct vmctl_range r = { .size = sizeof(r), .len = PAGE };
	int fd, fd2, e, i;
	void *p;

	VMCTL_OPEN_OR_SKIP(_metadata, fd);
	/* An open file descriptor pins the module. */
	EXPECT_EQ(EAGAIN, try_unload());

	/* So does a reservation whose file was closed. */
	p = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	r.addr = (uintptr_t)p;
	ASSERT_EQ(0, ioc(fd, VMCTL_IOC_COMMIT, &r));
	close(fd);
	for (i = 0; i < 50; i++) {
		((volatile char *)p)[0] = (char)i;
		e = try_unload();
		EXPECT_EQ(EAGAIN, e);
		if (e != EAGAIN)
			break;
	}
	/* A new descriptor still works on the old reservation. */
	fd2 = open(VMCTL_DEVICE_PATH, O_RDWR);
	ASSERT_LE(0, fd2);
	r.addr = (uintptr_t)p + PAGE;
	EXPECT_EQ(0, ioc(fd2, VMCTL_IOC_COMMIT, &r));
	EXPECT_EQ(EAGAIN, try_unload());
	munmap(p, 8 * PAGE);
	close(fd2);
	/*
	 * Nothing holds it now; the VM runner's rmmod at the end proves that
	 * it does unload (a reservation drops its reference an RCU grace
	 * period after its last VMA).
	 */
}

static int unload_unpriv(void *arg)
{
	(void)arg;
	return try_unload() == EPERM ? 0 : 1;
}

TEST(unload_needs_cap_sys_module)
{
	int fd;

	VMCTL_OPEN_OR_SKIP(_metadata, fd);
	EXPECT_EQ(0, as_user(NOBODY, unload_unpriv, NULL));
	close(fd);
}

TEST_HARNESS_MAIN
