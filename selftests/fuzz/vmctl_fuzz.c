// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl_fuzz - a structured fuzzer that knows vmctl's ABI.
 *
 * Three kinds of operation, chosen at random from a seeded generator:
 *  - ioctl: every vmctl ioctl (and unknown numbers next to them) with an
 *    argument whose fields take random and boundary values: size 0, 1, 7,
 *    8, the first version, the full struct, bigger with a zero or non-zero
 *    tail, PAGE_SIZE, PAGE_SIZE + 1, -1; flags 0, every single bit, all
 *    bits; reserved fields; pids -1, 0, self, 1, 2, a thread, a live
 *    child, a zombie, huge, INT_MIN; addresses NULL, unaligned, kernel,
 *    overflowing, inside and around reservations; vma_size, vma_count,
 *    name buffers; argument pointers NULL, kernel, read-only, straddling
 *    an unmapped page;
 *  - netlink: vmctl generic netlink requests with missing, oversized,
 *    wrong-typed, unknown and nested-garbage attributes, bogus header
 *    flags and lengths, dumps abandoned half-way; and watch requests that
 *    know the attributes (WATCH_ADD with pids of every kind or none, event
 *    masks with unknown bits, 0..12 thresholds in and out of 1..100,
 *    hysteresis and fault rates in and out of range, wrong lengths,
 *    reply-only and unknown attributes; WATCH_DEL of our watches, of
 *    others' and of ids that never were; WATCH_GET dumps, some abandoned).
 *    Watches made are partly deleted, the rest left for module unload;
 *  - sequences: reserve, commit, decommit, reset, release, munmap,
 *    mprotect, mremap, madvise, touch, fork (the child works and exits
 *    without cleaning up) and thread exit, run by several threads on
 *    shared reservations.
 *
 * What it checks (any failure makes the exit status 1):
 *  - the kernel never writes past the "size" the caller gave, nor past
 *    vma_count records or names_size bytes (canary bytes around them);
 *  - no reply, ioctl or netlink, holds a value that looks like a kernel
 *    address (0xffff8000'00000000 and up, small negatives excepted)
 *    unless the request held it;
 *  - QUERY replies are consistent: base + region_size does not wrap;
 *  - WATCH_ADD refuses out-of-range attributes and, for an unprivileged
 *    caller, a global watch; its reply holds an id, a known event mask,
 *    1..8 increasing thresholds in 1..100, a hysteresis up to 50; an
 *    unprivileged caller cannot delete, nor see in a dump, a watch it did
 *    not make;
 *  - a page that COMMIT reported committed can be written, and a page that
 *    DECOMMIT freed faults (single-threaded sequences only);
 *  - the program itself never dies of a signal it did not expect.
 * Kernel-side problems (KASAN, lockdep, kmemleak, ...) are caught by the VM
 * runner from the kernel log.
 *
 * Usage: vmctl_fuzz [--seed N] [--iterations N] [--seconds N] [--threads N]
 *                   [--ops ioctl,netlink,seq] [--known-bug NAME] [--verbose]
 * The seed is printed first; the same seed with --threads 1 replays the
 * same operations. Ends with a summary: operations by kind, errors by errno,
 * problems found.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/vmctl.h>

#define PAGE		4096UL
#define MAX_THREADS	16
#define MAX_RESV	32
#define NERRNO		134

/* ---- PRNG: splitmix64, one state per thread ---- */
static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
static uint64_t rn(uint64_t *s, uint64_t n) { return n ? rnd(s) % n : 0; }
#define PICK(s, arr) ((arr)[rn((s), sizeof(arr) / sizeof((arr)[0]))])

/* ---- global state ---- */
static int verbose;
static uint64_t g_seed;
static long g_iterations = 20000;
static long g_seconds = 20;
static int g_threads = 4;
static bool op_ioctl = true, op_netlink = true, op_seq = true;
static struct timespec g_deadline;
static atomic_long g_done;
static atomic_long n_ioctl, n_netlink, n_seq, n_fork, n_nlmsgs, n_ok;
static atomic_long n_errno[NERRNO + 1];
static atomic_long n_problems, n_known;
/*
 * Known module bugs, reported and not yet fixed, that --known-bug NAME
 * counts instead of failing on:
 *  query-wrap: QUERY of an address at or above TASK_SIZE reports it free
 *              with region_size = task_size - addr, which wraps.
 */
static bool allow_query_wrap;
static int g_fd = -1;
static pid_t g_zombie = -1, g_live = -1, g_thread_tid;
static uint64_t g_features;

static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void problem(const char *fmt, ...)
{
	va_list ap;

	atomic_fetch_add(&n_problems, 1);
	if (atomic_load(&n_problems) > 50)
		return;
	va_start(ap, fmt);
	fputs("vmctl_fuzz: PROBLEM: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
	fflush(stdout);
}

static void count_err(int e)
{
	atomic_fetch_add(&n_errno[e > 0 && e < NERRNO ? e : NERRNO], 1);
}

/* Counts a call's outcome: @e 0 is a success, else its errno. Returns @e. */
static int count_result(int e)
{
	if (e)
		count_err(e);
	else
		atomic_fetch_add(&n_ok, 1);
	return e;
}

static bool time_up(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > g_deadline.tv_sec ||
	       (now.tv_sec == g_deadline.tv_sec && now.tv_nsec >= g_deadline.tv_nsec);
}

/* A kernel address: the upper canonical half, but not a small negative. */
static bool kernel_like(uint64_t v)
{
	return v >= 0xffff800000000000ULL && v < 0xffffffffff000000ULL;
}

/*
 * Scans @len bytes of a reply for 8-byte aligned values that look like
 * kernel addresses and are not in @in (the request).
 */
static void scan_reply(const char *what, const void *reply, size_t len,
		       const void *in, size_t in_len)
{
	const unsigned char *p = reply;
	size_t i, j;

	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t v;
		bool echoed = false;

		memcpy(&v, p + i, 8);
		if (!kernel_like(v))
			continue;
		for (j = 0; in && j + 8 <= in_len; j++) {
			uint64_t w;

			memcpy(&w, (const char *)in + j, 8);
			if ((w & ~(PAGE - 1)) == (v & ~(PAGE - 1)) ||
			    w == v) {
				echoed = true;
				break;
			}
		}
		if (!echoed) {
			problem("%s: reply byte %zu holds 0x%016" PRIx64
				", a kernel-looking value", what, i, v);
			return;
		}
	}
}

/* ---- per-thread fault recovery for touching pages ---- */
static __thread sigjmp_buf t_jmp;
static __thread volatile int t_armed;
static __thread volatile int t_signo;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (t_armed) {
		t_signo = sig;
		siglongjmp(t_jmp, 1);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Writes @v at @p; returns 0, or the signal it raised. */
static int try_write(volatile char *p, char v)
{
	t_signo = 0;
	if (sigsetjmp(t_jmp, 1) == 0) {
		t_armed = 1;
		*p = v;
		t_armed = 0;
		return 0;
	}
	t_armed = 0;
	return t_signo;
}

/* ---- reservations shared between threads ---- */
struct resv {
	uintptr_t addr;
	size_t size;
	bool live;
};
static struct resv g_resv[MAX_RESV];
static pthread_mutex_t g_resv_lock = PTHREAD_MUTEX_INITIALIZER;

static void resv_pick(uint64_t *s, uintptr_t *addr, size_t *size)
{
	int i = rn(s, MAX_RESV);

	pthread_mutex_lock(&g_resv_lock);
	*addr = g_resv[i].live ? g_resv[i].addr : 0;
	*size = g_resv[i].live ? g_resv[i].size : 0;
	pthread_mutex_unlock(&g_resv_lock);
}

static void resv_add(uintptr_t addr, size_t size, uint64_t *s)
{
	int i = rn(s, MAX_RESV), n;

	pthread_mutex_lock(&g_resv_lock);
	for (n = 0; n < MAX_RESV && g_resv[i].live; n++)
		i = (i + 1) % MAX_RESV;
	if (n == MAX_RESV) {
		pthread_mutex_unlock(&g_resv_lock);
		munmap((void *)addr, size);
		return;
	}
	g_resv[i] = (struct resv){ addr, size, true };
	pthread_mutex_unlock(&g_resv_lock);
}

/* Forgets (and returns) the reservation holding @addr, if any. */
static bool resv_forget(uintptr_t addr, size_t *size)
{
	bool found = false;
	int i;

	pthread_mutex_lock(&g_resv_lock);
	for (i = 0; i < MAX_RESV; i++) {
		if (g_resv[i].live && g_resv[i].addr == addr) {
			g_resv[i].live = false;
			*size = g_resv[i].size;
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&g_resv_lock);
	return found;
}

/* ---- value generators ---- */
static uint64_t gen_size(uint64_t *s, uint64_t full, uint64_t ver0)
{
	const uint64_t v[] = { 0, 1, 7, 8, ver0, ver0 - 8, full, full + 8,
			       full + 8, PAGE, PAGE + 1, ~0ULL, 1ULL << 32,
			       full, full, full };
	return PICK(s, v);
}

static uint64_t gen_flags(uint64_t *s)
{
	switch (rn(s, 5)) {
	case 0: return 0;
	case 1: return 1ULL << rn(s, 64);
	case 2: return ~0ULL;
	case 3: return 1;
	default: return rnd(s);
	}
}

static int32_t gen_pid(uint64_t *s)
{
	switch (rn(s, 12)) {
	case 0: return -1;
	case 1: case 2: return 0;
	case 3: return getpid();
	case 4: return 1;
	case 5: return 2;
	case 6: return g_thread_tid;
	case 7: return g_live;
	case 8: return g_zombie;
	case 9: return INT32_MAX;
	case 10: return INT32_MIN;
	default: return (int32_t)rn(s, 4096);
	}
}

/*
 * Four writable pages of our own that are no reservation, followed by four
 * PROT_NONE ones (set up in main()): ioctls that take an output buffer may
 * write there, and fail with EFAULT past it. (It was &g_seed, which a
 * GET_VMAS names buffer then overwrote with a path, and the globals after
 * it with whatever else fitted.)
 */
static char *g_scratch;

static uint64_t gen_addr(uint64_t *s)
{
	uintptr_t a;
	size_t sz;

	switch (rn(s, 14)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return PAGE - 1;
	case 3: return 0xffff888000000000ULL;
	case 4: return 0xffffffff81000000ULL;
	case 5: return ~0ULL & ~(PAGE - 1);
	case 6: return 0x00007ffffffff000ULL;
	case 7: return 0x0000800000000000ULL;
	case 8: return (uintptr_t)g_scratch;	/* ours, writable, no reservation */
	default:
		resv_pick(s, &a, &sz);
		if (!a)
			return rnd(s) & 0x00007ffffffff000ULL;
		switch (rn(s, 4)) {
		case 0: return a;
		case 1: return a + rn(s, sz / PAGE + 2) * PAGE;
		case 2: return a + rn(s, sz + PAGE);
		default: return a - PAGE;
		}
	}
}

static uint64_t gen_len(uint64_t *s)
{
	switch (rn(s, 9)) {
	case 0: return 0;
	case 1: return PAGE;
	case 2: return 1;
	case 3: return PAGE + 1;
	case 4: return ~0ULL & ~(PAGE - 1);
	case 5: return 1ULL << 47;
	case 6: return (1 + rn(s, 64)) * PAGE;
	default: return (1 + rn(s, 8)) * PAGE;
	}
}

/*
 * Argument memory: a page whose next page is PROT_NONE, and a read-only
 * page, per thread. The struct is placed so that the guard page follows
 * it closely when asked to.
 */
struct arena {
	char *page;		/* rw page, followed by a PROT_NONE page */
	char *ro;		/* read-only page */
	char *vmas;		/* record buffer, 16 pages + guard */
	char *names;		/* names buffer, 4 pages + guard */
};

static int arena_init(struct arena *a)
{
	char *m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return -1;
	mprotect(m + PAGE, PAGE, PROT_NONE);
	a->page = m;
	a->ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	a->vmas = mmap(NULL, 17 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	a->names = mmap(NULL, 5 * PAGE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a->ro == MAP_FAILED || a->vmas == MAP_FAILED || a->names == MAP_FAILED)
		return -1;
	mprotect(a->vmas + 16 * PAGE, PAGE, PROT_NONE);
	mprotect(a->names + 4 * PAGE, PAGE, PROT_NONE);
	return 0;
}

#define CANARY 0xa5

static bool canary_ok(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)p[i] != CANARY)
			return false;
	return true;
}

/* ---- ioctl fuzzing ---- */
struct ioc_desc {
	const char *name;
	unsigned long cmd;
	size_t full, ver0;
};

static const struct ioc_desc iocs[] = {
	{ "API", VMCTL_IOC_API, sizeof(struct vmctl_api), sizeof(struct vmctl_api) },
	{ "GET_STATS", VMCTL_IOC_GET_STATS, sizeof(struct vmctl_stats),
	  sizeof(struct vmctl_stats) },
	{ "GET_VMAS", VMCTL_IOC_GET_VMAS, sizeof(struct vmctl_vmas),
	  sizeof(struct vmctl_vmas) },
	{ "TRACK", VMCTL_IOC_TRACK, sizeof(struct vmctl_track), sizeof(struct vmctl_track) },
	{ "UNTRACK", VMCTL_IOC_UNTRACK, sizeof(struct vmctl_track),
	  sizeof(struct vmctl_track) },
	{ "GET_FAULTS", VMCTL_IOC_GET_FAULTS, sizeof(struct vmctl_faults),
	  sizeof(struct vmctl_faults) },
	{ "GET_FAULT_VMAS", VMCTL_IOC_GET_FAULT_VMAS, sizeof(struct vmctl_fault_vmas),
	  sizeof(struct vmctl_fault_vmas) },
	{ "COMMIT", VMCTL_IOC_COMMIT, sizeof(struct vmctl_range), sizeof(struct vmctl_range) },
	{ "DECOMMIT", VMCTL_IOC_DECOMMIT, sizeof(struct vmctl_range),
	  sizeof(struct vmctl_range) },
	{ "RESET", VMCTL_IOC_RESET, sizeof(struct vmctl_range), sizeof(struct vmctl_range) },
	{ "RELEASE", VMCTL_IOC_RELEASE, sizeof(struct vmctl_range), sizeof(struct vmctl_range) },
	{ "QUERY", VMCTL_IOC_QUERY, sizeof(struct vmctl_query), sizeof(struct vmctl_query) },
	{ "SET_COMMIT_LIMIT", VMCTL_IOC_SET_COMMIT_LIMIT, sizeof(struct vmctl_commit_limit),
	  sizeof(struct vmctl_commit_limit) },
};
#define NIOCS (sizeof(iocs) / sizeof(iocs[0]))

/* Fills the fields after "size" of the argument at @b for ioctl @d. */
static void fill_fields(uint64_t *s, const struct ioc_desc *d, char *b,
			struct arena *a, size_t *vmas_room, size_t *names_room)
{
	uint64_t *w = (uint64_t *)b;
	size_t i;

	/* Start from plausible values, then mutate some fields. */
	w[1] = rn(s, 3) ? 0 : gen_flags(s);
	switch (d->cmd) {
	case VMCTL_IOC_GET_STATS: case VMCTL_IOC_TRACK: case VMCTL_IOC_UNTRACK:
	case VMCTL_IOC_GET_FAULTS: case VMCTL_IOC_SET_COMMIT_LIMIT:
	case VMCTL_IOC_GET_FAULT_VMAS: case VMCTL_IOC_GET_VMAS:
		((int32_t *)b)[4] = gen_pid(s);
		((uint32_t *)b)[5] = rn(s, 4) ? 0 : (uint32_t)rnd(s);
		break;
	case VMCTL_IOC_QUERY:
		((int32_t *)b)[4] = gen_pid(s);
		((uint32_t *)b)[5] = rn(s, 4) ? 0 : (uint32_t)rnd(s);
		w[3] = gen_addr(s);
		break;
	case VMCTL_IOC_COMMIT: case VMCTL_IOC_DECOMMIT: case VMCTL_IOC_RESET:
	case VMCTL_IOC_RELEASE:
		if (rn(s, 3))
			w[1] = d->cmd == VMCTL_IOC_COMMIT && rn(s, 2) ?
			       VMCTL_COMMIT_POPULATE : 0;
		w[2] = gen_addr(s);
		w[3] = d->cmd == VMCTL_IOC_RELEASE && rn(s, 2) ? 0 : gen_len(s);
		break;
	}
	if (d->cmd == VMCTL_IOC_SET_COMMIT_LIMIT) {
		const uint64_t lim[] = { 0, 1, PAGE, 1ULL << 30, ~0ULL, ~0ULL - PAGE + 2 };

		w[3] = PICK(s, lim);
	}
	if (d->cmd == VMCTL_IOC_GET_VMAS || d->cmd == VMCTL_IOC_GET_FAULT_VMAS) {
		struct vmctl_vmas *v = (void *)b;
		struct vmctl_fault_vmas *f = (void *)b;
		const uint32_t vsz[] = { 0, 8, 56, 63, 64, 72, sizeof(struct vmctl_vma),
					 sizeof(struct vmctl_fault_vma), 128, PAGE, PAGE + 8,
					 UINT32_MAX, sizeof(struct vmctl_vma) };
		const uint32_t cnt[] = { 0, 1, 2, 3, 16, 1024, 1025, UINT32_MAX, 64 };
		const uint32_t nsz[] = { 0, 1, 2, 16, PAGE, 4 * PAGE, 4 * PAGE + 1,
					 UINT32_MAX, 100 };
		uint32_t vma_size = PICK(s, vsz), vma_count = PICK(s, cnt);
		uint32_t names_size = PICK(s, nsz);
		uint64_t vaddr, naddr;

		/* The record buffer ends at the guard page. */
		if (vma_size && vma_count && (uint64_t)vma_size * vma_count <= 16 * PAGE) {
			*vmas_room = (size_t)vma_size * vma_count;
			vaddr = (uintptr_t)a->vmas + 16 * PAGE - *vmas_room;
		} else {
			*vmas_room = 0;
			vaddr = (uintptr_t)a->vmas;
		}
		if (names_size && names_size <= 4 * PAGE) {
			*names_room = names_size;
			naddr = (uintptr_t)a->names + 4 * PAGE - names_size;
		} else {
			*names_room = 0;
			naddr = (uintptr_t)a->names;
		}
		switch (rn(s, 8)) {
		case 0: vaddr = 0; break;
		case 1: vaddr = gen_addr(s); break;
		case 2: vaddr = (uintptr_t)a->ro; break;
		}
		switch (rn(s, 8)) {
		case 0: naddr = 0; break;
		case 1: naddr = gen_addr(s); break;
		case 2: naddr = (uintptr_t)a->ro; break;
		}
		if (d->cmd == VMCTL_IOC_GET_VMAS) {
			v->addr = rn(s, 3) ? 0 : gen_addr(s);
			v->vmas_addr = vaddr;
			v->vma_size = vma_size;
			v->vma_count = vma_count;
			v->names_addr = naddr;
			v->names_size = names_size;
			v->out_flags = rn(s, 6) ? 0 : (uint32_t)rnd(s);
			v->next_addr = rn(s, 6) ? 0 : rnd(s);
		} else {
			f->vmas_addr = vaddr;
			f->vma_size = vma_size;
			f->vma_count = vma_count;
			f->names_addr = naddr;
			f->names_size = names_size;
			f->total = rn(s, 6) ? 0 : (uint32_t)rnd(s);
		}
	}
	/* Sometimes: garbage in one random word of the struct. */
	if (!rn(s, 6) && d->full > 8) {
		i = 1 + rn(s, d->full / 8 - 1);
		w[i] = rnd(s);
	}
}

static void fuzz_ioctl(uint64_t *s, struct arena *a)
{
	const struct ioc_desc *d = &iocs[rn(s, NIOCS)];
	unsigned long cmd = d->cmd;
	size_t vmas_room = 0, names_room = 0, place, room;
	uint64_t size = gen_size(s, d->full, d->ver0);
	char in[PAGE], *b;
	int ret;

	/* Unknown or mis-encoded command numbers now and then. */
	switch (rn(s, 16)) {
	case 0: cmd = _IOC(_IOC_DIR(cmd), VMCTL_IOC_MAGIC, rn(s, 256), _IOC_SIZE(cmd)); break;
	case 1: cmd = _IOC(rn(s, 4), VMCTL_IOC_MAGIC, _IOC_NR(cmd), rn(s, 1 << 14)); break;
	case 2: cmd = (unsigned long)rnd(s); break;
	}

	/*
	 * The struct lies at the end of the rw page when it is small enough,
	 * so the kernel's reads past "size" hit the guard page; otherwise at
	 * its start, followed by canary bytes.
	 */
	room = size < PAGE ? (size_t)size : PAGE;
	if (room < d->full)
		room = d->full < PAGE ? d->full : PAGE;
	place = rn(s, 2) ? PAGE - room : 0;
	b = a->page + place;
	memset(a->page, CANARY, PAGE);
	memset(b, 0, room);
	if (room >= 8)
		memcpy(b, &size, 8);
	if (room >= d->full)
		fill_fields(s, d, b, a, &vmas_room, &names_room);
	if (size > d->full && size < PAGE && rn(s, 2))
		b[d->full + rn(s, size - d->full)] = 1;	/* non-zero tail */
	memset(a->vmas, CANARY, 16 * PAGE);
	memset(a->names, CANARY, 4 * PAGE);
	memcpy(in, a->page, PAGE);

	switch (rn(s, 20)) {
	case 0: b = NULL; break;
	case 1: b = (char *)0xffff888000000000ULL; break;
	case 2: b = a->ro; break;
	case 3: b = a->page + PAGE - 4; break;
	}

	atomic_fetch_add(&n_ioctl, 1);
	ret = ioctl(g_fd, cmd, b);
	count_result(ret < 0 ? errno : 0);
	if (b != a->page + place)
		goto cleanup;

	/* Nothing may be written beyond min(size, struct) of the argument. */
	{
		size_t w = size < d->full ? (size_t)size : d->full;

		if (cmd == d->cmd && !canary_ok(a->page, place))
			problem("%s: bytes before the argument changed", d->name);
		if (cmd == d->cmd && place + room < PAGE &&
		    !canary_ok(a->page + place + room, PAGE - place - room))
			problem("%s: bytes after the argument (size %" PRIu64 ") changed",
				d->name, size);
		if (cmd == d->cmd && ret == 0 && w < room &&
		    memcmp(b + w, in + place + w, room - w))
			problem("%s: kernel wrote past size %" PRIu64, d->name, size);
		if (ret == 0)
			scan_reply(d->name, b, w, in + place, room);
	}
	if (ret == 0 && cmd == d->cmd && d->cmd == VMCTL_IOC_QUERY && size >= d->full) {
		struct vmctl_query *q = (void *)b;

		if (q->base + q->region_size < q->base && allow_query_wrap)
			atomic_fetch_add(&n_known, 1);
		else if (q->base + q->region_size < q->base)
			problem("QUERY addr 0x%" PRIx64 ": base 0x%" PRIx64
				" + region_size 0x%" PRIx64 " wraps",
				(uint64_t)q->addr, (uint64_t)q->base,
				(uint64_t)q->region_size);
		if (q->state > VMCTL_STATE_COMMITTED)
			problem("QUERY: unknown state %u", q->state);
	}
	if (ret == 0 && cmd == d->cmd && vmas_room) {
		if (!canary_ok(a->vmas, 16 * PAGE - vmas_room))
			problem("%s: kernel wrote before the records", d->name);
		scan_reply(d->name, a->vmas + 16 * PAGE - vmas_room, vmas_room,
			   in, PAGE);
	}
	if (ret == 0 && cmd == d->cmd && names_room &&
	    !canary_ok(a->names, 4 * PAGE - names_room))
		problem("%s: kernel wrote before the names", d->name);
cleanup:
	/* A TRACK that worked would pile up: undo it. */
	if (ret == 0 && cmd == VMCTL_IOC_TRACK && size >= 8) {
		struct vmctl_track t = { .size = sizeof(t),
					 .pid = ((int32_t *)in)[place / 4 + 4] };
		ioctl(g_fd, VMCTL_IOC_UNTRACK, &t);
	}
	/* And limits: take off any limit the fuzzer set on itself. */
	if (ret == 0 && cmd == VMCTL_IOC_SET_COMMIT_LIMIT) {
		struct vmctl_commit_limit l = { .size = sizeof(l) };

		ioctl(g_fd, VMCTL_IOC_SET_COMMIT_LIMIT, &l);
	}
}

/* ---- netlink fuzzing ---- */

/* Scans the attribute payloads (nested ones too) of one genl message. */
static void scan_attrs(const char *p, int len, const void *in, size_t in_len, int depth)
{
	const struct nlattr *na = (const void *)p;

	while (len >= (int)NLA_HDRLEN && na->nla_len >= NLA_HDRLEN &&
	       na->nla_len <= len) {
		const char *pl = (const char *)na + NLA_HDRLEN;
		int plen = na->nla_len - NLA_HDRLEN;

		if ((na->nla_type & NLA_F_NESTED) && depth < 4)
			scan_attrs(pl, plen, in, in_len, depth + 1);
		else if (plen >= 8)
			scan_reply("netlink attribute", pl, plen & ~7, in, in_len);
		len -= NLA_ALIGN(na->nla_len);
		na = (const void *)((const char *)na + NLA_ALIGN(na->nla_len));
	}
}

/* Error messages echo the request and carry strings: not scanned. */
static void scan_nl(const char *reply, int len, const void *in, size_t in_len)
{
	const struct nlmsghdr *h = (const void *)reply;

	for (; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
		if (h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_DONE ||
		    h->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
			continue;
		scan_attrs((const char *)NLMSG_DATA(h) + GENL_HDRLEN,
			   h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), in, in_len, 0);
	}
}
static int nl_family(int sk)
{
	struct {
		struct nlmsghdr n;
		struct genlmsghdr g;
		char buf[64];
	} req = { 0 };
	char reply[4096];
	struct nlattr *na;
	int len;

	req.n.nlmsg_type = GENL_ID_CTRL;
	req.n.nlmsg_flags = NLM_F_REQUEST;
	req.g.cmd = CTRL_CMD_GETFAMILY;
	req.g.version = 1;
	na = (struct nlattr *)req.buf;
	na->nla_type = CTRL_ATTR_FAMILY_NAME;
	na->nla_len = NLA_HDRLEN + sizeof(VMCTL_FAMILY_NAME);
	memcpy((char *)na + NLA_HDRLEN, VMCTL_FAMILY_NAME, sizeof(VMCTL_FAMILY_NAME));
	req.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + NLA_ALIGN(na->nla_len);
	if (send(sk, &req, req.n.nlmsg_len, 0) < 0)
		return -1;
	len = recv(sk, reply, sizeof(reply), 0);
	if (len < (int)NLMSG_LENGTH(GENL_HDRLEN))
		return -1;
	{
		struct nlmsghdr *n = (void *)reply;
		int alen = n->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

		if (n->nlmsg_type == NLMSG_ERROR)
			return -1;
		na = (struct nlattr *)((char *)NLMSG_DATA(n) + GENL_HDRLEN);
		while (alen >= (int)NLA_HDRLEN && na->nla_len >= NLA_HDRLEN) {
			if ((na->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID)
				return *(uint16_t *)((char *)na + NLA_HDRLEN);
			alen -= NLA_ALIGN(na->nla_len);
			na = (struct nlattr *)((char *)na + NLA_ALIGN(na->nla_len));
		}
	}
	return -1;
}

static int nl_open(void)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	int sk = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);

	if (sk < 0)
		return -1;
	setsockopt(sk, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return sk;
}

/* Appends a random attribute at @p (room @room); returns its aligned size. */
static size_t gen_attr(uint64_t *s, char *p, size_t room, int depth)
{
	struct nlattr *na = (void *)p;
	size_t plen, i;
	const uint16_t types[] = { 0, 1, 2, 3, 4, 5, 10, 24, 25, 26, 30, 0x3fff };
	const size_t lens[] = { 0, 1, 2, 3, 4, 7, 8, 12, 16, 64, 300 };

	if (room < NLA_HDRLEN + 8)
		return 0;
	plen = PICK(s, lens);
	if (plen > room - NLA_HDRLEN)
		plen = room - NLA_HDRLEN;
	na->nla_type = PICK(s, types);
	if (!rn(s, 6))
		na->nla_type |= NLA_F_NESTED;
	if (!rn(s, 12))
		na->nla_type |= NLA_F_NET_BYTEORDER;
	if (na->nla_type & NLA_F_NESTED && depth < 3 && plen >= NLA_HDRLEN + 8) {
		size_t used = 0, n = 1 + rn(s, 3);

		while (n-- && used < plen)
			used += gen_attr(s, p + NLA_HDRLEN + used, plen - used, depth + 1);
		plen = used;
	} else {
		const uint32_t pids[] = { 0, 1, 2, (uint32_t)getpid(), 0x7fffffff,
					  0xffffffff, 0x80000000 };
		uint32_t pid = PICK(s, pids);

		for (i = 0; i < plen; i++)
			p[NLA_HDRLEN + i] = (char)rnd(s);
		if (plen >= 4 && rn(s, 2))
			memcpy(p + NLA_HDRLEN, &pid, 4);
	}
	na->nla_len = NLA_HDRLEN + plen;
	switch (rn(s, 16)) {
	case 0: na->nla_len = 0; break;
	case 1: na->nla_len = 3; break;
	case 2: na->nla_len = 0xffff; break;
	case 3: na->nla_len += 1 + rn(s, 8); break;
	}
	return NLA_ALIGN(NLA_HDRLEN + plen);
}

static void fuzz_netlink(uint64_t *s, int *skp, int family)
{
	static const uint16_t nlflags[] = {
		NLM_F_REQUEST, NLM_F_REQUEST | NLM_F_ACK, NLM_F_REQUEST | NLM_F_DUMP,
		NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ACK, 0, NLM_F_REQUEST | NLM_F_ECHO,
		NLM_F_REQUEST | NLM_F_MULTI, 0xffff, NLM_F_REQUEST | NLM_F_DUMP,
	};
	char msg[1024], reply[16384];
	struct nlmsghdr *n = (void *)msg;
	struct genlmsghdr *g = NLMSG_DATA(n);
	size_t len, nattr, i;
	int sk = *skp, r, k;

	memset(msg, 0, sizeof(msg));
	n->nlmsg_type = rn(s, 20) ? family : (uint16_t)rnd(s);
	n->nlmsg_flags = PICK(s, nlflags);
	n->nlmsg_seq = (uint32_t)rnd(s);
	g->cmd = rn(s, 8) ? 1 + rn(s, VMCTL_CMD_MAX) : (uint8_t)rnd(s);
	g->version = rn(s, 8) ? VMCTL_FAMILY_VERSION : (uint8_t)rnd(s);
	g->reserved = rn(s, 8) ? 0 : (uint16_t)rnd(s);
	len = NLMSG_LENGTH(GENL_HDRLEN);
	nattr = rn(s, 4);
	for (i = 0; i < nattr; i++)
		len += gen_attr(s, msg + len, sizeof(msg) - len, 0);
	n->nlmsg_len = len;
	switch (rn(s, 16)) {
	case 0: n->nlmsg_len = rn(s, NLMSG_HDRLEN + 1); break;
	case 1: n->nlmsg_len = len + 1 + rn(s, 64); break;
	case 2: n->nlmsg_len = NLMSG_HDRLEN + 2; len = n->nlmsg_len; break;
	}

	atomic_fetch_add(&n_netlink, 1);
	if (send(sk, msg, len, 0) < 0) {
		count_err(errno);
		return;
	}
	/* Read replies; sometimes abandon a dump by closing the socket. */
	for (k = 0; k < 64; k++) {
		if ((n->nlmsg_flags & NLM_F_DUMP) && k == 1 && !rn(s, 4)) {
			close(sk);
			*skp = nl_open();
			return;
		}
		r = recv(sk, reply, sizeof(reply), 0);
		if (r <= 0)
			break;
		atomic_fetch_add(&n_nlmsgs, 1);
		{
			struct nlmsghdr *h = (void *)reply;
			bool done = false;
			int left = r;

			for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
				if (h->nlmsg_type == NLMSG_ERROR) {
					struct nlmsgerr *er = NLMSG_DATA(h);

					count_result(-er->error);
					done = true;
				} else if (h->nlmsg_type == NLMSG_DONE) {
					atomic_fetch_add(&n_ok, 1);
					done = true;
				}
			}
			scan_nl(reply, r, msg, len);
			if (done && !(n->nlmsg_flags & NLM_F_ACK && k == 0 &&
				      (n->nlmsg_flags & NLM_F_DUMP)))
				break;
		}
	}
}

/* ---- watches: structured WATCH_ADD / WATCH_DEL / WATCH_GET ---- */

#define MAX_WATCH_IDS	192
#define OWN_IDS		65536

static pthread_mutex_t g_watch_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t g_watch_ids[MAX_WATCH_IDS];	/* live ones we made, for DEL */
static int g_nwatch_ids;
static unsigned char g_own_ids[OWN_IDS / 8];	/* every id WATCH_ADD gave us */
/* Ids an unprivileged caller deleted or saw in a dump, not (yet) known ours. */
static uint32_t g_foreign[64];
static int g_nforeign;
static bool g_watch_uncertain;			/* an ADD reply went unread */
static bool g_admin;				/* root: CAP_SYS_ADMIN */
static atomic_long n_watch_add, n_watch_add_ok, n_watch_del_ok, n_watch_dumped;

static bool own_id(uint32_t id)
{
	return id < OWN_IDS && (g_own_ids[id / 8] & (1 << (id % 8)));
}

static size_t put_attr(char *p, size_t room, uint16_t type, const void *data, size_t len)
{
	struct nlattr *na = (void *)p;

	if (room < NLA_ALIGN(NLA_HDRLEN + len))
		return 0;
	na->nla_type = type;
	na->nla_len = NLA_HDRLEN + len;
	memcpy(p + NLA_HDRLEN, data, len);
	memset(p + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	return NLA_ALIGN(NLA_HDRLEN + len);
}

/* A u32 attribute, now and then with the wrong length. */
static size_t put_u32ish(uint64_t *s, char *p, size_t room, uint16_t type, uint32_t v,
			 bool *invalid_len)
{
	static const size_t lens[] = { 4, 4, 4, 4, 4, 4, 0, 2, 8 };
	uint64_t buf = v;
	size_t len = PICK(s, lens);

	if (len != 4)
		*invalid_len = true;
	return put_attr(p, room, type, &buf, len);
}

struct watch_reply {
	uint32_t id, pid, events, hysteresis, nthr, thr[16];
	bool has_id, has_pid;
};

static void parse_watch(const struct nlmsghdr *h, struct watch_reply *w)
{
	const struct nlattr *na = (const void *)((const char *)NLMSG_DATA(h) + GENL_HDRLEN);
	int len = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

	memset(w, 0, sizeof(*w));
	for (; len >= (int)NLA_HDRLEN && na->nla_len >= NLA_HDRLEN && na->nla_len <= len;
	     len -= NLA_ALIGN(na->nla_len),
	     na = (const void *)((const char *)na + NLA_ALIGN(na->nla_len))) {
		uint32_t v;

		if (na->nla_len < NLA_HDRLEN + 4)
			continue;
		memcpy(&v, (const char *)na + NLA_HDRLEN, 4);
		switch (na->nla_type & NLA_TYPE_MASK) {
		case VMCTL_A_WATCH_ID: w->id = v; w->has_id = true; break;
		case VMCTL_A_WATCH_PID: w->pid = v; w->has_pid = true; break;
		case VMCTL_A_WATCH_EVENTS: w->events = v; break;
		case VMCTL_A_WATCH_HYSTERESIS: w->hysteresis = v; break;
		case VMCTL_A_WATCH_THRESHOLD:
			if (w->nthr < 16)
				w->thr[w->nthr] = v;
			w->nthr++;
			break;
		}
	}
}

/* What a WATCH_ADD reply must look like, whatever the request was. */
static void check_added(const struct watch_reply *w, bool invalid, bool global_req)
{
	uint32_t i;

	if (!w->has_id || !w->id)
		problem("WATCH_ADD reply without a watch id");
	if (invalid)
		problem("WATCH_ADD accepted out-of-range attributes (watch %u)", w->id);
	if (global_req && !g_admin)
		problem("WATCH_ADD made a global watch for an unprivileged caller (watch %u)",
			w->id);
	if (!w->events || (w->events & ~VMCTL_EVENT_ALL))
		problem("WATCH_ADD reply: events %#x", w->events);
	if (w->hysteresis > 50)
		problem("WATCH_ADD reply: hysteresis %u", w->hysteresis);
	if (!w->nthr || w->nthr > VMCTL_WATCH_THRESHOLDS_MAX)
		problem("WATCH_ADD reply: %u thresholds", w->nthr);
	for (i = 0; i < w->nthr && i < 16; i++)
		if (!w->thr[i] || w->thr[i] > 100 || (i && w->thr[i] <= w->thr[i - 1]))
			problem("WATCH_ADD reply: thresholds not increasing in 1..100");
}

static void fuzz_watch(uint64_t *s, int *skp, int family)
{
	static const uint32_t thr_vals[] = { 0, 1, 2, 50, 80, 95, 99, 100, 101, 0xffffffff };
	static const uint32_t ev_vals[] = {
		VMCTL_EVENT_ALL, VMCTL_EVENT_MAP_COUNT_THRESHOLD, VMCTL_EVENT_MAP_COUNT_EXHAUSTED,
		VMCTL_EVENT_COMMIT_REFUSED, VMCTL_EVENT_FAULT_RATE, VMCTL_EVENT_PROCESS_EXIT,
		VMCTL_EVENT_MAP_COUNT_THRESHOLD | VMCTL_EVENT_COMMIT_REFUSED,
		0, VMCTL_EVENT_ALL + 1, 0xffffffff,
	};
	static const uint32_t hyst_vals[] = { 0, 5, 50, 51, 0xffffffff };
	static const uint64_t rate_vals[] = { 0, 1, 1000, UINT64_MAX };
	char msg[1024], reply[16384];
	struct nlmsghdr *n = (void *)msg;
	struct genlmsghdr *g = NLMSG_DATA(n);
	bool invalid = false, badlen = false, global = false, dump = false;
	uint32_t del_id = 0, seq;
	int sk = *skp, op = rn(s, 8), k, r;
	size_t len;

	memset(msg, 0, sizeof(msg));
	n->nlmsg_type = family;
	n->nlmsg_flags = NLM_F_REQUEST | (rn(s, 2) ? NLM_F_ACK : 0);
	seq = (uint32_t)rnd(s);
	n->nlmsg_seq = seq;
	g->version = VMCTL_FAMILY_VERSION;
	len = NLMSG_LENGTH(GENL_HDRLEN);

	pthread_mutex_lock(&g_watch_lock);
	if (op < 4 && g_nwatch_ids >= MAX_WATCH_IDS / 2)
		op = 4;		/* delete some before making more */
	if (op >= 4 && op < 6 && g_nwatch_ids && rn(s, 3)) {
		int i = (int)rn(s, g_nwatch_ids);

		del_id = g_watch_ids[i];
		g_watch_ids[i] = g_watch_ids[--g_nwatch_ids];
	}
	pthread_mutex_unlock(&g_watch_lock);

	if (op < 4) {
		uint32_t nthr = rn(s, 4) ? (uint32_t)rn(s, 4) : (uint32_t)rn(s, 12), i, distinct = 0;
		uint32_t seen[16] = { 0 }, events = VMCTL_EVENT_ALL;
		bool has_events = false, has_rate = false;

		g->cmd = VMCTL_CMD_WATCH_ADD;
		global = !rn(s, 4);
		if (!global) {
			int32_t pid = rn(s, 3) ? getpid() : gen_pid(s);

			if (pid < 0)
				invalid = true;	/* out of the policy's range */
			len += put_u32ish(s, msg + len, sizeof(msg) - len, VMCTL_A_WATCH_PID,
					  (uint32_t)pid, &badlen);
		}
		if (rn(s, 2)) {
			has_events = true;
			events = PICK(s, ev_vals);
			if (!events || (events & ~VMCTL_EVENT_ALL))
				invalid = true;
			len += put_u32ish(s, msg + len, sizeof(msg) - len, VMCTL_A_WATCH_EVENTS,
					  events, &badlen);
		}
		for (i = 0; i < nthr; i++) {
			uint32_t v = rn(s, 3) ? PICK(s, thr_vals) : (uint32_t)rn(s, 102), j;

			if (!v || v > 100)
				invalid = true;
			for (j = 0; j < distinct && seen[j] != v; j++)
				;
			if (j == distinct && distinct < 16)
				seen[distinct++] = v;
			len += put_u32ish(s, msg + len, sizeof(msg) - len,
					  VMCTL_A_WATCH_THRESHOLD, v, &badlen);
		}
		if (distinct > VMCTL_WATCH_THRESHOLDS_MAX)
			invalid = true;
		if (!rn(s, 3)) {
			uint32_t v = PICK(s, hyst_vals);

			if (v > 50)
				invalid = true;
			len += put_u32ish(s, msg + len, sizeof(msg) - len,
					  VMCTL_A_WATCH_HYSTERESIS, v, &badlen);
		}
		if (!rn(s, 3)) {
			uint64_t v = PICK(s, rate_vals);
			size_t l = rn(s, 6) ? 8 : 4;

			has_rate = true;
			if (l != 8)
				badlen = true;
			len += put_attr(msg + len, sizeof(msg) - len, VMCTL_A_WATCH_FAULT_RATE,
					&v, l);
		}
		/* Global watches cannot have per-process events or a fault rate. */
		if (global && (has_rate || (has_events &&
					    (events & (VMCTL_EVENT_FAULT_RATE |
						       VMCTL_EVENT_PROCESS_EXIT)))))
			invalid = true;
		if (!rn(s, 8)) {
			/* Reply-only or unknown attributes, or plain garbage. */
			static const uint16_t types[] = {
				VMCTL_A_WATCH_ID, VMCTL_A_WATCH_COMM, VMCTL_A_WATCH_EVENTS_SENT,
				VMCTL_A_WATCH_EVENTS_DROPPED, VMCTL_A_WATCH_MAX + 1, 0x3fff,
			};
			uint64_t v = rnd(s);

			if (rn(s, 2))
				len += put_attr(msg + len, sizeof(msg) - len, PICK(s, types), &v,
						rn(s, 9));
			else
				len += gen_attr(s, msg + len, sizeof(msg) - len, 0);
			badlen = true;	/* whether the kernel takes it is its policy */
		}
		atomic_fetch_add(&n_watch_add, 1);
	} else if (op < 6) {
		static const uint32_t ids[] = { 0, 1, 2, 3, 100, 1023, 1024, 0x7fffffff, 0xffffffff };

		g->cmd = VMCTL_CMD_WATCH_DEL;
		n->nlmsg_flags |= NLM_F_ACK;	/* a success says nothing otherwise */
		if (!del_id)
			del_id = rn(s, 2) ? PICK(s, ids) : (uint32_t)rn(s, 2048);
		if (rn(s, 10))
			len += put_u32ish(s, msg + len, sizeof(msg) - len, VMCTL_A_WATCH_ID,
					  del_id, &badlen);
		else
			badlen = true;	/* no id at all */
	} else {
		g->cmd = VMCTL_CMD_WATCH_GET;
		n->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		dump = true;
		if (!rn(s, 6))
			len += gen_attr(s, msg + len, sizeof(msg) - len, 0);
	}
	n->nlmsg_len = len;

	atomic_fetch_add(&n_netlink, 1);
	if (send(sk, msg, len, 0) < 0) {
		count_err(errno);
		return;
	}
	/* Replies can be slow (a first watch registers tracepoints): wait. */
	for (k = 0; k < 200; k++) {
		struct nlmsghdr *h = (void *)reply;
		bool done = false;
		int left;

		if (dump && k == 1 && !rn(s, 8)) {
			close(sk);	/* a dump abandoned half-way */
			*skp = nl_open();
			return;
		}
		r = recv(sk, reply, sizeof(reply), 0);
		if (r < 0 && errno == EAGAIN && k < 50 && !time_up())
			continue;
		if (r <= 0)
			break;
		atomic_fetch_add(&n_nlmsgs, 1);
		scan_nl(reply, r, msg, len);
		for (left = r; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			struct watch_reply w;

			if (h->nlmsg_seq != seq)
				continue;	/* a late reply to an earlier request */
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *er = NLMSG_DATA(h);

				count_result(-er->error);
				if (!er->error && g->cmd == VMCTL_CMD_WATCH_DEL) {
					atomic_fetch_add(&n_watch_del_ok, 1);
					/* At the end: our ADD of it may be in flight. */
					pthread_mutex_lock(&g_watch_lock);
					if (!g_admin && !own_id(del_id) && g_nforeign < 64)
						g_foreign[g_nforeign++] = del_id;
					pthread_mutex_unlock(&g_watch_lock);
				}
				done = true;
				continue;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				atomic_fetch_add(&n_ok, 1);
				done = true;
				continue;
			}
			if (h->nlmsg_type != family ||
			    h->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
				continue;
			parse_watch(h, &w);
			if (g->cmd == VMCTL_CMD_WATCH_ADD) {
				check_added(&w, invalid && !badlen, global);
				atomic_fetch_add(&n_watch_add_ok, 1);
				pthread_mutex_lock(&g_watch_lock);
				if (w.id < OWN_IDS)
					g_own_ids[w.id / 8] |= 1 << (w.id % 8);
				if (g_nwatch_ids < MAX_WATCH_IDS)
					g_watch_ids[g_nwatch_ids++] = w.id;
				pthread_mutex_unlock(&g_watch_lock);
				if (!(n->nlmsg_flags & NLM_F_ACK))
					done = true;
			} else if (g->cmd == VMCTL_CMD_WATCH_GET) {
				atomic_fetch_add(&n_watch_dumped, 1);
				pthread_mutex_lock(&g_watch_lock);
				/* Checked at the end: its ADD reply may not be read yet. */
				if (!g_admin && !own_id(w.id) && g_nforeign < 64)
					g_foreign[g_nforeign++] = w.id;
				pthread_mutex_unlock(&g_watch_lock);
			}
		}
		if (done)
			break;
	}
	if (g->cmd == VMCTL_CMD_WATCH_ADD && k == 200)
		g_watch_uncertain = true;
}

/*
 * After every thread is done: an unprivileged caller deleted and saw in
 * dumps only watches it made.
 */
static void watch_final_checks(void)
{
	int i;

	if (g_watch_uncertain)
		return;
	for (i = 0; i < g_nforeign; i++)
		if (!own_id(g_foreign[i]))
			problem("an unprivileged caller deleted or was shown watch %u, "
				"which it did not make", g_foreign[i]);
}

/* ---- sequences ---- */
static void *thread_exit_fn(void *arg)
{
	uint64_t *s = arg;
	void *p;
	struct vmctl_range r = { .size = sizeof(r) };

	/* Reserve, commit, touch, and leave without cleaning up. */
	p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, g_fd, 0);
	if (p != MAP_FAILED) {
		r.addr = (uintptr_t)p;
		r.len = (1 + rn(s, 4)) * PAGE;
		if (!ioctl(g_fd, VMCTL_IOC_COMMIT, &r))
			try_write(p, 1);
		resv_add((uintptr_t)p, 4 * PAGE, s);
	}
	return NULL;
}

static void seq_step(uint64_t *s, struct arena *a, bool single);

static void fuzz_fork(uint64_t *s, struct arena *a)
{
	pid_t pid;
	int st;

	atomic_fetch_add(&n_fork, 1);
	pid = fork();
	if (pid < 0) {
		count_err(errno);
		return;
	}
	if (pid == 0) {
		/* The child: a few operations on what it inherited, then exit. */
		uint64_t cs = rnd(s) ^ 0xc41d;
		int i;

		/* Another thread may have held it at fork(): only we run now. */
		pthread_mutex_init(&g_resv_lock, NULL);
		alarm(10);
		for (i = 0; i < 8; i++)
			seq_step(&cs, a, false);
		_exit(0);
	}
	if (rn(s, 2)) {
		if (waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) &&
		    WTERMSIG(st) != SIGALRM)
			problem("fork child died of signal %d", WTERMSIG(st));
	}
	/* Otherwise reaped later by the SIGCHLD-less sweep in main(). */
}

static void seq_step(uint64_t *s, struct arena *a, bool single)
{
	struct vmctl_range r = { .size = sizeof(r) };
	uintptr_t addr;
	size_t size, off, len, sz;
	int ret, what = rn(s, 16);
	void *p;

	atomic_fetch_add(&n_seq, 1);
	if (what == 0) {
		size = (1 + rn(s, 64)) * PAGE;
		if (!rn(s, 8))
			size = 1 + rn(s, 3 * PAGE);
		p = mmap(NULL, size, rn(s, 4) ? PROT_READ | PROT_WRITE : PROT_READ,
			 MAP_SHARED, g_fd, rn(s, 10) ? 0 : PAGE);
		if (p == MAP_FAILED) {
			count_err(errno);
			return;
		}
		resv_add((uintptr_t)p, (size + PAGE - 1) & ~(PAGE - 1), s);
		return;
	}
	resv_pick(s, &addr, &size);
	if (!addr)
		return;
	off = rn(s, size / PAGE) * PAGE;
	len = (1 + rn(s, (size - off) / PAGE)) * PAGE;
	r.addr = addr + off;
	r.len = len;
	switch (what) {
	case 1: case 2: case 3:
		r.flags = rn(s, 3) ? 0 : VMCTL_COMMIT_POPULATE;
		if (count_result(ioctl(g_fd, VMCTL_IOC_COMMIT, &r) ? errno : 0))
			break;
		/* Committed: writable, unless another thread interferes. */
		ret = try_write((char *)r.addr, 7);
		if (ret && single)
			problem("write to committed page 0x%" "llx raised signal %d",
				(unsigned long long)r.addr, ret);
		break;
	case 4: case 5:
		if (count_result(ioctl(g_fd, VMCTL_IOC_DECOMMIT, &r) ? errno : 0))
			break;
		if (single && try_write((char *)r.addr, 1) == 0)
			problem("write to decommitted page 0x%llx worked",
				(unsigned long long)r.addr);
		break;
	case 6:
		count_result(ioctl(g_fd, VMCTL_IOC_RESET, &r) ? errno : 0);
		break;
	case 7: {
		struct vmctl_query q = { .size = sizeof(q), .addr = r.addr + rn(s, PAGE) };

		if (count_result(ioctl(g_fd, VMCTL_IOC_QUERY, &q) ? errno : 0))
			break;
		if (q.base + q.region_size < q.base)
			problem("QUERY region wraps");
		break;
	}
	case 8:
		if (!resv_forget(addr, &sz))
			break;
		r.addr = addr + rn(s, sz);
		r.len = 0;
		count_result(ioctl(g_fd, VMCTL_IOC_RELEASE, &r) ? errno : 0);
		break;
	case 9:
		/* Punch a hole, or unmap it all. */
		if (!rn(s, 2) && resv_forget(addr, &sz)) {
			munmap((void *)addr, sz);
		} else if (munmap((void *)r.addr, r.len)) {
			count_err(errno);
		}
		break;
	case 10: {
		const int prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE,
				      PROT_READ | PROT_EXEC, PROT_WRITE };

		if (mprotect((void *)r.addr, r.len, PICK(s, prots)))
			count_err(errno);
		break;
	}
	case 11:
		p = mremap((void *)addr, size, size + PAGE * rn(s, 3),
			   rn(s, 2) ? MREMAP_MAYMOVE : 0);
		if (p == MAP_FAILED) {
			count_err(errno);
		} else {
			/* Should not happen: mremap is refused. Keep track anyway. */
			if (resv_forget(addr, &sz))
				resv_add((uintptr_t)p, size, s);
		}
		break;
	case 12: {
		const int advs[] = { MADV_DONTNEED, MADV_FREE, MADV_REMOVE, MADV_WILLNEED,
				     MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK,
				     MADV_HUGEPAGE, MADV_PAGEOUT, MADV_COLD,
				     MADV_POPULATE_WRITE, MADV_POPULATE_READ };

		if (madvise((void *)r.addr, r.len, PICK(s, advs)))
			count_err(errno);
		break;
	}
	case 13:
		try_write((char *)r.addr + rn(s, r.len), (char)rnd(s));
		break;
	case 14:
		fuzz_fork(s, a);
		break;
	default: {
		pthread_t t;

		if (!single && pthread_create(&t, NULL, thread_exit_fn, s) == 0)
			pthread_join(t, NULL);
		break;
	}
	}
}

/* ---- driver ---- */
struct worker {
	pthread_t t;
	int idx;
	uint64_t seed;
};

static int g_family = -1;

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	uint64_t s = w->seed;
	struct arena a;
	int sk = -1;
	long done;

	if (arena_init(&a)) {
		problem("thread %d: cannot map its buffers", w->idx);
		return NULL;
	}
	if (op_netlink && g_family > 0)
		sk = nl_open();
	while ((done = atomic_fetch_add(&g_done, 1)) < g_iterations) {
		int kind = rn(&s, 11);

		if ((done & 255) == 0 && time_up())
			break;
		if (kind < 4 && op_ioctl)
			fuzz_ioctl(&s, &a);
		else if (kind < 6 && op_netlink && sk >= 0)
			fuzz_netlink(&s, &sk, g_family);
		else if (kind == 6 && op_netlink && sk >= 0 &&
			 (g_features & VMCTL_FEATURE_EVENTS))
			fuzz_watch(&s, &sk, g_family);
		else if (op_seq)
			seq_step(&s, &a, g_threads == 1);
		else if (op_ioctl)
			fuzz_ioctl(&s, &a);
		if (sk < 0 && op_netlink && g_family > 0)
			sk = nl_open();
	}
	if (sk >= 0)
		close(sk);
	return NULL;
}

static void *idle_thread(void *arg)
{
	(void)arg;
	g_thread_tid = syscall(SYS_gettid);
	pause();
	return NULL;
}

static const char *errname(int e)
{
	static char buf[16];

	switch (e) {
	case EPERM: return "EPERM"; case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH"; case EINTR: return "EINTR";
	case EFAULT: return "EFAULT"; case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST"; case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC"; case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES"; case ENOTTY: return "ENOTTY";
	case E2BIG: return "E2BIG"; case ERANGE: return "ERANGE";
	case EOPNOTSUPP: return "EOPNOTSUPP"; case ENODATA: return "ENODATA";
	case EMSGSIZE: return "EMSGSIZE"; case EDQUOT: return "EDQUOT";
	case EAGAIN: return "EAGAIN"; case ENODEV: return "ENODEV";
	case ENOBUFS: return "ENOBUFS"; case EBADMSG: return "EBADMSG";
	}
	snprintf(buf, sizeof(buf), "errno%d", e);
	return buf;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 't' },
		{ "threads", required_argument, NULL, 'j' },
		{ "ops", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "known-bug", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	struct worker w[MAX_THREADS];
	struct vmctl_api api = { .size = sizeof(api) };
	struct sigaction sa = { 0 };
	pthread_t idle;
	bool seeded = false;
	int c, i, sk;
	pid_t z;

	while ((c = getopt_long(argc, argv, "s:n:t:j:o:vk:", opts, NULL)) != -1) {
		switch (c) {
		case 's': g_seed = strtoull(optarg, NULL, 0); seeded = true; break;
		case 'n': g_iterations = strtol(optarg, NULL, 0); break;
		case 't': g_seconds = strtol(optarg, NULL, 0); break;
		case 'j': g_threads = atoi(optarg); break;
		case 'o':
			op_ioctl = strstr(optarg, "ioctl");
			op_netlink = strstr(optarg, "netlink");
			op_seq = strstr(optarg, "seq");
			break;
		case 'v': verbose = 1; break;
		case 'k':
			if (!strcmp(optarg, "query-wrap"))
				allow_query_wrap = true;
			break;
		default:
			fprintf(stderr, "usage: %s [--seed N] [--iterations N] [--seconds N] "
				"[--threads N] [--ops ioctl,netlink,seq]\n", argv[0]);
			return 2;
		}
	}
	if (g_threads < 1 || g_threads > MAX_THREADS)
		g_threads = 4;
	if (!seeded) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		g_seed = (uint64_t)ts.tv_sec * 1000003 ^ ts.tv_nsec ^ getpid();
	}
	printf("vmctl_fuzz: seed=%" PRIu64 " iterations=%ld seconds=%ld threads=%d "
	       "(replay: --seed %" PRIu64 " --threads 1)\n",
	       g_seed, g_iterations, g_seconds, g_threads, g_seed);
	fflush(stdout);

	g_fd = open("/dev/vmctl", O_RDWR | O_CLOEXEC);
	if (g_fd < 0) {
		printf("vmctl_fuzz: cannot open /dev/vmctl: %s\n", strerror(errno));
		return 2;
	}
	if (ioctl(g_fd, VMCTL_IOC_API, &api) == 0)
		g_features = api.features;
	g_admin = geteuid() == 0;

	g_scratch = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g_scratch == MAP_FAILED || mprotect(g_scratch + 4 * PAGE, 4 * PAGE, PROT_NONE)) {
		printf("vmctl_fuzz: cannot map the scratch pages\n");
		return 2;
	}

	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* Targets: a zombie, a live child, a sleeping thread. */
	z = fork();
	if (z == 0)
		_exit(0);
	g_zombie = z;
	g_live = fork();
	if (g_live == 0) {
		alarm(g_seconds + 60);
		pause();
		_exit(0);
	}
	pthread_create(&idle, NULL, idle_thread, NULL);
	while (!g_thread_tid)
		usleep(1000);

	sk = nl_open();
	if (sk >= 0) {
		g_family = nl_family(sk);
		close(sk);
	}
	if (g_family < 0 && op_netlink)
		printf("vmctl_fuzz: no generic netlink family \"vmctl\": netlink ops skipped\n");

	clock_gettime(CLOCK_MONOTONIC, &g_deadline);
	g_deadline.tv_sec += g_seconds;
	for (i = 0; i < g_threads; i++) {
		w[i].idx = i;
		w[i].seed = g_seed + 0x1000193ULL * i;
		pthread_create(&w[i].t, NULL, worker_fn, &w[i]);
	}
	for (i = 0; i < g_threads; i++)
		pthread_join(w[i].t, NULL);
	watch_final_checks();

	/* Clean up: every reservation, the children, any tracking. */
	for (i = 0; i < MAX_RESV; i++)
		if (g_resv[i].live)
			munmap((void *)g_resv[i].addr, g_resv[i].size);
	kill(g_live, SIGKILL);
	while (waitpid(-1, &c, 0) > 0)
		if (WIFSIGNALED(c) && WTERMSIG(c) != SIGKILL && WTERMSIG(c) != SIGALRM)
			problem("a child died of signal %d", WTERMSIG(c));
	{
		struct vmctl_track t = { .size = sizeof(t) };

		ioctl(g_fd, VMCTL_IOC_UNTRACK, &t);
	}
	close(g_fd);

	printf("vmctl_fuzz: done: ops=%ld ioctl=%ld netlink=%ld (reply messages %ld) "
	       "sequence=%ld forks=%ld succeeded=%ld\n",
	       (long)atomic_load(&g_done) > g_iterations ? g_iterations : (long)atomic_load(&g_done),
	       atomic_load(&n_ioctl), atomic_load(&n_netlink), atomic_load(&n_nlmsgs),
	       atomic_load(&n_seq), atomic_load(&n_fork), atomic_load(&n_ok));
	if (g_features & VMCTL_FEATURE_EVENTS)
		printf("vmctl_fuzz: watches: add requests %ld (made %ld), deleted %ld, "
		       "shown in dumps %ld; the rest end with their process or at module "
		       "unload\n",
		       atomic_load(&n_watch_add), atomic_load(&n_watch_add_ok),
		       atomic_load(&n_watch_del_ok), atomic_load(&n_watch_dumped));
	printf("vmctl_fuzz: errors by errno:");
	for (i = 1; i <= NERRNO; i++)
		if (atomic_load(&n_errno[i]))
			printf(" %s=%ld", i == NERRNO ? "other" : errname(i),
			       atomic_load(&n_errno[i]));
	printf("\nvmctl_fuzz: problems=%ld known-bug hits=%ld seed=%" PRIu64 "\n",
	       atomic_load(&n_problems), atomic_load(&n_known), g_seed);
	return atomic_load(&n_problems) ? 1 : 0;
}
