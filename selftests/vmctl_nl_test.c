// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink GET_STATS (do and dump) and GET_VMAS (dump) commands.
 *
 * Requests are built by hand with libnl-genl, to send what libvmctl never
 * sends; replies are read raw from the socket, to see every message flag
 * (NLM_F_DUMP_INTR), the extended ack and how many recv() calls a dump
 * takes. The results are checked against VMCTL_IOC_GET_STATS and
 * /proc/PID/maps and status.
 */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "kselftest_harness.h"
#include "vmctl_nl.h"
#include "vmctl_test.h"
#include "vmctl_proc.h"

#define KTHREADD_PID	2

/* Pages split into one VMA each by alternating protections. */
#define SPLIT_PAGES	3000
/* A file path this long makes a VMA message larger than a page. */
#define LONG_PATH_LEN	3900

/* ---- GET_STATS replies ---------------------------------------------------- */

#define STAT(name, field) { VMCTL_A_STATS_##name, offsetof(struct vmctl_stats, field) }
static const struct {
	int attr;
	size_t off;
} stat_fields[] = {
	STAT(MAP_COUNT, map_count),		STAT(MAX_MAP_COUNT, max_map_count),
	STAT(VSZ_BYTES, vsz_bytes),		STAT(RSS_BYTES, rss_bytes),
	STAT(RSS_ANON_BYTES, rss_anon_bytes),	STAT(RSS_FILE_BYTES, rss_file_bytes),
	STAT(RSS_SHMEM_BYTES, rss_shmem_bytes),	STAT(SWAP_BYTES, swap_bytes),
	STAT(LOCKED_BYTES, locked_bytes),	STAT(PINNED_BYTES, pinned_bytes),
	STAT(HIWATER_RSS_BYTES, hiwater_rss_bytes),
	STAT(HIWATER_VM_BYTES, hiwater_vm_bytes),
	STAT(DATA_BYTES, data_bytes),		STAT(STACK_BYTES, stack_bytes),
	STAT(EXEC_BYTES, exec_bytes),		STAT(COMMITTED_BYTES, committed_bytes),
	STAT(SPLIT_PAIRS, split_pairs),		STAT(GAP_COUNT, gap_count),
	STAT(LARGEST_GAP_BYTES, largest_gap_bytes),
	STAT(FAULTS_MINOR, faults_minor),	STAT(FAULTS_MAJOR, faults_major),
};
#undef STAT

/* Fields that do not move in a live process that maps nothing new. */
static const size_t stable_fields[] = {
	offsetof(struct vmctl_stats, map_count),
	offsetof(struct vmctl_stats, max_map_count),
	offsetof(struct vmctl_stats, vsz_bytes),
	offsetof(struct vmctl_stats, locked_bytes),
	offsetof(struct vmctl_stats, pinned_bytes),
	offsetof(struct vmctl_stats, hiwater_vm_bytes),
	offsetof(struct vmctl_stats, data_bytes),
	offsetof(struct vmctl_stats, stack_bytes),
	offsetof(struct vmctl_stats, exec_bytes),
	offsetof(struct vmctl_stats, committed_bytes),
	offsetof(struct vmctl_stats, split_pairs),
	offsetof(struct vmctl_stats, gap_count),
	offsetof(struct vmctl_stats, largest_gap_bytes),
};

struct nl_stats {
	struct vmctl_stats st;
	uint32_t pid;
	char comm[64];
	uint64_t seen;		/* bit per top-level attribute type */
	int kinds;		/* VMCTL_A_STATS_KIND nests, in enum order */
	bool bad;		/* unexpected attribute, order or command */
};

static uint64_t stat_field(const struct vmctl_stats *st, size_t off)
{
	return *(const uint64_t *)((const char *)st + off);
}

static void parse_kind(struct nl_stats *s, struct nlattr *nest)
{
	uint64_t count = 0, bytes = 0;
	int seen = 0, rem;
	uint32_t kind = ~0U;
	struct nlattr *a;

	nla_for_each_nested(a, nest, rem) {
		switch (nla_type(a)) {
		case VMCTL_A_KIND_KIND:
			kind = nla_get_u32(a);
			seen |= 1;
			break;
		case VMCTL_A_KIND_COUNT:
			count = nla_get_u64(a);
			seen |= 2;
			break;
		case VMCTL_A_KIND_BYTES:
			bytes = nla_get_u64(a);
			seen |= 4;
			break;
		case VMCTL_A_KIND_PAD:
			break;
		default:
			s->bad = true;
		}
	}
	if (seen != 7 || kind != (uint32_t)s->kinds || kind >= VMCTL_KIND_COUNT) {
		s->bad = true;
		return;
	}
	s->st.kinds[kind].count = count;
	s->st.kinds[kind].bytes = bytes;
	s->kinds++;
}

static void parse_stats(const struct nlmsghdr *nlh, struct nl_stats *s)
{
	const struct genlmsghdr *gh = NLMSG_DATA(nlh);
	struct nlattr *a;
	int rem;

	memset(s, 0, sizeof(*s));
	if (gh->cmd != VMCTL_CMD_GET_STATS)
		s->bad = true;
	nla_for_each_attr(a, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0), rem) {
		int type = nla_type(a);
		size_t i;

		if (type < 64)
			s->seen |= 1ULL << type;
		if (type == VMCTL_A_STATS_PAD)
			continue;
		if (type == VMCTL_A_STATS_PID) {
			s->pid = nla_get_u32(a);
			continue;
		}
		if (type == VMCTL_A_STATS_COMM) {
			snprintf(s->comm, sizeof(s->comm), "%s", nla_get_string(a));
			continue;
		}
		if (type == VMCTL_A_STATS_KIND) {
			parse_kind(s, a);
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(stat_fields); i++)
			if (stat_fields[i].attr == type)
				break;
		if (i == ARRAY_SIZE(stat_fields) || nla_len(a) != 8) {
			s->bad = true;
			continue;
		}
		*(uint64_t *)((char *)&s->st + stat_fields[i].off) = nla_get_u64(a);
	}
}

/* Every attribute a GET_STATS reply must carry. */
static bool stats_complete(const struct nl_stats *s)
{
	uint64_t want = 1ULL << VMCTL_A_STATS_PID | 1ULL << VMCTL_A_STATS_COMM |
			1ULL << VMCTL_A_STATS_KIND;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stat_fields); i++)
		want |= 1ULL << stat_fields[i].attr;
	return !s->bad && (s->seen & want) == want &&
	       s->kinds == VMCTL_KIND_COUNT && s->comm[0];
}

static int stats_one_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nl_stats *s = arg;

	parse_stats(nlh, s);
	return stats_complete(s) ? 0 : 1;
}

/* GET_STATS do for @pid; returns the kernel's errno (0 on success). */
static int nl_get_stats(struct nl_sock *sk, int family, uint32_t pid,
			struct nl_stats *s, struct nl_reply *r)
{
	int bad = request_u32(sk, family, VMCTL_CMD_GET_STATS, false,
			      VMCTL_A_STATS_PID, pid, stats_one_cb, s, r);

	if (bad < 0)
		return bad;
	if (bad || (!r->err && r->msgs != 1))
		return -EBADMSG;
	return r->err;
}

static int ioc_get_stats(int fd, pid_t pid, struct vmctl_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->pid = pid;
	return vmctl_test_ioctl(fd, VMCTL_IOC_GET_STATS, st);
}

/* Compares every out field, or only the stable ones and the kinds. */
static bool stats_equal(const struct vmctl_stats *a, const struct vmctl_stats *b,
			bool all)
{
	size_t i;

	if (all) {
		for (i = 0; i < ARRAY_SIZE(stat_fields); i++)
			if (stat_field(a, stat_fields[i].off) !=
			    stat_field(b, stat_fields[i].off))
				return false;
	} else {
		for (i = 0; i < ARRAY_SIZE(stable_fields); i++)
			if (stat_field(a, stable_fields[i]) !=
			    stat_field(b, stable_fields[i]))
				return false;
	}
	return !memcmp(a->kinds, b->kinds, sizeof(a->kinds));
}

static void log_stats_diff(struct __test_metadata *_metadata,
			   const struct vmctl_stats *a, const struct vmctl_stats *b)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stat_fields); i++)
		if (stat_field(a, stat_fields[i].off) != stat_field(b, stat_fields[i].off))
			TH_LOG("attr %d: netlink %llu ioctl %llu", stat_fields[i].attr,
			       (unsigned long long)stat_field(a, stat_fields[i].off),
			       (unsigned long long)stat_field(b, stat_fields[i].off));
	for (i = 0; i < VMCTL_KINDS_MAX; i++)
		if (a->kinds[i].count != b->kinds[i].count ||
		    a->kinds[i].bytes != b->kinds[i].bytes)
			TH_LOG("kind %zu: netlink %llu/%llu ioctl %llu/%llu", i,
			       (unsigned long long)a->kinds[i].count,
			       (unsigned long long)a->kinds[i].bytes,
			       (unsigned long long)b->kinds[i].count,
			       (unsigned long long)b->kinds[i].bytes);
}

/* A GET_STATS dump: the pids in reply order. */
struct pid_list {
	pid_t pids[8192];
	int n;
	bool bad;
};

static int stats_dump_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct pid_list *l = arg;
	struct nl_stats s;

	parse_stats(nlh, &s);
	if (!stats_complete(&s) || l->n == (int)ARRAY_SIZE(l->pids)) {
		l->bad = true;
		return 1;
	}
	l->pids[l->n++] = s.pid;
	return 0;
}

static bool pid_listed(const struct pid_list *l, pid_t pid)
{
	for (int i = 0; i < l->n; i++)
		if (l->pids[i] == pid)
			return true;
	return false;
}

static bool pids_ascending(const struct pid_list *l)
{
	for (int i = 1; i < l->n; i++)
		if (l->pids[i] <= l->pids[i - 1])
			return false;
	return true;
}

/* ---- GET_VMAS replies and /proc/PID/maps ----------------------------------- */

struct vma_rec {
	uint64_t start, end, offset, inode, flags;
	uint32_t major, minor, kind;
	char *name;		/* "" without a name */
};

struct vma_list {
	struct vma_rec *v;
	size_t n, cap;
	size_t longest_name;
	bool bad;
};

static void vma_list_free(struct vma_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static struct vma_rec *vma_list_add(struct vma_list *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 1024;
		struct vma_rec *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

static int vma_dump_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct genlmsghdr *gh = NLMSG_DATA(nlh);
	const int need = 1 << VMCTL_A_VMA_START | 1 << VMCTL_A_VMA_END |
			 1 << VMCTL_A_VMA_OFFSET | 1 << VMCTL_A_VMA_INODE |
			 1 << VMCTL_A_VMA_DEV_MAJOR | 1 << VMCTL_A_VMA_DEV_MINOR |
			 1 << VMCTL_A_VMA_FLAGS | 1 << VMCTL_A_VMA_KIND;
	struct vma_list *l = arg;
	const char *name = "";
	struct vma_rec *v;
	struct nlattr *a;
	int rem, seen = 0;

	v = vma_list_add(l);
	if (!v || gh->cmd != VMCTL_CMD_GET_VMAS)
		goto bad;
	nla_for_each_attr(a, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0), rem) {
		int type = nla_type(a);

		if (type > VMCTL_A_VMA_MAX || (seen & 1 << type))
			goto bad;
		seen |= 1 << type;
		switch (type) {
		case VMCTL_A_VMA_START:
			v->start = nla_get_u64(a);
			break;
		case VMCTL_A_VMA_END:
			v->end = nla_get_u64(a);
			break;
		case VMCTL_A_VMA_OFFSET:
			v->offset = nla_get_u64(a);
			break;
		case VMCTL_A_VMA_INODE:
			v->inode = nla_get_u64(a);
			break;
		case VMCTL_A_VMA_FLAGS:
			v->flags = nla_get_u64(a);
			break;
		case VMCTL_A_VMA_DEV_MAJOR:
			v->major = nla_get_u32(a);
			break;
		case VMCTL_A_VMA_DEV_MINOR:
			v->minor = nla_get_u32(a);
			break;
		case VMCTL_A_VMA_KIND:
			v->kind = nla_get_u32(a);
			break;
		case VMCTL_A_VMA_NAME:
			name = nla_data(a);
			/* NUL-terminated, non-empty, nothing after the NUL. */
			if (nla_len(a) < 2 || strnlen(name, nla_len(a)) != (size_t)nla_len(a) - 1)
				goto bad;
			break;
		case VMCTL_A_VMA_PAD:
			break;
		default:
			goto bad;
		}
	}
	if ((seen & need) != need || v->kind >= VMCTL_KIND_COUNT)
		goto bad;
	v->name = strdup(name);
	if (!v->name)
		goto bad;
	if (strlen(name) > l->longest_name)
		l->longest_name = strlen(name);
	return 0;
bad:
	l->bad = true;
	return 1;
}

/* GET_VMAS dump of @pid with recv() buffers of @bufsize bytes. */
static int nl_get_vmas(struct nl_sock *sk, int family, pid_t pid,
		       size_t bufsize, struct vma_list *l, struct nl_reply *r)
{
	struct nl_msg *msg = req_new(family, VMCTL_CMD_GET_VMAS, true);
	int bad;

	memset(r, 0, sizeof(*r));
	if (!msg || nla_put_u32(msg, VMCTL_A_VMA_PID, pid))
		return -ENOMEM;
	bad = req_send_read(sk, msg, bufsize, vma_dump_cb, l, r);
	if (bad)
		return bad < 0 ? bad : -EBADMSG;
	return r->err;
}

static uint64_t perms_flags(const char *perms)
{
	return (perms[0] == 'r' ? VMCTL_VMA_READ : 0) |
	       (perms[1] == 'w' ? VMCTL_VMA_WRITE : 0) |
	       (perms[2] == 'x' ? VMCTL_VMA_EXEC : 0) |
	       (perms[3] == 's' ? VMCTL_VMA_SHARED : 0);
}

#define PERMS_FLAGS	(VMCTL_VMA_READ | VMCTL_VMA_WRITE | VMCTL_VMA_EXEC | \
			 VMCTL_VMA_SHARED)

/* /proc/PID/maps (without [vsyscall], which is no VMA) as a vma_list. */
static int read_maps(pid_t pid, struct vma_list *l)
{
	struct proc_vma *pv;
	int n = proc_vmas_read(pid, false, &pv);

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		struct vma_rec *v = vma_list_add(l);

		if (!v) {
			l->bad = true;
			break;
		}
		*v = (struct vma_rec) {
			.start = pv[i].start, .end = pv[i].end, .offset = pv[i].offset,
			.inode = pv[i].inode, .major = pv[i].major, .minor = pv[i].minor,
			.flags = perms_flags(pv[i].perms), .name = strdup(pv[i].name),
		};
	}
	free(pv);
	return 0;
}

/* ---- processes -------------------------------------------------------------- */

/* SPLIT_PAGES pages, every other one read-only: one VMA per page. */
static int map_split(void)
{
	long page = page_size();
	char *p;

	p = mmap(NULL, SPLIT_PAGES * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	for (int i = 0; i < SPLIT_PAGES; i += 2)
		if (mprotect(p + i * page, page, PROT_READ))
			return -1;
	return 0;
}

static int split_setup(void *arg)
{
	return map_split();
}

/* Maps @path (creating it a page long) at @addr, shared read-only. */
static int map_file(const char *path, void *addr, bool unlink_it)
{
	void *p;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, page_size()))
		return -1;
	p = mmap(addr, page_size(), PROT_READ,
		 MAP_SHARED | (addr ? MAP_FIXED_NOREPLACE : 0), fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	return unlink_it ? unlink(path) : 0;
}

/* A directory chain whose file path is LONG_PATH_LEN bytes long. */
struct long_path {
	char dirs[PATH_MAX];
	char file[PATH_MAX];
};

static int long_path_make(struct long_path *lp)
{
	size_t len;

	snprintf(lp->dirs, sizeof(lp->dirs), "/tmp/vmctl-nl-%d", getpid());
	if (mkdir(lp->dirs, 0700))
		return -1;
	for (;;) {
		len = strlen(lp->dirs);
		if (len + 1 + 200 + 8 > LONG_PATH_LEN)
			break;
		lp->dirs[len] = '/';
		memset(lp->dirs + len + 1, 'd', 200);
		lp->dirs[len + 201] = '\0';
		if (mkdir(lp->dirs, 0700))
			return -1;
	}
	len = strlen(lp->dirs);
	snprintf(lp->file, sizeof(lp->file), "%s/", lp->dirs);
	memset(lp->file + len + 1, 'f', LONG_PATH_LEN - len - 1);
	lp->file[LONG_PATH_LEN] = '\0';
	return 0;
}

static void long_path_remove(struct long_path *lp)
{
	char *slash;

	unlink(lp->file);
	while (strncmp(lp->dirs, "/tmp/", 5) == 0) {
		rmdir(lp->dirs);
		slash = strrchr(lp->dirs, '/');
		if (!slash || slash == lp->dirs + 4)
			break;
		*slash = '\0';
	}
}

/* Lowest address a process may map at by default (vm.mmap_min_addr). */
#define LOW_ADDR	((void *)0x10000)

/*
 * Split VMAs plus files: a long path, mapped at the lowest address so that
 * it goes in the first part of a dump (built before any recv() sized the
 * socket's skbs), a deleted file and a memfd.
 */
static int layout_setup(void *arg)
{
	struct long_path *lp = arg;
	char deleted[64];
	void *p;
	int fd;

	if (map_split() || map_file(lp->file, LOW_ADDR, false))
		return -1;
	snprintf(deleted, sizeof(deleted), "/tmp/vmctl-nl-deleted-%d", getpid());
	if (map_file(deleted, NULL, true))
		return -1;
	fd = memfd_create("vmctl-nl", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 4 * page_size()))
		return -1;
	p = mmap(NULL, 4 * page_size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	return p == MAP_FAILED ? -1 : 0;
}

/* Maps and unmaps anonymous memory of changing sizes, forever. */
static void *churn_thread(void *arg)
{
	long page = page_size();
	void *ring[16] = { NULL };
	size_t lens[16] = { 0 };

	for (unsigned int i = 0;; i++) {
		unsigned int slot = i % 16;

		if (ring[slot])
			munmap(ring[slot], lens[slot]);
		lens[slot] = (i % 7 + 1) * page;
		ring[slot] = mmap(NULL, lens[slot], PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (ring[slot] == MAP_FAILED)
			ring[slot] = NULL;
	}
	return NULL;
}

/* A running child with split VMAs and a thread that keeps remapping. */
static pid_t spawn_churning(void)
{
	int pipefd[2];
	pthread_t t;
	char c = 0;
	pid_t pid;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(pipefd[0]);
		if (map_split() || pthread_create(&t, NULL, churn_thread, NULL))
			_exit(1);
		if (write(pipefd[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(pipefd[1]);
	if (read(pipefd[0], &c, 1) != 1) {
		kill_child(pid);
		pid = -1;
	}
	close(pipefd[0]);
	return pid;
}

/* The four Uid: fields of /proc/PID/status; false if unreadable. */
static bool proc_uids(pid_t pid, unsigned int uids[4])
{
	char path[64], line[256];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Uid: %u %u %u %u", &uids[0], &uids[1],
			   &uids[2], &uids[3]) == 4) {
			found = true;
			break;
		}
	fclose(f);
	return found;
}

/* Processes in /proc whose maps are not empty. */
static int proc_pids_with_maps(struct pid_list *l)
{
	struct dirent *de;
	DIR *d;

	memset(l, 0, sizeof(*l));
	d = opendir("/proc");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char path[64], c;
		pid_t pid;
		int fd;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		snprintf(path, sizeof(path), "/proc/%d/maps", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (read(fd, &c, 1) == 1 && l->n < (int)ARRAY_SIZE(l->pids))
			l->pids[l->n++] = pid;
		close(fd);
	}
	closedir(d);
	return 0;
}

/* ---- tests -------------------------------------------------------------------- */

FIXTURE(nl) {
	int fd;
	struct nl_sock *sk;
	int family;
};

FIXTURE_SETUP(nl)
{
	self->sk = NULL;
	VMCTL_OPEN_OR_SKIP(_metadata, self->fd);
	self->sk = nl_open(&self->family);
	ASSERT_NE(NULL, self->sk);
}

FIXTURE_TEARDOWN(nl)
{
	if (self->sk)
		nl_socket_free(self->sk);
	if (self->fd >= 0)
		close(self->fd);
}

/* The do for a stopped process equals the ioctl, field for field. */
TEST_F(nl, stats_do_matches_ioctl_for_stopped_child)
{
	struct vmctl_stats ioc;
	struct nl_reply r;
	struct nl_stats s;
	char comm[64];
	pid_t child;

	child = spawn_stopped(split_setup, NULL, NULL);
	ASSERT_LT(0, child);

	ASSERT_EQ(0, nl_get_stats(self->sk, self->family, child, &s, &r)) {
		TH_LOG("extack: %s", r.msg);
	}
	ASSERT_EQ(0, ioc_get_stats(self->fd, child, &ioc));
	EXPECT_EQ(child, s.pid);
	ASSERT_TRUE(proc_comm(child, comm, sizeof(comm)));
	EXPECT_STREQ(comm, s.comm);
	EXPECT_TRUE(stats_equal(&s.st, &ioc, true)) {
		log_stats_diff(_metadata, &s.st, &ioc);
	}
	EXPECT_LE(SPLIT_PAGES, s.st.map_count);
	kill_child(child);
}

/* For the caller itself (pid 0 or its own pid) the stable fields agree. */
TEST_F(nl, stats_do_self_matches_ioctl)
{
	uint32_t pids[] = { 0, getpid() };

	for (size_t i = 0; i < ARRAY_SIZE(pids); i++) {
		struct nl_stats s1, s2;
		struct vmctl_stats ioc;
		struct nl_reply r;
		bool same = false;

		/* Retry while the process's own layout moves (libc, libnl). */
		for (int tries = 0; tries < 5 && !same; tries++) {
			ASSERT_EQ(0, nl_get_stats(self->sk, self->family, pids[i], &s1, &r));
			ASSERT_EQ(0, ioc_get_stats(self->fd, pids[i], &ioc));
			ASSERT_EQ(0, nl_get_stats(self->sk, self->family, pids[i], &s2, &r));
			same = stats_equal(&s1.st, &s2.st, false);
		}
		ASSERT_TRUE(same);
		EXPECT_EQ(getpid(), s1.pid);
		EXPECT_TRUE(stats_equal(&s1.st, &ioc, false)) {
			log_stats_diff(_metadata, &s1.st, &ioc);
		}
	}
}

static void *idle_thread(void *arg)
{
	prctl(PR_SET_NAME, "vmctl-nl-thread");
	*(volatile pid_t *)arg = syscall(SYS_gettid);
	for (;;)
		pause();
	return NULL;
}

/* A thread id names its process; the reply carries its tgid and comm. */
TEST_F(nl, stats_do_thread_id_names_process)
{
	volatile pid_t tid = 0;
	struct nl_reply r;
	struct nl_stats s;
	char comm[64];
	pthread_t t;

	ASSERT_EQ(0, pthread_create(&t, NULL, idle_thread, (void *)&tid));
	while (!tid)
		usleep(1000);
	ASSERT_NE(getpid(), tid);
	ASSERT_EQ(0, nl_get_stats(self->sk, self->family, tid, &s, &r));
	EXPECT_EQ(getpid(), s.pid);
	ASSERT_TRUE(proc_comm(getpid(), comm, sizeof(comm)));
	EXPECT_STREQ(comm, s.comm);
	pthread_cancel(t);
	pthread_join(t, NULL);
}

TEST_F(nl, stats_do_requires_pid)
{
	struct nl_reply r;

	ASSERT_LE(0, request_u32(self->sk, self->family, VMCTL_CMD_GET_STATS,
				 false, 0, 0, NULL, NULL, &r));
	EXPECT_EQ(-EINVAL, r.err);
	EXPECT_EQ(0, r.msgs);
	EXPECT_NE('\0', r.msg[0]);
	EXPECT_EQ(VMCTL_A_STATS_PID, r.miss_type);
}

/* Sends GET_STATS (do) or GET_VMAS (dump) with one raw attribute. */
static int request_raw(struct nl_sock *sk, int family, int cmd, bool dump,
		       int attr, const void *data, int len, struct nl_reply *r)
{
	struct nl_msg *msg = req_new(family, cmd, dump);

	memset(r, 0, sizeof(*r));
	if (!msg || nla_put(msg, attr, len, data))
		return -ENOMEM;
	if (req_send_read(sk, msg, 64 * 1024, NULL, NULL, r) < 0)
		return -EIO;
	return r->err;
}

TEST_F(nl, pid_attribute_type_is_exact)
{
	static const struct {
		int cmd, attr;
		bool dump;
	} reqs[] = {
		{ VMCTL_CMD_GET_STATS, VMCTL_A_STATS_PID, false },
		{ VMCTL_CMD_GET_VMAS, VMCTL_A_VMA_PID, true },
	};
	/* On the wire only the length tells types apart: not 4 bytes. */
	static const char str[] = "not-a-pid";
	uint64_t pid64 = getpid();
	uint16_t pid16 = 0;
	uint32_t huge = 0x80000000u;
	struct nl_reply r;

	for (size_t i = 0; i < ARRAY_SIZE(reqs); i++) {
		EXPECT_EQ(-EINVAL, request_raw(self->sk, self->family, reqs[i].cmd,
					       reqs[i].dump, reqs[i].attr,
					       &pid64, sizeof(pid64), &r));
		EXPECT_EQ(-EINVAL, request_raw(self->sk, self->family, reqs[i].cmd,
					       reqs[i].dump, reqs[i].attr,
					       &pid16, sizeof(pid16), &r));
		EXPECT_EQ(-EINVAL, request_raw(self->sk, self->family, reqs[i].cmd,
					       reqs[i].dump, reqs[i].attr,
					       str, sizeof(str), &r));
		/* Beyond pid_t: the policy's range check. */
		EXPECT_EQ(-ERANGE, request_raw(self->sk, self->family, reqs[i].cmd,
					       reqs[i].dump, reqs[i].attr,
					       &huge, sizeof(huge), &r));
		EXPECT_NE('\0', r.msg[0]);
		EXPECT_EQ(0, r.msgs);
	}
}

/* Any attribute but the pid is refused, known to the family or not. */
TEST_F(nl, unknown_attributes_are_rejected)
{
	static const struct {
		int cmd, pid_attr, attr;
		bool dump;
	} reqs[] = {
		{ VMCTL_CMD_GET_STATS, VMCTL_A_STATS_PID, VMCTL_A_STATS_COMM, false },
		{ VMCTL_CMD_GET_STATS, VMCTL_A_STATS_PID, VMCTL_A_STATS_MAX + 1, false },
		{ VMCTL_CMD_GET_STATS, VMCTL_A_STATS_PID, VMCTL_A_STATS_PAD, false },
		{ VMCTL_CMD_GET_STATS, VMCTL_A_STATS_PID, 0x3ff, false },
		{ VMCTL_CMD_GET_VMAS, VMCTL_A_VMA_PID, VMCTL_A_VMA_START, true },
		{ VMCTL_CMD_GET_VMAS, VMCTL_A_VMA_PID, VMCTL_A_VMA_MAX + 1, true },
		{ VMCTL_CMD_GET_VMAS, VMCTL_A_VMA_PID, 0x3ff, true },
	};
	struct nl_reply r;

	for (size_t i = 0; i < ARRAY_SIZE(reqs); i++) {
		struct nl_msg *msg = req_new(self->family, reqs[i].cmd, reqs[i].dump);

		ASSERT_NE(NULL, msg);
		ASSERT_EQ(0, nla_put_u32(msg, reqs[i].pid_attr, 0));
		ASSERT_EQ(0, nla_put_u32(msg, reqs[i].attr, 0));
		ASSERT_LE(0, req_send_read(self->sk, msg, 64 * 1024, NULL, NULL, &r));
		EXPECT_EQ(-EINVAL, r.err) {
			TH_LOG("request %zu", i);
		}
		EXPECT_EQ(0, r.msgs);
	}
}

TEST_F(nl, stats_do_errors)
{
	pid_t gone = dead_pid();
	struct nl_reply r;
	struct nl_stats s;

	ASSERT_LT(0, gone);
	EXPECT_EQ(-ESRCH, nl_get_stats(self->sk, self->family, gone, &s, &r));
	EXPECT_STREQ("no such process", r.msg);
	/* kthreadd: no user address space. */
	EXPECT_EQ(-ENODATA, nl_get_stats(self->sk, self->family, KTHREADD_PID, &s, &r));
	EXPECT_STREQ("no user address space", r.msg);
}

static int nobody_checks(void *arg)
{
	struct nl_reply r;
	struct nl_stats s;
	struct pid_list *l;
	struct nl_sock *sk;
	bool self_seen = false;
	int family, i;

	sk = nl_open(&family);
	if (!sk)
		return 10;
	if (nl_get_stats(sk, family, 1, &s, &r) != -EACCES)
		return 11;
	if (strcmp(r.msg, "permission denied"))
		return 12;
	/* Its own statistics it may read. */
	if (nl_get_stats(sk, family, 0, &s, &r) || s.pid != (uint32_t)getpid())
		return 13;

	l = calloc(1, sizeof(*l));
	if (!l || request_u32(sk, family, VMCTL_CMD_GET_STATS, true, 0, 0,
			      stats_dump_cb, l, &r) || r.err || l->bad)
		return 14;
	for (i = 0; i < l->n; i++) {
		unsigned int uids[4];

		if (l->pids[i] == getpid())
			self_seen = true;
		if (!proc_uids(l->pids[i], uids))
			continue;	/* exited since */
		for (int j = 0; j < 4; j++)
			if (uids[j] != NOBODY)
				return 15;
	}
	if (!self_seen || pid_listed(l, 1))
		return 16;
	/* VMAs likewise. */
	if (request_u32(sk, family, VMCTL_CMD_GET_VMAS, true, VMCTL_A_VMA_PID, 1,
			NULL, NULL, &r) || r.err != -EACCES || r.msgs)
		return 17;
	free(l);
	nl_socket_free(sk);
	return 0;
}

/* An unprivileged caller gets EACCES for init and sees only its own uid. */
TEST_F(nl, unprivileged_caller_is_limited)
{
	EXPECT_EQ(0, run_as_nobody(nobody_checks, NULL));
}

/* The dump lists, in pid order, every process /proc shows a map for. */
TEST_F(nl, stats_dump_lists_every_process)
{
	struct pid_list *dump, *before, *after;
	struct nl_reply r;

	dump = calloc(1, sizeof(*dump));
	before = calloc(1, sizeof(*before));
	after = calloc(1, sizeof(*after));
	ASSERT_TRUE(dump && before && after);

	ASSERT_EQ(0, proc_pids_with_maps(before));
	ASSERT_EQ(0, request_u32(self->sk, self->family, VMCTL_CMD_GET_STATS,
				 true, 0, 0, stats_dump_cb, dump, &r));
	ASSERT_EQ(0, proc_pids_with_maps(after));
	ASSERT_EQ(0, r.err) {
		TH_LOG("extack: %s", r.msg);
	}
	EXPECT_FALSE(dump->bad);
	EXPECT_EQ(0, r.intr);
	EXPECT_TRUE(pids_ascending(dump));
	EXPECT_TRUE(pid_listed(dump, 1));
	EXPECT_TRUE(pid_listed(dump, getpid()));
	EXPECT_FALSE(pid_listed(dump, KTHREADD_PID));
	for (int i = 0; i < before->n; i++) {
		if (!pid_listed(after, before->pids[i]))
			continue;	/* came or went during the dump */
		EXPECT_TRUE(pid_listed(dump, before->pids[i])) {
			TH_LOG("pid %d missing", before->pids[i]);
		}
	}
	free(dump);
	free(before);
	free(after);
}

TEST_F(nl, stats_dump_takes_no_attribute)
{
	struct nl_reply r;

	ASSERT_LE(0, request_u32(self->sk, self->family, VMCTL_CMD_GET_STATS,
				 true, VMCTL_A_STATS_PID, 1, NULL, NULL, &r));
	EXPECT_EQ(-EINVAL, r.err);
	EXPECT_EQ(0, r.msgs);
	EXPECT_NE('\0', r.msg[0]);
	ASSERT_LE(0, request_u32(self->sk, self->family, VMCTL_CMD_GET_STATS,
				 true, 0x3ff, 1, NULL, NULL, &r));
	EXPECT_EQ(-EINVAL, r.err);
	EXPECT_EQ(0, r.msgs);
}

/*
 * A dump continued by another task keeps the requester's view: root
 * starts it, a uid-65534 child that shares the socket reads the rest and
 * still gets root's processes.
 */
TEST_F(nl, stats_dump_keeps_requester_credentials)
{
	pid_t helpers[24];
	struct nl_reply r = { 0 };
	struct nl_msg *msg;
	int status, fd;
	uint32_t seq;
	pid_t reader;

	for (size_t i = 0; i < ARRAY_SIZE(helpers); i++) {
		helpers[i] = spawn_stopped(NULL, NULL, NULL);
		ASSERT_LT(0, helpers[i]);
	}
	fd = nl_socket_get_fd(self->sk);
	msg = req_new(self->family, VMCTL_CMD_GET_STATS, true);
	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, req_send(self->sk, msg, &seq));
	/* One small part, then the rest in the child. */
	nl_read(fd, seq, 4096, 1, NULL, NULL, &r);
	ASSERT_FALSE(r.done);

	reader = fork();
	ASSERT_LE(0, reader);
	if (reader == 0) {
		struct pid_list *l = calloc(1, sizeof(*l));
		struct nl_reply rest = { 0 };

		if (!l || become_nobody())
			_exit(10);
		if (nl_read(fd, seq, 4096, 0, stats_dump_cb, l, &rest) ||
		    rest.err || !rest.done)
			_exit(11);
		for (size_t i = 0; i < ARRAY_SIZE(helpers); i++)
			if (!pid_listed(l, helpers[i]))
				_exit(12);
		_exit(0);
	}
	ASSERT_EQ(reader, waitpid(reader, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	for (size_t i = 0; i < ARRAY_SIZE(helpers); i++)
		kill_child(helpers[i]);
}

static int pidns_checks(void *arg)
{
	struct pid_list *l = calloc(1, sizeof(*l));
	struct nl_reply r;
	struct nl_stats s;
	struct nl_sock *sk;
	pid_t child;
	int family;

	sk = nl_open(&family);
	if (!sk || !l)
		return 10;
	if (getpid() != 1)
		return 11;
	if (nl_get_stats(sk, family, 0, &s, &r) || s.pid != 1)
		return 12;
	child = spawn_stopped(NULL, NULL, NULL);
	if (child != 2)
		return 13;
	if (nl_get_stats(sk, family, child, &s, &r) || s.pid != 2)
		return 14;
	if (request_u32(sk, family, VMCTL_CMD_GET_STATS, true, 0, 0,
			stats_dump_cb, l, &r) || r.err)
		return 15;
	if (l->n != 2 || l->pids[0] != 1 || l->pids[1] != 2)
		return 16;
	kill_child(child);
	return 0;
}

/* In a child pid namespace the dump lists that namespace, by its pids. */
TEST_F(nl, stats_follow_caller_pid_namespace)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		pid_t init;

		if (unshare(CLONE_NEWPID))
			_exit(20);
		init = fork();
		if (init < 0)
			_exit(21);
		if (init == 0)
			_exit(pidns_checks(NULL));
		if (waitpid(init, &status, 0) != init || !WIFEXITED(status))
			_exit(22);
		_exit(WEXITSTATUS(status));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(nl, vmas_dump_requires_pid)
{
	struct nl_reply r;

	ASSERT_LE(0, request_u32(self->sk, self->family, VMCTL_CMD_GET_VMAS,
				 true, 0, 0, NULL, NULL, &r));
	EXPECT_EQ(-EINVAL, r.err);
	EXPECT_EQ(0, r.msgs);
	EXPECT_NE('\0', r.msg[0]);
	/*
	 * Kernels whose dump .start has no extack (6.1) get the error from
	 * the first dumpit, in NLMSG_DONE, which carries only the message.
	 */
	if (!r.in_done)
		EXPECT_EQ(VMCTL_A_VMA_PID, r.miss_type);
}

TEST_F(nl, vmas_is_dump_only)
{
	struct nl_reply r;

	ASSERT_LE(0, request_u32(self->sk, self->family, VMCTL_CMD_GET_VMAS,
				 false, VMCTL_A_VMA_PID, 0, NULL, NULL, &r));
	EXPECT_EQ(-EOPNOTSUPP, r.err);
	EXPECT_EQ(0, r.msgs);
}

TEST_F(nl, vmas_dump_errors)
{
	pid_t gone = dead_pid();
	struct vma_list l = { 0 };
	struct nl_reply r;

	ASSERT_LT(0, gone);
	EXPECT_EQ(-ESRCH, nl_get_vmas(self->sk, self->family, gone, 64 * 1024, &l, &r));
	EXPECT_STREQ("no such process", r.msg);
	EXPECT_EQ(-ENODATA, nl_get_vmas(self->sk, self->family, KTHREADD_PID,
					64 * 1024, &l, &r));
	EXPECT_STREQ("no user address space", r.msg);
	EXPECT_EQ(0, l.n);
	vma_list_free(&l);
}

/* pid 0: the caller's own VMAs, in order, one holding its stack. */
TEST_F(nl, vmas_dump_self)
{
	struct vma_list l = { 0 };
	uint64_t here = (uintptr_t)&l;
	struct nl_reply r;
	bool stack = false;

	ASSERT_EQ(0, nl_get_vmas(self->sk, self->family, 0, 64 * 1024, &l, &r));
	ASSERT_FALSE(l.bad);
	ASSERT_LT(0, l.n);
	for (size_t i = 0; i < l.n; i++) {
		EXPECT_LT(l.v[i].start, l.v[i].end);
		if (i)
			EXPECT_LE(l.v[i - 1].end, l.v[i].start);
		if (l.v[i].start <= here && here < l.v[i].end) {
			stack = true;
			EXPECT_EQ(VMCTL_KIND_STACK, l.v[i].kind);
			EXPECT_STREQ("[stack]", l.v[i].name);
		}
	}
	EXPECT_TRUE(stack);
	vma_list_free(&l);
}

/*
 * A stopped process with ~3000 split VMAs, a file at a very long path,
 * a deleted file and a memfd: the dump is /proc/PID/maps, in order,
 * spread over several recv() calls, and not marked interrupted.
 */
TEST_F(nl, vmas_dump_matches_proc_maps)
{
	struct vma_list nl = { 0 }, maps = { 0 };
	struct long_path *lp;
	struct nl_reply r;
	pid_t child;

	lp = calloc(1, sizeof(*lp));
	ASSERT_NE(NULL, lp);
	ASSERT_EQ(0, long_path_make(lp));
	child = spawn_stopped(layout_setup, lp, NULL);
	ASSERT_LT(0, child);

	ASSERT_EQ(0, nl_get_vmas(self->sk, self->family, child, 64 * 1024, &nl, &r)) {
		TH_LOG("extack: %s", r.msg);
	}
	ASSERT_EQ(0, read_maps(child, &maps));
	ASSERT_FALSE(nl.bad);
	ASSERT_FALSE(maps.bad);
	EXPECT_EQ(0, r.intr);
	EXPECT_LT(1, r.recvs);
	EXPECT_LE(SPLIT_PAGES, nl.n);
	EXPECT_EQ(LONG_PATH_LEN, nl.longest_name);
	EXPECT_EQ((uintptr_t)LOW_ADDR, nl.v[0].start);
	EXPECT_EQ(LONG_PATH_LEN, strlen(nl.v[0].name));
	ASSERT_EQ(maps.n, nl.n);
	for (size_t i = 0; i < nl.n; i++) {
		const struct vma_rec *a = &nl.v[i], *b = &maps.v[i];

		EXPECT_TRUE(a->start == b->start && a->end == b->end &&
			    a->offset == b->offset && a->inode == b->inode &&
			    a->major == b->major && a->minor == b->minor &&
			    (a->flags & PERMS_FLAGS) == b->flags &&
			    !strcmp(a->name, b->name)) {
			TH_LOG("VMA %zu: netlink %llx-%llx %llx %x:%x %llu %llx '%.60s'",
			       i, (unsigned long long)a->start,
			       (unsigned long long)a->end,
			       (unsigned long long)a->offset, a->major, a->minor,
			       (unsigned long long)a->inode,
			       (unsigned long long)a->flags, a->name);
			TH_LOG("VMA %zu: maps    %llx-%llx %llx %x:%x %llu %llx '%.60s'",
			       i, (unsigned long long)b->start,
			       (unsigned long long)b->end,
			       (unsigned long long)b->offset, b->major, b->minor,
			       (unsigned long long)b->inode,
			       (unsigned long long)b->flags, b->name);
			break;
		}
	}
	kill_child(child);
	long_path_remove(lp);
	free(lp);
	vma_list_free(&nl);
	vma_list_free(&maps);
}

/* The same dump read with small buffers gives the same list. */
TEST_F(nl, vmas_dump_resumes_across_small_reads)
{
	struct vma_list big = { 0 }, small = { 0 };
	struct nl_reply r1, r2;
	pid_t child;

	child = spawn_stopped(split_setup, NULL, NULL);
	ASSERT_LT(0, child);
	ASSERT_EQ(0, nl_get_vmas(self->sk, self->family, child, 64 * 1024, &big, &r1));
	/* A new socket, so that the kernel sizes its skbs for small reads. */
	nl_socket_free(self->sk);
	self->sk = nl_open(&self->family);
	ASSERT_NE(NULL, self->sk);
	ASSERT_EQ(0, nl_get_vmas(self->sk, self->family, child, 8192, &small, &r2));
	EXPECT_LT(r1.recvs, r2.recvs);
	ASSERT_EQ(big.n, small.n);
	for (size_t i = 0; i < big.n; i++)
		if (big.v[i].start != small.v[i].start || big.v[i].end != small.v[i].end ||
		    big.v[i].flags != small.v[i].flags) {
			EXPECT_TRUE(false) {
				TH_LOG("VMA %zu differs", i);
			}
			break;
		}
	kill_child(child);
	vma_list_free(&big);
	vma_list_free(&small);
}

/* The target exits in the middle of a dump: the dump ends with ESRCH. */
TEST_F(nl, vmas_dump_ends_with_esrch_when_target_exits)
{
	struct nl_reply r = { 0 };
	struct nl_msg *msg;
	uint32_t seq;
	pid_t child;
	int fd;

	child = spawn_stopped(split_setup, NULL, NULL);
	ASSERT_LT(0, child);
	fd = nl_socket_get_fd(self->sk);
	msg = req_new(self->family, VMCTL_CMD_GET_VMAS, true);
	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_u32(msg, VMCTL_A_VMA_PID, child));
	ASSERT_EQ(0, req_send(self->sk, msg, &seq));
	nl_read(fd, seq, 8192, 1, NULL, NULL, &r);
	ASSERT_FALSE(r.done);
	ASSERT_LT(0, r.msgs);
	kill_child(child);
	nl_read(fd, seq, 8192, 0, NULL, NULL, &r);
	EXPECT_TRUE(r.done);
	EXPECT_EQ(-ESRCH, r.err);
	EXPECT_STREQ("no such process", r.msg);
}

/* Dumps racing with a thread that remaps get NLM_F_DUMP_INTR. */
TEST_F(nl, vmas_dump_flags_concurrent_change)
{
	struct nl_reply r;
	int tries, intr = 0;
	pid_t child;

	child = spawn_churning();
	ASSERT_LT(0, child);
	for (tries = 0; tries < 50 && !intr; tries++) {
		struct vma_list l = { 0 };

		ASSERT_EQ(0, nl_get_vmas(self->sk, self->family, child, 8192, &l, &r)) {
			TH_LOG("extack: %s", r.msg);
		}
		EXPECT_LT(1, r.recvs);
		intr = r.intr;
		vma_list_free(&l);
	}
	EXPECT_LT(0, intr);
	TH_LOG("NLM_F_DUMP_INTR after %d dump(s)", tries);
	kill_child(child);
}

TEST_HARNESS_MAIN
