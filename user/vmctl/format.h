/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Human readable output helpers. */
#ifndef _VMCTL_FORMAT_H
#define _VMCTL_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* Large enough for every string the helpers below produce. */
#define FORMAT_BUF_SIZE 32

/*
 * Bytes in binary units with one decimal above 1 KiB: "512 B", "4.0 KiB",
 * "1.5 GiB", "16.0 EiB". Returns @buf.
 */
char *format_size(char *buf, size_t len, uint64_t bytes);

/*
 * @part / @whole as a percentage with one decimal: "12.5%". "-" when
 * @whole is zero. Returns @buf.
 */
char *format_percent(char *buf, size_t len, uint64_t part, uint64_t whole);

/* Count with thousands separators: "1,234,567". Returns @buf. */
char *format_count(char *buf, size_t len, uint64_t n);

#endif /* _VMCTL_FORMAT_H */
