/* SPDX-License-Identifier: MIT */
/*
 * mm/shim/shim.h - what the files of libkmem-malloc.so share: the
 * KMEM_TRACE recorder (mm/shim/trace.c) that malloc.c calls.
 */
#ifndef KMEM_MM_SHIM_SHIM_H
#define KMEM_MM_SHIM_SHIM_H

#include <stddef.h>

#include "lib/core.h"

enum shim_trace_state {
	SHIM_TRACE_OFF,
	SHIM_TRACE_UNKNOWN, /* before the first call looked at KMEM_TRACE */
	SHIM_TRACE_ON,
};

/* Not OFF until the first call found KMEM_TRACE unset: one load per call. */
__hidden extern int shim_trace_state;

/*
 * shim_trace_alloc - record the block @p of @size bytes; shim_trace_free -
 * record that @p was freed (nothing if it was allocated before tracing).
 * Both read KMEM_TRACE on their first call.
 */
__hidden void shim_trace_alloc(const void *p, size_t size);
__hidden void shim_trace_free(const void *p);

static inline bool shim_tracing(void)
{
	return unlikely(READ_ONCE(shim_trace_state) != SHIM_TRACE_OFF);
}

#endif /* KMEM_MM_SHIM_SHIM_H */
