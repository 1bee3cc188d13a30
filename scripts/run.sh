#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine (as root): install the
# dependencies, build, and run the core benchmark, which prints ESP
# throughput beside raw OpenSSL EVP speed, SAD/SPD lookup times and memory
# per SA.  (Until the daemon lands this is the program's main job; the
# daemon issue replaces it with a real two-namespace tunnel.)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
"$top/scripts/build.sh" "$top/build/release"
exec "$top/build/release/bench/ipsecd-bench" "$@"
