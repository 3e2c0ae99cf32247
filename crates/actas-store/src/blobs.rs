//! Original images, content-addressed: `DIR/ab/abcdef...` holds the bytes whose SHA-256 is
//! `abcdef...`. A blob is written (temp file, fsync, rename, fsync of the directory) before the
//! record that names it commits, so an acknowledged record never points at a missing image.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::StoreError;

#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

fn io(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Invalid(format!("{}: {e}", path.display()))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn valid_hash(sha: &str) -> bool {
    sha.len() == 64
        && sha
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

impl BlobStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// Where the blob with this hash lives; None for anything that is not a lower-case SHA-256
    /// (so a caller's string can never name a path outside the store).
    pub fn path(&self, sha: &str) -> Option<PathBuf> {
        valid_hash(sha).then(|| self.root.join(&sha[..2]).join(sha))
    }

    /// Stores the bytes durably and returns their SHA-256. Storing the same bytes again is a
    /// no-op.
    pub fn put(&self, bytes: &[u8]) -> Result<String, StoreError> {
        let sha = sha256_hex(bytes);
        self.put_hashed(&sha, bytes)?;
        Ok(sha)
    }

    /// [`BlobStore::put`] for a caller that already hashed `bytes`: `sha` must be their
    /// SHA-256 (`actas verify` checks every stored file against its name).
    pub fn put_hashed(&self, sha: &str, bytes: &[u8]) -> Result<(), StoreError> {
        debug_assert_eq!(sha, sha256_hex(bytes));
        let path = self.path(sha).expect("a computed hash is valid");
        if path.metadata().is_ok_and(|m| m.len() == bytes.len() as u64) {
            return Ok(());
        }
        let dir = path.parent().expect("blob paths have a parent");
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let tmp = dir.join(format!(".{sha}.{}.tmp", std::process::id()));
        let mut f = std::fs::File::create(&tmp).map_err(|e| io(&tmp, e))?;
        f.write_all(bytes).map_err(|e| io(&tmp, e))?;
        f.sync_all().map_err(|e| io(&tmp, e))?;
        drop(f);
        std::fs::rename(&tmp, &path).map_err(|e| io(&path, e))?;
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io(dir, e))?;
        Ok(())
    }

    pub fn get(&self, sha: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(path) = self.path(sha) else {
            return Ok(None);
        };
        match std::fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(&path, e)),
        }
    }

    /// Checks that the stored blob still has its hash: `Err` with what is wrong otherwise.
    pub fn check(&self, sha: &str) -> Result<(), String> {
        let path = self
            .path(sha)
            .ok_or_else(|| format!("{sha:?} is not a SHA-256"))?;
        match std::fs::read(&path) {
            Ok(b) if sha256_hex(&b) == sha => Ok(()),
            Ok(b) => Err(format!(
                "{}: content hashes to {}, not to its name",
                path.display(),
                sha256_hex(&b)
            )),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_by_content_and_detects_replacement() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = BlobStore::new(dir.path());
        let sha = blobs.put(b"acta").unwrap();
        assert_eq!(sha, sha256_hex(b"acta"));
        assert_eq!(blobs.put(b"acta").unwrap(), sha);
        assert_eq!(blobs.get(&sha).unwrap().unwrap(), b"acta");
        assert!(blobs.check(&sha).is_ok());
        std::fs::write(blobs.path(&sha).unwrap(), b"forged").unwrap();
        assert!(blobs.check(&sha).unwrap_err().contains("not to its name"));
        assert!(blobs.path("../../etc/passwd").is_none());
        assert!(blobs.get(&"0".repeat(64)).unwrap().is_none());
    }
}
