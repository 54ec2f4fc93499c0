// SPDX-License-Identifier: MIT
/*
 * lib/random.c - unpredictable bits for secrets (the slab free-pointer
 * key, seeds of lib/prandom.h generators).
 *
 * getrandom(2) does not allocate and does not block with GRND_NONBLOCK, so
 * it is safe inside the malloc shim and under allocator locks.  Before the
 * kernel's pool is ready (early boot) it fails; the fallback mixes the
 * clock, the thread id and addresses that ASLR randomises through the
 * prandom generator, which is weaker but never the same twice.
 */
#include <errno.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/syscall.h>

#include "lib/core.h"
#include "lib/prandom.h"

uint64_t kmem_get_random_u64(void)
{
	static uint64_t fallback_calls;
	struct prandom_state state;
	struct timespec ts;
	uint64_t v;

	for (;;) {
		ssize_t n = getrandom(&v, sizeof(v), GRND_NONBLOCK);

		if (n == (ssize_t)sizeof(v))
			return v;
		if (n < 0 && errno != EINTR)
			break;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	prandom_seed_state(&state,
			   (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^
				   (uint64_t)(uintptr_t)&state ^
				   (uint64_t)(uintptr_t)&fallback_calls ^
				   ((uint64_t)syscall(SYS_gettid) << 20) ^
				   __atomic_fetch_add(&fallback_calls, 1, __ATOMIC_RELAXED));
	return prandom_u64_state(&state);
}
