#!/usr/bin/env bash
# Whole-process time to import the real V1 CSV into a fresh data directory and print the
# per-state results (`actas init` + `actas import csv` + `actas results --level state`),
# against DuckDB reading the same CSV and computing the same per-state sums, same run.
# Usage: bench/import-bench.sh [RUNS]   (default 7; medians are reported)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-7}
V1=../shared/data/ve2024/resultados_2024_v1.csv
[ -f "$V1" ] || { echo "missing $V1 (../shared)"; exit 1; }
python3 -c 'import duckdb' 2>/dev/null || pip install -q duckdb
cargo build --release -q -p actas-cli
BIN=$PWD/target/release/actas
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

cat > "$TMP/duck.py" <<PY
import duckdb
duckdb.sql("""
  SELECT lpad(CAST(COD_EDO AS VARCHAR), 2, '0') AS code, count(*) AS tables, sum(RE) AS registered,
         sum(VOTOS_VALIDOS) AS valid, sum(VOTOS_NULOS) AS null,
         sum(NM), sum(LM), sum(JABE), sum(JOBR), sum(AE), sum(CF), sum(DC), sum(EG), sum(EM), sum(BERA)
  FROM read_csv('$V1', header = true) GROUP BY 1 ORDER BY 1
""").write_csv('$TMP/duck.csv')
PY

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
: > "$TMP/actas.t"; : > "$TMP/duck.t"
for i in $(seq "$RUNS"); do
  rm -rf "$TMP/data"
  t0=$(now)
  "$BIN" --data "$TMP/data" init >/dev/null
  "$BIN" --data "$TMP/data" import csv "$V1" >/dev/null
  "$BIN" --data "$TMP/data" results --level state --format csv > "$TMP/actas.csv"
  t1=$(now)
  python3 "$TMP/duck.py"
  t2=$(now)
  echo "$t1 - $t0" | bc -l >> "$TMP/actas.t"
  echo "$t2 - $t1" | bc -l >> "$TMP/duck.t"
done

# The two must agree before their times mean anything.
python3 - "$TMP/actas.csv" "$TMP/duck.csv" <<'PY'
import csv, sys
a = {r['code']: r for r in csv.DictReader(open(sys.argv[1]))}
d = list(csv.reader(open(sys.argv[2])))[1:]
for row in d:
    r = a[row[0]]
    got = [r['tables_counted'], r['registered'], r['valid'], r['null'], r['NM'], r['LM'], r['JABE'], r['JOBR'], r['AE'], r['CF'], r['DC'], r['EG'], r['EM'], r['BERA']]
    assert [int(x) for x in got] == [int(float(x)) for x in row[1:]], (row, got)
print(f"per-state sums agree on all {len(d)} states")
PY
A=$(median < "$TMP/actas.t"); D=$(median < "$TMP/duck.t")
printf 'actas init+import+results (durable SQLite store): median %.3f s over %d runs\n' "$A" "$RUNS"
printf 'DuckDB read_csv + GROUP BY (python3 -c, in memory):  median %.3f s over %d runs\n' "$D" "$RUNS"
printf 'ratio actas/DuckDB: %.2f (goal: <= 2.00)\n' "$(echo "$A / $D" | bc -l)"
