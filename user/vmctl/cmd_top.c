// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vmctl top: the tracked processes with the highest fault rates and the
 * least map_count headroom, refreshed every second.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "format.h"
#include "vmctl-tool.h"

static void top_help(FILE *out)
{
	fprintf(out,
		"Usage: %s top [OPTIONS]\n"
		"\n"
		"A live view of the processes whose faults vmctl tracks (see '%s faults'),\n"
		"sorted by fault rate, with their map_count headroom against\n"
		"vm.max_map_count. Refreshes every second.\n"
		"\n"
		"As root, it tracks every process while it runs (system-wide tracking,\n"
		"stopped at exit if it started it); the faults of processes beyond the\n"
		"table's room show as one '[other]' row.\n"
		"\n"
		"Options:\n"
		"  -t, --tracked     only the processes tracked already, even as root\n"
		"  -b, --batch       plain output for scripts, no screen control\n"
		"  -n, --iterations N  stop after N refreshes\n"
		"  -d, --delay S     seconds between refreshes (default 1)\n"
		"  -h, --help        show this help and exit\n", program_name, program_name);
}

struct top_row {
	pid_t pid;
	char comm[VMCTL_COMM_SIZE];
	double rate, major_rate, kernel_rate;
	uint64_t faults, failed;
	uint64_t mean_ns;
	uint64_t map_count, max_map_count;
	bool exited, have_stats, other;
};

static int cmp_row(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;

	if (x->rate != y->rate)
		return x->rate < y->rate ? 1 : -1;
	if (x->have_stats && y->have_stats) {
		uint64_t hx = x->max_map_count - x->map_count;
		uint64_t hy = y->max_map_count - y->map_count;

		if (hx != hy)
			return hx < hy ? -1 : 1;
	}
	return x->pid - y->pid;
}

static const struct vmctl_proc_faults *find_prev(const struct vmctl_proc_faults *p,
						 size_t n, pid_t pid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i].pid == pid)
			return &p[i];
	return NULL;
}

static volatile sig_atomic_t top_stop;

static void top_signal(int sig)
{
	(void)sig;
	top_stop = 1;
}

static int top_run(struct vmctl_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tracked", no_argument, NULL, 't' },
		{ "batch", no_argument, NULL, 'b' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "delay", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct vmctl_proc_faults *prev = NULL, *cur = NULL;
	size_t nprev = 0, ncur = 0, i;
	long iterations = 0, it;
	double delay = 1;
	bool batch = false, tracked_only = false, system = false;
	struct sigaction sa = { .sa_handler = top_signal };
	char *end;
	int opt, err;

	while ((opt = getopt_long(argc, argv, "tbn:d:h", opts, NULL)) != -1) {
		switch (opt) {
		case 't':
			tracked_only = true;
			break;
		case 'b':
			batch = true;
			break;
		case 'n':
			iterations = strtol(optarg, &end, 10);
			if (*end || iterations <= 0)
				return usage_error(&cmd_top, "bad iteration count '%s'", optarg);
			break;
		case 'd':
			delay = strtod(optarg, &end);
			if (*end || delay <= 0)
				return usage_error(&cmd_top, "bad delay '%s'", optarg);
			break;
		case 'h':
			top_help(stdout);
			return EXIT_OK;
		default:
			return option_error(&cmd_top, argv, opt);
		}
	}
	if (optind != argc)
		return usage_error(&cmd_top, "unexpected argument '%s'", argv[optind]);

	if (!tracked_only && geteuid() == 0) {
		err = vmctl_track(ctx, 0, VMCTL_TRACK_SYSTEM);
		if (err && err != -EEXIST)
			return report_feature_error(ctx, "tracking every process", err,
						    VMCTL_FEATURE_FAULTS);
		system = !err;
		/* Stop it again on ^C. */
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
	}
	err = vmctl_list_faults(ctx, &prev, &nprev);
	if (err) {
		if (system)
			vmctl_untrack_system(ctx);
		return report_feature_error(ctx, "listing tracked processes", err,
					    VMCTL_FEATURE_FAULTS);
	}
	for (it = 0; (!iterations || it < iterations) && !top_stop; it++) {
		struct timespec ts = {
			.tv_sec = (time_t)delay,
			.tv_nsec = (long)((delay - (time_t)delay) * 1e9),
		};
		struct top_row *rows;

		nanosleep(&ts, NULL);
		if (top_stop)
			break;
		err = vmctl_list_faults(ctx, &cur, &ncur);
		if (err) {
			free(prev);
			if (system)
				vmctl_untrack_system(ctx);
			return report_feature_error(ctx, "listing tracked processes", err,
						    VMCTL_FEATURE_FAULTS);
		}
		rows = calloc(ncur ? ncur : 1, sizeof(*rows));
		if (!rows) {
			free(prev);
			free(cur);
			if (system)
				vmctl_untrack_system(ctx);
			print_error("out of memory");
			return EXIT_ERROR;
		}
		for (i = 0; i < ncur; i++) {
			const struct vmctl_faults *f = &cur[i].faults;
			const struct vmctl_proc_faults *p = find_prev(prev, nprev, cur[i].pid);
			const struct vmctl_fault_counts *c = &f->counts;
			struct top_row *r = &rows[i];
			struct vmctl_stats st;
			double dt = delay;

			r->pid = cur[i].pid;
			r->other = f->out_flags & VMCTL_FAULTS_OTHER;
			memcpy(r->comm, cur[i].comm, sizeof(r->comm));
			r->faults = c->minor + c->major;
			r->failed = c->sigsegv + c->sigbus + c->oom + c->efault;
			r->mean_ns = c->lat_count ? c->lat_total_ns / c->lat_count : 0;
			r->exited = f->out_flags & VMCTL_FAULTS_EXITED;
			if (p) {
				const struct vmctl_fault_counts *pc = &p->faults.counts;

				if (f->tracked_ns > p->faults.tracked_ns)
					dt = (f->tracked_ns - p->faults.tracked_ns) / 1e9;
				r->rate = (r->faults - pc->minor - pc->major) / dt;
				r->major_rate = (c->major - pc->major) / dt;
				r->kernel_rate = (c->kernel - pc->kernel) / dt;
			}
			if (!r->exited && !r->other && !vmctl_get_stats(ctx, r->pid, &st)) {
				r->have_stats = true;
				r->map_count = st.map_count;
				r->max_map_count = st.max_map_count;
			}
		}
		qsort(rows, ncur, sizeof(*rows), cmp_row);
		if (!batch)
			printf("\033[H\033[2J");
		printf("vmctl top - %zu %s process%s\n", ncur,
		       system ? "recorded (system-wide)" : "tracked", ncur == 1 ? "" : "es");
		printf("%7s %-16s %10s %10s %10s %12s %9s %8s %16s\n", "PID", "COMM",
		       "FLT/s", "MAJ/s", "KERN/s", "FAULTS", "FAILED", "MEAN_US",
		       "MAPS/MAX");
		for (i = 0; i < ncur; i++) {
			char maps[40], pid[16];

			if (rows[i].other)
				snprintf(pid, sizeof(pid), "-");
			else
				snprintf(pid, sizeof(pid), "%d", (int)rows[i].pid);
			if (rows[i].have_stats)
				snprintf(maps, sizeof(maps), "%llu/%llu",
					 (unsigned long long)rows[i].map_count,
					 (unsigned long long)rows[i].max_map_count);
			else
				snprintf(maps, sizeof(maps), rows[i].exited ? "exited" : "-");
			printf("%7s %-16s %10.0f %10.0f %10.0f %12llu %9llu %8.1f %16s\n",
			       pid, rows[i].comm, rows[i].rate,
			       rows[i].major_rate, rows[i].kernel_rate,
			       (unsigned long long)rows[i].faults,
			       (unsigned long long)rows[i].failed, rows[i].mean_ns / 1e3, maps);
		}
		fflush(stdout);
		free(rows);
		free(prev);
		prev = cur;
		nprev = ncur;
		cur = NULL;
	}
	free(prev);
	if (system) {
		err = vmctl_untrack_system(ctx);
		if (err)
			return report_feature_error(ctx, "stopping system-wide tracking",
						    err, VMCTL_FEATURE_FAULTS);
	}
	return EXIT_OK;
}

const struct vmctl_cmd cmd_top = {
	.name = "top",
	.summary = "live view of tracked processes by fault rate",
	.help = top_help,
	.run = top_run,
};
