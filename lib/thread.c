// SPDX-License-Identifier: MIT
/*
 * lib/thread.c - per-thread caches: registry, exit flush, fork, and
 * flushing another thread's caches.
 *
 * Structure
 *   Every thread that uses a per-thread cache of any layer has one struct
 *   kmem_thread (thread-local) on the registry.  Its exit destructor (one
 *   pthread key) flushes every layer's caches, slab before page, and marks
 *   it dead: its later frees take the layers' locked paths.
 *
 *   Memory a thread caches must stay reachable when the thread idles: a
 *   memory limit, kmem_cache_shrink() and reclaim flush other threads'
 *   caches.  The owner touches its caches without a lock or an atomic
 *   read-modify-write, so a flusher and the owner agree through an
 *   asymmetric Dekker protocol:
 *
 *	owner fast path			flusher
 *	gate.busy = 1			lock(t->lock)
 *	(compiler barrier)		gate.divert |= FLUSH, every gate of t
 *	if (gate.divert) -> slow	membarrier()  (a full barrier on
 *	... touch the caches ...	               every running thread)
 *	gate.busy = 0 (release)		wait until every gate.busy == 0
 *					flush the caches
 *					gate.divert &= ~FLUSH; unlock(t->lock)
 *
 *   Each layer keeps its gate (struct kmem_thread_gate) in its own
 *   thread-local data, so a fast path touches one thread-local block.
 *   membarrier() makes the owner's store of busy visible to the flusher, or
 *   the flusher's request visible to the owner's load: one of the two sees
 *   the other, so they never both touch the caches.  An owner that sees the
 *   request takes its slow path, which runs under its own t->lock and so
 *   waits for the flusher.  The owner's slow paths always hold t->lock.
 *   Without membarrier() (old kernels, some emulators) other threads are not
 *   flushed; ThreadSanitizer builds use sequentially consistent accesses on
 *   both sides instead (KMEM_THREAD_DEKKER).
 *
 * Invariants
 *   T1 A thread is on the registry iff its state is ACTIVE; nr_threads
 *      counts them.
 *   T2 KMEM_GATE_FLUSH is set in a gate only by a flusher holding t->lock;
 *      KMEM_GATE_DIVERT is set in every gate iff divert_count > 0.
 *
 * Locking
 *   Order: [mm locks] -> flush_mutex -> registry_lock -> [slab locks] ->
 *   [page locks].  A thread's own t->lock comes before flush_mutex (a slow
 *   path that runs out of memory flushes everyone); so a flusher only ever
 *   trylocks another thread's t->lock, and retries after dropping its locks.
 */
#include <errno.h>
#include <sched.h>
#include <unistd.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>

#include "lib/thread.h"

__thread struct kmem_thread kmem_thread_self __tls_ie = {.lock = PTHREAD_MUTEX_INITIALIZER};

static pthread_once_t thread_once = PTHREAD_ONCE_INIT;
static pthread_key_t exit_key;
static bool exit_key_ok;
#ifndef __SANITIZE_THREAD__
static bool membarrier_ok;
#endif

static pthread_mutex_t flush_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list_head registry = {&registry, &registry};
static unsigned int nr_threads;
static unsigned long flush_generation;
static unsigned int divert_count; /* kmem_thread_divert_all() nesting */

static const struct kmem_thread_ops *layer_ops[KMEM_THREAD_NR_LAYERS];

#define MAX_FORK_OPS 4
static pthread_mutex_t fork_ops_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct kmem_fork_ops *fork_ops[KMEM_FORK_NR_LEVELS][MAX_FORK_OPS];
static unsigned int nr_fork_ops[KMEM_FORK_NR_LEVELS];

static bool thread_register_self(void);

/* ---- flushing ------------------------------------------------------------------- */

/* Every layer's caches of @t, top layer first; @t quiescent, its lock held. */
static void flush_layers(struct kmem_thread *t, enum kmem_flush_reason why)
{
	for (unsigned int l = 0; l < KMEM_THREAD_NR_LAYERS; l++) {
		const struct kmem_thread_ops *ops =
			__atomic_load_n(&layer_ops[l], __ATOMIC_ACQUIRE);

		if (ops && t->layer_data[l])
			ops->flush(t->layer_data[l], why);
	}
}

void kmem_thread_lock_self(void)
{
	struct kmem_thread *t = &kmem_thread_self;

	if (t->self_lock_depth++ == 0)
		pthread_mutex_lock(&t->lock);
}

void kmem_thread_unlock_self(void)
{
	struct kmem_thread *t = &kmem_thread_self;

	if (--t->self_lock_depth == 0)
		pthread_mutex_unlock(&t->lock);
}

void kmem_thread_flush_self(void)
{
	struct kmem_thread *t = &kmem_thread_self;

	if (t->state != KMEM_THREAD_ACTIVE)
		return;
	kmem_thread_lock_self();
	/* The registry lock keeps kmem_cache_destroy() off the same caches. */
	pthread_mutex_lock(&registry_lock);
	flush_layers(t, KMEM_FLUSH_SELF);
	pthread_mutex_unlock(&registry_lock);
	kmem_thread_unlock_self();
}

/* A full barrier on every running thread of the process. */
static void barrier_all_threads(void)
{
#ifndef __SANITIZE_THREAD__
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0))
		__atomic_thread_fence(__ATOMIC_SEQ_CST); /* cannot fail once registered */
#endif
}

static bool can_flush_others(void)
{
#ifdef __SANITIZE_THREAD__
	return true;
#else
	return membarrier_ok;
#endif
}

/*
 * One pass over the registry: flush every thread not flushed in this
 * generation whose lock is free.  Returns how many were left for later.
 */
static unsigned int flush_others_pass(unsigned long gen, unsigned int *flushed)
{
	struct kmem_thread *self = &kmem_thread_self;
	unsigned int claimed = 0, left = 0;
	struct list_head *pos;

	pthread_mutex_lock(&registry_lock);
	list_for_each(pos, &registry) {
		struct kmem_thread *t = container_of(pos, struct kmem_thread, link);

		if (t == self || t->flush_generation == gen)
			continue;
		if (pthread_mutex_trylock(&t->lock)) {
			left++;
			continue;
		}
		for (unsigned int l = 0; l < KMEM_THREAD_NR_LAYERS; l++)
			if (t->gates[l])
				__atomic_fetch_or(&t->gates[l]->divert, KMEM_GATE_FLUSH,
						  KMEM_THREAD_DEKKER);
		t->flush_generation = gen;
		t->flush_claimed = true;
		claimed++;
	}
	if (claimed) {
		barrier_all_threads();
		list_for_each(pos, &registry) {
			struct kmem_thread *t = container_of(pos, struct kmem_thread, link);

			if (!t->flush_claimed)
				continue;
			for (unsigned int l = 0; l < KMEM_THREAD_NR_LAYERS; l++) {
				unsigned int spins = 0;

				if (!t->gates[l])
					continue;
				while (__atomic_load_n(&t->gates[l]->busy, KMEM_THREAD_DEKKER_LOAD))
					if (++spins > 64)
						sched_yield();
			}
			flush_layers(t, KMEM_FLUSH_OTHER);
			for (unsigned int l = 0; l < KMEM_THREAD_NR_LAYERS; l++)
				if (t->gates[l])
					__atomic_fetch_and(&t->gates[l]->divert, ~KMEM_GATE_FLUSH,
							   __ATOMIC_RELEASE);
			t->flush_claimed = false;
			pthread_mutex_unlock(&t->lock);
			(*flushed)++;
		}
	}
	pthread_mutex_unlock(&registry_lock);
	return left;
}

unsigned int kmem_thread_flush_all(bool may_wait)
{
	unsigned int flushed = 0;
	unsigned long gen;

	if (!__atomic_load_n(&exit_key_ok, __ATOMIC_ACQUIRE) || !thread_register_self())
		return 0;
	if (kmem_thread_self.state == KMEM_THREAD_ACTIVE) {
		kmem_thread_flush_self();
		flushed++;
	}
	if (!can_flush_others())
		return flushed;
	/*
	 * Our own lock first, as on every path: what the flush frees lands in
	 * this thread's page cache, whose slow path takes it.
	 */
	kmem_thread_lock_self();
	if (may_wait)
		pthread_mutex_lock(&flush_mutex);
	else if (pthread_mutex_trylock(&flush_mutex))
		goto out;
	gen = ++flush_generation;
	/* A thread whose lock is held is in a slow path; it will be done soon. */
	for (unsigned int pass = 0; flush_others_pass(gen, &flushed) && may_wait && pass < 100;
	     pass++)
		sched_yield();
	pthread_mutex_unlock(&flush_mutex);
out:
	kmem_thread_unlock_self();
	return flushed;
}

/* ---- registry and exit --------------------------------------------------------- */

static void thread_exit(void *arg)
{
	struct kmem_thread *t = arg;

	kmem_thread_lock_self();
	pthread_mutex_lock(&registry_lock);
	flush_layers(t, KMEM_FLUSH_EXIT);
	list_del(&t->link);
	nr_threads--;
	t->state = KMEM_THREAD_DEAD;
	for (unsigned int l = 0; l < KMEM_THREAD_NR_LAYERS; l++) {
		t->layer_data[l] = NULL;
		t->gates[l] = NULL;
	}
	pthread_mutex_unlock(&registry_lock);
	kmem_thread_unlock_self();
}

static void fork_prepare(void);
static void fork_parent(void);
static void fork_child(void);

static void threads_lock_for_fork(void)
{
	pthread_mutex_lock(&flush_mutex);
	pthread_mutex_lock(&registry_lock);
}

static void threads_unlock_after_fork(void)
{
	pthread_mutex_unlock(&registry_lock);
	pthread_mutex_unlock(&flush_mutex);
}

/* Only the forking thread exists in the child: the others' caches are abandoned. */
static void threads_unlock_in_child(void)
{
	struct kmem_thread *self = &kmem_thread_self;

	INIT_LIST_HEAD(&registry);
	nr_threads = 0;
	if (self->state == KMEM_THREAD_ACTIVE) {
		list_add(&self->link, &registry);
		nr_threads = 1;
	}
	threads_unlock_after_fork();
}

static const struct kmem_fork_ops threads_fork_ops = {
	.prepare = threads_lock_for_fork,
	.parent = threads_unlock_after_fork,
	.child = threads_unlock_in_child,
};

static void add_fork_ops(enum kmem_fork_level level, const struct kmem_fork_ops *ops)
{
	pthread_mutex_lock(&fork_ops_lock);
	KMEM_BUG_ON(nr_fork_ops[level] == MAX_FORK_OPS);
	fork_ops[level][nr_fork_ops[level]++] = ops;
	pthread_mutex_unlock(&fork_ops_lock);
}

static void thread_init_once(void)
{
#ifndef __SANITIZE_THREAD__
	membarrier_ok = !syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0);
#endif
	add_fork_ops(KMEM_FORK_THREADS, &threads_fork_ops);
	pthread_atfork(fork_prepare, fork_parent, fork_child);
	/* Without a key no thread could flush at exit: no thread caches at all. */
	__atomic_store_n(&exit_key_ok, !pthread_key_create(&exit_key, thread_exit),
			 __ATOMIC_RELEASE);
}

static inline void thread_init(void)
{
	pthread_once(&thread_once, thread_init_once);
}

void kmem_thread_register_ops(enum kmem_thread_layer layer, const struct kmem_thread_ops *ops)
{
	__atomic_store_n(&layer_ops[layer], ops, __ATOMIC_RELEASE);
}

/*
 * Put the calling thread on the registry.  Never called with the registry
 * lock held: a flusher registers itself first, so that the pages it frees
 * into its own page cache need no registration under the lock.
 */
static bool thread_register_self(void)
{
	struct kmem_thread *t = &kmem_thread_self;

	if (t->state == KMEM_THREAD_ACTIVE)
		return true;
	if (t->state == KMEM_THREAD_DEAD)
		return false;
	thread_init();
	if (!exit_key_ok)
		return false;
	t->tid = (int)syscall(SYS_gettid);
	pthread_mutex_lock(&registry_lock);
	list_add(&t->link, &registry);
	nr_threads++;
	t->state = KMEM_THREAD_ACTIVE;
	pthread_mutex_unlock(&registry_lock);
	pthread_setspecific(exit_key, t);
	return true;
}

bool kmem_thread_attach(enum kmem_thread_layer layer, void *data, struct kmem_thread_gate *gate)
{
	struct kmem_thread *t = &kmem_thread_self;

	if (!thread_register_self())
		return false;
	/*
	 * Publish the gate, then read the divert count: kmem_thread_divert_all()
	 * counts first and then walks the gates, so one of us sets the bit.
	 */
	__atomic_store_n(&t->gates[layer], gate, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&divert_count, __ATOMIC_SEQ_CST))
		__atomic_fetch_or(&gate->divert, KMEM_GATE_DIVERT, __ATOMIC_RELAXED);
	/* Read by flushers and statistics under the registry lock. */
	__atomic_store_n(&t->layer_data[layer], data, __ATOMIC_RELEASE);
	return true;
}

void kmem_thread_divert_all(bool on)
{
	struct list_head *pos;
	unsigned int was;

	thread_init();
	pthread_mutex_lock(&registry_lock);
	was = __atomic_load_n(&divert_count, __ATOMIC_RELAXED);
	if (!on && !was) {
		pthread_mutex_unlock(&registry_lock);
		return;
	}
	__atomic_store_n(&divert_count, on ? was + 1 : was - 1, __ATOMIC_SEQ_CST);
	if (was == 0 || (!on && was == 1)) {
		list_for_each(pos, &registry) {
			struct kmem_thread *t = container_of(pos, struct kmem_thread, link);

			for (unsigned int l = 0; l < KMEM_THREAD_NR_LAYERS; l++) {
				struct kmem_thread_gate *g =
					__atomic_load_n(&t->gates[l], __ATOMIC_SEQ_CST);

				if (!g)
					continue;
				if (on)
					__atomic_fetch_or(&g->divert, KMEM_GATE_DIVERT,
							  __ATOMIC_RELAXED);
				else
					__atomic_fetch_and(&g->divert, ~KMEM_GATE_DIVERT,
							   __ATOMIC_RELAXED);
			}
		}
	}
	pthread_mutex_unlock(&registry_lock);
}

void kmem_thread_registry_lock(void)
{
	pthread_mutex_lock(&registry_lock);
}

void kmem_thread_registry_unlock(void)
{
	pthread_mutex_unlock(&registry_lock);
}

unsigned int kmem_thread_count(void)
{
	return __atomic_load_n(&nr_threads, __ATOMIC_RELAXED);
}

void kmem_thread_for_each(enum kmem_thread_layer layer, void (*fn)(void *data, void *arg),
			  void *arg)
{
	struct list_head *pos;

	list_for_each(pos, &registry) {
		struct kmem_thread *t = container_of(pos, struct kmem_thread, link);

		void *data = __atomic_load_n(&t->layer_data[layer], __ATOMIC_ACQUIRE);

		if (data)
			fn(data, arg);
	}
}

/* ---- fork ----------------------------------------------------------------------------- */

void kmem_fork_register(enum kmem_fork_level level, const struct kmem_fork_ops *ops)
{
	thread_init();
	add_fork_ops(level, ops);
}

static void fork_prepare(void)
{
	pthread_mutex_lock(&fork_ops_lock);
	for (unsigned int l = 0; l < KMEM_FORK_NR_LEVELS; l++)
		for (unsigned int i = 0; i < nr_fork_ops[l]; i++)
			fork_ops[l][i]->prepare();
}

static void fork_parent(void)
{
	for (unsigned int l = KMEM_FORK_NR_LEVELS; l--;)
		for (unsigned int i = nr_fork_ops[l]; i--;)
			fork_ops[l][i]->parent();
	pthread_mutex_unlock(&fork_ops_lock);
}

static void fork_child(void)
{
	for (unsigned int l = KMEM_FORK_NR_LEVELS; l--;)
		for (unsigned int i = nr_fork_ops[l]; i--;)
			fork_ops[l][i]->child();
	pthread_mutex_unlock(&fork_ops_lock);
}
