// SPDX-License-Identifier: GPL-2.0-or-later
/* vmctl: command line front end of libvmctl. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "vmctl-tool.h"

const char *program_name = "vmctl";

static const struct vmctl_cmd cmd_help;

static const struct vmctl_cmd *const commands[] = {
	&cmd_stats,
	&cmd_maps,
	&cmd_regions,
	&cmd_faults,
	&cmd_top,
	&cmd_watch,
	&cmd_export,
	&cmd_module,
	&cmd_version,
	&cmd_help,
};

static const struct vmctl_cmd *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

static void print_usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"Usage: %s [OPTIONS] COMMAND [ARGS...]\n"
		"\n"
		"Inspect process address spaces through the vmctl kernel module.\n"
		"\n"
		"Commands:\n", program_name);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-12s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out,
		"\n"
		"Options:\n"
		"  -h, --help     show this help and exit\n"
		"  -V, --version  show the tool version and exit\n"
		"\n"
		"Run \"%s COMMAND --help\" for the options of a command.\n"
		"\n"
		"Exit status:\n"
		"  0  success\n"
		"  1  error, including a kernel module that is not loaded\n"
		"  2  usage error\n", program_name);
}

static void help_help(FILE *out)
{
	fprintf(out,
		"Usage: %s help [COMMAND]\n"
		"\n"
		"Show the list of commands, or the help of COMMAND.\n", program_name);
}

static int help_run(struct vmctl_ctx *ctx, int argc, char **argv)
{
	const struct vmctl_cmd *cmd;

	(void)ctx;
	if (argc > 2)
		return usage_error(&cmd_help, "too many arguments");
	if (argc < 2) {
		print_usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		help_help(stdout);
		return EXIT_OK;
	}

	cmd = find_command(argv[1]);
	if (!cmd)
		return usage_error(NULL, "unknown command \"%s\"", argv[1]);
	cmd->help(stdout);
	return EXIT_OK;
}

static const struct vmctl_cmd cmd_help = {
	.name = "help",
	.summary = "show the help of vmctl or of one command",
	.help = help_help,
	.run = help_run,
};

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ }
	};
	const struct vmctl_cmd *cmd;
	struct vmctl_ctx *ctx;
	int opt, ret;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:hV", options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			print_usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("%s %s\n", program_name, VERSION);
			return EXIT_OK;
		default:
			return option_error(NULL, argv, opt);
		}
	}

	if (optind >= argc)
		return usage_error(NULL, "missing command");

	cmd = find_command(argv[optind]);
	if (!cmd)
		return usage_error(NULL, "unknown command \"%s\"", argv[optind]);

	ret = vmctl_new(&ctx);
	if (ret < 0) {
		print_error("cannot create a library context: %s", strerror(-ret));
		return EXIT_ERROR;
	}

	/* Commands parse their own options with getopt from a fresh state. */
	argc -= optind;
	argv += optind;
	optind = 0;
	ret = cmd->run(ctx, argc, argv);

	vmctl_unref(ctx);
	if (fflush(stdout) != 0 && ret == EXIT_OK) {
		print_error("cannot write output");
		ret = EXIT_ERROR;
	}
	return ret;
}
