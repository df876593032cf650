// SPDX-License-Identifier: GPL-2.0-or-later
/* libvmctl unit tests that need no kernel module. */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmctl.h"

static int module_present(void)
{
	return access("/sys/module/" VMCTL_MODULE_NAME, F_OK) == 0 ||
	       access(VMCTL_DEVICE_PATH, F_OK) == 0;
}

static int count_fds(void)
{
	struct dirent *de;
	DIR *dir;
	int n = 0;

	dir = opendir("/proc/self/fd");
	if (!dir)
		return -1;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

TEST(ctx_ref_unref)
{
	struct vmctl_ctx *ctx = NULL;

	ASSERT_EQ(0, vmctl_new(&ctx));
	ASSERT_NE(NULL, ctx);
	EXPECT_EQ(ctx, vmctl_ref(ctx));
	EXPECT_EQ(ctx, vmctl_unref(ctx));	/* one reference left */
	EXPECT_EQ(NULL, vmctl_unref(ctx));	/* freed */
}

TEST(ctx_null_and_invalid)
{
	struct vmctl_version v;

	EXPECT_EQ(-EINVAL, vmctl_new(NULL));
	EXPECT_EQ(NULL, vmctl_ref(NULL));
	EXPECT_EQ(NULL, vmctl_unref(NULL));
	EXPECT_EQ(NULL, vmctl_last_error_msg(NULL));
	EXPECT_EQ(-EINVAL, vmctl_module_state(NULL));
	EXPECT_EQ(-EINVAL, vmctl_get_version(NULL, &v));
	EXPECT_EQ(-EINVAL, vmctl_nl_get_version(NULL, &v));
}

TEST(ctx_new_is_lazy)
{
	struct vmctl_ctx *ctx;
	int before = count_fds();

	ASSERT_LT(0, before);
	ASSERT_EQ(0, vmctl_new(&ctx));
	EXPECT_EQ(before, count_fds());
	EXPECT_EQ(NULL, vmctl_last_error_msg(ctx));
	vmctl_unref(ctx);
}

TEST(ctx_unref_closes_everything)
{
	struct vmctl_version v;
	struct vmctl_ctx *ctx;
	int before = count_fds();

	ASSERT_EQ(0, vmctl_new(&ctx));
	vmctl_get_version(ctx, &v);
	vmctl_nl_get_version(ctx, &v);
	vmctl_module_state(ctx);
	EXPECT_EQ(NULL, vmctl_unref(ctx));
	EXPECT_EQ(before, count_fds());
}

TEST(library_version)
{
	EXPECT_STREQ(VERSION, vmctl_library_version());
}

TEST(module_state_not_loaded)
{
	struct vmctl_ctx *ctx;

	if (module_present())
		SKIP(return, "the vmctl module is loaded");

	ASSERT_EQ(0, vmctl_new(&ctx));
	EXPECT_EQ(VMCTL_MODULE_NOT_LOADED, vmctl_module_state(ctx));
	vmctl_unref(ctx);
}

TEST(module_state_names)
{
	EXPECT_STREQ("not loaded", vmctl_module_state_name(VMCTL_MODULE_NOT_LOADED));
	EXPECT_STREQ("loaded", vmctl_module_state_name(VMCTL_MODULE_LOADED));
	EXPECT_STREQ("going", vmctl_module_state_name(VMCTL_MODULE_GOING));
	EXPECT_EQ(NULL, vmctl_module_state_name(-ENOENT));
	EXPECT_EQ(NULL, vmctl_module_state_name(VMCTL_MODULE_GOING + 1));
}

TEST(get_version_not_loaded)
{
	struct vmctl_version v;
	struct vmctl_ctx *ctx;

	if (module_present())
		SKIP(return, "the vmctl module is loaded");

	ASSERT_EQ(0, vmctl_new(&ctx));
	EXPECT_EQ(-ENODEV, vmctl_get_version(ctx, &v));
	EXPECT_EQ(NULL, vmctl_last_error_msg(ctx));
	/* The failure is not cached: a second call checks again. */
	EXPECT_EQ(-ENODEV, vmctl_get_version(ctx, &v));
	vmctl_unref(ctx);
}

TEST(nl_get_version_not_loaded)
{
	struct vmctl_version v;
	struct vmctl_ctx *ctx;

	if (module_present())
		SKIP(return, "the vmctl module is loaded");

	ASSERT_EQ(0, vmctl_new(&ctx));
	EXPECT_EQ(-ENODEV, vmctl_nl_get_version(ctx, &v));
	EXPECT_EQ(NULL, vmctl_last_error_msg(ctx));
	vmctl_unref(ctx);
}

TEST(feature_names)
{
	EXPECT_STREQ("netlink", vmctl_feature_name(VMCTL_FEATURE_NETLINK));
	EXPECT_STREQ("stats", vmctl_feature_name(VMCTL_FEATURE_STATS));
	EXPECT_STREQ("vmas", vmctl_feature_name(VMCTL_FEATURE_VMAS));
	EXPECT_STREQ("faults", vmctl_feature_name(VMCTL_FEATURE_FAULTS));
	EXPECT_STREQ("reserve", vmctl_feature_name(VMCTL_FEATURE_RESERVE));
	EXPECT_STREQ("events", vmctl_feature_name(VMCTL_FEATURE_EVENTS));
	EXPECT_EQ(NULL, vmctl_feature_name(0));
	EXPECT_EQ(NULL, vmctl_feature_name(1ULL << 63));
	EXPECT_EQ(NULL, vmctl_feature_name(VMCTL_FEATURE_NETLINK | VMCTL_FEATURE_STATS));
}

TEST(exports_only_public_api)
{
	void *lib = dlopen("libvmctl.so.1", RTLD_NOW | RTLD_NOLOAD);

	ASSERT_NE(NULL, lib);
	EXPECT_NE(NULL, dlvsym(lib, "vmctl_new", "LIBVMCTL_1"));
	EXPECT_NE(NULL, dlvsym(lib, "vmctl_nl_get_version", "LIBVMCTL_1"));
	EXPECT_EQ(NULL, dlsym(lib, "vmctl_ioctl_ext"));
	EXPECT_EQ(NULL, dlsym(lib, "vmctl_nl_transact"));
	EXPECT_EQ(NULL, dlsym(lib, "vmctl_dev_open"));
	dlclose(lib);
}

TEST_HARNESS_MAIN
