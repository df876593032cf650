/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces between the parts of vmctl.ko.
 */
#ifndef _VMCTL_H
#define _VMCTL_H

#include <linux/types.h>
#include <linux/compiler_types.h>
#include <linux/vmctl.h>

/* What this build implements; reported by VMCTL_IOC_API and GET_VERSION. */
#define VMCTL_FEATURES		(VMCTL_FEATURE_NETLINK)

/* Largest ioctl argument accepted, as PROCMAP_QUERY does. */
#define VMCTL_ARGS_MAX_SIZE	PAGE_SIZE

int vmctl_copy_args_from_user(void *kargs, size_t ksize, size_t minsize,
			      const void __user *uargs);
int vmctl_copy_args_to_user(void __user *uargs, const void *kargs,
			    size_t ksize);

long vmctl_ioctl_api(struct vmctl_api __user *uargs);

int vmctl_dev_register(void);
void vmctl_dev_unregister(void);

int vmctl_genl_register(void);
void vmctl_genl_unregister(void);

#ifdef VMCTL_SELFTEST_SPLAT
void vmctl_selftest_splat(void);
#else
static inline void vmctl_selftest_splat(void) { }
#endif

#endif /* _VMCTL_H */
