// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/vmctl: facts for tests and debugging.
 *
 * committed_pages: the exact system commit charge (vm_memory_committed()).
 * Committed_AS in /proc/meminfo is a per-CPU counter read without summing,
 * which can be off by several megabytes; tests that check that vmctl
 * returns the charge to where it was need the exact sum.
 */

#include <linux/debugfs.h>
#include <linux/mman.h>

#include "vmctl.h"

static struct dentry *vmctl_debugfs_dir;

static int vmctl_committed_get(void *data, u64 *val)
{
	*val = vm_memory_committed();
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(vmctl_committed_fops, vmctl_committed_get, NULL,
			 "%llu\n");

void vmctl_debugfs_init(void)
{
	/* Debugfs is optional: errors are not fatal and not checked. */
	vmctl_debugfs_dir = debugfs_create_dir("vmctl", NULL);
	debugfs_create_file_unsafe("committed_pages", 0444, vmctl_debugfs_dir,
				   NULL, &vmctl_committed_fops);
}

void vmctl_debugfs_exit(void)
{
	debugfs_remove(vmctl_debugfs_dir);
}
