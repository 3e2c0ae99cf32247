#!/usr/bin/env bash
# What the transparency log costs: `actas import csv` of V1 (24,532 tables) into a fresh data
# directory with the log (tiles and a signed checkpoint written in the import's transaction,
# SQLite synchronous=FULL) against the same import by the last commit without the log; then
# the same in 25 imports of ~1,000 rows (a checkpoint each); then `actas log export`,
# `actas verify DIR` of the export and `actas verify` of the data directory.
#
#   bench/ledger-bench.sh [RUNS]        (median of RUNS runs, default 5)
#
# The baseline is built from git (the parent of the commit that added
# crates/actas-store/src/log.rs, or HEAD while that file is uncommitted; override with
# BASE=<commit>), so the product carries no switch to turn its log off. Both are release
# builds in $CARGO_TARGET_DIR (default target/). Goal: the log adds at most 30 % to the import.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${1:-5}
V1=${V1:-../shared/data/ve2024/resultados_2024_v1.csv}
TARGET=$(realpath -m "${CARGO_TARGET_DIR:-target}")
[ -f "$V1" ] || { echo "missing $V1 (set V1=path/to/resultados_2024_v1.csv)" >&2; exit 1; }

if [ -z "${BASE:-}" ]; then
    added=$(git log --diff-filter=A --format=%H -- crates/actas-store/src/log.rs | tail -1)
    BASE=${added:+$added^}
    BASE=${BASE:-HEAD}
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ledger-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

BASE=$(git rev-parse --short "$BASE")
echo "building the baseline ($BASE, no log) and the current tree..." >&2
# Kept under the target dir so that a second run rebuilds nothing (git archive keeps commit
# times). The baseline has its own target dir: cargo names workspace crates' artifacts by
# their path relative to the workspace, so the two trees would overwrite each other's.
BASESRC="$TARGET/ledger-bench-base/src-$BASE"
if [ ! -d "$BASESRC" ]; then
    mkdir -p "$BASESRC"
    git archive "$BASE" | tar -x -C "$BASESRC"
fi
grep -q 'mod log;' "$BASESRC/crates/actas-store/src/lib.rs" &&
    { echo "baseline $BASE already has the log; set BASE" >&2; exit 1; }
(cd "$BASESRC" && CARGO_TARGET_DIR=$TARGET/ledger-bench-base/target cargo build --release -q -p actas-cli)
cp "$TARGET/ledger-bench-base/target/release/actas" "$WORK/actas-base"
CARGO_TARGET_DIR=$TARGET cargo build --release -q -p actas-cli
cp "$TARGET/release/actas" "$WORK/actas-log"

# 25 files of ~1,000 rows each (header repeated), for the many-imports case.
mkdir "$WORK/parts"
tail -n +2 "$V1" | split -l 1000 -d -a 2 - "$WORK/parts/p"
for p in "$WORK"/parts/p*; do
    { head -1 "$V1"; cat "$p"; } >"$p.csv"
    rm "$p"
done

secs() { # seconds taken by a command, its output discarded
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
import_all() { # BIN DATA: the 25 parts one after another
    for p in "$WORK"/parts/p*.csv; do "$1" --data "$2" import csv "$p"; done
}

declare -A T
for run in $(seq "$RUNS"); do
    for bin in base log; do
        d="$WORK/$bin-$run"
        "$WORK/actas-$bin" --data "$d" init >/dev/null
        T[$bin-one]+="$(secs "$WORK/actas-$bin" --data "$d" import csv "$V1") "
        d="$WORK/$bin-parts-$run"
        "$WORK/actas-$bin" --data "$d" init >/dev/null
        T[$bin-parts]+="$(secs import_all "$WORK/actas-$bin" "$d") "
    done
    d="$WORK/log-$run"
    rm -rf "$WORK/export"
    T[export]+="$(secs "$WORK/actas-log" --data "$d" log export "$WORK/export") "
    key=$("$WORK/actas-log" --data "$d" log key)
    T[verify-dir]+="$(secs "$WORK/actas-log" --data "$d" verify "$WORK/export" --key "$key") "
    T[verify-local]+="$(secs "$WORK/actas-log" --data "$d" verify) "
done

m() { echo "${T[$1]}" | tr ' ' '\n' | grep . | median; }
pct() { printf '%+.1f' "$(echo "scale=3; 100 * ($1 - $2) / $2" | bc)"; }
records=$("$WORK/actas-log" --data "$WORK/log-1" log checkpoint | sed -n 2p)
files=$(find "$WORK/export" -type f | wc -l)
one_base=$(m base-one) one_log=$(m log-one) parts_base=$(m base-parts) parts_log=$(m log-parts)
echo "ledger bench: V1 = $records log entries, median of $RUNS runs, $(nproc) cores"
printf '  import V1, one file:     %6.2f s without log, %6.2f s with log  (%s %%)\n' \
    "$one_base" "$one_log" "$(pct "$one_log" "$one_base")"
printf '  import V1, 25 files:     %6.2f s without log, %6.2f s with log  (%s %%, 25 checkpoints)\n' \
    "$parts_base" "$parts_log" "$(pct "$parts_log" "$parts_base")"
printf '  actas log export DIR:    %6.2f s  (%s files, %s)\n' "$(m export)" "$files" \
    "$(du -sh "$WORK/export" | cut -f1)"
printf '  actas verify DIR --key:  %6.2f s\n' "$(m verify-dir)"
printf '  actas verify (data dir): %6.2f s  (log, checkpoints and views)\n' "$(m verify-local)"
