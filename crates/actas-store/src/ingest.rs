//! Accepting photos: every distinct image becomes an `image` record (kept whatever it shows);
//! a readable, valid one also offers its result to the same decider as CSV rows, so a second
//! photo of a counted table is consolidated and a different version is a conflict.

use std::collections::HashSet;

use actas_core::payload::Payload;
use actas_core::validate::{self, Problem, Severity};
use actas_core::{Election, ImageRecord, ImageStatus, RecordBody, Source, TableId, TableResult};

use crate::StoreError;
use crate::apply::{Batch, Outcome, load_state};
use crate::db::{Db, Kind, Tx, Val};
use crate::log::LogWriter;

/// One photo, already scanned, whose original is already durable in the blob store.
#[derive(Debug, Clone)]
pub struct Photo {
    /// Where it came from (`kind` "photo" for a file, "upload" for a witness's upload...);
    /// its `sha256` is the photo's.
    pub source: Source,
    pub sha256: String,
    pub bytes: u64,
    /// What scanning gave: the QR text, or why nothing could be read.
    pub scan: Result<String, String>,
}

/// What became of one photo offered to [`ingest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoOutcome {
    /// Its exact bytes were already stored: nothing written.
    AlreadyStored,
    /// Stored as record `image_seq`; what its code said.
    Stored { image_seq: u64, read: PhotoRead },
}

/// What a newly stored photo's code said, and what that did to its table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoRead {
    /// A valid acta of a table counted for the first time.
    NewTable(TableId),
    /// A valid acta with the same numbers as a stored version: photo kept, table unchanged.
    Consolidated(TableId),
    /// A valid acta with numbers that differ from the counted version: kept, table flagged.
    Conflict(TableId),
    /// No readable code: in the review queue.
    Unreadable(String),
    /// A code that is not a valid acta: in the review queue.
    Invalid {
        table: Option<TableId>,
        reason: String,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestSummary {
    /// Photos stored for the first time.
    pub photos: u64,
    /// Photos whose exact bytes were already stored: nothing written.
    pub seen: u64,
    /// Readable photos of a table counted for the first time.
    pub new_tables: u64,
    /// Readable photos with the same counts as a stored version: photo kept, table unchanged.
    pub consolidated: u64,
    /// Readable photos with different counts from the counted version: kept, table flagged.
    pub conflicts: u64,
    pub conflicting_tables: Vec<String>,
    /// Photos with no readable code: in the review queue.
    pub unreadable: u64,
    /// Photos whose code is not a valid acta: in the review queue.
    pub invalid: u64,
}

impl IngestSummary {
    pub fn add(&mut self, outcome: &PhotoOutcome) {
        let PhotoOutcome::Stored { read, .. } = outcome else {
            self.seen += 1;
            return;
        };
        self.photos += 1;
        match read {
            PhotoRead::NewTable(_) => self.new_tables += 1,
            PhotoRead::Consolidated(_) => self.consolidated += 1,
            PhotoRead::Conflict(t) => {
                self.conflicts += 1;
                self.conflicting_tables.push(t.to_string());
            }
            PhotoRead::Unreadable(_) => self.unreadable += 1,
            PhotoRead::Invalid { .. } => self.invalid += 1,
        }
    }
}

const IN_CHUNK: usize = 250;

/// Which of these hashes are already stored as photos.
pub async fn known_images(tx: &mut Tx, shas: &[String]) -> Result<HashSet<String>, StoreError> {
    let mut known = HashSet::new();
    for chunk in shas.chunks(IN_CHUNK) {
        let list = (1..=chunk.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(",");
        let args = chunk.iter().map(|s| Val::from(s.as_str())).collect();
        for row in tx
            .fetch(
                &format!("SELECT sha256 FROM images WHERE sha256 IN ({list})"),
                args,
                &[Kind::T],
            )
            .await?
        {
            known.insert(row[0].text().unwrap_or_default().to_string());
        }
    }
    Ok(known)
}

/// What one photo's code says before the decider sees it.
struct Reading {
    status: ImageStatus,
    table: Option<TableId>,
    problems: Vec<Problem>,
    /// The result to offer the decider: a valid acta's.
    result: Option<TableResult>,
}

/// Records a batch of photos in one transaction: every distinct photo is an `image` record;
/// a valid acta also offers its result to the decider. Returns one outcome per photo, in
/// order.
pub async fn ingest(
    db: &Db,
    election: &Election,
    photos: Vec<Photo>,
    log_writer: &LogWriter,
) -> Result<Vec<PhotoOutcome>, StoreError> {
    let mut tx = db.begin().await?;
    tx.lock_for_write().await?;
    let mut batch = Batch::begin(&mut tx).await?;
    let shas: Vec<String> = photos.iter().map(|p| p.sha256.clone()).collect();
    let mut seen = known_images(&mut tx, &shas).await?;
    // Each code is parsed once; its table must be known before the rules can run (they need
    // the table's registered voters, which the store knows).
    let parsed: Vec<Option<Result<Payload, Problem>>> = photos
        .iter()
        .map(|p| {
            let text = p.scan.as_ref().ok()?;
            Some(validate::parse_payload(election, text))
        })
        .collect();
    let mut touched: Vec<TableId> = parsed
        .iter()
        .flatten()
        .flatten()
        .map(|p| p.acta_id.table)
        .collect();
    touched.sort();
    touched.dedup();
    let mut decider = load_state(&mut tx, &touched).await?;

    let mut outcomes = Vec::with_capacity(photos.len());
    for (photo, parsed) in photos.into_iter().zip(parsed) {
        if !seen.insert(photo.sha256.clone()) {
            outcomes.push(PhotoOutcome::AlreadyStored);
            continue;
        }
        let reading = match (&photo.scan, parsed) {
            (Err(reason), _) => Reading {
                status: ImageStatus::Unreadable,
                table: None,
                problems: vec![Problem {
                    rule: "unreadable".into(),
                    severity: Severity::Reject,
                    message: reason.clone(),
                }],
                result: None,
            },
            (Ok(_), Some(Ok(payload))) => {
                let table = payload.acta_id.table;
                let known = decider.tables.get(&table).copied().flatten();
                let problems = validate::check_parsed_payload(election, &payload, known);
                let valid = !validate::has_reject(&problems);
                Reading {
                    status: if valid {
                        ImageStatus::Read
                    } else {
                        ImageStatus::Invalid
                    },
                    table: Some(table),
                    problems,
                    result: valid.then(|| payload.to_result(election)),
                }
            }
            (Ok(_), parse_error) => Reading {
                status: ImageStatus::Invalid,
                table: None,
                problems: parse_error.and_then(Result::err).into_iter().collect(),
                result: None,
            },
        };
        let image = ImageRecord {
            sha256: photo.sha256.clone(),
            bytes: photo.bytes,
            status: reading.status,
            payload: photo.scan.as_ref().ok().cloned(),
            table: reading.table,
            problems: reading.problems.clone(),
        };
        let image_seq = batch.push(
            photo.source.clone(),
            RecordBody::Image { image },
            reading.table,
        );
        let reason = || {
            reading
                .problems
                .iter()
                .find(|p| p.severity == Severity::Reject)
                .map(|p| p.message.clone())
                .unwrap_or_default()
        };
        let read = match (reading.status, reading.result.clone()) {
            (ImageStatus::Unreadable, _) => PhotoRead::Unreadable(reason()),
            (_, None) => PhotoRead::Invalid {
                table: reading.table,
                reason: reason(),
            },
            (_, Some(result)) => {
                let t = result.table;
                let source = Source {
                    kind: "qr".into(),
                    ..photo.source
                };
                match batch.accept(&mut decider, source, result, reading.problems, None) {
                    Outcome::New => PhotoRead::NewTable(t),
                    Outcome::Duplicate => PhotoRead::Consolidated(t),
                    Outcome::Conflict => PhotoRead::Conflict(t),
                }
            }
        };
        outcomes.push(PhotoOutcome::Stored { image_seq, read });
    }
    batch.write(&mut tx, &decider, election, log_writer).await?;
    tx.commit().await?;
    Ok(outcomes)
}

/// A stored photo as the `images` view lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredImage {
    pub seq: u64,
    pub sha256: String,
    pub status: String,
    pub table: Option<String>,
    pub file: String,
}

/// Stored photos, oldest first; with `review_only`, those waiting for a human (unreadable, or
/// their code is not a valid acta).
pub async fn images(db: &Db, review_only: bool) -> Result<Vec<StoredImage>, StoreError> {
    let filter = if review_only {
        "WHERE status <> 'read'"
    } else {
        ""
    };
    let rows = db
        .fetch(
            &format!(
                "SELECT seq, sha256, status, table_code, file FROM images {filter} ORDER BY seq"
            ),
            vec![],
            &[Kind::I, Kind::T, Kind::T, Kind::T, Kind::T],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| StoredImage {
            seq: r[0].int().unwrap_or(0) as u64,
            sha256: r[1].text().unwrap_or_default().to_string(),
            status: r[2].text().unwrap_or_default().to_string(),
            table: r[3].text().map(str::to_string),
            file: r[4].text().unwrap_or_default().to_string(),
        })
        .collect())
}
