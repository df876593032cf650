// SPDX-License-Identifier: GPL-2.0-or-later
/* Human readable output helpers: sizes, percentages, counts. */
#include <stdio.h>

#include "format.h"

char *format_size(char *buf, size_t len, uint64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned int unit = 0;
	double value;

	if (bytes < 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
		return buf;
	}

	/* Move up while the value would print as "1024.0" or more. */
	value = (double)bytes / 1024.0;
	while (value >= 1023.95 && unit + 1 < sizeof(units) / sizeof(units[0])) {
		value /= 1024.0;
		unit++;
	}

	snprintf(buf, len, "%.1f %s", value, units[unit]);
	return buf;
}

char *format_percent(char *buf, size_t len, uint64_t part, uint64_t whole)
{
	if (!whole)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f%%", 100.0 * (double)part / (double)whole);
	return buf;
}

char *format_count(char *buf, size_t len, uint64_t n)
{
	char digits[FORMAT_BUF_SIZE];
	size_t ndigits, i, o = 0;

	ndigits = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)n);
	for (i = 0; i < ndigits && o + 1 < len; i++) {
		if (i && (ndigits - i) % 3 == 0) {
			buf[o++] = ',';
			if (o + 1 >= len)
				break;
		}
		buf[o++] = digits[i];
	}
	if (len)
		buf[o] = '\0';
	return buf;
}
