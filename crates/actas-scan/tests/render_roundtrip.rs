//! Synthetic actas, rendered with each kind of degradation, decode back to
//! the real payloads they carry.
mod common;

use actas_scan::render::{Degradation, DegradationKind, encode_jpeg, render_clean};
use actas_scan::{ops, render_acta, scan_bytes, scan_luma};

fn payloads() -> Vec<String> {
    match common::real_payloads() {
        Some(p) => {
            assert!(p.len() >= 3, "expected.tsv has too few payloads");
            p
        }
        // Shared data absent outside CI: still exercise the renderer.
        None => vec![common::SAMPLE_PAYLOAD.to_string()],
    }
}

#[test]
fn every_degradation_round_trips() {
    let payloads = payloads();
    let mut failures = Vec::new();
    let mut n = 0;
    for (k, kind) in DegradationKind::ALL.into_iter().enumerate() {
        for s in 0..3u64 {
            let seed = 1000 + 10 * k as u64 + s;
            let payload = &payloads[(k * 3 + s as usize) % payloads.len()];
            let d = Degradation::of_kind(kind, seed);
            let jpeg = render_acta(common::ballot(), payload, seed, d);
            n += 1;
            let o = scan_bytes(&jpeg);
            if o.payload() != Some(payload.as_str()) {
                failures.push(format!(
                    "{} seed {seed}: {d:?} -> {:?}",
                    kind.name(),
                    o.status
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {n} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn renderer_is_deterministic_and_acta_shaped() {
    let p = &payloads()[0];
    let b = common::ballot();
    let d = Degradation::of_kind(DegradationKind::Combined, 5);
    let a = render_acta(b, p, 5, d);
    assert_eq!(a, render_acta(b, p, 5, d));
    assert_ne!(a, render_acta(b, p, 6, d));
    let img = actas_scan::decode_luma(&render_acta(b, p, 5, Degradation::NONE)).expect("decodes");
    assert!(img.width >= 600 && img.width < 800, "{}", img.width);
    assert!(img.height > 6000 && img.height < 7500, "{}", img.height);
    // Low quality really is smaller.
    let q = Degradation::of_kind(DegradationKind::Jpeg, 5);
    assert!(render_acta(b, p, 5, q).len() < render_acta(b, p, 5, Degradation::NONE).len());
}

#[test]
fn upside_down_acta_is_found_by_the_full_image_passes() {
    let p = &payloads()[0];
    let img = render_clean(common::ballot(), p, 9);
    let flipped = ops::rotate(&img, 180.0, 235);
    let r = scan_luma(&flipped);
    assert_eq!(r.payload.as_deref(), Some(p.as_str()));
    assert_ne!(r.pass, Some("bottom"));
    // And through JPEG bytes.
    assert_eq!(
        scan_bytes(&encode_jpeg(&flipped, 80)).payload(),
        Some(p.as_str())
    );
}
