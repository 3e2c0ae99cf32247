#!/usr/bin/env bash
# Install the readers analysts load actas's bulk downloads with, for the test
# crates/actas-web/tests/web/analysts.rs (run by .ci/run): pandas (with pyarrow for
# pd.read_parquet) and DuckDB, pinned, from PyPI, into a virtual environment:
# target/test-data/readers-venv (ACTAS_READERS_VENV). Test setup only; the product never runs
# any of them.
#
# Usage: bench/setup-python-readers.sh   Prints the venv's python.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${ACTAS_READERS_VENV:-target/test-data/readers-venv}"
packages=(pandas==2.3.3 pyarrow==22.0.0 duckdb==1.4.2)

if ! "$venv/bin/python" -c 'import pandas, pyarrow, duckdb' 2>/dev/null; then
  if ! /usr/bin/python3 -c 'import venv, ensurepip' 2>/dev/null; then
    if [ "$(id -u)" != 0 ]; then
      echo "setup-python-readers: python3-venv is missing: apt-get install python3-venv (as root)" >&2
      exit 1
    fi
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  fi
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "${packages[@]}" >&2
fi
"$venv/bin/python" -c 'import pandas, pyarrow, duckdb'
echo "$venv/bin/python"
