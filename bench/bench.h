/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the vmctl benchmark programs: timing, medians, the
 * report line format and workload processes.
 *
 * Every program prints one line per comparison:
 *   bench: NAME RATIOx (vmctl A ms, BASELINE B ms)
 * RATIO is baseline time / vmctl time (higher is better for vmctl), from
 * medians of repeated runs. Under scripts/vm --icount the guest clock
 * counts instructions, so the figures repeat run to run.
 */
#ifndef _VMCTL_BENCH_H
#define _VMCTL_BENCH_H

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Median time in ns of @reps calls of @fn(@arg) after one warm-up call;
 * returns 0 and sets *err if a call fails.
 */
static inline uint64_t bench_median(int (*fn)(void *), void *arg, int reps, int *err)
{
	uint64_t t[reps];

	*err = fn(arg);
	if (*err)
		return 0;
	for (int i = 0; i < reps; i++) {
		uint64_t t0 = bench_now_ns();

		*err = fn(arg);
		t[i] = bench_now_ns() - t0;
		if (*err)
			return 0;
	}
	qsort(t, reps, sizeof(t[0]), bench_cmp_u64);
	return t[reps / 2];
}

static inline void bench_report(const char *name, uint64_t vmctl_ns, const char *base_name,
				uint64_t base_ns)
{
	printf("bench: %s %.1fx (vmctl %.3f ms, %s %.3f ms)\n", name,
	       vmctl_ns ? (double)base_ns / vmctl_ns : 0.0, vmctl_ns / 1e6,
	       base_name, base_ns / 1e6);
	fflush(stdout);
}

static inline void bench_skip(const char *name, const char *why)
{
	printf("bench: %s skipped (%s)\n", name, why);
	fflush(stdout);
}

/*
 * A workload process: runs @setup, then stops itself (SIGSTOP) so it is
 * quiescent while measured. Returns its pid or -1.
 */
static inline pid_t bench_spawn_stopped(int (*setup)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int ret = setup(arg);

		if (ret)
			_exit(ret);
		raise(SIGSTOP);
		for (;;)
			pause();
	}
	if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status)) {
		fprintf(stderr, "bench: workload setup failed (status %#x)\n", status);
		return -1;
	}
	return pid;
}

static inline void bench_kill(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/* Raises vm.max_map_count to at least @want (as root); 0 or -errno. */
static inline int bench_max_map_count(unsigned long want)
{
	unsigned long cur = 0;
	FILE *f = fopen("/proc/sys/vm/max_map_count", "r+");
	int ret = 0;

	if (!f)
		return -errno;
	if (fscanf(f, "%lu", &cur) != 1)
		ret = -EIO;
	else if (cur < want) {
		rewind(f);
		if (fprintf(f, "%lu\n", want) < 0)
			ret = -EIO;
	}
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

#endif /* _VMCTL_BENCH_H */
