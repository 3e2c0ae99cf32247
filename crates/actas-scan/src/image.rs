//! Image bytes -> 8-bit greyscale (luma) raster.
//!
//! JPEG goes through `zune-jpeg` asking for luma output directly (no RGB
//! round trip), PNG through `zune-png`, GIF (first frame) through `gif` as palette indices.
//! Dimensions are checked against [`MAX_PIXELS`] / [`MAX_SIDE`] from the headers, and the
//! memory the decoder will need against [`MAX_DECODE_BYTES`], before any pixel buffer is
//! allocated.

use std::fmt;

use zune_core::bytestream::ZCursor;
use zune_core::colorspace::ColorSpace;
use zune_core::options::DecoderOptions;
use zune_core::result::DecodingResult;

/// Largest accepted image, in pixels (a 300 dpi A4 colour scan is ~9 Mpx, a
/// 300 dpi acta roll ~10 Mpx).
pub const MAX_PIXELS: u64 = 100_000_000;
/// Largest accepted width or height, in pixels.
pub const MAX_SIDE: usize = 40_000;
/// Most memory one decode may need, in bytes (the decoder's buffers plus the luma raster),
/// estimated from the headers. Pixels alone do not bound it: a 10000x10000 16-bit RGBA PNG is
/// under [`MAX_PIXELS`] but took 1.5 GB on every scanning thread. 400 MB still takes any
/// baseline JPEG under the pixel limit, a 40 Mpx progressive colour JPEG or a 30 Mpx 8-bit RGBA
/// PNG, far beyond any acta photo.
pub const MAX_DECODE_BYTES: u64 = 400_000_000;

/// An 8-bit greyscale raster, row-major, `data.len() == width * height`.
#[derive(Clone, PartialEq, Eq)]
pub struct LumaImage {
    pub width: usize,
    pub height: usize,
    pub data: Vec<u8>,
}

impl fmt::Debug for LumaImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LumaImage({}x{})", self.width, self.height)
    }
}

impl LumaImage {
    /// A new image filled with `value`.
    pub fn filled(width: usize, height: usize, value: u8) -> Self {
        LumaImage {
            width,
            height,
            data: vec![value; width * height],
        }
    }

    #[inline]
    pub fn get(&self, x: usize, y: usize) -> u8 {
        self.data[y * self.width + x]
    }

    /// Copy of the rectangle `[x0, x0+w) x [y0, y0+h)`, clamped to the image.
    pub fn crop(&self, x0: usize, y0: usize, w: usize, h: usize) -> LumaImage {
        let x0 = x0.min(self.width);
        let y0 = y0.min(self.height);
        let w = w.min(self.width - x0);
        let h = h.min(self.height - y0);
        let mut data = Vec::with_capacity(w * h);
        for y in y0..y0 + h {
            let row = y * self.width;
            data.extend_from_slice(&self.data[row + x0..row + x0 + w]);
        }
        LumaImage {
            width: w,
            height: h,
            data,
        }
    }
}

/// Container format recognised from the magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Jpeg,
    Png,
    Gif,
}

/// Why bytes could not be turned into a raster.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("empty input")]
    Empty,
    #[error("not a JPEG, PNG or GIF image (unrecognised magic bytes {0})")]
    UnsupportedFormat(String),
    #[error("image too large: {width}x{height} px (limit {MAX_PIXELS} px, {MAX_SIDE} px a side)")]
    TooLarge { width: usize, height: usize },
    #[error(
        "image too costly to decode: {width}x{height} px {layout} needs {bytes} bytes \
         (limit {MAX_DECODE_BYTES})"
    )]
    TooCostly {
        width: usize,
        height: usize,
        layout: String,
        bytes: u64,
    },
    #[error("image has zero width or height")]
    ZeroSize,
    #[error("corrupt or truncated {format:?}: {detail}")]
    Corrupt { format: ImageFormat, detail: String },
}

/// Recognise JPEG / PNG / GIF from the first bytes.
pub fn sniff(bytes: &[u8]) -> Result<ImageFormat, ImageError> {
    if bytes.is_empty() {
        return Err(ImageError::Empty);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok(ImageFormat::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok(ImageFormat::Png)
    } else if (bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a")) && bytes.len() >= 13 {
        // A GIF is recognised with its whole 13-byte header (signature and screen descriptor):
        // shorter is no image at all.
        Ok(ImageFormat::Gif)
    } else {
        let head: String = bytes.iter().take(8).map(|b| format!("{b:02x}")).collect();
        Err(ImageError::UnsupportedFormat(head))
    }
}

fn check_size(width: usize, height: usize) -> Result<(), ImageError> {
    if width == 0 || height == 0 {
        return Err(ImageError::ZeroSize);
    }
    if width > MAX_SIDE || height > MAX_SIDE || (width as u64) * (height as u64) > MAX_PIXELS {
        return Err(ImageError::TooLarge { width, height });
    }
    Ok(())
}

/// Refuse a decode that would need more than [`MAX_DECODE_BYTES`].
fn check_cost(width: usize, height: usize, layout: &str, bytes: u64) -> Result<(), ImageError> {
    if bytes > MAX_DECODE_BYTES {
        return Err(ImageError::TooCostly {
            width,
            height,
            layout: layout.to_string(),
            bytes,
        });
    }
    Ok(())
}

fn options() -> DecoderOptions {
    DecoderOptions::default()
        .set_max_width(MAX_SIDE)
        .set_max_height(MAX_SIDE)
        // zune's own limit on the inflated PNG stream: never above the decode budget.
        .inflate_set_limit(MAX_DECODE_BYTES as usize)
}

/// Decode JPEG, PNG or GIF bytes to a greyscale raster.
pub fn decode_luma(bytes: &[u8]) -> Result<LumaImage, ImageError> {
    match sniff(bytes)? {
        ImageFormat::Jpeg => decode_jpeg(bytes),
        ImageFormat::Png => decode_png(bytes),
        ImageFormat::Gif => decode_gif(bytes),
    }
}

fn corrupt(format: ImageFormat, detail: impl fmt::Debug) -> ImageError {
    let mut detail = format!("{detail:?}");
    detail.truncate(200);
    ImageError::Corrupt { format, detail }
}

fn decode_jpeg(bytes: &[u8]) -> Result<LumaImage, ImageError> {
    let fmt = ImageFormat::Jpeg;
    let opts = options().jpeg_set_out_colorspace(ColorSpace::Luma);
    let mut dec = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), opts);
    dec.decode_headers().map_err(|e| corrupt(fmt, e))?;
    let info = dec.info().ok_or_else(|| corrupt(fmt, "no frame header"))?;
    let (width, height) = (info.width as usize, info.height as usize);
    check_size(width, height)?;
    let comps = u64::from(info.components.max(1));
    let px = width as u64 * height as u64;
    // A progressive JPEG keeps every coefficient (2 bytes a sample) until its last scan.
    let progressive = format!("{:?}", info.sof).starts_with("Progressive");
    let coefficients = if progressive { px * comps * 2 } else { 0 };
    check_cost(
        width,
        height,
        &format!("{comps}-channel JPEG"),
        coefficients + px * comps + px,
    )?;
    if info.components == 4 {
        // zune-jpeg maps CMYK and YCCK to RGB but not to luma; its RGB converter is chosen
        // while reading the headers, so they are read again.
        let opts = options().jpeg_set_out_colorspace(ColorSpace::RGB);
        dec = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), opts);
        dec.decode_headers().map_err(|e| corrupt(fmt, e))?;
    }
    let out_cs = dec
        .output_colorspace()
        .ok_or_else(|| corrupt(fmt, "no output colourspace"))?;
    let size = dec
        .output_buffer_size()
        .ok_or_else(|| corrupt(fmt, "unknown output size"))?;
    let comps = out_cs.num_components();
    if comps == 0 || size != width * height * comps {
        return Err(corrupt(
            fmt,
            format!("unexpected output layout {out_cs:?}, {size} bytes"),
        ));
    }
    let mut out = vec![0u8; size];
    dec.decode_into(&mut out).map_err(|e| corrupt(fmt, e))?;
    let data = if comps == 1 {
        out
    } else {
        to_luma_u8(&out, out_cs, width * height).ok_or_else(|| corrupt(fmt, out_cs))?
    };
    Ok(LumaImage {
        width,
        height,
        data,
    })
}

fn decode_png(bytes: &[u8]) -> Result<LumaImage, ImageError> {
    let fmt = ImageFormat::Png;
    let opts = options().png_set_strip_to_8bit(true);
    let mut dec = zune_png::PngDecoder::new_with_options(ZCursor::new(bytes), opts);
    dec.decode_headers().map_err(|e| corrupt(fmt, e))?;
    let (width, height) = dec.dimensions().ok_or_else(|| corrupt(fmt, "no IHDR"))?;
    check_size(width, height)?;
    let cs = dec
        .colorspace()
        .ok_or_else(|| corrupt(fmt, "unknown colourspace"))?;
    let depth = dec
        .depth()
        .ok_or_else(|| corrupt(fmt, "unknown bit depth"))?;
    let comps = cs.num_components().max(1) as u64;
    let (w, h) = (width as u64, height as u64);
    // zune-png inflates the whole stream (a filter byte a row, samples up to 16 bits) and
    // unfilters it into a buffer of the same depth while the stream is alive; 16-bit samples
    // are then stripped to 8 bits, and the luma raster made (measured by the test
    // hostile_images.rs: the estimate is an upper bound).
    let sample_bytes = if depth.bit_size() > 8 { 2 } else { 1 };
    let samples = w * h * comps;
    check_cost(
        width,
        height,
        &format!("{cs:?} {}-bit PNG", depth.bit_size()),
        h * (1 + w * comps * sample_bytes) + samples * sample_bytes + samples + w * h,
    )?;
    let pixels = match dec.decode().map_err(|e| corrupt(fmt, e))? {
        DecodingResult::U8(v) => v,
        // strip_to_8bit should make this unreachable; be defensive.
        DecodingResult::U16(v) => v.iter().map(|&s| (s >> 8) as u8).collect(),
        _ => return Err(corrupt(fmt, "unsupported sample type")),
    };
    let data = to_luma_u8(&pixels, cs, width * height)
        .ok_or_else(|| corrupt(fmt, format!("unexpected layout {cs:?}")))?;
    Ok(LumaImage {
        width,
        height,
        data,
    })
}

/// The first frame of a GIF on its logical screen; pixels outside the frame and transparent ones
/// are white (paper), as for PNG alpha.
fn decode_gif(bytes: &[u8]) -> Result<LumaImage, ImageError> {
    let fmt = ImageFormat::Gif;
    let mut opts = gif::DecodeOptions::new();
    // Palette indices, one byte a pixel: the luma conversion needs no RGBA frame.
    opts.set_color_output(gif::ColorOutput::Indexed);
    if let Some(limit) = std::num::NonZeroU64::new(MAX_DECODE_BYTES) {
        opts.set_memory_limit(gif::MemoryLimit::Bytes(limit));
    }
    let mut dec = opts.read_info(bytes).map_err(|e| corrupt(fmt, e))?;
    let (width, height) = (dec.width() as usize, dec.height() as usize);
    check_size(width, height)?;
    let frame = dec
        .next_frame_info()
        .map_err(|e| corrupt(fmt, e))?
        .ok_or_else(|| corrupt(fmt, "no frame"))?;
    let (fw, fh) = (frame.width as usize, frame.height as usize);
    let (left, top) = (frame.left as usize, frame.top as usize);
    let transparent = frame.transparent;
    // A frame may be larger than the screen it is drawn on; both are held at once.
    check_cost(width, height, "GIF", (width * height + fw * fh) as u64)?;
    let mut lut = [255u8; 256];
    for (i, rgb) in dec
        .palette()
        .map_err(|e| corrupt(fmt, e))?
        .chunks_exact(3)
        .enumerate()
        .take(256)
    {
        lut[i] = luma_rgb(rgb[0], rgb[1], rgb[2]);
    }
    if let Some(t) = transparent {
        lut[t as usize] = 255;
    }
    let mut indices = vec![0u8; dec.buffer_size()];
    dec.read_into_buffer(&mut indices)
        .map_err(|e| corrupt(fmt, e))?;
    if indices.len() < fw * fh {
        return Err(corrupt(fmt, "frame shorter than its size"));
    }
    let mut img = LumaImage::filled(width, height, 255);
    for y in 0..fh.min(height.saturating_sub(top)) {
        let src = &indices[y * fw..(y + 1) * fw];
        let row = (top + y) * width;
        for (x, &idx) in src.iter().enumerate().take(width.saturating_sub(left)) {
            img.data[row + left + x] = lut[idx as usize];
        }
    }
    Ok(img)
}

/// BT.601 luma of an 8-bit RGB pixel.
fn luma_rgb(r: u8, g: u8, b: u8) -> u8 {
    ((r as u32 * 299 + g as u32 * 587 + b as u32 * 114 + 500) / 1000) as u8
}

/// Interleaved 8-bit samples -> luma (BT.601 weights). Alpha is composited on
/// white (a transparent background is paper, not ink).
fn to_luma_u8(src: &[u8], cs: ColorSpace, n: usize) -> Option<Vec<u8>> {
    let comps = cs.num_components();
    if comps == 0 || src.len() != n * comps {
        return None;
    }
    let rgb = luma_rgb;
    let over_white =
        |l: u8, a: u8| -> u8 { ((l as u32 * a as u32 + 255 * (255 - a as u32) + 127) / 255) as u8 };
    let out = match cs {
        ColorSpace::Luma => src.to_vec(),
        ColorSpace::LumaA => src
            .chunks_exact(2)
            .map(|p| over_white(p[0], p[1]))
            .collect(),
        ColorSpace::RGB | ColorSpace::YCbCr => {
            if cs == ColorSpace::YCbCr {
                src.chunks_exact(3).map(|p| p[0]).collect()
            } else {
                src.chunks_exact(3).map(|p| rgb(p[0], p[1], p[2])).collect()
            }
        }
        ColorSpace::BGR => src.chunks_exact(3).map(|p| rgb(p[2], p[1], p[0])).collect(),
        ColorSpace::RGBA => src
            .chunks_exact(4)
            .map(|p| over_white(rgb(p[0], p[1], p[2]), p[3]))
            .collect(),
        ColorSpace::BGRA => src
            .chunks_exact(4)
            .map(|p| over_white(rgb(p[2], p[1], p[0]), p[3]))
            .collect(),
        ColorSpace::ARGB => src
            .chunks_exact(4)
            .map(|p| over_white(rgb(p[1], p[2], p[3]), p[0]))
            .collect(),
        ColorSpace::CMYK => src
            .chunks_exact(4)
            .map(|p| {
                let k = 255 - p[3] as u32;
                let ch = |c: u8| ((255 - c as u32) * k / 255) as u8;
                rgb(ch(p[0]), ch(p[1]), ch(p[2]))
            })
            .collect(),
        _ => return None,
    };
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_rejects_garbage() {
        assert_eq!(sniff(b""), Err(ImageError::Empty));
        assert!(matches!(
            sniff(b"GIF89a...."),
            Err(ImageError::UnsupportedFormat(_))
        ));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Ok(ImageFormat::Jpeg));
    }

    #[test]
    fn size_limits() {
        assert!(check_size(625, 6850).is_ok());
        assert_eq!(check_size(0, 5), Err(ImageError::ZeroSize));
        assert!(matches!(
            check_size(20_000, 20_000),
            Err(ImageError::TooLarge { .. })
        ));
        assert!(matches!(
            check_size(50_000, 1),
            Err(ImageError::TooLarge { .. })
        ));
    }

    #[test]
    fn crop_clamps() {
        let mut img = LumaImage::filled(4, 3, 0);
        for (i, p) in img.data.iter_mut().enumerate() {
            *p = i as u8;
        }
        let c = img.crop(2, 1, 10, 10);
        assert_eq!((c.width, c.height), (2, 2));
        assert_eq!(c.data, vec![6, 7, 10, 11]);
    }
}
