#!/bin/sh
# Install the Debian packages kmem needs, when missing.
# Usage: tools/install-deps.sh [--check] [extra-package...]
#
# Building and installing (make, make install) needs a C compiler, pkg-config
# and liburcu.  --check adds what only `make check` needs: Criterion, groff
# and man-db (the man-page check) and cmake (the find_package check).
set -e
need=""
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_pc() { have_cmd pkg-config && pkg-config --exists "$1"; }
have_cmd cc || need="$need gcc"
have_cmd pkg-config || need="$need pkg-config"
have_pc liburcu || need="$need liburcu-dev"
if [ "$1" = --check ]; then
	shift
	have_pc criterion || need="$need libcriterion-dev"
	have_cmd groff || need="$need groff-base"
	have_cmd man || need="$need man-db"
	have_cmd cmake || need="$need cmake"
fi
for pkg in "$@"; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
		need="$need $pkg"
done
[ -z "$need" ] && exit 0

echo "kmem: installing missing dependencies:$need"
if [ "$(id -u)" = 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	sudo="sudo -n"
else
	echo "kmem: cannot install packages (not root, no sudo). Please install:$need" >&2
	exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "kmem: apt-get not found. Please install the equivalents of:$need" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null || true
# shellcheck disable=SC2086
if ! $sudo apt-get install -y -qq $need >/dev/null; then
	echo "kmem: apt-get install failed. Please install:$need" >&2
	exit 1
fi
