//! Everything the pages and the API read, built from the store once per data version so that
//! no request for results touches the database.
//!
//! A snapshot is immutable; the refresher builds the next one and swaps it in. Caches that
//! depend on the data (rendered home page, bulk downloads, the analysis report) live inside
//! the snapshot and so are dropped with it. (The analysis is cached apart: it costs seconds,
//! so it is recomputed at most every few minutes however often the data changes.)

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use actas_core::{
    CentreCode, Election, Level, Record, RecordBody, ResultRow, Results, TableId, TableResult,
};
use actas_ledger::InclusionProof;
use actas_store::{LogCopy, ProofUnavailable, Store, StoredCheckpoint};
use tokio::sync::OnceCell;

use crate::http::Cached;

/// What identifies the data a snapshot was built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataVersion {
    pub records: u64,
    /// Size of the latest signed checkpoint.
    pub checkpoint: Option<u64>,
}

/// The log as the store hands it ([`LogCopy`]: entries, tree, checkpoint, proofs), and the
/// result records of each table found in it, both grown incrementally (records are
/// append-only).
#[derive(Clone, Default)]
pub struct LogData {
    pub copy: LogCopy,
    /// Result records per table, oldest first (every stored version).
    pub versions: HashMap<TableId, Vec<u64>>,
}

impl LogData {
    /// Reads the records appended since `previous`.
    async fn read(store: &Store, previous: Option<&LogData>) -> anyhow::Result<LogData> {
        let copy = store.log_copy(previous.map(|p| &p.copy)).await?;
        let mut versions = match previous {
            Some(p) if p.copy.size() <= copy.size() => p.versions.clone(),
            _ => HashMap::new(),
        };
        let from = previous
            .filter(|p| p.copy.size() <= copy.size())
            .map_or(0, |p| p.copy.size());
        for (seq, entry) in (from..).zip(&copy.entries()[from as usize..]) {
            if let Ok(Record {
                body: RecordBody::Result { result, .. },
                ..
            }) = Record::from_bytes(entry)
            {
                versions.entry(result.table).or_default().push(seq);
            }
        }
        Ok(LogData { copy, versions })
    }

    pub fn record(&self, seq: u64) -> Option<Record> {
        Record::from_bytes(self.copy.entry(seq)?).ok()
    }

    pub fn entry(&self, seq: u64) -> Option<&Arc<[u8]>> {
        self.copy.entry(seq)
    }
}

/// The state of one table as published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// One version, counted.
    Counted,
    /// Several different versions; the first is counted, the others are kept and shown.
    Conflict,
    /// No acta received.
    Missing,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Counted => "counted",
            Status::Conflict => "conflict",
            Status::Missing => "missing",
        }
    }
}

/// Tables of each centre read so far, with their registered voters.
type CentreTables = HashMap<CentreCode, Arc<Vec<(TableId, Option<u64>)>>>;

pub struct Snapshot {
    pub version: DataVersion,
    pub built_at: SystemTime,
    pub election: Arc<Election>,
    /// Results of every place, per level (indexed by `Level as usize`), ordered by code.
    pub levels: Vec<Results>,
    /// Row of each place code (`""` is the nation) in `levels`.
    pub index: HashMap<String, (Level, usize)>,
    /// Candidate indices by national votes, most first.
    pub leaders: Vec<usize>,
    pub log: Arc<LogData>,
    /// Counted result of each table (registered voters filled in from the geography).
    pub current: HashMap<TableId, TableResult>,
    /// The record of each table's counted result, as the store decided it.
    counted: HashMap<TableId, u64>,
    /// Tables with several versions: every seq, the counted one first.
    pub conflicts: HashMap<TableId, Vec<u64>>,
    /// Photos of each table, readable ones first.
    pub images: HashMap<TableId, Vec<crate::images::ImageRef>>,
    /// Links to each table's photo that results files give, oldest first.
    pub referenced: HashMap<TableId, Vec<String>>,
    /// Registry tables (sorted) and, aligned, their part of a voter look-up's JSON.
    voter_tables: Vec<TableId>,
    voter_members: Vec<Box<str>>,
    /// Per-version caches.
    pub home: [OnceLock<Cached>; 2],
    pub bulk: BulkCache,
    /// `GET /api/v1/results` bodies by (level, code): a centre-level list is megabytes.
    pub results_json: Mutex<HashMap<(Level, String), Cached>>,
    pub centre_tables: Mutex<CentreTables>,
}

#[derive(Default)]
pub struct BulkCache {
    pub csv: OnceCell<Cached>,
    pub parquet: OnceCell<Cached>,
    pub dictionary: OnceCell<Cached>,
    pub json: OnceCell<Cached>,
    pub images: OnceCell<Cached>,
}

impl Snapshot {
    /// Builds the next snapshot, reusing the log read so far.
    pub async fn build(
        store: &Store,
        election: Arc<Election>,
        previous: Option<&Snapshot>,
    ) -> anyhow::Result<Snapshot> {
        let log = LogData::read(store, previous.map(|p| p.log.as_ref())).await?;
        if let Some(p) = log.copy.problem() {
            tracing::error!("no inclusion proofs are served: {p}");
        }

        let mut levels = Vec::with_capacity(Level::ALL.len());
        let mut index = HashMap::new();
        for level in Level::ALL {
            let r = store.results(level, None).await?;
            for (i, row) in r.rows.iter().enumerate() {
                index.insert(row.code.clone(), (level, i));
            }
            levels.push(r);
        }
        let national = levels[Level::National as usize]
            .rows
            .first()
            .map(|r| r.votes.clone())
            .unwrap_or_default();
        let mut leaders: Vec<usize> = (0..election.candidates.len()).collect();
        leaders.sort_by_key(|&i| std::cmp::Reverse(national.get(i).copied().unwrap_or(0)));

        let mut current = HashMap::new();
        let mut counted = HashMap::new();
        for c in store.current_results().await? {
            counted.insert(c.result.table, c.seq);
            current.insert(c.result.table, c.result);
        }
        let conflicts = store
            .conflicts()
            .await?
            .into_iter()
            .filter_map(|(t, seqs)| Some((t.parse().ok()?, seqs)))
            .collect();

        let images = crate::images::by_table(store.images().await?);
        let mut referenced: HashMap<TableId, Vec<String>> = HashMap::new();
        for r in store.referenced_images().await? {
            referenced.entry(r.table).or_default().push(r.url);
        }

        Ok(Snapshot {
            version: DataVersion {
                records: log.copy.size(),
                checkpoint: log.copy.checkpoint().map(|c| c.size),
            },
            built_at: SystemTime::now(),
            election,
            levels,
            index,
            leaders,
            log: Arc::new(log),
            current,
            counted,
            conflicts,
            images,
            referenced,
            voter_tables: Vec::new(),
            voter_members: Vec::new(),
            home: Default::default(),
            bulk: Default::default(),
            results_json: Mutex::new(HashMap::new()),
            centre_tables: Mutex::new(HashMap::new()),
        })
    }

    /// Keeps the voter look-up answers of the registry's tables (`tables` sorted, `answers`
    /// aligned; see `actas::prepare_voters`), so that a look-up only adds the cédula.
    pub fn set_voter_answers(&mut self, tables: Vec<TableId>, answers: Vec<Box<str>>) {
        debug_assert_eq!(tables.len(), answers.len());
        self.voter_tables = tables;
        self.voter_members = answers;
    }

    /// A table's prepared part of a voter look-up, if the registry lists the table.
    pub fn voter_answer(&self, table: TableId) -> Option<&str> {
        let i = self.voter_tables.binary_search(&table).ok()?;
        Some(&self.voter_members[i])
    }

    /// The results row of a place (`""` for the nation).
    pub fn place(&self, code: &str) -> Option<(Level, &ResultRow)> {
        let &(level, i) = self.index.get(code)?;
        Some((level, &self.levels[level as usize].rows[i]))
    }

    pub fn national(&self) -> Option<&ResultRow> {
        self.place("").map(|(_, r)| r)
    }

    /// Places of `level` whose code starts with `prefix`, in code order.
    pub fn children(&self, level: Level, prefix: &str) -> &[ResultRow] {
        let rows = &self.levels[level as usize].rows;
        let start = rows.partition_point(|r| r.code.as_str() < prefix);
        let end = start + rows[start..].partition_point(|r| r.code.starts_with(prefix));
        &rows[start..end]
    }

    /// Results of `level` inside `within`, exactly as `actas results --format json` prints.
    pub fn results_within(&self, level: Level, within: &str) -> Results {
        let all = &self.levels[level as usize];
        Results {
            level,
            candidates: all.candidates.clone(),
            rows: self.children(level, within).to_vec(),
        }
    }

    /// The name of the place at `level` that contains `centre`, if known.
    pub fn place_name(&self, centre: CentreCode, level: Level) -> Option<&str> {
        self.place(&centre.place_code(level))?.1.name.as_deref()
    }

    pub fn status(&self, table: TableId) -> Status {
        if self.conflicts.contains_key(&table) {
            Status::Conflict
        } else if self.current.contains_key(&table) {
            Status::Counted
        } else {
            Status::Missing
        }
    }

    /// The seq of the counted version of a table.
    pub fn counted_seq(&self, table: TableId) -> Option<u64> {
        self.counted.get(&table).copied()
    }

    /// Inclusion proof of record `seq` in the latest checkpoint, or why there is none.
    pub fn proof(&self, seq: u64) -> Result<InclusionProof, ProofUnavailable> {
        self.log.copy.proof(seq)
    }

    /// The latest signed checkpoint.
    pub fn checkpoint(&self) -> Option<&StoredCheckpoint> {
        self.log.copy.checkpoint()
    }

    /// Tables of a centre from the store (the geography's and those created by records),
    /// cached for the life of this snapshot.
    pub async fn centre_tables(
        &self,
        store: &Store,
        centre: CentreCode,
    ) -> anyhow::Result<Arc<Vec<(TableId, Option<u64>)>>> {
        if let Some(t) = self.lock_centres().get(&centre) {
            return Ok(t.clone());
        }
        let tables = Arc::new(store.tables_of_centre(centre).await?);
        let mut cache = self.lock_centres();
        // Bounded: a crawler walking every centre must not grow it without limit.
        if cache.len() >= 50_000 {
            cache.clear();
        }
        cache.insert(centre, tables.clone());
        Ok(tables)
    }

    /// The results JSON of `level` inside `code`, as `actas results --format json` prints it.
    pub fn results_json(&self, level: Level, code: &str) -> Cached {
        let key = (level, code.to_string());
        if let Some(c) = lock(&self.results_json).get(&key) {
            return c.clone();
        }
        let c = Cached::new(
            self.results_within(level, code).to_json() + "\n",
            crate::http::JSON,
        );
        let mut cache = lock(&self.results_json);
        if cache.len() >= 20_000 {
            cache.clear();
        }
        cache.insert(key, c.clone());
        c
    }

    fn lock_centres(&self) -> std::sync::MutexGuard<'_, CentreTables> {
        lock(&self.centre_tables)
    }
}

/// Locks a cache; a panic while it was held leaves only a cache behind, so keep using it.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
