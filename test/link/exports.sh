#!/bin/sh
# test/link/exports.sh - libkmem.so exports exactly the functions that the
# public headers declare KMEM_API (kmem.map must follow the headers).
#
# Usage: exports.sh LIBKMEM_SO HEADER...
set -eu
so=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -ho '^KMEM_API[^(]*(' "$@" | sed 's/.*[ *]\([A-Za-z_0-9]*\)($/\1/' | sort -u >"$tmp/declared"
nm -D --defined-only "$so" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort -u >"$tmp/exported"
if ! cmp -s "$tmp/declared" "$tmp/exported"; then
	echo "exports.sh: declared KMEM_API (<) and exported by $so (>) differ:" >&2
	diff "$tmp/declared" "$tmp/exported" | grep '^[<>]' >&2
	exit 1
fi
