//! The ledger's independent checker of the transparency log: `crates/actas-ledger/tests/go/main.go`,
//! on Go's `golang.org/x/mod/sumdb/note` and `.../sumdb/tlog`. The ledger's tests run it on logs
//! they build; the CLI's on the log of the real V1 results.
//!
//! Needs `go` and the x/mod sources in GOPATH layout (Debian: golang-go and
//! golang-golang-x-mod-dev, which installs them under /usr/share/gocode; another GOPATH can be
//! given in `ACTAS_GOPATH`). The build is offline: GOPATH mode, no module proxy.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The checker's source.
fn source() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../actas-ledger/tests/go/main.go")
}

/// Builds the checker as `out/tlogcheck`. `None` (skip) when Go or the x/mod sources are
/// missing, a failure under CI; Go being present but the program not building is always a
/// failure.
#[track_caller]
pub fn tlogcheck(out: &Path) -> Option<PathBuf> {
    let gopath = std::env::var("ACTAS_GOPATH").unwrap_or_else(|_| "/usr/share/gocode".into());
    let note_src = Path::new(&gopath).join("src/golang.org/x/mod/sumdb/note/note.go");
    let why = match Command::new("go").arg("version").output() {
        Ok(o) if o.status.success() && note_src.exists() => None,
        Ok(o) if o.status.success() => Some(format!(
            "{} is missing (Debian: golang-golang-x-mod-dev, or set ACTAS_GOPATH)",
            note_src.display()
        )),
        _ => Some("`go` is not installed (Debian: golang-go)".to_string()),
    };
    if let Some(why) = why {
        crate::unavailable(&format!("Go interoperability test: {why}"));
        return None;
    }
    let src = source();
    let bin = out.join("tlogcheck");
    let o = Command::new("go")
        .arg("build")
        .arg("-o")
        .arg(&bin)
        .arg(&src)
        .env("GO111MODULE", "off")
        .env("GOPATH", &gopath)
        .env("GOPROXY", "off")
        .env("GOFLAGS", "")
        // A build cache that outlives the test's temp dir, so reruns do not recompile.
        .env("GOCACHE", std::env::temp_dir().join("actas-ledger-gocache"))
        .output()
        .expect("run go build");
    assert!(
        o.status.success(),
        "go build {} failed:\n{}",
        src.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    Some(bin)
}
