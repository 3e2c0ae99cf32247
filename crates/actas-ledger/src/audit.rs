//! Checking a log its keeper stores (entries, hash tiles, every checkpoint ever signed) from
//! scratch, collecting every problem rather than stopping at the first: the operator's own
//! check, where [`crate::verify_published`] is an outsider's.

use std::collections::BTreeMap;

use crate::edge::StoredTile;
use crate::note::{Checkpoint, LogVerifier, open_checkpoint};
use crate::tiles::{MAX_ENTRY_LEN, TILE_WIDTH, TilePath, tiles_for_size};
use crate::tree::{Hash, Log, hash_to_base64, leaf_hash};

/// A checkpoint as its keeper stored it, beside the note it signed.
#[derive(Clone, Debug)]
pub struct StoredCheckpointRef<'a> {
    pub size: u64,
    pub root: Hash,
    pub note: &'a [u8],
}

/// Rebuilds the tree from the entries fed to it, then compares the stored tiles and
/// checkpoints with it.
#[derive(Debug, Default)]
pub struct Audit {
    log: Log,
    /// Each problem says what and where; empty when the log is sound.
    pub problems: Vec<String>,
    /// The latest checkpoint that opened with the key, once checked.
    pub checkpoint: Option<Checkpoint>,
    /// Checkpoints whose signature was checked.
    pub checkpoints_checked: usize,
}

impl Audit {
    pub fn new() -> Audit {
        Audit::default()
    }

    /// Entries fed so far.
    pub fn size(&self) -> u64 {
        self.log.size()
    }

    /// Feeds the next entry.
    pub fn entry(&mut self, body: &[u8]) {
        if body.len() > MAX_ENTRY_LEN {
            self.problems.push(format!(
                "entry {} is {} bytes, over the {MAX_ENTRY_LEN}-byte limit of a log entry",
                self.log.size(),
                body.len()
            ));
        }
        self.log.append_leaf_hash(leaf_hash(body));
    }

    /// Compares the stored hash tiles with those of the tree of the entries fed. Tiles may be
    /// wider than the entries need (a writer appended meanwhile); the extra hashes are left for
    /// the next check. `describe(i)` names entry `i` when its leaf differs (e.g. "record 7
    /// (table 010101001.01)"): the keeper knows what its entries are.
    pub fn hash_tiles(
        &mut self,
        stored: impl IntoIterator<Item = StoredTile>,
        describe: impl Fn(u64) -> String,
    ) {
        let size = self.log.size();
        let mut stored: BTreeMap<(u8, u64), Vec<Hash>> = stored
            .into_iter()
            .map(|t| ((t.level, t.index), t.hashes))
            .collect();
        for tile in tiles_for_size(size) {
            let TilePath::Hash {
                level,
                index,
                width,
            } = tile
            else {
                continue;
            };
            let Some(got) = stored.remove(&(level, index)) else {
                self.problems.push(format!("log tile {tile} is missing"));
                continue;
            };
            let want = self
                .log
                .tile(level, index, width)
                .expect("a tile of the log's own size exists");
            for (k, w) in want.chunks_exact(32).enumerate() {
                if got.get(k).map(|g| g.as_slice()) == Some(w) {
                    continue;
                }
                let i = index * TILE_WIDTH as u64 + k as u64;
                self.problems.push(if level == 0 {
                    leaf_mismatch(&describe(i), i, size)
                } else {
                    format!(
                        "log tile {tile} hash {k} does not match the hash recomputed from the \
                         entries"
                    )
                });
            }
        }
    }

    /// Checks every stored checkpoint: signed by `verifier`'s key, stored size and root equal
    /// to the note's, and the root that of the first `size` entries. Without a key only the
    /// roots can be compared, and that is reported.
    pub fn checkpoints(
        &mut self,
        checkpoints: &[StoredCheckpointRef<'_>],
        verifier: Option<&LogVerifier>,
    ) {
        let size = self.log.size();
        let Some(verifier) = verifier else {
            if !checkpoints.is_empty() {
                self.problems.push(
                    "the log has signed checkpoints but no verifier key was given to check them"
                        .into(),
                );
            }
            return;
        };
        for cp in checkpoints.iter().filter(|c| c.size <= size) {
            let opened = match open_checkpoint(cp.note, verifier) {
                Ok(c) => c,
                Err(e) => {
                    self.problems
                        .push(format!("checkpoint of size {}: {e}", cp.size));
                    continue;
                }
            };
            self.checkpoints_checked += 1;
            if (opened.size, opened.root) != (cp.size, cp.root) {
                self.problems.push(format!(
                    "checkpoint of size {}: stored size and root differ from the signed note's",
                    cp.size
                ));
            }
            let want = self.log.root_at(opened.size).expect("size checked");
            if want != opened.root {
                self.problems.push(format!(
                    "checkpoint of size {} signed root {} but entries 0..{} hash to {}: a logged \
                     entry was changed or removed",
                    opened.size,
                    hash_to_base64(&opened.root),
                    opened.size,
                    hash_to_base64(&want)
                ));
            }
            self.checkpoint = Some(opened);
        }
        if checkpoints.iter().any(|c| c.size > size) {
            self.problems.push(format!(
                "a checkpoint covers more entries than the log's {size}: logged entries were removed"
            ));
        }
    }

    /// Checks that an older signed checkpoint (kept by whoever runs the check) is a prefix of
    /// the entries fed: the history it covered was not rewritten.
    pub fn since(&mut self, old: &[u8], verifier: Option<&LogVerifier>) {
        let size = self.log.size();
        let Some(verifier) = verifier else {
            self.problems
                .push("--since needs a verifier key to open the old checkpoint".into());
            return;
        };
        match open_checkpoint(old, verifier) {
            Err(e) => self.problems.push(format!("old checkpoint: {e}")),
            Ok(old) if old.size > size => self.problems.push(format!(
                "old checkpoint has {} entries but the log only {size}: the log was truncated",
                old.size
            )),
            Ok(old) => {
                let want = self.log.root_at(old.size).expect("size checked");
                if want != old.root {
                    self.problems.push(format!(
                        "old checkpoint (size {}) signed root {} but the log's first {} entries \
                         hash to {}: history was rewritten",
                        old.size,
                        hash_to_base64(&old.root),
                        old.size,
                        hash_to_base64(&want)
                    ));
                }
            }
        }
    }
}

/// Names the leaf of entry `index` (described as `what`) in a log of `size` entries that its
/// bytes no longer match.
pub fn leaf_mismatch(what: &str, index: u64, size: u64) -> String {
    let w = TILE_WIDTH as u64;
    let tile_index = index / w;
    let tile = TilePath::Hash {
        level: 0,
        index: tile_index,
        width: (size - tile_index * w).min(w) as u16,
    };
    format!(
        "{what}: its bytes do not match leaf hash {} of log tile {tile}: it was changed after it \
         was logged",
        index % w,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::{LogSigner, generate_keys};

    fn entries(n: u64) -> Vec<Vec<u8>> {
        (0..n).map(|i| format!("entry {i}").into_bytes()).collect()
    }

    fn tiles_of(log: &Log) -> Vec<StoredTile> {
        tiles_for_size(log.size())
            .into_iter()
            .filter_map(|t| match t {
                TilePath::Hash {
                    level,
                    index,
                    width,
                } => Some(StoredTile {
                    level,
                    index,
                    hashes: log
                        .tile(level, index, width)
                        .unwrap()
                        .chunks_exact(32)
                        .map(|c| c.try_into().unwrap())
                        .collect(),
                }),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_sound_log_has_no_problem_and_each_break_is_named() {
        let (skey, vkey) = generate_keys("example.org/log").unwrap();
        let signer = LogSigner::from_key(&skey).unwrap();
        let verifier = LogVerifier::new(&vkey).unwrap();
        let mut all = entries(300);
        let log = Log::from_entries(&all).unwrap();
        let note = log.checkpoint("example.org/log", &signer).unwrap();
        let stored = [StoredCheckpointRef {
            size: 300,
            root: log.root(),
            note: note.as_bytes(),
        }];
        let run = |all: &[Vec<u8>], tiles: Vec<StoredTile>| {
            let mut a = Audit::new();
            for e in all {
                a.entry(e);
            }
            a.hash_tiles(tiles, |i| format!("record {i}"));
            a.checkpoints(&stored, Some(&verifier));
            a.since(note.as_bytes(), Some(&verifier));
            (a.problems, a.checkpoints_checked)
        };
        assert_eq!(run(&all, tiles_of(&log)), (vec![], 1));

        all[260] = b"changed".to_vec();
        let (problems, _) = run(&all, tiles_of(&log));
        let joined = problems.join("\n");
        assert!(
            joined.contains(
                "record 260: its bytes do not match leaf hash 4 of log tile tile/0/001.p/44"
            ),
            "{joined}"
        );
        assert!(
            joined.contains("checkpoint of size 300 signed root"),
            "{joined}"
        );
        assert!(joined.contains("history was rewritten"), "{joined}");

        let mut tiles = tiles_of(&log);
        tiles.retain(|t| t.level == 0);
        let (problems, _) = run(&entries(300), tiles);
        assert_eq!(problems, ["log tile tile/1/000.p/1 is missing"]);
    }
}
