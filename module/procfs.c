// SPDX-License-Identifier: GPL-2.0
/*
 * A private procfs instance, mounted by the module for two facts the
 * kernel keeps but does not export to modules:
 *
 * - vm.max_map_count: sysctl_max_map_count is not exported, so it is read
 *   from sys/vm/max_map_count, live, on every request;
 * - whether the caller may read a process: ptrace_may_access() is not
 *   exported, but opening PID/maps runs exactly that check
 *   (PTRACE_MODE_READ_FSCREDS, with the caller's credentials and every
 *   LSM hook), so the open is used as the authority.
 *
 * Being private, the mount does not depend on the caller's mount
 * namespace or on /proc being mounted at all. Its pid namespace is the
 * one of the process that loaded the module.
 */

#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/mount.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/sched/task.h>

#include "vmctl.h"

static struct vfsmount *vmctl_proc_mnt;
/* Pinned by the mount's superblock for as long as the mount exists. */
static struct pid_namespace *vmctl_proc_ns;

int vmctl_procfs_init(void)
{
	struct file_system_type *proc = get_fs_type("proc");

	if (!proc)
		return -ENODEV;
	/*
	 * procfs is built in (no owner module), so get_fs_type() took no
	 * reference that would need put_filesystem(), which is not exported.
	 */
	vmctl_proc_mnt = vfs_kern_mount(proc, SB_RDONLY, "proc", NULL);
	if (IS_ERR(vmctl_proc_mnt))
		return PTR_ERR(vmctl_proc_mnt);
	vmctl_proc_ns = task_active_pid_ns(current);
	return 0;
}

void vmctl_procfs_exit(void)
{
	kern_unmount(vmctl_proc_mnt);
}

static struct file *vmctl_procfs_open(const char *name)
{
	return file_open_root_mnt(vmctl_proc_mnt, name, O_RDONLY, 0);
}

u64 vmctl_max_map_count(void)
{
	char buf[24] = "";
	struct file *file;
	loff_t pos = 0;
	ssize_t len;
	u64 val;

	file = vmctl_procfs_open("sys/vm/max_map_count");
	if (IS_ERR(file))
		return 0;
	len = kernel_read(file, buf, sizeof(buf) - 1, &pos);
	fput(file);
	if (len <= 0 || kstrtou64(strim(buf), 10, &val))
		return 0;
	return val;
}

/**
 * vmctl_procfs_may_read - may the caller read @task's address space?
 * @task: a task the caller holds a reference on
 *
 * Return: 0 when /proc/PID/maps of @task opens for the caller, -EACCES
 * when the kernel's ptrace check refuses it, -ESRCH when @task is gone or
 * not visible in the module's pid namespace.
 */
int vmctl_procfs_may_read(struct task_struct *task)
{
	char name[24];
	struct file *file;
	pid_t nr;

	nr = task_tgid_nr_ns(task, vmctl_proc_ns);
	if (!nr)
		return -ESRCH;
	snprintf(name, sizeof(name), "%d/maps", nr);
	file = vmctl_procfs_open(name);
	if (IS_ERR(file))
		return PTR_ERR(file) == -ENOENT ? -ESRCH : -EACCES;
	fput(file);

	/*
	 * The number was @task's for the whole check only if @task still
	 * has it: pid numbers are reused only after the task is unhashed.
	 */
	return pid_alive(task) ? 0 : -ESRCH;
}
