// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vma_grow: a process that runs out of mappings the way runtimes do.
 *
 * It maps pages one at a time with alternating protections, so that no
 * two merge and every page is a VMA of its own, until mmap() fails with
 * ENOMEM at vm.max_map_count, and reports where that happened. It is
 * what `vmctl watch` is for: start it stopped (--stop), point
 * `vmctl watch PID` at it, then let it run (kill -CONT PID).
 *
 *   vma_grow [--stop] [--delay-us N]
 */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static long map_count(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	long n = 0;
	int c;

	if (!f)
		return -1;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "stop", no_argument, NULL, 's' },
		{ "delay-us", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	long pages = 0, delay_us = 0, count;
	void *last[64];
	int opt, stop = 0, err, i;

	while ((opt = getopt_long(argc, argv, "sd:", opts, NULL)) != -1) {
		if (opt == 's') {
			stop = 1;
		} else if (opt == 'd') {
			delay_us = atol(optarg);
		} else {
			fprintf(stderr, "usage: %s [--stop] [--delay-us N]\n", argv[0]);
			return 2;
		}
	}
	/* Allocate what the report needs now: later, malloc() fails too. */
	printf("vma_grow: pid %d starts at %ld VMAs\n", getpid(), map_count());
	fflush(stdout);
	if (stop)
		raise(SIGSTOP);

	for (;;) {
		int prot = pages & 1 ? PROT_READ : PROT_NONE;
		void *p = mmap(NULL, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			err = errno;
			break;
		}
		last[pages % 64] = p;
		pages++;
		if (delay_us)
			usleep(delay_us);
	}
	count = map_count();
	/* Room for the report, should it need any. */
	for (i = 0; i < 64 && i < pages; i++)
		munmap(last[i], 4096);
	if (count < 0)
		count = map_count() + i;
	printf("vma_grow: mmap failed (%s) after %ld one-page mappings, at %ld VMAs\n",
	       strerror(err), pages, count);
	return err == ENOMEM ? 0 : 1;
}
