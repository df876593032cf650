// SPDX-License-Identifier: LGPL-2.1-or-later
/* Module version and feature discovery: ioctl and netlink flavours. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <netlink/attr.h>

#include "libvmctl-private.h"

VMCTL_EXPORT const char *vmctl_feature_name(uint64_t feature)
{
	switch (feature) {
	case VMCTL_FEATURE_NETLINK:
		return "netlink";
	case VMCTL_FEATURE_STATS:
		return "stats";
	case VMCTL_FEATURE_VMAS:
		return "vmas";
	case VMCTL_FEATURE_FAULTS:
		return "faults";
	case VMCTL_FEATURE_RESERVE:
		return "reserve";
	case VMCTL_FEATURE_EVENTS:
		return "events";
	default:
		return NULL;
	}
}

VMCTL_EXPORT int vmctl_get_version(struct vmctl_ctx *ctx, struct vmctl_version *out)
{
	struct vmctl_api api = { 0 };
	int err;

	if (!ctx || !out)
		return -EINVAL;

	err = vmctl_ioctl_ext(ctx, VMCTL_IOC_API, &api, sizeof(api));
	if (err < 0)
		return err;

	memset(out, 0, sizeof(*out));
	out->abi_version = api.abi_version;
	out->features = api.features;
	return 0;
}

static struct nla_policy version_policy[VMCTL_A_VERSION_MAX + 1] = {
	[VMCTL_A_VERSION_ABI] = { .type = NLA_U32 },
	[VMCTL_A_VERSION_FEATURES] = { .type = NLA_U64 },
	[VMCTL_A_VERSION_MODULE] = { .type = NLA_NUL_STRING },
};

static int version_parse(struct nlattr **tb, void *arg)
{
	struct vmctl_version *out = arg;

	if (!tb[VMCTL_A_VERSION_ABI] || !tb[VMCTL_A_VERSION_FEATURES])
		return -EBADMSG;

	out->abi_version = nla_get_u32(tb[VMCTL_A_VERSION_ABI]);
	out->features = nla_get_u64(tb[VMCTL_A_VERSION_FEATURES]);
	if (tb[VMCTL_A_VERSION_MODULE])
		snprintf(out->module_version, sizeof(out->module_version), "%s",
			 nla_get_string(tb[VMCTL_A_VERSION_MODULE]));
	return 0;
}

VMCTL_EXPORT int vmctl_nl_get_version(struct vmctl_ctx *ctx, struct vmctl_version *out)
{
	struct vmctl_version v = { 0 };
	struct vmctl_nl_request req = {
		.cmd = VMCTL_CMD_GET_VERSION,
		.maxattr = VMCTL_A_VERSION_MAX,
		.policy = version_policy,
		.parse = version_parse,
		.arg = &v,
	};
	int err;

	if (!ctx || !out)
		return -EINVAL;

	err = vmctl_nl_transact(ctx, &req);
	if (err < 0)
		return err;

	*out = v;
	return 0;
}
