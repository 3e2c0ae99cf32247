//! Tuning aid: time the stages of pass 1 per file (best of 5).
use actas_scan::image::decode_luma;
use actas_scan::ops;
use actas_scan::rx::{Binarizer, Detector, decode};
use std::time::Instant;
fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).unwrap();
        let mut best = [f64::MAX; 5];
        for _ in 0..5 {
            let t = Instant::now();
            let _ = actas_scan::sha256_hex(&bytes);
            let t_sha = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let img = decode_luma(&bytes).unwrap();
            let t_load = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let c = img.crop(0, img.height * 55 / 100, img.width, img.height);
            let s = ops::downscale_box(&c, 3);
            let t_prep = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let _read = decode(&s, Binarizer::Hybrid, Detector::Cpp, false).is_some();
            let t_dec = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let _ = actas_scan::scan_bytes(&bytes);
            let t_all = t.elapsed().as_secs_f64();
            for (b, v) in best.iter_mut().zip([t_sha, t_load, t_prep, t_dec, t_all]) {
                *b = b.min(v * 1000.0);
            }
        }
        println!(
            "{:35} sha {:.2} load {:.2} prep {:.2} decode {:.2} | scan_bytes {:.2} ms",
            path.rsplit('/').next().unwrap(),
            best[0],
            best[1],
            best[2],
            best[3],
            best[4]
        );
    }
}
