#!/usr/bin/env bash
# Benchmark actas-scan against zbarimg on the same images in the same run:
#   (a) the 13 real acta images of shared/data/ve2024/actas,
#   (b) a synthetic corpus of degraded actas rendered into a temp dir.
# Reports images/second and read rate (correct payloads / total) of each,
# and a ratio line.
#
# Usage: bench/scan-bench.sh            (from the repository root or anywhere)
# Env:   SCAN_BENCH_N=2000      synthetic images (default 2000)
#        SCAN_BENCH_SEVERITY=1  degradation severity (1 = realistic ranges,
#                               2 = twice as strong)
#        SCAN_BENCH_SEED=2024   corpus seed
#        SCAN_BENCH_THREADS=2   worker threads for both scanners
#        SCAN_BENCH_ZBAR="-q --raw"  zbarimg options (add
#                               "-Sdisable -Sqrcode.enable" for QR only: plain
#                               zbarimg also reports 1-D barcodes it imagines in
#                               noise, which count as wrong reads)
#        CARGO_TARGET_DIR       where to build (default: target/)
# Needs: cargo, zbarimg (apt package zbar-tools; installed if missing and
# running as root).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
actas="${SCAN_BENCH_ACTAS:-$repo/../shared/data/ve2024/actas}"
n="${SCAN_BENCH_N:-2000}"
severity="${SCAN_BENCH_SEVERITY:-1}"
seed="${SCAN_BENCH_SEED:-2024}"
threads="${SCAN_BENCH_THREADS:-2}"
zbar_opts="${SCAN_BENCH_ZBAR:--q --raw}"
target="${CARGO_TARGET_DIR:-$repo/target}"

if ! command -v zbarimg >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing zbar-tools..." >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zbar-tools >/dev/null
  else
    echo "zbarimg missing: apt-get install zbar-tools" >&2
    exit 1
  fi
fi

echo "building examples..." >&2
(cd "$repo" && CARGO_TARGET_DIR="$target" cargo build -q --release -p actas-scan \
  --example scan_bench --example scan_score --example gen_corpus)
bin="$target/release/examples"

work="$(mktemp -d "${TMPDIR:-/tmp}/scan-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
rate() { awk -v n="$1" -v t0="$2" -v t1="$3" 'BEGIN { printf "%.1f", n / (t1 - t0) }'; }

# Our scanner: one process, $threads worker threads.
run_ours() { # list out
  local t0 t1
  t0=$(now)
  "$bin/scan_bench" --threads "$threads" --tsv - <"$1" >"$2" 2>/dev/null
  t1=$(now)
  rate "$(wc -l <"$1")" "$t0" "$t1"
}

# zbarimg: one process per image, $threads at a time; first symbol only.
run_zbar() { # list out
  local t0 t1
  t0=$(now)
  ZBAR_OPTS="$zbar_opts" xargs -d '\n' -P "$threads" -n 1 sh -c \
    'p=$(zbarimg $ZBAR_OPTS "$1" 2>/dev/null | head -n 1 | tr "\t" " "); printf "%s\t%s\n" "$1" "$p"' _ \
    <"$1" >"$2"
  t1=$(now)
  rate "$(wc -l <"$1")" "$t0" "$t1"
}

field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }

report() { # label truth list
  local label="$1" truth="$2" list="$3" ips_o ips_z s_o s_z
  ips_o=$(run_ours "$list" "$work/ours.tsv")
  ips_z=$(run_zbar "$list" "$work/zbar.tsv")
  s_o=$("$bin/scan_score" "$truth" "$work/ours.tsv")
  s_z=$("$bin/scan_score" "$truth" "$work/zbar.tsv")
  printf '%-10s actas-scan: %8s img/s  %s\n' "$label" "$ips_o" "$s_o"
  printf '%-10s zbarimg:    %8s img/s  %s\n' "$label" "$ips_z" "$s_z"
  awk -v a="$ips_o" -v b="$ips_z" -v ra="$(field rate "$s_o")" -v rb="$(field rate "$s_z")" -v l="$label" \
    'BEGIN { printf "%-10s ratio actas-scan/zbar: speed x%.1f, read rate %.3f vs %.3f\n", l, a / b, ra, rb }'
}

echo "== (a) real actas: $actas" >&2
if [ -f "$actas/expected.tsv" ]; then
  find "$actas" -maxdepth 1 -name '*.jpg' | sort >"$work/real.txt"
  report real "$actas/expected.tsv" "$work/real.txt"
else
  echo "real actas not found at $actas; skipping (a)" >&2
fi

echo "== (b) synthetic: $n actas, severity $severity, seed $seed" >&2
truth_src="$actas/expected.tsv"
[ -f "$truth_src" ] || truth_src=""
t0=$(now)
"$bin/gen_corpus" "$work/synth" "$n" "$truth_src" "$seed" "$severity" 2>/dev/null
t1=$(now)
echo "rendered $n images in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", b-a}') s" >&2
find "$work/synth" -name '*.jpg' | sort >"$work/synth.txt"
report synthetic "$work/synth/manifest.tsv" "$work/synth.txt"
