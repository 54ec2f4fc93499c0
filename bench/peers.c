// SPDX-License-Identifier: MIT
/*
 * bench/peers.c - glibc through its __libc_* entry points (the process's
 * malloc may be anything), the others through dlopen.
 */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "peers.h"

extern void *__libc_malloc(size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

struct peer_lib {
	const char *name;
	const char *soname;
	const char *sym_malloc, *sym_free, *sym_memalign;
};

static const struct peer_lib libs[] = {
	{"jemalloc", "libjemalloc.so.2", "malloc", "free", "memalign"},
	{"mimalloc", "libmimalloc.so.2", "mi_malloc", "mi_free", "mi_memalign"},
	{"tcmalloc", "libtcmalloc_minimal.so.4", "tc_malloc", "tc_free", "tc_memalign"},
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

/* BENCH_PEERS, when set, names the peers to load: "glibc,mimalloc", or "" for none. */
static bool peer_wanted(const char *name)
{
	const char *list = getenv("BENCH_PEERS");
	size_t len = strlen(name);

	if (!list)
		return true;
	for (const char *p = list; (p = strstr(p, name)); p += len)
		if ((p == list || p[-1] == ',') && (p[len] == ',' || !p[len]))
			return true;
	return false;
}

int peers_load(struct peer *table, int nr_own)
{
	int n = nr_own;

	if (peer_wanted("glibc"))
		table[n++] = (struct peer){"glibc", __libc_malloc, __libc_free, __libc_memalign};
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
		struct peer p = {libs[i].name, NULL, NULL, NULL};
		void *h;

		if (!peer_wanted(libs[i].name))
			continue;
		h = dlopen(libs[i].soname, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
		if (!h) {
			fprintf(stderr, "bench: %s not loaded (%s)\n", libs[i].name, dlerror());
			continue;
		}
		*(void **)&p.malloc = dlsym(h, libs[i].sym_malloc);
		*(void **)&p.free = dlsym(h, libs[i].sym_free);
		*(void **)&p.memalign = dlsym(h, libs[i].sym_memalign);
		if (!p.malloc || !p.free || !p.memalign) {
			fprintf(stderr, "bench: %s lacks a symbol\n", libs[i].name);
			continue;
		}
		table[n++] = p;
	}
	return n;
}
