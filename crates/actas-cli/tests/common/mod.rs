//! Shared test support: running the real `actas` binary, and independent sums of the V1 CSV. The
//! helpers several crates' tests share (../shared, PostgreSQL, Go, Chromium) are in
//! `actas-testkit`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use actas_testkit::shared;

/// The V1 results CSV in ../shared, or None (skip) when absent; under CI its absence fails.
pub fn v1() -> Option<PathBuf> {
    shared::present(shared::v1_csv())
}

pub fn actas(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_actas"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("ACTAS_DATABASE_URL")
        .output()
        .expect("run actas")
}

/// Runs actas and returns stdout, failing the test with stderr on a non-zero exit.
pub fn ok(data: &Path, args: &[&str]) -> String {
    let out = actas(data, args);
    assert!(
        out.status.success(),
        "actas {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

pub fn fails(data: &Path, args: &[&str]) -> String {
    let out = actas(data, args);
    assert!(!out.status.success(), "actas {args:?} should have failed");
    String::from_utf8(out.stderr).expect("utf-8 output")
}

pub fn json(data: &Path, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(data, args)).expect("JSON output")
}

/// Totals of the V1 CSV computed independently of the product: a plain split on commas.
pub struct Sums {
    pub tables: u64,
    pub registered: u64,
    pub valid: u64,
    pub null: u64,
    pub votes: std::collections::BTreeMap<String, u64>,
}

pub fn independent_sums(csv: &Path) -> std::collections::BTreeMap<String, Sums> {
    let text = std::fs::read_to_string(csv).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let mut out = std::collections::BTreeMap::new();
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let n = |c: &str| f[col(c)].parse::<u64>().unwrap();
        for key in ["", &format!("{:02}", n("COD_EDO"))] {
            let s = out.entry(key.to_string()).or_insert_with(|| Sums {
                tables: 0,
                registered: 0,
                valid: 0,
                null: 0,
                votes: Default::default(),
            });
            s.tables += 1;
            s.registered += n("RE");
            s.valid += n("VOTOS_VALIDOS");
            s.null += n("VOTOS_NULOS");
            for c in [
                "EG", "NM", "LM", "JABE", "JOBR", "AE", "CF", "DC", "EM", "BERA",
            ] {
                *s.votes.entry(c.to_string()).or_default() += n(c);
            }
        }
    }
    out
}
