//! Paths into `../shared`, the folder of real data beside the repository (the 2024 results,
//! acta photos, geography, reference figures). Tests read it in place; it is never copied into
//! the repository.
//!
//! The path functions only build paths; [`present`] and [`all_present`] apply the crate's rule:
//! absent data skips the test locally and fails it under CI.

use std::path::{Path, PathBuf};

/// `../shared` beside the repository root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

/// `../shared/<rel>`, present or not.
fn path(rel: &str) -> PathBuf {
    root().join(rel)
}

/// `../shared/data/ve2024/<rel>`: the 2024 Venezuelan election's data, present or not.
pub fn ve2024(rel: &str) -> PathBuf {
    path("data/ve2024").join(rel)
}

/// The V1 per-table results CSV (24,532 tables).
pub fn v1_csv() -> PathBuf {
    ve2024("resultados_2024_v1.csv")
}

/// The reference figures of the forensic analysis of V1.
pub fn forensics_reference() -> PathBuf {
    path("docs/forensics-reference-v1.json")
}

/// `p` when it exists; otherwise `None` (skip), or a failure under CI.
#[track_caller]
pub fn present(p: PathBuf) -> Option<PathBuf> {
    if p.exists() {
        return Some(p);
    }
    crate::unavailable(&format!("{} not found", p.display()));
    None
}

/// Whether every path exists; when one does not, `false` (skip), or a failure under CI.
#[track_caller]
pub fn all_present(paths: &[PathBuf]) -> bool {
    match paths.iter().find(|p| !p.exists()) {
        None => true,
        Some(missing) => {
            crate::unavailable(&format!("{} not found", missing.display()));
            false
        }
    }
}
