// SPDX-License-Identifier: MIT
/*
 * test/headers/urcu_last.c - a kmem header first, liburcu's <urcu.h> last.
 *
 * Built once per public header (KMEM_HEADER names it) and run.  A kmem
 * header that chose a liburcu flavour would clear the mapping <urcu.h> sets
 * up, and rcu_read_lock() and friends would be undeclared.  Where the header
 * brings kfree_rcu(), liburcu's struct rcu_head, complete only now, serves it.
 */
#include KMEM_HEADER
#include <urcu.h>

#ifdef kfree_rcu
struct node {
	int value;
	struct rcu_head rcu;
};
#endif

int main(void)
{
	rcu_register_thread();
	rcu_read_lock();
	rcu_read_unlock();
#ifdef kfree_rcu
	struct node *node = kmalloc(sizeof(*node), GFP_KERNEL);

	if (!node)
		return 1;
	kfree_rcu(node, rcu);
	kvfree_rcu_barrier();
#endif
	rcu_barrier();
	rcu_unregister_thread();
	return 0;
}
