#!/usr/bin/env bash
# Regenerates docs/tour.md from real output: bash docs/make_tour.sh (after make demo/test set-up).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
evimap="$root/.venv/bin/evimap"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "${EVIMAP_DATA_DIR:-$root/../shared/data}/seeds" "$work/seeds"
cd "$work"
{
  echo '# A tour of evimap on the five seed pages'
  echo
  echo 'Real output of the commands shown, run in a folder holding a copy of the seed pages as'
  echo '`seeds/` (regenerate with `bash docs/make_tour.sh`). Long listings are cut where marked.'
  for cmd in "ingest seeds" "docs" "statements" "evidence ketamine migraine" \
             "statements --about milnacipran" "claims --about Provigil" "discover ketamine" \
             "discover milnacipran migraine" "claims --about glutamate --json"; do
    echo; echo '```console'; echo "\$ evimap $cmd"
    # shellcheck disable=SC2086
    out=$("$evimap" $cmd 2>&1 | grep -v '^ingesting')
    printf '%s\n' "$out" | head -n 60
    n=$(printf '%s\n' "$out" | wc -l)
    if [ "$n" -gt 60 ]; then echo "... ($((n - 60)) more lines)"; fi
    echo '```'
  done
} > "$root/docs/tour.md"
echo "wrote $root/docs/tour.md"
