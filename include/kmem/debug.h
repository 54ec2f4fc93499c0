/* SPDX-License-Identifier: MIT */
/*
 * kmem/debug.h - reports, the consistency checker and the memory limit.
 *
 * kmem reports misuse (double free, foreign or misaligned pointers,
 * corrupted objects) on stderr in the kernel's style, e.g.
 *
 *   BUG: Bad page state: double free of page 0x7f3c40001000 (order 0)
 *
 * and then, by default, aborts.  Warnings (allocation failures, impossible
 * orders) are printed and execution continues.  A hook sees every report
 * first; tests use it with KMEM_REPORT_CONTINUE to count reports.
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
 * @bytes: the cap in bytes (0 removes it); rounded down to whole regions
 *
 * Past the cap, allocations fail (or with __GFP_NOFAIL wait) instead of
 * mapping more.  Memory already mapped is not given back by lowering the
 * cap.  The environment variable KMEM_MEM_LIMIT (bytes, with an optional
 * K/M/G suffix) sets it at first use.
 */
KMEM_API void kmem_set_mem_limit(size_t bytes);

/** kmem_get_mem_limit - the current cap (0: none). */
KMEM_API size_t kmem_get_mem_limit(void);

KMEM_END_DECLS

#endif /* KMEM_DEBUG_H */
