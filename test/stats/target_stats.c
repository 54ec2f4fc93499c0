// SPDX-License-Identifier: MIT
/*
 * test/stats/target_stats.c - a process for the statistics tests to watch.
 *
 *   target_stats [--fork]
 *
 * Allocates TARGET_OBJECTS objects from the cache "target_objects" and a
 * few kmalloc buffers, prints "ready <pid>" and waits until its standard
 * input reaches end of file; then frees everything and exits 0.  With
 * --fork it forks once it is ready, and the child prints "ready <pid>" as
 * well and waits on the same input.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <kmem/kmem.h>

#define TARGET_OBJECTS 1000
#define TARGET_OBJECT_SIZE 200

static void *objects[TARGET_OBJECTS];

int main(int argc, char **argv)
{
	struct kmem_cache *cache =
		kmem_cache_create("target_objects", TARGET_OBJECT_SIZE, 0, 0, NULL);
	bool fork_child = argc > 1 && !strcmp(argv[1], "--fork");
	void *buffers[8];
	pid_t child = 0;
	char c;

	if (!cache)
		return 1;
	for (int i = 0; i < TARGET_OBJECTS; i++)
		if (!(objects[i] = kmem_cache_alloc(cache, GFP_KERNEL)))
			return 1;
	for (int i = 0; i < 8; i++)
		if (!(buffers[i] = kmalloc(1000 * (i + 1), GFP_KERNEL)))
			return 1;
	if (fork_child && (child = fork()) < 0)
		return 1;
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	while (read(STDIN_FILENO, &c, 1) > 0)
		;
	if (child > 0 && waitpid(child, NULL, 0) != child)
		return 1;
	for (int i = 0; i < 8; i++)
		kfree(buffers[i]);
	for (int i = 0; i < TARGET_OBJECTS; i++)
		kmem_cache_free(cache, objects[i]);
	kmem_cache_destroy(cache);
	return kmem_check() ? 1 : 0;
}
