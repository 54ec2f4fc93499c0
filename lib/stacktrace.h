/* SPDX-License-Identifier: MIT */
/*
 * lib/stacktrace.h - call stacks for reports: capture them cheaply, name
 * their addresses when a report is printed.
 */
#ifndef KMEM_LIB_STACKTRACE_H
#define KMEM_LIB_STACKTRACE_H

#include <stddef.h>
#include "lib/core.h"

/*
 * kmem_stack_save - up to @max return addresses of the calling thread,
 * innermost first, starting with @from when it is on the stack (so kmem's
 * own frames are left out: pass the caller that entered kmem), else with
 * the caller of kmem_stack_save().  Returns how many were stored: 0 when
 * called again from inside the unwinder (its first use may allocate).
 */
__hidden unsigned int kmem_stack_save(void **frames, unsigned int max, const void *from);

/*
 * kmem_stack_prepare - the unwinder loads libgcc on first use, which
 * allocates; call this where no allocator lock is held before a path that
 * saves stacks under one.  Idempotent and cheap after the first call.
 */
__hidden void kmem_stack_prepare(void);

/*
 * kmem_symbolize - name the code address @addr (a return address) as the
 * kernel's %pS does: "function+0x1d/0x80 [module]", or, without a symbol
 * (static functions of a PIE), "0x55d0c1a3b2ff [module+0x12ff]" for
 * addr2line.  Returns the length written to @buf (NUL-terminated).  Does
 * not allocate.
 */
__hidden size_t kmem_symbolize(char *buf, size_t len, const void *addr);

#endif /* KMEM_LIB_STACKTRACE_H */
