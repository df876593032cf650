// SPDX-License-Identifier: GPL-2.0
/*
 * trinity_vmctl.so - gives trinity vmctl's ioctl numbers.
 *
 * trinity (the Debian package) has no ioctl table for /dev/vmctl: left
 * alone, every ioctl it makes there is a request number of some other
 * driver, or a random one, and ends in ENOTTY at the dispatch. This
 * preload library sits under trinity's syscall() and, for an ioctl on
 * /dev/vmctl only, turns trinity's request number into a vmctl one:
 *  - 1 call in 8 keeps trinity's own number (the unknown-command path and
 *    the VFS's generic ioctls stay fuzzed);
 *  - the others get the vmctl command that trinity's number selects;
 *    for half of those, when the argument is a writable address, the
 *    leading "size" and "flags" fields are set to a plausible value
 *    (the struct's size, the first version's 8..24 bytes, a page, a page
 *    plus one; flags zero), so that the call gets past the size check and into
 *    the command's own validation with trinity's random bytes after them;
 *    for half of those whose struct has a pid next, the pid is 0 (the
 *    caller) and the 32 bits after it zero, so lookups succeed too.
 * Everything else - which fd, the argument pointer and the bytes it points
 * to, timing, the other system calls racing it - is trinity's.
 *
 * The main trinity process prints, when it exits, how many calls each
 * command received and how many of them succeeded, counted in a shared
 * mapping made before trinity forks its children:
 *   trinity_vmctl: ioctl on /dev/vmctl: N calls, M mapped to vmctl, K ok
 *   trinity_vmctl:   GET_STATS 123 (ok 4) ...
 * 32-bit system calls (trinity issues them with int $0x80, not through
 * syscall()) keep trinity's numbers.
 *
 * Use: LD_PRELOAD=build/selftest-tools/trinity_vmctl.so trinity ...
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/vmctl.h>

#define DEVICE	"/dev/vmctl"

/* @pid: the struct has "__s32 pid" and a 32-bit field after "flags". */
static const struct {
	const char *name;
	unsigned long cmd;
	int pid;
} commands[] = {
	{ "API", VMCTL_IOC_API, 0 },
	{ "GET_STATS", VMCTL_IOC_GET_STATS, 1 },
	{ "GET_VMAS", VMCTL_IOC_GET_VMAS, 1 },
	{ "TRACK", VMCTL_IOC_TRACK, 1 },
	{ "UNTRACK", VMCTL_IOC_UNTRACK, 1 },
	{ "GET_FAULTS", VMCTL_IOC_GET_FAULTS, 1 },
	{ "GET_FAULT_VMAS", VMCTL_IOC_GET_FAULT_VMAS, 1 },
	{ "COMMIT", VMCTL_IOC_COMMIT, 0 },
	{ "DECOMMIT", VMCTL_IOC_DECOMMIT, 0 },
	{ "RESET", VMCTL_IOC_RESET, 0 },
	{ "RELEASE", VMCTL_IOC_RELEASE, 0 },
	{ "QUERY", VMCTL_IOC_QUERY, 1 },
	{ "SET_COMMIT_LIMIT", VMCTL_IOC_SET_COMMIT_LIMIT, 1 },
};
#define NR_COMMANDS	(sizeof(commands) / sizeof(commands[0]))

/* Shared with trinity's children, which update it with atomic adds. */
struct counts {
	uint64_t calls;		/* ioctls on /dev/vmctl */
	uint64_t mapped;	/* of them, given a vmctl command */
	uint64_t headed;	/* of them, given a size and flags too */
	uint64_t ok[NR_COMMANDS];
	uint64_t by_command[NR_COMMANDS];
	uint64_t ok_unmapped;
};

typedef long (*syscall_fn)(long, ...);

static syscall_fn real_syscall;
static dev_t vmctl_rdev;
static pid_t main_pid;
static struct counts *counts;
/*
 * Writes the header into the caller's argument, or fails on a bad address.
 * Each process makes its own: children sharing one would read each other's.
 */
static int header_pipe[2] = { -1, -1 };
static pid_t header_pipe_owner;

#define COUNT(field)							\
	do {								\
		if (counts)						\
			__atomic_fetch_add(&counts->field, 1, __ATOMIC_RELAXED); \
	} while (0)

static int is_vmctl_fd(long fd)
{
	struct stat st;

	if (!vmctl_rdev || fd < 0 || fd > INT32_MAX)
		return 0;
	if (real_syscall(SYS_fstat, fd, &st))
		return 0;
	return S_ISCHR(st.st_mode) && st.st_rdev == vmctl_rdev;
}

/*
 * Stores @hdr at @arg through a pipe, so that a bad address costs EFAULT
 * instead of a segfault in trinity. Returns 0 when all was written.
 */
static int put_header(unsigned long arg, const uint64_t *hdr, size_t len)
{
	char drain[sizeof(uint64_t) * 3];
	long n;

	if (header_pipe_owner != getpid()) {
		if (header_pipe[0] >= 0) {
			close(header_pipe[0]);
			close(header_pipe[1]);
		}
		header_pipe_owner = getpid();
		if (pipe(header_pipe))
			header_pipe[0] = -1;
	}
	if (header_pipe[0] < 0)
		return -1;
	if (real_syscall(SYS_write, header_pipe[1], hdr, len) != (long)len)
		return -1;
	n = real_syscall(SYS_read, header_pipe[0], arg, len);
	if (n == (long)len)
		return 0;
	/* A partial or failed read leaves bytes behind; take them out. */
	if (n < 0)
		n = 0;
	real_syscall(SYS_read, header_pipe[0], drain, len - n);
	return -1;
}

static unsigned long plausible_size(unsigned long cmd, unsigned long pick)
{
	switch (pick % 5) {
	case 0:
	case 1:
		return _IOC_SIZE(cmd);
	case 2:
		return 8 + 8 * (pick / 5 % 3);	/* an older, shorter version */
	case 3:
		return (unsigned long)getpagesize();
	default:
		return (unsigned long)getpagesize() + 1;
	}
}

/*
 * trinity draws its numbers from a few tables, so they share many bits:
 * splitmix64's finaliser spreads each of them over the whole word.
 */
static uint64_t mix(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/*
 * @req is trinity's request number, which trinity drew at random or took
 * from some other driver's table, and @arg its argument: their bits choose
 * what happens, so the same trinity seed makes the same choices.
 */
static unsigned long map_request(unsigned long req, unsigned long arg, int *index)
{
	uint64_t bits = mix(req ^ mix(arg));
	unsigned long cmd;
	uint64_t hdr[3];

	*index = -1;
	if ((bits & 7) == 0)
		return req;
	*index = (int)((bits >> 3) % NR_COMMANDS);
	cmd = commands[*index].cmd;
	COUNT(mapped);
	COUNT(by_command[*index]);
	if (bits & (1ULL << 12)) {
		hdr[0] = plausible_size(cmd, bits >> 13);
		hdr[1] = 0;
		hdr[2] = 0;	/* pid 0, the caller; reserved zero */
		if (!put_header(arg, hdr, commands[*index].pid && (bits & (1ULL << 40)) ?
				3 * sizeof(hdr[0]) : 2 * sizeof(hdr[0])))
			COUNT(headed);
	}
	return cmd;
}

long syscall(long nr, ...)
{
	unsigned long a[6];
	int index = -1;
	va_list ap;
	long ret;
	int i;

	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, unsigned long);
	va_end(ap);

	if (nr == SYS_ioctl && is_vmctl_fd((long)a[0])) {
		COUNT(calls);
		a[1] = map_request(a[1], a[2], &index);
	}
	ret = real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (nr == SYS_ioctl && ret >= 0 && counts) {
		if (index >= 0)
			COUNT(ok[index]);
		else if (is_vmctl_fd((long)a[0]))
			COUNT(ok_unmapped);
	}
	return ret;
}

__attribute__((constructor)) static void trinity_vmctl_init(void)
{
	struct stat st;
	void *p;

	real_syscall = (syscall_fn)dlsym(RTLD_NEXT, "syscall");
	if (!real_syscall) {
		fprintf(stderr, "trinity_vmctl: no syscall() below: %s\n", dlerror());
		abort();
	}
	main_pid = getpid();
	if (stat(DEVICE, &st) == 0 && S_ISCHR(st.st_mode))
		vmctl_rdev = st.st_rdev;
	else
		fprintf(stderr, "trinity_vmctl: no %s: ioctls pass unchanged\n", DEVICE);
	p = mmap(NULL, sizeof(*counts), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED)
		counts = p;
}

__attribute__((destructor)) static void trinity_vmctl_report(void)
{
	uint64_t ok = 0;
	size_t i;

	if (getpid() != main_pid || !counts)
		return;
	for (i = 0; i < NR_COMMANDS; i++)
		ok += counts->ok[i];
	fprintf(stderr,
		"trinity_vmctl: ioctl on %s: %llu calls, %llu mapped to vmctl (%llu with a size), %llu ok, %llu ok unmapped\n",
		DEVICE, (unsigned long long)counts->calls,
		(unsigned long long)counts->mapped,
		(unsigned long long)counts->headed, (unsigned long long)ok,
		(unsigned long long)counts->ok_unmapped);
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(stderr, "trinity_vmctl:   %s %llu (ok %llu)\n", commands[i].name,
			(unsigned long long)counts->by_command[i],
			(unsigned long long)counts->ok[i]);
}
