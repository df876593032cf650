// SPDX-License-Identifier: GPL-2.0
/*
 * Reserve/commit memory against the emulation runtimes use without vmctl
 * (.NET, mimalloc, Wine): reserve = mmap(PROT_NONE), commit = mprotect(RW),
 * decommit = madvise(MADV_DONTNEED) + mprotect(PROT_NONE). Both run in
 * the same process, one after the other.
 *
 *   reserve_vmas_checkerboard  VMAs used by single-page commits of every
 *                              other page of 1 GiB: "<ours> vs <emulation>";
 *                              the emulation stops at ENOMEM (vm.max_map_count)
 *   commit_cycle               64 KiB commit + touch every page + decommit,
 *                              1 thread; commit_cycle_2t: 2 threads, each on
 *                              its own chunk of one reservation
 *   commit_cycle_ceiling       the best any design could do against the
 *                              emulation: its cycle time over the time to
 *                              zero 64 KiB, which every fresh commit pays
 *                              (x86-64 only)
 *   first_touch                first write to each page of committed memory
 *                              against a plain anonymous page fault (both
 *                              MADV_NOHUGEPAGE); printed as ours/anon, lower
 *                              is better (target <= 1.1)
 *   release                    release of a reservation holding 32 768
 *                              committed one-page fragments against munmap()
 *                              of the emulation's region split into as many
 *                              VMAs as vm.max_map_count allows (65 530)
 *
 * Options: -n REPS (7) -c CYCLES per commit_cycle run (2000)
 */

#include <pthread.h>
#include <sys/ioctl.h>

#include "bench.h"
#include "vmctl.h"

#define KIB		(1UL << 10)
#define MIB		(1UL << 20)
#define GIB		(1UL << 30)
#define CHUNK		(64 * KIB)

static long ps;
static int reps = 7;
static long cycles = 2000;

static uint64_t map_count(struct vmctl_ctx *ctx)
{
	struct vmctl_stats st;

	return vmctl_get_stats(ctx, 0, &st) ? 0 : st.map_count;
}

static void touch(char *p, size_t len)
{
	for (size_t i = 0; i < len; i += ps)
		((volatile char *)p)[i] = 1;
}

/* Median of @n samples (sorted in place). */
static uint64_t median(uint64_t *t, int n)
{
	qsort(t, n, sizeof(*t), bench_cmp_u64);
	return t[n / 2];
}

/* ---- reserve_vmas_checkerboard ---- */

static int checkerboard(struct vmctl_ctx *ctx)
{
	size_t pages = GIB / ps, emul = 0;
	uint64_t mc0, ours, emul_vmas;
	char *p, *e;
	int err;

	mc0 = map_count(ctx);
	err = vmctl_reserve(ctx, GIB, 0, (void **)&p);
	if (err)
		return err;
	for (size_t i = 0; i < pages; i += 2) {
		err = vmctl_commit(ctx, p + i * ps, ps, 0);
		if (err)
			return err;
	}
	ours = map_count(ctx) - mc0;
	vmctl_release(ctx, p);

	mc0 = map_count(ctx);
	e = mmap(NULL, GIB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (e == MAP_FAILED)
		return -errno;
	for (size_t i = 0; i < pages; i += 2) {
		if (mprotect(e + i * ps, ps, PROT_READ | PROT_WRITE))
			break;
		emul++;
	}
	emul_vmas = map_count(ctx) - mc0;
	printf("# checkerboard of %zu single-page commits: vmctl %zu commits in %llu VMA; "
	       "emulation ENOMEM after %zu commits at %llu VMAs (map_count %llu)\n",
	       pages / 2, pages / 2, (unsigned long long)ours, emul,
	       (unsigned long long)emul_vmas, (unsigned long long)map_count(ctx));
	printf("bench: reserve_vmas_checkerboard %llu vs %llu\n", (unsigned long long)ours,
	       (unsigned long long)emul_vmas);
	fflush(stdout);
	munmap(e, GIB);
	return 0;
}

/* ---- commit_cycle ---- */

struct cycler {
	struct vmctl_ctx *ctx;	/* NULL: the emulation */
	char *chunk;
	long cycles;
	unsigned int flags;	/* vmctl_commit() flags */
	int err;
	pthread_barrier_t *barrier;
};

static int cycle_ours(struct cycler *c)
{
	for (long i = 0; i < c->cycles; i++) {
		int err = vmctl_commit(c->ctx, c->chunk, CHUNK, c->flags);

		if (err)
			return err;
		touch(c->chunk, CHUNK);
		err = vmctl_decommit(c->ctx, c->chunk, CHUNK);
		if (err)
			return err;
	}
	return 0;
}

static int cycle_emul(struct cycler *c)
{
	for (long i = 0; i < c->cycles; i++) {
		if (mprotect(c->chunk, CHUNK, PROT_READ | PROT_WRITE))
			return -errno;
		touch(c->chunk, CHUNK);
		if (madvise(c->chunk, CHUNK, MADV_DONTNEED) ||
		    mprotect(c->chunk, CHUNK, PROT_NONE))
			return -errno;
	}
	return 0;
}

static void *cycler_thread(void *arg)
{
	struct cycler *c = arg;

	pthread_barrier_wait(c->barrier);
	c->err = c->ctx ? cycle_ours(c) : cycle_emul(c);
	return NULL;
}

/* Wall time of @nthreads threads cycling their own chunk of @base. */
static uint64_t run_cycles(struct vmctl_ctx **ctxs, char *base, int nthreads,
			   unsigned int flags, int *err)
{
	struct cycler c[2];
	pthread_t t[2];
	pthread_barrier_t barrier;
	uint64_t t0, t1;

	pthread_barrier_init(&barrier, NULL, nthreads + 1);
	for (int i = 0; i < nthreads; i++) {
		/* Chunks 1 MiB apart, inside one reservation (or region). */
		c[i] = (struct cycler){ .ctx = ctxs ? ctxs[i] : NULL, .chunk = base + MIB + i * MIB,
					.cycles = cycles, .flags = flags, .barrier = &barrier };
		pthread_create(&t[i], NULL, cycler_thread, &c[i]);
	}
	pthread_barrier_wait(&barrier);
	t0 = bench_now_ns();
	for (int i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	t1 = bench_now_ns();
	pthread_barrier_destroy(&barrier);
	*err = 0;
	for (int i = 0; i < nthreads; i++)
		if (c[i].err)
			*err = c[i].err;
	return t1 - t0;
}

static int commit_cycle(struct vmctl_ctx *ctx, int nthreads, unsigned int flags)
{
	struct vmctl_ctx *ctxs[2] = { ctx, NULL };
	uint64_t ours[reps], emul[reps];
	char name[32], *p, *e;
	int err;

	if (vmctl_new(&ctxs[1]))
		return -ENOMEM;
	err = vmctl_reserve(ctx, 64 * MIB, 0, (void **)&p);
	if (err)
		return err;
	e = mmap(NULL, 64 * MIB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (e == MAP_FAILED)
		return -errno;

	/* Warm up both, then alternate so drift hits both alike. */
	run_cycles(ctxs, p, nthreads, flags, &err);
	if (!err)
		run_cycles(NULL, e, nthreads, 0, &err);
	for (int i = 0; i < reps && !err; i++) {
		ours[i] = run_cycles(ctxs, p, nthreads, flags, &err);
		if (!err)
			emul[i] = run_cycles(NULL, e, nthreads, 0, &err);
	}
	vmctl_release(ctx, p);
	munmap(e, 64 * MIB);
	vmctl_unref(ctxs[1]);
	if (err)
		return err;
	if (nthreads == 1)
		snprintf(name, sizeof(name), "commit_cycle%s", flags ? "_populate" : "");
	else
		snprintf(name, sizeof(name), "commit_cycle_%dt%s", nthreads,
			 flags ? "_populate" : "");
	printf("# %s: %d thread(s) x %ld cycles of 64 KiB commit%s + touch + decommit\n", name,
	       nthreads, cycles, flags ? " (VMCTL_COMMIT_POPULATE)" : "");
	bench_report(name, median(ours, reps), "mprotect+madvise", median(emul, reps));
	return 0;
}

/*
 * Decommitted pages go back to the page allocator and a commit must read
 * as zeros, so each cycle zeroes 64 KiB in the kernel, whatever the
 * design: clear_page() is "rep stosb" on CPUs with ERMS (the dev VM's),
 * the same instruction timed here. The emulation pays it too, in its
 * faults; what is left of its cycle bounds how much faster anything can
 * be.
 */
static void zero_chunk(char *p)
{
#ifdef __x86_64__
	unsigned long n = CHUNK;

	asm volatile("rep stosb" : "+D" (p), "+c" (n) : "a" (0) : "memory");
#else
	memset(p, 0, CHUNK);
#endif
}

static int commit_cycle_ceiling(void)
{
	uint64_t zero[reps], emul[reps];
	char *e, *z;
	int err = 0;

	e = mmap(NULL, 64 * MIB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	z = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (e == MAP_FAILED || z == MAP_FAILED)
		return -errno;
	touch(z, CHUNK);
	run_cycles(NULL, e, 1, 0, &err);
	for (int i = 0; i < reps && !err; i++) {
		uint64_t t0 = bench_now_ns();

		for (long c = 0; c < cycles; c++)
			zero_chunk(z);
		zero[i] = bench_now_ns() - t0;
		emul[i] = run_cycles(NULL, e, 1, 0, &err);
	}
	munmap(e, 64 * MIB);
	munmap(z, CHUNK);
	if (err)
		return err;
	printf("# commit_cycle_ceiling: the emulation's cycle over zeroing 64 KiB (rep stosb, as clear_page()), %ld cycles\n",
	       cycles);
	bench_report("commit_cycle_ceiling", median(zero, reps), "mprotect+madvise",
		     median(emul, reps));
	return 0;
}

/* ---- first_touch ---- */

#define TOUCH_LEN	(16 * MIB)

static int first_touch(struct vmctl_ctx *ctx)
{
	uint64_t ours[reps], anon[reps], mo, ma;
	char *p, *a;
	int err;

	err = vmctl_reserve(ctx, TOUCH_LEN, 0, (void **)&p);
	if (err)
		return err;
	madvise(p, TOUCH_LEN, MADV_NOHUGEPAGE);
	for (int i = -1; i < reps; i++) {
		uint64_t t0;

		err = vmctl_commit(ctx, p, TOUCH_LEN, 0);
		if (err)
			return err;
		t0 = bench_now_ns();
		touch(p, TOUCH_LEN);
		if (i >= 0)
			ours[i] = bench_now_ns() - t0;
		err = vmctl_decommit(ctx, p, TOUCH_LEN);
		if (err)
			return err;

		a = mmap(NULL, TOUCH_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
		if (a == MAP_FAILED)
			return -errno;
		madvise(a, TOUCH_LEN, MADV_NOHUGEPAGE);
		t0 = bench_now_ns();
		touch(a, TOUCH_LEN);
		if (i >= 0)
			anon[i] = bench_now_ns() - t0;
		munmap(a, TOUCH_LEN);
	}
	vmctl_release(ctx, p);
	mo = median(ours, reps);
	ma = median(anon, reps);
	printf("# first_touch: write to each of %lu pages; committed (not populated) "
	       "reservation vs fresh anonymous memory\n", TOUCH_LEN / ps);
	printf("bench: first_touch %.2fx (ours/anon; vmctl %.3f ms, anon %.3f ms)\n",
	       ma ? (double)mo / ma : 0.0, mo / 1e6, ma / 1e6);
	fflush(stdout);
	return 0;
}

/* ---- release ---- */

#define FRAGMENTS	32768

static int release_bench(struct vmctl_ctx *ctx)
{
	uint64_t ours[reps], emul[reps], mc0, vmas = 0;
	size_t epages = 2 * 65536;
	int n = reps < 5 ? reps : 5, err;

	for (int i = 0; i < n; i++) {
		uint64_t t0;
		char *p, *e;

		err = vmctl_reserve(ctx, 2 * FRAGMENTS * ps, 0, (void **)&p);
		if (err)
			return err;
		for (size_t f = 0; f < FRAGMENTS; f++) {
			err = vmctl_commit(ctx, p + 2 * f * ps, ps, 0);
			if (err)
				return err;
			p[2 * f * ps] = 1;
		}
		t0 = bench_now_ns();
		err = vmctl_release(ctx, p);
		ours[i] = bench_now_ns() - t0;
		if (err)
			return err;

		mc0 = map_count(ctx);
		e = mmap(NULL, epages * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			 -1, 0);
		if (e == MAP_FAILED)
			return -errno;
		for (size_t f = 0; f < epages / 2; f++) {
			if (mprotect(e + 2 * f * ps, ps, PROT_READ | PROT_WRITE))
				break;
			e[2 * f * ps] = 1;
		}
		vmas = map_count(ctx) - mc0;
		t0 = bench_now_ns();
		munmap(e, epages * ps);
		emul[i] = bench_now_ns() - t0;
	}
	printf("# release: %d committed fragments (1 VMA) vs munmap of %llu VMAs\n", FRAGMENTS,
	       (unsigned long long)vmas);
	bench_report("release", median(ours, n), "munmap", median(emul, n));
	return 0;
}

int main(int argc, char **argv)
{
	struct vmctl_ctx *ctx;
	struct vmctl_version v;
	int opt, err;

	while ((opt = getopt(argc, argv, "n:c:")) != -1) {
		switch (opt) {
		case 'n':
			reps = atoi(optarg);
			break;
		case 'c':
			cycles = atol(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-n REPS] [-c CYCLES]\n", argv[0]);
			return 2;
		}
	}
	if (reps < 1 || cycles < 1)
		return 2;
	ps = sysconf(_SC_PAGESIZE);
	if (vmctl_new(&ctx))
		return 1;
	err = vmctl_get_version(ctx, &v);
	if (err) {
		bench_skip("resv", strerror(-err));
		return 0;
	}

	err = checkerboard(ctx);
	if (!err)
		err = commit_cycle(ctx, 1, 0);
	if (!err)
		err = commit_cycle_ceiling();
	if (!err)
		err = commit_cycle(ctx, 1, VMCTL_COMMIT_POPULATE);
	if (!err)
		err = commit_cycle(ctx, 2, 0);
	if (!err)
		err = commit_cycle(ctx, 2, VMCTL_COMMIT_POPULATE);
	if (!err)
		err = first_touch(ctx);
	if (!err)
		err = release_bench(ctx);
	vmctl_unref(ctx);
	if (err) {
		fprintf(stderr, "bench: resv failed: %s\n", strerror(-err));
		return 1;
	}
	return 0;
}
