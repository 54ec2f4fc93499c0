// SPDX-License-Identifier: MIT
/*
 * lib/fault.c - fault injection with the kernel's fault_attr semantics
 * (lib/fault-inject.c, mm/fail_page_alloc.c, mm/failslab.c in Linux).
 *
 * A call that passes its injection point's filters (__GFP_NOFAIL, the
 * ignore-gfp-* switches, min-order, cache-filter) goes through the kernel's
 * checks in the kernel's order: nothing fails without a probability or with
 * no times left; while the space budget exceeds the call's size, the size
 * is taken from it and the call succeeds; with an interval above 1 only
 * every interval-th call goes on; then a random draw below the probability
 * (in percent) fails it.  A failure is counted, takes one of times, and is
 * reported at verbose >= 1 unless the caller passed __GFP_NOWARN.  Not
 * provided: the per-task filters (fail-nth, make-it-fail), the stack-trace
 * filters and the message rate limit.
 *
 * Replay: the draws are lib/prandom.h's sequence of the seed, one draw per
 * call that reaches the draw.  Concurrent threads take their draws from
 * the one sequence with a compare-and-swap, so a run makes the same draws
 * for the same seed; which thread gets which depends on the schedule, so a
 * failing run replays exactly when its allocations happen in the same
 * order (one thread, or threads that do not race).
 *
 * Every field is read and written atomically: kmem_fault_set() may change
 * the attributes while other threads allocate.  The environment is read by
 * a constructor, before main(), so that the first allocation is already
 * subject to it.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fault.h"
#include "lib/thread.h"
#include "lib/prandom.h"

#define FAULT_PAGE (1U << KMEM_FAULT_PAGE_ALLOC)
#define FAULT_SLAB (1U << KMEM_FAULT_SLAB)

struct fault {
	const char *name; /* the kernel's debugfs directory */
	const char *env;
	bool *on;
	struct kmem_fault_attr attr;
	unsigned long calls; /* calls counted against the interval */
	struct prandom_state rng;
	unsigned long injected;
};

bool kmem_fail_page_alloc_on;
bool kmem_failslab_on;

static struct fault faults[] = {
	[KMEM_FAULT_PAGE_ALLOC] = {.name = "fail_page_alloc",
				   .env = "KMEM_FAIL_PAGE_ALLOC",
				   .on = &kmem_fail_page_alloc_on},
	[KMEM_FAULT_SLAB] = {.name = "failslab", .env = "KMEM_FAIL_SLAB", .on = &kmem_failslab_on},
};

static pthread_mutex_t fault_set_lock = PTHREAD_MUTEX_INITIALIZER;

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

static struct fault *fault_of(enum kmem_fault_target target)
{
	return (unsigned int)target < ARRAY_SIZE(faults) ? &faults[target] : NULL;
}

/* ---- the decision ----------------------------------------------------- */

/* Take @size from the budget while more than @size is left. */
static bool space_consumed(struct fault *f, long size)
{
	long left = LOAD(f->attr.space);

	while (left > size)
		if (__atomic_compare_exchange_n(&f->attr.space, &left, left - size, true,
						__ATOMIC_RELAXED, __ATOMIC_RELAXED))
			return true;
	return false;
}

/* The next draw of the seed's sequence, uniform in 0..99. */
static uint32_t draw_percent(struct fault *f)
{
	uint64_t seen = LOAD(f->rng.counter);
	struct prandom_state next;
	uint32_t draw;

	do {
		next.counter = seen;
		draw = prandom_u32_below(&next, 100);
	} while (!__atomic_compare_exchange_n(&f->rng.counter, &seen, next.counter, true,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return draw;
}

/* Take one of times; false when none is left.  -1 is never used up. */
static bool take_one_time(struct fault *f)
{
	long left = LOAD(f->attr.times);

	do {
		if (left == 0)
			return false;
		if (left < 0)
			return true;
	} while (!__atomic_compare_exchange_n(&f->attr.times, &left, left - 1, true,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return true;
}

/* The kernel's report, with the seed that replays the run. */
#define FAIL_DUMP_FORMAT                                                                           \
	"FAULT_INJECTION: forcing a failure.\n"                                                    \
	"name %s, interval %lu, probability %lu, space %ld, times %ld, seed %llu"

/* The kernel's should_fail_ex(); @fmt describes the call for verbose=2. */
static __printf(5, 6) bool should_fail(struct fault *f, long size, bool warn, const void *caller,
				       const char *fmt, ...)
{
	unsigned long probability = LOAD(f->attr.probability);
	unsigned long interval = LOAD(f->attr.interval);
	unsigned long verbose;
	long times_before;

	if (!probability || !LOAD(f->attr.times))
		return false;
	if (space_consumed(f, size))
		return false;
	if (interval > 1 && (__atomic_add_fetch(&f->calls, 1, __ATOMIC_RELAXED) % interval))
		return false;
	if (probability < 100 && draw_percent(f) >= probability)
		return false;
	times_before = LOAD(f->attr.times);
	if (!take_one_time(f))
		return false;
	__atomic_fetch_add(&f->injected, 1, __ATOMIC_RELAXED);
	verbose = LOAD(f->attr.verbose);
	if (warn && verbose == 1)
		kmem_warn(FAIL_DUMP_FORMAT, f->name, interval, probability, LOAD(f->attr.space),
			  times_before, LOAD(f->attr.seed));
	if (warn && verbose > 1) {
		char call[160];
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(call, sizeof(call), fmt, ap);
		va_end(ap);
		kmem_warn(FAIL_DUMP_FORMAT "\n%s, caller %p", f->name, interval, probability,
			  LOAD(f->attr.space), times_before, LOAD(f->attr.seed), call, caller);
	}
	return true;
}

bool __kmem_should_fail_alloc_page(gfp_t gfp, unsigned int order, const void *caller)
{
	struct fault *f = &faults[KMEM_FAULT_PAGE_ALLOC];

	if (order < LOAD(f->attr.min_order) || (gfp & __GFP_NOFAIL))
		return false;
	if (LOAD(f->attr.ignore_gfp_highmem) && (gfp & __GFP_HIGHMEM))
		return false;
	if (LOAD(f->attr.ignore_gfp_wait) && (gfp & __GFP_DIRECT_RECLAIM))
		return false;
	return should_fail(f, 1L << order, !(gfp & __GFP_NOWARN), caller,
			   "alloc_pages order:%u, mode:%#x", order, gfp);
}

bool __kmem_should_failslab(const char *cache_name, bool cache_failslab, size_t object_size,
			    gfp_t gfp, const void *caller)
{
	struct fault *f = &faults[KMEM_FAULT_SLAB];

	if (gfp & __GFP_NOFAIL)
		return false;
	if (LOAD(f->attr.ignore_gfp_wait) && (gfp & __GFP_DIRECT_RECLAIM))
		return false;
	if (LOAD(f->attr.cache_filter) && !cache_failslab)
		return false;
	return should_fail(f, object_size > LONG_MAX ? LONG_MAX : (long)object_size,
			   !(gfp & __GFP_NOWARN), caller, "cache %s, object size %zu, mode:%#x",
			   cache_name, object_size, gfp);
}

/* ---- configuration ---------------------------------------------------- */

void kmem_fault_attr_init(struct kmem_fault_attr *attr)
{
	*attr = (struct kmem_fault_attr){
		.interval = 1,
		.times = 1,
		.verbose = 2,
		.ignore_gfp_highmem = true,
	};
}

static bool fault_attr_valid(const struct kmem_fault_attr *attr)
{
	return attr->probability <= 100 && attr->times >= -1 && attr->space >= 0 &&
		attr->verbose <= 2;
}

int kmem_fault_set(enum kmem_fault_target target, const struct kmem_fault_attr *attr)
{
	struct fault *f = fault_of(target);
	bool was_on;

	if (!f || (attr && !fault_attr_valid(attr)))
		return -EINVAL;
	pthread_mutex_lock(&fault_set_lock);
	was_on = __atomic_load_n(f->on, __ATOMIC_RELAXED);
	__atomic_store_n(f->on, false, __ATOMIC_RELEASE);
	if (attr) {
		STORE(f->attr.probability, attr->probability);
		STORE(f->attr.interval, attr->interval);
		STORE(f->attr.times, attr->times);
		STORE(f->attr.space, attr->space);
		STORE(f->attr.verbose, attr->verbose);
		STORE(f->attr.seed, attr->seed);
		STORE(f->attr.ignore_gfp_wait, attr->ignore_gfp_wait);
		STORE(f->attr.ignore_gfp_highmem, attr->ignore_gfp_highmem);
		STORE(f->attr.min_order, attr->min_order);
		STORE(f->attr.cache_filter, attr->cache_filter);
		STORE(f->calls, 0);
		STORE(f->rng.counter, attr->seed);
		STORE(f->injected, 0);
		/* Without a probability nothing can fail: keep the one-load path. */
		__atomic_store_n(f->on, attr->probability != 0, __ATOMIC_RELEASE);
	}
	/* The slab fast paths see no hook: divert them to the slow path meanwhile. */
	if (target == KMEM_FAULT_SLAB && was_on != __atomic_load_n(f->on, __ATOMIC_RELAXED))
		kmem_thread_divert_all(!was_on);
	pthread_mutex_unlock(&fault_set_lock);
	return 0;
}

unsigned long kmem_fault_injected(enum kmem_fault_target target)
{
	struct fault *f = fault_of(target);

	return f ? LOAD(f->injected) : 0;
}

enum knob_type { KNOB_ULONG, KNOB_LONG, KNOB_UINT, KNOB_U64, KNOB_BOOL };

struct knob {
	const char *name;
	size_t offset;
	long min, max;
	enum knob_type type;
	unsigned int targets;
};

#define KNOB(name, type, field, min, max, targets)                                                 \
	{                                                                                          \
		name, offsetof(struct kmem_fault_attr, field), min, max, type, targets             \
	}

static const struct knob knobs[] = {
	KNOB("probability", KNOB_ULONG, probability, 0, 100, FAULT_PAGE | FAULT_SLAB),
	KNOB("interval", KNOB_ULONG, interval, 0, LONG_MAX, FAULT_PAGE | FAULT_SLAB),
	KNOB("times", KNOB_LONG, times, -1, LONG_MAX, FAULT_PAGE | FAULT_SLAB),
	KNOB("space", KNOB_LONG, space, 0, LONG_MAX, FAULT_PAGE | FAULT_SLAB),
	KNOB("verbose", KNOB_ULONG, verbose, 0, 2, FAULT_PAGE | FAULT_SLAB),
	KNOB("seed", KNOB_U64, seed, 0, 0, FAULT_PAGE | FAULT_SLAB),
	KNOB("ignore-gfp-wait", KNOB_BOOL, ignore_gfp_wait, 0, 1, FAULT_PAGE | FAULT_SLAB),
	KNOB("ignore-gfp-highmem", KNOB_BOOL, ignore_gfp_highmem, 0, 1, FAULT_PAGE),
	KNOB("min-order", KNOB_UINT, min_order, 0, UINT_MAX, FAULT_PAGE),
	KNOB("cache-filter", KNOB_BOOL, cache_filter, 0, 1, FAULT_SLAB),
};

static bool parse_switch(const char *value, bool *out)
{
	if (!strcmp(value, "Y") || !strcmp(value, "y") || !strcmp(value, "1"))
		*out = true;
	else if (!strcmp(value, "N") || !strcmp(value, "n") || !strcmp(value, "0"))
		*out = false;
	else
		return false;
	return true;
}

/* Store @value into @attr's field for @knob; false when it is not taken. */
static bool knob_store(const struct knob *knob, struct kmem_fault_attr *attr, const char *value)
{
	void *field = (char *)attr + knob->offset;
	uint64_t u;
	long v;

	switch (knob->type) {
	case KNOB_BOOL:
		return parse_switch(value, field);
	case KNOB_U64:
		if (!kmem_parse_u64(value, &u))
			return false;
		*(unsigned long long *)field = u;
		return true;
	default:
		if (!kmem_parse_long(value, knob->min, knob->max, &v))
			return false;
		if (knob->type == KNOB_LONG)
			*(long *)field = v;
		else if (knob->type == KNOB_ULONG)
			*(unsigned long *)field = (unsigned long)v;
		else
			*(unsigned int *)field = (unsigned int)v;
		return true;
	}
}

static const struct knob *knob_named(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(knobs); i++)
		if (!strcmp(knobs[i].name, name))
			return &knobs[i];
	return NULL;
}

/*
 * Apply @spec to a copy of @attr; on success copy it back and return true,
 * otherwise say why in @why.
 */
static bool parse_spec(enum kmem_fault_target target, struct kmem_fault_attr *attr,
		       const char *spec, char *why, size_t why_len)
{
	struct kmem_fault_attr parsed = *attr;
	const char *item = spec;

	while (*item) {
		size_t len = strcspn(item, ",");
		char key[32], value[32];
		const char *eq = memchr(item, '=', len);
		const struct knob *knob;
		size_t key_len = eq ? (size_t)(eq - item) : 0;

		if (!eq || key_len >= sizeof(key) || len - key_len - 1 >= sizeof(value)) {
			snprintf(why, why_len, "\"%.*s\" is not key=value", (int)len, item);
			return false;
		}
		memcpy(key, item, key_len);
		key[key_len] = '\0';
		memcpy(value, eq + 1, len - key_len - 1);
		value[len - key_len - 1] = '\0';
		for (char *c = key; *c; c++)
			if (*c == '_')
				*c = '-';
		knob = knob_named(key);
		if (!knob || !(knob->targets & (1U << target))) {
			snprintf(why, why_len, "no key \"%s\" for %s", key, faults[target].name);
			return false;
		}
		if (!knob_store(knob, &parsed, value)) {
			snprintf(why, why_len, "%s=\"%s\" is out of range or malformed", key,
				 value);
			return false;
		}
		item += len + (item[len] == ',');
	}
	*attr = parsed;
	return true;
}

int kmem_fault_parse(enum kmem_fault_target target, struct kmem_fault_attr *attr, const char *spec)
{
	char why[96];

	if (!fault_of(target) || !attr || !spec)
		return -EINVAL;
	return parse_spec(target, attr, spec, why, sizeof(why)) ? 0 : -EINVAL;
}

void kmem_fault_setup_from_env(void)
{
	for (unsigned int t = 0; t < ARRAY_SIZE(faults); t++) {
		const char *spec = getenv(faults[t].env);
		struct kmem_fault_attr attr;
		char why[96];

		if (!spec || !*spec)
			continue;
		kmem_fault_attr_init(&attr);
		if (parse_spec(t, &attr, spec, why, sizeof(why)))
			kmem_fault_set(t, &attr);
		else
			kmem_warn("kmem: ignoring %s=\"%s\": %s; %s stays off", faults[t].env, spec,
				  why, faults[t].name);
	}
}

__attribute__((constructor)) static void fault_setup_at_load(void)
{
	kmem_fault_setup_from_env();
}
