// SPDX-License-Identifier: GPL-2.0
/*
 * Extensible ioctl arguments and VMCTL_IOC_API.
 *
 * Every argument structure starts with "__u64 size". The kernel copies
 * min(size, sizeof(kernel struct)) bytes in and out, zero-fills what an
 * older caller did not send, and refuses what a newer caller sent but
 * this module does not understand (non-zero bytes beyond its struct).
 */

#include <linux/uaccess.h>

#include "vmctl.h"

/**
 * vmctl_copy_args_from_user - copy an extensible ioctl argument in
 * @kargs:   kernel copy, @ksize bytes; its first member is the __u64 size
 * @ksize:   size of the kernel's structure
 * @minsize: smallest size the ioctl ever accepted (its first version)
 * @uargs:   user pointer
 *
 * Return: 0, -EFAULT, -EINVAL for a size below @minsize, or -E2BIG for a
 * size above VMCTL_ARGS_MAX_SIZE or non-zero bytes this module does not
 * know.
 */
int vmctl_copy_args_from_user(void *kargs, size_t ksize, size_t minsize,
			      const void __user *uargs)
{
	u64 usize;

	if (get_user(usize, (const u64 __user *)uargs))
		return -EFAULT;
	if (usize < minsize)
		return -EINVAL;
	if (usize > VMCTL_ARGS_MAX_SIZE)
		return -E2BIG;
	return copy_struct_from_user(kargs, ksize, uargs, usize);
}

/**
 * vmctl_copy_args_to_user - copy an extensible ioctl argument back out
 * @uargs: user pointer the argument came from
 * @kargs: kernel copy, filled by vmctl_copy_args_from_user() first, so its
 *         size member still holds the caller's size
 * @ksize: size of the kernel's structure
 *
 * Return: 0 or -EFAULT.
 */
int vmctl_copy_args_to_user(void __user *uargs, const void *kargs,
			    size_t ksize)
{
	u64 usize = *(const u64 *)kargs;

	if (copy_to_user(uargs, kargs, min_t(u64, usize, ksize)))
		return -EFAULT;
	return 0;
}

long vmctl_ioctl_api(struct vmctl_api __user *uargs)
{
	struct vmctl_api args;
	int ret;

	ret = vmctl_copy_args_from_user(&args, sizeof(args), sizeof(args),
					uargs);
	if (ret)
		return ret;
	if (args.flags)
		return -EINVAL;

	args.abi_version = VMCTL_ABI_VERSION;
	args.__reserved = 0;
	args.features = VMCTL_FEATURES;

	return vmctl_copy_args_to_user(uargs, &args, sizeof(args));
}
