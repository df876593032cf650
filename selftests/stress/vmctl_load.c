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
 *    committed data stays and decommitted pages read back as zero.
 * Then prints what it held: operations by kind, processes seen, errors by
 * errno, and exits 1 on an unexpected error or a data mismatch.
 *
 * Usage: vmctl_load [--seconds N] [--threads N] [--seed N]
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
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

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 't' },
		{ "threads", required_argument, NULL, 'j' },
		{ "seed", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct vmctl_version ver;
	struct vmctl_ctx *ctx;
	pthread_t d, h[16];
	int c, i;

	g_seed = time(NULL);
	while ((c = getopt_long(argc, argv, "t:j:s:", opts, NULL)) != -1) {
		switch (c) {
		case 't': g_seconds = atoi(optarg); break;
		case 'j': g_threads = atoi(optarg); break;
		case 's': g_seed = strtoull(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: %s [--seconds N] [--threads N] [--seed N]\n",
				argv[0]);
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
	vmctl_unref(ctx);
	printf("vmctl_load: %d s, %d hammer threads, seed %" PRIu64 ", fault tracking %s, "
	       "watches not in this module\n", g_seconds, g_threads, g_seed,
	       g_features & VMCTL_FEATURE_FAULTS ? "on" : "not in this module");
	fflush(stdout);

	clock_gettime(CLOCK_MONOTONIC, &g_end);
	g_end.tv_sec += g_seconds;
	pthread_create(&d, NULL, dumper, NULL);
	for (i = 0; i < g_threads; i++)
		pthread_create(&h[i], NULL, hammer, (void *)(uintptr_t)(i + 1));
	pthread_join(d, NULL);
	for (i = 0; i < g_threads; i++)
		pthread_join(h[i], NULL);
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
