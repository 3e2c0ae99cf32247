//! ZXing's public blackbox QR test images, read by actas-scan and by zbarimg, and scored.
//! Shared by the test `zxing_blackbox.rs` and the example `blackbox_bench.rs` (which includes
//! this file by path), so the benchmark and the test count reads the same way.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One image and the text its code holds.
pub struct Image {
    /// `qrcode-N`.
    pub set: String,
    pub path: PathBuf,
    pub expected: String,
}

/// The images of `dir` (as laid out by `bench/fetch-zxing-blackbox.sh`), in a stable order.
pub fn load(dir: &Path) -> Vec<Image> {
    let mut images = Vec::new();
    let mut sets: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("read dir").path())
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("qrcode-"))
        })
        .collect();
    sets.sort();
    for set in sets {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&set)
            .expect("read set")
            .map(|e| e.expect("read dir").path())
            .filter(|p| p.extension().is_some_and(|x| x == "png"))
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(path.with_extension("txt"))
                .unwrap_or_else(|e| panic!("{}: no expected text: {e}", path.display()));
            images.push(Image {
                set: set.file_name().unwrap().to_string_lossy().into_owned(),
                path,
                expected: normalise(&text),
            });
        }
    }
    images
}

/// The copy of the expected texts stores LF where some codes hold CRLF, and zbarimg ends its
/// output with a newline: both sides are compared with CRLF as LF and without trailing newlines.
pub fn normalise(text: &str) -> String {
    text.replace("\r\n", "\n")
        .trim_end_matches('\n')
        .to_string()
}

/// What zbarimg (QR only, raw text) reads in each image, `threads` images at a time, one
/// process per image as a volunteer's `xargs -P` would run it. `None` when it reads nothing.
pub fn zbar(paths: &[&Path], threads: usize) -> Vec<Option<String>> {
    let next = AtomicUsize::new(0);
    let out = Mutex::new(vec![None; paths.len()]);
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = paths.get(i) else { return };
                    let run = Command::new("zbarimg")
                        .args(["-q", "--raw", "-Sdisable", "-Sqrcode.enable"])
                        .arg(path)
                        .output()
                        .expect("run zbarimg");
                    let text = String::from_utf8_lossy(&run.stdout).into_owned();
                    if run.status.success() && !text.is_empty() {
                        out.lock().unwrap()[i] = Some(text);
                    }
                }
            });
        }
    });
    out.into_inner().unwrap()
}

/// Reads of one scanner on one set.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Score {
    pub total: usize,
    pub correct: usize,
    /// Read, but not the expected text.
    pub wrong: usize,
}

/// Scores per set, in set order, plus the total (`"all"`) last.
pub fn score(images: &[Image], reads: &[Option<String>]) -> Vec<(String, Score)> {
    let mut sets: Vec<(String, Score)> = Vec::new();
    let mut all = Score::default();
    for (image, read) in images.iter().zip(reads) {
        if sets.last().is_none_or(|(s, _)| *s != image.set) {
            sets.push((image.set.clone(), Score::default()));
        }
        let (_, set) = sets.last_mut().unwrap();
        for s in [set, &mut all] {
            s.total += 1;
            match read {
                Some(text) if normalise(text) == image.expected => s.correct += 1,
                Some(_) => s.wrong += 1,
                None => {}
            }
        }
    }
    sets.push(("all".into(), all));
    sets
}

/// Where the images are: `ACTAS_ZXING_BLACKBOX`, or `target/test-data/zxing-blackbox` in the
/// workspace (where `bench/fetch-zxing-blackbox.sh` puts them).
pub fn default_dir() -> PathBuf {
    std::env::var_os("ACTAS_ZXING_BLACKBOX").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../target/test-data/zxing-blackbox"
            ))
        },
        PathBuf::from,
    )
}
