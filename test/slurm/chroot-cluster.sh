#!/usr/bin/env bash
# A second Slurm test cluster, of another Debian release's Slurm (default trixie: Slurm 24.11), in a chroot and
# its own namespaces, beside the host's one (Debian 12: Slurm 22.05, brought up by test/slurm/cluster.sh).
#
# Usage: chroot-cluster.sh build|up|exec CMD [ARG...]|status|down
#   build   create the chroot if it is missing (debootstrap --variant=minbase, then apt-get install of the
#           cluster's packages and nodejs); a complete one is reused. Needs Debian's mirror.
#   up      build, start the namespaces (net, uts, mount, pid) if they are not running, then run
#           test/slurm/cluster.sh up inside them
#   exec    run CMD inside (as root, cwd = the current folder when it is under the repository, else the
#           repository); the repository is mounted at its own path, so its node_modules and dist/ work there
#   status  say whether the namespaces run, then test/slurm/cluster.sh status inside
#   down    test/slurm/cluster.sh down inside, then end every process of the namespaces
# Examples, as root:
#   test/slurm/cluster.sh up                         # Slurm 22.05 on the host
#   test/slurm/chroot-cluster.sh up                  # Slurm 24.11 beside it
#   test/slurm/chroot-cluster.sh exec sinfo
#   CI=true test/slurm/chroot-cluster.sh exec node_modules/.bin/tap test/integration/foundation.test.ts
#   test/slurm/chroot-cluster.sh down
# Environment: EMB_CHROOT_SUITE (default trixie), EMB_CHROOT_DIR (default /var/cache/emb-slurm/SUITE),
# EMB_DEBIAN_MIRROR (default http://deb.debian.org/debian); cluster.sh's own (EMB_SLURM_WAIT_S) pass through.
# Exit codes: 0 ok, 1 a step failed (said why), 2 refused (not root, no debootstrap or unshare, bad usage);
# exec returns CMD's exit code; status returns 3 when the namespaces or a daemon are not running.
#
# Why a long-lived holder process rather than one unshare per run: a developer brings the cluster up once and
# runs sinfo, tap or the agent in it many times. The holder is the namespaces' pid 1 (a bash loop, which also
# reaps the daemons' orphans); everything else joins it with nsenter. Its mounts (proc, dev, run, the
# repository) live only in its private mount namespace, so they vanish with it and never touch the host's.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SUITE=${EMB_CHROOT_SUITE:-trixie}
DIR=${EMB_CHROOT_DIR:-/var/cache/emb-slurm/$SUITE}
MIRROR=${EMB_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# cluster.sh's own package list (it cannot install anything once the namespace has no network), nodejs for
# the tests, procps and iproute2 for pgrep and ip, hostname for `hostname -s`.
PACKAGES=(slurm-wlm slurmdbd munge mariadb-server strace nodejs procps iproute2 hostname)
# Written last by build: the chroot is complete for exactly this package list.
READY=$DIR/.emb-chroot-ready
HOLDER=/run/emb-slurm-chroot/$(basename "$DIR").pid
# The node's host name inside (cluster.sh names the node after it); not the host's, so logs tell them apart.
NODE=emb-$SUITE
# Slurm 24 resolves with AI_ADDRCONFIG, which ignores a namespace whose only IPv4 address is 127.0.0.1.
EXTRA_ADDR=127.0.0.2/8

say() { echo "chroot-cluster.sh: $*"; }
refuse() {
  echo "chroot-cluster.sh: refused: $*" >&2
  exit 2
}
fail() {
  echo "chroot-cluster.sh: $*" >&2
  exit 1
}

preflight() {
  [[ $(id -u) -eq 0 ]] || refuse "must run as root (debootstrap, chroot, namespaces); try: sudo $0 $1"
  local c
  for c in unshare nsenter chroot; do
    command -v "$c" >/dev/null || refuse "$c not found (util-linux, coreutils)"
  done
}

# mounted_under DIR: true if anything is mounted at or below DIR in this mount namespace.
mounted_under() { awk -v d="$1" '$5 == d || index($5, d "/") == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; }

build() {
  if [[ -f $READY && $(<"$READY") == "${PACKAGES[*]}" ]]; then return 0; fi
  local t0=$SECONDS
  # debootstrap leaves its own folder in the target until it has finished.
  if [[ ! -x $DIR/usr/bin/apt-get || -e $DIR/debootstrap ]]; then
    command -v debootstrap >/dev/null || refuse "debootstrap not found (apt-get install debootstrap)"
    mounted_under "$DIR" && fail "something is mounted under $DIR; not removing it (see /proc/self/mountinfo)"
    say "debootstrap --variant=minbase $SUITE into $DIR (from $MIRROR)"
    rm -rf "$DIR.partial"
    mkdir -p "$(dirname "$DIR")"
    debootstrap --variant=minbase "$SUITE" "$DIR.partial" "$MIRROR" >"$DIR.debootstrap.log" 2>&1 ||
      fail "debootstrap failed; last lines of $DIR.debootstrap.log:$(echo && tail -n 20 "$DIR.debootstrap.log")"
    rm -rf "$DIR"
    mv "$DIR.partial" "$DIR"
    say "debootstrap done in $((SECONDS - t0)) s"
  fi
  # No init in the chroot: package scripts must start nothing (cluster.sh starts the daemons its own way).
  printf '#!/bin/sh\nexit 101\n' >"$DIR/usr/sbin/policy-rc.d"
  chmod 0755 "$DIR/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$DIR/etc/resolv.conf"
  say "installing ${PACKAGES[*]} in the chroot"
  local t1=$SECONDS
  # In a mount namespace of its own (network kept) so that proc and dev vanish when apt-get is done.
  unshare --mount --fork bash -c '
    set -euo pipefail
    dir=$1
    shift
    mount -t proc proc "$dir/proc"
    mount --rbind /dev "$dir/dev"
    export DEBIAN_FRONTEND=noninteractive
    chroot "$dir" apt-get update -q </dev/null
    chroot "$dir" apt-get install -y -q --no-install-recommends "$@" </dev/null
  ' apt "$DIR" "${PACKAGES[@]}" >"$DIR.apt.log" 2>&1 ||
    fail "apt-get install in the chroot failed; last lines of $DIR.apt.log:$(echo && tail -n 20 "$DIR.apt.log")"
  chroot "$DIR" apt-get clean
  echo "${PACKAGES[*]}" >"$READY"
  say "packages installed in $((SECONDS - t1)) s: slurm-wlm $(chroot "$DIR" dpkg-query -W -f='${Version}' slurm-wlm), node $(chroot "$DIR" node --version)"
}

# holder_pid: print the pid (in the host's view) of the namespaces' pid 1, if it runs.
holder_pid() {
  local outer inner
  [[ -s $HOLDER ]] || return 1
  outer=$(<"$HOLDER")
  [[ $(cat "/proc/$outer/comm" 2>/dev/null) == unshare ]] || return 1
  inner=$(pgrep -P "$outer" | head -n 1) || return 1
  [[ -n $inner ]] && echo "$inner"
}

start_holder() {
  holder_pid >/dev/null && return 0
  install -d -m 0755 "$(dirname "$HOLDER")"
  local log=$DIR.holder.log
  say "starting namespaces for $SUITE (node $NODE, loopback 127.0.0.1 and $EXTRA_ADDR)"
  # Runs as pid 1 of the new pid namespace: mount what the chroot needs, then become the reaping loop.
  # shellcheck disable=SC2016 # expanded by the inner bash
  setsid unshare --net --uts --mount --pid --fork --propagation private bash -c '
    set -euo pipefail
    dir=$1 repo=$2 node=$3 addr=$4
    hostname "$node"
    mount -t proc proc "$dir/proc"
    mount --rbind /dev "$dir/dev"
    # A fresh /run and /tmp on every start, as after a boot: no stale pid files or sockets.
    mount -t tmpfs -o mode=0755 tmpfs "$dir/run"
    find "$dir/tmp" -mindepth 1 -delete
    mkdir -p "$dir$repo"
    mount --bind "$repo" "$dir$repo"
    printf "127.0.0.1 localhost\n127.0.0.1 %s\n" "$node" >"$dir/etc/hosts"
    echo "$node" >"$dir/etc/hostname"
    chroot "$dir" ip link set lo up
    chroot "$dir" ip addr add "$addr" dev lo
    exec chroot "$dir" /bin/bash -c "trap \"exit 0\" TERM; echo ready; while :; do sleep 3600 & wait \$!; done"
  ' holder "$DIR" "$REPO" "$NODE" "$EXTRA_ADDR" </dev/null >"$log" 2>&1 &
  echo $! >"$HOLDER"
  local i
  # Well under a second here, but give a loaded machine time.
  for ((i = 0; i < 300; i++)); do
    if grep -qx ready "$log" 2>/dev/null && holder_pid >/dev/null; then return 0; fi
    [[ -d /proc/$(<"$HOLDER") ]] || break
    sleep 0.1
  done
  fail "the namespaces did not start; $log says:$(echo && cat "$log")"
}

# inside CMD...: run CMD in the namespaces and the chroot, with a plain PATH. Host paths that the chroot lacks
# are dropped (TMPDIR, NODE_EXTRA_CA_CERTS: node would warn on every start, and tests read agents' stderr).
inside() {
  local pid cwd=$REPO
  pid=$(holder_pid) || fail "the $SUITE namespaces are not running (run: $0 up)"
  [[ $PWD == "$REPO" || $PWD == "$REPO"/* ]] && cwd=$PWD
  nsenter --target "$pid" --net --uts --mount --pid chroot "$DIR" \
    env -u TMPDIR -u NODE_EXTRA_CA_CERTS PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    bash -c 'cd "$1" && shift && exec "$@"' inside "$cwd" "$@"
}

up() {
  build
  start_holder
  inside "$REPO/test/slurm/cluster.sh" up
}

status() {
  local pid
  if ! pid=$(holder_pid); then
    echo "namespaces ($SUITE): not running"
    return 3
  fi
  echo "namespaces ($SUITE): running (pid 1 is $pid here), root $DIR"
  inside "$REPO/test/slurm/cluster.sh" status
}

down() {
  local pid i
  if ! pid=$(holder_pid); then
    say "the $SUITE namespaces are not running"
    rm -f "$HOLDER"
    return 0
  fi
  # Stop the daemons cleanly first (mariadb and slurmctld save their state for the next up).
  inside "$REPO/test/slurm/cluster.sh" down || say "cluster.sh down failed; ending the namespaces anyway"
  say "ending the $SUITE namespaces (pid $pid)"
  # Killing a pid namespace's pid 1 kills every process in it; its mounts go with the last of them.
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    [[ -d /proc/$(<"$HOLDER") ]] || break
    sleep 0.1
  done
  rm -f "$HOLDER"
}

cmd=${1:-}
case $cmd in
  build | up | status | down) [[ $# -eq 1 ]] || refuse "$cmd takes no arguments" ;;
  exec) [[ $# -ge 2 ]] || refuse "exec needs a command" ;;
  *)
    # The header from "Usage:" to the blank comment line before "Why".
    sed -n '4,/^#$/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
preflight "$cmd"
shift
case $cmd in
  exec) inside "$@" ;;
  *) "$cmd" ;;
esac
