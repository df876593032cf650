// SPDX-License-Identifier: GPL-2.0
/*
 * faults_bench: what fault accounting costs the page-fault path.
 *
 * Workloads: anonymous first-touch faults (4 KiB pages, MADV_NOHUGEPAGE,
 * one write per page, then munmap) and read faults on a mapped file whose
 * pages are in the page cache. Each workload runs, in this process, with:
 *   1. the module not loaded (removed and inserted again by this program),
 *   2. the module loaded and idle,
 *   3. another process tracked, this one not,
 *   4. this process tracked,
 *   5. system-wide tracking (every process; this one is untracked first).
 *
 * Prints, with RATIO = time with / time without (1.00x: no overhead):
 *   bench: faults_overhead_idle RATIOx       (2 against 1)
 *   bench: faults_overhead_untracked RATIOx  (3 against 1)
 *   bench: faults_overhead_tracked RATIOx    (4 against 1)
 *   bench: faults_overhead_systemwide RATIOx (5 against 1)
 * each the larger of the two workloads, and the per-workload figures.
 *
 * Options: -m MIB (size touched per run, default 32), -r REPS (default 5),
 * -k KO (module to insert again, default $VMCTL_TOP/module/vmctl.ko or
 * ./module/vmctl.ko).
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "bench.h"
#include "vmctl.h"

static long page_size;
static size_t bytes;
static int file_fd = -1;
static int vmctl_fd = -1;

static int anon_touch(void *arg)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t off;

	(void)arg;
	if (p == MAP_FAILED)
		return -errno;
	madvise(p, bytes, MADV_NOHUGEPAGE);
	for (off = 0; off < bytes; off += page_size)
		p[off] = 1;
	munmap(p, bytes);
	return 0;
}

static int file_touch(void *arg)
{
	volatile char *p = mmap(NULL, bytes, PROT_READ, MAP_PRIVATE, file_fd, 0);
	size_t off;
	int sum = 0;

	(void)arg;
	if (p == MAP_FAILED)
		return -errno;
	/* One fault per page: no fault-around. */
	madvise((void *)p, bytes, MADV_RANDOM);
	for (off = 0; off < bytes; off += page_size)
		sum += p[off];
	munmap((void *)p, bytes);
	return sum == (int)(bytes / page_size) ? 0 : -EIO;
}

static int module_remove(void)
{
	if (vmctl_fd >= 0)
		close(vmctl_fd);
	vmctl_fd = -1;
	if (syscall(SYS_delete_module, "vmctl", O_NONBLOCK))
		return -errno;
	return 0;
}

static int module_insert(const char *ko)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, "", 0))
		ret = -errno;
	close(fd);
	for (int i = 0; i < 100 && !ret; i++) {
		vmctl_fd = open("/dev/vmctl", O_RDWR | O_CLOEXEC);
		if (vmctl_fd >= 0)
			return 0;
		usleep(10000);
	}
	return ret ? ret : -ENOENT;
}

static int track_flags(unsigned long cmd, pid_t pid, __u64 flags)
{
	struct vmctl_track t = { .size = sizeof(t), .pid = pid, .flags = flags };

	return ioctl(vmctl_fd, cmd, &t) ? -errno : 0;
}

static int track(unsigned long cmd, pid_t pid)
{
	return track_flags(cmd, pid, 0);
}

static int idle_setup(void *arg)
{
	(void)arg;
	return 0;
}

enum { NOT_LOADED, IDLE, UNTRACKED, TRACKED, SYSTEM, MODES };
static const char *const mode_names[MODES] = {
	"not loaded", "loaded idle", "other tracked", "tracked", "system-wide",
};

int main(int argc, char **argv)
{
	const char *top = getenv("VMCTL_TOP");
	char ko_buf[4096], path[] = "/tmp/vmctl-faults-bench-XXXXXX";
	const char *ko = NULL;
	uint64_t t[2][MODES];
	int reps = 5, mib = 32, opt, err = 0;
	pid_t other = -1;
	char *buf;

	while ((opt = getopt(argc, argv, "m:r:k:")) != -1) {
		if (opt == 'm')
			mib = atoi(optarg);
		else if (opt == 'r')
			reps = atoi(optarg);
		else if (opt == 'k')
			ko = optarg;
		else
			return 2;
	}
	if (!ko) {
		snprintf(ko_buf, sizeof(ko_buf), "%s/module/vmctl.ko", top ? top : ".");
		ko = ko_buf;
	}
	page_size = sysconf(_SC_PAGESIZE);
	bytes = (size_t)mib << 20;

	file_fd = mkstemp(path);
	if (file_fd < 0)
		return 1;
	unlink(path);
	buf = malloc(bytes);
	memset(buf, 1, bytes);
	for (size_t off = 0; off < bytes; off += page_size)
		buf[off] = 1;
	if (write(file_fd, buf, bytes) != (ssize_t)bytes)
		return 1;
	free(buf);

	if (access(ko, R_OK)) {
		fprintf(stderr, "bench: %s: %s (set VMCTL_TOP or -k)\n", ko, strerror(errno));
		return 1;
	}
	vmctl_fd = open("/dev/vmctl", O_RDWR | O_CLOEXEC);

	for (int mode = 0; mode < MODES; mode++) {
		switch (mode) {
		case NOT_LOADED:
			err = module_remove();
			break;
		case IDLE:
			err = module_insert(ko);
			break;
		case UNTRACKED:
			other = bench_spawn_stopped(idle_setup, NULL);
			err = other < 0 ? -ECHILD : track(VMCTL_IOC_TRACK, other);
			break;
		case TRACKED:
			err = track(VMCTL_IOC_TRACK, 0);
			break;
		case SYSTEM:
			err = track(VMCTL_IOC_UNTRACK, 0);
			if (!err)
				err = track(VMCTL_IOC_UNTRACK, other);
			if (!err)
				err = track_flags(VMCTL_IOC_TRACK, 0, VMCTL_TRACK_SYSTEM);
			break;
		}
		if (err) {
			fprintf(stderr, "bench: setting up '%s': %s\n", mode_names[mode],
				strerror(-err));
			return 1;
		}
		t[0][mode] = bench_median(anon_touch, NULL, reps, &err);
		if (!err)
			t[1][mode] = bench_median(file_touch, NULL, reps, &err);
		if (err) {
			fprintf(stderr, "bench: workload: %s\n", strerror(-err));
			return 1;
		}
	}
	if (track_flags(VMCTL_IOC_UNTRACK, 0, VMCTL_TRACK_SYSTEM))
		fprintf(stderr, "bench: untrack failed\n");
	bench_kill(other);

	static const char *const wl[2] = { "anon", "file" };
	static const char *const names[MODES] = {
		NULL, "faults_overhead_idle", "faults_overhead_untracked",
		"faults_overhead_tracked", "faults_overhead_systemwide",
	};

	for (int w = 0; w < 2; w++)
		for (int m = IDLE; m < MODES; m++)
			printf("# %s %-14s %.3fx (%.3f ms vs %.3f ms not loaded, %d MiB)\n",
			       wl[w], mode_names[m], (double)t[w][m] / t[w][NOT_LOADED],
			       t[w][m] / 1e6, t[w][NOT_LOADED] / 1e6, mib);
	for (int m = IDLE; m < MODES; m++) {
		double r0 = (double)t[0][m] / t[0][NOT_LOADED];
		double r1 = (double)t[1][m] / t[1][NOT_LOADED];
		int w = r1 > r0;

		printf("bench: %s %.3fx (with %.3f ms, without %.3f ms, %s faults)\n",
		       names[m], w ? r1 : r0, t[w][m] / 1e6, t[w][NOT_LOADED] / 1e6, wl[w]);
	}
	return 0;
}
