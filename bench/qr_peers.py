#!/usr/bin/env python3
"""Reads QR codes with one peer reader, for bench/qr-peers.sh and the test
crates/actas-scan/tests/qr_peers.rs (which compare actas-scan with them).

Usage: qr_peers.py PEER [PROCESSES] < paths > reads.jsonl
  PEER: zxing-cpp (Debian python3-zxing-cpp) or wechat (OpenCV's WeChat detector,
  opencv-contrib-python-headless from PyPI, without its CNN model files).

One JSON object per input line, in input order: {"path": ..., "texts": [...]}, every code
the peer reads in the image (zxing-cpp can return several; WeChat too). Images are loaded with
Pillow (GIF, CMYK JPEG and 16-bit PNG included) and handed over as 8-bit grey, so a peer is
never charged for a format its own loader lacks.
"""
import json
import sys
from multiprocessing import Pool

import numpy as np
from PIL import Image

PEER = None
READER = None


def load(path):
    with Image.open(path) as im:
        im.seek(0)
        if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
            # Transparent pixels are paper, as actas-scan composites them.
            im = im.convert("RGBA")
            bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
            im = Image.alpha_composite(bg, im)
        return np.ascontiguousarray(np.asarray(im.convert("L"), dtype=np.uint8))


def init(peer):
    global PEER, READER
    PEER = peer
    if peer == "zxing-cpp":
        import zxingcpp

        READER = zxingcpp
    elif peer == "wechat":
        import cv2

        cv2.setNumThreads(1)
        READER = cv2.wechat_qrcode_WeChatQRCode()
    else:
        raise SystemExit(f"unknown peer {peer}")


def read(path):
    try:
        grey = load(path)
    except Exception:  # noqa: BLE001 - an unloadable image is a read of nothing
        return {"path": path, "texts": []}
    texts = []
    if PEER == "zxing-cpp":
        for r in READER.read_barcodes(grey, formats=READER.BarcodeFormat.QRCode):
            if r.valid:
                texts.append(r.text)
    else:
        try:
            res, _points = READER.detectAndDecode(grey)
            texts = [t for t in res if t]
        except UnicodeDecodeError:
            # The binding hands back the code's bytes as UTF-8; Shift_JIS codes fail here.
            # Recorded as a read that matches no text, so it counts as wrong, never as ours.
            texts = ["\ufffd (not UTF-8)"]
    return {"path": path, "texts": texts}


def main():
    peer = sys.argv[1]
    procs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    paths = [line.rstrip("\n") for line in sys.stdin if line.strip()]
    with Pool(procs, initializer=init, initargs=(peer,)) as pool:
        for r in pool.imap(read, paths, chunksize=1):
            sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
