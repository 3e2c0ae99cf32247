//! The store: the append-only history of accepted records, the views derived from it, the
//! transparency log kept beside them and the original photos. It decides new / duplicate /
//! conflict; it never parses an input file, never scans an image and knows no HTTP.
//!
//! Architecture invariants:
//! - `records` is append-only; a record's `seq` is its index in the transparency log. Nothing
//!   updates or deletes a record.
//! - Every derived view (`current`, `conflicts`, `aggregates`, tables created from records) is a
//!   function of `records` (plus the loaded geography) and is rebuilt by [`Store::rebuild_views`];
//!   [`Store::check_views`] proves it.
//! - A write is one transaction: the records and the views they change commit together or not
//!   at all. SQLite runs in WAL mode with `synchronous=FULL`, so a commit that returned survives
//!   kill -9 and power loss.
//! - A table's counted result is the first accepted version; a different later version is kept
//!   as a record and flags the table as conflicting. Nothing is silently replaced.

mod apply;
pub mod blobs;
mod bulletins;
mod datadir;
mod db;
mod ingest;
mod log;
mod read;
mod review;
mod views;

use std::path::PathBuf;

use actas_core::{Election, Level, Place, Record, RecordBody, Source, TableId};

pub use actas_core::{Incoming, QuarantinedRow};
pub use apply::{ImportSummary, Outcome};
pub use bulletins::{BulletinAdded, StoredBulletin};
pub use datadir::DataDir;
pub use db::Db;
use db::{Kind, Val};
pub use ingest::{IngestSummary, Photo, PhotoOutcome, PhotoRead, StoredImage};
pub use log::{LogCopy, LogReport, ProofUnavailable, StoredCheckpoint};
pub use read::{Counted, Referenced, TableVersion};
pub use review::{
    Account, AuditEntry, AuditFilter, Choice, EntryOutcome, OPERATOR, QueueItem, token_hash,
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    NotInitialised(String),
    #[error("{0}")]
    Invalid(String),
    #[error("stored record {seq} is unreadable: {message}")]
    Corrupt { seq: i64, message: String },
}

/// Where the data lives.
#[derive(Debug, Clone)]
pub enum Target {
    /// The embedded default: `DIR/actas.db`.
    Sqlite(PathBuf),
    Postgres(String),
}

impl Target {
    pub fn describe(&self) -> String {
        match self {
            Target::Sqlite(p) => format!("SQLite {}", p.display()),
            Target::Postgres(url) => format!("PostgreSQL {}", redact(url)),
        }
    }
}

/// Hides a password in a database URL before it is printed.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// The current time as RFC 3339 UTC, for records.
pub fn now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

pub struct Store {
    db: Db,
    election: Election,
    log: log::LogWriter,
    blobs: Option<std::sync::Arc<dyn blobs::BlobStore>>,
}

/// A stored record with its log index.
#[derive(Debug, Clone)]
pub struct StoredRecord {
    pub seq: u64,
    pub bytes: Vec<u8>,
}

impl Store {
    async fn connect(target: &Target) -> Result<Db, StoreError> {
        match target {
            Target::Sqlite(path) => {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        StoreError::Invalid(format!("cannot create {}: {e}", dir.display()))
                    })?;
                }
                Db::sqlite(path).await
            }
            Target::Postgres(url) => Db::postgres(url).await,
        }
    }

    /// Creates the schema and records the election definition as record 0. Initialising again
    /// with the same definition is a no-op; with another one, an error.
    pub async fn init(target: &Target, election: &Election) -> Result<Store, StoreError> {
        election
            .check()
            .map_err(|e| StoreError::Invalid(format!("election definition: {e}")))?;
        let db = Self::connect(target).await?;
        let mut tx = db.begin().await?;
        for stmt in db::SCHEMA {
            tx.exec(stmt, vec![]).await?;
        }
        tx.exec(
            "INSERT INTO meta (key, value) VALUES ('writer', '') ON CONFLICT (key) DO NOTHING",
            vec![],
        )
        .await?;
        tx.lock_for_write().await?;
        let existing = tx
            .fetch("SELECT body FROM records WHERE seq = 0", vec![], &[Kind::T])
            .await?;
        if let Some(row) = existing.first() {
            let stored = election_of(row[0].text().unwrap_or_default())?;
            if &stored != election {
                return Err(StoreError::Invalid(format!(
                    "{} already holds election {:?}; use another data directory or database",
                    target.describe(),
                    stored.id
                )));
            }
        } else {
            let mut batch = apply::Batch::begin(&mut tx).await?;
            let definition = Source {
                kind: "definition".into(),
                file: None,
                line: None,
                sha256: None,
                by: None,
            };
            let body = RecordBody::Election {
                election: Box::new(election.clone()),
            };
            batch.push(definition, body, None);
            batch
                .write(&mut tx, &Default::default(), election, &Default::default())
                .await?;
            let states: Vec<Place> = election.states.clone();
            views::upsert_places(&mut tx, &states, true).await?;
        }
        // A store made before the log existed gets its log here.
        log::catch_up(&mut tx).await?;
        tx.commit().await?;
        Ok(Store {
            db,
            election: election.clone(),
            log: Default::default(),
            blobs: None,
        })
    }

    /// Opens an initialised store and reads its election definition from record 0.
    pub async fn open(target: &Target) -> Result<Store, StoreError> {
        if let Target::Sqlite(path) = target
            && !path.exists()
        {
            return Err(StoreError::NotInitialised(format!(
                "no store at {}: run `actas init` first (or pass --data DIR)",
                path.display()
            )));
        }
        let db = Self::connect(target).await?;
        let rows = db
            .fetch("SELECT body FROM records WHERE seq = 0", vec![], &[Kind::T])
            .await
            .map_err(|_| {
                StoreError::NotInitialised(format!(
                    "{} is not an actas store: run `actas init` first",
                    target.describe()
                ))
            })?;
        let Some(row) = rows.first() else {
            return Err(StoreError::NotInitialised(format!(
                "{} has no election: run `actas init` first",
                target.describe()
            )));
        };
        let election = election_of(row[0].text().unwrap_or_default())?;
        // A store made by an older build lacks the tables of later features; say so, rather
        // than fail later with "no such table" in the middle of a command.
        let mut missing = Vec::new();
        for table in db::schema_tables() {
            let probe = format!("SELECT 1 FROM {table} WHERE 1 = 0");
            if db.fetch(&probe, vec![], &[]).await.is_err() {
                missing.push(table);
            }
        }
        if !missing.is_empty() {
            return Err(StoreError::NotInitialised(format!(
                "{} was made by an older version of actas and lacks the table(s) {}: run \
                 `actas init` on it again (same --data or --database-url); that adds what is \
                 missing and keeps every record",
                target.describe(),
                missing.join(", ")
            )));
        }
        Ok(Store {
            db,
            election,
            log: Default::default(),
            blobs: None,
        })
    }

    pub fn election(&self) -> &Election {
        &self.election
    }

    pub fn backend(&self) -> &'static str {
        self.db.backend()
    }

    pub async fn close(self) {
        self.db.close().await
    }

    /// Number of records (= size of the transparency log).
    pub async fn record_count(&self) -> Result<u64, StoreError> {
        let rows = self
            .db
            .fetch("SELECT COUNT(*) FROM records", vec![], &[Kind::I])
            .await?;
        Ok(rows[0][0].int().unwrap_or(0) as u64)
    }

    /// Records with `from <= seq < to`, in order.
    pub async fn records(&self, from: u64, to: u64) -> Result<Vec<StoredRecord>, StoreError> {
        let rows = self
            .db
            .fetch(
                "SELECT seq, body FROM records WHERE seq >= $1 AND seq < $2 ORDER BY seq",
                vec![Val::from(from), Val::from(to)],
                &[Kind::I, Kind::T],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| StoredRecord {
                seq: r[0].int().unwrap_or(0) as u64,
                bytes: r[1].text().unwrap_or_default().as_bytes().to_vec(),
            })
            .collect())
    }

    /// Accepts a batch of results (one import) in one transaction. See [`apply`].
    pub async fn import(
        &self,
        incoming: Vec<Incoming>,
        places: Vec<Place>,
        quarantined: Vec<QuarantinedRow>,
        all_or_nothing: bool,
    ) -> Result<ImportSummary, StoreError> {
        apply::import(
            &self.db,
            &self.election,
            incoming,
            places,
            quarantined,
            all_or_nothing,
            &self.log,
        )
        .await
    }

    /// Loads a geography: places (names and expected table counts) and tables with their
    /// registered voters. Then rebuilds the views, since registered voters of counted tables
    /// may now be known.
    pub async fn import_geography(
        &self,
        places: Vec<Place>,
        tables: Vec<(actas_core::TableId, Option<u64>)>,
    ) -> Result<views::GeographySummary, StoreError> {
        views::import_geography(&self.db, &self.election, places, tables).await
    }

    pub async fn results(
        &self,
        level: Level,
        within: Option<&str>,
    ) -> Result<actas_core::Results, StoreError> {
        views::results(&self.db, &self.election, level, within).await
    }

    pub async fn quarantine(&self) -> Result<Vec<QuarantinedRow>, StoreError> {
        views::quarantine(&self.db).await
    }

    /// Tables with more than one version, with the seqs of every version (first = counted).
    pub async fn conflicts(&self) -> Result<Vec<(String, Vec<u64>)>, StoreError> {
        views::conflicts(&self.db).await
    }

    /// Recomputes every derived view from the records.
    pub async fn rebuild_views(&self) -> Result<(), StoreError> {
        views::rebuild(&self.db, &self.election).await
    }

    /// Recomputes the derived views from the records in memory and compares them with the
    /// stored ones; returns the differences found (empty when they agree).
    pub async fn check_views(&self) -> Result<Vec<String>, StoreError> {
        views::check(&self.db, &self.election).await
    }

    /// The counted result of every table and the record that holds it (registered voters
    /// filled in from the geography). The one answer to "which version counts".
    pub async fn current_results(&self) -> Result<Vec<Counted>, StoreError> {
        read::current_results(&self.db).await
    }

    /// Every stored version of a table's result, oldest first.
    pub async fn table_versions(
        &self,
        table: actas_core::TableId,
    ) -> Result<Vec<TableVersion>, StoreError> {
        read::table_versions(&self.db, table).await
    }

    pub async fn places(
        &self,
        level: Level,
        within: Option<&str>,
    ) -> Result<Vec<Place>, StoreError> {
        read::places(&self.db, level, within).await
    }

    pub async fn tables_of_centre(
        &self,
        centre: actas_core::CentreCode,
    ) -> Result<Vec<(actas_core::TableId, Option<u64>)>, StoreError> {
        read::tables_of_centre(&self.db, centre).await
    }

    /// Records a batch of scanned photos, whose originals are already durable in the blob
    /// store, in one transaction; one outcome per photo, in order.
    pub async fn ingest(&self, photos: Vec<Photo>) -> Result<Vec<PhotoOutcome>, StoreError> {
        ingest::ingest(&self.db, &self.election, photos, &self.log).await
    }

    /// Photos waiting for a human (unreadable, or not a valid acta), oldest first.
    pub async fn review_queue(&self) -> Result<Vec<StoredImage>, StoreError> {
        ingest::images(&self.db, true).await
    }

    /// Every table the store knows (the geography's and those created by records), in order.
    pub async fn known_tables(&self) -> Result<Vec<TableId>, StoreError> {
        read::known_tables(&self.db).await
    }

    /// Every photo a results file links to, and whether it is stored yet.
    pub async fn referenced_images(&self) -> Result<Vec<Referenced>, StoreError> {
        read::referenced_images(&self.db).await
    }

    /// Every stored photo, oldest first.
    pub async fn images(&self) -> Result<Vec<StoredImage>, StoreError> {
        ingest::images(&self.db, false).await
    }

    /// Checks that every photo the records name is still stored with exactly the bytes its
    /// record hashes; returns what is wrong, photo by photo (empty when all are intact).
    pub async fn check_photos(&self) -> Result<(usize, Vec<String>), StoreError> {
        let images = self.images().await?;
        let mut problems = Vec::new();
        for image in &images {
            let checked = match &self.blobs {
                Some(blobs) => blobs.check(&image.sha256).await,
                None => Err("this store has no blob store to check it in".into()),
            };
            if let Err(e) = checked {
                problems.push(format!(
                    "photo {} of record {} ({}): {e}",
                    image.file, image.seq, image.sha256
                ));
            }
        }
        Ok((images.len(), problems))
    }

    /// Where original photos are kept (set by whoever knows the data directory).
    pub fn with_blobs(mut self, blobs: std::sync::Arc<dyn blobs::BlobStore>) -> Self {
        self.blobs = Some(blobs);
        self
    }

    pub fn blobs(&self) -> Option<&std::sync::Arc<dyn blobs::BlobStore>> {
        self.blobs.as_ref()
    }

    /// Direct access for tests and tools that must reach under the API (e.g. tamper tests).
    pub fn db(&self) -> &Db {
        &self.db
    }
}

fn election_of(body: &str) -> Result<Election, StoreError> {
    match Record::from_bytes(body.as_bytes()) {
        Ok(Record {
            body: RecordBody::Election { election },
            ..
        }) => Ok(*election),
        Ok(_) => Err(StoreError::Corrupt {
            seq: 0,
            message: "record 0 is not the election definition".into(),
        }),
        Err(e) => Err(StoreError::Corrupt {
            seq: 0,
            message: e.to_string(),
        }),
    }
}
