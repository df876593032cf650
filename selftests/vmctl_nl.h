/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw generic netlink I/O for the selftests: requests built with libnl,
 * replies read from the socket by hand so that every flag, the extended
 * ack and the number of recv() calls are visible.
 */
#ifndef _VMCTL_NL_H
#define _VMCTL_NL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <linux/netlink.h>
#include <linux/vmctl.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

struct nl_reply {
	int err;		/* 0 or -errno, from NLMSG_ERROR or NLMSG_DONE */
	char msg[256];		/* NLMSGERR_ATTR_MSG, "" without one */
	int miss_type;		/* NLMSGERR_ATTR_MISS_TYPE, 0 without one */
	int msgs;		/* data messages */
	int intr;		/* messages (NLMSG_DONE included) with DUMP_INTR */
	int recvs;		/* recv() calls that returned data messages */
	bool done;		/* the final NLMSG_ERROR or NLMSG_DONE was read */
	bool in_done;		/* the error came in NLMSG_DONE */
};

/* Called for every data message; a non-zero return is counted as bad. */
typedef int (*msg_fn)(const struct nlmsghdr *nlh, void *arg);

/*
 * A socket for requests whose replies this file reads itself. The family
 * is resolved on another socket: libnl reads with a 16 KiB buffer, and the
 * kernel would size every later dump skb of this socket to that.
 */
static struct nl_sock *nl_open(int *family)
{
	struct timeval tv = { .tv_sec = 60 };
	struct nl_sock *ctrl, *sk;
	int one = 1;

	ctrl = nl_socket_alloc();
	if (!ctrl)
		return NULL;
	*family = genl_connect(ctrl) ? -1 :
		  genl_ctrl_resolve(ctrl, VMCTL_FAMILY_NAME);
	nl_socket_free(ctrl);
	if (*family < 0)
		return NULL;

	sk = nl_socket_alloc();
	if (!sk)
		return NULL;
	if (genl_connect(sk) ||
	    setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK,
		       &one, sizeof(one))) {
		nl_socket_free(sk);
		return NULL;
	}
	/* Never hang a test on a missing reply. */
	setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return sk;
}

static struct nl_msg *req_new(int family, int cmd, bool dump)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
				dump ? NLM_F_DUMP : 0, cmd,
				VMCTL_FAMILY_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

/* Sends and frees @msg (libnl adds NLM_F_ACK); returns its sequence number. */
static int req_send(struct nl_sock *sk, struct nl_msg *msg, uint32_t *seq)
{
	int ret = nl_send_auto(sk, msg);

	*seq = nlmsg_hdr(msg)->nlmsg_seq;
	nlmsg_free(msg);
	return ret < 0 ? -EIO : 0;
}

static void parse_ack_tlvs(struct nl_reply *r, const void *data, int len)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

	if (len <= 0 || nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)data,
				  len, NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(r->msg, sizeof(r->msg), "%s",
			 nla_get_string(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_MISS_TYPE])
		r->miss_type = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
}

/*
 * Reads the replies to request @seq with recv() buffers of @bufsize bytes,
 * until the final NLMSG_ERROR/NLMSG_DONE or, if @max_recvs > 0, until that
 * many recv() calls. Returns the number of messages @fn refused.
 */
static int nl_read(int fd, uint32_t seq, size_t bufsize, int max_recvs,
		   msg_fn fn, void *arg, struct nl_reply *r)
{
	char *buf = malloc(bufsize);
	int calls = 0, bad = 0;

	if (!buf) {
		r->err = -ENOMEM;
		return 1;
	}
	while (!r->done && (max_recvs <= 0 || calls < max_recvs)) {
		const struct nlmsghdr *nlh;
		bool data = false;
		int len;

		/* MSG_TRUNC: the real length, to catch a too small buffer. */
		len = recv(fd, buf, bufsize, MSG_TRUNC);
		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0 || len > (int)bufsize) {
			r->err = len < 0 ? -errno : len ? -EMSGSIZE : -EPIPE;
			r->done = true;
			break;
		}
		calls++;
		for (nlh = (void *)buf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nlh);
				size_t off = sizeof(e->error);

				off += nlh->nlmsg_flags & NLM_F_CAPPED ?
				       sizeof(e->msg) : e->msg.nlmsg_len;
				off = NLMSG_ALIGN(off);
				r->err = e->error;
				if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
					parse_ack_tlvs(r, (char *)e + off,
						       nlh->nlmsg_len - NLMSG_HDRLEN - off);
				r->done = true;
				break;
			}
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				r->intr++;
			if (nlh->nlmsg_type == NLMSG_DONE) {
				const int *err = NLMSG_DATA(nlh);

				r->err = *err;
				r->in_done = true;
				if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
					parse_ack_tlvs(r, err + 1, nlh->nlmsg_len -
						       NLMSG_HDRLEN - sizeof(*err));
				r->done = true;
				break;
			}
			data = true;
			r->msgs++;
			if (fn && fn(nlh, arg))
				bad++;
		}
		if (data)
			r->recvs++;
	}
	free(buf);
	return bad;
}

/*
 * Sends and frees @msg, then reads all its replies into @r (cleared first)
 * with recv() buffers of @bufsize bytes. Returns the number of messages @fn
 * refused, or -EIO if the request could not be sent.
 */
static int req_send_read(struct nl_sock *sk, struct nl_msg *msg, size_t bufsize,
			 msg_fn fn, void *arg, struct nl_reply *r)
{
	uint32_t seq;

	memset(r, 0, sizeof(*r));
	if (req_send(sk, msg, &seq))
		return -EIO;
	return nl_read(nl_socket_get_fd(sk), seq, bufsize, 0, fn, arg, r);
}

/* A request with an optional u32 attribute (@attr 0: none). */
static int request_u32(struct nl_sock *sk, int family, int cmd, bool dump,
		       int attr, uint32_t val, msg_fn fn, void *arg,
		       struct nl_reply *r)
{
	struct nl_msg *msg = req_new(family, cmd, dump);

	memset(r, 0, sizeof(*r));
	if (!msg)
		return -ENOMEM;
	if (attr && nla_put_u32(msg, attr, val)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return req_send_read(sk, msg, 64 * 1024, fn, arg, r);
}

#endif /* _VMCTL_NL_H */
