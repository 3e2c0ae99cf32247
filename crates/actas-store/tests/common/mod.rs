//! Shared test support: a store on each backend and results to import.
#![allow(dead_code)]

use actas_core::{Source, TableResult, ve2024};
use actas_store::{Incoming, Store, Target};

/// Runs `f` on a fresh SQLite store and on a fresh PostgreSQL store ([`actas_testkit::pg`]:
/// skipped when no server answers, unless CI is set).
pub async fn on_both<F, Fut>(f: F)
where
    F: Fn(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let lite = Target::Sqlite(dir.path().join("actas.db"));
    f(Store::init(&lite, &ve2024::election()).await.unwrap()).await;
    if let Some(pg) = actas_testkit::pg::database("store").map(Target::Postgres) {
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
    let source = Source {
        kind: "csv".into(),
        file: Some("t.csv".into()),
        line: Some(line),
        sha256: None,
        by: None,
    };
    Incoming::checked(&ve2024::election(), r, source)
}

/// Runs one SQL statement behind the store's back (tamper tests).
pub async fn raw_sql(store: &Store, sql: &str) {
    let mut tx = store.db().begin().await.unwrap();
    tx.exec(sql, vec![]).await.unwrap();
    tx.commit().await.unwrap();
}
