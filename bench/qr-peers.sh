#!/usr/bin/env bash
# actas-scan side by side with zbarimg, zxing-cpp and OpenCV's WeChat detector (without its CNN
# models) on ZXing's blackbox QR sets (bench/fetch-zxing-blackbox.sh) and on the test images
# other QR projects ship (bench/fetch-qr-test-images.sh), same images, same run, each reader on
# THREADS cores: correct, wrong and unconfirmed reads per set (the rules are in
# crates/actas-scan/tests/common/peers.rs), images per second of each, and every image where
# the readers differ. The test crates/actas-scan/tests/qr_peers.rs asserts on the same verdicts.
# Usage: bench/qr-peers.sh [THREADS]
# Needs: cargo, curl, and the peers (installed by bench/setup-qr-peers.sh, as root).
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${1:-2}"
bench/setup-qr-peers.sh >/dev/null
bench/fetch-zxing-blackbox.sh >/dev/null
bench/fetch-qr-test-images.sh >/dev/null
cargo build -q --release -p actas-scan --example qr_peers
target="${CARGO_TARGET_DIR:-target}"
"$target/release/examples/qr_peers" --threads "$threads"
