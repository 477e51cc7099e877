#!/bin/sh
# Build CPython 3.13 from source into /opt/python3.13, for a distribution whose own Python is
# older than 3.12 (Debian 12). The result is owned by root, readable and runnable by every user
# (so a system service's user can run it) and outside any home directory (so ProtectHome=
# does not hide it). `make install` finds it there.
#
#   sudo sh scripts/build-python.sh            # about 4 minutes on 2 cores, 116 MB
#   sudo sh scripts/build-python.sh --copy DIR # a build you have (e.g. pyenv's): seconds
#
# --copy DIR copies an existing CPython 3.12+ installation (DIR/bin/python3.1X; pyenv's
# ~/.pyenv/versions/3.13.0, say) to /opt/python3.1X instead of building one: owned by root,
# open to every user, its library path made relative (patchelf; pyenv's builds link
# libpython by their own absolute path, which a home directory hides), its test suite and
# static library left out, then run once as `nobody` to prove any user can run it.
#
# The source is the upstream tarball that Debian 13 ships as python3.13's orig.tar.xz, fetched
# with `apt-get source` from a private trixie deb-src list (the host's apt sources are not
# touched) and checked against the checksum below; with PYTHON_TARBALL=/path/Python-3.13.5.tar.xz
# a tarball from python.org is used instead (same checksum). Needs a C compiler and the headers
# listed in NEEDS (Debian: the -dev packages below). Environment: PREFIX (default
# /opt/python3.13), OPTIMIZE=1 for a PGO build (about 4 times longer, about 10 % faster).
set -eu
VERSION=3.13.5
SHA256=93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640
PREFIX_SET=${PREFIX:-}
PREFIX=${PREFIX:-/opt/python3.13}
NEEDS="build-essential pkg-config libssl-dev libffi-dev zlib1g-dev libbz2-dev liblzma-dev \
libsqlite3-dev libreadline-dev libncurses-dev uuid-dev"

say() { printf 'build-python: %s\n' "$*" >&2; }
install_deps() {
    command -v dpkg >/dev/null 2>&1 || return 0
    missing=$(for p in $NEEDS; do dpkg -s "$p" >/dev/null 2>&1 || printf '%s ' "$p"; done)
    [ -z "$missing" ] && return 0
    say "installing the build dependencies: $missing"
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >&2
}
if [ "${1:-}" = "--deps" ]; then # only the build dependencies (scripts/test-service.sh)
    install_deps
    exit 0
fi
CHECK='import sqlite3, ssl, ctypes, lzma, bz2, zlib, venv'
as_nobody() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"; }
trim() { # what a service never needs: the test suite, the static libpython (396 -> 116 MB)
    rm -rf "$1/lib/$2/test" "$1/lib/lib$2.a" "$1"/lib/"$2"/config-*/lib"$2".a
}
if [ "${1:-}" = "--copy" ]; then
    from=${2:?usage: build-python.sh --copy DIR (an installation with bin/python3.1X in it)}
    py=$(ls "$from"/bin/python3.1[2-9] 2>/dev/null | sort -V | tail -1)
    [ -n "$py" ] || { say "no python3.12 or newer in $from/bin"; exit 1; }
    name=$(basename "$py")
    PREFIX=${PREFIX_SET:-/opt/$name}
    if as_nobody "$PREFIX/bin/$name" -c "$CHECK" 2>/dev/null; then
        say "$PREFIX/bin/$name is already there and runs for any user; nothing to do"
        exit 0
    fi
    [ "$(id -u)" = 0 ] || { say "run as root (sudo): it installs into $PREFIX"; exit 1; }
    "$py" -c "$CHECK" || { say "$py lacks a module syncd needs (above)"; exit 1; }
    if ! command -v patchelf >/dev/null 2>&1; then
        say "installing patchelf"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q patchelf >&2
    fi
    say "copying $("$py" -V) from $from to $PREFIX"
    rm -rf "$PREFIX.new"
    cp -a "$from/." "$PREFIX.new"
    trim "$PREFIX.new" "$name"
    for bin in "$PREFIX.new/bin/$name" "$PREFIX.new"/lib/lib"$name"*.so*; do
        [ -f "$bin" ] && [ -n "$(patchelf --print-rpath "$bin" 2>/dev/null)" ] &&
            patchelf --set-rpath '$ORIGIN/../lib' "$bin"
    done
    chown -R root:root "$PREFIX.new"
    chmod -R u=rwX,go=rX "$PREFIX.new"
    rm -rf "$PREFIX"
    mv "$PREFIX.new" "$PREFIX"
    as_nobody "$PREFIX/bin/$name" -c "$CHECK" ||
        { say "$PREFIX/bin/$name does not run for other users (above)"; exit 1; }
    say "done: $("$PREFIX/bin/$name" -V) in $PREFIX/bin/$name, runnable by every user"
    exit 0
fi

if "$PREFIX/bin/python3.13" -c "$CHECK" 2>/dev/null; then
    say "$PREFIX/bin/python3.13 is already there ($("$PREFIX/bin/python3.13" -V)); nothing to do"
    exit 0
fi
if [ "$(id -u)" != 0 ] && [ -z "${PREFIX_OK:-}" ]; then
    say "run as root (sudo): it installs into $PREFIX"
    exit 1
fi

work=$(mktemp -d /var/tmp/build-python.XXXXXX)
trap 'rm -rf "$work"' EXIT
tarball=${PYTHON_TARBALL:-}
if [ -z "$tarball" ]; then
    install_deps
    say "fetching the Python $VERSION source (Debian 13's python3.13 orig tarball)"
    mkdir -p "$work/apt/lists/partial" "$work/apt/archives/partial" "$work/sources"
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        >"$work/sources/trixie-src.sources"
    set -- -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$work/sources" \
        -o Dir::State::Lists="$work/apt/lists" -o Dir::Cache="$work/apt" -o APT::Sandbox::User=root
    apt-get "$@" -q update >&2
    (cd "$work" && apt-get "$@" -q source --download-only python3.13 >&2)
    tarball=$(ls "$work"/python3.13_"$VERSION".orig.tar.xz 2>/dev/null || true)
    [ -n "$tarball" ] || { say "Debian's trixie no longer has $VERSION; set PYTHON_TARBALL"; exit 1; }
fi
echo "$SHA256  $tarball" | sha256sum -c --quiet - || { say "$tarball: checksum mismatch"; exit 1; }

say "building into $PREFIX"
mkdir "$work/src"
tar -C "$work/src" --strip-components=1 -xJf "$tarball"
cd "$work/src"
opt=""
[ "${OPTIMIZE:-0}" = 1 ] && opt="--enable-optimizations --with-lto"
# shellcheck disable=SC2086
./configure -q --prefix="$PREFIX" --with-ensurepip=install --disable-test-modules $opt >"$work/configure.log" 2>&1 ||
    { tail -20 "$work/configure.log" >&2; exit 1; }
make -s -j"$(nproc)" >"$work/make.log" 2>&1 || { tail -30 "$work/make.log" >&2; exit 1; }
make -s altinstall >"$work/install.log" 2>&1 || { tail -30 "$work/install.log" >&2; exit 1; }
ln -sf python3.13 "$PREFIX/bin/python3"
trim "$PREFIX" python3.13
chmod -R u=rwX,go=rX "$PREFIX"
"$PREFIX/bin/python3.13" -c "$CHECK" ||
    { say "the build lacks a module syncd needs (see above)"; exit 1; }
say "done: $("$PREFIX/bin/python3.13" -V) in $PREFIX/bin/python3.13"
