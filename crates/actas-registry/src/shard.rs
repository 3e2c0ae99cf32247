//! Shards for static mirrors: the index split by cédula range into files of about equal voter
//! counts, each a complete small index, plus a `manifest.json` telling which file holds which
//! range. A static page fetches the manifest, picks the shard whose `[first, end)` contains the
//! cédula, fetches it (checking its SHA-256) and looks up there. A cédula outside every range
//! is not registered.

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Registry, RegistryError};

/// Name of the manifest written beside the shards.
pub const MANIFEST_FILE: &str = "manifest.json";

/// The list of shards of one index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardManifest {
    /// Always `"actas-registry-shards"`.
    pub format: String,
    /// Index file format version of the shards.
    pub version: u32,
    /// Registered cédulas over all shards.
    pub voters: u64,
    /// Ascending, contiguous, non-overlapping ranges.
    pub shards: Vec<ShardInfo>,
}

/// One shard file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// File name, relative to the manifest.
    pub file: String,
    /// First cédula of the range.
    pub first: u64,
    /// One past the last cédula of the range.
    pub end: u64,
    pub voters: u64,
    pub bytes: u64,
    /// SHA-256 of the whole file, lowercase hex.
    pub sha256: String,
}

impl ShardManifest {
    /// The shard whose range contains `cedula`, if any.
    pub fn shard_for(&self, cedula: u64) -> Option<&ShardInfo> {
        let i = self.shards.partition_point(|s| s.first <= cedula);
        let s = self.shards.get(i.checked_sub(1)?)?;
        (cedula < s.end).then_some(s)
    }

    /// Reads `manifest.json` from a shard directory.
    pub fn load(dir: &Path) -> Result<Self, RegistryError> {
        let path = dir.join(MANIFEST_FILE);
        let bytes = std::fs::read(&path).map_err(|e| RegistryError::io(&path, e))?;
        serde_json::from_slice(&bytes).map_err(|e| RegistryError::Corrupt {
            path: Some(path),
            message: format!("bad shard manifest: {e}"),
        })
    }
}

/// Splits `reg` into at most `n` indexes over contiguous cédula ranges with about equal voter
/// counts, covering `reg.range()` exactly (fewer than `n` when there are fewer voters).
pub fn split(reg: &Registry, n: usize) -> Result<Vec<Registry>, RegistryError> {
    if n == 0 {
        return Err(RegistryError::Invalid(
            "the number of shards must be at least 1".into(),
        ));
    }
    let range = reg.range();
    let voters = reg.voters();
    // Ranks (0-based) of the first voter of shards 1..n.
    let mut targets = (1..n as u64)
        .map(|k| k * voters / n as u64)
        .filter(|&t| t > 0)
        .peekable();
    let mut starts = vec![range.start];
    for (r, (c, _)) in reg.iter().enumerate() {
        let mut hit = false;
        while targets.next_if(|&t| t <= r as u64).is_some() {
            hit = true;
        }
        if hit && c > *starts.last().unwrap_or(&0) {
            starts.push(c);
        }
        if targets.peek().is_none() {
            break;
        }
    }
    let ends = starts.iter().skip(1).copied().chain([range.end]);
    Ok(starts
        .iter()
        .zip(ends)
        .map(|(&s, e)| Registry::from_sorted(s, e, reg.iter_range(s, e)))
        .collect())
}

/// Writes the shards of `reg` into `dir` as `shard-0000.idx`, ... and then `manifest.json`
/// (each file atomically; the manifest last, so a reader never sees it before its shards).
pub fn write_shards(reg: &Registry, n: usize, dir: &Path) -> Result<ShardManifest, RegistryError> {
    std::fs::create_dir_all(dir).map_err(|e| RegistryError::io(dir, e))?;
    let mut shards = Vec::new();
    for (k, shard) in split(reg, n)?.into_iter().enumerate() {
        let file = format!("shard-{k:04}.idx");
        let bytes = shard.to_bytes();
        crate::format::write_atomic(&dir.join(&file), &bytes)?;
        let range = shard.range();
        shards.push(ShardInfo {
            file,
            first: range.start,
            end: range.end,
            voters: shard.voters(),
            bytes: bytes.len() as u64,
            sha256: hex::encode(Sha256::digest(&bytes)),
        });
    }
    let manifest = ShardManifest {
        format: "actas-registry-shards".into(),
        version: crate::FORMAT_VERSION,
        voters: reg.voters(),
        shards,
    };
    let json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| RegistryError::Invalid(format!("cannot encode manifest: {e}")))?;
    crate::format::write_atomic(&dir.join(MANIFEST_FILE), &json)?;
    Ok(manifest)
}
