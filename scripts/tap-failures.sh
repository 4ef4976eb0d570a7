#!/usr/bin/env bash
# Prints, after a failed tap run, every failing assertion with its diagnostics from tap's saved results
# (.tap/test-results), so the end of a long CI log names what failed. Usage: scripts/tap-failures.sh [DIR]
set -uo pipefail

dir=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.tap/test-results}
[[ -d $dir ]] || {
  echo "tap-failures: no results folder $dir" >&2
  exit 0
}
echo "==== tap failures (from $dir) ===="
found=0
while IFS= read -r -d '' f; do
  grep -qE '^\s*not ok ' "$f" || continue
  found=1
  echo "---- ${f#"$dir"/}"
  # Each failing point and its YAML diagnostics (indented lines up to the closing "...").
  awk '/^[[:space:]]*not ok /{p=1; n=0} p{print; n++; if ($0 ~ /^[[:space:]]*\.\.\.$/ || n > 60) p=0}' "$f"
done < <(find "$dir" -name '*.tap' -print0 | sort -z)
((found)) || echo "(no failing assertion in the saved results: a test file may have crashed or timed out; see above)"
echo "==== end of tap failures ===="
