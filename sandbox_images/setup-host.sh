#!/usr/bin/env bash
# Make this host ready to run sandboxes: Debian's docker.io, runsc and debootstrap,
# and a Docker daemon that knows the `pkgsandbox-runsc` runtime.
#
# Idempotent. Uses a private daemon (own socket, data root and config under
# $PKGSANDBOX_STATE_DIR) unless PKGSANDBOX_DOCKER_HOST names one that already has
# the runtime. Needs root: dockerd and runsc do.
set -euo pipefail

STATE_DIR=${PKGSANDBOX_STATE_DIR:-/var/lib/pkgsandbox}
HERE=$(cd "$(dirname "$0")" && pwd)
RUN_DIR="$STATE_DIR/run"
SOCKET="$RUN_DIR/docker.sock"
TRACE_DIR="$STATE_DIR/traces"
WRAPPER="$STATE_DIR/bin/pkgsandbox-runsc"
CONFIG_CHANGED=0

# shellcheck source=sandbox_images/lib.sh
source "$HERE/lib.sh" setup

[ "$(id -u)" = 0 ] || die "run as root (dockerd and runsc need it), e.g. sudo make setup"

apt_install() {
    step "apt-get update" "check that this host reaches its Debian mirror ($(debian_mirror))"
    apt-get update -qq
    step "apt-get install $*" "see the apt output above; \`apt-get install $*\` by hand shows why"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

install_packages() {
    step "checking host packages"
    local missing=()
    command -v dockerd >/dev/null || missing+=(docker.io)
    command -v debootstrap >/dev/null || missing+=(debootstrap)
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing ${missing[*]} from Debian"
        apt_install "${missing[@]}"
    fi
    install_runsc
}

# bookworm's runsc (2022-12-19) rejects statx with AT_NO_AUTOMOUNT, so `ls` and `stat`
# fail inside the sandbox: a giveaway, and it breaks shell droppers. bookworm-backports
# has a 2024 release that fixes it and brings the faster systrap platform.
RUNSC_MIN_DATE=20240101
# Prints nothing, and succeeds, when runsc is absent or says no date.
runsc_date() {
    [ -x /usr/bin/runsc ] || return 0
    { /usr/bin/runsc --version 2>/dev/null || true; } \
        | sed -n 's/^runsc version 0\.0~\([0-9]\{8\}\).*/\1/p'
}

install_runsc() {
    step "checking runsc"
    local have
    have=$(runsc_date)
    if [ -n "$have" ] && [ "$have" -ge "$RUNSC_MIN_DATE" ]; then
        return 0
    fi
    step "adding bookworm-backports"
    local mirror list=/etc/apt/sources.list.d/pkgsandbox-backports.sources
    mirror=$(debian_mirror)
    [ -n "$mirror" ] || die "step '$STEP' failed: no Debian mirror in /etc/apt/sources.list*; add one (deb.debian.org) and run again"
    if ! grep -qsr bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
        printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
            "$mirror" >"$list"
    fi
    say "installing runsc from bookworm-backports"
    apt_install -t bookworm-backports runsc
    step "checking runsc"
    have=$(runsc_date)
    if [ -z "$have" ] || [ "$have" -lt "$RUNSC_MIN_DATE" ]; then
        die "runsc ${have:-of unknown date} is older than $RUNSC_MIN_DATE; install it from bookworm-backports"
    fi
}

write_runtime() {
    step "writing the runtime wrapper and daemon config" "check that $STATE_DIR is writable (PKGSANDBOX_STATE_DIR)"
    mkdir -p "$STATE_DIR/bin" "$TRACE_DIR" "$RUN_DIR"
    chmod 700 "$STATE_DIR" "$TRACE_DIR"
    # A runtime wrapper gives each container its own strace log directory: this runsc
    # release does not expand %ID% in --debug-log. Docker passes the container id as
    # the last argument of `create`; other subcommands log next to it.
    cat >"$WRAPPER.tmp" <<EOF
#!/bin/sh
id=""
for arg in "\$@"; do
    case "\$arg" in
        [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]*) [ \${#arg} -eq 64 ] && id="\$arg" ;;
    esac
done
[ -n "\$id" ] || exec /usr/bin/runsc "\$@"
exec /usr/bin/runsc --debug-log="$TRACE_DIR/\$id/" "\$@"
EOF
    chmod 755 "$WRAPPER.tmp"
    mv "$WRAPPER.tmp" "$WRAPPER"
    # --network=none: loopback only (gVisor's own network setup also fails on this
    # kernel). --overlay2=root:memory: every write to the root filesystem stays in sandbox
    # memory, so the memory limit bounds disk use; the one writable bind mount, /out
    # (root-only inside, the simulator's log bounded), reaches the host's disk as it is
    # written, so a sandbox that dies still leaves its evidence. --strace-syscalls keeps
    # the log to what the trace parser reads (full tracing is ~20% slower and 5x larger).
    # --oci-seccomp: the profile each container is created with (analyzer/sandbox/
    # seccomp.py: no user namespaces, no raw or packet sockets) applies inside gVisor.
    local syscalls=open,openat,creat,execve,execveat,clone,clone3,fork,vfork,connect,bind,listen,socket,sendto,sendmsg,sendmmsg,unlink,unlinkat,rename,renameat,renameat2,chmod,fchmod,fchmodat,mkdir,mkdirat,symlink,symlinkat,link,linkat,exit_group
    cat >"$STATE_DIR/daemon.json.tmp" <<EOF
{
  "runtimes": {
    "pkgsandbox-runsc": {
      "path": "$WRAPPER",
      "runtimeArgs": ["--platform=systrap", "--network=none", "--overlay2=root:memory", "--strace",
                      "--strace-syscalls=$syscalls", "--strace-log-size=1024", "--oci-seccomp"]
    }
  },
  "bridge": "none",
  "iptables": false,
  "ip-masq": false,
  "log-level": "warn"
}
EOF
    if cmp -s "$STATE_DIR/daemon.json.tmp" "$STATE_DIR/daemon.json"; then
        rm "$STATE_DIR/daemon.json.tmp"
    else
        mv "$STATE_DIR/daemon.json.tmp" "$STATE_DIR/daemon.json"
        CONFIG_CHANGED=1
    fi
}

daemon_up() {
    DOCKER_HOST="unix://$SOCKET" timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1
}

# A daemon that was just started runs no analysis: containers and trace folders still
# there are what an earlier daemon left when it was killed.
clear_leftovers() {
    step "removing what an earlier daemon left"
    local stale
    stale=$(DOCKER_HOST="unix://$SOCKET" docker ps -aq --filter label=pkgsandbox.analysis)
    if [ -n "$stale" ]; then
        say "removing $(echo "$stale" | wc -l) sandbox container(s) left by an earlier daemon"
        # shellcheck disable=SC2086
        DOCKER_HOST="unix://$SOCKET" docker rm -f $stale >/dev/null || true
    fi
    find "$TRACE_DIR" -mindepth 1 -maxdepth 1 -exec rm -rf {} + 2>/dev/null || true
}

start_daemon() {
    step "starting the private Docker daemon" "see $STATE_DIR/dockerd.log"
    if [ -n "${PKGSANDBOX_DOCKER_HOST:-}" ]; then
        say "using PKGSANDBOX_DOCKER_HOST=$PKGSANDBOX_DOCKER_HOST (not starting a private daemon)"
        return 0
    fi
    if daemon_up; then
        if [ "$CONFIG_CHANGED" = 1 ] && [ -f "$RUN_DIR/dockerd.pid" ]; then
            say "runtime configuration changed: reloading the daemon"
            kill -HUP "$(cat "$RUN_DIR/dockerd.pid")"
            sleep 1
        fi
        say "private Docker daemon already running on $SOCKET"
        return 0
    fi
    say "starting a private Docker daemon on $SOCKET"
    rm -f "$RUN_DIR/dockerd.pid" "$SOCKET"
    nohup dockerd --config-file "$STATE_DIR/daemon.json" \
        --data-root "$STATE_DIR/docker" --exec-root "$RUN_DIR/exec" \
        -H "unix://$SOCKET" --pidfile "$RUN_DIR/dockerd.pid" \
        >"$STATE_DIR/dockerd.log" 2>&1 </dev/null &
    for _ in $(seq 60); do
        if daemon_up; then
            clear_leftovers
            return 0
        fi
        sleep 0.5
    done
    tail -5 "$STATE_DIR/dockerd.log" >&2 || true
    die "dockerd did not come up; see $STATE_DIR/dockerd.log"
}

install_packages
write_runtime
start_daemon
say "ready: DOCKER_HOST=unix://$SOCKET, runtime pkgsandbox-runsc"
