// SPDX-License-Identifier: LGPL-2.1-or-later
/* Presence of the kernel module, through libkmod. */
#include <errno.h>
#include <stdarg.h>

#include <libkmod.h>

#include "libvmctl-private.h"

static void kmod_log_quiet(void *data, int priority, const char *file, int line,
			   const char *fn, const char *format, va_list args)
{
	(void)data;
	(void)priority;
	(void)file;
	(void)line;
	(void)fn;
	(void)format;
	(void)args;
}

static int module_ctx_open(struct vmctl_ctx *ctx)
{
	if (ctx->kmod)
		return 0;

	ctx->kmod = kmod_new(NULL, NULL);
	if (!ctx->kmod)
		return -ENOMEM;
	/* A library never prints: drop libkmod's diagnostics. */
	kmod_set_log_fn(ctx->kmod, kmod_log_quiet, NULL);
	return 0;
}

void vmctl_module_close(struct vmctl_ctx *ctx)
{
	ctx->kmod = kmod_unref(ctx->kmod);
}

VMCTL_EXPORT int vmctl_module_state(struct vmctl_ctx *ctx)
{
	struct kmod_module *mod;
	int err, state;

	if (!ctx)
		return -EINVAL;

	err = module_ctx_open(ctx);
	if (err < 0)
		return err;

	err = kmod_module_new_from_name(ctx->kmod, VMCTL_MODULE_NAME, &mod);
	if (err < 0)
		return err;

	state = kmod_module_get_initstate(mod);
	kmod_module_unref(mod);

	switch (state) {
	case -ENOENT:
		return VMCTL_MODULE_NOT_LOADED;
	case KMOD_MODULE_LIVE:
		return VMCTL_MODULE_LOADED;
	case KMOD_MODULE_BUILTIN:
		return VMCTL_MODULE_BUILTIN;
	case KMOD_MODULE_COMING:
		return VMCTL_MODULE_COMING;
	case KMOD_MODULE_GOING:
		return VMCTL_MODULE_GOING;
	default:
		return state < 0 ? state : -EIO;
	}
}

VMCTL_EXPORT const char *vmctl_module_state_name(int state)
{
	static const char *const names[] = {
		[VMCTL_MODULE_NOT_LOADED] = "not loaded",
		[VMCTL_MODULE_LOADED] = "loaded",
		[VMCTL_MODULE_BUILTIN] = "builtin",
		[VMCTL_MODULE_COMING] = "coming",
		[VMCTL_MODULE_GOING] = "going",
	};

	if (state < 0 || (size_t)state >= ARRAY_SIZE(names))
		return NULL;
	return names[state];
}

/*
 * Translate @err (a negative errno saying the device or the netlink family
 * was not found) into -ENODEV when the module is not loaded at all.
 * Otherwise @err is returned unchanged.
 */
int vmctl_absent_errno(struct vmctl_ctx *ctx, int err)
{
	if (vmctl_module_state(ctx) == VMCTL_MODULE_NOT_LOADED)
		return -ENODEV;
	return err;
}
