// SPDX-License-Identifier: MIT
#include <dlfcn.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "peers.h"

extern void *__libc_malloc(size_t);
extern void __libc_free(void *);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

struct peer_lib {
	const char *name;
	const char *soname;
	const char *sym_malloc, *sym_free, *sym_realloc, *sym_memalign;
};

static const struct peer_lib libs[] = {
	{"jemalloc", "libjemalloc.so.2", "malloc", "free", "realloc", "memalign"},
	{"mimalloc", "libmimalloc.so.2", "mi_malloc", "mi_free", "mi_realloc", "mi_memalign"},
	{"tcmalloc", "libtcmalloc_minimal.so.4", "tc_malloc", "tc_free", "tc_realloc",
	 "tc_memalign"},
};

/*
 * jemalloc uses initial-exec TLS, which dlopen can only place in glibc's
 * optional static TLS reserve; the default reserve is too small, so the
 * benchmark re-executes itself once with a larger one.
 */
#define STATIC_TLS_TUNABLE "glibc.rtld.optional_static_tls=16384"

__attribute__((constructor)) static void reserve_static_tls(int argc, char **argv)
{
	const char *tunables = getenv("GLIBC_TUNABLES");
	char buf[512];

	(void)argc;
	if (tunables && strstr(tunables, "optional_static_tls"))
		return;
	snprintf(buf, sizeof(buf), "%s%s%s", tunables ? tunables : "", tunables ? ":" : "",
		 STATIC_TLS_TUNABLE);
	setenv("GLIBC_TUNABLES", buf, 1);
	execv("/proc/self/exe", argv);
}

int peers_load(struct peer peers[MAX_PEERS])
{
	int n = 0;

	peers[n++] =
		(struct peer){"glibc", __libc_malloc, __libc_free, __libc_realloc, __libc_memalign};
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
		void *h = dlopen(libs[i].soname, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
		struct peer p = {libs[i].name, NULL, NULL, NULL, NULL};

		if (!h) {
			fprintf(stderr, "bench: %s not loaded (%s)\n", libs[i].name, dlerror());
			continue;
		}
		*(void **)&p.malloc = dlsym(h, libs[i].sym_malloc);
		*(void **)&p.free = dlsym(h, libs[i].sym_free);
		*(void **)&p.realloc = dlsym(h, libs[i].sym_realloc);
		*(void **)&p.memalign = dlsym(h, libs[i].sym_memalign);
		if (!p.malloc || !p.free || !p.realloc || !p.memalign) {
			fprintf(stderr, "bench: %s lacks a symbol\n", libs[i].name);
			continue;
		}
		peers[n++] = p;
	}
	return n;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

long run_for_peak_rss(void (*fn)(void *arg), void *arg)
{
	struct rusage ru;
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return ru.ru_maxrss;
}

void print_row(const char *label, const char *name, double value, double reference,
	       const char *unit)
{
	printf("  %-34s %-9s %10.2f %-6s  x%.2f\n", label, name, value, unit,
	       reference > 0 ? value / reference : 0.0);
}
