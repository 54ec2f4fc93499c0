// SPDX-License-Identifier: MIT
/*
 * bench/shim/runstat.c - run one command and measure it, for bench/shim/run.py.
 *
 * Usage: runstat RESULT PRELOAD COMMAND [ARG...]
 * Runs COMMAND with LD_PRELOAD=PRELOAD (none when PRELOAD is "-"), waits for
 * it with wait4 and writes "<wall ns> <peak RSS KiB> <exit code>" to the file
 * RESULT.  The peak RSS comes from the rusage of the command and the
 * children it waited for (gcc's cc1, as).  A process's peak RSS counts the
 * image it had before exec, so the measuring parent must be small: this
 * program is about 1 MiB resident, where a Python parent would add ~18 MiB
 * to every figure.  LD_PRELOAD is set in the child after the fork, so the
 * allocator under test never runs in the measuring process.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct rusage usage;
	long long start, elapsed;
	int status, code;
	FILE *result;
	pid_t pid;

	if (argc < 4) {
		fprintf(stderr, "usage: runstat RESULT PRELOAD|- COMMAND [ARG...]\n");
		return 2;
	}
	start = now_ns();
	pid = fork();
	if (pid < 0) {
		perror("runstat: fork");
		return 2;
	}
	if (pid == 0) {
		if (strcmp(argv[2], "-") ? setenv("LD_PRELOAD", argv[2], 1) :
					   unsetenv("LD_PRELOAD"))
			_exit(127);
		execvp(argv[3], argv + 3);
		fprintf(stderr, "runstat: %s: %s\n", argv[3], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &usage) < 0)
		if (errno != EINTR) {
			perror("runstat: wait4");
			return 2;
		}
	elapsed = now_ns() - start;
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	result = fopen(argv[1], "w");
	if (!result) {
		perror(argv[1]);
		return 2;
	}
	fprintf(result, "%lld %ld %d\n", elapsed, usage.ru_maxrss, code);
	return fclose(result) ? 2 : 0;
}
