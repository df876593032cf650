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

#ifdef __cplusplus
}
#endif

#endif /* _LIBVMCTL_VMCTL_H */
