// SPDX-License-Identifier: MIT
/*
 * test/shim/test_mallinfo.c - glibc's introspection calls on the shim:
 * mallinfo2, mallinfo, malloc_stats, malloc_info and malloc_trim.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIB (1UL << 20)

TestSuite(shim_mallinfo, .timeout = 60);

/* Through a volatile pointer, so the compiler cannot drop a malloc/free pair. */
static void *(*volatile do_malloc)(size_t) = malloc;

Test(shim_mallinfo, a_large_block_is_in_use_while_it_lives)
{
	struct mallinfo2 before = mallinfo2(), during, after;
	char *p = do_malloc(2 * MIB);

	memset(p, 1, 2 * MIB);
	during = mallinfo2();
	free(p);
	after = mallinfo2();
	cr_assert_geq(during.uordblks, before.uordblks + 2 * MIB);
	cr_assert_leq(after.uordblks, during.uordblks - 2 * MIB);
	cr_assert_eq(during.arena, during.uordblks + during.fordblks,
		     "in use and free make up the regions, as in glibc");
	cr_assert_eq(during.usmblks, 0);
}

Test(shim_mallinfo, a_block_beyond_kmalloc_is_a_mapped_chunk)
{
	struct mallinfo2 before = mallinfo2(), during;
	char *p = do_malloc(8 * MIB);

	during = mallinfo2();
	cr_assert_eq(during.hblks, before.hblks + 1);
	cr_assert_geq(during.hblkhd, before.hblkhd + 8 * MIB);
	free(p);
	cr_assert_eq(mallinfo2().hblks, before.hblks);
}

Test(shim_mallinfo, mallinfo_is_mallinfo2_in_ints)
{
	struct mallinfo2 m2 = mallinfo2();
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	struct mallinfo m = mallinfo();
#pragma GCC diagnostic pop

	cr_assert_eq((size_t)m.arena, m2.arena);
	cr_assert_eq((size_t)m.hblks, m2.hblks);
}

/* The number in the first @tag ... size="N" at or after @from. */
static size_t xml_size(const char *from, const char *tag)
{
	const char *p = strstr(from, tag);

	cr_assert(p, "no %s in\n%s", tag, from);
	p = strstr(p, "size=\"");
	return strtoul(p + 6, NULL, 10);
}

Test(shim_mallinfo, malloc_info_writes_glibcs_xml_with_kmems_numbers)
{
	char *p = do_malloc(8 * MIB), *xml = NULL, *totals;
	struct mallinfo2 m;
	size_t len = 0;
	FILE *f = open_memstream(&xml, &len);

	cr_assert_eq(malloc_info(0, f), 0);
	fclose(f);
	m = mallinfo2();
	cr_assert(!strncmp(xml, "<malloc version=\"1\">\n<heap nr=\"0\">\n<sizes>\n", 42), "%s",
		  xml);
	cr_assert(strstr(xml, "</sizes>\n<total type=\"fast\""), "%s", xml);
	cr_assert_eq(strcmp(xml + len - 10, "</malloc>\n"), 0, "%s", xml);
	cr_assert_eq(xml_size(xml, "<system type=\"current\""), m.arena, "the heap is the regions");
	totals = strstr(xml, "</heap>\n");
	cr_assert(totals);
	cr_assert_eq(xml_size(totals, "<total type=\"mmap\""), m.hblkhd);
	cr_assert_eq(xml_size(totals, "<system type=\"current\""), m.arena + m.hblkhd);
	free(xml);
	free(p);
}

Test(shim_mallinfo, malloc_info_refuses_options)
{
	FILE *f = fopen("/dev/null", "w");

	cr_assert_eq(malloc_info(1, f), EINVAL);
	fclose(f);
}

Test(shim_mallinfo, malloc_stats_prints_glibcs_lines_on_stderr)
{
	char out[1024] = "";
	int saved = dup(STDERR_FILENO), fds[2];
	struct mallinfo2 m = mallinfo2();
	char want[64];

	cr_assert_eq(pipe(fds), 0);
	dup2(fds[1], STDERR_FILENO);
	malloc_stats();
	dup2(saved, STDERR_FILENO);
	close(fds[1]);
	cr_assert_gt(read(fds[0], out, sizeof(out) - 1), 0);
	close(fds[0]);
	snprintf(want, sizeof(want), "Arena 0:\nsystem bytes     = %10zu\n", m.arena);
	cr_assert(strstr(out, want) == out, "%s", out);
	cr_assert(strstr(out, "\nTotal (incl. mmap):\n"), "%s", out);
	cr_assert(strstr(out, "\nmax mmap bytes   = "), "%s", out);
}

Test(shim_mallinfo, malloc_trim_returns_freed_regions_to_the_os)
{
	enum { BLOCKS = 16 };
	char *p[BLOCKS];
	size_t before;

	for (int i = 0; i < BLOCKS; i++) {
		p[i] = do_malloc(2 * MIB);
		memset(p[i], 1, 2 * MIB);
	}
	for (int i = 0; i < BLOCKS; i++)
		free(p[i]);
	before = mallinfo2().arena;
	cr_assert_eq(malloc_trim(0), 1, "32 MiB freed: whole regions go back");
	cr_assert_leq(mallinfo2().arena, before - 16 * MIB, "from %zu to %zu", before,
		      mallinfo2().arena);
	cr_assert_eq(malloc_trim(0), 0, "nothing left to give back");
}
