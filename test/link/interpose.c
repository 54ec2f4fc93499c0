// SPDX-License-Identifier: MIT
/*
 * test/link/interpose.c - a program's own kfree() does not capture kmem's.
 *
 * The kernel's userspace test harnesses define kfree() and friends for the
 * code they test.  Built once against libkmem.so and once against
 * libkmem.a, this program defines kfree() too (it only counts calls), then
 * has kmem free memory on its own behalf: kvfree(), krealloc() and
 * kfree_sensitive() call kfree inside kmem.  None of those calls may reach
 * the program's kfree, and the memory must really be freed: 64 rounds of
 * 1 MiB would otherwise leave 64 MiB in use.
 */
#include <stdio.h>
#include <string.h>
#include <kmem/kmem.h>

static unsigned long program_kfree_calls;

void kfree(const void *objp)
{
	(void)objp;
	program_kfree_calls++;
}

#define ROUNDS 64
#define BIG (1UL << 20)

static size_t used_bytes(void)
{
	struct kmem_page_stats stats;

	kmem_page_stats(&stats);
	return stats.used_bytes;
}

int main(void)
{
	size_t before = used_bytes(), after;

	for (int i = 0; i < ROUNDS; i++) {
		char *copy = kstrdup("freed by kmem", GFP_KERNEL);
		char *big = kvmalloc(BIG, GFP_KERNEL);
		char *moved = kmalloc(64, GFP_KERNEL);

		if (!copy || !big || !moved)
			return 1;
		memset(big, i, BIG);
		kvfree(copy);
		kvfree(big);
		moved = krealloc(moved, 2 * BIG, GFP_KERNEL);
		if (!moved)
			return 1;
		kfree_sensitive(moved);
	}
	kmem_kmalloc_drain();
	kmem_page_drain();
	after = used_bytes();
	if (program_kfree_calls != 0) {
		fprintf(stderr, "kmem called the program's kfree %lu times\n", program_kfree_calls);
		return 1;
	}
	if (after > before + 8 * BIG) {
		fprintf(stderr, "%zu bytes still in use after freeing everything (%zu before)\n",
			after, before);
		return 1;
	}
	kfree(NULL);
	if (program_kfree_calls != 1) {
		fprintf(stderr, "the program's own kfree call did not reach its kfree\n");
		return 1;
	}
	return kmem_check() ? 1 : 0;
}
