// SPDX-License-Identifier: GPL-2.0
/*
 * faults_bench: what fault accounting costs the page-fault path.
 *
 * Workloads: anonymous first-touch faults (4 KiB pages, MADV_NOHUGEPAGE,
 * one write per page, then munmap) and read faults on a mapped file whose
 * pages are in the page cache (the kernel maps 16 pages around each such
 * fault, so these are 1/16 as many faults, each costlier). Each workload
 * runs with:
 *   1. the module not loaded (removed and inserted again by this program),
 *   2. the module loaded and idle,
 *   3. another process tracked, this one not,
 *   4. this process tracked,
 *   5. system-wide tracking (every process; this one is untracked first).
 *
 * The five modes run in that order in a round, each round in a new
 * process (so that "this one not" tracked has never been tracked), and
 * the rounds repeat: under instruction counting the time of the
 * anonymous workload still moves in steps of about 1.5 % with the state
 * of the page allocator, which lasts for a while but is shared by the
 * modes of one round. A round's ratios are against its own "not loaded"
 * time; the figure is the median over the rounds.
 *
 * Prints, with RATIO = time with / time without (1.00x: no overhead):
 *   bench: faults_overhead_idle RATIOx       (2 against 1)
 *   bench: faults_overhead_untracked RATIOx  (3 against 1)
 *   bench: faults_overhead_tracked RATIOx    (4 against 1)
 *   bench: faults_overhead_systemwide RATIOx (5 against 1)
 * each the larger of the two workloads, and the per-workload figures.
 *
 * Options: -m MIB (size touched per run, default 32), -r REPS (runs per
 * mode and round, median taken, default 3), -n ROUNDS (default 5), -k KO
 * (module to insert again, default $VMCTL_TOP/module/vmctl.ko or
 * ./module/vmctl.ko: pass the module scripts/vm inserted).
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
	/*
	 * MADV_RANDOM turns read-ahead off; fault-around still maps the
	 * cached pages around each fault.
	 */
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

/*
 * Whether @ko is the module loaded now (or none is): the same srcversion.
 * Removing one module and timing another would compare two builds.
 */
static int module_same(const char *ko)
{
	char want[64] = "srcversion=", *buf, *at;
	size_t n = strlen(want), len = 0, cap = 1 << 20;
	FILE *f = fopen("/sys/module/vmctl/srcversion", "r");
	int fd, same = 0;
	ssize_t r;

	if (!f)
		return 1;
	if (!fgets(want + n, sizeof(want) - n, f))
		want[n] = '\0';
	fclose(f);
	want[strcspn(want, "\n")] = '\0';
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	buf = malloc(cap);
	while (fd >= 0 && buf && (r = read(fd, buf + len, cap - len)) > 0) {
		len += r;
		if (len == cap) {
			at = realloc(buf, cap *= 2);
			if (!at)
				break;
			buf = at;
		}
	}
	/* The .modinfo string, NUL-terminated. */
	n = strlen(want) + 1;
	for (at = buf; buf && len >= n && at <= buf + len - n; at++) {
		at = memchr(at, 's', buf + len - n + 1 - at);
		if (!at)
			break;
		if (!memcmp(at, want, n)) {
			same = 1;
			break;
		}
	}
	free(buf);
	if (fd >= 0)
		close(fd);
	return same;
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
static const char *const wl_names[2] = { "anon", "file" };

/*
 * One round, in a new process: every mode in order, the median time of
 * @reps runs of each workload into t[workload][mode]. 0 or 1 (printed).
 */
static int round_run(const char *ko, pid_t other, int reps, uint64_t t[2][MODES])
{
	int (*const fn[2])(void *) = { anon_touch, file_touch };
	int err = 0;

	for (int mode = 0; mode < MODES; mode++) {
		switch (mode) {
		case NOT_LOADED:
			err = module_remove();
			break;
		case IDLE:
			err = module_insert(ko);
			break;
		case UNTRACKED:
			err = track(VMCTL_IOC_TRACK, other);
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
		for (int w = 0; w < 2 && !err; w++)
			t[w][mode] = bench_median(fn[w], NULL, reps, &err);
		if (err) {
			fprintf(stderr, "bench: workload: %s\n", strerror(-err));
			return 1;
		}
	}
	if (track_flags(VMCTL_IOC_UNTRACK, 0, VMCTL_TRACK_SYSTEM)) {
		fprintf(stderr, "bench: untrack failed\n");
		return 1;
	}
	close(vmctl_fd);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	const char *top = getenv("VMCTL_TOP");
	char ko_buf[4096], path[] = "/tmp/vmctl-faults-bench-XXXXXX";
	const char *ko = NULL;
	int reps = 3, rounds = 5, mib = 32, opt;
	uint64_t (*t)[2][MODES];
	pid_t other, pid;
	int status;
	char *buf;

	while ((opt = getopt(argc, argv, "m:r:n:k:")) != -1) {
		if (opt == 'm')
			mib = atoi(optarg);
		else if (opt == 'r')
			reps = atoi(optarg);
		else if (opt == 'n')
			rounds = atoi(optarg);
		else if (opt == 'k')
			ko = optarg;
		else
			return 2;
	}
	if (reps < 1 || rounds < 1 || mib < 1)
		return 2;
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
	if (!module_same(ko)) {
		fprintf(stderr, "bench: %s is not the vmctl module loaded now (-k KO)\n", ko);
		return 1;
	}
	/* Results from the round processes. */
	t = mmap(NULL, rounds * sizeof(*t), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t == MAP_FAILED)
		return 1;
	/* Before /dev/vmctl is opened: it must not keep the module busy. */
	other = bench_spawn_stopped(idle_setup, NULL);
	if (other < 0)
		return 1;

	for (int r = 0; r < rounds; r++) {
		pid = fork();
		if (pid < 0)
			break;
		if (!pid)
			_exit(round_run(ko, other, reps, t[r]));
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			bench_kill(other);
			return 1;
		}
	}
	bench_kill(other);
	if (pid < 0)
		return 1;

	static const char *const names[MODES] = {
		NULL, "faults_overhead_idle", "faults_overhead_untracked",
		"faults_overhead_tracked", "faults_overhead_systemwide",
	};
	double ratio[2][MODES];
	int mid[2][MODES];

	/* Per workload and mode: the median round's ratio and times. */
	for (int w = 0; w < 2; w++) {
		for (int m = IDLE; m < MODES; m++) {
			double v[rounds], x;

			for (int r = 0; r < rounds; r++)
				v[r] = (double)t[r][w][m] / t[r][w][NOT_LOADED];
			qsort(v, rounds, sizeof(v[0]), cmp_double);
			ratio[w][m] = x = v[rounds / 2];
			for (int r = 0; r < rounds; r++)
				if ((double)t[r][w][m] / t[r][w][NOT_LOADED] == x)
					mid[w][m] = r;
			printf("# %s %-14s %.3fx (%.3f ms vs %.3f ms not loaded, %d MiB; rounds",
			       wl_names[w], mode_names[m], x, t[mid[w][m]][w][m] / 1e6,
			       t[mid[w][m]][w][NOT_LOADED] / 1e6, mib);
			for (int r = 0; r < rounds; r++)
				printf(" %.3f", (double)t[r][w][m] / t[r][w][NOT_LOADED]);
			printf(")\n");
		}
	}
	for (int m = IDLE; m < MODES; m++) {
		int w = ratio[1][m] > ratio[0][m], r = mid[w][m];

		printf("bench: %s %.3fx (with %.3f ms, without %.3f ms, %s faults)\n",
		       names[m], ratio[w][m], t[r][w][m] / 1e6, t[r][w][NOT_LOADED] / 1e6,
		       wl_names[w]);
	}
	return 0;
}
