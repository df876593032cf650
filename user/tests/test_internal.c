// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests of libvmctl's internal helpers, linked against libvmctl.a.
 * The tests that talk to the kernel skip unless /dev/vmctl is usable.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <netlink/attr.h>

#include "kselftest_harness.h"
#include "libvmctl-private.h"

static int module_usable(void)
{
	return access(VMCTL_DEVICE_PATH, R_OK | W_OK) == 0;
}

TEST(ioctl_ext_rejects_short_size)
{
	struct vmctl_ctx *ctx;
	uint32_t tiny = 0;

	ASSERT_EQ(0, vmctl_new(&ctx));
	EXPECT_EQ(-EINVAL, vmctl_ioctl_ext(ctx, VMCTL_IOC_API, &tiny, sizeof(tiny)));
	vmctl_unref(ctx);
}

TEST(ioctl_ext_sets_size)
{
	struct {
		struct vmctl_api api;
		uint64_t newer_field;	/* unknown to the module */
	} big = { .newer_field = 1 };
	struct vmctl_api api = { .size = 12345 };
	struct vmctl_ctx *ctx;

	if (!module_usable())
		SKIP(return, "/dev/vmctl is not available");

	ASSERT_EQ(0, vmctl_new(&ctx));
	ASSERT_EQ(0, vmctl_ioctl_ext(ctx, VMCTL_IOC_API, &api, sizeof(api)));
	EXPECT_EQ(sizeof(api), api.size);
	EXPECT_EQ((uint32_t)VMCTL_ABI_VERSION, api.abi_version);

	/* A newer caller's non-zero tail is refused, not ignored. */
	EXPECT_EQ(-E2BIG, vmctl_ioctl_ext(ctx, VMCTL_IOC_API, &big, sizeof(big)));
	big.newer_field = 0;
	EXPECT_EQ(0, vmctl_ioctl_ext(ctx, VMCTL_IOC_API, &big, sizeof(big)));
	vmctl_unref(ctx);
}

static int put_bogus_attr(struct nl_msg *msg, void *arg)
{
	return nla_put_u32(msg, VMCTL_A_VERSION_ABI, 1) < 0 ? -EMSGSIZE : 0;
}

TEST(nl_transact_reports_extack)
{
	struct vmctl_nl_request req = {
		.cmd = VMCTL_CMD_GET_VERSION,
		.put = put_bogus_attr,
		.maxattr = VMCTL_A_VERSION_MAX,
	};
	struct vmctl_version v;
	struct vmctl_ctx *ctx;
	int err;

	if (!module_usable())
		SKIP(return, "/dev/vmctl is not available");

	ASSERT_EQ(0, vmctl_new(&ctx));
	err = vmctl_nl_transact(ctx, &req);
	EXPECT_GT(0, err);
	ASSERT_NE(NULL, vmctl_last_error_msg(ctx));
	TH_LOG("kernel says (%d): %s", err, vmctl_last_error_msg(ctx));

	/* The socket stays usable and the message is cleared on success. */
	EXPECT_EQ(0, vmctl_nl_get_version(ctx, &v));
	EXPECT_EQ(NULL, vmctl_last_error_msg(ctx));
	vmctl_unref(ctx);
}

TEST(live_versions_agree)
{
	struct vmctl_version io, nl;
	struct vmctl_ctx *ctx;

	if (!module_usable())
		SKIP(return, "/dev/vmctl is not available");

	ASSERT_EQ(0, vmctl_new(&ctx));
	EXPECT_EQ(VMCTL_MODULE_LOADED, vmctl_module_state(ctx));
	ASSERT_EQ(0, vmctl_get_version(ctx, &io));
	EXPECT_EQ((uint32_t)VMCTL_ABI_VERSION, io.abi_version);
	EXPECT_STREQ("", io.module_version);
	if (io.features & VMCTL_FEATURE_NETLINK) {
		ASSERT_EQ(0, vmctl_nl_get_version(ctx, &nl));
		EXPECT_EQ(io.abi_version, nl.abi_version);
		EXPECT_EQ(io.features, nl.features);
		EXPECT_NE('\0', nl.module_version[0]);
	}
	vmctl_unref(ctx);
}

TEST_HARNESS_MAIN
