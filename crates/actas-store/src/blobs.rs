//! Original images, content-addressed by SHA-256, behind one small trait: a folder on disk is
//! the default ([`DirBlobs`]); object storage is another implementation. Which one a data
//! directory uses is decided in one place, [`open_blobs`].
//!
//! Architecture invariant: a blob is durable before the record that names it commits (the
//! intake calls [`BlobStore::put`] and waits before recording), so an acknowledged record
//! never points at a missing image.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::StoreError;

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether `sha` is a lower-case hex SHA-256: the only names a blob store accepts, so a
/// caller's string can never name anything else.
pub fn is_sha256_hex(sha: &str) -> bool {
    sha.len() == 64
        && sha
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

fn not_a_hash(sha: &str) -> StoreError {
    StoreError::Invalid(format!("{sha:?} is not a lower-case hex SHA-256"))
}

/// Where originals are kept.
#[async_trait::async_trait]
pub trait BlobStore: Send + Sync + fmt::Debug {
    /// Where, for messages: a folder, a bucket URL.
    fn location(&self) -> String;

    /// Where the blob `sha` lives, for messages.
    fn name_of(&self, sha: &str) -> String {
        format!("{}/{sha}", self.location())
    }

    /// Stores `bytes`, whose SHA-256 is `sha`, durably: once this returns `Ok`, the bytes
    /// survive a crash or power loss. Storing bytes that are already stored is a no-op.
    async fn put(&self, sha: &str, bytes: &[u8]) -> Result<(), StoreError>;

    /// The stored bytes, `None` if nothing is stored under `sha`.
    async fn get(&self, sha: &str) -> Result<Option<Vec<u8>>, StoreError>;

    /// Checks that the blob `sha` is stored and still hashes to its name; `Err` says what is
    /// wrong and where.
    async fn check(&self, sha: &str) -> Result<(), String> {
        match self.get(sha).await {
            Ok(Some(b)) if sha256_hex(&b) == sha => Ok(()),
            Ok(Some(b)) => Err(format!(
                "{}: content hashes to {}, not to its name",
                self.name_of(sha),
                sha256_hex(&b)
            )),
            Ok(None) => Err(format!("{}: missing", self.name_of(sha))),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// The originals of a data directory: `DIR/ab/abcdef...` holds the bytes whose SHA-256 is
/// `abcdef...`. Each blob is written to a temporary file, synced, renamed into place, and its
/// folder synced (also the top folder when a new two-letter folder is made).
#[derive(Debug, Clone)]
pub struct DirBlobs {
    root: PathBuf,
}

fn io(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Invalid(format!("{}: {e}", path.display()))
}

fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io(dir, e))
}

impl DirBlobs {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// Where the blob with this hash lives; `None` for anything that is not a lower-case
    /// SHA-256.
    pub fn path(&self, sha: &str) -> Option<PathBuf> {
        is_sha256_hex(sha).then(|| self.root.join(&sha[..2]).join(sha))
    }

    fn put_blocking(&self, sha: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let path = self.path(sha).ok_or_else(|| not_a_hash(sha))?;
        if sha256_hex(bytes) != sha {
            return Err(StoreError::Invalid(format!(
                "refusing to store bytes under {sha}: they hash to {}",
                sha256_hex(bytes)
            )));
        }
        if path.metadata().is_ok_and(|m| m.len() == bytes.len() as u64) {
            return Ok(());
        }
        let dir = path.parent().expect("blob paths have a parent");
        if !dir.is_dir() {
            std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
            // The new folder's own name must survive a power cut too.
            sync_dir(&self.root)?;
        }
        let mut f = atomic_write_file::AtomicWriteFile::open(&path).map_err(|e| io(&path, e))?;
        f.write_all(bytes).map_err(|e| io(&path, e))?;
        f.commit().map_err(|e| io(&path, e))
    }

    fn get_blocking(&self, sha: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(path) = self.path(sha) else {
            return Ok(None);
        };
        match std::fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(&path, e)),
        }
    }
}

/// Runs blocking file work off the async workers (a folder of 25,000 photos is thousands of
/// fsyncs, which then overlap).
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::Invalid(format!("blob worker failed: {e}")))?
}

#[async_trait::async_trait]
impl BlobStore for DirBlobs {
    fn location(&self) -> String {
        self.root.display().to_string()
    }

    fn name_of(&self, sha: &str) -> String {
        match self.path(sha) {
            Some(p) => p.display().to_string(),
            None => format!("{sha:?} (not a SHA-256)"),
        }
    }

    async fn put(&self, sha: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let (me, sha, bytes) = (self.clone(), sha.to_string(), bytes.to_vec());
        blocking(move || me.put_blocking(&sha, &bytes)).await
    }

    async fn get(&self, sha: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let (me, sha) = (self.clone(), sha.to_string());
        blocking(move || me.get_blocking(&sha)).await
    }
}

/// The blob store of a data directory: its `blobs` folder. (Object storage, configured by
/// URL, plugs in here.)
pub fn open_blobs(data_dir: &Path) -> Arc<dyn BlobStore> {
    Arc::new(DirBlobs::new(data_dir.join("blobs")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stores_by_content_and_detects_replacement() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = DirBlobs::new(dir.path());
        let sha = sha256_hex(b"acta");
        blobs.put(&sha, b"acta").await.unwrap();
        blobs.put(&sha, b"acta").await.unwrap();
        assert_eq!(blobs.get(&sha).await.unwrap().unwrap(), b"acta");
        assert!(blobs.check(&sha).await.is_ok());
        assert!(blobs.put(&sha, b"other").await.is_err());
        std::fs::write(blobs.path(&sha).unwrap(), b"forged").unwrap();
        assert!(
            blobs
                .check(&sha)
                .await
                .unwrap_err()
                .contains("not to its name")
        );
        assert!(blobs.path("../../etc/passwd").is_none());
        assert!(blobs.get(&"0".repeat(64)).await.unwrap().is_none());
        assert!(
            blobs
                .check(&"0".repeat(64))
                .await
                .unwrap_err()
                .contains("missing")
        );
    }
}
