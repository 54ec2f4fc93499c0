// SPDX-License-Identifier: MIT
/*
 * lib/config.c - options from the environment.
 *
 * Numbers are decimal only: a leading zero does not switch to octal (064M
 * is 64 MiB) and there is no hex.  Every value that is not taken, because
 * it is malformed, overflows or is out of range, is reported with a warning
 * that names the variable and the value, and the default is used.
 *
 * getenv() does not allocate, so these are safe inside the malloc shim.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/core.h"

/*
 * Parse the decimal digits at *s into *out, stopping at the first
 * non-digit.  False when there is no digit or the value passes @max.
 */
static bool parse_decimal(const char **s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;
	const char *p = *s;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned int digit = (unsigned int)(*p - '0');

		if (v > (max - digit) / 10)
			return false;
		v = v * 10 + digit;
	}
	*s = p;
	*out = v;
	return true;
}

/*
 * The shift of a size suffix: K, M, G or T in any case (binary units),
 * optionally followed by B or iB; a bare B; or nothing.  -1 for anything
 * else.
 */
static int size_suffix_shift(const char *s)
{
	static const char units[] = "kmgt";
	const char *unit = *s ? strchr(units, *s | 0x20) : NULL;
	int shift = 0;

	if (unit) {
		shift = 10 * (int)(unit - units + 1);
		s++;
		if (!strcasecmp(s, "ib"))
			return shift;
	}
	return !*s || !strcasecmp(s, "b") ? shift : -1;
}

size_t kmem_env_size(const char *name, size_t def)
{
	const char *s = getenv(name);
	const char *p = s;
	unsigned long long v;
	int shift;

	if (!s || !*s)
		return def;
	if (!parse_decimal(&p, SIZE_MAX, &v) || (shift = size_suffix_shift(p)) < 0) {
		kmem_warn("kmem: ignoring %s=\"%s\": expected a decimal number of bytes with an "
			  "optional K, M, G or T suffix; using %zu",
			  name, s, def);
		return def;
	}
	if (v > (unsigned long long)SIZE_MAX >> shift) {
		kmem_warn("kmem: ignoring %s=\"%s\": more bytes than a size_t holds; using %zu",
			  name, s, def);
		return def;
	}
	return (size_t)(v << shift);
}

bool kmem_parse_long(const char *s, long min, long max, long *out)
{
	bool negative = *s == '-';
	unsigned long long magnitude;
	long v;

	s += negative;
	if (!parse_decimal(&s, (unsigned long long)LONG_MAX + negative, &magnitude) || *s)
		return false;
	/* Negate in unsigned arithmetic: LONG_MIN has no positive counterpart. */
	v = negative ? (long)(0 - magnitude) : (long)magnitude;
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool kmem_parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;

	if (!parse_decimal(&s, UINT64_MAX, &v) || *s)
		return false;
	*out = v;
	return true;
}

long kmem_env_long_range(const char *name, long def, long min, long max)
{
	const char *s = getenv(name);
	long v;

	if (!s || !*s)
		return def;
	if (!kmem_parse_long(s, LONG_MIN, LONG_MAX, &v)) {
		kmem_warn("kmem: ignoring %s=\"%s\": expected a decimal integer; using %ld", name,
			  s, def);
		return def;
	}
	if (v < min || v > max) {
		kmem_warn("kmem: ignoring %s=\"%s\": outside %ld..%ld; using %ld", name, s, min,
			  max, def);
		return def;
	}
	return v;
}

long kmem_env_long(const char *name, long def)
{
	return kmem_env_long_range(name, def, LONG_MIN, LONG_MAX);
}
