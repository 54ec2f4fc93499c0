// SPDX-License-Identifier: MIT
/*
 * lib/version.c - kmem_version(): the library's version at run time.
 */
#include <kmem/version.h>

#define STRINGIFY(x) #x
#define VERSION_STRING(major, minor, patch)                                                        \
	STRINGIFY(major) "." STRINGIFY(minor) "." STRINGIFY(patch)

const char *kmem_version(void)
{
	return VERSION_STRING(KMEM_VERSION_MAJOR, KMEM_VERSION_MINOR, KMEM_VERSION_PATCH);
}
