#!/bin/sh
# Run docs/service.md's service recipe to the letter as a new self-hoster would
# (tests/service/recipe.py): a real `syncd` system user, a fresh clone of this repository's
# committed HEAD, everything but systemctl. Needs root; leaves the machine as it was (the
# recipe's writes go to overlays in a private mount namespace).
#
#   sudo sh scripts/test-service.sh [--python build|copy] [--no-service]
#
# On Debian 12, --python build (the default) builds CPython from source as the recipe's line
# does (4 to 8 minutes); --python copy (CI) takes the recipe's documented alternative, a copy of
# a Python build the machine has (pyenv's) in /opt (seconds).
#
# First installs, only when missing, what the recipe expects the machine to have (Debian's
# sudo, git, make, python3-venv; systemd for systemd-analyze; on Debian 12 the compiler and
# headers scripts/build-python.sh needs, and patchelf for its --copy): packages cannot be
# installed inside the overlays.
set -eu
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "test-service: run as root" >&2; exit 1; }
missing=""
. /etc/os-release
needs="sudo systemd git make python3-venv"
[ "$ID" = debian ] && [ "$VERSION_ID" = 12 ] && needs="$needs patchelf"
for p in $needs; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "test-service: installing$missing"
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/dev/null
fi
case " $* " in
*" --python copy "* | *" --python=copy "*) copy=1 ;; # a copy needs no compiler
*) copy="" ;;
esac
if [ "$ID" = debian ] && [ "$VERSION_ID" = 12 ] && [ -z "$copy" ]; then
    sh scripts/build-python.sh --deps
fi
[ -z "$(git status --porcelain --untracked-files=no)" ] ||
    echo "test-service: note: uncommitted changes are not in the clone the recipe makes"
exec timeout 1800 /usr/bin/python3 tests/service/recipe.py "$@"
