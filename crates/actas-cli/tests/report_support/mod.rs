//! Shared by the `report_*` tests: runs the real `actas` binary on data directories under the
//! test target's temp folder, and finds the shared V1 data beside the project (never copied into
//! the repository).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use actas_testkit::shared;
use serde_json::Value;

/// Whether the V1 CSV and the forensic reference figures are in ../shared. Absent data skips a
/// test locally but fails it in CI.
pub fn shared_available() -> bool {
    shared::all_present(&[shared::v1_csv(), shared::forensics_reference()])
}

pub fn reference() -> Value {
    serde_json::from_str(&std::fs::read_to_string(shared::forensics_reference()).unwrap()).unwrap()
}

/// Where tests leave files worth looking at (reports, screenshots): kept after the run.
pub fn artefacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-artefacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A fresh, empty directory under the test target's temp folder.
pub fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `actas --data DATA ARGS...`, isolated from the caller's environment.
pub fn actas(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_actas"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("ACTAS_DATA")
        .env_remove("ACTAS_DATABASE_URL")
        .output()
        .expect("run the actas binary")
}

/// Stdout of a run that must succeed.
#[track_caller]
pub fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "actas failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Stderr of a run that must fail.
#[track_caller]
pub fn fails(out: Output) -> String {
    assert!(
        !out.status.success(),
        "actas should have failed; stdout:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stderr).expect("UTF-8 output")
}

/// A data directory initialised for ve2024 (no results).
pub fn initialised(name: &str) -> PathBuf {
    let dir = fresh_dir(name);
    ok(actas(&dir, &["init"]));
    dir
}

/// A data directory with the V1 CSV imported, made once per test binary; `None` when the shared
/// data is absent (see [`shared_available`]). Tests that write to the store copy it first.
pub fn v1_data() -> Option<&'static Path> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        if !shared_available() {
            return None;
        }
        // One directory per test binary (the crate name), as binaries may run concurrently.
        let name = format!("{}-v1", module_path!().split("::").next().unwrap());
        let dir = initialised(&name);
        let out = ok(actas(
            &dir,
            &["import", "csv", shared::v1_csv().to_str().unwrap()],
        ));
        assert!(out.contains("24532 new tables"), "{out}");
        Some(dir)
    })
    .as_deref()
}

/// A copy of a data directory (files only: the SQLite database, its WAL, configuration, keys).
pub fn copy_data(from: &Path, name: &str) -> PathBuf {
    let to = fresh_dir(name);
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
    to
}

/// `report --format json --quick` on `data`, parsed.
pub fn json_report(data: &Path) -> Value {
    serde_json::from_str(&ok(actas(data, &["report", "--format", "json", "--quick"])))
        .expect("the report is JSON")
}

/// Floats of the report agree with the reference to 1e-9 relative (the analysis is exact; only
/// the summation order may differ from NumPy's).
#[track_caller]
pub fn close(what: &str, actual: &Value, expected: &Value) {
    let (a, e) = (
        actual
            .as_f64()
            .unwrap_or_else(|| panic!("{what}: {actual} is not a number")),
        expected.as_f64().unwrap(),
    );
    let ok = if e == 0.0 {
        a.abs() < 1e-12
    } else {
        ((a - e) / e).abs() <= 1e-9
    };
    assert!(ok, "{what}: report {a:e}, reference {e:e}");
}

/// Integers must be equal exactly (and be integers in the JSON).
#[track_caller]
pub fn same_int(what: &str, actual: &Value, expected: &Value) {
    let a = actual
        .as_i64()
        .unwrap_or_else(|| panic!("{what}: {actual} is not an integer"));
    assert_eq!(Some(a), expected.as_i64(), "{what}");
}
