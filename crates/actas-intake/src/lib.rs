//! The photo intake: photo bytes and where they came from, to a recorded, proven photo.
//! Owns the size limit, hashing, dedupe, scanning and the order "original durable, then
//! record". Never decides what a result is (the store's decider does), never renders a page.
//!
//! Every path that brings photos (`actas ingest` from folders, uploads from witnesses, images
//! fetched from URLs) goes through the same two steps:
//!
//! 1. [`Intake::read`] (CPU, any thread): limits, SHA-256, skip what is already stored, scan.
//! 2. [`Intake::record`] (async): store the originals durably, then record the batch in one
//!    store transaction. [`Intake::record_stream`] does this for photos arriving on a channel,
//!    in batches, so many small arrivals cost what one batch costs.
//!
//! Architecture invariant: only the intake writes originals, and it writes each before the
//! transaction that records it, so a record never names a missing image.

mod fetch;

pub use fetch::{FetchError, FetchOptions, Fetcher};

use std::collections::HashSet;
use std::io::Read as _;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actas_core::review::AccountRecord;
use actas_core::{Source, TableId};
use actas_scan::{ScanStatus, Unreadable};
use actas_store::blobs::{BlobStore, sha256_hex};
use actas_store::{Photo, PhotoOutcome, Store, StoreError};
use tokio::sync::mpsc;

/// Limits on what the intake accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest photo, in bytes. Real actas are under 2 MB; phone photos under 10 MB.
    pub max_bytes: u64,
}

impl Limits {
    /// The default photo size limit: 15 MiB.
    pub const DEFAULT_MAX_BYTES: u64 = 15 << 20;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: Self::DEFAULT_MAX_BYTES,
        }
    }
}

/// Where a photo came from: what its record names as its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A file; only its name is recorded (a full path can leak and means nothing to others).
    File { name: String },
    /// Sent by an account (a witness). Its photo must be an image that decodes, and an acta
    /// of a table in the account's scope.
    Upload {
        account: AccountRecord,
        /// The file name the sender gave, if any.
        name: Option<String>,
    },
    /// Fetched from the link a results file gives for the acta of a table. It must be an
    /// image that decodes.
    Url { url: String },
}

impl Origin {
    /// The origin of a file at `path`.
    pub fn file(path: &Path) -> Origin {
        Origin::File {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string()),
        }
    }

    fn source(&self, sha256: &str) -> Source {
        let (kind, file, by) = match self {
            Origin::File { name } => ("photo", Some(name.clone()), None),
            Origin::Upload { account, name } => (
                "upload",
                name.as_deref().map(safe_file_name),
                Some(account.name.clone()),
            ),
            Origin::Url { url } => ("url", Some(url.clone()), None),
        };
        Source {
            file,
            sha256: Some(sha256.to_string()),
            by,
            ..Source::of(kind)
        }
    }
}

/// A file name as a sender gave it, kept only as far as it is plain: letters, digits and
/// `.-_`, at most 80 of them (it is shown to reviewers and logged).
fn safe_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = base
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .take(80)
        .collect();
    if clean.is_empty() {
        "upload".into()
    } else {
        clean
    }
}

/// Why a photo was not taken. Nothing of it was stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{bytes} bytes; photos over {limit} bytes are refused")]
    TooLarge { bytes: u64, limit: u64 },
    #[error("not a regular file")]
    NotAFile,
    #[error("{0}")]
    Unreadable(String),
    /// An upload that is not an image this intake can decode (or one too large to decode).
    #[error("not a usable image: {0}")]
    NotAnImage(String),
    /// An upload of an acta of a table outside the sender's scope.
    #[error("the acta is of table {table}, outside the places this account may send")]
    OutOfScope { table: TableId },
    /// A linked photo that could not be fetched.
    #[error("could not be fetched: {0}")]
    Fetch(#[from] FetchError),
}

/// A photo read and scanned, ready to record.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub sha256: String,
    bytes: Vec<u8>,
    source: Source,
    /// What scanning gave: the QR text, or why nothing could be read.
    pub scan: Result<String, String>,
}

/// What [`Intake::read`] made of a photo.
#[derive(Debug, Clone)]
pub enum Read {
    Ready(Box<Prepared>),
    /// The same bytes are already stored: not scanned again.
    Known {
        sha256: String,
    },
    Refused(Refusal),
}

/// What became of a photo: its outcome in the store, or why it was refused.
pub type Outcome = Result<PhotoOutcome, Refusal>;

/// Errors that stop the intake (the store or the blob store failed); nothing of the batch
/// was recorded.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("storing an original: {0}")]
    Blob(String),
}

/// How [`Intake::record_stream`] groups arrivals into transactions.
#[derive(Debug, Clone, Copy)]
pub struct Batching {
    /// Photos per transaction (and per log checkpoint at most).
    pub photos: usize,
    /// Bytes of originals held in memory before a batch is recorded.
    pub bytes: u64,
    /// Longest a photo waits for others to join its batch.
    pub wait: Duration,
}

impl Default for Batching {
    fn default() -> Self {
        Batching {
            photos: 256,
            bytes: 256 << 20,
            wait: Duration::from_secs(2),
        }
    }
}

/// Reads a photo file as the intake takes it: a regular file of at most `limits.max_bytes`.
/// The size is checked while reading, not from the file's metadata.
pub fn read_file(path: &Path, limits: &Limits) -> Result<Vec<u8>, Refusal> {
    let unreadable = |e: std::io::Error| Refusal::Unreadable(e.to_string());
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let meta = file.metadata().map_err(unreadable)?;
    if !meta.is_file() {
        return Err(Refusal::NotAFile);
    }
    if meta.len() > limits.max_bytes {
        return Err(Refusal::TooLarge {
            bytes: meta.len(),
            limit: limits.max_bytes,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limits.max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > limits.max_bytes {
        return Err(Refusal::TooLarge {
            bytes: bytes.len() as u64,
            limit: limits.max_bytes,
        });
    }
    Ok(bytes)
}

/// The intake of one store: its blob store, its limits and the hashes already stored.
pub struct Intake {
    store: Arc<Store>,
    blobs: Arc<dyn BlobStore>,
    limits: Limits,
    /// SHA-256 of every photo stored, to skip scanning them again. The store's transaction
    /// checks again, so a photo stored by another process meanwhile is still one photo.
    known: Mutex<HashSet<String>>,
}

impl Intake {
    /// The intake of `store`, which must know where its originals go
    /// ([`Store::with_blobs`]).
    pub async fn open(store: Arc<Store>, limits: Limits) -> Result<Intake, IntakeError> {
        let blobs = store.blobs().cloned().ok_or_else(|| {
            IntakeError::Store(StoreError::Invalid(
                "this store has no place for original photos (no blob store)".into(),
            ))
        })?;
        let known = store
            .images()
            .await?
            .into_iter()
            .map(|i| i.sha256)
            .collect();
        Ok(Intake {
            store,
            blobs,
            limits,
            known: Mutex::new(known),
        })
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    fn known(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        // A poisoned set only holds hashes: keep using it.
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Checks, hashes and scans one photo (CPU work: call it from worker threads).
    pub fn read(&self, bytes: Vec<u8>, origin: &Origin) -> Read {
        if bytes.len() as u64 > self.limits.max_bytes {
            return Read::Refused(Refusal::TooLarge {
                bytes: bytes.len() as u64,
                limit: self.limits.max_bytes,
            });
        }
        let sha256 = sha256_hex(&bytes);
        if self.known().contains(&sha256) {
            return Read::Known { sha256 };
        }
        let outcome = actas_scan::scan_hashed_bytes(&bytes, sha256.clone());
        // What a person sends or a link gives must be a photo; a folder of files may hold
        // anything, and every file of it is kept for review.
        if matches!(origin, Origin::Upload { .. } | Origin::Url { .. })
            && let ScanStatus::Unreadable {
                reason: Unreadable::Image(e),
            } = &outcome.status
        {
            return Read::Refused(Refusal::NotAnImage(e.to_string()));
        }
        if let (Origin::Upload { account, .. }, ScanStatus::Read { payload }) =
            (origin, &outcome.status)
            && let Ok(p) = actas_core::payload::parse(payload, self.store.election())
            && !account.covers(p.acta_id.table)
        {
            return Read::Refused(Refusal::OutOfScope {
                table: p.acta_id.table,
            });
        }
        Read::Ready(Box::new(Prepared {
            source: origin.source(&sha256),
            scan: match outcome.status {
                ScanStatus::Read { payload } => Ok(payload),
                ScanStatus::Unreadable { reason } => Err(reason.to_string()),
            },
            sha256,
            bytes,
        }))
    }

    /// Records photos read by [`Intake::read`] in one transaction, after storing their
    /// originals durably. One outcome per photo, in order.
    pub async fn record(&self, reads: Vec<Read>) -> Result<Vec<Outcome>, IntakeError> {
        let mut puts = tokio::task::JoinSet::new();
        let mut photos = Vec::new();
        let mut slots = Vec::with_capacity(reads.len());
        for read in reads {
            match read {
                Read::Refused(r) => slots.push(Some(Err(r))),
                Read::Known { .. } => slots.push(Some(Ok(PhotoOutcome::AlreadyStored))),
                Read::Ready(p) => {
                    let Prepared {
                        sha256,
                        bytes,
                        source,
                        scan,
                    } = *p;
                    photos.push(Photo {
                        source,
                        sha256: sha256.clone(),
                        bytes: bytes.len() as u64,
                        scan,
                    });
                    let blobs = self.blobs.clone();
                    puts.spawn(async move { blobs.put(&sha256, &bytes).await });
                    slots.push(None);
                }
            }
        }
        // The originals are durable before the transaction that names them.
        while let Some(put) = puts.join_next().await {
            put.map_err(|e| IntakeError::Blob(e.to_string()))??;
        }
        let shas: Vec<String> = photos.iter().map(|p| p.sha256.clone()).collect();
        let mut recorded = if photos.is_empty() {
            Vec::new()
        } else {
            self.store.ingest(photos).await?
        }
        .into_iter();
        self.known().extend(shas);
        Ok(slots
            .into_iter()
            .map(|slot| slot.unwrap_or_else(|| Ok(recorded.next().expect("one outcome per photo"))))
            .collect())
    }

    /// Records photos as they arrive on `rx`, tagged by the caller (a path, a reply channel),
    /// in batches ([`Batching`]), until every sender is gone. `done` gets each batch's
    /// outcomes with their tags, in arrival order. On an error the photos of the failed
    /// batch are not recorded and the error is returned; senders see the channel closed.
    pub async fn record_stream<T>(
        &self,
        rx: &mut mpsc::Receiver<(T, Read)>,
        batching: Batching,
        mut done: impl FnMut(Vec<(T, Outcome)>),
    ) -> Result<(), IntakeError> {
        let mut tags = Vec::new();
        let mut reads = Vec::new();
        let mut bytes = 0u64;
        let mut deadline = None;
        loop {
            let next = match deadline {
                None => rx.recv().await,
                Some(at) => match tokio::time::timeout_at(at, rx.recv()).await {
                    Ok(item) => item,
                    Err(_) => {
                        self.flush(&mut tags, &mut reads, &mut done).await?;
                        (bytes, deadline) = (0, None);
                        continue;
                    }
                },
            };
            let Some((tag, read)) = next else {
                return self.flush(&mut tags, &mut reads, &mut done).await;
            };
            if let Read::Ready(p) = &read {
                bytes += p.bytes.len() as u64;
            }
            tags.push(tag);
            reads.push(read);
            deadline.get_or_insert_with(|| tokio::time::Instant::now() + batching.wait);
            if reads.len() >= batching.photos || bytes >= batching.bytes {
                self.flush(&mut tags, &mut reads, &mut done).await?;
                (bytes, deadline) = (0, None);
            }
        }
    }

    async fn flush<T>(
        &self,
        tags: &mut Vec<T>,
        reads: &mut Vec<Read>,
        done: &mut impl FnMut(Vec<(T, Outcome)>),
    ) -> Result<(), IntakeError> {
        if reads.is_empty() {
            return Ok(());
        }
        let outcomes = self.record(std::mem::take(reads)).await?;
        done(std::mem::take(tags).into_iter().zip(outcomes).collect());
        Ok(())
    }
}
