// SPDX-License-Identifier: LGPL-2.1-or-later
/* Library context: creation, reference counting, error message. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libvmctl-private.h"

VMCTL_EXPORT int vmctl_new(struct vmctl_ctx **ctx)
{
	struct vmctl_ctx *c;

	if (!ctx)
		return -EINVAL;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;

	c->refcount = 1;
	c->dev_fd = -1;
	c->nl_family = -1;
	*ctx = c;
	return 0;
}

VMCTL_EXPORT struct vmctl_ctx *vmctl_ref(struct vmctl_ctx *ctx)
{
	if (ctx)
		ctx->refcount++;
	return ctx;
}

VMCTL_EXPORT struct vmctl_ctx *vmctl_unref(struct vmctl_ctx *ctx)
{
	if (!ctx)
		return NULL;
	if (--ctx->refcount > 0)
		return ctx;

	vmctl_dev_close(ctx);
	vmctl_nl_close(ctx);
	vmctl_module_close(ctx);
	free(ctx);
	return NULL;
}

VMCTL_EXPORT const char *vmctl_library_version(void)
{
	return VERSION;
}

VMCTL_EXPORT const char *vmctl_last_error_msg(struct vmctl_ctx *ctx)
{
	if (!ctx || !ctx->err_msg[0])
		return NULL;
	return ctx->err_msg;
}

void vmctl_clear_error_msg(struct vmctl_ctx *ctx)
{
	ctx->err_msg[0] = '\0';
}

void vmctl_set_error_msg(struct vmctl_ctx *ctx, const char *msg)
{
	snprintf(ctx->err_msg, sizeof(ctx->err_msg), "%s", msg);
}
