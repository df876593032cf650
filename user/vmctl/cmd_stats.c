// SPDX-License-Identifier: GPL-2.0-or-later
/* vmctl stats [PID]: address-space statistics of one or every process. */
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "vmctl-tool.h"

static void stats_help(FILE *out)
{
	fprintf(out,
		"Usage: %s stats [OPTIONS] [PID]\n"
		"\n"
		"Show the address-space statistics of process PID: its map count against\n"
		"vm.max_map_count, virtual and resident sizes, commit charge, fragmentation\n"
		"(split VMA pairs, gaps), page faults and VMAs by kind. A map count above\n"
		"%d%% of vm.max_map_count is flagged with a warning.\n"
		"\n"
		"Without PID, list every process you may read, sorted by map count, largest\n"
		"first (uses the generic netlink interface).\n"
		"\n"
		"Reading another user's process needs CAP_SYS_PTRACE, as /proc/PID/maps does.\n"
		"\n"
		"Options:\n"
		"  -j, --json       print JSON (an array of objects without PID)\n"
		"  -n, --no-header  omit table headers and total lines\n"
		"  -h, --help       show this help and exit\n"
		"\n"
		"Exit status:\n"
		"  0  success\n"
		"  1  error: no such process, permission denied, no address space,\n"
		"     kernel module not loaded or too old, ...\n"
		"  2  usage error\n", program_name, MAP_COUNT_WARN_PERCENT);
}

const char *proc_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static int stats_one(struct vmctl_ctx *ctx, pid_t pid, bool json,
		     const struct render_opts *opts)
{
	char comm_buf[VMCTL_COMM_SIZE];
	struct region_totals resv;
	struct vmctl_stats st;
	bool have_resv;
	const char *comm;
	int err;

	err = vmctl_get_stats(ctx, pid, &st);
	if (err < 0)
		return report_pid_error(ctx, "VMCTL_IOC_GET_STATS", pid, err, VMCTL_FEATURE_STATS);

	comm = proc_comm(pid, comm_buf, sizeof(comm_buf));
	/*
	 * Reservations charge what they commit, not their size: their
	 * commit is not in "committed" (VM_ACCOUNT mappings), so show it
	 * apart. Best effort: the process may change meanwhile.
	 */
	have_resv = st.kinds[VMCTL_KIND_RESERVED].count &&
		    regions_totals(ctx, pid, &resv) == 0;
	if (json) {
		struct json_object *obj = stats_to_json(&st, pid, comm);

		if (obj && have_resv)
			json_object_object_add(obj, "reservations", region_totals_to_json(&resv));
		if (print_json(stdout, obj) < 0)
			goto fail_print;
	} else {
		stats_print(stdout, &st, pid, comm, opts);
		if (have_resv)
			region_totals_print(stdout, &resv);
	}
	return EXIT_OK;

fail_print:
	print_error("cannot print JSON");
	return EXIT_ERROR;
}

static int stats_all(struct vmctl_ctx *ctx, bool json, const struct render_opts *opts)
{
	struct vmctl_proc_stats *procs;
	size_t n;
	int err, ret = EXIT_OK;

	err = vmctl_list_stats(ctx, &procs, &n);
	if (err < 0)
		return report_feature_error(ctx, "netlink GET_STATS dump", err,
					    VMCTL_FEATURE_STATS);

	stats_list_sort(procs, n);
	if (json) {
		if (print_json(stdout, stats_list_to_json(procs, n)) < 0) {
			print_error("cannot print JSON");
			ret = EXIT_ERROR;
		}
	} else {
		stats_list_print(stdout, procs, n, opts);
	}
	free(procs);
	return ret;
}

static int stats_run(struct vmctl_ctx *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "no-header", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct render_opts opts = { .header = true };
	bool json = false;
	pid_t pid;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, ":jnh", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'n':
			opts.header = false;
			break;
		case 'h':
			stats_help(stdout);
			return EXIT_OK;
		default:
			return option_error(&cmd_stats, argv, opt);
		}
	}
	if (argc - optind > 1)
		return usage_error(&cmd_stats, "unexpected argument \"%s\"", argv[optind + 1]);
	opts.color = !json && render_want_color(stdout);

	if (optind == argc)
		return stats_all(ctx, json, &opts);

	ret = parse_pid(&cmd_stats, argv[optind], &pid);
	if (ret != EXIT_OK)
		return ret;
	return stats_one(ctx, pid, json, &opts);
}

const struct vmctl_cmd cmd_stats = {
	.name = "stats",
	.summary = "show address-space statistics of a process or of all",
	.help = stats_help,
	.run = stats_run,
};
