// SPDX-License-Identifier: MIT
/*
 * test/shim/fork_threads.c - fork while other threads allocate; the child
 * must be able to allocate and free, and the parent must go on.  Run under
 * the malloc shim by `make shim-check`; uses only the C allocation API.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int stop;

static void *allocate_forever(void *arg)
{
	unsigned long n = (unsigned long)arg;
	void *keep[64] = {0};

	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		size_t i = n++ % 64;

		free(keep[i]);
		keep[i] = malloc(16 + (n * 37) % 4000);
		if (keep[i]) /* make check-faults makes allocations fail */
			memset(keep[i], (int)i, 16);
	}
	for (int i = 0; i < 64; i++)
		free(keep[i]);
	return NULL;
}

int main(void)
{
	pthread_t threads[3];
	int children_ok = 0;

	for (unsigned long i = 0; i < 3; i++) {
		if (pthread_create(&threads[i], NULL, allocate_forever, (void *)(i * 1000))) {
			fprintf(stderr, "fork_threads: pthread_create failed\n");
			return 1;
		}
	}
	for (int round = 0; round < 50; round++) {
		pid_t pid = fork();
		int status;

		if (pid == 0) {
			char *p = malloc(100000);
			void *small[100];

			for (int i = 0; i < 100; i++)
				small[i] = calloc(1, 24 + i);
			for (int i = 0; i < 100; i++)
				free(small[i]);
			if (p)
				memset(p, 1, 100000);
			free(p);
			_exit(0);
		}
		if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0)
			children_ok++;
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < 3; i++)
		pthread_join(threads[i], NULL);
	printf("fork_threads: %d of 50 children allocated and exited cleanly\n", children_ok);
	return children_ok == 50 ? 0 : 1;
}
