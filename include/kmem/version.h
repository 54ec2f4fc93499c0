/* SPDX-License-Identifier: MIT */
#ifndef KMEM_VERSION_H
#define KMEM_VERSION_H

#define KMEM_VERSION_MAJOR 0
#define KMEM_VERSION_MINOR 1
#define KMEM_VERSION_PATCH 0

#endif /* KMEM_VERSION_H */
