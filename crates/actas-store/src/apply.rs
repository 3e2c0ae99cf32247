//! Accepting results: the one place that decides whether an incoming result is new, a
//! duplicate, or a conflicting version, and writes the records and views it changes.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use actas_core::validate::{self, Problem};
use actas_core::{
    Election, Incoming, Place, QuarantinedRow, Record, RecordBody, Source, TableId, TableResult,
};

use crate::db::{Db, Kind, Tx, Val};
use crate::log::{self, LogWriter};
use crate::views::{self, ViewRows};
use crate::{StoreError, now};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Tables counted for the first time.
    pub new: u64,
    /// Results identical to a version already stored: nothing written.
    pub duplicates: u64,
    /// Results that differ from the counted version: kept as records, table flagged.
    pub conflicts: u64,
    pub conflicting_tables: Vec<String>,
    pub quarantined: u64,
    /// Tables that were not in the geography and were created from their record.
    pub created_tables: u64,
    pub records_appended: u64,
}

/// What happened to one incoming result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    New,
    Duplicate,
    Conflict,
}

/// Known state of the tables a batch touches: every version stored (first = counted) and the
/// table list. The same decision runs on import (state loaded for the batch) and on rebuild
/// (state built from every record), which is what makes the views rebuildable.
#[derive(Debug, Default)]
pub struct Decider {
    pub versions: HashMap<TableId, Vec<(u64, TableResult)>>,
    /// The counted version of each table with versions: the first accepted, unless a decision
    /// chose another ([`Decider::resolve`]).
    pub counted: HashMap<TableId, u64>,
    /// Registered voters per known table (None = known table, unknown size).
    pub tables: HashMap<TableId, Option<u64>>,
}

impl Decider {
    /// Decides what an accepted result is, and remembers it: a new table's first version is
    /// counted, an identical one is a duplicate, a different one a conflicting version. A
    /// table the store did not know is created from the result (`true` in the answer) with
    /// the registered voters the result states.
    pub fn decide(&mut self, seq: u64, result: &TableResult) -> (Outcome, bool) {
        let outcome = match self.versions.get_mut(&result.table) {
            None => {
                self.versions
                    .insert(result.table, vec![(seq, result.clone())]);
                self.counted.insert(result.table, seq);
                Outcome::New
            }
            Some(vs) if vs.iter().any(|(_, v)| v.same_counts(result)) => Outcome::Duplicate,
            Some(vs) => {
                vs.push((seq, result.clone()));
                Outcome::Conflict
            }
        };
        let created = match self.tables.entry(result.table) {
            Entry::Vacant(e) => {
                e.insert(result.registered);
                true
            }
            Entry::Occupied(_) => false,
        };
        (outcome, created)
    }

    /// A reviewer's decision that version `seq` of `table` counts from now on. Returns the
    /// versions that count before and after, or `None` when `seq` already counts. Nothing is
    /// deleted: the other versions stay stored and shown.
    pub fn resolve(&mut self, table: TableId, seq: u64) -> Result<Option<Replacement>, StoreError> {
        let versions = self.versions.get(&table).ok_or_else(|| {
            StoreError::Invalid(format!("table {table} has no stored result to choose from"))
        })?;
        let pick = |s: u64| versions.iter().find(|(v, _)| *v == s).cloned();
        let new = pick(seq).ok_or_else(|| {
            StoreError::Invalid(format!(
                "record {seq} is not a version of table {table}; its versions are records {}",
                versions
                    .iter()
                    .map(|(v, _)| v.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        let old_seq = self.counted.get(&table).copied().unwrap_or(versions[0].0);
        if old_seq == seq {
            return Ok(None);
        }
        let old = pick(old_seq).expect("the counted version is a version");
        self.counted.insert(table, seq);
        Ok(Some(Replacement { table, old, new }))
    }

    /// Registered voters that count for this table: the record's own figure, else the
    /// geography's.
    pub fn registered(&self, r: &TableResult) -> Option<u64> {
        r.registered
            .or_else(|| self.tables.get(&r.table).copied().flatten())
    }
}

/// A change of which version of a table counts: (seq, result) before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    pub table: TableId,
    pub old: (u64, TableResult),
    pub new: (u64, TableResult),
}

/// Stores records `first_seq..` and appends them to the transparency log, in the caller's
/// transaction. Returns the log's new size and root.
pub async fn append_records(
    tx: &mut Tx,
    first_seq: u64,
    records: &[(Record, Option<TableId>)],
) -> Result<(u64, actas_ledger::Hash), StoreError> {
    let mut leaves = Vec::with_capacity(records.len());
    let mut rows = Vec::with_capacity(records.len());
    for (i, (rec, table)) in records.iter().enumerate() {
        let kind = rec.body.kind();
        let seq = first_seq + i as u64;
        let bytes = rec.to_bytes();
        leaves.push(log::entry_leaf(seq, &bytes)?);
        rows.push(vec![
            Val::from(seq),
            Val::from(kind),
            Val::from(table.map(|t| t.to_string())),
            Val::from(rec.hash_hex()),
            Val::from(String::from_utf8(bytes).expect("records are JSON text")),
        ]);
    }
    tx.insert_many("records (seq, kind, table_code, sha256, body)", 5, rows, "")
        .await?;
    log::append_leaves(tx, first_seq, &leaves).await
}

fn in_list(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Parameters per `IN (...)` list: SQLite's binding cost grows with the square of a
/// statement's parameters (see `Tx::insert_many`).
const IN_CHUNK: usize = 250;

/// Loads what the store knows about `tables` into a decider. Small batches (an ingested photo)
/// query their tables; large ones (a whole CSV) read the table list once, which is cheaper than
/// thousands of look-ups.
pub(crate) async fn load_state(tx: &mut Tx, tables: &[TableId]) -> Result<Decider, StoreError> {
    let mut d = Decider::default();
    let with_versions: Vec<TableId> = if tables.len() > 2 * IN_CHUNK {
        for row in tx
            .fetch(
                "SELECT code, registered FROM tables",
                vec![],
                &[Kind::T, Kind::I],
            )
            .await?
        {
            if let Ok(t) = row[0].text().unwrap_or_default().parse() {
                d.tables.insert(t, row[1].int().map(|v| v as u64));
            }
        }
        for r in tx
            .fetch(
                "SELECT table_code, seq FROM current",
                vec![],
                &[Kind::T, Kind::I],
            )
            .await?
        {
            if let (Some(Ok(t)), Some(seq)) = (r[0].text().map(str::parse), r[1].int()) {
                d.counted.insert(t, seq as u64);
            }
        }
        tables
            .iter()
            .copied()
            .filter(|t| d.counted.contains_key(t))
            .collect()
    } else {
        for chunk in tables.chunks(IN_CHUNK) {
            let codes: Vec<Val> = chunk.iter().map(|t| Val::from(t.to_string())).collect();
            let sql = format!(
                "SELECT code, registered FROM tables WHERE code IN ({})",
                in_list(1, codes.len())
            );
            for row in tx.fetch(&sql, codes.clone(), &[Kind::T, Kind::I]).await? {
                if let Ok(t) = row[0].text().unwrap_or_default().parse() {
                    d.tables.insert(t, row[1].int().map(|v| v as u64));
                }
            }
            let sql = format!(
                "SELECT table_code, seq FROM current WHERE table_code IN ({})",
                in_list(1, codes.len())
            );
            for row in tx.fetch(&sql, codes, &[Kind::T, Kind::I]).await? {
                if let (Some(Ok(t)), Some(seq)) = (row[0].text().map(str::parse), row[1].int()) {
                    d.counted.insert(t, seq as u64);
                }
            }
        }
        tables.to_vec()
    };
    for chunk in with_versions.chunks(IN_CHUNK) {
        let codes: Vec<Val> = chunk.iter().map(|t| Val::from(t.to_string())).collect();
        let sql = format!(
            "SELECT seq, body FROM records WHERE kind = 'result' AND table_code IN ({}) ORDER BY seq",
            in_list(1, codes.len())
        );
        for row in tx.fetch(&sql, codes, &[Kind::I, Kind::T]).await? {
            let seq = row[0].int().unwrap_or(0);
            let result = views::result_of(seq, row[1].text().unwrap_or_default())?;
            d.versions
                .entry(result.table)
                .or_default()
                .push((seq as u64, result));
        }
    }
    Ok(d)
}

/// The writes of one transaction, gathered in memory and written by [`Batch::write`]: records
/// (appended to the log), and the view rows they add.
pub(crate) struct Batch {
    pub at: String,
    first_seq: u64,
    records: Vec<(Record, Option<TableId>)>,
    views: ViewRows,
}

impl Batch {
    /// Starts a batch at the next free sequence number; the caller holds the write lock.
    pub async fn begin(tx: &mut Tx) -> Result<Batch, StoreError> {
        Ok(Batch {
            at: now(),
            first_seq: log::next_seq(tx).await?,
            records: Vec::new(),
            views: ViewRows::default(),
        })
    }

    /// Appends a record, and the view rows of its kind; returns its sequence number (= log
    /// index). Results go through [`Batch::accept`] instead, which asks the decider first.
    pub fn push(&mut self, source: Source, body: RecordBody, table: Option<TableId>) -> u64 {
        let seq = self.first_seq + self.records.len() as u64;
        let record = Record::new(self.at.clone(), source, body);
        self.views.add_record(seq, &record);
        self.records.push((record, table));
        seq
    }

    /// Makes version `counted` of `table` the one that counts, as a decision said.
    pub fn resolve(
        &mut self,
        decider: &mut Decider,
        table: TableId,
        counted: u64,
    ) -> Result<(), StoreError> {
        if let Some(r) = decider.resolve(table, counted)? {
            self.views.replaced.push((r, None));
        }
        Ok(())
    }

    /// Accepts a result that passed validation: the decider says whether it is new, a
    /// duplicate (nothing stored) or a conflicting version (stored, table flagged).
    pub fn accept(
        &mut self,
        decider: &mut Decider,
        source: Source,
        result: TableResult,
        problems: Vec<Problem>,
        image_url: Option<String>,
    ) -> Outcome {
        let seq = self.first_seq + self.records.len() as u64;
        let (outcome, created) = decider.decide(seq, &result);
        if outcome == Outcome::Duplicate {
            return outcome;
        }
        self.views.add(seq, &result, outcome, created);
        if let Some(url) = &image_url {
            self.views
                .referenced
                .push(views::referenced_row(seq, result.table, url));
        }
        let table = result.table;
        let record = Record::new(
            self.at.clone(),
            source,
            RecordBody::Result {
                result,
                problems,
                image_url,
            },
        );
        self.records.push((record, Some(table)));
        outcome
    }

    /// Writes the records, their log entries and checkpoint, and the view rows. Returns the
    /// number of records appended and of tables created from records.
    pub async fn write(
        mut self,
        tx: &mut Tx,
        decider: &Decider,
        election: &Election,
        log_writer: &LogWriter,
    ) -> Result<(u64, u64), StoreError> {
        let (log_size, log_root) = append_records(tx, self.first_seq, &self.records).await?;
        if !self.records.is_empty() {
            log::checkpoint_after_append(tx, log_writer, log_size, log_root).await?;
        }
        self.views.fill_registered(decider);
        let (added, removed) = self.views.aggregate_delta(election, decider);
        let created = self.views.tables.len() as u64;
        self.views.insert(tx).await?;
        views::apply_aggregate_delta(tx, &added, &removed).await?;
        Ok((self.records.len() as u64, created))
    }
}

pub async fn import(
    db: &Db,
    election: &Election,
    incoming: Vec<Incoming>,
    places: Vec<Place>,
    mut quarantined: Vec<QuarantinedRow>,
    all_or_nothing: bool,
    log_writer: &LogWriter,
) -> Result<ImportSummary, StoreError> {
    let mut tx = db.begin().await?;
    tx.lock_for_write().await?;
    let mut batch = Batch::begin(&mut tx).await?;
    let mut touched: Vec<TableId> = incoming.iter().map(|i| i.result().table).collect();
    touched.sort();
    touched.dedup();
    let mut decider = load_state(&mut tx, &touched).await?;

    let mut summary = ImportSummary::default();
    for inc in incoming {
        // The result's own rules ran when it was made (`Incoming::checked`); the store adds
        // those that need what it knows: the geography's registered voters.
        let known = decider.tables.get(&inc.result().table).copied().flatten();
        let geography = validate::check_against_geography(inc.result(), known);
        let inc = inc.with_problems(geography);
        if let Some(p) = inc.rejection() {
            let reason = format!("{}: {}", inc.result().table, p.message);
            let source = inc.source();
            if all_or_nothing {
                return Err(StoreError::Invalid(format!(
                    "{}{}: {reason}",
                    source.file.as_deref().unwrap_or("input"),
                    source.line.map(|l| format!(":{l}")).unwrap_or_default()
                )));
            }
            quarantined.push(QuarantinedRow {
                file: source.file.clone().unwrap_or_default(),
                line: source.line.unwrap_or(0),
                raw: inc
                    .raw()
                    .map(str::to_string)
                    .unwrap_or_else(|| serde_json::to_string(inc.result()).unwrap_or_default()),
                reason,
            });
            continue;
        }
        let (result, source, problems, image_url) = inc.into_parts();
        let table = result.table;
        match batch.accept(&mut decider, source, result, problems, image_url) {
            Outcome::Duplicate => summary.duplicates += 1,
            Outcome::New => summary.new += 1,
            Outcome::Conflict => {
                summary.conflicts += 1;
                summary.conflicting_tables.push(table.to_string());
            }
        }
    }
    let at = batch.at.clone();
    let (appended, created) = batch.write(&mut tx, &decider, election, log_writer).await?;
    summary.records_appended = appended;
    summary.created_tables = created;
    views::upsert_places(&mut tx, &places, false).await?;
    views::insert_quarantine(&mut tx, &quarantined, &at).await?;
    summary.quarantined = quarantined.len() as u64;
    tx.commit().await?;
    Ok(summary)
}
