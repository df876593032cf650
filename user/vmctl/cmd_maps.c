// SPDX-License-Identifier: GPL-2.0-or-later
/* vmctl maps PID: the VMAs of a process, like pmap. */
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>

#include "render.h"
#include "vmctl-tool.h"

static void maps_help(FILE *out)
{
	fprintf(out,
		"Usage: %s maps [OPTIONS] PID\n"
		"\n"
		"List the VMAs of process PID in address order, one per line, as\n"
		"/proc/PID/maps does: address range, permissions (r/w/x, then s for\n"
		"shared or p for private), size, kind, file offset (hex), device\n"
		"(major:minor, hex), inode and name; then a total line.\n"
		"\n"
		"Kinds: anon, file, shmem, stack, heap, hugetlb, special, guard, reserved.\n"
		"\n"
		"Reading another user's process needs CAP_SYS_PTRACE, as /proc/PID/maps does.\n"
		"\n"
		"Options:\n"
		"  -j, --json       print a JSON array, one object per VMA\n"
		"  -n, --no-header  omit the header and the total line\n"
		"  -h, --help       show this help and exit\n"
		"\n"
		"Exit status:\n"
		"  0  success\n"
		"  1  error: no such process, permission denied, no address space,\n"
		"     kernel module not loaded or too old, ...\n"
		"  2  usage error\n", program_name);
}

static int maps_run(struct vmctl_ctx *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "no-header", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct render_opts opts = { .header = true };
	struct vmctl_vma *vmas;
	bool json = false;
	int opt, ret, err;
	size_t n;
	pid_t pid;

	while ((opt = getopt_long(argc, argv, ":jnh", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'n':
			opts.header = false;
			break;
		case 'h':
			maps_help(stdout);
			return EXIT_OK;
		default:
			return option_error(&cmd_maps, argv, opt);
		}
	}
	ret = parse_one_pid(&cmd_maps, argc, argv, &pid);
	if (ret != EXIT_OK)
		return ret;

	err = vmctl_get_vmas(ctx, pid, &vmas, &n);
	if (err < 0)
		return report_pid_error(ctx, "VMCTL_IOC_GET_VMAS", pid, err, VMCTL_FEATURE_VMAS);

	ret = EXIT_OK;
	if (json) {
		if (print_json(stdout, vmas_to_json(vmas, n)) < 0) {
			print_error("cannot print JSON");
			ret = EXIT_ERROR;
		}
	} else {
		opts.color = render_want_color(stdout);
		vmas_print(stdout, vmas, n, &opts);
	}
	free(vmas);
	return ret;
}

const struct vmctl_cmd cmd_maps = {
	.name = "maps",
	.summary = "list the VMAs of a process, like pmap",
	.help = maps_help,
	.run = maps_run,
};
