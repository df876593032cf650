// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the tool's output helpers. */
#include <stdint.h>

#include "kselftest_harness.h"
#include "format.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

TEST(size)
{
	static const struct {
		uint64_t bytes;
		const char *text;
	} cases[] = {
		{ 0, "0 B" },
		{ 1, "1 B" },
		{ 1023, "1023 B" },
		{ KiB, "1.0 KiB" },
		{ KiB + KiB / 2, "1.5 KiB" },
		{ 4 * KiB, "4.0 KiB" },
		{ MiB - 1, "1.0 MiB" },		/* never "1024.0 KiB" */
		{ 1023 * KiB, "1023.0 KiB" },
		{ 10 * MiB, "10.0 MiB" },
		{ GiB + GiB / 2, "1.5 GiB" },
		{ 3 * GiB / 4, "768.0 MiB" },
		{ 1ULL << 40, "1.0 TiB" },
		{ 1ULL << 50, "1.0 PiB" },
		{ 1ULL << 60, "1.0 EiB" },
		{ UINT64_MAX, "16.0 EiB" },
	};
	char buf[FORMAT_BUF_SIZE];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EXPECT_STREQ(cases[i].text, format_size(buf, sizeof(buf), cases[i].bytes))
			TH_LOG("bytes %llu", (unsigned long long)cases[i].bytes);
	}
}

TEST(percent)
{
	char buf[FORMAT_BUF_SIZE];

	EXPECT_STREQ("12.5%", format_percent(buf, sizeof(buf), 1, 8));
	EXPECT_STREQ("0.0%", format_percent(buf, sizeof(buf), 0, 8));
	EXPECT_STREQ("100.0%", format_percent(buf, sizeof(buf), 3, 3));
	EXPECT_STREQ("33.3%", format_percent(buf, sizeof(buf), 1, 3));
	EXPECT_STREQ("66.7%", format_percent(buf, sizeof(buf), 2, 3));
	EXPECT_STREQ("-", format_percent(buf, sizeof(buf), 5, 0));
	EXPECT_STREQ("100.0%", format_percent(buf, sizeof(buf), UINT64_MAX, UINT64_MAX));
}

TEST(count)
{
	char buf[FORMAT_BUF_SIZE];

	EXPECT_STREQ("0", format_count(buf, sizeof(buf), 0));
	EXPECT_STREQ("999", format_count(buf, sizeof(buf), 999));
	EXPECT_STREQ("1,000", format_count(buf, sizeof(buf), 1000));
	EXPECT_STREQ("123,456", format_count(buf, sizeof(buf), 123456));
	EXPECT_STREQ("1,234,567", format_count(buf, sizeof(buf), 1234567));
	EXPECT_STREQ("18,446,744,073,709,551,615", format_count(buf, sizeof(buf), UINT64_MAX));
}

TEST(count_truncates)
{
	char buf[8] = "xxxxxxx";

	EXPECT_STREQ("1,2", format_count(buf, 4, 1234567));
	EXPECT_EQ('x', buf[4]);
}

TEST_HARNESS_MAIN
