/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvmctl - access the vmctl kernel module from userspace.
 *
 * Conventions:
 *  - A struct vmctl_ctx is created with vmctl_new() and reference counted
 *    with vmctl_ref()/vmctl_unref(). It is not thread-safe: use one context
 *    per thread or serialise the calls.
 *  - vmctl_new() does not touch the kernel. /dev/vmctl, the generic netlink
 *    socket and the libkmod context are opened lazily by the first call
 *    that needs them and stay open until the last reference is dropped.
 *  - Every function returning int returns 0 (or a documented non-negative
 *    value) on success and a negative errno on failure. errno itself is not
 *    part of the interface. Nothing is ever printed and nothing exits.
 *
 * Errors shared by every call that talks to the module:
 *  -ENODEV     the vmctl kernel module is not loaded
 *  -ENOENT     the module is loaded but /dev/vmctl does not exist
 *              (ioctl based calls only; check udev, or create the node from
 *              /sys/class/misc/vmctl/dev)
 *  -EOPNOTSUPP the module is loaded but does not register the generic
 *              netlink family "vmctl" (netlink based calls only)
 *  -EACCES, -EPERM   no permission to open /dev/vmctl or to run the command
 *  anything else     the error returned by the kernel; for netlink calls
 *              vmctl_last_error_msg() may give the kernel's extended ack
 *              message
 */
#ifndef _LIBVMCTL_VMCTL_H
#define _LIBVMCTL_VMCTL_H

#include <stdint.h>
#include <sys/types.h>
#include <linux/vmctl.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Name of the kernel module, as known to modprobe and /sys/module. */
#define VMCTL_MODULE_NAME	"vmctl"
/* Path of the character device. */
#define VMCTL_DEVICE_PATH	"/dev/" VMCTL_DEVICE_NAME

struct vmctl_ctx;

int vmctl_new(struct vmctl_ctx **ctx);
struct vmctl_ctx *vmctl_ref(struct vmctl_ctx *ctx);
struct vmctl_ctx *vmctl_unref(struct vmctl_ctx *ctx);

/* Version of libvmctl itself, e.g. "0.1.0". */
const char *vmctl_library_version(void);

/*
 * Extended ack message of the last failed kernel request made through @ctx,
 * or NULL if the kernel gave none. Cleared when the next request starts.
 * The string belongs to @ctx and stays valid until the next call on it.
 */
const char *vmctl_last_error_msg(struct vmctl_ctx *ctx);

enum vmctl_module_state {
	VMCTL_MODULE_NOT_LOADED = 0,
	VMCTL_MODULE_LOADED,	/* loaded and live */
	VMCTL_MODULE_BUILTIN,	/* built into the kernel */
	VMCTL_MODULE_COMING,	/* being loaded, init not finished */
	VMCTL_MODULE_GOING,	/* being unloaded */
};

/*
 * State of the vmctl kernel module (via libkmod and /sys/module):
 * one of enum vmctl_module_state, or a negative errno.
 */
int vmctl_module_state(struct vmctl_ctx *ctx);
/* "not loaded", "loaded", "builtin", "coming", "going" or NULL. */
const char *vmctl_module_state_name(int state);

/*
 * Loading, unloading and describing the module (LIBVMCTL_1.3), through
 * libkmod. These need no /dev/vmctl and work without the module.
 */
struct vmctl_module_info {
	int state;		/* enum vmctl_module_state */
	int refcount;		/* users of the loaded module, -1 if unknown */
	uint64_t size;		/* bytes of the loaded module, 0 if unknown */
	char version[64];	/* MODULE_VERSION of the loaded one, "" if unknown */
	char srcversion[64];	/* its source checksum, "" if unknown */
	char path[512];		/* the module file modprobe would load for the
				 * running kernel, "" if none is installed */
	uint64_t __reserved[8];
};

/*
 * Fills @info: state, refcount, size, version and srcversion of the loaded
 * module (from /sys/module/vmctl), and the installed file modprobe would
 * load (from the modules.dep of the running kernel), whether loaded or not.
 * Returns 0, or -EINVAL (NULL argument), -ENOMEM.
 */
int vmctl_module_info(struct vmctl_ctx *ctx, struct vmctl_module_info *info);

/*
 * Loads the module. With @path NULL, as modprobe does: the module file of
 * the running kernel found through modules.dep (installed by "make
 * install" or dkms), with the options of /etc/modprobe.d and its
 * dependencies. With @path, inserts that file (as insmod). @options (NULL
 * or "") are module parameters, "name=value ...".
 * Errors: -EEXIST (already loaded), -ENOENT (@path NULL and no vmctl
 * module installed for the running kernel; or @path does not exist),
 * -ENOEXEC (not a module for the running kernel: wrong vermagic or
 * format), -EPERM (needs CAP_SYS_MODULE), -EINVAL (unknown parameter),
 * or what the kernel's init_module()/finit_module() returned.
 */
int vmctl_module_load(struct vmctl_ctx *ctx, const char *path, const char *options);

/*
 * Unloads the module (as rmmod; never forced). @flags must be 0.
 * Errors: -ENODEV (not loaded), -EBUSY (in use: a process has /dev/vmctl
 * open or holds a reservation), -EPERM (needs CAP_SYS_MODULE), -EINVAL
 * (@flags not 0, or built into the kernel).
 */
int vmctl_module_unload(struct vmctl_ctx *ctx, unsigned int flags);

/* Name of one VMCTL_FEATURE_* bit (e.g. "netlink"), NULL if unknown. */
const char *vmctl_feature_name(uint64_t feature);

struct vmctl_version {
	uint32_t abi_version;		/* VMCTL_ABI_VERSION of the module */
	uint32_t __reserved0;
	uint64_t features;		/* VMCTL_FEATURE_* mask */
	char module_version[64];	/* module version; "" if not known */
	uint64_t __reserved[4];
};

/*
 * Versions of the loaded module through the VMCTL_IOC_API ioctl.
 * Fills abi_version and features; module_version is set to "".
 */
int vmctl_get_version(struct vmctl_ctx *ctx, struct vmctl_version *out);

/*
 * Versions of the loaded module through the netlink command
 * VMCTL_CMD_GET_VERSION. Fills abi_version, features and module_version.
 * Returns -EBADMSG if the reply lacks a mandatory attribute.
 */
int vmctl_nl_get_version(struct vmctl_ctx *ctx, struct vmctl_version *out);

/*
 * Per-process statistics and VMA listing (LIBVMCTL_1.1).
 *
 * A process is named by its pid in the caller's pid namespace; 0 names the
 * calling process and a thread id names its process. Besides the errors
 * listed at the top of this file, these calls return:
 *  -EINVAL     @pid is negative, or a NULL argument
 *  -ESRCH      no process with that pid
 *  -EACCES     the caller may not read that process (the same check as for
 *              /proc/PID/maps: same user, or CAP_SYS_PTRACE)
 *  -ENODATA    the process has no user address space (kernel thread,
 *              zombie, or exiting)
 *  -EINTR      the kernel was interrupted by a fatal signal
 *  -ENOTTY     (ioctl calls) the loaded module predates the ioctl
 *  -EOPNOTSUPP (netlink calls) the loaded module predates the command
 *  -ENOMEM     out of memory
 * Test VMCTL_FEATURE_STATS and VMCTL_FEATURE_VMAS (vmctl_get_version())
 * to know beforehand whether the module implements them.
 */

/*
 * Statistics of process @pid through VMCTL_IOC_GET_STATS. On success all of
 * @out is written: size is sizeof(*out), flags 0, pid the @pid asked for,
 * then the out fields described in <linux/vmctl.h>; kinds[] is indexed by
 * enum vmctl_vma_kind. @out is left untouched on failure.
 */
int vmctl_get_stats(struct vmctl_ctx *ctx, pid_t pid, struct vmctl_stats *out);

/*
 * The same through the netlink command VMCTL_CMD_GET_STATS. In @out, pid is
 * the pid the kernel reports (the caller's pid when @pid is 0). When @comm
 * is not NULL, the process name (as /proc/PID/comm, "" if the kernel sent
 * none) is copied there, truncated to @comm_size - 1 bytes and always
 * NUL-terminated. Returns -EBADMSG if the reply lacks a mandatory attribute.
 */
int vmctl_nl_get_stats(struct vmctl_ctx *ctx, pid_t pid, struct vmctl_stats *out,
		       char *comm, size_t comm_size);

/* Room for a process name in struct vmctl_proc_stats, NUL included. */
#define VMCTL_COMM_SIZE		64

struct vmctl_proc_stats {
	pid_t pid;			/* in the caller's pid namespace */
	char comm[VMCTL_COMM_SIZE];	/* process name, NUL-terminated */
	struct vmctl_stats stats;	/* stats.pid == pid */
};

/*
 * Statistics of every process the caller may read, through a netlink dump
 * of VMCTL_CMD_GET_STATS, in the order the kernel sends them (pid order).
 * Processes the caller may not read, kernel threads and zombies are left
 * out. Each entry is consistent in itself; processes that start or exit
 * during the dump may or may not appear.
 *
 * On success *@procs is an array of *@n entries that the caller releases
 * with free() (NULL when *@n is 0). Nothing is stored on failure.
 */
int vmctl_list_stats(struct vmctl_ctx *ctx, struct vmctl_proc_stats **procs, size_t *n);

/*
 * The VMAs of process @pid in address order, like /proc/PID/maps, through
 * VMCTL_IOC_GET_VMAS. The ioctl is issued once per batch (the first batch
 * takes up to 1024 VMAs, the next ones are sized from the process's
 * map_count); each batch is consistent in itself. When the address space
 * changes between two batches the listing still covers every address once,
 * exactly as reading /proc/PID/maps does.
 *
 * Result layout: on success *@vmas points to ONE allocation, released with
 * a single free(), that holds the *@n records followed by their names.
 * In each record, name_off is rewritten to be the offset of the
 * NUL-terminated name from the start of that allocation (that is, from
 * *@vmas, the first record) and name_len is its length without the NUL
 * (0: no name). Use vmctl_vma_name() instead of doing the arithmetic. The
 * records may be reordered or copied around freely as long as the
 * allocation is alive and the first-record pointer is kept. *@vmas is NULL
 * when *@n is 0 (a process can have no VMA at all). Nothing is stored on
 * failure.
 *
 * Extra errors: -EOVERFLOW if the result would exceed 4 GiB (name_off is
 * 32 bits); -EIO if the kernel stops making progress.
 */
int vmctl_get_vmas(struct vmctl_ctx *ctx, pid_t pid, struct vmctl_vma **vmas, size_t *n);

/*
 * The same through a netlink dump of VMCTL_CMD_GET_VMAS, with the same
 * result layout. A netlink dump cannot resume at an address: when the
 * kernel marks the dump NLM_F_DUMP_INTR (the address space changed while
 * it ran), the whole dump is retried, up to VMCTL_NL_VMAS_RETRIES times in
 * all, and then -EAGAIN is returned. A successful result is thus one
 * consistent snapshot, which the ioctl flavour does not promise.
 */
#define VMCTL_NL_VMAS_RETRIES	5
int vmctl_nl_get_vmas(struct vmctl_ctx *ctx, pid_t pid, struct vmctl_vma **vmas, size_t *n);

/*
 * Name of record @v of an array @vmas returned by vmctl_get_vmas() or
 * vmctl_nl_get_vmas(): a path (with " (deleted)" when unlinked), "[heap]",
 * "[stack]", "[vdso]", ... or NULL when the VMA has no name.
 */
static inline const char *vmctl_vma_name(const struct vmctl_vma *vmas,
					 const struct vmctl_vma *v)
{
	if (!v->name_len)
		return (const char *)0;
	return (const char *)vmas + v->name_off;
}

/*
 * Name of an enum vmctl_vma_kind: "anon", "file", "shmem", "stack", "heap",
 * "hugetlb", "special", "guard", "reserved"; NULL for a kind this library
 * does not know.
 */
const char *vmctl_kind_name(unsigned int kind);

/* Size of the buffer vmctl_vma_perms() needs, NUL included. */
#define VMCTL_PERMS_SIZE	5

/*
 * The permission column of /proc/PID/maps for VMCTL_VMA_* @flags: "r" or
 * "-", "w" or "-", "x" or "-", then "s" (shared) or "p" (private); e.g.
 * "r-xp", "rw-s", "---p". Writes VMCTL_PERMS_SIZE bytes to @buf and
 * returns @buf.
 */
char *vmctl_vma_perms(uint64_t flags, char *buf);

/*
 * Name of one VMCTL_VMA_* flag bit, lower case without the prefix
 * ("read", "write", "exec", "shared", "locked", "account", "growsdown",
 * "io", "pfnmap", "dontfork", "dontdump", "hugepage", "nohugepage",
 * "wipeonfork", "noreserve"); NULL if unknown or not a single bit.
 */
const char *vmctl_vma_flag_name(uint64_t flag);

/*
 * Reserve/commit memory (LIBVMCTL_1.2): VirtualAlloc semantics. A
 * reservation is address space only; pages in it are committed,
 * decommitted and reset in page-aligned ranges, and each reservation stays
 * one VMA whatever pattern is committed. Test VMCTL_FEATURE_RESERVE
 * (vmctl_get_version()) to know whether the loaded module has it. See
 * Documentation/userspace-api/vmctl.rst for the exact semantics.
 *
 * Besides the errors listed at the top of this file, these calls return:
 *  -EINVAL     a NULL ctx or out pointer; an address or length that is not
 *              page aligned; a length of 0; a range that overflows, that
 *              is not inside one reservation of the calling process
 *              (outside any, across two, or across a hole munmap() made);
 *              unknown flags
 *  -ENOMEM     the system refused the commit charge (vm.overcommit_memory
 *              2 beyond CommitLimit); nothing changed
 *  -EDQUOT     the commit would pass the process's commit limit (see
 *              vmctl_set_commit_limit()); nothing changed
 *  -ENOTTY     the loaded module predates reserve/commit
 */

/*
 * Reserves @size bytes of address space (rounded up to whole pages) and
 * stores its start in *@addr: mmap(NULL, @size, PROT_READ | PROT_WRITE,
 * MAP_SHARED) of the context's /dev/vmctl descriptor. No page is
 * committed: any access raises SIGSEGV until vmctl_commit(). @flags must
 * be 0. The reservation is not inherited by fork() children (the child
 * has nothing mapped there) and cannot be mremap()ed. Errors: -EINVAL
 * (@size 0, @flags not 0), -ENOMEM (no address space left), and those of
 * opening /dev/vmctl.
 */
int vmctl_reserve(struct vmctl_ctx *ctx, size_t size, unsigned int flags, void **addr);

/*
 * Commits [@addr, @addr + @len): charges the pages to the system commit
 * (Committed_AS, honouring vm.overcommit_memory) and to the process's
 * commit limit, and allocates them. Committed pages read as zero on first
 * touch. Pages already committed keep their data and are not charged
 * again. @flags: 0 or VMCTL_COMMIT_POPULATE, which also maps the pages so
 * that the first access takes no fault.
 */
int vmctl_commit(struct vmctl_ctx *ctx, void *addr, size_t len, unsigned int flags);

/*
 * Decommits [@addr, @addr + @len): frees the pages (the process's RSS
 * drops), returns their charge, and makes accesses raise SIGSEGV again.
 * Decommitting pages that are not committed is not an error.
 */
int vmctl_decommit(struct vmctl_ctx *ctx, void *addr, size_t len);

/*
 * Resets [@addr, @addr + @len) (MEM_RESET): the pages leave the page
 * tables (RSS drops) but stay committed and keep their contents; the next
 * touch maps them back with the old data.
 */
int vmctl_reset(struct vmctl_ctx *ctx, void *addr, size_t len);

/*
 * Releases the whole reservation that holds @addr (any address in it):
 * every remaining piece is unmapped, its pages freed and its charge
 * returned, as munmap() of all of it would.
 */
int vmctl_release(struct vmctl_ctx *ctx, void *addr);

/* What vmctl_query() reports about one address (VirtualQuery). */
struct vmctl_region_info {
	uint64_t base;			/* the address rounded down to a page */
	uint64_t size;			/* bytes from base on in the same state,
					 * within the reservation's mapping; for
					 * VMCTL_STATE_FREE up to the next mapping */
	uint32_t state;			/* VMCTL_STATE_FREE, _RESERVED, _COMMITTED */
	uint32_t __reserved0;
	uint64_t reservation_base;	/* start of the reservation, 0 if free */
	uint64_t reservation_size;	/* its size in bytes */
	uint64_t committed_bytes;	/* committed in the reservation */
	uint64_t resident_bytes;	/* of those, in RAM (not swapped out) */
	uint64_t __reserved[2];
};

/*
 * The state of the page at @addr in the calling process. Unmapped
 * addresses report VMCTL_STATE_FREE; a mapping that is not a reservation
 * fails with -EINVAL.
 */
int vmctl_query(struct vmctl_ctx *ctx, const void *addr, struct vmctl_region_info *info);

/*
 * The same for @addr in process @pid (0: the caller). Other processes
 * follow the rules of vmctl_get_stats(): -ESRCH, -EACCES, -ENODATA.
 */
int vmctl_query_pid(struct vmctl_ctx *ctx, pid_t pid, uint64_t addr,
		    struct vmctl_region_info *info);

/*
 * Limits what process @pid (0: the caller) may have committed in its
 * reservations at once to @limit_bytes (rounded up to pages; 0 removes the
 * limit). A commit past it fails with -EDQUOT. Needs CAP_SYS_RESOURCE
 * (-EPERM otherwise). When @committed is not NULL, stores what the process
 * has committed now.
 */
int vmctl_set_commit_limit(struct vmctl_ctx *ctx, pid_t pid, uint64_t limit_bytes,
			   uint64_t *committed);

/* "free", "reserved" or "committed" for a VMCTL_STATE_*; NULL if unknown. */
const char *vmctl_state_name(unsigned int state);


/*
 * Fault accounting (LIBVMCTL_1.3); test VMCTL_FEATURE_FAULTS first.
 * See Documentation/userspace-api/vmctl-faults.rst for what the counters
 * mean. Errors besides the common ones: -ENOENT (not tracked), -EEXIST
 * (vmctl_track: already tracked), -EPERM (tracking another process needs
 * CAP_PERFMON or CAP_SYS_ADMIN, system-wide tracking CAP_SYS_ADMIN),
 * -EACCES, -ESRCH, -ENOSPC (too many tracked processes).
 */

/*
 * Start counting the faults of process @pid (0: the caller); @flags 0,
 * or VMCTL_TRACK_SYSTEM (from <linux/vmctl.h>) with @pid 0: every process
 * (CAP_SYS_ADMIN); vmctl_list_faults() then lists them, and last, as
 * pid 0 with VMCTL_FAULTS_OTHER in out_flags, the aggregate of those
 * without a record.
 */
int vmctl_track(struct vmctl_ctx *ctx, pid_t pid, unsigned int flags);
/* Stop counting and free the counters (also of an exited process). */
int vmctl_untrack(struct vmctl_ctx *ctx, pid_t pid);
/* Stop system-wide tracking and free what it recorded (CAP_SYS_ADMIN). */
int vmctl_untrack_system(struct vmctl_ctx *ctx);
/*
 * Counters of tracked process @pid (0: the caller) through
 * VMCTL_IOC_GET_FAULTS: out->counts.minor, .major, .write, .exec, .user,
 * .kernel, .retry, .sigsegv, .sigbus, .oom, .efault, .untraced, the
 * latency histogram .hist[] (see vmctl_fault_hist_lower_ns()) with
 * .lat_count, .lat_total_ns, .lat_max_ns. out_flags has
 * VMCTL_FAULTS_EXITED once the process exited.
 */
int vmctl_get_faults(struct vmctl_ctx *ctx, pid_t pid, struct vmctl_faults *out);
/* The calling thread's own counters (its process must be tracked). */
int vmctl_get_thread_faults(struct vmctl_ctx *ctx, struct vmctl_faults *out);
/* Bounds of histogram bucket @bucket in ns, inclusive (UINT64_MAX: open). */
uint64_t vmctl_fault_hist_lower_ns(unsigned int bucket);
uint64_t vmctl_fault_hist_upper_ns(unsigned int bucket);

/*
 * The per-VMA buckets of tracked process @pid, in the order the VMAs first
 * faulted, the "other" bucket (VMCTL_FAULT_VMA_OTHER) last. One allocation
 * released with free(): the records, then their names; name_off counts
 * from *@vmas. *@vmas is NULL when *@n is 0.
 */
int vmctl_get_fault_vmas(struct vmctl_ctx *ctx, pid_t pid,
			 struct vmctl_fault_vma **vmas, size_t *n);

static inline const char *vmctl_fault_vma_name(const struct vmctl_fault_vma *vmas,
					       const struct vmctl_fault_vma *v)
{
	if (!v->name_len)
		return (const char *)0;
	return (const char *)vmas + v->name_off;
}

struct vmctl_proc_faults {
	pid_t pid;
	char comm[VMCTL_COMM_SIZE];
	struct vmctl_faults faults;
};

/*
 * Every tracked process the caller may read (netlink dump of
 * VMCTL_CMD_GET_FAULTS). *@procs is released with free().
 */
int vmctl_list_faults(struct vmctl_ctx *ctx, struct vmctl_proc_faults **procs,
		      size_t *n);

/*
 * Watches and events (LIBVMCTL_1.4); test VMCTL_FEATURE_EVENTS first.
 *
 * A watch tells the module what to report about one process (or, for
 * CAP_SYS_ADMIN, every process): map_count crossing percentages of
 * vm.max_map_count, a VMA-changing call failing at that limit, a refused
 * vmctl commit, a major-fault rate, the process's exit. The module
 * multicasts each event on the netlink group "events" to the listeners
 * of the network namespace the watch was made in that belong to the
 * watch's user or have CAP_SYS_ADMIN (kernels before 6.7: only
 * CAP_SYS_ADMIN may listen); a listener opened with
 * vmctl_events_open() receives them and keeps those whose watch_id it
 * cares about (normally the ids vmctl_watch_add() returned to it).
 * Open the listener before adding the watches, or the first events may
 * pass before it is subscribed.
 *
 * A watch on a process ends by itself when the process exits, right
 * after its process-exit event; any watch ends with vmctl_watch_del()
 * or when the module is unloaded. A watch made with
 * VMCTL_WATCH_SPEC_OWNED also ends when the context that made it is
 * freed or its process dies (the module ties it to the context's netlink
 * socket); others outlive both: delete them before exiting.
 *
 * Errors besides the common ones: -EPERM (a global watch without
 * CAP_SYS_ADMIN; deleting another user's watch), -ESRCH and -EACCES (the
 * process does not exist, or may not be read as /proc/PID/maps), -ENOSPC
 * (the module's max_watches are in use), -ENOENT (vmctl_watch_del: no
 * such watch), -EINVAL (bad spec; vmctl_last_error_msg() says why when
 * the kernel refused it), -ERANGE (a threshold or the hysteresis out of
 * range), -EOPNOTSUPP (the module predates events).
 */

/* struct vmctl_watch_spec flags */
#define VMCTL_WATCH_SPEC_GLOBAL		(1U << 0)	/* every process; pid must be 0 */
#define VMCTL_WATCH_SPEC_HYSTERESIS	(1U << 1)	/* hysteresis is set */
#define VMCTL_WATCH_SPEC_OWNED		(1U << 2)	/* ends when @ctx is freed */

/*
 * What to watch. Zero in any field selects the kernel's default, so
 * "struct vmctl_watch_spec spec = { .pid = pid };" watches process @pid
 * for every event with thresholds 80 % and 95 % and a hysteresis of 5 %.
 */
struct vmctl_watch_spec {
	uint32_t flags;			/* VMCTL_WATCH_SPEC_* */
	pid_t pid;			/* the process; 0: the caller (not with
					 * VMCTL_WATCH_SPEC_GLOBAL) */
	uint32_t events;		/* VMCTL_EVENT_* mask; 0: every event the
					 * watch can give (a global watch: not
					 * FAULT_RATE nor PROCESS_EXIT) */
	uint32_t nthresholds;		/* entries of thresholds[] used; 0: 80, 95 */
	uint32_t thresholds[VMCTL_WATCH_THRESHOLDS_MAX];	/* 1..100 percent of
					 * vm.max_map_count; duplicates merge */
	uint32_t hysteresis;		/* 0..50 percent, with
					 * VMCTL_WATCH_SPEC_HYSTERESIS; else 5 */
	uint32_t __reserved0;		/* must be 0 */
	uint64_t fault_rate;		/* major faults per second that raise a
					 * fault-rate event; 0: none (needs a pid) */
	uint64_t __reserved[4];		/* must be 0 */
};

/* A watch as vmctl_watch_list() reports it. */
struct vmctl_watch_info {
	uint32_t id;
	uint32_t flags;			/* VMCTL_WATCH_SPEC_GLOBAL for a global
					 * watch, _OWNED for a context-owned one */
	pid_t pid;			/* in the caller's pid namespace; 0 if global */
	uint32_t events;		/* VMCTL_EVENT_* mask */
	uint32_t nthresholds;
	uint32_t thresholds[VMCTL_WATCH_THRESHOLDS_MAX];	/* increasing */
	uint32_t hysteresis;
	uint64_t fault_rate;		/* 0: no fault-rate events */
	uint64_t events_sent;		/* events the module sent for it */
	uint64_t events_dropped;	/* events not delivered to every listener
					 * (full queue or full socket) */
	char comm[VMCTL_COMM_SIZE];	/* process name; "" if global */
	uint64_t __reserved[4];
};

/*
 * Creates a watch (netlink VMCTL_CMD_WATCH_ADD) and stores its id in
 * *@id. -EINVAL for unknown flags, non-zero reserved fields, more than
 * VMCTL_WATCH_THRESHOLDS_MAX thresholds, or VMCTL_WATCH_SPEC_GLOBAL with
 * a pid; the kernel checks the values.
 */
int vmctl_watch_add(struct vmctl_ctx *ctx, const struct vmctl_watch_spec *spec,
		    uint32_t *id);

/* Deletes watch @id (VMCTL_CMD_WATCH_DEL): its creator's user or CAP_SYS_ADMIN. */
int vmctl_watch_del(struct vmctl_ctx *ctx, uint32_t id);

/*
 * The watches of the caller's network namespace that the caller's user
 * created (every one for CAP_SYS_ADMIN), through a dump of
 * VMCTL_CMD_WATCH_GET, in id order. *@watches is released with free()
 * and is NULL when *@n is 0. Nothing is stored on failure.
 */
int vmctl_watch_list(struct vmctl_ctx *ctx, struct vmctl_watch_info **watches, size_t *n);

/*
 * struct vmctl_event type: one VMCTL_EVENT_* bit of <linux/vmctl.h>, or
 * VMCTL_EVENT_LOST (library only): the listener's socket overflowed and
 * the kernel dropped events for it; only the type is set then.
 */
#define VMCTL_EVENT_LOST	0U

/*
 * One event. Fields an event type does not carry read as zero:
 *  every type:          watch_id, pid, comm, time_ns
 *  MAP_COUNT_THRESHOLD: map_count, max_map_count, threshold
 *  MAP_COUNT_EXHAUSTED: map_count, max_map_count, op, addr, len
 *  COMMIT_REFUSED:      limit_kind, limit_bytes, committed_bytes, request_bytes
 *  FAULT_RATE:          fault_rate, fault_rate_limit
 *  PROCESS_EXIT:        exit_code, map_count, map_count_peak, maxrss_bytes,
 *                       min_flt, maj_flt
 */
struct vmctl_event {
	uint32_t type;			/* VMCTL_EVENT_* bit or VMCTL_EVENT_LOST */
	uint32_t watch_id;
	pid_t pid;			/* in the watch creator's pid namespace */
	char comm[VMCTL_COMM_SIZE];
	uint64_t time_ns;		/* CLOCK_MONOTONIC of the cause */
	uint64_t map_count;
	uint64_t max_map_count;
	uint32_t threshold;		/* percent crossed upwards */
	uint32_t op;			/* enum vmctl_event_op */
	uint64_t addr;			/* the failed call's address argument */
	uint64_t len;			/* and its length argument */
	uint32_t limit_kind;		/* enum vmctl_commit_limit_kind */
	int exit_code;			/* wait(2) status: WIFEXITED() etc. */
	uint64_t limit_bytes;		/* the refusing limit; 0 for the system's */
	uint64_t committed_bytes;	/* committed before the refused call */
	uint64_t request_bytes;		/* the refused commit */
	uint64_t fault_rate;		/* major faults per second measured */
	uint64_t fault_rate_limit;	/* the watch's fault_rate */
	uint64_t map_count_peak;	/* highest map_count seen while watched */
	uint64_t maxrss_bytes;
	uint64_t min_flt;
	uint64_t maj_flt;
};

struct vmctl_events;

/*
 * Opens a listener: a netlink socket of its own subscribed to the
 * "events" group, non-blocking. @flags must be 0. The listener holds a
 * reference to @ctx. Errors: the common ones (-EOPNOTSUPP also when the
 * module has no "events" group), -ENOMEM.
 */
int vmctl_events_open(struct vmctl_ctx *ctx, unsigned int flags, struct vmctl_events **ev);

/* Closes the listener (NULL is fine). */
void vmctl_events_close(struct vmctl_events *ev);

/* Its socket descriptor, for poll(2)/epoll: readable when events wait. */
int vmctl_events_fd(const struct vmctl_events *ev);

/*
 * Called by vmctl_events_read() for each event; @e is valid during the
 * call only. Returns 0 to go on, or a negative errno to stop.
 */
typedef int (*vmctl_event_cb)(const struct vmctl_event *e, void *data);

/*
 * Hands every event queued on the listener to @cb, oldest first, without
 * blocking; events of every watch the socket receives are passed on.
 * A socket overrun is reported in order as one VMCTL_EVENT_LOST event.
 * Returns the number of events passed to @cb (0: none waiting), what @cb
 * returned to stop, or a negative errno. Messages the library does not
 * understand (other commands, malformed) are skipped.
 */
int vmctl_events_read(struct vmctl_events *ev, vmctl_event_cb cb, void *data);

/* How many times the listener's socket overflowed since it was opened. */
uint64_t vmctl_events_lost(const struct vmctl_events *ev);

/*
 * Names: of one VMCTL_EVENT_* bit or VMCTL_EVENT_LOST ("map-count-threshold",
 * "map-count-exhausted", "commit-refused", "fault-rate", "process-exit",
 * "lost"); of an enum vmctl_event_op ("mmap", "mprotect", "munmap",
 * "mremap", "brk", "madvise", "mlock", "munlock", "shmat", "other"); of an
 * enum vmctl_commit_limit_kind ("process", "system"). NULL if unknown.
 */
const char *vmctl_event_name(unsigned int type);
const char *vmctl_event_op_name(unsigned int op);
const char *vmctl_limit_kind_name(unsigned int kind);

/* The VMCTL_EVENT_* bit named @name as vmctl_event_name() names it, or 0. */
unsigned int vmctl_event_from_name(const char *name);

#ifdef __cplusplus
}
#endif

#endif /* _LIBVMCTL_VMCTL_H */
