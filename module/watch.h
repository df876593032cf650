/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Watches and events: what a watch is, how its events are queued and
 * sent (watch.c, watch_events.c, watch_hooks.c, genl_watch.c).
 *
 * Locking:
 *  - vmctl_watch_mutex serialises creating and ending watches and the
 *    (un)registration of the hooks; it is taken in process context only.
 *  - vmctl_watch_lock (a spinlock) guards the lookup structures the hooks
 *    read (the pid hash and the list of global watches, both RCU) and
 *    every change of a watch's per-process state. The hooks read under
 *    RCU and take the spinlock only when a state changes: an event fires
 *    or a threshold re-arms.
 *  - the event queue has its own spinlock, taken inside vmctl_watch_lock.
 *  - a watch is freed when its last reference goes: one for being live,
 *    one per queued event. References are dropped in process context
 *    only, so freeing may sleep.
 */
#ifndef _VMCTL_WATCH_H
#define _VMCTL_WATCH_H

#include <linux/atomic.h>
#include <linux/hashtable.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/vmctl.h>
#include <linux/xarray.h>

struct net;
struct pid;
struct pid_namespace;

/* Major-fault samples kept for the rate: one per tick over a second. */
#define VMCTL_RATE_SAMPLES	5

/* One process as seen by one watch. */
struct vmctl_watch_state {
	struct pid *pid;		/* global watches: a reference */
	struct rcu_head rcu;
	unsigned long fired;		/* bit i: threshold i sent, not re-armed */
	u64 map_count;			/* last seen at a syscall exit */
	u64 peak;
	atomic_t exited;
	bool rate_fired;
	unsigned int rate_next;
	u64 rate_time[VMCTL_RATE_SAMPLES];
	u64 rate_count[VMCTL_RATE_SAMPLES];
};

struct vmctl_watch {
	struct kref ref;
	u32 id;
	struct pid *pid;		/* NULL for a global watch */
	struct hlist_node pid_node;	/* vmctl_watch_pids, pid watches */
	struct list_head global_node;	/* vmctl_watch_globals */
	struct list_head dead_node;	/* ended by an exit, to be dropped */
	struct rcu_head rcu;
	struct pid_namespace *pidns;	/* the creator's: pids in events */
	struct net *net;		/* the creator's socket: events go there */
	kuid_t owner;			/* the creator's fsuid */
	u32 owner_portid;		/* socket owner: ends when it closes; 0: none */
	u32 events;			/* VMCTL_EVENT_* */
	u8 nthresholds;
	u8 thresholds[VMCTL_WATCH_THRESHOLDS_MAX];	/* ascending */
	u8 hysteresis;
	u64 fault_rate;
	char comm[TASK_COMM_LEN];
	struct vmctl_watch_state state;	/* pid watches */
	struct xarray procs;		/* global: pid_nr() -> state */
	unsigned int nprocs;		/* under vmctl_watch_lock */
	atomic64_t sent;
	atomic64_t dropped;
	bool live;			/* under vmctl_watch_mutex */
	bool unlinked;			/* under vmctl_watch_lock */
};

/* A global watch keeps state for at most this many processes. */
#define VMCTL_WATCH_PROCS_MAX	4096

/* What an event carries; which fields count depends on @cmd. */
struct vmctl_event {
	struct vmctl_watch *watch;	/* a reference */
	u8 cmd;				/* VMCTL_CMD_*_NTF */
	u32 pid;
	char comm[TASK_COMM_LEN];
	u64 time_ns;
	u64 map_count;
	u64 max_map_count;
	u64 peak;
	u32 threshold;
	u32 op;
	u32 limit_kind;
	u32 exit_code;
	u64 addr;
	u64 len;
	u64 limit_bytes;
	u64 committed_bytes;
	u64 request_bytes;
	u64 rate;
	u64 rate_limit;
	u64 maxrss;
	u64 min_flt;
	u64 maj_flt;
};

/* watch.c */
extern struct mutex vmctl_watch_mutex;
extern spinlock_t vmctl_watch_lock;
extern struct list_head vmctl_watch_globals;

#define VMCTL_WATCH_HASH_BITS	8
extern struct hlist_head vmctl_watch_pids[1 << VMCTL_WATCH_HASH_BITS];
int vmctl_watch_add(struct vmctl_watch *w);
int vmctl_watch_del(u32 id, const struct cred *cred, bool admin);
void vmctl_watch_cancel(struct vmctl_watch *w);
struct vmctl_watch *vmctl_watch_get_next(unsigned long *id);
void vmctl_watch_put(struct vmctl_watch *w);
/* From a hook: @w's process is gone; ends @w from process context. */
void vmctl_watch_end_async(struct vmctl_watch *w);
void vmctl_watch_reap(void);
void vmctl_watch_state_free(struct vmctl_watch_state *st);
u64 vmctl_watch_cached_max(void);
void vmctl_watch_refresh_max(void);

/* watch_events.c: the queue between the hooks and the sender. */
/* Fills the common fields of @ev for @task (or @w's process if NULL). */
void vmctl_event_init(struct vmctl_event *ev, struct vmctl_watch *w, u8 cmd,
		      struct task_struct *task);
/* Queues a copy of @ev, taking a reference on its watch; never sleeps. */
void vmctl_event_queue(const struct vmctl_event *ev);
void vmctl_events_flush(void);
void vmctl_events_close(void);
void vmctl_events_exit(void);
u64 vmctl_events_dropped(void);

/* watch_hooks.c */
int vmctl_watch_hooks_get(bool map_count);
void vmctl_watch_hooks_put(bool map_count);
void vmctl_watch_hooks_init(void);
void vmctl_watch_hooks_exit(void);

#endif /* _VMCTL_WATCH_H */
