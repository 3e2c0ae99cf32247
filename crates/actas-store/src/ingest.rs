//! Accepting photos: every distinct image becomes an `image` record (kept whatever it shows);
//! a readable, valid one also offers its result to the same decider as CSV rows, so a second
//! photo of a counted table is consolidated and a different version is a conflict.

use std::collections::HashSet;

use actas_core::validate::{self, Problem, Severity};
use actas_core::{Election, ImageRecord, ImageStatus, RecordBody, Source, TableId};

use crate::StoreError;
use crate::apply::{Batch, Outcome, load_state};
use crate::db::{Db, Kind, Tx, Val};
use crate::log::LogWriter;

/// One photo, already scanned and already stored as a blob.
#[derive(Debug, Clone)]
pub struct Photo {
    /// File name (not the path).
    pub file: String,
    pub sha256: String,
    pub bytes: u64,
    /// What scanning gave: the QR text, or why nothing could be read.
    pub scan: Result<String, String>,
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
    pub records_appended: u64,
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

pub async fn ingest(
    db: &Db,
    election: &Election,
    photos: Vec<Photo>,
    log_writer: &LogWriter,
) -> Result<IngestSummary, StoreError> {
    let mut tx = db.begin().await?;
    tx.lock_for_write().await?;
    let mut batch = Batch::begin(&mut tx).await?;
    let shas: Vec<String> = photos.iter().map(|p| p.sha256.clone()).collect();
    let mut seen = known_images(&mut tx, &shas).await?;
    let parsed: Vec<Option<TableId>> = photos
        .iter()
        .map(|p| {
            let text = p.scan.as_ref().ok()?;
            actas_core::payload::parse(text, election)
                .ok()
                .map(|x| x.acta_id.table)
        })
        .collect();
    let mut touched: Vec<TableId> = parsed.iter().flatten().copied().collect();
    touched.sort();
    touched.dedup();
    let mut decider = load_state(&mut tx, &touched).await?;

    let mut summary = IngestSummary::default();
    for photo in photos {
        if !seen.insert(photo.sha256.clone()) {
            summary.seen += 1;
            continue;
        }
        summary.photos += 1;
        let source = Source {
            kind: "photo".into(),
            file: Some(photo.file.clone()),
            line: None,
            sha256: Some(photo.sha256.clone()),
        };
        let (status, payload, accepted, table, problems) = match &photo.scan {
            Err(reason) => {
                summary.unreadable += 1;
                let problem = Problem {
                    rule: "unreadable".into(),
                    severity: Severity::Reject,
                    message: reason.clone(),
                };
                (ImageStatus::Unreadable, None, None, None, vec![problem])
            }
            Ok(text) => {
                let table = actas_core::payload::parse(text, election)
                    .ok()
                    .map(|p| p.acta_id.table);
                let known = table.and_then(|t| decider.tables.get(&t).copied().flatten());
                let (p, problems) = validate::check_payload(election, text, known);
                if validate::has_reject(&problems) {
                    summary.invalid += 1;
                    (
                        ImageStatus::Invalid,
                        Some(text.clone()),
                        None,
                        table,
                        problems,
                    )
                } else {
                    let result = p.map(|p| p.to_result(election));
                    (
                        ImageStatus::Read,
                        Some(text.clone()),
                        result,
                        table,
                        problems,
                    )
                }
            }
        };
        let image_seq = batch.push(
            source.clone(),
            RecordBody::Image {
                image: ImageRecord {
                    sha256: photo.sha256.clone(),
                    bytes: photo.bytes,
                    status,
                    payload,
                    table,
                    problems: problems.clone(),
                },
            },
            table,
        );
        batch.images.push(vec![
            Val::from(photo.sha256.as_str()),
            Val::from(image_seq),
            Val::from(status.as_str()),
            Val::from(table.map(|t| t.to_string())),
            Val::from(photo.file.as_str()),
        ]);
        if let Some(result) = accepted {
            let t = result.table;
            let source = Source {
                kind: "qr".into(),
                ..source
            };
            match batch.accept(&mut decider, source, result, problems) {
                Outcome::New => summary.new_tables += 1,
                Outcome::Duplicate => summary.consolidated += 1,
                Outcome::Conflict => {
                    summary.conflicts += 1;
                    summary.conflicting_tables.push(t.to_string());
                }
            }
        }
    }
    let (appended, _) = batch.write(&mut tx, &decider, election, log_writer).await?;
    summary.records_appended = appended;
    tx.commit().await?;
    Ok(summary)
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
