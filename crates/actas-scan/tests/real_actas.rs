//! The 13 real acta images of shared/data/ve2024/actas against expected.tsv.
mod common;

use actas_scan::{ScanStatus, Unreadable, scan_file, scan_many_with_progress};
use std::sync::atomic::{AtomicUsize, Ordering};

fn check(e: &common::Expected, outcome: &actas_scan::ScanOutcome) {
    assert_eq!(outcome.sha256, e.sha256, "{}: sha256", e.file);
    if !e.readable {
        assert!(
            matches!(
                outcome.status,
                ScanStatus::Unreadable {
                    reason: Unreadable::NoQrCode { .. }
                }
            ),
            "{}: expected unreadable, got {:?}",
            e.file,
            outcome.status
        );
        return;
    }
    let payload = outcome
        .payload()
        .unwrap_or_else(|| panic!("{}: not read: {:?}", e.file, outcome.status));
    if let Some(want) = &e.payload {
        assert_eq!(payload, want, "{}", e.file);
        return;
    }
    // No payload in the ground truth: check id, sums and nulls.
    let fields: Vec<&str> = payload.split('!').collect();
    assert_eq!(fields.len(), 4, "{}: {payload}", e.file);
    let id = fields[0];
    if let Some(want) = &e.acta_id {
        assert_eq!(id, want, "{}", e.file);
    }
    let mut id_parts = id.split('.');
    assert_eq!(
        id_parts.next(),
        Some(e.centre.as_str()),
        "{}: centre",
        e.file
    );
    let mesa: u32 = id_parts.next().and_then(|m| m.parse().ok()).expect("mesa");
    assert_eq!(mesa, e.mesa, "{}: mesa", e.file);
    let votes: Vec<u64> = fields[1]
        .split(',')
        .map(|n| n.parse().expect("vote count"))
        .collect();
    assert_eq!(votes.len(), 38, "{}: 38 cards", e.file);
    assert_eq!(
        Some(votes.iter().sum::<u64>()),
        e.valid,
        "{}: valid",
        e.file
    );
    assert_eq!(fields[2].parse::<u64>().ok(), e.null, "{}: null", e.file);
}

#[test]
fn every_real_acta_reads_as_expected() {
    let Some(dir) = common::actas_dir() else {
        return;
    };
    let rows = common::expected(&dir);
    assert_eq!(rows.len(), 13);
    assert_eq!(rows.iter().filter(|r| r.readable).count(), 12);
    for e in &rows {
        let outcome = scan_file(dir.join(&e.file)).expect("read file");
        check(e, &outcome);
    }
}

#[test]
fn scan_many_preserves_order_and_reports_progress() {
    let Some(dir) = common::actas_dir() else {
        return;
    };
    let rows = common::expected(&dir);
    let paths: Vec<_> = rows.iter().map(|e| dir.join(&e.file)).collect();
    let calls = AtomicUsize::new(0);
    let results = scan_many_with_progress(&paths, 2, |done, total| {
        assert!(done <= total && total == paths.len());
        calls.fetch_add(1, Ordering::Relaxed);
    });
    assert_eq!(calls.load(Ordering::Relaxed), paths.len());
    assert_eq!(results.len(), rows.len());
    for (e, r) in rows.iter().zip(&results) {
        check(e, r.as_ref().expect("io"));
    }
}

#[test]
fn missing_file_is_an_io_error() {
    let r = actas_scan::scan_many(&["/nonexistent/acta.jpg"], 1);
    assert!(r[0].is_err());
    assert!(scan_file("/nonexistent/acta.jpg").is_err());
}
