/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces between the parts of vmctl.ko.
 */
#ifndef _VMCTL_H
#define _VMCTL_H

#include <linux/compiler_types.h>
#include <linux/mm_types.h>
#include <linux/types.h>
#include <linux/vmctl.h>

/* What this build implements; reported by VMCTL_IOC_API and GET_VERSION. */
#define VMCTL_FEATURES		(VMCTL_FEATURE_NETLINK | VMCTL_FEATURE_STATS | \
				 VMCTL_FEATURE_VMAS | VMCTL_FEATURE_FAULTS | \
				 VMCTL_FEATURE_RESERVE | VMCTL_FEATURE_EVENTS)

/* Module parameters (params.c), read-only once loaded. */
extern unsigned int vmctl_max_tracked_processes;
extern unsigned int vmctl_max_tracked_threads;
extern unsigned int vmctl_max_commit_limits;
extern unsigned int vmctl_max_watches;
int vmctl_params_check(void);

/* Largest ioctl argument accepted, as PROCMAP_QUERY does. */
#define VMCTL_ARGS_MAX_SIZE	PAGE_SIZE

int vmctl_copy_args_from_user(void *kargs, size_t ksize, size_t minsize,
			      const void __user *uargs);
int vmctl_copy_args_to_user(void __user *uargs, const void *kargs,
			    size_t ksize);

long vmctl_ioctl_api(struct vmctl_api __user *uargs);
long vmctl_ioctl_get_stats(struct vmctl_stats __user *uargs);
long vmctl_ioctl_get_vmas(struct vmctl_vmas __user *uargs);
long vmctl_ioctl_range(unsigned int cmd, struct vmctl_range __user *uargs);
long vmctl_ioctl_query(struct vmctl_query __user *uargs);
long vmctl_ioctl_set_commit_limit(struct vmctl_commit_limit __user *uargs);

/*
 * A process whose address space the caller may read (target.c). Holds a
 * reference on the task and on its mm (mmget), none on mmap_lock.
 */
struct vmctl_target {
	struct task_struct *task;
	struct mm_struct *mm;
};

/*
 * vmctl_target_get - look up @nr in the caller's pid namespace (0: the
 * caller) and check the caller may read it as /proc/PID/maps would.
 * Return: 0, -EINVAL (@nr < 0), -ESRCH (no such process), -EACCES (not
 * allowed), -ENODATA (no user address space: kernel thread or exited),
 * -EINTR (killed while waiting for an exec to finish).
 */
int vmctl_target_get(pid_t nr, struct vmctl_target *target);
/* The same for a task the caller already holds a reference on. */
int vmctl_target_get_task(struct task_struct *task, struct vmctl_target *target);
void vmctl_target_put(struct vmctl_target *target);

/* The module's private procfs (procfs.c). */
int vmctl_procfs_init(void);
void vmctl_procfs_exit(void);
/* The live vm.max_map_count; 0 if it cannot be read. */
u64 vmctl_max_map_count(void);
int vmctl_procfs_may_read(struct task_struct *task);

/*
 * vmctl_stats_fill - fill the out fields of @st (everything after
 * __reserved) for @target. Takes mmap_read_lock itself.
 * Return: 0 or -EINTR.
 */
int vmctl_stats_fill(struct vmctl_target *target, struct vmctl_stats *st);
/* Drops the cache of walk results; at module exit. */
void vmctl_stats_exit(void);

/*
 * A batch of VMAs read under one mmap_read_lock (vmas.c). The caller sets
 * vmas/max_vmas and names/names_size (names may be NULL: no names);
 * vmctl_vmas_collect() fills count, names_used, next, end and gen.
 */
struct vmctl_vma_batch {
	struct vmctl_vma *vmas;
	unsigned int max_vmas;
	unsigned int count;
	char *names;
	size_t names_size;
	size_t names_used;
	unsigned long next;	/* resume address: end of the last VMA taken */
	bool end;		/* no VMA after the last one taken */
	u64 gen;		/* address-space generation, see vmctl_mm_gen() */
	u64 map_count;
};

/*
 * vmctl_vmas_collect - read the VMAs that end above @addr into @batch,
 * as many as fit (a VMA whose name does not fit ends the batch).
 * Return: 0 or -EINTR.
 */
int vmctl_vmas_collect(struct mm_struct *mm, unsigned long addr,
		       struct vmctl_vma_batch *batch);

int vmctl_dev_register(void);
void vmctl_dev_unregister(void);

void vmctl_debugfs_init(void);
void vmctl_debugfs_exit(void);

int vmctl_genl_register(void);
void vmctl_genl_unregister(void);

#ifdef VMCTL_SELFTEST_SPLAT
void vmctl_selftest_splat(void);
#else
static inline void vmctl_selftest_splat(void) { }
#endif

/*
 * ---- Generic netlink operations (genl.c, genl_stats.c, genl_vmas.c) ----
 */
struct cred;
struct genl_family;
struct genl_info;
struct netlink_callback;
struct netlink_ext_ack;
struct nlattr;
struct sk_buff;
struct task_struct;

extern struct genl_family vmctl_genl_family;

struct nlattr **vmctl_nl_dump_attrs(struct netlink_callback *cb);
bool vmctl_nl_start_deferred(struct netlink_callback *cb);
bool vmctl_nl_require_attr(struct netlink_ext_ack *extack,
			   struct nlattr **attrs, unsigned int type);
void vmctl_nl_target_error(struct netlink_ext_ack *extack,
			   const struct nlattr *attr, int err);
int vmctl_nl_target_get_task(const struct cred *cred, struct task_struct *task,
			     struct vmctl_target *target);

int vmctl_nl_get_stats_doit(struct sk_buff *skb, struct genl_info *info);
int vmctl_nl_get_stats_start(struct netlink_callback *cb);
int vmctl_nl_get_stats_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int vmctl_nl_get_stats_done(struct netlink_callback *cb);

int vmctl_nl_get_vmas_start(struct netlink_callback *cb);
int vmctl_nl_get_vmas_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int vmctl_nl_get_vmas_done(struct netlink_callback *cb);
/* ---- end of the generic netlink block ---- */

/*
 * ---- Fault accounting (faults.c, faults_ioctl.c, faults_genl.c) ----
 */
struct vmctl_track;
struct vmctl_faults;
struct vmctl_fault_vmas;

int vmctl_faults_init(void);
void vmctl_faults_exit(void);
long vmctl_ioctl_track(struct vmctl_track __user *uargs, bool track);
long vmctl_ioctl_get_faults(struct vmctl_faults __user *uargs);
long vmctl_ioctl_get_fault_vmas(struct vmctl_fault_vmas __user *uargs);

int vmctl_nl_track_doit(struct sk_buff *skb, struct genl_info *info);
int vmctl_nl_untrack_doit(struct sk_buff *skb, struct genl_info *info);
int vmctl_nl_get_faults_doit(struct sk_buff *skb, struct genl_info *info);
int vmctl_nl_get_faults_start(struct netlink_callback *cb);
int vmctl_nl_get_faults_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int vmctl_nl_get_faults_done(struct netlink_callback *cb);
int vmctl_nl_get_fault_vmas_start(struct netlink_callback *cb);
int vmctl_nl_get_fault_vmas_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int vmctl_nl_get_fault_vmas_done(struct netlink_callback *cb);
/* ---- end of the fault accounting block ---- */

/*
 * ---- Watches and events (watch*.c, genl_watch.c) ----
 */
/* Index of the "events" group in vmctl_genl_family.mcgrps. */
#define VMCTL_MCGRP_EVENTS_ID	0

int vmctl_watches_init(void);
void vmctl_watches_close(void);
void vmctl_watches_exit(void);
/* A commit of @request bytes was refused by a limit of @kind. */
void vmctl_watch_commit_refused(u32 kind, u64 limit, u64 committed, u64 request);

int vmctl_nl_watch_add_doit(struct sk_buff *skb, struct genl_info *info);
int vmctl_nl_watch_del_doit(struct sk_buff *skb, struct genl_info *info);
int vmctl_nl_watch_get_start(struct netlink_callback *cb);
int vmctl_nl_watch_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int vmctl_nl_watch_get_done(struct netlink_callback *cb);
/* ---- end of the watches block ---- */

#endif /* _VMCTL_H */
