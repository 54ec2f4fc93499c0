// SPDX-License-Identifier: MIT
/*
 * test/slab/test_tools.c - valgrind's memcheck and AddressSanitizer see
 * bugs in kmem's objects as they see them in malloc's: target_tools.c
 * (built next to this suite) makes a kmalloc use-after-free, a write past
 * a slab object and a leak, and these tests read the tool's report.  A plain build runs the target
 * under memcheck; an ASan build's target is itself built with ASan, whose leak checker does not
 * know kmem, so there kmem's own leak report (KMEM_LEAK_CHECK) names the leak.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test/helpers.h"
#include "test/run.h"
#include "test/unchecked.h"

TestSuite(slab_tools, .timeout = 120);

#define TARGET BUILD_PATH("target_tools")

/* Run the target (under @tool, or alone when NULL) for @bug; its output. */
static const char *run_target(const char *tool, const char *bug, const char *const env[])
{
	static char out[65536];
	char *const under_tool[] = {(char *)tool, "--leak-check=full", TARGET, (char *)bug, NULL};
	char *const alone[] = {TARGET, (char *)bug, NULL};

	run_program(tool ? under_tool : alone, env, out, sizeof(out));
	return out;
}

#define cr_assert_reports(out, text) cr_assert(strstr(out, text), "no \"%s\" in:\n%s", text, out)

#ifndef __SANITIZE_ADDRESS__
/* The path of @name in $PATH, or NULL. */
static const char *find_in_path(const char *name)
{
	static char path[PATH_MAX];
	const char *dirs = getenv("PATH");

	while (dirs && *dirs) {
		size_t len = strcspn(dirs, ":");

		snprintf(path, sizeof(path), "%.*s/%s", (int)len, dirs, name);
		if (!access(path, X_OK))
			return path;
		dirs += len + (dirs[len] == ':');
	}
	return NULL;
}

Test(slab_tools, memcheck_reports_use_after_free_overflow_and_leak_of_kmem_objects)
{
	const char *valgrind = find_in_path("valgrind");
	const char *out;

	if (under_valgrind())
		cr_skip_test("already running under valgrind");
	if (!valgrind)
		cr_skip_test("valgrind is not installed");
	out = run_target(valgrind, "all", NULL);
	cr_assert_reports(out, "Invalid read of size 1");
	cr_assert_reports(out, "is 3 bytes inside a block of size 40 free'd");
	cr_assert_reports(out, "Invalid write of size 1");
	cr_assert_reports(out, "is 0 bytes after a block of size 24 alloc'd");
	cr_assert_reports(out, "100 bytes in 1 blocks are definitely lost");
}
#else
Test(slab_tools, asan_reports_a_kmalloc_use_after_free)
{
	const char *out = run_target(NULL, "uaf", NULL);

	cr_assert_reports(out, "ERROR: AddressSanitizer: heap-use-after-free");
	cr_assert_reports(out, "in use_after_free");
}

Test(slab_tools, asan_reports_a_write_past_a_slab_object)
{
	const char *out = run_target(NULL, "overflow", NULL);

	cr_assert_reports(out, "ERROR: AddressSanitizer: heap-buffer-overflow");
	cr_assert_reports(out, "in overflow");
}

Test(slab_tools, kmem_reports_the_leak_in_an_asan_build)
{
	static const char *const env[] = {"KMEM_LEAK_CHECK=1", NULL};
	const char *out = run_target(NULL, "leak", env);

	cr_assert_reports(out, "Leak of 100 byte(s) in 1 object(s) of kmalloc-112 allocated from:");
	cr_assert_reports(out, "SUMMARY: kmem: 100 byte(s) leaked in 1 allocation(s).");
}
#endif
