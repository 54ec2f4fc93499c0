// SPDX-License-Identifier: MIT
/* Compiled by gcc running under the malloc shim in `make shim-check`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node {
	struct node *next;
	char name[24];
};

int main(void)
{
	struct node *head = NULL;
	unsigned long sum = 0;

	for (int i = 0; i < 1000; i++) {
		struct node *n = malloc(sizeof(*n));

		snprintf(n->name, sizeof(n->name), "node-%d", i);
		n->next = head;
		head = n;
	}
	while (head) {
		struct node *next = head->next;

		sum += strlen(head->name);
		free(head);
		head = next;
	}
	printf("hello: %lu name bytes\n", sum);
	return 0;
}
