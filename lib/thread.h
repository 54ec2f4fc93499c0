/* SPDX-License-Identifier: MIT */
/*
 * lib/thread.h - the one per-thread cache lifecycle of kmem.
 *
 * page/ (the per-thread page cache) and slab/ (per-thread object caches)
 * keep their per-thread data in their own thread-local variables and hang
 * it on the calling thread's struct kmem_thread.  This file owns what they
 * share: the registry of threads, the exit flush, fork handling and the
 * protocol that lets one thread flush another thread's caches while that
 * thread runs its lock-free fast paths (see lib/thread.c).
 */
#ifndef KMEM_LIB_THREAD_H
#define KMEM_LIB_THREAD_H

#include <pthread.h>
#include <stdbool.h>
#include "lib/core.h"

/*
 * The layers with per-thread caches, in the order a thread's caches are
 * flushed: objects go back to slabs first, then the pages those released
 * go back to the buddy lists.
 */
enum kmem_thread_layer {
	KMEM_THREAD_SLAB,
	KMEM_THREAD_PAGE,
	KMEM_THREAD_NR_LAYERS,
};

enum kmem_thread_state {
	KMEM_THREAD_NEW = 0, /* never used a per-thread cache */
	KMEM_THREAD_ACTIVE,  /* registered; caches may hold memory */
	KMEM_THREAD_DEAD,    /* exit flush ran: no per-thread caches any more */
};

/*
 * struct kmem_thread_gate - the words a layer's fast path and a flusher
 * agree through.  Each layer keeps its gate in its own thread-local data,
 * beside what its fast path touches anyway.
 * @busy: written by the owner around every fast path, read by flushers
 * @divert: non-zero sends the owner's fast paths to its slow path:
 *	KMEM_GATE_FLUSH while a flusher works on the thread's caches,
 *	KMEM_GATE_DIVERT while every allocation must be seen by a slow path
 *	(fault injection, test hooks: kmem_thread_divert_all())
 */
struct kmem_thread_gate {
	unsigned int busy;
	unsigned int divert;
};
#define KMEM_GATE_FLUSH 1U
#define KMEM_GATE_DIVERT 2U

struct kmem_thread {
	unsigned int state;
	unsigned int self_lock_depth;	/* owner only */
	unsigned long flush_generation; /* the last flush_all() that took it */
	bool flush_claimed;		/* a flusher holds its lock and flushes it */
	int tid;
	pthread_mutex_t lock; /* the owner's slow paths, or a flusher */
	void *layer_data[KMEM_THREAD_NR_LAYERS];
	struct kmem_thread_gate *gates[KMEM_THREAD_NR_LAYERS];
	struct list_head link; /* thread_registry */
};

__hidden extern __thread struct kmem_thread kmem_thread_self __tls_ie;

/*
 * struct kmem_thread_ops - what a layer does with one thread's data.
 * @flush: give back everything the thread's caches of this layer hold.
 *	Called with that thread's lock held while the thread is outside its
 *	fast paths: by the thread itself (maybe from inside one of its slow
 *	paths), by another thread (the layer may then also free the thread's
 *	cache structures: the thread rebuilds them on its next slow path), or
 *	by its exit destructor (the layer must switch the thread to its
 *	locked paths for good).  May take the layer's own locks.
 */
enum kmem_flush_reason {
	KMEM_FLUSH_SELF,  /* the thread flushes itself, maybe inside a slow path */
	KMEM_FLUSH_OTHER, /* another thread flushes it: it is quiescent */
	KMEM_FLUSH_EXIT,  /* the thread's exit destructor */
};

struct kmem_thread_ops {
	void (*flush)(void *data, enum kmem_flush_reason why);
};

/* Register @ops for @layer once, at the layer's initialisation. */
__hidden void kmem_thread_register_ops(enum kmem_thread_layer layer,
				       const struct kmem_thread_ops *ops);

/*
 * kmem_thread_attach - make @data the calling thread's data for @layer,
 * with @gate its fast paths' gate, and register the thread (first time
 * only).  Returns false once the thread's exit flush ran: the layer must
 * then use its locked paths.  The caller holds the thread's own lock
 * (kmem_thread_lock_self()).
 */
__hidden bool kmem_thread_attach(enum kmem_thread_layer layer, void *data,
				 struct kmem_thread_gate *gate);

/*
 * kmem_thread_divert_all - while @on, every fast path of every thread (and
 * of threads that attach later) takes its slow path, so that a hook there
 * sees every allocation.  Calls nest: the last "off" ends it.
 */
__hidden void kmem_thread_divert_all(bool on);

/*
 * The owner's slow paths run under its own lock so that no flusher works
 * on its caches meanwhile.  Recursive for the owner (a slab refill that
 * needs pages takes it again in the page layer).
 */
__hidden void kmem_thread_lock_self(void);
__hidden void kmem_thread_unlock_self(void);

/*
 * Fast-path brackets.  kmem_gate_enter() marks the owner busy and returns
 * false when its fast path must not run (a flusher wants its caches, or
 * allocations are diverted): the caller must then leave (kmem_gate_leave())
 * and take its slow path, which waits on the thread's lock.  Between the
 * two calls the owner may touch its caches without a lock and without an
 * atomic read-modify-write; a flusher waits for it to leave.
 */
#ifdef __SANITIZE_THREAD__
/*
 * ThreadSanitizer knows neither membarrier() nor fences: both sides use
 * sequentially consistent accesses instead, a plain Dekker pair it models.
 */
#define KMEM_THREAD_DEKKER __ATOMIC_SEQ_CST
#define KMEM_THREAD_DEKKER_LOAD __ATOMIC_SEQ_CST
#else
#define KMEM_THREAD_DEKKER __ATOMIC_RELAXED
#define KMEM_THREAD_DEKKER_LOAD __ATOMIC_ACQUIRE
#endif

static inline bool kmem_gate_enter(struct kmem_thread_gate *g)
{
	__atomic_store_n(&g->busy, 1, KMEM_THREAD_DEKKER);
	/* The flusher's membarrier() orders this store before the load. */
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return likely(!__atomic_load_n(&g->divert, KMEM_THREAD_DEKKER_LOAD));
}

static inline void kmem_gate_leave(struct kmem_thread_gate *g)
{
	__atomic_store_n(&g->busy, 0, __ATOMIC_RELEASE);
}

/*
 * kmem_thread_flush_all - give back what every thread's caches hold: the
 * calling thread's directly, other live threads' through the flush
 * protocol.  With @may_wait false (reclaim, where the caller may hold its
 * own lock) a thread whose lock is held is skipped.  Returns the number of
 * threads flushed.
 */
__hidden unsigned int kmem_thread_flush_all(bool may_wait);

/* kmem_thread_flush_self - flush the calling thread's caches of every layer. */
__hidden void kmem_thread_flush_self(void);

/*
 * The registry lock, for a layer that replaces per-thread data other
 * threads may read under it (kmem_thread_for_each()).
 */
__hidden void kmem_thread_registry_lock(void);
__hidden void kmem_thread_registry_unlock(void);

/* The number of registered threads, for statistics. */
__hidden unsigned int kmem_thread_count(void);

/*
 * For statistics and the checker: call @fn on the data of @layer of every
 * registered thread.  The caller holds kmem_thread_registry_lock(); values
 * read may be stale unless the threads are quiet.
 */
__hidden void kmem_thread_for_each(enum kmem_thread_layer layer, void (*fn)(void *data, void *arg),
				   void *arg);

/*
 * Fork: every lock an allocation can take is held across fork().  Layers
 * register their handlers here, and kmem's one pthread_atfork() set calls
 * them in lock order: prepare top-down (kmalloc's set-up lock, mm, the slab
 * cache list, this file's flush and registry locks, the slab caches, then
 * page), parent and child bottom-up.  In
 * the child only the forking thread exists; the other threads' caches are
 * abandoned (they may have been mid-update), a bounded leak.
 */
enum kmem_fork_level {
	KMEM_FORK_KMALLOC, /* kmalloc_lock: it creates heaps and slab caches */
	KMEM_FORK_MM,
	KMEM_FORK_CACHE_LIST, /* slab_mutex: creating and destroying caches */
	KMEM_FORK_THREADS,    /* lib/thread.c itself */
	KMEM_FORK_SLAB,
	KMEM_FORK_PAGE,
	KMEM_FORK_NR_LEVELS,
};

struct kmem_fork_ops {
	void (*prepare)(void);
	void (*parent)(void);
	void (*child)(void);
};

/* At most a few handlers per level; registered once, at initialisation. */
__hidden void kmem_fork_register(enum kmem_fork_level level, const struct kmem_fork_ops *ops);

#endif /* KMEM_LIB_THREAD_H */
