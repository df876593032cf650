// SPDX-License-Identifier: GPL-2.0
/*
 * Finding the process a request names and checking that the caller may
 * read its address space, with the rules of /proc/PID/maps.
 */

#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/uidgid.h>

#include "vmctl.h"

/*
 * The credential and dumpability half of __ptrace_may_access() for
 * PTRACE_MODE_READ_FSCREDS. The full check, LSMs included, ran when the
 * caller opened PID/maps (vmctl_procfs_may_read()); this repeats the part
 * an execve() can change under exec_update_lock, which the caller holds,
 * so a setuid exec between the two cannot slip through.
 */
static bool vmctl_creds_allow(struct task_struct *task, struct mm_struct *mm)
{
	const struct cred *cred = current_cred(), *tcred;
	bool allowed;

	rcu_read_lock();
	tcred = __task_cred(task);
	allowed = (uid_eq(cred->fsuid, tcred->euid) &&
		   uid_eq(cred->fsuid, tcred->suid) &&
		   uid_eq(cred->fsuid, tcred->uid) &&
		   gid_eq(cred->fsgid, tcred->egid) &&
		   gid_eq(cred->fsgid, tcred->sgid) &&
		   gid_eq(cred->fsgid, tcred->gid)) ||
		  ns_capable(tcred->user_ns, CAP_SYS_PTRACE);
	rcu_read_unlock();
	if (!allowed)
		return false;

	/* Pairs with the write barrier in commit_creds(), as in ptrace. */
	smp_rmb();
	return get_dumpable(mm) == SUID_DUMP_USER ||
	       ns_capable(mm->user_ns, CAP_SYS_PTRACE);
}

int vmctl_target_get_task(struct task_struct *task, struct vmctl_target *target)
{
	bool self = same_thread_group(task, current);
	struct mm_struct *mm;
	int ret;

	if (!self) {
		ret = vmctl_procfs_may_read(task);
		if (ret)
			return ret;
	}

	ret = down_read_killable(&task->signal->exec_update_lock);
	if (ret)
		return ret;
	mm = get_task_mm(task);
	if (!mm) {
		ret = -ENODATA;
	} else if (!self && !vmctl_creds_allow(task, mm)) {
		mmput(mm);
		ret = -EACCES;
	}
	up_read(&task->signal->exec_update_lock);
	if (ret)
		return ret;

	get_task_struct(task);
	target->task = task;
	target->mm = mm;
	return 0;
}

int vmctl_target_get(pid_t nr, struct vmctl_target *target)
{
	struct task_struct *task;
	struct pid *pid;
	int ret;

	if (nr < 0)
		return -EINVAL;
	if (nr == 0)
		return vmctl_target_get_task(current, target);

	pid = find_get_pid(nr);
	task = get_pid_task(pid, PIDTYPE_PID);
	put_pid(pid);
	if (!task)
		return -ESRCH;
	ret = vmctl_target_get_task(task, target);
	put_task_struct(task);
	return ret;
}

void vmctl_target_put(struct vmctl_target *target)
{
	mmput(target->mm);
	put_task_struct(target->task);
}
