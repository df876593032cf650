// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl_load - vmctl load generator for the stress run (run-stress).
 *
 * For --seconds, concurrently:
 *  - a dumper thread lists every process (vmctl_list_stats, netlink dump)
 *    and, for each, reads its VMAs (vmctl_get_vmas, ioctl) and every
 *    eighth time its stats (vmctl_get_stats) and netlink VMAs
 *    (vmctl_nl_get_vmas). Processes exit under it: ESRCH and ENODATA
 *    are races, counted apart. When the module has fault accounting
 *    (VMCTL_FEATURE_FAULTS) it also tracks every process it sees, up to
 *    the module's cap (ENOSPC), reads their counters, and untracks them
 *    all at the end;
 *  - --threads hammer threads reserve (vmctl_reserve), commit, write,
 *    decommit, reset, query and release random ranges, checking that
 *    committed data stays and decommitted pages read back as zero;
 *  - when the module has events (VMCTL_FEATURE_EVENTS) and we are root:
 *     - a global watch (map-count thresholds, map-count exhausted, commit
 *       refused) lives for the whole run;
 *     - a watcher thread adds per-process watches on the stress-ng
 *       processes it finds in /proc, deletes them (some at once, racing
 *       the process's exit, the others later) and dumps the watches;
 *     - a child process ("map-count child", watched by a watch of its
 *       own) repeatedly splits a PROT_NONE region page by page until
 *       mprotect() fails at vm.max_map_count, tries mmap/munmap at the
 *       limit, unmaps it all (re-arming the thresholds), commits past a
 *       commit limit of its own (EDQUOT) and, with --fault-file, pages a
 *       file in again and again (major faults);
 *     - a listener thread reads the "events" multicast group and checks
 *       every event against the watch it names (threshold arithmetic,
 *       pid, event kinds the watch asked for);
 *     - a second listener, in a child running as user nobody, must hear
 *       nothing of root's watches on kernels that filter events (6.7+).
 *    At the end every watch is deleted and the watch dump must be empty.
 * Then prints what it held: operations by kind, processes seen, watches
 * made, events received by kind and lost, errors by errno, and exits 1 on
 * an unexpected error, a data mismatch or an inconsistent event.
 *
 * Usage: vmctl_load [--seconds N] [--threads N] [--seed N] [--no-watches]
 *                   [--fault-file PATH]
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <pthread.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "vmctl.h"

#define PAGE		4096UL
#define NERR		134
#define PID_MAX		(1 << 22)

static int g_seconds = 30, g_threads = 3;
static uint64_t g_seed;
static struct timespec g_end;
static uint64_t g_features;

static atomic_long n_list, n_vmas, n_stats, n_nlvmas, n_track, n_faults;
static atomic_long n_reserve, n_commit, n_decommit, n_reset, n_query, n_release;
static atomic_long n_race, n_refused, n_bad, n_procs_seen, n_tracked_max;
static atomic_long errs[NERR + 1];
static unsigned char *seen;	/* bitmap of pids seen */

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static bool running(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec < g_end.tv_sec;
}

static void err(int e, bool unexpected, const char *what)
{
	e = e < 0 ? -e : e;
	atomic_fetch_add(&errs[e < NERR ? e : NERR], 1);
	if (unexpected) {
		if (atomic_fetch_add(&n_bad, 1) < 20)
			printf("vmctl_load: unexpected %s from %s\n", strerror(e), what);
	}
}

static void __attribute__((format(printf, 1, 2))) fail(const char *fmt, ...)
{
	va_list ap;

	if (atomic_fetch_add(&n_bad, 1) >= 20)
		return;
	va_start(ap, fmt);
	printf("vmctl_load: FAIL: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

/* Errors that a process exiting or exec'ing under us explains. */
static bool race(int r)
{
	if (r == -ESRCH || r == -ENODATA || r == -EINTR) {
		atomic_fetch_add(&n_race, 1);
		err(r, false, NULL);
		return true;
	}
	return false;
}

static int dev_fd = -1;
static pid_t tracked[1024];
static int ntracked;

static void track(pid_t pid)
{
	struct vmctl_track t = { .size = sizeof(t), .pid = pid };

	if (!(g_features & VMCTL_FEATURE_FAULTS) || ntracked == 1024)
		return;
	if (ioctl(dev_fd, VMCTL_IOC_TRACK, &t) == 0) {
		tracked[ntracked++] = pid;
		atomic_fetch_add(&n_track, 1);
		if (ntracked > atomic_load(&n_tracked_max))
			atomic_store(&n_tracked_max, ntracked);
	} else if (errno == ENOSPC || errno == EEXIST) {
		atomic_fetch_add(&n_refused, 1);
		err(errno, false, NULL);
	} else if (!race(-errno)) {
		err(errno, errno != EACCES && errno != EPERM, "TRACK");
	}
}

static void read_faults(void)
{
	int i;

	for (i = 0; i < ntracked; i++) {
		struct vmctl_faults f = { .size = sizeof(f), .pid = tracked[i] };

		if (ioctl(dev_fd, VMCTL_IOC_GET_FAULTS, &f) == 0)
			atomic_fetch_add(&n_faults, 1);
		else if (errno != ESRCH && errno != ENOENT && !race(-errno))
			err(errno, true, "GET_FAULTS");
	}
}

static void untrack_all(void)
{
	int i;

	for (i = 0; i < ntracked; i++) {
		struct vmctl_track t = { .size = sizeof(t), .pid = tracked[i] };

		/* An exited process keeps its counters until untracked. */
		ioctl(dev_fd, VMCTL_IOC_UNTRACK, &t);
	}
	ntracked = 0;
}

static void *dumper(void *arg)
{
	struct vmctl_ctx *ctx;
	unsigned long round = 0;

	(void)arg;
	if (vmctl_new(&ctx))
		return NULL;
	while (running()) {
		struct vmctl_proc_stats *procs;
		size_t n, i;
		int r;

		r = vmctl_list_stats(ctx, &procs, &n);
		atomic_fetch_add(&n_list, 1);
		if (r) {
			if (!race(r))
				err(r, true, "vmctl_list_stats");
			continue;
		}
		for (i = 0; i < n && running(); i++) {
			pid_t pid = procs[i].pid;
			struct vmctl_vma *vmas;
			struct vmctl_stats st;
			size_t nv;

			if (pid > 0 && pid < PID_MAX &&
			    !(seen[pid / 8] & (1 << (pid % 8)))) {
				seen[pid / 8] |= 1 << (pid % 8);
				atomic_fetch_add(&n_procs_seen, 1);
				track(pid);
			}
			r = vmctl_get_vmas(ctx, pid, &vmas, &nv);
			atomic_fetch_add(&n_vmas, 1);
			if (!r)
				free(vmas);
			else if (!race(r))
				err(r, true, "vmctl_get_vmas");
			if ((round + i) % 8)
				continue;
			r = vmctl_get_stats(ctx, pid, &st);
			atomic_fetch_add(&n_stats, 1);
			if (r && !race(r))
				err(r, true, "vmctl_get_stats");
			r = vmctl_nl_get_vmas(ctx, pid, &vmas, &nv);
			atomic_fetch_add(&n_nlvmas, 1);
			if (!r)
				free(vmas);
			else if (r != -EAGAIN && !race(r))
				err(r, true, "vmctl_nl_get_vmas");
		}
		free(procs);
		read_faults();
		round++;
	}
	untrack_all();
	vmctl_unref(ctx);
	return NULL;
}

static void *hammer(void *arg)
{
	uint64_t s = g_seed ^ (uintptr_t)arg * 0x51ed27;
	struct vmctl_ctx *ctx;

	if (vmctl_new(&ctx))
		return NULL;
	while (running()) {
		size_t pages = 1 + rnd(&s) % 256, i;
		unsigned char *mark;
		char *p;
		int r, k;

		r = vmctl_reserve(ctx, pages * PAGE, 0, (void **)&p);
		atomic_fetch_add(&n_reserve, 1);
		if (r) {
			err(r, r != -ENOMEM, "vmctl_reserve");
			continue;
		}
		mark = calloc(pages, 1);	/* 1: committed with our byte */
		for (k = 0; k < 64 && mark; k++) {
			size_t off = rnd(&s) % pages;
			size_t len = 1 + rnd(&s) % (pages - off);
			struct vmctl_region_info info;

			switch (rnd(&s) % 5) {
			case 0: case 1:
				r = vmctl_commit(ctx, p + off * PAGE, len * PAGE,
						 rnd(&s) % 2 ? VMCTL_COMMIT_POPULATE : 0);
				atomic_fetch_add(&n_commit, 1);
				if (r) {
					err(r, r != -ENOMEM && r != -EDQUOT, "vmctl_commit");
					if (r == -ENOMEM || r == -EDQUOT)
						atomic_fetch_add(&n_refused, 1);
					break;
				}
				for (i = off; i < off + len; i++) {
					if (mark[i] && p[i * PAGE] != (char)(i + 1)) {
						err(EIO, true, "commit kept data");
						break;
					}
					p[i * PAGE] = (char)(i + 1);
					mark[i] = 1;
				}
				break;
			case 2:
				r = vmctl_decommit(ctx, p + off * PAGE, len * PAGE);
				atomic_fetch_add(&n_decommit, 1);
				if (r) {
					err(r, true, "vmctl_decommit");
					break;
				}
				memset(mark + off, 0, len);
				break;
			case 3:
				r = vmctl_reset(ctx, p + off * PAGE, len * PAGE);
				atomic_fetch_add(&n_reset, 1);
				if (r)
					err(r, true, "vmctl_reset");
				break;
			default:
				r = vmctl_query(ctx, p + off * PAGE, &info);
				atomic_fetch_add(&n_query, 1);
				if (r) {
					err(r, true, "vmctl_query");
					break;
				}
				if ((info.state == VMCTL_STATE_COMMITTED) != !!mark[off])
					err(EIO, true, "query state");
				else if (mark[off] && p[off * PAGE] != (char)(off + 1))
					err(EIO, true, "reset kept data");
				break;
			}
		}
		free(mark);
		r = vmctl_release(ctx, p);
		atomic_fetch_add(&n_release, 1);
		if (r)
			err(r, true, "vmctl_release");
	}
	vmctl_unref(ctx);
	return NULL;
}

/* ---- watches and events ---- */

#define WATCHES_LIVE	48		/* per-process watches held at once */
#define PAIRS		(1 << 16)	/* (watch id, pid) pairs remembered */
#define DEFERRED	4096		/* events checked again at the end */
#define RAMP_SECONDS	90		/* one map-count ramp, at most */
#define FAULT_BYTES	(2UL << 20)	/* of --fault-file paged in per round */

static bool g_watches = true;
static const char *g_fault_file;
static long g_max_map_count;
static _Atomic uint32_t g_global_id, g_child_id;
static pid_t g_child_pid;

/* What each watch asks for; every event is checked against it. */
#define GLOBAL_EVENTS	(VMCTL_EVENT_MAP_COUNT_THRESHOLD | VMCTL_EVENT_MAP_COUNT_EXHAUSTED | \
			 VMCTL_EVENT_COMMIT_REFUSED)
static const uint32_t global_thr[] = { 2, 10, 50, 90 };
#define GLOBAL_HYSTERESIS	1
static const uint32_t stress_thr[] = { 1, 2, 5 };
#define STRESS_FAULT_RATE	50
static const uint32_t child_thr[] = { 10, 50, 99 };
#define CHILD_FAULT_RATE	10
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static atomic_long n_w_stress, n_w_made, n_w_del, n_w_gone, n_w_esrch, n_w_live_max, n_w_dump;
static atomic_long n_w_short, n_ev_short_exit;
/* Children that live a few ms, watched while they exit: their exit status. */
#define SHORT_EXIT	7
/* Events by kind: [0] socket overruns, [1 + bit] VMCTL_EVENT_* (1 << bit). */
static atomic_long n_ev[6];
static atomic_long n_ev_bad, n_ev_global, n_ev_child, n_ev_stress;
/* Bits: thresholds (by index) / kinds seen for the map-count child. */
static atomic_uint child_global_thr, child_own_thr, child_global_kinds, child_own_kinds;

/* The map-count child's counters, in memory shared with it. */
struct child_stats {
	atomic_long cycles, at_limit, enomem, edquot, fault_rounds, majflt, errors;
	atomic_int done;
};
static struct child_stats *cs;

/* The unprivileged listener's counters, shared likewise. */
struct nobody_stats {
	atomic_long events, lost;
	atomic_int ready, error;	/* error: errno of a listener that could not start */
};
static struct nobody_stats *ns;

static pthread_mutex_t pairs_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t pairs[PAIRS];
static size_t npairs;
static bool pairs_full;

static size_t pair_slot(uint64_t key)
{
	return (key * 0x9e3779b97f4a7c15ULL) >> (64 - 16);
}

/* Bit 63 of a key: the watch was on a short-lived child. */
#define PAIR_SHORT	(1ULL << 63)

/* Remembers that watch @id was made on @pid (ids are reused). */
static void pair_add_key(uint64_t key)
{
	size_t i = pair_slot(key);

	pthread_mutex_lock(&pairs_lock);
	if (npairs < PAIRS / 2) {
		while (pairs[i] && pairs[i] != key)
			i = (i + 1) % PAIRS;
		if (!pairs[i]) {
			pairs[i] = key;
			npairs++;
		}
	} else {
		pairs_full = true;
	}
	pthread_mutex_unlock(&pairs_lock);
}

static void pair_add(uint32_t id, pid_t pid, bool short_lived)
{
	uint64_t key = (uint64_t)id << 32 | (uint32_t)pid;

	pair_add_key(key);
	if (short_lived)
		pair_add_key(key | PAIR_SHORT);
}

/* 1: watch @id was made on @pid; 0: not (yet); -1: cannot tell. */
static int pair_known(uint32_t id, pid_t pid, bool short_lived)
{
	uint64_t key = (uint64_t)id << 32 | (uint32_t)pid | (short_lived ? PAIR_SHORT : 0);
	size_t i = pair_slot(key);
	int ret = 0;

	pthread_mutex_lock(&pairs_lock);
	while (pairs[i]) {
		if (pairs[i] == key) {
			ret = 1;
			break;
		}
		i = (i + 1) % PAIRS;
	}
	if (!ret && pairs_full)
		ret = -1;
	pthread_mutex_unlock(&pairs_lock);
	return ret;
}

static void ev_bad(const struct vmctl_event *e, const char *why)
{
	if (atomic_fetch_add(&n_ev_bad, 1) < 20)
		printf("vmctl_load: bad %s event: watch %u pid %d comm %s map_count %" PRIu64
		       " max %" PRIu64 " threshold %u op %u: %s\n",
		       vmctl_event_name(e->type) ?: "?", e->watch_id, e->pid, e->comm,
		       e->map_count, e->max_map_count, e->threshold, e->op, why);
}

static int thr_index(const uint32_t *thr, size_t n, uint32_t pct)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (thr[i] == pct)
			return (int)i;
	return -1;
}

/* A map-count event of a watch with thresholds @thr; the bit it sets. */
static unsigned int check_map_event(const struct vmctl_event *e, const uint32_t *thr, size_t n)
{
	int i;

	if (!e->max_map_count) {
		ev_bad(e, "no max_map_count");
		return 0;
	}
	if (e->type == VMCTL_EVENT_MAP_COUNT_EXHAUSTED) {
		if (e->map_count + 2 < e->max_map_count)
			ev_bad(e, "map_count is not at the limit");
		if (!vmctl_event_op_name(e->op))
			ev_bad(e, "unknown op");
		return 0;
	}
	i = thr_index(thr, n, e->threshold);
	if (i < 0) {
		ev_bad(e, "a threshold the watch does not have");
		return 0;
	}
	if (e->map_count * 100 < (uint64_t)e->threshold * e->max_map_count) {
		ev_bad(e, "map_count below the threshold");
		return 0;
	}
	return 1U << i;
}

static void check_commit_event(const struct vmctl_event *e)
{
	if (!vmctl_limit_kind_name(e->limit_kind))
		ev_bad(e, "unknown limit kind");
	else if (e->limit_kind == VMCTL_LIMIT_PROCESS && !e->limit_bytes)
		ev_bad(e, "a process limit of 0");
	if (!e->request_bytes)
		ev_bad(e, "a refused commit of 0 bytes");
}

/* An event of a watch on one process; the threshold bit it sets. */
static unsigned int check_proc_event(const struct vmctl_event *e, const uint32_t *thr,
				     size_t n, uint64_t rate)
{
	switch (e->type) {
	case VMCTL_EVENT_MAP_COUNT_THRESHOLD:
	case VMCTL_EVENT_MAP_COUNT_EXHAUSTED:
		return check_map_event(e, thr, n);
	case VMCTL_EVENT_COMMIT_REFUSED:
		check_commit_event(e);
		break;
	case VMCTL_EVENT_FAULT_RATE:
		if (e->fault_rate_limit != rate)
			ev_bad(e, "not the watch's fault rate");
		else if (e->fault_rate < e->fault_rate_limit)
			ev_bad(e, "fault rate below the watch's");
		break;
	case VMCTL_EVENT_PROCESS_EXIT:
		if (e->map_count_peak < e->map_count)
			ev_bad(e, "map_count above its peak");
		if (pair_known(e->watch_id, e->pid, true) == 1) {
			atomic_fetch_add(&n_ev_short_exit, 1);
			if (!WIFEXITED(e->exit_code) || WEXITSTATUS(e->exit_code) != SHORT_EXIT)
				ev_bad(e, "not the exit status of the short-lived child");
		}
		break;
	}
	return 0;
}

/*
 * Checks @e against the watch it names. Returns 1 when that watch is not
 * known yet (the listener can hear an event before the thread that made
 * the watch has its id); with @final, that is itself an error.
 */
static int classify(const struct vmctl_event *e, bool final)
{
	uint32_t id = e->watch_id, kind = e->type;
	unsigned int bit;

	if (!id || e->pid <= 0) {
		ev_bad(e, "no watch id or pid");
		return 0;
	}
	if (id == atomic_load(&g_global_id)) {
		atomic_fetch_add(&n_ev_global, 1);
		if (!(kind & GLOBAL_EVENTS)) {
			ev_bad(e, "a kind the global watch did not ask for");
			return 0;
		}
		if (kind == VMCTL_EVENT_COMMIT_REFUSED) {
			check_commit_event(e);
			bit = 0;
		} else {
			bit = check_map_event(e, global_thr, NELEM(global_thr));
		}
		if (e->pid == g_child_pid) {
			atomic_fetch_or(&child_global_thr, bit);
			atomic_fetch_or(&child_global_kinds, kind);
		}
		return 0;
	}
	if (id == atomic_load(&g_child_id)) {
		atomic_fetch_add(&n_ev_child, 1);
		if (e->pid != g_child_pid)
			ev_bad(e, "not the watched process");
		bit = check_proc_event(e, child_thr, NELEM(child_thr), CHILD_FAULT_RATE);
		atomic_fetch_or(&child_own_thr, bit);
		atomic_fetch_or(&child_own_kinds, kind);
		return 0;
	}
	switch (pair_known(id, e->pid, false)) {
	case 0:
		if (!final)
			return 1;
		ev_bad(e, "names no watch made on that process");
		return 0;
	case 1:
		atomic_fetch_add(&n_ev_stress, 1);
		check_proc_event(e, stress_thr, NELEM(stress_thr), STRESS_FAULT_RATE);
		break;
	}
	return 0;
}

static pthread_mutex_t deferred_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vmctl_event deferred[DEFERRED];
static size_t ndeferred;

static int on_event(const struct vmctl_event *e, void *data)
{
	unsigned int kind = e->type ? (unsigned int)__builtin_ctz(e->type) + 1 : 0;

	(void)data;
	atomic_fetch_add(&n_ev[kind < 6 ? kind : 0], 1);
	if (e->type == VMCTL_EVENT_LOST || !classify(e, false))
		return 0;
	pthread_mutex_lock(&deferred_lock);
	if (ndeferred < DEFERRED)
		deferred[ndeferred++] = *e;
	else
		ev_bad(e, "too many events of unknown watches");
	pthread_mutex_unlock(&deferred_lock);
	return 0;
}

static atomic_bool listen_stop;

static void *listener(void *arg)
{
	struct vmctl_events *ev = arg;
	struct pollfd p = { .fd = vmctl_events_fd(ev), .events = POLLIN };
	int r;

	do {
		if (poll(&p, 1, 100) < 0 && errno != EINTR) {
			err(errno, true, "poll on the events socket");
			break;
		}
		r = vmctl_events_read(ev, on_event, NULL);
		if (r < 0)
			err(r, true, "vmctl_events_read");
	} while (!atomic_load(&listen_stop));
	return NULL;
}

/* Up to @max pids of processes called stress-ng*. */
static int stress_pids(pid_t *pids, int max)
{
	struct dirent *d;
	int n = 0;
	DIR *dir;

	dir = opendir("/proc");
	if (!dir)
		return 0;
	while (n < max && (d = readdir(dir))) {
		char path[64], comm[32] = "";
		pid_t pid = (pid_t)atoi(d->d_name);
		FILE *f;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strncmp(comm, "stress-ng", 9))
			pids[n++] = pid;
		fclose(f);
	}
	closedir(dir);
	return n;
}

static pid_t newest(const pid_t *pids, int n)
{
	pid_t max = 0;
	int i;

	for (i = 0; i < n; i++)
		if (pids[i] > max)
			max = pids[i];
	return max;
}

static void watch_del(struct vmctl_ctx *ctx, uint32_t id)
{
	int r = vmctl_watch_del(ctx, id);

	if (!r)
		atomic_fetch_add(&n_w_del, 1);
	else if (r == -ENOENT)	/* its process exited: the watch ended */
		atomic_fetch_add(&n_w_gone, 1);
	else
		err(r, true, "vmctl_watch_del");
}

/* WATCH_GET: the global watch must be there, whatever else comes and goes. */
static void watch_dump(struct vmctl_ctx *ctx)
{
	struct vmctl_watch_info *w;
	size_t n, i;
	bool global = false;
	int r;

	r = vmctl_watch_list(ctx, &w, &n);
	atomic_fetch_add(&n_w_dump, 1);
	if (r) {
		err(r, true, "vmctl_watch_list");
		return;
	}
	for (i = 0; i < n; i++)
		if (w[i].id == atomic_load(&g_global_id))
			global = (w[i].flags & VMCTL_WATCH_SPEC_GLOBAL) && !w[i].pid;
	if (!global)
		fail("the watch dump lacks the global watch %u", atomic_load(&g_global_id));
	free(w);
}

/*
 * A child that exits after 0-100 ms, watched at once; the watch is deleted
 * after 0-100 ms too, or just after the exit: the exit and the delete race
 * (the delete finds the watch live, or ending, or ended: ENOENT), and so
 * do the exit and the add (ESRCH, or a watch that ends by itself).
 */
static void short_lived(struct vmctl_ctx *ctx, uint64_t *s)
{
	struct vmctl_watch_spec spec = { .nthresholds = NELEM(stress_thr),
					 .fault_rate = STRESS_FAULT_RATE };
	useconds_t life = rnd(s) % 100000;
	useconds_t wait = rnd(s) % 2 ? rnd(s) % 100000 : life + rnd(s) % 20000;
	uint32_t id;
	pid_t pid;
	int r;

	pid = fork();
	if (pid < 0) {
		err(errno, true, "fork");
		return;
	}
	if (pid == 0) {
		usleep(life);
		_exit(SHORT_EXIT);
	}
	memcpy(spec.thresholds, stress_thr, sizeof(stress_thr));
	spec.pid = pid;
	r = vmctl_watch_add(ctx, &spec, &id);
	if (!r) {
		pair_add(id, pid, true);
		atomic_fetch_add(&n_w_short, 1);
		atomic_fetch_add(&n_w_made, 1);
		usleep(wait);
		watch_del(ctx, id);
	} else if (r == -ESRCH || r == -ENODATA) {
		atomic_fetch_add(&n_w_esrch, 1);
	} else {
		err(r, true, "vmctl_watch_add (short-lived child)");
	}
	if (waitpid(pid, &r, 0) != pid || !WIFEXITED(r) || WEXITSTATUS(r) != SHORT_EXIT)
		fail("a short-lived child ended with status %#x", r);
}

/* Per-process watches on stress-ng's processes, made and deleted. */
static void *watcher(void *arg)
{
	uint64_t s = g_seed ^ 0x5eedf00dULL;
	struct { uint32_t id; pid_t pid; } live[WATCHES_LIVE];
	int nlive = 0, npids = 0, i;
	unsigned long it = 0;
	struct vmctl_ctx *ctx;
	pid_t pids[256];

	(void)arg;
	if (vmctl_new(&ctx))
		return NULL;
	while (running()) {
		if (!(it % 8))
			npids = stress_pids(pids, 256);
		if (npids) {
			struct vmctl_watch_spec spec = {
				/* Half the time the newest: likely a short-lived child. */
				.pid = rnd(&s) % 2 ? pids[rnd(&s) % npids] : newest(pids, npids),
				.nthresholds = NELEM(stress_thr),
				.fault_rate = STRESS_FAULT_RATE,
			};
			uint32_t id;
			int r;

			memcpy(spec.thresholds, stress_thr, sizeof(stress_thr));
			r = vmctl_watch_add(ctx, &spec, &id);
			if (!r) {
				pair_add(id, spec.pid, false);
				atomic_fetch_add(&n_w_stress, 1);
				atomic_fetch_add(&n_w_made, 1);
				if (!(rnd(&s) % 4)) {
					watch_del(ctx, id);	/* races the watch's start */
				} else {
					live[nlive].id = id;
					live[nlive++].pid = spec.pid;
					if (nlive > atomic_load(&n_w_live_max))
						atomic_store(&n_w_live_max, nlive);
				}
			} else if (r == -ESRCH || r == -ENODATA) {
				atomic_fetch_add(&n_w_esrch, 1);
				atomic_fetch_add(&n_race, 1);
				npids = 0;	/* look again */
			} else {
				err(r, true, "vmctl_watch_add (stress-ng process)");
			}
		}
		if (nlive == WATCHES_LIVE || (nlive && !(rnd(&s) % 3))) {
			i = (int)(rnd(&s) % nlive);
			watch_del(ctx, live[i].id);
			live[i] = live[--nlive];
		}
		if (!(it % 16))
			watch_dump(ctx);
		if (!(it % 4))
			short_lived(ctx, &s);
		it++;
		usleep(2000);
	}
	for (i = 0; i < nlive; i++)
		watch_del(ctx, live[i].id);
	vmctl_unref(ctx);
	return NULL;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/*
 * Splits a PROT_NONE region one page at a time (+2 VMAs per mprotect())
 * until mprotect() fails with ENOMEM at vm.max_map_count, tries an mmap()
 * and a splitting munmap() at the limit, then unmaps it all.
 */
static void child_ramp(void)
{
	size_t pages = (size_t)g_max_map_count + 256, i;
	double t0 = now_s();
	bool hit = false;
	char *base, *q;

	base = mmap(NULL, pages * PAGE, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED) {
		atomic_fetch_add(&cs->errors, 1);
		return;
	}
	for (i = 1; i + 4 < pages; i += 2) {
		if (mprotect(base + i * PAGE, PAGE, PROT_READ)) {
			if (errno == ENOMEM)
				hit = true;
			else
				atomic_fetch_add(&cs->errors, 1);
			break;
		}
		if (!((i + 1) % 512) && (now_s() - t0 > RAMP_SECONDS || !running()))
			break;
	}
	if (hit) {
		atomic_fetch_add(&cs->at_limit, 1);
		atomic_fetch_add(&cs->enomem, 1);
		q = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (q == MAP_FAILED && errno == ENOMEM)
			atomic_fetch_add(&cs->enomem, 1);
		else if (q != MAP_FAILED)
			munmap(q, PAGE);
		/* The untouched PROT_NONE tail is one VMA: a hole splits it. */
		if (munmap(base + (pages - 2) * PAGE, PAGE) && errno == ENOMEM)
			atomic_fetch_add(&cs->enomem, 1);
	}
	munmap(base, pages * PAGE);
	atomic_fetch_add(&cs->cycles, 1);
}

/* Commits past a commit limit of its own: EDQUOT, a commit-refused event. */
static void child_commit(struct vmctl_ctx *ctx)
{
	void *p;
	int r;

	if (vmctl_reserve(ctx, 1 << 20, 0, &p)) {
		atomic_fetch_add(&cs->errors, 1);
		return;
	}
	r = vmctl_commit(ctx, p, 256 << 10, 0);
	if (r == -EDQUOT)
		atomic_fetch_add(&cs->edquot, 1);
	else
		atomic_fetch_add(&cs->errors, 1);
	vmctl_release(ctx, p);
}

/* Pages --fault-file in with readahead off after dropping it: major faults. */
static void child_faults(void)
{
	volatile unsigned char sum = 0;
	struct rusage ru;
	struct stat st;
	size_t len, off;
	unsigned char *p;
	int fd;

	fd = open(g_fault_file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || st.st_size < (off_t)PAGE) {
		atomic_fetch_add(&cs->errors, 1);
		if (fd >= 0)
			close(fd);
		return;
	}
	len = (size_t)st.st_size < FAULT_BYTES ? (size_t)st.st_size & ~(PAGE - 1) : FAULT_BYTES;
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p != MAP_FAILED) {
		madvise(p, len, MADV_RANDOM);
		for (off = 0; off < len; off += PAGE)
			sum += p[off];
		munmap(p, len);
		atomic_fetch_add(&cs->fault_rounds, 1);
	} else {
		atomic_fetch_add(&cs->errors, 1);
	}
	close(fd);
	if (!getrusage(RUSAGE_SELF, &ru))
		atomic_store(&cs->majflt, ru.ru_majflt);
}

/* The map-count child: waits for its watch, works until the end, waits for EOF. */
static void child_main(int cmd)
{
	struct vmctl_ctx *ctx;
	char c;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (read(cmd, &c, 1) != 1 || vmctl_new(&ctx))
		_exit(1);
	if (vmctl_set_commit_limit(ctx, 0, 64 << 10, NULL))
		atomic_fetch_add(&cs->errors, 1);
	while (running()) {
		child_ramp();
		child_commit(ctx);
		if (g_fault_file)
			child_faults();
	}
	vmctl_unref(ctx);
	atomic_store(&cs->done, 1);
	while (read(cmd, &c, 1) > 0)
		;
	_exit(0);
}

static int nobody_event(const struct vmctl_event *e, void *data)
{
	(void)data;
	if (e->type == VMCTL_EVENT_LOST)
		atomic_fetch_add(&ns->lost, 1);
	else
		atomic_fetch_add(&ns->events, 1);
	return 0;
}

/* A listener as user nobody until EOF on @cmd. */
static void nobody_main(int cmd)
{
	struct vmctl_events *ev;
	struct vmctl_ctx *ctx;
	struct pollfd p[2];

	int r;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		r = -errno;
	else
		r = vmctl_new(&ctx);
	if (!r)
		r = vmctl_events_open(ctx, 0, &ev);
	if (r) {
		atomic_store(&ns->error, -r);
		atomic_store(&ns->ready, 1);
		_exit(0);
	}
	atomic_store(&ns->ready, 1);
	p[0] = (struct pollfd){ .fd = vmctl_events_fd(ev), .events = POLLIN };
	p[1] = (struct pollfd){ .fd = cmd, .events = POLLIN };
	for (;;) {
		if (poll(p, 2, 1000) < 0 && errno != EINTR)
			break;
		vmctl_events_read(ev, nobody_event, NULL);
		if (p[1].revents)
			break;
	}
	vmctl_events_read(ev, nobody_event, NULL);
	vmctl_events_close(ev);
	vmctl_unref(ctx);
	_exit(0);
}

/* Kernels from 6.7 send events only to their watch's creator and admins. */
static bool kernel_filters_events(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 7);
}

static long read_long(const char *path)
{
	long v = 0;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

static pid_t g_nobody_pid;
static int g_child_cmd = -1, g_nobody_cmd = -1;
static struct vmctl_events *g_events;
static pthread_t g_listener, g_watcher;

static pid_t fork_child(void (*fn)(int), int *cmd)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		/* Only the parent may hold a write end: EOF is the signal to go. */
		close(p[1]);
		if (g_child_cmd >= 0)
			close(g_child_cmd);
		if (g_nobody_cmd >= 0)
			close(g_nobody_cmd);
		fn(p[0]);
	}
	close(p[0]);
	if (pid < 0)
		close(p[1]);
	else
		*cmd = p[1];
	return pid;
}

/*
 * Before the load starts: the children, the listener, the global watch
 * and the map-count child's watch. False when watches are not held.
 */
static bool watches_start(struct vmctl_ctx *ctx)
{
	struct vmctl_watch_spec spec = { 0 };
	struct vmctl_ctx *lctx;
	uint32_t id;
	int r;

	g_max_map_count = read_long("/proc/sys/vm/max_map_count");
	cs = mmap(NULL, sizeof(*cs) + sizeof(*ns), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (cs == MAP_FAILED || g_max_map_count <= 0) {
		printf("vmctl_load: cannot set the watches up\n");
		return false;
	}
	ns = (struct nobody_stats *)(cs + 1);
	fflush(stdout);
	g_child_pid = fork_child(child_main, &g_child_cmd);
	g_nobody_pid = fork_child(nobody_main, &g_nobody_cmd);
	if (g_child_pid < 0 || g_nobody_pid < 0) {
		err(errno, true, "fork");
		return false;
	}
	while (!atomic_load(&ns->ready))
		usleep(10000);
	/* Without per-listener filtering only administrators may listen. */
	if (atomic_load(&ns->error) &&
	    (kernel_filters_events() || atomic_load(&ns->error) != EPERM))
		fail("the unprivileged listener could not start: %s",
		     strerror(atomic_load(&ns->error)));

	r = vmctl_new(&lctx);
	if (!r)
		r = vmctl_events_open(lctx, 0, &g_events);
	if (r) {
		err(r, true, "vmctl_events_open");
		return false;
	}
	vmctl_unref(lctx);
	pthread_create(&g_listener, NULL, listener, g_events);

	spec.flags = VMCTL_WATCH_SPEC_GLOBAL | VMCTL_WATCH_SPEC_HYSTERESIS;
	spec.events = GLOBAL_EVENTS;
	spec.nthresholds = NELEM(global_thr);
	memcpy(spec.thresholds, global_thr, sizeof(global_thr));
	spec.hysteresis = GLOBAL_HYSTERESIS;
	r = vmctl_watch_add(ctx, &spec, &id);
	if (r)
		err(r, true, "vmctl_watch_add (global)");
	else
		atomic_store(&g_global_id, id);

	memset(&spec, 0, sizeof(spec));
	spec.pid = g_child_pid;
	spec.nthresholds = NELEM(child_thr);
	memcpy(spec.thresholds, child_thr, sizeof(child_thr));
	spec.fault_rate = CHILD_FAULT_RATE;
	r = vmctl_watch_add(ctx, &spec, &id);
	if (r) {
		err(r, true, "vmctl_watch_add (map-count child)");
	} else {
		atomic_store(&g_child_id, id);
		pair_add(id, g_child_pid, false);
	}
	n_w_made = !!g_global_id + !!g_child_id;
	if (write(g_child_cmd, "g", 1) != 1)
		err(errno, true, "starting the map-count child");
	pthread_create(&g_watcher, NULL, watcher, NULL);
	return true;
}

/* Did the listener hear what the map-count child must have caused? */
static void expect(bool cond, const char *what)
{
	if (!cond)
		fail("no %s", what);
}

static void watches_stop(struct vmctl_ctx *ctx)
{
	uint64_t child_dropped = 0, global_dropped = 0, sent = 0, dropped = 0;
	struct vmctl_watch_info *w;
	bool clean, filtered;
	size_t n, i;
	double t0;
	int status;

	pthread_join(g_watcher, NULL);
	/* The child finishes its round; a ramp takes RAMP_SECONDS at most. */
	if (!atomic_load(&cs->done)) {
		printf("vmctl_load: waiting for the map-count child to finish its round\n");
		fflush(stdout);
	}
	t0 = now_s();
	while (!atomic_load(&cs->done) && now_s() - t0 < 4 * RAMP_SECONDS + 60)
		usleep(50000);
	if (!atomic_load(&cs->done))
		fail("the map-count child did not finish its round");

	/* The kernel's counters, while the child's watch still lives. */
	if (!vmctl_watch_list(ctx, &w, &n)) {
		for (i = 0; i < n; i++) {
			sent += w[i].events_sent;
			dropped += w[i].events_dropped;
			if (w[i].id == g_global_id)
				global_dropped = w[i].events_dropped;
			if (w[i].id == g_child_id)
				child_dropped = w[i].events_dropped;
		}
		free(w);
	} else {
		fail("vmctl_watch_list at the end");
	}

	close(g_child_cmd);
	if (waitpid(g_child_pid, &status, 0) != g_child_pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		fail("the map-count child exited with status %#x", status);
	if (g_global_id)
		watch_del(ctx, g_global_id);
	/* Its process-exit event; the child's watch ended with it. */
	t0 = now_s();
	while (!(atomic_load(&child_own_kinds) & VMCTL_EVENT_PROCESS_EXIT) && now_s() - t0 < 5)
		usleep(50000);
	usleep(500000);
	atomic_store(&listen_stop, true);
	pthread_join(g_listener, NULL);
	vmctl_events_close(g_events);
	/* Ended by the exit, or about to be: either way gone after this. */
	if (g_child_id)
		vmctl_watch_del(ctx, g_child_id);

	close(g_nobody_cmd);
	if (waitpid(g_nobody_pid, &status, 0) != g_nobody_pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		fail("the unprivileged listener exited with status %#x", status);

	for (i = 0; i < ndeferred; i++)
		classify(&deferred[i], true);

	/* Nothing of ours is left. */
	if (!vmctl_watch_list(ctx, &w, &n)) {
		for (i = 0; i < n; i++)
			printf("vmctl_load: watch %u (pid %d) left over\n", w[i].id, w[i].pid);
		if (n)
			fail("%zu watches left over at the end", n);
		free(w);
	}

	/*
	 * What the map-count child did must have been heard, unless an
	 * event was lost on the way (listener overrun or kernel drop).
	 */
	clean = !atomic_load(&n_ev[0]) && !global_dropped && !child_dropped;
	if (clean && atomic_load(&cs->at_limit)) {
		expect(atomic_load(&child_global_thr) == (1U << NELEM(global_thr)) - 1,
		       "global map-count-threshold events for the map-count child");
		expect(atomic_load(&child_own_thr) == (1U << NELEM(child_thr)) - 1,
		       "the map-count child's own map-count-threshold events");
		expect(atomic_load(&child_global_kinds) & VMCTL_EVENT_MAP_COUNT_EXHAUSTED,
		       "a global map-count-exhausted event for the map-count child");
		expect(atomic_load(&child_own_kinds) & VMCTL_EVENT_MAP_COUNT_EXHAUSTED,
		       "the map-count child's own map-count-exhausted event");
	}
	if (clean && atomic_load(&cs->edquot)) {
		expect(atomic_load(&child_global_kinds) & VMCTL_EVENT_COMMIT_REFUSED,
		       "a global commit-refused event for the map-count child");
		expect(atomic_load(&child_own_kinds) & VMCTL_EVENT_COMMIT_REFUSED,
		       "the map-count child's own commit-refused event");
	}
	filtered = kernel_filters_events();
	if (filtered && (atomic_load(&ns->events) || atomic_load(&ns->lost)))
		fail("events of root's watches reached a listener of user nobody");

	printf("vmctl_load: watches: made %ld (1 global, 1 on the map-count child, %ld on "
	       "stress-ng processes, at most %ld of those at once, %ld on short-lived "
	       "children), deleted %ld, ended by their process first %ld, not made because "
	       "the process exited %ld; watch dumps %ld\n",
	       atomic_load(&n_w_made), atomic_load(&n_w_stress), atomic_load(&n_w_live_max),
	       atomic_load(&n_w_short), atomic_load(&n_w_del), atomic_load(&n_w_gone),
	       atomic_load(&n_w_esrch), atomic_load(&n_w_dump));
	printf("vmctl_load: events received %ld (map-count-threshold %ld, map-count-exhausted "
	       "%ld, commit-refused %ld, fault-rate %ld, process-exit %ld; of the global watch "
	       "%ld, the map-count child's %ld, the other per-process watches' %ld; exits of "
	       "short-lived children %ld), listener overruns %ld, inconsistent %ld\n",
	       atomic_load(&n_ev[1]) + atomic_load(&n_ev[2]) + atomic_load(&n_ev[3]) +
	       atomic_load(&n_ev[4]) + atomic_load(&n_ev[5]),
	       atomic_load(&n_ev[1]), atomic_load(&n_ev[2]), atomic_load(&n_ev[3]),
	       atomic_load(&n_ev[4]), atomic_load(&n_ev[5]), atomic_load(&n_ev_global),
	       atomic_load(&n_ev_child), atomic_load(&n_ev_stress),
	       atomic_load(&n_ev_short_exit), atomic_load(&n_ev[0]), atomic_load(&n_ev_bad));
	printf("vmctl_load: events by the kernel's counters of the watches live at the end: "
	       "sent %" PRIu64 ", dropped %" PRIu64 " (global watch %" PRIu64 ", map-count "
	       "child's %" PRIu64 ")\n", sent, dropped, global_dropped, child_dropped);
	printf("vmctl_load: map-count child: cycles %ld (vm.max_map_count %ld reached in %ld), "
	       "ENOMEM at the limit %ld, commits refused (EDQUOT) %ld, fault rounds %ld "
	       "(major faults %ld), errors %ld\n",
	       atomic_load(&cs->cycles), g_max_map_count, atomic_load(&cs->at_limit),
	       atomic_load(&cs->enomem), atomic_load(&cs->edquot),
	       atomic_load(&cs->fault_rounds), atomic_load(&cs->majflt),
	       atomic_load(&cs->errors));
	if (atomic_load(&ns->error))
		printf("vmctl_load: unprivileged listener: could not join the events group: %s%s\n",
		       strerror(atomic_load(&ns->error)),
		       filtered ? "" : " (as it must: this kernel cannot filter events)");
	else
		printf("vmctl_load: unprivileged listener: events %ld, overruns %ld (%s)\n",
		       atomic_load(&ns->events), atomic_load(&ns->lost),
		       filtered ? "must be 0: this kernel filters events per listener" :
				  "this kernel sends it every event");
	if (atomic_load(&cs->errors))
		fail("%ld calls of the map-count child failed", atomic_load(&cs->errors));
	if (atomic_load(&n_ev_bad))
		fail("%ld inconsistent events", atomic_load(&n_ev_bad));
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 't' },
		{ "threads", required_argument, NULL, 'j' },
		{ "seed", required_argument, NULL, 's' },
		{ "no-watches", no_argument, NULL, 'W' },
		{ "fault-file", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct vmctl_version ver;
	const char *watches = "on";
	struct vmctl_ctx *ctx;
	pthread_t d, h[16];
	int c, i;

	g_seed = time(NULL);
	while ((c = getopt_long(argc, argv, "t:j:s:", opts, NULL)) != -1) {
		switch (c) {
		case 't': g_seconds = atoi(optarg); break;
		case 'j': g_threads = atoi(optarg); break;
		case 's': g_seed = strtoull(optarg, NULL, 0); break;
		case 'W': g_watches = false; break;
		case 'f': g_fault_file = optarg; break;
		default:
			fprintf(stderr, "usage: %s [--seconds N] [--threads N] [--seed N] "
				"[--no-watches] [--fault-file PATH]\n", argv[0]);
			return 2;
		}
	}
	if (g_threads < 0 || g_threads > 16)
		g_threads = 3;
	seen = calloc(PID_MAX / 8, 1);
	dev_fd = open(VMCTL_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (!seen || dev_fd < 0 || vmctl_new(&ctx) || vmctl_get_version(ctx, &ver)) {
		printf("vmctl_load: cannot open vmctl\n");
		return 2;
	}
	g_features = ver.features;
	if (!(g_features & VMCTL_FEATURE_EVENTS))
		watches = "not in this module";
	else if (geteuid())
		watches = "off (a global watch needs root)";
	else if (!g_watches)
		watches = "off (--no-watches)";
	g_watches = !strcmp(watches, "on");
	printf("vmctl_load: %d s, %d hammer threads, seed %" PRIu64 ", fault tracking %s, "
	       "watches and events %s\n", g_seconds, g_threads, g_seed,
	       g_features & VMCTL_FEATURE_FAULTS ? "on" : "not in this module", watches);
	fflush(stdout);
	signal(SIGPIPE, SIG_IGN);

	clock_gettime(CLOCK_MONOTONIC, &g_end);
	g_end.tv_sec += g_seconds;
	if (g_watches)
		g_watches = watches_start(ctx);
	pthread_create(&d, NULL, dumper, NULL);
	for (i = 0; i < g_threads; i++)
		pthread_create(&h[i], NULL, hammer, (void *)(uintptr_t)(i + 1));
	/* A line every 30 s: a slow or stuck run shows where it is. */
	for (i = 1; running(); i++) {
		sleep(1);
		if (i % 30)
			continue;
		printf("vmctl_load: %d s: list_stats %ld, get_vmas %ld, reserve %ld, commit %ld, "
		       "watches made %ld, events %ld, map-count cycles %ld\n", i,
		       atomic_load(&n_list), atomic_load(&n_vmas), atomic_load(&n_reserve),
		       atomic_load(&n_commit), atomic_load(&n_w_made),
		       atomic_load(&n_ev[1]) + atomic_load(&n_ev[2]) + atomic_load(&n_ev[3]) +
		       atomic_load(&n_ev[4]) + atomic_load(&n_ev[5]),
		       cs ? atomic_load(&cs->cycles) : 0L);
		fflush(stdout);
	}
	pthread_join(d, NULL);
	for (i = 0; i < g_threads; i++)
		pthread_join(h[i], NULL);
	if (g_watches)
		watches_stop(ctx);
	vmctl_unref(ctx);
	close(dev_fd);

	printf("vmctl_load: held: processes seen %ld; list_stats dumps %ld, get_vmas %ld, "
	       "get_stats %ld, nl_get_vmas %ld; tracked %ld (at most %ld at once), "
	       "get_faults %ld\n",
	       atomic_load(&n_procs_seen), atomic_load(&n_list), atomic_load(&n_vmas),
	       atomic_load(&n_stats), atomic_load(&n_nlvmas), atomic_load(&n_track),
	       atomic_load(&n_tracked_max), atomic_load(&n_faults));
	printf("vmctl_load: held: reserve %ld, commit %ld, decommit %ld, reset %ld, "
	       "query %ld, release %ld; refused (ENOMEM/EDQUOT/ENOSPC/EEXIST) %ld; "
	       "exit races (ESRCH/ENODATA/EINTR) %ld\n",
	       atomic_load(&n_reserve), atomic_load(&n_commit), atomic_load(&n_decommit),
	       atomic_load(&n_reset), atomic_load(&n_query), atomic_load(&n_release),
	       atomic_load(&n_refused), atomic_load(&n_race));
	printf("vmctl_load: errors by errno:");
	for (i = 1; i <= NERR; i++)
		if (atomic_load(&errs[i]))
			printf(" %s=%ld", i == NERR ? "other" : strerrorname_np(i),
			       atomic_load(&errs[i]));
	printf("\nvmctl_load: unexpected %ld\n", atomic_load(&n_bad));
	return atomic_load(&n_bad) ? 1 : 0;
}
