// SPDX-License-Identifier: GPL-2.0
/*
 * Watches and events through libvmctl and the "vmctl watch" tool, against
 * the live module.
 *
 * The processes watched are children that change their map count one
 * page at a time: each mmap() adds a one-page anonymous mapping whose
 * protection alternates with its neighbour's, so none merges and
 * map_count moves by exactly one per call. vm.max_map_count is lowered to
 * MAX_MAPS (restored in the teardown) so that the thresholds and the
 * limit are reached in a few hundred calls.
 *
 * The children wait on a pipe for "go" after fork(), so that the watch
 * exists before they change anything, and make no system call that
 * changes VMAs other than those of the test (no stdio).
 *
 * Needs root (vm.max_map_count, commit limits); SKIPs without the module
 * or without VMCTL_FEATURE_EVENTS.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "kselftest_harness.h"
#include "vmctl_test.h"

#define MAX_MAP_COUNT_PATH	"/proc/sys/vm/max_map_count"
/* The lowered vm.max_map_count. */
#define MAX_MAPS		1000
#define NSEC			1000000000LL

/* ---- helpers ---- */

static long ps;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NSEC + ts.tv_nsec;
}

/*
 * The end of a wait of @ms, longer on a slow (debug) kernel: waits bound
 * how long a test hangs, they are not what it measures.
 */
static int64_t deadline_ns(int ms)
{
	return now_ns() + (int64_t)ms * 1000000 * vmctl_test_timeout_scale();
}

static long read_long_file(const char *path)
{
	char buf[64] = "";
	long v = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) > 0)
		v = strtol(buf, NULL, 10);
	close(fd);
	return v;
}

static int write_long_file(const char *path, long v)
{
	char buf[64];
	int fd = open(path, O_WRONLY | O_CLOEXEC), len, ok;

	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%ld\n", v);
	ok = write(fd, buf, len) == len;
	close(fd);
	return ok ? 0 : -EIO;
}

/* ---- the children ---- */

static void *pages[8192];
static int npages;

/*
 * The map count: lines of /proc/self/maps, with system calls only, less
 * the x86-64 [vsyscall] line (a kernel built with vsyscall=xonly shows
 * it, but it is no VMA and mm->map_count leaves it out).
 */
static int count_maps(void)
{
	static const char gate[] = "[vsyscall]\n";
	static char buf[65536];
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC), n = 0;
	size_t matched = 0;
	ssize_t r, i;

	if (fd < 0)
		return -1;
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < r; i++) {
			/* Lines end in "[vsyscall]\n" only for the gate. */
			matched = buf[i] == gate[matched] ? matched + 1 :
				  buf[i] == gate[0];
			if (buf[i] != '\n')
				continue;
			n += matched != sizeof(gate) - 1;
			matched = 0;
		}
	close(fd);
	return n;
}

/* One more one-page mapping; 0 or -errno. */
static int map_one(void)
{
	void *p;

	if (npages == (int)(sizeof(pages) / sizeof(pages[0])))
		return -E2BIG;
	p = mmap(NULL, ps, (npages & 1) ? PROT_READ : PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	pages[npages++] = p;
	return 0;
}

static int unmap_one(void)
{
	if (!npages)
		return -ENOENT;
	return munmap(pages[--npages], ps) ? -errno : 0;
}

/* Map pages until the process has @level mappings. */
static int grow_to(int level)
{
	int n, err;

	for (n = count_maps(); n >= 0 && n < level; n = count_maps()) {
		while (n++ < level) {
			err = map_one();
			if (err)
				return err;
		}
	}
	return n < 0 ? -EIO : 0;
}

/* What a child does once told to go; its exit status says how it went. */
enum plan {
	PLAN_SLEEP,		/* wait for a kill */
	PLAN_EXHAUST,		/* map until mmap fails; exit 0 on ENOMEM */
	PLAN_OSCILLATE,		/* to @level, @cycles of -1/+1, then -@drop/+@drop */
	PLAN_EXIT,		/* exit(@level) at once */
	PLAN_FAULTS,		/* major faults on fault_file for @level ms */
};

/* PLAN_FAULTS: a file of FAULT_PAGES pages on a block device. */
#define FAULT_PAGES	2048
static char fault_file[PATH_MAX];

/*
 * Read every page of fault_file through a fresh mapping, again and again
 * for @ms: the pages are dropped from the page cache between two passes
 * (and read ahead never), so each first touch is a major fault.
 */
static int major_faults_for(int ms)
{
	int64_t end = now_ns() + (int64_t)ms * 1000000;
	volatile char sum = 0;
	int fd = open(fault_file, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (now_ns() < end) {
		char *p = mmap(NULL, FAULT_PAGES * ps, PROT_READ, MAP_SHARED, fd, 0);
		int i;

		if (p == MAP_FAILED)
			return -errno;
		madvise(p, FAULT_PAGES * ps, MADV_RANDOM);
		for (i = 0; i < FAULT_PAGES; i++)
			sum += p[i * ps];
		munmap(p, FAULT_PAGES * ps);
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	}
	close(fd);
	return sum == 1 ? 1 : 0;
}

struct child {
	pid_t pid;
	int go;			/* write end of the go pipe */
};

static void child_main(int go, enum plan plan, int level, int cycles, int drop)
{
	char c;
	int err, i;

	if (read(go, &c, 1) != 1)
		_exit(100);
	switch (plan) {
	case PLAN_SLEEP:
		for (;;)
			pause();
	case PLAN_EXIT:
		_exit(level);
	case PLAN_FAULTS:
		_exit(major_faults_for(level) ? 107 : 0);
	case PLAN_EXHAUST:
		do
			err = map_one();
		while (!err);
		_exit(err == -ENOMEM ? 0 : 101);
	case PLAN_OSCILLATE:
		if (grow_to(level))
			_exit(102);
		for (i = 0; i < cycles; i++)
			if (unmap_one() || map_one())
				_exit(103);
		for (i = 0; i < drop; i++)
			if (unmap_one())
				_exit(104);
		for (i = 0; i < drop; i++)
			if (map_one())
				_exit(105);
		_exit(0);
	}
	_exit(106);
}

/* A child that waits for go(); 0 or -errno. */
static int spawn(struct child *ch, enum plan plan, int level, int cycles, int drop)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	ch->pid = fork();
	if (ch->pid < 0)
		return -errno;
	if (!ch->pid) {
		close(p[1]);
		child_main(p[0], plan, level, cycles, drop);
	}
	close(p[0]);
	ch->go = p[1];
	return 0;
}

static int go(struct child *ch)
{
	int ret = write(ch->go, "g", 1) == 1 ? 0 : -EIO;

	close(ch->go);
	ch->go = -1;
	return ret;
}

/* waitpid() with a deadline; the status, or -1 on timeout (child killed). */
static int reap(pid_t pid, int timeout_ms)
{
	int64_t end = deadline_ns(timeout_ms);
	int status;

	while (now_ns() < end) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0)
			return -2;
		usleep(1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/* ---- listening ---- */

#define LOG_MAX	8192

struct evlog {
	struct vmctl_event ev[LOG_MAX];
	int64_t recv_ns[LOG_MAX];	/* CLOCK_MONOTONIC at receipt */
	int n;
	int lost;			/* VMCTL_EVENT_LOST seen */
	uint32_t only;			/* keep only this watch's events; 0: all */
};

static int log_event(const struct vmctl_event *e, void *data)
{
	struct evlog *log = data;

	if (e->type == VMCTL_EVENT_LOST) {
		log->lost++;
		return 0;
	}
	if (log->only && e->watch_id != log->only)
		return 0;
	if (log->n < LOG_MAX) {
		log->ev[log->n] = *e;
		log->recv_ns[log->n] = now_ns();
		log->n++;
	}
	return 0;
}

static struct evlog *new_log(uint32_t only)
{
	struct evlog *log = calloc(1, sizeof(*log));

	if (log)
		log->only = only;
	return log;
}

static bool has_exit(const struct evlog *log, uint32_t id)
{
	int i;

	for (i = 0; i < log->n; i++)
		if (log->ev[i].type == VMCTL_EVENT_PROCESS_EXIT && log->ev[i].watch_id == id)
			return true;
	return false;
}

/*
 * Read @ev into @log until it holds the process-exit event of watch @id
 * (0: until @timeout_ms pass). Returns 0 or a negative errno.
 */
static int drain(struct vmctl_events *ev, struct evlog *log, uint32_t id, int timeout_ms)
{
	int64_t end = deadline_ns(timeout_ms);

	for (;;) {
		struct pollfd pfd = { .fd = vmctl_events_fd(ev), .events = POLLIN };
		int64_t left = end - now_ns();
		int ret;

		if (id && has_exit(log, id))
			return 0;
		if (left <= 0)
			return id ? -ETIMEDOUT : 0;
		poll(&pfd, 1, (int)(left / 1000000) + 1);
		ret = vmctl_events_read(ev, log_event, log);
		if (ret < 0)
			return ret;
	}
}

/* The watch @id as listed, or false. */
static bool find_watch(struct vmctl_ctx *ctx, uint32_t id, struct vmctl_watch_info *out)
{
	struct vmctl_watch_info *w;
	bool found = false;
	size_t n, i;

	if (vmctl_watch_list(ctx, &w, &n))
		return false;
	for (i = 0; i < n; i++)
		if (w[i].id == id) {
			if (out)
				*out = w[i];
			found = true;
		}
	free(w);
	return found;
}

/*
 * Waits up to @timeout_ms (0: one look) for a watch on @pid, or for a
 * global watch if @global, to be listed; its id or 0.
 */
static uint32_t wait_watch(struct vmctl_ctx *ctx, bool global, pid_t pid, int timeout_ms)
{
	int64_t end = deadline_ns(timeout_ms);

	do {
		struct vmctl_watch_info *w;
		uint32_t id = 0;
		size_t n, i;

		if (!vmctl_watch_list(ctx, &w, &n)) {
			for (i = 0; i < n; i++)
				if (global ? w[i].flags & VMCTL_WATCH_SPEC_GLOBAL :
				    !(w[i].flags & VMCTL_WATCH_SPEC_GLOBAL) && w[i].pid == pid)
					id = w[i].id;
			free(w);
		}
		if (id)
			return id;
		usleep(10000);
	} while (now_ns() < end);
	return 0;
}

/* ---- the fixture ---- */

FIXTURE(watch) {
	struct vmctl_ctx *ctx;
	long saved_max;			/* vm.max_map_count to restore, -1: untouched */
	uint32_t ids[16];		/* watches to delete at the end */
	int nids;
	pid_t kids[8];			/* children to kill at the end */
	int nkids;
};

FIXTURE_SETUP(watch)
{
	struct vmctl_version v;
	int err;

	self->ctx = NULL;
	self->saved_max = -1;
	self->nids = 0;
	self->nkids = 0;
	ps = sysconf(_SC_PAGESIZE);
	ASSERT_EQ(0, vmctl_new(&self->ctx));
	err = vmctl_get_version(self->ctx, &v);
	if (err == -ENODEV || err == -ENOENT)
		SKIP(return, "vmctl module not loaded");
	ASSERT_EQ(0, err);
	if (!(v.features & VMCTL_FEATURE_EVENTS))
		SKIP(return, "the module lacks VMCTL_FEATURE_EVENTS");
	if (geteuid())
		SKIP(return, "needs root (vm.max_map_count)");
	self->saved_max = read_long_file(MAX_MAP_COUNT_PATH);
	ASSERT_LT(0, self->saved_max);
}

FIXTURE_TEARDOWN(watch)
{
	int i;

	for (i = 0; i < self->nkids; i++) {
		kill(self->kids[i], SIGKILL);
		waitpid(self->kids[i], NULL, 0);
	}
	if (self->ctx)
		for (i = 0; i < self->nids; i++)
			vmctl_watch_del(self->ctx, self->ids[i]);
	if (self->saved_max > 0)
		write_long_file(MAX_MAP_COUNT_PATH, self->saved_max);
	vmctl_unref(self->ctx);
}

/* Remember @ch to kill it in the teardown if the test fails. */
#define SPAWN(ch, ...) do {							\
	ASSERT_EQ(0, spawn(ch, __VA_ARGS__));					\
	self->kids[self->nkids++] = (ch)->pid;					\
} while (0)

#define ADD(spec, id) do {							\
	int __e = vmctl_watch_add(self->ctx, spec, id);				\
	ASSERT_EQ(0, __e) TH_LOG("vmctl_watch_add: %s; kernel says: %s",	\
				 strerror(-__e),				\
				 vmctl_last_error_msg(self->ctx) ?: "-");	\
	self->ids[self->nids++] = *(id);					\
} while (0)

#define LOWER_MAX() ASSERT_EQ(0, write_long_file(MAX_MAP_COUNT_PATH, MAX_MAPS))

/* ---- watch management ---- */

TEST_F(watch, add_list_del)
{
	struct vmctl_watch_spec spec = {
		.nthresholds = 3, .thresholds = { 95, 80, 95 },
		.flags = VMCTL_WATCH_SPEC_HYSTERESIS, .hysteresis = 7,
		.events = VMCTL_EVENT_MAP_COUNT_THRESHOLD | VMCTL_EVENT_PROCESS_EXIT,
		.fault_rate = 1000,
	};
	struct vmctl_watch_info info;
	struct child ch;
	uint32_t id, id2;

	SPAWN(&ch, PLAN_SLEEP, 0, 0, 0);
	spec.pid = ch.pid;
	ADD(&spec, &id);
	ASSERT_TRUE(find_watch(self->ctx, id, &info));
	EXPECT_EQ(0, info.flags & VMCTL_WATCH_SPEC_GLOBAL);
	EXPECT_EQ(ch.pid, info.pid);
	EXPECT_EQ(spec.events, info.events);
	/* Sorted, duplicates merged. */
	ASSERT_EQ(2, info.nthresholds);
	EXPECT_EQ(80, info.thresholds[0]);
	EXPECT_EQ(95, info.thresholds[1]);
	EXPECT_EQ(7, info.hysteresis);
	EXPECT_EQ(1000, info.fault_rate);
	EXPECT_EQ(0, info.events_dropped);
	/* The child of a fork() keeps the parent's name. */
	EXPECT_STRNE("", info.comm);

	/* Defaults: every event, 80 and 95, hysteresis 5, no fault rate. */
	spec = (struct vmctl_watch_spec){ .pid = ch.pid };
	ADD(&spec, &id2);
	EXPECT_NE(id, id2);
	ASSERT_TRUE(find_watch(self->ctx, id2, &info));
	EXPECT_EQ(VMCTL_EVENT_ALL, info.events);
	ASSERT_EQ(2, info.nthresholds);
	EXPECT_EQ(80, info.thresholds[0]);
	EXPECT_EQ(95, info.thresholds[1]);
	EXPECT_EQ(5, info.hysteresis);
	EXPECT_EQ(0, info.fault_rate);

	EXPECT_EQ(0, vmctl_watch_del(self->ctx, id));
	EXPECT_FALSE(find_watch(self->ctx, id, NULL));
	EXPECT_TRUE(find_watch(self->ctx, id2, NULL));
	EXPECT_EQ(-ENOENT, vmctl_watch_del(self->ctx, id));
	EXPECT_NE(NULL, vmctl_last_error_msg(self->ctx));
	EXPECT_EQ(0, vmctl_watch_del(self->ctx, id2));

	/* pid 0 is the caller. */
	spec = (struct vmctl_watch_spec){ .events = VMCTL_EVENT_COMMIT_REFUSED };
	ADD(&spec, &id);
	ASSERT_TRUE(find_watch(self->ctx, id, &info));
	EXPECT_EQ(getpid(), info.pid);
	EXPECT_EQ(0, vmctl_watch_del(self->ctx, id));
}

TEST_F(watch, add_errors)
{
	struct vmctl_watch_spec spec = { 0 };
	struct child ch;
	uint32_t id = 0;
	int status;

	/*
	 * Values the library passes on and the kernel refuses, with a
	 * reason: out of the policy's range (ERANGE), unknown event bits.
	 */
	spec.pid = getpid();
	spec.nthresholds = 1;
	spec.thresholds[0] = 0;
	EXPECT_EQ(-ERANGE, vmctl_watch_add(self->ctx, &spec, &id));
	EXPECT_NE(NULL, vmctl_last_error_msg(self->ctx));
	spec.thresholds[0] = 101;
	EXPECT_EQ(-ERANGE, vmctl_watch_add(self->ctx, &spec, &id));
	spec.nthresholds = 0;
	spec.flags = VMCTL_WATCH_SPEC_HYSTERESIS;
	spec.hysteresis = 51;
	EXPECT_EQ(-ERANGE, vmctl_watch_add(self->ctx, &spec, &id));
	EXPECT_NE(NULL, vmctl_last_error_msg(self->ctx));
	spec.flags = 0;
	spec.events = 1U << 20;
	EXPECT_EQ(-EINVAL, vmctl_watch_add(self->ctx, &spec, &id));
	EXPECT_NE(NULL, vmctl_last_error_msg(self->ctx));
	spec.events = 0;

	/* Nothing was left behind by those. */
	EXPECT_EQ(0, wait_watch(self->ctx, false, getpid(), 0));

	/* A global watch cannot have a fault rate. */
	spec = (struct vmctl_watch_spec){ .flags = VMCTL_WATCH_SPEC_GLOBAL, .fault_rate = 5 };
	EXPECT_EQ(-EINVAL, vmctl_watch_add(self->ctx, &spec, &id));
	EXPECT_NE(NULL, vmctl_last_error_msg(self->ctx));

	/* A process that is gone. */
	SPAWN(&ch, PLAN_EXIT, 0, 0, 0);
	ASSERT_EQ(0, go(&ch));
	ASSERT_EQ(0, reap(ch.pid, 5000));
	spec = (struct vmctl_watch_spec){ .pid = ch.pid };
	EXPECT_EQ(-ESRCH, vmctl_watch_add(self->ctx, &spec, &id));

	/* Without CAP_SYS_ADMIN, no global watch; another user's process: EACCES or EPERM. */
	ch.pid = fork();
	ASSERT_LE(0, ch.pid);
	if (!ch.pid) {
		struct vmctl_watch_spec g = { .flags = VMCTL_WATCH_SPEC_GLOBAL };
		struct vmctl_watch_spec p = { .pid = 1 };
		struct vmctl_ctx *c;
		uint32_t i;
		int e;

		if (setgid(65534) || setuid(65534) || vmctl_new(&c))
			_exit(10);
		if (vmctl_watch_add(c, &g, &i) != -EPERM)
			_exit(11);
		if (!vmctl_last_error_msg(c))
			_exit(12);
		e = vmctl_watch_add(c, &p, &i);
		if (e != -EACCES && e != -EPERM)
			_exit(13);
		_exit(0);
	}
	status = reap(ch.pid, 5000);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("unprivileged child: status 0x%x", status);
}

/* Another user may not delete a watch, nor see it in the dump. */
TEST_F(watch, owner_only)
{
	struct vmctl_watch_spec spec = { 0 };
	struct child ch;
	uint32_t id;
	int status;

	SPAWN(&ch, PLAN_SLEEP, 0, 0, 0);
	spec.pid = ch.pid;
	ADD(&spec, &id);
	ch.pid = fork();
	ASSERT_LE(0, ch.pid);
	if (!ch.pid) {
		struct vmctl_ctx *c;

		if (setgid(65534) || setuid(65534) || vmctl_new(&c))
			_exit(10);
		if (vmctl_watch_del(c, id) != -EPERM)
			_exit(11);
		if (find_watch(c, id, NULL))
			_exit(12);
		_exit(0);
	}
	status = reap(ch.pid, 5000);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("unprivileged child: status 0x%x", status);
	EXPECT_TRUE(find_watch(self->ctx, id, NULL));
}

/* ---- events ---- */

/*
 * The whole life of a process that runs out of mappings: 80 %, 95 %,
 * map-count-exhausted naming mmap, process-exit, in that order, nothing
 * else, each within a second. A sibling doing the same unwatched gives
 * no event at all.
 */
TEST_F(watch, grow_to_exhaustion)
{
	struct vmctl_watch_spec spec = { 0 };
	struct evlog *log = new_log(0);
	struct child ch, other;
	struct vmctl_events *ev;
	const struct vmctl_event *e;
	uint32_t id;
	int i, status;

	ASSERT_NE(NULL, log);
	LOWER_MAX();
	ASSERT_EQ(0, vmctl_events_open(self->ctx, 0, &ev));
	SPAWN(&ch, PLAN_EXHAUST, 0, 0, 0);
	SPAWN(&other, PLAN_EXHAUST, 0, 0, 0);
	spec.pid = ch.pid;
	ADD(&spec, &id);

	ASSERT_EQ(0, go(&other));
	ASSERT_EQ(0, go(&ch));
	/* Read while they run: receipt times measure delivery. */
	ASSERT_EQ(0, drain(ev, log, id, 13000));
	status = reap(ch.pid, 1000);
	EXPECT_EQ(0, status) TH_LOG("child status 0x%x", status);
	status = reap(other.pid, 10000);
	EXPECT_EQ(0, status) TH_LOG("sibling status 0x%x", status);
	/* Anything late would come within a second. */
	drain(ev, log, 0, 1000);

	EXPECT_EQ(0, log->lost);
	for (i = 0; i < log->n; i++) {
		e = &log->ev[i];
		EXPECT_NE(other.pid, e->pid) TH_LOG("event %s of the unwatched sibling",
						     vmctl_event_name(e->type));
		EXPECT_EQ(id, e->watch_id);
		/*
		 * Within a second of its cause (ten on a debug kernel, whose
		 * work items can wait that long), and in order.
		 */
		EXPECT_GT(NSEC * vmctl_test_timeout_scale(), log->recv_ns[i] - (int64_t)e->time_ns)
			TH_LOG("event %d received %lld ns after its cause", i,
			       (long long)(log->recv_ns[i] - (int64_t)e->time_ns));
		EXPECT_LE((int64_t)e->time_ns, log->recv_ns[i]);
		if (i)
			EXPECT_LE(log->ev[i - 1].time_ns, e->time_ns);
	}
	ASSERT_EQ(4, log->n) {
		for (i = 0; i < log->n; i++)
			TH_LOG("event %d: %s map_count %llu", i,
			       vmctl_event_name(log->ev[i].type),
			       (unsigned long long)log->ev[i].map_count);
	}

	e = &log->ev[0];
	EXPECT_EQ(VMCTL_EVENT_MAP_COUNT_THRESHOLD, e->type);
	EXPECT_EQ(80, e->threshold);
	EXPECT_EQ(MAX_MAPS, e->max_map_count);
	/* The call that reached it: one mapping at a time. */
	EXPECT_EQ(MAX_MAPS * 80 / 100, e->map_count);
	EXPECT_EQ(ch.pid, e->pid);
	EXPECT_STRNE("", e->comm);

	e = &log->ev[1];
	EXPECT_EQ(VMCTL_EVENT_MAP_COUNT_THRESHOLD, e->type);
	EXPECT_EQ(95, e->threshold);
	EXPECT_EQ(MAX_MAPS * 95 / 100, e->map_count);
	EXPECT_EQ(MAX_MAPS, e->max_map_count);

	e = &log->ev[2];
	EXPECT_EQ(VMCTL_EVENT_MAP_COUNT_EXHAUSTED, e->type);
	EXPECT_EQ(VMCTL_OP_MMAP, e->op);
	EXPECT_EQ(0, e->addr);
	EXPECT_EQ(ps, e->len);
	EXPECT_EQ(MAX_MAPS, e->max_map_count);
	EXPECT_LE(MAX_MAPS - 2, e->map_count);
	EXPECT_GE(MAX_MAPS + 1, e->map_count);
	EXPECT_EQ(0, e->threshold);

	e = &log->ev[3];
	EXPECT_EQ(VMCTL_EVENT_PROCESS_EXIT, e->type);
	EXPECT_TRUE(WIFEXITED(e->exit_code));
	EXPECT_EQ(0, WEXITSTATUS(e->exit_code));
	EXPECT_LE(MAX_MAPS - 2, e->map_count_peak);
	EXPECT_GE(MAX_MAPS + 1, e->map_count_peak);
	EXPECT_LT(0, e->maxrss_bytes);
	EXPECT_LT(0, e->min_flt);
	EXPECT_EQ(ch.pid, e->pid);

	/* The watch ended with its process. */
	for (i = 0; i < 200 && find_watch(self->ctx, id, NULL); i++)
		usleep(10000);
	EXPECT_FALSE(find_watch(self->ctx, id, NULL));
	EXPECT_EQ(-ENOENT, vmctl_watch_del(self->ctx, id));
	vmctl_events_close(ev);
	free(log);
}

/* Three listeners at once each get every event, the same ones in order. */
TEST_F(watch, several_listeners)
{
	struct vmctl_watch_spec spec = { .nthresholds = 2, .thresholds = { 50, 90 } };
	struct vmctl_events *ev[3];
	struct evlog *log[3];
	struct child ch;
	uint32_t id;
	int i, j;

	LOWER_MAX();
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, vmctl_events_open(self->ctx, 0, &ev[i]));
		log[i] = new_log(0);
		ASSERT_NE(NULL, log[i]);
	}
	EXPECT_NE(vmctl_events_fd(ev[0]), vmctl_events_fd(ev[1]));
	SPAWN(&ch, PLAN_EXHAUST, 0, 0, 0);
	spec.pid = ch.pid;
	ADD(&spec, &id);
	for (i = 0; i < 3; i++)
		log[i]->only = id;
	ASSERT_EQ(0, go(&ch));
	EXPECT_EQ(0, reap(ch.pid, 10000));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, drain(ev[i], log[i], id, 3000)) TH_LOG("listener %d", i);
		ASSERT_EQ(4, log[i]->n) TH_LOG("listener %d", i);
		EXPECT_EQ(0, log[i]->lost);
		EXPECT_EQ(50, log[i]->ev[0].threshold);
		EXPECT_EQ(90, log[i]->ev[1].threshold);
		EXPECT_EQ(VMCTL_EVENT_MAP_COUNT_EXHAUSTED, log[i]->ev[2].type);
		EXPECT_EQ(VMCTL_EVENT_PROCESS_EXIT, log[i]->ev[3].type);
		for (j = 0; j < 4 && i; j++) {
			EXPECT_EQ(log[0]->ev[j].type, log[i]->ev[j].type);
			EXPECT_EQ(log[0]->ev[j].time_ns, log[i]->ev[j].time_ns);
			EXPECT_EQ(log[0]->ev[j].map_count, log[i]->ev[j].map_count);
		}
	}
	for (i = 0; i < 3; i++) {
		vmctl_events_close(ev[i]);
		free(log[i]);
	}
}

/*
 * Hysteresis: around a threshold, a re-arm needs map_count to fall
 * hysteresis percent below it. With 5 %, 20 one-page dips under 50 %
 * give nothing and a dip to 44 % re-arms: two events. With 0 every dip
 * re-arms: one event per return to 50 %.
 */
static void oscillate(struct __test_metadata *_metadata, FIXTURE_DATA(watch) *self,
		      uint32_t hysteresis, int expect)
{
	struct vmctl_watch_spec spec = {
		.nthresholds = 1, .thresholds = { 50 },
		.flags = VMCTL_WATCH_SPEC_HYSTERESIS, .hysteresis = hysteresis,
		.events = VMCTL_EVENT_MAP_COUNT_THRESHOLD | VMCTL_EVENT_PROCESS_EXIT,
	};
	struct evlog *log = new_log(0);
	struct vmctl_events *ev;
	struct child ch;
	uint32_t id;
	int i, thresholds = 0;

	ASSERT_NE(NULL, log);
	ASSERT_EQ(0, vmctl_events_open(self->ctx, 0, &ev));
	SPAWN(&ch, PLAN_OSCILLATE, MAX_MAPS / 2, 20, MAX_MAPS * 6 / 100);
	spec.pid = ch.pid;
	ADD(&spec, &id);
	log->only = id;
	ASSERT_EQ(0, go(&ch));
	/* Read while it runs: these events are many but must all arrive. */
	ASSERT_EQ(0, drain(ev, log, id, 10000));
	EXPECT_EQ(0, reap(ch.pid, 1000));
	EXPECT_EQ(0, log->lost);
	for (i = 0; i < log->n; i++) {
		if (log->ev[i].type != VMCTL_EVENT_MAP_COUNT_THRESHOLD)
			continue;
		thresholds++;
		EXPECT_EQ(50, log->ev[i].threshold);
		EXPECT_EQ(MAX_MAPS / 2, log->ev[i].map_count);
	}
	EXPECT_EQ(expect, thresholds);
	EXPECT_EQ(VMCTL_EVENT_PROCESS_EXIT, log->ev[log->n - 1].type);
	vmctl_events_close(ev);
	free(log);
}

TEST_F(watch, hysteresis_5)
{
	LOWER_MAX();
	oscillate(_metadata, self, 5, 2);
}

TEST_F(watch, hysteresis_0)
{
	LOWER_MAX();
	oscillate(_metadata, self, 0, 1 + 20 + 1);
}

/*
 * A listener that never reads: the watched process is not slowed down
 * (the module never waits for listeners), the listener's socket
 * overflows, and the library reports the loss when it reads at last.
 */
TEST_F(watch, stalled_listener)
{
	struct vmctl_watch_spec spec = {
		.nthresholds = 1, .thresholds = { 50 },
		.flags = VMCTL_WATCH_SPEC_HYSTERESIS, .hysteresis = 0,
	};
	struct evlog *log = new_log(0);
	struct vmctl_events *stalled;
	int rcvbuf = 4096, status;
	struct child ch;
	int64_t t0;
	uint32_t id;

	ASSERT_NE(NULL, log);
	LOWER_MAX();
	ASSERT_EQ(0, vmctl_events_open(self->ctx, 0, &stalled));
	ASSERT_EQ(0, setsockopt(vmctl_events_fd(stalled), SOL_SOCKET, SO_RCVBUF,
				&rcvbuf, sizeof(rcvbuf)));
	/* 3000 returns to 50 %: as many events, far more than fit. */
	SPAWN(&ch, PLAN_OSCILLATE, MAX_MAPS / 2, 3000, 0);
	spec.pid = ch.pid;
	ADD(&spec, &id);
	log->only = id;
	t0 = now_ns();
	ASSERT_EQ(0, go(&ch));
	status = reap(ch.pid, 5000);
	EXPECT_EQ(0, status) TH_LOG("child status 0x%x", status);
	EXPECT_GT(5 * NSEC * vmctl_test_timeout_scale(), now_ns() - t0);
	/* Let the sender finish with what it queued. */
	usleep(500000 * vmctl_test_timeout_scale());
	EXPECT_EQ(0, vmctl_events_lost(stalled));
	drain(stalled, log, 0, 500);
	EXPECT_LE(1, log->lost);
	EXPECT_EQ(log->lost, vmctl_events_lost(stalled));
	/* What did fit was delivered. */
	EXPECT_LE(1, log->n);
	EXPECT_GT(3000, log->n);
	vmctl_events_close(stalled);
	free(log);
}

/* The running kernel is at least @major.@minor. */
static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

/*
 * Events name processes and their counts: a listener hears the watches
 * of its own user only (all of them with CAP_SYS_ADMIN). An unprivileged
 * listener gets the events of its own watch and none of root's.
 */
TEST_F(watch, listener_hears_own_user_only)
{
	struct vmctl_watch_spec spec = { 0 };
	struct evlog *log = new_log(0);
	struct vmctl_events *ev;
	int ready[2], done[2], status;
	struct child ch;
	pid_t nobody;
	uint32_t id;
	char c;

	/* genlmsg_multicast_netns_filtered() came with Linux 6.7. */
	if (!kernel_at_least(6, 7))
		SKIP(return, "events are not filtered by user before Linux 6.7");
	ASSERT_NE(NULL, log);
	LOWER_MAX();
	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(done, O_CLOEXEC));
	nobody = fork();
	ASSERT_LE(0, nobody);
	if (!nobody) {
		struct vmctl_watch_spec own = { .events = VMCTL_EVENT_PROCESS_EXIT };
		struct vmctl_ctx *ctx;
		struct vmctl_events *mine;
		struct child kid;
		uint32_t own_id;
		int i, foreign = 0;

		/* Dumpable again after setuid(), or it may not read its own child. */
		if (setgid(65534) || setuid(65534) || prctl(PR_SET_DUMPABLE, 1) ||
		    vmctl_new(&ctx) || vmctl_events_open(ctx, 0, &mine))
			_exit(10);
		if (spawn(&kid, PLAN_EXIT, 3, 0, 0))
			_exit(11);
		own.pid = kid.pid;
		if (vmctl_watch_add(ctx, &own, &own_id) || go(&kid))
			_exit(12);
		if (write(ready[1], "r", 1) != 1 || read(done[0], &c, 1) != 1)
			_exit(13);
		if (drain(mine, log, own_id, 3000))
			_exit(14);	/* its own exit event did not come */
		drain(mine, log, 0, 500);
		for (i = 0; i < log->n; i++)
			foreign += log->ev[i].watch_id != own_id;
		waitpid(kid.pid, NULL, 0);
		_exit(foreign ? 15 : 0);
	}
	self->kids[self->nkids++] = nobody;
	close(ready[1]);
	close(done[0]);
	ASSERT_EQ(1, read(ready[0], &c, 1)) {
		status = reap(nobody, 1000);
		TH_LOG("unprivileged listener: status 0x%x", status);
	}

	ASSERT_EQ(0, vmctl_events_open(self->ctx, 0, &ev));
	SPAWN(&ch, PLAN_EXHAUST, 0, 0, 0);
	spec.pid = ch.pid;
	ADD(&spec, &id);
	log->only = id;
	ASSERT_EQ(0, go(&ch));
	EXPECT_EQ(0, reap(ch.pid, 10000));
	ASSERT_EQ(0, drain(ev, log, id, 3000));
	ASSERT_EQ(1, write(done[1], "d", 1));
	status = reap(nobody, 10000);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("unprivileged listener: status 0x%x (15: heard root's events)", status);
	vmctl_events_close(ev);
	free(log);
}

/* A commit past VMCTL_IOC_SET_COMMIT_LIMIT: a commit-refused event. */
TEST_F(watch, commit_refused)
{
	struct vmctl_watch_spec spec = { .events = VMCTL_EVENT_COMMIT_REFUSED };
	struct evlog *log = new_log(0);
	struct vmctl_version v;
	struct vmctl_events *ev;
	const struct vmctl_event *e;
	uint32_t id;
	void *p;

	ASSERT_NE(NULL, log);
	ASSERT_EQ(0, vmctl_get_version(self->ctx, &v));
	if (!(v.features & VMCTL_FEATURE_RESERVE))
		SKIP(return, "the module lacks VMCTL_FEATURE_RESERVE");
	ASSERT_EQ(0, vmctl_events_open(self->ctx, 0, &ev));
	ADD(&spec, &id);	/* pid 0: this process */
	log->only = id;

	ASSERT_EQ(0, vmctl_reserve(self->ctx, 16 * ps, 0, &p));
	ASSERT_EQ(0, vmctl_set_commit_limit(self->ctx, 0, 4 * ps, NULL));
	ASSERT_EQ(0, vmctl_commit(self->ctx, p, 4 * ps, 0));
	ASSERT_EQ(-EDQUOT, vmctl_commit(self->ctx, (char *)p + 4 * ps, 8 * ps, 0));
	drain(ev, log, 0, 1000);
	ASSERT_EQ(1, log->n);
	e = &log->ev[0];
	EXPECT_EQ(VMCTL_EVENT_COMMIT_REFUSED, e->type);
	EXPECT_EQ(getpid(), e->pid);
	EXPECT_EQ(VMCTL_LIMIT_PROCESS, e->limit_kind);
	EXPECT_EQ(4 * ps, e->limit_bytes);
	EXPECT_EQ(4 * ps, e->committed_bytes);
	EXPECT_EQ(8 * ps, e->request_bytes);
	EXPECT_GT(NSEC * vmctl_test_timeout_scale(), log->recv_ns[0] - (int64_t)e->time_ns);

	EXPECT_EQ(0, vmctl_set_commit_limit(self->ctx, 0, 0, NULL));
	EXPECT_EQ(0, vmctl_release(self->ctx, p));
	vmctl_events_close(ev);
	free(log);
}

/*
 * A process taking major faults fast: a fault-rate event once its rate
 * (over the last second) reaches the watch's. Needs a block device for
 * the faults: VMCTL_FAULTS_DISK (scripts/vm --disk).
 */
TEST_F(watch, fault_rate)
{
	struct vmctl_watch_spec spec = {
		.events = VMCTL_EVENT_FAULT_RATE | VMCTL_EVENT_PROCESS_EXIT,
		.fault_rate = 200,
	};
	const char *dir = getenv("VMCTL_FAULTS_DISK");
	struct evlog *log = new_log(0);
	const struct vmctl_event *e;
	struct vmctl_events *ev;
	struct child ch;
	int i, fd, rates = 0;
	uint32_t id;
	char *buf;

	if (!dir)
		SKIP(return, "set VMCTL_FAULTS_DISK to a directory on a block device");
	ASSERT_NE(NULL, log);
	snprintf(fault_file, sizeof(fault_file), "%s/vmctl-watch-faults", dir);
	fd = open(fault_file, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	buf = malloc(FAULT_PAGES * ps);
	ASSERT_NE(NULL, buf);
	memset(buf, 1, FAULT_PAGES * ps);
	ASSERT_EQ(FAULT_PAGES * ps, write(fd, buf, FAULT_PAGES * ps));
	free(buf);
	ASSERT_EQ(0, fsync(fd));
	close(fd);

	ASSERT_EQ(0, vmctl_events_open(self->ctx, 0, &ev));
	SPAWN(&ch, PLAN_FAULTS, 2500, 0, 0);
	spec.pid = ch.pid;
	ADD(&spec, &id);
	log->only = id;
	ASSERT_EQ(0, go(&ch));
	EXPECT_EQ(0, drain(ev, log, id, 15000));
	EXPECT_EQ(0, reap(ch.pid, 5000));
	unlink(fault_file);
	for (i = 0; i < log->n; i++) {
		e = &log->ev[i];
		if (e->type != VMCTL_EVENT_FAULT_RATE)
			continue;
		rates++;
		EXPECT_LE(200, e->fault_rate);
		EXPECT_EQ(200, e->fault_rate_limit);
		EXPECT_EQ(ch.pid, e->pid);
		EXPECT_GT(NSEC * vmctl_test_timeout_scale(), log->recv_ns[i] - (int64_t)e->time_ns);
	}
	/* Steady above the limit: it fired, and did not repeat every tick. */
	EXPECT_LE(1, rates);
	EXPECT_GE(2, rates);
	ASSERT_LE(1, log->n);
	e = &log->ev[log->n - 1];
	EXPECT_EQ(VMCTL_EVENT_PROCESS_EXIT, e->type);
	EXPECT_LE(FAULT_PAGES, e->maj_flt);
	vmctl_events_close(ev);
	free(log);
}

/* A global watch sees every process: the unwatched grower too. */
TEST_F(watch, global_watch)
{
	struct vmctl_watch_spec spec = { .flags = VMCTL_WATCH_SPEC_GLOBAL };
	struct vmctl_watch_info info;
	struct evlog *log = new_log(0);
	struct vmctl_events *ev;
	struct child ch;
	int i, seen = 0;
	uint32_t id;

	ASSERT_NE(NULL, log);
	LOWER_MAX();
	ASSERT_EQ(0, vmctl_events_open(self->ctx, 0, &ev));
	ADD(&spec, &id);
	log->only = id;
	ASSERT_TRUE(find_watch(self->ctx, id, &info));
	EXPECT_TRUE(info.flags & VMCTL_WATCH_SPEC_GLOBAL);
	EXPECT_EQ(0, info.pid);
	SPAWN(&ch, PLAN_EXHAUST, 0, 0, 0);
	ASSERT_EQ(0, go(&ch));
	EXPECT_EQ(0, reap(ch.pid, 10000));
	drain(ev, log, 0, 1000);
	for (i = 0; i < log->n; i++) {
		if (log->ev[i].pid != ch.pid)
			continue;
		EXPECT_NE(VMCTL_EVENT_PROCESS_EXIT, log->ev[i].type);
		seen |= log->ev[i].type == VMCTL_EVENT_MAP_COUNT_THRESHOLD ?
			(log->ev[i].threshold == 80 ? 1 : 2) : 4;
	}
	EXPECT_EQ(7, seen) TH_LOG("%d events", log->n);
	EXPECT_EQ(0, vmctl_watch_del(self->ctx, id));
	vmctl_events_close(ev);
	free(log);
}

/* ---- the tool ---- */

static const char *tool_path(void)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n;

	if (getenv("VMCTL_BIN"))
		return getenv("VMCTL_BIN");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return "vmctl";
	exe[n] = '\0';
	snprintf(path, sizeof(path), "%s/../user/vmctl", dirname(exe));
	return path;
}

struct tool {
	pid_t pid;
	int out;		/* read end of its stdout */
	int err;		/* read end of its stderr */
};

/* Runs "vmctl watch ARGS..." (NULL terminated, up to 8), as @uid if not -1. */
static int tool_start(struct tool *t, uid_t uid, const char *const *args)
{
	const char *argv[12] = { "vmctl", "watch" };
	const char *path = tool_path();
	int out[2], err[2], i;

	for (i = 0; args[i] && i < 8; i++)
		argv[i + 2] = args[i];
	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
		return -errno;
	t->pid = fork();
	if (t->pid < 0)
		return -errno;
	if (!t->pid) {
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		if (uid != (uid_t)-1 && (setgid(uid) || setuid(uid)))
			_exit(126);
		execv(path, (char **)argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	t->out = out[0];
	t->err = err[0];
	return 0;
}

/* Reads @fd to EOF (up to @len - 1 bytes kept) or until @timeout_ms pass. */
static ssize_t read_all(int fd, char *buf, size_t len, int timeout_ms)
{
	int64_t end = deadline_ns(timeout_ms);
	size_t used = 0;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = end - now_ns();
		ssize_t r;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)(left / 1000000) + 1) <= 0)
			continue;
		r = read(fd, buf + used, len - 1 - used);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		used += r;
		if (used == len - 1)
			break;
	}
	buf[used] = '\0';
	return used;
}

/* json-c, loaded at run time: the selftests link libvmctl and libnl only. */
static struct {
	typeof(json_tokener_parse) *parse;
	typeof(json_object_object_get_ex) *get_ex;
	typeof(json_object_get_string) *get_string;
	typeof(json_object_get_int64) *get_int64;
	typeof(json_object_get_type) *get_type;
	typeof(json_object_put) *put;
} jc;

static bool load_json_c(void)
{
	void *h = dlopen("libjson-c.so.5", RTLD_NOW | RTLD_LOCAL);

	if (!h)
		return false;
	jc.parse = dlsym(h, "json_tokener_parse");
	jc.get_ex = dlsym(h, "json_object_object_get_ex");
	jc.get_string = dlsym(h, "json_object_get_string");
	jc.get_int64 = dlsym(h, "json_object_get_int64");
	jc.get_type = dlsym(h, "json_object_get_type");
	jc.put = dlsym(h, "json_object_put");
	return jc.parse && jc.get_ex && jc.get_string && jc.get_int64 && jc.get_type &&
	       jc.put;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!jc.get_ex(o, key, &v) || jc.get_type(v) != json_type_string)
		return "";
	return jc.get_string(v);
}

static int64_t jint(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!jc.get_ex(o, key, &v) || jc.get_type(v) != json_type_int)
		return -12345;
	return jc.get_int64(v);
}

/* "vmctl watch --json PID" on a process that runs out of mappings. */
TEST_F(watch, tool_json)
{
	static char out[65536], err[8192];
	struct json_object *o[8];
	char pidarg[16], *line, *save;
	struct tool t;
	struct child ch;
	int n = 0, i, status;
	uint32_t id;

	ASSERT_TRUE(load_json_c());
	LOWER_MAX();
	SPAWN(&ch, PLAN_EXHAUST, 0, 0, 0);
	snprintf(pidarg, sizeof(pidarg), "%d", ch.pid);
	ASSERT_EQ(0, tool_start(&t, -1, (const char *const[]){ "--json", pidarg, NULL }));
	self->kids[self->nkids++] = t.pid;
	/* The tool subscribes before it creates its watch. */
	id = wait_watch(self->ctx, false, ch.pid, 5000);
	ASSERT_NE(0, id) TH_LOG("the tool made no watch");
	ASSERT_EQ(0, go(&ch));
	EXPECT_EQ(0, reap(ch.pid, 10000));
	/* It exits by itself once its process has exited. */
	ASSERT_LE(0, read_all(t.out, out, sizeof(out), 10000));
	status = reap(t.pid, 5000);
	read_all(t.err, err, sizeof(err), 1000);
	EXPECT_EQ(0, status) TH_LOG("tool status 0x%x, stderr:\n%s", status, err);
	EXPECT_STREQ("", err);

	for (line = strtok_r(out, "\n", &save); line && n < 8;
	     line = strtok_r(NULL, "\n", &save)) {
		o[n] = jc.parse(line);
		ASSERT_NE(NULL, o[n]) TH_LOG("not JSON: %s", line);
		n++;
	}
	ASSERT_EQ(4, n) TH_LOG("output:\n%s", out);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(ch.pid, jint(o[i], "pid"));
		EXPECT_EQ(id, jint(o[i], "watch_id"));
		EXPECT_LT(0, jint(o[i], "time_ns"));
		EXPECT_NE(0, strlen(jstr(o[i], "time")));
	}
	EXPECT_STREQ("map-count-threshold", jstr(o[0], "event"));
	EXPECT_EQ(80, jint(o[0], "threshold"));
	EXPECT_EQ(MAX_MAPS * 80 / 100, jint(o[0], "map_count"));
	EXPECT_EQ(MAX_MAPS, jint(o[0], "max_map_count"));
	EXPECT_STREQ("map-count-threshold", jstr(o[1], "event"));
	EXPECT_EQ(95, jint(o[1], "threshold"));
	EXPECT_STREQ("map-count-exhausted", jstr(o[2], "event"));
	EXPECT_STREQ("mmap", jstr(o[2], "op"));
	EXPECT_EQ(ps, jint(o[2], "len"));
	EXPECT_STREQ("process-exit", jstr(o[3], "event"));
	EXPECT_EQ(0, jint(o[3], "exit_status"));
	EXPECT_LE(MAX_MAPS - 2, jint(o[3], "map_count_peak"));
	for (i = 0; i < n; i++)
		jc.put(o[i]);
	EXPECT_FALSE(find_watch(self->ctx, id, NULL));
	close(t.out);
	close(t.err);
}

/* The text lines, and SIGINT: the tool deletes its watches and exits 0. */
TEST_F(watch, tool_text_and_sigint)
{
	static char out[8192], err[8192];
	char pidarg[16], expect[64];
	struct child ch;
	struct tool t;
	int status;
	uint32_t id;

	LOWER_MAX();
	SPAWN(&ch, PLAN_OSCILLATE, MAX_MAPS * 85 / 100, 0, 0);
	snprintf(pidarg, sizeof(pidarg), "%d", ch.pid);
	ASSERT_EQ(0, tool_start(&t, -1, (const char *const[]){
		"--threshold", "85", "--events", "map-count-threshold", pidarg, NULL }));
	self->kids[self->nkids++] = t.pid;
	id = wait_watch(self->ctx, false, ch.pid, 5000);
	ASSERT_NE(0, id);
	ASSERT_EQ(0, go(&ch));
	EXPECT_EQ(0, reap(ch.pid, 10000));
	/* No process-exit event asked for: the tool notices the watch is gone. */
	ASSERT_LE(0, read_all(t.out, out, sizeof(out), 10000));
	status = reap(t.pid, 5000);
	read_all(t.err, err, sizeof(err), 1000);
	EXPECT_EQ(0, status) TH_LOG("stderr: %s", err);
	snprintf(expect, sizeof(expect), " %d (", ch.pid);
	EXPECT_NE(NULL, strstr(out, expect)) TH_LOG("output: %s", out);
	snprintf(expect, sizeof(expect), ") map-count-threshold 85%% map_count=%d/%d\n",
		 MAX_MAPS * 85 / 100, MAX_MAPS);
	EXPECT_NE(NULL, strstr(out, expect)) TH_LOG("output: %s", out);
	/* hh:mm:ss.mmm */
	EXPECT_EQ(':', out[2]);
	EXPECT_EQ('.', out[8]);
	close(t.out);
	close(t.err);

	SPAWN(&ch, PLAN_SLEEP, 0, 0, 0);
	snprintf(pidarg, sizeof(pidarg), "%d", ch.pid);
	ASSERT_EQ(0, tool_start(&t, -1, (const char *const[]){ pidarg, NULL }));
	self->kids[self->nkids++] = t.pid;
	id = wait_watch(self->ctx, false, ch.pid, 5000);
	ASSERT_NE(0, id);
	kill(t.pid, SIGINT);
	status = reap(t.pid, 5000);
	EXPECT_EQ(0, status);
	EXPECT_FALSE(find_watch(self->ctx, id, NULL));
	close(t.out);
	close(t.err);
}

/* Its reader gone, the tool deletes its watches and exits 0. */
TEST_F(watch, tool_closed_output)
{
	static char err[8192];
	char pidarg[16];
	struct child ch;
	struct tool t;
	int status;
	uint32_t id;

	SPAWN(&ch, PLAN_SLEEP, 0, 0, 0);
	snprintf(pidarg, sizeof(pidarg), "%d", ch.pid);
	ASSERT_EQ(0, tool_start(&t, -1, (const char *const[]){ pidarg, NULL }));
	self->kids[self->nkids++] = t.pid;
	id = wait_watch(self->ctx, false, ch.pid, 5000);
	ASSERT_NE(0, id);
	close(t.out);
	status = reap(t.pid, 5000);
	read_all(t.err, err, sizeof(err), 1000);
	EXPECT_EQ(0, status) TH_LOG("status 0x%x, stderr: %s", status, err);
	EXPECT_FALSE(find_watch(self->ctx, id, NULL));
	close(t.err);
}

/* A global watch needs CAP_SYS_ADMIN: a clear message, status 1. */
TEST_F(watch, tool_global_unprivileged)
{
	static char out[4096], err[4096];
	struct tool t;
	int status;

	ASSERT_EQ(0, tool_start(&t, 65534, (const char *const[]){ NULL }));
	self->kids[self->nkids++] = t.pid;
	read_all(t.err, err, sizeof(err), 5000);
	read_all(t.out, out, sizeof(out), 1000);
	status = reap(t.pid, 5000);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1)
		TH_LOG("status 0x%x, stderr: %s", status, err);
	/* Before 6.7 listening is refused first: only CAP_SYS_ADMIN may. */
	EXPECT_TRUE(strstr(err, "a global watch needs CAP_SYS_ADMIN") ||
		    strstr(err, "lets only CAP_SYS_ADMIN hear vmctl events")) TH_LOG("%s", err);
	EXPECT_STREQ("", out);
	close(t.out);
	close(t.err);
}

/* Reads @fd until @needle shows up in what was read; false on timeout or EOF. */
static bool read_until(int fd, char *buf, size_t len, const char *needle, int timeout_ms)
{
	int64_t end = deadline_ns(timeout_ms);
	size_t used = 0;

	buf[0] = '\0';
	while (!strstr(buf, needle)) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = end - now_ns();
		ssize_t r;

		if (left <= 0 || used == len - 1)
			return false;
		if (poll(&pfd, 1, (int)(left / 1000000) + 1) <= 0)
			continue;
		r = read(fd, buf + used, len - 1 - used);
		if (r <= 0)
			return false;
		used += r;
		buf[used] = '\0';
	}
	return true;
}

/* As root without PID: a global watch ("all" events it can have), until SIGTERM. */
TEST_F(watch, tool_global)
{
	static char out[65536], err[4096];
	char expect[64];
	struct child ch;
	struct tool t;
	int status;
	uint32_t id;

	LOWER_MAX();
	ASSERT_EQ(0, wait_watch(self->ctx, true, 0, 0)) TH_LOG("a global watch exists already");
	SPAWN(&ch, PLAN_EXHAUST, 0, 0, 0);
	ASSERT_EQ(0, tool_start(&t, -1, (const char *const[]){ "--events", "all", NULL }));
	self->kids[self->nkids++] = t.pid;
	id = wait_watch(self->ctx, true, 0, 5000);
	ASSERT_NE(0, id);
	ASSERT_EQ(0, go(&ch));
	EXPECT_EQ(0, reap(ch.pid, 10000));
	snprintf(expect, sizeof(expect), " %d (", ch.pid);
	EXPECT_TRUE(read_until(t.out, out, sizeof(out), "map-count-exhausted mmap", 5000))
		TH_LOG("output: %s", out);
	EXPECT_NE(NULL, strstr(out, expect)) TH_LOG("output: %s", out);
	EXPECT_NE(NULL, strstr(out, "map-count-threshold 95%")) TH_LOG("output: %s", out);
	kill(t.pid, SIGTERM);
	status = reap(t.pid, 5000);
	read_all(t.err, err, sizeof(err), 1000);
	EXPECT_EQ(0, status) TH_LOG("status 0x%x, stderr: %s", status, err);
	EXPECT_FALSE(find_watch(self->ctx, id, NULL));
	close(t.out);
	close(t.err);
}

/*
 * A tool that cannot write (a full, unread pipe) loses events; once it
 * can again it says so on stderr, and still ends when its process has
 * exited, even if the exit event was lost.
 */
TEST_F(watch, tool_reports_loss)
{
	static char out[1 << 20], err[8192];
	char pidarg[16];
	struct child ch;
	struct tool t;
	int status;
	uint32_t id;

	LOWER_MAX();
	SPAWN(&ch, PLAN_OSCILLATE, MAX_MAPS / 2, 3000, 0);
	snprintf(pidarg, sizeof(pidarg), "%d", ch.pid);
	ASSERT_EQ(0, tool_start(&t, -1, (const char *const[]){
		"--threshold", "50", "--hysteresis", "0", pidarg, NULL }));
	self->kids[self->nkids++] = t.pid;
	ASSERT_LE(0, fcntl(t.out, F_SETPIPE_SZ, 4096));
	id = wait_watch(self->ctx, false, ch.pid, 5000);
	ASSERT_NE(0, id);
	ASSERT_EQ(0, go(&ch));
	EXPECT_EQ(0, reap(ch.pid, 10000));
	/* The tool is stuck on its output meanwhile. */
	usleep(500000 * vmctl_test_timeout_scale());
	EXPECT_LE(0, read_all(t.out, out, sizeof(out), 15000));
	status = reap(t.pid, 5000);
	read_all(t.err, err, sizeof(err), 1000);
	EXPECT_EQ(0, status) TH_LOG("status 0x%x", status);
	EXPECT_NE(NULL, strstr(err, "events lost")) TH_LOG("stderr: %s", err);
	EXPECT_NE(NULL, strstr(out, "map-count-threshold 50%"));
	EXPECT_FALSE(find_watch(self->ctx, id, NULL));
	close(t.out);
	close(t.err);
}

/* --list shows a watch made through the library; --delete deletes it. */
TEST_F(watch, tool_list)
{
	static char out[65536], err[4096];
	struct vmctl_watch_spec spec = { .nthresholds = 2, .thresholds = { 60, 70 } };
	char expect[128];
	struct child ch;
	struct tool t;
	int status;
	uint32_t id;

	SPAWN(&ch, PLAN_SLEEP, 0, 0, 0);
	spec.pid = ch.pid;
	ADD(&spec, &id);
	ASSERT_EQ(0, tool_start(&t, -1, (const char *const[]){ "--list", NULL }));
	self->kids[self->nkids++] = t.pid;
	ASSERT_LE(0, read_all(t.out, out, sizeof(out), 5000));
	read_all(t.err, err, sizeof(err), 1000);
	status = reap(t.pid, 5000);
	EXPECT_EQ(0, status) TH_LOG("stderr: %s", err);
	snprintf(expect, sizeof(expect), "%6u %7d ", id, ch.pid);
	EXPECT_NE(NULL, strstr(out, expect)) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, " 60,70 ")) TH_LOG("%s", out);
	close(t.out);
	close(t.err);

	/* --delete ID: gone; a second time, an error. */
	snprintf(expect, sizeof(expect), "%u", id);
	ASSERT_EQ(0, tool_start(&t, -1, (const char *const[]){ "--delete", expect, NULL }));
	self->kids[self->nkids++] = t.pid;
	read_all(t.err, err, sizeof(err), 5000);
	EXPECT_EQ(0, reap(t.pid, 5000)) TH_LOG("stderr: %s", err);
	EXPECT_FALSE(find_watch(self->ctx, id, NULL));
	close(t.out);
	close(t.err);
	ASSERT_EQ(0, tool_start(&t, -1, (const char *const[]){ "--delete", expect, NULL }));
	self->kids[self->nkids++] = t.pid;
	read_all(t.err, err, sizeof(err), 5000);
	status = reap(t.pid, 5000);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	EXPECT_NE(NULL, strstr(err, "no watch")) TH_LOG("stderr: %s", err);
	close(t.out);
	close(t.err);
}

TEST_HARNESS_MAIN
