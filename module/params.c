// SPDX-License-Identifier: GPL-2.0
/*
 * Module parameters: the caps on what unprivileged users can make the
 * module allocate. Read-only once loaded (mode 0444), so the code that
 * reads them needs no locking; set them at load time with modprobe
 * options or insmod arguments.
 */

#include <linux/moduleparam.h>

#include "vmctl.h"

unsigned int vmctl_max_tracked_processes = 256;
module_param_named(max_tracked_processes, vmctl_max_tracked_processes, uint, 0444);
MODULE_PARM_DESC(max_tracked_processes,
		 "Most processes with fault accounting at once, exited ones kept for reading included (64-65536, default 256)");

unsigned int vmctl_max_tracked_threads = 1024;
module_param_named(max_tracked_threads, vmctl_max_tracked_threads, uint, 0444);
MODULE_PARM_DESC(max_tracked_threads,
		 "Threads with counters of their own per tracked process; more share one (1-65536, default 1024)");

unsigned int vmctl_max_commit_limits = 4096;
module_param_named(max_commit_limits, vmctl_max_commit_limits, uint, 0444);
MODULE_PARM_DESC(max_commit_limits,
		 "Processes without reservations that may hold a commit limit at once (0-1048576, default 4096)");

unsigned int vmctl_max_watches = 1024;
module_param_named(max_watches, vmctl_max_watches, uint, 0444);
MODULE_PARM_DESC(max_watches,
		 "Most watches (netlink WATCH_ADD) at once (1-65536, default 1024)");

int vmctl_params_check(void)
{
	if (vmctl_max_tracked_processes < 64 ||
	    vmctl_max_tracked_processes > 65536 ||
	    !vmctl_max_tracked_threads || vmctl_max_tracked_threads > 65536 ||
	    vmctl_max_commit_limits > 1048576 ||
	    !vmctl_max_watches || vmctl_max_watches > 65536) {
		pr_err("vmctl: a module parameter is out of range (see modinfo vmctl)\n");
		return -EINVAL;
	}
	return 0;
}
