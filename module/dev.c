// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/vmctl misc device: ioctl dispatch.
 *
 * The node is world-accessible (mode 0666, like /dev/null): opening it
 * grants nothing by itself. Every operation checks the caller's rights
 * on the process it names, as /proc does.
 */

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "resv.h"
#include "vmctl.h"

static long vmctl_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case VMCTL_IOC_API:
		return vmctl_ioctl_api(argp);
	case VMCTL_IOC_GET_STATS:
		return vmctl_ioctl_get_stats(argp);
	case VMCTL_IOC_GET_VMAS:
		return vmctl_ioctl_get_vmas(argp);
	case VMCTL_IOC_TRACK:
		return vmctl_ioctl_track(argp, true);
	case VMCTL_IOC_UNTRACK:
		return vmctl_ioctl_track(argp, false);
	case VMCTL_IOC_GET_FAULTS:
		return vmctl_ioctl_get_faults(argp);
	case VMCTL_IOC_GET_FAULT_VMAS:
		return vmctl_ioctl_get_fault_vmas(argp);
	case VMCTL_IOC_COMMIT:
	case VMCTL_IOC_DECOMMIT:
	case VMCTL_IOC_RESET:
	case VMCTL_IOC_RELEASE:
		return vmctl_ioctl_range(cmd, argp);
	case VMCTL_IOC_QUERY:
		return vmctl_ioctl_query(argp);
	case VMCTL_IOC_SET_COMMIT_LIMIT:
		return vmctl_ioctl_set_commit_limit(argp);
	default:
		return -ENOIOCTLCMD;
	}
}

static const struct file_operations vmctl_fops = {
	.owner		= THIS_MODULE,
	.open		= nonseekable_open,
	.unlocked_ioctl	= vmctl_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= vmctl_resv_mmap,
};

static struct miscdevice vmctl_misc = {
	.minor		= MISC_DYNAMIC_MINOR,
	.name		= VMCTL_DEVICE_NAME,
	.fops		= &vmctl_fops,
	.mode		= 0666,
};

int vmctl_dev_register(void)
{
	return misc_register(&vmctl_misc);
}

void vmctl_dev_unregister(void)
{
	misc_deregister(&vmctl_misc);
}
