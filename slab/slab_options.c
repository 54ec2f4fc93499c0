// SPDX-License-Identifier: MIT
/*
 * slab/slab_options.c - the slab layer's run-time switches: the kernel's
 * slab_debug= options, init_on_alloc/init_on_free and freelist hardening.
 *
 * slab_debug (KMEM_SLAB_DEBUG, kmem_slab_debug())
 *   The kernel's grammar: blocks separated by ';', each "letters" or
 *   "letters,cache,cache..." (a cache name ending in '*' matches every name
 *   that starts with what precedes the '*').  Letters, in either case:
 *   F consistency checks, Z red zones, P poisoning, U owner tracking, T
 *   tracing, A failslab (the cache takes part in KMEM_FAIL_SLAB's fault
 *   injection when its cache-filter is on, lib/fault.c), O no debugging
 *   where its metadata would raise the slab order, '-' everything off.  A
 *   block without a list sets the flags of every cache no list names; a
 *   list alone (",dentry") means full debugging (FZPU) for those caches;
 *   empty options mean full debugging for all.  The first block whose list
 *   names a cache gives its flags.
 *   Caches created with SLAB_NO_USER_FLAGS are left alone, and
 *   SLAB_NOLEAKTRACE caches get no U from the global flags.
 *
 *   The environment is read once, when the slab layer initialises (the
 *   first cache or allocation); kmem_slab_debug() replaces the options at
 *   any time.  New options apply to caches created afterwards and to caches
 *   that exist but have never allocated a slab (kmem's own caches when it
 *   is called before the first allocation): they are laid out again.
 *
 * Everything is read under slab_mutex, which cache creation holds.
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <kmem/kmem.h>

#include "lib/stacktrace.h"
#include "slab/internal.h"

/* slab_debug with no letters: the kernel's DEBUG_DEFAULT_FLAGS. */
#define SLAB_DEBUG_DEFAULT (SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER)
#define SLAB_DEBUG_MAX 1024

struct slab_options slab_options;

static struct {
	char blocks[SLAB_DEBUG_MAX]; /* the options, when a block has a cache list */
	slab_flags_t global;	     /* for caches no list names */
	bool no_higher_order;	     /* O */
} debug;

/* ---- slab_debug --------------------------------------------------------------- */

/*
 * Parse the block at @str: its flags, and where its cache list starts
 * (NULL: none).  Unknown letters are warned about when @warn.  Returns the
 * next block, or NULL after the last.
 */
static const char *parse_block(const char *str, slab_flags_t *flags, const char **list, bool warn,
			       bool *unknown)
{
	while (*str == ';')
		str++;
	if (*str == ',') {
		/* A list without letters: full debugging for those caches. */
		*flags = SLAB_DEBUG_DEFAULT;
	} else {
		*flags = 0;
		for (; *str && *str != ',' && *str != ';'; str++) {
			switch (tolower((unsigned char)*str)) {
			case '-':
				*flags = 0;
				break;
			case 'f':
				*flags |= SLAB_CONSISTENCY_CHECKS;
				break;
			case 'z':
				*flags |= SLAB_RED_ZONE;
				break;
			case 'p':
				*flags |= SLAB_POISON;
				break;
			case 'u':
				*flags |= SLAB_STORE_USER;
				break;
			case 't':
				*flags |= SLAB_TRACE;
				break;
			case 'a':
				*flags |= SLAB_FAILSLAB;
				break;
			case 'o':
				if (warn)
					debug.no_higher_order = true;
				break;
			default:
				if (warn)
					kmem_warn("slab_debug option '%c' unknown. skipped", *str);
				*unknown = true;
			}
		}
	}
	*list = *str == ',' ? str + 1 : NULL;
	while (*str && *str != ';')
		str++;
	while (*str == ';')
		str++;
	return *str ? str : NULL;
}

/* Take @options as the slab_debug options (slab_mutex held); false if a letter was unknown. */
static bool debug_setup(const char *options)
{
	slab_flags_t global = SLAB_DEBUG_DEFAULT, flags;
	bool global_set = false, lists = false, unknown = false;
	const char *list;

	debug.no_higher_order = false;
	debug.blocks[0] = '\0';
	for (const char *str = options; str && *str;) {
		str = parse_block(str, &flags, &list, true, &unknown);
		if (list) {
			lists = true;
		} else {
			global = flags;
			global_set = true;
		}
	}
	if (lists) {
		/* Only the listed caches change unless a block says otherwise. */
		if (!global_set)
			global = 0;
		strcpy(debug.blocks, options);
	}
	debug.global = global;
	if (global & SLAB_STORE_USER || lists)
		kmem_stack_prepare();
	return !unknown;
}

/* Whether the list at @list (up to the end of its block) names @name. */
static bool list_names(const char *list, const char *name)
{
	size_t len = strlen(name);

	while (*list && *list != ';') {
		size_t tok = strcspn(list, ",;");
		const char *glob = memchr(list, '*', tok);

		if (glob ? !strncmp(name, list, (size_t)(glob - list)) :
			   tok == len && !strncmp(name, list, len))
			return true;
		list += tok;
		if (*list == ',')
			list++;
	}
	return false;
}

slab_flags_t slab_debug_flags(slab_flags_t flags, const char *name)
{
	slab_flags_t global = debug.global, block;
	const char *next = debug.blocks, *list;
	bool unknown = false;

	if (flags & SLAB_NO_USER_FLAGS)
		return flags;
	if (flags & SLAB_NOLEAKTRACE)
		global &= ~SLAB_STORE_USER;
	while (next && *next) {
		next = parse_block(next, &block, &list, false, &unknown);
		if (list && list_names(list, name))
			return flags | block;
	}
	return flags | global;
}

bool slab_debug_no_higher_order(void)
{
	return debug.no_higher_order;
}

int kmem_slab_debug(const char *options)
{
	struct list_head *pos;
	bool known = true;

	if (options && strlen(options) >= SLAB_DEBUG_MAX) {
		kmem_warn("kmem_slab_debug: options longer than %d bytes ignored",
			  SLAB_DEBUG_MAX - 1);
		return -1;
	}
	slab_init();
	/* Here no allocator lock is held: the unwinder may load itself. */
	kmem_stack_prepare();
	pthread_mutex_lock(&slab_mutex);
	if (options) {
		known = debug_setup(options);
	} else {
		debug.global = 0;
		debug.blocks[0] = '\0';
		debug.no_higher_order = false;
	}
	list_for_each(pos, &slab_caches) {
		struct kmem_cache *s = container_of(pos, struct kmem_cache, link);

		if (!s->slabs_allocated)
			slab_cache_relayout(s, slab_debug_flags(s->creation_flags, s->name));
	}
	pthread_mutex_unlock(&slab_mutex);
	return known ? 0 : -1;
}

/* ---- initialisation ---------------------------------------------------------- */

static bool env_flag(const char *name, bool def)
{
	return kmem_env_long(name, def) != 0;
}

void slab_options_init(void)
{
	const char *debug_env = getenv("KMEM_SLAB_DEBUG");
	const char *leaks = getenv("KMEM_LEAK_CHECK");

	slab_options.init_on_alloc = env_flag("KMEM_INIT_ON_ALLOC", false);
	slab_options.init_on_free = env_flag("KMEM_INIT_ON_FREE", false);
	/* Each costs 0.6-2.9% of kmem's instructions in the benchmarks (performance.md). */
	slab_options.freelist_hardened = env_flag("KMEM_FREELIST_HARDENED", true);
	slab_options.freelist_random = env_flag("KMEM_FREELIST_RANDOM", true);
	if (debug_env && *debug_env) {
		if (strlen(debug_env) < SLAB_DEBUG_MAX)
			debug_setup(debug_env);
		else
			kmem_warn("kmem: ignoring KMEM_SLAB_DEBUG: longer than %d bytes",
				  SLAB_DEBUG_MAX - 1);
	} else if (leaks && *leaks && strcmp(leaks, "0") != 0) {
		/* A leak report needs the allocation stacks. */
		debug.global = SLAB_STORE_USER;
	}
}

/*
 * KMEM_LEAK_CHECK=1: the leak report on stderr at exit; another value: a
 * file to append it to.  Here, in a file every program using slab caches
 * links, so the destructor is there whenever the options are.
 */
__attribute__((destructor)) static void leak_check_at_exit(void)
{
	const char *where = getenv("KMEM_LEAK_CHECK");
	int fd = STDERR_FILENO;

	if (!where || !*where || !strcmp(where, "0"))
		return;
	if (strcmp(where, "1") != 0) {
		fd = open(where, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd < 0)
			return;
	}
	kmem_leak_check(fd);
	if (fd != STDERR_FILENO)
		close(fd);
}
