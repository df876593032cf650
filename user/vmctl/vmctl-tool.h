/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internal interfaces of the vmctl tool. */
#ifndef _VMCTL_TOOL_H
#define _VMCTL_TOOL_H

#include <stdarg.h>
#include <stdio.h>

#include "vmctl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Exit codes, documented in "vmctl --help". */
enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,
	EXIT_USAGE = 2,
};

/**
 * struct vmctl_cmd - one subcommand
 * @name:    word on the command line
 * @summary: one line for the command list in "vmctl --help"
 * @help:    prints "vmctl @name --help" to the stream given
 * @run:     runs the command; argv[0] is @name; returns an EXIT_* code
 */
struct vmctl_cmd {
	const char *name;
	const char *summary;
	void (*help)(FILE *out);
	int (*run)(struct vmctl_ctx *ctx, int argc, char **argv);
};

/* One per command family, in cmd_<family>.c. */
extern const struct vmctl_cmd cmd_version;
extern const struct vmctl_cmd cmd_stats;
extern const struct vmctl_cmd cmd_maps;
extern const struct vmctl_cmd cmd_regions;
extern const struct vmctl_cmd cmd_faults;
extern const struct vmctl_cmd cmd_top;
extern const struct vmctl_cmd cmd_module;
extern const struct vmctl_cmd cmd_export;
extern const struct vmctl_cmd cmd_watch;

extern const char *program_name;

/* cmd_regions.c: totals of the reservations of @pid; 0 or -errno. */
struct region_totals;
int regions_totals(struct vmctl_ctx *ctx, pid_t pid, struct region_totals *t);

/*
 * cmd_stats.c: the name of @pid from /proc/PID/comm in @buf, or NULL if
 * it cannot be read (best effort: the process may be gone).
 */
const char *proc_comm(pid_t pid, char *buf, size_t len);

/*
 * cmd_watch.c: parsing and rendering of "vmctl watch", for the unit tests.
 * The parsers return NULL, or why @arg is wrong. @wall_ns is the
 * CLOCK_REALTIME time of the event, watch_wall_ns() of its time_ns.
 */
struct json_object;
const char *watch_parse_thresholds(const char *arg, uint32_t *thresholds, uint32_t *n);
/* @named: the events named in @arg (not through "all"). */
const char *watch_parse_events(const char *arg, uint32_t *mask, uint32_t *named);
int64_t watch_wall_ns(uint64_t mono_ns);
void watch_print_event(FILE *out, const struct vmctl_event *e, int64_t wall_ns);
struct json_object *watch_event_to_json(const struct vmctl_event *e, int64_t wall_ns);

/* error.c */
/*
 * "vmctl: ", or "vmctl @cmd: " for a command that says which it is, then
 * the message and a newline on stderr.
 */
void vprint_error(const char *cmd, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void __attribute__((format(printf, 1, 2))) print_error(const char *fmt, ...);
int usage_error(const struct vmctl_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int option_error(const struct vmctl_cmd *cmd, char **argv, int opt);
int report_error(struct vmctl_ctx *ctx, const char *what, int err);
int report_feature_error(struct vmctl_ctx *ctx, const char *what, int err, uint64_t feature);
int report_pid_error(struct vmctl_ctx *ctx, const char *what, pid_t pid, int err,
		     uint64_t feature);
/* Returns EXIT_OK, or EXIT_USAGE after printing why @arg is not a pid. */
int parse_pid(const struct vmctl_cmd *cmd, const char *arg, pid_t *pid);
/* parse_pid() of the one operand left after the options, which must be there. */
int parse_one_pid(const struct vmctl_cmd *cmd, int argc, char **argv, pid_t *pid);

#endif /* _VMCTL_TOOL_H */
