// SPDX-License-Identifier: LGPL-2.1-or-later
/* Generic netlink transport: socket setup and request/reply exchange. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "libvmctl-private.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Map a libnl error code (negative NLE_*) to a negative errno. */
static int nl_errno(int nlerr)
{
	static const int map[][2] = {
		{ NLE_INTR, EINTR },		{ NLE_BAD_SOCK, EBADF },
		{ NLE_AGAIN, EAGAIN },		{ NLE_NOMEM, ENOMEM },
		{ NLE_EXIST, EEXIST },		{ NLE_INVAL, EINVAL },
		{ NLE_RANGE, ERANGE },		{ NLE_MSGSIZE, EMSGSIZE },
		{ NLE_OPNOTSUPP, EOPNOTSUPP },	{ NLE_AF_NOSUPPORT, EAFNOSUPPORT },
		{ NLE_OBJ_NOTFOUND, ENOENT },	{ NLE_NOATTR, ENODATA },
		{ NLE_MISSING_ATTR, EBADMSG },	{ NLE_SEQ_MISMATCH, EPROTO },
		{ NLE_MSG_OVERFLOW, EOVERFLOW },{ NLE_MSG_TRUNC, EBADMSG },
		{ NLE_NOADDR, EADDRNOTAVAIL },	{ NLE_SRCRT_NOSUPPORT, EOPNOTSUPP },
		{ NLE_MSG_TOOSHORT, EBADMSG },	{ NLE_MSGTYPE_NOSUPPORT, EOPNOTSUPP },
		{ NLE_OBJ_MISMATCH, EINVAL },	{ NLE_NOCACHE, ENOENT },
		{ NLE_BUSY, EBUSY },		{ NLE_PROTO_MISMATCH, EPROTONOSUPPORT },
		{ NLE_NOACCESS, EACCES },	{ NLE_PERM, EPERM },
		{ NLE_PKTLOC_FILE, ENOENT },	{ NLE_PARSE_ERR, EBADMSG },
		{ NLE_NODEV, ENODEV },		{ NLE_IMMUTABLE, EPERM },
		{ NLE_DUMP_INTR, EINTR },	{ NLE_ATTRSIZE, EBADMSG },
	};
	size_t i;

	if (nlerr >= 0)
		return nlerr;
	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (map[i][0] == -nlerr)
			return -map[i][1];
	return -EIO;
}

int vmctl_nl_open(struct vmctl_ctx *ctx)
{
	struct nl_sock *sock;
	int one = 1, family, err;

	if (ctx->nl_sock)
		return 0;

	sock = nl_socket_alloc();
	if (!sock)
		return -ENOMEM;

	err = genl_connect(sock);
	if (err < 0)
		goto fail;
	/* Dump replies may be larger than a page: size each read with MSG_PEEK. */
	nl_socket_enable_msg_peek(sock);

	/* Best effort: kernels without extended acks still work. */
	setsockopt(nl_socket_get_fd(sock), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(sock), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));

	family = genl_ctrl_resolve(sock, VMCTL_FAMILY_NAME);
	if (family < 0) {
		err = family;
		goto fail;
	}

	ctx->nl_sock = sock;
	ctx->nl_family = family;
	return 0;

fail:
	nl_socket_free(sock);
	if (err == -NLE_OBJ_NOTFOUND)
		return vmctl_absent_errno(ctx, -EOPNOTSUPP);
	return nl_errno(err);
}

void vmctl_nl_close(struct vmctl_ctx *ctx)
{
	if (ctx->nl_sock)
		nl_socket_free(ctx->nl_sock);
	ctx->nl_sock = NULL;
	ctx->nl_family = -1;
}

struct nl_state {
	struct vmctl_ctx *ctx;
	const struct vmctl_nl_request *req;
	struct nlattr **tb;
	int done;		/* set by the final ack, error or NLMSG_DONE */
	int err;		/* result of the exchange */
	int dump_intr;		/* a reply carried NLM_F_DUMP_INTR */
};

/* Store the NLMSGERR_ATTR_MSG found in the @len bytes of attributes at @attrs. */
static void nl_save_extack(struct vmctl_ctx *ctx, void *attrs, int len)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

	if (len <= 0 || nla_parse(tb, NLMSGERR_ATTR_MAX, attrs, len, NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG] && nla_len(tb[NLMSGERR_ATTR_MSG]) > 0)
		vmctl_set_error_msg(ctx, nla_get_string(tb[NLMSGERR_ATTR_MSG]));
}

static int nl_on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)e - 1;
	struct nl_state *st = arg;
	int ack_len;

	(void)nla;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		/* The TLVs follow the echoed request, or its header if capped. */
		ack_len = sizeof(*nlh) + sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			ack_len += e->msg.nlmsg_len - sizeof(*nlh);
		nl_save_extack(st->ctx, (unsigned char *)nlh + ack_len,
			       (int)nlh->nlmsg_len - ack_len);
	}
	if (!st->err)
		st->err = e->error < 0 ? e->error : -EIO;
	st->done = 1;
	return NL_STOP;
}

static int nl_on_ack(struct nl_msg *msg, void *arg)
{
	struct nl_state *st = arg;

	(void)msg;
	st->done = 1;
	return NL_STOP;
}

/* NLMSG_DONE ends a dump; a failed dump puts its error (and extack) there. */
static int nl_on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nl_state *st = arg;
	int len = nlmsg_datalen(nlh);
	int dump_err;

	st->done = 1;
	if (len < (int)sizeof(dump_err))
		return NL_STOP;

	memcpy(&dump_err, nlmsg_data(nlh), sizeof(dump_err));
	if (dump_err < 0 && !st->err) {
		st->err = dump_err;
		if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
			nl_save_extack(st->ctx, (unsigned char *)nlmsg_data(nlh) + sizeof(dump_err),
				       len - (int)sizeof(dump_err));
	}
	return NL_STOP;
}

/* Called before the message is handled; NL_OK lets libnl go on with it. */
static int nl_on_dump_intr(struct nl_msg *msg, void *arg)
{
	struct nl_state *st = arg;

	(void)msg;
	st->dump_intr = 1;
	return NL_OK;
}

static int nl_on_valid(struct nl_msg *msg, void *arg)
{
	struct nl_state *st = arg;
	const struct vmctl_nl_request *req = st->req;
	int err;

	if (st->err || (!req->parse && !req->parse_msg))
		return NL_SKIP;	/* keep draining up to the final ack */

	err = genlmsg_parse(nlmsg_hdr(msg), 0, st->tb, req->maxattr,
			    (struct nla_policy *)req->policy);
	if (err < 0) {
		st->err = nl_errno(err);
		return NL_SKIP;
	}

	if (req->parse_msg)
		err = req->parse_msg(nlmsg_hdr(msg), st->tb, req->arg);
	else
		err = req->parse(st->tb, req->arg);
	if (err < 0)
		st->err = err;
	return NL_SKIP;
}

static int nl_build(struct vmctl_ctx *ctx, const struct vmctl_nl_request *req,
		    struct nl_msg **out)
{
	struct nl_msg *msg;
	int err;

	msg = nlmsg_alloc();
	if (!msg)
		return -ENOMEM;

	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, ctx->nl_family, 0, req->flags,
			 req->cmd, VMCTL_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}

	if (req->put) {
		err = req->put(msg, req->arg);
		if (err < 0) {
			nlmsg_free(msg);
			return err;
		}
	}

	*out = msg;
	return 0;
}

static int nl_exchange(struct vmctl_ctx *ctx, struct nl_msg *msg, struct nl_state *st)
{
	struct nl_cb *cb;
	int err;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;

	nl_cb_err(cb, NL_CB_CUSTOM, nl_on_error, st);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, nl_on_ack, st);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, nl_on_finish, st);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, nl_on_valid, st);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, nl_on_dump_intr, st);

	err = nl_send_auto(ctx->nl_sock, msg);
	if (err < 0) {
		err = nl_errno(err);
		goto out;
	}

	err = 0;
	while (!st->done) {
		err = nl_recvmsgs(ctx->nl_sock, cb);
		/*
		 * libnl turns an error message our callback stopped on into
		 * its own lossy code (ESRCH becomes NLE_OBJ_NOTFOUND): the
		 * kernel's errno is in st->err already.
		 */
		if (err < 0 && !st->done) {
			err = nl_errno(err);
			break;
		}
		err = 0;
	}
out:
	nl_cb_put(cb);
	return err;
}

int vmctl_nl_transact(struct vmctl_ctx *ctx, const struct vmctl_nl_request *req)
{
	struct nl_state st = { .ctx = ctx, .req = req };
	struct nl_msg *msg;
	int err;

	if (req->maxattr < 0)
		return -EINVAL;

	vmctl_clear_error_msg(ctx);
	err = vmctl_nl_open(ctx);
	if (err < 0)
		return err;

	st.tb = calloc(req->maxattr + 1, sizeof(*st.tb));
	if (!st.tb)
		return -ENOMEM;

	err = nl_build(ctx, req, &msg);
	if (err < 0)
		goto out;

	err = nl_exchange(ctx, msg, &st);
	nlmsg_free(msg);
	if (!err)
		err = st.err;
	if (req->dump_intr)
		*req->dump_intr = st.dump_intr;
	else if (!err && st.dump_intr)
		err = -EINTR;

	/* A transport error leaves the socket out of sync: reconnect next time. */
	if (err < 0 && !st.done)
		vmctl_nl_close(ctx);
out:
	free(st.tb);
	return err;
}

void *vmctl_dump_slot(struct vmctl_dump_array *a)
{
	char *slot;

	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : a->first_cap;
		void *items = reallocarray(a->items, cap, a->size);

		if (!items)
			return NULL;
		a->items = items;
		a->cap = cap;
	}
	slot = (char *)a->items + a->n * a->size;
	memset(slot, 0, a->size);
	return slot;
}

int vmctl_nl_dump_array(struct vmctl_ctx *ctx, const struct vmctl_nl_request *req,
			struct vmctl_dump_array *a)
{
	int err;

	err = vmctl_nl_transact(ctx, req);
	if (err < 0 || !a->n) {
		free(a->items);
		a->items = NULL;
		a->n = 0;
	}
	return err < 0 ? err : 0;
}
