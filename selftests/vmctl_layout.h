/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A child process with a known, varied address space for the stats and
 * VMA listing selftests: split anonymous memory, file mappings on a
 * non-tmpfs filesystem and on tmpfs, shared anonymous memory, memfd, an
 * unlinked file, mlock, madvise flags, MAP_NORESERVE, PROT_NONE guards, a
 * grown brk heap, executable anonymous memory and threads. It stops
 * itself once set up; struct layout_info (in shared memory) tells the
 * parent where everything is.
 */
#ifndef _VMCTL_LAYOUT_H
#define _VMCTL_LAYOUT_H

#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "vmctl_proc.h"

#ifndef PR_SET_VMA
#define PR_SET_VMA		0x53564d41
#define PR_SET_VMA_ANON_NAME	0
#endif

#define LAYOUT_SPLIT_PAGES	4000
#define LAYOUT_LOCK_PAGES	256
#define LAYOUT_SHM_PAGES	1024
#define LAYOUT_HEAP_BYTES	(1 << 20)
#define LAYOUT_THREADS		4
#define LAYOUT_DELETED_PAGES	512
#define LAYOUT_THREAD_PAGES	256
#define LAYOUT_HIWATER_BYTES	(16 << 20)

struct layout_info {
	uintptr_t split;		/* LAYOUT_SPLIT_PAGES, odd pages PROT_NONE */
	uintptr_t locked;		/* LAYOUT_LOCK_PAGES, mlocked */
	uintptr_t shm;			/* shared anonymous, touched */
	uintptr_t lower_ro;		/* private read-only map of a non-tmpfs file */
	uintptr_t lower_shared;		/* MAP_SHARED PROT_READ of the same file */
	uintptr_t lower_cow;		/* private writable map of it (accounted) */
	size_t lower_len;
	uintptr_t deleted;		/* MAP_SHARED of a file unlinked afterwards */
	uintptr_t tmpfile;		/* MAP_SHARED of a file on /tmp */
	uintptr_t memfd;
	uintptr_t named;		/* anonymous, named "vmctl-test" if supported */
	uintptr_t noreserve;
	uintptr_t guard;
	uintptr_t execmem;
	uintptr_t madv[5];		/* DONTFORK, DONTDUMP, WIPEONFORK, HUGEPAGE, NOHUGEPAGE */
	uintptr_t brk_start, brk_end;
	bool deleted_is_shmem;		/* its filesystem turned out to be shmem */
	char lower_path[PATH_MAX];
	char deleted_path[PATH_MAX];
	char tmpfile_path[PATH_MAX];
	int step;			/* last step reached, for failures */
};

static sem_t layout_sem;
static pthread_barrier_t layout_barrier;

static void *layout_thread(void *arg)
{
	long ps = page_size();
	char *p = mmap(NULL, LAYOUT_THREAD_PAGES * ps, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED)
		for (int i = 0; i < LAYOUT_THREAD_PAGES; i++)
			p[i * ps] = 1;
	if (arg) {		/* stays alive */
		sem_post(&layout_sem);
		pthread_barrier_wait(&layout_barrier);
	}
	return NULL;
}

/* The directory of this test binary: on the host's (non-tmpfs) root. */
static inline int layout_exe_dir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	char *slash;

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	return 0;
}

static inline int layout_file(const char *path, size_t len)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	if (ftruncate(fd, len)) {
		close(fd);
		return -1;
	}
	return fd;
}

static inline void *layout_touch(void *p, size_t len)
{
	long ps = page_size();

	if (p != MAP_FAILED)
		for (size_t i = 0; i < len; i += ps)
			((volatile char *)p)[i] = 1;
	return p;
}

static inline void *layout_read(void *p, size_t len)
{
	long ps = page_size();
	unsigned int sum = 0;

	if (p != MAP_FAILED)
		for (size_t i = 0; i < len; i += ps)
			sum += ((volatile char *)p)[i];
	(void)sum;
	return p;
}

#define LAYOUT_STEP(info, cond) do {		\
	(info)->step++;				\
	if (!(cond))				\
		return 20 + (info)->step;	\
} while (0)

/* Runs in the child; returns 0 or an exit code naming the failed step. */
static int layout_setup(void *arg)
{
	struct layout_info *li = arg;
	pthread_t th[LAYOUT_THREADS];
	long ps = page_size();
	struct stat stb;
	char dir[PATH_MAX - 64];
	void *p;
	int fd;

	li->step = 0;
	LAYOUT_STEP(li, (p = map_isolated(LAYOUT_SPLIT_PAGES, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS)) != MAP_FAILED);
	li->split = (uintptr_t)p;
	LAYOUT_STEP(li, !split_alternating(p, LAYOUT_SPLIT_PAGES));

	LAYOUT_STEP(li, (p = map_isolated(LAYOUT_LOCK_PAGES, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS)) != MAP_FAILED);
	li->locked = (uintptr_t)p;
	LAYOUT_STEP(li, !mlock(p, LAYOUT_LOCK_PAGES * ps));

	p = mmap(NULL, LAYOUT_SHM_PAGES * ps, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	LAYOUT_STEP(li, layout_touch(p, LAYOUT_SHM_PAGES * ps) != MAP_FAILED);
	li->shm = (uintptr_t)p;

	/* A file of the host root (9p under the overlay): kind file. */
	LAYOUT_STEP(li, readlink("/proc/self/exe", li->lower_path,
				 sizeof(li->lower_path) - 1) > 0);
	fd = open(li->lower_path, O_RDONLY | O_CLOEXEC);
	LAYOUT_STEP(li, fd >= 0 && !fstat(fd, &stb) && stb.st_size >= 4 * ps);
	li->lower_len = stb.st_size & ~(ps - 1);
	p = mmap(NULL, li->lower_len, PROT_READ, MAP_PRIVATE, fd, 0);
	LAYOUT_STEP(li, layout_read(p, li->lower_len) != MAP_FAILED);
	li->lower_ro = (uintptr_t)p;
	p = mmap(NULL, li->lower_len, PROT_READ, MAP_SHARED, fd, 0);
	LAYOUT_STEP(li, p != MAP_FAILED);
	li->lower_shared = (uintptr_t)p;
	p = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, ps);
	LAYOUT_STEP(li, layout_touch(p, ps) != MAP_FAILED);
	li->lower_cow = (uintptr_t)p;
	close(fd);

	/* A file created next to the binary, mapped, then unlinked. */
	LAYOUT_STEP(li, !layout_exe_dir(dir, sizeof(dir)));
	snprintf(li->deleted_path, sizeof(li->deleted_path),
		 "%s/.vmctl-layout-%d", dir, getpid());
	fd = layout_file(li->deleted_path, LAYOUT_DELETED_PAGES * ps);
	LAYOUT_STEP(li, fd >= 0);
	p = mmap(NULL, LAYOUT_DELETED_PAGES * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	LAYOUT_STEP(li, p != MAP_FAILED);
	{
		/*
		 * Which filesystem really backs it (an overlay's upper layer
		 * may be tmpfs): the kernel's RssShmem counter tells.
		 */
		struct proc_status a, b;

		LAYOUT_STEP(li, !proc_status_read(getpid(), &a));
		layout_touch(p, LAYOUT_DELETED_PAGES * ps);
		LAYOUT_STEP(li, !proc_status_read(getpid(), &b));
		li->deleted_is_shmem = b.rss_shmem - a.rss_shmem >= LAYOUT_DELETED_PAGES / 2 * ps;
	}
	li->deleted = (uintptr_t)p;
	close(fd);
	LAYOUT_STEP(li, !unlink(li->deleted_path));

	/* A file on /tmp (tmpfs in the VM): kind shmem. */
	snprintf(li->tmpfile_path, sizeof(li->tmpfile_path),
		 "/tmp/vmctl-layout-%d", getpid());
	fd = layout_file(li->tmpfile_path, 8 * ps);
	LAYOUT_STEP(li, fd >= 0);
	p = mmap(NULL, 8 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	LAYOUT_STEP(li, layout_touch(p, 4 * ps) != MAP_FAILED);
	li->tmpfile = (uintptr_t)p;
	close(fd);

	fd = memfd_create("vmctl-test", MFD_CLOEXEC);
	LAYOUT_STEP(li, fd >= 0 && !ftruncate(fd, 4 * ps));
	p = mmap(NULL, 4 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	LAYOUT_STEP(li, layout_touch(p, 4 * ps) != MAP_FAILED);
	li->memfd = (uintptr_t)p;
	close(fd);

	LAYOUT_STEP(li, (p = map_isolated(4, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS)) != MAP_FAILED);
	li->named = (uintptr_t)p;
	/* Kernels without CONFIG_ANON_VMA_NAME fail: the VMA stays unnamed. */
	prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, p, 4 * ps, "vmctl-test");

	LAYOUT_STEP(li, (p = map_isolated(16, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE))
			!= MAP_FAILED);
	li->noreserve = (uintptr_t)p;
	LAYOUT_STEP(li, (p = map_isolated(16, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS))
			!= MAP_FAILED);
	li->guard = (uintptr_t)p;
	LAYOUT_STEP(li, (p = map_isolated(4, PROT_READ | PROT_EXEC,
					  MAP_PRIVATE | MAP_ANONYMOUS)) != MAP_FAILED);
	li->execmem = (uintptr_t)p;

	{
		static const int advice[5] = {
			MADV_DONTFORK, MADV_DONTDUMP, MADV_WIPEONFORK,
			MADV_HUGEPAGE, MADV_NOHUGEPAGE,
		};

		for (int i = 0; i < 5; i++) {
			LAYOUT_STEP(li, (p = map_isolated(4, PROT_READ | PROT_WRITE,
							  MAP_PRIVATE | MAP_ANONYMOUS))
					!= MAP_FAILED);
			li->madv[i] = (uintptr_t)p;
			/* THP may be compiled out: then the VMA just has no flag. */
			madvise(p, 4 * ps, advice[i]);
		}
	}

	/* Grow the brk heap. */
	li->brk_start = (uintptr_t)sbrk(0);
	LAYOUT_STEP(li, sbrk(LAYOUT_HEAP_BYTES) != (void *)-1);
	li->brk_end = (uintptr_t)sbrk(0);
	layout_touch((void *)li->brk_start, LAYOUT_HEAP_BYTES);

	/* Raise the RSS high-water mark above what stays mapped. */
	p = mmap(NULL, LAYOUT_HIWATER_BYTES, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	LAYOUT_STEP(li, layout_touch(p, LAYOUT_HIWATER_BYTES) != MAP_FAILED);
	munmap(p, LAYOUT_HIWATER_BYTES);

	/* Threads fault too: two exit, two stay. */
	LAYOUT_STEP(li, !sem_init(&layout_sem, 0, 0) &&
			!pthread_barrier_init(&layout_barrier, NULL, 3));
	for (int i = 0; i < LAYOUT_THREADS; i++)
		LAYOUT_STEP(li, !pthread_create(&th[i], NULL, layout_thread,
						i < 2 ? NULL : (void *)1));
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (int i = 2; i < LAYOUT_THREADS; i++)
		sem_wait(&layout_sem);
	return 0;
}

/* Starts the layout child, stopped; *li is shared with it. */
static inline pid_t layout_spawn(struct layout_info **li, int *status)
{
	*li = mmap(NULL, sizeof(**li), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (*li == MAP_FAILED)
		return -1;
	memset(*li, 0, sizeof(**li));
	pid_t pid = spawn_stopped(layout_setup, *li, status);

	if (pid > 0 && (*li)->deleted_is_shmem)
		proc_shmem_vma_add((*li)->deleted);
	return pid;
}

static inline void layout_cleanup(pid_t pid, struct layout_info *li)
{
	kill_child(pid);
	if (li && li != MAP_FAILED) {
		if (li->tmpfile_path[0])
			unlink(li->tmpfile_path);
		munmap(li, sizeof(*li));
	}
}

#endif /* _VMCTL_LAYOUT_H */
