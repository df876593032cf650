// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vmctl faults PID | vmctl faults -- CMD [ARG...]: the fault accounts of a
 * tracked process: totals, failures, a latency histogram and the VMAs
 * that fault most.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "format.h"
#include "vmctl-tool.h"

static void faults_help(FILE *out)
{
	fprintf(out,
		"Usage: %s faults [OPTIONS] PID\n"
		"       %s faults [OPTIONS] -- CMD [ARG...]\n"
		"       %s faults --system [--untrack]\n"
		"\n"
		"Show the page faults of process PID counted by the vmctl module:\n"
		"minor/major, writes, instruction fetches, user/kernel origin, failures\n"
		"(SIGSEGV, SIGBUS, out of memory, EFAULT), interrupted faults, a latency\n"
		"histogram and a table of VMAs sorted by faults. PID is tracked first if\n"
		"it is not yet (another process needs CAP_PERFMON); counting starts then.\n"
		"\n"
		"With -- CMD, run CMD tracked from its first instruction and report when\n"
		"it exits (CMD's exit status is vmctl's).\n"
		"\n"
		"With --system (CAP_SYS_ADMIN), start counting the faults of every\n"
		"process, or stop that with --untrack; see them with '%s top'.\n"
		"\n"
		"Options:\n"
		"  -i, --interval S  print fault rates every S seconds (with PID)\n"
		"  -c, --count N     stop after N intervals (default: until PID exits)\n"
		"  -j, --json        print JSON\n"
		"  -u, --untrack     stop tracking PID and free its counters\n"
		"  -s, --system      system-wide tracking (every process)\n"
		"  -h, --help        show this help and exit\n"
		"\n"
		"Exit status:\n"
		"  0  success (with CMD: CMD's own status)\n"
		"  1  error\n"
		"  2  usage error\n", program_name, program_name, program_name,
		program_name);
}

static const char *const count_names[] = {
	"minor", "major", "write", "exec", "user", "kernel", "retry",
	"sigsegv", "sigbus", "oom", "efault", "untraced",
	"lat_count", "lat_total_ns", "lat_max_ns",
};

static const uint64_t *counts_array(const struct vmctl_fault_counts *c)
{
	return (const uint64_t *)c;
}

static int cmp_vma(const void *a, const void *b)
{
	const struct vmctl_fault_vma *x = a, *y = b;
	uint64_t fx = x->minor + x->major, fy = y->minor + y->major;

	if ((x->flags ^ y->flags) & VMCTL_FAULT_VMA_OTHER)
		return (x->flags & VMCTL_FAULT_VMA_OTHER) ? 1 : -1;
	return fx < fy ? 1 : fx > fy ? -1 : 0;
}

static void fmt_ns(char *buf, size_t len, uint64_t ns)
{
	if (ns < 10000)
		snprintf(buf, len, "%llu ns", (unsigned long long)ns);
	else if (ns < 10000000)
		snprintf(buf, len, "%.1f us", ns / 1e3);
	else if (ns < 10000000000ULL)
		snprintf(buf, len, "%.1f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.1f s", ns / 1e9);
}

static void print_hist(const struct vmctl_fault_counts *c)
{
	uint64_t max = 0;
	unsigned int i, lo = VMCTL_FAULT_HIST_BUCKETS, hi = 0;

	for (i = 0; i < VMCTL_FAULT_HIST_BUCKETS; i++) {
		if (!c->hist[i])
			continue;
		if (c->hist[i] > max)
			max = c->hist[i];
		if (i < lo)
			lo = i;
		hi = i;
	}
	if (!max)
		return;
	printf("latency histogram:\n");
	for (i = lo; i <= hi; i++) {
		char a[FORMAT_BUF_SIZE], b[FORMAT_BUF_SIZE], n[FORMAT_BUF_SIZE];
		char bar[41];
		unsigned int w = (unsigned int)((c->hist[i] * 40 + max - 1) / max);

		fmt_ns(a, sizeof(a), vmctl_fault_hist_lower_ns(i));
		if (i == VMCTL_FAULT_HIST_BUCKETS - 1)
			snprintf(b, sizeof(b), "inf");
		else
			fmt_ns(b, sizeof(b), vmctl_fault_hist_upper_ns(i) + 1);
		memset(bar, '#', w);
		bar[w] = '\0';
		printf("  [%9s, %9s) %-40s %s\n", a, b, bar,
		       format_count(n, sizeof(n), c->hist[i]));
	}
}

static void print_text(pid_t pid, const char *comm, const struct vmctl_faults *f,
		       struct vmctl_fault_vma *v, size_t n)
{
	const struct vmctl_fault_counts *c = &f->counts;
	char a[FORMAT_BUF_SIZE], b[FORMAT_BUF_SIZE];
	size_t i;

	printf("pid %d (%s), tracked %.3f s%s\n", (int)pid, comm ? comm : "?",
	       f->tracked_ns / 1e9,
	       (f->out_flags & VMCTL_FAULTS_EXITED) ? ", exited" : "");
	printf("faults:   minor %llu  major %llu  untraced %llu  (min_flt +%llu, maj_flt +%llu)\n",
	       (unsigned long long)c->minor, (unsigned long long)c->major,
	       (unsigned long long)c->untraced, (unsigned long long)f->min_flt,
	       (unsigned long long)f->maj_flt);
	printf("access:   write %llu  exec %llu  user %llu  kernel %llu\n",
	       (unsigned long long)c->write, (unsigned long long)c->exec,
	       (unsigned long long)c->user, (unsigned long long)c->kernel);
	printf("failed:   sigsegv %llu  sigbus %llu  oom %llu  efault %llu  retry %llu\n",
	       (unsigned long long)c->sigsegv, (unsigned long long)c->sigbus,
	       (unsigned long long)c->oom, (unsigned long long)c->efault,
	       (unsigned long long)c->retry);
	fmt_ns(a, sizeof(a), c->lat_count ? c->lat_total_ns / c->lat_count : 0);
	fmt_ns(b, sizeof(b), c->lat_max_ns);
	printf("latency:  %llu timed, mean %s, max %s\n",
	       (unsigned long long)c->lat_count, a, b);
	print_hist(c);
	if (!n)
		return;
	qsort(v, n, sizeof(*v), cmp_vma);
	printf("%-33s %-8s %9s %9s %9s %9s %9s %10s  %s\n", "VMA", "KIND", "FAULTS",
	       "MAJOR", "WRITE", "EXEC", "KERNEL", "MEAN", "NAME");
	for (i = 0; i < n; i++) {
		const char *kind = vmctl_kind_name(v[i].kind);
		const char *name = vmctl_fault_vma_name(v, &v[i]);
		uint64_t nf = v[i].minor + v[i].major;
		char range[40];

		if (v[i].flags & VMCTL_FAULT_VMA_OTHER) {
			snprintf(range, sizeof(range), "(other)");
			kind = "-";
		} else {
			snprintf(range, sizeof(range), "%012llx-%012llx",
				 (unsigned long long)v[i].start,
				 (unsigned long long)v[i].end);
		}
		fmt_ns(a, sizeof(a), nf ? v[i].lat_total_ns / nf : 0);
		printf("%-33s %-8s %9llu %9llu %9llu %9llu %9llu %10s  %s\n", range,
		       kind ? kind : "?", (unsigned long long)nf,
		       (unsigned long long)v[i].major, (unsigned long long)v[i].write,
		       (unsigned long long)v[i].exec, (unsigned long long)v[i].kernel,
		       a, name ? name : "");
	}
}

static void print_json(pid_t pid, const char *comm, const struct vmctl_faults *f,
		       const struct vmctl_fault_vma *v, size_t n)
{
	json_object *o = json_object_new_object(), *h, *vs;
	const uint64_t *c = counts_array(&f->counts);
	size_t i;

	json_object_object_add(o, "pid", json_object_new_int(pid));
	if (comm)
		json_object_object_add(o, "comm", json_object_new_string(comm));
	json_object_object_add(o, "exited",
			       json_object_new_boolean(f->out_flags & VMCTL_FAULTS_EXITED));
	json_object_object_add(o, "tracked_ns", json_object_new_uint64(f->tracked_ns));
	json_object_object_add(o, "min_flt", json_object_new_uint64(f->min_flt));
	json_object_object_add(o, "maj_flt", json_object_new_uint64(f->maj_flt));
	json_object_object_add(o, "threads", json_object_new_uint64(f->threads));
	for (i = 0; i < ARRAY_SIZE(count_names); i++)
		json_object_object_add(o, count_names[i], json_object_new_uint64(c[i]));
	h = json_object_new_array();
	for (i = 0; i < VMCTL_FAULT_HIST_BUCKETS; i++) {
		json_object *b;

		if (!f->counts.hist[i])
			continue;
		b = json_object_new_object();
		json_object_object_add(b, "lower_ns",
				       json_object_new_uint64(vmctl_fault_hist_lower_ns(i)));
		json_object_object_add(b, "upper_ns",
				       json_object_new_uint64(vmctl_fault_hist_upper_ns(i)));
		json_object_object_add(b, "count", json_object_new_uint64(f->counts.hist[i]));
		json_object_array_add(h, b);
	}
	json_object_object_add(o, "latency_histogram", h);
	vs = json_object_new_array();
	for (i = 0; i < n; i++) {
		json_object *e = json_object_new_object();
		const char *name = vmctl_fault_vma_name(v, &v[i]);
		const char *kind = vmctl_kind_name(v[i].kind);
		bool other = v[i].flags & VMCTL_FAULT_VMA_OTHER;

		json_object_object_add(e, "other", json_object_new_boolean(other));
		json_object_object_add(e, "start", json_object_new_uint64(v[i].start));
		json_object_object_add(e, "end", json_object_new_uint64(v[i].end));
		json_object_object_add(e, "kind", other || !kind ? NULL :
				       json_object_new_string(kind));
		json_object_object_add(e, "name", name ? json_object_new_string(name) : NULL);
		json_object_object_add(e, "minor", json_object_new_uint64(v[i].minor));
		json_object_object_add(e, "major", json_object_new_uint64(v[i].major));
		json_object_object_add(e, "write", json_object_new_uint64(v[i].write));
		json_object_object_add(e, "exec", json_object_new_uint64(v[i].exec));
		json_object_object_add(e, "user", json_object_new_uint64(v[i].user));
		json_object_object_add(e, "kernel", json_object_new_uint64(v[i].kernel));
		json_object_object_add(e, "lat_total_ns", json_object_new_uint64(v[i].lat_total_ns));
		json_object_object_add(e, "lat_max_ns", json_object_new_uint64(v[i].lat_max_ns));
		json_object_array_add(vs, e);
	}
	json_object_object_add(o, "vmas", vs);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static int report(struct vmctl_ctx *ctx, pid_t pid, const char *comm, bool json)
{
	struct vmctl_fault_vma *v = NULL;
	struct vmctl_faults f;
	size_t n = 0;
	int err;

	err = vmctl_get_faults(ctx, pid, &f);
	if (!err)
		err = vmctl_get_fault_vmas(ctx, pid, &v, &n);
	if (err)
		return report_pid_error(ctx, "reading fault counters", pid, err,
					VMCTL_FEATURE_FAULTS);
	if (json)
		print_json(pid, comm, &f, v, n);
	else
		print_text(pid, comm, &f, v, n);
	free(v);
	return EXIT_OK;
}

static int run_command(struct vmctl_ctx *ctx, char **argv, bool json)
{
	int go[2], st[2], status, err = 0, rc;
	pid_t pid;
	ssize_t r;

	if (pipe2(go, O_CLOEXEC) || pipe2(st, O_CLOEXEC)) {
		print_error("pipe: %s", strerror(errno));
		return EXIT_ERROR;
	}
	pid = fork();
	if (pid < 0) {
		print_error("fork: %s", strerror(errno));
		return EXIT_ERROR;
	}
	if (pid == 0) {
		/* Track ourselves (always allowed), then exec. */
		err = vmctl_track(ctx, 0, 0);
		if (write(st[1], &err, sizeof(err)) != sizeof(err) || err)
			_exit(127);
		execvp(argv[0], argv);
		err = -errno;
		if (write(st[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(go[1]);
	close(st[1]);
	r = read(st[0], &err, sizeof(err));
	if (r == sizeof(err) && !err)
		r = read(st[0], &err, sizeof(err));	/* exec error, or EOF */
	close(st[0]);
	waitpid(pid, &status, 0);
	if (r == sizeof(err) && err) {
		vmctl_untrack(ctx, pid);
		print_error("%s: %s", argv[0], strerror(-err));
		return EXIT_ERROR;
	}
	rc = report(ctx, pid, argv[0], json);
	vmctl_untrack(ctx, pid);
	if (rc)
		return rc;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

static int sample(struct vmctl_ctx *ctx, pid_t pid, double interval, long count,
		  bool json)
{
	struct vmctl_faults prev, cur;
	long i;
	int err;

	err = vmctl_get_faults(ctx, pid, &prev);
	if (err)
		return report_pid_error(ctx, "reading fault counters", pid, err,
					VMCTL_FEATURE_FAULTS);
	if (!json)
		printf("%8s %12s %12s %12s %12s %12s %10s\n", "TIME", "MINOR/s",
		       "MAJOR/s", "WRITE/s", "KERNEL/s", "FAILED/s", "MEAN");
	for (i = 0; count <= 0 || i < count; i++) {
		struct timespec ts = {
			.tv_sec = (time_t)interval,
			.tv_nsec = (long)((interval - (time_t)interval) * 1e9),
		};
		const struct vmctl_fault_counts *a = &prev.counts, *b = &cur.counts;
		double dt;
		char m[FORMAT_BUF_SIZE];
		uint64_t fa, fb, lc;

		nanosleep(&ts, NULL);
		err = vmctl_get_faults(ctx, pid, &cur);
		if (err)
			return report_pid_error(ctx, "reading fault counters", pid, err,
						VMCTL_FEATURE_FAULTS);
		dt = (cur.tracked_ns - prev.tracked_ns) / 1e9;
		if (dt <= 0)
			dt = interval;
		fa = a->sigsegv + a->sigbus + a->oom + a->efault;
		fb = b->sigsegv + b->sigbus + b->oom + b->efault;
		lc = b->lat_count - a->lat_count;
		fmt_ns(m, sizeof(m), lc ? (b->lat_total_ns - a->lat_total_ns) / lc : 0);
		if (json)
			printf("{\"time\": %.3f, \"minor\": %llu, \"major\": %llu, "
			       "\"write\": %llu, \"kernel\": %llu, \"failed\": %llu, "
			       "\"interval_s\": %.3f}\n", cur.tracked_ns / 1e9,
			       (unsigned long long)(b->minor - a->minor),
			       (unsigned long long)(b->major - a->major),
			       (unsigned long long)(b->write - a->write),
			       (unsigned long long)(b->kernel - a->kernel),
			       (unsigned long long)(fb - fa), dt);
		else
			printf("%8.1f %12.0f %12.0f %12.0f %12.0f %12.0f %10s\n",
			       cur.tracked_ns / 1e9, (b->minor - a->minor) / dt,
			       (b->major - a->major) / dt, (b->write - a->write) / dt,
			       (b->kernel - a->kernel) / dt, (fb - fa) / dt, m);
		fflush(stdout);
		prev = cur;
		if (cur.out_flags & VMCTL_FAULTS_EXITED)
			break;
	}
	return EXIT_OK;
}

static int faults_run(struct vmctl_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "untrack", no_argument, NULL, 'u' },
		{ "system", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	double interval = 0;
	long count = 0;
	bool json = false, untrack = false, system = false, started;
	char comm[VMCTL_COMM_SIZE], *end;
	pid_t pid;
	int opt, err, rc;

	while ((opt = getopt_long(argc, argv, "+i:c:jush", opts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			interval = strtod(optarg, &end);
			if (*end || interval <= 0)
				return usage_error(&cmd_faults, "bad interval '%s'", optarg);
			break;
		case 'c':
			count = strtol(optarg, &end, 10);
			if (*end || count <= 0)
				return usage_error(&cmd_faults, "bad count '%s'", optarg);
			break;
		case 'j':
			json = true;
			break;
		case 'u':
			untrack = true;
			break;
		case 's':
			system = true;
			break;
		case 'h':
			faults_help(stdout);
			return EXIT_OK;
		default:
			return option_error(&cmd_faults, argv, opt);
		}
	}
	if (system) {
		if (optind != argc || interval > 0 || json)
			return usage_error(&cmd_faults, "--system takes no PID, CMD, "
					   "--interval or --json");
		err = untrack ? vmctl_untrack_system(ctx) :
				vmctl_track(ctx, 0, VMCTL_TRACK_SYSTEM);
		if (err == -ENOENT || err == -EEXIST) {
			print_error("system-wide tracking is %s", untrack ? "off" : "on already");
			return EXIT_ERROR;
		}
		if (err == -EPERM) {
			print_error("system-wide tracking needs CAP_SYS_ADMIN");
			return EXIT_ERROR;
		}
		return err ? report_feature_error(ctx, "system-wide tracking", err,
						  VMCTL_FEATURE_FAULTS) : EXIT_OK;
	}
	if (optind < argc && !strcmp(argv[optind - 1], "--")) {
		if (interval > 0)
			return usage_error(&cmd_faults, "--interval needs a PID");
		return run_command(ctx, argv + optind, json);
	}
	if (optind != argc - 1)
		return usage_error(&cmd_faults, "expected one PID or -- CMD");
	rc = parse_pid(&cmd_faults, argv[optind], &pid);
	if (rc)
		return rc;
	if (untrack) {
		err = vmctl_untrack(ctx, pid);
		if (err == -ENOENT) {
			print_error("pid %d is not tracked", (int)pid);
			return EXIT_ERROR;
		}
		return err ? report_pid_error(ctx, "stopping fault tracking", pid, err,
					      VMCTL_FEATURE_FAULTS) : EXIT_OK;
	}

	err = vmctl_track(ctx, pid, 0);
	started = !err;
	if (err && err != -EEXIST)
		return report_pid_error(ctx, "starting fault tracking", pid, err,
					VMCTL_FEATURE_FAULTS);
	if (interval > 0)
		rc = sample(ctx, pid, interval, count, json);
	else
		rc = report(ctx, pid, proc_comm(pid, comm, sizeof(comm)), json);
	if (started && !json && interval <= 0)
		fprintf(stderr, "%s: tracking of pid %d started now; run again to see "
			"its faults, stop with '%s faults --untrack %d'\n",
			program_name, (int)pid, program_name, (int)pid);
	return rc;
}

const struct vmctl_cmd cmd_faults = {
	.name = "faults",
	.summary = "page faults of a process: kinds, latency, VMAs",
	.help = faults_help,
	.run = faults_run,
};
