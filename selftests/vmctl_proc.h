/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's own views of an address space (/proc/PID/status, stat,
 * maps, smaps, mountinfo) and quiescent child processes, for the stats and
 * VMA listing selftests to cross-check vmctl against.
 */
#ifndef _VMCTL_PROC_H
#define _VMCTL_PROC_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmctl.h"
#include "vmctl_test.h"

#define PROC_NAME_MAX	4096

/*
 * Reads a whole file into *buf (grown with realloc as needed, NUL
 * terminated). Returns the length or -errno.
 */
static inline ssize_t proc_read_file(const char *path, char **buf, size_t *cap)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (!*buf || *cap - len < 4096 + 1) {
			size_t ncap = *cap ? *cap * 2 : 65536;
			char *nb = realloc(*buf, ncap);

			if (!nb) {
				close(fd);
				return -ENOMEM;
			}
			*buf = nb;
			*cap = ncap;
		}
		n = read(fd, *buf + len, *cap - len - 1);
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	(*buf)[len] = '\0';
	return len;
}

/* The memory lines of /proc/PID/status, in bytes; -1 when absent. */
struct proc_status {
	int64_t vm_peak, vm_size, vm_lck, vm_pin, vm_hwm, vm_rss;
	int64_t rss_anon, rss_file, rss_shmem;
	int64_t vm_data, vm_stk, vm_exe, vm_lib, vm_swap;
};

static inline int64_t proc_status_kb(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == ':')
			return (int64_t)strtoull(p + klen + 1, NULL, 10) * 1024;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/* Parses a /proc/PID/status text. */
static inline void proc_status_parse(const char *text, struct proc_status *st)
{
	st->vm_peak = proc_status_kb(text, "VmPeak");
	st->vm_size = proc_status_kb(text, "VmSize");
	st->vm_lck = proc_status_kb(text, "VmLck");
	st->vm_pin = proc_status_kb(text, "VmPin");
	st->vm_hwm = proc_status_kb(text, "VmHWM");
	st->vm_rss = proc_status_kb(text, "VmRSS");
	st->rss_anon = proc_status_kb(text, "RssAnon");
	st->rss_file = proc_status_kb(text, "RssFile");
	st->rss_shmem = proc_status_kb(text, "RssShmem");
	st->vm_data = proc_status_kb(text, "VmData");
	st->vm_stk = proc_status_kb(text, "VmStk");
	st->vm_exe = proc_status_kb(text, "VmExe");
	st->vm_lib = proc_status_kb(text, "VmLib");
	st->vm_swap = proc_status_kb(text, "VmSwap");
}

static inline int proc_status_read(pid_t pid, struct proc_status *st)
{
	char path[64], *buf = NULL;
	size_t cap = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	n = proc_read_file(path, &buf, &cap);
	if (n < 0)
		return n;
	proc_status_parse(buf, st);
	free(buf);
	return 0;
}

/* Fields 10 (minflt) and 12 (majflt) of /proc/PID/stat. */
static inline int proc_stat_faults(pid_t pid, uint64_t *minflt, uint64_t *majflt)
{
	char path[64], buf[2048], *p;
	int fd, field;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	/* p + 2 is field 3 (state). */
	p += 2;
	for (field = 3; field < 10; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -EIO;
		p++;
	}
	*minflt = strtoull(p, &p, 10);		/* 10 */
	strtoull(p, &p, 10);			/* 11: cminflt */
	*majflt = strtoull(p, &p, 10);		/* 12 */
	return 0;
}

/* One line of /proc/PID/maps (and its smaps block when read from smaps). */
struct proc_vma {
	uint64_t start, end, offset, inode;
	unsigned int major, minor;
	char perms[5];
	uint64_t flags;		/* VMCTL_VMA_* from VmFlags (smaps only) */
	bool hugetlb;		/* VmFlags "ht" */
	uint64_t rss;		/* Rss: in bytes (smaps only) */
	char name[PROC_NAME_MAX];
};

#define VSYSCALL_START	0xffffffffff600000ULL

static const struct {
	char mn[3];
	uint64_t flag;
} proc_vmflag_map[] = {
	{ "rd", VMCTL_VMA_READ }, { "wr", VMCTL_VMA_WRITE },
	{ "ex", VMCTL_VMA_EXEC }, { "ms", VMCTL_VMA_SHARED },
	{ "lo", VMCTL_VMA_LOCKED }, { "ac", VMCTL_VMA_ACCOUNT },
	{ "gd", VMCTL_VMA_GROWSDOWN }, { "io", VMCTL_VMA_IO },
	{ "pf", VMCTL_VMA_PFNMAP }, { "dc", VMCTL_VMA_DONTFORK },
	{ "dd", VMCTL_VMA_DONTDUMP }, { "hg", VMCTL_VMA_HUGEPAGE },
	{ "nh", VMCTL_VMA_NOHUGEPAGE }, { "wf", VMCTL_VMA_WIPEONFORK },
	{ "nr", VMCTL_VMA_NORESERVE },
};

/* Parses a maps header line; returns the pointer after it or NULL. */
static inline const char *proc_vma_header(const char *p, struct proc_vma *v)
{
	char *e;
	const char *nl;
	size_t len;

	v->start = strtoull(p, &e, 16);
	if (*e != '-')
		return NULL;
	v->end = strtoull(e + 1, &e, 16);
	if (*e != ' ')
		return NULL;
	memcpy(v->perms, e + 1, 4);
	v->perms[4] = '\0';
	v->offset = strtoull(e + 6, &e, 16);
	v->major = strtoul(e + 1, &e, 16);
	v->minor = strtoul(e + 1, &e, 16);
	v->inode = strtoull(e + 1, &e, 10);
	while (*e == ' ')
		e++;
	nl = strchr(e, '\n');
	if (!nl)
		nl = e + strlen(e);
	len = nl - e;
	if (len >= sizeof(v->name))
		len = sizeof(v->name) - 1;
	memcpy(v->name, e, len);
	v->name[len] = '\0';
	v->flags = 0;
	v->hugetlb = false;
	v->rss = 0;
	return *nl ? nl + 1 : nl;
}

/*
 * Parses /proc/PID/maps (smaps=false) or /proc/PID/smaps text into a new
 * array, leaving out [vsyscall] (not a VMA). Returns the count or -errno.
 */
static inline int proc_vmas_parse(const char *text, bool smaps, struct proc_vma **out)
{
	struct proc_vma *v = NULL, cur;
	size_t n = 0, cap = 0;
	const char *p = text;

	while (*p) {
		const char *next = proc_vma_header(p, &cur);

		if (next) {
			if (n == cap) {
				struct proc_vma *nv;

				cap = cap ? cap * 2 : 256;
				nv = realloc(v, cap * sizeof(*v));
				if (!nv) {
					free(v);
					return -ENOMEM;
				}
				v = nv;
			}
			v[n++] = cur;
			p = next;
			continue;
		}
		if (smaps && n && !strncmp(p, "VmFlags:", 8)) {
			const char *q = p + 8;

			while (*q && *q != '\n') {
				while (*q == ' ')
					q++;
				for (size_t i = 0; i < sizeof(proc_vmflag_map) /
				     sizeof(proc_vmflag_map[0]); i++)
					if (!strncmp(q, proc_vmflag_map[i].mn, 2))
						v[n - 1].flags |= proc_vmflag_map[i].flag;
				if (!strncmp(q, "ht", 2))
					v[n - 1].hugetlb = true;
				while (*q && *q != ' ' && *q != '\n')
					q++;
			}
		} else if (smaps && n && !strncmp(p, "Rss:", 4)) {
			v[n - 1].rss = strtoull(p + 4, NULL, 10) * 1024;
		}
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	/* The x86-64 [vsyscall] page is shown by /proc but is not a VMA. */
	if (n && v[n - 1].start == VSYSCALL_START && !strcmp(v[n - 1].name, "[vsyscall]"))
		n--;
	*out = v;
	return n;
}

static inline int proc_vmas_read(pid_t pid, bool smaps, struct proc_vma **out)
{
	char path[64], *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, smaps ? "smaps" : "maps");
	len = proc_read_file(path, &buf, &cap);
	if (len < 0)
		return len;
	n = proc_vmas_parse(buf, smaps, out);
	free(buf);
	return n;
}

/*
 * VMAs (by start address) known to be shmem-backed though /proc cannot
 * tell: a file in an overlay whose upper layer is tmpfs shows the
 * overlay's device.
 */
static uint64_t proc_shmem_vmas[8];
static int proc_nr_shmem_vmas;

static inline void proc_shmem_vma_add(uint64_t start)
{
	if (proc_nr_shmem_vmas < 8)
		proc_shmem_vmas[proc_nr_shmem_vmas++] = start;
}

/* Devices (major:minor) of the tmpfs mounts: files there are shmem. */
static inline bool proc_dev_is_tmpfs(unsigned int major, unsigned int minor)
{
	char *buf = NULL, *p;
	size_t cap = 0;
	bool found = false;


	if (proc_read_file("/proc/self/mountinfo", &buf, &cap) < 0)
		return false;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		unsigned int ma, mi;
		char fstype[64];
		const char *sep;

		if (sscanf(p, "%*u %*u %u:%u", &ma, &mi) != 2)
			continue;
		sep = strstr(p, " - ");
		if (!sep || sscanf(sep + 3, "%63s", fstype) != 1)
			continue;
		if (ma == major && mi == minor && !strcmp(fstype, "tmpfs"))
			found = true;
	}
	free(buf);
	return found;
}

static inline bool str_starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/*
 * The kind vmctl should report for a VMA as /proc shows it, following the
 * order of enum vmctl_vma_kind: hugetlb, special, guard, stack, heap,
 * shmem, file, anon (no reservations here). @shm_major/minor: the device
 * of the kernel's internal shmem mount (shared anonymous memory, memfd).
 */
static inline int proc_vma_kind(const struct proc_vma *v)
{
	if (v->hugetlb)
		return VMCTL_KIND_HUGETLB;
	if (!strcmp(v->name, "[vdso]") || !strcmp(v->name, "[vvar]") ||
	    !strcmp(v->name, "[vvar_vclock]") ||
	    (v->flags & (VMCTL_VMA_IO | VMCTL_VMA_PFNMAP)))
		return VMCTL_KIND_SPECIAL;
	if (!strncmp(v->perms, "---", 3))
		return VMCTL_KIND_GUARD;
	if (!strcmp(v->name, "[stack]"))
		return VMCTL_KIND_STACK;
	if (!strcmp(v->name, "[heap]"))
		return VMCTL_KIND_HEAP;
	if (str_starts(v->name, "[anon_shmem:") || str_starts(v->name, "/dev/zero (deleted)") ||
	    str_starts(v->name, "/memfd:") || str_starts(v->name, "/SYSV"))
		return VMCTL_KIND_SHMEM;
	for (int i = 0; i < proc_nr_shmem_vmas; i++)
		if (proc_shmem_vmas[i] == v->start)
			return VMCTL_KIND_SHMEM;
	if (v->inode || v->name[0] == '/')
		return proc_dev_is_tmpfs(v->major, v->minor) ? VMCTL_KIND_SHMEM
							      : VMCTL_KIND_FILE;
	return VMCTL_KIND_ANON;
}

/* "rwxp" as /proc shows it for VMCTL_VMA_* flags. */
static inline void vmctl_flags_perms(uint64_t flags, char perms[5])
{
	perms[0] = flags & VMCTL_VMA_READ ? 'r' : '-';
	perms[1] = flags & VMCTL_VMA_WRITE ? 'w' : '-';
	perms[2] = flags & VMCTL_VMA_EXEC ? 'x' : '-';
	perms[3] = flags & VMCTL_VMA_SHARED ? 's' : 'p';
	perms[4] = '\0';
}

/* All VMAs of @pid through VMCTL_IOC_GET_VMAS, names copied out. */
struct vmctl_listing {
	size_t n;
	struct vmctl_vma *vmas;
	char **names;
	uint64_t map_count;	/* of the first call */
	int calls;
};

static inline void vmctl_listing_free(struct vmctl_listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
	free(l->vmas);
	memset(l, 0, sizeof(*l));
}

/*
 * Lists with batches of @batch records and a names buffer of @names_size
 * bytes, checking every batch is well formed. Returns 0 or -errno (-EPROTO
 * when a batch breaks the documented rules; *why says which).
 */
static inline int vmctl_list(int fd, pid_t pid, unsigned int batch,
			     unsigned int names_size, struct vmctl_listing *l,
			     const char **why)
{
	struct vmctl_vma *recs = calloc(batch, sizeof(*recs));
	char *names = malloc(names_size ? names_size : 1);
	uint64_t addr = 0;
	size_t cap = 0;
	int ret = 0;

	memset(l, 0, sizeof(*l));
	*why = "";
	if (!recs || !names) {
		ret = -ENOMEM;
		goto out;
	}
	for (;;) {
		struct vmctl_vmas a = {
			.size = sizeof(a), .pid = pid, .addr = addr,
			.vmas_addr = (uintptr_t)recs, .vma_size = sizeof(*recs),
			.vma_count = batch, .names_addr = (uintptr_t)names,
			.names_size = names_size,
		};

		memset(names, 0x7f, names_size ? names_size : 1);
		if (ioctl(fd, VMCTL_IOC_GET_VMAS, &a)) {
			ret = -errno;
			goto out;
		}
		if (!l->calls++)
			l->map_count = a.map_count;
		if (a.vma_count > batch || a.names_size > names_size) {
			*why = "counts above what was offered";
			ret = -EPROTO;
			goto out;
		}
		if (!a.vma_count && !(a.out_flags & VMCTL_VMAS_END)) {
			*why = "no progress without VMCTL_VMAS_END";
			ret = -EPROTO;
			goto out;
		}
		for (unsigned int i = 0; i < a.vma_count; i++) {
			struct vmctl_vma *r = &recs[i];

			if (r->name_len && ((uint64_t)r->name_off + r->name_len + 1 > a.names_size ||
					    names[r->name_off + r->name_len] != '\0' ||
					    strlen(names + r->name_off) != r->name_len)) {
				*why = "name outside the used buffer or not NUL terminated";
				ret = -EPROTO;
				goto out;
			}
			if (r->end <= addr || r->start >= r->end) {
				*why = "record not after the cursor";
				ret = -EPROTO;
				goto out;
			}
			if (l->n == cap) {
				cap = cap ? cap * 2 : 512;
				l->vmas = realloc(l->vmas, cap * sizeof(*l->vmas));
				l->names = realloc(l->names, cap * sizeof(*l->names));
				if (!l->vmas || !l->names) {
					ret = -ENOMEM;
					goto out;
				}
			}
			l->vmas[l->n] = *r;
			l->names[l->n] = strndup(r->name_len ? names + r->name_off : "",
						 r->name_len);
			l->n++;
		}
		if (a.out_flags & VMCTL_VMAS_END)
			break;
		if (a.next_addr <= addr) {
			*why = "next_addr does not advance";
			ret = -EPROTO;
			goto out;
		}
		addr = a.next_addr;
	}
out:
	free(recs);
	free(names);
	return ret;
}

/*
 * A child that runs @setup (if any) then stops itself (SIGSTOP) so its
 * address space is quiescent while the parent reads it; _exit(code) if
 * setup fails. It dies with the parent. Returns the pid, stopped, or -1
 * (the child's status in *status, if @status is not NULL).
 */
static inline pid_t spawn_stopped(int (*setup)(void *), void *arg, int *status)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int ret;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		ret = setup ? setup(arg) : 0;
		if (ret)
			_exit(ret);
		raise(SIGSTOP);
		for (;;)
			pause();
	}
	if (!status)
		status = &st;
	if (waitpid(pid, status, WUNTRACED) != pid) {
		/* Not waited for: do not leave it running. */
		kill_child(pid);
		return -1;
	}
	return WIFSTOPPED(*status) ? pid : -1;
}

static inline long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

/*
 * Maps @pages pages of anonymous memory with an unmapped page on either
 * side, so nothing can merge with it or form a pair with it.
 */
static inline void *map_isolated(size_t pages, int prot, int flags)
{
	long ps = page_size();
	char *p = mmap(NULL, (pages + 2) * ps, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return MAP_FAILED;
	if (mmap(p + ps, pages * ps, prot, flags | MAP_FIXED, -1, 0) == MAP_FAILED)
		return MAP_FAILED;
	munmap(p, ps);
	munmap(p + (pages + 1) * ps, ps);
	return p + ps;
}

/* Splits @pages touched RW pages into @pages VMAs: odd pages PROT_NONE. */
static inline int split_alternating(char *p, size_t pages)
{
	long ps = page_size();

	for (size_t i = 0; i < pages; i++)
		p[i * ps] = 1;
	for (size_t i = 1; i < pages; i += 2)
		if (mprotect(p + i * ps, ps, PROT_NONE))
			return -errno;
	return 0;
}

#endif /* _VMCTL_PROC_H */
