// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vmctl watch [PID...]: create watches, print their events as they come,
 * delete the watches again at the end. vmctl watch --list: the watches;
 * vmctl watch --delete ID...: delete some.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "format.h"
#include "vmctl-tool.h"

/* How often the watches are listed, to notice losses and lost exits. */
#define CHECK_INTERVAL_NS	1000000000LL
/* A watch missing from the list this long without its exit event ended. */
#define MISSING_GRACE_NS	2000000000LL

static void watch_help(FILE *out)
{
	fprintf(out,
		"Usage: %s watch [OPTIONS] [PID...]\n"
		"       %s watch --list [--json]\n"
		"       %s watch --delete ID...\n"
		"\n"
		"Watch processes PID... (or, without PID, every process: CAP_SYS_ADMIN)\n"
		"and print each event the vmctl module reports about them as one line:\n"
		"map_count reaching a share of vm.max_map_count, a call failing with\n"
		"ENOMEM at that limit, a refused vmctl commit, a major-fault rate, and\n"
		"the process's exit. Stops when every PID has exited (status 0), or on\n"
		"SIGINT/SIGTERM or when standard output is closed; its watches are\n"
		"deleted then.\n"
		"\n"
		"Events: map-count-threshold, map-count-exhausted, commit-refused,\n"
		"fault-rate (with --fault-rate) and process-exit; the last two only for\n"
		"PIDs.\n"
		"\n"
		"Options:\n"
		"  -t, --threshold LIST  percentages of vm.max_map_count, comma-separated,\n"
		"                        up to %d (default 80,95)\n"
		"  -H, --hysteresis N    re-arm a threshold once map_count falls N%% below\n"
		"                        it (0-50, default 5)\n"
		"  -e, --events LIST     events to report, comma-separated names or \"all\"\n"
		"                        (default all)\n"
		"  -f, --fault-rate N    report major-fault rates of N per second and more\n"
		"                        (needs PIDs)\n"
		"  -j, --json            one JSON object per event and line\n"
		"  -l, --list            list the watches that exist and exit\n"
		"  -d, --delete          delete the watches ID... (left by a vmctl watch\n"
		"                        that was killed, for one) and exit\n"
		"  -h, --help            show this help and exit\n"
		"\n"
		"Exit status:\n"
		"  0  every PID exited, or stopped by a signal or a closed output\n"
		"  1  error\n"
		"  2  usage error\n", program_name, program_name, program_name,
		VMCTL_WATCH_THRESHOLDS_MAX);
}

/* ---- option parsing ---- */

/* Events only a watch on given processes reports. */
#define PER_PROCESS_EVENTS	(VMCTL_EVENT_FAULT_RATE | VMCTL_EVENT_PROCESS_EXIT)

/* Parse a decimal number from @min to @max that fills @s; -1 if not one. */
static long long parse_number(const char *s, long long min, long long max)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end || errno || v < min || v > max)
		return -1;
	return v;
}

const char *watch_parse_thresholds(const char *arg, uint32_t *thresholds, uint32_t *n)
{
	char buf[256], *tok, *save;
	uint32_t count = 0;

	if (strlen(arg) >= sizeof(buf))
		return "too long";
	strcpy(buf, arg);
	if (!buf[0] || buf[0] == ',' || buf[strlen(buf) - 1] == ',' || strstr(buf, ",,"))
		return "expected percentages separated by commas";
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t len = strlen(tok);
		long long v;

		if (len && tok[len - 1] == '%')
			tok[len - 1] = '\0';
		v = parse_number(tok, 1, 100);
		if (v < 0)
			return "a threshold is a percentage from 1 to 100";
		if (count == VMCTL_WATCH_THRESHOLDS_MAX)
			return "too many thresholds";
		thresholds[count++] = (uint32_t)v;
	}
	*n = count;
	return NULL;
}

const char *watch_parse_events(const char *arg, uint32_t *mask, uint32_t *named)
{
	char buf[256], *tok, *save;
	uint32_t m = 0, by_name = 0;

	if (strlen(arg) >= sizeof(buf))
		return "too long";
	strcpy(buf, arg);
	if (!buf[0] || buf[0] == ',' || buf[strlen(buf) - 1] == ',' || strstr(buf, ",,"))
		return "expected event names separated by commas";
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned int bit = vmctl_event_from_name(tok);

		by_name |= bit;
		if (!strcmp(tok, "all"))
			bit = VMCTL_EVENT_ALL;
		if (!bit)
			return "unknown event name";
		m |= bit;
	}
	*mask = m;
	*named = by_name;
	return NULL;
}

/* ---- rendering ---- */

int64_t watch_wall_ns(uint64_t mono_ns)
{
	struct timespec mono, wall;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &wall);
	return (int64_t)wall.tv_sec * 1000000000LL + wall.tv_nsec -
	       ((int64_t)mono.tv_sec * 1000000000LL + mono.tv_nsec - (int64_t)mono_ns);
}

static const char *signal_name(int sig, char *buf, size_t len)
{
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev)
		snprintf(buf, len, "SIG%s", abbrev);
	else
		snprintf(buf, len, "signal %d", sig);
	return buf;
}

static void print_exit(FILE *out, int status)
{
	char sig[32];

	if (WIFEXITED(status))
		fprintf(out, "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		fprintf(out, "killed by %s%s", signal_name(WTERMSIG(status), sig, sizeof(sig)),
			WCOREDUMP(status) ? " (core dumped)" : "");
	else
		fprintf(out, "status 0x%x", (unsigned int)status);
}

void watch_print_event(FILE *out, const struct vmctl_event *e, int64_t wall_ns)
{
	char a[FORMAT_BUF_SIZE], b[FORMAT_BUF_SIZE], c[FORMAT_BUF_SIZE];
	time_t secs = (time_t)(wall_ns / 1000000000LL);
	const char *name = vmctl_event_name(e->type);
	char comm[VMCTL_COMM_SIZE];
	struct tm tm;
	size_t i;

	/* One event, one line: a name may hold any byte. */
	for (i = 0; i < sizeof(comm) - 1 && e->comm[i]; i++)
		comm[i] = (unsigned char)e->comm[i] < ' ' || e->comm[i] == 0x7f ? '?' :
			  e->comm[i];
	comm[i] = '\0';
	localtime_r(&secs, &tm);
	fprintf(out, "%02d:%02d:%02d.%03d %d (%s) ", tm.tm_hour, tm.tm_min, tm.tm_sec,
		(int)(wall_ns % 1000000000LL / 1000000), (int)e->pid, comm);
	if (name)
		fprintf(out, "%s", name);
	else
		fprintf(out, "event-%u", e->type);

	switch (e->type) {
	case VMCTL_EVENT_MAP_COUNT_THRESHOLD:
		fprintf(out, " %u%% map_count=%llu/%llu", e->threshold,
			(unsigned long long)e->map_count, (unsigned long long)e->max_map_count);
		break;
	case VMCTL_EVENT_MAP_COUNT_EXHAUSTED:
		name = vmctl_event_op_name(e->op);
		if (name)
			fprintf(out, " %s", name);
		else
			fprintf(out, " op-%u", e->op);
		fprintf(out, " map_count=%llu/%llu addr=0x%llx len=%llu",
			(unsigned long long)e->map_count, (unsigned long long)e->max_map_count,
			(unsigned long long)e->addr, (unsigned long long)e->len);
		break;
	case VMCTL_EVENT_COMMIT_REFUSED:
		name = vmctl_limit_kind_name(e->limit_kind);
		fprintf(out, " %s limit", name ? name : "unknown");
		if (e->limit_bytes)
			fprintf(out, " %s", format_size(a, sizeof(a), e->limit_bytes));
		fprintf(out, ": committed %s, request %s",
			format_size(b, sizeof(b), e->committed_bytes),
			format_size(c, sizeof(c), e->request_bytes));
		break;
	case VMCTL_EVENT_FAULT_RATE:
		fprintf(out, " %llu major faults/s (limit %llu/s)",
			(unsigned long long)e->fault_rate, (unsigned long long)e->fault_rate_limit);
		break;
	case VMCTL_EVENT_PROCESS_EXIT:
		fputc(' ', out);
		print_exit(out, e->exit_code);
		fprintf(out, ", map_count=%llu peak=%llu maxrss=%s min_flt=%llu maj_flt=%llu",
			(unsigned long long)e->map_count, (unsigned long long)e->map_count_peak,
			format_size(a, sizeof(a), e->maxrss_bytes),
			(unsigned long long)e->min_flt, (unsigned long long)e->maj_flt);
		break;
	}
	fputc('\n', out);
}

static void add_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

static void add_str(struct json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, s ? json_object_new_string(s) : NULL);
}

struct json_object *watch_event_to_json(const struct vmctl_event *e, int64_t wall_ns)
{
	struct json_object *o = json_object_new_object();
	time_t secs = (time_t)(wall_ns / 1000000000LL);
	char when[64], sig[32];
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(wall_ns % 1000000000LL / 1000000));
	add_str(o, "time", when);
	add_u64(o, "time_ns", e->time_ns);
	add_u64(o, "watch_id", e->watch_id);
	json_object_object_add(o, "pid", json_object_new_int(e->pid));
	add_str(o, "comm", e->comm);
	add_str(o, "event", vmctl_event_name(e->type));

	switch (e->type) {
	case VMCTL_EVENT_MAP_COUNT_THRESHOLD:
		add_u64(o, "threshold", e->threshold);
		add_u64(o, "map_count", e->map_count);
		add_u64(o, "max_map_count", e->max_map_count);
		break;
	case VMCTL_EVENT_MAP_COUNT_EXHAUSTED:
		add_str(o, "op", vmctl_event_op_name(e->op));
		add_u64(o, "map_count", e->map_count);
		add_u64(o, "max_map_count", e->max_map_count);
		add_u64(o, "addr", e->addr);
		add_u64(o, "len", e->len);
		break;
	case VMCTL_EVENT_COMMIT_REFUSED:
		add_str(o, "limit_kind", vmctl_limit_kind_name(e->limit_kind));
		add_u64(o, "limit_bytes", e->limit_bytes);
		add_u64(o, "committed_bytes", e->committed_bytes);
		add_u64(o, "request_bytes", e->request_bytes);
		break;
	case VMCTL_EVENT_FAULT_RATE:
		add_u64(o, "fault_rate", e->fault_rate);
		add_u64(o, "fault_rate_limit", e->fault_rate_limit);
		break;
	case VMCTL_EVENT_PROCESS_EXIT:
		json_object_object_add(o, "exit_code", json_object_new_int(e->exit_code));
		json_object_object_add(o, "exit_status", WIFEXITED(e->exit_code) ?
				       json_object_new_int(WEXITSTATUS(e->exit_code)) : NULL);
		add_str(o, "signal", WIFSIGNALED(e->exit_code) ?
			signal_name(WTERMSIG(e->exit_code), sig, sizeof(sig)) : NULL);
		json_object_object_add(o, "core_dumped", json_object_new_boolean(
					       WIFSIGNALED(e->exit_code) && WCOREDUMP(e->exit_code)));
		add_u64(o, "map_count", e->map_count);
		add_u64(o, "map_count_peak", e->map_count_peak);
		add_u64(o, "maxrss_bytes", e->maxrss_bytes);
		add_u64(o, "min_flt", e->min_flt);
		add_u64(o, "maj_flt", e->maj_flt);
		break;
	}
	return o;
}

/* "all", or the names of the bits of @mask separated by commas. */
static char *events_text(char *buf, size_t len, uint32_t mask)
{
	size_t used = 0;
	unsigned int bit;

	if ((mask & VMCTL_EVENT_ALL) == VMCTL_EVENT_ALL && !(mask & ~VMCTL_EVENT_ALL)) {
		snprintf(buf, len, "all");
		return buf;
	}
	buf[0] = '\0';
	for (bit = 1; bit; bit <<= 1) {
		const char *name;
		char num[16];

		if (!(mask & bit))
			continue;
		name = vmctl_event_name(bit);
		if (!name) {
			snprintf(num, sizeof(num), "0x%x", bit);
			name = num;
		}
		used += snprintf(buf + used, used < len ? len - used : 0, "%s%s",
				 used ? "," : "", name);
	}
	return buf;
}

/* ---- --list ---- */

static int watch_list(struct vmctl_ctx *ctx, bool json)
{
	struct vmctl_watch_info *w;
	size_t n, i;
	uint32_t j;
	int err;

	err = vmctl_watch_list(ctx, &w, &n);
	if (err)
		return report_feature_error(ctx, "listing watches", err, VMCTL_FEATURE_EVENTS);
	if (json) {
		struct json_object *arr = json_object_new_array();

		for (i = 0; i < n; i++) {
			struct json_object *o = json_object_new_object(), *t, *ev;
			bool global = w[i].flags & VMCTL_WATCH_SPEC_GLOBAL;
			unsigned int bit;

			add_u64(o, "id", w[i].id);
			json_object_object_add(o, "global", json_object_new_boolean(global));
			json_object_object_add(o, "socket_owned", json_object_new_boolean(
						       w[i].flags & VMCTL_WATCH_SPEC_OWNED));
			json_object_object_add(o, "pid", global ? NULL :
					       json_object_new_int(w[i].pid));
			add_str(o, "comm", global ? NULL : w[i].comm);
			ev = json_object_new_array();
			for (bit = 1; bit; bit <<= 1)
				if ((w[i].events & bit) && vmctl_event_name(bit))
					json_object_array_add(ev, json_object_new_string(
								      vmctl_event_name(bit)));
			json_object_object_add(o, "events", ev);
			t = json_object_new_array();
			for (j = 0; j < w[i].nthresholds; j++)
				json_object_array_add(t, json_object_new_int(w[i].thresholds[j]));
			json_object_object_add(o, "thresholds", t);
			add_u64(o, "hysteresis", w[i].hysteresis);
			add_u64(o, "fault_rate", w[i].fault_rate);
			add_u64(o, "events_sent", w[i].events_sent);
			add_u64(o, "events_dropped", w[i].events_dropped);
			json_object_array_add(arr, o);
		}
		printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_SPACED |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(arr);
		free(w);
		return EXIT_OK;
	}
	printf("%6s %7s %-16s %-12s %4s %10s %10s %10s  %s\n", "ID", "PID", "COMM",
	       "THRESHOLDS", "HYST", "FAULT_RATE", "SENT", "DROPPED", "EVENTS");
	for (i = 0; i < n; i++) {
		char pid[16], thr[64], rate[24], events[160];
		size_t used = 0;

		if (w[i].flags & VMCTL_WATCH_SPEC_GLOBAL)
			snprintf(pid, sizeof(pid), "-");
		else
			snprintf(pid, sizeof(pid), "%d", (int)w[i].pid);
		thr[0] = '\0';
		for (j = 0; j < w[i].nthresholds; j++)
			used += snprintf(thr + used, used < sizeof(thr) ? sizeof(thr) - used : 0,
					 "%s%u", j ? "," : "", w[i].thresholds[j]);
		if (!w[i].nthresholds)
			snprintf(thr, sizeof(thr), "-");
		if (w[i].fault_rate)
			snprintf(rate, sizeof(rate), "%llu", (unsigned long long)w[i].fault_rate);
		else
			snprintf(rate, sizeof(rate), "-");
		printf("%6u %7s %-16s %-12s %4u %10s %10llu %10llu  %s\n", w[i].id, pid,
		       (w[i].flags & VMCTL_WATCH_SPEC_GLOBAL) ? "(global)" : w[i].comm,
		       thr, w[i].hysteresis, rate, (unsigned long long)w[i].events_sent,
		       (unsigned long long)w[i].events_dropped,
		       events_text(events, sizeof(events), w[i].events));
	}
	free(w);
	return EXIT_OK;
}

/* ---- --delete ---- */

static int watch_delete(struct vmctl_ctx *ctx, char **ids, int n)
{
	int i, err, rc = EXIT_OK;
	long long id;

	for (i = 0; i < n; i++)
		if (parse_number(ids[i], 1, UINT32_MAX) < 0)
			return usage_error(&cmd_watch, "invalid watch ID \"%s\"", ids[i]);
	for (i = 0; i < n; i++) {
		id = parse_number(ids[i], 1, UINT32_MAX);
		err = vmctl_watch_del(ctx, (uint32_t)id);
		if (err == -ENOENT) {
			print_error("no watch %lld", id);
			rc = EXIT_ERROR;
		} else if (err == -EPERM) {
			print_error("watch %lld belongs to another user (needs CAP_SYS_ADMIN)", id);
			rc = EXIT_ERROR;
		} else if (err) {
			return report_feature_error(ctx, "deleting a watch", err,
						    VMCTL_FEATURE_EVENTS);
		}
	}
	return rc;
}

/* ---- watching ---- */

/* "vmctl watch: ..." on stderr. */
static void __attribute__((format(printf, 1, 2))) watch_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_error("watch", fmt, ap);
	va_end(ap);
	fflush(stderr);
}

struct watched {
	uint32_t id;
	pid_t pid;		/* 0: the global watch */
	bool ended;		/* its exit event came, or it vanished */
	bool want_exit;		/* it reports the process's exit */
	bool missing;		/* absent from the last list */
	int64_t missing_since;
	uint64_t dropped;	/* events_dropped at the last list */
};

struct watch_state {
	struct vmctl_ctx *ctx;
	struct watched *w;
	size_t n;
	size_t live;		/* watches not ended */
	bool json;
	bool overrun;		/* the socket overflowed since the last check */
	bool out_closed;	/* writing to stdout failed */
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct watched *find_watch(struct watch_state *st, uint32_t id)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (st->w[i].id == id)
			return &st->w[i];
	return NULL;
}

static void end_watch(struct watch_state *st, struct watched *w)
{
	if (w->ended)
		return;
	w->ended = true;
	st->live--;
}

static int on_event(const struct vmctl_event *e, void *data)
{
	struct watch_state *st = data;
	int64_t wall = watch_wall_ns(e->time_ns);
	struct watched *w;

	if (e->type == VMCTL_EVENT_LOST) {
		st->overrun = true;
		return 0;
	}
	w = find_watch(st, e->watch_id);
	if (!w || w->ended)
		return 0;	/* someone else's watch */

	if (st->json) {
		struct json_object *o = watch_event_to_json(e, wall);

		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		watch_print_event(stdout, e, wall);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		st->out_closed = true;
		return -EPIPE;
	}
	if (e->type == VMCTL_EVENT_PROCESS_EXIT && w->pid)
		end_watch(st, w);
	return 0;
}

/*
 * List the watches: report the events the kernel dropped for ours since
 * the last time, and end the ones that are gone without their exit
 * event (lost) once the grace time has passed.
 */
static int check_watches(struct watch_state *st)
{
	struct vmctl_watch_info *info;
	uint64_t dropped = 0;
	int64_t now = now_ns();
	size_t n, i, j;
	int err;

	err = vmctl_watch_list(st->ctx, &info, &n);
	if (err)
		return report_feature_error(st->ctx, "listing watches", err,
					    VMCTL_FEATURE_EVENTS);
	for (i = 0; i < st->n; i++) {
		struct watched *w = &st->w[i];

		if (w->ended)
			continue;
		for (j = 0; j < n; j++)
			if (info[j].id == w->id)
				break;
		if (j < n) {
			if (info[j].events_dropped > w->dropped)
				dropped += info[j].events_dropped - w->dropped;
			w->dropped = info[j].events_dropped;
			w->missing = false;
			continue;
		}
		if (w->pid && !w->want_exit) {
			/* Its process exited; no event says so. */
			end_watch(st, w);
		} else if (!w->missing) {
			/* The exit event may still be on its way. */
			w->missing = true;
			w->missing_since = now;
		} else if (now - w->missing_since >= MISSING_GRACE_NS) {
			if (w->pid)
				watch_warn("pid %d ended without a process-exit event",
					    (int)w->pid);
			else
				watch_warn("the global watch %u was deleted", w->id);
			end_watch(st, w);
		}
	}
	free(info);
	if (dropped)
		watch_warn("%llu events lost", (unsigned long long)dropped);
	else if (st->overrun)
		watch_warn("events lost (receive buffer overrun)");
	st->overrun = false;
	fflush(stderr);
	return EXIT_OK;
}

static void delete_watches(struct watch_state *st)
{
	size_t i;

	for (i = 0; i < st->n; i++) {
		int err;

		if (st->w[i].ended)
			continue;
		err = vmctl_watch_del(st->ctx, st->w[i].id);
		/* ENOENT: its process exited meanwhile. */
		if (err && err != -ENOENT)
			report_error(st->ctx, "deleting a watch", err);
	}
}

static int add_watches(struct watch_state *st, const pid_t *pids, size_t npids,
		       const struct vmctl_watch_spec *tmpl)
{
	size_t i;

	for (i = 0; i < (npids ? npids : 1); i++) {
		struct vmctl_watch_spec spec = *tmpl;
		struct watched *w = &st->w[st->n];
		int err;

		if (npids)
			spec.pid = pids[i];
		else
			spec.flags |= VMCTL_WATCH_SPEC_GLOBAL;
		/* Gone with this process, however it dies. */
		spec.flags |= VMCTL_WATCH_SPEC_OWNED;
		err = vmctl_watch_add(st->ctx, &spec, &w->id);
		if (err == -EPERM && !npids) {
			watch_warn("a global watch needs CAP_SYS_ADMIN "
				   "(run as root or give PIDs)");
			return EXIT_ERROR;
		}
		if (err && npids)
			return report_pid_error(st->ctx, "creating a watch", pids[i], err,
						VMCTL_FEATURE_EVENTS);
		if (err)
			return report_feature_error(st->ctx, "creating a watch", err,
						    VMCTL_FEATURE_EVENTS);
		w->pid = npids ? pids[i] : 0;
		w->want_exit = !spec.events || (spec.events & VMCTL_EVENT_PROCESS_EXIT);
		st->n++;
		st->live++;
	}
	return EXIT_OK;
}

static int watch_loop(struct watch_state *st, int sfd, struct vmctl_events *ev)
{
	int64_t last_check = now_ns();
	int rc = EXIT_OK;

	while (st->live) {
		struct pollfd pfd[3] = {
			{ .fd = vmctl_events_fd(ev), .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
			/* A closed pipe shows as POLLERR on our end; no need to write. */
			{ .fd = STDOUT_FILENO, .events = 0 },
		};
		int64_t now;
		int err;

		err = poll(pfd, 3, (int)(CHECK_INTERVAL_NS / 1000000));
		if (err < 0 && errno != EINTR) {
			print_error("poll: %s", strerror(errno));
			return EXIT_ERROR;
		}
		if (pfd[1].revents)
			return EXIT_OK;		/* SIGINT, SIGTERM, SIGHUP */
		if (pfd[2].revents & (POLLERR | POLLHUP | POLLNVAL)) {
			st->out_closed = true;
			return EXIT_OK;
		}
		err = vmctl_events_read(ev, on_event, st);
		if (st->out_closed)
			return EXIT_OK;
		if (err < 0) {
			print_error("reading events: %s", strerror(-err));
			return EXIT_ERROR;
		}
		now = now_ns();
		if (st->overrun || now - last_check >= CHECK_INTERVAL_NS) {
			rc = check_watches(st);
			if (rc)
				return rc;
			last_check = now;
		}
	}
	return rc;
}

static int watch_run(struct vmctl_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "threshold", required_argument, NULL, 't' },
		{ "hysteresis", required_argument, NULL, 'H' },
		{ "events", required_argument, NULL, 'e' },
		{ "fault-rate", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "list", no_argument, NULL, 'l' },
		{ "delete", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct vmctl_watch_spec spec = { 0 };
	struct watch_state st = { .ctx = ctx };
	struct vmctl_events *ev = NULL;
	uint32_t named = 0;
	bool list = false, del = false;
	const char *why;
	size_t npids = 0, i, j;
	pid_t *pids = NULL;
	struct signalfd_siginfo si;
	sigset_t mask, old;
	long long v;
	int opt, rc, err, sfd;

	while ((opt = getopt_long(argc, argv, "t:H:e:f:jldh", opts, NULL)) != -1) {
		switch (opt) {
		case 't':
			why = watch_parse_thresholds(optarg, spec.thresholds, &spec.nthresholds);
			if (why)
				return usage_error(&cmd_watch, "bad --threshold \"%s\": %s",
						   optarg, why);
			break;
		case 'H':
			v = parse_number(optarg, 0, 50);
			if (v < 0)
				return usage_error(&cmd_watch, "bad --hysteresis \"%s\": expected "
						   "a percentage from 0 to 50", optarg);
			spec.hysteresis = (uint32_t)v;
			spec.flags |= VMCTL_WATCH_SPEC_HYSTERESIS;
			break;
		case 'e':
			why = watch_parse_events(optarg, &spec.events, &named);
			if (why)
				return usage_error(&cmd_watch, "bad --events \"%s\": %s", optarg,
						   why);
			break;
		case 'f':
			v = parse_number(optarg, 1, LLONG_MAX);
			if (v < 0)
				return usage_error(&cmd_watch, "bad --fault-rate \"%s\": expected "
						   "a positive number", optarg);
			spec.fault_rate = (uint64_t)v;
			break;
		case 'j':
			st.json = true;
			break;
		case 'l':
			list = true;
			break;
		case 'd':
			del = true;
			break;
		case 'h':
			watch_help(stdout);
			return EXIT_OK;
		default:
			return option_error(&cmd_watch, argv, opt);
		}
	}
	if (list || del) {
		bool other = spec.nthresholds || spec.events || spec.fault_rate ||
			     (spec.flags & VMCTL_WATCH_SPEC_HYSTERESIS);

		if (list && (del || optind != argc || other))
			return usage_error(&cmd_watch, "--list takes no PID and no other "
					   "option than --json");
		if (list)
			return watch_list(ctx, st.json);
		if (optind == argc || other || st.json)
			return usage_error(&cmd_watch, "--delete takes watch IDs and no option");
		return watch_delete(ctx, argv + optind, argc - optind);
	}
	if (spec.fault_rate && optind == argc)
		return usage_error(&cmd_watch, "--fault-rate needs PIDs");
	if (optind == argc && (named & PER_PROCESS_EVENTS))
		return usage_error(&cmd_watch, "the fault-rate and process-exit events "
				   "need PIDs");
	/* "all" for every process: all there are for it. */
	if (optind == argc)
		spec.events &= ~PER_PROCESS_EVENTS;
	if (spec.fault_rate && spec.events && !(spec.events & VMCTL_EVENT_FAULT_RATE))
		return usage_error(&cmd_watch, "--fault-rate needs the fault-rate event");

	pids = calloc(argc - optind + 1, sizeof(*pids));
	st.w = calloc(argc - optind + 1, sizeof(*st.w));
	if (!pids || !st.w) {
		free(pids);
		free(st.w);
		print_error("out of memory");
		return EXIT_ERROR;
	}
	for (i = optind; i < (size_t)argc; i++) {
		pid_t pid;

		rc = parse_pid(&cmd_watch, argv[i], &pid);
		if (rc)
			goto out_free;
		for (j = 0; j < npids && pids[j] != pid; j++)
			;
		if (j == npids)
			pids[npids++] = pid;
	}

	/* Signals are read from a descriptor, after the watches exist. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &old);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		print_error("signalfd: %s", strerror(errno));
		rc = EXIT_ERROR;
		goto out_mask;
	}

	/* Subscribe first: events of the new watches must not pass by. */
	err = vmctl_events_open(ctx, 0, &ev);
	if (err == -EPERM) {
		/* Kernels without per-listener filtering (before 6.7). */
		watch_warn("this kernel lets only CAP_SYS_ADMIN hear vmctl events "
			   "(run as root)");
		rc = EXIT_ERROR;
		goto out_sfd;
	}
	if (err) {
		rc = report_feature_error(ctx, "subscribing to vmctl events", err,
					  VMCTL_FEATURE_EVENTS);
		goto out_sfd;
	}
	rc = add_watches(&st, pids, npids, &spec);
	if (!rc)
		rc = watch_loop(&st, sfd, ev);
	delete_watches(&st);
	vmctl_events_close(ev);
	if (st.out_closed)
		__fpurge(stdout);	/* nobody reads it any more */
out_sfd:
	/* Consume the signal that stopped us: it has been handled. */
	while (read(sfd, &si, sizeof(si)) == sizeof(si))
		;
	close(sfd);
out_mask:
	sigprocmask(SIG_SETMASK, &old, NULL);
out_free:
	free(pids);
	free(st.w);
	return rc;
}

const struct vmctl_cmd cmd_watch = {
	.name = "watch",
	.summary = "print map-count, commit and exit events of processes",
	.help = watch_help,
	.run = watch_run,
};
