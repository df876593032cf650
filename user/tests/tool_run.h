/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running the vmctl tool binary from a unit test, for the tests of its
 * exit codes and messages. The tool is found next to the tests directory
 * ($O/vmctl) or in $VMCTL_BIN. Include after kselftest_harness.h.
 */
#ifndef _VMCTL_TOOL_RUN_H
#define _VMCTL_TOOL_RUN_H

#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

struct run {
	int status;		/* exit code, or -1 if not exited normally */
	char out[8192];
	char err[8192];
};

static inline const char *tool_path(void)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n;

	if (getenv("VMCTL_BIN"))
		return getenv("VMCTL_BIN");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return NULL;
	exe[n] = '\0';
	snprintf(path, sizeof(path), "%s/../vmctl", dirname(exe));
	return path;
}

/* Read back what the tool wrote to @fd, as a string cut to fit @buf. */
static inline void slurp(int fd, char *buf, size_t len)
{
	ssize_t n, total = 0;

	lseek(fd, 0, SEEK_SET);
	while ((size_t)total < len - 1 && (n = read(fd, buf + total, len - 1 - total)) > 0)
		total += n;
	buf[total] = '\0';
	close(fd);
}

/*
 * Run "vmctl [@cmd] ARGS..." with the NULL terminated @args (the first 14
 * words in all), and kill it with SIGALRM after @timeout seconds unless
 * @timeout is 0. Returns 0, or -1 when it could not be started.
 */
static inline int run_tool_cmd(struct run *r, const char *cmd, const char *const *args,
			       unsigned int timeout)
{
	const char *argv[16] = { "vmctl" };
	int out, err, status, i, n = 1;
	pid_t pid;

	if (cmd)
		argv[n++] = cmd;
	for (i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];

	out = memfd_create("stdout", MFD_CLOEXEC);
	err = memfd_create("stderr", MFD_CLOEXEC);
	if (out < 0 || err < 0)
		return -1;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(out, STDOUT_FILENO);
		dup2(err, STDERR_FILENO);
		if (timeout)
			alarm(timeout);
		execv(tool_path(), (char **)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;

	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	slurp(out, r->out, sizeof(r->out));
	slurp(err, r->err, sizeof(r->err));
	return 0;
}

/* run_tool_cmd(), ending the test when the tool binary cannot be run. */
#define ASSERT_RUN_TOOL(r, cmd, args, timeout) ({				\
	ASSERT_EQ(0, run_tool_cmd(r, cmd, args, timeout));			\
	ASSERT_NE(127, (r)->status) TH_LOG("cannot run %s", tool_path());	\
})

#define EXPECT_CONTAINS(haystack, needle) \
	EXPECT_NE(NULL, strstr(haystack, needle)) TH_LOG("no \"%s\" in:\n%s", needle, haystack)

#endif /* _VMCTL_TOOL_RUN_H */
