// SPDX-License-Identifier: MIT
/*
 * test/page/test_buddy.c - the buddy page allocator (page/).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/prandom.h"
#include "page/internal.h"
#include "test/helpers.h"

TestSuite(buddy, .fini = kmem_test_check, .timeout = 30);

static void buddy_snapshot(unsigned long nr_free[NR_PAGE_ORDERS])
{
	struct kmem_page_stats st;

	kmem_page_drain();
	kmem_page_stats(&st);
	memcpy(nr_free, st.nr_free, sizeof(st.nr_free));
}

ParameterizedTestParameters(buddy, every_order_allocates_aligned_and_writable)
{
	static unsigned int orders[NR_PAGE_ORDERS];

	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++)
		orders[o] = o;
	return cr_make_param_array(unsigned int, orders, NR_PAGE_ORDERS);
}

ParameterizedTest(unsigned int *order, buddy, every_order_allocates_aligned_and_writable)
{
	struct page *page = alloc_pages(GFP_KERNEL, *order);
	size_t bytes = PAGE_SIZE << *order;
	unsigned char *p;

	cr_assert_not_null(page, "order %u", *order);
	p = page_address(page);
	cr_assert_eq((uintptr_t)p % bytes, 0, "order-%u block aligned to its size", *order);
	memset(p, 0xa5, bytes);
	cr_assert_eq(p[0], 0xa5);
	cr_assert_eq(p[bytes - 1], 0xa5);
	cr_assert_eq(page_count(page), 1);
	cr_assert_eq(kmem_check(), 0);
	__free_pages(page, *order);
}

Test(buddy, coalesces_freed_buddies_back_to_starting_state)
{
	unsigned long before[NR_PAGE_ORDERS], after[NR_PAGE_ORDERS];
	struct page *pages[200];
	unsigned int orders[200];
	struct prandom_state rng;

	prandom_seed_state(&rng, 42);
	free_page(__get_free_page(GFP_KERNEL));
	buddy_snapshot(before);
	cr_assert_eq(before[MAX_PAGE_ORDER], 1, "one wholly free region to start from");

	for (int i = 0; i < 200; i++) {
		orders[i] = prandom_u32_below(&rng, 4);
		pages[i] = alloc_pages(GFP_KERNEL, orders[i]);
		cr_assert_not_null(pages[i]);
	}
	cr_assert_eq(kmem_check(), 0);
	/* Free in a scrambled order so merges happen out of address order. */
	for (int i = 0; i < 200; i += 2)
		__free_pages(pages[i], orders[i]);
	for (int i = 1; i < 200; i += 2)
		__free_pages(pages[i], orders[i]);

	buddy_snapshot(after);
	cr_assert_arr_eq(before, after, sizeof(before), "buddyinfo returns to its starting state");
}

Test(buddy, split_halves_go_to_lower_orders)
{
	unsigned long nr_free[NR_PAGE_ORDERS];
	struct page *page;

	kmem_set_mem_limit(0);
	page = alloc_pages(GFP_KERNEL, 4); /* order 4 bypasses the thread cache */
	cr_assert_not_null(page);
	buddy_snapshot(nr_free);
	/* One fresh region split down to order 4: one free block at each of 4..9. */
	for (unsigned int o = 4; o < MAX_PAGE_ORDER; o++)
		cr_assert_eq(nr_free[o], 1, "order %u", o);
	cr_assert_eq(nr_free[MAX_PAGE_ORDER], 0);
	__free_pages(page, 4);
	buddy_snapshot(nr_free);
	cr_assert_eq(nr_free[MAX_PAGE_ORDER], 1, "everything merged back");
}

Test(buddy, virt_to_page_and_page_address_round_trip)
{
	struct page *page = alloc_pages(GFP_KERNEL | __GFP_COMP, 5);
	char *base;

	cr_assert_not_null(page);
	base = page_address(page);
	for (unsigned long i = 0; i < 32; i++) {
		char *addr = base + i * PAGE_SIZE;

		cr_assert_eq(virt_to_page(addr), page + i, "page %lu", i);
		cr_assert_eq(virt_to_page(addr + PAGE_SIZE - 1), page + i);
		cr_assert_eq(page_address(page + i), addr);
		cr_assert_eq(virt_to_head_page(addr + 17), page);
		cr_assert_eq(pfn_to_page(page_to_pfn(page + i)), page + i);
	}
	__free_pages(page, 5);
}

Test(buddy, virt_to_page_is_null_for_foreign_memory)
{
	int on_stack = 0;
	void *heap = malloc(64);

	cr_assert_null(virt_to_page(&on_stack));
	cr_assert_null(virt_to_page(heap));
	cr_assert_null(virt_to_page(NULL));
	cr_assert_null(virt_to_page((void *)-4096L));
	cr_assert(!virt_addr_valid(heap));
	free(heap);
}

Test(buddy, compound_pages_have_head_and_tails)
{
	struct page *page = alloc_pages(GFP_KERNEL | __GFP_COMP, 3);

	cr_assert_not_null(page);
	cr_assert(PageHead(page));
	cr_assert(!PageTail(page));
	cr_assert_eq(compound_order(page), 3);
	cr_assert_eq(page_size(page), 8 * PAGE_SIZE);
	for (int i = 1; i < 8; i++) {
		cr_assert(PageTail(page + i));
		cr_assert_eq(compound_head(page + i), page);
		cr_assert_eq(page_count(page + i), 1, "tail reports the head's count");
	}
	/* put_page on a tail frees the whole block. */
	put_page(page + 5);
	cr_assert(!PageHead(page));
	cr_assert(!PageTail(page + 1));
}

Test(buddy, get_page_keeps_block_alive_until_last_put)
{
	struct page *page = alloc_pages(GFP_KERNEL | __GFP_COMP, 2);

	cr_assert_not_null(page);
	get_page(page + 1);
	get_page(page);
	cr_assert_eq(page_count(page), 3);
	put_page(page);
	put_page(page + 3);
	cr_assert_eq(page_count(page), 1);
	cr_assert(PageHead(page), "still allocated");
	__free_pages(page, 2);
	cr_assert_eq(page_ref_count(page), 0);
}

Test(buddy, free_pages_with_extra_reference_frees_all_but_first_page)
{
	struct page *page = alloc_pages(GFP_KERNEL, 2);

	cr_assert_not_null(page);
	get_page(page);
	__free_pages(page, 2);
	cr_assert_eq(page_ref_count(page), 1, "first page survives");
	for (int i = 1; i < 4; i++)
		cr_assert_eq(page_ref_count(page + i), 0, "page %d freed", i);
	cr_assert_eq(kmem_check(), 0);
	put_page(page);
	cr_assert_eq(page_ref_count(page), 0);
}

Test(buddy, alloc_pages_exact_gives_back_its_tail)
{
	char *p = alloc_pages_exact(5 * PAGE_SIZE, GFP_KERNEL);
	struct page *page;

	cr_assert_not_null(p);
	page = virt_to_page(p);
	memset(p, 1, 5 * PAGE_SIZE);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(page_ref_count(page + i), 1, "page %d kept", i);
	for (int i = 5; i < 8; i++)
		cr_assert_eq(page_ref_count(page + i), 0, "page %d given back", i);
	cr_assert_eq(kmem_check(), 0);
	free_pages_exact(p, 5 * PAGE_SIZE);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(page_ref_count(page + i), 0);
}

Test(buddy, split_page_makes_independent_pages)
{
	struct page *page = alloc_pages(GFP_KERNEL, 3);

	cr_assert_not_null(page);
	split_page(page, 3);
	for (int i = 0; i < 8; i++)
		cr_assert_eq(page_ref_count(page + i), 1);
	for (int i = 7; i >= 0; i -= 2)
		__free_page(page + i);
	cr_assert_eq(kmem_check(), 0);
	for (int i = 6; i >= 0; i -= 2)
		__free_page(page + i);
}

Test(buddy, gfp_zero_zeroes_a_recycled_page)
{
	unsigned long addr = __get_free_page(GFP_KERNEL);
	unsigned char *p;

	cr_assert_neq(addr, 0);
	memset((void *)addr, 0xff, PAGE_SIZE);
	free_page(addr);
	p = (unsigned char *)get_zeroed_page(GFP_KERNEL);
	cr_assert_eq((unsigned long)p, addr, "the thread cache hands the same page back");
	for (size_t i = 0; i < PAGE_SIZE; i++)
		cr_assert_eq(p[i], 0, "byte %zu", i);
	free_page((unsigned long)p);
}

Test(buddy, order_above_max_fails_with_a_warning)
{
	capture_reports();
	cr_assert_null(alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER + 1));
	cr_assert_eq(captured(KMEM_REPORT_WARN), 1);
	cr_assert(captured_contains("MAX_PAGE_ORDER"));
	cr_assert_null(alloc_pages(GFP_KERNEL | __GFP_NOWARN, 20));
	cr_assert_eq(captured(KMEM_REPORT_WARN), 1, "__GFP_NOWARN is silent");
	cr_assert_eq(__get_free_pages(GFP_KERNEL | __GFP_NOWARN, 11), 0);
}

Test(buddy, free_pages_of_zero_is_a_noop)
{
	capture_reports();
	free_pages(0, 0);
	free_pages(0, 5);
	__free_pages(NULL, 0);
	free_pages_exact(NULL, 100);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 0);
}

Test(buddy, memory_limit_fails_cleanly_and_stays_consistent)
{
	struct page *blocks[4];

	capture_reports();
	kmem_set_mem_limit(2 * (PAGE_SIZE << MAX_PAGE_ORDER));
	cr_assert_eq(kmem_get_mem_limit(), 2 * (PAGE_SIZE << MAX_PAGE_ORDER));
	blocks[0] = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER);
	blocks[1] = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER);
	cr_assert_not_null(blocks[0]);
	cr_assert_not_null(blocks[1]);
	blocks[2] = alloc_pages(GFP_KERNEL, 0);
	cr_assert_null(blocks[2], "third region would pass the limit");
	cr_assert(captured_contains("page allocation failure"));
	cr_assert_null(alloc_pages(GFP_ATOMIC | __GFP_NOWARN, 0));
	cr_assert_eq(kmem_check(), 0);

	__free_pages(blocks[1], MAX_PAGE_ORDER);
	blocks[2] = alloc_pages(GFP_KERNEL, 0);
	cr_assert_not_null(blocks[2], "freed memory is reusable under the limit");
	__free_pages(blocks[2], 0);
	__free_pages(blocks[0], MAX_PAGE_ORDER);
}

Test(buddy, limit_below_one_region_fails_every_allocation)
{
	capture_reports();
	kmem_set_mem_limit(PAGE_SIZE);
	cr_assert_null(alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0));
	cr_assert_null(alloc_pages(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN, 3));
	cr_assert_eq(captured(KMEM_REPORT_WARN), 0);
}

Test(buddy, memory_limit_from_the_environment_is_decimal)
{
	setenv("KMEM_MEM_LIMIT", "064M", 1); /* read at first use */
	cr_assert_eq(kmem_get_mem_limit(), 64UL << 20, "064M is 64 MiB, not octal");
}

Test(buddy, memory_limit_that_overflows_is_refused_with_a_warning)
{
	capture_reports();
	setenv("KMEM_MEM_LIMIT", "17179869184G", 1);
	cr_assert_eq(kmem_get_mem_limit(), 0, "the default (no limit) applies");
	cr_assert(captured_contains("KMEM_MEM_LIMIT=\"17179869184G\""));
}

Test(buddy, negative_decay_is_refused_with_a_warning)
{
	capture_reports();
	setenv("KMEM_PAGE_DECAY_MS", "-1", 1);
	kmem_get_mem_limit(); /* initialises the page layer */
	cr_assert_eq(zone.decay_ns, 1000 * 1000000ull, "the default of 1000 ms applies");
	cr_assert(captured_contains("KMEM_PAGE_DECAY_MS=\"-1\""));
}

Test(buddy, memory_limit_is_kept_to_the_byte)
{
	kmem_set_mem_limit(6 * (PAGE_SIZE << MAX_PAGE_ORDER) / 4 + PAGE_SIZE);
	cr_assert_eq(kmem_get_mem_limit(), 6 * (PAGE_SIZE << MAX_PAGE_ORDER) / 4 + PAGE_SIZE);
}

static unsigned long hook_calls[4];

#define DEFINE_COUNTING_HOOK(i)                                                                    \
	static unsigned long counting_hook_##i(void)                                               \
	{                                                                                          \
		__atomic_fetch_add(&hook_calls[i], 1, __ATOMIC_RELAXED);                           \
		return 0;                                                                          \
	}
DEFINE_COUNTING_HOOK(0)
DEFINE_COUNTING_HOOK(1)
DEFINE_COUNTING_HOOK(2)
DEFINE_COUNTING_HOOK(3)

static void *reclaim_until_told(void *stop)
{
	while (!__atomic_load_n((bool *)stop, __ATOMIC_ACQUIRE))
		cr_assert_null(alloc_pages(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN, 0));
	return NULL;
}

/*
 * The data race on the hook count shows only under ThreadSanitizer, which
 * Criterion's runner does not survive; this checks the behaviour around it:
 * hooks registered while other threads reclaim are all called afterwards.
 */
Test(buddy, reclaim_hooks_registered_while_others_reclaim_are_all_called)
{
	static const page_reclaim_fn hooks[] = {counting_hook_0, counting_hook_1, counting_hook_2,
						counting_hook_3};
	bool stop = false;
	pthread_t t;

	kmem_set_mem_limit(PAGE_SIZE);
	pthread_create(&t, NULL, reclaim_until_told, &stop);
	for (unsigned int i = 0; i < ARRAY_SIZE(hooks); i++)
		page_register_reclaim(hooks[i]);
	__atomic_store_n(&stop, true, __ATOMIC_RELEASE);
	pthread_join(t, NULL);

	memset(hook_calls, 0, sizeof(hook_calls));
	cr_assert_null(alloc_pages(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN, 0));
	for (unsigned int i = 0; i < ARRAY_SIZE(hooks); i++)
		cr_assert_eq(hook_calls[i], 1, "hook %u called once by one failed allocation", i);
}

static void *free_after_delay(void *arg)
{
	usleep(50 * 1000);
	__free_pages(arg, MAX_PAGE_ORDER);
	return NULL;
}

Test(buddy, nofail_waits_for_memory_to_be_freed)
{
	struct page *hog, *page;
	pthread_t t;

	kmem_set_mem_limit(PAGE_SIZE << MAX_PAGE_ORDER);
	hog = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER);
	cr_assert_not_null(hog);
	pthread_create(&t, NULL, free_after_delay, hog);
	page = alloc_pages(GFP_KERNEL | __GFP_NOFAIL, 0);
	cr_assert_not_null(page);
	pthread_join(t, NULL);
	__free_pages(page, 0);
}

Test(buddy, free_regions_beyond_retain_go_back_to_the_os)
{
	struct kmem_page_stats st;
	struct page *blocks[6];

	setenv("KMEM_PAGE_DECAY_MS", "0", 1); /* read at first use */

	for (int i = 0; i < 6; i++) {
		blocks[i] = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER);
		cr_assert_not_null(blocks[i]);
	}
	kmem_page_stats(&st);
	cr_assert_eq(st.regions, 6);
	for (int i = 0; i < 6; i++)
		__free_pages(blocks[i], MAX_PAGE_ORDER);
	kmem_page_stats(&st);
	cr_assert_eq(st.regions, 2, "two free regions retained by default (KMEM_PAGE_RETAIN)");
	cr_assert_eq(st.regions_released, 4);
	cr_assert_eq(kmem_page_trim(), 2 * (PAGE_SIZE << MAX_PAGE_ORDER));
	kmem_page_stats(&st);
	cr_assert_eq(st.regions, 0);
	cr_assert_eq(st.mapped_bytes, 0);
	cr_assert_eq(st.peak_mapped_bytes, 6 * (PAGE_SIZE << MAX_PAGE_ORDER));
}

Test(buddy, free_regions_beyond_retain_stay_until_they_decay)
{
	struct kmem_page_stats st;
	struct page *blocks[4];

	setenv("KMEM_PAGE_DECAY_MS", "100", 1);
	setenv("KMEM_PAGE_RETAIN", "4M", 1);
	for (int i = 0; i < 4; i++)
		blocks[i] = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER);
	for (int i = 0; i < 3; i++)
		__free_pages(blocks[i], MAX_PAGE_ORDER);
	kmem_page_stats(&st);
	cr_assert_eq(st.regions, 4, "freed regions are kept until they decay");
	cr_assert_eq(kmem_check(), 0);
	usleep(250 * 1000);
	__free_pages(blocks[3], MAX_PAGE_ORDER);
	kmem_page_stats(&st);
	cr_assert_eq(st.regions, 1,
		     "the next free unmaps the expired regions beyond the retained 4 MiB");
	cr_assert_eq(st.regions_released, 3);
}

static void *cache_pages_and_exit(void *arg)
{
	unsigned long addrs[20];

	(void)arg;
	for (int i = 0; i < 20; i++)
		addrs[i] = __get_free_page(GFP_KERNEL);
	for (int i = 0; i < 20; i++)
		free_page(addrs[i]);
	return NULL;
}

Test(buddy, thread_exit_returns_cached_pages)
{
	struct kmem_page_stats st;

	for (int round = 0; round < 50; round++) {
		pthread_t t;

		pthread_create(&t, NULL, cache_pages_and_exit, NULL);
		pthread_join(t, NULL);
	}
	kmem_page_stats(&st);
	cr_assert_eq(st.pcp_bytes, 0, "no pages stranded in exited threads' caches");
	cr_assert_eq(st.used_bytes, 0);
	cr_assert_eq(st.regions, 1);
}

Test(buddy, buddyinfo_prints_the_proc_format)
{
	char buf[256] = {0};
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	struct page *page = alloc_pages(GFP_KERNEL, 9);

	kmem_buddyinfo(f);
	fclose(f);
	cr_assert(strncmp(buf, "Node 0, zone   Normal ", 22) == 0, "got \"%s\"", buf);
	cr_assert(strstr(buf,
			 "     0      0      0      0      0      0      0      0      0 "
			 "     1      0 \n"),
		  "got \"%s\"", buf);
	__free_pages(page, 9);
}

/* ---- threads --------------------------------------------------------- */

#define STRESS_SLOTS 256

struct stress_shared {
	struct {
		struct page *page;
		unsigned int order;
		uint64_t tag;
		pthread_mutex_t lock;
	} slot[STRESS_SLOTS];
};

struct stress_arg {
	struct stress_shared *shared;
	uint64_t seed;
	bool failed;
};

static void *stress_thread(void *p)
{
	struct stress_arg *arg = p;
	struct stress_shared *sh = arg->shared;
	struct prandom_state rng;

	prandom_seed_state(&rng, arg->seed);
	for (int i = 0; i < 20000 && !arg->failed; i++) {
		unsigned int s = prandom_u32_below(&rng, STRESS_SLOTS);

		pthread_mutex_lock(&sh->slot[s].lock);
		if (sh->slot[s].page) {
			/* Often freed by the thread that did not allocate it. */
			struct page *page = sh->slot[s].page;
			size_t len = PAGE_SIZE << sh->slot[s].order;

			if (!check_tagged(page_address(page), len < 256 ? len : 256,
					  sh->slot[s].tag))
				arg->failed = true;
			__free_pages(page, sh->slot[s].order);
			sh->slot[s].page = NULL;
		} else {
			unsigned int order = prandom_u32_below(&rng, 6);
			struct page *page = alloc_pages(GFP_KERNEL, order);

			if (!page) {
				arg->failed = true;
			} else {
				sh->slot[s].page = page;
				sh->slot[s].order = order;
				sh->slot[s].tag = prandom_u64_state(&rng);
				fill_tagged(page_address(page), 256, sh->slot[s].tag);
			}
		}
		pthread_mutex_unlock(&sh->slot[s].lock);
	}
	return NULL;
}

Test(buddy, two_threads_with_cross_thread_frees_stay_consistent)
{
	static struct stress_shared shared;
	struct stress_arg args[2] = {{&shared, 1, false}, {&shared, 99, false}};
	pthread_t t[2];

	for (int i = 0; i < STRESS_SLOTS; i++)
		pthread_mutex_init(&shared.slot[i].lock, NULL);
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, stress_thread, &args[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	cr_assert(!args[0].failed && !args[1].failed, "shadow data intact, no failed allocation");
	cr_assert_eq(kmem_check(), 0);
	for (int i = 0; i < STRESS_SLOTS; i++)
		if (shared.slot[i].page)
			__free_pages(shared.slot[i].page, shared.slot[i].order);
}

Test(buddy, forked_child_can_allocate)
{
	unsigned long addr = __get_free_page(GFP_KERNEL);
	pid_t pid = fork();

	if (pid == 0) {
		unsigned long a = __get_free_pages(GFP_KERNEL, 4);

		memset((void *)a, 1, PAGE_SIZE << 4);
		free_pages(a, 4);
		free_page(addr);
		_exit(kmem_check() == 0 ? 0 : 1);
	}
	int status;

	waitpid(pid, &status, 0);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child allocated and checked");
	free_page(addr);
}

/* ---- misuse ---------------------------------------------------------- */

Test(buddy, double_free_aborts, .signal = SIGABRT)
{
	unsigned long addr = __get_free_page(GFP_KERNEL);

	expect_fatal_report("not allocated: double free");
	free_page(addr);
	free_page(addr);
}

Test(buddy, foreign_free_aborts, .signal = SIGABRT)
{
	static char not_ours[2 * 4096] __attribute__((aligned(4096)));

	expect_fatal_report("was not allocated by kmem");
	free_page((unsigned long)not_ours);
}

Test(buddy, misaligned_free_aborts, .signal = SIGABRT)
{
	unsigned long addr = __get_free_page(GFP_KERNEL);

	expect_fatal_report("is not page aligned");
	free_page(addr + 8);
}

Test(buddy, double_free_is_reported_and_refused)
{
	struct page *page;

	capture_reports();
	page = alloc_pages(GFP_KERNEL, 2);
	__free_pages(page, 2);
	__free_pages(page, 2);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 1);
	cr_assert(captured_contains("Bad page state"));
	cr_assert(captured_contains("double free"));
}

Test(buddy, free_with_wrong_order_is_reported_and_refused)
{
	struct page *page;

	capture_reports();
	page = alloc_pages(GFP_KERNEL, 1);
	__free_pages(page, 3);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 1);
	cr_assert(captured_contains("allocated with order 1 freed with order 3"));
	__free_pages(page, 1);
}

Test(buddy, free_of_tail_page_is_reported_and_refused)
{
	struct page *page;

	capture_reports();
	page = alloc_pages(GFP_KERNEL | __GFP_COMP, 2);
	__free_pages(page + 1, 0);
	cr_assert(captured_contains("tail page"));
	page = alloc_pages(GFP_KERNEL, 2);
	free_page((unsigned long)page_address(page + 2));
	cr_assert(captured_contains("not allocated"));
	cr_assert_eq(captured(KMEM_REPORT_BUG), 2);
}

/* Free the block holding @obj with the page API, as a confused caller would. */
static void free_block_of(const void *obj, bool by_address)
{
	struct page *head = virt_to_head_page(obj);

	if (by_address)
		free_pages((unsigned long)page_address(head), compound_order(head));
	else
		__free_pages(head, compound_order(head));
}

static void assert_bad_page_state_for(const char *owner)
{
	cr_assert_eq(captured(KMEM_REPORT_BUG), 1);
	cr_assert(captured_contains("BUG: Bad page state in process "), "the kernel's first line");
	cr_assert(captured_contains("page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set"));
	cr_assert(captured_contains(owner));
}

Test(buddy, freeing_a_slab_page_is_reported_and_refused)
{
	struct kmem_cache *cache = kmem_cache_create("bad-page", 64, 0, 0, NULL);
	unsigned long *obj = kmem_cache_alloc(cache, GFP_KERNEL);
	unsigned long *other;

	capture_reports();
	cr_assert(PageSlab(virt_to_head_page(obj)));
	*obj = 0x5ab;
	free_block_of(obj, false);
	assert_bad_page_state_for("the block is a slab");
	other = kmem_cache_alloc(cache, GFP_KERNEL);
	cr_assert_eq(kmem_check(), 0, "the slab is intact");
	cr_assert_eq(*obj, 0x5ab, "the live object was not handed out again");
	kmem_cache_free(cache, other);
	kmem_cache_free(cache, obj);
	kmem_cache_destroy(cache);
}

Test(buddy, freeing_a_heap_segment_by_address_is_reported_and_refused)
{
	char *p = kmalloc(2 * KMALLOC_MAX_CACHE_SIZE + 100, GFP_KERNEL); /* an odd medium size */

	capture_reports();
	cr_assert(page_test_flag(virt_to_head_page(p), PG_heap));
	strcpy(p, "still here");
	free_block_of(p, true);
	assert_bad_page_state_for("the block is a heap segment");
	cr_assert_eq(kmem_check(), 0);
	cr_assert_str_eq(p, "still here");
	kfree(p);
}

Test(buddy, freeing_a_large_kmalloc_block_is_reported_and_refused)
{
	char *p = kmalloc(4 * KMALLOC_MAX_CACHE_SIZE, GFP_KERNEL);

	capture_reports();
	cr_assert(page_test_flag(virt_to_head_page(p), PG_large));
	free_block_of(p, false);
	assert_bad_page_state_for("the block is a large kmalloc allocation");
	cr_assert_eq(kmem_check(), 0);
	cr_assert_eq(ksize(p), 4 * KMALLOC_MAX_CACHE_SIZE);
	kfree(p);
}

Test(buddy, put_page_of_the_last_reference_to_a_slab_is_refused)
{
	struct kmem_cache *cache = kmem_cache_create("bad-put", 256, 0, 0, NULL);
	void *obj = kmem_cache_alloc(cache, GFP_KERNEL);
	struct page *head = virt_to_head_page(obj);

	capture_reports();
	get_page(head);
	put_page(head);
	cr_assert_eq(captured(KMEM_REPORT_BUG), 0, "a reference taken may be put");
	put_page(head);
	assert_bad_page_state_for("(in put_page())");
	cr_assert_eq(page_count(head), 1);
	kmem_cache_free(cache, obj);
	kmem_cache_destroy(cache);
}

Test(buddy, freeing_a_slab_page_aborts, .signal = SIGABRT)
{
	struct kmem_cache *cache = kmem_cache_create("bad-page-abort", 64, 0, 0, NULL);

	expect_fatal_report("the block is a slab");
	free_block_of(kmem_cache_alloc(cache, GFP_KERNEL), false);
}
