#!/usr/bin/env bash
# Called by `npm test` after the run on the host's Slurm (22.05): runs the integration suite
# (test/integration/*.test.ts) again on Slurm 24.11, in the chroot and namespaces of
# test/slurm/chroot-cluster.sh: build or reuse the chroot, bring the cluster up, tap, bring it down.
# Prints how long each step took. Usage: scripts/test-slurm-24.sh [TEST FILE...] (default: the whole suite)
# Where it cannot run (not root, not Debian-like, no debootstrap or unshare) it prints one line saying why and
# exits 0; under CI=true that is an error (exit 1): CI must run the suite on both versions.
# Exit codes: 0 the suite passed (or was skipped), 1 a step failed, else tap's exit code.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CHROOT=$ROOT/test/slurm/chroot-cluster.sh
cd "$ROOT"

cannot() {
  if [[ ${CI:-} == true ]]; then
    echo "test-slurm-24: CI=true but no Slurm 24.11 test cluster: $1" >&2
    exit 1
  fi
  echo "test-slurm-24: integration tests on Slurm 24.11 skipped: $1"
  exit 0
}

[[ $(id -u) -eq 0 ]] || cannot "not root (run \`sudo test/slurm/chroot-cluster.sh up\` to try it by hand)"
[[ -r /etc/debian_version ]] || cannot "not a Debian-like system"
for c in debootstrap unshare nsenter; do
  command -v "$c" >/dev/null || cannot "$c not found (apt-get install debootstrap util-linux)"
done

# timed NAME COMMAND...: run COMMAND and say how long it took; returns its exit code.
timed() {
  local name=$1 t0=$SECONDS rc=0
  shift
  "$@" || rc=$?
  echo "test-slurm-24: $name took $((SECONDS - t0)) s (exit $rc)"
  return "$rc"
}

t_all=$SECONDS
timed "chroot (build or reuse)" "$CHROOT" build || cannot "test/slurm/chroot-cluster.sh build failed (see above)"
# Down on every way out, so no 24.11 daemon outlives the run.
trap 'timed "cluster down" "$CHROOT" down >&2 || true' EXIT
timed "cluster up" "$CHROOT" up || cannot "test/slurm/chroot-cluster.sh up failed (see above)"
# The web page (a browser) and the copied client (other Node builds) do not depend on Slurm's version and need
# what the chroot lacks (chromium, the cached Node builds): they run on the host's 22.05 cluster only.
if (($# == 0)); then
  for f in test/integration/*.test.ts; do
    case $f in */web-page.test.ts | */client-bundle.test.ts) ;; *) set -- "$@" "$f" ;; esac
  done
fi
# CI=true inside: the cluster is up, so a test that finds none must fail rather than skip.
rc=0
timed "tap on Slurm 24.11" env CI=true "$CHROOT" exec node_modules/.bin/tap "$@" || rc=$?
((rc == 0)) || bash "$ROOT/scripts/tap-failures.sh"
echo "test-slurm-24: $((SECONDS - t_all)) s in all; tap exit $rc"
exit "$rc"
