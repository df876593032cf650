/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmctl: address-space statistics, fault accounting and reserve/commit
 * memory for Linux processes.
 *
 * This is the only ABI header of vmctl: the ioctl interface of /dev/vmctl
 * and the generic netlink family "vmctl". The module, libvmctl, the vmctl
 * tool and the selftests all build against it.
 *
 * Rules every ioctl argument follows (see
 * Documentation/userspace-api/vmctl.rst):
 *  - the first member is "__u64 size", set by the caller to the size of the
 *    structure it was compiled with; the kernel accepts smaller (older)
 *    and larger (newer) structures as long as the bytes it does not know
 *    are zero, and writes back at most "size" bytes;
 *  - fields are marked in, out or in/out; in fields the kernel does not
 *    know are rejected with EINVAL unless zero;
 *  - unknown flags and non-zero reserved fields fail with EINVAL;
 *  - padding is explicit, every member is naturally aligned, the layout is
 *    the same for 32- and 64-bit callers.
 */

#ifndef _UAPI_LINUX_VMCTL_H
#define _UAPI_LINUX_VMCTL_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* Bumped only for incompatible changes; extensions use "size" instead. */
#define VMCTL_ABI_VERSION	1

#define VMCTL_DEVICE_NAME	"vmctl"

/*
 * Feature bits returned by VMCTL_IOC_API and the netlink GET_VERSION
 * command. A bit is set only when the loaded module implements the whole
 * feature; callers test the bit before they use the interface it names.
 */
#define VMCTL_FEATURE_NETLINK	(1ULL << 0)	/* generic netlink family "vmctl" */
#define VMCTL_FEATURE_STATS	(1ULL << 1)	/* per-process VMA statistics */
#define VMCTL_FEATURE_VMAS	(1ULL << 2)	/* bulk VMA listing */
#define VMCTL_FEATURE_FAULTS	(1ULL << 3)	/* fault accounting */
#define VMCTL_FEATURE_RESERVE	(1ULL << 4)	/* reserve/commit memory */
#define VMCTL_FEATURE_EVENTS	(1ULL << 5)	/* netlink multicast events */

/**
 * struct vmctl_api - VMCTL_IOC_API argument
 * @size:        in: sizeof(struct vmctl_api) as the caller knows it
 * @flags:       in: must be zero
 * @abi_version: out: VMCTL_ABI_VERSION of the loaded module
 * @__reserved:  out: zero
 * @features:    out: mask of VMCTL_FEATURE_* the module implements
 */
struct vmctl_api {
	__u64 size;
	__u64 flags;
	__u32 abi_version;
	__u32 __reserved;
	__u64 features;
};

/*
 * Kinds of VMA. A VMA has exactly one kind: the first of these tests that
 * holds, in this order: reserved, hugetlb, special, guard, stack, heap,
 * shmem, file, anon.
 */
enum vmctl_vma_kind {
	VMCTL_KIND_ANON = 0,	/* private anonymous memory */
	VMCTL_KIND_FILE,	/* mapped file (not shmem) */
	VMCTL_KIND_SHMEM,	/* shared anonymous, tmpfs, memfd, SysV shm */
	VMCTL_KIND_STACK,	/* the main thread's stack, as [stack] */
	VMCTL_KIND_HEAP,	/* the brk heap, as [heap] */
	VMCTL_KIND_HUGETLB,	/* hugetlbfs or MAP_HUGETLB */
	VMCTL_KIND_SPECIAL,	/* vdso, vvar, device I/O and PFN maps */
	VMCTL_KIND_GUARD,	/* no access at all (PROT_NONE) */
	VMCTL_KIND_RESERVED,	/* a vmctl reservation */

	VMCTL_KIND_COUNT	/* number of kinds this header knows */
};

/* Room for kinds in struct vmctl_stats; kinds beyond VMCTL_KIND_COUNT are 0. */
#define VMCTL_KINDS_MAX		16

struct vmctl_kind_stat {
	__u64 count;		/* VMAs of this kind */
	__u64 bytes;		/* their total size */
};

/**
 * struct vmctl_stats - VMCTL_IOC_GET_STATS argument
 *
 * Everything is read under the target's mmap_lock (read) from counters
 * the kernel keeps; nothing walks page tables. Byte counts are exact
 * multiples of the page size.
 *
 * @size:              in: sizeof(struct vmctl_stats)
 * @flags:             in: must be zero
 * @pid:               in: process (thread group) in the caller's pid
 *                     namespace; 0 for the caller. A thread id names its
 *                     process.
 * @__reserved:        in: must be zero
 * @map_count:         out: VMAs of the process (mm->map_count)
 * @max_map_count:     out: the live vm.max_map_count sysctl
 * @vsz_bytes:         out: total mapped size (VmSize)
 * @rss_bytes:         out: resident memory (VmRSS) = anon + file + shmem
 * @rss_anon_bytes:    out: RssAnon
 * @rss_file_bytes:    out: RssFile
 * @rss_shmem_bytes:   out: RssShmem
 * @swap_bytes:        out: VmSwap
 * @locked_bytes:      out: VmLck (mlock)
 * @pinned_bytes:      out: VmPin (long-term pinned pages)
 * @hiwater_rss_bytes: out: VmHWM
 * @hiwater_vm_bytes:  out: VmPeak
 * @data_bytes:        out: VmData (private writable, not stack)
 * @stack_bytes:       out: VmStk
 * @exec_bytes:        out: executable mappings (VmExe + VmLib)
 * @committed_bytes:   out: the process's commit charge: the total size of
 *                     its VMAs that carry VM_ACCOUNT, which is what it adds
 *                     to Committed_AS in /proc/meminfo
 * @split_pairs:       out: pairs of adjacent VMAs backed by the same object
 *                     at contiguous offsets that differ only in their
 *                     flags (protection, mlock, madvise): the pieces that
 *                     mprotect()-style splitting leaves
 * @gap_count:         out: unmapped holes between consecutive VMAs
 * @largest_gap_bytes: out: the largest of those holes
 * @faults_minor:      out: minor faults of all threads, live and exited
 *                     (min_flt in /proc/PID/stat)
 * @faults_major:      out: major faults likewise (maj_flt)
 * @kinds:             out: VMAs by enum vmctl_vma_kind
 */
struct vmctl_stats {
	__u64 size;
	__u64 flags;
	__s32 pid;
	__u32 __reserved;
	__u64 map_count;
	__u64 max_map_count;
	__u64 vsz_bytes;
	__u64 rss_bytes;
	__u64 rss_anon_bytes;
	__u64 rss_file_bytes;
	__u64 rss_shmem_bytes;
	__u64 swap_bytes;
	__u64 locked_bytes;
	__u64 pinned_bytes;
	__u64 hiwater_rss_bytes;
	__u64 hiwater_vm_bytes;
	__u64 data_bytes;
	__u64 stack_bytes;
	__u64 exec_bytes;
	__u64 committed_bytes;
	__u64 split_pairs;
	__u64 gap_count;
	__u64 largest_gap_bytes;
	__u64 faults_minor;
	__u64 faults_major;
	struct vmctl_kind_stat kinds[VMCTL_KINDS_MAX];
};

/* struct vmctl_vma flags */
#define VMCTL_VMA_READ		(1ULL << 0)	/* PROT_READ */
#define VMCTL_VMA_WRITE		(1ULL << 1)	/* PROT_WRITE */
#define VMCTL_VMA_EXEC		(1ULL << 2)	/* PROT_EXEC */
#define VMCTL_VMA_SHARED	(1ULL << 3)	/* MAP_SHARED ('s' in maps) */
#define VMCTL_VMA_LOCKED	(1ULL << 4)	/* mlock()ed */
#define VMCTL_VMA_ACCOUNT	(1ULL << 5)	/* charged to Committed_AS */
#define VMCTL_VMA_GROWSDOWN	(1ULL << 6)	/* stack that grows down */
#define VMCTL_VMA_IO		(1ULL << 7)	/* device I/O memory */
#define VMCTL_VMA_PFNMAP	(1ULL << 8)	/* raw PFN map, no struct page */
#define VMCTL_VMA_DONTFORK	(1ULL << 9)	/* MADV_DONTFORK */
#define VMCTL_VMA_DONTDUMP	(1ULL << 10)	/* MADV_DONTDUMP */
#define VMCTL_VMA_HUGEPAGE	(1ULL << 11)	/* MADV_HUGEPAGE */
#define VMCTL_VMA_NOHUGEPAGE	(1ULL << 12)	/* MADV_NOHUGEPAGE */
#define VMCTL_VMA_WIPEONFORK	(1ULL << 13)	/* MADV_WIPEONFORK */
#define VMCTL_VMA_NORESERVE	(1ULL << 14)	/* MAP_NORESERVE */

/**
 * struct vmctl_vma - one VMA, as a line of /proc/PID/maps
 * @start:     first address
 * @end:       address after the last
 * @offset:    file offset of @start in bytes (0 without a file)
 * @inode:     inode number of the file (0 without a file)
 * @flags:     VMCTL_VMA_*
 * @dev_major: device of the file (0 without a file)
 * @dev_minor:
 * @kind:      enum vmctl_vma_kind
 * @name_off:  offset of the name in the names buffer
 * @name_len:  length of the name without its NUL; 0 for no name. The name
 *             is what /proc/PID/maps shows: a path (with " (deleted)"
 *             when unlinked), [heap], [stack], [vdso], [vvar], ...
 * @__reserved: zero
 */
struct vmctl_vma {
	__u64 start;
	__u64 end;
	__u64 offset;
	__u64 inode;
	__u64 flags;
	__u32 dev_major;
	__u32 dev_minor;
	__u32 kind;
	__u32 name_off;
	__u32 name_len;
	__u32 __reserved;
};

/* struct vmctl_vmas out_flags */
#define VMCTL_VMAS_END		(1U << 0)	/* no VMA after the ones returned */

/**
 * struct vmctl_vmas - VMCTL_IOC_GET_VMAS argument
 *
 * Lists the VMAs that end above @addr, in address order, into a caller
 * array of records and a caller buffer of NUL-terminated names. It stops
 * at the first record or name that does not fit: a record is written
 * whole or not at all. Continue from @next_addr until VMCTL_VMAS_END is
 * set. VMAs are read in batches, each under the mmap_lock (read); the
 * list is consistent within a batch, like /proc/PID/maps.
 *
 * @size:       in: sizeof(struct vmctl_vmas)
 * @flags:      in: must be zero
 * @pid:        in: as in struct vmctl_stats
 * @__reserved: in: must be zero
 * @addr:       in: list VMAs whose end is above this address (0: all)
 * @vmas_addr:  in: user pointer to the records
 * @vma_size:   in: size of one record as the caller knows struct
 *              vmctl_vma; at least 64 and a multiple of 8. The kernel
 *              writes min(@vma_size, its own) bytes per record and
 *              strides by @vma_size.
 * @vma_count:  in: room in records; out: records written
 * @names_addr: in: user pointer to the names buffer, or 0 for no names
 * @names_size: in: size of the names buffer; out: bytes used
 * @out_flags:  out: VMCTL_VMAS_*
 * @next_addr:  out: @addr for the next call
 * @map_count:  out: map_count of the process when listing started
 */
struct vmctl_vmas {
	__u64 size;
	__u64 flags;
	__s32 pid;
	__u32 __reserved;
	__u64 addr;
	__u64 vmas_addr;
	__u32 vma_size;
	__u32 vma_count;
	__u64 names_addr;
	__u32 names_size;
	__u32 out_flags;
	__u64 next_addr;
	__u64 map_count;
};

/* ---- fault accounting (VMCTL_FEATURE_FAULTS): ioctl numbers 0x10-0x1f ---- */

/*
 * Fault accounting. A tracked process (thread group) has its page faults
 * counted by the kernel as they happen: see
 * Documentation/userspace-api/vmctl-faults.rst for what is exact and what
 * is inferred.
 */

/*
 * Latency histogram: bucket i counts faults that took [2^i, 2^(i+1)) ns;
 * bucket 0 also counts 0 ns, the last bucket everything above.
 */
#define VMCTL_FAULT_HIST_BUCKETS	32

/* Per-VMA buckets kept per process, plus one "other" bucket. */
#define VMCTL_FAULT_VMAS_MAX		64

/**
 * struct vmctl_fault_counts - fault counters (all out)
 * @minor:        completed minor faults seen by the fault handler
 * @major:        completed major faults (includes faults the kernel
 *                retried after dropping its locks, as min_flt/maj_flt do)
 * @write:        completed faults on a write access (error code W bit)
 * @exec:         completed faults on an instruction fetch (error code I bit)
 * @user:         completed faults taken in user mode
 * @kernel:       completed faults taken in kernel mode on a user address
 *                (copy_from_user() and friends)
 * @retry:        faults abandoned because a signal arrived while they
 *                waited; the access is repeated (a new fault) afterwards
 * @sigsegv:      faults that ended in SIGSEGV
 * @sigbus:       faults that ended in SIGBUS
 * @oom:          user faults that ended without a signal or a mapping:
 *                the kernel ran out of memory and made the access repeat
 * @efault:       kernel-mode faults that failed and were fixed up (the
 *                system call returned EFAULT)
 * @untraced:     faults the kernel counted in min_flt/maj_flt that the
 *                handler did not see (faults taken for get_user_pages():
 *                MAP_POPULATE, mlock, process_vm_readv, ...); minor +
 *                major + untraced = the growth of min_flt + maj_flt
 * @lat_count:    completed faults whose latency was measured
 * @lat_total_ns: sum of those latencies
 * @lat_max_ns:   largest latency
 * @hist:         latency histogram, see VMCTL_FAULT_HIST_BUCKETS
 */
struct vmctl_fault_counts {
	__u64 minor;
	__u64 major;
	__u64 write;
	__u64 exec;
	__u64 user;
	__u64 kernel;
	__u64 retry;
	__u64 sigsegv;
	__u64 sigbus;
	__u64 oom;
	__u64 efault;
	__u64 untraced;
	__u64 lat_count;
	__u64 lat_total_ns;
	__u64 lat_max_ns;
	__u64 hist[VMCTL_FAULT_HIST_BUCKETS];
};

/**
 * struct vmctl_track - VMCTL_IOC_TRACK and VMCTL_IOC_UNTRACK argument
 * @size:       in: sizeof(struct vmctl_track)
 * @flags:      in: VMCTL_TRACK_SYSTEM or zero
 * @pid:        in: process in the caller's pid namespace, 0 for the caller
 *              (0 with VMCTL_TRACK_SYSTEM)
 * @__reserved: in: must be zero
 *
 * TRACK starts counting the faults of every thread of @pid (present and
 * future). The caller itself is always allowed; another process needs
 * the /proc/PID/maps access check and CAP_PERFMON or CAP_SYS_ADMIN.
 * Errors: EEXIST (already tracked), ENOSPC (too many tracked processes),
 * EPERM, EACCES, ESRCH.
 * UNTRACK stops counting and frees the counters, also those of a tracked
 * process that has exited (which are kept until then). ENOENT if @pid is
 * not tracked.
 * With VMCTL_TRACK_SYSTEM, TRACK counts the faults of every process (a
 * record per process, created at its first fault, while the table has
 * room; the faults of the others go to an aggregate that GET_FAULTS dumps
 * list last, as pid 0 with VMCTL_FAULTS_OTHER) and UNTRACK stops that and
 * frees every record it created. Both need CAP_SYS_ADMIN in the initial
 * user namespace (EPERM); EEXIST (TRACK: already on), ENOENT (UNTRACK:
 * not on).
 */
struct vmctl_track {
	__u64 size;
	__u64 flags;
	__s32 pid;
	__u32 __reserved;
};

/* struct vmctl_track flags */
#define VMCTL_TRACK_SYSTEM	(1ULL << 0)	/* every process; pid 0 */

/* struct vmctl_faults flags */
#define VMCTL_FAULTS_THREAD	(1ULL << 0)	/* the calling thread only; pid 0 */

/* struct vmctl_faults out_flags */
#define VMCTL_FAULTS_EXITED	(1U << 0)	/* the process has exited */
/* The aggregate of system-wide tracking: processes without a record. */
#define VMCTL_FAULTS_OTHER	(1U << 1)

/**
 * struct vmctl_faults - VMCTL_IOC_GET_FAULTS argument
 * @size:       in: sizeof(struct vmctl_faults)
 * @flags:      in: VMCTL_FAULTS_*
 * @pid:        in: a tracked process (0: the caller)
 * @out_flags:  out: VMCTL_FAULTS_EXITED
 * @tracked_ns: out: time since tracking started (until exit if exited)
 * @min_flt:    out: growth of the kernel's min_flt of the process (or of
 *              the thread) since tracking started
 * @maj_flt:    out: the same for maj_flt
 * @threads:    out: threads with counters of their own: those present
 *              when tracking started and those that faulted or read
 *              since (at most the module's max_tracked_threads)
 * @vmas:       out: per-VMA buckets in use (without "other")
 * @counts:     out: the counters
 */
struct vmctl_faults {
	__u64 size;
	__u64 flags;
	__s32 pid;
	__u32 out_flags;
	__u64 tracked_ns;
	__u64 min_flt;
	__u64 maj_flt;
	__u64 threads;
	__u64 vmas;
	struct vmctl_fault_counts counts;
};

/* struct vmctl_fault_vma flags */
#define VMCTL_FAULT_VMA_OTHER	(1U << 0)	/* faults not attributed to a VMA */

/**
 * struct vmctl_fault_vma - the faults of one VMA
 * @start, @end, @inode, @dev_major, @dev_minor, @kind: the VMA as it was
 *              at its first fault (as in struct vmctl_vma)
 * @flags:      VMCTL_FAULT_VMA_*
 * @name_off:   offset of the name in the names buffer
 * @name_len:   length of the name without its NUL, 0 for none
 * @__reserved: zero
 * @minor, @major, @write, @exec, @user, @kernel: completed faults
 * @lat_total_ns, @lat_max_ns: their measured latencies
 */
struct vmctl_fault_vma {
	__u64 start;
	__u64 end;
	__u64 inode;
	__u32 dev_major;
	__u32 dev_minor;
	__u32 kind;
	__u32 flags;
	__u32 name_off;
	__u32 name_len;
	__u64 minor;
	__u64 major;
	__u64 write;
	__u64 exec;
	__u64 user;
	__u64 kernel;
	__u64 lat_total_ns;
	__u64 lat_max_ns;
};

/**
 * struct vmctl_fault_vmas - VMCTL_IOC_GET_FAULT_VMAS argument
 * @size:       in: sizeof(struct vmctl_fault_vmas)
 * @flags:      in: must be zero
 * @pid:        in: a tracked process (0: the caller)
 * @__reserved: in: must be zero
 * @vmas_addr:  in: user pointer to the records
 * @vma_size:   in: size of one record as the caller knows it (at least
 *              sizeof(struct vmctl_fault_vma) of ABI 1, multiple of 8)
 * @vma_count:  in: room in records; out: records written
 * @names_addr: in: user pointer to the names buffer, or 0
 * @names_size: in: its size; out: bytes used
 * @total:      out: buckets in use, "other" included; when above
 *              @vma_count the list was cut short
 *
 * Records come in the order the VMAs first faulted, "other" last.
 */
struct vmctl_fault_vmas {
	__u64 size;
	__u64 flags;
	__s32 pid;
	__u32 __reserved;
	__u64 vmas_addr;
	__u32 vma_size;
	__u32 vma_count;
	__u64 names_addr;
	__u32 names_size;
	__u32 total;
};

#define VMCTL_IOC_TRACK		_IOW(VMCTL_IOC_MAGIC, 0x10, struct vmctl_track)
#define VMCTL_IOC_UNTRACK	_IOW(VMCTL_IOC_MAGIC, 0x11, struct vmctl_track)
#define VMCTL_IOC_GET_FAULTS	_IOWR(VMCTL_IOC_MAGIC, 0x12, struct vmctl_faults)
#define VMCTL_IOC_GET_FAULT_VMAS _IOWR(VMCTL_IOC_MAGIC, 0x13, struct vmctl_fault_vmas)

/* ---- reserve/commit memory (VMCTL_FEATURE_RESERVE): ioctl numbers 0x20-0x2f ---- */

/*
 * A reservation is created with mmap() of /dev/vmctl: MAP_SHARED, offset 0,
 * any protection. It is address space only: no commit charge, no pages;
 * touching a page that is not committed raises SIGSEGV. See
 * Documentation/userspace-api/vmctl.rst for the semantics of each call.
 */

/* States of a page, as VMCTL_IOC_QUERY reports them. */
#define VMCTL_STATE_FREE	0	/* not mapped at all */
#define VMCTL_STATE_RESERVED	1	/* in a reservation, not committed */
#define VMCTL_STATE_COMMITTED	2	/* in a reservation, committed */

/* struct vmctl_range flags, for VMCTL_IOC_COMMIT */
#define VMCTL_COMMIT_POPULATE	(1ULL << 0)	/* map the pages now, too */

/**
 * struct vmctl_range - argument of COMMIT, DECOMMIT, RESET and RELEASE
 * @size:  in: sizeof(struct vmctl_range)
 * @flags: in: VMCTL_COMMIT_* for VMCTL_IOC_COMMIT, zero otherwise
 * @addr:  in: page-aligned start, inside a reservation of the caller
 * @len:   in: page-aligned length; the range must lie in one
 *         reservation. VMCTL_IOC_RELEASE takes any address of the
 *         reservation and @len 0.
 */
struct vmctl_range {
	__u64 size;
	__u64 flags;
	__u64 addr;
	__u64 len;
};

/**
 * struct vmctl_query - VMCTL_IOC_QUERY argument (VirtualQuery)
 * @size:             in: sizeof(struct vmctl_query)
 * @flags:            in: must be zero
 * @pid:              in: process to ask about, 0 for the caller
 * @state:            out: VMCTL_STATE_* of the page at @addr
 * @addr:             in: any address
 * @base:             out: @addr rounded down to a page
 * @region_size:      out: bytes from @base on with the same state (within
 *                    the reservation; for VMCTL_STATE_FREE, up to the
 *                    next mapping)
 * @reservation_base: out: start of the reservation (0 when free)
 * @reservation_size: out: its size
 * @committed_bytes:  out: bytes committed in the reservation
 * @resident_bytes:   out: committed bytes in RAM (not swapped out)
 */
struct vmctl_query {
	__u64 size;
	__u64 flags;
	__s32 pid;
	__u32 state;
	__u64 addr;
	__u64 base;
	__u64 region_size;
	__u64 reservation_base;
	__u64 reservation_size;
	__u64 committed_bytes;
	__u64 resident_bytes;
};

/**
 * struct vmctl_commit_limit - VMCTL_IOC_SET_COMMIT_LIMIT argument
 * @size:            in: sizeof(struct vmctl_commit_limit)
 * @flags:           in: must be zero
 * @pid:             in: process, 0 for the caller
 * @__reserved:      in: must be zero
 * @limit_bytes:     in: most bytes the process may have committed in its
 *                   reservations at once; 0 removes the limit
 * @committed_bytes: out: what it has committed now
 */
struct vmctl_commit_limit {
	__u64 size;
	__u64 flags;
	__s32 pid;
	__u32 __reserved;
	__u64 limit_bytes;
	__u64 committed_bytes;
};

#define VMCTL_IOC_MAGIC		0xB9

#define VMCTL_IOC_API		_IOWR(VMCTL_IOC_MAGIC, 0x00, struct vmctl_api)
#define VMCTL_IOC_GET_STATS	_IOWR(VMCTL_IOC_MAGIC, 0x01, struct vmctl_stats)
#define VMCTL_IOC_GET_VMAS	_IOWR(VMCTL_IOC_MAGIC, 0x02, struct vmctl_vmas)

#define VMCTL_IOC_COMMIT	_IOW(VMCTL_IOC_MAGIC, 0x20, struct vmctl_range)
#define VMCTL_IOC_DECOMMIT	_IOW(VMCTL_IOC_MAGIC, 0x21, struct vmctl_range)
#define VMCTL_IOC_RESET		_IOW(VMCTL_IOC_MAGIC, 0x22, struct vmctl_range)
#define VMCTL_IOC_RELEASE	_IOW(VMCTL_IOC_MAGIC, 0x23, struct vmctl_range)
#define VMCTL_IOC_QUERY		_IOWR(VMCTL_IOC_MAGIC, 0x24, struct vmctl_query)
#define VMCTL_IOC_SET_COMMIT_LIMIT _IOWR(VMCTL_IOC_MAGIC, 0x25, struct vmctl_commit_limit)

/*
 * Generic netlink family. Names follow what the YNL code generator
 * derives from Documentation/netlink/specs/vmctl.yaml.
 */
#define VMCTL_FAMILY_NAME	"vmctl"
#define VMCTL_FAMILY_VERSION	1

enum {
	VMCTL_A_VERSION_PAD = 1,
	VMCTL_A_VERSION_ABI,		/* u32: VMCTL_ABI_VERSION */
	VMCTL_A_VERSION_FEATURES,	/* u64: VMCTL_FEATURE_* mask */
	VMCTL_A_VERSION_MODULE,		/* string: module version */

	__VMCTL_A_VERSION_MAX,
	VMCTL_A_VERSION_MAX = (__VMCTL_A_VERSION_MAX - 1)
};

/*
 * GET_STATS replies: one message per process, the fields of struct
 * vmctl_stats as u64 attributes plus VMCTL_A_STATS_KIND nests (one per
 * kind, in enum order). Requests: do with VMCTL_A_STATS_PID (required;
 * 0 names the caller); dump with no attribute lists every process the
 * caller may read, in pid order.
 */
enum {
	VMCTL_A_STATS_PAD = 1,
	VMCTL_A_STATS_PID,			/* u32 */
	VMCTL_A_STATS_COMM,			/* string */
	VMCTL_A_STATS_MAP_COUNT,		/* u64 */
	VMCTL_A_STATS_MAX_MAP_COUNT,		/* u64 */
	VMCTL_A_STATS_VSZ_BYTES,		/* u64 */
	VMCTL_A_STATS_RSS_BYTES,		/* u64 */
	VMCTL_A_STATS_RSS_ANON_BYTES,		/* u64 */
	VMCTL_A_STATS_RSS_FILE_BYTES,		/* u64 */
	VMCTL_A_STATS_RSS_SHMEM_BYTES,		/* u64 */
	VMCTL_A_STATS_SWAP_BYTES,		/* u64 */
	VMCTL_A_STATS_LOCKED_BYTES,		/* u64 */
	VMCTL_A_STATS_PINNED_BYTES,		/* u64 */
	VMCTL_A_STATS_HIWATER_RSS_BYTES,	/* u64 */
	VMCTL_A_STATS_HIWATER_VM_BYTES,		/* u64 */
	VMCTL_A_STATS_DATA_BYTES,		/* u64 */
	VMCTL_A_STATS_STACK_BYTES,		/* u64 */
	VMCTL_A_STATS_EXEC_BYTES,		/* u64 */
	VMCTL_A_STATS_COMMITTED_BYTES,		/* u64 */
	VMCTL_A_STATS_SPLIT_PAIRS,		/* u64 */
	VMCTL_A_STATS_GAP_COUNT,		/* u64 */
	VMCTL_A_STATS_LARGEST_GAP_BYTES,	/* u64 */
	VMCTL_A_STATS_FAULTS_MINOR,		/* u64 */
	VMCTL_A_STATS_FAULTS_MAJOR,		/* u64 */
	VMCTL_A_STATS_KIND,			/* nest: VMCTL_A_KIND_*, multi */

	__VMCTL_A_STATS_MAX,
	VMCTL_A_STATS_MAX = (__VMCTL_A_STATS_MAX - 1)
};

enum {
	VMCTL_A_KIND_PAD = 1,
	VMCTL_A_KIND_KIND,			/* u32: enum vmctl_vma_kind */
	VMCTL_A_KIND_COUNT,			/* u64 */
	VMCTL_A_KIND_BYTES,			/* u64 */

	__VMCTL_A_KIND_MAX,
	VMCTL_A_KIND_MAX = (__VMCTL_A_KIND_MAX - 1)
};

/*
 * GET_VMAS: a dump only, with VMCTL_A_VMA_PID in the request; one message
 * per VMA, in address order. The dump is marked NLM_F_DUMP_INTR when the
 * address space changed while it ran.
 */
enum {
	VMCTL_A_VMA_PAD = 1,
	VMCTL_A_VMA_PID,			/* u32 */
	VMCTL_A_VMA_START,			/* u64 */
	VMCTL_A_VMA_END,			/* u64 */
	VMCTL_A_VMA_OFFSET,			/* u64 */
	VMCTL_A_VMA_INODE,			/* u64 */
	VMCTL_A_VMA_DEV_MAJOR,			/* u32 */
	VMCTL_A_VMA_DEV_MINOR,			/* u32 */
	VMCTL_A_VMA_FLAGS,			/* u64: VMCTL_VMA_* */
	VMCTL_A_VMA_KIND,			/* u32: enum vmctl_vma_kind */
	VMCTL_A_VMA_NAME,			/* string, absent when none */

	__VMCTL_A_VMA_MAX,
	VMCTL_A_VMA_MAX = (__VMCTL_A_VMA_MAX - 1)
};

/* ---- fault accounting netlink attribute sets ---- */

/*
 * TRACK, UNTRACK: do with VMCTL_A_FAULTS_PID. GET_FAULTS: do with
 * VMCTL_A_FAULTS_PID, or a dump (no attribute) of every tracked process
 * the caller may read. Replies carry the fields of struct vmctl_faults
 * and struct vmctl_fault_counts; VMCTL_A_FAULTS_HIST is binary: the
 * VMCTL_FAULT_HIST_BUCKETS __u64 counts in host byte order.
 */
enum {
	VMCTL_A_FAULTS_PAD = 1,
	VMCTL_A_FAULTS_PID,			/* u32 */
	VMCTL_A_FAULTS_COMM,			/* string */
	VMCTL_A_FAULTS_OUT_FLAGS,		/* u32: VMCTL_FAULTS_EXITED */
	VMCTL_A_FAULTS_TRACKED_NS,		/* u64 */
	VMCTL_A_FAULTS_MIN_FLT,			/* u64 */
	VMCTL_A_FAULTS_MAJ_FLT,			/* u64 */
	VMCTL_A_FAULTS_THREADS,			/* u64 */
	VMCTL_A_FAULTS_VMAS,			/* u64 */
	VMCTL_A_FAULTS_MINOR,			/* u64 */
	VMCTL_A_FAULTS_MAJOR,			/* u64 */
	VMCTL_A_FAULTS_WRITE,			/* u64 */
	VMCTL_A_FAULTS_EXEC,			/* u64 */
	VMCTL_A_FAULTS_USER,			/* u64 */
	VMCTL_A_FAULTS_KERNEL,			/* u64 */
	VMCTL_A_FAULTS_RETRY,			/* u64 */
	VMCTL_A_FAULTS_SIGSEGV,			/* u64 */
	VMCTL_A_FAULTS_SIGBUS,			/* u64 */
	VMCTL_A_FAULTS_OOM,			/* u64 */
	VMCTL_A_FAULTS_EFAULT,			/* u64 */
	VMCTL_A_FAULTS_UNTRACED,		/* u64 */
	VMCTL_A_FAULTS_LAT_COUNT,		/* u64 */
	VMCTL_A_FAULTS_LAT_TOTAL_NS,		/* u64 */
	VMCTL_A_FAULTS_LAT_MAX_NS,		/* u64 */
	VMCTL_A_FAULTS_HIST,			/* binary: __u64[32] */

	__VMCTL_A_FAULTS_MAX,
	VMCTL_A_FAULTS_MAX = (__VMCTL_A_FAULTS_MAX - 1)
};

/*
 * GET_FAULT_VMAS: a dump with VMCTL_A_FVMA_PID in the request; one
 * message per bucket, "other" last.
 */
enum {
	VMCTL_A_FVMA_PAD = 1,
	VMCTL_A_FVMA_PID,			/* u32 */
	VMCTL_A_FVMA_START,			/* u64 */
	VMCTL_A_FVMA_END,			/* u64 */
	VMCTL_A_FVMA_INODE,			/* u64 */
	VMCTL_A_FVMA_DEV_MAJOR,			/* u32 */
	VMCTL_A_FVMA_DEV_MINOR,			/* u32 */
	VMCTL_A_FVMA_KIND,			/* u32 */
	VMCTL_A_FVMA_FLAGS,			/* u32: VMCTL_FAULT_VMA_* */
	VMCTL_A_FVMA_NAME,			/* string, absent when none */
	VMCTL_A_FVMA_MINOR,			/* u64 */
	VMCTL_A_FVMA_MAJOR,			/* u64 */
	VMCTL_A_FVMA_WRITE,			/* u64 */
	VMCTL_A_FVMA_EXEC,			/* u64 */
	VMCTL_A_FVMA_USER,			/* u64 */
	VMCTL_A_FVMA_KERNEL,			/* u64 */
	VMCTL_A_FVMA_LAT_TOTAL_NS,		/* u64 */
	VMCTL_A_FVMA_LAT_MAX_NS,		/* u64 */

	__VMCTL_A_FVMA_MAX,
	VMCTL_A_FVMA_MAX = (__VMCTL_A_FVMA_MAX - 1)
};

/*
 * Watches and events (VMCTL_FEATURE_EVENTS).
 *
 * WATCH_ADD (do) creates a watch and answers with its VMCTL_A_WATCH_ID;
 * WATCH_DEL (do) removes one by id; WATCH_GET is a dump of the watches
 * the caller may see (one message per watch). A watch names one process
 * (VMCTL_A_WATCH_PID; the caller must be allowed to read it as
 * /proc/PID/maps) or, without a pid, every process (CAP_SYS_ADMIN). It
 * ends when its process exits, when it is deleted, at module unload, and
 * with VMCTL_A_WATCH_SOCKET_OWNER when the socket that made it closes.
 *
 * Events are sent to the multicast group VMCTL_MCGRP_EVENTS of the
 * network namespace the watch was created in, one message per watch
 * that matches, with pids as seen from the creator's pid namespace.
 */
#define VMCTL_MCGRP_EVENTS	"events"

/* VMCTL_A_WATCH_EVENTS: which events a watch reports. */
#define VMCTL_EVENT_MAP_COUNT_THRESHOLD	(1U << 0)
#define VMCTL_EVENT_MAP_COUNT_EXHAUSTED	(1U << 1)
#define VMCTL_EVENT_COMMIT_REFUSED	(1U << 2)
#define VMCTL_EVENT_FAULT_RATE		(1U << 3)
#define VMCTL_EVENT_PROCESS_EXIT	(1U << 4)
#define VMCTL_EVENT_ALL			((1U << 5) - 1)

/* Up to this many VMCTL_A_WATCH_THRESHOLD attributes per watch. */
#define VMCTL_WATCH_THRESHOLDS_MAX	8

/* VMCTL_A_EVENT_OP: the system call a map-count-exhausted event names. */
enum vmctl_event_op {
	VMCTL_OP_MMAP = 1,
	VMCTL_OP_MPROTECT,
	VMCTL_OP_MUNMAP,
	VMCTL_OP_MREMAP,
	VMCTL_OP_BRK,
	VMCTL_OP_MADVISE,
	VMCTL_OP_MLOCK,
	VMCTL_OP_MUNLOCK,
	VMCTL_OP_SHMAT,
	VMCTL_OP_OTHER,
};

/* VMCTL_A_EVENT_LIMIT_KIND: which limit refused a commit. */
enum vmctl_commit_limit_kind {
	VMCTL_LIMIT_PROCESS = 1,	/* VMCTL_IOC_SET_COMMIT_LIMIT */
	VMCTL_LIMIT_SYSTEM,		/* vm.overcommit_memory / CommitLimit */
};

enum {
	VMCTL_A_WATCH_PAD = 1,
	VMCTL_A_WATCH_ID,		/* u32: out in ADD, in for DEL */
	VMCTL_A_WATCH_PID,		/* u32: absent for a global watch */
	VMCTL_A_WATCH_EVENTS,		/* u32: VMCTL_EVENT_*, default all */
	VMCTL_A_WATCH_THRESHOLD,	/* u32 percent of max_map_count, multi */
	VMCTL_A_WATCH_HYSTERESIS,	/* u32 percent, default 5 */
	VMCTL_A_WATCH_FAULT_RATE,	/* u64 major faults/s, default 0: off */
	VMCTL_A_WATCH_COMM,		/* string, out */
	VMCTL_A_WATCH_EVENTS_SENT,	/* u64, out */
	VMCTL_A_WATCH_EVENTS_DROPPED,	/* u64, out */
	VMCTL_A_WATCH_SOCKET_OWNER,	/* flag: ends when the socket closes */

	__VMCTL_A_WATCH_MAX,
	VMCTL_A_WATCH_MAX = (__VMCTL_A_WATCH_MAX - 1)
};

enum {
	VMCTL_A_EVENT_PAD = 1,
	VMCTL_A_EVENT_WATCH_ID,		/* u32 */
	VMCTL_A_EVENT_PID,		/* u32 */
	VMCTL_A_EVENT_COMM,		/* string */
	VMCTL_A_EVENT_TIME_NS,		/* u64: CLOCK_MONOTONIC of the cause */
	VMCTL_A_EVENT_MAP_COUNT,	/* u64 */
	VMCTL_A_EVENT_MAX_MAP_COUNT,	/* u64 */
	VMCTL_A_EVENT_THRESHOLD,	/* u32 percent crossed upwards */
	VMCTL_A_EVENT_OP,		/* u32: enum vmctl_event_op */
	VMCTL_A_EVENT_ADDR,		/* u64: the call's address argument */
	VMCTL_A_EVENT_LEN,		/* u64: the call's length argument */
	VMCTL_A_EVENT_LIMIT_KIND,	/* u32: enum vmctl_commit_limit_kind */
	VMCTL_A_EVENT_LIMIT_BYTES,	/* u64: the refusing limit (0: system) */
	VMCTL_A_EVENT_COMMITTED_BYTES,	/* u64: committed before the call */
	VMCTL_A_EVENT_REQUEST_BYTES,	/* u64: the refused commit */
	VMCTL_A_EVENT_FAULT_RATE,	/* u64: major faults/s measured */
	VMCTL_A_EVENT_FAULT_RATE_LIMIT,	/* u64: the watch's threshold */
	VMCTL_A_EVENT_EXIT_CODE,	/* u32: as wait(2) status */
	VMCTL_A_EVENT_MAP_COUNT_PEAK,	/* u64: highest map_count seen */
	VMCTL_A_EVENT_MAXRSS_BYTES,	/* u64 */
	VMCTL_A_EVENT_MIN_FLT,		/* u64 */
	VMCTL_A_EVENT_MAJ_FLT,		/* u64 */

	__VMCTL_A_EVENT_MAX,
	VMCTL_A_EVENT_MAX = (__VMCTL_A_EVENT_MAX - 1)
};

enum {
	VMCTL_CMD_GET_VERSION = 1,
	VMCTL_CMD_GET_STATS,
	VMCTL_CMD_GET_VMAS,
	VMCTL_CMD_TRACK,		/* fault accounting */
	VMCTL_CMD_UNTRACK,
	VMCTL_CMD_GET_FAULTS,		/* do and dump */
	VMCTL_CMD_GET_FAULT_VMAS,	/* dump */
	VMCTL_CMD_WATCH_ADD,		/* do */
	VMCTL_CMD_WATCH_DEL,		/* do */
	VMCTL_CMD_WATCH_GET,		/* dump */
	VMCTL_CMD_MAP_COUNT_THRESHOLD_NTF,	/* events, VMCTL_A_EVENT_* */
	VMCTL_CMD_MAP_COUNT_EXHAUSTED_NTF,
	VMCTL_CMD_COMMIT_REFUSED_NTF,
	VMCTL_CMD_FAULT_RATE_NTF,
	VMCTL_CMD_PROCESS_EXIT_NTF,

	__VMCTL_CMD_MAX,
	VMCTL_CMD_MAX = (__VMCTL_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_VMCTL_H */
