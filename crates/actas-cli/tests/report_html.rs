//! `actas report --format html` on the real V1 actas: a self-contained page that headless
//! Chromium renders. The page and its screenshot are kept under the test target's temp folder
//! (`report-artefacts/`) to be looked at.

mod report_support;

use actas_testkit::chromium;
use report_support::{actas, artefacts, fails, fresh_dir, ok, v1_data};

#[test]
fn html_report_renders_in_headless_chromium() {
    let Some(data) = v1_data() else { return };
    let dir = artefacts();
    let html_path = dir.join("report-v1-es.html");
    let _ = std::fs::remove_file(&html_path);
    ok(actas(
        data,
        &[
            "report",
            "--quick",
            "--lang",
            "es",
            "--out",
            html_path.to_str().unwrap(),
        ],
    ));
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") || html.starts_with("<!doctype html>"));
    // Self-contained: no script, no external resource; figures in Spanish number format.
    assert!(!html.contains("<script") && !html.contains("src=\"http"));
    for needle in ["<svg", "EG", "NM", "CNE boletín 1", "24.532", "lang=\"es\""] {
        assert!(html.contains(needle), "{needle} missing from the page");
    }
    assert!(!html.contains("NaN"));

    if !chromium::available() {
        return;
    }
    let profile = fresh_dir("report-chromium-profile");
    let png = dir.join("report-v1-es.png");
    let _ = std::fs::remove_file(&png);
    chromium::run(
        chromium::headless(120, &profile)
            .arg("--window-size=1200,5000")
            .arg(format!("--screenshot={}", png.display()))
            .arg(format!("file://{}", html_path.display())),
    );
    let bytes = std::fs::read(&png).expect("chromium wrote no screenshot");
    assert_eq!(&bytes[1..4], b"PNG");
    // A blank 1200×5000 page compresses to a few kilobytes; text and charts do not.
    assert!(
        bytes.len() > 100_000,
        "screenshot too small: {} bytes",
        bytes.len()
    );
    let _ = std::fs::remove_dir_all(&profile);
    eprintln!("screenshot: {}", png.display());
}

#[test]
fn english_reports_go_to_stdout_with_their_seed() {
    let Some(data) = v1_data() else { return };
    let html = ok(actas(
        data,
        &["report", "--quick", "--lang", "en", "--seed", "7"],
    ));
    assert!(html.contains("lang=\"en\"") && html.contains("24,532"));
    let json = ok(actas(
        data,
        &["report", "--quick", "--seed", "7", "--format", "json"],
    ));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["options"]["seed"], 7);
}

#[test]
fn bad_destinations_and_languages_are_refused_before_computing() {
    let data = report_support::initialised("report-html-args");
    let err = fails(actas(
        &data,
        &["report", "--out", "/nonexistent-dir/x.html"],
    ));
    assert!(err.contains("does not exist; create it first"), "{err}");
    let err = fails(actas(&data, &["report", "--lang", "fr"]));
    assert!(err.contains("unknown language \"fr\" (es, en)"), "{err}");
    let err = fails(actas(&data, &["report", "--format", "pdf"]));
    assert!(err.contains("html") && err.contains("json"), "{err}");
    // An initialised store without results says what to do.
    let err = fails(actas(&data, &["report"]));
    assert!(err.contains("import results first"), "{err}");
}
