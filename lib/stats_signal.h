/* SPDX-License-Identifier: MIT */
/*
 * lib/stats_signal.h - what the library (mm/stats.c) and tools/kmemtop.c
 * must agree on for KMEM_STATS_SIGNAL: how a signal is named, and where the
 * report goes.
 */
#ifndef KMEM_LIB_STATS_SIGNAL_H
#define KMEM_LIB_STATS_SIGNAL_H

#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* "SIGUSR2", "USR2" or a number; 0 when @s names no signal. */
static inline int kmem_parse_signal(const char *s)
{
	char *end;
	long n;

	if (!strncmp(s, "SIG", 3))
		s += 3;
	n = strtol(s, &end, 10);
	if (end != s && !*end)
		return n > 0 && n < NSIG ? (int)n : 0;
	for (int sig = 1; sig < NSIG; sig++) {
		const char *abbrev = sigabbrev_np(sig);

		if (abbrev && !strcmp(abbrev, s))
			return sig;
	}
	return 0;
}

/* The report of process <pid>, replaced whole on every signal. */
#define KMEM_STATS_REPORT_PATH "/tmp/kmem-stats.%d"

#endif /* KMEM_LIB_STATS_SIGNAL_H */
