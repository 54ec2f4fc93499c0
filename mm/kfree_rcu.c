// SPDX-License-Identifier: MIT
/*
 * mm/kfree_rcu.c - kfree_rcu(): free after an RCU grace period, in batches.
 *
 * Structure
 *   liburcu's call_rcu() needs one struct rcu_head per callback and passes
 *   only that head to the callback, so a callback cannot tell where the
 *   object around a head starts.  kmem therefore uses the object's rcu_head
 *   as a queue node holding the object's address, and lets one call_rcu()
 *   on a static rcu_head stand for a whole batch:
 *
 *     queued  -- objects waiting for the next batch (LIFO through the heads)
 *     batch   -- objects whose grace period is running (at most one batch)
 *
 *   __kvfree_rcu() adds to queued and, when no batch is running, turns
 *   queued into the batch and calls call_rcu().  The callback (on liburcu's
 *   call_rcu thread, after the grace period) kvfree()s the batch, then
 *   starts the next one from queued if there is any.  Every object
 *   is therefore freed after a grace period that began after it was queued.
 *
 * Invariants
 *   R1 batch_running iff a call_rcu() on batch_head is outstanding.
 *   R2 nr_queued counts every object ever queued, nr_freed every object
 *      freed; batches are freed in the order they started and each holds
 *      everything queued before it, so when nr_freed reaches the nr_queued
 *      that kvfree_rcu_barrier() saw, every object queued before it is gone.
 *
 * Locking
 *   krc.lock guards everything above; kvfree() is called without it.
 */
#include <pthread.h>
#include <urcu/urcu-memb.h>

#include <kmem/kmalloc.h>

#include "lib/core.h"

/* What the object's rcu_head holds while it waits. */
struct kfree_rcu_node {
	struct kfree_rcu_node *next;
	void *ptr;
};

_Static_assert(sizeof(struct kfree_rcu_node) <= sizeof(struct rcu_head),
	       "a queue node fits in liburcu's rcu_head");

static struct {
	pthread_mutex_t lock;
	pthread_cond_t idle;
	struct kfree_rcu_node *queued;
	struct kfree_rcu_node *batch;
	bool batch_running;
	unsigned long nr_queued, nr_freed;
	struct rcu_head batch_head;
} krc = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.idle = PTHREAD_COND_INITIALIZER,
};

static void kfree_rcu_batch_done(struct rcu_head *head);

/* Start a grace period for everything queued.  Caller holds krc.lock. */
static void start_batch(void)
{
	krc.batch = krc.queued;
	krc.queued = NULL;
	krc.batch_running = true;
	urcu_memb_call_rcu(&krc.batch_head, kfree_rcu_batch_done);
}

static void kfree_rcu_batch_done(struct rcu_head *head)
{
	struct kfree_rcu_node *done, *next;
	unsigned long n = 0;

	(void)head;
	pthread_mutex_lock(&krc.lock);
	done = krc.batch;
	krc.batch = NULL;
	pthread_mutex_unlock(&krc.lock);

	for (; done; done = next, n++) {
		next = done->next;
		kvfree(done->ptr);
	}

	/* Only now may the next batch start: batches finish in order (R2). */
	pthread_mutex_lock(&krc.lock);
	krc.nr_freed += n;
	krc.batch_running = false;
	if (krc.queued)
		start_batch();
	pthread_cond_broadcast(&krc.idle);
	pthread_mutex_unlock(&krc.lock);
}

void __kvfree_rcu(struct rcu_head *head, void *ptr)
{
	struct kfree_rcu_node *node = (struct kfree_rcu_node *)head;

	if (!ptr)
		return;
	node->ptr = ptr;
	pthread_mutex_lock(&krc.lock);
	node->next = krc.queued;
	krc.queued = node;
	krc.nr_queued++;
	if (!krc.batch_running)
		start_batch();
	pthread_mutex_unlock(&krc.lock);
}

void kfree_rcu_mightsleep(const void *ptr)
{
	if (!ptr)
		return;
	urcu_memb_synchronize_rcu();
	kvfree(ptr);
}

void kvfree_rcu_barrier(void)
{
	unsigned long target;

	pthread_mutex_lock(&krc.lock);
	target = krc.nr_queued;
	while ((long)(krc.nr_freed - target) < 0)
		pthread_cond_wait(&krc.idle, &krc.lock);
	pthread_mutex_unlock(&krc.lock);
}
