//! Photos end to end: real actas ingested to the numbers of their ground truth, duplicate
//! photos consolidated, conflicting versions kept, unreadable and invalid photos queued for
//! review, resumable after kill -9, no panic on files that are not images.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use actas_core::ve2024;
use actas_scan::{Ballot, Degradation, DegradationKind};
use actas_testkit::shared;
use common::*;

const EXAMPLE: &str = "240111017.01.1.0001!130,9,5,5,7,2,0,7,7,2,0,2,6,1,1,0,1,1,1,0,2,0,0,0,0,0,0,0,1,1,3,1,1,5,16,274,1,1!0!0";

/// A synthetic photo of an acta of the built-in election.
fn render_acta(payload: &str, seed: u64, degradation: Degradation) -> Vec<u8> {
    let election = ve2024::election();
    let ballot = Ballot::new(&election, &ve2024::CARD_CODES);
    actas_scan::render_acta(ballot, payload, seed, degradation)
}

fn national(data: &Path) -> serde_json::Value {
    json(data, &["results", "--format", "json"])["rows"][0].clone()
}

#[test]
fn real_photos_are_counted_to_their_ground_truth() {
    let Some(actas) = shared::present(shared::ve2024("actas")) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&data, &["init"]);
    let out = ok(&data, &["ingest", actas.to_str().unwrap()]);
    assert!(
        out.contains("13 new photos") && out.contains("12 new tables"),
        "{out}"
    );
    assert!(out.contains("1 unreadable"), "{out}");

    let truth = std::fs::read_to_string(actas.join("expected.tsv")).unwrap();
    let mut sums = [0u64; 4];
    for line in truth.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f[2] != "readable" {
            continue;
        }
        let table = format!("{}.{:02}", f[5], f[6].parse::<u8>().unwrap());
        let centre = json(
            &data,
            &[
                "results", "--level", "centre", "--within", f[5], "--format", "json",
            ],
        );
        assert_eq!(centre["rows"].as_array().unwrap().len(), 1, "{table}");
        for (i, col) in [(0, 8), (1, 9), (2, 10), (3, 11)] {
            sums[i] += f[col].parse::<u64>().unwrap();
        }
    }
    let n = national(&data);
    assert_eq!(n["tables"]["counted"], 12);
    assert_eq!(
        [
            n["valid"].as_u64(),
            n["null"].as_u64(),
            n["votes"]["EG"].as_u64(),
            n["votes"]["NM"].as_u64()
        ],
        sums.map(Some),
        "valid, null, EG, NM of the 12 readable actas"
    );

    let review = ok(&data, &["review", "list", "--json"]);
    let items: Vec<serde_json::Value> = review
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["file"], "qr-unreadable-incomplete-1.jpg");
    assert_eq!(items[0]["status"], "unreadable");

    let again = ok(&data, &["ingest", actas.to_str().unwrap()]);
    assert!(again.contains("0 new photos, 13 already stored"), "{again}");
    let verified = ok(&data, &["verify"]);
    assert!(
        verified.contains("13 stored photos re-hashed"),
        "{verified}"
    );
}

#[test]
fn duplicates_conflicts_and_invalid_codes() {
    let dir = tempfile::tempdir().unwrap();
    let photos = dir.path().join("photos");
    std::fs::create_dir_all(photos.join("sub")).unwrap();
    let clean = Degradation::of_kind(DegradationKind::Clean, 1);
    std::fs::write(photos.join("a.jpg"), render_acta(EXAMPLE, 1, clean)).unwrap();
    // Another photo of the same acta: different bytes, same numbers.
    std::fs::write(
        photos.join("sub/a-again.jpg"),
        render_acta(EXAMPLE, 2, Degradation::of_kind(DegradationKind::Jpeg, 2)),
    )
    .unwrap();
    // The same table with one vote moved from card 1 (Maduro) to card 36 (González).
    let changed = EXAMPLE.replace("!130,", "!129,").replace(",274,", ",275,");
    std::fs::write(photos.join("b.jpg"), render_acta(&changed, 3, clean)).unwrap();
    // A QR code that is not an acta.
    std::fs::write(
        photos.join("c.jpg"),
        render_acta("https://example.org/acta", 4, clean),
    )
    .unwrap();
    // Not images at all, named like images.
    std::fs::write(photos.join("d.jpg"), b"not a jpeg").unwrap();
    std::fs::write(photos.join("e.png"), b"\x89PNG\r\n\x1a\ntruncated").unwrap();
    std::fs::write(photos.join("notes.txt"), b"ignored: not an image name").unwrap();

    let data = dir.path().join("data");
    ok(&data, &["init"]);
    let out = ok(&data, &["ingest", "--batch", "2", photos.to_str().unwrap()]);
    assert!(out.contains("6 new photos"), "{out}");
    assert!(out.contains("1 new tables, 1 consolidated"), "{out}");
    assert!(
        out.contains("1 conflicts, 2 unreadable, 1 invalid"),
        "{out}"
    );
    let n = national(&data);
    // Photos are scanned in parallel: whichever version was accepted first stays counted.
    let counted = (
        n["votes"]["NM"].as_u64().unwrap(),
        n["votes"]["EG"].as_u64().unwrap(),
    );
    assert!([(182, 295), (181, 296)].contains(&counted), "{counted:?}");
    assert_eq!(n["tables"]["counted"], 1);
    assert!(ok(&data, &["conflicts"]).contains("240111017.01"));
    let review = ok(&data, &["review", "list", "--json"]);
    assert_eq!(review.lines().count(), 3, "{review}");
    assert!(
        review.contains("\"invalid\"") && review.contains("c.jpg"),
        "{review}"
    );
    let scan = ok(
        &data,
        &["scan", "--json", photos.join("c.jpg").to_str().unwrap()],
    );
    let line: serde_json::Value = serde_json::from_str(scan.trim()).unwrap();
    assert_eq!(line["status"], "read");
    assert_eq!(line["payload"], "https://example.org/acta");
    assert_eq!(line["valid"], false);
    assert!(ok(&data, &["verify"]).contains("6 stored photos"));
}

#[test]
fn photos_agree_with_a_csv_of_the_same_tables() {
    let Some(actas) = shared::present(shared::ve2024("actas")) else {
        return;
    };
    let Some(v1) = v1() else { return };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&data, &["init"]);
    ok(&data, &["import", "csv", v1.to_str().unwrap()]);
    let before = ok(&data, &["results", "--level", "state", "--format", "json"]);
    let out = ok(&data, &["ingest", actas.to_str().unwrap()]);
    // Every readable photo matches its CSV row: consolidated, nothing changes.
    assert!(
        out.contains("0 new tables, 12 consolidated") && out.contains("0 conflicts"),
        "{out}"
    );
    assert_eq!(
        ok(&data, &["results", "--level", "state", "--format", "json"]),
        before
    );
}

#[test]
fn kill_9_during_ingest_then_resume_equals_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let photos = dir.path().join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    for i in 0..160u32 {
        let payload = format!(
            "{:09}.{:02}.1.0001!{},3,1,0,1,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,2,3,{},0,1!{}!0",
            10_101_001 + (i / 4) * 1000,
            1 + i % 4,
            50 + i % 37,
            100 + i % 53,
            i % 3
        );
        let kind = DegradationKind::ALL[i as usize % DegradationKind::ALL.len()];
        std::fs::write(
            photos.join(format!("p{i:03}.jpg")),
            render_acta(&payload, i as u64, Degradation::of_kind(kind, i as u64)),
        )
        .unwrap();
    }
    let reference = dir.path().join("reference");
    ok(&reference, &["init"]);
    ok(
        &reference,
        &["ingest", "--batch", "16", photos.to_str().unwrap()],
    );
    let expected = ok(
        &reference,
        &["results", "--level", "centre", "--format", "json"],
    );
    let expected_review = ok(&reference, &["review", "list"]).lines().count();

    for (i, delay) in [150u64, 600, 1500].into_iter().enumerate() {
        let data = dir.path().join(format!("run{i}"));
        ok(&data, &["init"]);
        let mut child = Command::new(env!("CARGO_BIN_EXE_actas"))
            .arg("--data")
            .arg(&data)
            .args(["ingest", "--batch", "16", photos.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        child.wait().unwrap();
        assert!(
            ok(&data, &["verify"]).contains("ok"),
            "run {i}: consistent after the crash"
        );
        ok(
            &data,
            &["ingest", "--batch", "16", photos.to_str().unwrap()],
        );
        assert_eq!(
            ok(&data, &["results", "--level", "centre", "--format", "json"]),
            expected,
            "run {i}: crash + resume differs from one uninterrupted run"
        );
        assert_eq!(
            ok(&data, &["review", "list"]).lines().count(),
            expected_review
        );
        assert!(ok(&data, &["verify"]).contains("160 stored photos"));
    }
}
