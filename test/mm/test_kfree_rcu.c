// SPDX-License-Identifier: MIT
/*
 * test/mm/test_kfree_rcu.c - kfree_rcu() after a grace period (mm/kfree_rcu.c).
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <unistd.h>
#include <urcu/urcu-memb.h>

#include "test/helpers.h"

static void rcu_setup(void)
{
	urcu_memb_register_thread();
}

static void rcu_teardown(void)
{
	urcu_memb_unregister_thread();
	kmem_test_check();
}

TestSuite(kfree_rcu, .init = rcu_setup, .fini = rcu_teardown, .timeout = 30);

/* Large enough to be a page block, whose reference count shows the free. */
/* Beyond the kmalloc heap's largest chunk: a page block with a refcount. */
struct big_node {
	struct rcu_head rcu;
	char payload[1100000];
};

static int block_refcount(const void *p)
{
	return page_ref_count(virt_to_page(p));
}

struct reader {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stage;
};

static void reader_wait(struct reader *r, int stage)
{
	pthread_mutex_lock(&r->lock);
	while (r->stage < stage)
		pthread_cond_wait(&r->cond, &r->lock);
	pthread_mutex_unlock(&r->lock);
}

static void reader_go(struct reader *r, int stage)
{
	pthread_mutex_lock(&r->lock);
	r->stage = stage;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

static void *reader_thread(void *arg)
{
	struct reader *r = arg;

	urcu_memb_register_thread();
	urcu_memb_read_lock();
	reader_go(r, 1); /* inside the read-side critical section */
	reader_wait(r, 2);
	urcu_memb_read_unlock();
	urcu_memb_unregister_thread();
	return NULL;
}

Test(kfree_rcu, frees_only_after_the_grace_period)
{
	struct reader r = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
	struct big_node *node = kmalloc(sizeof(*node), GFP_KERNEL);
	pthread_t t;

	cr_assert_eq(block_refcount(node), 1);
	pthread_create(&t, NULL, reader_thread, &r);
	reader_wait(&r, 1);
	kfree_rcu(node, rcu);
	usleep(50000); /* give a wrong implementation time to free early */
	cr_assert_eq(block_refcount(node), 1, "still allocated while a reader may see it");
	reader_go(&r, 2);
	pthread_join(t, NULL);
	kvfree_rcu_barrier();
	cr_assert_eq(block_refcount(node), 0, "freed once the reader left");
}

Test(kfree_rcu, barrier_waits_for_every_queued_free)
{
	struct kmem_kmalloc_stats st;

	for (int i = 0; i < 300; i++) {
		struct big_node *node = kmalloc(sizeof(*node), GFP_KERNEL);

		kfree_rcu(node, rcu);
	}
	kvfree_rcu_barrier();
	kmem_kmalloc_stats(&st);
	cr_assert_eq(st.large_count, 0, "all 300 freed");
}

struct small_node {
	long key;
	struct rcu_head rcu;
};

Test(kfree_rcu, rcu_head_anywhere_and_vmalloc_objects)
{
	struct small_node *s = kmalloc(sizeof(*s), GFP_KERNEL);
	struct vnode {
		char data[5 * 1024 * 1024];
		struct rcu_head rcu;
	} *v = kvmalloc(sizeof(*v), GFP_KERNEL);

	cr_assert(is_vmalloc_addr(v));
	kfree_rcu(s, rcu);
	kvfree_rcu(v, rcu);
	kvfree_rcu_barrier();
	cr_assert_not(is_vmalloc_addr(v), "the vmalloc area was freed");
}

Test(kfree_rcu, mightsleep_frees_at_once)
{
	void *p = kmalloc(1 << 18, GFP_KERNEL); /* a power of two: a page block */

	kfree_rcu_mightsleep(p);
	cr_assert_eq(block_refcount(p), 0);
	kfree_rcu_mightsleep(NULL);
}
