#!/usr/bin/env bash
# The site benchmark (on demand, never a test): wrk against the status endpoint of a running
# and of a finished job, a static file, and a bare FastCGI hello, all through one lighttpd.
# Usage: site_bench.sh BUILD_DIR [--duration S] [--connections N]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/site_bench.py" "${1:-build}" "${@:2}"
