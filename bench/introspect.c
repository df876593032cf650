// SPDX-License-Identifier: GPL-2.0
/*
 * Address-space introspection of a big process, vmctl against what Linux
 * offers without it. The workload: 1 GiB resident plus ~65 000 VMAs
 * (alternating mprotect over one mapping), stopped while measured.
 *
 *   stats_vs_proc          vmctl_get_stats() against reading and parsing
 *                          /proc/PID/status, /proc/PID/stat and
 *                          /proc/PID/smaps_rollup
 *   vmas_vs_maps           vmctl_get_vmas() against reading and parsing
 *                          /proc/PID/maps into records
 *   vmas_vs_procmap_query  vmctl_get_vmas() against a PROCMAP_QUERY ioctl
 *                          walk of /proc/PID/maps (Linux 6.11+)
 *
 * Options: -r RESIDENT_MIB (1024) -v VMAS (65000) -n REPS (9)
 *          -H: resident memory in base pages (MADV_NOHUGEPAGE), not THP
 *
 * Lines starting with "#" give the bare ioctl times (no libvmctl) too.
 */

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>

#include "bench.h"
#include "vmctl.h"

/* PROCMAP_QUERY (Linux 6.11) when the installed uapi headers predate it. */
#ifndef PROCMAP_QUERY
struct procmap_query {
	__u64 size;
	__u64 query_flags;
	__u64 query_addr;
	__u64 vma_start;
	__u64 vma_end;
	__u64 vma_flags;
	__u64 vma_page_size;
	__u64 vma_offset;
	__u64 inode;
	__u32 dev_major;
	__u32 dev_minor;
	__u32 vma_name_size;
	__u32 build_id_size;
	__u64 vma_name_addr;
	__u64 build_id_addr;
};
#define PROCMAP_QUERY				_IOWR('f', 17, struct procmap_query)
#define PROCMAP_QUERY_VMA_SHARED		0x08
#define PROCMAP_QUERY_COVERING_OR_NEXT_VMA	0x10
#endif

#define MIB	(1UL << 20)

struct workload {
	size_t resident_mib;
	size_t vmas;
	int nohuge;		/* resident memory in base pages only */
};

static int workload_setup(void *arg)
{
	const struct workload *w = arg;
	long ps = sysconf(_SC_PAGESIZE);
	size_t len = w->resident_mib * MIB, pages = w->vmas;
	char *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 10;
	if (w->nohuge)
		madvise(p, len, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < len; i += ps)
		p[i] = 1;
	p = mmap(NULL, pages * ps, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return 11;
	for (size_t i = 1; i < pages; i += 2)
		if (mprotect(p + i * ps, ps, PROT_NONE))
			return 12;
	return 0;
}

/* What every contender produces for one VMA. */
struct rec {
	uint64_t start, end, offset, inode;
	uint32_t major, minor, flags, name_off;
};

struct ctx {
	struct vmctl_ctx *vc;
	int dev;		/* /dev/vmctl for the raw ioctl figures */
	struct vmctl_vma *raw;
	size_t raw_max;
	pid_t pid;
	char path_status[64], path_stat[64], path_rollup[64], path_maps[64];
	char *buf;
	size_t buf_size;
	struct rec *recs;
	size_t max_recs;
	char *names;
	size_t names_size;
	size_t n;		/* records of the last listing */
	uint64_t sink;
};

/* ---- stats ---- */

static int run_vmctl_stats(void *arg)
{
	struct ctx *c = arg;
	struct vmctl_stats st;
	int ret = vmctl_get_stats(c->vc, c->pid, &st);

	c->sink += st.rss_bytes + st.map_count;
	return ret;
}

static ssize_t read_all(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	if (n < 0)
		return -errno;
	buf[len] = '\0';
	return len;
}

/* Sums "Key:   N kB" values of every line into vals[] by key index. */
static void parse_kv(const char *p, const char *const *keys, int nkeys, uint64_t *vals)
{
	while (*p) {
		const char *colon = strchr(p, ':'), *nl;

		if (!colon)
			break;
		for (int k = 0; k < nkeys; k++) {
			size_t kl = strlen(keys[k]);

			if ((size_t)(colon - p) == kl && !memcmp(p, keys[k], kl)) {
				vals[k] = strtoull(colon + 1, NULL, 10);
				break;
			}
		}
		nl = strchr(colon, '\n');
		if (!nl)
			break;
		p = nl + 1;
	}
}

static int run_proc_stats(void *arg)
{
	static const char *const status_keys[] = {
		"VmPeak", "VmSize", "VmLck", "VmPin", "VmHWM", "VmRSS", "RssAnon",
		"RssFile", "RssShmem", "VmData", "VmStk", "VmExe", "VmLib", "VmSwap",
	};
	static const char *const rollup_keys[] = {
		"Rss", "Pss", "Anonymous", "Swap", "Locked",
	};
	uint64_t sv[14] = {}, rv[5] = {}, minflt, majflt;
	struct ctx *c = arg;
	char *p;

	if (read_all(c->path_status, c->buf, c->buf_size) < 0)
		return -EIO;
	parse_kv(c->buf, status_keys, 14, sv);
	if (read_all(c->path_stat, c->buf, c->buf_size) < 0)
		return -EIO;
	p = strrchr(c->buf, ')');
	if (!p)
		return -EIO;
	p += 2;
	for (int f = 3; f < 10; f++) {
		p = strchr(p, ' ');
		if (!p)
			return -EIO;
		p++;
	}
	minflt = strtoull(p, &p, 10);
	strtoull(p, &p, 10);
	majflt = strtoull(p, &p, 10);
	if (read_all(c->path_rollup, c->buf, c->buf_size) < 0)
		return -EIO;
	/* The first line is the address range header. */
	p = strchr(c->buf, '\n');
	parse_kv(p ? p + 1 : c->buf, rollup_keys, 5, rv);
	c->sink += sv[5] + rv[0] + minflt + majflt;
	return 0;
}

/* The bare ioctl, to tell library overhead from kernel time. */
static int run_raw_stats(void *arg)
{
	struct ctx *c = arg;
	struct vmctl_stats st = { .size = sizeof(st), .pid = c->pid };

	if (ioctl(c->dev, VMCTL_IOC_GET_STATS, &st))
		return -errno;
	c->sink += st.map_count;
	return 0;
}

static int run_raw_vmas(void *arg)
{
	struct ctx *c = arg;
	struct vmctl_vmas a = {
		.size = sizeof(a), .pid = c->pid,
		.vmas_addr = (uintptr_t)c->raw, .vma_size = sizeof(*c->raw),
		.vma_count = c->raw_max, .names_addr = (uintptr_t)c->names,
		.names_size = c->names_size,
	};

	do {
		if (ioctl(c->dev, VMCTL_IOC_GET_VMAS, &a))
			return -errno;
		a.addr = a.next_addr;
		c->sink += a.vma_count;
	} while (!(a.out_flags & VMCTL_VMAS_END));
	return 0;
}

/* ---- VMA listings ---- */

static int run_vmctl_vmas(void *arg)
{
	struct ctx *c = arg;
	struct vmctl_vma *v;
	size_t n;
	int ret = vmctl_get_vmas(c->vc, c->pid, &v, &n);

	if (ret)
		return ret;
	c->n = n;
	c->sink += n ? v[n - 1].end : 0;
	free(v);
	return 0;
}

static int grow_recs(struct ctx *c)
{
	size_t m = c->max_recs ? c->max_recs * 2 : 4096;
	struct rec *r = realloc(c->recs, m * sizeof(*r));

	if (!r)
		return -ENOMEM;
	c->recs = r;
	c->max_recs = m;
	return 0;
}

/* Parses /proc/PID/maps into records and a names buffer. */
static int run_maps(void *arg)
{
	struct ctx *c = arg;
	size_t n = 0, names = 0;
	ssize_t len;
	char *p, *e;

	len = read_all(c->path_maps, c->buf, c->buf_size);
	if (len < 0)
		return len;
	if ((size_t)len >= c->buf_size - 1)
		return -ENOSPC;
	for (p = c->buf; *p; p = e) {
		struct rec *r;
		char *nl;

		if (n == c->max_recs && grow_recs(c))
			return -ENOMEM;
		r = &c->recs[n];
		r->start = strtoull(p, &e, 16);
		r->end = strtoull(e + 1, &e, 16);
		r->flags = (e[1] == 'r') | (e[2] == 'w') << 1 | (e[3] == 'x') << 2 |
			   (e[4] == 's') << 3;
		r->offset = strtoull(e + 6, &e, 16);
		r->major = strtoul(e + 1, &e, 16);
		r->minor = strtoul(e + 1, &e, 16);
		r->inode = strtoull(e + 1, &e, 10);
		while (*e == ' ')
			e++;
		nl = strchr(e, '\n');
		if (!nl)
			nl = e + strlen(e);
		r->name_off = names;
		if (names + (nl - e) + 1 > c->names_size)
			return -ENOSPC;
		memcpy(c->names + names, e, nl - e);
		names += nl - e;
		c->names[names++] = '\0';
		e = *nl ? nl + 1 : nl;
		n++;
	}
	c->n = n;
	c->sink += n;
	return 0;
}

/* Walks /proc/PID/maps with PROCMAP_QUERY, names included. */
static int run_procmap_query(void *arg)
{
	struct ctx *c = arg;
	size_t n = 0, names = 0;
	uint64_t addr = 0;
	int fd = open(c->path_maps, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	for (;;) {
		struct procmap_query q = {
			.size = sizeof(q),
			.query_flags = PROCMAP_QUERY_COVERING_OR_NEXT_VMA,
			.query_addr = addr,
			.vma_name_addr = (uintptr_t)(c->names + names),
			.vma_name_size = c->names_size - names > 4096 ?
					 4096 : c->names_size - names,
		};
		struct rec *r;

		if (ioctl(fd, PROCMAP_QUERY, &q)) {
			if (errno == ENOENT)
				break;
			close(fd);
			return -errno;
		}
		if (n == c->max_recs && grow_recs(c)) {
			close(fd);
			return -ENOMEM;
		}
		r = &c->recs[n++];
		r->start = q.vma_start;
		r->end = q.vma_end;
		r->offset = q.vma_offset;
		r->inode = q.inode;
		r->major = q.dev_major;
		r->minor = q.dev_minor;
		r->flags = q.vma_flags;
		r->name_off = names;
		names += q.vma_name_size ? q.vma_name_size : 0;
		addr = q.vma_end;
	}
	close(fd);
	c->n = n;
	c->sink += n;
	return 0;
}

int main(int argc, char **argv)
{
	struct workload w = { .resident_mib = 1024, .vmas = 65000 };
	struct ctx c = {};
	uint64_t tv, tb, tcold, t0;
	int reps = 9, opt, err;
	size_t n_vmctl, n_maps;

	while ((opt = getopt(argc, argv, "r:v:n:H")) != -1) {
		switch (opt) {
		case 'H': w.nohuge = 1; break;
		case 'r': w.resident_mib = strtoul(optarg, NULL, 0); break;
		case 'v': w.vmas = strtoul(optarg, NULL, 0); break;
		case 'n': reps = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: %s [-r RESIDENT_MIB] [-v VMAS] [-n REPS] [-H]\n", argv[0]);
			return 2;
		}
	}
	if (reps < 1)
		reps = 1;
	if (bench_max_map_count(w.vmas + 65536))
		fprintf(stderr, "bench: could not raise vm.max_map_count\n");
	if (vmctl_new(&c.vc))
		return 1;

	printf("# introspect: workload %zu MiB resident%s, %zu split VMAs, median of %d\n",
	       w.resident_mib, w.nohuge ? " (no THP)" : "", w.vmas, reps);
	fflush(stdout);
	c.pid = bench_spawn_stopped(workload_setup, &w);
	if (c.pid < 0)
		return 1;
	snprintf(c.path_status, sizeof(c.path_status), "/proc/%d/status", c.pid);
	snprintf(c.path_stat, sizeof(c.path_stat), "/proc/%d/stat", c.pid);
	snprintf(c.path_rollup, sizeof(c.path_rollup), "/proc/%d/smaps_rollup", c.pid);
	snprintf(c.path_maps, sizeof(c.path_maps), "/proc/%d/maps", c.pid);
	c.buf_size = 64 * MIB;
	c.names_size = 64 * MIB;
	c.buf = malloc(c.buf_size);
	c.names = malloc(c.names_size);
	c.raw_max = w.vmas + 4096;
	c.raw = calloc(c.raw_max, sizeof(*c.raw));
	c.dev = open(VMCTL_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (!c.buf || !c.names || !c.raw || c.dev < 0 || grow_recs(&c))
		goto fail;
	/* Touch the buffers once so no contender pays their page faults. */
	memset(c.buf, 0, c.buf_size);
	memset(c.names, 0, c.names_size);

	/*
	 * The first query walks the VMAs; on kernels with an exact
	 * address-space generation (6.12) the module caches the walk, so
	 * the following ones of this unchanged process do not. Both count.
	 */
	t0 = bench_now_ns();
	err = run_vmctl_stats(&c);
	tcold = bench_now_ns() - t0;
	if (err)
		goto fail_err;
	tv = bench_median(run_vmctl_stats, &c, reps, &err);
	if (err)
		goto fail_err;
	tb = bench_median(run_proc_stats, &c, reps, &err);
	if (err)
		goto fail_err;
	bench_report("stats_cold_vs_proc", tcold, "/proc", tb);
	bench_report("stats_vs_proc", tv, "/proc", tb);
	tv = bench_median(run_raw_stats, &c, reps, &err);
	if (err)
		goto fail_err;
	printf("# stats: bare ioctl %.3f ms\n", tv / 1e6);

	tv = bench_median(run_vmctl_vmas, &c, reps, &err);
	if (err)
		goto fail_err;
	n_vmctl = c.n;
	tb = bench_median(run_maps, &c, reps, &err);
	if (err)
		goto fail_err;
	n_maps = c.n;
	/* /proc shows [vsyscall], which is no VMA. */
	if (n_maps != n_vmctl && n_maps != n_vmctl + 1) {
		fprintf(stderr, "bench: vmctl listed %zu VMAs, maps %zu\n", n_vmctl, n_maps);
		goto fail;
	}
	printf("# %zu VMAs\n", n_vmctl);
	bench_report("vmas_vs_maps", tv, "/proc/PID/maps", tb);

	tb = bench_median(run_procmap_query, &c, reps, &err);
	if (err == -ENOTTY || err == -EINVAL) {
		bench_skip("vmas_vs_procmap_query", "no PROCMAP_QUERY before Linux 6.11");
	} else if (err) {
		goto fail_err;
	} else {
		if (c.n != n_vmctl) {
			fprintf(stderr, "bench: PROCMAP_QUERY listed %zu VMAs, vmctl %zu\n",
				c.n, n_vmctl);
			goto fail;
		}
		bench_report("vmas_vs_procmap_query", tv, "PROCMAP_QUERY", tb);
	}
	tv = bench_median(run_raw_vmas, &c, reps, &err);
	if (err)
		goto fail_err;
	printf("# vmas: bare ioctl, one batch %.3f ms\n", tv / 1e6);
	bench_kill(c.pid);
	vmctl_unref(c.vc);
	return 0;

fail_err:
	fprintf(stderr, "bench: %s\n", strerror(-err));
fail:
	bench_kill(c.pid);
	vmctl_unref(c.vc);
	return 1;
}
