// SPDX-License-Identifier: GPL-2.0
/*
 * Where events come from.
 *
 *  - raw_syscalls:sys_exit, registered while a watch wants map-count
 *    events: at the exit of every system call that can add or remove a
 *    VMA, the caller's map_count is checked against its watches'
 *    thresholds, and an ENOMEM from such a call at the limit is a
 *    map-count-exhausted event. Registering it makes every system call
 *    of every task take the slow exit path that runs syscall
 *    tracepoints; a call that is not one of those costs a switch on its
 *    number, one that is costs a hash lookup.
 *  - sched:sched_process_exit, registered while any watch exists: the
 *    process-exit event, and the end of the watches of that process.
 *  - a tick every 250 ms while any watch exists: major-fault rates of
 *    the processes with a fault-rate watch (their threads' counters,
 *    summed as getrusage() does), and vm.max_map_count once a second.
 *  - vmctl_watch_commit_refused(), called by the commit ioctl.
 *
 * Nothing runs while no watch exists. Only native 64-bit system calls
 * are checked; compat (ia32, x32) callers are not.
 */

#include <linux/compat.h>
#include <linux/ktime.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/tracepoint.h>
#include <linux/workqueue.h>
#include <asm/syscall.h>
#include <asm/unistd.h>

#include "vmctl.h"
#include "watch.h"

static struct tracepoint *vmctl_tp_sys_exit, *vmctl_tp_proc_exit;
/* Under vmctl_watch_mutex. */
static unsigned int vmctl_hooks_users, vmctl_hooks_map_users;

static void vmctl_watch_tick(struct work_struct *work);
static DECLARE_DELAYED_WORK(vmctl_watch_ticker, vmctl_watch_tick);
#define VMCTL_TICK	(HZ / 4)

/* A system call that may have changed the caller's VMAs. */
struct vmctl_call {
	struct task_struct *task;
	struct pid *pid;
	u32 op;			/* enum vmctl_event_op */
	bool refused;		/* ENOMEM, or a brk() that did not move */
	u64 map_count;
	u64 max;
	u64 addr;
	u64 len;
};

#define VMCTL_MAP_EVENTS	(VMCTL_EVENT_MAP_COUNT_THRESHOLD | \
				 VMCTL_EVENT_MAP_COUNT_EXHAUSTED)

static u32 vmctl_syscall_op(long nr)
{
	switch (nr) {
	case __NR_mmap:
		return VMCTL_OP_MMAP;
	case __NR_mprotect:
	case __NR_pkey_mprotect:
		return VMCTL_OP_MPROTECT;
	case __NR_munmap:
		return VMCTL_OP_MUNMAP;
	case __NR_mremap:
		return VMCTL_OP_MREMAP;
	case __NR_brk:
		return VMCTL_OP_BRK;
	case __NR_madvise:
	case __NR_process_madvise:
		return VMCTL_OP_MADVISE;
	case __NR_mlock:
	case __NR_mlock2:
	case __NR_mlockall:
		return VMCTL_OP_MLOCK;
	case __NR_munlock:
	case __NR_munlockall:
		return VMCTL_OP_MUNLOCK;
	case __NR_shmat:
		return VMCTL_OP_SHMAT;
	case __NR_shmdt:
	case __NR_remap_file_pages:
#ifdef __NR_mseal
	case __NR_mseal:
#endif
		return VMCTL_OP_OTHER;
	}
	return 0;
}

/* Has @count reached @pct percent of @max? */
static bool vmctl_reached(u64 count, u64 max, unsigned int pct)
{
	return count * 100 >= (u64)pct * max;
}

/* The thresholds @w has fired for @count, given those fired before. */
static unsigned long vmctl_watch_fired(const struct vmctl_watch *w,
				       unsigned long fired, u64 count, u64 max)
{
	unsigned int i, pct;

	for (i = 0; i < w->nthresholds; i++) {
		pct = w->thresholds[i];
		if (vmctl_reached(count, max, pct))
			fired |= BIT(i);
		else if (pct > w->hysteresis &&
			 !vmctl_reached(count, max, pct - w->hysteresis))
			fired &= ~BIT(i);
	}
	return fired;
}

static void vmctl_watch_map_event(struct vmctl_watch *w, const struct vmctl_call *c,
				  u8 cmd, unsigned int threshold)
{
	struct vmctl_event ev;

	vmctl_event_init(&ev, w, cmd, c->task);
	ev.map_count = c->map_count;
	ev.max_map_count = c->max;
	ev.threshold = threshold;
	ev.op = c->op;
	ev.addr = c->addr;
	ev.len = c->len;
	vmctl_event_queue(&ev);
}

static void vmctl_watch_check(struct vmctl_watch *w, struct vmctl_watch_state *st,
			      const struct vmctl_call *c)
{
	unsigned long old, fired;
	unsigned int i;

	WRITE_ONCE(st->map_count, c->map_count);
	if (c->map_count > READ_ONCE(st->peak))
		WRITE_ONCE(st->peak, c->map_count);
	if (!c->max)
		return;

	fired = vmctl_watch_fired(w, READ_ONCE(st->fired), c->map_count, c->max);
	if (fired != READ_ONCE(st->fired)) {
		spin_lock(&vmctl_watch_lock);
		old = st->fired;
		fired = vmctl_watch_fired(w, old, c->map_count, c->max);
		st->fired = fired;
		for (i = 0; i < w->nthresholds; i++)
			if ((w->events & VMCTL_EVENT_MAP_COUNT_THRESHOLD) &&
			    (fired & ~old & BIT(i)))
				vmctl_watch_map_event(w, c, VMCTL_CMD_MAP_COUNT_THRESHOLD_NTF,
						      w->thresholds[i]);
		spin_unlock(&vmctl_watch_lock);
	}

	/* Candidates only: the sender checks against the live limit. */
	if (c->refused && (w->events & VMCTL_EVENT_MAP_COUNT_EXHAUSTED) &&
	    c->map_count + 2 >= c->max)
		vmctl_watch_map_event(w, c, VMCTL_CMD_MAP_COUNT_EXHAUSTED_NTF, 0);
}

/* A global watch's state for @c's process, made when it first matters. */
static struct vmctl_watch_state *vmctl_watch_state_of(struct vmctl_watch *w,
						      const struct vmctl_call *c)
{
	unsigned long nr = pid_nr(c->pid);
	struct vmctl_watch_state *st, *old;

	st = xa_load(&w->procs, nr);
	if (st && st->pid == c->pid)
		return st;
	if (!c->max || !w->nthresholds)
		return NULL;
	if (!c->refused && !vmctl_reached(c->map_count, c->max, w->thresholds[0]))
		return NULL;

	spin_lock(&vmctl_watch_lock);
	old = xa_load(&w->procs, nr);
	if (old && old->pid == c->pid) {
		st = old;
		goto out;
	}
	st = NULL;
	/* An ended watch frees its states once: it must get no new one. */
	if (w->unlinked)
		goto out;
	if (w->nprocs >= VMCTL_WATCH_PROCS_MAX) {
		atomic64_inc(&w->dropped);
		goto out;
	}
	st = kzalloc(sizeof(*st), GFP_ATOMIC | __GFP_NOWARN);
	if (!st) {
		atomic64_inc(&w->dropped);
		goto out;
	}
	st->pid = get_pid(c->pid);
	old = xa_store(&w->procs, nr, st, GFP_ATOMIC | __GFP_NOWARN);
	if (xa_is_err(old)) {
		put_pid(st->pid);
		kfree(st);
		st = NULL;
		atomic64_inc(&w->dropped);
		goto out;
	}
	if (old) {
		/* A process that exited unseen left its number behind. */
		vmctl_watch_state_free(old);
	} else {
		w->nprocs++;
	}
out:
	spin_unlock(&vmctl_watch_lock);
	return st;
}

static void vmctl_sys_exit_probe(void *data, struct pt_regs *regs, long ret)
{
	unsigned long args[6];
	struct vmctl_watch_state *st;
	struct vmctl_watch *w;
	struct vmctl_call c;
	struct mm_struct *mm;

	c.op = vmctl_syscall_op(syscall_get_nr(current, regs));
	if (!c.op || in_compat_syscall())
		return;
	mm = current->mm;
	if (!mm)
		return;

	syscall_get_arguments(current, regs, args);
	c.task = current;
	c.pid = task_tgid(current);
	c.map_count = READ_ONCE(mm->map_count);
	c.max = vmctl_watch_cached_max();
	c.addr = args[0];
	c.len = c.op == VMCTL_OP_MREMAP ? args[2] : args[1];
	c.refused = ret == -ENOMEM;
	if (c.op == VMCTL_OP_BRK) {
		c.refused = args[0] > (unsigned long)ret;
		c.addr = ret;
		c.len = c.refused ? args[0] - ret : 0;
	} else if (c.op == VMCTL_OP_SHMAT) {
		c.addr = args[1];
		c.len = 0;
	}

	rcu_read_lock();
	hash_for_each_possible_rcu(vmctl_watch_pids, w, pid_node, (unsigned long)c.pid)
		if (w->pid == c.pid && (w->events & VMCTL_MAP_EVENTS))
			vmctl_watch_check(w, &w->state, &c);
	list_for_each_entry_rcu(w, &vmctl_watch_globals, global_node) {
		if (!(w->events & VMCTL_MAP_EVENTS))
			continue;
		st = vmctl_watch_state_of(w, &c);
		if (st)
			vmctl_watch_check(w, st, &c);
	}
	rcu_read_unlock();
}

static u64 vmctl_group_faults(struct task_struct *p, bool major)
{
	struct signal_struct *sig = p->signal;
	struct task_struct *t;
	u64 n = major ? sig->maj_flt : sig->min_flt;

	for_each_thread(p, t)
		n += major ? t->maj_flt : t->min_flt;
	return n;
}

static void vmctl_watch_exit_event(struct vmctl_watch *w, struct task_struct *p)
{
	struct vmctl_event ev;

	vmctl_event_init(&ev, w, VMCTL_CMD_PROCESS_EXIT_NTF, p);
	ev.exit_code = p->exit_code;
	ev.map_count = READ_ONCE(w->state.map_count);
	ev.peak = READ_ONCE(w->state.peak);
	ev.maxrss = (u64)p->signal->maxrss << PAGE_SHIFT;
	ev.min_flt = vmctl_group_faults(p, false);
	ev.maj_flt = vmctl_group_faults(p, true);
	vmctl_event_queue(&ev);
}

static void vmctl_proc_exit_probe(void *data, struct task_struct *p)
{
	struct vmctl_watch_state *st;
	struct vmctl_watch *w;
	struct pid *pid;

	/* Only the last thread of a process ends it. */
	if (atomic_read(&p->signal->live))
		return;
	pid = task_tgid(p);

	rcu_read_lock();
	hash_for_each_possible_rcu(vmctl_watch_pids, w, pid_node, (unsigned long)pid) {
		if (w->pid != pid || atomic_xchg(&w->state.exited, 1))
			continue;
		spin_lock(&vmctl_watch_lock);
		if (w->events & VMCTL_EVENT_PROCESS_EXIT)
			vmctl_watch_exit_event(w, p);
		vmctl_watch_end_async(w);
		spin_unlock(&vmctl_watch_lock);
	}
	list_for_each_entry_rcu(w, &vmctl_watch_globals, global_node) {
		st = xa_load(&w->procs, pid_nr(pid));
		if (!st || st->pid != pid)
			continue;
		spin_lock(&vmctl_watch_lock);
		/* An ended watch's states are the release's to free. */
		if (!w->unlinked &&
		    xa_cmpxchg(&w->procs, pid_nr(pid), st, NULL, GFP_ATOMIC) == st) {
			w->nprocs--;
			vmctl_watch_state_free(st);
		}
		spin_unlock(&vmctl_watch_lock);
	}
	rcu_read_unlock();
}

static void vmctl_watch_refused_event(struct vmctl_watch *w, const struct vmctl_event *what)
{
	struct vmctl_event ev;

	if (!(w->events & VMCTL_EVENT_COMMIT_REFUSED))
		return;
	vmctl_event_init(&ev, w, VMCTL_CMD_COMMIT_REFUSED_NTF, current);
	ev.limit_kind = what->limit_kind;
	ev.limit_bytes = what->limit_bytes;
	ev.committed_bytes = what->committed_bytes;
	ev.request_bytes = what->request_bytes;
	vmctl_event_queue(&ev);
}

/* Called by the commit ioctl in the committing process. */
void vmctl_watch_commit_refused(u32 kind, u64 limit, u64 committed, u64 request)
{
	struct vmctl_event what = {
		.limit_kind = kind,
		.limit_bytes = limit,
		.committed_bytes = committed,
		.request_bytes = request,
	};
	struct pid *pid = task_tgid(current);
	struct vmctl_watch *w;

	rcu_read_lock();
	hash_for_each_possible_rcu(vmctl_watch_pids, w, pid_node, (unsigned long)pid)
		if (w->pid == pid)
			vmctl_watch_refused_event(w, &what);
	list_for_each_entry_rcu(w, &vmctl_watch_globals, global_node)
		vmctl_watch_refused_event(w, &what);
	rcu_read_unlock();
}

/* Major faults per second over the last second (less at first). */
static u64 vmctl_watch_rate(struct vmctl_watch_state *st, u64 now, u64 count)
{
	unsigned int slot = st->rate_next % VMCTL_RATE_SAMPLES, oldest;
	u64 dt;

	st->rate_time[slot] = now;
	st->rate_count[slot] = count;
	oldest = st->rate_next < VMCTL_RATE_SAMPLES - 1 ? 0 :
		 (st->rate_next + 1) % VMCTL_RATE_SAMPLES;
	st->rate_next++;
	dt = now - st->rate_time[oldest];
	if (!dt)
		return 0;
	return div64_u64((count - st->rate_count[oldest]) * NSEC_PER_SEC, dt);
}

static void vmctl_watch_sample(struct vmctl_watch *w)
{
	struct vmctl_watch_state *st = &w->state;
	struct vmctl_event ev;
	struct task_struct *p;
	u64 rate;

	p = pid_task(w->pid, PIDTYPE_TGID);
	if (!p || atomic_read(&st->exited))
		return;
	rate = vmctl_watch_rate(st, ktime_get_ns(), vmctl_group_faults(p, true));
	if (st->rate_fired) {
		st->rate_fired = rate >= w->fault_rate / 2;
		return;
	}
	if (rate < w->fault_rate)
		return;
	st->rate_fired = true;
	vmctl_event_init(&ev, w, VMCTL_CMD_FAULT_RATE_NTF, p);
	ev.rate = rate;
	ev.rate_limit = w->fault_rate;
	vmctl_event_queue(&ev);
}

static void vmctl_watch_tick(struct work_struct *work)
{
	static unsigned int ticks;
	struct vmctl_watch *w;
	unsigned int bkt;

	if (!(ticks++ % 4))
		vmctl_watch_refresh_max();

	/* The tick is the only writer of the rate fields. */
	rcu_read_lock();
	hash_for_each_rcu(vmctl_watch_pids, bkt, w, pid_node)
		if ((w->events & VMCTL_EVENT_FAULT_RATE) && w->fault_rate)
			vmctl_watch_sample(w);
	rcu_read_unlock();

	mutex_lock(&vmctl_watch_mutex);
	if (vmctl_hooks_users)
		schedule_delayed_work(&vmctl_watch_ticker, VMCTL_TICK);
	mutex_unlock(&vmctl_watch_mutex);
}

/*
 * vmctl_watch_hooks_get - a watch is being added (under vmctl_watch_mutex)
 * @map_count: it wants map-count events
 * Return: 0 or the error of registering a tracepoint probe.
 */
int vmctl_watch_hooks_get(bool map_count)
{
	int ret;

	lockdep_assert_held(&vmctl_watch_mutex);
	if (!vmctl_tp_proc_exit || (map_count && !vmctl_tp_sys_exit))
		return -EOPNOTSUPP;

	if (!vmctl_hooks_users) {
		ret = tracepoint_probe_register(vmctl_tp_proc_exit,
						vmctl_proc_exit_probe, NULL);
		if (ret)
			return ret;
	}
	if (map_count && !vmctl_hooks_map_users) {
		ret = tracepoint_probe_register(vmctl_tp_sys_exit,
						vmctl_sys_exit_probe, NULL);
		if (ret) {
			if (!vmctl_hooks_users) {
				tracepoint_probe_unregister(vmctl_tp_proc_exit,
							    vmctl_proc_exit_probe, NULL);
				tracepoint_synchronize_unregister();
			}
			return ret;
		}
	}
	if (!vmctl_hooks_users++)
		schedule_delayed_work(&vmctl_watch_ticker, VMCTL_TICK);
	if (map_count)
		vmctl_hooks_map_users++;
	return 0;
}

void vmctl_watch_hooks_put(bool map_count)
{
	bool sync = false;

	lockdep_assert_held(&vmctl_watch_mutex);
	if (map_count && !--vmctl_hooks_map_users) {
		tracepoint_probe_unregister(vmctl_tp_sys_exit, vmctl_sys_exit_probe, NULL);
		sync = true;
	}
	if (!--vmctl_hooks_users) {
		tracepoint_probe_unregister(vmctl_tp_proc_exit, vmctl_proc_exit_probe, NULL);
		/* The tick sees no users under the mutex and stops. */
		cancel_delayed_work(&vmctl_watch_ticker);
		sync = true;
	}
	/* No probe may still run on a watch about to be freed. */
	if (sync)
		tracepoint_synchronize_unregister();
}

static void vmctl_watch_find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sys_exit"))
		vmctl_tp_sys_exit = tp;
	else if (!strcmp(tp->name, "sched_process_exit"))
		vmctl_tp_proc_exit = tp;
}

void vmctl_watch_hooks_init(void)
{
	for_each_kernel_tracepoint(vmctl_watch_find_tp, NULL);
	if (!vmctl_tp_sys_exit || !vmctl_tp_proc_exit)
		pr_warn("vmctl: syscall or exit tracepoints not found, no watches\n");
}

/* Module exit: every watch has ended, so the probes are unregistered. */
void vmctl_watch_hooks_exit(void)
{
	cancel_delayed_work_sync(&vmctl_watch_ticker);
}
