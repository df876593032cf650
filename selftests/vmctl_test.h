/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the vmctl selftests.
 */
#ifndef _VMCTL_SELFTEST_H
#define _VMCTL_SELFTEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
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

/*
 * VMCTL_TEST_TIMEOUT_SCALE=N multiplies every test's harness timeout
 * (30 s, or its TEST_F_TIMEOUT) by N, 2..100; tests that wait for the
 * kernel with deadlines of their own scale them by
 * vmctl_test_timeout_scale() too. scripts/check-debug sets it
 * for the debug kernel, where KASAN, lockdep and kmemleak under emulation
 * make the tests 5-10 times slower. Runs after the tests have registered
 * (their constructors have priority KSELFTEST_PRIO_TEST).
 */
static inline long vmctl_test_timeout_scale(void)
{
	const char *env = getenv("VMCTL_TEST_TIMEOUT_SCALE");
	long scale = env ? strtol(env, NULL, 10) : 1;

	return scale < 2 || scale > 100 ? 1 : scale;
}

static void __attribute__((constructor(KSELFTEST_PRIO_XFAIL + 1)))
vmctl_test_scale_timeouts(void)
{
	long scale = vmctl_test_timeout_scale();
	struct __fixture_metadata *f;
	struct __test_metadata *t;

	if (scale == 1)
		return;
	for (f = __fixture_list; f; f = f->next)
		for (t = f->tests; t; t = t->next)
			t->timeout *= scale;
}

/* ioctl() returning -errno instead of -1, to compare against errnos. */
static inline int vmctl_test_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

#endif /* _VMCTL_SELFTEST_H */
