#!/bin/sh
# test/headers/dealloc.sh - the allocators' KMEM_DEALLOC attributes, as the
# compiler sees them.
#
# Usage: dealloc.sh CC FLAGS...
# test/headers/matched_dealloc.c must build with -Werror; where the compiler
# knows the attribute (gcc 11 and later), every function defined in
# test/headers/mismatched_dealloc.c must draw one -Wmismatched-dealloc.
set -eu
dir=$(dirname "$0")
"$@" -O2 -Werror -c -o /dev/null "$dir/matched_dealloc.c"
if ! printf '#include <kmem/export.h>\nKMEM_DEALLOC(f, 1)\n' | "$@" -E -P -x c - | grep -q malloc
then
	echo "dealloc.sh: $1 does not pair allocators with deallocators; mismatches not checked"
	exit 0
fi
expected=$(grep -c '^void [a-z_]*(.*)$' "$dir/mismatched_dealloc.c")
found=$("$@" -O2 -c -o /dev/null "$dir/mismatched_dealloc.c" 2>&1 | grep -c 'Wmismatched-dealloc' ||
	true)
if [ "$found" -ne "$expected" ]; then
	echo "dealloc.sh: $found of $expected mismatched releases diagnosed" >&2
	exit 1
fi
