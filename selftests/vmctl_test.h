/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the vmctl selftests.
 */
#ifndef _VMCTL_SELFTEST_H
#define _VMCTL_SELFTEST_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* Writes @s to the file at @path (a sysctl, a module parameter): 0 or -errno. */
static inline int write_str_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

/* ---- child processes ---- */

/* The unprivileged user the tests act as; they run as root. */
#define NOBODY		65534

/* Drops every group and becomes uid/gid NOBODY; 0 or -1. */
static inline int become_nobody(void)
{
	return setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY) ? -1 : 0;
}

/* Kills and reaps a child; pid <= 0 (one that was never forked) is ignored. */
/* @pid's name as /proc/PID/comm shows it, without the newline. */
static inline bool proc_comm(pid_t pid, char *buf, size_t size)
{
	char path[64];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	ok = fgets(buf, size, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

static inline void kill_child(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/* A pid that names no process: a reaped child's; -1 if there is none. */
static inline pid_t dead_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return pid > 0 && kill(pid, 0) && errno == ESRCH ? pid : -1;
}

/*
 * Runs @fn(@arg) in a child that became NOBODY (exit status 100 if it
 * could not); returns the child's exit status, or -1 if it did not exit.
 */
static inline int run_as_nobody(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (become_nobody())
			_exit(100);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

#endif /* _VMCTL_SELFTEST_H */
