/* SPDX-License-Identifier: MIT */
/*
 * kmem/version.h - the version a program was compiled against, and the one
 * it runs with.
 */
#ifndef KMEM_VERSION_H
#define KMEM_VERSION_H

#include <kmem/export.h>

#define KMEM_VERSION_MAJOR 0
#define KMEM_VERSION_MINOR 1
#define KMEM_VERSION_PATCH 0

KMEM_BEGIN_DECLS

/**
 * kmem_version - the version of the kmem library the program runs with
 *
 * The KMEM_VERSION_* macros give the version a program was compiled
 * against; this gives the one loaded at run time, which differs when a
 * newer libkmem.so of the same major version is installed.
 *
 * Return: "MAJOR.MINOR.PATCH", a static string.
 */
KMEM_API const char *kmem_version(void);

KMEM_END_DECLS

#endif /* KMEM_VERSION_H */
