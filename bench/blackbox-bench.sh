#!/usr/bin/env bash
# actas-scan against zbarimg on ZXing's public blackbox QR test images (180 images in seven
# sets), same images, same run, both on 2 cores: correct reads per set (text equal to the
# image's .txt, line endings normalised), wrong reads, images per second and the speed ratio.
# Usage: bench/blackbox-bench.sh [THREADS]
# Needs: cargo, curl (fetches the images once, see bench/fetch-zxing-blackbox.sh), zbarimg
# (apt package zbar-tools).
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${1:-2}"
command -v zbarimg >/dev/null || { echo "zbarimg missing: apt-get install zbar-tools" >&2; exit 1; }
dir="$(bench/fetch-zxing-blackbox.sh)"
cargo build -q --release -p actas-scan --example blackbox_bench
target="${CARGO_TARGET_DIR:-target}"
"$target/release/examples/blackbox_bench" --threads "$threads" "$dir"
