#!/usr/bin/env bash
# The whole ingest of N synthetic acta photos (default 25,000: the size of the 2024 photo
# collection) into a fresh data directory: scan, validate, store originals, record in the log.
# Goal: under 5 minutes on the project's 2-core machine. Also reports the read rate, and checks
# that the counted totals equal the file the photos were drawn from.
#
# The photos show the real tables of ../shared/data/ve2024/resultados_2024_v1.csv (24,532), one
# photo each, then re-photographs of tables already drawn (duplicates to consolidate), rendered
# by crates/actas-cli/examples/v1_photos.rs with every degradation kind of the renderer.
#
# Usage: bench/ingest-bench.sh [N]     (needs ~9 GB of free disk for 25,000 photos)
# Rendering 25,000 photos takes ~45 min on 2 cores: set KEEP_PHOTOS=DIR to render into DIR once
# and reuse it (an interrupted rendering resumes).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-25000}
V1=../shared/data/ve2024/resultados_2024_v1.csv
GEO=../shared/data/ve2024/geo
[ -f "$V1" ] || { echo "ingest-bench: $V1 not found (the real data sits beside the repository)" >&2; exit 1; }
cargo build --release -q -p actas-cli --bin actas --example v1_photos
TARGET=${CARGO_TARGET_DIR:-target}
BIN=$TARGET/release/actas
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ingest-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
PHOTOS=${KEEP_PHOTOS:-$TMP/photos}
if [ "$(find "$PHOTOS" -name 'acta-*.jpg' 2>/dev/null | wc -l)" -lt "$N" ]; then
  echo "rendering $N acta photos into $PHOTOS (not timed)..." >&2
  "$TARGET/release/examples/v1_photos" "$V1" "$PHOTOS" "$N" 2025 >/dev/null
fi
# The photos to ingest: the first N of the folder (it may hold more).
mkdir -p "$TMP/in"
find "$PHOTOS" -maxdepth 1 -name 'acta-*.jpg' | sort | head -n "$N" | while read -r f; do
  ln -s "$(realpath "$f")" "$TMP/in/$(basename "$f")"
done

# The geography is loaded first, as a real deployment would (not timed).
$BIN --data "$TMP/data" init >/dev/null
$BIN --data "$TMP/data" import geo "$GEO" >/dev/null
sync
t0=$(date +%s.%N)
$BIN --data "$TMP/data" ingest "$TMP/in" | tee "$TMP/out.txt"
t1=$(date +%s.%N)
secs=$(echo "$t1 - $t0" | bc -l)
unread=$($BIN --data "$TMP/data" review list --json | wc -l)
printf 'ingest of %d synthetic acta photos: %.1f s (%.0f photos/s); %d in review (read rate %.2f %%); goal < 300 s\n' \
  "$N" "$secs" "$(echo "$N / $secs" | bc -l)" "$unread" "$(echo "100 * ($N - $unread) / $N" | bc -l)"

# The counted totals against the same tables imported from the CSV.
$BIN --data "$TMP/csv" init >/dev/null
$BIN --data "$TMP/csv" import geo "$GEO" >/dev/null
# Photo i shows row i of the file: the first N rows are the tables photographed.
head -n "$((N + 1))" "$V1" >"$TMP/v1-head.csv"
$BIN --data "$TMP/csv" import csv "$TMP/v1-head.csv" >/dev/null
python3 - "$TMP" "$BIN" <<'EOF'
import json, subprocess, sys
tmp, bin = sys.argv[1], sys.argv[2]
def by_state(data):
    out = subprocess.run([bin, "--data", f"{tmp}/{data}", "results", "--level", "state", "--format", "json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)
photos, csv = by_state("data"), by_state("csv")
def rows(doc):
    return {r["code"]: (r["votes"], r["valid"], r["null"], r["tables"]["counted"]) for r in doc["rows"]}
same = sum(1 for k, v in rows(csv).items() if rows(photos).get(k) == v)
print(f"states whose votes, valid, null and counted tables equal the CSV import: {same} of {len(rows(csv))}")
EOF
