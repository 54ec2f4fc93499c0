// SPDX-License-Identifier: MIT
/* Built by `make check` with CMake's find_package(kmem), shared and static. */
#include <stdio.h>
#include <string.h>
#include <kmem/kmem.h>

int main(void)
{
	char compiled[32];
	char *p = kmalloc(100, GFP_KERNEL);

	if (!p)
		return 1;
	strcpy(p, "find_package");
	snprintf(compiled, sizeof(compiled), "%d.%d.%d", KMEM_VERSION_MAJOR, KMEM_VERSION_MINOR,
		 KMEM_VERSION_PATCH);
	if (strcmp(kmem_version(), compiled))
		return 1;
	printf("%s build of kmem %s: ok\n", p, kmem_version());
	kfree(p);
	return kmem_check() ? 1 : 0;
}
