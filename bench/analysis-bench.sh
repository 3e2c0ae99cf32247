#!/usr/bin/env bash
# Benchmark of the full analysis report on the real V1 actas (24,532 tables): the Rust example
# `report_bench` of crate actas-present (figures by actas-analysis, then JSON and HTML) and the
# NumPy script `analysis_numpy.py`, same computations and simulation sizes, in the same run.
# Prints both times and their ratio.
#
# Usage: bench/analysis-bench.sh [--quick]   (--quick: smaller simulations in both)
# Needs: cargo; python3 with numpy (pip install numpy). The data is read from ../shared.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CSV="$ROOT/../shared/data/ve2024/resultados_2024_v1.csv"
[ -f "$CSV" ] || { echo "V1 data not found at $CSV" >&2; exit 1; }
QUICK=${1:-}

RUST_ENV=()
if [ "$QUICK" = "--quick" ]; then
  RUST_ENV=(ACTAS_SMOOTH_DRAWS=2000000 ACTAS_BOOTSTRAP_DRAWS=1000 ACTAS_NULL_REPS=50)
fi

cd "$ROOT"
cargo build --release -q -p actas-present --example report_bench
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/report_bench"

echo "== Rust (actas-analysis, all cores)"
RUST_OUT=$(env "${RUST_ENV[@]}" "$BIN")
echo "$RUST_OUT"
echo "== Rust (one thread)"
RUST1_OUT=$(env "${RUST_ENV[@]}" ACTAS_THREADS=1 "$BIN")
echo "$RUST1_OUT" | grep -E '^rust_(report|total)_s'

echo "== Python/NumPy"
if ! python3 -c 'import numpy' 2>/dev/null; then
  echo "numpy is not installed (pip install numpy): NumPy run skipped"
  exit 0
fi
# OPENBLAS_* are set on some machines for old OpenBLAS builds; they slow a current numpy.
PY_OUT=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 "$ROOT/bench/analysis_numpy.py" "$CSV" $QUICK)
echo "$PY_OUT"

rust=$(echo "$RUST_OUT" | awk '/^rust_total_s/ {print $2}')
rust1=$(echo "$RUST1_OUT" | awk '/^rust_total_s/ {print $2}')
py=$(echo "$PY_OUT" | awk '/^python_total_s/ {print $2}')
echo "== Summary (load + full report, seconds)"
echo "rust ${rust} s | rust 1 thread ${rust1} s | numpy ${py} s"
awk -v r="$rust" -v r1="$rust1" -v p="$py" -v q="$QUICK" 'BEGIN {
  printf "numpy / rust = %.1fx ; numpy / rust (1 thread) = %.1fx\n", p / r, p / r1
  if (q == "") printf "goal (full report under 10 s): %s\n", (r < 10 ? "met" : "NOT met")
  else print "quick sizes: the 10 s goal applies to the full run"
}'
