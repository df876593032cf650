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

#define VMCTL_IOC_MAGIC		0xB9

#define VMCTL_IOC_API		_IOWR(VMCTL_IOC_MAGIC, 0x00, struct vmctl_api)

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

enum {
	VMCTL_CMD_GET_VERSION = 1,

	__VMCTL_CMD_MAX,
	VMCTL_CMD_MAX = (__VMCTL_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_VMCTL_H */
