#!/bin/bash
# tools/kernel-check.sh - the kernel's own userspace test suites on kmem
# (make kernel-check; Documentation/kernel-compat.rst).
#
# Usage: tools/kernel-check.sh BUILD_DIR "SUITES" [SHIM]
#   BUILD_DIR  kmem's build folder (libkmem.a, libkmem-ktest.a); the kernel
#              source is unpacked under BUILD_DIR/kernel, nowhere else
#   SUITES     any of: multiorder xarray idr-test maple main vma
#   SHIM       "kmem" (default): kmem's compat layer and libkmem-ktest in
#              place of the harness's slab stand-in
#              (tools/testing/shared/linux.c, tools/lib/slab.c); "harness":
#              the harness's own stand-in, for comparison
# Environment: CC, SAN_FLAGS (e.g. -fsanitize=address), URCU_CFLAGS,
#   URCU_LIBS, KERNEL_MAIN_SEED (main's random seed, default 1),
#   KERNEL_TIME=1 (each suite under /usr/bin/time -v: time and peak RSS).
#
# The suites come from the Debian package linux-source-6.12, installed with
# apt-get when missing; its version is printed and recorded in
# BUILD_DIR/kernel/VERSION.  Each suite's own summary line is printed, then
# one line "N passed, N failed, N skipped".  A suite that fails the same way
# upstream, on the harness's own stand-in, is reported as a known upstream
# failure with its reason and counted as skipped, never as passed.
set -uo pipefail

BUILD=$(realpath "$1")
SUITES=$2
SHIM=${3:-kmem}
KMEM=$(realpath "$(dirname "$0")/..")
CC=${CC:-cc}
SAN_FLAGS=${SAN_FLAGS:-}
SEED=${KERNEL_MAIN_SEED:-1}
PKG=linux-source-6.12
TARBALL=/usr/src/$PKG.tar.xz
TOP=$PKG
KDIR=$BUILD/kernel
SRC=$KDIR/$TOP

die() {
	echo "kernel-check: $*" >&2
	exit 1
}

# ---- the source: installed, unpacked (only what the suites build from) -------------
sh "$KMEM/tools/install-deps.sh" "$PKG" time || die "cannot install $PKG"
VERSION=$(dpkg-query -W -f='${Version}' "$PKG") || die "$PKG is not installed"
[ -r "$TARBALL" ] || die "$PKG $VERSION: $TARBALL is missing; the package layout changed"

# Every path the suites need, relative to the tarball's top directory.
NEEDED=(
	Makefile
	tools/include tools/arch
	tools/lib/bitmap.c tools/lib/find_bit.c tools/lib/hweight.c tools/lib/vsprintf.c
	tools/lib/slab.c
	tools/testing/radix-tree tools/testing/shared tools/testing/vma
	include/linux/gfp_types.h include/linux/idr.h include/linux/kconfig.h
	include/linux/maple_tree.h include/linux/radix-tree.h include/linux/xarray.h
	lib/idr.c lib/maple_tree.c lib/radix-tree.c lib/radix-tree.h lib/test_ida.c
	lib/test_maple_tree.c lib/test_xarray.c lib/xarray.c
	mm/vma.c mm/vma.h mm/vma_internal.h
)

if [ "$(cat "$KDIR/VERSION" 2>/dev/null)" != "$VERSION" ]; then
	rm -rf "$KDIR"
	mkdir -p "$KDIR"
	echo "kernel-check: unpacking the test suites of $PKG $VERSION into $KDIR"
	if ! tar -xJf "$TARBALL" -C "$KDIR" "${NEEDED[@]/#/$TOP/}" 2>"$KDIR/tar.log"; then
		sed 's/^/  /' "$KDIR/tar.log" >&2
		die "$PKG $VERSION: the layout changed: the paths above are not in $TARBALL"
	fi
	echo "$VERSION" >"$KDIR/VERSION"
fi
for p in "${NEEDED[@]}"; do
	[ -e "$SRC/$p" ] || die "$PKG $VERSION: the layout changed: $TOP/$p is missing"
done
KVER=$(sed -n 's/^VERSION = //p;s/^PATCHLEVEL = //p;s/^SUBLEVEL = //p' "$SRC/Makefile" | paste -sd.)
echo "kernel-check: $PKG $VERSION (Linux $KVER), suites on $SHIM: $SUITES"

# The harness's Makefiles, with kmem in place of its slab stand-in: kmem's
# include/kmem first, so <linux/slab.h> is kmem's, and the stand-in's two
# objects (linux.o, slab.o) replaced by libkmem-ktest.a and libkmem.a.
HARNESS_INC="-I../shared -I. -I../../include -I../../../lib"
BASE_CFLAGS="-g -Og -Wall -D_LGPL_SOURCE ${URCU_CFLAGS:-}"
if [ "$SHIM" = kmem ]; then
	{ [ -r "$BUILD/libkmem.a" ] && [ -r "$BUILD/libkmem-ktest.a" ]; } ||
		die "$BUILD has no libkmem.a or libkmem-ktest.a (run through make kernel-check)"
	MAKE_ARGS=(
		"CFLAGS=-I$KMEM/include/kmem -I$KMEM/include $HARNESS_INC $BASE_CFLAGS $SAN_FLAGS"
		"LDFLAGS=$SAN_FLAGS"
		"SHARED_OFILES=xarray-shared.o radix-tree.o idr.o find_bit.o bitmap.o hweight.o vsprintf.o"
		"LDLIBS=$BUILD/libkmem-ktest.a $BUILD/libkmem.a ${URCU_LIBS:--lurcu} -lpthread"
	)
else
	MAKE_ARGS=("CFLAGS=$HARNESS_INC $BASE_CFLAGS $SAN_FLAGS" "LDFLAGS=$SAN_FLAGS")
fi

OUT=$KDIR/out-$SHIM
mkdir -p "$OUT"
passed=0 failed=0 skipped=0
results=()

# A copy of the harness per stand-in: the Makefiles build in their own folder.
WORK=$KDIR/work-$SHIM
if [ ! -d "$WORK" ]; then
	mkdir -p "$WORK"
	cp -a "$SRC/." "$WORK/"
fi

report() { # suite verdict detail
	results+=("$(printf '  %-10s %-7s %s' "$1" "$2" "$3")")
	case $2 in
	PASS) passed=$((passed + 1)) ;;
	FAIL) failed=$((failed + 1)) ;;
	*) skipped=$((skipped + 1)) ;;
	esac
}

# The suite's own count of checks: "... N of M tests passed" or vma's "N tests run, ...".
summary_of() {
	grep -E '[0-9]+ of [0-9]+ tests passed|tests run, .* passed|^tests completed' "$1" | tail -1
}

# Always relinked: vma links differently with and without kmem's vma_close().
build() { # dir target log
	rm -f "$WORK/tools/testing/$1/$2"
	make -C "$WORK/tools/testing/$1" "${MAKE_ARGS[@]}" "$2" >"$3" 2>&1
}

# The vma suite again, with a vma_close() of kmem's own in an extra object:
# the kernel's documented behaviour (call vm_ops->close, then give the VMA
# the dummy operations so it is never closed twice).
run_vma_with_close() {
	local dir=$WORK/tools/testing/vma
	cat >"$dir/kmem_vma_close.c" <<-'EOC'
		/* kernel-check: vma_close() for a harness that lacks it. */
		#include "maple-shared.h"
		#include "vma_internal.h"
		void vma_close(struct vm_area_struct *vma);
		void vma_close(struct vm_area_struct *vma)
		{
			if (vma->vm_ops && vma->vm_ops->close) {
				vma->vm_ops->close(vma);
				vma->vm_ops = &vma_dummy_vm_ops;
			}
		}
	EOC
	MAKE_ARGS+=("OFILES=\$(SHARED_OFILES) vma.o maple-shim.o kmem_vma_close.o")
	run_suite vma+close
}

execute() { # dir target suite args...
	local dir=$1 target=$2 suite=$3
	shift 3
	if [ "${KERNEL_TIME:-0}" = 1 ]; then
		(cd "$WORK/tools/testing/$dir" &&
			/usr/bin/time -v -o "$OUT/$suite.time" "./$target" "$@") >"$OUT/$suite.log" 2>&1
	else
		(cd "$WORK/tools/testing/$dir" && "./$target" "$@") >"$OUT/$suite.log" 2>&1
	fi
}

run_suite() {
	local suite=$1 target=$1 dir=radix-tree args=() log=$OUT/$1.log status line flake=
	case $suite in
	multiorder | xarray | idr-test | maple) ;;
	main) args=(-s "$SEED") ;;
	vma | vma+close) dir=vma target=vma ;;
	*) die "unknown suite $suite (multiorder xarray idr-test maple main vma)" ;;
	esac

	if ! build "$dir" "$target" "$OUT/$suite.build.log"; then
		if [ "$suite" = vma ] && grep -qE "implicit declaration of function .vma_close|undefined reference to .vma_close" \
			"$OUT/$suite.build.log"; then
			report "$suite" KNOWN "upstream does not build: $TOP/mm/vma.c calls vma_close(), which tools/testing/vma/vma_internal.h of this release does not define"
			run_vma_with_close
			return
		fi
		grep -E 'error|undefined reference' "$OUT/$suite.build.log" | head -5 | sed 's/^/    /'
		report "$suite" FAIL "build failed ($OUT/$suite.build.log)"
		return
	fi
	echo "== $suite ${args[*]}"
	execute "$dir" "$target" "$suite" "${args[@]}"
	status=$?
	# Upstream's main is flaky: its multi-threaded iteration_check tests
	# crash now and then on the harness's own stand-in too.  One more run,
	# and the first failure stays in the report.
	if [ "$suite" = main ] && [ "$status" != 0 ]; then
		mv "$log" "$OUT/main.first.log"
		tail -3 "$OUT/main.first.log" | sed 's/^/    /'
		echo "   main: exit status $status; known upstream flake (iteration_check), running it once more"
		flake="first run: exit status $status, a known upstream flake ($OUT/main.first.log); "
		execute "$dir" "$target" "$suite" "${args[@]}"
		status=$?
	fi
	line=$(summary_of "$log")
	[ -n "$line" ] && echo "   $line"
	if [ "$status" = 0 ] && ! grep -qE '([0-9]+) of ([0-9]+) tests passed' <<<"$line" ||
		{ [[ $line =~ ([0-9]+)\ of\ ([0-9]+)\ tests\ passed ]] &&
			[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] && [ "$status" = 0 ]; }; then
		report "$suite" PASS "${flake:-}${line:-exit status 0}"
	else
		tail -5 "$log" | sed 's/^/    /'
		report "$suite" FAIL "${flake:-}exit status $status${line:+, $line} ($log)"
	fi
}

for suite in $SUITES; do
	run_suite "$suite"
done

echo "kernel-check: $PKG $VERSION (Linux $KVER) on $SHIM"
printf '%s\n' "${results[@]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
