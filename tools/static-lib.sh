#!/bin/sh
# tools/static-lib.sh - build libkmem.a as one prelinked object.
#
# Usage: static-lib.sh ARCHIVE OBJECT...
# (CC, AR, OBJCOPY and READELF are taken from the environment.)
#
# A program may define a function of kmem's API for itself: the kernel's
# userspace test harnesses define kfree(), kmalloc() and more for the code
# they test.  With an archive of one object per source file, such a program
# fails to link (two kfree definitions), and if it linked, kmem's own calls
# (kvfree() to kfree(), kstrdup() to kmalloc(), ...) would reach the
# program's function.  libkmem.so avoids both with -Bsymbolic-functions; here
# the objects become one (a relocatable link), in which:
#  - kmem-internal (hidden) symbols are made local;
#  - every exported function is made local too, so that every reference
#    inside kmem stays bound to kmem's definition, and a weak global alias of
#    the same name and address is added for programs to link against: a
#    program's own definition wins, for the program's calls only.
set -eu
archive=$1
shift
cc=${CC:-cc}
objcopy=${OBJCOPY:-objcopy}
readelf=${READELF:-readelf}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$cc" -r -nostdlib -o "$tmp/kmem.o" "$@"

"$readelf" -sW "$tmp/kmem.o" |
	awk '$5 == "GLOBAL" && $6 == "DEFAULT" && $7 != "UND" { print $8, $4, $7, $2 }' >"$tmp/api"
if awk '$2 != "FUNC" { bad = 1; print "static-lib.sh: exported " $2 " " $1 " is not a function" }
	END { exit bad }' "$tmp/api" >&2; then :; else exit 1; fi

"$readelf" -SW "$tmp/kmem.o" | sed -n 's/^ *\[ *\([0-9]*\)\] \([^ ]*\) .*/\1 \2/p' >"$tmp/sections"
awk 'NR == FNR { section[$1] = $2; next }
	{ printf "--add-symbol %s=%s:0x%s,global,weak,function\n", $1, section[$3], $4 }' \
	"$tmp/sections" "$tmp/api" >"$tmp/aliases"
cut -d' ' -f1 "$tmp/api" >"$tmp/names"

"$objcopy" --localize-hidden --localize-symbols="$tmp/names" "$tmp/kmem.o" "$tmp/local.o"
"$objcopy" @"$tmp/aliases" "$tmp/local.o" "$tmp/libkmem.o"
rm -f "$archive"
${AR:-ar} rcs "$archive" "$tmp/libkmem.o"
