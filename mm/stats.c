// SPDX-License-Identifier: MIT
/*
 * mm/stats.c - every layer's statistics in one report, as /proc text or
 * JSON, on demand or when the process receives KMEM_STATS_SIGNAL.
 *
 * The JSON form is converted from the text form rather than assembled from
 * each layer's internals: the text is the kernel's stable /proc formats,
 * so the two forms cannot disagree, and a layer that adds a meminfo line
 * gets it in JSON too.  The text goes to a memfd first; the conversion
 * reads it back with no allocator lock held.
 *
 * The signal handler does nothing but write a byte to a pipe: the report
 * takes allocator locks and allocates (stdio buffers), neither of which is
 * allowed in a handler that may interrupt the allocator itself.  A dumper
 * thread, started when the handler is installed, reads the pipe and writes
 * the report to /tmp/kmem-stats.<pid> (replaced atomically, so a reader
 * such as tools/kmemtop never sees half a report).  The thread blocks
 * every signal, so the program's signals keep going to its own threads.
 *
 * In a child of fork() the dumper thread is gone; the child handler starts
 * a new one.  pthread_create() allocates (the thread's TLS vector), so that
 * handler must run after every layer has released its locks in the child:
 * child handlers run in the order of registration, and ours is registered
 * after forcing every layer to initialise (and register its own).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <kmem/slab.h>
#include <kmem/stats.h>
#include <kmem/version.h>

#include "lib/core.h"
#include "lib/stats_signal.h"
#include "mm/internal.h"

static int print_text(FILE *out)
{
	/*
	 * The title goes first: a stream allocates its buffer on its first
	 * write, which must not happen under the locks the reports take (under
	 * the malloc shim, that allocation is kmem's own).
	 */
	fprintf(out, "kmem statistics of pid %d\n", (int)getpid());
	kmem_slabinfo(out);
	kmem_buddyinfo(out);
	kmem_meminfo(out);
	return fflush(out) || ferror(out) ? -1 : 0;
}

/* ---- the JSON form ---------------------------------------------------- */

static void json_string(FILE *out, const char *s, size_t len)
{
	fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* The columns of a slabinfo 2.1 line, around " : tunables ". */
static const char *const slabinfo_head[] = {"active_objs", "num_objs", "objsize", "objperslab",
					    "pagesperslab"};
static const char *const slabinfo_tail[] = {"limit",	    "batchcount", "sharedfactor",
					    "active_slabs", "num_slabs",  "sharedavail"};

#define MAX_TOKENS 64

/* Split @line in place at whitespace; returns the number of tokens. */
static int split(char *line, char *tok[MAX_TOKENS])
{
	int n = 0;

	for (char *save = NULL, *t = strtok_r(line, " \t\n", &save); t && n < MAX_TOKENS;
	     t = strtok_r(NULL, " \t\n", &save))
		tok[n++] = t;
	return n;
}

/*
 * One cache line of slabinfo as a JSON object; false when @line is not a
 * cache line.  A cache name may hold spaces, so the five columns before
 * " : tunables " are counted back from it.
 */
static bool json_slabinfo_row(FILE *out, char *line, bool first)
{
	const int nr_head = (int)ARRAY_SIZE(slabinfo_head);
	char *tunables = strstr(line, " : tunables "), *tok[MAX_TOKENS];
	unsigned long tail[ARRAY_SIZE(slabinfo_tail)];
	int n, name_tokens;
	size_t name_len;

	if (!tunables ||
	    sscanf(tunables, " : tunables %lu %lu %lu : slabdata %lu %lu %lu", &tail[0], &tail[1],
		   &tail[2], &tail[3], &tail[4], &tail[5]) != 6)
		return false;
	*tunables = '\0';
	n = split(line, tok);
	name_tokens = n - nr_head;
	if (name_tokens < 1)
		return false;
	for (int i = name_tokens; i < n; i++)
		if (!isdigit((unsigned char)tok[i][0]))
			return false;
	/* The name's tokens are still one string, with NULs for its spaces. */
	name_len = (size_t)(tok[name_tokens - 1] - tok[0]) + strlen(tok[name_tokens - 1]);
	for (char *c = tok[0]; c < tok[0] + name_len; c++)
		if (!*c)
			*c = ' ';
	fprintf(out, "%s\n    {\"name\": ", first ? "" : ",");
	json_string(out, tok[0], name_len);
	for (int i = 0; i < nr_head; i++)
		fprintf(out, ", \"%s\": %s", slabinfo_head[i], tok[name_tokens + i]);
	for (size_t i = 0; i < ARRAY_SIZE(slabinfo_tail); i++)
		fprintf(out, ", \"%s\": %lu", slabinfo_tail[i], tail[i]);
	fputc('}', out);
	return true;
}

/* "Node 0, zone   Normal  c0 c1 ..." as a JSON object. */
static void json_buddyinfo_row(FILE *out, char *line, bool first)
{
	char *tok[MAX_TOKENS];
	int n = split(line, tok);

	if (n < 4)
		return;
	fprintf(out, "%s\n    {\"node\": %ld, \"zone\": ", first ? "" : ",",
		strtol(tok[1], NULL, 10));
	json_string(out, tok[3], strlen(tok[3]));
	fprintf(out, ", \"free\": [");
	for (int i = 4; i < n; i++)
		fprintf(out, "%s%s", i > 4 ? ", " : "", tok[i]);
	fprintf(out, "]}");
}

/*
 * "Key:   value [kB]": the value in bytes (or the count), keyed as in the
 * text; false when @line is not such a line.
 */
static bool json_meminfo_row(FILE *out, const char *line, bool first)
{
	unsigned long long value;
	char key[64], unit[8] = "";

	if (sscanf(line, "%63[A-Za-z0-9_()]: %llu %7s", key, &value, unit) < 2)
		return false;
	if (!strcmp(unit, "kB"))
		value <<= 10;
	fprintf(out, "%s\n    ", first ? "" : ",");
	json_string(out, key, strlen(key));
	fprintf(out, ": %llu", value);
	return true;
}

enum section { BEFORE, SLABINFO, BUDDYINFO, MEMINFO };

static const char *const section_open[] = {
	[SLABINFO] = ",\n  \"slabinfo\": [",
	[BUDDYINFO] = ",\n  \"buddyinfo\": [",
	[MEMINFO] = ",\n  \"meminfo\": {",
};
static const char *const section_close[] = {
	[SLABINFO] = "\n  ]",
	[BUDDYINFO] = "\n  ]",
	[MEMINFO] = "\n  }",
};

/*
 * Convert the text form read from @text (print_text(): a title line, then
 * slabinfo, buddyinfo and meminfo in that order) to JSON.
 */
static void text_to_json(FILE *text, FILE *out)
{
	enum section at = BEFORE;
	bool first = true;
	size_t cap = 0;
	char *line = NULL;

	fprintf(out, "{\n  \"kmem_version\": \"%s\",\n  \"pid\": %d", kmem_version(),
		(int)getpid());
	while (getline(&line, &cap, text) > 0) {
		enum section next = at;

		if (!strncmp(line, "slabinfo - version:", 19))
			next = SLABINFO;
		else if (!strncmp(line, "Node ", 5))
			next = BUDDYINFO;
		else if (at == BUDDYINFO)
			next = MEMINFO;
		if (next != at) {
			if (at != BEFORE)
				fputs(section_close[at], out);
			fputs(section_open[next], out);
			at = next;
			first = true;
		}
		switch (at) {
		case BEFORE:
			break;
		case SLABINFO:
			if (json_slabinfo_row(out, line, first))
				first = false;
			break;
		case BUDDYINFO:
			json_buddyinfo_row(out, line, first);
			first = false;
			break;
		case MEMINFO:
			if (json_meminfo_row(out, line, first))
				first = false;
			break;
		}
	}
	if (at != BEFORE)
		fputs(section_close[at], out);
	fputs("\n}\n", out);
	free(line);
}

static int print_json(FILE *out)
{
	int fd = memfd_create("kmem-stats", MFD_CLOEXEC);
	FILE *text = fd >= 0 ? fdopen(fd, "w+") : NULL;
	int ret;

	if (!text) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	ret = print_text(text);
	if (!ret) {
		rewind(text);
		text_to_json(text, out);
		ret = fflush(out) || ferror(out) ? -1 : 0;
	}
	fclose(text);
	return ret;
}

int kmem_stats_print(FILE *out, enum kmem_stats_format format)
{
	switch (format) {
	case KMEM_STATS_TEXT:
		return print_text(out);
	case KMEM_STATS_JSON:
		return print_json(out);
	}
	errno = EINVAL;
	return -1;
}

int kmem_stats_write(const char *path, enum kmem_stats_format format)
{
	char tmp[4096];
	FILE *out;
	int fd, saved;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -1;
	out = fdopen(fd, "w");
	if (!out) {
		saved = errno;
		close(fd);
		goto fail;
	}
	if (kmem_stats_print(out, format)) {
		saved = errno;
		fclose(out);
		goto fail;
	}
	if (fclose(out) || rename(tmp, path)) {
		saved = errno;
		goto fail;
	}
	return 0;
fail:
	unlink(tmp);
	errno = saved;
	return -1;
}

enum kmem_stats_format kmem_stats_env_format(void)
{
	const char *s = getenv("KMEM_STATS_FORMAT");

	if (!s || !*s || !strcmp(s, "text"))
		return KMEM_STATS_TEXT;
	if (!strcmp(s, "json"))
		return KMEM_STATS_JSON;
	kmem_warn("kmem: ignoring KMEM_STATS_FORMAT=\"%s\": expected text or json", s);
	return KMEM_STATS_TEXT;
}

/* ---- KMEM_STATS_SIGNAL ------------------------------------------------ */

static int dump_pipe[2] = {-1, -1};

static void request_dump(int sig)
{
	int saved = errno;
	char byte = 0;
	/* A full pipe already holds a request: dropping this one is right. */
	ssize_t ignored = write(dump_pipe[1], &byte, 1);

	(void)sig;
	(void)ignored;
	errno = saved;
}

static void dump_now(void)
{
	enum kmem_stats_format format = kmem_stats_env_format();
	char path[64];

	snprintf(path, sizeof(path), KMEM_STATS_REPORT_PATH, (int)getpid());
	if (kmem_stats_write(path, KMEM_STATS_TEXT))
		kmem_warn("kmem: cannot write the statistics to %s: %s", path, strerror(errno));
	if (format != KMEM_STATS_JSON)
		return;
	strcat(path, ".json");
	if (kmem_stats_write(path, KMEM_STATS_JSON))
		kmem_warn("kmem: cannot write the statistics to %s: %s", path, strerror(errno));
}

static void *dumper(void *arg)
{
	char requests[64];

	(void)arg;
	for (;;) {
		/* Requests that arrived during a dump are served by one more. */
		ssize_t n = read(dump_pipe[0], requests, sizeof(requests));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;
		dump_now();
	}
}

/* A fresh pipe and dumper thread; the thread inherits a full signal mask. */
static int start_dumper(void)
{
	sigset_t all, old;
	pthread_t thread;
	int err;

	if (pipe2(dump_pipe, O_CLOEXEC))
		return -1;
	if (fcntl(dump_pipe[1], F_SETFL, O_NONBLOCK))
		goto fail;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&thread, NULL, dumper, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		errno = err;
		goto fail;
	}
	pthread_setname_np(thread, "kmem-stats");
	pthread_detach(thread);
	return 0;
fail:
	err = errno;
	close(dump_pipe[0]);
	close(dump_pipe[1]);
	errno = err;
	return -1;
}

/* The parent's dumper thread does not exist here, and its pipe is shared. */
static void restart_dumper_in_child(void)
{
	close(dump_pipe[0]);
	close(dump_pipe[1]);
	if (start_dumper())
		kmem_warn("kmem: KMEM_STATS_SIGNAL: no statistics thread in the child: %s",
			  strerror(errno));
}

__attribute__((constructor)) static void stats_signal_init(void)
{
	const char *s = getenv("KMEM_STATS_SIGNAL");
	struct sigaction sa = {.sa_handler = request_dump, .sa_flags = SA_RESTART};
	FILE *null;
	int sig;

	if (!s || !*s || !strcmp(s, "0"))
		return;
	sig = kmem_parse_signal(s);
	if (!sig || sig == SIGKILL || sig == SIGSTOP) {
		kmem_warn("kmem: ignoring KMEM_STATS_SIGNAL=\"%s\": expected a signal such as "
			  "SIGUSR2",
			  s);
		return;
	}
	/* Every layer registers its fork handlers now, before ours (see the top). */
	null = fopen("/dev/null", "w");
	if (null) {
		print_text(null);
		fclose(null);
	}
	if (start_dumper()) {
		kmem_warn("kmem: KMEM_STATS_SIGNAL: cannot start the statistics thread: %s",
			  strerror(errno));
		return;
	}
	pthread_atfork(NULL, NULL, restart_dumper_in_child);
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}
