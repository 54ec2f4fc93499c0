// SPDX-License-Identifier: MIT
/*
 * tools/kheap-replay.c - replay allocation traces under every fit policy
 * and measure fragmentation.
 *
 *   kheap-replay [-p PLOT.svg] [-d DATADIR] TRACE...
 *   kheap-replay --help
 *
 * TRACE is in the format of tools/kheap-tracegen.c ("a ID SIZE" /
 * "f ID" lines, '#' comments), which the malloc shim also writes for a
 * running program (KMEM_TRACE=path).  Blocks still live at the end of a
 * trace are freed after it.  For each trace and each policy the trace is
 * replayed twice into a fresh kheap on kmem's pages, whose footprint is
 * the bytes of its segments (buddy blocks of 128 KiB, larger for large
 * requests; empty ones go back to the page allocator but one is kept):
 *
 *   1. instrumented: after every operation the footprint and live bytes are
 *      read, and at the peak of live bytes the internal waste (payload
 *      bytes beyond what was requested) and metadata bytes (chunk headers,
 *      segment headers and the control block) are recorded;
 *   2. timed, with nothing but kheap_alloc/kheap_free: ns per operation
 *      (after pass 1, so the page allocator already holds the memory).
 *
 * It prints one table per trace.  With -p it writes, per trace, the
 * footprint over time of every policy to DATADIR (default: the plot's
 * directory) and draws them with gnuplot into PLOT (SVG), one panel per
 * trace.
 */
#include <errno.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <kmem/kmem.h>

#define NR_FITS 5
#define PLOT_POINTS 400

struct op {
	unsigned int id;
	size_t size; /* 0: free */
};

struct trace {
	const char *path;
	struct op *ops;
	size_t nr_ops;
	unsigned int max_id;
	size_t peak_live; /* bytes requested, at most, at once */
};

struct result {
	double ns_per_op;
	size_t peak_footprint;
	size_t waste_at_peak;
	size_t metadata_at_peak;
	size_t failed;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "kheap-replay: %s: %s\n", path, what);
	exit(1);
}

static void load_trace(struct trace *t, const char *path)
{
	FILE *in = fopen(path, "r");
	char line[256];
	size_t cap = 0, live = 0, lineno = 0;
	size_t *sizes = NULL, size_cap = 0;

	if (!in)
		die(strerror(errno), path);
	memset(t, 0, sizeof(*t));
	t->path = path;
	while (fgets(line, sizeof(line), in)) {
		struct op op = {0};
		char kind;

		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%c %u %zu", &kind, &op.id, &op.size) < 2 ||
		    (kind == 'a' && !op.size) || (kind != 'a' && kind != 'f')) {
			fprintf(stderr, "kheap-replay: %s:%zu: bad line\n", path, lineno);
			exit(1);
		}
		if (kind == 'f')
			op.size = 0;
		if (op.id >= size_cap) {
			size_t n = size_cap ? size_cap : 1024;

			while (n <= op.id)
				n *= 2;
			sizes = realloc(sizes, n * sizeof(*sizes));
			if (!sizes)
				die("out of memory", path);
			memset(sizes + size_cap, 0, (n - size_cap) * sizeof(*sizes));
			size_cap = n;
		}
		if ((kind == 'a') == (sizes[op.id] != 0)) {
			fprintf(stderr, "kheap-replay: %s:%zu: id %u is %s\n", path, lineno, op.id,
				kind == 'a' ? "already live" : "not live");
			exit(1);
		}
		if (kind == 'a')
			live += op.size;
		else
			live -= sizes[op.id];
		sizes[op.id] = op.size;
		if (live > t->peak_live)
			t->peak_live = live;
		if (op.id > t->max_id)
			t->max_id = op.id;
		if (t->nr_ops == cap) {
			cap = cap ? 2 * cap : 4096;
			t->ops = realloc(t->ops, cap * sizeof(*t->ops));
			if (!t->ops)
				die("out of memory", path);
		}
		t->ops[t->nr_ops++] = op;
	}
	fclose(in);
	free(sizes);
}

static struct kheap *fresh_heap(enum kheap_fit fit)
{
	struct kheap *h = kheap_create(kheap_fit_name(fit), fit);

	if (!h)
		die("kheap_create failed", kheap_fit_name(fit));
	return h;
}

/*
 * Replay @t under @fit.  With @series, record (footprint, live) after
 * every operation, decimated to PLOT_POINTS rows.
 */
static void replay(const struct trace *t, enum kheap_fit fit, struct result *r, FILE *series)
{
	void **ptr = calloc(t->max_id + 1, sizeof(*ptr));
	size_t *req = calloc(t->max_id + 1, sizeof(*req));
	struct kheap *h = fresh_heap(fit);
	size_t live = 0, peak_live = 0, every = t->nr_ops / PLOT_POINTS + 1;
	struct kheap_stats st;
	uint64_t t0 = now_ns();

	for (size_t i = 0; i < t->nr_ops; i++) {
		const struct op *op = &t->ops[i];

		if (op->size) {
			ptr[op->id] = kheap_alloc(h, op->size, GFP_KERNEL | __GFP_NOWARN);
			r->failed += !ptr[op->id];
			req[op->id] = ptr[op->id] ? op->size : 0;
			live += req[op->id];
		} else {
			kheap_free(h, ptr[op->id]);
			live -= req[op->id];
			req[op->id] = 0;
		}
		if (!series)
			continue;
		if (live > peak_live) {
			peak_live = live;
			kheap_stats(h, &st);
			r->waste_at_peak = st.used_bytes - live;
			r->metadata_at_peak = st.metadata_bytes;
		}
		if (i % every == 0) {
			kheap_stats(h, &st);
			fprintf(series, "%zu %.1f %.1f\n", i, st.footprint / 1024.0, live / 1024.0);
		}
	}
	if (!series)
		r->ns_per_op = (double)(now_ns() - t0) / (double)t->nr_ops;
	kheap_stats(h, &st);
	if (series)
		r->peak_footprint = st.peak_footprint;
	/* A program's trace (KMEM_TRACE) ends with the blocks it never freed. */
	for (unsigned int id = 0; id <= t->max_id; id++)
		if (req[id])
			kheap_free(h, ptr[id]);
	kheap_destroy(h);
	free(ptr);
	free(req);
}

static void print_table(const struct trace *t, const struct result r[NR_FITS])
{
	printf("%s: %zu operations, peak live %.1f KiB\n", t->path, t->nr_ops,
	       t->peak_live / 1024.0);
	printf("  %-6s %14s %10s %16s %16s %9s\n", "fit", "peak footprint", "/ live",
	       "waste at peak", "metadata", "ns/op");
	for (int f = 0; f < NR_FITS; f++)
		printf("  %-6s %10.1f KiB %9.3fx %12.1f KiB %12.1f KiB %9.1f%s\n",
		       kheap_fit_name((enum kheap_fit)f), r[f].peak_footprint / 1024.0,
		       (double)r[f].peak_footprint / (double)t->peak_live,
		       r[f].waste_at_peak / 1024.0, r[f].metadata_at_peak / 1024.0, r[f].ns_per_op,
		       r[f].failed ? "  (some allocations failed)" : "");
	printf("\n");
}

static void write_plot_script(FILE *gp, const char *plot, const char *datadir, char **traces,
			      int nr_traces)
{
	fprintf(gp, "set terminal svg size 1000,%d dynamic font 'sans,11'\n", 320 * nr_traces);
	fprintf(gp, "set output '%s'\n", plot);
	fprintf(gp, "set multiplot layout %d,1\n", nr_traces);
	fprintf(gp, "set xlabel 'operation'\nset ylabel 'KiB'\nset key top left\n");
	for (int i = 0; i < nr_traces; i++) {
		char *copy = strdup(traces[i]);

		fprintf(gp, "set title 'footprint over time: %s'\nplot ", basename(copy));
		for (int f = 0; f < NR_FITS; f++)
			fprintf(gp, "'%s/replay-%d-%s.dat' using 1:2 with lines title '%s', ",
				datadir, i, kheap_fit_name((enum kheap_fit)f),
				kheap_fit_name((enum kheap_fit)f));
		fprintf(gp,
			"'%s/replay-%d-first.dat' using 1:3 with lines dt 2 lc 'black' title 'live "
			"bytes'\n",
			datadir, i);
		free(copy);
	}
	fprintf(gp, "unset multiplot\n");
}

static void usage(FILE *out, const char *argv0)
{
	fprintf(out,
		"usage: %s [-p PLOT.svg] [-d DATADIR] TRACE...\n"
		"  Replay each allocation trace (\"a ID SIZE\" / \"f ID\" lines, as written by\n"
		"  kheap-tracegen or by a program run with KMEM_TRACE=path on the malloc shim)\n"
		"  under every fit policy of the kmem heap, and print per trace and policy the\n"
		"  peak footprint against the peak of live bytes, the internal waste and the\n"
		"  metadata at that peak, and ns per operation.\n"
		"  -p PLOT.svg  also plot the footprint over time with gnuplot\n"
		"  -d DATADIR   where the plot's data files go (default: the plot's directory)\n",
		argv0);
}

int main(int argc, char **argv)
{
	const char *plot = NULL, *datadir = NULL;
	int first_trace = 1;

	/* Keep freed regions mapped so the timed pass measures the heap, not mmap. */
	setenv("KMEM_PAGE_RETAIN", "1G", 0);

	for (; first_trace < argc && argv[first_trace][0] == '-'; first_trace++) {
		const char *opt = argv[first_trace];

		if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
			usage(stdout, argv[0]);
			return 0;
		}
		if (!strcmp(opt, "--")) {
			first_trace++;
			break;
		}
		if ((strcmp(opt, "-p") && strcmp(opt, "-d")) || first_trace + 1 == argc) {
			usage(stderr, argv[0]);
			return 2;
		}
		*(opt[1] == 'p' ? &plot : &datadir) = argv[++first_trace];
	}
	if (first_trace >= argc) {
		usage(stderr, argv[0]);
		return 2;
	}
	if (plot && !datadir) {
		char *copy = strdup(plot);

		datadir = strdup(dirname(copy));
		free(copy);
	}
	for (int i = first_trace; i < argc; i++) {
		struct trace t;
		struct result r[NR_FITS] = {0};

		load_trace(&t, argv[i]);
		for (int f = 0; f < NR_FITS; f++) {
			char path[4096];
			FILE *series;

			snprintf(path, sizeof(path), "%s/replay-%d-%s.dat",
				 datadir ? datadir : "/tmp", i - first_trace,
				 kheap_fit_name((enum kheap_fit)f));
			series = fopen(datadir ? path : "/dev/null", "w");
			if (!series)
				die(strerror(errno), path);
			replay(&t, (enum kheap_fit)f, &r[f], series);
			replay(&t, (enum kheap_fit)f, &r[f], NULL);
			fclose(series);
		}
		print_table(&t, r);
		free(t.ops);
	}
	if (plot) {
		char script[4096];
		FILE *gp;

		snprintf(script, sizeof(script), "%s/replay.gp", datadir);
		gp = fopen(script, "w");
		if (!gp)
			die(strerror(errno), script);
		write_plot_script(gp, plot, datadir, argv + first_trace, argc - first_trace);
		fclose(gp);
		snprintf(script, sizeof(script), "gnuplot '%s/replay.gp'", datadir);
		if (system(script))
			fprintf(stderr,
				"kheap-replay: gnuplot failed; the script is %s/replay.gp\n",
				datadir);
		else
			printf("plot written to %s\n", plot);
	}
	return 0;
}
