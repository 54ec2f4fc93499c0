/* SPDX-License-Identifier: MIT */
/*
 * test/helpers.h - fixtures and helpers shared by every suite.
 */
#ifndef KMEM_TEST_HELPERS_H
#define KMEM_TEST_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kmem/kmem.h>

/* .fini of every suite: the whole allocator must be consistent. */
void kmem_test_check(void);

/*
 * Count mode: reports are captured (not printed) and BUG reports return
 * instead of aborting, so a test can assert what was detected.
 */
void capture_reports(void);
unsigned long captured(enum kmem_report_kind kind);
bool captured_contains(const char *needle);

/*
 * Death tests (.signal = SIGABRT): reports are captured, not printed, and
 * the BUG report that aborts must contain @needle.
 */
void expect_fatal_report(const char *needle);

/*
 * The test binary defines mmap, munmap, mprotect and madvise itself, so
 * every such call kmem makes goes through here; a test may set os_call_probe
 * to run code just before each one (in the calling thread).
 */
extern void (*os_call_probe)(const char *call);

/* Fill @len bytes with a pattern derived from @tag; verify it. */
void fill_tagged(void *p, size_t len, uint64_t tag);
bool check_tagged(const void *p, size_t len, uint64_t tag);

#endif /* KMEM_TEST_HELPERS_H */
