//! Shared test support: a store on each backend and results to import.
#![allow(dead_code)]

use actas_core::{Source, TableResult, ve2024};
use actas_store::{Incoming, Store, Target};

/// A fresh PostgreSQL database (127.0.0.1:5432 unless ACTAS_TEST_PG says otherwise). None
/// when no server answers, unless CI is set: there its absence is a failure.
pub fn postgres_target() -> Option<Target> {
    let base = std::env::var("ACTAS_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string());
    let name = format!(
        "actas_store_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
            % 1_000_000_000
    );
    let created = std::process::Command::new("psql")
        .arg(format!("{base}/postgres"))
        .args(["-q", "-c", &format!("CREATE DATABASE {name}")])
        .output();
    match created {
        Ok(o) if o.status.success() => Some(Target::Postgres(format!("{base}/{name}"))),
        other => {
            assert!(
                std::env::var_os("CI").is_none(),
                "PostgreSQL at {base} is required under CI: {other:?}"
            );
            eprintln!("skipping PostgreSQL: {other:?}");
            None
        }
    }
}

/// Runs `f` on a fresh SQLite store and on a fresh PostgreSQL store.
pub async fn on_both<F, Fut>(f: F)
where
    F: Fn(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let lite = Target::Sqlite(dir.path().join("actas.db"));
    f(Store::init(&lite, &ve2024::election()).await.unwrap()).await;
    if let Some(pg) = postgres_target() {
        f(Store::init(&pg, &ve2024::election()).await.unwrap()).await;
    }
}

pub fn result(table: &str, eg: u64, nm: u64, registered: Option<u64>) -> TableResult {
    let e = ve2024::election();
    let mut votes = vec![0; e.candidates.len()];
    votes[e.candidate_index("EG").unwrap()] = eg;
    votes[e.candidate_index("NM").unwrap()] = nm;
    TableResult {
        table: table.parse().unwrap(),
        registered,
        valid: eg + nm,
        null: 1,
        blank: None,
        votes,
        cards: None,
    }
}

pub fn incoming(r: TableResult, line: u64) -> Incoming {
    Incoming {
        result: r,
        source: Source {
            kind: "csv".into(),
            file: Some("t.csv".into()),
            line: Some(line),
            sha256: None,
        },
        problems: vec![],
    }
}

/// Runs one SQL statement behind the store's back (tamper tests).
pub async fn raw_sql(store: &Store, sql: &str) {
    let mut tx = store.db().begin().await.unwrap();
    tx.exec(sql, vec![]).await.unwrap();
    tx.commit().await.unwrap();
}
