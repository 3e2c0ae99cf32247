//! The two backends behind one small interface.
//!
//! Every query in this crate is written once, with `$n` placeholders (which SQLite also
//! understands), and runs on both backends through [`Db`] and [`Tx`]: values cross the boundary
//! as [`Val`], so the store's logic never names a backend. Column types are limited to BIGINT and
//! TEXT, which mean the same on both.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Row};

use crate::StoreError;

/// A value bound to or read from a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Val {
    I(Option<i64>),
    T(Option<String>),
}

impl Val {
    pub fn int(&self) -> Option<i64> {
        match self {
            Val::I(v) => *v,
            Val::T(_) => None,
        }
    }
    pub fn text(&self) -> Option<&str> {
        match self {
            Val::T(v) => v.as_deref(),
            Val::I(_) => None,
        }
    }
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::I(Some(v))
    }
}
impl From<u64> for Val {
    fn from(v: u64) -> Self {
        Val::I(Some(v as i64))
    }
}
impl From<Option<u64>> for Val {
    fn from(v: Option<u64>) -> Self {
        Val::I(v.map(|v| v as i64))
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::T(Some(v))
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::T(Some(v.to_string()))
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Val::T(v)
    }
}

/// The type of a column read back.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    I,
    T,
}

pub const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    // The append-only history. `seq` is the record's index in the transparency log.
    "CREATE TABLE IF NOT EXISTS records (seq BIGINT PRIMARY KEY, kind TEXT NOT NULL, \
     table_code TEXT, sha256 TEXT NOT NULL, body TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS records_by_table ON records (table_code)",
    "CREATE TABLE IF NOT EXISTS places (level TEXT NOT NULL, code TEXT NOT NULL, \
     name TEXT NOT NULL, expected_tables BIGINT, PRIMARY KEY (level, code))",
    // Known tables: from the geography, or created from a record (`in_geography` = 0).
    "CREATE TABLE IF NOT EXISTS tables (code TEXT PRIMARY KEY, registered BIGINT, \
     in_geography BIGINT NOT NULL)",
    // Derived views, rebuildable from `records`.
    "CREATE TABLE IF NOT EXISTS current (table_code TEXT PRIMARY KEY, seq BIGINT NOT NULL, \
     registered BIGINT, valid BIGINT NOT NULL, null_votes BIGINT NOT NULL, votes TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS conflicts (table_code TEXT NOT NULL, seq BIGINT NOT NULL, \
     PRIMARY KEY (table_code, seq))",
    "CREATE TABLE IF NOT EXISTS aggregates (level TEXT NOT NULL, code TEXT NOT NULL, \
     tables BIGINT NOT NULL, registered BIGINT NOT NULL, valid BIGINT NOT NULL, \
     null_votes BIGINT NOT NULL, votes TEXT NOT NULL, PRIMARY KEY (level, code))",
    // Rows refused by an import run with --quarantine, kept with their reason.
    "CREATE TABLE IF NOT EXISTS quarantine (id BIGINT PRIMARY KEY, file TEXT NOT NULL, \
     line BIGINT NOT NULL, raw TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL)",
    "CREATE UNIQUE INDEX IF NOT EXISTS quarantine_once ON quarantine (file, line, raw)",
    // Every distinct photo, derived from `image` records: the review queue and the photos of a
    // table are read from here.
    "CREATE TABLE IF NOT EXISTS images (sha256 TEXT PRIMARY KEY, seq BIGINT NOT NULL, \
     status TEXT NOT NULL, table_code TEXT, file TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS images_by_table ON images (table_code)",
    "CREATE INDEX IF NOT EXISTS images_by_file ON images (file)",
    // The transparency log over `records` (entry i = body of record i), written in the same
    // transactions as the records: its C2SP hash tiles (level L holds tree level 8L; the
    // right-edge tile of each level is partial and rewritten as it grows; `hashes` is hex) and
    // the signed checkpoints. See log.rs.
    "CREATE TABLE IF NOT EXISTS log_tiles (level BIGINT NOT NULL, idx BIGINT NOT NULL, \
     width BIGINT NOT NULL, hashes TEXT NOT NULL, PRIMARY KEY (level, idx))",
    "CREATE TABLE IF NOT EXISTS checkpoints (size BIGINT PRIMARY KEY, root TEXT NOT NULL, \
     note TEXT NOT NULL, at_ms BIGINT NOT NULL)",
    // People (review.rs). Views, rebuildable from `account`, `entry`, `reveal`, `decision` and
    // `report` records: accounts by name (the latest record of each), blind entries (revealed
    // once their item has two), decisions, citizens' reports.
    "CREATE TABLE IF NOT EXISTS accounts (name TEXT PRIMARY KEY, role TEXT NOT NULL, \
     scopes TEXT NOT NULL, token_sha256 TEXT, seq BIGINT NOT NULL)",
    "CREATE UNIQUE INDEX IF NOT EXISTS accounts_by_token ON accounts (token_sha256)",
    "CREATE TABLE IF NOT EXISTS review_entries (seq BIGINT PRIMARY KEY, item TEXT NOT NULL, \
     by_name TEXT NOT NULL, revealed BIGINT)",
    "CREATE INDEX IF NOT EXISTS review_entries_by_item ON review_entries (item)",
    "CREATE TABLE IF NOT EXISTS decisions (seq BIGINT PRIMARY KEY, item TEXT NOT NULL, \
     table_code TEXT, counted BIGINT, by_name TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS decisions_by_item ON decisions (item)",
    "CREATE TABLE IF NOT EXISTS reports (seq BIGINT PRIMARY KEY, table_code TEXT NOT NULL, \
     problem TEXT NOT NULL, comment_sha256 TEXT)",
    "CREATE INDEX IF NOT EXISTS reports_by_table ON reports (table_code)",
    // The photos results files point to (their image column), until fetched; from `result`
    // records.
    "CREATE TABLE IF NOT EXISTS referenced_images (seq BIGINT PRIMARY KEY, \
     table_code TEXT NOT NULL, url TEXT NOT NULL)",
    // Private, and the only tables that are not views: what the log does not show. A blind
    // entry's transcription and nonce until its reveal record, and citizens' comments (the log
    // holds their SHA-256). Rebuilding the views never touches them.
    "CREATE TABLE IF NOT EXISTS private_entries (seq BIGINT PRIMARY KEY, nonce TEXT NOT NULL, \
     transcription TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS private_comments (sha256 TEXT PRIMARY KEY, comment TEXT NOT NULL)",
];

/// The tables [`SCHEMA`] creates, by name.
pub fn schema_tables() -> impl Iterator<Item = &'static str> {
    SCHEMA.iter().filter_map(|stmt| {
        let name = stmt.strip_prefix("CREATE TABLE IF NOT EXISTS ")?;
        name.split_whitespace().next()
    })
}

#[derive(Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

macro_rules! build_query {
    ($sql:expr, $args:expr) => {{
        let mut q = sqlx::query(AssertSqlSafe($sql.to_string()));
        for a in $args {
            q = match a {
                Val::I(v) => q.bind(v),
                Val::T(v) => q.bind(v),
            };
        }
        q
    }};
}

macro_rules! decode_rows {
    ($rows:expr, $kinds:expr) => {{
        let mut out = Vec::with_capacity($rows.len());
        for row in $rows {
            let mut vals = Vec::with_capacity($kinds.len());
            for (i, k) in $kinds.iter().enumerate() {
                vals.push(match k {
                    Kind::I => Val::I(row.try_get::<Option<i64>, _>(i)?),
                    Kind::T => Val::T(row.try_get::<Option<String>, _>(i)?),
                });
            }
            out.push(vals);
        }
        out
    }};
}

impl Db {
    /// Opens (creating if needed) the SQLite file in WAL mode with full synchronous commits, so
    /// that an acknowledged write survives kill -9 and power loss.
    pub async fn sqlite(path: &Path) -> Result<Db, StoreError> {
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(false);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts)
            .await?;
        Ok(Db::Sqlite(pool))
    }

    pub async fn postgres(url: &str) -> Result<Db, StoreError> {
        let opts = sqlx::postgres::PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await?;
        Ok(Db::Postgres(pool))
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    pub async fn fetch(
        &self,
        sql: &str,
        args: Vec<Val>,
        kinds: &[Kind],
    ) -> Result<Vec<Vec<Val>>, StoreError> {
        Ok(match self {
            Db::Sqlite(p) => {
                let rows = build_query!(sql, args).fetch_all(p).await?;
                decode_rows!(rows, kinds)
            }
            Db::Postgres(p) => {
                let rows = build_query!(sql, args).fetch_all(p).await?;
                decode_rows!(rows, kinds)
            }
        })
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }
}

impl Tx {
    pub async fn exec(&mut self, sql: &str, args: Vec<Val>) -> Result<u64, StoreError> {
        Ok(match self {
            Tx::Sqlite(t) => build_query!(sql, args)
                .execute(&mut **t)
                .await?
                .rows_affected(),
            Tx::Postgres(t) => build_query!(sql, args)
                .execute(&mut **t)
                .await?
                .rows_affected(),
        })
    }

    pub async fn fetch(
        &mut self,
        sql: &str,
        args: Vec<Val>,
        kinds: &[Kind],
    ) -> Result<Vec<Vec<Val>>, StoreError> {
        Ok(match self {
            Tx::Sqlite(t) => {
                let rows = build_query!(sql, args).fetch_all(&mut **t).await?;
                decode_rows!(rows, kinds)
            }
            Tx::Postgres(t) => {
                let rows = build_query!(sql, args).fetch_all(&mut **t).await?;
                decode_rows!(rows, kinds)
            }
        })
    }

    /// Inserts many rows with multi-row statements: per-statement overhead, not per-row work,
    /// dominates bulk imports. `tail` is appended to each statement (e.g. an ON CONFLICT clause).
    pub async fn insert_many(
        &mut self,
        table_and_columns: &str,
        width: usize,
        rows: Vec<Vec<Val>>,
        tail: &str,
    ) -> Result<(), StoreError> {
        // sqlx binds SQLite parameters through sqlite3_bind_parameter_name, which scans the
        // statement's parameter list: cost is quadratic in the parameters of one statement, so
        // SQLite gets short statements (measured: 30,000 parameters 25 s, 300 about 1 s for V1).
        let max_params = match self {
            Tx::Sqlite(_) => 300,
            Tx::Postgres(_) => 30_000,
        };
        let per_statement = (max_params / width).max(1);
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Vec<Val>> = rows.by_ref().take(per_statement).collect();
            let mut sql = format!("INSERT INTO {table_and_columns} VALUES ");
            let mut n = 0;
            for (i, _) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(',');
                }
                sql.push('(');
                for j in 0..width {
                    if j > 0 {
                        sql.push(',');
                    }
                    n += 1;
                    sql.push_str(&format!("${n}"));
                }
                sql.push(')');
            }
            sql.push(' ');
            sql.push_str(tail);
            self.exec(&sql, chunk.into_iter().flatten().collect())
                .await?;
        }
        Ok(())
    }

    /// Serialises writers: SQLite takes its write lock, PostgreSQL a row lock, at this statement,
    /// so sequence numbers read afterwards cannot be taken by another writer.
    pub async fn lock_for_write(&mut self) -> Result<(), StoreError> {
        self.exec("UPDATE meta SET value = value WHERE key = 'writer'", vec![])
            .await?;
        Ok(())
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}
