//! Hostile images cost bounded memory: the decoders' peak allocation is measured by a counting
//! allocator (this test binary's global allocator), so "bounded" is a number, not a hope.
//! A 10000x10000 16-bit RGBA PNG that compresses to a few megabytes (under the pixel limit)
//! took 1.5 GB per scanning thread; it is now refused from its header with a reason, having
//! allocated almost nothing. Also: GIF and CMYK JPEG input, GIF pixel bombs and truncations.
mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use actas_scan::image::MAX_DECODE_BYTES;
use actas_scan::render::render_clean;
use actas_scan::{ImageError, ScanStatus, Unreadable, decode_luma, scan_bytes};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size > layout.size() {
                let now = CURRENT.fetch_add(new_size - layout.size(), Ordering::Relaxed)
                    + (new_size - layout.size());
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Tests of this binary run one at a time, so each one's peak is its own.
static SERIAL: Mutex<()> = Mutex::new(());

/// Bytes allocated at the peak of `f`, above what was allocated before it.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed).saturating_sub(base))
}

/// LSB-first bit writer for a deflate stream.
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u64, bits: u32) {
        self.acc |= value << self.n;
        self.n += bits;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }
    /// Huffman codes are sent most significant bit first.
    fn code(&mut self, code: u64, bits: u32) {
        let rev = (0..bits).fold(0, |r, i| r | (((code >> i) & 1) << (bits - 1 - i)));
        self.put(rev, bits);
    }
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    let crc = |bytes: &[u8]| {
        let mut c = 0xFFFF_FFFFu32;
        for &b in bytes {
            c ^= b as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    (c >> 1) ^ 0xEDB8_8320
                } else {
                    c >> 1
                };
            }
        }
        !c
    };
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let c = crc(&out[start..]);
    out.extend_from_slice(&c.to_be_bytes());
}

/// A black (all-zero, so fully transparent) 16-bit RGBA PNG of `w` x `h` whose pixel stream,
/// all zeros, is one fixed-Huffman deflate block of length-258 matches: a few megabytes that
/// inflate to `h * (1 + 8 w)` bytes.
fn zero_rgba16_png(w: u32, h: u32) -> Vec<u8> {
    let total = h as u64 * (1 + 8 * w as u64);
    let mut bits = Bits {
        out: vec![0x78, 0x01],
        acc: 0,
        n: 0,
    };
    bits.put(1, 1); // last block
    bits.put(1, 2); // fixed Huffman codes
    bits.code(0x30, 8); // literal 0
    let mut left = total - 1;
    while left >= 258 {
        bits.code(0xC5, 8); // length 258 (code 285)
        bits.code(0, 5); // distance 1
        left -= 258;
    }
    for _ in 0..left {
        bits.code(0x30, 8);
    }
    bits.code(0, 7); // end of block (code 256)
    if bits.n > 0 {
        bits.put(0, 8 - bits.n);
    }
    let mut z = bits.out;
    let (a, b) = (1u64, total % 65_521);
    z.extend_from_slice(&(((b << 16) | a) as u32).to_be_bytes());
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[16, 6, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &z);
    chunk(&mut png, b"IEND", &[]);
    png
}

#[test]
fn sixteen_bit_rgba_bomb_is_refused_from_its_header() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let bomb = zero_rgba16_png(10_000, 10_000);
    assert!(bomb.len() < 8_000_000, "{} bytes", bomb.len());
    let (r, peak) = peak_of(|| decode_luma(&bomb));
    match r {
        Err(ImageError::TooCostly { width, bytes, .. }) => {
            assert_eq!(width, 10_000);
            assert!(bytes > 1_000_000_000, "{bytes}");
        }
        other => panic!("expected TooCostly, got {other:?}"),
    }
    // The decoder holds the compressed stream while it reads the header; nothing more.
    assert!(
        peak < bomb.len() + 1_000_000,
        "refusing it allocated {peak} bytes ({} of input)",
        bomb.len()
    );
    let o = scan_bytes(&bomb);
    let ScanStatus::Unreadable {
        reason: Unreadable::Image(e),
    } = &o.status
    else {
        panic!("{:?}", o.status)
    };
    assert!(e.to_string().contains("too costly to decode"), "{e}");
}

#[test]
fn decoding_stays_within_its_estimate() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    // 2000x2000 16-bit RGBA: 32 MB inflated, 32 MB unfiltered, 16 MB of 8-bit samples, 4 MB of
    // luma (image.rs's estimate).
    let (w, h) = (2_000u64, 2_000u64);
    let png = zero_rgba16_png(w as u32, h as u32);
    let (img, peak) = peak_of(|| decode_luma(&png).expect("decodes"));
    assert_eq!((img.width, img.height), (2_000, 2_000));
    // Transparent pixels are paper.
    assert!(img.data.iter().all(|&p| p == 255));
    let estimate = h * (1 + w * 4 * 2) + w * h * 4 * 2 + w * h * 4 + w * h;
    eprintln!("PNG 16-bit RGBA: peak {peak} bytes, estimate {estimate}");
    assert!(
        (peak as u64) <= estimate,
        "peak {peak} bytes, estimate {estimate}"
    );
    assert!(estimate < MAX_DECODE_BYTES);
}

#[test]
fn jpeg_decoding_stays_within_its_estimate() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let (w, h) = (1_500usize, 2_000usize);
    // Noise, so that every block holds coefficients.
    let mut x = 0x2545_f491u32;
    let rgb: Vec<u8> = (0..w * h * 3)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    for progressive in [false, true] {
        let mut bytes = Vec::new();
        let mut enc = jpeg_encoder::Encoder::new(&mut bytes, 90);
        enc.set_progressive(progressive);
        enc.encode(&rgb, w as u16, h as u16, jpeg_encoder::ColorType::Rgb)
            .expect("encode");
        let (img, peak) = peak_of(|| decode_luma(&bytes).expect("decodes"));
        assert_eq!((img.width, img.height), (w, h));
        let px = (w * h) as u64;
        // image.rs's estimate: coefficients when progressive, samples, luma.
        let estimate = if progressive { px * 3 * 2 } else { 0 } + px * 3 + px;
        eprintln!("JPEG progressive={progressive}: peak {peak} bytes, estimate {estimate}");
        assert!(
            (peak as u64) <= estimate,
            "progressive {progressive}: peak {peak} bytes, estimate {estimate}"
        );
    }
}

/// A GIF (87a) of `w` x `h` from palette indices, uncompressed in the LZW sense: a clear code
/// before every 2^bits - 3 indices keeps the code width fixed.
fn gif(w: u16, h: u16, palette: &[[u8; 3]; 2], pixels: &[u8]) -> Vec<u8> {
    let mut out = b"GIF87a".to_vec();
    out.extend_from_slice(&w.to_le_bytes());
    out.extend_from_slice(&h.to_le_bytes());
    out.extend_from_slice(&[0x80, 0, 0]); // global table of 2 colours
    for c in palette {
        out.extend_from_slice(c);
    }
    out.push(0x2C);
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&w.to_le_bytes());
    out.extend_from_slice(&h.to_le_bytes());
    out.push(0);
    let min = 2u8;
    out.push(min);
    // Codes of 3 bits: 0..3 indices, 4 clear, 5 end; a clear every 2 indices keeps the table
    // from growing past 3 bits.
    let mut bits = Bits {
        out: Vec::new(),
        acc: 0,
        n: 0,
    };
    for pair in pixels.chunks(2) {
        bits.put(4, 3);
        for &p in pair {
            bits.put(p as u64, 3);
        }
    }
    bits.put(5, 3);
    if bits.n > 0 {
        bits.put(0, 8 - bits.n);
    }
    for block in bits.out.chunks(255) {
        out.push(block.len() as u8);
        out.extend_from_slice(block);
    }
    out.push(0);
    out.push(0x3B);
    out
}

#[test]
fn gif_input_is_read() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let img = render_clean(common::ballot(), common::SAMPLE_PAYLOAD, 3);
    let crop = img.crop(0, img.height - 900, img.width, 900);
    let idx: Vec<u8> = crop.data.iter().map(|&p| u8::from(p >= 128)).collect();
    let bytes = gif(
        crop.width as u16,
        crop.height as u16,
        &[[0, 0, 0], [255, 255, 255]],
        &idx,
    );
    let luma = decode_luma(&bytes).expect("GIF decodes");
    assert_eq!((luma.width, luma.height), (crop.width, crop.height));
    assert_eq!(scan_bytes(&bytes).payload(), Some(common::SAMPLE_PAYLOAD));
    // Light on dark: the same code with its palette swapped.
    let inverted = gif(
        crop.width as u16,
        crop.height as u16,
        &[[255, 255, 255], [0, 0, 0]],
        &idx,
    );
    assert_eq!(
        scan_bytes(&inverted).payload(),
        Some(common::SAMPLE_PAYLOAD)
    );
    for cut in [13, 20, 40, bytes.len() / 2, bytes.len() - 2] {
        let o = scan_bytes(&bytes[..cut]);
        assert!(o.payload().is_none() || o.payload() == Some(common::SAMPLE_PAYLOAD));
        assert!(!matches!(
            o.status,
            ScanStatus::Unreadable {
                reason: Unreadable::Internal(_)
            }
        ));
    }
}

#[test]
fn gif_screen_bombs_are_refused() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let tiny = gif(2, 2, &[[0, 0, 0], [255, 255, 255]], &[0, 1, 1, 0]);
    assert_eq!(decode_luma(&tiny).map(|i| i.data), Ok(vec![0, 255, 255, 0]));
    let mut huge = tiny.clone();
    huge[6..10].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
    let (r, peak) = peak_of(|| decode_luma(&huge));
    assert!(
        matches!(r, Err(ImageError::TooLarge { .. })),
        "{r:?} (65535x65535 screen)"
    );
    assert!(peak < 1_000_000, "{peak}");
    let mut zero = tiny.clone();
    zero[6..8].copy_from_slice(&[0, 0]);
    assert!(decode_luma(&zero).is_err());
}

/// A four-component (CMYK) JPEG, as print workflows export; zune-jpeg converts it to RGB only.
#[test]
fn cmyk_jpeg_is_read() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let img = render_clean(common::ballot(), common::SAMPLE_PAYLOAD, 3);
    let crop = img.crop(0, img.height - 900, img.width, 900);
    // Grey ink as black (K) only.
    let cmyk: Vec<u8> = crop.data.iter().flat_map(|&l| [0, 0, 0, 255 - l]).collect();
    let mut bytes = Vec::new();
    jpeg_encoder::Encoder::new(&mut bytes, 90)
        .encode(
            &cmyk,
            crop.width as u16,
            crop.height as u16,
            jpeg_encoder::ColorType::Cmyk,
        )
        .expect("encode CMYK");
    let luma = decode_luma(&bytes).expect("CMYK JPEG decodes");
    let mean = luma.data.iter().map(|&p| p as u64).sum::<u64>() / luma.data.len() as u64;
    let truth = crop.data.iter().map(|&p| p as u64).sum::<u64>() / crop.data.len() as u64;
    assert!(
        mean.abs_diff(truth) < 20,
        "mean luma {mean}, rendered {truth}"
    );
    assert_eq!(scan_bytes(&bytes).payload(), Some(common::SAMPLE_PAYLOAD));
}
