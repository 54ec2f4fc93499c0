/* SPDX-License-Identifier: MIT */
/*
 * lib/core.h - library-wide services every layer may use: compiler helpers,
 * intrusive lists, the report path (lib/report.c) and configuration from the
 * environment (lib/config.c).  Nothing here knows about pages, slabs or heaps.
 */
#ifndef KMEM_LIB_CORE_H
#define KMEM_LIB_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kmem/debug.h>

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __hidden __attribute__((visibility("hidden")))
#define __noinline __attribute__((noinline))
#define __cold __attribute__((cold))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __tls_ie __attribute__((tls_model("initial-exec")))

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

static inline size_t align_up(size_t x, size_t a)
{
	return (x + a - 1) & ~(a - 1);
}

static inline bool is_power_of_2(size_t x)
{
	return x && !(x & (x - 1));
}

/* ---- intrusive doubly linked list ---------------------------------- */

struct list_head {
	struct list_head *next, *prev;
};

static inline void INIT_LIST_HEAD(struct list_head *head)
{
	head->next = head;
	head->prev = head;
}

static inline bool list_empty(const struct list_head *head)
{
	return head->next == head;
}

static inline void __list_insert(struct list_head *node, struct list_head *prev,
				 struct list_head *next)
{
	next->prev = node;
	node->next = next;
	node->prev = prev;
	prev->next = node;
}

static inline void list_add(struct list_head *node, struct list_head *head)
{
	__list_insert(node, head, head->next);
}

static inline void list_add_tail(struct list_head *node, struct list_head *head)
{
	__list_insert(node, head->prev, head);
}

static inline void list_del(struct list_head *node)
{
	node->next->prev = node->prev;
	node->prev->next = node->next;
	node->next = node->prev = NULL;
}

#define list_for_each(pos, head) for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

/* ---- reports (lib/report.c) ----------------------------------------- */

/*
 * kmem_bug() reports misuse or corruption and aborts unless the report
 * action is KMEM_REPORT_CONTINUE, in which case it returns and the caller
 * must refuse the operation.  kmem_warn() and kmem_check_failed() always
 * return.  None of them allocates.
 */
__hidden __cold __printf(1, 2) void kmem_bug(const char *fmt, ...);
__hidden __cold __printf(1, 2) void kmem_warn(const char *fmt, ...);
__hidden __cold __printf(1, 2) int kmem_check_failed(const char *fmt, ...);
/* kmem_info() prints on stderr as it is: traces, not reports (no hook, no count). */
__hidden __cold __printf(1, 2) void kmem_info(const char *fmt, ...);
__hidden __cold __attribute__((noreturn)) void kmem_assert_fail(const char *expr, const char *file,
								int line);

/*
 * The public call a thread is inside, when a front end that is not kmem's
 * own API (the malloc shim) wants reports to name its call and its caller:
 * "BUG: kmalloc: realloc(0x...): ..." rather than the kmem function that
 * found the problem, and allocation tracks to name the program's caller.
 * Set for the duration of the call; every BUG report made meanwhile ends
 * with a line "In free(0x...) called from main+0x1d/0x80 [prog]".
 */
struct kmem_api_call {
	const char *name; /* "free", "realloc", ... */
	const void *ptr;  /* the pointer argument, if any */
	void *caller;	  /* the return address into the program */
};

__hidden extern __thread const struct kmem_api_call *kmem_current_call __tls_ie;

static inline void kmem_api_enter(const struct kmem_api_call *call)
{
	kmem_current_call = call;
}

static inline void kmem_api_leave(void)
{
	kmem_current_call = NULL;
}

/* @fn, or the front end's name for the call in progress. */
static inline const char *kmem_api_name(const char *fn)
{
	const struct kmem_api_call *call = kmem_current_call;

	return unlikely(call) ? call->name : fn;
}

/* @caller, or the program's return address from the front end's call. */
static inline void *kmem_api_caller(void *caller)
{
	const struct kmem_api_call *call = kmem_current_call;

	return unlikely(call) ? call->caller : caller;
}

/* An internal invariant: always on, aborts with the failed expression. */
#define KMEM_BUG_ON(cond)                                                                          \
	do {                                                                                       \
		if (unlikely(cond))                                                                \
			kmem_assert_fail(#cond, __FILE__, __LINE__);                               \
	} while (0)

/* ---- configuration (lib/config.c) ----------------------------------- */

/*
 * Read once per call from the environment; callers read their options once
 * at layer initialisation.  Numbers are decimal (a leading 0 is not octal);
 * sizes take an optional K, M, G or T suffix (binary units, optionally
 * followed by B or iB).  A value that is malformed, overflows or lies
 * outside [@min, @max] is reported with a warning naming the variable and
 * the value, and the default is used.
 */
__hidden size_t kmem_env_size(const char *name, size_t def);
/* The same decimal syntax for a whole string: false unless it is all taken. */
__hidden bool kmem_parse_long(const char *s, long min, long max, long *out);
__hidden bool kmem_parse_u64(const char *s, uint64_t *out);
__hidden long kmem_env_long_range(const char *name, long def, long min, long max);
__hidden long kmem_env_long(const char *name, long def);

/* ---- randomness (lib/random.c) --------------------------------------- */

/*
 * 64 unpredictable bits from the kernel (getrandom), for secrets and for
 * seeding lib/prandom.h generators.  Never blocks, never allocates.
 */
__hidden uint64_t kmem_get_random_u64(void);

#endif /* KMEM_LIB_CORE_H */
