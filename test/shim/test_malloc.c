// SPDX-License-Identifier: MIT
/*
 * test/shim/test_malloc.c - the C allocation API of libkmem-malloc.so.
 *
 * This binary is linked against the shim, so the shim is the malloc of the
 * whole process, Criterion's runner included.
 */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* C23's sized frees; glibc 2.36's headers do not declare them yet. */
void free_sized(void *p, size_t size);
void free_aligned_sized(void *p, size_t align, size_t size);

TestSuite(shim, .timeout = 60);

/*
 * The impossible requests below are deliberate; calling through volatile
 * pointers keeps the compiler from rejecting them at build time.
 */
static void *(*volatile do_malloc)(size_t) = malloc;
static void *(*volatile do_calloc)(size_t, size_t) = calloc;
static void *(*volatile do_realloc)(void *, size_t) = realloc;
static void *(*volatile do_reallocarray)(void *, size_t, size_t) = reallocarray;
static void *(*volatile do_aligned_alloc)(size_t, size_t) = aligned_alloc;
static void (*volatile do_free)(void *) = free;

Test(shim, the_process_malloc_is_kmem)
{
	Dl_info info;

	cr_assert(dladdr((void *)malloc, &info));
	cr_assert(strstr(info.dli_fname, "libkmem-malloc.so"), "malloc from %s", info.dli_fname);
	cr_assert(dladdr((void *)posix_memalign, &info));
	cr_assert(strstr(info.dli_fname, "libkmem-malloc.so"));
}

Test(shim, malloc_zero_returns_unique_freeable_pointers)
{
	void *a = malloc(0), *b = malloc(0);

	cr_assert_not_null(a);
	cr_assert_not_null(b);
	cr_assert_neq(a, b);
	free(a);
	free(b);
	free(NULL);
}

static const size_t matrix_sizes[] = {1, 100, 5000, 100000};

static void check_block(void *p, size_t align, size_t size, const char *api)
{
	cr_assert_not_null(p, "%s(%zu, %zu)", api, align, size);
	cr_assert_eq((uintptr_t)p % align, 0, "%s(%zu, %zu) = %p", api, align, size, p);
	cr_assert_geq(malloc_usable_size(p), size, "%s(%zu, %zu)", api, align, size);
	memset(p, 0xa5, size);
	free(p);
}

Test(shim, every_alignment_api_honours_powers_of_two_up_to_1mib)
{
	for (size_t align = sizeof(void *); align <= (1UL << 20); align <<= 1) {
		for (size_t i = 0; i < sizeof(matrix_sizes) / sizeof(matrix_sizes[0]); i++) {
			size_t size = matrix_sizes[i];
			void *p = NULL;

			cr_assert_eq(posix_memalign(&p, align, size), 0);
			check_block(p, align, size, "posix_memalign");
			check_block(aligned_alloc(align, size), align, size, "aligned_alloc");
			check_block(memalign(align, size), align, size, "memalign");
		}
	}
	check_block(valloc(10), 4096, 10, "valloc");
	check_block(pvalloc(10), 4096, 4096, "pvalloc");
	check_block(memalign(48, 10), 64, 10, "memalign (rounded up)");
}

Test(shim, blocks_beyond_4mib_take_alignments_up_to_a_page)
{
	size_t size = (8UL << 20) + 100;

	for (size_t align = 32; align <= 4096; align <<= 2) {
		void *p = NULL;

		cr_assert_eq(posix_memalign(&p, align, size), 0, "align %zu", align);
		check_block(p, align, size, "posix_memalign");
		check_block(aligned_alloc(align, size), align, size, "aligned_alloc");
	}
}

Test(shim, posix_memalign_rejects_bad_alignments_with_einval)
{
	void *p = (void *)1;

	errno = 0;
	cr_assert_eq(posix_memalign(&p, 3, 10), EINVAL);
	cr_assert_eq(posix_memalign(&p, 24, 10), EINVAL);
	cr_assert_eq(posix_memalign(&p, 4, 10), EINVAL, "smaller than a pointer");
	cr_assert_eq(p, (void *)1, "nothing stored on failure");
	cr_assert_eq(errno, 0, "posix_memalign does not set errno");
	cr_assert_null(aligned_alloc(3, 10));
	cr_assert_eq(errno, EINVAL);
}

Test(shim, impossible_sizes_fail_with_enomem)
{
	errno = 0;
	cr_assert_null(do_malloc(SIZE_MAX));
	cr_assert_eq(errno, ENOMEM);
	errno = 0;
	cr_assert_null(do_calloc(SIZE_MAX / 2, 3));
	cr_assert_eq(errno, ENOMEM, "calloc overflow");
	errno = 0;
	cr_assert_null(do_reallocarray(NULL, SIZE_MAX / 2, 3));
	cr_assert_eq(errno, ENOMEM, "reallocarray overflow");
	errno = 0;
	cr_assert_null(do_aligned_alloc(1UL << 30, 10));
	cr_assert_eq(errno, ENOMEM, "alignment beyond 4 MiB");
}

Test(shim, malloc_of_3_gib_succeeds_as_in_glibc)
{
	size_t size = 3UL << 30;
	char *p = malloc(size);
	char *q;

	cr_assert_not_null(p, "beyond kvmalloc's INT_MAX: a vmalloc area");
	p[0] = 1;
	p[size - 1] = 2;
	q = realloc(p, size + 4096);
	cr_assert_not_null(q);
	cr_assert_eq(q[0], 1);
	cr_assert_eq(q[size - 1], 2);
	free(q);
	p = malloc(100);
	q = realloc(p, size); /* a kmalloc block grows into a vmalloc area */
	cr_assert_not_null(q);
	free(q);
}

Test(shim, small_requests_keep_malloc_alignment)
{
	for (size_t n = 1; n <= 64; n++) {
		void *p = malloc(n);

		cr_assert_eq((uintptr_t)p % 16, 0, "malloc(%zu) is 16-byte aligned", n);
		free(p);
	}
}

Test(shim, calloc_zeroes_recycled_memory)
{
	unsigned char *p = malloc(200);

	memset(p, 0xff, 200);
	free(p);
	p = calloc(10, 20);
	cr_assert_not_null(p);
	for (int i = 0; i < 200; i++)
		cr_assert_eq(p[i], 0, "byte %d", i);
	free(p);
	p = calloc(1, 8 << 20);
	cr_assert_not_null(p, "a vmalloc-sized calloc");
	cr_assert_eq(p[(8 << 20) - 1], 0);
	free(p);
}

Test(shim, realloc_keeps_contents_and_follows_glibc_edges)
{
	char *p = realloc(NULL, 10), *q;

	cr_assert_not_null(p);
	strcpy(p, "kmem-shim");
	for (size_t size = 16; size <= (16UL << 20); size *= 4) {
		p = realloc(p, size);
		cr_assert_not_null(p, "grow to %zu", size);
		cr_assert_str_eq(p, "kmem-shim");
	}
	p = realloc(p, 12);
	cr_assert_str_eq(p, "kmem-shim", "shrink");
	errno = 0;
	q = do_realloc(p, SIZE_MAX);
	cr_assert_null(q);
	cr_assert_eq(errno, ENOMEM);
	cr_assert_str_eq(p, "kmem-shim", "a failed realloc leaves the block alone");
	cr_assert_null(do_realloc(p, 0), "realloc(p, 0) frees and returns NULL");
}

Test(shim, usable_size_covers_the_request)
{
	static const size_t sizes[] = {1, 24, 1000, 70000, 5 << 20};

	cr_assert_eq(malloc_usable_size(NULL), 0);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char *p = malloc(sizes[i]);
		size_t usable = malloc_usable_size(p);

		cr_assert_geq(usable, sizes[i]);
		memset(p, 1, usable);
		free_sized(p, sizes[i]);
	}
	free_aligned_sized(aligned_alloc(64, 64), 64, 64);
}

/*
 * Run @misuse in a child whose standard error goes to a pipe: it must die
 * of SIGABRT after a report containing @needle.  (The shim exports only the
 * C API, so the report hook is out of reach; the pipe keeps the report off
 * the test's output.)
 */
static void expect_abort_with_report(void (*misuse)(void), const char *needle)
{
	char report[2048];
	size_t len = 0;
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	cr_assert_eq(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		misuse();
		_exit(0);
	}
	close(fds[1]);
	while (len < sizeof(report) - 1 &&
	       (n = read(fds[0], report + len, sizeof(report) - 1 - len)) > 0)
		len += (size_t)n;
	report[len] = '\0';
	close(fds[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "status %#x", status);
	cr_assert(strstr(report, needle), "expected \"%s\" in: %s", needle, report);
}

static void free_foreign_memory(void)
{
	static char not_ours[64] __attribute__((aligned(16)));

	do_free(not_ours);
}

static void realloc_foreign_memory(void)
{
	static char not_ours[64] __attribute__((aligned(16)));

	do_realloc(not_ours, 100);
}

static void usable_size_of_foreign_memory(void)
{
	static char not_ours[64] __attribute__((aligned(16)));

	malloc_usable_size(not_ours);
}

static void free_interior(void)
{
	char *p = malloc(40);

	do_free(p + 8);
}

static void free_twice(void)
{
	void *p = malloc(40);

	do_free(p);
	do_free(p);
}

Test(shim, free_of_foreign_memory_is_reported_and_aborts)
{
	/* The report names the program's call, not the kmem function behind it. */
	expect_abort_with_report(free_foreign_memory, "BUG: kmalloc: free(");
	expect_abort_with_report(free_foreign_memory, "address was not allocated by kmem");
	expect_abort_with_report(free_foreign_memory, "\nIn free(");
}

Test(shim, a_bad_realloc_is_reported_as_realloc_not_ksize)
{
	expect_abort_with_report(realloc_foreign_memory, "BUG: kmalloc: realloc(");
}

Test(shim, a_bad_malloc_usable_size_is_reported_as_such)
{
	expect_abort_with_report(usable_size_of_foreign_memory,
				 "BUG: kmalloc: malloc_usable_size(");
}

Test(shim, an_interior_free_names_free_and_the_cache)
{
	expect_abort_with_report(free_interior, "BUG: kmalloc-48: free: invalid pointer ");
}

Test(shim, double_free_is_reported_and_aborts)
{
	expect_abort_with_report(free_twice, "double free");
}

static int stop_allocating;

static void *allocate_until_stopped(void *arg)
{
	void *keep[32] = {0};
	unsigned long n = (unsigned long)arg;

	while (!__atomic_load_n(&stop_allocating, __ATOMIC_RELAXED)) {
		size_t i = n++ % 32;

		free(keep[i]);
		keep[i] = malloc(16 + (n * 37) % 3000);
	}
	for (int i = 0; i < 32; i++)
		free(keep[i]);
	return NULL;
}

Test(shim, fork_while_threads_allocate_leaves_the_child_able_to_allocate)
{
	pthread_t threads[2];

	for (unsigned long i = 0; i < 2; i++)
		pthread_create(&threads[i], NULL, allocate_until_stopped, (void *)(i * 100));
	for (int round = 0; round < 20; round++) {
		pid_t pid = fork();
		int status;

		if (pid == 0) {
			void *p[50];

			for (int i = 0; i < 50; i++)
				p[i] = malloc(10 + i * 100);
			for (int i = 0; i < 50; i++)
				free(p[i]);
			_exit(0);
		}
		cr_assert_eq(waitpid(pid, &status, 0), pid);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d", round);
	}
	__atomic_store_n(&stop_allocating, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < 2; i++)
		pthread_join(threads[i], NULL);
}

static void *short_lived(void *arg)
{
	void *p[64];

	(void)arg;
	for (int i = 0; i < 64; i++)
		p[i] = malloc(32 + 64 * (size_t)i);
	for (int i = 0; i < 64; i++)
		free(p[i]);
	return NULL;
}

static long rss_kib(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		cr_assert_eq(fscanf(f, "%ld %ld", &pages, &resident), 2);
		fclose(f);
	}
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void churn_threads(int n)
{
	for (int i = 0; i < n; i++) {
		pthread_t t;

		cr_assert_eq(pthread_create(&t, NULL, short_lived, NULL), 0);
		pthread_join(t, NULL);
	}
}

Test(shim, thread_churn_keeps_memory_flat)
{
	long warm, after;

	churn_threads(200);
	warm = rss_kib();
	churn_threads(2000);
	after = rss_kib();
	cr_assert_leq(after - warm, 4096, "RSS grew from %ld to %ld KiB over 2000 threads", warm,
		      after);
}

/*
 * Run /bin/true on the shim with KMEM_STATS=@value in the directory @dir
 * and collect its stderr into @err.  Returns the exit status.
 */
static int run_with_kmem_stats(const char *value, const char *dir, char *err, size_t len)
{
	char shim[PATH_MAX], preload[PATH_MAX + 16], stats[PATH_MAX + 16];
	char *envp[] = {preload, stats, NULL};
	size_t used = 0;
	int pipefd[2], status;
	Dl_info info;
	ssize_t n;
	pid_t pid;

	cr_assert(dladdr((void *)malloc, &info));
	cr_assert_not_null(realpath(info.dli_fname, shim));
	snprintf(preload, sizeof(preload), "LD_PRELOAD=%s", shim);
	snprintf(stats, sizeof(stats), "KMEM_STATS=%s", value);
	cr_assert_eq(pipe(pipefd), 0);
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], STDERR_FILENO);
		close(pipefd[0]);
		if (chdir(dir) == 0)
			execle("/bin/true", "true", (char *)NULL, envp);
		_exit(127);
	}
	close(pipefd[1]);
	while (used < len - 1 && (n = read(pipefd[0], err + used, len - 1 - used)) > 0)
		used += (size_t)n;
	err[used] = '\0';
	close(pipefd[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	return status;
}

Test(shim, kmem_stats_yes_means_stderr_not_a_file_named_yes)
{
	char dir[] = "/tmp/kmem-stats-XXXXXX";
	char err[8192];

	cr_assert_not_null(mkdtemp(dir));
	for (const char *const *v = (const char *const[]){"yes", "TRUE", "stderr", "1", NULL}; *v;
	     v++) {
		cr_assert_eq(run_with_kmem_stats(*v, dir, err, sizeof(err)), 0);
		cr_assert(strstr(err, "kmem statistics of pid"), "KMEM_STATS=%s printed: %s", *v,
			  err);
	}
	cr_assert_eq(rmdir(dir), 0, "no statistics file was created in %s", dir);
}

Test(shim, kmem_stats_off_words_print_nothing)
{
	char dir[] = "/tmp/kmem-stats-XXXXXX";
	char err[8192];

	cr_assert_not_null(mkdtemp(dir));
	for (const char *const *v = (const char *const[]){"0", "no", "off", "false", NULL}; *v;
	     v++) {
		cr_assert_eq(run_with_kmem_stats(*v, dir, err, sizeof(err)), 0);
		cr_assert_str_empty(err, "KMEM_STATS=%s printed: %s", *v, err);
	}
	cr_assert_eq(rmdir(dir), 0, "no statistics file was created in %s", dir);
}

Test(shim, kmem_stats_unopenable_path_gives_a_warning)
{
	char err[8192];

	cr_assert_eq(run_with_kmem_stats("/nonexistent-kmem-dir/stats", "/", err, sizeof(err)), 0);
	cr_assert(strstr(err,
			 "WARNING: kmem: KMEM_STATS=\"/nonexistent-kmem-dir/stats\": cannot "
			 "open the file"),
		  "stderr: %s", err);
}

Test(shim, kmem_stats_path_receives_the_report)
{
	char dir[] = "/tmp/kmem-stats-XXXXXX";
	char path[sizeof(dir) + 8], err[8192], line[256] = "";
	FILE *f;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/stats", dir);
	cr_assert_eq(run_with_kmem_stats(path, "/", err, sizeof(err)), 0);
	cr_assert_str_empty(err);
	f = fopen(path, "r");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(line, sizeof(line), f));
	fclose(f);
	cr_assert(strstr(line, "kmem statistics of pid"), "first line: %s", line);
	unlink(path);
	rmdir(dir);
}
