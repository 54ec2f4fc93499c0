// SPDX-License-Identifier: MIT
/*
 * test/tools/test_kheap_replay.c - tools/kheap-replay's command line.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include "test/run.h"

TestSuite(kheap_replay, .timeout = 60);

static int replay(char *const args[], char *out, size_t size)
{
	char *argv[8] = {BUILD_PATH("tools/kheap-replay")};

	for (int n = 0; args[n] && n < 6; n++)
		argv[n + 1] = args[n];
	return run_program(argv, NULL, out, size);
}

Test(kheap_replay, help_prints_the_usage_and_succeeds)
{
	char out[4096];

	cr_assert_eq(replay((char *[]){"--help", NULL}, out, sizeof(out)), 0);
	cr_assert(strstr(out, "usage: ") && strstr(out, "KMEM_TRACE"), "%s", out);
}

Test(kheap_replay, no_trace_is_a_usage_error)
{
	char out[4096];

	cr_assert_eq(replay((char *[]){NULL}, out, sizeof(out)), 2);
	cr_assert(strstr(out, "usage: "), "%s", out);
	cr_assert_eq(replay((char *[]){"-p", NULL}, out, sizeof(out)), 2,
		     "an option without its value");
	cr_assert_eq(replay((char *[]){"-x", "t.trace", NULL}, out, sizeof(out)), 2,
		     "an unknown option");
}

Test(kheap_replay, a_trace_ending_with_live_blocks_replays_cleanly)
{
	char path[] = "/tmp/kheap-replay-test.XXXXXX", out[8192];
	FILE *f = fdopen(mkstemp(path), "w");

	/* What a program's KMEM_TRACE looks like: blocks 1 and 2 never freed. */
	fputs("# a program's trace\na 0 100\na 1 5000\nf 0\na 0 40\na 2 300\nf 0\n", f);
	fclose(f);
	cr_assert_eq(replay((char *[]){path, NULL}, out, sizeof(out)), 0, "%s", out);
	unlink(path);
	cr_assert(strstr(out, ": 6 operations"), "%s", out);
	cr_assert_null(strstr(out, "WARNING"), "every block is freed before the heap goes:\n%s",
		       out);
	for (const char *fit = "first\0next\0best\0worst\0good\0"; *fit; fit += strlen(fit) + 1)
		cr_assert(strstr(out, fit), "no row for %s:\n%s", fit, out);
}
