//! Headless Chromium (Debian's `chromium` package) for the browser tests of the site and the
//! screenshots of the HTML report.

use std::path::Path;
use std::process::Command;

/// Where Debian installs it.
pub const PATH: &str = "/usr/bin/chromium";

/// Whether Chromium is installed, with no skip rule (for tests where it is optional).
pub fn installed() -> bool {
    Path::new(PATH).exists()
}

/// Whether Chromium is installed; when not, `false` (skip), or a failure under CI.
#[track_caller]
pub fn available() -> bool {
    let ok = installed();
    if !ok {
        crate::unavailable(&format!("{PATH} not installed (apt-get install chromium)"));
    }
    ok
}

/// `timeout SECS chromium --headless ...` with a throwaway profile in `profile` and the flags
/// every test uses (no sandbox, GPU, network chatter or first-run pages). The caller adds its
/// own (window size, `--screenshot=`, `--dump-dom`, the URL).
pub fn headless(timeout_secs: u32, profile: &Path) -> Command {
    let mut cmd = Command::new("timeout");
    cmd.arg(timeout_secs.to_string())
        .arg(PATH)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

/// Runs a [`headless`] command and returns its stdout; a failure fails the test with
/// Chromium's stderr.
#[track_caller]
pub fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
