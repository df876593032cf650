// SPDX-License-Identifier: LGPL-2.1-or-later
/* Presence of the kernel module, through libkmod. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

/* The first line of /sys/module/vmctl/@attr into @buf ("" if unreadable). */
static void module_sysfs_read(const char *attr, char *buf, size_t size)
{
	char path[128];
	ssize_t len;
	int fd;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/sys/module/" VMCTL_MODULE_NAME "/%s", attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	len = read(fd, buf, size - 1);
	close(fd);
	if (len < 0)
		len = 0;
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/*
 * The vmctl module as modprobe would find it for the running kernel:
 * through modules.dep, aliases and built-ins. *@mod is NULL (and 0 is
 * returned) when nothing is installed.
 */
static int module_lookup(struct vmctl_ctx *ctx, struct kmod_module **mod)
{
	struct kmod_list *list = NULL;
	int err;

	*mod = NULL;
	err = kmod_module_new_from_lookup(ctx->kmod, VMCTL_MODULE_NAME, &list);
	if (err < 0)
		return err;
	if (list)
		*mod = kmod_module_get_module(list);
	kmod_module_unref_list(list);
	return 0;
}

VMCTL_EXPORT int vmctl_module_info(struct vmctl_ctx *ctx, struct vmctl_module_info *info)
{
	struct kmod_module *mod;
	const char *path;
	long size;
	int err, state;

	if (!ctx || !info)
		return -EINVAL;
	state = vmctl_module_state(ctx);
	if (state < 0)
		return state;

	memset(info, 0, sizeof(*info));
	info->state = state;
	info->refcount = -1;

	if (state != VMCTL_MODULE_NOT_LOADED) {
		err = kmod_module_new_from_name(ctx->kmod, VMCTL_MODULE_NAME, &mod);
		if (err < 0)
			return err;
		err = kmod_module_get_refcnt(mod);
		if (err >= 0)
			info->refcount = err;
		size = kmod_module_get_size(mod);
		if (size > 0)
			info->size = (uint64_t)size;
		kmod_module_unref(mod);
		module_sysfs_read("version", info->version, sizeof(info->version));
		module_sysfs_read("srcversion", info->srcversion, sizeof(info->srcversion));
	}

	err = module_lookup(ctx, &mod);
	if (err < 0)
		return err;
	if (mod) {
		path = kmod_module_get_path(mod);
		if (path && strlen(path) < sizeof(info->path))
			strcpy(info->path, path);
		kmod_module_unref(mod);
	}
	return 0;
}

VMCTL_EXPORT int vmctl_module_load(struct vmctl_ctx *ctx, const char *path, const char *options)
{
	struct kmod_module *mod;
	int err, state;

	if (!ctx)
		return -EINVAL;
	state = vmctl_module_state(ctx);
	if (state < 0)
		return state;
	if (state != VMCTL_MODULE_NOT_LOADED)
		return -EEXIST;
	if (options && !*options)
		options = NULL;

	if (path) {
		err = kmod_module_new_from_path(ctx->kmod, path, &mod);
		if (err < 0)
			return err;
		/* Its name comes from the file name: refuse other modules. */
		if (strcmp(kmod_module_get_name(mod), VMCTL_MODULE_NAME)) {
			kmod_module_unref(mod);
			return -EINVAL;
		}
		err = kmod_module_insert_module(mod, 0, options);
	} else {
		err = module_lookup(ctx, &mod);
		if (err < 0)
			return err;
		if (!mod)
			return -ENOENT;
		err = kmod_module_probe_insert_module(mod, KMOD_PROBE_FAIL_ON_LOADED, options,
						      NULL, NULL, NULL);
		/* Positive values report blacklisting, which is not asked for. */
		if (err > 0)
			err = -EPERM;
	}
	kmod_module_unref(mod);
	return err;
}

VMCTL_EXPORT int vmctl_module_unload(struct vmctl_ctx *ctx, unsigned int flags)
{
	struct kmod_module *mod;
	int err, state;

	if (!ctx || flags)
		return -EINVAL;
	state = vmctl_module_state(ctx);
	if (state < 0)
		return state;
	if (state == VMCTL_MODULE_NOT_LOADED)
		return -ENODEV;
	if (state == VMCTL_MODULE_BUILTIN)
		return -EINVAL;

	err = kmod_module_new_from_name(ctx->kmod, VMCTL_MODULE_NAME, &mod);
	if (err < 0)
		return err;
	err = kmod_module_remove_module(mod, 0);
	kmod_module_unref(mod);
	/* libkmod does not wait: a module in use fails with EAGAIN. */
	return err == -EAGAIN ? -EBUSY : err;
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
