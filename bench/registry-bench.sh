#!/usr/bin/env bash
# Cédula index at national scale: 21.4 M synthetic voters over ~30,000 tables.
# Prints CSV generation and build time, index file size, load time, resident memory and
# ns per random look-up, compared with a sorted Vec<(u32,u32)> + binary search.
#
#   bench/registry-bench.sh [VOTERS] [TABLES]
#
# Needs ~0.6 GB of scratch disk (the CSV, deleted after the build) and ~0.4 GB of RAM.
# Scratch goes to $REGISTRY_BENCH_DIR (default: a new directory under $TMPDIR), removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

VOTERS=${1:-21400000}
TABLES=${2:-30000}
DIR=${REGISTRY_BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/registry-bench.XXXXXX")}
trap 'rm -rf "$DIR"' EXIT

cargo build --release -q -p actas-registry --example registry_bench
BIN="${CARGO_TARGET_DIR:-target}/release/examples/registry_bench"

"$BIN" build "$DIR" "$VOTERS" "$TABLES"
"$BIN" lookup "$DIR"
