// SPDX-License-Identifier: GPL-2.0
/*
 * Test build only: a splat on load, so the selftests can prove that the VM
 * runner fails a run whose kernel log reports a WARNING. Never part of the
 * shipped module (see module/Kbuild).
 */

#include <linux/bug.h>

#include "vmctl.h"

void vmctl_selftest_splat(void)
{
	WARN(1, "vmctl: selftest build, warning on purpose\n");
}
