// SPDX-License-Identifier: MIT
/*
 * tools/kmemtop.c - slabtop for a process running on kmem.
 *
 *   kmemtop [--once] [-d SECONDS] [-s SIGNAL] PID
 *
 * The process must have been started with KMEM_STATS_SIGNAL set (the
 * library or the malloc shim then writes its statistics to
 * /tmp/kmem-stats.<pid> when it receives that signal; see
 * Documentation/statistics.rst).  kmemtop reads the signal from the
 * process's environment (or from -s), removes the old report, sends the
 * signal, waits for the new report and removes it once it is open, every
 * SECONDS (default 3) until the process exits, or once with --once.
 *
 * It shows one summary line per layer (slab from the slabinfo totals, the
 * others from the meminfo lines named after them) and the caches sorted by
 * the memory their slabs hold, with active and total objects.  A process
 * without KMEM_STATS_SIGNAL is refused: the signal's default action would
 * most likely kill it.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/stats_signal.h"

#define REPORT_TIMEOUT_MS 5000
#define PAGE_BYTES 4096UL

struct cache_row {
	char name[64];
	unsigned long active_objs, num_objs, objsize, objperslab, pagesperslab, num_slabs;
};

struct report {
	struct cache_row *caches;
	size_t nr_caches;
	char page[512], kmalloc[512], vmalloc[512], other[512]; /* meminfo, by layer */
};

static void usage(FILE *out, const char *argv0)
{
	fprintf(out,
		"usage: %s [--once] [-d SECONDS] [-s SIGNAL] PID\n"
		"  slabtop for a process running on kmem: caches sorted by the memory\n"
		"  their slabs hold, and one summary line per layer.  PID must run with\n"
		"  KMEM_STATS_SIGNAL set (e.g. KMEM_STATS_SIGNAL=SIGUSR2); -s names the\n"
		"  signal when its environment cannot be read.\n"
		"  --once      print one report and exit\n"
		"  -d SECONDS  refresh interval (default 3)\n",
		argv0);
}

/* KMEM_STATS_SIGNAL from /proc/PID/environ, or 0. */
static int signal_from_environ(int pid)
{
	char path[64], buf[1 << 16];
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/environ", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
		if (!strncmp(buf + i, "KMEM_STATS_SIGNAL=", 18))
			return kmem_parse_signal(buf + i + 18);
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Ask @pid for a report and open it; NULL after a message. */
static FILE *fetch_report(int pid, int sig)
{
	char path[64];

	snprintf(path, sizeof(path), KMEM_STATS_REPORT_PATH, pid);
	if (unlink(path) && errno != ENOENT) {
		fprintf(stderr, "kmemtop: cannot remove the old report %s: %s\n", path,
			strerror(errno));
		return NULL;
	}
	if (kill(pid, sig)) {
		fprintf(stderr, "kmemtop: pid %d: %s\n", pid, strerror(errno));
		return NULL;
	}
	for (long waited = 0; waited < REPORT_TIMEOUT_MS; waited += 10) {
		FILE *f = fopen(path, "r");

		/* The report was asked for by us: read it from the open file, leave none. */
		if (f) {
			unlink(path);
			return f;
		}
		sleep_ms(10);
	}
	fprintf(stderr, "kmemtop: pid %d wrote no report to %s within %d ms\n", pid, path,
		REPORT_TIMEOUT_MS);
	return NULL;
}

static bool parse_cache(char *line, struct cache_row *c)
{
	char *tunables = strstr(line, " : tunables "), *slabdata = strstr(line, " : slabdata ");
	char *p = tunables;
	unsigned long cols[5];

	if (!tunables || !slabdata || sscanf(slabdata, " : slabdata %*u %lu", &c->num_slabs) != 1)
		return false;
	/* The five numbers before " : tunables ", read backwards; the name is the rest. */
	for (int i = 4; i >= 0; i--) {
		while (p > line && p[-1] == ' ')
			p--;
		while (p > line && p[-1] != ' ')
			p--;
		if (sscanf(p, "%lu", &cols[i]) != 1)
			return false;
	}
	while (p > line && p[-1] == ' ')
		p--;
	if (p == line)
		return false;
	snprintf(c->name, sizeof(c->name), "%.*s", (int)(p - line), line);
	c->active_objs = cols[0];
	c->num_objs = cols[1];
	c->objsize = cols[2];
	c->objperslab = cols[3];
	c->pagesperslab = cols[4];
	return true;
}

/* Append "Key value" of a meminfo line to the summary of its layer. */
static void add_meminfo(struct report *r, const char *line)
{
	char key[64], unit[8] = "";
	unsigned long long value;
	char *layer, item[96];

	if (sscanf(line, "%63[A-Za-z0-9_()]: %llu %7s", key, &value, unit) < 2)
		return;
	if (!strncmp(key, "Kmalloc", 7))
		layer = r->kmalloc;
	else if (!strncmp(key, "Vmalloc", 7))
		layer = r->vmalloc;
	else if (!strncmp(key, "Mem", 3) || !strncmp(key, "Page", 4) || !strncmp(key, "Region", 6))
		layer = r->page;
	else
		layer = r->other;
	snprintf(item, sizeof(item), "%s%s %llu%s", layer[0] ? "  " : "", key, value,
		 strcmp(unit, "kB") ? "" : "K");
	strncat(layer, item, 511 - strlen(layer));
}

static bool read_report(FILE *f, struct report *r)
{
	enum { TITLE, SLABINFO, BUDDYINFO, MEMINFO } at = TITLE;
	size_t cap = 0;
	char line[1024];

	memset(r, 0, sizeof(*r));
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "slabinfo - version:", 19))
			at = SLABINFO;
		else if (!strncmp(line, "Node ", 5))
			at = BUDDYINFO;
		else if (at == BUDDYINFO)
			at = MEMINFO;
		if (at == SLABINFO) {
			struct cache_row c;

			if (!parse_cache(line, &c))
				continue;
			if (r->nr_caches == cap) {
				cap = cap ? 2 * cap : 64;
				r->caches = realloc(r->caches, cap * sizeof(*r->caches));
				if (!r->caches)
					return false;
			}
			r->caches[r->nr_caches++] = c;
		} else if (at == MEMINFO) {
			add_meminfo(r, line);
		}
	}
	return at == MEMINFO;
}

static unsigned long cache_bytes(const struct cache_row *c)
{
	return c->num_slabs * c->pagesperslab * PAGE_BYTES;
}

static int by_size_then_name(const void *a, const void *b)
{
	const struct cache_row *x = a, *y = b;
	unsigned long sx = cache_bytes(x), sy = cache_bytes(y);

	if (sx != sy)
		return sx < sy ? 1 : -1;
	return strcmp(x->name, y->name);
}

static void show(int pid, struct report *r)
{
	unsigned long active = 0, total = 0, slabs = 0, bytes = 0;

	qsort(r->caches, r->nr_caches, sizeof(*r->caches), by_size_then_name);
	for (size_t i = 0; i < r->nr_caches; i++) {
		active += r->caches[i].active_objs;
		total += r->caches[i].num_objs;
		slabs += r->caches[i].num_slabs;
		bytes += cache_bytes(&r->caches[i]);
	}
	printf("kmemtop: pid %d\n", pid);
	printf("slab:     %zu caches  %lu / %lu objects active (%.1f%%)  %lu slabs  %luK\n",
	       r->nr_caches, active, total, total ? 100.0 * (double)active / (double)total : 0.0,
	       slabs, bytes >> 10);
	printf("page:     %s\n", r->page);
	printf("kmalloc:  %s\n", r->kmalloc);
	printf("vmalloc:  %s\n", r->vmalloc);
	if (r->other[0])
		printf("other:    %s\n", r->other);
	printf("\n%9s %9s %4s %8s %6s %8s %10s %s\n", "OBJS", "ACTIVE", "USE", "OBJ SIZE", "SLABS",
	       "OBJ/SLAB", "CACHE SIZE", "NAME");
	for (size_t i = 0; i < r->nr_caches; i++) {
		const struct cache_row *c = &r->caches[i];

		printf("%9lu %9lu %3lu%% %7.2fK %6lu %8lu %9luK %s\n", c->num_objs, c->active_objs,
		       c->num_objs ? 100 * c->active_objs / c->num_objs : 0,
		       (double)c->objsize / 1024.0, c->num_slabs, c->objperslab,
		       cache_bytes(c) >> 10, c->name);
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	bool once = false, clear = isatty(STDOUT_FILENO);
	long delay_ms = 3000;
	int sig = 0, pid, i;
	char *end;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout, argv[0]);
			return 0;
		} else if (!strcmp(argv[i], "--once")) {
			once = true;
		} else if (!strcmp(argv[i], "-d") && i + 1 < argc) {
			double seconds = strtod(argv[++i], &end);

			if (*end || seconds <= 0) {
				fprintf(stderr, "kmemtop: bad interval '%s'\n", argv[i]);
				return 2;
			}
			delay_ms = (long)(seconds * 1000);
		} else if (!strcmp(argv[i], "-s") && i + 1 < argc) {
			sig = kmem_parse_signal(argv[++i]);
			if (!sig) {
				fprintf(stderr, "kmemtop: unknown signal '%s'\n", argv[i]);
				return 2;
			}
		} else {
			usage(stderr, argv[0]);
			return 2;
		}
	}
	if (i != argc - 1 || (pid = (int)strtol(argv[i], &end, 10)) <= 0 || *end) {
		usage(stderr, argv[0]);
		return 2;
	}
	if (!sig)
		sig = signal_from_environ(pid);
	if (!sig) {
		fprintf(stderr,
			"kmemtop: pid %d does not run with KMEM_STATS_SIGNAL set (or its "
			"environment is not readable; then name the signal with -s)\n",
			pid);
		return 1;
	}
	for (;;) {
		FILE *f = fetch_report(pid, sig);
		struct report r;
		bool ok;

		if (!f)
			return 1;
		ok = read_report(f, &r);
		fclose(f);
		if (!ok) {
			fprintf(stderr, "kmemtop: pid %d: the report is not complete\n", pid);
			free(r.caches);
			return 1;
		}
		if (clear && !once)
			fputs("\033[H\033[2J", stdout);
		show(pid, &r);
		free(r.caches);
		if (once)
			return 0;
		sleep_ms(delay_ms);
		if (kill(pid, 0)) {
			printf("kmemtop: pid %d has exited\n", pid);
			return 0;
		}
	}
}
