#!/bin/sh
# `make install`: syncd for real use, not for development. A non-editable install of the
# package with its chart extra (no test tools) into a venv at $PREFIX/venv, and a `syncd`
# link in $BINDIR so that `syncd ...` works at once.
#
#   sh scripts/install.sh PREFIX BINDIR
#
# As root (a service install) the interpreter must be one the service's user can run, outside
# home directories (scripts/find-python.sh --service). Run again to upgrade in place: the venv
# is kept when its interpreter is still the chosen one, else made anew.
set -eu
prefix=${1:?usage: install.sh PREFIX BINDIR}
bindir=${2:?usage: install.sh PREFIX BINDIR}
src=$(cd "$(dirname "$0")/.." && pwd)
venv="$prefix/venv"
umask 022 # the service user reads what root installs here

mode=""
[ "$(id -u)" = 0 ] && mode=--service
py=$(sh "$src/scripts/find-python.sh" $mode) || exit 1

if [ -x "$venv/bin/python" ]; then
    had=$("$venv/bin/python" -c 'import sys; print(sys._base_executable)' 2>/dev/null || true)
    if [ "$(realpath "$had" 2>/dev/null)" != "$(realpath "$py")" ]; then
        echo "install: $venv was made with ${had:-an interpreter that no longer runs}; making it anew with $py"
        rm -rf "$venv"
    fi
fi
if [ ! -x "$venv/bin/python" ]; then
    echo "install: creating $venv with $py ($("$py" -V 2>&1))"
    mkdir -p "$prefix"
    "$py" -m venv "$venv"
fi
# Build from a clean copy: setuptools reuses build/ in the tree it builds in, and a module
# deleted or moved since the last install would otherwise live on in the wheel.
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
tar -C "$src" --exclude=./.venv --exclude=./venv --exclude=./build --exclude=./.git \
    --exclude='*.egg-info' --exclude=__pycache__ -cf - . | tar -C "$copy" -xf -
"$venv/bin/python" -m pip install -q --disable-pip-version-check --no-warn-script-location \
    --upgrade "$copy[chart]"
mkdir -p "$bindir"
ln -sfn "$venv/bin/syncd" "$bindir/syncd"

version=$("$venv/bin/syncd" --version)
size=$(du -sh "$venv" | cut -f1)
echo "install: $version in $venv ($size); $bindir/syncd links to it"
case ":$PATH:" in
*":$bindir:"*) ;;
*) echo "install: $bindir is not on your PATH yet; log in again (Debian's ~/.profile adds ~/.local/bin once it exists), or: export PATH=\"$bindir:\$PATH\"" ;;
esac
if [ -n "$mode" ] && id syncd >/dev/null 2>&1; then
    # the service runs as this user: prove it can start the installed syncd
    if command -v runuser >/dev/null 2>&1; then
        runuser -u syncd -- "$venv/bin/syncd" --version >/dev/null ||
            { echo "install: the syncd user cannot run $venv/bin/syncd (see above)" >&2; exit 1; }
        echo "install: the syncd user can run it"
    fi
fi
