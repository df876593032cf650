// SPDX-License-Identifier: GPL-2.0-or-later
/* Error messages of the tool, including hints for a missing module. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmctl-tool.h"

void vprint_error(const char *cmd, const char *fmt, va_list ap)
{
	if (cmd)
		fprintf(stderr, "%s %s: ", program_name, cmd);
	else
		fprintf(stderr, "%s: ", program_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void print_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_error(NULL, fmt, ap);
	va_end(ap);
}

int usage_error(const struct vmctl_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_error(NULL, fmt, ap);
	va_end(ap);
	if (cmd)
		fprintf(stderr, "Try \"%s %s --help\" for more information.\n",
			program_name, cmd->name);
	else
		fprintf(stderr, "Try \"%s --help\" for more information.\n", program_name);
	return EXIT_USAGE;
}

/*
 * Report a getopt failure; opterr is 0 so getopt itself stays silent.
 * @opt is what getopt_long returned: '?' or ':' (with ':' first in optstring).
 */
int option_error(const struct vmctl_cmd *cmd, char **argv, int opt)
{
	const char *arg = argv[optind - 1];

	if (opt == ':')
		return usage_error(cmd, "option \"%s\" requires an argument", arg);
	if (optopt)
		return usage_error(cmd, "invalid option \"-%c\"", optopt);
	return usage_error(cmd, "invalid option \"%s\"", arg);
}

/*
 * The library maps a missing module to -ENODEV and a missing device node to
 * -ENOENT, but the kernel may return those for its own reasons too: check
 * the module state before blaming it.
 */
static int explain_absent_module(struct vmctl_ctx *ctx, int err)
{
	int state = vmctl_module_state(ctx);

	if (err == -ENODEV && state == VMCTL_MODULE_NOT_LOADED) {
		print_error("the vmctl kernel module is not loaded; load it with "
			    "\"sudo modprobe vmctl\" or \"sudo insmod module/vmctl.ko\"");
		return 1;
	}
	if ((err == -ENODEV || err == -ENOENT) &&
	    (state == VMCTL_MODULE_COMING || state == VMCTL_MODULE_GOING)) {
		print_error("module vmctl is being %s; try again",
			    state == VMCTL_MODULE_COMING ? "loaded" : "unloaded");
		return 1;
	}
	if (err == -ENOENT && state >= VMCTL_MODULE_LOADED &&
	    access(VMCTL_DEVICE_PATH, F_OK) < 0) {
		print_error("module vmctl is loaded but %s is missing; check udev or "
			    "create it from /sys/class/misc/vmctl/dev", VMCTL_DEVICE_PATH);
		return 1;
	}
	if (err == -EOPNOTSUPP && state >= VMCTL_MODULE_LOADED) {
		print_error("module vmctl is loaded but does not provide the generic "
			    "netlink family \"%s\"; is it too old?", VMCTL_FAMILY_NAME);
		return 1;
	}
	return 0;
}

/* Print why @what failed with @err, in the style of iw. Returns EXIT_ERROR. */
int report_error(struct vmctl_ctx *ctx, const char *what, int err)
{
	const char *msg = vmctl_last_error_msg(ctx);

	if (explain_absent_module(ctx, err))
		return EXIT_ERROR;

	if (err == -EACCES || err == -EPERM) {
		print_error("%s failed: %s (%d); are you root?", what, strerror(-err), err);
		return EXIT_ERROR;
	}

	print_error("%s failed: %s (%d)", what, strerror(-err), err);
	if (msg)
		fprintf(stderr, "  kernel says: %s\n", msg);
	return EXIT_ERROR;
}

/* Parse a PID argument: a decimal number from 1 to INT_MAX. */
int parse_pid(const struct vmctl_cmd *cmd, const char *arg, pid_t *pid)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (end == arg || *end || errno || v < 1 || v > INT_MAX || arg[0] == '+' ||
	    arg[0] == ' ' || arg[0] == '\t')
		return usage_error(cmd, "invalid PID \"%s\": expected a positive number", arg);
	*pid = (pid_t)v;
	return EXIT_OK;
}

int parse_one_pid(const struct vmctl_cmd *cmd, int argc, char **argv, pid_t *pid)
{
	if (optind == argc)
		return usage_error(cmd, "missing PID");
	if (argc - optind > 1)
		return usage_error(cmd, "unexpected argument \"%s\"", argv[optind + 1]);
	return parse_pid(cmd, argv[optind], pid);
}

/*
 * An old module answers ENOTTY to an ioctl it does not know and EOPNOTSUPP
 * to a netlink command it does not know: say which feature it lacks.
 */
static int explain_missing_feature(struct vmctl_ctx *ctx, int err, uint64_t feature)
{
	struct vmctl_version v;
	uint64_t missing;
	unsigned int bit;

	if (err != -ENOTTY && err != -EOPNOTSUPP)
		return 0;
	if (vmctl_get_version(ctx, &v) < 0)
		return 0;
	if (err == -EOPNOTSUPP)
		feature |= VMCTL_FEATURE_NETLINK;
	missing = feature & ~v.features;
	if (!missing)
		return 0;

	bit = (unsigned int)__builtin_ctzll(missing);
	print_error("the loaded vmctl module does not implement the \"%s\" feature; "
		    "load a newer module", vmctl_feature_name(1ULL << bit) ?: "unknown");
	return 1;
}

/* report_error() for a command that needs @feature. Returns EXIT_ERROR. */
int report_feature_error(struct vmctl_ctx *ctx, const char *what, int err, uint64_t feature)
{
	if (explain_missing_feature(ctx, err, feature))
		return EXIT_ERROR;
	return report_error(ctx, what, err);
}

/*
 * report_feature_error() for a command on process @pid: name the errors
 * that are about the process rather than about vmctl.
 */
int report_pid_error(struct vmctl_ctx *ctx, const char *what, pid_t pid, int err,
		     uint64_t feature)
{
	switch (err) {
	case -ESRCH:
		print_error("no process with pid %d", (int)pid);
		return EXIT_ERROR;
	case -EACCES:
	case -EPERM:
		/* Not being allowed to open /dev/vmctl is another matter. */
		if (access(VMCTL_DEVICE_PATH, R_OK | W_OK) < 0 && errno != ENOENT)
			break;
		print_error("permission denied reading pid %d: need CAP_SYS_PTRACE "
			    "or the same user", (int)pid);
		return EXIT_ERROR;
	case -ENODATA:
		print_error("pid %d has no user address space (kernel thread or zombie)",
			    (int)pid);
		return EXIT_ERROR;
	}
	return report_feature_error(ctx, what, err, feature);
}
