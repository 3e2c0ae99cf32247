#!/usr/bin/env bash
# Install the peer QR readers actas-scan is compared with, for bench/qr-peers.sh and the test
# crates/actas-scan/tests/qr_peers.rs (run by .ci/run): zbarimg (Debian zbar-tools), zxing-cpp
# (Debian python3-zxing-cpp) and OpenCV's WeChat detector (opencv-contrib-python-headless from
# PyPI, used without its CNN model files, so nothing is downloaded when it runs). The PyPI
# package goes into a virtual environment that also sees Debian's Python packages:
# target/test-data/peers-venv (ACTAS_QR_PEERS_VENV). Test and benchmark setup only; the product
# never runs any of them.
#
# Usage: bench/setup-qr-peers.sh   (as root for the Debian packages). Prints the venv's python.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${ACTAS_QR_PEERS_VENV:-target/test-data/peers-venv}"
opencv="opencv-contrib-python-headless==5.0.0.93"
numpy="numpy==2.4.6"

need=()
command -v zbarimg >/dev/null || need+=(zbar-tools)
/usr/bin/python3 -c 'import zxingcpp' 2>/dev/null || need+=(python3-zxing-cpp)
/usr/bin/python3 -c 'import PIL' 2>/dev/null || need+=(python3-pil)
dpkg -s python3-venv >/dev/null 2>&1 || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup-qr-peers: missing ${need[*]}: apt-get install them (as root)" >&2
    exit 1
  fi
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! "$venv/bin/python" -c 'import zxingcpp, PIL, cv2; cv2.wechat_qrcode_WeChatQRCode()' 2>/dev/null; then
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  # Debian's interpreter: python3-zxing-cpp is built for it.
  /usr/bin/python3 -m venv --system-site-packages "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "$opencv" "$numpy" >&2
fi
"$venv/bin/python" -c 'import zxingcpp, PIL, cv2; cv2.wechat_qrcode_WeChatQRCode()'
echo "$venv/bin/python"
