#!/usr/bin/env bash
# Called by `npm test` before tap: brings the Slurm test cluster up where it can (root, Debian, apt-get).
# Elsewhere it prints one line saying the integration tests will be skipped and why, and exits 0.
# Under CI=true not getting a cluster is an error (exit 1): CI must run the integration tests.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CLUSTER=$ROOT/test/slurm/cluster.sh

cannot() {
  if [[ ${CI:-} == true ]]; then
    echo "test-cluster: CI=true but no Slurm test cluster: $1" >&2
    exit 1
  fi
  echo "test-cluster: integration tests will be skipped: $1"
  exit 0
}

answers() {
  command -v sinfo >/dev/null && timeout 10 sinfo --noheader --format=%T 2>/dev/null |
    grep -qxE 'idle|mixed|allocated|completing'
}

if [[ $(id -u) -ne 0 ]]; then
  answers && exit 0
  cannot "not root (run \`sudo test/slurm/cluster.sh up\` once to start one)"
fi
if [[ ! -r /etc/debian_version ]] || ! command -v apt-get >/dev/null; then
  answers && exit 0
  cannot "not a Debian-like system with apt-get"
fi
"$CLUSTER" up || cannot "test/slurm/cluster.sh up failed (exit $?, see above)"
