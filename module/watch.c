// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of watches: ids, the pid hash and the global list the
 * hooks read, creation, deletion and the end of a watch whose process
 * exited. See watch.h for the locking rules.
 */

#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "vmctl.h"
#include "watch.h"

/* See watch.h for what these two guard. */
DEFINE_MUTEX(vmctl_watch_mutex);
DEFINE_SPINLOCK(vmctl_watch_lock);
DEFINE_HASHTABLE(vmctl_watch_pids, VMCTL_WATCH_HASH_BITS);
LIST_HEAD(vmctl_watch_globals);

/* Every live watch by id; under vmctl_watch_mutex. */
static DEFINE_XARRAY_ALLOC1(vmctl_watch_ids);
static unsigned int vmctl_watch_count;

/* Watches whose process exited, ended by vmctl_watch_reap(). */
static LIST_HEAD(vmctl_watch_dead);
static void vmctl_watch_reap_work(struct work_struct *work);
static DECLARE_WORK(vmctl_watch_reaper, vmctl_watch_reap_work);

/*
 * vm.max_map_count as last read. The hooks run where the sysctl cannot
 * be read (it is not exported; reading it takes a file), so it is read
 * when a watch is added, once a second while watches exist, and again
 * before a map-count-exhausted event is sent.
 */
static u64 vmctl_watch_max;

u64 vmctl_watch_cached_max(void)
{
	return READ_ONCE(vmctl_watch_max);
}

void vmctl_watch_refresh_max(void)
{
	u64 max = vmctl_max_map_count();

	if (max)
		WRITE_ONCE(vmctl_watch_max, max);
}

static void vmctl_watch_state_free_rcu(struct rcu_head *rcu)
{
	struct vmctl_watch_state *st = container_of(rcu, struct vmctl_watch_state, rcu);

	put_pid(st->pid);
	kfree(st);
}

/* A global watch's state for one process, once no hook can see it. */
void vmctl_watch_state_free(struct vmctl_watch_state *st)
{
	call_rcu(&st->rcu, vmctl_watch_state_free_rcu);
}

static void vmctl_watch_release(struct kref *ref)
{
	struct vmctl_watch *w = container_of(ref, struct vmctl_watch, ref);
	struct vmctl_watch_state *st;
	unsigned long nr;

	xa_for_each(&w->procs, nr, st)
		vmctl_watch_state_free(st);
	xa_destroy(&w->procs);
	put_pid(w->pid);
	put_net(w->net);
	put_pid_ns(w->pidns);
	kfree_rcu(w, rcu);
}

/* Process context only: the last reference frees. */
void vmctl_watch_put(struct vmctl_watch *w)
{
	might_sleep();
	kref_put(&w->ref, vmctl_watch_release);
}

static bool vmctl_watch_wants_map_count(const struct vmctl_watch *w)
{
	return w->events & (VMCTL_EVENT_MAP_COUNT_THRESHOLD |
			    VMCTL_EVENT_MAP_COUNT_EXHAUSTED);
}

/**
 * vmctl_watch_add - make @w live
 * @w: a watch with every field of the request set; the registry takes a
 *     reference of its own on success
 *
 * Return: 0, -ENOSPC (max_watches reached) or an error of the hooks.
 */
int vmctl_watch_add(struct vmctl_watch *w)
{
	u32 id;
	int ret;

	mutex_lock(&vmctl_watch_mutex);
	if (vmctl_watch_count >= vmctl_max_watches) {
		ret = -ENOSPC;
		goto out;
	}
	ret = vmctl_watch_hooks_get(vmctl_watch_wants_map_count(w));
	if (ret)
		goto out;
	ret = xa_alloc(&vmctl_watch_ids, &id, w, xa_limit_31b, GFP_KERNEL);
	if (ret) {
		vmctl_watch_hooks_put(vmctl_watch_wants_map_count(w));
		ret = ret == -EBUSY ? -ENOSPC : ret;
		goto out;
	}
	w->id = id;
	w->live = true;
	kref_get(&w->ref);
	vmctl_watch_count++;
	vmctl_watch_refresh_max();

	spin_lock(&vmctl_watch_lock);
	if (w->pid)
		hash_add_rcu(vmctl_watch_pids, &w->pid_node, (unsigned long)w->pid);
	else
		list_add_tail_rcu(&w->global_node, &vmctl_watch_globals);
	spin_unlock(&vmctl_watch_lock);
out:
	mutex_unlock(&vmctl_watch_mutex);
	return ret;
}

/* Under vmctl_watch_mutex: unlink @w and drop the registry's reference. */
static void vmctl_watch_end(struct vmctl_watch *w)
{
	lockdep_assert_held(&vmctl_watch_mutex);

	if (!w->live)
		return;
	w->live = false;
	xa_erase(&vmctl_watch_ids, w->id);
	/* Hooks check @unlinked before they keep a pointer to @w anywhere. */
	spin_lock(&vmctl_watch_lock);
	w->unlinked = true;
	if (w->pid)
		hash_del_rcu(&w->pid_node);
	else
		list_del_rcu(&w->global_node);
	list_del_init(&w->dead_node);
	spin_unlock(&vmctl_watch_lock);
	vmctl_watch_count--;
	vmctl_watch_hooks_put(vmctl_watch_wants_map_count(w));
	vmctl_watch_put(w);
}

/**
 * vmctl_watch_del - end watch @id on behalf of a request
 * @cred: the requester's credentials
 * @admin: whether the requester has CAP_SYS_ADMIN
 *
 * Return: 0, -ENOENT (no such watch) or -EPERM (neither its creator nor
 * an administrator).
 */
int vmctl_watch_del(u32 id, const struct cred *cred, bool admin)
{
	struct vmctl_watch *w;
	int ret = 0;

	mutex_lock(&vmctl_watch_mutex);
	w = xa_load(&vmctl_watch_ids, id);
	if (!w)
		ret = -ENOENT;
	else if (!admin && !uid_eq(w->owner, cred->fsuid))
		ret = -EPERM;
	else
		vmctl_watch_end(w);
	mutex_unlock(&vmctl_watch_mutex);
	return ret;
}

/*
 * vmctl_watch_cancel - end @w, which the caller holds a reference on,
 * unless it has ended already. Unlike vmctl_watch_del(), it never ends
 * another watch that was given @w's id after @w ended.
 */
void vmctl_watch_cancel(struct vmctl_watch *w)
{
	mutex_lock(&vmctl_watch_mutex);
	vmctl_watch_end(w);
	mutex_unlock(&vmctl_watch_mutex);
}

/*
 * vmctl_watch_get_next - the live watch with the lowest id >= *@id, with
 * a reference; *@id is set to its id. NULL when there is none.
 */
struct vmctl_watch *vmctl_watch_get_next(unsigned long *id)
{
	struct vmctl_watch *w;

	mutex_lock(&vmctl_watch_mutex);
	w = xa_find(&vmctl_watch_ids, id, ULONG_MAX, XA_PRESENT);
	if (w)
		kref_get(&w->ref);
	mutex_unlock(&vmctl_watch_mutex);
	return w;
}

/*
 * vmctl_watch_end_async - a hook saw @w's process exit
 *
 * The hooks cannot sleep, so @w is unlinked from the pid hash now (no
 * further event can match it) and ended by the reaper.
 */
void vmctl_watch_end_async(struct vmctl_watch *w)
{
	lockdep_assert_held(&vmctl_watch_lock);

	if (w->unlinked || !list_empty(&w->dead_node))
		return;
	list_add_tail(&w->dead_node, &vmctl_watch_dead);
	schedule_work(&vmctl_watch_reaper);
}

void vmctl_watch_reap(void)
{
	struct vmctl_watch *w;

	mutex_lock(&vmctl_watch_mutex);
	/* A watch on the list is live: ending it takes it off the list. */
	for (;;) {
		spin_lock(&vmctl_watch_lock);
		w = list_first_entry_or_null(&vmctl_watch_dead, struct vmctl_watch,
					     dead_node);
		spin_unlock(&vmctl_watch_lock);
		if (!w)
			break;
		vmctl_watch_end(w);
	}
	mutex_unlock(&vmctl_watch_mutex);
}

static void vmctl_watch_reap_work(struct work_struct *work)
{
	vmctl_events_flush();
	vmctl_watch_reap();
}

/* Module exit: end every watch (which unregisters the hooks). */
static void vmctl_watch_exit(void)
{
	struct vmctl_watch *w;
	unsigned long id;

	cancel_work_sync(&vmctl_watch_reaper);
	mutex_lock(&vmctl_watch_mutex);
	xa_for_each(&vmctl_watch_ids, id, w)
		vmctl_watch_end(w);
	mutex_unlock(&vmctl_watch_mutex);
	/*
	 * Until the last watch ended, the exit hook could schedule the
	 * reaper again; the hooks are unregistered and synchronised now.
	 */
	cancel_work_sync(&vmctl_watch_reaper);
	xa_destroy(&vmctl_watch_ids);
}

/* Ends the socket-owned watches of a netlink socket that is closing. */
static int vmctl_watch_netlink_notify(struct notifier_block *nb,
				      unsigned long state, void *data)
{
	struct netlink_notify *n = data;
	struct vmctl_watch *w;
	unsigned long id;

	if (state != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC || !n->portid)
		return NOTIFY_DONE;

	mutex_lock(&vmctl_watch_mutex);
	xa_for_each(&vmctl_watch_ids, id, w)
		if (w->owner_portid == n->portid && net_eq(w->net, n->net))
			vmctl_watch_end(w);
	mutex_unlock(&vmctl_watch_mutex);
	return NOTIFY_DONE;
}

static struct notifier_block vmctl_watch_netlink_nb = {
	.notifier_call = vmctl_watch_netlink_notify,
};

int vmctl_watches_init(void)
{
	vmctl_watch_hooks_init();
	return netlink_register_notifier(&vmctl_watch_netlink_nb);
}

/* Module exit, before the family goes: no event is sent any more. */
void vmctl_watches_close(void)
{
	vmctl_events_close();
}

/* Module exit, after the family is gone: no watch can be added. */
void vmctl_watches_exit(void)
{
	netlink_unregister_notifier(&vmctl_watch_netlink_nb);
	vmctl_watch_exit();
	vmctl_watch_hooks_exit();
	vmctl_events_exit();
}
