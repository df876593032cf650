// SPDX-License-Identifier: GPL-2.0
/*
 * What watches cost the processes they do not concern and the ones they
 * do. A watch with map-count events hooks the exit of every system call
 * (see Documentation/userspace-api/vmctl-events.rst), so this measures
 * system calls with:
 *   1. no watch;
 *   2. a watch on another process (this one is looked up and missed);
 *   3. a watch on this process (map_count is checked at every mapping
 *      call, no threshold is crossed);
 *   4. a global watch (every process is checked).
 * Prints, with RATIO = time with / time without (1.00x: no overhead):
 *   bench: watch_overhead_getpid_{other,self,global} RATIOx
 *   bench: watch_overhead_mmap_{other,self,global} RATIOx
 * getpid() is a call watches do not look at (the cost of the syscall
 * tracepoint alone); mmap+munmap of one page is one they check.
 *
 * Options: -n REPS (7) -c CALLS per run (20000)
 */

#include <errno.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <linux/vmctl.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "bench.h"

static int reps = 7;
static long calls = 20000;

static int run_getpid(void *arg __attribute__((unused)))
{
	for (long i = 0; i < calls; i++)
		syscall(SYS_getpid);
	return 0;
}

static int run_mmap(void *arg __attribute__((unused)))
{
	for (long i = 0; i < calls; i++) {
		void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED || munmap(p, 4096))
			return -errno;
	}
	return 0;
}

/*
 * Sends @msg and reads its replies up to the ack; returns the error of
 * the ack and the WATCH_ID of a reply in *@id.
 */
static int nl_request(struct nl_sock *sk, struct nl_msg *msg, uint32_t *id)
{
	uint32_t seq = nlmsg_hdr(msg)->nlmsg_seq;
	char buf[16384];
	int len;

	if (nl_send_auto(sk, msg) < 0) {
		nlmsg_free(msg);
		return -EIO;
	}
	seq = nlmsg_hdr(msg)->nlmsg_seq;
	nlmsg_free(msg);
	while ((len = recv(nl_socket_get_fd(sk), buf, sizeof(buf), 0)) > 0) {
		struct nlmsghdr *nlh;

		for (nlh = (void *)buf; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
			struct nlattr *tb[VMCTL_A_WATCH_MAX + 1];

			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
			if (id && !genlmsg_parse(nlh, 0, tb, VMCTL_A_WATCH_MAX, NULL) &&
			    tb[VMCTL_A_WATCH_ID])
				*id = nla_get_u32(tb[VMCTL_A_WATCH_ID]);
		}
	}
	return -EIO;
}

/* Adds a map-count watch on @pid (0: global); returns its id or 0. */
static uint32_t watch_add(struct nl_sock *sk, int family, pid_t pid)
{
	struct nl_msg *msg = nlmsg_alloc();
	uint32_t id = 0;
	int ret;

	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0,
		    VMCTL_CMD_WATCH_ADD, VMCTL_FAMILY_VERSION);
	if (pid)
		nla_put_u32(msg, VMCTL_A_WATCH_PID, pid);
	nla_put_u32(msg, VMCTL_A_WATCH_EVENTS, VMCTL_EVENT_MAP_COUNT_THRESHOLD |
		    VMCTL_EVENT_MAP_COUNT_EXHAUSTED);
	ret = nl_request(sk, msg, &id);
	if (ret)
		fprintf(stderr, "bench: watch: WATCH_ADD: %s\n", strerror(-ret));
	return ret ? 0 : id;
}

static void watch_del(struct nl_sock *sk, int family, uint32_t id)
{
	struct nl_msg *msg = nlmsg_alloc();

	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0,
		    VMCTL_CMD_WATCH_DEL, VMCTL_FAMILY_VERSION);
	nla_put_u32(msg, VMCTL_A_WATCH_ID, id);
	nl_request(sk, msg, NULL);
}

static int idle_setup(void *arg __attribute__((unused)))
{
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const modes[] = { "other", "self", "global" };
	uint64_t base[2], with[2];
	struct nl_sock *sk;
	int opt, family, err = 0;
	pid_t other;

	while ((opt = getopt(argc, argv, "n:c:")) != -1) {
		if (opt == 'n')
			reps = atoi(optarg);
		else if (opt == 'c')
			calls = atol(optarg);
	}
	sk = nl_socket_alloc();
	if (!sk || genl_connect(sk) ||
	    (family = genl_ctrl_resolve(sk, VMCTL_FAMILY_NAME)) < 0) {
		bench_skip("watch_overhead", "vmctl netlink family missing");
		return 0;
	}
	other = bench_spawn_stopped(idle_setup, NULL);
	if (other < 0)
		return 1;

	for (int m = 0; m < 3; m++) {
		char name[64];
		uint32_t id;

		/* Baseline and watched runs alternate, against drift. */
		base[0] = bench_median(run_getpid, NULL, reps, &err);
		base[1] = bench_median(run_mmap, NULL, reps, &err);
		id = watch_add(sk, family, m == 0 ? other : m == 1 ? getpid() : 0);
		if (!id) {
			bench_skip("watch_overhead", "WATCH_ADD failed");
			break;
		}
		with[0] = bench_median(run_getpid, NULL, reps, &err);
		with[1] = bench_median(run_mmap, NULL, reps, &err);
		watch_del(sk, family, id);
		if (err) {
			fprintf(stderr, "bench: watch: %s\n", strerror(-err));
			break;
		}
		printf("# watch_overhead_%s: %ld calls, median of %d runs\n", modes[m], calls,
		       reps);
		snprintf(name, sizeof(name), "watch_overhead_getpid_%s", modes[m]);
		printf("bench: %s %.3fx (%.1f vs %.1f ns per call)\n", name,
		       (double)with[0] / base[0], (double)with[0] / calls,
		       (double)base[0] / calls);
		snprintf(name, sizeof(name), "watch_overhead_mmap_%s", modes[m]);
		printf("bench: %s %.3fx (%.1f vs %.1f ns per mmap+munmap)\n", name,
		       (double)with[1] / base[1], (double)with[1] / calls,
		       (double)base[1] / calls);
		fflush(stdout);
	}
	bench_kill(other);
	nl_socket_free(sk);
	return err ? 1 : 0;
}
