// SPDX-License-Identifier: MIT
/*
 * test/lib/test_report.c - the report path (lib/report.c): a long name in
 * a report is cut so that the details after it stay.
 */
#include <criterion/criterion.h>
#include <string.h>

#include <kmem/slab.h>
#include "lib/core.h"
#include "test/helpers.h"

static char last_report[4096];

static bool keep_whole_report(enum kmem_report_kind kind, const char *msg, void *data)
{
	(void)kind;
	(void)data;
	snprintf(last_report, sizeof(last_report), "%s", msg);
	return true;
}

static void keep_reports(void)
{
	kmem_set_report_hook(keep_whole_report, NULL);
	kmem_set_report_action(KMEM_REPORT_CONTINUE);
}

TestSuite(report, .init = keep_reports, .fini = kmem_test_check);

/* A cache name of 8000 bytes, longer than a whole report. */
static const char *long_name(void)
{
	static char name[8001];

	memset(name, 'n', sizeof(name) - 1);
	return name;
}

Test(report, a_cache_name_longer_than_a_report_is_cut_and_the_details_stay)
{
	struct kmem_cache *s = kmem_cache_create(long_name(), 64, 0, 0, NULL);
	char *obj, *end;

	cr_assert_not_null(s);
	obj = kmem_cache_alloc(s, GFP_KERNEL);
	cr_assert_not_null(obj);
	kmem_cache_free(s, obj + 8);
	cr_assert(strstr(last_report, ": kmem_cache_free: invalid pointer "),
		  "the details are in the report");
	cr_assert(strstr(last_report, "not the start of an object"));
	end = strchr(last_report + strlen("BUG: "), ':');
	cr_assert_eq(end - last_report, (long)strlen("BUG: ") + KMEM_REPORT_STRING_MAX,
		     "the name is cut to %d bytes", KMEM_REPORT_STRING_MAX);
	kmem_cache_free(s, obj);
	kmem_cache_destroy(s);
}

Test(report, a_debug_object_report_keeps_its_details_after_a_long_name)
{
	struct kmem_cache *s =
		kmem_cache_create(long_name(), 64, 0, SLAB_RED_ZONE | SLAB_POISON, NULL);
	char *obj;

	cr_assert_not_null(s);
	obj = kmem_cache_alloc(s, GFP_KERNEL);
	cr_assert_not_null(obj);
	kmem_cache_free(s, obj);
	kmem_cache_free(s, obj);
	cr_assert(strstr(last_report, ": Object already free\n"), "the headline's end");
	cr_assert(strstr(last_report, "\nSlab 0x"), "the slab line");
	cr_assert(strstr(last_report, "\nObject   0x"), "the object dump");
	kmem_cache_destroy(s);
}

Test(report, a_report_that_fits_is_not_cut)
{
	char name[KMEM_REPORT_STRING_MAX + 100];
	struct kmem_cache *s;
	char *obj;

	memset(name, 'm', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	s = kmem_cache_create(name, 64, 0, 0, NULL);
	cr_assert_not_null(s);
	obj = kmem_cache_alloc(s, GFP_KERNEL);
	cr_assert_not_null(obj);
	kmem_cache_free(s, obj + 8);
	cr_assert(strstr(last_report, name), "a name shorter than the report is whole");
	kmem_cache_free(s, obj);
	kmem_cache_destroy(s);
}
