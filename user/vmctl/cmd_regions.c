// SPDX-License-Identifier: GPL-2.0-or-later
/* vmctl regions PID: the reservations of a process and their state runs. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "vmctl-tool.h"

#define DEFAULT_MAX_RUNS	20

static void regions_help(FILE *out)
{
	fprintf(out,
		"Usage: %s regions [OPTIONS] PID\n"
		"\n"
		"List the vmctl reservations of process PID (VMAs of kind \"reserved\")\n"
		"with their size, committed and resident bytes, the VMAs each is made of\n"
		"(more than one after mprotect() or a partial munmap()), and the runs of\n"
		"pages in the same state from the start of the reservation: committed,\n"
		"reserved (not committed) or free (unmapped by munmap()). Then a total line.\n"
		"\n"
		"Runs are found with VMCTL_IOC_QUERY, one call per run; only the first %d\n"
		"runs of each reservation are printed unless --all is given.\n"
		"\n"
		"Reading another user's process needs CAP_SYS_PTRACE, as /proc/PID/maps does.\n"
		"\n"
		"Options:\n"
		"  -a, --all           print every run\n"
		"  -r, --max-runs N    print at most N runs per reservation (default %d)\n"
		"  -j, --json          print a JSON object\n"
		"  -n, --no-header     omit the header and the total line\n"
		"  -h, --help          show this help and exit\n"
		"\n"
		"Exit status:\n"
		"  0  success\n"
		"  1  error: no such process, permission denied, no address space,\n"
		"     kernel module not loaded or too old, ...\n"
		"  2  usage error\n", program_name, DEFAULT_MAX_RUNS, DEFAULT_MAX_RUNS);
}

/* Builds the run list of one reservation, merging runs that touch. */
struct run_builder {
	struct region_resv *r;
	size_t max_runs;	/* SIZE_MAX: keep all */
	size_t cap;
	bool have;
	struct region_run cur;
};

static int run_flush(struct run_builder *b)
{
	struct region_resv *r = b->r;

	if (!b->have)
		return 0;
	b->have = false;
	r->total_runs++;
	if (r->nruns >= b->max_runs)
		return 0;
	if (r->nruns == b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 64;
		struct region_run *nr = realloc(r->runs, ncap * sizeof(*nr));

		if (!nr)
			return -ENOMEM;
		r->runs = nr;
		b->cap = ncap;
	}
	r->runs[r->nruns++] = b->cur;
	return 0;
}

static int run_add(struct run_builder *b, uint32_t state, uint64_t start, uint64_t size)
{
	int err;

	if (!size)
		return 0;
	if (b->have && b->cur.state == state && b->cur.start + b->cur.size == start) {
		b->cur.size += size;
		return 0;
	}
	err = run_flush(b);
	if (err)
		return err;
	b->cur.state = state;
	b->cur.start = start;
	b->cur.size = size;
	b->have = true;
	return 0;
}

/* The runs of one VMA of a reservation, [start, end). */
static int walk_vma(struct vmctl_ctx *ctx, pid_t pid, struct run_builder *b,
		    uint64_t start, uint64_t end)
{
	struct vmctl_region_info info;
	uint64_t addr = start;
	int err;

	while (addr < end) {
		uint64_t size;

		err = vmctl_query_pid(ctx, pid, addr, &info);
		if (err < 0)
			return err;
		/* The process changed under us: the rest is gone. */
		if (info.state == VMCTL_STATE_FREE || !info.size ||
		    info.reservation_base != b->r->base)
			return -EAGAIN;
		size = info.size < end - addr ? info.size : end - addr;
		err = run_add(b, info.state, addr, size);
		if (err)
			return err;
		addr += size;
	}
	return 0;
}

static void free_regions(struct region_resv *resv, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(resv[i].runs);
	free(resv);
}

static int collect(struct vmctl_ctx *ctx, pid_t pid, size_t max_runs,
		   struct region_resv **out, size_t *nout, const char **what)
{
	struct region_resv *resv = NULL, *r = NULL;
	struct run_builder b = { 0 };
	struct vmctl_vma *vmas;
	size_t nv, n = 0, cap = 0;
	uint64_t piece_end = 0;
	int err;

	*what = "VMCTL_IOC_GET_VMAS";
	err = vmctl_get_vmas(ctx, pid, &vmas, &nv);
	if (err < 0)
		return err;

	*what = "VMCTL_IOC_QUERY";
	for (size_t i = 0; i < nv; i++) {
		const struct vmctl_vma *v = &vmas[i];
		struct vmctl_region_info info;

		if (v->kind != VMCTL_KIND_RESERVED)
			continue;
		err = vmctl_query_pid(ctx, pid, v->start, &info);
		if (err < 0)
			goto fail;
		if (!r || info.reservation_base != r->base) {
			if (r) {
				/* A tail that munmap() removed. */
				err = run_add(&b, VMCTL_STATE_FREE, piece_end,
					      r->base + r->size - piece_end);
				if (!err)
					err = run_flush(&b);
				if (err)
					goto fail;
			}
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 16;
				struct region_resv *nr = realloc(resv, ncap * sizeof(*nr));

				if (!nr) {
					err = -ENOMEM;
					goto fail;
				}
				resv = nr;
				cap = ncap;
			}
			r = &resv[n++];
			memset(r, 0, sizeof(*r));
			r->base = info.reservation_base;
			r->size = info.reservation_size;
			r->committed = info.committed_bytes;
			r->resident = info.resident_bytes;
			memset(&b, 0, sizeof(b));
			b.r = r;
			b.max_runs = max_runs;
			piece_end = r->base;
		}
		r->vmas++;
		r->mapped += v->end - v->start;
		/* A hole (or a head) that munmap() removed. */
		if (v->start > piece_end) {
			err = run_add(&b, VMCTL_STATE_FREE, piece_end, v->start - piece_end);
			if (err)
				goto fail;
		}
		err = walk_vma(ctx, pid, &b, v->start, v->end);
		if (err)
			goto fail;
		piece_end = v->end;
	}
	if (r) {
		err = run_add(&b, VMCTL_STATE_FREE, piece_end, r->base + r->size - piece_end);
		if (!err)
			err = run_flush(&b);
		if (err)
			goto fail;
	}
	free(vmas);
	*out = resv;
	*nout = n;
	return 0;

fail:
	free(vmas);
	free_regions(resv, n);
	return err;
}

int regions_totals(struct vmctl_ctx *ctx, pid_t pid, struct region_totals *t)
{
	struct region_resv *resv = NULL;
	const char *what;
	size_t n = 0;
	int err;

	/* No run is kept: only the totals are wanted. */
	err = collect(ctx, pid, 0, &resv, &n, &what);
	if (err)
		return err;
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < n; i++) {
		t->count++;
		t->reserved += resv[i].size;
		t->committed += resv[i].committed;
		t->resident += resv[i].resident;
	}
	free_regions(resv, n);
	return 0;
}

static int regions_run(struct vmctl_ctx *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "max-runs", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-header", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct render_opts opts = { .header = true };
	size_t max_runs = DEFAULT_MAX_RUNS, n = 0;
	struct region_resv *resv = NULL;
	const char *what;
	bool json = false;
	int opt, ret, err;
	char *end;
	long v;
	pid_t pid;

	while ((opt = getopt_long(argc, argv, ":ar:jnh", options, NULL)) != -1) {
		switch (opt) {
		case 'a':
			max_runs = SIZE_MAX;
			break;
		case 'r':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (end == optarg || *end || errno || v < 0)
				return usage_error(&cmd_regions, "invalid run count \"%s\"",
						   optarg);
			max_runs = (size_t)v;
			break;
		case 'j':
			json = true;
			break;
		case 'n':
			opts.header = false;
			break;
		case 'h':
			regions_help(stdout);
			return EXIT_OK;
		default:
			return option_error(&cmd_regions, argv, opt);
		}
	}
	ret = parse_one_pid(&cmd_regions, argc, argv, &pid);
	if (ret != EXIT_OK)
		return ret;

	err = collect(ctx, pid, max_runs, &resv, &n, &what);
	if (err == -EAGAIN) {
		print_error("the address space of pid %d changed while it was read; try again",
			    (int)pid);
		return EXIT_ERROR;
	}
	if (err < 0)
		return report_pid_error(ctx, what, pid, err, VMCTL_FEATURE_RESERVE);

	ret = EXIT_OK;
	if (json) {
		if (print_json(stdout, regions_to_json(resv, n, pid)) < 0) {
			print_error("cannot print JSON");
			ret = EXIT_ERROR;
		}
	} else {
		regions_print(stdout, resv, n, &opts);
	}
	free_regions(resv, n);
	return ret;
}

const struct vmctl_cmd cmd_regions = {
	.name = "regions",
	.summary = "list the reservations of a process and their commit state",
	.help = regions_help,
	.run = regions_run,
};
