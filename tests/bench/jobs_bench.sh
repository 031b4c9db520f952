#!/usr/bin/env bash
# The job system benchmark (on demand, never a test). Usage: jobs_bench.sh BUILD_DIR [--quick]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/jobs_bench.py" "${1:-build}" "${@:2}"
