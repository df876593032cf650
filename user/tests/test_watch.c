// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host unit tests of "vmctl watch" and the libvmctl events API that need no
 * module: option parsing, the text and JSON lines of each event type, the
 * event decoder fed with hand-built netlink messages, argument checks of
 * the library, and the tool's usage errors. The tool binary is found next
 * to the tests directory ($O/vmctl) or in $VMCTL_BIN.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "vmctl-tool.h"
#include "kselftest_harness.h"
#include "tool_run.h"

/* The tool's objects need this from main.c. */
const char *program_name = "vmctl";

/* Internal decoder of libvmctl (events.c), reached through libvmctl.a. */
int vmctl_event_from_nlmsg(struct nlmsghdr *nlh, int family, struct vmctl_event *e);

/* ---- option parsing ---- */

TEST(thresholds)
{
	uint32_t t[VMCTL_WATCH_THRESHOLDS_MAX] = { 0 }, n = 99;

	EXPECT_EQ(NULL, watch_parse_thresholds("80,95", t, &n));
	EXPECT_EQ(2, n);
	EXPECT_EQ(80, t[0]);
	EXPECT_EQ(95, t[1]);

	EXPECT_EQ(NULL, watch_parse_thresholds("50%", t, &n));
	EXPECT_EQ(1, n);
	EXPECT_EQ(50, t[0]);

	EXPECT_EQ(NULL, watch_parse_thresholds("1,100", t, &n));
	EXPECT_EQ(2, n);
	EXPECT_EQ(1, t[0]);
	EXPECT_EQ(100, t[1]);

	EXPECT_EQ(NULL, watch_parse_thresholds("10,20,30,40,50,60,70,80", t, &n));
	EXPECT_EQ(8, n);
	EXPECT_EQ(80, t[7]);

	/* Failures leave the count alone. */
	n = 77;
	EXPECT_NE(NULL, watch_parse_thresholds("10,20,30,40,50,60,70,80,90", t, &n));
	EXPECT_NE(NULL, watch_parse_thresholds("0", t, &n));
	EXPECT_NE(NULL, watch_parse_thresholds("101", t, &n));
	EXPECT_NE(NULL, watch_parse_thresholds("", t, &n));
	EXPECT_NE(NULL, watch_parse_thresholds(",80", t, &n));
	EXPECT_NE(NULL, watch_parse_thresholds("80,", t, &n));
	EXPECT_NE(NULL, watch_parse_thresholds("80,,95", t, &n));
	EXPECT_NE(NULL, watch_parse_thresholds("80x", t, &n));
	EXPECT_NE(NULL, watch_parse_thresholds("-5", t, &n));
	EXPECT_NE(NULL, watch_parse_thresholds(" 80", t, &n));
	EXPECT_NE(NULL, watch_parse_thresholds("+80", t, &n));
	EXPECT_NE(NULL, watch_parse_thresholds("%", t, &n));
	EXPECT_NE(NULL, watch_parse_thresholds("99999999999999999999", t, &n));
	EXPECT_EQ(77, n);
}

TEST(events_list)
{
	uint32_t m = 0, named = 0;

	EXPECT_EQ(NULL, watch_parse_events("all", &m, &named));
	EXPECT_EQ(VMCTL_EVENT_ALL, m);
	EXPECT_EQ(0, named);
	EXPECT_EQ(NULL, watch_parse_events("map-count-threshold,process-exit", &m, &named));
	EXPECT_EQ(VMCTL_EVENT_MAP_COUNT_THRESHOLD | VMCTL_EVENT_PROCESS_EXIT, m);
	EXPECT_EQ(m, named);
	EXPECT_EQ(NULL, watch_parse_events("commit-refused", &m, &named));
	EXPECT_EQ(VMCTL_EVENT_COMMIT_REFUSED, m);
	EXPECT_EQ(NULL, watch_parse_events("fault-rate,map-count-exhausted,fault-rate", &m,
					   &named));
	EXPECT_EQ(VMCTL_EVENT_FAULT_RATE | VMCTL_EVENT_MAP_COUNT_EXHAUSTED, m);
	EXPECT_EQ(NULL, watch_parse_events("all,commit-refused", &m, &named));
	EXPECT_EQ(VMCTL_EVENT_ALL, m);
	EXPECT_EQ(VMCTL_EVENT_COMMIT_REFUSED, named);

	m = 1234;
	EXPECT_NE(NULL, watch_parse_events("", &m, &named));
	EXPECT_NE(NULL, watch_parse_events("exit", &m, &named));
	EXPECT_NE(NULL, watch_parse_events("lost", &m, &named));
	EXPECT_NE(NULL, watch_parse_events("process-exit,", &m, &named));
	EXPECT_NE(NULL, watch_parse_events("Process-Exit", &m, &named));
	EXPECT_EQ(1234, m);
}

/* ---- library names ---- */

TEST(names)
{
	unsigned int bit;
	int n = 0;

	for (bit = 1; bit; bit <<= 1) {
		const char *name = vmctl_event_name(bit);

		if (!(bit & VMCTL_EVENT_ALL)) {
			EXPECT_EQ(NULL, name) TH_LOG("bit 0x%x", bit);
			continue;
		}
		ASSERT_NE(NULL, name) TH_LOG("bit 0x%x", bit);
		EXPECT_EQ(bit, vmctl_event_from_name(name));
		n++;
	}
	EXPECT_EQ(5, n);
	EXPECT_STREQ("map-count-threshold", vmctl_event_name(VMCTL_EVENT_MAP_COUNT_THRESHOLD));
	EXPECT_STREQ("map-count-exhausted", vmctl_event_name(VMCTL_EVENT_MAP_COUNT_EXHAUSTED));
	EXPECT_STREQ("commit-refused", vmctl_event_name(VMCTL_EVENT_COMMIT_REFUSED));
	EXPECT_STREQ("fault-rate", vmctl_event_name(VMCTL_EVENT_FAULT_RATE));
	EXPECT_STREQ("process-exit", vmctl_event_name(VMCTL_EVENT_PROCESS_EXIT));
	EXPECT_STREQ("lost", vmctl_event_name(VMCTL_EVENT_LOST));
	EXPECT_EQ(NULL, vmctl_event_name(VMCTL_EVENT_MAP_COUNT_THRESHOLD |
					 VMCTL_EVENT_PROCESS_EXIT));
	EXPECT_EQ(0, vmctl_event_from_name("lost"));
	EXPECT_EQ(0, vmctl_event_from_name(NULL));
	EXPECT_EQ(0, vmctl_event_from_name(""));

	EXPECT_EQ(NULL, vmctl_event_op_name(0));
	EXPECT_STREQ("mmap", vmctl_event_op_name(VMCTL_OP_MMAP));
	EXPECT_STREQ("mprotect", vmctl_event_op_name(VMCTL_OP_MPROTECT));
	EXPECT_STREQ("munmap", vmctl_event_op_name(VMCTL_OP_MUNMAP));
	EXPECT_STREQ("mremap", vmctl_event_op_name(VMCTL_OP_MREMAP));
	EXPECT_STREQ("brk", vmctl_event_op_name(VMCTL_OP_BRK));
	EXPECT_STREQ("madvise", vmctl_event_op_name(VMCTL_OP_MADVISE));
	EXPECT_STREQ("mlock", vmctl_event_op_name(VMCTL_OP_MLOCK));
	EXPECT_STREQ("munlock", vmctl_event_op_name(VMCTL_OP_MUNLOCK));
	EXPECT_STREQ("shmat", vmctl_event_op_name(VMCTL_OP_SHMAT));
	EXPECT_STREQ("other", vmctl_event_op_name(VMCTL_OP_OTHER));
	EXPECT_EQ(NULL, vmctl_event_op_name(VMCTL_OP_OTHER + 1));

	EXPECT_STREQ("process", vmctl_limit_kind_name(VMCTL_LIMIT_PROCESS));
	EXPECT_STREQ("system", vmctl_limit_kind_name(VMCTL_LIMIT_SYSTEM));
	EXPECT_EQ(NULL, vmctl_limit_kind_name(0));
	EXPECT_EQ(NULL, vmctl_limit_kind_name(3));
}

/* ---- library argument checks (refused before any kernel contact) ---- */

TEST(lib_invalid)
{
	struct vmctl_watch_spec spec = { 0 };
	struct vmctl_watch_info *w;
	struct vmctl_events *ev;
	struct vmctl_ctx *ctx;
	uint32_t id;
	size_t n;

	ASSERT_EQ(0, vmctl_new(&ctx));
	EXPECT_EQ(-EINVAL, vmctl_watch_add(NULL, &spec, &id));
	EXPECT_EQ(-EINVAL, vmctl_watch_add(ctx, NULL, &id));
	EXPECT_EQ(-EINVAL, vmctl_watch_add(ctx, &spec, NULL));
	spec.flags = 1U << 7;
	EXPECT_EQ(-EINVAL, vmctl_watch_add(ctx, &spec, &id));
	spec.flags = VMCTL_WATCH_SPEC_GLOBAL;
	spec.pid = 1;
	EXPECT_EQ(-EINVAL, vmctl_watch_add(ctx, &spec, &id));
	spec.flags = 0;
	spec.pid = -1;
	EXPECT_EQ(-EINVAL, vmctl_watch_add(ctx, &spec, &id));
	spec.pid = 1;
	spec.nthresholds = VMCTL_WATCH_THRESHOLDS_MAX + 1;
	EXPECT_EQ(-EINVAL, vmctl_watch_add(ctx, &spec, &id));
	spec.nthresholds = 0;
	spec.__reserved[3] = 1;
	EXPECT_EQ(-EINVAL, vmctl_watch_add(ctx, &spec, &id));
	spec.__reserved[3] = 0;
	spec.__reserved0 = 1;
	EXPECT_EQ(-EINVAL, vmctl_watch_add(ctx, &spec, &id));
	EXPECT_EQ(NULL, vmctl_last_error_msg(ctx));

	EXPECT_EQ(-EINVAL, vmctl_watch_del(NULL, 1));
	EXPECT_EQ(-EINVAL, vmctl_watch_list(NULL, &w, &n));
	EXPECT_EQ(-EINVAL, vmctl_watch_list(ctx, NULL, &n));
	EXPECT_EQ(-EINVAL, vmctl_watch_list(ctx, &w, NULL));

	EXPECT_EQ(-EINVAL, vmctl_events_open(NULL, 0, &ev));
	EXPECT_EQ(-EINVAL, vmctl_events_open(ctx, 0, NULL));
	EXPECT_EQ(-EINVAL, vmctl_events_open(ctx, 1, &ev));
	EXPECT_EQ(-EINVAL, vmctl_events_fd(NULL));
	EXPECT_EQ(0, vmctl_events_lost(NULL));
	EXPECT_EQ(-EINVAL, vmctl_events_read(NULL, NULL, NULL));
	vmctl_events_close(NULL);
	EXPECT_EQ(NULL, vmctl_unref(ctx));
}

TEST(lib_without_module)
{
	struct vmctl_watch_spec spec = { .pid = 1 };
	struct vmctl_events *ev = NULL;
	struct vmctl_ctx *ctx;
	uint32_t id;

	if (access("/sys/module/" VMCTL_MODULE_NAME, F_OK) == 0)
		SKIP(return, "the vmctl module is loaded");
	ASSERT_EQ(0, vmctl_new(&ctx));
	EXPECT_EQ(-ENODEV, vmctl_events_open(ctx, 0, &ev));
	EXPECT_EQ(NULL, ev);
	EXPECT_EQ(-ENODEV, vmctl_watch_add(ctx, &spec, &id));
	EXPECT_EQ(-ENODEV, vmctl_watch_del(ctx, 1));
	vmctl_unref(ctx);
}

/* ---- the decoder ---- */

#define FAMILY	0x1234

static struct nl_msg *event_msg(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, 0, 0, FAMILY, 0, 0, cmd, VMCTL_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static void put_common(struct nl_msg *msg)
{
	nla_put_u32(msg, VMCTL_A_EVENT_WATCH_ID, 7);
	nla_put_u32(msg, VMCTL_A_EVENT_PID, 4242);
	nla_put_string(msg, VMCTL_A_EVENT_COMM, "grow");
	nla_put_u64(msg, VMCTL_A_EVENT_TIME_NS, 123456789012ULL);
}

TEST(decode_threshold)
{
	struct nl_msg *msg = event_msg(VMCTL_CMD_MAP_COUNT_THRESHOLD_NTF);
	struct vmctl_event e;

	ASSERT_NE(NULL, msg);
	put_common(msg);
	nla_put_u64(msg, VMCTL_A_EVENT_MAP_COUNT, 800);
	nla_put_u64(msg, VMCTL_A_EVENT_MAX_MAP_COUNT, 1000);
	nla_put_u32(msg, VMCTL_A_EVENT_THRESHOLD, 80);
	/* An attribute from a newer module is ignored. */
	nla_put_u64(msg, VMCTL_A_EVENT_MAX + 5, 1);

	memset(&e, 0xa5, sizeof(e));
	ASSERT_EQ(1, vmctl_event_from_nlmsg(nlmsg_hdr(msg), FAMILY, &e));
	EXPECT_EQ(VMCTL_EVENT_MAP_COUNT_THRESHOLD, e.type);
	EXPECT_EQ(7, e.watch_id);
	EXPECT_EQ(4242, e.pid);
	EXPECT_STREQ("grow", e.comm);
	EXPECT_EQ(123456789012ULL, e.time_ns);
	EXPECT_EQ(800, e.map_count);
	EXPECT_EQ(1000, e.max_map_count);
	EXPECT_EQ(80, e.threshold);
	/* What the type does not carry is zero. */
	EXPECT_EQ(0, e.op);
	EXPECT_EQ(0, e.addr);
	EXPECT_EQ(0, e.exit_code);
	EXPECT_EQ(0, e.maj_flt);

	/* Another family, or a message that is no event: skipped. */
	EXPECT_EQ(0, vmctl_event_from_nlmsg(nlmsg_hdr(msg), FAMILY + 1, &e));
	nlmsg_free(msg);
	msg = event_msg(VMCTL_CMD_WATCH_ADD);
	ASSERT_NE(NULL, msg);
	put_common(msg);
	EXPECT_EQ(0, vmctl_event_from_nlmsg(nlmsg_hdr(msg), FAMILY, &e));
	nlmsg_free(msg);
}

TEST(decode_all_types)
{
	struct vmctl_event e;
	struct nl_msg *msg;

	msg = event_msg(VMCTL_CMD_MAP_COUNT_EXHAUSTED_NTF);
	ASSERT_NE(NULL, msg);
	put_common(msg);
	nla_put_u64(msg, VMCTL_A_EVENT_MAP_COUNT, 1000);
	nla_put_u64(msg, VMCTL_A_EVENT_MAX_MAP_COUNT, 1000);
	nla_put_u32(msg, VMCTL_A_EVENT_OP, VMCTL_OP_MPROTECT);
	nla_put_u64(msg, VMCTL_A_EVENT_ADDR, 0x7f0000001000ULL);
	nla_put_u64(msg, VMCTL_A_EVENT_LEN, 4096);
	ASSERT_EQ(1, vmctl_event_from_nlmsg(nlmsg_hdr(msg), FAMILY, &e));
	EXPECT_EQ(VMCTL_EVENT_MAP_COUNT_EXHAUSTED, e.type);
	EXPECT_EQ(VMCTL_OP_MPROTECT, e.op);
	EXPECT_EQ(0x7f0000001000ULL, e.addr);
	EXPECT_EQ(4096, e.len);
	nlmsg_free(msg);

	msg = event_msg(VMCTL_CMD_COMMIT_REFUSED_NTF);
	ASSERT_NE(NULL, msg);
	put_common(msg);
	nla_put_u32(msg, VMCTL_A_EVENT_LIMIT_KIND, VMCTL_LIMIT_PROCESS);
	nla_put_u64(msg, VMCTL_A_EVENT_LIMIT_BYTES, 1 << 20);
	nla_put_u64(msg, VMCTL_A_EVENT_COMMITTED_BYTES, 1 << 20);
	nla_put_u64(msg, VMCTL_A_EVENT_REQUEST_BYTES, 65536);
	ASSERT_EQ(1, vmctl_event_from_nlmsg(nlmsg_hdr(msg), FAMILY, &e));
	EXPECT_EQ(VMCTL_EVENT_COMMIT_REFUSED, e.type);
	EXPECT_EQ(VMCTL_LIMIT_PROCESS, e.limit_kind);
	EXPECT_EQ(1 << 20, e.limit_bytes);
	EXPECT_EQ(1 << 20, e.committed_bytes);
	EXPECT_EQ(65536, e.request_bytes);
	nlmsg_free(msg);

	msg = event_msg(VMCTL_CMD_FAULT_RATE_NTF);
	ASSERT_NE(NULL, msg);
	put_common(msg);
	nla_put_u64(msg, VMCTL_A_EVENT_FAULT_RATE, 1500);
	nla_put_u64(msg, VMCTL_A_EVENT_FAULT_RATE_LIMIT, 1000);
	ASSERT_EQ(1, vmctl_event_from_nlmsg(nlmsg_hdr(msg), FAMILY, &e));
	EXPECT_EQ(VMCTL_EVENT_FAULT_RATE, e.type);
	EXPECT_EQ(1500, e.fault_rate);
	EXPECT_EQ(1000, e.fault_rate_limit);
	nlmsg_free(msg);

	msg = event_msg(VMCTL_CMD_PROCESS_EXIT_NTF);
	ASSERT_NE(NULL, msg);
	put_common(msg);
	nla_put_u32(msg, VMCTL_A_EVENT_EXIT_CODE, 3 << 8);
	nla_put_u64(msg, VMCTL_A_EVENT_MAP_COUNT, 12);
	nla_put_u64(msg, VMCTL_A_EVENT_MAP_COUNT_PEAK, 1000);
	nla_put_u64(msg, VMCTL_A_EVENT_MAXRSS_BYTES, 5 << 20);
	nla_put_u64(msg, VMCTL_A_EVENT_MIN_FLT, 321);
	nla_put_u64(msg, VMCTL_A_EVENT_MAJ_FLT, 2);
	ASSERT_EQ(1, vmctl_event_from_nlmsg(nlmsg_hdr(msg), FAMILY, &e));
	EXPECT_EQ(VMCTL_EVENT_PROCESS_EXIT, e.type);
	EXPECT_TRUE(WIFEXITED(e.exit_code));
	EXPECT_EQ(3, WEXITSTATUS(e.exit_code));
	EXPECT_EQ(12, e.map_count);
	EXPECT_EQ(1000, e.map_count_peak);
	EXPECT_EQ(5 << 20, e.maxrss_bytes);
	EXPECT_EQ(321, e.min_flt);
	EXPECT_EQ(2, e.maj_flt);
	nlmsg_free(msg);
}

TEST(decode_malformed)
{
	struct vmctl_event e;
	struct nl_msg *msg;

	/* No watch id. */
	msg = event_msg(VMCTL_CMD_PROCESS_EXIT_NTF);
	ASSERT_NE(NULL, msg);
	nla_put_u32(msg, VMCTL_A_EVENT_PID, 1);
	EXPECT_EQ(-EBADMSG, vmctl_event_from_nlmsg(nlmsg_hdr(msg), FAMILY, &e));
	nlmsg_free(msg);

	/* A u64 attribute too short. */
	msg = event_msg(VMCTL_CMD_PROCESS_EXIT_NTF);
	ASSERT_NE(NULL, msg);
	put_common(msg);
	nla_put_u32(msg, VMCTL_A_EVENT_MAP_COUNT, 1);
	EXPECT_EQ(-EBADMSG, vmctl_event_from_nlmsg(nlmsg_hdr(msg), FAMILY, &e));
	nlmsg_free(msg);

	/* A comm without NUL within its payload is cut, not overrun. */
	msg = event_msg(VMCTL_CMD_PROCESS_EXIT_NTF);
	ASSERT_NE(NULL, msg);
	nla_put_u32(msg, VMCTL_A_EVENT_WATCH_ID, 1);
	nla_put_u32(msg, VMCTL_A_EVENT_PID, 1);
	{
		char big[200];

		memset(big, 'x', sizeof(big));
		nla_put(msg, VMCTL_A_EVENT_COMM, sizeof(big), big);
	}
	ASSERT_EQ(1, vmctl_event_from_nlmsg(nlmsg_hdr(msg), FAMILY, &e));
	EXPECT_EQ(VMCTL_COMM_SIZE - 1, strlen(e.comm));
	nlmsg_free(msg);
}

/* ---- rendering ---- */

/* 2026-01-02 12:00:01.123 UTC */
#define WALL	(1767355201LL * 1000000000LL + 123456789LL)

static struct vmctl_event sample(unsigned int type)
{
	struct vmctl_event e = {
		.type = type, .watch_id = 7, .pid = 4242, .comm = "grow",
		.time_ns = 5000000000ULL,
	};

	return e;
}

static char *render(const struct vmctl_event *e)
{
	static char buf[512];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	if (!f)
		return NULL;
	watch_print_event(f, e, WALL);
	fclose(f);
	return buf;
}

/* Each test runs in a child of its own: no need to restore TZ. */
static void utc(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
}

TEST(text_lines)
{
	struct vmctl_event e;

	utc();

	e = sample(VMCTL_EVENT_MAP_COUNT_THRESHOLD);
	e.threshold = 80;
	e.map_count = 800;
	e.max_map_count = 1000;
	EXPECT_STREQ("12:00:01.123 4242 (grow) map-count-threshold 80% map_count=800/1000\n",
		     render(&e));

	e = sample(VMCTL_EVENT_MAP_COUNT_EXHAUSTED);
	e.op = VMCTL_OP_MMAP;
	e.map_count = 1000;
	e.max_map_count = 1000;
	e.addr = 0x7f0000000000ULL;
	e.len = 4096;
	EXPECT_STREQ("12:00:01.123 4242 (grow) map-count-exhausted mmap map_count=1000/1000 "
		     "addr=0x7f0000000000 len=4096\n", render(&e));
	e.op = 99;
	EXPECT_CONTAINS(render(&e), "map-count-exhausted op-99 ");

	e = sample(VMCTL_EVENT_COMMIT_REFUSED);
	e.limit_kind = VMCTL_LIMIT_PROCESS;
	e.limit_bytes = 1 << 20;
	e.committed_bytes = 1 << 20;
	e.request_bytes = 65536;
	EXPECT_STREQ("12:00:01.123 4242 (grow) commit-refused process limit 1.0 MiB: "
		     "committed 1.0 MiB, request 64.0 KiB\n", render(&e));
	e.limit_kind = VMCTL_LIMIT_SYSTEM;
	e.limit_bytes = 0;
	EXPECT_STREQ("12:00:01.123 4242 (grow) commit-refused system limit: "
		     "committed 1.0 MiB, request 64.0 KiB\n", render(&e));

	e = sample(VMCTL_EVENT_FAULT_RATE);
	e.fault_rate = 1500;
	e.fault_rate_limit = 1000;
	EXPECT_STREQ("12:00:01.123 4242 (grow) fault-rate 1500 major faults/s (limit 1000/s)\n",
		     render(&e));

	e = sample(VMCTL_EVENT_PROCESS_EXIT);
	e.exit_code = 3 << 8;
	e.map_count = 12;
	e.map_count_peak = 1000;
	e.maxrss_bytes = 5 << 20;
	e.min_flt = 321;
	e.maj_flt = 2;
	EXPECT_STREQ("12:00:01.123 4242 (grow) process-exit exited 3, map_count=12 peak=1000 "
		     "maxrss=5.0 MiB min_flt=321 maj_flt=2\n", render(&e));
	e.exit_code = SIGKILL;
	EXPECT_CONTAINS(render(&e), "process-exit killed by SIGKILL, ");
	strcpy(e.comm, "a\nb\tc");
	EXPECT_CONTAINS(render(&e), " 4242 (a?b?c) process-exit ");
	e.exit_code = SIGSEGV | 0x80;
	EXPECT_CONTAINS(render(&e), "process-exit killed by SIGSEGV (core dumped), ");
}

static struct json_object *to_json(const struct vmctl_event *e, struct __test_metadata *_metadata)
{
	struct json_object *o = watch_event_to_json(e, WALL), *back;
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);

	/* One line that parses back. */
	EXPECT_EQ(NULL, strchr(s, '\n'));
	back = json_tokener_parse(s);
	EXPECT_NE(NULL, back);
	json_object_put(o);
	return back;
}

static const char *get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int64_t get_int(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return -12345;
	return json_object_get_int64(v);
}

static int is_null(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && !v;
}

TEST(json_objects)
{
	struct vmctl_event e;
	struct json_object *o;

	utc();

	e = sample(VMCTL_EVENT_MAP_COUNT_THRESHOLD);
	e.threshold = 95;
	e.map_count = 950;
	e.max_map_count = 1000;
	o = to_json(&e, _metadata);
	ASSERT_NE(NULL, o);
	EXPECT_STREQ("2026-01-02T12:00:01.123Z", get_str(o, "time"));
	EXPECT_EQ(5000000000LL, get_int(o, "time_ns"));
	EXPECT_EQ(7, get_int(o, "watch_id"));
	EXPECT_EQ(4242, get_int(o, "pid"));
	EXPECT_STREQ("grow", get_str(o, "comm"));
	EXPECT_STREQ("map-count-threshold", get_str(o, "event"));
	EXPECT_EQ(95, get_int(o, "threshold"));
	EXPECT_EQ(950, get_int(o, "map_count"));
	EXPECT_EQ(1000, get_int(o, "max_map_count"));
	EXPECT_EQ(-12345, get_int(o, "op"));
	json_object_put(o);

	e = sample(VMCTL_EVENT_MAP_COUNT_EXHAUSTED);
	e.op = VMCTL_OP_MPROTECT;
	e.addr = 4096;
	e.len = 8192;
	o = to_json(&e, _metadata);
	ASSERT_NE(NULL, o);
	EXPECT_STREQ("map-count-exhausted", get_str(o, "event"));
	EXPECT_STREQ("mprotect", get_str(o, "op"));
	EXPECT_EQ(4096, get_int(o, "addr"));
	EXPECT_EQ(8192, get_int(o, "len"));
	json_object_put(o);

	e = sample(VMCTL_EVENT_COMMIT_REFUSED);
	e.limit_kind = VMCTL_LIMIT_PROCESS;
	e.limit_bytes = 1 << 20;
	e.request_bytes = 4096;
	o = to_json(&e, _metadata);
	ASSERT_NE(NULL, o);
	EXPECT_STREQ("process", get_str(o, "limit_kind"));
	EXPECT_EQ(1 << 20, get_int(o, "limit_bytes"));
	EXPECT_EQ(0, get_int(o, "committed_bytes"));
	EXPECT_EQ(4096, get_int(o, "request_bytes"));
	json_object_put(o);

	e = sample(VMCTL_EVENT_FAULT_RATE);
	e.fault_rate = 10;
	e.fault_rate_limit = 5;
	o = to_json(&e, _metadata);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(10, get_int(o, "fault_rate"));
	EXPECT_EQ(5, get_int(o, "fault_rate_limit"));
	json_object_put(o);

	e = sample(VMCTL_EVENT_PROCESS_EXIT);
	e.exit_code = 0;
	e.map_count_peak = 77;
	o = to_json(&e, _metadata);
	ASSERT_NE(NULL, o);
	EXPECT_STREQ("process-exit", get_str(o, "event"));
	EXPECT_EQ(0, get_int(o, "exit_code"));
	EXPECT_EQ(0, get_int(o, "exit_status"));
	EXPECT_TRUE(is_null(o, "signal"));
	EXPECT_EQ(77, get_int(o, "map_count_peak"));
	json_object_put(o);
	e.exit_code = SIGTERM;
	o = to_json(&e, _metadata);
	ASSERT_NE(NULL, o);
	EXPECT_TRUE(is_null(o, "exit_status"));
	EXPECT_STREQ("SIGTERM", get_str(o, "signal"));
	json_object_put(o);
}

TEST(wall_clock)
{
	struct timespec mono, wall;
	int64_t w, expect;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &wall);
	/* An event 2 s ago happened 2 s before now on the wall clock. */
	w = watch_wall_ns((uint64_t)mono.tv_sec * 1000000000ULL + mono.tv_nsec - 2000000000ULL);
	expect = (int64_t)wall.tv_sec * 1000000000LL + wall.tv_nsec - 2000000000LL;
	EXPECT_GT(50000000LL, llabs(w - expect));
}

/* ---- the tool's usage errors ---- */

/* "vmctl watch ARGS...": killed if it runs for 10 s, as a watch may wait. */
#define WATCH(r, ...) ({						\
	static const char *const __args[] = { __VA_ARGS__, NULL };	\
	ASSERT_RUN_TOOL(r, "watch", __args, 10);			\
})

TEST(tool_help)
{
	struct run r;

	WATCH(&r, "--help");
	EXPECT_EQ(0, r.status);
	EXPECT_CONTAINS(r.out, "Usage: vmctl watch [OPTIONS] [PID...]");
	EXPECT_CONTAINS(r.out, "--threshold");
	EXPECT_CONTAINS(r.out, "--hysteresis");
	EXPECT_CONTAINS(r.out, "--events");
	EXPECT_CONTAINS(r.out, "--fault-rate");
	EXPECT_CONTAINS(r.out, "--json");
	EXPECT_CONTAINS(r.out, "--list");
	EXPECT_CONTAINS(r.out, "--delete");
	EXPECT_CONTAINS(r.out, "map-count-threshold");
	EXPECT_CONTAINS(r.out, "process-exit");
	EXPECT_CONTAINS(r.out, "CAP_SYS_ADMIN");
	EXPECT_STREQ("", r.err);
}

TEST(tool_usage_errors)
{
	struct run r;

	WATCH(&r, "--threshold", "0", "1");
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, "bad --threshold \"0\"");
	EXPECT_CONTAINS(r.err, "vmctl watch --help");

	WATCH(&r, "-t", "10,20,30,40,50,60,70,80,90", "1");
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, "too many thresholds");

	WATCH(&r, "--hysteresis", "51", "1");
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, "bad --hysteresis \"51\"");

	WATCH(&r, "--events", "map-count-threshold,bogus", "1");
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, "unknown event name");

	WATCH(&r, "--fault-rate", "0", "1");
	EXPECT_EQ(2, r.status);

	WATCH(&r, "--fault-rate", "100");
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, "--fault-rate needs PIDs");

	WATCH(&r, "--fault-rate", "100", "--events", "process-exit", "1");
	EXPECT_EQ(2, r.status);

	WATCH(&r, "--events", "map-count-threshold,process-exit");
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, "need PIDs");

	WATCH(&r, "abc");
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, "invalid PID \"abc\"");

	WATCH(&r, "1", "0");
	EXPECT_EQ(2, r.status);

	WATCH(&r, "--list", "1");
	EXPECT_EQ(2, r.status);
	WATCH(&r, "--list", "--threshold", "50");
	EXPECT_EQ(2, r.status);

	WATCH(&r, "--delete");
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, "--delete takes watch IDs");
	WATCH(&r, "--delete", "0");
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, "invalid watch ID \"0\"");
	WATCH(&r, "--delete", "4294967296");
	EXPECT_EQ(2, r.status);
	WATCH(&r, "--delete", "--list", "1");
	EXPECT_EQ(2, r.status);
	WATCH(&r, "--delete", "--threshold", "50", "1");
	EXPECT_EQ(2, r.status);

	WATCH(&r, "--bogus");
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, "invalid option \"--bogus\"");
	EXPECT_STREQ("", r.out);
}

TEST(tool_without_module)
{
	struct run r;

	if (access("/sys/module/" VMCTL_MODULE_NAME, F_OK) == 0)
		SKIP(return, "the vmctl module is loaded");
	WATCH(&r, "1");
	EXPECT_EQ(1, r.status);
	EXPECT_CONTAINS(r.err, "the vmctl kernel module is not loaded");
	WATCH(&r, "--list");
	EXPECT_EQ(1, r.status);
	EXPECT_CONTAINS(r.err, "the vmctl kernel module is not loaded");
	EXPECT_STREQ("", r.out);
}

TEST_HARNESS_MAIN
