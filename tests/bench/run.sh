#!/usr/bin/env bash
# Runs the benchmarks (on demand, never as tests). Usage: run.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
echo "== converter"
python3 "$here/converter_bench.py" "$build/converter/trackport"
for extra in "$here"/jobs_bench.sh "$here"/site_bench.sh; do
  [ -x "$extra" ] || continue
  echo
  echo "== $(basename "$extra" .sh)"
  "$extra" "$build"
done
