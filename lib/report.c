// SPDX-License-Identifier: MIT
/*
 * lib/report.c - the one path every report takes.
 *
 * Reports are formatted into a stack buffer and written with write(2): the
 * report path must work while allocator locks are held and inside the malloc
 * shim, so it never allocates and never uses stdio.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/core.h"
#include "lib/stacktrace.h"

/* Big enough for an object report with two short stacks and hex dumps. */
#define REPORT_BYTES 6144

__thread const struct kmem_api_call *kmem_current_call __tls_ie;

static kmem_report_hook_t report_hook;
static void *report_hook_data;
static enum kmem_report_action report_action = KMEM_REPORT_ABORT;
static unsigned long report_counts[KMEM_REPORT_CHECK + 1];

void kmem_set_report_hook(kmem_report_hook_t hook, void *data)
{
	__atomic_store_n(&report_hook_data, data, __ATOMIC_RELAXED);
	__atomic_store_n(&report_hook, hook, __ATOMIC_RELEASE);
}

void kmem_set_report_action(enum kmem_report_action action)
{
	WRITE_ONCE(report_action, action);
}

unsigned long kmem_report_count(enum kmem_report_kind kind)
{
	if ((unsigned int)kind > KMEM_REPORT_CHECK)
		return 0;
	return __atomic_load_n(&report_counts[kind], __ATOMIC_RELAXED);
}

static void write_all(const char *buf, size_t len)
{
	int saved = errno;

	while (len) {
		ssize_t n = write(STDERR_FILENO, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		buf += n;
		len -= (size_t)n;
	}
	errno = saved;
}

/* Append to @buf (holding @len bytes, NUL-terminated) without overflowing it. */
static __printf(4, 5) size_t append(char *buf, size_t size, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (len >= size - 1)
		return len;
	va_start(ap, fmt);
	n = vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return len;
	return len + ((size_t)n < size - len ? (size_t)n : size - len - 1);
}

/* "In free(0x...) called from main+0x1d/0x80 [prog]" for a front end's call. */
static size_t append_call(char *buf, size_t size, size_t len)
{
	const struct kmem_api_call *call = kmem_current_call;
	char where[256];

	if (!call)
		return len;
	kmem_symbolize(where, sizeof(where), call->caller);
	if (call->ptr)
		return append(buf, size, len, "In %s(%p) called from %s\n", call->name, call->ptr,
			      where);
	return append(buf, size, len, "In %s() called from %s\n", call->name, where);
}

static void report(enum kmem_report_kind kind, const char *prefix, const char *fmt, va_list ap)
{
	char buf[REPORT_BYTES];
	size_t len = (size_t)snprintf(buf, sizeof(buf), "%s", prefix);
	kmem_report_hook_t hook;
	int n;

	n = vsnprintf(buf + len, sizeof(buf) - len - 1, fmt, ap);
	if (n > 0)
		len += (size_t)n < sizeof(buf) - len - 1 ? (size_t)n : sizeof(buf) - len - 2;
	if (len && buf[len - 1] != '\n')
		buf[len++] = '\n';
	buf[len] = '\0';
	if (kind == KMEM_REPORT_BUG)
		len = append_call(buf, sizeof(buf), len);

	__atomic_fetch_add(&report_counts[kind], 1, __ATOMIC_RELAXED);
	hook = __atomic_load_n(&report_hook, __ATOMIC_ACQUIRE);
	if (hook && hook(kind, buf, READ_ONCE(report_hook_data)))
		return;
	write_all(buf, len);
}

void kmem_bug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(KMEM_REPORT_BUG, "BUG: ", fmt, ap);
	va_end(ap);
	if (READ_ONCE(report_action) == KMEM_REPORT_ABORT)
		abort();
}

void kmem_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(KMEM_REPORT_WARN, "WARNING: ", fmt, ap);
	va_end(ap);
}

int kmem_check_failed(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(KMEM_REPORT_CHECK, "kmem_check: ", fmt, ap);
	va_end(ap);
	return -1;
}

void kmem_info(const char *fmt, ...)
{
	char buf[REPORT_BYTES];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		write_all(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void kmem_assert_fail(const char *expr, const char *file, int line)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "kmem: internal invariant broken at %s:%d: %s\n", file,
			 line, expr);

	if (n > 0)
		write_all(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	abort();
}
