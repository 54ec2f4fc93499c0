// SPDX-License-Identifier: MIT
#include <criterion/criterion.h>
#include <fcntl.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/run.h"

extern char **environ;

#define MAX_ENV 512

static void build_env(char *envp[MAX_ENV], const char *const env[])
{
	int n = 0;

	for (; env && env[n]; n++)
		envp[n] = (char *)env[n];
	for (char **e = environ; *e && n < MAX_ENV - 1; e++)
		if (strncmp(*e, "KMEM_", 5))
			envp[n++] = *e;
	envp[n] = NULL;
}

static void read_all(int fd, char *buf, size_t size)
{
	char sink[4096];
	size_t len = 0;
	ssize_t n;

	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	/* Drain the rest, so the child never blocks on a full pipe. */
	while (read(fd, sink, sizeof(sink)) > 0)
		;
}

static int wait_status(pid_t pid)
{
	int status;

	cr_assert_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * Every pipe is close-on-exec (dup2 clears the flag on the child's copies),
 * so children of tests running in parallel never hold each other's pipes.
 */
static void spawn(pid_t *pid, char *const argv[], const char *const env[], int in, int out, int err)
{
	posix_spawn_file_actions_t fa;
	char *envp[MAX_ENV];

	build_env(envp, env);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, err, STDERR_FILENO);
	cr_assert_eq(posix_spawn(pid, argv[0], &fa, NULL, argv, envp), 0, "cannot run %s", argv[0]);
	posix_spawn_file_actions_destroy(&fa);
}

void child_start(struct test_child *c, char *const argv[], const char *const env[])
{
	int in[2], out[2], err[2];

	cr_assert_eq(pipe2(in, O_CLOEXEC) | pipe2(out, O_CLOEXEC) | pipe2(err, O_CLOEXEC), 0);
	spawn(&c->pid, argv, env, in[0], out[1], err[1]);
	close(in[0]);
	close(out[1]);
	close(err[1]);
	c->in = in[1];
	c->out = fdopen(out[0], "r");
	c->err = err[0];
}

int child_finish(struct test_child *c, char *err, size_t size)
{
	char ignored[256];

	close(c->in);
	read_all(c->err, err ? err : ignored, err ? size : sizeof(ignored));
	close(c->err);
	fclose(c->out);
	return wait_status(c->pid);
}

int run_program(char *const argv[], const char *const env[], char *out, size_t size)
{
	int fds[2], null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pid_t pid;

	cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
	spawn(&pid, argv, env, null, fds[1], fds[1]);
	close(null);
	close(fds[1]);
	read_all(fds[0], out, size);
	close(fds[0]);
	return wait_status(pid);
}
