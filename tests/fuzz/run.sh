#!/usr/bin/env bash
# Runs every importer's libFuzzer target for SECONDS each, seeded with our seeds and the
# shared corpus samples; prints the exec count per target. Usage: run.sh BUILD_DIR SECONDS
set -euo pipefail
build=$1 seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
corpus=${TP_CORPUS_DIR:-$here/../../../shared/corpus}
out=$build/fuzz-work
mkdir -p "$out"
for target in "$build"/tests/fuzz_*; do
  name=${target##*/fuzz_}
  [ -x "$target" ] || continue
  work=$out/$name
  mkdir -p "$work/corpus" "$work/artifacts"
  seeds=()
  [ -d "$here/seeds/$name" ] && seeds+=("$here/seeds/$name")
  log=$work/log.txt
  "$target" "$work/corpus" "${seeds[@]}" "$corpus/samples"/* -max_total_time="$seconds" \
    -max_len=65536 -timeout=10 -print_final_stats=1 -rss_limit_mb=2048 -artifact_prefix="$work/artifacts/" \
    >"$log" 2>&1 || { echo "$name: CRASH (see $log and $work/artifacts)"; continue; }
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  [ -n "$execs" ] || execs=$(grep -Eo '#[0-9]+' "$log" | tail -1 | tr -d '#')
  echo "$name: ok, $execs executions in ${seconds}s"
done
