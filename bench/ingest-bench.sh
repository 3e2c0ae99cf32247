#!/usr/bin/env bash
# The whole ingest of N synthetic actas (default 25,000: the size of the 2024 photo
# collection) into a fresh data directory: scan, validate, store originals, record in the
# log. Goal: under 5 minutes on the project's 2-core machine. Also reports the read rate.
# Usage: bench/ingest-bench.sh [N]     (needs ~3 GB of free disk for 25,000 images)
# Rendering 25,000 actas takes ~30 min on 2 loaded cores: set KEEP_PHOTOS=DIR to render into
# DIR once and reuse it in later runs.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-25000}
cargo build --release -q -p actas-cli
cargo build --release -q -p actas-scan --example gen_corpus
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ingest-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
PHOTOS=${KEEP_PHOTOS:-$TMP/photos}
if [ "$(find "$PHOTOS" -name '*.jpg' 2>/dev/null | wc -l)" -lt "$N" ]; then
  echo "rendering $N synthetic actas into $PHOTOS (not timed)..." >&2
  target/release/examples/gen_corpus "$PHOTOS" "$N" ../shared/data/ve2024/actas/expected.tsv 2025 1 >/dev/null
fi
BIN=target/release/actas
$BIN --data "$TMP/data" init >/dev/null
t0=$(date +%s.%N)
$BIN --data "$TMP/data" ingest "$PHOTOS" | tee "$TMP/out.txt"
t1=$(date +%s.%N)
secs=$(echo "$t1 - $t0" | bc -l)
unread=$($BIN --data "$TMP/data" review list --json | wc -l)
printf 'ingest of %d synthetic actas: %.1f s (%.0f photos/s); %d in review (read rate %.2f %%); goal < 300 s\n' \
  "$N" "$secs" "$(echo "$N / $secs" | bc -l)" "$unread" "$(echo "100 * ($N - $unread) / $N" | bc -l)"
