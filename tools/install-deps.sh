#!/bin/sh
# Install the Debian packages kmem needs to build and test, when missing.
# Usage: tools/install-deps.sh [extra-package...]
set -e
need=""
have_pc() { command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$1"; }
command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
have_pc liburcu || need="$need liburcu-dev"
have_pc criterion || need="$need libcriterion-dev"
for pkg in "$@"; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
		need="$need $pkg"
done
[ -z "$need" ] && exit 0

echo "kmem: installing missing build dependencies:$need"
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
