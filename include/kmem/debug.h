/* SPDX-License-Identifier: MIT */
/*
 * kmem/debug.h - reports, the consistency checker, the memory limit and
 * fault injection.
 *
 * kmem reports misuse (double free, foreign or misaligned pointers,
 * corrupted objects) on stderr in the kernel's style, e.g.
 *
 *   BUG: Bad page state in process demo  pfn:7f3c40001
 *   page: refcount:0 order:0 addr:0x7f3c40001000
 *   flags: 0x8(pcp)
 *   page dumped because: not allocated: double free or free of a page inside a block (in
 * __free_pages())
 *
 * and then, by default, aborts.  Warnings (allocation failures, impossible
 * orders) are printed and execution continues.  A hook sees every report
 * first; tests use it with KMEM_REPORT_CONTINUE to count reports.
 *
 * Environment variables (KMEM_MEM_LIMIT here, the tuning variables in
 * Documentation/) are read once, at first use.  Numbers are decimal: a
 * leading zero is not octal (KMEM_MEM_LIMIT=064M is 64 MiB) and hex is not
 * accepted.  Sizes take an optional suffix K, M, G or T in either case,
 * binary units, optionally followed by B or iB (64M, 64m, 64MB, 64MiB are
 * all 64 MiB).  A value that is malformed, overflows (17179869184G) or is
 * out of range (a negative KMEM_PAGE_DECAY_MS) is not taken: a warning
 * names the variable and its value, and the default applies.
 */
#ifndef KMEM_DEBUG_H
#define KMEM_DEBUG_H

#include <stdbool.h>
#include <stddef.h>
#include <kmem/export.h>

KMEM_BEGIN_DECLS

enum kmem_report_kind {
	KMEM_REPORT_BUG,   /* misuse or corruption detected */
	KMEM_REPORT_WARN,  /* something odd, execution continues */
	KMEM_REPORT_CHECK, /* kmem_check() found a broken invariant */
};

enum kmem_report_action {
	KMEM_REPORT_ABORT,    /* after a BUG report: abort() (default) */
	KMEM_REPORT_CONTINUE, /* after a BUG report: return to the caller */
};

/**
 * typedef kmem_report_hook_t - called with every report before it is printed
 * @kind: what sort of report
 * @msg: the whole report text, NUL-terminated, valid only during the call
 * @data: the pointer given to kmem_set_report_hook()
 *
 * Return: true to suppress the stderr output, false to print it as well.
 * The hook may run on any thread, with allocator locks held: it must not
 * allocate from kmem.
 */
typedef bool (*kmem_report_hook_t)(enum kmem_report_kind kind, const char *msg, void *data);

/**
 * kmem_set_report_hook - install (or with NULL remove) the report hook
 * @hook: the function
 * @data: passed to it
 */
KMEM_API void kmem_set_report_hook(kmem_report_hook_t hook, void *data);

/**
 * kmem_set_report_action - what happens after a BUG report
 * @action: KMEM_REPORT_ABORT (default) or KMEM_REPORT_CONTINUE
 *
 * With KMEM_REPORT_CONTINUE the offending operation is refused (the bad free
 * is ignored) and nothing is corrupted; the program goes on.
 */
KMEM_API void kmem_set_report_action(enum kmem_report_action action);

/**
 * kmem_report_count - number of reports of @kind made so far
 * @kind: the kind to count
 */
KMEM_API unsigned long kmem_report_count(enum kmem_report_kind kind);

/**
 * kmem_check - walk every allocator structure and verify its invariants
 *
 * Checks every region, free list and per-thread page cache (and the slab
 * and heap layers' structures).  The first broken invariant is reported as
 * KMEM_REPORT_CHECK.  Call it when no other thread is allocating: it reads
 * per-thread structures without their owners' cooperation.
 *
 * Return: 0 when everything is consistent, -1 after reporting a problem.
 */
KMEM_API int kmem_check(void);

/**
 * kmem_set_mem_limit - cap the memory kmem maps from the OS
 * @bytes: the cap in bytes (0 removes it), kept exactly as given
 *
 * Past the cap, allocations fail (or with __GFP_NOFAIL wait) instead of
 * mapping more.  The page allocator maps whole 4 MiB regions, so it uses
 * at most the largest multiple of 4 MiB under the cap (none below 4 MiB);
 * vmalloc areas are charged by the page.  Memory already mapped is not
 * given back by lowering the cap.  The environment variable KMEM_MEM_LIMIT
 * (a size, see above) sets it at first use.
 */
KMEM_API void kmem_set_mem_limit(size_t bytes);

/** kmem_get_mem_limit - the current cap (0: none). */
KMEM_API size_t kmem_get_mem_limit(void);

/**
 * enum kmem_fault_target - where kmem can inject allocation failures
 * @KMEM_FAULT_PAGE_ALLOC: alloc_pages() and everything built on it (the
 *	kernel's fail_page_alloc); configured at start-up by the environment
 *	variable KMEM_FAIL_PAGE_ALLOC
 * @KMEM_FAULT_SLAB: slab object allocations (the kernel's failslab);
 *	configured at start-up by KMEM_FAIL_SLAB
 */
enum kmem_fault_target {
	KMEM_FAULT_PAGE_ALLOC,
	KMEM_FAULT_SLAB,
};

/**
 * struct kmem_fault_attr - when injected failures happen: the kernel's
 * fault_attr knobs (Documentation/fault-injection.rst)
 * @probability: percent of eligible calls that fail, 0..100; 0 injects nothing
 * @interval: with a value above 1, only every @interval-th eligible call may
 *	fail (use probability 100 for exactly every @interval-th)
 * @times: failures left to inject; -1 for no limit
 * @space: a budget let through before anything fails: each eligible call
 *	while more than its size is left takes its size from it (pages for
 *	page allocations, bytes for slab objects)
 * @verbose: 0 silent; 1 a warning per injected failure; 2 also names the
 *	allocation and its caller's address
 * @seed: seed of the random draws: the same seed and the same sequence of
 *	calls give the same failures, so a failing run can be replayed
 * @ignore_gfp_wait: do not fail allocations that may block
 *	(__GFP_DIRECT_RECLAIM, e.g. GFP_KERNEL)
 * @ignore_gfp_highmem: page allocation only: do not fail __GFP_HIGHMEM ones
 * @min_order: page allocation only: do not fail orders below this
 * @cache_filter: slab only: fail only caches created with SLAB_FAILSLAB
 *
 * An eligible call is one the filters let through: never one with
 * __GFP_NOFAIL, and neither what the ignore_* knobs, @min_order or
 * @cache_filter exclude.  __GFP_NOWARN silences the report of a failure.
 */
struct kmem_fault_attr {
	unsigned long probability;
	unsigned long interval;
	long times;
	long space;
	unsigned long verbose;
	unsigned long long seed;
	bool ignore_gfp_wait;
	bool ignore_gfp_highmem;
	unsigned int min_order;
	bool cache_filter;
};

/**
 * kmem_fault_attr_init - fill @attr with the defaults
 * @attr: the attributes to initialise
 *
 * The defaults are the kernel's FAULT_ATTR_INITIALIZER (probability 0, so
 * nothing fails until one is given; interval 1; times 1; space 0;
 * verbose 2) with seed 0 and its ignore_gfp_highmem on.  ignore_gfp_wait
 * and min_order default to off and 0 where the kernel's fail_page_alloc and
 * failslab default to on and 1: in a program nearly every allocation may
 * block, and order 0 can fail here.
 */
KMEM_API void kmem_fault_attr_init(struct kmem_fault_attr *attr);

/**
 * kmem_fault_parse - apply a fault-injection specification to @attr
 * @target: the injection point the specification is for
 * @attr: the attributes to change (e.g. from kmem_fault_attr_init())
 * @spec: comma-separated key=value pairs, the syntax of KMEM_FAIL_PAGE_ALLOC
 *	and KMEM_FAIL_SLAB: "probability=10,interval=1,times=-1,seed=42,verbose=1".
 *	Keys: probability, interval, times, space, verbose, seed,
 *	ignore-gfp-wait, and for page allocation ignore-gfp-highmem and
 *	min-order, for slab cache-filter ('_' may replace '-').  Numbers are
 *	decimal; switches take Y, N, 1 or 0.
 *
 * Return: 0, or -EINVAL when @spec has an unknown key, a key that means
 * nothing for @target, or a value that is malformed or out of range; @attr
 * is then unchanged.
 */
KMEM_API int kmem_fault_parse(enum kmem_fault_target target, struct kmem_fault_attr *attr,
			      const char *spec);

/**
 * kmem_fault_set - start (or with NULL stop) injecting failures at @target
 * @target: the injection point
 * @attr: the attributes, copied; NULL turns injection off
 *
 * Restarts the interval count, the random sequence (from @attr->seed) and
 * the count of injected failures.  When injection is off the cost at each
 * injection point is one load.
 *
 * Return: 0, or -EINVAL for an unknown @target or values out of range
 * (probability above 100, times below -1, negative space, verbose above 2).
 * Context: any thread; allocations racing the change see the old or the
 * new attributes.
 */
KMEM_API int kmem_fault_set(enum kmem_fault_target target, const struct kmem_fault_attr *attr);

/**
 * kmem_fault_injected - failures injected at @target since the last
 * kmem_fault_set()
 * @target: the injection point
 */
KMEM_API unsigned long kmem_fault_injected(enum kmem_fault_target target);

/**
 * kmem_slab_debug - set the slab debugging options, in the kernel's
 *	slab_debug= syntax
 * @options: blocks separated by ';', each of option letters optionally
 *	followed by ",cache,cache..." (a name ending in '*' matches every
 *	cache whose name starts with the part before it, e.g. "kmalloc-*").
 *	Letters: F sanity checks, Z red zones, P poisoning, U owner tracking
 *	(caller, short stack, thread, time), T trace every alloc and free, A
 *	failslab (the cache fails when KMEM_FAIL_SLAB has cache-filter), O no debugging for caches
 *	whose slab order the metadata would raise, '-' none.  Examples:
 *	"FZPU", "FZ,kmalloc-*;P,dentry".  "" means full debugging (FZPU) of
 *	every cache, as the kernel's bare slab_debug; NULL switches debugging
 *	off.
 *
 * The environment variable KMEM_SLAB_DEBUG gives the options at first use;
 * this call replaces them.  They apply to caches created afterwards and to
 * caches that have not allocated anything yet: called before the first
 * allocation, they reach every cache, kmem's kmalloc caches included.  A
 * debug cache checks every allocation and free under its lock and reports
 * corruption in the kernel's format (see Documentation/slab.rst).  Call it
 * while no other thread uses the caches it changes.
 *
 * Return: 0, or -1 when a letter was unknown (warned about by name and
 * skipped; the rest applies) or @options is longer than 1023 bytes
 * (nothing changes).
 */
KMEM_API int kmem_slab_debug(const char *options);

/**
 * kmem_leak_check - report the objects still allocated in debug caches
 * @fd: where to write the report (e.g. STDERR_FILENO)
 *
 * Objects are grouped by cache and allocation stack, largest groups first,
 * with their count and bytes, as LeakSanitizer and kmemleak summarise;
 * caches with SLAB_STORE_USER (slab_debug=U) have stacks, other debug
 * caches are summarised per cache.  kmem's own bookkeeping (the kmem_cache
 * cache) is left out.  KMEM_LEAK_CHECK=1 runs it at exit on stderr (any
 * other value but 0 names a file to append to), and switches on U for
 * every cache when KMEM_SLAB_DEBUG is not set.  Call it when no other
 * thread allocates.
 *
 * Return: the number of objects reported.
 */
KMEM_API unsigned long kmem_leak_check(int fd);

KMEM_END_DECLS

#endif /* KMEM_DEBUG_H */
