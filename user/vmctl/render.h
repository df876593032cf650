/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rendering of statistics and VMA lists as tables and JSON. Nothing here
 * talks to the kernel, so the output can be tested from made-up structs.
 */
#ifndef _VMCTL_RENDER_H
#define _VMCTL_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "vmctl.h"

struct render_opts {
	bool header;	/* print table headers and total lines */
	bool color;	/* highlight warnings with ANSI colours */
};

/* Share of vm.max_map_count above which map_count is flagged. */
#define MAP_COUNT_WARN_PERCENT	80

/* True when @color should be used on @out: a tty, NO_COLOR unset, TERM not dumb. */
bool render_want_color(FILE *out);

/* map_count in percent of max_map_count; 0 when the maximum is unknown. */
double stats_map_usage(const struct vmctl_stats *st);

/* "vmctl stats PID": @comm may be NULL when unknown. */
void stats_print(FILE *out, const struct vmctl_stats *st, pid_t pid, const char *comm,
		 const struct render_opts *opts);
struct json_object *stats_to_json(const struct vmctl_stats *st, pid_t pid, const char *comm);

/* "vmctl stats": @procs in the order to print. */
void stats_list_print(FILE *out, const struct vmctl_proc_stats *procs, size_t n,
		      const struct render_opts *opts);
struct json_object *stats_list_to_json(const struct vmctl_proc_stats *procs, size_t n);
/* Sort by map_count, largest first, then by pid. */
void stats_list_sort(struct vmctl_proc_stats *procs, size_t n);

/* "vmctl maps PID": @vmas as returned by vmctl_get_vmas(). */
void vmas_print(FILE *out, const struct vmctl_vma *vmas, size_t n,
		const struct render_opts *opts);
struct json_object *vmas_to_json(const struct vmctl_vma *vmas, size_t n);

/* One run of pages in the same state, as "vmctl regions" shows it. */
struct region_run {
	uint64_t start;
	uint64_t size;
	uint32_t state;		/* VMCTL_STATE_*; FREE for a munmap() hole */
};

/*
 * One reservation of a process: @runs holds the first @nruns of its
 * @total_runs state runs (all of them unless the listing was capped).
 */
struct region_resv {
	uint64_t base;		/* reservation_base */
	uint64_t size;		/* reservation_size */
	uint64_t mapped;	/* bytes still mapped (less after partial munmap) */
	uint64_t committed;	/* committed_bytes */
	uint64_t resident;	/* resident_bytes */
	size_t vmas;		/* VMAs it is made of */
	size_t total_runs;
	size_t nruns;
	struct region_run *runs;
};

/* The reservations of a process, summed up for "vmctl stats PID". */
struct region_totals {
	uint64_t count;
	uint64_t reserved;
	uint64_t committed;
	uint64_t resident;
};

void region_totals_print(FILE *out, const struct region_totals *t);
struct json_object *region_totals_to_json(const struct region_totals *t);

/* "vmctl regions PID". */
void regions_print(FILE *out, const struct region_resv *resv, size_t n,
		   const struct render_opts *opts);
struct json_object *regions_to_json(const struct region_resv *resv, size_t n, pid_t pid);

/* Print @obj pretty to @out; frees @obj. Returns 0 or -1 on write error. */
int print_json(FILE *out, struct json_object *obj);

#endif /* _VMCTL_RENDER_H */
