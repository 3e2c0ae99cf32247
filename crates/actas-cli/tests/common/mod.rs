//! Shared test support: the real data in ../shared, a PostgreSQL database per test, and running
//! the real `actas` binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `../shared/data/ve2024/<name>` from the repository root, or None when absent on a user's
/// machine. Under CI its absence is a failure, never a skip.
pub fn shared(name: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/ve2024")
        .join(name);
    if p.exists() {
        return Some(p);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is missing: CI must have ../shared",
        p.display()
    );
    eprintln!("skipping: {} not found", p.display());
    None
}

pub fn v1() -> Option<PathBuf> {
    shared("resultados_2024_v1.csv")
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

/// A fresh PostgreSQL database for one test, dropped by nobody (names are unique per run, and
/// CI machines are fresh). None when no server answers, unless CI is set.
pub fn postgres_url(tag: &str) -> Option<String> {
    let base = std::env::var("ACTAS_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string());
    let name = format!(
        "actas_{tag}_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
            % 1_000_000_000
    );
    let status = Command::new("psql")
        .arg(format!("{base}/postgres"))
        .args(["-q", "-c", &format!("CREATE DATABASE {name}")])
        .output();
    match status {
        Ok(o) if o.status.success() => Some(format!("{base}/{name}")),
        other => {
            assert!(
                std::env::var_os("CI").is_none(),
                "PostgreSQL at {base} is required under CI: {other:?}"
            );
            eprintln!("skipping: no PostgreSQL at {base}");
            None
        }
    }
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
