#!/bin/sh
# Print the path of a Python >= 3.12 that really runs (pyenv shims that are not selected
# fail when run, so each candidate is tried, not just looked up). Exit 1 with one line if none.
# $SYNCD_PYTHON, when set, is tried first.
#
# --service: for an install that a system service runs (`make install` as root). The
# interpreter must then be runnable by every user (the service's user is not root) and live
# outside home directories (/root, /home, /run/user: systemd's ProtectHome= hides them), so
# pyenv's interpreters in root's home are passed over and /opt/python3.*/ (what
# scripts/build-python.sh makes) is looked in.
service=""
[ "${1:-}" = "--service" ] && service=1
want='import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)'
# For a service: the interpreter and its standard library are outside home directories,
# and every directory down to them is open to other users (o+x), the files o+r.
open='
import os, sys
def open_to_all(path, need):
    path = os.path.realpath(path)
    if path == "/root" or path.startswith(("/root/", "/home/", "/run/user/")):
        return False
    parts = path.split("/")
    dirs = ["/".join(parts[:i]) for i in range(2, len(parts))]
    return all(os.stat(d).st_mode & 0o001 for d in dirs) and os.stat(path).st_mode & need == need
ok = open_to_all(sys.executable, 0o005) and open_to_all(os.path.dirname(os.__file__), 0o005)
sys.exit(0 if ok else 1)'
rejected=""
try() {
    [ -n "$1" ] || return 1
    "$1" -c "$want" >/dev/null 2>&1 || return 1
    if [ -n "$service" ] && ! "$1" -c "$open" >/dev/null 2>&1; then
        rejected="$rejected $("$1" -c 'import sys; print(sys.executable)')"
        return 1
    fi
    "$1" -c 'import sys; print(sys.executable)'
    exit 0
}
try "${SYNCD_PYTHON:-}"
for name in python3.14 python3.13 python3.12 python3 python; do
    try "$(command -v "$name" 2>/dev/null)"
done
if [ -n "$service" ]; then
    for dir in /opt/python3.14 /opt/python3.13 /opt/python3.12 /usr/local /usr; do
        for minor in 14 13 12; do try "$dir/bin/python3.$minor"; done
    done
    # pyenv's interpreters are tried only to name them in the message below
    root=$( (pyenv root) 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
    for dir in $(ls -d "$root"/versions/3.* 2>/dev/null | sort -t. -k2,2nr -k3,3nr); do
        try "$dir/bin/python3"
    done
    [ -n "$rejected" ] && echo "find-python: passed over (the service user cannot run it, or ProtectHome= hides it):$rejected" >&2
    echo "syncd's service needs Python 3.12 or newer installed outside home directories, and none was found. Debian 13, Ubuntu 24.04, Fedora: install python3 and python3-venv from the distribution. Debian 12: sudo sh scripts/build-python.sh (builds 3.13 into /opt/python3.13). Or set SYNCD_PYTHON to one. See docs/service.md." >&2
    exit 1
fi
# pyenv keeps interpreters under $(pyenv root)/versions/X.Y.Z/bin; newest first
root=$( (pyenv root) 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
for dir in $(ls -d "$root"/versions/3.* 2>/dev/null | sort -t. -k2,2nr -k3,3nr); do
    try "$dir/bin/python3"
done
for dir in /usr/local/bin /usr/bin /opt/homebrew/bin /opt/python3.14/bin /opt/python3.13/bin /opt/python3.12/bin; do
    for minor in 14 13 12; do try "$dir/python3.$minor"; done
done
echo "syncd needs Python 3.12 or newer, and none was found (tried python3.12/3.13 on PATH, pyenv's versions and /opt/python3.1X); install one (Debian 12: sudo sh scripts/build-python.sh), or set SYNCD_PYTHON to its path." >&2
exit 1
