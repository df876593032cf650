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
 *    process pays one hash lookup per fault.
 *
 *  - exit: per-thread perf software events PERF_COUNT_SW_PAGE_FAULTS_MIN
 *    and _MAJ (sample_period 1, an in-kernel overflow handler), raised by
 *    mm_account_fault() at the end of handle_mm_fault() for every
 *    completed fault that has registers. Per-task events are hashed into
 *    the per-CPU swevent table only while their task runs, so they cost
 *    untracked processes a lookup in an empty hash bucket. inherit +
 *    inherit_thread give new threads (not forked children) their own
 *    copy of the event; the handler context is shared.
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
 * shared by the threads of a process and guarded by a raw spinlock; on
 * the cached path (6.12) a thread adds to its own pending counts of its
 * current bucket instead, which readers add under the lock. Handlers run
 * with preemption disabled; they never sleep.
 *
 * Control (track, untrack, read) is serialised by vmctl_faults_mutex. A
 * process is freed only after it left the RCU hash, its perf events were
 * released and an RCU grace period passed, so no handler still uses it.
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

/* One thread's counters; written only by that thread. */
struct vmctl_fthread {
	struct hlist_node hnode;	/* proc->thash, RCU */
	struct list_head node;		/* proc->threads, RCU */
	pid_t pid;
	u64 start_time;
	u64 base_min, base_maj;		/* min_flt/maj_flt when first seen */
	u64 last_flt;			/* min_flt + maj_flt at the last exit */
	/* The fault in progress, between entry and exit. */
	bool open;
	bool open_user;
	unsigned long open_addr;
	unsigned long open_err;
	u64 open_ns;
	long open_sigseq;
	/* The VMA of the last fault, valid while the layout is unchanged. */
	struct mm_struct *vma_mm;
	unsigned long vma_start, vma_end;
	u64 vma_seq;
	int vma_idx;			/* -1: nothing cached */
	/*
	 * Faults of the cached bucket not yet added to it: only this thread
	 * writes them, without proc->lock; they are moved into the bucket
	 * under proc->lock when the thread's bucket changes, and readers
	 * (holding proc->lock) add them.
	 */
	int pend_idx;			/* -1: nothing pending */
	struct vmctl_fvma_counts {
		u64 minor, major, write, exec, user, kernel, lat_total, lat_max;
	} pend;
	struct vmctl_fault_counts c;
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
	struct vmctl_fvma_counts n;
};

struct vmctl_fevents {
	pid_t pid;
	struct perf_event *ev[2];	/* _MIN, _MAJ */
};

struct vmctl_fproc {
	struct hlist_node hnode;	/* vmctl_fproc_hash while live, RCU */
	struct list_head list;		/* vmctl_fprocs */
	u64 id;
	u64 gen;			/* unique, for vmctl_fslot */
	struct signal_struct *signal;	/* the key; kept alive by @task */
	struct task_struct *task;	/* a reference on the tracked leader */
	struct pid *pid;		/* its tgid */
	kuid_t uid;			/* real uid of the process at track time */
	kuid_t tracker_uid;		/* fsuid of the tracker */
	char comm[TASK_COMM_LEN];
	u64 start_ns, end_ns;
	u64 base_min, base_maj;
	bool exited;
	bool read_after_exit;
	bool system;			/* created by system-wide tracking */
	bool own_events;		/* has per-thread events (tracked itself) */
	bool stopping;			/* unhashed, waiting for a grace period */
	struct llist_node pending;	/* vmctl_fprocs_new until listed */
	atomic_long_t sigseq;		/* signals sent to the process */

	raw_spinlock_t lock;		/* thread insertion, VMAs, @overflow */
	struct hlist_head thash[1 << VMCTL_FTHREAD_HASH_BITS];
	struct list_head threads;
	unsigned int nthreads;
	struct vmctl_fault_counts overflow;	/* threads without a record */
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
 * aggregate of the faults of the processes without a record.
 */
static bool vmctl_fsystem;
static struct perf_event **vmctl_fsys_events;	/* 2 per possible CPU */
static kuid_t vmctl_fsys_tracker;
static u64 vmctl_fsys_start_ns;
static DEFINE_PER_CPU(struct vmctl_fault_counts, vmctl_fother);

/*
 * The thread record the last fault entry on this CPU used, so that the
 * exit (usually on the same CPU) need not look it up again. Valid only
 * for the same task, process record (@gen) and thread (pid, start time).
 */
struct vmctl_fslot {
	struct task_struct *tsk;
	u64 gen;
	struct vmctl_fthread *t;
};

static DEFINE_PER_CPU(struct vmctl_fslot, vmctl_fslot);
static atomic64_t vmctl_fproc_gen = ATOMIC64_INIT(0);
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
 * The record of @tsk (current), created with @gfp when missing. NULL when
 * the process has VMCTL_FAULTS_MAX_THREADS records or memory is short:
 * the faults then go to proc->overflow.
 */
static struct vmctl_fthread *vmctl_fthread_get(struct vmctl_fproc *p,
					       struct task_struct *tsk,
					       u64 base_min, u64 base_maj,
					       gfp_t gfp)
{
	struct vmctl_fthread *t = vmctl_fthread_find(p, tsk);
	unsigned long flags;

	if (likely(t))
		return t;
	if (READ_ONCE(p->nthreads) >= VMCTL_FAULTS_MAX_THREADS)
		return NULL;
	t = kzalloc(sizeof(*t), gfp | __GFP_NOWARN);
	if (!t)
		return NULL;
	t->pid = tsk->pid;
	t->start_time = tsk->start_time;
	t->base_min = base_min;
	t->base_maj = base_maj;
	t->vma_idx = -1;
	t->pend_idx = -1;

	raw_spin_lock_irqsave(&p->lock, flags);
	if (p->nthreads >= VMCTL_FAULTS_MAX_THREADS) {
		raw_spin_unlock_irqrestore(&p->lock, flags);
		kfree(t);
		return NULL;
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

	p->gen = atomic64_inc_return(&vmctl_fproc_gen);
	raw_spin_lock_init(&p->lock);
	INIT_LIST_HEAD(&p->threads);
	for (i = 0; i < ARRAY_SIZE(p->thash); i++)
		INIT_HLIST_HEAD(&p->thash[i]);
	p->vmas[VMCTL_FVMA_OTHER].kind = VMCTL_KIND_ANON;
	atomic_long_set(&p->sigseq, 0);
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

/* An entry that got no exit: the fault failed. @sig: SIGSEGV, SIGBUS or 0. */
static void vmctl_fault_failed(struct vmctl_fproc *p, struct vmctl_fthread *t,
			       int sig)
{
	if (sig == SIGSEGV)
		t->c.sigsegv++;
	else if (sig == SIGBUS)
		t->c.sigbus++;
	else if (!t->open_user)
		t->c.efault++;
	else if (atomic_long_read(&p->sigseq) != t->open_sigseq)
		t->c.retry++;
	else
		t->c.oom++;
	t->open = false;
}

/*
 * Fault latency clock: the TSC read raw at both ends (a fault that
 * resumed on another CPU may see a small skew, clamped at 0), converted
 * to ns once per fault with tsc_khz; local_clock() without a usable TSC.
 * Reading the timekeeping clocks twice per fault cost more than the rest
 * of the handlers' work.
 */
static bool vmctl_fault_tsc __read_mostly;

static __always_inline u64 vmctl_fault_clock(void)
{
	return likely(vmctl_fault_tsc) ? rdtsc_ordered() : local_clock();
}

static __always_inline u64 vmctl_fault_clock_ns(u64 delta)
{
	return likely(vmctl_fault_tsc) ?
	       mul_u64_u32_div(delta, USEC_PER_SEC, tsc_khz) : delta;
}

/*
 * The slow part of the entry probe, for a tracked process (or any, with
 * system-wide tracking): out of line, so that the check for the others
 * (vmctl_fault_wanted()) needs no stack frame.
 */
static noinline void vmctl_fault_entry(struct pt_regs *regs, unsigned long addr,
				       unsigned long err, bool user)
{
	struct task_struct *tsk = current;
	struct vmctl_fslot *slot;
	struct vmctl_fthread *t;
	struct vmctl_fproc *p;

	/*
	 * Tracepoint probes run with preemption disabled, which is an RCU
	 * read-side section: no rcu_read_lock() needed on this hot path.
	 */
	p = vmctl_fproc_lookup(tsk->signal);
	if (likely(!p)) {
		if (likely(!READ_ONCE(vmctl_fsystem)))
			return;
		if (!tsk->mm || (tsk->flags & PF_KTHREAD) || pagefault_disabled())
			return;
		p = vmctl_fproc_new_atomic(tsk);
		if (!p)
			return;
	}
	/* The handler refuses these at once, without counting them. */
	if (!tsk->mm || pagefault_disabled())
		return;
	t = vmctl_fthread_get(p, tsk, tsk->min_flt, tsk->maj_flt, GFP_ATOMIC);
	if (!t)
		return;
	if (t->open)
		vmctl_fault_failed(p, t, 0);
	t->open = true;
	t->open_user = user;
	t->open_addr = addr;
	t->open_err = err;
	t->open_sigseq = atomic_long_read(&p->sigseq);
	t->open_ns = vmctl_fault_clock();
	slot = this_cpu_ptr(&vmctl_fslot);
	slot->tsk = tsk;
	slot->gen = p->gen;
	slot->t = t;
}

/* What an untracked process pays: a bucket load and a compare. */
static __always_inline bool vmctl_fault_wanted(unsigned long addr)
{
	return addr < TASK_SIZE_MAX &&
	       (vmctl_fproc_lookup(current->signal) || READ_ONCE(vmctl_fsystem));
}

static notrace void vmctl_pf_user_probe(void *data, unsigned long addr,
					struct pt_regs *regs, unsigned long err)
{
	if (unlikely(vmctl_fault_wanted(addr)))
		vmctl_fault_entry(regs, addr, err, true);
}

static notrace void vmctl_pf_kernel_probe(void *data, unsigned long addr,
					  struct pt_regs *regs, unsigned long err)
{
	if (unlikely(vmctl_fault_wanted(addr)))
		vmctl_fault_entry(regs, addr, err, false);
}

static void vmctl_signal_probe(void *data, int sig, struct kernel_siginfo *info,
			       struct task_struct *task, int group, int result)
{
	struct vmctl_fthread *t;
	struct vmctl_fproc *p;

	p = vmctl_fproc_lookup(task->signal);
	if (likely(!p))
		return;
	atomic_long_inc(&p->sigseq);
	/* A fault's own signal: raised by the faulting thread on itself. */
	if (task != current || (sig != SIGSEGV && sig != SIGBUS) ||
	    (unsigned long)info <= (unsigned long)SEND_SIG_PRIV)
		return;
	t = vmctl_fthread_find(p, task);
	if (t && t->open &&
	    (unsigned long)info->si_addr == t->open_addr)
		vmctl_fault_failed(p, t, sig);
}

/* What one completed fault adds. */
struct vmctl_fdone {
	bool major, write, exec, user, timed;
	u64 ns;
};

static void vmctl_counts_add(struct vmctl_fault_counts *c,
			     const struct vmctl_fdone *d)
{
	if (d->major)
		c->major++;
	else
		c->minor++;
	c->write += d->write;
	c->exec += d->exec;
	if (d->user)
		c->user++;
	else
		c->kernel++;
	if (d->timed) {
		unsigned int b = d->ns ? min_t(unsigned int, ilog2(d->ns),
					       VMCTL_FAULT_HIST_BUCKETS - 1) : 0;

		c->lat_count++;
		c->lat_total_ns += d->ns;
		if (d->ns > c->lat_max_ns)
			c->lat_max_ns = d->ns;
		c->hist[b]++;
	}
}

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
	v->start = vma->vm_start;
	v->end = vma->vm_end;
	return v;
}

static void vmctl_fvma_counts_add(struct vmctl_fvma_counts *n,
				  const struct vmctl_fdone *d)
{
	if (d->major)
		n->major++;
	else
		n->minor++;
	n->write += d->write;
	n->exec += d->exec;
	if (d->user)
		n->user++;
	else
		n->kernel++;
	if (d->timed) {
		n->lat_total += d->ns;
		if (d->ns > n->lat_max)
			n->lat_max = d->ns;
	}
}

static void vmctl_fvma_counts_merge(struct vmctl_fvma_counts *dst,
				    const struct vmctl_fvma_counts *src)
{
	dst->minor += READ_ONCE(src->minor);
	dst->major += READ_ONCE(src->major);
	dst->write += READ_ONCE(src->write);
	dst->exec += READ_ONCE(src->exec);
	dst->user += READ_ONCE(src->user);
	dst->kernel += READ_ONCE(src->kernel);
	dst->lat_total += READ_ONCE(src->lat_total);
	dst->lat_max = max(dst->lat_max, READ_ONCE(src->lat_max));
}

/*
 * With per-VMA locks the mm counts its write-locked sections in a
 * seqcount: while it is even and unchanged, the VMA layout is the one a
 * thread saw at its last fault, and that fault's bucket can be reused
 * without a lock or a tree walk. (6.1 has no such count: always look up.)
 */
#if defined(CONFIG_PER_VMA_LOCK) && defined(VMCTL_HAVE_MM_LOCK_SEQCOUNT)
#define VMCTL_FVMA_CACHE
static u64 vmctl_layout_seq(struct mm_struct *mm)
{
	return raw_read_seqcount(&mm->mm_lock_seq);
}

/* Move the pending counts of @t (current) into their bucket. */
static void vmctl_fthread_flush_locked(struct vmctl_fproc *p,
				       struct vmctl_fthread *t)
{
	if (t->pend_idx < 0)
		return;
	vmctl_fvma_counts_merge(&p->vmas[t->pend_idx].n, &t->pend);
	memset(&t->pend, 0, sizeof(t->pend));
	t->pend_idx = -1;
}
#endif

static void vmctl_fault_vma_account(struct vmctl_fproc *p,
				    struct vmctl_fthread *t, unsigned long addr,
				    const struct vmctl_fdone *d)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma = NULL;
	struct vmctl_fvma *v = NULL;
	unsigned long flags;
	bool locked = false;

#ifdef VMCTL_FVMA_CACHE
	if (t && t->vma_idx >= 0 && t->vma_mm == mm &&
	    addr >= t->vma_start && addr < t->vma_end) {
		u64 seq = vmctl_layout_seq(mm);

		if (!(seq & 1) && seq == t->vma_seq) {
			/* The thread's own pending counts: no lock. */
			if (unlikely(t->pend_idx != t->vma_idx)) {
				raw_spin_lock_irqsave(&p->lock, flags);
				vmctl_fthread_flush_locked(p, t);
				t->pend_idx = t->vma_idx;
				raw_spin_unlock_irqrestore(&p->lock, flags);
			}
			vmctl_fvma_counts_add(&t->pend, d);
			return;
		}
	}
#endif
	/*
	 * The fault may hold mmap_lock, a per-VMA lock, or (after
	 * VM_FAULT_COMPLETED) nothing: take a read hold of our own, or give
	 * up when a writer is active or waiting.
	 */
	if (mm && mmap_read_trylock(mm)) {
		locked = true;
		vma = vma_lookup(mm, addr);
	}
	raw_spin_lock_irqsave(&p->lock, flags);
	if (vma)
		v = vmctl_fvma_get(p, vma);
#ifdef VMCTL_FVMA_CACHE
	if (t && v) {
		/* Stable: no writer while we hold mmap_lock for read. */
		t->vma_mm = mm;
		t->vma_seq = vmctl_layout_seq(mm);
		t->vma_start = vma->vm_start;
		t->vma_end = vma->vm_end;
		t->vma_idx = v - p->vmas;
	}
#endif
	if (!v)
		v = &p->vmas[VMCTL_FVMA_OTHER];
	vmctl_fvma_counts_add(&v->n, d);
	raw_spin_unlock_irqrestore(&p->lock, flags);
	if (locked)
		mmap_read_unlock(mm);
}

static void vmctl_fault_done(struct vmctl_fproc *p, struct perf_event *event,
			     struct perf_sample_data *data,
			     struct pt_regs *regs)
{
	struct task_struct *tsk = current;
	unsigned long addr = data->addr;
	struct vmctl_fdone d = {
		.major = event->attr.config == PERF_COUNT_SW_PAGE_FAULTS_MAJ,
	};
	u64 flt = tsk->min_flt + tsk->maj_flt;
	struct vmctl_fthread *t;
	unsigned long flags;

	struct vmctl_fslot *slot = this_cpu_ptr(&vmctl_fslot);

	if (unlikely(tsk->signal != p->signal))
		return;
	t = slot->t;
	if (!(slot->tsk == tsk && slot->gen == p->gen && t->pid == tsk->pid &&
	      t->start_time == tsk->start_time))
		t = vmctl_fthread_get(p, tsk, tsk->min_flt - !d.major,
				      tsk->maj_flt - d.major, GFP_ATOMIC);
	if (t) {
		/* A thread that got an event twice (see vmctl_fproc_attach()). */
		if (t->last_flt == flt)
			return;
		t->last_flt = flt;
		if (t->open && (t->open_addr >> PAGE_SHIFT) == (addr >> PAGE_SHIFT)) {
			u64 now = vmctl_fault_clock();

			d.user = t->open_user;
			d.write = t->open_err & X86_PF_WRITE;
			d.exec = t->open_err & X86_PF_INSTR;
			d.timed = true;
			d.ns = now > t->open_ns ?
			       vmctl_fault_clock_ns(now - t->open_ns) : 0;
			t->open = false;
		} else {
			d.user = user_mode(regs);
		}
		vmctl_counts_add(&t->c, &d);
	} else {
		d.user = user_mode(regs);
		raw_spin_lock_irqsave(&p->lock, flags);
		vmctl_counts_add(&p->overflow, &d);
		raw_spin_unlock_irqrestore(&p->lock, flags);
	}
	vmctl_fault_vma_account(p, t, addr, &d);
}

/* Per-thread events of a tracked process: the context is its record. */
static void vmctl_fault_exit(struct perf_event *event,
			     struct perf_sample_data *data,
			     struct pt_regs *regs)
{
	vmctl_fault_done(event->overflow_handler_context, event, data, regs);
}

/* Per-CPU events of system-wide tracking: every completed fault. */
static void vmctl_fault_exit_sys(struct perf_event *event,
				 struct perf_sample_data *data,
				 struct pt_regs *regs)
{
	struct vmctl_fproc *p = vmctl_fproc_lookup(current->signal);
	struct vmctl_fault_counts *c;

	if (p) {
		/* A process tracked itself is counted by its own events. */
		if (!READ_ONCE(p->own_events))
			vmctl_fault_done(p, event, data, regs);
		return;
	}
	/* No record (table full, memory short, kernel thread): aggregate. */
	c = this_cpu_ptr(&vmctl_fother);
	if (event->attr.config == PERF_COUNT_SW_PAGE_FAULTS_MAJ)
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

static struct perf_event *vmctl_fevent_create(struct vmctl_fproc *p,
					      struct task_struct *task, u64 config)
{
	struct perf_event_attr attr = {
		.type		= PERF_TYPE_SOFTWARE,
		.size		= sizeof(attr),
		.config		= config,
		.sample_period	= 1,
		.inherit	= 1,
		.inherit_thread	= 1,
	};

	return perf_event_create_kernel_counter(&attr, -1, task,
						vmctl_fault_exit, p);
}

static int vmctl_fproc_attach_task(struct vmctl_fproc *p,
				   struct task_struct *task)
{
	struct vmctl_fevents *fe;

	if (p->nevents == p->events_cap) {
		unsigned int cap = max(8U, p->events_cap * 2);

		fe = krealloc_array(p->events, cap, sizeof(*fe), GFP_KERNEL);
		if (!fe)
			return -ENOMEM;
		p->events = fe;
		p->events_cap = cap;
	}
	fe = &p->events[p->nevents];
	fe->pid = task->pid;
	fe->ev[0] = vmctl_fevent_create(p, task, PERF_COUNT_SW_PAGE_FAULTS_MIN);
	if (IS_ERR(fe->ev[0]))
		return PTR_ERR(fe->ev[0]);
	fe->ev[1] = vmctl_fevent_create(p, task, PERF_COUNT_SW_PAGE_FAULTS_MAJ);
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
 * ends up with two events is counted once (vmctl_fault_exit()).
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

/* Take @p out of the fault path; vmctl_fproc_stop_finish() after a grace period. */
static void vmctl_fproc_unhash(struct vmctl_fproc *p)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&vmctl_fhash_lock, flags);
	hash_del_rcu(&p->hnode);
	raw_spin_unlock_irqrestore(&vmctl_fhash_lock, flags);
	vmctl_fproc_release_events(p);
	WRITE_ONCE(p->own_events, false);
	p->stopping = true;
}

static void vmctl_fproc_stop_finish(struct vmctl_fproc *p)
{
	struct vmctl_fthread *t;

	p->stopping = false;
	p->exited = true;
	p->end_ns = ktime_get_ns();
	if (!p->system && !--vmctl_nlive && !vmctl_fsystem)
		vmctl_tp_unregister();
	/* A thread that died inside a fault. */
	list_for_each_entry(t, &p->threads, node)
		if (t->open)
			vmctl_fault_failed(p, t, 0);
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

void vmctl_fproc_comm(const struct vmctl_fproc *p, char comm[TASK_COMM_LEN])
{
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
		vmctl_counts_sum(&f->counts, &t->c);
		f->threads++;
	}
	rcu_read_unlock();
	raw_spin_lock_irqsave(&p->lock, flags);
	vmctl_counts_sum(&f->counts, &p->overflow);
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
	rcu_read_lock();
	t = vmctl_fthread_get(p, tsk, tsk->min_flt, tsk->maj_flt, GFP_NOWAIT);
	rcu_read_unlock();
	if (!t)
		return -ENOMEM;
	memset(&f->counts, 0, sizeof(f->counts));
	vmctl_counts_sum(&f->counts, &t->c);
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
}

static void vmctl_fvma_fill_counts(const struct vmctl_fvma_counts *n,
				   struct vmctl_fault_vma *r)
{
	r->minor = n->minor;
	r->major = n->major;
	r->write = n->write;
	r->exec = n->exec;
	r->user = n->user;
	r->kernel = n->kernel;
	r->lat_total_ns = n->lat_total;
	r->lat_max_ns = n->lat_max;
}

unsigned int vmctl_fproc_vmas_locked(struct vmctl_fproc *p,
				     struct vmctl_fault_vma *recs)
{
	const struct vmctl_fvma *other = &p->vmas[VMCTL_FVMA_OTHER];
	struct vmctl_fvma_counts sum;
	struct vmctl_fthread *t;
	unsigned long flags;
	unsigned int i, n;
	int idx;

	raw_spin_lock_irqsave(&p->lock, flags);
	n = p->nvmas;
	for (i = 0; i < n; i++) {
		vmctl_fvma_fill(&p->vmas[i], &recs[i]);
		vmctl_fvma_fill_counts(&p->vmas[i].n, &recs[i]);
	}
	/* Plus what threads have pending (moved only under the lock). */
	rcu_read_lock();
	list_for_each_entry_rcu(t, &p->threads, node) {
		idx = READ_ONCE(t->pend_idx);
		if (idx < 0 || idx >= n)
			continue;
		sum = p->vmas[idx].n;
		sum.minor = recs[idx].minor;
		sum.major = recs[idx].major;
		sum.write = recs[idx].write;
		sum.exec = recs[idx].exec;
		sum.user = recs[idx].user;
		sum.kernel = recs[idx].kernel;
		sum.lat_total = recs[idx].lat_total_ns;
		sum.lat_max = recs[idx].lat_max_ns;
		vmctl_fvma_counts_merge(&sum, &t->pend);
		vmctl_fvma_fill_counts(&sum, &recs[idx]);
	}
	rcu_read_unlock();
	if (other->n.minor + other->n.major) {
		vmctl_fvma_fill(other, &recs[n]);
		vmctl_fvma_fill_counts(&other->n, &recs[n]);
		recs[n].start = 0;
		recs[n].end = 0;
		recs[n].flags = VMCTL_FAULT_VMA_OTHER;
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
	vmctl_fault_tsc = boot_cpu_has(X86_FEATURE_TSC) && tsc_khz &&
			  !check_tsc_unstable();
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
