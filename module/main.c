// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl - address-space statistics, fault accounting and reserve/commit
 * memory for Linux processes.
 *
 * Userspace reaches the module through the misc device /dev/vmctl (dev.c)
 * and the generic netlink family "vmctl" (genl.c). The uAPI is described
 * in include/uapi/linux/vmctl.h and Documentation/userspace-api/vmctl.rst.
 */

#include <linux/module.h>
#include <net/genetlink.h>

#include "resv.h"
#include "vmctl.h"

static int __init vmctl_init(void)
{
	int ret;

	ret = vmctl_params_check();
	if (ret)
		return ret;
	ret = vmctl_procfs_init();
	if (ret)
		return ret;

	ret = vmctl_faults_init();
	if (ret)
		goto err_procfs;

	ret = vmctl_watches_init();
	if (ret)
		goto err_faults;

	ret = vmctl_genl_register();
	if (ret)
		goto err_watches;

	/* The device node appears last, when everything behind it works. */
	ret = vmctl_dev_register();
	if (ret)
		goto err_genl;

	vmctl_debugfs_init();
	vmctl_selftest_splat();
	return 0;

err_genl:
	vmctl_watches_close();
	vmctl_genl_unregister();
err_watches:
	vmctl_watches_exit();
err_faults:
	vmctl_faults_exit();
err_procfs:
	vmctl_procfs_exit();
	return ret;
}

static void __exit vmctl_exit(void)
{
	vmctl_debugfs_exit();
	vmctl_dev_unregister();
	vmctl_watches_close();
	vmctl_genl_unregister();
	vmctl_watches_exit();
	vmctl_faults_exit();
	/* Reservations drop their module reference from RCU callbacks. */
	rcu_barrier();
	vmctl_acct_exit();
	vmctl_stats_exit();
	vmctl_procfs_exit();
}

module_init(vmctl_init);
module_exit(vmctl_exit);

MODULE_DESCRIPTION("Address-space statistics, fault accounting and reserve/commit memory");
MODULE_AUTHOR("The vmctl developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(VMCTL_VERSION);
MODULE_ALIAS_GENL_FAMILY(VMCTL_FAMILY_NAME);
