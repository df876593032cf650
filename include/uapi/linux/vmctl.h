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

/* ---- reserve/commit memory (VMCTL_FEATURE_RESERVE): ioctl numbers 0x20-0x2f ---- */

#define VMCTL_IOC_MAGIC		0xB9

#define VMCTL_IOC_API		_IOWR(VMCTL_IOC_MAGIC, 0x00, struct vmctl_api)
#define VMCTL_IOC_GET_STATS	_IOWR(VMCTL_IOC_MAGIC, 0x01, struct vmctl_stats)
#define VMCTL_IOC_GET_VMAS	_IOWR(VMCTL_IOC_MAGIC, 0x02, struct vmctl_vmas)

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

enum {
	VMCTL_CMD_GET_VERSION = 1,
	VMCTL_CMD_GET_STATS,
	VMCTL_CMD_GET_VMAS,
	VMCTL_CMD_TRACK,		/* fault accounting */
	VMCTL_CMD_UNTRACK,
	VMCTL_CMD_GET_FAULTS,		/* do and dump */
	VMCTL_CMD_GET_FAULT_VMAS,	/* dump */

	__VMCTL_CMD_MAX,
	VMCTL_CMD_MAX = (__VMCTL_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_VMCTL_H */
