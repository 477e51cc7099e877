#!/bin/sh
# Build the image and run docs/container.md's recipe with podman (tests/service/container.py),
# against the local fake Strava and push receiver, then compose.yaml with podman-compose. Needs
# root. About 3 minutes the first time (the base image), 1.5 after.
#
#   sudo sh scripts/test-container.sh
#
# Installs, only when missing, Debian's podman, runc, debootstrap and podman-compose. Where the official
# python:3.13-slim-trixie cannot be pulled (no image registry reachable), makes a base image
# from Debian 13's packages (scripts/make-base-image.sh) and builds on that. This machine's
# limits (docs/container.md, "Testing it here") are met with a CONTAINERS_CONF of its own.
set -eu
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "test-container: run as root" >&2; exit 1; }
missing=""
for p in podman runc debootstrap podman-compose; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "test-container: installing$missing"
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/dev/null
fi
conf=$(mktemp /var/tmp/syncd-containers-XXXXXX.conf)
trap 'rm -f "$conf"' EXIT
# crun refuses a hybrid cgroup layout; podman's default ulimits (about a million) exceed a
# sandbox's hard limits, which cannot be raised without CAP_SYS_RESOURCE
printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n[engine]\nruntime = "runc"\n' >"$conf"
export CONTAINERS_CONF="$conf"
base=""
official=$(sed -n 's/^ARG BASE=//p' Containerfile)
if ! podman image exists "$official" && ! timeout 60 podman pull -q "$official" >/dev/null 2>&1; then
    echo "test-container: $official cannot be pulled here; building on a base made from Debian's packages"
    sh scripts/make-base-image.sh
    base=localhost/syncd-base:trixie
fi
# not exec: the trap removes the CONTAINERS_CONF file afterwards
timeout 900 /usr/bin/python3 tests/service/container.py ${base:+--base "$base"} "$@"
