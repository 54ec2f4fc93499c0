// SPDX-License-Identifier: MIT
/*
 * test/shim/target_trace.c - a program on the shim with known allocations,
 * for the KMEM_TRACE test: malloc(100), calloc(10, 30), aligned_alloc(64,
 * 64), realloc of the first to 5000 bytes, frees of all but the calloc'd
 * block; then a forked child allocates 7777 bytes (a child does not trace).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	char *a = malloc(100), *b = calloc(10, 30), *c;
	void *d = aligned_alloc(64, 64);
	int status;
	pid_t pid;

	if (!a || !b || !d)
		return 1;
	memset(a, 1, 100);
	c = realloc(a, 5000);
	if (!c)
		return 1;
	free(c);
	free(d);
	pid = fork();
	if (pid == 0) {
		char *e = malloc(7777);

		memset(e, 2, 7777);
		free(e);
		exit(0); /* destructors run: a tracing child would flush its trace */
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status)
		return 1;
	return b[299];
}
