// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the stats/maps tables and JSON, from made-up data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "render.h"

#define MiB (1ULL << 20)

#define EXPECT_CONTAINS(haystack, needle) \
	EXPECT_NE(NULL, strstr(haystack, needle)) TH_LOG("no \"%s\" in:\n%s", needle, haystack)
#define EXPECT_LACKS(haystack, needle) \
	EXPECT_EQ(NULL, strstr(haystack, needle)) TH_LOG("\"%s\" in:\n%s", needle, haystack)

static struct vmctl_stats sample_stats(uint64_t map_count, uint64_t max)
{
	struct vmctl_stats st = {
		.size = sizeof(st),
		.pid = 42,
		.map_count = map_count,
		.max_map_count = max,
		.vsz_bytes = 100 * MiB,
		.rss_bytes = 10 * MiB,
		.rss_anon_bytes = 6 * MiB,
		.rss_file_bytes = 3 * MiB,
		.rss_shmem_bytes = 1 * MiB,
		.swap_bytes = 4096,
		.locked_bytes = 8192,
		.pinned_bytes = 0,
		.hiwater_rss_bytes = 12 * MiB,
		.hiwater_vm_bytes = 120 * MiB,
		.data_bytes = 20 * MiB,
		.stack_bytes = 132 * 1024,
		.exec_bytes = 5 * MiB,
		.committed_bytes = 30 * MiB,
		.split_pairs = 3,
		.gap_count = 17,
		.largest_gap_bytes = 1ULL << 40,
		.faults_minor = 12345,
		.faults_major = 6,
	};

	st.kinds[VMCTL_KIND_ANON].count = map_count - 2;
	st.kinds[VMCTL_KIND_ANON].bytes = 90 * MiB;
	st.kinds[VMCTL_KIND_STACK].count = 1;
	st.kinds[VMCTL_KIND_STACK].bytes = 132 * 1024;
	st.kinds[VMCTL_KIND_FILE].count = 1;
	st.kinds[VMCTL_KIND_FILE].bytes = 10 * MiB - 132 * 1024;
	return st;
}

/* Render with @fn into a malloc'ed string. */
#define CAPTURE(out, call) ({						\
	size_t __len;							\
	FILE *f = open_memstream(&(out), &__len);			\
	ASSERT_NE(NULL, f);						\
	call;								\
	fclose(f);							\
})

static uint64_t get_u64(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0xdeadbeef;
	return json_object_get_uint64(v);
}

TEST(stats_json_keys)
{
	static const char *const keys[] = {
		"pid", "comm", "map_count", "max_map_count", "map_headroom", "vsz_bytes",
		"rss_bytes", "rss_anon_bytes", "rss_file_bytes", "rss_shmem_bytes",
		"swap_bytes", "locked_bytes", "pinned_bytes", "hiwater_rss_bytes",
		"hiwater_vm_bytes", "data_bytes", "stack_bytes", "exec_bytes",
		"committed_bytes", "split_pairs", "gap_count", "largest_gap_bytes",
		"faults", "kinds",
	};
	struct vmctl_stats st = sample_stats(100, 65530);
	struct json_object *o, *v, *k;
	size_t i;

	o = stats_to_json(&st, 42, "bash");
	ASSERT_NE(NULL, o);
	EXPECT_EQ(sizeof(keys) / sizeof(keys[0]), json_object_object_length(o));
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		EXPECT_TRUE(json_object_object_get_ex(o, keys[i], NULL)) TH_LOG("key %zu", i);

	EXPECT_EQ(42, get_u64(o, "pid"));
	ASSERT_TRUE(json_object_object_get_ex(o, "comm", &v));
	EXPECT_STREQ("bash", json_object_get_string(v));
	EXPECT_EQ(100, get_u64(o, "map_count"));
	EXPECT_EQ(65530, get_u64(o, "max_map_count"));
	ASSERT_TRUE(json_object_object_get_ex(o, "map_headroom", &v));
	EXPECT_EQ(65430, json_object_get_int64(v));
	EXPECT_EQ(10 * MiB, get_u64(o, "rss_bytes"));
	EXPECT_EQ(1ULL << 40, get_u64(o, "largest_gap_bytes"));
	EXPECT_EQ(30 * MiB, get_u64(o, "committed_bytes"));

	ASSERT_TRUE(json_object_object_get_ex(o, "faults", &v));
	EXPECT_EQ(2, json_object_object_length(v));
	EXPECT_EQ(12345, get_u64(v, "minor"));
	EXPECT_EQ(6, get_u64(v, "major"));

	ASSERT_TRUE(json_object_object_get_ex(o, "kinds", &v));
	EXPECT_EQ(VMCTL_KIND_COUNT, json_object_object_length(v));
	for (i = 0; i < VMCTL_KIND_COUNT; i++) {
		ASSERT_TRUE(json_object_object_get_ex(v, vmctl_kind_name(i), &k));
		EXPECT_EQ(2, json_object_object_length(k));
		EXPECT_EQ(st.kinds[i].count, get_u64(k, "count"));
		EXPECT_EQ(st.kinds[i].bytes, get_u64(k, "bytes"));
	}
	json_object_put(o);
}

TEST(stats_json_edge_cases)
{
	struct vmctl_stats st = sample_stats(70000, 65530);
	struct json_object *o, *v;

	st.kinds[12].count = 2;
	st.kinds[12].bytes = 8192;
	o = stats_to_json(&st, 7, NULL);
	EXPECT_FALSE(json_object_object_get_ex(o, "comm", NULL));
	ASSERT_TRUE(json_object_object_get_ex(o, "map_headroom", &v));
	EXPECT_EQ(-4470, json_object_get_int64(v));
	/* A kind newer than this build is kept, under a made-up name. */
	ASSERT_TRUE(json_object_object_get_ex(o, "kinds", &v));
	ASSERT_TRUE(json_object_object_get_ex(v, "kind12", &v));
	EXPECT_EQ(2, get_u64(v, "count"));
	json_object_put(o);

	/* Round trip through text: numbers stay exact above 2^53. */
	st.vsz_bytes = UINT64_MAX;
	o = stats_to_json(&st, 7, NULL);
	v = json_tokener_parse(json_object_to_json_string(o));
	ASSERT_NE(NULL, v);
	EXPECT_EQ(UINT64_MAX, get_u64(v, "vsz_bytes"));
	json_object_put(v);
	json_object_put(o);
}

TEST(stats_text)
{
	struct render_opts opts = { .header = true };
	struct vmctl_stats st = sample_stats(100, 65530);
	char *out = NULL;

	CAPTURE(out, stats_print(f, &st, 42, "bash", &opts));
	EXPECT_CONTAINS(out, "pid            42 (bash)\n");
	EXPECT_CONTAINS(out, "maps           100 of 65,530 max (0.2%), headroom 65430\n");
	EXPECT_CONTAINS(out, "virtual        100.0 MiB, peak 120.0 MiB\n");
	EXPECT_CONTAINS(out, "10.0 MiB, peak 12.0 MiB (anon 6.0 MiB, file 3.0 MiB, shmem 1.0 MiB)");
	EXPECT_CONTAINS(out, "committed      30.0 MiB\n");
	EXPECT_CONTAINS(out, "swap           4.0 KiB\n");
	EXPECT_CONTAINS(out, "locked         8.0 KiB, pinned 0 B\n");
	EXPECT_CONTAINS(out, "segments       data 20.0 MiB, stack 132.0 KiB, exec 5.0 MiB\n");
	EXPECT_CONTAINS(out, "3 split pairs, 17 gaps, largest gap 1.0 TiB");
	EXPECT_CONTAINS(out, "12,345 minor, 6 major");
	EXPECT_CONTAINS(out, "KIND");
	EXPECT_CONTAINS(out, "\nstack               1    132.0 KiB\n");
	EXPECT_CONTAINS(out, "\nreserved            0          0 B\n");
	EXPECT_CONTAINS(out, "\ntotal             100");
	EXPECT_LACKS(out, "WARNING");
	EXPECT_LACKS(out, "\033");
	free(out);

	opts.header = false;
	CAPTURE(out, stats_print(f, &st, 42, NULL, &opts));
	EXPECT_CONTAINS(out, "pid            42\n");
	EXPECT_LACKS(out, "KIND");
	EXPECT_LACKS(out, "total");
	free(out);
}

TEST(stats_text_warning)
{
	struct render_opts opts = { .header = true };
	struct vmctl_stats st = sample_stats(800, 1000);
	char *out = NULL;

	/* 80% exactly is not past 80%. */
	CAPTURE(out, stats_print(f, &st, 1, NULL, &opts));
	EXPECT_LACKS(out, "WARNING");
	free(out);

	st = sample_stats(853, 1000);
	CAPTURE(out, stats_print(f, &st, 1, NULL, &opts));
	EXPECT_CONTAINS(out, "WARNING: 85% of vm.max_map_count\n");
	EXPECT_LACKS(out, "\033");
	free(out);

	opts.color = true;
	CAPTURE(out, stats_print(f, &st, 1, NULL, &opts));
	EXPECT_CONTAINS(out, "\033[1;31mWARNING: 85% of vm.max_map_count\033[0m\n");
	free(out);

	/* Unknown maximum: no percentage, no warning. */
	st = sample_stats(853, 0);
	CAPTURE(out, stats_print(f, &st, 1, NULL, &opts));
	EXPECT_CONTAINS(out, "853 (vm.max_map_count unknown)");
	EXPECT_LACKS(out, "WARNING");
	free(out);
}

static void sample_procs(struct vmctl_proc_stats *p)
{
	memset(p, 0, 4 * sizeof(*p));
	p[0].pid = 1;
	strcpy(p[0].comm, "init");
	p[0].stats = sample_stats(50, 1000);
	p[1].pid = 300;
	strcpy(p[1].comm, "big");
	p[1].stats = sample_stats(900, 1000);
	p[2].pid = 20;
	strcpy(p[2].comm, "tie-b");
	p[2].stats = sample_stats(60, 1000);
	p[3].pid = 10;
	strcpy(p[3].comm, "tie-a");
	p[3].stats = sample_stats(60, 1000);
}

TEST(stats_list)
{
	struct render_opts opts = { .header = true };
	struct vmctl_proc_stats p[4];
	struct json_object *arr, *v;
	char *out = NULL;

	sample_procs(p);
	stats_list_sort(p, 4);
	EXPECT_EQ(300, p[0].pid);
	EXPECT_EQ(10, p[1].pid);
	EXPECT_EQ(20, p[2].pid);
	EXPECT_EQ(1, p[3].pid);

	CAPTURE(out, stats_list_print(f, p, 4, &opts));
	EXPECT_EQ(0, strncmp(out, "    PID COMM", 12)) TH_LOG("%s", out);
	EXPECT_CONTAINS(out, "MAPS");
	EXPECT_CONTAINS(out, "%MAX");
	EXPECT_CONTAINS(out, "COMMITTED");
	EXPECT_CONTAINS(out, "    300 big                  900  90.0%    10.0 MiB    30.0 MiB"
			     "       12345        6\n");
	EXPECT_LACKS(out, "\033");
	free(out);

	opts.header = false;
	opts.color = true;
	CAPTURE(out, stats_list_print(f, p, 4, &opts));
	EXPECT_EQ(0, strncmp(out, "\033[1;31m    300 big", 17)) TH_LOG("%s", out);
	EXPECT_LACKS(out, "PID");
	free(out);

	arr = stats_list_to_json(p, 4);
	ASSERT_EQ(4, json_object_array_length(arr));
	v = json_object_array_get_idx(arr, 0);
	EXPECT_EQ(300, get_u64(v, "pid"));
	ASSERT_TRUE(json_object_object_get_ex(v, "comm", &v));
	EXPECT_STREQ("big", json_object_get_string(v));
	json_object_put(arr);
}

/* Records then names, as vmctl_get_vmas() returns them. */
struct sample_vmas {
	struct vmctl_vma v[3];
	char names[64];
};

static void sample_vmas(struct sample_vmas *s)
{
	memset(s, 0, sizeof(*s));
	s->v[0] = (struct vmctl_vma){
		.start = 0x400000, .end = 0x428000, .offset = 0x2000, .inode = 1234567,
		.flags = VMCTL_VMA_READ | VMCTL_VMA_EXEC, .dev_major = 8, .dev_minor = 1,
		.kind = VMCTL_KIND_FILE, .name_off = sizeof(s->v), .name_len = 13,
	};
	strcpy(s->names, "/usr/bin/bash");
	s->v[1] = (struct vmctl_vma){
		.start = 0x7f0000000000, .end = 0x7f0000100000,
		.flags = VMCTL_VMA_READ | VMCTL_VMA_WRITE | VMCTL_VMA_ACCOUNT,
		.kind = VMCTL_KIND_ANON,
	};
	s->v[2] = (struct vmctl_vma){
		.start = 0x7ffc00000000, .end = 0x7ffc00021000,
		.flags = VMCTL_VMA_READ | VMCTL_VMA_WRITE | VMCTL_VMA_SHARED |
			 VMCTL_VMA_GROWSDOWN | (1ULL << 40),
		.kind = VMCTL_KIND_STACK, .dev_major = 0x103, .dev_minor = 0xab,
		.name_off = sizeof(s->v) + 14, .name_len = 7,
	};
	strcpy(s->names + 14, "[stack]");
}

TEST(maps_text)
{
	struct render_opts opts = { .header = true };
	struct sample_vmas s;
	char *out = NULL;

	sample_vmas(&s);
	CAPTURE(out, vmas_print(f, s.v, 3, &opts));
	EXPECT_EQ(0, strncmp(out, "ADDRESS ", 8)) TH_LOG("%s", out);
	EXPECT_CONTAINS(out, "PERMS");
	EXPECT_CONTAINS(out, "\n000000400000-000000428000 r-xp   160.0 KiB file     00002000 08:01"
			     "    1234567 /usr/bin/bash\n");
	EXPECT_CONTAINS(out, "\n7f0000000000-7f0000100000 rw-p     1.0 MiB anon     00000000 00:00"
			     "          0\n");
	EXPECT_CONTAINS(out, "7ffc00000000-7ffc00021000 rw-s   132.0 KiB stack    00000000 103:ab");
	EXPECT_CONTAINS(out, "[stack]\n");
	EXPECT_CONTAINS(out, "total: 3 VMAs, 1.3 MiB\n");
	free(out);

	opts.header = false;
	CAPTURE(out, vmas_print(f, s.v, 3, &opts));
	EXPECT_EQ(0, strncmp(out, "000000400000-", 13));
	EXPECT_LACKS(out, "total");
	EXPECT_LACKS(out, "ADDRESS");
	free(out);

	opts.header = true;
	CAPTURE(out, vmas_print(f, s.v, 1, &opts));
	EXPECT_CONTAINS(out, "total: 1 VMA, 160.0 KiB\n");
	free(out);
}

TEST(maps_json)
{
	static const char *const keys[] = {
		"start", "end", "perms", "kind", "offset", "dev", "inode", "path", "flags",
	};
	struct json_object *arr, *o, *v;
	struct sample_vmas s;
	size_t i;

	sample_vmas(&s);
	arr = vmas_to_json(s.v, 3);
	ASSERT_TRUE(json_object_is_type(arr, json_type_array));
	ASSERT_EQ(3, json_object_array_length(arr));

	for (i = 0; i < 3; i++) {
		size_t k;

		o = json_object_array_get_idx(arr, i);
		EXPECT_EQ(sizeof(keys) / sizeof(keys[0]), json_object_object_length(o));
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			EXPECT_TRUE(json_object_object_get_ex(o, keys[k], NULL)) TH_LOG("key %zu", k);
	}

	o = json_object_array_get_idx(arr, 0);
	EXPECT_EQ(0x400000, get_u64(o, "start"));
	EXPECT_EQ(0x428000, get_u64(o, "end"));
	EXPECT_EQ(0x2000, get_u64(o, "offset"));
	EXPECT_EQ(1234567, get_u64(o, "inode"));
	ASSERT_TRUE(json_object_object_get_ex(o, "perms", &v));
	EXPECT_STREQ("r-xp", json_object_get_string(v));
	ASSERT_TRUE(json_object_object_get_ex(o, "kind", &v));
	EXPECT_STREQ("file", json_object_get_string(v));
	ASSERT_TRUE(json_object_object_get_ex(o, "dev", &v));
	EXPECT_STREQ("08:01", json_object_get_string(v));
	ASSERT_TRUE(json_object_object_get_ex(o, "path", &v));
	EXPECT_STREQ("/usr/bin/bash", json_object_get_string(v));
	ASSERT_TRUE(json_object_object_get_ex(o, "flags", &v));
	ASSERT_EQ(2, json_object_array_length(v));
	EXPECT_STREQ("read", json_object_get_string(json_object_array_get_idx(v, 0)));
	EXPECT_STREQ("exec", json_object_get_string(json_object_array_get_idx(v, 1)));

	o = json_object_array_get_idx(arr, 1);
	ASSERT_TRUE(json_object_object_get_ex(o, "path", &v));
	EXPECT_EQ(NULL, v);
	ASSERT_TRUE(json_object_object_get_ex(o, "dev", &v));
	EXPECT_STREQ("00:00", json_object_get_string(v));

	o = json_object_array_get_idx(arr, 2);
	ASSERT_TRUE(json_object_object_get_ex(o, "perms", &v));
	EXPECT_STREQ("rw-s", json_object_get_string(v));
	ASSERT_TRUE(json_object_object_get_ex(o, "flags", &v));
	ASSERT_EQ(5, json_object_array_length(v));
	EXPECT_STREQ("growsdown", json_object_get_string(json_object_array_get_idx(v, 3)));
	EXPECT_STREQ("bit40", json_object_get_string(json_object_array_get_idx(v, 4)));
	json_object_put(arr);

	arr = vmas_to_json(NULL, 0);
	EXPECT_EQ(0, json_object_array_length(arr));
	json_object_put(arr);
}

static void sample_regions(struct region_resv *r, struct region_run *runs)
{
	runs[0] = (struct region_run){ .start = 0x10000, .size = 0x2000,
				       .state = VMCTL_STATE_COMMITTED };
	runs[1] = (struct region_run){ .start = 0x12000, .size = 0x1000,
				       .state = VMCTL_STATE_RESERVED };
	*r = (struct region_resv){ .base = 0x10000, .size = 1 << 30, .mapped = 1 << 30,
				   .committed = 0x2000, .resident = 0x1000, .vmas = 1,
				   .total_runs = 131072, .nruns = 2, .runs = runs };
}

TEST(regions_table_caps_runs)
{
	struct region_run runs[2];
	struct region_resv r;
	struct render_opts opts = { .header = true };
	char *out = NULL;

	sample_regions(&r, runs);
	CAPTURE(out, regions_print(f, &r, 1, &opts));
	EXPECT_CONTAINS(out, "RESERVATION");
	EXPECT_CONTAINS(out, "0000000000010000-0000000040010000");
	EXPECT_CONTAINS(out, "  committed  0000000000010000-0000000000012000    8.0 KiB");
	EXPECT_CONTAINS(out, "  reserved   0000000000012000-0000000000013000");
	EXPECT_CONTAINS(out, "... 131,072 runs, showing first 2 (--all shows every run)");
	EXPECT_CONTAINS(out, "total: 1 reservation, 1.0 GiB reserved, 8.0 KiB committed, "
			"4.0 KiB resident");
	free(out);

	r.total_runs = 2;
	opts.header = false;
	CAPTURE(out, regions_print(f, &r, 1, &opts));
	EXPECT_LACKS(out, "runs, showing");
	EXPECT_LACKS(out, "total:");
	free(out);
}

TEST(regions_json)
{
	struct region_run runs[2];
	struct region_resv r;
	struct json_object *o, *arr, *res, *rl, *v;

	sample_regions(&r, runs);
	o = regions_to_json(&r, 1, 42);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(42, get_u64(o, "pid"));
	EXPECT_EQ(1 << 30, get_u64(o, "reserved_bytes"));
	EXPECT_EQ(0x2000, get_u64(o, "committed_bytes"));
	ASSERT_TRUE(json_object_object_get_ex(o, "reservations", &arr));
	ASSERT_EQ(1, json_object_array_length(arr));
	res = json_object_array_get_idx(arr, 0);
	EXPECT_EQ(0x10000, get_u64(res, "base"));
	EXPECT_EQ(131072, get_u64(res, "run_count"));
	ASSERT_TRUE(json_object_object_get_ex(res, "runs_truncated", &v));
	EXPECT_TRUE(json_object_get_boolean(v));
	ASSERT_TRUE(json_object_object_get_ex(res, "runs", &rl));
	ASSERT_EQ(2, json_object_array_length(rl));
	ASSERT_TRUE(json_object_object_get_ex(json_object_array_get_idx(rl, 1), "state", &v));
	EXPECT_STREQ("reserved", json_object_get_string(v));
	json_object_put(o);
}

TEST_HARNESS_MAIN
