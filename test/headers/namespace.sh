#!/bin/sh
# test/headers/namespace.sh - every public header compiles alone, warning-free
# under -pedantic, as C11, C++11 and C++20, and defines no macro beyond those
# of the C library headers it includes and the names in the allowlist: the
# kernel API kmem implements and the KMEM_ prefix.
#
# Usage: namespace.sh CC CXX INCLUDE_DIR ALLOWLIST HEADER...
# A new macro fails the check; add it to the allowlist only when it is a
# kernel name kmem implements or starts with KMEM_.
set -eu
cc=$1 cxx=$2 inc=$3 allow=$4
shift 4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -v '^#' "$allow" | sort -u >"$tmp/allowed"
failed=0
libc='assert|complex|ctype|errno|fenv|float|inttypes|iso646|limits|locale|math|setjmp|signal'
libc="$libc|stdalign|stdarg|stdatomic|stdbool|stddef|stdint|stdio|stdlib|stdnoreturn|string"
libc="$libc|tgmath|threads|time|uchar|wchar|wctype|pthread"

macro_names() {
	sed -n 's/^#define \([A-Za-z0-9_]*\).*/\1/p' | sort -u
}

# Language, compiler and flags: each header must be clean in all of them.
check() {
	header=$1 lang=$2
	shift 2
	printf '#include <%s>\ntypedef int kmem_header_is_not_empty;\n' "$header" >"$tmp/one.c"
	if ! "$@" -Wall -Wextra -pedantic -Werror -fsyntax-only -I"$inc" "$tmp/one.c" \
		2>"$tmp/err"; then
		echo "$header does not compile alone as $lang:" >&2
		cat "$tmp/err" >&2
		failed=1
		return
	fi
	# The C library headers (C11 and pthread.h) that the kmem headers it
	# pulls in include; whatever any other header defines counts as theirs.
	"$@" -I"$inc" -M "$tmp/one.c" | tr ' ' '\n' | grep "^$inc/kmem/.*\.h$" |
		xargs grep -h '^#include <' | grep -E "^#include <($libc)\.h>" | sort -u >"$tmp/base.c"
	echo 'typedef int kmem_header_is_not_empty;' >>"$tmp/base.c"
	"$@" -I"$inc" -dM -E "$tmp/one.c" | macro_names >"$tmp/with"
	"$@" -dM -E "$tmp/base.c" | macro_names >"$tmp/without"
	comm -23 "$tmp/with" "$tmp/without" | comm -23 - "$tmp/allowed" >"$tmp/new"
	if [ -s "$tmp/new" ]; then
		echo "$header defines macros outside $allow ($lang):" >&2
		sed 's/^/  /' "$tmp/new" >&2
		failed=1
	fi
}

for path in "$@"; do
	header=kmem/$(basename "$path")
	check "$header" C11 "$cc" -x c -std=c11
	check "$header" C++11 "$cxx" -x c++ -std=c++11
	check "$header" C++20 "$cxx" -x c++ -std=c++20
done
exit $failed
