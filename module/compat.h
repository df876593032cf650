/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few places where Debian's 6.1 and 6.12 kernels differ for vmctl.
 */
#ifndef _VMCTL_COMPAT_H
#define _VMCTL_COMPAT_H

#include <linux/fs.h>
#include <linux/mm.h>

/* The VMCTL_HAVE_* macros come from module/Kbuild. */
#ifdef VMCTL_HAVE_FILE_USER_PATH
/* Overlayfs maps backing files; /proc shows the path the user opened. */
#define vmctl_file_user_path(f)		file_user_path(f)
#define vmctl_file_user_inode(f)	file_user_inode(f)
#else
#define vmctl_file_user_path(f)		(&(f)->f_path)
#define vmctl_file_user_inode(f)	file_inode(f)
#endif

#ifdef VMCTL_HAVE_MM_COUNTER_SUM
/* The exact per-CPU sum, as /proc/PID/status reads it. */
#define vmctl_mm_counter(mm, member)	get_mm_counter_sum(mm, member)
#else
#define vmctl_mm_counter(mm, member)	get_mm_counter(mm, member)
#endif

#ifdef VMCTL_HAVE_VM_FLAGS_SET
#define vmctl_vm_flags_set(vma, flags)	vm_flags_set(vma, flags)
#else
#define vmctl_vm_flags_set(vma, flags)	((vma)->vm_flags |= (flags))
#endif

/*
 * A value that changes whenever the address space was write-locked since
 * it was last read; the caller holds mmap_lock for read. With per-VMA
 * locks the mm counts its write-lock sections. Without them (6.1) the
 * best the module can do is a fingerprint of the layout's size, which
 * misses a change that keeps both the VMA count and the mapped size.
 */
#if defined(CONFIG_PER_VMA_LOCK) && \
	(defined(VMCTL_HAVE_MM_LOCK_SEQCOUNT) || defined(VMCTL_HAVE_MM_LOCK_SEQ_INT))
/* vmctl_mm_gen() changes with every change of the VMA layout. */
#define VMCTL_MM_GEN_EXACT
#endif

static inline u64 vmctl_mm_gen(struct mm_struct *mm)
{
#if defined(CONFIG_PER_VMA_LOCK) && defined(VMCTL_HAVE_MM_LOCK_SEQCOUNT)
	return raw_read_seqcount(&mm->mm_lock_seq);
#elif defined(CONFIG_PER_VMA_LOCK) && defined(VMCTL_HAVE_MM_LOCK_SEQ_INT)
	return READ_ONCE(mm->mm_lock_seq);
#else
	return ((u64)mm->map_count << 40) ^ mm->total_vm;
#endif
}

#endif /* _VMCTL_COMPAT_H */
