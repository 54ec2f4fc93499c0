// SPDX-License-Identifier: MIT
/*
 * test/stats/test_stats.c - kmem_stats_print/kmem_stats_write, the
 * KMEM_STATS_SIGNAL dump of a running process, kmem_version() and
 * tools/kmemtop.  The process-level tests run test/stats/target_stats.c
 * (built next to this suite) as a child.
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test/helpers.h"
#include "test/run.h"

TestSuite(stats, .fini = kmem_test_check, .timeout = 60);

/* ---- a JSON syntax checker, enough to hold the JSON form to the grammar ---- */

static const char *json_value(const char *p);

static const char *json_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *json_string_end(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (; *p != '"'; p++) {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\' && !*++p)
			return NULL;
	}
	return p + 1;
}

static const char *json_members(const char *p, char close, bool keyed)
{
	p = json_ws(p);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (keyed) {
			p = json_string_end(json_ws(p));
			if (!p || *(p = json_ws(p)) != ':')
				return NULL;
			p++;
		}
		p = json_value(p);
		if (!p)
			return NULL;
		p = json_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *json_value(const char *p)
{
	char *end;

	p = json_ws(p);
	if (*p == '{')
		return json_members(p + 1, '}', true);
	if (*p == '[')
		return json_members(p + 1, ']', false);
	if (*p == '"')
		return json_string_end(p);
	if (!strncmp(p, "true", 4) || !strncmp(p, "null", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	if (*p != '-' && !isdigit((unsigned char)*p))
		return NULL;
	strtod(p, &end);
	return end;
}

static bool json_valid(const char *text)
{
	const char *end = json_value(text);

	return end && !*json_ws(end);
}

/* The number after "@key": at or after @from; -1 when missing. */
static long long json_number_after(const char *from, const char *key)
{
	char pattern[80];
	const char *p;

	snprintf(pattern, sizeof(pattern), "\"%s\": ", key);
	p = from ? strstr(from, pattern) : NULL;
	return p ? strtoll(p + strlen(pattern), NULL, 10) : -1;
}

static char *stats_as(enum kmem_stats_format format)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	cr_assert_eq(kmem_stats_print(f, format), 0);
	fclose(f);
	return buf;
}

Test(stats, json_checker_rejects_malformed_documents)
{
	cr_assert(json_valid("{\"a\": [1, 2.5, \"x\\\"\"], \"b\": {}}"));
	cr_assert_not(json_valid("{\"a\": [1, 2,]}"));
	cr_assert_not(json_valid("{\"a\" 1}"));
	cr_assert_not(json_valid("{\"a\": 1} x"));
}

Test(stats, text_form_has_the_three_proc_sections_in_order)
{
	struct kmem_cache *cache = kmem_cache_create("stats_text", 100, 0, 0, NULL);
	void *obj = kmem_cache_alloc(cache, GFP_KERNEL);
	char *text = stats_as(KMEM_STATS_TEXT);
	char *slab = strstr(text, "slabinfo - version: 2.1\n");
	char *buddy = strstr(text, "Node 0, zone   Normal");
	char *mem = strstr(text, "MemMapped:");

	cr_assert(strstr(text, "kmem statistics of pid ") == text, "%s", text);
	cr_assert(slab && buddy && mem && slab < buddy && buddy < mem, "%s", text);
	cr_assert(strstr(slab, "\nstats_text "), "the cache has its slabinfo line");
	free(text);
	kmem_cache_free(cache, obj);
	kmem_cache_destroy(cache);
}

Test(stats, json_form_is_valid_and_holds_the_text_numbers)
{
	struct kmem_cache *cache = kmem_cache_create("stats json \"quoted\"", 100, 0, 0, NULL);
	void *objs[50];
	struct kmem_cache_stats cs;
	struct kmem_page_stats ps;
	char *json, *row, version[64];

	for (int i = 0; i < 50; i++)
		objs[i] = kmem_cache_alloc(cache, GFP_KERNEL);
	kmem_cache_stats(cache, &cs);
	json = stats_as(KMEM_STATS_JSON);
	kmem_page_stats(&ps);

	cr_assert(json_valid(json), "not JSON:\n%s", json);
	snprintf(version, sizeof(version), "\"kmem_version\": \"%s\"", kmem_version());
	cr_assert(strstr(json, version), "%s", json);
	cr_assert_eq(json_number_after(json, "pid"), getpid());
	row = strstr(json, "{\"name\": \"stats json \\\"quoted\\\"\"");
	cr_assert(row, "the cache's name is escaped and its spaces kept:\n%s", json);
	cr_assert_eq(json_number_after(row, "num_objs"), (long long)cs.total_objs);
	cr_assert_eq(json_number_after(row, "objsize"), cs.slot_size);
	cr_assert_eq(json_number_after(row, "num_slabs"), (long long)cs.slabs);
	cr_assert(strstr(json, "\"zone\": \"Normal\", \"free\": ["));
	/* meminfo amounts are bytes: the text's kB times 1024. */
	cr_assert_eq(json_number_after(json, "MemMapped"),
		     (long long)(ps.mapped_bytes >> 10 << 10));
	cr_assert_eq(json_number_after(json, "Regions"), (long long)ps.regions);
	free(json);
	for (int i = 0; i < 50; i++)
		kmem_cache_free(cache, objs[i]);
	kmem_cache_destroy(cache);
}

Test(stats, unknown_format_is_refused_with_einval)
{
	FILE *null = fopen("/dev/null", "w");

	errno = 0;
	cr_assert_eq(kmem_stats_print(null, (enum kmem_stats_format)7), -1);
	cr_assert_eq(errno, EINVAL);
	fclose(null);
}

static unsigned int files_in(const char *dir)
{
	unsigned int n = 0;
	DIR *d = opendir(dir);

	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

Test(stats, write_replaces_the_file_whole_and_leaves_nothing_else)
{
	char dir[] = "/tmp/kmem-stats-test.XXXXXX", path[64], buf[64] = "";
	FILE *f;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/report", dir);
	f = fopen(path, "w");
	fputs("old report\n", f);
	fclose(f);
	cr_assert_eq(kmem_stats_write(path, KMEM_STATS_TEXT), 0);
	f = fopen(path, "r");
	cr_assert(fgets(buf, sizeof(buf), f));
	fclose(f);
	cr_assert(strstr(buf, "kmem statistics of pid"), "the file is the new report: %s", buf);
	cr_assert_eq(files_in(dir), 1, "no temporary file is left behind");
	unlink(path);
	rmdir(dir);
}

Test(stats, write_into_a_missing_directory_fails_with_errno)
{
	errno = 0;
	cr_assert_eq(kmem_stats_write("/nonexistent-kmem-dir/report", KMEM_STATS_JSON), -1);
	cr_assert_eq(errno, ENOENT);
}

Test(stats, version_at_run_time_is_the_compiled_version)
{
	char want[32];

	snprintf(want, sizeof(want), "%d.%d.%d", KMEM_VERSION_MAJOR, KMEM_VERSION_MINOR,
		 KMEM_VERSION_PATCH);
	cr_assert_str_eq(kmem_version(), want);
}

/* ---- a running process: KMEM_STATS_SIGNAL and kmemtop ------------------- */

static pid_t next_ready_pid(struct test_child *c)
{
	char line[64];

	cr_assert(fgets(line, sizeof(line), c->out), "the program printed nothing");
	cr_assert(!strncmp(line, "ready ", 6), "%s", line);
	return (pid_t)atoi(line + 6);
}

/* Start target_stats with @env; it has allocated once it says "ready". */
static void start(struct test_child *c, char *const argv[], const char *const env[])
{
	child_start(c, argv, env);
	next_ready_pid(c);
}

/* Send @sig and return the report the process writes, NULL after 10 s. */
static char *signal_for_report(pid_t pid, int sig, const char *suffix)
{
	char path[64], *buf = malloc(1 << 16);
	FILE *f = NULL;

	snprintf(path, sizeof(path), "/tmp/kmem-stats.%d%s", (int)pid, suffix);
	unlink(path);
	cr_assert_eq(kill(pid, sig), 0);
	for (int i = 0; i < 1000 && !(f = fopen(path, "r")); i++)
		usleep(10000);
	if (!f) {
		free(buf);
		return NULL;
	}
	buf[fread(buf, 1, (1 << 16) - 1, f)] = '\0';
	fclose(f);
	unlink(path);
	return buf;
}

/* The active_objs column of cache @name in a slabinfo text; -1 if absent. */
static long slabinfo_active_objs(const char *text, const char *name)
{
	for (const char *line = text; line;
	     line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		char first[64];
		long active;

		if (sscanf(line, "%63s %ld", first, &active) == 2 && !strcmp(first, name))
			return active;
	}
	return -1;
}

Test(stats_signal, signal_writes_the_report_of_the_running_process)
{
	char *argv[] = {BUILD_PATH("target_stats"), NULL};
	const char *env[] = {"KMEM_STATS_SIGNAL=SIGUSR2", NULL};
	struct test_child c;
	char *report;

	start(&c, argv, env);
	report = signal_for_report(c.pid, SIGUSR2, "");
	cr_assert(report, "no report in /tmp/kmem-stats.%d", (int)c.pid);
	cr_assert(strstr(report, "slabinfo - version: 2.1"), "%s", report);
	cr_assert_eq(slabinfo_active_objs(report, "target_objects"), 1000, "%s", report);
	cr_assert(strstr(report, "MemMapped:"), "%s", report);
	free(report);
	/* A second request gets a second report: the dumper thread keeps serving. */
	report = signal_for_report(c.pid, SIGUSR2, "");
	cr_assert(report);
	free(report);
	cr_assert_eq(child_finish(&c, NULL, 0), 0, "the process survives its signals");
}

Test(stats_signal, json_format_adds_a_json_report)
{
	char *argv[] = {BUILD_PATH("target_stats"), NULL};
	const char *env[] = {"KMEM_STATS_SIGNAL=12", "KMEM_STATS_FORMAT=json", NULL};
	char path[64], *report;
	struct test_child c;

	start(&c, argv, env);
	snprintf(path, sizeof(path), "/tmp/kmem-stats.%d", (int)c.pid);
	report = signal_for_report(c.pid, SIGUSR2, ".json");
	cr_assert(report, "no JSON report");
	cr_assert(json_valid(report), "%s", report);
	cr_assert_eq(json_number_after(strstr(report, "\"target_objects\""), "active_objs"), 1000);
	cr_assert_eq(access(path, R_OK), 0, "the text report is written as well");
	unlink(path);
	free(report);
	cr_assert_eq(child_finish(&c, NULL, 0), 0);
}

Test(stats_signal, forked_child_reports_its_own_statistics)
{
	char *argv[] = {BUILD_PATH("target_stats"), "--fork", NULL};
	const char *env[] = {"KMEM_STATS_SIGNAL=USR2", NULL};
	struct test_child c;
	char *report;
	pid_t child;

	child_start(&c, argv, env);
	/* Parent and child print "ready" in either order. */
	child = next_ready_pid(&c);
	if (child == c.pid)
		child = next_ready_pid(&c);
	cr_assert_neq(child, c.pid);
	report = signal_for_report(child, SIGUSR2, "");
	cr_assert(report, "the forked child wrote no report");
	cr_assert(strstr(report, "target_objects"));
	free(report);
	cr_assert_eq(child_finish(&c, NULL, 0), 0);
}

Test(stats_signal, unknown_signal_name_is_reported_and_ignored)
{
	char *argv[] = {BUILD_PATH("target_stats"), NULL};
	const char *env[] = {"KMEM_STATS_SIGNAL=SIGNOTHING", NULL};
	struct test_child c;
	char err[4096];

	start(&c, argv, env);
	cr_assert_eq(child_finish(&c, err, sizeof(err)), 0);
	cr_assert(strstr(err, "WARNING: kmem: ignoring KMEM_STATS_SIGNAL=\"SIGNOTHING\""), "%s",
		  err);
}

/* Run kmemtop with @args; its exit status, its output in @out. */
static int kmemtop(char *const args[], char *out, size_t size)
{
	char *argv[8] = {BUILD_PATH("tools/kmemtop")};

	for (int n = 0; args[n] && n < 6; n++)
		argv[n + 1] = args[n];
	return run_program(argv, NULL, out, size);
}

Test(kmemtop, once_shows_layers_and_caches_sorted_by_size)
{
	char *argv[] = {BUILD_PATH("target_stats"), NULL};
	const char *env[] = {"KMEM_STATS_SIGNAL=SIGUSR2", NULL};
	char pid[16], out[8192], report[64], *target, *smaller;
	struct test_child c;

	start(&c, argv, env);
	snprintf(pid, sizeof(pid), "%d", (int)c.pid);
	cr_assert_eq(kmemtop((char *[]){"--once", pid, NULL}, out, sizeof(out)), 0, "%s", out);
	for (const char *layer = "slab:\0page:\0kmalloc:\0vmalloc:\0"; *layer;
	     layer += strlen(layer) + 1) {
		char want[16];

		snprintf(want, sizeof(want), "\n%s ", layer);
		cr_assert(strstr(out, want), "no %s summary:\n%s", layer, out);
	}
	cr_assert(strstr(out, "MemMapped "), "%s", out);
	target = strstr(out, "     1000      1000 100%");
	cr_assert(target && strstr(target, "target_objects"), "active/total objects:\n%s", out);
	smaller = strstr(out, " kmem_cache\n");
	cr_assert(smaller && smaller > target, "sorted by cache size, largest first:\n%s", out);
	snprintf(report, sizeof(report), "/tmp/kmem-stats.%s", pid);
	cr_assert_neq(access(report, F_OK), 0, "kmemtop leaves no report behind");
	cr_assert_eq(child_finish(&c, NULL, 0), 0);
}

Test(kmemtop, refuses_a_process_without_the_signal)
{
	char *argv[] = {BUILD_PATH("target_stats"), NULL};
	char pid[16], out[4096];
	struct test_child c;

	start(&c, argv, NULL);
	snprintf(pid, sizeof(pid), "%d", (int)c.pid);
	cr_assert_eq(kmemtop((char *[]){"--once", pid, NULL}, out, sizeof(out)), 1);
	cr_assert(strstr(out, "does not run with KMEM_STATS_SIGNAL"), "%s", out);
	cr_assert_eq(child_finish(&c, NULL, 0), 0, "and does not signal it");
}

Test(kmemtop, usage_on_help_and_on_bad_arguments)
{
	char out[4096];

	cr_assert_eq(kmemtop((char *[]){"--help", NULL}, out, sizeof(out)), 0);
	cr_assert(strstr(out, "usage: "), "%s", out);
	cr_assert_eq(kmemtop((char *[]){NULL}, out, sizeof(out)), 2);
	cr_assert(strstr(out, "usage: "), "%s", out);
	cr_assert_eq(kmemtop((char *[]){"--once", "12x", NULL}, out, sizeof(out)), 2);
}
