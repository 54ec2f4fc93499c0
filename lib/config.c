// SPDX-License-Identifier: MIT
/*
 * lib/config.c - options from the environment.
 *
 * getenv() does not allocate, so these are safe inside the malloc shim.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "lib/core.h"

static bool parse_size(const char *s, size_t *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return false;
	switch (*end) {
	case 'k':
	case 'K':
		v <<= 10, end++;
		break;
	case 'm':
	case 'M':
		v <<= 20, end++;
		break;
	case 'g':
	case 'G':
		v <<= 30, end++;
		break;
	default:
		break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end)
		return false;
	*out = (size_t)v;
	return true;
}

size_t kmem_env_size(const char *name, size_t def)
{
	const char *s = getenv(name);
	size_t v;

	if (!s || !*s)
		return def;
	if (!parse_size(s, &v)) {
		kmem_warn("kmem: ignoring %s=\"%s\": expected bytes with an optional K/M/G suffix",
			  name, s);
		return def;
	}
	return v;
}

long kmem_env_long(const char *name, long def)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s || !*s)
		return def;
	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end) {
		kmem_warn("kmem: ignoring %s=\"%s\": expected an integer", name, s);
		return def;
	}
	return v;
}
