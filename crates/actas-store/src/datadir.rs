//! A data directory: where one election's data lives, and the one place that knows its
//! layout. `DIR/actas.db` (the embedded SQLite store) unless `DIR/config.json` names a
//! PostgreSQL database; `DIR/log.key`, the log's signing key (never in the database, which
//! more people can read); `DIR/blobs/`, the original photos ([`crate::blobs::open_blobs`]).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use actas_ledger::{LogSigner, generate_keys};
use serde::{Deserialize, Serialize};

use crate::{Store, StoreError, Target, blobs};

/// `DIR/config.json`: what `actas init` chose, read by every later command.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Config {
    /// PostgreSQL URL when the store is not the embedded SQLite file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    database_url: Option<String>,
}

/// A data directory and its configuration.
#[derive(Debug, Clone)]
pub struct DataDir {
    path: PathBuf,
    config: Config,
}

fn invalid(message: String) -> StoreError {
    StoreError::Invalid(message)
}

impl DataDir {
    /// The data directory at `path`, reading its configuration if it has one. The directory
    /// need not exist yet (`actas init` creates it).
    pub fn at(path: impl Into<PathBuf>) -> Result<DataDir, StoreError> {
        let path = path.into();
        let file = path.join("config.json");
        let config = match std::fs::read_to_string(&file) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                invalid(format!(
                    "{}: not a valid configuration ({e}); expected {{\"database_url\": \"postgres://...\"}} or no file",
                    file.display()
                ))
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config::default(),
            Err(e) => return Err(invalid(format!("{}: {e}", file.display()))),
        };
        Ok(DataDir { path, config })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where the records and views are.
    pub fn target(&self) -> Target {
        match &self.config.database_url {
            Some(url) => Target::Postgres(url.clone()),
            None => Target::Sqlite(self.path.join("actas.db")),
        }
    }

    /// The log signing key's file.
    pub fn key_path(&self) -> PathBuf {
        self.path.join("log.key")
    }

    /// Chooses the PostgreSQL database at `url` as the store (remembered by
    /// [`DataDir::save`]). A directory already bound to another database is refused: two
    /// elections' records must never mix.
    pub fn use_database(&mut self, url: &str) -> Result<(), StoreError> {
        match &self.config.database_url {
            Some(old) if old != url => Err(invalid(format!(
                "{} already uses another database ({}); use a new data directory",
                self.path.display(),
                crate::redact(old)
            ))),
            _ => {
                self.config.database_url = Some(url.to_string());
                Ok(())
            }
        }
    }

    /// Writes `config.json` (only a directory that uses PostgreSQL needs one), creating the
    /// directory if needed.
    pub fn save(&self) -> Result<(), StoreError> {
        std::fs::create_dir_all(&self.path)
            .map_err(|e| invalid(format!("creating {}: {e}", self.path.display())))?;
        if self.config.database_url.is_none() {
            return Ok(());
        }
        let text = serde_json::to_string_pretty(&self.config).expect("plain data serialises");
        write_file(&self.path.join("config.json"), text.as_bytes())
    }

    /// The log signing key, if the directory has one.
    pub fn signer(&self) -> Result<Option<LogSigner>, StoreError> {
        let path = self.key_path();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(invalid(format!("reading {}: {e}", path.display()))),
        };
        LogSigner::from_key(&text)
            .map(Some)
            .map_err(|e| invalid(format!("{}: not a log signing key: {e}", path.display())))
    }

    /// The log signing key, created (readable by its owner only) if missing. `name` is the
    /// log's origin; an existing key with another name is refused when the name was asked
    /// for explicitly, since renaming would start another log. Returns the key and whether
    /// it was created.
    pub fn ensure_signer(
        &self,
        name: &str,
        explicit: bool,
    ) -> Result<(LogSigner, bool), StoreError> {
        if let Some(signer) = self.signer()? {
            if explicit && signer.name() != name {
                return Err(invalid(format!(
                    "{} already holds the key of log {:?}; a log cannot be renamed (use a new data directory)",
                    self.key_path().display(),
                    signer.name()
                )));
            }
            return Ok((signer, false));
        }
        let (skey, _) =
            generate_keys(name).map_err(|e| invalid(format!("log name {name:?}: {e}")))?;
        let path = self.key_path();
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts
            .open(&path)
            .map_err(|e| invalid(format!("creating {}: {e}", path.display())))?;
        f.write_all(format!("{skey}\n").as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(|e| invalid(format!("writing {}: {e}", path.display())))?;
        let signer = LogSigner::from_key(&skey).map_err(|e| invalid(e.to_string()))?;
        Ok((signer, true))
    }

    /// Opens the store with its originals and, when the directory has the key, its signer,
    /// so that every write signs its checkpoint.
    pub async fn open(&self) -> Result<Store, StoreError> {
        let mut store = Store::open(&self.target())
            .await?
            .with_blobs(blobs::open_blobs(&self.path));
        if let Some(signer) = self.signer()? {
            store.set_log_signer(signer);
        }
        Ok(store)
    }
}

/// Replaces a file durably and all-or-nothing.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let fail = |e: std::io::Error| invalid(format!("writing {}: {e}", path.display()));
    let mut f = atomic_write_file::AtomicWriteFile::open(path).map_err(fail)?;
    f.write_all(bytes).map_err(fail)?;
    f.commit().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_key_and_their_rules() {
        let dir = tempfile::tempdir().unwrap();
        let mut d = DataDir::at(dir.path()).unwrap();
        assert!(matches!(d.target(), Target::Sqlite(_)));
        d.use_database("postgres://a@h/x").unwrap();
        d.save().unwrap();
        let again = DataDir::at(dir.path()).unwrap();
        assert!(matches!(again.target(), Target::Postgres(u) if u == "postgres://a@h/x"));
        let err = d.use_database("postgres://a@h/y").unwrap_err().to_string();
        assert!(err.contains("already uses another database"), "{err}");

        assert!(d.signer().unwrap().is_none());
        let (s, created) = d.ensure_signer("example.org/log", true).unwrap();
        assert!(created && s.name() == "example.org/log");
        let (_, created) = d.ensure_signer("actas.local/x", false).unwrap();
        assert!(!created, "an implicit name keeps the existing key");
        let err = d
            .ensure_signer("other.org/log", true)
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot be renamed"), "{err}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(d.key_path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        std::fs::write(dir.path().join("config.json"), "{not json").unwrap();
        let err = DataDir::at(dir.path()).unwrap_err().to_string();
        assert!(err.contains("not a valid configuration"), "{err}");
    }
}
