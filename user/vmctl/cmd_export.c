// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vmctl export: per-process metrics in the Prometheus text exposition
 * format (version 0.0.4), to stdout, to a file for node_exporter's textfile
 * collector, or served over HTTP with libmicrohttpd.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "render.h"
#include "vmctl-tool.h"

#define CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

struct export_opts {
	size_t top;		/* 0: every process */
	uint64_t min_map_count;
};

static void export_help(FILE *out)
{
	fprintf(out,
		"Usage: %s export [OPTIONS]\n"
		"\n"
		"Write per-process metrics in the Prometheus text format: map count, map\n"
		"count headroom to vm.max_map_count, virtual and resident size, commit\n"
		"charge, page faults, reserved memory; for processes whose faults vmctl\n"
		"tracks (vmctl faults), faults by kind and a fault latency histogram.\n"
		"Labels: pid, comm. Processes come from the netlink dump (as \"vmctl stats\"),\n"
		"largest map count first; only those you may read are listed.\n"
		"\n"
		"Options:\n"
		"  -t, --top N            export the N processes with the largest map count\n"
		"  -m, --min-map-count M  export only processes with at least M mappings\n"
		"  -o, --output FILE      write FILE atomically (temporary file + rename), e.g.\n"
		"                         for node_exporter's textfile collector\n"
		"                         (--collector.textfile.directory, FILE ending in .prom)\n"
		"  -l, --listen ADDR:PORT serve the metrics on http://ADDR:PORT/metrics until\n"
		"                         SIGINT or SIGTERM (ADDR: IPv4, [IPv6], a host name,\n"
		"                         or empty for every address; PORT 0 picks a free one)\n"
		"  -h, --help             show this help and exit\n"
		"\n"
		"Tracked processes (vmctl faults) are always exported with their fault\n"
		"series; --top and --min-map-count bound the other ones.\n"
		"\n"
		"Exit status:\n"
		"  0  success\n"
		"  1  error: kernel module not loaded, cannot write FILE, cannot listen, ...\n"
		"  2  usage error\n", program_name);
}

/* A label value with \, " and newline escaped as the text format wants. */
static void put_label(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '\\':
			fputs("\\\\", out);
			break;
		case '"':
			fputs("\\\"", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

static void put_header(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{pid="1",comm="x"[,extra]} value */
static void put_sample(FILE *out, const char *name, pid_t pid, const char *comm,
		       const char *extra, const char *value)
{
	fprintf(out, "%s{pid=\"%d\",comm=\"", name, (int)pid);
	put_label(out, comm);
	fprintf(out, "\"%s%s} %s\n", extra ? "," : "", extra ?: "", value);
}

static void put_u64(FILE *out, const char *name, pid_t pid, const char *comm,
		    const char *extra, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	put_sample(out, name, pid, comm, extra, buf);
}

enum { M_MAP_COUNT, M_HEADROOM, M_VSZ, M_RSS, M_COMMITTED, M_SWAP, M_FAULTS,
       M_RESV_BYTES, M_RESV_VMAS, M_COUNT };

static const struct {
	const char *name, *type, *help;
} proc_metrics[M_COUNT] = {
	[M_MAP_COUNT] = { "vmctl_process_vmas", "gauge",
			  "Memory mappings (VMAs) of the process." },
	[M_HEADROOM] = { "vmctl_process_vmas_headroom", "gauge",
			 "Mappings the process may still create before vm.max_map_count." },
	[M_VSZ] = { "vmctl_process_virtual_bytes", "gauge",
		    "Virtual size of the process in bytes." },
	[M_RSS] = { "vmctl_process_resident_bytes", "gauge",
		    "Resident set size of the process in bytes." },
	[M_COMMITTED] = { "vmctl_process_committed_bytes", "gauge",
			  "Commit charge of the process in bytes (what counts against "
			  "CommitLimit)." },
	[M_SWAP] = { "vmctl_process_swap_bytes", "gauge",
		     "Swapped-out memory of the process in bytes." },
	[M_FAULTS] = { "vmctl_process_page_faults_total", "counter",
		       "Page faults of the process since it started, by kind (minor, major)." },
	[M_RESV_BYTES] = { "vmctl_process_reserved_bytes", "gauge",
			   "Address space in vmctl reservations of the process, in bytes." },
	[M_RESV_VMAS] = { "vmctl_process_reserved_vmas", "gauge",
			  "Mappings (VMAs) of the process that are vmctl reservations." },
};

static void put_proc_metric(FILE *out, int m, const struct vmctl_proc_stats *p)
{
	const struct vmctl_stats *st = &p->stats;
	uint64_t headroom;

	switch (m) {
	case M_MAP_COUNT:
		put_u64(out, proc_metrics[m].name, p->pid, p->comm, NULL, st->map_count);
		break;
	case M_HEADROOM:
		headroom = st->max_map_count > st->map_count ?
			   st->max_map_count - st->map_count : 0;
		put_u64(out, proc_metrics[m].name, p->pid, p->comm, NULL, headroom);
		break;
	case M_VSZ:
		put_u64(out, proc_metrics[m].name, p->pid, p->comm, NULL, st->vsz_bytes);
		break;
	case M_RSS:
		put_u64(out, proc_metrics[m].name, p->pid, p->comm, NULL, st->rss_bytes);
		break;
	case M_COMMITTED:
		put_u64(out, proc_metrics[m].name, p->pid, p->comm, NULL, st->committed_bytes);
		break;
	case M_SWAP:
		put_u64(out, proc_metrics[m].name, p->pid, p->comm, NULL, st->swap_bytes);
		break;
	case M_FAULTS:
		put_u64(out, proc_metrics[m].name, p->pid, p->comm, "kind=\"minor\"",
			st->faults_minor);
		put_u64(out, proc_metrics[m].name, p->pid, p->comm, "kind=\"major\"",
			st->faults_major);
		break;
	case M_RESV_BYTES:
		put_u64(out, proc_metrics[m].name, p->pid, p->comm, NULL,
			st->kinds[VMCTL_KIND_RESERVED].bytes);
		break;
	case M_RESV_VMAS:
		put_u64(out, proc_metrics[m].name, p->pid, p->comm, NULL,
			st->kinds[VMCTL_KIND_RESERVED].count);
		break;
	}
}

static const char *const fault_kinds[] = {
	"minor", "major", "write", "exec", "user", "kernel", "retry", "sigsegv",
	"sigbus", "oom", "efault", "untraced",
};

static uint64_t fault_kind_count(const struct vmctl_fault_counts *c, size_t k)
{
	const uint64_t v[] = {
		c->minor, c->major, c->write, c->exec, c->user, c->kernel, c->retry,
		c->sigsegv, c->sigbus, c->oom, c->efault, c->untraced,
	};

	return v[k];
}

/* Prometheus float formatting: shortest exact-enough decimal. */
static void format_seconds(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%.9g", (double)ns / 1e9);
}

static void put_fault_series(FILE *out, const struct vmctl_proc_faults *pf, size_t n)
{
	const char *name;
	char extra[96], value[64];
	uint64_t cum, upper;
	size_t i, k;
	unsigned int b;

	name = "vmctl_tracked_faults_total";
	put_header(out, name, "counter",
		   "Faults of a process tracked by vmctl (vmctl faults) since tracking "
		   "started, by kind.");
	for (i = 0; i < n; i++)
		for (k = 0; k < ARRAY_SIZE(fault_kinds); k++) {
			snprintf(extra, sizeof(extra), "kind=\"%s\"", fault_kinds[k]);
			put_u64(out, name, pf[i].pid, pf[i].comm, extra,
				fault_kind_count(&pf[i].faults.counts, k));
		}

	name = "vmctl_tracked_fault_latency_seconds";
	put_header(out, name, "histogram",
		   "Latency of the completed faults of a process tracked by vmctl.");
	for (i = 0; i < n; i++) {
		const struct vmctl_fault_counts *c = &pf[i].faults.counts;

		cum = 0;
		for (b = 0; b < VMCTL_FAULT_HIST_BUCKETS; b++) {
			cum += c->hist[b];
			upper = vmctl_fault_hist_upper_ns(b);
			if (upper == UINT64_MAX)
				break;
			/* Bucket b holds latencies up to upper ns inclusive. */
			format_seconds(value, sizeof(value), upper);
			snprintf(extra, sizeof(extra), "le=\"%s\"", value);
			put_u64(out, "vmctl_tracked_fault_latency_seconds_bucket",
				pf[i].pid, pf[i].comm, extra, cum);
		}
		for (b++; b < VMCTL_FAULT_HIST_BUCKETS; b++)
			cum += c->hist[b];
		if (cum < c->lat_count)
			cum = c->lat_count;
		put_u64(out, "vmctl_tracked_fault_latency_seconds_bucket", pf[i].pid,
			pf[i].comm, "le=\"+Inf\"", cum);
		format_seconds(value, sizeof(value), c->lat_total_ns);
		put_sample(out, "vmctl_tracked_fault_latency_seconds_sum", pf[i].pid,
			   pf[i].comm, NULL, value);
		put_u64(out, "vmctl_tracked_fault_latency_seconds_count", pf[i].pid,
			pf[i].comm, NULL, cum);
	}
}

/*
 * The whole exposition into a malloc()ed buffer. Returns 0, or a negative
 * errno after printing nothing (the caller reports it).
 */
/*
 * Watches the caller may list (its own; all of them for root) and what
 * their events did: one series per watch, so at most max_watches.
 */
static void put_watch_series(FILE *out, const struct vmctl_watch_info *w, size_t n)
{
	uint64_t sent = 0, dropped = 0;
	char extra[32];
	size_t i;

	for (i = 0; i < n; i++) {
		sent += w[i].events_sent;
		dropped += w[i].events_dropped;
	}
	put_header(out, "vmctl_watches", "gauge",
		   "Watches (vmctl watch, WATCH_ADD) this collection could list.");
	fprintf(out, "vmctl_watches %zu\n", n);
	put_header(out, "vmctl_events_sent_total", "counter",
		   "Events the module delivered for the listed watches.");
	fprintf(out, "vmctl_events_sent_total %llu\n", (unsigned long long)sent);
	put_header(out, "vmctl_events_dropped_total", "counter",
		   "Events of the listed watches some listener lost (full queue or socket).");
	fprintf(out, "vmctl_events_dropped_total %llu\n", (unsigned long long)dropped);
	if (!n)
		return;
	put_header(out, "vmctl_watch_events_sent_total", "counter",
		   "Events the module delivered for one watch (pid 0: every process).");
	for (i = 0; i < n; i++) {
		snprintf(extra, sizeof(extra), "watch=\"%u\"", w[i].id);
		put_u64(out, "vmctl_watch_events_sent_total", w[i].pid, w[i].comm, extra,
			w[i].events_sent);
	}
	put_header(out, "vmctl_watch_events_dropped_total", "counter",
		   "Events of one watch some listener lost.");
	for (i = 0; i < n; i++) {
		snprintf(extra, sizeof(extra), "watch=\"%u\"", w[i].id);
		put_u64(out, "vmctl_watch_events_dropped_total", w[i].pid, w[i].comm, extra,
			w[i].events_dropped);
	}
}

static int export_collect(struct vmctl_ctx *ctx, const struct export_opts *o,
			  char **text, size_t *len, const char **what)
{
	struct vmctl_proc_stats *procs;
	struct vmctl_proc_faults *pf = NULL;
	struct vmctl_watch_info *watches = NULL;
	size_t n, nsel, npf = 0, nwatches = 0, i;
	bool have_watches;
	uint64_t max_map_count = 0;
	struct timespec t0, t1;
	FILE *out;
	int err, m;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	*what = "netlink GET_STATS dump";
	err = vmctl_list_stats(ctx, &procs, &n);
	if (err < 0)
		return err;
	/*
	 * Fault series are optional: a module without fault accounting (or
	 * any other error) leaves them out.
	 */
	if (vmctl_list_faults(ctx, &pf, &npf) < 0) {
		pf = NULL;
		npf = 0;
	}
	/* Likewise the watches, with a module that has events. */
	have_watches = vmctl_watch_list(ctx, &watches, &nwatches) == 0;

	stats_list_sort(procs, n);
	for (nsel = 0, i = 0; i < n; i++) {
		if (procs[i].stats.max_map_count)
			max_map_count = procs[i].stats.max_map_count;
		if (procs[i].stats.map_count < o->min_map_count)
			continue;
		if (o->top && nsel >= o->top)
			continue;
		procs[nsel++] = procs[i];
	}

	*what = "building the metrics";
	out = open_memstream(text, len);
	if (!out) {
		free(procs);
		free(pf);
		free(watches);
		return -ENOMEM;
	}
	put_header(out, "vmctl_up", "gauge",
		   "1 when the vmctl kernel module answered this collection.");
	fprintf(out, "vmctl_up 1\n");
	put_header(out, "vmctl_vmas_limit", "gauge",
		   "The vm.max_map_count sysctl: most mappings (VMAs) a process may have.");
	fprintf(out, "vmctl_vmas_limit %llu\n", (unsigned long long)max_map_count);
	put_header(out, "vmctl_processes", "gauge",
		   "Processes vmctl could read (all of them, before --top and "
		   "--min-map-count).");
	fprintf(out, "vmctl_processes %zu\n", n);
	put_header(out, "vmctl_processes_exported", "gauge",
		   "Processes whose per-process series this collection holds.");
	fprintf(out, "vmctl_processes_exported %zu\n", nsel);

	for (m = 0; m < M_COUNT; m++) {
		put_header(out, proc_metrics[m].name, proc_metrics[m].type, proc_metrics[m].help);
		for (i = 0; i < nsel; i++)
			put_proc_metric(out, m, &procs[i]);
	}
	if (pf)
		put_fault_series(out, pf, npf);
	if (have_watches)
		put_watch_series(out, watches, nwatches);

	clock_gettime(CLOCK_MONOTONIC, &t1);
	put_header(out, "vmctl_collect_duration_seconds", "gauge",
		   "Time this collection took.");
	fprintf(out, "vmctl_collect_duration_seconds %.6f\n",
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);

	free(procs);
	free(pf);
	free(watches);
	if (fclose(out) != 0) {
		free(*text);
		*text = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t w;

	while (len) {
		w = write(fd, buf, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Write @path through a temporary file in the same directory and rename(). */
static int write_atomic(const char *path, const char *text, size_t len)
{
	char *tmp;
	int fd, err;

	if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		free(tmp);
		return err;
	}
	err = write_all(fd, text, len);
	if (!err && fchmod(fd, 0644) < 0)
		err = -errno;
	if (!err && fsync(fd) < 0)
		err = -errno;
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
	free(tmp);
	return err;
}

/* ---- HTTP */

struct http_state {
	struct vmctl_ctx *ctx;
	const struct export_opts *opts;
};

static enum MHD_Result http_reply(struct MHD_Connection *conn, unsigned int status,
				  const char *type, char *body, size_t len,
				  enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, body, mode);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result http_handler(void *cls, struct MHD_Connection *conn, const char *url,
				    const char *method, const char *version,
				    const char *upload_data, size_t *upload_data_size,
				    void **con_cls)
{
	static const char index_page[] =
		"vmctl exporter: the metrics are at /metrics\n";
	struct http_state *st = cls;
	char *text = NULL, *msg;
	const char *what;
	size_t len;
	int err;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return http_reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
				  (char *)"only GET and HEAD\n", 18, MHD_RESPMEM_PERSISTENT);
	if (!strcmp(url, "/"))
		return http_reply(conn, MHD_HTTP_OK, "text/plain", (char *)index_page,
				  sizeof(index_page) - 1, MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/metrics"))
		return http_reply(conn, MHD_HTTP_NOT_FOUND, "text/plain",
				  (char *)"not found; try /metrics\n", 24,
				  MHD_RESPMEM_PERSISTENT);

	err = export_collect(st->ctx, st->opts, &text, &len, &what);
	if (err < 0) {
		len = (size_t)asprintf(&msg, "vmctl: %s failed: %s\n", what, strerror(-err));
		if ((ssize_t)len < 0)
			return MHD_NO;
		return http_reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", msg, len,
				  MHD_RESPMEM_MUST_FREE);
	}
	return http_reply(conn, MHD_HTTP_OK, CONTENT_TYPE, text, len, MHD_RESPMEM_MUST_FREE);
}

static int export_listen(struct vmctl_ctx *ctx, const struct export_opts *opts,
			 const char *listen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct http_state st = { .ctx = ctx, .opts = opts };
	char host[256], *colon;
	const char *node, *port;
	const union MHD_DaemonInfo *info;
	struct addrinfo *ai;
	struct MHD_Daemon *d;
	unsigned int flags;
	sigset_t set;
	int err, sig;

	/* ADDR:PORT, [V6ADDR]:PORT or :PORT */
	if (strlen(listen) >= sizeof(host))
		return usage_error(&cmd_export, "--listen address too long");
	strcpy(host, listen);
	colon = strrchr(host, ':');
	if (!colon || !colon[1])
		return usage_error(&cmd_export, "invalid --listen \"%s\": expected ADDR:PORT",
				   listen);
	*colon = '\0';
	port = colon + 1;
	node = host;
	if (host[0] == '[') {
		if (colon[-1] != ']')
			return usage_error(&cmd_export, "invalid --listen \"%s\"", listen);
		colon[-1] = '\0';
		node = host + 1;
	}
	if (!*node)
		node = NULL;
	err = getaddrinfo(node, port, &hints, &ai);
	if (err)
		return usage_error(&cmd_export, "invalid --listen \"%s\": %s", listen,
				   gai_strerror(err));

	/* The server thread inherits the mask: signals are taken here only. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	/*
	 * One internal thread answers every request in turn, so the library
	 * context (not thread-safe) is only ever used from that thread.
	 */
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	d = MHD_start_daemon(flags, 0, NULL, NULL, http_handler, &st,
			     MHD_OPTION_SOCK_ADDR, ai->ai_addr,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
			     MHD_OPTION_END);
	freeaddrinfo(ai);
	if (!d) {
		print_error("cannot listen on %s: %s (is the port in use, or below 1024 "
			    "without root?)", listen, strerror(errno ?: EADDRINUSE));
		return EXIT_ERROR;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	fprintf(stderr, "%s: serving /metrics on %s (port %u)\n", program_name, listen,
		info ? info->port : 0);
	fflush(stderr);

	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	return EXIT_OK;
}

static int parse_u64(const char *arg, const char *what, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(arg, &end, 10);
	if (end == arg || *end || errno || arg[0] == '-' || arg[0] == '+')
		return usage_error(&cmd_export, "invalid %s \"%s\": expected a number", what, arg);
	return EXIT_OK;
}

static int export_run(struct vmctl_ctx *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{ "top", required_argument, NULL, 't' },
		{ "min-map-count", required_argument, NULL, 'm' },
		{ "output", required_argument, NULL, 'o' },
		{ "listen", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct export_opts o = { 0 };
	const char *output = NULL, *listen = NULL, *what;
	char *text = NULL;
	size_t len;
	uint64_t v;
	int opt, err;

	while ((opt = getopt_long(argc, argv, ":t:m:o:l:h", options, NULL)) != -1) {
		switch (opt) {
		case 't':
			if (parse_u64(optarg, "--top", &v) != EXIT_OK)
				return EXIT_USAGE;
			if (v == 0 || v > SIZE_MAX)
				return usage_error(&cmd_export, "--top must be at least 1");
			o.top = (size_t)v;
			break;
		case 'm':
			if (parse_u64(optarg, "--min-map-count", &o.min_map_count) != EXIT_OK)
				return EXIT_USAGE;
			break;
		case 'o':
			output = optarg;
			break;
		case 'l':
			listen = optarg;
			break;
		case 'h':
			export_help(stdout);
			return EXIT_OK;
		default:
			return option_error(&cmd_export, argv, opt);
		}
	}
	if (optind < argc)
		return usage_error(&cmd_export, "unexpected argument \"%s\"", argv[optind]);
	if (output && listen)
		return usage_error(&cmd_export, "--output and --listen exclude each other");

	if (listen) {
		/* Fail early, before listening, when the module is missing. */
		err = export_collect(ctx, &o, &text, &len, &what);
		if (err < 0)
			return report_feature_error(ctx, what, err, VMCTL_FEATURE_STATS);
		free(text);
		return export_listen(ctx, &o, listen);
	}

	err = export_collect(ctx, &o, &text, &len, &what);
	if (err < 0)
		return report_feature_error(ctx, what, err, VMCTL_FEATURE_STATS);
	if (output) {
		err = write_atomic(output, text, len);
		if (err < 0) {
			print_error("cannot write %s: %s", output, strerror(-err));
			free(text);
			return EXIT_ERROR;
		}
	} else {
		fwrite(text, 1, len, stdout);
	}
	free(text);
	return EXIT_OK;
}

const struct vmctl_cmd cmd_export = {
	.name = "export",
	.summary = "write Prometheus metrics, or serve them over HTTP",
	.help = export_help,
	.run = export_run,
};
