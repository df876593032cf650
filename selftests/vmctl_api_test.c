// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/vmctl device, VMCTL_IOC_API and the netlink GET_VERSION command:
 * the contract every other vmctl interface builds on.
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "kselftest_harness.h"
#include "vmctl_test.h"

/* Every feature bit this ABI version defines. */
#define KNOWN_FEATURES	(VMCTL_FEATURE_NETLINK | VMCTL_FEATURE_STATS |	\
			 VMCTL_FEATURE_VMAS | VMCTL_FEATURE_FAULTS |	\
			 VMCTL_FEATURE_RESERVE | VMCTL_FEATURE_EVENTS)

FIXTURE(api) {
	int fd;
};

FIXTURE_SETUP(api)
{
	VMCTL_OPEN_OR_SKIP(_metadata, self->fd);
}

FIXTURE_TEARDOWN(api)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(api, reports_abi_version_and_features)
{
	struct vmctl_api api = { .size = sizeof(api) };

	ASSERT_EQ(0, vmctl_test_ioctl(self->fd, VMCTL_IOC_API, &api));
	EXPECT_EQ(sizeof(api), api.size);
	EXPECT_EQ(VMCTL_ABI_VERSION, api.abi_version);
	EXPECT_EQ(0, api.__reserved);
	EXPECT_TRUE(api.features & VMCTL_FEATURE_NETLINK);
	EXPECT_EQ(0, api.features & ~KNOWN_FEATURES);
}

TEST_F(api, rejects_size_below_first_version)
{
	struct vmctl_api api = {};
	__u64 sizes[] = { 0, 1, 8, sizeof(api) - 8, sizeof(api) - 1 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		api.size = sizes[i];
		EXPECT_EQ(-EINVAL, vmctl_test_ioctl(self->fd, VMCTL_IOC_API, &api)) {
			TH_LOG("size %llu", (unsigned long long)sizes[i]);
		}
		EXPECT_EQ(0, api.abi_version);
	}
}

/* A newer caller's larger struct works while the extra bytes are zero. */
TEST_F(api, accepts_larger_struct_with_zero_tail)
{
	union {
		struct vmctl_api api;
		unsigned char bytes[128];
	} u = {};

	u.api.size = sizeof(u);
	ASSERT_EQ(0, vmctl_test_ioctl(self->fd, VMCTL_IOC_API, &u));
	EXPECT_EQ(VMCTL_ABI_VERSION, u.api.abi_version);
	EXPECT_EQ(sizeof(u), u.api.size);
	for (size_t i = sizeof(u.api); i < sizeof(u); i++) {
		ASSERT_EQ(0, u.bytes[i]) TH_LOG("byte %zu written", i);
	}
}

TEST_F(api, rejects_unknown_nonzero_tail)
{
	union {
		struct vmctl_api api;
		unsigned char bytes[128];
	} u = {};

	u.api.size = sizeof(u);
	u.bytes[sizeof(u) - 1] = 1;
	EXPECT_EQ(-E2BIG, vmctl_test_ioctl(self->fd, VMCTL_IOC_API, &u));
	EXPECT_EQ(0, u.api.abi_version);
}

TEST_F(api, rejects_size_above_page)
{
	struct vmctl_api api = { .size = 1ULL << 20 };

	EXPECT_EQ(-E2BIG, vmctl_test_ioctl(self->fd, VMCTL_IOC_API, &api));
	api.size = ~0ULL;
	EXPECT_EQ(-E2BIG, vmctl_test_ioctl(self->fd, VMCTL_IOC_API, &api));
}

TEST_F(api, rejects_unknown_flags)
{
	struct vmctl_api api = { .size = sizeof(api) };

	for (int bit = 0; bit < 64; bit++) {
		api.flags = 1ULL << bit;
		EXPECT_EQ(-EINVAL, vmctl_test_ioctl(self->fd, VMCTL_IOC_API, &api)) {
			TH_LOG("flag bit %d", bit);
		}
	}
}

TEST_F(api, faults_on_bad_pointers)
{
	long page = sysconf(_SC_PAGESIZE);
	struct vmctl_api *guard;

	EXPECT_EQ(-EFAULT, vmctl_test_ioctl(self->fd, VMCTL_IOC_API, NULL));
	EXPECT_EQ(-EFAULT, vmctl_test_ioctl(self->fd, VMCTL_IOC_API, (void *)1));

	guard = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, guard);
	EXPECT_EQ(-EFAULT, vmctl_test_ioctl(self->fd, VMCTL_IOC_API, guard));

	/* Readable but not writable: the copy back must fault, not oops. */
	ASSERT_EQ(0, mprotect(guard, page, PROT_READ | PROT_WRITE));
	guard->size = sizeof(*guard);
	ASSERT_EQ(0, mprotect(guard, page, PROT_READ));
	EXPECT_EQ(-EFAULT, vmctl_test_ioctl(self->fd, VMCTL_IOC_API, guard));
	munmap(guard, page);
}

TEST_F(api, rejects_unknown_ioctls)
{
	struct vmctl_api api = { .size = sizeof(api) };

	EXPECT_EQ(-ENOTTY, vmctl_test_ioctl(self->fd,
			_IOWR(VMCTL_IOC_MAGIC, 0xff, struct vmctl_api), &api));
	EXPECT_EQ(-ENOTTY, vmctl_test_ioctl(self->fd,
			_IOR(VMCTL_IOC_MAGIC, 0x00, struct vmctl_api), &api));
	EXPECT_EQ(-ENOTTY, vmctl_test_ioctl(self->fd, _IO('x', 1), NULL));
}

TEST_F(api, device_is_world_accessible_misc_node)
{
	unsigned int major, minor;
	struct stat st;
	FILE *f;

	ASSERT_EQ(0, stat(VMCTL_DEVICE_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666, st.st_mode & 07777);

	f = fopen("/sys/class/misc/vmctl/dev", "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(2, fscanf(f, "%u:%u", &major, &minor));
	fclose(f);
	EXPECT_EQ(10, major);
	EXPECT_EQ(major, major(st.st_rdev));
	EXPECT_EQ(minor, minor(st.st_rdev));
}

TEST_F(api, is_not_seekable)
{
	errno = 0;
	EXPECT_EQ(-1, lseek(self->fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
}

/* Opening the node and asking for the API needs no privilege. */
TEST_F(api, works_for_unprivileged_users)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct vmctl_api api = { .size = sizeof(api) };
		int fd;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		fd = open(VMCTL_DEVICE_PATH, O_RDWR);
		if (fd < 0)
			_exit(11);
		if (ioctl(fd, VMCTL_IOC_API, &api) || api.abi_version != VMCTL_ABI_VERSION)
			_exit(12);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

FIXTURE(lib) {
	struct vmctl_ctx *ctx;
};

FIXTURE_SETUP(lib)
{
	int fd;

	VMCTL_OPEN_OR_SKIP(_metadata, fd);
	close(fd);
	ASSERT_EQ(0, vmctl_new(&self->ctx));
}

FIXTURE_TEARDOWN(lib)
{
	vmctl_unref(self->ctx);
}

TEST_F(lib, module_is_reported_loaded)
{
	EXPECT_EQ(VMCTL_MODULE_LOADED, vmctl_module_state(self->ctx));
}

/* The netlink and ioctl views of the module agree with sysfs. */
TEST_F(lib, netlink_version_matches_ioctl_and_sysfs)
{
	struct vmctl_version ioc, nl;
	char sysfs[64] = "";
	FILE *f;

	ASSERT_EQ(0, vmctl_get_version(self->ctx, &ioc));
	ASSERT_EQ(0, vmctl_nl_get_version(self->ctx, &nl));
	EXPECT_EQ(VMCTL_ABI_VERSION, nl.abi_version);
	EXPECT_EQ(ioc.abi_version, nl.abi_version);
	EXPECT_EQ(ioc.features, nl.features);

	f = fopen("/sys/module/vmctl/version", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(sysfs, sizeof(sysfs), f));
	fclose(f);
	sysfs[strcspn(sysfs, "\n")] = '\0';
	EXPECT_STREQ(sysfs, nl.module_version);
	EXPECT_STREQ(vmctl_library_version(), nl.module_version);
}

/* Netlink requests built by hand, to send what libvmctl never sends. */
FIXTURE(genl) {
	struct nl_sock *sk;
	int family;
};

FIXTURE_SETUP(genl)
{
	int fd;

	VMCTL_OPEN_OR_SKIP(_metadata, fd);
	close(fd);
	self->sk = nl_socket_alloc();
	ASSERT_NE(NULL, self->sk);
	ASSERT_EQ(0, genl_connect(self->sk));
	self->family = genl_ctrl_resolve(self->sk, VMCTL_FAMILY_NAME);
	ASSERT_LT(0, self->family);
}

FIXTURE_TEARDOWN(genl)
{
	nl_socket_free(self->sk);
}

static int record_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	*(int *)arg = err->error;
	return NL_STOP;
}

static int record_ack(struct nl_msg *msg, void *arg)
{
	*(int *)arg = 0;
	return NL_STOP;
}

static int count_reply(struct nl_msg *msg, void *arg)
{
	(*(int *)arg)++;
	return NL_OK;
}

/* Sends @cmd with an optional u32 attribute; returns the kernel's errno. */
static int genl_request(struct nl_sock *sk, int family, int cmd, int attr,
			int *replies)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err = 1, ret;

	*replies = 0;
	if (!msg || !cb)
		return -ENOMEM;
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_ACK, cmd,
		    VMCTL_FAMILY_VERSION);
	if (attr)
		nla_put_u32(msg, attr, 1);
	nl_cb_err(cb, NL_CB_CUSTOM, record_error, &err);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, record_ack, &err);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, count_reply, replies);
	ret = nl_send_auto(sk, msg);
	while (ret >= 0 && err == 1)
		ret = nl_recvmsgs(sk, cb);
	nlmsg_free(msg);
	nl_cb_put(cb);
	return ret < 0 && err == 1 ? -EIO : err;
}

TEST_F(genl, get_version_replies_once)
{
	int replies;

	EXPECT_EQ(0, genl_request(self->sk, self->family, VMCTL_CMD_GET_VERSION,
				  0, &replies));
	EXPECT_EQ(1, replies);
}

TEST_F(genl, get_version_rejects_attributes)
{
	int replies;

	EXPECT_EQ(-EINVAL, genl_request(self->sk, self->family,
					VMCTL_CMD_GET_VERSION,
					VMCTL_A_VERSION_ABI, &replies));
	EXPECT_EQ(0, replies);
	EXPECT_EQ(-EINVAL, genl_request(self->sk, self->family,
					VMCTL_CMD_GET_VERSION, 0x3ff, &replies));
}

TEST_F(genl, rejects_unknown_commands)
{
	int replies;

	EXPECT_EQ(-EOPNOTSUPP, genl_request(self->sk, self->family, 0,
					    0, &replies));
	EXPECT_EQ(-EOPNOTSUPP, genl_request(self->sk, self->family, 200,
					    0, &replies));
}

/* The family answers in every network namespace. */
TEST(genl_works_in_child_netns)
{
	int status, fd;
	pid_t pid;

	VMCTL_OPEN_OR_SKIP(_metadata, fd);
	close(fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct vmctl_version v;
		struct vmctl_ctx *ctx;

		if (unshare(CLONE_NEWNET))
			_exit(10);
		if (vmctl_new(&ctx))
			_exit(11);
		if (vmctl_nl_get_version(ctx, &v) || v.abi_version != VMCTL_ABI_VERSION)
			_exit(12);
		vmctl_unref(ctx);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* The caps are module parameters, visible and read-only in sysfs. */
TEST(module_parameters_are_read_only_and_visible)
{
	static const struct {
		const char *name;
		unsigned long def;
	} params[] = {
		{ "max_tracked_processes", 256 },
		{ "max_tracked_threads", 1024 },
		{ "max_commit_limits", 4096 },
	};
	int fd;

	VMCTL_OPEN_OR_SKIP(_metadata, fd);
	close(fd);
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		char path[128];
		unsigned long val = 0;
		struct stat st;
		FILE *f;

		snprintf(path, sizeof(path), "/sys/module/vmctl/parameters/%s",
			 params[i].name);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s", path);
		EXPECT_EQ(0444, st.st_mode & 0777) TH_LOG("%s", path);
		f = fopen(path, "r");
		ASSERT_NE(NULL, f);
		ASSERT_EQ(1, fscanf(f, "%lu", &val));
		fclose(f);
		EXPECT_EQ(params[i].def, val) TH_LOG("%s", params[i].name);
		/* Even root cannot change them once loaded. */
		f = fopen(path, "w");
		EXPECT_EQ(NULL, f);
		if (f)
			fclose(f);
	}
}

TEST_HARNESS_MAIN
