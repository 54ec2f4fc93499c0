// SPDX-License-Identifier: MIT
/*
 * test/slab/test_hardening.c - what protects caches without debug flags:
 * encoded and checked free pointers, random free-list order, the immediate
 * double-free checks, init_on_alloc and init_on_free.
 *
 * Options read from the environment are set before kmem's first use in the
 * test's process (Criterion runs every test in a process of its own).
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "test/helpers.h"
#include "test/unchecked.h"

TestSuite(slab_hardening, .timeout = 120);

#define OBJ 64
/* Where kmem keeps the free pointer of a 64-byte object: mid-object, as the kernel. */
#define FREEPTR_OFFSET (OBJ / 2)
#define MAX_OBJS 1024

static unsigned char target[OBJ] __attribute__((aligned(64)));

struct victim_setup {
	struct kmem_cache *s;
	void *objs[MAX_OBJS];
	unsigned int n;
	void *keep; /* keeps the slab from being released */
	void *victim;
};

/*
 * A cache whose slab has every object but one free on the slab's free list
 * (not in a thread stack or the barn): the state a use-after-free write
 * attacks.  The victim is one of the free objects.
 */
static void free_onto_the_slab(struct victim_setup *v, const char *name)
{
	struct kmem_cache_stats st;

	v->s = kmem_cache_create(name, OBJ, 0, 0, NULL);
	cr_assert_not_null(v->s);
	kmem_cache_stats(v->s, &st);
	v->n = st.objects_per_slab;
	cr_assert_leq(v->n, MAX_OBJS);
	for (unsigned int i = 0; i < v->n; i++)
		v->objs[i] = kmem_cache_alloc(v->s, GFP_KERNEL);
	v->keep = v->objs[0];
	for (unsigned int i = 1; i < v->n; i++)
		kmem_cache_free(v->s, v->objs[i]);
	/* Thread stack and barn back to the slab, whose one live object keeps it. */
	kmem_cache_shrink(v->s);
	v->victim = v->objs[v->n / 2];
}

/* Allocate every free object of the slab; whether @addr was handed out. */
static bool drain_hands_out(struct victim_setup *v, const void *addr)
{
	bool seen = false;

	for (unsigned int i = 1; i < v->n + 8; i++) {
		void *p = kmem_cache_alloc(v->s, GFP_KERNEL);

		seen |= p == addr;
	}
	return seen;
}

Test(slab_hardening, free_objects_hold_no_plain_pointer_into_their_slab)
{
	struct victim_setup v;
	uintptr_t base, end;

	free_onto_the_slab(&v, "opaque");
	base = (uintptr_t)v.objs[0] & ~(uintptr_t)(4096 - 1);
	end = base + 4096;
	for (unsigned int i = 1; i < v.n; i++)
		for (unsigned int off = 0; off < OBJ; off += sizeof(long)) {
			uintptr_t w = peek_word((char *)v.objs[i] + off);

			cr_assert(w < base || w >= end,
				  "object %u holds %#lx at offset %u, an address in its slab", i,
				  (unsigned long)w, off);
		}
}

/* The reproducer: one 8-byte write after free, then allocations. */
Test(slab_hardening, a_write_after_free_cannot_make_alloc_return_a_chosen_address)
{
	struct victim_setup v;

	capture_reports();
	free_onto_the_slab(&v, "chosen");
	poke_word((char *)v.victim + FREEPTR_OFFSET, (unsigned long)(uintptr_t)target);
	cr_assert_not(drain_hands_out(&v, target), "kmem_cache_alloc returned the planted address");
	cr_assert(captured_contains("BUG: chosen: Freechain corrupt"));
	cr_assert_eq(kmem_check(), 0, "the corrupted chain was cut, the slab is consistent");
}

Test(slab_hardening, a_planted_pointer_to_a_live_object_is_refused)
{
	struct victim_setup v;

	capture_reports();
	free_onto_the_slab(&v, "live");
	poke_word((char *)v.victim + FREEPTR_OFFSET, (unsigned long)(uintptr_t)v.keep);
	cr_assert_not(drain_hands_out(&v, v.keep), "a live object was handed out again");
	cr_assert(captured_contains("BUG: live: Freechain corrupt"));
}

/*
 * What the encoding buys: stored in clear, a free pointer aimed at a live
 * object of the same slab passes every check and the object is handed out
 * a second time.
 */
Test(slab_hardening, without_hardening_a_planted_pointer_to_a_live_object_is_followed)
{
	struct victim_setup v;

	if (under_valgrind())
		cr_skip_test(
			"a live object handed out twice is two overlapping blocks to memcheck");
	setenv("KMEM_FREELIST_HARDENED", "0", 1);
	capture_reports();
	free_onto_the_slab(&v, "clear");
	poke_word((char *)v.victim + FREEPTR_OFFSET, (unsigned long)(uintptr_t)v.keep);
	cr_assert(drain_hands_out(&v, v.keep));
}

Test(slab_hardening, a_corrupt_free_pointer_aborts_by_default, .signal = SIGABRT)
{
	struct victim_setup v;

	free_onto_the_slab(&v, "abort");
	poke_word((char *)v.victim + FREEPTR_OFFSET, (unsigned long)(uintptr_t)target);
	drain_hands_out(&v, target);
}

/* ---- free-list order ---------------------------------------------------------- */

/* Whether a fresh slab of @s hands its objects out in address order. */
static bool new_slab_in_address_order(struct kmem_cache *s, unsigned int n)
{
	void *prev = kmem_cache_alloc(s, GFP_KERNEL);
	bool ordered = true;

	for (unsigned int i = 1; i < n; i++) {
		void *p = kmem_cache_alloc(s, GFP_KERNEL);

		ordered &= (uintptr_t)p > (uintptr_t)prev;
		prev = p;
	}
	return ordered;
}

Test(slab_hardening, new_slabs_hand_out_objects_in_random_order)
{
	struct kmem_cache *s = kmem_cache_create("shuffled", OBJ, 0, SLAB_CONSISTENCY_CHECKS, NULL);
	struct kmem_cache_stats st;

	kmem_cache_stats(s, &st);
	/* 64 objects in address order by chance: 1 in 64!. */
	cr_assert_not(new_slab_in_address_order(s, st.objects_per_slab));
}

Test(slab_hardening, without_randomisation_new_slabs_are_in_address_order)
{
	struct kmem_cache *s;
	struct kmem_cache_stats st;

	setenv("KMEM_FREELIST_RANDOM", "0", 1);
	s = kmem_cache_create("ordered", OBJ, 0, SLAB_CONSISTENCY_CHECKS, NULL);
	kmem_cache_stats(s, &st);
	cr_assert(new_slab_in_address_order(s, st.objects_per_slab));
}

Test(slab_hardening, random_free_lists_link_every_slot_once)
{
	struct kmem_cache *s;
	struct kmem_cache_stats st;
	void *p[4 * MAX_OBJS];
	unsigned int n;

	s = kmem_cache_create("every-slot", OBJ, 0, 0, NULL);
	kmem_cache_stats(s, &st);
	n = 4 * st.objects_per_slab;
	cr_assert_leq(n, 4 * MAX_OBJS);
	for (unsigned int i = 0; i < n; i++) {
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
		for (unsigned int j = 0; j < i; j++)
			cr_assert_neq(p[i], p[j], "an object was handed out twice");
	}
	kmem_cache_free_bulk(s, n, p);
	cr_assert_eq(kmem_check(), 0);
	kmem_cache_destroy(s);
}

/* ---- double free ----------------------------------------------------------------- */

Test(slab_hardening, an_immediate_double_free_is_reported_without_debug_flags)
{
	struct kmem_cache *s = kmem_cache_create("twice", OBJ, 0, 0, NULL);
	void *p = kmem_cache_alloc(s, GFP_KERNEL);

	capture_reports();
	kmem_cache_free(s, p);
	misuse_begin();
	kmem_cache_free(s, p);
	misuse_end();
	cr_assert_eq(captured(KMEM_REPORT_BUG), 1);
	cr_assert(captured_contains("BUG: twice: double free of object"));
	cr_assert_eq(kmem_check(), 0, "the second free was refused");
}

static struct kmem_cache *late_cache;
static pthread_key_t late_key;

/* Runs after kmem's own exit destructor: this thread frees through the slabs. */
static void free_twice_after_exit_flush(void *arg)
{
	void *p = kmem_cache_alloc(late_cache, GFP_KERNEL);

	(void)arg;
	kmem_cache_free(late_cache, p);
	misuse_begin();
	kmem_cache_free(late_cache, p);
	misuse_end();
}

static void *set_late_key(void *arg)
{
	kmem_cache_free(late_cache, kmem_cache_alloc(late_cache, GFP_KERNEL));
	pthread_setspecific(late_key, arg);
	return NULL;
}

Test(slab_hardening, freeing_the_head_of_a_slab_free_list_again_is_a_double_free)
{
	pthread_t t;

	capture_reports();
	/* kmem's exit key exists now, so its destructor runs before the later key's. */
	late_cache = kmem_cache_create("head", OBJ, 0, 0, NULL);
	pthread_key_create(&late_key, free_twice_after_exit_flush);
	pthread_create(&t, NULL, set_late_key, &late_cache);
	pthread_join(t, NULL);
	cr_assert(captured_contains("BUG: head: double free of object"));
	cr_assert_eq(kmem_check(), 0);
}

/* ---- init_on_alloc / init_on_free --------------------------------------------- */

static void ctor_fill(void *p)
{
	memset(p, 0x5c, OBJ);
}

Test(slab_hardening, init_on_alloc_zeroes_every_object)
{
	struct kmem_cache *s;
	unsigned char *p;
	char *k;

	setenv("KMEM_INIT_ON_ALLOC", "1", 1);
	s = kmem_cache_create("zeroed", OBJ, 0, 0, NULL);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	memset(p, 0xee, OBJ);
	kmem_cache_free(s, p);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	for (int i = 0; i < OBJ; i++)
		cr_assert_eq(p[i], 0);
	k = kmalloc(100, GFP_KERNEL);
	memset(k, 0xee, 100);
	kfree(k);
	k = kmalloc(100, GFP_KERNEL);
	for (int i = 0; i < 100; i++)
		cr_assert_eq(k[i], 0, "kmalloc objects too");
	kfree(k);
	kmem_cache_free(s, p);
}

Test(slab_hardening, init_on_alloc_leaves_constructed_objects_alone)
{
	struct kmem_cache *s;
	unsigned char *p;

	setenv("KMEM_INIT_ON_ALLOC", "1", 1);
	s = kmem_cache_create("constructed", OBJ, 0, 0, ctor_fill);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	cr_assert_eq(p[0], 0x5c, "the constructor's work survives, as in the kernel");
	kmem_cache_free(s, p);
}

Test(slab_hardening, init_on_free_zeroes_freed_objects)
{
	struct kmem_cache *s;
	unsigned char *p;

	setenv("KMEM_INIT_ON_FREE", "1", 1);
	s = kmem_cache_create("wiped", OBJ, 0, 0, NULL);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	memset(p, 0xee, OBJ);
	kmem_cache_free(s, p);
	cr_assert(peek_all(p, OBJ, 0), "the freed object holds no trace of its contents");
}

Test(slab_hardening, without_init_options_freed_objects_keep_their_bytes)
{
	struct kmem_cache *s = kmem_cache_create("kept", OBJ, 0, 0, NULL);
	unsigned char *p = kmem_cache_alloc(s, GFP_KERNEL);

	memset(p, 0xee, OBJ);
	kmem_cache_free(s, p);
	cr_assert_eq(peek(p), 0xee);
}
