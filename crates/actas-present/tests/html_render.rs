//! Renders the V1 report as HTML in both languages into the temp folder and, where Chromium is
//! installed, takes a headless screenshot of the Spanish page (to look at it, see the path printed
//! with `--nocapture`).

#[path = "../../actas-analysis/tests/common/mod.rs"]
mod common;

use actas_analysis::{Options, report};
use actas_present::{Lang, report_html, report_json};
use actas_testkit::chromium;

#[test]
fn v1_report_renders_in_both_languages() {
    if !common::shared_available() {
        return;
    }
    let election = actas_core::ve2024::election();
    let results = common::v1_results(&election);
    let mut opts = Options {
        smooth_draws: 1_000_000,
        bootstrap_draws: 300,
        benford_null_reps: 30,
        ..Options::default()
    };
    opts.bulletin_tables_fraction
        .insert("CNE boletín 1".into(), 0.8);
    let r = report(&election, &results, &opts);
    let dir = std::env::temp_dir().join("actas-present");
    std::fs::create_dir_all(&dir).unwrap();
    for lang in [Lang::Es, Lang::En] {
        let html = report_html(&r, lang);
        assert!(!html.contains("NaN"), "{lang}");
        // Self-contained: no script, no external resource.
        assert!(!html.contains("<script") && !html.contains("src=\"http"));
        for needle in ["EG", "NM", "<svg", "24.532", "24,532"] {
            if (needle == "24.532" && lang == Lang::En) || (needle == "24,532" && lang == Lang::Es)
            {
                continue;
            }
            assert!(html.contains(needle), "{lang}: {needle} missing");
        }
        let path = dir.join(format!("report-v1-{lang}.html"));
        std::fs::write(&path, &html).unwrap();
        eprintln!("wrote {}", path.display());
    }
    std::fs::write(dir.join("report-v1.json"), report_json(&r)).unwrap();

    // Optional here, even under CI: the screenshot is only there to be looked at.
    if !chromium::installed() {
        eprintln!("no {}: screenshot skipped", chromium::PATH);
        return;
    }
    let profile = dir.join("chromium-profile");
    let _ = std::fs::remove_dir_all(&profile);
    let png = dir.join("report-v1-es.png");
    let _ = std::fs::remove_file(&png);
    chromium::run(
        chromium::headless(120, &profile)
            .arg("--window-size=1200,4000")
            .arg(format!("--screenshot={}", png.display()))
            .arg(format!(
                "file://{}",
                dir.join("report-v1-es.html").display()
            )),
    );
    let size = std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
    assert!(size > 20_000, "screenshot too small: {size} bytes");
    eprintln!("screenshot {}", png.display());
}
