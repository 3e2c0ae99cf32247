//! Where the data is: the data directory, its configuration file, and opening the store.

use std::io::Write;
use std::path::{Path, PathBuf};

use actas_store::{Store, Target};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};

/// `DIR/config.json`: what `actas init` chose, read by every later command.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Config {
    /// PostgreSQL URL when the store is not the embedded SQLite file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
}

pub fn config_path(data: &Path) -> PathBuf {
    data.join("config.json")
}

pub fn read_config(data: &Path) -> Result<Config> {
    let path = config_path(data);
    if !path.exists() {
        return Ok(Config::default());
    }
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{}: not a valid configuration", path.display()))
}

pub fn target(data: &Path, config: &Config) -> Target {
    match &config.database_url {
        Some(url) => Target::Postgres(url.clone()),
        None => Target::Sqlite(actas_store::sqlite_path(data)),
    }
}

/// Opens the store, with the log signing key if the data directory has one, so that every
/// import signs its checkpoint.
pub async fn open(data: &Path) -> Result<Store> {
    let config = read_config(data)?;
    let mut store = Store::open(&target(data, &config))
        .await?
        .with_blobs(actas_store::blobs::open_blobs(data));
    if let Some(signer) = crate::cmd::log::load_signer(data)? {
        store.set_log_signer(signer);
    }
    Ok(store)
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

/// Writes `bytes` to a temporary file beside `path`, syncs it and renames it over `path`, so a
/// reader (a web server publishing the report) sees the old file or the new one, never a part.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .with_context(|| format!("{}: not a file name", path.display()))?;
    let tmp = parent_dir(path).join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("writing {}", path.display()));
    }
    Ok(())
}
