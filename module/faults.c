// SPDX-License-Identifier: GPL-2.0
/*
 * Fault accounting: counting the page faults of tracked processes.
 *
 * Two kernel-provided hooks, both x86 and both present in 6.1 and 6.12:
 *
 *  - entry: the tracepoints exceptions:page_fault_user and
 *    exceptions:page_fault_kernel, fired at the top of the x86 #PF
 *    handler with the hardware error code (write, instruction fetch) and
 *    the registers. They are registered only while some process is
 *    tracked; their regfunc turns on the static key that guards them, so
 *    with nothing tracked the fault path is untouched. An untracked
 *    process pays one compare: every thread of a tracked process has
 *    perf events, so a task without a perf event context is not tracked
 *    (unless system-wide tracking is on: a static key).
 *
 *  - exit: per-thread perf software events PERF_COUNT_SW_PAGE_FAULTS_MIN
 *    and _MAJ (sample_period 1, an in-kernel overflow handler), raised by
 *    mm_account_fault() at the end of handle_mm_fault() for every
 *    completed fault that has registers. Per-task events are hashed into
 *    the per-CPU swevent table only while their task runs, so they cost
 *    untracked processes a lookup in an empty hash bucket. inherit +
 *    inherit_thread give new threads (not forked children) their own
 *    copy of the event. The event attached to a thread has the thread's
 *    record as handler context; the inherited copies share their
 *    parent's context and look their own record up.
 *
 * A fault whose entry is not followed by an exit failed. The signal that
 * ends it is seen exactly by the signal:signal_generate tracepoint
 * (SIGSEGV, SIGBUS raised by the faulting thread at the faulting
 * address); the rest is classified when the thread's next fault starts
 * (see Documentation/userspace-api/vmctl-faults.rst).
 *
 * System-wide tracking (VMCTL_TRACK_SYSTEM) adds per-CPU events of the
 * same kinds and creates the record of a process at its first fault
 * (GFP_ATOMIC, in the entry probe); the faults of processes without a
 * record go to a per-CPU aggregate.
 *
 * Each thread owns a record that only it writes (handlers run in the
 * thread's own context); readers sum the records. The per-VMA table is
 * shared by the threads of a process and guarded by a raw spinlock. A
 * thread's faults since its last change of bucket belong to its current
 * bucket: the difference between its counters and a snapshot taken then,
 * which moves into the bucket under the lock at the next change and
 * which readers add. While the VMA layout is unchanged (6.12) the next
 * fault in the same VMA needs no lock and no lookup.
 *
 * The common case is a few loads and stores: the entry finds the
 * thread's record in a per-CPU slot, the exit in its event; no lock, no
 * atomic, no stack frame (measured in instructions: see bench/ and
 * Documentation/userspace-api/vmctl-faults.rst). Handlers run with
 * preemption disabled; they never sleep.
 *
 * Control (track, untrack, read) is serialised by vmctl_faults_mutex. A
 * process is freed only after it left the RCU hash, its perf events were
 * released, its records left the per-CPU slots and an RCU grace period
 * passed, so no handler still uses it.
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/user_namespace.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/hashtable.h>
#include <linux/llist.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/perf_event.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rculist.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <asm/trap_pf.h>
#include <asm/tsc.h>

#include "compat.h"
#include "faults.h"
#include "vma.h"
#include "vmctl.h"

#define VMCTL_FTHREAD_HASH_BITS	6
#define VMCTL_FPROC_HASH_BITS	6
#define VMCTL_FVMA_NAME_LEN	32
#define VMCTL_FVMA_OTHER	VMCTL_FAULT_VMAS_MAX

/*
 * Counters as the fault path keeps them: one per kind of fault, so that a
 * completed fault adds to one counter. A kind is VMCTL_FK_WRITE,
 * VMCTL_FK_USER and VMCTL_FK_EXEC or'ed (write and exec exclude each
 * other; VMCTL_FOPEN may be set too), plus VMCTL_FK_MAJOR for a major
 * fault; minor, major, write, exec, user and kernel are sums made when
 * they are read, lat_count is the sum of the histogram.
 */
#define VMCTL_FK_WRITE		(X86_PF_WRITE >> 1)
#define VMCTL_FK_USER		BIT(1)
#define VMCTL_FOPEN		BIT(2)
#define VMCTL_FK_EXEC		(X86_PF_INSTR >> 1)
#define VMCTL_FK_MAJOR		BIT(4)
#define VMCTL_FKINDS		(2 * VMCTL_FK_MAJOR)

/* The part of a thread's counters a VMA bucket counts too. */
struct vmctl_fvma_counts {
	u64 kind[VMCTL_FKINDS];
	u64 lat_total;
};

/* The same as totals: what a bucket keeps (vmctl_fsums_add()). */
struct vmctl_fsums {
	u64 minor, major, write, exec, user, kernel, lat_total;
};

struct vmctl_fcounts {
	struct vmctl_fvma_counts v;
	u64 lat_max;
	u64 retry, sigsegv, sigbus, oom, efault;
	/* By ilog2(ns): the last VMCTL_FAULT_HIST_BUCKETS bucket sums the rest. */
	u64 hist[BITS_PER_LONG];
};

/* One thread's counters; written only by that thread. */
struct vmctl_fthread {
	/* The fault path's part. */
	struct vmctl_fproc *proc;
	u64 start_time;
	/*
	 * The fault in progress (between entry and exit): its kind (access
	 * type from the error code, VMCTL_FK_USER from user_mode(regs)) with
	 * VMCTL_FOPEN; 0 when none is open.
	 */
	unsigned long open;
	unsigned long open_addr;
	u64 open_ts;			/* vmctl_fault_clock() at entry */
	u64 last_flt;	/* min_flt + maj_flt at the last exit without entry */
	/*
	 * The bucket the faults counted in @c since @snap belong to (-1:
	 * none yet); VMCTL_FVMA_CACHE: with its VMA's range, valid while
	 * the layout count of @vma_mm is @vma_seq.
	 */
	int pend_idx;
	unsigned int vma_seq;
	struct mm_struct *vma_mm;
	unsigned long vma_start, vma_len;
	u64 pend_lat_max;		/* largest latency since @snap */
	struct vmctl_fcounts c;
	/* The totals of @c.v when @pend_idx was set; under proc->lock. */
	struct vmctl_fsums snap;
	/* Set once (the fault path's identity check: @start_time). */
	pid_t pid;
	u64 base_min, base_maj;		/* min_flt/maj_flt when first seen */
	struct hlist_node hnode;	/* proc->thash, RCU */
	struct list_head node;		/* proc->threads, RCU */
};

/* One VMA bucket; guarded by proc->lock. */
struct vmctl_fvma {
	unsigned long start, end;
	u64 inode;
	dev_t dev;
	u32 kind;
	bool growsdown;
	struct file *file;		/* pinned until the process is freed */
	char special[VMCTL_FVMA_NAME_LEN];
	u64 lat_max;
	struct vmctl_fsums n;
};

struct vmctl_fevents {
	pid_t pid;
	struct perf_event *ev[2];	/* _MIN, _MAJ */
};

struct vmctl_fproc {
	struct hlist_node hnode;	/* vmctl_fproc_hash while live, RCU */
	struct list_head list;		/* vmctl_fprocs */
	u64 id;
	struct signal_struct *signal;	/* the key; kept alive by @task */
	struct task_struct *task;	/* a reference on the tracked leader */
	struct pid *pid;		/* its tgid */
	kuid_t uid;			/* real uid of the process at track time */
	kuid_t tracker_uid;		/* fsuid of the tracker */
	char comm[TASK_COMM_LEN];	/* refreshed and read under vmctl_faults_mutex */
	u64 start_ns, end_ns;
	u64 base_min, base_maj;
	bool exited;
	bool read_after_exit;
	bool system;			/* created by system-wide tracking */
	bool own_events;		/* has per-thread events (tracked itself) */
	bool stopping;			/* unhashed, waiting for a grace period */
	struct llist_node pending;	/* vmctl_fprocs_new until listed */
	u64 last_signal;		/* vmctl_fault_clock() at the last signal */

	raw_spinlock_t lock;		/* thread insertion, VMAs, @overflow */
	struct hlist_head thash[1 << VMCTL_FTHREAD_HASH_BITS];
	struct list_head threads;
	unsigned int nthreads;
	struct vmctl_fcounts overflow;	/* threads without a record */
	unsigned int nvmas;
	unsigned int vma_hint;
	struct vmctl_fvma vmas[VMCTL_FAULT_VMAS_MAX + 1];	/* + other */

	struct vmctl_fevents *events;
	unsigned int nevents, events_cap;
};

static DEFINE_MUTEX(vmctl_faults_mutex);
static LIST_HEAD(vmctl_fprocs);
static DEFINE_HASHTABLE(vmctl_fproc_hash, VMCTL_FPROC_HASH_BITS);
/* Hash changes: the mutex side and the fault path (system-wide tracking). */
static DEFINE_RAW_SPINLOCK(vmctl_fhash_lock);
/* Records created in the fault path, listed by the next mutex holder. */
static LLIST_HEAD(vmctl_fprocs_new);
/* Records, listed or pending; vmctl_nlive: explicitly tracked and live. */
static atomic_t vmctl_nprocs = ATOMIC_INIT(0);
static unsigned int vmctl_nlive;
static u64 vmctl_fproc_next_id = 1;

/*
 * System-wide tracking: per-CPU events, a record for every process that
 * faults (created in the fault path) while there is room, and an
 * aggregate of the faults of the processes without a record. The static
 * key is on while it is: the entry probes then look at every fault.
 */
static bool vmctl_fsystem;
static DEFINE_STATIC_KEY_FALSE(vmctl_fsys_on);
static struct perf_event **vmctl_fsys_events;	/* 2 per possible CPU */
static kuid_t vmctl_fsys_tracker;
static u64 vmctl_fsys_start_ns;
static DEFINE_PER_CPU(struct vmctl_fault_counts, vmctl_fother);

/*
 * The thread record the last lookup on this CPU found for @tsk, so that
 * the next probes (the thread's next fault, the exit of an inherited
 * event) need not look it up. Valid for the same thread (a task_struct
 * reused by a new thread has another start time); a process that stops
 * takes its records out of every slot (vmctl_fslots_clear()) before the
 * grace period after which they may be freed.
 */
struct vmctl_fslot {
	struct task_struct *tsk;
	struct vmctl_fthread *t;
	struct vmctl_fproc *proc;	/* t->proc, compared without a load */
};

static DEFINE_PER_CPU(struct vmctl_fslot, vmctl_fslot);
static struct vmctl_fault_counts vmctl_fother_folded;	/* dropped records */

static struct tracepoint *vmctl_tp_pf_user, *vmctl_tp_pf_kernel, *vmctl_tp_signal;
static bool vmctl_tp_registered;
static void vmctl_faults_reaper(struct work_struct *work);
static DECLARE_DELAYED_WORK(vmctl_faults_reap_work, vmctl_faults_reaper);

void vmctl_faults_lock(void)
{
	mutex_lock(&vmctl_faults_mutex);
}

void vmctl_faults_unlock(void)
{
	mutex_unlock(&vmctl_faults_mutex);
}

/* ---- the fault path (preemption disabled, never sleeps) ---- */

static struct vmctl_fproc *vmctl_fproc_lookup(struct signal_struct *sig)
{
	struct vmctl_fproc *p;

	hash_for_each_possible_rcu(vmctl_fproc_hash, p, hnode, (unsigned long)sig)
		if (p->signal == sig)
			return p;
	return NULL;
}

static struct vmctl_fthread *vmctl_fthread_find(struct vmctl_fproc *p,
						struct task_struct *tsk)
{
	struct vmctl_fthread *t;

	hlist_for_each_entry_rcu(t, &p->thash[hash_32(tsk->pid, VMCTL_FTHREAD_HASH_BITS)],
				 hnode)
		if (t->pid == tsk->pid && t->start_time == tsk->start_time)
			return t;
	return NULL;
}

/*
 * The record of @tsk (current, or a thread the tracker attaches events
 * to), created with @gfp when missing. NULL when the process has
 * VMCTL_FAULTS_MAX_THREADS records or memory is short: the faults then go
 * to proc->overflow.
 */
static struct vmctl_fthread *vmctl_fthread_get(struct vmctl_fproc *p,
					       struct task_struct *tsk,
					       u64 base_min, u64 base_maj,
					       gfp_t gfp)
{
	struct vmctl_fthread *t, *old;
	unsigned long flags;

	rcu_read_lock();
	t = vmctl_fthread_find(p, tsk);
	rcu_read_unlock();
	if (likely(t))
		return t;
	if (READ_ONCE(p->nthreads) >= VMCTL_FAULTS_MAX_THREADS)
		return NULL;
	t = kzalloc(sizeof(*t), gfp | __GFP_NOWARN);
	if (!t)
		return NULL;
	t->proc = p;
	t->pid = tsk->pid;
	t->start_time = tsk->start_time;
	t->base_min = base_min;
	t->base_maj = base_maj;
	t->pend_idx = -1;

	raw_spin_lock_irqsave(&p->lock, flags);
	/* The thread and the tracker attaching it may race. */
	old = vmctl_fthread_find(p, tsk);
	if (old || p->nthreads >= VMCTL_FAULTS_MAX_THREADS) {
		raw_spin_unlock_irqrestore(&p->lock, flags);
		kfree(t);
		return old;
	}
	p->nthreads++;
	list_add_tail_rcu(&t->node, &p->threads);
	hlist_add_head_rcu(&t->hnode,
			   &p->thash[hash_32(t->pid, VMCTL_FTHREAD_HASH_BITS)]);
	raw_spin_unlock_irqrestore(&p->lock, flags);
	return t;
}

/* min_flt and maj_flt of the whole process, as getrusage() sums them. */
static void vmctl_flt(struct signal_struct *sig, u64 *min, u64 *maj)
{
	struct task_struct *t;
	unsigned int seq;

	rcu_read_lock();
	do {
		seq = read_seqbegin(&sig->stats_lock);
		*min = sig->min_flt;
		*maj = sig->maj_flt;
		__for_each_thread(sig, t) {
			*min += READ_ONCE(t->min_flt);
			*maj += READ_ONCE(t->maj_flt);
		}
	} while (read_seqretry(&sig->stats_lock, seq));
	rcu_read_unlock();
}

static void vmctl_fproc_init(struct vmctl_fproc *p)
{
	unsigned int i;

	raw_spin_lock_init(&p->lock);
	INIT_LIST_HEAD(&p->threads);
	for (i = 0; i < ARRAY_SIZE(p->thash); i++)
		INIT_HLIST_HEAD(&p->thash[i]);
	p->vmas[VMCTL_FVMA_OTHER].kind = VMCTL_KIND_ANON;
}

/*
 * System-wide tracking: the record of the process of @tsk (current, in
 * the #PF handler with interrupts off), created at its first fault. NULL
 * when the table is full or memory is short: its faults then go to the
 * aggregate (vmctl_fother).
 */
static struct vmctl_fproc *vmctl_fproc_new_atomic(struct task_struct *tsk)
{
	struct task_struct *leader = tsk->group_leader;
	struct vmctl_fproc *p, *old;
	unsigned long flags;
	bool added = false;

	if (atomic_inc_return(&vmctl_nprocs) > VMCTL_FAULTS_MAX_PROCS)
		goto err_count;
	p = kzalloc(sizeof(*p), GFP_ATOMIC | __GFP_NOWARN);
	if (!p)
		goto err_count;
	vmctl_fproc_init(p);
	p->system = true;
	p->signal = tsk->signal;
	p->task = get_task_struct(leader);
	p->pid = get_task_pid(tsk, PIDTYPE_TGID);
	rcu_read_lock();
	p->uid = __task_cred(tsk)->uid;
	rcu_read_unlock();
	p->tracker_uid = vmctl_fsys_tracker;
	strscpy(p->comm, leader->comm, sizeof(p->comm));
	p->start_ns = ktime_get_ns();
	vmctl_flt(p->signal, &p->base_min, &p->base_maj);

	raw_spin_lock_irqsave(&vmctl_fhash_lock, flags);
	old = vmctl_fproc_lookup(tsk->signal);
	if (!old && READ_ONCE(vmctl_fsystem)) {
		hash_add_rcu(vmctl_fproc_hash, &p->hnode, (unsigned long)p->signal);
		llist_add(&p->pending, &vmctl_fprocs_new);
		added = true;
	}
	raw_spin_unlock_irqrestore(&vmctl_fhash_lock, flags);
	if (added)
		return p;
	put_pid(p->pid);
	put_task_struct(p->task);
	kfree(p);
	atomic_dec(&vmctl_nprocs);
	return old;

err_count:
	atomic_dec(&vmctl_nprocs);
	return NULL;
}

/* This CPU's slot's record if it is that of @tsk (current), or NULL. */
static __always_inline struct vmctl_fthread *vmctl_fslot_get(struct task_struct *tsk)
{
	struct vmctl_fthread *t = this_cpu_read(vmctl_fslot.t);

	if (likely(this_cpu_read(vmctl_fslot.tsk) == tsk &&
		   t->start_time == tsk->start_time))
		return t;
	return NULL;
}

/*
 * The record of @tsk (current) in @p or, with @p NULL, in the process the
 * hash has for it (with system-wide tracking, @create: created if
 * missing); left in this CPU's slot. @min_done, @maj_done: the fault
 * being counted is already in min_flt or maj_flt (at the exit).
 */
static noinline struct vmctl_fthread *
vmctl_fthread_lookup(struct task_struct *tsk, struct vmctl_fproc *p,
		     bool create, unsigned int min_done, unsigned int maj_done)
{
	struct vmctl_fthread *t;

	/*
	 * The probes run with preemption disabled, which is an RCU
	 * read-side section: no rcu_read_lock() needed.
	 */
	if (!p) {
		p = vmctl_fproc_lookup(tsk->signal);
		if (!p) {
			if (!create || !READ_ONCE(vmctl_fsystem) || !tsk->mm ||
			    (tsk->flags & PF_KTHREAD) || pagefault_disabled())
				return NULL;
			p = vmctl_fproc_new_atomic(tsk);
			if (!p)
				return NULL;
		}
	}
	t = vmctl_fthread_get(p, tsk, tsk->min_flt - min_done,
			      tsk->maj_flt - maj_done, GFP_ATOMIC);
	if (t) {
		this_cpu_write(vmctl_fslot.tsk, tsk);
		this_cpu_write(vmctl_fslot.t, t);
		this_cpu_write(vmctl_fslot.proc, p);
		/* The slot before @stopping: vmctl_fproc_unhash() sees it or we see that. */
		smp_mb();
		if (unlikely(READ_ONCE(p->stopping)))
			this_cpu_write(vmctl_fslot.tsk, NULL);
	}
	return t;
}

/* An entry that got no exit: the fault failed. @sig: SIGSEGV, SIGBUS or 0. */
static void vmctl_fault_failed(struct vmctl_fthread *t, int sig)
{
	/* Faults on kernel addresses are not counted (see the user probe). */
	if (t->open_addr >= TASK_SIZE_MAX) {
		t->open = 0;
		return;
	}
	if (sig == SIGSEGV)
		t->c.sigsegv++;
	else if (sig == SIGBUS)
		t->c.sigbus++;
	else if (!(t->open & VMCTL_FK_USER))
		t->c.efault++;
	else if (READ_ONCE(t->proc->last_signal) > t->open_ts)
		t->c.retry++;
	else
		t->c.oom++;
	t->open = 0;
}

/*
 * Fault latency clock: the TSC read raw at both ends (unordered: a few
 * cycles of skid against a fault of microseconds; a fault that resumed
 * on another CPU may see a small skew, clamped at 0), converted to ns
 * once per fault with a multiplier from tsc_khz; local_clock() without a
 * usable TSC. Reading the timekeeping clocks twice per fault cost more
 * than the rest of the handlers' work.
 */
static DEFINE_STATIC_KEY_TRUE(vmctl_fault_tsc);
#define VMCTL_TSC_SHIFT		24
static u32 vmctl_tsc_mult;	/* ns = cycles * mult >> VMCTL_TSC_SHIFT */

static __always_inline u64 vmctl_fault_clock(void)
{
	return static_branch_likely(&vmctl_fault_tsc) ? rdtsc() : local_clock();
}

static __always_inline u64 vmctl_tsc_ns(u64 cycles)
{
	return mul_u64_u32_shr(cycles, READ_ONCE(vmctl_tsc_mult), VMCTL_TSC_SHIFT);
}

/* The latency of a fault that started at @start, in ns. */
static __always_inline u64 vmctl_fault_ns(u64 start)
{
	u64 now = vmctl_fault_clock();

	if (unlikely(now <= start))
		return 0;
	return static_branch_likely(&vmctl_fault_tsc) ? vmctl_tsc_ns(now - start) :
	       now - start;
}

/*
 * Whether current may be tracked: with system-wide tracking, any task;
 * otherwise only one with perf events (a tracked process has its own
 * per-thread events). One compare for an untracked process.
 */
static __always_inline bool vmctl_task_maybe_tracked(struct task_struct *tsk)
{
	/*
	 * The context of software events: a pointer since 6.2, an array
	 * by kind of PMU before.
	 */
	struct perf_event_context **ctxp = (void *)&tsk->perf_event_ctxp;
	unsigned int i = __same_type(tsk->perf_event_ctxp, *ctxp) ? 0 : perf_sw_context;

	/*
	 * A hint, set before a tracker attaches events: a plain load (a
	 * compare with memory) that may race with its setting.
	 */
	return data_race(ctxp[i]) || static_branch_unlikely(&vmctl_fsys_on);
}

/* Opens a fault of @t (current) at @addr. @kind: see VMCTL_FOPEN. */
static __always_inline void vmctl_fault_open(struct vmctl_fthread *t,
					     unsigned long addr,
					     unsigned long kind)
{
	t->open = kind | VMCTL_FOPEN;
	t->open_addr = addr;
	t->open_ts = vmctl_fault_clock();
}

/*
 * The entry when the slot does not have current's record or a fault is
 * open; also that of a task with perf events that is not tracked (one
 * that was, or that someone else profiles): a hash lookup.
 */
static noinline void vmctl_fault_entry_slow(unsigned long addr,
					    unsigned long kind)
{
	struct task_struct *tsk = current;
	struct vmctl_fthread *t = vmctl_fslot_get(tsk);
	struct vmctl_fproc *p;

	if (!t) {
		p = vmctl_fproc_lookup(tsk->signal);
		if (!p && !static_branch_unlikely(&vmctl_fsys_on))
			return;
		t = vmctl_fthread_lookup(tsk, p, true, 0, 0);
		if (!t)
			return;
	}
	if (t->open & VMCTL_FOPEN)
		vmctl_fault_failed(t, 0);
	vmctl_fault_open(t, addr, kind);
}

/*
 * The entry of a fault of @tsk (current), a task that may be tracked:
 * with the record in this CPU's slot (the thread's last fault was here),
 * a few loads and stores without a stack frame.
 */
static __always_inline void vmctl_fault_entry(struct task_struct *tsk,
					      unsigned long addr,
					      unsigned long kind)
{
	struct vmctl_fthread *t = this_cpu_read(vmctl_fslot.t);

	if (unlikely(this_cpu_read(vmctl_fslot.tsk) != tsk ||
		     t->start_time != tsk->start_time || (t->open & VMCTL_FOPEN) ||
		     !static_branch_likely(&vmctl_fault_tsc))) {
		vmctl_fault_entry_slow(addr, kind);
		return;
	}
	/* vmctl_fault_open() with the TSC: no call, no stack frame. */
	t->open = kind | VMCTL_FOPEN;
	t->open_addr = addr;
	t->open_ts = rdtsc();
}

/* The access type bits of the x86 error code, as a kind. */
static __always_inline unsigned long vmctl_err_kind(unsigned long err)
{
	return (err & (X86_PF_WRITE | X86_PF_INSTR)) >> 1;
}

static notrace void vmctl_pf_user_probe(void *data, unsigned long addr,
					struct pt_regs *regs, unsigned long err)
{
	struct task_struct *tsk = current;

	/*
	 * A fault on a kernel address from user mode is opened too (not
	 * checking is cheaper): it never completes, and vmctl_fault_failed()
	 * drops it.
	 */
	if (unlikely(vmctl_task_maybe_tracked(tsk)))
		vmctl_fault_entry(tsk, addr, vmctl_err_kind(err) | VMCTL_FK_USER);
}

static notrace void vmctl_pf_kernel_probe(void *data, unsigned long addr,
					  struct pt_regs *regs, unsigned long err)
{
	struct task_struct *tsk = current;

	/* The handler refuses these at once, without counting them. */
	if (unlikely(vmctl_task_maybe_tracked(tsk)) && addr < TASK_SIZE_MAX &&
	    tsk->mm && !pagefault_disabled())
		vmctl_fault_entry(tsk, addr, vmctl_err_kind(err));
}

static void vmctl_signal_probe(void *data, int sig, struct kernel_siginfo *info,
			       struct task_struct *task, int group, int result)
{
	struct vmctl_fthread *t;
	struct vmctl_fproc *p;

	p = vmctl_fproc_lookup(task->signal);
	if (likely(!p))
		return;
	/* Since a fault's entry: it may have been abandoned for it (retry). */
	WRITE_ONCE(p->last_signal, vmctl_fault_clock());
	/* A fault's own signal: raised by the faulting thread on itself. */
	if (task != current || (sig != SIGSEGV && sig != SIGBUS) ||
	    (unsigned long)info <= (unsigned long)SEND_SIG_PRIV)
		return;
	t = vmctl_fthread_find(p, task);
	if (t && (t->open & VMCTL_FOPEN) &&
	    (unsigned long)info->si_addr == t->open_addr)
		vmctl_fault_failed(t, sig);
}

/*
 * With per-VMA locks the mm counts its write-locked sections in a
 * seqcount: while it is unchanged (and so even: @t's count was read with
 * mmap_lock held), the VMA layout is the one @t saw at its last fault,
 * and that fault's bucket is this one's if @addr is in the same VMA. (6.1
 * has no such count: always look up.)
 */
#if defined(CONFIG_PER_VMA_LOCK) && defined(VMCTL_HAVE_MM_LOCK_SEQCOUNT)
#define VMCTL_FVMA_CACHE
#endif

static bool vmctl_fvma_match(const struct vmctl_fvma *v,
			     const struct vm_area_struct *vma)
{
	/* The heap grows at its end, a stack at its start. */
	return v->start == vma->vm_start ||
	       (v->growsdown && v->end == vma->vm_end);
}

static struct vmctl_fvma *vmctl_fvma_get(struct vmctl_fproc *p,
					 struct vm_area_struct *vma)
{
	struct vmctl_fvma *v = &p->vmas[p->vma_hint];
	const char *name = NULL;
	unsigned int i;

	if (p->nvmas && vmctl_fvma_match(v, vma))
		goto found;
	for (i = 0; i < p->nvmas; i++) {
		v = &p->vmas[i];
		if (vmctl_fvma_match(v, vma)) {
			p->vma_hint = i;
			goto found;
		}
	}
	if (p->nvmas == VMCTL_FAULT_VMAS_MAX)
		return NULL;

	v = &p->vmas[p->nvmas];
	p->vma_hint = p->nvmas++;
	v->kind = vmctl_vma_kind(vma);
	v->growsdown = vma->vm_flags & VM_GROWSDOWN;
	if (vma->vm_file) {
		const struct inode *inode = vmctl_file_user_inode(vma->vm_file);

		v->inode = inode->i_ino;
		v->dev = inode->i_sb->s_dev;
		v->file = get_file(vma->vm_file);
	} else {
		if (vma->vm_ops && vma->vm_ops->name)
			name = vma->vm_ops->name(vma);
		if (!name && v->kind == VMCTL_KIND_HEAP)
			name = "[heap]";
		if (!name && v->kind == VMCTL_KIND_STACK)
			name = "[stack]";
		if (name)
			strscpy(v->special, name, sizeof(v->special));
	}
found:
	/* Read without the lock by vmctl_fault_vma_slow(). */
	WRITE_ONCE(v->start, vma->vm_start);
	WRITE_ONCE(v->end, vma->vm_end);
	return v;
}

/* Adds the totals of @c to @s. */
static void vmctl_fsums_add(struct vmctl_fsums *s,
			    const struct vmctl_fvma_counts *c)
{
	unsigned int i, k;
	u64 n;

	for (i = 0; i < VMCTL_FKINDS; i++) {
		n = READ_ONCE(c->kind[i]);
		k = i;
		if (k >= VMCTL_FK_MAJOR) {
			k -= VMCTL_FK_MAJOR;
			s->major += n;
		} else {
			s->minor += n;
		}
		if (k & VMCTL_FK_WRITE)
			s->write += n;
		if (k & VMCTL_FK_EXEC)
			s->exec += n;
		if (k & VMCTL_FK_USER)
			s->user += n;
		else
			s->kernel += n;
	}
	s->lat_total += READ_ONCE(c->lat_total);
}

/* @dst += @now - @then. */
static void vmctl_fsums_add_diff(struct vmctl_fsums *dst,
				 const struct vmctl_fsums *now,
				 const struct vmctl_fsums *then)
{
	dst->minor += now->minor - then->minor;
	dst->major += now->major - then->major;
	dst->write += now->write - then->write;
	dst->exec += now->exec - then->exec;
	dst->user += now->user - then->user;
	dst->kernel += now->kernel - then->kernel;
	dst->lat_total += now->lat_total - then->lat_total;
}

/*
 * Move what @t (current) counted since its snapshot into its bucket and
 * take a new snapshot.
 */
static void vmctl_fthread_flush_locked(struct vmctl_fproc *p,
				       struct vmctl_fthread *t)
{
	struct vmctl_fsums now = {};
	struct vmctl_fvma *v;

	vmctl_fsums_add(&now, &t->c.v);
	if (t->pend_idx >= 0) {
		v = &p->vmas[t->pend_idx];
		vmctl_fsums_add_diff(&v->n, &now, &t->snap);
		v->lat_max = max(v->lat_max, t->pend_lat_max);
	}
	t->snap = now;
	if (t->pend_lat_max > t->c.lat_max) {
		WRITE_ONCE(t->c.lat_max, t->pend_lat_max);
		/* Readers read @pend_lat_max, then this: vmctl_fthread_sum(). */
		smp_wmb();
	}
	WRITE_ONCE(t->pend_lat_max, 0);
	t->pend_idx = -1;
}

/* VMCTL_FVMA_CACHE: the faults in @vma of @mm go to @t's current bucket. */
static void vmctl_fvma_cache(struct vmctl_fthread *t, struct mm_struct *mm,
			     struct vm_area_struct *vma)
{
#ifdef VMCTL_FVMA_CACHE
	/* Stable: no writer while we hold mmap_lock for read. */
	t->vma_mm = mm;
	t->vma_seq = raw_read_seqcount(&mm->mm_lock_seq);
	t->vma_start = vma->vm_start;
	t->vma_len = vma->vm_end - vma->vm_start;
#endif
}

/*
 * The bucket of a fault at @addr when the VMA cache does not have it. If
 * it is the one @t's counts since its snapshot belong to, nothing moves;
 * otherwise those counts go to their bucket, and the ones from now on
 * (this fault's first) to the new one.
 *
 * The fault may hold mmap_lock, a per-VMA lock, or (after
 * VM_FAULT_COMPLETED) nothing: take a read hold of our own, or give up
 * (the "other" bucket) when a writer is active or waiting.
 */
static noinline void vmctl_fault_vma_slow(struct vmctl_fthread *t,
					  unsigned long addr)
{
	struct mm_struct *mm = current->mm;
	struct vmctl_fproc *p = t->proc;
	struct vm_area_struct *vma = NULL;
	struct vmctl_fvma *v = NULL;
	unsigned long flags;
	bool locked = false;
	int idx;

	if (mm && mmap_read_trylock(mm)) {
		locked = true;
		vma = vma_lookup(mm, addr);
	}
	t->vma_mm = NULL;
	if (vma && t->pend_idx >= 0 && t->pend_idx != VMCTL_FVMA_OTHER) {
		/* What vmctl_fvma_get() would find, as it left it: no lock. */
		v = &p->vmas[t->pend_idx];
		if (READ_ONCE(v->start) == vma->vm_start &&
		    READ_ONCE(v->end) == vma->vm_end) {
			vmctl_fvma_cache(t, mm, vma);
			goto out;
		}
		v = NULL;
	}
	raw_spin_lock_irqsave(&p->lock, flags);
	if (vma)
		v = vmctl_fvma_get(p, vma);
	idx = v ? v - p->vmas : VMCTL_FVMA_OTHER;
	if (idx != t->pend_idx) {
		vmctl_fthread_flush_locked(p, t);
		t->pend_idx = idx;
	}
	raw_spin_unlock_irqrestore(&p->lock, flags);
	if (v)
		vmctl_fvma_cache(t, mm, vma);
out:
	if (locked)
		mmap_read_unlock(mm);
}

/*
 * A fault of a thread without a record (the process has
 * VMCTL_FAULTS_MAX_THREADS, or memory was short): counted under the lock,
 * without latency or access type.
 */
static noinline void vmctl_fault_overflow(struct vmctl_fproc *p, bool major,
					  unsigned long addr,
					  struct pt_regs *regs)
{
	unsigned int kind = (user_mode(regs) ? VMCTL_FK_USER : 0) +
			    (major ? VMCTL_FK_MAJOR : 0);
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma = NULL;
	struct vmctl_fvma *v = NULL;
	unsigned long flags;
	bool locked = false;

	if (mm && mmap_read_trylock(mm)) {
		locked = true;
		vma = vma_lookup(mm, addr);
	}
	raw_spin_lock_irqsave(&p->lock, flags);
	p->overflow.v.kind[kind]++;
	if (vma)
		v = vmctl_fvma_get(p, vma);
	if (!v)
		v = &p->vmas[VMCTL_FVMA_OTHER];
	if (major)
		v->n.major++;
	else
		v->n.minor++;
	if (user_mode(regs))
		v->n.user++;
	else
		v->n.kernel++;
	raw_spin_unlock_irqrestore(&p->lock, flags);
	if (locked)
		mmap_read_unlock(mm);
}

static __always_inline bool vmctl_fvma_cached(struct vmctl_fthread *t,
					      unsigned long addr)
{
#ifdef VMCTL_FVMA_CACHE
	struct mm_struct *mm = current->mm;

	return t->vma_mm == mm && addr - t->vma_start < t->vma_len &&
	       raw_read_seqcount(&mm->mm_lock_seq) == t->vma_seq;
#else
	return false;
#endif
}

/*
 * Counts the completed fault @open of @t (current), which is in the
 * bucket @t's counts since its snapshot go to; @ns its latency.
 */
static __always_inline void vmctl_fault_count(struct vmctl_fthread *t,
					      unsigned long open, bool major,
					      u64 ns)
{
	t->open = 0;
	t->c.v.lat_total += ns;
	if (ns > t->pend_lat_max)
		t->pend_lat_max = ns;
	/* Buckets from VMCTL_FAULT_HIST_BUCKETS - 1 on are summed when read. */
	t->c.hist[__fls(ns | 1)]++;
	t->c.v.kind[open + (major ? VMCTL_FK_MAJOR : 0)]++;
}

/*
 * The exit of a fault of current in @p, of its record @t if known, when
 * it is not the common case: not the record's own event, no entry seen
 * for it, or another VMA than the last fault's.
 */
static noinline void vmctl_fault_exit_slow(struct vmctl_fproc *p,
					   struct vmctl_fthread *t, bool major,
					   unsigned long addr,
					   struct pt_regs *regs)
{
	struct task_struct *tsk = current;
	unsigned long open;
	bool same_page;
	u64 flt;

	/*
	 * @t is the record the event was attached with: current's unless
	 * current took over its leader's identity in execve().
	 */
	if (t && unlikely(t->start_time != tsk->start_time))
		t = NULL;
	if (!t) {
		if (unlikely(tsk->signal != p->signal))
			return;
		t = vmctl_fslot_get(tsk);
		if (!t || t->proc != p)
			t = vmctl_fthread_lookup(tsk, p, false, !major, major);
		if (!t) {
			vmctl_fault_overflow(p, major, addr, regs);
			return;
		}
	}
	open = t->open;
	same_page = !((t->open_addr ^ addr) >> PAGE_SHIFT);
	if (likely((open & VMCTL_FOPEN) && same_page)) {
		if (!vmctl_fvma_cached(t, addr))
			vmctl_fault_vma_slow(t, addr);
		vmctl_fault_count(t, open, major, vmctl_fault_ns(t->open_ts));
		return;
	}
	/*
	 * No open entry for it. A thread that got two events for each
	 * fault (see vmctl_fproc_attach()) is here for the second one:
	 * the fault its entry opened was just closed (same page, nothing
	 * open), or it was counted here (same min_flt + maj_flt).
	 */
	flt = tsk->min_flt + tsk->maj_flt;
	if (t->last_flt == flt || (!(open & VMCTL_FOPEN) && same_page))
		return;
	t->last_flt = flt;
	if (!(open & VMCTL_FOPEN))
		t->open_addr = addr;
	if (!vmctl_fvma_cached(t, addr))
		vmctl_fault_vma_slow(t, addr);
	/* Its entry is unknown: no access type, no latency. */
	t->c.v.kind[(user_mode(regs) ? VMCTL_FK_USER : 0) +
		    (major ? VMCTL_FK_MAJOR : 0)]++;
}

/*
 * The exit of a fault of a tracked process: a per-thread perf event found
 * its task running. The event the tracker attached to a thread has the
 * thread's record as context; the copies new threads inherit have the
 * same context, the record of the thread the copy comes from.
 */
static __always_inline void vmctl_fault_exit(struct perf_event *event,
					     struct perf_sample_data *data,
					     struct pt_regs *regs, bool major)
{
	struct vmctl_fthread *t = event->overflow_handler_context;
	unsigned long addr = data->addr;
	unsigned long open = t->open;
	u64 start, now, ns;

	/*
	 * An inherited copy: @t is not current's. (A thread that took over
	 * the identity of its leader in execve() has another mm than the
	 * one @t cached: see vmctl_fault_exit_slow().)
	 */
	if (unlikely(event->parent)) {
		vmctl_fault_exit_slow(t->proc, NULL, major, addr, regs);
		return;
	}
	/*
	 * Every fault that reaches handle_mm_fault() had its entry, so an
	 * open fault is this one: the address is compared on the slow path
	 * only (the exit of the first fault after tracking started has none).
	 */
	if (unlikely(!(open & VMCTL_FOPEN) || !vmctl_fvma_cached(t, addr) ||
		     !static_branch_likely(&vmctl_fault_tsc))) {
		vmctl_fault_exit_slow(t->proc, t, major, addr, regs);
		return;
	}
	/* vmctl_fault_ns() with the TSC: no call, no stack frame. */
	start = t->open_ts;
	now = rdtsc();
	ns = likely(now > start) ? vmctl_tsc_ns(now - start) : 0;
	vmctl_fault_count(t, open, major, ns);
}

static notrace void vmctl_fault_exit_min(struct perf_event *event,
					 struct perf_sample_data *data,
					 struct pt_regs *regs)
{
	vmctl_fault_exit(event, data, regs, false);
}

static notrace void vmctl_fault_exit_maj(struct perf_event *event,
					 struct perf_sample_data *data,
					 struct pt_regs *regs)
{
	vmctl_fault_exit(event, data, regs, true);
}

/* Events of a thread without a record: the context is the process. */
static void vmctl_fault_exit_proc_min(struct perf_event *event,
				      struct perf_sample_data *data,
				      struct pt_regs *regs)
{
	vmctl_fault_exit_slow(event->overflow_handler_context, NULL, false,
			      data->addr, regs);
}

static void vmctl_fault_exit_proc_maj(struct perf_event *event,
				      struct perf_sample_data *data,
				      struct pt_regs *regs)
{
	vmctl_fault_exit_slow(event->overflow_handler_context, NULL, true,
			      data->addr, regs);
}

/* Per-CPU events of system-wide tracking: every completed fault. */
static void vmctl_fault_exit_sys(struct perf_event *event,
				 struct perf_sample_data *data,
				 struct pt_regs *regs)
{
	bool major = event->attr.config == PERF_COUNT_SW_PAGE_FAULTS_MAJ;
	struct task_struct *tsk = current;
	struct vmctl_fthread *t = vmctl_fslot_get(tsk);
	struct vmctl_fault_counts *c;
	struct vmctl_fproc *p;

	p = t ? t->proc : vmctl_fproc_lookup(tsk->signal);
	if (p) {
		/* A process tracked itself is counted by its own events. */
		if (!READ_ONCE(p->own_events))
			vmctl_fault_exit_slow(p, t, major, data->addr, regs);
		return;
	}
	/* No record (table full, memory short, kernel thread): aggregate. */
	c = this_cpu_ptr(&vmctl_fother);
	if (major)
		c->major++;
	else
		c->minor++;
	if (user_mode(regs))
		c->user++;
	else
		c->kernel++;
}

/* ---- tracepoints ---- */

static void vmctl_find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "page_fault_user"))
		vmctl_tp_pf_user = tp;
	else if (!strcmp(tp->name, "page_fault_kernel"))
		vmctl_tp_pf_kernel = tp;
	else if (!strcmp(tp->name, "signal_generate"))
		vmctl_tp_signal = tp;
}

static int vmctl_tp_register(void)
{
	int ret;

	if (vmctl_tp_registered)
		return 0;
	if (!vmctl_tp_pf_user || !vmctl_tp_pf_kernel || !vmctl_tp_signal)
		return -EOPNOTSUPP;
	/* tsc_khz as refined since boot; no fault is timed meanwhile. */
	if (static_branch_likely(&vmctl_fault_tsc))
		WRITE_ONCE(vmctl_tsc_mult,
			   div_u64((u64)USEC_PER_SEC << VMCTL_TSC_SHIFT, tsc_khz));
	ret = tracepoint_probe_register(vmctl_tp_signal, vmctl_signal_probe, NULL);
	if (ret)
		return ret;
	ret = tracepoint_probe_register(vmctl_tp_pf_user, vmctl_pf_user_probe, NULL);
	if (ret)
		goto err_signal;
	ret = tracepoint_probe_register(vmctl_tp_pf_kernel, vmctl_pf_kernel_probe, NULL);
	if (ret)
		goto err_user;
	vmctl_tp_registered = true;
	return 0;

err_user:
	tracepoint_probe_unregister(vmctl_tp_pf_user, vmctl_pf_user_probe, NULL);
err_signal:
	tracepoint_probe_unregister(vmctl_tp_signal, vmctl_signal_probe, NULL);
	tracepoint_synchronize_unregister();
	return ret;
}

static void vmctl_tp_unregister(void)
{
	if (!vmctl_tp_registered)
		return;
	tracepoint_probe_unregister(vmctl_tp_pf_kernel, vmctl_pf_kernel_probe, NULL);
	tracepoint_probe_unregister(vmctl_tp_pf_user, vmctl_pf_user_probe, NULL);
	tracepoint_probe_unregister(vmctl_tp_signal, vmctl_signal_probe, NULL);
	tracepoint_synchronize_unregister();
	vmctl_tp_registered = false;
}

/* ---- tracking ---- */

static bool vmctl_fproc_has_events(struct vmctl_fproc *p, pid_t pid)
{
	unsigned int i;

	for (i = 0; i < p->nevents; i++)
		if (p->events[i].pid == pid)
			return true;
	return false;
}

/*
 * An event of @task (@t its record, or NULL if it has none): see
 * vmctl_fault_exit().
 */
static struct perf_event *vmctl_fevent_create(struct vmctl_fproc *p,
					      struct vmctl_fthread *t,
					      struct task_struct *task, u64 config)
{
	bool major = config == PERF_COUNT_SW_PAGE_FAULTS_MAJ;
	perf_overflow_handler_t fn;
	struct perf_event_attr attr = {
		.type		= PERF_TYPE_SOFTWARE,
		.size		= sizeof(attr),
		.config		= config,
		.sample_period	= 1,
		/* The shortest way to the overflow handler. */
		.sample_type	= PERF_SAMPLE_PERIOD,
		.inherit	= 1,
		.inherit_thread	= 1,
	};

	if (t)
		fn = major ? vmctl_fault_exit_maj : vmctl_fault_exit_min;
	else
		fn = major ? vmctl_fault_exit_proc_maj : vmctl_fault_exit_proc_min;
	return perf_event_create_kernel_counter(&attr, -1, task, fn,
						t ? (void *)t : (void *)p);
}

static int vmctl_fproc_attach_task(struct vmctl_fproc *p,
				   struct task_struct *task)
{
	struct vmctl_fthread *t;
	struct vmctl_fevents *fe;

	if (p->nevents == p->events_cap) {
		unsigned int cap = max(8U, p->events_cap * 2);

		fe = krealloc_array(p->events, cap, sizeof(*fe), GFP_KERNEL);
		if (!fe)
			return -ENOMEM;
		p->events = fe;
		p->events_cap = cap;
	}
	/* NULL (no room): the events count into proc->overflow. */
	t = vmctl_fthread_get(p, task, READ_ONCE(task->min_flt),
			      READ_ONCE(task->maj_flt), GFP_KERNEL);
	fe = &p->events[p->nevents];
	fe->pid = task->pid;
	fe->ev[0] = vmctl_fevent_create(p, t, task, PERF_COUNT_SW_PAGE_FAULTS_MIN);
	if (IS_ERR(fe->ev[0]))
		return PTR_ERR(fe->ev[0]);
	fe->ev[1] = vmctl_fevent_create(p, t, task, PERF_COUNT_SW_PAGE_FAULTS_MAJ);
	if (IS_ERR(fe->ev[1])) {
		perf_event_release_kernel(fe->ev[0]);
		return PTR_ERR(fe->ev[1]);
	}
	p->nevents++;
	return 0;
}

/*
 * Attach events to every thread. A thread cloned by a thread that already
 * has the event inherits it; one cloned while we walk the list may be
 * missed by the walk and by inheritance, so walk twice. A thread that
 * ends up with two events is counted once (vmctl_fault_exit_slow()).
 */
static int vmctl_fproc_attach(struct vmctl_fproc *p)
{
	struct signal_struct *sig = p->signal;
	struct task_struct **tasks, *t;
	unsigned int pass, n, i, cap;
	int ret = 0;

	for (pass = 0; pass < 2 && !ret; pass++) {
		cap = READ_ONCE(sig->nr_threads) + 16;
		tasks = kvmalloc_array(cap, sizeof(*tasks), GFP_KERNEL);
		if (!tasks)
			return -ENOMEM;
		n = 0;
		rcu_read_lock();
		__for_each_thread(sig, t) {
			if (n == cap)
				break;
			if (t->flags & PF_EXITING || vmctl_fproc_has_events(p, t->pid))
				continue;
			get_task_struct(t);
			tasks[n++] = t;
		}
		rcu_read_unlock();
		for (i = 0; i < n; i++) {
			if (!ret) {
				ret = vmctl_fproc_attach_task(p, tasks[i]);
				/* Exiting meanwhile: nothing to count. */
				if (ret == -ESRCH)
					ret = 0;
			}
			put_task_struct(tasks[i]);
		}
		kvfree(tasks);
	}
	return ret;
}

static void vmctl_fproc_release_events(struct vmctl_fproc *p)
{
	unsigned int i;

	for (i = 0; i < p->nevents; i++) {
		perf_event_release_kernel(p->events[i].ev[0]);
		perf_event_release_kernel(p->events[i].ev[1]);
	}
	kfree(p->events);
	p->events = NULL;
	p->nevents = 0;
	p->events_cap = 0;
}

static void vmctl_fproc_hash_add(struct vmctl_fproc *p)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&vmctl_fhash_lock, flags);
	hash_add_rcu(vmctl_fproc_hash, &p->hnode, (unsigned long)p->signal);
	raw_spin_unlock_irqrestore(&vmctl_fhash_lock, flags);
}

/* No slot may keep a record of @p. */
static void vmctl_fslots_clear(struct vmctl_fproc *p)
{
	struct vmctl_fslot *slot;
	int cpu;

	for_each_possible_cpu(cpu) {
		slot = per_cpu_ptr(&vmctl_fslot, cpu);
		if (READ_ONCE(slot->proc) == p)
			WRITE_ONCE(slot->tsk, NULL);
	}
}

/* Take @p out of the fault path; vmctl_fproc_stop_finish() after a grace period. */
static void vmctl_fproc_unhash(struct vmctl_fproc *p)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&vmctl_fhash_lock, flags);
	hash_del_rcu(&p->hnode);
	raw_spin_unlock_irqrestore(&vmctl_fhash_lock, flags);
	/* No exit handler of its own runs after this. */
	vmctl_fproc_release_events(p);
	WRITE_ONCE(p->own_events, false);
	/*
	 * Take its records out of the slots. A lookup that found @p before
	 * it left the hash and fills a slot now sees @stopping and empties
	 * it again, or we see its slot (vmctl_fthread_lookup()); one that
	 * still uses a record it read from a slot does so before the grace
	 * period that follows.
	 */
	WRITE_ONCE(p->stopping, true);
	/* @stopping before the slots; pairs with vmctl_fthread_lookup(). */
	smp_mb();
	vmctl_fslots_clear(p);
}

/*
 * The name as /proc/PID/comm shows it now: the process may have renamed
 * itself (exec, prctl(PR_SET_NAME) on its main thread) since tracking
 * started. The leader is found through the pid, as an exec by another
 * thread makes that thread the leader; once the process is reaped, the
 * leader we hold a reference to keeps the name it exited with. Under
 * vmctl_faults_mutex, like every reader of @p->comm.
 */
static void vmctl_fproc_update_comm(struct vmctl_fproc *p)
{
	struct task_struct *leader;

	lockdep_assert_held(&vmctl_faults_mutex);
	rcu_read_lock();
	leader = pid_task(p->pid, PIDTYPE_TGID);
	get_task_comm(p->comm, leader ?: p->task);
	rcu_read_unlock();
}

static void vmctl_fproc_stop_finish(struct vmctl_fproc *p)
{
	struct vmctl_fthread *t;

	WRITE_ONCE(p->stopping, false);
	vmctl_fproc_update_comm(p);
	p->exited = true;
	p->end_ns = ktime_get_ns();
	if (!p->system && !--vmctl_nlive && !vmctl_fsystem)
		vmctl_tp_unregister();
	/* A thread that died inside a fault. */
	list_for_each_entry(t, &p->threads, node)
		if (t->open)
			vmctl_fault_failed(t, 0);
}

/* Stop counting: no handler uses @p once this returns. */
static void vmctl_fproc_stop(struct vmctl_fproc *p)
{
	if (p->exited)
		return;
	vmctl_fproc_unhash(p);
	synchronize_rcu();
	vmctl_fproc_stop_finish(p);
}

static void vmctl_counts_sum(struct vmctl_fault_counts *sum,
			     const struct vmctl_fault_counts *c);

/* @fold: add its counters to the aggregate of system-wide tracking. */
static void vmctl_fproc_free(struct vmctl_fproc *p, bool fold)
{
	struct vmctl_fthread *t, *tmp;
	struct vmctl_faults f;
	unsigned int i;

	vmctl_fproc_stop(p);
	if (fold) {
		vmctl_fproc_read_locked(p, &f);
		vmctl_counts_sum(&vmctl_fother_folded, &f.counts);
	}
	list_del(&p->list);
	atomic_dec(&vmctl_nprocs);
	list_for_each_entry_safe(t, tmp, &p->threads, node)
		kfree(t);
	for (i = 0; i < p->nvmas; i++)
		if (p->vmas[i].file)
			fput(p->vmas[i].file);
	put_pid(p->pid);
	put_task_struct(p->task);
	kvfree(p);
}

/* Whether every thread of @p has left its address space. */
static bool vmctl_fproc_dead(struct vmctl_fproc *p)
{
	struct task_struct *leader;
	bool dead;

	rcu_read_lock();
	leader = pid_task(p->pid, PIDTYPE_TGID);
	dead = !leader || (leader->exit_state && thread_group_empty(leader));
	rcu_read_unlock();
	return dead;
}

/* List the records the fault path created, in the order it created them. */
static void vmctl_faults_drain_locked(void)
{
	struct llist_node *first = llist_del_all(&vmctl_fprocs_new);
	struct vmctl_fproc *p, *tmp;

	llist_for_each_entry_safe(p, tmp, llist_reverse_order(first), pending) {
		p->id = vmctl_fproc_next_id++;
		list_add_tail(&p->list, &vmctl_fprocs);
	}
}

/*
 * System-wide tracking keeps VMCTL_FAULTS_SYS_ROOM records free for new
 * processes: it drops the exited processes it recorded itself, those
 * already read first, oldest first, and adds their counters to the
 * aggregate.
 */
#define VMCTL_FAULTS_SYS_ROOM	32

static void vmctl_faults_sys_room_locked(void)
{
	struct vmctl_fproc *p, *tmp;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		list_for_each_entry_safe(p, tmp, &vmctl_fprocs, list) {
			if (atomic_read(&vmctl_nprocs) <=
			    VMCTL_FAULTS_MAX_PROCS - VMCTL_FAULTS_SYS_ROOM)
				return;
			if (p->exited && p->system && (pass || p->read_after_exit))
				vmctl_fproc_free(p, true);
		}
	}
}

static void vmctl_faults_reap_locked(void)
{
	struct vmctl_fproc *p;
	bool any = false;

	vmctl_faults_drain_locked();
	/* One grace period for all the processes that exited. */
	list_for_each_entry(p, &vmctl_fprocs, list) {
		if (!p->exited && vmctl_fproc_dead(p)) {
			vmctl_fproc_unhash(p);
			any = true;
		}
	}
	if (any) {
		synchronize_rcu();
		list_for_each_entry(p, &vmctl_fprocs, list)
			if (p->stopping)
				vmctl_fproc_stop_finish(p);
	}
	if (vmctl_fsystem)
		vmctl_faults_sys_room_locked();
}

static void vmctl_faults_reaper(struct work_struct *work)
{
	mutex_lock(&vmctl_faults_mutex);
	vmctl_faults_reap_locked();
	if (vmctl_nlive || vmctl_fsystem)
		schedule_delayed_work(&vmctl_faults_reap_work, HZ);
	mutex_unlock(&vmctl_faults_mutex);
}

/* Room for one more: drop the oldest exited process already read. */
static int vmctl_faults_make_room_locked(void)
{
	struct vmctl_fproc *p;

	if (atomic_read(&vmctl_nprocs) < VMCTL_FAULTS_MAX_PROCS)
		return 0;
	list_for_each_entry(p, &vmctl_fprocs, list) {
		if (p->exited && (p->read_after_exit || p->system)) {
			vmctl_fproc_free(p, p->system);
			return 0;
		}
	}
	return -ENOSPC;
}

/* ---- system-wide tracking ---- */

static void vmctl_fsys_release(void)
{
	unsigned int i;

	if (!vmctl_fsys_events)
		return;
	for (i = 0; i < 2 * nr_cpu_ids; i++)
		if (vmctl_fsys_events[i])
			perf_event_release_kernel(vmctl_fsys_events[i]);
	kfree(vmctl_fsys_events);
	vmctl_fsys_events = NULL;
}

/* Per-CPU events on the CPUs online now (see vmctl-faults.rst). */
static int vmctl_fsys_attach(void)
{
	static const u64 config[2] = {
		PERF_COUNT_SW_PAGE_FAULTS_MIN, PERF_COUNT_SW_PAGE_FAULTS_MAJ,
	};
	struct perf_event_attr attr = {
		.type		= PERF_TYPE_SOFTWARE,
		.size		= sizeof(attr),
		.sample_period	= 1,
	};
	struct perf_event *ev;
	unsigned int cpu, i;

	vmctl_fsys_events = kcalloc(2 * nr_cpu_ids, sizeof(*vmctl_fsys_events),
				    GFP_KERNEL);
	if (!vmctl_fsys_events)
		return -ENOMEM;
	for_each_online_cpu(cpu) {
		for (i = 0; i < 2; i++) {
			attr.config = config[i];
			ev = perf_event_create_kernel_counter(&attr, cpu, NULL,
							      vmctl_fault_exit_sys,
							      NULL);
			if (IS_ERR(ev)) {
				vmctl_fsys_release();
				return PTR_ERR(ev);
			}
			vmctl_fsys_events[2 * cpu + i] = ev;
		}
	}
	return 0;
}

/* Stop system-wide tracking and free what it recorded. */
static void vmctl_fsys_stop_locked(void)
{
	struct vmctl_fproc *p, *tmp;
	bool any = false;
	int cpu;

	WRITE_ONCE(vmctl_fsystem, false);
	static_branch_disable(&vmctl_fsys_on);
	vmctl_fsys_release();
	/* Records being created in the fault path are pending after this. */
	synchronize_rcu();
	vmctl_faults_drain_locked();
	list_for_each_entry(p, &vmctl_fprocs, list) {
		if (p->system && !p->exited) {
			vmctl_fproc_unhash(p);
			any = true;
		}
	}
	if (any)
		synchronize_rcu();
	list_for_each_entry_safe(p, tmp, &vmctl_fprocs, list) {
		if (!p->system)
			continue;
		if (p->stopping)
			vmctl_fproc_stop_finish(p);
		vmctl_fproc_free(p, false);
	}
	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(&vmctl_fother, cpu), 0, sizeof(vmctl_fother));
	memset(&vmctl_fother_folded, 0, sizeof(vmctl_fother_folded));
	if (!vmctl_nlive)
		vmctl_tp_unregister();
}

static int vmctl_faults_track_system(bool track)
{
	int ret = 0;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	mutex_lock(&vmctl_faults_mutex);
	vmctl_faults_reap_locked();
	if (!track) {
		if (vmctl_fsystem)
			vmctl_fsys_stop_locked();
		else
			ret = -ENOENT;
		goto out;
	}
	if (vmctl_fsystem) {
		ret = -EEXIST;
		goto out;
	}
	ret = vmctl_tp_register();
	if (ret)
		goto out;
	vmctl_fsys_tracker = current_fsuid();
	vmctl_fsys_start_ns = ktime_get_ns();
	WRITE_ONCE(vmctl_fsystem, true);
	static_branch_enable(&vmctl_fsys_on);
	ret = vmctl_fsys_attach();
	if (ret)
		vmctl_fsys_stop_locked();
	else
		schedule_delayed_work(&vmctl_faults_reap_work, HZ);
out:
	mutex_unlock(&vmctl_faults_mutex);
	return ret;
}

bool vmctl_faults_read_other_locked(const struct cred *cred,
				    struct vmctl_faults *f)
{
	int cpu;

	if (!vmctl_fsystem || cred->user_ns != &init_user_ns ||
	    !cap_raised(cred->cap_effective, CAP_SYS_ADMIN))
		return false;
	memset(&f->counts, 0, sizeof(f->counts));
	for_each_possible_cpu(cpu)
		vmctl_counts_sum(&f->counts, per_cpu_ptr(&vmctl_fother, cpu));
	vmctl_counts_sum(&f->counts, &vmctl_fother_folded);
	/* The untraced faults of dropped records are counted as minor. */
	f->min_flt = f->counts.minor + f->counts.untraced;
	f->maj_flt = f->counts.major;
	f->threads = 0;
	f->vmas = 0;
	f->out_flags = VMCTL_FAULTS_OTHER;
	f->tracked_ns = ktime_get_ns() - vmctl_fsys_start_ns;
	return true;
}

int vmctl_faults_track(pid_t nr, u64 flags)
{
	struct vmctl_target target;
	struct vmctl_fproc *p, *old;
	struct task_struct *task;
	int ret;

	if (flags & VMCTL_TRACK_SYSTEM)
		return nr ? -EINVAL : vmctl_faults_track_system(true);
	ret = vmctl_target_get(nr, &target);
	if (ret)
		return ret;
	task = target.task;
	if (!same_thread_group(task, current) && !perfmon_capable()) {
		ret = -EPERM;
		goto out_target;
	}

	p = kvzalloc(sizeof(*p), GFP_KERNEL);
	if (!p) {
		ret = -ENOMEM;
		goto out_target;
	}
	vmctl_fproc_init(p);

	mutex_lock(&vmctl_faults_mutex);
	vmctl_faults_reap_locked();
	rcu_read_lock();
	old = vmctl_fproc_lookup(task->signal);
	rcu_read_unlock();
	if (old && !old->system)
		ret = -EEXIST;
	if (!ret && !old)
		ret = vmctl_faults_make_room_locked();
	if (!ret)
		ret = vmctl_tp_register();
	if (ret || old) {
		kvfree(p);
		p = NULL;
	}
	if (ret)
		goto out_unlock;

	if (old) {
		/* Recorded by system-wide tracking: now tracked for itself. */
		old->system = false;
		old->tracker_uid = current_fsuid();
		WRITE_ONCE(old->own_events, true);
		vmctl_nlive++;
		ret = vmctl_fproc_attach(old);
		if (ret) {
			vmctl_fproc_release_events(old);
			WRITE_ONCE(old->own_events, false);
			old->system = true;
			vmctl_nlive--;
		}
		goto out_reaper;
	}

	p->id = vmctl_fproc_next_id++;
	p->signal = task->signal;
	p->task = get_task_struct(task->group_leader);
	p->pid = get_task_pid(task, PIDTYPE_TGID);
	rcu_read_lock();
	p->uid = __task_cred(task)->uid;
	rcu_read_unlock();
	p->tracker_uid = current_fsuid();
	get_task_comm(p->comm, task);
	p->start_ns = ktime_get_ns();
	/* Before the events: a fault in between shows up as untraced. */
	vmctl_flt(p->signal, &p->base_min, &p->base_maj);

	list_add_tail(&p->list, &vmctl_fprocs);
	atomic_inc(&vmctl_nprocs);
	vmctl_nlive++;
	/* Its own events count it, not the per-CPU ones. */
	p->own_events = true;
	vmctl_fproc_hash_add(p);
	ret = vmctl_fproc_attach(p);
	if (ret)
		vmctl_fproc_free(p, false);
out_reaper:
	if (!ret)
		schedule_delayed_work(&vmctl_faults_reap_work, HZ);
	else if (!vmctl_nlive && !vmctl_fsystem)
		vmctl_tp_unregister();
out_unlock:
	mutex_unlock(&vmctl_faults_mutex);
out_target:
	vmctl_target_put(&target);
	return ret;
}

/* ---- lookup and permissions ---- */

/*
 * CAP_SYS_PTRACE counts only in the initial user namespace: an exited
 * process has no user namespace left to be privileged over, and every
 * capability inside a namespace a user created must grant nothing here.
 */
static bool vmctl_fproc_may_read_exited(struct vmctl_fproc *p,
					const struct cred *cred)
{
	return uid_eq(cred->fsuid, p->uid) ||
	       uid_eq(cred->fsuid, p->tracker_uid) ||
	       (cred->user_ns == &init_user_ns &&
		cap_raised(cred->cap_effective, CAP_SYS_PTRACE));
}

struct vmctl_fproc *vmctl_faults_find_locked(pid_t nr)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct vmctl_fproc *p, *found = NULL;
	struct vmctl_target target;
	struct task_struct *task;
	struct pid *pid;
	int ret;

	if (nr < 0)
		return ERR_PTR(-EINVAL);
	vmctl_faults_reap_locked();

	/* A live process: the one @nr (or a thread @nr) belongs to. */
	if (nr == 0) {
		task = get_task_struct(current);
	} else {
		pid = find_get_pid(nr);
		task = get_pid_task(pid, PIDTYPE_PID);
		put_pid(pid);
	}
	if (task) {
		list_for_each_entry(p, &vmctl_fprocs, list)
			if (!p->exited && p->signal == task->signal)
				found = p;
	}
	if (found) {
		ret = vmctl_target_get_task(task, &target);
		put_task_struct(task);
		if (!ret) {
			vmctl_target_put(&target);
			return found;
		}
		/* A zombie or an exiting process has no mm: as if exited. */
		if (ret != -ENODATA)
			return ERR_PTR(ret);
		if (!vmctl_fproc_may_read_exited(found, current_cred()))
			return ERR_PTR(-EACCES);
		return found;
	}
	if (task)
		put_task_struct(task);
	if (nr == 0)
		return ERR_PTR(-ENOENT);

	/* An exited one, by the number it had; the latest wins. */
	list_for_each_entry(p, &vmctl_fprocs, list)
		if (p->exited && pid_nr_ns(p->pid, ns) == nr)
			found = p;
	if (!found)
		return ERR_PTR(-ENOENT);
	if (!vmctl_fproc_may_read_exited(found, current_cred()))
		return ERR_PTR(-EACCES);
	return found;
}

struct vmctl_fproc *vmctl_faults_next_locked(u64 id, const struct cred *cred)
{
	struct vmctl_fproc *p;

	vmctl_faults_reap_locked();
	list_for_each_entry(p, &vmctl_fprocs, list) {
		if (p->id <= id)
			continue;
		if (vmctl_fproc_may_read_exited(p, cred))
			return p;
	}
	return NULL;
}

u64 vmctl_fproc_id(const struct vmctl_fproc *p)
{
	return p->id;
}

pid_t vmctl_fproc_pid(const struct vmctl_fproc *p, struct pid_namespace *ns)
{
	return pid_nr_ns(p->pid, ns);
}

struct vmctl_fproc *vmctl_faults_by_id_locked(u64 id)
{
	struct vmctl_fproc *p;

	list_for_each_entry(p, &vmctl_fprocs, list)
		if (p->id == id)
			return p;
	return NULL;
}

void vmctl_fproc_comm(struct vmctl_fproc *p, char comm[TASK_COMM_LEN])
{
	if (!p->exited)
		vmctl_fproc_update_comm(p);
	memcpy(comm, p->comm, TASK_COMM_LEN);
}

int vmctl_faults_untrack(pid_t nr, u64 flags)
{
	struct vmctl_fproc *p;

	if (flags & VMCTL_TRACK_SYSTEM)
		return nr ? -EINVAL : vmctl_faults_track_system(false);
	mutex_lock(&vmctl_faults_mutex);
	p = vmctl_faults_find_locked(nr);
	if (!IS_ERR(p))
		vmctl_fproc_free(p, p->system && vmctl_fsystem);
	mutex_unlock(&vmctl_faults_mutex);
	return PTR_ERR_OR_ZERO(p);
}

/* ---- reading ---- */

static void vmctl_counts_sum(struct vmctl_fault_counts *sum,
			     const struct vmctl_fault_counts *c)
{
	const u64 *src = (const u64 *)c;
	u64 *dst = (u64 *)sum;
	size_t i;

	BUILD_BUG_ON(sizeof(*c) % sizeof(u64));
	for (i = 0; i < sizeof(*c) / sizeof(u64); i++) {
		if (&dst[i] == &sum->lat_max_ns)
			dst[i] = max(dst[i], READ_ONCE(src[i]));
		else
			dst[i] += READ_ONCE(src[i]);
	}
}

/* Adds a thread's (or the overflow's) counters to @sum. */
static void vmctl_fcounts_sum(struct vmctl_fault_counts *sum,
			      const struct vmctl_fcounts *c, u64 lat_max)
{
	struct vmctl_fsums s = {};
	unsigned int i;
	u64 n;

	vmctl_fsums_add(&s, &c->v);
	sum->minor += s.minor;
	sum->major += s.major;
	sum->write += s.write;
	sum->exec += s.exec;
	sum->user += s.user;
	sum->kernel += s.kernel;
	sum->lat_total_ns += s.lat_total;
	sum->retry += READ_ONCE(c->retry);
	sum->sigsegv += READ_ONCE(c->sigsegv);
	sum->sigbus += READ_ONCE(c->sigbus);
	sum->oom += READ_ONCE(c->oom);
	sum->efault += READ_ONCE(c->efault);
	lat_max = max(lat_max, READ_ONCE(c->lat_max));
	sum->lat_max_ns = max(sum->lat_max_ns, lat_max);
	for (i = 0; i < ARRAY_SIZE(c->hist); i++) {
		n = READ_ONCE(c->hist[i]);
		sum->hist[min_t(unsigned int, i, VMCTL_FAULT_HIST_BUCKETS - 1)] += n;
		sum->lat_count += n;
	}
}

/* A thread's counters: its largest latency may still be pending. */
static void vmctl_fthread_sum(struct vmctl_fault_counts *sum,
			      const struct vmctl_fthread *t)
{
	u64 pend_max = READ_ONCE(t->pend_lat_max);

	/* Pending first: pairs with vmctl_fthread_flush_locked(). */
	smp_rmb();
	vmctl_fcounts_sum(sum, &t->c, pend_max);
}

static void vmctl_untraced(struct vmctl_faults *f)
{
	u64 seen = f->counts.minor + f->counts.major;
	u64 all = f->min_flt + f->maj_flt;

	/* Negative only for faults in the instant tracking started. */
	f->counts.untraced = all > seen ? all - seen : 0;
}

void vmctl_fproc_read_locked(struct vmctl_fproc *p, struct vmctl_faults *f)
{
	struct vmctl_fthread *t;
	unsigned long flags;
	u64 min, maj;

	memset(&f->counts, 0, sizeof(f->counts));
	f->threads = 0;
	rcu_read_lock();
	list_for_each_entry_rcu(t, &p->threads, node) {
		vmctl_fthread_sum(&f->counts, t);
		f->threads++;
	}
	rcu_read_unlock();
	raw_spin_lock_irqsave(&p->lock, flags);
	vmctl_fcounts_sum(&f->counts, &p->overflow, 0);
	f->vmas = p->nvmas;
	raw_spin_unlock_irqrestore(&p->lock, flags);

	vmctl_flt(p->signal, &min, &maj);
	f->min_flt = min - p->base_min;
	f->maj_flt = maj - p->base_maj;
	vmctl_untraced(f);
	f->out_flags = p->exited ? VMCTL_FAULTS_EXITED : 0;
	f->tracked_ns = (p->exited ? p->end_ns : ktime_get_ns()) - p->start_ns;
	if (p->exited)
		p->read_after_exit = true;
}

int vmctl_fproc_read_thread_locked(struct vmctl_fproc *p, struct vmctl_faults *f)
{
	struct task_struct *tsk = current;
	struct vmctl_fthread *t;

	if (p->exited)
		return -ENOENT;
	t = vmctl_fthread_get(p, tsk, tsk->min_flt, tsk->maj_flt, GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	memset(&f->counts, 0, sizeof(f->counts));
	vmctl_fthread_sum(&f->counts, t);
	f->threads = 1;
	f->vmas = READ_ONCE(p->nvmas);
	f->min_flt = tsk->min_flt - t->base_min;
	f->maj_flt = tsk->maj_flt - t->base_maj;
	vmctl_untraced(f);
	f->out_flags = 0;
	f->tracked_ns = ktime_get_ns() - p->start_ns;
	return 0;
}

static void vmctl_fvma_fill(const struct vmctl_fvma *v, struct vmctl_fault_vma *r)
{
	memset(r, 0, sizeof(*r));
	r->start = v->start;
	r->end = v->end;
	r->inode = v->inode;
	r->dev_major = MAJOR(v->dev);
	r->dev_minor = MINOR(v->dev);
	r->kind = v->kind;
	r->lat_max_ns = v->lat_max;
}

static void vmctl_fvma_add_sums(const struct vmctl_fsums *s,
				struct vmctl_fault_vma *r)
{
	r->minor += s->minor;
	r->major += s->major;
	r->write += s->write;
	r->exec += s->exec;
	r->user += s->user;
	r->kernel += s->kernel;
	r->lat_total_ns += s->lat_total;
}

unsigned int vmctl_fproc_vmas_locked(struct vmctl_fproc *p,
				     struct vmctl_fault_vma *recs)
{
	struct vmctl_fsums now, d;
	struct vmctl_fault_vma *r;
	struct vmctl_fthread *t;
	unsigned long flags;
	unsigned int i, n;
	int idx;

	raw_spin_lock_irqsave(&p->lock, flags);
	n = p->nvmas;
	/* The buckets, "other" in recs[n] (there is room for it). */
	for (i = 0; i <= n; i++) {
		idx = i < n ? i : VMCTL_FVMA_OTHER;
		vmctl_fvma_fill(&p->vmas[idx], &recs[i]);
		vmctl_fvma_add_sums(&p->vmas[idx].n, &recs[i]);
	}
	/*
	 * Plus what threads counted since their snapshot: the snapshot and
	 * the bucket change only under the lock.
	 */
	rcu_read_lock();
	list_for_each_entry_rcu(t, &p->threads, node) {
		idx = t->pend_idx;
		if (idx < 0)
			continue;
		r = &recs[idx == VMCTL_FVMA_OTHER ? n : idx];
		memset(&now, 0, sizeof(now));
		vmctl_fsums_add(&now, &t->c.v);
		memset(&d, 0, sizeof(d));
		vmctl_fsums_add_diff(&d, &now, &t->snap);
		vmctl_fvma_add_sums(&d, r);
		r->lat_max_ns = max_t(u64, r->lat_max_ns, READ_ONCE(t->pend_lat_max));
	}
	rcu_read_unlock();
	r = &recs[n];
	if (r->minor + r->major) {
		r->start = 0;
		r->end = 0;
		r->flags = VMCTL_FAULT_VMA_OTHER;
		n++;
	}
	raw_spin_unlock_irqrestore(&p->lock, flags);
	return n;
}

int vmctl_fproc_vma_name_locked(struct vmctl_fproc *p, unsigned int i,
				char *buf, size_t size)
{
	const struct vmctl_fvma *v;
	const char *name;
	size_t len;

	/* Buckets are never removed and the mutex keeps @p and its files. */
	if (i >= READ_ONCE(p->nvmas))
		return 0;
	v = &p->vmas[i];
	if (v->file) {
		name = d_path(vmctl_file_user_path(v->file), buf, size);
		if (IS_ERR(name))
			return -ENOSPC;
		len = buf + size - 1 - name;
		memmove(buf, name, len + 1);
		return len;
	}
	len = strnlen(v->special, sizeof(v->special));
	if (!len)
		return 0;
	if (len >= size)
		return -ENOSPC;
	memcpy(buf, v->special, len);
	buf[len] = '\0';
	return len;
}

/* ---- module init/exit ---- */

int vmctl_faults_init(void)
{
	/* A TSC the kernel trusts (without constant_tsc: its nominal rate). */
	/*
	 * A TSC the kernel trusts (without constant_tsc: its nominal rate),
	 * fast enough for a 32-bit multiplier (vmctl_tp_register()).
	 */
	if (!boot_cpu_has(X86_FEATURE_TSC) || tsc_khz <= 4000 || check_tsc_unstable())
		static_branch_disable(&vmctl_fault_tsc);
	for_each_kernel_tracepoint(vmctl_find_tp, NULL);
	if (!vmctl_tp_pf_user || !vmctl_tp_pf_kernel || !vmctl_tp_signal)
		pr_warn("vmctl: fault tracepoints not found, fault accounting off\n");
	return 0;
}

void vmctl_faults_exit(void)
{
	struct vmctl_fproc *p, *tmp;

	cancel_delayed_work_sync(&vmctl_faults_reap_work);
	mutex_lock(&vmctl_faults_mutex);
	if (vmctl_fsystem)
		vmctl_fsys_stop_locked();
	list_for_each_entry_safe(p, tmp, &vmctl_fprocs, list)
		vmctl_fproc_free(p, false);
	vmctl_tp_unregister();
	mutex_unlock(&vmctl_faults_mutex);
}
