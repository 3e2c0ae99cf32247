//! The transparency log kept inside the store.
//!
//! Entry `i` of the log is the body of record `seq = i`, byte for byte, so the log needs no
//! copy of the entries: it adds the C2SP hash tiles (`log_tiles`, one row per tile, the partial
//! tile at each level's right edge rewritten as it grows) and the signed checkpoints
//! (`checkpoints`). Both are written in the transaction that appends the records they cover,
//! so the records and the log cannot disagree after a crash.
//!
//! Appending reads only the right-edge partial tiles (at most one per tile level) and writes
//! the tiles it changes: its cost is proportional to the new entries, not to the log. The
//! tree is the RFC 6962 tree of `actas_ledger`; [`Edge`] only keeps its right edge, and tests
//! compare it with [`Log`] at every size.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actas_ledger::{
    Checkpoint, EMPTY_ROOT, Hash, Log, LogSigner, LogVerifier, MAX_ENTRY_LEN, TILE_HEIGHT,
    TILE_WIDTH, TilePath, entry_bundle, hash_from_base64, hash_to_base64, leaf_hash, node_hash,
    open_checkpoint, tiles_for_size, verify_inclusion,
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

/// An inclusion proof of one record in a signed checkpoint, checked before it is returned.
#[derive(Clone, Debug)]
pub struct LogProof {
    pub index: u64,
    pub entry: Vec<u8>,
    pub leaf_hash: Hash,
    pub proof: Vec<Hash>,
    pub checkpoint: StoredCheckpoint,
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

/// Root of a complete subtree given its `2^k` hashes one level down (a full tile or a
/// power-of-two run inside one).
fn subtree_root(hashes: &[Hash]) -> Hash {
    Log::from_leaf_hashes(hashes.iter().copied()).root()
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The right edge of the tree: at each tile level, the index and hashes of the partial tile
/// (fewer than 256 hashes; every tile to its left is full and never changes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Edge {
    size: u64,
    levels: Vec<Partial>,
    /// Tiles completed since loading, to be written: (level, index, hashes).
    completed: Vec<(u8, u64, Vec<Hash>)>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Partial {
    index: u64,
    hashes: Vec<Hash>,
    changed: bool,
}

impl Edge {
    fn append_leaf(&mut self, leaf: Hash) {
        self.size += 1;
        let mut hash = leaf;
        let mut level = 0;
        loop {
            if self.levels.len() == level {
                self.levels.push(Partial::default());
            }
            let p = &mut self.levels[level];
            p.hashes.push(hash);
            p.changed = true;
            if p.hashes.len() < TILE_WIDTH {
                return;
            }
            let full = std::mem::take(&mut p.hashes);
            hash = subtree_root(&full);
            self.completed.push((level as u8, p.index, full));
            p.index += 1;
            level += 1;
        }
    }

    /// RFC 6962 root: the complete subtrees along the right edge, largest (leftmost) first,
    /// folded from the right.
    fn root(&self) -> Hash {
        let mut nodes = Vec::new();
        for p in self.levels.iter().rev() {
            let mut start = 0;
            for bit in (0..TILE_HEIGHT).rev() {
                let n = 1usize << bit;
                if p.hashes.len() & n != 0 {
                    nodes.push(subtree_root(&p.hashes[start..start + n]));
                    start += n;
                }
            }
        }
        let Some(mut root) = nodes.pop() else {
            return EMPTY_ROOT;
        };
        while let Some(left) = nodes.pop() {
            root = node_hash(&left, &root);
        }
        root
    }

    /// Tile rows to upsert: the completed tiles and the partial tiles that changed.
    fn rows(&self) -> Vec<Vec<Val>> {
        let row = |level: u8, index: u64, hashes: &[Hash]| {
            vec![
                Val::from(i64::from(level)),
                Val::from(index),
                Val::from(hashes.len() as u64),
                Val::from(hex::encode(hashes.concat())),
            ]
        };
        let mut rows: Vec<Vec<Val>> = self
            .completed
            .iter()
            .map(|(l, i, h)| row(*l, *i, h))
            .collect();
        for (level, p) in self.levels.iter().enumerate() {
            if p.changed && !p.hashes.is_empty() {
                rows.push(row(level as u8, p.index, &p.hashes));
            }
        }
        rows
    }
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
async fn load_edge(tx: &mut Tx) -> Result<Edge, StoreError> {
    let size = log_size(tx).await?;
    let mut edge = Edge {
        size,
        ..Edge::default()
    };
    let mut level = 0u32;
    while level < 64 / u32::from(TILE_HEIGHT) && size >> (level * u32::from(TILE_HEIGHT)) > 0 {
        let count = size >> (level * u32::from(TILE_HEIGHT));
        let index = count / TILE_WIDTH as u64;
        let width = (count % TILE_WIDTH as u64) as i64;
        let mut hashes = Vec::new();
        if width > 0 {
            let rows = tx
                .fetch(
                    "SELECT width, hashes FROM log_tiles WHERE level = $1 AND idx = $2",
                    vec![Val::from(i64::from(level)), Val::from(index)],
                    &[Kind::I, Kind::T],
                )
                .await?;
            let where_ =
                format!("log tile {level}/{index} (right edge of a log of {size} entries)");
            let row = rows
                .first()
                .ok_or_else(|| corrupt(size, format!("{where_} is missing")))?;
            if row[0].int() != Some(width) {
                return Err(corrupt(
                    size,
                    format!(
                        "{where_} holds {} hashes, expected {width}",
                        row[0].int().unwrap_or(-1)
                    ),
                ));
            }
            hashes = decode_hashes(
                i64::from(level),
                index as i64,
                width,
                row[1].text().unwrap_or_default(),
            )
            .map_err(|m| corrupt(size, m))?;
        }
        edge.levels.push(Partial {
            index,
            hashes,
            changed: false,
        });
        level += 1;
    }
    Ok(edge)
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
    if edge.size > first_seq {
        return Err(corrupt(
            first_seq,
            format!(
                "the log already holds {} entries but records are being appended from seq {first_seq}",
                edge.size
            ),
        ));
    }
    if edge.size < first_seq {
        let rows = tx
            .fetch(
                "SELECT seq, body FROM records WHERE seq >= $1 AND seq < $2 ORDER BY seq",
                vec![Val::from(edge.size), Val::from(first_seq)],
                &[Kind::I, Kind::T],
            )
            .await?;
        for row in rows {
            let seq = row[0].int().unwrap_or(-1) as u64;
            if seq != edge.size {
                return Err(corrupt(
                    edge.size,
                    format!("record {} is missing (next record is {seq})", edge.size),
                ));
            }
            edge.append_leaf(entry_leaf(
                seq,
                row[1].text().unwrap_or_default().as_bytes(),
            )?);
        }
        if edge.size != first_seq {
            return Err(corrupt(
                edge.size,
                format!("records {}..{first_seq} are missing", edge.size),
            ));
        }
    }
    for leaf in leaves {
        edge.append_leaf(*leaf);
    }
    tx.insert_many(
        "log_tiles (level, idx, width, hashes)",
        4,
        edge.rows(),
        "ON CONFLICT (level, idx) DO UPDATE SET width = excluded.width, hashes = excluded.hashes",
    )
    .await?;
    Ok((edge.size, edge.root()))
}

/// Brings the log up to the last record (for stores written before the log existed).
pub(crate) async fn catch_up(tx: &mut Tx) -> Result<(u64, Hash), StoreError> {
    let next = tx
        .fetch(
            "SELECT COALESCE(MAX(seq) + 1, 0) FROM records",
            vec![],
            &[Kind::I],
        )
        .await?;
    append_leaves(tx, next[0][0].int().unwrap_or(0) as u64, &[]).await
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

/// Names the leaf of record `seq` in a log of `size` entries that its bytes no longer match.
fn leaf_mismatch(seq: u64, size: u64, table: Option<&str>) -> String {
    let w = TILE_WIDTH as u64;
    let index = seq / w;
    let tile = TilePath::Hash {
        level: 0,
        index,
        width: (size - index * w).min(w) as u16,
    };
    format!(
        "record {seq}{}: its bytes do not match leaf hash {} of log tile {tile}: the record was \
         changed after it was logged",
        table.map(|t| format!(" (table {t})")).unwrap_or_default(),
        seq % w,
    )
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

    /// Inclusion proof of record `seq` in the latest checkpoint. The proof is checked against
    /// the checkpoint before it is returned, so a damaged log yields an error, never a proof
    /// that fails elsewhere.
    pub async fn log_proof(&self, seq: u64) -> Result<LogProof, StoreError> {
        let cp = self.latest_checkpoint().await?.ok_or_else(|| {
            StoreError::Invalid(
                "the log has no signed checkpoint yet: run `actas log checkpoint`".into(),
            )
        })?;
        if seq >= cp.size {
            return Err(StoreError::Invalid(format!(
                "record {seq} is not covered by the latest checkpoint (size {}) yet: run `actas log checkpoint`",
                cp.size
            )));
        }
        let entry = self
            .records(seq, seq + 1)
            .await?
            .pop()
            .ok_or_else(|| StoreError::Invalid(format!("record {seq} does not exist")))?
            .bytes;
        let leaves = self.leaf_hashes(cp.size).await?;
        let log = Log::from_leaf_hashes(leaves);
        let leaf = leaf_hash(&entry);
        if log.leaf_hash(seq) != Some(leaf) {
            return Err(corrupt(seq, leaf_mismatch(seq, cp.size, None)));
        }
        let proof = log
            .inclusion_proof(seq, cp.size)
            .map_err(|e| corrupt(seq, e.to_string()))?;
        verify_inclusion(&leaf, seq, cp.size, &cp.root, &proof).map_err(|e| {
            corrupt(
                seq,
                format!("the stored log tiles do not match the latest checkpoint: {e}"),
            )
        })?;
        Ok(LogProof {
            index: seq,
            entry,
            leaf_hash: leaf,
            proof,
            checkpoint: cp,
        })
    }

    /// The first `size` leaf hashes, from the level-0 tiles.
    async fn leaf_hashes(&self, size: u64) -> Result<Vec<Hash>, StoreError> {
        let rows = self
            .db
            .fetch(
                "SELECT idx, width, hashes FROM log_tiles WHERE level = 0 AND idx <= $1 ORDER BY idx",
                vec![Val::from(size / TILE_WIDTH as u64)],
                &[Kind::I, Kind::I, Kind::T],
            )
            .await?;
        let mut leaves = Vec::with_capacity(size as usize);
        for r in rows {
            let (idx, width) = (r[0].int().unwrap_or(-1), r[1].int().unwrap_or(0));
            if idx * TILE_WIDTH as i64 != leaves.len() as i64 {
                return Err(corrupt(
                    leaves.len() as u64,
                    format!("log tile 0/{} is missing", leaves.len() / TILE_WIDTH),
                ));
            }
            leaves.extend(
                decode_hashes(0, idx, width, r[2].text().unwrap_or_default())
                    .map_err(|m| corrupt(idx as u64 * TILE_WIDTH as u64, m))?,
            );
        }
        if (leaves.len() as u64) < size {
            return Err(corrupt(
                leaves.len() as u64,
                format!(
                    "the log tiles hold {} leaves, fewer than the checkpoint's {size}",
                    leaves.len()
                ),
            ));
        }
        leaves.truncate(size as usize);
        Ok(leaves)
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
        let mut log = Log::new();
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
                if seq != log.size() {
                    report.problems.push(format!(
                        "record {} is missing from the records table (next is {seq}); the log \
                         cannot be checked past it",
                        log.size()
                    ));
                    return Ok(report);
                }
                let body = row[3].text().unwrap_or_default().as_bytes();
                let table = row[1].text().map(str::to_string);
                if row[2].text() != Some(hex::encode(sha2::Sha256::digest(body)).as_str()) {
                    report.problems.push(format!(
                        "record {seq}{}: its bytes do not match its stored SHA-256",
                        table
                            .as_deref()
                            .map(|t| format!(" (table {t})"))
                            .unwrap_or_default()
                    ));
                }
                match entry_leaf(seq, body) {
                    Ok(h) => log.append_leaf_hash(h),
                    Err(e) => {
                        report.problems.push(e.to_string());
                        log.append_leaf_hash(leaf_hash(body))
                    }
                };
                tables.push(table);
            }
            from = to;
        }
        if log.size() < size {
            report.problems.push(format!(
                "records {}..{size} are missing from the records table but were logged",
                log.size()
            ));
            return Ok(report);
        }

        // Stored tiles against the tree recomputed from the records; a level-0 mismatch names
        // the record.
        let rows = self
            .db
            .fetch(
                "SELECT level, idx, width, hashes FROM log_tiles ORDER BY level, idx",
                vec![],
                &[Kind::I, Kind::I, Kind::I, Kind::T],
            )
            .await?;
        let mut stored = std::collections::BTreeMap::new();
        for r in rows {
            let (level, idx, width) = (
                r[0].int().unwrap_or(-1),
                r[1].int().unwrap_or(-1),
                r[2].int().unwrap_or(-1),
            );
            match decode_hashes(level, idx, width, r[3].text().unwrap_or_default()) {
                Ok(h) => {
                    stored.insert((level, idx), h);
                }
                Err(m) => report.problems.push(m),
            }
        }
        for tile in tiles_for_size(size) {
            let TilePath::Hash {
                level,
                index,
                width,
            } = tile
            else {
                continue;
            };
            let Some(got) = stored.remove(&(i64::from(level), index as i64)) else {
                report.problems.push(format!("log tile {tile} is missing"));
                continue;
            };
            let want = log
                .tile(level, index, width)
                .map_err(|e| corrupt(size, e.to_string()))?;
            // Tiles may be wider than `size` needs if an import committed meanwhile.
            for (k, w) in want.chunks_exact(32).enumerate() {
                if got.get(k).map(|g| g.as_slice()) != Some(w) {
                    let i = index * TILE_WIDTH as u64 + k as u64;
                    report.problems.push(if level == 0 {
                        leaf_mismatch(i, size, tables[i as usize].as_deref())
                    } else {
                        format!(
                            "log tile {tile} hash {k} does not match the hash recomputed from \
                             the records"
                        )
                    });
                }
            }
        }

        // Checkpoints: each signed by the key and signing the root of its prefix.
        let checkpoints = self.checkpoints().await?;
        if verifier.is_none() && !checkpoints.is_empty() {
            report.problems.push(
                "the log has signed checkpoints but no verifier key was given to check them".into(),
            );
        }
        for cp in checkpoints.iter().filter(|c| c.size <= size) {
            let opened = match verifier {
                Some(v) => match open_checkpoint(cp.note.as_bytes(), v) {
                    Ok(c) => c,
                    Err(e) => {
                        report
                            .problems
                            .push(format!("checkpoint of size {}: {e}", cp.size));
                        continue;
                    }
                },
                None => continue,
            };
            report.checkpoints_checked += 1;
            if (opened.size, opened.root) != (cp.size, cp.root) {
                report.problems.push(format!(
                    "checkpoint of size {}: stored size and root differ from the signed note's",
                    cp.size
                ));
            }
            let want = log
                .root_at(opened.size)
                .map_err(|e| corrupt(size, e.to_string()))?;
            if want != opened.root {
                report.problems.push(format!(
                    "checkpoint of size {} signed root {} but records 0..{} hash to {}: a logged \
                     record was changed or removed",
                    opened.size,
                    hash_to_base64(&opened.root),
                    opened.size,
                    hash_to_base64(&want)
                ));
            }
            report.checkpoint = Some(opened);
        }
        if checkpoints.iter().any(|c| c.size > size) {
            report.problems.push(format!(
                "a checkpoint covers more entries than the log's {size}: logged records were removed"
            ));
        }

        if let Some(old) = since {
            match verifier {
                None => report
                    .problems
                    .push("--since needs a verifier key to open the old checkpoint".into()),
                Some(v) => match open_checkpoint(old, v) {
                    Err(e) => report.problems.push(format!("old checkpoint: {e}")),
                    Ok(old) if old.size > size => report.problems.push(format!(
                        "old checkpoint has {} entries but the log only {size}: the log was truncated",
                        old.size
                    )),
                    Ok(old) => {
                        let want = log
                            .root_at(old.size)
                            .map_err(|e| corrupt(size, e.to_string()))?;
                        if want != old.root {
                            report.problems.push(format!(
                                "old checkpoint (size {}) signed root {} but the log's first {} \
                                 entries hash to {}: history was rewritten",
                                old.size,
                                hash_to_base64(&old.root),
                                old.size,
                                hash_to_base64(&want)
                            ));
                        }
                    }
                },
            }
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(i: u64) -> Hash {
        leaf_hash(&i.to_be_bytes())
    }

    /// The right edge, grown in uneven batches, has the root and tiles of the full tree at
    /// every size, across three tile levels.
    #[test]
    fn edge_matches_the_full_tree() {
        let n = 256 * 256 + 700;
        let full = Log::from_leaf_hashes((0..n).map(leaf));
        let mut edge = Edge::default();
        let mut written = std::collections::BTreeMap::new();
        let mut i = 0;
        let mut batch = 1;
        while i < n {
            let end = (i + batch).min(n);
            for k in i..end {
                edge.append_leaf(leaf(k));
            }
            i = end;
            for r in edge.rows() {
                written.insert(
                    (r[0].int().unwrap(), r[1].int().unwrap()),
                    hex::decode(r[3].text().unwrap()).unwrap(),
                );
            }
            edge.completed.clear();
            edge.levels.iter_mut().for_each(|p| p.changed = false);
            assert_eq!(edge.size, i);
            if batch < 40 || i == n || i % 997 < batch {
                assert_eq!(edge.root(), full.root_at(i).unwrap(), "root at size {i}");
            }
            batch = batch * 3 % 1001 + 1;
        }
        for tile in tiles_for_size(n) {
            if let TilePath::Hash {
                level,
                index,
                width,
            } = tile
            {
                assert_eq!(
                    written[&(i64::from(level), index as i64)],
                    full.tile(level, index, width).unwrap(),
                    "{tile}"
                );
            }
        }
        assert_eq!(Edge::default().root(), EMPTY_ROOT);
    }
}
