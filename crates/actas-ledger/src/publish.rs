//! Export to the C2SP static layout, and verification of a published log.

use std::fs;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};

use atomic_write_file::AtomicWriteFile;

use crate::error::{LedgerError, Result, io_err};
use crate::note::{Checkpoint, LogVerifier, open_checkpoint};
use crate::tiles::{
    TILE_WIDTH, TilePath, decode_entry_bundle, entry_bundle, older_partial_tiles, tiles_for_size,
};
use crate::tree::{Hash, Log, hash_to_base64, leaf_hash};

/// What [`export_dir`] did, so callers can log it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExportStats {
    /// Files (re)written.
    pub written: usize,
    /// Files already present with the right content (tiles never change once complete).
    pub unchanged: usize,
}

/// The bytes of `tile` of the log over `entries` (`log` built from them): a hash tile, or an
/// entry bundle. Partial tiles of older sizes come out as a log published then served them.
pub fn tile_bytes<E: AsRef<[u8]>>(log: &Log, entries: &[E], tile: TilePath) -> Result<Vec<u8>> {
    match tile {
        TilePath::Hash {
            level,
            index,
            width,
        } => log.tile(level, index, width),
        TilePath::Entries { index, width } => {
            let start = index as usize * TILE_WIDTH;
            entry_bundle(&entries[start..start + usize::from(width)])
        }
    }
}

/// Writes the whole log in the C2SP static layout under `dir` (`checkpoint`, `tile/<L>/...`,
/// `tile/entries/...`), so that any static web server can serve it. The partial tiles that
/// the checkpoints of `older_sizes` referred to are kept ([`older_partial_tiles`]), so clients
/// holding an old checkpoint can still read their proofs.
///
/// `signed_checkpoint` must be a checkpoint of the first `size` entries (extra entries, not yet
/// checkpointed, are left out); it is checked against them so that a mismatching layout is
/// never published. Every file is written to a temporary name and renamed, tiles first and the
/// checkpoint last, so a reader sees either the old or the new log, always complete. Files
/// that already hold the right bytes are not rewritten.
pub fn export_dir<E: AsRef<[u8]>>(
    dir: &Path,
    entries: &[E],
    signed_checkpoint: &str,
    older_sizes: &[u64],
) -> Result<ExportStats> {
    let cp = Checkpoint::parse_unverified(signed_checkpoint.as_bytes())?;
    let size = usize::try_from(cp.size)
        .ok()
        .filter(|&s| s <= entries.len())
        .ok_or_else(|| {
            LedgerError::Checkpoint(format!(
                "checkpoint is for {} entries but only {} were given",
                cp.size,
                entries.len()
            ))
        })?;
    let entries = &entries[..size];
    let log = Log::from_entries(entries)?;
    if log.root() != cp.root {
        return Err(LedgerError::Checkpoint(format!(
            "checkpoint root {} does not match root {} of the {size} entries given",
            hash_to_base64(&cp.root),
            hash_to_base64(&log.root())
        )));
    }

    let tiles = older_partial_tiles(cp.size, older_sizes)
        .into_iter()
        .chain(tiles_for_size(cp.size))
        .map(|tile| tile_bytes(&log, entries, tile).map(|data| (dir.join(tile.to_string()), data)));
    let mut stats = write_files(tiles)?;
    // Tiles are durable and in place before the checkpoint that refers to them.
    if write_if_changed(&dir.join("checkpoint"), signed_checkpoint.as_bytes())? {
        stats.written += 1;
    } else {
        stats.unchanged += 1;
    }
    Ok(stats)
}

/// Threads writing files at once.
const WRITE_THREADS: usize = 16;

/// Writes every `(path, bytes)` of `files` with [`write_if_changed`], from several threads:
/// each write waits on its syncs, not the CPU, and concurrent syncs let the file system group
/// them into fewer journal commits (one thread is several times slower on a log of a few
/// thousand tiles). Returns once every file is durable in place, or with the first error.
fn write_files(files: impl Iterator<Item = Result<(PathBuf, Vec<u8>)>>) -> Result<ExportStats> {
    let (queue, work) = mpsc::sync_channel::<(PathBuf, Vec<u8>)>(4 * WRITE_THREADS);
    let work = Mutex::new(work);
    let written = AtomicUsize::new(0);
    let unchanged = AtomicUsize::new(0);
    let failure: Mutex<Option<LedgerError>> = Mutex::new(None);
    let failed = || failure.lock().expect("failure lock").is_some();
    std::thread::scope(|scope| {
        for _ in 0..WRITE_THREADS {
            scope.spawn(|| {
                loop {
                    let next = work.lock().expect("work lock").recv();
                    let Ok((path, data)) = next else { break };
                    // After a failure the queue is still drained, so the sender never blocks.
                    if failed() {
                        continue;
                    }
                    match write_if_changed(&path, &data) {
                        Ok(true) => written.fetch_add(1, Ordering::Relaxed),
                        Ok(false) => unchanged.fetch_add(1, Ordering::Relaxed),
                        Err(e) => {
                            failure.lock().expect("failure lock").get_or_insert(e);
                            continue;
                        }
                    };
                }
            });
        }
        for file in files {
            if failed() {
                break;
            }
            match file {
                Ok(file) => queue.send(file).expect("writers outlive the queue"),
                Err(e) => {
                    failure.lock().expect("failure lock").get_or_insert(e);
                    break;
                }
            }
        }
        drop(queue);
    });
    match failure.into_inner().expect("failure lock") {
        Some(e) => Err(e),
        None => Ok(ExportStats {
            written: written.into_inner(),
            unchanged: unchanged.into_inner(),
        }),
    }
}

/// Writes `data` to `path` atomically and durably (temporary file, fsync, rename, fsync of the
/// directory); returns false, writing nothing, when `path` already holds exactly `data`.
fn write_if_changed(path: &Path, data: &[u8]) -> Result<bool> {
    match fs::read(path) {
        Ok(old) if old == data => return Ok(false),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(path)(e)),
    }
    let parent = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(io_err(parent))?;
    let mut file = AtomicWriteFile::open(path).map_err(io_err(path))?;
    file.write_all(data).map_err(io_err(path))?;
    file.commit().map_err(io_err(path))?;
    Ok(true)
}

/// Where a published log is read from: a directory here, HTTP in the CLI. `path` is relative
/// to the log's root (`checkpoint`, `tile/0/000`, ...). A missing file is `Ok(None)`.
pub trait LogSource {
    /// The file's bytes, `Ok(None)` if it does not exist, `Err` if it cannot be read.
    fn get(&self, path: &str) -> std::io::Result<Option<Vec<u8>>>;
}

/// A log exported with [`export_dir`] (or any C2SP static layout) on the local disk.
#[derive(Clone, Debug)]
pub struct DirSource {
    root: PathBuf,
}

impl DirSource {
    /// Reads the log rooted at `root` (the directory holding `checkpoint`).
    pub fn new(root: impl Into<PathBuf>) -> DirSource {
        DirSource { root: root.into() }
    }
}

impl LogSource for DirSource {
    fn get(&self, path: &str) -> std::io::Result<Option<Vec<u8>>> {
        let rel = Path::new(path);
        if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("refusing path {path:?} outside the log directory"),
            ));
        }
        match fs::read(self.root.join(rel)) {
            Ok(data) => Ok(Some(data)),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}

/// A published log that verified: its checkpoint, every entry, and the rebuilt tree (to
/// produce proofs or rebuild every derived view from the log).
#[derive(Clone, Debug)]
pub struct VerifiedLog {
    /// The published checkpoint, signature checked.
    pub checkpoint: Checkpoint,
    /// The `since` checkpoint, once proven to be a prefix of `checkpoint`.
    pub old_checkpoint: Option<Checkpoint>,
    /// Every entry, in log order.
    pub entries: Vec<Vec<u8>>,
    /// The tree of those entries (its root is the checkpoint's).
    pub log: Log,
    /// Number of files read and checked, the checkpoint included.
    pub files_checked: usize,
}

fn verr(msg: String) -> LedgerError {
    LedgerError::Verify(msg)
}

fn fetch<S: LogSource + ?Sized>(source: &S, path: &str, why: &str) -> Result<Vec<u8>> {
    match source.get(path) {
        Ok(Some(data)) => Ok(data),
        Ok(None) => Err(verr(format!("{path}: missing ({why})"))),
        Err(e) => Err(verr(format!("{path}: cannot be read: {e}"))),
    }
}

/// Fetches a tile; a partial tile that is gone (publishers may delete partial tiles once the
/// full one exists) is read as a prefix of the full tile, as C2SP tlog-tiles allows.
fn fetch_tile<S: LogSource + ?Sized>(
    source: &S,
    tile: TilePath,
    size: u64,
) -> Result<(String, Vec<u8>, u16)> {
    let path = tile.to_string();
    let why = format!("needed for tree size {size}");
    match source.get(&path) {
        Ok(Some(data)) => return Ok((path, data, tile.width())),
        Ok(None) if usize::from(tile.width()) < TILE_WIDTH => {}
        Ok(None) => return Err(verr(format!("{path}: missing ({why})"))),
        Err(e) => return Err(verr(format!("{path}: cannot be read: {e}"))),
    }
    let full_path = tile.full().to_string();
    match source.get(&full_path) {
        Ok(Some(data)) => Ok((full_path, data, TILE_WIDTH as u16)),
        Ok(None) => Err(verr(format!(
            "{path}: missing, and so is {full_path} ({why})"
        ))),
        Err(e) => Err(verr(format!("{full_path}: cannot be read: {e}"))),
    }
}

/// Takes the first `width` hashes of a hash tile read at `path` (which holds `file_width`
/// hashes), refusing one of the wrong length.
fn tile_hashes(path: &str, data: &[u8], file_width: u16, width: u16) -> Result<Vec<Hash>> {
    let expected = usize::from(file_width) * 32;
    if data.len() != expected {
        return Err(verr(format!(
            "{path}: {} bytes, expected {expected} ({file_width} hashes of 32 bytes)",
            data.len(),
        )));
    }
    Ok(data
        .chunks_exact(32)
        .take(usize::from(width))
        .map(|c| c.try_into().expect("32-byte chunk"))
        .collect())
}

/// Verifies a published log from scratch: the checkpoint signature by `verifier`'s key, every
/// entry bundle against the level-0 hash tiles, every hash tile against the tree recomputed
/// from the entries, and the checkpoint root. With `since` (an earlier signed checkpoint of
/// the same log, by the same key), also that its tree is a prefix of the published one: the
/// history it signed was not rewritten.
///
/// Errors name the file and position, e.g.
/// `tile/entries/000 entry 17: leaf hash does not match tile/0/000 hash 17`.
pub fn verify_published<S: LogSource + ?Sized>(
    source: &S,
    verifier: &LogVerifier,
    since: Option<&[u8]>,
) -> Result<VerifiedLog> {
    let note = fetch(source, "checkpoint", "every log publishes one")?;
    let cp = open_checkpoint(&note, verifier)?;
    let mut files_checked = 1;

    let old = match since {
        None => None,
        Some(old_note) => {
            let old = open_checkpoint(old_note, verifier).map_err(|e| {
                LedgerError::Checkpoint(format!("old checkpoint (given as since): {e}"))
            })?;
            if old.origin != cp.origin {
                return Err(verr(format!(
                    "checkpoint origin {:?} differs from the old checkpoint's {:?}: another log",
                    cp.origin, old.origin
                )));
            }
            if old.size > cp.size {
                return Err(verr(format!(
                    "checkpoint size {} is smaller than the old checkpoint's {}: the log was truncated",
                    cp.size, old.size
                )));
            }
            Some(old)
        }
    };

    let tiles = tiles_for_size(cp.size);
    let mut log = Log::new();
    let mut entries = Vec::with_capacity(usize::try_from(cp.size).unwrap_or(0));

    // Entries, each against its leaf hash in the level-0 tile of the same index.
    for tile in tiles
        .iter()
        .filter(|t| matches!(t, TilePath::Entries { .. }))
    {
        let TilePath::Entries { index, width } = *tile else {
            unreachable!()
        };
        let (bpath, bundle, bundle_width) = fetch_tile(source, *tile, cp.size)?;
        let (tpath, tdata, tile_width) = fetch_tile(
            source,
            TilePath::Hash {
                level: 0,
                index,
                width,
            },
            cp.size,
        )?;
        files_checked += 2;
        let leaves = tile_hashes(&tpath, &tdata, tile_width, width)?;
        let items = decode_entry_bundle(&bundle).map_err(|e| verr(format!("{bpath}: {e}")))?;
        if items.len() != usize::from(bundle_width) {
            return Err(verr(format!(
                "{bpath}: holds {} entries, expected {bundle_width}",
                items.len()
            )));
        }
        for (k, item) in items.iter().take(usize::from(width)).enumerate() {
            let h = leaf_hash(item);
            if h != leaves[k] {
                return Err(verr(format!(
                    "{bpath} entry {k}: leaf hash does not match {tpath} hash {k} (log entry {})",
                    index * TILE_WIDTH as u64 + k as u64
                )));
            }
            log.append_leaf_hash(h);
            entries.push(item.to_vec());
        }
    }

    // Higher hash tiles, against the tree rebuilt from the leaves.
    for tile in &tiles {
        let TilePath::Hash {
            level,
            index,
            width,
        } = *tile
        else {
            continue;
        };
        if level == 0 {
            continue;
        }
        let (path, data, file_width) = fetch_tile(source, *tile, cp.size)?;
        files_checked += 1;
        let got = tile_hashes(&path, &data, file_width, width)?;
        let want = log.tile(level, index, width)?;
        for (k, (g, w)) in got.iter().zip(want.chunks_exact(32)).enumerate() {
            if g.as_slice() != w {
                return Err(verr(format!(
                    "{path} hash {k}: does not match the hash recomputed from the entries ({} instead of {})",
                    hash_to_base64(g),
                    hash_to_base64(&w.try_into().expect("32 bytes"))
                )));
            }
        }
    }

    if log.root() != cp.root {
        return Err(verr(format!(
            "checkpoint: root hash {} does not match root {} recomputed from the {} published entries",
            hash_to_base64(&cp.root),
            hash_to_base64(&log.root()),
            cp.size
        )));
    }

    if let Some(old) = &old {
        let prefix_root = log.root_at(old.size)?;
        if prefix_root != old.root {
            return Err(verr(format!(
                "checkpoint (size {}) is not consistent with the old checkpoint (size {}): the first {} published entries have root {}, the old checkpoint signed {}; history was rewritten",
                cp.size,
                old.size,
                old.size,
                hash_to_base64(&prefix_root),
                hash_to_base64(&old.root)
            )));
        }
    }

    Ok(VerifiedLog {
        checkpoint: cp,
        old_checkpoint: old,
        entries,
        log,
        files_checked,
    })
}
