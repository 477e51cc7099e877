#!/bin/sh
# Make a local stand-in for the official slim Python image from Debian 13's own packages, for
# machines that reach Debian's mirror but no image registry:
#
#   sudo sh scripts/make-base-image.sh [NAME]     # default localhost/syncd-base:trixie
#   podman build --build-arg BASE=localhost/syncd-base:trixie -t syncd .
#
# debootstrap's minbase of trixie with python3 (3.13), python3-venv and ca-certificates,
# without documentation, locales and apt's lists, imported with `podman import`. About a
# minute, about 140 MB. Needs debootstrap and podman (Debian packages of the same names).
set -eu
name=${1:-localhost/syncd-base:trixie}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
say() { printf 'make-base-image: %s\n' "$*" >&2; }

if podman image exists "$name"; then
    say "$name is already there; nothing to do (podman rmi $name to make it again)"
    exit 0
fi
root=$(mktemp -d /var/tmp/syncd-base.XXXXXX)
trap 'rm -rf "$root"' EXIT
say "debootstrap trixie into $root"
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    trixie "$root" "$mirror" >"$root.log" 2>&1 || { tail -20 "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
    "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
    "$root"/usr/share/locale/* "$root"/var/log/*.log "$root"/tmp/*
# what the official image sets as well
printf '%s\n' '#!/bin/sh' 'exit 101' >"$root/usr/sbin/policy-rc.d" && chmod 755 "$root/usr/sbin/policy-rc.d"
say "importing as $name ($(du -sh "$root" | cut -f1))"
tar -C "$root" --numeric-owner -cf - . | podman import \
    --change 'ENV LANG=C.UTF-8' --change 'CMD ["python3"]' - "$name" >/dev/null
say "done: $name"
