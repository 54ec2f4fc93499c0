// SPDX-License-Identifier: MIT
/*
 * test/slab/target_tools.c - the bugs valgrind's memcheck and AddressSanitizer
 * must see in kmem's objects, one per argument: a kmalloc use-after-free
 * ("uaf"), a write past a slab object ("overflow"), a leaked kmalloc object
 * ("leak"), or all three ("all", for memcheck, which goes on after each).
 * test/slab/test_tools.c runs it under the tools and reads their reports.
 */
#include <stdio.h>
#include <string.h>
#include <kmem/kmem.h>

struct thing {
	long a, b, c;
};

/*
 * The compiler may not see through @x (it would warn about the bugs below,
 * and fold constant kmalloc sizes into their class).
 */
#define hide(x) __asm__("" : "+r"(x))

static void use_after_free(void)
{
	size_t size = 40;
	char *p, *stale;
	volatile char sink;

	hide(size);
	p = kmalloc(size, GFP_KERNEL);
	memset(p, 1, size);
	stale = p;
	hide(stale);
	kfree(p);
	sink = stale[3];
	(void)sink;
}

static void overflow(void)
{
	struct kmem_cache *s = kmem_cache_create("thing", sizeof(struct thing), 0, 0, NULL);
	struct thing *t = kmem_cache_alloc(s, GFP_KERNEL);
	char *bytes = (char *)t;

	/* The byte behind the only live object is a free slot's, or the slab's tail. */
	hide(bytes);
	bytes[sizeof(*t)] = 1;
	kmem_cache_free(s, t);
}

static __attribute__((noinline)) void leak(void)
{
	size_t size = 100;
	void *p;

	hide(size);
	p = kmalloc(size, GFP_KERNEL);
	hide(p);
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "all";
	bool all = !strcmp(what, "all");

	if (all || !strcmp(what, "uaf"))
		use_after_free();
	if (all || !strcmp(what, "overflow"))
		overflow();
	if (all || !strcmp(what, "leak"))
		leak();
	puts("done");
	return 0;
}
