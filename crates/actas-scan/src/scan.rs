//! The decoding strategy: a cheap first pass on the bottom of the roll, then
//! retries ordered by what they bought on real and synthetic actas.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::finder;
use crate::image::{ImageError, LumaImage, decode_luma};
use crate::ops;
use crate::rx::{self, Binarizer, Detector};

/// After normalisation the acta roll is about this many pixels wide, which
/// makes a 200 dpi acta's QR modules ~2.8 px: the sweet spot of the rxing
/// detectors, and it averages away the thermal printer's dot texture.
pub const NORM_WIDTH: usize = 210;

/// Why an image gave no payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unreadable {
    /// The bytes are not a decodable JPEG/PNG/GIF (or too large or costly to decode).
    #[error("{0}")]
    Image(#[from] ImageError),
    /// The image decoded but no QR code could be read in it.
    #[error("no readable QR code found ({passes} passes tried)")]
    NoQrCode { passes: u32 },
    /// The decoder panicked (a bug in a dependency); reported, not propagated.
    #[error("internal decoder failure: {0}")]
    Internal(String),
}

/// Result of one scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanStatus {
    /// The raw QR text.
    Read {
        payload: String,
    },
    Unreadable {
        reason: Unreadable,
    },
}

/// What [`scan_bytes`] / [`scan_file`] return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanOutcome {
    /// Lower-case hex SHA-256 of the input bytes.
    pub sha256: String,
    pub status: ScanStatus,
    /// Name of the pass that read the code (for diagnostics and tuning).
    pub pass: Option<&'static str>,
    /// Decoder attempts made.
    pub attempts: u32,
    /// Image size, when the image could be decoded.
    pub size: Option<(usize, usize)>,
}

impl ScanOutcome {
    /// The payload, if read.
    pub fn payload(&self) -> Option<&str> {
        match &self.status {
            ScanStatus::Read { payload } => Some(payload),
            ScanStatus::Unreadable { .. } => None,
        }
    }
}

/// Region of the image a pass looks at.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Region {
    /// The bottom part, from `frac` of the height down.
    Bottom(f32),
    Full,
}

/// Preprocessing of a pass, applied after cropping.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Prep {
    /// Box-downscale so the width is ~`NORM_WIDTH * k / 4`, i.e. k = 4 is the
    /// normal scale, k = 8 twice as many pixels a side; then stretch the
    /// contrast if ink and paper are close.
    Norm(u8),
    /// `Norm(8)` then a strong unsharp mask (heavy blur, defocus).
    FineSharpen,
    /// `Norm(4)` then a slight Gaussian blur: averages away textured or
    /// half-toned modules (QR codes printed over pictures).
    Smooth,
    /// `Norm(4)` inside a white border an eighth of the width wide: a code cut by the image's
    /// edge (a crop, a screenshot) has no quiet zone for the finder patterns, and its missing
    /// modules read as light, which error correction repairs.
    Pad,
    /// `Norm(k)` with light and dark swapped: light-on-dark codes (screens, inverted prints).
    Inverted(u8),
    /// `Norm(4)`, sharpened, doubled and softened again: a small, blurred photo of a curled
    /// code whose modules are a few pixels (ZXing blackbox qrcode-4/06). Only for images no
    /// wider than the normal scale: a larger one was already seen at finer scales, and
    /// doubling it would make this the dearest pass of all.
    SharpUp,
}

#[derive(Debug, Clone, Copy)]
struct Pass {
    name: &'static str,
    region: Region,
    prep: Prep,
    bin: Binarizer,
    det: Detector,
    try_harder: bool,
}

const fn pass(
    name: &'static str,
    region: Region,
    prep: Prep,
    bin: Binarizer,
    det: Detector,
    try_harder: bool,
) -> Pass {
    Pass {
        name,
        region,
        prep,
        bin,
        det,
        try_harder,
    }
}

use Binarizer::{GlobalHistogram as G, Hybrid as H};
use Detector::{Cpp, Java};

/// The pass ladder, cheapest and most productive first. Each pass is kept
/// because it was the first to read some real or synthetic actas, or some of
/// ZXing's blackbox photos of QR codes (the last two passes); passes that
/// never were (contrast stretch as a separate pass, explicit rotation) were
/// dropped. See `bench/scan-README.md` for the measured counts.
const PASSES: &[Pass] = &[
    pass("bottom", Region::Bottom(0.55), Prep::Norm(4), H, Cpp, false),
    pass(
        "bottom-fine",
        Region::Bottom(0.55),
        Prep::Norm(8),
        H,
        Cpp,
        true,
    ),
    pass(
        "bottom-sharpen",
        Region::Bottom(0.55),
        Prep::FineSharpen,
        H,
        Cpp,
        true,
    ),
    pass("full", Region::Full, Prep::Norm(4), H, Cpp, true),
    pass("full-fine", Region::Full, Prep::Norm(8), H, Cpp, true),
    pass(
        "full-sharpen",
        Region::Full,
        Prep::FineSharpen,
        H,
        Cpp,
        true,
    ),
    pass("full-finest", Region::Full, Prep::Norm(16), H, Cpp, true),
    // ZXing's Java detector reads some skewed, curled codes the C++ port
    // misses (ZXing blackbox qrcode-4).
    pass("full-java", Region::Full, Prep::Norm(4), H, Java, true),
    pass("full-smooth", Region::Full, Prep::Smooth, G, Cpp, true),
];

/// Passes tried only after the ladder and the finder crops fail, so that every image the ladder
/// reads costs what it did. Each reads a code of other QR projects' test images that the ladder
/// misses (bench/qr-peers.sh).
const LATE_PASSES: &[Pass] = &[
    // Light-on-dark codes read in none of the ladder's passes (zbar's qr-code-inverted.png).
    pass("inverted", Region::Full, Prep::Inverted(4), H, Cpp, true),
    // A code cut by the image's edge (rqrr's rqrr_incomplete.gif).
    pass("padded", Region::Full, Prep::Pad, H, Cpp, true),
    // A small photo of a curled, blurred code (ZXing's qrcode-4/06.png).
    pass("sharp-up", Region::Full, Prep::SharpUp, G, Cpp, true),
];

/// Names of the passes, in order.
pub fn pass_names() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = PASSES.iter().map(|p| p.name).collect();
    v.push("finder-crop");
    v.extend(LATE_PASSES.iter().map(|p| p.name));
    v
}

/// Downscale factor for a normalisation level `k` (4 = normal).
fn norm_factor(width: usize, k: u8) -> usize {
    let target = NORM_WIDTH * k as usize / 4;
    ((width as f32 / target as f32).round() as usize).max(1)
}

/// The rectangle (x, y, w, h) of `region`.
fn region_rect(img: &LumaImage, region: Region) -> (usize, usize, usize, usize) {
    match region {
        Region::Full => (0, 0, img.width, img.height),
        Region::Bottom(f) => {
            let y0 = (img.height as f32 * f) as usize;
            (0, y0, img.width, img.height - y0)
        }
    }
}

fn prepare(img: &LumaImage, region: Region, prep: Prep) -> LumaImage {
    let (x, y, w, h) = region_rect(img, region);
    let norm = |k: u8| auto_stretch(ops::downscale_box_rect(img, x, y, w, h, norm_factor(w, k)));
    match prep {
        Prep::Norm(k) => norm(k),
        Prep::FineSharpen => ops::sharpen(&norm(8), 5.0, 3.0),
        Prep::Smooth => ops::gaussian_blur(&norm(4), 1.0),
        Prep::Pad => {
            let n = norm(4);
            pad(&n, (n.width / 8).max(4), 255)
        }
        Prep::Inverted(k) => {
            let mut n = norm(k);
            n.data.iter_mut().for_each(|p| *p = 255 - *p);
            n
        }
        Prep::SharpUp => {
            let up = ops::scale(&ops::sharpen(&norm(4), 2.0, 2.0), 2.0);
            ops::gaussian_blur(&up, 1.0)
        }
    }
}

/// `img` inside a border `m` pixels wide of grey `v`.
fn pad(img: &LumaImage, m: usize, v: u8) -> LumaImage {
    let mut out = LumaImage::filled(img.width + 2 * m, img.height + 2 * m, v);
    for y in 0..img.height {
        let row = (y + m) * out.width + m;
        out.data[row..row + img.width]
            .copy_from_slice(&img.data[y * img.width..(y + 1) * img.width]);
    }
    out
}

/// Stretch the grey range when ink and paper are close (faded print, bad
/// exposure): the hybrid binarizer ignores blocks whose range is < 24 levels.
fn auto_stretch(img: LumaImage) -> LumaImage {
    let mut hist = [0u32; 256];
    for &p in &img.data {
        hist[p as usize] += 1;
    }
    let n = img.data.len() as u64;
    let pct = |q: u64| -> usize {
        let mut acc = 0u64;
        for (v, &c) in hist.iter().enumerate() {
            acc += c as u64;
            if acc * 100 > q * n {
                return v;
            }
        }
        255
    };
    if pct(99).saturating_sub(pct(1)) < 100 {
        ops::contrast_stretch(&img, 1.0, 99.0)
    } else {
        img
    }
}

/// Options for [`scan_luma_with`]; the default runs every pass.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Skip the passes with these names (for measuring what a pass buys).
    pub skip: Vec<&'static str>,
    /// Stop after this many passes (`None` = all).
    pub max_passes: Option<usize>,
}

/// Result of scanning a raster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LumaScan {
    pub payload: Option<String>,
    pub pass: Option<&'static str>,
    pub attempts: u32,
}

/// Run the pass ladder on a greyscale raster.
pub fn scan_luma(img: &LumaImage) -> LumaScan {
    scan_luma_with(img, &ScanOptions::default())
}

/// Run the pass ladder on a greyscale raster, with options.
pub fn scan_luma_with(img: &LumaImage, opts: &ScanOptions) -> LumaScan {
    let mut attempts = 0u32;
    let max = opts.max_passes.unwrap_or(usize::MAX);
    let found = |text: String, pass: &'static str, attempts: u32| LumaScan {
        payload: Some(text),
        pass: Some(pass),
        attempts,
    };
    if let Some((text, name)) = run_passes(img, PASSES, opts, max, &mut attempts) {
        return found(text, name, attempts);
    }
    if PASSES.len() < max && !opts.skip.contains(&"finder-crop") {
        // Last resort of the ladder: find finder-pattern clusters, crop around each and try
        // several scales and binarizers on the crop.
        for region in finder::candidate_regions(img).into_iter().take(3) {
            for (scale, bin) in [(1.0f32, H), (1.0, G), (1.5, H), (0.75, H), (2.0, G)] {
                let crop = img.crop(region.x, region.y, region.w, region.h);
                let target = scale * 3.0 / region.module.max(0.5);
                let scaled = ops::scale(&crop, target.clamp(0.1, 4.0));
                attempts += 1;
                if let Some(text) = rx::decode(&scaled, bin, Cpp, true) {
                    return found(text, "finder-crop", attempts);
                }
            }
        }
    }
    let late_max = max.saturating_sub(PASSES.len() + 1);
    if let Some((text, name)) = run_passes(img, LATE_PASSES, opts, late_max, &mut attempts) {
        return found(text, name, attempts);
    }
    LumaScan {
        payload: None,
        pass: None,
        attempts,
    }
}

/// The first `max` of `passes` (less the skipped ones) until one reads a code.
fn run_passes(
    img: &LumaImage,
    passes: &[Pass],
    opts: &ScanOptions,
    max: usize,
    attempts: &mut u32,
) -> Option<(String, &'static str)> {
    // Cache of prepared images keyed by (region, prep): several passes share one.
    let mut cache: Vec<((Region, Prep), LumaImage)> = Vec::new();
    for p in passes.iter().take(max) {
        if opts.skip.contains(&p.name)
            || (p.prep == Prep::SharpUp && norm_factor(region_rect(img, p.region).2, 4) > 1)
        {
            continue;
        }
        let key = (p.region, p.prep);
        let idx = match cache.iter().position(|(k, _)| *k == key) {
            Some(idx) => idx,
            None => {
                cache.push((key, prepare(img, p.region, p.prep)));
                cache.len() - 1
            }
        };
        *attempts += 1;
        if let Some(text) = rx::decode(&cache[idx].1, p.bin, p.det, p.try_harder) {
            return Some((text, p.name));
        }
    }
    None
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

/// Decode image bytes (JPEG, PNG or GIF) and read the acta's QR code. Never
/// panics; every failure is an [`ScanStatus::Unreadable`] with a reason.
pub fn scan_bytes(bytes: &[u8]) -> ScanOutcome {
    scan_hashed_bytes(bytes, sha256_hex(bytes))
}

/// [`scan_bytes`] for a caller that already hashed the bytes (ingest hashes each photo once,
/// to skip the stored ones and to name the original): `sha256` must be the bytes' hash.
pub fn scan_hashed_bytes(bytes: &[u8], sha256: String) -> ScanOutcome {
    let work = || -> (ScanStatus, Option<&'static str>, u32, Option<(usize, usize)>) {
        let img = match decode_luma(bytes) {
            Ok(img) => img,
            Err(e) => {
                return (
                    ScanStatus::Unreadable {
                        reason: Unreadable::Image(e),
                    },
                    None,
                    0,
                    None,
                );
            }
        };
        let size = Some((img.width, img.height));
        let r = scan_luma(&img);
        let status = match r.payload {
            Some(payload) => ScanStatus::Read { payload },
            None => ScanStatus::Unreadable {
                reason: Unreadable::NoQrCode { passes: r.attempts },
            },
        };
        (status, r.pass, r.attempts, size)
    };
    let (status, pass, attempts, size) = match catch_unwind(AssertUnwindSafe(work)) {
        Ok(v) => v,
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".to_string());
            (
                ScanStatus::Unreadable {
                    reason: Unreadable::Internal(msg),
                },
                None,
                0,
                None,
            )
        }
    };
    ScanOutcome {
        sha256,
        status,
        pass,
        attempts,
        size,
    }
}

/// Read a file and scan it; I/O errors are returned as `Err`, everything about the content is
/// in the [`ScanOutcome`]. For tools and tests: the product reads photo files through
/// `actas-intake`, which owns the size limit.
pub fn scan_file(path: impl AsRef<std::path::Path>) -> std::io::Result<ScanOutcome> {
    Ok(scan_bytes(&std::fs::read(path)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norm_factors() {
        assert_eq!(norm_factor(625, 4), 3);
        assert_eq!(norm_factor(929, 4), 4);
        assert_eq!(norm_factor(100, 4), 1);
        assert_eq!(norm_factor(625, 8), 1);
    }

    #[test]
    fn garbage_is_unreadable() {
        let o = scan_bytes(b"hello");
        assert!(matches!(
            o.status,
            ScanStatus::Unreadable {
                reason: Unreadable::Image(ImageError::UnsupportedFormat(_))
            }
        ));
        assert_eq!(o.sha256.len(), 64);
    }
}
