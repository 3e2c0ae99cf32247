//! Accepting results: the one place that decides whether an incoming result is new, a
//! duplicate, or a conflicting version, and writes the records and views it changes.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use actas_core::validate::{self, Problem};
use actas_core::{Election, Place, Record, RecordBody, Source, TableId, TableResult};

use crate::db::{Db, Kind, Tx, Val};
use crate::views::{self, Aggregates};
use crate::{StoreError, now};

/// A result offered to the store, with where it came from.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub result: TableResult,
    pub source: Source,
    /// Problems found upstream that the result itself cannot show (e.g. acta id flags).
    pub problems: Vec<Problem>,
}

/// A row refused at import time and kept aside with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantinedRow {
    pub file: String,
    pub line: u64,
    pub raw: String,
    pub reason: String,
}

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
    /// Registered voters per known table (None = known table, unknown size).
    pub tables: HashMap<TableId, Option<u64>>,
}

impl Decider {
    pub fn decide(&mut self, seq: u64, result: &TableResult) -> Outcome {
        match self.versions.get_mut(&result.table) {
            None => {
                self.versions
                    .insert(result.table, vec![(seq, result.clone())]);
                Outcome::New
            }
            Some(vs) if vs.iter().any(|(_, v)| v.same_counts(result)) => Outcome::Duplicate,
            Some(vs) => {
                vs.push((seq, result.clone()));
                Outcome::Conflict
            }
        }
    }

    /// Registered voters that count for this table: the record's own figure, else the
    /// geography's.
    pub fn registered(&self, r: &TableResult) -> Option<u64> {
        r.registered
            .or_else(|| self.tables.get(&r.table).copied().flatten())
    }
}

pub async fn append_records(
    tx: &mut Tx,
    first_seq: u64,
    records: &[(Record, Option<TableId>)],
) -> Result<(), StoreError> {
    let rows = records
        .iter()
        .enumerate()
        .map(|(i, (rec, table))| {
            let kind = match &rec.body {
                RecordBody::Election { .. } => "election",
                RecordBody::Result { .. } => "result",
            };
            let bytes = rec.to_bytes();
            vec![
                Val::from(first_seq + i as u64),
                Val::from(kind),
                Val::from(table.map(|t| t.to_string())),
                Val::from(rec.hash_hex()),
                Val::from(String::from_utf8(bytes).expect("records are JSON text")),
            ]
        })
        .collect();
    tx.insert_many("records (seq, kind, table_code, sha256, body)", 5, rows, "")
        .await
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
async fn load_state(tx: &mut Tx, tables: &[TableId]) -> Result<Decider, StoreError> {
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
        let counted: std::collections::HashSet<TableId> = tx
            .fetch("SELECT table_code FROM current", vec![], &[Kind::T])
            .await?
            .into_iter()
            .filter_map(|r| r[0].text()?.parse().ok())
            .collect();
        tables
            .iter()
            .copied()
            .filter(|t| counted.contains(t))
            .collect()
    } else {
        for chunk in tables.chunks(IN_CHUNK) {
            let codes: Vec<Val> = chunk.iter().map(|t| Val::from(t.to_string())).collect();
            let sql = format!(
                "SELECT code, registered FROM tables WHERE code IN ({})",
                in_list(1, codes.len())
            );
            for row in tx.fetch(&sql, codes, &[Kind::T, Kind::I]).await? {
                if let Ok(t) = row[0].text().unwrap_or_default().parse() {
                    d.tables.insert(t, row[1].int().map(|v| v as u64));
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

pub async fn import(
    db: &Db,
    election: &Election,
    incoming: Vec<Incoming>,
    places: Vec<Place>,
    mut quarantined: Vec<QuarantinedRow>,
    all_or_nothing: bool,
) -> Result<ImportSummary, StoreError> {
    let at = now();
    let mut tx = db.begin().await?;
    tx.lock_for_write().await?;
    let next = tx
        .fetch(
            "SELECT COALESCE(MAX(seq) + 1, 0) FROM records",
            vec![],
            &[Kind::I],
        )
        .await?;
    let mut seq = next[0][0].int().unwrap_or(0) as u64;
    let first_seq = seq;

    let mut touched: Vec<TableId> = incoming.iter().map(|i| i.result.table).collect();
    touched.sort();
    touched.dedup();
    let mut decider = load_state(&mut tx, &touched).await?;

    let mut summary = ImportSummary::default();
    let mut records = Vec::new();
    let mut new_current = Vec::new();
    let mut new_conflicts = Vec::new();
    let mut new_tables: BTreeMap<TableId, Option<u64>> = BTreeMap::new();
    for inc in incoming {
        let known = decider.tables.get(&inc.result.table).copied().flatten();
        let mut problems = inc.problems.clone();
        for p in validate::check_result(election, &inc.result, known) {
            if !problems.iter().any(|q| q.rule == p.rule) {
                problems.push(p);
            }
        }
        if let Some(p) = problems
            .iter()
            .find(|p| p.severity == validate::Severity::Reject)
        {
            let reason = format!("{}: {}", inc.result.table, p.message);
            if all_or_nothing {
                return Err(StoreError::Invalid(format!(
                    "{}{}: {reason}",
                    inc.source.file.as_deref().unwrap_or("input"),
                    inc.source.line.map(|l| format!(":{l}")).unwrap_or_default()
                )));
            }
            quarantined.push(QuarantinedRow {
                file: inc.source.file.clone().unwrap_or_default(),
                line: inc.source.line.unwrap_or(0),
                raw: serde_json::to_string(&inc.result).unwrap_or_default(),
                reason,
            });
            continue;
        }
        let outcome = decider.decide(seq, &inc.result);
        match outcome {
            Outcome::Duplicate => {
                summary.duplicates += 1;
                continue;
            }
            Outcome::New => {
                summary.new += 1;
                new_current.push((seq, inc.result.clone()));
            }
            Outcome::Conflict => {
                summary.conflicts += 1;
                summary
                    .conflicting_tables
                    .push(inc.result.table.to_string());
                new_conflicts.push((inc.result.table, seq));
            }
        }
        if let Entry::Vacant(e) = decider.tables.entry(inc.result.table) {
            e.insert(inc.result.registered);
            new_tables.insert(inc.result.table, inc.result.registered);
        }
        let table = inc.result.table;
        records.push((
            Record::new(
                at.clone(),
                inc.source,
                RecordBody::Result {
                    result: inc.result,
                    problems,
                },
            ),
            Some(table),
        ));
        seq += 1;
    }

    append_records(&mut tx, first_seq, &records).await?;
    summary.records_appended = records.len() as u64;
    summary.created_tables = new_tables.len() as u64;
    let table_rows = new_tables
        .iter()
        .map(|(t, r)| vec![Val::from(t.to_string()), Val::from(*r), Val::from(0i64)])
        .collect();
    tx.insert_many("tables (code, registered, in_geography)", 3, table_rows, "")
        .await?;
    let current_rows = new_current
        .iter()
        .map(|(seq, r)| views::current_row(*seq, r, decider.registered(r)))
        .collect();
    tx.insert_many(
        "current (table_code, seq, registered, valid, null_votes, votes)",
        6,
        current_rows,
        "",
    )
    .await?;
    let conflict_rows = new_conflicts
        .iter()
        .map(|(t, seq)| vec![Val::from(t.to_string()), Val::from(*seq)])
        .collect();
    tx.insert_many("conflicts (table_code, seq)", 2, conflict_rows, "")
        .await?;

    let mut delta = Aggregates::default();
    for (_, r) in &new_current {
        delta.add(
            r,
            decider.registered(r).unwrap_or(0),
            election.candidates.len(),
        );
    }
    views::apply_aggregate_delta(&mut tx, &delta).await?;
    views::upsert_places(&mut tx, &places, false).await?;
    views::insert_quarantine(&mut tx, &quarantined, &at).await?;
    summary.quarantined = quarantined.len() as u64;
    tx.commit().await?;
    Ok(summary)
}
