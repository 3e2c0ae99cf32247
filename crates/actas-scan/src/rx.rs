//! Thin, panic-guarded wrapper around the `rxing` QR readers.

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

use rxing::common::{GlobalHistogramBinarizer, HybridBinarizer};
use rxing::qrcode::QRCodeReader;
use rxing::qrcode::cpp_port::QrReader;
use rxing::{BarcodeFormat, BinaryBitmap, DecodeHints, Luma8Source, Reader};

use crate::image::LumaImage;

/// Which binarizer turns grey into black/white.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binarizer {
    /// Local thresholds on 8x8 blocks (ZXing's default; best on uneven light).
    Hybrid,
    /// One threshold per row from a histogram (better on blurred, low-contrast
    /// codes where local blocks inside the code are uniformly dark).
    GlobalHistogram,
}

/// Which QR detector/decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detector {
    /// rxing's port of zxing-cpp's QR reader.
    Cpp,
    /// rxing's port of the Java ZXing QR reader.
    Java,
}

/// One attempt to decode `img`. Returns the raw QR text. Never panics: an
/// rxing panic is caught and treated as "not found".
pub fn decode(img: &LumaImage, bin: Binarizer, det: Detector, try_harder: bool) -> Option<String> {
    if img.width < 21 || img.height < 21 {
        return None;
    }
    let hints = DecodeHints {
        PossibleFormats: Some(HashSet::from([BarcodeFormat::QR_CODE])),
        TryHarder: Some(try_harder),
        ..Default::default()
    };
    let run = || -> Option<String> {
        let src =
            Luma8Source::new_with_slice(&img.data, img.width as u32, img.height as u32).ok()?;
        let res = match bin {
            Binarizer::Hybrid => {
                let mut bm = BinaryBitmap::new(HybridBinarizer::new(src));
                match det {
                    Detector::Cpp => QrReader.decode_with_hints(&mut bm, &hints),
                    Detector::Java => QRCodeReader.decode_with_hints(&mut bm, &hints),
                }
            }
            Binarizer::GlobalHistogram => {
                let mut bm = BinaryBitmap::new(GlobalHistogramBinarizer::new(src));
                match det {
                    Detector::Cpp => QrReader.decode_with_hints(&mut bm, &hints),
                    Detector::Java => QRCodeReader.decode_with_hints(&mut bm, &hints),
                }
            }
        };
        res.ok().map(|r| r.getText().to_string())
    };
    catch_unwind(AssertUnwindSafe(run)).ok().flatten()
}
