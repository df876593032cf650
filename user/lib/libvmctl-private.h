/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal interfaces of libvmctl; never installed. */
#ifndef _LIBVMCTL_PRIVATE_H
#define _LIBVMCTL_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "vmctl.h"

#define VMCTL_EXPORT __attribute__((visibility("default")))

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

struct kmod_ctx;
struct nl_sock;
struct nl_msg;
struct nlattr;
struct nla_policy;
struct nlmsghdr;

struct vmctl_ctx {
	int refcount;
	int dev_fd;			/* /dev/vmctl, -1 until first use */
	struct nl_sock *nl_sock;	/* NULL until first use */
	int nl_family;
	struct kmod_ctx *kmod;		/* NULL until first use */
	char err_msg[256];		/* last extack message, "" if none */
};

/* ctx.c */
void vmctl_clear_error_msg(struct vmctl_ctx *ctx);
void vmctl_set_error_msg(struct vmctl_ctx *ctx, const char *msg);

/* module.c */
void vmctl_module_close(struct vmctl_ctx *ctx);
int vmctl_absent_errno(struct vmctl_ctx *ctx, int err);

/* dev.c */
int vmctl_dev_open(struct vmctl_ctx *ctx);
void vmctl_dev_close(struct vmctl_ctx *ctx);
/*
 * Issue an extensible ioctl: @arg starts with "__u64 size", which is set
 * to @size before the call. Returns the ioctl's non-negative result or a
 * negative errno.
 */
int vmctl_ioctl_ext(struct vmctl_ctx *ctx, unsigned long request, void *arg, size_t size);

/* nl.c */
struct vmctl_nl_request {
	uint8_t cmd;			/* VMCTL_CMD_* */
	int flags;			/* extra NLM_F_* flags, e.g. NLM_F_DUMP */
	/* adds request attributes; optional; returns 0 or -errno */
	int (*put)(struct nl_msg *msg, void *arg);
	int maxattr;			/* highest reply attribute */
	const struct nla_policy *policy;	/* maxattr + 1 entries, or NULL */
	/* called for each reply message with attributes parsed into tb */
	int (*parse)(struct nlattr **tb, void *arg);
	/*
	 * Instead of ->parse when set: also gets the message, to walk
	 * attributes that repeat (tb[] holds only the last of them).
	 */
	int (*parse_msg)(struct nlmsghdr *nlh, struct nlattr **tb, void *arg);
	void *arg;
	/*
	 * Dumps: set to 1 when a reply carried NLM_F_DUMP_INTR (the data
	 * changed while the kernel dumped it), else 0. When NULL, such a
	 * dump fails with -EINTR instead.
	 */
	int *dump_intr;
};

int vmctl_nl_open(struct vmctl_ctx *ctx);
void vmctl_nl_close(struct vmctl_ctx *ctx);
/*
 * Send one request and receive all its replies up to the final ack (or
 * NLMSG_DONE for dumps). Returns 0, the kernel's negative errno (with the
 * extack message stored in ctx), the first error returned by ->put or
 * ->parse, or a negative errno for local failures.
 */
int vmctl_nl_transact(struct vmctl_ctx *ctx, const struct vmctl_nl_request *req);

/*
 * The array a dump fills, one element per reply message, which the dump
 * functions hand to their caller as it is: ->parse gets it as its arg.
 */
struct vmctl_dump_array {
	void *items;			/* NULL until the first element */
	size_t n, cap;			/* elements used, allocated */
	size_t size;			/* bytes of one element */
	size_t first_cap;		/* elements allocated at first */
};

/*
 * A zeroed slot for element ->n, growing the array as needed; NULL when
 * out of memory. The element counts once the caller increments ->n, so a
 * message that fails to parse adds nothing.
 */
void *vmctl_dump_slot(struct vmctl_dump_array *a);
/*
 * vmctl_nl_transact() of a dump whose ->arg is @a. On success @a->items
 * holds @a->n elements for the caller to free, or is NULL when there are
 * none; on failure the elements are freed. Returns 0 or a negative errno.
 */
int vmctl_nl_dump_array(struct vmctl_ctx *ctx, const struct vmctl_nl_request *req,
			struct vmctl_dump_array *a);

#endif /* _LIBVMCTL_PRIVATE_H */
