// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests of the vmctl tool binary: exit codes, help and error messages.
 * The tool is found next to the tests directory ($O/vmctl) or in $VMCTL_BIN.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "kselftest_harness.h"
#include "tool_run.h"

static int module_present(void)
{
	return access("/sys/module/vmctl", F_OK) == 0 || access("/dev/vmctl", F_OK) == 0;
}

/* Run the tool with the NULL terminated arguments after argv[0]. */
static int run_tool(struct run *r, const char *const *args)
{
	return run_tool_cmd(r, NULL, args, 0);
}

#define RUN(r, ...) ({							\
	static const char *const __args[] = { __VA_ARGS__, NULL };	\
	ASSERT_RUN_TOOL(r, NULL, __args, 0);				\
})

/* RUN with a computed last argument. */
#define RUN_PID(r, pid, ...) ({						\
	const char *__args[] = { __VA_ARGS__, pid, NULL };		\
	ASSERT_RUN_TOOL(r, NULL, __args, 0);				\
})

#define EXPECT_LACKS_ESC(s) EXPECT_EQ(NULL, strchr(s, '\033'))

TEST(help)
{
	static const char *const opts[] = { "--help", "-h", "help" };
	struct run r;
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		static const char *args[2];

		args[0] = opts[i];
		ASSERT_EQ(0, run_tool(&r, args));
		EXPECT_EQ(0, r.status) TH_LOG("vmctl %s", opts[i]);
		EXPECT_CONTAINS(r.out, "Usage: vmctl [OPTIONS] COMMAND");
		EXPECT_CONTAINS(r.out, "Commands:");
		EXPECT_CONTAINS(r.out, "  version ");
		EXPECT_CONTAINS(r.out, "  stats ");
		EXPECT_CONTAINS(r.out, "  maps ");
		EXPECT_CONTAINS(r.out, "Exit status:");
		EXPECT_STREQ("", r.err);
	}
}

TEST(command_help)
{
	struct run r;

	RUN(&r, "version", "--help");
	EXPECT_EQ(0, r.status);
	EXPECT_CONTAINS(r.out, "Usage: vmctl version");
	EXPECT_CONTAINS(r.out, "--json");

	RUN(&r, "help", "version");
	EXPECT_EQ(0, r.status);
	EXPECT_CONTAINS(r.out, "Usage: vmctl version");
}

TEST(tool_version)
{
	struct run r;

	RUN(&r, "--version");
	EXPECT_EQ(0, r.status);
	EXPECT_STREQ("vmctl " VERSION "\n", r.out);
}

TEST(usage_errors)
{
	struct run r;

	RUN(&r, "frobnicate");
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, "unknown command \"frobnicate\"");

	RUN(&r, "--bogus");
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, "invalid option \"--bogus\"");

	RUN(&r, "version", "-x");
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, "invalid option \"-x\"");
	EXPECT_CONTAINS(r.err, "vmctl version --help");

	RUN(&r, "version", "extra");
	EXPECT_EQ(2, r.status);

	RUN(&r, "help", "nope");
	EXPECT_EQ(2, r.status);
}

TEST(no_command)
{
	static const char *const none[] = { NULL };
	struct run r;

	ASSERT_EQ(0, run_tool(&r, none));
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, "missing command");
}

TEST(version_without_module)
{
	struct run r;

	if (module_present())
		SKIP(return, "the vmctl module is loaded");

	RUN(&r, "version");
	EXPECT_EQ(1, r.status);
	EXPECT_CONTAINS(r.out, "tool:      vmctl " VERSION);
	EXPECT_CONTAINS(r.out, "library:   libvmctl " VERSION);
	EXPECT_CONTAINS(r.err, "the vmctl kernel module is not loaded");
	EXPECT_CONTAINS(r.err, "sudo modprobe vmctl");
}

TEST(version_json_without_module)
{
	struct json_object *root, *v;
	struct run r;

	if (module_present())
		SKIP(return, "the vmctl module is loaded");

	RUN(&r, "version", "--json");
	EXPECT_EQ(1, r.status);
	EXPECT_CONTAINS(r.err, "not loaded");

	root = json_tokener_parse(r.out);
	ASSERT_NE(NULL, root) TH_LOG("not JSON:\n%s", r.out);
	ASSERT_TRUE(json_object_object_get_ex(root, "tool_version", &v));
	EXPECT_STREQ(VERSION, json_object_get_string(v));
	ASSERT_TRUE(json_object_object_get_ex(root, "library_version", &v));
	EXPECT_STREQ(VERSION, json_object_get_string(v));
	ASSERT_TRUE(json_object_object_get_ex(root, "module", &v));
	EXPECT_EQ(NULL, v);
	json_object_put(root);
}

TEST(version_json_with_module)
{
	struct json_object *root, *mod, *v;
	struct run r;

	if (access("/dev/vmctl", R_OK | W_OK) != 0)
		SKIP(return, "/dev/vmctl is not available");

	RUN(&r, "version", "-j");
	EXPECT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	root = json_tokener_parse(r.out);
	ASSERT_NE(NULL, root);
	ASSERT_TRUE(json_object_object_get_ex(root, "module", &mod));
	ASSERT_NE(NULL, mod);
	ASSERT_TRUE(json_object_object_get_ex(mod, "abi_version", &v));
	EXPECT_EQ(1, json_object_get_int(v));
	ASSERT_TRUE(json_object_object_get_ex(mod, "features", &v));
	EXPECT_TRUE(json_object_is_type(v, json_type_array));
	json_object_put(root);
}

TEST(stats_maps_help)
{
	struct run r;

	RUN(&r, "stats", "--help");
	EXPECT_EQ(0, r.status);
	EXPECT_CONTAINS(r.out, "Usage: vmctl stats [OPTIONS] [PID]");
	EXPECT_CONTAINS(r.out, "--json");
	EXPECT_CONTAINS(r.out, "--no-header");
	EXPECT_CONTAINS(r.out, "Exit status:");
	EXPECT_STREQ("", r.err);

	RUN(&r, "help", "maps");
	EXPECT_EQ(0, r.status);
	EXPECT_CONTAINS(r.out, "Usage: vmctl maps [OPTIONS] PID");
	EXPECT_CONTAINS(r.out, "Exit status:");
}

TEST(stats_maps_usage_errors)
{
	static const char *const bad[] = { "abc", "0", "-1", "12x", "", "99999999999", "+5", " 5" };
	struct run r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		static const char *args[4];

		args[0] = "stats";
		args[1] = "--";
		args[2] = bad[i];
		ASSERT_EQ(0, run_tool(&r, args));
		EXPECT_EQ(2, r.status) TH_LOG("vmctl stats -- \"%s\"", bad[i]);
		EXPECT_CONTAINS(r.err, "invalid PID");
		EXPECT_STREQ("", r.out);

		args[0] = "maps";
		ASSERT_EQ(0, run_tool(&r, args));
		EXPECT_EQ(2, r.status) TH_LOG("vmctl maps -- \"%s\"", bad[i]);
		EXPECT_CONTAINS(r.err, "vmctl maps --help");
	}

	RUN(&r, "stats", "abc");
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, "invalid PID \"abc\"");
	EXPECT_CONTAINS(r.err, "vmctl stats --help");

	RUN(&r, "stats", "1", "2");
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, "unexpected argument \"2\"");

	RUN(&r, "stats", "-x");
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, "invalid option \"-x\"");

	RUN(&r, "maps");
	EXPECT_EQ(2, r.status);
	EXPECT_CONTAINS(r.err, "missing PID");

	RUN(&r, "maps", "--json", "1", "1");
	EXPECT_EQ(2, r.status);
}

TEST(stats_maps_without_module)
{
	static const char *const cmds[][4] = {
		{ "stats", "1" }, { "stats", "-j", "1" }, { "stats" }, { "stats", "--json" },
		{ "maps", "1" }, { "maps", "--json", "1" },
	};
	struct run r;
	size_t i;

	if (module_present())
		SKIP(return, "the vmctl module is loaded");

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		ASSERT_EQ(0, run_tool(&r, cmds[i]));
		EXPECT_EQ(1, r.status) TH_LOG("vmctl %s %s", cmds[i][0], cmds[i][1]);
		EXPECT_CONTAINS(r.err, "the vmctl kernel module is not loaded");
		EXPECT_CONTAINS(r.err, "sudo modprobe vmctl");
		EXPECT_STREQ("", r.out);
	}
}

/* Runs where the module is loaded, e.g. in the dev VM. */
TEST(stats_maps_with_module)
{
	struct json_object *root, *v;
	char pid[16];
	struct run r;

	if (access("/dev/vmctl", R_OK | W_OK) != 0)
		SKIP(return, "/dev/vmctl is not available");

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	RUN_PID(&r, pid, "stats");
	EXPECT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_CONTAINS(r.out, "maps ");
	EXPECT_CONTAINS(r.out, "KIND");
	EXPECT_LACKS_ESC(r.out);

	RUN_PID(&r, pid, "stats", "-j");
	EXPECT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	root = json_tokener_parse(r.out);
	ASSERT_NE(NULL, root) TH_LOG("not JSON:\n%s", r.out);
	ASSERT_TRUE(json_object_object_get_ex(root, "map_count", &v));
	EXPECT_LT(0, json_object_get_int64(v));
	ASSERT_TRUE(json_object_object_get_ex(root, "pid", &v));
	EXPECT_EQ(getpid(), json_object_get_int(v));
	json_object_put(root);

	RUN_PID(&r, pid, "maps", "--no-header");
	EXPECT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_CONTAINS(r.out, "[stack]");
	EXPECT_EQ(NULL, strstr(r.out, "total:"));

	RUN_PID(&r, pid, "maps", "-j");
	EXPECT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	root = json_tokener_parse(r.out);
	ASSERT_NE(NULL, root) TH_LOG("not JSON:\n%.200s", r.out);
	EXPECT_TRUE(json_object_is_type(root, json_type_array));
	EXPECT_LT(0, json_object_array_length(root));
	json_object_put(root);

	RUN(&r, "stats", "2147483647");
	EXPECT_EQ(1, r.status);
	EXPECT_CONTAINS(r.err, "no process with pid 2147483647");
}

TEST_HARNESS_MAIN
