// SPDX-License-Identifier: LGPL-2.1-or-later
/* The character device /dev/vmctl and its extensible ioctls. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libvmctl-private.h"

int vmctl_dev_open(struct vmctl_ctx *ctx)
{
	int fd, err;

	if (ctx->dev_fd >= 0)
		return 0;

	fd = open(VMCTL_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		switch (err) {
		case -ENOENT:	/* no device node */
		case -ENXIO:	/* node exists, no driver behind it */
		case -ENODEV:
			return vmctl_absent_errno(ctx, err);
		default:
			return err;
		}
	}

	ctx->dev_fd = fd;
	return 0;
}

void vmctl_dev_close(struct vmctl_ctx *ctx)
{
	if (ctx->dev_fd >= 0)
		close(ctx->dev_fd);
	ctx->dev_fd = -1;
}

int vmctl_ioctl_ext(struct vmctl_ctx *ctx, unsigned long request, void *arg, size_t size)
{
	uint64_t sz = size;
	int ret;

	if (size < sizeof(sz))
		return -EINVAL;

	vmctl_clear_error_msg(ctx);
	ret = vmctl_dev_open(ctx);
	if (ret < 0)
		return ret;

	memcpy(arg, &sz, sizeof(sz));
	ret = ioctl(ctx->dev_fd, request, arg);
	return ret < 0 ? -errno : ret;
}
