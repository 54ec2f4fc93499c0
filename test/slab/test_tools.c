// SPDX-License-Identifier: MIT
/*
 * test/slab/test_tools.c - valgrind's memcheck and AddressSanitizer see
 * bugs in kmem's objects as they see them in malloc's: test/tools/target.c
 * (built next to this suite as tool-target) makes a kmalloc use-after-free,
 * a write past a slab object and a leak, and these tests read the tool's
 * report.  A plain build runs the target under memcheck; an ASan build's
 * target is itself built with ASan, whose leak checker does not know kmem,
 * so there kmem's own leak report (KMEM_LEAK_CHECK) names the leak.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test/helpers.h"
#include "test/unchecked.h"

TestSuite(slab_tools, .timeout = 120);

/* The target program, next to the test binary. */
static const char *target(void)
{
	static char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 32);
	char *slash;

	cr_assert_gt(n, 0);
	path[n] = '\0';
	slash = strrchr(path, '/');
	strcpy(slash ? slash + 1 : path, "tool-target");
	cr_assert_eq(access(path, X_OK), 0, "%s is built by make check", path);
	return path;
}

/* Run @cmd with stderr and stdout together; its output (static storage). */
static const char *run(const char *cmd)
{
	static char out[65536];
	FILE *p = popen(cmd, "r");
	size_t n;

	cr_assert_not_null(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	pclose(p);
	return out;
}

#define cr_assert_reports(out, text) cr_assert(strstr(out, text), "no \"%s\" in:\n%s", text, out)

#ifndef __SANITIZE_ADDRESS__
Test(slab_tools, memcheck_reports_use_after_free_overflow_and_leak_of_kmem_objects)
{
	char cmd[PATH_MAX + 128];
	const char *out;

	if (under_valgrind())
		cr_skip_test("already running under valgrind");
	if (system("command -v valgrind >/dev/null 2>&1"))
		cr_skip_test("valgrind is not installed");
	snprintf(cmd, sizeof(cmd), "valgrind --leak-check=full %s all 2>&1", target());
	out = run(cmd);
	cr_assert_reports(out, "Invalid read of size 1");
	cr_assert_reports(out, "is 3 bytes inside a block of size 40 free'd");
	cr_assert_reports(out, "Invalid write of size 1");
	cr_assert_reports(out, "is 0 bytes after a block of size 24 alloc'd");
	cr_assert_reports(out, "100 bytes in 1 blocks are definitely lost");
}
#else
Test(slab_tools, asan_reports_a_kmalloc_use_after_free)
{
	char cmd[PATH_MAX + 64];
	const char *out;

	snprintf(cmd, sizeof(cmd), "%s uaf 2>&1", target());
	out = run(cmd);
	cr_assert_reports(out, "ERROR: AddressSanitizer: heap-use-after-free");
	cr_assert_reports(out, "in use_after_free");
}

Test(slab_tools, asan_reports_a_write_past_a_slab_object)
{
	char cmd[PATH_MAX + 64];
	const char *out;

	snprintf(cmd, sizeof(cmd), "%s overflow 2>&1", target());
	out = run(cmd);
	cr_assert_reports(out, "ERROR: AddressSanitizer: heap-buffer-overflow");
	cr_assert_reports(out, "in overflow");
}

Test(slab_tools, kmem_reports_the_leak_in_an_asan_build)
{
	char cmd[PATH_MAX + 64];
	const char *out;

	snprintf(cmd, sizeof(cmd), "KMEM_LEAK_CHECK=1 %s leak 2>&1", target());
	out = run(cmd);
	cr_assert_reports(out, "Leak of 100 byte(s) in 1 object(s) of kmalloc-112 allocated from:");
	cr_assert_reports(out, "SUMMARY: kmem: 100 byte(s) leaked in 1 allocation(s).");
}
#endif
