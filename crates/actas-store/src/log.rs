//! The transparency log kept inside the store.
//!
//! Entry `i` of the log is the body of record `seq = i`, byte for byte, so the log needs no
//! copy of the entries: it adds the C2SP hash tiles (`log_tiles`, one row per tile, the partial
//! tile at each level's right edge rewritten as it grows) and the signed checkpoints
//! (`checkpoints`). Both are written in the transaction that appends the records they cover,
//! so the records and the log cannot disagree after a crash.
//!
//! This module only persists what `actas_ledger` computes: appending loads the right-edge
//! partial tiles into a [`TileEdge`] and stores the tiles it hands back; checking feeds the
//! records and tiles to an [`Audit`]; proofs come from the ledger's tree over the records
//! ([`LogCopy`]). The store has no tree math of its own.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actas_ledger::{
    Audit, Checkpoint, Hash, InclusionProof, Log, LogSigner, LogVerifier, MAX_ENTRY_LEN,
    StoredCheckpointRef, StoredTile, TILE_HEIGHT, TILE_WIDTH, TileEdge, TilePath, entry_bundle,
    hash_from_base64, hash_to_base64, leaf_hash, leaf_mismatch,
};
use sha2::Digest;

use crate::db::{Kind, Tx, Val};
use crate::{Store, StoreError};

/// How an open store signs checkpoints. Without a signer the tiles are still kept in step
/// with the records; checkpoints are then signed later by [`Store::checkpoint`].
#[derive(Clone, Debug, Default)]
pub(crate) struct LogWriter {
    signer: Option<LogSigner>,
    /// Minimum time between checkpoints signed by imports (zero: one per import).
    interval: Duration,
}

/// A signed checkpoint as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCheckpoint {
    pub size: u64,
    pub root: Hash,
    /// The signed note, as published at `checkpoint`.
    pub note: String,
    /// When it was signed, in milliseconds since the Unix epoch.
    pub at_ms: i64,
}

/// What [`Store::check_log`] found.
#[derive(Clone, Debug, Default)]
pub struct LogReport {
    /// Entries in the log (= records checked).
    pub size: u64,
    /// Latest signed checkpoint, if any.
    pub checkpoint: Option<Checkpoint>,
    /// Checkpoints checked (signature and root).
    pub checkpoints_checked: usize,
    /// Each problem says what and where; empty when the log is sound.
    pub problems: Vec<String>,
}

fn corrupt(seq: u64, message: String) -> StoreError {
    StoreError::Corrupt {
        seq: seq as i64,
        message,
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The row of `log_tiles` that stores a tile.
fn tile_row(t: &StoredTile) -> Vec<Val> {
    vec![
        Val::from(i64::from(t.level)),
        Val::from(t.index),
        Val::from(t.hashes.len() as u64),
        Val::from(hex::encode(t.hashes.concat())),
    ]
}

fn decode_hashes(level: i64, index: i64, width: i64, text: &str) -> Result<Vec<Hash>, String> {
    let bytes = hex::decode(text)
        .map_err(|e| format!("log tile {level}/{index}: hashes are not hex: {e}"))?;
    if bytes.len() != 32 * width.max(0) as usize {
        return Err(format!(
            "log tile {level}/{index}: {} bytes of hashes for width {width}",
            bytes.len()
        ));
    }
    Ok(bytes
        .chunks_exact(32)
        .map(|c| c.try_into().expect("32-byte chunk"))
        .collect())
}

/// Number of log entries, from the right-most level-0 tile.
async fn log_size(tx: &mut Tx) -> Result<u64, StoreError> {
    let rows = tx
        .fetch(
            "SELECT idx, width FROM log_tiles WHERE level = 0 ORDER BY idx DESC LIMIT 1",
            vec![],
            &[Kind::I, Kind::I],
        )
        .await?;
    Ok(rows
        .first()
        .map(|r| (r[0].int().unwrap_or(0) * TILE_WIDTH as i64 + r[1].int().unwrap_or(0)) as u64)
        .unwrap_or(0))
}

/// Loads the right edge of the tree from the partial tiles.
async fn load_edge(tx: &mut Tx) -> Result<TileEdge, StoreError> {
    let size = log_size(tx).await?;
    let mut partials = Vec::new();
    for (level, index, width) in TileEdge::partial_tiles(size) {
        let rows = tx
            .fetch(
                "SELECT width, hashes FROM log_tiles WHERE level = $1 AND idx = $2",
                vec![Val::from(i64::from(level)), Val::from(index)],
                &[Kind::I, Kind::T],
            )
            .await?;
        let row = rows.first().ok_or_else(|| {
            corrupt(
                size,
                format!(
                    "log tile {level}/{index} (right edge of a log of {size} entries) is missing"
                ),
            )
        })?;
        let stored_width = row[0].int().unwrap_or(-1);
        partials.push(
            decode_hashes(
                i64::from(level),
                index as i64,
                stored_width,
                row[1].text().unwrap_or_default(),
            )
            .map_err(|m| corrupt(size, m))?,
        );
        debug_assert!(width > 0);
    }
    TileEdge::load(size, partials).map_err(|e| corrupt(size, e.to_string()))
}

/// Checks that a record fits in a C2SP entry bundle and returns its leaf hash.
pub(crate) fn entry_leaf(seq: u64, body: &[u8]) -> Result<Hash, StoreError> {
    if body.len() > MAX_ENTRY_LEN {
        return Err(StoreError::Invalid(format!(
            "record {seq} is {} bytes, over the {MAX_ENTRY_LEN}-byte limit of a log entry",
            body.len()
        )));
    }
    Ok(leaf_hash(body))
}

/// Appends the leaf hashes of records `first_seq..` to the log, after any earlier records the
/// log does not hold yet (a store created before the log existed). Returns the new size and
/// root.
pub(crate) async fn append_leaves(
    tx: &mut Tx,
    first_seq: u64,
    leaves: &[Hash],
) -> Result<(u64, Hash), StoreError> {
    let mut edge = load_edge(tx).await?;
    if edge.size() > first_seq {
        return Err(corrupt(
            first_seq,
            format!(
                "the log already holds {} entries but records are being appended from seq {first_seq}",
                edge.size()
            ),
        ));
    }
    if edge.size() < first_seq {
        let rows = tx
            .fetch(
                "SELECT seq, body FROM records WHERE seq >= $1 AND seq < $2 ORDER BY seq",
                vec![Val::from(edge.size()), Val::from(first_seq)],
                &[Kind::I, Kind::T],
            )
            .await?;
        for row in rows {
            let seq = row[0].int().unwrap_or(-1) as u64;
            if seq != edge.size() {
                return Err(corrupt(
                    edge.size(),
                    format!("record {} is missing (next record is {seq})", edge.size()),
                ));
            }
            edge.append(entry_leaf(
                seq,
                row[1].text().unwrap_or_default().as_bytes(),
            )?);
        }
        if edge.size() != first_seq {
            return Err(corrupt(
                edge.size(),
                format!("records {}..{first_seq} are missing", edge.size()),
            ));
        }
    }
    for leaf in leaves {
        edge.append(*leaf);
    }
    tx.insert_many(
        "log_tiles (level, idx, width, hashes)",
        4,
        edge.changed_tiles().iter().map(tile_row).collect(),
        "ON CONFLICT (level, idx) DO UPDATE SET width = excluded.width, hashes = excluded.hashes",
    )
    .await?;
    Ok((edge.size(), edge.root()))
}

/// The sequence number the next record gets (= the number of records: seqs have no gaps).
/// Read after taking the write lock, so no other writer can take it.
pub(crate) async fn next_seq(tx: &mut Tx) -> Result<u64, StoreError> {
    let next = tx
        .fetch(
            "SELECT COALESCE(MAX(seq) + 1, 0) FROM records",
            vec![],
            &[Kind::I],
        )
        .await?;
    Ok(next[0][0].int().unwrap_or(0) as u64)
}

/// Brings the log up to the last record (for stores written before the log existed).
pub(crate) async fn catch_up(tx: &mut Tx) -> Result<(u64, Hash), StoreError> {
    let next = next_seq(tx).await?;
    append_leaves(tx, next, &[]).await
}

fn checkpoint_of(row: &[Val]) -> Result<StoredCheckpoint, StoreError> {
    let size = row[0].int().unwrap_or(0) as u64;
    let root = hash_from_base64(row[1].text().unwrap_or_default()).ok_or_else(|| {
        corrupt(
            size,
            format!("checkpoint of size {size}: stored root is not a base64 hash"),
        )
    })?;
    Ok(StoredCheckpoint {
        size,
        root,
        note: row[2].text().unwrap_or_default().to_string(),
        at_ms: row[3].int().unwrap_or(0),
    })
}

const CHECKPOINT_COLUMNS: &str = "size, root, note, at_ms";
const CHECKPOINT_KINDS: &[Kind] = &[Kind::I, Kind::T, Kind::T, Kind::I];

async fn latest_in(tx: &mut Tx) -> Result<Option<StoredCheckpoint>, StoreError> {
    let rows = tx
        .fetch(
            &format!("SELECT {CHECKPOINT_COLUMNS} FROM checkpoints ORDER BY size DESC LIMIT 1"),
            vec![],
            CHECKPOINT_KINDS,
        )
        .await?;
    rows.first().map(|r| checkpoint_of(r)).transpose()
}

/// Signs and stores a checkpoint of the tree `(size, root)` unless the latest one already
/// covers it. Refuses a key whose name is not the origin of the checkpoints already signed:
/// a replaced key would silently start another log.
async fn sign_in(
    tx: &mut Tx,
    signer: &LogSigner,
    size: u64,
    root: Hash,
) -> Result<StoredCheckpoint, StoreError> {
    if let Some(l) = latest_in(tx).await? {
        let origin = Checkpoint::parse_unverified(l.note.as_bytes())
            .map(|c| c.origin)
            .map_err(|e| corrupt(l.size, format!("checkpoint of size {}: {e}", l.size)))?;
        if origin != signer.name() {
            return Err(StoreError::Invalid(format!(
                "the signing key is named {:?} but this log's checkpoints have origin {origin:?}: \
                 the key was replaced; restore the original key",
                signer.name()
            )));
        }
        if l.size >= size {
            return Ok(l);
        }
    }
    let note = Checkpoint {
        origin: signer.name().to_string(),
        size,
        root,
    }
    .sign(signer)
    .map_err(|e| StoreError::Invalid(format!("signing checkpoint of size {size}: {e}")))?;
    let cp = StoredCheckpoint {
        size,
        root,
        note,
        at_ms: now_ms(),
    };
    tx.exec(
        "INSERT INTO checkpoints (size, root, note, at_ms) VALUES ($1, $2, $3, $4)",
        vec![
            Val::from(size),
            Val::from(hash_to_base64(&root)),
            Val::from(cp.note.clone()),
            Val::from(cp.at_ms),
        ],
    )
    .await?;
    Ok(cp)
}

/// After an import appended records: signs a checkpoint of the new tree, unless no signer is
/// set or the latest checkpoint is younger than the interval (the next import or
/// [`Store::checkpoint`] covers these records then).
pub(crate) async fn checkpoint_after_append(
    tx: &mut Tx,
    writer: &LogWriter,
    size: u64,
    root: Hash,
) -> Result<(), StoreError> {
    let Some(signer) = &writer.signer else {
        return Ok(());
    };
    if !writer.interval.is_zero()
        && let Some(l) = latest_in(tx).await?
        && now_ms().saturating_sub(l.at_ms) < writer.interval.as_millis() as i64
    {
        return Ok(());
    }
    sign_in(tx, signer, size, root).await.map(|_| ())
}

impl Store {
    /// Signs checkpoints with this key from now on (the key's name is the log's origin).
    pub fn set_log_signer(&mut self, signer: LogSigner) {
        self.log.signer = Some(signer);
    }

    /// The verifier key of the signer set, if any.
    pub fn log_verifier_key(&self) -> Option<&str> {
        self.log.signer.as_ref().map(|s| s.verifier_key())
    }

    /// Imports sign a checkpoint only if the latest is at least this old (default zero: every
    /// import). A long-running ingester sets a few seconds and calls [`Store::checkpoint`] when
    /// it goes idle, so checkpoints are batched but none is left unsigned.
    pub fn set_checkpoint_interval(&mut self, interval: Duration) {
        self.log.interval = interval;
    }

    /// Number of entries in the log (equal to the number of records).
    pub async fn log_size(&self) -> Result<u64, StoreError> {
        let mut tx = self.db.begin().await?;
        log_size(&mut tx).await
    }

    /// The latest signed checkpoint, if any.
    pub async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        let mut tx = self.db.begin().await?;
        latest_in(&mut tx).await
    }

    /// Every signed checkpoint, oldest first.
    pub async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError> {
        self.db
            .fetch(
                &format!("SELECT {CHECKPOINT_COLUMNS} FROM checkpoints ORDER BY size"),
                vec![],
                CHECKPOINT_KINDS,
            )
            .await?
            .iter()
            .map(|r| checkpoint_of(r))
            .collect()
    }

    /// Signs a checkpoint of every record now, if the latest does not cover them all, and
    /// returns the latest. Needs a signer ([`Store::set_log_signer`]).
    pub async fn checkpoint(&self) -> Result<StoredCheckpoint, StoreError> {
        let signer = self.log.signer.as_ref().ok_or_else(|| {
            StoreError::Invalid("no log signing key is set: cannot sign a checkpoint".into())
        })?;
        let mut tx = self.db.begin().await?;
        tx.lock_for_write().await?;
        let (size, root) = catch_up(&mut tx).await?;
        let cp = sign_in(&mut tx, signer, size, root).await?;
        tx.commit().await?;
        Ok(cp)
    }

    /// A published resource of the log as of the latest checkpoint, in the C2SP tlog-tiles
    /// layout (`checkpoint` is [`Store::latest_checkpoint`]): hash tiles from the stored
    /// tiles, entry bundles from the records. `None` if the tile is not part of a tree of at
    /// most the checkpoint's size.
    pub async fn log_tile(&self, tile: TilePath) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(cp) = self.latest_checkpoint().await? else {
            return Ok(None);
        };
        let w = TILE_WIDTH as u64;
        let width = u64::from(tile.width());
        match tile {
            TilePath::Hash { level, index, .. } => {
                let count = cp.size >> (u32::from(level) * u32::from(TILE_HEIGHT));
                if index.saturating_mul(w).saturating_add(width) > count {
                    return Ok(None);
                }
                let rows = self
                    .db
                    .fetch(
                        "SELECT width, hashes FROM log_tiles WHERE level = $1 AND idx = $2",
                        vec![Val::from(i64::from(level)), Val::from(index)],
                        &[Kind::I, Kind::T],
                    )
                    .await?;
                let Some(row) = rows.first() else {
                    return Ok(None);
                };
                let hashes = decode_hashes(
                    i64::from(level),
                    index as i64,
                    row[0].int().unwrap_or(0),
                    row[1].text().unwrap_or_default(),
                )
                .map_err(|m| corrupt(index * w, m))?;
                Ok((hashes.len() as u64 >= width).then(|| hashes[..width as usize].concat()))
            }
            TilePath::Entries { index, .. } => {
                let start = index.saturating_mul(w);
                if start.saturating_add(width) > cp.size {
                    return Ok(None);
                }
                let records = self.records(start, start + width).await?;
                if records.len() as u64 != width {
                    return Err(corrupt(
                        start,
                        format!("records {start}..{} are not all stored", start + width),
                    ));
                }
                let bodies: Vec<&[u8]> = records.iter().map(|r| r.bytes.as_slice()).collect();
                entry_bundle(&bodies)
                    .map(Some)
                    .map_err(|e| corrupt(start, e.to_string()))
            }
        }
    }

    /// Inclusion proof of record `seq` in the latest checkpoint (see [`LogCopy::proof`]).
    pub async fn log_proof(&self, seq: u64) -> Result<InclusionProof, StoreError> {
        let copy = self.log_copy(None).await?;
        copy.proof(seq).map_err(|u| match u {
            ProofUnavailable::Broken(why) => corrupt(seq, why),
            other => StoreError::Invalid(other.to_string()),
        })
    }

    /// The level-0 hashes (leaf hashes) of entries `from..to`, from the stored tiles.
    async fn stored_leaves(&self, from: u64, to: u64) -> Result<Vec<Hash>, StoreError> {
        let w = TILE_WIDTH as u64;
        let rows = self
            .db
            .fetch(
                "SELECT idx, width, hashes FROM log_tiles WHERE level = 0 AND idx >= $1 AND idx <= $2 ORDER BY idx",
                vec![Val::from(from / w), Val::from(to / w)],
                &[Kind::I, Kind::I, Kind::T],
            )
            .await?;
        let mut leaves = Vec::with_capacity((to - from) as usize);
        for (tile, r) in (from / w..).zip(rows) {
            let (idx, width) = (r[0].int().unwrap_or(-1), r[1].int().unwrap_or(0));
            if idx != tile as i64 {
                return Err(corrupt(tile * w, format!("log tile 0/{tile} is missing")));
            }
            let hashes = decode_hashes(0, idx, width, r[2].text().unwrap_or_default())
                .map_err(|m| corrupt(tile * w, m))?;
            let start = tile * w;
            leaves.extend(
                (start..)
                    .zip(hashes)
                    .filter(|(i, _)| (from..to).contains(i))
                    .map(|(_, h)| h),
            );
        }
        if (leaves.len() as u64) < to - from {
            return Err(corrupt(
                from + leaves.len() as u64,
                format!(
                    "the log tiles hold no leaf for records {}..{to}",
                    from + leaves.len() as u64
                ),
            ));
        }
        Ok(leaves)
    }

    /// Reads the log into memory, or only what was appended since `previous` (records are
    /// append-only): every entry, the ledger's tree over them, and the latest checkpoint,
    /// checked against each other (see [`LogCopy::problem`]).
    pub async fn log_copy(&self, previous: Option<&LogCopy>) -> Result<LogCopy, StoreError> {
        // The checkpoint first: records committed afterwards only add entries it does not cover.
        let checkpoint = self.latest_checkpoint().await?;
        let records = self.record_count().await?;
        let mut copy = previous.cloned().unwrap_or_default();
        if copy.entries.len() as u64 > records {
            // The store shrank: it was replaced under us. Start again rather than serve a mix.
            copy = LogCopy::default();
        }
        const CHUNK: u64 = 20_000;
        while (copy.entries.len() as u64) < records {
            let from = copy.entries.len() as u64;
            let to = (from + CHUNK).min(records);
            let batch = self.records(from, to).await?;
            let stored = self.stored_leaves(from, to).await?;
            if batch.len() as u64 != to - from {
                return Err(corrupt(
                    from,
                    format!(
                        "the store reports {records} records but records {from}..{to} cannot all be read"
                    ),
                ));
            }
            for (r, stored_leaf) in batch.into_iter().zip(stored) {
                if r.seq != copy.entries.len() as u64 {
                    return Err(corrupt(
                        copy.entries.len() as u64,
                        format!(
                            "record {} is missing from the store (next is {})",
                            copy.entries.len(),
                            r.seq
                        ),
                    ));
                }
                let leaf = leaf_hash(&r.bytes);
                if leaf != stored_leaf && copy.problem.is_none() {
                    copy.problem =
                        Some(leaf_mismatch(&format!("record {}", r.seq), r.seq, records));
                }
                copy.tree.append_leaf_hash(leaf);
                copy.entries.push(r.bytes.into());
            }
        }
        copy.checkpoint = checkpoint;
        if copy.problem.is_none()
            && let Some(cp) = &copy.checkpoint
        {
            copy.problem = match copy.tree.root_at(cp.size) {
                Ok(root) if root == cp.root => None,
                Ok(_) => Some(format!(
                    "the stored records do not hash to the root signed in checkpoint {}; \
                     run `actas verify` on the data directory",
                    cp.size
                )),
                Err(e) => Some(format!("checkpoint {} cannot be checked: {e}", cp.size)),
            };
        }
        Ok(copy)
    }

    /// Checks the log against the records, from scratch: every record's bytes against its
    /// stored hash and its leaf in the tiles, every stored tile against the tree recomputed
    /// from the records, and every checkpoint's signature (by `verifier`) and root. With
    /// `since` (an older signed checkpoint kept by whoever runs the check), also that its tree
    /// is a prefix of today's. Records appended while this runs are left for the next check.
    pub async fn check_log(
        &self,
        verifier: Option<&LogVerifier>,
        since: Option<&[u8]>,
    ) -> Result<LogReport, StoreError> {
        let mut report = LogReport::default();
        // Records first: an import committing between the two reads then adds to both.
        let records = self.record_count().await?;
        let size = {
            let mut tx = self.db.begin().await?;
            log_size(&mut tx).await?
        };
        report.size = size;
        if records > size {
            report.problems.push(format!(
                "records {size}..{records} are not in the log (its tiles end at entry {size})"
            ));
        }

        // Records, in chunks to bound memory, each against its stored SHA-256.
        const CHUNK: u64 = 10_000;
        let mut audit = Audit::new();
        let mut tables: Vec<Option<String>> = Vec::new();
        let mut from = 0;
        while from < size {
            let to = (from + CHUNK).min(size);
            let rows = self
                .db
                .fetch(
                    "SELECT seq, table_code, sha256, body FROM records WHERE seq >= $1 AND seq < $2 ORDER BY seq",
                    vec![Val::from(from), Val::from(to)],
                    &[Kind::I, Kind::T, Kind::T, Kind::T],
                )
                .await?;
            for row in rows {
                let seq = row[0].int().unwrap_or(-1) as u64;
                if seq != audit.size() {
                    report.problems.push(format!(
                        "record {} is missing from the records table (next is {seq}); the log \
                         cannot be checked past it",
                        audit.size()
                    ));
                    return Ok(report);
                }
                let body = row[3].text().unwrap_or_default().as_bytes();
                let table = row[1].text().map(str::to_string);
                if row[2].text() != Some(hex::encode(sha2::Sha256::digest(body)).as_str()) {
                    report.problems.push(format!(
                        "{}: its bytes do not match its stored SHA-256",
                        describe(seq, table.as_deref())
                    ));
                }
                audit.entry(body);
                tables.push(table);
            }
            from = to;
        }
        if audit.size() < size {
            report.problems.push(format!(
                "records {}..{size} are missing from the records table but were logged",
                audit.size()
            ));
            return Ok(report);
        }

        let rows = self
            .db
            .fetch(
                "SELECT level, idx, width, hashes FROM log_tiles ORDER BY level, idx",
                vec![],
                &[Kind::I, Kind::I, Kind::I, Kind::T],
            )
            .await?;
        let mut stored = Vec::with_capacity(rows.len());
        for r in rows {
            let (level, idx, width) = (
                r[0].int().unwrap_or(-1),
                r[1].int().unwrap_or(-1),
                r[2].int().unwrap_or(-1),
            );
            match decode_hashes(level, idx, width, r[3].text().unwrap_or_default()) {
                Ok(hashes) => stored.push(StoredTile {
                    level: u8::try_from(level).unwrap_or(u8::MAX),
                    index: idx as u64,
                    hashes,
                }),
                Err(m) => report.problems.push(m),
            }
        }
        audit.hash_tiles(stored, |i| describe(i, tables[i as usize].as_deref()));

        let checkpoints = self.checkpoints().await?;
        let refs: Vec<StoredCheckpointRef<'_>> = checkpoints
            .iter()
            .map(|c| StoredCheckpointRef {
                size: c.size,
                root: c.root,
                note: c.note.as_bytes(),
            })
            .collect();
        audit.checkpoints(&refs, verifier);
        if let Some(old) = since {
            audit.since(old, verifier);
        }
        report.problems.append(&mut audit.problems);
        report.checkpoint = audit.checkpoint;
        report.checkpoints_checked = audit.checkpoints_checked;
        Ok(report)
    }
}

/// How a record is named in messages: its seq and, for a table's record, the table.
fn describe(seq: u64, table: Option<&str>) -> String {
    format!(
        "record {seq}{}",
        table.map(|t| format!(" (table {t})")).unwrap_or_default()
    )
}

/// Why a record has no inclusion proof to show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofUnavailable {
    #[error("the log has no signed checkpoint yet: run `actas log checkpoint`")]
    NoCheckpoint,
    #[error(
        "record {seq} is not covered by the latest checkpoint (size {size}) yet: run `actas log checkpoint`"
    )]
    NotYetCovered { seq: u64, size: u64 },
    #[error("{0}")]
    Broken(String),
}

/// The log in memory, for serving proofs and entries (see [`Store::log_copy`]).
#[derive(Clone, Debug, Default)]
pub struct LogCopy {
    entries: Vec<std::sync::Arc<[u8]>>,
    tree: Log,
    checkpoint: Option<StoredCheckpoint>,
    problem: Option<String>,
}

impl LogCopy {
    /// Number of entries (records) read.
    pub fn size(&self) -> u64 {
        self.entries.len() as u64
    }

    /// The bytes of record `seq`, exactly as logged.
    pub fn entry(&self, seq: u64) -> Option<&std::sync::Arc<[u8]>> {
        self.entries.get(usize::try_from(seq).ok()?)
    }

    pub fn entries(&self) -> &[std::sync::Arc<[u8]>] {
        &self.entries
    }

    /// The latest signed checkpoint when the copy was read.
    pub fn checkpoint(&self) -> Option<&StoredCheckpoint> {
        self.checkpoint.as_ref()
    }

    /// Why the records do not match their log (a record changed after it was logged, or the
    /// tree does not have the signed root): no proof is handed out then.
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// Inclusion proof of record `seq` in the latest checkpoint, checked against it, or why
    /// there is none.
    pub fn proof(&self, seq: u64) -> Result<InclusionProof, ProofUnavailable> {
        let cp = self
            .checkpoint
            .as_ref()
            .ok_or(ProofUnavailable::NoCheckpoint)?;
        if let Some(p) = &self.problem {
            return Err(ProofUnavailable::Broken(p.clone()));
        }
        if seq >= cp.size {
            return Err(ProofUnavailable::NotYetCovered { seq, size: cp.size });
        }
        InclusionProof::prove(&self.tree, seq, cp.size, cp.root, &cp.note).map_err(|e| {
            ProofUnavailable::Broken(format!(
                "the stored log does not match the latest checkpoint: {e}"
            ))
        })
    }
}
