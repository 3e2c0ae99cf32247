//! Helpers shared by the integration tests of several actas crates, and by nothing else: every
//! crate lists this one under `[dev-dependencies]` only, and it is never published.
//!
//! What the tests need from outside the repository follows one rule, [`unavailable`]: when a
//! prerequisite is missing (the real data in `../shared`, the PostgreSQL server, Go, Chromium) the
//! test skips with a message on stderr, except under CI (env `CI` set), where it fails.
//!
//! - [`shared`]: paths into `../shared`, checked with that rule.
//! - [`pg`]: a fresh PostgreSQL database per test.
//! - [`go`]: builds the ledger's independent Go checker of the transparency log.
//! - [`chromium`]: headless Chromium with the flags every browser test uses.
//!
//! Only what two or more crates' tests use belongs here; helpers of one crate stay in that
//! crate's `tests/`.

pub mod chromium;
pub mod go;
pub mod pg;
pub mod shared;

/// Whether the tests run under CI (env `CI` set, whatever its value).
fn ci() -> bool {
    std::env::var_os("CI").is_some()
}

/// `<pid>_<nanoseconds>`: a suffix that makes the name of a database or folder a test creates
/// unique across test processes and runs (short enough for a PostgreSQL identifier).
pub fn unique_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{}_{}", std::process::id(), nanos % 1_000_000_000)
}

/// Reports a missing prerequisite of a test: under CI the test fails with `why`; elsewhere it
/// prints `skipping: {why}` on stderr and returns, and the caller returns early (skips).
#[track_caller]
pub fn unavailable(why: &str) {
    assert!(!ci(), "{why} (required when CI is set)");
    eprintln!("skipping: {why}");
}
