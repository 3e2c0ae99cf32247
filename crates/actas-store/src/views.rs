//! Derived views: per-level aggregates, results queries, rebuilding and checking the views
//! against the records, geography and quarantine.

use std::collections::{BTreeMap, BTreeSet};

use actas_core::{
    Election, ImageRecord, Level, Place, Record, RecordBody, ResultRow, Results, Source, TableId,
    TableResult, review,
};

use crate::StoreError;
use crate::apply::{Decider, Outcome, Replacement};
use crate::db::{Db, Kind, Tx, Val};
use actas_core::QuarantinedRow;

/// Sums per place: tables counted, registered, valid, null, votes per candidate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Aggregates {
    pub by_place: BTreeMap<(Level, String), Sums>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sums {
    pub tables: u64,
    pub registered: u64,
    pub valid: u64,
    pub null: u64,
    pub votes: Vec<u64>,
}

impl Sums {
    fn add(&mut self, o: &Sums) {
        self.tables += o.tables;
        self.registered += o.registered;
        self.valid += o.valid;
        self.null += o.null;
        if self.votes.len() < o.votes.len() {
            self.votes.resize(o.votes.len(), 0);
        }
        for (a, b) in self.votes.iter_mut().zip(&o.votes) {
            *a += b;
        }
    }

    /// Takes away what [`Sums::add`] added: a version that no longer counts.
    fn subtract(&mut self, o: &Sums) {
        self.tables -= o.tables;
        self.registered -= o.registered;
        self.valid -= o.valid;
        self.null -= o.null;
        for (a, b) in self.votes.iter_mut().zip(&o.votes) {
            *a -= b;
        }
    }
}

impl Aggregates {
    /// Adds one counted table to every level that contains it.
    pub fn add(&mut self, r: &TableResult, registered: u64, candidates: usize) {
        let one = Sums {
            tables: 1,
            registered,
            valid: r.valid,
            null: r.null,
            votes: r
                .votes
                .iter()
                .copied()
                .chain(std::iter::repeat(0))
                .take(candidates)
                .collect(),
        };
        for level in Level::ALL {
            self.by_place
                .entry((level, r.table.centre.place_code(level)))
                .or_default()
                .add(&one);
        }
    }
}

pub fn result_of(seq: i64, body: &str) -> Result<TableResult, StoreError> {
    match Record::from_bytes(body.as_bytes()) {
        Ok(Record {
            body: RecordBody::Result { result, .. },
            ..
        }) => Ok(result),
        Ok(_) => Err(StoreError::Corrupt {
            seq,
            message: "expected a result record".into(),
        }),
        Err(e) => Err(StoreError::Corrupt {
            seq,
            message: e.to_string(),
        }),
    }
}

pub fn current_row(seq: u64, r: &TableResult, registered: Option<u64>) -> Vec<Val> {
    vec![
        Val::from(r.table.to_string()),
        Val::from(seq),
        Val::from(registered),
        Val::from(r.valid),
        Val::from(r.null),
        Val::from(serde_json::to_string(&r.votes).expect("numbers")),
    ]
}

fn parse_votes(s: &str) -> Vec<u64> {
    serde_json::from_str(s).unwrap_or_default()
}

async fn load_aggregates(tx: &mut Tx) -> Result<Aggregates, StoreError> {
    let rows = tx
        .fetch(
            "SELECT level, code, tables, registered, valid, null_votes, votes FROM aggregates",
            vec![],
            &[
                Kind::T,
                Kind::T,
                Kind::I,
                Kind::I,
                Kind::I,
                Kind::I,
                Kind::T,
            ],
        )
        .await?;
    let mut a = Aggregates::default();
    for r in rows {
        let Some(level) = Level::parse(r[0].text().unwrap_or_default()) else {
            continue;
        };
        a.by_place.insert(
            (level, r[1].text().unwrap_or_default().to_string()),
            Sums {
                tables: r[2].int().unwrap_or(0) as u64,
                registered: r[3].int().unwrap_or(0) as u64,
                valid: r[4].int().unwrap_or(0) as u64,
                null: r[5].int().unwrap_or(0) as u64,
                votes: parse_votes(r[6].text().unwrap_or("[]")),
            },
        );
    }
    Ok(a)
}

async fn write_aggregates(
    tx: &mut Tx,
    rows: Vec<(&(Level, String), &Sums)>,
) -> Result<(), StoreError> {
    let rows = rows
        .into_iter()
        .map(|((level, code), s)| {
            vec![
                Val::from(level.as_str()),
                Val::from(code.as_str()),
                Val::from(s.tables),
                Val::from(s.registered),
                Val::from(s.valid),
                Val::from(s.null),
                Val::from(serde_json::to_string(&s.votes).expect("numbers")),
            ]
        })
        .collect();
    tx.insert_many(
        "aggregates (level, code, tables, registered, valid, null_votes, votes)",
        7,
        rows,
        "ON CONFLICT (level, code) DO UPDATE SET tables = excluded.tables, \
         registered = excluded.registered, valid = excluded.valid, \
         null_votes = excluded.null_votes, votes = excluded.votes",
    )
    .await
}

/// Adds newly counted tables to the stored aggregates and takes away versions that no longer
/// count (read, change, write back the touched rows).
pub async fn apply_aggregate_delta(
    tx: &mut Tx,
    added: &Aggregates,
    removed: &Aggregates,
) -> Result<(), StoreError> {
    if added.by_place.is_empty() && removed.by_place.is_empty() {
        return Ok(());
    }
    let mut stored = load_aggregates(tx).await?;
    for (key, sums) in &added.by_place {
        stored.by_place.entry(key.clone()).or_default().add(sums);
    }
    for (key, sums) in &removed.by_place {
        stored
            .by_place
            .entry(key.clone())
            .or_default()
            .subtract(sums);
    }
    let touched = stored
        .by_place
        .iter()
        .filter(|(k, _)| added.by_place.contains_key(*k) || removed.by_place.contains_key(*k))
        .collect();
    write_aggregates(tx, touched).await
}

/// Inserts places; with `replace` existing names and expected counts are overwritten (a
/// geography file is authoritative), otherwise only unknown places are added.
pub async fn upsert_places(tx: &mut Tx, places: &[Place], replace: bool) -> Result<(), StoreError> {
    let rows = places
        .iter()
        .map(|p| {
            vec![
                Val::from(p.level.as_str()),
                Val::from(p.code.as_str()),
                Val::from(p.name.as_str()),
                Val::from(p.expected_tables),
            ]
        })
        .collect();
    let tail = if replace {
        "ON CONFLICT (level, code) DO UPDATE SET name = excluded.name, \
         expected_tables = COALESCE(excluded.expected_tables, places.expected_tables)"
    } else {
        "ON CONFLICT (level, code) DO NOTHING"
    };
    tx.insert_many("places (level, code, name, expected_tables)", 4, rows, tail)
        .await
}

pub async fn insert_quarantine(
    tx: &mut Tx,
    rows: &[QuarantinedRow],
    at: &str,
) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let next = tx
        .fetch(
            "SELECT COALESCE(MAX(id) + 1, 1) FROM quarantine",
            vec![],
            &[Kind::I],
        )
        .await?;
    let first = next[0][0].int().unwrap_or(1);
    let rows = rows
        .iter()
        .enumerate()
        .map(|(i, q)| {
            vec![
                Val::from(first + i as i64),
                Val::from(q.file.as_str()),
                Val::from(q.line),
                Val::from(q.raw.as_str()),
                Val::from(q.reason.as_str()),
                Val::from(at),
            ]
        })
        .collect();
    tx.insert_many(
        "quarantine (id, file, line, raw, reason, at)",
        6,
        rows,
        "ON CONFLICT (file, line, raw) DO NOTHING",
    )
    .await
}

pub async fn quarantine(db: &Db) -> Result<Vec<QuarantinedRow>, StoreError> {
    let rows = db
        .fetch(
            "SELECT file, line, raw, reason FROM quarantine ORDER BY id",
            vec![],
            &[Kind::T, Kind::I, Kind::T, Kind::T],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| QuarantinedRow {
            file: r[0].text().unwrap_or_default().to_string(),
            line: r[1].int().unwrap_or(0) as u64,
            raw: r[2].text().unwrap_or_default().to_string(),
            reason: r[3].text().unwrap_or_default().to_string(),
        })
        .collect())
}

/// Tables with more than one version: the counted version's seq first, then the others.
pub async fn conflicts(db: &Db) -> Result<Vec<(String, Vec<u64>)>, StoreError> {
    let rows = db
        .fetch(
            "SELECT c.table_code, c.seq, CAST(0 AS BIGINT) FROM current c \
             WHERE c.table_code IN (SELECT table_code FROM conflicts) \
             UNION ALL SELECT table_code, seq, CAST(1 AS BIGINT) FROM conflicts ORDER BY 1, 3, 2",
            vec![],
            &[Kind::T, Kind::I, Kind::I],
        )
        .await?;
    let mut out: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for r in rows {
        out.entry(r[0].text().unwrap_or_default().to_string())
            .or_default()
            .push(r[1].int().unwrap_or(0) as u64);
    }
    Ok(out.into_iter().collect())
}

pub async fn results(
    db: &Db,
    election: &Election,
    level: Level,
    within: Option<&str>,
) -> Result<Results, StoreError> {
    let prefix = format!("{}%", within.unwrap_or(""));
    let agg = db
        .fetch(
            "SELECT code, tables, registered, valid, null_votes, votes FROM aggregates \
             WHERE level = $1 AND code LIKE $2",
            vec![Val::from(level.as_str()), Val::from(prefix.clone())],
            &[Kind::T, Kind::I, Kind::I, Kind::I, Kind::I, Kind::T],
        )
        .await?;
    let places = db
        .fetch(
            "SELECT code, name, expected_tables FROM places WHERE level = $1 AND code LIKE $2",
            vec![Val::from(level.as_str()), Val::from(prefix)],
            &[Kind::T, Kind::T, Kind::I],
        )
        .await?;
    let n = election.candidates.len();
    let mut rows: BTreeMap<String, ResultRow> = BTreeMap::new();
    let empty = |code: &str| ResultRow {
        code: code.to_string(),
        name: None,
        counted: 0,
        expected: None,
        registered: 0,
        valid: 0,
        null: 0,
        votes: vec![0; n],
    };
    for p in places {
        let code = p[0].text().unwrap_or_default();
        let row = rows.entry(code.to_string()).or_insert_with(|| empty(code));
        row.name = p[1].text().map(str::to_string);
        row.expected = p[2].int().map(|v| v as u64);
    }
    for a in agg {
        let code = a[0].text().unwrap_or_default();
        let row = rows.entry(code.to_string()).or_insert_with(|| empty(code));
        row.counted = a[1].int().unwrap_or(0) as u64;
        row.registered = a[2].int().unwrap_or(0) as u64;
        row.valid = a[3].int().unwrap_or(0) as u64;
        row.null = a[4].int().unwrap_or(0) as u64;
        let votes = parse_votes(a[5].text().unwrap_or("[]"));
        row.votes = votes
            .into_iter()
            .chain(std::iter::repeat(0))
            .take(n)
            .collect();
    }
    if level == Level::National {
        let row = rows.entry(String::new()).or_insert_with(|| empty(""));
        row.name.get_or_insert_with(|| "Total".to_string());
        row.expected = row.expected.or(election.official.tables);
    }
    Ok(Results::new(election, level, rows.into_values().collect()))
}

/// Rows the records add to the views: what one batch adds (written by `Batch::write`) or,
/// recomputed from every record, what the views hold (written by a rebuild). One shape and one
/// writer for both, so the rebuild writes exactly what imports write.
#[derive(Debug, Default)]
pub(crate) struct ViewRows {
    /// Tables created from records (not in the geography), with the registered voters their
    /// first record states.
    pub tables: BTreeMap<TableId, Option<u64>>,
    /// Counted results by table: seq, result, registered voters that count (filled in by
    /// [`ViewRows::fill_registered`]).
    pub current: BTreeMap<TableId, (u64, TableResult, Option<u64>)>,
    pub conflicts: BTreeSet<(TableId, u64)>,
    /// Decisions that changed which version of an already counted table counts, with the
    /// registered voters of the new one (a batch's; a rebuild applies them to `current` and
    /// `conflicts` as it meets them).
    pub replaced: Vec<(Replacement, Option<u64>)>,
    /// Rows of the `images` view ([`image_row`]), in record order.
    pub images: Vec<Vec<Val>>,
    /// Rows of `accounts` by name: the latest record of each account.
    pub accounts: BTreeMap<String, Vec<Val>>,
    /// Rows of `review_entries`: seq, item, by, revealed (the reveal record's seq).
    pub entries: BTreeMap<u64, Vec<Val>>,
    /// Entries stored earlier and revealed now: (entry seq, reveal seq).
    pub reveals: Vec<(u64, u64)>,
    pub decisions: Vec<Vec<Val>>,
    pub reports: Vec<Vec<Val>>,
    /// Rows of `referenced_images` ([`referenced_row`]).
    pub referenced: Vec<Vec<Val>>,
}

impl ViewRows {
    /// Adds an accepted result (not a duplicate) as the decider judged it.
    pub fn add(&mut self, seq: u64, r: &TableResult, outcome: Outcome, created: bool) {
        match outcome {
            Outcome::New => {
                self.current.insert(r.table, (seq, r.clone(), None));
            }
            Outcome::Conflict => {
                self.conflicts.insert((r.table, seq));
            }
            Outcome::Duplicate => {}
        }
        if created {
            self.tables.insert(r.table, r.registered);
        }
    }

    /// Adds the view rows of a record of any kind but `result` (results go through the
    /// decider, then [`ViewRows::add`]).
    pub fn add_record(&mut self, seq: u64, record: &Record) {
        let by = || Val::from(record.source.by.clone().unwrap_or_default());
        match &record.body {
            RecordBody::Image { image } => self.images.push(image_row(seq, image, &record.source)),
            RecordBody::Account { account } => {
                let row = vec![
                    Val::from(account.name.as_str()),
                    Val::from(account.role.as_str()),
                    Val::from(account.scopes.join(",")),
                    Val::from(account.token_sha256.clone()),
                    Val::from(seq),
                ];
                self.accounts.insert(account.name.clone(), row);
            }
            RecordBody::Entry { entry } => {
                let row = vec![
                    Val::from(seq),
                    Val::from(entry.item.to_string()),
                    by(),
                    Val::I(None),
                ];
                self.entries.insert(seq, row);
            }
            RecordBody::Reveal { reveal } => {
                for e in &reveal.entries {
                    match self.entries.get_mut(&e.seq) {
                        Some(row) => row[3] = Val::from(seq),
                        None => self.reveals.push((e.seq, seq)),
                    }
                }
            }
            RecordBody::Decision { decision } => {
                let table = match &decision.item {
                    review::Item::Table { table } => Some(*table),
                    review::Item::Photo { .. } => decision.accepted.as_ref().map(|r| r.table),
                };
                self.decisions.push(vec![
                    Val::from(seq),
                    Val::from(decision.item.to_string()),
                    Val::from(table.map(|t| t.to_string())),
                    Val::from(decision.counted),
                    by(),
                ]);
            }
            RecordBody::Report { report } => self.reports.push(vec![
                Val::from(seq),
                Val::from(report.table.to_string()),
                Val::from(report.problem.as_str()),
                Val::from(report.comment_sha256.clone()),
            ]),
            RecordBody::Election { .. }
            | RecordBody::Result { .. }
            | RecordBody::Bulletin { .. } => {}
        }
    }

    /// Applies a change of counted version directly to the rows (a rebuild, which holds every
    /// table's rows).
    fn apply_replacement(&mut self, r: &Replacement) {
        self.current
            .insert(r.table, (r.new.0, r.new.1.clone(), None));
        self.conflicts.remove(&(r.table, r.new.0));
        self.conflicts.insert((r.table, r.old.0));
    }

    /// Sets each counted table's registered voters as the decider knows them.
    pub fn fill_registered(&mut self, decider: &Decider) {
        for (_, r, reg) in self.current.values_mut() {
            *reg = decider.registered(r);
        }
        for (r, reg) in &mut self.replaced {
            *reg = decider.registered(&r.new.1);
        }
    }

    /// The totals of the counted results, per place.
    pub fn aggregates(&self, election: &Election) -> Aggregates {
        let mut a = Aggregates::default();
        for (_, r, reg) in self.current.values() {
            a.add(r, reg.unwrap_or(0), election.candidates.len());
        }
        a
    }

    /// What a batch adds to the totals and what it takes away (a version that no longer
    /// counts).
    pub fn aggregate_delta(
        &self,
        election: &Election,
        decider: &Decider,
    ) -> (Aggregates, Aggregates) {
        let n = election.candidates.len();
        let mut added = self.aggregates(election);
        let mut removed = Aggregates::default();
        for (r, _) in &self.replaced {
            let reg = |res: &TableResult| decider.registered(res).unwrap_or(0);
            added.add(&r.new.1, reg(&r.new.1), n);
            removed.add(&r.old.1, reg(&r.old.1), n);
        }
        (added, removed)
    }

    pub async fn insert(self, tx: &mut Tx) -> Result<(), StoreError> {
        let tables = self
            .tables
            .iter()
            .map(|(t, r)| vec![Val::from(t.to_string()), Val::from(*r), Val::from(0i64)])
            .collect();
        tx.insert_many("tables (code, registered, in_geography)", 3, tables, "")
            .await?;
        let current = self
            .current
            .values()
            .map(|(seq, r, reg)| current_row(*seq, r, *reg))
            .collect();
        tx.insert_many(
            "current (table_code, seq, registered, valid, null_votes, votes)",
            6,
            current,
            "",
        )
        .await?;
        let conflicts = self
            .conflicts
            .iter()
            .map(|(t, seq)| vec![Val::from(t.to_string()), Val::from(*seq)])
            .collect();
        tx.insert_many("conflicts (table_code, seq)", 2, conflicts, "")
            .await?;
        for (r, _) in &self.replaced {
            let t = Val::from(r.table.to_string());
            tx.exec("DELETE FROM current WHERE table_code = $1", vec![t.clone()])
                .await?;
            tx.exec(
                "DELETE FROM conflicts WHERE table_code = $1 AND seq = $2",
                vec![t.clone(), Val::from(r.new.0)],
            )
            .await?;
            tx.exec(
                "INSERT INTO conflicts (table_code, seq) VALUES ($1, $2)",
                vec![t, Val::from(r.old.0)],
            )
            .await?;
        }
        tx.insert_many(
            "current (table_code, seq, registered, valid, null_votes, votes)",
            6,
            self.replaced
                .iter()
                .map(|(r, reg)| current_row(r.new.0, &r.new.1, *reg))
                .collect(),
            "",
        )
        .await?;
        tx.insert_many(
            "images (sha256, seq, status, table_code, file)",
            5,
            self.images,
            "",
        )
        .await?;
        tx.insert_many(
            "accounts (name, role, scopes, token_sha256, seq)",
            5,
            self.accounts.into_values().collect(),
            "ON CONFLICT (name) DO UPDATE SET role = excluded.role, scopes = excluded.scopes, \
             token_sha256 = excluded.token_sha256, seq = excluded.seq",
        )
        .await?;
        tx.insert_many(
            "review_entries (seq, item, by_name, revealed)",
            4,
            self.entries.into_values().collect(),
            "",
        )
        .await?;
        for (entry, reveal) in self.reveals {
            tx.exec(
                "UPDATE review_entries SET revealed = $1 WHERE seq = $2",
                vec![Val::from(reveal), Val::from(entry)],
            )
            .await?;
        }
        tx.insert_many(
            "decisions (seq, item, table_code, counted, by_name)",
            5,
            self.decisions,
            "",
        )
        .await?;
        tx.insert_many(
            "reports (seq, table_code, problem, comment_sha256)",
            4,
            self.reports,
            "",
        )
        .await?;
        tx.insert_many(
            "referenced_images (seq, table_code, url)",
            3,
            self.referenced,
            "",
        )
        .await
    }
}

/// The `referenced_images` row of a result record that names its acta's photo.
pub fn referenced_row(seq: u64, table: TableId, url: &str) -> Vec<Val> {
    vec![Val::from(seq), Val::from(table.to_string()), Val::from(url)]
}

/// The `images` view row of a photo's record.
pub fn image_row(seq: u64, image: &ImageRecord, source: &Source) -> Vec<Val> {
    vec![
        Val::from(image.sha256.as_str()),
        Val::from(seq),
        Val::from(image.status.as_str()),
        Val::from(image.table.map(|t| t.to_string())),
        Val::from(source.file.clone().unwrap_or_default()),
    ]
}

/// What the views should hold, recomputed from every record by the same decider as imports.
async fn recompute(tx: &mut Tx) -> Result<ViewRows, StoreError> {
    let geo = tx
        .fetch(
            "SELECT code, registered FROM tables WHERE in_geography = 1",
            vec![],
            &[Kind::T, Kind::I],
        )
        .await?;
    let mut d = Decider::default();
    for r in geo {
        if let Ok(t) = r[0].text().unwrap_or_default().parse() {
            d.tables.insert(t, r[1].int().map(|v| v as u64));
        }
    }
    let records = tx
        .fetch(
            "SELECT seq, body FROM records WHERE kind <> 'election' AND kind <> 'bulletin' \
             ORDER BY seq",
            vec![],
            &[Kind::I, Kind::T],
        )
        .await?;
    let mut out = ViewRows::default();
    for row in records {
        let seq = row[0].int().unwrap_or(0);
        let record =
            Record::from_bytes(row[1].text().unwrap_or_default().as_bytes()).map_err(|e| {
                StoreError::Corrupt {
                    seq,
                    message: e.to_string(),
                }
            })?;
        let seq = seq as u64;
        match &record.body {
            RecordBody::Result {
                result: r,
                image_url,
                ..
            } => {
                let (outcome, created) = d.decide(seq, r);
                if outcome == Outcome::Duplicate {
                    return Err(StoreError::Corrupt {
                        seq: seq as i64,
                        message: format!(
                            "duplicates an earlier record of table {}; duplicates are never stored",
                            r.table
                        ),
                    });
                }
                out.add(seq, r, outcome, created);
                if let Some(url) = image_url {
                    out.referenced.push(referenced_row(seq, r.table, url));
                }
            }
            RecordBody::Decision { decision } => {
                if let (review::Item::Table { table }, Some(counted)) =
                    (&decision.item, decision.counted)
                {
                    let replaced = d
                        .resolve(*table, counted)
                        .map_err(|e| StoreError::Corrupt {
                            seq: seq as i64,
                            message: e.to_string(),
                        })?;
                    if let Some(r) = replaced {
                        out.apply_replacement(&r);
                    }
                }
                out.add_record(seq, &record);
            }
            _ => out.add_record(seq, &record),
        }
    }
    out.fill_registered(&d);
    Ok(out)
}

pub async fn rebuild(db: &Db, election: &Election) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    tx.lock_for_write().await?;
    rebuild_in(&mut tx, election).await?;
    tx.commit().await
}

async fn rebuild_in(tx: &mut Tx, election: &Election) -> Result<(), StoreError> {
    let fresh = recompute(tx).await?;
    for stmt in [
        "DELETE FROM current",
        "DELETE FROM conflicts",
        "DELETE FROM aggregates",
        "DELETE FROM tables WHERE in_geography = 0",
        "DELETE FROM images",
        "DELETE FROM accounts",
        "DELETE FROM review_entries",
        "DELETE FROM decisions",
        "DELETE FROM reports",
        "DELETE FROM referenced_images",
    ] {
        tx.exec(stmt, vec![]).await?;
    }
    let aggregates = fresh.aggregates(election);
    fresh.insert(tx).await?;
    write_aggregates(tx, aggregates.by_place.iter().collect()).await
}

pub async fn check(db: &Db, election: &Election) -> Result<Vec<String>, StoreError> {
    // One read transaction: the records and the views are compared at one point in time.
    let mut tx = db.begin().await?;
    let fresh = recompute(&mut tx).await?;
    let fresh_aggregates = fresh.aggregates(election);
    let mut problems = Vec::new();
    let stored_current = tx
        .fetch(
            "SELECT table_code, seq, registered, valid, null_votes, votes FROM current",
            vec![],
            &[Kind::T, Kind::I, Kind::I, Kind::I, Kind::I, Kind::T],
        )
        .await?;
    let mut seen = BTreeSet::new();
    for row in stored_current {
        let code = row[0].text().unwrap_or_default().to_string();
        let Ok(table) = code.parse::<TableId>() else {
            problems.push(format!("current result of {code:?}: not a table id"));
            continue;
        };
        seen.insert(table);
        match fresh.current.get(&table) {
            None => problems.push(format!(
                "table {code} has a stored result but no record accepts it"
            )),
            Some((seq, r, reg)) => {
                let expected = current_row(*seq, r, *reg);
                if row != expected {
                    problems.push(format!(
                        "table {code}: stored result differs from record {seq} (stored valid {}, null {}, votes {}; record valid {}, null {}, votes {:?})",
                        row[3].int().unwrap_or(-1),
                        row[4].int().unwrap_or(-1),
                        row[5].text().unwrap_or_default(),
                        r.valid,
                        r.null,
                        r.votes
                    ));
                }
            }
        }
    }
    for t in fresh.current.keys().filter(|t| !seen.contains(t)) {
        problems.push(format!(
            "table {t} is accepted in the records but has no stored result"
        ));
    }
    let stored_conflicts: BTreeSet<(TableId, u64)> = tx
        .fetch(
            "SELECT table_code, seq FROM conflicts",
            vec![],
            &[Kind::T, Kind::I],
        )
        .await?
        .into_iter()
        .filter_map(|r| Some((r[0].text()?.parse().ok()?, r[1].int()? as u64)))
        .collect();
    if stored_conflicts != fresh.conflicts {
        problems.push(format!(
            "conflicts differ from the records: stored {}, recomputed {}",
            stored_conflicts.len(),
            fresh.conflicts.len()
        ));
    }
    let stored_images = tx
        .fetch(
            "SELECT sha256, seq, status, table_code, file FROM images ORDER BY seq",
            vec![],
            &[Kind::T, Kind::I, Kind::T, Kind::T, Kind::T],
        )
        .await?;
    if stored_images != fresh.images {
        problems.push(format!(
            "photos differ from the records: {} stored, {} in the records",
            stored_images.len(),
            fresh.images.len()
        ));
    }
    type Expected<'a> = (&'a str, &'a str, &'a [Kind], Vec<Vec<Val>>);
    let people: [Expected; 5] = [
        (
            "accounts",
            "SELECT name, role, scopes, token_sha256, seq FROM accounts ORDER BY name",
            &[Kind::T, Kind::T, Kind::T, Kind::T, Kind::I],
            fresh.accounts.values().cloned().collect(),
        ),
        (
            "review entries",
            "SELECT seq, item, by_name, revealed FROM review_entries ORDER BY seq",
            &[Kind::I, Kind::T, Kind::T, Kind::I],
            fresh.entries.values().cloned().collect(),
        ),
        (
            "decisions",
            "SELECT seq, item, table_code, counted, by_name FROM decisions ORDER BY seq",
            &[Kind::I, Kind::T, Kind::T, Kind::I, Kind::T],
            fresh.decisions.clone(),
        ),
        (
            "reports",
            "SELECT seq, table_code, problem, comment_sha256 FROM reports ORDER BY seq",
            &[Kind::I, Kind::T, Kind::T, Kind::T],
            fresh.reports.clone(),
        ),
        (
            "referenced images",
            "SELECT seq, table_code, url FROM referenced_images ORDER BY seq",
            &[Kind::I, Kind::T, Kind::T],
            fresh.referenced.clone(),
        ),
    ];
    // Compared as sets: the backends order text by different collations.
    let sorted = |mut rows: Vec<Vec<Val>>| {
        rows.sort_by_cached_key(|r| format!("{r:?}"));
        rows
    };
    for (what, sql, kinds, want) in people {
        let got = sorted(tx.fetch(sql, vec![], kinds).await?);
        let want = sorted(want);
        if got != want {
            problems.push(format!(
                "{what} differ from the records: {} stored, {} in the records",
                got.len(),
                want.len()
            ));
        }
    }
    let stored = load_aggregates(&mut tx).await?;
    drop(tx);
    for (key, sums) in &fresh_aggregates.by_place {
        match stored.by_place.get(key) {
            Some(s) if s == sums => {}
            other => problems.push(format!(
                "{} {:?}: stored totals {:?} differ from the records' {:?}",
                key.0.as_str(),
                key.1,
                other.map(|s| (s.tables, s.valid, s.null)),
                (sums.tables, sums.valid, sums.null)
            )),
        }
    }
    for key in stored
        .by_place
        .keys()
        .filter(|k| !fresh_aggregates.by_place.contains_key(*k))
    {
        problems.push(format!(
            "{} {:?}: stored totals with no record",
            key.0.as_str(),
            key.1
        ));
    }
    Ok(problems)
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GeographySummary {
    pub places: u64,
    pub tables: u64,
}

pub async fn import_geography(
    db: &Db,
    election: &Election,
    places: Vec<Place>,
    tables: Vec<(TableId, Option<u64>)>,
) -> Result<GeographySummary, StoreError> {
    let mut tx = db.begin().await?;
    tx.lock_for_write().await?;
    upsert_places(&mut tx, &places, true).await?;
    let rows = tables
        .iter()
        .map(|(t, r)| vec![Val::from(t.to_string()), Val::from(*r), Val::from(1i64)])
        .collect();
    tx.insert_many(
        "tables (code, registered, in_geography)",
        3,
        rows,
        "ON CONFLICT (code) DO UPDATE SET registered = COALESCE(excluded.registered, tables.registered), in_geography = 1",
    )
    .await?;
    rebuild_in(&mut tx, election).await?;
    tx.commit().await?;
    Ok(GeographySummary {
        places: places.len() as u64,
        tables: tables.len() as u64,
    })
}
