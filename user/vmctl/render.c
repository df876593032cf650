// SPDX-License-Identifier: GPL-2.0-or-later
/* Tables and JSON for "vmctl stats" and "vmctl maps". */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format.h"
#include "render.h"

#define COLOR_WARN	"\033[1;31m"
#define COLOR_RESET	"\033[0m"

bool render_want_color(FILE *out)
{
	const char *term = getenv("TERM");
	const char *no_color = getenv("NO_COLOR");

	if (no_color && no_color[0])
		return false;
	if (term && !strcmp(term, "dumb"))
		return false;
	return isatty(fileno(out));
}

double stats_map_usage(const struct vmctl_stats *st)
{
	if (!st->max_map_count)
		return 0.0;
	return 100.0 * (double)st->map_count / (double)st->max_map_count;
}

static bool map_usage_high(const struct vmctl_stats *st)
{
	return st->max_map_count && stats_map_usage(st) > MAP_COUNT_WARN_PERCENT;
}

static int64_t map_headroom(const struct vmctl_stats *st)
{
	return (int64_t)st->max_map_count - (int64_t)st->map_count;
}

/* Label of kind @k: its name, or "kindN" for a kind this build does not know. */
static const char *kind_label(char *buf, size_t len, unsigned int k)
{
	const char *name = vmctl_kind_name(k);

	if (name)
		return name;
	snprintf(buf, len, "kind%u", k);
	return buf;
}

/* Kinds worth showing: every known one, and unknown ones that are used. */
static bool kind_shown(const struct vmctl_stats *st, unsigned int k)
{
	return k < VMCTL_KIND_COUNT || st->kinds[k].count || st->kinds[k].bytes;
}

#define ROW "%-15s"

void stats_print(FILE *out, const struct vmctl_stats *st, pid_t pid, const char *comm,
		 const struct render_opts *opts)
{
	char a[FORMAT_BUF_SIZE], b[FORMAT_BUF_SIZE], c[FORMAT_BUF_SIZE], d[FORMAT_BUF_SIZE];
	char e[FORMAT_BUF_SIZE];
	uint64_t kcount = 0, kbytes = 0;
	unsigned int k;

	if (comm)
		fprintf(out, ROW "%d (%s)\n", "pid", (int)pid, comm);
	else
		fprintf(out, ROW "%d\n", "pid", (int)pid);

	if (st->max_map_count)
		fprintf(out, ROW "%s of %s max (%s), headroom %lld\n", "maps",
			format_count(a, sizeof(a), st->map_count),
			format_count(b, sizeof(b), st->max_map_count),
			format_percent(c, sizeof(c), st->map_count, st->max_map_count),
			(long long)map_headroom(st));
	else
		fprintf(out, ROW "%s (vm.max_map_count unknown)\n", "maps",
			format_count(a, sizeof(a), st->map_count));
	if (map_usage_high(st))
		fprintf(out, "%*s%sWARNING: %.0f%% of vm.max_map_count%s\n", 15, "",
			opts->color ? COLOR_WARN : "", stats_map_usage(st),
			opts->color ? COLOR_RESET : "");

	fprintf(out, ROW "%s, peak %s\n", "virtual",
		format_size(a, sizeof(a), st->vsz_bytes),
		format_size(b, sizeof(b), st->hiwater_vm_bytes));
	fprintf(out, ROW "%s, peak %s (anon %s, file %s, shmem %s)\n", "resident",
		format_size(a, sizeof(a), st->rss_bytes),
		format_size(b, sizeof(b), st->hiwater_rss_bytes),
		format_size(c, sizeof(c), st->rss_anon_bytes),
		format_size(d, sizeof(d), st->rss_file_bytes),
		format_size(e, sizeof(e), st->rss_shmem_bytes));
	fprintf(out, ROW "%s\n", "swap", format_size(a, sizeof(a), st->swap_bytes));
	fprintf(out, ROW "%s, pinned %s\n", "locked",
		format_size(a, sizeof(a), st->locked_bytes),
		format_size(b, sizeof(b), st->pinned_bytes));
	fprintf(out, ROW "data %s, stack %s, exec %s\n", "segments",
		format_size(a, sizeof(a), st->data_bytes),
		format_size(b, sizeof(b), st->stack_bytes),
		format_size(c, sizeof(c), st->exec_bytes));
	fprintf(out, ROW "%s\n", "committed", format_size(a, sizeof(a), st->committed_bytes));
	fprintf(out, ROW "%s split pairs, %s gaps, largest gap %s\n", "fragmentation",
		format_count(a, sizeof(a), st->split_pairs),
		format_count(b, sizeof(b), st->gap_count),
		format_size(c, sizeof(c), st->largest_gap_bytes));
	fprintf(out, ROW "%s minor, %s major\n", "faults",
		format_count(a, sizeof(a), st->faults_minor),
		format_count(b, sizeof(b), st->faults_major));

	fputc('\n', out);
	if (opts->header)
		fprintf(out, "%-10s %10s %12s\n", "KIND", "COUNT", "BYTES");
	for (k = 0; k < VMCTL_KINDS_MAX; k++) {
		if (!kind_shown(st, k))
			continue;
		fprintf(out, "%-10s %10llu %12s\n", kind_label(a, sizeof(a), k),
			(unsigned long long)st->kinds[k].count,
			format_size(b, sizeof(b), st->kinds[k].bytes));
		kcount += st->kinds[k].count;
		kbytes += st->kinds[k].bytes;
	}
	if (opts->header)
		fprintf(out, "%-10s %10llu %12s\n", "total", (unsigned long long)kcount,
			format_size(b, sizeof(b), kbytes));
}

static void add_u64(struct json_object *obj, const char *key, uint64_t v)
{
	json_object_object_add(obj, key, json_object_new_uint64(v));
}

struct json_object *stats_to_json(const struct vmctl_stats *st, pid_t pid, const char *comm)
{
	struct json_object *root, *faults, *kinds;
	char label[FORMAT_BUF_SIZE];
	unsigned int k;

	root = json_object_new_object();
	json_object_object_add(root, "pid", json_object_new_int64(pid));
	if (comm)
		json_object_object_add(root, "comm", json_object_new_string(comm));
	add_u64(root, "map_count", st->map_count);
	add_u64(root, "max_map_count", st->max_map_count);
	json_object_object_add(root, "map_headroom", json_object_new_int64(map_headroom(st)));
	add_u64(root, "vsz_bytes", st->vsz_bytes);
	add_u64(root, "rss_bytes", st->rss_bytes);
	add_u64(root, "rss_anon_bytes", st->rss_anon_bytes);
	add_u64(root, "rss_file_bytes", st->rss_file_bytes);
	add_u64(root, "rss_shmem_bytes", st->rss_shmem_bytes);
	add_u64(root, "swap_bytes", st->swap_bytes);
	add_u64(root, "locked_bytes", st->locked_bytes);
	add_u64(root, "pinned_bytes", st->pinned_bytes);
	add_u64(root, "hiwater_rss_bytes", st->hiwater_rss_bytes);
	add_u64(root, "hiwater_vm_bytes", st->hiwater_vm_bytes);
	add_u64(root, "data_bytes", st->data_bytes);
	add_u64(root, "stack_bytes", st->stack_bytes);
	add_u64(root, "exec_bytes", st->exec_bytes);
	add_u64(root, "committed_bytes", st->committed_bytes);
	add_u64(root, "split_pairs", st->split_pairs);
	add_u64(root, "gap_count", st->gap_count);
	add_u64(root, "largest_gap_bytes", st->largest_gap_bytes);

	faults = json_object_new_object();
	add_u64(faults, "minor", st->faults_minor);
	add_u64(faults, "major", st->faults_major);
	json_object_object_add(root, "faults", faults);

	kinds = json_object_new_object();
	for (k = 0; k < VMCTL_KINDS_MAX; k++) {
		struct json_object *kind;

		if (!kind_shown(st, k))
			continue;
		kind = json_object_new_object();
		add_u64(kind, "count", st->kinds[k].count);
		add_u64(kind, "bytes", st->kinds[k].bytes);
		json_object_object_add(kinds, kind_label(label, sizeof(label), k), kind);
	}
	json_object_object_add(root, "kinds", kinds);
	return root;
}

static int proc_cmp(const void *pa, const void *pb)
{
	const struct vmctl_proc_stats *a = pa, *b = pb;

	if (a->stats.map_count != b->stats.map_count)
		return a->stats.map_count > b->stats.map_count ? -1 : 1;
	return (a->pid > b->pid) - (a->pid < b->pid);
}

void stats_list_sort(struct vmctl_proc_stats *procs, size_t n)
{
	if (n > 1)
		qsort(procs, n, sizeof(*procs), proc_cmp);
}

void stats_list_print(FILE *out, const struct vmctl_proc_stats *procs, size_t n,
		      const struct render_opts *opts)
{
	char pct[FORMAT_BUF_SIZE], rss[FORMAT_BUF_SIZE], com[FORMAT_BUF_SIZE];
	size_t i;

	if (opts->header)
		fprintf(out, "%7s %-16s %7s %6s %11s %11s %11s %8s\n", "PID", "COMM", "MAPS",
			"%MAX", "RSS", "COMMITTED", "MINFLT", "MAJFLT");
	for (i = 0; i < n; i++) {
		const struct vmctl_stats *st = &procs[i].stats;
		bool high = opts->color && map_usage_high(st);

		fprintf(out, "%s%7d %-16s %7llu %6s %11s %11s %11llu %8llu%s\n",
			high ? COLOR_WARN : "", (int)procs[i].pid, procs[i].comm,
			(unsigned long long)st->map_count,
			format_percent(pct, sizeof(pct), st->map_count, st->max_map_count),
			format_size(rss, sizeof(rss), st->rss_bytes),
			format_size(com, sizeof(com), st->committed_bytes),
			(unsigned long long)st->faults_minor,
			(unsigned long long)st->faults_major, high ? COLOR_RESET : "");
	}
}

struct json_object *stats_list_to_json(const struct vmctl_proc_stats *procs, size_t n)
{
	struct json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(arr, stats_to_json(&procs[i].stats, procs[i].pid,
							 procs[i].comm));
	return arr;
}

void vmas_print(FILE *out, const struct vmctl_vma *vmas, size_t n,
		const struct render_opts *opts)
{
	char perms[VMCTL_PERMS_SIZE], size[FORMAT_BUF_SIZE], kind[FORMAT_BUF_SIZE];
	char dev[24], range[40];
	uint64_t total = 0;
	size_t i;

	if (opts->header)
		fprintf(out, "%-25s %-5s %10s %-8s %-8s %-5s %10s %s\n", "ADDRESS", "PERMS",
			"SIZE", "KIND", "OFFSET", "DEV", "INODE", "NAME");
	for (i = 0; i < n; i++) {
		const struct vmctl_vma *v = &vmas[i];
		const char *name = vmctl_vma_name(vmas, v);
		uint64_t bytes = v->end - v->start;

		snprintf(range, sizeof(range), "%012llx-%012llx",
			 (unsigned long long)v->start, (unsigned long long)v->end);
		snprintf(dev, sizeof(dev), "%02x:%02x", v->dev_major, v->dev_minor);
		fprintf(out, "%-25s %-5s %10s %-8s %08llx %-5s %10llu%s%s\n", range,
			vmctl_vma_perms(v->flags, perms), format_size(size, sizeof(size), bytes),
			kind_label(kind, sizeof(kind), v->kind), (unsigned long long)v->offset,
			dev, (unsigned long long)v->inode, name ? " " : "", name ? name : "");
		total += bytes;
	}
	if (opts->header)
		fprintf(out, "total: %zu VMA%s, %s\n", n, n == 1 ? "" : "s",
			format_size(size, sizeof(size), total));
}

static struct json_object *vma_flags_json(uint64_t flags)
{
	struct json_object *arr = json_object_new_array();
	unsigned int bit;

	for (bit = 0; bit < 64; bit++) {
		const char *name;
		char buf[16];

		if (!(flags & (1ULL << bit)))
			continue;
		name = vmctl_vma_flag_name(1ULL << bit);
		if (!name) {
			snprintf(buf, sizeof(buf), "bit%u", bit);
			name = buf;
		}
		json_object_array_add(arr, json_object_new_string(name));
	}
	return arr;
}

struct json_object *vmas_to_json(const struct vmctl_vma *vmas, size_t n)
{
	struct json_object *arr = json_object_new_array();
	char perms[VMCTL_PERMS_SIZE], label[FORMAT_BUF_SIZE], dev[24];
	size_t i;

	for (i = 0; i < n; i++) {
		const struct vmctl_vma *v = &vmas[i];
		const char *name = vmctl_vma_name(vmas, v);
		struct json_object *o = json_object_new_object();

		snprintf(dev, sizeof(dev), "%02x:%02x", v->dev_major, v->dev_minor);
		add_u64(o, "start", v->start);
		add_u64(o, "end", v->end);
		json_object_object_add(o, "perms",
				       json_object_new_string(vmctl_vma_perms(v->flags, perms)));
		json_object_object_add(o, "kind",
				       json_object_new_string(kind_label(label, sizeof(label),
									 v->kind)));
		add_u64(o, "offset", v->offset);
		json_object_object_add(o, "dev", json_object_new_string(dev));
		add_u64(o, "inode", v->inode);
		json_object_object_add(o, "path", name ? json_object_new_string(name) : NULL);
		json_object_object_add(o, "flags", vma_flags_json(v->flags));
		json_object_array_add(arr, o);
	}
	return arr;
}

static const char *state_label(char *buf, size_t len, unsigned int state)
{
	const char *name = vmctl_state_name(state);

	if (name)
		return name;
	snprintf(buf, len, "state%u", state);
	return buf;
}

void region_totals_print(FILE *out, const struct region_totals *t)
{
	char a[FORMAT_BUF_SIZE], b[FORMAT_BUF_SIZE], c[FORMAT_BUF_SIZE];

	fprintf(out, ROW "%llu: %s reserved, %s committed, %s resident\n", "reservations",
		(unsigned long long)t->count, format_size(a, sizeof(a), t->reserved),
		format_size(b, sizeof(b), t->committed), format_size(c, sizeof(c), t->resident));
}

struct json_object *region_totals_to_json(const struct region_totals *t)
{
	struct json_object *o = json_object_new_object();

	add_u64(o, "count", t->count);
	add_u64(o, "reserved_bytes", t->reserved);
	add_u64(o, "committed_bytes", t->committed);
	add_u64(o, "resident_bytes", t->resident);
	return o;
}

void regions_print(FILE *out, const struct region_resv *resv, size_t n,
		   const struct render_opts *opts)
{
	char a[FORMAT_BUF_SIZE], b[FORMAT_BUF_SIZE], c[FORMAT_BUF_SIZE], d[FORMAT_BUF_SIZE];
	uint64_t size = 0, committed = 0, resident = 0;
	char range[40];
	size_t i, j;

	if (opts->header)
		fprintf(out, "%-33s %10s %10s %10s %5s %8s\n", "RESERVATION", "SIZE",
			"COMMITTED", "RESIDENT", "VMAS", "RUNS");
	for (i = 0; i < n; i++) {
		const struct region_resv *r = &resv[i];

		snprintf(range, sizeof(range), "%016llx-%016llx",
			 (unsigned long long)r->base, (unsigned long long)(r->base + r->size));
		fprintf(out, "%-33s %10s %10s %10s %5zu %8zu\n", range,
			format_size(a, sizeof(a), r->size),
			format_size(b, sizeof(b), r->committed),
			format_size(c, sizeof(c), r->resident), r->vmas, r->total_runs);
		for (j = 0; j < r->nruns; j++) {
			const struct region_run *run = &r->runs[j];

			snprintf(range, sizeof(range), "%016llx-%016llx",
				 (unsigned long long)run->start,
				 (unsigned long long)(run->start + run->size));
			fprintf(out, "  %-10s %-33s %10s\n",
				state_label(d, sizeof(d), run->state), range,
				format_size(a, sizeof(a), run->size));
		}
		if (r->nruns < r->total_runs)
			fprintf(out, "  ... %s runs, showing first %s (--all shows every run)\n",
				format_count(a, sizeof(a), r->total_runs),
				format_count(b, sizeof(b), r->nruns));
		size += r->size;
		committed += r->committed;
		resident += r->resident;
	}
	if (opts->header)
		fprintf(out, "total: %zu reservation%s, %s reserved, %s committed, %s resident\n",
			n, n == 1 ? "" : "s", format_size(a, sizeof(a), size),
			format_size(b, sizeof(b), committed),
			format_size(c, sizeof(c), resident));
}

struct json_object *regions_to_json(const struct region_resv *resv, size_t n, pid_t pid)
{
	struct json_object *root = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	uint64_t size = 0, committed = 0, resident = 0;
	char label[FORMAT_BUF_SIZE];
	size_t i, j;

	for (i = 0; i < n; i++) {
		const struct region_resv *r = &resv[i];
		struct json_object *o = json_object_new_object();
		struct json_object *runs = json_object_new_array();

		add_u64(o, "base", r->base);
		add_u64(o, "size", r->size);
		add_u64(o, "mapped_bytes", r->mapped);
		add_u64(o, "committed_bytes", r->committed);
		add_u64(o, "resident_bytes", r->resident);
		add_u64(o, "vmas", r->vmas);
		add_u64(o, "run_count", r->total_runs);
		json_object_object_add(o, "runs_truncated",
				       json_object_new_boolean(r->nruns < r->total_runs));
		for (j = 0; j < r->nruns; j++) {
			struct json_object *ro = json_object_new_object();

			json_object_object_add(ro, "state", json_object_new_string(
				state_label(label, sizeof(label), r->runs[j].state)));
			add_u64(ro, "start", r->runs[j].start);
			add_u64(ro, "size", r->runs[j].size);
			json_object_array_add(runs, ro);
		}
		json_object_object_add(o, "runs", runs);
		json_object_array_add(arr, o);
		size += r->size;
		committed += r->committed;
		resident += r->resident;
	}
	json_object_object_add(root, "pid", json_object_new_int64(pid));
	json_object_object_add(root, "reservations", arr);
	add_u64(root, "reserved_bytes", size);
	add_u64(root, "committed_bytes", committed);
	add_u64(root, "resident_bytes", resident);
	return root;
}

int print_json(FILE *out, struct json_object *obj)
{
	int ret = 0;

	if (!obj)
		return -1;
	if (fprintf(out, "%s\n", json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
								JSON_C_TO_STRING_SPACED |
								JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
		ret = -1;
	json_object_put(obj);
	return ret;
}
