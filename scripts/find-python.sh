#!/bin/sh
# Print the path of a Python >= 3.12 that really runs (pyenv shims that are not selected
# fail when run, so each candidate is tried, not just looked up). Exit 1 with one line if none.
# $SYNCD_PYTHON, when set, is tried first.
want='import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)'
try() {
    [ -n "$1" ] || return 1
    "$1" -c "$want" >/dev/null 2>&1 || return 1
    "$1" -c 'import sys; print(sys.executable)'
    exit 0
}
try "${SYNCD_PYTHON:-}"
for name in python3.14 python3.13 python3.12 python3 python; do
    try "$(command -v "$name" 2>/dev/null)"
done
# pyenv keeps interpreters under $(pyenv root)/versions/X.Y.Z/bin; newest first
root=$( (pyenv root) 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
for dir in $(ls -d "$root"/versions/3.* 2>/dev/null | sort -t. -k2,2nr -k3,3nr); do
    try "$dir/bin/python3"
done
for dir in /usr/local/bin /usr/bin /opt/homebrew/bin; do
    for minor in 14 13 12; do try "$dir/python3.$minor"; done
done
echo "syncd needs Python 3.12 or newer, and none was found (tried python3.12/3.13 on PATH and pyenv's versions); install one, or set SYNCD_PYTHON to its path." >&2
exit 1
