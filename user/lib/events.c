// SPDX-License-Identifier: LGPL-2.1-or-later
/* Watches (add, delete, dump) and the listener of the "events" group. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "libvmctl-private.h"

#define WATCH_SPEC_FLAGS	(VMCTL_WATCH_SPEC_GLOBAL | VMCTL_WATCH_SPEC_HYSTERESIS | \
				 VMCTL_WATCH_SPEC_OWNED)

/* ---- watches ---- */

static struct nla_policy watch_policy[VMCTL_A_WATCH_MAX + 1] = {
	[VMCTL_A_WATCH_ID] = { .type = NLA_U32 },
	[VMCTL_A_WATCH_PID] = { .type = NLA_U32 },
	[VMCTL_A_WATCH_EVENTS] = { .type = NLA_U32 },
	[VMCTL_A_WATCH_THRESHOLD] = { .type = NLA_U32 },
	[VMCTL_A_WATCH_HYSTERESIS] = { .type = NLA_U32 },
	[VMCTL_A_WATCH_FAULT_RATE] = { .type = NLA_U64 },
	/* COMM: copy_comm() copes with a missing NUL, libnl's NLA_STRING does not. */
	[VMCTL_A_WATCH_EVENTS_SENT] = { .type = NLA_U64 },
	[VMCTL_A_WATCH_EVENTS_DROPPED] = { .type = NLA_U64 },
	[VMCTL_A_WATCH_SOCKET_OWNER] = { .type = NLA_FLAG },
};

static void copy_comm(char *dst, size_t size, const struct nlattr *attr)
{
	size_t len = attr ? strnlen(nla_data(attr), nla_len(attr)) : 0;

	if (len >= size)
		len = size - 1;
	if (len)
		memcpy(dst, nla_data(attr), len);
	dst[len] = '\0';
}

/* One WATCH_ADD reply or WATCH_GET dump message into @w. */
static int watch_from_msg(struct nlmsghdr *nlh, struct nlattr **tb, struct vmctl_watch_info *w)
{
	struct nlattr *nla;
	int rem;

	if (!tb[VMCTL_A_WATCH_ID])
		return -EBADMSG;
	memset(w, 0, sizeof(*w));
	w->id = nla_get_u32(tb[VMCTL_A_WATCH_ID]);
	if (tb[VMCTL_A_WATCH_PID])
		w->pid = (pid_t)nla_get_u32(tb[VMCTL_A_WATCH_PID]);
	else
		w->flags |= VMCTL_WATCH_SPEC_GLOBAL;
	if (tb[VMCTL_A_WATCH_EVENTS])
		w->events = nla_get_u32(tb[VMCTL_A_WATCH_EVENTS]);
	if (tb[VMCTL_A_WATCH_HYSTERESIS])
		w->hysteresis = nla_get_u32(tb[VMCTL_A_WATCH_HYSTERESIS]);
	if (tb[VMCTL_A_WATCH_FAULT_RATE])
		w->fault_rate = nla_get_u64(tb[VMCTL_A_WATCH_FAULT_RATE]);
	if (tb[VMCTL_A_WATCH_EVENTS_SENT])
		w->events_sent = nla_get_u64(tb[VMCTL_A_WATCH_EVENTS_SENT]);
	if (tb[VMCTL_A_WATCH_EVENTS_DROPPED])
		w->events_dropped = nla_get_u64(tb[VMCTL_A_WATCH_EVENTS_DROPPED]);
	if (tb[VMCTL_A_WATCH_SOCKET_OWNER])
		w->flags |= VMCTL_WATCH_SPEC_OWNED;
	copy_comm(w->comm, sizeof(w->comm), tb[VMCTL_A_WATCH_COMM]);

	/* VMCTL_A_WATCH_THRESHOLD repeats: tb[] holds only the last one. */
	nlmsg_for_each_attr(nla, nlh, GENL_HDRLEN, rem) {
		if (nla_type(nla) != VMCTL_A_WATCH_THRESHOLD)
			continue;
		if (nla_len(nla) < (int)sizeof(uint32_t))
			return -EBADMSG;
		if (w->nthresholds < VMCTL_WATCH_THRESHOLDS_MAX)
			w->thresholds[w->nthresholds++] = nla_get_u32(nla);
	}
	return 0;
}

struct watch_add {
	const struct vmctl_watch_spec *spec;
	pid_t pid;
	uint32_t id;
	int replies;
};

static int watch_add_put(struct nl_msg *msg, void *arg)
{
	const struct watch_add *a = arg;
	const struct vmctl_watch_spec *s = a->spec;
	uint32_t i;

	if (!(s->flags & VMCTL_WATCH_SPEC_GLOBAL) &&
	    nla_put_u32(msg, VMCTL_A_WATCH_PID, (uint32_t)a->pid) < 0)
		return -EMSGSIZE;
	if (s->events && nla_put_u32(msg, VMCTL_A_WATCH_EVENTS, s->events) < 0)
		return -EMSGSIZE;
	for (i = 0; i < s->nthresholds; i++)
		if (nla_put_u32(msg, VMCTL_A_WATCH_THRESHOLD, s->thresholds[i]) < 0)
			return -EMSGSIZE;
	if ((s->flags & VMCTL_WATCH_SPEC_HYSTERESIS) &&
	    nla_put_u32(msg, VMCTL_A_WATCH_HYSTERESIS, s->hysteresis) < 0)
		return -EMSGSIZE;
	if (s->fault_rate && nla_put_u64(msg, VMCTL_A_WATCH_FAULT_RATE, s->fault_rate) < 0)
		return -EMSGSIZE;
	if ((s->flags & VMCTL_WATCH_SPEC_OWNED) &&
	    nla_put_flag(msg, VMCTL_A_WATCH_SOCKET_OWNER) < 0)
		return -EMSGSIZE;
	return 0;
}

static int watch_add_parse(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct watch_add *a = arg;
	struct vmctl_watch_info w;
	int err;

	if (a->replies++)
		return -EBADMSG;	/* a do request gets one reply */
	err = watch_from_msg(nlh, tb, &w);
	if (err)
		return err;
	a->id = w.id;
	return 0;
}

static int spec_valid(const struct vmctl_watch_spec *s)
{
	size_t i;

	if (s->flags & ~WATCH_SPEC_FLAGS || s->pid < 0 || s->__reserved0 ||
	    s->nthresholds > VMCTL_WATCH_THRESHOLDS_MAX)
		return 0;
	if ((s->flags & VMCTL_WATCH_SPEC_GLOBAL) && s->pid)
		return 0;
	for (i = 0; i < ARRAY_SIZE(s->__reserved); i++)
		if (s->__reserved[i])
			return 0;
	return 1;
}

VMCTL_EXPORT int vmctl_watch_add(struct vmctl_ctx *ctx, const struct vmctl_watch_spec *spec,
				 uint32_t *id)
{
	struct watch_add a = { .spec = spec };
	struct vmctl_nl_request req = {
		.cmd = VMCTL_CMD_WATCH_ADD,
		.put = watch_add_put,
		.maxattr = VMCTL_A_WATCH_MAX,
		.policy = watch_policy,
		.parse_msg = watch_add_parse,
		.arg = &a,
	};
	int err;

	if (!ctx || !spec || !id || !spec_valid(spec))
		return -EINVAL;
	a.pid = spec->pid;
	if (!(spec->flags & VMCTL_WATCH_SPEC_GLOBAL) && !a.pid)
		a.pid = getpid();

	err = vmctl_nl_transact(ctx, &req);
	if (err < 0)
		return err;
	if (!a.replies)
		return -EBADMSG;
	*id = a.id;
	return 0;
}

static int watch_del_put(struct nl_msg *msg, void *arg)
{
	return nla_put_u32(msg, VMCTL_A_WATCH_ID, *(uint32_t *)arg) < 0 ? -EMSGSIZE : 0;
}

VMCTL_EXPORT int vmctl_watch_del(struct vmctl_ctx *ctx, uint32_t id)
{
	struct vmctl_nl_request req = {
		.cmd = VMCTL_CMD_WATCH_DEL,
		.put = watch_del_put,
		.maxattr = VMCTL_A_WATCH_MAX,
		.policy = watch_policy,
		.arg = &id,
	};

	if (!ctx)
		return -EINVAL;
	return vmctl_nl_transact(ctx, &req);
}

static int watch_list_parse(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct vmctl_dump_array *l = arg;
	struct vmctl_watch_info *w;

	w = vmctl_dump_slot(l);
	if (!w)
		return -ENOMEM;
	if (watch_from_msg(nlh, tb, w) < 0)
		return -EBADMSG;
	l->n++;
	return 0;
}

VMCTL_EXPORT int vmctl_watch_list(struct vmctl_ctx *ctx, struct vmctl_watch_info **watches,
				  size_t *n)
{
	struct vmctl_dump_array l = {
		.size = sizeof(struct vmctl_watch_info),
		.first_cap = 16,
	};
	int intr;
	struct vmctl_nl_request req = {
		.cmd = VMCTL_CMD_WATCH_GET,
		.flags = NLM_F_DUMP,
		.maxattr = VMCTL_A_WATCH_MAX,
		.policy = watch_policy,
		.parse_msg = watch_list_parse,
		.arg = &l,
		/* Each message stands alone: watches coming and going are fine. */
		.dump_intr = &intr,
	};
	int err;

	if (!ctx || !watches || !n)
		return -EINVAL;
	err = vmctl_nl_dump_array(ctx, &req, &l);
	if (err < 0)
		return err;
	*watches = l.items;
	*n = l.n;
	return 0;
}

/* ---- the listener ---- */

struct vmctl_events {
	struct vmctl_ctx *ctx;
	struct nl_sock *sock;
	int fd;
	int family;
	uint64_t lost;
	size_t buf_size;
	unsigned char *buf;
};

/* Big enough for any event message; a larger one is skipped (MSG_TRUNC). */
#define EVENTS_BUF_SIZE	16384

static const struct {
	uint8_t cmd;
	unsigned int type;
} event_cmds[] = {
	{ VMCTL_CMD_MAP_COUNT_THRESHOLD_NTF, VMCTL_EVENT_MAP_COUNT_THRESHOLD },
	{ VMCTL_CMD_MAP_COUNT_EXHAUSTED_NTF, VMCTL_EVENT_MAP_COUNT_EXHAUSTED },
	{ VMCTL_CMD_COMMIT_REFUSED_NTF, VMCTL_EVENT_COMMIT_REFUSED },
	{ VMCTL_CMD_FAULT_RATE_NTF, VMCTL_EVENT_FAULT_RATE },
	{ VMCTL_CMD_PROCESS_EXIT_NTF, VMCTL_EVENT_PROCESS_EXIT },
};

static struct nla_policy event_policy[VMCTL_A_EVENT_MAX + 1] = {
	[VMCTL_A_EVENT_WATCH_ID] = { .type = NLA_U32 },
	[VMCTL_A_EVENT_PID] = { .type = NLA_U32 },
	/* COMM: as in watch_policy. */
	[VMCTL_A_EVENT_TIME_NS] = { .type = NLA_U64 },
	[VMCTL_A_EVENT_MAP_COUNT] = { .type = NLA_U64 },
	[VMCTL_A_EVENT_MAX_MAP_COUNT] = { .type = NLA_U64 },
	[VMCTL_A_EVENT_THRESHOLD] = { .type = NLA_U32 },
	[VMCTL_A_EVENT_OP] = { .type = NLA_U32 },
	[VMCTL_A_EVENT_ADDR] = { .type = NLA_U64 },
	[VMCTL_A_EVENT_LEN] = { .type = NLA_U64 },
	[VMCTL_A_EVENT_LIMIT_KIND] = { .type = NLA_U32 },
	[VMCTL_A_EVENT_LIMIT_BYTES] = { .type = NLA_U64 },
	[VMCTL_A_EVENT_COMMITTED_BYTES] = { .type = NLA_U64 },
	[VMCTL_A_EVENT_REQUEST_BYTES] = { .type = NLA_U64 },
	[VMCTL_A_EVENT_FAULT_RATE] = { .type = NLA_U64 },
	[VMCTL_A_EVENT_FAULT_RATE_LIMIT] = { .type = NLA_U64 },
	[VMCTL_A_EVENT_EXIT_CODE] = { .type = NLA_U32 },
	[VMCTL_A_EVENT_MAP_COUNT_PEAK] = { .type = NLA_U64 },
	[VMCTL_A_EVENT_MAXRSS_BYTES] = { .type = NLA_U64 },
	[VMCTL_A_EVENT_MIN_FLT] = { .type = NLA_U64 },
	[VMCTL_A_EVENT_MAJ_FLT] = { .type = NLA_U64 },
};

static const struct {
	int attr;
	size_t off;
} event_u64_attrs[] = {
#define E(a, f) { VMCTL_A_EVENT_##a, offsetof(struct vmctl_event, f) }
	E(TIME_NS, time_ns), E(MAP_COUNT, map_count), E(MAX_MAP_COUNT, max_map_count),
	E(ADDR, addr), E(LEN, len), E(LIMIT_BYTES, limit_bytes),
	E(COMMITTED_BYTES, committed_bytes), E(REQUEST_BYTES, request_bytes),
	E(FAULT_RATE, fault_rate), E(FAULT_RATE_LIMIT, fault_rate_limit),
	E(MAP_COUNT_PEAK, map_count_peak), E(MAXRSS_BYTES, maxrss_bytes),
	E(MIN_FLT, min_flt), E(MAJ_FLT, maj_flt),
#undef E
};

/*
 * Decode one netlink message of family @family into @e. Returns 1 for an
 * event, 0 for a message that is no event (skipped), -EBADMSG for a
 * malformed event. Not exported; user/tests/test_watch.c calls it
 * through libvmctl.a.
 */
int vmctl_event_from_nlmsg(struct nlmsghdr *nlh, int family, struct vmctl_event *e);

int vmctl_event_from_nlmsg(struct nlmsghdr *nlh, int family, struct vmctl_event *e)
{
	struct nlattr *tb[VMCTL_A_EVENT_MAX + 1];
	struct genlmsghdr *gh;
	unsigned int type = 0;
	size_t i;

	if (nlh->nlmsg_type != family || !genlmsg_valid_hdr(nlh, 0))
		return 0;
	gh = nlmsg_data(nlh);
	for (i = 0; i < ARRAY_SIZE(event_cmds); i++)
		if (event_cmds[i].cmd == gh->cmd)
			type = event_cmds[i].type;
	if (!type)
		return 0;
	if (genlmsg_parse(nlh, 0, tb, VMCTL_A_EVENT_MAX, event_policy) < 0)
		return -EBADMSG;
	if (!tb[VMCTL_A_EVENT_WATCH_ID] || !tb[VMCTL_A_EVENT_PID])
		return -EBADMSG;

	memset(e, 0, sizeof(*e));
	e->type = type;
	e->watch_id = nla_get_u32(tb[VMCTL_A_EVENT_WATCH_ID]);
	e->pid = (pid_t)nla_get_u32(tb[VMCTL_A_EVENT_PID]);
	copy_comm(e->comm, sizeof(e->comm), tb[VMCTL_A_EVENT_COMM]);
	if (tb[VMCTL_A_EVENT_THRESHOLD])
		e->threshold = nla_get_u32(tb[VMCTL_A_EVENT_THRESHOLD]);
	if (tb[VMCTL_A_EVENT_OP])
		e->op = nla_get_u32(tb[VMCTL_A_EVENT_OP]);
	if (tb[VMCTL_A_EVENT_LIMIT_KIND])
		e->limit_kind = nla_get_u32(tb[VMCTL_A_EVENT_LIMIT_KIND]);
	if (tb[VMCTL_A_EVENT_EXIT_CODE])
		e->exit_code = (int)nla_get_u32(tb[VMCTL_A_EVENT_EXIT_CODE]);
	for (i = 0; i < ARRAY_SIZE(event_u64_attrs); i++) {
		const struct nlattr *a = tb[event_u64_attrs[i].attr];
		uint64_t v;

		if (!a)
			continue;
		v = nla_get_u64((struct nlattr *)a);
		memcpy((char *)e + event_u64_attrs[i].off, &v, sizeof(v));
	}
	return 1;
}

static int nle_to_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_OBJ_NOTFOUND:
		return -EOPNOTSUPP;
	case NLE_PERM:
	case NLE_NOACCESS:
		return -EPERM;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	default:
		return -EIO;
	}
}

VMCTL_EXPORT int vmctl_events_open(struct vmctl_ctx *ctx, unsigned int flags,
				   struct vmctl_events **out)
{
	struct vmctl_events *ev;
	int grp, err;

	if (!ctx || !out || flags)
		return -EINVAL;
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	ev->buf_size = EVENTS_BUF_SIZE;
	ev->buf = malloc(ev->buf_size);
	ev->sock = nl_socket_alloc();
	if (!ev->buf || !ev->sock) {
		err = -ENOMEM;
		goto fail;
	}
	/* Events are unsolicited: no sequence numbers to check. */
	nl_socket_disable_seq_check(ev->sock);
	err = genl_connect(ev->sock);
	if (err < 0) {
		err = nle_to_errno(err);
		goto fail;
	}
	ev->family = genl_ctrl_resolve(ev->sock, VMCTL_FAMILY_NAME);
	if (ev->family < 0) {
		err = ev->family == -NLE_OBJ_NOTFOUND ?
			vmctl_absent_errno(ctx, -EOPNOTSUPP) : nle_to_errno(ev->family);
		goto fail;
	}
	grp = genl_ctrl_resolve_grp(ev->sock, VMCTL_FAMILY_NAME, VMCTL_MCGRP_EVENTS);
	if (grp < 0) {
		/* A module without the group predates events. */
		err = nle_to_errno(grp);
		goto fail;
	}
	err = nl_socket_add_membership(ev->sock, grp);
	if (err < 0) {
		err = nle_to_errno(err);
		goto fail;
	}
	err = nl_socket_set_nonblocking(ev->sock);
	if (err < 0) {
		err = nle_to_errno(err);
		goto fail;
	}
	ev->fd = nl_socket_get_fd(ev->sock);
	ev->ctx = vmctl_ref(ctx);
	*out = ev;
	return 0;

fail:
	if (ev->sock)
		nl_socket_free(ev->sock);
	free(ev->buf);
	free(ev);
	return err;
}

VMCTL_EXPORT void vmctl_events_close(struct vmctl_events *ev)
{
	if (!ev)
		return;
	nl_socket_free(ev->sock);
	vmctl_unref(ev->ctx);
	free(ev->buf);
	free(ev);
}

VMCTL_EXPORT int vmctl_events_fd(const struct vmctl_events *ev)
{
	return ev ? ev->fd : -EINVAL;
}

VMCTL_EXPORT uint64_t vmctl_events_lost(const struct vmctl_events *ev)
{
	return ev ? ev->lost : 0;
}

/* The messages of one datagram of @len bytes; stops at @cb's error. */
static int events_dispatch(struct vmctl_events *ev, size_t len, vmctl_event_cb cb,
			   void *data, int *count)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)ev->buf;
	int rem = (int)len;

	for (; nlmsg_ok(nlh, rem); nlh = nlmsg_next(nlh, &rem)) {
		struct vmctl_event e;
		int err;

		if (vmctl_event_from_nlmsg(nlh, ev->family, &e) <= 0)
			continue;
		(*count)++;
		err = cb(&e, data);
		if (err)
			return err;
	}
	return 0;
}

VMCTL_EXPORT int vmctl_events_read(struct vmctl_events *ev, vmctl_event_cb cb, void *data)
{
	struct sockaddr_nl from;
	int count = 0, err;

	if (!ev || !cb)
		return -EINVAL;
	for (;;) {
		struct iovec iov = { .iov_base = ev->buf, .iov_len = ev->buf_size };
		struct msghdr msg = {
			.msg_name = &from,
			.msg_namelen = sizeof(from),
			.msg_iov = &iov,
			.msg_iovlen = 1,
		};
		ssize_t n = recvmsg(ev->fd, &msg, MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return count;
			if (errno == ENOBUFS) {
				/* The kernel dropped messages for us; the queue goes on. */
				struct vmctl_event lost = { .type = VMCTL_EVENT_LOST };

				ev->lost++;
				count++;
				err = cb(&lost, data);
				if (err)
					return err;
				continue;
			}
			return -errno;
		}
		/* Only the kernel sends events; a truncated one cannot be decoded. */
		if (from.nl_pid != 0 || (msg.msg_flags & MSG_TRUNC))
			continue;
		err = events_dispatch(ev, (size_t)n, cb, data, &count);
		if (err)
			return err;
	}
}

/* ---- names ---- */

static const char *const event_names[] = {
	"map-count-threshold", "map-count-exhausted", "commit-refused", "fault-rate",
	"process-exit",
};

VMCTL_EXPORT const char *vmctl_event_name(unsigned int type)
{
	if (type == VMCTL_EVENT_LOST)
		return "lost";
	if (type & (type - 1) || !(type & VMCTL_EVENT_ALL))
		return NULL;
	if ((unsigned int)__builtin_ctz(type) >= ARRAY_SIZE(event_names))
		return NULL;
	return event_names[__builtin_ctz(type)];
}

VMCTL_EXPORT unsigned int vmctl_event_from_name(const char *name)
{
	size_t i;

	if (!name)
		return 0;
	for (i = 0; i < ARRAY_SIZE(event_names); i++)
		if (!strcmp(name, event_names[i]))
			return 1U << i;
	return 0;
}

VMCTL_EXPORT const char *vmctl_event_op_name(unsigned int op)
{
	static const char *const names[] = {
		[VMCTL_OP_MMAP] = "mmap",
		[VMCTL_OP_MPROTECT] = "mprotect",
		[VMCTL_OP_MUNMAP] = "munmap",
		[VMCTL_OP_MREMAP] = "mremap",
		[VMCTL_OP_BRK] = "brk",
		[VMCTL_OP_MADVISE] = "madvise",
		[VMCTL_OP_MLOCK] = "mlock",
		[VMCTL_OP_MUNLOCK] = "munlock",
		[VMCTL_OP_SHMAT] = "shmat",
		[VMCTL_OP_OTHER] = "other",
	};

	return op < ARRAY_SIZE(names) ? names[op] : NULL;
}

VMCTL_EXPORT const char *vmctl_limit_kind_name(unsigned int kind)
{
	switch (kind) {
	case VMCTL_LIMIT_PROCESS:
		return "process";
	case VMCTL_LIMIT_SYSTEM:
		return "system";
	}
	return NULL;
}
