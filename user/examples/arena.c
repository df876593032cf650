// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * arena: a small arena allocator on libvmctl's reserve/commit memory.
 *
 * The arena reserves 1 GiB of address space up front and hands out 64 KiB
 * chunks: a chunk is committed when it is first allocated and decommitted
 * when it is freed, so only live chunks cost memory and commit charge,
 * and the arena stays a single VMA whatever the pattern.
 *
 *   arena [-n CHUNKS]          allocate CHUNKS chunks (4096), free every
 *                              other one, print what the arena holds
 *   arena --compare [-n N]     the same fragment pattern (N chunks, every
 *                              other one freed) with vmctl and with the
 *                              mmap(PROT_NONE) + mprotect + madvise
 *                              emulation runtimes such as .NET use, and
 *                              the VMA count of each
 *   arena --hold ...           then print "ready PID" and wait for a
 *                              signal, so that "vmctl regions PID" and
 *                              "vmctl stats PID" can look at it
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <vmctl.h>

#define ARENA_SIZE	(1ULL << 30)
#define CHUNK_SIZE	(64 * 1024)
#define ARENA_CHUNKS	(ARENA_SIZE / CHUNK_SIZE)

struct arena {
	struct vmctl_ctx *ctx;
	char *base;
	uint8_t used[ARENA_CHUNKS];	/* 1: chunk allocated (and committed) */
	size_t next;			/* where the search for a free chunk starts */
	size_t live;
};

static int arena_init(struct arena *a, struct vmctl_ctx *ctx)
{
	memset(a, 0, sizeof(*a));
	a->ctx = ctx;
	return vmctl_reserve(ctx, ARENA_SIZE, 0, (void **)&a->base);
}

/* One zeroed chunk, or NULL with errno set. */
static void *arena_alloc(struct arena *a)
{
	for (size_t n = 0; n < ARENA_CHUNKS; n++) {
		size_t i = (a->next + n) % ARENA_CHUNKS;
		int err;

		if (a->used[i])
			continue;
		err = vmctl_commit(a->ctx, a->base + i * CHUNK_SIZE, CHUNK_SIZE, 0);
		if (err) {
			errno = -err;
			return NULL;
		}
		a->used[i] = 1;
		a->next = i + 1;
		a->live++;
		return a->base + i * CHUNK_SIZE;
	}
	errno = ENOMEM;
	return NULL;
}

static int arena_free(struct arena *a, void *p)
{
	size_t i = (size_t)((char *)p - a->base) / CHUNK_SIZE;
	int err;

	if ((char *)p < a->base || i >= ARENA_CHUNKS || !a->used[i])
		return -EINVAL;
	err = vmctl_decommit(a->ctx, p, CHUNK_SIZE);
	if (err)
		return err;
	a->used[i] = 0;
	if (i < a->next)
		a->next = i;
	a->live--;
	return 0;
}

static void arena_destroy(struct arena *a)
{
	vmctl_release(a->ctx, a->base);
	a->base = NULL;
}

/* VMAs of this process, from the kernel's own /proc/self/maps. */
static long count_vmas(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	long n = 0;
	int c;

	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		if (c == '\n')
			n++;
	fclose(f);
	return n;
}

/* The fragment pattern: allocate @n chunks, fill them, free every other one. */
static int run_vmctl(struct arena *a, size_t n, long *vmas)
{
	long before = count_vmas();
	char **chunks = calloc(n, sizeof(*chunks));
	int err;

	if (!chunks)
		return -ENOMEM;
	err = arena_init(a, a->ctx);
	if (err)
		goto out;
	for (size_t i = 0; i < n; i++) {
		chunks[i] = arena_alloc(a);
		if (!chunks[i]) {
			err = -errno;
			goto out;
		}
		memset(chunks[i], (int)(i & 0xff), CHUNK_SIZE);
	}
	for (size_t i = 0; i < n; i += 2) {
		err = arena_free(a, chunks[i]);
		if (err)
			goto out;
	}
	*vmas = count_vmas() - before;
out:
	free(chunks);
	return err;
}

/* The same pattern as runtimes do it without vmctl. */
static int run_emulation(size_t n, long *vmas, char **region)
{
	long before = count_vmas();
	char *base;

	base = mmap(NULL, ARENA_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		    -1, 0);
	if (base == MAP_FAILED)
		return -errno;
	for (size_t i = 0; i < n; i++) {
		char *c = base + i * CHUNK_SIZE;

		if (mprotect(c, CHUNK_SIZE, PROT_READ | PROT_WRITE))
			return -errno;
		memset(c, (int)(i & 0xff), CHUNK_SIZE);
	}
	for (size_t i = 0; i < n; i += 2) {
		char *c = base + i * CHUNK_SIZE;

		if (madvise(c, CHUNK_SIZE, MADV_DONTNEED) || mprotect(c, CHUNK_SIZE, PROT_NONE))
			return -errno;
	}
	*vmas = count_vmas() - before;
	*region = base;
	return 0;
}

static void print_arena(const struct arena *a)
{
	struct vmctl_region_info info;

	if (vmctl_query(a->ctx, a->base, &info) == 0)
		printf("arena at %p: %llu MiB reserved, %zu chunks live, %llu KiB committed, "
		       "%llu KiB resident\n", (void *)a->base,
		       (unsigned long long)info.reservation_size >> 20, a->live,
		       (unsigned long long)info.committed_bytes >> 10,
		       (unsigned long long)info.resident_bytes >> 10);
}

static void usage(FILE *out, const char *prog)
{
	fprintf(out, "Usage: %s [--compare] [--hold] [-n CHUNKS]\n", prog);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "compare", no_argument, NULL, 'c' },
		{ "hold", no_argument, NULL, 'H' },
		{ "chunks", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	bool compare = false, hold = false;
	long ours = 0, emul = 0;
	size_t n = 4096;
	struct arena *a;
	char *region = NULL;
	int opt, err;

	while ((opt = getopt_long(argc, argv, "cHn:h", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			compare = true;
			break;
		case 'H':
			hold = true;
			break;
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'h':
			usage(stdout, argv[0]);
			return 0;
		default:
			usage(stderr, argv[0]);
			return 2;
		}
	}
	if (!n || n > ARENA_CHUNKS) {
		fprintf(stderr, "arena: CHUNKS must be 1 to %llu\n", ARENA_CHUNKS);
		return 2;
	}

	a = malloc(sizeof(*a));
	if (!a)
		return 1;
	err = vmctl_new(&a->ctx);
	if (!err)
		err = run_vmctl(a, n, &ours);
	if (err) {
		fprintf(stderr, "arena: vmctl: %s\n", strerror(-err));
		return 1;
	}
	print_arena(a);
	if (compare) {
		err = run_emulation(n, &emul, &region);
		if (err) {
			fprintf(stderr, "arena: emulation: %s\n", strerror(-err));
			return 1;
		}
		printf("%zu chunks of 64 KiB allocated, every other one freed:\n", n);
		printf("vmctl: %ld VMA%s vs emulation: %ld VMAs\n", ours, ours == 1 ? "" : "s",
		       emul);
	}
	fflush(stdout);
	if (hold) {
		sigset_t set;
		int sig;

		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGINT);
		sigprocmask(SIG_BLOCK, &set, NULL);
		printf("ready %d\n", (int)getpid());
		fflush(stdout);
		sigwait(&set, &sig);
	}
	if (region)
		munmap(region, ARENA_SIZE);
	arena_destroy(a);
	vmctl_unref(a->ctx);
	free(a);
	return 0;
}
