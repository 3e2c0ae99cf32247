//! Hostile input never panics: random bytes, truncated and corrupted JPEG
//! and PNG files, absurd dimensions.
mod common;

use actas_scan::render::{encode_jpeg, render_clean};
use actas_scan::{ImageError, LumaImage, ScanStatus, Unreadable, decode_luma, scan_bytes};
use proptest::prelude::*;
use std::sync::OnceLock;

/// A small acta-like JPEG (the bottom of a rendered acta, with its QR) and
/// the same raster as PNG: fast to scan, valid to start from.
fn samples() -> &'static (Vec<u8>, Vec<u8>) {
    static S: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    S.get_or_init(|| {
        let img = render_clean(common::ballot(), common::SAMPLE_PAYLOAD, 3);
        let crop: LumaImage = img.crop(0, img.height - 900, img.width, 900);
        let jpeg = encode_jpeg(&crop, 60);
        let png = common::encode_png_grey(crop.width as u32, crop.height as u32, &crop.data);
        (jpeg, png)
    })
}

fn assert_unreadable_or_read(bytes: &[u8]) {
    let o = scan_bytes(bytes);
    assert_eq!(o.sha256.len(), 64);
    if let ScanStatus::Unreadable {
        reason: Unreadable::Internal(msg),
    } = &o.status
    {
        panic!("decoder panicked internally: {msg}");
    }
}

#[test]
fn samples_are_readable() {
    let (jpeg, png) = samples();
    assert_eq!(scan_bytes(jpeg).payload(), Some(common::SAMPLE_PAYLOAD));
    assert_eq!(scan_bytes(png).payload(), Some(common::SAMPLE_PAYLOAD));
}

#[test]
fn empty_and_unknown_formats() {
    let o = scan_bytes(&[]);
    assert_eq!(
        o.status,
        ScanStatus::Unreadable {
            reason: Unreadable::Image(ImageError::Empty)
        }
    );
    for bytes in [
        &b"GIF89a\x01\x00\x01\x00"[..],
        b"%PDF-1.7",
        b"\x00",
        b"II*\x00",
    ] {
        let o = scan_bytes(bytes);
        assert!(
            matches!(
                o.status,
                ScanStatus::Unreadable {
                    reason: Unreadable::Image(ImageError::UnsupportedFormat(_))
                }
            ),
            "{:?}",
            o.status
        );
        assert!(
            o.status
                != ScanStatus::Read {
                    payload: String::new()
                }
        );
    }
}

/// Patch the first SOF0 frame header of a JPEG with new dimensions.
fn jpeg_with_dims(jpeg: &[u8], w: u16, h: u16) -> Vec<u8> {
    let mut v = jpeg.to_vec();
    let pos = v
        .windows(2)
        .position(|m| m == [0xFF, 0xC0])
        .expect("SOF0 marker");
    v[pos + 5..pos + 7].copy_from_slice(&h.to_be_bytes());
    v[pos + 7..pos + 9].copy_from_slice(&w.to_be_bytes());
    v
}

#[test]
fn huge_dimensions_are_refused_before_decoding() {
    let (jpeg, png) = samples();
    let big = jpeg_with_dims(jpeg, 65_000, 65_000);
    assert!(matches!(
        decode_luma(&big),
        Err(ImageError::TooLarge { .. } | ImageError::Corrupt { .. })
    ));
    assert_unreadable_or_read(&big);
    let zero = jpeg_with_dims(jpeg, 0, 100);
    assert!(decode_luma(&zero).is_err());

    // PNG: rewrite IHDR width/height (CRC now wrong, as a forger would leave it
    // or fix it; either way no allocation of 4 G pixels may happen).
    let mut p = png.clone();
    p[16..20].copy_from_slice(&60_000u32.to_be_bytes());
    p[20..24].copy_from_slice(&60_000u32.to_be_bytes());
    assert!(decode_luma(&p).is_err());
    assert_unreadable_or_read(&p);
}

#[test]
fn every_truncation_of_a_png_and_some_of_a_jpeg() {
    let (jpeg, png) = samples();
    for cut in (0..png.len())
        .step_by(png.len() / 97 + 1)
        .chain([png.len() - 1])
    {
        assert_unreadable_or_read(&png[..cut]);
    }
    for cut in [
        0,
        1,
        2,
        3,
        4,
        20,
        100,
        300,
        600,
        jpeg.len() / 3,
        jpeg.len() - 2,
    ] {
        assert_unreadable_or_read(&jpeg[..cut]);
    }
}

#[test]
fn truncated_real_acta() {
    let Some(dir) = common::actas_dir() else {
        return;
    };
    let bytes = std::fs::read(dir.join("784821_412219_0136Acta0135.jpg")).expect("read");
    for frac in [0.01, 0.2, 0.5, 0.9, 0.999] {
        assert_unreadable_or_read(&bytes[..(bytes.len() as f64 * frac) as usize]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        assert_unreadable_or_read(&bytes);
    }

    #[test]
    fn random_bytes_behind_magic_never_panic(
        png in any::<bool>(),
        tail in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut bytes = if png { b"\x89PNG\r\n\x1a\n".to_vec() } else { vec![0xFF, 0xD8, 0xFF] };
        bytes.extend(tail);
        assert_unreadable_or_read(&bytes);
    }
}

proptest! {
    // Each case may run the whole retry ladder on a damaged image: fewer cases.
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn corrupted_jpeg_never_panics(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12),
        header_only in any::<bool>(),
    ) {
        let (jpeg, _) = samples();
        let mut v = jpeg.clone();
        let span = if header_only { 700.min(v.len()) } else { v.len() };
        for (i, b) in edits {
            let at = i.index(span);
            v[at] = b;
        }
        assert_unreadable_or_read(&v);
    }

    #[test]
    fn corrupted_png_never_panics(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12),
        header_only in any::<bool>(),
    ) {
        let (_, png) = samples();
        let mut v = png.clone();
        let span = if header_only { 64.min(v.len()) } else { v.len() };
        for (i, b) in edits {
            let at = i.index(span);
            v[at] = b;
        }
        assert_unreadable_or_read(&v);
    }
}
