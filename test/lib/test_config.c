// SPDX-License-Identifier: MIT
/*
 * test/lib/test_config.c - options from the environment (lib/config.c).
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdlib.h>

#include "lib/core.h"
#include "test/helpers.h"

TestSuite(config, .init = capture_reports, .fini = kmem_test_check);

#define TEST_VAR "KMEM_TEST_OPTION"

static size_t size_of(const char *value)
{
	setenv(TEST_VAR, value, 1);
	return kmem_env_size(TEST_VAR, 12345);
}

static long long_of(const char *value, long min, long max)
{
	setenv(TEST_VAR, value, 1);
	return kmem_env_long_range(TEST_VAR, -7, min, max);
}

Test(config, sizes_are_decimal_with_binary_suffixes)
{
	cr_assert_eq(size_of("064M"), 64UL << 20, "a leading zero is not octal");
	cr_assert_eq(size_of("0"), 0);
	cr_assert_eq(size_of("4096"), 4096);
	cr_assert_eq(size_of("4096B"), 4096);
	cr_assert_eq(size_of("64m"), 64UL << 20);
	cr_assert_eq(size_of("64MB"), 64UL << 20);
	cr_assert_eq(size_of("64MiB"), 64UL << 20);
	cr_assert_eq(size_of("8k"), 8UL << 10);
	cr_assert_eq(size_of("3G"), 3UL << 30);
	cr_assert_eq(size_of("2T"), 2UL << 40);
	cr_assert_eq(size_of("18446744073709551615"), SIZE_MAX);
	cr_assert_eq(captured(KMEM_REPORT_WARN), 0);
}

Test(config, a_size_that_overflows_is_refused_with_a_warning)
{
	cr_assert_eq(size_of("17179869184G"), 12345);
	cr_assert_eq(captured(KMEM_REPORT_WARN), 1);
	cr_assert(captured_contains(TEST_VAR "=\"17179869184G\""));
	cr_assert_eq(size_of("18446744073709551616"), 12345);
	cr_assert_eq(captured(KMEM_REPORT_WARN), 2);
	cr_assert(captured_contains(TEST_VAR "=\"18446744073709551616\""));
}

Test(config, malformed_sizes_are_refused_with_a_warning_naming_the_value)
{
	static const char *const bad[] = {"0x10", "-1",	   "1.5M", " 64M", "64 M",
					  "12Q",  "64MBB", "M",	   "64iB", "+5"};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char needle[64];

		cr_assert_eq(size_of(bad[i]), 12345, "\"%s\" is not a size", bad[i]);
		snprintf(needle, sizeof(needle), TEST_VAR "=\"%s\"", bad[i]);
		cr_assert(captured_contains(needle), "no warning names %s", needle);
	}
	cr_assert_eq(captured(KMEM_REPORT_WARN), ARRAY_SIZE(bad));
}

Test(config, unset_and_empty_take_the_default_silently)
{
	unsetenv(TEST_VAR);
	cr_assert_eq(kmem_env_size(TEST_VAR, 99), 99);
	cr_assert_eq(kmem_env_long(TEST_VAR, -3), -3);
	cr_assert_eq(size_of(""), 12345);
	cr_assert_eq(captured(KMEM_REPORT_WARN), 0);
}

Test(config, integers_are_decimal_and_range_checked)
{
	cr_assert_eq(long_of("010", 0, 100), 10, "a leading zero is not octal");
	cr_assert_eq(long_of("-5", -10, 10), -5);
	cr_assert_eq(long_of("-9223372036854775808", LONG_MIN, LONG_MAX), LONG_MIN);
	cr_assert_eq(long_of("9223372036854775807", LONG_MIN, LONG_MAX), LONG_MAX);
	cr_assert_eq(captured(KMEM_REPORT_WARN), 0);

	cr_assert_eq(long_of("-1", 0, 100), -7, "below the range");
	cr_assert(captured_contains(TEST_VAR "=\"-1\": outside 0..100"));
	cr_assert_eq(long_of("101", 0, 100), -7, "above the range");
	cr_assert_eq(long_of("9223372036854775808", LONG_MIN, LONG_MAX), -7, "overflow");
	cr_assert_eq(long_of("0x10", 0, 100), -7);
	cr_assert_eq(long_of("1e3", 0, 10000), -7);
	cr_assert_eq(long_of("-", -10, 10), -7);
	cr_assert_eq(captured(KMEM_REPORT_WARN), 6);
	cr_assert(captured_contains(TEST_VAR "=\"1e3\""));
}
