//! ZXing's blackbox QR images: correct reads and images per second of actas-scan and of
//! zbarimg, same images, same run, both on `--threads` cores (zbarimg one process per image).
//! Usage: blackbox_bench [--threads N] [DIR]   (DIR from bench/fetch-zxing-blackbox.sh)
//! Run by `bench/blackbox-bench.sh`; the test `zxing_blackbox.rs` asserts the same counts.
#[path = "../tests/common/zxing.rs"]
mod zxing;

use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut threads = 2;
    if args.first().is_some_and(|a| a == "--threads") {
        threads = args
            .get(1)
            .and_then(|t| t.parse().ok())
            .expect("--threads N");
        args.drain(..2);
    }
    let dir = args.first().map_or_else(zxing::default_dir, PathBuf::from);
    let images = zxing::load(&dir);
    let paths: Vec<&Path> = images.iter().map(|i| i.path.as_path()).collect();

    let t0 = Instant::now();
    let ours: Vec<Option<String>> = actas_scan::scan_many(&paths, threads)
        .into_iter()
        .map(|r| r.ok().and_then(|o| o.payload().map(str::to_string)))
        .collect();
    let ours_secs = t0.elapsed().as_secs_f64();
    let t0 = Instant::now();
    let zbar = zxing::zbar(&paths, threads);
    let zbar_secs = t0.elapsed().as_secs_f64();

    let ours = zxing::score(&images, &ours);
    let zbar = zxing::score(&images, &zbar);
    println!("set        actas-scan (correct/total, wrong)   zbarimg (correct/total, wrong)");
    for ((set, o), (_, z)) in ours.iter().zip(&zbar) {
        println!(
            "{set:9}  {:3}/{:3}, {} wrong                   {:3}/{:3}, {} wrong",
            o.correct, o.total, o.wrong, z.correct, z.total, z.wrong
        );
    }
    let n = images.len() as f64;
    println!(
        "speed: actas-scan {:.1} img/s, zbarimg {:.1} img/s ({threads} threads each): x{:.1}",
        n / ours_secs,
        n / zbar_secs,
        zbar_secs / ours_secs
    );
}
