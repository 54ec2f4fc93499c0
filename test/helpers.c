// SPDX-License-Identifier: MIT
#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "test/helpers.h"

#define MAX_CAPTURED 64

static pthread_mutex_t capture_lock = PTHREAD_MUTEX_INITIALIZER;
static char captured_msgs[MAX_CAPTURED][512];
static unsigned int nr_captured;
static unsigned long captured_kind[KMEM_REPORT_CHECK + 1];

static bool capture_hook(enum kmem_report_kind kind, const char *msg, void *data)
{
	(void)data;
	pthread_mutex_lock(&capture_lock);
	captured_kind[kind]++;
	if (nr_captured < MAX_CAPTURED)
		snprintf(captured_msgs[nr_captured++], sizeof(captured_msgs[0]), "%s", msg);
	pthread_mutex_unlock(&capture_lock);
	return true;
}

void capture_reports(void)
{
	kmem_set_report_hook(capture_hook, NULL);
	kmem_set_report_action(KMEM_REPORT_CONTINUE);
}

static const char *fatal_needle;

static bool fatal_hook(enum kmem_report_kind kind, const char *msg, void *data)
{
	(void)data;
	if (kind == KMEM_REPORT_BUG)
		cr_assert(strstr(msg, fatal_needle), "expected a BUG report with \"%s\", got: %s",
			  fatal_needle, msg);
	return true;
}

void expect_fatal_report(const char *needle)
{
	fatal_needle = needle;
	kmem_set_report_hook(fatal_hook, NULL);
}

unsigned long captured(enum kmem_report_kind kind)
{
	unsigned long n;

	pthread_mutex_lock(&capture_lock);
	n = captured_kind[kind];
	pthread_mutex_unlock(&capture_lock);
	return n;
}

bool captured_contains(const char *needle)
{
	bool found = false;

	pthread_mutex_lock(&capture_lock);
	for (unsigned int i = 0; i < nr_captured && !found; i++)
		found = strstr(captured_msgs[i], needle) != NULL;
	pthread_mutex_unlock(&capture_lock);
	return found;
}

void kmem_test_check(void)
{
	cr_assert_eq(kmem_check(), 0, "kmem_check() found a broken invariant");
}

void fill_tagged(void *p, size_t len, uint64_t tag)
{
	unsigned char *c = p;

	for (size_t i = 0; i < len; i++)
		c[i] = (unsigned char)(tag * 31 + i * 7);
}

bool check_tagged(const void *p, size_t len, uint64_t tag)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < len; i++)
		if (c[i] != (unsigned char)(tag * 31 + i * 7))
			return false;
	return true;
}

void (*os_call_probe)(const char *call);

static void probe(const char *call)
{
	void (*fn)(const char *) = __atomic_load_n(&os_call_probe, __ATOMIC_ACQUIRE);

	if (fn)
		fn(call);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	probe("mmap");
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

int munmap(void *addr, size_t len)
{
	probe("munmap");
	return (int)syscall(SYS_munmap, addr, len);
}

int mprotect(void *addr, size_t len, int prot)
{
	probe("mprotect");
	return (int)syscall(SYS_mprotect, addr, len, prot);
}

int madvise(void *addr, size_t len, int advice)
{
	probe("madvise");
	return (int)syscall(SYS_madvise, addr, len, advice);
}
