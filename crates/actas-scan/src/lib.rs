//! `actas-scan`: acta image bytes -> raw QR payload text, and synthetic acta photos for tests.
//! It never judges what a code says (`actas-core` parses payloads), never limits or stores a
//! photo (`actas-intake` does), and keeps no state.
//!
//! ```no_run
//! let outcome = actas_scan::scan_file("acta.jpg").unwrap();
//! match outcome.status {
//!     actas_scan::ScanStatus::Read { payload } => println!("{payload}"),
//!     actas_scan::ScanStatus::Unreadable { reason } => eprintln!("{reason}"),
//! }
//! ```
//!
//! * [`scan_bytes`] / [`scan_file`]: JPEG, PNG or GIF -> [`ScanOutcome`] (SHA-256 of
//!   the bytes, payload or the reason it is unreadable). Never panics.
//! * [`scan_many`]: the same over many files on several threads, in order.
//! * [`render`]: synthetic acta images with realistic degradations, for tests
//!   and benchmarks.
//!
//! The payload is returned as raw text; parsing it is `actas-core`'s job.

pub mod finder;
pub mod font;
pub mod image;
pub mod ops;
pub mod render;
pub mod rx;
mod scan;

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

pub use image::{ImageError, LumaImage, decode_luma};
pub use render::{Ballot, Degradation, DegradationKind, render_acta};
pub use scan::{
    LumaScan, NORM_WIDTH, ScanOptions, ScanOutcome, ScanStatus, Unreadable, pass_names, scan_bytes,
    scan_file, scan_hashed_bytes, scan_luma, scan_luma_with, sha256_hex,
};

/// Scan many files on `threads` worker threads (0 = one per core). Results
/// are in the order of `paths`.
pub fn scan_many<P: AsRef<Path> + Sync>(
    paths: &[P],
    threads: usize,
) -> Vec<std::io::Result<ScanOutcome>> {
    scan_many_with_progress(paths, threads, |_, _| {})
}

/// Like [`scan_many`], calling `progress(done, total)` after each file (from
/// the worker threads, in completion order).
pub fn scan_many_with_progress<P, F>(
    paths: &[P],
    threads: usize,
    progress: F,
) -> Vec<std::io::Result<ScanOutcome>>
where
    P: AsRef<Path> + Sync,
    F: Fn(usize, usize) + Sync,
{
    scan_many_with(paths, threads, |p| std::fs::read(p), progress)
}

/// Like [`scan_many_with_progress`], reading each file with `read` (e.g. one that enforces a
/// size limit).
pub fn scan_many_with<P, R, F>(
    paths: &[P],
    threads: usize,
    read: R,
    progress: F,
) -> Vec<std::io::Result<ScanOutcome>>
where
    P: AsRef<Path> + Sync,
    R: Fn(&Path) -> std::io::Result<Vec<u8>> + Sync,
    F: Fn(usize, usize) + Sync,
{
    let total = paths.len();
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    }
    .min(total.max(1));
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<std::io::Result<ScanOutcome>>>> =
        Mutex::new((0..total).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        break;
                    }
                    let r = read(paths[i].as_ref()).map(|bytes| scan_bytes(&bytes));
                    if let Ok(mut g) = slots.lock() {
                        g[i] = Some(r);
                    }
                    let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                    progress(d, total);
                }
            });
        }
    });
    slots
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(std::io::Error::other("worker did not finish"))))
        .collect()
}
