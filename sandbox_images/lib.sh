# shellcheck shell=bash
# Shared by setup-host.sh and build.sh: messages, named steps, the host's Debian mirror.
# Sourced, never run: `source lib.sh PREFIX`, PREFIX being the word messages start with.
#
# Every step has a name and a hint. A command that fails inside a step ends the script
# with one line that says which step, which command, its status and how to fix it: never
# a bare shell status (that is how a missing runsc once ended setup with 127, silently).

PREFIX=${1:-setup}
STEP="starting"
HINT=""

say() { printf '%s: %s\n' "$PREFIX" "$*" >&2; }
die() { printf '%s: error: %s\n' "$PREFIX" "$*" >&2; exit 2; }

# step NAME HINT: what the following commands do, and what to do when they fail.
step() { STEP=$1; HINT=${2:-}; }

on_error() {
    local status=$1 command=$2
    trap - ERR
    die "step '$STEP' failed: \`$command\` exited $status${HINT:+; $HINT}"
}
set -o errtrace
trap 'on_error $? "$BASH_COMMAND"' ERR

# The Debian mirror this host already uses (first non-security source), or nothing.
debian_mirror() {
    local files=() file
    for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [ -f "$file" ] && files+=("$file")
    done
    [ ${#files[@]} -gt 0 ] || return 0
    awk '/^(URIs:|deb )/ && !/security/ {
             for (i = 2; i <= NF; i++) if ($i ~ /^(https?|ftp|file):/) { print $i; exit }
         }' "${files[@]}"
}
