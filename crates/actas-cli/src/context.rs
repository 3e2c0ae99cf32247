//! What every command shares: opening the data directory's store, progress bars, file names.

use std::io::Write;
use std::path::Path;

use actas_core::{ActaId, TableId};
use actas_store::{DataDir, Store};
use anyhow::{Context, Result, anyhow};
use indicatif::{ProgressBar, ProgressStyle};

/// Opens the data directory's store, with its originals and its log signing key, so that
/// every write signs its checkpoint.
pub async fn open(data: &Path) -> Result<Store> {
    Ok(DataDir::at(data)?.open().await?)
}

/// A bar on terminals, nothing elsewhere (indicatif hides itself when stderr is not a tty).
pub fn bar(len: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{msg:12} [{bar:40}] {pos}/{len} ({per_sec}, eta {eta})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb
}

pub fn spinner(what: &str) -> ProgressBar {
    let pb = ProgressBar::new_spinner();
    pb.set_message(what.to_string());
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    pb
}

/// The file name to record as a source: never the full path, which can leak and means
/// nothing to others.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Replaces `path` with `bytes` all-or-nothing and durably, so a reader (a web server
/// publishing the report) sees the old file or the new one, never a part.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let written = (|| -> std::io::Result<()> {
        let mut f = atomic_write_file::AtomicWriteFile::open(path)?;
        f.write_all(bytes)?;
        f.commit()
    })();
    written.with_context(|| format!("writing {}", path.display()))
}

/// A table named on the command line: a table id (010113042.01) or an acta id
/// (010113042.01.1.0001). `what` names the argument in the error.
pub fn table_arg(what: &str, text: &str) -> Result<TableId> {
    let t = text.trim();
    let parsed = if t.matches('.').count() == 3 {
        t.parse::<ActaId>().map(|a| a.table).ok()
    } else {
        t.parse::<TableId>().ok()
    };
    parsed.ok_or_else(|| {
        anyhow!(
            "{what} {text:?}: expected a table id (010113042.01) or an acta id \
             (010113042.01.1.0001)"
        )
    })
}
