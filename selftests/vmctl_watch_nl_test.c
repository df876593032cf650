// SPDX-License-Identifier: GPL-2.0
/*
 * WATCH_ADD, WATCH_DEL and WATCH_GET as a hostile or unprivileged client
 * sends them: every malformed request fails with EINVAL and an extended
 * ack, rights are those of /proc/PID/maps, watches end with their
 * process, the max_watches cap holds, and (6.7+) events reach only the
 * listeners allowed to see them. What the events say is tested by
 * vmctl_watch_test.c through libvmctl.
 */

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmctl_nl.h"
#include "vmctl_test.h"

#define MAX_WATCHES_PARAM	"/sys/module/vmctl/parameters/max_watches"

/* A WATCH_ADD/GET reply. */
struct watch_reply {
	uint32_t id;
	uint32_t pid;
	uint32_t events;
	uint32_t thresholds[16];
	int nthresholds;
	uint32_t hysteresis;
	char comm[32];
	bool has_pid;
};

static void parse_watch(const struct nlmsghdr *nlh, struct watch_reply *w)
{
	const struct genlmsghdr *g = NLMSG_DATA(nlh);
	const struct nlattr *a;
	int rem;

	memset(w, 0, sizeof(*w));
	nla_for_each_attr(a, (struct nlattr *)((char *)g + GENL_HDRLEN),
			  nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, rem) {
		switch (nla_type(a)) {
		case VMCTL_A_WATCH_ID:
			w->id = nla_get_u32((struct nlattr *)a);
			break;
		case VMCTL_A_WATCH_PID:
			w->pid = nla_get_u32((struct nlattr *)a);
			w->has_pid = true;
			break;
		case VMCTL_A_WATCH_EVENTS:
			w->events = nla_get_u32((struct nlattr *)a);
			break;
		case VMCTL_A_WATCH_THRESHOLD:
			if (w->nthresholds < 16)
				w->thresholds[w->nthresholds++] =
					nla_get_u32((struct nlattr *)a);
			break;
		case VMCTL_A_WATCH_HYSTERESIS:
			w->hysteresis = nla_get_u32((struct nlattr *)a);
			break;
		case VMCTL_A_WATCH_COMM:
			snprintf(w->comm, sizeof(w->comm), "%s",
				 nla_get_string((struct nlattr *)a));
			break;
		}
	}
}

static int watch_one_cb(const struct nlmsghdr *nlh, void *arg)
{
	parse_watch(nlh, arg);
	return 0;
}

/* A list of the ids a WATCH_GET dump returned. */
struct id_list {
	uint32_t ids[4096];
	int n;
};

static int watch_dump_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct id_list *l = arg;
	struct watch_reply w;

	parse_watch(nlh, &w);
	if (l->n < 4096)
		l->ids[l->n++] = w.id;
	return 0;
}

static bool listed(const struct id_list *l, uint32_t id)
{
	for (int i = 0; i < l->n; i++)
		if (l->ids[i] == id)
			return true;
	return false;
}

static int dump_ids(struct nl_sock *sk, int family, struct id_list *l)
{
	struct nl_reply r;

	l->n = 0;
	request_u32(sk, family, VMCTL_CMD_WATCH_GET, true, 0, 0, watch_dump_cb, l, &r);
	return r.err;
}

/*
 * Waits up to a second for watch @id to leave the WATCH_GET dump, which
 * happens after its process or socket is gone; the last dump in @l.
 */
static int wait_unlisted(struct nl_sock *sk, int family, struct id_list *l, uint32_t id)
{
	for (int i = 0; i < 100; i++) {
		int err = dump_ids(sk, family, l);

		if (err || !listed(l, id))
			return err;
		usleep(10000);
	}
	return 0;
}

/* Sends @msg (a WATCH_* request) and reads the reply into @w and @r. */
static int send_req(struct nl_sock *sk, struct nl_msg *msg, struct watch_reply *w,
		    struct nl_reply *r)
{
	struct watch_reply unused;

	if (req_send_read(sk, msg, 64 * 1024, watch_one_cb, w ? w : &unused, r) < 0)
		return -EIO;
	return r->err;
}

static int watch_add_pid(struct nl_sock *sk, int family, pid_t pid, uint32_t events,
			 struct watch_reply *w, struct nl_reply *r)
{
	struct nl_msg *msg = req_new(family, VMCTL_CMD_WATCH_ADD, false);

	if (pid >= 0)
		nla_put_u32(msg, VMCTL_A_WATCH_PID, pid);
	if (events)
		nla_put_u32(msg, VMCTL_A_WATCH_EVENTS, events);
	return send_req(sk, msg, w, r);
}

static int watch_del(struct nl_sock *sk, int family, uint32_t id, struct nl_reply *r)
{
	return request_u32(sk, family, VMCTL_CMD_WATCH_DEL, false, VMCTL_A_WATCH_ID, id,
			   NULL, NULL, r) ? -EIO : r->err;
}

static pid_t spawn_sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pause();
		_exit(0);
	}
	return pid;
}

FIXTURE(watch) {
	int fd;
	struct nl_sock *sk;
	int family;
};

FIXTURE_SETUP(watch)
{
	struct vmctl_api api = { .size = sizeof(api) };

	self->sk = NULL;
	VMCTL_OPEN_OR_SKIP(_metadata, self->fd);
	ASSERT_EQ(0, vmctl_test_ioctl(self->fd, VMCTL_IOC_API, &api));
	if (!(api.features & VMCTL_FEATURE_EVENTS))
		SKIP(return, "the loaded module has no events");
	self->sk = nl_open(&self->family);
	ASSERT_NE(NULL, self->sk);
}

FIXTURE_TEARDOWN(watch)
{
	if (self->sk)
		nl_socket_free(self->sk);
	if (self->fd >= 0)
		close(self->fd);
}

/* Defaults, the reply, the dump, and delete. */
TEST_F(watch, add_get_del_self)
{
	struct watch_reply w;
	struct nl_reply r;
	struct id_list *l = malloc(sizeof(*l));
	char comm[32] = "";
	FILE *f;

	ASSERT_NE(NULL, l);
	ASSERT_EQ(0, watch_add_pid(self->sk, self->family, getpid(), 0, &w, &r))
		TH_LOG("%s", r.msg);
	EXPECT_NE(0, w.id);
	EXPECT_TRUE(w.has_pid);
	EXPECT_EQ(getpid(), w.pid);
	EXPECT_EQ(VMCTL_EVENT_ALL, w.events);
	ASSERT_EQ(2, w.nthresholds);
	EXPECT_EQ(80, w.thresholds[0]);
	EXPECT_EQ(95, w.thresholds[1]);
	EXPECT_EQ(5, w.hysteresis);
	f = fopen("/proc/self/comm", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(comm, sizeof(comm), f));
	fclose(f);
	comm[strcspn(comm, "\n")] = 0;
	EXPECT_STREQ(comm, w.comm);

	ASSERT_EQ(0, dump_ids(self->sk, self->family, l));
	EXPECT_TRUE(listed(l, w.id));

	EXPECT_EQ(0, watch_del(self->sk, self->family, w.id, &r));
	ASSERT_EQ(0, dump_ids(self->sk, self->family, l));
	EXPECT_FALSE(listed(l, w.id));

	EXPECT_EQ(-ENOENT, watch_del(self->sk, self->family, w.id, &r));
	EXPECT_STREQ("no such watch", r.msg);
	free(l);
}

/* Thresholds come back sorted, without duplicates. */
TEST_F(watch, thresholds_sorted_and_merged)
{
	static const uint32_t in[] = { 95, 10, 95, 50, 100, 1 };
	struct nl_msg *msg = req_new(self->family, VMCTL_CMD_WATCH_ADD, false);
	struct watch_reply w;
	struct nl_reply r;

	nla_put_u32(msg, VMCTL_A_WATCH_PID, getpid());
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		nla_put_u32(msg, VMCTL_A_WATCH_THRESHOLD, in[i]);
	nla_put_u32(msg, VMCTL_A_WATCH_HYSTERESIS, 0);
	ASSERT_EQ(0, send_req(self->sk, msg, &w, &r)) TH_LOG("%s", r.msg);
	ASSERT_EQ(5, w.nthresholds);
	EXPECT_EQ(1, w.thresholds[0]);
	EXPECT_EQ(10, w.thresholds[1]);
	EXPECT_EQ(50, w.thresholds[2]);
	EXPECT_EQ(95, w.thresholds[3]);
	EXPECT_EQ(100, w.thresholds[4]);
	EXPECT_EQ(0, w.hysteresis);
	EXPECT_EQ(0, watch_del(self->sk, self->family, w.id, &r));
}

TEST_F(watch, too_many_thresholds)
{
	struct nl_msg *msg = req_new(self->family, VMCTL_CMD_WATCH_ADD, false);
	struct nl_reply r;

	nla_put_u32(msg, VMCTL_A_WATCH_PID, getpid());
	for (int i = 1; i <= VMCTL_WATCH_THRESHOLDS_MAX + 1; i++)
		nla_put_u32(msg, VMCTL_A_WATCH_THRESHOLD, i * 10);
	EXPECT_EQ(-EINVAL, send_req(self->sk, msg, NULL, &r));
	EXPECT_STREQ("too many thresholds", r.msg);
}

/* One malformed WATCH_ADD: which attribute, how it is wrong. */
struct bad_add {
	const char *what;
	int type;
	int len;		/* payload bytes */
	uint64_t value;
	bool with_pid;
	int err;		/* 0: EINVAL; a value out of range is ERANGE */
};

static const struct bad_add bad_adds[] = {
	{ "threshold 0", VMCTL_A_WATCH_THRESHOLD, 4, 0, true, -ERANGE },
	{ "threshold 101", VMCTL_A_WATCH_THRESHOLD, 4, 101, true, -ERANGE },
	{ "hysteresis 51", VMCTL_A_WATCH_HYSTERESIS, 4, 51, true, -ERANGE },
	{ "unknown event bit", VMCTL_A_WATCH_EVENTS, 4, VMCTL_EVENT_ALL + 1, true, 0 },
	{ "no events", VMCTL_A_WATCH_EVENTS, 4, 0, true, 0 },
	{ "pid above INT_MAX", VMCTL_A_WATCH_PID, 4, 0x80000000u, false, -ERANGE },
	{ "pid as u8", VMCTL_A_WATCH_PID, 1, 1, false, 0 },
	{ "pid as u64", VMCTL_A_WATCH_PID, 8, 1, false, 0 },
	{ "fault rate as u32", VMCTL_A_WATCH_FAULT_RATE, 4, 1, true, 0 },
	{ "out-only id", VMCTL_A_WATCH_ID, 4, 1, true, 0 },
	{ "out-only comm", VMCTL_A_WATCH_COMM, 4, 0x41414141, true, 0 },
	{ "unknown attribute", VMCTL_A_WATCH_MAX + 1, 4, 1, true, 0 },
	{ "attribute type 0", 0, 4, 1, true, 0 },
	{ "fault rate on a global watch", VMCTL_A_WATCH_FAULT_RATE, 8, 10, false, 0 },
	{ "process-exit on a global watch", VMCTL_A_WATCH_EVENTS, 4,
	  VMCTL_EVENT_PROCESS_EXIT, false, 0 },
};

TEST_F(watch, malformed_add_is_refused_with_extack)
{
	for (size_t i = 0; i < sizeof(bad_adds) / sizeof(bad_adds[0]); i++) {
		const struct bad_add *b = &bad_adds[i];
		struct nl_msg *msg = req_new(self->family, VMCTL_CMD_WATCH_ADD, false);
		struct nl_reply r;

		if (b->with_pid)
			nla_put_u32(msg, VMCTL_A_WATCH_PID, getpid());
		nla_put(msg, b->type, b->len, &b->value);
		EXPECT_EQ(b->err ? b->err : -EINVAL, send_req(self->sk, msg, NULL, &r))
			TH_LOG("%s: %d", b->what, r.err);
		EXPECT_NE(0, r.msg[0]) TH_LOG("%s: no extack message", b->what);
	}
}

TEST_F(watch, malformed_del_and_get)
{
	struct nl_msg *msg;
	struct nl_reply r;

	/* DEL without the id names the missing attribute. */
	msg = req_new(self->family, VMCTL_CMD_WATCH_DEL, false);
	EXPECT_EQ(-EINVAL, send_req(self->sk, msg, NULL, &r));
	EXPECT_EQ(VMCTL_A_WATCH_ID, r.miss_type);

	msg = req_new(self->family, VMCTL_CMD_WATCH_DEL, false);
	nla_put_u64(msg, VMCTL_A_WATCH_ID, 1);
	EXPECT_EQ(-EINVAL, send_req(self->sk, msg, NULL, &r));

	msg = req_new(self->family, VMCTL_CMD_WATCH_DEL, false);
	nla_put_u32(msg, VMCTL_A_WATCH_ID, 1);
	nla_put_u32(msg, VMCTL_A_WATCH_PID, 1);
	EXPECT_EQ(-EINVAL, send_req(self->sk, msg, NULL, &r));

	/* The dump takes no attribute at all. */
	msg = req_new(self->family, VMCTL_CMD_WATCH_GET, true);
	nla_put_u32(msg, VMCTL_A_WATCH_ID, 1);
	EXPECT_EQ(-EINVAL, send_req(self->sk, msg, NULL, &r));

	/* And the notifications are not requests. */
	msg = req_new(self->family, VMCTL_CMD_PROCESS_EXIT_NTF, false);
	EXPECT_EQ(-EOPNOTSUPP, send_req(self->sk, msg, NULL, &r));
}

TEST_F(watch, gone_process_is_esrch)
{
	pid_t pid = dead_pid();
	struct nl_reply r;

	ASSERT_LT(0, pid);
	EXPECT_EQ(-ESRCH, watch_add_pid(self->sk, self->family, pid, 0, NULL, &r));
	EXPECT_STREQ("no such process", r.msg);
}

/* A watch on a process ends when it exits. */
TEST_F(watch, ends_with_its_process)
{
	struct id_list *l = malloc(sizeof(*l));
	pid_t pid = spawn_sleeper();
	struct watch_reply w;
	struct nl_reply r;

	ASSERT_NE(NULL, l);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, watch_add_pid(self->sk, self->family, pid,
				   VMCTL_EVENT_PROCESS_EXIT, &w, &r)) TH_LOG("%s", r.msg);
	ASSERT_EQ(0, dump_ids(self->sk, self->family, l));
	EXPECT_TRUE(listed(l, w.id));
	kill_child(pid);
	ASSERT_EQ(0, wait_unlisted(self->sk, self->family, l, w.id));
	EXPECT_FALSE(listed(l, w.id)) TH_LOG("watch %u outlived its process", w.id);
	EXPECT_EQ(-ENOENT, watch_del(self->sk, self->family, w.id, &r));
	free(l);
}

struct nobody_args {
	int family;
	pid_t other;		/* a process of another user */
	uint32_t root_watch;	/* a watch root made */
};

/* Exit codes: 0 all as expected, else the number of the failed check. */
static int nobody_checks(void *arg)
{
	struct nobody_args *a = arg;
	struct id_list *l = malloc(sizeof(*l));
	struct nl_sock *sk;
	struct watch_reply w;
	struct nl_reply r;
	int family;

	sk = nl_open(&family);
	if (!sk || !l)
		return 1;
	if (watch_add_pid(sk, family, -1, VMCTL_EVENT_MAP_COUNT_THRESHOLD, NULL, &r) != -EPERM)
		return 2;
	if (watch_add_pid(sk, family, a->other, 0, NULL, &r) != -EACCES)
		return 3;
	if (watch_del(sk, family, a->root_watch, &r) != -EPERM)
		return 4;
	if (dump_ids(sk, family, l) || listed(l, a->root_watch))
		return 5;
	if (watch_add_pid(sk, family, getpid(), 0, &w, &r))
		return 6;
	if (dump_ids(sk, family, l) || !listed(l, w.id))
		return 7;
	if (watch_del(sk, family, w.id, &r))
		return 8;
	return 0;
}

/* A socket-owned watch ends when the socket that made it closes. */
TEST_F(watch, socket_owned_watch_ends_with_its_socket)
{
	struct id_list *l = malloc(sizeof(*l));
	struct nl_sock *owner;
	struct watch_reply w, kept;
	struct nl_msg *msg;
	struct nl_reply r;
	int family;

	ASSERT_NE(NULL, l);
	owner = nl_open(&family);
	ASSERT_NE(NULL, owner);
	msg = req_new(family, VMCTL_CMD_WATCH_ADD, false);
	nla_put_u32(msg, VMCTL_A_WATCH_PID, getpid());
	nla_put_flag(msg, VMCTL_A_WATCH_SOCKET_OWNER);
	ASSERT_EQ(0, send_req(owner, msg, &w, &r)) TH_LOG("%s", r.msg);
	/* One without the flag, from the same socket, stays. */
	ASSERT_EQ(0, watch_add_pid(owner, family, getpid(), 0, &kept, &r));
	ASSERT_EQ(0, dump_ids(self->sk, self->family, l));
	EXPECT_TRUE(listed(l, w.id));
	nl_socket_free(owner);
	ASSERT_EQ(0, wait_unlisted(self->sk, self->family, l, w.id));
	EXPECT_FALSE(listed(l, w.id));
	EXPECT_TRUE(listed(l, kept.id));
	EXPECT_EQ(0, watch_del(self->sk, self->family, kept.id, &r));
	free(l);
}

TEST_F(watch, rights_are_those_of_proc)
{
	struct nobody_args a = { .family = self->family };
	struct watch_reply w;
	struct nl_reply r;

	a.other = spawn_sleeper();
	ASSERT_LT(0, a.other);
	ASSERT_EQ(0, watch_add_pid(self->sk, self->family, a.other, 0, &w, &r));
	a.root_watch = w.id;
	EXPECT_EQ(0, run_as_nobody(nobody_checks, &a));
	/* The administrator may delete anybody's; root made this one. */
	EXPECT_EQ(0, watch_del(self->sk, self->family, w.id, &r));
	kill_child(a.other);
}

static long read_param(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* Global commit-refused watches cost no hook: cheap to make many. */
TEST_F(watch, max_watches_is_enospc)
{
	long max = read_param(MAX_WATCHES_PARAM);
	struct id_list *l = malloc(sizeof(*l));
	uint32_t *ids;
	struct watch_reply w;
	struct nl_reply r;
	long i, made = 0;
	int err = 0;

	ASSERT_NE(NULL, l);
	ASSERT_LT(0, max);
	if (max > 4096)
		SKIP(return, "max_watches %ld is too many to try", max);
	ASSERT_EQ(0, dump_ids(self->sk, self->family, l));
	ids = calloc(max + 1, sizeof(*ids));
	ASSERT_NE(NULL, ids);
	for (i = 0; i <= max; i++) {
		err = watch_add_pid(self->sk, self->family, -1,
				    VMCTL_EVENT_COMMIT_REFUSED, &w, &r);
		if (err)
			break;
		ids[made++] = w.id;
	}
	EXPECT_EQ(-ENOSPC, err) TH_LOG("made %ld of max %ld", made, max);
	EXPECT_EQ(max - l->n, made);
	for (i = 0; i < made; i++)
		EXPECT_EQ(0, watch_del(self->sk, self->family, ids[i], &r));
	free(ids);
	free(l);
}

/* ---- who hears events ---------------------------------------------------- */

static struct nl_sock *events_open(void)
{
	struct timeval tv = { .tv_sec = 2 };
	struct nl_sock *sk = nl_socket_alloc();
	int grp;

	if (!sk || genl_connect(sk))
		return NULL;
	grp = genl_ctrl_resolve_grp(sk, VMCTL_FAMILY_NAME, VMCTL_MCGRP_EVENTS);
	if (grp < 0 || nl_socket_add_membership(sk, grp))
		return NULL;
	setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return sk;
}

/* Whether an event of watch @id arrives on @sk within 2 s of quiet. */
static bool event_heard(struct nl_sock *sk, uint32_t id)
{
	char buf[8192];
	int len;

	while ((len = recv(nl_socket_get_fd(sk), buf, sizeof(buf), 0)) > 0) {
		const struct nlmsghdr *nlh;

		for (nlh = (void *)buf; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
			struct nlattr *tb[VMCTL_A_EVENT_MAX + 1];

			if (genlmsg_parse((struct nlmsghdr *)nlh, 0, tb,
					  VMCTL_A_EVENT_MAX, NULL) < 0)
				continue;
			if (tb[VMCTL_A_EVENT_WATCH_ID] &&
			    nla_get_u32(tb[VMCTL_A_EVENT_WATCH_ID]) == id)
				return true;
		}
	}
	return false;
}

static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma, mi;

	return !uname(&u) && sscanf(u.release, "%d.%d", &ma, &mi) == 2 &&
	       (ma > major || (ma == major && mi >= minor));
}

TEST_F(watch, events_reach_only_allowed_listeners)
{
	int ready[2], result[2], status;
	struct nl_sock *mine;
	struct watch_reply w;
	struct nl_reply r;
	pid_t target, listener;
	char c = 0;

	bool filtered = kernel_at_least(6, 7);

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(result));
	listener = fork();
	ASSERT_LE(0, listener);
	if (listener == 0) {
		struct nl_sock *sk;
		uint32_t id;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (become_nobody())
			_exit(100);
		sk = events_open();
		c = sk ? 'r' : 'e';
		if (write(ready[1], &c, 1) != 1 || !sk)
			_exit(101);
		if (read(result[0], &id, sizeof(id)) != sizeof(id))
			_exit(102);
		_exit(event_heard(sk, id) ? 1 : 0);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	if (!filtered) {
		/* Without per-listener filtering, only administrators listen. */
		EXPECT_EQ('e', c);
		ASSERT_EQ(listener, waitpid(listener, &status, 0));
		return;
	}
	ASSERT_EQ('r', c);
	mine = events_open();
	ASSERT_NE(NULL, mine);

	target = spawn_sleeper();
	ASSERT_LT(0, target);
	ASSERT_EQ(0, watch_add_pid(self->sk, self->family, target,
				   VMCTL_EVENT_PROCESS_EXIT, &w, &r));
	ASSERT_EQ(sizeof(w.id), write(result[1], &w.id, sizeof(w.id)));
	kill_child(target);
	EXPECT_TRUE(event_heard(mine, w.id));
	ASSERT_EQ(listener, waitpid(listener, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("nobody heard root's watch");
	nl_socket_free(mine);
}

TEST_HARNESS_MAIN
