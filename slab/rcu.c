// SPDX-License-Identifier: MIT
/*
 * slab/rcu.c - SLAB_TYPESAFE_BY_RCU: a slab's pages return to the buddy
 * allocator only after an RCU grace period.
 *
 * Objects of such a cache are reused at once (readers must revalidate what
 * they find, the kernel rule); only the memory under them must stay a slab
 * of the same cache until every reader that might still look at it has
 * left its read-side critical section.
 *
 * liburcu asks that call_rcu() callers be registered RCU threads, but an
 * empty slab can be released by any thread (a free, a thread's exit
 * destructor, kmem_cache_shrink(), the memory-pressure shrinker), and a
 * thread cannot ask liburcu whether it is registered.  So released slabs go
 * on a queue served by one kmem thread, started on first use, which waits
 * for a grace period with urcu_memb_synchronize_rcu() (legal from any thread
 * outside a read-side critical section; the worker never reads) and then
 * frees the whole batch.  Readers follow liburcu's usual rule: register with
 * urcu_memb_register_thread() and bracket reads with urcu_memb_read_lock().
 *
 * Locking: rcu_queue.lock is a leaf lock; the worker frees pages without it.
 */
#include <urcu/urcu-memb.h>

#include "slab/internal.h"

static struct {
	pthread_mutex_t lock;
	pthread_cond_t work; /* the queue is not empty */
	pthread_cond_t done; /* @completed advanced */
	struct list_head queue;
	unsigned long queued;	 /* slabs ever queued */
	unsigned long completed; /* slabs ever freed */
	bool started;
} rcu_queue = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.work = PTHREAD_COND_INITIALIZER,
	.done = PTHREAD_COND_INITIALIZER,
	.queue = {&rcu_queue.queue, &rcu_queue.queue},
};

static void *slab_rcu_worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&rcu_queue.lock);
	for (;;) {
		struct list_head batch;
		unsigned long n = 0;

		while (list_empty(&rcu_queue.queue))
			pthread_cond_wait(&rcu_queue.work, &rcu_queue.lock);
		/* Take the whole queue: one grace period covers the batch. */
		batch = rcu_queue.queue;
		batch.next->prev = &batch;
		batch.prev->next = &batch;
		INIT_LIST_HEAD(&rcu_queue.queue);
		pthread_mutex_unlock(&rcu_queue.lock);

		urcu_memb_synchronize_rcu();
		while (!list_empty(&batch)) {
			struct slab *slab = container_of(batch.next, struct slab, list);

			list_del(&slab->list);
			slab_free_pages(slab);
			n++;
		}
		/* The worker's page cache must not hold freed slabs hostage. */
		kmem_page_drain();

		pthread_mutex_lock(&rcu_queue.lock);
		rcu_queue.completed += n;
		pthread_cond_broadcast(&rcu_queue.done);
	}
	return NULL;
}

void slab_rcu_defer(struct slab *slab)
{
	pthread_mutex_lock(&rcu_queue.lock);
	if (!rcu_queue.started) {
		pthread_attr_t attr;
		pthread_t thread;

		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		rcu_queue.started = !pthread_create(&thread, &attr, slab_rcu_worker, NULL);
		pthread_attr_destroy(&attr);
		if (!rcu_queue.started) {
			/* Never free early: keep the slab (leaked) rather than break RCU. */
			pthread_mutex_unlock(&rcu_queue.lock);
			kmem_warn("kmem: cannot start the RCU slab worker; slab %p is kept",
				  (void *)slab_address(slab));
			return;
		}
	}
	list_add_tail(&slab->list, &rcu_queue.queue);
	rcu_queue.queued++;
	pthread_cond_signal(&rcu_queue.work);
	pthread_mutex_unlock(&rcu_queue.lock);
}

void slab_rcu_barrier(void)
{
	unsigned long target;

	pthread_mutex_lock(&rcu_queue.lock);
	target = rcu_queue.queued;
	while (rcu_queue.completed < target)
		pthread_cond_wait(&rcu_queue.done, &rcu_queue.lock);
	pthread_mutex_unlock(&rcu_queue.lock);
}

/* Fork: the queue must not be mid-update in the child. */
void slab_rcu_fork_prepare(void)
{
	pthread_mutex_lock(&rcu_queue.lock);
}

void slab_rcu_fork_parent(void)
{
	pthread_mutex_unlock(&rcu_queue.lock);
}

/*
 * The worker does not exist in a forked child; the next release starts a
 * new one, which also frees whatever is still queued.  A batch the parent's
 * worker was waiting on is lost to the child (its slabs stay allocated).
 */
void slab_rcu_fork_child(void)
{
	struct list_head *pos;
	unsigned long queued = 0;

	list_for_each(pos, &rcu_queue.queue)
		queued++;
	rcu_queue.completed = rcu_queue.queued - queued;
	pthread_mutex_init(&rcu_queue.lock, NULL);
	pthread_cond_init(&rcu_queue.work, NULL);
	pthread_cond_init(&rcu_queue.done, NULL);
	rcu_queue.started = false;
}
