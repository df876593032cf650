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

TEST(exports_1_1)
{
	static const char *const syms[] = {
		"vmctl_get_stats", "vmctl_nl_get_stats", "vmctl_list_stats",
		"vmctl_get_vmas", "vmctl_nl_get_vmas", "vmctl_kind_name",
		"vmctl_vma_perms", "vmctl_vma_flag_name",
	};
	void *lib = dlopen("libvmctl.so.1", RTLD_NOW | RTLD_NOLOAD);
	size_t i;

	ASSERT_NE(NULL, lib);
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		EXPECT_NE(NULL, dlvsym(lib, syms[i], "LIBVMCTL_1.1")) TH_LOG("%s", syms[i]);
		EXPECT_EQ(NULL, dlvsym(lib, syms[i], "LIBVMCTL_1")) TH_LOG("%s", syms[i]);
	}
	EXPECT_EQ(NULL, dlsym(lib, "vmctl_stats_fill"));
	dlclose(lib);
}

TEST(kind_names)
{
	static const char *const names[] = {
		"anon", "file", "shmem", "stack", "heap", "hugetlb", "special", "guard",
		"reserved",
	};
	unsigned int k;

	ASSERT_EQ((size_t)VMCTL_KIND_COUNT, sizeof(names) / sizeof(names[0]));
	for (k = 0; k < VMCTL_KIND_COUNT; k++)
		EXPECT_STREQ(names[k], vmctl_kind_name(k));
	EXPECT_STREQ("stack", vmctl_kind_name(VMCTL_KIND_STACK));
	EXPECT_STREQ("reserved", vmctl_kind_name(VMCTL_KIND_RESERVED));
	EXPECT_EQ(NULL, vmctl_kind_name(VMCTL_KIND_COUNT));
	EXPECT_EQ(NULL, vmctl_kind_name(VMCTL_KINDS_MAX));
	EXPECT_EQ(NULL, vmctl_kind_name(~0U));
}

TEST(vma_perms)
{
	static const struct {
		uint64_t flags;
		const char *perms;
	} cases[] = {
		{ 0, "---p" },
		{ VMCTL_VMA_READ, "r--p" },
		{ VMCTL_VMA_READ | VMCTL_VMA_EXEC, "r-xp" },
		{ VMCTL_VMA_READ | VMCTL_VMA_WRITE, "rw-p" },
		{ VMCTL_VMA_READ | VMCTL_VMA_WRITE | VMCTL_VMA_SHARED, "rw-s" },
		{ VMCTL_VMA_READ | VMCTL_VMA_WRITE | VMCTL_VMA_EXEC, "rwxp" },
		{ VMCTL_VMA_SHARED, "---s" },
		{ VMCTL_VMA_WRITE | VMCTL_VMA_LOCKED | VMCTL_VMA_ACCOUNT, "-w-p" },
		{ ~0ULL, "rwxs" },
	};
	char buf[VMCTL_PERMS_SIZE + 1];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(buf, 'X', sizeof(buf));
		EXPECT_EQ(&buf[0], vmctl_vma_perms(cases[i].flags, buf));
		EXPECT_STREQ(cases[i].perms, buf);
		EXPECT_EQ('X', buf[VMCTL_PERMS_SIZE]);	/* writes exactly 5 bytes */
	}
}

TEST(vma_flag_names)
{
	EXPECT_STREQ("read", vmctl_vma_flag_name(VMCTL_VMA_READ));
	EXPECT_STREQ("shared", vmctl_vma_flag_name(VMCTL_VMA_SHARED));
	EXPECT_STREQ("growsdown", vmctl_vma_flag_name(VMCTL_VMA_GROWSDOWN));
	EXPECT_STREQ("wipeonfork", vmctl_vma_flag_name(VMCTL_VMA_WIPEONFORK));
	EXPECT_STREQ("noreserve", vmctl_vma_flag_name(VMCTL_VMA_NORESERVE));
	EXPECT_EQ(NULL, vmctl_vma_flag_name(0));
	EXPECT_EQ(NULL, vmctl_vma_flag_name(VMCTL_VMA_NORESERVE << 1));
	EXPECT_EQ(NULL, vmctl_vma_flag_name(VMCTL_VMA_READ | VMCTL_VMA_WRITE));
}

TEST(vma_name_helper)
{
	/* The layout vmctl_get_vmas() documents: records, then names. */
	struct {
		struct vmctl_vma v[2];
		char names[16];
	} buf = { 0 };

	buf.v[0].name_len = 0;
	buf.v[1].name_off = sizeof(buf.v);
	buf.v[1].name_len = 6;
	memcpy(buf.names, "[heap]", 7);
	EXPECT_EQ(NULL, vmctl_vma_name(buf.v, &buf.v[0]));
	EXPECT_STREQ("[heap]", vmctl_vma_name(buf.v, &buf.v[1]));
}

TEST(stats_vmas_invalid_args)
{
	struct vmctl_proc_stats *procs;
	struct vmctl_stats st;
	struct vmctl_vma *vmas;
	struct vmctl_ctx *ctx;
	size_t n;

	EXPECT_EQ(-EINVAL, vmctl_get_stats(NULL, 0, &st));
	EXPECT_EQ(-EINVAL, vmctl_nl_get_stats(NULL, 0, &st, NULL, 0));
	EXPECT_EQ(-EINVAL, vmctl_list_stats(NULL, &procs, &n));
	EXPECT_EQ(-EINVAL, vmctl_get_vmas(NULL, 0, &vmas, &n));
	EXPECT_EQ(-EINVAL, vmctl_nl_get_vmas(NULL, 0, &vmas, &n));

	ASSERT_EQ(0, vmctl_new(&ctx));
	EXPECT_EQ(-EINVAL, vmctl_get_stats(ctx, -1, &st));
	EXPECT_EQ(-EINVAL, vmctl_get_stats(ctx, 0, NULL));
	EXPECT_EQ(-EINVAL, vmctl_nl_get_stats(ctx, -5, &st, NULL, 0));
	EXPECT_EQ(-EINVAL, vmctl_list_stats(ctx, NULL, &n));
	EXPECT_EQ(-EINVAL, vmctl_list_stats(ctx, &procs, NULL));
	EXPECT_EQ(-EINVAL, vmctl_get_vmas(ctx, -1, &vmas, &n));
	EXPECT_EQ(-EINVAL, vmctl_get_vmas(ctx, 0, NULL, &n));
	EXPECT_EQ(-EINVAL, vmctl_nl_get_vmas(ctx, 0, &vmas, NULL));
	vmctl_unref(ctx);
}

TEST(stats_vmas_not_loaded)
{
	struct vmctl_proc_stats *procs = (void *)1;
	struct vmctl_vma *vmas = (void *)1;
	struct vmctl_stats st;
	struct vmctl_ctx *ctx;
	size_t n = 7;

	if (module_present())
		SKIP(return, "the vmctl module is loaded");

	ASSERT_EQ(0, vmctl_new(&ctx));
	EXPECT_EQ(-ENODEV, vmctl_get_stats(ctx, 0, &st));
	EXPECT_EQ(-ENODEV, vmctl_nl_get_stats(ctx, 0, &st, NULL, 0));
	EXPECT_EQ(-ENODEV, vmctl_list_stats(ctx, &procs, &n));
	EXPECT_EQ(-ENODEV, vmctl_get_vmas(ctx, 0, &vmas, &n));
	EXPECT_EQ(-ENODEV, vmctl_nl_get_vmas(ctx, 0, &vmas, &n));
	/* Nothing is stored on failure. */
	EXPECT_EQ((void *)1, procs);
	EXPECT_EQ((void *)1, vmas);
	EXPECT_EQ((size_t)7, n);
	vmctl_unref(ctx);
}

TEST(exports_1_2)
{
	static const char *const syms[] = {
		"vmctl_reserve", "vmctl_commit", "vmctl_decommit", "vmctl_reset",
		"vmctl_release", "vmctl_query", "vmctl_query_pid",
		"vmctl_set_commit_limit", "vmctl_state_name",
	};
	void *lib = dlopen("libvmctl.so.1", RTLD_NOW | RTLD_NOLOAD);
	size_t i;

	ASSERT_NE(NULL, lib);
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		EXPECT_NE(NULL, dlvsym(lib, syms[i], "LIBVMCTL_1.2")) TH_LOG("%s", syms[i]);
		EXPECT_EQ(NULL, dlvsym(lib, syms[i], "LIBVMCTL_1.1")) TH_LOG("%s", syms[i]);
	}
	dlclose(lib);
}

TEST(state_names)
{
	EXPECT_STREQ("free", vmctl_state_name(VMCTL_STATE_FREE));
	EXPECT_STREQ("reserved", vmctl_state_name(VMCTL_STATE_RESERVED));
	EXPECT_STREQ("committed", vmctl_state_name(VMCTL_STATE_COMMITTED));
	EXPECT_EQ(NULL, vmctl_state_name(3));
	EXPECT_EQ(NULL, vmctl_state_name(~0U));
}

TEST(resv_invalid_args)
{
	struct vmctl_region_info info;
	struct vmctl_ctx *ctx;
	void *addr = (void *)1;
	uint64_t committed = 7;

	EXPECT_EQ(-EINVAL, vmctl_reserve(NULL, 4096, 0, &addr));
	EXPECT_EQ(-EINVAL, vmctl_commit(NULL, NULL, 4096, 0));
	EXPECT_EQ(-EINVAL, vmctl_decommit(NULL, NULL, 4096));
	EXPECT_EQ(-EINVAL, vmctl_reset(NULL, NULL, 4096));
	EXPECT_EQ(-EINVAL, vmctl_release(NULL, NULL));
	EXPECT_EQ(-EINVAL, vmctl_query(NULL, NULL, &info));
	EXPECT_EQ(-EINVAL, vmctl_set_commit_limit(NULL, 0, 0, &committed));

	ASSERT_EQ(0, vmctl_new(&ctx));
	/* Checked before the device is opened: no module needed. */
	EXPECT_EQ(-EINVAL, vmctl_reserve(ctx, 0, 0, &addr));
	EXPECT_EQ(-EINVAL, vmctl_reserve(ctx, 4096, 1, &addr));
	EXPECT_EQ(-EINVAL, vmctl_reserve(ctx, 4096, 0, NULL));
	EXPECT_EQ(-EINVAL, vmctl_query(ctx, NULL, NULL));
	EXPECT_EQ(-EINVAL, vmctl_query_pid(ctx, -1, 0, &info));
	EXPECT_EQ(-EINVAL, vmctl_set_commit_limit(ctx, -1, 0, &committed));
	EXPECT_EQ((void *)1, addr);
	EXPECT_EQ(7, committed);
	vmctl_unref(ctx);
}

TEST(resv_not_loaded)
{
	struct vmctl_region_info info;
	struct vmctl_ctx *ctx;
	void *addr = (void *)1;

	if (module_present())
		SKIP(return, "the vmctl module is loaded");

	ASSERT_EQ(0, vmctl_new(&ctx));
	EXPECT_EQ(-ENODEV, vmctl_reserve(ctx, 4096, 0, &addr));
	EXPECT_EQ((void *)1, addr);
	EXPECT_EQ(-ENODEV, vmctl_commit(ctx, (void *)4096, 4096, 0));
	EXPECT_EQ(-ENODEV, vmctl_query(ctx, (void *)4096, &info));
	EXPECT_EQ(-ENODEV, vmctl_set_commit_limit(ctx, 0, 0, NULL));
	vmctl_unref(ctx);
}

TEST_HARNESS_MAIN
