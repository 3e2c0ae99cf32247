//! Shared by the ledger's integration tests.
#![allow(dead_code)]

use std::fs;
use std::path::PathBuf;

/// A fresh directory under the system temp dir, removed when dropped (unless
/// `ACTAS_LEDGER_KEEP_TMP` is set: then it is kept, e.g. to run tests/go by hand on an exported
/// log, and its path is printed).
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!(
            "actas-ledger-{name}-{}",
            actas_testkit::unique_suffix()
        ));
        fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::env::var_os("ACTAS_LEDGER_KEEP_TMP").is_some() {
            eprintln!("kept {}", self.0.display());
            return;
        }
        let _ = fs::remove_dir_all(&self.0);
    }
}
