// SPDX-License-Identifier: GPL-2.0
/*
 * The "vmctl" generic netlink family.
 *
 * The family works in every network namespace and answers in the
 * namespace of the requesting socket. Operations run without
 * genl_mutex (parallel_ops); each takes the locks it needs itself.
 */

#include <net/genetlink.h>

#include "vmctl.h"

static struct genl_family vmctl_genl_family;

static int vmctl_nl_get_version_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(GENLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &vmctl_genl_family, 0,
				VMCTL_CMD_GET_VERSION);
	if (!hdr)
		goto err_size;

	if (nla_put_u32(msg, VMCTL_A_VERSION_ABI, VMCTL_ABI_VERSION) ||
	    nla_put_u64_64bit(msg, VMCTL_A_VERSION_FEATURES, VMCTL_FEATURES,
			      VMCTL_A_VERSION_PAD) ||
	    nla_put_string(msg, VMCTL_A_VERSION_MODULE, VMCTL_VERSION))
		goto err_size;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_size:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/*
 * resv_start_op is zero, so an operation without a policy gets every
 * attribute rejected and the reserved header bytes validated.
 */
static const struct genl_ops vmctl_genl_ops[] = {
	{
		.cmd	= VMCTL_CMD_GET_VERSION,
		.doit	= vmctl_nl_get_version_doit,
	},
};

static struct genl_family vmctl_genl_family __ro_after_init = {
	.name		= VMCTL_FAMILY_NAME,
	.version	= VMCTL_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= vmctl_genl_ops,
	.n_ops		= ARRAY_SIZE(vmctl_genl_ops),
	.resv_start_op	= 0,
};

int vmctl_genl_register(void)
{
	return genl_register_family(&vmctl_genl_family);
}

void vmctl_genl_unregister(void)
{
	genl_unregister_family(&vmctl_genl_family);
}
