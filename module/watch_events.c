// SPDX-License-Identifier: GPL-2.0
/*
 * The event queue: hooks, which cannot sleep or allocate freely, copy
 * events into a fixed ring; a work item turns them into netlink messages
 * on the "events" multicast group of the watch's network namespace.
 *
 * Nothing here ever waits for a listener: a full ring drops the new
 * event, a listener whose socket is full loses it (netlink marks the
 * socket, which then reads ENOBUFS), and both count in the watch's
 * EVENTS_DROPPED.
 */

#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "vmctl.h"
#include "watch.h"

#define VMCTL_EVENTS_QUEUED	256

static DEFINE_SPINLOCK(vmctl_events_lock);
static struct vmctl_event vmctl_events_ring[VMCTL_EVENTS_QUEUED];
static unsigned int vmctl_events_head, vmctl_events_len;
static atomic64_t vmctl_events_lost = ATOMIC64_INIT(0);
/* One sender at a time, so a watch's events leave in the order queued. */
static DEFINE_MUTEX(vmctl_events_send_mutex);
/* Module exit has begun: the family may be gone, events are dropped. */
static bool vmctl_events_closed;

static void vmctl_events_send_work(struct work_struct *work);
static DECLARE_WORK(vmctl_events_sender, vmctl_events_send_work);

u64 vmctl_events_dropped(void)
{
	return atomic64_read(&vmctl_events_lost);
}

void vmctl_event_init(struct vmctl_event *ev, struct vmctl_watch *w, u8 cmd,
		      struct task_struct *task)
{
	memset(ev, 0, sizeof(*ev));
	ev->watch = w;
	ev->cmd = cmd;
	ev->time_ns = ktime_get_ns();
	ev->pid = task_tgid_nr_ns(task, w->pidns);
	get_task_comm(ev->comm, task->group_leader);
}

void vmctl_event_queue(const struct vmctl_event *ev)
{
	struct vmctl_watch *w = ev->watch;
	unsigned long flags;
	bool queued = false;

	spin_lock_irqsave(&vmctl_events_lock, flags);
	/* A watch being freed takes no new event. */
	if (vmctl_events_len < VMCTL_EVENTS_QUEUED && kref_get_unless_zero(&w->ref)) {
		vmctl_events_ring[(vmctl_events_head + vmctl_events_len) %
				  VMCTL_EVENTS_QUEUED] = *ev;
		vmctl_events_len++;
		queued = true;
	}
	spin_unlock_irqrestore(&vmctl_events_lock, flags);

	if (!queued) {
		atomic64_inc(&w->dropped);
		atomic64_inc(&vmctl_events_lost);
		return;
	}
	schedule_work(&vmctl_events_sender);
}

static bool vmctl_events_pop(struct vmctl_event *ev)
{
	unsigned long flags;
	bool ret = false;

	spin_lock_irqsave(&vmctl_events_lock, flags);
	if (vmctl_events_len) {
		*ev = vmctl_events_ring[vmctl_events_head];
		vmctl_events_head = (vmctl_events_head + 1) % VMCTL_EVENTS_QUEUED;
		vmctl_events_len--;
		ret = true;
	}
	spin_unlock_irqrestore(&vmctl_events_lock, flags);
	return ret;
}

static int vmctl_event_put_u64(struct sk_buff *msg, int type, u64 value)
{
	return nla_put_u64_64bit(msg, type, value, VMCTL_A_EVENT_PAD);
}

static int vmctl_event_fill(struct sk_buff *msg, const struct vmctl_event *ev)
{
	if (nla_put_u32(msg, VMCTL_A_EVENT_WATCH_ID, ev->watch->id) ||
	    nla_put_u32(msg, VMCTL_A_EVENT_PID, ev->pid) ||
	    nla_put_string(msg, VMCTL_A_EVENT_COMM, ev->comm) ||
	    vmctl_event_put_u64(msg, VMCTL_A_EVENT_TIME_NS, ev->time_ns))
		return -EMSGSIZE;

	switch (ev->cmd) {
	case VMCTL_CMD_MAP_COUNT_THRESHOLD_NTF:
		if (nla_put_u32(msg, VMCTL_A_EVENT_THRESHOLD, ev->threshold))
			return -EMSGSIZE;
		fallthrough;
	case VMCTL_CMD_MAP_COUNT_EXHAUSTED_NTF:
		if (vmctl_event_put_u64(msg, VMCTL_A_EVENT_MAP_COUNT, ev->map_count) ||
		    vmctl_event_put_u64(msg, VMCTL_A_EVENT_MAX_MAP_COUNT,
					ev->max_map_count))
			return -EMSGSIZE;
		if (ev->cmd == VMCTL_CMD_MAP_COUNT_THRESHOLD_NTF)
			return 0;
		if (nla_put_u32(msg, VMCTL_A_EVENT_OP, ev->op) ||
		    vmctl_event_put_u64(msg, VMCTL_A_EVENT_ADDR, ev->addr) ||
		    vmctl_event_put_u64(msg, VMCTL_A_EVENT_LEN, ev->len))
			return -EMSGSIZE;
		return 0;
	case VMCTL_CMD_COMMIT_REFUSED_NTF:
		if (nla_put_u32(msg, VMCTL_A_EVENT_LIMIT_KIND, ev->limit_kind) ||
		    vmctl_event_put_u64(msg, VMCTL_A_EVENT_LIMIT_BYTES, ev->limit_bytes) ||
		    vmctl_event_put_u64(msg, VMCTL_A_EVENT_COMMITTED_BYTES,
					ev->committed_bytes) ||
		    vmctl_event_put_u64(msg, VMCTL_A_EVENT_REQUEST_BYTES,
					ev->request_bytes))
			return -EMSGSIZE;
		return 0;
	case VMCTL_CMD_FAULT_RATE_NTF:
		if (vmctl_event_put_u64(msg, VMCTL_A_EVENT_FAULT_RATE, ev->rate) ||
		    vmctl_event_put_u64(msg, VMCTL_A_EVENT_FAULT_RATE_LIMIT,
					ev->rate_limit))
			return -EMSGSIZE;
		return 0;
	case VMCTL_CMD_PROCESS_EXIT_NTF:
		if (nla_put_u32(msg, VMCTL_A_EVENT_EXIT_CODE, ev->exit_code) ||
		    vmctl_event_put_u64(msg, VMCTL_A_EVENT_MAP_COUNT, ev->map_count) ||
		    vmctl_event_put_u64(msg, VMCTL_A_EVENT_MAP_COUNT_PEAK, ev->peak) ||
		    vmctl_event_put_u64(msg, VMCTL_A_EVENT_MAXRSS_BYTES, ev->maxrss) ||
		    vmctl_event_put_u64(msg, VMCTL_A_EVENT_MIN_FLT, ev->min_flt) ||
		    vmctl_event_put_u64(msg, VMCTL_A_EVENT_MAJ_FLT, ev->maj_flt))
			return -EMSGSIZE;
		return 0;
	}
	return 0;
}

#ifdef VMCTL_HAVE_GENL_MULTICAST_FILTERED	/* from module/Kbuild */
/*
 * Only the watch's creator (by the uid that opened the listening socket)
 * and administrators hear its events: they name processes and counts
 * that /proc shows to those alone. Non-zero skips the listener.
 */
static int vmctl_event_filter(struct sock *dsk, struct sk_buff *skb, void *data)
{
	const struct vmctl_watch *w = data;

	if (uid_eq(sock_i_uid(dsk), w->owner))
		return 0;
	return !sk_capable(dsk, CAP_SYS_ADMIN);
}

static int vmctl_event_multicast(struct vmctl_watch *w, struct sk_buff *msg)
{
	return genlmsg_multicast_netns_filtered(&vmctl_genl_family, w->net, msg,
						0, VMCTL_MCGRP_EVENTS_ID,
						GFP_KERNEL, vmctl_event_filter, w);
}
#else
static int vmctl_event_multicast(struct vmctl_watch *w, struct sk_buff *msg)
{
	return genlmsg_multicast_netns(&vmctl_genl_family, w->net, msg, 0,
				       VMCTL_MCGRP_EVENTS_ID, GFP_KERNEL);
}
#endif

/*
 * A map-count-exhausted candidate is kept only if the map count was at
 * the limit read now: the hook saw ENOMEM and a cached limit.
 */
static bool vmctl_event_still_valid(struct vmctl_event *ev)
{
	u64 max;

	if (ev->cmd != VMCTL_CMD_MAP_COUNT_EXHAUSTED_NTF)
		return true;
	max = vmctl_max_map_count();
	if (!max)
		return true;
	vmctl_watch_refresh_max();
	ev->max_map_count = max;
	return ev->map_count + 2 >= max;
}

static void vmctl_event_send(struct vmctl_event *ev)
{
	struct vmctl_watch *w = ev->watch;
	struct sk_buff *msg;
	void *hdr;
	int ret;

	if (vmctl_events_closed || !vmctl_event_still_valid(ev))
		return;
	if (!genl_has_listeners(&vmctl_genl_family, w->net, VMCTL_MCGRP_EVENTS_ID))
		return;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto dropped;
	hdr = genlmsg_put(msg, 0, 0, &vmctl_genl_family, 0, ev->cmd);
	if (!hdr || vmctl_event_fill(msg, ev)) {
		nlmsg_free(msg);
		goto dropped;
	}
	genlmsg_end(msg, hdr);
	ret = vmctl_event_multicast(w, msg);
	/* ESRCH: nobody listens any more; ENOBUFS: a listener overran. */
	if (ret == -ENOBUFS)
		goto dropped;
	if (!ret)
		atomic64_inc(&w->sent);
	return;

dropped:
	atomic64_inc(&w->dropped);
	atomic64_inc(&vmctl_events_lost);
}

static void vmctl_events_send_work(struct work_struct *work)
{
	vmctl_events_flush();
}

/* Sends every queued event; process context. */
void vmctl_events_flush(void)
{
	struct vmctl_event ev;

	mutex_lock(&vmctl_events_send_mutex);
	while (vmctl_events_pop(&ev)) {
		vmctl_event_send(&ev);
		vmctl_watch_put(ev.watch);
		cond_resched();
	}
	mutex_unlock(&vmctl_events_send_mutex);
}

void vmctl_events_close(void)
{
	mutex_lock(&vmctl_events_send_mutex);
	vmctl_events_closed = true;
	mutex_unlock(&vmctl_events_send_mutex);
}

/* Module exit, after the hooks are gone: drop what is left. */
void vmctl_events_exit(void)
{
	cancel_work_sync(&vmctl_events_sender);
	vmctl_events_flush();
}
