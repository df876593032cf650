/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the vmctl selftests.
 */
#ifndef _VMCTL_SELFTEST_H
#define _VMCTL_SELFTEST_H

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmctl.h"

/*
 * Open /dev/vmctl or SKIP the test when the module is not loaded; the
 * selftests run on kernels without vmctl too.
 */
#define VMCTL_OPEN_OR_SKIP(_metadata, fd) do {					\
	(fd) = open(VMCTL_DEVICE_PATH, O_RDWR | O_CLOEXEC);			\
	if ((fd) < 0 && (errno == ENOENT || errno == ENODEV))			\
		SKIP(return, "vmctl module not loaded (%s missing)",		\
		     VMCTL_DEVICE_PATH);					\
	ASSERT_LE(0, (fd)) TH_LOG("open %s: %s", VMCTL_DEVICE_PATH,		\
				  strerror(errno));				\
} while (0)

/* ioctl() returning -errno instead of -1, to compare against errnos. */
static inline int vmctl_test_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

#endif /* _VMCTL_SELFTEST_H */
